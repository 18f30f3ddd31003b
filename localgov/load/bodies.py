"""Load the bodies that provide services and are not principal councils: `councils/<slug>/body.yaml`.

A body sits beside the councils, in a folder of its own. It names the councils it serves (or whole
nations), the pages it provides for them, and a source for each fact. Which page a body provides
where is decided with the councils, in localgov/resolve.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from localgov.errors import Problems, describe
from localgov.load.councils import read_contact
from localgov.load.fields import FieldReader, did_you_mean, read_yaml_file
from localgov.load.paths import MAX_COUNCIL_BYTES, escapes, is_slug, relative
from localgov.model import BODY_KINDS, NATIONS, Body, Council, Provision, ServiceLink

BODY_FILE = "body.yaml"
FIELDS = frozenset({"name", "short_name", "kind", "nation", "website", "contact", "serves", "provides", "sources"})
PROVISION_FIELDS = frozenset({"url", "text", "part"})


def load_bodies(root: Path, councils: dict[str, Council], problems: Problems) -> dict[str, Body]:
    """Read every `councils/<slug>/body.yaml`, sorted by slug, checking whom each serves against `councils`."""
    folder = root / "councils"
    bodies: dict[str, Body] = {}
    if not folder.is_dir():
        return bodies
    for child in sorted(folder.iterdir()):
        if child.name.startswith((".", "_")) or not child.is_dir() or child.is_symlink() or escapes(child, folder):
            continue  # the council loader reports folders it cannot use
        path = child / BODY_FILE
        if not os.path.lexists(path) or not is_slug(child.name):
            continue
        rel = relative(path, root)
        if child.name in councils:
            problems.error(rel, 0, "a folder holds either a council.yaml or a body.yaml, not both",
                           expected="a folder of its own for the body")
            continue
        body = read_body(child.name, path, rel, councils, problems, root)
        if body is not None:
            bodies[body.slug] = body
    return bodies


def read_body(slug: str, path: Path, rel: str, councils: dict[str, Council], problems: Problems,
              root: Path) -> Body | None:
    """Parse one body.yaml; return None if it cannot be used at all."""
    doc = read_yaml_file(path, rel, problems, folder=path.parent, root=root, limit=MAX_COUNCIL_BYTES)
    if doc is None:
        return None
    before = len(problems.errors)
    fields = FieldReader(rel, doc, problems)
    fields.reject_unknown(FIELDS)
    name = fields.text("name", required=True)
    kind = fields.choice("kind", tuple(BODY_KINDS), required=True)
    nation = fields.choice("nation", NATIONS, required=True)
    website = fields.text("website")
    if website and not website.startswith("https://"):
        problems.error(rel, doc.line("website"), "websites must use https", field="website",
                       expected="an address starting https://", found=repr(website))
    serves = fields.text_list("serves")
    if not serves:
        problems.error(rel, doc.line("serves") or doc.first_line, "a body must say whom it serves", field="serves",
                       expected="a list of council slugs or nations")
    for number, target in enumerate(serves, start=1):
        if target in councils or target in NATIONS:
            continue
        problems.error(rel, doc.line(f"serves[{number}]") or doc.line("serves"),
                       f"not a council or a nation{did_you_mean(target, [*councils, *NATIONS])}",
                       field="serves", expected="the slug of a council in councils/, or one of " + ", ".join(NATIONS),
                       found=repr(target))
    provides = read_provides(fields)
    for provision in provides:
        if not website and provision.link is None:
            problems.error(rel, provision.line, "no link, and the body has no website to send residents to",
                           field=f"provides.{provision.page}", expected="a url for the page, or a website for the body")
    if not provides:
        problems.error(rel, doc.line("provides") or doc.first_line, "a body must say which pages it provides",
                       field="provides", expected="a mapping of page slugs to links")
    sources = fields.sources("sources", title_key="fact", cited_only=True)
    if not sources and "sources" not in doc.data:
        problems.error(rel, doc.first_line, "a body needs sources for what it says of itself", field="sources",
                       expected="a list of '- fact: ..., url: https://...' entries")
    if len(problems.errors) > before or not (name and kind and nation):
        return None
    return Body(slug=slug, name=name, kind=kind, nation=nation, website=website or "",
                short_name=fields.text("short_name") or "", contact=read_contact(fields), serves=serves,
                provides=provides, sources=sources, source=rel, lines=tuple(sorted(doc.lines.items())))


def read_provides(fields: FieldReader) -> tuple[Provision, ...]:
    """Read `provides`: page slug -> null (the website), {url, text} (a link), and `part: true` if shared."""
    found: list[Provision] = []
    for page, value in fields.mapping("provides").items():
        key = f"provides.{page}"
        line = fields.doc.line(key)
        raw: dict[str, Any] = {} if value is None else value if isinstance(value, dict) else {"?": value}
        unknown = sorted(set(map(str, raw)) - PROVISION_FIELDS)
        if unknown:
            fields.problems.error(fields.file, line, "wrong shape", field=key,
                                  expected="nothing (the body's website), or url, text and part",
                                  found=describe(value) if "?" in raw else "fields " + ", ".join(unknown))
            continue
        part = raw.get("part", False)
        url, text = raw.get("url"), raw.get("text")
        if not isinstance(part, bool):
            fields.problems.error(fields.file, line, "wrong type", field=f"{key}.part", expected="true or false",
                                  found=describe(part))
            continue
        if url is not None and (not isinstance(url, str) or not url.startswith("https://")):
            fields.problems.error(fields.file, line, "not a secure web address", field=f"{key}.url",
                                  expected="an address starting https://", found=describe(url))
            continue
        if text is not None and (not isinstance(text, str) or not text.strip() or url is None):
            fields.problems.error(fields.file, line, "link text needs text and a url", field=f"{key}.text",
                                  expected="text, beside a url", found=describe(text))
            continue
        link = ServiceLink(url=url.strip(), text=text.strip() if text else None, line=line) if url else None
        found.append(Provision(page=page, link=link, part=part, line=line))
    return tuple(sorted(found, key=lambda p: p.page))
