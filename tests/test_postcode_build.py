"""The postcode shards a build writes: small sites with their own postcode files, and real ONS data."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import io
import itertools
import json
import random
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from localgov.build import load_site
from localgov.cli import main
from localgov.errors import Problems
from localgov.index.shards import lookup_key, shard_bytes, site_postcodes
from localgov.index.shards import postcode_source as source_of
from localgov.postcodes import lookup as postcodes
from tests.conftest import COUNCILS, DEFAULT_FILES, REPO, BuiltSite, MakeSite
from tests.helpers import read

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
POSTCODES = DATA / "postcodes"
needs_data = pytest.mark.skipif(not POSTCODES.is_dir(), reason="shared/data is not beside the repository")

ABERDEEN = """
    name: Aberdeen City Council
    short_name: Aberdeen
    gss: S12000033
    type: scottish-council
    nation: scotland
    website: https://www.aberdeencity.gov.uk/
"""

# Real postcodes (ONSPD November 2025) in the test councils' areas, plus terminated, island and unknown ones:
# postcode, terminated (doterm), county code, local authority code.
ROWS = [
    ("ME15 6JQ", "", "E10000016", "E07000110"),
    ("ME14 1XQ", "", "E10000016", "E07000110"),
    ("TN1 1RS", "", "E10000016", "E07000116"),
    ("CT9 1XZ", "", "E10000016", "E07000114"),
    ("ME4 4TR", "", "E99999999", "E06000035"),
    ("CF10 1EP", "", "W99999999", "W06000015"),
    ("CF14 2FY", "", "W99999999", "W06000015"),
    ("G2 1DU", "", "S99999999", "S12000049"),
    ("BT1 1AA", "", "N99999999", "N09000003"),
    ("BT5 6QA", "", "N99999999", "N09000003"),
    ("AB1 0AA", "199606", "S99999999", "S12000033"),
    ("AB1 0AB", "199606", "S99999999", "S12000033"),
    ("AB10 1AB", "", "S99999999", "S12000033"),
    ("JE2 4WD", "199507", "L99999999", "L99999999"),
    ("GY1 1AA", "", "L99999999", "L99999999"),
    ("IM1 1AD", "", "M99999999", "M99999999"),
    ("SW1A 2AA", "", "E99999999", "E09000033"),  # Westminster: not in the small sites' registry
]

# Three generations of ONS headers, each a real prefix of its file's header.
LAYOUTS = {
    "onspd-2025": ["pcd7", "pcd8", "pcds", "dointr", "doterm", "cty25cd", "ced25cd", "lad25cd", "wd25cd", "parncp25cd"],
    "onspd-before-2025": ["pcd", "pcd2", "pcds", "dointr", "doterm", "oscty", "ced", "oslaua", "osward", "parish"],
    "nspl": ["pcd", "pcd2", "pcds", "dointr", "doterm", "usertype", "oseast1m", "osnrth1m", "osgrdind", "oa21", "cty",
             "ced", "laua", "ward"],
}


def postcode_csv(layout: str = "onspd-2025", rows: list[tuple[str, str, str, str]] = ROWS) -> str:
    """Write `rows` as a CSV in one of the ONS layouts, blank where a column is not needed."""
    header = LAYOUTS[layout]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for postcode, doterm, county, district in rows:
        row = dict.fromkeys(header, "")
        outward, inward = postcode.split()
        row[header[0]] = f"{outward:<4}{inward}"  # the 7-character form: "AB1 0AA", "ME156JQ"
        row["pcds"] = postcode
        row["doterm"] = doterm
        row[next(c for c in header if re.fullmatch(r"cty\d\dcd|oscty|cty", c))] = county
        row[next(c for c in header if re.fullmatch(r"lad\d\dcd|oslaua|laua", c))] = district
        writer.writerow(row.values())
    return out.getvalue()


def registry_of(councils: dict[str, str]) -> tuple[dict[str, str], dict[str, str | None]]:
    """GSS code -> slug and slug -> county, read straight from council YAML (independently of localgov)."""
    gss: dict[str, str] = {}
    county: dict[str, str | None] = {}
    for slug, text in councils.items():
        data = yaml.safe_load(text)
        for code in [data["gss"], *data.get("former_gss", [])]:
            gss[str(code)] = slug
        county[slug] = data.get("parent")
    return gss, county


def build(root: Path, *args: str) -> int:
    return main(["--root", str(root), "build", *args])


class Shards:
    """Read a built site's postcode shards the way the browser does."""

    def __init__(self, out: Path) -> None:
        self.folder = out / "postcodes"
        self.areas = json.loads((self.folder / "areas.json").read_bytes())["areas"]
        self._shards: dict[str, Any] = {}

    def shard(self, outcode: str) -> Any:
        if outcode not in self._shards:
            path = self.folder / f"{outcode}.json"
            self._shards[outcode] = json.loads(path.read_bytes()) if path.is_file() else None
        return self._shards[outcode]

    def find(self, postcode: str) -> tuple[str, tuple[str, str | None] | None]:
        """Return (status, (lower, county)) like `localgov postcode`: found, terminated, no-council or unknown."""
        outward, inward = postcode.split(" ")
        shard = self.shard(outward)
        if shard is None or inward not in shard["p"]:
            return "unknown", None
        area = self.areas[shard["p"][inward]]
        if area is None:
            return "no-council", None
        return ("terminated" if inward in shard.get("t", []) else "found"), (area[0], area[1])


