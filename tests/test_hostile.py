"""Hostile and broken input: every case is refused or neutralised, with one located message, in bounded time.

The contract for each case: the output is refused (exit 1) or neutralised; one clear message with file,
line, field, expected and found; the previous output is byte-identical; no traceback; no hang. Cases
that could hang run the command in a child process with a timeout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from localgov.load.markdown import convert
from localgov.load.paths import escapes, replace_file
from localgov.model import Council
from localgov.render.markup import render_council_markup
from localgov.sandbox import CouncilView, GenericCouncilView, SectionTemplates, content_environment
from tests.conftest import COUNCILS, BuiltSite, MakeSite
from tests.helpers import read, tree_digest, unsafe

TIMEOUT = 90  # seconds: far beyond any of these builds, far below "for ever"
PAGE = "content/rubbish-and-recycling/bin-collections.md"
OVERRIDE = "councils/maidstone/rubbish-and-recycling/bin-collections.md"


def localgov(root: Path, *args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run the command in a child process, so that a hang is a failed test and not a stuck suite."""
    return subprocess.run([sys.executable, "-m", "localgov", "--root", str(root), *args], capture_output=True,
                          text=True, timeout=timeout, check=False, env={**os.environ, "LOCALGOV_TODAY": "2026-11-24"})


def refused(root: Path, *args: str, where: str, once: bool = True) -> str:
    """Run a command that must refuse the sources: exit 1, a located message, nothing written; return stderr."""
    before = tree_digest(root / "build") if (root / "build").exists() else None
    result = localgov(root, *args)
    err = result.stderr
    assert result.returncode == 1, f"exit {result.returncode}:\n{err[-3000:]}"
    assert "Traceback" not in err and "Error:" not in err.replace("error:", ""), err[-3000:]
    found = re.findall(where, err)
    assert found, f"no message matching {where!r}:\n{err[-3000:]}"
    if once:
        assert len(found) == 1, f"the same problem is reported {len(found)} times:\n{err[-3000:]}"
    if before is not None:
        assert tree_digest(root / "build") == before, "the previous output changed"
    return err


def council_yaml(slug: str, extra: str = "") -> str:
    return textwrap.dedent(COUNCILS[slug]).strip() + "\n" + extra


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


# -- stored XSS through council data -----------------------------------------------------------------

ALERT_PAYLOADS = {
    "markup in jinja tags": "Check. {% <script>alert(1)</script> %} {{<img src=x onerror=alert(2)>}}",
    "a meta refresh in a tag": '{{<meta http-equiv=refresh content="0;url=https://evil.example/">}} Closed.',
    "a meta refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example/"> Closed.',
    "a handler in a block tag": '{% if x %}<p onclick="alert(1)">Closed</p>{% endif %}',
    "a javascript link in a tag": "{{ '[x](javascript:alert(1))' }} [y]({{javascript:alert(1)}})",
}


def alert_yaml(body: str) -> str:
    return (f"alerts:\n  - title: Closed\n    body: {body!r}\n"
            "    start: 2026-11-01\n    end: 2026-11-30\n    pages: [bin-collections]\n")


@pytest.mark.parametrize("case", sorted(ALERT_PAYLOADS))
def test_unsafe_html_in_an_alert_body_is_refused_at_its_line(
        make_site: MakeSite, built_site: BuiltSite, case: str
) -> None:
    root = built_site()
    text = council_yaml("maidstone", alert_yaml(ALERT_PAYLOADS[case]))
    make_site({"councils/maidstone/council.yaml": text})
    line = line_of(text, "    body:")
    where = (rf"councils/maidstone/council\.yaml:{line}: error: 'alerts\[1\]\.body': unsafe HTML: [^\n]*; "
             r"expected [^\n]*")
    refused(root, "build", where=where, once=False)
    refused(root, "check", "--no-render", where=where, once=False)


