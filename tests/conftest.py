"""Shared fixtures: small sites built in a temporary folder."""

from __future__ import annotations

import fcntl
import io
import os
import shutil
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]


MEMORY_TEMP = Path("/dev/shm")
MEMORY_TEMP_ROOM = 6 * 2**30  # the run's files take up to about 3 GB (three builds of the demo site, at most, at once)


def memory_temp_root(mounts: str, free: int, available: int) -> bool:
    """Say whether MEMORY_TEMP can hold the run's temporary files: a memory file system (tmpfs) with room in it
    (`free` bytes) and in memory (`available` bytes, MemAvailable of /proc/meminfo)."""
    tmpfs = any(fields[1:3] == [str(MEMORY_TEMP), "tmpfs"] for fields in map(str.split, mounts.splitlines()))
    return tmpfs and free >= MEMORY_TEMP_ROOM and available >= MEMORY_TEMP_ROOM


def _memory_available() -> int:
    for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


# The builds of the demo site write about 50,000 files each: on a disk, writing them back took about a tenth of
# a run on two cores. Where /dev/shm is a memory file system with room, pytest's temporary folders go there,
# and so do the temporary files of the tests' child processes and of Chromium (its profile and cache), unless
# PYTEST_DEBUG_TEMPROOT (or --basetemp) or TMPDIR says where.
if "PYTEST_DEBUG_TEMPROOT" not in os.environ:
    try:
        _vfs = os.statvfs(MEMORY_TEMP)
        if memory_temp_root(Path("/proc/mounts").read_text(encoding="utf-8"), _vfs.f_bavail * _vfs.f_frsize,
                            _memory_available()):
            os.environ["PYTEST_DEBUG_TEMPROOT"] = str(MEMORY_TEMP)
            if "TMPDIR" not in os.environ:
                os.environ["TMPDIR"] = str(MEMORY_TEMP)
                tempfile.tempdir = None  # read TMPDIR again
    except OSError:
        pass

# Many tests run the command in a child process, as residents and councils run it. Where the environment
# says not to write bytecode, each child would compile localgov's modules again (about 0.15 s a process):
# let children keep their bytecode, in a folder of the temporary directory rather than beside the sources.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
    pycache = Path(tempfile.gettempdir()) / f"localgov-tests-pycache-{os.getuid()}"
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(pycache))

SHARED_DATA = REPO.parent / "shared" / "data"

COUNCILS: dict[str, str] = {
    "kent": """
        name: Kent County Council
        short_name: Kent
        gss: E10000016
        type: county
        nation: england
        website: https://www.kent.gov.uk/
        features: [coastline]
    """,
    "maidstone": """
        name: Maidstone Borough Council
        short_name: Maidstone
        gss: E07000110
        type: non-metropolitan-district
        nation: england
        parent: kent
        website: https://www.maidstone.gov.uk/
        contact:
          phone: 01622 602000
        links:
          bin-collections: {url: "https://www.maidstone.gov.uk/bins", text: Check your bin day}
    """,
    "tunbridge-wells": """
        name: Tunbridge Wells Borough Council
        short_name: Tunbridge Wells
        gss: E07000116
        type: non-metropolitan-district
        nation: england
        parent: kent
        website: https://tunbridgewells.gov.uk/
    """,
    "thanet": """
        name: Thanet District Council
        short_name: Thanet
        gss: E07000114
        type: non-metropolitan-district
        nation: england
        parent: kent
        website: https://www.thanet.gov.uk/
        features: [coastline]
    """,
    "medway": """
        name: Medway Council
        short_name: Medway
        gss: E06000035
        type: unitary
        nation: england
        website: https://www.medway.gov.uk/
    """,
    "cardiff": """
        name: Cardiff Council
        short_name: Cardiff
        gss: W06000015
        type: welsh-principal-area
        nation: wales
        website: https://www.cardiff.gov.uk/
    """,
    "glasgow-city": """
        name: Glasgow City Council
        short_name: Glasgow
        gss: S12000049
        type: scottish-council
        nation: scotland
        website: https://www.glasgow.gov.uk/
    """,
    "belfast": """
        name: Belfast City Council
        short_name: Belfast
        gss: N09000003
        type: ni-district
        nation: northern-ireland
        website: https://www.belfastcity.gov.uk/
    """,
}

TOPIC = """
    title: Rubbish and recycling
    summary: Bins, recycling and the tip.
    order: 1
"""

BINS = """
    ---
    title: Bin collections
    summary: Find out when your bins are collected.
    provider: lower
    lgsl: 524
    keywords: [bin day, refuse]
    last_reviewed: 2026-10-01
    ---
    {{ council.name }} collects your bins every week or fortnight.

    ## What goes in each bin {#what-goes}

    - Paper and card
    - Glass & cans

    ## Missed collections {#missed}

    {{ council.link('bin-collections', 'Report a missed bin') }}
"""

