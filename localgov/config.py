"""Site configuration from `site.yaml` at the root of a site."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from localgov.errors import Problems
from localgov.fields import FieldReader
from localgov.paths import links_out, relative
from localgov.yamlfile import YamlProblem, parse_mapping

CONFIG_FILE = "site.yaml"
FIELDS = frozenset(
    {"name", "base_url", "phase", "feedback_url", "postcodes", "stale_after_days", "licence_holder", "strict"}
)


@dataclass(frozen=True)
class SiteConfig:
    """Where a site lives and how it presents itself."""

    root: Path
    name: str = "Local council services"
    base_url: str = "https://localgov.example"
    phase: str = "beta"
    feedback_url: str | None = None
    postcodes: str = "builtin"
    stale_after_days: int = 365
    today: dt.date = dt.date(2000, 1, 1)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def councils_dir(self) -> Path:
        return self.root / "councils"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    def absolute(self, url: str) -> str:
        return self.base_url.rstrip("/") + url


def today() -> dt.date:
    """Return the build date: LOCALGOV_TODAY when set (for reproducible builds), else today."""
    fixed = os.environ.get("LOCALGOV_TODAY")
    if fixed:
        return dt.date.fromisoformat(fixed)
    return dt.date.today()


def load_config(root: Path, problems: Problems) -> SiteConfig:
    """Read `site.yaml` (optional); every field has a default."""
    path = root / CONFIG_FILE
    base = SiteConfig(root=root, today=today())
    for link in links_out(root / "templates", root):
        problems.error(relative(link, root), 0, "is a link out of the site; templates must be files in templates/")
    if not path.exists():
        return base
    try:
        text = path.read_text(encoding="utf-8")
        doc = parse_mapping(text)
    except UnicodeDecodeError as exc:
        problems.error(CONFIG_FILE, 0, f"not UTF-8 text (byte {exc.start})")
        return base
    except YamlProblem as exc:
        problems.error(CONFIG_FILE, exc.line, str(exc))
        return base
    fields = FieldReader(CONFIG_FILE, doc, problems)
    fields.reject_unknown(FIELDS)
    name = fields.text("name") or base.name
    base_url = fields.text("base_url") or base.base_url
    if not base_url.startswith(("https://", "http://")):
        problems.error(CONFIG_FILE, doc.line("base_url"), "not a web address", field="base_url",
                       expected="an address starting https://", found=repr(base_url))
    stale = fields.integer("stale_after_days")
    return SiteConfig(
        root=root,
        name=name,
        base_url=base_url.rstrip("/"),
        phase=fields.choice("phase", ("alpha", "beta", "live")) or base.phase,
        feedback_url=fields.text("feedback_url"),
        postcodes=fields.text("postcodes") or base.postcodes,
        stale_after_days=stale if stale is not None else base.stale_after_days,
        today=base.today,
    )
