"""Checks across what was loaded: council files rendered for their council, links, alerts, features, unused files."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path

import jinja2

from localgov.errors import Problem, Problems
from localgov.load.fields import closest, did_you_mean
from localgov.load.frontmatter import FrontMatterProblem, read_document
from localgov.load.jinja_checks import council_calls, error_line, source_tags
from localgov.load.safety import scan_html
from localgov.model import Area, Content, Council, CouncilPage, Override, Overrides, Page, Resolution
from localgov.resolve import provider_for
from localgov.sandbox import ContentEnvironment, CouncilView, Missing, SectionTemplates, content_environment

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
    lgsl = {p.slug: str(p.lgsl) for p in content.pages.values() if p.lgsl is not None}
    page_keys = set(content.pages) | set(lgsl.values())

    def keys_for(key: str) -> tuple[str, ...]:
        code = lgsl.get(key)
        return (key, code) if code else (key,)

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
    lgsl = {str(p.lgsl) for p in content.pages.values() if p.lgsl is not None}
    # Pages with errors of their own are not loaded; do not report links to them as well.
    page_keys = set(content.pages) | lgsl | {path.stem for path in (root / "content").glob("*/*.md")}
    used_features = {f for p in content.pages.values() for f in p.requires} | KNOWN_FEATURES
    tested_features = _content_features(content, root, page_keys, problems)
    used_features |= tested_features
    for council in councils.values():
        own_pages = {p.slug for p in overrides.pages_of(council.slug)}
        for key, link in council.links:
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
        problems.warn(override.source, 0, f"not used: {_why_not(content.pages[override.page], council, councils)}",
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


def _why_not(page: Page, council: Council, councils: Mapping[str, Council]) -> str:
    """Say why a council has no variant of a page."""
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
