"""Frozen data model shared by every build stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal, TypeVar

from localgov.errors import Problem

K = TypeVar("K")
V = TypeVar("V")

Provider = Literal["lower", "upper", "all", "national"]
PROVIDERS: tuple[str, ...] = ("lower", "upper", "all", "national")

NATIONS: tuple[str, ...] = ("england", "wales", "scotland", "northern-ireland")

COUNCIL_TYPES: dict[str, str] = {
    "county": "County council",
    "non-metropolitan-district": "District council",
    "unitary": "Unitary authority",
    "metropolitan-district": "Metropolitan borough council",
    "london-borough": "London borough",
    "welsh-principal-area": "Welsh principal council",
    "scottish-council": "Scottish council",
    "ni-district": "Northern Ireland district council",
}

# Types that provide both upper- and lower-tier services for their whole area.
SINGLE_TIER_TYPES: frozenset[str] = frozenset(
    {
        "unitary",
        "metropolitan-district",
        "london-borough",
        "welsh-principal-area",
        "scottish-council",
        "ni-district",
    }
)


# Providing bodies that are not principal councils, by kind, with how pages name each kind.
BODY_KINDS: dict[str, str] = {
    "government-department": "Government department",
    "public-body": "Public body",
    "valuation-joint-board": "Valuation joint board",
    "assessor": "Assessor",
    "combined-authority": "Combined authority",
    "waste-authority": "Waste disposal authority",
    "transport-authority": "Transport authority",
    "health-trust": "Health and social care trust",
    "housing-association": "Housing association",
    "national-park-authority": "National park authority",
}


# Contact fields, in the order pages show them, with how to say each in a sentence.
CONTACT_LABELS: dict[str, str] = {
    "phone": "phone number",
    "email": "email address",
    "address": "address",
    "opening_hours": "opening hours",
}


def read_only(mapping: Mapping[K, V]) -> Mapping[K, V]:
    """Return a read-only copy of `mapping` (itself if it is read-only already)."""
    if isinstance(mapping, MappingProxyType):
        return mapping
    return MappingProxyType(dict(mapping))


def _freeze(obj: object, *names: str) -> None:
    """Make the named mapping fields of a frozen dataclass read-only, so no stage can change what another made."""
    for name in names:
        object.__setattr__(obj, name, read_only(getattr(obj, name)))


def describe_missing(name: str) -> str:
    """Say in words what a missing field is: 'phone' -> 'phone number', 'link:bins' -> "link for 'bins'"."""
    if name.startswith("link:"):
        return f"link for '{name[5:]}'"
    return CONTACT_LABELS.get(name, name.replace("_", " "))


@dataclass(frozen=True)
class Contact:
    """How residents reach a council."""

    phone: str | None = None
    email: str | None = None
    address: str | None = None
    opening_hours: str | None = None


def is_home_page(url: str, website: str) -> bool:
    """Say whether a link leads only to a site's home page (then it is no link to a service)."""
    def bare(address: str) -> str:
        return address.strip().lower().split("#")[0].split("?")[0].rstrip("/").removeprefix("https://")

    return bare(url) == bare(website)


@dataclass(frozen=True)
class ServiceLink:
    """A council's own transaction for a service ("Check your bin day")."""

    url: str
    text: str | None = None
    line: int = field(default=0, compare=False)


# The kinds of alert: a notice, and GOV.UK's three emergency banners (who may set each: COUNCIL_/NATIONAL_ALERT_KINDS).
ALERT_KINDS = {
    "notice": "Notice",
    "local-emergency": "Local emergency",
    "national-emergency": "National emergency",
    "notable-death": "Notable death",
}
COUNCIL_ALERT_KINDS = ("notice", "local-emergency")
NATIONAL_ALERT_KINDS = ("notice", "national-emergency", "notable-death")


