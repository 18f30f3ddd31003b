"""Render pages: content sections once per source, Jinja layouts per output page.

`site_jobs` and `variant_jobs` list every page of a site; `Renderer.render_page(job)` renders one
and returns a `PageRecord`: its bytes and what rendering it read. The renderer itself keeps only
what every page of a build shares (compiled templates and sections, partials, the coverage report).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import jinja2
from markupsafe import Markup

from localgov.compose import Composed, compose_common, compose_council_page, compose_variant
from localgov.i18n import LANGUAGE_NAMES, and_list, script_messages, translate
from localgov.load.accessibility import RESULTS_FILE
from localgov.load.markdown import sanitise
from localgov.load.timeline import long_date, successor_names
from localgov.model import (
    CONTACT_LABELS,
    Alert,
    Area,
    Body,
    Council,
    CouncilPage,
    Coverage,
    Output,
    Page,
    ServiceLink,
    Site,
    Topic,
    describe_missing,
)
from localgov.render import record as dep
from localgov.render.frames import Frames, Observed, observe_tests, plain_equal
from localgov.render.layouts import layout_environment
from localgov.render.markup import render_council_markup
from localgov.render.record import PageRecord, Reads
from localgov.render.service_status import Entry, all_entries, council_entries, national_entries
from localgov.render.standard import PAGES, standard_context
from localgov.resolve import provider_for
from localgov.sandbox import CouncilView, GenericCouncilView, SectionTemplates
from localgov.urls import (
    COVERAGE_JSON,
    HREFLANG,
    LANGUAGES,
    NATION_SCOPE,
    Route,
    english_url,
    feed_url,
    in_language,
    welsh_councils,
    welsh_pages,
    welsh_routes,
)

log = logging.getLogger(__name__)

NATION_LABELS = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}
PARTS_KEPT = 4096  # rendered parts kept by Renderer.part before it starts again (a few per council and page)
TIER_TEXT = {
    "lower": "In most of England this is a district, borough or city council service. Where there is one council"
    " for the whole area, that council provides it.",
    "upper": "In most of England this is a county council service. Where there is one council for the whole"
    " area, that council provides it.",
    "all": "Both county and district councils provide parts of this service. Where there is one council for the"
    " whole area, that council provides all of it.",
}


# Words before a place's name that the A to Z files it without ("The Vale of Glamorgan" under V), as GOV.UK's
# list of councils does. "City of London" is the place's own name, so it stays under C.
LEADING_WORDS = re.compile(r"^(?:the\s+|city\s+of\s+(?!london\b)|county\s+of\s+)", re.IGNORECASE)


def place_key(name: str) -> str:
    """Return the words a name is filed under in an A to Z: 'City of Bristol' -> 'bristol'."""
    return LEADING_WORDS.sub("", name.strip()).lower()


def az_groups(items: list[tuple[str, str, str]]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Group (name, href, kind) items by the first letter of their place's name."""
    groups: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for item in sorted(items, key=lambda i: (place_key(i[0]), i[0].lower())):
        groups[place_key(item[0])[:1].upper()].append(item)
    return sorted(groups.items())


def sort_name(council: Council) -> str:
    return place_key(council.display_name)


@dataclass(frozen=True)
class PageJob:
    """One page to render: its kind, the file it is made from, and the page, council or topic it is of.

    Kinds: home, councils, not-found, search, topic, common, hub, council-topic, status, status-council
    and variant (a common page's variant or a council-only page, at /<page>/<council>/).
    """

    kind: str
    source: str
    page: str = ""
    council: str = ""
    topic: str = ""
    lang: str = "en"  # "cy": the page's Welsh version, under /cy/


def job_at(route: Route) -> PageJob:
    """Return the job that renders the page at `route` (a council-only page renders as a variant does)."""
    kind = "variant" if route.kind in ("variant", "council-page") else route.kind
    return PageJob(kind, "", page=route.page, council=route.council, topic=route.topic, lang=route.lang)


def variant_parts(council: Council, page: Page | CouncilPage) -> dict[str, tuple[str, dict[str, object]]]:
    """Return the parts of variant.html rendered apart (`Renderer.part`): the council's contact details, the
    same on all its pages, and where the page's text comes from, the same for all its councils."""
    return {"contact": ("partials/contact.html", {"council": council}),
            "page_meta": ("partials/page_meta.html", {"page": page})}


def site_jobs(site: Site, *, status: bool = True) -> list[PageJob]:
    """Return every page that is not a variant, in a stable order; the coverage pages only with `status`."""
    jobs = [PageJob("home", "templates/home.html"), PageJob("councils", "templates/councils.html"),
            PageJob("not-found", "templates/404.html"), PageJob("search", "templates/search.html")]
    jobs += [PageJob(kind, f"templates/{standard.template}") for kind, standard in PAGES.items()]
    jobs.append(PageJob("service-status", "templates/service_status.html"))
    jobs += [PageJob("service-status-council", council.source, council=council.slug)
             for council in site.councils.values()]
    jobs += [PageJob("topic", topic.source, topic=topic.slug) for topic in site.content.topics.values()]
    jobs += [PageJob("common", page.source, page=page.slug) for page in site.content.pages.values()]
    for council in site.councils.values():
        jobs.append(PageJob("hub", council.source, council=council.slug))
        jobs += [PageJob("council-topic", council.source, council=council.slug, topic=topic.slug)
                 for topic, _ in council_topics(site, council)]
    jobs += [PageJob("former-hub", council.source, council=council.slug) for council in site.abolished]
    if status:
        jobs.append(PageJob("status", "templates/status.html"))
        jobs += [PageJob("status-council", "templates/status_council.html", council=slug) for slug in site.councils]
    return jobs + welsh_site_jobs(site)


def welsh_site_jobs(site: Site) -> list[PageJob]:
    """Return the Welsh pages that are not variants, in the order of localgov.urls.welsh_routes."""
    jobs: list[PageJob] = []
    for route in welsh_routes(site):
        if route.kind in ("variant", "council-page"):
            continue
        jobs.append(PageJob(route.kind, welsh_source(site, route), page=route.page, council=route.council,
                            topic=route.topic, lang="cy"))
    return jobs


