"""A loaded and resolved site: everything the render stage reads."""

from __future__ import annotations

from dataclasses import dataclass

from localgov.config import SiteConfig
from localgov.content import Content
from localgov.model import Council
from localgov.resolve import Resolution


@dataclass(frozen=True)
class Site:
    """The output of the load and resolve stages."""

    config: SiteConfig
    councils: dict[str, Council]
    content: Content
    resolution: Resolution