@dataclass(frozen=True)
class Alert:
    """A dated notice or emergency banner: a council's, for one page, one topic or every page, or the nation's.

    `kind` is one of ALERT_KINDS: a notice is a notification banner (and a line on the service status page);
    the others are GOV.UK's emergency banners, shown at the top of every page in scope.
    """

    title: str
    body: str
    start: dt.date
    end: dt.date
    pages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    source: str = ""
    line: int = 0
    kind: str = "notice"

    @property
    def everywhere(self) -> bool:
        return not self.pages and not self.topics

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Successor:
    """A council that takes over all or part of an abolished council's area: the former districts it takes over."""

    council: str
    areas: tuple[str, ...] = ()  # slugs of the abolished council's districts it takes; empty: the whole area
    line: int = field(default=0, compare=False)


GSS_PENDING = "pending"  # a council in law before ONS has published its code


@dataclass(frozen=True)
class Council:
    """A principal council: the unit every variant, hub and postcode resolves to."""

    slug: str
    name: str
    gss: str
    type: str
    nation: str
    website: str
    short_name: str = ""
    name_cy: str = ""  # the council's name in Welsh (councils in Wales)
    short_name_cy: str = ""  # the area's name in Welsh, as ONS publishes it
    parent: str | None = None
    former_gss: tuple[str, ...] = ()
    contact: Contact = field(default_factory=Contact)
    links: tuple[tuple[str, ServiceLink], ...] = ()
    features: frozenset[str] = frozenset()
    takes_on: tuple[str, ...] = ()
    hands_over: tuple[tuple[str, str], ...] = ()
    alerts: tuple[Alert, ...] = ()
    example_data: bool = False
    start: dt.date | None = None  # the first day in force (None: before any date the site knows)
    end: dt.date | None = None  # the last day in force (None: still in force)
    successors: tuple[Successor, ...] = ()
    source: str = ""
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)

    def in_force_on(self, day: dt.date) -> bool:
        """Say whether the council exists on `day`."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    @property
    def gss_pending(self) -> bool:
        return self.gss == GSS_PENDING

    @property
    def vesting_day(self) -> dt.date | None:
        """Return the day its successors take over (the day after its last), if it ends."""
        return self.end + dt.timedelta(days=1) if self.end is not None else None

    def line_of(self, path: str) -> int:
        """Return the line of a field in council.yaml (`links.bins`, `takes_on[2]`), or 0 if unknown."""
        table = dict(self.lines)
        return table.get(path) or table.get(path.split("[")[0].split(".")[0], 0)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def in_welsh(self) -> Council:
        """Return the council as a Welsh page names it: its Welsh names where it has them."""
        return replace(self, name=self.name_cy or self.name,
                       short_name=self.short_name_cy or self.short_name)

    @property
    def is_county(self) -> bool:
        return self.type == "county"

    @property
    def is_district(self) -> bool:
        return self.type == "non-metropolitan-district"

    @property
    def is_single_tier(self) -> bool:
        return self.type in SINGLE_TIER_TYPES

    @property
    def type_label(self) -> str:
        return COUNCIL_TYPES.get(self.type, self.type)

    def link_for(self, *keys: str) -> ServiceLink | None:
        """Return the council's link for the first key found (page slug or LGSL code)."""
        table = dict(self.links)
        for key in keys:
            if key in table:
                return table[key]
        return None


@dataclass(frozen=True)
class Provision:
    """A service a body provides: the page, where residents do it, and whether the council does the rest."""

    page: str
    link: ServiceLink | None = None  # None: the body's website
    part: bool = False  # the council still provides the page; the body does part of it
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Body:
    """A body that provides services and is not a principal council: an agency, a joint board, an association."""

    slug: str
    name: str
    kind: str
    nation: str
    website: str  # "" when it has none of its own: then every page it provides has a link
    short_name: str = ""
    contact: Contact = field(default_factory=Contact)
    serves: tuple[str, ...] = ()  # council slugs and nation names, as written
    provides: tuple[Provision, ...] = ()
    sources: tuple[Source, ...] = ()
    source: str = ""
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)

    def line_of(self, path: str) -> int:
        return dict(self.lines).get(path, 0)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def kind_label(self) -> str:
        return BODY_KINDS.get(self.kind, self.kind)

    def provision(self, page: str) -> Provision | None:
        return next((p for p in self.provides if p.page == page), None)

    def link_for(self, page: str) -> ServiceLink:
        """Return where residents do `page` with this body: its own link, else its website."""
        found = self.provision(page)
        if found is not None and found.link is not None:
            return found.link
        if not self.website:
            linked = next((p.link for p in self.provides if p.link is not None), None)
            if linked is not None:
                return linked
        return ServiceLink(url=self.website, text=f"{self.name} website")


