"""Accessibility: axe-core (WCAG 2.2 A and AA) on every page type and every component example,
plus what axe cannot judge alone: heading order, one h1, the skip link, visible focus, the
page language and link text that makes sense out of context.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import (
    MISSING_PAGE,
    REPO,
    VIEWPORTS,
    axe_violations,
    describe_violations,
    existing,
    heading_problems,
    link_text_problems,
    outline,
    page_types,
    sample_pages,
)
from tests.components import doc_names, examples, partial_names, read_doc, render_example, write_gallery

NewPage = Callable[..., Any]
PAGE_TYPES = sorted(page_types())
# Set to a path to write what axe finds on every page type there, for the accessibility statement
# (localgov/load/accessibility.py): LOCALGOV_ACCESSIBILITY_RESULTS=accessibility-results.json pytest ...
RESULTS_ENV = "LOCALGOV_ACCESSIBILITY_RESULTS"
Found = dict[str, dict[str, str]]  # page type -> axe rule -> what the rule asks for


def results_file(found: Found, day: dt.date) -> dict[str, Any]:
    """Return the statement's test results: when, with what, how many kinds of page, and each rule that failed."""
    axe = json.loads((REPO / "node_modules" / "axe-core" / "package.json").read_text(encoding="utf-8"))["version"]
    rules: dict[str, tuple[str, int]] = {}
    for failed in found.values():
        for rule, text in failed.items():
            rules[rule] = (text, rules.get(rule, ("", 0))[1] + 1)
    return {"tested": day.isoformat(), "tool": f"axe-core {axe} (WCAG 2.2 A and AA)", "pages": len(found),
            "issues": [{"rule": rule, "help": text, "pages": count} for rule, (text, count) in sorted(rules.items())]}


@pytest.fixture(scope="session")
def axe_results() -> Iterator[Found]:
    """Collect what axe finds on each page type; write it where RESULTS_ENV says, if it says."""
    found: Found = {}
    yield found
    target = os.environ.get(RESULTS_ENV)
    if target and found:
        data = results_file(found, dt.datetime.now(dt.UTC).date())
        Path(target).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


# -- axe on every page type ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("name", PAGE_TYPES)
def test_axe_finds_nothing_on_any_page_type(
    demo_site: Path, site_server: str, reading_page: NewPage, name: str, viewport: str, axe_results: Found
) -> None:
    url = existing(demo_site, name)
    page = reading_page(viewport)
    response = page.goto(site_server + url)
    assert response is not None and response.status == (404 if url == MISSING_PAGE else 200)
    violations = axe_violations(page)
    axe_results.setdefault(name, {}).update({v["id"]: v["help"] for v in violations})
    assert not violations, f"{name} ({url}) at {viewport} width:\n{describe_violations(violations)}"
    assert not page.errors, str(page.errors)


@pytest.mark.browser
@pytest.mark.parametrize("name", ["common page, lower tier", "hub, two-tier district", "A to Z of councils"])
def test_axe_finds_nothing_without_the_sites_javascript(
    demo_site: Path, site_server: str, new_page: NewPage, name: str
) -> None:
    # axe itself needs JavaScript, so the site's own scripts are blocked instead: the page renders as without JS.
    url = existing(demo_site, name)
    page = new_page(viewport="phone")
    page.route(re.compile(r"/assets/.*\.js$"), lambda route: route.abort())
    page.goto(site_server + url)
    assert not page.evaluate("() => document.body.classList.contains('js-enabled')")
    for summary in page.locator("main details summary").all():
        summary.click()  # open the A to Z, so that it is checked too
    violations = axe_violations(page)
    assert not violations, f"{name} ({url}) without JavaScript:\n{describe_violations(violations)}"


@pytest.mark.browser
def test_axe_finds_nothing_in_the_postcode_error_state(site_server: str, new_page: NewPage) -> None:
    page = new_page(viewport="phone")
    page.goto(site_server + page_types()["common page, lower tier"])
    form = page.locator("main form:has(input[name='postcode'])").first
    form.locator("input[name='postcode']").fill("not a postcode")
    form.get_by_role("button", name="Find your council").click()
    page.locator(".govuk-error-summary").wait_for(state="visible", timeout=5_000)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


