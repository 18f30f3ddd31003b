"""Search: reading queries, the markup both engines index, Whoosh, Pagefind in Node and in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from localgov.cli import main
from localgov.commands.search_page import results_page
from localgov.errors import Problems
from localgov.model import Pages
from localgov.search.extract import condense, extract, read_docs
from localgov.search.pagefind import executable, index_folder
from localgov.search.spelling import SiteWords, distance, stem_key
from localgov.search.synonyms import CouncilName, Vocabulary, combine, split_postcode, words
from localgov.search.whoosh import DATA_FILE, SearchIndex, index_dir, read_site_docs, update_index
from tests.conftest import BINS, BuiltSite, MakeSite, build_site
from tests.helpers import tree_digest

REPO = Path(__file__).resolve().parents[1]
RUNNER = REPO / "tests" / "pagefind_runner.mjs"
NODE = shutil.which("node")

SYNONYMS = """
- [bin, bins, refuse, rubbish, waste collection]
- [tip, the tip, recycling centre]
- [where do i vote, polling station]
"""
# A page whose only link to "rubbish" is through the synonym list, and one only its keywords find.
TIP = """
    ---
    title: Household recycling centres
    summary: Take things to the tip.
    provider: upper
    keywords: [hwrc, skip]
    ---
    Take bulky things to a recycling centre run by {{ council.name }}.
"""
VOTE = """
    ---
    title: Polling stations
    summary: Where to vote on election day.
    provider: national
    ---
    Your poll card says where your polling station is.
"""
SEARCH_FILES = {
    "content/_synonyms.yaml": SYNONYMS,
    "content/rubbish-and-recycling/recycling-centres.md": TIP,
    "content/elections/_topic.yaml": "title: Elections\nsummary: Voting.\n",
    "content/elections/polling-stations.md": VOTE,
}
COUNCILS = {
    "maidstone": CouncilName("maidstone", "Maidstone Borough Council", "Maidstone", "kent"),
    "kent": CouncilName("kent", "Kent County Council", "Kent"),
    "reading": CouncilName("reading", "Reading Borough Council", "Reading"),
    "city-of-london": CouncilName("city-of-london", "City of London Corporation", "City of London"),
}


def build(root: Path, *args: str) -> int:
    return main(["--root", str(root), "build", *args])


@pytest.fixture
def search_site(built_sites: BuiltSite) -> Path:
    """A small site with synonyms, built once per session and shared: only read it. Returns its root (the output
    is root/build)."""
    return built_sites(SEARCH_FILES)


@pytest.fixture
def own_search_site(built_site: BuiltSite) -> Path:
    """This test's own copy of the built search site, to change and build again."""
    return built_site(SEARCH_FILES)


# -- reading queries ---------------------------------------------------------------------------


def vocab() -> Vocabulary:
    return Vocabulary([["bin", "bins", "refuse", "rubbish", "waste collection"], ["bin day", "collection day"],
                       ["where do i vote", "polling station"]], COUNCILS)


def test_words_lowercase_and_drop_apostrophes() -> None:
    assert words("Where's the TIP? My neighbour's tree; bins weren't emptied") == [
        "where", "the", "tip", "my", "neighbour", "tree", "bins", "werent", "emptied"]


def test_parse_drops_stop_words_and_expands_synonyms() -> None:
    parsed = vocab().parse("When are my bins collected?")
    assert [s.typed for s in parsed.segments] == ["bins", "collected"]
    bins = parsed.segments[0]
    assert bins.alternatives[0].text == "bins" and bins.alternatives[0].weight == 1.0
    assert {a.text for a in bins.alternatives} == {"bins", "bin", "refuse", "rubbish", "waste collection"}
    assert all(a.weight < 1.0 for a in bins.alternatives[1:])
    assert parsed.segments[1].alternatives == parsed.segments[1].alternatives[:1]


def test_parse_prefers_the_longest_phrase_and_matches_plurals() -> None:
    parsed = vocab().parse("bin days")
    assert [s.typed for s in parsed.segments] == ["bin days"]
    assert "collection day" in {a.text for a in parsed.segments[0].alternatives}
    # Stop words inside a synonym phrase are not searched for.
    where = vocab().parse("where do I vote")
    assert [a.text for a in where.segments[0].alternatives] == ["vote", "polling station"]


def test_parse_finds_council_names_and_their_area() -> None:
    v = vocab()
    parsed = v.parse("Maidstone bins")
    assert parsed.councils == ("maidstone",) and [s.typed for s in parsed.segments] == ["bins"]
    assert v.area_of(parsed.councils) == ("maidstone", "kent")
    assert v.parse("city of london parking").councils == ("city-of-london",)
    assert v.parse("kent county council").councils == ("kent",) and v.parse("kent county council").empty
    # A council whose name is an everyday word needs "council" after it.
    assert v.parse("reading glasses").councils == ()
    assert v.parse("reading council bins").councils == ("reading",)


def test_combine_needs_every_thing_asked_for() -> None:
    assert combine([1.0, 2.0]) == 3.0
    assert combine([3.0, 0.0]) == 0, "a page matching only some of the query is not a good answer"
    assert combine([0.0, 0.0]) == 0