@dataclass(frozen=True)
class Topic:
    """A folder of content pages."""

    slug: str
    title: str
    summary: str
    order: int = 100
    source: str = ""


@dataclass(frozen=True)
class Source:
    """Where a fact or rule comes from: an official page or an Act."""

    title: str
    url: str


@dataclass(frozen=True)
class Retired:
    """A Local Government Service List code whose service no longer exists: no page carries it."""

    lgsl: int
    service: str
    reason: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Section:
    """A part of a page body, from one h2 to the next; `intro` is what precedes the first h2."""

    id: str
    title: str
    html: str
    nations: tuple[str, ...] = ()  # the nations whose variants show it; all when empty

    def shown_in(self, nation: str) -> bool:
        """Say whether a variant for a council in `nation` shows this section ('' is the common page: all)."""
        return not self.nations or not nation or nation in self.nations


@dataclass(frozen=True)
class Page:
    """A common service page, converted once."""

    slug: str
    topic: str
    title: str
    summary: str
    provider: str
    sections: tuple[Section, ...]
    lgsl: tuple[int, ...] = ()  # Local Government Service List codes
    keywords: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    provided_elsewhere: tuple[tuple[str, str], ...] = ()
    last_reviewed: dt.date | None = None
    owner: str | None = None
    source: str = ""
    templated: bool = False
    sources: tuple[Source, ...] = ()
    change_note: str | None = None  # what the last change did, shown beside "Last updated"
    updated: dt.date | None = None  # when the source file last changed, from the repository's history
    lang: str = "en"  # "cy": the page's Welsh translation (see Translation)

    @property
    def url(self) -> str:
        return f"/{self.slug}/"

    def elsewhere_for(self, nation: str) -> str | None:
        """Return the HTML saying who provides this service in `nation`, if not councils."""
        return dict(self.provided_elsewhere).get(nation)

    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    def in_nation(self, nation: str) -> Page:
        """Return this page with only the sections a variant for a council in `nation` shows."""
        if all(section.shown_in(nation) for section in self.sections):
            return self
        return replace(self, sections=tuple(s for s in self.sections if s.shown_in(nation)))


@dataclass(frozen=True)
class Area:
    """What covers one address: the lower-or-unitary council and, in two-tier England, the county."""

    lower: str
    county: str | None = None

    @property
    def key(self) -> str:
        return self.lower if self.county is None else f"{self.lower}+{self.county}"


@dataclass(frozen=True)
class SiteConfig:
    """Where a site lives and how it presents itself."""

    root: Path
    name: str = "Local council services"
    name_cy: str = ""  # the name in Welsh, on the Welsh pages
    base_url: str = "https://localgov.example"
    phase: str = "beta"
    feedback_url: str | None = None
    feedback_endpoint: str | None = None
    contact_email: str | None = None
    host: str | None = None
    accessibility_status: str = "partial"
    accessibility_issues: tuple[str, ...] = ()
    accessibility_prepared: dt.date | None = None
    accessibility_reviewed: dt.date | None = None
    postcodes: str = "builtin"
    stale_after_days: int = 365
    strict: bool = False
    today: dt.date = dt.date(2000, 1, 1)  # the site's date: the build date, or the date it is built as at
    as_at: dt.date | None = None  # the date site.yaml builds the site as at (None: the build date)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def councils_dir(self) -> Path:
        return self.root / "councils"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    def absolute(self, url: str) -> str:
        return self.base_url.rstrip("/") + url

    def name_in(self, lang: str) -> str:
        """Return the site's name in a language: the Welsh name on Welsh pages, where site.yaml gives one."""
        return self.name_cy if lang == "cy" and self.name_cy else self.name


