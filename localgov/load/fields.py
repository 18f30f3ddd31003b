"""Typed reading of YAML fields that records a clear problem instead of raising."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from localgov.errors import Problems, describe
from localgov.load.paths import MAX_SOURCE_BYTES, Unreadable, read_source
from localgov.load.yamlfile import YamlDoc, YamlProblem, parse_mapping
from localgov.model import Source


def closest(word: str, options: Iterable[str]) -> str | None:
    """Return the option most like `word`, if any is close."""
    found = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """Return '; did you mean X?' for the closest option, or ''."""
    best = closest(word, options)
    return f"; did you mean '{best}'?" if best else ""


def as_date(value: object) -> dt.date | None:
    """Return `value` as a date (YAML dates, datetimes or ISO text), or None if it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def read_text(path: Path, rel: str, problems: Problems, *, folder: Path, root: Path,
              limit: int = MAX_SOURCE_BYTES) -> str | None:
    """Read a UTF-8 text file that must be a regular file inside `folder`; None, with why against `rel`, if not."""
    try:
        data = read_source(path, folder, root, limit=limit)
    except Unreadable as exc:
        problems.error(rel, 0, str(exc), expected=exc.expected, found=exc.found)
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.error(rel, data[: exc.start].count(b"\n") + 1, f"not UTF-8 text (byte {exc.start})",
                       expected="UTF-8 text", found=f"byte 0x{data[exc.start]:02x}")
        return None


def read_yaml_file(path: Path, rel: str, problems: Problems, *, folder: Path, root: Path,
                   limit: int = MAX_SOURCE_BYTES) -> YamlDoc | None:
    """Read a UTF-8 YAML mapping file that must be a regular file inside `folder`, reporting why not against `rel`."""
    text = read_text(path, rel, problems, folder=folder, root=root, limit=limit)
    if text is None:
        return None
    try:
        return parse_mapping(text)
    except YamlProblem as exc:
        problems.error(rel, exc.line, str(exc), field=exc.field, expected=exc.expected, found=exc.found)
    return None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"the truth value {str(value).lower()}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return f"the number {value}"


class FieldReader:
    """Read fields from one YAML mapping, reporting every problem against `file`."""

    def __init__(self, file: str, doc: YamlDoc, problems: Problems) -> None:
        self.file = file
        self.doc = doc
        self.problems = problems

    def _error(self, key: str, message: str, expected: str = "", found: object = None) -> None:
        self.problems.error(
            self.file,
            self.doc.line(key),
            message,
            field=key,
            expected=expected,
            found=describe(found) if expected else "",
        )

    def reject_unknown(self, allowed: set[str] | frozenset[str]) -> None:
        for key in self.doc.data:
            if key not in allowed:
                self.problems.error(
                    self.file,
                    self.doc.line(key),
                    f"unknown field{did_you_mean(key, allowed)}",
                    field=key,
                    expected="one of " + ", ".join(sorted(allowed)),
                    found=repr(key),
                )

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.doc.data.get(key)
        if value is None:
            if required:
                self.problems.error(self.file, self.doc.first_line, "required field is missing", field=key)
            return None
        if isinstance(value, (bool, int, float, dt.date)):
            # YAML reads `title: 42`, `yes` or `2026-01-01` as a number, a truth value or a date, not as text.
            self.problems.error(self.file, self.doc.line(key), "not text: YAML reads it as a value of another kind",
                                field=key, expected="text (in quotes, if it is meant to be the words as written)",
                                found=_kind(value))
            return None
        if not isinstance(value, str) or not value.strip():
            self._error(key, "wrong type", "a non-empty text", value)
            return None
        return value.strip()

    def choice(self, key: str, options: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        if value not in options:
            self.problems.error(
                self.file,
                self.doc.line(key),
                f"not a known value{did_you_mean(value, options)}",
                field=key,
                expected="one of " + ", ".join(options),
                found=repr(value),
            )
            return None
        return value

    def integer(self, key: str) -> int | None:
        value = self.doc.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self._error(key, "wrong type", "a whole number", value)
            return None
        return value

    def integers(self, key: str) -> tuple[int, ...]:
        """A whole number, or a list of them."""
        value = self.doc.data.get(key)
        if value is None:
            return ()
        values = value if isinstance(value, list) else [value]
        if not values or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in values):
            self._error(key, "wrong type", "a whole number or a list of them", value)
            return ()
        if len(set(values)) != len(values):
            self._error(key, "a code is listed twice", "each code once", value)
            return ()
        return tuple(values)

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.doc.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and str(v).strip() for v in value):
            self._error(key, "wrong type", "a list of words", value)
            return ()
        return tuple(str(v).strip() for v in value)

    def date(self, key: str) -> dt.date | None:
        value = self.doc.data.get(key)
        if value is None:
            return None
        found = as_date(value)
        if found is not None:
            return found
        self._error(key, "not a date", "a date like 2026-04-01", value)
        return None

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.doc.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._error(key, "wrong type", "a mapping of 'name: value' lines", value)
            return {}
        return {str(k): v for k, v in value.items()}

    def sources(self, key: str, *, title_key: str = "title", cited_only: bool = False) -> tuple[Source, ...]:
        """Read a list of sources, each `{title: ..., url: https://...}` (`title_key` names the first field).

        `cited_only`: the sources are kept as data and never linked from a page, so an older `http://`
        address is accepted as it was cited (a page's sources are links, and links are https).
        """
        value = self.doc.data.get(key)
        if value is None:
            return ()
        expected = f"a list of '{title_key}: ..., url: https://...' entries"
        if not isinstance(value, list):
            self._error(key, "wrong type", expected, value)
            return ()
        found: list[Source] = []
        for number, item in enumerate(value, start=1):
            where = f"{key}[{number}]"
            line = self.doc.line(where) or self.doc.line(key)
            if not isinstance(item, dict) or set(item) != {title_key, "url"}:
                self.problems.error(self.file, line, "not a source", field=where, expected=expected,
                                    found=describe(item) if not isinstance(item, dict)
                                    else "fields " + ", ".join(sorted(map(str, item))))
                continue
            title, url = item[title_key], item["url"]
            if not isinstance(title, str) or not title.strip():
                self.problems.error(self.file, self.doc.line(f"{where}.{title_key}"), "wrong type",
                                    field=f"{where}.{title_key}",
                                    expected="a non-empty text", found=describe(title))
                continue
            scheme = r"https?://" if cited_only else r"https://"
            if not isinstance(url, str) or not re.fullmatch(scheme + r"[^\s<>\"']+\.[^\s<>\"']+", url.strip()):
                self.problems.error(self.file, self.doc.line(f"{where}.url"), "not a web address", field=f"{where}.url",
                                    expected="an address starting " + ("http:// or " if cited_only else "") + "https://",
                                    found=describe(url))
                continue
            found.append(Source(title.strip(), url.strip()))
        return tuple(found)
