"""The resolve stage: which council provides which page for every area, from small in-memory registries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest

from localgov.errors import Problems
from localgov.model import Area, Council, Page, Section
from localgov.resolve import areas_of, check_declarations, provider_for, resolve, tier_council

NI_TEXT = "<p>In Northern Ireland, the Education Authority does this.</p>"


def council(slug: str, kind: str, nation: str = "england", *, parent: str | None = None,
            features: tuple[str, ...] = (), takes_on: tuple[str, ...] = (),
            hands_over: tuple[tuple[str, str], ...] = (), lines: tuple[tuple[str, int], ...] = ()) -> Council:
    return Council(slug=slug, name=slug.title(), gss="E00000000", type=kind, nation=nation,
                   website=f"https://{slug}.example/", parent=parent, features=frozenset(features),
                   takes_on=takes_on, hands_over=hands_over, source=f"councils/{slug}/council.yaml", lines=lines)


def page(slug: str, provider: str, *, requires: tuple[str, ...] = (),
         elsewhere: tuple[tuple[str, str], ...] = ()) -> Page:
    return Page(slug=slug, topic="topic", title=slug.title(), summary="S", provider=provider,
                sections=(Section("intro", "", "<p>Text</p>"),), requires=requires, provided_elsewhere=elsewhere,
                source=f"content/topic/{slug}.md")


def registry(*extra: Council) -> dict[str, Council]:
    """Kent with two districts (Thanet by the sea), a unitary, and a council in Scotland and in Northern Ireland."""
    found = [
        council("kent", "county", features=("coastline",)),
        council("maidstone", "non-metropolitan-district", parent="kent"),
        council("thanet", "non-metropolitan-district", parent="kent", features=("coastline",)),
        council("medway", "unitary"),
        council("glasgow-city", "scottish-council", "scotland"),
        council("belfast", "ni-district", "northern-ireland"),
    ]
    by_slug = {c.slug: c for c in found}
    by_slug.update({c.slug: c for c in extra})
    return by_slug


def resolved(*pages: Page, councils: dict[str, Council] | None = None) -> tuple[Mapping[str, tuple[str, ...]],
                                                                                  Mapping[str, Mapping[str, str]]]:
    problems = Problems()
    result = resolve({p.slug: p for p in pages}, councils or registry(), problems)
    assert not problems.items, problems.items
    return result.variants, result.exceptions


# -- areas and tiers ------------------------------------------------------------------------------------


def test_areas_are_one_per_lower_or_unitary_council_with_the_county_of_a_district() -> None:
    areas = sorted(areas_of(registry()), key=lambda a: a.lower)
    assert areas == [Area("belfast"), Area("glasgow-city"), Area("maidstone", "kent"), Area("medway"),
                     Area("thanet", "kent")]
    assert Area("maidstone", "kent").key == "maidstone+kent" and Area("medway").key == "medway"


@pytest.mark.parametrize(("provider", "area", "expected"), [
    ("lower", Area("maidstone", "kent"), "maidstone"),
    ("upper", Area("maidstone", "kent"), "kent"),
    ("all", Area("maidstone", "kent"), "maidstone"),
    ("upper", Area("medway"), "medway"),
    ("lower", Area("medway"), "medway"),
])
def test_the_tier_points_to_the_district_or_the_county(provider: str, area: Area, expected: str) -> None:
    assert tier_council(page("p", provider), area) == expected


def test_a_two_tier_area_gets_the_district_for_lower_and_the_county_for_upper() -> None:
    councils = registry()
    two_tier = Area("maidstone", "kent")
    assert provider_for(page("bins", "lower"), two_tier, councils).council == "maidstone"
    assert provider_for(page("schools", "upper"), two_tier, councils).council == "kent"
    assert provider_for(page("fly-tipping", "all"), two_tier, councils).council == "maidstone"
    # A unitary does both.
    assert provider_for(page("bins", "lower"), Area("medway"), councils).council == "medway"
    assert provider_for(page("schools", "upper"), Area("medway"), councils).council == "medway"


def test_lower_tier_variants_are_districts_and_unitaries_never_the_county() -> None:
    variants, exceptions = resolved(page("bins", "lower"))
    assert variants["bins"] == ("belfast", "glasgow-city", "maidstone", "medway", "thanet")
    assert exceptions["bins"] == {}


def test_upper_tier_variants_are_the_county_and_unitaries_never_a_district() -> None:
    variants, exceptions = resolved(page("schools", "upper"))
    assert variants["schools"] == ("belfast", "glasgow-city", "kent", "medway")
    # Maidstone and Thanet get Kent, which the tier rule already says: no exception for the browser.
    assert exceptions["schools"] == {}


def test_an_all_tier_page_has_a_variant_for_every_council_including_the_county() -> None:
    variants, exceptions = resolved(page("fly-tipping", "all"))
    assert variants["fly-tipping"] == ("belfast", "glasgow-city", "kent", "maidstone", "medway", "thanet")
    assert exceptions["fly-tipping"] == {}


def test_a_national_page_has_no_variants_and_no_exceptions() -> None:
    variants, exceptions = resolved(page("passports", "national"))
    assert variants["passports"] == ()
    assert "passports" not in exceptions
    answer = provider_for(page("passports", "national"), Area("medway"), registry())
    assert (answer.council, answer.reason) == (None, "national")


def test_an_area_whose_council_is_unknown_has_no_provider() -> None:
    answer = provider_for(page("bins", "lower"), Area("nowhere"), registry())
    assert (answer.council, answer.reason) == (None, "unknown-area")


# -- nations -------------------------------------------------------------------------------------


def test_provided_elsewhere_takes_a_nation_out_and_says_who_does_it() -> None:
    schools = page("schools", "upper", elsewhere=(("northern-ireland", NI_TEXT),))
    answer = provider_for(schools, Area("belfast"), registry())
    assert (answer.council, answer.reason, answer.elsewhere_html) == (None, "elsewhere", NI_TEXT)
    # Other nations are untouched.
    assert provider_for(schools, Area("glasgow-city"), registry()).council == "glasgow-city"
    variants, exceptions = resolved(schools)
    assert variants["schools"] == ("glasgow-city", "kent", "medway")
    # The browser would send Belfast to its own variant: the exception says there is none.
    assert exceptions["schools"] == {"belfast": ""}


def test_provided_elsewhere_in_england_removes_counties_from_an_all_tier_page() -> None:
    england = (("england", "<p>In England, ask the Environment Agency.</p>"),)
    variants, exceptions = resolved(page("fly-tipping", "all", elsewhere=england))
    assert variants["fly-tipping"] == ("belfast", "glasgow-city")
    assert exceptions["fly-tipping"] == {"maidstone": "", "medway": "", "thanet": ""}


# -- features ------------------------------------------------------------------------------------


def test_a_lower_tier_page_that_requires_a_feature_goes_only_to_councils_that_have_it() -> None:
    beaches = page("beach-safety", "lower", requires=("coastline",))
    variants, exceptions = resolved(beaches)
    # Kent has a coastline but is not the lower tier anywhere; Thanet is the only district by the sea.
    assert variants["beach-safety"] == ("thanet",)
    assert exceptions["beach-safety"] == {"belfast": "", "glasgow-city": "", "maidstone": "", "medway": ""}
    answer = provider_for(beaches, Area("maidstone", "kent"), registry())
    assert (answer.council, answer.reason) == (None, "not-here")


def test_an_upper_tier_page_reads_the_features_of_the_county() -> None:
    coast = page("coast-protection", "upper", requires=("coastline",))
    variants, exceptions = resolved(coast)
    # Maidstone has no coastline of its own, but its county, which provides the service, has.
    assert variants["coast-protection"] == ("kent",)
    assert exceptions["coast-protection"] == {"belfast": "", "glasgow-city": "", "medway": ""}


def test_every_required_feature_is_needed() -> None:
    both = page("harbours", "lower", requires=("coastline", "port"))
    councils = registry(council("thanet", "non-metropolitan-district", parent="kent", features=("coastline", "port")),
                        council("medway", "unitary", features=("port",)))
    variants, _ = resolved(both, councils=councils)
    assert variants["harbours"] == ("thanet",)


# -- what councils declare ------------------------------------------------------------------------


def test_a_county_that_takes_on_a_district_service_provides_it_for_its_districts() -> None:
    councils = registry(council("kent", "county", features=("coastline",), takes_on=("garden-waste",)))
    variants, exceptions = resolved(page("garden-waste", "lower"), page("bins", "lower"), councils=councils)
    assert variants["garden-waste"] == ("belfast", "glasgow-city", "kent", "medway")
    assert exceptions["garden-waste"] == {"maidstone": "kent", "thanet": "kent"}
    # Only the page it names.
    assert variants["bins"] == ("belfast", "glasgow-city", "maidstone", "medway", "thanet")
    assert provider_for(page("garden-waste", "lower"), Area("maidstone", "kent"), councils).council == "kent"


def test_a_council_that_hands_over_a_page_sends_its_area_to_the_other_council() -> None:
    councils = registry(council("maidstone", "non-metropolitan-district", parent="kent",
                                hands_over=(("parking-permits", "kent"),)))
    variants, exceptions = resolved(page("parking-permits", "lower"), councils=councils)
    assert variants["parking-permits"] == ("belfast", "glasgow-city", "kent", "medway", "thanet")
    assert exceptions["parking-permits"] == {"maidstone": "kent"}


def test_a_hand_over_still_needs_the_features_of_the_council_that_takes_it() -> None:
    councils = registry(council("maidstone", "non-metropolitan-district", parent="kent", features=("coastline",),
                                hands_over=(("beach-safety", "medway"),)))
    beaches = page("beach-safety", "lower", requires=("coastline",))
    # Medway has no coastline: Maidstone's area ends up with nobody, not with Medway.
    answer = provider_for(beaches, Area("maidstone", "kent"), councils)
    assert (answer.council, answer.reason) == (None, "not-here")
    councils["medway"] = replace(councils["medway"], features=frozenset({"coastline"}))
    assert provider_for(beaches, Area("maidstone", "kent"), councils).council == "medway"


def test_a_hand_over_to_a_council_that_is_not_in_the_registry_leaves_the_area_unknown() -> None:
    councils = registry(council("maidstone", "non-metropolitan-district", parent="kent",
                                hands_over=(("bins", "swale"),)))
    answer = provider_for(page("bins", "lower"), Area("maidstone", "kent"), councils)
    assert (answer.council, answer.reason) == (None, "unknown-area")


# -- the resolution, as later stages read it -------------------------------------------------------


def test_the_resolution_lists_councils_per_page_and_pages_per_council() -> None:
    problems = Problems()
    result = resolve({p.slug: p for p in (page("bins", "lower"), page("schools", "upper"),
                                          page("passports", "national"))}, registry(), problems)
    assert result.councils_for("schools") == ("belfast", "glasgow-city", "kent", "medway")
    assert result.councils_for("passports") == ()
    assert result.councils_for("no-such-page") == ()
    assert result.pages_of("kent") == ("schools",)
    assert result.pages_of("maidstone") == ("bins",)
    assert result.pages_of("medway") == ("bins", "schools")


# -- declarations that cannot work ---------------------------------------------------------------


def test_declarations_naming_unknown_pages_or_the_wrong_councils_are_errors_at_their_line() -> None:
    councils = registry(
        council("kent", "county", takes_on=("schools", "bin-colections"), lines=(("takes_on", 7),)),
        council("maidstone", "non-metropolitan-district", parent="kent", takes_on=("bins",),
                hands_over=(("parking", "kent"),), lines=(("hands_over.parking", 9), ("takes_on", 11))),
    )
    pages = {p.slug: p for p in (page("bin-collections", "lower"), page("bins", "lower"), page("schools", "upper"))}
    problems = Problems()
    check_declarations(pages, councils, problems)
    found = sorted((p.file, p.line, p.message, p.found) for p in problems.errors)
    assert found == [
        ("councils/kent/council.yaml", 7, "'schools' is already a county service", "provider upper"),
        ("councils/kent/council.yaml", 7, "takes on an unknown page; did you mean 'bin-collections'?",
         "'bin-colections'"),
        ("councils/maidstone/council.yaml", 9, "hands over an unknown page", "'parking'"),
        ("councils/maidstone/council.yaml", 11, "only a county can take on a service for its districts", "'bins'"),
    ]


def test_resolve_reports_bad_declarations_and_still_resolves() -> None:
    councils = registry(council("medway", "unitary", takes_on=("bins",)))
    problems = Problems()
    result = resolve({"bins": page("bins", "lower")}, councils, problems)
    assert [p.message for p in problems.errors] == ["only a county can take on a service for its districts"]
    assert result.councils_for("bins") == ("belfast", "glasgow-city", "maidstone", "medway", "thanet")
