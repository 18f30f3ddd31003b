"""Councils on a date: successors, checks of the chains, builds as at a date, redirects and postcode routing."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest

from localgov.cli import main
from localgov.errors import Problems
from localgov.load.councils import load_councils
from localgov.load.timeline import on_date, routes
from tests.conftest import REPO, MakeSite
from tests.helpers import read
from tests.test_postcode_build import Shards

DATA = REPO.parent / "shared" / "data"
NSPL_2021 = DATA / "postcodes" / "nspl_nov2021"
ONSPD_2025 = DATA / "postcodes" / "onspd_nov2025_pcd_lad_all_uk.csv.gz"

SURREY = ["surrey", "east-surrey", "west-surrey", "elmbridge", "epsom-and-ewell", "mole-valley",
          "reigate-and-banstead", "tandridge", "guildford", "runnymede", "spelthorne", "surrey-heath", "waverley",
          "woking"]
NORTH_YORKSHIRE = ["north-yorkshire-county", "north-yorkshire", "craven", "hambleton", "harrogate", "richmondshire",
                   "ryedale", "scarborough", "selby"]
SURREY_CODES = {"E07000217": "woking", "E07000211": "reigate-and-banstead", "E07000208": "epsom-and-ewell"}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def real_councils(slugs: list[str]) -> dict[str, str]:
    """Return the repository's own council.yaml files for `slugs`, as site files."""
    return {f"councils/{slug}/council.yaml": (REPO / "councils" / slug / "council.yaml").read_text(encoding="utf-8")
            for slug in slugs}


# -- the registry of the national site -----------------------------------------------------------


def test_the_national_registry_has_its_past_and_next_changes_without_problems() -> None:
    problems = Problems()
    councils = load_councils(REPO, problems)
    assert not problems.items, [p.format() for p in problems.items]
    today = on_date(councils, day("2026-11-24"))
    assert len(today.current) == 382
    assert {"surrey", "woking", "buckinghamshire", "north-yorkshire"} <= set(today.current)
    assert {"harrogate", "cumbria", "northamptonshire", "east-surrey"} <= set(today.former)
    vesting = on_date(councils, day("2027-04-01"))
    assert len(vesting.current) == 382 - 12 + 2
    assert "surrey" not in vesting.current and "woking" not in vesting.current
    assert vesting.current["east-surrey"].gss_pending
    before_2023 = on_date(councils, day("2023-03-31"))
    assert "harrogate" in before_2023.current and "north-yorkshire" not in before_2023.current


def test_codes_of_abolished_councils_lead_to_the_council_that_covers_them_on_the_date() -> None:
    councils = load_councils(REPO, Problems())
    assert "E07000165" not in routes(councils, day("2023-03-31"))  # Harrogate still exists
    assert routes(councils, day("2023-04-01"))["E07000165"] == "north-yorkshire"
    # Taunton Deane became Somerset West and Taunton in 2019, which became Somerset in 2023: a chain.
    assert routes(councils, day("2022-01-01"))["E07000190"] == "somerset-west-and-taunton"
    assert routes(councils, day("2023-04-01"))["E07000190"] == "somerset"
    # A county split in two routes nowhere: the district code of each postcode decides.
    after = routes(councils, day("2023-04-01"))
    assert "E10000006" not in after and after["E07000027"] == "westmorland-and-furness"
    assert "E10000021" not in after and after["E07000151"] == "west-northamptonshire"
    assert routes(councils, day("2027-04-01"))["E07000217"] == "west-surrey"
    assert "E10000030" not in routes(councils, day("2027-04-01"))


# -- checks of dates and successors ----------------------------------------------------------------

