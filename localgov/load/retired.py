"""Load `content/_retired.yaml`: Local Government Service List codes whose service no longer exists.

A retired code gets no page (a page for a service that has ended would send residents to nothing): the
file says what each service was, why it ended and where that is recorded, and no page may carry it.
"""

from __future__ import annotations

import os
from pathlib import Path

from localgov.errors import Problems, describe
from localgov.load.fields import FieldReader, did_you_mean, read_yaml_file
from localgov.load.paths import relative
from localgov.model import Page, Retired

RETIRED_FILE = "_retired.yaml"
RETIRED_FIELDS = frozenset({"lgsl", "service", "reason", "sources"})


def load_retired(root: Path, pages: dict[str, Page], problems: Problems) -> tuple[Retired, ...]:
    """Return the retired codes, refusing an entry without a reason or a source, and a page that carries one."""
    path = root / "content" / RETIRED_FILE
    if not os.path.lexists(path):
        return ()
    rel = relative(path, root)
    doc = read_yaml_file(path, rel, problems, folder=root / "content", root=root)
    if doc is None:
        return ()
    FieldReader(rel, doc, problems).reject_unknown(frozenset({"codes"}))
    entries = doc.data.get("codes")
    if not isinstance(entries, list):
        problems.error(rel, doc.line("codes"), "wrong type", field="codes", expected="a list of '- lgsl: ...' entries",
                       found=describe(entries))
        return ()
    carried = {code: page for page in pages.values() for code in page.lgsl}
    found: dict[int, Retired] = {}
    for number, entry in enumerate(entries, start=1):
        key = f"codes[{number}]"
        line = doc.line(key) or doc.first_line
        if not isinstance(entry, dict):
            problems.error(rel, line, "wrong type", field=key, expected="a mapping with lgsl, service, reason and"
                           " sources", found=describe(entry))
            continue
        inner = doc.part(key, entry)
        fields = FieldReader(rel, inner, problems)
        for name in sorted(set(map(str, entry)) - RETIRED_FIELDS):
            problems.error(rel, inner.line(name) or line, f"unknown field{did_you_mean(name, RETIRED_FIELDS)}",
                           field=f"{key}.{name}", expected="one of " + ", ".join(sorted(RETIRED_FIELDS)),
                           found=repr(name))
        codes = fields.integers("lgsl")
        service = fields.text("service", required=True)
        reason = fields.text("reason", required=True)
        sources = fields.sources("sources")
        if not sources:
            problems.error(rel, line, "a retired code needs a source for why it was retired", field=f"{key}.sources",
                           expected="a list of '- title: ..., url: https://...' entries")
        if len(codes) != 1:
            if "lgsl" in entry and codes:
                problems.error(rel, inner.line("lgsl") or line, "one code per entry", field=f"{key}.lgsl",
                               expected="a whole number", found=describe(entry.get("lgsl")))
            elif "lgsl" not in entry:
                problems.error(rel, line, "missing field", field=f"{key}.lgsl", expected="the retired LGSL code")
            continue
        code = codes[0]
        if code in found:
            problems.error(rel, inner.line("lgsl") or line, f"LGSL code {code} is listed twice",
                           field=f"{key}.lgsl", expected="each code once", found=str(code))
            continue
        if code in carried:
            page = carried[code]
            problems.error(page.source, 1, f"LGSL code {code} ({service or 'a retired service'}) is retired: {rel}"
                           f" line {inner.line('lgsl') or line} says why",
                           field="lgsl", expected="a code whose service exists", found=str(code))
        if service and reason and sources:
            found[code] = Retired(lgsl=code, service=service, reason=reason, sources=sources)
    return tuple(sorted(found.values(), key=lambda r: r.lgsl))


def check_codes_unique(pages: dict[str, Page], problems: Problems) -> None:
    """Refuse an LGSL code carried by two pages: a council's link given under it would fit both."""
    first: dict[int, Page] = {}
    for page in sorted(pages.values(), key=lambda p: p.source):
        for code in page.lgsl:
            if code in first:
                problems.error(page.source, 1, f"LGSL code {code} is already carried by {first[code].source}",
                               field="lgsl", expected="each code on one page", found=str(code))
            else:
                first[code] = page
