"""Bodies that provide services and are not councils: loaded, resolved and shown, on a small site."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from localgov.build import build, load_site
from localgov.errors import BuildFailed, Problems
from localgov.model import Area
from localgov.render.pages import az_groups
from localgov.resolve import body_providers, provider_for
from tests.conftest import MakeSite

NIHE = """
    name: Northern Ireland Housing Executive
    short_name: Housing Executive
    kind: public-body
    nation: northern-ireland
    website: https://www.nihe.gov.uk/
    serves: [northern-ireland]
    provides:
      bin-collections: {url: "https://www.nihe.gov.uk/bins", text: "Bins from the Housing Executive"}
    sources:
      - fact: the housing authority for Northern Ireland
        url: https://www.legislation.gov.uk/apni/1971/5
"""

PARTNER = """
    name: Kent Waste Partnership
    kind: waste-authority
    nation: england
    website: https://www.example-waste.org.uk/
    serves: [maidstone]
    provides:
      bin-collections: {part: true}
    sources:
      - fact: runs part of the collections
        url: https://www.example-waste.org.uk/about
"""

HANDED = """
    name: Tunbridge Wells Homes
    kind: housing-association
    nation: england
    website: https://www.example-homes.org.uk/
    serves: [tunbridge-wells]
    provides:
      bin-collections: null
    sources:
      - fact: took on the council's homes
        url: https://www.example-homes.org.uk/about
"""


def site_with_bodies(make_site: MakeSite, **files: str) -> Path:
    return make_site({"councils/nihe/body.yaml": NIHE, "councils/kent-waste/body.yaml": PARTNER, **files})


def test_a_body_that_serves_a_nation_provides_the_page_there_instead_of_its_councils(make_site: MakeSite) -> None:
    site = load_site(site_with_bodies(make_site), Problems())
    assert site is not None
    assert "belfast" not in site.resolution.councils_for("bin-collections")
    assert site.resolution.bodies_for("bin-collections", "belfast") == ("nihe",)
    assert site.resolution.exceptions["bin-collections"]["belfast"] == ""
    assert "maidstone" in site.resolution.councils_for("bin-collections")
    answer = provider_for(site.content.pages["bin-collections"], Area("belfast"), site.councils,
                          body_providers(site.bodies, site.councils))
    assert (answer.council, answer.reason, answer.bodies) == (None, "body", ("nihe",))


def test_a_body_that_provides_part_leaves_the_page_with_the_council(make_site: MakeSite) -> None:
    site = load_site(site_with_bodies(make_site), Problems())
    assert site is not None
    assert site.resolution.partners_of("bin-collections", "maidstone") == ("kent-waste",)
    assert not site.resolution.bodies_for("bin-collections", "maidstone")


def test_a_council_can_hand_a_page_over_to_a_body(make_site: MakeSite) -> None:
    # The body serves no one for bins by itself: only the council's hand-over sends its residents there.
    homes = HANDED.replace("bin-collections: null", "apply-for-a-school-place: {part: true}")
    root = site_with_bodies(make_site, **{"councils/tw-homes/body.yaml": homes})
    path = root / "councils/tunbridge-wells/council.yaml"
    path.write_text(path.read_text("utf-8") + "hands_over:\n  bin-collections: tw-homes\n", "utf-8")
    site = load_site(root, Problems())
    assert site is not None
    assert site.resolution.bodies_for("bin-collections", "tunbridge-wells") == ("tw-homes",)
    assert "tunbridge-wells" not in site.resolution.councils_for("bin-collections")
    assert "maidstone" in site.resolution.councils_for("bin-collections")


def test_the_common_page_names_the_body_and_the_postcode_form_knows_where(make_site: MakeSite,
                                                                          tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site_with_bodies(make_site), out, finalise=False)
    html = (out / "bin-collections/index.html").read_text("utf-8")
    inset = re.search(r'<div id="provider-nihe" class="govuk-inset-text" data-name="([^"]+)">(.*?)</div>', html, re.S)
    assert inset is not None and inset.group(1) == "Northern Ireland Housing Executive"
    assert "provides this service for addresses in Northern Ireland" in inset.group(2)
    assert ('<a class="govuk-link" href="https://www.nihe.gov.uk/bins">Bins from the Housing Executive</a>'
            in inset.group(2))
    form = re.search(r'data-bodies="([^"]*)"', html)
    assert form is not None and json.loads(unescape(form.group(1))) == {"belfast": ["nihe"]}
    assert not (out / "bin-collections/belfast/index.html").exists()


def test_a_variant_names_the_body_that_provides_part(make_site: MakeSite, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site_with_bodies(make_site), out, finalise=False)
    html = (out / "bin-collections/maidstone/index.html").read_text("utf-8")
    assert "Help from Kent Waste Partnership" in html
    assert "Kent Waste Partnership provides part of this service for addresses in Maidstone." in html
    assert 'href="https://www.example-waste.org.uk/"' in html


def test_the_hub_lists_what_other_organisations_provide(make_site: MakeSite, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site_with_bodies(make_site), out, finalise=False)
    belfast = (out / "councils/belfast/index.html").read_text("utf-8")
    assert 'id="other-organisations"' in belfast
    assert re.search(r'href="/bin-collections/">Bin collections</a>: by Northern Ireland Housing Executive .*?'
                     r'<a class="govuk-link" href="https://www.nihe.gov.uk/bins">Bins from the Housing Executive</a>',
                     belfast)
    assert "provides all council services" not in belfast
    kent = (out / "councils/kent/index.html").read_text("utf-8")
    assert 'id="other-organisations"' not in kent, "a county hub lists only what the county does"


@pytest.mark.parametrize(("change", "expected"), [
    (("serves: [northern-ireland]", "serves: [belfst]"),
     r"councils/nihe/body\.yaml:6: error: 'serves': not a council or a nation; did you mean 'belfast'\?"),
    (("kind: public-body", "kind: quango"), r"councils/nihe/body\.yaml:3: error: 'kind': not a known value"),
    (("  bin-collections: {url:", "  bin-colections: {url:"),
     r"councils/nihe/body\.yaml:8: error: 'provides\.bin-colections': provides an unknown page; did you mean "
     r"'bin-collections'\?"),
    (('{url: "https://www.nihe.gov.uk/bins"', '{url: "http://www.nihe.gov.uk/bins"'),
     r"councils/nihe/body\.yaml:8: error: 'provides\.bin-collections\.url': not a secure web address"),
    (("url: https://www.legislation.gov.uk/apni/1971/5", "url: legislation"),
     r"councils/nihe/body\.yaml:11: error: 'sources\[1\]\.url': not a web address"),
], ids=["unknown council", "unknown kind", "unknown page", "http link", "source without an address"])
def test_a_wrong_body_file_is_refused_at_its_line(make_site: MakeSite, tmp_path: Path, change: tuple[str, str],
                                                  expected: str) -> None:
    root = make_site({"councils/nihe/body.yaml": NIHE.replace(*change)})
    with pytest.raises(BuildFailed) as failure:
        build(root, tmp_path / "out", finalise=False)
    assert re.search(expected, failure.value.report()), failure.value.report()


FEATURES = """
    coastline:
      means: The council's area meets the open sea.
      sources:
        - title: Boundary-Line
          url: https://www.ordnancesurvey.co.uk/products/boundary-line
      councils: [maidstone, medway]
