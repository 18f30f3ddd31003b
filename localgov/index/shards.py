"""The postcode part of the index stage: `/postcodes/<OUTCODE>.json` shards and `/postcodes/areas.json`.

Where the postcodes come from is the `postcodes:` setting in site.yaml:

- `builtin` (the default): every UK postcode from the installed ONSPD, compiled once into
  `postcodes/compiled/`; never a lookup that `localgov postcodes import` left there;
- `imported`: the lookup that `localgov postcodes import` compiled into `postcodes/compiled/`;
- `none`: no shards; the postcode form leads to the A to Z of councils;
- a path relative to the site folder: an ONSPD or NSPL `.csv`, `.csv.gz`, ONS `.zip` or a
  folder of CSVs, compiled once and cached in `postcodes/compiled/` by a hash of its bytes.

`postcode_shards` is a pure function of the site (it only reads and caches compiled
lookups); `lookup_key` is a short hash of everything it reads, so an incremental build can
skip it when the key has not changed. The shard format is described in `postcodes/README.md`.
When it writes the shards, the build says which lookup they came from.
"""

from __future__ import annotations

import hashlib
import logging
import stat
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from localgov.errors import LocalgovError, Problems
from localgov.load.config import CONFIG_FILE
from localgov.load.paths import kind_of
from localgov.load.timeline import routes
from localgov.load.yamlfile import YamlProblem, parse_mapping
from localgov.model import Output, Site, SiteConfig
from localgov.postcodes import lookup as postcodes

logger = logging.getLogger(__name__)

SETTING = "postcodes"
BUILTIN = "builtin"
IMPORTED = "imported"
NONE = "none"
OUT_DIR = "postcodes"
# Bump when the bytes written for the same lookup change, so cached outputs are not reused.
SHARD_FORMAT = 1
_FILE_CACHE_PREFIX = "file-"
_EXPECTED = "builtin, none, or the path of an ONSPD or NSPL file (.csv, .csv.gz, .zip) or folder in the site"


@dataclass(frozen=True)
class PostcodeSource:
    """Where a site's postcodes come from."""

    kind: Literal["builtin", "imported", "none", "file"]
    path: Path | None = None


@dataclass(frozen=True)
class _Registry:
    """The council registry as the lookup sees it."""

    gss_to_slug: dict[str, str]
    county_of: dict[str, str | None]

    @property
    def key(self) -> str:
        return postcodes.registry_key(self.gss_to_slug, self.county_of)


def postcode_source(config: SiteConfig, problems: Problems) -> PostcodeSource | None:
    """Read the `postcodes:` setting; report a problem and return None when it names no usable file."""
    value = (config.postcodes or BUILTIN).strip()
    if value.lower() == BUILTIN:
        return PostcodeSource("builtin")
    if value.lower() == NONE:
        return PostcodeSource("none")
    if value.lower() == IMPORTED:
        return PostcodeSource("imported")
    path = config.root / value
    if not path.exists():
        _setting_problem(config, problems, "no such postcode file or folder", found=repr(value))
        return None
    mode = path.stat().st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        _setting_problem(config, problems, f"not a file or a folder but {kind_of(mode)}", found=repr(value))
        return None
    return PostcodeSource("file", path)


def lookup_key(site: Site) -> str:
    """Return a short hash of everything the postcode shards are made from: same key, same bytes.

    It reads the postcode file (or the built-in data) to hash it, which takes a moment for a
    whole-UK file but far less than compiling it. Returns "invalid" when the setting is wrong.
    """
    source = postcode_source(site.config, Problems())
    if source is None:
        return "invalid"
    if source.kind == "none":
        return NONE
    try:
        registry = _registry(site)
        if source.kind == "builtin":
            data = postcodes.builtin_source()
        elif source.kind == "imported":
            data = postcodes.imported_lookup(site.config.root, registry.gss_to_slug, registry.county_of).source
        else:
            data = _file_identity(source)
    except LocalgovError:
        return "invalid"
    return _hash(f"{SHARD_FORMAT}:{postcodes.FORMAT_VERSION}:{registry.key}:{data}")


def postcode_shards(site: Site, page_paths: list[str], problems: Problems) -> Iterator[Output]:
    """Return `postcodes/areas.json` and one `postcodes/<OUTCODE>.json` per outcode of the site's lookup."""
    source = postcode_source(site.config, problems)
    if source is None or source.kind == "none":
        return
    try:
        lookup = site_postcodes(site, source)
    except LocalgovError as exc:
        _setting_problem(site.config, problems, str(exc))
        return
    if source.kind == "file" and lookup.stats.unknown:
        shown = ", ".join(code or "(blank)" for code, _ in lookup.stats.unknown_codes[:5])
        _setting_problem(site.config, problems, f"{lookup.stats.unknown:,} postcodes are in local authorities "
                         f"that are not in the council registry ({shown}); they are left out", warning=True)
    logger.warning("postcodes: %s outcodes from %s: %s postcodes in %s councils", f"{len(lookup.outcodes()):,}",
                   describe_source(site.config, source, lookup), f"{len(lookup):,}", len(postcodes.councils_in(lookup)))
    label = f"{CONFIG_FILE} {SETTING}"
    yield Output(f"{OUT_DIR}/areas.json", postcodes.areas_json(lookup), label)
    slots = [str(slot) for slot in range(len(lookup.areas) + 1)]
    for outcode in lookup.outcodes():
        yield Output(f"{OUT_DIR}/{outcode}.json", shard_bytes(lookup, outcode, slots), label)


