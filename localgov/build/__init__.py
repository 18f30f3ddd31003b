"""The build: load -> resolve -> compose/render -> index -> write, stopping once on errors.

Builds are incremental. Every input is fingerprinted (cache.py); a build with no
input changed writes nothing. Otherwise only units whose inputs changed (keys.py)
are rendered, on every core (parallel.py), and only files whose bytes changed are
written (write.py). The result is the same, byte for byte, as a clean build.

`_build` runs the steps in order: read what the output folder holds (`_read_output`),
load the site (`_load`), list and key every page and make the coverage report (`_plan`),
render (`_render`), run the index stage (`_index`), put the output in place (`_write`)
and save the manifest (`_save`). From rendering on, the steps share one `Run`: the old
and new manifests, the intact files, the staging folder, the problems and the files written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
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
from localgov.build.parallel import PARALLEL_FROM, Job, Unit, render_all, workers_wanted
from localgov.build.write import (
    STAGING_MARKER,
    DuplicateOutput,
    Staging,
    guard_output,
    keep_previous,
    output_lock,
    take_previous,
)
from localgov.checks import check_council_files, check_council_references
from localgov.errors import BuildFailed, Problem, Problems
from localgov.index.coverage import Known, coverage
from localgov.load.accessibility import load_accessibility
from localgov.load.bodies import load_bodies
from localgov.load.config import load_config, today
from localgov.load.content import PageReader, load_content
from localgov.load.councils import load_councils
from localgov.load.history import last_changes
from localgov.load.overrides import load_overrides, stopping_errors
from localgov.load.status import load_status
from localgov.load.timeline import on_date
from localgov.model import Content, Coverage, Pages, Site
from localgov.render.assets import AssetFile, build_assets
from localgov.render.layouts import default_templates, find_govuk_frontend, layout_environment
from localgov.render.pages import Renderer, site_jobs, variant_jobs, variant_unit
from localgov.render.sections import compile_sections
from localgov.resolve import resolve
from localgov.sandbox import SectionTemplates
from localgov.urls import resolves, target_of

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
              read_page: PageReader | None = None, day: dt.date | None = None,
              as_at: dt.date | None = None) -> Site | None:
    """Run the load and resolve stages; None when there are errors (they are in `problems`).

    With `keep_going`, errors that only refuse council files (see localgov/load/overrides.py) do not stop
    the build: the site is loaded without those files. `read_page` reads one common page (see
    localgov/load/content.py). `day` is the build date (default: today, or LOCALGOV_TODAY); `as_at` builds the
    site as it stands on another date (default: site.yaml's `as_at`, else the build date).
    """
    config = load_config(root, problems, day, as_at=as_at)
    registry = load_councils(root, problems)
    bodies = load_bodies(root, registry, problems)
    # The one place that decides which councils exist on the site's date: no later stage needs the date for it.
    dated = on_date(registry, config.today)
    councils = dated.current
    content = with_history(load_content(root, problems, read_page), last_changes(root))
    national_alerts = load_status(root, problems)
    accessibility = load_accessibility(root, problems)
    overrides = check_council_files(councils, content, load_overrides(root, councils, content, problems), problems)
    resolution = resolve(content.pages, councils, problems, overrides.pages.values(), bodies)
    check_council_references(content, councils, overrides, resolution, root, problems)
    if stopping_errors(problems, overrides.refused if keep_going else ()):
        return None
    return Site(config=config, councils=councils, content=content, resolution=resolution, overrides=overrides,
                bodies=bodies, former=dated.former, national_alerts=national_alerts,
                accessibility=accessibility)


def with_history(content: Content, changed: dict[str, dt.date]) -> Content:
    """Return `content` with each page's `updated` date: when its file last changed in the repository."""
    if not changed:
        return content
    pages = {slug: replace(page, updated=changed.get(page.source)) for slug, page in content.pages.items()}
    return replace(content, pages=pages)


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
    # The last build that worked: its loaded site and coverage report (the preview renders edits from them).
    loaded: Loaded | None = None
    report: Coverage | None = None


class Timer:
    """Collect how long each step took."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = self.times.get(name, 0.0) + now - self._last
        self._last = now


@dataclass(frozen=True)
class Options:
    """How to build (see `build`)."""

    strict: bool = False
    keep_going: bool = False
    incremental: bool = True
    finalise: bool = True
    workers: int | None = None
    progress: Progress | None = None
    as_at: dt.date | None = None


@dataclass(frozen=True)
class Loaded:
    """What the load stage made, and what every later step shares."""

    site: Site
    assets: tuple[AssetFile, ...]
    asset_urls: Mapping[str, str]
    sections: Mapping[str, SectionTemplates]  # compiled once, for the coverage report and the render stage
    keys: Keys
    contained: frozenset[Problem]  # errors of council files refused under --keep-going: reported, not fatal


@dataclass
class Plan:
    """Every unit of the site, which to render and which to keep, and the coverage report."""

    units: list[Unit] = field(default_factory=list)
    render: list[Unit] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    report: Coverage = field(default_factory=lambda: Coverage(dt.date.min, ()))
    report_key: bytes = b""


@dataclass
class Run:
    """One build in progress: what the output folder held, what this build makes of it, and what it found."""

    root: Path
    out_dir: Path
    old: Manifest  # what the output folder holds (empty for a clean build)
    intact: set[str]  # files of the output folder that are as the old manifest says
    new: Manifest
    staging: Staging
    problems: Problems
    contained: frozenset[Problem]
    timer: Timer
    written: set[str] = field(default_factory=set)  # files staged with new bytes
    previous: dict[str, bytes] = field(default_factory=dict)  # intact file -> its digest
    differs: list[str] = field(default_factory=list)  # where a reused previous version differs from the output
    unindexed: set[str] = field(default_factory=set)  # pages rendered by this build that search does not index

    def __post_init__(self) -> None:
        self.previous = {path: entry.digest for path, entry in self.old.files.items() if path in self.intact}

    def keep(self, path: str, data: bytes, source: str, origin: str) -> None:
        """Record one output made in this process, staging it only if its bytes changed."""
        self.staging.claim(path, source)
        found = digest(data)
        if self.previous.get(path) == found:
            self.new.files[path] = self.old.files[path]
            return
        self.new.files[path] = FileEntry(found, len(data), self.staging.put(path, data), source, origin)
        self.written.add(path)

    def carry(self, path: str) -> None:
        """Keep a file of the output folder as it is."""
        entry = self.old.files[path]
        self.staging.claim(path, entry.source)
        self.new.files[path] = entry

    def stop_on_errors(self, *, strict: bool = False) -> None:
        """Raise BuildFailed on errors (and, when `strict`, on warnings) found so far."""
        if stopping_errors(self.problems, self.contained):
            raise BuildFailed(self.problems.errors)
        if strict and self.problems.warnings:
            raise BuildFailed(self.problems.warnings)


def build(root: Path, out_dir: Path, *, strict: bool = False, progress: Progress | None = None,
          keep_going: bool = False, incremental: bool = True, finalise: bool = True,
          workers: int | None = None, state: BuildState | None = None, as_at: dt.date | None = None) -> BuildResult:
    """Build the site at `root` into `out_dir`; raise BuildFailed and leave `out_dir` untouched on errors.

    `incremental=False` ignores the cache (a clean build); `finalise=False` skips the whole-site steps
    (the search indexes) and keeps their last output; `workers` is the number of render processes
    (default: one per core when there are enough pages to render). A long-running process passes the
    same `state` to every build, so that each starts from what the last one left in memory. `as_at` builds
    the site as it stands on that date (see localgov/load/timeline.py).
    """
    guard_output(root, out_dir, known=manifest_path(root, out_dir).is_file())
    options = Options(strict=strict, keep_going=keep_going, incremental=incremental, finalise=finalise,
                      workers=workers, progress=progress, as_at=as_at)
    with output_lock(out_dir):
        return _build(root, out_dir, options, state)


def _build(root: Path, out_dir: Path, options: Options, state: BuildState | None) -> BuildResult:
    """Run the steps of one build, in order."""
    started = time.perf_counter()
    timer = Timer()
    # The build date, read once (or the date the site is built as at): the site's config carries it to every stage.
    day = options.as_at or today()
    inputs = scan(root, input_locations(root))
    manifest, intact = _read_output(root, out_dir, options.incremental, state)
    timer.lap("scan")
    # The live preview's first build loads the site even when nothing changed: it renders edits from it.
    needs_site = state is not None and state.loaded is None
    if manifest is not None and not needs_site and _nothing_changed(manifest, inputs, intact, options.finalise, day):
        if state is not None:
            state.manifest = manifest
        return _unchanged(manifest, options.strict, started, timer)
    problems = Problems()
    _stage(options.progress, "Loading the site")
    loaded = _load(root, inputs, manifest, options, state, problems, day)
    options = replace(options, strict=options.strict or loaded.site.config.strict)
    timer.lap("load")
    old = manifest or Manifest(out=str(out_dir.resolve()))
    if manifest is None and not options.finalise:
        intact = _previous_finalised(root, out_dir, old)
    plan = _plan(loaded, old, intact, problems)
    timer.lap("plan")
    # An incremental build starts from the output's kept previous version, if it has one that can be trusted.
    # Without one, most pages changing (a template used everywhere) writes a whole new tree, as a clean build
    # does, rather than stage tens of thousands of changed files under flat names.
    taken = take_previous(root, out_dir, old.previous) if manifest is not None else None
    whole = manifest is None or (taken is None and len(plan.render) > WHOLE_SITE_SHARE * max(1, len(plan.units)))
    new = Manifest(out=old.out, fingerprint=inputs.fingerprint, today=day.isoformat())
    new.names = list(old.names)  # kept pages refer to their links and inputs by number
    new.templates = loaded.keys.parsed
    staging = Staging(out_dir, flat=not whole, previous=taken[0] if taken and not whole else None)
    run = Run(root, out_dir, old, intact, new, staging, problems, loaded.contained, timer,
              differs=taken[1] if taken and staging.reused else [])
    try:
        _render(run, loaded, plan, options)
        _index(run, loaded, plan, options)
        removed = _write(run, loaded, whole, options)
    except DuplicateOutput as exc:
        run.staging.abandon()
        raise BuildFailed([Problem("build", 0, str(exc))]) from None
    except BaseException:
        run.staging.abandon()
        raise
    _save(run, state)
    if state is not None:
        state.loaded, state.report = loaded, plan.report
    return BuildResult(
        pages=new.pages, files=len(new.files), seconds=time.perf_counter() - started, warnings=problems.warnings,
        missing=_missing(new), refused=sorted(loaded.contained),
        rendered=len(plan.render), changed=len(run.written), removed=removed, timings=timer.times,
    )


# -- the steps


def _read_output(root: Path, out_dir: Path, incremental: bool,
                 state: BuildState | None) -> tuple[Manifest | None, set[str]]:
    """Return the manifest of the output folder and the files in it that are as it says (none for a clean build)."""
    if state is not None and state.manifest is not None and state.manifest.out == str(out_dir.resolve()) \
            and incremental and out_dir.is_dir():
        # This process wrote the output folder and has watched it since: no need to read it back.
        return state.manifest, set(state.manifest.files)
    manifest = load_manifest(root, out_dir) if incremental and out_dir.is_dir() else None
    return manifest, unchanged_on_disk(out_dir, manifest.files) if manifest is not None else set()


def _nothing_changed(manifest: Manifest, inputs: Inputs, intact: set[str], finalise: bool, day: dt.date) -> bool:
    return (manifest.fingerprint == inputs.fingerprint and manifest.today == day.isoformat()
            and len(intact) == len(manifest.files) and manifest.clean and (manifest.finalised or not finalise))


def _unchanged(manifest: Manifest, strict: bool, started: float, timer: Timer) -> BuildResult:
    if strict and manifest.warnings:
        raise BuildFailed(manifest.warnings)
    return BuildResult(
        pages=manifest.pages, files=len(manifest.files), seconds=time.perf_counter() - started,
        warnings=manifest.warnings, missing=_missing(manifest),
        timings=timer.times,
    )


def _load(root: Path, inputs: Inputs, manifest: Manifest | None, options: Options, state: BuildState | None,
          problems: Problems, day: dt.date) -> Loaded:
    """Load and resolve the site, make its assets and compile its content once; raise BuildFailed on errors."""
    code = combine(inputs.libraries, *[v for k, v in sorted(inputs.files.items()) if k.startswith("code:")])
    memo = state.memo if state is not None and state.memo is not None and state.memo.code == code else None
    memo = memo or PageMemo(root, code)
    site = load_site(root, problems, keep_going=options.keep_going, read_page=memo if options.incremental else None,
                     day=day, as_at=options.as_at)
    memo.save()
    if state is not None:
        state.memo = memo
    if site is None:
        raise BuildFailed(problems.errors)
    # Under --keep-going, refused council files are left out and their errors reported, not fatal.
    contained = site.overrides.refused if options.keep_going else frozenset()
    if (options.strict or site.config.strict) and problems.warnings:
        raise BuildFailed(problems.warnings)
    assets = tuple(build_assets(root))
    asset_urls = {a.name: a.url for a in assets}
    sections = compile_sections(site, problems=problems)
    if stopping_errors(problems, contained):
        raise BuildFailed(problems.errors)
    keys = Keys(site, inputs, asset_urls, layout_environment(root), dict(manifest.templates) if manifest else {})
    return Loaded(site, assets, asset_urls, sections, keys, contained)


def _plan(loaded: Loaded, old: Manifest, intact: set[str], problems: Problems) -> Plan:
    """List every unit, make the coverage report, and sort the units into those to render and those to keep.

    A unit is kept when the inputs its last render read are as they were (its key), and so are its
    templates and its file. The report is made before any page is rendered, from the sources alone;
    what a variant lacks is taken from the last build where the variant's key is unchanged.
    """
    keys = loaded.keys
    plan = Plan()
    counts: Counter[str] = Counter()
    for job in site_jobs(loaded.site):
        # Named by what the page is, not its place in the list: the councils in force change with the date.
        name = "/".join(part for part in (job.lang if job.lang != "en" else "", job.kind, job.topic, job.page,
                                           job.council) if part)
        number = counts[f"{job.source}#{name}"]
        counts[f"{job.source}#{name}"] += 1
        plan.units.append(Unit(f"site:{job.source}#{name}" + (f"#{number}" if number else ""), job))
    plan.units += [Unit(variant_unit(job), job) for job in variant_jobs(loaded.site)]
    # Keyed without the report first: a variant never reads it, and the report needs to know which are unchanged.
    now = {unit.id: keys.key(old.named(old.units[unit.id].needs)) for unit in plan.units if unit.id in old.units}
    plan.report = coverage(loaded.site, list(problems.items), _known(plan, old, now), loaded.sections)
    plan.report_key = keys.coverage(plan.report)
    for unit in plan.units:
        entry = old.units.get(unit.id)
        if entry is None:
            plan.render.append(unit)
            continue
        key = now[unit.id] or keys.key(old.named(entry.needs), plan.report)
        if entry.path in intact and key == entry.key and entry.made == keys.templates(entry.templates):
            plan.kept.append(unit.id)
        else:
            plan.render.append(unit)
    return plan


def _known(plan: Plan, old: Manifest, now: Mapping[str, bytes | None]) -> Known:
    """Return the council data each variant lacked last time, for those whose inputs are as they were."""
    known: dict[tuple[str, str], tuple[str, ...]] = {}
    for unit in plan.units:
        entry = old.units.get(unit.id)
        if unit.job.kind == "variant" and unit.job.lang == "en" and entry is not None and now[unit.id] == entry.key:
            known[(unit.job.council, unit.job.page)] = tuple(UnitEntry.split(entry.missing))
    return known


def _render(run: Run, loaded: Loaded, plan: Plan, options: Options) -> None:
    """Render the units the plan says, on every core, and record them and the units kept."""
    renderer = Renderer(loaded.site, loaded.asset_urls, loaded.sections, plan.report)
    _stage(options.progress, "Rendering pages", len(plan.render))
    rendered = list(render_all(Job(renderer, plan.render, run.staging, run.previous),
                               _processes(options.workers, len(plan.render), PARALLEL_FROM),
                               _progress(options.progress, "Rendering pages")))
    root = str(run.root)
    keys, new = loaded.keys, run.new
    for result in sorted(rendered, key=lambda r: r.unit):
        run.problems.items.extend(_relative(problem, root) for problem in result.problems)
        if not result.path:
            continue
        run.staging.claim(result.path, result.source)
        if not result.indexed:
            run.unindexed.add(result.path)
        templates = UnitEntry.join(result.templates)
        # A page that read something that cannot be keyed gets no key, and is rendered again next time.
        key = keys.key(result.needs, plan.report) or b""
        new.units[result.unit] = UnitEntry(key, keys.templates(templates), result.path, templates,
                                           new.number(result.links), UnitEntry.join(result.missing),
                                           new.number(result.needs))
        if result.written:
            new.files[result.path] = FileEntry(result.digest, result.size, result.mtime_ns, result.source, "render")
            run.written.add(result.path)
        else:
            new.files[result.path] = run.old.files[result.path]
    for unit in plan.kept:
        entry = run.old.units[unit]
        run.carry(entry.path)
        new.units[unit] = entry
    run.timer.lap("render")
    run.stop_on_errors()


def _index(run: Run, loaded: Loaded, plan: Plan, options: Options) -> None:
    """Stage the assets, run the index stage and check internal links; raise BuildFailed on errors."""
    for asset in loaded.assets:
        run.keep(asset.path, asset.data, "assets", "asset")
    _stage(options.progress, "Making the index files")
    html_pages = sorted(p for p in run.staging.written if p.endswith(".html"))
    keys = loaded.keys
    _run_indexers(run, loaded.site, plan.report, html_pages, combine(keys.global_key, keys.structure, plan.report_key))
    run.timer.lap("index")
    _check_links(run.new, run.staging.written, run.problems)
    run.timer.lap("links")
    run.stop_on_errors(strict=options.strict)


def _write(run: Run, loaded: Loaded, whole: bool, options: Options) -> int:
    """Run the whole-site steps that are due, then put the staged output in place; return how many files went."""
    old, new, staging = run.old, run.new, run.staging
    final_key = _finaliser_key(loaded.keys, new)
    finalising = _finalisers_due(run, final_key, options.finalise)
    if whole or finalising:
        # A first build, or a whole-site step must see every file: stage everything first.
        carried = _carry_finalised(run, finalising)
        _catch_up(run)
        staging.unflatten(sorted(run.written))
        staging.link_from_output(p for p in new.files if p not in run.written)
        for finaliser in finalising:
            _stage(options.progress, "Building the search indexes" if finaliser.name == "search"
                   else f"Running {finaliser.name}")
            before = set(new.files) | carried
            # Search reads only the pages that changed since its last run; in a clean build, every page.
            pages = {path: entry.digest for path, entry in new.files.items()
                     if path.endswith(".html") and not entry.origin.startswith("final:")}
            finaliser.run(loaded.site, staging.path, staging.companion(finaliser.keeps(run.root, run.out_dir)),
                          run.problems, Pages(pages, reuse=options.incremental, unindexed=frozenset(run.unindexed)))
            run.timer.lap(f"finalise:{finaliser.name}")
            _adopt(staging.path, before, f"final:{finaliser.name}", new, finaliser.writes)
            new.steps[finaliser.name] = final_key
        run.stop_on_errors()
        _stage(options.progress, "Writing the site")
        forget_manifest(run.root, run.out_dir)
        _keep_previous(run)
        staging.commit()
    else:
        _carry_finalised(run, [])
        _catch_up(run)
        _stage(options.progress, "Writing the site")
        forget_manifest(run.root, run.out_dir)
        _keep_previous(run)
        staging.apply(sorted(run.written), sorted(p for p in new.files if p not in run.written))
    new.finalised = all(new.steps.get(f.name) == final_key for f in index.FINALISERS)
    run.timer.lap("write")
    return len(set(old.files) - set(new.files))


def _catch_up(run: Run) -> None:
    """Bring a reused previous version up to the output, less the files this build does not make."""
    if run.staging.reused:
        run.staging.catch_up(run.differs, (p for p in run.old.files if p not in run.new.files))


def _keep_previous(run: Run) -> None:
    """Keep the output this build replaces as the next build's starting point, with the files that differ.

    Bringing even most files of a kept version up to date (a link each) costs less than a new tree of
    tens of thousands of folders, so it is kept whenever the old output is known (not after a clean build).
    """
    old, new = run.old.files, run.new.files
    if not old or not run.out_dir.is_dir():
        return
    differs = [p for p, e in new.items() if p not in old or old[p].digest != e.digest]
    differs += [p for p in old if p not in new or p not in run.intact]  # and files changed by hand since
    run.new.previous = keep_previous(run.staging, run.root, differs)


def _save(run: Run, state: BuildState | None) -> None:
    """Save what the output folder now holds, for the next build."""
    new = run.new
    new.warnings = run.problems.warnings
    new.pages = sum(1 for u in new.units.values() if u.path.endswith(".html"))
    new.clean = not run.contained
    save_manifest(run.root, run.out_dir, new)
    if state is not None:
        state.manifest = new
    run.timer.lap("save")


# -- helpers


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


def _run_indexers(run: Run, site: Site, report: Coverage, html_pages: list[str], structure: bytes) -> None:
    """Run the index stage; an indexer with a key (index.INDEXER_KEYS) is skipped when its key is unchanged.

    `structure` is the key of an indexer listed with SITE_STRUCTURE: it reads the site's structure and the
    coverage report, not the text of the pages.
    """
    made_of = combine(structure, repr(sorted(p.format() for p in run.problems.items)))
    for indexer in index.INDEXERS:
        origin = f"index:{indexer.name}"
        if indexer.key is not None:
            read = made_of if indexer.key == index.SITE_STRUCTURE else indexer.key(site)  # type: ignore[operator]
            key = combine(b"indexer", indexer.name, read)
            before = [p for p, e in run.old.files.items() if e.origin == origin]
            run.new.steps[indexer.name] = key
            if run.old.steps.get(indexer.name) == key and all(p in run.intact for p in before):
                for path in before:
                    run.carry(path)
                continue
        for output in indexer.run(site, html_pages, run.problems, report):
            run.keep(output.path, output.data, output.source, origin)


def _check_links(new: Manifest, outputs: Iterable[str], problems: Problems) -> None:
    """Warn once per internal link that points to no output file, at the first page (by path) using it."""
    existing = set(outputs)
    used: set[int] = set()
    for entry in new.units.values():
        used.update(new.numbers(entry.links))
    broken: set[int] = set()
    for number in used:
        href = new.names[number]
        target = target_of(href)
        if target is not None and not resolves(target, existing):
            broken.add(number)
    if not broken:
        return
    first: dict[str, str] = {}
    for entry in sorted(new.units.values(), key=lambda e: e.path):
        for number in broken.intersection(new.numbers(entry.links)):
            first.setdefault(new.names[number], entry.path)
    for href, path in sorted(first.items(), key=lambda item: (item[1], item[0])):
        problems.warn(path, 0, f"broken internal link to {href}")


def _finaliser_key(keys: Keys, new: Manifest) -> bytes:
    """Return a key of everything the whole-site steps read: every page and file made before them."""
    hasher = hashlib.blake2b(keys.global_key + keys.structure, digest_size=16)
    for path, entry in sorted(new.files.items()):
        if not entry.origin.startswith("final:"):
            hasher.update(path.encode("utf-8") + b"\0" + entry.digest)
    return hasher.digest()


def _finalisers_due(run: Run, key: bytes, finalise: bool) -> list[index.Finaliser]:
    """Return the finalisers to run: all of them when any input of theirs changed or an output of theirs is gone."""
    if not finalise or not index.FINALISERS:
        return []
    named = list(index.FINALISERS)
    fresh = all(run.old.steps.get(f.name) == key and f.keeps(run.root, run.out_dir).is_dir() for f in named) and all(
        path in run.intact for path, entry in run.old.files.items() if entry.origin.startswith("final:"))
    if fresh:
        for finaliser in named:
            run.new.steps[finaliser.name] = key
        return []
    return named


def _previous_finalised(root: Path, out_dir: Path, old: Manifest) -> set[str]:
    """For a clean build that skips the whole-site steps, take their last outputs from the folder's manifest.

    Return the files among them still as it says, which the build keeps, as an incremental build would.
    """
    previous = load_manifest(root, out_dir) if out_dir.is_dir() else None
    if previous is None:
        return set()
    finished = {path: entry for path, entry in previous.files.items() if entry.origin.startswith("final:")}
    old.files.update(finished)
    old.steps.update({f.name: previous.steps[f.name] for f in index.FINALISERS if f.name in previous.steps})
    return unchanged_on_disk(out_dir, finished)


def _carry_finalised(run: Run, finalising: list[index.Finaliser]) -> set[str]:
    """Keep the outputs of whole-site steps that are not run this time."""
    running = {f"final:{f.name}" for f in finalising}
    carried: set[str] = set()
    for path, entry in run.old.files.items():
        if entry.origin.startswith("final:") and entry.origin not in running and path in run.intact \
                and path not in run.new.files:
            run.new.files[path] = entry
            carried.add(path)
    for name, key in run.old.steps.items():
        run.new.steps.setdefault(name, key)
    return carried


def _adopt(folder: Path, known: set[str], origin: str, new: Manifest, within: tuple[str, ...] = ()) -> None:
    """Record the files a finaliser added to the staged folder (only under `within`, where it names its outputs)."""
    base = str(folder)
    tops = [folder / rel for rel in within] if within else [folder]
    for top in tops:
        walked = os.walk(top) if top.is_dir() else [(str(top.parent), [], [top.name])] if top.is_file() else []
        for dirpath, _, filenames in walked:
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


def _stage(progress: Progress | None, label: str, total: int = 0) -> None:
    """Tell the progress display that a stage has begun (`total` 0: a stage without a count)."""
    if progress is not None:
        progress(label, 0, total)


def _progress(progress: Progress | None, label: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(label, done, total)
