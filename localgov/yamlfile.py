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
    """A parsed YAML mapping with the 1-based line of each top-level key."""

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
        for key_node, _ in node.value:
            lines[str(key_node.value)] = line_offset + key_node.start_mark.line + 1
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


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    value = node.value
    return f"value {value!r}" if isinstance(value, str) and len(value) < 40 else "value"
