"""Atom and JSON Feed feeds of service status, beside each status page: the nation's and each council's.

The national feed carries every alert that runs on the build date, the nation's and every council's; a
council's feed carries its own and the nation's. Entries are those of the status pages
(localgov/render/service_status.py), with their stable ids; an alert leaves the feeds when it ends.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from localgov.errors import Problems
from localgov.model import Output, Site
from localgov.render.service_status import Entry, all_entries, council_entries, national_entries
from localgov.urls import Route, feed_url, output_path

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def stamp(day: dt.date) -> str:
    """Return the start of a day as an RFC 3339 time in UTC: 2026-11-24T00:00:00Z."""
    return f"{day.isoformat()}T00:00:00Z"


def atom(site: Site, page: str, title: str, entries: list[Entry]) -> bytes:
    """Return an Atom 1.0 feed (RFC 4287) of `entries`, for the status page at `page`."""
    config = site.config
    self_href = quoteattr(config.absolute(feed_url(page, "atom")))
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">',
             f"  <id>{escape(config.absolute(page))}</id>",
             f"  <title>{escape(title)}</title>",
             f"  <updated>{stamp(config.today)}</updated>",
             f'  <link rel="self" type="application/atom+xml" href={self_href}/>',
             f'  <link rel="alternate" type="text/html" href={quoteattr(config.absolute(page))}/>',
             f"  <author><name>{escape(config.name)}</name></author>"]
    for entry in entries:
        lines += ["  <entry>",
                  f"    <id>{escape(entry.id)}</id>",
                  f"    <title>{escape(entry.title)}</title>",
                  f"    <published>{stamp(entry.start)}</published>",
                  f"    <updated>{stamp(entry.start)}</updated>",
                  f'    <link rel="alternate" type="text/html" href={quoteattr(link(site, entry))}/>',
                  f"    <author><name>{escape(entry.owner_name)}</name></author>",
                  f"    <category term={quoteattr(entry.kind)} label={quoteattr(entry.kind_label)}/>",
                  f'    <summary type="text">{escape(entry.text)}</summary>',
                  f'    <content type="html">{escape(str(entry.html))}</content>',
                  "  </entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def json_feed(site: Site, page: str, title: str, entries: list[Entry]) -> bytes:
    """Return a JSON Feed 1.1 of `entries`, for the status page at `page`; `_localgov` says when each runs."""
    config = site.config
    feed = {
        "version": JSON_FEED_VERSION,
        "title": title,
        "home_page_url": config.absolute(page),
        "feed_url": config.absolute(feed_url(page, "json")),
        "language": "en-GB",
        "authors": [{"name": config.name}],
        "items": [{
            "id": entry.id,
            "url": link(site, entry),
            "title": entry.title,
            "content_html": str(entry.html),
            "summary": entry.text,
            "date_published": stamp(entry.start),
            "date_modified": stamp(entry.start),
            "authors": [{"name": entry.owner_name}],
            "tags": [entry.kind],
            "_localgov": {"kind": entry.kind, "start": entry.start.isoformat(), "end": entry.end.isoformat(),
                          "council": None if entry.owner == "national" else entry.owner},
        } for entry in entries],
    }
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def link(site: Site, entry: Entry) -> str:
    return site.config.absolute(f"{entry.page}#{entry.anchor}")


def feed_files(site: Site, page_paths: list[str], problems: Problems) -> Iterable[Output]:
    """Return the Atom and JSON feeds of the national status page and of every council's."""
    name = site.config.name
    page = Route("service-status").url
    yield from _both(site, page, f"Service status: {name}", all_entries(site))
    national = national_entries(site)
    for slug in sorted(site.councils):
        page = Route("service-status-council", council=slug).url
        entries = sorted(council_entries(site, slug) + national, key=lambda e: (-e.start.toordinal(), e.title))
        yield from _both(site, page, f"Service status: {site.councils[slug].name}", entries)


def _both(site: Site, page: str, title: str, entries: list[Entry]) -> Iterable[Output]:
    folder = output_path(page).rsplit("/", 1)[0]
    yield Output(f"{folder}/feed.atom", atom(site, page, title, entries), "feeds")
    yield Output(f"{folder}/feed.json", json_feed(site, page, title, entries), "feeds")
