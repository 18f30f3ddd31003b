"""Council files: `councils/<slug>/<topic>/<page>.md` changes a common page for one council, or adds a page.

A file named after a common page is an *override*: its front matter says what happens to the
common page's sections, and its `## ` sections are the council's own text. A file with no common
page behind it is a *council-only page* with a title and summary of its own. Every file is
converted once (Markdown to sanitised HTML, Jinja kept for later) and checked here; once the site
is resolved, localgov/checks.py renders each for its council and checks its links, so that a file
that cannot be rendered is refused before the render stage.

Policy for council files (README: "Council overrides"): a file that breaks a rule, or that
contains unsafe HTML (scripts, event handlers, `javascript:` links, frames, forms), is *refused*:
an error with file and line, so `localgov build` fails and writes nothing. `--keep-going` builds
the site without the refused files (those councils' pages show the common text) and still exits 1.
HTML that is merely unsupported (a `style` attribute, an image) is removed with a warning.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from localgov.errors import Problem, Problems, describe
from localgov.load.fields import FieldReader, closest, did_you_mean, read_text
from localgov.load.frontmatter import FrontMatterProblem, read_document
from localgov.load.jinja_checks import check_source_template, council_calls
from localgov.load.markdown import convert, report, slugify
from localgov.load.paths import MAX_COUNCIL_BYTES, RESERVED, escapes, is_slug, relative
from localgov.load.safety import scan_html
from localgov.load.yamlfile import YamlDoc
from localgov.model import Content, Council, CouncilPage, Override, Overrides, Page, Section

COUNCIL_FILE = "council.yaml"
OVERRIDE_FIELDS = frozenset({"summary", "keywords", "replace", "remove", "before", "after", "body"})
PLACING_FIELDS = ("replace", "remove", "before", "after", "body")
COUNCIL_PAGE_FIELDS = frozenset({"title", "summary", "keywords", "lgsl", "last_reviewed", "owner"})
COMMON_ONLY_FIELDS = frozenset(
    {"title", "provider", "lgsl", "requires", "provided_elsewhere", "last_reviewed", "owner"}
)
MAX_BYTES = MAX_COUNCIL_BYTES


def stopping_errors(problems: Problems, refused: Iterable[Problem] = ()) -> list[Problem]:
    """Return the errors that stop a build: all of them, except those of refused council files when given."""
    contained = set(refused)
    return [p for p in problems.errors if p not in contained]


# -- loading


def load_overrides(root: Path, councils: Mapping[str, Council], content: Content, problems: Problems) -> Overrides:
    """Read every council's override files and council-only pages, reporting each problem with file and line.

    The files that follow every rule here are accepted; checks.py then renders each for its council and
    checks its links, and refuses those that fail as this refuses a file that breaks a rule.
    """
    folder = root / "councils"
    overrides: dict[tuple[str, str], Override] = {}
    pages: dict[tuple[str, str], CouncilPage] = {}
    welsh: dict[tuple[str, str], Override] = {}
    refused: set[Problem] = set()
    refused_files: set[str] = set()
    reader = _Reader(root, content, problems)
    for slug in sorted(councils):
        council_dir = folder / slug
        if not council_dir.is_dir():
            continue
        for path, topic in _council_files(root, council_dir, reader):
            rel = relative(path, root)
            start = len(problems.items)
            result = reader.read(path, rel, councils[slug], topic)
            errors = [p for p in problems.items[start:] if p.severity == "error"]
            if errors or result is None:
                refused.update(errors)
                refused_files.add(rel)
            elif isinstance(result, Override) and result.lang == "cy":
                welsh[(slug, result.page)] = result
            elif isinstance(result, Override):
                overrides[(slug, result.page)] = result
            else:
                pages[(slug, result.slug)] = result
        refused.update(reader.refused)
        refused_files.update(reader.refused_files)
        reader.refused.clear()
        reader.refused_files.clear()
    for (slug, page), override in sorted(welsh.items()):
        if (slug, page) not in overrides:
            problem = Problem(override.source, 0, "a Welsh override translates the council's English override"
                              " beside it", "", override.source.removesuffix(".cy.md") + ".md",
                              "no English override", "error")
            problems.items.append(problem)
            refused.add(problem)
            refused_files.add(override.source)
    welsh = {key: override for key, override in welsh.items() if key in overrides}
    return Overrides(overrides=overrides, pages=pages, refused=frozenset(refused),
                     refused_files=tuple(sorted(refused_files)), welsh=welsh)


def _council_files(root: Path, council_dir: Path, reader: _Reader) -> list[tuple[Path, str]]:
    """Return (file, topic folder) for every `.md` file of a council, refusing anything outside its folder."""
    problems = reader.problems
    found: list[tuple[Path, str]] = []
    where = relative(council_dir, root)
    for entry in sorted(council_dir.iterdir()):
        if entry.name.startswith((".", "_")) or entry.name == COUNCIL_FILE:
            continue
        rel = relative(entry, root)
        if entry.is_symlink() and escapes(entry, council_dir):
            reader.refuse(rel, 0, f"is a link to a place outside {where}/; council files must be in the council's"
                          " own folder", expected=f"a file or folder inside {where}/", found="a symbolic link")
            continue
        if entry.is_dir():
            for path in sorted(entry.iterdir()):
                inner = relative(path, root)
                if path.name.startswith((".", "_")):
                    continue
                if path.is_symlink() and escapes(path, council_dir):
                    reader.refuse(inner, 0, f"is a link to a place outside {where}/; council files must be in the"
                                  " council's own folder", expected=f"a file inside {where}/", found="a symbolic link")
                elif path.is_dir():
                    reader.refuse(inner, 0, "folders inside a topic folder are not read",
                                  expected=f"{where}/<topic>/<page>.md", found="a folder")
                elif path.suffix == ".md":
                    found.append((path, entry.name))
                else:
                    problems.warn(inner, 0, "not used: only .md files in topic folders are read",
                                  expected=f"{where}/<topic>/<page>.md", found=repr(path.name))
        elif entry.suffix == ".md":
            page = reader.content.pages.get(entry.stem)
            hint = f"{where}/{page.topic}/{entry.name}" if page else f"{where}/<topic>/{entry.name}"
            reader.refuse(rel, 0, "council files go in a topic folder, like the common pages",
                          expected=hint, found=rel)
        else:
            problems.warn(rel, 0, f"not used: a council folder holds {COUNCIL_FILE} and topic folders",
                          expected=f"{where}/<topic>/<page>.md", found=repr(entry.name))
    return found


def read_override(root: Path, content: Content, council: Council, path: Path, rel: str, topic: str,
                  problems: Problems) -> Override | CouncilPage | None:
    """Read one council file against the loaded content, as `load_overrides` reads each (problems in `problems`)."""
    return _Reader(root, content, problems).read(path, rel, council, topic)


class _Reader:
    """Reads one council file at a time against the loaded content."""

    def __init__(self, root: Path, content: Content, problems: Problems) -> None:
        self.root = root
        self.content = content
        self.problems = problems
        self.refused: set[Problem] = set()
        self.refused_files: set[str] = set()
        self.broken = {path.stem for path in (root / "content").glob("*/*.md")
                       if not path.name.endswith(".cy.md")} - set(content.pages)

    def refuse(self, rel: str, line: int, message: str, *, field: str = "", expected: str = "",
               found: str = "") -> None:
        problem = Problem(rel, line, message, field, expected, found, "error")
        self.problems.items.append(problem)
        self.refused.add(problem)
        self.refused_files.add(rel)

    def read(self, path: Path, rel: str, council: Council, topic: str) -> Override | CouncilPage | None:
        problems = self.problems
        slug = path.stem
        lang = "en"
        if path.name.endswith(".cy.md"):
            slug, lang = path.name[: -len(".cy.md")], "cy"
        text = read_text(path, rel, problems, folder=self.root / "councils" / council.slug, root=self.root,
                         limit=MAX_BYTES)
        if text is None:
            return None
        if not is_slug(topic):
            problems.error(rel, 0, "topic folder name is not a slug", expected="lower-case letters, digits and hyphens",
                           found=repr(topic))
            return None
        if not is_slug(slug) or slug in RESERVED:
            problems.error(rel, 0, "file name is not a usable page slug",
                           expected="lower-case letters, digits and hyphens, like bin-collections.md",
                           found=repr(path.name))
            return None
        text = text.removeprefix("\ufeff").replace("\r\n", "\n")
        if text.split("\n", 1)[0].strip() != "---":
            # No front matter: the whole file is sections, which is all most overrides need.
            text = "---\n---\n" + text
            offset = -2
        else:
            offset = 0
        try:
            document = read_document(text)
        except FrontMatterProblem as exc:
            problems.error(rel, exc.line + offset, str(exc), field=exc.field, expected=exc.expected, found=exc.found)
            return None
        meta = _shift(document.meta, offset)
        body_line = document.body_line + offset
        page = self.content.pages.get(slug)
        if lang == "cy":
            if page is None:
                problems.error(rel, 0, "a Welsh council file must be named after a common page",
                               expected="<page>.cy.md beside the council's <page>.md", found=repr(path.name))
                return None
            found = self.read_override(rel, council, topic, page, meta, document.body, body_line)
            return dataclasses.replace(found, lang="cy") if found is not None else None
        if page is not None:
            return self.read_override(rel, council, topic, page, meta, document.body, body_line)
        if slug in self.broken:
            return None  # the common page has errors of its own, reported where it is
        return self.read_council_page(rel, council, topic, slug, meta, document.body, body_line)

    # -- the two kinds of file

    def read_override(self, rel: str, council: Council, topic: str, page: Page, meta: YamlDoc, body: str,
                      body_line: int) -> Override | None:
        problems = self.problems
        where = f"{page.topic}/{page.slug}"
        if topic != page.topic:
            problems.error(rel, 0, f"the common page {page.slug} is in the topic '{page.topic}', not '{topic}'",
                           expected=f"councils/{council.slug}/{page.topic}/{page.slug}.md", found=rel)
            return None
        for key in sorted(set(meta.data) & COMMON_ONLY_FIELDS):
            problems.error(rel, meta.line(key), f"an override cannot change '{key}', which {page.source} sets;"
                           " to add a page of the council's own, give the file a name no common page uses",
                           field=key, expected="one of " + ", ".join(sorted(OVERRIDE_FIELDS)), found=repr(key))
        fields = FieldReader(rel, YamlDoc({k: v for k, v in meta.data.items() if k not in COMMON_ONLY_FIELDS},
                                          meta.lines, meta.first_line), problems)
        fields.reject_unknown(OVERRIDE_FIELDS)
        summary = fields.text("summary")
        keywords = fields.text_list("keywords")
        converted = self.convert(rel, body, body_line)
        if converted is None:
            return None
        sections, link_keys = converted
        own = [s.id for s in sections]
        common = list(page.section_ids())
        whole = self.read_body_mode(fields)
        ids = _IdReader(fields, where, common, own)
        replace = ids.list("replace")
        remove = ids.list("remove")
        before = ids.mapping("before")
        after = ids.mapping("after")
        if whole:
            for key in ("replace", "remove", "before", "after"):
                if key in meta.data:
                    problems.error(rel, meta.line(key), "'body: replace' already replaces every section", field=key,
                                   expected=f"either 'body: replace' or '{key}', not both", found=repr(key))
            if not sections:
                problems.error(rel, meta.line("body"), "'body: replace' needs a body to replace the page's with",
                               field="body", expected="text after the front matter", found="an empty body")
        else:
            for number, section_id in enumerate(replace, start=1):
                if section_id in common and section_id not in own:
                    problems.error(rel, ids.line("replace", number), f"this file has no section '{section_id}' to put"
                                   " in its place", field="replace",
                                   expected=f"a heading like '## Title {{#{section_id}}}' below the front matter",
                                   found="no such section")
            for number, section_id in enumerate(remove, start=1):
                if section_id in own:
                    problems.error(rel, ids.line("remove", number), f"section '{section_id}' is both removed and given"
                                   " in this file", field="remove",
                                   expected="a section either removed or replaced", found=repr(section_id))
            placed: dict[str, str] = {}
            for key, table in (("before", before), ("after", after)):
                for anchor, new_ids in table:
                    for section_id in new_ids:
                        line = ids.line(f"{key}.{anchor}")
                        if section_id not in own:
                            problems.error(rel, line, f"this file has no section '{section_id}'"
                                           f"{did_you_mean(section_id, own)}", field=f"{key}.{anchor}",
                                           expected="the id of a '## ' section in this file", found=repr(section_id))
                        elif section_id in common:
                            problems.error(rel, line, f"'{section_id}' is a section of {where}, which a file can"
                                           " replace or remove but not move", field=f"{key}.{anchor}",
                                           expected="the id of a new section", found=repr(section_id))
                        elif section_id in placed:
                            problems.error(rel, line, f"section '{section_id}' is already placed by"
                                           f" '{placed[section_id]}'", field=f"{key}.{anchor}",
                                           expected="each new section placed once", found=repr(section_id))
                        placed.setdefault(section_id, f"{key}.{anchor}")
            raw = meta.data.get("replace")
            named = {str(i).strip().lstrip("#") for i in (raw if isinstance(raw, list) else [raw]) if i is not None}
            heading_lines = _heading_lines(body, body_line)
            for section in sections:
                if section.id in common or section.id in placed or section.id == "intro" or section.id in named:
                    continue
                near = closest(section.id, common)
                hint = f"; did you mean to replace '{near}'?" if near else ""
                problems.warn(rel, heading_lines.get(section.id, body_line),
                              f"section '{section.id}' is not in {where}, so it is added at the end{hint}",
                              expected="before: or after: to place a new section", found=repr(section.id))
            if not sections and not (summary or keywords or remove):
                problems.warn(rel, meta.first_line, "this file changes nothing",
                              expected="summary, keywords, remove, or sections to replace or add")
        return Override(council=council.slug, page=page.slug, topic=page.topic, source=rel, sections=sections,
                        summary=summary, keywords=keywords, whole_body=whole, remove=remove,
                        before=before, after=after, link_keys=link_keys, body=body, body_line=body_line)

    def read_council_page(self, rel: str, council: Council, topic: str, slug: str, meta: YamlDoc, body: str,
                          body_line: int) -> CouncilPage | None:
        problems = self.problems
        near = did_you_mean(slug, self.content.pages.keys())
        placing = [key for key in PLACING_FIELDS if key in meta.data]
        if placing or "title" not in meta.data:
            key = placing[0] if placing else "title"
            what = (f"there is no common page '{slug}' to change{near}" if placing else
                    f"there is no common page '{slug}'{near}, so this file is a council-only page and needs a title")
            problems.error(rel, meta.line(key) if placing else meta.first_line, what, field=key,
                           expected="the name of a common page" if placing else "title and summary",
                           found=repr(slug) if placing else "no title")
            return None
        if topic not in self.content.topics:
            problems.error(rel, 0, f"no topic '{topic}' in content/{did_you_mean(topic, self.content.topics.keys())}",
                           expected="a topic folder name from content/", found=repr(topic))
            return None
        if slug in self.content.topics:
            problems.error(rel, 0, f"'{slug}' is a topic, so /{slug}/{council.slug}/ is already that topic's page"
                           f" for {council.name}", expected="a page name that is not a topic", found=repr(slug))
            return None
        fields = FieldReader(rel, meta, problems)
        fields.reject_unknown(COUNCIL_PAGE_FIELDS)
        title = fields.text("title", required=True)
        summary = fields.text("summary", required=True)
        keywords = fields.text_list("keywords")
        lgsl = fields.integers("lgsl")
        reviewed = fields.date("last_reviewed")
        owner = fields.text("owner")
        converted = self.convert(rel, body, body_line)
        if converted is None or title is None or summary is None:
            return None
        sections, link_keys = converted
        if not sections:
            problems.error(rel, body_line, "a council-only page needs some text",
                           expected="text after the front matter", found="an empty body")
        return CouncilPage(council=council.slug, slug=slug, topic=topic, title=title, summary=summary, source=rel,
                           sections=sections, keywords=keywords, lgsl=lgsl, last_reviewed=reviewed, owner=owner,
                           link_keys=link_keys, body=body, body_line=body_line)

    def read_body_mode(self, fields: FieldReader) -> bool:
        value = fields.doc.data.get("body")
        if value is None:
            return False
        if value == "replace":
            return True
        self.problems.error(fields.file, fields.doc.line("body"), "not a known value", field="body",
                            expected="'replace', to replace the whole body of the page", found=describe(value))
        return False

    # -- the body

    def convert(self, rel: str, body: str,
                body_line: int) -> tuple[tuple[Section, ...], tuple[tuple[str, int], ...]] | None:
        """Convert and check a council file's body; return its sections and link keys, or None."""
        problems = self.problems
        start = len(problems.errors)
        raw = convert(body, first_line=body_line)
        report(rel, raw, problems)
        for line in raw.headings_h1:
            problems.error(rel, line, "the page title is the only level 1 heading; use '## ' for sections",
                           expected="## Heading", found="# Heading")
        seen: set[str] = set()
        heading_lines = _heading_lines(body, body_line)
        for section in raw.sections:
            if section.id in seen:
                problems.error(rel, heading_lines.get(section.id, body_line),
                               f"two sections have the id '{section.id}'",
                               expected="a unique {#id} on each '## ' heading", found=repr(section.id))
            seen.add(section.id)
        tree = check_source_template(rel, body, body_line, problems, contributed=True)
        scan_html(rel, "\n".join(s.html for s in raw.sections), body, body_line, problems)
        if len(problems.errors) > start:
            return None
        sections = convert(body, first_line=body_line, contributed=True).sections
        return sections, tuple(council_calls(tree, "link", "service_url"))


