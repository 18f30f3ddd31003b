"""Remember what imported Jinja macros returned, so the same component is not rendered twice.

GOV.UK Frontend components are macros that are pure functions of their arguments: the
same breadcrumbs, skip link or summary list come out of the same `params`. A national
build calls them hundreds of thousands of times with a few thousand distinct arguments,
so the layout environment (`LayoutEnvironment`) keeps each result.

Only macros of modules imported without context are remembered (such a module sees
nothing but its arguments and the environment's globals, which are fixed for a build),
and only calls whose arguments are plain data: text, numbers, lists and mappings. A call
with a `caller` block or any other kind of value is passed straight through.

All of it goes through Jinja's public API: a template's module is made by
`Template.make_module`, which wraps the macros it exports, and Jinja keeps that module
for every later import; `Environment.make_globals` gives each template its globals.
"""

from __future__ import annotations

from collections.abc import MutableMapping
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
    """A template whose module, made without context, remembers its macros' results.

    Jinja makes that module once per template, the first time the template is imported without
    context (`{% from ... import ... %}`), and reuses it for every later import whose globals the
    template already has; with LayoutEnvironment's globals that is every import in a build.
    """

    def make_module(self, vars: dict[str, Any] | None = None, shared: bool = False,  # noqa: A002 - Jinja's name
                    locals: Any = None) -> TemplateModule:  # noqa: A002
        module = super().make_module(vars, shared, locals)
        if vars or shared or locals:
            return module
        for name, value in list(exports(module).items()):
            if isinstance(value, Macro):
                setattr(module, name, RememberedMacro(value))
        return module


class LayoutEnvironment(jinja2.Environment):
    """The environment for layouts: its templates remember component output and share fixed globals.

    Jinja gives each template a ChainMap over the environment's globals, so that later changes show;
    every import then compares the importing page's globals with the imported template's, a walk
    over that chain, slow when repeated tens of thousands of times. Layout globals are set before
    any template is loaded and never change (as Jinja advises), so each template takes them as a
    plain mapping when it is loaded and the comparison is a set operation.
    """

    template_class = MemoTemplate

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def exports(module: TemplateModule) -> dict[str, Any]:
    """Return the names a template module exports (its macros and top-level `set`s)."""
    return module.__dict__
