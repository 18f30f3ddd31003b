"""Site configuration from `site.yaml` at the root of a site."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from localgov.errors import Problems
from localgov.load.fields import FieldReader
from localgov.load.paths import Unreadable, read_source, relative, unreadable
from localgov.load.yamlfile import YamlProblem, parse_mapping
from localgov.model import SiteConfig

CONFIG_FILE = "site.yaml"
FIELDS = frozenset(
    {"name", "base_url", "phase", "feedback_url", "postcodes", "stale_after_days", "licence_holder", "strict"}
)


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
    for bad, why in unreadable(root / "templates", root):
        problems.error(relative(bad, root), 0, why)
    if not os.path.lexists(path):
        return base
    try:
        text = read_source(path, root, root).decode("utf-8")
        doc = parse_mapping(text)
    except Unreadable as exc:
        problems.error(CONFIG_FILE, 0, str(exc), expected=exc.expected, found=exc.found)
        return base
    except UnicodeDecodeError as exc:
        problems.error(CONFIG_FILE, 0, f"not UTF-8 text (byte {exc.start})")
        return base
    except YamlProblem as exc:
        problems.error(CONFIG_FILE, exc.line, str(exc), field=exc.field, expected=exc.expected, found=exc.found)
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
