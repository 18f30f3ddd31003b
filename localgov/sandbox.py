"""Council data in common text: a sandboxed Jinja environment and the `council` object it sees."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from localgov.model import Council

# What `council` offers content: properties, and methods with their (fewest, most) arguments.
COUNCIL_PROPERTIES = frozenset(
    {"name", "short_name", "slug", "website", "nation", "type", "is_county", "url",
     "phone", "email", "address", "opening_hours"}
)
COUNCIL_METHODS: dict[str, tuple[int, int]] = {"has": (1, 1), "link": (1, 2), "service_url": (1, 1)}
COUNCIL_API = COUNCIL_PROPERTIES | frozenset(COUNCIL_METHODS)
# Filters a council file may apply to council data; none of them can produce markup.
SAFE_FILTERS = frozenset(
    {"upper", "lower", "title", "capitalize", "trim", "striptags", "length", "string", "e", "escape"}
)
LARGEST_PRODUCT = 10_000  # characters or items a '*' may produce in content


class ContentEnvironment(SandboxedEnvironment):
    """Sandbox for content and council files: no Python internals and no way to switch off escaping."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        for unsafe in ("safe", "attr", "format", "xmlattr", "map", "select", "reject", "selectattr", "rejectattr",
                       "groupby", "sort", "unique", "min", "max", "sum", "dictsort", "tojson", "indent", "wordwrap",
                       "center", "batch", "slice", "random", "pprint", "urlize"):
            self.filters.pop(unsafe, None)
        self.globals.clear()
        self.tests.clear()
        self.tests.update({"defined": jinja2.tests.test_defined, "none": jinja2.tests.test_none})

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        """Allow only the documented council data, and nothing private on anything."""
        if attr.startswith("_"):
            return False
        if isinstance(obj, (CouncilView, GenericCouncilView)):
            return attr in COUNCIL_API
        return bool(super().is_safe_attribute(obj, attr, value))

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: object, right: object) -> object:
        """Refuse powers, and products too large for a page, so content cannot exhaust memory."""
        if operator == "**":
            raise SecurityError("'**' is not available in content")
        if operator == "*":
            for text, times in ((left, right), (right, left)):
                if (isinstance(text, (str, list, tuple)) and isinstance(times, int)
                        and len(text) * max(times, 0) > LARGEST_PRODUCT):
                    raise SecurityError("'*' would make text too long for a page")
        return super().call_binop(context, operator, left, right)


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

    # Built with escape() and f-strings: the same markup as Markup.format, which is slow enough to show in a
    # national build (it formats tens of thousands of these).
    def _website_link(self, text: str) -> Markup:
        return Markup(f'<a class="govuk-link" href="{escape(self._council.website)}">{escape(text)}</a>')

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
        return Markup(f"{escape(fallback)} {self._website_link(f'{self._council.name} website')}")

    @property
    def phone(self) -> Markup | str:
        return self._contact("phone", "the number given on the")

    @property
    def email(self) -> Markup | str:
        value = self._council.contact.email
        if value:
            return Markup(f'<a class="govuk-link" href="mailto:{escape(value)}">{escape(value)}</a>')
        self._lack("email")
        return Markup(f"the contact details on the {self._website_link(f'{self._council.name} website')}")

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
            label = text or found.text
            if not label:
                return Markup(f'<a class="govuk-link" href="{escape(found.url)}">{escape(found.url)}</a>')
            # Say where the link goes, for anyone who meets it out of context (the page's own title may be
            # the same words, leading to the common page).
            return Markup(f'<a class="govuk-link" href="{escape(found.url)}">{escape(label)}<span class='
                          f'"govuk-visually-hidden"> on the {escape(self._council.name)} website</span></a>')
        self._lack(f"link:{key}")
        label = text or "Find out more"
        return Markup(f"{escape(label)} on the {self._website_link(f'{self._council.name} website')}")

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
        if not text:
            return self._find("Find your council")
        # The link leads to the postcode form, not the service: say so, so its text (often a section's
        # heading too) makes sense out of context.
        return Markup('<a class="govuk-link" href="#find-your-council">{}<span class="govuk-visually-hidden">:'
                      " find your council first</span></a>").format(text)

    def service_url(self, key: str) -> str:
        return "#find-your-council"

    def __str__(self) -> str:
        return self.name


class SectionTemplates:
    """Section templates of one source, each compiled once, when first rendered, and rendered per council.

    Compiling on first use means a build that renders a few pages (after a one-file edit) compiles
    only their sections; the Jinja in every section was already parsed and checked when it was loaded.
    """

    def __init__(self, env: ContentEnvironment, sections: Mapping[str, str]) -> None:
        self._env = env
        self._static: dict[str, str] = {}
        self._sources: dict[str, str] = {}
        self._compiled: dict[str, jinja2.Template] = {}
        for key, html in sections.items():
            if "{{" in html or "{%" in html:
                self._sources[key] = html
            else:
                self._static[key] = html

    @property
    def templated(self) -> bool:
        """Say whether any section needs council data (otherwise every council gets the same text)."""
        return bool(self._sources)

    def render(self, key: str, view: object) -> str:
        template = self._compiled.get(key)
        if template is None:
            source = self._sources.get(key)
            if source is None:
                return self._static[key]
            template = self._compiled[key] = self._env.from_string(source)
        return template.render(council=view)


def escape_text(value: str) -> str:
    return str(escape(value))


