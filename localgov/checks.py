"""Checks across what was loaded: council files rendered for their council, links, alerts, features, unused files."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import jinja2

from localgov.errors import Problem, Problems
from localgov.load.fields import closest, did_you_mean
from localgov.load.frontmatter import FrontMatterProblem, read_document
from localgov.load.jinja_checks import council_calls, error_line, source_tags
from localgov.load.markdown import plain_text
from localgov.load.safety import scan_html
from localgov.model import (
    Area,
    Body,
    Content,
    Council,
    CouncilPage,
    Override,
    Overrides,
    Page,
    Resolution,
    is_home_page,
)
from localgov.resolve import areas_of, body_providers, provider_for
from localgov.sandbox import ContentEnvironment, CouncilView, Missing, SectionTemplates, content_environment

OUTSIDE_ENGLAND = frozenset({"wales", "scotland", "northern-ireland"})
# Words for things that exist only in England (or not in some nations), and the nations whose residents they
# would mislead on a page about their council.
NATION_TERMS: tuple[tuple[str, re.Pattern[str], frozenset[str]], ...] = tuple(
    (word, re.compile(pattern), nations) for word, pattern, nations in (
        ("academy", r"(?i)\bacadem(?:y|ies)\b", OUTSIDE_ENGLAND),
        ("free school",
         r"(?i)\bfree schools?\b(?! (?:meals?|lunch(?:es)?|transport|travel|breakfasts?|milk|uniforms?))",
         OUTSIDE_ENGLAND),
        ("Ofsted", r"\bOfsted\b", OUTSIDE_ENGLAND),
        ("In England", r"\bIn England\b", OUTSIDE_ENGLAND),
        ("EHC plan", r"(?i)\b(?:EHC plans?|education, health and care plans?)\b", OUTSIDE_ENGLAND),
        ("SEND", r"\bSEND\b", OUTSIDE_ENGLAND),
        ("Housing Ombudsman", r"\bHousing Ombudsman\b", OUTSIDE_ENGLAND),
        ("Local Government and Social Care Ombudsman", r"\bLocal Government and Social Care Ombudsman\b",
         OUTSIDE_ENGLAND),
        ("Planning Inspectorate", r"\bPlanning Inspectorate\b", OUTSIDE_ENGLAND),
        ("Care Quality Commission", r"\b(?:Care Quality Commission|CQC)\b", OUTSIDE_ENGLAND),
        ("National Highways", r"\b(?:National Highways|Highways England)\b", OUTSIDE_ENGLAND),
        ("Environment Agency", r"(?<!Ireland )\bEnvironment Agency\b", OUTSIDE_ENGLAND),
        ("Valuation Office Agency", r"\bValuation Office Agency\b", frozenset({"scotland", "northern-ireland"})),
        ("key stage", r"(?i)\bkey stages?\b", frozenset({"scotland"})),
        ("GCSE", r"\bGCSEs?\b", frozenset({"scotland"})),
        ("school year numbers", r"\bYears? (?:[7-9]|1[0-3])\b", frozenset({"scotland"})),
        ("right to buy", r"(?i)\bright to buy\b", frozenset({"scotland", "wales"})),
        ("section 21", r"(?i)\bsection 21\b", OUTSIDE_ENGLAND),
        ("council tax", r"(?i)\bcouncil tax\b", frozenset({"northern-ireland"})),
    )
)

# Features a council may declare even before a page uses them.
KNOWN_FEATURES = frozenset({"coastline", "port", "national-park", "airport", "island"})


def check_council_files(councils: Mapping[str, Council], content: Content, overrides: Overrides,
                        problems: Problems) -> Overrides:
    """Render every accepted council file for its council and check its links; return the files that pass.

    A file that cannot be rendered, that council data fills with unsafe HTML, or whose council.link()
    names no page is refused, as the loader refuses a file that breaks a rule (localgov/load/overrides.py),
    so nothing can fail or slip through at render time.
    """
    env = content_environment()
    page_keys = set(content.pages) | set(content.codes())
    keys_for = content.link_keys

    accepted: dict[tuple[str, str], Override | CouncilPage] = {}
    refused: set[Problem] = set(overrides.refused)
    refused_files: set[str] = set(overrides.refused_files)
    for slug in sorted(councils):
        files: list[Override | CouncilPage] = [*overrides.overrides_of(slug), *overrides.pages_of(slug)]
        rendered: list[Override | CouncilPage] = []
        for file in sorted(files, key=lambda f: f.source.split("/")):
            start = len(problems.items)
            _trial_render(file, councils[slug], env, keys_for, problems)
            errors = [p for p in problems.items[start:] if p.severity == "error"]
            if errors:
                refused.update(errors)
                refused_files.add(file.source)
            else:
                rendered.append(file)
        # Links may name the council's own pages, so check them once all its files are rendered.
        own = {f.slug for f in rendered if isinstance(f, CouncilPage)}
        for file in rendered:
            start = len(problems.items)
            for key, line in file.link_keys:
                check_link_key(file.source, line, key, page_keys | own, problems)
            errors = [p for p in problems.items[start:] if p.severity == "error"]
            if errors:
                refused.update(errors)
                refused_files.add(file.source)
            else:
                accepted[(slug, file.page if isinstance(file, Override) else file.slug)] = file
    return dataclasses.replace(
        overrides,
        overrides={k: v for k, v in overrides.overrides.items() if accepted.get(k) is v},
        pages={k: v for k, v in overrides.pages.items() if accepted.get(k) is v},
        refused=frozenset(refused),
        refused_files=tuple(sorted(refused_files)),
    )


def _trial_render(file: Override | CouncilPage, council: Council, env: ContentEnvironment,
                  keys_for: Callable[[str], tuple[str, ...]], problems: Problems) -> None:
    """Render a council file for its one council, reporting what fails or comes out unsafe at its line."""
    parts = {s.id: s.html for s in file.sections}
    parts.update({f"{s.id}#title": s.title for s in file.sections if "{" in s.title})
    page = file.page if isinstance(file, Override) else file.slug
    view = CouncilView(council, page, keys_for=keys_for, missing=Missing())
    try:
        templates = SectionTemplates(env, parts)
        rendered = "\n".join(templates.render(key, view) for key in parts)
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        tags, lines = source_tags(file.body, file.body_line)
        problems.error(file.source, error_line(str(exc), tags, lines, file.body_line),
                       f"cannot be rendered for {council.slug}: {type(exc).__name__}: {exc}")
        return
    scan_html(file.source, rendered, file.body, file.body_line, problems, rendered=True)


def check_link_key(rel: str, line: int, key: str, known: set[str], problems: Problems) -> None:
    """Report a council.link() or council.service_url() key that names no page or LGSL code."""
    if key not in known:
        problems.error(rel, line, f"council.link(): no page or LGSL code '{key}'{did_you_mean(key, sorted(known))}",
                       expected="a page slug from content/ or a page's LGSL code", found=repr(key))


def check_council_references(content: Content, councils: Mapping[str, Council], overrides: Overrides,
                             resolution: Resolution, root: Path, problems: Problems) -> None:
    """Check what council files name: link keys, alert pages and topics, features, and unused overrides."""
    lgsl = set(content.codes())
    # Pages with errors of their own are not loaded; do not report links to them as well.
    page_keys = set(content.pages) | lgsl | {path.stem for path in (root / "content").glob("*/*.md")
                                             if not path.name.endswith(".cy.md")}
    used_features = {f for p in content.pages.values() for f in p.requires} | KNOWN_FEATURES
    tested_features = _content_features(content, root, page_keys, problems)
    used_features |= tested_features
    for council in councils.values():
        own_pages = {p.slug for p in overrides.pages_of(council.slug)}
        for key, link in council.links:
            if is_home_page(link.url, council.website):
                problems.warn(council.source, link.line or council.line_of("links"),
                              "the link leads to the council's home page, not to the service, so pages do not "
                              "show it as the service's link", field=f"links.{key}",
                              expected="the address of the service's own page", found=link.url)
            if key not in page_keys and key not in own_pages:
                problems.error(council.source, link.line or council.line_of("links"),
                               f"no page or LGSL code '{key}'{did_you_mean(key, sorted(page_keys | own_pages))}",
                               field=f"links.{key}", expected="a page slug from content/ or a page's LGSL code",
                               found=repr(key))
        for alert in council.alerts:
            for page in alert.pages:
                if page not in content.pages and page not in own_pages:
                    problems.error(alert.source, alert.line, f"alert names an unknown page"
                                   f"{did_you_mean(page, sorted(set(content.pages) | own_pages))}",
                                   field="alerts.pages", expected="a page slug", found=repr(page))
            for topic in alert.topics:
                if topic not in content.topics:
                    problems.error(alert.source, alert.line,
                                   f"alert names an unknown topic{did_you_mean(topic, content.topics.keys())}",
                                   field="alerts.topics", expected="a topic slug", found=repr(topic))
        for feature in sorted(council.features):
            if feature not in used_features:
                near = closest(feature, used_features)
                if near:
                    problems.warn(council.source, council.line_of("features"),
                                  f"no page uses the feature '{feature}'; did you mean '{near}'?", field="features",
                                  expected=", ".join(sorted(used_features)), found=repr(feature))
    for override in overrides.overrides.values():
        council = councils[override.council]
        if override.council in resolution.councils_for(override.page):
            continue
        why = _why_not(content.pages[override.page], council, councils, resolution)
        problems.warn(override.source, 0, f"not used: {why}",
                      expected=f"a page {council.name} provides")


def _content_features(content: Content, root: Path, page_keys: set[str], problems: Problems) -> set[str]:
    """Check council.link() keys in common pages; return the features they test with council.has()."""
    from localgov.load.jinja_checks import parse_source_template

    features: set[str] = set()
    for page in content.pages.values():
        if not page.templated:
            continue
        try:
            document = read_document((root / page.source).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, FrontMatterProblem):
            continue
        tree = parse_source_template(page.source, document.body, document.body_line, Problems())
        for key, line in council_calls(tree, "link", "service_url"):
            check_link_key(page.source, line, key, page_keys, problems)
        features.update(key for key, _ in council_calls(tree, "has"))
    return features


def _why_not(page: Page, council: Council, councils: Mapping[str, Council], resolution: Resolution) -> str:
    """Say why a council has no variant of a page."""
    bodies = resolution.bodies_for(page.slug, council.slug)
    if bodies:
        return (f"'{page.slug}' is provided by {' and '.join(bodies)} (councils/<slug>/body.yaml) for addresses in "
                f"{council.display_name}")
    missing = sorted(set(page.requires) - council.features)
    if page.provider == "national":
        return f"'{page.slug}' is a national page, with no council versions"
    if missing:
        return (f"{council.name} does not provide '{page.slug}', which needs the feature"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} in {council.source}")
    if page.elsewhere_for(council.nation) is not None:
        return f"in {council.nation.replace('-', ' ').title()}, '{page.slug}' is not a council service"
    area = Area(council.slug, council.parent) if council.is_district else Area(council.slug)
    if council.is_county:
        return f"'{page.slug}' is provided by district councils in {council.display_name}"
    answer = provider_for(page, area, councils)
    if answer.council and answer.council != council.slug:
        return f"'{page.slug}' is provided by {councils[answer.council].name} for addresses in {council.display_name}"
    return f"{council.name} does not provide '{page.slug}'"


def check_nation_terms(content: Content, councils: Mapping[str, Council], resolution: Resolution, root: Path,
                       problems: Problems) -> None:
    """Warn where a common page's variant for a council outside England shows a term for England only.

    Each page is rendered for one council of each nation that has a variant of it, as that council's
    variant would show it (the sections for its nation, its branches of `council.nation`).
    """
    env = content_environment()
    keys_for = content.link_keys

    for page in sorted(content.pages.values(), key=lambda p: p.source):
        first: dict[str, Council] = {}
        for slug in resolution.councils_for(page.slug):
            council = councils[slug]
            if council.nation in OUTSIDE_ENGLAND:
                first.setdefault(council.nation, council)
        if not first:
            continue
        source_lines: list[str] | None = None
        for nation, council in sorted(first.items()):
            text = variant_text(page.in_nation(nation), council, env, keys_for)
            if text is None:
                continue  # the page's own render reports what fails
            for word, pattern, nations in NATION_TERMS:
                found = pattern.search(text) if nation in nations else None
                if found is None:
                    continue
                if source_lines is None:
                    try:
                        source_lines = (root / page.source).read_text(encoding="utf-8").split("\n")
                    except (OSError, UnicodeDecodeError):
                        source_lines = []
                line = next((n for n, text_line in enumerate(source_lines, start=1)
                             if pattern.search(text_line)), 1)
                around = text[max(0, found.start() - 40):found.end() + 40].strip()
                problems.warn(page.source, line, f"'{word}' is not for {_NATION_NAMES[nation]}, but the variant for "
                              f"{council.name} shows it", expected="that text in a section for the nations it is "
                              "true of ({#id nations=\"england\"}) or in {% if council.nation == 'england' %}",
                              found=f"...{around}...")


_NATION_NAMES = {"england": "England", "wales": "Wales", "scotland": "Scotland", "northern-ireland": "Northern Ireland"}


def variant_text(page: Page, council: Council, env: ContentEnvironment,
                  keys_for: Callable[[str], tuple[str, ...]]) -> str | None:
    """Return the visible text of a page's sections as a council's variant renders them, or None if it fails."""
    parts = {s.id: s.html for s in page.sections}
    parts.update({f"{s.id}#title": s.title for s in page.sections if "{" in s.title})
    view = CouncilView(council, page.slug, keys_for=keys_for, missing=Missing())
    try:
        templates = SectionTemplates(env, parts)
        html = "\n".join(templates.render(key, view) for key in parts)
    except Exception:  # noqa: BLE001 - reported where the page is rendered
        return None
    return plain_text(html)


def check_providers(content: Content, councils: Mapping[str, Council], resolution: Resolution,
                    problems: Problems, bodies: Mapping[str, Body] | None = None) -> None:
    """Warn about each service and nation where no council and no body provides a page, and nothing says who does.

    A page whose `provided_elsewhere` note names the provider in words only gets a warning too: residents
    there need the body's link, from a body.yaml.
    """
    areas = areas_of(councils)
    sharing = body_providers(bodies or {}, councils).part
    for page in sorted(content.pages.values(), key=lambda p: p.source):
        if page.provider == "national":
            continue
        exceptions = resolution.exceptions.get(page.slug, {})
        named = sharing.get(page.slug, {})  # bodies that do part of it, where the note says the rest
        unknown: dict[str, list[str]] = {}
        for area in areas:
            if exceptions.get(area.lower, None) != "" or resolution.bodies_for(page.slug, area.lower) \
                    or named.get(area.lower) or (area.county and named.get(area.county)):
                continue
            council = councils[area.lower]
            answer = provider_for(page, area, councils)
            if answer.reason == "not-here":
                continue  # the area lacks what the page needs (a coastline): nobody provides it there
            unknown.setdefault(council.nation, []).append(council.display_name)
        for nation, names in sorted(unknown.items()):
            said = page.elsewhere_for(nation) is not None
            problems.warn(page.source, 1, f"who provides '{page.slug}' for addresses in {_NATION_NAMES[nation]} "
                          f"({len(names)} council area{'s' if len(names) != 1 else ''}, such as {names[0]}) is "
                          + ("named only in words" if said else "not known"),
                          field="provided_elsewhere" if said else "provider",
                          expected="a body in councils/<slug>/body.yaml that provides the page there",
                          found="the provided_elsewhere note only" if said else "no council and no body")
