"""The one table of page kinds: the URL each kind of page lives at and the file that serves it.

Render, check, explain, the index stage and the writer all read this table, so a URL and its
output path are decided here and nowhere else. URLs are clean (`/bin-collections/maidstone/`)
and served from `<url>/index.html`; a few files keep their own names (`/404.html`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from localgov.model import Site

# kind -> URL pattern; `{name}` parts are slugs.
PATTERNS: dict[str, str] = {
    "home": "/",
    "councils": "/councils/",
    "not-found": "/404.html",
    "search": "/search/",
    "status": "/status/",
    "help": "/help/",
    "privacy": "/privacy/",
    "cookies": "/cookies/",
    "accessibility": "/accessibility/",
    "contact": "/contact/",
    "terms": "/terms/",
    "sitemap": "/sitemap/",
    "feedback-sent": "/feedback-sent/",
    "service-status": "/service-status/",
    "open-data": "/api/",
    "topic": "/{topic}/",
    "common": "/{page}/",
    "hub": "/councils/{council}/",
    "former-hub": "/councils/{council}/",
    "council-topic": "/{topic}/{council}/",
    "status-council": "/status/{council}/",
    "service-status-council": "/councils/{council}/status/",
    "variant": "/{page}/{council}/",
    "council-page": "/{page}/{council}/",
}

# Languages: English at the root, Welsh under /cy/ (WELSH_PREFIX), each with its `hreflang` and `lang` codes.
LANGUAGES = ("en", "cy")
HREFLANG = {"en": "en-GB", "cy": "cy"}
WELSH_PREFIX = "/cy"
# The kinds of page that have a Welsh version at /cy/<url>, when the site has it (see `routes`).
WELSH_KINDS = frozenset({"home", "councils", "search", "topic", "common", "hub", "council-topic", "variant",
                         "council-page", "service-status", "service-status-council", "help", "privacy", "cookies",
                         "accessibility", "contact", "terms", "sitemap"})

# The pages every public service owes its users, in the order the footer links to them.
STANDARD_KINDS = ("help", "privacy", "cookies", "accessibility", "contact", "terms", "sitemap")
STATUS_URL = PATTERNS["status"]
# Open data: static JSON files under API_DIR, each with a JSON Schema under API_DIR/schemas/; what each holds.
API_DIR = "api/v1"
API_FILES = {
    "councils": "Every principal council the site covers: codes, names, types, tiers, parents, websites and contacts.",
    "bodies": "Bodies that provide council-type services and are not councils, and what they provide where.",
    "services": "Every service page: its LGSL code, the tier of council that provides it, and in which nations.",
    "providers": "Who provides each service in each area (one area per district or unitary council).",
    "links": "Every council's own link for each service.",
}
# The feeds of a service status page, beside it: `/service-status/feed.atom`, `/councils/kent/status/feed.json`.
FEED_NAMES = {"atom": "feed.atom", "json": "feed.json"}
COVERAGE_JSON = "status/coverage.json"
SYNONYMS_JSON = "search/synonyms.json"
COUNCIL_PAGES_DIR = "search/councils"
# Search scopes: a common page; a council's own variant (its slug); a page's text for one nation.
SEARCH_COMMON = "common"
NATION_SCOPE = "nation:"
POSTCODES_DIR = "postcodes"
# Kinds of page that ask search engines not to index them, and that the sitemap leaves out.
# Service status pages change from day to day and have feeds for that: search engines would show them stale.
NOINDEX_KINDS = frozenset({"not-found", "search", "status", "status-council", "former-hub", "feedback-sent",
                           "service-status", "service-status-council"})


@dataclass(frozen=True)
class Route:
    """One page of a site: its kind and the slugs that fill the kind's pattern."""

    kind: str
    topic: str = ""
    page: str = ""
    council: str = ""
    lang: str = "en"
    translated: bool = field(default=True, compare=False)  # False: a Welsh URL whose page is not in Welsh yet

    @property
    def url(self) -> str:
        return in_language(url(self.kind, topic=self.topic, page=self.page, council=self.council), self.lang)

    @property
    def path(self) -> str:
        return output_path(self.url)

    @property
    def indexed(self) -> bool:
        """Say whether search engines may index the page (and the sitemap lists it)."""
        return self.kind not in NOINDEX_KINDS and self.translated


