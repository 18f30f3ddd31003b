"""Service status: the notices and emergency banners that run on the build date, nationally and for each council.

One list of entries feeds the `/service-status/` pages, the emergency banners at the top of pages and the
Atom and JSON feeds (localgov/index/feeds.py), so they always agree. An entry's id is a `tag:` URI made of the
site's host, the alert's start date, who set it and its title: it stays the same from build to build while
those do, so feed readers do not show an alert twice.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup

from localgov.load.markdown import slugify
from localgov.model import ALERT_KINDS, Alert, Site
from localgov.render.markup import render_council_markup
from localgov.urls import Route

NATIONAL = "national"
EMERGENCY_KINDS = ("national-emergency", "notable-death", "local-emergency")
BLOCK_ENDS = re.compile(r"</(?:p|li|h[1-6]|div|ul|ol)>|<br\s*/?>")
TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Entry:
    """One alert as the status pages and feeds show it."""

    id: str  # stable: a tag: URI
    anchor: str  # its id on the status page
    title: str
    kind: str
    kind_label: str
    html: Markup
    start: dt.date
    end: dt.date
    owner: str  # a council's slug, or NATIONAL
    owner_name: str
    page: str  # the status page it is listed on (a URL path)

    @property
    def text(self) -> str:
        """Return the body as plain text, for feeds' summaries."""
        text = TAGS.sub("", BLOCK_ENDS.sub(" ", str(self.html)))
        return re.sub(r"\s+", " ", html.unescape(text)).strip()

    @property
    def emergency(self) -> bool:
        return self.kind in EMERGENCY_KINDS


def entry(site: Site, alert: Alert, owner: str) -> Entry:
    """Return the status entry of an alert set by `owner` (a council's slug, or NATIONAL)."""
    host = urlsplit(site.config.base_url).hostname or "localhost"
    title_slug = slugify(alert.title) or "alert"
    anchor = f"{owner}-{alert.start.isoformat()}-{title_slug}"
    if owner == NATIONAL:
        page, name = Route("service-status").url, site.config.name
    else:
        page, name = Route("service-status-council", council=owner).url, site.councils[owner].name
    return Entry(id=f"tag:{host},{alert.start.isoformat()}:service-status/{owner}/{title_slug}", anchor=anchor,
                 title=alert.title, kind=alert.kind, kind_label=ALERT_KINDS[alert.kind],
                 html=render_council_markup(alert.body), start=alert.start, end=alert.end, owner=owner,
                 owner_name=name, page=page)


def national_entries(site: Site) -> list[Entry]:
    """Return the nation's alerts that run on the build date, newest first."""
    today = site.config.today
    return _newest([entry(site, a, NATIONAL) for a in site.national_alerts if a.active_on(today)])


def council_entries(site: Site, slug: str) -> list[Entry]:
    """Return one council's alerts that run on the build date, newest first."""
    today = site.config.today
    return _newest([entry(site, a, slug) for a in site.councils[slug].alerts if a.active_on(today)])


def all_entries(site: Site) -> list[Entry]:
    """Return every alert that runs on the build date, the nation's and every council's, newest first."""
    found = national_entries(site)
    for slug in sorted(site.councils):
        found += council_entries(site, slug)
    return _newest(found)


def emergencies(site: Site, council: str | None) -> list[Entry]:
    """Return the emergency banners for a page: the nation's, and its council's local emergencies."""
    found = [e for e in national_entries(site) if e.emergency]
    if council and council in site.councils:
        found += [e for e in council_entries(site, council) if e.emergency]
    return found


def _newest(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (-e.start.toordinal(), e.owner, e.title))
