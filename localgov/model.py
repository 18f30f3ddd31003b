"""Frozen data model shared by every build stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

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


# Contact fields, in the order pages show them, with how to say each in a sentence.
CONTACT_LABELS: dict[str, str] = {
    "phone": "phone number",
    "email": "email address",
    "address": "address",
    "opening_hours": "opening hours",
}


@dataclass(frozen=True)
class Contact:
    """How residents reach a council."""

    phone: str | None = None
    email: str | None = None
    address: str | None = None
    opening_hours: str | None = None


@dataclass(frozen=True)
class ServiceLink:
    """A council's own transaction for a service ("Check your bin day")."""

    url: str
    text: str | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Alert:
    """A dated notification banner for one page, one topic or every page of a council."""

    title: str
    body: str
    start: dt.date
    end: dt.date
    pages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    source: str = ""
    line: int = 0

    @property
    def everywhere(self) -> bool:
        return not self.pages and not self.topics

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


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
    parent: str | None = None
    former_gss: tuple[str, ...] = ()
    contact: Contact = field(default_factory=Contact)
    links: tuple[tuple[str, ServiceLink], ...] = ()
    features: frozenset[str] = frozenset()
    takes_on: tuple[str, ...] = ()
    hands_over: tuple[tuple[str, str], ...] = ()
    alerts: tuple[Alert, ...] = ()
    example_data: bool = False
    source: str = ""
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)

    def line_of(self, path: str) -> int:
        """Return the line of a field in council.yaml (`links.bins`, `takes_on[2]`), or 0 if unknown."""
        table = dict(self.lines)
        return table.get(path) or table.get(path.split("[")[0].split(".")[0], 0)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

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
class Topic:
    """A folder of content pages."""

    slug: str
    title: str
    summary: str
    order: int = 100
    source: str = ""


@dataclass(frozen=True)
class Section:
    """A part of a page body, from one h2 to the next; `intro` is what precedes the first h2."""

    id: str
    title: str
    html: str


@dataclass(frozen=True)
class Page:
    """A common service page, converted once."""

    slug: str
    topic: str
    title: str
    summary: str
    provider: str
    sections: tuple[Section, ...]
    lgsl: int | None = None
    keywords: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    provided_elsewhere: tuple[tuple[str, str], ...] = ()
    last_reviewed: dt.date | None = None
    owner: str | None = None
    source: str = ""
    templated: bool = False

    @property
    def url(self) -> str:
        return f"/{self.slug}/"

    def elsewhere_for(self, nation: str) -> str | None:
        """Return the HTML saying who provides this service in `nation`, if not councils."""
        return dict(self.provided_elsewhere).get(nation)

    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)


@dataclass(frozen=True)
class Area:
    """What covers one address: the lower-or-unitary council and, in two-tier England, the county."""

    lower: str
    county: str | None = None

    @property
    def key(self) -> str:
        return self.lower if self.county is None else f"{self.lower}+{self.county}"