def test_split_postcode_takes_a_postcode_out_of_the_query() -> None:
    assert split_postcode("bin day me15 6jq") == ("bin day", "ME15 6JQ")
    assert split_postcode("ME156JQ council tax") == ("council tax", "ME15 6JQ")
    assert split_postcode("SW1A 1AA") == ("", "SW1A 1AA")
    assert split_postcode("bins me15") == ("bins me15", None), "an outward code alone is not a postcode"
    assert split_postcode("room 101 booking") == ("room 101 booking", None)


# -- the site's own words --------------------------------------------------------------------------

SITE_WORDS = SiteWords({"recycling": 9, "council": 40, "counsel": 1, "licence": 3, "collected": 4, "bin": 8,
                        "tax": 10, "all": 30, "pass": 2, "passport": 2, "getting": 3, "writing": 2},
                       extra=("maidstone",))


def test_distance_counts_swapped_letters_as_one_edit() -> None:
    assert distance("councl", "council", 2) == 1
    assert distance("cuoncil", "council", 2) == 1
    assert distance("counsil", "council", 2) == 1
    assert distance("recyclling", "recycling", 2) == 1
    assert distance("allotment", "all", 2) == 3, "above the limit: limit + 1"
    assert stem_key("collecting") == stem_key("collected") == "collect"


def test_site_words_correct_typos_from_the_sites_own_words() -> None:
    reading = SITE_WORDS.read("Recyclling counsil")
    assert reading.text == "recycling council" and reading.unknown == ()
    assert reading.corrected == (("recyclling", "recycling"), ("counsil", "council"))
    # The commonest of two equally near words wins.
    assert SITE_WORDS.correction("councel") == "council"
    # Forms of a site word are known, not corrected.
    assert SITE_WORDS.read("bins collecting").corrected == ()


def test_site_words_report_words_no_page_has() -> None:
    allotment = SITE_WORDS.read("allotment")
    assert allotment.unknown == ("allotment",) and allotment.corrected == (), "not 'all'"
    hmo = SITE_WORDS.read("HMO licence")
    assert hmo.unknown == ("hmo",) and hmo.text == "hmo licence", "short words are never corrected"
    # Only a long word may be two edits from its correction: "gritting" is not "getting".
    assert SITE_WORDS.read("gritting").unknown == ("gritting",)
    assert SITE_WORDS.read("recycyling").corrected == (("recycyling", "recycling"),)
    assert "getting" in SITE_WORDS.read("gritting").suggestions
    # A number no page has is left out rather than make the query unanswerable.
    assert SITE_WORDS.read("bin 2026") == SITE_WORDS.read("bin")
    assert SITE_WORDS.read("bin wasnt collected today").text == "bin collected", "everyday words no page has"
    assert SiteWords({"today": 1, "bin": 1}).read("bin today").text == "bin today", "unless a page has them"
    assert SITE_WORDS.read("maidstne").corrected == (("maidstne", "maidstone"),), "council names are site words"


def test_vocabulary_survives_json() -> None:
    v = vocab()
    again = Vocabulary.from_json(json.loads(json.dumps(v.to_json())))
    for query in ("maidstone rubbish day", "where do i vote", "kent bin day"):
        assert again.parse(query) == v.parse(query)


# -- the markup ----------------------------------------------------------------------------------

PAGE = """<html><body><nav>Menu bins</nav><main class="x" data-pagefind-body>
<div class="lg-search-terms" hidden data-pagefind-weight="6">bin day, wheelie bin
<span data-pagefind-filter="council:maidstone"></span><span data-pagefind-meta="page:bin-collections"></span>
<span data-pagefind-meta="provider:lower"></span></div>
<span class="govuk-caption-l" data-pagefind-meta="council">Maidstone Borough Council</span>
<h1 class="govuk-heading-xl">Bin collections</h1><p class="govuk-body-l" data-pagefind-meta="summary">When bins go.</p>
<nav data-pagefind-ignore="all"><a href="#a">Contents words</a></nav>
<p>Put bins out<br>early &amp; often.</p><!-- a comment --><div data-pagefind-ignore="all"><p>Contact us</p></div>
<p>Last<b>word</b></p></main><footer>Footer</footer></body></html>"""


def test_extract_reads_what_pagefind_reads() -> None:
    doc = extract(PAGE, "bin-collections/maidstone/index.html")
    assert doc is not None
    assert doc.url == "/bin-collections/maidstone/" and doc.page == "bin-collections" and doc.scope == "maidstone"
    assert doc.title == "Bin collections" and doc.summary == "When bins go."
    assert doc.keywords == "bin day, wheelie bin" and doc.provider == "lower"
    assert doc.council_name == "Maidstone Borough Council"
    assert doc.body == "Put bins out early & often. Lastword"
    assert extract(PAGE.replace(" data-pagefind-body", ""), "x/index.html") is None


def test_variants_keep_only_what_they_add() -> None:
    common = extract(PAGE.replace("council:maidstone", "council:common"), "bin-collections/index.html")
    variant = extract(PAGE.replace("early", "early or late, says Maidstone,"), "bin-collections/maidstone/index.html")
    assert common is not None and variant is not None
    condensed = {d.url: d for d in condense([common, variant])}
    assert condensed["/bin-collections/"].body == common.body
    assert condensed["/bin-collections/maidstone/"].body == "or late says maidstone"


