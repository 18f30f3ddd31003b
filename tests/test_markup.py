"""Markdown is converted once with Jinja kept intact, then rendered per council."""

from __future__ import annotations

import pytest

from localgov.load.markdown import convert
from localgov.model import Council
from localgov.sandbox import CouncilView, SectionTemplates, content_environment

COASTAL = Council(slug="thanet", name="Thanet District Council", gss="E07000114", type="non-metropolitan-district",
                  nation="england", website="https://www.thanet.gov.uk/", parent="kent",
                  features=frozenset({"coastline"}))
INLAND = Council(slug="maidstone", name="Maidstone Borough Council", gss="E07000110",
                 type="non-metropolitan-district", nation="england", website="https://www.maidstone.gov.uk/",
                 parent="kent")


def render(markdown: str, council: Council) -> str:
    converted = convert(markdown)
    templates = SectionTemplates(content_environment(), {s.id: s.html for s in converted.sections})
    return "\n".join(templates.render(s.id, CouncilView(council)) for s in converted.sections)


def test_block_tags_on_their_own_lines_leave_no_empty_paragraphs() -> None:
    text = "Intro.\n\n{% if council.has('coastline') %}\nBeach bins are emptied daily.\n{% endif %}\n\nAfter."
    coastal = render(text, COASTAL)
    inland = render(text, INLAND)
    assert '<p class="govuk-body">Beach bins are emptied daily.</p>' in coastal
    assert "Beach" not in inland
    assert "<p></p>" not in inland and '<p class="govuk-body"></p>' not in inland
    assert "{%" not in coastal + inland


def test_less_than_and_ampersand_inside_tags_are_not_escaped_by_markdown() -> None:
    text = "{% if council.name|length < 100 and 'a' != '&' %}Short name & more.{% endif %}"
    assert "Short name &amp; more." in render(text, INLAND)


def test_asterisks_inside_expressions_are_not_emphasis() -> None:
    assert "Twice: 4." in render("Twice: {{ 2 * 2 }}.", INLAND)
    assert "<em>" not in render("{{ 2 * 3 }} and {{ 4 * 5 }}", INLAND)


def test_council_values_are_escaped() -> None:
    council = Council(slug="x", name="Brighton & Hove <City>", gss="E06000043", type="unitary", nation="england",
                      website="https://www.brighton-hove.gov.uk/")
    assert "Brighton &amp; Hove &lt;City&gt;" in render("{{ council.name }}", council)


def test_code_keeps_jinja_literally() -> None:
    text = "Use `{{ council.name }}` in text.\n\n```\n{% if x %}{{ y }}{% endif %}\n```\n"
    html = render(text, INLAND)
    assert "<code>{{ council.name }}</code>" in html
    assert "{% if x %}{{ y }}{% endif %}" in html


def test_headings_get_stable_ids_explicit_or_generated() -> None:
    converted = convert("Intro\n\n## Fees and charges {#fees}\n\nx\n\n## When to apply\n\ny\n")
    assert [s.id for s in converted.sections] == ["intro", "fees", "when-to-apply"]
    assert [s.title for s in converted.sections] == ["", "Fees and charges", "When to apply"]


def test_govuk_classes_on_tables_lists_and_links() -> None:
    html = "".join(s.html for s in convert("| A | B |\n|---|---|\n| 1 | 2 |\n\n1. one\n2. two\n\n[x](/y/)\n").sections)
    for fragment in ('<table class="govuk-table">', '<th class="govuk-table__header" scope="col">',
                     '<td class="govuk-table__cell">', '<ol class="govuk-list govuk-list--number">',
                     '<a class="govuk-link" href="/y/">'):
        assert fragment in html


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
])
def test_contributed_html_is_sanitised(hostile: str) -> None:
    html = "".join(s.html for s in convert(f"Text\n\n{hostile}\n", contributed=True).sections)
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_sandbox_refuses_python_internals() -> None:
    from jinja2.exceptions import SecurityError, UndefinedError

    with pytest.raises((SecurityError, UndefinedError)):
        render("{{ council.__class__.__mro__ }}", INLAND)


def test_heading_ids_are_not_mistaken_for_jinja_comments() -> None:
    converted = convert("## Fees {#fees}\n\nCosts {{ council.name }}.\n\n## C# and more {#csharp}\n\nText #} here.\n")
    assert [s.id for s in converted.sections] == ["fees", "csharp"]
    html = render("## Fees {#fees}\n\nA {#not-a-comment} B #} C\n", INLAND)
    assert "A {#not-a-comment} B #} C" in html
