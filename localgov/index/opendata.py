"""Open data: the site's councils, bodies, services and who provides what where, as static JSON under /api/v1/.

Every file has a JSON Schema beside it (`/api/v1/schemas/<name>.schema.json`) and names it in `$schema`. The
version is in the path: a change that would break a consumer (a field removed, renamed or of another type)
goes into /api/v2/, and v1 stays as it was; new fields may be added to v1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from localgov.errors import Problems
from localgov.model import Area, Council, Output, ServiceLink, Site
from localgov.resolve import provider_for
from localgov.urls import API_DIR, API_FILES

API = API_DIR
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
Json = dict[str, Any]

TEXT = {"type": "string", "minLength": 1}
NULLABLE_TEXT = {"type": ["string", "null"]}
SLUG = {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"}
URL = {"type": "string", "pattern": "^https?://"}
LINK = {"type": "object", "required": ["url", "text"], "additionalProperties": False,
        "properties": {"url": URL, "text": NULLABLE_TEXT}}
TIERS = ("upper", "lower", "unitary")


def tier(council: Council) -> str:
    """Return a council's tier: upper (a county), lower (a district) or unitary (every council service)."""
    return "upper" if council.is_county else "lower" if council.is_district else "unitary"


def councils(site: Site) -> Json:
    return {"councils": [{
        "slug": c.slug, "name": c.name, "short_name": c.short_name or None, "gss": c.gss,
        "former_gss": list(c.former_gss), "type": c.type, "type_label": c.type_label, "tier": tier(c),
        "nation": c.nation, "parent": c.parent, "website": c.website,
        "contact": {"phone": c.contact.phone, "email": c.contact.email, "address": c.contact.address,
                    "opening_hours": c.contact.opening_hours},
        "features": sorted(c.features), "hub": site.config.absolute(f"/councils/{c.slug}/"),
        "start": c.start.isoformat() if c.start else None, "end": c.end.isoformat() if c.end else None,
    } for c in sorted(site.councils.values(), key=lambda c: c.slug)]}


def councils_schema() -> Json:
    contact = {"type": "object", "required": ["phone", "email", "address", "opening_hours"],
               "additionalProperties": False,
               "properties": {k: NULLABLE_TEXT for k in ("phone", "email", "address", "opening_hours")}}
    council: Json = {"type": "object", "additionalProperties": False, "properties": {
        "slug": SLUG, "name": TEXT, "short_name": NULLABLE_TEXT,
        "gss": {"type": "string", "pattern": "^(?:[ENSWK][0-9]{8}|pending)$",
                "description": "the ONS GSS code, or 'pending' before ONS publishes it"},
        "former_gss": {"type": "array", "items": {"type": "string", "pattern": "^[ENSWK][0-9]{8}$"}},
        "type": TEXT, "type_label": TEXT, "tier": {"enum": list(TIERS)},
        "nation": {"enum": ["england", "wales", "scotland", "northern-ireland"]},
        "parent": {"oneOf": [SLUG, {"type": "null"}], "description": "a district's county"},
        "website": URL, "contact": contact, "features": {"type": "array", "items": SLUG}, "hub": URL,
        "start": {"type": ["string", "null"], "format": "date", "description": "the first day in force"},
        "end": {"type": ["string", "null"], "format": "date", "description": "the last day in force"}}}
    council["required"] = sorted(council["properties"])
    return _root("councils", API_FILES["councils"], {"councils": _list(council)})


def bodies(site: Site) -> Json:
    return {"bodies": [{
        "slug": b.slug, "name": b.name, "short_name": b.short_name or None, "kind": b.kind,
        "kind_label": b.kind_label, "nation": b.nation, "website": b.website or None, "serves": list(b.serves),
        "provides": [{"service": p.page, "part": p.part, "link": _link(b.link_for(p.page))} for p in b.provides],
    } for b in sorted(site.bodies.values(), key=lambda b: b.slug)]}


def bodies_schema() -> Json:
    provision = {"type": "object", "required": ["service", "part", "link"], "additionalProperties": False,
                 "properties": {"service": SLUG, "part": {"type": "boolean",
                                                          "description": "true: the council provides the rest"},
                                "link": LINK}}
    body: Json = {"type": "object", "additionalProperties": False, "properties": {
        "slug": SLUG, "name": TEXT, "short_name": NULLABLE_TEXT, "kind": TEXT, "kind_label": TEXT, "nation": TEXT,
        "website": {"oneOf": [URL, {"type": "null"}]}, "serves": {"type": "array", "items": TEXT},
        "provides": _list(provision)}}
    body["required"] = sorted(body["properties"])
    return _root("bodies", API_FILES["bodies"], {"bodies": _list(body)})


def services(site: Site) -> Json:
    found = []
    for page in sorted(site.content.pages.values(), key=lambda p: p.slug):
        elsewhere = sorted(nation for nation, _ in page.provided_elsewhere)
        found.append({
            "slug": page.slug, "title": page.title, "summary": page.summary, "topic": page.topic,
            "url": site.config.absolute(page.url), "lgsl": list(page.lgsl), "tier": page.provider,
            "nations": [] if page.provider == "national" else
            [n for n in ("england", "wales", "scotland", "northern-ireland") if n not in elsewhere],
            "provided_elsewhere": elsewhere, "requires": list(page.requires),
        })
    return {"services": found}


