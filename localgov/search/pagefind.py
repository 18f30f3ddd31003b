"""The browser's search index: Pagefind run over the staged output folder.

Pagefind reads the pages the templates mark with `data-pagefind-body` (service pages
and their council variants), with a `council` filter (`common` or the council's slug)
and a `page` filter (the page's slug), and writes `/pagefind/`. It runs as a separate
process so the build can index for Whoosh at the same time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from localgov.errors import Problems

log = logging.getLogger(__name__)

OUTPUT_SUBDIR = "pagefind"
# The bundle's own prebuilt UIs are not used: they set inline styles, which the site's CSP forbids.
UNUSED_FILES = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
)
_INDEXED = re.compile(r"Indexed (\d+) pages?")


PAGES_SUBDIR = ".pagefind-pages"  # the pages to index, linked here while Pagefind reads them


@dataclass
class Running:
    """A Pagefind process indexing a folder."""

    process: subprocess.Popen[bytes]
    log_file: IO[bytes]
    site: Path
    source: Path  # the folder Pagefind reads: the site, or the links to the pages it indexes


def command(source: Path, bundle: Path) -> list[str]:
    """Return the command that indexes the pages in `source` into the folder `bundle`."""
    return [*executable(), "--site", str(source), "--output-path", str(bundle)]


def executable() -> list[str]:
    """Return Pagefind's binary, found as `python -m pagefind` finds it, without a Python started to find it.

    `python -m pagefind` only finds the binary (from PAGEFIND_BINARY_PATH, pagefind[extended] or
    pagefind[bin], or the PATH) and runs it: about 0.1 s of a processor, in every build. Where the
    package finds none, it is still the command, so that a missing binary is reported as it says.
    """
    try:
        from pagefind.service import get_executable
    except ImportError:
        return [sys.executable, "-m", "pagefind"]
    found = get_executable()
    if found is None or not Path(found).is_file() or not os.access(found, os.X_OK):
        return [sys.executable, "-m", "pagefind"]
    return [str(Path(found).resolve())]


def start(site: Path, problems: Problems, pages: Iterable[str] | None = None) -> Running | None:
    """Start indexing `site` into `site/pagefind/` in the background; None (and a warning) without Pagefind.

    `pages` (POSIX paths relative to `site`) are the pages to index: Pagefind reads only those (linked
    into a folder of their own inside `site`, removed when it has finished), not every page of a site
    whose variants it does not index.
    """
    try:
        import pagefind  # noqa: F401
    except ImportError:
        problems.warn("pagefind", 0, "Pagefind is not installed, so the site has no search index",
                      expected="pip install 'pagefind[bin]'")
        return None
    source = site if pages is None else _link_pages(site, pages)
    log_file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by finish()
    to_run = command(source, site / OUTPUT_SUBDIR)
    try:
        process = subprocess.Popen(to_run, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    except OSError as exc:
        log_file.close()
        _remove_links(site, source)
        problems.error("pagefind", 0, f"Pagefind could not index the site: {to_run[0]} cannot be run: "
                       f"{exc.strerror or exc}", expected="a Pagefind binary that runs here",
                       found=exc.strerror or type(exc).__name__)
        return None
    return Running(process, log_file, site, source)


def _link_pages(site: Path, pages: Iterable[str]) -> Path:
    """Link each page to index into a folder of its own inside `site`, at the same relative path."""
    source = site / PAGES_SUBDIR
    shutil.rmtree(source, ignore_errors=True)
    for rel in pages:
        target = source / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site / rel, target)
        except OSError:
            shutil.copyfile(site / rel, target)
    source.mkdir(exist_ok=True)
    return source


def _remove_links(site: Path, source: Path) -> None:
    """Remove the folder of links to the pages Pagefind read (`_link_pages`), where it read one and not the site."""
    if source != site:
        shutil.rmtree(source, ignore_errors=True)


def finish(running: Running, problems: Problems, timeout: float = 1800) -> int:
    """Wait for Pagefind; report a failure as a build error. Return the number of pages indexed."""
    try:
        code = running.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()
        code = -1
    running.log_file.seek(0)
    output = running.log_file.read().decode("utf-8", "replace")
    running.log_file.close()
    _remove_links(running.site, running.source)
    if code != 0:
        tail = "\n".join(output.strip().splitlines()[-15:])
        problems.error("pagefind", 0, f"Pagefind could not index the site (exit {code}):\n{tail}")
        return 0
    bundle = running.site / OUTPUT_SUBDIR
    for name in UNUSED_FILES:
        (bundle / name).unlink(missing_ok=True)
    try:
        canonicalise(bundle)
    except (OSError, ValueError, KeyError) as exc:
        problems.warn("pagefind", 0, f"the search index may differ between identical builds: {exc}")
    match = _INDEXED.search(output)
    pages = int(match.group(1)) if match else 0
    log.info("Pagefind: indexed %d pages", pages)
    return pages


def index_folder(site: Path, problems: Problems) -> int:
    """Index `site` and wait: the same as the build does, for tools and benchmarks."""
    running = start(site, problems)
    return 0 if running is None else finish(running, problems)


# -- the same site, the same bytes ---------------------------------------------------------------
#
# Pagefind lists filters and their values in hash-map order, which changes from run to run, and
# names the filter files (and through them the metadata file) by their content. Sorting them and
# naming those files by a hash of the sorted content makes two builds of a site byte-identical.

_SIGNATURE = b"pagefind_dcd"


def canonicalise(bundle: Path) -> None:
    """Sort the filters, and the values of each, in a Pagefind bundle, renaming the files that change."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    renames: dict[str, str] = {}
    for path in sorted((bundle / "filter").glob("*.pf_filter")):
        data = _unpack(path.read_bytes())
        name, values = data
        packed = _encode([name, sorted(values, key=lambda pair: pair[0])])
        language = path.stem.split("_", 1)[0]
        new = f"{language}_{hashlib.sha256(packed).hexdigest()[:7]}"
        if new == path.stem:
            continue
        (bundle / "filter" / f"{new}.pf_filter").write_bytes(_pack(packed))
        path.unlink()
        renames[path.stem] = new
    filter_files = {path.stem for path in (bundle / "filter").glob("*.pf_filter")}
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _unpack(meta_path.read_bytes())
        packed = _encode([_sort_filters(part, filter_files) for part in _replace_strings(meta, renames)])
        prefix = language["hash"].split("_", 1)[0]
        new = f"{prefix}_{hashlib.sha256(packed).hexdigest()[:10]}"
        if new == language["hash"]:
            continue
        (bundle / f"pagefind.{new}.pf_meta").write_bytes(_pack(packed))
        meta_path.unlink()
        language["hash"] = new
    # Pagefind lists its languages in hash-map order too: write the entry in one order, whatever changed.
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                          encoding="utf-8")