@pytest.mark.parametrize("case", sorted(ALERT_PAYLOADS))
def test_council_markup_never_renders_unsafe_html(case: str) -> None:
    html = str(render_council_markup(ALERT_PAYLOADS[case]))
    assert not unsafe(html), html
    assert "<img" not in html and "<meta" not in html


def test_jinja_in_an_alert_is_shown_as_written(make_site: MakeSite) -> None:
    root = make_site({"councils/maidstone/council.yaml": council_yaml(
        "maidstone", alert_yaml("Closed {{ council.name }} {% if 1 %}today{% endif %} {{ 7 * 7 }}"))})
    result = localgov(root, "build")
    assert result.returncode == 0, result.stderr[-3000:]
    page = read(root / "build", "/bin-collections/maidstone/")
    assert "Closed {{ council.name }} {% if 1 %}today{% endif %} {{ 7 * 7 }}" in page


# -- links and special files -------------------------------------------------------------------------


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path)


def _link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


SPECIAL: dict[str, tuple[str, Callable[[Path], None], str]] = {
    # case: (path in the site, how to make it, what the message says)
    "an override linked to /dev/zero": (OVERRIDE, lambda p: _link(p, Path("/dev/zero")), r"link|not a file"),
    "an override that is a FIFO": (OVERRIDE, _fifo, r"not a file"),
    "a council.yaml that is a FIFO": ("councils/medway/council.yaml", _fifo, r"not a file"),
    "a council.yaml linked to /dev/zero": ("councils/medway/council.yaml", lambda p: _link(p, Path("/dev/zero")),
                                           r"link|not a file"),
    "a common page that is a FIFO": ("content/schools/fifo.md", _fifo, r"not a file"),
    "a common page linked to /dev/zero": ("content/schools/zero.md", lambda p: _link(p, Path("/dev/zero")),
                                          r"link|not a file"),
    "a topic file that is a FIFO": ("content/schools/_topic.yaml", _fifo, r"not a file"),
    "a council folder linked to /": ("councils/x", lambda p: _link(p, Path("/")), r"link"),
    "a topic folder linked to /": ("content/x", lambda p: _link(p, Path("/")), r"link"),
    "a council's topic folder linked to /": ("councils/maidstone/rubbish-and-recycling",
                                             lambda p: _link(p, Path("/")), r"link"),
    "site.yaml that is a FIFO": ("site.yaml", _fifo, r"not a file"),
    "a template that is a FIFO": ("templates/partials/x.html", _fifo, r"not a file"),
}


@pytest.mark.parametrize("case", sorted(SPECIAL))
def test_links_and_special_files_are_refused_without_being_read(built_site: BuiltSite, case: str) -> None:
    rel, make, says = SPECIAL[case]
    root = built_site()
    make(root / rel)
    err = refused(root, "build", where=rf"{re.escape(rel)}(:\d+)?: error: [^\n]*({says})", once=False)
    assert err.count(f"{rel}") >= 1


def test_an_incremental_build_refuses_a_council_yaml_swapped_for_a_link_to_an_identical_file(
        built_site: BuiltSite, tmp_path: Path) -> None:
    root = built_site()
    path = root / "councils" / "medway" / "council.yaml"
    outside = tmp_path / "outside" / "council.yaml"
    outside.parent.mkdir()
    outside.write_bytes(path.read_bytes())
    _link(path, outside)
    refused(root, "build", where=r"councils/medway/council\.yaml: error: is a link to a place outside councils/medway/")


# -- the content sandbox: bounded CPU time and output -------------------------------------------------

NESTED_LOOPS = "".join("{% for a" + str(n) + " in 'xxxxxxxxxx' %}" for n in range(12)) + "x" + \
    "{% endfor %}" * 12
DOUBLING = "{% set s = 'xx' %}" + "{% set s = s ~ s %}" * 64 + "{{ s | length }}"


def page_with(text: str) -> str:
    return ("---\ntitle: Bin collections\nsummary: When bins go.\nprovider: lower\n---\n"
            "{{ council.name }} collects your bins.\n\n" + text + "\n")


