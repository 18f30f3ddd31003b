"""The no-JavaScript search results page that `localgov serve` answers at /search?q=."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from localgov.errors import Problems
from localgov.search.whoosh import PAGE_SIZE, NoIndex, SearchIndex

log = logging.getLogger(__name__)


def postcode_area(root: Path, postcode: str) -> tuple[str, ...]:
    """Return the councils serving a postcode, lower tier first; () when it is unknown or has none."""
    from localgov.commands import postcode as postcode_cli
    from localgov.postcodes import lookup as postcodes

    councils = postcode_cli.read_registry(root)
    gss_to_slug, county_of = postcode_cli.registry_maps(root, councils)
    return postcodes.site_lookup(root, gss_to_slug, county_of).find(postcode).councils


PROVIDER_TEXT = {
    "lower": "Provided by your district, borough, city or unitary council",
    "upper": "Provided by your county or unitary council",
    "all": "Provided by your county and district councils, or your unitary council",
}


def results_page(site_root: Path, query: str, postcode: str | None = None, council: str | None = None,
                 page: int = 1, out: Path | None = None) -> bytes:
    """Render /search/ with the results for `query`, in the site's own layout.

    The resident's councils come from `council` (the page they searched from) or `postcode`; the
    index is that of the site as built into `out` (default: build/ in the site). Raises NoIndex when
    the site has not been built there yet.
    """
    from urllib.parse import urlencode

    from markupsafe import Markup

    from localgov.load.config import load_config
    from localgov.render.assets import build_assets
    from localgov.render.layouts import layout_environment
    from localgov.search.synonyms import split_postcode

    query = " ".join(query.split())
    page = max(1, page)
    words_only, typed_postcode = split_postcode(query)
    with SearchIndex(site_root, out) as index_:
        area: tuple[str, ...] = ()
        from_postcode = False
        if typed_postcode:
            # A postcode in the box scopes the search to its councils, as the postcode form does.
            area = _safe_area(site_root, typed_postcode)
            from_postcode = bool(area)
        if area:
            pass
        elif council and council in index_.vocabulary.councils:
            area = index_.area_for(council)
        elif postcode:
            area = _safe_area(site_root, postcode)
        searched = words_only or query
        results = index_.search(searched, area, offset=(page - 1) * PAGE_SIZE) if query else None
        names = index_.vocabulary.councils
    config = load_config(site_root, Problems())
    assets = {a.name: a.url for a in build_assets(site_root)}
    env = layout_environment(site_root)
    partials: dict[str, Markup] = {}

    def chrome(name: str) -> Markup:
        if name not in partials:
            partials[name] = Markup(env.get_template(name).render())
        return partials[name]

    # The live preview's answer to a search: the built pages carry the emergency banners, this one does not.
    env.globals.update(site=config, asset=assets.__getitem__, chrome=chrome, emergencies=lambda council: [])
    params = {k: v for k, v in (("q", query), ("council", council), ("postcode", postcode)) if v}
    pagination: dict[str, Any] | None = None
    if results is not None and results.total > PAGE_SIZE:
        pages = -(-results.total // PAGE_SIZE)
        pagination = {"landmarkLabel": "Search results pages", "items": []}
        last = 0
        for number in range(1, pages + 1):
            if number not in (1, pages) and abs(number - page) > 1:
                continue
            if number - last > 1:
                pagination["items"].append({"ellipsis": True})
            pagination["items"].append({"number": number, "href": "/search/?" + urlencode({**params, "page": number}),
                                        "current": number == page})
            last = number
        if page > 1:
            pagination["previous"] = {"href": "/search/?" + urlencode({**params, "page": page - 1})}
        if page < pages:
            pagination["next"] = {"href": "/search/?" + urlencode({**params, "page": page + 1})}
    shown = results.area if results is not None else area
    html_ = env.get_template("search.html").render(
        title=f"Search results for \u201c{query}\u201d" if query else "Search", description="Search council services.",
        canonical="/search/", noindex=True, breadcrumbs=[{"text": "Home", "href": "/"}], query=query,
        council=council if council in names else None, results=results, page_number=page, pagination=pagination,
        area_names=[names[slug].name for slug in shown if slug in names], provider_text=PROVIDER_TEXT, server=True,
        own_council=next((names[slug] for slug in shown if slug in names and names[slug].website), None),
        from_postcode=from_postcode, search_href=lambda q: "/search/?" + urlencode({**params, "q": q}),
    )
    return html_.encode("utf-8")


def _safe_area(site_root: Path, postcode: str) -> tuple[str, ...]:
    """Return the councils of a postcode, or () when it is unknown or the site has no postcode data."""
    from localgov.errors import LocalgovError

    try:
        return postcode_area(site_root, postcode)
    except (LocalgovError, OSError, ValueError):
        return ()


def answer(site_root: Path, request_path: str, out: Path | None = None) -> bytes | None:
    """Return the results page for a request to /search?q=... or /search/?q=..., or None for any other request.

    `out` is the output folder being served (default: build/ in the site), whose search index answers.
    """
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(request_path)
    if parts.path not in ("/search", "/search/"):
        return None
    params = parse_qs(parts.query)
    query = params.get("q", [""])[0]
    try:
        number = int(params.get("page", ["1"])[0])
    except ValueError:
        number = 1
    try:
        return results_page(site_root, query, params.get("postcode", [None])[0], params.get("council", [None])[0],
                            number, out)
    except NoIndex:
        log.warning("no search index for %s yet; serving the static search page", site_root)
        return None