def _sort_filters(part: Any, filter_files: set[str]) -> Any:
    """Sort the metadata's list of (filter name, filter file) pairs by name; leave anything else alone."""
    if (isinstance(part, list) and part and all(isinstance(p, list) and len(p) == 2 and p[1] in filter_files
                                                for p in part)):
        return sorted(part, key=lambda pair: pair[0])
    return part


def _unpack(raw: bytes) -> Any:
    data = gzip.decompress(raw)
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a Pagefind file")
    value, end = _decode(data, len(_SIGNATURE))
    if end != len(data) or _encode(value) != data[len(_SIGNATURE):]:
        raise ValueError("a Pagefind file this version of localgov cannot rewrite")
    return value


def _pack(payload: bytes) -> bytes:
    return gzip.compress(_SIGNATURE + payload, compresslevel=9, mtime=0)


def _replace_strings(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list):
        return [_replace_strings(v, renames) for v in value]
    if isinstance(value, dict):
        return {k: _replace_strings(v, renames) for k, v in value.items()}
    return value


# A minimal CBOR (RFC 8949) reader and writer for what Pagefind writes: integers, strings,
# byte strings, arrays, maps, booleans, null and floats.


def _decode(data: bytes, pos: int) -> tuple[Any, int]:
    head = data[pos]
    major, info = head >> 5, head & 0x1F
    pos += 1
    if major == 7:
        if info == 20:
            return False, pos
        if info == 21:
            return True, pos
        if info == 22:
            return None, pos
        if info == 25:
            return _Float(data[pos:pos + 2]), pos + 2
        if info == 26:
            return _Float(data[pos:pos + 4]), pos + 4
        if info == 27:
            return _Float(data[pos:pos + 8]), pos + 8
        raise ValueError(f"unsupported CBOR simple value {info}")
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    else:
        raise ValueError("indefinite-length CBOR is not supported")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major == 2:
        return data[pos:pos + arg], pos + arg
    if major == 3:
        return data[pos:pos + arg].decode("utf-8"), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping = {}
        for _ in range(arg):
            key, pos = _decode(data, pos)
            mapping[key], pos = _decode(data, pos)
        return mapping, pos
    raise ValueError(f"unsupported CBOR major type {major}")


class _Float(bytes):
    """A CBOR float kept as its bytes, so it is written back exactly."""


def _head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([(major << 5) | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([(major << 5) | info]) + arg.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def _encode(value: Any) -> bytes:
    if isinstance(value, _Float):
        return bytes([0xF9 if len(value) == 2 else 0xFA if len(value) == 4 else 0xFB]) + bytes(value)
    if value is False:
        return b"\xf4"
    if value is True:
        return b"\xf5"
    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())
    raise ValueError(f"cannot write {type(value).__name__} as CBOR")