@pytest.mark.browser
def test_axe_finds_nothing_with_the_phone_menu_open(site_server: str, new_page: NewPage) -> None:
    page = new_page(viewport="phone")
    page.goto(site_server + "/")
    page.locator("header").get_by_role("button", name="Menu").click()
    assert page.locator("header").get_by_role("link", name="Councils A to Z").is_visible()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


# -- components and their examples --------------------------------------------------------------


def test_every_component_has_a_doc_with_examples() -> None:
    assert partial_names(), "no partials found"
    assert doc_names() == partial_names(), (
        "each templates/partials/<name>.html needs templates/partials/docs/<name>.yml with examples (and no doc "
        f"without a partial); partials without docs: {sorted(set(partial_names()) - set(doc_names()))}, "
        f"docs without partials: {sorted(set(doc_names()) - set(partial_names()))}"
    )
    for name in doc_names():
        doc = read_doc(name)
        assert doc.get("name") and doc.get("description"), f"{name}.yml needs a name and a description"
        assert doc.get("examples"), f"{name}.yml needs at least one example"
        unknown = set(doc) - {"name", "description", "body", "accessibility_criteria", "examples", "top_level"}
        assert not unknown, f"{name}.yml: unknown fields {sorted(unknown)}"
        assert doc.get("top_level") in (None, "start", "end"), f"{name}.yml: top_level is start or end of <body>"


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.id)
def test_every_component_example_renders(example: Any) -> None:
    fragment = render_example(example)
    assert "{{" not in fragment and "{%" not in fragment
    # An example that renders nothing must say so: showing nothing is then what it documents.
    if not fragment.strip():
        assert example.description, f"{example.id} renders nothing; describe why in its doc"


@pytest.fixture(scope="module")
def gallery(demo_site: Path, tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[..., str]) -> str:
    folder = tmp_path_factory.mktemp("components")
    write_gallery(folder, demo_site)
    return serve_folder(folder)


@pytest.mark.browser
@pytest.mark.parametrize("example", examples(), ids=lambda e: e.id)
def test_axe_finds_nothing_in_any_component_example(gallery: str, reading_page: NewPage, example: Any) -> None:
    page = reading_page("desktop")
    page.goto(f"{gallery}/{example.path}")
    violations = axe_violations(page)
    assert not violations, f"{example.id}:\n{describe_violations(violations)}"
    assert not page.errors, str(page.errors)


# -- what axe cannot judge alone ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sampled(demo_site: Path) -> list[tuple[str, str, Any]]:
    """Each sampled page of the demo site (tests.browser.sample_pages): its path in the site, HTML and outline."""
    pages = []
    for path in sample_pages(demo_site):
        html = path.read_text(encoding="utf-8")
        pages.append((path.relative_to(demo_site).as_posix(), html, outline(html)))
    return pages


def test_headings_are_in_order_with_one_h1_and_the_language_set(sampled: list[tuple[str, str, Any]]) -> None:
    problems = []
    assert len(sampled) > 500
    for rel, _, found in sampled:
        problems += [f"{rel}: {p}" for p in heading_problems(found.headings)]
        lang = "cy" if rel.startswith("cy/") else "en"  # the Welsh pages are under /cy/
        if found.lang != lang:
            problems.append(f"{rel}: <html lang> is {found.lang!r}, not {lang!r}")
    assert not problems, "\n".join(problems[:40])


def test_the_skip_link_comes_first(sampled: list[tuple[str, str, Any]]) -> None:
    for rel, html, found in sampled:
        first = found.first_focusable
        assert first is not None and first.get("href") == "#main-content", f"{rel}: first focusable is {first}"
        assert 'id="main-content"' in html


def test_link_text_makes_sense_out_of_context(sampled: list[tuple[str, str, Any]]) -> None:
    problems = []
    for rel, _, found in sampled:
        problems += [f"{rel}: {p}" for p in link_text_problems(found.links)]
    assert not problems, "\n".join(problems[:40])


