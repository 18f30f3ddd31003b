"""Service status: GOV.UK's emergency banners on every page in scope, /service-status/ pages nationally and for each
council, and Atom and JSON feeds of the same entries with stable ids, all expiring by date as alerts do."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import pytest

from localgov.cli import main
from tests.conftest import MakeSite
from tests.helpers import read

STATUS = """
    alerts:
      - title: Severe flooding
        body: Follow the advice of the [emergency services](https://www.gov.uk/).
        type: national-emergency
        start: 2026-11-20
        end: 2026-11-30
      - title: Postcode lookup is slow
        body: Choose your council from the A to Z instead.
        start: 2026-11-01
        end: 2026-12-31
      - title: An old notice
        body: This ended before the build date.
        start: 2026-10-01
        end: 2026-10-31
"""
MAIDSTONE_ALERTS = """
    alerts:
      - title: Council offices are closed
        body: Phone lines are open as usual.
        type: local-emergency
        start: 2026-11-23
        end: 2026-11-28
      - title: Christmas collections
        body: Collection days change over Christmas.
        start: 2026-11-20
        end: 2027-01-08
        pages: [bin-collections]
"""
NATIONAL_ID = "tag:test.example,2026-11-20:service-status/national/severe-flooding"
LOCAL_ID = "tag:test.example,2026-11-23:service-status/maidstone/council-offices-are-closed"


def site(make_site: MakeSite, *, status: str = STATUS) -> Path:
    root = make_site({"site.yaml": "name: Test services\nbase_url: https://test.example\npostcodes: none\n",
                      "councils/_status.yaml": status})
    council = root / "councils" / "maidstone" / "council.yaml"
    council.write_text(council.read_text(encoding="utf-8") + MAIDSTONE_ALERTS.replace("\n    ", "\n").lstrip("\n"),
                       encoding="utf-8")
    return root


def build(root: Path, out: Path, *args: str) -> Path:
    assert main(["--root", str(root), "build", "--no-search", "--out", str(out), *args]) == 0
    return out


def banners(html: str) -> list[tuple[str, str]]:
    return re.findall(r'lg-emergency-banner--([a-z-]+)".*?<h2 class="lg-emergency-banner__heading">([^<]+)</h2>',
                      html, re.S)


@pytest.fixture
def built(make_site: MakeSite, tmp_path: Path) -> Path:
    return build(site(make_site), tmp_path / "out")


def test_emergency_banners_show_on_every_page_in_scope(built: Path) -> None:
    pages = sorted(built.rglob("index.html"))
    assert len(pages) > 20
    for path in pages:
        html = path.read_text(encoding="utf-8")
        found = banners(html)
        assert ("national-emergency", "Severe flooding") in found, path
        assert ("notice", "Postcode lookup is slow") not in found, "a notice is not a banner"
        local = ("local-emergency", "Council offices are closed") in found
        rel = path.relative_to(built).as_posix()
        assert local == ("maidstone" in rel.split("/")), rel
    maidstone = read(built, "/bin-collections/maidstone/")
    assert "Christmas collections" in maidstone, "a council's notice is still a notification banner"
    assert maidstone.index("lg-emergency-banner") < maidstone.index("<main")


def test_the_status_pages_list_what_runs_today(built: Path) -> None:
    national = read(built, "/service-status/")
    for title in ("Severe flooding", "Postcode lookup is slow", "Council offices are closed", "Christmas collections"):
        assert f">{title}</h" in national, title
    assert "An old notice" not in national
    local = read(built, "/councils/maidstone/status/")
    assert ">Council offices are closed</h2>" in local and ">Christmas collections</h2>" in local
    assert ">Postcode lookup is slow</h" not in local
    assert "has no disruptions or notices today" in read(built, "/councils/kent/status/")
    assert 'id="maidstone-2026-11-23-council-offices-are-closed"' in local
    for page in ("/service-status/", "/councils/maidstone/status/"):
        html = read(built, page)
        assert '<link rel="alternate" type="application/atom+xml" title="' in html
        assert f'href="{page}feed.atom"' in html and f'href="{page}feed.json"' in html


def parse_atom(path: Path) -> Any:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_the_atom_feeds_are_valid_and_carry_the_entries(built: Path) -> None:
    feed = parse_atom(built / "service-status" / "feed.atom")
    assert feed.feed.title == "Service status: Test services"
    assert feed.feed.id == "https://test.example/service-status/"
    assert feed.feed.updated == "2026-11-24T00:00:00Z"
    assert any(link.rel == "self" and link.href == "https://test.example/service-status/feed.atom"
               for link in feed.feed.links)
    ids = [entry.id for entry in feed.entries]
    assert NATIONAL_ID in ids and LOCAL_ID in ids and len(ids) == len(set(ids)) == 4
    for entry in feed.entries:
        assert entry.title and entry.updated_parsed and entry.link.startswith("https://test.example/")
        assert entry.author and entry.summary and entry.content[0].type == "text/html"
    flood = next(e for e in feed.entries if e.id == NATIONAL_ID)
    assert flood.tags[0].term == "national-emergency"
    assert flood.link == "https://test.example/service-status/#national-2026-11-20-severe-flooding"
    assert '<a class="govuk-link" href="https://www.gov.uk/">emergency services</a>' in flood.content[0].value
    local = parse_atom(built / "councils" / "maidstone" / "status" / "feed.atom")
    assert {e.id for e in local.entries} == {NATIONAL_ID, LOCAL_ID,
                                            "tag:test.example,2026-11-20:service-status/maidstone/christmas-collections",
                                            "tag:test.example,2026-11-01:service-status/national/postcode-lookup-is-slow"}
    assert parse_atom(built / "councils" / "kent" / "status" / "feed.atom").entries[0].id in {
        NATIONAL_ID, "tag:test.example,2026-11-01:service-status/national/postcode-lookup-is-slow"}


def check_json_feed(path: Path) -> dict[str, Any]:
    """Check a JSON Feed 1.1 has what the specification requires (https://www.jsonfeed.org/version/1.1/)."""
    feed: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert isinstance(feed["items"], list)
    for key in ("home_page_url", "feed_url"):
        assert feed[key].startswith("https://")
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        for key in ("date_published", "date_modified"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item[key])
        assert set(item) - {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
                            "banner_image", "date_published", "date_modified", "authors", "tags", "language",
                            "attachments"} <= {"_localgov"}, "extensions start with an underscore"
    return feed


def test_the_json_feeds_match_the_atom_feeds(built: Path) -> None:
    for folder in ("service-status", "councils/maidstone/status", "councils/kent/status"):
        feed = check_json_feed(built / folder / "feed.json")
        atom = parse_atom(built / folder / "feed.atom")
        assert [i["id"] for i in feed["items"]] == [e.id for e in atom.entries]
        assert feed["feed_url"] == f"https://test.example/{folder}/feed.json"
    feed = check_json_feed(built / "councils" / "maidstone" / "status" / "feed.json")
    local = next(i for i in feed["items"] if i["id"] == LOCAL_ID)
    assert local["_localgov"] == {"kind": "local-emergency", "start": "2026-11-23", "end": "2026-11-28",
                                  "council": "maidstone"}


def test_ids_are_stable_and_alerts_expire_by_date(make_site: MakeSite, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = site(make_site)
    out = build(root, tmp_path / "out")
    first = {e.id for e in parse_atom(out / "service-status" / "feed.atom").entries}
    (root / "councils" / "_status.yaml").write_text(
        (root / "councils" / "_status.yaml").read_text(encoding="utf-8").replace(
            "Choose your council", "Pick your council"), encoding="utf-8")
    build(root, out)
    assert {e.id for e in parse_atom(out / "service-status" / "feed.atom").entries} == first, "a new body, same id"
    assert "Pick your council" in read(out, "/service-status/")

    monkeypatch.setenv("LOCALGOV_TODAY", "2026-12-01")
    build(root, out)  # an incremental build: pages whose inputs are unchanged but whose banners ended
    ids = {e.id for e in parse_atom(out / "service-status" / "feed.atom").entries}
    assert NATIONAL_ID not in ids and LOCAL_ID not in ids
    for url in ("/", "/bin-collections/", "/councils/maidstone/", "/bin-collections/maidstone/"):
        assert banners(read(out, url)) == [], url
    assert ">Severe flooding</h" not in read(out, "/service-status/")


def test_a_council_cannot_set_a_national_emergency(make_site: MakeSite, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = site(make_site, status="alerts:\n  - title: A\n    body: B\n    type: notable-death\n"
                "    start: 2026-11-01\n    end: 2026-11-30\n    pages: [bin-collections]\n")
    council = root / "councils" / "maidstone" / "council.yaml"
    council.write_text(council.read_text(encoding="utf-8").replace("type: local-emergency", "type: national-emergency"),
                       encoding="utf-8")
    assert main(["--root", str(root), "build", "--no-search", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "councils/maidstone/council.yaml:15: error: 'alerts[1].type': not a kind of alert this file can set;" \
        " did you mean 'local-emergency'?; expected one of notice, local-emergency, got 'national-emergency'" in err
    assert "councils/_status.yaml:7: error: 'alerts[1].pages': this alert is for every page; expected no pages or" \
        " topics, got a list of 1 item" in err
