"""Postcodes: the normaliser, every reader layout on real ONS files, the lookup, shards and the CLI."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import io
import json
import random
import shutil
import string
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from localgov.commands import postcode as postcode_cli
from localgov.errors import LocalgovError
from localgov.model import Area
from localgov.postcodes import lookup as lookup_module
from localgov.postcodes.lookup import (
    PostcodeLookup,
    PostcodeRecord,
    areas_json,
    builtin_source,
    compile_lookup,
    compiled_path,
    load_lookup,
    normalise,
    outcode,
    read_postcode_file,
    save_lookup,
    shard_json,
    site_lookup,
    write_shards,
    zip_members,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
POSTCODES = DATA / "postcodes"
DEMO = ROOT / "postcodes" / "demo.csv"

needs_data = pytest.mark.skipif(not POSTCODES.is_dir(), reason="shared/data is not beside the repository")


# --- the registry as an independent reader sees it ------------------------------------------


TODAY = dt.date(2026, 11, 24)


def _every_council() -> dict[str, dict[str, Any]]:
    return {p.parent.name: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in (ROOT / "councils").glob("*/council.yaml")}


def _registry() -> tuple[dict[str, dict[str, Any]], dict[str, str | None]]:
    """The councils in force on TODAY, and the codes of councils abolished before 2020 with their successors."""
    councils = {slug: data for slug, data in _every_council().items()
                if data.get("start", dt.date.min) <= TODAY <= data.get("end", dt.date.max)}
    former = yaml.safe_load((ROOT / "postcodes" / "former_codes.yaml").read_text(encoding="utf-8"))
    return councils, former


def _successor_codes() -> dict[str, str]:
    """Map the code of each council abolished before TODAY to the one council that covers all its area now."""
    every = _every_council()
    found: dict[str, str] = {}
    for data in every.values():
        if data.get("end", dt.date.max) >= TODAY:
            continue
        current = data
        while current.get("end", dt.date.max) < TODAY and len(current["successors"]) == 1:
            nxt = current["successors"][0]
            current = every[nxt if isinstance(nxt, str) else nxt["council"]]
        if current.get("end", dt.date.max) >= TODAY:
            found[data["gss"]] = next(slug for slug, d in every.items() if d is current)
    return found


@pytest.fixture(scope="module")
def registry() -> tuple[dict[str, str], dict[str, str | None]]:
    """GSS code -> slug and district -> county, built straight from the YAML files."""
    councils, former = _registry()
    gss_to_slug: dict[str, str] = {}
    for slug, data in councils.items():
        for code in [data["gss"], *data.get("former_gss", [])]:
            gss_to_slug[str(code)] = slug
    gss_to_slug.update({code: slug for code, slug in former.items() if slug})
    gss_to_slug.update(_successor_codes())
    county_of = {slug: data.get("parent") for slug, data in councils.items()}
    return gss_to_slug, county_of


def _expected_area(record: PostcodeRecord, registry: tuple[dict[str, str], dict[str, str | None]]) -> Area | None:
    gss_to_slug, county_of = registry
    lower = gss_to_slug[record.district] if record.district else None
    return Area(lower, county_of[lower]) if lower else None


# --- normalise ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("me156jq", "ME15 6JQ"),
        (" ME15  6JQ ", "ME15 6JQ"),
        ("ME15-6JQ", "ME15 6JQ"),
        ("sw1a2aa", "SW1A 2AA"),
        ("SW1A 2AA", "SW1A 2AA"),
        ("ec1a 1bb", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("m11ae", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("cr2\t6xh", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("gir 0aa", "GIR 0AA"),
        ("BT1\u00a01AA", "BT1 1AA"),
    ],
)
def test_normalise_accepts_what_people_type(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "ME15", "ME15 6J", "ME15 6JQQ", "ME156JQX", "Q1 1AA", "V1 1AA", "X1 1AA", "AI1 1AA",
     "AZ1 1AA", "ME15 6CQ", "ME15 6JI", "ME15 6JK", "ME15 6JM", "ME15 6JO", "ME15 6JV", "1ME 6JQ",
     "MEE 6JQ", "ME15 J6Q", "ＭＥ１５ ６ＪＱ", "BFPO 1234", "ME15.6JQ", "ME15_6JQ", "M\u0131 1AA"],
)
def test_normalise_rejects_what_is_not_a_postcode(typed: str) -> None:
    assert normalise(typed) is None


FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"
SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
digit = st.sampled_from(string.digits)
outwards = st.one_of(
    st.tuples(st.sampled_from(FIRST), digit).map("".join),
    st.tuples(st.sampled_from(FIRST), digit, digit).map("".join),
    st.tuples(st.sampled_from(FIRST), digit, st.sampled_from(string.ascii_uppercase)).map("".join),
    st.tuples(st.sampled_from(FIRST), st.sampled_from(SECOND), digit).map("".join),
    st.tuples(st.sampled_from(FIRST), st.sampled_from(SECOND), digit, digit).map("".join),
    st.tuples(st.sampled_from(FIRST), st.sampled_from(SECOND), digit,
              st.sampled_from(string.ascii_uppercase)).map("".join),
)
inwards = st.tuples(digit, st.sampled_from(INWARD_LETTERS), st.sampled_from(INWARD_LETTERS)).map("".join)
postcodes_st = st.tuples(outwards, inwards).map(" ".join)


@given(st.text())
def test_normalise_never_raises_and_is_idempotent(text: str) -> None:
    result = normalise(text)
    assert result is None or normalise(result) == result


@given(st.text(alphabet=string.ascii_letters + string.digits + " -", max_size=10))
def test_normalise_output_is_canonical(text: str) -> None:
    result = normalise(text)
    if result is not None:
        assert result == result.upper().strip()
        assert result.count(" ") == 1 and len(result.split()[1]) == 3


@given(postcodes_st, st.data())
def test_normalise_accepts_every_spacing_and_case(postcode: str, data: st.DataObject) -> None:
    chars = []
    for ch in postcode.replace(" ", ""):
        chars.append(" " * data.draw(st.integers(0, 2)))
        chars.append(ch.lower() if data.draw(st.booleans()) else ch)
    chars.append(" " * data.draw(st.integers(0, 2)))
    assert normalise("".join(chars)) == postcode
    compact = postcode.replace(" ", "")
    assert normalise(f"{compact[:-3]}-{compact[-3:]}") == postcode
    assert outcode(postcode.lower()) == postcode.split()[0]


def test_outcode_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="not a UK postcode"):
        outcode("hello")


# --- reading: every layout on real files ---------------------------------------------------------


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as stream:
            return list(csv.DictReader(stream))
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def _pseudo(code: str) -> str | None:
    return None if not code or code.endswith("99999999") else code


@needs_data
@pytest.mark.parametrize(
    ("name", "district", "county", "parish"),
    [
        ("onspd_header_samples/onspd_may2018_test.csv", "oslaua", "oscty", "parish"),
        ("onspd_header_samples/onspd_aug2024_test.csv", "oslaua", "oscty", "parish"),
        ("onspd_header_samples/onspd_nov2025_test.csv", "lad25cd", "cty25cd", "parncp25cd"),
        ("onspd_2025_extract_AB1_postcodesio_seed.csv", "oslaua", "oscty", "parish"),
        ("nspl21_aug2022/NSPL21_AUG_2022_UK_BT.csv.gz", "laua", "cty", None),
        ("nspl_nov2021/NSPL_NOV_2021_UK_SM.csv.gz", "laua", "cty", None),
        ("nspl_nov2021/NSPL_NOV_2021_UK_JE.csv.gz", "laua", "cty", None),
    ],
)
def test_reader_matches_the_file_row_by_row(name: str, district: str, county: str, parish: str | None) -> None:
    path = POSTCODES / name
    rows = _csv_rows(path)
    records = list(read_postcode_file(path))
    assert len(records) == len(rows)
    for row, record in zip(rows, records, strict=False):
        assert record.postcode == row["pcds"]
        assert record.district == _pseudo(row[district])
        assert record.county == (row[county] if row[county].startswith("E10") else None)
        assert record.terminated == bool(row["doterm"])
        expected_parish = row[parish] if parish and row[parish][:3] in ("E04", "W04") else None
        assert record.parish == expected_parish


@needs_data
def test_reader_knows_the_old_and_new_onspd_headers() -> None:
    old = list(read_postcode_file(POSTCODES / "onspd_header_samples/onspd_may2018_test.csv"))
    assert old[0] == PostcodeRecord("AL1 1AA", "E07000240", "E10000015", True, None)
    assert old[-1] == PostcodeRecord("IM1 1AD", None, None, False, None)
    new = list(read_postcode_file(POSTCODES / "onspd_header_samples/onspd_nov2025_test.csv"))
    assert new[0] == PostcodeRecord("AB1 0AA", "S12000033", None, True, None)


@needs_data
def test_reader_counts_terminated_as_ons_publishes_them() -> None:
    seed = list(read_postcode_file(POSTCODES / "onspd_2025_extract_AB1_postcodesio_seed.csv"))
    assert (len(seed), sum(r.terminated for r in seed)) == (8048, 3811)
    bt = list(read_postcode_file(POSTCODES / "nspl21_aug2022/NSPL21_AUG_2022_UK_BT.csv.gz"))
    assert (len(bt), sum(r.terminated for r in bt)) == (62440, 12757)
    assert {r.district for r in bt if r.district} == {f"N0900000{i}" for i in range(1, 10)} | {
        "N09000010", "N09000011"}


@needs_data
def test_reader_takes_the_qlacref_layout_and_onsud(tmp_path: Path) -> None:
    rows = []
    with gzip.open(POSTCODES / "onspd_nov2025_pcd_lad_all_uk.csv.gz", "rt") as stream:
        for i, row in enumerate(csv.DictReader(stream)):
            if i == 20000:
                break
            rows.append(row)
    extract = io.StringIO()
    writer = csv.DictWriter(extract, list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    records = list(_read_text(extract.getvalue(), tmp_path))
    assert len(records) == len(rows)
    assert all(r.postcode.replace(" ", "") == row["pcd"].replace(" ", "")
               for r, row in zip(records, rows, strict=False))
    assert all(r.district == _pseudo(row["laua"]) for r, row in zip(records, rows, strict=False))
    assert not any(r.terminated or r.county for r in records)

    onsud = [r for r in _csv_rows(POSTCODES / "onsud_mar2024_sample_gb.csv") if r["PCDS"].strip()]
    records = list(read_postcode_file(POSTCODES / "onsud_mar2024_sample_gb.csv"))
    assert [r.postcode for r in records] == [row["PCDS"].strip() for row in onsud]
    assert [r.county for r in records] == [row["CTY23CD"] if row["CTY23CD"].startswith("E10") else None
                                           for row in onsud]
    assert sum(r.parish is not None for r in records) == sum(row["PARNCP23CD"][:3] in ("E04", "W04")
                                                             for row in onsud)


def _read_text(text: str, folder: Path) -> Iterator[PostcodeRecord]:
    path = folder / "extract.csv"
    path.write_text(text, encoding="utf-8")
    return read_postcode_file(path)


@needs_data
def test_reader_reads_every_data_csv_of_an_ons_zip(tmp_path: Path) -> None:
    parts = ["nspl21_aug2022/NSPL21_AUG_2022_UK_AB.csv.gz", "nspl21_aug2022/NSPL21_AUG_2022_UK_E.csv.gz"]
    archive = tmp_path / "NSPL21_AUG_2022_UK.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in parts:
            zf.writestr(f"Data/multi_csv/{Path(part).name[:-3]}", gzip.decompress((POSTCODES / part).read_bytes()))
        zf.writestr("Documents/LA_UA names and codes UK as at 04_21.csv", "LAD21CD,LAD21NM\nE09000030,Tower Hamlets\n")
        zf.writestr("User Guide/readme.txt", "not data")
    from_zip = list(read_postcode_file(archive))
    from_parts = [r for part in parts for r in read_postcode_file(POSTCODES / part)]
    assert from_zip == from_parts
    assert len(from_zip) == 39033 + 29033


def test_zip_members_prefer_the_whole_file_over_its_parts() -> None:
    names = ["Data/ONSPD_NOV_2025_UK.csv", "Data/multi_csv/ONSPD_NOV_2025_UK_AB.csv",
             "Documents/LAD names.csv", "User Guide/x.csv"]
    assert zip_members(names) == ["Data/ONSPD_NOV_2025_UK.csv"]
    assert zip_members(names[1:]) == ["Data/multi_csv/ONSPD_NOV_2025_UK_AB.csv"]
    assert zip_members(["Documents/a.csv"]) == []


def test_reader_reads_a_folder_of_csvs(tmp_path: Path) -> None:
    header = "pcds,doterm,oscty,oslaua,parish\n"
    (tmp_path / "b.csv").write_text(header + "ME15 6JQ,,E10000016,E07000110,E43000100\n")
    with gzip.open(tmp_path / "a.csv.gz", "wt") as stream:
        stream.write(header + "BT1 1AA,,N99999999,N09000003,N99999999\n")
    assert [r.postcode for r in read_postcode_file(tmp_path)] == ["BT1 1AA", "ME15 6JQ"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,address\nKent,Maidstone\n", "expected a postcode column"),
        (b"pcds,doterm,cty\nME15 6JQ,,E10000016\n", "local authority column"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a postcode file"),
    ],
)
def test_reader_explains_files_it_cannot_read(content: bytes, message: str, tmp_path: Path) -> None:
    (tmp_path / "file.csv").write_bytes(content)
    with pytest.raises(LocalgovError, match=message):
        list(read_postcode_file(tmp_path / "file.csv"))


def test_reader_explains_broken_archives(tmp_path: Path) -> None:
    (tmp_path / "broken.csv.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04broken")
    with zipfile.ZipFile(tmp_path / "docs.zip", "w") as zf:
        zf.writestr("Documents/a.csv", "x\n")
    for name, message in [("broken.csv.gz", "cannot read"), ("broken.zip", "cannot read"),
                          ("docs.zip", "no postcode CSV"), ("missing.csv", "no such file")]:
        with pytest.raises(LocalgovError, match=message):
            list(read_postcode_file(tmp_path / name))


def test_reader_skips_rows_without_a_valid_postcode(tmp_path: Path) -> None:
    text = "pcds,laua\nME15 6JQ,E07000110\nNPT 0AD,W06000022\n,E07000110\nshort\nCF10 1EP,W06000015\n"
    assert [r.postcode for r in _read_text(text, tmp_path)] == ["ME15 6JQ", "CF10 1EP"]


# --- compiling and finding ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_lookup(registry: tuple[dict[str, str], dict[str, str | None]]) -> PostcodeLookup:
    return compile_lookup(read_postcode_file(DEMO), *registry)


def test_demo_file_resolves_every_kind_of_area(demo_lookup: PostcodeLookup) -> None:
    assert demo_lookup.find("me15 6jq").area == Area("maidstone", "kent")
    assert demo_lookup.find("ME15 6JQ").status == "found"
    assert demo_lookup.find("SW1A 2AA").area == Area("westminster", None)
    assert demo_lookup.find("CF10 1EP").area == Area("cardiff", None)
    assert demo_lookup.find("EH1 1YZ").area == Area("edinburgh", None)
    assert demo_lookup.find("BT1 1AA").area == Area("belfast", None)
    assert demo_lookup.find("S70 2TA").area == Area("barnsley", None)
    assert demo_lookup.find("TA1 1HE").area == Area("somerset", None)
    terminated = demo_lookup.find("AB1 0AA")
    assert (terminated.status, terminated.area) == ("terminated", Area("aberdeen", None))
    for island in ("JE2 4WD", "GY1 1AA", "IM1 1AD"):
        assert demo_lookup.find(island).status == "no-council"
        assert demo_lookup.find(island).area is None
    assert demo_lookup.find("ME15 9ZZ").status == "unknown"
    assert demo_lookup.find("ZZ99 9ZZ").status == "invalid"


def test_demo_file_agrees_with_the_lookup(demo_lookup: PostcodeLookup,
                                          registry: tuple[dict[str, str], dict[str, str | None]]) -> None:
    rows = _csv_rows(DEMO)
    assert len(demo_lookup) == len(rows) >= 80
    for row in rows:
        result = demo_lookup.find(row["pcds"])
        lad = _pseudo(row["lad25cd"])
        expected = _expected_area(PostcodeRecord(row["pcds"], lad, None, False, None), registry)
        assert result.area == expected, row["pcds"]
        if row["cty25cd"].startswith("E10"):
            assert result.area is not None and result.area.county == registry[0][row["cty25cd"]]
        assert (result.status == "terminated") == (bool(row["doterm"]) and expected is not None)


def test_compile_counts_and_reports_unknown_codes(registry: tuple[dict[str, str], dict[str, str | None]]) -> None:
    records = [
        PostcodeRecord("ME15 6JQ", "E07000110", "E10000016", False, None),
        PostcodeRecord("ME15 6JR", "E07000110", None, True, None),
        PostcodeRecord("JE2 4WD", None, None, False, None),
        PostcodeRecord("YY1 1AA", "E07999999", None, False, None),
        PostcodeRecord("YY1 1AB", "E07999999", None, True, None),
        PostcodeRecord("ME15 6JS", "E07000110", "E10000012", False, None),
    ]
    seen: list[int] = []
    lookup = compile_lookup(records, *registry, progress=seen.append)
    stats = lookup.stats
    assert (stats.rows, stats.live, stats.terminated, stats.no_council, stats.unknown) == (6, 2, 1, 1, 2)
    assert stats.unknown_codes == (("E07999999", 2),)
    assert stats.county_mismatches == 1
    assert seen == [6]
    assert lookup.find("YY1 1AA").status == "unknown"
    assert lookup.find("ME15 6JR").status == "terminated"
    assert lookup.find("ME15 6JS").area == Area("maidstone", "kent")


def test_a_later_row_for_the_same_postcode_wins(registry: tuple[dict[str, str], dict[str, str | None]]) -> None:
    records = [PostcodeRecord("ME15 6JQ", "E07000110", None, True, None),
               PostcodeRecord("ME15 6JQ", "E06000035", None, False, None)]
    lookup = compile_lookup(records, *registry)
    assert len(lookup) == 1
    assert lookup.find("ME15 6JQ").area == Area("medway", None)


def test_lookup_round_trips_through_bytes(demo_lookup: PostcodeLookup, tmp_path: Path) -> None:
    data = demo_lookup.to_bytes()
    assert data == demo_lookup.to_bytes()
    save_lookup(demo_lookup, tmp_path / "lookup.msgpack.br")
    again = load_lookup(tmp_path / "lookup.msgpack.br")
    assert again.to_bytes() == data
    assert again.areas == demo_lookup.areas and again.stats == demo_lookup.stats
    for pc in ("ME15 6JQ", "AB1 0AA", "JE2 4WD", "ZZ1 1ZZ"):
        assert again.find(pc) == demo_lookup.find(pc)
    (tmp_path / "junk").write_bytes(b"not brotli")
    with pytest.raises(LocalgovError, match="not a compiled postcode lookup"):
        load_lookup(tmp_path / "junk")


def test_compiled_lookup_does_not_depend_on_row_order(registry: tuple[dict[str, str], dict[str, str | None]]) -> None:
    records = list(read_postcode_file(DEMO))
    shuffled = records[:]
    random.Random(7).shuffle(shuffled)
    assert compile_lookup(records, *registry).to_bytes() == compile_lookup(shuffled, *registry).to_bytes()


# --- older files resolve through former codes --------------------------------------------------

NSPL_FILES = sorted(p.relative_to(POSTCODES).as_posix() for p in POSTCODES.glob("nspl*/*.csv.gz")) if \
    POSTCODES.is_dir() else []


@needs_data
@pytest.mark.parametrize("name", NSPL_FILES)
def test_older_files_resolve_to_current_councils(name: str, registry: tuple[dict[str, str], dict[str, str | None]],
                                                 tmp_path: Path) -> None:
    records = list(read_postcode_file(POSTCODES / name))
    sample = random.Random(name).sample(records, min(len(records), 4000))
    lookup = compile_lookup(sample, *registry)
    assert lookup.stats.unknown == 0, lookup.stats.unknown_codes
    gss_to_slug, _ = registry
    for record in sample:
        result = lookup.find(record.postcode)
        expected = _expected_area(record, registry)
        assert result.area == expected, record
        assert result.status == ("no-council" if expected is None else
                                 "terminated" if record.terminated else "found")
        if record.county in gss_to_slug and expected and expected.county is not None:
            assert gss_to_slug[record.county] == expected.county, record
    _check_shards(lookup, sample, tmp_path)


@needs_data
def test_abolished_councils_map_to_their_successors(registry: tuple[dict[str, str], dict[str, str | None]]) -> None:
    harrogate = [r for r in read_postcode_file(POSTCODES / "nspl_nov2021/NSPL_NOV_2021_UK_HG.csv.gz")
                 if r.district == "E07000165"]
    carlisle = [r for r in read_postcode_file(POSTCODES / "nspl_nov2021/NSPL_NOV_2021_UK_TD.csv.gz")
                if r.district == "E07000028"]
    assert harrogate and carlisle
    assert {r.county for r in harrogate} == {"E10000023"} and {r.county for r in carlisle} == {"E10000006"}
    lookup = compile_lookup(harrogate + carlisle, *registry)
    assert {lookup.find(r.postcode).area for r in harrogate} == {Area("north-yorkshire", None)}
    assert {lookup.find(r.postcode).area for r in carlisle} == {Area("cumberland", None)}


# --- the built-in Nov 2025 ONSPD ---------------------------------------------------------------


@pytest.fixture(scope="module")
def builtin_lookup(registry: tuple[dict[str, str], dict[str, str | None]],
                   tmp_path_factory: pytest.TempPathFactory) -> PostcodeLookup:
    """The built-in data compiled for the registry, as a new site's build gets it (from the user's cache when
    a build already compiled it for the same councils)."""
    return lookup_module.builtin_lookup(tmp_path_factory.mktemp("builtin"), *registry)


def test_builtin_covers_the_uk(builtin_lookup: PostcodeLookup) -> None:
    stats = builtin_lookup.stats
    assert stats.rows > 2_700_000 and stats.unknown == 0 and stats.terminated == 0
    assert len(builtin_lookup) == stats.rows
    assert stats.no_council > 13_000
    assert {a.lower for a in builtin_lookup.areas} >= {"cumberland", "north-yorkshire", "somerset", "barnsley"}
    councils, _ = _registry()
    assert len({a.lower for a in builtin_lookup.areas}) == sum(d["type"] != "county" for d in councils.values())
    assert {a.county for a in builtin_lookup.areas if a.county} == {
        s for s, d in councils.items() if d["type"] == "county"}


@needs_data
def test_builtin_agrees_with_the_published_extract(builtin_lookup: PostcodeLookup, tmp_path: Path,
                                                   registry: tuple[dict[str, str], dict[str, str | None]]) -> None:
    rng = random.Random(2025)
    sample: list[PostcodeRecord] = []
    rows = 0
    rejected: set[str] = set()
    with gzip.open(POSTCODES / "onspd_nov2025_pcd_lad_all_uk.csv.gz", "rt", newline="") as stream:
        header = next(csv.reader(stream))
        pcd, laua = header.index("pcd"), header.index("laua")
        for line in stream:  # split, not csv: 2.7 million rows, none quoted (checked on each)
            assert '"' not in line, line
            row = line.rstrip("\r\n").split(",")
            rows += 1
            if normalise(row[pcd]) is None:
                rejected.add(row[pcd])
            if rng.random() < 0.002:
                compact = row[pcd].replace(" ", "")
                sample.append(PostcodeRecord(f"{compact[:-3]} {compact[-3:]}", _pseudo(row[laua]), None, False, None))
    assert len(sample) > 4000
    # Only the pre-1990s Newport outcode "NPT" breaks today's format rules; everything else is read.
    assert {pc[:3] for pc in rejected} == {"NPT"}
    assert builtin_lookup.stats.rows == rows - len(rejected)
    for record in sample:
        result = builtin_lookup.find(record.postcode)
        if normalise(record.postcode) is None:
            assert result.status == "invalid"
            continue
        assert result.area == _expected_area(record, registry), record
    _check_shards(builtin_lookup, sample, tmp_path, write_all=False)


# --- shards ------------------------------------------------------------------------------------


def _check_shards(lookup: PostcodeLookup, sample: list[PostcodeRecord], out: Path,
                  write_all: bool = True) -> None:
    """Check that the shards a browser would fetch give the same area as `find()`."""
    if write_all:
        write_shards(lookup, out)
    else:
        out.mkdir(parents=True, exist_ok=True)
        (out / "areas.json").write_bytes(areas_json(lookup))
        for name in {r.postcode.split()[0] for r in sample}:
            (out / f"{name}.json").write_bytes(shard_json(lookup, name))
    areas = json.loads((out / "areas.json").read_text())["areas"]
    assert areas[0] is None
    for record in sample:
        result = lookup.find(record.postcode)
        if result.status in ("invalid", "unknown"):
            continue
        outward, inward = record.postcode.split()
        shard = json.loads((out / f"{outward}.json").read_text())
        area = areas[shard["p"][inward]]
        assert (Area(area[0], area[1]) if area else None) == result.area, record
        assert (inward in shard.get("t", [])) == record.terminated


def test_shards_are_compact_deterministic_and_agree(demo_lookup: PostcodeLookup, tmp_path: Path) -> None:
    stats = write_shards(demo_lookup, tmp_path / "one")
    write_shards(demo_lookup, tmp_path / "two")
    files = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "two").iterdir())
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert stats.count == len(files) - 1 == len(demo_lookup.outcodes())
    assert stats.total_bytes == sum((tmp_path / "one" / n).stat().st_size for n in files if n != "areas.json")
    assert stats.largest_gzip_bytes >= stats.median_gzip_bytes > 0
    me15 = json.loads((tmp_path / "one" / "ME15.json").read_text())
    areas = json.loads((tmp_path / "one" / "areas.json").read_text())
    assert areas["areas"][me15["p"]["6JQ"]] == ["maidstone", "kent"]
    ab1 = json.loads((tmp_path / "one" / "AB1.json").read_text())
    assert sorted(ab1["t"]) == sorted(ab1["p"]) and "t" not in me15
    assert json.loads((tmp_path / "one" / "JE2.json").read_text())["p"]["4WD"] == 0
    _check_shards(demo_lookup, list(read_postcode_file(DEMO)), tmp_path / "three")


# --- caching ---------------------------------------------------------------------------------


def _site(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "councils", tmp_path / "councils")
    (tmp_path / "postcodes").mkdir()
    shutil.copy(ROOT / "postcodes" / "former_codes.yaml", tmp_path / "postcodes")
    return tmp_path


def test_site_lookup_uses_an_imported_lookup_until_the_registry_changes(
        tmp_path: Path, registry: tuple[dict[str, str], dict[str, str | None]]) -> None:
    site = _site(tmp_path)
    imported = compile_lookup(read_postcode_file(DEMO), *registry, source="file:demo.csv:0")
    save_lookup(imported, compiled_path(site))
    assert site_lookup(site, *registry).source == "file:demo.csv:0"
    gss_to_slug, county_of = registry
    changed = dict(gss_to_slug, E99000001="kent")
    rebuilt = site_lookup(site, changed, county_of)
    assert rebuilt.source == builtin_source()
    assert load_lookup(compiled_path(site)).to_bytes() == rebuilt.to_bytes()
    assert site_lookup(site, changed, county_of).find("ME15 6JQ").area == Area("maidstone", "kent")


def test_a_new_site_takes_the_built_in_data_compiled_for_the_same_registry_from_the_users_cache(
        tmp_path: Path, registry: tuple[dict[str, str], dict[str, str | None]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    key = lookup_module.registry_key(*registry)
    shared = lookup_module.shared_builtin_path(key, builtin_source())
    assert shared is not None and shared.is_relative_to(tmp_path / "user-cache" / "localgov")
    # What another site's build kept there: told apart from a fresh compile by holding only the demo extract.
    kept = compile_lookup(read_postcode_file(DEMO), *registry, source=builtin_source())
    save_lookup(kept, shared)
    for site in (_site(tmp_path / "one"), _site(tmp_path / "two")):
        got = site_lookup(site, *registry)
        assert got.to_bytes() == kept.to_bytes()
        assert load_lookup(compiled_path(site)).to_bytes() == kept.to_bytes(), "not kept in the site as well"
    # Another registry, or another release of the data or of this code, is another file.
    gss_to_slug, county_of = registry
    changed = lookup_module.registry_key(dict(gss_to_slug, E99000001="kent"), county_of)
    assert lookup_module.shared_builtin_path(changed, builtin_source()) != shared
    assert lookup_module.shared_builtin_path(key, "builtin:another-release") != shared
    monkeypatch.setattr(lookup_module, "_CODE", "another release")
    assert lookup_module.shared_builtin_path(key, builtin_source()) != shared
    assert not list(shared.parent.glob("*.partial")), "a partial file was left behind"


def test_the_built_in_datas_columns_compile_as_its_records_do(
        registry: tuple[dict[str, str], dict[str, str | None]]) -> None:
    """The built-in data is prepared once for any registry, then compiled: the lookup its records make, bytewise."""
    rows: list[tuple[object, str | None]] = [(r.postcode, r.district) for r in read_postcode_file(DEMO)]
    first = str(rows[0][0])
    rows += [("me15 6jq", rows[0][1]), ("ME156JQ", rows[0][1]), ("NPT 1AA", rows[0][1]), (None, rows[0][1]),
             (12345, rows[0][1]), ("BT1 1AA", "N09000003"), ("JE2 4WD", "L99999999"), ("ZE1 0AA", ""),
             ("ZE1 0AB", None), ("AB10 1AB", "S99000001"), ("AB10 1AB", "S12000033"), ("GIR 0AA", "E09000033"),
             # A district no council of the registry has: alone in its outcode, and beside known ones.
             ("ZE2 9AA", "S99000002"), (f"{first[:-4]} 9ZZ", "S99000003"),
             # The same postcode twice, the later row's district unknown: the earlier row stands.
             ("KW1 4AA", "S12000017"), ("KW1 4AA", "S99000004")]
    postcodes: list[object] = [raw for raw, _ in rows]
    districts: list[object] = [district for _, district in rows]
    records = [PostcodeRecord(postcode, lookup_module._code(district), None, False, None)
               for raw, district in rows if isinstance(raw, str)
               for postcode in [lookup_module._canonical(raw)] if postcode is not None]
    expected = compile_lookup(records, *registry, source="columns")
    half = len(rows) // 2  # two files, as the built-in data comes in several
    seen: list[int] = []
    prepared = lookup_module.prepare_columns([(postcodes[:half], districts[:half]),
                                              (postcodes[half:], districts[half:])], seen.append)
    assert seen[-1] == len(records) == sum(prepared.rows)
    assert not prepared.outcodes["AB10"][2] and prepared.outcodes["ZE2"][2], "which outcodes repeat a postcode"
    # Kept in the user's cache as data: read back the same.
    prepared = lookup_module.PreparedColumns.from_bytes(prepared.to_bytes())
    got = lookup_module.compile_prepared(prepared, *registry, "columns")
    assert got.to_bytes() == expected.to_bytes()
    assert got.stats == expected.stats and got.stats.unknown > 0 and got.stats.no_council > 0
    assert got.find("KW1 4AA").status == "found" and got.find("ZE2 9AA").status == "unknown"
    # Another registry compiles from the same preparation as its records would.
    gss_to_slug, county_of = registry
    fewer = {code: slug for code, slug in gss_to_slug.items() if slug != gss_to_slug[str(rows[0][1])]}
    assert lookup_module.compile_prepared(prepared, fewer, county_of, "columns").to_bytes() == \
        compile_lookup(records, fewer, county_of, source="columns").to_bytes()


def test_the_prepared_built_in_data_is_kept_in_the_users_cache(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    """Prepared once per release of the data and of this code; a damaged copy is made again, not used."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    made: list[int] = []
    real = lookup_module.prepare_columns

    def counting(columns: object, progress: object = None) -> lookup_module.PreparedColumns:
        made.append(1)
        return real([(["ME15 6JQ", "me156jr", "ME15 6JS"], ["E07000110", "E07000110", None])])

    monkeypatch.setattr(lookup_module, "prepare_columns", counting)
    first = lookup_module.prepared_builtin("builtin:one")
    path = lookup_module.prepared_path("builtin:one")
    assert path is not None and path.is_file() and path.is_relative_to(tmp_path / "user-cache" / "localgov")
    assert lookup_module.prepared_builtin("builtin:one") == first and made == [1]
    path.write_bytes(path.read_bytes()[:20])
    assert lookup_module.prepared_builtin("builtin:one") == first and made == [1, 1]
    # Another release of the data replaces it, and nothing partial is left.
    lookup_module.prepared_builtin("builtin:two")
    assert [p.name for p in path.parent.iterdir()] == [lookup_module.prepared_path("builtin:two").name]  # type: ignore[union-attr]


