"""Fuzzing the whole build with hostile and broken sources: front matter, council.yaml (alerts included),
council override files and postcode files.

For every generated input the build either succeeds with valid output (exit 0) or refuses the sources
with a located message (exit 1): never a traceback, never past the time bound, and never a script, an
event handler, a `javascript:` address or a `<meta http-equiv>` in output that came from a council file.
The examples are derandomised and few, so the test is the same on every run and fits in CI.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from localgov.cli import main
from tests.conftest import COUNCILS, DEFAULT_FILES, write_files
from tests.helpers import unsafe

SETTINGS = settings(max_examples=80, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
TIME_BOUND = 60  # seconds for one build of this small site, whatever its sources say
PAGE = "content/rubbish-and-recycling/bin-collections.md"
OVERRIDE = "councils/maidstone/rubbish-and-recycling/bin-collections.md"
COUNCIL = "councils/maidstone/council.yaml"
LOCATED = re.compile(r"^\S+?(:\d+)?: error: \S", re.MULTILINE)

# What hostile or careless people write: markup that runs, Jinja that loops or escapes, odd characters,
# deep nesting, the text of internal placeholders, YAML that is not what it seems.
HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVa&#83;cript:alert(1)">x</a>', '<meta http-equiv="refresh" content="0;url=https://x.example/">',
    "<svg onload=alert(1)>", '<p onclick="x">p</p>', "<iframe src=//x>", "<style>*{}</style>", "[x](javascript:y)",
    "{% <script>alert(1)</script> %}", "{{<img src=x onerror=alert(2)>}}", "{{ council.name }}",
    "{{ council.__class__ }}",
    "{% if council.has('coastline') %}", "{% endif %}", "{% for a in 'xxxxxxxxxx' %}", "{% endfor %}",
    "{% set s = s ~ s %}", "{% set s = 'ab' %}", "{{ 'a' * 100000 }}", "{{ council.link('bin-collections', 'x') }}",
    "{% raw %}", "{#", "{{", "%}", "LGVJ0JVGL", "LGVJ1JVGL", "lgvj0jvgl", "\x00", "\x01", "\ufeff", "\u2028", "\r",
    "é", "## Heading {#own}", "## Heading", "# Title", "    - deep", "> > > > quote", "```", "~~~", "|a|b|\n|-|-|",
    "&lt;script&gt;", "&#60;script&#62;", "\\<script>", "`<script>`", "<!-- <script> -->", "<![CDATA[<script>]]>",
])
PLAIN = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
DEEP = st.integers(min_value=1, max_value=300).map(lambda n: "\n".join("    " * i + "- x" for i in range(n)))
TEXT = st.lists(st.one_of(HOSTILE, HOSTILE, PLAIN, DEEP), max_size=12).map(" ".join)
HOSTILE_TEXT = st.lists(st.one_of(HOSTILE, HOSTILE, PLAIN), min_size=1, max_size=5).map(" ".join)


def block(text: str) -> str:
    return "|\n" + "".join(f"      {line}\n" for line in text.split("\n"))


# YAML values: quoted every way YAML allows (double quotes process escapes such as \x00), or not text at all.
YAML_VALUE = st.one_of(
    HOSTILE_TEXT.map(json.dumps), HOSTILE_TEXT.map(lambda t: "'" + t.replace("'", "''") + "'"), HOSTILE_TEXT.map(block),
    TEXT.map(repr),
    st.sampled_from(["42", "2026-02-30", "2026-11-01", "[a, b]", "{a: b}", "~", "&a x", "*a",
                     "!!python/object:os.system", "'unclosed", '"\\x00"', "|", ">-", "yes"]),
)
FRONT_KEYS = st.sampled_from(["title", "summary", "provider", "lgsl", "keywords", "requires", "last_reviewed",
                              "owner", "provided_elsewhere", "replace", "remove", "before", "after", "body", "x"])


def front_matter(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"{key}: {value}\n" for key, value in pairs)


FRONT = st.lists(st.tuples(FRONT_KEYS, YAML_VALUE), max_size=6).map(front_matter)


def page_file(front: str, body: str) -> str:
    base = "title: Bin collections\nsummary: When bins go.\nprovider: lower\n"
    return f"---\n{base}{front}---\n{body}\n"


def override_file(front: str, body: str) -> str:
    return f"---\n{front}---\n{body}\n" if front else f"{body}\n"


def alerts(items: list[tuple[str, str, str]]) -> str:
    text = "alerts:\n"
    for title, body, dates in items:
        text += f"  - title: {title}\n    body: {body}\n    {dates}\n"
    return text


VALID_DATES = "start: 2026-11-01\n    end: 2026-11-30"
DATES = st.sampled_from([VALID_DATES, VALID_DATES, VALID_DATES, "start: 2026-02-30\n    end: 2026-03-01",
                         "start: 2026-11-30\n    end: 2026-11-01", "start: x\n    end: ~"])
ALERTS = st.lists(st.tuples(YAML_VALUE, YAML_VALUE, DATES), min_size=1, max_size=3).map(alerts)
# Alerts that are shown (right fields, right dates) with hostile bodies, quoted every way.
SHOWN_ALERTS = st.lists(st.tuples(st.just("Closed"), st.one_of(HOSTILE_TEXT.map(json.dumps), HOSTILE_TEXT.map(block)),
                                  st.just(VALID_DATES)), min_size=1, max_size=2).map(alerts)
COUNCIL_FIELDS = st.sampled_from(["contact", "links", "features", "short_name", "hands_over", "website", "name"])
COUNCIL_EXTRA = st.one_of(SHOWN_ALERTS, SHOWN_ALERTS, ALERTS,
                          st.lists(st.tuples(COUNCIL_FIELDS, YAML_VALUE), max_size=3).map(front_matter))

POSTCODE_ROW = st.tuples(
    st.sampled_from(["ME15 6JQ", "CT9 1XZ", "CF10 1EP", "BT1 1AA", "me156jq", "XX1 1XX", "", "GIR 0AA", "\x00",
                     "ME15\u00a06JQ", "A" * 50]),
    st.sampled_from(["E07000110", "E07000114", "W06000015", "N09000003", "E99999999", "L99999999", "", "x"]),
    st.sampled_from(["", "202001", "x"]),
)
POSTCODE_FILE = st.one_of(
    st.lists(POSTCODE_ROW, max_size=8).map(
        lambda rows: "pcds,lad25cd,doterm\n" + "".join(f"{p},{d},{t}\n" for p, d, t in rows)),
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)


class Overtime(Exception):
    """The build ran past the time bound."""


@contextlib.contextmanager
def time_bound(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise Overtime(f"the build took more than {seconds}s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    """A small site that has built once; each example changes one file, builds, and puts the file back."""
    root = Path(tempfile.mkdtemp(prefix="localgov-fuzz-"))
    write_files(root, dict(DEFAULT_FILES))
    assert build(root)[0] == 0
    yield root
    shutil.rmtree(root, ignore_errors=True)


def build(root: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), time_bound(TIME_BOUND):
        code = main(["--root", str(root), "build", "--no-search"])
    return code, err.getvalue()


def check_contract(root: Path, rel: str, data: str) -> tuple[int, str]:
    """Write `data` to `rel`, build, check the contract, and put the file back.

    Only what comes from a council file must be free of scripts and the like: common pages are trusted.
    """
    path = root / rel
    original = path.read_bytes() if path.exists() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8", "surrogatepass"))
    try:
        code, err = build(root)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)
    assert "Traceback" not in err, err[-3000:]
    assert code in (0, 1), f"exit {code}:\n{err[-3000:]}"
    if code == 1:
        assert LOCATED.search(err), f"refused without a located message:\n{err[-3000:]}"
    else:
        pages = sorted((root / "build").rglob("*.html"))
        assert len(pages) > 10
        for path in pages:
            page = path.read_text(encoding="utf-8")
            assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>"), path
            if rel.startswith("councils/"):
                assert not unsafe(page), (path, unsafe(page))
    return code, err


@SETTINGS
@given(FRONT, TEXT)
@example("", "LGVJ1JVGL {{ council.name }} LGVJ0JVGL")
@example("", "".join("{% for a" + str(n) + " in 'xxxxxxxxxx' %}" for n in range(12)) + "x" + "{% endfor %}" * 12)
@example("", "{% set s = 'xx' %}" + "{% set s = s ~ s %}" * 64)
@example("", "\n".join("    " * i + "- x" for i in range(250)))
@example("title: 42\n", "x \x00 y")
def test_common_pages(site: Path, front: str, body: str) -> None:
    check_contract(site, PAGE, page_file(front, body))


@SETTINGS
@given(COUNCIL_EXTRA)
@example(alerts([("Closed", json.dumps("Check. {% <script>alert(1)</script> %} {{<img src=x onerror=alert(2)>}}"),
                  VALID_DATES)]))
@example(alerts([("Closed", json.dumps('{{<meta http-equiv=refresh content="0;url=https://x.example/">}}'),
                  VALID_DATES)]))
@example(alerts([("Closed", "'[x](javascript:alert(1)) {{ council.name }}'", VALID_DATES)]))
@example(alerts([("Closed", block("\n".join("    " * i + "- x" for i in range(250))), VALID_DATES)]))
@example(alerts([("Closed", "B", "start: 2026-02-30\n    end: 2026-03-01")]))
def test_council_yaml_and_its_alerts(site: Path, extra: str) -> None:
    base = "\n".join(line.removeprefix("        ") for line in COUNCILS["maidstone"].strip("\n").split("\n"))
    check_contract(site, COUNCIL, base + "\n" + extra)


@SETTINGS
@given(FRONT, TEXT)
@example("", "## Own {#own}\n\nLGVJ1JVGL {{ council.name }} LGVJ&#48;JVGL")
@example("", "## Deep {#deep}\n\n" + "\n".join("    " * i + "- x" for i in range(250)))
@example("", "## Own {#own}\n\n{{<img src=x onerror=alert(2)>}} <meta http-equiv=refresh content=0>")
@example("", "## Own {#own}\n\nNUL \x00 here")
def test_council_override_files(site: Path, front: str, body: str) -> None:
    check_contract(site, OVERRIDE, override_file(front, body))


@SETTINGS
@given(POSTCODE_FILE)
@example("pcds,lad25cd\nME15 6JQ,E07000110\n")
@example("a,b\n1,2\n")
@example("")
def test_postcode_files(site: Path, text: str) -> None:
    config = site / "site.yaml"
    original = config.read_bytes()
    config.write_text("name: Fuzz\nbase_url: https://test.example\npostcodes: postcodes/fuzz.csv\n", encoding="utf-8")
    try:
        code, _ = check_contract(site, "postcodes/fuzz.csv", text)
    finally:
        config.write_bytes(original)
    if code == 0:
        shards = site / "build" / "postcodes"
        for shard in shards.glob("*.json"):
            json.loads(shard.read_text(encoding="ascii"))
