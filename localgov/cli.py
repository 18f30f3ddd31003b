"""The `localgov` command."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from localgov import __version__
from localgov.errors import BuildFailed, LocalgovError

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

    build = commands.add_parser("build", help="build the site into a folder")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: build/ in the site)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.set_defaults(run=run_build)

    serve = commands.add_parser("serve", help="build the site and serve it on this machine")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--out", type=Path, default=None, help="output folder (default: build/ in the site)")
    serve.add_argument("--no-build", action="store_true", help="serve what is already built")
    serve.set_defaults(run=run_serve)

    _register_optional(commands)
    return parser


def _register_optional(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the commands that live in their own modules."""
    from localgov import postcode_cli

    postcode_cli.register(commands)


def run_build(args: argparse.Namespace) -> int:
    from localgov.build import build

    root = args.root.resolve()
    out = (args.out or root / "build").resolve()
    progress = ProgressLine()
    try:
        result = build(root, out, strict=args.strict, progress=progress)
    finally:
        progress.clear()
    for warning in result.warnings:
        print(warning.format(), file=sys.stderr)
    missing_councils = {c for c, _, _ in result.missing}
    if result.missing:
        print(f"{len(missing_councils)} councils lack data that pages use (fallback wording shown); "
              "run 'localgov report' for the list", file=sys.stderr)
    warnings = len(result.warnings)
    print(f"Built {result.pages:,} pages ({result.files:,} files) into {out} in {result.seconds:.1f}s, "
          f"{warnings} warning{'s' if warnings != 1 else ''}")
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from localgov.serve import serve

    root = args.root.resolve()
    out = (args.out or root / "build").resolve()
    if not args.no_build:
        code = run_build(argparse.Namespace(root=args.root, out=out, strict=False))
        if code != EXIT_OK:
            return code
    serve(out, args.host, args.port)
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
        print(exc.report(), file=sys.stderr)
        print(f"{exc}; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    except LocalgovError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
