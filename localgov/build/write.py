"""The writer: the only code that touches the output folder.

Every file of a build is first written into a staging folder beside the output folder. Then
either the staging folder becomes the output folder in one rename (`commit`: a first build,
or when a whole-site step such as the search index has to see every file, in which case the
unchanged files are hard-linked in first), or each changed file is renamed into place and
each file no longer made is removed (`apply`: small changes). Both happen only after the
whole build has succeeded, so a failed build leaves the output folder as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from localgov.errors import LocalgovError

# Old output folders with more files than this are deleted in the background after a swap.
BACKGROUND_DELETE_FROM = 5000


class DuplicateOutput(LocalgovError):
    """Two sources would write the same output file."""


FLAT = ".changed"  # the staging subfolder of an incremental build: changed files under flat names


def flat_name(rel: str) -> str:
    """Return the name a changed file has in the flat staging folder."""
    return hashlib.blake2b(rel.encode("utf-8"), digest_size=12).hexdigest()


class Staging:
    """A temporary folder beside the output folder, holding what the build writes.

    A clean build writes the new site into it as a tree. An incremental build writes only changed
    files, side by side in one flat folder (`.changed/`), because a folder tree of a few changed
    pages among tens of thousands would cost more to make and remove than the files themselves.
    """

    def __init__(self, out_dir: Path, *, flat: bool = False) -> None:
        self.out_dir = out_dir
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
        self.flat = flat
        if flat:
            (self.path / FLAT).mkdir()
        self.written: dict[str, str] = {}
        self._dirs: set[str] = set()

    def location(self, rel: str) -> Path:
        """Return where a changed file is staged."""
        return self.path / FLAT / flat_name(rel) if self.flat else self.path / rel

    def claim(self, rel: str, source: str) -> None:
        """Note that `source` makes `rel`; two sources making one file is an error."""
        if rel in self.written:
            raise DuplicateOutput(f"{source or 'a source'} and {self.written[rel] or 'another source'} both write {rel}")
        if rel.startswith("/") or ".." in rel.split("/") or not rel:
            raise LocalgovError(f"refusing to write outside the output folder: {rel!r}")
        self.written[rel] = source

    def write(self, rel: str, data: bytes, source: str = "") -> None:
        self.claim(rel, source)
        self.put(rel, data)

    def put(self, rel: str, data: bytes) -> None:
        """Write a file into staging (already claimed)."""
        if not self.flat:
            self._parent(rel)
        self.location(rel).write_bytes(data)

    def _parent(self, rel: str) -> None:
        parent = rel.rpartition("/")[0]
        if parent and parent not in self._dirs:
            (self.path / parent).mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)

    def write_all(self, items: Iterable[tuple[str, bytes, str]]) -> None:
        for rel, data, source in items:
            self.write(rel, data, source)

    def unflatten(self, changed: Iterable[str]) -> None:
        """Move the changed files of an incremental build into a tree, so that staging can become the output."""
        if not self.flat:
            return
        for rel in changed:
            self._parent(rel)
            os.replace(self.path / FLAT / flat_name(rel), self.path / rel)
        (self.path / FLAT).rmdir()
        self.flat = False

    def link_from_output(self, rels: Iterable[str]) -> None:
        """Hard-link unchanged files of the current output into staging (copy where links are not possible)."""
        for rel in rels:
            self._parent(rel)
            source = self.out_dir / rel
            try:
                os.link(source, self.path / rel)
            except OSError:
                shutil.copy2(source, self.path / rel)

    def commit(self) -> None:
        """Swap the staged folder into place; the old output is removed only after the swap."""
        old: Path | None = None
        if self.out_dir.exists():
            old = self.out_dir.with_name(f".{self.out_dir.name}.old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            self.out_dir.rename(old)
        self.path.rename(self.out_dir)
        if old is not None:
            remove_tree(old)

    def apply(self, changed: Iterable[str], removed: Iterable[str]) -> None:
        """Rename each changed file into the output folder, remove files no longer made, then drop staging."""
        out = self.out_dir
        made: set[str] = set()
        for rel in changed:
            parent = rel.rpartition("/")[0]
            if parent and parent not in made:
                (out / parent).mkdir(parents=True, exist_ok=True)
                made.add(parent)
            os.replace(self.location(rel), out / rel)
        folders: set[Path] = set()
        for rel in removed:
            target = out / rel
            try:
                target.unlink()
            except FileNotFoundError:
                pass
            except IsADirectoryError:
                shutil.rmtree(target, ignore_errors=True)
            folders.update(p for p in target.parents if out in p.parents)
        # Remove folders left empty, deepest first.
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            try:
                folder.rmdir()
            except OSError:
                pass
        self.abandon()

    def abandon(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def remove_tree(folder: Path) -> None:
    """Delete a replaced output folder: large ones in a background process, so the build can finish."""
    try:
        large = sum(1 for _ in zip(range(BACKGROUND_DELETE_FROM), folder.rglob("*"))) >= BACKGROUND_DELETE_FROM
    except OSError:
        large = False
    if large:
        try:
            subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)", str(folder)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
            return
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)
