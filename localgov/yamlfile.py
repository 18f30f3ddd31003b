"""Read YAML mappings while keeping the line of every key, for error messages."""

from __future__ import annotations

from dataclasses import dataclass
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

    def line(self, key: str) -> int:
        return self.lines.get(key, self.first_line)


class YamlProblem(Exception):
    """The text is not a YAML mapping; carries the line it failed on."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def parse_mapping(text: str, line_offset: int = 0) -> YamlDoc:
    """Parse `text` as a YAML mapping; `line_offset` is added to every line number."""
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
        _collect_lines(node, "", line_offset, lines, set())
        data = loader.construct_document(node)
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
    return YamlDoc({str(k): v for k, v in data.items()}, lines, line_offset + 1)


def _collect_lines(node: yaml.Node, path: str, line_offset: int, lines: dict[str, int], seen: set[int]) -> None:
    """Record the line of every key and list item under `node`: `key`, `key.sub`, `key[1]` (lists count from 1)."""
    # Aliases share nodes; visit each once so a file of nested aliases cannot blow up.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            lines.setdefault(child, line_offset + key_node.start_mark.line + 1)
            _collect_lines(value_node, child, line_offset, lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value, start=1):
            child = f"{path}[{number}]"
            lines.setdefault(child, line_offset + item.start_mark.line + 1)
            _collect_lines(item, child, line_offset, lines, seen)


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    value = node.value
    return f"value {value!r}" if isinstance(value, str) and len(value) < 40 else "value"
