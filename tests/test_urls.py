"""The one table of URLs: each kind's URL and output path, the pages of a site, and `explain` reading it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from localgov.build import build, load_site
from localgov.commands.explain import explain
from localgov.errors import Problems, UsageError
from localgov.model import Site
from localgov.urls import PATTERNS, Route, output_path, route_at, routes, target_of, url, url_of
from tests.conftest import COUNCILS, MakeSite

SLUGS = {"topic": "schools", "page": "bin-collections", "council": "maidstone"}
LAYOUTS = frozenset({"home.html", "councils.html", "404.html", "search.html", "topic.html", "page.html",
                     "variant.html", "council.html", "status.html", "status_council.html"})

PAGE = "---\ntitle: {title}\nsummary: About {title}.\nprovider: {provider}\n{extra}---\n{{{{ council.name }}}}.\n"
OWN = "---\ntitle: {title}\nsummary: Only here.\n---\nOnly {{{{ council.name }}}} has this.\n"
SITE_FILES: dict[str, str | bytes | None] = {
    # One council's override, a page only some councils get, a service both tiers share, one with no local variant.
    "councils/maidstone/rubbish-and-recycling/bin-collections.md":
        "---\nreplace: [missed]\n---\n## Missed collections {#missed}\n\nCall {{ council.phone }}.\n",
    "content/rubbish-and-recycling/beach-cleaning.md": PAGE.format(title="Beach cleaning", provider="lower",
                                                                   extra="requires: [coastline]\n"),
    "content/rubbish-and-recycling/fly-tipping.md": PAGE.format(title="Fly-tipping", provider="all", extra=""),
    "content/schools/school-term-dates.md": PAGE.format(title="Term dates", provider="national", extra=""),
    # Council-only pages: a county's (its districts' hubs list it too) and a district's in a topic of its own.
    "councils/kent/schools/school-buses.md": OWN.format(title="School buses"),
    "councils/thanet/harbours/ramsgate-harbour.md": OWN.format(title="Ramsgate harbour"),
    "content/harbours/_topic.yaml": "title: Harbours\nsummary: Ports and moorings.\norder: 3\n",
    # A council abolished before the site's date, whose hub says what replaced it.
    "councils/medway/council.yaml": COUNCILS["medway"].rstrip(" ") + "        start: 1998-04-01\n",
    "councils/old-town/council.yaml": "name: Old Town Borough Council\ngss: E07000999\n"
                                      "type: non-metropolitan-district\nnation: england\nparent: kent\n"
                                      "end: 1998-03-31\nsuccessors: [medway]\n",
}


def loaded(root: Path) -> Site:
    problems = Problems()
    site = load_site(root, problems)
    assert site is not None, problems.errors
    return site


@pytest.mark.parametrize("kind", sorted(PATTERNS))
def test_every_kind_of_page_has_a_url_and_an_output_path_that_lead_back_to_each_other(kind: str) -> None:
    parts = {name: slug for name, slug in SLUGS.items() if "{" + name + "}" in PATTERNS[kind]}
    address = url(kind, **parts)
    route = Route(kind, topic=parts.get("topic", ""), page=parts.get("page", ""), council=parts.get("council", ""))
    assert route.url == address and route.path == output_path(address)
    assert url_of(route.path) == address
    assert target_of(address) == route.path
    assert "{" not in address and all(slug in address for slug in parts.values())


def test_urls_are_clean_and_files_keep_their_names() -> None:
    assert Route("variant", page="bin-collections", council="maidstone").path == "bin-collections/maidstone/index.html"
    assert Route("hub", council="kent").url == "/councils/kent/"
    assert Route("home").path == "index.html" and url_of("index.html") == "/"
    assert Route("not-found").path == "404.html" and url_of("404.html") == "/404.html"
    assert output_path("https://test.example/status/kent/?x=1") == "status/kent/index.html"


def test_the_routes_of_a_site_are_exactly_the_pages_a_build_writes(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(SITE_FILES)
    out = tmp_path / "out"
    build(root, out, finalise=False)
    moved = {output_path(line.split()[0]) for line in (out / "_redirects").read_text().splitlines()}
    assert "bin-collections/old-town/index.html" in moved
    written = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - moved
    table = routes(loaded(root))
    assert len({r.path for r in table}) == len(table), "two routes share an output path"
    assert {r.path for r in table} == written
    kinds = {r.kind for r in table}
    assert kinds == set(PATTERNS), f"the test site lacks a page of kind {set(PATTERNS) - kinds}"
    # A hub's topics are the ones it has services in: Thanet's own harbour, not Maidstone's.
    assert "harbours/thanet/index.html" in written and "harbours/maidstone/index.html" not in written
    # A county's own page is listed for its districts, so their hubs have its topic.
    assert "schools/maidstone/index.html" in written and "schools/belfast/index.html" not in written


def test_the_sitemap_lists_the_pages_that_may_be_indexed(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site(SITE_FILES)
    out = tmp_path / "out"
    build(root, out, finalise=False)
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    listed = {line.split("<loc>https://test.example")[1].split("</loc>")[0]
              for line in sitemap.splitlines() if "<loc>" in line}
    noindex = {url_of(p.relative_to(out).as_posix()) for p in out.rglob("*.html")
               if '<meta name="robots" content="noindex">' in p.read_text(encoding="utf-8")}
    pages = {url_of(p.relative_to(out).as_posix()) for p in out.rglob("*.html")}
    moved = {line.split()[0] for line in (out / "_redirects").read_text().splitlines()}
    assert listed == pages - noindex
    assert noindex - moved == {r.url for r in routes(loaded(root)) if not r.indexed}
    assert moved <= noindex and "/councils/old-town/" in noindex


def test_a_route_is_found_by_its_url_in_any_form(make_site: MakeSite) -> None:
    table = routes(loaded(make_site()))
    variant = Route("variant", page="bin-collections", council="maidstone")
    assert route_at("/bin-collections/maidstone", table) == variant
    assert route_at("https://test.example/rubbish-and-recycling/maidstone/#x", table) == Route(
        "council-topic", topic="rubbish-and-recycling", council="maidstone")
    assert route_at("/bin-collections/kent/", table) is None, "a lower-tier page has no county variant"


@pytest.fixture
def layouts_loaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Note the name of every layout Jinja reads from a folder while a test runs."""
    names: list[str] = []
    read = jinja2.FileSystemLoader.get_source

    def noting(self: jinja2.FileSystemLoader, environment: jinja2.Environment,
               template: str) -> tuple[str, str, object]:
        if template in LAYOUTS:
            names.append(template)
        return read(self, environment, template)

    monkeypatch.setattr(jinja2.FileSystemLoader, "get_source", noting)
    yield names


