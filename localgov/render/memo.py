"""Remember what imported Jinja macros returned, so the same component is not rendered twice.

GOV.UK Frontend components are macros that are pure functions of their arguments: the
same breadcrumbs, skip link or summary list come out of the same `params`. A national
build calls them hundreds of thousands of times with a few thousand distinct arguments,
so a layout environment whose `template_class` is `MemoTemplate` keeps each result.

Only macros of modules imported without context are remembered (such a module sees
nothing but its arguments and the environment's globals, which are fixed for a build),
and only calls whose arguments are plain data: text, numbers, lists and mappings. A call
with a `caller` block or any other kind of value is passed straight through.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.environment import TemplateModule
from jinja2.nodes import EvalContext
from jinja2.runtime import Macro
from jinja2.utils import pass_eval_context
from markupsafe import Markup

LIMIT = 4096  # results kept per macro before its memory is cleared


class Unhashable(Exception):
    """An argument that cannot be part of a key."""


def freeze(value: object) -> object:
    """Return a hashable key for plain data, telling Markup from text and 1 from True."""
    kind = type(value)
    if kind is str or kind is Markup:
        return (kind is Markup, value)
    if kind is dict:
        return ("d", tuple((freeze(k), freeze(v)) for k, v in value.items()))  # type: ignore[attr-defined]
    if kind is list or kind is tuple:
        return ("l", tuple(freeze(v) for v in value))  # type: ignore[attr-defined]
    if kind is int or kind is bool or kind is float or value is None:
        return (kind.__name__, value)
    if isinstance(value, jinja2.Undefined):
        # Every use of an undefined value that does not raise behaves the same way.
        return ("u", kind)
    raise Unhashable


class RememberedMacro:
    """A macro that returns a remembered result for arguments it has seen."""

    def __init__(self, macro: Macro) -> None:
        self.macro = macro
        self.name = macro.name
        self.results: dict[object, Any] = {}

    @pass_eval_context
    def __call__(self, eval_ctx: EvalContext, *args: Any, **kwargs: Any) -> Any:
        if "caller" in kwargs:
            return self.macro(eval_ctx, *args, **kwargs)
        try:
            key = (eval_ctx.autoescape, freeze(args), freeze(kwargs))
        except Unhashable:
            return self.macro(eval_ctx, *args, **kwargs)
        found = self.results.get(key)
        if found is None:
            if len(self.results) >= LIMIT:
                self.results.clear()
            found = self.results[key] = self.macro(eval_ctx, *args, **kwargs)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.macro, name)


class MemoTemplate(jinja2.Template):
    """A template whose context-free module remembers its macros' results.

    It also answers `{% from ... import %}` quickly: Jinja works out, on every import, which of the
    importing page's globals the imported template lacks (a set difference over a chain of
    mappings, slow when repeated tens of thousands of times); here that is a subset test against
    the template's global names, taken once (the layout environment's globals are set before any
    template is loaded and never removed). Anything else takes Jinja's own way.
    """

    _global_names: frozenset[str] | None = None

    def _get_default_module(self, ctx: Any = None) -> TemplateModule:
        if ctx is not None:
            names = self._global_names
            if names is None:
                names = self._global_names = frozenset(self.globals)
            if not ctx.globals_keys <= names:
                return super()._get_default_module(ctx)
        if self._module is None:
            self._module = self.make_module()
        return self._module

    def make_module(self, vars: dict[str, Any] | None = None, shared: bool = False,  # noqa: A002 - Jinja's name
                    locals: Any = None) -> TemplateModule:  # noqa: A002
        module = super().make_module(vars, shared, locals)
        if vars or shared or locals:
            return module
        for name, value in list(vars_of(module).items()):
            if isinstance(value, Macro):
                setattr(module, name, RememberedMacro(value))
        return module


def vars_of(module: TemplateModule) -> dict[str, Any]:
    return module.__dict__