def expected(row: tuple[str, str, str, str], registry: tuple[dict[str, str], dict[str, str | None]]
             ) -> tuple[str, tuple[str, str | None] | None]:
    _, doterm, _, district = row
    gss, county = registry
    if district.endswith("99999999") or not district:
        return "no-council", None
    if district not in gss:
        return "unknown", None
    lower = gss[district]
    return ("terminated" if doterm else "found"), (lower, county[lower])


# --- small sites with their own postcode file ------------------------------------------------------------


def small_files(layout: str = "onspd-2025") -> dict[str, str | bytes | None]:
    """The files of the test site plus Aberdeen, with its postcodes in `postcodes/test.csv`."""
    return {
        "site.yaml": "name: Test council services\nbase_url: https://test.example\npostcodes: postcodes/test.csv\n",
        "postcodes/test.csv": postcode_csv(layout),
        "councils/aberdeen/council.yaml": ABERDEEN,
    }


def small_site(make_site: MakeSite, layout: str = "onspd-2025", files: dict[str, str | bytes | None] | None = None,
               name: str = "site") -> Path:
    """Make the test site plus Aberdeen, with its postcodes in `postcodes/test.csv` unless `files` say otherwise."""
    return make_site({**small_files(layout), **(files or {})}, name=name)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_shards_agree_with_the_postcode_file(make_site: MakeSite, layout: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = small_site(make_site, layout)
    assert build(root) == 0
    # Westminster is not in this registry: its postcode is left out, and the build says so.
    assert "site.yaml:3: warning: 'postcodes': 1 postcodes are in local authorities" in capsys.readouterr().err
    shards = Shards(root / "build")
    registry = registry_of({**COUNCILS, "aberdeen": ABERDEEN})
    for row in ROWS:
        assert shards.find(row[0]) == expected(row, registry), row
    # Every area is a lower-or-unitary council with its county, in slug order, and none is listed twice.
    areas = shards.areas
    assert areas[0] is None
    assert areas[1:] == sorted(areas[1:]) and len({tuple(a) for a in areas[1:]}) == len(areas) - 1
    assert ["maidstone", "kent"] in areas and ["medway", None] in areas and ["belfast", None] in areas
    # One shard per outcode in the file, nothing else.
    written = sorted(p.stem for p in shards.folder.glob("*.json") if p.name != "areas.json")
    outcodes = {r[0].split()[0] for r in ROWS if expected(r, registry)[0] != "unknown"}
    assert written == sorted(outcodes)


def test_shard_bytes_are_those_of_the_reference_format(make_site: MakeSite) -> None:
    root = small_site(make_site)
    problems = Problems()
    site = load_site(root, problems)
    assert site is not None, problems.items
    source = source_of(site.config, problems)
    assert source is not None and source.kind == "file"
    lookup = site_postcodes(site, source)
    assert {e.terminated for o in lookup.outcodes() for e in lookup.entries(o)} == {True, False}
    for outcode in lookup.outcodes():
        assert shard_bytes(lookup, outcode) == postcodes.shard_json(lookup, outcode), outcode
    assert shard_bytes(lookup, "ZZ9") == postcodes.shard_json(lookup, "ZZ9") == b'{"p":{}}'


def test_shards_are_the_same_bytes_every_build(make_site: MakeSite, tmp_path: Path) -> None:
    root = small_site(make_site)
    assert build(root, "--out", str(tmp_path / "one")) == 0
    compiled = sorted((root / "postcodes" / "compiled").glob("*.msgpack.br"))
    assert len(compiled) == 1, compiled
    assert build(root, "--out", str(tmp_path / "two")) == 0
    assert sorted((root / "postcodes" / "compiled").glob("*.msgpack.br")) == compiled  # reused, not compiled again
    one, two = (sorted((tmp_path / name / "postcodes").iterdir()) for name in ("one", "two"))
    assert [p.name for p in one] == [p.name for p in two]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two, strict=False))
    maidstone = json.loads((tmp_path / "one" / "postcodes" / "areas.json").read_bytes())["areas"].index(
        ["maidstone", "kent"])
    assert (tmp_path / "one" / "postcodes" / "ME15.json").read_bytes() == b'{"p":{"6JQ":%d}}' % maidstone


