"""Which council or other body provides which page, for every council and every area.

This is the one place that decides responsibility, in this order, for a page and an address:

1. A `national` page has no provider to find.
2. The tier rule names a council: the county for `upper` pages in two-tier areas, else the lower
   (district or unitary) council; a county that `takes_on` a lower-tier page provides it instead,
   and a council that `hands_over` a page to another council or a body is replaced by it.
3. A body (councils/<slug>/body.yaml) that provides the page, for that council or its whole nation,
   provides it there instead of the council (a `part: true` provision leaves the page with the
   council, and the body is named beside it).
4. Otherwise a page with a `provided_elsewhere` note for the nation has no provider but that note.
5. Otherwise a council whose area lacks a feature the page requires (coastline) does not provide it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from localgov.errors import Problems
from localgov.load.fields import did_you_mean
from localgov.model import NATIONS, Answer, Area, Body, Council, CouncilPage, Page, Resolution


@dataclass(frozen=True)
class Providers:
    """What bodies provide: page -> council -> the bodies that provide all of it there (`full`) or part (`part`)."""

    full: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    part: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    bodies: frozenset[str] = frozenset()  # every body, for councils' hand-overs


NO_BODIES = Providers()


def body_providers(bodies: Mapping[str, Body], councils: Mapping[str, Council]) -> Providers:
    """Return, for each page, the councils for which bodies provide all of it, and those they share it with."""
    full: dict[str, dict[str, list[str]]] = {}
    part: dict[str, dict[str, list[str]]] = {}
    for body in bodies.values():
        served = {slug for slug in body.serves if slug in councils}
        nations = {n for n in body.serves if n in NATIONS}
        served |= {c.slug for c in councils.values() if c.nation in nations}
        for provision in body.provides:
            table = part if provision.part else full
            for slug in served:
                table.setdefault(provision.page, {}).setdefault(slug, []).append(body.slug)
    return Providers({page: {c: tuple(sorted(b)) for c, b in found.items()} for page, found in full.items()},
                     {page: {c: tuple(sorted(b)) for c, b in found.items()} for page, found in part.items()},
                     frozenset(bodies))


def tier_council(page: Page, area: Area) -> str:
    """Return the council the page's tier points to in `area`, before any exception."""
    if page.provider == "upper":
        return area.county or area.lower
    return area.lower


def provider_for(page: Page, area: Area, councils: Mapping[str, Council], providers: Providers = NO_BODIES) -> Answer:
    """Return who provides `page` for an address in `area` (`providers`: what bodies provide, from `body_providers`)."""
    if page.provider == "national":
        return Answer(None, "national")
    lower = councils.get(area.lower)
    if lower is None:
        return Answer(None, "unknown-area")
    elsewhere = page.elsewhere_for(lower.nation)
    slug = tier_council(page, area)
    county = councils.get(area.county) if area.county else None
    if page.provider in ("lower", "all") and county is not None and page.slug in county.takes_on:
        slug = county.slug
    chosen = councils.get(slug)
    handed = dict(chosen.hands_over).get(page.slug) if chosen else None
    if handed and handed in providers.bodies:
        return Answer(None, "body", elsewhere, (handed,))
    if handed:
        slug = handed
        chosen = councils.get(slug)
    if chosen is None:
        return Answer(None, "unknown-area")
    bodies = providers.full.get(page.slug, {}).get(chosen.slug, ())
    if bodies:
        return Answer(None, "body", elsewhere, bodies)
    if elsewhere is not None:
        return Answer(None, "elsewhere", elsewhere)
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
            council_pages: Iterable[CouncilPage] = (), bodies: Mapping[str, Body] | None = None) -> Resolution:
    """Decide every page's variants from the areas each council serves, and the topics of each council's hub."""
    bodies = bodies or {}
    check_declarations(pages, councils, problems, bodies)
    providers = body_providers(bodies, councils)
    areas = areas_of(councils)
    variants: dict[str, tuple[str, ...]] = {}
    exceptions: dict[str, dict[str, str]] = {}
    by_body: dict[str, dict[str, tuple[str, ...]]] = {}
    for page in pages.values():
        if page.provider == "national":
            variants[page.slug] = ()
            continue
        chosen: set[str] = set()
        special: dict[str, str] = {}
        for area in areas:
            answer = provider_for(page, area, councils, providers)
            if answer.council:
                chosen.add(answer.council)
            # The browser knows the area (its lower council) and the tier rule; it needs only the exceptions.
            if answer.council != tier_council(page, area):
                special[area.lower] = answer.council or ""
            if answer.bodies:
                by_body.setdefault(page.slug, {})[area.lower] = answer.bodies
        if page.provider == "all":
            # Counties also provide part of an 'all' service for their own area.
            for council in councils.values():
                if (council.is_county and set(page.requires) <= council.features
                        and page.elsewhere_for(council.nation) is None
                        and not providers.full.get(page.slug, {}).get(council.slug)):
                    chosen.add(council.slug)
        variants[page.slug] = tuple(sorted(chosen))
        exceptions[page.slug] = dict(sorted(special.items()))
    partners = {page: {c: b for c, b in sorted(found.items()) if c in variants.get(page, ())}
                for page, found in sorted(providers.part.items())}
    own = tuple(council_pages)
    hubs = {slug: hub_topics(council, pages, councils, variants, own, providers) for slug, council in councils.items()}
    return Resolution(variants=variants, exceptions=exceptions, hubs=hubs, bodies=by_body,
                      partners={page: found for page, found in partners.items() if found})


def hub_topics(council: Council, pages: Mapping[str, Page], councils: Mapping[str, Council],
               variants: Mapping[str, tuple[str, ...]], council_pages: Iterable[CouncilPage],
               providers: Providers = NO_BODIES) -> tuple[str, ...]:
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
            listed = provider_for(page, area, councils, providers).council is not None
        if listed:
            topics.add(page.topic)
    owners = {council.slug} | ({council.parent} if council.is_district and council.parent else set())
    topics.update(page.topic for page in council_pages if page.council in owners)
    return tuple(sorted(topics))


def check_declarations(pages: Mapping[str, Page], councils: Mapping[str, Council], problems: Problems,
                       bodies: Mapping[str, Body] | None = None) -> None:
    """Check that hand-overs, take-ons and what bodies provide name real pages, councils and bodies."""
    bodies = bodies or {}
    for council in councils.values():
        for page_slug, target in council.hands_over:
            line = council.line_of(f"hands_over.{page_slug}")
            if page_slug not in pages:
                problems.error(council.source, line,
                               f"hands over an unknown page{did_you_mean(page_slug, pages.keys())}",
                               field=f"hands_over.{page_slug}", expected="a page slug from content/",
                               found=repr(page_slug))
            if target not in councils and target not in bodies:
                problems.error(council.source, line, "hands over to a council that is not in councils/"
                               f"{did_you_mean(target, [*councils, *bodies])}", field=f"hands_over.{page_slug}",
                               expected="the slug of a council, or of a body in councils/", found=repr(target))
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
    for body in bodies.values():
        for provision in body.provides:
            if provision.page not in pages:
                problems.error(body.source, provision.line,
                               f"provides an unknown page{did_you_mean(provision.page, pages.keys())}",
                               field=f"provides.{provision.page}", expected="a page slug from content/",
                               found=repr(provision.page))
            elif pages[provision.page].provider == "national":
                problems.error(body.source, provision.line, "a national page has no provider to replace",
                               field=f"provides.{provision.page}", expected="a page councils provide",
                               found="provider national")
