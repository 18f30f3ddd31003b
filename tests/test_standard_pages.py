"""The pages every public service owes its users, linked from every footer: help, privacy, cookies, the
accessibility statement in the form the regulations ask for, contact, terms and a sitemap people can read."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from localgov.cli import main
from localgov.render.standard import ENFORCERS, PAGES, REGULATIONS, STORED
from localgov.urls import STANDARD_KINDS
from tests.browser import REPO, outline
from tests.conftest import BuiltSite, MakeSite
from tests.helpers import read

NewPage = Callable[..., Any]
FOOTER_LINKS = ["/help/", "/privacy/", "/cookies/", "/accessibility/", "/contact/", "/terms/", "/sitemap/"]
# The parts of a statement the regulations' model statement has, as headings, in order.
STATEMENT_HEADINGS = [
    "How accessible this website is",
    "Feedback and contact information",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Technical information about this website’s accessibility",
    "Compliance status",
    "Preparation of this accessibility statement",
]


def build(root: Path, out: Path) -> Path:
    assert main(["--root", str(root), "build", "--no-search", "--out", str(out)]) == 0
    return out


def text_of(html: str) -> str:
    main_part = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main_part)).replace("&amp;", "&")


def footer_links(html: str) -> list[str]:
    footer = html[html.index("<footer"):html.index("</footer>")]
    return re.findall(r'class="govuk-footer__link" href="([^"]+)"', footer)


# The site.yaml of a site that sets every option the standard pages read.
FULL = """
        name: Test services
        base_url: https://test.example
        postcodes: none
        contact_email: web@test.example
        host: Example Hosting Ltd
        accessibility_status: partial
        accessibility_issues: [Some older PDF forms are not accessible]
        accessibility_prepared: 2026-10-01
        accessibility_reviewed: 2026-11-20
"""


@pytest.fixture
def plain(built_sites: BuiltSite) -> Path:
    """The output of a small site that sets none of the standard pages' options, built once and shared."""
    return built_sites(None, "--no-search") / "build"


@pytest.fixture
def full(built_sites: BuiltSite) -> Path:
    """The output of a small site that sets every option the standard pages read, built once and shared."""
    return built_sites({"site.yaml": FULL}, "--no-search") / "build"


def test_every_standard_page_is_built_and_has_one_h1(plain: Path) -> None:
    for kind in STANDARD_KINDS:
        html = read(plain, f"/{kind}/")
        headings = outline(html).headings
        assert [text for level, text in headings if level == 1] == [PAGES[kind].title], kind


def test_every_page_has_the_footer_links(plain: Path) -> None:
    pages = sorted(p for p in plain.rglob("*.html") if not p.relative_to(plain).as_posix().startswith("cy/"))
    assert len(pages) > 20
    for path in pages:
        links = footer_links(path.read_text(encoding="utf-8"))
        assert links[:len(FOOTER_LINKS)] == FOOTER_LINKS, path
        assert "/sitemap.xml" not in links, "the footer's sitemap is the page people can read"


def test_the_statement_has_every_required_part_in_order(full: Path) -> None:
    html = read(full, "/accessibility/")
    headings = [text for _, text in outline(html).headings]
    found = [h for h in headings if h in STATEMENT_HEADINGS]
    assert found == STATEMENT_HEADINGS
    text = text_of(html)
    assert REGULATIONS["title"] in text and f'href="{REGULATIONS["href"]}"' in html
    for body in ENFORCERS.values():
        assert body["name"] in text and f'href="{body["href"]}"' in html
    assert "in Great Britain" in text and "If you live in Northern Ireland" in text
    assert "This website is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA" \
        " standard, due to the non-compliances listed below." in text
    assert text.count("Some older PDF forms are not accessible") == 2
    assert "This statement was prepared on 1 October 2026. It was last reviewed on 20 November 2026." in text
    assert 'href="mailto:web@test.example"' in html


def test_the_statement_without_dates_or_contact_says_where_to_report(plain: Path) -> None:
    text = text_of(read(plain, "/accessibility/"))
    assert "This statement has not yet been dated." in text
    assert "Automated tests cannot find every problem" in text
    assert "A to Z of councils" in text and "mailto:" not in read(plain, "/accessibility/")


def test_contact_and_privacy_use_the_sites_own_details_only(plain: Path, full: Path) -> None:
    for url in ("/contact/", "/privacy/"):
        assert "web@test.example" in read(full, url)
        assert "mailto:" not in read(plain, url), "no address is invented"
    assert "hosted by Example Hosting Ltd" in text_of(read(full, "/privacy/"))
    assert "hosted by" not in text_of(read(plain, "/privacy/"))


