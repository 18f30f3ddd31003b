"""The writer: the only code that touches the output folder.

Every file of a build is first written into a staging folder beside the output folder. Once the
whole build has succeeded, the files that did not change are hard-linked in beside the new ones and
the staging folder and the output folder swap places in one atomic step (Linux's
`renameat2(RENAME_EXCHANGE)`), so that whenever the process is killed, the output folder holds the
whole previous site or the whole new one, never a mix and never nothing. Where the system cannot
swap two folders atomically, two renames are used instead (a kill between them leaves the new site
in the staging folder, and the next build puts it in place).

Files are staged by `Staging.put`; render workers call it too, in their own process. A folder kept
outside the output for it (the server-side search index, in the site's cache) is staged the same way
(`companion`) and swapped in right after the output, so it always describes the site published.

An incremental build does not make a whole new tree: the output folder a swap replaced is kept (in
the site's cache folder, on the same file system) as the previous version, with the list of files in
which it differs from the output. The next incremental build takes that folder as its staging folder,
brings those files up to date from the output (hard links), stages its own changes in it and swaps it
in, so its cost follows what changed, not the size of the site. A previous version the build cannot
trust (no record that matches the manifest, or another file system) is deleted and
the whole tree is staged as before.

localgov only ever replaces or deletes folders it made: every output folder carries a marker file,
an output folder must not hold or lie inside the site's sources, and leftover staging folders
(from a killed build) are removed by the next build, which takes a lock on the output folder first.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from localgov.build.cache import CACHE_DIR, output_name
from localgov.errors import LocalgovError, UsageError

# Old output folders with more files than this are deleted in the background after a swap.
BACKGROUND_DELETE_FROM = 5000


class DuplicateOutput(LocalgovError):
    """Two sources would write the same output file."""


FLAT = ".changed"  # the staging subfolder of an incremental build: changed files under flat names
MARKER = ".localgov-output"  # in every output folder localgov makes: only such folders are ever replaced
MARKER_TEXT = b"This folder was made by localgov build. localgov replaces it on the next build.\n"
STAGING_MARKER = ".localgov-staging"
PREVIOUS_RECORD = ".localgov-previous"  # in a kept previous version: which output it trails, and by which files
# A folder being deleted is first renamed with this suffix, so that a kill part way through the deletion
# (which may already have removed its marker) leaves a folder the next build still knows as its own.
TRASH = ".trash"
# The site's own folders: an output folder may not be one of them, hold one, or lie inside one.
SOURCE_FOLDERS = ("content", "councils", "templates", "postcodes")


def guard_output(root: Path, out_dir: Path, known: bool = False) -> None:
    """Refuse an output folder that would overwrite sources or a folder localgov did not make (UsageError).

    `known` says the site's build cache already has a manifest for this folder (a build made it before
    folders were marked).
    """
    root, out = root.resolve(), out_dir.resolve()
    protected = [root, *(root / name for name in SOURCE_FOLDERS)]
    for folder in protected:
        if out == folder or folder.is_relative_to(out):
            shown = "the site folder" if folder == root else f"{folder.name}/"
            raise UsageError(f"--out {out_dir}: the output folder would replace {shown} of the site; "
                             "expected a folder of its own, such as build/")
        if folder != root and out.is_relative_to(folder):
            raise UsageError(f"--out {out_dir}: the output folder is inside the site's {folder.name}/ folder; "
                             "expected a folder outside the site's sources, such as build/")
    if out_dir.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"--out {out_dir}: expected a folder, found a link or a file")
    if out.is_dir() and not known and not (out / MARKER).is_file() and any(out.iterdir()):
        raise UsageError(f"--out {out_dir}: the folder is not empty and was not made by localgov (it has no {MARKER}); "
                         "localgov never replaces a folder it did not make: choose another folder, or empty this one")


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Lock the output folder's parent, so one build writes there at a time; then tidy what killed builds left.

    The lock is taken on the parent folder itself, so that it leaves no file behind.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out_dir.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        remove_leftovers(out_dir)
        yield
    finally:
        os.close(descriptor)


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove the staging and replaced folders that killed builds left beside `out_dir`; return them.

    A staging folder the kill caught after the output was moved aside holds the new site: it is put in place.
    """
    removed: list[Path] = []
    if not out_dir.exists():
        waiting = [p for p in out_dir.parent.glob(f".{out_dir.name}.new-*") if (p / MARKER).is_file()]
        if len(waiting) == 1:
            waiting[0].rename(out_dir)
    for pattern in (f".{out_dir.name}.new-*", f".{out_dir.name}.old-*"):
        for folder in out_dir.parent.glob(pattern):
            ours = (folder.name.endswith(TRASH) or (folder / STAGING_MARKER).is_file() or (folder / MARKER).is_file()
                    or not any(folder.iterdir()))
            if folder.is_dir() and not folder.is_symlink() and ours:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one atomic step; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(first))


