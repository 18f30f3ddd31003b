"""Load topics and common pages from `content/`."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from localgov.errors import Problems
from localgov.load.fields import FieldReader, read_text, read_yaml_file
from localgov.load.frontmatter import FrontMatterProblem, read_document
from localgov.load.jinja_checks import check_source_template
from localgov.load.markdown import convert, report
from localgov.load.pagefields import check_sections, load_synonyms, read_elsewhere
from localgov.load.paths import RESERVED, escapes, is_slug, relative
from localgov.load.retired import check_codes_unique, load_retired
from localgov.load.welsh import load_welsh
from localgov.model import PROVIDERS, Content, Page, Topic

TOPIC_FILE = "_topic.yaml"
PAGE_FIELDS = frozenset(
    {"title", "summary", "provider", "lgsl", "keywords", "requires", "provided_elsewhere", "last_reviewed", "owner",
     "change_note", "sources"}
)
CHANGE_NOTE_LIMIT = 200  # GOV.UK's change notes are a sentence
TOPIC_FIELDS = frozenset({"title", "summary", "order"})
SUMMARY_LIMIT = 300


PageReader = Callable[[Path, str, Path, Problems], "Page | None"]


def load_content(root: Path, problems: Problems, read: PageReader | None = None) -> Content:
    """Read `content/<topic>/_topic.yaml` and `content/<topic>/<page>.md`, reporting every problem.

    `read` reads one page (by default `read_page`; an incremental build passes one that remembers
    pages it has read before by their bytes).
    """
    read = read or read_page
    folder = root / "content"
    topics: dict[str, Topic] = {}
    pages: dict[str, Page] = {}
    if not folder.is_dir():
        problems.error("content", 0, "no content folder", expected="content/<topic>/<page>.md")
        return Content(topics, pages)
    for topic_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        rel_dir = relative(topic_dir, root)
        if topic_dir.is_symlink() or escapes(topic_dir, folder):
            problems.error(rel_dir, 0, "topic folder is a link out of content/")
            continue
        if not is_slug(topic_dir.name) or topic_dir.name in RESERVED:
            problems.error(rel_dir, 0, "topic folder name is not a usable slug",
                           expected="lower-case letters, digits and hyphens, not " + ", ".join(sorted(RESERVED)),
                           found=repr(topic_dir.name))
            continue
        topic = read_topic(topic_dir, root, problems)
        if topic is None:
            continue
        topics[topic.slug] = topic
        for path in sorted(topic_dir.glob("*.md")):
            if path.name.endswith(".cy.md"):
                continue  # a Welsh translation (localgov/load/welsh.py)
            page = read(path, topic.slug, root, problems)
            if page is None:
                continue
            if page.slug in pages:
                problems.error(page.source, 1, f"page slug '{page.slug}' is already used by {pages[page.slug].source}",
                               expected="a page name unique across all topics, since it is the URL /"
                               + page.slug + "/")
                continue
            pages[page.slug] = page
    for slug, page in pages.items():
        if slug in topics:
            problems.error(page.source, 1, f"page slug '{slug}' is also a topic, and both would be /{slug}/")
    check_codes_unique(pages, problems)
    welsh, welsh_topics, synonyms_cy = load_welsh(root, topics, pages, problems)
    return Content(topics, pages, load_synonyms(root, problems), load_retired(root, pages, problems), welsh=welsh,
                   welsh_topics=welsh_topics, synonyms_cy=synonyms_cy)


def read_topic(topic_dir: Path, root: Path, problems: Problems) -> Topic | None:
    path = topic_dir / TOPIC_FILE
    rel = relative(path, root)
    if not os.path.lexists(path):
        problems.error(rel, 0, f"every topic folder needs a {TOPIC_FILE} with title and summary")
        return None
    doc = read_yaml_file(path, rel, problems, folder=root / "content", root=root)
    if doc is None:
        return None
    fields = FieldReader(rel, doc, problems)
    fields.reject_unknown(TOPIC_FIELDS)
    title = fields.text("title", required=True)
    summary = fields.text("summary", required=True)
    order = fields.integer("order")
    if title is None or summary is None:
        return None
    return Topic(slug=topic_dir.name, title=title, summary=summary, order=100 if order is None else order, source=rel)


def read_page(path: Path, topic: str, root: Path, problems: Problems) -> Page | None:
    """Parse, validate and convert one common page; None when it has errors."""
    rel = relative(path, root)
    slug = path.stem
    if path.is_symlink() and escapes(path, root / "content"):
        problems.error(rel, 0, "page is a link out of content/")
        return None
    if not is_slug(slug) or slug in RESERVED:
        problems.error(rel, 0, "file name is not a usable page slug",
                       expected="lower-case letters, digits and hyphens", found=repr(path.name))
        return None
    text = read_text(path, rel, problems, folder=root / "content", root=root)
    if text is None:
        return None
    try:
        document = read_document(text)
    except FrontMatterProblem as exc:
        problems.error(rel, exc.line, str(exc), field=exc.field, expected=exc.expected, found=exc.found)
        return None
    before = len(problems.errors)
    fields = FieldReader(rel, document.meta, problems)
    fields.reject_unknown(PAGE_FIELDS)
    title = fields.text("title", required=True)
    summary = fields.text("summary", required=True)
    provider = fields.choice("provider", PROVIDERS, required=True)
    if summary and len(summary) > SUMMARY_LIMIT:
        problems.warn(rel, document.meta.line("summary"), "summary is long; keep it to one sentence", field="summary",
                      expected=f"at most {SUMMARY_LIMIT} characters", found=f"{len(summary)} characters")
    elsewhere = read_elsewhere(fields)
    lgsl = fields.integers("lgsl")
    keywords = fields.text_list("keywords")
    requires = fields.text_list("requires")
    last_reviewed = fields.date("last_reviewed")
    owner = fields.text("owner")
    change_note = fields.text("change_note")
    if change_note and len(change_note) > CHANGE_NOTE_LIMIT:
        problems.warn(rel, document.meta.line("change_note"), "change note is long; say in one sentence what changed",
                      field="change_note", expected=f"at most {CHANGE_NOTE_LIMIT} characters",
                      found=f"{len(change_note)} characters")
    sources = fields.sources("sources")
    converted = convert(document.body, first_line=document.body_line)
    report(rel, converted, problems)
    for line in converted.headings_h1:
        problems.error(rel, line, "the page title is the only level 1 heading; use '## ' for sections",
                       expected="## Heading", found="# Heading")
    check_sections(rel, document.body_line, converted.sections, problems, document.body)
    check_source_template(rel, document.body, document.body_line, problems)
    if len(problems.errors) > before or title is None or summary is None or provider is None:
        return None
    return Page(
        slug=slug,
        topic=topic,
        title=title,
        summary=summary,
        provider=provider,
        sections=converted.sections,
        lgsl=lgsl,
        keywords=keywords,
        requires=requires,
        provided_elsewhere=elsewhere,
        last_reviewed=last_reviewed,
        owner=owner,
        change_note=change_note,
        source=rel,
        templated=converted.templated,
        sources=sources,
    )


__all__ = ["check_sections", "load_synonyms", "read_elsewhere"]