def welsh_source(site: Site, route: Route) -> str:
    """Return the file a Welsh page is made from: its Welsh file if it has one, else its English page's."""
    if route.kind == "common":
        translation = site.content.welsh.get(route.page)
        return translation.source if translation else site.content.pages[route.page].source
    if route.kind == "topic":
        topic = site.content.welsh_topics.get(route.topic) or site.content.topics[route.topic]
        return topic.source
    if route.kind == "variant":
        translation = site.content.welsh.get(route.page)
        return translation.source if translation else site.content.pages[route.page].source
    if route.kind == "council-page":
        own = site.overrides.council_page(route.council, route.page)
        return own.source if own else ""
    if route.council:
        return site.councils[route.council].source
    if route.kind in PAGES:
        return f"templates/{PAGES[route.kind].template}"
    return f"templates/{route.kind.replace('-', '_')}.html"


def variant_jobs(site: Site) -> list[PageJob]:
    """Return every (page, council) to render: each variant, then each council-only page, in a stable order."""
    jobs = [PageJob("variant", page.source, page=page.slug, council=council)
            for page in sorted(site.content.pages.values(), key=lambda p: p.slug)
            for council in site.resolution.councils_for(page.slug)]
    jobs += [PageJob("variant", own.source, page=own.slug, council=own.council)
             for own in sorted(site.overrides.pages.values(), key=lambda own: (own.slug, own.council))]
    jobs += [PageJob("variant", welsh_source(site, route), page=route.page, council=route.council, lang="cy")
             for route in welsh_routes(site) if route.kind in ("variant", "council-page")]
    return jobs


def variant_unit(job: PageJob) -> str:
    """Return the build's name for a variant: `page:bins/kent`, and for its Welsh page `page-cy:bins/cardiff`."""
    return f"page:{job.page}/{job.council}" if job.lang == "en" else f"page-{job.lang}:{job.page}/{job.council}"


# An internal link or form target of a page, unless it is marked as leading to the English page.
LOCAL_TARGET = re.compile(r'(?<!hreflang="en-GB" )(href|action)="(/(?!/)[^"#?]*)([^"]*)"')


def to_welsh_links(html: str, welsh: frozenset[str]) -> str:
    """Point a Welsh page's internal links at the Welsh pages where there are some (`welsh`: their English URLs)."""
    def swap(match: re.Match[str]) -> str:
        attribute, path, rest = match.groups()
        if path in welsh:
            return f'{attribute}="{in_language(path, "cy")}{rest}"'
        return match.group(0)

    return LOCAL_TARGET.sub(swap, html)


def replaced_by(site: Site, council: Council) -> dict[str, object]:
    """Say what replaced an abolished council and when: the intro, its last day and each successor with its areas."""
    everyone = {**site.former, **site.councils}
    successors: list[dict[str, str]] = []
    for successor in council.successors:
        target = everyone.get(successor.council)
        areas = [everyone[a].display_name if a in everyone else a for a in successor.areas]
        successors.append({
            "name": target.name if target is not None else successor.council,
            # Its hub: the council's own, or, if it has ended too, the page that says what replaced it.
            "href": f"/councils/{target.slug}/" if target is not None else "/councils/",
            "areas": and_list(areas),
        })
    vesting = council.vesting_day
    names = successor_names(council, everyone)
    intro = (f"{council.name} was abolished on {long_date(vesting)}. {names} took over its services."
             if vesting is not None else f"{council.name} no longer exists.")
    return {"intro": intro, "last_day": long_date(council.end) if council.end else "", "successors": successors}


def area_services(site: Site, council: Council) -> list[dict[str, str]]:
    """Return the services for a council's area, by title: for a district, its own and its county's."""
    area = Area(council.slug, council.parent) if council.is_district else Area(council.slug)
    items: list[dict[str, str]] = []
    for page in site.content.pages.values():
        if page.provider == "national":
            continue
        if council.is_county:
            if council.slug not in site.resolution.councils_for(page.slug):
                continue
            slug: str | None = council.slug
        elif site.resolution.bodies_for(page.slug, area.lower):
            continue  # another body provides it here (other_providers)
        else:
            slug = provider_for(page, area, site.councils).council
        if slug is None:
            continue
        summary = page.summary
        if slug == council.slug:
            override = site.overrides.for_variant(slug, page.slug)
            summary = override.summary or page.summary if override else page.summary
        items.append({"url": f"/{page.slug}/{slug}/", "title": page.title, "summary": summary, "topic": page.topic,
                      "council": slug, "by": site.councils[slug].name if slug != council.slug else ""})
    owners = [council.slug] + ([council.parent] if council.is_district and council.parent else [])
    for owner in owners:
        for own in site.overrides.pages_of(owner):
            items.append({"url": own.url, "title": own.title, "summary": own.summary, "topic": own.topic,
                          "council": owner, "by": site.councils[owner].name if owner != council.slug else ""})
    return sorted(items, key=lambda i: (i["title"].lower(), i["url"]))


def other_providers(site: Site, council: Council, lang: str = "en") -> list[dict[str, object]]:
    """Return the services that bodies other than councils provide, in whole or in part, for a council's area.

    A county's hub lists only what the county does, so it has none.
    """
    if council.is_county:
        return []
    area = Area(council.slug, council.parent) if council.is_district else Area(council.slug)
    items: list[dict[str, object]] = []
    for page in sorted(site.content.pages.values(), key=lambda p: (p.title.lower(), p.slug)):
        if page.provider == "national":
            continue
        found = [(slug, False) for slug in site.resolution.bodies_for(page.slug, area.lower)]
        if not found:
            provider = provider_for(page, area, site.councils).council
            if provider is not None:
                found = [(slug, True) for slug in site.resolution.partners_of(page.slug, provider)]
        for slug, part in found:
            body = site.bodies[slug]
            link = body.link_for(page.slug)
            translation = site.content.welsh.get(page.slug) if lang == "cy" else None
            title = translation.page.title if translation is not None else page.title
            items.append({"title": title, "url": page.url, "body": body.name,
                          "kind": translate(body.kind_label, lang), "href": link.url, "part": part,
                          "link_text": link_text(body, page, link, lang),
                          **({"lang": "en"} if lang == "cy" and translation is None else {})})
    return items


