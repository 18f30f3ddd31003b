"""The postcode journey in Chromium: from a postcode, as residents type it, to the right page or a clear message."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import re
import string
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from localgov.cli import main
from localgov.model import SiteConfig
from localgov.postcodes.lookup import normalise
from localgov.render.layouts import layout_environment
from tests.conftest import DEFAULT_FILES, REPO, write_files

pytestmark = pytest.mark.browser

NewPage = Callable[..., Any]
AREA_KEY = "localgov:area"


def path_of(page: Any) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def submit(page: Any, typed: str) -> None:
    """Type into the page's postcode form as a resident would, and press the button."""
    form = page.locator("main form.lg-postcode-form")
    form.locator("input[name='postcode']").fill(typed)
    form.get_by_role("button", name="Find your council").click()


def stored_area(page: Any) -> Any:
    return json.loads(page.evaluate(f"() => localStorage.getItem({AREA_KEY!r})") or "null")


def cli_area(postcode: str, root: Path = REPO) -> dict[str, Any]:
    """Ask `localgov postcode --json` (the Python lookup) which councils serve a postcode."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["--root", str(root), "postcode", "--json", postcode])
    return dict(json.loads(out.getvalue()))


def expected_area(postcode: str, root: Path = REPO) -> dict[str, Any]:
    answer = cli_area(postcode, root)
    tiers = {c["tier"]: c["slug"] for c in answer["councils"]}
    return {"lower": tiers.get("lower") or tiers.get("unitary"), "county": tiers.get("upper"),
            "postcode": answer["postcode"]}


def message_of(page: Any) -> Any:
    """Wait for the message the journey shows beside the form, and return it."""
    banner = page.locator("main .lg-postcode-message")
    banner.wait_for(state="visible")
    return banner


def assert_focused(page: Any, selector: str) -> None:
    assert page.evaluate(f"() => document.activeElement.closest({selector!r}) !== null"), \
        f"focus is on {page.evaluate('() => document.activeElement.outerHTML.slice(0, 120)')}"


def assert_clean(page: Any, allow: str | None = None) -> None:
    """No script errors; `allow` is a pattern of expected console noise (a 404 for a missing shard)."""
    errors = [e for e in page.errors.items if not (allow and re.search(allow, e))]
    assert not errors, "\n".join(errors)


# --- to the right page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "typed", "destination"),
    [
        # Two-tier England: the district collects the bins, the county runs schools; "all" pages go to the district.
        ("/bin-collections/", "me156jq", "/bin-collections/maidstone/"),
        ("/apply-for-a-school-place/", " ME15  6JQ ", "/apply-for-a-school-place/kent/"),
        ("/find-your-councillor/", "me15-6jq", "/find-your-councillor/maidstone/"),
        # A unitary council does both tiers.
        ("/report-a-pothole/", "me4 4tr", "/report-a-pothole/medway/"),
        ("/bin-collections/", "Me4 4Tr", "/bin-collections/medway/"),
        # London, Wales, Scotland and Northern Ireland.
        ("/bin-collections/", "sw1a2aa", "/bin-collections/westminster/"),
        ("/report-a-pothole/", "cf101ep", "/report-a-pothole/cardiff/"),
        ("/apply-for-a-school-place/", "eh1 1yz", "/apply-for-a-school-place/edinburgh/"),
        ("/bin-collections/", "BT11AA", "/bin-collections/belfast/"),
        # Away from a service page, the area's hub: both councils in two-tier areas.
        ("/", "me156jq", "/councils/maidstone/"),
        ("/councils/", "g2 1du", "/councils/glasgow/"),
    ],
)
def test_a_postcode_leads_to_the_council_that_provides_the_service(
    site_server: str, new_page: NewPage, start: str, typed: str, destination: str
) -> None:
    page = new_page()
    page.goto(site_server + start)
    submit(page, typed)
    page.wait_for_url(site_server + destination)
    assert page.locator("h1").count() == 1
    # The area is remembered for the search page, and it is the one the Python lookup gives.
    postcode = normalise(typed)
    assert postcode is not None
    assert stored_area(page) == expected_area(postcode)
    assert_clean(page)


def test_the_hub_of_a_two_tier_area_shows_both_councils(site_server: str, new_page: NewPage) -> None:
    page = new_page()
    page.goto(site_server + "/")
    submit(page, "ME15 6JQ")
    page.wait_for_url(site_server + "/councils/maidstone/")
    main_text = page.locator("main").inner_text()
    assert "Maidstone Borough Council and Kent County Council both serve addresses in Maidstone" in main_text
    assert page.get_by_role("heading", name="Who does what").is_visible()
    table = page.locator("main table").inner_text()
    assert "Kent County Council" in table and "Maidstone Borough Council" in table
    page.locator("main").get_by_role("link", name="Apply for a school place").click()
    page.wait_for_url(site_server + "/apply-for-a-school-place/kent/")
    assert_clean(page)


def test_northern_ireland_gets_the_message_for_a_service_its_councils_do_not_provide(
    site_server: str, new_page: NewPage
) -> None:
    page = new_page()
    page.goto(site_server + "/apply-for-a-school-place/")
    submit(page, "bt1 1aa")
    banner = message_of(page)
    assert path_of(page) == "/apply-for-a-school-place/"
    text = banner.inner_text()
    assert "Education Authority provides this service in your area" in text
    # The page's own words for Northern Ireland, and the body's link, shown where the resident is looking.
    inset = page.locator("#elsewhere-northern-ireland").inner_text()
    assert "Education Authority" in inset and inset in text
    body = page.locator("#provider-education-authority")
    assert body.inner_text() in text
    href = body.locator("a").get_attribute("href")
    assert href is not None and href.startswith("https://")
    assert banner.locator(f'a[href="{href}"]').count() == 1
    assert banner.get_attribute("role") == "alert"
    assert_focused(page, ".lg-postcode-message")
    assert banner.get_by_role("link", name="what your councils do").get_attribute("href") == "/councils/belfast/"
    assert stored_area(page) == expected_area("BT1 1AA")
    assert_clean(page)


# --- errors: the GOV.UK pattern ---------------------------------------------------------------------------


class _Tokens(HTMLParser):
    """Tags, attributes and words of an HTML fragment, ignoring whitespace and the marks scripts add."""

    IGNORED = re.compile(r"data-[\w-]+-init|tabindex")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[Any] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append((tag, sorted((k, v) for k, v in attrs if not self.IGNORED.fullmatch(k))))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(f"/{tag}")

    def handle_data(self, data: str) -> None:
        self.tokens.extend(data.split())


def tokens(html: str) -> list[Any]:
    parser = _Tokens()
    parser.feed(html)
    return parser.tokens


def macro_html(error: str, label: str) -> tuple[str, str]:
    """Render the form partial with `form_error`, and govukErrorSummary, the way the build would."""
    env = layout_environment(REPO)
    env.globals["site"] = SiteConfig(root=REPO)
    form = env.get_template("partials/postcode_form.html").render(form_error=error, form_id="postcode",
                                                                  form_label=label)
    group = re.search(r'<div class="govuk-form-group.*?</div>\s*(?=<button)', form, re.DOTALL)
    assert group is not None
    summary = env.from_string(
        '{% from "govuk_frontend_jinja/components/error-summary/macro.html" import govukErrorSummary %}'
        '{{ govukErrorSummary({"titleText": "There is a problem", '
        '"errorList": [{"text": error, "href": "#postcode"}]}) }}'
    ).render(error=error)
    return group.group(0), summary


@pytest.mark.parametrize(("url", "postcode", "body", "name"), [
    ("/recycling-centres/", "M1 1AE", "greater-manchester-combined-authority", "Greater Manchester Combined Authority"),
    ("/recycling-centres/", "L1 8JQ", "merseyside-recycling-and-waste-authority",
     "Merseyside Recycling and Waste Authority"),
    ("/register-to-vote/", "EH1 1YZ", "lothian-valuation-joint-board", "Lothian Valuation Joint Board"),
    ("/council-home-repairs/", "G2 1DY", "wheatley-homes-glasgow", "Wheatley Homes Glasgow"),
], ids=["Manchester's tip", "Liverpool's tip", "Edinburgh's electoral register", "Glasgow's former council homes"])
def test_a_postcode_where_another_body_provides_the_service_leads_to_that_body(
    site_server: str, new_page: NewPage, url: str, postcode: str, body: str, name: str
) -> None:
    page = new_page()
    page.goto(site_server + url)
    submit(page, postcode)
    banner = message_of(page)
    assert path_of(page) == url
    assert f"{name} provides this service in your area" in banner.inner_text()
    href = page.locator(f"#provider-{body} a").get_attribute("href")
    assert href is not None and href.startswith("https://")
    assert banner.locator(f'a[href="{href}"]').count() == 1
    assert stored_area(page) == expected_area(postcode)
    assert_clean(page)


@pytest.mark.parametrize(
    ("start", "typed", "message"),
    [
        ("/bin-collections/", "", "Enter a postcode"),
        ("/", "   ", "Enter a postcode"),
        ("/bin-collections/", "ME15 6J", "Enter a real postcode"),
        ("/councils/", "not a postcode", "Enter a real postcode"),
        ("/apply-for-a-school-place/", "ME15 6JQQ", "Enter a real postcode"),
        ("/bin-collections/", "QE15 6JQ", "Enter a real postcode"),
    ],
)
def test_errors_follow_the_govuk_pattern_with_the_macros_markup(
    site_server: str, new_page: NewPage, start: str, typed: str, message: str
) -> None:
    page = new_page()
    page.goto(site_server + start)
    title = page.title()
    submit(page, typed)
    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")
    assert path_of(page) == start
    assert page.title() == f"Error: {title}"
    # The summary is the first thing in <main>, announced and focused; its link leads to the field.
    assert page.evaluate("() => document.querySelector('main').innerText.trim().startsWith('There is a problem')")
    assert summary.locator("[role=alert]").count() == 1
    assert_focused(page, ".govuk-error-summary")
    # The markup is what govukErrorSummary and govukInput draw for the same error.
    group = page.locator("main form.lg-postcode-form .govuk-form-group")
    group_html, summary_html = macro_html(message, group.locator("label").inner_text().strip())
    assert tokens(group.evaluate("e => e.outerHTML")) == tokens(group_html)
    assert tokens(summary.evaluate("e => e.outerHTML")) == tokens(summary_html)
    summary.get_by_role("link", name=message).click()
    assert page.evaluate("() => document.activeElement.id") == "postcode"
    # Submitting again replaces the error rather than adding another.
    submit(page, typed)
    page.wait_for_function("() => document.activeElement.closest('.govuk-error-summary') !== null")
    assert page.locator(".govuk-error-summary").count() == 1 and page.locator(".govuk-error-message").count() == 1
    assert page.title() == f"Error: {title}"
    assert_clean(page)


def test_a_corrected_postcode_clears_the_error(site_server: str, new_page: NewPage) -> None:
    page = new_page()
    page.goto(site_server + "/bin-collections/")
    title = page.title()
    submit(page, "ME15")
    page.locator(".govuk-error-summary").wait_for(state="visible")
    submit(page, "ME15 9ZZ")  # a real format, not a real postcode: a message, no longer an error
    message_of(page)
    assert page.locator(".govuk-error-summary, .govuk-error-message, .govuk-input--error, "
                        ".govuk-form-group--error").count() == 0
    assert page.title() == title
    assert page.locator("#postcode").get_attribute("aria-describedby") == "postcode-hint"
    submit(page, "me15 6jq")
    page.wait_for_url(site_server + "/bin-collections/maidstone/")
    assert_clean(page)


# --- messages: unknown, no council, terminated, offline -----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "typed", "heading"),
    [
        ("/bin-collections/", "me15 9zz", "We could not find ME15 9ZZ"),  # its outcode exists; the postcode does not
        ("/", "YY1 1AA", "We could not find YY1 1AA"),  # no such outcode, so no shard
    ],
)
def test_an_unknown_postcode_gets_a_message_and_the_a_to_z(
    site_server: str, new_page: NewPage, start: str, typed: str, heading: str
) -> None:
    assert cli_area(typed)["status"] == "unknown"
    page = new_page()
    page.goto(site_server + start)
    submit(page, typed)
    banner = message_of(page)
    assert path_of(page) == start
    assert heading in banner.inner_text() and "Check the postcode" in banner.inner_text()
    assert_focused(page, ".lg-postcode-message")
    assert stored_area(page) is None
    banner.get_by_role("link", name="A to Z of councils").click()
    page.wait_for_url(site_server + "/councils/")
    assert_clean(page, allow=r"404|Not Found")


@pytest.mark.parametrize(
    ("typed", "heading", "says"),
    [
        ("je2 4wd", "JE2 4WD is in Jersey", "Jersey is not part of the UK"),
        ("GY11AA", "GY1 1AA is in Guernsey", "Guernsey is not part of the UK"),
        ("im1 1ad", "IM1 1AD is in the Isle of Man", "The Isle of Man is not part of the UK"),
    ],
)
def test_channel_islands_and_isle_of_man_have_no_council_here(
    site_server: str, new_page: NewPage, typed: str, heading: str, says: str
) -> None:
    assert cli_area(typed)["status"] == "no-council"
    page = new_page()
    page.goto(site_server + "/bin-collections/")
    submit(page, typed)
    text = message_of(page).inner_text()
    assert heading in text and says in text and "A to Z of councils" in text
    assert path_of(page) == "/bin-collections/"
    assert stored_area(page) is None
    assert_clean(page)


def test_a_failed_lookup_says_so_and_the_next_try_works(site_server: str, new_page: NewPage) -> None:
    page = new_page()
    page.goto(site_server + "/bin-collections/")
    page.route("**/postcodes/**", lambda route: route.abort("internetdisconnected"))
    submit(page, "ME15 6JQ")
    text = message_of(page).inner_text()
    assert "Sorry, we could not look up your postcode" in text and "A to Z of councils" in text
    assert path_of(page) == "/bin-collections/"
    page.unroute("**/postcodes/**")
    submit(page, "ME15 6JQ")
    page.wait_for_url(site_server + "/bin-collections/maidstone/")
    assert_clean(page, allow=r"request failed: .*/postcodes/|ERR_INTERNET_DISCONNECTED")


REGISTRY = {"name", "short_name", "gss", "former_gss", "type", "nation", "parent", "website"}


@pytest.fixture(scope="session")
def dated_site(tmp_path_factory: pytest.TempPathFactory, serve_folder: Callable[..., str]) -> tuple[Path, str]:
    """A small site whose postcodes come from the repository's ONSPD extract, which has termination dates.

    The built-in data the demo uses has none, so terminated postcodes are tested here.
    """
    root = tmp_path_factory.mktemp("dated")
    files: dict[str, str | bytes | None] = {name: text for name, text in DEFAULT_FILES.items()
                                            if name.startswith("content/")}
    files["site.yaml"] = f"name: Dated postcodes\npostcodes: {REPO / 'postcodes' / 'demo.csv'}\n"
    write_files(root, files)
    for slug in ("aberdeen", "kent", "maidstone", "tower-hamlets", "southwark"):
        # The registry part only: the demo councils' own data and files name pages this small site lacks.
        lines = (REPO / "councils" / slug / "council.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
        registry = "".join(line for line in lines if line.split(":", 1)[0] in REGISTRY)
        write_files(root, {f"councils/{slug}/council.yaml": registry})
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["--root", str(root), "build"]) == 0
        # `localgov postcode` reads the same file through its own import, to check the browser against.
        assert main(["postcodes", "import", str(REPO / "postcodes" / "demo.csv"), "--root", str(root)]) == 0
    return root, serve_folder(root / "build")


def _terminated_in_demo_csv() -> list[str]:
    with open(REPO / "postcodes" / "demo.csv", encoding="utf-8", newline="") as stream:
        return [row["pcds"] for row in csv.DictReader(stream) if row["doterm"].strip()]


@pytest.mark.parametrize(
    ("start", "typed", "leads_to"),
    [
        ("/bin-collections/", "e10ab", "/bin-collections/tower-hamlets/"),
        ("/", "AB1 0AA", "/councils/aberdeen/"),
    ],
)
def test_a_terminated_postcode_is_said_to_be_no_longer_in_use(
    dated_site: tuple[Path, str], new_page: NewPage, start: str, typed: str, leads_to: str
) -> None:
    root, base = dated_site
    postcode = normalise(typed)
    assert postcode in _terminated_in_demo_csv()
    assert cli_area(typed, root)["status"] == "terminated"
    page = new_page()
    page.goto(base + start)
    submit(page, typed)
    banner = message_of(page)
    text = banner.inner_text()
    assert f"{postcode} is no longer in use" in text and "A to Z of councils" in text
    assert path_of(page) == start
    assert stored_area(page) is None
    banner.get_by_role("link", name="page for the area it used to be in").click()
    page.wait_for_url(base + leads_to)
    assert_clean(page)


# --- the same rules as Python -------------------------------------------------------------------------------


def _typed_variants(rng: random.Random, postcode: str) -> str:
    """Write a postcode the ways people do: any case, no space or several, dashes, spaces around."""
    outward, inward = postcode.split()
    space = rng.choice(["", " ", "  ", "\t", "-", " - ", "\u00a0", "\u2013"])
    text = f"{outward}{space}{inward}"
    text = "".join(c.lower() if rng.random() < 0.5 else c for c in text)
    return rng.choice(["", " ", "\n"]) + text + rng.choice(["", " ", "  "])


def test_the_browser_normalises_postcodes_exactly_as_python_does(site_server: str, new_page: NewPage) -> None:
    rng = random.Random(2025)
    with open(REPO / "postcodes" / "demo.csv", encoding="utf-8", newline="") as stream:
        real = [row["pcds"] for row in csv.DictReader(stream)]
    cases = [_typed_variants(rng, pc) for pc in real for _ in range(20)]
    alphabet = string.ascii_letters + string.digits + " -\t\u00a0\u2010\u2014\u3000é"
    cases += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(20_000)]
    shapes = ["A9 9AA", "A99 9AA", "A9A 9AA", "AA9 9AA", "AA99 9AA", "AA9A 9AA"]
    cases += ["".join(rng.choice(string.ascii_uppercase) if c == "A" else rng.choice(string.digits) if c == "9" else c
                      for c in rng.choice(shapes)) for _ in range(20_000)]
    # Every character of the Basic Multilingual Plane between the outward and inward code (whitespace is dropped).
    cases += [f"ME15{chr(c)}6JQ" for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    cases += ["GIR 0AA", "gir0aa", "", "ME15 6JQ\x1c", "\x85ME156JQ", "\ufeffME156JQ", "ME156JQ\u200b"]

    page = new_page()
    page.goto(site_server + "/")
    module = page.locator("script[type=module]").get_attribute("src")
    got = page.evaluate("async ([url, cases]) => "
                        "{ const m = await import(url); return cases.map(m.normalisePostcode); }",
                        [module, cases])
    wrong = [(case, js, normalise(case)) for case, js in zip(cases, got, strict=True) if js != normalise(case)]
    assert not wrong, f"{len(wrong)} of {len(cases)} differ, e.g. {wrong[:5]}"
    accepted = sum(1 for value in got if value)
    assert accepted > 10_000 and len(cases) - accepted > 10_000  # both kinds are well represented
    assert_clean(page)