def routes(site: Site) -> tuple[Route, ...]:
    """Return every page of a resolved site: the site's own pages, then each variant and council-only page."""
    found = [Route("home"), Route("councils"), Route("not-found"), Route("search")]
    found += [Route(kind) for kind in STANDARD_KINDS] + [Route("feedback-sent"), Route("open-data")]
    found += [Route("topic", topic=slug) for slug in site.content.topics]
    found += [Route("common", page=slug) for slug in site.content.pages]
    for council in site.councils:
        found.append(Route("hub", council=council))
        found += [Route("council-topic", topic=topic, council=council) for topic in site.resolution.topics_of(council)]
    found.append(Route("service-status"))
    found += [Route("service-status-council", council=council) for council in site.councils]
    found += [Route("former-hub", council=council.slug) for council in site.abolished]
    found.append(Route("status"))
    found += [Route("status-council", council=council) for council in site.councils]
    found += [Route("variant", page=page, council=council)
              for page in sorted(site.content.pages) for council in site.resolution.councils_for(page)]
    found += [Route("council-page", page=page, council=council)
              for page, council in sorted((own.slug, own.council) for own in site.overrides.pages.values())]
    return tuple(found) + welsh_routes(site)


def welsh_councils(site: Site) -> tuple[str, ...]:
    """Return the councils in Wales, by slug: the only councils with Welsh pages."""
    return tuple(slug for slug, council in sorted(site.councils.items()) if council.nation == "wales")


def welsh_routes(site: Site) -> tuple[Route, ...]:
    """Return the Welsh pages of a site: the site's own pages, every topic and common page, and Welsh councils' pages.

    A page with no Welsh text yet still has its Welsh URL, which says so in Welsh and links to the English page.
    """
    found = [Route("home", lang="cy"), Route("councils", lang="cy"), Route("search", lang="cy")]
    found += [Route(kind, lang="cy") for kind in STANDARD_KINDS]
    found += [Route("topic", topic=slug, lang="cy") for slug in site.content.topics]
    found += [Route("common", page=slug, lang="cy") for slug in site.content.pages]
    wales = welsh_councils(site)
    for council in wales:
        found.append(Route("hub", council=council, lang="cy"))
        found += [Route("council-topic", topic=topic, council=council, lang="cy")
                  for topic in site.resolution.topics_of(council)]
    found.append(Route("service-status", lang="cy"))
    found += [Route("service-status-council", council=council, lang="cy") for council in wales]
    found += [Route("variant", page=page, council=council, lang="cy")
              for page in sorted(site.content.pages) for council in site.resolution.councils_for(page)
              if council in wales]
    found += [Route("council-page", page=page, council=council, lang="cy")
              for page, council in sorted((own.slug, own.council) for own in site.overrides.pages.values())
              if council in wales]
    translated = welsh_pages(site)
    return tuple(replace(route, translated=english_url(route.url) in translated) for route in found)


def welsh_pages(site: Site) -> frozenset[str]:
    """Return the English URLs of the pages that have a Welsh version (not a page saying there is none yet).

    The site's own pages have one (their words are in localgov/i18n.py), but for the standard pages, whose
    text is English; a topic or common page when it has its Welsh file; a Welsh council's hub and service
    status page; its topic pages when the topic is in Welsh; and its variants when the common page is in
    Welsh and, if the council changes the page, so is the council's file.
    """
    found = {Route("home").url, Route("councils").url, Route("search").url, Route("service-status").url}
    found.update(Route("topic", topic=slug).url for slug in site.content.welsh_topics)
    found.update(Route("common", page=slug).url for slug in site.content.welsh)
    for council in welsh_councils(site):
        found.add(Route("hub", council=council).url)
        found.add(Route("service-status-council", council=council).url)
        found.update(Route("council-topic", topic=topic, council=council).url
                     for topic in site.resolution.topics_of(council) if topic in site.content.welsh_topics)
        for page in site.resolution.pages_of(council):
            if page in site.content.welsh and (site.overrides.for_variant(council, page) is None
                                               or (council, page) in site.overrides.welsh):
                found.add(Route("variant", page=page, council=council).url)
    return frozenset(found)


def in_language(address: str, lang: str) -> str:
    """Return the URL of a page in `lang`: in_language("/bins/", "cy") -> "/cy/bins/"."""
    return WELSH_PREFIX + address if lang == "cy" else address


def english_url(address: str) -> str:
    """Return the English URL of a page at either language's URL: "/cy/bins/" -> "/bins/"."""
    if address == WELSH_PREFIX + "/" or address.startswith(WELSH_PREFIX + "/"):
        return address[len(WELSH_PREFIX):]
    return address


def route_at(address: str, table: Iterable[Route]) -> Route | None:
    """Return the route served at a URL (full, or only its path), or None if no page is there."""
    wanted = output_path(address)
    return next((route for route in table if route.path == wanted), None)


def feed_url(page: str, kind: str) -> str:
    """Return the URL of a status page's feed: feed_url("/service-status/", "atom") -> "/service-status/feed.atom"."""
    return page + FEED_NAMES[kind]


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
