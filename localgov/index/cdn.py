"""Site-wide files for a CDN: sitemap, robots.txt and _headers."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from localgov.model import SiteConfig
from localgov.urls import POSTCODES_DIR, Route, url

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; upgrade-insecure-requests"
)


def sitemap(config: SiteConfig, table: Iterable[Route]) -> bytes:
    """Return sitemap.xml for every page search engines may index (clean URLs, by output path)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for route in sorted((r for r in table if r.indexed), key=lambda r: r.path):
        lines.append(f"<url><loc>{escape(config.absolute(route.url))}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(config: SiteConfig) -> bytes:
    return (
        f"User-agent: *\nDisallow: {url('search')}\nDisallow: /{POSTCODES_DIR}/\n\n"
        f"Sitemap: {config.absolute('/sitemap.xml')}\n"
    ).encode()


def csp(config: SiteConfig) -> str:
    """Return the site's Content Security Policy: CSP, with forms allowed to post to the feedback endpoint."""
    endpoint = config.feedback_endpoint
    if not endpoint or endpoint.startswith("/"):
        return CSP
    parts = urlsplit(endpoint)
    return CSP.replace("form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")


def headers(config: SiteConfig) -> bytes:
    """Return a Netlify/Cloudflare-style _headers file."""
    return (
        "/*\n"
        f"  Content-Security-Policy: {csp(config)}\n"
        "  X-Content-Type-Options: nosniff\n"
        "  Referrer-Policy: strict-origin-when-cross-origin\n"
        "  Permissions-Policy: geolocation=(), camera=(), microphone=()\n"
        "  Strict-Transport-Security: max-age=31536000; includeSubDomains\n"
        "/assets/*\n"
        "  Cache-Control: public, max-age=31536000, immutable\n"
        "/postcodes/*\n"
        "  Cache-Control: public, max-age=86400\n"
        "  Access-Control-Allow-Origin: *\n"
        "/api/*\n"
        "  Access-Control-Allow-Origin: *\n"
    ).encode()
