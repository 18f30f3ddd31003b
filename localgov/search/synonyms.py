"""Resident words: how both search engines read a query.

A query becomes a list of *segments*. Each segment is one thing the resident asked for,
with the phrases that mean the same (from `content/_synonyms.yaml`); a page matches a
segment when it matches any of its phrases. Words such as "my" or "when" are dropped,
and a council named in the query ("maidstone bins") picks the councils to show.

The browser does the same in `templates/static/search.js`, reading the data that
`search_data` returns (written to `/search/synonyms.json`), so that Pagefind in the
browser and Whoosh on the server read every query alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from localgov.urls import NATION_SCOPE, SEARCH_COMMON

# Words that carry no meaning for finding a service page. Negations ("not", "werent") stay
# out of this list on purpose: "bins not collected" is not "bins collected".
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about after all also am an and any are as at be been before being but by can could
    did do does doing done for from get gets getting got had has have having he her here
    hers him his how i if im in into is it its ive just me might more most much must my
    need needs of off on or our ours out please she should so some than that the their them
    then there these they this those to too up us very want wants was we were what whats
    when where wheres which while who whom whos why will with would you your youre yours
    """.split()  # noqa: SIM905 - easier to read and edit as text
)
# Phrases typed for a synonym of a single word count a little less than the word itself:
# "rubbish" finds pages about bins, but a page that says "rubbish" should come first.
SYNONYM_WEIGHT = 0.8
# Score of a page that matches only some segments: multiplied by the share matched, raised to this.
COVERAGE_POWER = 2.0
# Council names that are also everyday words count as names only with "council" after them.
COMMON_WORD_NAMES: frozenset[str] = frozenset({"reading", "bury", "hart", "rugby"})
# A phrase longer than this is never a synonym or a council name.
MAX_PHRASE = 6

_WORD = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"['\u2019]s\b")


def words(text: str) -> list[str]:
    """Split text into lower-case words: "Where's the tip?" -> ["where", "the", "tip"]."""
    text = _POSSESSIVE.sub("", text.lower())
    text = text.replace("'", "").replace("\u2019", "")
    return _WORD.findall(text)


