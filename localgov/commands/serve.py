"""Local web servers for a built site: a plain one, and the live preview that rebuilds on every save.

The live preview (`localgov serve`) runs on `livereload`: it watches content/, councils/,
templates/ and site.yaml, rebuilds only what a change affects (an incremental build without
the slow search indexes), and tells the open browser page to reload. When a change breaks the
build, the last good site keeps being served, with the problems (file, line, the lines around
it, expected and found) shown over every page and in the terminal, until a save fixes them.

Both servers answer like the CDN: `index.html` for folders, the site's `404.html` for anything
missing, and `/search?q=` from the server-side search index (`localgov.search.answer`).

The live preview stays up whatever the sources say: it answers requests on a pool of threads, so one
slow request does not hold up the others; it refuses addresses longer than MAX_URL with 414; and it
builds in a thread of its own, so the site keeps being served while a build runs. A render that
would never end is stopped by the content sandbox's bounds (localgov/sandbox.py), the build fails
with that problem shown over the page, and the next save that fixes it brings the page back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import logging
import mimetypes
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from localgov.commands.progress import StageProgress
from localgov.errors import BuildFailed, LocalgovError, Problem

if TYPE_CHECKING:  # the build is imported when the preview starts, not when the command line is read
    from localgov.build import BuildState, Loaded
    from localgov.model import Coverage, Section, Site

log = logging.getLogger(__name__)

WATCHED = ("content", "councils", "templates", "site.yaml")
POLL_SECONDS = 0.2
BODY_TAG = re.compile(rb"<body[^>]*>", re.IGNORECASE)
HEAD_END = b"</head>"
MAX_URL = 2048  # characters of path and query string; a longer address is answered with 414
MAX_HEADER_BYTES = 1024 * 1024  # request line and headers; the server drops a request with more
REQUEST_THREADS = 8  # requests answered at once
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
TOO_LONG = b"<!DOCTYPE html><html lang=\"en\"><head><title>Address too long</title></head><body>" \
    b"<p>The address is too long.</p></body></html>"


def too_long(target: str) -> bool:
    """Say whether a request target (path and query) is longer than the preview answers."""
    return len(target) > MAX_URL


def search_results(site_root: Path | None, request_path: str, out: Path | None = None) -> bytes | None:
    """Return the server-side search results page for /search?q=..., or None to serve the file instead.

    The answer comes from the search index of the site as built into `out`, the folder being served.
    """
    if site_root is None or not request_path.startswith("/search"):
        return None
    try:
        from localgov.commands.search_page import answer
    except ImportError:
        return None
    result: bytes | None = answer(site_root, request_path, out)
    return result


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files like a CDN would: index.html for folders, 404.html for anything missing."""

    def __init__(self, *args: Any, site_root: Path | None = None, **kwargs: Any) -> None:
        self.site_root = site_root
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if too_long(self.path):
            self.send_error(414, "URI Too Long")
            return
        if not self.send_search_results():
            super().do_GET()

    def send_search_results(self) -> bool:
        """Answer /search?q= from the server's search index (the search that works without JavaScript)."""
        body = search_results(self.site_root, self.path, Path(self.directory))
        if body is None:
            return False
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)


def make_server(out: Path, host: str, port: int, site_root: Path | None = None) -> http.server.ThreadingHTTPServer:
    """Serve `out`; with `site_root`, also answer /search?q= from that site's search index."""
    handler = functools.partial(SiteHandler, directory=str(out), site_root=site_root)
    return http.server.ThreadingHTTPServer((host, port), handler)


# -- the live preview


# Fields of a common page that change which councils have its variants, or what other pages say of it:
# an edit of one of them is left to the whole rebuild.
STRUCTURAL = ("slug", "topic", "provider", "lgsl", "requires", "provided_elsewhere", "lang", "source")
RECENT_PAGES = 64  # HTML pages the preview remembers serving, which an edit is rendered for at once


