"""Councils on a date: which are in force, who took over from those that are not, and checks of the chains.

This is the one place that decides which councils exist on the site's date. The registry is read
whole (every council.yaml, past and future); `on_date` splits it right after loading, so every later
stage sees only the councils in force and never needs the date again. Codes of councils that have
ended are routed to the councils that now cover their area (`routes`), so postcode data older than a
reorganisation still finds the right council.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from localgov.errors import Problems
from localgov.i18n import and_list
from localgov.load.fields import did_you_mean
from localgov.model import GSS_PENDING, Alert, Council

NOTICE_DAYS = 120  # `localgov check` warns within this many days of a change about what the new councils lack
NOTICE_FROM_DAYS = 365  # pages of a council being replaced carry a notice for this many days before the change


@dataclass(frozen=True)
class OnDate:
    """The registry split on one date."""

    current: dict[str, Council]  # in force that day
    former: dict[str, Council]  # ended before it or not yet in force


def on_date(councils: Mapping[str, Council], day: dt.date) -> OnDate:
    """Split the registry into the councils in force on `day` and the rest; give those ending a notice."""
    current: dict[str, Council] = {}
    former: dict[str, Council] = {}
    for slug, council in councils.items():
        if council.in_force_on(day):
            current[slug] = with_notice(council, councils)
        else:
            former[slug] = council
    return OnDate(current, former)


def long_date(day: dt.date) -> str:
    """Return a date as GOV.UK writes it: 1 April 2027."""
    return f"{day.day} {day:%B %Y}"


def successor_names(council: Council, councils: Mapping[str, Council]) -> str:
    """Return the names of a council's successors joined in a sentence: 'A', 'A and B'."""
    names = [councils[s.council].name if s.council in councils else s.council for s in council.successors]
    return and_list(names)


def notice(council: Council, councils: Mapping[str, Council]) -> Alert | None:
    """Return the notice the pages of a council that is being replaced carry until its last day."""
    if council.end is None or not council.successors:
        return None
    vesting = council.vesting_day
    assert vesting is not None
    names = successor_names(council, councils)
    split = len(council.successors) > 1
    body = (f"On {long_date(vesting)} {council.name} will be replaced by {names}. "
            + ("Which council provides your services from then depends on where you live. " if split else "")
            + "Until then, contact " + council.name + " as you do now.")
    title = f"{council.display_name}: new council{'s' if split else ''} from {long_date(vesting)}"
    early = dt.timedelta(days=NOTICE_FROM_DAYS)
    start = vesting - early if vesting - dt.date.min > early else dt.date.min
    return Alert(title=title, body=body, start=start, end=council.end, source=council.source,
                 line=council.line_of("end"))


def with_notice(council: Council, councils: Mapping[str, Council]) -> Council:
    """Return the council with its replacement notice among its alerts, if it is being replaced."""
    found = notice(council, councils)
    return council if found is None else replace(council, alerts=(*council.alerts, found))


def final_successor(council: Council, councils: Mapping[str, Council], day: dt.date) -> Council | None:
    """Return the council in force on `day` that covers all of an ended council's area, or None if it was split."""
    seen = {council.slug}
    while not council.in_force_on(day):
        if len(council.successors) != 1:
            return None
        nxt = councils.get(council.successors[0].council)
        if nxt is None or nxt.slug in seen:
            return None
        seen.add(nxt.slug)
        council = nxt
    return council


def routes(councils: Mapping[str, Council], day: dt.date) -> dict[str, str]:
    """Map the GSS codes of councils that ended before `day` to the council that covers their whole area then.

    A council that was split (a county into two unitaries) routes nowhere: the district code of
    each postcode decides.
    """
    found: dict[str, str] = {}
    for council in councils.values():
        if council.end is None or council.end >= day:
            continue
        target = final_successor(council, councils, day)
        if target is None:
            continue
        for code in (council.gss, *council.former_gss):
            if code != GSS_PENDING:
                found[code] = target.slug
    return found


def check_timeline(councils: Mapping[str, Council], problems: Problems) -> None:
    """Check dates and successors: they exist, take over the day after, cover every former area once, no loops."""
    for council in councils.values():
        _check_successors(council, councils, problems)
        _check_parent_dates(council, councils, problems)
    for council in councils.values():
        _check_loop(council, councils, problems)


def _check_successors(council: Council, councils: Mapping[str, Council], problems: Problems) -> None:
    if council.end is None:
        return
    vesting = council.vesting_day
    for successor in council.successors:
        line = successor.line or council.line_of("successors")
        target = councils.get(successor.council)
        if target is None:
            problems.error(council.source, line, f"no council {successor.council!r} in councils/"
                           f"{did_you_mean(successor.council, councils)}", field="successors",
                           expected="the slug of a council with a council.yaml", found=repr(successor.council))
            continue
        if target.slug == council.slug:
            problems.error(council.source, line, "a council cannot succeed itself", field="successors")
            continue
        if target.start != vesting:
            problems.error(council.source, line, f"{target.slug} must start the day after {council.slug} ends, "
                           "so that no day is left without a council", field="successors",
                           expected=f"start: {vesting} in {target.source}",
                           found=f"start: {target.start}" if target.start else "no start date")
    _check_areas(council, councils, problems)


