"""Dates on pages: "Last updated" from the date of the last commit to a page's file, with the change note its front
matter gives; `last_reviewed` stays a content designer's field."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from localgov.cli import main
from localgov.load.history import MARK, last_changes, parse_log
from tests.conftest import MakeSite
from tests.helpers import read

PAGE = "content/rubbish-and-recycling/bin-collections.md"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def commit(root: Path, day: str, message: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T12:00:00Z", "GIT_COMMITTER_DATE": f"{day}T12:00:00Z"}
    for args in (["add", "-A"], ["-c", "user.name=Test", "-c", "user.email=test@test.example", "commit", "-q",
                                  "--no-gpg-sign", "-m", message]):
        subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def set_note(root: Path, note: str) -> None:
    path = root / PAGE
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    lines = [line for line in head.splitlines() if not line.startswith("change_note:")]
    path.write_text("\n".join(lines) + f"\nchange_note: {note}\n---\n" + body, encoding="utf-8")


def build(root: Path, out: Path) -> Path:
    assert main(["--root", str(root), "build", "--no-search", "--out", str(out)]) == 0
    return out


def test_the_log_gives_each_file_its_newest_date() -> None:
    text = f"{MARK}2026-11-20\n\ncontent/a.md\ncontent/b.md\n{MARK}2026-10-01\n\ncontent/a.md\ncontent/c.md\n"
    assert parse_log(text) == {"content/a.md": dt.date(2026, 11, 20), "content/b.md": dt.date(2026, 11, 20),
                               "content/c.md": dt.date(2026, 10, 1)}


@needs_git
def test_last_updated_follows_the_history(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"site.yaml": "name: Test\nbase_url: https://test.example\npostcodes: none\n"})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    set_note(root, "Added how to report a missed bin")
    commit(root, "2026-03-01", "First")
    assert last_changes(root)[PAGE] == dt.date(2026, 3, 1)
    out = build(root, tmp_path / "out")
    line = "Last updated 1 March 2026: Added how to report a missed bin"
    assert line in read(out, "/bin-collections/") and line in read(out, "/bin-collections/maidstone/")

    set_note(root, "New collection days")
    commit(root, "2026-11-20", "Second")
    build(root, out)  # incremental
    assert "Last updated 20 November 2026: New collection days" in read(out, "/bin-collections/maidstone/")

    (root / "councils" / "kent" / "notes.txt").write_text("not a page\n", encoding="utf-8")
    commit(root, "2026-11-22", "A change elsewhere")
    build(root, out)
    assert "Last updated 20 November 2026" in read(out, "/bin-collections/"), "only the page's own file counts"


def test_without_history_no_date_is_guessed(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"site.yaml": "name: Test\nbase_url: https://test.example\npostcodes: none\n"})
    set_note(root, "Anything")
    assert last_changes(root) == {}, "the test site is not in a repository"
    out = build(root, tmp_path / "out")
    assert "Last updated" not in read(out, "/bin-collections/")


def test_a_long_change_note_is_a_warning(make_site: MakeSite, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    set_note(root, "word " * 60)
    build(root, tmp_path / "out")
    assert "'change_note': change note is long; say in one sentence what changed" in capsys.readouterr().err
