"""Load the national service status from `councils/_status.yaml`: notices and emergency banners for the whole site.

The file holds one key, `alerts`, a list in the form a council's alerts take (title, body, start, end), where
`type` is `notice` (the default: a line on /service-status/ and in its feeds), `national-emergency` or
`notable-death` (GOV.UK's emergency banners, at the top of every page while they run).
"""

from __future__ import annotations

import os
from pathlib import Path

from localgov.errors import Problems
from localgov.load.councils import read_alerts
from localgov.load.fields import FieldReader, read_yaml_file
from localgov.load.paths import relative
from localgov.model import NATIONAL_ALERT_KINDS, Alert

STATUS_FILE = "_status.yaml"
STATUS_FIELDS = frozenset({"alerts"})


def load_status(root: Path, problems: Problems) -> tuple[Alert, ...]:
    """Return the national alerts of `councils/_status.yaml` (none without the file)."""
    path = root / "councils" / STATUS_FILE
    if not os.path.lexists(path):
        return ()
    rel = relative(path, root)
    doc = read_yaml_file(path, rel, problems, folder=root / "councils", root=root)
    if doc is None:
        return ()
    fields = FieldReader(rel, doc, problems)
    fields.reject_unknown(STATUS_FIELDS)
    return read_alerts(fields, NATIONAL_ALERT_KINDS, targeted=False)
