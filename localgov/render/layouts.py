"""Layout templates and static files: where they come from and in which order a site shadows the defaults."""

from __future__ import annotations

from pathlib import Path

import jinja2

from localgov.render.memo import LayoutEnvironment

# The govuk-frontend-jinja footer always draws the crown, which only GOV.UK may use.
NO_CROWN = {"govuk_frontend_jinja/macros/logo.html": "{% macro govukLogo(params) %}{% endmacro %}"}


def default_templates() -> Path:
    """Return the templates that ship with localgov (a site's own templates shadow them)."""
    here = Path(__file__).resolve().parents[1]
    for candidate in (here / "default_templates", here.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError("localgov's default templates are missing from the installation")


def template_dirs(root: Path) -> list[Path]:
    """Return the template folders in lookup order: the site's own, then the defaults."""
    dirs = [root / "templates", default_templates()]
    unique: list[Path] = []
    for folder in dirs:
        if folder.is_dir() and folder.resolve() not in [u.resolve() for u in unique]:
            unique.append(folder)
    return unique


class SiteBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates in the site's cache folder, which is made only when a template is first saved there."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # the cache only saves time: a site that cannot be written to still builds


def bytecode_cache(root: Path) -> jinja2.BytecodeCache | None:
    """Return a cache of compiled templates in the site's cache folder."""
    return SiteBytecodeCache(str(root / ".localgov-cache" / "jinja"))


def layout_environment(root: Path) -> jinja2.Environment:
    """Return the environment for layouts: site templates shadow the defaults, which stay reachable as localgov/."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.DictLoader(NO_CROWN),
            jinja2.FileSystemLoader(template_dirs(root)),
            jinja2.PrefixLoader(
                {
                    "localgov": jinja2.FileSystemLoader(default_templates()),
                    "govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja", "templates"),
                }
            ),
        ]
    )
    # Templates are compiled once per build (a new environment each time), their compiled code is kept in the
    # site's cache between builds, and components are remembered.
    return LayoutEnvironment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
                             bytecode_cache=bytecode_cache(root))


def static_dirs(root: Path) -> list[Path]:
    """Return static asset folders, defaults first so the site's own files shadow them."""
    return [folder / "static" for folder in reversed(template_dirs(root))]