def test_the_link_text_check_can_fail() -> None:
    page = outline('<a href="/a/">click here</a><a href="/b/">Bins</a><a href="/c/">Bins</a><a href="/d/"> </a>')
    problems = " ".join(link_text_problems(page.links))
    assert "'click here'" in problems and "'bins' leads to different places" in problems and "no text" in problems
    assert heading_problems(outline("<h2>A</h2><h1>B</h1><h3>C</h3><h1>D</h1>").headings) == [
        "expected exactly one h1, found 2", "h3 'C' follows h1: a level is skipped"]


@pytest.mark.browser
@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_skip_link_shows_on_focus_and_moves_to_the_content(
    site_server: str, new_page: NewPage, viewport: str, js: bool
) -> None:
    page = new_page(js=js, viewport=viewport)
    page.goto(site_server + page_types()["variant, lower tier"])
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.bounding_box() is None or skip.bounding_box()["width"] <= 1, "hidden until focused"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to main content"
    box = skip.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 20, "the focused skip link must be visible"
    page.keyboard.press("Enter")
    # GOV.UK Frontend's skip link script moves focus first; the address follows a moment later.
    page.wait_for_function("() => location.hash === '#main-content'", timeout=5000)
    # The next Tab lands inside the main content, not back in the header.
    page.keyboard.press("Tab")
    inside = page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert inside, page.evaluate("() => document.activeElement.outerHTML")


FOCUSABLE = {
    "a link in the content": "main .govuk-link",
    "the header link": ".govuk-generic-header__homepage-link, header a",
    "a navigation link": ".govuk-service-navigation__link",
    "a breadcrumb": ".govuk-breadcrumbs__link",
    "the postcode field": "main input[name='postcode']",
    "the button": "main .govuk-button",
    "the list of councils": "main details summary",
    "a footer link": ".govuk-footer__link",
}


@pytest.mark.browser
@pytest.mark.parametrize("what", sorted(FOCUSABLE))
def test_focus_is_visible(site_server: str, reading_page: NewPage, what: str) -> None:
    page = reading_page("desktop")
    page.goto(site_server + page_types()["common page, lower tier"])
    selector = FOCUSABLE[what]
    element = page.locator(selector).first
    before = element.evaluate(STYLE)
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            break
    else:
        pytest.fail(f"{what} ({selector}) cannot be reached with the Tab key")
    focused = page.locator(":focus")
    after = focused.evaluate(STYLE)
    assert focused.evaluate("e => e.matches(':focus-visible')"), f"{what} does not match :focus-visible"
    # GOV.UK focus: a yellow background or outline and a thick dark underline or border (box-shadow). An outline
    # of 3px solid transparent is only for forced-colours mode, so it does not count.
    visible_outline = after["outlineStyle"] != "none" and after["outlineWidth"] != "0px" and not TRANSPARENT.match(
        after["outlineColor"])
    assert visible_outline or after["boxShadow"] != "none", f"{what} shows no outline or box-shadow on focus: {after}"
    unfocused = element.evaluate(STYLE) if element.evaluate("e => e !== document.activeElement") else before
    assert after != unfocused, f"{what} looks the same focused and not: {after}"


STYLE = """e => { const s = getComputedStyle(e); return {outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth,
  outlineColor: s.outlineColor, boxShadow: s.boxShadow, backgroundColor: s.backgroundColor, color: s.color} }"""
TRANSPARENT = re.compile(r"^(transparent|rgba\(\d+, \d+, \d+, 0\))$")


def test_the_results_a_test_run_writes_are_what_the_statement_reads(tmp_path: Path) -> None:
    from localgov.errors import Problems
    from localgov.load.accessibility import RESULTS_FILE, load_accessibility

    found: Found = {"home": {}, "search": {"color-contrast": "Elements must meet minimum color contrast ratio"},
                    "hub, county": {"color-contrast": "Elements must meet minimum color contrast ratio",
                                    "region": "All page content should be contained by landmarks"}}
    (tmp_path / RESULTS_FILE).write_text(json.dumps(results_file(found, dt.date(2026, 11, 27))), encoding="utf-8")
    problems = Problems()
    results = load_accessibility(tmp_path, problems)
    assert not problems.items
    assert results is not None and results.tested == dt.date(2026, 11, 27) and results.pages == 3
    assert results.tool.startswith("axe-core 4.")
    assert results.issues == (("color-contrast", "Elements must meet minimum color contrast ratio", 2),
                              ("region", "All page content should be contained by landmarks", 1))
