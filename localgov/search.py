"""Server-side search with Whoosh, over the same pages and words as the browser's Pagefind search.

The build's last stage reads every service page from the staged output (the parts the
templates mark with `data-pagefind-*` attributes: the same text Pagefind indexes) into a
Whoosh index in `<site>/.localgov-cache/whoosh`. The index is kept between builds and only
pages whose text changed are written again. `localgov search`, and `localgov serve` for
`/search?q=` (the search that works without JavaScript), read it.

Queries are read by `localgov.synonyms` exactly as `search.js` reads them in the browser;
a page's score is the best score of its common page and its variants for the resident's
councils, and each page is listed once.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Self

from localgov.errors import Problems
from localgov.render import Output
from localgov.site import Site
from localgov.synonyms import CouncilName, Vocabulary, combine, words

log = logging.getLogger(__name__)

CACHE_DIR = Path(".localgov-cache") / "whoosh"
# Change the name when the schema or the extraction changes: older indexes are then rebuilt.
INDEX_NAME = "localgov_pages_2"
DATA_FILE = "search-data.json"
SYNONYMS_PATH = "search/synonyms.json"
COUNCIL_PAGES_DIR = "search/councils"
COMMON = "common"
PAGE_SIZE = 10
# Field weights: what a page is called and the words residents use for it count most.
FIELD_BOOSTS = {"title": 5.0, "keywords": 4.0, "summary": 2.0, "body": 1.0}


# -- what the templates mark up for search ---------------------------------------------------


@dataclass(frozen=True)
class Doc:
    """One searchable page, read from its HTML."""

    url: str
    page: str
    scope: str
    title: str
    summary: str = ""
    keywords: str = ""
    body: str = ""
    council_name: str = ""
    provider: str = ""

    @property
    def digest(self) -> str:
        parts = (self.url, self.page, self.scope, self.title, self.summary, self.keywords, self.body,
                 self.council_name, self.provider)
        text = "\x1f".join(parts)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>|<!--.*?-->", re.DOTALL)
_ATTR = re.compile(r"([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
_BODY_START = re.compile(r"<main\b[^>]*\bdata-pagefind-body\b[^>]*>")
_SPACES = re.compile(r"\s+")
# Block-level tags end a word even when the HTML has no space between them.
_BLOCK = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "td", "th", "dd", "dt", "tr", "br", "ul",
                   "ol", "section", "table", "blockquote", "summary", "details", "span", "a"})


def _attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        value = match.group(2) if match.group(2) is not None else match.group(3) if match.group(3) is not None else match.group(4)
        found[match.group(1).lower()] = html.unescape(value or "")
    return found


def _pairs(value: str) -> dict[str, str]:
    """Read Pagefind's `key:value, key:value` attribute form."""
    pairs: dict[str, str] = {}
    for part in value.split(","):
        key, colon, val = part.partition(":")
        if colon:
            pairs[key.strip()] = val.strip()
    return pairs


def extract(text: str, path: str) -> Doc | None:
    """Return the searchable parts of one built page, or None if the page is not marked for search."""
    start = _BODY_START.search(text)
    if start is None:
        return None
    end = text.find("</main>", start.end())
    region = text[start.end(): end if end >= 0 else len(text)]
    fields: dict[str, list[str]] = {"title": [], "summary": [], "keywords": [], "body": [], "council_name": []}
    filters: dict[str, str] = {}
    meta: dict[str, str] = {}
    # Each open element: (tag, field its text goes to, or None when ignored).
    stack: list[tuple[str, str | None]] = []
    current: str | None = "body"
    position = 0
    for match in _TAG.finditer(region):
        if current is not None and match.start() > position:
            fields[current].append(region[position:match.start()])
        position = match.end()
        if match.group(2) is None:  # a comment
            continue
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if closing:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == tag:
                    del stack[depth:]
                    break
            current = stack[-1][1] if stack else "body"
            if current is not None and tag in _BLOCK:
                fields[current].append(" ")
            continue
        attrs = _attributes(match.group(3)) if "data-" in match.group(3) else {}
        if "data-pagefind-filter" in attrs:
            filters.update(_pairs(attrs["data-pagefind-filter"]))
        meta_attr = attrs.get("data-pagefind-meta", "")
        if meta_attr:
            meta.update({k: v for k, v in _pairs(meta_attr).items() if v})
        if "data-pagefind-ignore" in attrs:
            target: str | None = None
        elif meta_attr in ("summary", "council"):
            target = "summary" if meta_attr == "summary" else "council_name"
        elif "data-pagefind-weight" in attrs:
            target = "keywords"
        elif tag == "h1" and current == "body":
            target = "title"
        else:
            target = current
        if current is not None and tag in _BLOCK:
            fields[current].append(" ")
        if tag in _VOID or match.group(3).rstrip().endswith("/"):
            continue
        stack.append((tag, target))
        current = target
    if current is not None:
        fields[current].append(region[position:])
    clean = {name: _SPACES.sub(" ", html.unescape("".join(parts))).strip() for name, parts in fields.items()}
    page = filters.get("page") or meta.get("page")
    if not page:
        return None
    url = "/" + path[: -len("index.html")] if path.endswith("index.html") else "/" + path
    return Doc(url=url, page=page, scope=filters.get("council", COMMON), title=clean["title"], summary=clean["summary"],
               keywords=clean["keywords"], body=clean["body"], council_name=clean["council_name"],
               provider=meta.get("provider", ""))


