"""Remembered components: the same macro call with the same plain arguments is rendered once, with the same text."""

from __future__ import annotations

import jinja2

from localgov.render.memo import LayoutEnvironment

MACROS = """\
{%- macro tag(params) -%}<strong class="tag">{{ params.text }}{{ count() }}</strong>{%- endmacro -%}
{%- macro box(title) -%}<div>{{ title }}{{ count() }}{{ caller() if caller else "" }}</div>{%- endmacro -%}
"""

PAGE = """\
{%- from "macros.html" import tag, box -%}
{{ tag({"text": "Beta"}) }} {{ tag({"text": "Beta"}) }} {{ tag({"text": "Alpha"}) }}
{{ box(title) }} {{ box(title) }}
{% call box("with a caller") %}inside{% endcall %} {% call box("with a caller") %}inside{% endcall %}
{{ tag({"text": thing}) }} {{ tag({"text": thing}) }}
"""

OTHER = '{%- from "macros.html" import tag -%}{{ tag({"text": "Beta"}) }}'


class Thing:
    """A value that is not plain data, so calls with it are never remembered."""

    def __str__(self) -> str:
        return "thing"


def environment(kind: type[jinja2.Environment]) -> tuple[jinja2.Environment, list[int]]:
    calls: list[int] = []

    def count() -> str:
        calls.append(1)
        return ""

    env = kind(loader=jinja2.DictLoader({"macros.html": MACROS, "page.html": PAGE, "other.html": OTHER}),
               autoescape=True)
    env.globals["count"] = count
    return env, calls


def test_remembered_components_render_the_same_text_as_jinja() -> None:
    plain, _ = environment(jinja2.Environment)
    layout, _ = environment(LayoutEnvironment)
    for title in ("Bins", "<b>Bins</b>"):
        expected = plain.get_template("page.html").render(title=title, thing=Thing())
        assert layout.get_template("page.html").render(title=title, thing=Thing()) == expected
    assert "<div>&lt;b&gt;Bins&lt;/b&gt;</div>" in expected


def test_a_call_with_the_same_plain_arguments_is_rendered_once() -> None:
    plain, plain_calls = environment(jinja2.Environment)
    layout, calls = environment(LayoutEnvironment)
    for env in (plain, layout):
        env.get_template("page.html").render(title="Bins", thing=Thing())
        env.get_template("other.html").render()
    # Jinja renders each of the 10 calls; remembered: Beta and Alpha once, the title once, each call with a
    # caller block and each call with a value that is not plain data.
    assert len(plain_calls) == 10
    assert len(calls) == 7


def test_a_template_takes_the_layout_globals_and_its_own() -> None:
    env, _ = environment(LayoutEnvironment)
    template = env.get_template("page.html", globals={"count": str, "extra": 1})
    assert dict(template.globals) == {**env.globals, "count": str, "extra": 1}
    assert env.globals["count"] is not str, "a template's own globals do not change the environment's"
