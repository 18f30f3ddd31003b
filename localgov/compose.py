"""Compose each variant from the common page's sections and the council's changes to them.

This is the one place that decides precedence between a common page and a council's file:

1. `body: replace`: the council file's sections are the whole body.
2. Otherwise, in the common page's order, for each common section: the new sections placed
   `before` it, then the council's section with the same id if it has one (it replaces the
   common one), else the common section unless it is in `remove`, then the sections placed
   `after` it (placed sections stay even when their anchor is removed).
3. A council intro (text before the first heading) replaces the common intro, or opens the
   page when the common page has none; new sections placed nowhere close the page.
4. The council's `summary` replaces the common one; its `keywords` are added to the common ones.
5. A common section marked for some nations (`## Heading {#id nations="scotland"}`) is left out of
   the variants for councils in other nations; the common page shows every section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from localgov.model import Page, Section

if TYPE_CHECKING:
    from localgov.model import CouncilPage, Override


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

    @property
    def contributed(self) -> frozenset[str]:
        """Return the compile keys of council files among this page's sections."""
        return frozenset(ref.source for ref in self.sections if not ref.source.startswith("page:"))


def page_key(page: Page) -> str:
    """Return the key under which a common page's sections are compiled."""
    return f"page:{page.slug}" + ("" if page.lang == "en" else f".{page.lang}")


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


def compose_variant(page: Page, council: str, override: Override | None = None, *, nation: str) -> Composed:
    """Return the variant of `page` for `council` (in `nation`), applying the council's override file if any."""
    page = page.in_nation(nation)
    common = compose_common(page)
    if override is None:
        return Composed(page=page, council=council, summary=common.summary, keywords=common.keywords,
                        sections=common.sections, sources=common.sources)
    return Composed(
        page=page,
        council=council,
        summary=override.summary or page.summary,
        keywords=_merge(page.keywords, override.keywords),
        sections=tuple(compose_sections(page, override)),
        sources=(page.source, override.source),
    )



def compose_sections(page: Page, override: Override) -> list[SectionRef]:
    """Return the sections of a page as changed by an override, following the rules in this module's docstring."""
    key = page_key(page)

    def own(section: Section) -> SectionRef:
        return SectionRef(override.key, section.id, section.title)

    if override.whole_body:
        return [own(s) for s in override.sections]
    mine = {s.id: s for s in override.sections}
    before = dict(override.before)
    after = dict(override.after)
    removed = set(override.remove)
    common_ids = set(page.section_ids())
    # Sections placed at a section this variant does not show (another nation's) close the page instead.
    placed = {i for anchor, ids in (*before.items(), *after.items()) if anchor in common_ids for i in ids}
    out: list[SectionRef] = []
    if "intro" in mine and "intro" not in common_ids:
        out.append(own(mine["intro"]))
    for section in page.sections:
        out.extend(own(mine[i]) for i in before.get(section.id, ()))
        if section.id in mine:
            out.append(own(mine[section.id]))
        elif section.id not in removed:
            out.append(SectionRef(key, section.id, section.title))
        out.extend(own(mine[i]) for i in after.get(section.id, ()))
    out.extend(own(s) for s in override.sections
               if s.id not in common_ids and s.id not in placed and s.id != "intro")
    return out


def compose_council_page(page: CouncilPage) -> Composed:
    """Return a council-only page as its own sections."""
    return Composed(
        page=page,  # type: ignore[arg-type]  # a CouncilPage has every field the templates read from a Page
        council=page.council,
        summary=page.summary,
        keywords=page.keywords,
        sections=tuple(SectionRef(page.key, s.id, s.title) for s in page.sections),
        sources=(page.source,),
    )


def _merge(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for word in (*first, *second):
        seen.setdefault(word, None)
    return tuple(seen)
