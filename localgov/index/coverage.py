"""The coverage report: for each council and each service it provides, what its data and files give it.

`coverage(site, problems)` is a pure function of the loaded site. It renders each variant's
content sections (not the page layouts) with a council view that records what the text asked for
and the council lacks, so the report is exact for conditional text and does not depend on how or
where the build rendered the pages. A build makes it before rendering any page, passing what it
already knows (the data lacking on pages whose sources have not changed since the last build),
and the same report feeds `localgov report`, `localgov report --json`, `/status/` and
`/status/coverage.json`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from localgov.compose import Composed, compose_council_page, compose_variant
from localgov.errors import Problem, Problems
from localgov.model import (
    CONTACT_LABELS,
    Alert,
    AlertStatus,
    Council,
    CouncilStatus,
    Coverage,
    Output,
    ServiceStatus,
    Site,
)
from localgov.render.sections import compile_sections
from localgov.sandbox import CouncilView, Missing, SectionTemplates
from localgov.urls import COVERAGE_JSON, STATUS_URL

SCHEMA = 1


# -- computing


def composed_services(site: Site, council: Council) -> list[Composed]:
    """Return every page a council provides, composed: its variants, then its council-only pages."""
    found = [compose_variant(site.content.pages[slug], council.slug,
                             site.overrides.for_variant(council.slug, slug), nation=council.nation)
             for slug in site.resolution.pages_of(council.slug)]
    found += [compose_council_page(page) for page in site.overrides.pages_of(council.slug)]
    return found


def missing_data(composed: Composed, view: CouncilView, compiled: Mapping[str, SectionTemplates]) -> None:
    """Render a composed page's sections with a recording view (the output is not kept).

    A section that fails to render is passed over: rendering the page fails on it too, and reports
    it with its file and line.
    """
    for ref in composed.sections:
        templates = compiled.get(ref.source)
        if templates is None or not templates.templated:
            continue
        try:
            templates.render(ref.id, view)
            if "{" in ref.title:
                templates.render(f"{ref.id}#title", view)
        except Exception:  # noqa: BLE001, S112 - reported where the page is rendered
            continue


def alert_state(alert: Alert, day: dt.date) -> str:
    if alert.end < day:
        return "expired"
    if alert.start > day:
        return "scheduled"
    return "active"


Known = Mapping[tuple[str, str], tuple[str, ...]]  # (council, page) -> names of the council data it lacks


def coverage(site: Site, problems: Problems | Iterable[Problem] = (), known: Known | None = None,
             sections: Mapping[str, SectionTemplates] | None = None) -> Coverage:
    """Work out the report for every council of a loaded site.

    `known` gives the council data some (council, page) lacks, found before; every other page's
    sections are rendered to find it, with `sections` (compiled sections, shared with the render
    stage) or freshly compiled ones.
    """
    today = site.config.today
    known = known or {}
    compiled = sections  # compiled only if some page's data is not known
    keys_for = site.content.link_keys

    items = problems.items if isinstance(problems, Problems) else list(problems)
    by_council: dict[str, list[Problem]] = defaultdict(list)
    for problem in sorted(set(items)):
        parts = problem.file.split("/")
        if len(parts) >= 2 and parts[0] == "councils":
            by_council[parts[1]].append(problem)
    refused_by: dict[str, list[str]] = defaultdict(list)
    for rel in site.overrides.refused_files:
        refused_by[rel.split("/")[1]].append(rel)
    statuses: list[CouncilStatus] = []
    for council in sorted(site.councils.values(), key=lambda c: c.slug):
        services: list[ServiceStatus] = []
        for composed in composed_services(site, council):
            page = composed.page
            lacking = known.get((council.slug, page.slug))
            if lacking is None:
                compiled = compile_sections(site) if compiled is None else compiled
                missing = Missing()
                view = CouncilView(council, page.slug, keys_for=keys_for, missing=missing)
                missing_data(composed, view, compiled)
                lacking = tuple(sorted({name for _, _, name in missing.items}))
            url = f"/{page.slug}/{council.slug}/"
            override: str | None
            if composed.page.provider == "council":
                kind, override = "council-only", page.source
                link = council.link_for(page.slug) is not None
            else:
                found = site.overrides.for_variant(council.slug, page.slug)
                kind, override = "common", found.source if found else None
                link = council.link_for(*keys_for(page.slug)) is not None
            targeted = [a for a in council.alerts if page.slug in a.pages or page.topic in a.topics]
            services.append(ServiceStatus(
                page=page.slug, title=page.title, topic=page.topic, url=url, kind=kind, link=link,
                override=override, missing=lacking,
                alerts=sum(1 for a in targeted if a.active_on(today)),
                expired_alerts=sum(1 for a in targeted if a.end < today),
            ))
        contact_missing = tuple(name for name in CONTACT_LABELS if not getattr(council.contact, name))
        alerts = tuple(AlertStatus(a.title, a.start, a.end, alert_state(a, today), a.source, a.line)
                       for a in council.alerts)
        statuses.append(CouncilStatus(
            slug=council.slug, name=council.name, type_label=council.type_label, example_data=council.example_data,
            services=tuple(sorted(services, key=lambda s: (s.kind != "common", s.title.lower()))),
            contact_missing=contact_missing, alerts=alerts, problems=tuple(by_council.get(council.slug, ())),
            refused=tuple(sorted(refused_by.get(council.slug, ()))),
        ))
    return Coverage(date=today, councils=tuple(statuses))


# -- output


def to_json(report: Coverage, council: str | None = None) -> dict[str, Any]:
    """Return the report as plain data (one council's entry only, when `council` is given)."""
    councils = [c for c in report.councils if council is None or c.slug == council]
    return {
        "schema": SCHEMA,
        "date": report.date.isoformat(),
        "totals": report.totals() if council is None else Coverage(report.date, tuple(councils)).totals(),
        "councils": [_council_json(c) for c in councils],
    }


def _council_json(c: CouncilStatus) -> dict[str, Any]:
    return {
        "slug": c.slug,
        "name": c.name,
        "type": c.type_label,
        "example_data": c.example_data,
        "hub": f"/councils/{c.slug}/",
        "status": f"{STATUS_URL}{c.slug}/",
        "services": c.total,
        "complete": c.complete,
        "percent": c.percent,
        "with_link": c.with_link,
        "overrides": c.overrides,
        "council_pages": c.council_pages,
        "missing": c.missing_count,
        "contact_missing": list(c.contact_missing),
        "alerts": [{"title": a.title, "start": a.start.isoformat(), "end": a.end.isoformat(), "state": a.state,
                    "file": a.file, "line": a.line} for a in c.alerts],
        "refused_files": list(c.refused),
        "problems": [{"file": p.file, "line": p.line, "severity": p.severity, "message": p.format()}
                     for p in c.problems],
        "pages": [{"page": s.page, "title": s.title, "topic": s.topic, "url": s.url, "kind": s.kind, "link": s.link,
                   "override": s.override, "missing": list(s.missing), "alerts": s.alerts,
                   "expired_alerts": s.expired_alerts} for s in c.services],
    }


def json_bytes(report: Coverage, council: str | None = None) -> bytes:
    return (json.dumps(to_json(report, council), indent=1, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


# -- the index stage


def coverage_json(site: Site, page_paths: list[str], problems: Problems, report: Coverage) -> Iterable[Output]:
    """Indexer: write /status/coverage.json from the report the build made before rendering."""
    yield Output(COVERAGE_JSON, json_bytes(report), "status")
