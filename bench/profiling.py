"""Where does a build spend its time? Profile one clean build in one process with cProfile.

    python bench/profiling.py                 # the repository's own site (the national demo)
    python bench/profiling.py --national      # the national benchmark site (bench/sitegen.py)
    python bench/profiling.py --out prof.txt  # also keep the whole table

Renders in this process (LOCALGOV_JOBS=1), so that every page's work is in the profile, and leaves
the search indexes out (`--search` puts them back). Prints the build's own step timings, then the
functions that took the most time themselves and the most time with what they called.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TODAY = "2026-11-24"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true", help="profile the national benchmark site")
    parser.add_argument("--search", action="store_true", help="include the search indexing step")
    parser.add_argument("--top", type=int, default=30, help="rows of each table (default 30)")
    parser.add_argument("--out", type=Path, help="write the whole table to this file")
    args = parser.parse_args()
    os.environ["LOCALGOV_JOBS"] = "1"
    os.environ["LOCALGOV_TODAY"] = TODAY

    from localgov.build import build

    with tempfile.TemporaryDirectory(prefix="localgov-profile-") as temporary:
        work = Path(temporary)
        root = ROOT
        if args.national:
            from bench.sitegen import generate

            root = work / "site"
            generate(root)
        out = work / "build"
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        result = build(root, out, incremental=False, finalise=args.search)
        profiler.disable()
        seconds = time.perf_counter() - started
        if root == ROOT:
            from localgov.build.cache import forget_manifest

            forget_manifest(root, out)
    print(f"Clean build of {root if root == ROOT else 'the national benchmark site'}: {result.pages:,} pages "
          f"in {seconds:.1f}s under the profiler, one process ({result.pages / seconds:,.0f} pages/s)")
    print("Steps: " + ", ".join(f"{name} {value:.1f}s" for name, value in result.timings.items()))
    for order, title in (("tottime", "time in the function itself"), ("cumulative", "time with what it called")):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats(order).print_stats(args.top)
        table = stream.getvalue()
        print(f"\n== {title} ==")
        print(table[table.index("   ncalls"):].rstrip())
    if args.out:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats()
        args.out.write_text(stream.getvalue(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
