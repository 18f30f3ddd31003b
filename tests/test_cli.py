"""The command line as a new user meets it: progress of long commands."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from localgov.build import build
from localgov.commands.check import check
from localgov.commands.progress import CLEAR_LINE, ProgressLogHandler, StageProgress
from tests.conftest import MakeSite

STAGES = ("Loading the site", "Rendering pages", "Making the index files", "Building the search indexes",
          "Writing the site")


# -- progress


class Clock:
    """A clock that moves on by `step` seconds each time it is read."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_without_a_terminal_each_long_stage_is_one_line_with_its_time() -> None:
    stream = io.StringIO()
    clock = Clock()
    progress = StageProgress(stream, clock=clock)
    progress("Loading the site", 0, 0)
    clock.now = 0.5
    progress("Rendering pages", 0, 300)  # loading took 0.5s: not worth a line
    clock.now = 2.0
    progress("Rendering pages", 100, 300)
    assert stream.getvalue() == "", "without a terminal, a stage's line comes when it is over"
    clock.now = 3.5
    progress("Building the search indexes", 0, 0)
    clock.now = 5.0
    progress.finish()
    assert stream.getvalue() == "Rendering pages: 300 in 3.0s\nBuilding the search indexes: done in 1.5s\n"


def test_on_a_terminal_a_stage_updates_one_line_and_keeps_it_with_its_time() -> None:
    stream = Terminal()
    clock = Clock()
    progress = StageProgress(stream, clock=clock)
    progress("Loading the site", 0, 0)
    clock.now = 0.5
    progress("Rendering pages", 0, 300)
    clock.now = 2.0
    progress("Rendering pages", 150, 300)
    clock.now = 2.05
    progress("Rendering pages", 151, 300)  # too soon to draw again
    clock.now = 3.0
    with progress:
        pass
    text = stream.getvalue()
    assert text == (CLEAR_LINE + "Loading the site..." + CLEAR_LINE  # quick: drawn, then wiped
                    + CLEAR_LINE + "Rendering pages: 0/300 (0%) 0s"
                    + CLEAR_LINE + "Rendering pages: 150/300 (50%) 2s"
                    + CLEAR_LINE + "Rendering pages: 300 in 2.5s\n")


def test_a_log_message_never_glues_to_the_progress_line() -> None:
    stream = Terminal()
    clock = Clock()
    progress = StageProgress(stream, clock=clock)
    logger = logging.getLogger("tests.progress")
    logger.propagate = False
    handler = ProgressLogHandler(progress)
    logger.addHandler(handler)
    try:
        progress("Building the search indexes", 0, 0)
        logger.warning("Whoosh: 3 pages")
        clock.now = 2.0
        progress.finish()
        print("Built 3 pages", file=stream)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == (CLEAR_LINE + "Building the search indexes..." + CLEAR_LINE + "Whoosh: 3 pages\n"
                                 + CLEAR_LINE + "Building the search indexes..."
                                 + CLEAR_LINE + "Building the search indexes: done in 2.0s\nBuilt 3 pages\n")


def test_a_build_reports_every_stage_including_search(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    stream = io.StringIO()
    with StageProgress(stream, clock=Clock(1.0)) as progress:
        build(root, tmp_path / "out", progress=progress)
    lines = stream.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == list(STAGES), lines
    assert all(re.fullmatch(r"[A-Z][\w ]+: (done|[\d,]+) in \d+\.\ds", line) for line in lines), lines


def test_a_check_reports_its_stages(make_site: MakeSite) -> None:
    root = make_site()
    stream = io.StringIO()
    with StageProgress(stream, clock=Clock(1.0)) as progress:
        check(root, progress=progress)
    labels = [line.split(":")[0] for line in stream.getvalue().splitlines()]
    assert labels == ["Loading the site", "Rendering pages", "Checking links, council data and review dates",
                      "Looking for near-duplicate pages"]
