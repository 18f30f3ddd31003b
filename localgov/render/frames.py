"""Render a layout once for all the councils of a page: a frame, and each council's values put in its places.

The variants of a common page differ in a few values (the council's name, its page's address, its
contact details, its own sections) and share everything else: the head, the header and footer, the
breadcrumbs, the common sections. `Frames` renders the layout once with each value of the context
wrapped in an `Observed` proxy that notes how the layout used it:

- printed (`{{ council.name }}`, also inside `{% trans %}`, a macro or a string joined to it): a mark
  is printed in its place, to be replaced by the value of another council, escaped as Jinja would;
- anything else (tested for truth, measured, compared, called, passed to Python that reads it): the
  use is noted with what it gave (`Observation`), and the real value serves it. A list or tuple that is
  iterated is observed by its length, and each of its items like a value of its own.

The frame serves another council when every observation gives the same for that council's context:
then its page is the frame with that council's values in the marks. Otherwise its page is rendered
as usual, and made a frame for the councils like it. Python that handles a wrapped value in C
without asking it (a regular expression, `json`) raises TypeError, as the proxy is no string: the
page is then rendered as usual. Each frame is checked once against the usual render of the context it
was made from, and used only if the two are the same bytes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import jinja2
import markupsafe
from markupsafe import Markup, escape

OPEN, CLOSE = "\ue000", "\ue001"  # a mark: a private-use character, the mark's number, another
FRAMES_PER_PAGE = 32  # frames kept for one page: its councils differ in alerts, search scope, other tiers, ...
PAGES_KEPT = 16  # pages whose frames are kept, the last made (a build renders the variants of a page together)
FAILURES = 3  # frames of a page that fail their check before its layout is rendered as usual for every council

Path = tuple[tuple[str, object], ...]  # from a context name: ("attr", name) and ("item", key) steps
_MISSING = object()
SEQUENCES = (list, tuple, str)  # whose length alone can be observed
_NEW = markupsafe.Markup.__new__.__code__
_MARKUPSAFE = markupsafe.Markup.join.__code__.co_filename


class Unframed(Exception):
    """The layout used a value in a way a frame cannot stand for."""


def resolve(context: Mapping[str, object], path: Path) -> object:
    """Return the value at `path` in `context`, or _MISSING."""
    value: object = context.get(str(path[0][1]), _MISSING)
    for kind, key in path[1:]:
        if value is _MISSING:
            return _MISSING
        try:
            value = getattr(value, str(key)) if kind == "attr" else value[key]  # type: ignore[index]
        except (AttributeError, LookupError, TypeError):
            return _MISSING
    return value


@dataclass(frozen=True)
class Observation:
    """One use of a value that the frame depends on: `what` it is ("truth", "length", "value", "absent", "call")."""

    what: str
    path: Path
    found: object
    call: Callable[[object], object] | None = None

    def holds(self, context: Mapping[str, object]) -> bool:
        value = resolve(context, self.path)
        if self.what == "absent":
            return value is _MISSING
        if value is _MISSING:
            return False
        if self.what == "truth":
            return bool(value) is self.found
        if self.what == "length":
            kind, length = cast(tuple[type, int], self.found)
            return type(value) is kind and len(value) == length  # type: ignore[arg-type]
        if self.what == "call":
            assert self.call is not None
            found = self.call(value)
            return plain_equal(found, self.found)
        return plain_equal(value, self.found)


@dataclass
class Recorder:
    """What one frame's render noted: its marks (by number) and its observations."""

    marks: list[Path] = field(default_factory=list)
    numbers: dict[Path, int] = field(default_factory=dict)
    observations: dict[tuple[str, Path, object], Observation] = field(default_factory=dict)

    def mark(self, path: Path) -> str:
        number = self.numbers.get(path)
        if number is None:
            number = self.numbers[path] = len(self.marks)
            self.marks.append(path)
        return f"{OPEN}{number:x}{CLOSE}"

    def observe(self, what: str, path: Path, found: object, call: Callable[[object], object] | None = None) -> None:
        self.observations.setdefault((what, path, call), Observation(what, path, found, call))


