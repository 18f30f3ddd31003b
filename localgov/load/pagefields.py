"""What common pages and their Welsh translations share: who provides a service elsewhere, section ids, synonyms."""

from __future__ import annotations

import os
from pathlib import Path

from localgov.errors import Problems, describe
from localgov.load.fields import FieldReader
from localgov.load.markdown import markup, report
from localgov.load.paths import Unreadable, read_source, relative
from localgov.model import NATIONS, Section


def read_elsewhere(fields: FieldReader) -> tuple[tuple[str, str], ...]:
    """Read `provided_elsewhere`: nation -> who provides the service there, as HTML."""
    raw = fields.mapping("provided_elsewhere")
    out: list[tuple[str, str]] = []
    for nation, text in raw.items():
        if nation not in NATIONS:
            fields.problems.error(fields.file, fields.doc.line("provided_elsewhere"), "not a nation",
                                  field=f"provided_elsewhere.{nation}", expected="one of " + ", ".join(NATIONS),
                                  found=repr(nation))
            continue
        if not isinstance(text, str) or not text.strip():
            fields.problems.error(fields.file, fields.doc.line("provided_elsewhere"), "wrong type",
                                  field=f"provided_elsewhere.{nation}", expected="a sentence saying who provides it",
                                  found=describe(text))
            continue
        converted = markup(text.strip(), first_line=fields.doc.line(f"provided_elsewhere.{nation}"))
        report(fields.file, converted, fields.problems, field=f"provided_elsewhere.{nation}")
        out.append((nation, "".join(s.html for s in converted.sections)))
    return tuple(out)


def check_sections(rel: str, first_line: int, sections: tuple[Section, ...], problems: Problems,
                   body: str = "") -> None:
    """Check that section ids are unique and that `nations=` names nations."""
    seen: set[str] = set()
    lines = body.split("\n")
    for section in sections:
        line = next((first_line + n for n, text in enumerate(lines)
                     if text.startswith("## ") and "{#" + section.id in text), first_line)
        if section.id in seen:
            problems.error(rel, line, f"two sections have the id '{section.id}'",
                           expected="a unique {#id} on each '## ' heading")
        seen.add(section.id)
        unknown = [n for n in section.nations if n not in NATIONS]
        if unknown or (section.nations == () and f'{{#{section.id} nations=""' in body):
            problems.error(rel, line, "not a nation", field="nations", expected="nations from "
                           + ", ".join(NATIONS) + ", separated by spaces", found=repr(" ".join(unknown)))


def load_synonyms(root: Path, problems: Problems, name: str = "_synonyms.yaml") -> tuple[tuple[str, ...], ...]:
    """Read `content/_synonyms.yaml` (or the Welsh `_synonyms.cy.yaml`): groups of words residents use alike."""
    import yaml

    path = root / "content" / name
    rel = relative(path, root)
    if not os.path.lexists(path):
        return ()
    try:
        data = yaml.safe_load(read_source(path, root / "content", root).decode("utf-8"))
    except Unreadable as exc:
        problems.error(rel, 0, str(exc), expected=exc.expected, found=exc.found)
        return ()
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.error(rel, mark.line + 1 if mark else 0, f"cannot read synonyms: {exc}".splitlines()[0])
        return ()
    if data is None:
        return ()
    if not isinstance(data, list) or not all(
        isinstance(group, list) and len(group) >= 2 and all(isinstance(w, str) and w.strip() for w in group)
        for group in data
    ):
        problems.error(rel, 1, "wrong shape", expected="a list of groups, each a list of two or more words",
                       found=describe(data))
        return ()
    return tuple(tuple(w.strip().lower() for w in group) for group in data)
