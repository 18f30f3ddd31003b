"""Cross-references checked once the site is resolved: link keys, alerts, features and unused council files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from localgov.errors import Problems
from localgov.load.fields import closest, did_you_mean
from localgov.load.frontmatter import FrontMatterProblem, read_document
from localgov.load.jinja_checks import council_calls
from localgov.load.overrides import check_link_key
from localgov.model import Area, Content, Council, Overrides, Page, Resolution
from localgov.resolve import provider_for

# Features a council may declare even before a page uses them.
KNOWN_FEATURES = frozenset({"coastline", "port", "national-park", "airport", "island"})


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
        for number, feature in enumerate(sorted(council.features), start=1):
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
