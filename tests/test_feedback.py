"""Feedback on every page: "Is this page useful?" and "Report a problem with this page", as plain forms that work
without JavaScript and post to the endpoint site.yaml names (README.md, "Feedback"), or an email link without one."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from localgov.cli import main
from localgov.index.cdn import CSP
from tests.conftest import MakeSite
from tests.helpers import read

NewPage = Callable[..., Any]
FIELDS = {"form", "url", "council", "next", "website"}


def build(root: Path, out: Path) -> Path:
    assert main(["--root", str(root), "build", "--no-search", "--out", str(out)]) == 0
    return out


def site_yaml(extra: str = "") -> str:
    return "name: Test services\nbase_url: https://test.example\npostcodes: none\n" + extra


def forms(html: str) -> list[str]:
    return re.findall(r"<form [^>]*lg-feedback__[^>]*>.*?</form>", html, re.S)


def inputs(form: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="(?:hidden|text)"[^>]* name="([^"]+)" value="([^"]*)"', form))


def test_with_an_endpoint_every_page_has_both_forms(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"site.yaml": site_yaml("feedback_endpoint: https://feedback.example/report\n")})
    out = build(root, tmp_path / "out")
    pages = [p for p in sorted(out.rglob("index.html"))]
    assert len(pages) > 20
    for path in pages:
        found = forms(path.read_text(encoding="utf-8"))
        assert len(found) == 2, path
        for form in found:
            assert 'method="post" action="https://feedback.example/report"' in form
            assert set(inputs(form)) == FIELDS, path
    variant = forms(read(out, "/bin-collections/maidstone/"))
    useful, problem = inputs(variant[0]), inputs(variant[1])
    assert useful == {"form": "useful", "url": "/bin-collections/maidstone/", "council": "maidstone",
                      "next": "https://test.example/feedback-sent/", "website": ""}
    assert problem["form"] == "problem" and problem["council"] == "maidstone"
    assert 'name="useful" value="yes"' in variant[0] and 'name="useful" value="no"' in variant[0]
    assert 'name="what_doing"' in variant[1] and 'name="what_wrong"' in variant[1]
    assert inputs(forms(read(out, "/bin-collections/"))[0])["council"] == ""


def test_the_policy_lets_forms_post_to_the_endpoint_only(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"site.yaml": site_yaml("feedback_endpoint: https://feedback.example/report\n")})
    out = build(root, tmp_path / "out")
    headers = (out / "_headers").read_text(encoding="utf-8")
    assert "form-action 'self' https://feedback.example;" in headers
    plain = build(make_site({"site.yaml": site_yaml("feedback_endpoint: /feedback\n")}, name="own"),
                  tmp_path / "own-out")
    assert f"Content-Security-Policy: {CSP}\n" in (plain / "_headers").read_text(encoding="utf-8")


def test_without_an_endpoint_the_link_emails_the_pages_owner(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"site.yaml": site_yaml()})
    council = root / "councils" / "maidstone" / "council.yaml"
    council.write_text(council.read_text(encoding="utf-8").replace(
        "  phone: 01622 602000\n", "  phone: 01622 602000\n  email: bins@test.example\n"), encoding="utf-8")
    out = build(root, tmp_path / "none")
    for url in ("/bin-collections/maidstone/", "/bin-collections/"):
        assert not forms(read(out, url))
    assert 'href="mailto:bins@test.example?subject=Problem%20with%20https%3A//test.example/bin-collections/' \
        'maidstone/">Report a problem with this page</a> by email to Maidstone Borough Council.' \
        in read(out, "/bin-collections/maidstone/")
    assert '<a class="govuk-link" href="/contact/">Report a problem with this page</a>' \
        in read(out, "/bin-collections/")
    team = build(make_site({"site.yaml": site_yaml("contact_email: web@test.example\n")}, name="team"),
                 tmp_path / "team-out")
    assert 'href="mailto:web@test.example?subject=Problem%20with%20https%3A//test.example/bin-collections/"' \
        in read(team, "/bin-collections/")


# -- in a real browser, against a small local endpoint ---------------------------------------------


class Endpoint(SimpleHTTPRequestHandler):
    """Serves the built site, and takes feedback at POST /feedback as README.md's contract says."""

    received: list[dict[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        length = int(self.headers.get("Content-Length", "0"))
        fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True).items()}
        if self.path != "/feedback" or self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            self.send_error(400)
            return
        if not fields.get("website"):  # the honeypot: only robots fill it in
            self.received.append(fields)
        self.send_response(303)
        self.send_header("Location", fields["next"])
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def endpoint_site(make_site: MakeSite, tmp_path: Path) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """Build a small site whose feedback endpoint is a local server that also serves the site."""
    received: list[dict[str, str]] = []
    out = tmp_path / "served"
    handler = type("Handler", (Endpoint,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: handler(*a, directory=str(out)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    build(make_site({"site.yaml": site_yaml(f"feedback_endpoint: {base}/feedback\n").replace(
        "https://test.example", base)}), out)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, received
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_the_forms_work_without_javascript(endpoint_site: tuple[str, list[dict[str, str]]],
                                           new_page: NewPage) -> None:
    base, received = endpoint_site
    page = new_page(js=False, viewport="phone")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(base + "/bin-collections/maidstone/")
    assert not page.locator("#website-useful").is_visible(), "the honeypot is hidden"
    page.get_by_role("button", name="No this page is not useful").click()
    assert page.url == base + "/feedback-sent/"
    assert page.locator("h1").inner_text() == "Thank you for your feedback"
    assert received == [{"form": "useful", "url": "/bin-collections/maidstone/", "council": "maidstone",
                         "next": base + "/feedback-sent/", "website": "", "useful": "no"}]

    page.goto(base + "/bin-collections/")
    page.get_by_text("Report a problem with this page").click()
    page.get_by_label("What were you doing?").fill("Looking for my bin day")
    page.get_by_label("What went wrong?").fill("The link is broken")
    page.get_by_role("button", name="Send").click()
    assert page.url == base + "/feedback-sent/"
    assert received[1] == {"form": "problem", "url": "/bin-collections/", "council": "",
                           "next": base + "/feedback-sent/", "website": "",
                           "what_doing": "Looking for my bin day", "what_wrong": "The link is broken"}
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320


@pytest.mark.browser
def test_a_robot_filling_the_honeypot_is_not_recorded(endpoint_site: tuple[str, list[dict[str, str]]],
                                                     new_page: NewPage) -> None:
    base, received = endpoint_site
    page = new_page(js=False)
    page.goto(base + "/bin-collections/")
    page.locator("#website-useful").evaluate("(input) => { input.value = 'https://spam.example'; }")
    page.get_by_role("button", name="Yes this page is useful").click()
    assert page.url == base + "/feedback-sent/"
    assert received == []
