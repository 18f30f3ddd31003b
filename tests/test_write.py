"""The writer: staging, claims, commit, abandon, apply, and folders kept beside the output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from localgov.build.write import FLAT, MARKER, DuplicateOutput, Staging, flat_name
from localgov.errors import LocalgovError
from tests.helpers import tree_digest


def contents(folder: Path) -> dict[str, bytes]:
    """Return path -> bytes of every file under `folder`, leaving out the output marker."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MARKER}


def first_build(out: Path, files: dict[str, bytes]) -> None:
    staging = Staging(out)
    for rel, data in files.items():
        staging.write(rel, data, "test")
    staging.commit()


def test_put_stages_a_tree_and_returns_the_files_modification_time(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "out")
    try:
        mtime = staging.write("a/b/index.html", b"<p>b</p>", "content/b.md")
        staged = staging.path / "a" / "b" / "index.html"
        assert staged.read_bytes() == b"<p>b</p>"
        assert os.stat(staged).st_mtime_ns == mtime
        assert staging.written == {"a/b/index.html": "content/b.md"}
        assert not (tmp_path / "out").exists(), "nothing reaches the output folder before a commit"
    finally:
        staging.abandon()


def test_an_incremental_staging_folder_is_flat(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "out", flat=True)
    try:
        staging.write("a/b/index.html", b"b", "")
        assert (staging.path / FLAT / flat_name("a/b/index.html")).read_bytes() == b"b"
        assert not (staging.path / "a").exists()
    finally:
        staging.abandon()


def test_two_sources_claiming_one_path_is_an_error(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "out")
    try:
        staging.claim("bins/index.html", "content/bins.md")
        with pytest.raises(DuplicateOutput, match="councils/kent/bins.md and content/bins.md both write bins/"):
            staging.claim("bins/index.html", "councils/kent/bins.md")
        staging.claim("other/index.html", "content/other.md")
    finally:
        staging.abandon()


@pytest.mark.parametrize("rel", ["../escape.html", "/etc/escape.html", "a/../../escape.html", ""])
def test_put_refuses_paths_outside_the_output_as_claim_does(tmp_path: Path, rel: str) -> None:
    staging = Staging(tmp_path / "out")
    try:
        with pytest.raises(LocalgovError, match="outside the output folder"):
            staging.put(rel, b"x")
    finally:
        staging.abandon()
    assert not (tmp_path / "escape.html").exists()


def test_commit_puts_the_staged_folder_in_place_of_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first_build(out, {"index.html": b"one", "a/index.html": b"a"})
    assert contents(out) == {"index.html": b"one", "a/index.html": b"a"}
    assert (out / MARKER).is_file()
    first_build(out, {"index.html": b"two"})
    assert contents(out) == {"index.html": b"two"}
    assert sorted(os.listdir(tmp_path)) == ["out"], "staging or replaced folders left behind"


def test_abandon_leaves_the_output_and_its_kept_folder_as_they_were(tmp_path: Path) -> None:
    out, kept = tmp_path / "out", tmp_path / "cache" / "index"
    first_build(out, {"index.html": b"one"})
    kept.mkdir(parents=True)
    (kept / "segment").write_bytes(b"old")
    before = tree_digest(out)
    staging = Staging(out)
    staging.write("index.html", b"two", "")
    companion = staging.companion(kept)
    (companion / "segment").unlink()  # as Whoosh replaces files: never rewritten in place
    (companion / "segment").write_bytes(b"new")
    staging.abandon()
    assert tree_digest(out) == before
    assert (kept / "segment").read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["cache", "out"] and os.listdir(kept.parent) == ["index"]


def test_a_kept_folder_is_swapped_in_with_the_output(tmp_path: Path) -> None:
    out, kept = tmp_path / "out", tmp_path / "cache" / "index"
    first_build(out, {"index.html": b"one"})
    kept.mkdir(parents=True)
    (kept / "unchanged").write_bytes(b"same")
    (kept / "segment").write_bytes(b"old")
    staging = Staging(out)
    staging.write("index.html", b"two", "")
    companion = staging.companion(kept)
    assert contents(companion) == {"unchanged": b"same", "segment": b"old"}
    (companion / "segment").unlink()
    (companion / "segment").write_bytes(b"new")
    assert (kept / "segment").read_bytes() == b"old", "the published folder changed before the commit"
    staging.commit()
    assert contents(out) == {"index.html": b"two"}
    assert contents(kept) == {"unchanged": b"same", "segment": b"new"}
    assert os.listdir(kept.parent) == ["index"]


