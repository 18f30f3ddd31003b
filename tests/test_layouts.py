"""One precedence rule for layouts and static files: the site's own, then localgov's, then GOV.UK Frontend's."""

from __future__ import annotations

import re
from pathlib import Path
from types import CodeType

import jinja2
import pytest
from markupsafe import escape

from localgov.build import build
from localgov.i18n import CATALOGUES, gettext_for, ngettext_for
from localgov.render.layouts import (
    GOVUK,
    GOVUK_PREFIX,
    LOCALGOV,
    NO_CROWN,
    SITE,
    Layer,
    LayerLoader,
    SiteBytecodeCache,
    default_templates,
    find_template,
    layers,
    layout_environment,
    static_files,
)
from tests.conftest import MakeSite, write_files

SITE_CSS = "/* the site's own stylesheet */\n.site-own { color: #0b0c0c; }\n"


@pytest.fixture
def chain(tmp_path: Path) -> list[Layer]:
    """Three layers in folders of their own, with names that clash between them."""
    write_files(tmp_path, {
        "site/page.html": '{% extends "localgov/page.html" %}{% block body %}site, then {{ super() }}{% endblock %}',
        "site/static/both.css": "site",
        "defaults/page.html": "<p>{% block body %}defaults{% endblock %}</p>",
        "defaults/only-defaults.html": "defaults",
        "defaults/govuk_frontend_jinja/components/button.html": "defaults' button",
        "defaults/static/both.css": "defaults",
        "defaults/static/govuk.css": "defaults' govuk.css",
        "govuk/templates/components/button.html": "GOV.UK's button",
        "govuk/templates/components/tag.html": "GOV.UK's tag",
        "govuk/dist/govuk.css": "GOV.UK's govuk.css",
        "govuk/dist/govuk.js": "GOV.UK's govuk.js",
        "govuk/dist/unused.js": "not offered",
    })
    return [
        Layer(SITE, tmp_path / "site", tmp_path / "site" / "static"),
        Layer(LOCALGOV, tmp_path / "defaults", tmp_path / "defaults" / "static"),
        Layer(GOVUK, tmp_path / "govuk" / "templates", tmp_path / "govuk" / "dist", prefix=GOVUK_PREFIX,
              static_names=("govuk.css", "govuk.js")),
    ]


def render(chain: list[Layer], name: str) -> str:
    return jinja2.Environment(loader=LayerLoader(chain)).get_template(name).render()


def test_the_first_layer_with_a_static_file_gives_it(chain: list[Layer]) -> None:
    chosen = {name: (found.layer.name, found.path.read_text() if found.path else "")
              for name, found in static_files(chain).items()}
    assert chosen == {
        "both.css": (SITE, "site"),  # the site's own shadows the default
        "govuk.css": (LOCALGOV, "defaults' govuk.css"),  # a default shadows GOV.UK Frontend's
        "govuk.js": (GOVUK, "GOV.UK's govuk.js"),
    }
    reversed_chain = static_files(chain[::-1])
    assert reversed_chain["both.css"].layer.name == LOCALGOV, "the order of the layers is the rule"


def test_the_first_layer_with_a_template_gives_it_and_the_site_can_extend_the_default(chain: list[Layer]) -> None:
    assert render(chain, "page.html") == "<p>site, then defaults</p>"
    assert render(chain, "localgov/page.html") == "<p>defaults</p>"
    assert render(chain, "only-defaults.html") == "defaults"
    assert render(chain, "govuk_frontend_jinja/components/button.html") == "defaults' button"
    assert render(chain, "govuk_frontend_jinja/components/tag.html") == "GOV.UK's tag"
    found = find_template("govuk_frontend_jinja/components/button.html", chain)
    assert [(f.layer.name, f.name) for f in found] == [(LOCALGOV, "govuk_frontend_jinja/components/button.html"),
                                                       (GOVUK, "components/button.html")]
    with pytest.raises(jinja2.TemplateNotFound):
        render(chain, "../site/page.html")
    with pytest.raises(jinja2.TemplateNotFound):
        render(chain, "components/tag.html")  # GOV.UK Frontend's templates are only found under their prefix