SCHOOLS = """
    ---
    title: Apply for a school place
    summary: Apply for a primary or secondary school place.
    provider: upper
    provided_elsewhere:
      northern-ireland: "In Northern Ireland, apply through the Education Authority."
    ---
    Apply to {{ council.name }} for a school place.

    ## Deadlines {#deadlines}

    Apply by the national closing date.
"""

DEFAULT_FILES: dict[str, str] = {
    "site.yaml": "name: Test council services\nbase_url: https://test.example\npostcodes: none\n",
    "content/rubbish-and-recycling/_topic.yaml": TOPIC,
    "content/rubbish-and-recycling/bin-collections.md": BINS,
    "content/schools/_topic.yaml": "title: Schools\nsummary: School places and transport.\norder: 2\n",
    "content/schools/apply-for-a-school-place.md": SCHOOLS,
    **{f"councils/{slug}/council.yaml": text for slug, text in COUNCILS.items()},
}

MakeSite = Callable[..., Path]


def write_files(root: Path, files: dict[str, str | bytes | None]) -> None:
    """Write `files` (path -> text) under `root`; None deletes a file."""
    for rel, text in files.items():
        path = root / rel
        if text is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Return a function that writes a small site (the defaults plus `files`) and returns its root."""

    def make(files: dict[str, str | bytes | None] | None = None, *, defaults: bool = True, name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir(exist_ok=True)
        write_files(root, {**(DEFAULT_FILES if defaults else {}), **(files or {})})
        return root

    return make


TODAY = "2026-11-24"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds read today's date for alerts; fix it so tests are repeatable."""
    monkeypatch.setenv("LOCALGOV_TODAY", TODAY)


# -- small sites built once per session -----------------------------------------------------------

BuiltSite = Callable[..., Path]


def build_site(root: Path, *options: str) -> None:
    """Build the site at `root` into root/build in this process on the tests' date; fail with what it said if not."""
    from localgov.cli import main

    said = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(io.StringIO()), redirect_stderr(said):
        patch.setenv("LOCALGOV_TODAY", TODAY)
        code = main(["--root", str(root), "build", *options])
    if code != 0:
        pytest.fail(f"{root} does not build (exit {code}):\n{said.getvalue()[-6000:]}", pytrace=False)


def copy_site(source: Path, dest: Path) -> Path:
    """Copy a built site with its build cache to `dest`: the next build of the copy starts where the source's ended.

    The cache names each output folder by its absolute path, so the copy's cache is renamed for dest/build.
    """
    from localgov.build.cache import load_manifest, manifest_path, save_manifest
    from localgov.search.whoosh import index_dir

    shutil.copytree(source, dest, symlinks=True)
    manifest = load_manifest(source, source / "build")
    assert manifest is not None, f"{source} has no build cache to copy"
    manifest_path(dest, source / "build").unlink()
    manifest.out = str((dest / "build").resolve())
    save_manifest(dest, dest / "build", manifest)
    index = index_dir(dest, source / "build")
    if index.is_dir():
        index.rename(index_dir(dest, dest / "build"))
    return dest


@pytest.fixture(scope="session")
def built_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """Return a function that builds a small site (the defaults plus `files`, with the build's `options`) once per
    session and returns its root.

    The site is shared by every test that asks for the same files: only read it (the build is in root/build).
    A test that edits a site takes its own copy with `built_site`. At the end of the session every shared
    site is checked to be exactly as it was built.
    """
    from tests.helpers import tree_digest

    built: dict[str, tuple[Path, dict[str, str]]] = {}

    def get(files: dict[str, str | bytes | None] | None = None, *options: str) -> Path:
        key = repr((sorted((files or {}).items()), options))
        if key not in built:
            root = tmp_path_factory.mktemp("built") / "site"
            root.mkdir()
            write_files(root, {**DEFAULT_FILES, **(files or {})})
            build_site(root, *options)
            built[key] = (root, tree_digest(root))
        return built[key][0]

    yield get
    changed = [str(root) for root, digest in built.values() if tree_digest(root) != digest]
    assert not changed, f"a test changed a shared built site; take a copy with built_site instead: {changed}"


@pytest.fixture
def built_site(built_sites: BuiltSite, tmp_path: Path) -> BuiltSite:
    """Return a function that gives this test its own copy of a built small site (the defaults plus `files`),
    with its build cache, at tmp_path/<name>: as if the test had written the site there and built it."""

    def make(files: dict[str, str | bytes | None] | None = None, *, name: str = "site") -> Path:
        return copy_site(built_sites(files), tmp_path / name)

    return make


# -- the demo site and a real browser (tests/browser.py) -----------------------------------------

