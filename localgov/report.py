"""The coverage report: for each council and each service it provides, what its data and files give it.

`coverage(site, problems)` is a pure function of the loaded site. It renders each variant's
content sections (not the page layouts) with a council view that records what the text asked for
and the council lacks, so the report is exact for conditional text and does not depend on how or
where the build rendered the pages. The same data feeds `localgov report`, `localgov report --json`,
`/status/` and `/status/coverage.json`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import textwrap
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from localgov.compose import Composed, compose_council_page, compose_variant, page_key
from localgov.errors import Problem, Problems
from localgov.model import CONTACT_LABELS, Alert, Council
from localgov.site import Site
from localgov.templating import ContentEnvironment, CouncilView, Missing, SectionTemplates, content_environment

STATUS_URL = "/status/"
JSON_PATH = "status/coverage.json"
SCHEMA = 1


@dataclass(frozen=True)
class ServiceStatus:
    """One service a council provides: a common page's variant or a council-only page."""

    page: str
    title: str
    topic: str
    url: str
    kind: str  # "common" or "council-only"
    link: bool
    override: str | None
    missing: tuple[str, ...]
    alerts: int
    expired_alerts: int

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class AlertStatus:
    """An alert of a council and whether it shows on the build date."""

    title: str
    start: dt.date
    end: dt.date
    state: str  # "active", "scheduled" or "expired"
    file: str
    line: int


@dataclass(frozen=True)
class CouncilStatus:
    """What one council's data and files give its pages."""

    slug: str
    name: str
    type_label: str
    example_data: bool
    services: tuple[ServiceStatus, ...]
    contact_missing: tuple[str, ...]
    alerts: tuple[AlertStatus, ...]
    problems: tuple[Problem, ...]
    refused: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.services)

    @property
    def complete(self) -> int:
        return sum(1 for s in self.services if s.complete)

    @property
    def with_link(self) -> int:
        return sum(1 for s in self.services if s.link)

    @property
    def overrides(self) -> int:
        return sum(1 for s in self.services if s.override and s.kind == "common")

    @property
    def council_pages(self) -> int:
        return sum(1 for s in self.services if s.kind == "council-only")

    @property
    def missing_count(self) -> int:
        return sum(len(s.missing) for s in self.services)

    @property
    def expired(self) -> tuple[AlertStatus, ...]:
        return tuple(a for a in self.alerts if a.state == "expired")

    @property
    def percent(self) -> int:
        """Return the share of services with nothing missing, rounded down to a whole per cent."""
        return 100 * self.complete // self.total if self.total else 100

    @property
    def step(self) -> int:
        """Return `percent` rounded down to a multiple of 10, for the coverage bar."""
        return self.percent // 10 * 10

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")


@dataclass(frozen=True)
class Coverage:
    """The report for a whole site on its build date."""

    date: dt.date
    councils: tuple[CouncilStatus, ...]

    def council(self, slug: str) -> CouncilStatus | None:
        return next((c for c in self.councils if c.slug == slug), None)

    def totals(self) -> dict[str, int]:
        councils = self.councils
        services = sum(c.total for c in councils)
        complete = sum(c.complete for c in councils)
        return {
            "councils": len(councils),
            "services": services,
            "complete": complete,
            "percent": 100 * complete // services if services else 100,
            "with_link": sum(c.with_link for c in councils),
            "overrides": sum(c.overrides for c in councils),
            "council_pages": sum(c.council_pages for c in councils),
            "missing": sum(c.missing_count for c in councils),
            "expired_alerts": sum(len(c.expired) for c in councils),
            "councils_complete": sum(1 for c in councils if c.complete == c.total),
            "councils_without_contact": sum(1 for c in councils if len(c.contact_missing) == len(CONTACT_LABELS)),
            "refused_files": sum(len(c.refused) for c in councils),
            "errors": sum(c.errors for c in councils),
            "warnings": sum(c.warnings for c in councils),
        }


