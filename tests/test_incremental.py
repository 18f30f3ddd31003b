"""Incremental builds: the same bytes as a clean build, written only where something changed."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

from localgov.build import BuildResult, build
from localgov.cli import main
from localgov.errors import BuildFailed
from tests.conftest import COUNCILS, MakeSite, write_files
from tests.helpers import tree_digest


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    """Return path -> (inode, modification time) for every file: what changes when a file is written."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            info = path.stat()
            found[path.relative_to(folder).as_posix()] = (info.st_ino, info.st_mtime_ns)
    return found


def rewritten(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {path for path in after if before.get(path) != after[path]} | (set(before) - set(after))


def incremental(root: Path, out: Path, **options: object) -> BuildResult:
    return build(root, out, finalise=False, **options)  # type: ignore[arg-type]


def assert_same_as_clean(root: Path, out: Path, tmp_path: Path, name: str) -> None:
    clean = tmp_path / f"clean-{name}"
    build(root, clean, incremental=False, finalise=False)
    got, want = tree_digest(out), tree_digest(clean)
    assert sorted(got) == sorted(want), f"{name}: different files: {sorted(set(got) ^ set(want))}"
    differ = [path for path in want if got[path] != want[path]]
    assert not differ, f"{name}: different bytes in {differ}"


OVERRIDE = """
    ---
    replace: [missed]
    ---
    ## Missed collections {#missed}

    Report a missed bin to {{ council.name }} by noon the next day.
"""

EDITS: list[tuple[str, dict[str, str | bytes | None]]] = [
    ("change a page", {"content/rubbish-and-recycling/bin-collections.md":
                       "---\ntitle: Bin collections\nsummary: Find out when your bins are collected.\nprovider: lower\n"
                       "lgsl: 524\n---\n{{ council.name }} empties bins on Tuesdays.\n\n"
                       "## Missed collections {#missed}\n\nTell us.\n"}),
    ("add a page", {"content/rubbish-and-recycling/garden-waste.md":
                    "---\ntitle: Garden waste\nsummary: Get your garden waste collected.\nprovider: lower\n---\n"
                    "Pay {{ council.name }} for a brown bin. See [bin collections](/bin-collections/).\n"}),
    ("change a page title", {"content/rubbish-and-recycling/garden-waste.md":
                             "---\ntitle: Green waste\nsummary: Get your garden waste collected.\n"
                             "provider: lower\n---\nPay {{ council.name }} for a brown bin.\n"}),
    ("rename a page", {"content/rubbish-and-recycling/garden-waste.md": None,
                       "content/rubbish-and-recycling/green-waste.md":
                       "---\ntitle: Green waste\nsummary: Get your green waste collected.\nprovider: lower\n---\n"
                       "Pay {{ council.name }} for a brown bin.\n"}),
    ("add an override", {"councils/maidstone/rubbish-and-recycling/bin-collections.md": OVERRIDE}),
    ("change an override", {"councils/maidstone/rubbish-and-recycling/bin-collections.md":
                            OVERRIDE.replace("by noon", "before 5pm")}),
    ("change an override's summary", {"councils/maidstone/rubbish-and-recycling/bin-collections.md":
                                      OVERRIDE.replace("replace:",
                                                       "summary: Maidstone empties bins weekly.\n    replace:")}),
    ("change a topic's title", {"content/rubbish-and-recycling/_topic.yaml":
                                "title: Waste and recycling\nsummary: Bins, recycling and the tip.\norder: 1\n"}),
    ("add a page both tiers provide", {"content/rubbish-and-recycling/fly-tipping.md":
                                       "---\ntitle: Fly-tipping\nsummary: Report fly-tipping.\nprovider: all\n"
                                       "requires: [coastline]\n---\nReport fly-tipping to {{ council.name }}.\n"}),
    ("change a council", {"councils/tunbridge-wells/council.yaml":
                          "name: Royal Tunbridge Wells Borough Council\nshort_name: Tunbridge Wells\ngss: E07000116\n"
                          "type: non-metropolitan-district\nnation: england\nparent: kent\n"
                          "website: https://tunbridgewells.gov.uk/\ncontact:\n  phone: 01892 526121\n"}),
    ("change a county", {"councils/kent/council.yaml":
                         "name: Kent County Council (test)\nshort_name: Kent\ngss: E10000016\ntype: county\n"
                         "nation: england\nwebsite: https://www.kent.gov.uk/\nfeatures: [coastline]\n"}),
    ("a county stops providing a page", {"councils/kent/council.yaml":
                                         "name: Kent County Council (test)\nshort_name: Kent\ngss: E10000016\n"
                                         "type: county\nnation: england\nwebsite: https://www.kent.gov.uk/\n"}),
    ("the county provides it again", {"councils/kent/council.yaml":
                                      "name: Kent County Council (test)\nshort_name: Kent\ngss: E10000016\n"
                                      "type: county\nnation: england\nwebsite: https://www.kent.gov.uk/\n"
                                      "features: [coastline]\n"}),
    ("add an alert", {"councils/thanet/council.yaml":
                      "name: Thanet District Council\nshort_name: Thanet\ngss: E07000114\n"
                      "type: non-metropolitan-district\nnation: england\nparent: kent\n"
                      "website: https://www.thanet.gov.uk/\nfeatures: [coastline]\nalerts:\n"
                      "  - title: Strike\n    body: Collections are late.\n    start: 2026-11-01\n    end: 2026-12-31\n"
                      "    pages: [bin-collections]\n"}),
    ("add an alert for a topic", {"councils/thanet/council.yaml":
                                  "name: Thanet District Council\nshort_name: Thanet\ngss: E07000114\n"
                                  "type: non-metropolitan-district\nnation: england\nparent: kent\n"
                                  "website: https://www.thanet.gov.uk/\nfeatures: [coastline]\nalerts:\n"
                                  "  - title: Depot closed\n    body: The depot is shut.\n    start: 2026-11-01\n"
                                  "    end: 2026-12-31\n    topics: [rubbish-and-recycling]\n"}),
    ("shadow a template", {"templates/partials/page_meta.html":
                           "<p class=\"govuk-body-s\">Checked {{ page.title }}</p>\n"}),
    ("change a template", {"templates/partials/page_meta.html":
                           "<p class=\"govuk-body-s\">Reviewed: {{ page.title }}</p>\n"}),
    ("drop the shadowing template", {"templates/partials/page_meta.html": None}),
    ("shadow a council's contact details", {"templates/partials/contact.html":
                                            "<p class=\"govuk-body\">Write to {{ council.name }}</p>\n"}),
    ("drop the contact details' template", {"templates/partials/contact.html": None}),
    ("add a static file", {"templates/static/extra.css": "body { margin: 0 }\n"}),
    ("change the site name", {"site.yaml":
                              "name: Council services (test)\nbase_url: https://test.example\npostcodes: none\n"}),
    ("add a council-only page", {"councils/medway/rubbish-and-recycling/medway-bin-amnesty.md":
                                 "---\ntitle: Bin amnesty\nsummary: Hand in spare bins.\n---\n"
                                 "Bring spare bins to {{ council.name }} depots in May.\n"}),
    ("change a council-only page", {"councils/medway/rubbish-and-recycling/medway-bin-amnesty.md":
                                    "---\ntitle: Bin amnesty\nsummary: Hand in spare bins.\n---\n"
                                    "Bring spare bins to {{ council.name }} depots in June.\n"}),
    ("delete a page", {"content/rubbish-and-recycling/green-waste.md": None}),
    ("delete an override", {"councils/maidstone/rubbish-and-recycling/bin-collections.md": None}),
]


def test_incremental_builds_match_clean_builds_after_every_edit(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "out"
    incremental(root, out)
    for name, files in EDITS:
        write_files(root, files)
        incremental(root, out)
        assert_same_as_clean(root, out, tmp_path, re.sub(r"\W+", "-", name))


def test_a_new_build_date_shows_the_alerts_of_that_day(make_site: MakeSite, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site({"councils/medway/council.yaml": textwrap.dedent(COUNCILS["medway"]) + (
        "alerts:\n  - title: Christmas\n    body: Collections change.\n    start: 2026-12-20\n    end: 2027-01-05\n"
        "    pages: [bin-collections]\n")})
    out = tmp_path / "out"
    incremental(root, out)
    assert "Christmas" not in (out / "bin-collections" / "medway" / "index.html").read_text(encoding="utf-8")
    monkeypatch.setenv("LOCALGOV_TODAY", "2026-12-21")
    result = incremental(root, out)
    assert "Christmas" in (out / "bin-collections" / "medway" / "index.html").read_text(encoding="utf-8")
    assert_same_as_clean(root, out, tmp_path, "christmas")
    # Only what shows the alert or the date is made again: not every council's pages.
    assert 0 < result.rendered < result.pages // 2


def test_a_build_with_nothing_changed_writes_nothing(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "out"
    first = incremental(root, out)
    assert first.rendered == first.pages > 20
    before = stats(out)
    again = incremental(root, out)
    assert (again.rendered, again.changed, again.removed) == (0, 0, 0)
    assert again.pages == first.pages and again.files == first.files
    assert stats(out) == before


def test_only_the_outputs_an_edit_affects_are_rewritten(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "out"
    incremental(root, out)
    before = stats(out)
    # The body of a page: its common page and its variants, nothing else.
    text = (root / "content/rubbish-and-recycling/bin-collections.md").read_text(encoding="utf-8")
    (root / "content/rubbish-and-recycling/bin-collections.md").write_text(
        text.replace("every week or fortnight", "every week"), encoding="utf-8")
    result = incremental(root, out)
    changed = rewritten(before, stats(out))
    assert changed == {p for p in before if p.startswith("bin-collections/")}
    assert result.changed == len(changed)
    # One council's override: that council's variant, and its hub that lists its pages.
    before = stats(out)
    write_files(root, {"councils/maidstone/rubbish-and-recycling/bin-collections.md": OVERRIDE})
    incremental(root, out)
    changed = rewritten(before, stats(out))
    assert "bin-collections/maidstone/index.html" in changed
    # ...and the next council of its nation, whose page now stands for England's text of the page in search
    # (localgov/render/pages.py, search_scope): Maidstone's is indexed for Maidstone's residents only.
    assert {p for p in changed if p.startswith("bin-collections/")} == {
        "bin-collections/maidstone/index.html", "bin-collections/medway/index.html"}
    assert 'data-pagefind-filter="council:nation:england"' in (out / "bin-collections/medway/index.html").read_text(
        encoding="utf-8")
    assert not {p for p in changed if p.startswith("apply-for-a-school-place/")}


def test_deleting_a_page_removes_its_outputs(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "out"
    incremental(root, out)
    assert (out / "apply-for-a-school-place" / "kent" / "index.html").is_file()
    write_files(root, {"content/schools/apply-for-a-school-place.md": None})
    result = incremental(root, out)
    assert result.removed > 4
    assert not (out / "apply-for-a-school-place").exists()
    assert "apply-for-a-school-place" not in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_a_failed_incremental_build_leaves_the_output_exactly_as_it_was(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "out"
    incremental(root, out)
    write_files(root, {"content/rubbish-and-recycling/bin-collections.md":
                       (root / "content/rubbish-and-recycling/bin-collections.md").read_text(encoding="utf-8")
                       .replace("every week", "every day")})
    digest, before = tree_digest(out), stats(out)
    # One good change and one broken file: nothing of either may reach the output.
    write_files(root, {"content/schools/apply-for-a-school-place.md": "---\ntitle: [broken\n---\n"})
    with pytest.raises(BuildFailed):
        incremental(root, out)
    assert tree_digest(out) == digest and stats(out) == before
    assert not list(tmp_path.glob(".out.new-*")), "staging folder left behind"
    write_files(root, {"content/schools/apply-for-a-school-place.md": "---\ntitle: Schools\nsummary: S\n"
                       "provider: upper\n---\nApply to {{ council.name }}.\n"})
    incremental(root, out)
    assert_same_as_clean(root, out, tmp_path, "fixed")


def test_an_output_file_changed_by_hand_is_made_again(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "out"
    incremental(root, out)
    want = tree_digest(out)
    (out / "bin-collections" / "maidstone" / "index.html").write_text("edited by hand", encoding="utf-8")
    (out / "councils" / "kent" / "index.html").unlink()
    result = incremental(root, out)
    assert result.rendered == 2
    assert tree_digest(out) == want


def test_rendering_in_several_processes_gives_the_same_bytes(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    build(root, tmp_path / "one", incremental=False, finalise=False, workers=1)
    build(root, tmp_path / "two", incremental=False, finalise=False, workers=2)
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_a_render_error_in_a_worker_is_reported_with_its_file(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"templates/variant.html": '{% extends "localgov/variant.html" %}'
                      '{% block content %}{{ council.name.nope.deeper }}{% endblock %}'})
    with pytest.raises(BuildFailed) as failure:
        build(root, tmp_path / "out", workers=2, finalise=False)
    assert any(p.file == "templates/variant.html" and p.line == 1 for p in failure.value.problems), \
        failure.value.report()
    assert not (tmp_path / "out").exists()


def test_search_indexes_are_made_again_only_when_pages_change(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "out"
    first = build(root, out)
    search_files = {p for p in tree_digest(out) if p.startswith("pagefind/")}
    assert search_files, "the build made no search index"
    assert any(name.startswith("finalise:") for name in first.timings)
    again = build(root, out)
    assert not any(name.startswith("finalise:") for name in again.timings)
    # A quick build leaves the search index as it was; the next full build brings it up to date.
    write_files(root, {"content/schools/apply-for-a-school-place.md": "---\ntitle: School places\nsummary: S\n"
                       "provider: upper\n---\nApply to {{ council.name }} in September.\n"})
    quick = build(root, out, finalise=False)
    assert not any(name.startswith("finalise:") for name in quick.timings)
    assert search_files <= set(tree_digest(out))
    build(root, out)
    clean = tmp_path / "clean"
    build(root, clean, incremental=False)
    assert tree_digest(out) == tree_digest(clean)


def test_a_clean_build_without_search_keeps_the_search_indexes(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "out"
    build(root, out)
    before = {p: d for p, d in tree_digest(out).items() if p.startswith("pagefind/")}
    assert before, "the build made no search index"
    write_files(root, {"content/schools/apply-for-a-school-place.md": "---\ntitle: School places\nsummary: S\n"
                       "provider: upper\n---\nApply to {{ council.name }} in September.\n"})
    build(root, out, incremental=False, finalise=False)
    after = tree_digest(out)
    assert {p: d for p, d in after.items() if p.startswith("pagefind/")} == before
    assert "September" in (out / "apply-for-a-school-place/kent/index.html").read_text("utf-8")
    # The next full build brings the index up to date: the same output as a clean build with search.
    build(root, out)
    clean = tmp_path / "clean"
    build(root, clean, incremental=False)
    assert tree_digest(out) == tree_digest(clean)


def test_the_command_says_what_it_did(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    assert main(["--root", str(root), "build", "--no-search"]) == 0
    first = capsys.readouterr().out
    assert re.search(r"Built \d+ pages \(\d+ files\) .* (\d+) rendered, (\d+) files written, 0 removed", first)
    assert main(["--root", str(root), "build", "--no-search"]) == 0
    assert "0 rendered, 0 files written, 0 removed" in capsys.readouterr().out
    assert main(["--root", str(root), "build", "--clean", "--no-search"]) == 0
    clean = re.search(r"Built (\d+) pages \((\d+) files\) .* (\d+) rendered, (\d+) files written",
                      capsys.readouterr().out)
    assert clean is not None
    pages, files, rendered, written = map(int, clean.groups())
    assert (rendered, written) == (pages, files), "a clean build renders and writes everything"


def test_the_cache_is_kept_out_of_the_output(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    out = tmp_path / "out"
    incremental(root, out)
    assert (root / ".localgov-cache").is_dir()
    assert not [p for p in tree_digest(out) if "cache" in p or "manifest" in p]
    assert set(os.listdir(tmp_path)) == {"out", "site"}, "staging or old output folders left behind"