def services_schema() -> Json:
    service: Json = {"type": "object", "additionalProperties": False, "properties": {
        "slug": SLUG, "title": TEXT, "summary": {"type": "string"}, "topic": SLUG, "url": URL,
        "lgsl": {"type": "array", "items": {"type": "integer"},
                 "description": "the Local Government Service List codes of the page"},
        "tier": {"enum": ["lower", "upper", "all", "national"]},
        "nations": {"type": "array", "items": TEXT, "description": "the nations where councils provide it"},
        "provided_elsewhere": {"type": "array", "items": TEXT, "description": "nations where others provide it"},
        "requires": {"type": "array", "items": SLUG, "description": "features an area needs to have it"}}}
    service["required"] = sorted(service["properties"])
    return _root("services", API_FILES["services"],
                 {"services": _list(service)})


def providers(site: Site) -> Json:
    areas = []
    for lower in sorted((c for c in site.councils.values() if not c.is_county), key=lambda c: c.slug):
        area = Area(lower.slug, lower.parent) if lower.is_district else Area(lower.slug)
        found: Json = {}
        for page in sorted(site.content.pages.values(), key=lambda p: p.slug):
            if page.provider == "national":
                continue
            bodies_here = site.resolution.bodies_for(page.slug, lower.slug)
            if bodies_here:
                found[page.slug] = {"council": None, "bodies": list(bodies_here), "reason": "body"}
                continue
            answer = provider_for(page, area, site.councils)
            partners = list(site.resolution.partners_of(page.slug, answer.council)) if answer.council else []
            found[page.slug] = {"council": answer.council, "bodies": partners,
                                "reason": None if answer.council else answer.reason or None}
        areas.append({"council": lower.slug, "county": area.county, "services": found})
    return {"areas": areas}


def providers_schema() -> Json:
    answer = {"type": "object", "required": ["council", "bodies", "reason"], "additionalProperties": False,
              "properties": {
                  "council": {"oneOf": [SLUG, {"type": "null"}], "description": "the council that provides it"},
                  "bodies": {"type": "array", "items": SLUG,
                             "description": "bodies that provide it (council null) or part of it"},
                  "reason": {"type": ["string", "null"], "description": "why no council provides it"}}}
    area = {"type": "object", "required": ["council", "county", "services"], "additionalProperties": False,
            "properties": {"council": SLUG, "county": {"oneOf": [SLUG, {"type": "null"}]},
                           "services": {"type": "object", "propertyNames": SLUG, "additionalProperties": answer}}}
    return _root("providers", API_FILES["providers"],
                 {"areas": _list(area)})


def links(site: Site) -> Json:
    by_lgsl = site.content.codes()
    found = []
    for council in sorted(site.councils.values(), key=lambda c: c.slug):
        for key, link in council.links:
            found.append({"council": council.slug, "key": key,
                          "service": key if key in site.content.pages else by_lgsl.get(key), **_link(link)})
    return {"links": found}


def links_schema() -> Json:
    item = {"type": "object", "required": ["council", "key", "service", "url", "text"], "additionalProperties": False,
            "properties": {"council": SLUG, "key": {"type": "string", "description": "a service slug or LGSL code"},
                           "service": {"oneOf": [SLUG, {"type": "null"}]}, "url": URL, "text": NULLABLE_TEXT}}
    return _root("links", API_FILES["links"], {"links": _list(item)})


FILES: dict[str, tuple[Callable[[Site], Json], Callable[[], Json]]] = {
    "councils": (councils, councils_schema),
    "bodies": (bodies, bodies_schema),
    "services": (services, services_schema),
    "providers": (providers, providers_schema),
    "links": (links, links_schema),
}


def schema_url(site: Site, name: str) -> str:
    return site.config.absolute(f"/{API}/schemas/{name}.schema.json")


def api_files(site: Site, page_paths: list[str], problems: Problems) -> Iterable[Output]:
    """Return every open data file and its schema."""
    for name, (make, schema) in FILES.items():
        data = {"$schema": schema_url(site, name), "version": 1, **make(site)}
        yield Output(f"{API}/{name}.json", _dump(data, compact=True), "api")
        yield Output(f"{API}/schemas/{name}.schema.json", _dump({"$id": schema_url(site, name), **schema()}), "api")


def _root(name: str, description: str, properties: Json) -> Json:
    return {"$schema": SCHEMA_DIALECT, "title": name, "description": description, "type": "object",
            "required": ["$schema", "version", *properties], "additionalProperties": False,
            "properties": {"$schema": URL, "version": {"const": 1}, **properties}}


def _list(item: Json) -> Json:
    return {"type": "array", "items": item}


def _link(link: ServiceLink) -> Json:
    return {"url": link.url, "text": link.text}


def _dump(data: Json, *, compact: bool = False) -> bytes:
    """Return JSON text: data files compact (they are large), schemas indented for people to read."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) if compact else \
        json.dumps(data, ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")
