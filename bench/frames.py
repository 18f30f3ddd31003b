"""Render every variant of a site with and without frames (localgov/render/frames.py): time both, compare bytes.

    python bench/frames.py                    # the repository's own site (the national demo)
    python bench/frames.py --national         # the national benchmark site (bench/sitegen.py)
    python bench/frames.py --today 2027-04-02 # as on another day (Surrey's new councils)

Both passes render in this process, one after the other, with the same loaded site; each page's
bytes and its record (what it read, its templates, links and missing data) must be the same.
Prints the processor time of each pass and their ratio, and how many frames served how many pages.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true", help="the national benchmark site")
    parser.add_argument("--today", default="2026-11-24", help="the build date (default 2026-11-24)")
    args = parser.parse_args()
    os.environ["LOCALGOV_TODAY"] = args.today

    from localgov.build import load_site
    from localgov.errors import Problems
    from localgov.index.coverage import coverage
    from localgov.render.assets import build_assets
    from localgov.render.pages import Renderer, variant_jobs
    from localgov.render.sections import compile_sections

    with tempfile.TemporaryDirectory(prefix="localgov-frames-") as temporary:
        root = ROOT
        if args.national:
            from bench.sitegen import generate

            root = Path(temporary) / "site"
            generate(root)
        site = load_site(root, Problems())
        if site is None:
            print("the site did not load")
            return 1
        sections = compile_sections(site)
        report = coverage(site, [], {}, sections)
        assets = {a.name: a.url for a in build_assets(root)}
        jobs = variant_jobs(site)
        results = {}
        seconds = {}
        for frames in (False, True):
            renderer = Renderer(site, assets, sections, report, frames=frames)
            started = time.process_time()
            results[frames] = [renderer.render_page(job) for job in jobs]
            seconds[frames] = time.process_time() - started
            each = seconds[frames] / len(jobs) * 1000
            line = f"  {'with' if frames else 'without'} frames: {len(jobs):,} variants in {seconds[frames]:.2f}s " \
                   f"of processor time ({each:.3f} ms each)"
            if frames:
                line += (f"; {renderer.frames.made:,} frames, each made from a usual render, served "
                         f"{renderer.frames.used:,} variants; {len(jobs) - renderer.frames.used:,} rendered as "
                         f"usual; {len(renderer.frames.unframed)} layouts could not be frames")
            print(line, flush=True)
    different = [a.output.path for a, b in zip(results[False], results[True], strict=True) if a != b]
    print(f"  ratio: {seconds[True] / seconds[False]:.2f} of the time; pages that differ: {len(different)}"
          + (f", such as {different[:5]}" if different else ""))
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
