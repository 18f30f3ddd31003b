"""Council data: council.yaml validation, council data in common text, the sandbox, alerts and the demo councils."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path

import jinja2
import pytest

from localgov.build import load_site
from localgov.cli import main
from localgov.errors import Problems
from localgov.load.markdown import convert
from localgov.model import Council, is_home_page
from localgov.sandbox import CouncilView, Missing, SectionTemplates, content_environment
from tests.conftest import BINS, COUNCILS, REPO, MakeSite
from tests.helpers import read

MAIDSTONE_YAML = COUNCILS["maidstone"]
BINS_WITH_CODES = textwrap.dedent(BINS).lstrip("\n").replace("lgsl: 524", "lgsl: [524, 533]")


def build(root: Path, *args: str) -> int:
    return main(["--root", str(root), "build", *args])


def load_problems(root: Path) -> str:
    problems = Problems()
    load_site(root, problems)
    return "\n".join(p.format() for p in problems.items)


def council_yaml(extra: str) -> str:
    """Return Medway's council.yaml with `extra` lines added (already indented to column 0)."""
    return (
        "name: Medway Council\nshort_name: Medway\ngss: E06000035\ntype: unitary\nnation: england\n"
        "website: https://www.medway.gov.uk/\n" + extra
    )


# -- validation of council.yaml

YAML_ERRORS: dict[str, tuple[str, str]] = {
    "unknown link key": (
        "links:\n  bin-colections: https://www.medway.gov.uk/bins\n",
        (r"councils/medway/council\.yaml:8: error: 'links\.bin-colections': no page or LGSL code 'bin-colections'; "
        r"did you mean 'bin-collections'\?; expected a page slug from content/ or a page's LGSL code"),
    ),
    "unknown lgsl code": (
        "links:\n  bin-collections: https://www.medway.gov.uk/bins\n  '9999': https://www.medway.gov.uk/x\n",
        r"council\.yaml:9: error: 'links\.9999': no page or LGSL code '9999'",
    ),
    "insecure link": (
        "links:\n  bin-collections: http://www.medway.gov.uk/bins\n",
        (r"council\.yaml:8: error: 'links\.bin-collections': not a secure web address; expected an address starting "
        r"https://, got 'http://www\.medway\.gov\.uk/bins'"),
    ),
    "phone as a number": (
        "contact:\n  email: info@medway.gov.uk\n  phone: 01634333333\n",
        r"council\.yaml:9: error: 'contact\.phone': write it in quotes so YAML keeps it as written",
    ),
    "unknown contact field": (
        "contact:\n  telephone: 01634 333333\n",
        r"council\.yaml:8: error: 'contact\.telephone': unknown contact field; did you mean 'phone'\?",
    ),
    "bad email": (
        "contact:\n  phone: 01634 333333\n  email: medway\n",
        r"council\.yaml:9: error: 'contact\.email': not an email address",
    ),
    "alert for an unknown page": (
        ("alerts:\n  - title: Closed\n    body: Closed today.\n    start: 2026-11-01\n    end: 2026-11-30\n"
        "    pages: [bin-colection]\n"),
        r"council\.yaml:8: error: 'alerts\.pages': alert names an unknown page; did you mean 'bin-collections'\?",
    ),
    "alert ending before it starts": (
        "alerts:\n  - title: Closed\n    body: Closed today.\n    start: 2026-11-30\n    end: 2026-11-01\n",
        (r"council\.yaml:11: error: 'alerts\[1\]\.end': ends before it starts; expected a date on or after 2026-11-30, "
        r"got 2026-11-01"),
    ),
    "alert with a bad date": (
        "alerts:\n  - title: Closed\n    body: Closed.\n    start: 1 November\n    end: 2026-11-30\n",
        r"council\.yaml:10: error: 'alerts\[1\]\.start': not a date; expected a date like 2026-12-01, got '1 November'",
    ),
    "alert with an unknown field": (
        "alerts:\n  - title: Closed\n    body: Closed.\n    start: 2026-11-01\n    end: 2026-11-30\n    page: [x]\n",
        r"council\.yaml:12: error: 'alerts\[1\]\.page': unknown alert field; did you mean 'pages'\?",
    ),
    "hand-over of an unknown page": (
        "hands_over:\n  bin-colections: kent\n",
        (r"council\.yaml:8: error: 'hands_over\.bin-colections': hands over an unknown page; "
        r"did you mean 'bin-collections'\?"),
    ),
    "hand-over to an unknown council": (
        "hands_over:\n  bin-collections: maidston\n",
        (r"council\.yaml:8: error: 'hands_over\.bin-collections': hands over to a council that is not in councils/; "
        r"did you mean 'maidstone'\?"),
    ),
}