COUNTY = """
name: Surrey County Council
gss: E10000030
type: county
nation: england
website: https://www.surreycc.gov.uk/
end: 2027-03-31
successors:
  - council: east-surrey
    areas: [elmbridge]
  - council: west-surrey
    areas: [woking]
"""
DISTRICT = """
name: {name}
gss: {gss}
type: non-metropolitan-district
nation: england
parent: surrey
website: https://www.example.gov.uk/
end: 2027-03-31
successors: [{successor}]
"""
UNITARY = """
name: {name}
gss: pending
type: unitary
nation: england
start: {start}
"""


def surrey_files(**changes: str) -> dict[str, str]:
    files = {
        "councils/surrey/council.yaml": COUNTY,
        "councils/elmbridge/council.yaml": DISTRICT.format(name="Elmbridge Borough Council", gss="E07000207",
                                                           successor="east-surrey"),
        "councils/woking/council.yaml": DISTRICT.format(name="Woking Borough Council", gss="E07000217",
                                                        successor="west-surrey"),
        "councils/east-surrey/council.yaml": UNITARY.format(name="East Surrey Council", start="2027-04-01"),
        "councils/west-surrey/council.yaml": UNITARY.format(name="West Surrey Council", start="2027-04-01"),
    }
    return {**files, **changes}


def problems_of(make_site: MakeSite, files: dict[str, str]) -> list[str]:
    root = make_site(files, defaults=False)
    problems = Problems()
    load_councils(root, problems)
    return [p.format() for p in problems.items]


def test_a_reorganisation_as_data_loads_without_problems(make_site: MakeSite) -> None:
    assert problems_of(make_site, surrey_files()) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"councils/west-surrey/council.yaml": UNITARY.format(name="West Surrey Council", start="2027-05-01")},
         "councils/surrey/council.yaml:10: error: 'successors': west-surrey must start the day after surrey ends, "
         "so that no day is left without a council; expected start: 2027-04-01 in councils/west-surrey/council.yaml, "
         "got start: 2027-05-01"),
        ({"councils/surrey/council.yaml": COUNTY.replace("areas: [woking]", "areas: [woking, elmbridge]")},
         "councils/surrey/council.yaml:10: error: 'successors.areas': elmbridge is taken over by both east-surrey "
         "and west-surrey; expected each former district taken over once"),
        ({"councils/surrey/council.yaml": COUNTY.replace("areas: [woking]", "areas: []")},
         "councils/surrey/council.yaml:7: error: 'successors.areas': when a county is split, say which districts "
         "each successor takes over; expected areas: [the slugs of former districts] for every successor"),
        ({"councils/surrey/council.yaml": COUNTY.replace("areas: [elmbridge]", "areas: [elmbrige]")},
         "councils/surrey/council.yaml:8: error: 'successors.areas': 'elmbrige' is not a district of surrey on its "
         "last day; did you mean 'elmbridge'?; expected one of elmbridge, woking, got 'elmbrige'"),
        ({"councils/surrey/council.yaml": COUNTY.replace("west-surrey", "west-sussex")},
         "councils/surrey/council.yaml:10: error: 'successors': no council 'west-sussex' in councils/; did you "
         "mean 'west-surrey'?; expected the slug of a council with a council.yaml, got 'west-sussex'"),
        ({"councils/woking/council.yaml": DISTRICT.format(name="Woking Borough Council", gss="E07000217",
                                                          successor="east-surrey")},
         "councils/woking/council.yaml:8: error: 'successors': councils/surrey/council.yaml says west-surrey takes "
         "over woking; expected west-surrey, got east-surrey"),
        ({"councils/woking/council.yaml": DISTRICT.format(name="Woking Borough Council", gss="E07000217",
                                                          successor="west-surrey").replace("end: 2027-03-31\n", "")},
         "councils/woking/council.yaml:7: error: 'end': only a council that ends has successors; expected the last "
         "day the council is in force, like 2027-03-31"),
        ({"councils/woking/council.yaml": DISTRICT.format(name="Woking Borough Council", gss="E07000217",
                                                          successor="west-surrey").replace("successors: [west-surrey]",
                                                                                           "")},
         "councils/woking/council.yaml:7: error: 'successors': a council that ends needs the councils that take over "
         "its area; expected a list of council slugs"),
        ({"councils/east-surrey/council.yaml": UNITARY.format(name="East Surrey Council", start="2027-04-01")
          + "end: 2027-03-01\nsuccessors: [surrey]\n"},
         "councils/east-surrey/council.yaml:6: error: 'end': ends before it starts; expected a date on or after "
         "2027-04-01, got 2027-03-01"),
        ({"councils/east-surrey/council.yaml": UNITARY.format(name="East Surrey Council", start="2027-04-01")
          .replace("pending", "soon")},
         "councils/east-surrey/council.yaml:2: error: 'gss': not an ONS GSS code; expected a letter and 8 digits like "
         "E07000110, or pending until ONS publishes it, got 'soon'"),
    ],
)
def test_wrong_dates_and_successors_are_reported_at_their_lines(make_site: MakeSite, changes: dict[str, str],
                                                               message: str) -> None:
    found = problems_of(make_site, surrey_files(**changes))
    assert message in found, "\n".join(found)


