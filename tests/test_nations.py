"""Text per nation in one common page, and the sources a page names: loaded, composed and rendered."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from localgov.build import build
from localgov.errors import BuildFailed
from tests.conftest import MakeSite

ADMISSIONS = """
    ---
    title: Apply for a school place
    summary: Apply for a primary or secondary school place.
    provider: upper
    sources:
      - title: School Admissions Code
        url: https://www.gov.uk/government/publications/school-admissions-code--2
      - title: Education (Scotland) Act 1980, section 28B
        url: https://www.legislation.gov.uk/ukpga/1980/44/section/28B
    ---
    Apply to {{ council.name }} for a school place.

    ## Academies and free schools {#academies nations="england"}

    Academies set their own admission arrangements.

    ## Placing requests {#placing-requests nations=scotland}

    You can make a placing request for a school outside your catchment area.

    ## Deadlines {#deadlines}

    Apply by the closing date.
"""


def built(make_site: MakeSite, tmp_path: Path, text: str = ADMISSIONS) -> Path:
    root = make_site({"content/schools/apply-for-a-school-place.md": text})
    out = tmp_path / "out"
    build(root, out, finalise=False)
    return out


def test_a_variant_shows_only_the_sections_for_its_nation(make_site: MakeSite, tmp_path: Path) -> None:
    out = built(make_site, tmp_path)
    kent = (out / "apply-for-a-school-place/kent/index.html").read_text("utf-8")
    glasgow = (out / "apply-for-a-school-place/glasgow-city/index.html").read_text("utf-8")
    cardiff = (out / "apply-for-a-school-place/cardiff/index.html").read_text("utf-8")
    assert "Academies set their own" in kent and "placing request" not in kent
    assert "placing request" in glasgow and "Academies" not in glasgow
    assert "Academies" not in cardiff and "placing request" not in cardiff
    for html in (kent, glasgow, cardiff):
        assert "Apply by the closing date." in html
        assert "nations=" not in html
    # The contents list of a variant names only the sections it shows.
    assert 'href="#placing-requests"' in glasgow and 'href="#academies"' not in glasgow


def test_the_common_page_shows_every_nations_section(make_site: MakeSite, tmp_path: Path) -> None:
    common = (built(make_site, tmp_path) / "apply-for-a-school-place/index.html").read_text("utf-8")
    assert "Academies set their own" in common and "placing request" in common


def test_the_sources_are_listed_on_the_common_page_and_every_variant(make_site: MakeSite, tmp_path: Path) -> None:
    out = built(make_site, tmp_path)
    for path in ("apply-for-a-school-place/index.html", "apply-for-a-school-place/cardiff/index.html"):
        html = (out / path).read_text("utf-8")
        assert 'href="https://www.legislation.gov.uk/ukpga/1980/44/section/28B"' in html
        assert ">School Admissions Code</a>" in html


@pytest.mark.parametrize(("change", "expected"), [
    (("nations=scotland}", "nations=scotlnd}"), r"apply-for-a-school-place\.md:17: error: 'nations': not a nation"),
    (("url: https://www.gov.uk/government/publications/school-admissions-code--2", "url: javascript:alert(1)"),
     r"apply-for-a-school-place\.md:7: error: 'sources\[1\]\.url': not a web address; expected an address starting "
     r"https://, got 'javascript:alert\(1\)'"),
    (("  - title: School Admissions Code", "  - name: School Admissions Code"),
     r"apply-for-a-school-place\.md:6: error: 'sources\[1\]': not a source"),
], ids=["unknown nation", "a source that is not a web address", "a source without a title"])
def test_a_wrong_nation_or_source_is_refused_at_its_line(make_site: MakeSite, tmp_path: Path,
                                                          change: tuple[str, str], expected: str) -> None:
    with pytest.raises(BuildFailed) as failure:
        built(make_site, tmp_path, ADMISSIONS.replace(*change))
    assert re.search(expected, failure.value.report()), failure.value.report()


ACADEMIES = ADMISSIONS.replace("## Academies and free schools {#academies nations=\"england\"}",
                               "## Academies and free schools {#academies}")


def test_check_names_england_only_terms_that_another_nations_variant_shows(make_site: MakeSite,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from localgov.cli import main

    root = make_site({"content/schools/apply-for-a-school-place.md": ACADEMIES})
    main(["--root", str(root), "check", "--verbose"])
    out = capsys.readouterr()
    text = out.out + out.err
    assert re.search(r"apply-for-a-school-place\.md:13: warning: 'academy' is not for Wales, but the variant for "
                     r"Cardiff Council shows it", text), text
    assert "'academy' is not for Scotland, but the variant for Glasgow City Council shows it" in text
    # With the section marked for England, no variant elsewhere shows it.
    write = root / "content/schools/apply-for-a-school-place.md"
    write.write_text(textwrap.dedent(ADMISSIONS).lstrip("\n"), "utf-8")
    main(["--root", str(root), "check", "--verbose"])
    out = capsys.readouterr()
    assert "'academy' is not for" not in out.out + out.err


def test_check_names_each_service_whose_provider_is_known_only_in_words(make_site: MakeSite,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from localgov.cli import main

    main(["--root", str(make_site()), "check", "--verbose"])
    out = capsys.readouterr()
    assert re.search(r"apply-for-a-school-place\.md:1: warning: 'provided_elsewhere': who provides "
                     r"'apply-for-a-school-place' for addresses in Northern Ireland \(1 council area, such as Belfast\)"
                     r" is named only in words", out.out + out.err), out.out + out.err
