"""The index stage: files derived from the whole site, listed in one place.

An indexer reads the loaded site and the paths of the pages written, and returns more
outputs (sitemap, postcode shards, open data); one that says so also reads the coverage
report the build made before rendering. A finaliser runs on the staged output folder once
every file is in it (search indexes that read the HTML), with a staged copy of the folder it
keeps outside the output, if any, which the writer swaps in with the output. Add a feature's
indexer or finaliser to the tuples at the bottom of this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from localgov.errors import Problems
from localgov.index.cdn import headers, robots, sitemap
from localgov.index.coverage import coverage_json
from localgov.index.feeds import feed_files
from localgov.index.opendata import api_files
from localgov.index.redirects import redirect_files
from localgov.index.shards import lookup_key, postcode_shards
from localgov.model import Coverage, Output, Pages, Site
from localgov.search.vocabulary import synonyms_file
from localgov.search.whoosh import SEARCH_OUTPUTS, build_search_indexes, index_dir
from localgov.urls import routes

Make = Callable[[Site, list[str], Problems], Iterable[Output]]
ReportMake = Callable[[Site, list[str], Problems, Coverage], Iterable[Output]]
# (site, staged output, staged kept folder, problems, the HTML pages of the output and their digests)
Finish = Callable[[Site, Path, Path, Problems, Pages], None]
# An indexer's `key` when what it makes depends on the site's structure, the problems found and the
# coverage report, not on the text of the pages.
SITE_STRUCTURE = "site-structure"


@dataclass(frozen=True)
class Indexer:
    """One step of the index stage: a name, what it makes, and what decides whether it must run again.

    `key` is None for a step that runs every build, SITE_STRUCTURE, or a function returning a digest of
    everything the step reads: an incremental build keeps the step's last outputs while its key is unchanged.
    """

    name: str
    make: Make | ReportMake
    key: Callable[[Site], str] | str | None = None
    reads_report: bool = False  # `make` takes the coverage report too

    def run(self, site: Site, page_paths: list[str], problems: Problems, report: Coverage) -> Iterable[Output]:
        """Return what this step makes."""
        if self.reads_report:
            return cast(ReportMake, self.make)(site, page_paths, problems, report)
        return cast(Make, self.make)(site, page_paths, problems)


@dataclass(frozen=True)
class Finaliser:
    """A whole-site step over the staged output, and the folder it keeps beside the output (site, output)."""

    name: str
    run: Finish
    keeps: Callable[[Path, Path], Path]
    writes: tuple[str, ...] = ()  # the files and folders of the output it makes (empty: it may write anywhere)


def cdn_files(site: Site, page_paths: list[str], problems: Problems) -> Iterable[Output]:
    """Return sitemap.xml, robots.txt and _headers."""
    yield Output("sitemap.xml", sitemap(site.config, routes(site)), "sitemap")
    yield Output("robots.txt", robots(site.config), "robots")
    yield Output("_headers", headers(site.config), "headers")


INDEXERS: tuple[Indexer, ...] = (
    Indexer("cdn", cdn_files),
    Indexer("postcodes", postcode_shards, lookup_key),
    Indexer("synonyms", synonyms_file),
    Indexer("coverage", coverage_json, SITE_STRUCTURE, reads_report=True),
    Indexer("feeds", feed_files),
    Indexer("api", api_files, SITE_STRUCTURE),
    Indexer("redirects", redirect_files, SITE_STRUCTURE),
)
FINALISERS: tuple[Finaliser, ...] = (Finaliser("search", build_search_indexes, index_dir, SEARCH_OUTPUTS),)
