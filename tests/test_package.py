"""The package as a user gets it: a wheel that builds and serves a new site with no Node, no npm and no repository.

Select these tests with `pytest -m package`. They build the wheel and the sdist from this checkout
(npm's govuk-frontend must be installed: `npm ci`), install the wheel into a new virtual environment
in a temporary folder, and work from there. The environment reuses the libraries localgov needs from
the one running the tests, so nothing is downloaded but, when this environment's setuptools cannot
build wheels itself, the build backend pip fetches once and caches.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import internal_links, resolves

pytestmark = pytest.mark.package

REPO = Path(__file__).resolve().parents[1]
GOVUK = REPO / "node_modules" / "govuk-frontend"
CSS_URL = re.compile(r"url\(([^)]+)\)")
CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def pinned_govuk_version() -> str:
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"]["node_modules/govuk-frontend"]["version"])


def can_build_wheels_here() -> bool:
    """Say whether this environment's setuptools builds wheels itself (70.1 and later), so pip needs no download."""
    try:
        from importlib.metadata import version

        major, minor = (int(part) for part in version("setuptools").split(".")[:2])
    except Exception:  # noqa: BLE001 - not installed or an odd version: let pip fetch a backend
        return False
    return (major, minor) >= (70, 1)


def pip_wheel(source: Path, out: Path) -> Path:
    """Build a wheel from a source folder or sdist with pip and return it."""
    isolation = ["--no-build-isolation"] if can_build_wheels_here() else []
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                           "--quiet", *isolation, "--wheel-dir", str(out), str(source)],
                          capture_output=True, text=True, timeout=600, check=False, env=clean_env())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("localgov-*.whl")
    return wheel


