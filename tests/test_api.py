"""Open data under /api/v1/: every file valid against its JSON Schema, and saying what the site's pages say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from localgov.cli import main
from localgov.urls import API_DIR, API_FILES
from tests.helpers import read

GOLDEN = Path(__file__).resolve().parent / "golden"


def load(out: Path, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = json.loads((out / API_DIR / f"{name}.json").read_text(encoding="utf-8"))
    schema = json.loads((out / API_DIR / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
    return data, schema


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden 'nations' site (councils in every nation, bodies), built once."""
    import shutil

    work = tmp_path_factory.mktemp("api")
    shutil.copytree(GOLDEN / "nations" / "site", work / "site")
    out = work / "out"
    assert main(["--root", str(work / "site"), "build", "--no-search", "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("name", sorted(API_FILES))
def test_every_file_is_valid_against_its_schema(built: Path, name: str) -> None:
    data, schema = load(built, name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["$schema"] == schema["$id"] == f"https://nations.golden.example/{API_DIR}/schemas/{name}.schema.json"
    assert data["version"] == 1


@pytest.mark.parametrize("name", sorted(API_FILES))
def test_a_schema_refuses_what_it_does_not_describe(built: Path, name: str) -> None:
    data, schema = load(built, name)
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid({**data, "unexpected": True})
    listed = next(key for key in data if isinstance(data[key], list | dict) and key != "$schema")
    items = data[listed]
    assert items or name == "bodies", f"{name}.json lists nothing in the golden site"
    if items and isinstance(items, list):
        first = dict(items[0])
        first.pop(next(iter(first)))
        assert not validator.is_valid({**data, listed: [first]}), "a required field left out"


def test_the_data_says_what_the_pages_say(built: Path) -> None:
    councils = {c["slug"]: c for c in load(built, "councils")[0]["councils"]}
    site = GOLDEN / "nations" / "site" / "councils"
    assert set(councils) == {p.name for p in site.iterdir() if (p / "council.yaml").is_file()}
    for slug, council in councils.items():
        hub = read(built, f"/councils/{slug}/")
        assert f"<h1 class=\"govuk-heading-xl\">{council['name']}</h1>" in hub or council["name"] in hub
        assert council["tier"] == {"county": "upper", "non-metropolitan-district": "lower"}.get(council["type"],
                                                                                              "unitary")
    providers = load(built, "providers")[0]["areas"]
    for area in providers:
        for service, answer in area["services"].items():
            if answer["council"]:
                assert (built / service / answer["council"] / "index.html").is_file(), (area["council"], service)
    services = {s["slug"] for s in load(built, "services")[0]["services"]}
    assert services == {p.stem for p in (GOLDEN / "nations" / "site" / "content").glob("*/*.md")
                        if not p.name.endswith(".cy.md")}


def test_the_open_data_page_links_every_file(built: Path) -> None:
    html = read(built, "/api/")
    for name in API_FILES:
        assert f'href="/{API_DIR}/{name}.json"' in html and f'href="/{API_DIR}/schemas/{name}.schema.json"' in html
    assert "Access-Control-Allow-Origin: *" in (built / "_headers").read_text(encoding="utf-8").split("/api/*")[1]


@pytest.mark.parametrize("name", sorted(API_FILES))
def test_the_national_sites_data_is_valid(demo_site: Path, name: str) -> None:
    data, schema = load(demo_site, name)
    jsonschema.Draft202012Validator(schema).validate(data)
    listed = next(key for key in data if isinstance(data[key], list) and key != "$schema")
    assert len(data[listed]) >= {"councils": 380, "bodies": 50, "services": 40, "providers": 350}.get(name, 0)
