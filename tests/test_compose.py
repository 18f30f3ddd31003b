"""The compose stage: a variant's sections from the common page and the council's file, from in-memory pages."""

from __future__ import annotations

from localgov.compose import Composed, compose_common, compose_council_page, compose_variant, page_key
from localgov.model import CouncilPage, Override, Page, Section

OVERRIDE_KEY = "override:maidstone/bins"
COUNCIL_FILE = "councils/maidstone/rubbish/bins.md"


def section(id: str, title: str | None = None) -> Section:
    return Section(id, "" if id == "intro" else (title or id.replace("-", " ").capitalize()), f"<p>{id}</p>")


def bins(*ids: str) -> Page:
    """A common page with these sections (default: an intro and three sections)."""
    return Page(slug="bins", topic="rubbish", title="Bin collections", summary="When your bins are collected.",
                provider="lower", sections=tuple(section(i) for i in (ids or ("intro", "what-goes", "missed", "fees"))),
                keywords=("bin day", "refuse"), source="content/rubbish/bins.md")


def override(*ids: str, **changes: object) -> Override:
    return Override(council="maidstone", page="bins", topic="rubbish", source=COUNCIL_FILE,
                    sections=tuple(section(i) for i in ids), **changes)  # type: ignore[arg-type]


def layout(composed: Composed) -> list[str]:
    """Return the page as 'common:id' or 'council:id', in order."""
    names = {page_key(composed.page): "common", OVERRIDE_KEY: "council"}
    return [f"{names[ref.source]}:{ref.id}" for ref in composed.sections]


# -- no council file -----------------------------------------------------------------------------


def test_the_common_page_is_its_own_sections_in_order() -> None:
    common = compose_common(bins())
    assert common.council is None
    assert layout(common) == ["common:intro", "common:what-goes", "common:missed", "common:fees"]
    assert [ref.title for ref in common.sections] == ["", "What goes", "Missed", "Fees"]
    assert (common.summary, common.keywords, common.sources) == (
        "When your bins are collected.", ("bin day", "refuse"), ("content/rubbish/bins.md",))
    assert common.contributed == frozenset()


def test_a_variant_without_a_council_file_is_the_common_page_for_that_council() -> None:
    variant = compose_variant(bins(), "medway", nation="england")
    assert variant.council == "medway"
    assert variant.sections == compose_common(bins()).sections
    assert variant.sources == ("content/rubbish/bins.md",)
    assert variant.contributed == frozenset()


def by_nation() -> Page:
    """A common page with a section for Scotland only and one for England and Wales."""
    sections = (section("intro"), Section("scotland", "In Scotland", "<p>s</p>", nations=("scotland",)),
                Section("england-wales", "In England and Wales", "<p>e</p>", nations=("england", "wales")),
                section("fees"))
    return Page(slug="bins", topic="rubbish", title="Bins", summary="S", provider="lower", sections=sections)


def test_a_section_for_some_nations_is_shown_only_in_their_variants_and_on_the_common_page() -> None:
    assert layout(compose_common(by_nation())) == ["common:intro", "common:scotland", "common:england-wales",
                                                   "common:fees"]
    assert layout(compose_variant(by_nation(), "glasgow-city", nation="scotland")) == [
        "common:intro", "common:scotland", "common:fees"]
    assert layout(compose_variant(by_nation(), "cardiff", nation="wales")) == [
        "common:intro", "common:england-wales", "common:fees"]
    assert layout(compose_variant(by_nation(), "belfast", nation="northern-ireland")) == ["common:intro", "common:fees"]


def test_a_council_section_placed_at_another_nations_section_is_not_lost() -> None:
    changed = override("local", after=(("scotland", ("local",)),))
    assert layout(compose_variant(by_nation(), "maidstone", changed, nation="england")) == [
        "common:intro", "common:england-wales", "common:fees", "council:local"]


# -- replacing, placing and removing sections ---------------------------------------------------------


def test_a_section_with_a_common_id_replaces_it_where_it_is() -> None:
    variant = compose_variant(bins(), "maidstone", override("missed"), nation="england")
    assert layout(variant) == ["common:intro", "common:what-goes", "council:missed", "common:fees"]
    assert variant.sources == ("content/rubbish/bins.md", COUNCIL_FILE)
    assert variant.contributed == frozenset({OVERRIDE_KEY})


def test_the_council_intro_replaces_the_common_intro() -> None:
    variant = compose_variant(bins(), "maidstone", override("intro"), nation="england")
    assert layout(variant) == ["council:intro", "common:what-goes", "common:missed", "common:fees"]