"""


def test_features_from_the_features_file_join_each_councils_own(make_site: MakeSite) -> None:
    site = load_site(make_site({"councils/_features.yaml": FEATURES}), Problems())
    assert site is not None
    assert "coastline" in site.councils["medway"].features
    assert "coastline" in site.councils["thanet"].features  # from its own council.yaml
    assert "coastline" not in site.councils["cardiff"].features


def test_a_features_file_naming_an_unknown_council_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"councils/_features.yaml": FEATURES.replace("[maidstone, medway]", "[maidstone, medwy]")})
    with pytest.raises(BuildFailed) as failure:
        build(root, tmp_path / "out", finalise=False)
    assert re.search(r"councils/_features\.yaml:\d+: error: 'coastline\.councils': not a council in councils/; "
                     r"did you mean 'medway'\?", failure.value.report()), failure.value.report()


def test_the_a_to_z_files_councils_under_their_place_name() -> None:
    groups = dict(az_groups([(name, "/", "") for name in (
        "City of Bristol", "City of Edinburgh", "The Scottish Borders", "The Vale of Glamorgan", "City of London",
        "Belfast")]))
    assert [n for n, _, _ in groups["B"]] == ["Belfast", "City of Bristol"]
    assert [n for n, _, _ in groups["E"]] == ["City of Edinburgh"]
    assert [n for n, _, _ in groups["S"]] == ["The Scottish Borders"]
    assert [n for n, _, _ in groups["V"]] == ["The Vale of Glamorgan"]
    assert [n for n, _, _ in groups["C"]] == ["City of London"]
    assert "T" not in groups
