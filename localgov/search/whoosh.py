"""Server-side search with Whoosh, over the same pages and words as the browser's Pagefind search.

The build's last stage reads every service page from the staged output (the parts the
templates mark with `data-pagefind-*` attributes: the same text Pagefind indexes) into a
Whoosh index of that output folder, kept in `<site>/.localgov-cache/whoosh/<output>/`. The
build updates a staged copy of the index (only pages whose text changed are written again),
and the writer swaps it in with the output, so the index always describes the published
site, and each output folder has its own. `localgov search`, and `localgov serve` for
`/search?q=` (the search that works without JavaScript), read it.

Queries are read by `localgov.search.synonyms` exactly as `search.js` reads them in the browser;
a page's score is the best score of its common page and its variants for the resident's
councils, and each page is listed once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from localgov.errors import Problems
from localgov.model import Pages, Site
from localgov.search import pagefind
from localgov.search.extract import COMMON, Doc, condense, doc_path, read_doc
from localgov.search.spelling import WORDS_FILE, WORDS_JSON, SiteWords, count_words
from localgov.search.synonyms import Vocabulary, combine
from localgov.search.vocabulary import search_data
from localgov.urls import NATION_SCOPE, in_language

log = logging.getLogger(__name__)

CACHE_DIR = Path(".localgov-cache") / "whoosh"
# Change the name when the schema or the extraction changes: older indexes are then rebuilt.
INDEX_NAME = "localgov_pages_3"
DATA_FILE = "search-data.json"
PAGE_SIZE = 10
# Field weights: what a page is called and the words residents use for it count most.
FIELD_BOOSTS = {"title": 5.0, "keywords": 4.0, "summary": 2.0, "body": 1.0}


# -- what the templates mark up for search ---------------------------------------------------


# -- the shared vocabulary ---------------------------------------------------------------------


# -- the Whoosh index --------------------------------------------------------------------------


def index_dir(root: Path, out: Path | None = None) -> Path:
    """Return where the Whoosh index of the output folder `out` (default: build/ in the site) is kept."""
    folder = (out if out is not None else root / "build").resolve()
    return root / CACHE_DIR / hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:16]


def schema() -> Any:
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, STORED, TEXT, Schema

    analyzer = StemmingAnalyzer()
    return Schema(
        url=ID(stored=True, unique=True),
        page=ID(stored=True),
        scope=ID(stored=True),
        digest=STORED,
        council_name=STORED,
        provider=STORED,
        lang=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=FIELD_BOOSTS["title"]),
        keywords=TEXT(analyzer=analyzer, field_boost=FIELD_BOOSTS["keywords"]),
        summary=TEXT(analyzer=analyzer, stored=True, field_boost=FIELD_BOOSTS["summary"]),
        body=TEXT(analyzer=analyzer, field_boost=FIELD_BOOSTS["body"]),
    )


@dataclass
class IndexStats:
    """What one update of the Whoosh index did."""

    pages: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    rebuilt: bool = False
    seconds: float = 0.0


def update_index(folder: Path, docs: Iterable[Doc], data: bytes, *, timeout: float = 120.0,
                 site_words: bytes | None = None) -> IndexStats:
    """Bring the Whoosh index in `folder` in line with `docs`, writing only what changed.

    Every file is written anew, never rewritten in place (Whoosh adds segments and a new table of
    contents), so `folder` may start as hard links to the published index.
    """
    from whoosh import index

    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    stats = IndexStats()
    wanted = {doc.url: doc for doc in docs}
    stats.pages = len(wanted)
    existing: dict[str, str] = {}
    ix = None
    if index.exists_in(str(folder), indexname=INDEX_NAME):
        try:
            ix = index.open_dir(str(folder), indexname=INDEX_NAME)
            with ix.searcher() as searcher:
                existing = {f["url"]: f.get("digest", "") for f in searcher.all_stored_fields()}
        except Exception as exc:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
            log.warning("search index in %s is unreadable (%s); rebuilding it", folder, exc)
            ix = None
    changed = [doc for url, doc in wanted.items() if existing.get(url) != doc.digest]
    gone = [url for url in existing if url not in wanted]
    if ix is None or len(changed) + len(gone) > len(wanted) // 2:
        _clear(folder)
        ix = index.create_in(str(folder), schema(), indexname=INDEX_NAME)
        stats.rebuilt = True
        changed, gone = list(wanted.values()), []
    if changed or gone:
        writer = ix.writer(timeout=timeout, delay=0.25, limitmb=256)
        try:
            for url in gone:
                writer.delete_by_term("url", url)
            for doc in changed:
                fields = _fields(doc)
                if stats.rebuilt or doc.url not in existing:
                    writer.add_document(**fields)
                    stats.added += 1
                else:
                    writer.update_document(**fields)
                    stats.updated += 1
            writer.commit(optimize=stats.rebuilt)
        except BaseException:
            writer.cancel()
            raise
        stats.removed = len(gone)
    if site_words is None:
        site_words = words_json(wanted.values())
    for name, content in ((DATA_FILE, data), (WORDS_FILE, site_words)):
        data_path = folder / name
        if not data_path.is_file() or data_path.read_bytes() != content:
            _write_anew(data_path, content)
    stats.seconds = time.perf_counter() - started
    return stats


def _fields(doc: Doc) -> dict[str, str]:
    return {"url": doc.url, "page": doc.page, "scope": doc.scope, "digest": doc.digest,
            "council_name": doc.council_name, "provider": doc.provider, "lang": doc.lang, "title": doc.title,
            "keywords": doc.keywords, "summary": doc.summary, "body": doc.body}


def words_json(docs: Iterable[Doc]) -> bytes:
    """Return /search/words.json: every word of the searchable pages and how many pages have it."""
    counts = count_words(" ".join((d.title, d.summary, d.keywords, d.body)) for d in docs)
    return json.dumps(SiteWords(counts).to_json(), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _write_anew(path: Path, content: bytes) -> None:
    """Write a file of the index folder as a new file, never into the old one (which may be a hard link)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    partial.replace(path)


