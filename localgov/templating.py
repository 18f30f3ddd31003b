"""Council data in common text: a sandboxed Jinja environment and the `council` object it sees."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from localgov.errors import Problems
from localgov.markup import JINJA, protect
from localgov.model import Council

ALLOWED_NAMES = frozenset({"council"})
ATTRIBUTE = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined")


class ContentEnvironment(SandboxedEnvironment):
    """Sandbox for content and council files: no Python internals and no way to switch off escaping."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        for unsafe in ("safe", "attr", "format", "xmlattr"):
            self.filters.pop(unsafe, None)
        self.globals.clear()


def content_environment() -> ContentEnvironment:
    """Return a fresh sandboxed environment for content templates."""
    return ContentEnvironment()


@dataclass
class Missing:
    """Council data that common text asked for and a council lacks, as (council, page, field)."""

    items: set[tuple[str, str, str]] = field(default_factory=set)

    def add(self, council: str, page: str, name: str) -> None:
        self.items.add((council, page, name))


class CouncilView:
    """What `{{ council }}` means in content: data filled in, or plain fallback wording, never a blank."""

    def __init__(
        self,
        council: Council,
        page: str = "",
        *,
        keys_for: Callable[[str], tuple[str, ...]] = lambda key: (key,),
        missing: Missing | None = None,
    ) -> None:
        self._council = council
        self._page = page
        self._keys_for = keys_for
        self._missing = missing

    def _lack(self, name: str) -> None:
        if self._missing is not None:
            self._missing.add(self._council.slug, self._page, name)

    def _website_link(self, text: str) -> Markup:
        return Markup('<a class="govuk-link" href="{}">{}</a>').format(self._council.website, text)

    @property
    def name(self) -> str:
        return self._council.name

    @property
    def short_name(self) -> str:
        return self._council.display_name

    @property
    def slug(self) -> str:
        return self._council.slug

    @property
    def website(self) -> str:
        return self._council.website

    @property
    def nation(self) -> str:
        return self._council.nation

    @property
    def type(self) -> str:
        return self._council.type

    @property
    def is_county(self) -> bool:
        return self._council.is_county

    @property
    def url(self) -> str:
        return f"/councils/{self._council.slug}/"

    def has(self, feature: str) -> bool:
        return feature in self._council.features

    def _contact(self, name: str, fallback: str) -> Markup | str:
        value = getattr(self._council.contact, name)
        if value:
            return str(value)
        self._lack(name)
        return Markup("{} {}").format(fallback, self._website_link(f"{self._council.name} website"))

    @property
    def phone(self) -> Markup | str:
        return self._contact("phone", "the number given on the")

    @property
    def email(self) -> Markup | str:
        value = self._council.contact.email
        if value:
            return Markup('<a class="govuk-link" href="mailto:{0}">{0}</a>').format(value)
        self._lack("email")
        return Markup("the contact details on the {}").format(self._website_link(f"{self._council.name} website"))

    @property
    def address(self) -> Markup | str:
        return self._contact("address", "the address given on the")

    @property
    def opening_hours(self) -> Markup | str:
        return self._contact("opening_hours", "the opening hours given on the")

    def link(self, key: str, text: str | None = None) -> Markup:
        """Link to the council's own online service for `key`, or say where to find it."""
        found = self._council.link_for(*self._keys_for(str(key)))
        if found is not None:
            return Markup('<a class="govuk-link" href="{}">{}</a>').format(found.url, text or found.text or found.url)
        self._lack(f"link:{key}")
        label = text or "Find out more"
        return Markup("{} on the {}").format(label, self._website_link(f"{self._council.name} website"))

    def service_url(self, key: str) -> str:
        found = self._council.link_for(*self._keys_for(str(key)))
        if found is not None:
            return found.url
        self._lack(f"link:{key}")
        return self._council.website

    def __str__(self) -> str:
        return self._council.name


