"""Safe names and paths for everything read from a site's source tree."""

from __future__ import annotations

import re
from pathlib import Path

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# First path segments the site itself uses; no topic, page or council may take them.
RESERVED = frozenset({"assets", "councils", "search", "postcodes", "status", "data", "pagefind", "404"})


def is_slug(name: str) -> bool:
    """Say whether `name` is a lower-case, hyphenated slug."""
    return bool(SLUG.match(name)) and len(name) <= 80


def relative(path: Path, root: Path) -> str:
    """Return `path` as a POSIX path relative to `root` (for messages and keys)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def escapes(path: Path, folder: Path) -> bool:
    """Say whether `path`, after following links, lies outside `folder`."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return True
    return False


def links_out(folder: Path, root: Path) -> list[Path]:
    """Return every link under `folder` (and `folder` itself) that leads outside `root`."""
    found: list[Path] = []
    if folder.is_symlink() and escapes(folder, root):
        return [folder]
    if not folder.is_dir():
        return found
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() and escapes(path, root):
            found.append(path)
    return found
