"""Valid HTML: every page type, a wide sample of the demo site and every component example pass html-validate.

The configuration is `.htmlvalidate.json`: html-validate's `recommended` and `document` presets. JSON has
no comments, so every rule it changes is explained in `EXPLAINED` below, and a test fails if the
configuration changes a rule that is not explained there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.browser import REPO, built, page_types, sample_pages
from tests.components import example_page, examples, render_example
from tests.conftest import MakeSite

CONFIG = REPO / ".htmlvalidate.json"
RUNNER = REPO / "tests" / "validate_html.mjs"
VALIDATOR = REPO / "node_modules" / "html-validate"
EXPLAINED: dict[str, str] = {
    "require-sri": "Subresource Integrity is asked for on cross-origin scripts and stylesheets only (target: "
    "crossorigin). The site loads nothing from other origins; its own assets come from the same origin under "
    "content-hashed names, where an integrity attribute adds bytes to every page and no protection.",
    "heading-level": "A GOV.UK notification banner (council alerts) or emergency banner is a region with its own "
    "headings: its h2 title comes before the page's h1, as GOV.UK places it. The banner is made a sectioning "
    "root whose headings start at h2; the rest of the page must still start at h1 and never skip a level.",
    "prefer-native-element": "role=region on a div is GOV.UK Frontend's own markup for the notification banner "
    "(and for scrollable tables); every other role must still be a native element where one exists.",
    "long-title": "OFF. Titles are '<service>: <council> - <site>' as on GOV.UK; a council's full name can make "
    "them longer than 70 characters, which search engines truncate gracefully. Shortening them would drop what "
    "tells a resident, a tab bar or a screen reader which council the page is about.",
}


def validate(files: Sequence[Path]) -> dict[str, list[dict[str, Any]]]:
    """Run html-validate on `files` in one Node.js process; return file -> problems."""
    node = shutil.which("node")
    if node is None or not VALIDATOR.is_dir():
        pytest.skip("html-validate needs Node.js and 'npm ci' (node_modules/html-validate)")
    # A larger young generation: with the default, a tenth of html-validate's processor time is spent
    # collecting the garbage of each file's parse (node --cpu-prof on a quarter of the wide sample).
    result = subprocess.run([node, "--max-semi-space-size=64", str(RUNNER), str(CONFIG), *map(str, files)],
                            capture_output=True, text=True, timeout=600, check=False, cwd=REPO)
    assert result.returncode == 0, f"html-validate did not run:\n{result.stderr[-3000:]}"
    reports = json.loads(result.stdout)
    assert len(reports) == len(files)
    return {report["file"]: report["messages"] for report in reports}


def describe(problems: dict[str, list[dict[str, Any]]], root: Path) -> str:
    lines = []
    for file, messages in sorted(problems.items()):
        name = Path(file).relative_to(root).as_posix() if Path(file).is_relative_to(root) else file
        lines += [f"{name}:{m['line']}:{m['column']}: {m['rule']}: {m['message']}" for m in messages]
    return "\n".join(lines[:60]) + (f"\n... and {len(lines) - 60} more" if len(lines) > 60 else "")


def test_the_configuration_extends_the_recommended_rules_and_explains_each_change() -> None:
    config = json.loads(CONFIG.read_text(encoding="utf-8"))
    assert "html-validate:recommended" in config["extends"]
    unexplained = sorted(set(config.get("rules", {})) - set(EXPLAINED))
    assert not unexplained, f"rules changed in .htmlvalidate.json without a reason in EXPLAINED: {unexplained}"
    for rule, setting in config.get("rules", {}).items():
        severity = setting[0] if isinstance(setting, list) else setting
        if severity in (0, "off"):
            assert EXPLAINED[rule].startswith("OFF."), f"{rule} is off; say why, starting 'OFF.'"


def test_the_validator_finds_mistakes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><main><p>open<div></p>'
                   '<img src="a.png"><button>Go</button><a href="#">click</a></main></body></html>', encoding="utf-8")
    rules = {m["rule"] for m in validate([bad])[str(bad)]}
    assert {"element-required-attributes", "wcag/h37", "no-implicit-button-type"} <= rules, rules


def test_every_page_type_is_valid(demo_site: Path) -> None:
    files = []
    for name, url in sorted(page_types().items()):
        path = built(demo_site, url)
        if name == "status" and not path.is_file():
            continue
        assert path.is_file(), f"no {name} page at {url}"
        files.append(path)
    problems = {f: m for f, m in validate(files).items() if m}
    assert not problems, describe(problems, demo_site)


def test_a_wide_sample_of_the_demo_site_is_valid(demo_site: Path) -> None:
    files = sample_pages(demo_site)
    problems = {f: m for f, m in validate(files).items() if m}
    assert not problems, describe(problems, demo_site)


def test_every_component_example_is_valid(tmp_path: Path) -> None:
    files = []
    for example in examples():
        path = tmp_path / f"{example.id}.html"
        path.write_text(example_page(example, render_example(example), ""), encoding="utf-8")
        files.append(path)
    problems = {f: m for f, m in validate(files).items() if m}
    assert not problems, describe(problems, tmp_path)


ALERT_COUNCIL = {
    "councils/medway/council.yaml": """
        name: Medway Council
        short_name: Medway
        gss: E06000035
        type: unitary
        nation: england
        website: https://www.medway.gov.uk/
        contact: {phone: 01634 333333, email: info@medway.gov.uk, address: "Gun Wharf, Chatham", opening_hours: 9 to 5}
        alerts:
          - title: Bins are a day late
            body: "Collections move *one day* later. [Check your day](https://www.medway.gov.uk/bins)."
            start: 2026-11-01
            end: 2026-12-31
""",
}


def test_every_page_of_a_small_site_is_valid(make_site: MakeSite) -> None:
    from localgov.cli import main

    root = make_site(ALERT_COUNCIL)
    assert main(["--root", str(root), "build"]) == 0
    out = root / "build"
    files = sorted(out.rglob("*.html"))
    assert len(files) > 20
    assert "Bins are a day late" in (out / "bin-collections" / "medway" / "index.html").read_text(encoding="utf-8")
    problems = {f: m for f, m in validate(files).items() if m}
    assert not problems, describe(problems, out)
