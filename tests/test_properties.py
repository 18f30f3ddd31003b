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
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from localgov.errors import LocalgovError, Problems
from localgov.load.content import load_content, read_page
from localgov.load.councils import load_councils
from localgov.load.frontmatter import FrontMatterProblem, read_document
from localgov.model import COUNCIL_TYPES, NATIONS, Council
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


# -- council.yaml ---------------------------------------------------------------------------------

COUNCIL_FILE = "councils/property-council/council.yaml"
VALID_COUNCIL = ("name: Kent County Council\ngss: E10000016\ntype: county\nnation: england\n"
                 "website: https://www.kent.gov.uk/\n")
# Lines and blocks shaped like council.yaml, right and wrong; after the fields every council needs or without them.
COUNCIL_PIECES = st.sampled_from([
    "name: Kent County Council", "name:", "name: [a, b]", "short_name: Kent", "gss: E10000016", "gss: X1",
    "gss: 10000016", "former_gss: [E1]", "type: county", "type: non-metropolitan-district", "type: district",
    "type: unitary", "nation: england", "nation: wales", "nation: mars", "website: https://www.kent.gov.uk/",
    "website: http://kent.gov.uk/", "parent: kent", "parent:", "contact:", "  phone: 01622 602000",
    "contact:\n  phone: 01622 602000\n  email: not-an-address\n  fax: '1'\n  address: [x]",
    "contact:\n  phone: '01622 602000'", "links:\n  bins: https://x.example/",
    "links:\n  bins: {url: 'http://x.example/', txt: y}\n  '524': {url: 'https://x.example/', text: [y]}",
    "features: [coastline]", "features: {a: b}", "takes_on: [bins]", "hands_over: {bins: nowhere}",
    "hands_over: {bins: [x]}", "example_data: maybe", "example_data: true",
    "alerts:\n  - title: T\n    body: B\n    start: 2026-01-01\n    end: 2025-01-01",
    "alerts:\n  - title: ''\n    start: soon\n    colour: red\n  - x", "alerts: {a: b}", "  - title: T",
    "nme: typo", "  ", "- item", "key: 'unclosed", "? complex", "\t", "# comment", "---",
])
COUNCIL_LIKE = st.tuples(st.sampled_from(["", VALID_COUNCIL]),
                         st.lists(COUNCIL_PIECES, max_size=12).map("\n".join)).map("".join)
LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")


@pytest.fixture(scope="module")
def registry_root() -> Iterator[Path]:
    """A site with no council of its own, so every problem of the one council written into it is about that file."""
    root = Path(tempfile.mkdtemp(prefix="localgov-councils-"))
    (root / "councils").mkdir()
    yield root
    shutil.rmtree(root, ignore_errors=True)


def load_one_council(root: Path, text: str) -> tuple[dict[str, Council], Problems]:
    folder = root / "councils" / "property-council"
    folder.mkdir(exist_ok=True)
    (folder / "council.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
    problems = Problems()
    try:
        return load_councils(root, problems), problems
    finally:
        shutil.rmtree(folder)


def top_level_keys(text: str) -> set[str]:
    """Return the keys of the text's top-level mapping as PyYAML reads it, or none."""
    try:
        data = yaml.safe_load(text)
    except Exception:  # noqa: BLE001 - any text: what PyYAML cannot read has no keys to locate
        return set()
    return {str(key) for key in data} if isinstance(data, dict) else set()


@SETTINGS
@given(st.one_of(ANY_TEXT, COUNCIL_LIKE))
@example("name: Kent County Council\ngss: E10000016\ntype: county\nnation: england\nwebsite: http://kent.gov.uk/\n")
@example("name: Kent\ngss: E10000016\ntype: non-metropolitan-district\nnation: england\nwebsite: https://k.example/\n")
@example(VALID_COUNCIL + "contact:\n  phone: 01622 602000\n  fax: '1'\nlinks:\n  bins: http://x.example/\n"
         "alerts:\n  - title: T\n    body: B\n    start: 2026-01-01\n    end: 2025-01-01\n")
def test_a_council_yaml_is_read_or_refused_at_its_own_file_and_lines(registry_root: Path, text: str) -> None:
    councils, problems = load_one_council(registry_root, text)
    if councils:
        assert list(councils) == ["property-council"]
        assert councils["property-council"].source == COUNCIL_FILE
    else:
        assert problems.errors, "a council was refused without saying why"
    last_line = len(LINE_BREAK.split(text)) + 1
    keys = top_level_keys(text)
    for problem in problems.items:
        assert problem.file == COUNCIL_FILE, problem
        assert 0 <= problem.line <= last_line, problem
        # A problem with a field the file has points at a line of the file, not at the file as a whole.
        if problem.field and re.split(r"[.\[]", problem.field)[0] in keys:
            assert problem.line >= 1, problem
        assert problem.message


WORDS = st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=12)
SLUGS = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8})?", fullmatch=True)
TEXT = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)


@st.composite
def councils_yaml(draw: st.DrawFn) -> dict[str, object]:
    """A valid council.yaml for a council that is not a district (which would need its county)."""
    data: dict[str, object] = {
        "name": draw(TEXT),
        "gss": draw(st.from_regex(r"[ENSW][0-9]{8}", fullmatch=True)),
        "type": draw(st.sampled_from(sorted(set(COUNCIL_TYPES) - {"non-metropolitan-district"}))),
        "nation": draw(st.sampled_from(NATIONS)),
        "website": f"https://www.{draw(SLUGS)}.gov.uk/",
    }
    if draw(st.booleans()):
        data["short_name"] = draw(TEXT)
    if draw(st.booleans()):
        data["contact"] = {"phone": draw(st.from_regex(r"0[0-9]{4} [0-9]{6}", fullmatch=True)),
                           "email": f"{draw(SLUGS)}@{draw(SLUGS)}.gov.uk", "opening_hours": draw(TEXT)}
    if draw(st.booleans()):
        data["features"] = draw(st.lists(SLUGS, max_size=3, unique=True))
    if draw(st.booleans()):
        data["links"] = {slug: f"https://www.example.gov.uk/{slug}"
                         for slug in draw(st.lists(SLUGS, min_size=1, max_size=3, unique=True))}
    if draw(st.booleans()):
        data["example_data"] = draw(st.booleans())
    return data


@SETTINGS
@given(councils_yaml())
def test_a_valid_council_yaml_loads_without_problems_and_keeps_its_values(registry_root: Path,
                                                                          data: dict[str, object]) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    councils, problems = load_one_council(registry_root, text)
    assert problems.items == []
    council = councils["property-council"]
    assert (council.name, council.gss, council.type, council.nation, council.website) == (
        data["name"], data["gss"], data["type"], data["nation"], data["website"])
    assert council.short_name == data.get("short_name", "")
    contact = data.get("contact", {})
    assert isinstance(contact, dict)
    assert (council.contact.phone, council.contact.email, council.contact.opening_hours) == (
        contact.get("phone"), contact.get("email"), contact.get("opening_hours"))
    features = data.get("features", [])
    assert isinstance(features, list)
    assert council.features == frozenset(features)
    links = data.get("links", {})
    assert isinstance(links, dict)
    assert {key: link.url for key, link in council.links} == links
    assert council.example_data is data.get("example_data", False)
    # Every top-level field is found at the line where the file has it.
    for number, line in enumerate(text.splitlines(), start=1):
        key = re.match(r"([a-z_]+):", line)
        if key:
            assert council.line_of(key[1]) == number, line


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
