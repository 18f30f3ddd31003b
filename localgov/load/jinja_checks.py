"""Check the Jinja in content before anything is rendered: only the council API, safe filters and simple statements."""

from __future__ import annotations

import re

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError

from localgov.errors import Problems
from localgov.load.fields import did_you_mean
from localgov.load.markdown import JINJA, protect
from localgov.sandbox import (
    COUNCIL_API,
    COUNCIL_METHODS,
    COUNCIL_PROPERTIES,
    MAX_CPU_SECONDS,
    MAX_OUTPUT,
    MAX_STEPS,
    MAX_TEXT,
    SAFE_FILTERS,
    GenericCouncilView,
    content_environment,
)

ALLOWED_NAMES = frozenset({"council"})


ATTRIBUTE = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined")


def tag_source(body: str, first_line: int) -> str | None:
    """Return a template of only the Jinja tags of a Markdown body, each at its line in the file; None if none."""
    _, tags, lines = protect(body, first_line)
    if not tags:
        return None
    parts: list[str] = ["\n" * (first_line - 1)]
    current = first_line
    for tag, line in zip(tags, lines, strict=False):
        if line > current:
            parts.append("\n" * (line - current))
            current = line
        parts.append(tag)
        current += tag.count("\n")
    return "".join(parts)


def parse_source_template(rel: str, body: str, first_line: int, problems: Problems) -> nodes.Template | None:
    """Parse the Jinja tags of a Markdown body into a tree whose line numbers are the file's; None on syntax errors."""
    source = tag_source(body, first_line)
    if source is None:
        return None
    env = content_environment()
    try:
        return env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        problems.error(rel, exc.lineno or first_line, f"template error in content: {exc.message}",
                       expected="Jinja like {{ council.name }} or {% if council.has('coastline') %}")
        return None


def trial_render(rel: str, body: str, first_line: int, problems: Problems) -> None:
    """Render the Jinja of a body once, for no council in particular, and report what goes past the sandbox's bounds.

    The template of tags alone runs the same loops and builds the same text as the page, with each tag at its
    line in the file, so a loop that would never end is reported once, here, at its line, and not once per
    council at render time. Failures that depend on the council are left to the render.
    """
    source = tag_source(body, first_line)
    if source is None:
        return
    try:
        content_environment().from_string(source).render(council=GenericCouncilView())
    except SecurityError as exc:
        problems.error(rel, _template_line(exc) or first_line, f"cannot be rendered: {exc}",
                       expected=f"content within the sandbox's limits ({LIMITS})", found=_found(exc))
    except Exception:  # noqa: BLE001 - reported with the council it fails for, when pages are rendered
        return


LIMITS = (f"at most {MAX_STEPS:,} steps, {MAX_CPU_SECONDS:g} s of CPU time and {MAX_OUTPUT:,} characters a render,"
          f" text of at most {MAX_TEXT:,} characters")


def _template_line(exc: BaseException) -> int:
    """Return the line of the template the error was raised at (Jinja rewrites tracebacks to show it)."""
    line = 0
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _found(exc: BaseException) -> str:
    return "a render that does not end" if "steps" in str(exc) or "CPU" in str(exc) else "more than the limit"


