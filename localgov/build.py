"""The build: load -> resolve -> compose/render -> index -> write, stopping once on errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from localgov.assets import build_assets
from localgov.config import load_config
from localgov.content import load_content
from localgov.councils import load_councils
from localgov.errors import BuildFailed, LocalgovError, Problem, Problems
from localgov.frontmatter import read_document
from localgov.index import FINALISERS, INDEXERS
from localgov.outputs import HREF, target_of
from localgov.render import Output, Renderer, template_dirs
from localgov.resolve import resolve
from localgov.site import Site
from localgov.templating import error_line, source_tags
from localgov.write import DuplicateOutput, Staging

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


@dataclass
class BuildResult:
    """What a build did."""

    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    missing: set[tuple[str, str, str]] = field(default_factory=set)


def load_site(root: Path, problems: Problems) -> Site | None:
    """Run the load and resolve stages; None when there are errors (they are in `problems`)."""
    config = load_config(root, problems)
    councils = load_councils(root, problems)
    content = load_content(root, problems)
    resolution = resolve(content.pages, councils, problems)
    check_page_references(content, councils, problems)
    if problems.errors:
        return None
    return Site(config=config, councils=councils, content=content, resolution=resolution)


def check_page_references(content: object, councils: dict, problems: Problems) -> None:  # type: ignore[type-arg]
    """Check that alerts name real pages and topics."""
    from localgov.content import Content
    from localgov.fields import did_you_mean

    assert isinstance(content, Content)
    for council in councils.values():
        for alert in council.alerts:
            for page in alert.pages:
                if page not in content.pages:
                    problems.error(alert.source, alert.line, f"alert names an unknown page{did_you_mean(page, content.pages.keys())}",
                                   field="alerts.pages", found=repr(page))
            for topic in alert.topics:
                if topic not in content.topics:
                    problems.error(alert.source, alert.line, f"alert names an unknown topic{did_you_mean(topic, content.topics.keys())}",
                                   field="alerts.topics", found=repr(topic))


def static_dirs(root: Path) -> list[Path]:
    """Return static asset folders, defaults first so the site's own files shadow them."""
    return [folder / "static" for folder in reversed(template_dirs(root))]


def build(root: Path, out_dir: Path, *, strict: bool = False, progress: Progress | None = None) -> BuildResult:
    """Build the site at `root` into `out_dir`; raise BuildFailed and leave `out_dir` untouched on errors."""
    started = time.perf_counter()
    problems = Problems()
    site = load_site(root, problems)
    if site is None:
        raise BuildFailed(problems.errors)
    if strict and problems.warnings:
        raise BuildFailed(problems.warnings)
    assets = build_assets(root, static_dirs(root))
    renderer = Renderer(site, {a.name: a.url for a in assets}, problems)
    if problems.errors:
        raise BuildFailed(problems.errors)
    staging = Staging(out_dir)
    result = BuildResult()
    try:
        links: dict[str, str] = {}
        for asset in assets:
            staging.write(asset.path, asset.data, "assets")
        for source, make in renderer.site_pages():
            try:
                output = make()
            except Exception as exc:  # noqa: BLE001 - a broken template or content file becomes a located problem
                problems.error(*_locate(exc, source), f"cannot render: {type(exc).__name__}: {exc}")
                continue
            _keep(staging, output, links, result)
        jobs = renderer.jobs()
        for number, (page, council) in enumerate(jobs, start=1):
            try:
                output = renderer.render_job(page, council)
            except Exception as exc:  # noqa: BLE001 - any failure in content becomes a located problem
                _report_render_error(site, page, council, exc, problems)
                continue
            _keep(staging, output, links, result)
            if progress is not None and number % 500 == 0:
                progress("Rendering pages", number, len(jobs))
        if progress is not None:
            progress("Rendering pages", len(jobs), len(jobs))
        if problems.errors:
            raise BuildFailed(problems.errors)
        html_pages = sorted(p for p in staging.written if p.endswith(".html"))
        for indexer in INDEXERS:
            for output in indexer(site, html_pages, problems):
                staging.write(output.path, output.data, output.source)
        for href, path in sorted(links.items()):
            target = target_of(href)
            if target is not None and target not in staging.written and f"{target}/index.html" not in staging.written:
                problems.warn(path, 0, f"broken internal link to {href}")
        for finalise in FINALISERS:
            finalise(site, staging.path, problems)
        if problems.errors:
            raise BuildFailed(problems.errors)
        if strict and problems.warnings:
            raise BuildFailed(problems.warnings)
        staging.commit()
    except DuplicateOutput as exc:
        staging.abandon()
        raise BuildFailed([Problem("build", 0, str(exc))]) from None
    except BaseException:
        staging.abandon()
        raise
    result.files = len(staging.written)
    result.seconds = time.perf_counter() - started
    result.warnings = problems.warnings
    result.missing = renderer.missing.items
    return result


def _keep(staging: Staging, output: Output, links: dict[str, str], result: BuildResult) -> None:
    """Write one output and note its internal links (each distinct link once, with the first page using it)."""
    staging.write(output.path, output.data, output.source)
    if output.path.endswith(".html"):
        result.pages += 1
        for match in HREF.finditer(output.data):
            href = match.group(1).decode("utf-8", "replace")
            if href not in links:
                links[href] = output.path


def _locate(exc: Exception, source: str) -> tuple[str, int]:
    """Return the file and line a render error points at: a template if the error is in one, else `source`."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".html") and "govuk_frontend_jinja" not in frame.filename:
            return frame.filename, frame.lineno or 0
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or exc.name or source, exc.lineno
    return source, 0


def _report_render_error(site: Site, page_slug: str, council: str, exc: Exception, problems: Problems) -> None:
    page = site.content.pages[page_slug]
    line = 0
    try:
        document = read_document((site.config.root / page.source).read_text(encoding="utf-8"))
        tags, lines = source_tags(document.body, document.body_line)
        line = error_line(str(exc), tags, lines, document.body_line)
    except (OSError, LocalgovError, ValueError):
        pass
    problems.error(page.source, line, f"template error for {council}: {exc}")