# --- the command line ------------------------------------------------------------------------


def _run(argv: list[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    postcode_cli.register(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    out = io.StringIO()
    return args.func(args, out), out.getvalue()


def test_cli_postcode_names_both_tiers(demo_lookup: PostcodeLookup, tmp_path: Path) -> None:
    save_lookup(demo_lookup, tmp_path / "lookup")
    code, text = _run(["postcode", "me15", "6jq", "--root", str(ROOT), "--lookup", str(tmp_path / "lookup")])
    assert code == 0
    assert text.startswith("ME15 6JQ\n")
    councils, _ = _registry()
    assert f": {councils['maidstone']['name']}" in text and f": {councils['kent']['name']}" in text
    assert "Bins and recycling" in text and "Schools" in text
    code, text = _run(["postcode", "BT1 1AA", "--json", "--root", str(ROOT), "--lookup", str(tmp_path / "lookup")])
    data = json.loads(text)
    assert code == 0 and data["status"] == "found"
    assert [(c["slug"], c["tier"], c["name"]) for c in data["councils"]] == [
        ("belfast", "unitary", councils["belfast"]["name"])]
    for typed, status in [("JE2 4WD", "no-council"), ("ME15 9ZZ", "unknown"), ("nonsense", "invalid")]:
        code, text = _run(["postcode", typed, "--json", "--root", str(ROOT), "--lookup", str(tmp_path / "lookup")])
        assert code == 1 and json.loads(text)["status"] == status


def test_cli_import_prints_counts(tmp_path: Path) -> None:
    site = _site(tmp_path)
    code, text = _run(["postcodes", "import", str(DEMO), "--root", str(site)])
    rows = _csv_rows(DEMO)
    terminated = sum(bool(r["doterm"]) and not r["lad25cd"].endswith("99999999") for r in rows)
    islands = sum(r["lad25cd"].endswith("99999999") for r in rows)
    assert code == 0
    assert f"rows:        {len(rows)}" in text
    assert f"terminated:  {terminated}\n" in text and f"no council:  {islands} " in text
    lookup = load_lookup(compiled_path(site))
    assert lookup.source.startswith("file:demo.csv:") and len(lookup) == len(rows)
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    # A file that is not a postcode file is a problem with the input (exit 1), not a misused command (exit 2).
    assert _run(["postcodes", "import", str(tmp_path / "bad.csv"), "--root", str(site)])[0] == 1


def test_python_m_localgov_postcode(demo_lookup: PostcodeLookup, tmp_path: Path) -> None:
    save_lookup(demo_lookup, tmp_path / "lookup")
    done = subprocess.run(
        [sys.executable, "-m", "localgov", "--root", str(ROOT), "postcode", "CF10 1EP", "--lookup",
         str(tmp_path / "lookup")],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=120,
    )
    councils, _ = _registry()
    assert done.returncode == 0, done.stderr
    assert f"All council services: {councils['cardiff']['name']}" in done.stdout


# --- an import cannot shrink the country by accident -----------------------------------------

THREE_ROWS = "pcds,lad25cd\nME15 6JQ,E07000110\nCF10 1EP,W06000015\nBT1 1AA,N09000003\n"


def test_an_import_that_would_shrink_the_lookup_is_refused_unless_replace(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = _site(tmp_path / "site")
    assert _run(["postcodes", "import", str(DEMO), "--root", str(site)])[0] == 0
    demo = load_lookup(compiled_path(site))
    councils = {slug for area in demo.areas for slug in (area.lower, area.county) if slug}
    before = compiled_path(site).read_bytes()
    three = tmp_path / "three.csv"
    three.write_text(THREE_ROWS, encoding="utf-8")
    capsys.readouterr()

    code, text = _run(["postcodes", "import", str(three), "--root", str(site)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert compiled_path(site).read_bytes() == before, "the lookup in use was replaced"
    assert "three.csv" in err and "--replace" in err, err
    assert f"{len(demo):,} postcodes" in err and "3 postcodes" in err, err
    assert f"{len(councils)} councils" in err and "lost" in err and "aberdeen" in err, err

    code, text = _run(["postcodes", "import", str(three), "--root", str(site), "--replace"])
    assert code == 0
    assert load_lookup(compiled_path(site)).source.startswith("file:three.csv:")
    assert f"postcodes:   {len(demo):,} -> 3" in text, text
    assert f"councils:    {len(councils)} -> 4" in text and "lost " in text and "aberdeen" in text, text

    code, text = _run(["postcodes", "import", str(DEMO), "--root", str(site)])
    assert code == 0, "an import that covers more is accepted without --replace"
    assert f"postcodes:   3 -> {len(demo):,}" in text and "gained " in text, text