# -- computing


def compile_sections(site: Site, env: ContentEnvironment | None = None,
                     problems: Problems | None = None) -> dict[str, SectionTemplates]:
    """Compile every common page's and every council file's sections once, by compile key."""
    env = env or content_environment()
    compiled: dict[str, SectionTemplates] = {}
    sources: list[tuple[str, str, Iterable[Any]]] = [
        (page_key(page), page.source, page.sections) for page in site.content.pages.values()
    ]
    sources += [(o.key, o.source, o.sections) for o in site.overrides.overrides.values()]
    sources += [(p.key, p.source, p.sections) for p in site.overrides.pages.values()]
    for key, source, sections in sources:
        sections = tuple(sections)
        parts = {s.id: s.html for s in sections}
        parts.update({f"{s.id}#title": s.title for s in sections if "{" in s.title})
        try:
            compiled[key] = SectionTemplates(env, parts)
        except jinja2.TemplateError as exc:
            if problems is not None:
                problems.error(source, 0, f"template error in content: {exc}")
    return compiled


def composed_services(site: Site, council: Council) -> list[Composed]:
    """Return every page a council provides, composed: its variants, then its council-only pages."""
    found = [compose_variant(site.content.pages[slug], council.slug,
                             site.overrides.for_variant(council.slug, slug))
             for slug in site.resolution.pages_of(council.slug)]
    found += [compose_council_page(page) for page in site.overrides.pages_of(council.slug)]
    return found


def missing_data(composed: Composed, view: CouncilView, compiled: dict[str, SectionTemplates]) -> None:
    """Render a composed page's sections with a recording view (the output is not kept)."""
    for ref in composed.sections:
        templates = compiled.get(ref.source)
        if templates is None or not templates.templated:
            continue
        templates.render(ref.id, view)
        if "{" in ref.title:
            templates.render(f"{ref.id}#title", view)


def alert_state(alert: Alert, day: dt.date) -> str:
    if alert.end < day:
        return "expired"
    if alert.start > day:
        return "scheduled"
    return "active"


def coverage(site: Site, problems: Problems | Iterable[Problem] = ()) -> Coverage:
    """Work out the report for every council of a loaded site."""
    today = site.config.today
    compiled: dict[str, SectionTemplates] | None = None  # compiled only if some page's data is not known
    lgsl = {p.slug: str(p.lgsl) for p in site.content.pages.values() if p.lgsl is not None}

    def keys_for(key: str) -> tuple[str, ...]:
        code = lgsl.get(key)
        return (key, code) if code else (key,)

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
            known = site.missing.get((council.slug, page.slug))
            if known is None:
                compiled = compile_sections(site) if compiled is None else compiled
                missing = Missing()
                view = CouncilView(council, page.slug, keys_for=keys_for, missing=missing)
                missing_data(composed, view, compiled)
                known = tuple(sorted({name for _, _, name in missing.items}))
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
                override=override, missing=known,
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


def describe_missing(name: str) -> str:
    """Say in words what a missing field is: 'phone' -> 'phone number', 'link:bins' -> "link for 'bins'"."""
    if name.startswith("link:"):
        return f"link for '{name[5:]}'"
    return CONTACT_LABELS.get(name, name.replace("_", " "))


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