def test_gzipped_zipped_and_folder_files_give_the_same_shards(make_site: MakeSite, tmp_path: Path) -> None:
    text = postcode_csv("nspl")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Documents/readme.csv", "not,a,postcode,file\n")
        zipped.writestr("Data/NSPL_TEST.csv", text)
    half = len(ROWS) // 2
    variants = {
        "postcodes/test.csv.gz": gzip.compress(text.encode(), mtime=0),
        "postcodes/test.zip": archive.getvalue(),
        "postcodes/folder": None,
    }
    results = []
    for name, data in variants.items():
        files: dict[str, str | bytes | None] = {"site.yaml": f"postcodes: {name}\n"}
        if data is None:
            files["postcodes/folder/a.csv"] = postcode_csv("nspl", ROWS[:half])
            files["postcodes/folder/b.csv"] = postcode_csv("nspl", ROWS[half:])
        else:
            files[name] = data
        root = small_site(make_site, files=files, name=name.replace("/", "-"))
        assert build(root) == 0, name
        results.append({p.name: p.read_bytes() for p in (root / "build" / "postcodes").iterdir()})
    assert results[0] == results[1] == results[2]
    known = {row[0].split()[0] for row in ROWS if row[3] != "E09000033"}
    assert set(results[0]) == {"areas.json", *(f"{outcode}.json" for outcode in known)}


def test_lookup_key_changes_with_the_file_and_the_registry(make_site: MakeSite) -> None:
    root = small_site(make_site)

    def key() -> str:
        problems = Problems()
        site = load_site(root, problems)
        assert site is not None, problems.items
        return lookup_key(site)

    first = key()
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert key() == first
    (root / "postcodes" / "test.csv").write_text(postcode_csv(rows=ROWS[:-1]), encoding="utf-8")
    second = key()
    assert second != first
    (root / "councils" / "medway" / "council.yaml").write_text(
        (root / "councils" / "medway" / "council.yaml").read_text().replace("E06000035", "E06000099"))
    assert key() not in (first, second)
    (root / "site.yaml").write_text("postcodes: none\n")
    assert key() == "none"


