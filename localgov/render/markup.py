"""Render the short Markdown that councils write in council.yaml (alert bodies) as safe HTML."""

from __future__ import annotations

from markupsafe import Markup

from localgov.load.markdown import convert


def render_council_markup(text: str) -> Markup:
    """Convert a short piece of council text (an alert body) to sanitised GOV.UK HTML."""
    return Markup("".join(s.html for s in convert(text, contributed=True).sections))
