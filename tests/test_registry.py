"""The council registry (`councils/*/council.yaml`) against the published lists it was made from."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
AUTHORITIES = DATA / "authorities"

needs_data = pytest.mark.skipif(not AUTHORITIES.is_dir(), reason="shared/data is not beside the repository")

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FIELDS = {"name", "short_name", "gss", "former_gss", "type", "nation", "parent", "website"}
DATES = {"start", "end", "successors"}
WELSH_NAMES = {"name_cy", "short_name_cy"}  # councils in Wales only (README, "Welsh")
TODAY = dt.date(2026, 11, 24)  # the registry is checked as it stands on this date against lists made before it
# A council's own data (README, "A council"), checked by tests/test_councildata.py.
LOCAL_DATA = {"contact", "links", "features", "takes_on", "hands_over", "alerts", "example_data"}
TYPES = {
    "CTY": "county", "NMD": "non-metropolitan-district", "UA": "unitary", "MD": "metropolitan-district",
    "LBO": "london-borough", "CC": "london-borough", "WPA": "welsh-principal-area",
    "SCO": "scottish-council", "NID": "ni-district",
}
NATIONS = {"England": "england", "Wales": "wales", "Scotland": "scotland", "Northern Ireland": "northern-ireland"}
# ONS renumbered these in 2024; the December 2023 names-and-codes list still has the old codes.
RENUMBERED = {"E08000038": "E08000016", "E08000039": "E08000019"}


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(AUTHORITIES / name, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def every_council() -> dict[str, dict[str, Any]]:
    """Every council file: those in force, those abolished and those not yet in force."""
    return {p.parent.name: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((ROOT / "councils").glob("*/council.yaml"))}


@pytest.fixture(scope="module")
def councils(every_council: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The councils in force on TODAY."""
    return {slug: data for slug, data in every_council.items()
            if data.get("start", dt.date.min) <= TODAY <= data.get("end", dt.date.max)}


