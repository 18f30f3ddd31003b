"""The style check (localgov/style.py), the retired LGSL codes and the check against GOV.UK's service list."""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import pytest

from localgov.build import load_site
from localgov.cli import main
from localgov.errors import Problems
from localgov.model import Page
from localgov.style import page_style, reading_ease, syllables
from tests.conftest import BINS, REPO, MakeSite

SERVICE_LIST = REPO.parent / "shared" / "data" / "services" / "govuk_publisher_local_services_lgsl_tiers.csv"
BINS_FILE = "content/rubbish-and-recycling/bin-collections.md"


def page(slug: str = "bins") -> Page:
    return Page(slug=slug, topic="t", title="T", summary="S", provider="lower", sections=(),
                source=f"content/t/{slug}.md")


def style_of(body: str) -> object:
    return page_style(page(), "---\ntitle: T\n---\n" + textwrap.dedent(body).lstrip("\n"))


@pytest.mark.parametrize(("word", "count"), [("cat", 1), ("table", 2), ("collected", 3), ("council", 2),
                                             ("recycling", 3), ("make", 1), ("rates", 1), ("2026", 1)])
def test_syllables_are_counted_from_vowel_groups(word: str, count: int) -> None:
    assert syllables(word) == count


def test_reading_ease_is_the_flesch_formula() -> None:
    # 6 words of one syllable in one sentence: 206.835 - 1.015 x 6 - 84.6 x 1.
    assert reading_ease("the cat sat on the mat".split(), 1) == pytest.approx(116.1, abs=0.1)
    long_words = ["administration", "responsibilities", "consideration", "determination"] * 5
    assert reading_ease(long_words, 1) < 0


def test_a_long_sentence_is_found_at_its_line_and_template_calls_read_as_a_word() -> None:
    long = " ".join(["word"] * 26) + "."
    style = style_of(f"""
        {{{{ council.name }}}} collects your bins.

        ## Heading {{#heading}}

        {long} A short one.
        - a list item is a sentence of its own
    """)
    assert [(s.line, s.words) for s in style.long] == [(8, 26)]  # type: ignore[attr-defined]
    assert style.sentences[0].text == "Council collects your bins."  # type: ignore[attr-defined]
    assert len(style.sentences) == 4  # type: ignore[attr-defined]


@pytest.mark.parametrize(("text", "word"), [
    ("We will facilitate your application.", "facilitate"),
    ("This is key to the plan.", "key"),
    ("Please utilise the form.", "utilise"),
    ("Fill in the form in order to apply.", "in order to"),
    ("We are tackling fly-tipping.", "tackling"),
])
def test_words_to_avoid_are_found_with_what_to_say_instead(text: str, word: str) -> None:
    style = style_of(text)
    assert [(line, found) for line, _, found, _ in style.avoided] == [(4, word)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", ["Become a foster carer.", "Collect a key from the office.",
                                  "We deliver leaflets to every home.", "Report a broken street light."])
def test_plain_uses_of_listed_words_are_not_flagged(text: str) -> None:
    assert style_of(text).avoided == ()  # type: ignore[attr-defined]


def check_output(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--root", str(root), "check", "--no-render", "--verbose", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_page_that_states_a_rule_without_sources_fails_the_check(make_site: MakeSite,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    rule = textwrap.dedent(BINS).lstrip("\n").replace("collects your bins every week or fortnight.",
                                                      "collects your bins. By law you must put them out by 7am.")
    root = make_site({BINS_FILE: rule})
    code, out = check_output(root, capsys)
    assert code == 1, out
    lines = rule.splitlines()
    number = next(n for n, line in enumerate(lines, start=1) if "By law" in line)
    assert f"{BINS_FILE}:{number}: error: 'sources': the page states a rule but names no sources" in out
    sourced = rule.replace("last_reviewed:", "sources:\n  - title: Environmental Protection Act 1990\n"
                           "    url: https://www.legislation.gov.uk/ukpga/1990/43/contents\nlast_reviewed:")
    root = make_site({BINS_FILE: sourced}, name="sourced")
    code, out = check_output(root, capsys)
    assert "states a rule" not in out
    plain = make_site({}, name="plain")  # no sources, but no rule either: a warning at most
    code, out = check_output(plain, capsys)
    assert "states a rule" not in out and code == 0, out


