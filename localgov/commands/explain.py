"""`localgov explain URL`: every file that made one page of the site, and why.

The page is rendered once more, with a template loader that notes every template Jinja asks
for, so the list is exactly what the build used: the common source, the council's file for the
page, the council data, the topic, site.yaml, and each template in the order it was loaded,
with where the lookup found it (the site's own templates/, localgov's defaults, or GOV.UK
Frontend's components) and which files of the same name it shadows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from localgov.errors import Problems, UsageError
from localgov.model import Output, Site
from localgov.render.layouts import DEFAULTS_PREFIX, GOVUK, GOVUK_PREFIX, LOCALGOV, Found, Layer, find_template, layers
from localgov.render.pages import Renderer, job_at
from localgov.urls import Route, output_path, route_at, routes


@dataclass(frozen=True)
class Item:
    """One file and why it is part of the page."""

    kind: str  # "content", "council", "data", "template"
    path: str
    why: str


@dataclass
class Explanation:
    """The files that made one page."""

    url: str
    output: str
    items: list[Item] = field(default_factory=list)
    lookup: list[str] = field(default_factory=list)


class RecordingLoader(jinja2.BaseLoader):
    """A loader that passes every request on and notes (name, file) in the order Jinja asks."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner
        self.loaded: list[tuple[str, str]] = []

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        if template not in {name for name, _ in self.loaded}:
            self.loaded.append((template, filename or "(built in)"))
        return source, filename, uptodate  # type: ignore[return-value]


def explain(root: Path, url: str) -> Explanation:
    """Return the files that made the page at `url` of the site at `root`."""
    from localgov.build import load_site
    from localgov.errors import BuildFailed
    from localgov.index.coverage import coverage
    from localgov.render.assets import build_assets
    from localgov.render.sections import compile_sections

    problems = Problems()
    site = load_site(root, problems, keep_going=True)
    if site is None:
        raise BuildFailed(problems.errors)
    target = output_path(url)
    route = route_at(url, routes(site))
    if route is None:
        raise UsageError(f"no page of the site is at {url} (looked for {target})")
    explanation = Explanation(url=url, output=target)
    sections = compile_sections(site)
    report = coverage(site, problems, sections=sections)
    renderer = Renderer(site, {a.name: a.url for a in build_assets(root)}, sections, report)
    recorder = RecordingLoader(renderer.env.loader)  # type: ignore[arg-type]
    renderer.env.loader = recorder
    output = _render(renderer, route)
    explanation.items.extend(_sources(root, site, route, output))
    chain = layers(root)
    explanation.items.extend(_templates(root, chain, recorder.loaded))
    explanation.lookup = [_show(root, layer) for layer in chain]
    return explanation


def _render(renderer: Renderer, route: Route) -> Output:
    """Render the one page at `route`, and no other."""
    return renderer.render_page(job_at(route)).output


def _sources(root: Path, site: Site, route: Route, output: Output) -> list[Item]:
    items: list[Item] = []
    if route.kind in ("variant", "council-page"):
        page_slug, council_slug = route.page, route.council
        council = site.councils[council_slug]
        common = site.content.pages.get(page_slug)
        if common is not None:
            items.append(Item("content", common.source, f"the common page '{common.title}': its text, converted once "
                              "and filled in with each council's data"))
            override = site.overrides.for_variant(council_slug, page_slug)
            if override is not None:
                items.append(Item("content", override.source,
                                  f"{council.name}'s override: " + _override_effect(override)))
            topic = site.content.topics.get(common.topic)
        else:
            own = site.overrides.council_page(council_slug, page_slug)
            if own is not None:
                items.append(Item("content", own.source, f"a page only {council.name} has: its text and title"))
            topic = site.content.topics.get(own.topic) if own is not None else None
        items.append(Item("data", council.source, f"{council.name}: its name, contact details and links fill in the "
                          "text and the contact section" + (", and its alerts" if council.alerts else "")))
        if council.parent and council.parent in site.councils and common is not None and common.provider == "all" \
                and council.parent in site.resolution.councils_for(page_slug):
            county = site.councils[council.parent]
            items.append(Item("data", county.source, f"{county.name}: named as the county that provides the rest "
                              "of this service"))
        if topic is not None:
            items.append(Item("data", topic.source, f"the topic '{topic.title}', in the breadcrumbs"))
    elif output.source:
        items.extend(_site_page_sources(site, output.source))
    if (root / "site.yaml").is_file():
        items.append(Item("data", "site.yaml", "the site's name, address and phase, on every page"))
    return items