@pytest.mark.parametrize(("address", "layout"), [
    ("/bin-collections/maidstone/", "variant.html"),
    ("/councils/kent/", "council.html"),
    ("/status/", "status.html"),
    ("/status/medway/", "status_council.html"),
    ("/404.html", "404.html"),
])
def test_explain_renders_only_the_page_asked_for(make_site: MakeSite, layouts_loaded: list[str], address: str,
                                                 layout: str) -> None:
    found = explain(make_site(), address)
    assert found.output == output_path(address)
    assert [item.path for item in found.items if item.kind == "template"][0] == layout
    assert set(layouts_loaded) == {layout}, "other pages of the site were rendered to find this one"


def test_explain_renders_nothing_for_a_url_that_is_no_page(make_site: MakeSite, layouts_loaded: list[str]) -> None:
    with pytest.raises(UsageError, match="no page of the site is at /bin-collections/kent/"):
        explain(make_site(), "/bin-collections/kent/")
    assert layouts_loaded == []


def test_explain_knows_every_kind_of_page(make_site: MakeSite) -> None:
    root = make_site(SITE_FILES)
    first: dict[str, Route] = {}
    for route in routes(loaded(root)):
        first.setdefault(route.kind, route)
    assert set(first) == set(PATTERNS)
    for kind, route in sorted(first.items()):
        found = explain(root, route.url)
        assert found.output == route.path, kind
        assert any(item.kind == "template" for item in found.items), kind
