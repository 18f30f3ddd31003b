"""Site-wide files for a CDN: sitemap, robots.txt, _headers; and the internal link check."""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

from localgov.model import SiteConfig
from localgov.urls import target_of

HREF = re.compile(rb"""(?:href|src)="([^"#?]*)[^"]*\"""")
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; upgrade-insecure-requests"
)


def sitemap(config: SiteConfig, html_paths: Iterable[str]) -> bytes:
    """Return sitemap.xml for every indexable page (clean URLs, sorted)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(html_paths):
        if not path.endswith("index.html") or path.startswith(("search/", "status/")):
            continue
        url = "/" + path[: -len("index.html")]
        lines.append(f"<url><loc>{escape(config.absolute(url))}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(config: SiteConfig) -> bytes:
    return (
        f"User-agent: *\nDisallow: /search/\nDisallow: /postcodes/\n\nSitemap: {config.absolute('/sitemap.xml')}\n"
    ).encode()


def headers() -> bytes:
    """Return a Netlify/Cloudflare-style _headers file."""
    return (
        "/*\n"
        f"  Content-Security-Policy: {CSP}\n"
        "  X-Content-Type-Options: nosniff\n"
        "  Referrer-Policy: strict-origin-when-cross-origin\n"
        "  Permissions-Policy: geolocation=(), camera=(), microphone=()\n"
        "  Strict-Transport-Security: max-age=31536000; includeSubDomains\n"
        "/assets/*\n"
        "  Cache-Control: public, max-age=31536000, immutable\n"
        "/postcodes/*\n"
        "  Cache-Control: public, max-age=86400\n"
        "  Access-Control-Allow-Origin: *\n"
    ).encode()




def broken_links(pages: Iterable[tuple[str, bytes]], existing: set[str]) -> list[tuple[str, str]]:
    """Return (page, href) for every internal link that points to no output file."""
    broken: list[tuple[str, str]] = []
    seen_ok: set[bytes] = set()
    for path, data in pages:
        for match in HREF.finditer(data):
            raw = match.group(1)
            if raw in seen_ok:
                continue
            href = raw.decode("utf-8", "replace")
            target = target_of(href)
            if target is None or target in existing or f"{target}/index.html" in existing:
                seen_ok.add(raw)
                continue
            broken.append((path, href))
    return broken