def link_text(body: Body, page: Page, link: ServiceLink, lang: str = "en") -> str:
    """Return the words of a link to where a body provides a page: the same words always lead to the same place."""
    if link.text:
        return link.text
    if link.url == body.website:
        return translate("%(name)s website", lang, name=body.name)
    return f"{page.title}: {body.name}"


def body_insets(site: Site, page: Page, lang: str = "en") -> list[dict[str, object]]:
    """Return, for a common page, each body that provides it instead of councils somewhere, and where."""
    where: dict[str, list[str]] = defaultdict(list)
    for lower, bodies in site.resolution.bodies.get(page.slug, {}).items():
        for slug in bodies:
            where[slug].append(lower)
    insets: list[dict[str, object]] = []
    for slug in sorted(where, key=lambda b: site.bodies[b].name):
        body = site.bodies[slug]
        lowers = where[slug]
        nations = {site.councils[lower].nation for lower in lowers}
        whole = [n for n in nations if n in body.serves and all(
            c.slug in lowers for c in site.councils.values() if c.nation == n and not c.is_county)]
        if whole and len(whole) == len(nations):
            area = and_list([translate(NATION_LABELS.get(n, n), lang) for n in sorted(whole)], lang)
        else:
            area = and_list(sorted((site.councils[lower].display_name for lower in lowers), key=place_key), lang)
        link = body.link_for(page.slug)
        insets.append({"slug": slug, "name": body.name, "area": area, "href": link.url,
                       "text": link_text(body, page, link, lang)})
    return insets


def council_topics(site: Site, council: Council) -> list[tuple[Topic, list[dict[str, str]]]]:
    """Return the topics a council's area has services in, in order, with those services."""
    by_topic: dict[str, list[dict[str, str]]] = defaultdict(list)
    for item in area_services(site, council):
        by_topic[item["topic"]].append(item)
    return [(topic, by_topic[topic.slug])
            for topic in sorted(site.content.topics.values(), key=lambda t: (t.order, t.title))
            if by_topic.get(topic.slug)]


