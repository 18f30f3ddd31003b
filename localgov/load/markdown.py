"""Markdown to GOV.UK HTML, converted once per source, with Jinja placeholders kept intact.

Python-Markdown would mangle Jinja: block tags on their own lines become paragraphs,
`<` and `&` inside tags are escaped and `*` inside expressions becomes emphasis. So every
Jinja tag is swapped for an opaque word before conversion and put back afterwards; the
result is compiled once as a sandboxed template and rendered per council. The opaque word
is chosen per text so that no text can contain it, however it is written.

Text that is not a template (an alert body) is converted with `markup`: any Jinja syntax in it
is plain text, and the sanitiser runs on the final HTML.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from localgov.errors import Problems
from localgov.model import Section

# Jinja comments ({# #}) are not supported in content: `{#id}` is how headings get their ids.
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
BLOCK_LINE = re.compile(r"^[ \t]*\{%.*?%\}[ \t]*$")
FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
MARKER = "LGVJ"  # placeholders are MARKER + number + "JVGL"; MARKER grows until the text does not contain it
ANY_TOKEN = re.compile(r"LGVJQ*\d+JVGL", re.IGNORECASE)
MAX_NESTING = 20  # lists and quotes inside each other: Python-Markdown recurses, and slows, with each level
NESTING = re.compile(r"^([ \t>]*)((?:[-*+]|\d{1,9}[.)])(?:[ \t]|$))?")
H2 = re.compile(r"(?=<h2[\s>])")
H2_TAG = re.compile(r"^<h2[^>]*?\bid=\"([^\"]+)\"[^>]*>(.*?)</h2>", re.DOTALL)
# `## Heading {#id nations="scotland wales"}`: a section only the variants for councils in those nations show.
H2_NATIONS = re.compile(r"^(<h2[^>]*?)\snations=\"([^\"]*)\"")
TAGS = re.compile(r"<[^>]+>")

CLASSES: dict[str, str] = {
    "p": "govuk-body",
    "h1": "govuk-heading-l",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "table": "govuk-table",
    "thead": "govuk-table__head",
    "tbody": "govuk-table__body",
    "tr": "govuk-table__row",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
    "caption": "govuk-table__caption govuk-table__caption--m",
    "blockquote": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--visible govuk-section-break--m",
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "details", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "hr", "i", "li", "ol", "p", "pre", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "title"},
    "a": {"href", "hreflang"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "scope", "align"},
    "abbr": {"title"},
}


@dataclass(frozen=True)
class Refusal:
    """Why a text cannot be converted: where, what, what was expected and what was found."""

    line: int
    message: str
    expected: str
    found: str


@dataclass(frozen=True)
class Converted:
    """A converted source: its sections and whether any contain Jinja to fill per council.

    `refusals` says why a text could not be converted (then it has no sections).
    """

    sections: tuple[Section, ...]
    templated: bool
    token_lines: tuple[int, ...]
    headings_h1: tuple[int, ...] = ()
    refusals: tuple[Refusal, ...] = ()


def report(rel: str, converted: Converted, problems: Problems, *, field: str = "") -> None:
    """Report why a text could not be converted, against the file `rel`."""
    for refusal in converted.refusals:
        problems.error(rel, refusal.line, refusal.message, field=field, expected=refusal.expected,
                       found=refusal.found)


class GovukClasses(Treeprocessor):
    """Add GOV.UK Frontend classes to every element Markdown produced."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            extra = CLASSES.get(element.tag)
            if extra is None or _is_stash(element):
                continue
            current = element.get("class")
            element.set("class", f"{extra} {current}" if current else extra)
            if element.tag == "th" and element.get("scope") is None:
                element.set("scope", "col")


def _is_stash(element: etree.Element) -> bool:
    """Say whether a paragraph only holds stashed raw HTML, which must stay a bare <p> to be swapped back."""
    text = (element.text or "").strip()
    return element.tag == "p" and len(element) == 0 and text.startswith("\x02") and text.endswith("\x03")


class GovukExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(GovukClasses(md), "govuk_classes", 0)