def check_source_template(rel: str, body: str, first_line: int, problems: Problems, *,
                          contributed: bool = False) -> nodes.Template | None:
    """Check the Jinja in a Markdown body, reporting each problem at its source line; return the parsed tree.

    Everywhere: only `council` and its documented data, nothing private (`__class__`), right numbers
    of arguments. In council files (`contributed`), also only `{% if %}` tags and `{{ }}` that show
    council data, so a council file cannot build text or markup of its own through Jinja.
    """
    _, tags, lines = protect(body, first_line)
    tree = parse_source_template(rel, body, first_line, problems)
    if tree is None:
        return None
    found = Problems()
    env = content_environment()
    for used in tree.find_all((nodes.Filter, nodes.Test)):
        assert isinstance(used, (nodes.Filter, nodes.Test))
        kind, table = ("filter", env.filters) if isinstance(used, nodes.Filter) else ("test", env.tests)
        if used.name not in table:
            found.error(rel, used.lineno or first_line, f"the {kind} '{used.name}' is not available in content"
                        f"{did_you_mean(used.name, set(table))}", expected=f"one of {', '.join(sorted(table))}",
                        found=repr(used.name))
    try:
        names = meta.find_undeclared_variables(tree)
    except jinja2.TemplateAssertionError:
        names = set()  # an unknown filter or test, reported above
    for name in sorted(names - ALLOWED_NAMES):
        found.error(rel, _line_of(name, tags, lines, first_line), f"unknown name '{name}' in content",
                    expected="council (for example {{ council.name }})", found=repr(name))
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, (nodes.Getattr, nodes.Getitem))
        _check_access(rel, node, found)
    for call in tree.find_all(nodes.Call):
        _check_call(rel, call, found)
    for modifier in tree.find_all((nodes.EvalContextModifier, nodes.ScopedEvalContextModifier)):
        found.error(rel, modifier.lineno or first_line, "{% autoescape %} is not available in content: council data"
                    " is always escaped", expected="text and council data", found="{% autoescape %}")
    for statement in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        found.error(rel, statement.lineno or first_line, "content cannot include, import or extend templates",
                    expected="text and council data", found=_describe_node(statement))
    if contributed:
        _check_contributed(rel, tree, found)
    if not found.items:
        trial_render(rel, body, first_line, found)
    # The same mistake twice on a line is one problem.
    problems.extend(list(dict.fromkeys(found.items)))
    return tree


def _check_access(rel: str, node: nodes.Getattr | nodes.Getitem, problems: Problems) -> None:
    if isinstance(node, nodes.Getattr):
        name: object = node.attr
    elif isinstance(node.arg, nodes.Const):
        name = node.arg.value
    else:
        problems.error(rel, node.lineno, "only fixed names can be looked up in content",
                       expected="council data such as council.name", found="a computed [ ] lookup")
        return
    if isinstance(name, str) and name.startswith("_"):
        problems.error(rel, node.lineno, f"'{name}' is not available in content",
                       expected="council data such as council.name", found=repr(name))
        return
    if isinstance(node.node, nodes.Name) and node.node.name == "council" and name not in COUNCIL_API:
        problems.error(rel, node.lineno, f"council has no '{name}'{did_you_mean(str(name), COUNCIL_API)}",
                       expected="one of " + ", ".join(sorted(COUNCIL_API)), found=repr(name))


def _council_member(node: nodes.Node) -> str | None:
    """Return `x` if `node` is `council.x`."""
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == "council":
        return node.attr
    return None


def _check_call(rel: str, call: nodes.Call, problems: Problems) -> None:
    member = _council_member(call.node)
    if member is None:
        problems.error(rel, call.lineno, "only council.has(), council.link() and council.service_url() can be called",
                       expected="for example council.link('bin-collections', 'Check your bin day')",
                       found="another call")
        return
    if member not in COUNCIL_METHODS:
        if member in COUNCIL_PROPERTIES:
            problems.error(rel, call.lineno, f"council.{member} is data, not something to call",
                           expected=f"{{{{ council.{member} }}}}", found=f"council.{member}()")
        return
    fewest, most = COUNCIL_METHODS[member]
    given = len(call.args) + len(call.kwargs)
    if call.dyn_args is not None or call.dyn_kwargs is not None or not fewest <= given <= most:
        count = f"{fewest}" if fewest == most else f"{fewest} or {most}"
        problems.error(rel, call.lineno, f"council.{member}() takes {count} argument{'s' if most > 1 else ''}",
                       expected=f"council.{member}({', '.join(_ARGUMENTS[member][:most])})",
                       found=f"{given} argument{'s' if given != 1 else ''}")


_ARGUMENTS = {"has": ["'feature'"], "link": ["'page-or-lgsl'", "'Link text'"], "service_url": ["'page-or-lgsl'"]}


_CONDITION_NODES = (nodes.Name, nodes.Getattr, nodes.Call, nodes.Const, nodes.Compare, nodes.Operand, nodes.And,
                    nodes.Or, nodes.Not, nodes.List, nodes.Tuple, nodes.Test)


