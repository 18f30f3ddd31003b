"""Safe output: a build that fails at any stage, or is killed, leaves the last build exactly as it was;
two clean builds of the same sources give the same bytes.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from localgov.cli import main
from tests.conftest import COUNCILS, DEMO_TODAY, REPO, BuiltSite, MakeSite, build_demo, forget_demo_cache
from tests.helpers import tree_digest

# The last page in render order: pages render after the site's own pages, sorted by slug, and this
# page has one variant (only Thanet has a zoo), so its one variant is the very last page rendered.
LAST_PAGE = "content/schools/zoo-visits.md"
LAST_PAGE_TEXT = """---
title: Zoo visits
summary: School trips to the zoo.
provider: lower
requires: [zoo]
---
{{% if council.slug %}}{}{{% endif %}}Trips to the zoo for {{{{ council.name }}}}.
"""
THANET_WITH_A_ZOO = """
name: Thanet District Council
short_name: Thanet
gss: E07000114
type: non-metropolitan-district
nation: england
parent: kent
website: https://www.thanet.gov.uk/
features: [coastline, zoo]
"""

# What breaks, at which stage; the files to write once the site has built cleanly.
BREAKS: dict[str, dict[str, str]] = {
    "load: malformed front matter": {"content/schools/apply-for-a-school-place.md": "---\ntitle: [oops\n---\nBody\n"},
    "load: an unknown council type": {"councils/medway/council.yaml": COUNCILS["medway"].replace("unitary", "parish")},
    "render: content fails on the last page rendered": {
        "councils/thanet/council.yaml": THANET_WITH_A_ZOO,
        LAST_PAGE: LAST_PAGE_TEXT.format("{{ 1 // 0 }}"),
    },
    "render: a layout fails on the last page rendered": {
        "councils/thanet/council.yaml": THANET_WITH_A_ZOO,
        LAST_PAGE: LAST_PAGE_TEXT.format(""),
        "templates/variant.html": '{% extends "localgov/variant.html" %}{% block content %}'
                                  '{% if page.slug == "zoo-visits" %}{{ no_such_name.attribute }}{% endif %}'
                                  "{{ super() }}{% endblock %}",
    },
    "index: the postcode file is not a postcode file": {
        "site.yaml": "name: Test council services\nbase_url: https://test.example\npostcodes: postcodes.csv\n",
        "postcodes.csv": "these,are,not,postcodes\n1,2,3,4\n",
    },
}


def build(root: Path, *args: str) -> int:
    return main(["--root", str(root), "build", *args])


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".build.new-", ".build.old-")))


@pytest.mark.parametrize("clean", [False, True], ids=["incremental", "clean"])
@pytest.mark.parametrize("case", sorted(BREAKS))
def test_a_failed_build_leaves_the_last_build_as_it_was(
    built_site: BuiltSite, make_site: MakeSite, case: str, clean: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    root = built_site()
    before = tree_digest(root / "build")
    originals = {rel: (root / rel).read_bytes() if (root / rel).exists() else None for rel in BREAKS[case]}
    capsys.readouterr()
    make_site(BREAKS[case])
    assert build(root, *(["--clean"] if clean else [])) == 1
    err = capsys.readouterr().err
    assert "nothing was written" in err and "Traceback" not in err, err
    assert tree_digest(root / "build") == before
    assert leftovers(root) == []
    # Put things back: the next build gives exactly what the last good one did.
    for rel, data in originals.items():
        if data is None:
            (root / rel).unlink()
        else:
            (root / rel).write_bytes(data)
    assert build(root) == 0
    assert tree_digest(root / "build") == before


def test_a_strict_build_that_fails_on_a_warning_writes_nothing(built_site: BuiltSite, make_site: MakeSite) -> None:
    root = built_site()
    before = tree_digest(root / "build")
    make_site({"content/schools/apply-for-a-school-place.md":
               "---\ntitle: T\nsummary: S\nprovider: upper\n---\nSee [fees](/no-such-page/).\n"})
    assert build(root, "--strict") == 1
    assert tree_digest(root / "build") == before
    assert leftovers(root) == []


def _limit_file_size() -> None:
    """Let a file grow to 100 kB only (pages fit, GOV.UK Frontend's CSS does not): writing more fails with EFBIG."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def test_a_build_that_cannot_write_leaves_the_last_build_as_it_was(built_site: BuiltSite) -> None:
    root = built_site()
    before = tree_digest(root / "build")
    env = {**os.environ, "LOCALGOV_TODAY": DEMO_TODAY, "LOCALGOV_JOBS": "1"}
    result = subprocess.run([sys.executable, "-m", "localgov", "--root", str(root), "build", "--clean"],
                            env=env, capture_output=True, text=True, preexec_fn=_limit_file_size, timeout=300,
                            check=False)
    assert result.returncode != 0
    assert "File too large" in result.stderr, result.stderr[-2000:]
    assert tree_digest(root / "build") == before
    assert leftovers(root) == []


def staging_folders(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.new-*"))


def test_a_killed_build_leaves_the_last_build_as_it_was_and_clean_builds_are_identical(
    demo_site: Path, tmp_path: Path
) -> None:
    """Kill a full build of the demo site while it writes; then build it again from scratch, elsewhere."""
    before = tree_digest(demo_site)
    assert len(before) > 10_000
    env = {**os.environ, "LOCALGOV_TODAY": DEMO_TODAY}
    command = [sys.executable, "-m", "localgov", "--root", str(REPO), "build", "--clean", "--out", str(demo_site)]
    # Its own process group, so that the render workers and the search indexer die with it.
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and process.poll() is None:
            staged = staging_folders(demo_site)
            if staged and sum(1 for _ in zip(range(200), staged[0].rglob("*.html"), strict=False)) >= 200:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"the build ended (exit {process.returncode}) or never started writing before it was killed")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert tree_digest(demo_site) == before, "a killed build changed the last build"
    assert not list(demo_site.parent.glob(f".{demo_site.name}.old-*"))
    for folder in staging_folders(demo_site):
        shutil.rmtree(folder)
    # A second clean build of the same sources, into another folder, gives the same bytes.
    second = tmp_path / "second"
    build_demo(second, clean=True)
    try:
        after = tree_digest(second)
        changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
        assert not changed, f"{len(changed)} files differ between two clean builds, such as {changed[:10]}"
    finally:
        forget_demo_cache(second)
        shutil.rmtree(second, ignore_errors=True)
