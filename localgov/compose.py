"""Compose each variant from the common page's sections and the council's changes to them."""

from __future__ import annotations

from dataclasses import dataclass

from localgov.model import Page


@dataclass(frozen=True)
class SectionRef:
    """One section of a composed page: which source's compiled section to render."""

    source: str
    id: str
    title: str


@dataclass(frozen=True)
class Composed:
    """What one variant (or the common page, when `council` is None) is made of."""

    page: Page
    council: str | None
    summary: str
    keywords: tuple[str, ...]
    sections: tuple[SectionRef, ...]
    sources: tuple[str, ...]


def page_key(page: Page) -> str:
    """Return the key under which a common page's sections are compiled."""
    return f"page:{page.slug}"


def compose_common(page: Page) -> Composed:
    """Return the common page as its own sections."""
    key = page_key(page)
    return Composed(
        page=page,
        council=None,
        summary=page.summary,
        keywords=page.keywords,
        sections=tuple(SectionRef(key, s.id, s.title) for s in page.sections),
        sources=(page.source,),
    )


def compose_variant(page: Page, council: str) -> Composed:
    """Return the variant of `page` for `council`."""
    common = compose_common(page)
    return Composed(
        page=page,
        council=council,
        summary=common.summary,
        keywords=common.keywords,
        sections=common.sections,
        sources=common.sources,
    )