@pytest.mark.parametrize(
    ("setting", "files", "message"),
    [
        ("postcodes/missing.csv", {}, ("site.yaml:3: error: 'postcodes': no such postcode file or folder; expected "
                                       "builtin, none, or the path of an ONSPD or NSPL file (.csv, .csv.gz, .zip) or "
                                       "folder in the site, got 'postcodes/missing.csv'")),
        ("postcodes/bad.csv", {"postcodes/bad.csv": "name,address\nx,y\n"},
         "site.yaml:3: error: 'postcodes': {root}/postcodes/bad.csv: not a postcode file I can read"),
        ("postcodes/empty.csv", {"postcodes/empty.csv": "pcds,laua\n"},
         "site.yaml:3: error: 'postcodes': {root}/postcodes/empty.csv: no postcodes in this file"),
    ],
)
def test_a_wrong_postcodes_setting_is_a_located_problem(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                                       setting: str, files: dict[str, str], message: str) -> None:
    root = make_site({"site.yaml": f"name: Test\nbase_url: https://test.example\npostcodes: {setting}\n", **files})
    assert build(root) == 1
    err = capsys.readouterr().err
    assert message.format(root=root) in err, err
    assert "nothing was written" in err
    assert not (root / "build").exists()


def test_no_postcodes_means_no_shards_and_the_plain_form(built_sites: BuiltSite) -> None:
    root = built_sites()  # postcodes: none
    out = root / "build"
    assert not (out / "postcodes").exists()
    for url in ("/", "/councils/", "/bin-collections/"):
        form = re.search(r"<form [^>]*lg-postcode-form[^>]*>", read(out, url))
        assert form and 'action="/councils/"' in form.group(0) and "data-module" not in form.group(0), url


def test_forms_carry_what_the_browser_needs(built_sites: BuiltSite) -> None:
    root = built_sites(small_files())
    out = root / "build"
    for url in ("/", "/councils/"):
        form = re.search(r'<form class="lg-postcode-form"[^>]*>', read(out, url))
        assert form and 'data-module="lg-postcode"' in form.group(0) and "data-page" not in form.group(0), url
    html = read(out, "/apply-for-a-school-place/")
    postcode_form = re.search(r'<form class="lg-postcode-form"[^>]*>', html)
    assert postcode_form is not None
    attributes = dict(re.findall(r'data-(\w+)="([^"]*)"', postcode_form.group(0)))
    assert attributes["page"] == "apply-for-a-school-place" and attributes["provider"] == "upper"
    unescaped = {k: v.replace("&#34;", '"').replace("&quot;", '"') for k, v in attributes.items()}
    assert json.loads(unescaped["exceptions"]) == {"belfast": ""}
    assert json.loads(unescaped["elsewhere"]) == {"belfast": "northern-ireland"}
    assert 'id="elsewhere-northern-ireland"' in html
    # The form follows the GOV.UK pattern: a label for the field, a hint it is described by, one button.
    assert '<label class="govuk-label govuk-label--s" for="postcode">' in html
    assert re.search(r'<input class="govuk-input govuk-input--width-10" id="postcode" name="postcode" type="text" '
                     r'spellcheck="false" aria-describedby="postcode-hint" autocomplete="postal-code">', html)


def test_a_two_tier_hub_shows_both_councils_and_who_does_what(built_sites: BuiltSite) -> None:
    root = built_sites(small_files())
    html = read(root / "build", "/councils/maidstone/")
    assert "Maidstone Borough Council and Kent County Council both serve addresses in Maidstone" in html
    who = html[html.index('id="who-does-what"'):]
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*<td class="govuk-table__cell">'
                      r"([^<]+)</td>", who)
    assert ("Rubbish and recycling", "Maidstone Borough Council") in rows
    assert ("Schools", "Kent County Council") in rows
    assert 'href="/bin-collections/maidstone/"' in html and 'href="/apply-for-a-school-place/kent/"' in html
    assert 'href="/councils/kent/"' in html


