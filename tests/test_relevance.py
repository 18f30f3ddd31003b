"""Relevance: real resident queries (tests/relevance_queries.yaml) against both engines on the demo site.

Each query names the page that should come first. Both engines must have it in their top 3
for at least 90% of the queries, for a resident with no known area and for one in a two-tier
area (where results are that area's councils' variants). Top-1 and top-3 rates are printed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from localgov.search.whoosh import SearchIndex

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "tests" / "relevance_queries.yaml"
RUNNER = REPO / "tests" / "pagefind_runner.mjs"
AREA = ("maidstone", "kent")
TOP3_NEEDED = 0.9


def load_queries() -> list[dict[str, str]]:
    items = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    assert isinstance(items, list) and len(items) >= 45, "expected at least 45 {query, expect} pairs"
    return [{"query": str(i["query"]), "expect": str(i["expect"])} for i in items]


def rates(name: str, queries: list[dict[str, str]], ranked: list[list[str]]) -> tuple[float, float]:
    """Print and return the top-1 and top-3 rates, listing the misses."""
    top1 = sum(1 for q, pages in zip(queries, ranked, strict=False) if pages[:1] == [q["expect"]]) / len(queries)
    top3 = sum(1 for q, pages in zip(queries, ranked, strict=False) if q["expect"] in pages[:3]) / len(queries)
    print(f"\n{name}: top-1 {top1:.1%}, top-3 {top3:.1%} of {len(queries)} queries")
    for q, pages in zip(queries, ranked, strict=False):
        if pages[:1] != [q["expect"]]:
            print(f"  {q['query']!r}: expected {q['expect']}, got {pages[:3]}")
    return top1, top3


@pytest.fixture(scope="module")
def queries() -> list[dict[str, str]]:
    return load_queries()


@pytest.fixture(scope="module")
def pagefind_results(demo_site: Path, queries: list[dict[str, str]]) -> dict[str, list[dict[str, Any]]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    request = {"queries": [{"query": q["query"], "limit": 3} for q in queries]
               + [{"query": q["query"], "area": list(AREA), "limit": 3} for q in queries]}
    done = subprocess.run([node, str(RUNNER), str(demo_site)], input=json.dumps(request), capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    ran = json.loads(done.stdout)["queries"]
    return {"none": ran[: len(queries)], "area": ran[len(queries):]}


@pytest.fixture(scope="module")
def whoosh(demo_site: Path) -> Any:
    # The demo build (root: this repository) keeps its Whoosh index in the repository's cache folder.
    with SearchIndex(REPO, demo_site) as index:
        yield index


def test_whoosh_relevance(whoosh: Any, queries: list[dict[str, str]]) -> None:
    ranked = [[r.page for r in whoosh.search(q["query"], limit=3).results] for q in queries]
    _, top3 = rates("Whoosh, no area", queries, ranked)
    assert top3 >= TOP3_NEEDED


def test_whoosh_relevance_in_an_area(whoosh: Any, queries: list[dict[str, str]]) -> None:
    found = [whoosh.search(q["query"], AREA, limit=3).results for q in queries]
    _, top3 = rates(f"Whoosh, area {'+'.join(AREA)}", queries, [[r.page for r in rs] for rs in found])
    assert top3 >= TOP3_NEEDED
    for results in found:
        for r in results:
            assert r.council in (None, *AREA), f"{r.url} is not for {AREA}"


def test_pagefind_relevance(pagefind_results: dict[str, list[dict[str, Any]]], queries: list[dict[str, str]]) -> None:
    ranked = [[r["page"] for r in q["results"]] for q in pagefind_results["none"]]
    _, top3 = rates("Pagefind, no area", queries, ranked)
    assert top3 >= TOP3_NEEDED
    for q in pagefind_results["none"]:
        assert all(r["council"] is None for r in q["results"]), f"{q['query']!r}: no area, so common pages only"


def test_pagefind_relevance_in_an_area(pagefind_results: dict[str, list[dict[str, Any]]],
                                       queries: list[dict[str, str]]) -> None:
    ranked = [[r["page"] for r in q["results"]] for q in pagefind_results["area"]]
    _, top3 = rates(f"Pagefind, area {'+'.join(AREA)}", queries, ranked)
    assert top3 >= TOP3_NEEDED
    for q in pagefind_results["area"]:
        for r in q["results"]:
            assert r["council"] in (None, *AREA), f"{r['url']} is not for {AREA}"


def test_engines_mostly_agree(whoosh: Any, pagefind_results: dict[str, list[dict[str, Any]]],
                              queries: list[dict[str, str]]) -> None:
    """Content designers use Whoosh to see what residents find with Pagefind: the first results should match."""
    same = sum(1 for q, pf in zip(queries, pagefind_results["none"], strict=False)
               if [r.page for r in whoosh.search(q["query"], limit=1).results]
               == [r["page"] for r in pf["results"][:1]])
    print(f"\nSame first result from both engines: {same / len(queries):.1%}")
    assert same / len(queries) >= 0.8