@pytest.mark.parametrize("case", sorted(YAML_ERRORS))
def test_council_yaml_problems_name_file_line_field_expected_and_found(case: str, make_site: MakeSite) -> None:
    extra, pattern = YAML_ERRORS[case]
    root = make_site({"councils/medway/council.yaml": council_yaml(extra)})
    messages = load_problems(root)
    assert re.search(pattern, messages), messages


def test_links_by_page_slug_lgsl_code_or_own_page_are_accepted(make_site: MakeSite) -> None:
    root = make_site({
        "councils/medway/council.yaml": council_yaml(
            "links:\n  '524': https://www.medway.gov.uk/bins\n  beach-huts: https://www.medway.gov.uk/huts\n"
        ),
        "councils/medway/rubbish-and-recycling/beach-huts.md": "---\ntitle: Beach huts\nsummary: Hire one.\n---\n"
                                                               "{{ council.link('beach-huts', 'Book a hut') }}\n",
    })
    assert "error" not in load_problems(root)
    assert build(root) == 0
    html = read(root / "build", "/bin-collections/medway/")
    # The content asks for 'bin-collections'; the council gave the page's LGSL code, 524.
    hidden = '<span class="govuk-visually-hidden"> on the Medway Council website</span>'
    assert f'<a class="govuk-link" href="https://www.medway.gov.uk/bins">Report a missed bin{hidden}</a>' in html
    assert f'<a class="govuk-link" href="https://www.medway.gov.uk/huts">Book a hut{hidden}</a>' in read(
        root / "build", "/beach-huts/medway/")


def test_a_page_with_several_lgsl_codes_takes_a_link_given_under_any_of_them(make_site: MakeSite) -> None:
    root = make_site({
        "content/rubbish-and-recycling/bin-collections.md": BINS_WITH_CODES,
        "councils/medway/council.yaml": council_yaml("links:\n  '533': https://www.medway.gov.uk/recycling\n"),
    })
    assert "error" not in load_problems(root)
    assert build(root) == 0
    html = read(root / "build", "/bin-collections/medway/")
    assert 'href="https://www.medway.gov.uk/recycling"' in html


@pytest.mark.parametrize("codes", ["[524, 524]", "[]", "[524, x]", "[-1]", "true"])
def test_lgsl_codes_must_be_whole_numbers_listed_once(make_site: MakeSite, codes: str) -> None:
    root = make_site({"content/rubbish-and-recycling/bin-collections.md":
                      BINS_WITH_CODES.replace("lgsl: [524, 533]", f"lgsl: {codes}")})
    messages = load_problems(root)
    assert re.search(r"content/rubbish-and-recycling/bin-collections.md:\d+: error: 'lgsl': ", messages), messages


def test_council_yaml_that_is_a_link_out_of_its_folder_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(council_yaml(""), encoding="utf-8")
    root = make_site({"councils/medway/council.yaml": None})
    (root / "councils" / "medway").mkdir(parents=True, exist_ok=True)
    (root / "councils" / "medway" / "council.yaml").symlink_to(outside)
    assert ("councils/medway/council.yaml: error: is a link to a place outside councils/medway/; copy the file in"
            " instead") in load_problems(root)


def test_feature_typo_is_a_warning_with_the_closest_feature(make_site: MakeSite) -> None:
    root = make_site({"councils/medway/council.yaml": council_yaml("features: [coastlin]\n")})
    assert ("councils/medway/council.yaml:7: warning: 'features': no page uses the feature 'coastlin'; "
            "did you mean 'coastline'?") in load_problems(root)


# -- council data in common text


def render(text: str, council: Council, missing: Missing | None = None) -> str:
    converted = convert(text)
    templates = SectionTemplates(content_environment(), {s.id: s.html for s in converted.sections})
    view = CouncilView(council, "bin-collections", keys_for=lambda key: (key, "524") if key == "bin-collections"
                       else (key,), missing=missing)
    return "\n".join(templates.render(s.id, view) for s in converted.sections)


