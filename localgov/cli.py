"""The `localgov` command."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from localgov import __version__
from localgov.commands.dates import add_as_at
from localgov.commands.progress import ProgressLogHandler, StageProgress
from localgov.errors import BuildFailed, LocalgovError, Problem, UsageError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

# Shown at the end of each command's --help. Every command has an entry (tests/test_cli.py checks).
EXAMPLES: dict[str, str] = {
    "": """\
Start a site, preview it, then build it for a host:
  localgov new my-site && cd my-site
  localgov serve                 # http://127.0.0.1:8000/, rebuilt on every save
  localgov check                 # what to fix before publishing
  localgov build                 # the site, in build/

Options before or after the command: localgov build -v, localgov -v build.
Exit codes: 0 success, 1 the sources have problems, 2 the command was used wrongly.""",
    "build": """\
Examples:
  localgov build                       # into build/, rendering only what changed
  localgov build --strict --out public # fail on warnings; write into public/
  localgov build --no-search -v        # skip the search indexes; say how long each step took""",
    "serve": """\
Examples:
  localgov serve                       # http://127.0.0.1:8000/
  localgov serve --port 8080 --no-search
  localgov serve --no-build            # serve what build/ holds, without watching""",
    "check": """\
Examples:
  localgov check                       # errors first; warnings many files share, one line each
  localgov check --verbose             # every warning, one by one
  localgov check --strict --no-render  # fail on warnings; skip rendering the pages (faster)""",
    "explain": """\
Examples:
  localgov explain /bin-collections/maidstone/
  localgov explain /councils/kent/""",
    "new": """\
Example:
  localgov new my-site && cd my-site && localgov serve""",
    "report": """\
Examples:
  localgov report                      # every council
  localgov report --council maidstone  # one council, service by service
  localgov report --json > coverage.json""",
    "search": """\
Examples:
  localgov search "bin day"
  localgov search "school places" --postcode "ME15 6JQ"
  localgov search parking --council maidstone -n 5 --json""",
    "postcode": """\
Examples:
  localgov postcode "ME15 6JQ"
  localgov postcode me156jq --json
  localgov postcode "CF10 1EP" --lookup postcodes/compiled/lookup.msgpack.br""",
    "postcodes": """\
Examples:
  localgov postcodes import ~/Downloads/ONSPD_NOV_2025.zip
  localgov postcodes shards build/postcodes""",
    "postcodes import": """\
Examples:
  localgov postcodes import ~/Downloads/ONSPD_NOV_2025.zip
  localgov postcodes import NSPL21_AUG_2022_UK_BT.csv.gz --out postcodes/compiled""",
    "postcodes shards": """\
Example:
  localgov postcodes shards build/postcodes""",
}


class HelpFormatter(argparse.HelpFormatter):
    """Wrap descriptions to the terminal; keep the lines of the examples as they are written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def add_global_options(parser: argparse.ArgumentParser, *, main: bool) -> None:
    """Add --root and --verbose; a command's copy leaves them as they are unless given after its name."""
    if "--root" not in parser._option_string_actions:
        parser.add_argument("--root", type=Path, default=Path(".") if main else argparse.SUPPRESS, metavar="DIR",
                            help="the site folder (default: the current folder)")
    if "--verbose" not in parser._option_string_actions:
        parser.add_argument("-v", "--verbose", action="store_true", default=False if main else argparse.SUPPRESS,
                            help="say more: every warning, the time of each step, what is being done")


def walk_commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[tuple[str, argparse.ArgumentParser]]:
    """Return (name, parser) for every command and subcommand, like ("postcodes import", ...)."""
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix} {name}".strip()
                found.append((full, sub))
                found.extend(walk_commands(sub, full))
    return found


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="localgov", description="Build a GOV.UK-style information site for local councils from Markdown, "
        "council data and postcodes.", epilog=EXAMPLES[""], formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version", version=f"localgov {__version__}",
                        help="print localgov's version and stop")
    add_global_options(parser, main=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser(
        "build", help="build the site into a folder (only what changed since the last build)",
        description="Build the site into build/ (or --out). Only the pages whose sources changed are rendered "
        "again; nothing is written if the sources have errors.")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: build/ in the site)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--keep-going", action="store_true",
                       help="build without council files that have errors (still exits 1, so it is not published)")
    build.add_argument("--clean", action="store_true", help="ignore the build cache and render every page")
    build.add_argument("--no-search", action="store_true",
                       help="skip the search indexes (Pagefind and Whoosh) and keep the last ones")
    build.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="render with N processes (default: one per core, or LOCALGOV_JOBS)")
    add_as_at(build)
    build.set_defaults(run=run_build)

    serve = commands.add_parser(
        "serve", help="build, serve on this machine and rebuild when a file changes",
        description="Build the site, serve it and rebuild what a save changed; the open page reloads itself. "
        "Problems show in the terminal and at the top of the page.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")
    serve.add_argument("--out", type=Path, default=None, help="output folder (default: build/ in the site)")
    serve.add_argument("--no-build", action="store_true", help="serve what is already built, without watching")
    serve.add_argument("--no-search", action="store_true", help="do not update the search indexes, even at the start")
    add_as_at(serve)
    serve.set_defaults(run=run_serve)

    check = commands.add_parser("check", help="check the sources without writing a site",
                                description="Check schemas, overrides, links, stale pages, missing council data "
                                "and near-duplicate pages, without writing anything. Errors come first; a warning "
                                "that many files share is one line (--verbose lists every one). Exit 0: no errors; "
                                "1: errors (or warnings with --strict).")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--no-render", action="store_true",
                       help="skip rendering every page (faster; no check of links in rendered pages)")
    check.add_argument("--style", action="store_true",
                       help="also print each page's reading ease and long sentences, hardest first")
    check.add_argument("--services", type=Path, default=None, metavar="CSV",
                       help="GOV.UK's list of local services (LGSL CSV): name each service no page carries")
    add_as_at(check)
    check.set_defaults(run=run_check)

    explain = commands.add_parser("explain", help="list the files that made a page, and why",
                                  description="List every file that made the page at a URL: the common source, "
                                  "council files, council data and templates in lookup order.")
    explain.add_argument("url", help="a URL of the site, like /bin-collections/maidstone/")
    explain.set_defaults(run=run_explain)

    new = commands.add_parser("new", help="start a new site in a folder",
                              description="Write a small working site: one topic, one page and two councils.")
    new.add_argument("folder", type=Path, help="the folder to create (must not exist or be empty)")
    new.set_defaults(run=run_new)

    _register_optional(commands)
    for name, sub in walk_commands(parser):
        add_global_options(sub, main=False)
        sub.epilog = EXAMPLES.get(name)
        sub.formatter_class = HelpFormatter
    return parser


