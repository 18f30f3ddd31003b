"""Site configuration: `site.yaml` read through one schema of typed options.

SCHEMA is the one list of the keys a site may set. Each option knows its type, what it expects (in
words, for messages) and its default, which is the model's (localgov/model.py, SiteConfig), so a
site without `site.yaml` and a site that sets nothing are the same. A key the schema does not know
is an error with a suggestion: nothing is accepted and then ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import Any, Generic, TypeVar

from localgov.errors import Problems, describe
from localgov.load.fields import FieldReader, as_date, did_you_mean
from localgov.load.paths import Unreadable, read_source, relative, unreadable
from localgov.load.yamlfile import YamlProblem, parse_mapping
from localgov.model import SiteConfig

CONFIG_FILE = "site.yaml"

T = TypeVar("T")


class Invalid(Exception):
    """A value an option cannot take: what is wrong with it and what was expected instead."""

    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


class Option(Generic[T]):
    """One key of `site.yaml`: its type, its default and how a value is checked."""

    expected = ""

    def __init__(self, key: str, doc: str) -> None:
        self.key = key
        self.doc = doc

    @property
    def default(self) -> object:
        """Return the value a site gets when it does not set this key: SiteConfig's, so there is one default."""
        return next(f.default for f in dataclasses.fields(SiteConfig) if f.name == self.key)

    def read(self, value: object) -> T:
        """Return `value` as this option's type; raise Invalid if it is not one."""
        raise NotImplementedError


