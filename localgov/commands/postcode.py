"""Command line: `localgov postcode` and `localgov postcodes import|shards`.

The lookup is the one the site's `postcodes:` setting names (site.yaml): the built-in data, a
postcode file in the site, or none. A site without a lookup is told so, and how to add one; its
postcode data is never compiled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from localgov.commands.dates import add_as_at
from localgov.errors import LocalgovError, Problems
from localgov.index import shards as site_shards
from localgov.load.config import CONFIG_FILE, load_config
from localgov.load.councils import load_councils
from localgov.load.timeline import on_date, routes
from localgov.model import Area, Council
from localgov.postcodes import lookup as postcodes

logger = logging.getLogger(__name__)

# What each tier does, in residents' words. Single-tier councils do all of it.
LOWER_SERVICES = "Bins and recycling, planning, council tax, housing, parking, licensing"
UPPER_SERVICES = "Schools, social care, roads and pavements, libraries, trading standards, waste disposal"
NI_SERVICES = "Bins and recycling, planning, building control, leisure, licensing"
NI_ELSEWHERE = (
    "Schools, social care, roads and housing",
    "the Northern Ireland Executive and its agencies, not a council",
)
PROPER_NOUNS = frozenset({"London", "Northern", "Scottish", "Welsh"})
NO_COUNCIL_PLACES = {"JE": "Jersey", "GY": "Guernsey", "IM": "the Isle of Man"}
NO_LOOKUP = """\
This site has no postcode lookup: {config} says 'postcodes: none', so its postcode form leads to the A to Z
of councils. To add one, change that line of {config} to
  postcodes: builtin
for every UK postcode (compiled once, in a few seconds), or to the path of an ONSPD or NSPL file in the
site, like 'postcodes: postcodes/ONSPD_NOV_2025.zip'. To use a compiled lookup just this once, add --lookup FILE."""


class NoLookup(LocalgovError):
    """The site's postcode setting is `none`."""


@dataclass(frozen=True)
class Duty:
    """A group of services and who provides it."""

    services: str
    provider: str
    slug: str | None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `postcode` and `postcodes` commands to the main parser."""
    find = subparsers.add_parser(
        "postcode", help="show the councils that serve a postcode",
        description="Show which councils serve a postcode and which does what, from the lookup the site's "
        "'postcodes:' setting names. Exit 0: councils found; 1: none found; 2: no lookup or an error.")
    find.add_argument("postcode", nargs="+", help='a postcode, like "ME15 6JQ" (the space is optional)')
    find.add_argument("--json", action="store_true", help="print the answer as JSON")
    find.add_argument("--lookup", type=Path, metavar="FILE",
                      help="a compiled lookup to use instead of the site's (like postcodes/compiled/lookup.msgpack.br)")
    _root_option(find)
    add_as_at(find)
    find.set_defaults(func=run_postcode, run=run_postcode)

    group = subparsers.add_parser("postcodes", help="import ONS postcode data; write browser shards",
                                  description="Compile ONS postcode data into the site's lookup, or write the "
                                  "browser's postcode files from it.")
    commands = group.add_subparsers(dest="postcodes_command", required=True, metavar="COMMAND")
    importer = commands.add_parser("import", help="compile an ONSPD or NSPL file (.csv, .csv.gz, .zip, folder)",
                                   description="Compile an ONSPD or NSPL file into the site's postcode lookup "
                                   "and print what it contained.")
    importer.add_argument("path", type=Path, help="the ONSPD or NSPL file: .csv, .csv.gz, the ONS .zip or a folder")
    importer.add_argument("--out", type=Path, metavar="DIR",
                          help="folder for the compiled lookup (default: postcodes/compiled)")
    importer.add_argument("--replace", action="store_true",
                          help="replace the lookup even if the new one covers far fewer councils or postcodes")
    _root_option(importer)
    add_as_at(importer)
    importer.set_defaults(func=run_import, run=run_import)
    shards = commands.add_parser("shards", help="write one JSON file per outcode for the browser",
                                 description="Write /postcodes/<OUTCODE>.json and areas.json from the site's "
                                 "lookup (the build does this itself).")
    shards.add_argument("out", type=Path, help="the folder to write the files into")
    _root_option(shards)
    shards.set_defaults(func=run_shards, run=run_shards)


def _root_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                        help="the site folder (default: the current folder)")


def _root(args: argparse.Namespace) -> Path:
    root = getattr(args, "root", None)
    return Path(root) if root is not None else Path.cwd()


# --- localgov postcode ---------------------------------------------------------------------


def run_postcode(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print who serves a postcode; return 0 when councils were found, 1 otherwise."""
    out = out or sys.stdout
    root = _root(args)
    query = " ".join(args.postcode)
    try:
        registry = read_registry(root, getattr(args, "as_at", None))
        councils = registry.current
        lookup = _lookup(root, registry, args.lookup)
    except NoLookup as exc:
        print(exc, file=sys.stderr)
        return 2
    except LocalgovError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = lookup.find(query)
    duties = who_does_what(result.area, councils) if result.area else []
    if args.json:
        json.dump(_as_json(query, result, councils, duties), out, indent=2, sort_keys=True)
        out.write("\n")
    else:
        out.write(describe(query, result, councils, duties, partial=lookup.stats.unknown > 0))
    return 0 if result.area is not None else 1


