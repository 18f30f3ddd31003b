"""Redirects from the pages of abolished councils to the pages that serve their area now.

Every URL an abolished council had keeps working: `_redirects` (the format Netlify and Cloudflare
Pages read) sends it on with a 301, and a small HTML page at the same address links on, for hosts
that do not read that file. A page goes to the same service of the one council that now covers the
whole former area, else (the area was split) to the common page, whose postcode form finds the
right council. The abolished council's hub is a page of its own (see render/pages.py, `former_hub`).
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from localgov.errors import Problems
from localgov.load.timeline import final_successor
from localgov.model import Council, Output, Site
from localgov.urls import Route, output_path

REDIRECTS_FILE = "_redirects"
TIERS = {"county": ("upper", "all"), "district": ("lower", "all"), "unitary": ("lower", "upper", "all")}


def redirect_table(site: Site) -> list[tuple[str, str]]:
    """Return (old URL, new URL) for every page of every council abolished before the site's date."""
    everyone = {**site.former, **site.councils}
    table: list[tuple[str, str]] = []
    for council in site.abolished:
        heir = final_successor(council, everyone, site.config.today)
        table += list(_moves(site, council, heir))
    return sorted(table)


def _moves(site: Site, council: Council, heir: Council | None) -> Iterator[tuple[str, str]]:
    tier = "county" if council.is_county else "district" if council.is_district else "unitary"
    for page in sorted(site.content.pages.values(), key=lambda p: p.slug):
        if page.provider not in TIERS[tier]:
            continue
        old = Route("variant", page=page.slug, council=council.slug).url
        if heir is not None and heir.slug in site.resolution.councils_for(page.slug):
            yield old, Route("variant", page=page.slug, council=heir.slug).url
        else:
            yield old, Route("common", page=page.slug).url
    for topic in sorted(site.content.topics):
        old = Route("council-topic", topic=topic, council=council.slug).url
        if heir is not None and topic in site.resolution.topics_of(heir.slug):
            yield old, Route("council-topic", topic=topic, council=heir.slug).url
        else:
            yield old, Route("topic", topic=topic).url
    yield (Route("status-council", council=council.slug).url,
           Route("status-council", council=heir.slug).url if heir is not None else Route("status").url)


def redirects_file(table: list[tuple[str, str]]) -> bytes:
    """Return `_redirects`: one `old new 301` line per move."""
    return "".join(f"{old} {new} 301\n" for old, new in table).encode("utf-8")


def redirect_page(site: Site, new: str) -> bytes:
    """Return a small HTML page that sends the browser on to `new`, with a link for when it does not."""
    target = escape(site.config.absolute(new))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>This page has moved - {escape(site.config.name)}</title>\n"
        f'<link rel="canonical" href="{target}">\n<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={escape(new)}">\n</head>\n<body>\n'
        f'<p>This council has been replaced. <a href="{escape(new)}">Go to the page that serves this area '
        "now</a>.</p>\n"
        "</body>\n</html>\n"
    ).encode()


def redirect_files(site: Site, page_paths: list[str], problems: Problems) -> Iterator[Output]:
    """Return `_redirects` and one redirect page per old address that no page of the site now has (none: nothing)."""
    table = redirect_table(site)
    if not table:
        return
    yield Output(REDIRECTS_FILE, redirects_file(table), "redirects")
    taken = set(page_paths)
    for old, new in table:
        path = output_path(old)
        if path not in taken:
            yield Output(path, redirect_page(site, new), "redirects")
