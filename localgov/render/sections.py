"""Compile every content source's sections once, for all the variants that use them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jinja2

from localgov.compose import page_key
from localgov.errors import Problems
from localgov.model import Site
from localgov.sandbox import ContentEnvironment, SectionTemplates, content_environment


def compile_sections(site: Site, env: ContentEnvironment | None = None,
                     problems: Problems | None = None) -> dict[str, SectionTemplates]:
    """Compile every common page's and every council file's sections once, by compile key."""
    env = env or content_environment()
    compiled: dict[str, SectionTemplates] = {}
    sources: list[tuple[str, str, Iterable[Any]]] = [
        (page_key(page), page.source, page.sections) for page in site.content.pages.values()
    ]
    sources += [(page_key(t.page), t.source, t.page.sections) for t in site.content.welsh.values()]
    sources += [(o.key, o.source, o.sections) for o in site.overrides.overrides.values()]
    sources += [(o.key, o.source, o.sections) for o in site.overrides.welsh.values()]
    sources += [(p.key, p.source, p.sections) for p in site.overrides.pages.values()]
    for key, source, sections in sources:
        try:
            compiled[key] = section_templates(env, sections)
        except jinja2.TemplateError as exc:
            if problems is not None:
                problems.error(source, 0, f"template error in content: {exc}")
    return compiled


def section_templates(env: ContentEnvironment, sections: Iterable[Any]) -> SectionTemplates:
    """Return the section templates of one source: each section's HTML, and its title where Jinja makes it."""
    sections = tuple(sections)
    parts = {s.id: s.html for s in sections}
    parts.update({f"{s.id}#title": s.title for s in sections if "{" in s.title})
    return SectionTemplates(env, parts)
