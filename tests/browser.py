"""Helpers for tests that drive Debian's Chromium (through Playwright) against a built site.

No browser is ever downloaded: Playwright launches the system Chromium at `CHROMIUM`.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localgov.commands.serve import SiteHandler, make_server
from localgov.load.frontmatter import read_document

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("LOCALGOV_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS: dict[str, dict[str, int]] = {
    "phone": {"width": 320, "height": 640},  # WCAG 1.4.10: content reflows at 320 CSS pixels
    "desktop": {"width": 1280, "height": 900},
}
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_missing() -> str | None:
    """Return why browser tests cannot run here, or None when they can."""
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (install Debian's chromium: make browser)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed (pip install -e '.[test]')"
    return None


# -- serving a built folder -------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderRule:
    """One block of a Netlify/Cloudflare `_headers` file: a path pattern and its headers."""

    pattern: str
    headers: tuple[tuple[str, str], ...]

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.pattern)


def parse_headers(text: str) -> list[HeaderRule]:
    """Parse a `_headers` file: unindented lines are path patterns, indented `Name: value` lines their headers."""
    rules: list[HeaderRule] = []
    pattern: str | None = None
    headers: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            if pattern is not None:
                rules.append(HeaderRule(pattern, tuple(headers)))
            pattern, headers = line.strip(), []
            continue
        name, colon, value = line.strip().partition(":")
        if pattern is None or not colon or not name.strip():
            raise ValueError(f"_headers:{number}: expected 'Name: value' under a path, got {line!r}")
        headers.append((name.strip(), value.strip()))
    if pattern is not None:
        rules.append(HeaderRule(pattern, tuple(headers)))
    return rules


def headers_for(rules: list[HeaderRule], path: str) -> list[tuple[str, str]]:
    """Return the headers a CDN would add to a response for `path` (every matching rule, in order)."""
    found: list[tuple[str, str]] = []
    for rule in rules:
        if rule.matches(path):
            found.extend(rule.headers)
    return found


class HeaderSiteHandler(SiteHandler):
    """The site handler plus the headers of a `_headers` file, as a CDN would send them."""

    def __init__(self, *args: Any, rules: list[HeaderRule], **kwargs: Any) -> None:
        self.rules = rules
        super().__init__(*args, **kwargs)

    def end_headers(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        for name, value in headers_for(self.rules, path):
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(folder: Path, rules: list[HeaderRule] | None = None) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 on a free port in a background thread; yield its base URL."""
    server = make_server(folder, "127.0.0.1", 0)
    if rules is not None:
        server.RequestHandlerClass = functools.partial(HeaderSiteHandler, directory=str(folder), rules=rules)
    thread = threading.Thread(target=server.serve_forever, name=f"serve {folder.name}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# -- watching a page --------------------------------------------------------------------------


@dataclass
class PageErrors:
    """JavaScript errors, console errors and failed requests seen by one page."""

    items: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __str__(self) -> str:
        return "\n".join(self.items)


def watch_errors(page: Page) -> PageErrors:
    """Collect uncaught exceptions, console errors and failed subresources of `page`.

    A page that is itself a 404 (asked for on purpose) is not an error; a stylesheet, script,
    image or fetch that fails is.
    """
    errors = PageErrors()

    def on_console(message: Any) -> None:
        # Chromium logs every failed load without its URL; `on_response` reports those with it.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.items.append(f"console error: {message.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            errors.items.append(f"HTTP {response.status}: {response.request.resource_type} {response.url}")

    def on_failed(request: Any) -> None:
        # Leaving a page aborts what it was still loading; that is not the site's fault.
        if request.failure != "net::ERR_ABORTED":
            errors.items.append(f"request failed: {request.url} {request.failure}")

    page.on("pageerror", lambda exc: errors.items.append(f"uncaught: {exc}"))
    page.on("console", on_console)
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    return errors


# -- axe-core ---------------------------------------------------------------------------------


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core with the WCAG 2.2 A and AA rules on the page (or the `context` selector); return violations.

    axe-core is fetched from where the `new_page` fixture says it is served (`page.axe_script`), rather than
    sent inline through Playwright: half a megabyte less to pass to every page.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=page.axe_script)  # type: ignore[attr-defined]
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate(
        "async ([context, options]) => "
        "await window.axe.run(context ? document.querySelector(context) : document, options)",
        [context, options],
    )
    return list(result["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Say what axe found, one line per rule with the first few offending elements."""
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ") if violation["nodes"] else ""
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}; {summary}")
    return "\n".join(lines)


# -- reading HTML -----------------------------------------------------------------------------


@dataclass
class Link:
    href: str
    text: str


class _Outline(HTMLParser):
    """Gather headings, links and the first focusable element of a page, as a screen reader would meet them."""

    HEADING = re.compile(r"^h([1-6])$")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str]] = []
        self.links: list[Link] = []
        self.first_focusable: dict[str, str] | None = None
        self.lang: str | None = None
        self._heading: tuple[int, list[str]] | None = None
        self._link: tuple[str, list[str]] | None = None
        self._hidden_depth = 0
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag in ("a", "button", "input", "select", "textarea", "summary") and self.first_focusable is None:
            self.first_focusable = {"tag": tag, **attributes}
        if tag in {"br", "img", "input", "link", "meta", "hr", "wbr", "source", "path"}:
            return
        aria_hidden = attributes.get("aria-hidden") == "true" or tag in ("svg", "script", "style", "template")
        self._stack.append((tag, aria_hidden))
        match = self.HEADING.match(tag)
        if match:
            self._heading = (int(match.group(1)), [])
        if tag == "a" and "href" in attributes:
            self._link = (attributes["href"], [])

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break
        if self._heading and self.HEADING.match(tag):
            self.headings.append((self._heading[0], " ".join("".join(self._heading[1]).split())))
            self._heading = None
        if tag == "a" and self._link:
            self.links.append(Link(self._link[0], " ".join("".join(self._link[1]).split())))
            self._link = None

    def handle_data(self, data: str) -> None:
        if any(hidden for _, hidden in self._stack):
            return
        if self._heading:
            self._heading[1].append(data)
        if self._link:
            self._link[1].append(data)