def quick_render(state: BuildState, root: Path, changed: list[str], wanted: Iterable[str]) -> dict[str, bytes]:
    """Render straight from one edited common page, override or layout the pages of it in `wanted` (URL paths).

    The live preview serves these at once, while the incremental rebuild runs; the rebuild's output
    replaces them when it has finished. Uses the loaded site and coverage report of the last build that
    worked (`BuildState`), with the edited file read again (a layout: every page in `wanted`, see
    `_quick_layout`). Returns {} when it cannot: any other file, an edit that changes which councils have
    the page, or one with problems (the rebuild reports them).
    """
    from localgov.render.pages import PageJob, Renderer
    from localgov.render.sections import section_templates
    from localgov.sandbox import content_environment

    loaded = state.loaded
    if loaded is None or len(changed) != 1:
        return {}
    if is_layout(changed[0]):
        return _quick_layout(loaded, state.report, wanted)
    edit = _read_edit(loaded.site, root, changed[0])
    if edit is None:
        return {}
    site, key, sections, slug, urls = edit
    jobs: dict[str, PageJob] = {}
    for url in wanted:
        if url in urls:
            council = url.strip("/").partition("/")[2]
            jobs[url] = PageJob("variant" if council else "common", site.content.pages[slug].source, page=slug,
                                council=council)
    if not jobs:
        return {}
    try:
        templates = section_templates(content_environment(), sections)
        renderer = Renderer(site, loaded.asset_urls, {**loaded.sections, key: templates}, state.report)
        return {url: renderer.render_page(job).output.data for url, job in jobs.items()}
    except Exception:  # noqa: BLE001 - the rebuild reports it, at its line
        return {}


def is_layout(rel: str) -> bool:
    """Say whether a file of the site (relative to its folder) is one of its own layouts or partials."""
    parts = rel.split("/")
    return len(parts) > 1 and parts[0] == "templates" and parts[1] != "static" and rel.endswith(".html")


def _quick_layout(loaded: Loaded, report: Coverage | None, wanted: Iterable[str]) -> dict[str, bytes]:
    """Render the pages in `wanted` with the layouts as they are now on disk, and the site as last built.

    A layout can be used by any page, so every page served lately is rendered again; a layout that fails
    to render gives {} (the rebuild reports it, at its line).
    """
    from localgov.render.pages import Renderer, job_at
    from localgov.urls import output_path, routes

    wanted = list(wanted)
    if not wanted:
        return {}
    table = {route.path: route for route in routes(loaded.site)}
    try:
        renderer = Renderer(loaded.site, loaded.asset_urls, loaded.sections, report)
        made: dict[str, bytes] = {}
        for url in wanted:
            route = table.get(output_path(url))
            if route is not None:
                made[url] = renderer.render_page(job_at(route)).output.data
        return made
    except Exception:  # noqa: BLE001 - the rebuild reports it, at its line
        return {}


def _read_edit(site: Site, root: Path, rel: str) -> tuple[Site, str, tuple[Section, ...], str, set[str]] | None:
    """Read one edited file into the loaded site: (site, compile key, sections, page, URLs of it), or None."""
    import dataclasses

    from localgov.compose import page_key
    from localgov.errors import Problems
    from localgov.load.content import read_page
    from localgov.load.overrides import read_override
    from localgov.model import Override

    parts = rel.split("/")
    if not rel.endswith(".md") or rel.endswith(".cy.md"):
        return None
    problems = Problems()
    if len(parts) == 3 and parts[0] == "content":
        old = site.content.pages.get(parts[2][:-3])
        if old is None or old.topic != parts[1]:
            return None
        page = read_page(root / rel, parts[1], root, problems)
        if page is None or problems.errors or any(getattr(page, f) != getattr(old, f) for f in STRUCTURAL):
            return None
        page = dataclasses.replace(page, updated=old.updated)
        content = dataclasses.replace(site.content, pages={**site.content.pages, page.slug: page})
        urls = {page.url, *(f"/{page.slug}/{c}/" for c in site.resolution.councils_for(page.slug))}
        return dataclasses.replace(site, content=content), page_key(page), page.sections, page.slug, urls
    if len(parts) == 4 and parts[0] == "councils":
        council, topic, slug = parts[1], parts[2], parts[3][:-3]
        if (council, slug) not in site.overrides.overrides or council not in site.councils:
            return None
        found = read_override(root, site.content, site.councils[council], root / rel, rel, topic, problems)
        if not isinstance(found, Override) or problems.errors:
            return None
        overrides = dataclasses.replace(site.overrides, overrides={**site.overrides.overrides, (council, slug): found})
        return (dataclasses.replace(site, overrides=overrides), found.key, found.sections, slug,
                {f"/{slug}/{council}/"})
    return None


