"""The command line as a new user meets it: help, options, progress, check's report, postcode without a lookup."""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from localgov.build import build
from localgov.cli import EXAMPLES, main, make_parser, walk_commands
from localgov.commands.check import GROUP_FROM, check
from localgov.commands.progress import CLEAR_LINE, ProgressLogHandler, StageProgress
from tests.conftest import MakeSite

STAGES = ("Loading the site", "Rendering pages", "Making the index files", "Building the search indexes",
          "Writing the site")


# -- help


def test_every_command_and_option_says_what_it_is_for() -> None:
    parser = make_parser()
    commands = walk_commands(parser)
    assert {name for name, _ in commands} >= {"build", "serve", "check", "explain", "new", "report", "search",
                                              "postcode", "postcodes import", "postcodes shards"}
    for name, command in [("", parser), *commands]:
        assert command.description or name == "", f"'localgov {name}' has no description"
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    assert choice.help, f"'localgov {name} {choice.dest}' has no help in the list of commands"
            elif not isinstance(action, argparse._HelpAction):
                what = action.option_strings or action.dest
                assert action.help and action.help != argparse.SUPPRESS, f"localgov {name}: {what} has no help"


@pytest.mark.parametrize("name", sorted(n for n in EXAMPLES if n))
def test_each_command_help_shows_an_example(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*name.split(), "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    example = out.split("Example", 1)[1]
    assert f"  localgov {name}" in example, out
    assert "--root" in out and "--verbose" in out, "the global options are listed with each command"
    # The examples keep their lines; the description is wrapped.
    assert all(len(line) <= 120 for line in out.splitlines())


def test_every_command_has_an_example() -> None:
    assert {name for name, _ in walk_commands(make_parser())} <= set(EXAMPLES)


@pytest.mark.parametrize("argv", [
    ["build", "-v", "--root", "site"],
    ["-v", "build", "--root", "site"],
    ["--root", "site", "build", "--verbose"],
    ["-v", "--root", "site", "build"],
])
def test_global_options_work_before_and_after_the_command(argv: list[str]) -> None:
    args = make_parser().parse_args(argv)
    assert args.command == "build" and args.verbose is True and args.root == Path("site")


def test_global_options_keep_their_defaults_when_not_given() -> None:
    args = make_parser().parse_args(["check"])
    assert args.verbose is False and args.root == Path(".")
    for argv in (["postcode", "ME15 6JQ", "-v"], ["search", "bins", "--root", "x", "-v"],
                 ["postcodes", "import", "f.csv", "-v", "--root", "x"]):
        args = make_parser().parse_args(argv)
        assert args.verbose is True


def test_build_takes_verbose_after_its_name(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    assert main(["build", "--root", str(root), "-v", "--no-search"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^  scan \d+\.\d\ds, load ", out, re.MULTILINE), out


# -- progress


class Clock:
    """A clock that moves on by `step` seconds each time it is read."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_without_a_terminal_each_long_stage_is_one_line_with_its_time() -> None:
    stream = io.StringIO()
    clock = Clock()
    progress = StageProgress(stream, clock=clock)
    progress("Loading the site", 0, 0)
    clock.now = 0.5
    progress("Rendering pages", 0, 300)  # loading took 0.5s: not worth a line
    clock.now = 2.0
    progress("Rendering pages", 100, 300)
    assert stream.getvalue() == "", "without a terminal, a stage's line comes when it is over"
    clock.now = 3.5
    progress("Building the search indexes", 0, 0)
    clock.now = 5.0
    progress.finish()
    assert stream.getvalue() == "Rendering pages: 300 in 3.0s\nBuilding the search indexes: done in 1.5s\n"


def test_on_a_terminal_a_stage_updates_one_line_and_keeps_it_with_its_time() -> None:
    stream = Terminal()
    clock = Clock()
    progress = StageProgress(stream, clock=clock)
    progress("Loading the site", 0, 0)
    clock.now = 0.5
    progress("Rendering pages", 0, 300)
    clock.now = 2.0
    progress("Rendering pages", 150, 300)
    clock.now = 2.05
    progress("Rendering pages", 151, 300)  # too soon to draw again
    clock.now = 3.0
    with progress:
        pass
    text = stream.getvalue()
    assert text == (CLEAR_LINE + "Loading the site..." + CLEAR_LINE  # quick: drawn, then wiped
                    + CLEAR_LINE + "Rendering pages: 0/300 (0%) 0s"
                    + CLEAR_LINE + "Rendering pages: 150/300 (50%) 2s"
                    + CLEAR_LINE + "Rendering pages: 300 in 2.5s\n")


def test_a_log_message_never_glues_to_the_progress_line() -> None:
    stream = Terminal()
    clock = Clock()
    progress = StageProgress(stream, clock=clock)
    logger = logging.getLogger("tests.progress")
    logger.propagate = False
    handler = ProgressLogHandler(progress)
    logger.addHandler(handler)
    try:
        progress("Building the search indexes", 0, 0)
        logger.warning("Whoosh: 3 pages")
        clock.now = 2.0
        progress.finish()
        print("Built 3 pages", file=stream)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == (CLEAR_LINE + "Building the search indexes..." + CLEAR_LINE + "Whoosh: 3 pages\n"
                                 + CLEAR_LINE + "Building the search indexes..."
                                 + CLEAR_LINE + "Building the search indexes: done in 2.0s\nBuilt 3 pages\n")


def test_a_build_reports_every_stage_including_search(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site()
    stream = io.StringIO()
    with StageProgress(stream, clock=Clock(1.0)) as progress:
        build(root, tmp_path / "out", progress=progress)
    lines = stream.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == list(STAGES), lines
    assert all(re.fullmatch(r"[A-Z][\w ]+: (done|[\d,]+) in \d+\.\ds", line) for line in lines), lines


def test_a_check_reports_its_stages(make_site: MakeSite) -> None:
    root = make_site()
    stream = io.StringIO()
    with StageProgress(stream, clock=Clock(1.0)) as progress:
        check(root, progress=progress)
    labels = [line.split(":")[0] for line in stream.getvalue().splitlines()]
    assert labels == ["Loading the site", "Rendering pages", "Checking links, council data and review dates",
                      "Looking for near-duplicate pages"]


# -- check


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Return every file and folder under `root` with its size and time of change."""
    found: dict[str, tuple[int, int]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            info = os.stat(os.path.join(folder, name))
            found[os.path.relpath(os.path.join(folder, name), root)] = (info.st_size, info.st_mtime_ns)
    return found


def test_check_writes_nothing_into_the_site(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site()
    before = tree(root)
    assert main(["--root", str(root), "check"]) == 0
    assert tree(root) == before
    assert main(["--root", str(root), "build", "--no-search"]) == 0  # now with the cache folder a build makes
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "topic.html").write_text('{% extends "localgov/topic.html" %}', encoding="utf-8")
    before = tree(root)
    assert main(["--root", str(root), "check"]) == 0
    assert tree(root) == before, "a template check compiled is not saved in .localgov-cache"


@pytest.fixture()
def many_lacking(make_site: MakeSite) -> Iterator[Path]:
    """A site where more councils lack data than are shown one by one, and one page has an error."""
    councils = {
        f"councils/town-{n}/council.yaml": f"name: Town {n} Council\nshort_name: Town {n}\ngss: E06{n:06d}\n"
        "type: unitary\nnation: england\nwebsite: https://town.example/\n"
        for n in range(GROUP_FROM + 1)
    }
    yield make_site(councils)


def test_check_groups_councils_that_lack_data_into_one_line(many_lacking: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    report = check(many_lacking)
    lacking = [p for p in report.warnings if "lacks data that common text uses" in p.message]
    assert len(lacking) > GROUP_FROM
    assert main(["--root", str(many_lacking), "check"]) == 0
    err = capsys.readouterr().err
    assert "lacks data that common text uses" not in err
    (line,) = [line for line in err.splitlines() if "councils lack data" in line]
    assert line.startswith(f"warning: {len(lacking)} councils lack data that common text uses")
    assert "localgov check --verbose" in line
    assert main(["check", "--root", str(many_lacking), "--verbose"]) == 0
    err = capsys.readouterr().err
    assert err.count("lacks data that common text uses") == len(lacking)
    assert "councils lack data" not in err


def test_check_shows_errors_first_then_warnings_then_grouped_ones(make_site: MakeSite,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"templates/topic.html": '{% extends "localgov/topic.html" %}{% block content %}'
                      '{{ nope.attr }}{% endblock %}'})
    assert main(["--root", str(root), "check"]) == 1
    lines = capsys.readouterr().err.splitlines()
    headlines = [line for line in lines if re.match(r"\S+: (error|warning): |warning: ", line)]
    kinds = ["grouped" if line.startswith("warning: ") else line.split(": ")[1] for line in headlines]
    assert kinds[0] == "error" and "warning" in kinds
    assert kinds == sorted(kinds, key=["error", "warning", "grouped"].index), kinds
    assert kinds.count("grouped") == 1


def test_check_lists_a_few_councils_that_lack_data_one_by_one(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", str(tmp_path / "site")]) == 0
    assert main(["--root", str(tmp_path / "site"), "check"]) == 0
    err = capsys.readouterr().err
    assert "councils/medway/council.yaml:1: warning: lacks data that common text uses" in err
    assert "councils lack data" not in err


# -- postcode


def test_postcode_in_a_site_without_a_lookup_says_how_to_add_one(make_site: MakeSite,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"site.yaml": "name: Test\nbase_url: https://test.example\npostcodes: none\n"})
    assert main(["postcode", "SW1A 1AA", "--root", str(root)]) == 2
    captured = capsys.readouterr()
    assert "no postcode lookup" in captured.err and "postcodes: none" in captured.err
    assert "postcodes: builtin" in captured.err
    assert "not in the postcode directory" not in captured.err + captured.out
    assert not (root / "postcodes" / "compiled").exists(), "the data site.yaml turned off is not compiled"
