"""`localgov new DIR`: a site that builds, checks and explains at once."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from localgov.cli import main
from localgov.commands.explain import explain
from localgov.render.layouts import NO_CROWN, template_dirs
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


def test_explain_names_the_new_sites_files_and_each_one_exists(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert main(["new", str(site)]) == 0
    capsys.readouterr()
    assert main(["--root", str(site), "explain", "/bin-collections/medway/"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("/bin-collections/medway/ is bin-collections/medway/index.html, made from:")
    text = printed[printed.index("\nText\n"):printed.index("\nData\n")]
    assert "content/rubbish-and-recycling/bin-collections.md" in text
    found = explain(site, "/bin-collections/medway/")
    sources = [item.path for item in found.items if item.kind != "template"]
    assert sources == ["content/rubbish-and-recycling/bin-collections.md", "councils/medway/council.yaml",
                     "content/rubbish-and-recycling/_topic.yaml", "site.yaml"]
    for path in sources:
        assert (site / path).is_file(), path
        assert path in printed, path
    templates = [item.path for item in found.items if item.kind == "template"]
    assert templates[0] == "variant.html" and "base.html" in templates
    frontend = files("govuk_frontend_jinja") / "templates"
    for name in templates:
        assert name in printed, name
        if name in NO_CROWN:
            continue
        if name.startswith("govuk_frontend_jinja/"):
            assert (frontend / name.removeprefix("govuk_frontend_jinja/")).is_file(), name
        else:
            assert any((folder / name).is_file() for folder in template_dirs(site)), name


def test_new_refuses_a_folder_that_is_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", str(tmp_path / "used")]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "used").iterdir()) == ["notes.txt"]
    assert main(["new", str(tmp_path / "empty")]) == 0