@dataclass(frozen=True)
class Translation:
    """A page's Welsh text (`<page>.cy.md`), and what it was translated from."""

    page: Page  # the Welsh page: Welsh title, summary, keywords and sections; the rest from the English page
    translated: dt.date | None
    translated_from: str  # the first 12 hex digits of the SHA-256 of the English file when it was translated
    english_digest: str  # the same digits of the English file now
    source: str = ""
    line: int = field(default=0, compare=False)  # the line of `translated_from`

    @property
    def current(self) -> bool:
        """Say whether the English page is as it was when it was translated."""
        return self.translated_from == self.english_digest


@dataclass(frozen=True)
class Content:
    """Every topic and common page of a site, and their Welsh translations."""

    topics: Mapping[str, Topic]
    pages: Mapping[str, Page]
    synonyms: tuple[tuple[str, ...], ...] = ()
    retired: tuple[Retired, ...] = ()
    welsh: Mapping[str, Translation] = field(default_factory=dict)  # page slug -> its Welsh translation
    welsh_topics: Mapping[str, Topic] = field(default_factory=dict)  # topic slug -> its Welsh title and summary
    synonyms_cy: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        _freeze(self, "topics", "pages", "welsh", "welsh_topics")

    def codes(self) -> dict[str, str]:
        """Each LGSL code a page carries, as text, and that page's slug."""
        return {str(code): page.slug for page in self.pages.values() for code in page.lgsl}

    def link_keys(self, key: str) -> tuple[str, ...]:
        """The keys a council's links may give a page under: its slug, then each of its LGSL codes."""
        page = self.pages.get(key)
        return (key, *(str(code) for code in page.lgsl)) if page else (key,)


@dataclass(frozen=True)
class Override:
    """One council's changes to one common page, converted once."""

    council: str
    page: str
    topic: str
    source: str
    sections: tuple[Section, ...] = ()
    summary: str | None = None
    keywords: tuple[str, ...] = ()
    whole_body: bool = False
    remove: tuple[str, ...] = ()
    before: tuple[tuple[str, tuple[str, ...]], ...] = ()
    after: tuple[tuple[str, tuple[str, ...]], ...] = ()
    link_keys: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)
    # The Markdown as written and the line it starts on, to put a problem found later at its line.
    body: str = field(default="", compare=False, repr=False)
    body_line: int = field(default=0, compare=False, repr=False)
    lang: str = "en"  # "cy": the council's Welsh override (`<page>.cy.md`)

    @property
    def key(self) -> str:
        """The key under which this file's sections are compiled."""
        return f"override:{self.council}/{self.page}" + ("" if self.lang == "en" else f".{self.lang}")

    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)


@dataclass(frozen=True)
class CouncilPage:
    """A page only one council has, at `/<slug>/<council>/`."""

    council: str
    slug: str
    topic: str
    title: str
    summary: str
    source: str
    sections: tuple[Section, ...] = ()
    keywords: tuple[str, ...] = ()
    lgsl: tuple[int, ...] = ()  # Local Government Service List codes
    last_reviewed: dt.date | None = None
    owner: str | None = None
    link_keys: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)
    body: str = field(default="", compare=False, repr=False)
    body_line: int = field(default=0, compare=False, repr=False)

    provider = "council"

    @property
    def key(self) -> str:
        return f"council-page:{self.council}/{self.slug}"

    @property
    def url(self) -> str:
        return f"/{self.slug}/{self.council}/"

    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)


