"""The coverage report: `localgov report`, its JSON, and /status/ in the built site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from localgov.build import build, load_site
from localgov.cli import main
from localgov.errors import Problems
from localgov.index import INDEXERS
from localgov.index.coverage import coverage, coverage_json, json_bytes
from tests.conftest import MakeSite
from tests.helpers import read

MEDWAY = """
    name: Medway Council
    short_name: Medway
    gss: E06000035
    type: unitary
    nation: england
    website: https://www.medway.gov.uk/
    contact:
      phone: 01634 333333
    links:
      bin-collections: https://www.medway.gov.uk/bins
    alerts:
      - title: Bin strike
        body: Collections may be late.
        start: 2026-10-01
        end: 2026-10-31
        pages: [bin-collections]
      - title: Christmas
        body: Collections change.
        start: 2026-12-20
        end: 2027-01-05
"""

FILES: dict[str, str | bytes | None] = {
    "councils/medway/council.yaml": MEDWAY,
    "councils/medway/schools/apply-for-a-school-place.md": "## Deadlines {#deadlines}\n\nMedway's dates.\n",
    "councils/medway/schools/school-buses.md": "---\ntitle: School buses\nsummary: Medway's buses.\n---\n"
                                               "Call {{ council.phone }} or {{ council.email }}.\n",
}


def report(root: Path, *args: str) -> int:
    return main(["--root", str(root), "report", *args])


def test_text_report_lists_what_each_council_has_and_lacks(make_site: MakeSite,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(FILES)
    assert report(root) == 0
    out = capsys.readouterr().out
    assert out.startswith("Coverage on 2026-11-24: 8 councils, 12 services, ")
    medway = out[out.index("medway: Medway Council (Unitary authority)"):out.index("\nthanet:")]
    # Bins: link and phone given, so nothing missing. Schools: the common text asks for nothing either.
    # School buses: the council-only page asks for an email address Medway has not given.
    assert ("66% complete: 2 of 3 services have nothing missing; 1 with a link, 1 override, "
            "1 council-only page") in medway
    assert "no email address, address, opening hours in council.yaml" in medway
    assert "email address: school-buses" in medway
    assert "councils/medway/schools/apply-for-a-school-place.md (override, /apply-for-a-school-place/medway/)" in medway
    assert "councils/medway/schools/school-buses.md (council-only page, /school-buses/medway/)" in medway
    assert "expired alert: 'Bin strike' ended 2026-10-31 (councils/medway/council.yaml:12)" in medway
    assert "scheduled alert: 'Christmas' starts 2026-12-20 (councils/medway/council.yaml:17)" in medway
    tunbridge = out[out.index("tunbridge-wells:"):]
    assert "no link for: bin-collections" in tunbridge
    assert "no phone number, email address, address, opening hours in council.yaml" in tunbridge


def test_report_for_one_council_and_unknown_council(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(FILES)
    assert report(root, "--council", "medway") == 0
    out = capsys.readouterr().out
    assert out.startswith("Coverage on 2026-11-24: 1 council, 3 services")
    assert "thanet" not in out
    assert report(root, "--council", "medwya") == 2
    assert "no council 'medwya'; did you mean 'medway'?" in capsys.readouterr().err


def test_json_report(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(FILES)
    assert report(root, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["date"] == "2026-11-24"
    assert data["totals"]["councils"] == 8
    assert data["totals"]["overrides"] == 1 and data["totals"]["council_pages"] == 1
    assert data["totals"]["expired_alerts"] == 1
    medway = next(c for c in data["councils"] if c["slug"] == "medway")
    assert medway["percent"] == 66 and medway["complete"] == 2 and medway["services"] == 3
    assert medway["contact_missing"] == ["email", "address", "opening_hours"]
    pages = {p["page"]: p for p in medway["pages"]}
    assert pages["bin-collections"] == {
        "page": "bin-collections", "title": "Bin collections", "topic": "rubbish-and-recycling",
        "url": "/bin-collections/medway/", "kind": "common", "link": True, "override": None, "missing": [],
        "alerts": 0, "expired_alerts": 1,
    }
    assert pages["apply-for-a-school-place"]["override"] == "councils/medway/schools/apply-for-a-school-place.md"
    assert pages["school-buses"]["kind"] == "council-only" and pages["school-buses"]["missing"] == ["email"]
    assert [a["state"] for a in medway["alerts"]] == ["expired", "scheduled"]
    thanet = next(c for c in data["councils"] if c["slug"] == "thanet")
    assert thanet["pages"][0]["missing"] == ["link:bin-collections"]


def test_report_follows_the_data(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(FILES)
    assert report(root, "--json", "--council", "thanet") == 0
    before = json.loads(capsys.readouterr().out)["councils"][0]
    make_site({"councils/thanet/council.yaml": """
        name: Thanet District Council
        gss: E07000114
        type: non-metropolitan-district
        nation: england
        parent: kent
        website: https://www.thanet.gov.uk/
        links:
          '524': https://www.thanet.gov.uk/bins
    """})
    assert report(root, "--json", "--council", "thanet") == 0
    after = json.loads(capsys.readouterr().out)["councils"][0]
    assert (before["percent"], before["with_link"]) == (0, 0)
    assert (after["percent"], after["with_link"]) == (100, 1)


def test_report_lists_refused_files_and_problems(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({**FILES, "councils/thanet/rubbish-and-recycling/bin-collections.md": "<script>x</script>\n"})
    assert report(root) == 0
    out = capsys.readouterr().out
    assert "refused: councils/thanet/rubbish-and-recycling/bin-collections.md" in out
    assert "bin-collections.md:1: error: unsafe HTML: <script> is not allowed" in out


def test_status_pages_and_json_in_the_build(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(FILES)
    assert main(["--root", str(root), "build", "--strict"]) == 0
    out = root / "build"
    capsys.readouterr()
    assert report(root, "--json") == 0
    assert json.loads((out / "status" / "coverage.json").read_text(encoding="utf-8")) == json.loads(
        capsys.readouterr().out)
    overview = read(out, "/status/")
    assert '<meta name="robots" content="noindex">' in overview
    assert '<table class="govuk-table">' in overview
    row = overview[overview.index('href="/status/medway/"'):]
    row = row[:row.index("</tr>")]
    assert "Medway Council" in row and "govuk-tag--yellow" in row and "Partial" in row
    assert 'class="lg-bar__fill lg-bar__fill--60"' in row and "66%" in row
    assert 'aria-hidden="true"' in row  # the bar is decoration; the percentage is its text
    assert 'href="/status/coverage.json"' in overview
    detail = read(out, "/status/medway/")
    assert '<a class="govuk-link" href="/school-buses/medway/">School buses</a>' in detail
    assert "Council-only page" in detail and "Override" in detail and "Missing data" in detail
    assert "email address" in detail
    assert "1 expired" in detail and "councils/medway/council.yaml:12" in detail
    for page in [overview, detail, read(out, "/status/thanet/")]:
        assert " style=" not in page
        assert len(re.findall(r"<script\b", page)) == len(re.findall(r"<script\b", read(out, "/")))
    assert "status/" not in read(out, "/sitemap.xml")


def test_coverage_json_is_an_indexer() -> None:
    assert coverage_json in [indexer.make for indexer in INDEXERS]


def test_the_report_is_made_from_the_loaded_site_alone(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(FILES)
    problems = Problems()
    site = load_site(root, problems)
    assert site is not None
    before = coverage(site, problems)
    build(root, tmp_path / "out", finalise=False)
    # A build leaves a loaded site as it was, so the report answers the same before and after it.
    assert coverage(site, problems) == before
    assert (tmp_path / "out" / "status" / "coverage.json").read_bytes() == json_bytes(before)
    with pytest.raises(TypeError):
        site.councils["medway"] = site.councils["kent"]  # type: ignore[index]
    with pytest.raises(TypeError):
        site.resolution.exceptions["bin-collections"]["medway"] = ""  # type: ignore[index]


def test_what_a_page_lacked_last_time_is_reused_only_as_given(make_site: MakeSite) -> None:
    root = make_site(FILES)
    problems = Problems()
    site = load_site(root, problems)
    assert site is not None
    fresh = coverage(site, problems)
    medway = fresh.council("medway")
    assert medway is not None
    services = {s.page: s.missing for s in medway.services}
    assert services["school-buses"] == ("email",)
    known = {("medway", "school-buses"): ("phone",)}
    reused = coverage(site, problems, known).council("medway")
    assert reused is not None
    assert {s.page: s.missing for s in reused.services} == {**services, "school-buses": ("phone",)}