class Renderer:
    """Turns a loaded, resolved site into output files.

    Made once per build: it keeps what every page shares (compiled templates, the content sections
    compiled once, partials that are the same on every page, the coverage report).
    """

    def __init__(self, site: Site, assets: Mapping[str, str], sections: Mapping[str, SectionTemplates],
                 coverage: Coverage | None = None, *, frames: bool = True) -> None:
        self.site = site
        self.use_frames = frames  # render the variants of a page from frames of its layout (frames.py)
        self.assets = assets
        self.lang = "en"  # the language of the page being rendered (render_page sets it)
        self.envs: dict[str, jinja2.Environment] = {}
        for lang in LANGUAGES:
            env = self.envs[lang] = layout_environment(site.config.root, lang)
            env.globals.update(site=site.config, asset=self.asset, chrome=self.chrome, emergencies=self.emergencies)
        wales = welsh_councils(site)
        self.envs["cy"].globals["script_messages"] = lambda: script_messages("cy", wales)
        self.env = self.envs["en"]
        self.sections = sections
        self.report = coverage
        self._chrome: dict[tuple[str, str], Markup] = {}
        self._templates: dict[tuple[str, str], jinja2.Template] = {}
        self._az_all = self._council_az()
        self._az_cy = az_groups([(self.named(c, "cy").display_name, f"/councils/{c.slug}/", c.type_label)
                                 for c in site.councils.values()])
        self.welsh = welsh_pages(site)
        self._welsh_urls = frozenset(english_url(route.url) for route in welsh_routes(site))
        self._council_topics: dict[str, list[tuple[Topic, list[dict[str, str]]]]] = {}
        self._national: list[Entry] | None = None
        self._local: dict[str, list[Entry]] = {}
        self._parts: dict[tuple[object, ...], tuple[Markup, tuple[object, ...]]] = {}
        self.frames = Frames()
        self._shared: dict[object, list[Any]] = {}  # lists a page's councils share (`same`): one object for frames
        for env in self.envs.values():
            observe_tests(env)

    # -- helpers available to templates

    def asset(self, name: str) -> str:
        try:
            return self.assets[name]
        except KeyError:
            raise jinja2.TemplateRuntimeError(f"no asset called {name!r}") from None

    def chrome(self, name: str) -> Markup:
        """Render a partial that is the same on every page of a language once, and reuse it."""
        key = (self.lang, name)
        if key not in self._chrome:
            self._chrome[key] = Markup(self.template(name).render())
        return self._chrome[key]

    def emergencies(self, council: str | Observed | None) -> list[Entry]:
        """Return the emergency banners of a page: the nation's, and its council's local emergencies.

        The nation's are in every page's key (localgov/build/keys.py); a council's page reads its alerts.
        """
        if isinstance(council, Observed):  # a frame's render (frames.py): the same for each council that gets it
            return cast(list[Entry], council.call(self.emergencies))  # type: ignore[arg-type]
        if self._national is None:
            self._national = [e for e in national_entries(self.site) if e.emergency]
        if not council or council not in self.site.councils:
            return self._national
        if council not in self._local:
            self._local[council] = [e for e in council_entries(self.site, council) if e.emergency]
        return self._national + self._local[council]

    def part(self, reads: Reads, name: str, **context: object) -> Markup:
        """Render a partial that reads nothing but `context` and the globals, once for each distinct context.

        A variant's contact details are the same on all its council's pages, and where a page's text comes from
        is the same for all its councils: such parts are rendered once and reused. Values are told apart by
        identity (the site's objects do not change during a build), and each is kept with its part, so that no
        later value can take its place in memory and be mistaken for it.
        """
        reads.part(name)
        key = (self.lang, name, *((field, id(value)) for field, value in sorted(context.items())))
        found = self._parts.get(key)
        if found is None:
            if len(self._parts) >= PARTS_KEPT:
                self._parts.clear()
            found = self._parts[key] = (Markup(self.template(name).render(**context)), tuple(context.values()))
        return found[0]

    def same(self, key: object, value: list[Any]) -> list[Any]:
        """Return `value`, or the list equal to it (item for item, of the same types) handed out before under `key`.

        Frames (frames.py) see at once that two councils' values are the same object.
        """
        found = self._shared.get(key)
        if found is not None and plain_equal(found, value):
            return found
        if len(self._shared) >= PARTS_KEPT:
            self._shared.clear()
        self._shared[key] = value
        return value

    def template(self, name: str) -> jinja2.Template:
        key = (self.lang, name)
        if key not in self._templates:
            self._templates[key] = self.envs[self.lang].get_template(name)
        return self._templates[key]

    # -- the language of the page

    def t(self, message: str, **parts: object) -> str:
        """Return an interface message in the language of the page being rendered."""
        return translate(message, self.lang, **parts)

    def named(self, council: Council, lang: str | None = None) -> Council:
        """Return a council as a page in `lang` (default: the page's) names it: in Welsh, by its Welsh names."""
        return council.in_welsh() if (lang or self.lang) == "cy" else council

    def topic_in(self, topic: Topic) -> Topic:
        """Return a topic in the language of the page: its Welsh title and summary where it has them."""
        return self.site.content.welsh_topics.get(topic.slug, topic) if self.lang == "cy" else topic

    def alternates(self, canonical: object) -> list[dict[str, object]]:
        """Return the page in each language (hreflang links and the language switch), if it has both."""
        if not isinstance(canonical, str):
            return []
        english = english_url(canonical)
        if english not in self.welsh:
            return []
        return [{"lang": lang, "hreflang": HREFLANG[lang], "href": in_language(english, lang),
                 "name": LANGUAGE_NAMES[lang], "current": lang == self.lang,
                 "change": translate("Change the language to English" if lang == "en" else
                                     "Change the language to Welsh", lang)} for lang in LANGUAGES]

    def keys_for(self, key: str) -> tuple[str, ...]:
        return self.site.content.link_keys(key)

    # -- content sections, compiled once per build
    def render_sections(self, composed: Composed, view: object) -> tuple[Markup, list[tuple[str, str]]]:
        parts: list[str] = []
        contents: list[tuple[str, str]] = []
        contributed = composed.contributed
        for ref in composed.sections:
            templates = self.sections[ref.source]
            html = templates.render(ref.id, view)
            # Council files were checked and sanitised at load; clean what they render too, in case.
            parts.append(sanitise(html) if ref.source in contributed else html)
            if ref.id != "intro" and ref.title:
                title = ref.title
                if "{" in title:
                    title = Markup(templates.render(f"{ref.id}#title", view)).striptags()
                contents.append((ref.id, title))
        return Markup("\n".join(parts)), contents

    # -- page contexts

    def render(self, reads: Reads, template: str, **context: object) -> bytes:
        return self.render_with(reads, template, {}, **context)

    def render_with(self, reads: Reads, template: str, parts: Mapping[str, tuple[str, dict[str, object]]],
                    frame: object = None, **context: object) -> bytes:
        """Render a layout with `context`, and each of `parts` (name: (partial, its context)) with `part`.

        With `frame` (the page's name: each council has a variant of it), the layout is rendered from a frame of
        the page where one fits the context (frames.py): the same text, without running the layout again.
        """
        reads.template(template)
        layout = self.template(template)
        for name, (partial, values) in parts.items():
            context[name] = self.part(reads, partial, **values)
        context.setdefault("alternates", self.alternates(context.get("canonical")))
        if frame is not None and self.use_frames:
            html = self.frames.render((self.lang, template, frame), layout, context)
        else:
            html = layout.render(**context)
        if self.lang == "cy":
            html = to_welsh_links(html, self._welsh_urls)
        return html.encode("utf-8")

    def home(self, reads: Reads) -> Output:
        reads.need(dep.STRUCTURE)
        topics = sorted((self.topic_in(t) for t in self.site.content.topics.values()), key=lambda t: (t.order, t.title))
        route = Route("home", lang=self.lang)
        data = self.render(reads, "home.html", title=self.t("Home"), description=self.site.config.name,
                           canonical=route.url,
                           topics=topics, breadcrumbs=None)
        return Output(route.path, data, "templates/home.html")

    def topic(self, reads: Reads, topic: Topic) -> Output:
        reads.need(dep.STRUCTURE)
        pages = sorted((self.page_in(p) for p in self.site.content.pages.values() if p.topic == topic.slug),
                       key=lambda p: p.title)
        route = Route("topic", lang=self.lang, topic=topic.slug)
        data = self.render(reads, "topic.html", title=topic.title, description=topic.summary, canonical=route.url,
                           topic=topic, pages=pages, council=None,
                           breadcrumbs=[{"text": self.t("Home"), "href": "/"}])
        return Output(route.path, data, topic.source)

    def common_page(self, reads: Reads, page: Page) -> Output:
        # Its text, and what the structure of the site says: its topic and the councils that provide it.
        reads.need(dep.source(page.source), dep.history(page.source), dep.STRUCTURE)
        composed = compose_common(page)
        body, contents = self.render_sections(composed, GenericCouncilView(self.lang))
        topic = self.topic_in(self.site.content.topics[page.topic])
        councils = self.site.councils
        az = az_groups([
            (self.named(councils[slug]).display_name, f"/{page.slug}/{slug}/", councils[slug].type_label)
            for slug in self.site.resolution.councils_for(page.slug)
        ])
        lookup = None
        if page.provider != "national":
            exceptions = self.site.resolution.exceptions.get(page.slug, {})
            # Where no council provides the page because another body does, the browser shows that nation's inset.
            elsewhere_in = {slug: councils[slug].nation for slug, target in exceptions.items()
                            if not target and slug in councils and page.elsewhere_for(councils[slug].nation)}
            bodies_in = {lower: list(found) for lower, found in self.site.resolution.bodies.get(page.slug, {}).items()}
            lookup = {
                "page": page.slug,
                "provider": page.provider,
                "exceptions": json.dumps(dict(exceptions), separators=(",", ":")),
                "elsewhere": json.dumps(elsewhere_in, separators=(",", ":"), sort_keys=True),
                "bodies": json.dumps(bodies_in, separators=(",", ":"), sort_keys=True),
            }
        elsewhere = [(nation, Markup(html)) for nation, html in page.provided_elsewhere]
        route = Route("common", lang=self.lang, page=page.slug)
        data = self.render(reads, "page.html", title=page.title, description=page.summary, canonical=route.url,
                           page=page, body=body, contents=contents, az=az, az_id="az",
                           az_label=self.t("Councils that provide %(page)s", page=page.title.lower()), lookup=lookup,
                           tier_text=self.t(TIER_TEXT[page.provider]) if page.provider in TIER_TEXT else "",
                           elsewhere=elsewhere,
                           bodies=body_insets(self.site, page, self.lang),
                           breadcrumbs=[{"text": self.t("Home"), "href": "/"},
                                        {"text": topic.title, "href": f"/{topic.slug}/"}])
        return Output(route.path, data, page.source)

    def variant(self, reads: Reads, page: Page, council: Council) -> Output:
        reads.need(dep.source(page.source), dep.history(page.source), dep.council(council.slug),
                   dep.council_page(council.slug, page.slug))
        if council.nation == "wales":
            # Whether it has a Welsh page (its hreflang links and language switch) follows the Welsh files.
            english = self.site.content.pages[page.slug].source
            reads.need(dep.source(english.removesuffix(".md") + ".cy.md"),
                       dep.council_page(council.slug, f"{page.slug}.cy"))
        overrides = self.site.overrides.welsh if page.lang == "cy" else self.site.overrides.overrides
        override = overrides.get((council.slug, page.slug))
        composed = compose_variant(page, council.slug, override, nation=council.nation)
        view = CouncilView(council, page.slug, keys_for=self.keys_for, missing=reads.missing, lang=self.lang)
        body, contents = self.render_sections(composed, view)
        contents = self.same(("contents", self.lang, page.slug), contents)
        topic = self._topic(reads, page.topic)
        # Templates read the summary and search words from `page`: give them the council's.
        shown = page if override is None else dataclasses.replace(page, summary=composed.summary,
                                                                   keywords=composed.keywords)
        route = Route("variant", lang=self.lang, page=page.slug, council=council.slug)
        data = self.render_with(reads, "variant.html", variant_parts(council, shown),
                                frame=page.slug if override is None else None,
                                title=f"{page.title}: {council.name}", description=composed.summary,
                                canonical=route.url, page=shown, council=council, body=body,
                                search_scope=self.search_scope(reads, page, council, override is not None),
                                summary=composed.summary, contents=contents,
                                alerts=self.alerts(reads, council, page.slug, page.topic),
                                also=self.also(reads, page, council), partners=self.partners(reads, page, council),
                                find_href=f"/{page.slug}/#find-your-council",
                                breadcrumbs=self.same(("breadcrumbs", self.lang, page.slug), [
                                    {"text": self.t("Home"), "href": "/"},
                                    {"text": topic.title, "href": f"/{topic.slug}/"},
                                    {"text": page.title, "href": page.url}]))
        return Output(route.path, data, page.source)

    def council_page(self, reads: Reads, page: CouncilPage, council: Council) -> Output:
        """Render a page only one council has, at /<page>/<council>/."""
        reads.need(dep.council(council.slug), dep.council_page(council.slug, page.slug))
        composed = compose_council_page(page)
        view = CouncilView(council, page.slug, keys_for=self.keys_for, missing=reads.missing, lang=self.lang)
        body, contents = self.render_sections(composed, view)
        topic = self._topic(reads, page.topic)
        route = Route("council-page", lang=self.lang, page=page.slug, council=council.slug)
        data = self.render_with(reads, "variant.html", variant_parts(council, page),
                                title=f"{page.title}: {council.name}", description=page.summary,
                                canonical=route.url, page=page, council=council, body=body, summary=page.summary,
                                search_scope=council.slug,
                                contents=contents, alerts=self.alerts(reads, council, page.slug, page.topic), also=None,
                                find_href="/councils/", council_only=True,
                                breadcrumbs=[{"text": self.t("Home"), "href": "/"},
                                             {"text": topic.title, "href": f"/{topic.slug}/{council.slug}/"}])
        return Output(route.path, data, page.source)

    def _topic(self, reads: Reads, slug: str) -> Topic:
        topic = self.site.content.topics[slug]
        reads.need(dep.source(topic.source))
        if self.lang == "cy" and slug in self.site.content.welsh_topics:
            topic = self.site.content.welsh_topics[slug]
            reads.need(dep.source(topic.source))
        return topic

    def search_scope(self, reads: Reads, page: Page, council: Council, overridden: bool) -> str | None:
        """Say whether search indexes this variant, and under which scope.

        The search indexes hold each common page once, not once per council: a variant is indexed only
        where it says something its common page does not. A council's override is indexed for that
        council's residents (scope: the council's slug). Text that differs by nation (a page's
        `{% if council.nation %}` branches) is indexed once per nation, from the first council of that
        nation (by slug) that has a variant and no override (scope: `nation:<nation>`). Every other
        variant is left out; search maps a result to the resident's own council's variant by page.
        """
        if overridden:
            return council.slug
        reads.need(dep.resolution(page.slug))
        for slug in self.site.resolution.councils_for(page.slug):
            other = self.site.councils.get(slug)
            if other is None or other.nation != council.nation:
                continue
            reads.need(dep.council(slug), dep.council_page(slug, page.slug))
            if self.site.overrides.for_variant(slug, page.slug) is None:
                return f"{NATION_SCOPE}{council.nation}" if slug == council.slug else None
        return None

    def also(self, reads: Reads, page: Page, council: Council) -> dict[str, str] | None:
        """Say which other council shares an 'all' service in a two-tier area."""
        if page.provider != "all":
            return None
        reads.need(dep.resolution(page.slug))
        variants = self.site.resolution.councils_for(page.slug)
        if council.is_district and council.parent in variants:
            reads.need(dep.council(council.parent))
            county = self.site.councils[council.parent]
            return {"heading": f"Help from {county.name}", "text": f"{county.name} also provides part of this service.",
                    "href": f"/{page.slug}/{county.slug}/", "link_text": f"{page.title}: {county.name}"}
        if council.is_county:
            return {"heading": "Help from district councils",
                    "text": f"District councils in {council.display_name} also provide part of this service.",
                    "href": f"/councils/{council.slug}/", "link_text": f"District councils in {council.display_name}"}
        return None

    def partners(self, reads: Reads, page: Page, council: Council) -> list[dict[str, str]]:
        """Return the bodies that provide part of a council's service, with where residents find them."""
        reads.need(dep.resolution(page.slug))  # which bodies share it, besides which councils provide it
        found = []
        for slug in self.site.resolution.partners_of(page.slug, council.slug):
            reads.need(dep.council(slug))
            body = self.site.bodies[slug]
            link = body.link_for(page.slug)
            found.append({"name": body.name, "href": link.url, "text": link_text(body, page, link, self.lang)})
        return found

    def alerts(self, reads: Reads, council: Council, page: str | None = None,
               topic: str | None = None) -> list[dict[str, object]]:
        """Return the alerts to show today on a page of `council`: a service page, a topic page, or its hub."""
        reads.need(dep.council(council.slug), dep.alerts(council.slug))
        today = self.site.config.today
        shown: list[dict[str, object]] = []
        for alert in council.alerts:
            if alert.kind != "notice" or not alert.active_on(today) or not self._targets(alert, page, topic):
                continue  # a local emergency is a banner at the top of every page of the council
            shown.append({"title": alert.title, "html": render_council_markup(alert.body)})
        return shown

    @staticmethod
    def _targets(alert: Alert, page: str | None, topic: str | None) -> bool:
        if alert.everywhere:
            return True
        return (page is not None and page in alert.pages) or (topic is not None and topic in alert.topics)

    def council_topics(self, council: Council) -> list[tuple[Topic, list[dict[str, str]]]]:
        """Return the topics a council's area has services in, worked out once per council and language."""
        key = council.slug if self.lang == "en" else f"{council.slug}.{self.lang}"
        found = self._council_topics.get(key)
        if found is None:
            found = council_topics(self.site, self.site.councils[council.slug])
            if self.lang == "cy":
                found = [(self.topic_in(topic), [self.item_in(item) for item in items]) for topic, items in found]
            self._council_topics[key] = found
        return found

    def page_in(self, page: Page) -> Page:
        """Return a common page in the language of the page being rendered, where it has a translation."""
        translation = self.site.content.welsh.get(page.slug) if self.lang == "cy" else None
        return translation.page if translation is not None else page

    def item_in(self, item: dict[str, str]) -> dict[str, str]:
        """Return a service in a council's list with its Welsh title and summary, where it has them."""
        translation = self.site.content.welsh.get(item["url"].strip("/").split("/")[0])
        if translation is None:
            # Not yet in Welsh: its English title is marked as English (WCAG 2.2, 3.1.2 Language of Parts).
            return {**item, "lang": "en"} if self.lang == "cy" else item
        by = self.site.councils.get(item["council"])
        return {**item, "title": translation.page.title, "summary": translation.page.summary,
                "by": self.named(by).name if item["by"] and by is not None else item["by"]}

    def council_topic(self, reads: Reads, council: Council, topic: Topic) -> Output:
        """Render a topic for one council's area, at /<topic>/<council>/, with the council's alerts for it."""
        reads.need(dep.STRUCTURE)  # the services of the area: every page, override and council
        pages = {t.slug: items for t, items in self.council_topics(council)}.get(topic.slug, [])
        if council.is_district and council.parent:
            county = self.site.councils[council.parent]
            intro = (f"These are the services for addresses in {council.display_name}, "
                     f"from {council.name} and {county.name}.")
        elif council.is_county:
            intro = (f"These are the services of {council.name}. "
                     f"District councils in {council.display_name} provide others.")
        else:
            intro = self.t("These are the services of %(name)s.", name=council.name)
        route = Route("council-topic", lang=self.lang, topic=topic.slug, council=council.slug)
        data = self.render(reads, "topic.html", title=f"{topic.title}: {council.name}", description=topic.summary,
                           canonical=route.url, topic=topic, pages=pages, council=council,
                           council_intro=intro,
                           alerts=self.alerts(reads, council, None, topic.slug),
                           breadcrumbs=[{"text": self.t("Home"), "href": "/"},
                                        {"text": council.name, "href": f"/councils/{council.slug}/"}])
        return Output(route.path, data, council.source)

    def council_hub(self, reads: Reads, council: Council) -> Output:
        reads.need(dep.STRUCTURE)  # the services of the area and who provides them
        site = self.site
        groups: list[dict[str, object]] = []
        providers_by_topic: dict[str, set[str]] = defaultdict(set)
        for topic, items in self.council_topics(council):
            groups.append({"slug": topic.slug, "title": topic.title, "href": f"/{topic.slug}/{council.slug}/",
                           "pages": items})
            providers_by_topic[topic.slug].update(site.councils[i["council"]].name for i in items)
        who = None
        related = None
        if council.is_district and council.parent:
            county = site.councils[council.parent]
            who = {"caption": f"Which council provides each service for addresses in {council.display_name}",
                   "rows": [[{"text": topic.title}, {"text": " and ".join(sorted(providers_by_topic[topic.slug]))}]
                            for topic in sorted(site.content.topics.values(), key=lambda t: (t.order, t.title))
                            if providers_by_topic.get(topic.slug)]}
            related = {"heading": "Your county council", "councils": [(county.name, f"/councils/{county.slug}/")]}
            intro = (f"{council.name} and {county.name} both serve addresses in {council.display_name}. "
                     "This page shows which council does what.")
        elif council.is_county:
            districts = sorted((c for c in site.councils.values() if c.parent == council.slug), key=sort_name)
            related = {"heading": f"District councils in {council.display_name}",
                       "councils": [(d.name, f"/councils/{d.slug}/") for d in districts]}
            intro = (f"{council.name} provides county services such as schools, social care and roads. "
                     "Your district council provides services such as bin collections, housing and planning.")
        others = other_providers(site, council, self.lang)
        if not council.is_district and not council.is_county:
            intro = (self.t("%(name)s provides council services for addresses in its area. Other organisations provide"
                            " some services there; this page says which.", name=council.name) if others else
                     self.t("%(name)s provides all council services for addresses in its area.", name=council.name))
        route = Route("hub", lang=self.lang, council=council.slug)
        data = self.render(reads, "council.html", title=council.name, description=intro, canonical=route.url,
                           council=council, nation_label=self.t(NATION_LABELS.get(council.nation, council.nation)),
                           intro=intro, services=groups, who_does_what=who, related=related, others=others,
                           alerts=self.alerts(reads, council),
                           breadcrumbs=[{"text": self.t("Home"), "href": "/"},
                                        {"text": self.t("Councils A to Z"), "href": "/councils/"}])
        return Output(route.path, data, council.source)

    def former_hub(self, reads: Reads, council: Council) -> Output:
        """Render the hub of a council that has been abolished: what replaced it, and when."""
        reads.need(dep.STRUCTURE)
        page = replaced_by(self.site, council)
        route = Route("former-hub", lang=self.lang, council=council.slug)
        data = self.render(reads, "former.html", title=council.name, description=page["intro"], canonical=route.url,
                           noindex=True, council=council, **page,
                           breadcrumbs=[{"text": self.t("Home"), "href": "/"},
                                        {"text": self.t("Councils A to Z"), "href": "/councils/"}])
        return Output(route.path, data, council.source)

    # -- the coverage report

    def coverage(self) -> Coverage:
        """Return the coverage report, made before rendering."""
        if self.report is None:
            raise LookupError("the coverage report is made before rendering and given to the renderer")
        return self.report

    def status(self, reads: Reads) -> Output:
        """Render /status/: every council's coverage at a glance, for the central team."""
        reads.need(dep.COVERAGE)
        report = self.coverage()
        route = Route("status", lang=self.lang)
        data = self.render(reads, "status.html", title="Council data coverage", noindex=True, canonical=route.url,
                           description="What each council's data and files give its pages.", report=report,
                           totals=report.totals(), json_url=f"/{COVERAGE_JSON}",
                           breadcrumbs=[{"text": self.t("Home"), "href": "/"}])
        return Output(route.path, data, "templates/status.html")

    def status_council(self, reads: Reads, council: Council) -> Output:
        """Render /status/<council>/: each service of one council and what it has or lacks."""
        reads.need(dep.council(council.slug), dep.alerts(council.slug), dep.coverage_of(council.slug))
        report = self.coverage()
        entry = report.council(council.slug)
        route = Route("status-council", lang=self.lang, council=council.slug)
        data = self.render(reads, "status_council.html", title=f"Coverage: {council.name}", noindex=True,
                           canonical=route.url, description=f"What {council.name}'s data and"
                           " files give its pages.", council=council, entry=entry, describe_missing=describe_missing,
                           contact_labels=CONTACT_LABELS,
                           breadcrumbs=[{"text": self.t("Home"), "href": "/"},
                                        {"text": "Council data coverage", "href": Route("status").url}])
        return Output(route.path, data, "templates/status_council.html")

    def _council_az(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        return az_groups([(c.display_name, f"/councils/{c.slug}/", c.type_label) for c in self.site.councils.values()])

    def councils_az(self, reads: Reads) -> Output:
        route = Route("councils", lang=self.lang)
        reads.need(dep.STRUCTURE)
        data = self.render(reads, "councils.html", title=self.t("Councils A to Z"),
                           description=self.t("Every principal council in the UK."), canonical=route.url,
                           az=self._az_all if self.lang == "en" else self._az_cy, az_id="az",
                           breadcrumbs=[{"text": self.t("Home"), "href": "/"}])
        return Output(route.path, data, "templates/councils.html")

    def not_found(self, reads: Reads) -> Output:
        """Render /404.html. A static host serves this one file for every missing address, Welsh ones
        included, so it says the same in Welsh, below, in its own language (lang="cy")."""
        links = ('You can <a class="govuk-link" href="/search/">search for a service</a>, <a class="govuk-link" '
                 'href="/#topics">browse services by topic</a> or <a class="govuk-link" href="/councils/">find your'
                 ' council</a>.')
        welsh = {"title": translate("Page not found", "cy"),
                 "typed": translate("If you typed the web address, check it is correct.", "cy"),
                 "pasted": translate("If you pasted the web address, check you copied the entire address.", "cy"),
                 "links": Markup(translate(links, "cy").replace('href="/', 'href="/cy/'))}
        return Output(Route("not-found").path,
                      self.render(reads, "404.html", title=self.t("Page not found"), noindex=True,
                                  welsh=welsh if self.lang == "en" else None),
                      "templates/404.html")

    def search(self, reads: Reads) -> Output:
        route = Route("search", lang=self.lang)
        data = self.render(reads, "search.html", title=self.t("Search"), description=self.t("Search council services."),
                           canonical=route.url, noindex=True, breadcrumbs=[{"text": self.t("Home"), "href": "/"}])
        return Output(route.path, data, "templates/search.html")

    def standard(self, reads: Reads, kind: str) -> Output:
        """Render one of the pages every public service owes its users (localgov/render/standard.py)."""
        if kind == "sitemap":
            reads.need(dep.STRUCTURE)  # every topic and page
        if kind == "accessibility":
            reads.need(dep.source(RESULTS_FILE))  # the last test run's results
        page = PAGES[kind]
        route = Route(kind, lang=self.lang)
        data = self.render(reads, page.template, title=page.title, description=page.description,
                           canonical=route.url, breadcrumbs=[{"text": self.t("Home"), "href": "/"}],
                           noindex=not route.indexed,
                           **standard_context(self.site, kind))
        return Output(route.path, data, f"templates/{page.template}")

    # -- service status

    def feeds(self, page: str, title: str) -> list[dict[str, str]]:
        return [{"type": "application/atom+xml", "title": self.t("%(title)s (Atom)", title=title),
                 "href": feed_url(page, "atom"),
                 "name": "Atom feed"},
                {"type": "application/feed+json", "title": self.t("%(title)s (JSON Feed)", title=title),
                 "href": feed_url(page, "json"),
                 "name": "JSON Feed"}]

    def service_status(self, reads: Reads) -> Output:
        """Render /service-status/: the nation's notices and emergencies, and every council's current alerts."""
        reads.need(dep.STRUCTURE, *(dep.alerts(slug) for slug in self.site.councils if self.site.councils[slug].alerts))
        route = Route("service-status", lang=self.lang)
        national = national_entries(self.site)
        councils = [e for e in all_entries(self.site) if e.owner != "national"]
        data = self.render(reads, "service_status.html", title=self.t("Service status"), canonical=route.url,
                           noindex=True,
                           description=self.t("Current emergencies, disruptions and notices for council services."),
                           entries=national, council_entries=councils, council=None,
                           feeds=self.feeds(english_url(route.url),
                                            self.t("Service status: %(name)s", name=self.site.config.name)),
                           breadcrumbs=[{"text": self.t("Home"), "href": "/"}])
        return Output(route.path, data, "templates/service_status.html")

    def service_status_council(self, reads: Reads, council: Council) -> Output:
        """Render /councils/<council>/status/: one council's current alerts."""
        reads.need(dep.council(council.slug), dep.alerts(council.slug))
        route = Route("service-status-council", lang=self.lang, council=council.slug)
        data = self.render(reads, "service_status.html", title=self.t("Service status: %(name)s", name=council.name),
                           canonical=route.url, noindex=True,
                           description=self.t("Current disruptions and notices from %(name)s.", name=council.name),
                           entries=council_entries(self.site, council.slug), council_entries=None, council=council,
                           feeds=self.feeds(english_url(route.url),
                                            self.t("Service status: %(name)s", name=council.name)),
                           breadcrumbs=[{"text": self.t("Home"), "href": "/"},
                                        {"text": self.t("Councils A to Z"), "href": "/councils/"},
                                        {"text": council.name, "href": f"/councils/{council.slug}/"}])
        return Output(route.path, data, council.source)

    # -- everything

    def render_page(self, job: PageJob) -> PageRecord:
        """Render one page; return its bytes and what rendering it read."""
        reads = Reads()
        self.lang = job.lang
        try:
            return reads.record(self._make(reads, job) if job.lang == "en" else self._make_welsh(reads, job))
        finally:
            self.lang = "en"

    def _make_welsh(self, reads: Reads, job: PageJob) -> Output:
        """Render a page under /cy/: in Welsh where it has Welsh text, else a Welsh page that says it has none yet."""
        site = self.site
        kind = "council-page" if job.kind == "variant" and job.page not in site.content.pages else job.kind
        route = Route(kind, topic=job.topic, page=job.page, council=job.council, lang="cy")
        english = Route(kind, topic=job.topic, page=job.page, council=job.council)
        # Which pages are in Welsh depends on which Welsh files there are, and every page may link to any of them.
        reads.need(dep.STRUCTURE)
        if english.url not in self.welsh:
            return self.not_translated(reads, route, english, job.source)
        if kind == "variant":
            translation = site.content.welsh[job.page]
            council = site.councils[job.council]
            reads.need(dep.source(translation.source), dep.council_page(council.slug, f"{job.page}.cy"))
            return self.variant(reads, translation.page, self.named(council))
        if kind == "common":
            translation = site.content.welsh[job.page]
            reads.need(dep.source(translation.source))
            return self.common_page(reads, translation.page)
        if kind == "topic":
            return self.topic(reads, site.content.welsh_topics[job.topic])
        if kind == "council-topic":
            return self.council_topic(reads, self.named(site.councils[job.council]),
                                      site.content.welsh_topics[job.topic])
        return self._make(reads, job)

    def not_translated(self, reads: Reads, route: Route, english: Route, source: str) -> Output:
        """Render a Welsh URL whose page is not in Welsh yet: say so, in Welsh, and link to the English page."""
        title, council = self.english_title(english)
        data = self.render(reads, "not_translated.html", title=self.t("This page is not available in Welsh yet"),
                           canonical=route.url, noindex=True, english_href=english.url, english_title=title,
                           council=council, breadcrumbs=[{"text": self.t("Home"), "href": "/"}])
        return Output(route.path, data, source)

    def english_title(self, route: Route) -> tuple[str, Council | None]:
        """Return the title of an English page, and its council if it is a council's page."""
        site = self.site
        council = site.councils.get(route.council) if route.council else None
        if route.kind in PAGES:
            return PAGES[route.kind].title, None
        if route.kind == "common":
            return site.content.pages[route.page].title, None
        if route.kind == "topic":
            return site.content.topics[route.topic].title, None
        if route.kind == "variant" and council is not None:
            return f"{site.content.pages[route.page].title}: {council.name}", council
        if route.kind == "council-page" and council is not None:
            own = site.overrides.council_page(council.slug, route.page)
            return (f"{own.title}: {council.name}" if own else council.name), council
        if route.kind == "council-topic" and council is not None:
            return f"{site.content.topics[route.topic].title}: {council.name}", council
        return (council.name if council is not None else site.config.name), council

    def _make(self, reads: Reads, job: PageJob) -> Output:
        site = self.site
        kind = job.kind
        if kind == "variant":
            page = site.content.pages.get(job.page)
            council = self.named(site.councils[job.council])
            if page is not None:
                return self.variant(reads, page, council)
            own = site.overrides.council_page(job.council, job.page)
            if own is None:
                raise KeyError(f"no page {job.page!r} for {job.council}")
            return self.council_page(reads, own, council)
        if kind == "common":
            return self.common_page(reads, site.content.pages[job.page])
        if kind == "topic":
            return self.topic(reads, site.content.topics[job.topic])
        if kind == "hub":
            return self.council_hub(reads, self.named(site.councils[job.council]))
        if kind == "former-hub":
            return self.former_hub(reads, site.former[job.council])
        if kind == "council-topic":
            return self.council_topic(reads, self.named(site.councils[job.council]), site.content.topics[job.topic])
        if kind == "status-council":
            return self.status_council(reads, site.councils[job.council])
        if kind in PAGES:
            return self.standard(reads, kind)
        if kind == "service-status-council":
            return self.service_status_council(reads, self.named(site.councils[job.council]))
        whole: dict[str, Callable[[Reads], Output]] = {"home": self.home, "councils": self.councils_az,
                                                       "not-found": self.not_found, "search": self.search,
                                                       "status": self.status, "service-status": self.service_status}
        return whole[kind](reads)