def _escaping_caller() -> bool:
    """Say whether `__html__` was asked by Jinja's or MarkupSafe's escaping, not by `Markup(value)`."""
    frame = sys._getframe(2)
    code = frame.f_code
    if code is _NEW:
        return False
    if code.co_filename == _MARKUPSAFE:
        return True
    return isinstance(frame.f_globals.get("environment"), jinja2.Environment)


class Observed:
    """A value of the context as a frame's render sees it (module docstring)."""

    __slots__ = ("_path", "_recorder", "_value")

    def __init__(self, value: object, path: Path, recorder: Recorder) -> None:
        object.__setattr__(self, "_value", value)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_recorder", recorder)

    # -- printed

    def __html__(self) -> Any:
        if _escaping_caller():
            return Markup(self._recorder.mark(self._path))
        self._used()
        html = getattr(self._value, "__html__", None)
        return html() if html is not None else self._value

    # -- followed: a value within, itself observed

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            value = getattr(self._value, name)
        except AttributeError:
            self._note("absent", (*self._path, ("attr", name)), None)
            raise
        if callable(value) and not isinstance(value, type):
            self._used()  # a method: what it returns depends on all of the value
            return value
        return Observed(value, (*self._path, ("attr", name)), self._recorder)

    def __getitem__(self, key: object) -> Any:
        if isinstance(key, Observed):
            key = key._real()
        try:
            value = self._value[key]
        except (LookupError, TypeError):
            self._note("absent", (*self._path, ("item", key)), None)
            raise
        if isinstance(key, (str, int)) and not isinstance(key, bool):
            return Observed(value, (*self._path, ("item", key)), self._recorder)
        self._used()
        return value

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance() answers as for the value (type() does not: see freeze in memo.py)
        return type(self._value)

    # -- used: noted, and served by the value

    def _real(self) -> object:
        self._used()
        return self._value

    def _used(self) -> None:
        self._note("value", self._path, self._value)

    def _note(self, what: str, path: Path, found: object, call: Callable[[object], object] | None = None) -> None:
        self._recorder.observe(what, path, found, call)

    def _pieces(self) -> tuple[object, ...]:
        return (self,)

    def __bool__(self) -> bool:
        found = bool(self._value)
        self._note("truth", self._path, found)
        return found

    def call(self, function: Callable[[object], object]) -> object:
        """Return `function` of the value, noted so that another council's value must give the same."""
        found = function(self._value)
        self._note("call", self._path, found, function)
        return found

    def __radd__(self, other: object) -> Any:
        if isinstance(other, str) and not isinstance(other, (Markup, Observed)):
            return Joined((other, *self._pieces()))
        return other + self._real()  # type: ignore[operator]

    def __add__(self, other: object) -> Any:
        if isinstance(other, str) and not isinstance(other, (Markup, Observed)):
            return Joined((*self._pieces(), other))
        return self._real() + _real(other)  # type: ignore[operator]

    def __str__(self) -> str:
        return str(self._real())

    def __repr__(self) -> str:
        return repr(self._real())

    def __format__(self, spec: str) -> str:
        return format(self._real(), spec)

    def __len__(self) -> int:
        value = self._value
        if type(value) in SEQUENCES:
            self._note("length", self._path, (type(value), len(value)))
            return len(value)
        return len(self._real())  # type: ignore[arg-type]

    def __iter__(self) -> Any:
        value = self._value
        if type(value) in SEQUENCES and type(value) is not str:  # each item observed on its own
            self._note("length", self._path, (type(value), len(value)))
            return iter([Observed(item, (*self._path, ("item", index)), self._recorder)
                         for index, item in enumerate(value)])
        return iter(self._real())  # type: ignore[call-overload]

    def __contains__(self, item: object) -> bool:
        return _real(item) in self._real()  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        return bool(self._real() == _real(other))

    def __ne__(self, other: object) -> bool:
        return bool(self._real() != _real(other))

    def __lt__(self, other: object) -> bool:
        return bool(self._real() < _real(other))  # type: ignore[operator]

    def __le__(self, other: object) -> bool:
        return bool(self._real() <= _real(other))  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        return bool(self._real() > _real(other))  # type: ignore[operator]

    def __ge__(self, other: object) -> bool:
        return bool(self._real() >= _real(other))  # type: ignore[operator]

    def __hash__(self) -> int:
        return hash(self._real())

    def __index__(self) -> int:
        return self._real().__index__()  # type: ignore[attr-defined, no-any-return]

    def __int__(self) -> int:
        return int(self._real())  # type: ignore[call-overload, no-any-return]

    def __float__(self) -> float:
        return float(self._real())  # type: ignore[arg-type]

    def __mod__(self, other: object) -> Any:
        return self._real() % _real(other)  # type: ignore[operator]

    def __mul__(self, other: object) -> Any:
        return self._real() * _real(other)  # type: ignore[operator]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._real()(*args, **kwargs)  # type: ignore[operator]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{name}: a frame's values are read only")