def outline(html: str) -> _Outline:
    """Return the headings, links, language and first focusable element of an HTML page."""
    parser = _Outline()
    parser.feed(html)
    parser.close()
    return parser


def heading_problems(headings: list[tuple[int, str]]) -> list[str]:
    """Say where headings skip a level or the page lacks exactly one h1 first."""
    problems = []
    levels = [level for level, _ in headings]
    if levels.count(1) != 1:
        problems.append(f"expected exactly one h1, found {levels.count(1)}")
    # Headings before the h1 are allowed: GOV.UK puts notification banners (an h2 title) just above it.
    previous = 0
    for level, text in headings:
        if level > previous + 1 and previous:
            problems.append(f"h{level} {text!r} follows h{previous}: a level is skipped")
        previous = level
    for level, text in headings:
        if not text:
            problems.append(f"an empty h{level}")
    return problems


VAGUE_LINK_TEXT = frozenset(
    {"click here", "here", "more", "read more", "more info", "more information", "link", "this link", "click",
     "find out more", "learn more", "this page", "continue", "go"}
)


def link_text_problems(links: list[Link]) -> list[str]:
    """Say which links make no sense out of context: vague words, or one text leading to different places."""
    problems = []
    targets: dict[str, set[str]] = {}
    for link in links:
        text = link.text.strip().rstrip(".").lower()
        if not text:
            problems.append(f"a link to {link.href} has no text")
            continue
        if text in VAGUE_LINK_TEXT:
            problems.append(f"link text {link.text!r} (to {link.href}) does not say where it goes")
        targets.setdefault(text, set()).add(link.href)
    for text, hrefs in sorted(targets.items()):
        if len(hrefs) > 1:
            problems.append(f"link text {text!r} leads to different places: {sorted(hrefs)}")
    return problems


# -- the demo site's pages of each kind ---------------------------------------------------------

MISSING_PAGE = "/no-such-page/"


@functools.cache
def page_types() -> dict[str, str]:
    """Return a URL of the demo site for every kind of page, picked from the site's own content."""
    by_provider: dict[str, str] = {}
    elsewhere = None
    for path in sorted((REPO / "content").glob("*/*.md")):
        if path.name.endswith(".cy.md"):
            continue  # a Welsh translation
        meta = read_document(path.read_text(encoding="utf-8")).meta.data
        by_provider.setdefault(str(meta.get("provider")), path.stem)
        if meta.get("provided_elsewhere") and elsewhere is None:
            elsewhere = path.stem
    topic = min(p.parent.name for p in (REPO / "content").glob("*/_topic.yaml"))
    urls = {
        "home": "/",
        "topic": f"/{topic}/",
        "A to Z of councils": "/councils/",
        "search": "/search/",
        "page not found": MISSING_PAGE,
        "hub, two-tier district": "/councils/maidstone/",
        "hub, county": "/councils/kent/",
        "hub, unitary": "/councils/medway/",
        "hub, Wales": "/councils/cardiff/",
        "hub, Northern Ireland": "/councils/belfast/",
        "status": "/status/",
        "help": "/help/",
        "privacy notice": "/privacy/",
        "cookies": "/cookies/",
        "accessibility statement": "/accessibility/",
        "contact": "/contact/",
        "terms and conditions": "/terms/",
        "sitemap": "/sitemap/",
        "service status": "/service-status/",
        "service status, council": "/councils/maidstone/status/",
        "open data": "/api/",
    }
    councils = {"lower": "maidstone", "upper": "kent", "all": "maidstone"}
    for provider, slug in sorted(by_provider.items()):
        urls[f"common page, {provider} tier"] = f"/{slug}/"
        if provider in councils:
            urls[f"variant, {provider} tier"] = f"/{slug}/{councils[provider]}/"
    if elsewhere:
        urls["common page, provided elsewhere"] = f"/{elsewhere}/"
    urls["variant, Northern Ireland"] = "/bin-collections/belfast/"
    return urls


def built(site: Path, url: str) -> Path:
    return site / "404.html" if url == MISSING_PAGE else site / url.strip("/") / "index.html"


def existing(site: Path, name: str) -> str:
    """Return the URL of a page type, skipping the test for a status page the site does not have."""
    import pytest

    url = page_types()[name]
    if name == "status" and not built(site, url).is_file():
        pytest.skip("the site has no status page")
    assert built(site, url).is_file(), f"the demo site has no {name} page at {url}"
    return url


@functools.cache
def sample_pages(site: Path) -> tuple[Path, ...]:
    """Every page that is not a variant, and every variant of a few councils of each kind.

    Kept for each folder: only a built site that does not change is sampled (the demo site).
    """
    pages = [p for p in site.rglob("index.html") if p.parent.parent == site or p.parent.parent.name == "councils"]
    pages += [site / "404.html", site / "index.html"]
    for council in ("maidstone", "kent", "medway", "cardiff", "glasgow", "belfast", "westminster"):
        pages += list(site.glob(f"*/{council}/index.html"))
    return tuple(sorted(set(pages)))
