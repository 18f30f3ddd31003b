"""What rendering one page made and read: the record the render stage returns for every page.

A render notes what it reads as it goes, in a `Reads` made for that page alone, so nothing has
to be reset between pages and a page's record cannot include what another page read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from localgov.model import Output
from localgov.sandbox import Missing

COVERAGE = "@coverage"  # noted among a page's templates when it shows the coverage report

INTERNAL = re.compile(rb"""(?:href|src)="(/(?!/)[^"#?]*)""")


def internal_links(data: bytes) -> tuple[str, ...]:
    """Return the distinct internal links of a page (fragments and queries cut off), sorted."""
    return tuple(sorted(link.decode("utf-8", "replace") for link in set(INTERNAL.findall(data))))


@dataclass(frozen=True)
class PageRecord:
    """One rendered page, and what rendering it read."""

    output: Output
    templates: tuple[str, ...] = ()  # the layouts it was rendered with (what they use is followed by the build)
    missing: tuple[str, ...] = ()  # the council data its text asked for and the council lacks
    links: tuple[str, ...] = ()  # its internal links


@dataclass
class Reads:
    """What one page's render has read so far."""

    templates: set[str] = field(default_factory=set)
    missing: Missing = field(default_factory=Missing)  # given to the council view of the page's text

    def template(self, name: str) -> None:
        self.templates.add(name)

    def record(self, output: Output) -> PageRecord:
        """Return the record of the page rendered as `output`."""
        links = internal_links(output.data) if output.path.endswith(".html") else ()
        return PageRecord(output, tuple(sorted(self.templates)),
                          tuple(sorted({name for _, _, name in self.missing.items})), links)