class Preview:
    """The state of the live preview: where the site is, and the problems of the last build if it failed."""

    def __init__(self, root: Path, out: Path, *, search: bool = True, stream: Any = None,
                 progress: StageProgress | None = None, as_at: dt.date | None = None) -> None:
        self.root = root
        self.as_at = as_at
        self.out = out
        self.search = search
        self.progress = progress  # reports the stages of the first build, which can take minutes
        self.stream = stream if stream is not None else sys.stderr
        self.problems: list[Problem] = []
        # When the last build failed: a page written after it comes from a later build that worked, which
        # may already be served while that build finishes, before `problems` is cleared.
        self.failed_ns = 0
        self.builds = 0
        from localgov.build import BuildState

        self.state = BuildState()
        # Pages rendered from an edit before the rebuild has finished (see `quick`), by URL path; and the
        # HTML pages served lately, most recent last.
        self.fresh: dict[str, tuple[int, int, bytes]] = {}  # URL path -> (the edit it shows, when made, its bytes)
        self.recent: dict[str, None] = {}
        self.edits = 0
        self._lock = threading.Lock()

    def served(self, path: str) -> None:
        """Remember that the HTML page at `path` was served."""
        with self._lock:
            self.recent.pop(path, None)
            self.recent[path] = None
            while len(self.recent) > RECENT_PAGES:
                del self.recent[next(iter(self.recent))]

    def quick(self, changed: list[str]) -> bool:
        """Render the pages served lately that one edited common page changes, to serve until the rebuild ends."""
        with self._lock:
            wanted = list(self.recent)
        try:
            # The watcher names files as found under the site folder; the site names them relative to it.
            named = [Path(os.path.relpath(path, self.root)).as_posix() for path in changed]
            made = quick_render(self.state, self.root, named, wanted)
        except Exception:  # noqa: BLE001 - only a head start: the rebuild makes every page anyway
            log.debug("quick render failed", exc_info=True)
            made = {}
        now = time.time_ns()
        with self._lock:
            self.edits += 1
            self.fresh.update((path, (self.edits, now, data)) for path, data in made.items())
        return bool(made)

    def page(self, path: str) -> tuple[bytes, int] | None:
        """Return a page rendered from an edit the rebuild has not written yet, and when it was made (ns)."""
        with self._lock:
            found = self.fresh.get(path)
        return (found[2], found[1]) if found is not None else None

    def rebuild(self, *, first: bool = False) -> bool:
        """Build incrementally; on failure keep the last good site and remember the problems.

        Only one build runs at a time (the watcher's thread builds; see `Builder`).
        """
        with self._lock:
            seen = self.edits  # the edits this build reads: pages rendered for later ones are kept
        built = self._rebuild(first)
        if built:
            # The output now has what those pages showed. After a failed build they are still the last good ones.
            with self._lock:
                self.fresh = {path: made for path, made in self.fresh.items() if made[0] > seen}
        return built

    def _rebuild(self, first: bool) -> bool:
        from localgov.build import build
        from localgov.commands.display import print_report

        started = time.perf_counter()
        try:
            # The search indexes cover the whole site: made at the start, not on every save.
            progress = self.progress if first else None
            with progress or contextlib.nullcontext():
                result = build(self.root, self.out, finalise=self.search and first, state=self.state,
                               progress=progress, as_at=self.as_at)
        except BuildFailed as exc:
            self.failed_ns = time.time_ns()
            self.problems = list(exc.problems)
            print_report(self.problems, self.root, self.stream)
            print(f"{exc}; still serving the last site that built", file=self.stream, flush=True)
            return False
        except LocalgovError as exc:
            self.failed_ns = time.time_ns()
            self.problems = [Problem("build", 0, str(exc))]
            print(f"error: {exc}; still serving the last site that built", file=self.stream, flush=True)
            return False
        self.builds += 1
        self.problems = []
        print_report(result.warnings, self.root, self.stream)
        print(f"Built {result.pages:,} pages in {time.perf_counter() - started:.2f}s: {result.rendered:,} rendered, "
              f"{result.changed:,} files written, {result.removed:,} removed", file=self.stream, flush=True)
        return True

    def overlay(self) -> bytes:
        from localgov.commands.display import html_report

        count = len(self.problems)
        title = f"The site did not build: {count} problem{'s' if count != 1 else ''}"
        return html_report(self.problems, self.root, title).encode("utf-8")


