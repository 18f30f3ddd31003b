"""When each source file last changed, from the repository's history: the "Last updated" date of a page.

One `git log` for the whole site gives the date of the last commit that touched each file. A site that is
not in a git repository, or a machine without git, gets no dates, and pages show none: a date is never
guessed from a file's modification time, which a checkout or a copy resets.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)
MARK = "\x01"  # starts each commit's line in the log, before its date


def last_changes(root: Path, folders: tuple[str, ...] = ("content",)) -> dict[str, dt.date]:
    """Return path (relative to `root`) -> the date of the last commit that changed it, for files in `folders`."""
    git = shutil.which("git")
    if git is None or not (root / folders[0]).is_dir():
        return {}
    try:
        result = subprocess.run(
            [git, "-C", str(root), "log", "--format=" + MARK + "%cs", "--name-only", "--relative", "--no-renames",
             "--", *folders],
            capture_output=True, text=True, timeout=60, check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("no history for %s: %s", root, exc)
        return {}
    if result.returncode != 0:
        return {}  # not a repository
    return parse_log(result.stdout)


def parse_log(text: str) -> dict[str, dt.date]:
    """Read `git log --format=<MARK>%cs --name-only`: each file's first (newest) date wins."""
    found: dict[str, dt.date] = {}
    day: dt.date | None = None
    for line in text.splitlines():
        if line.startswith(MARK):
            try:
                day = dt.date.fromisoformat(line[len(MARK):].strip())
            except ValueError:
                day = None
        elif line and day is not None:
            found.setdefault(line, day)
    return found
