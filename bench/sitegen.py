"""Generate the national benchmark site: every council, 120 service pages, overrides and alerts.

The site is deterministic: the same seed gives the same files, byte for byte. Pages are
about the size of the demo pages, with sections, lists, tables and council placeholders.
"""

from __future__ import annotations

import random
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = 120  # service pages in all

# Topics for generated pages: the repository's own, and two more.
TOPICS: list[tuple[str, str, str]] = [
    ("rubbish-and-recycling", "Rubbish and recycling", "Bins, recycling, bulky waste and the tip."),
    ("council-tax-and-benefits", "Council Tax and benefits", "Pay Council Tax, discounts and help with costs."),
    ("housing", "Housing", "Council homes, repairs, homelessness and grants."),
    ("parking-and-roads", "Parking and roads", "Permits, fines, potholes and street lights."),
    ("planning-and-building", "Planning and building", "Planning permission, building control and trees."),
    ("schools-and-education", "Schools and education", "School places, transport, meals and term dates."),
    ("social-care", "Social care", "Care at home, carers, fostering and blue badges."),
    ("births-deaths-and-marriages", "Births, deaths and marriages", "Register a birth or death, get married."),
    ("business-and-licensing", "Business and licensing", "Licences, business rates and food safety."),
    ("leisure-and-culture", "Leisure and culture", "Libraries, parks, sport and events."),
    ("environment", "Environment", "Pollution, pests, noise and flooding."),
    ("community-and-safety", "Community and safety", "Antisocial behaviour, emergencies and grants."),
]

THINGS = [
    "bulky-waste", "garden-waste", "clinical-waste", "trade-waste", "recycling-boxes", "street-cleaning",
    "council-tax-bill", "council-tax-discount", "business-rates", "housing-benefit", "discretionary-housing-payment",
    "housing-register", "home-repairs", "empty-homes", "houses-in-multiple-occupation", "private-tenancy-problems",
    "parking-permit", "parking-fine", "pothole", "street-light", "dropped-kerb", "road-closure", "grit-bin",
    "planning-application", "building-regulations", "tree-works", "listed-building-consent", "planning-enforcement",
    "school-place", "school-transport", "free-school-meals", "school-admission-appeal", "home-education",
    "adult-social-care", "carers-assessment", "blue-badge", "foster-carer", "disabled-facilities-grant",
    "birth-registration", "death-registration", "marriage-ceremony", "citizenship-ceremony", "copy-certificate",
    "premises-licence", "taxi-licence", "street-trading-licence", "food-business-registration", "skip-licence",
    "library-card", "park-booking", "allotment", "sports-pitch", "museum-visit", "events-licence",
    "noise-complaint", "pest-control", "air-quality", "flooding", "fly-tipping", "abandoned-vehicle",
    "antisocial-behaviour", "community-grant", "emergency-planning", "graffiti-removal",
]
ACTIONS = ["apply-for", "report", "pay-for", "check", "change", "cancel", "get-help-with", "find-out-about"]

SENTENCES = [
    "Most councils deal with requests within 10 working days, but it can take longer at busy times.",
    "You can usually do this online, and it is quicker than applying by post or by phone.",
    "If you need help using the online service, ask a friend or relative, or contact your council.",
    "Some councils charge a fee, and the amount varies from one area to another.",
    "You will need your reference number, which is printed on any letter the council has sent you.",
    "The council may ask for evidence, such as a utility bill or a tenancy agreement, to confirm your address.",
    "Tell the council straight away if your circumstances change, for example if you move home.",
    "You can appeal if you disagree with a decision, but you must usually do this within 28 days.",
    "Keep a copy of anything you send, and a note of the date you sent it.",
    "If English is not your first language, the council can arrange for an interpreter.",
    "Councils must make reasonable adjustments for disabled people who need help to use a service.",
    "The rules are different in Scotland, Wales and Northern Ireland, and this page explains where.",
    "You may be able to get help with the cost if you get benefits or have a low income.",
    "Payments can usually be made by debit card, direct debit or bank transfer.",
    "Do not send cash through the post.",
    "If your request is urgent, phone rather than using the online form.",
    "The council will write to you to confirm the outcome and explain what happens next.",
    "Check the council's website for the latest opening times before you visit in person.",
]
BULLETS = [
    "your full name and address", "your date of birth", "your National Insurance number", "a phone number",
    "an email address", "details of anyone who lives with you", "photos of the problem", "the exact location",
    "the date it happened", "proof of your income", "your bank details", "the name of your landlord",
    "your vehicle registration number", "the size of the item", "the name of the school", "a letter from your GP",
]

TABLE_HEADERS = [("Charge", "Cost"), ("Type", "How long it takes"), ("Band", "Example")]
TABLE_ROWS = [
    ("First item", "£25"), ("Each extra item", "£10"), ("Standard", "10 working days"), ("Urgent", "2 working days"),
    ("Concession", "Free"), ("Renewal", "£15"), ("Replacement", "£20"), ("Online", "Same day"),
]


