"""Frames: a layout rendered once for a page's councils gives, for each council, what rendering it again gives."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from localgov.build import load_site
from localgov.errors import Problems
from localgov.index.coverage import coverage
from localgov.render.frames import FAILURES, PAGES_KEPT, Frames, observe_tests
from localgov.render.pages import Renderer, variant_jobs
from localgov.render.sections import compile_sections
from tests.conftest import COUNCILS, MakeSite


@dataclass(frozen=True)
class Contact:
    email: str | None


@dataclass(frozen=True)
class Council:
    name: str
    slug: str
    contact: Contact | None

    def shout(self) -> str:
        return self.name.upper()


LAYOUT = """\
{%- macro box(params) %}<div class="{{ params.classes }}">{{ params.html }}</div>{% endmacro -%}
<title>{{ title }} – Site</title>
<link rel="canonical" href="{{ absolute(canonical) }}">
{%- if description %}<meta name="description" content="{{ description }}">{% endif %}
{%- set owner = council.contact.email if council.contact and council.contact.email else "team@site" %}
<p>{% trans name=council.name %}This page is about {{ name }}.{% endtrans %} Write to {{ owner }}.</p>
{%- for item in items %}<li id="{{ item.id }}">{{ item.text }}{% if item.new is true %} (new){% endif %}</li>
{%- endfor %}
{%- if items | length > 1 %}<p>{{ items | length }} items</p>{% endif %}
{{ box({"classes": "inset", "html": body}) }}
{%- if also is none %}<p>Only this council.</p>{% else %}<p>{{ also.heading }}</p>{% endif %}
{%- if also and also.missing is defined %}{{ also.missing }}{% endif %}
<p>{{ words | join(", ") }}</p>
<ul>{% for tag in tags %}<li>{{ tag }}</li>{% endfor %}</ul>
<p>{{ trusted | safe }}</p>
<footer>{{ page_title }}</footer>
"""


def environment() -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.globals["absolute"] = lambda url: "https://site.example" + url
    observe_tests(env)
    return env


def context(name: str, slug: str, *, email: str | None = "x@example.org", description: str = "About it.",
            items: tuple[tuple[str, str, bool], ...] = (("a", "One", False), ("b", "Two", True)),
            also: dict[str, str] | None = None, body: str = "<p>Body</p>", trusted: str = "<b>ok</b>",
            words: tuple[str, ...] = ("bins", "waste"), tags: tuple[str, ...] = ("x", "y")) -> dict[str, object]:
    return {
        "title": f"Bins: {name}", "canonical": f"/bins/{slug}/", "description": description,
        "council": Council(name, slug, Contact(email) if email is not None else None),
        "items": [{"id": i, "text": text, "new": new} for i, text, new in items],
        "body": Markup(body), "also": also, "words": list(words), "trusted": trusted, "page_title": "Bins",
        "tags": list(tags),
    }


CONTEXTS = [
    context("Kent", "kent"),
    context("Thanet", "thanet"),  # the same frame
    context("Tom & Jerry's <Council>", "t-j", email='a"b@example.org'),  # the same frame, escaped in its places
    context("Dover", "dover", email=None),  # a falsy value the frame tested: another frame
    context("Deal", "deal", email=None),  # which serves this one
    context("Maidstone", "maidstone", items=(("c", "<Three>", False), ("d", "Four", True))),  # items of their own
    context("Swale", "swale", description=""),
    context("Ashford", "ashford", items=(("a", "Only", False),)),  # another length
    context("Medway", "medway", also={"heading": "County services"}),  # `is none` no longer
    context("Sevenoaks", "sevenoaks", also={"heading": "County", "missing": "Present here"}),
    context("Tunbridge", "tunbridge", body="<p>Own <b>body</b></p>", words=("bins",)),
    context("Gravesham", "gravesham", trusted="<i>also</i> & more"),  # printed as it is: tied to its value
    context("Dartford", "dartford", tags=("x", "y", "z")),  # a list iterated, not measured
]


def test_frames_give_what_each_councils_own_render_gives() -> None:
    template = environment().from_string(LAYOUT)
    frames = Frames()
    for values in CONTEXTS:
        assert frames.render("bins", template, values) == template.render(values), values["council"]
    assert frames.used == 4, "frames were not used where they fit"
    assert frames.made < len(CONTEXTS) and not frames.unframed


def test_values_the_layout_only_prints_do_not_need_another_frame() -> None:
    template = environment().from_string(LAYOUT)
    frames = Frames()
    for values in CONTEXTS[:3]:
        frames.render("bins", template, values)
    assert (frames.made, frames.used) == (1, 2)


def test_a_layout_that_hands_a_value_to_code_that_needs_a_string_is_rendered_as_usual() -> None:
    env = environment()
    template = env.from_string('<script type="application/json">{{ council.name | tojson }}</script>'
                               "<p>{{ council.name | wordcount }}</p>")
    frames = Frames()
    for values in CONTEXTS:
        assert frames.render("page", template, values) == template.render(values)
    assert frames.unframed == {"page"} and frames.used == 0
    assert frames.failed == {"page": FAILURES}, "a frame was tried again after the layout was given up"


def test_frames_are_kept_for_the_last_pages_only() -> None:
    template = environment().from_string("<p>{{ title }}</p>")
    frames = Frames()
    for number in range(PAGES_KEPT + 1):
        for values in CONTEXTS[:2]:
            assert frames.render(f"page {number}", template, values) == template.render(values)
    assert len(frames.kept) == PAGES_KEPT and "page 0" not in frames.kept and f"page {PAGES_KEPT}" in frames.kept
    assert frames.used == PAGES_KEPT + 1


def test_a_method_of_a_value_ties_the_frame_to_that_value() -> None:
    for layout in ("<p>{{ council.shout() }}</p><p>{{ council.slug }}</p>", "<p>{{ council.name | upper }}</p>",
                   "<p>{{ absolute(canonical) | length }}</p>"):
        template = environment().from_string(layout)
        frames = Frames()
        for values in CONTEXTS[:4]:
            assert frames.render("page", template, values) == template.render(values)
        assert frames.used == 0


# -- the site's own layouts ----------------------------------------------------------------------------

ALERT = textwrap.dedent(COUNCILS["thanet"]) + (
    "alerts:\n  - title: Strike\n    body: Collections are late.\n    start: 2026-11-01\n    end: 2026-12-31\n"
    "    pages: [bin-collections]\n")


def renders(root: Path, frames: bool) -> tuple[Renderer, dict[str, tuple[object, ...]]]:
    site = load_site(root, Problems())
    assert site is not None
    sections = compile_sections(site)
    renderer = Renderer(site, {"govuk-frontend.min.css": "/a.css", "localgov.css": "/b.css",
                               "localgov.js": "/c.js", "favicon.svg": "/d.svg"}, sections, coverage(site),
                        frames=frames)
    found: dict[str, tuple[object, ...]] = {}
    for job in variant_jobs(site):
        record = renderer.render_page(job)
        found[record.output.path] = (record.output.data, record.needs, record.templates, record.missing,
                                     record.links)
    return renderer, found


def test_every_variant_of_a_site_is_the_same_from_frames(make_site: MakeSite, tmp_path: Path) -> None:
    """Councils with alerts, in Wales, with another tier's pages: frames or not, the same bytes and records."""
    root = make_site({"councils/thanet/council.yaml": ALERT})
    plain, expected = renders(root, frames=False)
    framed, got = renders(root, frames=True)
    assert got.keys() == expected.keys() and len(got) > 10
    different = [path for path in expected if got[path] != expected[path]]
    assert not different, different
    assert framed.frames.used > 0 and plain.frames.used == 0


