"""End-to-end builds of small sites: pages, HTML, links, errors and determinism."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from localgov.cli import main
from localgov.render.record import internal_links as recorded_links
from localgov.search.whoosh import index_dir
from tests.conftest import BuiltSite, MakeSite
from tests.helpers import internal_links, read, resolves, tree_digest


def build(root: Path, *args: str) -> int:
    return main(["--root", str(root), "build", *args])


def test_builds_every_page_type(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    assert build(root) == 0
    out = root / "build"
    site = "Test council services"  # site.yaml's name
    pages = {  # URL: (h1, title), from the sources in conftest.py and the templates' fixed headings
        "/": (site, f"Home – {site}"),
        "/rubbish-and-recycling/": ("Rubbish and recycling", f"Rubbish and recycling – {site}"),
        "/rubbish-and-recycling/maidstone/": ("Rubbish and recycling",
                                              f"Rubbish and recycling: Maidstone Borough Council – {site}"),
        "/bin-collections/": ("Bin collections", f"Bin collections – {site}"),
        "/bin-collections/maidstone/": ("Bin collections", f"Bin collections: Maidstone Borough Council – {site}"),
        "/apply-for-a-school-place/kent/": ("Apply for a school place",
                                            f"Apply for a school place: Kent County Council – {site}"),
        "/councils/": ("Councils A to Z", f"Councils A to Z – {site}"),
        "/councils/maidstone/": ("Maidstone Borough Council", f"Maidstone Borough Council – {site}"),
        "/search/": ("Search", f"Search – {site}"),
        "/404.html": ("Page not found", f"Page not found – {site}"),
        "/status/": ("Council data coverage", f"Council data coverage – {site}"),
        "/status/maidstone/": ("Maidstone Borough Council", f"Coverage: Maidstone Borough Council – {site}"),
    }
    for url, (h1, title) in pages.items():
        html = read(out, url)
        assert re.findall(r"<h1[^>]*>([^<]*)</h1>", html) == [h1], url
        assert re.findall(r"<title>([^<]*)</title>", html) == [title], url
    # A variant names its council above the page title.
    assert '<span class="govuk-caption-l" data-pagefind-meta="council">Maidstone Borough Council</span>' in \
        read(out, "/bin-collections/maidstone/")
    assert '<p class="govuk-body-l">Bins, recycling and the tip.</p>' in read(out, "/rubbish-and-recycling/")
    for name in ("404.html", "sitemap.xml", "robots.txt", "_headers"):
        assert (out / name).is_file(), name
    summary = capsys.readouterr().out
    assert re.search(r"Built \d+ pages \(\d+ files\) into .* in [\d.]+s, 0 warnings", summary)


def test_variants_follow_tiers_and_nations(built_sites: BuiltSite) -> None:
    root = built_sites()
    out = root / "build"
    bins = sorted(p.parent.name for p in (out / "bin-collections").glob("*/index.html"))
    assert bins == ["belfast", "cardiff", "glasgow-city", "maidstone", "medway", "thanet", "tunbridge-wells"]
    schools = sorted(p.parent.name for p in (out / "apply-for-a-school-place").glob("*/index.html"))
    # Upper tier: the county and the unitaries; not districts, and not Northern Ireland, where the EA does it.
    assert schools == ["cardiff", "glasgow-city", "kent", "medway"]
    common = read(out, "/apply-for-a-school-place/")
    assert "Education Authority" in common


def test_variant_html_has_govuk_markup_and_council_data(built_sites: BuiltSite) -> None:
    root = built_sites()
    html = read(root / "build", "/bin-collections/maidstone/")
    assert '<p class="govuk-body">Maidstone Borough Council collects your bins' in html
    assert '<h2 class="govuk-heading-m" id="what-goes">What goes in each bin</h2>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert "Glass &amp; cans" in html
    # Contents list links to the section ids.
    contents = html[html.index('aria-label="Contents"'):]
    assert contents.index('href="#what-goes"') < contents.index('href="#missed"')
    # Breadcrumbs: home, topic, common page.
    crumbs = html[html.index("govuk-breadcrumbs"):html.index('id="main-content"')]
    assert re.findall(r'href="([^"]+)"', crumbs) == ["/", "/rubbish-and-recycling/", "/bin-collections/"]
    # The council's own link, and its canonical URL.
    assert ('<a class="govuk-link" href="https://www.maidstone.gov.uk/bins">Report a missed bin'
            '<span class="govuk-visually-hidden"> on the Maidstone Borough Council website</span></a>') in html
    assert '<link rel="canonical" href="https://test.example/bin-collections/maidstone/">' in html


def test_missing_council_data_falls_back_to_wording(built_sites: BuiltSite) -> None:
    root = built_sites()
    html = read(root / "build", "/bin-collections/tunbridge-wells/")
    # No link in council.yaml: say where to find it instead of leaving a blank.
    assert "Report a missed bin on the" in html
    assert 'href="https://tunbridgewells.gov.uk/">Tunbridge Wells Borough Council website</a>' in html
    common = read(root / "build", "/bin-collections/")
    assert "your council collects your bins" in common


def test_hashed_assets_exist_and_are_brand_neutral(built_sites: BuiltSite) -> None:
    root = built_sites()
    out = root / "build"
    html = read(out, "/")
    assets = [h for h in internal_links(html) if h.startswith("/assets/")]
    assert len(assets) >= 4
    for href in assets:
        assert re.search(r"\.[0-9a-f]{10}\.(css|js|svg)$", href), href
        assert (out / href.lstrip("/")).is_file(), href
    css = next(out.glob("assets/govuk-frontend.min.*.css")).read_text(encoding="utf-8")
    assert "GDS Transport" not in css
    # The crown and the GOV.UK logotype are reserved for GOV.UK.
    assert "govuk-logo" not in html
    assert "govuk-footer__crown" not in html


def test_every_internal_link_resolves(built_sites: BuiltSite) -> None:
    root = built_sites()
    out = root / "build"
    pages = list(out.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        for href in internal_links(page.read_text(encoding="utf-8")):
            assert resolves(out, href), f"{page.relative_to(out)} links to missing {href}"


def test_the_links_a_render_records_are_every_local_link_in_the_page(built_sites: BuiltSite) -> None:
    """The build checks links from what each render recorded: the same set an independent reader finds."""
    pages = sorted((built_sites() / "build").rglob("*.html"))
    assert len(pages) > 50
    for path in pages:
        data = path.read_bytes()
        expected = sorted(set(internal_links(data.decode("utf-8"))))
        assert list(recorded_links(data)) == expected, path
    assert recorded_links(b'<a data-href="/a/" href="/b/#x"><img src="/c.svg?v=1" srcset="/d.svg"></a>'
                          b'<a href="//cdn.example/e">') == ("/a/", "/b/", "/c.svg")


def test_two_builds_are_byte_identical(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    assert build(root, "--out", str(tmp_path / "one")) == 0
    assert build(root, "--out", str(tmp_path / "two")) == 0
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


BAD_FILES: dict[str, dict[str, str | bytes | None]] = {
    "malformed yaml": {"content/schools/apply-for-a-school-place.md": "---\ntitle: [unclosed\nsummary: x\n---\nBody\n"},
    "unknown provider": {"content/schools/apply-for-a-school-place.md":
                         "---\ntitle: T\nsummary: S\nprovider: district\n---\nBody\n"},
    "missing title": {"content/schools/apply-for-a-school-place.md": "---\nsummary: S\nprovider: upper\n---\nBody\n"},
    "duplicate slug": {"content/schools/bin-collections.md": "---\ntitle: T\nsummary: S\nprovider: lower\n---\nBody\n"},
    "template error": {"content/schools/apply-for-a-school-place.md":
                       "---\ntitle: T\nsummary: S\nprovider: upper\n---\nOK\n\n{% if council.name %}\nno end\n"},
    "non utf-8": {"content/schools/apply-for-a-school-place.md":
                  b"---\ntitle: Caf\xe9\nsummary: S\nprovider: upper\n---\nBody\n"},
}

EXPECTED_MESSAGE = {
    "malformed yaml": r"apply-for-a-school-place\.md:3: error: invalid YAML: did not find expected ',' or ']'",
    "unknown provider": (r"apply-for-a-school-place\.md:4: error: 'provider': not a known value; "
                         r"expected one of lower, upper, all, national, got 'district'"),
    "missing title": r"apply-for-a-school-place\.md:2: error: 'title': required field is missing",
    "duplicate slug": (r"content/schools/bin-collections\.md:1: error: page slug 'bin-collections' is already used by "
                       r"content/rubbish-and-recycling/bin-collections\.md"),
    "template error": r"apply-for-a-school-place\.md:\d+: error: template error in content: Unexpected end of template",
    "non utf-8": (r"apply-for-a-school-place\.md:2: error: not UTF-8 text \(byte 14\); "
                  r"expected UTF-8 text, got byte 0xe9"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_input_reports_clearly_and_leaves_build_untouched(
    case: str, built_site: BuiltSite, make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    root = built_site()
    before = tree_digest(root / "build")
    capsys.readouterr()
    make_site(BAD_FILES[case])
    assert build(root) == 1
    err = capsys.readouterr().err
    assert re.search(EXPECTED_MESSAGE[case], err), err
    assert "nothing was written" in err
    assert "Traceback" not in err
    assert tree_digest(root / "build") == before
    assert not list(root.glob(".build.new-*")), "staging folder left behind"


def test_all_problems_are_reported_together(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({
        "content/schools/apply-for-a-school-place.md":
            "---\ntitle: T\nsummary: S\nprovider: county\nowner: [x]\n---\nB\n",
        "councils/medway/council.yaml": ("name: Medway Council\ngss: E06000035\ntype: unitary\nnation: england\n"
                                         "website: http://medway.gov.uk/\n"),
        "content/rubbish-and-recycling/bin-collections.md": "---\ntitle: Bins\nsummry: typo\nprovider: lower\n---\nB\n",
    })
    assert build(root) == 1
    err = capsys.readouterr().err
    assert "'provider': not a known value" in err
    assert "'owner': wrong type; expected a non-empty text" in err
    assert "council.yaml:5: error: 'website': council websites must use https" in err
    assert "'summry': unknown field; did you mean 'summary'?" in err
    assert "'summary': required field is missing" in err
    assert "build failed with 5 problems" in err


def test_site_templates_shadow_and_extend_the_defaults(make_site: MakeSite) -> None:
    root = make_site({
        "templates/base.html": ('{% extends "localgov/base.html" %}'
                                '{% block head %}<meta name="site-own" content="yes">{% endblock %}'),
    })
    assert build(root) == 0
    html = read(root / "build", "/bin-collections/maidstone/")
    assert '<meta name="site-own" content="yes">' in html
    assert "Maidstone Borough Council collects your bins" in html


def test_broken_template_is_reported_with_its_file(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"templates/topic.html":
                      '{% extends "localgov/topic.html" %}{% block content %}{{ nope.attr }}{% endblock %}'})
    assert build(root) == 1
    err = capsys.readouterr().err
    assert re.search(r"templates/topic\.html:1: error: cannot render: UndefinedError", err), err


def test_strict_turns_warnings_into_failure(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    broken = {"content/schools/apply-for-a-school-place.md":
              "---\ntitle: T\nsummary: S\nprovider: upper\n---\nSee [fees](/no-such-page/).\n"}
    root = make_site(broken)
    assert build(root) == 0
    assert "broken internal link to /no-such-page/" in capsys.readouterr().err
    assert build(root, "--strict") == 1


def test_a_copy_of_a_built_site_builds_on_from_its_own_cache(built_site: BuiltSite,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Tests that edit a built site take a copy of one built once; its next build must be incremental."""
    root = built_site()
    assert build(root) == 0
    assert re.search(r"; 0 rendered, 0 files written, 0 removed", capsys.readouterr().out)
    (root / "content/schools/apply-for-a-school-place.md").write_text(
        "---\ntitle: Apply for a school place\nsummary: Apply.\nprovider: upper\n---\nApply now.\n", encoding="utf-8")
    assert build(root) == 0
    found = re.search(r"Built (\d+) pages .*; (\d+) rendered", capsys.readouterr().out)
    assert found and 0 < int(found.group(2)) < int(found.group(1)), "the copy was built again from scratch"
    assert "Apply now." in read(root / "build", "/apply-for-a-school-place/kent/")
    assert [p.name for p in index_dir(root).parent.iterdir()] == [index_dir(root).name], "the search index moved"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert re.match(r"localgov \d+\.\d+\.\d+", capsys.readouterr().out)
