"""Resident journeys on the demo site in Chromium: postcode, council hub, A to Z and search.

Every journey runs at phone and desktop widths; each has a path that works without JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from localgov.errors import Problems
from localgov.load.config import load_config
from tests.browser import REPO, VIEWPORTS
from tests.conftest import forget, note_changes, origin_of

pytestmark = pytest.mark.browser

VIEWPORT_NAMES = sorted(VIEWPORTS)
NewPage = Callable[..., Any]


@pytest.fixture(scope="module")
def postcodes_on(demo_site: Path) -> None:
    """Skip postcode journeys when the site's own site.yaml turns postcode lookup off."""
    if load_config(REPO, Problems()).postcodes == "none":
        pytest.skip("site.yaml says postcodes: none, so the demo has no postcode lookup")


def path_of(page: Any) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url).split("#")[0]


def assert_fits(page: Any, viewport: str) -> None:
    """The page must not scroll sideways (WCAG 1.4.10 reflow at 320 CSS pixels, the phone viewport)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"{path_of(page)} is {width}px wide at {viewport} width"


def enter_postcode(page: Any, postcode: str) -> None:
    form = page.locator("main form:has(input[name='postcode'])").first
    form.locator("input[name='postcode']").fill(postcode)
    form.get_by_role("button", name="Find your council").click()


def assert_clean(page: Any) -> None:
    assert not page.errors, f"errors on {path_of(page)}:\n{page.errors}"


# -- postcode to the right page, with JavaScript ------------------------------------------------


@pytest.mark.usefixtures("postcodes_on")
@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
@pytest.mark.parametrize(
    ("start", "postcode", "expected", "council_name"),
    [
        # Two-tier England: the district collects bins, the county runs schools.
        ("/bin-collections/", "me15 6jq", "/bin-collections/maidstone/", "Maidstone Borough Council"),
        ("/apply-for-a-school-place/", "ME156JQ", "/apply-for-a-school-place/kent/", "Kent County Council"),
        # One council for everything in Wales.
        ("/bin-collections/", " CF10 1EP ", "/bin-collections/cardiff/", "Cardiff"),
        # From the home page and the A to Z, a postcode leads to the area's hub.
        ("/", "ME15 6JQ", "/councils/maidstone/", "Maidstone Borough Council"),
        ("/councils/", "SW1A 1AA", "/councils/westminster/", "Westminster"),
    ],
)
def test_postcode_leads_to_the_council_that_serves_it(
    site_server: str, new_page: NewPage, viewport: str, start: str, postcode: str, expected: str, council_name: str
) -> None:
    page = new_page(viewport=viewport)
    page.goto(site_server + start)
    enter_postcode(page, postcode)
    page.wait_for_url(re.compile(re.escape(expected) + r"(#.*)?$"))
    assert council_name in page.locator("main").inner_text()
    assert page.locator("h1").count() == 1
    assert_fits(page, viewport)
    assert_clean(page)


@pytest.mark.usefixtures("postcodes_on")
@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
@pytest.mark.parametrize(("typed", "message"), [("", "Enter a postcode"), ("not a postcode", "Enter a real postcode"),
                                                ("ME15 6J", "Enter a real postcode")])
def test_postcode_errors_follow_the_govuk_pattern(
    site_server: str, new_page: NewPage, viewport: str, typed: str, message: str
) -> None:
    page = new_page(viewport=viewport)
    page.goto(site_server + "/bin-collections/")
    enter_postcode(page, typed)
    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")
    assert path_of(page) == "/bin-collections/"
    assert message in summary.inner_text()
    # The summary takes focus, and its link leads to the field, which carries the same inline error.
    assert page.evaluate("() => document.activeElement.closest('.govuk-error-summary') !== null")
    field = page.locator("main input[name='postcode']").first
    error = page.locator(".govuk-error-message").first
    assert message in error.inner_text()
    assert error.get_attribute("id") in (field.get_attribute("aria-describedby") or "").split()
    summary.get_by_role("link", name=message).click()
    assert page.evaluate("() => document.activeElement.name") == "postcode"
    assert_fits(page, viewport)
    assert_clean(page)


@pytest.mark.usefixtures("postcodes_on")
@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
def test_unknown_postcode_gets_a_clear_message_and_the_a_to_z(
    site_server: str, new_page: NewPage, viewport: str
) -> None:
    page = new_page(viewport=viewport)
    page.goto(site_server + "/bin-collections/")
    enter_postcode(page, "me15 9zz")
    message = page.locator("main").get_by_text(re.compile("ME15 9ZZ"))
    message.first.wait_for(state="visible")
    assert not re.search(r"/bin-collections/[a-z-]+/$", path_of(page)), "sent to a council for an unknown postcode"
    # The resident can still choose their council from the list.
    maidstone = page.locator("main").get_by_role("link", name="Maidstone", exact=True)
    if not maidstone.is_visible():
        page.locator("main").get_by_text("Choose your council from a list").click()
    maidstone.click()
    page.wait_for_url(re.compile(r"/maidstone/$"))
    assert_clean(page)


# -- the same journeys without JavaScript --------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
def test_without_javascript_the_a_to_z_on_a_service_page_leads_to_the_variant(
    site_server: str, new_page: NewPage, viewport: str
) -> None:
    page = new_page(js=False, viewport=viewport)
    page.goto(site_server + "/bin-collections/")
    maidstone = page.locator("main").get_by_role("link", name="Maidstone", exact=True)
    assert not maidstone.is_visible(), "the A to Z should be folded away until asked for"
    page.locator("main").get_by_text("Choose your council from a list").click()
    maidstone.click()
    page.wait_for_url("**/bin-collections/maidstone/")
    assert "Maidstone Borough Council" in page.locator("main").inner_text()
    assert_fits(page, viewport)
    assert_clean(page)


@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
def test_without_javascript_the_postcode_form_leads_to_the_a_to_z(
    site_server: str, new_page: NewPage, viewport: str
) -> None:
    page = new_page(js=False, viewport=viewport)
    page.goto(site_server + "/")
    enter_postcode(page, "ME15 6JQ")
    page.wait_for_url(re.compile(r"/councils/\?postcode=ME15(\+|%20)6JQ$"))
    assert page.locator("h1").inner_text() == "Councils A to Z"
    page.locator("main").get_by_role("link", name="M", exact=True).click()
    assert page.url.endswith("#az-m")
    page.locator("main").get_by_role("link", name="Maidstone", exact=True).click()
    page.wait_for_url("**/councils/maidstone/")
    assert page.locator("h1").inner_text() == "Maidstone Borough Council"
    assert_fits(page, viewport)
    assert_clean(page)


# -- council hubs --------------------------------------------------------------------------------


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
def test_two_tier_hub_says_who_does_what_and_links_both_tiers(
    site_server: str, new_page: NewPage, viewport: str, js: bool
) -> None:
    page = new_page(js=js, viewport=viewport)
    page.goto(site_server + "/councils/maidstone/")
    main = page.locator("main")
    table = main.locator("table")
    assert "Kent County Council" in table.inner_text() and "Maidstone Borough Council" in table.inner_text()
    # A county service from the district's hub goes to the county's variant.
    main.get_by_role("link", name="Apply for a school place", exact=True).click()
    page.wait_for_url("**/apply-for-a-school-place/kent/")
    page.go_back()
    main.get_by_role("link", name="Bin collections", exact=True).click()
    page.wait_for_url("**/bin-collections/maidstone/")
    page.go_back()
    main.get_by_role("link", name="Kent County Council", exact=True).last.click()
    page.wait_for_url("**/councils/kent/")
    # The county's hub lists its districts.
    page.locator("main").get_by_role("link", name="Maidstone Borough Council", exact=True).click()
    page.wait_for_url("**/councils/maidstone/")
    assert_fits(page, viewport)
    assert_clean(page)


@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
def test_unitary_hub_links_its_own_services(site_server: str, new_page: NewPage, viewport: str) -> None:
    page = new_page(viewport=viewport)
    page.goto(site_server + "/councils/medway/")
    main = page.locator("main")
    assert "provides all council services" in main.inner_text()
    assert main.locator("table").count() == 0
    for name, path in (("Bin collections", "/bin-collections/medway/"),
                       ("Apply for a school place", "/apply-for-a-school-place/medway/")):
        assert main.get_by_role("link", name=name, exact=True).get_attribute("href") == path
    assert_fits(page, viewport)
    assert_clean(page)


# -- the A to Z of councils ----------------------------------------------------------------------


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
def test_a_to_z_letters_jump_to_councils(site_server: str, new_page: NewPage, viewport: str, js: bool) -> None:
    page = new_page(js=js, viewport=viewport)
    page.goto(site_server + "/councils/")
    main = page.locator("main")
    letters = main.locator("a[href^='#az-']")
    assert letters.count() >= 20
    main.get_by_role("link", name="W", exact=True).click()
    assert page.url.endswith("#az-w")
    heading = page.locator("#az-w")
    assert heading.is_visible() and heading.inner_text() == "W"
    top = heading.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < VIEWPORTS[viewport]["height"], "the letter's heading should be scrolled into view"
    main.get_by_role("link", name="Westminster", exact=True).click()
    page.wait_for_url("**/councils/westminster/")
    assert_fits(page, viewport)
    assert_clean(page)


# -- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
def test_search_finds_a_service_by_the_words_residents_use(site_server: str, new_page: NewPage, viewport: str) -> None:
    page = new_page(viewport=viewport)
    page.goto(site_server + "/search/")
    box = page.locator("main").get_by_role("searchbox")
    box.fill("bin day")
    box.press("Enter")
    result = page.locator("main a[href^='/bin-collections/']").first
    result.wait_for(state="visible")
    result.click()
    page.wait_for_url(re.compile(r"/bin-collections/([a-z-]+/)?$"))
    assert_fits(page, viewport)
    assert_clean(page)


@pytest.mark.parametrize("viewport", VIEWPORT_NAMES)
def test_search_without_javascript_is_not_a_dead_end(site_server: str, new_page: NewPage, viewport: str) -> None:
    page = new_page(js=False, viewport=viewport)
    page.goto(site_server + "/search/")
    box = page.locator("main").get_by_role("searchbox")
    box.fill("bin day")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=bin(\+|%20)day$"))
    main = page.locator("main")
    main.get_by_role("link", name=re.compile("find your council", re.IGNORECASE)).first.click()
    page.wait_for_url(re.compile(r"/councils/(#.*)?$"))
    assert_clean(page)


# -- the header on a phone -----------------------------------------------------------------------


def test_phone_menu_opens_with_javascript_and_is_open_without(site_server: str, new_page: NewPage) -> None:
    page = new_page(viewport="phone")
    page.goto(site_server + "/")
    councils = page.locator("header").get_by_role("link", name="Councils A to Z")
    assert not councils.is_visible()
    page.locator("header").get_by_role("button", name="Menu").click()
    councils.click()
    page.wait_for_url("**/councils/")
    plain = new_page(js=False, viewport="phone")
    plain.goto(site_server + "/")
    assert plain.locator("header").get_by_role("link", name="Councils A to Z").is_visible()
    assert_clean(page)
    assert_clean(plain)


# -- the pages these tests make -------------------------------------------------------------------


@pytest.mark.browser
def test_what_one_test_stores_does_not_reach_the_next(browser: Any, site_server: str) -> None:
    """Tests make pages in a browser context kept for their module (conftest.new_page), which must forget
    what the sites stored before the next test's pages open: a remembered area would change their journeys."""
    context = browser.new_context()
    stored = "() => [localStorage.getItem('x'), sessionStorage.getItem('y'), document.cookie]"
    store = ("() => { localStorage.setItem('x', '1'); sessionStorage.setItem('y', '2'); "
             "document.cookie = 'c=1; path=/'; }")
    try:
        first = context.new_page()
        first.goto(site_server + "/")
        first.evaluate(store)
        other = context.new_page()
        other.goto(site_server + "/")
        assert other.evaluate(stored) == ["1", None, "c=1"], "pages of one context share what the site stored"
        other.close()
        # A tab the test did not change is kept for the next test, blank: the tab keeps nothing stored either.
        first.goto("about:blank")
        forget(context, first, {origin_of(site_server)}, close=False)
        first.goto(site_server + "/")
        assert first.evaluate(stored) == [None, None, ""]
        first.evaluate(store)
        forget(context, first, {origin_of(site_server)})
        assert first.is_closed()
        after = context.new_page()
        after.goto(site_server + "/")
        assert after.evaluate(stored) == [None, None, ""]
        # A test that changes a tab (here: a route) leaves it to be closed, not kept.
        noted = note_changes(context.new_page())
        assert not noted.changed
        noted.goto(site_server + "/")
        assert not noted.changed
        noted.route("**/*.js", lambda route: route.abort())
        assert noted.changed
    finally:
        context.close()