def read_docs(folder: Path, paths: Iterable[str]) -> Iterator[Doc]:
    """Read the searchable pages among `paths` (POSIX, relative to `folder`)."""
    for rel in paths:
        if not rel.endswith(".html"):
            continue
        doc = extract((folder / rel).read_text(encoding="utf-8"), rel)
        if doc is not None:
            yield doc


def condense(docs: Iterable[Doc]) -> list[Doc]:
    """Keep of each variant's body only the words its common page does not have.

    A variant ranks like its common page for the common page's words (search scores a page by
    the best of its documents), so indexing those words once per council would only cost time:
    a national site has hundreds of variants of every page. What a council adds or changes
    (its name, its own sections) stays searchable, for that council's residents.
    """
    docs = list(docs)
    common = {doc.page: set(words(doc.body)) for doc in docs if doc.scope == COMMON}
    condensed: list[Doc] = []
    for doc in docs:
        known = common.get(doc.page) if doc.scope != COMMON else None
        if known is not None:
            doc = replace(doc, body=" ".join(w for w in words(doc.body) if w not in known))
        condensed.append(doc)
    return condensed


# -- the shared vocabulary ---------------------------------------------------------------------


def vocabulary(site: Site) -> Vocabulary:
    """Return the site's synonyms and council names, as both engines read them."""
    councils = {
        slug: CouncilName(slug, c.name, c.short_name, c.parent) for slug, c in sorted(site.councils.items())
    }
    return Vocabulary(site.content.synonyms, councils)