@dataclass(frozen=True)
class Overrides:
    """Every council file that was accepted, and the errors of those that were refused."""

    overrides: Mapping[tuple[str, str], Override] = field(default_factory=dict)
    pages: Mapping[tuple[str, str], CouncilPage] = field(default_factory=dict)
    refused: frozenset[Problem] = frozenset()
    refused_files: tuple[str, ...] = ()
    welsh: Mapping[tuple[str, str], Override] = field(default_factory=dict)  # the councils' Welsh overrides

    def __post_init__(self) -> None:
        _freeze(self, "overrides", "pages", "welsh")

    def for_variant(self, council: str, page: str) -> Override | None:
        """Return the council's override of a common page, if it has one."""
        return self.overrides.get((council, page))

    def council_page(self, council: str, slug: str) -> CouncilPage | None:
        return self.pages.get((council, slug))

    def pages_of(self, council: str) -> tuple[CouncilPage, ...]:
        """Return a council's own pages, by slug."""
        return tuple(p for (c, _), p in sorted(self.pages.items()) if c == council)

    def overrides_of(self, council: str) -> tuple[Override, ...]:
        return tuple(o for (c, _), o in sorted(self.overrides.items()) if c == council)

    def sources(self) -> dict[str, str]:
        """Return compile key -> file for every accepted council file."""
        found = {o.key: o.source for o in self.overrides.values()}
        found.update({o.key: o.source for o in self.welsh.values()})
        found.update({p.key: p.source for p in self.pages.values()})
        return found


@dataclass(frozen=True)
class Answer:
    """Who provides a page for one area: a council slug, or why no council does."""

    council: str | None
    reason: str = ""
    elsewhere_html: str | None = None
    bodies: tuple[str, ...] = ()  # the bodies that provide it there instead of a council (reason "body")


@dataclass(frozen=True)
class Resolution:
    """The variants to build and the rules the browser needs to find them."""

    variants: Mapping[str, tuple[str, ...]]
    exceptions: Mapping[str, Mapping[str, str]]
    # council -> the topics its hub lists (each a page at /<topic>/<council>/), by slug
    hubs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # page -> lower council of an area -> the bodies that provide the page there instead of a council
    bodies: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    # page -> council -> the bodies that provide part of the page beside that council
    partners: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _freeze(self, "variants", "hubs")
        for name in ("exceptions", "bodies", "partners"):
            object.__setattr__(self, name, read_only({page: read_only(found)
                                                      for page, found in getattr(self, name).items()}))

    def bodies_for(self, page: str, lower: str) -> tuple[str, ...]:
        """Return the bodies that provide `page` for the area of the lower council `lower`, if no council does."""
        return self.bodies.get(page, {}).get(lower, ())

    def partners_of(self, page: str, council: str) -> tuple[str, ...]:
        """Return the bodies that provide part of `page` beside `council`."""
        return self.partners.get(page, {}).get(council, ())

    def councils_for(self, page: str) -> tuple[str, ...]:
        return self.variants.get(page, ())

    def pages_of(self, council: str) -> tuple[str, ...]:
        return tuple(sorted(p for p, slugs in self.variants.items() if council in slugs))

    def topics_of(self, council: str) -> tuple[str, ...]:
        """Return the topics a council's hub lists, each with a page of the council's services in it."""
        return self.hubs.get(council, ())


@dataclass(frozen=True)
class Output:
    """One file of the built site: a POSIX path under the output folder and its bytes."""

    path: str
    data: bytes
    source: str = ""


@dataclass(frozen=True)
class Pages:
    """The HTML pages of a staged output, for a whole-site step: each page's digest by its path in the output.

    `reuse` says the step may take what it kept from its last run for a page whose digest is unchanged
    (an incremental build); a clean build reads every page again. `unindexed` names pages the render stage
    already found search does not index (they lack its marker): the step need not read them at all.
    """

    digests: Mapping[str, bytes]
    reuse: bool = True
    unindexed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ServiceStatus:
    """One service a council provides: a common page's variant or a council-only page."""

    page: str
    title: str
    topic: str
    url: str
    kind: str  # "common" or "council-only"
    link: bool
    override: str | None
    missing: tuple[str, ...]
    alerts: int
    expired_alerts: int

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class AlertStatus:
    """An alert of a council and whether it shows on the build date."""

    title: str
    start: dt.date
    end: dt.date
    state: str  # "active", "scheduled" or "expired"
    file: str
    line: int