# --- real ONS data: the demo site and the older layouts ----------------------------------------------------


DEMO_DAY = dt.date(2026, 11, 24)


def _demo_registry() -> tuple[dict[str, str], dict[str, str | None]]:
    """The repository's registry on DEMO_DAY read straight from YAML: current and former codes, and abolished ones
    (each leading to the one council that covers all its area that day, if there is one)."""
    every = {p.parent.name: yaml.safe_load(p.read_text(encoding="utf-8"))
             for p in (REPO / "councils").glob("*/council.yaml")}

    def in_force(data: dict[str, Any]) -> bool:
        return bool(data.get("start", dt.date.min) <= DEMO_DAY <= data.get("end", dt.date.max))

    gss, county = registry_of({slug: yaml.safe_dump(data) for slug, data in every.items() if in_force(data)})
    for data in every.values():
        current = data
        while not in_force(current) and current.get("end", dt.date.max) < DEMO_DAY and len(current["successors"]) == 1:
            heir = current["successors"][0]
            current = every[heir if isinstance(heir, str) else heir["council"]]
        if current is not data and in_force(current):
            gss[data["gss"]] = next(s for s, d in every.items() if d is current)
    former = yaml.safe_load((REPO / "postcodes" / "former_codes.yaml").read_text(encoding="utf-8")) or {}
    gss.update({code: slug for code, slug in former.items() if slug})
    return gss, county


