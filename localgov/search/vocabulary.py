"""The site's search vocabulary: synonyms and councils, shared by Whoosh and the browser's search."""

from __future__ import annotations

import json
from collections.abc import Iterable

from localgov.errors import Problems
from localgov.model import Output, Site
from localgov.search.synonyms import CouncilName, Vocabulary
from localgov.urls import COUNCIL_PAGES_DIR, SYNONYMS_JSON


def vocabulary(site: Site) -> Vocabulary:
    """Return the site's synonyms and council names, as both engines read them."""
    needs = {slug: frozenset(page.requires) for slug, page in site.content.pages.items() if page.requires}
    councils = {
        slug: CouncilName(slug, c.name, c.short_name, c.parent, c.website,
                          tuple(sorted(page for page, features in needs.items() if not features <= c.features)),
                          c.nation, tuple(name for name in (c.name_cy, c.short_name_cy) if name))
        for slug, c in sorted(site.councils.items())
    }
    # One vocabulary for both languages: Welsh synonyms beside the English ones, Welsh place names beside English.
    return Vocabulary((*site.content.synonyms, *site.content.synonyms_cy), councils)


def vocabulary_json(site: Site) -> bytes:
    return json.dumps(vocabulary(site).to_json(), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def variants(site: Site) -> dict[str, list[str]]:
    """Return, for each council, the pages it has a variant of (search links a result to the resident's own)."""
    pages: dict[str, list[str]] = {slug: [] for slug in site.councils}
    for page in sorted(site.content.pages):
        for council in site.resolution.councils_for(page):
            pages.setdefault(council, []).append(page)
    return pages


def search_data(site: Site) -> bytes:
    """Return what the server-side search keeps beside its index: the vocabulary and each council's variants."""
    return json.dumps({**vocabulary(site).to_json(), "variants": variants(site)}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def synonyms_file(site: Site, page_paths: list[str], problems: Problems) -> Iterable[Output]:
    """Return /search/synonyms.json (stop words, synonym groups and council names for search.js) and,
    for each council, /search/councils/<slug>.json: the pages it has a variant of, so the browser can
    link a result to the resident's own council without loading the variant."""
    yield Output(SYNONYMS_JSON, vocabulary_json(site), "content/_synonyms.yaml")
    for council, slugs in sorted(variants(site).items()):
        data = json.dumps({"pages": slugs}, separators=(",", ":")).encode("utf-8")
        yield Output(f"{COUNCIL_PAGES_DIR}/{council}.json", data, site.councils[council].source)
