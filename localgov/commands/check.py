"""`localgov check`: everything a content designer should fix, found without writing a site.

- every problem the load stage reports (schemas, council files and overrides, references);
- broken internal links, in the Markdown of content and council files (at their line) and in
  the rendered pages (at the source of the page that has them);
- links that are not https, to council sites or anywhere else;
- pages whose `last_reviewed` date is older than `stale_after_days` (site.yaml, default 365);
- council data that common text needs and a council lacks (the fallback wording shows instead);
- pages that name no `sources`, and England-only terms that a variant in another nation shows;
- services that no council and no body provides somewhere, or whose provider only a note names;
- style: each page's reading ease, sentences over 25 words and words on GOV.UK's list of words to
  avoid (warnings), and pages that state rules without sources (errors), in localgov/style.py;
- with `--services FILE` (GOV.UK's list of local services), each listed service no page carries;
- pages that look like near-duplicates of another (Whoosh "more like this" finds candidates,
  then the share of their three-word phrases in common decides).

It writes nothing: templates are compiled in memory, not into the site's cache. When it prints the
problems, errors come first, and a kind of warning that many files share is one line that says how
many and how to list them (`--verbose` lists every one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from localgov.checks import check_nation_terms, check_providers
from localgov.errors import Problem, Problems
from localgov.i18n import and_list
from localgov.load.markdown import plain_text
from localgov.load.timeline import NOTICE_DAYS, long_date, transitions
from localgov.load.yamlfile import YamlProblem, parse_mapping
from localgov.model import CONTACT_LABELS, Council, Site
from localgov.style import PageStyle, check_service_list, check_style, read_service_list
from localgov.translation import MISSING_MARKER, WELSH_NAME_MARKER, check_welsh
from localgov.urls import FEED_NAMES, resolves, routes, target_of

# Markdown links and images, reference definitions, and HTML links, with the address in group 1.
LINKS = re.compile(r"""\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)|"""
                   r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.MULTILINE)
# Outputs the index stage and the search index make: links to them are not checked against pages.
GENERATED = ("/assets/", "/postcodes/", "/pagefind/", "/status/", "/search/synonyms.json",
             "/sitemap.xml", "/robots.txt", "/_headers", "/api/v1/")
FEEDS = tuple(f"/{name}" for name in FEED_NAMES.values())  # beside each service status page
GROUP_FROM = 4  # this many warnings of one kind or more are shown as one line, unless --verbose
SIMILAR = 0.8  # share of three-word phrases two pages must have in common to look like duplicates
CANDIDATES = 3  # pages "more like this" proposes for each page


@dataclass(frozen=True)
class WarningKind:
    """Warnings that many files can share: how to recognise one, and the line that stands for all of them."""

    marker: str  # a phrase of the message that only this kind has
    summary: str  # said of the count, like "12 councils lack ..."


GROUPED = (
    WarningKind("lacks data that common text uses",
                "{count} councils lack data that common text uses, so their pages say where to find it instead; "
                "'localgov check --verbose' lists them, 'localgov report --council SLUG' shows what one lacks"),
    WarningKind("last reviewed ", "{count} pages were last reviewed longer ago than stale_after_days (site.yaml) "
                "allows; 'localgov check --verbose' lists them"),
    WarningKind("no last_reviewed date", "{count} pages have no last_reviewed date; "
                "'localgov check --verbose' lists them"),
    WarningKind(WELSH_NAME_MARKER, "{count} councils in Wales have no Welsh name (name_cy) for their Welsh pages; "
                "'localgov report --welsh' lists them"),
    WarningKind(MISSING_MARKER, "{count} pages that councils in Wales provide have no Welsh translation, so their "
                "Welsh pages say so; 'localgov report --welsh' lists them by council"),
    WarningKind("no sources", "{count} pages name no sources for the rules they state; "
                "'localgov check --verbose' lists them"),
    WarningKind("long sentence (", "{count} sentences are longer than 25 words; 'localgov check --verbose' lists "
                "them, 'localgov check --style' scores each page"),
    WarningKind("words to avoid", "{count} uses of words on GOV.UK's list of words to avoid; "
                "'localgov check --verbose' lists them"),
    WarningKind("hard to read: reading ease", "{count} pages score under 60 for reading ease; "
                "'localgov check --style' lists every page's score"),
)


@dataclass
class CheckReport:
    """What a check found."""

    problems: list[Problem] = field(default_factory=list)
    pages: int = 0
    files: int = 0
    strict: bool = False  # site.yaml says `strict: true`: warnings fail, as with --strict
    styles: list[PageStyle] = field(default_factory=list)  # each page's readability

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def grouped(self, *, verbose: bool = False) -> tuple[list[Problem], list[str]]:
        """Return the problems to show one by one, errors first, and a line for each kind of many warnings."""
        if verbose:
            return self.errors + self.warnings, []
        shown: list[Problem] = list(self.errors)
        kinds: dict[WarningKind, list[Problem]] = {kind: [] for kind in GROUPED}
        others: list[Problem] = []
        for problem in self.warnings:
            kind = next((k for k in GROUPED if k.marker in problem.message), None)
            (kinds[kind] if kind is not None else others).append(problem)
        lines: list[str] = []
        for kind, problems in kinds.items():
            if len(problems) >= GROUP_FROM:
                lines.append("warning: " + kind.summary.format(count=f"{len(problems):,}"))
            else:
                others.extend(problems)
        return shown + sorted(others), lines


def check(root: Path, *, render: bool = True, workers: int | None = None,
          progress: Callable[[str, int, int], None] | None = None, as_at: dt.date | None = None,
          services: Path | None = None) -> CheckReport:
    """Check the site at `root` and return every problem, errors first; `progress` hears of each stage.

    `services` is GOV.UK's list of local services (a CSV): each listed code no page carries, and that is not
    retired, is named.
    """
    from localgov.build import load_site
    from localgov.build.parallel import Job, Unit, render_all, workers_wanted
    from localgov.render.assets import build_assets
    from localgov.render.pages import Renderer, site_jobs, variant_jobs, variant_unit
    from localgov.render.sections import compile_sections

    def stage(label: str, done: int = 0, total: int = 0) -> None:
        if progress is not None:
            progress(label, done, total)

    problems = Problems()
    report = CheckReport()
    stage("Loading the site")
    site = load_site(root, problems, keep_going=True, as_at=as_at)
    sources = _markdown_sources(root)
    report.files = len(sources)
    if site is None:
        report.problems = sorted(set(problems.errors)) + sorted(set(problems.warnings))
        return report
    report.strict = site.config.strict
    paths: set[str] = set()
    rendered_links: dict[str, set[str]] = defaultdict(set)  # href -> sources of the pages that have it
    missing: set[tuple[str, str, str]] = set()
    if render:
        renderer = Renderer(site, {a.name: a.url for a in build_assets(root)},
                            compile_sections(site, problems=problems))
        for env in renderer.envs.values():
            env.bytecode_cache = None  # compile templates in memory: check writes nothing into the site
        # Pages that show the coverage report (/status/) are left out: they show council data, not content.
        units = [Unit(f"site:{job.source}#{n}", job) for n, job in enumerate(site_jobs(site, status=False))]
        units += [Unit(variant_unit(job), job) for job in variant_jobs(site)]
        count = workers if workers is not None else (workers_wanted() if len(units) > 600 else 1)
        jobs = {unit.id: unit.job for unit in units}
        stage("Rendering pages", 0, len(units))
        for result in render_all(Job(renderer, units, None, {}), count,
                                 lambda done, total: stage("Rendering pages", done, total)):
            problems.items.extend(_relative(p, root) for p in result.problems)
            if result.path:
                paths.add(result.path)
                job = jobs[result.unit]
                missing.update((job.council, job.page, name) for name in result.missing)
                for href in result.links:
                    rendered_links[href].add(result.source)
        report.pages = sum(1 for p in paths if p.endswith(".html"))
    else:
        paths = expected_paths(site)
        report.pages = len(paths)
    stage("Checking links, council data and review dates")
    check_source_links(root, sources, paths, problems)
    if render:
        check_rendered_links(rendered_links, paths, sources, root, problems)
        check_missing_data(root, site, missing, problems)
    check_stale(root, site, problems)
    check_transitions(site, problems)
    check_welsh(site, problems)
    check_sources(site, problems)
    check_nation_terms(site.content, site.councils, site.resolution, root, problems)
    check_providers(site.content, site.councils, site.resolution, problems, site.bodies)
    report.styles = check_style(root, site.content, problems)
    if services is not None:
        check_service_list(site.content, read_service_list(services, problems), str(services), problems)
    stage("Looking for near-duplicate pages")
    check_duplicates(root, site, problems)
    found = set(problems.items)
    report.problems = sorted(p for p in found if p.severity == "error") + sorted(
        p for p in found if p.severity == "warning")
    return report


def _relative(problem: Problem, root: Path) -> Problem:
    prefix = str(root).rstrip("/") + "/"
    if problem.file.startswith(prefix):
        from dataclasses import replace

        return replace(problem, file=problem.file[len(prefix):])
    return problem


def _markdown_sources(root: Path) -> list[str]:
    found: list[str] = []
    for folder in ("content", "councils"):
        for path in sorted((root / folder).rglob("*.md")):
            rel = path.relative_to(root).as_posix()
            if not any(part.startswith((".", "_")) for part in path.relative_to(root).parts):
                found.append(rel)
    return found


def expected_paths(site: Site) -> set[str]:
    """Return the pages a build makes, without rendering them (for --no-render)."""
    return {route.path for route in routes(site)}


def leads_to_page(href: str, paths: set[str]) -> bool:
    """Say whether an internal link leads to a page of the site (or a file the index stage makes)."""
    target = target_of(href)
    if target is None or href.startswith(GENERATED) or href.endswith(FEEDS):
        return True
    return resolves(target, paths)


def links_in(text: str) -> Iterable[tuple[int, str]]:
    """Yield (line, address) for every link in Markdown or HTML text, outside code."""
    fence: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = None if fence == marker else (marker if fence is None else fence)
            continue
        if fence is not None:
            continue
        line = re.sub(r"`[^`]*`", "", line)
        for match in LINKS.finditer(line):
            href = match.group(1) or match.group(2) or match.group(3)
            if href and "{{" not in href and "{%" not in href:
                yield number, href


def check_source_links(root: Path, sources: list[str], paths: set[str], problems: Problems) -> None:
    """Report broken internal links and links that are not https in Markdown, at their line."""
    for rel in sources:
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the load stage has reported it
        for line, href in links_in(text):
            clean = re.split(r"[#?]", href, maxsplit=1)[0]
            if href.startswith("http://"):
                problems.warn(rel, line, "link is not secure", expected="an address starting https://",
                              found=repr(href))
            elif clean.startswith("/") and not clean.startswith("//") and not leads_to_page(clean, paths):
                problems.warn(rel, line, f"broken internal link to {clean}",
                              expected="the address of a page of the site", found=repr(href))


def check_rendered_links(links: dict[str, set[str]], paths: set[str], sources: list[str], root: Path,
                         problems: Problems) -> None:
    """Report broken links in rendered pages that did not come from Markdown (templates, council data)."""
    in_markdown: set[str] = set()
    for rel in sources:
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        in_markdown.update(re.split(r"[#?]", href, maxsplit=1)[0] for _, href in links_in(text))
    for href, made_by in sorted(links.items()):
        if href in in_markdown or leads_to_page(href, paths):
            continue
        for source in sorted(made_by)[:3]:
            problems.warn(source, 0, f"a page made from this file links to {href}, which is not a page of the site",
                          expected="the address of a page of the site", found=repr(href))


def check_missing_data(root: Path, site: Site, missing: set[tuple[str, str, str]], problems: Problems) -> None:
    """Report, once per council, the data its pages' common text needs and it lacks, at the council.yaml line."""
    lacking: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for slug, page, name in missing:
        lacking[slug][name].add(page)
    for slug, names in sorted(lacking.items()):
        council = site.councils.get(slug)
        if council is None:
            continue
        rel = council.source
        lines = _yaml_lines(root / rel)
        parts: list[str] = []
        for name, pages in sorted(names.items(), key=lambda item: (-len(item[1]), item[0])):
            what = f"a link for '{name[5:]}'" if name.startswith("link:") else CONTACT_LABELS.get(name, name)
            parts.append(f"{what} ({len(pages)} page{'s' if len(pages) != 1 else ''})")
        first = sorted(names, key=lambda n: (-len(names[n]), n))[0]
        line = lines.get("links" if first.startswith("link:") else "contact", 1)
        fields = sorted({"links" if n.startswith("link:") else "contact" for n in names})
        problems.warn(rel, line, "lacks data that common text uses, so pages show where to find it instead: "
                      + ", ".join(parts[:6]) + (f" and {len(parts) - 6} more" if len(parts) > 6 else ""),
                      expected=f"{' and '.join(fields)} in {rel}")


