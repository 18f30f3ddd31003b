"""localgov: one national GOV.UK-style site for UK local government, built as static files."""

from __future__ import annotations

__version__ = "0.1.0"
