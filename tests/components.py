"""Template components and their documented examples (`templates/partials/docs/<partial>.yml`).

Every partial in templates/partials/ has a doc with one or more examples, in the manner of
govuk_publishing_components. Tests render every example into a page of its own and check it
with axe-core and html-validate.
"""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from localgov.model import SiteConfig
from localgov.render.layouts import layout_environment

REPO = Path(__file__).resolve().parents[1]
PARTIALS = REPO / "templates" / "partials"
DOCS = PARTIALS / "docs"
DOC_FIELDS = {"name", "description", "body", "accessibility_criteria", "examples", "top_level"}
ASSET_TAG = re.compile(r'<link rel="stylesheet" href="/assets/[^"]+">'
                       r'|<script type="module" src="/assets/[^"]+"></script>')


@dataclass(frozen=True)
class Example:
    component: str
    name: str
    description: str
    data: dict[str, Any]
    top_level: str  # '' inside <main>; 'start' or 'end' of <body> for landmarks such as the header

    @property
    def id(self) -> str:
        return f"{self.component}-{self.name}"

    @property
    def path(self) -> str:
        return f"{self.component}/{self.name}.html"


def partial_names() -> list[str]:
    return sorted(p.stem for p in PARTIALS.glob("*.html"))


def doc_names() -> list[str]:
    return sorted(p.stem for p in DOCS.glob("*.yml"))


def read_doc(component: str) -> dict[str, Any]:
    data = yaml.safe_load((DOCS / f"{component}.yml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise TypeError(f"{component}.yml: expected a mapping")
    return data


def examples() -> list[Example]:
    """Return every documented example of every component that has a doc."""
    found = []
    for component in doc_names():
        doc = read_doc(component)
        for name, example in (doc.get("examples") or {}).items():
            found.append(Example(component, str(name), str(example.get("description", "")), example.get("data") or {},
                                 str(doc.get("top_level") or "")))
    return found


def environment(site: SiteConfig) -> jinja2.Environment:
    """Return the layout environment the build uses, with the globals partials may ask for."""
    env = layout_environment(REPO)
    env.globals.update(site=site, asset=lambda name: f"/assets/{name}",
                       chrome=lambda name: Markup(env.get_template(name).render()))
    return env


def render_example(example: Example) -> str:
    """Render one example: its `data` is the partial's context; `data.site` changes the site's settings."""
    data = dict(example.data)
    site = dataclasses.replace(SiteConfig(root=REPO), **(data.pop("site", None) or {}))
    env = environment(site)
    if "alerts" in data:
        data["alerts"] = [{**alert, "html": Markup(alert.get("html", ""))} for alert in data["alerts"]]
    return env.get_template(f"partials/{example.component}.html").render(**data)


def example_page(example: Example, fragment: str, head: str) -> str:
    """Return a whole page showing one example, with the site's own CSS and JavaScript (`head`)."""
    title = html.escape(f"{example.component} component: {example.name}")
    scripts = "".join(t for t in ASSET_TAG.findall(head) if t.startswith("<script"))
    styles = "".join(t for t in ASSET_TAG.findall(head) if t.startswith("<link"))
    heading = f'<h1 class="govuk-heading-l">{title}</h1>'
    if example.top_level:
        main = (f'<div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">'
                f'{heading}</main></div>')
        body = f"{fragment}\n{main}" if example.top_level == "start" else f"{main}\n{fragment}"
    else:
        # Components sit in a section of a page, so they may start at h2 or h3.
        body = (f'<div class="govuk-width-container"><main class="govuk-main-wrapper" id="main-content">{heading}\n'
                f'<h2 class="govuk-heading-m">Example</h2>\n{fragment}\n</main></div>')
    return (
        '<!DOCTYPE html>\n<html lang="en" class="govuk-template">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{styles}\n</head>\n<body class=\"govuk-template__body\">\n{body}\n{scripts}\n</body>\n</html>\n"
    )


def write_gallery(folder: Path, built_site: Path) -> list[Example]:
    """Write a page per example under `folder`, with the built site's assets beside them."""
    head = (built_site / "index.html").read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assets").symlink_to(built_site / "assets", target_is_directory=True)
    written = []
    for example in examples():
        target = folder / example.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(example_page(example, render_example(example), head), encoding="utf-8")
        written.append(example)
    return written
