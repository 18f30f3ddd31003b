"""Scan HTML that councils contribute: refuse scripts, event handlers, frames, forms and unsafe links."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from localgov.errors import Problems, describe
from localgov.load.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

UNSAFE_TAGS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
     "textarea", "select", "option", "link", "meta", "base", "svg", "math", "template", "noscript", "portal"}
)


UNSAFE_ATTRIBUTES = frozenset({"srcdoc", "formaction", "action"})


URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite"}
)


UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


CONTROL = re.compile(r"[\x00-\x20]+")


SAFE_HTML = "Markdown, or simple HTML without scripts, styles, frames, forms or event handlers"


class _Scanner(HTMLParser):
    """Collect what the sanitiser would remove from contributed HTML, in two kinds: unsafe and unsupported."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.unsafe: list[tuple[str, str, str]] = []  # (what, needle to find its line, found)
        self.unsupported: list[tuple[str, str, str]] = []
        self.relative: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSAFE_TAGS:
            self.unsafe.append((f"<{tag}> is not allowed", f"<{tag}", f"<{tag}>"))
        elif tag not in ALLOWED_TAGS:
            self.unsupported.append((f"<{tag}> is not supported and was removed", f"<{tag}", f"<{tag}>"))
        allowed = ALLOWED_ATTRIBUTES.get("*", set()) | ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            text = value or ""
            if name.startswith("on") or name in UNSAFE_ATTRIBUTES:
                self.unsafe.append((f"the attribute {name} on <{tag}> is not allowed", name,
                                    describe(f'{name}="{text}"')))
                continue
            if name in URL_ATTRIBUTES:
                bare = CONTROL.sub("", text).lower()
                if bare.startswith(UNSAFE_SCHEMES):
                    scheme = bare.split(":", 1)[0]
                    self.unsafe.append((f"a {scheme}: address is not allowed", scheme, describe(text)))
                    continue
                if name == "href" and _is_relative(text):
                    self.relative.append(text)
            if tag in ALLOWED_TAGS and name not in allowed and tag not in UNSAFE_TAGS:
                self.unsupported.append((f"the attribute {name} on <{tag}> is not supported and was removed",
                                         f"{name}=", describe(f'{name}="{text}"')))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _is_relative(href: str) -> bool:
    href = href.strip()
    return bool(href) and "{" not in href and not href.startswith(("/", "#", "https:", "http:", "mailto:", "tel:"))


def scan_html(rel: str, fragment: str, body: str, body_line: int, problems: Problems, *, rendered: bool = False,
              field: str = "", refused: str = "the file is not used") -> None:
    """Report unsafe HTML in a council file as errors, unsupported HTML as warnings, each at its source line.

    `field` names the YAML field the text is in (an alert body), and `refused` says what is left out.
    """
    scanner = _Scanner()
    scanner.feed(fragment)
    scanner.close()
    lines = body.split("\n")

    def line_of(needle: str) -> int:
        needle = needle.lower()
        for number, text in enumerate(lines):
            if needle in text.lower() or needle in CONTROL.sub("", html.unescape(text)).lower():
                return body_line + number
        return body_line

    for what, needle, found in scanner.unsafe:
        extra = " (it came from council data filled into the page)" if rendered else ""
        problems.error(rel, line_of(needle), f"unsafe HTML: {what}{extra}; {refused}", field=field,
                       expected=SAFE_HTML, found=found)
    if rendered:
        return
    for what, needle, found in scanner.unsupported:
        problems.warn(rel, line_of(needle), f"HTML: {what}", field=field, expected=SAFE_HTML, found=found)
    for href in scanner.relative:
        problems.warn(rel, line_of(href), "a relative link will not work on this site", field=field,
                      expected="a full https:// address, or a path from the site root like /bin-collections/",
                      found=repr(href))