def flat_name(rel: str) -> str:
    """Return the name a changed file has in the flat staging folder."""
    return hashlib.blake2b(rel.encode("utf-8"), digest_size=12).hexdigest()


class Staging:
    """A temporary folder beside the output folder, holding what the build writes.

    A clean build writes the new site into it as a tree. An incremental build writes only changed
    files, side by side in one flat folder (`.changed/`), because a folder tree of a few changed
    pages among tens of thousands would cost more to make and remove than the files themselves.
    """

    def __init__(self, out_dir: Path, *, flat: bool = False, previous: Path | None = None) -> None:
        """Make a staging folder beside `out_dir`; with `previous` (see `take_previous`), start from that folder."""
        self.out_dir = out_dir
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
        self.reused = previous is not None
        if previous is not None:
            # The kept previous version becomes the staging folder (its output marker, then this one's, tell a
            # later build that a killed build left it).
            self.path.rmdir()
            previous.rename(self.path)
        (self.path / STAGING_MARKER).write_bytes(b"")
        if self.reused:
            (self.path / MARKER).unlink(missing_ok=True)
            (self.path / PREVIOUS_RECORD).unlink(missing_ok=True)
            shutil.rmtree(self.path / FLAT, ignore_errors=True)
        self.flat = flat
        if flat:
            (self.path / FLAT).mkdir()
        self.written: dict[str, str] = {}
        self._dirs: set[str] = set()
        self._base = str(self.path)
        self._companions: list[tuple[Path, Path]] = []  # (staged folder, the folder it replaces)
        self.keep_as: Path | None = None  # where commit keeps the replaced output as the previous version
        self.keep_record = b""  # what commit writes into it (see `keep_previous`)

    def location(self, rel: str) -> Path:
        """Return where a changed file is staged."""
        return self.path / FLAT / flat_name(rel) if self.flat else self.path / rel

    def claim(self, rel: str, source: str) -> None:
        """Note that `source` makes `rel`; two sources making one file is an error."""
        if rel in self.written:
            raise DuplicateOutput(f"{source or 'a source'} and {self.written[rel] or 'another source'} "
                                  f"both write {rel}")
        _check(rel)
        self.written[rel] = source

    def write(self, rel: str, data: bytes, source: str = "") -> int:
        """Claim `rel` for `source` and stage its bytes; return the staged file's modification time (ns)."""
        self.claim(rel, source)
        return self.put(rel, data)

    def put(self, rel: str, data: bytes) -> int:
        """Stage the bytes of `rel`; return the staged file's modification time (ns).

        Render workers call this in their own process; the build claims each path in the parent, where
        two sources making one file stops the build (and the staging folder is dropped).
        """
        _check(rel)
        if self.flat:
            target = f"{self._base}/{FLAT}/{flat_name(rel)}"
        else:
            target = f"{self._base}/{rel}"
            self._parent(rel)
        # Unbuffered: Python's file objects ask whether the file is a terminal and where it starts, three more
        # system calls a file, tens of thousands of times a build.
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
            return os.fstat(descriptor).st_mtime_ns  # the modification time of the last write
        finally:
            os.close(descriptor)

    def _parent(self, rel: str) -> None:
        parent = rel.rpartition("/")[0]
        if parent and parent not in self._dirs:
            try:
                os.mkdir(f"{self._base}/{parent}")  # most often its own parent is there: one system call
            except FileNotFoundError:
                os.makedirs(f"{self._base}/{parent}", exist_ok=True)
            except FileExistsError:
                pass
            self._dirs.add(parent)

    def write_all(self, items: Iterable[tuple[str, bytes, str]]) -> None:
        """Claim and stage each (path, bytes, source)."""
        for rel, data, source in items:
            self.write(rel, data, source)

    def companion(self, folder: Path) -> Path:
        """Return a staged copy of `folder`, kept outside the output, that `commit` swaps in with the output.

        The copy starts as hard links to the folder's files, so a step can bring it up to date cheaply; the
        step must replace files, never rewrite them (as Whoosh does: new segments, a new table of contents).
        """
        folder.parent.mkdir(parents=True, exist_ok=True)
        for pattern in (f".{folder.name}.new-*", f".{folder.name}.old-*"):  # left by a killed build
            for left in folder.parent.glob(pattern):
                shutil.rmtree(left, ignore_errors=True)
        staged = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
        if folder.is_dir():
            shutil.copytree(folder, staged, copy_function=_link_or_copy, dirs_exist_ok=True)
        self._companions.append((staged, folder))
        return staged

    def unflatten(self, changed: Iterable[str]) -> None:
        """Move the changed files of an incremental build into a tree, so that staging can become the output."""
        if not self.flat:
            return
        for rel in changed:
            self._parent(rel)
            os.replace(self.path / FLAT / flat_name(rel), self.path / rel)
        (self.path / FLAT).rmdir()
        self.flat = False

    def catch_up(self, differs: Iterable[str], gone: Iterable[str]) -> None:
        """Make a reused previous version the current output again, then drop the files the new site has not.

        `differs` are the files in which the previous version differs from the output (as recorded when it
        was kept); `gone` the output's files that this build does not make (removed pages, and whole-site
        outputs made again).
        """
        base = self._base
        for rel in sorted(set(differs)):
            _check(rel)
            target = f"{base}/{rel}"
            _remove_file(target)
            source = self.out_dir / rel
            if source.is_file() and not source.is_symlink():
                self._parent(rel)
                _link_or_copy(str(source), target)
            else:
                _prune(self.path, rel)
        for rel in sorted(set(gone)):
            _check(rel)
            _remove_file(f"{base}/{rel}")
            _prune(self.path, rel)

    def link_from_output(self, rels: Iterable[str]) -> None:
        """Hard-link unchanged files of the current output into staging (copy where links are not possible).

        A reused previous version already has them (`catch_up`).
        """
        if self.reused:
            return
        for rel in rels:
            self._parent(rel)
            source = self.out_dir / rel
            try:
                os.link(source, self.path / rel)
            except OSError:
                shutil.copy2(source, self.path / rel)

    def commit(self) -> None:
        """Put the staged folder in place of the output folder in one atomic step, then its companions."""
        self._swap_output()
        for staged, folder in self._companions:
            swap(staged, folder)
        self._companions = []

    def _swap_output(self) -> None:
        marker = self.path / MARKER
        try:
            os.link(self.out_dir / MARKER, marker)  # unchanged: keep the file, as for every other unchanged file
        except OSError:
            marker.write_bytes(MARKER_TEXT)
        (self.path / STAGING_MARKER).unlink()
        if not self.out_dir.exists():
            self.path.rename(self.out_dir)
            return
        if exchange(self.path, self.out_dir):
            (self.path / STAGING_MARKER).write_bytes(b"")  # it now holds the old output: a leftover if killed here
            if self.keep_as is not None:
                try:
                    (self.path / PREVIOUS_RECORD).write_bytes(self.keep_record)
                    self.keep_as.parent.mkdir(parents=True, exist_ok=True)
                    self.path.rename(self.keep_as)
                    (self.keep_as / STAGING_MARKER).unlink(missing_ok=True)
                    return
                except OSError:
                    self.keep_as = None
            remove_tree(self.path)
            return
        old = self.out_dir.with_name(f".{self.out_dir.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        self.out_dir.rename(old)
        self.path.rename(self.out_dir)
        remove_tree(old)

    def apply(self, changed: Iterable[str], kept: Iterable[str]) -> None:
        """Stage the changed files and the kept ones (hard-linked from the output), then swap the folders."""
        self.unflatten(changed)
        self.link_from_output(kept)
        self.commit()

    def abandon(self) -> None:
        """Drop the staging folder and the staged companions; the output and what it keeps stay as they were."""
        remove_tree(self.path)
        for staged, _ in self._companions:
            remove_tree(staged)
        self._companions = []


def _remove_file(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path, ignore_errors=True)


def _prune(base: Path, rel: str) -> None:
    """Remove the folders of `rel` under `base` that are now empty, deepest first."""
    parts = rel.split("/")[:-1]
    while parts:
        try:
            os.rmdir(base.joinpath(*parts))
        except OSError:
            return
        parts.pop()


def previous_dir(root: Path, out_dir: Path) -> Path:
    """Return where the previous version of the output folder `out_dir` is kept: the site's cache folder."""
    return root / CACHE_DIR / f"previous-{output_name(out_dir)}"


def take_previous(root: Path, out_dir: Path, token: str) -> tuple[Path, list[str]] | None:
    """Return the kept previous version of `out_dir` and the files in which it differs, if it is the one `token` names.

    A kept folder that does not match (a killed build, another output's manifest) is deleted.
    """
    folder = previous_dir(root, out_dir)
    if not folder.is_dir() or folder.is_symlink():
        return None
    try:
        record = json.loads((folder / PREVIOUS_RECORD).read_text(encoding="utf-8"))
        if token and record["token"] == token and record["out"] == str(out_dir.resolve()) and out_dir.is_dir():
            differs = [str(rel) for rel in record["differs"]]
            return folder, differs
    except (OSError, ValueError, KeyError, TypeError):
        pass
    remove_tree(folder)
    return None


def keep_previous(staging: Staging, root: Path, differs: Iterable[str]) -> str:
    """Have `staging.commit` keep the output it replaces as the previous version; return the token that names it.

    Kept only where the site's cache folder is on the output's file system (a rename, and hard links).
    """
    folder = previous_dir(root, staging.out_dir)
    try:
        cache = folder.parent
        cache.mkdir(parents=True, exist_ok=True)
        if os.stat(cache).st_dev != os.stat(staging.path).st_dev:
            return ""
    except OSError:
        return ""
    if folder.exists():
        remove_tree(folder)
    token = os.urandom(12).hex()
    record = {"token": token, "out": str(staging.out_dir.resolve()), "differs": sorted(differs)}
    staging.keep_as = folder
    staging.keep_record = json.dumps(record, separators=(",", ":")).encode("utf-8")
    return token


def _check(rel: str) -> None:
    if rel.startswith("/") or ".." in rel.split("/") or not rel:
        raise LocalgovError(f"refusing to write outside the output folder: {rel!r}")


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def swap(staged: Path, folder: Path) -> None:
    """Put a staged folder in place of `folder` (atomically where the system can); remove what it replaced."""
    if not folder.exists():
        staged.rename(folder)
        return
    if exchange(staged, folder):
        remove_tree(staged)
        return
    old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    folder.rename(old)
    staged.rename(folder)
    remove_tree(old)


def remove_tree(folder: Path) -> None:
    """Delete a folder this build made or replaced: large ones in a background process, so the build can finish."""
    trash = folder.with_name(folder.name + TRASH)
    try:
        folder.rename(trash)
        folder = trash
    except OSError:
        if not folder.exists():
            return
    try:
        counted = zip(range(BACKGROUND_DELETE_FROM), folder.rglob("*"), strict=False)  # stop counting at the limit
        large = sum(1 for _ in counted) >= BACKGROUND_DELETE_FROM
    except OSError:
        large = False
    if large:
        try:
            remover = "import shutil, sys; shutil.rmtree(sys.argv[1], True)"
            subprocess.Popen([sys.executable, "-c", remover, str(folder)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
            return
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)
