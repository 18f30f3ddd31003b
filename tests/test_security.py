"""Security: escaping, the content sandbox, sanitised council HTML, safe names and paths, and a
Content-Security-Policy that the built pages obey in a real browser.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from localgov.build.write import Staging
from localgov.cli import main
from localgov.errors import LocalgovError
from localgov.index.cdn import CSP
from localgov.render.layouts import layout_environment
from localgov.sandbox import content_environment
from tests.browser import HeaderRule, headers_for, page_types, parse_headers, sample_pages
from tests.conftest import COUNCILS, BuiltSite, MakeSite
from tests.helpers import tree_digest

NewPage = Callable[..., Any]


def build(root: Path, *args: str) -> int:
    return main(["--root", str(root), "build", *args])


def html_of(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((root / "build").rglob("*.html")))


def council_yaml(slug: str, extra: str = "", **changes: str) -> str:
    """Return a test council's council.yaml with some top-level fields replaced, and `extra` YAML added."""
    text = "\n".join(line.removeprefix("        ") for line in COUNCILS[slug].strip("\n").split("\n"))
    for key, value in changes.items():
        text = re.sub(rf"(?m)^{key}:.*$", f"{key}: {value}".replace("\\", "\\\\"), text)
    return text + "\n" + extra


def alert(body: str, title: str = "Late") -> str:
    indented = "\n".join("      " + line for line in body.split("\n"))
    return f"alerts:\n  - title: {title!r}\n    body: |\n{indented}\n    start: 2026-11-01\n    end: 2026-12-31\n"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """Return every element of `html` as (tag, attributes): what a browser would build, not what text says."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


# -- escaping ------------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_layouts_autoescape(make_site: MakeSite) -> None:
    assert layout_environment(make_site()).autoescape is True
    assert content_environment().autoescape is True


def test_text_from_every_source_is_escaped_in_pages(make_site: MakeSite) -> None:
    root = make_site({
        "councils/medway/council.yaml": council_yaml("medway", name=f"'Medway {HOSTILE}'",
                                                     short_name=f"'Medway {HOSTILE}'"),
        "content/schools/_topic.yaml": f"title: 'Schools {HOSTILE}'\nsummary: 'Places {HOSTILE}'\norder: 2\n",
        "content/schools/apply-for-a-school-place.md":
            f"---\ntitle: 'Apply {HOSTILE}'\nsummary: 'Apply now {HOSTILE}'\nprovider: upper\n---\n"
            "Apply to {{ council.name }}.\n",
    })
    assert build(root) == 0
    pages = html_of(root)
    assert ("Medway &lt;script&gt;alert(" in pages and "Apply &lt;script&gt;" in pages
            and "Schools &lt;script&gt;" in pages)
    found = elements(pages)
    assert not [tag for tag, attributes in found if tag == "img" or (tag == "script" and "src" not in attributes)]
    assert not [name for _, attributes in found for name in attributes if name.startswith("on")]


# -- the sandbox ---------------------------------------------------------------------------------

ESCAPES = [
    "{{ council.__class__ }}",
    "{{ council._council.contact }}",
    "{{ council.link.__globals__ }}",
    "{{ council.__init__.__globals__['os'] }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ council.name.__class__.__base__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__ }}",
    "{{ range(10) | list }}",
    "{{ config }}",
    "{{ self.__dict__ }}",
    "{{ council.name | safe }}",
    "{{ council.name | attr('__class__') }}",
    "{{ '%s' | format(council) }}",
    "{% autoescape false %}{{ council.name }}{% endautoescape %}",
    "{% include '/etc/passwd' %}",
    "{% import 'base.html' as b %}",
    "{% extends 'base.html' %}",
]


# Gaps found by these tests in code outside the test suite: case -> what is wrong, and where. Each such case
# is expected to fail until its gap is closed (strict: a fix makes it pass, and its entry must then go).
CONTENT_GAPS: dict[str, str] = {}
COUNCIL_GAPS: dict[str, str] = {**CONTENT_GAPS}


def with_gaps(cases: list[str], gaps: dict[str, str]) -> list[Any]:
    return [pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=gaps[case])) if case in gaps else case
            for case in cases]


@pytest.mark.parametrize("attempt", with_gaps(ESCAPES, CONTENT_GAPS))
def test_content_templates_are_sandboxed(built_site: BuiltSite, make_site: MakeSite, attempt: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = built_site()
    before = tree_digest(root / "build")
    capsys.readouterr()
    make_site({"content/schools/apply-for-a-school-place.md":
               "---\ntitle: Apply\nsummary: Apply now.\nprovider: upper\n---\n"
               f"Apply to {{{{ council.name }}}}.\n\n{attempt}\n"})
    assert build(root) == 1, f"{attempt} was allowed"
    err = capsys.readouterr().err
    assert "apply-for-a-school-place.md" in err and "Traceback" not in err, err
    assert tree_digest(root / "build") == before


@pytest.mark.parametrize("attempt", with_gaps(ESCAPES, COUNCIL_GAPS))
def test_council_templates_are_sandboxed(built_site: BuiltSite, make_site: MakeSite, attempt: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = built_site()
    before = tree_digest(root / "build")
    capsys.readouterr()
    make_site({"councils/maidstone/rubbish-and-recycling/bin-collections.md":
               f"---\nafter: {{what-goes: own}}\n---\n## Our bins {{#own}}\n\n"
               f"{{{{ council.name }}}} bins. {attempt}\n"})
    assert build(root) == 1, f"{attempt} was allowed in a council file"
    err = capsys.readouterr().err
    assert "councils/maidstone/rubbish-and-recycling/bin-collections.md" in err and "Traceback" not in err, err
    assert tree_digest(root / "build") == before


def test_alerts_are_not_templates(make_site: MakeSite) -> None:
    root = make_site({"councils/medway/council.yaml": council_yaml(
        "medway", alert("Closed {{ 7 * 7 }} {% raw %}", title="Closed {{ council.__class__ }}"))})
    assert build(root) == 0
    page = (root / "build" / "bin-collections" / "medway" / "index.html").read_text(encoding="utf-8")
    assert "Closed {{ council.__class__ }}" in page and "Closed {{ 7 * 7 }}" in page
    assert "Closed 49" not in page and "class 'localgov" not in page


# -- contributed HTML ----------------------------------------------------------------------------

UNSAFE_HTML = [
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">Pay</a>',
    '<a href="JaVaScRiPt:alert(1)">Pay</a>',
    '<a href="data:text/html,<script>alert(1)</script>">Pay</a>',
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)">Hello</p>',
    '<iframe src="https://example.com/"></iframe>',
    '<form action="https://example.com/"><input name="card"></form>',
    '<svg><script>alert(1)</script></svg>',
    '<style>body{display:none}</style>',
    '<p style="background:url(javascript:alert(1))">Hi</p>',
    '<object data="x.swf"></object>',
    '<meta http-equiv="refresh" content="0;url=https://example.com/">',
    '<base href="https://example.com/">',
]
UNSAFE_MARKERS = re.compile(r"<script|javascript:|onerror|onclick|<iframe|<form|<svg|<style|style=|<object|<meta http"
                            r"|<base |data:text", re.IGNORECASE)


# The site's own forms, from its templates: the search box in the header and the feedback at the foot of each page.
SITE_FORMS = re.compile(r'<form class="lg-header-search__form".*?</form>|<section class="lg-feedback".*?</section>',
                        re.DOTALL)


def visible_body(page: str) -> str:
    """Return a page's body before the footer, without the site's own module script and forms."""
    body = page[page.index("<body"):page.index("<footer")]
    return SITE_FORMS.sub("", re.sub(r'<script type="module" src="/assets/[^"]+"></script>', "", body))


@pytest.mark.parametrize("unsafe", UNSAFE_HTML)
def test_html_in_council_alerts_is_sanitised(make_site: MakeSite, unsafe: str) -> None:
    root = make_site({"councils/medway/council.yaml": council_yaml(
        "medway", alert(f"Collections are late. {unsafe} Sorry."))})
    # An alert with unsafe HTML is either refused (exit 1) or shown without it.
    if build(root) != 0:
        return
    page = (root / "build" / "bin-collections" / "medway" / "index.html").read_text(encoding="utf-8")
    assert "Collections are late." in page
    body = visible_body(page)
    unsafe_match = UNSAFE_MARKERS.search(body)
    assert unsafe_match is None, body[unsafe_match.start() - 200:][:400]


@pytest.mark.parametrize("unsafe", UNSAFE_HTML)
def test_html_in_council_files_is_refused_or_removed(
    make_site: MakeSite, unsafe: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site({"councils/maidstone/rubbish-and-recycling/bin-collections.md":
                      f"---\nafter: {{what-goes: own}}\n---\n## Our bins {{#own}}\n\nWe collect weekly. {unsafe}\n"})
    code = build(root)
    err = capsys.readouterr().err
    if code != 0:
        assert "councils/maidstone/rubbish-and-recycling/bin-collections.md" in err and "Traceback" not in err
        return
    page = (root / "build" / "bin-collections" / "maidstone" / "index.html").read_text(encoding="utf-8")
    assert "We collect weekly." in page
    body = visible_body(page)
    unsafe_match = UNSAFE_MARKERS.search(body)
    assert unsafe_match is None, body[unsafe_match.start() - 200:][:400]


# -- names and paths -----------------------------------------------------------------------------

BAD_NAMES = {
    "a council folder that is not a slug": ("councils/Kent County/council.yaml", COUNCILS["kent"]),
    "a council folder with an underscore": ("councils/kent_county/council.yaml", COUNCILS["kent"]),
    "a page with capitals and spaces": ("content/schools/School Places.md",
                                        "---\ntitle: T\nsummary: S\nprovider: upper\n---\nB\n"),
    "a page named like a reserved path": ("content/schools/assets.md",
                                          "---\ntitle: T\nsummary: S\nprovider: upper\n---\nB\n"),
    "a topic named like a reserved path": ("content/councils/_topic.yaml", "title: T\nsummary: S\n"),
    "a page with dots": ("content/schools/..hidden-page.md", "---\ntitle: T\nsummary: S\nprovider: upper\n---\nB\n"),
}


@pytest.mark.parametrize("case", sorted(BAD_NAMES))
def test_names_that_are_not_slugs_are_refused(
    make_site: MakeSite, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rel, text = BAD_NAMES[case]
    root = make_site({rel: text})
    code = build(root)
    err = capsys.readouterr().err
    assert code == 1, f"{case} was accepted"
    assert "Traceback" not in err and ("slug" in err or "reserved" in err or "not a" in err), err


def outside_file(tmp_path: Path, text: str) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    path = outside / "secret.txt"
    path.write_text(text, encoding="utf-8")
    return path


SECRET = "OUTSIDE-THE-SITE-7f3a"
PAGE = f"---\ntitle: Secret\nsummary: {SECRET}\nprovider: upper\n---\n{SECRET}\n"
LINKS: dict[str, tuple[str, str, bool]] = {
    # case: (link inside the site, what the outside target holds, whether the target is a folder)
    "a page": ("content/schools/secret.md", PAGE, False),
    "a topic folder": ("content/secrets", "title: Secrets\nsummary: S\n", True),
    "a topic file": ("content/schools/_topic.yaml", f"title: Schools\nsummary: {SECRET}\n", False),
    "the synonyms": ("content/_synonyms.yaml", f"- [bins, {SECRET.lower()}]\n", False),
    "site.yaml": ("site.yaml", f"name: {SECRET}\nbase_url: https://test.example\npostcodes: none\n", False),
    "a council folder": ("councils/secretshire", council_yaml("kent", name=SECRET), True),
    "a council.yaml": ("councils/medway/council.yaml", council_yaml("medway", short_name=SECRET), False),
    "a council file": ("councils/maidstone/rubbish-and-recycling/bin-collections.md",
                       f"---\nafter: {{what-goes: own}}\n---\n## Own {{#own}}\n\n{SECRET}\n", False),
    "a template": ("templates/partials/page_meta.html", SECRET, False),
    "a static file": ("templates/static/secret.css", f"/* {SECRET} */", False),
    "the templates folder": ("templates", SECRET, True),
}


LINK_GAPS: dict[str, str] = {}


@pytest.mark.parametrize("case", with_gaps(sorted(LINKS), LINK_GAPS))
def test_links_out_of_the_source_tree_are_refused(
    make_site: MakeSite, tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rel, text, is_folder = LINKS[case]
    root = make_site()
    target = tmp_path / "outside" / "target"
    if is_folder:
        target.mkdir(parents=True)
        if rel.startswith("content/"):
            (target / "_topic.yaml").write_text(text, encoding="utf-8")
            (target / "secret.md").write_text(PAGE, encoding="utf-8")
        elif rel.startswith("councils/"):
            (target / "council.yaml").write_text(text, encoding="utf-8")
        else:
            (target / "partials").mkdir()
            (target / "partials" / "page_meta.html").write_text(SECRET, encoding="utf-8")
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    link = root / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists():
        link.unlink()
    link.symlink_to(target, target_is_directory=is_folder)
    code = build(root)
    err = capsys.readouterr().err
    built = root / "build"
    leaked = ([p for p in built.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
              if built.exists() else [])
    assert not leaked, f"{case}: content from outside the site was published in {leaked[:3]}"
    assert code == 1, f"{case}: a link out of the site was followed silently"
    assert "link" in err and "Traceback" not in err, err


def test_the_writer_refuses_paths_outside_the_output(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "build")
    try:
        for rel in ("../escape.html", "/etc/escape.html", "a/../../escape.html", ""):
            with pytest.raises(LocalgovError):
                staging.write(rel, b"x", "test")
    finally:
        staging.abandon()
    assert not (tmp_path / "escape.html").exists()


# -- the Content-Security-Policy -----------------------------------------------------------------


def directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def test_the_policy_allows_no_inline_script_or_style() -> None:
    policy = directives(CSP)
    for name in ("script-src", "style-src"):
        sources = policy.get(name, policy["default-src"])
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, name
        assert not any(s in ("*", "data:", "http:", "https:", "blob:") for s in sources), name
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]


def test_the_headers_file_sends_the_policy_everywhere(demo_site: Path) -> None:
    rules = parse_headers((demo_site / "_headers").read_text(encoding="utf-8"))
    for path in ("/", "/bin-collections/maidstone/", "/assets/localgov.css", "/postcodes/ME15.json", "/no-such/"):
        sent = dict(headers_for(rules, path))
        assert sent.get("Content-Security-Policy") == CSP, path
        assert sent.get("X-Content-Type-Options") == "nosniff", path


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def test_pages_have_no_inline_script_handlers_or_styles(demo_site: Path) -> None:
    problems = []
    for path in sample_pages(demo_site):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(demo_site).as_posix()
        for name, pattern in (("inline script", INLINE_SCRIPT), ("event handler", HANDLER),
                              ("style attribute", STYLE_ATTRIBUTE), ("<style>", re.compile(r"<style", re.IGNORECASE)),
                              ("javascript: URL", re.compile(r"javascript:", re.IGNORECASE))):
            match = pattern.search(text)
            if match:
                problems.append(f"{rel}: {name}: {text[match.start():match.start() + 80]!r}")
    assert not problems, "\n".join(problems[:30])


REPORT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} \
at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture(scope="module")
def csp_server(demo_site: Path, serve_folder: Callable[..., str]) -> str:
    """Serve the demo site with the headers of its `_headers` file, as the CDN will."""
    rules = parse_headers((demo_site / "_headers").read_text(encoding="utf-8"))
    assert any(h[0] == "Content-Security-Policy" for rule in rules for h in rule.headers)
    return serve_folder(demo_site, rules)


def csp_page(new_page: NewPage, **options: Any) -> Any:
    page = new_page(**options)
    page.add_init_script(REPORT_VIOLATIONS)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    page.csp_console = messages
    return page


SETTLE_MS = 200  # violation events are queued as tasks: how long to let them arrive after a page has loaded


def violations(page: Any, *, settle: bool = True) -> list[str]:
    """Return what the policy blocked on `page`, first waiting SETTLE_MS unless the caller has waited already."""
    if settle:
        page.wait_for_timeout(SETTLE_MS)
    return list(page.evaluate("() => window.__violations")) + list(page.csp_console)


POOL = 4  # pages the page types take turns in: a page made costs a browser about three loads into a kept one


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_page_type_obeys_the_policy(csp_server: str, demo_site: Path, new_page: NewPage, viewport: str) -> None:
    # The page types take turns in a few pages. Before a page loads the next type, the last one it loaded has
    # had at least SETTLE_MS for its violation events (waiting for what is left of it), and what it found is
    # read; after the last loads, one wait covers every page still loaded.
    pool: list[tuple[Any, str, float] | None] = [None] * POOL
    found: list[str] = []
    errors: list[str] = []

    def read(page: Any, url: str, loaded: float) -> None:
        left = SETTLE_MS / 1000 - (time.monotonic() - loaded)
        if left > 0:
            page.wait_for_timeout(left * 1000)
        found.extend(f"{url}: {v}" for v in violations(page, settle=False))
        if page.errors:
            errors.append(f"{url}: {page.errors}")
        page.csp_console.clear()
        page.errors.items.clear()

    types = [(name, url) for name, url in sorted(page_types().items())
             if name != "status" or (demo_site / "status" / "index.html").is_file()]
    for number, (_, url) in enumerate(types):
        slot = number % POOL
        turn = pool[slot]
        if turn is None:
            page = csp_page(new_page, viewport=viewport)
        else:
            page = turn[0]
            read(*turn)
        response = page.goto(csp_server + url)
        assert response is not None and "content-security-policy" in response.headers
        assert page.evaluate("() => document.body.classList.contains('js-enabled')"), (
            f"{url}: the site's script did not run")
        pool[slot] = (page, url, time.monotonic())
    for turn in pool:
        if turn is not None:
            read(*turn)
    assert len(types) > POOL
    assert not found, "\n".join(found)
    assert not errors, "\n".join(errors)


@pytest.mark.browser
def test_the_journeys_obey_the_policy(csp_server: str, new_page: NewPage) -> None:
    page = csp_page(new_page, viewport="phone")
    page.goto(csp_server + "/bin-collections/")
    form = page.locator("main form:has(input[name='postcode'])").first
    form.locator("input[name='postcode']").fill("nonsense")
    form.get_by_role("button", name="Find your council").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    form.locator("input[name='postcode']").fill("ME15 6JQ")
    form.get_by_role("button", name="Find your council").click()
    page.wait_for_url("**/bin-collections/maidstone/")
    found = violations(page)
    page.goto(csp_server + "/search/")
    box = page.locator("main").get_by_role("searchbox")
    box.fill("bin day")
    box.press("Enter")
    page.locator("main a[href^='/bin-collections/']").first.wait_for(state="visible")
    found += violations(page)
    page.goto(csp_server + "/")
    page.locator("header").get_by_role("button", name="Menu").click()
    found += violations(page)
    assert not found, "\n".join(found)
    assert not page.errors, str(page.errors)


@pytest.mark.browser
def test_the_policy_check_catches_inline_script(
    tmp_path: Path, serve_folder: Callable[..., str], new_page: NewPage
) -> None:
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p style="color:red">x</p>'
        "<script>document.title = 'ran'</script></body></html>", encoding="utf-8")
    url = serve_folder(tmp_path, [HeaderRule("/*", (("Content-Security-Policy", CSP),))])
    page = csp_page(new_page)
    page.goto(url + "/")
    found = violations(page)
    assert page.title() == "t", "the inline script ran despite the policy"
    assert any("script-src" in v for v in found) and any("style-src" in v for v in found), found


@pytest.mark.browser
def test_search_results_show_titles_as_text(make_site: MakeSite, serve_folder: Callable[..., str],
                                            new_page: NewPage) -> None:
    hostile = "<img src=x onerror=window.__pwned=1>"
    root = make_site({"content/rubbish-and-recycling/bin-collections.md":
                      f"---\ntitle: 'Bin collections {hostile}'\nsummary: 'When bins go {hostile}'\nprovider: lower\n"
                      "keywords: [bin day]\n---\n{{ council.name }} collects your bins.\n"})
    assert build(root) == 0
    url = serve_folder(root / "build")
    page = new_page()
    page.goto(url + "/search/?q=bin+collections")
    result = page.locator("main a[href^='/bin-collections/']").first
    result.wait_for(state="visible")
    assert hostile in page.locator("main").inner_text()
    assert page.locator("main img").count() == 0
    assert page.evaluate("() => window.__pwned") is None