def test_apply_writes_changed_files_keeps_the_rest_and_drops_what_is_gone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first_build(out, {"index.html": b"home", "a/index.html": b"a", "b/index.html": b"b", "gone/index.html": b"x"})
    kept_inode = (out / "a" / "index.html").stat().st_ino
    staging = Staging(out, flat=True)
    staging.write("b/index.html", b"b2", "")
    staging.write("new/deep/index.html", b"n", "")
    staging.apply(["b/index.html", "new/deep/index.html"], ["a/index.html", "index.html"])
    assert contents(out) == {"index.html": b"home", "a/index.html": b"a", "b/index.html": b"b2",
                             "new/deep/index.html": b"n"}
    assert (out / "a" / "index.html").stat().st_ino == kept_inode, "an unchanged file was copied, not kept"
    assert sorted(os.listdir(tmp_path)) == ["out"]


def second_build_keeping_the_first(root: Path, out: Path) -> str:
    """Build twice: the second changes b and removes c, and keeps the first as the previous version."""
    from localgov.build.write import keep_previous

    root.mkdir()
    first_build(out, {"index.html": b"home", "a/index.html": b"a", "b/index.html": b"b", "c/x/index.html": b"c"})
    staging = Staging(out, flat=True)
    staging.write("b/index.html", b"b2", "")
    token = keep_previous(staging, root, ["b/index.html", "c/x/index.html"])
    staging.apply(["b/index.html"], ["index.html", "a/index.html"])
    return token


def test_the_replaced_output_is_kept_and_the_next_staging_starts_from_it(tmp_path: Path) -> None:
    """An incremental build stages only what changed in the last two builds, starting from the kept version."""
    from localgov.build.write import previous_dir, take_previous

    root, out = tmp_path / "site", tmp_path / "out"
    token = second_build_keeping_the_first(root, out)
    kept = previous_dir(root, out)
    record = contents(kept).pop(".localgov-previous")
    assert token and token.encode() in record and b"c/x/index.html" in record
    assert {rel: data for rel, data in contents(kept).items() if rel != ".localgov-previous"} == {
        "index.html": b"home", "a/index.html": b"a", "b/index.html": b"b", "c/x/index.html": b"c"}
    assert sorted(os.listdir(tmp_path)) == ["out", "site"], "kept in the site's cache, not beside the output"
    # A build that does not name this version (its manifest was lost, or names another) deletes it.
    assert take_previous(root, out, "another token") is None and not kept.exists(), "an unknown version is deleted"


def test_a_staging_folder_made_from_the_kept_version_equals_one_made_from_scratch(tmp_path: Path) -> None:
    from localgov.build.write import take_previous

    root, out = tmp_path / "site", tmp_path / "out"
    token = second_build_keeping_the_first(root, out)
    taken = take_previous(root, out, token)
    assert taken is not None and sorted(taken[1]) == ["b/index.html", "c/x/index.html"]
    unchanged_inode = (out / "a" / "index.html").stat().st_ino
    staging = Staging(out, flat=True, previous=taken[0])
    assert staging.reused and not (staging.path / MARKER).exists()
    staging.write("d/index.html", b"d", "")
    staging.catch_up(taken[1], ["index.html"])  # build 3 no longer makes the home page
    staging.apply(["d/index.html"], ["a/index.html", "b/index.html"])
    assert contents(out) == {"a/index.html": b"a", "b/index.html": b"b2", "d/index.html": b"d"}
    assert not (out / "c").exists(), "emptied folders are removed"
    assert (out / "a" / "index.html").stat().st_ino == unchanged_inode
    assert (out / MARKER).is_file() and not (out / ".localgov-previous").exists()
    assert sorted(os.listdir(tmp_path)) == ["out", "site"]