def vocabulary_json(site: Site) -> bytes:
    return json.dumps(vocabulary(site).to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def synonyms_file(site: Site, page_paths: list[str], problems: Problems) -> Iterable[Output]:
    """Return /search/synonyms.json (stop words, synonym groups and council names for search.js) and,
    for each council, /search/councils/<slug>.json: the pages it has a variant of, so the browser can
    link a result to the resident's own council without loading the variant."""
    yield Output(SYNONYMS_PATH, vocabulary_json(site), "content/_synonyms.yaml")
    pages: dict[str, list[str]] = {slug: [] for slug in site.councils}
    for page in sorted(site.content.pages):
        for council in site.resolution.councils_for(page):
            pages.setdefault(council, []).append(page)
    for council, slugs in sorted(pages.items()):
        data = json.dumps({"pages": slugs}, separators=(",", ":")).encode("utf-8")
        yield Output(f"{COUNCIL_PAGES_DIR}/{council}.json", data, site.councils[council].source)


# -- the Whoosh index --------------------------------------------------------------------------


def index_dir(root: Path) -> Path:
    return root / CACHE_DIR


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


def update_index(root: Path, docs: Iterable[Doc], data: bytes, *, timeout: float = 120.0) -> IndexStats:
    """Bring the Whoosh index of the site at `root` in line with `docs`, writing only what changed."""
    from whoosh import index

    started = time.perf_counter()
    folder = index_dir(root)
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
    data_path = folder / DATA_FILE
    if not data_path.is_file() or data_path.read_bytes() != data:
        partial = data_path.with_name(DATA_FILE + ".partial")
        partial.write_bytes(data)
        partial.replace(data_path)
    stats.seconds = time.perf_counter() - started
    return stats


def _fields(doc: Doc) -> dict[str, str]:
    return {"url": doc.url, "page": doc.page, "scope": doc.scope, "digest": doc.digest, "council_name": doc.council_name,
            "provider": doc.provider, "title": doc.title, "keywords": doc.keywords, "summary": doc.summary,
            "body": doc.body}


def _clear(folder: Path) -> None:
    for path in folder.iterdir():
        if path.name == DATA_FILE:
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def build_search_indexes(site: Site, staged: Path, problems: Problems) -> None:
    """Index the staged site for both engines: Pagefind (in the background) and Whoosh, side by side."""
    from localgov import pagefind_index

    pages = sorted(p.relative_to(staged).as_posix() for p in staged.rglob("index.html"))
    running = pagefind_index.start(staged, problems)
    try:
        stats = update_index(site.config.root, condense(read_docs(staged, pages)), vocabulary_json(site))
        log.info("Whoosh: %d pages (%d added, %d updated, %d removed%s) in %.1fs", stats.pages, stats.added,
                 stats.updated, stats.removed, ", rebuilt" if stats.rebuilt else "", stats.seconds)
    except Exception as exc:  # noqa: BLE001 - the site is still usable without server-side search
        problems.warn(CACHE_DIR.as_posix(), 0, f"server-side search index not updated: {type(exc).__name__}: {exc}")
    finally:
        if running is not None:
            pagefind_index.finish(running, problems)


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


class NoIndex(Exception):
    """The site has no search index yet."""


class SearchIndex:
    """An open Whoosh index of one site, with the vocabulary it was built with."""

    def __init__(self, root: Path) -> None:
        from whoosh import index
        from whoosh.analysis import StemmingAnalyzer

        folder = index_dir(root)
        if not index.exists_in(str(folder), indexname=INDEX_NAME) or not (folder / DATA_FILE).is_file():
            raise NoIndex(f"no search index in {folder}: run 'localgov build' first")
        self.root = root
        self.ix = index.open_dir(str(folder), indexname=INDEX_NAME)
        self.vocabulary = Vocabulary.from_json(json.loads((folder / DATA_FILE).read_text(encoding="utf-8")))
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

    def search(self, query: str, area: Sequence[str] = (), *, offset: int = 0, limit: int = PAGE_SIZE) -> Results:
        """Return the pages for `query`, preferring the variants of the councils in `area`."""
        from whoosh import query as q

        parsed = self.vocabulary.parse(query)
        named = parsed.councils
        if named:
            area = self.vocabulary.area_of(named)
        area = tuple(c for c in area if c in self.vocabulary.councils)
        typed = tuple(s.typed for s in parsed.segments)
        if parsed.empty:
            # Only council names: the answer is those councils' own pages.
            hubs = tuple(Link(f"/councils/{slug}/", slug, self.vocabulary.councils[slug].name) for slug in named)
            return Results(query, 0, (), area, named, hubs, offset, typed)
        scopes = (COMMON, *area)
        scope_query = q.Or([q.Term("scope", s) for s in scopes])
        per_doc: dict[int, list[float]] = {}
        with self.ix.searcher() as searcher:
            for number, segment in enumerate(parsed.segments):
                for alternative in segment.alternatives:
                    matcher = self._alternative(alternative.text)
                    if matcher is None:
                        continue
                    hits = searcher.search(q.Require(matcher, scope_query), limit=None, scored=True)
                    for hit in hits:
                        scores = per_doc.setdefault(hit.docnum, [0.0] * len(parsed.segments))
                        scores[number] = max(scores[number], hit.score * alternative.weight)
            best: dict[str, tuple[float, int]] = {}
            for docnum, scores in per_doc.items():
                score = combine(scores)
                page = searcher.stored_fields(docnum)["page"]
                if page not in best or score > best[page][0]:
                    best[page] = (score, docnum)
            ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
            variants = self._variants(searcher, area, [page for page, _ in ranked[offset:offset + limit]])
            results = tuple(self._result(searcher, page, docnum, score, variants.get(page, ()))
                            for page, (score, docnum) in ranked[offset:offset + limit])
        return Results(query, len(ranked), results, area, named, (), offset, typed)

    def _alternative(self, text: str) -> Any:
        from whoosh import query as q

        terms = [token.text for token in self.analyzer(text)]
        if not terms:
            return None
        return q.Or([q.And([q.Term(name, t) for t in terms]) if len(terms) > 1 else q.Term(name, terms[0])
                     for name in FIELD_BOOSTS])

    def _variants(self, searcher: Any, area: Sequence[str], pages: list[str]) -> dict[str, tuple[Link, ...]]:
        """Return, for each page, its variants for the area's councils (lower tier first)."""
        found: dict[str, list[Link]] = {}
        for council in area:
            for page in pages:
                stored = searcher.document(url=f"/{page}/{council}/")
                if stored is not None:
                    found.setdefault(page, []).append(Link(stored["url"], council, stored.get("council_name", "")))
        return {page: tuple(links) for page, links in found.items()}

    def _result(self, searcher: Any, page: str, docnum: int, score: float, variants: tuple[Link, ...]) -> Result:
        stored = searcher.stored_fields(docnum)
        if variants:
            first, also = variants[0], variants[1:]
            return Result(page, first.url, stored["title"], stored.get("summary", ""), score, first.council,
                          first.council_name, stored.get("provider", ""), also)
        scope = stored["scope"]
        return Result(page, stored["url"], stored["title"], stored.get("summary", ""), score,
                      None if scope == COMMON else scope, stored.get("council_name", ""), stored.get("provider", ""))




def search(root: Path, query: str, area: Sequence[str] = (), *, offset: int = 0, limit: int = PAGE_SIZE) -> Results:
    """Search the site at `root` (built at least once)."""
    with SearchIndex(root) as index_:
        return index_.search(query, area, offset=offset, limit=limit)


def postcode_area(root: Path, postcode: str) -> tuple[str, ...]:
    """Return the councils serving a postcode, lower tier first; () when it is unknown or has none."""
    from localgov import postcode_cli, postcodes

    councils = postcode_cli.read_registry(root)
    gss_to_slug, county_of = postcode_cli.registry_maps(root, councils)
    return postcodes.site_lookup(root, gss_to_slug, county_of).find(postcode).councils


# -- the results page (no JavaScript needed) -------------------------------------------------

PROVIDER_TEXT = {
    "lower": "Provided by your district, borough, city or unitary council",
    "upper": "Provided by your county or unitary council",
    "all": "Provided by your county and district councils, or your unitary council",
}


def results_page(site_root: Path, query: str, postcode: str | None = None, council: str | None = None,
                 page: int = 1) -> bytes:
    """Render /search/ with the results for `query`, in the site's own layout.

    The resident's councils come from `council` (the page they searched from) or `postcode`.
    Raises NoIndex when the site has not been built yet.
    """
    from urllib.parse import urlencode

    from markupsafe import Markup

    from localgov.assets import build_assets
    from localgov.build import static_dirs
    from localgov.config import load_config
    from localgov.render import layout_environment

    query = " ".join(query.split())
    page = max(1, page)
    with SearchIndex(site_root) as index_:
        area: tuple[str, ...] = ()
        if council and council in index_.vocabulary.councils:
            area = index_.area_for(council)
        elif postcode:
            area = postcode_area(site_root, postcode)
        results = index_.search(query, area, offset=(page - 1) * PAGE_SIZE) if query else None
        names = index_.vocabulary.councils
    config = load_config(site_root, Problems())
    assets = {a.name: a.url for a in build_assets(site_root, static_dirs(site_root))}
    env = layout_environment(site_root)
    partials: dict[str, Markup] = {}

    def chrome(name: str) -> Markup:
        if name not in partials:
            partials[name] = Markup(env.get_template(name).render())
        return partials[name]

    env.globals.update(site=config, asset=assets.__getitem__, chrome=chrome)
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
    )
    return html_.encode("utf-8")


def answer(site_root: Path, request_path: str) -> bytes | None:
    """Return the results page for a request to /search?q=... or /search/?q=..., or None for any other request."""
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
                            number)
    except NoIndex:
        log.warning("no search index for %s yet; serving the static search page", site_root)
        return None
