"""The output folder: localgov never replaces what it did not make, and a killed build leaves one whole site."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from localgov.build.write import MARKER, STAGING_MARKER, exchange, guard_output
from localgov.cli import main
from localgov.errors import UsageError
from tests.conftest import DEMO_TODAY, MakeSite
from tests.helpers import tree_digest

EXIT_USAGE = 2


def build(root: Path, *args: str) -> int:
    return main(["--root", str(root), "build", "--no-search", *args])


@pytest.mark.parametrize("out", ["content", "councils", "templates", "postcodes", ".", "..", "councils/maidstone/x"])
def test_an_output_folder_that_would_replace_sources_is_refused(
    make_site: MakeSite, out: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_site()
    (root / "postcodes").mkdir(exist_ok=True)
    (root / "postcodes" / "README.md").write_text("postcode notes\n", encoding="utf-8")
    before = tree_digest(root.parent)
    assert build(root, "--out", str(root / out)) == EXIT_USAGE
    assert tree_digest(root.parent) == before
    message = capsys.readouterr().err
    assert "--out" in message and "expected" in message


def test_a_folder_localgov_did_not_make_is_never_replaced(make_site: MakeSite, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    mine = tmp_path / "my-notes"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n", encoding="utf-8")
    (mine / ".git").mkdir()
    assert build(root, "--out", str(mine)) == EXIT_USAGE
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me\n" and (mine / ".git").is_dir()
    assert f"was not made by localgov (it has no {MARKER})" in capsys.readouterr().err


def test_an_empty_folder_becomes_a_marked_output_folder_that_later_builds_replace(make_site: MakeSite,
                                                                                  tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "public"
    out.mkdir()
    assert build(root, "--out", str(out)) == 0
    assert (out / MARKER).is_file() and (out / "index.html").is_file()
    make_site({"content/rubbish-and-recycling/bin-collections.md":
               "---\ntitle: Bin days\nsummary: When bins go.\nprovider: lower\n---\nBins.\n"})
    assert build(root, "--out", str(out), "--clean") == 0
    assert "Bin days" in (out / "bin-collections" / "index.html").read_text(encoding="utf-8")


def test_a_link_or_a_file_is_not_an_output_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    for name in ("file", "link"):
        with pytest.raises(UsageError, match="expected a folder, found a link or a file"):
            guard_output(tmp_path / "site", tmp_path / name)


def test_leftovers_of_killed_builds_are_removed_and_others_kept(make_site: MakeSite) -> None:
    root = make_site()
    assert build(root) == 0
    staged = root / ".build.new-killed"
    staged.mkdir()
    (staged / STAGING_MARKER).write_bytes(b"")
    (staged / "index.html").write_text("half a site", encoding="utf-8")
    replaced = root / ".build.old-123"
    (replaced / "x").mkdir(parents=True)
    (replaced / MARKER).write_bytes(b"")
    empty = root / ".build.new-empty"
    empty.mkdir()
    not_ours = root / ".build.new-someone-elses"
    not_ours.mkdir()
    (not_ours / "keep.txt").write_text("keep", encoding="utf-8")
    assert build(root) == 0
    assert not staged.exists() and not replaced.exists() and not empty.exists()
    assert (not_ours / "keep.txt").is_file()


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "one").write_text("1", encoding="utf-8")
    (second / "two").write_text("2", encoding="utf-8")
    if not exchange(first, second):
        pytest.skip("this system cannot swap two folders atomically")
    assert sorted(p.name for p in first.iterdir()) == ["two"]
    assert sorted(p.name for p in second.iterdir()) == ["one"]


def _run(root: Path, out: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOCALGOV_TODAY": DEMO_TODAY, "LOCALGOV_JOBS": "1"}
    command = [sys.executable, "-m", "localgov", "--root", str(root), "build", "--no-search", "--out", str(out)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def test_a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one(make_site: MakeSite,
                                                                          tmp_path: Path) -> None:
    """Kill incremental builds at seeded random moments: the output is always one whole site."""
    edit = "content/rubbish-and-recycling/bin-collections.md"
    old_text = "---\ntitle: Bin collections\nsummary: Bins.\nprovider: lower\n---\nOld text for {{ council.name }}.\n"
    new_text = old_text.replace("Old text", "New text")
    root = make_site({edit: old_text})
    out = tmp_path / "out"
    sites: dict[str, dict[str, str]] = {}
    for name, text in (("new", new_text), ("old", old_text)):
        make_site({edit: text})
        started = time.monotonic()
        assert _run(root, out).wait(timeout=300) == 0
        sites[name] = tree_digest(out)
        seconds = time.monotonic() - started
    assert sites["old"] != sites["new"]
    rng = random.Random(20261127)
    outcomes: set[str] = set()
    for attempt in range(12):
        target = "new" if attempt % 2 == 0 else "old"
        make_site({edit: new_text if target == "new" else old_text})
        process = _run(root, out)
        time.sleep(rng.uniform(0.0, seconds * 1.2))
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=60)
        found = tree_digest(out) if out.is_dir() else {}
        whole = [name for name, digest in sites.items() if digest == found]
        assert whole, f"attempt {attempt}: a build killed after {process.returncode} left a mixed or missing site"
        outcomes.add(whole[0])
        # The next build tidies what the kill left and finishes the job.
        assert _run(root, out).wait(timeout=300) == 0
        assert tree_digest(out) == sites[target]
        assert not list(out.parent.glob(f".{out.name}.new-*")) and not list(out.parent.glob(f".{out.name}.old-*"))