def test_successors_that_lead_back_are_a_loop(make_site: MakeSite) -> None:
    files = {
        "councils/aaa/council.yaml": UNITARY.format(name="A", start="2020-04-01").replace("pending", "E06000901")
        + "end: 2021-03-31\nsuccessors: [bbb]\n",
        "councils/bbb/council.yaml": UNITARY.format(name="B", start="2021-04-01").replace("pending", "E06000902")
        + "end: 2022-03-31\nsuccessors: [aaa]\n",
    }
    found = "\n".join(problems_of(make_site, files))
    assert "successors lead back to this council: aaa -> bbb -> aaa" in found
    assert "aaa must start the day after bbb ends" in found


# -- a site built as at a date ---------------------------------------------------------------------


def surrey_site(make_site: MakeSite, postcodes: str = "none") -> Path:
    files = real_councils(SURREY)
    return make_site({**files, "site.yaml": f"name: Test\nbase_url: https://test.example\npostcodes: {postcodes}\n"})


def test_before_vesting_day_pages_carry_a_notice_and_the_new_councils_wait(make_site: MakeSite) -> None:
    root = surrey_site(make_site)
    assert main(["--root", str(root), "build", "--as-at", "2027-03-31"]) == 0
    out = root / "build"
    woking = read(out, "/bin-collections/woking/")
    assert "On 1 April 2027 Woking Borough Council will be replaced by West Surrey Council." in woking
    county = read(out, "/councils/surrey/")
    assert "replaced by East Surrey Council and West Surrey Council" in county
    assert "depends on where you live" in county
    assert not (out / "councils" / "west-surrey").exists()
    assert "/bin-collections/woking/" in read(out, "/sitemap.xml")
    assert not (out / "_redirects").exists()