def to_text(report: Coverage, council: str | None = None, width: int = 100) -> str:
    """Return the report as text: totals, then per council what it has and what it lacks."""
    councils = [c for c in report.councils if council is None or c.slug == council]
    totals = Coverage(report.date, tuple(councils)).totals()
    lines = [
        f"Coverage on {report.date.isoformat()}: {_count(totals['councils'], 'council')}, "
        f"{_count(totals['services'], 'service')}, {totals['complete']} with nothing missing ({totals['percent']}%), "
        f"{totals['with_link']} with a link, {_count(totals['overrides'], 'override')}, "
        f"{_count(totals['council_pages'], 'council-only page')}, {_count(totals['missing'], 'missing value')}, "
        f"{_count(totals['expired_alerts'], 'expired alert')}"
        + (f", {_count(totals['refused_files'], 'refused file')}" if totals["refused_files"] else ""),
    ]
    wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="      ", break_on_hyphens=False)
    for c in councils:
        lines.append("")
        flag = " [example data]" if c.example_data else ""
        lines.append(f"{c.slug}: {c.name} ({c.type_label}){flag}")
        lines.append(f"  {_bar(c.percent)} {c.percent}% complete: {c.complete} of {_count(c.total, 'service')} "
                     f"{'has' if c.total == 1 else 'have'} nothing missing; {c.with_link} with a link, "
                     f"{_count(c.overrides, 'override')}, {_count(c.council_pages, 'council-only page')}")
        if c.contact_missing:
            lines.append("  no " + ", ".join(CONTACT_LABELS[n] for n in c.contact_missing) + " in council.yaml")
        grouped: dict[str, list[str]] = defaultdict(list)
        for s in c.services:
            for name in s.missing:
                grouped[name].append(s.page)
        if grouped:
            lines.append("  missing (pages show fallback wording):")
            own_links = sorted(n[5:] for n in grouped if n.startswith("link:") and grouped[n] == [n[5:]])
            for name in sorted(grouped, key=lambda n: (n.startswith("link:"), n)):
                if name[5:] not in own_links:
                    lines.extend(wrap.wrap(f"{describe_missing(name)}: {', '.join(grouped[name])}"))
            if own_links:
                lines.extend(wrap.wrap(f"no link for: {', '.join(own_links)}"))
        changed = [s for s in c.services if s.override]
        if changed:
            lines.append("  council files:")
            for s in changed:
                what = "council-only page" if s.kind == "council-only" else "override"
                lines.append(f"    {s.override} ({what}, {s.url})")
        for a in c.alerts:
            if a.state != "active":
                verb = "ended" if a.state == "expired" else "starts"
                when = a.end if a.state == "expired" else a.start
                lines.append(f"  {a.state} alert: '{a.title}' {verb} {when.isoformat()} ({a.file}:{a.line})")
        for rel in c.refused:
            lines.append(f"  refused: {rel}")
        for p in c.problems:
            lines.append(f"  {p.format()}")
    return "\n".join(lines) + "\n"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _bar(percent: int, cells: int = 10) -> str:
    filled = percent * cells // 100
    return "[" + "#" * filled + "." * (cells - filled) + "]"


# -- the command


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `localgov report` to the command line."""
    report = commands.add_parser("report", help="show what each council's data and files give its pages",
                                 description="Show, for each council and each service it provides, whether it has a "
                                 "link, an override, missing data or an expired alert.")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.add_argument("--council", metavar="SLUG", help="only this council")
    report.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    from localgov.build import load_site

    root: Path = args.root.resolve()
    problems = Problems()
    site = load_site(root, problems, keep_going=True)
    if site is None:
        for problem in problems.errors:
            print(problem.format(), file=sys.stderr)
        print("the sources have problems that stop the report; fix them first", file=sys.stderr)
        return 1
    if args.council and args.council not in site.councils:
        from localgov.fields import did_you_mean

        print(f"error: no council '{args.council}'{did_you_mean(args.council, site.councils.keys())}", file=sys.stderr)
        return 2
    report = coverage(site, problems)
    if args.json:
        sys.stdout.write(json_bytes(report, args.council).decode("utf-8"))
    else:
        sys.stdout.write(to_text(report, args.council))
    return 0


# -- the index stage


def coverage_json(site: Site, page_paths: list[str], problems: Problems) -> Iterable[Any]:
    """Indexer: write /status/coverage.json."""
    from localgov.render import Output

    yield Output(JSON_PATH, json_bytes(coverage(site, problems)), "status")
