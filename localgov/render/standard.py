"""The pages every public service owes its users: help, privacy, cookies, accessibility, contact, terms, sitemap.

Their words are in `templates/standard/`; what they say about this site (its contact address, who
hosts it, the accessibility statement's status, issues and dates) comes from `site.yaml`, so a page
never states a fact the site has not given.
"""

from __future__ import annotations

from dataclasses import dataclass

from localgov.model import Site
from localgov.urls import API_DIR, API_FILES, STANDARD_KINDS

# The Act the accessibility statement is made under, and the bodies that enforce it.
REGULATIONS = {
    "title": "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018",
    "href": "https://www.legislation.gov.uk/uksi/2018/952/contents/made",
}
WCAG = {"title": "Web Content Accessibility Guidelines version 2.2", "href": "https://www.w3.org/TR/WCAG22/"}
ENFORCERS = {
    "ehrc": {"name": "Equality and Human Rights Commission", "href": "https://www.equalityhumanrights.com/"},
    "eass": {"name": "Equality Advisory and Support Service", "href": "https://www.equalityadvisoryservice.com/"},
    "ecni": {"name": "Equality Commission for Northern Ireland", "href": "https://www.equalityni.org/"},
}
# What the site keeps in the browser: the only item, set by templates/static/localgov.js.
STORED = ({"name": "localgov:area", "where": "local storage",
           "holds": "the postcode you entered and the councils that serve it",
           "why": "so that search shows your councils' pages first, and you do not have to enter it again",
           "kept": "until you clear it"},)
COMPLIANCE = {
    "full": "fully compliant",
    "partial": "partially compliant",
    "not": "not compliant",
}


@dataclass(frozen=True)
class Standard:
    """One standard page: its template, its title and its description."""

    template: str
    title: str
    description: str


PAGES: dict[str, Standard] = {
    "help": Standard("standard/help.html", "Help using this site", "How to find your council's information."),
    "privacy": Standard("standard/privacy.html", "Privacy notice", "What this site records about you, and why."),
    "cookies": Standard("standard/cookies.html", "Cookies", "What this site stores in your browser, and why."),
    "accessibility": Standard("standard/accessibility.html", "Accessibility statement",
                              "How accessible this site is, and how to report a problem."),
    "contact": Standard("standard/contact.html", "Contact", "How to contact us or your council."),
    "terms": Standard("standard/terms.html", "Terms and conditions", "The terms of using this site."),
    "sitemap": Standard("standard/sitemap.html", "Sitemap", "Every topic and service page of this site."),
    "open-data": Standard("standard/open_data.html", "Open data",
                          "The site's data about councils and their services, as JSON for apps and councils."),
    "feedback-sent": Standard("standard/feedback_sent.html", "Thank you for your feedback",
                              "Your feedback has been sent."),
}


def known_issues(site: Site) -> list[str]:
    """Return the accessibility problems the statement lists: the site's own, then what the last test run found."""
    found = list(site.config.accessibility_issues)
    if site.accessibility is not None:
        found += [f"{help_text} (found by automated tests on {pages} kind{'s' if pages != 1 else ''} of page)"
                  for _, help_text, pages in site.accessibility.issues]
    return found


def standard_context(site: Site, kind: str) -> dict[str, object]:
    """Return what the template of a standard page needs besides the site's config."""
    config = site.config
    context: dict[str, object] = {"regulations": REGULATIONS, "wcag": WCAG, "enforcers": ENFORCERS,
                                  "stored": STORED, "compliance": COMPLIANCE[config.accessibility_status],
                                  "results": site.accessibility, "known_issues": known_issues(site)}
    if kind == "sitemap":
        pages = sorted(site.content.pages.values(), key=lambda p: p.title.lower())
        context["topics"] = [
            {"title": topic.title, "href": f"/{topic.slug}/", "pages": [p for p in pages if p.topic == topic.slug]}
            for topic in sorted(site.content.topics.values(), key=lambda t: (t.order, t.title))
        ]
        context["standard"] = [(PAGES[k].title, f"/{k}/") for k in STANDARD_KINDS if k != "sitemap"] + [
            (PAGES["open-data"].title, "/api/")]
    if kind == "open-data":
        context["api_files"] = [{"name": name, "href": f"/{API_DIR}/{name}.json",
                                 "schema": f"/{API_DIR}/schemas/{name}.schema.json", "about": about}
                                for name, about in API_FILES.items()]
    return context