def _yaml_lines(path: Path) -> dict[str, int]:
    try:
        doc = parse_mapping(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YamlProblem):
        return {}
    return dict(doc.lines)


def _front_line(path: Path, key: str) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            if line.startswith(f"{key}:"):
                return number
            if number > 1 and line.strip() in ("---", "..."):
                break
    except (OSError, UnicodeDecodeError):
        pass
    return 1


def check_stale(root: Path, site: Site, problems: Problems) -> None:
    """Warn about pages not reviewed within `stale_after_days` of today, or with no review date."""
    today = site.config.today
    limit = site.config.stale_after_days
    pages = [(p.source, p.last_reviewed) for p in site.content.pages.values()]
    pages += [(p.source, p.last_reviewed) for p in site.overrides.pages.values()]
    for source, reviewed in sorted(pages, key=lambda item: item[0]):
        if reviewed is None:
            problems.warn(source, 1, "no last_reviewed date, so nobody can tell whether it is up to date",
                          field="last_reviewed", expected="the date the page was last checked, like 2026-10-12")
            continue
        age = (today - reviewed).days
        if age > limit:
            problems.warn(source, _front_line(root / source, "last_reviewed"),
                          f"last reviewed {age} days ago; review it and update the date", field="last_reviewed",
                          expected=f"a date within {limit} days (stale_after_days in site.yaml)",
                          found=reviewed.isoformat())


