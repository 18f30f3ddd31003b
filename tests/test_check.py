"""`localgov check`: problems with file and line, without writing a site; exit codes."""

from __future__ import annotations

import re

import pytest

from localgov.cli import main
from localgov.commands.check import check
from tests.conftest import MakeSite

REVIEWED = "last_reviewed: 2026-10-01\n"


def page(title: str, body: str, *, provider: str = "lower", extra: str = REVIEWED) -> str:
    return f"---\ntitle: {title}\nsummary: About {title.lower()}.\nprovider: {provider}\n{extra}---\n{body}"


def run(root: object, *args: str) -> int:
    return main(["--root", str(root), "check", *args])


def test_a_broken_link_in_markdown_is_reported_at_its_line(make_site: MakeSite,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/schools/apply-for-a-school-place.md": page(
        "School places", "Apply to {{ council.name }}.\n\nRead about [fees](/school-fees/) and\n"
        "[bins](/bin-collections/#missed).\n", provider="upper")})
    assert run(root) == 0
    err = capsys.readouterr().err
    assert "content/schools/apply-for-a-school-place.md:9: warning: broken internal link to /school-fees/" in err
    assert "/bin-collections/" not in err.split("broken internal link")[-1].split("\n")[0]
    assert not (root / "build").exists(), "check must not write a site"


def test_links_that_are_not_https_are_reported(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"councils/medway/schools/apply-for-a-school-place.md":
                      "---\nreplace: [deadlines]\n---\n## Deadlines {#deadlines}\n\n"
                      "See [the dates](http://www.medway.gov.uk/dates) first.\n"})
    assert run(root) == 0
    err = capsys.readouterr().err
    assert re.search(r"councils/medway/schools/apply-for-a-school-place\.md:6: warning: link is not secure; "
                     r"expected an address starting https://, got 'http://www\.medway\.gov\.uk/dates'", err), err


def test_stale_pages_are_reported_by_the_configured_age(make_site: MakeSite,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    old = {"content/schools/apply-for-a-school-place.md": page(
        "School places", "Apply to {{ council.name }}.\n", provider="upper", extra="last_reviewed: 2024-06-30\n")}
    root = make_site(old)
    assert run(root) == 0
    err = capsys.readouterr().err
    assert ("content/schools/apply-for-a-school-place.md:5: warning: 'last_reviewed': last reviewed 877 days ago"
            in err), err
    assert "expected a date within 365 days (stale_after_days in site.yaml), got 2024-06-30" in err
    make_site({**old, "site.yaml": "name: Test\nbase_url: https://test.example\npostcodes: none\n"
                                   "stale_after_days: 1000\n"})
    run(root)
    assert "last reviewed" not in capsys.readouterr().err


def test_missing_council_data_is_reported_at_the_council(make_site: MakeSite) -> None:
    root = make_site()
    report = check(root)
    lacking = [p for p in report.warnings if p.file == "councils/tunbridge-wells/council.yaml"]
    assert len(lacking) == 1
    assert "phone number (1 page)" not in lacking[0].message  # the default bins page does not ask for it
    assert "a link for 'bin-collections' (1 page)" in lacking[0].message
    assert not [p for p in report.warnings if p.file == "councils/maidstone/council.yaml"], "Maidstone has its link"


def test_near_duplicate_pages_are_reported(make_site: MakeSite) -> None:
    text = ("Garden waste is collected every two weeks from March to November. You need a permit, which you can "
            "buy online or by phone. Put only grass, leaves, hedge cuttings and small branches in the brown bin. "
            "Do not put soil, rubble, food or plastic bags in it. Leave the bin at the kerb by 7am.\n")
    root = make_site({
        "content/rubbish-and-recycling/garden-waste.md": page("Garden waste", text),
        "content/rubbish-and-recycling/green-bins.md": page("Green bins", text.replace("7am", "6am")),
    })
    duplicates = [p for p in check(root, render=False).warnings if "near-duplicate" in p.message]
    assert [(p.file, p.line) for p in duplicates] == [("content/rubbish-and-recycling/green-bins.md", 1)]
    assert "content/rubbish-and-recycling/garden-waste.md" in duplicates[0].message


def test_distinct_pages_are_not_duplicates(make_site: MakeSite) -> None:
    root = make_site()
    assert not [p for p in check(root, render=False).warnings if "near-duplicate" in p.message]


def test_errors_fail_and_strict_fails_on_warnings(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    assert run(root) == 0
    summary = capsys.readouterr().out
    assert re.search(r"Checked \d+ pages and \d+ source files: 0 errors, [1-9]\d* warnings", summary), summary
    assert run(root, "--strict") == 1
    make_site({"content/schools/apply-for-a-school-place.md": "---\ntitle: T\nsummary: S\nprovider: county\n---\nB\n"})
    assert run(root) == 1
    err = capsys.readouterr().err
    assert "content/schools/apply-for-a-school-place.md:4: error: 'provider': not a known value" in err
    # The lines of the file are shown, the problem line marked.
    assert "> 4 | provider: county" in err


def test_a_template_that_cannot_render_is_an_error(make_site: MakeSite) -> None:
    root = make_site({"templates/topic.html": '{% extends "localgov/topic.html" %}{% block content %}'
                      '{{ nope.attr }}{% endblock %}'})
    report = check(root)
    assert any(p.file == "templates/topic.html" and p.line == 1 and "UndefinedError" in p.message
               for p in report.errors), report.problems


def test_wrong_usage_exits_2(make_site: MakeSite) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--no-such-option"])
    assert exit_info.value.code == 2
