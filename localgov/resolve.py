"""Which council provides which page, for every council and every area.

This is the one place that decides responsibility: tiers, nations, features and the
hand-overs councils declare in their council.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from localgov.errors import Problems
from localgov.load.fields import did_you_mean
from localgov.model import Answer, Area, Council, CouncilPage, Page, Resolution


def tier_council(page: Page, area: Area) -> str:
    """Return the council the page's tier points to in `area`, before any exception."""
    if page.provider == "upper":
        return area.county or area.lower
    return area.lower


def provider_for(page: Page, area: Area, councils: Mapping[str, Council]) -> Answer:
    """Return who provides `page` for an address in `area`."""
    if page.provider == "national":
        return Answer(None, "national")
    lower = councils.get(area.lower)
    if lower is None:
        return Answer(None, "unknown-area")
    elsewhere = page.elsewhere_for(lower.nation)
    if elsewhere is not None:
        return Answer(None, "elsewhere", elsewhere)
    slug = tier_council(page, area)
    county = councils.get(area.county) if area.county else None
    if page.provider in ("lower", "all") and county is not None and page.slug in county.takes_on:
        slug = county.slug
    chosen = councils.get(slug)
    handed = dict(chosen.hands_over).get(page.slug) if chosen else None
    if handed:
        slug = handed
        chosen = councils.get(slug)
    if chosen is None:
        return Answer(None, "unknown-area")
    if not set(page.requires) <= chosen.features:
        return Answer(None, "not-here")
    return Answer(slug)


def areas_of(councils: Mapping[str, Council]) -> list[Area]:
    """Return every area the registry implies: one per lower-or-unitary council."""
    areas: list[Area] = []
    for council in councils.values():
        if council.is_district:
            areas.append(Area(council.slug, council.parent))
        elif council.is_single_tier:
            areas.append(Area(council.slug))
    return areas


def resolve(pages: Mapping[str, Page], councils: Mapping[str, Council], problems: Problems,
            council_pages: Iterable[CouncilPage] = ()) -> Resolution:
    """Decide every page's variants from the areas each council serves, and the topics of each council's hub."""
    check_declarations(pages, councils, problems)
    areas = areas_of(councils)
    variants: dict[str, tuple[str, ...]] = {}
    exceptions: dict[str, dict[str, str]] = {}
    for page in pages.values():
        if page.provider == "national":
            variants[page.slug] = ()
            continue
        chosen: set[str] = set()
        special: dict[str, str] = {}
        for area in areas:
            answer = provider_for(page, area, councils)
            if answer.council:
                chosen.add(answer.council)
            # The browser knows the area (its lower council) and the tier rule; it needs only the exceptions.
            if answer.council != tier_council(page, area):
                special[area.lower] = answer.council or ""
        if page.provider == "all":
            # Counties also provide part of an 'all' service for their own area.
            for council in councils.values():
                if (council.is_county and set(page.requires) <= council.features
                        and page.elsewhere_for(council.nation) is None):
                    chosen.add(council.slug)
        variants[page.slug] = tuple(sorted(chosen))
        exceptions[page.slug] = dict(sorted(special.items()))
    own = tuple(council_pages)
    hubs = {slug: hub_topics(council, pages, councils, variants, own) for slug, council in councils.items()}
    return Resolution(variants=variants, exceptions=exceptions, hubs=hubs)


def hub_topics(council: Council, pages: Mapping[str, Page], councils: Mapping[str, Council],
               variants: Mapping[str, tuple[str, ...]], council_pages: Iterable[CouncilPage]) -> tuple[str, ...]:
    """Return the topics of the services a council's hub lists, by slug.

    A county lists the pages it provides; any other council every page provided for its area, by
    it or by its county; each lists its own council-only pages, and a district its county's too.
    """
    area = Area(council.slug, council.parent) if council.is_district else Area(council.slug)
    topics: set[str] = set()
    for page in pages.values():
        if page.provider == "national":
            continue
        if council.is_county:
            listed = council.slug in variants.get(page.slug, ())
        else:
            listed = provider_for(page, area, councils).council is not None
        if listed:
            topics.add(page.topic)
    owners = {council.slug} | ({council.parent} if council.is_district and council.parent else set())
    topics.update(page.topic for page in council_pages if page.council in owners)
    return tuple(sorted(topics))


def check_declarations(pages: Mapping[str, Page], councils: Mapping[str, Council], problems: Problems) -> None:
    """Check that hand-overs and take-ons name real pages and sensible councils."""
    for council in councils.values():
        for page_slug, _target in council.hands_over:
            if page_slug not in pages:
                problems.error(council.source, council.line_of(f"hands_over.{page_slug}"),
                               f"hands over an unknown page{did_you_mean(page_slug, pages.keys())}",
                               field=f"hands_over.{page_slug}", expected="a page slug from content/",
                               found=repr(page_slug))
        for number, page_slug in enumerate(council.takes_on, start=1):
            page = pages.get(page_slug)
            line = council.line_of(f"takes_on[{number}]")
            if page is None:
                problems.error(council.source, line, f"takes on an unknown page{did_you_mean(page_slug, pages.keys())}",
                               field="takes_on", expected="a page slug from content/", found=repr(page_slug))
            elif not council.is_county:
                problems.error(council.source, line, "only a county can take on a service for its districts",
                               field="takes_on", found=repr(page_slug))
            elif page.provider not in ("lower", "all"):
                problems.error(council.source, line, f"'{page_slug}' is already a county service",
                               field="takes_on", expected="a lower-tier page", found=f"provider {page.provider}")