def test_after_vesting_day_old_addresses_lead_to_the_new_councils(make_site: MakeSite) -> None:
    root = surrey_site(make_site)
    assert main(["--root", str(root), "build", "--as-at", "2027-04-01"]) == 0
    out = root / "build"
    assert "West Surrey Council" in read(out, "/bin-collections/west-surrey/")
    assert "Apply to West Surrey Council" in read(out, "/apply-for-a-school-place/west-surrey/")
    assert "will be replaced" not in read(out, "/bin-collections/west-surrey/")
    # A council in law before it has a website of its own: its links lead to its hub here, never nowhere.
    assert 'href=""' not in read(out, "/bin-collections/west-surrey/")
    assert ('<a class="govuk-link" href="/councils/west-surrey/">West Surrey Council page on this site</a>'
            in read(out, "/bin-collections/west-surrey/"))
    assert "Not published yet" in read(out, "/councils/west-surrey/")
    moves = dict(line.split()[:2] for line in (out / "_redirects").read_text().splitlines())
    assert moves["/bin-collections/woking/"] == "/bin-collections/west-surrey/"
    assert moves["/rubbish-and-recycling/woking/"] == "/rubbish-and-recycling/west-surrey/"
    # The county was split: its pages go to the common page, whose postcode form finds the council.
    assert moves["/apply-for-a-school-place/surrey/"] == "/apply-for-a-school-place/"
    assert "/bin-collections/surrey/" not in moves  # the county never had bin pages
    page = read(out, "/bin-collections/woking/")
    assert 'http-equiv="refresh" content="0; url=/bin-collections/west-surrey/"' in page
    assert '<a href="/bin-collections/west-surrey/">' in page
    hub = read(out, "/councils/surrey/")
    assert "Surrey County Council was abolished on 1 April 2027." in hub
    assert "East Surrey Council and West Surrey Council took over its services." in hub
    assert 'href="/councils/west-surrey/">West Surrey Council</a>: for addresses in Guildford, Runnymede' in hub
    sitemap = read(out, "/sitemap.xml")
    assert "/woking/" not in sitemap and "/councils/surrey/" not in sitemap
    assert "https://test.example/bin-collections/west-surrey/" in sitemap


def test_site_yaml_sets_the_date_and_the_option_wins(make_site: MakeSite) -> None:
    root = surrey_site(make_site)
    (root / "site.yaml").write_text("name: Test\nbase_url: https://test.example\npostcodes: none\nas_at: 2027-04-01\n")
    assert main(["--root", str(root), "build"]) == 0
    assert (root / "build" / "councils" / "west-surrey" / "index.html").is_file()
    assert main(["--root", str(root), "build", "--as-at", "2027-03-31"]) == 0
    assert not (root / "build" / "councils" / "west-surrey").exists()
    assert "will be replaced" in read(root / "build", "/bin-collections/woking/")