def test_a_value_printed_from_what_another_council_lacks_is_rendered_as_usual() -> None:
    template = environment().from_string("<p>{{ council.contact.email }}</p>")
    frames = Frames()
    for values in (CONTEXTS[0], CONTEXTS[3], CONTEXTS[1]):
        assert frames.render("page", template, values) == template.render(values)
    assert frames.used == 1


@pytest.mark.parametrize("name", ["none", "true", "false", "sameas"])
def test_identity_tests_see_the_value(name: str) -> None:
    env = environment()
    argument = "(none)" if name == "sameas" else ""
    template = env.from_string(f"{{% if also is {name}{argument} %}}yes{{% else %}}no{{% endif %}}{{{{ title }}}}")
    frames = Frames()
    for also in (None, True, False, {"heading": "x"}, None, True):
        values = {"also": also, "title": f"t{also!r}"}
        assert frames.render("page", template, values) == template.render(values)
    assert frames.used > 0


def test_equal_values_of_other_types_are_not_taken_for_the_same() -> None:
    template = environment().from_string("<p>{{ flags }} {{ flags[0] }}</p>{% if also == 1 %}one{% endif %}")
    frames = Frames()
    for flags, also in (([True], 1), ([1], 1), ([1.0], True), ([True], 1)):
        values = {"flags": flags, "also": also}
        assert frames.render("page", template, values) == template.render(values)
    assert frames.used == 2
