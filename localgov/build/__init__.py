"""The build: load -> resolve -> compose/render -> index -> write, stopping once on errors.

Builds are incremental. Every input is fingerprinted (cache.py); a build with no
input changed writes nothing. Otherwise only units whose inputs changed (keys.py)
are rendered, on every core (parallel.py), and only files whose bytes changed are
written (write.py). The result is the same, byte for byte, as a clean build.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from localgov import index
from localgov.build.cache import (
    FileEntry,
    Inputs,
    Manifest,
    PageMemo,
    UnitEntry,
    combine,
    digest,
    forget_manifest,
    load_manifest,
    manifest_path,
    save_manifest,
    scan,
    unchanged_on_disk,
)
from localgov.build.keys import Keys
from localgov.build.parallel import (
    COVERAGE,
    PARALLEL_FROM,
    Job,
    Rendered,
    TrackingRenderer,
    Unit,
    render_all,
    workers_wanted,
)
from localgov.build.write import STAGING_MARKER, DuplicateOutput, Staging, guard_output, output_lock
from localgov.checks import check_council_references
from localgov.errors import BuildFailed, Problem, Problems
from localgov.index.coverage import Known, coverage
from localgov.load.config import load_config, today
from localgov.load.content import PageReader, load_content
from localgov.load.councils import load_councils
from localgov.load.overrides import load_overrides, stopping_errors
from localgov.model import Coverage, Site
from localgov.render.assets import build_assets, find_govuk_frontend
from localgov.render.layouts import default_templates, layout_environment, static_dirs
from localgov.render.pages import site_jobs, variant_jobs
from localgov.render.sections import compile_sections
from localgov.resolve import resolve
from localgov.urls import target_of

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
WHOLE_SITE_SHARE = 0.3  # above this share of pages to render, stage a whole new output folder


@dataclass
class BuildResult:
    """What a build did."""

    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    warnings: list[Problem] = field(default_factory=list)
    missing: set[tuple[str, str, str]] = field(default_factory=set)
    refused: list[Problem] = field(default_factory=list)
    rendered: int = 0  # pages rendered this time (the rest were unchanged)
    changed: int = 0  # files written or replaced
    removed: int = 0  # files deleted because nothing makes them any more
    timings: dict[str, float] = field(default_factory=dict)


def load_site(root: Path, problems: Problems, *, keep_going: bool = False,
              read_page: PageReader | None = None) -> Site | None:
    """Run the load and resolve stages; None when there are errors (they are in `problems`).

    With `keep_going`, errors that only refuse council files (see localgov/load/overrides.py) do not stop
    the build: the site is loaded without those files. `read_page` reads one common page (see
    localgov/load/content.py).
    """
    config = load_config(root, problems)
    councils = load_councils(root, problems)
    content = load_content(root, problems, read_page)
    resolution = resolve(content.pages, councils, problems)
    overrides = load_overrides(root, councils, content, problems)
    check_council_references(content, councils, overrides, resolution, root, problems)
    if stopping_errors(problems, overrides.refused if keep_going else ()):
        return None
    return Site(config=config, councils=councils, content=content, resolution=resolution, overrides=overrides)


def input_locations(root: Path) -> dict[str, Path]:
    """Return the inputs outside the site folder: default templates, GOV.UK Frontend and this package's code."""
    locations: dict[str, Path] = {
        "default-templates:": default_templates(),
        "code:": Path(__file__).resolve().parents[1],
    }
    try:
        package = find_govuk_frontend(root)
    except Exception:  # noqa: BLE001 - reported by the asset stage with advice
        return locations
    dist = package / "dist" / "govuk"
    locations["govuk:package.json"] = package / "package.json"
    locations["govuk:css"] = dist / "govuk-frontend.min.css"
    locations["govuk:js"] = dist / "govuk-frontend.min.js"
    return locations


@dataclass
class BuildState:
    """What a long-running process (the live preview) keeps in memory between builds."""

    manifest: Manifest | None = None
    memo: PageMemo | None = None