def test_the_cookies_page_lists_what_the_scripts_store(plain: Path) -> None:
    html = read(plain, "/cookies/")
    scripts = (REPO / "templates" / "static" / "localgov.js").read_text(encoding="utf-8")
    written = set(re.findall(r'export const AREA_KEY = "([^"]+)"', scripts))
    assert written == {item["name"] for item in STORED}, "every item the scripts store, and only those"
    for item in STORED:
        assert item["name"] in html
    assert 'data-module="lg-forget"' in html and "lg-nojs-only" in html
    assert "document.cookie" not in scripts


def test_the_sitemap_lists_every_topic_and_page(plain: Path) -> None:
    html = read(plain, "/sitemap/")
    content = plain.parent / "content"  # the output is the site's build/ folder
    topics = {p.parent.name for p in content.glob("*/_topic.yaml")}
    pages = {p.stem for p in content.glob("*/*.md") if not p.name.endswith(".cy.md")}
    assert pages and topics
    for slug in pages:
        assert f'href="/{slug}/"' in html, slug
    for topic in topics:
        assert f'href="/{topic}/"' in html
    for url in FOOTER_LINKS[:-1]:
        assert f'href="{url}"' in html


def test_a_page_cannot_take_a_standard_pages_address(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    page = "---\ntitle: Cookies\nsummary: About cookies.\nprovider: national\n---\nText.\n"
    root = make_site({"content/rubbish-and-recycling/cookies.md": page})
    assert main(["--root", str(root), "build", "--no-search", "--out", str(tmp_path / "out")]) == 1
    assert "cookies" in capsys.readouterr().err


# -- in a real browser ---------------------------------------------------------------------------


NEW_PAGES = [*FOOTER_LINKS, "/feedback-sent/", "/service-status/", "/councils/maidstone/status/", "/api/"]


@pytest.mark.browser
def test_every_new_page_works_without_javascript_at_320_pixels(site_server: str, new_page: NewPage) -> None:
    page = new_page(viewport="phone", js=False)
    page.set_viewport_size({"width": 320, "height": 640})
    for url in NEW_PAGES:
        response = page.goto(site_server + url)
        assert response is not None and response.status == 200, url
        assert page.locator("h1").count() == 1, url
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, f"{url} scrolls sideways"
        assert page.locator("footer a[href='/accessibility/']").is_visible(), url
    assert not page.errors, str(page.errors)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_footer_link_works_in_a_browser(site_server: str, new_page: NewPage, viewport: str) -> None:
    page = new_page(viewport=viewport, js=False)
    for url in FOOTER_LINKS:
        page.goto(site_server + "/")
        page.locator(f'footer a[href="{url}"]').click()
        assert page.url == site_server + url
        assert page.locator("h1").count() == 1
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{url} scrolls sideways"


@pytest.mark.browser
def test_the_cookies_button_clears_the_remembered_area(site_server: str, new_page: NewPage) -> None:
    page = new_page(viewport="phone")
    page.goto(site_server + "/cookies/")
    page.evaluate("""() => localStorage.setItem("localgov:area", '{"lower": "maidstone"}')""")
    page.reload()
    assert page.locator("#forget-state").inner_text() == "This site remembers a postcode in this browser."
    page.get_by_role("button", name="Clear what this site remembers").click()
    assert page.evaluate("""() => localStorage.getItem("localgov:area")""") is None
    assert "Cleared" in page.locator("#forget-done").inner_text()
    assert not page.errors, str(page.errors)


@pytest.mark.browser
def test_the_cookies_page_without_javascript_says_how_to_clear(site_server: str, new_page: NewPage) -> None:
    page = new_page(viewport="phone", js=False)
    page.goto(site_server + "/cookies/")
    assert not page.get_by_role("button", name="Clear what this site remembers").is_visible()
    assert page.get_by_text("With JavaScript turned off, this site stores nothing").is_visible()


def test_the_statement_reads_the_last_test_runs_results(make_site: MakeSite, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    results = ('{"tested": "2026-11-26", "tool": "axe-core 4.14.1 (WCAG 2.2 A and AA)", "pages": 31, "issues":'
               ' [{"rule": "color-contrast", "help": "Elements must meet minimum color contrast ratio", "pages": 2}]}')
    root = make_site({"accessibility-results.json": results}, name="tested")
    out = build(root, tmp_path / "tested-out")
    text = text_of(read(out, "/accessibility/"))
    assert "This website was last tested on 26 November 2026. The test was carried out automatically with axe-core" \
        " 4.14.1 (WCAG 2.2 A and AA) on 31 kinds of page, and found the problems listed on this page." in text
    assert text.count("Elements must meet minimum color contrast ratio (found by automated tests on 2 kinds of"
                      " page)") == 2
    assert "due to the non-compliances listed below" in text

    (root / "accessibility-results.json").write_text(results.replace('"pages": 31', '"pages": "many"'),
                                                      encoding="utf-8")
    build(root, out)
    assert "accessibility-results.json:1: warning: 'pages': the statement leaves the test results out" in \
        capsys.readouterr().err
    assert "last tested" not in text_of(read(out, "/accessibility/")), "an incremental build drops what it refuses"
