"""The live preview: a saved change is served at once; a broken one keeps the last site and shows the error."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import MakeSite

TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(check: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}; server said:\n{log.read_text(encoding='utf-8')[-4000:]}")


@pytest.fixture
def preview(make_site: MakeSite, tmp_path: Path) -> Iterator[tuple[Path, str, Path]]:
    """Run `localgov serve` on a small site; yield (site, base URL, server log)."""
    root = make_site()
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "localgov", "--root", str(root), "serve", "--port", str(port), "--no-search"],
            stdout=stream, stderr=subprocess.STDOUT, env={**os.environ, "LOCALGOV_TODAY": "2026-11-24"})
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: fetch(base + "/")[0] == 200, "the server to start", log)
            yield root, base, log
        finally:
            process.terminate()
            process.wait(timeout=20)


def test_a_saved_change_is_served_and_a_broken_one_keeps_the_last_site(preview: tuple[Path, str, Path]) -> None:
    root, base, log = preview
    page = base + "/bin-collections/maidstone/"
    status, html = fetch(page)
    assert status == 200 and "collects your bins every week or fortnight" in html
    assert "livereload.js" in html, "the page reloads itself after a rebuild"

    source = root / "content/rubbish-and-recycling/bin-collections.md"
    source.write_text(source.read_text(encoding="utf-8").replace("every week or fortnight", "on Tuesdays"),
                      encoding="utf-8")
    wait_for(lambda: "collects your bins on Tuesdays" in fetch(page)[1], "the changed page", log)

    good = source.read_text(encoding="utf-8")
    source.write_text(good.replace("provider: lower", "provider: [lower"), encoding="utf-8")
    wait_for(lambda: "localgov-build-problems" in fetch(page)[1], "the build problems on the page", log)
    status, html = fetch(page)
    assert status == 200
    assert "collects your bins on Tuesdays" in html, "the last good page is still served"
    where = "content/rubbish-and-recycling/bin-collections.md:5: error: invalid YAML"
    assert where in html, "the problem, with its file and line, is shown over the page"
    assert "4 | provider: [lower" in html, "with the lines around it"
    assert where in log.read_text(encoding="utf-8"), "and in the terminal"

    source.write_text(good.replace("on Tuesdays", "on Wednesdays"), encoding="utf-8")
    wait_for(lambda: "collects your bins on Wednesdays" in fetch(page)[1], "the fixed page", log)
    assert "localgov-build-problems" not in fetch(page)[1]


def test_the_preview_answers_like_the_cdn(preview: tuple[Path, str, Path]) -> None:
    _, base, _ = preview
    status, html = fetch(base + "/no-such-page/")
    assert status == 404 and "Page not found" in html
    request = urllib.request.Request(base + "/bin-collections/maidstone", method="HEAD")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    assert redirect.value.code == 301 and redirect.value.headers["Location"] == "/bin-collections/maidstone/"
    status, css = fetch(base + "/sitemap.xml")
    assert status == 200 and "<urlset" in css


def test_a_new_site_builds_and_serves_at_once(tmp_path: Path) -> None:
    site = tmp_path / "new"
    assert subprocess.run([sys.executable, "-m", "localgov", "new", str(site)], check=False).returncode == 0
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as stream:
        process = subprocess.Popen([sys.executable, "-m", "localgov", "--root", str(site), "serve", "--port",
                                    str(port)], stdout=stream, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}/bin-collections/bristol/"
            wait_for(lambda: fetch(url)[0] == 200, "the new site", log)
            assert "Bristol City Council collects rubbish" in fetch(url)[1]
        finally:
            process.terminate()
            process.wait(timeout=20)


def fetch_status(url: str) -> int:
    """Return the status of a request, or 0 when the server dropped the connection without one."""
    try:
        return fetch(url)[0]
    except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
        return 0


@pytest.mark.parametrize("length", [3_000, 60_000, 100_000])
def test_an_over_long_query_gets_414_and_the_server_stays_up(preview: tuple[Path, str, Path], length: int) -> None:
    _, base, _ = preview
    assert fetch_status(f"{base}/search/?q={'a' * length}") == 414
    assert fetch_status(f"{base}/search/?q=bins") == 200
    assert fetch_status(f"{base}/bin-collections/?x={'b' * length}") == 414
    assert fetch(base + "/bin-collections/maidstone/")[0] == 200


NEVER_ENDING = "".join("{% for a" + str(n) + " in 'xxxxxxxxxx' %}" for n in range(12)) + "x" + "{% endfor %}" * 12


def test_the_preview_recovers_by_itself_after_a_render_that_would_never_end(
        preview: tuple[Path, str, Path]) -> None:
    root, base, log = preview
    page = base + "/bin-collections/maidstone/"
    source = root / "content/rubbish-and-recycling/bin-collections.md"
    good = source.read_text(encoding="utf-8")
    source.write_text(good + "\n" + NEVER_ENDING + "\n", encoding="utf-8")
    wait_for(lambda: "localgov-build-problems" in fetch(page)[1], "the build problems on the page", log)
    html = fetch(page)[1]
    assert "collects your bins every week or fortnight" in html and "limit" in html
    assert fetch(base + "/")[0] == 200
    source.write_text(good.replace("every week or fortnight", "on Fridays"), encoding="utf-8")
    wait_for(lambda: "collects your bins on Fridays" in fetch(page)[1], "the fixed page", log)
    assert "localgov-build-problems" not in fetch(page)[1]


def test_one_slow_request_does_not_hold_up_the_others() -> None:
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from localgov.commands.serve import listen, web_application

    release = threading.Event()

    def app(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        if environ["PATH_INFO"] == "/slow":
            release.wait(TIMEOUT)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(environ["PATH_INFO"]).encode()]

    port = free_port()
    loop = asyncio.new_event_loop()
    listening = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        server = listen(web_application(app), "127.0.0.1", port)
        listening.set()
        loop.run_forever()
        server.stop()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert listening.wait(10)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(fetch, f"http://127.0.0.1:{port}/slow")
        try:
            assert fetch(f"http://127.0.0.1:{port}/fast") == (200, "/fast")
            assert not slow.done(), "the slow request was answered before it could be"
        finally:
            release.set()
        assert slow.result(timeout=TIMEOUT) == (200, "/slow")
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_an_edit_is_rendered_at_once_as_the_rebuild_then_writes_it(make_site: MakeSite) -> None:
    """The preview renders the pages of an edited page, override or layout straight away; they are the rebuild's
    bytes."""
    from localgov.build import BuildState, build
    from localgov.commands.serve import quick_render

    override = "councils/maidstone/rubbish-and-recycling/bin-collections.md"
    root = make_site({override: "## Missed collections {#missed}\n\nCall Maidstone.\n"})
    out = root / "build"
    state = BuildState()
    build(root, out, finalise=False, state=state)
    common = root / "content/rubbish-and-recycling/bin-collections.md"
    wanted = ["/", "/bin-collections/", "/bin-collections/thanet/", "/bin-collections/maidstone/",
              "/apply-for-a-school-place/kent/"]
    def edit_common() -> None:
        common.write_text(common.read_text(encoding="utf-8").replace("every week", "every Monday"), encoding="utf-8")

    def edit_override() -> None:
        (root / override).write_text("## Missed collections {#missed}\n\nCall us today.\n", encoding="utf-8")

    layout = root / "templates" / "base.html"

    def edit_layout() -> None:
        layout.parent.mkdir(exist_ok=True)
        layout.write_text('{% extends "localgov/base.html" %}{% block head %}<meta name="edited" content="yes">'
                          "{% endblock %}", encoding="utf-8")

    edits: list[tuple[str, Callable[[], None], set[str], str]] = [
        ("content/rubbish-and-recycling/bin-collections.md", edit_common,
         {"/bin-collections/", "/bin-collections/thanet/", "/bin-collections/maidstone/"}, "every Monday"),
        (override, edit_override, {"/bin-collections/maidstone/"}, "Call us today."),
        # A layout can change any page: every page asked for is rendered again.
        ("templates/base.html", edit_layout, set(wanted), '<meta name="edited" content="yes">'),
    ]
    for rel, edit, pages, marker in edits:
        edit()
        made = quick_render(state, root, [rel], wanted)
        assert set(made) == pages, f"only the pages of the edited file that were asked for: {sorted(made)}"
        assert all(marker in data.decode("utf-8") for data in made.values())
        build(root, out, finalise=False, state=state)
        for url, data in made.items():
            assert (out / url.strip("/") / "index.html").read_bytes() == data, f"{url} differs from the rebuild"
    # A layout that fails to render waits for the rebuild, which reports it.
    layout.write_text('{% extends "localgov/base.html" %}{% block head %}{{ 1 // 0 }}{% endblock %}', encoding="utf-8")
    assert quick_render(state, root, ["templates/base.html"], wanted) == {}
    # An edit that changes which councils have the page waits for the rebuild.
    common.write_text(common.read_text(encoding="utf-8").replace("provider: lower", "provider: upper"),
                      encoding="utf-8")
    assert quick_render(state, root, ["content/rubbish-and-recycling/bin-collections.md"], wanted) == {}
    # So does one with a problem, and any other file.
    common.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    assert quick_render(state, root, ["content/rubbish-and-recycling/bin-collections.md"], wanted) == {}
    assert quick_render(state, root, ["site.yaml"], wanted) == {}