@dataclass(frozen=True)
class Registry:
    """The councils in force on a date, and where the codes of those that have ended now lead."""

    current: dict[str, Council]
    routes: dict[str, str]


def read_registry(root: Path, as_at: dt.date | None = None) -> Registry:
    """Load the council registry as at a date (default: site.yaml's as_at, else today), failing on errors."""
    problems = Problems()
    day = load_config(root, Problems(), as_at=as_at).today
    councils = load_councils(root, problems)
    for problem in problems.warnings:
        logger.warning("%s", problem.format())
    if problems.errors:
        raise LocalgovError("the council registry has errors:\n" + "\n".join(p.format() for p in problems.errors))
    if not councils:
        raise LocalgovError(f"{root / 'councils'}: no councils found; is {root} a localgov site?")
    dated = on_date(councils, day)
    return Registry(dated.current, routes(councils, day))


def registry_maps(root: Path, registry: Registry) -> tuple[dict[str, str], dict[str, str | None]]:
    """Return the registry as the lookup needs it: GSS code -> slug, and district -> county."""
    former = postcodes.load_former_codes(root / "postcodes" / "former_codes.yaml")
    councils = registry.current.values()
    return postcodes.gss_index(councils, former, registry.routes), postcodes.county_index(councils)


def _lookup(root: Path, registry: Registry, path: Path | None) -> postcodes.PostcodeLookup:
    """Return the lookup given with --lookup, else the one the site's `postcodes:` setting names."""
    if path is not None:
        return postcodes.load_lookup(path)
    problems = Problems()
    source = site_shards.postcode_source(load_config(root, problems), problems)
    if problems.errors or source is None:
        raise LocalgovError("\n".join(p.format() for p in problems.errors))
    if source.kind == "none":
        raise NoLookup(NO_LOOKUP.format(config=CONFIG_FILE))
    gss_to_slug, county_of = registry_maps(root, registry)
    if source.kind == "builtin" and not postcodes.compiled_path(root).is_file():
        print("Compiling the built-in postcode data (once; takes a few seconds)...", file=sys.stderr)
    return site_shards.source_lookup(root, source, gss_to_slug, county_of)


def who_does_what(area: Area, councils: Mapping[str, Council]) -> list[Duty]:
    """Say which council provides which services for an area."""
    lower = councils.get(area.lower)
    lower_name = lower.name if lower else area.lower
    if area.county is not None:
        county = councils.get(area.county)
        return [
            Duty(LOWER_SERVICES, lower_name, area.lower),
            Duty(UPPER_SERVICES, county.name if county else area.county, area.county),
        ]
    if lower is not None and lower.nation == "northern-ireland":
        return [Duty(NI_SERVICES, lower_name, area.lower), Duty(*NI_ELSEWHERE, None)]
    return [Duty("All council services", lower_name, area.lower)]


def describe(query: str, result: postcodes.LookupResult, councils: Mapping[str, Council], duties: list[Duty], *,
             partial: bool = False) -> str:
    """Return the text `localgov postcode` prints; `partial`: the lookup left out councils the site does not have."""
    if result.status == "invalid":
        return f"{query.strip()!r} is not a postcode. Enter a real postcode, like SW1A 2AA.\n"
    assert result.postcode is not None
    if result.status == "unknown" and partial:
        return (f"{result.postcode} is not in this site's postcode lookup: either it is not in the postcode "
                "directory, or its council is not one of this site's councils (councils/). Check it, "
                "or find your council in the A to Z at /councils/.\n")
    if result.status == "unknown":
        return (f"{result.postcode} is not in the postcode directory. Check it, "
                "or find your council in the A to Z at /councils/.\n")
    if result.status == "no-council":
        place = NO_COUNCIL_PLACES.get(result.postcode[:2])
        if place:
            return f"{result.postcode} is in {place}, which has no UK local council.\n"
        return f"{result.postcode} is not in any council's area in the postcode directory.\n"
    lines = [result.postcode]
    if result.status == "terminated":
        lines.append("This postcode is no longer in use. It was in the area of:")
    lines.append("")
    for slug in result.councils:
        council = councils.get(slug)
        if council is None:
            lines.append(slug)
        else:
            lines += [f"{council.name} ({_label(council)})",
                      f"  {council.website or 'website not published yet'}"]
    lines.append("")
    lines += [f"{duty.services}: {duty.provider}" for duty in duties]
    return "\n".join(lines) + "\n"


def _label(council: Council) -> str:
    """Return the council's type in running text: "district council", "Northern Ireland district council"."""
    label = council.type_label
    first = label.split()[0]
    return label if first in PROPER_NOUNS else label[0].lower() + label[1:]


