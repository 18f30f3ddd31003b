"""What is in Welsh and what is not: per common page and per council in Wales, for `check` and `report`.

A common page is *translated* when it has its `<page>.cy.md`, *stale* when the English page has
changed since (its `translated_from` no longer matches), and *missing* otherwise. A council in Wales
lacks Welsh for a page it provides when the common page has no Welsh, or when the council changes the
page and has no Welsh file of its own beside its English one: its Welsh URL then says, in Welsh, that
the page is not yet available in Welsh.
"""

from __future__ import annotations

from dataclasses import dataclass

from localgov.errors import Problems
from localgov.model import Site

MISSING_MARKER = "no Welsh translation"  # in the warning of each page a council in Wales lacks in Welsh
STALE_MARKER = "has changed since it was translated"
WELSH_NAME_MARKER = "needs its Welsh name"


@dataclass(frozen=True)
class PageWelsh:
    """One common page: its Welsh file, if any, and the councils in Wales that provide it."""

    slug: str
    source: str
    welsh: str | None
    state: str  # "translated", "stale" or "missing"
    councils: tuple[str, ...]


@dataclass(frozen=True)
class CouncilWelsh:
    """One council in Wales: its Welsh name and the pages it provides that are not in Welsh."""

    slug: str
    name: str
    name_cy: str
    pages: int
    missing: tuple[str, ...]  # common pages with no Welsh
    overrides: tuple[str, ...]  # pages the council changes with no Welsh file of its own
    council_pages: tuple[str, ...]  # its own pages, which have no Welsh

    @property
    def translated(self) -> int:
        return self.pages - len(set(self.missing) | set(self.overrides) | set(self.council_pages))


@dataclass(frozen=True)
class WelshStatus:
    pages: tuple[PageWelsh, ...]
    councils: tuple[CouncilWelsh, ...]


def welsh_status(site: Site) -> WelshStatus:
    """Return what is in Welsh and what is not, for every common page and every council in Wales."""
    wales = [slug for slug, council in sorted(site.councils.items()) if council.nation == "wales"]
    pages: list[PageWelsh] = []
    for slug, page in sorted(site.content.pages.items()):
        translation = site.content.welsh.get(slug)
        state = "missing" if translation is None else "translated" if translation.current else "stale"
        councils = tuple(c for c in site.resolution.councils_for(slug) if c in wales)
        pages.append(PageWelsh(slug, page.source, translation.source if translation else None, state, councils))
    found: list[CouncilWelsh] = []
    for slug in wales:
        council = site.councils[slug]
        provided = site.resolution.pages_of(slug)
        own = tuple(p.slug for p in site.overrides.pages_of(slug))
        missing = tuple(p for p in provided if p not in site.content.welsh)
        overrides = tuple(p for p in provided if p in site.content.welsh and site.overrides.for_variant(slug, p)
                          and (slug, p) not in site.overrides.welsh)
        found.append(CouncilWelsh(slug, council.name, council.name_cy, len(provided) + len(own), missing, overrides,
                                  own))
    return WelshStatus(tuple(pages), tuple(found))


def check_welsh(site: Site, problems: Problems) -> None:
    """Warn of each Welsh page whose English page has changed, and of each page a council in Wales lacks in Welsh."""
    status = welsh_status(site)
    for page in status.pages:
        translation = site.content.welsh.get(page.slug)
        if page.state == "stale" and translation is not None:
            problems.warn(translation.source, translation.line, f"{page.source} {STALE_MARKER}; check the Welsh"
                          " still says the same, then update translated_from", field="translated_from",
                          expected=translation.english_digest, found=translation.translated_from)
        if page.state == "missing" and page.councils:
            names = ", ".join(page.councils[:5]) + (f" and {len(page.councils) - 5} more" if len(page.councils) > 5
                                                   else "")
            problems.warn(page.source, 0, f"{MISSING_MARKER}: the Welsh pages of {names} say it is not yet available"
                          " in Welsh", expected=page.source.removesuffix(".md") + ".cy.md", found="no such file")
    for council in status.councils:
        for slug in council.overrides:
            override = site.overrides.for_variant(council.slug, slug)
            if override is not None:
                problems.warn(override.source, 0, f"{MISSING_MARKER} of this council file: the Welsh page says it is"
                              " not yet available in Welsh", expected=override.source.removesuffix(".md") + ".cy.md",
                              found="no such file")
        if not council.name_cy:
            source = site.councils[council.slug].source
            problems.warn(source, 0, f"a council in Wales {WELSH_NAME_MARKER} for its Welsh pages", field="name_cy",
                          expected="the council's name in Welsh, like Cyngor Caerdydd", found="nothing")


def to_text(status: WelshStatus) -> str:
    """Return the Welsh part of `localgov report`: each council in Wales, then each page not in Welsh."""
    if not status.councils and not any(p.welsh for p in status.pages):
        return ""
    lines = ["", "Welsh"]
    translated = sum(1 for p in status.pages if p.state == "translated")
    stale = [p for p in status.pages if p.state == "stale"]
    lines.append(f"  {translated} of {len(status.pages)} common pages in Welsh, {len(stale)} changed in English since")
    for council in status.councils:
        name = council.name_cy or f"{council.name} (no Welsh name)"
        lines.append(f"  {council.slug}: {name}: {council.translated} of {council.pages} pages in Welsh")
        for slug in council.missing:
            lines.append(f"    not in Welsh: {slug}")
        for slug in council.overrides:
            lines.append(f"    council file not in Welsh: {slug}")
        for slug in council.council_pages:
            lines.append(f"    council-only page not in Welsh: {slug}")
    for page in stale:
        lines.append(f"  changed since translated: {page.source} (Welsh: {page.welsh})")
    return "\n".join(lines) + "\n"


def to_json(status: WelshStatus) -> dict[str, object]:
    """Return the Welsh part of `localgov report --json`."""
    return {
        "pages": [{"slug": p.slug, "source": p.source, "welsh": p.welsh, "state": p.state, "councils": list(p.councils)}
                  for p in status.pages],
        "councils": [{"slug": c.slug, "name": c.name, "name_cy": c.name_cy or None, "pages": c.pages,
                      "translated": c.translated, "missing": list(c.missing), "overrides": list(c.overrides),
                      "council_pages": list(c.council_pages)} for c in status.councils],
    }