class Timer:
    """Collect how long each step took."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = self.times.get(name, 0.0) + now - self._last
        self._last = now


def build(root: Path, out_dir: Path, *, strict: bool = False, progress: Progress | None = None,
          keep_going: bool = False, incremental: bool = True, finalise: bool = True,
          workers: int | None = None, state: BuildState | None = None) -> BuildResult:
    """Build the site at `root` into `out_dir`; raise BuildFailed and leave `out_dir` untouched on errors.

    `incremental=False` ignores the cache (a clean build); `finalise=False` skips the whole-site steps
    (the search indexes) and keeps their last output; `workers` is the number of render processes
    (default: one per core when there are enough pages to render). A long-running process passes the
    same `state` to every build, so that each starts from what the last one left in memory.
    """
    guard_output(root, out_dir, known=manifest_path(root, out_dir).is_file())
    with output_lock(out_dir):
        return _build(root, out_dir, strict=strict, progress=progress, keep_going=keep_going, incremental=incremental,
                      finalise=finalise, workers=workers, state=state)


def _build(root: Path, out_dir: Path, *, strict: bool, progress: Progress | None, keep_going: bool,
           incremental: bool, finalise: bool, workers: int | None, state: BuildState | None) -> BuildResult:
    started = time.perf_counter()
    timer = Timer()
    inputs = scan(root, input_locations(root))
    if state is not None and state.manifest is not None and state.manifest.out == str(out_dir.resolve()) \
            and incremental and out_dir.is_dir():
        # This process wrote the output folder and has watched it since: no need to read it back.
        manifest: Manifest | None = state.manifest
        intact = set(state.manifest.files)
    else:
        manifest = load_manifest(root, out_dir) if incremental and out_dir.is_dir() else None
        intact = unchanged_on_disk(out_dir, manifest.files) if manifest is not None else set()
    timer.lap("scan")
    if manifest is not None and _nothing_changed(manifest, inputs, intact, finalise):
        if state is not None:
            state.manifest = manifest
        return _unchanged(manifest, strict, started, timer)

    problems = Problems()
    code = combine(inputs.libraries, *[v for k, v in sorted(inputs.files.items()) if k.startswith("code:")])
    memo = state.memo if state is not None and state.memo is not None and state.memo.code == code else None
    memo = memo or PageMemo(root, code)
    site = load_site(root, problems, keep_going=keep_going, read_page=memo if incremental else None)
    memo.save()
    if state is not None:
        state.memo = memo
    if site is None:
        raise BuildFailed(problems.errors)
    # Under --keep-going, refused council files are left out and their errors reported, not fatal.
    contained = site.overrides.refused if keep_going else frozenset()
    if strict and problems.warnings:
        raise BuildFailed(problems.warnings)
    assets = build_assets(root, static_dirs(root))
    asset_urls = {a.name: a.url for a in assets}
    sections = compile_sections(site, problems=problems)
    if stopping_errors(problems, contained):
        raise BuildFailed(problems.errors)
    keys = Keys(site, inputs, asset_urls, layout_environment(root), dict(manifest.templates) if manifest else {})
    timer.lap("load")

    old = manifest or Manifest(out=str(out_dir.resolve()))
    previous = {path: entry.digest for path, entry in old.files.items() if path in intact}
    new = Manifest(out=str(out_dir.resolve()), fingerprint=inputs.fingerprint, today=today().isoformat())
    new.links = list(old.links)  # kept pages refer to their links by number
    new.templates = keys.parsed
    units = _units(site, keys)
    # The coverage report is made before any page is rendered, from the sources alone; what a page lacks is
    # taken from the last build where the page's sources have not changed since.
    report = coverage(site, list(problems.items), _known(units, old), sections)
    report_key = _report_key(report)
    renderer = TrackingRenderer(site, asset_urls, sections, report)
    plan = _plan(units, keys, old, intact, report_key)
    timer.lap("coverage")
    # Most pages changing (a template used everywhere): write a whole new tree and swap it in, as a clean
    # build does, rather than rename tens of thousands of files into place one by one.
    whole = manifest is None or len(plan.render) > WHOLE_SITE_SHARE * max(1, len(plan.units))
    staging = Staging(out_dir, flat=not whole)
    try:
        rendered = list(render_all(Job(renderer, plan.render, staging, previous),
                                   _processes(workers, len(plan.render), PARALLEL_FROM),
                                   _progress(progress, "Rendering pages")))
        written: set[str] = set()
        _collect(rendered, plan, keys, old, new, staging, problems, written, report_key)
        timer.lap("render")
        if stopping_errors(problems, contained):
            raise BuildFailed(problems.errors)
        for asset in assets:
            _keep(asset.path, asset.data, "assets", "asset", old, previous, new, staging, written)
        html_pages = sorted(p for p in staging.written if p.endswith(".html"))
        _run_indexers(site, report, html_pages, old, new, intact, previous, staging, problems, written,
                      combine(keys.global_key, keys.structure, report_key))
        timer.lap("index")
        _check_links(new, staging.written, problems)
        timer.lap("links")
        if stopping_errors(problems, contained):
            raise BuildFailed(problems.errors)
        if strict and problems.warnings:
            raise BuildFailed(problems.warnings)
        final_key = _finaliser_key(keys, new)
        finalising = _finalisers_due(final_key, new, old, intact, finalise, root, out_dir)
        if whole or finalising:
            # A first build, or a whole-site step must see every file: stage everything and swap.
            carried = _carry_finalised(old, new, intact, finalising)
            staging.unflatten(sorted(written))
            staging.link_from_output(p for p in new.files if p not in written)
            for finaliser in finalising:
                before = set(new.files) | set(carried)
                finaliser.run(site, staging.path, staging.companion(finaliser.keeps(root, out_dir)), problems)
                timer.lap(f"finalise:{finaliser.name}")
                _adopt(staging.path, before, f"final:{finaliser.name}", new)
                new.steps[finaliser.name] = final_key
            if stopping_errors(problems, contained):
                raise BuildFailed(problems.errors)
            forget_manifest(root, out_dir)
            staging.commit()
            removed = len(set(old.files) - set(new.files))
        else:
            _carry_finalised(old, new, intact, [])
            removed = len(set(old.files) - set(new.files))
            forget_manifest(root, out_dir)
            staging.apply(sorted(written), sorted(p for p in new.files if p not in written))
        timer.lap("write")
    except DuplicateOutput as exc:
        staging.abandon()
        raise BuildFailed([Problem("build", 0, str(exc))]) from None
    except BaseException:
        staging.abandon()
        raise
    new.finalised = all(new.steps.get(f.name) == final_key for f in index.FINALISERS)
    new.warnings = problems.warnings
    new.pages = sum(1 for u in new.units.values() if u.path.endswith(".html"))
    new.clean = not contained
    save_manifest(root, out_dir, new)
    if state is not None:
        state.manifest = new
    timer.lap("save")
    return BuildResult(
        pages=new.pages, files=len(new.files), seconds=time.perf_counter() - started, warnings=problems.warnings,
        missing=_missing(new), refused=sorted(contained),
        rendered=len(plan.render), changed=len(written), removed=removed, timings=timer.times,
    )


# -- the steps


def _nothing_changed(manifest: Manifest, inputs: Inputs, intact: set[str], finalise: bool) -> bool:
    return (manifest.fingerprint == inputs.fingerprint and manifest.today == today().isoformat()
            and len(intact) == len(manifest.files) and manifest.clean and (manifest.finalised or not finalise))


def _unchanged(manifest: Manifest, strict: bool, started: float, timer: Timer) -> BuildResult:
    if strict and manifest.warnings:
        raise BuildFailed(manifest.warnings)
    return BuildResult(
        pages=manifest.pages, files=len(manifest.files), seconds=time.perf_counter() - started,
        warnings=manifest.warnings, missing=_missing(manifest),
        timings=timer.times,
    )


@dataclass
class Plan:
    """Which units to render and which to keep as they are."""

    render: list[Unit] = field(default_factory=list)
    keys: dict[str, bytes] = field(default_factory=dict)  # unit -> key without templates
    kept: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


def _units(site: Site, keys: Keys) -> list[tuple[Unit, bytes]]:
    """List every unit of the site with its key (without templates)."""
    counts: Counter[str] = Counter()
    units: list[tuple[Unit, bytes]] = []
    for job in site_jobs(site):
        number = counts[job.source]
        counts[job.source] += 1
        council = job.council if job.kind in ("hub", "council-topic") else None
        units.append((Unit(f"site:{job.source}#{number}", job), keys.site_page(job.source, council)))
    for job in variant_jobs(site):
        units.append((Unit(f"page:{job.page}/{job.council}", job), keys.variant(job.page, job.council)))
    return units


def _known(units: list[tuple[Unit, bytes]], old: Manifest) -> Known:
    """Return the council data each variant lacked last time, for those whose sources are as they were."""
    known: dict[tuple[str, str], tuple[str, ...]] = {}
    for unit, key in units:
        entry = old.units.get(unit.id)
        if unit.job.kind == "variant" and entry is not None and entry.key == key:
            known[(unit.job.council, unit.job.page)] = tuple(UnitEntry.split(entry.missing))
    return known


def _report_key(report: Coverage) -> bytes:
    """Return a digest of everything the coverage report says."""
    return combine(b"coverage", repr(report))


def _plan(units: list[tuple[Unit, bytes]], keys: Keys, old: Manifest, intact: set[str], report_key: bytes) -> Plan:
    """Sort the units into those to render and those kept: a unit whose key and file are as last time is kept."""
    plan = Plan()
    for unit, key in units:
        plan.keys[unit.id] = key
        plan.units.append(unit)
        entry = old.units.get(unit.id)
        if entry is None or entry.path not in intact or entry.key != key:
            plan.render.append(unit)
            continue
        made = keys.templates(entry.templates)
        if COVERAGE in UnitEntry.split(entry.templates):
            made = combine(made, report_key)
        if entry.made == made:
            plan.kept.append(unit.id)
        else:
            plan.render.append(unit)
    return plan


def _collect(rendered: list[Rendered], plan: Plan, keys: Keys, old: Manifest, new: Manifest, staging: Staging,
             problems: Problems, written: set[str], report_key: bytes) -> None:
    """Record what was rendered and what was kept, and every problem found."""
    root = str(keys.site.config.root)
    for result in sorted(rendered, key=lambda r: r.unit):
        for problem in result.problems:
            problems.items.append(_relative(problem, root))
        if not result.path:
            continue
        staging.claim(result.path, result.source)
        templates = UnitEntry.join(result.templates)
        made = keys.templates(templates)
        if COVERAGE in result.templates:
            made = combine(made, report_key)
        missing = UnitEntry.join(sorted({name for _, _, name in result.missing}))
        new.units[result.unit] = UnitEntry(plan.keys[result.unit], made, result.path, templates,
                                           new.number_links(result.links), missing)
        if result.written:
            new.files[result.path] = FileEntry(result.digest, result.size, result.mtime_ns, result.source, "render")
            written.add(result.path)
        else:
            new.files[result.path] = old.files[result.path]
    for unit in plan.kept:
        if unit in new.units:
            continue
        entry = old.units[unit]
        staging.claim(entry.path, old.files[entry.path].source)
        new.units[unit] = entry
        new.files[entry.path] = old.files[entry.path]


def _missing(manifest: Manifest) -> set[tuple[str, str, str]]:
    """Return (council, page, name) for each piece of council data a page asked for and its council lacks."""
    found: set[tuple[str, str, str]] = set()
    for unit, entry in manifest.units.items():
        if entry.missing and unit.startswith("page:"):
            page, _, council = unit[len("page:"):].rpartition("/")
            found.update((council, page, name) for name in UnitEntry.split(entry.missing))
    return found


def _relative(problem: Problem, root: str) -> Problem:
    """Show a file under the site folder relative to it."""
    prefix = root.rstrip("/") + "/"
    if problem.file.startswith(prefix):
        from dataclasses import replace

        return replace(problem, file=problem.file[len(prefix):])
    return problem


def _keep(path: str, data: bytes, source: str, origin: str, old: Manifest, previous: dict[str, bytes],
          new: Manifest, staging: Staging, written: set[str]) -> None:
    """Record one output made in this process, writing it into staging only if its bytes changed."""
    staging.claim(path, source)
    found = digest(data)
    if previous.get(path) == found:
        new.files[path] = old.files[path]
        return
    new.files[path] = FileEntry(found, len(data), staging.put(path, data), source, origin)
    written.add(path)


def _run_indexers(site: Site, report: Coverage, html_pages: list[str], old: Manifest, new: Manifest,
                  intact: set[str], previous: dict[str, bytes], staging: Staging, problems: Problems,
                  written: set[str], structure: bytes) -> None:
    """Run the index stage; an indexer with a key (index.INDEXER_KEYS) is skipped when its key is unchanged.

    `structure` is the key of an indexer listed with SITE_STRUCTURE: it reads the site's structure and the
    coverage report, not the text of the pages.
    """
    made_of = combine(structure, repr(sorted(p.format() for p in problems.items)))
    for indexer in index.INDEXERS:
        origin = f"index:{indexer.name}"
        if indexer.key is not None:
            read = made_of if indexer.key == index.SITE_STRUCTURE else indexer.key(site)  # type: ignore[operator]
            key = combine(b"indexer", indexer.name, read)
            before = [p for p, e in old.files.items() if e.origin == origin]
            if old.steps.get(indexer.name) == key and all(p in intact for p in before):
                for path in before:
                    staging.claim(path, old.files[path].source)
                    new.files[path] = old.files[path]
                new.steps[indexer.name] = key
                continue
            new.steps[indexer.name] = key
        for output in indexer.run(site, html_pages, problems, report):
            _keep(output.path, output.data, output.source, origin, old, previous, new, staging, written)


def _check_links(new: Manifest, outputs: Iterable[str], problems: Problems) -> None:
    """Warn once per internal link that points to no output file, at the first page (by path) using it."""
    existing = set(outputs)
    used: set[int] = set()
    for entry in new.units.values():
        used.update(new.link_numbers(entry))
    broken: set[int] = set()
    for number in used:
        href = new.links[number]
        target = target_of(href)
        if target is not None and target not in existing and f"{target}/index.html" not in existing:
            broken.add(number)
    if not broken:
        return
    first: dict[str, str] = {}
    for entry in sorted(new.units.values(), key=lambda e: e.path):
        for number in broken.intersection(new.link_numbers(entry)):
            first.setdefault(new.links[number], entry.path)
    for href, path in sorted(first.items(), key=lambda item: (item[1], item[0])):
        problems.warn(path, 0, f"broken internal link to {href}")


def _finaliser_key(keys: Keys, new: Manifest) -> bytes:
    """Return a key of everything the whole-site steps read: every page and file made before them."""
    hasher = hashlib.blake2b(keys.global_key + keys.structure, digest_size=16)
    for path, entry in sorted(new.files.items()):
        if not entry.origin.startswith("final:"):
            hasher.update(path.encode("utf-8") + b"\0" + entry.digest)
    return hasher.digest()


def _finalisers_due(key: bytes, new: Manifest, old: Manifest, intact: set[str], finalise: bool,
                    root: Path, out_dir: Path) -> list[index.Finaliser]:
    """Return the finalisers to run: all of them when any input of theirs changed or an output of theirs is gone."""
    if not finalise or not index.FINALISERS:
        return []
    named = list(index.FINALISERS)
    fresh = all(old.steps.get(f.name) == key and f.keeps(root, out_dir).is_dir() for f in named) and all(
        path in intact for path, entry in old.files.items() if entry.origin.startswith("final:"))
    if fresh:
        for finaliser in named:
            new.steps[finaliser.name] = key
        return []
    return named


def _carry_finalised(old: Manifest, new: Manifest, intact: set[str], finalising: list[index.Finaliser]) -> set[str]:
    """Keep the outputs of whole-site steps that are not run this time."""
    running = {f"final:{f.name}" for f in finalising}
    carried: set[str] = set()
    for path, entry in old.files.items():
        if entry.origin.startswith("final:") and entry.origin not in running and path in intact and path not in new.files:
            new.files[path] = entry
            carried.add(path)
    for name, key in old.steps.items():
        new.steps.setdefault(name, key)
    return carried


def _adopt(folder: Path, known: set[str], origin: str, new: Manifest) -> None:
    """Record the files a finaliser added to the staged folder."""
    base = str(folder)
    for dirpath, _, filenames in os.walk(folder):
        rel_dir = os.path.relpath(dirpath, base)
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
            if rel in known or rel in new.files or rel == STAGING_MARKER:
                continue
            path = f"{dirpath}/{name}"
            with open(path, "rb") as stream:
                data = stream.read()
            info = os.stat(path)
            new.files[rel] = FileEntry(digest(data), len(data), info.st_mtime_ns, origin, origin)


def _processes(asked: int | None, units: int, enough: int) -> int:
    """Return how many processes to render `units` with: as asked, else every core if there are enough units."""
    if asked is not None:
        return asked
    # Forking costs more than it saves on a few hundred pages.
    return workers_wanted() if units >= enough else 1


def _progress(progress: Progress | None, label: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(label, done, total)