def site_postcodes(site: Site, source: PostcodeSource) -> postcodes.PostcodeLookup:
    """Return the compiled lookup for a `builtin` or file source, compiling and caching it when needed."""
    registry = _registry(site)
    return source_lookup(site.config.root, source, registry.gss_to_slug, registry.county_of)


def source_lookup(root: Path, source: PostcodeSource, gss_to_slug: dict[str, str],
                  county_of: dict[str, str | None]) -> postcodes.PostcodeLookup:
    """Return the compiled lookup of a `builtin` or file source for a council registry, compiling it when needed."""
    if source.kind == "builtin":
        return postcodes.builtin_lookup(root, gss_to_slug, county_of)
    if source.kind == "imported":
        return postcodes.imported_lookup(root, gss_to_slug, county_of)
    assert source.path is not None
    return _file_lookup(root, source, _Registry(gss_to_slug, county_of))


def describe_source(config: SiteConfig, source: PostcodeSource, lookup: postcodes.PostcodeLookup) -> str:
    """Say, in words, which lookup the shards come from."""
    if source.kind == "builtin":
        return f"the built-in ONSPD ({CONFIG_FILE}: {SETTING}: {BUILTIN})"
    if source.kind == "imported":
        name = lookup.source.split(":")[1] if lookup.source.count(":") >= 2 else lookup.source
        where = postcodes.compiled_path(config.root).relative_to(config.root).as_posix()
        return f"the lookup imported from {name} into {where} ({CONFIG_FILE}: {SETTING}: {IMPORTED})"
    assert source.path is not None
    return f"{source.path} ({CONFIG_FILE}: {SETTING})"


def shard_bytes(lookup: postcodes.PostcodeLookup, outcode: str, slots: list[str] | None = None) -> bytes:
    """Return the same bytes as `postcodes.shard_json`, about six times faster.

    The build writes every shard each time (2.7 million postcodes for the UK), so this joins
    strings straight from the packed lookup instead of building and sorting dictionaries.
    Inward codes are stored sorted, which is the order `sort_keys` gives.
    """
    if slots is None:
        slots = [str(slot) for slot in range(len(lookup.areas) + 1)]
    inwards, packed = lookup.packed(outcode)
    codes = array("H")
    codes.frombytes(packed)
    if sys.byteorder != "little":
        codes.byteswap()
    names = [inwards[i: i + 3] for i in range(0, len(inwards), 3)]
    body = ",".join([f'"{name}":{slots[code >> 1]}' for name, code in zip(names, codes, strict=False)])
    terminated = [name for name, code in zip(names, codes, strict=False) if code & 1]
    tail = ',"t":["' + '","'.join(terminated) + '"]' if terminated else ""
    return ('{"p":{' + body + "}" + tail + "}").encode("ascii")


# --- where the lookup comes from ----------------------------------------------------------------


def _registry(site: Site) -> _Registry:
    former = postcodes.load_former_codes(site.config.root / "postcodes" / "former_codes.yaml")
    councils = site.councils.values()
    # Postcode data older than a reorganisation gives the codes of councils that have ended: route them to
    # their successors here, so the shards the browser reads already answer for the site's date.
    routed = routes({**site.former, **site.councils}, site.config.today)
    return _Registry(postcodes.gss_index(councils, former, routed), postcodes.county_index(councils))


def _file_identity(source: PostcodeSource) -> str:
    assert source.path is not None
    try:
        return postcodes.file_source(source.path)
    except OSError as exc:
        raise LocalgovError(f"{source.path}: cannot read: {exc}") from exc


def _file_lookup(root: Path, source: PostcodeSource, registry: _Registry) -> postcodes.PostcodeLookup:
    """Compile a postcode file, or reuse the compiled copy cached under a hash of its bytes and the registry."""
    assert source.path is not None
    identity = _file_identity(source)
    key = _hash(f"{postcodes.FORMAT_VERSION}:{registry.key}:{identity}")
    folder = postcodes.compiled_path(root).parent
    cached = folder / f"{_FILE_CACHE_PREFIX}{key}.msgpack.br"
    if cached.is_file():
        try:
            return postcodes.load_lookup(cached)
        except LocalgovError as exc:
            logger.warning("%s; compiling %s again", exc, source.path)
    logger.info("compiling postcodes from %s", source.path)
    lookup = postcodes.compile_lookup(
        postcodes.read_postcode_file(source.path), registry.gss_to_slug, registry.county_of, source=identity
    )
    if lookup.stats.rows == 0:
        raise LocalgovError(f"{source.path}: no postcodes in this file")
    try:
        postcodes.save_lookup(lookup, cached)
        for old in folder.glob(f"{_FILE_CACHE_PREFIX}*.msgpack.br"):
            if old != cached:
                old.unlink()
    except OSError as exc:  # the cache only saves time; a read-only site still builds
        logger.warning("cannot cache the compiled postcodes in %s: %s", folder, exc)
    return lookup


# --- reporting --------------------------------------------------------------------------------


def _setting_problem(config: SiteConfig, problems: Problems, message: str, *, found: str = "",
                     warning: bool = False) -> None:
    """Report a problem at the `postcodes:` line; with `found`, say what the setting should be."""
    line = _setting_line(config.root)
    if warning:
        problems.warn(CONFIG_FILE, line, message, field=SETTING)
    else:
        problems.error(CONFIG_FILE, line, message, field=SETTING, expected=_EXPECTED if found else "", found=found)


def _setting_line(root: Path) -> int:
    """Return the line of `postcodes:` in site.yaml (0 when there is none to point at)."""
    try:
        return parse_mapping((root / CONFIG_FILE).read_text(encoding="utf-8")).lines.get(SETTING, 0)
    except (OSError, UnicodeDecodeError, YamlProblem):
        return 0


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
