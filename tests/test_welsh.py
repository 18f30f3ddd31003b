"""The site in Welsh: loading the Welsh files, the /cy/ pages, the language switch and the message catalogue."""

from __future__ import annotations

import ast
import hashlib
import html
import re
import textwrap
from pathlib import Path

import pytest

from localgov.build import build, load_site
from localgov.errors import Problems
from localgov.i18n import CY, SCRIPT_MESSAGES, long_date
from localgov.load.content import load_content
from localgov.load.councils import load_councils
from localgov.render.layouts import layout_environment
from localgov.urls import welsh_routes
from tests.conftest import BINS, COUNCILS, MakeSite

REPO = Path(__file__).resolve().parents[1]


def digest(text: str) -> str:
    """Return what `sha256sum file | cut -c1-12` says of a file written from `text` by the tests' make_site."""
    return hashlib.sha256(textwrap.dedent(text).lstrip("\n").encode("utf-8")).hexdigest()[:12]


BINS_CY = """
    ---
    title: Casgliadau biniau
    summary: Dysgwch pryd mae eich biniau’n cael eu casglu.
    keywords: [diwrnod bin, sbwriel]
    translated: 2026-11-20
    translated_from: {digest}
    ---
    Mae {{{{ council.name }}}} yn casglu eich biniau bob wythnos neu bob pythefnos.

    ## Beth sy’n mynd ym mhob bin {{#what-goes}}

    - Papur a cherdyn

    ## Casgliadau a fethwyd {{#missed}}

    {{{{ council.link('bin-collections', 'Rhoi gwybod am fin a fethwyd') }}}}
"""
SCHOOLS_CY = """---
title: Gwneud cais am le mewn ysgol
summary: Gwneud cais am le mewn ysgol gynradd neu uwchradd.
translated: 2026-11-20
translated_from: {digest}
provided_elsewhere:
  northern-ireland: "Yng Ngogledd Iwerddon, gwnewch gais drwy’r Awdurdod Addysg."
---
Gwnewch gais i {{{{ council.name }}}} am le mewn ysgol.

## Dyddiadau cau {{#deadlines}}

Gwnewch gais erbyn y dyddiad cau cenedlaethol.
"""
TOPIC_CY = "title: Sbwriel ac ailgylchu\nsummary: Biniau, ailgylchu a’r domen.\n"
CARDIFF_CY = textwrap.dedent(COUNCILS["cardiff"]).lstrip("\n") + "name_cy: Cyngor Caerdydd\nshort_name_cy: Caerdydd\n"

WELSH_FILES: dict[str, str | bytes | None] = {
    "content/rubbish-and-recycling/bin-collections.cy.md": BINS_CY.format(digest=digest(BINS)),
    "content/rubbish-and-recycling/_topic.cy.yaml": TOPIC_CY,
    "councils/cardiff/council.yaml": CARDIFF_CY,
}


def site_with_welsh(make_site: MakeSite, **extra: str | None) -> Path:
    return make_site({**WELSH_FILES, **extra})


# -- loading


def test_a_welsh_page_loads_beside_its_english_page(make_site: MakeSite) -> None:
    root = site_with_welsh(make_site)
    problems = Problems()
    content = load_content(root, problems)
    assert not problems.errors, [p.format() for p in problems.errors]
    translation = content.welsh["bin-collections"]
    page = translation.page
    assert (page.title, page.lang, page.provider) == ("Casgliadau biniau", "cy", "lower")
    assert page.lgsl == content.pages["bin-collections"].lgsl  # from the English page
    assert page.section_ids() == content.pages["bin-collections"].section_ids()
    assert translation.current and translation.source == "content/rubbish-and-recycling/bin-collections.cy.md"
    assert content.welsh_topics["rubbish-and-recycling"].title == "Sbwriel ac ailgylchu"
    assert "apply-for-a-school-place" not in content.welsh
    assert "bin-collections.cy" not in content.pages


def test_welsh_names_of_a_council_load(make_site: MakeSite) -> None:
    root = site_with_welsh(make_site)
    problems = Problems()
    cardiff = load_councils(root, problems)["cardiff"]
    assert not problems.errors
    assert (cardiff.name_cy, cardiff.short_name_cy) == ("Cyngor Caerdydd", "Caerdydd")
    assert cardiff.in_welsh().display_name == "Caerdydd" and cardiff.display_name == "Cardiff"


