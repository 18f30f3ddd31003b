"""Read YAML mappings while keeping the line of every key, for error messages."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML mapping with the 1-based line of each key: `name`, `links.bins`, `alerts[1].end`."""

    data: dict[str, Any]
    lines: dict[str, int]
    first_line: int
    values: dict[str, int] = field(default_factory=dict)  # the line each text value starts on, by key

    def line(self, key: str) -> int:
        return self.lines.get(key, self.first_line)

    def part(self, key: str, data: dict[str, Any]) -> YamlDoc:
        """Return the mapping under `key` (`data`) as a document of its own, its lines keyed from it."""
        prefix = f"{key}."
        return YamlDoc(data=data, lines={k[len(prefix):]: v for k, v in self.lines.items() if k.startswith(prefix)},
                       first_line=self.line(key))

    def value_line(self, key: str) -> int:
        """Return the line a value's text starts on: the line after `key: |`, else the key's own line."""
        return self.values.get(key, self.line(key))


class YamlProblem(Exception):
    """The text is not a YAML mapping; carries the line it failed on, and the field, expected and found if known."""

    def __init__(self, message: str, line: int, *, field: str = "", expected: str = "", found: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.field = field
        self.expected = expected
        self.found = found


# Characters no source text needs, which HTML and YAML do not allow or which hide what the text says:
# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NO_CONTROL = "text without control characters"


def control_character(text: str, first_line: int = 1) -> tuple[int, str] | None:
    """Return (line, description) of the first control character in `text`, or None if it has none."""
    match = CONTROL.search(text)
    if match is None:
        return None
    start = text.rfind("\n", 0, match.start()) + 1
    line = first_line + text.count("\n", 0, match.start())
    return line, f"U+{ord(match.group(0)):04X} at column {match.start() - start + 1}"


def check_text(text: str, line_offset: int = 0) -> None:
    """Refuse text with a control character, at its line."""
    found = control_character(text, line_offset + 1)
    if found is not None:
        raise YamlProblem("a control character is not allowed", found[0], expected=NO_CONTROL, found=found[1])


# Deeper nesting than any real file needs; libyaml and PyYAML recurse, so refuse it before parsing.
MAX_DEPTH = 40


def check_shape(text: str, line_offset: int = 0) -> None:
    """Refuse what no content or council file needs and a parser cannot survive: deep nesting, anchors, aliases."""
    depth = 0
    for number, line in enumerate(text.split("\n"), start=1):
        indent = len(line) - len(line.lstrip(" "))
        if indent > MAX_DEPTH * 4:
            raise YamlProblem(f"nested too deeply (more than {MAX_DEPTH} levels)", line_offset + number)
        quote = ""  # a quote left open is an apostrophe in plain text, so it ends with the line
        for char in line:
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(f"nested too deeply (more than {MAX_DEPTH} levels)", line_offset + number)
            elif char in "]}":
                depth = max(0, depth - 1)
            elif char == "#":
                break
    if "&" not in text and "*" not in text:
        return
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                where = event.start_mark.line + 1 if event.start_mark else 1
                raise YamlProblem("YAML anchors and aliases (&name, *name) are not allowed; write the value out",
                                  line_offset + where)
    except yaml.YAMLError:
        return  # the parser reports the syntax error itself, with its line


def parse_mapping(text: str, line_offset: int = 0) -> YamlDoc:
    """Parse `text` as a YAML mapping; `line_offset` is added to every line number.

    The same text is parsed once per process (the live preview and the tests read the same files build after
    build); each caller gets mappings of its own, and a text that is not a mapping is parsed again to say why.
    Only the last KEPT_TEXTS texts of at most KEPT_TEXT_CHARS are kept.
    """
    doc = _kept(text, line_offset) if len(text) <= KEPT_TEXT_CHARS else _parse(text, line_offset)
    return YamlDoc(dict(doc.data), dict(doc.lines), doc.first_line, dict(doc.values))


KEPT_TEXTS, KEPT_TEXT_CHARS = 4096, 64 * 1024  # a council.yaml is a few kilobytes, front matter less


def _parse(text: str, line_offset: int) -> YamlDoc:
    check_text(text, line_offset)
    check_shape(text, line_offset)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc({}, {}, line_offset + 1)
        if not isinstance(node, yaml.MappingNode):
            raise YamlProblem(
                f"expected a mapping of 'field: value' lines, got a YAML {_node_kind(node)}",
                line_offset + node.start_mark.line + 1,
            )
        lines: dict[str, int] = {}
        values: dict[str, int] = {}
        _collect_lines(node, "", line_offset, lines, set(), values)
        data = _construct(loader, node, line_offset)
        _check_values(data, "", lines, line_offset + 1)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = line_offset + (mark.line + 1 if mark else 1)
        reason = exc.problem or exc.context or "invalid YAML"
        raise YamlProblem(f"invalid YAML: {reason}", line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", line_offset + 1) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):  # pragma: no cover - guarded by the node check
        raise YamlProblem("expected a mapping", line_offset + 1)
    return YamlDoc({str(k): v for k, v in data.items()}, lines, line_offset + 1, values)


_kept = functools.lru_cache(maxsize=KEPT_TEXTS)(_parse)


CONSTRUCTION_ERRORS = (ValueError, TypeError, AttributeError, OverflowError, RecursionError, yaml.YAMLError)


def _construct(loader: Any, node: yaml.MappingNode, line_offset: int) -> dict[str, Any]:
    """Build the mapping value by value, so a value PyYAML cannot build is reported at its own line."""
    data: dict[str, Any] = {}
    for key_node, value_node in node.value:
        try:
            key = loader.construct_object(key_node, deep=True)
            data[str(key)] = loader.construct_object(value_node, deep=True)
        except yaml.MarkedYAMLError:
            raise
        except CONSTRUCTION_ERRORS as exc:
            path, bad = _failing(value_node, str(key_node.value))
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if bad.tag.endswith(":timestamp"):
                raise YamlProblem(f"not a real date: {reason}", line_offset + bad.start_mark.line + 1, field=path,
                                  expected="a date like 2026-12-01", found=repr(bad.value)) from None
            raise YamlProblem(f"invalid value: {reason}", line_offset + bad.start_mark.line + 1,
                              field=path, found=repr(bad.value) if isinstance(bad.value, str) else "") from None
    return data


def _failing(node: yaml.Node, path: str) -> tuple[str, yaml.Node]:
    """Return the path and node of the first value under `node` that PyYAML cannot build, built afresh."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not _builds(key_node):
                return path, key_node
            if not _builds(value_node):
                return _failing(value_node, f"{path}.{key_node.value}")
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value, start=1):
            if not _builds(item):
                return _failing(item, f"{path}[{number}]")
    return path, node


def _builds(node: yaml.Node) -> bool:
    loader = yaml.SafeLoader("")
    try:
        loader.construct_object(node, deep=True)
    except CONSTRUCTION_ERRORS:
        return False
    finally:
        loader.dispose()
    return True


def _check_values(value: object, path: str, lines: dict[str, int], default: int) -> None:
    """Refuse text values with control characters written as escapes (`"\\x00"`), at their line."""
    if isinstance(value, str):
        found = control_character(value)
        if found is not None:
            raise YamlProblem("a control character is not allowed", lines.get(path, default), field=path,
                              expected=NO_CONTROL, found=found[1].split(" at ")[0])
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(key, path, lines, default)
            _check_values(item, f"{path}.{key}" if path else str(key), lines, default)
    elif isinstance(value, list):
        for number, item in enumerate(value, start=1):
            _check_values(item, f"{path}[{number}]", lines, default)


def _collect_lines(node: yaml.Node, path: str, line_offset: int, lines: dict[str, int], seen: set[int],
                   values: dict[str, int]) -> None:
    """Record the line of every key and list item under `node`: `key`, `key.sub`, `key[1]` (lists count from 1).

    `values` gets the line each text value starts on, which for `key: |` is the line after the key.
    """
    # Aliases share nodes; visit each once so a file of nested aliases cannot blow up.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        values.setdefault(path, line_offset + node.start_mark.line + 1 + (node.style in ("|", ">")))
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            lines.setdefault(child, line_offset + key_node.start_mark.line + 1)
            _collect_lines(value_node, child, line_offset, lines, seen, values)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value, start=1):
            child = f"{path}[{number}]"
            lines.setdefault(child, line_offset + item.start_mark.line + 1)
            _collect_lines(item, child, line_offset, lines, seen, values)


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    value = node.value
    return f"value {value!r}" if isinstance(value, str) and len(value) < 40 else "value"
