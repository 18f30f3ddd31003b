"""Page keys: a key changes when something the page's render read changes, and not otherwise."""

from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap
from pathlib import Path

import pytest

from localgov.build import load_site
from localgov.build.cache import Inputs, digest, scan
from localgov.build.keys import Keys
from localgov.errors import Problems
from localgov.index.coverage import coverage
from localgov.model import Site
from localgov.render.layouts import layout_environment
from localgov.render.pages import PageJob, Renderer
from localgov.render.sections import compile_sections
from tests.conftest import COUNCILS, MakeSite

ALERT = textwrap.dedent(COUNCILS["thanet"]) + (
    "alerts:\n  - title: Strike\n    body: Collections are late.\n    start: 2026-12-01\n    end: 2026-12-31\n"
    "    pages: [bin-collections]\n")


def loaded(root: Path) -> Site:
    site = load_site(root, Problems())
    assert site is not None
    return site


def keys_for(site: Site, inputs: Inputs) -> Keys:
    return Keys(site, inputs, {}, layout_environment(site.config.root), {})


def edited(inputs: Inputs, rel: str, *, front: bool = False) -> Inputs:
    """Return the inputs with one file's bytes changed (and its front matter too, when `front`)."""
    changed = {**inputs.front, rel: digest(b"other front matter")} if front else dict(inputs.front)
    return Inputs({**inputs.files, rel: digest(rel.encode() + b" edited")}, changed, inputs.libraries)


class Assets(dict[str, str]):
    """Any asset, at a made-up address."""

    def __missing__(self, name: str) -> str:
        return f"/assets/{name}"


def needs_of(site: Site, job: PageJob) -> tuple[str, ...]:
    return Renderer(site, Assets(), compile_sections(site), coverage(site)).render_page(job).needs


@pytest.fixture
def site(make_site: MakeSite) -> Site:
    return loaded(make_site({"councils/thanet/council.yaml": ALERT}))


def test_a_variant_is_keyed_by_what_its_render_read(site: Site) -> None:
    inputs = scan(site.config.root, {})
    needs = needs_of(site, PageJob("variant", "", page="bin-collections", council="maidstone"))
    assert "file:content/rubbish-and-recycling/bin-collections.md" in needs and "council:maidstone" in needs
    key = keys_for(site, inputs).key(needs)
    assert key is not None
    for rel in ("content/rubbish-and-recycling/bin-collections.md", "content/rubbish-and-recycling/_topic.yaml",
                "councils/maidstone/council.yaml", "site.yaml"):
        assert keys_for(site, edited(inputs, rel)).key(needs) != key, f"{rel} is read but not in the key"
    for rel in ("content/schools/apply-for-a-school-place.md", "councils/medway/council.yaml",
                "councils/kent/council.yaml"):
        assert keys_for(site, edited(inputs, rel)).key(needs) == key, f"{rel} is not read but changes the key"
    # Only the council's own file for this page counts, wherever it is in its folder.
    override = "councils/maidstone/anywhere/bin-collections.md"
    other = "councils/medway/anywhere/bin-collections.md"
    assert keys_for(site, edited(inputs, override)).key(needs) != key
    assert keys_for(site, edited(inputs, other)).key(needs) == key


def test_a_page_listing_others_is_keyed_by_their_front_matter_not_their_text(site: Site) -> None:
    inputs = scan(site.config.root, {})
    needs = needs_of(site, PageJob("home", "templates/home.html"))
    assert needs == ("structure",)
    key = keys_for(site, inputs).key(needs)
    page = "content/schools/apply-for-a-school-place.md"
    assert keys_for(site, edited(inputs, page)).key(needs) == key, "the text of a page is not on the home page"
    assert keys_for(site, edited(inputs, page, front=True)).key(needs) != key
    # The 404 page reads nothing of the site's content.
    assert needs_of(site, PageJob("not-found", "templates/404.html")) == ()


def test_alerts_are_keyed_by_what_shows_on_the_build_date(site: Site) -> None:
    inputs = scan(site.config.root, {})
    needs = needs_of(site, PageJob("variant", "", page="bin-collections", council="thanet"))
    assert "alerts:thanet" in needs

    def key_on(day: str) -> bytes | None:
        dated = dataclasses.replace(site, config=dataclasses.replace(site.config, today=dt.date.fromisoformat(day)))
        return keys_for(dated, inputs).key(needs)

    assert key_on("2026-11-24") == key_on("2026-11-30") != key_on("2026-12-01") == key_on("2026-12-31")
    assert key_on("2027-01-01") == key_on("2026-11-24")


def test_the_coverage_pages_are_keyed_by_their_part_of_the_report(site: Site, make_site: MakeSite) -> None:
    inputs = scan(site.config.root, {})
    keys = keys_for(site, inputs)
    needs = needs_of(site, PageJob("status-council", "templates/status_council.html", council="medway"))
    assert "coverage:medway" in needs
    assert keys.key(needs) is None, "keyed before the report was made"
    report = coverage(site)
    # Medway gains a phone number: its entry changes, Thanet's does not.
    root = make_site({"councils/thanet/council.yaml": ALERT, "councils/medway/council.yaml":
                      textwrap.dedent(COUNCILS["medway"]) + "contact:\n  phone: 01634 333333\n"})
    later = coverage(loaded(root))
    assert keys.value("coverage:medway", report) != keys.value("coverage:medway", later)
    assert keys.value("coverage:thanet", report) == keys.value("coverage:thanet", later)
    assert keys.value("coverage", report) != keys.value("coverage", later)


def test_a_name_this_code_does_not_know_cannot_be_keyed(site: Site) -> None:
    keys = keys_for(site, scan(site.config.root, {}))
    assert keys.key(["file:content/x.md"]) is not None
    assert keys.key(["file:content/x.md", "weather:today"]) is None


def test_templates_are_followed_through_what_they_include(make_site: MakeSite) -> None:
    root = make_site()
    site = loaded(root)
    variant = keys_for(site, scan(root, {})).templates("variant.html")
    make_site({"templates/search.html": '{% extends "localgov/search.html" %}'})
    assert keys_for(site, scan(root, {})).templates("variant.html") == variant, "variant.html does not use it"
    # A partial that variant.html includes, shadowed by the site.
    make_site({"templates/partials/contents.html": "<p>Contents</p>\n"})
    assert keys_for(site, scan(root, {})).templates("variant.html") != variant
