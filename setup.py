"""Build hook: put localgov's default templates and GOV.UK Frontend's compiled assets into the package.

The repository keeps them where they are developed (`templates/`, and `node_modules/govuk-frontend`
installed by `npm ci` at the version pinned in package-lock.json). Building the wheel copies them
into `localgov/default_templates/` and `localgov/govuk_frontend/`, so installing localgov needs
neither Node nor npm. An sdist carries the same sources (see MANIFEST.in), so a wheel built from it
is the same. An editable install reads them in place instead.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
GOVUK = "govuk-frontend"
GOVUK_LICENCE = HERE / "LICENSES" / "govuk-frontend.txt"
# What a site needs from GOV.UK Frontend: the compiled CSS and JavaScript and the files they name.
GOVUK_FILES = ("package.json", "README.md", "dist/govuk/govuk-frontend.min.css", "dist/govuk/govuk-frontend.min.js")
GOVUK_FOLDERS = ("dist/govuk/assets",)


class BuildError(Exception):
    """The sources the package is built from are missing or not at the pinned version."""


def pinned_version(source: Path) -> str:
    """Return the version of govuk-frontend that package-lock.json pins."""
    lock = json.loads((source / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"][f"node_modules/{GOVUK}"]["version"])


def govuk_files(source: Path) -> dict[str, Path]:
    """Return GOV.UK Frontend's files by their path in the package, after checking the installed version."""
    package = source / "node_modules" / GOVUK
    wanted = pinned_version(source)
    try:
        found = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    except OSError:
        raise BuildError(f"{package} is missing: run 'npm ci' before building localgov") from None
    if found != wanted:
        raise BuildError(f"{package} is version {found} but package-lock.json pins {wanted}: run 'npm ci'")
    files = {f"localgov/govuk_frontend/{name}": package / name for name in GOVUK_FILES}
    for folder in GOVUK_FOLDERS:
        for path in sorted((package / folder).rglob("*")):
            if path.is_file():
                files[f"localgov/govuk_frontend/{path.relative_to(package).as_posix()}"] = path
    files["localgov/govuk_frontend/LICENSE.txt"] = GOVUK_LICENCE
    return files


def template_files(source: Path) -> dict[str, Path]:
    """Return the default templates and static files by their path in the package."""
    templates = source / "templates"
    return {
        f"localgov/default_templates/{path.relative_to(templates).as_posix()}": path
        for path in sorted(templates.rglob("*"))
        if path.is_file() and not any(part.startswith((".", "__")) for part in path.relative_to(templates).parts)
    }


def bundled_files(source: Path) -> dict[str, Path]:
    """Return every file the build adds to the package, by its path in the package."""
    files = {**template_files(source), **govuk_files(source)}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise BuildError("cannot build localgov without " + ", ".join(missing))
    return files


class BuildWithAssets(build_py):
    """Build the Python package, then copy the templates and GOV.UK Frontend's assets into it."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads templates/ and node_modules/ where they are
        for name, path in bundled_files(HERE).items():
            target = Path(self.build_lib) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs: list[str] = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs += [str(Path(self.build_lib) / name) for name in bundled_files(HERE)]
        return outputs


# build/ is where a site is built: setuptools works in a folder of its own.
setup(cmdclass={"build_py": BuildWithAssets}, options={"build": {"build_base": ".package-build"}})
