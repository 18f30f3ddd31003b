"""Council data in common text: a sandboxed Jinja environment and the `council` object it sees.

Every render in the sandbox is bounded, so that no content can make a build or the live preview
hang or run out of memory: it may take so many steps (loop rounds, calls and lookups), so much CPU
time and produce so much text, and no text, list or number it makes may grow past a size. Going past
a bound raises `RenderLimit`, whose message names the bound.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, escape

from localgov.i18n import translate
from localgov.model import Council, ServiceLink, is_home_page

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
# The bounds of one render (README: "Trust model").
MAX_STEPS = 100_000  # loop rounds, calls and lookups
MAX_CPU_SECONDS = 2.0  # CPU time of the thread that renders
MAX_OUTPUT = 1_000_000  # characters of rendered text
MAX_TEXT = 100_000  # characters (or items) of any text or list that content makes
MAX_DIGITS = 1_000  # digits of any number that content makes
_MAX_BITS = int(MAX_DIGITS * 3.33)
_CLOCK_EVERY = 0xFF  # look at the clock once every 256 steps: it costs a system call


class RenderLimit(SecurityError):
    """A render went past one of the sandbox's bounds; the message names the bound."""


class Budget:
    """What one render has spent so far: steps and characters, against a CPU-time deadline.

    The clock starts at the render's first look at it (step 256), not when the render starts: most
    renders take fewer steps and never make the system call, which costs more than the render itself
    where system calls are slow. The steps before it are bounded in number and each in size, so the
    CPU time they can spend uncounted is a small fraction of a millisecond.
    """

    __slots__ = ("deadline", "output", "steps")

    def __init__(self) -> None:
        self.steps = 0
        self.output = 0
        self.deadline: float | None = None

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise RenderLimit(f"it takes more than {MAX_STEPS:,} steps (loop rounds, calls and lookups) to render,"
                              " the limit for one render")
        if not self.steps & _CLOCK_EVERY:
            now = time.thread_time()
            if self.deadline is None:
                self.deadline = now + MAX_CPU_SECONDS
            elif now > self.deadline:
                raise RenderLimit(f"it takes more than {MAX_CPU_SECONDS:g} seconds of CPU time to render, the limit"
                                  " for one render")

    def emit(self, size: int) -> None:
        self.output += size
        if self.output > MAX_OUTPUT:
            raise RenderLimit(f"it renders to more than {MAX_OUTPUT:,} characters, the limit for one render")


def too_long(what: str = "characters") -> RenderLimit:
    """Return the error for text or a list longer than content may make."""
    return RenderLimit(f"it makes text or a list of more than {MAX_TEXT:,} {what}, the limit for what content makes")


def bound_value(value: object) -> object:
    """Return `value` if it is within the size limits for what content makes; raise RenderLimit if not."""
    if isinstance(value, (str, list, tuple, dict)):
        if len(value) > MAX_TEXT:
            raise too_long("characters" if isinstance(value, str) else "items")
    elif isinstance(value, int) and value.bit_length() > _MAX_BITS:
        raise RenderLimit(f"it makes a number of more than {MAX_DIGITS:,} digits, the limit for what content makes")
    return value


def _length(value: object) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict)) else len(str(value))


def _bounded_replace(original: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a replace whose result would be too long, before it is made (it can square the text)."""

    @functools.wraps(original)
    def replace(eval_ctx: Any, s: object, old: object, new: object, count: int | None = None) -> Any:
        text, before, after = str(s), str(old), str(new)
        times = text.count(before) if count is None or count < 0 else min(count, text.count(before))
        if len(text) + times * (len(after) - len(before)) > MAX_TEXT:
            raise too_long()
        return bound_value(original(eval_ctx, s, old, new, count))

    return replace


def _bounded_join(original: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a join whose result would be too long, before it is made (it can square the text)."""

    @functools.wraps(original)
    def join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: str | int | None = None) -> Any:
        items = list(value)
        if len(items) > MAX_TEXT or sum(map(_length, items)) + max(0, len(items) - 1) * len(str(d)) > MAX_TEXT:
            raise too_long()
        return bound_value(original(eval_ctx, items, d, attribute))

    return join


def _bounded_filter(original: Callable[..., Any]) -> Callable[..., Any]:
    """Check the size of what a filter makes (none can make more than a few times its input)."""

    @functools.wraps(original)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        return bound_value(original(*args, **kwargs))

    return bounded