def clean_env() -> dict[str, str]:
    """Return this environment without PYTHONPATH, so that nothing is imported from the checkout."""
    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (GOVUK / "package.json").is_file():
        pytest.skip("building the package needs GOV.UK Frontend from npm: run 'npm ci'")
    return pip_wheel(REPO, tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a new virtual environment, outside the repository, with the wheel installed."""
    folder = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = folder / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                           "--no-index", "--disable-pip-version-check", "--quiet", str(wheel)],
                          capture_output=True, text=True, timeout=300, check=False, env=clean_env())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # localgov's dependencies come from the environment running the tests, after the venv's own packages.
    found = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           capture_output=True, text=True, check=True, env=clean_env())
    libraries = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
    (Path(found.stdout.strip()) / "dependencies-from-the-test-run.pth").write_text(
        "\n".join(libraries) + "\n", encoding="utf-8")
    return folder


def names_in(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if not name.startswith("localgov-")}


def test_the_wheel_carries_the_code_templates_and_govuk_frontend(wheel: Path) -> None:
    names = names_in(wheel)
    code = {p.relative_to(REPO).as_posix() for p in (REPO / "localgov").rglob("*.py")}
    assert code <= names, sorted(code - names)[:5]
    templates = {"localgov/default_templates/" + p.relative_to(REPO / "templates").as_posix()
                 for p in (REPO / "templates").rglob("*") if p.is_file()}
    assert templates <= names, sorted(templates - names)[:5]
    assert "localgov/default_templates/static/localgov.css" in names
    bundled = "localgov/govuk_frontend/"
    fonts = [n for n in names if n.startswith(bundled + "dist/govuk/assets/fonts/")]
    images = [n for n in names if n.startswith(bundled + "dist/govuk/assets/images/")]
    assert fonts and images
    for name in ("dist/govuk/govuk-frontend.min.css", "dist/govuk/govuk-frontend.min.js", "package.json",
                 "LICENSE.txt"):
        assert bundled + name in names, name
    with zipfile.ZipFile(wheel) as archive:
        version = json.loads(archive.read(bundled + "package.json"))["version"]
        licence = archive.read(bundled + "LICENSE.txt").decode("utf-8")
        css = archive.read(bundled + "dist/govuk/govuk-frontend.min.css")
        ours = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE")
                                 or n.endswith(".dist-info/LICENSE"))).decode("utf-8")
    assert version == pinned_govuk_version()
    assert "MIT License" in licence and "Government Digital Service" in licence
    assert "MIT License" in ours
    assert css == (GOVUK / "dist" / "govuk" / "govuk-frontend.min.css").read_bytes()
    assert not [n for n in names if "node_modules" in n or n.endswith(".map")]


def test_the_sdist_carries_what_the_wheel_is_built_from(wheel: Path, tmp_path: Path) -> None:
    pytest.importorskip("setuptools", reason="building the sdist here needs setuptools in this environment")
    done = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                           "print(build_meta.build_sdist(sys.argv[1]))", str(tmp_path / "sdist")],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False, env=clean_env())
    assert done.returncode == 0, done.stderr[-3000:]
    sdist = tmp_path / "sdist" / done.stdout.strip().splitlines()[-1]
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"setup.py", "MANIFEST.in", "package-lock.json", "LICENSE", "LICENSES/govuk-frontend.txt",
            "templates/base.html", "templates/static/localgov.js",
            "node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css"} <= members
    assert not [m for m in members if m.startswith("node_modules/") and not m.startswith("node_modules/govuk-frontend")]
    from_sdist = pip_wheel(sdist, tmp_path / "wheel")
    assert names_in(from_sdist) == names_in(wheel)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(venv / "bin" / "localgov"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False, env=clean_env())
    assert done.returncode == 0, f"localgov {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done


@pytest.fixture()
def new_site(venv: Path, tmp_path: Path) -> Iterator[Path]:
    """Scaffold and build a site with the installed command, in a folder outside the repository."""
    assert REPO not in tmp_path.parents
    run(venv, "new", "site", cwd=tmp_path)
    site = tmp_path / "site"
    run(venv, "build", cwd=site)
    yield site


def test_the_installed_package_runs_from_its_own_files(venv: Path, tmp_path: Path) -> None:
    code = ("import localgov, sys; from pathlib import Path; from localgov.render.layouts import find_govuk_frontend; "
            "from localgov.render.layouts import default_templates; "
            "print(localgov.__file__, default_templates(), find_govuk_frontend(Path(sys.argv[1])), sep='\\n')")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", code, str(tmp_path)], cwd=tmp_path,
                          capture_output=True, text=True, check=False, env=clean_env())
    assert done.returncode == 0, done.stderr
    for path in done.stdout.split():
        assert Path(path).resolve().is_relative_to(venv.resolve()), path


def unused_selectors_only(css: str, missing: str, pages: str) -> bool:
    """Say whether every rule that names `missing` is for classes no page uses (so no browser asks for it)."""
    for selectors, body in CSS_RULE.findall(css):
        if missing in body:
            classes = set(re.findall(r"\.([\w-]+)", selectors))
            if any(re.search(rf'class="[^"]*(?<![\w-]){re.escape(name)}(?![\w-])', pages) for name in classes):
                return False
    return True


def test_an_installed_wheel_builds_a_new_site_with_govuk_styles(new_site: Path) -> None:
    out = new_site / "build"
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 10
    page = (out / "bin-collections" / "bristol" / "index.html").read_text(encoding="utf-8")
    assert "Bristol City Council collects rubbish" in page
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    for path in pages:
        for href in internal_links(path.read_text(encoding="utf-8")):
            assert resolves(out, href), f"{path.relative_to(out)} links to missing {href}"
    (css_path,) = out.glob("assets/govuk-frontend.min.*.css")
    css = css_path.read_text(encoding="utf-8")
    assert ".govuk-header" in css and ".govuk-template" in css and ".govuk-button" in css
    assert f"/assets/{css_path.name}" in page
    assert list(out.glob("assets/govuk-frontend.min.*.js")) and list(out.glob("assets/localgov.*.css"))
    for url in CSS_URL.findall(css):
        url = url.strip("'\"")
        if url.startswith("/") and not resolves(out, url):
            assert unused_selectors_only(css, url, text), f"the CSS asks for missing {url}"


def test_an_installed_wheel_serves_a_new_site(venv: Path, new_site: Path) -> None:
    port = free_port()
    log = new_site.parent / "serve.log"
    with open(log, "w", encoding="utf-8") as stream:
        process = subprocess.Popen([str(venv / "bin" / "localgov"), "serve", "--port", str(port)], cwd=new_site,
                                   stdout=stream, stderr=subprocess.STDOUT, env=clean_env())
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(base + "/bin-collections/medway/", timeout=5) as response:
                        html = response.read().decode("utf-8")
                    break
                except (urllib.error.URLError, ConnectionError):
                    assert process.poll() is None, log.read_text(encoding="utf-8")
                    assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
                    time.sleep(0.3)
            assert "Medway Council collects rubbish" in html
            css = next(h for h in internal_links(html) if h.endswith(".css") and "govuk-frontend" in h)
            with urllib.request.urlopen(base + css, timeout=5) as response:
                assert b".govuk-header" in response.read()
        finally:
            process.terminate()
            process.wait(timeout=30)
