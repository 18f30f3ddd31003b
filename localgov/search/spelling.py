"""The site's own words: which words of a query any page has, spelling corrections and nearby words.

The build lists every word of the searchable pages, with the number of pages that have it, in
`/search/words.json` (and beside the Whoosh index). Both engines read a query against it before
searching, the browser in `templates/static/search.js` with the same rules:

- a word the site has (or a form of it: "bins" for "bin", "collected" for "collecting") is kept;
- a misspelt word is replaced by the site's nearest word ("recyclling" -> "recycling"), when one is
  close enough for its length, and the resident is told what was searched for instead;
- a word no page has and that is not close to one ("allotment") is *unknown*: no page can be a good
  answer to a query with one, so search says it found nothing rather than show pages that match
  the rest of the query, and suggests words the site does have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from localgov.search.synonyms import STOP_WORDS, word_key, words

WORDS_FILE = "words.json"
WORDS_JSON = "search/words.json"  # where the browser finds the same list
# Words shorter than this are never corrected: "hmo" is not a typo of "hm".
MIN_CORRECTED = 4
# Words at least this long may be two edits from their correction (with the same first letter).
TWO_EDITS_FROM = 9
# How far a "did you mean" suggestion may be from an unknown word, and how many are offered.
SUGGESTION_EDITS = 2
SUGGESTIONS = 3
_SUFFIXES = ("ing", "ed", "er", "es")
# Everyday words that narrow nothing when no page has them ("my bin wasnt emptied today"): left out
# of the query then, rather than make it unanswerable. A page that has one still counts it.
OPTIONAL_WORDS: frozenset[str] = frozenset(
    """
    wasnt isnt arent didnt doesnt dont havent hasnt hadnt cant cannot couldnt wont wouldnt shouldnt
    today tonight tomorrow yesterday now asap urgent urgently quickly week weekend month year
    near nearby nearest local locally area online info information
    """.split()  # noqa: SIM905 - easier to read and edit as text
)
_DIGIT = re.compile(r"[0-9]")


def stem_key(word: str) -> str:
    """Return a rough stem, so that forms of a word the engines match ("collecting", "collected") count as known."""
    key = word_key(word)
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 4:
            return key[: -len(suffix)]
    return key


def distance(a: str, b: str, limit: int) -> int:
    """Return the edit distance (with swapped neighbours as one edit) of two words, or limit + 1 if above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)] if previous[len(b)] <= limit else limit + 1


@dataclass(frozen=True)
class Reading:
    """A query checked against the site's words."""

    text: str  # the query to search for: corrected, without unknown numbers
    corrected: tuple[tuple[str, str], ...] = ()  # (typed, used instead)
    unknown: tuple[str, ...] = ()  # words no page has, and not close to one
    suggestions: tuple[str, ...] = ()  # site words near the unknown words

    @property
    def changed(self) -> bool:
        return bool(self.corrected)


class SiteWords:
    """Every word of the site's pages, synonyms and council names, with how many pages have it."""

    def __init__(self, counts: Mapping[str, int], extra: Iterable[str] = ()) -> None:
        self.counts = {w: int(n) for w, n in counts.items()}
        for word in extra:
            self.counts.setdefault(word, 0)
        self.stems: dict[str, int] = {}
        for w, n in self.counts.items():
            self.stems[stem_key(w)] = self.stems.get(stem_key(w), 0) + n

    def known(self, word: str) -> bool:
        return word in STOP_WORDS or word in self.counts or stem_key(word) in self.stems

    def respelt(self, word: str) -> str | None:
        """Return the site's word a known-looking word is a misspelling of ("swiming": "swimming"), or None.

        A word no page has can still look like a form of one ("swiming" is "swim" + "ing"); when a site
        word one edit away is used by more pages than every form of that stem together, it is the word meant.
        """
        if word in STOP_WORDS or word in self.counts or len(word) < MIN_CORRECTED or _DIGIT.search(word):
            return None
        near = self._near(word, 1, same_start=False)
        if near and self.counts[near[0]] > self.stems.get(stem_key(word), 0):
            return near[0]
        return None

    def correction(self, word: str) -> str | None:
        """Return the site's word nearest to a misspelt word, or None if none is close enough."""
        if len(word) < MIN_CORRECTED or _DIGIT.search(word):
            return None
        limit = 2 if len(word) >= TWO_EDITS_FROM else 1
        ranked = self._near(word, limit, same_start=limit > 1)
        return ranked[0] if ranked else None

    def suggestions(self, word: str) -> list[str]:
        """Return up to SUGGESTIONS site words near an unknown word, nearest and commonest first."""
        if len(word) < MIN_CORRECTED or _DIGIT.search(word):
            return []
        return self._near(word, SUGGESTION_EDITS, same_start=False)[:SUGGESTIONS]

    def _near(self, word: str, limit: int, *, same_start: bool) -> list[str]:
        found: list[tuple[int, int, str]] = []
        for candidate, count in self.counts.items():
            if len(candidate) < MIN_CORRECTED or (same_start and candidate[0] != word[0]) or _DIGIT.search(candidate):
                continue
            edits = distance(word, candidate, limit)
            if edits <= limit:
                found.append((edits, -count, candidate))
        return [candidate for _, _, candidate in sorted(found)]

    def read(self, query: str, protected: Iterable[str] = ()) -> Reading:
        """Check every word of a query: keep known words, correct misspelt ones, report unknown ones.

        `protected` words (council names found in the query) are never changed.
        """
        keep = set(protected)
        out: list[str] = []
        corrected: list[tuple[str, str]] = []
        unknown: list[str] = []
        suggestions: list[str] = []
        for word in words(query):
            respelt = None if word in keep else self.respelt(word)
            if respelt is not None:
                corrected.append((word, respelt))
                out.append(respelt)
                continue
            if word in keep or self.known(word):
                out.append(word)
                continue
            fixed = self.correction(word)
            if fixed is not None:
                corrected.append((word, fixed))
                out.append(fixed)
            elif _DIGIT.search(word) or word in OPTIONAL_WORDS:
                continue  # a number ("2026") or an everyday word no page has narrows nothing: it is left out
            else:
                unknown.append(word)
                out.append(word)
                suggestions.extend(s for s in self.suggestions(word) if s not in suggestions)
        return Reading(" ".join(out), tuple(corrected), tuple(dict.fromkeys(unknown)), tuple(suggestions))

    def to_json(self) -> dict[str, object]:
        return {"version": 1, "words": dict(sorted(self.counts.items())), "optional": sorted(OPTIONAL_WORDS)}

    @classmethod
    def from_json(cls, data: Mapping[str, object], extra: Iterable[str] = ()) -> SiteWords:
        counts = data.get("words", {})
        assert isinstance(counts, dict)
        return cls(counts, extra)


def count_words(texts: Iterable[str]) -> dict[str, int]:
    """Return, for each word, how many of `texts` (one per searchable page) have it."""
    counts: dict[str, int] = {}
    for text in texts:
        for word in set(words(text)):
            counts[word] = counts.get(word, 0) + 1
    return counts