def as_text(value: object, expected: str) -> str:
    """Return `value` as stripped text (numbers as their digits); raise Invalid if it is empty or not text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise Invalid("wrong type", expected)
    return value.strip()


class Text(Option[str]):
    """Text that is not empty."""

    expected = "a non-empty text"

    def read(self, value: object) -> str:
        return as_text(value, self.expected)


class Address(Option[str]):
    """A link: text that starts with one of the allowed beginnings (`https://`, `/`)."""

    def __init__(self, key: str, doc: str, starts: tuple[str, ...], expected: str, *, base: bool = False) -> None:
        super().__init__(key, doc)
        self.starts = starts
        self.expected = expected
        self.base = base

    def read(self, value: object) -> str:
        text = as_text(value, self.expected)
        if not text.startswith(self.starts):
            raise Invalid("not a web address", self.expected)
        # Page addresses are joined to the base: `base_url + "/bins/"`, so it never ends with a slash.
        return text.rstrip("/") if self.base else text


class Choice(Option[str]):
    """One of a few fixed words."""

    def __init__(self, key: str, doc: str, choices: tuple[str, ...]) -> None:
        super().__init__(key, doc)
        self.choices = choices
        self.expected = "one of " + ", ".join(choices)

    def read(self, value: object) -> str:
        text = as_text(value, self.expected)
        if text not in self.choices:
            raise Invalid(f"not a known value{did_you_mean(text, self.choices)}", self.expected)
        return text


class Count(Option[int]):
    """A whole number, zero or more."""

    expected = "a whole number"

    def read(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Invalid("wrong type", self.expected)
        return value


class Flag(Option[bool]):
    """Yes or no, written `true` or `false`."""

    expected = "true or false"

    def read(self, value: object) -> bool:
        if not isinstance(value, bool):
            raise Invalid("wrong type", self.expected)
        return value


class Email(Option[str]):
    """An email address: one `@` with text either side, and no spaces."""

    expected = "an email address like team@example.gov.uk"

    def read(self, value: object) -> str:
        text = as_text(value, self.expected)
        name, at, domain = text.partition("@")
        if not at or not name or "." not in domain or any(c.isspace() or c in "<>\"@," for c in name + domain):
            raise Invalid("not an email address", self.expected)
        return text


class Day(Option[dt.date]):
    """A date, written like 2027-04-01."""

    expected = "a date like 2027-04-01"

    def read(self, value: object) -> dt.date:
        found = as_date(value)
        if found is None:
            raise Invalid("not a date", self.expected)
        return found


class TextList(Option[tuple[str, ...]]):
    """A list of short texts."""

    expected = "a list of texts"

    def read(self, value: object) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise Invalid("wrong type", self.expected)
        return tuple(as_text(item, self.expected) for item in value)


SCHEMA: tuple[Option[Any], ...] = (
    Text("name", "the site's name, in the header, page titles and footer"),
    Text("name_cy", "the site's name in Welsh, on the Welsh pages (default: the name)"),
    Address("base_url", "the address the site is published at, for canonical links and the sitemap",
            ("https://", "http://"), "an address starting https://", base=True),
    Choice("phase", "the phase banner: alpha or beta (live shows none)", ("alpha", "beta", "live")),
    Address("feedback_url", "where the phase banner's 'Give feedback' link goes",
            ("https://", "http://", "mailto:", "/"), "an address starting https:// or mailto:, or a path like /help/"),
    Address("feedback_endpoint", "where the 'Is this page useful?' and 'Report a problem' forms post to",
            ("https://", "http://", "/"), "an address starting https://, or a path like /feedback"),
    Email("contact_email", "the site team's email address, on the contact, privacy and accessibility pages"),
    Text("host", "who hosts the site, named on the privacy notice"),
    Choice("accessibility_status", "how far the site meets WCAG 2.2 AA, as the accessibility statement says",
           ("full", "partial", "not")),
    TextList("accessibility_issues", "known accessibility problems, listed on the accessibility statement"),
    Day("accessibility_prepared", "the date the accessibility statement was prepared"),
    Day("accessibility_reviewed", "the date the accessibility statement was last reviewed"),
    Text("postcodes", "where postcodes come from: builtin, none, or an ONSPD or NSPL file or folder"),
    Count("stale_after_days", "pages last reviewed longer ago than this are reported by `localgov check`"),
    Flag("strict", "treat warnings as errors, as `localgov build --strict` does"),
    Day("as_at", "build the site as it stands on this date (councils in force, notices, redirects); "
        "`--as-at` wins over it; default: the build date"),
)
KEYS = frozenset(option.key for option in SCHEMA)


def today() -> dt.date:
    """Return the build date: LOCALGOV_TODAY when set (for reproducible builds), else today."""
    fixed = os.environ.get("LOCALGOV_TODAY")
    if fixed:
        return dt.date.fromisoformat(fixed)
    return dt.date.today()


def load_config(root: Path, problems: Problems, day: dt.date | None = None, *,
                as_at: dt.date | None = None) -> SiteConfig:
    """Read `site.yaml` (optional) through SCHEMA; a key left out or refused takes its default.

    `day` is the build date (default: `today()`). The site's date (`SiteConfig.today`) is `as_at` (from
    `--as-at`) if given, else site.yaml's `as_at`, else the build date.
    """
    path = root / CONFIG_FILE
    base = SiteConfig(root=root, today=as_at or day or today(), as_at=as_at)
    for bad, why in unreadable(root / "templates", root):
        problems.error(relative(bad, root), 0, why)
    if not os.path.lexists(path):
        return base
    try:
        text = read_source(path, root, root).decode("utf-8")
        doc = parse_mapping(text)
    except Unreadable as exc:
        problems.error(CONFIG_FILE, 0, str(exc), expected=exc.expected, found=exc.found)
        return base
    except UnicodeDecodeError as exc:
        problems.error(CONFIG_FILE, 0, f"not UTF-8 text (byte {exc.start})")
        return base
    except YamlProblem as exc:
        problems.error(CONFIG_FILE, exc.line, str(exc), field=exc.field, expected=exc.expected, found=exc.found)
        return base
    FieldReader(CONFIG_FILE, doc, problems).reject_unknown(KEYS)
    values: dict[str, Any] = {}
    for option in SCHEMA:
        value = doc.data.get(option.key)
        if value is None:
            continue
        try:
            values[option.key] = option.read(value)
        except Invalid as exc:
            problems.error(CONFIG_FILE, doc.line(option.key), exc.message, field=option.key,
                           expected=exc.expected, found=describe(value))
    if as_at is None and "as_at" in values:
        values["today"] = values["as_at"]
    return dataclasses.replace(base, **values)