def _clear(folder: Path) -> None:
    for path in folder.iterdir():
        if path.name in (DATA_FILE, WORDS_FILE, DOCS_FILE):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


SEARCH_OUTPUTS = (pagefind.OUTPUT_SUBDIR, WORDS_JSON)  # what build_search_indexes adds to the output folder
DOCS_FILE = "documents.json"  # in the kept folder: each page's digest, and what search read from it
DOCS_VERSION = 1


def read_site_docs(staged: Path, cache: Path, pages: Pages) -> list[Doc]:
    """Return the searchable pages of the staged site, reading only pages that changed since the last build.

    What was read from each page is kept in `cache` under the page's digest, so a page whose bytes are
    unchanged is not read again (unless `pages.reuse` is false: a clean build). The kept list is written
    anew (never rewritten in place: `cache` may start as hard links to the published copy).
    """
    known: dict[str, list[Any]] = {}
    if pages.reuse:
        try:
            stored = json.loads((cache / DOCS_FILE).read_text(encoding="utf-8"))
            if isinstance(stored, dict) and stored.get("version") == DOCS_VERSION:
                known = stored["pages"]
        except (OSError, ValueError, KeyError, TypeError):
            known = {}
    found: list[Doc] = []
    kept: dict[str, list[Any]] = {}
    for rel, value in sorted(pages.digests.items()):
        digest = value.hex()
        entry = known.get(rel)
        doc: Doc | None
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == digest and \
                (entry[1] is None or isinstance(entry[1], dict)):
            doc = Doc(**entry[1]) if entry[1] is not None else None
        elif rel in pages.unindexed:
            doc = None
        else:
            doc = read_doc(staged, rel)
        kept[rel] = [digest, dataclasses.asdict(doc) if doc is not None else None]
        if doc is not None:
            found.append(doc)
    cache.mkdir(parents=True, exist_ok=True)
    _write_anew(cache / DOCS_FILE, json.dumps({"version": DOCS_VERSION, "pages": kept}, ensure_ascii=False,
                                              separators=(",", ":")).encode("utf-8"))
    return found


def build_search_indexes(site: Site, staged: Path, cache: Path, problems: Problems, pages: Pages) -> None:
    """Index the staged site for both engines: Pagefind (in the background) and Whoosh, side by side.

    `cache` is the staged copy of the Whoosh index of this output (see `index_dir`), swapped in with it;
    `pages` the digest of each HTML page, so that only pages that changed are read (`read_site_docs`).
    """
    found = read_site_docs(staged, cache, pages)
    # Pagefind reads only the pages search indexes (each common page, each nation's text, councils' own).
    running = pagefind.start(staged, problems, [doc_path(doc.url) for doc in found])
    try:
        docs = condense(found)
        site_words = words_json(docs)
        target = staged / WORDS_JSON
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(site_words)
        stats = update_index(cache, docs, search_data(site), site_words=site_words)
        log.info("Whoosh: %d pages (%d added, %d updated, %d removed%s) in %.1fs", stats.pages, stats.added,
                 stats.updated, stats.removed, ", rebuilt" if stats.rebuilt else "", stats.seconds)
    except Exception as exc:  # noqa: BLE001 - the site is still usable without server-side search
        problems.warn(CACHE_DIR.as_posix(), 0, f"server-side search index not updated: {type(exc).__name__}: {exc}")
    finally:
        if running is not None:
            pagefind.finish(running, problems)