def test_search_reads_only_the_pages_the_render_stage_did_not_find_unindexed(tmp_path: Path) -> None:
    staged = tmp_path / "staged"
    (staged / "bin-collections" / "maidstone").mkdir(parents=True)
    (staged / "bin-collections" / "maidstone" / "index.html").write_text(PAGE, encoding="utf-8")
    # Named unindexed by the render stage, so never opened: this one is not even there.
    pages = Pages({"bin-collections/maidstone/index.html": b"1", "councils/kent/index.html": b"2"}, reuse=False,
                  unindexed=frozenset({"councils/kent/index.html"}))
    found = read_site_docs(staged, tmp_path / "cache", pages)
    assert [doc.url for doc in found] == ["/bin-collections/maidstone/"]
    with pytest.raises(FileNotFoundError):
        read_site_docs(staged, tmp_path / "cache", Pages(pages.digests, reuse=False))


# -- the build -----------------------------------------------------------------------------------


def test_build_writes_both_indexes_and_the_vocabulary(search_site: Path) -> None:
    out = search_site / "build"
    assert (out / "pagefind" / "pagefind.js").is_file()
    assert not (out / "pagefind" / "pagefind-ui.js").exists(), "the prebuilt UI sets inline styles; it is not shipped"
    data = json.loads((out / "search" / "synonyms.json").read_text(encoding="utf-8"))
    assert ["bin", "bins", "refuse", "rubbish", "waste collection"] in data["groups"]
    assert data["councils"]["maidstone"] == {"name": "Maidstone Borough Council", "short": "Maidstone",
                                             "parent": "kent", "website": "https://www.maidstone.gov.uk/",
                                             "nation": "england"}
    site_words = json.loads((out / "search" / "words.json").read_text(encoding="utf-8"))["words"]
    assert site_words["hwrc"] >= 1 and "xylophone" not in site_words
    assert site_words["collections"] >= 1, "words of every searchable page, common and variants"
    assert data["names"]["maidstone"] == "maidstone"
    assert json.loads((out / "search" / "councils" / "maidstone.json").read_text())["pages"] == ["bin-collections"]
    kent = json.loads((out / "search" / "councils" / "kent.json").read_text())["pages"]
    assert kent == ["apply-for-a-school-place", "recycling-centres"]
    search = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<script type="module" src="/assets/search\.[0-9a-f]{10}\.js"></script>', search)
    assert "data-pagefind-body" not in search
    # Each page is indexed once, and once more for each nation's text: from its first council there.
    variant = (out / "bin-collections" / "maidstone" / "index.html").read_text(encoding="utf-8")
    assert 'data-pagefind-filter="council:nation:england"' in variant and "<main" in variant
    assert re.search(r'<main [^>]*data-pagefind-body', variant)
    other = (out / "bin-collections" / "thanet" / "index.html").read_text(encoding="utf-8")
    assert "<main" in other and "data-pagefind-body" not in other and "data-pagefind-filter" not in other
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in home


def test_whoosh_finds_common_pages_by_resident_words(search_site: Path) -> None:
    with SearchIndex(search_site) as index:
        rubbish = index.search("rubbish")
        assert [r.page for r in rubbish.results][:1] == ["bin-collections"]
        assert all(r.council is None and r.url.count("/") == 2 for r in rubbish.results), "common pages only"
        assert index.search("hwrc").results[0].page == "recycling-centres", "keywords are searched"
        assert index.search("where do i vote").results[0].page == "polling-stations"
        assert index.search("xylophone").total == 0


def test_whoosh_says_what_no_page_has_and_corrects_typos(search_site: Path) -> None:
    with SearchIndex(search_site) as index:
        typo = index.search("rubbsh")
        assert typo.corrected == (("rubbsh", "rubbish"),) and typo.results[0].page == "bin-collections"
        # Every word must match: a page about voting is no answer to "polling xylophone".
        half = index.search("polling xylophone")
        assert half.total == 0 and half.results == () and half.unknown == ("xylophone",)
        assert half.rest == "polling"
        assert index.search("polling").total == 1
        # Words the site has, but no page has both.
        assert index.search("hwrc polling").total == 0


def test_whoosh_shows_the_variants_of_the_residents_councils(search_site: Path) -> None:
    with SearchIndex(search_site) as index:
        found = index.search("tip", index.area_for("maidstone"))
        assert found.area == ("maidstone", "kent")
        top = found.results[0]
        assert (top.page, top.url, top.council_name) == ("recycling-centres", "/recycling-centres/kent/",
                                                          "Kent County Council")
        bins = index.search("bins", ("medway",)).results[0]
        assert bins.url == "/bin-collections/medway/"
        # A national page has no variants: the common page is shown.
        assert index.search("polling station", ("medway",)).results[0].url == "/polling-stations/"
        # A council named in the query picks the area.
        named = index.search("thanet rubbish")
        assert named.area == ("thanet", "kent") and named.results[0].url == "/bin-collections/thanet/"
        only = index.search("Thanet District Council")
        assert only.total == 0 and [h.url for h in only.council_pages] == ["/councils/thanet/"]
        # Nothing but a postcode (its area given): the resident's council's own page.
        postcode_only = index.search("ME15 6JQ", ("maidstone", "kent"))
        assert [h.url for h in postcode_only.council_pages] == ["/councils/maidstone/"]


