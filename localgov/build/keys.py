"""What each output depends on: the one place that turns what a page read into its key.

A unit's key is a digest of every input that can change its bytes. If the key is the same
as last time, the page is not rendered again. The inputs are not listed here by hand: a render
names every input it reads as it reads it (localgov/render/record.py), the build keeps those
names for each page, and the next build keys the page with what the same inputs are now. An
input a render did not read cannot change its page; an input it did read is always in its key.

Every key also includes the *global* part: site.yaml, the asset URLs, this package's code and
library versions, each page's LGSL code, and the files beside the council folders. The templates
a page used are keyed apart (`templates`), followed through `extends`, `include`, `import` and
`chrome()`, as the site's lookup order resolves them now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import jinja2
from jinja2 import meta, nodes

from localgov.build.cache import Inputs, combine
from localgov.load.paths import replace_file
from localgov.model import Coverage, Site
from localgov.render import record as dep
from localgov.render.layouts import is_site_template, shared_cache_dir

ANY_TEMPLATE = "*"  # a template name meaning "could be any template": depend on all of them


class Keys:
    """Compute unit keys for one build."""

    def __init__(self, site: Site, inputs: Inputs, assets: Mapping[str, str], env: jinja2.Environment,
                 parsed: dict[bytes, tuple[str, ...]]) -> None:
        self.site = site
        self.inputs = inputs
        self.env = env
        self.parsed = parsed  # template digest -> the names it refers to, kept between builds
        files = inputs.files
        lgsl = sorted(site.content.codes().items())
        self.global_key = combine(
            b"global", files.get("site.yaml", b""), repr(sorted(assets.items())), inputs.libraries,
            *[v for k, v in sorted(files.items()) if k.startswith("code:")], repr(lgsl),
            *[f"{k}={v.hex()}" for k, v in sorted(files.items())
              if k.startswith("councils/") and k.count("/") == 1],  # files beside the council folders
            # Every page shows the nation's emergency banners that run on the build date.
            bytes(int(alert.active_on(site.config.today)) for alert in site.national_alerts),
        )
        self._council_files()
        self._history = {p.source: str(p.updated) for p in site.content.pages.values() if p.updated}
        self.structure = self._structure()
        self._templates: dict[str, bytes] = {}
        self._closure: dict[str, bytes] = {}
        self._values: dict[str, bytes | None] = {}
        self._report: Coverage | None = None
        self._report_parts: dict[str, bytes] = {}

    # -- unit keys (without templates; see `templates`)

    def key(self, needs: Iterable[str], report: Coverage | None = None) -> bytes | None:
        """Return the key of a page that read `needs` (see localgov/render/record.py), as those inputs are now.

        None when an input cannot be keyed (the coverage report, before it is made; a name this code does
        not know): the page must be rendered again.
        """
        parts: list[bytes | str] = [self.global_key]
        for name in sorted(needs):
            value = self.value(name, report)
            if value is None:
                return None
            parts += [name, value]
        return combine(*parts)

    def value(self, name: str, report: Coverage | None = None) -> bytes | None:
        """Return a digest of one input as it is now."""
        found = self._values.get(name)
        if found is not None:
            return found
        kind, _, arg = name.partition(":")
        if kind == dep.COVERAGE:
            return self.coverage(report, arg) if report is not None else None
        if name == dep.STRUCTURE:
            found = self.structure
        elif kind == "file":
            found = self.inputs.files.get(arg, b"-")
        elif kind == "council":
            found = self._outline.get(arg, b"-")
        elif kind == "council-page":
            slug, _, page = arg.partition("/")
            found = self._page_files.get((slug, page), b"-")
        elif kind == "resolution":
            resolution = self.site.resolution
            found = combine(*resolution.councils_for(arg), repr(sorted(resolution.partners.get(arg, {}).items())),
                            repr(sorted(resolution.bodies.get(arg, {}).items())))
        elif kind == "alerts":
            found = self.alerts(arg)
        elif kind == "history":
            found = self._history.get(arg, "-").encode()
        else:
            return None
        self._values[name] = found
        return found

    # -- the parts

    def _council_files(self) -> None:
        outline: dict[str, list[bytes | str]] = {}
        pages: dict[tuple[str, str], list[bytes | str]] = {}
        for key, value in sorted(self.inputs.files.items()):
            if key.startswith("councils/") and key.count("/") >= 2:
                slug, rest = key.split("/", 2)[1:]
                if rest == "council.yaml":
                    outline.setdefault(slug, []).extend((key, value))
                elif key.endswith(".md"):
                    outline.setdefault(slug, []).extend((key, self.inputs.front.get(key, value)))
                    pages.setdefault((slug, rest.rpartition("/")[2][:-3]), []).extend((key, value))
                else:
                    outline.setdefault(slug, []).extend((key, value))
        # A council's data: council.yaml, and the names and front matter of its files (which say what it has).
        self._outline = {slug: combine(*parts) for slug, parts in outline.items()}
        # A council's files for one page, wherever they are in its folder.
        self._page_files = {pair: combine(*parts) for pair, parts in pages.items()}

    def _structure(self) -> bytes:
        parts: list[bytes | str] = [b"structure"]
        for key, value in sorted(self.inputs.files.items()):
            if not key.startswith(("content/", "councils/")):
                continue
            if key.endswith(".md"):
                parts += [key, self.inputs.front.get(key, value)]
            else:
                parts += [key, value]
        # The councils in force on the site's date, and those abolished before it, are part of its structure.
        parts += ["in-force", *sorted(self.site.councils), "abolished", *(c.slug for c in self.site.abolished)]
        return combine(*parts)

    def alerts(self, council: str) -> bytes:
        """Return which of a council's alerts show on the build date."""
        found = self.site.councils.get(council)
        if found is None or not found.alerts:
            return b""
        today = self.site.config.today
        return bytes(int(alert.active_on(today)) for alert in found.alerts)

    def coverage(self, report: Coverage, council: str = "") -> bytes:
        """Return a digest of the coverage report, or of one council's entry in it."""
        if self._report is not report:
            self._report = report
            self._report_parts = {c.slug: combine(b"coverage", repr(c)) for c in report.councils}
            self._report_parts[""] = combine(b"coverage", repr(report))
        return self._report_parts.get(council, b"-")

    # -- templates

    def templates(self, names: str) -> bytes:
        """Return a digest of the templates a page used (newline-joined), followed through all they use."""
        closure = self._closure.get(names)
        if closure is None:
            used = frozenset(n for n in names.split("\n") if n and not n.startswith("@")) or frozenset({ANY_TEMPLATE})
            closure = self._closure[names] = self._closure_of(used)
        return closure

    def _closure_of(self, names: frozenset[str]) -> bytes:
        seen: dict[str, bytes] = {}
        pending = sorted(names)
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            if name == ANY_TEMPLATE:
                seen[name] = self.all_templates()
                continue
            source_digest, refs = self._template(name)
            seen[name] = source_digest
            pending.extend(r for r in refs if r not in seen)
        return combine(*[f"{name}={value.hex()}" for name, value in sorted(seen.items())])

    def all_templates(self) -> bytes:
        return combine(b"all-templates", *[f"{k}={v.hex()}" for k, v in sorted(self.inputs.files.items())
                                           if k.startswith(("templates/", "default-templates:"))])

    def _template(self, name: str) -> tuple[bytes, tuple[str, ...]]:
        """Return a digest of the file `name` resolves to now, and the template names it refers to."""
        found = self._templates.get(name)
        if found is not None:
            return found, self.parsed.get(found, ())
        try:
            source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            self._templates[name] = value = combine(b"missing", name)
            return value, ()
        value = combine(filename or name, source)
        self._templates[name] = value
        if value not in self.parsed:
            if is_site_template(filename, self.site.config.root.resolve()):
                self.parsed[value] = references(self.env, source)
            else:
                self.parsed[value] = shared_references(self.env, source, value)
        return value, self.parsed[value]