class GenericCouncilView:
    """The `council` of a common page, before the resident has said where they live."""

    name = "your council"
    short_name = "your council"
    slug = ""
    website = "/councils/"
    nation = ""
    type = ""
    is_county = False
    url = "/councils/"

    def has(self, feature: str) -> bool:
        return False

    def _find(self, text: str) -> Markup:
        return Markup('<a class="govuk-link" href="#find-your-council">{}</a>').format(text)

    @property
    def phone(self) -> Markup:
        return Markup("the number on {}").format(self._find("your council’s website"))

    @property
    def email(self) -> Markup:
        return Markup("the contact details on {}").format(self._find("your council’s website"))

    @property
    def address(self) -> Markup:
        return Markup("the address on {}").format(self._find("your council’s website"))

    @property
    def opening_hours(self) -> Markup:
        return Markup("the opening hours on {}").format(self._find("your council’s website"))

    def link(self, key: str, text: str | None = None) -> Markup:
        return self._find(text or "Find your council")

    def service_url(self, key: str) -> str:
        return "#find-your-council"

    def __str__(self) -> str:
        return self.name


def check_source_template(rel: str, body: str, first_line: int, problems: Problems) -> None:
    """Parse the Jinja in a Markdown body, reporting syntax errors and unknown names at their source line."""
    _, tags, lines = protect(body, first_line)
    if not tags:
        return
    # Rebuild a template of only the tags, each on its own source line, so Jinja's line numbers are ours.
    parts: list[str] = []
    current = first_line
    for tag, line in zip(tags, lines):
        if line > current:
            parts.append("\n" * (line - current))
            current = line
        parts.append(tag)
        current += tag.count("\n")
    source = "".join(parts)
    env = content_environment()
    try:
        tree = env.parse("\n" * (first_line - 1) + source)
    except jinja2.TemplateSyntaxError as exc:
        problems.error(rel, exc.lineno or first_line, f"template error in content: {exc.message}",
                       expected="Jinja like {{ council.name }} or {% if council.has('coastline') %}")
        return
    for name in sorted(meta.find_undeclared_variables(tree) - ALLOWED_NAMES):
        problems.error(rel, _line_of(name, tags, lines, first_line), f"unknown name '{name}' in content",
                       expected="council (for example {{ council.name }})", found=repr(name))
    for node in tree.find_all(nodes.Getattr):
        if node.attr.startswith("_"):
            problems.error(rel, node.lineno, f"'{node.attr}' is not available in content",
                           expected="council data such as council.name", found=repr(node.attr))


def _line_of(name: str, tags: list[str], lines: list[int], default: int) -> int:
    for tag, line in zip(tags, lines):
        if re.search(rf"\b{re.escape(name)}\b", tag):
            return line
    return default


def error_line(message: str, source_tags: list[str], lines: list[int], default: int) -> int:
    """Guess the source line of a runtime template error from the name it mentions."""
    match = ATTRIBUTE.search(message)
    if match:
        return _line_of(match.group(1) or match.group(2), source_tags, lines, default)
    return default


def source_tags(body: str, first_line: int) -> tuple[list[str], list[int]]:
    """Return the Jinja tags of a Markdown body and their lines."""
    _, tags, lines = protect(body, first_line)
    return tags, lines


def has_jinja(text: str) -> bool:
    return bool(JINJA.search(text))


class SectionTemplates:
    """Compiled section templates of one source, compiled once and rendered per council."""

    def __init__(self, env: ContentEnvironment, sections: Mapping[str, str]) -> None:
        self._static: dict[str, str] = {}
        self._compiled: dict[str, jinja2.Template] = {}
        for key, html in sections.items():
            if "{{" in html or "{%" in html:
                self._compiled[key] = env.from_string(html)
            else:
                self._static[key] = html

    def render(self, key: str, view: object) -> str:
        template = self._compiled.get(key)
        if template is None:
            return self._static[key]
        return template.render(council=view)


def escape_text(value: str) -> str:
    return str(escape(value))
