"""Split a Markdown file into YAML front matter and body."""

from __future__ import annotations

from dataclasses import dataclass

from localgov.load.yamlfile import NO_CONTROL, YamlDoc, YamlProblem, control_character, parse_mapping


@dataclass(frozen=True)
class Document:
    """Front matter and the body that follows it; `body_line` is the body's first line in the file."""

    meta: YamlDoc
    body: str
    body_line: int


class FrontMatterProblem(Exception):
    """The file's front matter is missing or malformed, or the file has text no page may have."""

    def __init__(self, message: str, line: int, *, field: str = "", expected: str = "", found: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.field = field
        self.expected = expected
        self.found = found


def read_document(text: str) -> Document:
    """Parse `---`-fenced YAML front matter at the top of `text`."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    control = control_character(text)
    if control is not None:
        raise FrontMatterProblem("a control character is not allowed", control[0], expected=NO_CONTROL,
                                 found=control[1])
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise FrontMatterProblem("no front matter: the file must start with a line '---'", 1)
    for number in range(1, len(lines)):
        if lines[number].strip() in ("---", "..."):
            break
    else:
        raise FrontMatterProblem("front matter is not closed: add a line '---' after it", 1)
    try:
        meta = parse_mapping("\n".join(lines[1:number]), line_offset=1)
    except YamlProblem as exc:
        raise FrontMatterProblem(str(exc), exc.line, field=exc.field, expected=exc.expected, found=exc.found) from None
    return Document(meta=meta, body="\n".join(lines[number + 1:]), body_line=number + 2)