class _IdReader:
    """Reads the section ids of `replace`, `remove`, `before` and `after`, forgiving `#` and single values."""

    def __init__(self, fields: FieldReader, where: str, common: list[str], own: list[str]) -> None:
        self.fields = fields
        self.where = where
        self.common = common
        self.own = own

    def line(self, path: str, number: int | None = None) -> int:
        return self.fields.doc.line(f"{path}[{number}]" if number is not None else path)

    def _id(self, value: object) -> str | None:
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip().lstrip("#")
        return None

    def _check(self, key: str, section_id: str, line: int) -> bool:
        if section_id in self.common:
            return True
        self.fields.problems.error(self.fields.file, line, f"no section '{section_id}' in {self.where}"
                                   f"{did_you_mean(section_id, self.common)}", field=key,
                                   expected="one of " + ", ".join(self.common) if self.common else "a section id",
                                   found=repr(section_id))
        return False

    def list(self, key: str) -> tuple[str, ...]:
        raw = self.fields.doc.data.get(key)
        if raw is None:
            return ()
        items = raw if isinstance(raw, list) else [raw]
        found: list[str] = []
        for number, item in enumerate(items, start=1):
            line = self.line(key, number) if isinstance(raw, list) else self.line(key)
            section_id = self._id(item)
            if section_id is None:
                self.fields.problems.error(self.fields.file, line, "wrong type", field=key,
                                           expected="a list of section ids", found=describe(item))
            elif self._check(key, section_id, line) and section_id not in found:
                found.append(section_id)
        return tuple(found)

    def mapping(self, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        raw = self.fields.doc.data.get(key)
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            self.fields.problems.error(self.fields.file, self.line(key), "wrong type", field=key,
                                       expected="lines like 'fees: new-section-id' (a section of the page: the new"
                                       " section ids)", found=describe(raw))
            return ()
        found: list[tuple[str, tuple[str, ...]]] = []
        for anchor_raw, value in raw.items():
            anchor = self._id(anchor_raw) or ""
            line = self.line(f"{key}.{anchor_raw}")
            if not self._check(key, anchor, line):
                continue
            values = value if isinstance(value, list) else [value]
            ids = tuple(i for i in (self._id(v) for v in values) if i)
            if len(ids) != len(values) or not ids:
                self.fields.problems.error(self.fields.file, line, "wrong type", field=f"{key}.{anchor}",
                                           expected="a section id or a list of them", found=describe(value))
                continue
            found.append((anchor, ids))
        return tuple(found)


def _shift(doc: YamlDoc, offset: int) -> YamlDoc:
    if not offset:
        return doc
    return YamlDoc(doc.data, {k: v + offset for k, v in doc.lines.items()}, max(1, doc.first_line + offset))


HEADING = re.compile(r"^##\s(.*?)(?:\{#([^}\s]+)\})?\s*$")


def _heading_lines(body: str, body_line: int) -> dict[str, int]:
    """Return the line of the heading that gives each section its id (best effort), in one pass over the body.

    One pass for all sections: looking up each section's heading line by line again took time that grew
    with the square of the number of sections.
    """
    found: dict[str, int] = {}
    for number, line in enumerate(body.split("\n")):
        match = HEADING.match(line) if line.startswith("##") else None
        if match is not None:
            found.setdefault(match.group(2) or slugify(match.group(1)), body_line + number)
    return found

