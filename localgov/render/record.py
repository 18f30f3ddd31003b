"""What rendering one page made and read: the record the render stage returns for every page.

A render notes what it reads as it goes, in a `Reads` made for that page alone, so nothing has
to be reset between pages and a page's record cannot include what another page read. Besides
the layouts it used, it names each input it read (`needs`), in the words below; the build keys
the page with what those inputs are now (localgov/build/keys.py), so the key of a page cannot
drift from what its render reads.

- `file:<path>`: a source file, all of it (a common page, a topic);
- `council:<slug>`: a council's data: its council.yaml, and the names and front matter of its files;
- `council-page:<slug>/<page>`: the council's file for one page (an override or a council-only
  page), or that it has none;
- `resolution:<page>`: which councils provide a page, and which bodies provide it or part of it;
- `alerts:<slug>`: which of a council's alerts show on the build date;
- `history:<path>`: when a source file last changed in the repository (a page's "Last updated");
- `structure`: what pages show of each other: every topic, the front matter of every Markdown file,
  every council.yaml and the list of files;
- `coverage`, `coverage:<slug>`: the coverage report, or one council's entry in it.

Every page also reads the site's config, its assets and this package's code, which are part of
every key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from localgov.model import Output
from localgov.sandbox import Missing

STRUCTURE = "structure"
COVERAGE = "coverage"


def source(path: str) -> str:
    return f"file:{path}"


def council(slug: str) -> str:
    return f"council:{slug}"


def council_page(slug: str, page: str) -> str:
    return f"council-page:{slug}/{page}"


def resolution(page: str) -> str:
    return f"resolution:{page}"


def alerts(slug: str) -> str:
    return f"alerts:{slug}"


def history(path: str) -> str:
    return f"history:{path}"


def coverage_of(slug: str) -> str:
    return f"{COVERAGE}:{slug}"

# A local URL in an attribute; the attribute's name is checked apart, as a pattern that begins with
# the literal `="/` is found many times faster than one that begins with a choice of names.
LOCAL_VALUE = re.compile(rb'="(/(?!/)[^"#?]*)')


def internal_links(data: bytes) -> tuple[str, ...]:
    """Return the distinct internal links of a page (`href="/..."`, `src="/..."`; fragments and queries cut off),
    sorted."""
    found = set()
    for match in LOCAL_VALUE.finditer(data):
        start = match.start()
        if data[start - 4:start] == b"href" or data[start - 3:start] == b"src":
            found.add(match.group(1))
    return tuple(sorted(link.decode("utf-8", "replace") for link in found))


@dataclass(frozen=True)
class PageRecord:
    """One rendered page, and what rendering it read."""

    output: Output
    templates: tuple[str, ...] = ()  # its layouts, then partials rendered apart (the build follows what they use)
    missing: tuple[str, ...] = ()  # the council data its text asked for and the council lacks
    links: tuple[str, ...] = ()  # its internal links
    needs: tuple[str, ...] = ()  # the inputs it read besides its layouts, named as above


@dataclass
class Reads:
    """What one page's render has read so far."""

    templates: set[str] = field(default_factory=set)
    parts: set[str] = field(default_factory=set)  # partials rendered on their own for it (Renderer.part)
    missing: Missing = field(default_factory=Missing)  # given to the council view of the page's text
    needs: set[str] = field(default_factory=set)

    def template(self, name: str) -> None:
        self.templates.add(name)

    def part(self, name: str) -> None:
        self.parts.add(name)

    def need(self, *names: str) -> None:
        """Note inputs the page read (named with the functions above)."""
        self.needs.update(names)

    def record(self, output: Output) -> PageRecord:
        """Return the record of the page rendered as `output`."""
        links = internal_links(output.data) if output.path.endswith(".html") else ()
        templates = (*sorted(self.templates), *sorted(self.parts - self.templates))
        return PageRecord(output, templates,
                          tuple(sorted({name for _, _, name in self.missing.items})), links, tuple(sorted(self.needs)))