def test_whoosh_index_is_updated_only_where_pages_changed(own_search_site: Path) -> None:
    out = own_search_site / "build"
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("index.html"))
    docs = condense(read_docs(out, pages))
    data = (index_dir(own_search_site, out) / DATA_FILE).read_bytes()  # the vocabulary and each council's variants
    again = update_index(index_dir(own_search_site, out), docs, data)
    assert (again.added, again.updated, again.removed, again.rebuilt) == (0, 0, 0, False)
    edited = [replace(d, body=d.body + " ballot") if d.url == "/polling-stations/" else d
              for d in docs if d.url != "/bin-collections/maidstone/"]
    stats = update_index(index_dir(own_search_site, out), edited, data)
    assert (stats.added, stats.updated, stats.removed, stats.rebuilt) == (0, 1, 1, False)
    with SearchIndex(own_search_site) as index:
        assert index.search("ballot").results[0].url == "/polling-stations/"
        # A resident's own variant comes from the build's list of variants, not from a document of its own.
        assert [r.url for r in index.search("rubbish", ("thanet", "kent")).results][:1] == ["/bin-collections/thanet/"]


NATION_TEXT = {
    "councils/thanet/rubbish-and-recycling/bin-collections.md":
        "---\nsummary: Thanet's bins.\n---\n## Quokka collections {#quokka}\n\nThanet collects quokka bins.\n",
    "content/rubbish-and-recycling/bin-collections.md": textwrap.dedent(BINS).lstrip("\n").replace(
        "collects your bins every week or fortnight.",
        "collects your bins every week or fortnight.{% if council.nation == 'wales' %} Ask about zymurgy sacks."
        "{% endif %}"),
}


def test_the_index_holds_each_page_once_with_each_nations_text_and_each_councils_own(
        built_sites: BuiltSite) -> None:
    root = built_sites(NATION_TEXT)
    out = root / "build"
    scoped = {}
    for path in out.glob("bin-collections/*/index.html"):
        found = re.search(r'data-pagefind-filter="council:([^"]+)"', path.read_text(encoding="utf-8"))
        scoped[path.parent.name] = found.group(1) if found else None
    assert scoped == {"maidstone": "nation:england", "thanet": "thanet", "medway": None, "tunbridge-wells": None,
                      "cardiff": "nation:wales", "glasgow-city": "nation:scotland",
                      "belfast": "nation:northern-ireland"}
    with SearchIndex(root) as index:
        # Wales's text is found by Welsh residents, on their own council's page, and not by others.
        assert [r.url for r in index.search("zymurgy", ("cardiff",)).results] == ["/bin-collections/cardiff/"]
        assert index.search("zymurgy", ("maidstone", "kent")).results == ()
        assert index.search("zymurgy").results == ()
        # A council's own text is found by its residents only.
        assert [r.url for r in index.search("quokka", ("thanet", "kent")).results] == ["/bin-collections/thanet/"]
        assert index.search("quokka", ("maidstone", "kent")).results == ()


BALLOT_PAGE = ("---\ntitle: Polling stations\nsummary: Where to vote.\nprovider: national\n---\n"
               "Bring your zymurgy card.\n")