@dataclass(frozen=True)
class Generated:
    """What was generated: the site folder and what the benchmark edits."""

    root: Path
    pages: list[tuple[str, str, str]]  # (topic, slug, provider)
    override_councils: list[str]
    edit_page: Path
    edit_override: Path | None
    edit_template: Path


def _paragraph(rng: random.Random, count: int) -> str:
    return " ".join(rng.sample(SENTENCES, count))


def page_markdown(rng: random.Random, slug: str, title: str, provider: str, lgsl: int, others: list[str]) -> str:
    """Return one service page: front matter and a body of sections, lists, a table and placeholders."""
    keywords = ", ".join(sorted({w for w in slug.split("-") if len(w) > 3})[:4]) or "council"
    elsewhere = ""
    if provider != "national" and rng.random() < 0.2:
        elsewhere = ('provided_elsewhere:\n  northern-ireland: "In Northern Ireland, contact '
                     'nidirect for this service."\n')
    reviewed = f"202{rng.randint(4, 6)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    front = (f"---\ntitle: {title}\nsummary: Find out how to {title.lower()} and what to do next.\n"
             f"provider: {provider}\nlgsl: {lgsl}\nkeywords: [{keywords}]\n{elsewhere}"
             f"last_reviewed: {reviewed}\nowner: service-{lgsl % 7}\n---\n")
    parts = [f"{_paragraph(rng, 3)}\n", "{{ council.link('" + slug + "', '" + title + " online') }}\n"]
    section_names = rng.sample(
        ["Who can apply", "What you need", "How to apply", "Costs", "How long it takes", "After you apply",
         "If you disagree", "Help and support", "Other ways to apply", "What happens next"], 6)
    for number, name in enumerate(section_names):
        anchor = name.lower().replace(" ", "-")
        parts.append(f"## {name} {{#{anchor}}}\n")
        parts.append(f"{_paragraph(rng, rng.randint(2, 3))}\n")
        if number == 1:
            parts.append("You will need:\n\n" + "\n".join(f"- {b}" for b in rng.sample(BULLETS, 5)) + "\n")
        if number == 2:
            parts.append("Contact {{ council.name }} on {{ council.phone }} if you cannot apply online.\n")
            parts.append("1. Check you are eligible.\n2. Gather your documents.\n3. Fill in the form.\n")
        if number == 3:
            head = rng.choice(TABLE_HEADERS)
            rows = rng.sample(TABLE_ROWS, 4)
            table = "\n".join(f"| {a} | {b} |" for a, b in rows)
            parts.append(f"| {head[0]} | {head[1]} |\n|---|---|\n{table}\n")
        if number == 4 and rng.random() < 0.5:
            parts.append("{% if council.has('coastline') %}\nCoastal areas may have extra rules in summer.\n"
                         "{% endif %}\n")
        if number == 5:
            other = rng.choice(others)
            parts.append(f"You may also want to read about [{other.replace('-', ' ')}](/{other}/).\n")
    parts.append("Email {{ council.email }} or write to {{ council.address }}.\n")
    return front + "\n".join(parts)


def page_list(rng: random.Random, topics: list[str], taken: set[str],
              providers: dict[str, int]) -> list[tuple[str, str, str]]:
    """Return generated (topic, slug, provider), as many of each provider as asked, in a stable order."""
    slugs = [f"{action}-{thing}" for thing in THINGS for action in ACTIONS if f"{action}-{thing}" not in taken]
    rng.shuffle(slugs)
    mix = [provider for provider, count in sorted(providers.items()) for _ in range(count)]
    rng.shuffle(mix)
    chosen = sorted(slugs[:len(mix)])
    pairs = enumerate(zip(chosen, mix, strict=False))  # as many as there are slugs for
    return [(topics[index % len(topics)], slug, provider) for index, (slug, provider) in pairs]


