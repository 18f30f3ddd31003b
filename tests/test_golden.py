"""Golden output trees: each fixed site under tests/golden/ builds to exactly the files kept beside it.

After a change to the output made on purpose, write the trees again and review the diff
(tests/golden/README.md): `python3 -m tests.golden update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import golden

HINT = ("\nIf this change to the output is intended, run `python3 -m tests.golden update` and review "
        "`git diff tests/golden/` (see tests/golden/README.md).")


@pytest.mark.parametrize("name", golden.names())
def test_the_site_builds_to_its_golden_tree_byte_for_byte(name: str, tmp_path: Path) -> None:
    out = golden.build(name, tmp_path)
    differences = golden.compare(name, out)
    assert not differences, f"the build of tests/golden/{name}/site differs from its golden tree:\n" + \
        "\n".join(differences) + HINT


def test_there_are_golden_sites_and_each_keeps_a_tree() -> None:
    assert golden.names() == ["basic", "nations"]
    for name in golden.names():
        kept = golden.tree(golden.HERE / name / "expected")
        assert "index.html" in kept and "sitemap.xml" in kept, name
        assert not [path for path in kept if golden.is_large_asset(path)], "large assets are kept by name only"
        assert len(golden.expected_large_assets(name)) == len(golden.LARGE_ASSETS), name


# -- the comparison itself -------------------------------------------------------------------------------


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A golden folder with one site's expected tree, and a built tree that starts out the same."""
    here = tmp_path / "golden"
    expected = here / "demo" / "expected"
    built = tmp_path / "built"
    files = {"index.html": "<h1>Home</h1>\n", "a/index.html": "one\ntwo\nthree\n", "robots.txt": "User-agent: *\n"}
    for folder in (expected, built):
        for path, text in files.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8")
    (built / "assets").mkdir()
    (built / "assets" / "govuk-frontend.min.0123456789.css").write_text("body{}", encoding="utf-8")
    (here / "demo" / golden.LARGE_ASSETS_FILE).write_text("assets/govuk-frontend.min.0123456789.css\n")
    monkeypatch.setattr(golden, "HERE", here)
    return expected, built


def test_equal_trees_have_no_differences(fake: tuple[Path, Path]) -> None:
    _, built = fake
    assert golden.compare("demo", built) == []


def test_missing_extra_and_differing_files_are_listed_with_a_diff(fake: tuple[Path, Path]) -> None:
    _, built = fake
    (built / "robots.txt").unlink()
    (built / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    (built / "a" / "index.html").write_text("one\n2\nthree\n", encoding="utf-8")
    report = golden.compare("demo", built)
    assert report[:7] == [
        "missing (1): files the golden tree has and the build did not write", "  robots.txt",
        "extra (1): files the build wrote that the golden tree does not have", "  sitemap.xml",
        "differing (1):", "  a/index.html", "",
    ]
    assert report[7:] == ["--- expected/a/index.html", "+++ built/a/index.html", "@@ -1,3 +1,3 @@",
                          " one", "-two", "+2", " three"]


def test_a_large_asset_is_compared_by_its_hashed_name(fake: tuple[Path, Path]) -> None:
    _, built = fake
    asset = built / "assets" / "govuk-frontend.min.0123456789.css"
    asset.write_text("body{color:red}", encoding="utf-8")
    assert golden.compare("demo", built) == [], "the bytes of a large asset are not compared"
    asset.rename(built / "assets" / "govuk-frontend.min.abcdef0123.css")
    assert golden.compare("demo", built) == [
        "missing (1): files the golden tree has and the build did not write",
        "  assets/govuk-frontend.min.0123456789.css",
        "extra (1): files the build wrote that the golden tree does not have",
        "  assets/govuk-frontend.min.abcdef0123.css",
    ]


def test_only_the_first_few_diffs_are_shown_and_each_is_short(fake: tuple[Path, Path]) -> None:
    expected, built = fake
    for number in range(golden.DIFFS_SHOWN + 2):
        (expected / f"p{number}.txt").write_text("".join(f"{n}\n" for n in range(100)), encoding="utf-8")
        (built / f"p{number}.txt").write_text("".join(f"{n} changed\n" for n in range(100)), encoding="utf-8")
    report = golden.compare("demo", built)
    assert report[0] == f"differing ({golden.DIFFS_SHOWN + 2}):"
    assert sum(1 for line in report if line.startswith("--- expected/")) == golden.DIFFS_SHOWN
    assert sum(1 for line in report if line.startswith("... (")) == golden.DIFFS_SHOWN
