"""Benchmark search: indexing time and index size for Pagefind and Whoosh, and what a browser downloads.

    python bench/search.py                 # the demo site (this repository)
    python bench/search.py --site DIR      # any site
    python bench/search.py --national      # the generated national benchmark site (bench/sitegen.py)

The site is built once without search into a temporary folder; then each engine indexes it
from scratch, and Whoosh once more with nothing changed (what every later build costs). The
download figure is what a browser fetches for its first query, gzipped as a CDN would send it:
pagefind.js, its worker, the wasm, the metadata, the index and filter chunks and fragments
the query needs, plus search.js and the synonyms and council files.
"""

from __future__ import annotations

import argparse
import gzip
import inspect
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from localgov.build import build  # noqa: E402 - importable once the repository is on the path
from localgov.errors import Problems  # noqa: E402 - importable once the repository is on the path
from localgov.search.extract import condense, read_docs  # noqa: E402 - importable once the repository is on the path
from localgov.search.pagefind import index_folder  # noqa: E402 - importable once the repository is on the path
from localgov.search.whoosh import SearchIndex, index_dir, update_index  # noqa: E402 - importable once the repository is on the path

FIRST_QUERIES = [("bin day", []), ("bin day", ["maidstone", "kent"]), ("help paying rent", ["cardiff"])]


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def gzipped(data: bytes) -> int:
    """Bytes on the wire: files Pagefind already compressed are sent as they are."""
    return min(len(data), len(gzip.compress(data, compresslevel=6, mtime=0)))


def build_without_search(root: Path, out: Path) -> float:
    started = time.perf_counter()
    options = {"finalise": False} if "finalise" in inspect.signature(build).parameters else {}
    build(root, out, **options)  # type: ignore[arg-type]
    shutil.rmtree(out / "pagefind", ignore_errors=True)
    return time.perf_counter() - started


def first_query_bytes(out: Path, query: str, area: list[str]) -> tuple[int, int]:
    """Return (files, gzipped bytes) a fresh browser downloads to show the first results of `query`."""
    node = shutil.which("node")
    if node is None:
        return 0, 0
    request = {"queries": [{"query": query, "area": area}]}
    done = subprocess.run([node, str(REPO / "tests" / "pagefind_runner.mjs"), str(out)], input=json.dumps(request),
                          capture_output=True, text=True, timeout=600, check=True)
    fetched = json.loads(done.stdout)["loaded"]
    search_page = (out / "search" / "index.html").read_text(encoding="utf-8")
    script = search_page.split('<script type="module" src="/assets/search.', 1)[1].split('"', 1)[0]
    extra = [out / "pagefind" / "pagefind.js", out / "pagefind" / "pagefind-worker.js",
             out / "assets" / f"search.{script}", out / "search" / "synonyms.json"]
    total = sum(gzipped((out / path.lstrip("/")).read_bytes()) for path, _ in fetched)
    total += sum(gzipped(path.read_bytes()) for path in extra if path.is_file())
    return len(fetched) + len(extra), total


def bench(root: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="localgov-bench-search-"))
    try:
        out = work / "build"
        seconds = build_without_search(root, out)
        pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("index.html"))
        print(f"site: {root} ({len(pages):,} HTML pages, built without search in {seconds:.1f}s)")

        started = time.perf_counter()
        problems = Problems()
        indexed = index_folder(out, problems)
        pagefind_seconds = time.perf_counter() - started
        files, size = folder_size(out / "pagefind")
        print(f"Pagefind: indexed {indexed:,} pages in {pagefind_seconds:.1f}s; bundle {files:,} files, "
              f"{size / 1e6:.1f} MB")

        started = time.perf_counter()
        docs = condense(read_docs(out, pages))
        read_seconds = time.perf_counter() - started
        data = (out / "search" / "synonyms.json").read_bytes()
        cache_root = work / "cache-root"
        cold = update_index(index_dir(cache_root, out), docs, data)
        warm = update_index(index_dir(cache_root, out), docs, data)
        files, size = folder_size(index_dir(cache_root, out))
        print(f"Whoosh: read {len(docs):,} pages in {read_seconds:.1f}s; indexed from scratch in {cold.seconds:.1f}s, "
              f"unchanged in {warm.seconds:.2f}s; index {files:,} files, {size / 1e6:.1f} MB")

        queries = [q["query"] for q in json.loads(json.dumps(_relevance_queries()))] or ["bin day"]
        with SearchIndex(cache_root, out) as index:
            timings = []
            for query in queries:
                started = time.perf_counter()
                index.search(query, ("maidstone", "kent"))
                timings.append(time.perf_counter() - started)
        print(f"Whoosh query: median {statistics.median(timings) * 1000:.0f} ms, "
              f"slowest {max(timings) * 1000:.0f} ms over {len(timings)} queries (area maidstone+kent)")

        for query, area in FIRST_QUERIES:
            count, total = first_query_bytes(out, query, area)
            where = "+".join(area) or "no area"
            print(f"first query {query!r} ({where}): {count} files, {total / 1024:.0f} KiB gzipped")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _relevance_queries() -> list[dict[str, str]]:
    import yaml

    path = REPO / "tests" / "relevance_queries.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO, help="the site to measure (default: this repository)")
    parser.add_argument("--national", action="store_true", help="generate and measure the national benchmark site")
    args = parser.parse_args()
    if args.national:
        sys.path.insert(0, str(REPO / "bench"))
        try:
            from sitegen import generate  # type: ignore[import-not-found]
        except ImportError:
            print("bench/sitegen.py is not available", file=sys.stderr)
            return 2
        with tempfile.TemporaryDirectory(prefix="localgov-national-") as folder:
            root = Path(folder) / "site"
            generate(root, postcodes="none")
            shutil.copy(REPO / "content" / "_synonyms.yaml", root / "content" / "_synonyms.yaml")
            bench(root)
        return 0
    bench(args.site.resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
