"""`--as-at DATE`: the option of every command that shows the site as it stands on a date."""

from __future__ import annotations

import argparse
import datetime as dt


def iso_date(text: str) -> dt.date:
    """Read a date given on the command line, like 2027-04-01."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2027-04-01, got {text!r}") from None


def add_as_at(parser: argparse.ArgumentParser) -> None:
    """Add `--as-at DATE`: the site as it stands on that date."""
    parser.add_argument("--as-at", type=iso_date, default=None, metavar="DATE",
                        help="the site as it stands on DATE, like 2027-04-01: the councils in force that day, "
                        "notices and redirects (default: site.yaml's as_at, else today)")
