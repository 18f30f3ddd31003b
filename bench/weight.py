"""How heavy is a first visit? Bytes a browser downloads, per page type, gzipped as a CDN would send them.

Follows what each page references: stylesheets, the icon, scripts and the modules they import
statically, images, and the fonts and images the stylesheets use. A first visit has an empty
cache, so every file counts once per page. Also prints the extra bytes of a postcode lookup (the
list of areas and one outcode's shard) and of the first search (Pagefind's files, fetched on demand).

Then measures a first search in a real browser (Debian's Chromium, driven by Playwright, with an
empty cache): a resident of one council's area searches from the search page, and every file the
browser fetches for the search itself (beyond the page and its stylesheets, scripts and fonts) is
counted, gzipped as a CDN sends it (Pagefind's own files are gzipped already and count as they are).

    python bench/weight.py            # build the demo site into a temporary folder first
    python bench/weight.py build/     # measure a site already built
    python bench/weight.py build/ --query "bin day" --council maidstone

Service pages should stay under 100 KB for a first visit (BUDGET); a first search should download
under 150 KB (SEARCH_BUDGET).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUDGET = 100 * 1024
SEARCH_BUDGET = 150 * 1024
CHROMIUM = os.environ.get("LOCALGOV_CHROMIUM", "/usr/bin/chromium")
GZIP_LEVEL = 6  # what most CDNs and web servers use by default

LINKED = re.compile(r'<link\b[^>]*\brel="(?:stylesheet|icon)"[^>]*\bhref="(/[^"]+)"|<link\b[^>]*\bhref="(/[^"]+)"[^>]*'
                    r'\brel="(?:stylesheet|icon)"', re.IGNORECASE)
SOURCED = re.compile(r'<(?:script|img|source)\b[^>]*\bsrc="(/[^"]+)"', re.IGNORECASE)
STATIC_IMPORT = re.compile(r'\bimport\s*(?:[\w*{}\s,]+from\s*)?["\'](/[^"\']+)["\']')
DYNAMIC_IMPORT = re.compile(r'\bimport\(\s*["\'](/[^"\']+)["\']\s*\)')
CSS_URL = re.compile(r'url\(\s*["\']?(/[^"\')]+)["\']?\s*\)')


@dataclass
class Visit:
    """The files one first visit downloads, and the references that lead nowhere."""

    files: dict[str, int] = field(default_factory=dict)  # URL path -> gzipped bytes
    missing: set[str] = field(default_factory=set)  # named by the page or a script, and not in the site
    unused: set[str] = field(default_factory=set)  # named by a stylesheet, not in the site: only rules we never use
    on_demand: set[str] = field(default_factory=set)  # modules the page's scripts import only when needed

    @property
    def total(self) -> int:
        return sum(self.files.values())

    def by_kind(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for url, size in self.files.items():
            kind = kind_of(url)
            kinds[kind] = kinds.get(kind, 0) + size
        return kinds


def kind_of(url: str) -> str:
    suffix = url.rsplit(".", 1)[-1].lower() if "." in url.rsplit("/", 1)[-1] else "html"
    return {"css": "CSS", "js": "JS", "mjs": "JS", "woff": "fonts", "woff2": "fonts", "ttf": "fonts",
            "svg": "images", "png": "images", "jpg": "images", "gif": "images", "ico": "images",
            "html": "HTML"}.get(suffix, "other")


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def file_for(site: Path, url: str) -> Path:
    path = url.split("#", 1)[0].split("?", 1)[0].lstrip("/")
    return site / path / "index.html" if path == "" or path.endswith("/") else site / path


def first_visit(site: Path, url: str) -> Visit:
    """Return what a browser with an empty cache downloads to show `url`."""
    visit = Visit()
    queue = [url]
    from_css: set[str] = set()
    while queue:
        current = queue.pop(0)
        if current in visit.files or current in visit.missing or current in visit.unused:
            continue
        path = file_for(site, current)
        if current == url and not path.is_file():
            path = site / "404.html"
        if not path.is_file():
            # A browser fetches what a stylesheet names only for rules that apply; a missing file there is unused.
            (visit.unused if current in from_css else visit.missing).add(current)
            continue
        data = path.read_bytes()
        visit.files[current] = gzipped(data)
        text = data.decode("utf-8", "replace")
        kind = kind_of(current) if current != url else "HTML"
        if kind == "HTML":
            queue += [a or b for a, b in LINKED.findall(text)] + SOURCED.findall(text)
        elif kind == "JS":
            queue += STATIC_IMPORT.findall(text)
            visit.on_demand.update(DYNAMIC_IMPORT.findall(text))
        elif kind == "CSS":
            named = CSS_URL.findall(text)
            from_css.update(named)
            queue += named
    return visit


def page_types(site: Path) -> dict[str, str]:
    """Pick one URL of each kind of page from the built site."""
    pages: dict[str, str] = {"home": "/", "A to Z of councils": "/councils/", "search": "/search/",
                             "page not found": "/no-such-page/"}
    for name, url in (("hub, two-tier district", "/councils/maidstone/"), ("hub, county", "/councils/kent/"),
                      ("hub, unitary", "/councils/medway/"), ("status", "/status/")):
        if file_for(site, url).is_file():
            pages[name] = url
    top = sorted(f"/{p.parent.name}/" for p in site.glob("*/index.html")
                 if p.parent.name not in ("councils", "search", "status"))
    html = {url: file_for(site, url).read_text(encoding="utf-8") for url in top}
    # A service page for all councils offers the list of councils; a topic page lists its service pages.
    common = [url for url in top if 'class="lg-find"' in html[url]]
    topic_pages = [url for url in top if "lg-page-list" in html[url] and url not in common]
    if topic_pages:
        pages["topic"] = topic_pages[0]
    if common:
        pages["service page (all councils)"] = "/bin-collections/" if "/bin-collections/" in common else common[0]
        # The service page with the longest list of councils is the heaviest.
        pages["service page (all councils, heaviest)"] = max(common, key=lambda u: gzipped(html[u].encode("utf-8")))
        chosen = pages["service page (all councils)"].strip("/")
        variants = sorted(f"/{chosen}/{p.parent.name}/" for p in (site / chosen).glob("*/index.html"))
        if variants:
            pages["service page (one council)"] = next((v for v in variants if v.endswith("/maidstone/")), variants[0])
    return pages


def postcode_extra(site: Path, postcode_outcode: str = "ME15") -> list[tuple[str, int]]:
    """Return the extra bytes of a postcode lookup: the list of areas plus one shard (median, largest, ME15)."""
    folder = site / "postcodes"
    if not (folder / "areas.json").is_file():
        return []
    areas = gzipped((folder / "areas.json").read_bytes())
    shards = {p.stem: gzipped(p.read_bytes()) for p in folder.glob("*.json") if p.name != "areas.json"}
    rows = [("areas.json", areas)]
    if shards:
        largest = max(shards, key=shards.__getitem__)
        rows += [(f"median shard ({len(shards):,} outcodes)", int(statistics.median(shards.values()))),
                 (f"largest shard ({largest})", shards[largest])]
        if postcode_outcode in shards:
            rows.append((f"{postcode_outcode} shard", shards[postcode_outcode]))
    return rows


def search_extra(site: Path) -> list[tuple[str, int]]:
    """Return what Pagefind fetches for a first query: its script, entry, WebAssembly, metadata and one chunk."""
    folder = site / "pagefind"
    if not (folder / "pagefind.js").is_file():
        return []
    rows = [(name, gzipped((folder / name).read_bytes())) for name in ("pagefind.js", "pagefind-entry.json")
            if (folder / name).is_file()]
    # Pagefind's .pagefind and .pf_* files are already gzipped: they are sent as they are.
    rows += [(path.name, path.stat().st_size) for path in sorted(folder.glob("wasm.*.pagefind"))[:1]]
    rows += [(path.name, path.stat().st_size) for path in sorted(folder.glob("pagefind.*.pf_meta"))[:1]]
    chunks = sorted(p.stat().st_size for p in (folder / "index").glob("*.pf_index"))
    if chunks:
        rows.append((f"median index chunk ({len(chunks):,})", int(statistics.median(chunks))))
    return rows


@dataclass
class BrowserSearch:
    """What a real browser downloaded for one first search."""

    url: str
    results: int
    page: dict[str, int] = field(default_factory=dict)  # URL path -> bytes, the search page and what it loads
    search: dict[str, int] = field(default_factory=dict)  # URL path -> bytes, fetched for the search itself

    @property
    def search_total(self) -> int:
        return sum(self.search.values())


def sent_size(path: str, body: bytes) -> int:
    """Return the bytes a CDN sends for a file: Pagefind's compressed files as they are, the rest gzipped."""
    if path.startswith("/pagefind/") and not path.endswith((".js", ".json", ".css")):
        return len(body)
    return gzipped(body)