def slugify(value: str, separator: str = "-") -> str:
    """Make a heading id from its text, leaving out Jinja placeholders."""
    value = ANY_TOKEN.sub("", value)
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s_]+", separator, value).strip(separator) or "section"


def new_markdown() -> markdown.Markdown:
    """Return a Markdown converter configured for GOV.UK content."""
    return markdown.Markdown(
        extensions=["tables", "attr_list", "toc", "fenced_code", "codehilite", "sane_lists", GovukExtension()],
        extension_configs={
            "toc": {"slugify": slugify, "toc_depth": "2-3"},
            "codehilite": {"css_class": "highlight", "guess_lang": False},
        },
        output_format="html",
    )


def marker_for(text: str) -> str:
    """Return a placeholder marker that occurs nowhere in `text`, nor in it with character references decoded.

    Markdown and the sanitiser decode references like `&#48;`, so a marker absent from the raw text alone
    could still be forged; a marker absent from both cannot.
    """
    seen = f"{text}\n{html.unescape(text)}".lower()
    marker = MARKER
    while marker.lower() in seen:
        marker += "Q"
    return marker


def protect(text: str, first_line: int, marker: str = MARKER) -> tuple[str, list[str], list[int]]:
    """Swap Jinja tags for opaque words; return the text, the tags and each tag's source line."""
    tags: list[str] = []
    lines_of: list[int] = []
    out: list[str] = []
    fence: str | None = None
    lines = text.split("\n")
    # Expressions may span lines, so scan the text outside code, not line by line.
    chunk: list[tuple[int, str]] = []

    def flush() -> None:
        if not chunk:
            return
        start = chunk[0][0]
        joined = "\n".join(line for _, line in chunk)
        out.append(_protect_chunk(joined, start, tags, lines_of, marker))
        chunk.clear()

    for number, line in enumerate(lines):
        opening = FENCE.match(line)
        if fence is not None:
            out.append(line)
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            flush()
            fence = opening.group(1)
            out.append(line)
            continue
        chunk.append((first_line + number, line))
    flush()
    return "\n".join(out), tags, lines_of


def _protect_chunk(text: str, first_line: int, tags: list[str], lines_of: list[int], marker: str) -> str:
    pieces: list[str] = []
    position = 0
    for span in CODE_SPAN.finditer(text):
        pieces.append(_swap(text[position:span.start()], first_line + text.count("\n", 0, position), tags, lines_of,
                            marker))
        pieces.append(span.group(0))
        position = span.end()
    pieces.append(_swap(text[position:], first_line + text.count("\n", 0, position), tags, lines_of, marker))
    return "".join(pieces)


def _swap(text: str, first_line: int, tags: list[str], lines_of: list[int], marker: str) -> str:
    def replace(match: re.Match[str]) -> str:
        number = len(tags)
        tags.append(match.group(0))
        lines_of.append(first_line + text.count("\n", 0, match.start()))
        token = f"{marker}{number}JVGL"
        if _alone_on_line(text, match.start(), match.end()) and not match.group(0).startswith("{{"):
            return f"\n\n{token}\n\n"
        return token

    return JINJA.sub(replace, text)


def _alone_on_line(text: str, start: int, end: int) -> bool:
    before = text.rfind("\n", 0, start)
    after = text.find("\n", end)
    line = text[before + 1:after if after != -1 else len(text)]
    return bool(BLOCK_LINE.match(line))


def restore(html_text: str, tags: list[str], marker: str = MARKER) -> str:
    """Put the Jinja tags back; escape any other Jinja syntax (from code) so it prints as written."""
    token = re.compile(rf"{marker}(\d+)JVGL", re.IGNORECASE)
    lone = re.compile(rf"<p[^>]*>\s*({marker}(\d+)JVGL)\s*</p>", re.IGNORECASE)

    def tag(number: str) -> str | None:
        index = int(number)
        return tags[index] if index < len(tags) else None

    def unwrap(match: re.Match[str]) -> str:
        found = tag(match.group(2))
        return match.group(1) if found is not None and not found.startswith("{{") else match.group(0)

    html_text = lone.sub(unwrap, html_text)
    html_text = re.sub(r"\{(?=[{%#])", "{{ '{' }}", html_text)

    def put_back(match: re.Match[str]) -> str:
        found = tag(match.group(1))
        return html.unescape(found) if found is not None else match.group(0)

    return token.sub(put_back, html_text)


