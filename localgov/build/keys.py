"""What each output depends on: the one place that decides when a page must be rendered again.

A unit's key is a digest of every input that can change its bytes. If the key is the same
as last time, the page is not rendered again. The rules, from the most to the least local:

- a council variant `/<page>/<council>/`: the page's source file, its topic's file, the
  council's council.yaml and its file for that page (an override or a council-only page), the
  front matter and names of the council's other files and its county's (districts name their
  county), the councils the page resolves to, and which of the council's alerts are live today;
- a common page `/<page>/`: its source file and the site's *structure*;
- a council hub `/councils/<council>/`: the council's folder and the structure;
- every other page (home, topics, A to Z, search, 404): the structure.

The *structure* is what pages show of each other: every topic file, the front matter of every
Markdown file, every council.yaml and the list of files. Every key also includes the *global*
part: site.yaml, the asset URLs, this package's code and library versions, each page's LGSL
code, and the templates the page used, followed through `extends`, `include`, `import` and
`chrome()`, as the site's lookup order resolves them now.
"""

from __future__ import annotations

from collections.abc import Mapping

import jinja2
from jinja2 import meta, nodes

from localgov.build.cache import Inputs, combine, digest
from localgov.model import Site

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
        lgsl = sorted((p.slug, str(p.lgsl)) for p in site.content.pages.values() if p.lgsl is not None)
        self.global_key = combine(
            b"global", files.get("site.yaml", b""), repr(sorted(assets.items())), inputs.libraries,
            *[v for k, v in sorted(files.items()) if k.startswith("code:")], repr(lgsl),
            *[f"{k}={v.hex()}" for k, v in sorted(files.items())
              if k.startswith("councils/") and k.count("/") == 1],  # files beside the council folders
        )
        self._folders = self._council_folders()
        self.structure = self._structure()
        self._templates: dict[str, bytes] = {}
        self._closure: dict[str, bytes] = {}
        self._resolution = {page: combine(*slugs) for page, slugs in site.resolution.variants.items()}
        self._page_parts: dict[str, bytes] = {}

    # -- the parts

    def file(self, rel: str) -> bytes:
        return self.inputs.files.get(rel, b"-")

    def _council_folders(self) -> dict[str, bytes]:
        grouped: dict[str, list[bytes | str]] = {}
        outline: dict[str, list[bytes | str]] = {}
        pages: dict[tuple[str, str], list[bytes | str]] = {}
        for key, value in sorted(self.inputs.files.items()):
            if key.startswith("councils/") and key.count("/") >= 2:
                slug, rest = key.split("/", 2)[1:]
                grouped.setdefault(slug, []).extend((key, value))
                if rest == "council.yaml":
                    outline.setdefault(slug, []).extend((key, value))
                elif key.endswith(".md"):
                    outline.setdefault(slug, []).extend((key, self.inputs.front.get(key, value)))
                    pages.setdefault((slug, rest.rpartition("/")[2][:-3]), []).extend((key, value))
                else:
                    outline.setdefault(slug, []).extend((key, value))
        self._outline = {slug: combine(*parts) for slug, parts in outline.items()}
        self._page_files = {pair: combine(*parts) for pair, parts in pages.items()}
        return {slug: combine(*parts) for slug, parts in grouped.items()}

    def folder(self, council: str) -> bytes:
        """Return a digest of every file of a council."""
        return self._folders.get(council, b"-")

    def council_for(self, council: str, page: str) -> bytes:
        """Return a digest of what one page of a council reads of its folder.

        That is council.yaml, the council's files for that page (an override, or the council-only page),
        and the front matter and names of its other files, which say what pages the council has.
        """
        return combine(self._outline.get(council, b"-"), self._page_files.get((council, page), b"-"))

    def _structure(self) -> bytes:
        parts: list[bytes | str] = [b"structure"]
        for key, value in sorted(self.inputs.files.items()):
            if not key.startswith(("content/", "councils/")):
                continue
            if key.endswith(".md"):
                parts += [key, self.inputs.front.get(key, value)]
            else:
                parts += [key, value]
        return combine(*parts)

    def alerts(self, council: str) -> bytes:
        found = self.site.councils.get(council)
        if found is None or not found.alerts:
            return b""
        today = self.site.config.today
        return bytes(int(alert.active_on(today)) for alert in found.alerts)

    # -- unit keys (without templates; see `templates`)

    def variant(self, page: str, council: str) -> bytes:
        part = self._page_parts.get(page)
        if part is None:
            common = self.site.content.pages.get(page)
            topic = self.site.content.topics.get(common.topic) if common is not None else None
            part = self._page_parts[page] = combine(
                b"variant", self.global_key, page, self.file(common.source) if common else b"",
                self.file(topic.source) if topic else b"", self._resolution.get(page, b""))
        found = self.site.councils.get(council)
        parent = found.parent if found is not None and found.parent else ""
        return combine(part, council, self._outline.get(council, b"-"), self._page_files.get((council, page), b"-"),
                       self._outline.get(parent, b"-") if parent else b"", self.alerts(council))

    def site_page(self, source: str, council: str | None) -> bytes:
        """Return the key of a page that is not a variant, made from `source`."""
        if council is not None:
            return combine(b"hub", self.global_key, self.structure, source, self.folder(council), self.alerts(council))
        if source.startswith("content/") and source.endswith(".md"):
            return combine(b"common", self.global_key, self.structure, source, self.file(source))
        return combine(b"site", self.global_key, self.structure, source)

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
            self.parsed[value] = references(self.env, source)
        return value, self.parsed[value]


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


def unit_digest(data: bytes) -> bytes:
    return digest(data)
