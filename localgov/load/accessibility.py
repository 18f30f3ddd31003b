"""Read `accessibility-results.json`: what the last automated accessibility test run found, for the statement.

The file is written by the accessibility tests (`LOCALGOV_ACCESSIBILITY_RESULTS=accessibility-results.json
pytest tests/test_accessibility.py`) and committed with the site; without it the statement gives no test date.

    {"tested": "2026-11-27", "tool": "axe-core 4.10 (WCAG 2.2 A and AA)", "pages": 30,
     "issues": [{"rule": "color-contrast", "help": "Elements must meet minimum colour contrast", "pages": 2}]}
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from localgov.errors import Problems, describe
from localgov.load.fields import read_yaml_file
from localgov.model import AccessibilityResults

RESULTS_FILE = "accessibility-results.json"


def load_accessibility(root: Path, problems: Problems) -> AccessibilityResults | None:
    """Return the results in `accessibility-results.json`, or None without the file or with a problem in it."""
    path = root / RESULTS_FILE
    if not os.path.lexists(path):
        return None
    doc = read_yaml_file(path, RESULTS_FILE, problems, folder=root, root=root)
    if doc is None:
        return None
    data = doc.data
    tested, tool, pages, issues = data.get("tested"), data.get("tool"), data.get("pages"), data.get("issues", [])
    try:
        day = tested if isinstance(tested, dt.date) else dt.date.fromisoformat(str(tested))
    except ValueError:
        day = None
    checks = (("tested", day is not None, "a date like 2026-11-27", tested),
              ("tool", isinstance(tool, str) and bool(tool.strip()), "the name of the tool", tool),
              ("pages", isinstance(pages, int) and not isinstance(pages, bool) and pages > 0,
               "the number of kinds of page tested", pages),
              ("issues", isinstance(issues, list) and all(
                  isinstance(i, dict) and isinstance(i.get("rule"), str) and isinstance(i.get("help"), str)
                  and isinstance(i.get("pages"), int) for i in issues),
               "a list of {rule, help, pages}", issues))
    bad = [(key, expected, found) for key, ok, expected, found in checks if not ok]
    for key, expected, found in bad:
        problems.warn(RESULTS_FILE, doc.line(key), "the statement leaves the test results out", field=key,
                      expected=expected, found=describe(found))
    if bad or day is None:
        return None
    return AccessibilityResults(tested=day, tool=str(tool).strip(), pages=int(str(pages)),
                                issues=tuple((str(i["rule"]), str(i["help"]), int(i["pages"])) for i in issues))