def sanitise(html_text: str) -> str:
    """Strip scripts, event handlers and unsafe links from contributed HTML."""
    return nh3.clean(
        html_text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel=None,
        strip_comments=True,
    )


def nesting(text: str, first_line: int = 1) -> Refusal | None:
    """Refuse lists and quotes nested more deeply than MAX_NESTING, at the first line that goes past it."""
    fence: str | None = None
    for number, line in enumerate(text.split("\n")):
        opening = FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        match = NESTING.match(line)
        prefix = match.group(1) if match else ""
        quotes = prefix.count(">")
        lists = len(prefix.replace(">", "").expandtabs(4)) // 4 + 1 if match and match.group(2) else 0
        if quotes + lists > MAX_NESTING:
            return Refusal(first_line + number, "lists or quotes are nested too deeply",
                           f"lists and quotes nested at most {MAX_NESTING} levels deep",
                           f"{quotes + lists} levels")
    return None


def _convert(text: str, first_line: int) -> str | Refusal:
    """Return `text` as HTML, or why it cannot be converted."""
    refusal = nesting(text, first_line)
    if refusal is not None:
        return refusal
    try:
        return new_markdown().convert(text)
    except RecursionError:
        return Refusal(first_line, "the text is nested too deeply to convert",
                       f"lists, quotes, links and emphasis nested at most {MAX_NESTING} levels deep",
                       "deeper nesting")


def convert(text: str, *, first_line: int = 1, contributed: bool = False) -> Converted:
    """Convert a Markdown body to GOV.UK HTML sections, once, keeping Jinja for later."""
    marker = marker_for(text)
    protected, tags, lines_of = protect(text, first_line, marker)
    body = _convert(protected, first_line)
    if isinstance(body, Refusal):
        return Converted(sections=(), templated=False, token_lines=(), refusals=(body,))
    if contributed:
        body = sanitise(body)
    h1_lines = tuple(first_line + i for i, line in enumerate(text.split("\n")) if re.match(r"^#\s", line))
    sections = split_sections(restore(body, tags, marker) if tags else _escape_braces(body))
    return Converted(sections=sections, templated=bool(tags), token_lines=tuple(lines_of), headings_h1=h1_lines)


def markup(text: str, *, first_line: int = 1, contributed: bool = False) -> Converted:
    """Convert Markdown that is not a template (an alert body) to GOV.UK HTML, as one section.

    Jinja syntax in it is plain text. For contributed text the sanitiser runs last, on the final HTML.
    """
    body = _convert(text, first_line)
    if isinstance(body, Refusal):
        return Converted(sections=(), templated=False, token_lines=(), refusals=(body,))
    if contributed:
        body = sanitise(body)
    return Converted(sections=(Section(id="intro", title="", html=body.strip()),), templated=False, token_lines=())


def _escape_braces(body: str) -> str:
    return re.sub(r"\{(?=[{%#])", "{{ '{' }}", body) if re.search(r"\{[{%#]", body) else body


def split_sections(body: str) -> tuple[Section, ...]:
    """Split HTML at each h2: the part before the first is the `intro` section."""
    parts = H2.split(body)
    sections: list[Section] = []
    for index, part in enumerate(parts):
        if not part.strip():
            continue
        match = H2_TAG.match(part)
        if match is None:
            sections.append(Section(id="intro" if index == 0 else f"part-{index}", title="", html=part.strip()))
            continue
        title = html.unescape(TAGS.sub("", match.group(2))).strip()
        nations: tuple[str, ...] = ()
        marked = H2_NATIONS.match(part)
        if marked is not None:
            nations = tuple(html.unescape(marked.group(2)).split())
            part = marked.group(1) + part[marked.end():]
        sections.append(Section(id=match.group(1), title=title, html=part.strip(), nations=nations))
    return tuple(sections)


def plain_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment."""
    return " ".join(html.unescape(TAGS.sub(" ", fragment)).split())
