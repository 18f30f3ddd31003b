"""Light pages: a first visit to a service page stays under bench/weight.py's budget and nothing it names is missing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.browser import REPO


def load_weight() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_weight", REPO / "bench" / "weight.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


weight = load_weight()


def test_every_page_type_is_measured(demo_site: Path) -> None:
    kinds = weight.page_types(demo_site)
    for name in ("home", "topic", "service page (all councils)", "service page (one council)", "hub, unitary",
                 "A to Z of councils", "search", "page not found"):
        assert name in kinds, f"bench/weight.py no longer finds a {name} page"


@pytest.mark.parametrize("name", ["service page (all councils)", "service page (all councils, heaviest)",
                                  "service page (one council)"])
def test_a_first_visit_to_a_service_page_is_under_budget(demo_site: Path, name: str) -> None:
    url = weight.page_types(demo_site)[name]
    visit = weight.first_visit(demo_site, url)
    kinds = visit.by_kind()
    assert kinds.get("HTML") and kinds.get("CSS") and kinds.get("JS"), f"{url}: the page's files were not followed"
    assert visit.total <= weight.BUDGET, f"{url}: {visit.total:,} bytes gzipped, over {weight.BUDGET:,}: {visit.files}"


def test_nothing_a_page_names_is_missing(demo_site: Path) -> None:
    for name, url in weight.page_types(demo_site).items():
        visit = weight.first_visit(demo_site, url)
        assert not visit.missing, f"{name} ({url}) names files the site does not have: {sorted(visit.missing)}"


def test_the_measure_follows_imports_and_stylesheets(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<link rel="stylesheet" href="/assets/a.css"><script type="module" '
                                         'src="/assets/a.js"></script><img src="/gone.png" alt="">', encoding="utf-8")
    (tmp_path / "assets" / "a.css").write_text("b{background:url(/assets/b.svg)} i{background:url(/none.svg)}")
    (tmp_path / "assets" / "b.svg").write_text("<svg/>" * 100)
    (tmp_path / "assets" / "a.js").write_text('import { x } from "/assets/b.js"; import("/assets/c.js");')
    (tmp_path / "assets" / "b.js").write_text("export const x = 1;" * 100)
    visit = weight.first_visit(tmp_path, "/")
    assert sorted(visit.files) == ["/", "/assets/a.css", "/assets/a.js", "/assets/b.js", "/assets/b.svg"]
    assert visit.missing == {"/gone.png"} and visit.unused == {"/none.svg"} and visit.on_demand == {"/assets/c.js"}