@pytest.mark.parametrize(("text", "says"), [
    pytest.param(NESTED_LOOPS, r"steps[^\n]*limit", id="nested loops"),
    pytest.param(DOUBLING, r"characters[^\n]*limit", id="a string doubled without end"),
    pytest.param("{% set s = 'x' * 5000 %}{{ s | replace('', s) }}", r"characters[^\n]*limit",
                 id="a replace that squares a string"),
    pytest.param("{% set s = 'x' * 5000 %}{{ s | join(s) }}", r"characters[^\n]*limit",
                 id="a join that squares a string"),
    pytest.param("{% set n = 7 %}" + "{% set n = n * n %}" * 40 + "{{ n }}", r"digits[^\n]*limit",
                 id="a number squared without end"),
    pytest.param("{{ '%999999999d' % 1 }}", r"'%' formatting", id="printf padding"),
])
def test_a_common_page_that_would_render_for_ever_is_stopped_once_at_its_line(
        make_site: MakeSite, built_site: BuiltSite, text: str, says: str) -> None:
    root = built_site()
    make_site({PAGE: page_with(text)})
    refused(root, "build", where=rf"{re.escape(PAGE)}:8: error: [^\n]*{says}")


def test_a_render_past_a_bound_for_one_council_only_is_reported_once(
        make_site: MakeSite, built_site: BuiltSite
) -> None:
    root = built_site()
    make_site({PAGE: page_with("{% if council.slug == 'medway' %}" + NESTED_LOOPS + "{% endif %}")})
    err = refused(root, "build", where=rf"{re.escape(PAGE)}:\d+: error: [^\n]*for medway: [^\n]*limit")
    assert err.count(": error: ") == 1, err[-3000:]
    result = localgov(root, "report")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]


def _view() -> CouncilView:
    return CouncilView(Council(slug="x", name="X Council", gss="E07000001", type="unitary", nation="england",
                               website="https://x.example/"))


BOUNDED = {
    "nested loops": NESTED_LOOPS,
    "a string doubled": DOUBLING,
    "a squaring replace": "{% set s = 'x' * 5000 %}{{ s | replace('', s) }}",
    "a squaring join": "{% set s = 'x' * 5000 %}{{ s | join(s) }}",
    "empty nested loops": "{% set s = 'x' * 9000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
    "a loop that prints a lot": "{% set s = 'x' * 9000 %}{% for a in s %}{{ s }}{% endfor %}",
    "a list doubled": "{% set l = [1, 2] %}" + "{% set l = l + l %}" * 40,
    "a number squared": "{% set n = 7 %}" + "{% set n = n * n %}" * 40,
    "printf padding": "{{ '%999999999d' % 1 }}",
    "a filter that grows text": "{% set s = '<&>' * 3000 %}" + "{% set s = s | forceescape %}" * 10,
}


@pytest.mark.parametrize("source", list(BOUNDED.values()), ids=list(BOUNDED))
def test_the_sandbox_bounds_every_render(source: str) -> None:
    templates = SectionTemplates(content_environment(), {"intro": source})
    for view in (_view(), GenericCouncilView()):
        with pytest.raises(SecurityError) as raised:
            templates.render("intro", view)
        assert "limit" in str(raised.value) or "not available" in str(raised.value)


def test_the_sandbox_still_renders_ordinary_content() -> None:
    source = "{% for word in ['a', 'b'] %}{{ word | upper }}{% endfor %} {{ council.name ~ '!' }} {{ 'x' * 3 }}"
    assert SectionTemplates(content_environment(), {"intro": source}).render("intro", _view()) == "AB X Council! xxx"


# -- tracebacks -------------------------------------------------------------------------------------


def nested_list(depth: int) -> str:
    return "\n".join("    " * level + "- item" for level in range(depth))


@pytest.mark.parametrize("text", [nested_list(250), ">" * 250 + " quote",
                                  "\n".join(">" * n + " q" for n in range(250))],
                         ids=["a list", "quotes on one line", "quotes on lines"])