DEMO_TODAY = TODAY


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright (skipped without it)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests.browser import chromium_missing

    reason = chromium_missing()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"browser test: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def build_demo(out: Path, *, clean: bool = False, timeout: float = 1200) -> None:
    """Build this repository's own site (the national demo, as its site.yaml says) into `out` with the CLI."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "LOCALGOV_TODAY": DEMO_TODAY}
    result = subprocess.run(
        [sys.executable, "-m", "localgov", "--root", str(REPO), "build", "--out", str(out),
         *(["--clean"] if clean else [])],
        env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"the demo site does not build (exit {result.returncode}):\n{result.stderr[-6000:]}", pytrace=False)


def forget_demo_cache(out: Path) -> None:
    """Remove the build cache the repository keeps for a test's output folder, which nothing will build again."""
    import shutil

    from localgov.build.cache import manifest_path
    from localgov.build.write import previous_dir
    from localgov.search.whoosh import index_dir

    manifest_path(REPO, out).unlink(missing_ok=True)
    shutil.rmtree(index_dir(REPO, out), ignore_errors=True)
    shutil.rmtree(previous_dir(REPO, out), ignore_errors=True)


def shared_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the temporary folder of the whole run: the same for every pytest-xdist worker."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def demo_out(shared: Path) -> Path:
    return shared / "demo" / "build"


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the repository's demo site once per run; return its output folder (treat it as read-only).

    With pytest-xdist the first worker to need it builds it while the others wait for it; the build
    cache it leaves in the repository is removed once the whole run has finished.
    """
    shared = shared_temp(tmp_path_factory)
    out = demo_out(shared)
    done, failed = out.parent / "built", out.parent / "failed"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(failed.read_text(encoding="utf-8"), pytrace=False)
        if not done.exists():
            try:
                build_demo(out)
            except pytest.fail.Exception as exc:
                failed.write_text(str(exc.msg), encoding="utf-8")
                raise
            done.touch()
    return out


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Once every worker has finished, remove the build cache the repository keeps for the demo site's folder."""
    factory: pytest.TempPathFactory | None = getattr(session.config, "_tmp_path_factory", None)
    if hasattr(session.config, "workerinput") or factory is None:
        return
    out = demo_out(factory.getbasetemp())
    if out.parent.exists():
        forget_demo_cache(out)


@pytest.fixture(scope="session")
def serve_folder() -> Iterator[Callable[..., str]]:
    """Return a function that serves a folder on 127.0.0.1 (optionally with `_headers` rules) and returns its URL."""
    from contextlib import ExitStack

    from tests.browser import HeaderRule, serving

    with ExitStack() as stack:

        def serve(folder: Path, rules: list[HeaderRule] | None = None) -> str:
            return stack.enter_context(serving(folder, rules))

        yield serve


@pytest.fixture(scope="session")
def site_server(demo_site: Path, serve_folder: Callable[..., str]) -> str:
    """Serve the demo site like a CDN without its headers; return the base URL (no trailing slash)."""
    return serve_folder(demo_site)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Debian Chromium for the whole session, driven by Playwright; never a downloaded browser."""
    from tests.browser import CHROMIUM, LAUNCH_ARGS, chromium_missing

    reason = chromium_missing()
    if reason is not None:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def axe_script(serve_folder: Callable[..., str]) -> str:
    """Serve axe-core for the whole session, cacheable as a CDN would serve a script; return its URL.

    A browser that may keep it compiles its half a megabyte once per context instead of on every page.
    """
    from tests.browser import AXE, HeaderRule

    cached = HeaderRule(f"/{AXE.name}", (("Cache-Control", "public, max-age=86400"),))
    return f"{serve_folder(AXE.parent, [cached])}/{AXE.name}"


@pytest.fixture(scope="module")
def _contexts(browser: object) -> Iterator[dict[str, Any]]:
    """Browser contexts kept for a module's tests, one for each set of options (see `new_page`)."""
    contexts: dict[str, Any] = {}
    yield contexts
    for context in contexts.values():
        context.close()


def _context(contexts: dict[str, Any], browser: Any, *, js: bool, viewport: str, **options: object) -> Any:
    """Return the module's kept browser context for these options, made on first use."""
    from tests.browser import VIEWPORTS

    key = repr((js, viewport, sorted(options.items())))
    if key not in contexts:
        context = contexts[key] = browser.new_context(
            java_script_enabled=js, viewport=VIEWPORTS[viewport], service_workers="block", **options
        )
        context.set_default_timeout(15_000)
    return contexts[key]


def _watched_page(context: Any, axe_script: str) -> Any:
    """Return a new page of `context` that records its errors (`page.errors`) and knows where axe-core is."""
    from tests.browser import watch_errors

    page = context.new_page()
    page.errors = watch_errors(page)
    page.axe_script = axe_script
    return page


