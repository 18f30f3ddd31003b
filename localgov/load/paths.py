"""Safe names and paths for everything read from a site's source tree, and caches replaced whole."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# First path segments the site itself uses; no topic, page or council may take them.
RESERVED = frozenset({"assets", "councils", "search", "postcodes", "status", "data", "pagefind", "404",
                      "help", "privacy", "cookies", "accessibility", "contact", "terms", "sitemap",
                      "service-status", "api", "cy"})


def user_cache_dir() -> Path | None:
    """Return the user's cache folder for localgov ($XDG_CACHE_HOME/localgov, else ~/.cache/localgov), or None
    when there is no home to keep it in. What is kept there is shared by every site, and only saves time."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    try:
        folder = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    except RuntimeError:  # no home folder
        return None
    return folder / "localgov"


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all: under a name of this process's own first (two builds may write
    the same file at once), then renamed over it. Makes the folder; raises OSError, leaving nothing partial."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


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
        below = path.relative_to(folder).parts
    except ValueError:
        below = ()
    if below and ".." not in below:
        # Named inside `folder`: then only a link below `folder` can lead out (a link at or above it moves
        # both alike), and with none, the path stays inside without resolving every folder above it.
        step = folder
        try:
            for part in below:
                step = step / part
                if stat.S_ISLNK(os.lstat(step).st_mode):
                    break
            else:
                return False
        except OSError:
            pass  # missing, or a loop: resolved below
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, RuntimeError, OSError):  # RuntimeError, OSError: a loop of links
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


# The largest source files read (README: "Trust model"). Council files are smaller than any real one needs.
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # common content, templates, site.yaml
MAX_COUNCIL_BYTES = 256 * 1024  # council.yaml and every other file under councils/


class Unreadable(Exception):
    """A source that is not read: a link out of its folder, something that is not a regular file, or too large."""

    def __init__(self, message: str, expected: str, found: str) -> None:
        super().__init__(message)
        self.expected = expected
        self.found = found


def kind_of(mode: int) -> str:
    """Say what a file of this mode is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_source(path: Path, folder: Path, root: Path) -> os.stat_result:
    """Check, without opening it, that `path` is a regular file inside `folder`; return its status.

    A link (the file itself, or any folder on the way to it) is followed only if it stays inside
    `folder`; `root` is only for naming `folder` in messages.
    """
    where = relative(folder, root)
    try:
        own = os.lstat(path)
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror}", "a readable file", exc.strerror or "an error") from None
    if escapes(path, folder):
        found = "a symbolic link" if stat.S_ISLNK(own.st_mode) else "a file inside a folder that is a link"
        raise Unreadable(f"is a link to a place outside {where}/; copy the file in instead",
                         f"a file inside {where}/", found)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror}", "a readable file", "a broken link") from None
    if not stat.S_ISREG(info.st_mode):
        kind = kind_of(info.st_mode)
        raise Unreadable(f"is not a file but {kind}; only regular files are read", "a regular file", kind)
    return info


def read_source(path: Path, folder: Path, root: Path, *, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """Read a source file that must be a regular file inside `folder`, of at most `limit` bytes.

    Nothing is opened before it is known to be a regular file, and the file opened is checked to be
    the one that was checked, so a file swapped for a pipe or a device meanwhile is not read either.
    """
    info = check_source(path, folder, root)
    if info.st_size > limit:
        raise Unreadable("file is too large", f"at most {limit // 1024} KB", f"{info.st_size // 1024} KB")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(path, flags)
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror}", "a readable file", exc.strerror or "an error") from None
    try:
        opened = os.fstat(handle)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or not stat.S_ISREG(opened.st_mode):
            raise Unreadable("changed while it was being read; save it again", "a regular file", "another file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(handle, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(handle)
    if size > limit:
        raise Unreadable("file is too large", f"at most {limit // 1024} KB", f"more than {limit // 1024} KB")
    return b"".join(chunks)


def unreadable(folder: Path, root: Path) -> list[tuple[Path, str]]:
    """Return (path, why) for every entry under `folder` that leads outside `root` or is not a file or folder."""
    found = [(path, "is a link out of the site; templates must be files in templates/")
             for path in links_out(folder, root)]
    if not folder.is_dir() or folder.is_symlink():
        return found
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            try:
                mode = os.stat(path).st_mode
            except OSError:
                continue  # a broken link: the loader that wants it says so
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                found.append((path, f"is not a file but {kind_of(mode)}; only regular files are read"))
    return sorted(found)