def resolve_file(out: Path, url_path: str) -> tuple[Path | None, str | None]:
    """Return (file to serve, None), (None, redirect location) or (None, None) for a URL path."""
    rel = unquote(url_path).lstrip("/")
    parts = [p for p in rel.split("/") if p]
    if any(p in ("..", ".") or p.startswith(".") for p in parts):
        return None, None
    target = out.joinpath(*parts) if parts else out
    if target.is_dir():
        if url_path and not url_path.endswith("/"):
            return None, url_path + "/"
        target = target / "index.html"
    return (target, None) if target.is_file() else (None, None)


def preview_app(preview: Preview) -> Callable[..., Iterable[bytes]]:
    """Return the WSGI application of the live preview."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/") or "/"
        query = environ.get("QUERY_STRING", "")
        if too_long(path + "?" + query if query else path):
            start_response("414 URI Too Long", [("Content-Type", "text/html; charset=utf-8"),
                                                ("Content-Length", str(len(TOO_LONG)))])
            return [TOO_LONG]
        if method not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Content-Type", "text/plain"), ("Allow", "GET, HEAD")])
            return [b"method not allowed"]
        status = "200 OK"
        body: bytes | None = search_results(preview.root, path + (f"?{query}" if query else ""), preview.out)
        kind = "text/html; charset=utf-8"
        made_ns = 0
        fresh = preview.page(path) if body is None else None
        if fresh is not None:
            body, made_ns = fresh
        if body is None:
            file, redirect = resolve_file(preview.out, path)
            if redirect is not None:
                location = redirect + (f"?{query}" if query else "")
                start_response("301 Moved Permanently", [("Location", location), ("Content-Length", "0")])
                return [b""]
            if file is None:
                status = "404 Not Found"
                file = preview.out / "404.html"
                if not file.is_file():
                    file = None
            if file is not None:
                made_ns = file.stat().st_mtime_ns
                body = file.read_bytes()
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                    kind += "; charset=utf-8"
            else:
                body = b"<!DOCTYPE html><html><head><title>Not built yet</title></head><body></body></html>"
        if status == "200 OK" and kind.startswith("text/html"):
            preview.served(path)
        if preview.problems and kind.startswith("text/html") and made_ns <= preview.failed_ns:
            body = add_overlay(body, preview.overlay())
        headers = [("Content-Type", kind), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")]
        start_response(status, headers)
        return [b"" if method == "HEAD" else body]

    return app


def add_overlay(page: bytes, overlay: bytes) -> bytes:
    """Put the problems panel at the top of a page's body."""
    match = BODY_TAG.search(page)
    if match is None:
        return overlay + page
    return page[: match.end()] + overlay + page[match.end():]


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Return (size, modification time) of every watched file."""
    found: dict[str, tuple[int, int]] = {}
    for name in WATCHED:
        top = root / name
        if top.is_file():
            info = top.stat()
            found[name] = (info.st_size, info.st_mtime_ns)
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for file in filenames:
                if file.startswith(".") or file.endswith(("~", ".swp", ".swx")):
                    continue
                path = os.path.join(dirpath, file)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                found[path] = (info.st_size, info.st_mtime_ns)
    return found


class Builder:
    """Build in a thread of its own, so that the site is served while a build runs; one build at a time."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        self._lock = threading.Lock()
        self._wanted = False
        self._running = False
        self._finished = 0

    def request(self) -> None:
        """Ask for a build: one starts now, or as soon as the one running has finished."""
        with self._lock:
            self._wanted = True
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._run, name="localgov-build", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._wanted:
                    self._running = False
                    return
                self._wanted = False
            try:
                self.preview.rebuild()
            except Exception:
                log.exception("the build failed")
            with self._lock:
                self._finished += 1

    def finished(self) -> int:
        """Return how many builds have finished; the watcher reloads the page when it changes."""
        with self._lock:
            return self._finished