BARE = Council(slug="medway", name="Medway Council", gss="E06000035", type="unitary", nation="england",
               website="https://www.medway.gov.uk/")


def test_missing_values_fall_back_to_wording_and_are_recorded() -> None:
    missing = Missing()
    html = render("Phone {{ council.phone }}. Email {{ council.email }}. Write to {{ council.address }}. "
                  "Open {{ council.opening_hours }}. {{ council.link('bin-collections', 'Check your bin day') }}. "
                  "{{ council.link('missed-bin') }}.", BARE, missing)
    assert "Phone the number given on the" in html
    assert "Email the contact details on the" in html
    assert "Write to the address given on the" in html
    assert "Open the opening hours given on the" in html
    assert "Check your bin day on the" in html
    assert "Find out more on the" in html
    assert html.count('<a class="govuk-link" href="https://www.medway.gov.uk/">Medway Council website</a>') == 6
    assert sorted(name for _, _, name in missing.items) == [
        "address", "email", "link:bin-collections", "link:missed-bin", "opening_hours", "phone"]


def test_present_values_are_filled_in() -> None:
    from localgov.model import Contact, ServiceLink

    council = Council(slug="medway", name="Medway Council", gss="E06000035", type="unitary", nation="england",
                      website="https://www.medway.gov.uk/", features=frozenset({"coastline"}),
                      contact=Contact(phone="01634 333333", email="info@medway.gov.uk"),
                      links=(("524", ServiceLink("https://www.medway.gov.uk/bins", "Bin days")),))
    missing = Missing()
    html = render("{{ council.name }}: {{ council.phone }}, {{ council.email }}. {{ council.link('bin-collections') }}"
                  "{% if council.has('coastline') %} Beach bins.{% endif %}"
                  "{% if council.has('port') %} Port.{% endif %}", council, missing)
    assert "Medway Council: 01634 333333" in html
    assert '<a class="govuk-link" href="mailto:info@medway.gov.uk">info@medway.gov.uk</a>' in html
    assert ('<a class="govuk-link" href="https://www.medway.gov.uk/bins">Bin days<span class="govuk-visually-hidden">'
            ' on the Medway Council website</span></a>') in html
    assert "Beach bins." in html and "Port." not in html
    assert not missing.items


SANDBOX_ERRORS: dict[str, tuple[str, str]] = {
    "__class__ on council": ("{{ council.__class__ }}", r":7: error: '__class__' is not available in content"),
    "__mro__ on a string": ("{{ ''.__class__.__mro__ }}", r":7: error: '__class__' is not available in content"),
    "jinja globals": ("{{ cycler.__init__.__globals__ }}", r":7: error: unknown name 'cycler' in content"),
    "private data by item": ("{{ council['_council'] }}", r":7: error: '_council' is not available in content"),
    "computed lookup": ("{{ council[council.name] }}", r":7: error: only fixed names can be looked up in content"),
    "unknown council data": ("{{ council.phon }}", r":7: error: council has no 'phon'; did you mean 'phone'\?"),
    "too many arguments": ("{{ council.has('a', 'b') }}", r":7: error: council\.has\(\) takes 1 argument"),
    "calling data": ("{{ council.name() }}", r":7: error: council\.name is data, not something to call"),
    "other calls": ("{{ council.name.upper() }}", (r":7: error: only council\.has\(\), council\.link\(\) and "
                    r"council\.service_url\(\) can be called")),
    "the safe filter": ("{{ council.name | safe }}", r":7: error: the filter 'safe' is not available in content"),
    "the attr filter": ("{{ council | attr('_council') }}", r":7: error: the filter 'attr' is not available"),
    "autoescape off": ("{% autoescape false %}{{ council.name }}{% endautoescape %}",
                       r":7: error: \{% autoescape %\} is not available in content"),
    "include": ("{% include 'base.html' %}", r":7: error: content cannot include, import or extend templates"),
}