def _rows(path: Path, step: int = 1) -> Iterator[tuple[str, str, str, str]]:
    """Yield (postcode, doterm, county, district) of every `step`th row of ONS postcode CSVs, read by header name."""
    files = sorted(path.glob("*.csv*")) if path.is_dir() else [path]
    for file in files:
        opener = gzip.open if file.name.endswith(".gz") else open
        with opener(file, "rt", encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            header = [h.strip().lower() for h in next(reader)]
            pc = next(header.index(c) for c in ("pcds", "pcd") if c in header)
            la = next(i for i, c in enumerate(header) if re.fullmatch(r"lad\d\dcd|oslaua|laua", c))
            cty = next((i for i, c in enumerate(header) if re.fullmatch(r"cty\d\dcd|oscty|cty", c)), None)
            term = header.index("doterm") if "doterm" in header else None
            for row in itertools.islice(reader, 0, None, step):
                compact = row[pc].replace(" ", "").upper()
                if not re.fullmatch(r"[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}", compact):
                    continue
                yield (f"{compact[:-3]} {compact[-3:]}", row[term].strip() if term is not None else "",
                       row[cty].strip() if cty is not None else "", row[la].strip())


def _cli(root: Path, postcode: str) -> tuple[str, tuple[str, str | None] | None]:
    """Ask `localgov postcode --json` and return its answer in the shape of `Shards.find`."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["--root", str(root), "postcode", "--json", postcode])
    answer = json.loads(out.getvalue())
    councils = {c["tier"]: c["slug"] for c in answer["councils"]}
    if not councils:
        return answer["status"], None
    return answer["status"], (councils.get("lower") or councils["unitary"], councils.get("upper"))


def _check_against_file(shards: Shards, rows: list[tuple[str, str, str, str]], cli_root: Path, cli_sample: int
                        ) -> None:
    registry = _demo_registry()
    gss, county = registry
    latest = {row[0]: row for row in rows}  # a later row for the same postcode wins
    wrong = [(row, shards.find(pc)) for pc, row in latest.items() if shards.find(pc) != expected(row, registry)]
    assert not wrong, f"{len(wrong)} of {len(latest)} postcodes disagree with the file, e.g. {wrong[:5]}"
    # Where the file names a current county council, it is the county the registry gives the district.
    parents = {slug for slug in county.values() if slug}
    counties = {code for code, slug in gss.items() if slug in parents}
    disagree = [row for row in latest.values()
                if row[2] in counties and row[3] in gss and county[gss[row[3]]] != gss[row[2]]]
    assert not disagree, disagree[:5]
    # The command line says the same, for postcodes of every kind of answer.
    by_kind: dict[Any, list[str]] = {}
    for pc, row in sorted(latest.items()):
        by_kind.setdefault((expected(row, registry)[0], (expected(row, registry)[1] or ("",))[0]), []).append(pc)
    chosen = [random.Random(str(kind)).choice(pcs) for kind, pcs in sorted(by_kind.items(), key=str)]
    for pc in random.Random(0).sample(chosen, min(cli_sample, len(chosen))):
        assert _cli(cli_root, pc) == shards.find(pc), pc


@needs_data
def test_demo_shards_agree_with_the_november_2025_file_and_the_cli(demo_site: Path) -> None:
    shards = Shards(demo_site)
    rows = list(_rows(POSTCODES / "onspd_nov2025_pcd_lad_all_uk.csv.gz", step=397))
    assert len(rows) > 6000
    _check_against_file(shards, rows, REPO, cli_sample=25)
    # Every current council is someone's area, or (counties) someone's county.
    areas = [a for a in shards.areas if a]
    _, county = _demo_registry()
    assert {a[0] for a in areas} | {a[1] for a in areas if a[1]} == set(county)


OLDER_FILES = ["nspl_nov2021", "nspl21_aug2022", "onspd_2025_extract_AB1_postcodesio_seed.csv",
               "onspd_header_samples/onspd_may2018_test.csv"]


@needs_data
@pytest.mark.parametrize("name", OLDER_FILES)
def test_older_layouts_build_shards_that_agree_with_the_file_and_the_cli(make_site: MakeSite, name: str) -> None:
    """Build a site with the repository's registry from an older NSPL/ONSPD file, read in place."""
    path = POSTCODES / name
    root = make_site({
        "site.yaml": f"postcodes: {path}\n",
        "postcodes/former_codes.yaml": (REPO / "postcodes" / "former_codes.yaml").read_text(encoding="utf-8"),
        **{f"councils/{slug}/council.yaml": None for slug in COUNCILS},
        **{name: None for name in DEFAULT_FILES if name.startswith("content/schools")},  # keep the build small
    })
    assert not (root / "councils").exists()
    # The registry part of each council.yaml: the demo councils' own data names pages this small site lacks.
    registry = {"name", "short_name", "gss", "former_gss", "type", "nation", "parent", "website", "start", "end",
                "successors"}
    for source in (REPO / "councils").glob("*/council.yaml"):
        data = {k: v for k, v in yaml.safe_load(source.read_text(encoding="utf-8")).items() if k in registry}
        (root / "councils" / source.parent.name).mkdir(parents=True)
        (root / "councils" / source.parent.name / "council.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert build(root, "--strict") == 0  # strict: every local authority code in the file is known
    rows = list(_rows(path))
    assert len(rows) >= 4
    # The CLI reads the same file through `localgov postcodes import`, a separate path to the same lookup.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["postcodes", "import", str(path), "--root", str(root)]) == 0
    _check_against_file(Shards(root / "build"), rows, root, cli_sample=8)


@needs_data
def test_every_council_has_its_hub_and_a_page_for_each_service_it_provides(demo_site: Path) -> None:
    """Decide from the YAML alone which council provides which page, and find each one in the demo build."""
    every = {p.parent.name: yaml.safe_load(p.read_text(encoding="utf-8"))
             for p in (REPO / "councils").glob("*/council.yaml")}
    councils = {slug: data for slug, data in every.items()
                if data.get("start", dt.date.min) <= DEMO_DAY <= data.get("end", dt.date.max)}
    assert len(councils) == 382
    features_file = REPO / "councils" / "_features.yaml"
    listed = yaml.safe_load(features_file.read_text(encoding="utf-8")) if features_file.is_file() else {}
    for feature, entry in listed.items():
        for slug in entry["councils"]:
            councils[slug].setdefault("features", []).append(feature)
    # Pages another body provides in full for a council (or its nation), which then has no page of its own.
    by_body: set[tuple[str, str]] = set()
    for path in (REPO / "councils").glob("*/body.yaml"):
        body = yaml.safe_load(path.read_text(encoding="utf-8"))
        served = {slug for slug, council in councils.items()
                  if slug in body["serves"] or council["nation"] in body["serves"]}
        by_body |= {(page, slug) for page, how in body["provides"].items() if not (how or {}).get("part")
                    for slug in served}
    missing = [slug for slug in councils if not (demo_site / "councils" / slug / "index.html").is_file()]
    assert not missing
    expected_pages: set[str] = set()
    for path in sorted((REPO / "content").glob("*/*.md")):
        if path.name.endswith(".cy.md"):
            continue  # a Welsh translation
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        if meta.get("provider", "national") == "national":
            continue
        for slug, council in councils.items():
            tier_ok = {"lower": council["type"] != "county", "upper": council["type"] != "non-metropolitan-district",
                       "all": True}[meta["provider"]]
            features_ok = set(meta.get("requires", [])) <= set(council.get("features", []))
            nation_ok = council["nation"] not in (meta.get("provided_elsewhere") or {})
            county = councils.get(council.get("parent") or "", {})
            taken = path.stem in (county.get("takes_on") or [])  # the county provides it for its districts
            if tier_ok and features_ok and nation_ok and (path.stem, slug) not in by_body and not taken \
                    and not council.get("hands_over") and not council.get("takes_on"):
                expected_pages.add(f"{path.stem}/{slug}")
    built = {f"{p.parent.parent.name}/{p.parent.name}" for p in demo_site.glob("*/*/index.html")
             if p.parent.parent.name not in ("councils", "search")}
    assert expected_pages - built == set()
    assert len(expected_pages) > 10_000


def _localgov(root: Path, *args: str) -> tuple[int, str]:
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "localgov", "--root", str(root), *args], capture_output=True,
                          text=True, timeout=600, check=False, env={**os.environ, "LOCALGOV_TODAY": "2026-11-24"})
    return done.returncode, done.stdout + done.stderr