def _site_page_sources(site: Site, source: str) -> list[Item]:
    """Describe what a page that is not a variant is made from."""
    council = next((c for c in site.councils.values() if c.source == source), None)
    if council is not None:
        return [Item("data", source, f"{council.name}: its data and alerts, and who provides what in its area"),
                Item("content", "content/", "the title, summary and tier of every page (front matter), for the "
                     "services listed")]
    page = next((p for p in site.content.pages.values() if p.source == source), None)
    if page is not None:
        return [Item("content", source, f"the common page '{page.title}', for residents who have not said where "
                     "they live"),
                Item("data", "councils/", "the names of the councils that provide it, for the A to Z")]
    topic = next((t for t in site.content.topics.values() if t.source == source), None)
    if topic is not None:
        return [Item("data", source, f"the topic '{topic.title}'"),
                Item("content", f"content/{topic.slug}/", "the title and summary of each page in the topic")]
    return [Item("data", source, "the template of this page, with the site's topics, pages and councils")]


def _override_effect(override: Any) -> str:
    parts: list[str] = []
    if override.whole_body:
        parts.append("its sections are the whole body")
    replaced = [s.id for s in override.sections]
    if replaced and not override.whole_body:
        parts.append("its sections replace or add " + ", ".join(f"'{s}'" for s in replaced))
    if override.remove:
        parts.append("removes " + ", ".join(f"'{s}'" for s in override.remove))
    if override.summary:
        parts.append("changes the summary")
    return "; ".join(parts) or "changes the page"


def _show(root: Path, layer: Layer) -> str:
    """Name a layer's templates folder for the reader."""
    if layer.name == GOVUK:
        return f"GOV.UK Frontend components ({GOVUK_PREFIX})"
    folder = layer.templates
    if folder is None:
        return layer.name
    try:
        return folder.resolve().relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        return f"{folder} (localgov's defaults)" if layer.name == LOCALGOV else str(folder)


def _show_file(root: Path, found: Found) -> str:
    """Name one template file for the reader."""
    if found.path is None:
        return f"{found.name} (built into localgov)"
    if found.layer.name == GOVUK:
        return f"GOV.UK Frontend's {found.name}"
    try:
        return found.path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return f"{found.path} (localgov's default)"


def _templates(root: Path, chain: Sequence[Layer], loaded: list[tuple[str, str]]) -> list[Item]:
    """Describe each template in load order: which layer it came from, and what it shadows."""
    items: list[Item] = []
    for name, _ in loaded:
        found = find_template(name, chain)
        if name.startswith(DEFAULTS_PREFIX):
            why = (f"localgov's default {name[len(DEFAULTS_PREFIX):]}, extended by the site's own template of "
                   "that name")
        elif not found:
            why = "not found in any layer"
        elif found[0].path is None:
            why = "replaced by localgov: GOV.UK's crown is left out"
        elif found[0].layer.name == GOVUK:
            why = "a GOV.UK Frontend component"
        else:
            why = f"found in {_show(root, found[0].layer)}"
        if len(found) > 1 and not name.startswith(DEFAULTS_PREFIX):
            why += "; shadows " + ", ".join(_show_file(root, other) for other in found[1:])
        items.append(Item("template", name, why))
    return items


def format_explanation(explanation: Explanation, *, colour: bool = False) -> str:
    """Return the explanation as text for the terminal."""
    bold, plain = ("\033[1m", "\033[0m") if colour else ("", "")
    lines = [f"{bold}{explanation.url}{plain} is {explanation.output}, made from:"]
    groups = [("content", "Text"), ("data", "Data"), ("template", "Templates, in the order they were loaded")]
    for kind, title in groups:
        items = [i for i in explanation.items if i.kind == kind]
        if not items:
            continue
        lines.append("")
        lines.append(f"{bold}{title}{plain}")
        if kind == "template":
            lines.append("  (each name is looked up in " + ", then ".join(explanation.lookup) + ")")
        width = min(60, max(len(i.path) for i in items))
        for item in items:
            lines.append(f"  {item.path:<{width}}  {item.why}")
    return "\n".join(lines)