@dataclass(frozen=True)
class CouncilStatus:
    """What one council's data and files give its pages."""

    slug: str
    name: str
    type_label: str
    example_data: bool
    services: tuple[ServiceStatus, ...]
    contact_missing: tuple[str, ...]
    alerts: tuple[AlertStatus, ...]
    problems: tuple[Problem, ...]
    refused: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.services)

    @property
    def complete(self) -> int:
        return sum(1 for s in self.services if s.complete)

    @property
    def with_link(self) -> int:
        return sum(1 for s in self.services if s.link)

    @property
    def overrides(self) -> int:
        return sum(1 for s in self.services if s.override and s.kind == "common")

    @property
    def council_pages(self) -> int:
        return sum(1 for s in self.services if s.kind == "council-only")

    @property
    def missing_count(self) -> int:
        return sum(len(s.missing) for s in self.services)

    @property
    def expired(self) -> tuple[AlertStatus, ...]:
        return tuple(a for a in self.alerts if a.state == "expired")

    @property
    def percent(self) -> int:
        """Return the share of services with nothing missing, rounded down to a whole per cent."""
        return 100 * self.complete // self.total if self.total else 100

    @property
    def step(self) -> int:
        """Return `percent` rounded down to a multiple of 10, for the coverage bar."""
        return self.percent // 10 * 10

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")


@dataclass(frozen=True)
class Coverage:
    """The report for a whole site on its build date."""

    date: dt.date
    councils: tuple[CouncilStatus, ...]

    def council(self, slug: str) -> CouncilStatus | None:
        return next((c for c in self.councils if c.slug == slug), None)

    def totals(self) -> dict[str, int]:
        councils = self.councils
        services = sum(c.total for c in councils)
        complete = sum(c.complete for c in councils)
        return {
            "councils": len(councils),
            "services": services,
            "complete": complete,
            "percent": 100 * complete // services if services else 100,
            "with_link": sum(c.with_link for c in councils),
            "overrides": sum(c.overrides for c in councils),
            "council_pages": sum(c.council_pages for c in councils),
            "missing": sum(c.missing_count for c in councils),
            "expired_alerts": sum(len(c.expired) for c in councils),
            "councils_complete": sum(1 for c in councils if c.complete == c.total),
            "councils_without_contact": sum(1 for c in councils if len(c.contact_missing) == len(CONTACT_LABELS)),
            "refused_files": sum(len(c.refused) for c in councils),
            "errors": sum(c.errors for c in councils),
            "warnings": sum(c.warnings for c in councils),
        }


@dataclass(frozen=True)
class AccessibilityResults:
    """What the last automated accessibility test run found (`accessibility-results.json`), for the statement."""

    tested: dt.date
    tool: str
    pages: int  # the kinds of page tested
    issues: tuple[tuple[str, str, int], ...] = ()  # (rule, what it asks for, how many kinds of page fail it)


@dataclass(frozen=True)
class Site:
    """The output of the load and resolve stages: read-only, so every later stage sees the same site."""

    config: SiteConfig
    councils: Mapping[str, Council]
    content: Content
    resolution: Resolution
    overrides: Overrides = field(default_factory=Overrides)
    bodies: Mapping[str, Body] = field(default_factory=dict)
    national_alerts: tuple[Alert, ...] = ()  # councils/_status.yaml: the nation's notices and emergency banners
    accessibility: AccessibilityResults | None = None  # accessibility-results.json, if a test run wrote one
    # councils not in force on the site's date: abolished ones (to redirect from) and ones not yet in force
    former: Mapping[str, Council] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _freeze(self, "councils", "bodies", "former")

    @property
    def abolished(self) -> tuple[Council, ...]:
        """Return the councils that ended before the site's date, by slug."""
        day = self.config.today
        return tuple(c for _, c in sorted(self.former.items()) if c.end is not None and c.end < day)
