"""`localgov explain URL`: the files that made a page, in lookup order, and why."""

from __future__ import annotations

import pytest

from localgov.cli import main
from localgov.commands.explain import explain
from localgov.render.layouts import default_templates
from localgov.urls import output_path
from tests.conftest import MakeSite

OVERRIDE = "---\nreplace: [missed]\n---\n## Missed collections {#missed}\n\nCall {{ council.phone }}.\n"


def test_a_variant_lists_its_sources_council_data_and_templates_in_order(make_site: MakeSite) -> None:
    root = make_site({
        "councils/maidstone/rubbish-and-recycling/bin-collections.md": OVERRIDE,
        "templates/base.html": '{% extends "localgov/base.html" %}{% block head %}<meta name="x">{% endblock %}',
    })
    found = explain(root, "/bin-collections/maidstone/")
    assert found.output == "bin-collections/maidstone/index.html"
    paths = [item.path for item in found.items]
    assert paths[:5] == [
        "content/rubbish-and-recycling/bin-collections.md",
        "councils/maidstone/rubbish-and-recycling/bin-collections.md",
        "councils/maidstone/council.yaml",
        "content/rubbish-and-recycling/_topic.yaml",
        "site.yaml",
    ]
    why = {item.path: item.why for item in found.items}
    assert "replace or add 'missed'" in why["councils/maidstone/rubbish-and-recycling/bin-collections.md"]
    templates = [item.path for item in found.items if item.kind == "template"]
    # The layout first; what it extends, the site's base.html, before localgov's base.html it extends in turn.
    assert templates[0] == "variant.html"
    assert templates.index("base.html") < templates.index("localgov/base.html")
    assert why["base.html"].startswith("found in templates/; shadows")
    assert str(default_templates()) in why["base.html"]
    assert why["variant.html"].startswith(f"found in {default_templates()}")
    assert "partials/contact.html" in templates
    assert any(t.startswith("govuk_frontend_jinja/components/") for t in templates)


def test_a_district_names_its_county_only_where_the_county_shares_the_service(make_site: MakeSite) -> None:
    shared = ("---\ntitle: Fly-tipping\nsummary: Report fly-tipping.\nprovider: all\n---\n"
              "Report it to {{ council.name }}.\n")
    root = make_site({"content/rubbish-and-recycling/fly-tipping.md": shared})
    assert "councils/kent/council.yaml" in [i.path for i in explain(root, "/fly-tipping/maidstone/").items]
    assert "councils/kent/council.yaml" not in [i.path for i in explain(root, "/bin-collections/maidstone/").items]


def test_pages_that_are_not_variants_are_explained(make_site: MakeSite) -> None:
    root = make_site()
    hub = explain(root, "https://test.example/councils/kent/")
    assert hub.items[0].path == "councils/kent/council.yaml"
    assert [i.path for i in hub.items if i.kind == "template"][0] == "council.html"
    common = explain(root, "/bin-collections")
    assert common.output == "bin-collections/index.html"
    assert common.items[0].path == "content/rubbish-and-recycling/bin-collections.md"


def test_the_command_prints_the_files_and_an_unknown_url_is_a_usage_error(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    assert main(["--root", str(root), "explain", "/bin-collections/medway/"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("/bin-collections/medway/ is bin-collections/medway/index.html, made from:")
    assert "councils/medway/council.yaml" in out and "variant.html" in out
    assert main(["--root", str(root), "explain", "/bin-collections/kent/"]) == 2
    assert "no page of the site is at /bin-collections/kent/" in capsys.readouterr().err


def test_output_paths() -> None:
    assert output_path("/") == "index.html"
    assert output_path("/bins/maidstone/") == "bins/maidstone/index.html"
    assert output_path("/bins/maidstone") == "bins/maidstone/index.html"
    assert output_path("https://x.example/sitemap.xml?a=1") == "sitemap.xml"
