"""Property tests: the parsers and normalisers that read what people type and write never crash.

Whatever they are given, they return a result or report our own clear error (FrontMatterProblem,
a Problem with file and line, LocalgovError), never an exception from deep inside a library.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from localgov.errors import LocalgovError, Problems
from localgov.load.content import load_content, read_page
from localgov.load.councils import load_councils
from localgov.load.frontmatter import FrontMatterProblem, read_document
from localgov.postcodes.lookup import normalise, outcode
from tests.conftest import DEFAULT_FILES, write_files

CANONICAL = re.compile(r"^[A-Z][A-Z0-9]{1,3} [0-9][A-Z]{2}$")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text shaped like the files people write: YAML-ish lines, fences, Jinja, HTML, odd characters.
PIECES = st.sampled_from([
    "---", "...", "title: Bins", "summary: S", "provider: lower", "provider: [lower]", "lgsl: 524", "lgsl: x",
    "keywords: [bin day, refuse]", "keywords: {a: b}", "requires: [coastline]", "last_reviewed: 2026-13-45",
    "last_reviewed: 2026-10-01", "provided_elsewhere: {wales: 'x'}", "provided_elsewhere: {mars: x}", "owner: ~",
    "title: &a [1]", "summary: *a", "? complex", ": x", "- item", "key: 'unclosed", 'key: "\\x00"', "\t", "",
    "## Heading {#id}", "## Heading {#id}", "# Title", "{{ council.name }}", "{{ council.link('x', 'y') }}",
    "{% if council.has('coastline') %}", "{% endif %}", "{{ council.__class__ }}", "{{", "{%", "{#", "```",
    "<script>alert(1)</script>", "<a href=\"javascript:x\">x</a>", "\ufeff", "\r", "\u2028", "é", "\x00",
    "| a | b |", "|---|---|", "    indented", "* bullet", "[link](/x/)", "!!python/object:os.system", "%YAML 1.1",
    "after: {what-goes: own}", "replace: [what-goes]", "remove: [nope]", "before: {x: y}", "body: append",
])
STRUCTURED = st.lists(PIECES, max_size=25).map("\n".join)
ANY_TEXT = st.one_of(st.text(max_size=400), STRUCTURED,
                     st.tuples(STRUCTURED, st.text(max_size=80), STRUCTURED).map("".join))


# -- postcodes -----------------------------------------------------------------------------------


@SETTINGS
@given(st.text(max_size=40))
@example("GIR 0AA")
@example("me15\u00a06jq")
@example("M E 1 5 6 J Q")
def test_normalise_is_total_canonical_and_idempotent(text: str) -> None:
    result = normalise(text)
    if result is None:
        return
    assert CANONICAL.match(result) or result == "GIR 0AA", result
    assert normalise(result) == result
    # It only tidies: the letters and digits are the ones typed, in the same order.
    typed = [c.upper() for c in text if c.isalnum()]
    assert "".join(typed) == result.replace(" ", "")


@SETTINGS
@given(st.text(max_size=40))
def test_outcode_raises_only_our_value_error(text: str) -> None:
    try:
        code = outcode(text)
    except ValueError as exc:
        assert "not a UK postcode" in str(exc)
        assert normalise(text) is None
    else:
        assert normalise(text) is not None and normalise(text).startswith(code + " ")  # type: ignore[union-attr]


# -- front matter --------------------------------------------------------------------------------


@SETTINGS
@given(ANY_TEXT)
@example("---\ntitle: [unclosed\n---\n")
@example("---\n- a list\n---\n")
@example("---\n!!python/object/apply:os.system ['true']\n---\n")
@example("---\n" + "a: " + "[" * 2000 + "\n---\n")
def test_front_matter_is_read_or_refused_with_a_line(text: str) -> None:
    try:
        document = read_document(text)
    except FrontMatterProblem as exc:
        assert isinstance(exc.line, int) and exc.line >= 1
        assert str(exc)
        return
    assert isinstance(document.meta.data, dict)
    assert document.body_line >= 3
    assert all(isinstance(line, int) and line >= 1 for line in document.meta.lines.values())


# -- common pages and council files, read from disk -----------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    """A small site on disk, shared by the examples of this module (hypothesis runs each test many times)."""
    root = Path(tempfile.mkdtemp(prefix="localgov-properties-"))
    write_files(root, {k: v for k, v in DEFAULT_FILES.items()})
    yield root
    shutil.rmtree(root, ignore_errors=True)


def page_text(front: str, body: str) -> str:
    return f"---\n{front}\n---\n{body}"


@SETTINGS
@given(st.one_of(ANY_TEXT, st.tuples(STRUCTURED, STRUCTURED).map(lambda p: page_text(*p)),
                 st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_a_common_page_is_read_or_refused_with_problems(site: Path, text: str) -> None:
    path = site / "content" / "schools" / "property-page.md"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    problems = Problems()
    try:
        page = read_page(path, "schools", site, problems)
    except LocalgovError:
        return
    finally:
        path.unlink()
    if page is None:
        assert problems.errors, "a page was refused without saying why"
    for problem in problems.items:
        assert problem.file == "content/schools/property-page.md"
        assert isinstance(problem.line, int) and problem.line >= 0
        assert problem.message


@SETTINGS
@given(st.binary(max_size=200))
def test_a_common_page_of_any_bytes_is_read_or_refused(site: Path, data: bytes) -> None:
    path = site / "content" / "schools" / "property-bytes.md"
    path.write_bytes(b"---\ntitle: T\nsummary: S\nprovider: upper\n---\n" + data)
    problems = Problems()
    try:
        page = read_page(path, "schools", site, problems)
    finally:
        path.unlink()
    assert page is not None or problems.errors


@SETTINGS
@given(ANY_TEXT)
def test_a_council_yaml_is_read_or_refused_with_problems(site: Path, text: str) -> None:
    folder = site / "councils" / "property-council"
    folder.mkdir(exist_ok=True)
    (folder / "council.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
    problems = Problems()
    try:
        load_councils(site, problems)
    finally:
        shutil.rmtree(folder)
    for problem in problems.items:
        assert problem.file.startswith("councils/") and problem.message


@SETTINGS
@given(st.one_of(ANY_TEXT, st.tuples(STRUCTURED, STRUCTURED).map(lambda p: page_text(*p))))
def test_a_council_override_is_read_or_refused_with_problems(site: Path, text: str) -> None:
    from localgov.checks import check_council_files
    from localgov.load import overrides
    problems = Problems()
    councils = load_councils(site, problems)
    content = load_content(site, problems)
    assert not problems.errors
    path = site / "councils" / "maidstone" / "rubbish-and-recycling" / "bin-collections.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        loaded = check_council_files(councils, content, overrides.load_overrides(site, councils, content, problems),
                                     problems)
    finally:
        path.unlink()
    rel = "councils/maidstone/rubbish-and-recycling/bin-collections.md"
    if rel in loaded.refused_files:
        assert any(p.file == rel for p in problems.errors), "a council file was refused without saying why"
    for problem in problems.items:
        assert problem.message and isinstance(problem.line, int) and problem.line >= 0


def test_yaml_aliases_are_refused(site: Path) -> None:
    text = textwrap.dedent("""\
        ---
        title: Bins
        summary: &words Bins and more.
        provider: lower
        keywords: [*words]
        ---
        Body
        """)
    path = site / "content" / "schools" / "aliases.md"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    assert read_page(path, "schools", site, problems) is None
    assert any("alias" in p.message or "anchor" in p.message for p in problems.errors), problems.items


@pytest.mark.parametrize("line", ["last_reviewed: 2026-13-45", "last_reviewed: 2026-02-30", "lgsl: !!int x",
                                  "lgsl: !!float x", "owner: !!timestamp x"])
def test_yaml_errors_of_pyyaml_are_reported(site: Path, line: str) -> None:
    path = site / "content" / "schools" / "bad-value.md"
    path.write_text(f"---\ntitle: T\nsummary: S\nprovider: upper\n{line}\n---\nBody\n", encoding="utf-8")
    problems = Problems()
    try:
        assert read_page(path, "schools", site, problems) is None
    finally:
        path.unlink()
    assert [p.line for p in problems.errors] == [5], problems.items


@pytest.mark.parametrize("depth", [2_000, 50_000])
def test_deeply_nested_yaml_is_refused(depth: int) -> None:
    # In a child process: the deepest case takes down the interpreter that parses it.
    code = ("import sys\nfrom localgov.load.frontmatter import FrontMatterProblem, read_document\n"
            f"text = '---\\na: ' + '[' * {depth} + ']' * {depth} + '\\n---\\n'\n"
            "try:\n    read_document(text)\nexcept FrontMatterProblem as exc:\n    print('refused', exc.line)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and result.stdout.startswith("refused 2"), (result.returncode, result.stderr[-500:])
