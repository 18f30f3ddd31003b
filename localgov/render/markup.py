"""Render the short Markdown that councils write in council.yaml (alert bodies) as safe HTML."""

from __future__ import annotations

from markupsafe import Markup, escape

from localgov.load.markdown import markup


def render_council_markup(text: str) -> Markup:
    """Convert a short piece of council text (an alert body) to sanitised GOV.UK HTML.

    The text is not a template: Jinja syntax in it is shown as written. The sanitiser runs on the final
    HTML, so nothing in the text can bring a script, an event handler or a `javascript:` address into a
    page. Text that cannot be converted (the load stage refuses it) is shown escaped.
    """
    converted = markup(text, contributed=True)
    if converted.refusals:
        return Markup(f'<p class="govuk-body">{escape(text)}</p>')
    return Markup("".join(s.html for s in converted.sections))