class Joined(Observed):
    """Text joined to observed values with `+` (as SiteConfig.absolute does): printed, each value is a mark.

    It has no path of its own: any other use of it is a use of each value joined in it.
    """

    __slots__ = ("_parts",)

    def __init__(self, parts: tuple[object, ...]) -> None:
        recorder = next(p._recorder for p in parts if isinstance(p, Observed))
        value = "".join(str(p._value) if isinstance(p, Observed) else str(p) for p in parts)
        super().__init__(value, (), recorder)
        object.__setattr__(self, "_parts", parts)

    def __html__(self) -> Any:
        if _escaping_caller():
            return Markup("").join(part for part in self._parts)
        self._used()
        return self._value

    def _pieces(self) -> tuple[object, ...]:
        return self._parts  # type: ignore[no-any-return]

    def _note(self, what: str, path: Path, found: object, call: Callable[[object], object] | None = None) -> None:
        self._used()

    def _used(self) -> None:
        for part in self._parts:
            if isinstance(part, Observed):
                part._used()

    def __getattr__(self, name: str) -> Any:
        self._used()
        return getattr(self._value, name)

    def __getitem__(self, key: object) -> Any:
        self._used()
        return self._value[_real(key)]


def _real(value: object) -> object:
    return value._real() if isinstance(value, Observed) else value


class Frame:
    """A layout rendered once: text between marks, what each mark stands for, and what it depends on.

    It keeps the context it was made from. A value of another context that is the same object (the
    page, a partial rendered once for the page: the site's objects do not change during a build), or
    equal text, gives what it gave then: its observations hold, and its marks are filled with the text
    they had.
    """

    __slots__ = ("by_name", "made_from", "pieces", "places", "text")

    def __init__(self, pieces: tuple[str, ...], places: tuple[Path, ...], observations: tuple[Observation, ...],
                 made_from: Mapping[str, object]) -> None:
        self.pieces = pieces  # text, then the text after each mark in `places`
        self.places = places
        self.made_from = dict(made_from)
        by_name: dict[str, list[Observation]] = {}
        for observation in observations:
            by_name.setdefault(str(observation.path[0][1]), []).append(observation)
        self.by_name = by_name
        self.text = [escape(resolve(made_from, place)) for place in places]

    def fits(self, context: Mapping[str, object]) -> bool:
        made_from = self.made_from
        for name, observations in self.by_name.items():
            if _same(context.get(name, _MISSING), made_from.get(name, _MISSING)):
                continue
            if not all(observation.holds(context) for observation in observations):
                return False
        return True

    def fill(self, context: Mapping[str, object]) -> str:
        parts = [self.pieces[0]]
        made_from = self.made_from
        for place, after, text in zip(self.places, self.pieces[1:], self.text, strict=True):
            name = str(place[0][1])
            if _same(context.get(name, _MISSING), made_from.get(name, _MISSING)):
                parts.append(text)
            else:
                value = resolve(context, place)
                if value is _MISSING:
                    raise Unframed(f"no value at {place}")
                parts.append(escape(value))
            parts.append(after)
        return "".join(parts)


def _same(value: object, old: object) -> bool:
    """Say whether a context's value is the one a frame was made from: the same object, equal text of the same
    type, or both empty lists (the renderer hands a page's councils the same objects where it can)."""
    if value is old:
        return value is not _MISSING
    kind = type(value)
    cheap = kind is str or kind is Markup or ((kind is list or kind is tuple) and not value)
    return cheap and plain_equal(value, old)


