"""The writer: the only code that touches the output folder. Writes aside, then swaps into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from localgov.errors import LocalgovError


class DuplicateOutput(LocalgovError):
    """Two sources would write the same output file."""


class Staging:
    """A temporary folder beside the output folder that becomes it on `commit`."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
        self.written: dict[str, str] = {}
        self._dirs: set[str] = set()

    def write(self, rel: str, data: bytes, source: str = "") -> None:
        if rel in self.written:
            raise DuplicateOutput(f"{source or 'a source'} and {self.written[rel] or 'another source'} both write {rel}")
        if rel.startswith("/") or ".." in rel.split("/"):
            raise LocalgovError(f"refusing to write outside the output folder: {rel}")
        self.written[rel] = source
        target = self.path / rel
        parent = rel.rpartition("/")[0]
        if parent and parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        target.write_bytes(data)

    def write_all(self, items: Iterable[tuple[str, bytes, str]]) -> None:
        for rel, data, source in items:
            self.write(rel, data, source)

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
            shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
