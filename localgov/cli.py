"""The `localgov` command."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from localgov import __version__
from localgov.errors import BuildFailed, LocalgovError, Problem, UsageError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class ProgressLine:
    """A one-line progress display on a terminal, shown only for builds that take more than a moment."""

    def __init__(self, stream: object = sys.stderr, delay: float = 1.0) -> None:
        self.stream = stream
        self.started = time.perf_counter()
        self.delay = delay
        self.shown = False
        self.tty = bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.tty or time.perf_counter() - self.started < self.delay:
            return
        percent = 100 * done // total if total else 100
        print(f"\r{label}: {done:,}/{total:,} ({percent}%)", end="", file=self.stream, flush=True)  # type: ignore[call-overload]
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=self.stream, flush=True)  # type: ignore[call-overload]


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="localgov", description="Build the national local government information site.")
    parser.add_argument("--version", action="version", version=f"localgov {__version__}")
    parser.add_argument("--root", type=Path, default=Path("."), help="the site folder (default: the current folder)")
    parser.add_argument("-v", "--verbose", action="store_true", help="say more about what is happening")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser("build", help="build the site into a folder (only what changed since the last build)")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: build/ in the site)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--keep-going", action="store_true",
                       help="build without council files that have errors (still exits 1, so it is not published)")
    build.add_argument("--clean", action="store_true", help="ignore the build cache and render every page")
    build.add_argument("--no-search", action="store_true",
                       help="skip the search indexes (Pagefind and Whoosh) and keep the last ones")
    build.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="render with N processes (default: one per core, or LOCALGOV_JOBS)")
    build.set_defaults(run=run_build)

    serve = commands.add_parser("serve", help="build, serve on this machine and rebuild when a file changes")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--out", type=Path, default=None, help="output folder (default: build/ in the site)")
    serve.add_argument("--no-build", action="store_true", help="serve what is already built, without watching")
    serve.add_argument("--no-search", action="store_true", help="do not update the search indexes, even at the start")
    serve.set_defaults(run=run_serve)

    check = commands.add_parser("check", help="check the sources without writing a site",
                                description="Check schemas, overrides, links, stale pages, missing council data "
                                "and near-duplicate pages. Exit 0: no errors; 1: errors (or warnings with --strict).")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--no-render", action="store_true",
                       help="skip rendering every page (faster; no check of links in rendered pages)")
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
    progress = ProgressLine()
    try:
        result = build(root, out, strict=args.strict, progress=progress,
                       keep_going=getattr(args, "keep_going", False),
                       incremental=not getattr(args, "clean", False),
                       finalise=not getattr(args, "no_search", False),
                       workers=getattr(args, "jobs", None))
    finally:
        progress.clear()
    print_problems(result.warnings, root)
    missing_councils = {c for c, _, _ in result.missing}
    if result.missing:
        print(f"{len(missing_councils)} councils lack data that pages use (fallback wording shown); "
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


def print_problems(problems: list[Problem], root: Path) -> None:
    from localgov.commands.display import print_report

    print_report(problems, root, sys.stderr)


def run_serve(args: argparse.Namespace) -> int:
    from localgov.commands.serve import serve

    root = args.root.resolve()
    out = (args.out or root / "build").resolve()
    serve(root, out, args.host, args.port, build_first=not args.no_build, watch=not args.no_build,
          search=not args.no_search)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from localgov.commands.check import check

    root = args.root.resolve()
    report = check(root, render=not args.no_render)
    print_problems(report.problems, root)
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
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
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
