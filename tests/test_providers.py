"""Who provides what for real councils, as this repository's own data and resolve rule say.

Each rule is checked where residents meet it: Glasgow's former council homes, Greater Manchester's and
Merseyside's tips, Edinburgh's electoral register, Belfast's schools, and the features of Blackpool's area.
"""

from __future__ import annotations

import pytest

from localgov.build import load_site
from localgov.errors import Problems
from localgov.model import Site
from localgov.render.pages import other_providers
from tests.conftest import REPO


@pytest.fixture(scope="module")
def site() -> Site:
    problems = Problems()
    loaded = load_site(REPO, problems)
    assert loaded is not None, "\n".join(p.format() for p in problems.errors)
    return loaded


def provided(site: Site, page: str, lower: str) -> tuple[tuple[str, ...], bool]:
    """Return the bodies that provide `page` for the area of `lower`, and whether `lower` has a variant."""
    return site.resolution.bodies_for(page, lower), lower in site.resolution.councils_for(page)


def test_glasgow_tenants_are_sent_to_the_association_that_owns_the_former_council_homes(site: Site) -> None:
    assert provided(site, "council-home-repairs", "glasgow") == (("wheatley-homes-glasgow",), False)
    assert site.bodies["wheatley-homes-glasgow"].kind == "housing-association"
    # A council that still has its homes keeps its page.
    assert provided(site, "council-home-repairs", "edinburgh") == ((), True)


def test_greater_manchesters_tips_are_the_combined_authoritys_but_not_wigans(site: Site) -> None:
    assert provided(site, "recycling-centres", "manchester") == (("greater-manchester-combined-authority",), False)
    assert provided(site, "recycling-centres", "wigan") == ((), True)


def test_liverpools_tips_are_merseysides_waste_authoritys(site: Site) -> None:
    assert provided(site, "recycling-centres", "liverpool") == (("merseyside-recycling-and-waste-authority",), False)


def test_edinburghs_electoral_register_is_kept_by_the_lothian_valuation_joint_board(site: Site) -> None:
    assert provided(site, "register-to-vote", "edinburgh") == (("lothian-valuation-joint-board",), False)
    # The council still runs polling stations.
    assert provided(site, "polling-stations", "edinburgh") == ((), True)


def test_every_scottish_council_has_one_body_for_council_tax_bands(site: Site) -> None:
    for council in site.councils.values():
        if council.nation != "scotland":
            continue
        sharing = site.resolution.partners_of("council-tax-bands", council.slug)
        whole = site.resolution.bodies_for("council-tax-bands", council.slug)
        assert len(sharing) + len(whole) == 1, council.slug


def test_belfast_residents_are_sent_to_the_bodies_that_do_the_job(site: Site) -> None:
    assert provided(site, "apply-for-a-school-place", "belfast") == (("education-authority",), False)
    assert provided(site, "council-home-repairs", "belfast") == (("northern-ireland-housing-executive",), False)
    assert provided(site, "report-a-pothole", "belfast") == (("department-for-infrastructure",), False)
    assert provided(site, "register-to-vote", "belfast") == (("electoral-office-for-northern-ireland",), False)
    assert provided(site, "pay-council-tax", "belfast") == (("land-and-property-services",), False)
    assert "belfast-hsc-trust" in site.resolution.bodies_for("adult-social-care-assessment", "belfast")
    others = {str(item["title"]): str(item["body"]) for item in other_providers(site, site.councils["belfast"])}
    assert others["Apply for a school place"] == "Education Authority"


def test_no_northern_ireland_page_leaves_a_resident_at_a_dead_end(site: Site) -> None:
    for page in site.content.pages.values():
        if page.elsewhere_for("northern-ireland") is None:
            continue
        for council in site.councils.values():
            if council.nation == "northern-ireland":
                bodies = site.resolution.bodies_for(page.slug, council.slug)
                sharing = site.resolution.partners_of(page.slug, council.slug)
                assert bodies or sharing or page.slug == "premises-licence", (page.slug, council.slug)


def test_blackpools_beach_safety_page_exists_because_its_area_has_a_coast(site: Site) -> None:
    assert "coastline" in site.councils["blackpool"].features
    assert "blackpool" in site.resolution.councils_for("beach-safety")
    assert "birmingham" not in site.resolution.councils_for("beach-safety")


def test_a_county_hub_lists_nothing_other_organisations_do(site: Site) -> None:
    assert other_providers(site, site.councils["kent"]) == []
    maidstone = other_providers(site, site.councils["maidstone"])
    assert all(item["body"] != "Kent County Council" for item in maidstone)


def test_the_kent_hub_lists_no_parking_which_kents_districts_run(site: Site) -> None:
    for page in ("parking-fines", "parking-permits"):
        assert "kent" not in site.resolution.councils_for(page)
        assert "maidstone" in site.resolution.councils_for(page)
    from localgov.render.pages import area_services

    listed = {item["url"] for item in area_services(site, site.councils["kent"])}
    assert not any(url.startswith(("/parking-fines/", "/parking-permits/")) for url in listed)
    # Devon runs civil parking enforcement itself, so its hub lists it.
    assert "devon" in site.resolution.councils_for("parking-fines")


def test_cardiff_and_edinburgh_school_admissions_say_nothing_of_academies(site: Site) -> None:
    from localgov.checks import variant_text
    from localgov.sandbox import content_environment

    page = site.content.pages["apply-for-a-school-place"]
    env = content_environment()
    texts = {slug: variant_text(page.in_nation(site.councils[slug].nation), site.councils[slug], env,
                                 lambda key: (key,)) or "" for slug in ("cardiff", "edinburgh", "kent")}
    assert "academ" not in texts["cardiff"].lower() and "In England" not in texts["cardiff"]
    assert "academ" not in texts["edinburgh"].lower() and "placing request" in texts["edinburgh"].lower()
    assert "academ" in texts["kent"].lower()
