"""The one table of page kinds: the URL each kind of page lives at and the file that serves it.

Render, check, explain, the index stage and the writer all read this table, so a URL and its
output path are decided here and nowhere else. URLs are clean (`/bin-collections/maidstone/`)
and served from `<url>/index.html`; a few files keep their own names (`/404.html`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

# kind -> URL pattern; `{name}` parts are slugs.
PATTERNS: dict[str, str] = {
    "home": "/",
    "councils": "/councils/",
    "not-found": "/404.html",
    "search": "/search/",
    "status": "/status/",
    "topic": "/{topic}/",
    "common": "/{page}/",
    "hub": "/councils/{council}/",
    "council-topic": "/{topic}/{council}/",
    "status-council": "/status/{council}/",
    "variant": "/{page}/{council}/",
    "council-page": "/{page}/{council}/",
}

STATUS_URL = PATTERNS["status"]
COVERAGE_JSON = "status/coverage.json"
SYNONYMS_JSON = "search/synonyms.json"
COUNCIL_PAGES_DIR = "search/councils"
POSTCODES_DIR = "postcodes"
# Folders of generated files that no page is rendered at, and that search engines need not crawl.
NOT_INDEXED = ("search/", "status/")


@dataclass(frozen=True)
class Route:
    """One page of a site: its kind and the slugs that fill the kind's pattern."""

    kind: str
    topic: str = ""
    page: str = ""
    council: str = ""

    @property
    def url(self) -> str:
        return url(self.kind, topic=self.topic, page=self.page, council=self.council)

    @property
    def path(self) -> str:
        return output_path(self.url)


def url(kind: str, **parts: str) -> str:
    """Return the URL of a page of `kind`: url("variant", page="bins", council="kent") -> "/bins/kent/"."""
    return PATTERNS[kind].format(**parts)


def output_path(address: str) -> str:
    """Return the output file a URL is served from: `/bins/maidstone/` -> `bins/maidstone/index.html`."""
    path = urlsplit(address).path or "/"
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        return rel + "index.html"
    last = rel.rsplit("/", 1)[-1]
    return rel if "." in last else rel + "/index.html"


def url_of(path: str) -> str:
    """Return the URL an output file is served at: `bins/maidstone/index.html` -> `/bins/maidstone/`."""
    if path == "index.html" or path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def target_of(href: str) -> str | None:
    """Return the output path an internal href points to, or None for external links."""
    if not href.startswith("/") or href.startswith("//"):
        return None
    path = href.lstrip("/")
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path


def resolves(target: str, existing: set[str] | frozenset[str]) -> bool:
    """Say whether an output path (from `target_of`) names a file in `existing`, as a folder or a file."""
    return target in existing or f"{target}/index.html" in existing