def test_localgov_leaves_out_the_crown_whatever_govuk_frontend_draws(make_site: MakeSite) -> None:
    root = make_site()
    env = layout_environment(root)
    name = next(iter(NO_CROWN))
    found = find_template(name, layers(root))
    assert [f.layer.name for f in found] == [LOCALGOV, GOVUK]
    assert found[1].path is not None and "svg" in found[1].path.read_text(encoding="utf-8")
    assert env.loader is not None and env.loader.get_source(env, name)[0] == NO_CROWN[name]


def test_a_site_shadows_the_default_static_files_and_templates(make_site: MakeSite, tmp_path: Path) -> None:
    default_css = (default_templates() / "static" / "localgov.css").read_text(encoding="utf-8")
    root = make_site({
        "templates/static/localgov.css": SITE_CSS,
        "templates/static/govuk-frontend.min.css": "/* the site's own GOV.UK Frontend */\n",
        "templates/variant.html": '{% extends "localgov/variant.html" %}'
                                  '{% block head %}{{ super() }}<meta name="site-variant" content="yes">{% endblock %}',
        # A site may shadow a GOV.UK Frontend component too.
        "templates/govuk_frontend_jinja/components/phase-banner/macro.html":
            '{% macro govukPhaseBanner(params) %}<div class="site-phase">{{ params.tag.text }}</div>{% endmacro %}',
    })
    out = tmp_path / "out"
    build(root, out, finalise=False)
    assets = sorted(p.name for p in (out / "assets").iterdir())
    # One file per name, from the site: the shadowed files are not written at all.
    assert len([a for a in assets if re.fullmatch(r"localgov\.\w{10}\.css", a)]) == 1
    assert len([a for a in assets if re.fullmatch(r"govuk-frontend\.min\.\w{10}\.css", a)]) == 1
    css = next(a for a in assets if a.startswith("localgov.") and a.endswith(".css"))
    assert (out / "assets" / css).read_text(encoding="utf-8") == SITE_CSS != default_css
    html = (out / "bin-collections" / "maidstone" / "index.html").read_text(encoding="utf-8")
    assert f'href="/assets/{css}"' in html
    assert '<meta name="site-variant" content="yes">' in html
    assert "Maidstone Borough Council collects your bins" in html, "the default it extends still renders"
    common = (out / "bin-collections" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="site-variant"' not in common
    assert 'class="site-phase"' in html and "govuk-phase-banner" not in html


def test_compiled_default_templates_are_kept_once_per_user_and_the_sites_own_in_the_site(
        make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new site's first build reads the defaults' compiled code from the user's cache; a site's own stays in it."""
    user = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(user))
    own = '{% extends "localgov/page.html" %}{% block title %}Own {{ super() }}{% endblock %}'
    first = make_site({"templates/page.html": own}, name="first")
    build(first, first / "build", finalise=False)
    shared = sorted(user.glob("localgov/jinja-*"))
    assert len(shared) == 1
    compiled = sorted(p.name for p in shared[0].glob("*.cache"))
    references = sorted(p.name for p in (shared[0] / "references").glob("*.json"))
    assert len(compiled) > 20 and len(references) > 20, (compiled, references)
    # The site's own template is compiled into the site's cache folder, never the user's.
    site_cache = sorted((first / ".localgov-cache" / "jinja").glob("*.cache"))
    assert len(site_cache) == 1
    assert site_cache[0].name not in compiled
    # A second site compiles none of the defaults again: it loads them, and the cache is as it was.
    stamps = {p.name: p.stat().st_mtime_ns for p in shared[0].glob("*.cache")}
    second = make_site({"templates/page.html": own.replace("Own", "Other")}, name="second")
    build(second, second / "build", finalise=False)
    assert {p.name: p.stat().st_mtime_ns for p in shared[0].glob("*.cache")} == stamps
    assert "<title>Other " in (second / "build" / "bin-collections" / "index.html").read_text(encoding="utf-8")
    assert "<title>Own " in (first / "build" / "bin-collections" / "index.html").read_text(encoding="utf-8")
    # A changed default is compiled again: Jinja compares the source's checksum, not only the name.
    stale = shared[0] / compiled[0]
    stale.write_bytes(b"not compiled code")
    third = make_site(name="third")
    build(third, third / "build", finalise=False)
    assert (third / "build" / "bin-collections" / "index.html").is_file()


def test_compiled_templates_are_used_again_in_one_process_while_their_source_is_unchanged(tmp_path: Path) -> None:
    """Each build makes a new environment: code compiled for a template file earlier in the process is used again,
    without reading the cache file, and a changed source is compiled again."""
    root, cache = tmp_path / "site", tmp_path / "cache"
    (root / "templates").mkdir(parents=True)
    template = root / "templates" / "page.html"

    def render() -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(root / "templates"),
                                 bytecode_cache=SiteBytecodeCache(str(cache), None, root))
        return env.get_template("page.html").render(name="Kent")

    template.write_text("One {{ name }}", encoding="utf-8")
    assert render() == "One Kent"
    assert len(list(cache.glob("*.cache"))) == 1
    for path in cache.glob("*.cache"):
        path.write_bytes(b"not compiled code")  # not read again: the code is still in memory
    assert render() == "One Kent"
    assert [p.read_bytes() for p in cache.glob("*.cache")] == [b"not compiled code"]
    template.write_text("Two {{ name }}", encoding="utf-8")
    assert render() == "Two Kent"


def test_compiled_code_serves_every_site_in_one_process_and_names_each_sites_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sites with the same template source: the second uses the code compiled for the first, set to its own
    file, and still saves it in its own cache folder for the next process."""
    compiled: list[str | None] = []
    compile_template = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None,
                 filename: str | None = None) -> CodeType:
        compiled.append(filename)
        return compile_template(self, source, name, filename)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    source = f"{{{{ name }}}} in {tmp_path.name}"  # a source no other test compiles
    for site in ("one", "two"):
        root = tmp_path / site
        (root / "templates").mkdir(parents=True)
        (root / "templates" / "page.html").write_text(source, encoding="utf-8")
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(root / "templates"),
                                 bytecode_cache=SiteBytecodeCache(str(root / "cache"), None, root))
        template = env.get_template("page.html")
        assert template.render(name="Kent") == f"Kent in {tmp_path.name}"
        assert template.root_render_func.__code__.co_filename == str(root / "templates" / "page.html")
        assert len(list((root / "cache").glob("*.cache"))) == 1
    assert compiled == [str(tmp_path / "one" / "templates" / "page.html")]
    # Other compiler settings make other code: the same source is compiled again for them.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path / "one" / "templates"), trim_blocks=True,
                             bytecode_cache=SiteBytecodeCache(str(tmp_path / "other"), None, tmp_path / "one"))
    assert env.get_template("page.html").render(name="Kent") == f"Kent in {tmp_path.name}"
    assert len(compiled) == 2


def test_kept_gettext_answers_as_jinjas_own(tmp_path: Path) -> None:
    """Each message is answered once per environment: the same text, escaped the same way, as Jinja's own."""
    source = ('{{ _("Skip to main content") }}|{{ _("Skip to main content") }}|{{ _("100%% <free>") }}|'
              '{{ _("Hello %(name)s", name="<b>") }}|{% trans %}Menu{% endtrans %}|'
              '{% autoescape false %}{{ _("a & b") }}|{{ _("a & b") }}{% endautoescape %}|{{ _("a & b") }}')
    ours = layout_environment(tmp_path, "cy")
    jinjas = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    jinjas.install_gettext_callables(gettext_for("cy"), ngettext_for("cy"), newstyle=True)  # type: ignore[attr-defined]
    expected = jinjas.from_string(source).render()
    assert str(escape(CATALOGUES["cy"]["Skip to main content"])) in expected  # the Welsh catalogue answers
    assert ours.from_string(source).render() == expected
    assert ours.from_string(source).render() == expected  # and again, from what it kept