@pytest.mark.parametrize("case", sorted(SANDBOX_ERRORS))
def test_common_text_cannot_reach_python_internals(case: str, make_site: MakeSite) -> None:
    text, pattern = SANDBOX_ERRORS[case]
    page = f"---\ntitle: T\nsummary: S\nprovider: upper\n---\nIntro.\n{text}\n"
    root = make_site({"content/schools/apply-for-a-school-place.md": page})
    messages = load_problems(root)
    assert re.search(r"content/schools/apply-for-a-school-place\.md" + pattern, messages), messages


@pytest.mark.parametrize("source", [
    "{{ council.__class__ }}", "{{ council._council }}", "{{ council.link.__self__ }}",
    "{{ council.name.__class__.__mro__ }}", "{{ council|attr('_council') }}", "{{ 'x' * 100000000 }}",
    "{{ 2 ** 100000 }}", "{{ council.nope }}",
])
def test_the_sandbox_refuses_at_render_time_too(source: str) -> None:
    template = content_environment().from_string(source) if "attr(" not in source else None
    if template is None:
        with pytest.raises(jinja2.TemplateError):
            content_environment().from_string(source)
        return
    with pytest.raises(jinja2.TemplateError):
        template.render(council=CouncilView(BARE))


def test_common_page_with_a_link_to_an_unknown_page(make_site: MakeSite) -> None:
    page = "---\ntitle: T\nsummary: S\nprovider: upper\n---\nIntro.\n\n{{ council.link('school-place', 'Apply') }}\n"
    root = make_site({"content/schools/apply-for-a-school-place.md": page})
    assert ("content/schools/apply-for-a-school-place.md:8: error: council.link(): no page or LGSL code "
            "'school-place'; did you mean 'apply-for-a-school-place'?") in load_problems(root)


# -- alerts


def alert(title: str, start: str, end: str, where: str = "") -> str:
    return f"  - title: {title}\n    body: '{title} body with [a link](https://www.medway.gov.uk/).'\n" \
           f"    start: {start}\n    end: {end}\n" + (f"    {where}\n" if where else "")


ALERTS = council_yaml(
    "alerts:\n"
    + alert("Everywhere now", "2026-11-24", "2026-11-24")
    + alert("Bins this month", "2026-11-01", "2026-11-30", "pages: [bin-collections]")
    + alert("Rubbish topic", "2026-11-20", "2026-12-20", "topics: [rubbish-and-recycling]")
    + alert("Huts page", "2026-11-01", "2026-11-30", "pages: [beach-huts]")
    + alert("Ended yesterday", "2026-11-01", "2026-11-23")
    + alert("Starts tomorrow", "2026-11-25", "2026-12-31", "pages: [bin-collections]")
)


def banners(html: str) -> list[str]:
    return re.findall(r'<h2 class="govuk-notification-banner__heading">([^<]+)</h2>', html)


def test_alerts_show_only_between_their_dates_on_the_pages_they_name(make_site: MakeSite) -> None:
    root = make_site({
        "councils/medway/council.yaml": ALERTS,
        "councils/medway/rubbish-and-recycling/beach-huts.md": "---\ntitle: Beach huts\nsummary: Hire one.\n---\nx\n",
    })
    assert build(root) == 0
    out = root / "build"
    assert banners(read(out, "/bin-collections/medway/")) == ["Everywhere now", "Bins this month", "Rubbish topic"]
    assert banners(read(out, "/rubbish-and-recycling/medway/")) == ["Everywhere now", "Rubbish topic"]
    assert banners(read(out, "/beach-huts/medway/")) == ["Everywhere now", "Rubbish topic", "Huts page"]
    assert banners(read(out, "/apply-for-a-school-place/medway/")) == ["Everywhere now"]
    assert banners(read(out, "/councils/medway/")) == ["Everywhere now"]
    assert banners(read(out, "/schools/medway/")) == ["Everywhere now"]
    # Other councils and the common pages never show Medway's alerts.
    assert banners(read(out, "/bin-collections/thanet/")) == []
    assert banners(read(out, "/bin-collections/")) == []
    body = read(out, "/bin-collections/medway/")
    assert 'Bins this month body with <a class="govuk-link" href="https://www.medway.gov.uk/">a link</a>.' in body


