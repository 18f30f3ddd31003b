"""Run the command line interface with `python -m localgov`."""

from __future__ import annotations

import sys

from localgov.cli import main

sys.exit(main())