def test_a_council_intro_opens_a_page_that_has_none() -> None:
    variant = compose_variant(bins("what-goes", "missed"), "maidstone", override("intro", "missed"), nation="england")
    assert layout(variant) == ["council:intro", "common:what-goes", "council:missed"]


def test_new_sections_go_before_or_after_the_section_they_name() -> None:
    changed = override("christmas", "food-waste", "garden-waste",
                       before=(("missed", ("christmas",)),), after=(("what-goes", ("food-waste", "garden-waste")),))
    variant = compose_variant(bins(), "maidstone", changed, nation="england")
    assert layout(variant) == ["common:intro", "common:what-goes", "council:food-waste", "council:garden-waste",
                               "council:christmas", "common:missed", "common:fees"]


def test_a_new_section_placed_nowhere_closes_the_page() -> None:
    variant = compose_variant(bins(), "maidstone", override("bulky-waste", "what-goes"), nation="england")
    assert layout(variant) == ["common:intro", "council:what-goes", "common:missed", "common:fees",
                               "council:bulky-waste"]


def test_removed_sections_are_left_out_and_sections_placed_beside_them_stay() -> None:
    changed = override("free-collections", remove=("fees", "intro"), before=(("fees", ("free-collections",)),))
    variant = compose_variant(bins(), "maidstone", changed, nation="england")
    assert layout(variant) == ["common:what-goes", "common:missed", "council:free-collections"]


def test_a_council_section_wins_over_removing_the_same_id() -> None:
    # The rules check each common section for a council replacement before they look at `remove`.
    variant = compose_variant(bins(), "maidstone", override("fees", remove=("fees",)), nation="england")
    assert layout(variant) == ["common:intro", "common:what-goes", "common:missed", "council:fees"]


def test_the_whole_body_is_the_council_file_in_its_own_order() -> None:
    changed = override("missed", "intro", "opening-times", whole_body=True)
    variant = compose_variant(bins(), "maidstone", changed, nation="england")
    assert layout(variant) == ["council:missed", "council:intro", "council:opening-times"]
    assert variant.contributed == frozenset({OVERRIDE_KEY})


def test_council_sections_keep_their_own_titles() -> None:
    changed = Override(council="maidstone", page="bins", topic="rubbish", source=COUNCIL_FILE,
                       sections=(Section("missed", "If we missed your bin", "<p>Call us.</p>"),))
    variant = compose_variant(bins(), "maidstone", changed, nation="england")
    assert [ref.title for ref in variant.sections] == ["", "What goes", "If we missed your bin", "Fees"]


# -- summary and keywords ------------------------------------------------------------------------


def test_the_council_summary_replaces_the_common_one() -> None:
    variant = compose_variant(bins(), "maidstone", override(summary="Maidstone empties bins every week."),
            nation="england")
    assert variant.summary == "Maidstone empties bins every week."
    assert layout(variant) == layout(compose_common(bins()))
    assert variant.page.summary == "When your bins are collected.", "the common page itself is unchanged"


def test_without_a_summary_the_common_summary_stays() -> None:
    assert compose_variant(bins(), "maidstone", override("missed"),
            nation="england").summary == "When your bins are collected."


def test_council_keywords_are_added_after_the_common_ones_once_each() -> None:
    variant = compose_variant(bins(), "maidstone", override(keywords=("black box", "refuse", "black box")),
            nation="england")
    assert variant.keywords == ("bin day", "refuse", "black box")


# -- council-only pages ----------------------------------------------------------------------------


def test_a_council_only_page_is_its_own_sections_under_its_own_key() -> None:
    own = CouncilPage(council="medway", slug="garden-waste-permits", topic="rubbish", title="Garden waste permits",
                      summary="Buy a permit.", source="councils/medway/rubbish/garden-waste-permits.md",
                      sections=(section("intro"), section("prices"), section("renew")), keywords=("green bin",))
    composed = compose_council_page(own)
    assert composed.council == "medway"
    assert [(ref.source, ref.id) for ref in composed.sections] == [
        ("council-page:medway/garden-waste-permits", "intro"),
        ("council-page:medway/garden-waste-permits", "prices"),
        ("council-page:medway/garden-waste-permits", "renew"),
    ]
    assert (composed.summary, composed.keywords) == ("Buy a permit.", ("green bin",))
    assert composed.sources == ("councils/medway/rubbish/garden-waste-permits.md",)
    assert composed.contributed == frozenset({"council-page:medway/garden-waste-permits"})