def plain_equal(value: Any, other: Any) -> bool:
    """Say whether two values are equal and of the same types all the way down (1 is not True, "a" not Markup("a"))."""
    if value is other:
        return True
    kind = type(value)
    if kind is not type(other):
        return False
    if kind is list or kind is tuple:
        if len(value) != len(other):
            return False
        for a, b in zip(value, other, strict=True):
            if not plain_equal(a, b):
                return False
        return True
    if kind is dict:
        if len(value) != len(other):
            return False
        for (key, a), (other_key, b) in zip(value.items(), other.items(), strict=True):
            if type(key) is not type(other_key) or key != other_key or not plain_equal(a, b):
                return False
        return True
    return bool(value == other)


def make_frame(template: jinja2.Template, context: Mapping[str, object]) -> Frame:
    """Render `template` with every value of `context` observed; raise Unframed if it cannot be a frame."""
    recorder = Recorder()
    observed = {name: Observed(value, (("name", name),), recorder) for name, value in context.items()}
    try:
        text = template.render(observed)
    except Exception as exc:  # noqa: BLE001 - a value used where only a real one will do
        raise Unframed(str(exc)) from exc
    pieces: list[str] = []
    places: list[Path] = []
    rest = text.split(OPEN)
    pieces.append(rest[0])
    for chunk in rest[1:]:
        number, found, after = chunk.partition(CLOSE)
        try:
            index = int(number, 16)
        except ValueError:
            raise Unframed("a mark was changed after it was printed") from None
        if not found or index >= len(recorder.marks):
            raise Unframed("a mark was changed after it was printed")
        places.append(recorder.marks[index])
        pieces.append(after)
    return Frame(tuple(pieces), tuple(places), tuple(recorder.observations.values()), context)


@dataclass
class Frames:
    """The frames of a build's pages, by page, each checked once against the usual render."""

    kept: dict[object, list[Frame]] = field(default_factory=dict)
    unframed: set[object] = field(default_factory=set)  # pages whose layout cannot be a frame
    failed: dict[object, int] = field(default_factory=dict)
    made: int = 0
    used: int = 0

    def render(self, key: object, template: jinja2.Template, context: Mapping[str, object]) -> str:
        """Return what `template.render(context)` returns, from a frame of the page `key` where one fits."""
        if key in self.unframed:
            return template.render(context)
        frames = self.kept.get(key)
        if frames is not None:
            for frame in frames:
                if frame.fits(context):
                    try:
                        filled = frame.fill(context)
                    except Unframed:  # a value it prints is not there: Jinja would print it as undefined
                        continue
                    self.used += 1
                    return filled
        text = template.render(context)
        if frames is not None and len(frames) >= FRAMES_PER_PAGE:
            return text  # its councils differ in too many ways: the frames it has serve those they fit
        try:
            frame = make_frame(template, context)
            same = frame.fits(context) and frame.fill(context) == text
        except Unframed:
            same = False
        if not same:
            self.failed[key] = self.failed.get(key, 0) + 1
            if self.failed[key] >= FAILURES:
                self.unframed.add(key)
            return text
        if frames is None:
            if len(self.kept) >= PAGES_KEPT:
                del self.kept[next(iter(self.kept))]
            frames = self.kept[key] = []
        frames.append(frame)
        self.made += 1
        return text


IDENTITY_TESTS = ("none", "boolean", "false", "true", "integer", "sameas", "escaped")


def observe_tests(env: jinja2.Environment) -> None:
    """Make Jinja's tests that look at a value's identity (`is none`, `is true`, ...) see an observed value's own."""
    for name in IDENTITY_TESTS:
        test = env.tests.get(name)
        if test is not None and not getattr(test, "observes", False):
            env.tests[name] = _observing(cast(Callable[..., bool], test))


def _observing(test: Callable[..., bool]) -> Callable[..., bool]:
    def observing(*args: object) -> bool:
        return test(*(_real(arg) for arg in args))

    observing.observes = True  # type: ignore[attr-defined]
    return observing
