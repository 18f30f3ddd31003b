"""Extract the searchable text of a built page: title, summary, keywords, body and the council it is for."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from localgov.search.synonyms import words
from localgov.urls import SEARCH_COMMON

COMMON = SEARCH_COMMON


@dataclass(frozen=True)
class Doc:
    """One searchable page, read from its HTML."""

    url: str
    page: str
    scope: str
    title: str
    summary: str = ""
    keywords: str = ""
    body: str = ""
    council_name: str = ""
    provider: str = ""
    lang: str = "en"  # the page's language, from <html lang>: "cy" for a Welsh page

    @property
    def digest(self) -> str:
        parts = (self.url, self.page, self.scope, self.title, self.summary, self.keywords, self.body,
                 self.council_name, self.provider, self.lang)
        text = "\x1f".join(parts)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>|<!--.*?-->", re.DOTALL)


_ATTR = re.compile(r"([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"})


SEARCHABLE = b"data-pagefind-body"  # in every page search indexes, on its <main>
_BODY_START = re.compile(r"<main\b[^>]*\bdata-pagefind-body\b[^>]*>")
_HTML_LANG = re.compile(r'<html\b[^>]*\blang="([a-zA-Z-]+)"')


_SPACES = re.compile(r"\s+")


# Block-level tags end a word even when the HTML has no space between them.
_BLOCK = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "td", "th", "dd", "dt", "tr", "br", "ul",
                   "ol", "section", "table", "blockquote", "summary", "details", "span", "a"})


def _attributes(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        value = (match.group(2) if match.group(2) is not None
                 else match.group(3) if match.group(3) is not None else match.group(4))
        found[match.group(1).lower()] = html.unescape(value or "")
    return found


def _pairs(value: str) -> dict[str, str]:
    """Read Pagefind's `key:value, key:value` attribute form."""
    pairs: dict[str, str] = {}
    for part in value.split(","):
        key, colon, val = part.partition(":")
        if colon:
            pairs[key.strip()] = val.strip()
    return pairs


def extract(text: str, path: str) -> Doc | None:
    """Return the searchable parts of one built page, or None if the page is not marked for search."""
    start = _BODY_START.search(text)
    if start is None:
        return None
    end = text.find("</main>", start.end())
    region = text[start.end(): end if end >= 0 else len(text)]
    fields: dict[str, list[str]] = {"title": [], "summary": [], "keywords": [], "body": [], "council_name": []}
    filters: dict[str, str] = {}
    meta: dict[str, str] = {}
    # Each open element: (tag, field its text goes to, or None when ignored).
    stack: list[tuple[str, str | None]] = []
    current: str | None = "body"
    position = 0
    for match in _TAG.finditer(region):
        if current is not None and match.start() > position:
            fields[current].append(region[position:match.start()])
        position = match.end()
        if match.group(2) is None:  # a comment
            continue
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if closing:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == tag:
                    del stack[depth:]
                    break
            current = stack[-1][1] if stack else "body"
            if current is not None and tag in _BLOCK:
                fields[current].append(" ")
            continue
        attrs = _attributes(match.group(3)) if "data-" in match.group(3) else {}
        if "data-pagefind-filter" in attrs:
            filters.update(_pairs(attrs["data-pagefind-filter"]))
        meta_attr = attrs.get("data-pagefind-meta", "")
        if meta_attr:
            meta.update({k: v for k, v in _pairs(meta_attr).items() if v})
        if "data-pagefind-ignore" in attrs:
            target: str | None = None
        elif meta_attr in ("summary", "council"):
            target = "summary" if meta_attr == "summary" else "council_name"
        elif "data-pagefind-weight" in attrs:
            target = "keywords"
        elif tag == "h1" and current == "body":
            target = "title"
        else:
            target = current
        if current is not None and tag in _BLOCK:
            fields[current].append(" ")
        if tag in _VOID or match.group(3).rstrip().endswith("/"):
            continue
        stack.append((tag, target))
        current = target
    if current is not None:
        fields[current].append(region[position:])
    clean = {name: _SPACES.sub(" ", html.unescape("".join(parts))).strip() for name, parts in fields.items()}
    page = filters.get("page") or meta.get("page")
    if not page:
        return None
    url = "/" + path[: -len("index.html")] if path.endswith("index.html") else "/" + path
    lang = _HTML_LANG.search(text[: start.start()])
    return Doc(url=url, page=page, scope=filters.get("council", COMMON), title=clean["title"], summary=clean["summary"],
               keywords=clean["keywords"], body=clean["body"], council_name=clean["council_name"],
               provider=meta.get("provider", ""), lang=lang.group(1).lower().split("-")[0] if lang else "en")


def doc_path(url: str) -> str:
    """Return the file of a page's URL, relative to the output folder: `/bins/kent/` is `bins/kent/index.html`."""
    return f"{url.strip('/')}/index.html" if url.strip("/") else "index.html"


def read_doc(folder: Path, rel: str) -> Doc | None:
    """Read the page `rel` (POSIX, relative to `folder`); None when search does not index it.

    Most pages (the variants that say nothing their common page does not) are not indexed at all: they
    are passed over without being decoded.
    """
    data = (folder / rel).read_bytes()
    return extract(data.decode("utf-8"), rel) if SEARCHABLE in data else None


def read_docs(folder: Path, paths: Iterable[str]) -> Iterator[Doc]:
    """Read the searchable pages among `paths` (POSIX, relative to `folder`)."""
    for rel in paths:
        if not rel.endswith(".html"):
            continue
        doc = read_doc(folder, rel)
        if doc is not None:
            yield doc


def condense(docs: Iterable[Doc]) -> list[Doc]:
    """Keep of each variant's body only the words its common page does not have.

    A variant ranks like its common page for the common page's words (search scores a page by
    the best of its documents), so indexing those words once per council would only cost time:
    a national site has hundreds of variants of every page. What a council adds or changes
    (its name, its own sections) stays searchable, for that council's residents.
    """
    docs = list(docs)
    common = {(doc.page, doc.lang): set(words(doc.body)) for doc in docs if doc.scope == COMMON}
    condensed: list[Doc] = []
    for doc in docs:
        known = common.get((doc.page, doc.lang)) if doc.scope != COMMON else None
        if known is not None:
            doc = replace(doc, body=" ".join(w for w in words(doc.body) if w not in known))
        condensed.append(doc)
    return condensed
