"""Small helpers for reading built sites in tests."""

from __future__ import annotations

import hashlib
import os
import re
from html.parser import HTMLParser
from pathlib import Path

HREF = re.compile(r'(?:href|src)="([^"]*)"')


def tree_digest(folder: Path) -> dict[str, str]:
    """Return path -> sha256 for every file under `folder` (and every link to a file), in path order.

    Links to folders are not followed. os.walk, not Path.rglob: a built demo site has tens of thousands of files.
    """
    found: dict[str, str] = {}
    base = len(str(folder)) + 1
    for parent, _, names in os.walk(folder):
        prefix = parent[base:].replace(os.sep, "/") + "/" if len(parent) >= base else ""
        for name in names:
            path = os.path.join(parent, name)
            if os.path.isfile(path):
                with open(path, "rb") as stream:
                    found[prefix + name] = hashlib.sha256(stream.read()).hexdigest()
    return {rel: found[rel] for rel in sorted(found, key=lambda rel: rel.split("/"))}


def read(out: Path, url: str) -> str:
    """Return the HTML served at a clean URL like /bin-collections/maidstone/."""
    rel = url.strip("/")
    path = out / rel / "index.html" if not rel.endswith((".html", ".xml", ".txt", ".json")) else out / rel
    return path.read_text(encoding="utf-8")


def internal_links(html: str) -> list[str]:
    """Return every internal href/src of a page, without fragments or queries."""
    links = []
    for href in HREF.findall(html):
        if href.startswith("/") and not href.startswith("//"):
            links.append(re.split(r"[#?]", href)[0])
    return links


def resolves(out: Path, href: str) -> bool:
    rel = href.lstrip("/")
    if rel == "" or rel.endswith("/"):
        return (out / rel / "index.html").is_file()
    return (out / rel).is_file() or (out / rel / "index.html").is_file()


class _Elements(HTMLParser):
    """The elements and attributes of a page, as a browser would build them."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name: value or "" for name, value in attrs}
        if tag == "script" and not names.get("src", "").startswith("/assets/"):
            self.bad.append("<script>")
        if tag == "meta" and "http-equiv" in names:
            self.bad.append("<meta http-equiv>")
        for name, value in names.items():
            if name.startswith("on"):
                self.bad.append(f"{name}=")
            if re.sub(r"[\x00-\x20]", "", value).lower().startswith("javascript:"):
                self.bad.append("javascript:")


def unsafe(html: str) -> list[str]:
    """Return what in `html` could run or redirect: scripts not from /assets/, event handlers, `javascript:`
    addresses and `<meta http-equiv>`."""
    parser = _Elements()
    parser.feed(html)
    return parser.bad