# The methods by which a test changes a page for good (not only what it shows): a page a test changed so is closed
# after the test, any other page is kept for the module's next test with the same options (`new_page`).
CHANGES_A_PAGE = ("add_init_script", "expose_function", "expose_binding", "route", "route_from_har",
                  "route_web_socket", "unroute", "unroute_all", "on", "once", "add_locator_handler",
                  "set_extra_http_headers", "set_viewport_size", "emulate_media", "set_default_timeout",
                  "set_default_navigation_timeout", "pause", "close")


try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # no Playwright: the browser tests are skipped
    PlaywrightError = Exception  # type: ignore[assignment,misc]


def note_changes(page: Any) -> Any:
    """Make `page` note (`page.changed`) when a test calls one of CHANGES_A_PAGE on it."""
    for name in CHANGES_A_PAGE:
        method = getattr(page, name)

        def noted(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            page.changed = True
            return _method(*args, **kwargs)

        setattr(page, name, noted)
    page.changed = False
    return page


@pytest.fixture(scope="module")
def _spare_pages() -> dict[int, list[Any]]:
    """Pages that earlier tests of the module left unchanged, by the id of their (kept) browser context."""
    return {}


@pytest.fixture
def new_page(_contexts: dict[str, Any], _spare_pages: dict[int, list[Any]], browser: object,
             axe_script: str) -> Iterator[Callable[..., object]]:
    """Return a factory of pages: `new_page(js=True, viewport="desktop"|"phone", **context_options)`.

    Each page has `page.errors` (tests.browser.PageErrors): uncaught exceptions, console errors and
    failed requests, for tests to assert on; and `page.axe_script`, where axe-core is served.

    Each test's pages start with nothing stored: no cookies, local or session storage, or permissions. They
    are made in a browser context kept for the module's tests with the same options, which keeps only its
    HTTP cache: after each test, everything the sites it visited stored is cleared there. A page is a tab
    an earlier test of the module used, left blank, if that test did not change it (CHANGES_A_PAGE): a tab
    made costs Chromium about three page loads.
    """
    made: list[tuple[Any, Any, set[str], Callable[[Any], None]]] = []  # (context, page, origins, listener)

    def make(*, js: bool = True, viewport: str = "desktop", **options: object) -> object:
        context = _context(_contexts, browser, js=js, viewport=viewport, **options)
        spare = _spare_pages.setdefault(id(context), [])
        page = spare.pop() if spare else note_changes(_watched_page(context, axe_script))
        page.errors.items.clear()
        origins: set[str] = set()

        def listener(request: Any) -> None:
            origins.add(origin_of(request.url))

        type(page).on(page, "request", listener)
        page.changed = False
        made.append((context, page, origins, listener))
        return page

    yield make
    for context, page, origins, listener in made:
        keep = not page.is_closed() and not page.changed
        if keep:
            type(page).remove_listener(page, "request", listener)
            try:
                page.goto("about:blank")  # the test's document goes, and with it anything it would still store
            except PlaywrightError:
                keep = False
        forget(context, page, origins, close=not keep)
        if keep:
            _spare_pages[id(context)].append(page)


def forget(context: Any, page: Any, origins: set[str], *, close: bool = True) -> None:
    """Clear what the sites at `origins` stored in `page`'s context (all but the HTTP cache): cookies, local and
    session storage, and permissions; then close the page, unless `close` is false."""
    if page.is_closed():
        page = context.new_page()
    session = context.new_cdp_session(page)
    for origin in origins - {""}:
        session.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
    session.detach()
    if close:
        page.close()
    context.clear_cookies()
    context.clear_permissions()


def origin_of(url: str) -> str:
    """Return the scheme, host and port of an http(s) URL, or "" for any other."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


@pytest.fixture(scope="module")
def _kept_pages(_contexts: dict[str, Any], browser: object, axe_script: str) -> Callable[[str], Any]:
    """One page per viewport, kept for a module's tests (see `reading_page`), in the module's kept contexts."""
    pages: dict[str, Any] = {}

    def get(viewport: str) -> Any:
        if viewport not in pages:
            pages[viewport] = _watched_page(_context(_contexts, browser, js=True, viewport=viewport), axe_script)
        return pages[viewport]

    return get


@pytest.fixture
def reading_page(_kept_pages: Callable[[str], Any]) -> Callable[..., object]:
    """Return `reading_page(viewport="desktop")`: a page with JavaScript, as `new_page` makes, kept for the module.

    For tests that only load a page and read it (axe on each kind of page): a page that is kept loads the
    site's stylesheets, scripts and axe-core from the browser's cache and skips making a browser context,
    about half a second a page. Such tests must not store anything (a remembered area, a cookie) nor leave
    anything but a loaded page behind them; each starts with no errors recorded.
    """

    def get(viewport: str = "desktop") -> object:
        page = _kept_pages(viewport)
        page.errors.items.clear()
        return page

    return get
