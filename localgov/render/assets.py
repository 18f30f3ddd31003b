"""Static assets: GOV.UK Frontend's compiled CSS and JS plus the site's own, under content-hashed names."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from localgov.errors import LocalgovError
from localgov.load.paths import escapes

GOVUK_VERSION_FILE = "package.json"
ASSET_REF = re.compile(r"__ASSET\(([\w./-]+)\)__")
FONT_FACE = re.compile(r"@font-face\{font-family:GDS Transport;[^}]*\}")
SOURCE_MAP = re.compile(r"\n?/[/*]# sourceMappingURL=\S+( \*/)?\s*$")


@dataclass(frozen=True)
class AssetFile:
    """One file under /assets/, named by its content hash."""

    name: str
    path: str
    data: bytes

    @property
    def url(self) -> str:
        return "/" + self.path


def find_govuk_frontend(root: Path) -> Path:
    """Locate govuk-frontend: the site's npm copy, else the repository's (developing localgov), else the bundled one."""
    package = Path(__file__).resolve().parents[1]
    candidates = [root / "node_modules" / "govuk-frontend", package.parent / "node_modules" / "govuk-frontend",
                  package / "govuk_frontend"]  # copied in when the package is built (setup.py)
    for candidate in candidates:
        if (candidate / "dist" / "govuk" / "govuk-frontend.min.css").is_file():
            return candidate
    raise LocalgovError(
        "GOV.UK Frontend is missing: reinstall localgov, or run 'npm ci' in a checkout of its repository (looked in "
        + ", ".join(c.as_posix() for c in candidates) + ")"
    )


def govuk_version(package: Path) -> str:
    data = json.loads((package / GOVUK_VERSION_FILE).read_text(encoding="utf-8"))
    return str(data.get("version", "unknown"))


def hashed(name: str, data: bytes) -> AssetFile:
    """Name a file by the first 10 hex digits of its SHA-256: `x.min.css` -> `assets/x.min.<hash>.css`."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, ext = name.rpartition(".")
    return AssetFile(name=name, path=f"assets/{stem}.{digest}.{ext}" if dot else f"assets/{name}.{digest}", data=data)


def brand_neutral_css(css: str) -> str:
    """Drop the GDS Transport typeface, which is reserved for GOV.UK, leaving Arial/Helvetica."""
    css = FONT_FACE.sub("", css)
    css = css.replace("font-family:GDS Transport,arial,sans-serif", "font-family:arial,helvetica,sans-serif")
    return SOURCE_MAP.sub("", css)


def build_assets(root: Path, static_dirs: list[Path]) -> list[AssetFile]:
    """Return every asset with its hashed path; later static dirs shadow earlier ones by file name."""
    package = find_govuk_frontend(root)
    dist = package / "dist" / "govuk"
    files: list[AssetFile] = []
    css = brand_neutral_css((dist / "govuk-frontend.min.css").read_text(encoding="utf-8"))
    files.append(hashed("govuk-frontend.min.css", css.encode("utf-8")))
    js = SOURCE_MAP.sub("", (dist / "govuk-frontend.min.js").read_text(encoding="utf-8"))
    files.append(hashed("govuk-frontend.min.js", js.encode("utf-8")))
    sources: dict[str, Path] = {}
    for folder in static_dirs:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_symlink() and escapes(path, folder):
                    raise LocalgovError(f"{path}: is a link out of {folder}; copy the file in instead")
                if path.is_file() and not path.name.startswith("."):
                    sources[path.relative_to(folder).as_posix()] = path
    # Text assets may name others as __ASSET(name)__; hash those they name first.
    pending = dict(sorted(sources.items()))
    known = {f.name: f for f in files}
    while pending:
        progressed = False
        for name, path in list(pending.items()):
            data = path.read_bytes()
            refs = ASSET_REF.findall(data.decode("utf-8", "ignore")) if path.suffix in (".js", ".css") else []
            if any(ref not in known for ref in refs):
                if not all(ref in known or ref in pending for ref in refs):
                    missing = [ref for ref in refs if ref not in known and ref not in pending]
                    raise LocalgovError(f"{path}: names unknown asset {missing[0]!r}")
                continue
            if refs:
                text = ASSET_REF.sub(lambda m: known[m.group(1)].url, data.decode("utf-8"))
                data = text.encode("utf-8")
            asset = hashed(name, data)
            known[name] = asset
            files.append(asset)
            del pending[name]
            progressed = True
        if not progressed:
            raise LocalgovError("static assets name each other in a loop: " + ", ".join(pending))
    return files