def shared_references(env: jinja2.Environment, source: str, value: bytes) -> tuple[str, ...]:
    """Return `references` of a default template, kept beside its compiled code in the user's cache folder.

    The defaults are the same for every site, so a new site's first build need not parse them again.
    """
    folder = shared_cache_dir()
    path = Path(folder) / "references" / f"{value.hex()}.json" if folder else None
    if path is not None:
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(found, list) and all(isinstance(name, str) for name in found):
                return tuple(found)
        except (OSError, ValueError):
            pass
    names = references(env, source)
    if path is not None:
        try:
            replace_file(path, json.dumps(list(names)).encode("utf-8"))
        except OSError:
            pass  # the cache only saves time
    return names


def references(env: jinja2.Environment, source: str) -> tuple[str, ...]:
    """Return the templates a template's source refers to; `*` when one is chosen at render time."""
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return (ANY_TEMPLATE,)
    names: set[str] = set()
    for ref in meta.find_referenced_templates(tree):
        names.add(ref if ref is not None else ANY_TEMPLATE)
    # chrome("partials/header.html") and other helpers that take a template name.
    for call in tree.find_all(nodes.Call):
        for arg in call.args:
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str) and arg.value.endswith(".html"):
                names.add(arg.value)
    return tuple(sorted(names))