def _register_optional(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the commands that live in their own modules."""
    from localgov.commands import postcode as postcode_cli
    from localgov.commands import report
    from localgov.commands import search as search_cli

    postcode_cli.register(commands)
    report.register(commands)
    search_cli.register(commands)


def run_build(args: argparse.Namespace) -> int:
    from localgov.build import build

    root = args.root.resolve()
    out = (args.out or root / "build").resolve()
    with _progress(args) as progress:
        result = build(root, out, strict=args.strict, progress=progress,
                       keep_going=getattr(args, "keep_going", False),
                       incremental=not getattr(args, "clean", False),
                       finalise=not getattr(args, "no_search", False),
                       workers=getattr(args, "jobs", None), as_at=args.as_at)
    print_problems(result.warnings, root)
    missing_councils = {c for c, _, _ in result.missing}
    if result.missing:
        lack = "council lacks" if len(missing_councils) == 1 else "councils lack"
        print(f"{len(missing_councils)} {lack} data that pages use (fallback wording shown); "
              "run 'localgov report' for the list", file=sys.stderr)
    warnings = len(result.warnings)
    print(f"Built {result.pages:,} pages ({result.files:,} files) into {out} in {result.seconds:.1f}s, "
          f"{warnings} warning{'s' if warnings != 1 else ''}; "
          f"{result.rendered:,} rendered, {result.changed:,} files written, {result.removed:,} removed")
    if args.verbose and result.timings:
        print("  " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in result.timings.items()))
    if result.refused:
        print_problems(result.refused, root)
        files = sorted({p.file for p in result.refused})
        print(f"built without {len(files)} refused council file{'s' if len(files) != 1 else ''} "
              f"({', '.join(files)}); their councils' pages show the common text. Fix them before publishing.",
              file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _progress(args: argparse.Namespace) -> StageProgress:
    """Return the command's progress display (made in main, so that log messages keep clear of it)."""
    progress: StageProgress | None = getattr(args, "progress", None)
    return progress if progress is not None else StageProgress()


def print_problems(problems: list[Problem], root: Path) -> None:
    from localgov.commands.display import print_report

    print_report(problems, root, sys.stderr)


def run_serve(args: argparse.Namespace) -> int:
    from localgov.commands.serve import serve

    root = args.root.resolve()
    out = (args.out or root / "build").resolve()
    serve(root, out, args.host, args.port, build_first=not args.no_build, watch=not args.no_build,
          search=not args.no_search, progress=_progress(args), as_at=args.as_at)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from localgov.commands.check import check
    from localgov.style import format_styles

    root = args.root.resolve()
    with _progress(args) as progress:
        report = check(root, render=not args.no_render, progress=progress, as_at=args.as_at,
                       services=args.services)
    if args.style:
        print(format_styles(report.styles))
    shown, grouped = report.grouped(verbose=args.verbose)
    print_problems(shown, root)
    for line in grouped:
        print(line, file=sys.stderr)
    errors, warnings = len(report.errors), len(report.warnings)
    print(f"Checked {report.pages:,} pages and {report.files:,} source files: "
          f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    if errors or ((args.strict or report.strict) and warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def run_explain(args: argparse.Namespace) -> int:
    from localgov.commands.explain import explain, format_explanation

    root = args.root.resolve()
    print(format_explanation(explain(root, args.url), colour=sys.stdout.isatty()))
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    from localgov.commands.new import scaffold

    folder = args.folder.resolve()
    files = scaffold(folder)
    print(f"Wrote a new site to {folder} ({len(files)} files). Next:\n"
          f"  cd {args.folder}\n  localgov serve        # build it and preview it on http://127.0.0.1:8000/")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    args.progress = StageProgress()
    handler = ProgressLogHandler(args.progress)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[handler])
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except BuildFailed as exc:
        print_problems(exc.problems, args.root.resolve())
        print(f"{exc}; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    except UsageError as exc:
        print(f"localgov: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LocalgovError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`localgov check --style | head`): say nothing more, as other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
