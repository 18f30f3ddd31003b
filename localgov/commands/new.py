"""`localgov new DIR`: a small site that builds and serves at once.

One topic, one service page and two councils; the templates come from localgov itself (add
a `templates/` folder to shadow any of them). Postcode lookup is off until the site asks for
the built-in UK postcodes in site.yaml.
"""

from __future__ import annotations

from pathlib import Path

from localgov.errors import UsageError

FILES: dict[str, str] = {
    "site.yaml": """\
name: Local council services
base_url: https://localgov.example
phase: alpha
# Postcode lookup: 'builtin' uses every UK postcode (compiled on the first build, which takes a
# little while); 'none' leaves it out and the postcode form leads to the A to Z of councils.
postcodes: none
# Pages whose last_reviewed date is older than this many days are reported by `localgov check`.
stale_after_days: 365
""",
    "content/rubbish-and-recycling/_topic.yaml": """\
title: Rubbish and recycling
summary: Bin collections, recycling and getting rid of large items.
order: 1
""",
    "content/rubbish-and-recycling/bin-collections.md": """\
---
title: Bin collections
summary: Find out which day your bins are collected and what goes in each bin.
provider: lower
keywords: [bin day, collection day, wheelie bin]
last_reviewed: {today}
owner: waste-and-recycling
---
{{{{ council.name }}}} collects rubbish and recycling from homes in its area.

{{{{ council.link('bin-collections', 'Check your bin collection day') }}}}

## What goes in each bin {{#what-goes-in-each-bin}}

Most councils collect:

- general rubbish that cannot be recycled
- mixed recycling, such as paper, card, cans and plastic bottles
- food waste, in a small kitchen caddy

## Missed collections {{#missed-collections}}

If your bin was not emptied on your collection day, tell {{{{ council.name }}}} on {{{{ council.phone }}}}.
""",
    "councils/bristol/council.yaml": """\
name: Bristol City Council
short_name: Bristol
gss: E06000023
type: unitary
nation: england
website: https://www.bristol.gov.uk/
contact:
  phone: 0117 922 2000
links:
  bin-collections: {url: "https://www.bristol.gov.uk/residents/bins-and-recycling", text: Check your bin day}
""",
    "councils/medway/council.yaml": """\
name: Medway Council
short_name: Medway
gss: E06000035
type: unitary
nation: england
website: https://www.medway.gov.uk/
""",
    ".gitignore": "/build/\n/.localgov-cache/\n/postcodes/compiled/\n",
    "README.md": """\
# Local council services

Built with localgov. Preview it with `localgov serve` (http://127.0.0.1:8000/): every save rebuilds
what changed and reloads the page. `localgov check` finds broken links, stale pages and missing
council data; `localgov build` writes the site into `build/`.

- `content/<topic>/<page>.md`: a service page, written once for every council
- `councils/<slug>/council.yaml`: a council; `councils/<slug>/<topic>/<page>.md` changes a page for it
- `templates/`: add a file with the name of one of localgov's templates to use your own
""",
}


def scaffold(folder: Path) -> list[str]:
    """Write a new site into `folder` (which must be missing or empty); return the files written."""
    import datetime as dt


    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} already exists and is not empty; choose a new folder")
    today = dt.date.today().isoformat()
    written: list[str] = []
    for rel, text in FILES.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(today=today) if rel.endswith(".md") and "{today}" in text else text,
                        encoding="utf-8")
        written.append(rel)
    return written
