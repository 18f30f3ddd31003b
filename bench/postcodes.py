"""Benchmark: read and compile every UK postcode, then write the browser shards.

Run with `python bench/postcodes.py`. Prints wall time and peak memory for reading and
compiling the built-in Nov 2025 ONSPD (2.7 million postcodes), the size of the saved
lookup, and the number and sizes of the shards.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from localgov.commands.postcode import read_registry, registry_maps  # noqa: E402 - importable once the repository is on the path
from localgov.postcodes import lookup as postcodes  # noqa: E402 - importable once the repository is on the path


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="site folder with councils/ (default: this repo)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure Python's own allocations (slows the run about 8 times)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    gss_to_slug, county_of = registry_maps(args.root, read_registry(args.root))
    rss_before = _max_rss_mb()
    if args.tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    # As a first build does: prepare the built-in data for any registry (else kept in the user's cache), then
    # compile it for this registry, which is all that a registry not seen before costs after that.
    prepared = postcodes.prepare_columns(postcodes._builtin_columns())
    prepare_seconds = time.perf_counter() - start
    start = time.perf_counter()
    lookup = postcodes.compile_prepared(prepared, gss_to_slug, county_of, postcodes.builtin_source())
    compile_seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] / 1e6 if args.tracemalloc else None
    tracemalloc.stop()
    stats = lookup.stats
    print(f"read + prepare:  {prepare_seconds:.1f} s for {stats.rows:,} rows "
          f"({stats.rows / prepare_seconds / 1e6:.2f} M rows/s); once per release of the data and of localgov")
    print(f"compile:         {compile_seconds:.2f} s for this registry, from the prepared data")
    print(f"peak RSS:        {_max_rss_mb():.0f} MB (was {rss_before:.0f} MB before reading)")
    if traced_peak is not None:
        print(f"tracemalloc:     {traced_peak:.0f} MB peak Python allocations")
    print(f"lookup:          {len(lookup):,} postcodes, {len(lookup.outcodes()):,} outcodes, "
          f"{len(lookup.areas)} areas; {stats.no_council:,} without a council, {stats.unknown:,} unknown")

    start = time.perf_counter()
    data = lookup.to_bytes()
    save_seconds = time.perf_counter() - start
    start = time.perf_counter()
    again = postcodes.PostcodeLookup.from_bytes(data)
    load_seconds = time.perf_counter() - start
    print(f"compiled file:   {len(data) / 1e6:.2f} MB; save {save_seconds * 1000:.0f} ms, "
          f"load {load_seconds * 1000:.0f} ms")

    start = time.perf_counter()
    queries = [f"{o} {e.inward}" for o in again.outcodes()[::50] for e in again.entries(o)]
    for query in queries:
        again.find(query)
    find_seconds = time.perf_counter() - start
    print(f"find():          {find_seconds / len(queries) * 1e6:.1f} µs per postcode ({len(queries):,} looked up)")

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        shards = postcodes.write_shards(again, Path(folder))
        shard_seconds = time.perf_counter() - start
    print(f"shards:          {shards.count:,} files in {shard_seconds:.1f} s; "
          f"total {shards.total_bytes / 1e6:.1f} MB ({shards.total_gzip_bytes / 1e6:.1f} MB gzipped)")
    print(f"shard (gzipped): median {shards.median_gzip_bytes / 1e3:.1f} KB, "
          f"largest {shards.largest} {shards.largest_gzip_bytes / 1e3:.1f} KB")
    return 0


def _max_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
