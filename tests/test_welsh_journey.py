"""A Welsh resident's journey in Chromium: from /cy/ through a postcode in Cardiff to a service page, in Welsh."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from typing import Any

import pytest

from localgov.cli import main
from tests.browser import axe_violations, describe_violations
from tests.conftest import DEFAULT_FILES, REPO, write_files
from tests.test_welsh import WELSH_FILES

pytestmark = pytest.mark.browser

NewPage = Callable[..., Any]
REGISTRY = {"name", "short_name", "gss", "former_gss", "type", "nation", "parent", "website"}


@pytest.fixture(scope="session")
def welsh_site(tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[..., str]) -> str:
    """A small site with a page in Welsh and postcodes from the repository's extract (CF10 1EP is in Cardiff)."""
    root = tmp_path_factory.mktemp("welsh")
    files: dict[str, str | bytes | None] = {name: text for name, text in DEFAULT_FILES.items()
                                            if name.startswith("content/")}
    files.update({name: text for name, text in WELSH_FILES.items() if name.startswith("content/")})
    files["site.yaml"] = f"name: Local council services\npostcodes: {REPO / 'postcodes' / 'demo.csv'}\n"
    write_files(root, files)
    for slug in ("cardiff", "kent", "maidstone"):
        lines = (REPO / "councils" / slug / "council.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
        registry = "".join(line for line in lines if line.split(":", 1)[0] in REGISTRY)
        if slug == "cardiff":
            registry += "name_cy: Cyngor Caerdydd\nshort_name_cy: Caerdydd\n"
        write_files(root, {f"councils/{slug}/council.yaml": registry})
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["--root", str(root), "build"]) == 0
    return serve_folder(root / "build")


def path_of(page: Any) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def submit(page: Any, typed: str) -> None:
    form = page.locator("main form.lg-postcode-form")
    form.locator("input[name='postcode']").fill(typed)
    form.get_by_role("button", name="Dod o hyd i’ch cyngor").click()


def test_a_welsh_resident_goes_from_the_welsh_home_page_to_a_welsh_service_page(
    welsh_site: str, new_page: NewPage
) -> None:
    page = new_page()
    page.goto(welsh_site + "/cy/")
    assert page.evaluate("() => document.documentElement.lang") == "cy"
    # The errors, in Welsh, in GOV.UK's pattern.
    submit(page, "")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")
    assert "Mae yna broblem" in summary.inner_text() and "Rhowch god post" in summary.inner_text()
    assert page.title().startswith("Gwall: ")
    assert "Gwall:" in page.locator(".govuk-error-message").inner_text()
    submit(page, "not a postcode")
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Rhowch god post go iawn" in page.locator(".govuk-error-summary").inner_text()
    # A postcode in Cardiff leads to Cardiff's Welsh hub, then to a Welsh service page.
    submit(page, "cf10 1ep")
    page.wait_for_url(welsh_site + "/cy/councils/cardiff/")
    assert page.locator("h1").inner_text() == "Cyngor Caerdydd"
    page.get_by_role("link", name="Casgliadau biniau").first.click()
    page.wait_for_url(welsh_site + "/cy/bin-collections/cardiff/")
    assert page.locator("h1").inner_text() == "Casgliadau biniau"
    assert "Mae Cyngor Caerdydd yn casglu eich biniau" in page.locator("main").inner_text()
    # The language switch leads to the same page in English.
    page.get_by_role("link", name="Change the language to English").click()
    page.wait_for_url(welsh_site + "/bin-collections/cardiff/")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert not page.errors, str(page.errors)


def test_the_postcode_form_of_a_welsh_service_page_leads_to_the_welsh_variant(
    welsh_site: str, new_page: NewPage
) -> None:
    page = new_page()
    page.goto(welsh_site + "/cy/bin-collections/")
    submit(page, "CF10 1EP")
    page.wait_for_url(welsh_site + "/cy/bin-collections/cardiff/")
    # An English council has no Welsh pages: the journey leads to its English page.
    page.goto(welsh_site + "/cy/bin-collections/")
    submit(page, "ME15 6JQ")
    page.wait_for_url(welsh_site + "/bin-collections/maidstone/")


def test_a_postcode_not_found_is_said_in_welsh(welsh_site: str, new_page: NewPage) -> None:
    page = new_page()
    page.goto(welsh_site + "/cy/")
    submit(page, "YY1 1AA")
    banner = page.locator("main .lg-postcode-message")
    banner.wait_for(state="visible")
    text = banner.inner_text()
    assert "Nid oeddem yn gallu dod o hyd i YY1 1AA" in text and "rhestr A i Y o gynghorau" in text
    assert "Pwysig" in text
    assert banner.get_by_role("link", name="rhestr A i Y o gynghorau").get_attribute("href") == "/cy/councils/"


@pytest.mark.parametrize("url", ["/cy/", "/cy/bin-collections/", "/cy/bin-collections/cardiff/",
                                 "/cy/councils/", "/cy/councils/cardiff/", "/cy/rubbish-and-recycling/",
                                 "/cy/search/", "/cy/apply-for-a-school-place/cardiff/", "/cy/service-status/"])
def test_axe_finds_nothing_on_welsh_page_types(welsh_site: str, reading_page: NewPage, url: str) -> None:
    page = reading_page()
    page.goto(welsh_site + url)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_axe_finds_nothing_in_the_welsh_postcode_error_state(welsh_site: str, new_page: NewPage) -> None:
    page = new_page()
    page.goto(welsh_site + "/cy/")
    submit(page, "")
    page.locator(".govuk-error-summary").wait_for(state="visible")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)



def test_the_welsh_search_page_finds_welsh_pages_in_welsh(welsh_site: str, new_page: NewPage) -> None:
    page = new_page()
    page.goto(welsh_site + "/cy/search/?q=casgliadau+biniau")
    page.locator("#search-list").wait_for(state="visible")
    count = page.locator("#search-count").inner_text()
    assert re.fullmatch(r"\d+ canlyniad", count.strip()), count
    links = page.locator("#search-list h2 a")
    assert links.first.get_attribute("href") == "/cy/bin-collections/"
    assert links.first.inner_text() == "Casgliadau biniau"
    assert page.title().startswith("Canlyniadau chwilio am “casgliadau biniau”")
    # Nothing found: the advice is in Welsh too.
    page.goto(welsh_site + "/cy/search/?q=xylophone")
    page.get_by_text("Gwella eich canlyniadau chwilio drwy:").wait_for()
    assert not page.errors, str(page.errors)