def first_search_in_browser(site: Path, query: str, council: str) -> BrowserSearch:
    """Serve `site` and search it once in Chromium with an empty cache, as a resident of `council`'s area."""
    import functools
    import http.server
    import threading
    import urllib.parse

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the standard library's name
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    url = f"{base}/search/?{urllib.parse.urlencode({'q': query, 'council': council})}"
    found = BrowserSearch(url=url, results=0)
    page_files = set(first_visit(site, "/search/").files)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_context().new_page()
                bodies: dict[str, bytes] = {}

                def seen(response: object) -> None:
                    try:
                        bodies[urllib.parse.urlsplit(response.url).path] = response.body()  # type: ignore[attr-defined]
                    except Exception:  # noqa: BLE001 - a redirect or an aborted fetch has no body
                        pass

                page.on("response", seen)
                page.goto(url)
                page.locator("#search-count").wait_for(state="visible", timeout=60_000)
                page.wait_for_load_state("networkidle")
                found.results = page.locator("#search-list li").count()
            finally:
                browser.close()
    finally:
        server.shutdown()
    for path, body in bodies.items():
        (found.page if path in page_files or path == "/search/" else found.search)[path] = sent_size(path, body)
    return found


def kb(size: int) -> str:
    return f"{size / 1024:6.1f} KB"