class _Bounds(NodeTransformer):
    """Route every loop and every `~` through the environment, which counts and measures them."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.EnvironmentAttribute("bounded_iter"), [node.iter], [], None, None,
                               lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Call(nodes.EnvironmentAttribute("bounded_text"), [node], [], None, None, lineno=node.lineno)


class BoundedTemplate(jinja2.Template):
    """A content template whose every render is bounded (see `Budget`)."""

    environment: ContentEnvironment

    def render(self, *args: Any, **kwargs: Any) -> str:
        env = self.environment
        budget, started = env.start_budget()
        try:
            parts: list[str] = []
            size = budget.output
            for part in self.root_render_func(self.new_context(dict(*args, **kwargs))):
                size += len(part)
                if size > MAX_OUTPUT:
                    budget.emit(size - budget.output)
                parts.append(part)
            budget.output = size
            return "".join(parts)
        except RecursionError:
            raise RenderLimit("calls are nested more deeply than Python allows, the limit for one render") from None
        except Exception:  # noqa: BLE001 - handle_exception raises it again, at the template's line
            env.handle_exception()
        finally:
            env.end_budget(started)

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        yield self.render(*args, **kwargs)


class ContentEnvironment(SandboxedEnvironment):
    """Sandbox for content and council files: no Python internals, no way to switch off escaping, bounded renders."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    template_class = BoundedTemplate

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        for unsafe in ("safe", "attr", "format", "xmlattr", "map", "select", "reject", "selectattr", "rejectattr",
                       "groupby", "sort", "unique", "min", "max", "sum", "dictsort", "tojson", "indent", "wordwrap",
                       "center", "batch", "slice", "random", "pprint", "urlize"):
            self.filters.pop(unsafe, None)
        for name, original in list(self.filters.items()):
            wrap = {"replace": _bounded_replace, "join": _bounded_join}.get(name, _bounded_filter)
            self.filters[name] = wrap(original)
        self.globals.clear()
        self.tests.clear()
        self.tests.update({"defined": jinja2.tests.test_defined, "none": jinja2.tests.test_none})
        self._renders = threading.local()

    # -- the budget of the render in progress (one per thread: the preview renders beside its server)

    def start_budget(self) -> tuple[Budget, bool]:
        """Return the budget of the render in progress, and whether it was started here.

        A render inside another (content has none today) shares the outer render's budget.
        """
        current: Budget | None = getattr(self._renders, "budget", None)
        if current is not None:
            return current, False
        budget = self._renders.budget = Budget()
        return budget, True

    def end_budget(self, started: bool) -> None:
        if started:
            self._renders.budget = None

    def _step(self) -> None:
        budget: Budget | None = getattr(self._renders, "budget", None)
        if budget is not None:
            budget.step()

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        """Compile with every loop and `~` routed through `bounded_iter` and `bounded_text`."""
        return super()._generate(_Bounds().visit(source), name, filename, defer_init)

    def bounded_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Iterate, counting each round as a step of the render."""
        for item in iterable:
            self._step()
            yield item

    def bounded_text(self, text: object) -> object:
        """Return text made with `~` if it is not too long."""
        return bound_value(text)

    # -- the sandbox's hooks

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        """Allow only the documented council data, and nothing private on anything."""
        if attr.startswith("_"):
            return False
        if isinstance(obj, (CouncilView, GenericCouncilView)):
            return attr in COUNCIL_API
        return bool(super().is_safe_attribute(obj, attr, value))

    def getattr(self, obj: Any, attribute: str) -> Any:
        self._step()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self._step()
        return super().getitem(obj, argument)

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Count the call; refuse methods of text, lists and numbers, which content has no need of."""
        self._step()
        if isinstance(getattr(obj, "__self__", None), (str, bytes, list, tuple, dict, set, int, float)):
            raise SecurityError(f"calling {getattr(obj, '__name__', 'a method')}() is not available in content")
        return bound_value(super().call(context, obj, *args, **kwargs))

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: object, right: object) -> object:
        """Refuse powers and text formatting; refuse products and sums too large for a page."""
        if operator == "**":
            raise SecurityError("'**' is not available in content")
        if operator == "%" and isinstance(left, (str, bytes)):
            raise SecurityError("'%' formatting of text is not available in content")
        if operator == "*":
            for text, times in ((left, right), (right, left)):
                if (isinstance(text, (str, list, tuple)) and isinstance(times, int)
                        and len(text) * max(times, 0) > LARGEST_PRODUCT):
                    raise SecurityError("'*' would make text too long for a page")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > _MAX_BITS:
                raise RenderLimit(f"it makes a number of more than {MAX_DIGITS:,} digits, the limit for what content"
                                  " makes")
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)) \
                and len(left) + len(right) > MAX_TEXT:
            raise too_long("characters" if isinstance(left, str) else "items")
        return bound_value(super().call_binop(context, operator, left, right))


def content_environment() -> ContentEnvironment:
    """Return a fresh sandboxed environment for content templates."""
    return ContentEnvironment()


@dataclass
class Missing:
    """Council data that common text asked for and a council lacks, as (council, page, field)."""

    items: set[tuple[str, str, str]] = field(default_factory=set)

    def add(self, council: str, page: str, name: str) -> None:
        self.items.add((council, page, name))


def say(message: str, lang: str, **parts: str | Markup) -> Markup:
    """Return a message of the catalogue (localgov/i18n.py) in `lang` as markup, its parts escaped unless markup."""
    return Markup(translate(message, lang)) % parts