def make_watcher(preview: Preview, watch: bool) -> Any:
    """Return a livereload watcher that polls the site's sources quickly and has them rebuilt on a change."""
    from livereload.watcher import Watcher

    builder = Builder(preview)

    class SourceWatcher(Watcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.seen = snapshot(preview.root) if watch else {}
            self.reloaded = 0
            self.changed: list[str] = []

        def watch(self, path: str, func: Any = None, delay: Any = None, ignore: Any = None) -> None:
            """Watch the site's sources only."""

        def start(self, callback: Callable[[], None]) -> bool:
            if watch:
                from tornado import ioloop

                ioloop.PeriodicCallback(callback, POLL_SECONDS * 1000).start()
            return True

        def examine(self) -> tuple[str | None, float | None]:
            """Start a build when a source changed; tell the page to reload when a build has finished."""
            if self._changes:
                return self._changes.pop()  # type: ignore[no-any-return]
            now = snapshot(preview.root)
            if now != self.seen:
                changed = sorted(set(now) ^ set(self.seen) | {k for k in now if self.seen.get(k) != now[k]})
                self.seen = now
                self.changed = changed or ["*"]
                log.info("changed: %s", ", ".join(changed[:5]))
                quick = preview.quick(changed)
                builder.request()
                if quick:
                    return self.changed[0], None  # reload now; again when the rebuild has finished
            finished = builder.finished()
            if finished != self.reloaded:
                self.reloaded = finished
                return (self.changed or ["*"])[0], None
            return None, None

    return SourceWatcher()


class LiveScript:
    """A WSGI application that adds the live-reload script to every HTML page of another."""

    def __init__(self, app: WSGIApp, script: bytes) -> None:
        self.app = app
        self.script = script

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def remember(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            answer.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(self.app(environ, remember))
        headers: list[tuple[str, str]] = answer["headers"]
        kind = next((v for k, v in headers if k.lower() == "content-type"), "")
        if self.script and "html" in kind and HEAD_END in body:
            body = body.replace(HEAD_END, self.script + HEAD_END, 1)
            headers = [(k, str(len(body)) if k.lower() == "content-length" else v) for k, v in headers]
        start_response(answer["status"], headers)
        return [body]


def web_application(app: WSGIApp, *, script: bytes = b"", executor: Executor | None = None,
                    handlers: list[Any] | None = None) -> Any:
    """Return a Tornado application that answers with the WSGI `app` on a pool of threads.

    `handlers` come first (livereload's websocket and script); `script` is added to every HTML page.
    """
    from tornado import web
    from tornado.wsgi import WSGIContainer

    container = WSGIContainer(LiveScript(app, script),
                              executor=executor or ThreadPoolExecutor(REQUEST_THREADS, thread_name_prefix="request"))
    return web.Application([*(handlers or []), (r".*", web.FallbackHandler, {"fallback": container})])


def listen(application: Any, host: str, port: int) -> Any:
    """Serve a Tornado application; a request line too long to answer gets 414 rather than a dropped connection."""
    from tornado.httpserver import HTTPServer

    server = HTTPServer(application, max_header_size=MAX_HEADER_BYTES)
    server.listen(port, address=host)
    return server


def serve(root: Path, out: Path, host: str = "127.0.0.1", port: int = 8000, *, build_first: bool = True,
          watch: bool = True, search: bool = True, progress: StageProgress | None = None,
          as_at: dt.date | None = None) -> None:
    """Build the site, serve it with live reload, and rebuild on every change until interrupted."""
    from livereload import Server
    from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler

    preview = Preview(root, out, search=search, progress=progress, as_at=as_at)
    if build_first:
        preview.rebuild(first=True)
    # Reload the page after every rebuild, however soon after the last one.
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0

    class PreviewServer(Server):  # type: ignore[misc]
        def _setup_logging(self) -> None:
            """Leave logging as the command set it up (livereload would log every request)."""

        def application(self, port: int, host: str, liveport: Any = None, debug: Any = None,
                        live_css: bool = True) -> None:
            """Serve the preview and livereload's own handlers (its websocket and script) on one port."""
            LiveReloadHandler.watcher = self.watcher
            LiveReloadHandler.live_css = live_css
            script = (b'<script type="text/javascript">(function(){var s=document.createElement("script");'
                      b'var port=(window.location.port || (window.location.protocol == "https:" ? 443: 80));'
                      b's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
                      b"document.head.appendChild(s);})();</script>")
            live = [(r"/livereload", LiveReloadHandler), (r"/forcereload", ForceReloadHandler),
                    (r"/livereload.js", LiveReloadJSHandler)]
            listen(web_application(self.app, script=script, handlers=live), host, port)

    server = PreviewServer(app=preview_app(preview), watcher=make_watcher(preview, watch))
    print(f"Serving {out} on http://{host}:{port}/" + (" and watching for changes" if watch else "")
          + " (press Ctrl+C to stop)", flush=True)
    server.serve(port=port, host=host, debug=False, restart_delay=0)