def test_the_style_option_prints_each_pages_reading_ease(make_site: MakeSite,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    _, out = check_output(root, capsys, "--style")
    row = next(line for line in out.splitlines() if line.endswith(BINS_FILE))
    assert float(row.split()[0]) > 0
    assert "average reading ease" in out


RETIRED = """
    codes:
      - lgsl: 1116
        service: Youth Opportunity Fund
        reason: It paid for activities chosen by young people, and ended in 2011.
        sources:
          - title: The fund's end
            url: https://www.gov.uk/
"""


def problems_of(root: Path) -> str:
    problems = Problems()
    load_site(root, problems)
    return "\n".join(p.format() for p in problems.items)


def test_a_page_may_not_carry_a_retired_code(make_site: MakeSite) -> None:
    root = make_site({"content/_retired.yaml": RETIRED,
                      BINS_FILE: textwrap.dedent(BINS).lstrip("\n").replace("lgsl: 524", "lgsl: [524, 1116]")})
    assert (f"{BINS_FILE}:1: error: 'lgsl': LGSL code 1116 (Youth Opportunity Fund) is retired:"
            " content/_retired.yaml line 2 says why") in problems_of(root)


@pytest.mark.parametrize(("change", "message"), [
    (("    sources:\n      - title: The fund's end\n        url: https://www.gov.uk/\n", ""),
     r"content/_retired.yaml:2: error: 'codes\[1\].sources': a retired code needs a source"),
    (("reason: It paid", "reasons: It paid"), r"content/_retired.yaml:4: error: 'codes\[1\].reasons': unknown field"),
    (("lgsl: 1116", "lgsl: eleven"), r"content/_retired.yaml:2: error: 'lgsl': wrong type"),
])
def test_a_wrong_retired_entry_is_refused_at_its_line(make_site: MakeSite, change: tuple[str, str],
                                                      message: str) -> None:
    import re

    text = textwrap.dedent(RETIRED).lstrip("\n").replace(*change)
    root = make_site({"content/_retired.yaml": text})
    assert re.search(message, problems_of(root)), problems_of(root)


def test_two_pages_may_not_carry_one_code(make_site: MakeSite) -> None:
    other = textwrap.dedent(BINS).lstrip("\n").replace("title: Bin collections", "title: Bin days")
    root = make_site({"content/rubbish-and-recycling/bin-days.md": other})
    assert (f"content/rubbish-and-recycling/bin-days.md:1: error: 'lgsl': LGSL code 524 is already carried by"
            f" {BINS_FILE}") in problems_of(root)


def test_the_service_list_names_each_code_no_page_carries_and_none_retired(
        make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = tmp_path / "services.csv"
    listed.write_text("LGSL,Description,Providing Tier\n524,Find out which day the refuse is collected,district\n"
                      "437,Find out about library services,county/unitary\n1116,Youth Opportunity Funding,county\n",
                      encoding="utf-8")
    root = make_site({"content/_retired.yaml": RETIRED})
    _, out = check_output(root, capsys, "--services", str(listed))
    assert f"{listed}:3: warning: 'lgsl': no page carries LGSL 437 (Find out about library services)" in out
    assert "LGSL 524" not in out and "LGSL 1116" not in out


@pytest.mark.skipif(not SERVICE_LIST.exists(), reason="needs ../shared/data (GOV.UK's list of local services)")
def test_every_service_on_govuks_list_has_a_page_or_is_retired_with_a_reason() -> None:
    problems = Problems()
    site = load_site(REPO, problems)
    assert site is not None, problems.errors
    with open(SERVICE_LIST, encoding="utf-8", newline="") as handle:
        listed = {int(row["LGSL"]): row["Description"] for row in csv.DictReader(handle)}
    carried = {code for p in site.content.pages.values() for code in p.lgsl}
    retired = {r.lgsl: r for r in site.content.retired}
    missing = {code: text for code, text in listed.items() if code not in carried and code not in retired}
    assert not missing, f"{len(missing)} services have no page: {missing}"
    assert not carried & set(retired)
    for entry in retired.values():
        assert entry.reason and entry.sources, entry


def test_a_reader_that_stops_early_gets_no_traceback(make_site: MakeSite) -> None:
    import subprocess
    import sys

    root = make_site()
    command = [sys.executable, "-m", "localgov", "--root", str(root), "check", "--no-render", "--style"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head -0`: the first line printed finds nobody reading
    err = process.stderr.read().decode("utf-8")
    process.wait(timeout=60)
    assert "Traceback" not in err, err
    assert process.returncode in (0, 141), err