def demo_pages(content: Path) -> list[tuple[str, str, str]]:
    """Return (topic, slug, provider) of the repository's own service pages."""
    found = []
    for path in sorted(content.glob("*/*.md")):
        if path.name.endswith(".cy.md"):  # a Welsh translation of a page, not a page of its own
            continue
        match = re.search(r"^provider:\s*(\w+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        found.append((path.parent.name, path.stem, match.group(1) if match else "lower"))
    return found


def override_text(rng: random.Random, section: tuple[str, str], council_name: str) -> str:
    """Return a council override that replaces one section of a common page (localgov/load/overrides.py)."""
    title, anchor = section
    return (f"---\nreplace: [{anchor}]\n---\n## {title} {{#{anchor}}}\n\n"
            f"Apply to {council_name} online. {_paragraph(rng, 2)}\n\n"
            "Call {{ council.phone }} if you need help.\n")


def sections_of(markdown: str) -> list[tuple[str, str]]:
    """Return (title, id) of each `## Title {#id}` heading."""
    found = []
    for line in markdown.splitlines():
        if line.startswith("## ") and line.endswith("}") and "{#" in line:
            title, _, anchor = line[3:].rpartition(" {#")
            found.append((title, anchor.rstrip("}")))
    return found


ALERT = """\
alerts:
  - title: Service changes this week
    body: "Some collections and offices are affected by planned work. [Read more](/councils/{slug}/)."
    start: 2000-01-01
    end: 2999-12-31
    pages: [{page}]
"""


def generate(root: Path, *, seed: int = 2026, councils_from: Path = REPO / "councils",
             content_from: Path = REPO / "content", with_overrides: bool | None = None,
             postcodes: str = "builtin") -> Generated:
    """Write the national benchmark site into `root` (which must not exist yet)."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    (root / "site.yaml").write_text(
        f"name: Local council services\nbase_url: https://localgov.example\npostcodes: {postcodes}\n", encoding="utf-8")
    # The repository's own pages (real text, and the pages its councils' links and alerts name), then
    # generated pages up to 120, across all tiers.
    shutil.copytree(content_from, root / "content")
    demo = demo_pages(root / "content")
    for order, (topic, title, summary) in enumerate(TOPICS, start=1):
        folder = root / "content" / topic
        if not (folder / "_topic.yaml").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "_topic.yaml").write_text(f"title: {title}\nsummary: {summary}\norder: {order}\n",
                                                encoding="utf-8")
    wanted = {"lower": 72, "upper": 30, "all": 14, "national": 4}
    for _, _, provider in demo:
        wanted[provider] = max(0, wanted.get(provider, 0) - 1)
    total = max(0, PAGES - len(demo))
    while sum(wanted.values()) > total:
        wanted[max(wanted, key=lambda k: wanted[k])] -= 1
    generated = page_list(rng, [t for t, _, _ in TOPICS], {slug for _, slug, _ in demo}, wanted)
    pages = demo + generated
    slugs = [slug for _, slug, _ in pages]
    for number, (topic, slug, provider) in enumerate(generated):
        title = slug.replace("-", " ").capitalize()
        text = page_markdown(rng, slug, title, provider, 2000 + number, [s for s in slugs if s != slug])
        (root / "content" / topic / f"{slug}.md").write_text(text, encoding="utf-8")
    council_slugs = sorted(p.parent.name for p in councils_from.glob("*/council.yaml"))
    alert_pages = [slug for _, slug, provider in generated if provider in ("lower", "all")]
    for slug in council_slugs:
        folder = root / "councils" / slug
        # The council's own files too: its overrides and council-only pages, which its links may name.
        shutil.copytree(councils_from / slug, folder)
        text = (councils_from / slug / "council.yaml").read_text(encoding="utf-8")
        if "alerts:" not in text and rng.random() < 0.05:
            text = text.rstrip("\n") + "\n" + ALERT.format(slug=slug, page=rng.choice(alert_pages))
        (folder / "council.yaml").write_text(text, encoding="utf-8")
    lower_tier = sorted(slug for slug in council_slugs
                        if "type: county" not in (councils_from / slug / "council.yaml").read_text(encoding="utf-8"))
    override_councils = sorted(rng.sample(lower_tier, len(council_slugs) // 10))
    if with_overrides is None:
        with_overrides = overrides_supported()
    edit_override: Path | None = None
    if with_overrides:
        lower_pages = [(topic, slug) for topic, slug, provider in generated
                       if provider == "lower" and "provided_elsewhere" not in
                       (root / "content" / topic / f"{slug}.md").read_text(encoding="utf-8")]
        for slug in override_councils:
            name = slug.replace("-", " ").title()
            for topic, page in rng.sample(lower_pages, 3):
                common = (root / "content" / topic / f"{page}.md").read_text(encoding="utf-8")
                path = root / "councils" / slug / topic / f"{page}.md"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(override_text(rng, rng.choice(sections_of(common)), name), encoding="utf-8")
                edit_override = edit_override or path
    templates = root / "templates"
    (templates / "partials").mkdir(parents=True)
    shutil.copy(REPO / "templates" / "partials" / "page_meta.html", templates / "partials" / "page_meta.html")
    topic, slug, _ = next(p for p in generated if p[2] == "lower")
    edit_page = root / "content" / topic / f"{slug}.md"
    return Generated(root=root, pages=pages, override_councils=override_councils, edit_page=edit_page,
                     edit_override=edit_override, edit_template=templates / "partials" / "page_meta.html")


def overrides_supported() -> bool:
    """Say whether this localgov reads council override files."""
    try:
        import localgov.load.overrides  # noqa: F401
    except ImportError:
        return False
    return True


def variants_expected(pages: list[tuple[str, str, str]]) -> str:
    """Describe the mix of providers."""
    counts: dict[str, int] = {}
    for _, _, provider in pages:
        counts[provider] = counts.get(provider, 0) + 1
    return ", ".join(f"{count} {provider}" for provider, count in sorted(counts.items()))


if __name__ == "__main__":  # pragma: no cover - a helper for looking at the generated site
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "national-site")
    made = generate(out)
    print(textwrap.dedent(f"""\
        wrote {out}: {len(made.pages)} pages ({variants_expected(made.pages)}),
        overrides for {len(made.override_councils)} councils"""))
