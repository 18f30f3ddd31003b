"""Progress of a long command, stage by stage.

On a terminal each stage has one line that updates in place (a count when the stage has one) and
stays, with the stage's time, once the stage is over. When the output is a file or a pipe (CI logs)
each stage gets one line, with its time, when it is over. Stages that take less than a second are
not shown, so a quick command prints only its result.

A stage reports through the callback the build and check take, `progress(label, done, total)`:
the first call with a new label starts that stage and ends the one before; `total` 0 means the
stage has no count. `finish()` (or leaving a `with` block) ends the last stage, before the command
prints its summary.

Our own code rather than rich or tqdm: both draw one bar per loop on a terminal, but neither
turns a stage into a single timed line when the output is not a terminal (tqdm writes its
carriage-return updates into the log; rich prints nothing until the end), and both would be a
new dependency for about a hundred lines.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

SHOW_AFTER = 1.0  # seconds a stage must take to be reported
REDRAW_EVERY = 0.1  # seconds between two updates of the line on a terminal
CLEAR_LINE = "\r\033[K"


@dataclass
class Stage:
    """The stage under way."""

    label: str
    started: float
    done: int = 0
    total: int = 0


class StageProgress:
    """Report each stage of a long command: an updating line on a terminal, a line with its time otherwise."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None, show_after: float = SHOW_AFTER,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _is_terminal(self.stream) if tty is None else tty
        self.show_after = show_after
        self.clock = clock
        self.stage: Stage | None = None
        self.live = False  # a line of the current stage is on the terminal, without its newline
        self.drawn_at = 0.0

    def __call__(self, label: str, done: int, total: int) -> None:
        now = self.clock()
        if self.stage is None or self.stage.label != label:
            self.finish()
            self.stage = Stage(label, now)
        self.stage.done, self.stage.total = done, total
        if self.tty and (not self.live or now - self.drawn_at >= REDRAW_EVERY):
            self._draw(self._running(self.stage, now))
            self.drawn_at = now

    def __enter__(self) -> StageProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def finish(self) -> None:
        """End the stage under way: keep its line, with its time, if it took long enough; else leave no trace."""
        stage, self.stage = self.stage, None
        if stage is None:
            return
        seconds = self.clock() - stage.started
        if seconds < self.show_after:
            self.interrupt()
            return
        count = f"{stage.total:,} in " if stage.total else "done in "
        line = f"{stage.label}: {count}{seconds:.1f}s"
        if self.tty:
            self._draw(line)
            self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.live = False

    def interrupt(self) -> None:
        """Clear the updating line so that other output starts on a line of its own (it is drawn again)."""
        if self.live:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self.live = False

    def resume(self) -> None:
        """Draw the updating line again after other output."""
        if self.tty and self.stage is not None and not self.live:
            now = self.clock()
            self._draw(self._running(self.stage, now))
            self.drawn_at = now

    def _running(self, stage: Stage, now: float) -> str:
        if not stage.total:
            return f"{stage.label}..."  # drawn once: a time here would stand still
        percent = 100 * stage.done // stage.total
        return f"{stage.label}: {stage.done:,}/{stage.total:,} ({percent}%) {now - stage.started:.0f}s"

    def _draw(self, text: str) -> None:
        width = shutil.get_terminal_size().columns - 1
        self.stream.write(CLEAR_LINE + text[:max(width, 20)])
        self.stream.flush()
        self.live = True


class ProgressLogHandler(logging.StreamHandler[TextIO]):
    """Log to the progress display's stream on lines of their own: the updating line is cleared, then drawn again."""

    def __init__(self, progress: StageProgress) -> None:
        super().__init__(progress.stream)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress.interrupt()
        super().emit(record)
        self.progress.resume()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