def check_transitions(site: Site, problems: Problems) -> None:
    """Warn about councils taking over within NOTICE_DAYS that still lack what their pages need: once each."""
    day = site.config.today
    replaced: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    heirs: dict[str, tuple[Council, tuple[str, ...], dt.date]] = {}
    for change in transitions(site.councils, site.former):
        if change.council.end is None or (change.council.end - day).days > NOTICE_DAYS:
            continue
        for slug, heir, lacking in change.successors:
            if heir is not None and lacking:
                replaced[slug].append((not change.council.is_county, change.council.display_name))
                heirs[slug] = (heir, lacking, change.vesting_day)
    for slug, (heir, lacking, vesting) in sorted(heirs.items()):
        names = [name for _, name in sorted(replaced[slug])]  # the county first
        problems.warn(heir.source, heir.line_of("gss") if "GSS code" in lacking else heir.line_of("name"),
                      f"{heir.name} takes over on {long_date(vesting)}, in {(vesting - day).days} days, from "
                      + and_list(names)
                      + ", and has no " + ", no ".join(lacking) + " yet")


def check_sources(site: Site, problems: Problems) -> None:
    """Warn about common pages that name no official page or Act for what they say."""
    for page in sorted(site.content.pages.values(), key=lambda p: p.source):
        if not page.sources:
            problems.warn(page.source, 1, "no sources, so nobody can check the rules the page states",
                          field="sources", expected="a list of '- title: ..., url: https://...' entries naming an "
                          "official page or Act for each rule")


def shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i:i + size]) for i in range(max(0, len(words) - size + 1))}


def similarity(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    """Return the share of phrases two texts have in common (Jaccard)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def check_duplicates(root: Path, site: Site, problems: Problems) -> None:
    """Warn about pages whose text is almost the same as another page's."""
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage

    texts: dict[str, str] = {}
    for page in site.content.pages.values():
        texts[page.source] = f"{page.title}. {page.summary}. " + plain_text(" ".join(s.html for s in page.sections))
    for own in site.overrides.pages.values():
        texts[own.source] = f"{own.title}. {own.summary}. " + plain_text(" ".join(s.html for s in own.sections))
    if len(texts) < 2:
        return
    schema = Schema(source=ID(stored=True, unique=True), body=TEXT(analyzer=StemmingAnalyzer()))
    index = RamStorage().create_index(schema)
    writer = index.writer()
    for source, text in sorted(texts.items()):
        writer.add_document(source=source, body=text)
    writer.commit()
    phrases = {source: shingles(text) for source, text in texts.items()}
    reported: set[frozenset[str]] = set()
    with index.searcher() as searcher:
        for docnum in range(searcher.doc_count_all()):
            source = searcher.stored_fields(docnum)["source"]
            for hit in searcher.more_like(docnum, "body", text=texts[source], top=CANDIDATES):
                other = hit["source"]
                pair = frozenset({source, other})
                if other == source or pair in reported:
                    continue
                share = similarity(phrases[source], phrases[other])
                if share >= SIMILAR:
                    reported.add(pair)
                    first, second = sorted(pair)
                    problems.warn(second, 1, f"looks like a near-duplicate of {first} ({share:.0%} of their "
                                  "phrases are the same); merge them or make each say what is different",
                                  expected="one page per service")