@pytest.mark.parametrize(("text", "line", "field", "words"), [
    (BINS_CY.format(digest="not-a-digest"), 6, "translated_from", "12 hex digits"),
    (BINS_CY.format(digest=digest(BINS)).replace("keywords:", "provider: lower\n    keywords:"), 4, "provider",
     "comes from content/rubbish-and-recycling/bin-collections.md"),
    (BINS_CY.format(digest=digest(BINS)).replace("{#missed}", "{#missing}"), 8, "sections", "missing missed"),
])
def test_a_welsh_page_with_a_mistake_is_located(make_site: MakeSite, text: str, line: int, field: str,
                                               words: str) -> None:
    root = make_site({**WELSH_FILES, "content/rubbish-and-recycling/bin-collections.cy.md": text})
    problems = Problems()
    load_content(root, problems)
    found = [p for p in problems.errors if p.field == field]
    assert found, [p.format() for p in problems.items]
    assert found[0].file == "content/rubbish-and-recycling/bin-collections.cy.md" and found[0].line == line
    assert words in found[0].format()


def test_a_welsh_page_needs_its_english_page(make_site: MakeSite) -> None:
    root = make_site({"content/schools/term-dates.cy.md": BINS_CY.format(digest="0" * 12)})
    problems = Problems()
    load_content(root, problems)
    assert any(p.file == "content/schools/term-dates.cy.md" and p.expected == "content/schools/term-dates.md"
               for p in problems.errors)


def test_a_welsh_topic_needs_a_title(make_site: MakeSite) -> None:
    root = make_site({"content/schools/_topic.cy.yaml": "summary: Lleoedd mewn ysgolion.\n"})
    problems = Problems()
    load_content(root, problems)
    assert [(p.file, p.field) for p in problems.errors] == [("content/schools/_topic.cy.yaml", "title")]


def test_a_welsh_override_loads_and_one_without_an_english_override_is_refused(make_site: MakeSite) -> None:
    root = site_with_welsh(make_site, **{
        "councils/cardiff/rubbish-and-recycling/bin-collections.md": "## Missed collections {#missed}\n\nRing us.\n",
        "councils/cardiff/rubbish-and-recycling/bin-collections.cy.md": "## Casgliadau a fethwyd {#missed}\n\nFfoniwch"
                                                                        " ni.\n",
        "councils/cardiff/schools/apply-for-a-school-place.cy.md": "## Dyddiadau {#deadlines}\n\nErbyn mis Ionawr.\n",
    })
    problems = Problems()
    site = load_site(root, problems, keep_going=True)
    assert site is not None
    assert ("cardiff", "bin-collections") in site.overrides.welsh
    assert site.overrides.welsh[("cardiff", "bin-collections")].key == "override:cardiff/bin-collections.cy"
    refused = [p for p in problems.errors if p.file == "councils/cardiff/schools/apply-for-a-school-place.cy.md"]
    assert refused and "English override" in refused[0].message


# -- the Welsh pages


@pytest.fixture
def welsh_out(make_site: MakeSite, tmp_path: Path) -> Path:
    root = site_with_welsh(make_site)
    out = tmp_path / "out"
    build(root, out, finalise=False)
    return out


def page(out: Path, url: str) -> str:
    return (out / url.lstrip("/") / "index.html").read_text(encoding="utf-8")