def _as_json(query: str, result: postcodes.LookupResult, councils: Mapping[str, Council],
             duties: list[Duty]) -> dict[str, Any]:
    listed = []
    for slug in result.councils:
        council = councils.get(slug)
        tier = "upper" if result.area and slug == result.area.county else (
            "lower" if result.area and result.area.county else "unitary")
        listed.append({
            "slug": slug,
            "name": council.name if council else slug,
            "type": council.type if council else None,
            "tier": tier,
            "website": (council.website or None) if council else None,
        })
    return {
        "query": query,
        "postcode": result.postcode,
        "status": result.status,
        "councils": listed,
        "services": [{"services": d.services, "provider": d.provider, "council": d.slug} for d in duties],
    }


# --- localgov postcodes import / shards ----------------------------------------------------


def run_import(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Compile a postcode file into the site's lookup and print what it contained and what changed.

    A lookup that covers far fewer councils or postcodes than the one it would replace is refused
    (exit 1, nothing written) unless `--replace` is given: a small extract must not silently take the
    place of the whole country. A file that cannot be read as postcodes is a problem with the input
    (exit 1); a path that does not exist is a misused command (exit 2).
    """
    out = out or sys.stdout
    root = _root(args)
    target = (args.out or root / "postcodes" / "compiled") / postcodes.COMPILED_NAME
    if not args.path.exists():
        print(f"localgov: error: {args.path}: no such file or folder", file=sys.stderr)
        return 2
    try:
        gss_to_slug, county_of = registry_maps(root, read_registry(root, getattr(args, "as_at", None)))
        print(f"Reading {args.path}", file=sys.stderr)
        lookup = postcodes.compile_lookup(
            postcodes.read_postcode_file(args.path), gss_to_slug, county_of,
            progress=_progress_printer(sys.stderr), source=postcodes.file_source(args.path),
        )
        if lookup.stats.rows == 0:
            raise LocalgovError(f"{args.path}: no postcodes in this file")
        change = _change(target, lookup)
        if change is not None and change.shrinks and not getattr(args, "replace", False):
            print(f"error: {args.path}: the new lookup has {change.new_postcodes:,} postcodes in "
                  f"{len(change.new_councils)} councils, far fewer than the {change.old_postcodes:,} postcodes in "
                  f"{len(change.old_councils)} councils of the lookup it would replace ({target}); nothing was "
                  "changed. To replace it all the same, import again with --replace.", file=sys.stderr)
            print("\n".join(change.lines()), file=sys.stderr)
            return 1
        postcodes.save_lookup(lookup, target)
    except LocalgovError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out.write(import_report(lookup, target))
    if change is not None:
        out.write("compared with the lookup it replaced:\n" + "\n".join(change.lines()) + "\n")
    return 0


def _change(target: Path, new: postcodes.PostcodeLookup) -> postcodes.LookupChange | None:
    """Return what replacing the lookup at `target` with `new` changes; None when there is none to replace."""
    if not target.is_file():
        return None
    try:
        return postcodes.compare(postcodes.load_lookup(target), new)
    except LocalgovError:
        return None  # unreadable, or from another version: nothing usable is lost


def _progress_printer(stream: TextIO) -> postcodes.Progress:
    def report(rows: int) -> None:
        print(f"  {rows:,} rows", file=stream, flush=True)

    return report


def import_report(lookup: postcodes.PostcodeLookup, target: Path) -> str:
    """Return the counts printed after an import."""
    stats = lookup.stats
    lines = [
        f"rows:        {stats.rows:,}",
        f"live:        {stats.live:,}",
        f"terminated:  {stats.terminated:,}",
        f"no council:  {stats.no_council:,}  (Channel Islands, Isle of Man, no local authority)",
        f"unknown:     {stats.unknown:,}  (local authority codes not in the registry)",
    ]
    if stats.unknown_codes:
        shown = ", ".join(f"{code or '(blank)'} ({count:,})" for code, count in stats.unknown_codes[:5])
        more = f" and {len(stats.unknown_codes) - 5} more" if len(stats.unknown_codes) > 5 else ""
        lines.append(f"  unknown codes: {shown}{more}")
    if stats.county_mismatches:
        lines.append(f"county in the file differs from the registry for {stats.county_mismatches:,} rows "
                     "(the registry wins)")
    size = target.stat().st_size
    lines.append(f"wrote {target} ({size / 1e6:.1f} MB, {len(lookup):,} postcodes in "
                 f"{len(lookup.outcodes()):,} outcodes, {len(lookup.areas)} areas)")
    return "\n".join(lines) + "\n"


def run_shards(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Write the browser's postcode shards from the site's lookup."""
    out = out or sys.stdout
    root = _root(args)
    try:
        lookup = _lookup(root, read_registry(root), None)
        stats = postcodes.write_shards(lookup, args.out)
    except LocalgovError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out.write(
        f"wrote {stats.count:,} shards and areas.json to {args.out}: {stats.total_bytes / 1e6:.1f} MB "
        f"({stats.total_gzip_bytes / 1e6:.1f} MB gzipped); median {stats.median_gzip_bytes / 1e3:.1f} KB, "
        f"largest {stats.largest} {stats.largest_gzip_bytes / 1e3:.1f} KB gzipped\n"
    )
    return 0
