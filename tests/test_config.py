"""site.yaml: one schema of typed options, with defaults, located messages and no key accepted and ignored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from localgov.cli import main
from localgov.errors import Problems
from localgov.load.config import SCHEMA, load_config
from localgov.load.yamlfile import KEPT_TEXT_CHARS, YamlProblem, parse_mapping
from tests.conftest import MakeSite

DEFAULTS = {
    "name": "Local council services",
    "name_cy": "",
    "base_url": "https://localgov.example",
    "phase": "beta",
    "feedback_url": None,
    "feedback_endpoint": None,
    "contact_email": None,
    "host": None,
    "accessibility_status": "partial",
    "accessibility_issues": (),
    "accessibility_prepared": None,
    "accessibility_reviewed": None,
    "postcodes": "builtin",
    "stale_after_days": 365,
    "strict": False,
    "as_at": None,
}

KNOWN = ", ".join(sorted(DEFAULTS))

# A value of the wrong type for every option, and what the message must say was expected.
WRONG = {
    "name": ("[one, two]", "expected a non-empty text, got a list of 2 items"),
    "name_cy": ("{}", "expected a non-empty text, got a dict of 0 items"),
    "base_url": ("localgov.example", "expected an address starting https://, got 'localgov.example'"),
    "phase": ("gamma", "expected one of alpha, beta, live, got 'gamma'"),
    "feedback_url": ("javascript:alert(1)", "expected an address starting https:// or mailto:, or a path like"
                     " /help/, got 'javascript:alert(1)'"),
    "feedback_endpoint": ("mailto:team@example.gov.uk", "expected an address starting https://, or a path like"
                          " /feedback, got 'mailto:team@example.gov.uk'"),
    "contact_email": ("team at example.gov.uk", "expected an email address like team@example.gov.uk,"
                      " got 'team at example.gov.uk'"),
    "host": ("[]", "expected a non-empty text, got a list of 0 items"),
    "accessibility_status": ("mostly", "expected one of full, partial, not, got 'mostly'"),
    "accessibility_issues": ("one issue", "expected a list of texts, got 'one issue'"),
    "accessibility_prepared": ("27/11/2026", "expected a date like 2027-04-01, got '27/11/2026'"),
    "accessibility_reviewed": ("'2026-11-31'", "expected a date like 2027-04-01, got '2026-11-31'"),
    "postcodes": ("{file: x.csv}", "expected a non-empty text, got a dict of 1 item"),
    "stale_after_days": ("a year", "expected a whole number, got 'a year'"),
    "strict": ("'yes'", "expected true or false, got 'yes'"),
    "as_at": ("soon", "expected a date like 2027-04-01, got 'soon'"),
}

# A warning the build reports: a council section the common page does not have is added at the end.
WARNED = {"councils/medway/schools/apply-for-a-school-place.md": "## Open days {#open-days}\n\nVisit in June.\n"}


def read(root: Path) -> tuple[dict[str, object], list[str]]:
    problems = Problems()
    config = load_config(root, problems)
    return {option.key: getattr(config, option.key) for option in SCHEMA}, [p.format() for p in problems.items]


def test_the_schema_lists_every_option_of_the_model() -> None:
    assert sorted(option.key for option in SCHEMA) == sorted(DEFAULTS)


def test_every_option_has_its_default(make_site: MakeSite) -> None:
    assert {option.key: option.default for option in SCHEMA} == DEFAULTS
    assert read(make_site({"site.yaml": "# nothing set\n"})) == (DEFAULTS, [])
    assert read(make_site({"site.yaml": None}, name="bare")) == (DEFAULTS, [])


def test_every_option_is_read(make_site: MakeSite) -> None:
    root = make_site({"site.yaml": "name: Kent services\nname_cy: Gwasanaethau Caint\nbase_url: https://kent.example/\n"
                      "phase: alpha\n"
                      "feedback_url: /help/\npostcodes: none\nstale_after_days: 30\nstrict: true\n"
                      "feedback_endpoint: https://feedback.example/report\ncontact_email: web@kent.example\n"
                      "host: Example Hosting Ltd\naccessibility_status: full\n"
                      "accessibility_issues: [Maps have no text alternative]\n"
                      "accessibility_prepared: 2026-11-01\naccessibility_reviewed: '2026-11-20'\nas_at: 2027-04-01\n"})
    assert read(root) == ({"name": "Kent services", "name_cy": "Gwasanaethau Caint", "base_url": "https://kent.example",
                           "phase": "alpha",
                           "feedback_url": "/help/", "postcodes": "none", "stale_after_days": 30,
                           "strict": True, "feedback_endpoint": "https://feedback.example/report",
                           "contact_email": "web@kent.example", "host": "Example Hosting Ltd",
                           "accessibility_status": "full", "accessibility_issues": ("Maps have no text alternative",),
                           "accessibility_prepared": dt.date(2026, 11, 1),
                           "accessibility_reviewed": dt.date(2026, 11, 20), "as_at": dt.date(2027, 4, 1)}, [])


@pytest.mark.parametrize("key", sorted(WRONG))
def test_a_wrong_value_is_reported_at_its_line(make_site: MakeSite, key: str) -> None:
    value, expected = WRONG[key]
    root = make_site({"site.yaml": f"# The site.\nname: Test\n{key}: {value}\n"})
    values, problems = read(root)
    line = 2 if key == "name" else 3
    assert problems == [f"site.yaml:{line}: error: '{key}': " + problems[0].split(f"'{key}': ", 1)[1]]
    assert problems[0].endswith("; " + expected), problems
    assert values[key] == DEFAULTS[key], "a refused value takes the default"


def test_an_unknown_key_is_refused_with_a_suggestion(make_site: MakeSite) -> None:
    root = make_site({"site.yaml": "name: Test\nstrikt: true\nlicence_holder: Kent County Council\n"})
    _, problems = read(root)
    assert problems == [
        f"site.yaml:2: error: 'strikt': unknown field; did you mean 'strict'?; expected one of {KNOWN}, got 'strikt'",
        f"site.yaml:3: error: 'licence_holder': unknown field; expected one of {KNOWN}, got 'licence_holder'",
    ]


def test_a_config_problem_stops_the_build(make_site: MakeSite, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"site.yaml": "name: Test\npostcodes: none\nstale_after_days: -1\n"})
    assert main(["--root", str(root), "build", "--out", str(tmp_path / "out")]) == 1
    assert "site.yaml:3: error: 'stale_after_days': wrong type; expected a whole number, got int -1" in \
        capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_strict_in_site_yaml_fails_a_build_with_a_warning(make_site: MakeSite, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    site = "name: Test\nbase_url: https://test.example\npostcodes: none\n"
    root = make_site(WARNED)
    assert main(["--root", str(root), "build", "--out", str(tmp_path / "lenient")]) == 0
    assert "warning: section 'open-days' is not in schools/apply-for-a-school-place" in capsys.readouterr().err
    assert main(["--root", str(root), "check", "--no-render"]) == 0
    assert main(["--root", str(root), "build", "--strict", "--out", str(tmp_path / "flag")]) == 1
    assert not (tmp_path / "flag").exists()

    make_site({"site.yaml": site + "strict: true\n"})
    assert main(["--root", str(root), "build", "--out", str(tmp_path / "strict")]) == 1
    err = capsys.readouterr().err
    assert "warning: section 'open-days' is not in schools/apply-for-a-school-place" in err
    assert "nothing was written" in err
    assert not (tmp_path / "strict").exists()
    assert main(["--root", str(root), "check", "--no-render"]) == 1

    make_site({**WARNED, "councils/medway/schools/apply-for-a-school-place.md": None})
    assert main(["--root", str(root), "build", "--out", str(tmp_path / "strict")]) == 0, "no warnings, no failure"


def test_the_same_yaml_text_parsed_again_gives_each_caller_mappings_of_its_own() -> None:
    """YAML is parsed once per text in a process: what one caller does with its mappings reaches no other."""
    text = "name: Kent County Council\nlinks:\n  bins: https://www.kent.gov.uk/\n"
    first = parse_mapping(text)
    first.data["name"] = "changed"
    first.lines.clear()
    second = parse_mapping(text)
    assert second.data == {"name": "Kent County Council", "links": {"bins": "https://www.kent.gov.uk/"}}
    assert (second.line("name"), second.line("links.bins")) == (1, 3)
    assert parse_mapping(text, line_offset=5).line("links.bins") == 8
    long = "about: " + "x" * KEPT_TEXT_CHARS + "\nname: Kent\n"  # too long to keep: parsed each time
    assert parse_mapping(long).line("name") == parse_mapping(long).line("name") == 2
    for _ in range(2):  # a text that is not a mapping is refused each time it is read
        with pytest.raises(YamlProblem) as refused:
            parse_mapping("name: Kent\n- a list item\n")
        assert refused.value.line == 2