# -- searching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A variant of a result for one of the resident's councils."""

    url: str
    council: str
    council_name: str


@dataclass(frozen=True)
class Result:
    """One page in a list of results: the variant for the resident's council where there is one."""

    page: str
    url: str
    title: str
    summary: str
    score: float
    council: str | None = None
    council_name: str = ""
    provider: str = ""
    also: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Results:
    """One page of results and what the query was read as."""

    query: str
    total: int
    results: tuple[Result, ...]
    area: tuple[str, ...] = ()
    named: tuple[str, ...] = ()
    council_pages: tuple[Link, ...] = ()
    offset: int = 0
    words: tuple[str, ...] = field(default_factory=tuple)
    corrected: tuple[tuple[str, str], ...] = ()  # (typed, searched for instead)
    searched: str = ""  # the query as searched for, after corrections
    unknown: tuple[str, ...] = ()  # words no page has: nothing can be a good answer
    suggestions: tuple[str, ...] = ()  # site words near the unknown words
    rest: str = ""  # the query without its unknown words, when something is left


class NoIndex(Exception):
    """The site has no search index yet."""


class SearchIndex:
    """An open Whoosh index of one built site (the output folder `out`, default build/), with its vocabulary."""

    def __init__(self, root: Path, out: Path | None = None) -> None:
        from whoosh import index
        from whoosh.analysis import StemmingAnalyzer

        folder = index_dir(root, out)
        if not index.exists_in(str(folder), indexname=INDEX_NAME) or not (folder / DATA_FILE).is_file():
            raise NoIndex(f"no search index in {folder}: run 'localgov build' first")
        self.root = root
        self.ix = index.open_dir(str(folder), indexname=INDEX_NAME)
        data = json.loads((folder / DATA_FILE).read_text(encoding="utf-8"))
        self.vocabulary = Vocabulary.from_json(data)
        self.variants: dict[str, frozenset[str]] = {c: frozenset(p) for c, p in data.get("variants", {}).items()}
        words_path = folder / WORDS_FILE
        counts = json.loads(words_path.read_text(encoding="utf-8")) if words_path.is_file() else None
        self.words = (SiteWords.from_json(counts, self.vocabulary.known_words()) if counts is not None else None)
        self.analyzer = StemmingAnalyzer()

    def close(self) -> None:
        self.ix.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def area_for(self, council: str) -> tuple[str, ...]:
        """Return the councils of the area a council's page belongs to (a district and its county)."""
        return self.vocabulary.area_of([council])

    def search(self, query: str, area: Sequence[str] = (), *, offset: int = 0, limit: int = PAGE_SIZE,
               lang: str = "en") -> Results:
        """Return the pages in `lang` for `query`, preferring the variants of the councils in `area`."""
        from whoosh import query as q

        reading = self.words.read(query) if self.words is not None else None
        searched = reading.text if reading is not None else query
        parsed = self.vocabulary.parse(searched)
        named = parsed.councils
        if named:
            area = self.vocabulary.area_of(named)
        area = tuple(c for c in area if c in self.vocabulary.councils)
        typed = tuple(s.typed for s in parsed.segments)
        extra: dict[str, Any] = {}
        if reading is not None:
            extra = {"corrected": reading.corrected, "searched": searched, "unknown": reading.unknown,
                     "suggestions": reading.suggestions}
        if parsed.empty:
            # Only council names (or a postcode): the answer is those councils' own pages.
            hubs = tuple(Link(in_language(f"/councils/{slug}/", lang) if self._has(f"/councils/{slug}/", lang)
                              else f"/councils/{slug}/", slug, self._council_name(slug, lang))
                         for slug in (named or area[:1]))
            return Results(query, 0, (), area, named, hubs, offset, typed, **extra)
        if reading is not None and reading.unknown:
            # A word no page has: no page is a good answer, whatever the other words match.
            rest = " ".join(w for w in searched.split() if w not in reading.unknown)
            rest = rest if self.vocabulary.parse(rest).segments else ""
            return Results(query, 0, (), area, named, (), offset, typed, **extra, rest=rest)
        scopes = self.vocabulary.scopes(area)
        scope_query = q.And([q.Or([q.Term("scope", s) for s in scopes]), q.Term("lang", lang)])
        per_doc: dict[int, list[float]] = {}
        # Words the index leaves out ("not", "3") narrow nothing: a segment of only such words is not required.
        segments = [[(matcher, alternative.weight) for alternative in segment.alternatives
                     if (matcher := self._alternative(alternative.text)) is not None]
                    for segment in parsed.segments]
        segments = [matchers for matchers in segments if matchers]
        with self.ix.searcher() as searcher:
            for number, matchers in enumerate(segments):
                for matcher, weight in matchers:
                    hits = searcher.search(q.Require(matcher, scope_query), limit=None, scored=True)
                    for hit in hits:
                        scores = per_doc.setdefault(hit.docnum, [0.0] * len(segments))
                        scores[number] = max(scores[number], hit.score * weight)
            best: dict[str, tuple[float, int]] = {}
            lacking = self.vocabulary.lacking(area)
            for docnum, scores in per_doc.items():
                score = combine(scores)
                page = searcher.stored_fields(docnum)["page"]
                if score <= 0 or page in lacking:
                    continue
                if page not in best or score > best[page][0]:
                    best[page] = (score, docnum)
            ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
            variants = self._variants(area, [page for page, _ in ranked[offset:offset + limit]], lang)
            results = tuple(self._result(searcher, page, docnum, score, variants.get(page, ()))
                            for page, (score, docnum) in ranked[offset:offset + limit])
        return Results(query, len(ranked), results, area, named, (), offset, typed, **extra)

    def _alternative(self, text: str) -> Any:
        from whoosh import query as q

        terms = [token.text for token in self.analyzer(text)]
        if not terms:
            return None
        return q.Or([q.And([q.Term(name, t) for t in terms]) if len(terms) > 1 else q.Term(name, terms[0])
                     for name in FIELD_BOOSTS])

    def _has(self, url: str, lang: str) -> bool:
        """Say whether the site has a page in `lang` at the English URL `url` (a Welsh council's hub has)."""
        return lang == "en" or url.startswith("/councils/") and any(
            c.nation == "wales" for slug, c in self.vocabulary.councils.items() if url == f"/councils/{slug}/")

    def _council_name(self, slug: str, lang: str) -> str:
        council = self.vocabulary.councils[slug]
        return council.welsh[0] if lang == "cy" and council.welsh else council.name

    def _variants(self, area: Sequence[str], pages: list[str], lang: str = "en") -> dict[str, tuple[Link, ...]]:
        """Return, for each page, its variants for the area's councils (lower tier first), in `lang` where they are.

        The index holds most pages once, not once per council, so which councils have a variant of a
        page comes from the build's list (the same one the browser reads from /search/councils/). Councils
        in Wales have each variant in Welsh too.
        """
        found: dict[str, list[Link]] = {}
        for council in area:
            has = self.variants.get(council, frozenset())
            name = self.vocabulary.councils[council].name if council in self.vocabulary.councils else council
            for page in pages:
                if page in has:
                    url = f"/{page}/{council}/"
                    welsh = lang == "cy" and council in self.vocabulary.councils \
                        and self.vocabulary.councils[council].nation == "wales"
                    found.setdefault(page, []).append(Link(in_language(url, "cy") if welsh else url, council,
                                                           self._council_name(council, lang) if welsh else name))
        return {page: tuple(links) for page, links in found.items()}

    def _result(self, searcher: Any, page: str, docnum: int, score: float, variants: tuple[Link, ...]) -> Result:
        stored = searcher.stored_fields(docnum)
        if variants:
            first, also = variants[0], variants[1:]
            return Result(page, first.url, stored["title"], stored.get("summary", ""), score, first.council,
                          first.council_name, stored.get("provider", ""), also)
        scope = stored["scope"]
        if scope.startswith(NATION_SCOPE):  # one nation's text of a page none of the area's councils has
            return Result(page, f"/{page}/", stored["title"], stored.get("summary", ""), score, None, "",
                          stored.get("provider", ""))
        return Result(page, stored["url"], stored["title"], stored.get("summary", ""), score,
                      None if scope == COMMON else scope, stored.get("council_name", ""), stored.get("provider", ""))


def search(root: Path, query: str, area: Sequence[str] = (), *, offset: int = 0, limit: int = PAGE_SIZE,
           out: Path | None = None, lang: str = "en") -> Results:
    """Search the site at `root` as built into `out` (default: build/ in the site), its pages in `lang`."""
    with SearchIndex(root, out) as index_:
        return index_.search(query, area, offset=offset, limit=limit, lang=lang)


# -- the results page (no JavaScript needed) -------------------------------------------------


