"""A loaded and resolved site: everything the render stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from localgov.config import SiteConfig
from localgov.content import Content
from localgov.model import Council
from localgov.overrides import Overrides
from localgov.resolve import Resolution


@dataclass(frozen=True)
class Site:
    """The output of the load and resolve stages."""

    config: SiteConfig
    councils: dict[str, Council]
    content: Content
    resolution: Resolution
    overrides: Overrides = field(default_factory=Overrides)
    # Council data each (council, page) lacks, as the render stage found it: filled in by the build once
    # every page is rendered, so the coverage report need not render every page's text again.
    missing: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