def report(site: Path) -> int:
    """Print the weights; return 1 when a service page is over the budget."""
    over = []
    unused: set[str] = set()
    print(f"First visit, gzip level {GZIP_LEVEL}, from {site}\n")
    print(f"{'page type':<40} {'total':>9}   {'HTML':>9} {'CSS':>9} {'JS':>9} {'fonts':>9} {'images':>9}  URL")
    for name, url in page_types(site).items():
        visit = first_visit(site, url)
        kinds = visit.by_kind()
        cells = " ".join(kb(kinds.get(k, 0)) for k in ("HTML", "CSS", "JS", "fonts", "images"))
        flag = "  OVER BUDGET" if name.startswith("service page") and visit.total > BUDGET else ""
        print(f"{name:<40} {kb(visit.total)}   {cells}  {url}{flag}")
        if visit.missing:
            print(f"{'':<40} missing: {', '.join(sorted(visit.missing))}")
        unused |= visit.unused
        if flag:
            over.append(name)
    if unused:
        print(f"\nNamed by stylesheets but not in the site (rules our pages do not use): {', '.join(sorted(unused))}")
    home = first_visit(site, "/")
    print("\nFiles of the home page:")
    for url, size in sorted(home.files.items(), key=lambda item: -item[1]):
        print(f"  {kb(size)}  {url}")
    extra = postcode_extra(site)
    if extra:
        print("\nA postcode lookup adds (gzipped):")
        for label, size in extra:
            print(f"  {kb(size)}  {label}")
        typical = extra[0][1] + next((s for label, s in extra if label.startswith("median")), 0)
        print(f"  {kb(typical)}  typical total: the areas list and a median shard")
    search = search_extra(site)
    if search:
        print("\nA first search adds (gzipped):")
        for label, size in search:
            print(f"  {kb(size)}  {label}")
        print(f"  {kb(sum(s for _, s in search))}  about, in total, before result fragments")
    print(f"\nBudget for a first visit to a service page: {kb(BUDGET)}; "
          + ("over: " + ", ".join(over) if over else "every service page is within it"))
    return 1 if over else 0


def report_search(site: Path, query: str, council: str) -> int:
    """Print what a first search downloads in a real browser; return 1 when it is over SEARCH_BUDGET."""
    if not Path(CHROMIUM).is_file():
        print(f"\nFirst search in a browser: skipped (no Chromium at {CHROMIUM})")
        return 0
    found = first_search_in_browser(site, query, council)
    print(f"\nFirst search in Chromium, empty cache: {query!r} for {council} ({found.results} results on the page)")
    for path, size in sorted(found.search.items(), key=lambda item: -item[1]):
        print(f"  {kb(size)}  {path}")
    print(f"  {kb(found.search_total)}  downloaded for the search ({len(found.search)} files; target under "
          f"{kb(SEARCH_BUDGET).strip()}), beside {kb(sum(found.page.values())).strip()} for the search page itself")
    return 1 if found.search_total > SEARCH_BUDGET else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, help="a built site (default: build the demo site first)")
    parser.add_argument("--query", default="bin day", help="the first search (default: bin day)")
    parser.add_argument("--council", default="maidstone", help="the resident's council (default: maidstone)")
    parser.add_argument("--search-only", action="store_true", help="only the first search in a browser")
    args = parser.parse_args(argv)
    if args.site is not None:
        if args.search_only:
            return report_search(args.site, args.query, args.council)
        return report(args.site) | report_search(args.site, args.query, args.council)
    with tempfile.TemporaryDirectory(prefix="localgov-weight-") as temporary:
        out = Path(temporary) / "build"
        print("Building the demo site...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "localgov", "--root", str(REPO), "build", "--out", str(out)],
                       check=True, env={**os.environ}, stdout=subprocess.DEVNULL)
        try:
            return report(out) | report_search(out, args.query, args.council)
        finally:
            from localgov.build.cache import manifest_path

            manifest_path(REPO, out).unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