@pytest.fixture(scope="module")
def former_codes() -> dict[str, str | None]:
    data = yaml.safe_load((ROOT / "postcodes" / "former_codes.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def mysociety() -> list[dict[str, str]]:
    return _read_csv("mysociety_uk_local_authorities.csv")


@pytest.fixture(scope="module")
def matched(councils: dict[str, dict[str, Any]], mysociety: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """Each council's current mySociety row, joined on its current or former GSS codes."""
    current = {r["gss-code"]: r for r in mysociety if r["current-authority"] == "True"}
    result = {}
    for slug, data in councils.items():
        rows = {current[c]["local-authority-code"]: current[c] for c in [data["gss"], *data.get("former_gss", [])]
                if c in current}
        assert len(rows) == 1, (slug, sorted(rows))
        result[slug] = next(iter(rows.values()))
    return result


# --- the files themselves ----------------------------------------------------------------------


def test_every_council_file_is_well_formed(councils: dict[str, dict[str, Any]]) -> None:
    assert len(councils) == 382
    for slug, data in councils.items():
        assert SLUG.fullmatch(slug), slug
        assert set(data) <= FIELDS | LOCAL_DATA | DATES | WELSH_NAMES, slug
        if set(data) & WELSH_NAMES:
            assert data["nation"] == "wales", slug
            assert all(isinstance(data[k], str) and data[k] == data[k].strip() and data[k]
                       for k in WELSH_NAMES if k in data), slug
        assert {"name", "short_name", "gss", "type", "nation", "website"} <= set(data), slug
        assert all(isinstance(data[k], str) and data[k] == data[k].strip() and data[k]
                   for k in FIELDS - {"former_gss"} if k in data), slug
        assert re.fullmatch(r"[ENSW]\d{8}", data["gss"]), slug
        assert all(re.fullmatch(r"[ENSW]\d{8}", c) for c in data.get("former_gss", [])), slug
        assert urlsplit(data["website"]).scheme == "https" and urlsplit(data["website"]).netloc, slug


def test_counts_per_type(councils: dict[str, dict[str, Any]]) -> None:
    assert Counter(d["type"] for d in councils.values()) == {
        "county": 21, "non-metropolitan-district": 164, "unitary": 63, "metropolitan-district": 36,
        "london-borough": 33, "welsh-principal-area": 22, "scottish-council": 32, "ni-district": 11,
    }


def test_gss_prefix_matches_type_and_nation(councils: dict[str, dict[str, Any]]) -> None:
    prefixes = {"county": "E10", "non-metropolitan-district": "E07", "unitary": "E06",
                "metropolitan-district": "E08", "london-borough": "E09", "welsh-principal-area": "W06",
                "scottish-council": "S12", "ni-district": "N09"}
    nations = {"E": "england", "W": "wales", "S": "scotland", "N": "northern-ireland"}
    for slug, data in councils.items():
        assert data["gss"][:3] == prefixes[data["type"]], slug
        assert data["nation"] == nations[data["gss"][0]], slug


def test_districts_and_only_districts_have_a_county(councils: dict[str, dict[str, Any]]) -> None:
    for slug, data in councils.items():
        if data["type"] == "non-metropolitan-district":
            assert councils[data["parent"]]["type"] == "county", slug
        else:
            assert "parent" not in data, slug
    per_county = Counter(d["parent"] for d in councils.values() if "parent" in d)
    assert set(per_county) == {s for s, d in councils.items() if d["type"] == "county"}
    assert per_county["kent"] == per_county["essex"] == per_county["lancashire"] == 12


def test_codes_are_unique(every_council: dict[str, dict[str, Any]], councils: dict[str, dict[str, Any]],
                          former_codes: dict[str, str | None]) -> None:
    codes = [c for d in every_council.values() for c in [d["gss"], *d.get("former_gss", [])] if c != "pending"]
    assert len(codes) == len(set(codes))
    assert not set(codes) & set(former_codes)
    assert all(slug is None or slug in councils for slug in former_codes.values())


# --- against the published lists ----------------------------------------------------------------


@needs_data
def test_slugs_and_websites_are_govuk_local_links(councils: dict[str, dict[str, Any]]) -> None:
    rows = {r["slug"]: r for r in _read_csv("govuk_local_links_manager_local_authorities.csv")}
    assert set(councils) == set(rows)
    tiers = {"1": {"county"}, "2": {"non-metropolitan-district"}}
    by_id = {r["id"]: r for r in rows.values()}
    for slug, data in councils.items():
        row = rows[slug]
        assert urlsplit(data["website"]).netloc == urlsplit(row["homepage_url"]).netloc.lower(), slug
        assert data["type"] in tiers.get(row["tier_id"], set(TYPES.values()) - {"county", "non-metropolitan-district"})
        if row["parent_local_authority_id"]:
            assert data["parent"] == by_id[row["parent_local_authority_id"]]["slug"], slug


@needs_data
def test_names_types_and_nations_match_mysociety(councils: dict[str, dict[str, Any]],
                                                 matched: dict[str, dict[str, str]],
                                                 mysociety: list[dict[str, str]]) -> None:
    principal = [r for r in mysociety if r["current-authority"] == "True" and r["local-authority-type"] in TYPES]
    assert len(principal) == len(councils)
    assert len({r["local-authority-code"] for r in matched.values()}) == len(councils)
    for slug, data in councils.items():
        row = matched[slug]
        assert data["name"] == row["official-name"].strip(), slug
        assert data["short_name"] == row["nice-name"].strip(), slug
        assert data["type"] == TYPES[row["local-authority-type"]], slug
        assert data["nation"] == NATIONS[row["nation"]], slug


@needs_data
def test_parent_counties_match_mysociety(councils: dict[str, dict[str, Any]], matched: dict[str, dict[str, str]],
                                         mysociety: list[dict[str, str]]) -> None:
    by_code = {r["local-authority-code"]: r for r in mysociety}
    for slug, data in councils.items():
        county_la = matched[slug]["county-la"]
        if data["type"] == "non-metropolitan-district":
            assert councils[data["parent"]]["gss"] == by_code[county_la]["gss-code"], slug


@needs_data
def test_every_code_is_an_ons_code(councils: dict[str, dict[str, Any]]) -> None:
    lad = {r["LAD23CD"]: r["LAD23NM"] for r in _read_csv("ons_LAD23_names_codes_UK_as_at_12_23.csv")}
    cty = {r["CTY23CD"]: r["CTY23NM"] for r in _read_csv("ons_CTY23_names_codes_EN_as_at_12_23.csv")}
    counties = {d["gss"] for d in councils.values() if d["type"] == "county"}
    assert counties == set(cty)
    current = {RENUMBERED.get(d["gss"], d["gss"]) for d in councils.values() if d["type"] != "county"}
    assert current == set(lad)
    for new, old in RENUMBERED.items():
        council = next(d for d in councils.values() if d["gss"] == new)
        assert old in council["former_gss"]
        assert council["short_name"] == lad[old]


@needs_data
def test_each_council_in_wales_has_the_welsh_name_ons_gives_its_area(councils: dict[str, dict[str, Any]]) -> None:
    welsh = {r["LAD23CD"]: r["LAD23NMW"] for r in _read_csv("ons_LAD23_names_codes_UK_as_at_12_23.csv")
             if r["LAD23CD"].startswith("W")}
    wales = {slug: d for slug, d in councils.items() if d["nation"] == "wales"}
    assert len(wales) == len(welsh) == 22
    for slug, data in wales.items():
        assert data.get("short_name_cy") == welsh[data["gss"]], slug
        assert str(data.get("name_cy", "")).startswith("Cyngor"), slug


@needs_data
def test_codes_are_the_ones_onspd_november_2025_uses(councils: dict[str, dict[str, Any]]) -> None:
    path = DATA / "postcodes" / "onspd_nov2025_pcd_lad_all_uk.csv.gz"
    with gzip.open(path, "rt", newline="") as stream:
        rows = csv.reader(stream)
        column = next(rows).index("laua")
        used = {row[column] for row in rows} - {"", "L99999999", "M99999999"}
    assert {d["gss"] for d in councils.values() if d["type"] != "county"} == used


@needs_data
def test_former_codes_and_abolished_councils_follow_mysociety_successors(
        former_codes: dict[str, str | None], every_council: dict[str, dict[str, Any]],
        matched: dict[str, dict[str, str]], mysociety: list[dict[str, str]]) -> None:
    by_code = {r["local-authority-code"]: r for r in mysociety}
    slug_of = {row["local-authority-code"]: slug for slug, row in matched.items()}
    by_gss = {d["gss"]: (slug, d) for slug, d in every_council.items()}

    def successors(code: str) -> set[str]:
        row = by_code[code]
        if row["current-authority"] == "True":
            return {code}
        return set().union(*(successors(c) for c in row["replaced-by"].split(",") if c))

    abolished = [r for r in mysociety if r["current-authority"] == "False" and r["gss-code"]
                 and r["local-authority-type"] in TYPES]
    files = {code for code, (_, d) in by_gss.items() if d.get("end", dt.date.max) < TODAY}
    assert set(former_codes) | files == {r["gss-code"] for r in abolished}
    assert not set(former_codes) & files
    for row in abolished:
        if row["gss-code"] in files:
            # An abolished council with a file of its own: its name, its last day and its direct successors.
            slug, data = by_gss[row["gss-code"]]
            assert data["name"] == row["official-name"].strip(), slug
            end = dt.date.fromisoformat(row["end-date"])
            assert end in (data["end"], data["end"] + dt.timedelta(days=1)), slug  # the list gives either
            named = {s if isinstance(s, str) else s["council"] for s in data["successors"]}
            direct = {by_gss[by_code[c]["gss-code"]][0] for c in row["replaced-by"].split(",")}
            assert named == direct, slug
            continue
        after = successors(row["local-authority-code"])
        expected = slug_of[after.pop()] if len(after) == 1 else None
        assert former_codes[row["gss-code"]] == expected, row["nice-name"]
    assert every_council["cumbria"]["end"] == dt.date(2023, 3, 31)
    assert former_codes["E07000049"] == "dorset"