def hreflangs(text: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', text))


def test_a_welsh_councils_variant_is_in_welsh(welsh_out: Path) -> None:
    text = page(welsh_out, "/cy/bin-collections/cardiff/")
    assert '<html lang="cy"' in text
    assert "<title>Casgliadau biniau: Cyngor Caerdydd" in text
    assert "Mae Cyngor Caerdydd yn casglu eich biniau" in text  # {{ council.name }} in Welsh
    assert "Manylion cyswllt Cyngor Caerdydd" in text and "Neidio i’r prif gynnwys" in text
    assert 'href="/cy/rubbish-and-recycling/"' in text  # the breadcrumb leads to the Welsh topic


def test_hreflang_links_go_both_ways(welsh_out: Path) -> None:
    english, welsh = page(welsh_out, "/bin-collections/cardiff/"), page(welsh_out, "/cy/bin-collections/cardiff/")
    both = {"en-GB": "https://test.example/bin-collections/cardiff/",
            "cy": "https://test.example/cy/bin-collections/cardiff/"}
    assert hreflangs(english) == both == hreflangs(welsh)
    assert hreflangs(page(welsh_out, "/cy/")) == {"en-GB": "https://test.example/", "cy": "https://test.example/cy/"}
    # An English council's page, and a page with no Welsh yet, have no Welsh alternate.
    assert hreflangs(page(welsh_out, "/bin-collections/maidstone/")) == {}
    assert hreflangs(page(welsh_out, "/apply-for-a-school-place/cardiff/")) == {}


def test_the_language_switch_names_each_language_and_links_the_other(welsh_out: Path) -> None:
    english, welsh = page(welsh_out, "/bin-collections/"), page(welsh_out, "/cy/bin-collections/")
    assert '<span aria-current="true" lang="en">English</span>' in english
    assert ('<a class="govuk-link" hreflang="cy" href="/cy/bin-collections/" lang="cy" rel="alternate">'
            in english)
    assert '<span aria-current="true" lang="cy">Cymraeg</span>' in welsh
    assert '<a class="govuk-link" hreflang="en-GB" href="/bin-collections/" lang="en" rel="alternate">' in welsh
    assert 'aria-label="Dewis iaith"' in welsh and 'aria-label="Choose a language"' in english
    assert "lg-language-switch" not in page(welsh_out, "/bin-collections/maidstone/")


def test_a_page_not_yet_in_welsh_says_so_in_welsh_and_links_to_english(welsh_out: Path) -> None:
    text = page(welsh_out, "/cy/apply-for-a-school-place/cardiff/")
    assert '<html lang="cy"' in text and '<meta name="robots" content="noindex">' in text
    assert "Nid yw’r dudalen hon ar gael yn Gymraeg eto" in text
    assert 'hreflang="en-GB" href="/apply-for-a-school-place/cardiff/" lang="en">Apply for a school place:' in text
    assert "Apply to Cardiff Council" not in text  # no silent English
    sitemap = (welsh_out / "sitemap.xml").read_text(encoding="utf-8")
    assert "/cy/bin-collections/cardiff/" in sitemap and "/cy/apply-for-a-school-place/cardiff/" not in sitemap


def test_only_councils_in_wales_have_welsh_pages(welsh_out: Path) -> None:
    assert (welsh_out / "cy/bin-collections/cardiff/index.html").is_file()
    assert (welsh_out / "cy/councils/cardiff/index.html").is_file()
    assert not (welsh_out / "cy/bin-collections/maidstone").exists()
    assert not (welsh_out / "cy/councils/kent").exists()
    # English pages are where they were.
    assert (welsh_out / "bin-collections/maidstone/index.html").is_file()


def test_the_welsh_a_to_z_files_welsh_councils_by_their_welsh_names(welsh_out: Path) -> None:
    text = page(welsh_out, "/cy/councils/")
    assert '<a class="govuk-link" href="/cy/councils/cardiff/">Caerdydd</a>' in text
    assert '<a class="govuk-link" href="/councils/kent/">Kent</a>' in text  # no Welsh hub: the English one
    assert "Prif gyngor yng Nghymru" in text


def test_a_welsh_topic_lists_welsh_titles(welsh_out: Path) -> None:
    text = page(welsh_out, "/cy/rubbish-and-recycling/")
    assert "<h1 class=\"govuk-heading-xl\">Sbwriel ac ailgylchu</h1>" in text
    assert 'href="/cy/bin-collections/">Casgliadau biniau</a>' in text


def test_welsh_urls_are_only_for_the_welsh_site(make_site: MakeSite) -> None:
    problems = Problems()
    site = load_site(site_with_welsh(make_site), problems)
    assert site is not None
    urls = {route.url for route in welsh_routes(site)}
    assert "/cy/bin-collections/cardiff/" in urls and "/cy/" in urls
    assert all(url.startswith("/cy/") for url in urls)
    assert not any("maidstone" in url or "kent" in url for url in urls)


def test_welsh_dates() -> None:
    import datetime as dt

    assert long_date(dt.date(2026, 11, 27), "cy") == "27 Tachwedd 2026"
    assert long_date(dt.date(2026, 11, 27)) == "27 November 2026"


# -- the message catalogue


def template_sources() -> list[Path]:
    return sorted(p for p in (REPO / "templates").rglob("*.html") if "static" not in p.parts)


def marked_in_templates() -> dict[str, str]:
    """Return every string the templates mark for translation, with where it is."""
    env = layout_environment(REPO)
    found: dict[str, str] = {}
    for path in template_sources():
        for line, _, message in env.extract_translations(path.read_text(encoding="utf-8")):  # type: ignore[attr-defined]
            for text in (message if isinstance(message, tuple) else (message,)):
                if text:
                    found.setdefault(text, f"{path.relative_to(REPO)}:{line}")
    return found


def marked_in_code() -> dict[str, str]:
    """Return every literal string code passes to `translate` or `self.t`, with where it is."""
    found: dict[str, str] = {}
    for path in sorted((REPO / "localgov").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if name in ("t", "translate") and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def test_every_marked_string_has_welsh() -> None:
    marked = {**marked_in_templates(), **marked_in_code()}
    assert len(marked) > 100
    missing = sorted(f"{where}: {text!r}" for text, where in marked.items() if text not in CY)
    assert not missing, "no Welsh for:\n" + "\n".join(missing)


def test_the_scripts_messages_and_labels_from_code_have_welsh() -> None:
    from localgov.model import ALERT_KINDS, COUNCIL_TYPES
    from localgov.render.pages import NATION_LABELS, TIER_TEXT

    texts = [*SCRIPT_MESSAGES, *COUNCIL_TYPES.values(), *ALERT_KINDS.values(), *NATION_LABELS.values(),
             *TIER_TEXT.values()]
    assert [text for text in texts if text not in CY] == []


@pytest.mark.parametrize("name", ["localgov.js", "search.js"])
def test_every_message_of_the_scripts_has_welsh(name: str) -> None:
    import json

    script = (REPO / "templates/static" / name).read_text(encoding="utf-8")
    used = {json.loads(f'"{text}"') for text in re.findall(r'\bt\(\s*"((?:[^"\\]|\\.)*)"', script)}
    used |= set(re.findall(r'\? "([^"]+)" : "([^"]+)",\n', script)[0]) if "provide this service" in script else set()
    assert len(used) > 15
    assert sorted(used - set(SCRIPT_MESSAGES)) == []
    assert all(SCRIPT_MESSAGES[text] != text for text in used)


def test_the_catalogue_test_can_fail(tmp_path: Path) -> None:
    env = layout_environment(REPO)
    found = list(env.extract_translations('{{ _("A string nobody translated") }}'))  # type: ignore[attr-defined]
    assert [message for _, _, message in found] == ["A string nobody translated"]
    assert "A string nobody translated" not in CY


# -- no English interface words on a Welsh page

MAIN = re.compile(r"<main\b.*?</main>", re.DOTALL)
ENGLISH = re.compile(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', re.DOTALL)


def chrome_text(text: str) -> str:
    """Return the words of a page outside its main content and outside anything marked as English."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.DOTALL)
    text = ENGLISH.sub(" ", MAIN.sub(" ", text))
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))


def english_left(words: str) -> list[str]:
    """Return the catalogue's English messages found in `words` (each literal part of two words or more)."""
    found: list[str] = []
    for message, welsh in CY.items():
        if message == welsh:
            continue
        plain = html.unescape(re.sub(r"<[^>]+>", "", message))
        for part in re.split(r"%\(\w+\)s", plain):
            part = part.strip(" .,:;")
            if len(part.split()) >= 2 and re.search(r"(?<!\w)" + re.escape(part) + r"(?!\w)", words):
                found.append(message)
                break
    return found


def test_no_english_interface_words_outside_the_content_of_welsh_pages(welsh_out: Path) -> None:
    pages = sorted((welsh_out / "cy").rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        text = path.read_text(encoding="utf-8")
        left = english_left(chrome_text(text))
        assert not left, f"{path.relative_to(welsh_out)}: English left: {left}"
        # ...and none in the main content of the pages whose content is in Welsh.
        if "lg-language-switch" in text:
            main = MAIN.search(text)
            assert main is not None
            content = main.group(0).replace("<main", "<div").replace("</main>", "</div>")
            assert not english_left(chrome_text(content)), path


def test_the_scan_finds_english_left_on_a_page() -> None:
    page_text = '<html lang="cy"><body><footer>Copyright and re-use</footer><main>Search this site</main></body></html>'
    assert english_left(chrome_text(page_text)) == ["Copyright and re-use"]


# -- check and report


def cli(root: Path, *args: str) -> int:
    from localgov.cli import main

    return main(["--root", str(root), *args])


def test_check_lists_pages_not_in_welsh_and_strict_fails(make_site: MakeSite,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = site_with_welsh(make_site)
    cli(root, "check", "--verbose")
    said = capsys.readouterr()
    words = said.out + said.err
    assert "content/schools/apply-for-a-school-place.md: warning: no Welsh translation" in words
    assert "content/schools/apply-for-a-school-place.cy.md" in words  # what is expected, and where
    assert "bin-collections.md: warning: no Welsh translation" not in words
    assert cli(root, "check", "--strict") == 1
    capsys.readouterr()
    # With every page a council in Wales provides in Welsh, strict passes the Welsh part.
    schools = (root / "content/schools/apply-for-a-school-place.md").read_bytes()
    (root / "content/schools/apply-for-a-school-place.cy.md").write_text(SCHOOLS_CY.format(
        digest=hashlib.sha256(schools).hexdigest()[:12]), encoding="utf-8")
    cli(root, "check", "--verbose")
    said = capsys.readouterr()
    assert "no Welsh translation" not in said.out + said.err, said.out + said.err


def test_check_warns_when_the_english_page_changed_since_translation(make_site: MakeSite,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = site_with_welsh(make_site, **{"content/rubbish-and-recycling/bin-collections.cy.md":
                                         BINS_CY.format(digest="0123456789ab")})
    cli(root, "check", "--verbose")
    words = capsys.readouterr()
    text = words.out + words.err
    line = next(line for line in text.splitlines() if "has changed since it was translated" in line)
    assert line.startswith("content/rubbish-and-recycling/bin-collections.cy.md:6: warning:")
    assert "content/rubbish-and-recycling/bin-collections.md has changed" in line
    assert digest(BINS) in text and "0123456789ab" in text


def test_report_lists_what_each_council_in_wales_lacks_in_welsh(make_site: MakeSite,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    import json

    root = site_with_welsh(make_site)
    assert cli(root, "report", "--welsh") == 0
    text = capsys.readouterr().out
    assert "cardiff: Cyngor Caerdydd: 1 of 2 pages in Welsh" in text
    assert "not in Welsh: apply-for-a-school-place" in text
    assert cli(root, "report", "--welsh", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["slug"] for c in data["councils"]] == ["cardiff"]
    assert data["councils"][0]["missing"] == ["apply-for-a-school-place"]
    states = {p["slug"]: p["state"] for p in data["pages"]}
    assert states == {"bin-collections": "translated", "apply-for-a-school-place": "missing"}


# -- search in Welsh


@pytest.fixture
def welsh_search_site(make_site: MakeSite, tmp_path: Path) -> Path:
    root = site_with_welsh(make_site, **{"content/_synonyms.cy.yaml": "- [sbwriel, gwastraff]\n"})
    build(root, root / "build")
    return root


def test_pagefind_makes_an_index_for_each_language(welsh_search_site: Path) -> None:
    import json

    entry = json.loads((welsh_search_site / "build/pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    assert {"en", "cy"} <= set(entry["languages"])
    assert entry["languages"]["cy"]["page_count"] >= 2  # the Welsh common page and Cardiff's variant


def test_whoosh_finds_welsh_pages_for_a_welsh_query(welsh_search_site: Path) -> None:
    from localgov.search.whoosh import search

    welsh = search(welsh_search_site, "casgliadau biniau", lang="cy")
    assert [r.url for r in welsh.results] == ["/cy/bin-collections/"]
    assert search(welsh_search_site, "casgliadau biniau").results == ()  # not among the English pages
    english = search(welsh_search_site, "bin collections")
    assert english.results and all(not r.url.startswith("/cy/") for r in english.results)
    # A Welsh synonym: "gwastraff" finds the page whose keywords say "sbwriel".
    assert [r.url for r in search(welsh_search_site, "gwastraff", lang="cy").results] == ["/cy/bin-collections/"]


def test_a_welsh_place_name_finds_the_councils_pages(welsh_search_site: Path) -> None:
    import json

    from localgov.search.whoosh import search

    found = search(welsh_search_site, "biniau Caerdydd", lang="cy")
    assert found.named == ("cardiff",)
    assert [r.url for r in found.results] == ["/cy/bin-collections/cardiff/"]
    assert search(welsh_search_site, "bins Caerdydd").named == ("cardiff",)
    # The browser's search reads the same names (search/synonyms.json).
    names = json.loads((welsh_search_site / "build/search/synonyms.json").read_text(encoding="utf-8"))["names"]
    assert names["caerdydd"] == "cardiff" and names["cyngor caerdydd"] == "cardiff"


def test_adding_a_welsh_page_rebuilds_the_english_pages_that_link_to_it(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"councils/cardiff/council.yaml": CARDIFF_CY})
    out = tmp_path / "out"
    build(root, out, finalise=False)
    assert "hreflang" not in page(out, "/bin-collections/cardiff/")
    assert "Nid yw’r dudalen hon ar gael yn Gymraeg eto" in page(out, "/cy/bin-collections/cardiff/")
    (root / "content/rubbish-and-recycling/bin-collections.cy.md").write_text(
        textwrap.dedent(BINS_CY.format(digest=digest(BINS))).lstrip("\n"), encoding="utf-8")
    build(root, out, finalise=False)
    assert hreflangs(page(out, "/bin-collections/cardiff/"))["cy"].endswith("/cy/bin-collections/cardiff/")
    assert "Casgliadau biniau" in page(out, "/cy/bin-collections/cardiff/")
    clean = tmp_path / "clean"
    build(root, clean, finalise=False, incremental=False)
    for path in sorted(clean.rglob("*.html")):
        rel = path.relative_to(clean)
        assert (out / rel).read_bytes() == path.read_bytes(), rel


def test_check_asks_for_the_welsh_name_of_a_council_in_wales(make_site: MakeSite,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    cli(make_site(), "check", "--verbose")
    said = capsys.readouterr()
    assert "councils/cardiff/council.yaml: warning: 'name_cy': a council in Wales needs its Welsh name" in (
        said.out + said.err)
    cli(site_with_welsh(make_site), "check", "--verbose")
    said = capsys.readouterr()
    assert "needs its Welsh name" not in said.out + said.err


def test_a_councils_welsh_override_changes_its_welsh_page(make_site: MakeSite, tmp_path: Path) -> None:
    override = {"councils/cardiff/rubbish-and-recycling/bin-collections.md":
                "## Missed collections {#missed}\n\nRing us.\n"}
    root = site_with_welsh(make_site, **override)
    build(root, tmp_path / "without", finalise=False)
    # The council changes the page in English only: its Welsh page is not yet in Welsh.
    assert "Nid yw’r dudalen hon ar gael yn Gymraeg eto" in page(tmp_path / "without", "/cy/bin-collections/cardiff/")
    (root / "councils/cardiff/rubbish-and-recycling/bin-collections.cy.md").write_text(
        "## Casgliadau a fethwyd {#missed}\n\nFfoniwch ni.\n", encoding="utf-8")
    build(root, tmp_path / "with", finalise=False)
    welsh, english = page(tmp_path / "with", "/cy/bin-collections/cardiff/"), page(tmp_path / "with",
                                                                                  "/bin-collections/cardiff/")
    assert "Ffoniwch ni." in welsh and "Ring us." not in welsh
    assert "Ring us." in english and "Ffoniwch ni." not in english


def test_the_not_found_page_says_it_in_welsh_too(welsh_out: Path) -> None:
    # A static host serves the one /404.html for every missing address, Welsh ones too.
    text = (welsh_out / "404.html").read_text(encoding="utf-8")
    welsh = re.search(r'<div lang="cy"[^>]*>(.*?)</div>', text, re.DOTALL)
    assert welsh is not None, text
    assert "Heb ddod o hyd i’r dudalen" in welsh.group(1)
    assert re.findall(r'href="([^"]+)"', welsh.group(1)) == ["/cy/search/", "/cy/#topics", "/cy/councils/"]
    assert not english_left(chrome_text(welsh.group(1)))


@pytest.mark.parametrize(("names", "lang", "joined"), [
    (["East Ayrshire", "North Ayrshire", "South Ayrshire"], "en", "East Ayrshire, North Ayrshire and South Ayrshire"),
    (["East Ayrshire", "North Ayrshire", "South Ayrshire"], "cy", "East Ayrshire, North Ayrshire a South Ayrshire"),
    (["Moray", "Aberdeenshire"], "cy", "Moray ac Aberdeenshire"),
    (["Cymru"], "cy", "Cymru"),
])
def test_names_are_joined_as_each_language_says_and(names: list[str], lang: str, joined: str) -> None:
    from localgov.i18n import and_list

    assert and_list(names, lang) == joined
