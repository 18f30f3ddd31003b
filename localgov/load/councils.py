"""Load the council registry: `councils/<slug>/council.yaml`."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from localgov.errors import Problems, describe
from localgov.load.features import load_features
from localgov.load.fields import FieldReader, as_date, did_you_mean, read_yaml_file
from localgov.load.markdown import markup, report
from localgov.load.paths import MAX_COUNCIL_BYTES, escapes, is_slug, relative
from localgov.load.safety import scan_html
from localgov.load.timeline import check_timeline
from localgov.model import (
    COUNCIL_ALERT_KINDS,
    COUNCIL_TYPES,
    GSS_PENDING,
    NATIONS,
    Alert,
    Contact,
    Council,
    ServiceLink,
    Successor,
)

COUNCIL_FILE = "council.yaml"
FIELDS = frozenset(
    {
        "name", "short_name", "name_cy", "short_name_cy", "gss", "former_gss", "type", "nation", "parent", "website",
        "contact", "links", "features", "takes_on", "hands_over", "alerts", "example_data",
        "start", "end", "successors",
    }
)
CONTACT_FIELDS = ("phone", "email", "address", "opening_hours")
ALERT_FIELDS = frozenset({"title", "body", "start", "end", "pages", "topics", "type"})
GSS = re.compile(r"^[ENSW]\d{8}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def load_councils(root: Path, problems: Problems) -> dict[str, Council]:
    """Read every council folder under `root/councils`, sorted by slug."""
    folder = root / "councils"
    councils: dict[str, Council] = {}
    if not folder.is_dir():
        return councils
    for child in sorted(folder.iterdir()):
        if child.name.startswith((".", "_")) or not child.is_dir():
            continue
        rel = relative(child / COUNCIL_FILE, root)
        if child.is_symlink() or escapes(child, folder):
            problems.error(relative(child, root), 0, "council folder is a link out of councils/; copy it in instead")
            continue
        if not is_slug(child.name):
            problems.error(relative(child, root), 0, "folder name is not a slug",
                           expected="lower-case letters, digits and hyphens", found=repr(child.name))
            continue
        path = child / COUNCIL_FILE
        if not os.path.lexists(path) and os.path.lexists(child / "body.yaml"):
            continue  # a providing body that is not a council (localgov/load/bodies.py)
        if not os.path.lexists(path):
            problems.error(rel, 0, f"every council folder needs a {COUNCIL_FILE} (or a body.yaml, for a body "
                           "that is not a council)")
            continue
        council = read_council(child.name, path, rel, problems, root)
        if council is not None:
            councils[council.slug] = council
    features = load_features(root, set(councils), problems)
    for slug, extra in features.items():
        councils[slug] = replace(councils[slug], features=councils[slug].features | frozenset(extra))
    check_registry(councils, problems)
    check_timeline(councils, problems)
    return councils


def read_council(slug: str, path: Path, rel: str, problems: Problems, root: Path) -> Council | None:
    """Parse one council.yaml; return None if it cannot be used at all."""
    doc = read_yaml_file(path, rel, problems, folder=path.parent, root=root, limit=MAX_COUNCIL_BYTES)
    if doc is None:
        return None
    fields = FieldReader(rel, doc, problems)
    fields.reject_unknown(FIELDS)
    name = fields.text("name", required=True)
    gss = fields.text("gss", required=True)
    kind = fields.choice("type", tuple(COUNCIL_TYPES), required=True)
    nation = fields.choice("nation", NATIONS, required=True)
    start, end = fields.date("start"), fields.date("end")
    if end is not None and end >= dt.date.max:
        problems.error(rel, doc.line("end"), "not a last day a council can have", field="end",
                       expected="a date before 9999-12-31", found=str(end))
        end = None
    # A council that has ended, or whose code is not yet published, may have no website of its own.
    website = fields.text("website", required=not (end or gss == GSS_PENDING)) or ""
    if gss and gss != GSS_PENDING and not GSS.match(gss):
        problems.error(rel, doc.line("gss"), "not an ONS GSS code", field="gss",
                       expected=f"a letter and 8 digits like E07000110, or {GSS_PENDING} until ONS publishes it",
                       found=repr(gss))
    former = fields.text_list("former_gss")
    for code in former:
        if not GSS.match(code):
            problems.error(rel, doc.line("former_gss"), "not an ONS GSS code", field="former_gss",
                           expected="a letter and 8 digits", found=repr(code))
    if website and not website.startswith("https://"):
        problems.error(rel, doc.line("website"), "council websites must use https", field="website",
                       expected="an address starting https://", found=repr(website))
    parent = fields.text("parent")
    if kind == "non-metropolitan-district" and not parent:
        problems.error(rel, doc.first_line, "a district needs its county", field="parent",
                       expected="the slug of its county council")
    if parent and kind != "non-metropolitan-district":
        problems.error(rel, doc.line("parent"), "only districts have a parent county", field="parent",
                       found=repr(parent))
    example = doc.data.get("example_data", False)
    if not isinstance(example, bool):
        problems.error(rel, doc.line("example_data"), "wrong type", field="example_data",
                       expected="true or false", found=describe(example))
        example = False
    if start and end and end < start:
        problems.error(rel, doc.line("end"), "ends before it starts", field="end",
                       expected=f"a date on or after {start}", found=str(end))
    successors = read_successors(fields)
    if end and not successors:
        problems.error(rel, doc.line("end"), "a council that ends needs the councils that take over its area",
                       field="successors", expected="a list of council slugs")
    if successors and not end:
        problems.error(rel, doc.line("successors"), "only a council that ends has successors", field="end",
                       expected="the last day the council is in force, like 2027-03-31")
    if not (name and gss and kind and nation and (website or end or gss == GSS_PENDING)):
        return None
    return Council(
        slug=slug,
        name=name,
        short_name=fields.text("short_name") or "",
        name_cy=fields.text("name_cy") or "",
        short_name_cy=fields.text("short_name_cy") or "",
        gss=gss,
        type=kind,
        nation=nation,
        website=website,
        parent=parent if kind == "non-metropolitan-district" else None,
        former_gss=former,
        contact=read_contact(fields),
        links=read_links(fields),
        features=frozenset(fields.text_list("features")),
        takes_on=fields.text_list("takes_on"),
        hands_over=read_hands_over(fields),
        alerts=read_alerts(fields),
        example_data=example,
        start=start,
        end=end,
        successors=successors,
        source=rel,
        lines=tuple(sorted(doc.lines.items())),
    )


def read_successors(fields: FieldReader) -> tuple[Successor, ...]:
    """Read `successors`: council slugs, or mappings of a council and the former districts it takes over."""
    raw = fields.doc.data.get("successors")
    if raw is None:
        return ()
    expected = "a list of council slugs, or of mappings like {council: east-surrey, areas: [elmbridge, tandridge]}"
    if not isinstance(raw, list) or not raw:
        fields.problems.error(fields.file, fields.doc.line("successors"), "wrong type", field="successors",
                              expected=expected, found=describe(raw))
        return ()
    found: list[Successor] = []
    for number, item in enumerate(raw, start=1):
        where = f"successors[{number}]"
        line = fields.doc.line(where) or fields.doc.line("successors")
        council: object = item
        areas: object = []
        if isinstance(item, dict):
            council, areas = item.get("council"), item.get("areas") or []
            for key in sorted(set(map(str, item)) - {"council", "areas"}):
                fields.problems.error(fields.file, line, "unknown successor field", field=f"{where}.{key}",
                                      expected="council and areas", found=repr(key))
        if not isinstance(council, str) or not is_slug(council):
            fields.problems.error(fields.file, line, "wrong type", field=where,
                                  expected="the slug of the council that takes over", found=describe(council))
            continue
        if not isinstance(areas, list) or not all(isinstance(a, str) and is_slug(a) for a in areas):
            fields.problems.error(fields.file, line, "wrong type", field=f"{where}.areas",
                                  expected="a list of the slugs of the former districts it takes over",
                                  found=describe(areas))
            continue
        found.append(Successor(council=council, areas=tuple(areas), line=line))
    return tuple(found)


def read_contact(fields: FieldReader) -> Contact:
    raw = fields.mapping("contact")
    values: dict[str, str | None] = {}
    for key, value in raw.items():
        line = fields.doc.line(f"contact.{key}")
        if key not in CONTACT_FIELDS:
            fields.problems.error(fields.file, line, f"unknown contact field{did_you_mean(key, CONTACT_FIELDS)}",
                                  field=f"contact.{key}", expected="one of " + ", ".join(CONTACT_FIELDS),
                                  found=repr(key))
            continue
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            # YAML reads 01622602000 as a number and drops the leading 0 (or reads it as octal).
            fields.problems.error(fields.file, line, "write it in quotes so YAML keeps it as written",
                                  field=f"contact.{key}", expected=f'text such as "{value}"',
                                  found=f"the number {value}")
            continue
        if not isinstance(value, str) or not value.strip():
            fields.problems.error(fields.file, line, "wrong type", field=f"contact.{key}",
                                  expected="text", found=describe(value))
            continue
        values[key] = str(value).strip()
    email = values.get("email")
    if email and not EMAIL.match(email):
        fields.problems.error(fields.file, fields.doc.line("contact.email"), "not an email address",
                              field="contact.email", expected="an address like name@council.gov.uk", found=repr(email))
        values["email"] = None
    return Contact(**values)


def read_links(fields: FieldReader) -> tuple[tuple[str, ServiceLink], ...]:
    raw = fields.mapping("links")
    links: list[tuple[str, ServiceLink]] = []
    for key, value in raw.items():
        line = fields.doc.line(f"links.{key}")
        url: Any = value
        text: Any = None
        if isinstance(value, dict):
            url, text = value.get("url"), value.get("text")
            extra = set(value) - {"url", "text"}
            if extra:
                fields.problems.error(fields.file, line, "unknown link field", field=f"links.{key}",
                                      expected="url and text", found=", ".join(sorted(map(str, extra))))
        if not isinstance(url, str) or not url.startswith("https://"):
            fields.problems.error(fields.file, line, "not a secure web address", field=f"links.{key}",
                                  expected="an address starting https://", found=describe(url))
            continue
        if text is not None and not isinstance(text, str):
            fields.problems.error(fields.file, line, "wrong type", field=f"links.{key}.text",
                                  expected="text", found=describe(text))
            text = None
        links.append((str(key), ServiceLink(url=url.strip(), text=text.strip() if text else None, line=line)))
    return tuple(sorted(links))


def read_hands_over(fields: FieldReader) -> tuple[tuple[str, str], ...]:
    raw = fields.mapping("hands_over")
    pairs: list[tuple[str, str]] = []
    for page, target in raw.items():
        if not isinstance(target, str) or not is_slug(target):
            fields.problems.error(fields.file, fields.doc.line(f"hands_over.{page}"), "wrong type",
                                  field=f"hands_over.{page}", expected="the slug of the council that provides it",
                                  found=describe(target))
            continue
        pairs.append((page, target))
    return tuple(sorted(pairs))


def read_alerts(fields: FieldReader, kinds: tuple[str, ...] = COUNCIL_ALERT_KINDS, *,
                targeted: bool = True) -> tuple[Alert, ...]:
    """Read the `alerts` list of a YAML file; `kinds` are the values its alerts' `type` may take.

    Without `targeted`, an alert is for every page and may not name pages or topics.
    """
    raw = fields.doc.data.get("alerts")
    line = fields.doc.line("alerts")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        fields.problems.error(fields.file, line, "wrong type", field="alerts",
                              expected="a list of alerts", found=describe(raw))
        return ()
    alerts: list[Alert] = []
    for number, item in enumerate(raw, start=1):
        where = f"alerts[{number}]"
        line = fields.doc.line(where)
        if not isinstance(item, dict):
            fields.problems.error(fields.file, line, "wrong type", field=where,
                                  expected="a mapping with title, body, start and end", found=describe(item))
            continue
        for key in sorted(set(map(str, item)) - ALERT_FIELDS):
            fields.problems.error(fields.file, fields.doc.line(f"{where}.{key}"),
                                  f"unknown alert field{did_you_mean(key, ALERT_FIELDS)}", field=f"{where}.{key}",
                                  expected="one of " + ", ".join(sorted(ALERT_FIELDS)), found=repr(key))
        title, body = item.get("title"), item.get("body")
        start, end = as_date(item.get("start")), as_date(item.get("end"))
        ok = True
        for key, value, kind in (("title", title, str), ("body", body, str)):
            if not isinstance(value, kind) or not value.strip():
                fields.problems.error(fields.file, fields.doc.line(f"{where}.{key}") if value is not None else line,
                                      "missing or wrong type", field=f"{where}.{key}",
                                      expected="text", found=describe(value))
                ok = False
        for key, parsed, value in (("start", start, item.get("start")), ("end", end, item.get("end"))):
            if parsed is None:
                fields.problems.error(fields.file, fields.doc.line(f"{where}.{key}") if value is not None else line,
                                      "not a date", field=f"{where}.{key}",
                                      expected="a date like 2026-12-01", found=describe(value))
                ok = False
        if start and end and end < start:
            fields.problems.error(fields.file, fields.doc.line(f"{where}.end"), "ends before it starts",
                                  field=f"{where}.end",
                                  expected=f"a date on or after {start}", found=str(end))
            ok = False
        pages, topics = item.get("pages") or [], item.get("topics") or []
        pages = [pages] if isinstance(pages, str) else pages
        topics = [topics] if isinstance(topics, str) else topics
        if not isinstance(pages, list) or not isinstance(topics, list):
            fields.problems.error(fields.file, line, "wrong type", field=f"{where}.pages",
                                  expected="lists of page and topic slugs", found=describe(pages))
            ok = False
        if not targeted and (pages or topics):
            key = "pages" if pages else "topics"
            fields.problems.error(fields.file, fields.doc.line(f"{where}.{key}"), "this alert is for every page",
                                  field=f"{where}.{key}", expected="no pages or topics", found=describe(item.get(key)))
            ok = False
        kind = item.get("type", "notice")
        if kind not in kinds:
            fields.problems.error(fields.file, fields.doc.line(f"{where}.type"),
                                  f"not a kind of alert this file can set{did_you_mean(str(kind), kinds)}",
                                  field=f"{where}.type", expected="one of " + ", ".join(kinds), found=describe(kind))
            ok = False
        if isinstance(body, str) and body.strip() and not check_alert_body(fields, where, body):
            ok = False
        if ok and start and end:
            alerts.append(Alert(title=str(title).strip(), body=str(body).strip(), start=start, end=end,
                                pages=tuple(map(str, pages)), topics=tuple(map(str, topics)),
                                source=fields.file, line=line, kind=str(kind)))
    return tuple(alerts)


def check_alert_body(fields: FieldReader, where: str, body: str) -> bool:
    """Check an alert body as a council file is checked: unsafe HTML refuses the alert, unsupported HTML is removed.

    An alert body is Markdown, not a template: Jinja syntax in it is shown as written, and whatever it
    holds is scanned as the HTML it becomes.
    """
    problems = fields.problems
    before = len(problems.errors)
    key = f"{where}.body"
    line = fields.doc.value_line(key)
    converted = markup(body, first_line=line)
    report(fields.file, converted, problems, field=key)
    html = "".join(s.html for s in converted.sections)
    scan_html(fields.file, html, body, line, problems, field=key, refused="the alert is not used")
    return len(problems.errors) == before


def check_registry(councils: dict[str, Council], problems: Problems) -> None:
    """Check what spans councils: parents are counties, GSS codes are unique, hand-overs point somewhere."""
    seen: dict[str, str] = {}
    for council in councils.values():
        for code in (council.gss, *council.former_gss):
            if code == GSS_PENDING:
                continue
            if code in seen and seen[code] != council.slug:
                problems.error(council.source, council.line_of("gss"), f"GSS code {code} is also used by {seen[code]}",
                               field="gss")
            seen[code] = council.slug
        if council.parent is not None:
            parent = councils.get(council.parent)
            if parent is None or not parent.is_county:
                problems.error(council.source, council.line_of("parent"), "parent is not a county council in councils/",
                               field="parent", expected="the slug of a county", found=repr(council.parent))
            elif parent.nation != council.nation:
                problems.error(council.source, council.line_of("parent"), "parent county is in another nation",
                               field="parent")