def _check_contributed(rel: str, tree: nodes.Template, problems: Problems) -> None:
    """Council files may show council data and choose text with `{% if %}`, nothing more."""
    for node in tree.body:
        _check_statement(rel, node, problems)


def _check_statement(rel: str, node: nodes.Node, problems: Problems) -> None:
    if isinstance(node, nodes.Output):
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                continue
            if not _shows_council_data(child):
                problems.error(rel, child.lineno or 1, "council files can only show council data in {{ }}",
                               expected="{{ council.name }}, {{ council.phone }} or {{ council.link('page', 'text') }}",
                               found=_describe_node(child))
        return
    if isinstance(node, nodes.If):
        for test in [node.test, *(n.test for n in node.elif_)]:
            bad = next((n for n in _walk(test) if not isinstance(n, _CONDITION_NODES)), None)
            if bad is not None:
                problems.error(rel, test.lineno or 1, "council files can only test council data in {% if %}",
                               expected="for example {% if council.has('coastline') %}", found=_describe_node(bad))
        children: list[nodes.Node] = [*node.body, *(c for n in node.elif_ for c in n.body), *node.else_]
        for statement in children:
            _check_statement(rel, statement, problems)
        return
    problems.error(rel, node.lineno or 1, "council files can only use {% if %} tags",
                   expected="{% if council.has('coastline') %} ... {% endif %}", found=_describe_node(node))


def _shows_council_data(node: nodes.Node) -> bool:
    while isinstance(node, nodes.Filter):
        if node.name not in SAFE_FILTERS or node.args or node.kwargs or node.node is None:
            return False
        node = node.node
    if _council_member(node) in COUNCIL_PROPERTIES:
        return True
    if isinstance(node, nodes.Call) and _council_member(node.node) in COUNCIL_METHODS:
        return all(isinstance(arg, nodes.Const) for arg in node.args) and not node.kwargs
    return False


def _walk(node: nodes.Node) -> list[nodes.Node]:
    found = [node]
    for child in node.iter_child_nodes():
        found.extend(_walk(child))
    return found


def _expression(node: nodes.Node) -> str | None:
    """Return an expression as it was probably written, for messages; None if it is not simple."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Getattr):
        inner = _expression(node.node)
        return f"{inner}.{node.attr}" if inner is not None else None
    if isinstance(node, nodes.Getitem):
        inner, key = _expression(node.node), _expression(node.arg)
        return f"{inner}[{key}]" if inner is not None and key is not None else None
    if isinstance(node, nodes.Call):
        inner = _expression(node.node)
        args = [_expression(a) for a in node.args]
        return f"{inner}({', '.join(a for a in args if a)})" if inner is not None and all(args) else None
    return None


def _describe_node(node: nodes.Node) -> str:
    text = _expression(node)
    if text is not None:
        return text if len(text) <= 60 else text[:57] + "..."
    kinds = {nodes.For: "{% for %}", nodes.Assign: "{% set %}", nodes.AssignBlock: "{% set %}",
             nodes.Macro: "{% macro %}", nodes.CallBlock: "{% call %}", nodes.Include: "{% include %}",
             nodes.Import: "{% import %}", nodes.FromImport: "{% from %}", nodes.Extends: "{% extends %}",
             nodes.Block: "{% block %}", nodes.FilterBlock: "{% filter %}", nodes.With: "{% with %}",
             nodes.Const: "fixed text", nodes.Concat: "joined text (~)", nodes.Filter: "a filter",
             nodes.CondExpr: "an inline if", nodes.Call: "a call"}
    for kind, text in kinds.items():
        if isinstance(node, kind):
            return text
    return type(node).__name__.lower()


def council_calls(tree: nodes.Template | None, *methods: str) -> list[tuple[str, int]]:
    """Return the fixed first argument of each call to council.<method>() for `methods`, with its line."""
    if tree is None:
        return []
    keys: list[tuple[str, int]] = []
    for call in tree.find_all(nodes.Call):
        if _council_member(call.node) in methods and call.args:
            first = call.args[0]
            if isinstance(first, nodes.Const):
                keys.append((str(first.value), call.lineno))
    return keys


def _line_of(name: str, tags: list[str], lines: list[int], default: int) -> int:
    for tag, line in zip(tags, lines, strict=False):
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