def word_key(word: str) -> str:
    """Return the form of a word used to match phrases: plurals match their singular."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def phrase_key(text: str) -> tuple[str, ...]:
    return tuple(word_key(w) for w in words(text))


def search_text(phrase: str) -> str:
    """Return a phrase without its stop words, as the engines search for it ("" if nothing is left)."""
    return " ".join(w for w in words(phrase) if w not in STOP_WORDS)


@dataclass(frozen=True)
class Alternative:
    """One phrase that satisfies a segment, and how much a match on it counts."""

    text: str
    weight: float


@dataclass(frozen=True)
class Segment:
    """One thing asked for: what the resident typed and the phrases that mean the same."""

    typed: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """A query as both engines read it."""

    segments: tuple[Segment, ...]
    councils: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.segments


@dataclass(frozen=True)
class CouncilName:
    """What search needs to know about a council."""

    slug: str
    name: str
    short_name: str = ""
    parent: str | None = None
    website: str = ""
    # Pages that need a feature the council's area lacks (Beach safety inland): search leaves them out.
    lacks: tuple[str, ...] = ()
    nation: str = ""
    welsh: tuple[str, ...] = ()  # its Welsh names, which residents may type too ("Caerdydd")


class Vocabulary:
    """The synonym groups and council names, indexed for reading queries."""

    def __init__(self, groups: Iterable[Iterable[str]], councils: Mapping[str, CouncilName] | None = None) -> None:
        self.groups: tuple[tuple[str, ...], ...] = tuple(
            tuple(dict.fromkeys(" ".join(words(p)) for p in group if words(p))) for group in groups
        )
        self.councils: dict[str, CouncilName] = dict(councils or {})
        self._phrases: dict[tuple[str, ...], list[int]] = {}
        for number, group in enumerate(self.groups):
            for phrase in group:
                key = phrase_key(phrase)
                if 0 < len(key) <= MAX_PHRASE and number not in self._phrases.setdefault(key, []):
                    self._phrases[key].append(number)
        self._names = council_phrases(self.councils.values())

    def parse(self, query: str) -> ParsedQuery:
        """Read a query: find council names, then synonym phrases, and drop stop words."""
        typed = words(query)
        keys = [word_key(w) for w in typed]
        councils: list[str] = []
        rest: list[int] = []
        i = 0
        while i < len(typed):
            length, slug = _longest(keys, i, self._names)
            if slug is not None:
                councils.append(slug)
                i += length
            else:
                rest.append(i)
                i += 1
        segments: list[Segment] = []
        kept = [typed[i] for i in rest]
        kept_keys = [keys[i] for i in rest]
        i = 0
        while i < len(kept):
            length, found = _longest(kept_keys, i, self._phrases)
            if found is not None:
                phrase = " ".join(kept[i:i + length])
                segment = self._segment(phrase, found)
                i += length
            else:
                word = kept[i]
                i += 1
                if word in STOP_WORDS:
                    continue
                segment = Segment(word, (Alternative(word, 1.0),))
            if segment.alternatives and segment not in segments:
                segments.append(segment)
        return ParsedQuery(tuple(segments), tuple(dict.fromkeys(councils)))

    def _segment(self, phrase: str, group_numbers: list[int]) -> Segment:
        own = search_text(phrase)
        alternatives: dict[str, float] = {}
        if own:
            alternatives[own] = 1.0
        for number in group_numbers:
            for member in self.groups[number]:
                text = search_text(member)
                if text and text not in alternatives:
                    alternatives[text] = SYNONYM_WEIGHT
        return Segment(phrase, tuple(Alternative(text, weight) for text, weight in alternatives.items()))

    def area_of(self, councils: Iterable[str]) -> tuple[str, ...]:
        """Return the councils whose pages to show for councils named in a query (a district brings its county)."""
        area: list[str] = []
        for slug in councils:
            council = self.councils.get(slug)
            if council is None:
                continue
            area.append(slug)
            if council.parent:
                area.append(council.parent)
        return tuple(dict.fromkeys(area))

    def scopes(self, area: Sequence[str]) -> tuple[str, ...]:
        """Return the search scopes for an area: common pages, each nation's text of a page, the area's own."""
        nations = [f"{NATION_SCOPE}{self.councils[c].nation}" for c in area
                   if c in self.councils and self.councils[c].nation]
        return tuple(dict.fromkeys((SEARCH_COMMON, *nations, *area)))

    def lacking(self, area: Sequence[str]) -> frozenset[str]:
        """Return the pages that do not apply where the area's first (lower tier) council is."""
        council = self.councils.get(area[0]) if area else None
        return frozenset(council.lacks) if council is not None else frozenset()

    def known_words(self) -> set[str]:
        """Return the words of synonyms and council names: a query may use them though no page does."""
        found = {w for group in self.groups for phrase in group for w in words(phrase)}
        found.update(w for key in self._names for w in key)
        for council in self.councils.values():
            found.update(words(f"{council.name} {council.short_name} {council.slug}"))
        return found

    def to_json(self) -> dict[str, object]:
        """Return the data the browser needs to read queries the same way."""
        return {
            "version": 1,
            "stopWords": sorted(STOP_WORDS),
            "synonymWeight": SYNONYM_WEIGHT,
            "coveragePower": COVERAGE_POWER,
            "maxPhrase": MAX_PHRASE,
            "groups": [list(group) for group in self.groups],
            "councils": {
                slug: {"name": c.name, "short": c.short_name, **({"parent": c.parent} if c.parent else {}),
                       **({"website": c.website} if c.website else {}), **({"lacks": list(c.lacks)} if c.lacks else {}),
                       **({"nation": c.nation} if c.nation else {}), **({"welsh": list(c.welsh)} if c.welsh else {})}
                for slug, c in sorted(self.councils.items())
            },
            "names": {" ".join(key): slug for key, slug in sorted(self._names.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Vocabulary:
        councils_raw = data.get("councils", {})
        assert isinstance(councils_raw, dict)
        councils = {slug: CouncilName(slug, str(c["name"]), str(c.get("short", "")), c.get("parent"),
                                      str(c.get("website", "")), tuple(c.get("lacks", ())), str(c.get("nation", "")),
                                      tuple(c.get("welsh", ())))
                    for slug, c in councils_raw.items()}
        groups = data.get("groups", [])
        assert isinstance(groups, list)
        return cls(groups, councils)


def council_phrases(councils: Iterable[CouncilName]) -> dict[tuple[str, ...], str]:
    """Return the word keys residents may type for each council; a phrase two councils share names neither."""
    found: dict[tuple[str, ...], set[str]] = {}
    for council in councils:
        variants = {council.name, council.slug.replace("-", " "), *council.welsh}
        for text in (council.short_name, council.slug.replace("-", " ")):
            if text:
                variants.add(text)
                variants.add(f"{text} council")
        for text in variants:
            key = phrase_key(text)
            if not key or len(key) > MAX_PHRASE or (len(key) == 1 and key[0] in COMMON_WORD_NAMES):
                continue
            found.setdefault(key, set()).add(council.slug)
    return {key: next(iter(slugs)) for key, slugs in found.items() if len(slugs) == 1}


_Found = TypeVar("_Found")


def _longest(keys: list[str], start: int, table: Mapping[tuple[str, ...], _Found]) -> tuple[int, _Found | None]:
    for length in range(min(MAX_PHRASE, len(keys) - start), 0, -1):
        found = table.get(tuple(keys[start:start + length]))
        if found is not None:
            return length, found
    return 0, None


def combine(segment_scores: list[float], power: float = COVERAGE_POWER) -> float:
    """Return a document's score from its best score on each segment (0 where it does not match).

    A page must match every thing asked for: one that matches only some ("licence" of "HMO licence")
    is not a good answer, and scores 0.
    """
    matched = sum(1 for s in segment_scores if s > 0)
    if matched < len(segment_scores) or not matched:
        return 0.0
    return float(sum(segment_scores) * (matched / len(segment_scores)) ** power)


# A full postcode anywhere in a query ("bins ME15 6JQ"): the outward code, a space or none, the inward code.
_POSTCODE_IN_TEXT = re.compile(r"(?<![a-z0-9])([a-z]{1,2}[0-9][a-z0-9]?) ?([0-9][a-z]{2})(?![a-z0-9])", re.IGNORECASE)


def split_postcode(query: str) -> tuple[str, str | None]:
    """Return a query without the first full postcode in it, and that postcode ("ME15 6JQ"), or None."""
    match = _POSTCODE_IN_TEXT.search(query)
    if match is None:
        return query, None
    rest = (query[: match.start()] + " " + query[match.end():]).strip()
    return " ".join(rest.split()), f"{match.group(1)} {match.group(2)}".upper()
