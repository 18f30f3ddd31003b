"""Golden output trees: small fixed sites whose whole built output is kept in the repository.

Each folder here holds `site/` (the sources) and `expected/` (every file `localgov build --no-search`
writes for it on a fixed date), plus `large-assets.txt`: the hashed names of GOV.UK Frontend's
compiled CSS and JavaScript, whose bytes are not kept (see README.md). `python3 -m tests.golden update`
writes them again after a change to the output made on purpose.
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = "2026-11-24"
# Third-party files, large and changed only by upgrading govuk-frontend: their names carry a hash of
# their bytes, so comparing the names compares the contents.
LARGE_ASSETS = ("assets/govuk-frontend.min.*.css", "assets/govuk-frontend.min.*.js")
LARGE_ASSETS_FILE = "large-assets.txt"
DIFFS_SHOWN = 3
DIFF_LINES = 40


def names() -> list[str]:
    """Return the golden sites, by folder name."""
    return sorted(p.name for p in HERE.iterdir() if (p / "site" / "site.yaml").is_file())


@contextlib.contextmanager
def build_date(day: str) -> Iterator[None]:
    """Set LOCALGOV_TODAY for the length of a build, then put back what was there."""
    before = os.environ.get("LOCALGOV_TODAY")
    os.environ["LOCALGOV_TODAY"] = day
    try:
        yield
    finally:
        if before is None:
            del os.environ["LOCALGOV_TODAY"]
        else:
            os.environ["LOCALGOV_TODAY"] = before


def build(name: str, work: Path) -> Path:
    """Build the golden site `name` from a copy under `work` and return its output folder."""
    from localgov.cli import main

    # A copy, so that the build cache and the compiled postcodes land in `work`, not in the repository.
    root = work / name
    shutil.copytree(HERE / name / "site", root)
    out = work / f"{name}-build"
    with build_date(TODAY):
        code = main(["--root", str(root), "build", "--no-search", "--clean", "--out", str(out)])
    if code != 0:
        raise RuntimeError(f"the golden site '{name}' does not build (exit {code})")
    return out


def is_large_asset(path: str) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in LARGE_ASSETS)


def tree(folder: Path) -> dict[str, bytes]:
    """Return POSIX path -> bytes for every file under `folder`."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def expected_large_assets(name: str) -> list[str]:
    path = HERE / name / LARGE_ASSETS_FILE
    return path.read_text(encoding="utf-8").split() if path.is_file() else []


def compare(name: str, out: Path) -> list[str]:
    """Return the differences between a build of `name` and its golden tree, as lines; empty when equal."""
    built = tree(out)
    expected = tree(HERE / name / "expected") if (HERE / name / "expected").is_dir() else {}
    kept = {path: data for path, data in built.items() if not is_large_asset(path)}
    built_large = sorted(path for path in built if is_large_asset(path))
    wanted_large = sorted(expected_large_assets(name))
    missing = sorted(set(expected) - set(kept)) + sorted(set(wanted_large) - set(built_large))
    extra = sorted(set(kept) - set(expected)) + sorted(set(built_large) - set(wanted_large))
    differing = sorted(path for path in set(kept) & set(expected) if kept[path] != expected[path])
    lines: list[str] = []
    if missing:
        lines += [f"missing ({len(missing)}): files the golden tree has and the build did not write", *
                  (f"  {p}" for p in missing)]
    if extra:
        lines += [f"extra ({len(extra)}): files the build wrote that the golden tree does not have", *
                  (f"  {p}" for p in extra)]
    if differing:
        lines += [f"differing ({len(differing)}):", *(f"  {p}" for p in differing)]
        for path in differing[:DIFFS_SHOWN]:
            lines += diff(path, expected[path], kept[path])
    return lines


def diff(path: str, old: bytes, new: bytes) -> list[str]:
    """Return a short unified diff of one file: golden tree first, then the build."""
    before = old.decode("utf-8", "replace").splitlines()
    after = new.decode("utf-8", "replace").splitlines()
    found = list(difflib.unified_diff(before, after, f"expected/{path}", f"built/{path}", n=2, lineterm=""))
    if len(found) > DIFF_LINES:
        found = [*found[:DIFF_LINES], f"... ({len(found) - DIFF_LINES} more diff lines)"]
    return ["", *found]


def update(name: str, work: Path) -> list[str]:
    """Build `name` and make its build the golden tree; return what changed, as `compare` says it."""
    out = build(name, work)
    changes = compare(name, out)
    built = tree(out)
    target = HERE / name / "expected"
    shutil.rmtree(target, ignore_errors=True)
    for path, data in built.items():
        if not is_large_asset(path):
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_bytes(data)
    large = sorted(path for path in built if is_large_asset(path))
    (HERE / name / LARGE_ASSETS_FILE).write_text("".join(f"{path}\n" for path in large), encoding="utf-8")
    return changes