def test_markdown_nested_too_deep_in_a_council_file_is_refused(
        make_site: MakeSite, built_site: BuiltSite, text: str
) -> None:
    root = built_site()
    make_site({OVERRIDE: "## Deep {#deep}\n\n" + text + "\n"})
    where = rf"{re.escape(OVERRIDE)}:\d+: error: [^\n]*nested too deeply[^\n]*; expected [^\n]*"
    refused(root, "build", where=where)
    result = localgov(root, "build", "--keep-going")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(where, result.stderr)
    page = read(root / "build", "/bin-collections/maidstone/")
    assert "Deep" not in page and "What goes in each bin" in page


def test_markdown_nested_too_deep_in_a_common_page_is_refused(make_site: MakeSite, built_site: BuiltSite) -> None:
    root = built_site()
    make_site({PAGE: page_with(nested_list(300))})
    refused(root, "build", where=rf"{re.escape(PAGE)}:\d+: error: [^\n]*nested too deeply")


@pytest.mark.parametrize("text", ["The code LGVJ0JVGL.", "The code LGVJ7JVGL and lgvj1jvgl.", "LGVJ0JVGL"])
def test_the_text_of_a_placeholder_is_only_text(make_site: MakeSite, text: str) -> None:
    root = make_site({PAGE: page_with(f"{text}\n\n## {text} {{#codes}}\n\n{{{{ council.short_name }}}}: {text}"),
                      OVERRIDE: f"## Own {{#own}}\n\n{text} {{{{ council.phone }}}} {text.replace('0', '&#48;')}\n"})
    result = localgov(root, "build")
    assert result.returncode == 0, result.stderr[-3000:]
    page = read(root / "build", "/bin-collections/maidstone/")
    assert f"Maidstone: {text}" in page and f"{text} 01622 602000 {text}" in page


def test_placeholders_cannot_be_forged_in_converted_markdown() -> None:
    text = "{{ council.name }} LGVJ0JVGL LGVJ&#48;JVGL LGVJ1JVGL {{ council.phone }}"
    converted = convert(text, contributed=True)
    html = converted.sections[0].html
    assert html.count("{{ council.name }}") == 1 and html.count("{{ council.phone }}") == 1


# -- slow inputs ------------------------------------------------------------------------------------


def test_an_override_with_very_many_headings_is_read_in_bounded_time(make_site: MakeSite) -> None:
    headings = "".join(f"## h{n}\n\n" for n in range(24_000))
    assert len(headings) < 256 * 1024
    root = make_site({OVERRIDE: headings})
    result = localgov(root, "check", "--no-render", timeout=150)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]


# -- smaller: lines, types and control characters ----------------------------------------------------


@pytest.mark.parametrize(("rel", "text", "line"), [
    (PAGE, "---\ntitle: Bins\nsummary: S\x00x\nprovider: lower\n---\nBody\n", 3),
    (PAGE, "---\ntitle: Bins\nsummary: S\nprovider: lower\n---\nBody\n\nNUL: \x00 here\n", 8),
    ("councils/medway/council.yaml", council_yaml("medway").replace("website: https://www.medway.gov.uk/",
                                                                    'website: "https://www.medway.gov.uk/\x00"'), 6),
    ("councils/medway/council.yaml", council_yaml("medway", "features: [a\x00b]\n"), 7),
    (OVERRIDE, "## Own {#own}\n\nText \x00 here\n", 3),
    ("content/schools/_topic.yaml", "title: Schools\nsummary: \x01 places\n", 2),
], ids=["front matter", "page body", "an escape in council.yaml", "council.yaml", "council file", "topic file"])
def test_control_characters_are_refused_at_their_line(
        make_site: MakeSite, built_site: BuiltSite, rel: str, text: str, line: int
) -> None:
    root = built_site()
    make_site({rel: text.encode("utf-8")})
    refused(root, "build", where=rf"{re.escape(rel)}:{line}: error: [^\n]*control character[^\n]*; expected [^\n]*",
            once=False)


