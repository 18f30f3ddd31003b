"""A naive build of the national benchmark site, for comparison: no caching, no reuse, one process.

For every output page it fills the council's data into the page's Markdown source, converts
that Markdown to HTML, and renders the page's layout: one Markdown conversion and one Jinja
layout render per page, as a straightforward static site generator would. It builds the
service pages (every council variant and every common page) with the same templates as
localgov and writes them into OUT.

    python bench/naive.py SITE OUT
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jinja2
from markupsafe import Markup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from localgov.build import load_site  # noqa: E402
from localgov.errors import Problems  # noqa: E402
from localgov.load.frontmatter import read_document  # noqa: E402
from localgov.load.markdown import new_markdown, split_sections  # noqa: E402
from localgov.render.assets import build_assets  # noqa: E402
from localgov.render.layouts import layer_loader  # noqa: E402
from localgov.sandbox import CouncilView, GenericCouncilView, content_environment  # noqa: E402


def environment(root: Path) -> jinja2.Environment:
    """The same template lookup as localgov, as a plain Jinja environment."""
    return jinja2.Environment(loader=layer_loader(root), autoescape=True, trim_blocks=True, lstrip_blocks=True)


def main() -> int:
    site_root, out = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    started = time.perf_counter()
    site = load_site(site_root, Problems(), keep_going=True)
    assert site is not None, "the benchmark site does not load"
    assets = {a.name: a.url for a in build_assets(site_root)}
    env = environment(site_root)
    env.globals.update(site=site.config, asset=lambda name: assets[name],
                       chrome=lambda name: Markup(env.get_template(name).render()))
    content_env = content_environment()
    pages = 0
    for page in site.content.pages.values():
        body = read_document((site_root / page.source).read_text(encoding="utf-8")).body
        body = body.replace("{#", "{{ '{#' }}")  # heading ids, {#id}, are not Jinja comments
        topic = site.content.topics[page.topic]
        crumbs = [{"text": "Home", "href": "/"}, {"text": topic.title, "href": f"/{topic.slug}/"}]
        for council_slug in (None, *site.resolution.councils_for(page.slug)):
            council = site.councils[council_slug] if council_slug else None
            view = CouncilView(council, page.slug) if council else GenericCouncilView()
            markdown_text = content_env.from_string(body).render(council=view)
            html = new_markdown().convert(markdown_text)
            sections = split_sections(html)
            contents = [(s.id, s.title) for s in sections if s.id != "intro" and s.title]
            if council is None:
                data = env.get_template("page.html").render(
                    title=page.title, description=page.summary, canonical=page.url, page=page, body=Markup(html),
                    contents=contents, az=[], az_id="az", az_label="Councils", lookup=None, tier_text="",
                    elsewhere=[], breadcrumbs=crumbs)
                target = out / page.slug / "index.html"
            else:
                data = env.get_template("variant.html").render(
                    title=f"{page.title}: {council.name}", description=page.summary,
                    canonical=f"/{page.slug}/{council.slug}/", page=page, council=council, body=Markup(html),
                    summary=page.summary, contents=contents, alerts=[], also=None,
                    breadcrumbs=[*crumbs, {"text": page.title, "href": page.url}])
                target = out / page.slug / council.slug / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(data, encoding="utf-8")
            pages += 1
    print(f"naive: {pages} pages in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
