"""`python3 -m tests.golden update [NAME ...]` writes the golden trees again; `check` shows how a build differs."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests import golden


def main(argv: list[str] | None = None) -> int:
    """Run `update` or `check` for the named golden sites (all of them by default)."""
    parser = argparse.ArgumentParser(prog="python3 -m tests.golden", description=__doc__)
    parser.add_argument("command", choices=("update", "check"))
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"golden sites: {', '.join(golden.names())}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(golden.names()))
    if unknown:
        parser.error(f"no golden site named {', '.join(unknown)}")
    differs = False
    for name in args.names or golden.names():
        with tempfile.TemporaryDirectory(prefix=f"golden-{name}-") as work:
            if args.command == "update":
                changes = golden.update(name, Path(work))
                verb = "updated" if changes else "unchanged"
            else:
                changes = golden.compare(name, golden.build(name, Path(work)))
                verb = "differs" if changes else "matches"
        differs = differs or bool(changes)
        print(f"{name}: {verb}", *(f"  {line}" for line in changes), sep="\n", flush=True)
    if args.command == "update":
        print("Review the change with: git diff --stat tests/golden/ && git diff tests/golden/")
        return 0
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