def test_a_failed_build_leaves_the_search_index_of_the_published_site(own_search_site: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from localgov import index

    def fail(site: Any, staged: Path, kept: Path, problems: Problems, pages: Any) -> None:
        problems.error("late-step", 0, "fails after the search index was updated")

    published = tree_digest(index_dir(own_search_site))
    (own_search_site / "content/elections/polling-stations.md").write_text(BALLOT_PAGE, encoding="utf-8")
    monkeypatch.setattr(index, "FINALISERS", (*index.FINALISERS, index.Finaliser("late", fail, index_dir)))
    assert build(own_search_site) == 1
    assert tree_digest(index_dir(own_search_site)) == published, "the index describes a site that was not published"
    assert [p.name for p in index_dir(own_search_site).parent.iterdir()] == [index_dir(own_search_site).name]
    with SearchIndex(own_search_site) as found:
        assert found.search("zymurgy").total == 0
    monkeypatch.undo()
    assert build(own_search_site) == 0
    with SearchIndex(own_search_site) as found:
        assert [r.url for r in found.search("zymurgy").results] == ["/polling-stations/"]


def test_each_output_folder_has_its_own_search_index(own_search_site: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (own_search_site / "content/elections/polling-stations.md").write_text(BALLOT_PAGE, encoding="utf-8")
    other = tmp_path / "other"
    assert build(own_search_site, "--out", str(other)) == 0
    with SearchIndex(own_search_site, other) as found:
        assert found.search("zymurgy").total == 1
    with SearchIndex(own_search_site) as found:
        assert found.search("zymurgy").total == 0, "building another folder changed the index of build/"
    capsys.readouterr()
    assert main(["--root", str(own_search_site), "search", "zymurgy", "--out", str(other)]) == 0
    assert "/polling-stations/" in capsys.readouterr().out
    assert main(["--root", str(own_search_site), "search", "zymurgy"]) == 1


def test_pagefind_bundle_is_the_same_for_the_same_pages(tmp_path: Path) -> None:
    for name in ("one", "two"):
        site = tmp_path / name
        for number, council in enumerate(["kent", "adur", "medway", "york", "fife", "bury", "arun", "hart"]):
            page = site / f"p{number}" / "index.html"
            page.parent.mkdir(parents=True)
            page.write_text(f'<html lang="en"><body><main data-pagefind-body><h1>Page {number}</h1>'
                            f'<span data-pagefind-filter="council:{council}"></span>'
                            f'<span data-pagefind-filter="tier:{number % 3}"></span><p>words {council}</p>'
                            "</main></body></html>", encoding="utf-8")
        problems = Problems()
        assert index_folder(site, problems) == 8 and not problems.errors
    assert tree_digest(tmp_path / "one" / "pagefind") == tree_digest(tmp_path / "two" / "pagefind")


# -- localgov search and the no-JavaScript results page ----------------------------------------------


def test_search_command_prints_titles_urls_and_councils(search_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(search_site), "search", "rubbish", "--council", "maidstone", "-n", "3"]) == 0
    printed = capsys.readouterr().out
    assert "for Maidstone Borough Council and Kent County Council" in printed
    assert re.search(r"1\. Bin collections \u2014 Maidstone Borough Council\n\s+/bin-collections/maidstone/", printed)
    assert main(["--root", str(search_site), "search", "rubbish", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["results"][0]["url"] == "/bin-collections/" and data["read_as"] == ["rubbish"]
    assert main(["--root", str(search_site), "search", "xylophone"]) == 1
    capsys.readouterr()
    assert main(["--root", str(search_site), "search", "polling", "xylophone"]) == 1
    assert "no page has 'xylophone', so nothing is a good answer" in capsys.readouterr().out
    assert main(["--root", str(search_site), "search", "rubbsh"]) == 0
    assert 'no page has "rubbsh": searched for "rubbish" instead' in capsys.readouterr().out
    assert main(["--root", str(search_site), "search", "bins", "--council", "nowhere"]) == 2
    assert "no council called 'nowhere'" in capsys.readouterr().err


def test_search_command_needs_a_built_site(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    assert main(["--root", str(root), "search", "bins"]) == 2
    assert "run 'localgov build' first" in capsys.readouterr().err


def test_results_page_is_the_search_page_with_results(search_site: Path) -> None:
    page = results_page(search_site, "rubbish", council="tunbridge-wells").decode("utf-8")
    assert "<title>Search results for \u201crubbish\u201d \u2013 Test council services</title>" in page
    assert 'data-engine="whoosh"' in page and "Search needs JavaScript" not in page
    assert re.search(r'<span class="govuk-!-font-weight-bold">\d+</span> results?', page)
    assert "Showing pages for Tunbridge Wells Borough Council and Kent County Council." in page
    assert '<a class="govuk-link" href="/bin-collections/tunbridge-wells/">Bin collections</a>' in page
    assert '<input type="hidden" name="council" value="tunbridge-wells">' in page
    assert 'value="rubbish"' in page
    assert re.search(r'<link rel="stylesheet" href="/assets/localgov\.[0-9a-f]{10}\.css">', page)
    nothing = results_page(search_site, "xylophone").decode("utf-8")
    assert ('No pages on this site have <span class="govuk-!-font-weight-bold">&lsquo;xylophone&rsquo;</span>.'
            in nothing)
    assert "its own website" not in nothing, "no area is known, so no council is named"
    mine = results_page(search_site, "polling xylophone", council="maidstone").decode("utf-8")
    assert ('Maidstone Borough Council may have what you are looking for on <a class="govuk-link" '
            'href="https://www.maidstone.gov.uk/">its own website</a>.') in mine
    assert 'href="/search/?q=polling&amp;council=maidstone">search for &lsquo;polling&rsquo;</a>' in mine
    typo = results_page(search_site, "rubbsh").decode("utf-8")
    assert 'Showing results for <a class="govuk-link" href="/search/?q=rubbish">rubbish</a> instead.' in typo
    assert '<a class="govuk-link" href="/bin-collections/">Bin collections</a>' in typo


BEACH = """
    ---
    title: Beach safety
    summary: Stay safe at the beach.
    provider: lower
    requires: [coastline]
    ---
    Lifeguards watch some beaches in summer.
"""


def test_results_leave_out_pages_the_residents_area_does_not_have(make_site: MakeSite) -> None:
    root = make_site({**SEARCH_FILES, "content/elections/beach-safety.md": BEACH})
    assert build(root) == 0
    data = json.loads((root / "build" / "search" / "synonyms.json").read_text(encoding="utf-8"))
    assert data["councils"]["maidstone"]["lacks"] == ["beach-safety"] and "lacks" not in data["councils"]["thanet"]
    with SearchIndex(root) as index:
        assert [r.page for r in index.search("beach").results] == ["beach-safety"]
        assert [r.url for r in index.search("beach", ("thanet", "kent")).results] == ["/beach-safety/thanet/"]
        inland = index.search("beach", ("maidstone", "kent"))
        assert inland.total == 0 and inland.results == ()
    ran = run_pagefind(root / "build", {"queries": [
        {"query": "beach", "area": ["thanet", "kent"]}, {"query": "beach", "area": ["maidstone", "kent"]}]})
    coast, inland_js = ran["queries"]
    assert [r["url"] for r in coast["results"]] == ["/beach-safety/thanet/"]
    assert inland_js["results"] == []


def test_results_page_has_govuk_pagination(make_site: MakeSite) -> None:
    files = dict(SEARCH_FILES)
    for number in range(23):
        files[f"content/elections/guide-{number}.md"] = (
            f"---\ntitle: Guide {number}\nsummary: A guide to ballots.\nprovider: national\n---\nBallot guide.\n")
    root = make_site(files)
    assert build(root) == 0
    first = results_page(root, "ballot").decode("utf-8")
    assert '<span class="govuk-!-font-weight-bold">23</span> results' in first
    assert first.count('class="lg-search-result ') == 10
    assert 'class="govuk-pagination"' in first and 'href="/search/?q=ballot&amp;page=2" rel="next"' in first
    third = results_page(root, "ballot", page=3).decode("utf-8")
    assert third.count('class="lg-search-result ') == 3 and 'rel="prev"' in third and 'rel="next"' not in third


def test_server_answers_search_without_javascript(search_site: Path) -> None:
    from localgov.commands.serve import make_server

    server = make_server(search_site / "build", "127.0.0.1", 0, site_root=search_site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for path in ("/search?q=refuse", "/search/?q=refuse&council=maidstone"):
            with urllib.request.urlopen(base + path, timeout=10) as response:
                assert response.status == 200
                html = response.read().decode("utf-8")
            assert 'data-engine="whoosh"' in html and "/bin-collections/" in html, path
        with urllib.request.urlopen(base + "/search/", timeout=10) as response:
            empty = response.read().decode("utf-8")
        assert 'id="search-q"' in empty and "Search needs JavaScript" not in empty
    finally:
        server.shutdown()
        server.server_close()


# -- Pagefind, through search.js, in Node ----------------------------------------------------------


def run_pagefind(out: Path, request: dict[str, Any]) -> dict[str, Any]:
    """Run queries through the built search.js and Pagefind index in Node."""
    if NODE is None:
        pytest.skip("Node.js is not installed")
    done = subprocess.run([NODE, str(RUNNER), str(out)], input=json.dumps(request), capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_search_js_reads_queries_like_python(search_site: Path) -> None:
    out = search_site / "build"
    queries = ["When are my bins collected?", "Maidstone rubbish", "where's the tip", "where do i vote",
               "Kent County Council", "reading council bins", "the", "", "kent tip opening times 2026",
               "rubbsh", "polling xylophone", "maidstne counsil tip", "electoral registration",
               "bins wasnt collected today"]
    ran = run_pagefind(out, {"parse": queries, "read": queries})
    with SearchIndex(search_site) as index:
        assert index.words is not None
        for query, js in zip(queries, ran["read"], strict=False):
            reading = index.words.read(query)
            assert js == {"text": reading.text, "corrected": [list(p) for p in reading.corrected],
                          "unknown": list(reading.unknown), "suggestions": list(reading.suggestions)}, query
        for query, js in zip(queries, ran["parse"], strict=False):
            py = index.vocabulary.parse(query)
            assert js["councils"] == list(py.councils), query
            assert js["segments"] == [
                {"typed": s.typed, "alternatives": [{"text": a.text, "weight": a.weight} for a in s.alternatives]}
                for s in py.segments], query


def test_pagefind_finds_common_pages_or_the_residents_variants(search_site: Path) -> None:
    out = search_site / "build"
    ran = run_pagefind(out, {"queries": [
        {"query": "rubbish"}, {"query": "rubbish", "area": ["maidstone", "kent"]}, {"query": "hwrc"},
        {"query": "tip", "area": ["maidstone", "kent"]}, {"query": "where do i vote", "area": ["medway"]},
        {"query": "thanet rubbish"}, {"query": "Thanet District Council"}, {"query": "xylophone"},
        {"query": "rubbsh"}, {"query": "polling xylophone"}, {"query": "hwrc polling"},
        {"query": "ME15 6JQ", "area": ["maidstone", "kent"]},
    ]})["queries"]
    plain, mine, keywords, tip, vote, named, only, nothing, typo, half, apart, postcode = ran
    assert postcode["councilPages"] == ["/councils/maidstone/"]
    assert typo["corrected"] == [["rubbsh", "rubbish"]] and typo["results"][0]["page"] == "bin-collections"
    assert half["total"] == 0 and half["unknown"] == ["xylophone"] and half["rest"] == "polling"
    assert apart["total"] == 0 and apart["results"] == [], "no page has both words"
    assert plain["results"][0]["url"] == "/bin-collections/"
    assert all(r["council"] is None for r in plain["results"]), "without an area, common pages only"
    assert mine["results"][0]["url"] == "/bin-collections/maidstone/"
    assert {r["page"] for r in mine["results"]} == {r["page"] for r in plain["results"]}, "each page once"
    assert keywords["results"][0]["page"] == "recycling-centres"
    assert tip["results"][0]["url"] == "/recycling-centres/kent/"
    assert vote["results"][0]["url"] == "/polling-stations/"
    assert named["area"] == ["thanet", "kent"] and named["results"][0]["url"] == "/bin-collections/thanet/"
    assert only["total"] == 0 and only["councilPages"] == ["/councils/thanet/"]
    assert nothing["total"] == 0 and nothing["results"] == []


# -- the search page in Chromium -----------------------------------------------------------------


@pytest.fixture(scope="module")
def csp_site(demo_site: Path, serve_folder: Callable[..., str]) -> str:
    """The demo site served with its own `_headers`, so the page runs under the site's CSP."""
    from tests.browser import parse_headers

    return serve_folder(demo_site, parse_headers((demo_site / "_headers").read_text(encoding="utf-8")))


def results_of(page: Any) -> list[tuple[str, str]]:
    page.locator("#search-count").wait_for(state="visible")
    links = page.locator("#search-list li.lg-search-result h2 a")
    return [(links.nth(i).inner_text(), links.nth(i).get_attribute("href")) for i in range(links.count())]


@pytest.mark.browser
def test_search_page_in_a_browser_with_and_without_an_area(csp_site: str, new_page: Callable[..., Any]) -> None:
    page = new_page()
    page.goto(csp_site + "/search/")
    box = page.locator("main").get_by_role("searchbox")
    box.fill("when are my bins collected")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=when"))
    found = results_of(page)
    assert found[0] == ("Bin collections", "/bin-collections/")
    assert all(href.count("/") == 2 for _, href in found), f"no area, so common pages only: {found}"
    assert re.fullmatch(r"\d+ results?", page.locator("#search-count").inner_text())
    assert page.get_by_role("link", name="find your council").first.get_attribute("href") == \
        "/bin-collections/#find-your-council"

    # The postcode journey remembers the area; search then shows that area's councils' pages.
    page.evaluate("() => localStorage.setItem('localgov:area', JSON.stringify({lower: 'maidstone', county: 'kent'}))")
    page.goto(csp_site + "/search/?q=bin+day")
    found = results_of(page)
    assert found[0] == ("Bin collections", "/bin-collections/maidstone/")
    assert all(re.fullmatch(r"/[a-z-]+/((maidstone|kent)/)?", href) for _, href in found), found
    assert "Showing pages for Maidstone Borough Council and Kent County Council" in page.locator("main").inner_text()
    assert page.locator("#search-list li").first.locator(".lg-search-result__council").inner_text() == \
        "Maidstone Borough Council"

    # The page a resident came from wins over the remembered area.
    page.goto(csp_site + "/search/?q=school+place&council=cardiff")
    assert results_of(page)[0] == ("Apply for a school place", "/apply-for-a-school-place/cardiff/")

    # "Search pages for every council" drops the remembered area.
    page.goto(csp_site + "/search/?q=bin+day")
    results_of(page)
    page.get_by_role("link", name="Search pages for every council").click()
    page.wait_for_url(re.compile(r"area=all"))
    assert results_of(page)[0] == ("Bin collections", "/bin-collections/")
    assert not page.errors, str(page.errors)


@pytest.mark.browser
def test_search_page_pages_through_results(csp_site: str, new_page: Callable[..., Any]) -> None:
    page = new_page(viewport="phone")
    page.goto(csp_site + "/search/?q=council")
    first = results_of(page)
    total = int(page.locator("#search-count span").inner_text().replace(",", ""))
    assert total > 10 and len(first) == 10
    page.locator(".govuk-pagination__next a").click()
    page.wait_for_url(re.compile(r"page=2"))
    second = results_of(page)
    assert second and not {href for _, href in second} & {href for _, href in first}
    assert page.locator(".govuk-pagination__item--current").inner_text().strip() == "2"
    assert not page.errors, str(page.errors)


@pytest.mark.browser
def test_search_page_says_when_nothing_matches(csp_site: str, new_page: Callable[..., Any]) -> None:
    page = new_page()
    page.goto(csp_site + "/search/?q=xylophone+zeppelin")
    page.locator("#search-count").wait_for()
    assert page.locator("#search-count").inner_text() == "0 results"
    said = page.locator("main").inner_text()
    assert "No pages on this site have \u2018xylophone\u2019 or \u2018zeppelin\u2019." in said
    # With a known area the resident's council is named, with a link to its website.
    page.evaluate("() => localStorage.setItem('localgov:area', JSON.stringify({lower: 'maidstone', county: 'kent'}))")
    page.goto(csp_site + "/search/?q=quokka+licence")
    page.locator("#search-count").wait_for()
    main = page.locator("main").inner_text()
    assert page.locator("#search-count").inner_text() == "0 results"
    assert "No pages on this site have \u2018quokka\u2019" in main
    own = page.locator(".lg-search-own-council a")
    assert own.get_attribute("href") == "https://www.maidstone.gov.uk/"
    assert page.get_by_role("link", name="search for \u2018licence\u2019").get_attribute("href").startswith(
        "/search/?q=licence")
    assert not page.errors, str(page.errors)


@pytest.mark.browser
def test_search_page_corrects_typos_and_reads_postcodes(csp_site: str, new_page: Callable[..., Any]) -> None:
    page = new_page()
    page.goto(csp_site + "/search/?q=counsil+tax+band")
    found = results_of(page)
    assert found[0] == ("Council Tax bands", "/council-tax-bands/")
    assert page.locator(".lg-search-corrected").inner_text() == \
        "No pages have \u2018counsil\u2019. Showing results for council tax band instead."
    # A postcode in the box scopes the results, as the postcode form does.
    page.goto(csp_site + "/search/?q=bin+day+ME15+6JQ")
    found = results_of(page)
    assert found[0] == ("Bin collections", "/bin-collections/maidstone/")
    assert "Showing pages for Maidstone Borough Council and Kent County Council" in page.locator("main").inner_text()
    assert page.locator("#search-q").input_value() == "bin day ME15 6JQ"
    # An inland council's residents are not shown Beach safety.
    page.goto(csp_site + "/search/?q=beach+safety+ME15+6JQ")
    page.locator("#search-count").wait_for()
    assert "Beach safety" not in [title for title, _ in results_of(page)]
    assert not page.errors, str(page.errors)


@pytest.mark.browser
def test_header_search_on_every_page_and_the_phone_layout(csp_site: str, new_page: Callable[..., Any]) -> None:
    page = new_page(viewport="phone")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(csp_site + "/bin-collections/")
    header_box = page.locator("header").get_by_role("searchbox")
    header_box.fill("pay council tax")
    header_box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=pay"))
    assert results_of(page)[0] == ("Pay your Council Tax", "/pay-council-tax/")
    # At 320 px wide the boxes are wide enough to read what is typed, and nothing scrolls sideways.
    for box in (page.locator("#search-q"), page.locator("#header-search-q")):
        width = box.bounding_box()["width"]
        assert width >= 150, f"the search box is {width}px wide"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    # Each result's "Provided by" line sits with its own result: close under its summary, well above the next.
    first, second = page.locator("#search-list li.lg-search-result").nth(0), page.locator(
        "#search-list li.lg-search-result").nth(1)
    meta = first.locator(".lg-meta").last.bounding_box()
    summary = first.locator("h2 + p").bounding_box()
    gap_within = meta["y"] - (summary["y"] + summary["height"])
    gap_after = second.bounding_box()["y"] - (meta["y"] + meta["height"])
    assert gap_within <= 10 and gap_after >= 2 * gap_within and gap_after >= 15, (gap_within, gap_after)
    assert meta["y"] + meta["height"] <= first.bounding_box()["y"] + first.bounding_box()["height"]
    assert not page.errors, str(page.errors)


@pytest.fixture(scope="module")
def server_with_search(demo_site: Path) -> Iterator[str]:
    """The demo site as `localgov serve` serves it: /search?q= answered from the Whoosh index."""
    from localgov.commands.serve import make_server

    server = make_server(demo_site, "127.0.0.1", 0, site_root=REPO)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_search_form_works_without_javascript_on_the_dev_server(server_with_search: str,
                                                                 new_page: Callable[..., Any]) -> None:
    page = new_page(js=False)
    page.goto(server_with_search + "/search/?council=maidstone")
    box = page.locator("main").get_by_role("searchbox")
    box.fill("bin day")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=bin"))
    found = results_of(page)
    assert found[0] == ("Bin collections", "/bin-collections/maidstone/")
    assert "Search needs JavaScript" not in page.locator("main").inner_text()


@pytest.mark.browser
def test_header_search_works_without_javascript_on_the_dev_server(server_with_search: str,
                                                                   new_page: Callable[..., Any]) -> None:
    page = new_page(js=False)
    page.goto(server_with_search + "/")
    box = page.locator("header").get_by_role("searchbox")
    box.fill("recyclling")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=recyclling"))
    assert results_of(page)[0][1] == "/recycling-centres/"
    assert "Showing results for recycling instead" in page.locator("main").inner_text()


def test_a_build_reads_for_search_only_the_pages_that_changed(make_site: MakeSite) -> None:
    """What search read from a page is kept under the page's digest: an unchanged page is not read again."""
    from localgov.search.whoosh import DOCS_FILE

    root = make_site()
    build_site(root)
    kept = index_dir(root) / DOCS_FILE
    record = json.loads(kept.read_text(encoding="utf-8"))
    pages = record["pages"]
    html = sorted(p.relative_to(root / "build").as_posix() for p in (root / "build").rglob("*.html"))
    assert sorted(pages) == html, "every page of the site, searchable or not, with its digest"
    searchable = {rel for rel, (_, doc) in pages.items() if doc is not None}
    assert "bin-collections/index.html" in searchable and "index.html" not in searchable
    # Change what the record says of the schools page, then edit only the bins page: the next build takes the
    # schools page from the record (its bytes did not change) and reads the bins page again.
    pages["apply-for-a-school-place/index.html"][1]["title"] = "Kept from the last build"
    kept.write_text(json.dumps(record), encoding="utf-8")
    bins = root / "content/rubbish-and-recycling/bin-collections.md"
    bins.write_text(bins.read_text(encoding="utf-8").replace("every week or fortnight", "every Tuesday"),
                    encoding="utf-8")
    build_site(root)
    with SearchIndex(root) as index:
        assert index.search("tuesday").results[0].page == "bin-collections"
        school = index.search("school place").results[0]
        assert school.page == "apply-for-a-school-place" and school.title == "Kept from the last build"
    # A clean build reads every page again.
    build_site(root, "--clean")
    with SearchIndex(root) as index:
        assert index.search("school place").results[0].title == "Apply for a school place"


def test_pagefind_runs_the_binary_its_package_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build runs the binary `python -m pagefind` would run, and that command where the package finds none."""
    binary = tmp_path / "pagefind"
    binary.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    assert executable()[1:] == ["-m", "pagefind"]  # not executable
    binary.chmod(0o755)
    assert executable() == [str(binary.resolve())]
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "missing"))
    assert executable()[1:] == ["-m", "pagefind"]
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    found = executable()
    assert len(found) == 1 and Path(found[0]).name.startswith("pagefind") and Path(found[0]).is_file()


def test_a_pagefind_binary_that_cannot_run_is_an_error_not_a_traceback(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "pagefind"
    binary.write_bytes(b"\x7fELF not a program for this machine")
    binary.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body data-pagefind-body><p>Bins</p></body></html>", encoding="utf-8")
    problems = Problems()
    assert index_folder(site, problems) == 0
    assert [(p.file, p.expected) for p in problems.errors] == [("pagefind", "a Pagefind binary that runs here")]
    assert str(binary) in problems.errors[0].message and not (site / "pagefind").exists()
