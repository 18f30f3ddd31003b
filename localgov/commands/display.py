"""Show problems so people can act on them: where, a few lines of the file around it, expected and found.

In a terminal the lines are highlighted with Pygments and the problem line is marked; when
the output goes to a file or a pipe the same lines are shown as plain text. The live preview
shows the same report as HTML over the page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from localgov.errors import Problem
from localgov.load.paths import Unreadable, read_source

if TYPE_CHECKING:
    from pygments.lexer import Lexer

CONTEXT = 2  # lines shown before and after the problem line
SHOWN_WITH_CONTEXT = 20  # problems shown with their lines; the rest get one line each


def wants_colour(stream: IO[str]) -> bool:
    """Say whether `stream` is a terminal."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        return False


def source_lines(root: Path, problem: Problem, context: int = CONTEXT) -> list[tuple[int, str]]:
    """Return (number, text) for the lines around the problem's line, or nothing when there is no file or line."""
    if problem.line <= 0:
        return []
    path = Path(problem.file)
    if not path.is_absolute():
        path = root / path
    try:
        # Only a regular file, and not a huge one: the problem may be that it is a pipe or a device.
        text = read_source(path, path.parent, root).decode("utf-8", "replace")
    except Unreadable:
        return []
    lines = text.replace("\r\n", "\n").split("\n")
    if problem.line > len(lines):
        return []
    first = max(1, problem.line - context)
    last = min(len(lines), problem.line + context)
    return [(number, lines[number - 1]) for number in range(first, last + 1)]


def _lexer_for(file: str) -> Lexer:
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
    from pygments.util import ClassNotFound

    if file.endswith(".html"):
        return get_lexer_by_name("html+jinja")
    if file.endswith((".yaml", ".yml")):
        return get_lexer_by_name("yaml+jinja")
    try:
        return get_lexer_for_filename(file)
    except ClassNotFound:
        from pygments.lexers.special import TextLexer

        return TextLexer()


def _highlight(file: str, lines: list[tuple[int, str]]) -> list[str]:
    from pygments import highlight
    from pygments.formatters import TerminalFormatter

    text = "\n".join(line for _, line in lines)
    coloured = highlight(text, _lexer_for(file), TerminalFormatter()).rstrip("\n").split("\n")
    return coloured if len(coloured) == len(lines) else [line for _, line in lines]


def excerpt(root: Path, problem: Problem, *, colour: bool) -> list[str]:
    """Return the numbered lines around a problem, the problem line marked."""
    lines = source_lines(root, problem)
    if not lines:
        return []
    texts = _highlight(problem.file, lines) if colour else [line for _, line in lines]
    width = len(str(lines[-1][0]))
    out: list[str] = []
    for (number, _), text in zip(lines, texts, strict=False):
        mark = ">" if number == problem.line else " "
        if colour and number == problem.line:
            out.append(f"\033[1;31m{mark} {number:>{width}} |\033[0m {text}")
        else:
            out.append(f"{mark} {number:>{width}} | {text}")
    return out


def headline(problem: Problem, *, colour: bool) -> str:
    text = problem.format()
    if not colour:
        return text
    tint = "\033[1;31m" if problem.severity == "error" else "\033[1;33m"
    marker = f": {problem.severity}: "
    where, found, rest = text.partition(marker)
    if not found:
        return text
    return f"\033[1m{where}\033[0m: {tint}{problem.severity}\033[0m: {rest}"


def report(problems: Sequence[Problem], root: Path, *, colour: bool = False,
           with_context: int = SHOWN_WITH_CONTEXT) -> str:
    """Return every problem, the first `with_context` of them with the lines they point at."""
    blocks: list[str] = []
    for number, problem in enumerate(problems):
        block = [headline(problem, colour=colour)]
        if number < with_context:
            lines = excerpt(root, problem, colour=colour)
            if lines:
                block.extend(lines)
                block.append("")
        blocks.append("\n".join(block))
    return "\n".join(blocks).rstrip("\n")


def print_report(problems: Sequence[Problem], root: Path, stream: IO[str]) -> None:
    if problems:
        print(report(problems, root, colour=wants_colour(stream)), file=stream)


def html_report(problems: Sequence[Problem], root: Path, title: str) -> str:
    """Return the problems as an HTML panel, for the live preview."""
    items: list[str] = []
    for problem in problems[:50]:
        lines = source_lines(root, problem)
        rows = "".join(
            f'<span style="display:block;{"background:#f4d9d6;font-weight:bold" if n == problem.line else ""}">'
            f"{n:>5} | {html.escape(text)}</span>" for n, text in lines)
        code = f'<pre style="margin:8px 0 0;padding:8px;background:#fff;overflow:auto">{rows}</pre>' if rows else ""
        items.append(f'<li style="margin-bottom:16px"><code>{html.escape(problem.format())}</code>{code}</li>')
    more = f"<p>and {len(problems) - 50} more</p>" if len(problems) > 50 else ""
    return (
        '<div id="localgov-build-problems" role="alert" style="position:relative;z-index:10000;margin:0;'
        'padding:20px;border:5px solid #d4351c;background:#fef7f6;color:#0b0c0c;font:16px/1.4 arial,sans-serif">'
        f'<h2 style="margin:0 0 12px;font-size:24px">{html.escape(title)}</h2>'
        "<p>The page below is from the last build that worked. Fix the problem and save: the page reloads.</p>"
        f'<ul style="padding-left:20px">{"".join(items)}</ul>{more}</div>'
    )
