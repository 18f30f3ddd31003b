"""Frozen model objects as plain data (lists, text, numbers) and back, for what a build keeps between builds.

A dataclass is written as the list of its fields' values, in the order the class declares them, and
read back by the type each field is declared with (localgov/model.py, localgov/errors.py), so the
data is rebuilt into the same frozen objects and never runs code. `schema` describes those
declarations; a store keeps it beside the data and ignores data written under another.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from typing import Any


class Shape(ValueError):
    """Plain data that does not have the shape of the type it should be read as."""


def to_plain(value: object) -> object:
    """Return a frozen model object as lists, text, numbers, booleans and None (dates as ISO text)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [to_plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init]
    if isinstance(value, (tuple, list)):
        return [to_plain(item) for item in value]
    if isinstance(value, dt.datetime):
        raise TypeError("a date and time has no plain form here; the model keeps dates")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, bool)):
        return value
    raise TypeError(f"no plain form for {type(value).__name__}")


class Records:
    """Reads plain data back as the model's frozen dataclasses, checking every value against its declared type."""

    def __init__(self) -> None:
        self._fields: dict[type, tuple[tuple[str, Any], ...]] = {}

    def fields(self, kind: type) -> tuple[tuple[str, Any], ...]:
        """Return (name, declared type) for each field a dataclass is made with."""
        found = self._fields.get(kind)
        if found is None:
            hints = typing.get_type_hints(kind)
            found = self._fields[kind] = tuple((f.name, hints[f.name]) for f in dataclasses.fields(kind) if f.init)
        return found

    def schema(self, *kinds: type) -> str:
        """Describe the fields of `kinds` and of the dataclasses they hold, to tell one layout from another."""
        described: dict[str, str] = {}
        waiting = list(kinds)
        while waiting:
            kind = waiting.pop()
            if kind.__name__ in described:
                continue
            fields = self.fields(kind)
            described[kind.__name__] = ", ".join(f"{name}: {_name_of(hint)}" for name, hint in fields)
            waiting.extend(inner for _, hint in fields for inner in _dataclasses_in(hint))
        return "; ".join(f"{name}({text})" for name, text in sorted(described.items()))

    def read(self, kind: Any, value: object) -> Any:
        """Return `value` read as `kind`; raise Shape if it is not one."""
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            fields = self.fields(kind)
            if not isinstance(value, (list, tuple)) or len(value) != len(fields):
                raise Shape(f"expected the {len(fields)} fields of {kind.__name__}")
            return kind(**{name: self.read(hint, item) for (name, hint), item in zip(fields, value, strict=True)})
        origin = typing.get_origin(kind)
        args = typing.get_args(kind)
        if origin is types.UnionType or origin is typing.Union:
            if value is None and type(None) in args:
                return None
            options = [a for a in args if a is not type(None)]
            if len(options) != 1:
                raise TypeError(f"cannot read a value of {kind!r}")
            return self.read(options[0], value)
        if origin is tuple:
            if not isinstance(value, (list, tuple)):
                raise Shape(f"expected a list, got {type(value).__name__}")
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(self.read(args[0], item) for item in value)
            if len(args) != len(value):
                raise Shape(f"expected a list of {len(args)}")
            return tuple(self.read(hint, item) for hint, item in zip(args, value, strict=True))
        if origin is typing.Literal:
            if value not in args:
                raise Shape(f"expected one of {args}, got {value!r}")
            return value
        if kind is dt.date:
            if not isinstance(value, str):
                raise Shape("expected a date as ISO text")
            return dt.date.fromisoformat(value)
        if kind is bool or kind is str:
            if type(value) is not kind:
                raise Shape(f"expected {kind.__name__}, got {type(value).__name__}")
            return value
        if kind is int:
            if type(value) is not int:
                raise Shape(f"expected int, got {type(value).__name__}")
            return value
        raise TypeError(f"cannot read a value of {kind!r}")


def _dataclasses_in(hint: Any) -> list[type]:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return [hint]
    return [inner for arg in typing.get_args(hint) for inner in _dataclasses_in(arg)]


def _name_of(hint: Any) -> str:
    return hint.__name__ if isinstance(hint, type) else repr(hint).replace("typing.", "")