def test_a_wrong_as_at_is_a_located_problem(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = surrey_site(make_site)
    (root / "site.yaml").write_text("name: Test\nbase_url: https://test.example\npostcodes: none\nas_at: soon\n")
    assert main(["--root", str(root), "build"]) == 1
    assert "site.yaml:4: error: 'as_at': not a date; expected a date like 2027-04-01, got 'soon'" in (
        capsys.readouterr().err)


# -- postcodes older than a change -----------------------------------------------------------------


def surrey_postcodes(limit: int = 30) -> list[tuple[str, str]]:
    """Return real postcodes of three Surrey districts from the November 2025 ONSPD extract."""
    found: dict[str, list[tuple[str, str]]] = {}
    with gzip.open(ONSPD_2025, "rt", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            code = row["laua"]
            if code in SURREY_CODES and len(found.setdefault(code, [])) < limit:
                pcd = row["pcd"].replace(" ", "")
                found[code].append((f"{pcd[:-3]} {pcd[-3:]}", code))
    return [pair for pairs in found.values() for pair in pairs]


@pytest.mark.skipif(not ONSPD_2025.is_file(), reason="shared/data is not beside the repository")
def test_surrey_postcodes_reach_the_new_councils_from_vesting_day_in_the_browser_and_the_cli(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    rows = surrey_postcodes()
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["pcd", "laua"])
    writer.writerows(rows)
    root = surrey_site(make_site, "postcodes/surrey.csv")
    (root / "postcodes").mkdir(exist_ok=True)
    (root / "postcodes" / "surrey.csv").write_text(text.getvalue(), encoding="utf-8")
    expected: dict[str, dict[str, list[str | None]]] = {
        "2027-03-31": {code: [slug, "surrey"] for code, slug in SURREY_CODES.items()},
        "2027-04-01": {"E07000217": ["west-surrey", None], "E07000211": ["east-surrey", None],
                       "E07000208": ["east-surrey", None]},
    }
    for as_at, areas in expected.items():
        out = root / f"build-{as_at}"
        assert main(["--root", str(root), "build", "--out", str(out), "--as-at", as_at, "--no-search"]) == 0
        shards = Shards(out)
        for postcode, code in rows[::7]:
            assert shards.find(postcode) == ("found", tuple(areas[code])), (as_at, postcode)
            capsys.readouterr()
            assert main(["--root", str(root), "postcode", "--as-at", as_at, "--json", postcode]) == 0
            answer = json.loads(capsys.readouterr().out)
            assert [c["slug"] for c in answer["councils"]] == [s for s in areas[code] if s], (as_at, postcode)


@pytest.mark.skipif(not NSPL_2021.is_dir(), reason="shared/data is not beside the repository")
def test_a_2021_harrogate_postcode_reaches_north_yorkshire_council_from_april_2023(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    files = real_councils(NORTH_YORKSHIRE)
    setting = NSPL_2021 / "NSPL_NOV_2021_UK_HG.csv.gz"
    root = make_site({**files, "site.yaml": f"name: Test\nbase_url: https://test.example\npostcodes: {setting}\n"})
    for as_at, slugs in (("2023-03-31", ["harrogate", "north-yorkshire-county"]), ("2023-04-01", ["north-yorkshire"])):
        capsys.readouterr()
        assert main(["--root", str(root), "postcode", "--as-at", as_at, "--json", "HG1 1AA"]) == 0
        answer = json.loads(capsys.readouterr().out)
        assert [c["slug"] for c in answer["councils"]] == slugs, as_at


# -- check and report ------------------------------------------------------------------------------


def test_check_warns_about_new_councils_that_lack_data_within_120_days(make_site: MakeSite) -> None:
    from localgov.commands.check import check

    root = surrey_site(make_site)
    early = [p.format() for p in check(root, render=False, as_at=day("2026-11-24")).problems]
    assert not [p for p in early if "takes over" in p]
    later = check(root, render=False, as_at=day("2027-01-01")).problems
    found = [p.format() for p in later if "takes over" in p.message]
    assert found == [
        "councils/east-surrey/council.yaml:7: warning: East Surrey Council takes over on 1 April 2027, in 90 days, "
        "from Surrey, Elmbridge, Epsom and Ewell, Mole Valley, Reigate and Banstead and Tandridge, and has no GSS "
        "code, no website, no contact details, no service links yet",
        "councils/west-surrey/council.yaml:7: warning: West Surrey Council takes over on 1 April 2027, in 90 days, "
        "from Surrey, Guildford, Runnymede, Spelthorne, Surrey Heath, Waverley and Woking, and has no GSS code, no "
        "website, no contact details, no service links yet",
    ]


def test_report_lists_the_councils_in_transition(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = surrey_site(make_site)
    capsys.readouterr()
    assert main(["--root", str(root), "report", "--as-at", "2027-01-01"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Councils in transition on 2027-01-01:\n")
    assert ("  surrey: Surrey County Council ends 2027-03-31; from 2027-04-01: east-surrey (no GSS code, no website, "
            "no contact details, no service links); west-surrey (no GSS code") in out
    assert main(["--root", str(root), "report", "--as-at", "2027-01-01", "--council", "woking"]) == 0
    out = capsys.readouterr().out
    assert "  woking: Woking Borough Council ends 2027-03-31; from 2027-04-01: west-surrey (no GSS code" in out
    assert "elmbridge" not in out and "surrey:" not in out
    assert main(["--root", str(root), "report", "--as-at", "2027-01-01", "--json", "--council", "woking"]) == 0
    assert json.loads(capsys.readouterr().out)["transitions"] == [
        {"council": "woking", "end": "2027-03-31", "vesting_day": "2027-04-01",
         "successors": [{"council": "west-surrey",
                         "lacks": ["GSS code", "website", "contact details", "service links"]}]}]
    assert main(["--root", str(root), "report", "--as-at", "2027-04-01"]) == 0
    assert "in transition" not in capsys.readouterr().out
    assert main(["--root", str(root), "report", "--as-at", "2027-04-01", "--json"]) == 0
    assert "transitions" not in json.loads(capsys.readouterr().out)


SOMERSET = ["somerset-county", "somerset", "mendip", "sedgemoor", "south-somerset", "somerset-west-and-taunton",
            "taunton-deane", "west-somerset"]


def test_a_chain_of_changes_leads_each_old_address_to_the_council_of_the_day(make_site: MakeSite) -> None:
    root = make_site({**real_councils(SOMERSET),
                      "site.yaml": "name: Test\nbase_url: https://test.example\npostcodes: none\n"})
    assert main(["--root", str(root), "build", "--as-at", "2022-06-01"]) == 0
    out = root / "build"
    moves = dict(line.split()[:2] for line in (out / "_redirects").read_text().splitlines())
    assert moves["/bin-collections/taunton-deane/"] == "/bin-collections/somerset-west-and-taunton/"
    assert "North Yorkshire" not in read(out, "/councils/")
    assert main(["--root", str(root), "build", "--as-at", "2023-04-01"]) == 0
    moves = dict(line.split()[:2] for line in (out / "_redirects").read_text().splitlines())
    assert moves["/bin-collections/taunton-deane/"] == "/bin-collections/somerset/"
    assert moves["/apply-for-a-school-place/somerset-county/"] == "/apply-for-a-school-place/somerset/"
    hub = read(out, "/councils/taunton-deane/")
    assert "Taunton Deane Borough Council was abolished on 1 April 2019." in hub
    assert '<a class="govuk-link" href="/councils/somerset-west-and-taunton/">' in hub
    assert "was abolished on 1 April 2023" in read(out, "/councils/somerset-west-and-taunton/")


def test_the_last_possible_date_is_refused_not_a_crash(make_site: MakeSite) -> None:
    files = surrey_files(**{"councils/woking/council.yaml": DISTRICT.format(
        name="Woking Borough Council", gss="E07000217", successor="west-surrey").replace("2027-03-31", "9999-12-31")})
    found = problems_of(make_site, files)
    assert ("councils/woking/council.yaml:7: error: 'end': not a last day a council can have; expected a date "
            "before 9999-12-31, got 9999-12-31") in found


def test_the_hub_of_an_abolished_council_and_the_pages_that_move_on_are_valid_html(make_site: MakeSite) -> None:
    from tests.test_html_valid import describe, validate

    root = surrey_site(make_site)
    assert main(["--root", str(root), "build", "--as-at", "2027-04-01", "--no-search"]) == 0
    out = root / "build"
    files = [out / "councils" / "surrey" / "index.html", out / "bin-collections" / "woking" / "index.html",
             out / "councils" / "west-surrey" / "index.html", out / "bin-collections" / "west-surrey" / "index.html"]
    problems = {f: m for f, m in validate(files).items() if m}
    assert not problems, describe(problems, out)


@pytest.mark.skipif(not NSPL_2021.is_dir(), reason="shared/data is not beside the repository")
def test_an_import_is_made_for_the_date_it_is_given(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({**real_councils(NORTH_YORKSHIRE),
                      "site.yaml": "name: Test\nbase_url: https://test.example\npostcodes: imported\n"})
    path = str(NSPL_2021 / "NSPL_NOV_2021_UK_HG.csv.gz")
    assert main(["--root", str(root), "postcodes", "import", path, "--as-at", "2023-04-01"]) == 0
    capsys.readouterr()
    assert main(["--root", str(root), "postcode", "--as-at", "2023-04-01", "--json", "HG1 1AA"]) == 0
    assert [c["slug"] for c in json.loads(capsys.readouterr().out)["councils"]] == ["north-yorkshire"]
    assert main(["--root", str(root), "build", "--as-at", "2023-04-01", "--no-search"]) == 0
    assert Shards(root / "build").find("HG1 1AA") == ("found", ("north-yorkshire", None))
