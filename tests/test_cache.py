"""The build cache: input fingerprints, the manifest and what it says about the output folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from localgov.build.cache import FORMAT, FileEntry, Inputs, Manifest, UnitEntry, digest, scan, unchanged_on_disk
from localgov.errors import Problem


def sample() -> Manifest:
    manifest = Manifest(out="/srv/site/build", fingerprint=digest(b"inputs"), today="2026-11-24", pages=2,
                        finalised=True, clean=False)
    manifest.files = {
        "index.html": FileEntry(digest(b"home"), 4, 1_700_000_000_123_456_789, "templates/home.html", "render"),
        "bins/kent/index.html": FileEntry(digest(b"bins"), 4, 5, "content/bins.md", "render"),
        "sitemap.xml": FileEntry(digest(b"map"), 3, 6, "sitemap", "index:cdn"),
    }
    manifest.units = {
        "site:templates/home.html#0": UnitEntry(digest(b"k1"), digest(b"m1"), "index.html", "home.html",
                                                manifest.number(["/bins/", "/councils/"]), "",
                                                manifest.number(["structure"])),
        "page:bins/kent": UnitEntry(digest(b"k2"), digest(b"m2"), "bins/kent/index.html", "variant.html",
                                    manifest.number(["/bins/"]), "email\nlink:bins",
                                    manifest.number(["file:content/bins.md", "council:kent", "alerts:kent"])),
    }
    manifest.steps = {"cdn": digest(b"cdn")}
    manifest.templates = {digest(b"variant"): ("base.html", "partials/contact.html")}
    manifest.warnings = [Problem("content/bins.md", 3, "stale", "last_reviewed", "a recent date", "2020-01-01",
                                 "warning")]
    return manifest


def test_a_manifest_reads_back_as_it_was_written() -> None:
    manifest = sample()
    again = Manifest.from_bytes(manifest.to_bytes())
    assert again == manifest
    assert again.named(again.units["page:bins/kent"].needs) == ["file:content/bins.md", "council:kent", "alerts:kent"]
    assert again.named(again.units["site:templates/home.html#0"].links) == ["/bins/", "/councils/"]
    assert again.to_bytes() == manifest.to_bytes()


def test_names_are_kept_once_and_numbered_in_order() -> None:
    manifest = sample()
    assert manifest.names == ["/bins/", "/councils/", "structure", "file:content/bins.md", "council:kent",
                              "alerts:kent"]
    again = Manifest.from_bytes(manifest.to_bytes())
    # A manifest read back numbers new names after the ones it has.
    assert again.named(again.number(["/councils/", "/new/"])) == ["/councils/", "/new/"]
    assert again.names[-1] == "/new/" and len(again.names) == 7


def test_a_manifest_of_another_format_is_refused() -> None:
    import msgpack

    data = msgpack.unpackb(sample().to_bytes(), raw=False, strict_map_key=False)
    data["format"] = FORMAT - 1
    with pytest.raises(ValueError, match="another cache format"):
        Manifest.from_bytes(msgpack.packb(data, use_bin_type=True))


def test_unchanged_on_disk_finds_the_files_as_recorded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    files: dict[str, FileEntry] = {}
    for rel, data in {"index.html": b"home", "a/index.html": b"a", "b.html": b"b", "c.html": b"c"}.items():
        (out / rel).write_bytes(data)
        info = os.stat(out / rel)
        files[rel] = FileEntry(digest(data), info.st_size, info.st_mtime_ns, "", "render")
    files["gone.html"] = FileEntry(digest(b"x"), 1, 1, "", "render")
    (out / "b.html").write_bytes(b"bb")  # another size
    info = os.stat(out / "c.html")
    os.utime(out / "c.html", ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))  # touched
    assert unchanged_on_disk(out, files) == {"index.html", "a/index.html"}


def test_scan_fingerprints_every_input_and_the_front_matter_apart(tmp_path: Path) -> None:
    (tmp_path / "content" / "bins").mkdir(parents=True)
    (tmp_path / "site.yaml").write_text("name: A\n", encoding="utf-8")
    page = tmp_path / "content" / "bins" / "collections.md"
    page.write_text("---\ntitle: Bins\n---\nBody one.\n", encoding="utf-8")
    (tmp_path / "content" / "bins" / ".collections.md.swp").write_text("editor", encoding="utf-8")
    first = scan(tmp_path, {})
    assert sorted(first.files) == ["content/bins/collections.md", "site.yaml"]
    page.write_text("---\ntitle: Bins\n---\nBody two.\n", encoding="utf-8")
    body = scan(tmp_path, {})
    assert body.files["content/bins/collections.md"] != first.files["content/bins/collections.md"]
    assert body.front == first.front, "the front matter did not change"
    assert body.fingerprint != first.fingerprint
    assert scan(tmp_path, {}).fingerprint == body.fingerprint


def test_the_fingerprint_covers_names_as_well_as_bytes() -> None:
    one = Inputs(files={"content/a.md": digest(b"x")}, libraries="jinja2=3")
    assert Inputs(files={"content/b.md": digest(b"x")}, libraries="jinja2=3").fingerprint != one.fingerprint
    assert Inputs(files={"content/a.md": digest(b"x")}, libraries="jinja2=4").fingerprint != one.fingerprint
    assert Inputs(files={"content/a.md": digest(b"x")}, libraries="jinja2=3").fingerprint == one.fingerprint
