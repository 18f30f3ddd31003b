"""`localgov report`: what each council's data and files give its pages, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from localgov.commands.dates import add_as_at
from localgov.errors import Problems
from localgov.index.coverage import coverage, to_json
from localgov.load.timeline import Transition, transitions
from localgov.model import CONTACT_LABELS, Coverage, Site, describe_missing
from localgov.translation import to_json as welsh_json
from localgov.translation import to_text as welsh_text
from localgov.translation import welsh_status


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


def _transitions(site: Site, council: str | None) -> list[Transition]:
    return [change for change in transitions(site.councils, site.former)
            if council is None or council in (change.council.slug, *(s for s, _, _ in change.successors))]


def transitions_json(site: Site, council: str | None = None) -> list[dict[str, object]]:
    """Return the councils in transition on the site's date, as data."""
    return [{"council": change.council.slug, "end": str(change.council.end), "vesting_day": str(change.vesting_day),
             "successors": [{"council": slug, "lacks": list(lacking)} for slug, _, lacking in change.successors]}
            for change in _transitions(site, council)]


def transitions_text(site: Site, council: str | None = None) -> str:
    """Return the councils in transition on the site's date and what their successors lack, or ''."""
    lines = []
    for change in _transitions(site, council):
        heirs = "; ".join(f"{slug} " + ("(" + ", ".join(f"no {what}" for what in lacking) + ")" if lacking
                                        else "(ready)") for slug, _, lacking in change.successors)
        lines.append(f"  {change.council.slug}: {change.council.name} ends {change.council.end}; "
                     f"from {change.vesting_day}: {heirs}")
    if not lines:
        return ""
    return "\n".join([f"Councils in transition on {site.config.today.isoformat()}:", *lines, "", ""])


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _bar(percent: int, cells: int = 10) -> str:
    filled = percent * cells // 100
    return "[" + "#" * filled + "." * (cells - filled) + "]"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `localgov report` to the command line."""
    report = commands.add_parser("report", help="show what each council's data and files give its pages",
                                 description="Show, for each council and each service it provides, whether it has a "
                                 "link, an override, missing data or an expired alert.")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.add_argument("--council", metavar="SLUG", help="only this council")
    report.add_argument("--welsh", action="store_true",
                        help="show what is not yet in Welsh: each common page, and each council in Wales")
    add_as_at(report)
    report.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    from localgov.build import load_site

    root: Path = args.root.resolve()
    problems = Problems()
    site = load_site(root, problems, keep_going=True, as_at=args.as_at)
    if site is None:
        for problem in problems.errors:
            print(problem.format(), file=sys.stderr)
        print("the sources have problems that stop the report; fix them first", file=sys.stderr)
        return 1
    if args.council and args.council not in site.councils:
        from localgov.load.fields import did_you_mean

        print(f"error: no council '{args.council}'{did_you_mean(args.council, site.councils.keys())}", file=sys.stderr)
        return 2
    if args.welsh:
        status = welsh_status(site)
        if args.council:
            status = replace(status, councils=tuple(c for c in status.councils if c.slug == args.council))
        if args.json:
            sys.stdout.write(json.dumps(welsh_json(status), indent=1, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(welsh_text(status) or "No council in Wales and no Welsh page.\n")
        return 0
    report = coverage(site, problems)
    if args.json:
        data = to_json(report, args.council)
        changes = transitions_json(site, args.council)
        if changes:  # only then: otherwise the answer is /status/coverage.json as the build writes it
            data["transitions"] = changes
        sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(transitions_text(site, args.council) + to_text(report, args.council))
    return 0
