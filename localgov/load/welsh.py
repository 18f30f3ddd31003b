"""Load the Welsh files: `<page>.cy.md` beside each English page, `_topic.cy.yaml`, `_synonyms.cy.yaml`.

A Welsh page gives only what is said in Welsh (title, summary, keywords, `provided_elsewhere`
and the body); everything else (provider, LGSL codes, requirements, owner, sources, review date)
comes from the English page. Its `## ` sections keep the English page's ids, since council
overrides and search name sections by id. `translated_from` records the first 12 hex digits of the
SHA-256 of the English file it was translated from, so that a change to the English page shows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from pathlib import Path

from localgov.errors import Problems
from localgov.load.fields import FieldReader, read_text, read_yaml_file
from localgov.load.frontmatter import FrontMatterProblem, read_document
from localgov.load.jinja_checks import check_source_template
from localgov.load.markdown import convert, report
from localgov.load.pagefields import check_sections, load_synonyms, read_elsewhere
from localgov.load.paths import Unreadable, read_source, relative
from localgov.model import Page, Topic, Translation

WELSH_SUFFIX = ".cy.md"
WELSH_TOPIC_FILE = "_topic.cy.yaml"
WELSH_SYNONYMS = "_synonyms.cy.yaml"
WELSH_PAGE_FIELDS = frozenset({"title", "summary", "keywords", "translated", "translated_from", "provided_elsewhere"})
WELSH_TOPIC_FIELDS = frozenset({"title", "summary"})
DIGEST = re.compile(r"^[0-9a-f]{12}$")


def is_welsh(path: Path) -> bool:
    """Say whether a Markdown file is a Welsh translation (`<page>.cy.md`)."""
    return path.name.endswith(WELSH_SUFFIX)


def english_path(path: Path) -> Path:
    """Return the English file a Welsh file translates: `bins.cy.md` -> `bins.md`."""
    return path.with_name(path.name[: -len(WELSH_SUFFIX)] + ".md")


def short_digest(data: bytes) -> str:
    """Return the first 12 hex digits of the SHA-256 of `data` (`sha256sum file | cut -c1-12`)."""
    return hashlib.sha256(data).hexdigest()[:12]


def load_welsh(root: Path, topics: dict[str, Topic], pages: dict[str, Page],
               problems: Problems) -> tuple[dict[str, Translation], dict[str, Topic], tuple[tuple[str, ...], ...]]:
    """Read every Welsh page, Welsh topic and the Welsh synonyms of the loaded English content."""
    folder = root / "content"
    welsh: dict[str, Translation] = {}
    welsh_topics: dict[str, Topic] = {}
    for slug, topic in sorted(topics.items()):
        topic_dir = folder / slug
        found = read_welsh_topic(topic_dir, topic, root, problems)
        if found is not None:
            welsh_topics[slug] = found
        for path in sorted(topic_dir.glob("*" + WELSH_SUFFIX)):
            rel = relative(path, root)
            page = pages.get(path.name[: -len(WELSH_SUFFIX)])
            if page is None or page.topic != slug:
                english = relative(english_path(path), root)
                problems.error(rel, 0, "a Welsh page needs the English page it translates beside it",
                               expected=english, found="no such page" if page is None else
                               f"the page is {page.source}")
                continue
            translation = read_welsh_page(path, page, root, problems)
            if translation is not None:
                welsh[page.slug] = translation
    return welsh, welsh_topics, load_synonyms(root, problems, WELSH_SYNONYMS)


def read_welsh_topic(topic_dir: Path, topic: Topic, root: Path, problems: Problems) -> Topic | None:
    path = topic_dir / WELSH_TOPIC_FILE
    if not os.path.lexists(path):
        return None
    rel = relative(path, root)
    doc = read_yaml_file(path, rel, problems, folder=root / "content", root=root)
    if doc is None:
        return None
    fields = FieldReader(rel, doc, problems)
    fields.reject_unknown(WELSH_TOPIC_FIELDS)
    title = fields.text("title", required=True)
    summary = fields.text("summary", required=True)
    if title is None or summary is None:
        return None
    return dataclasses.replace(topic, title=title, summary=summary, source=rel)


def read_welsh_page(path: Path, page: Page, root: Path, problems: Problems) -> Translation | None:
    """Parse and check one Welsh page against its English page; None when it has errors."""
    rel = relative(path, root)
    text = read_text(path, rel, problems, folder=root / "content", root=root)
    if text is None:
        return None
    try:
        english = read_source(root / page.source, root / "content", root)
    except Unreadable as exc:
        problems.error(rel, 0, str(exc), expected=exc.expected, found=exc.found)
        return None
    try:
        document = read_document(text)
    except FrontMatterProblem as exc:
        problems.error(rel, exc.line, str(exc), field=exc.field, expected=exc.expected, found=exc.found)
        return None
    before = len(problems.errors)
    meta = document.meta
    fields = FieldReader(rel, meta, problems)
    for key in sorted(set(meta.data) - WELSH_PAGE_FIELDS):
        problems.error(rel, meta.line(key), f"a Welsh page cannot set '{key}': it comes from {page.source}",
                       field=key, expected="one of " + ", ".join(sorted(WELSH_PAGE_FIELDS)), found=repr(key))
    title = fields.text("title", required=True)
    summary = fields.text("summary", required=True)
    keywords = fields.text_list("keywords")
    translated = fields.date("translated")
    if "translated" not in meta.data:
        problems.error(rel, meta.first_line, "missing field", field="translated",
                       expected="the date it was translated, like 2026-11-27", found="nothing")
    raw_from = meta.data.get("translated_from")
    translated_from = str(raw_from).strip().lower() if raw_from is not None else ""
    if not DIGEST.match(translated_from):
        problems.error(rel, meta.line("translated_from") or meta.first_line, "not the digest of the English page",
                       field="translated_from",
                       expected=f"12 hex digits: sha256sum {page.source} | cut -c1-12",
                       found=repr(raw_from) if raw_from is not None else "nothing")
    elsewhere = read_elsewhere(fields)
    missing = sorted({nation for nation, _ in page.provided_elsewhere} - {nation for nation, _ in elsewhere})
    if missing and "provided_elsewhere" not in meta.data:
        problems.warn(rel, meta.first_line, f"{page.source} says who provides it elsewhere; this page does not",
                      field="provided_elsewhere", expected="provided_elsewhere for " + ", ".join(missing),
                      found="nothing")
    converted = convert(document.body, first_line=document.body_line)
    report(rel, converted, problems)
    for line in converted.headings_h1:
        problems.error(rel, line, "the page title is the only level 1 heading; use '## ' for sections",
                       expected="## Heading", found="# Heading")
    check_sections(rel, document.body_line, converted.sections, problems, document.body)
    ids = [s.id for s in converted.sections]
    english_ids = list(page.section_ids())
    if sorted(ids) != sorted(english_ids):
        absent = [i for i in english_ids if i not in ids]
        extra = [i for i in ids if i not in english_ids]
        problems.error(rel, document.body_line, f"sections differ from {page.source}", field="sections",
                       expected="the same {#id}s: " + ", ".join(english_ids),
                       found="; ".join(part for part in (
                           "missing " + ", ".join(absent) if absent else "",
                           "not in English " + ", ".join(extra) if extra else "") if part))
    check_source_template(rel, document.body, document.body_line, problems)
    if len(problems.errors) > before or title is None or summary is None:
        return None
    welsh = dataclasses.replace(page, title=title, summary=summary, keywords=keywords, sections=converted.sections,
                                provided_elsewhere=elsewhere, source=rel, templated=converted.templated,
                                change_note=None, updated=None, lang="cy")
    return Translation(page=welsh, translated=translated, translated_from=translated_from,
                       english_digest=short_digest(english), source=rel,
                       line=meta.line("translated_from") or meta.first_line)