class CouncilView:
    """What `{{ council }}` means in content: data filled in, or plain fallback wording, never a blank."""

    def __init__(
        self,
        council: Council,
        page: str = "",
        *,
        keys_for: Callable[[str], tuple[str, ...]] = lambda key: (key,),
        missing: Missing | None = None,
        lang: str = "en",
    ) -> None:
        self._council = council
        self._page = page
        self._keys_for = keys_for
        self._missing = missing
        self._lang = lang

    def _lack(self, name: str) -> None:
        if self._missing is not None:
            self._missing.add(self._council.slug, self._page, name)

    # Built with escape() and f-strings: the same markup as Markup.format, which is slow enough to show in a
    # national build (it formats tens of thousands of these).
    def _website_link(self, text: str) -> Markup:
        return Markup(f'<a class="govuk-link" href="{escape(self._home)}">{escape(text)}</a>')

    @property
    def _website_text(self) -> str:
        if self._council.website:
            return translate("the %(name)s website", self._lang, name=self._council.name).removeprefix("the ")
        return translate("the %(name)s page on this site", self._lang, name=self._council.name).removeprefix("the ")

    @property
    def _home(self) -> str:
        """Return the council's website, or its hub on this site until it has one (a council not yet in being)."""
        return self._council.website or f"/councils/{self._council.slug}/"

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
        return self._home

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
        return say(fallback, self._lang, link=self._website_link(self._website_text))

    @property
    def phone(self) -> Markup | str:
        return self._contact("phone", "the number given on the %(link)s")

    @property
    def email(self) -> Markup | str:
        value = self._council.contact.email
        if value:
            return Markup(f'<a class="govuk-link" href="mailto:{escape(value)}">{escape(value)}</a>')
        self._lack("email")
        return say("the contact details on the %(link)s", self._lang, link=self._website_link(self._website_text))

    @property
    def address(self) -> Markup | str:
        return self._contact("address", "the address given on the %(link)s")

    @property
    def opening_hours(self) -> Markup | str:
        return self._contact("opening_hours", "the opening hours given on the %(link)s")

    def link(self, key: str, text: str | None = None) -> Markup:
        """Link to the council's own online service for `key`, or say where to find it."""
        found = self._service_link(str(key))
        if found is not None:
            label = text or found.text
            if not label:
                return Markup(f'<a class="govuk-link" href="{escape(found.url)}">{escape(found.url)}</a>')
            # Say where the link goes, for anyone who meets it out of context (the page's own title may be
            # the same words, leading to the common page).
            where = say(" on the %(name)s website", self._lang, name=self._council.name)
            return Markup(f'<a class="govuk-link" href="{escape(found.url)}">{escape(label)}<span class='
                          f'"govuk-visually-hidden">{where}</span></a>')
        self._lack(f"link:{key}")
        label = text or translate("Find out more", self._lang)
        return say("%(label)s on the %(link)s", self._lang, label=label, link=self._website_link(self._website_text))

    def service_url(self, key: str) -> str:
        found = self._service_link(str(key))
        if found is not None:
            return found.url
        self._lack(f"link:{key}")
        return self._home

    def _service_link(self, key: str) -> ServiceLink | None:
        """Return the council's link for a service, unless it only leads to the council's home page."""
        found = self._council.link_for(*self._keys_for(key))
        if found is None or is_home_page(found.url, self._council.website):
            return None
        return found

    def __str__(self) -> str:
        return self._council.name


class GenericCouncilView:
    """The `council` of a common page, before the resident has said where they live."""

    slug = ""
    website = "/councils/"
    nation = ""
    type = ""
    is_county = False
    url = "/councils/"

    def __init__(self, lang: str = "en") -> None:
        self._lang = lang

    @property
    def name(self) -> str:
        return translate("your council", self._lang)

    @property
    def short_name(self) -> str:
        return translate("your council", self._lang)

    def has(self, feature: str) -> bool:
        return False

    def _find(self, text: str) -> Markup:
        return Markup('<a class="govuk-link" href="#find-your-council">{}</a>').format(translate(text, self._lang))

    def _where(self, message: str) -> Markup:
        return say(message, self._lang, link=self._find("your council’s website"))

    @property
    def phone(self) -> Markup:
        return self._where("the number on %(link)s")

    @property
    def email(self) -> Markup:
        return self._where("the contact details on %(link)s")

    @property
    def address(self) -> Markup:
        return self._where("the address on %(link)s")

    @property
    def opening_hours(self) -> Markup:
        return self._where("the opening hours on %(link)s")

    def link(self, key: str, text: str | None = None) -> Markup:
        if not text:
            return self._find("Find your council")
        # The link leads to the postcode form, not the service: say so, so its text (often a section's
        # heading too) makes sense out of context.
        return Markup('<a class="govuk-link" href="#find-your-council">{}<span class="govuk-visually-hidden">{}'
                      "</span></a>").format(text, translate(": find your council first", self._lang))

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