def _shards(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "build" / "postcodes").glob("*.json"))}


def test_the_build_uses_the_lookup_site_yaml_names_and_says_which(make_site: MakeSite) -> None:
    root = make_site({"site.yaml": "name: Test\nbase_url: https://test.example\npostcodes: builtin\n"})
    code, said = _localgov(root, "build")
    assert code == 0, said[-3000:]
    assert re.search(r"postcodes: [^\n]*built-in", said), said[-3000:]
    national = _shards(root)
    assert len(national) > 100
    three = root / "three.csv"
    three.write_text("pcds,lad25cd\nME15 6JQ,E07000110\nCF10 1EP,W06000015\nBT1 1AA,N09000003\n", encoding="utf-8")
    code, said = _localgov(root, "postcodes", "import", str(three))
    assert code == 1 and "--replace" in said, said[-3000:]
    code, said = _localgov(root, "postcodes", "import", str(three), "--replace")
    assert code == 0, said[-3000:]

    (root / "content" / "schools" / "_topic.yaml").write_text("title: Schools\nsummary: Places.\norder: 3\n")
    code, said = _localgov(root, "build")
    assert code == 0, said[-3000:]
    assert _shards(root) == national, "site.yaml says builtin, but the build used the imported lookup"

    (root / "site.yaml").write_text("name: Test\nbase_url: https://test.example\npostcodes: imported\n")
    code, said = _localgov(root, "build")
    assert code == 0, said[-3000:]
    assert re.search(r"postcodes: [^\n]*imported[^\n]*three\.csv", said), said[-3000:]
    assert sorted(_shards(root)) == ["BT1.json", "CF10.json", "ME15.json", "areas.json"]