@pytest.mark.parametrize(("today", "expected"), [
    ("2026-10-31", []),
    ("2026-11-01", ["Bins this month"]),
    ("2026-11-30", ["Bins this month"]),
    ("2026-12-01", []),
])
def test_alert_dates_are_inclusive(today: str, expected: list[str], make_site: MakeSite,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALGOV_TODAY", today)
    root = make_site({"councils/medway/council.yaml": council_yaml(
        "alerts:\n" + alert("Bins this month", "2026-11-01", "2026-11-30", "pages: [bin-collections]"))})
    assert build(root) == 0
    assert banners(read(root / "build", "/bin-collections/medway/")) == expected


def test_alert_bodies_with_unsafe_html_are_refused(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    # Checked as a council file is: unsafe HTML refuses the alert (and so the build), at the line of its body.
    root = make_site({"councils/medway/council.yaml": council_yaml(
        "alerts:\n  - title: Closed\n    body: 'Closed <script>alert(1)</script> [x](javascript:alert(1))'\n"
        "    start: 2026-11-01\n    end: 2026-11-30\n")})
    assert build(root) == 1
    err = capsys.readouterr().err
    where = "councils/medway/council.yaml:9: error: 'alerts[1].body': unsafe HTML: "
    assert where + "<script> is not allowed" in err and where + "a javascript: address is not allowed" in err, err
    assert not (root / "build").exists()


def test_unsupported_html_in_alert_bodies_is_removed_with_a_warning(make_site: MakeSite,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"councils/medway/council.yaml": council_yaml(
        "alerts:\n  - title: Closed\n    body: 'Closed <img src=\"https://x.example/a.png\"> today.'\n"
        "    start: 2026-11-01\n    end: 2026-11-30\n")})
    assert build(root) == 0
    assert ("councils/medway/council.yaml:9: warning: 'alerts[1].body': HTML: <img> is not supported and was removed"
            in capsys.readouterr().err)
    html = read(root / "build", "/councils/medway/")
    assert "Closed  today." in html and "<img" not in html


# -- the demo councils in this repository

DEMO = ("kent", "maidstone", "canterbury", "thanet", "tunbridge-wells", "medway", "brighton-and-hove", "cornwall",
        "leeds", "camden", "hackney", "cardiff", "edinburgh", "belfast")


@pytest.fixture(scope="module")
def demo() -> object:
    problems = Problems()
    site = load_site(REPO, problems)
    assert site is not None, "\n".join(p.format() for p in problems.errors)
    return site


def test_demo_councils_cover_every_council_type(demo: object) -> None:
    councils = demo.councils  # type: ignore[attr-defined]
    kinds = {councils[slug].type for slug in DEMO}
    assert kinds == {"county", "non-metropolitan-district", "unitary", "metropolitan-district", "london-borough",
                     "welsh-principal-area", "scottish-council", "ni-district"}
    assert sum(1 for slug in DEMO if councils[slug].parent == "kent") >= 3


@pytest.mark.parametrize("slug", DEMO)
def test_demo_council_has_real_depth(slug: str, demo: object) -> None:
    council = demo.councils[slug]  # type: ignore[attr-defined]
    overrides = demo.overrides  # type: ignore[attr-defined]
    assert council.contact.phone or council.contact.email, "contact details"
    assert council.alerts, "a dated alert"
    assert overrides.overrides_of(slug) or overrides.pages_of(slug), "an override file"
    # No link stands for a service it does not lead to: a council's home page is not its bin day checker.
    for _, link in council.links:
        assert not is_home_page(link.url, council.website), link.url
        assert link.url.startswith(council.website.rstrip("/")) or council.example_data, link.url
    if council.example_data is False:
        pytest.fail(f"{slug}: say example_data: true unless every local detail has been checked")


def test_demo_coastal_councils_get_beach_safety(demo: object) -> None:
    variants = set(demo.resolution.councils_for("beach-safety"))  # type: ignore[attr-defined]
    assert {"thanet", "canterbury", "brighton-and-hove", "cornwall"} <= variants
    assert not variants & {"maidstone", "tunbridge-wells", "leeds", "camden", "hackney"}


def test_demo_alerts_are_dated_around_the_demo_date(demo: object) -> None:
    states = {a.active_on(dt.date(2026, 11, 24)) for slug in DEMO for a in demo.councils[slug].alerts}  # type: ignore[attr-defined]
    assert states == {True, False}  # some show on the demo date, some have ended or are still to come
