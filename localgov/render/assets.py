"""Static assets: GOV.UK Frontend's compiled CSS and JS, localgov's and the site's own, under content-hashed names.

Which file a name comes from is decided by the layers in localgov/render/layouts.py.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from localgov.errors import LocalgovError
from localgov.render.layouts import GOVUK, find_govuk_frontend, layers, static_files

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


def build_assets(root: Path) -> list[AssetFile]:
    """Return every asset of the site at `root` with its hashed path, each name taken from the first layer with it."""
    find_govuk_frontend(root)  # says how to install GOV.UK Frontend if it is missing
    chosen = static_files(layers(root))
    # Text assets may name others as __ASSET(name)__; hash those they name first.
    pending = dict(chosen)
    known: dict[str, AssetFile] = {}
    files: list[AssetFile] = []
    while pending:
        progressed = False
        for name, found in list(pending.items()):
            path = found.path
            assert path is not None  # static files are files
            refs: list[str] = []
            if found.layer.name == GOVUK:
                data = govuk_file(path)
            else:
                data = path.read_bytes()
                if path.suffix in (".js", ".css"):
                    refs = ASSET_REF.findall(data.decode("utf-8", "ignore"))
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


def govuk_file(path: Path) -> bytes:
    """Return a GOV.UK Frontend file as a site serves it: brand neutral, without a source map comment."""
    if path.suffix == ".css":
        return brand_neutral_css(path.read_text(encoding="utf-8")).encode("utf-8")
    if path.suffix == ".js":
        return SOURCE_MAP.sub("", path.read_text(encoding="utf-8")).encode("utf-8")
    return path.read_bytes()
