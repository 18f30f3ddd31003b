"""What does one build of a small site cost, beyond its pages? Build many small sites in one process.

    python bench/small_builds.py            # 20 sites, after one to warm up
    python bench/small_builds.py --sites 50

Each site is the tests' small site (tests/conftest.py: DEFAULT_FILES, about 90 pages), written to a new
folder and built with `localgov build` (search included) in this process, as the live preview rebuilds
and as most tests build. Prints the wall time and the processor time (this process and the processes it
started: Pagefind) of one build. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TODAY = "2026-11-24"


def processor_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20, help="how many sites to build and time (default 20)")
    args = parser.parse_args()
    os.environ["LOCALGOV_TODAY"] = TODAY

    from localgov.cli import main as localgov
    from tests.conftest import DEFAULT_FILES, write_files

    with tempfile.TemporaryDirectory(prefix="localgov-small-") as temporary:
        work = Path(temporary)

        def build(number: int) -> None:
            root = work / f"site-{number}"
            root.mkdir()
            write_files(root, dict(DEFAULT_FILES))
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as said:
                if localgov(["--root", str(root), "build"]) != 0:
                    sys.exit(f"the small site does not build:\n{said.getvalue()[-3000:]}")
            shutil.rmtree(root)

        build(0)  # the first build compiles what later ones reuse
        wall, cpu = time.perf_counter(), processor_seconds()
        for number in range(1, args.sites + 1):
            build(number)
        wall, cpu = time.perf_counter() - wall, processor_seconds() - cpu
    print(f"{args.sites} builds of the tests' small site in one process: "
          f"{wall / args.sites * 1000:.0f} ms a build, {cpu / args.sites * 1000:.0f} ms of processor time a build")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
