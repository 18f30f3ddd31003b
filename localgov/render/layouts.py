"""Layout templates and static files: where they come from, and the one rule for which of two wins.

A site's layouts and static files come from three layers, each shadowing the ones after it:

1. the site's own `templates/` (static files in `templates/static/`);
2. localgov's default templates and their `static/` (and the GOV.UK logo macro without the crown);
3. GOV.UK Frontend: the govuk_frontend_jinja package's templates, named `govuk_frontend_jinja/...`,
   and the compiled CSS and JavaScript of the govuk-frontend npm package.

A template or static file found in two layers comes from the first; the others are shadowed, never
written. `localgov/<name>` always names localgov's own default, so a site's template can extend the
one it shadows. The Jinja loader, the static assets and `localgov explain` all read `layers()`.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import CodeType

import jinja2
from jinja2.loaders import split_template_path

from localgov.errors import LocalgovError
from localgov.i18n import gettext_for, long_date, ngettext_for, script_messages
from localgov.load.paths import escapes, user_cache_dir
from localgov.render.memo import LayoutEnvironment

SITE, LOCALGOV, GOVUK = "site", "localgov", "govuk-frontend"
DEFAULTS_PREFIX = "localgov/"  # names localgov's own default, past the site's template of the same name
GOVUK_PREFIX = "govuk_frontend_jinja/"
# The files of the govuk-frontend npm package a site uses, in its dist/govuk folder.
GOVUK_FILES = ("govuk-frontend.min.css", "govuk-frontend.min.js")

# The govuk-frontend-jinja footer always draws the crown, which only GOV.UK may use.
NO_CROWN = {"govuk_frontend_jinja/macros/logo.html": "{% macro govukLogo(params) %}{% endmacro %}"}


@dataclass(frozen=True)
class Layer:
    """One place layouts and static files come from."""

    name: str  # SITE, LOCALGOV or GOVUK
    templates: Path | None
    static: Path | None
    prefix: str = ""  # the layer holds only templates named under this folder, without it in its files
    static_names: tuple[str, ...] = ()  # the only static files it offers, if not every file in `static`
    builtin: tuple[tuple[str, str], ...] = ()  # templates held in code: (name, source)


@dataclass(frozen=True)
class Found:
    """A template or static file in one layer: `path` is None for a template held in code."""

    layer: Layer
    name: str
    path: Path | None
    source: str = ""


def default_templates() -> Path:
    """Return the templates that ship with localgov (a site's own templates shadow them)."""
    here = Path(__file__).resolve().parents[1]
    for candidate in (here / "default_templates", here.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError("localgov's default templates are missing from the installation")


def govuk_frontend_candidates(root: Path) -> list[Path]:
    """Return where govuk-frontend may be: the site's npm copy, the repository's (in development), the bundled one."""
    package = Path(__file__).resolve().parents[1]
    return [root / "node_modules" / "govuk-frontend", package.parent / "node_modules" / "govuk-frontend",
            package / "govuk_frontend"]  # copied in when the package is built (setup.py)


def find_govuk_frontend(root: Path) -> Path:
    """Locate the installed govuk-frontend package: in the site, else beside the localgov package."""
    candidates = govuk_frontend_candidates(root)
    for candidate in candidates:
        if (candidate / "dist" / "govuk" / "govuk-frontend.min.css").is_file():
            return candidate
    raise LocalgovError(
        "GOV.UK Frontend is missing: reinstall localgov, or run 'npm ci' in a checkout of its repository (looked in "
        + ", ".join(c.as_posix() for c in candidates) + ")"
    )


def govuk_templates() -> Path | None:
    """Return the govuk_frontend_jinja package's templates folder."""
    spec = importlib.util.find_spec("govuk_frontend_jinja")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "templates"


def layers(root: Path) -> tuple[Layer, ...]:
    """Return where the site at `root` takes layouts and static files from, each layer shadowing the next."""
    defaults = default_templates()
    found: list[Layer] = []
    own = root / "templates"
    # The national site's own templates are the defaults: one layer, not two.
    if own.is_dir() and own.resolve() != defaults.resolve():
        found.append(Layer(SITE, own, own / "static"))
    found.append(Layer(LOCALGOV, defaults, defaults / "static", builtin=tuple(sorted(NO_CROWN.items()))))
    try:
        dist: Path | None = find_govuk_frontend(root) / "dist" / "govuk"
    except LocalgovError:
        dist = None  # the assets stage says how to install it
    found.append(Layer(GOVUK, govuk_templates(), dist, prefix=GOVUK_PREFIX, static_names=GOVUK_FILES))
    return tuple(found)


def find_template(name: str, chain: Sequence[Layer]) -> list[Found]:
    """Return every layer that holds the template `name`, the one that wins first."""
    if name.startswith(DEFAULTS_PREFIX):
        name, chain = name[len(DEFAULTS_PREFIX):], [layer for layer in chain if layer.name == LOCALGOV]
    found: list[Found] = []
    for layer in chain:
        if not name.startswith(layer.prefix):
            continue
        inner = name[len(layer.prefix):]
        source = dict(layer.builtin).get(inner)
        if source is not None:
            found.append(Found(layer, inner, None, source))
        elif layer.templates is not None:
            path = layer.templates.joinpath(*split_template_path(inner))  # refuses names that climb out
            if path.is_file():
                found.append(Found(layer, inner, path))
    return found


class LayerLoader(jinja2.BaseLoader):
    """Load each template from the first layer that holds it."""

    def __init__(self, chain: Sequence[Layer]) -> None:
        self.chain = tuple(chain)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        found = find_template(template, self.chain)
        if not found:
            raise jinja2.TemplateNotFound(template)
        first = found[0]
        if first.path is None:
            return first.source, None, lambda: True
        folder = first.layer.templates
        assert folder is not None  # a file was found in it
        source, filename, uptodate = jinja2.FileSystemLoader(folder).get_source(environment, first.name)
        return source, filename, uptodate


def layer_loader(root: Path) -> LayerLoader:
    """Return the loader of the site at `root`'s layouts, by the layers' precedence."""
    return LayerLoader(layers(root))


def template_dirs(root: Path) -> list[Path]:
    """Return the folders of layouts a site's templates are looked up in, first to last, GOV.UK Frontend's apart."""
    return [layer.templates for layer in layers(root) if layer.templates is not None and not layer.prefix]


def static_files(chain: Sequence[Layer]) -> dict[str, Found]:
    """Return each static file by name (a POSIX path under /assets/) from the first layer that has it."""
    chosen: dict[str, Found] = {}
    for layer in chain:
        folder = layer.static
        if folder is None or not folder.is_dir():
            continue
        if layer.static_names:
            paths = [folder / name for name in layer.static_names]
        else:
            paths = sorted(folder.rglob("*"))
        for path in paths:
            if path.is_symlink() and escapes(path, folder):
                raise LocalgovError(f"{path}: is a link out of {folder}; copy the file in instead")
            if path.is_file() and not path.name.startswith("."):
                name = path.relative_to(folder).as_posix()
                chosen.setdefault(name, Found(layer, name, path))
    return dict(sorted(chosen.items()))


class SiteBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates: the site's own in its cache folder, localgov's and GOV.UK Frontend's in the user's.

    The default templates are the same for every site, so their compiled code is kept once per user
    (under $XDG_CACHE_HOME, else ~/.cache, in a folder per Jinja and localgov version) and a new site's
    first build does not compile them again. A compiled template is found by its name and file and
    used only while its source is unchanged (Jinja compares a checksum of the source). A folder is made
    only when a template is first saved there; one that cannot be written to only costs time. Within one
    process, code is also kept in memory for every site (`get_bucket`).
    """

    def __init__(self, directory: str, shared: str | None, site_root: Path) -> None:
        super().__init__(directory)
        self.shared = shared
        self.site_root = site_root.resolve()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        key = super().get_cache_key(name, filename)
        return key if self.shared is None or is_site_template(filename, self.site_root) else "shared-" + key

    def _get_cache_filename(self, bucket: jinja2.bccache.Bucket) -> str:
        if self.shared is not None and bucket.key.startswith("shared-"):
            return str(Path(self.shared) / (self.pattern % bucket.key))
        return super()._get_cache_filename(bucket)

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        # Each build makes a new environment, and the preview and the tests build many times in one process: code
        # compiled or read earlier in the process for the same source, name and compiler settings is used again,
        # for any site (only the file it names differs, and is set). A bucket always leaves here with code, so the
        # loader never compiles; what this compiles is saved in the cache file, as the loader would have done.
        key, checksum = self.get_cache_key(name, filename), self.get_source_checksum(source)
        bucket = jinja2.bccache.Bucket(environment, key, checksum)
        known = (compiler_settings(environment), name, bucket.checksum)
        path = filename or "<template>"  # what Jinja calls a template without a file
        code = _COMPILED.get(known)
        if code is not None:
            bucket.code = with_filename(code, path)
            if not os.path.exists(self._get_cache_filename(bucket)):
                self.dump_bytecode(bucket)
            return bucket
        self.load_bytecode(bucket)
        if bucket.code is None:
            bucket.code = environment.compile(source, name, filename)
            self.dump_bytecode(bucket)
        _COMPILED[known] = bucket.code
        while len(_COMPILED) > KEPT_TEMPLATES:  # the oldest first: a long preview compiles each saved version
            del _COMPILED[next(iter(_COMPILED))]
        return bucket

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            Path(self._get_cache_filename(bucket)).parent.mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # the cache only saves time: a site that cannot be written to still builds


# Compiled templates this process has read or compiled: (compiler settings, name, source checksum) -> code.
KEPT_TEMPLATES = 1024  # the demo site uses 61 (its own, localgov's and GOV.UK Frontend's)
_COMPILED: dict[tuple[tuple[object, ...], str, str], CodeType] = {}


def compiler_settings(env: jinja2.Environment) -> tuple[object, ...]:
    """Return what Jinja's compiler reads from an environment: templates compiled with the same settings from
    the same source are the same code."""
    return (type(env), env.block_start_string, env.block_end_string, env.variable_start_string,
            env.variable_end_string, env.comment_start_string, env.comment_end_string, env.line_statement_prefix,
            env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
            env.keep_trailing_newline, tuple(sorted(env.extensions)), env.optimized, env.finalize, env.autoescape,
            env.is_async, getattr(env, "newstyle_gettext", False))


def with_filename(code: CodeType, filename: str) -> CodeType:
    """Return compiled template code as if compiled from `filename` (the file that tracebacks name)."""
    if code.co_filename == filename:
        return code
    consts = tuple(with_filename(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def is_site_template(filename: str | None, site_root: Path) -> bool:
    """Say whether a template's file is the site's own (under its resolved root), not one of the defaults.

    Only localgov's own replacements (NO_CROWN) have no file; every template of a site has one.
    """
    return filename is not None and Path(filename).resolve().is_relative_to(site_root)


def shared_cache_dir() -> str | None:
    """Return the user's folder for compiled default templates, or None when there is no home to keep it in."""
    from localgov import __version__

    folder = user_cache_dir()
    return None if folder is None else str(folder / f"jinja-{jinja2.__version__}-localgov-{__version__}")


def bytecode_cache(root: Path) -> jinja2.BytecodeCache | None:
    """Return a cache of compiled templates: the site's in its cache folder, the defaults in the user's."""
    return SiteBytecodeCache(str(root / ".localgov-cache" / "jinja"), shared_cache_dir(), root)


def kept_gettext(gettext: Callable[..., str]) -> Callable[..., str]:
    """Return Jinja's `gettext` (as its i18n extension installs it, newstyle) answering each message without
    variables once: a page asks for the same thirty or so, and each answer is a new Markup formatted with `%`."""
    answers: dict[tuple[str, bool], str] = {}

    @jinja2.pass_context
    def kept(context: jinja2.runtime.Context, message: str, **variables: object) -> str:
        if variables:
            return gettext(context, message, **variables)
        key = (message, bool(context.eval_ctx.autoescape))
        answer = answers.get(key)
        if answer is None:
            answer = answers[key] = gettext(context, message)
        return answer

    return kept


EXAMPLE_POSTCODES = {"en": "ME15 6JQ", "cy": "CF10 1EP"}  # the hint of the postcode form in each language


def layout_environment(root: Path, lang: str = "en") -> jinja2.Environment:
    """Return the environment for layouts: site templates shadow the defaults, which stay reachable as localgov/.

    Each language has its own environment, its interface words from localgov/i18n.py: `_()`, `{% trans %}`,
    `ngettext()`, `long_date()` and `lang` are fixed for all its templates.
    """
    # Templates are compiled once per build (a new environment each time), their compiled code is kept in the
    # site's cache between builds, and components are remembered.
    env = LayoutEnvironment(loader=layer_loader(root), autoescape=True, trim_blocks=True, lstrip_blocks=True,
                            auto_reload=False, bytecode_cache=bytecode_cache(root), extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(gettext_for(lang), ngettext_for(lang), newstyle=True)  # type: ignore[attr-defined]
    kept = kept_gettext(env.globals["gettext"])  # type: ignore[arg-type]
    env.globals.update(gettext=kept, _=kept)
    env.globals.update(lang=lang, long_date=lambda day: long_date(day, lang),
                       script_messages=lambda: script_messages(lang),
                       example_postcode=EXAMPLE_POSTCODES.get(lang, EXAMPLE_POSTCODES["en"]))
    return env
