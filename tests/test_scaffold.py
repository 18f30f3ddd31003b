"""`localgov new DIR`: a site that builds, checks and explains at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from localgov.cli import main
from tests.helpers import read


def test_a_new_site_builds_with_its_page_for_both_councils(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert main(["new", str(site)]) == 0
    assert "localgov serve" in capsys.readouterr().out
    assert (site / "site.yaml").is_file() and not (site / "templates").exists(), "templates come from localgov"
    assert main(["--root", str(site), "build"]) == 0
    out = site / "build"
    assert "Bristol City Council collects rubbish" in read(out, "/bin-collections/bristol/")
    assert "Medway Council collects rubbish" in read(out, "/bin-collections/medway/")
    assert 'href="https://www.bristol.gov.uk/residents/bins-and-recycling"' in read(out, "/bin-collections/bristol/")
    assert main(["--root", str(site), "check"]) == 0
    assert main(["--root", str(site), "explain", "/bin-collections/medway/"]) == 0


def test_new_refuses_a_folder_that_is_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", str(tmp_path / "used")]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "used").iterdir()) == ["notes.txt"]
    assert main(["new", str(tmp_path / "empty")]) == 0
