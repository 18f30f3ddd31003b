"""The page memo: common pages kept between builds as data, read back as equal pages; a bad memo is ignored."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path

import msgpack
import pytest

from localgov.build import build
from localgov.build.cache import CACHE_DIR, PageMemo
from localgov.build.records import Records, to_plain
from localgov.errors import Problem, Problems
from localgov.load.content import load_content
from localgov.model import Page, Section
from tests.conftest import MakeSite

CODE = b"code-digest"

# A summary this long is read with a warning, which the memo must give back too.
LONG = "---\ntitle: Long\nsummary: " + "word " * 80 + "\nprovider: all\n---\nText.\n"

EVERY_FIELD = Page(
    slug="bin-collections", topic="rubbish-and-recycling", title="Bin collections", summary="When bins go.",
    provider="lower",
    sections=(Section("intro", "", "<p>{{ council.name }}</p>"), Section("missed", "Missed", "<p>x</p>")),
    lgsl=(524,), keywords=("bin day", "refuse"), requires=("coastline",),
    provided_elsewhere=(("northern-ireland", "<p>The Education Authority</p>"),), last_reviewed=dt.date(2026, 10, 1),
    owner="waste", source="content/rubbish-and-recycling/bin-collections.md", templated=True,
)


def read_all(root: Path, memo: PageMemo | None) -> tuple[Mapping[str, Page], list[Problem]]:
    problems = Problems()
    return load_content(root, problems, memo).pages, problems.items


def test_a_page_with_every_field_is_the_same_after_plain_data() -> None:
    records = Records()
    plain = msgpack.unpackb(msgpack.packb(to_plain(EVERY_FIELD)))
    assert records.read(Page, plain) == EVERY_FIELD
    assert records.read(Page, to_plain(Page("a", "t", "A", "S", "all", ()))) == Page("a", "t", "A", "S", "all", ())


def test_a_saved_memo_gives_back_equal_pages_and_problems(make_site: MakeSite) -> None:
    root = make_site({"content/schools/long.md": LONG})
    pages, problems = read_all(root, None)
    assert problems and pages["long"] and pages["bin-collections"].lgsl == (524,)
    first = PageMemo(root, CODE)
    assert read_all(root, first) == (pages, problems)
    first.save()
    assert (root / CACHE_DIR / PageMemo.NAME).is_file()
    second = PageMemo(root, CODE)
    assert {page.slug: page for page, _ in second.known.values() if page} == pages
    assert sorted(p for _, found in second.known.values() for p in found) == sorted(problems)
    assert read_all(root, second) == (pages, problems)


def test_a_memo_of_other_code_is_not_used(make_site: MakeSite) -> None:
    root = make_site()
    memo = PageMemo(root, CODE)
    read_all(root, memo)
    memo.save()
    assert PageMemo(root, CODE).known
    assert not PageMemo(root, b"other code").known


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shape", "wrong type", "wrong schema"])
def test_a_damaged_memo_is_ignored_and_pages_are_read_again(make_site: MakeSite, tmp_path: Path, damage: str,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    root = make_site()
    memo = PageMemo(root, CODE)
    pages, problems = read_all(root, memo)
    memo.save()
    path = root / CACHE_DIR / PageMemo.NAME
    good = path.read_bytes()
    raw = msgpack.unpackb(good)
    if damage == "garbage":
        path.write_bytes(b"\x00\xc1 not a memo")
    elif damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "wrong shape":
        raw["pages"][0][1] = raw["pages"][0][1][:-1]
        path.write_bytes(msgpack.packb(raw))
    elif damage == "wrong type":
        raw["pages"][0][1][6] = "524"  # lgsl is a number
        path.write_bytes(msgpack.packb(raw))
    else:
        raw["schema"] = "Page(slug: str)"
        path.write_bytes(msgpack.packb(raw))
    with caplog.at_level(logging.WARNING):
        again = PageMemo(root, CODE)
    assert again.known == {}
    assert read_all(root, again) == (pages, problems)
    if damage != "wrong schema":
        assert "which is damaged" in caplog.text


def test_a_build_with_a_damaged_memo_builds(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    build(root, tmp_path / "first")
    path = root / CACHE_DIR / PageMemo.NAME
    assert path.is_file()
    path.write_bytes(b"\x93\x01")
    result = build(root, tmp_path / "second", incremental=True)
    assert result.pages > 0
    assert msgpack.unpackb(path.read_bytes())["format"] == PageMemo.FORMAT, "the memo is made again"