def test_an_impossible_date_is_reported_at_its_own_line(make_site: MakeSite, built_site: BuiltSite) -> None:
    root = built_site()
    text = council_yaml("medway", "alerts:\n  - title: T\n    body: B\n    start: 2026-02-30\n    end: 2026-03-01\n")
    make_site({"councils/medway/council.yaml": text})
    refused(root, "build", where=rf"councils/medway/council\.yaml:{line_of(text, 'start:')}: error: "
            r"'alerts\[1\]\.start': [^\n]*day is out of range")


def test_a_product_too_long_is_reported_once_at_its_line(make_site: MakeSite, built_site: BuiltSite) -> None:
    root = built_site()
    text = page_with("Intro.\n\n## Long {#long}\n\nText.\n\n{{ 'a' * 100000 }}\n")
    make_site({PAGE: text})
    refused(root, "build", where=rf"{re.escape(PAGE)}:{line_of(text, '100000')}: error: [^\n]*too long")


@pytest.mark.parametrize(("rel", "text", "field"), [
    (PAGE, page_with("Body.").replace("title: Bin collections", "title: 42"), "title"),
    (PAGE, page_with("Body.").replace("summary: When bins go.", "summary: 2026-01-01"), "summary"),
    ("content/schools/_topic.yaml", "title: 7\nsummary: Places.\n", "title"),
    ("councils/medway/council.yaml", council_yaml("medway").replace("name: Medway Council", "name: 1.5"), "name"),
], ids=["a number title", "a date summary", "a number topic title", "a number council name"])
def test_a_number_is_not_a_title(make_site: MakeSite, built_site: BuiltSite, rel: str, text: str, field: str) -> None:
    root = built_site()
    make_site({rel: text})
    refused(root, "build", where=rf"{re.escape(rel)}:\d+: error: '{field}': [^\n]*; expected text[^\n]*, got ")


def test_escapes_follows_every_link_between_the_folder_and_the_file(tmp_path: Path) -> None:
    """`escapes` decides what a site may read; each way out (or not out) of a folder, by name or by link."""
    outside, real = tmp_path / "outside", tmp_path / "real"
    (outside / "deep").mkdir(parents=True)
    (outside / "secret").write_text("x", encoding="utf-8")
    (real / "councils" / "kent").mkdir(parents=True)
    (real / "councils" / "kent" / "council.yaml").write_text("x", encoding="utf-8")
    (tmp_path / "site").symlink_to(real)  # the folder itself reached through a link: both sides move alike
    folder = tmp_path / "site" / "councils"
    (folder / "kent" / "out.yaml").symlink_to(outside / "secret")
    (folder / "kent" / "in.yaml").symlink_to(folder / "kent" / "council.yaml")
    (folder / "away").symlink_to(outside / "deep")
    (folder / "loop").symlink_to(folder / "loop")
    inside = [folder / "kent" / "council.yaml", folder / "kent" / "in.yaml", folder / "kent" / "missing.yaml",
              folder, real / "councils" / "kent" / "council.yaml"]
    leaving = [folder / "kent" / "out.yaml", folder / "away" / "file.yaml", folder / "loop" / "council.yaml",
               folder / ".." / "councils" / ".." / ".." / "outside" / "secret", outside / "secret"]
    assert [p for p in inside if escapes(p, folder)] == []
    assert [p for p in leaving if not escapes(p, folder)] == []


def test_a_cache_file_is_replaced_whole_or_not_at_all(tmp_path: Path) -> None:
    """`replace_file`, which every cache of the build writes with: the folder made, no partial file left behind."""
    path = tmp_path / "deep" / "cache.bin"
    replace_file(path, b"one")
    replace_file(path, b"two")
    assert path.read_bytes() == b"two"
    folder = tmp_path / "a folder"
    (folder / "inside").mkdir(parents=True)
    with pytest.raises(OSError):
        replace_file(folder, b"cannot replace a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a folder", "deep"]
    assert [p.name for p in path.parent.iterdir()] == ["cache.bin"]
    assert (folder / "inside").is_dir()
