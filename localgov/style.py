"""The style check: how readable each common page is, as GOV.UK's style guide asks.

For each page it finds:

- a readability score (Flesch reading ease, 0 to 100: higher is easier; plain English for the public
  scores 60 or more), from the page's text as a resident reads it, template calls filled with a word;
- sentences longer than 25 words (GOV.UK: "keep sentences to 25 words or fewer");
- words from the style guide's "words to avoid" list (https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style),
  with the plain word to use instead.

These are reported as warnings. A page that states rules (a resident "must", "it is an offence", "by law")
and names no `sources` is an error: a rule nobody can check is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from localgov.errors import Problems
from localgov.model import Content, Page

LONG_SENTENCE = 25  # words
PLAIN_ENGLISH = 60  # Flesch reading ease at or above which a text reads as plain English

# The style guide's words to avoid, with what to say instead. Each pattern matches only the senses the
# guide warns about ("foster" a child, "key" in a lock and "deliver" a parcel are fine, so they are left out).
AVOID: tuple[tuple[str, str, str], ...] = (
    ("agenda", r"\bagenda\b(?! (?:for|of) the meeting)", "say what you mean (a plan, a priority)"),
    ("advancing", r"\badvancing\b", "say what is being done"),
    ("collaborate", r"\bcollaborat(?:e|es|ed|ing|ion)\b", "work with"),
    ("combat", r"\bcombat(?:s|ed|ing)?\b", "stop, reduce or prevent"),
    ("commit", r"\b(?:commit|pledge)(?:s|ted|ting|d)? to\b", "say what will be done"),
    ("countering", r"\bcounter(?:ing|s|ed)?\b (?:the|fraud|crime)", "prevent, stop"),
    ("deliver", r"\bdeliver(?:s|ed|ing)? (?:on|outcomes|change|improvements|value|services)\b",
     "make, create, provide, give"),
    ("deploy", r"\bdeploy(?:s|ed|ing|ment)?\b", "use, put into place"),
    ("dialogue", r"\bdialogue\b", "talk, discussion"),
    ("disincentivise", r"\bdisincentivi[sz](?:e|es|ed|ing)\b", "discourage, deter"),
    ("empower", r"\bempower(?:s|ed|ing|ment)?\b", "allow, give permission"),
    ("facilitate", r"\bfacilitat(?:e|es|ed|ing)\b", "say what is being done: help, run"),
    ("focusing", r"\bfocus(?:s|ed|ing)? on\b", "working on, concentrating on"),
    ("going forward", r"\bgoing forward\b", "from now on, in future"),
    ("impact", r"\bimpact(?:s|ed|ing)? (?:on )?(?:your|the|their|our|people|residents)\b",
     "affect, change, have an effect on"),
    ("incentivise", r"\bincentivi[sz](?:e|es|ed|ing)\b", "encourage"),
    ("initiate", r"\binitiat(?:e|es|ed|ing)\b", "start, begin"),
    ("key", r"\bkey (?:to|role|issue|issues|priority|priorities|objective|objectives|area|areas|factor|factors|"
            r"stakeholders?|partners?)\b", "important, main (or leave it out)"),
    ("land", r"\blands? (?:a|the) (?:deal|policy|change)\b", "get, achieve, agree"),
    ("leverage", r"\bleverag(?:e|es|ed|ing)\b", "use, influence"),
    ("liaise", r"\bliais(?:e|es|ed|ing)\b", "work with, talk to"),
    ("overarching", r"\boverarching\b", "leave it out, or say what it covers"),
    ("progress", r"\bprogress(?:es|ed|ing)? (?:the|your|this|an?) \w+", "work on, develop"),
    ("promote", r"\bpromot(?:e|es|ed|ing)\b(?! (?:to|from))", "recommend, support, tell people about"),
    ("robust", r"\brobust\b", "strong, thorough (or say why it is)"),
    ("slimming down", r"\bslimming down\b", "say what is being taken away"),
    ("streamline", r"\bstreamlin(?:e|es|ed|ing)\b", "simplify, make quicker"),
    ("strengthening", r"\bstrengthen(?:s|ed|ing)?\b(?! (?:a|the) (?:bridge|wall|structure|building))",
     "increase, improve, support"),
    ("tackling", r"\btackl(?:e|es|ed|ing)\b", "stop, deal with, solve"),
    ("transforming", r"\btransform(?:s|ed|ing|ation)?\b", "say what is changing and how"),
    ("utilise", r"\butili[sz](?:e|es|ed|ing|ation)\b", "use"),
    ("in order to", r"\bin order to\b", "to"),
)
AVOIDED = tuple((word, re.compile(pattern, re.IGNORECASE), instead) for word, pattern, instead in AVOID)

# Words that state a rule a resident must follow or can rely on.
RULE_WORDS = re.compile(
    r"\b(?:you must|must not|by law|the law says|legally|legal duty|it is an offence|is illegal|is against the law|"
    r"you have a right|you have the right|have to pay|you can be fined|fixed penalty|entitled to|are eligible|"
    r"is required to|are required to)\b", re.IGNORECASE)

FRONT = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.DOTALL)
TEMPLATE_OUT = re.compile(r"\{\{.*?\}\}", re.DOTALL)
TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
ATTRIBUTES = re.compile(r"\s*\{#[^}]*\}\s*$")
HTML_TAG = re.compile(r"<[^>]+>")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"‘(])")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
VOWELS = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class Sentence:
    line: int
    text: str
    words: int


@dataclass(frozen=True)
class PageStyle:
    """What the style check found in one page."""

    page: str  # slug
    source: str
    score: float  # Flesch reading ease
    words: int
    sentences: tuple[Sentence, ...]
    long: tuple[Sentence, ...]
    avoided: tuple[tuple[int, str, str, str], ...]  # line, word as written, the list's word, what to say instead
    states_rules: int  # the first line stating a rule, or 0


def syllables(word: str) -> int:
    """Count a word's syllables by its vowel groups: good enough for a reading-ease score."""
    word = word.lower().strip("'’-")
    if not word:
        return 0
    if word.isdigit():
        return 1
    count = len(VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if word.endswith(("ed", "es")) and count > 1 and not word.endswith(("ted", "ded", "ses", "zes", "ches",
                                                                          "shes", "ges", "ces", "xes")):
        count -= 1
    return max(count, 1)


def reading_ease(words: list[str], sentences: int) -> float:
    """Flesch reading ease: 206.835 - 1.015 x words per sentence - 84.6 x syllables per word."""
    if not words or not sentences:
        return 100.0
    total = sum(syllables(w) for w in words)
    return round(206.835 - 1.015 * len(words) / sentences - 84.6 * total / len(words), 1)


def prose_lines(markdown: str, first_line: int) -> list[tuple[int, str]]:
    """Return the lines of running text in a page body, as a resident reads them, with their line numbers.

    Headings, tables and code are left out; template calls that print something become one word, and
    template tags vanish, so `{{ council.name }} collects bins.` reads as "Council collects bins."
    """
    found: list[tuple[int, str]] = []
    fenced = False
    for number, raw in enumerate(markdown.splitlines(), start=first_line):
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or not line or line.startswith(("#", "|", "<!--")):
            continue
        line = TEMPLATE_TAG.sub("", line)
        line = TEMPLATE_OUT.sub("Council", line)
        line = LINK.sub(r"\1", line)
        line = HTML_TAG.sub(" ", line)
        line = ATTRIBUTES.sub("", line)
        line = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", line).replace("**", "").replace("__", "")
        line = " ".join(line.split())
        if WORD.search(line):
            found.append((number, line))
    return found


def split_sentences(lines: list[tuple[int, str]]) -> list[Sentence]:
    """Split running text into sentences. A list item or a line without a full stop is a sentence of its own."""
    found: list[Sentence] = []
    for number, line in lines:
        for part in SENTENCE_END.split(line):
            words = WORD.findall(part)
            if words:
                found.append(Sentence(number, part, len(words)))
    return found


def page_style(page: Page, text: str) -> PageStyle:
    """Look at one page's source text (the whole file, front matter and all)."""
    front = FRONT.match(text)
    body = text[front.end():] if front else text
    first = text[: front.end()].count("\n") + 1 if front else 1
    lines = prose_lines(body, first)
    sentences = split_sentences(lines)
    words = [w for s in sentences for w in WORD.findall(s.text)]
    avoided: list[tuple[int, str, str, str]] = []
    rules = 0
    for number, line in lines:
        for word, pattern, instead in AVOIDED:
            for match in pattern.finditer(line):
                avoided.append((number, match.group(0), word, instead))
        if not rules and RULE_WORDS.search(line):
            rules = number
    return PageStyle(page=page.slug, source=page.source, score=reading_ease(words, len(sentences)),
                     words=len(words), sentences=tuple(sentences),
                     long=tuple(s for s in sentences if s.words > LONG_SENTENCE), avoided=tuple(avoided),
                     states_rules=rules)


def content_style(root: Path, content: Content) -> list[PageStyle]:
    """Look at every common page, in the order of their files."""
    found: list[PageStyle] = []
    for page in sorted(content.pages.values(), key=lambda p: p.source):
        try:
            text = (root / page.source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the loader has said why it cannot read the file
        found.append(page_style(page, text))
    return found


def check_style(root: Path, content: Content, problems: Problems) -> list[PageStyle]:
    """Report each page's long sentences and avoided words, and refuse a page that states rules without sources."""
    styles = content_style(root, content)
    for style in styles:
        page = content.pages[style.page]
        for sentence in style.long:
            problems.warn(style.source, sentence.line, f"long sentence ({sentence.words} words): "
                          f"{_shorten(sentence.text)}", expected=f"at most {LONG_SENTENCE} words (GOV.UK style)",
                          found=f"{sentence.words} words")
        for line, written, word, instead in style.avoided:
            problems.warn(style.source, line, f"'{written}' is on GOV.UK's list of words to avoid ({word})",
                          expected=instead, found=repr(written))
        if style.score < PLAIN_ENGLISH:
            problems.warn(style.source, 1, f"hard to read: reading ease {style.score:.0f}",
                          expected=f"{PLAIN_ENGLISH} or more (Flesch reading ease; shorter sentences and words help)",
                          found=f"{style.score:.0f}")
        if style.states_rules and not page.sources:
            problems.error(style.source, style.states_rules, "the page states a rule but names no sources",
                           field="sources", expected="a '- title: ..., url: https://...' entry for each rule",
                           found="no sources")
    return styles


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class ListedService:
    """A service on GOV.UK's Local Government Service List, as its published CSV gives it."""

    lgsl: int
    description: str
    tier: str
    line: int


def read_service_list(path: Path, problems: Problems) -> list[ListedService]:
    """Read GOV.UK's list of local services (a CSV with `LGSL` and `Description` columns, as Publisher exports it)."""
    import csv

    shown = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.error(shown, 0, f"cannot read the service list: {exc}", expected="a CSV file in UTF-8")
        return []
    if not rows or "LGSL" not in rows[0] or "Description" not in rows[0]:
        problems.error(shown, 1, "not a list of local services", expected="a header with LGSL and Description",
                       found=", ".join(rows[0]) if rows else "an empty file")
        return []
    header = rows[0]
    code_at, text_at = header.index("LGSL"), header.index("Description")
    tier_at = header.index("Providing Tier") if "Providing Tier" in header else None
    found: list[ListedService] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header) or not row[code_at].strip().isdigit():
            problems.error(shown, number, "not a service row", field="LGSL", expected="a whole number",
                           found=repr(row[code_at] if len(row) > code_at else ",".join(row)))
            continue
        found.append(ListedService(int(row[code_at]), " ".join(row[text_at].split()),
                                   row[tier_at].strip() if tier_at is not None else "", number))
    return found


def check_service_list(content: Content, listed: list[ListedService], list_name: str, problems: Problems) -> None:
    """Name each listed service no page carries and that is not retired, and each code no list has."""
    carried = {code: page for page in content.pages.values() for code in page.lgsl}
    retired = {r.lgsl for r in content.retired}
    known = {service.lgsl for service in listed}
    for service in listed:
        if service.lgsl not in carried and service.lgsl not in retired:
            problems.warn(list_name, service.line, f"no page carries LGSL {service.lgsl} ({service.description})",
                          field="lgsl", expected="a page or section for it, or an entry in content/_retired.yaml",
                          found="neither")
    for code, page in sorted(carried.items()):
        if code not in known:
            problems.warn(page.source, 1, f"LGSL code {code} is not on the service list {list_name}", field="lgsl",
                          expected="a code from the list", found=str(code))
    for entry in content.retired:
        if entry.lgsl not in known:
            problems.warn("content/_retired.yaml", 1, f"retired LGSL code {entry.lgsl} is not on the service list"
                          f" {list_name}", field="lgsl", expected="a code from the list", found=str(entry.lgsl))


def format_styles(styles: list[PageStyle]) -> str:
    """A table of every page's reading ease, hardest first, with its words per sentence and long sentences."""
    lines = [f"{'reading ease':>12}  {'words':>5}  {'per sentence':>12}  {'long':>4}  page"]
    for style in sorted(styles, key=lambda s: (s.score, s.source)):
        per = style.words / len(style.sentences) if style.sentences else 0.0
        lines.append(f"{style.score:>12.0f}  {style.words:>5}  {per:>12.1f}  {len(style.long):>4}  {style.source}")
    if styles:
        average = sum(s.score for s in styles) / len(styles)
        lines.append(f"{len(styles)} pages; average reading ease {average:.0f}"
                     f" (plain English: {PLAIN_ENGLISH} or more)")
    return "\n".join(lines)
