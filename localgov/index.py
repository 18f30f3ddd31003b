"""The index stage: files derived from the whole site, listed in one place.

An indexer reads the loaded site and the paths of the pages written, and returns more
outputs (sitemap, postcode shards, open data). A finaliser runs on the staged output
folder once every file is in it (search indexes that read the HTML). Add a feature's
indexer or finaliser to the tuples at the bottom of this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from localgov.errors import Problems
from localgov.keys import SITE_STRUCTURE
from localgov.outputs import headers, robots, sitemap
from localgov.postcode_index import lookup_key, postcode_shards
from localgov.render import Output
from localgov.report import coverage_json
from localgov.search import build_search_indexes, synonyms_file
from localgov.site import Site

Indexer = Callable[[Site, list[str], Problems], Iterable[Output]]
Finaliser = Callable[[Site, Path, Problems], None]


def cdn_files(site: Site, page_paths: list[str], problems: Problems) -> Iterable[Output]:
    """Return sitemap.xml, robots.txt and _headers."""
    yield Output("sitemap.xml", sitemap(site.config, page_paths), "sitemap")
    yield Output("robots.txt", robots(site.config), "robots")
    yield Output("_headers", headers(), "headers")


INDEXERS: tuple[Indexer, ...] = (cdn_files, postcode_shards, synonyms_file, coverage_json)
FINALISERS: tuple[Finaliser, ...] = (build_search_indexes,)
# Indexers that take a while, with a digest of everything they read: an incremental build skips
# one (keeping its last outputs) while its key is unchanged. Indexers not listed run every build.
# SITE_STRUCTURE: made from the site's structure, the problems and what rendering found, not page text.
INDEXER_KEYS: dict[Indexer, Callable[[Site], str] | str] = {postcode_shards: lookup_key, coverage_json: SITE_STRUCTURE}
