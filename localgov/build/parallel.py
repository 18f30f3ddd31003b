"""Render pages on every core: fork worker processes after the load stage, each staging its share.

The loaded site, the compiled templates, the writer's staging folder and the list of units are
made once in the parent and inherited by the workers when they are forked, so nothing large is
sent to them. Each worker renders a run of units, hands each file whose bytes changed to the
writer (`Staging.put`), and sends back only a small record per unit: its path, digest, links and
anything it reported. (Sending the bytes back for the parent to write costs more: every page
crosses a pipe, and one process writes them all.) The files are the same whichever worker renders
them, so the output stays deterministic.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import jinja2

from localgov.build.cache import digest
from localgov.build.write import Staging
from localgov.errors import LocalgovError, Problem
from localgov.load.frontmatter import read_document
from localgov.load.jinja_checks import error_line, source_tags
from localgov.model import Site
from localgov.render.pages import PageJob, Renderer
from localgov.search.extract import SEARCHABLE

log = logging.getLogger(__name__)

CHUNK = 200  # units per task: long enough to reuse remembered components, short enough to balance
PARALLEL_FROM = 600  # fewer units than this render in the parent: forking would cost more than it saves


@dataclass(frozen=True)
class Unit:
    """One page to render, under the name the build cache knows it by."""

    id: str
    job: PageJob

    @property
    def source(self) -> str:
        return self.job.source


@dataclass(frozen=True)
class Rendered:
    """What rendering one unit found. `written` says whether the file in staging is new."""

    unit: str
    path: str = ""
    digest: bytes = b""
    size: int = 0
    mtime_ns: int = 0
    written: bool = False
    indexed: bool = False  # search indexes the page (it carries search's marker)
    links: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # the names of the council data the page lacks
    templates: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # the inputs the render read (see localgov/render/record.py)
    problems: tuple[Problem, ...] = ()
    source: str = ""


@dataclass
class Job:
    """Everything a worker needs, inherited by fork."""

    renderer: Renderer
    units: Sequence[Unit]
    staging: Staging | None  # None: render without writing (checks)
    previous: dict[str, bytes]  # output path -> digest of the intact file in the output folder


def render_unit(job: Job, unit: Unit) -> Rendered:
    """Render one unit, hand it to the writer if its bytes are new, and describe it."""
    try:
        record = job.renderer.render_page(unit.job)
    except Exception as exc:  # noqa: BLE001 - any failure in content or templates becomes a located problem
        return Rendered(unit.id, problems=(located_problem(job.renderer.site, unit, exc),), source=unit.source)
    output = record.output
    found = digest(output.data)
    written = False
    mtime_ns = 0
    if job.staging is not None and job.previous.get(output.path) != found:
        mtime_ns = job.staging.put(output.path, output.data)
        written = True
    return Rendered(
        unit=unit.id, path=output.path, digest=found, size=len(output.data), mtime_ns=mtime_ns, written=written,
        indexed=SEARCHABLE in output.data,
        links=record.links, missing=record.missing, templates=record.templates, needs=record.needs,
        source=output.source or unit.source,
    )


_JOB: Job | None = None  # set in each worker by `_start`, from the parent's memory


def _start(job: Job) -> None:
    global _JOB
    _JOB = job


def _run(bounds: tuple[int, int]) -> list[Rendered]:
    assert _JOB is not None
    return [render_unit(_JOB, _JOB.units[i]) for i in range(*bounds)]


def render_all(job: Job, workers: int, progress: Callable[[int, int], None] | None = None) -> Iterator[Rendered]:
    """Render every unit of `job`, in `workers` processes when there are more than one; yield in any order."""
    total = len(job.units)
    if workers <= 1 or total < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for number, unit in enumerate(job.units, start=1):
            yield render_unit(job, unit)
            if progress is not None and number % 500 == 0:
                progress(number, total)
        return
    size = max(1, min(CHUNK, total // (workers * 4)))
    chunks = [(start, min(start + size, total)) for start in range(0, total, size)]
    context = multiprocessing.get_context("fork")
    # Objects made before the fork stay shared: keep the collector from touching (and so copying) them.
    gc.collect()
    gc.freeze()
    try:
        with context.Pool(processes=workers, initializer=_start, initargs=(job,)) as pool:
            done = 0
            for results in pool.imap_unordered(_run, chunks):
                done += len(results)
                yield from results
                if progress is not None:
                    progress(done, total)
    finally:
        gc.unfreeze()


def workers_wanted() -> int:
    """Return how many processes to render with: LOCALGOV_JOBS, else the cores this process may use."""
    configured = os.environ.get("LOCALGOV_JOBS", "").strip()
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            raise LocalgovError(f"LOCALGOV_JOBS must be a number of processes, got {configured!r}") from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# -- locating render errors


def located_problem(site: Site, unit: Unit, exc: Exception) -> Problem:
    """Return a render failure as a problem at the file and line it comes from."""
    job = unit.job
    if job.kind != "variant" or job.page not in site.content.pages:
        file, line = locate(exc, unit.source)
        return Problem(file, line, f"cannot render: {type(exc).__name__}: {exc}")
    page = site.content.pages[job.page]
    file, line = locate(exc, "")
    if file:
        return Problem(file, line, f"cannot render for {job.council}: {type(exc).__name__}: {exc}")
    line = 0
    try:
        document = read_document((site.config.root / page.source).read_text(encoding="utf-8"))
        tags, lines = source_tags(document.body, document.body_line)
        line = error_line(str(exc), tags, lines, document.body_line)
    except (OSError, LocalgovError, ValueError):
        pass
    return Problem(page.source, line, f"template error for {job.council}: {exc}")


def locate(exc: Exception, source: str) -> tuple[str, int]:
    """Return the file and line a render error points at: a layout template if the error is in one, else `source`."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return exc.filename, exc.lineno
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".html") and "govuk_frontend_jinja" not in frame.filename:
            return frame.filename, frame.lineno or 0
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or exc.name or source, exc.lineno
    return source, 0