def _check_areas(council: Council, councils: Mapping[str, Council], problems: Problems) -> None:
    """Check that the successors of a county take over each of its districts exactly once."""
    listed = [s for s in council.successors if s.areas]
    if not council.is_county:
        if len(council.successors) > 1:
            problems.error(council.source, council.line_of("successors"), "only a county's area can be split "
                           "between successors, by its districts", field="successors", expected="one successor",
                           found=f"{len(council.successors)} successors")
        elif listed:
            problems.error(council.source, listed[0].line, "a district's successor takes over all of it",
                           field="successors.areas", expected="no areas", found=", ".join(listed[0].areas))
        return
    if len(council.successors) > 1 and len(listed) != len(council.successors):
        problems.error(council.source, council.line_of("successors"), "when a county is split, say which "
                       "districts each successor takes over", field="successors.areas",
                       expected="areas: [the slugs of former districts] for every successor")
        return
    districts = {c.slug: c for c in councils.values()
                 if c.parent == council.slug and c.in_force_on(council.end or dt.date.max)}
    seen: dict[str, str] = {}
    for successor in listed:
        for area in successor.areas:
            if area not in districts:
                problems.error(council.source, successor.line, f"{area!r} is not a district of {council.slug} "
                               f"on its last day{did_you_mean(area, districts)}", field="successors.areas",
                               expected="one of " + ", ".join(sorted(districts)), found=repr(area))
            elif area in seen:
                problems.error(council.source, successor.line, f"{area} is taken over by both {seen[area]} and "
                               f"{successor.council}", field="successors.areas",
                               expected="each former district taken over once")
            else:
                seen[area] = successor.council
    if listed:
        for slug in sorted(set(districts) - set(seen)):
            problems.error(council.source, council.line_of("successors"), f"no successor takes over {slug}",
                           field="successors.areas", expected="every former district taken over once",
                           found="missing " + slug)
    # A district's own successor must be the one its county's successors say takes over its area.
    for slug, district in sorted(districts.items()):
        county_says = seen.get(slug) or (council.successors[0].council if len(council.successors) == 1 else None)
        own = [s.council for s in district.successors]
        if district.end != council.end:
            problems.error(district.source, district.line_of("end") or district.line_of("parent"),
                           f"{slug} must end when its county {council.slug} ends", field="end",
                           expected=f"end: {council.end}", found=f"end: {district.end}" if district.end else "no end")
        elif county_says and own and own != [county_says]:
            problems.error(district.source, district.line_of("successors"),
                           f"{council.source} says {county_says} takes over {slug}", field="successors",
                           expected=county_says, found=", ".join(own))


def _check_parent_dates(council: Council, councils: Mapping[str, Council], problems: Problems) -> None:
    """A district cannot start before its county."""
    parent = councils.get(council.parent or "")
    if parent is None or parent.start is None:
        return
    if council.start is None or council.start < parent.start:
        problems.error(council.source, council.line_of("start") or council.line_of("parent"),
                       f"starts before its county {parent.slug}", field="start",
                       expected=f"on or after {parent.start}",
                       found=str(council.start) if council.start else "no start")


def _check_loop(council: Council, councils: Mapping[str, Council], problems: Problems) -> None:
    path = [council.slug]
    current = council
    while current.successors:
        nxt = current.successors[0].council
        if nxt == council.slug:
            problems.error(council.source, council.line_of("successors"), "successors lead back to this council: "
                           + " -> ".join([*path, nxt]), field="successors", expected="a chain that ends")
            return
        if nxt in path or nxt not in councils:
            return
        path.append(nxt)
        current = councils[nxt]


def ending_soon(councils: Mapping[str, Council], day: dt.date, days: int = NOTICE_DAYS) -> list[Council]:
    """Return the councils in force on `day` whose last day is within `days` of it, by slug."""
    return [c for _, c in sorted(councils.items())
            if c.end is not None and day <= c.end <= day + dt.timedelta(days=days)]


@dataclass(frozen=True)
class Transition:
    """A council in force that is to be replaced, and what each of its successors still lacks."""

    council: Council
    successors: tuple[tuple[str, Council | None, tuple[str, ...]], ...]  # (slug, council, what it lacks)

    @property
    def vesting_day(self) -> dt.date:
        assert self.council.vesting_day is not None
        return self.council.vesting_day


def lacks(council: Council) -> tuple[str, ...]:
    """Return what a council that is to take over still lacks for its pages and its postcodes."""
    found = []
    if council.gss_pending:
        found.append("GSS code")
    if not council.website:
        found.append("website")
    contact = council.contact
    if not (contact.phone or contact.email or contact.address):
        found.append("contact details")
    if not council.links:
        found.append("service links")
    return tuple(found)


def transitions(current: Mapping[str, Council], former: Mapping[str, Council]) -> list[Transition]:
    """Return the councils in force that have a last day, by that day and slug, with what their successors lack."""
    everyone = {**former, **current}
    found = []
    for council in sorted(current.values(), key=lambda c: (c.end or dt.date.max, c.slug)):
        if council.end is None:
            continue
        heirs = tuple((s.council, everyone.get(s.council), lacks(everyone[s.council]) if s.council in everyone else ())
                      for s in council.successors)
        found.append(Transition(council, heirs))
    return found
