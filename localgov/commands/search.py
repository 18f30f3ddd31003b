"""Command line: `localgov search "QUERY" [--postcode PC] [--council SLUG] [-n 10]`.

Shows content designers what residents find: the same index and query rules as the site's
search, with the variants of a resident's councils first when a postcode or council is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from localgov.errors import LocalgovError

EXIT_OK = 0
EXIT_NOTHING = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `search` command to the main parser."""
    parser = subparsers.add_parser("search", help="search the built site as residents would",
                                   description="Search the site's pages with the index the last build made.")
    parser.add_argument("query", nargs="+", help='what a resident would type, like "when are my bins collected"')
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postcode", help="show the variants of the councils serving this postcode first")
    where.add_argument("--council", metavar="SLUG", help="show the variants of this council (and its county) first")
    parser.add_argument("-n", "--limit", type=int, default=10, help="how many results to show (default: 10)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--welsh", action="store_true", help="search the Welsh pages (under /cy/)")
    parser.add_argument("--root", type=Path, default=argparse.SUPPRESS, help="the site folder (default: here)")
    parser.add_argument("--out", type=Path, default=None,
                        help="the output folder the site was built into (default: build/ in the site)")
    parser.set_defaults(run=run_search, func=run_search)


def run_search(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print the top results; 0 when something was found, 1 when nothing was, 2 on a usage problem."""
    from localgov.commands.search_page import postcode_area
    from localgov.search.synonyms import split_postcode
    from localgov.search.whoosh import NoIndex, SearchIndex

    out = out or sys.stdout
    root = Path(getattr(args, "root", None) or Path.cwd()).resolve()
    query = " ".join(args.query)
    if args.limit < 1:
        print("error: -n must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    built: Path | None = getattr(args, "out", None)
    try:
        index = SearchIndex(root, built.resolve() if built is not None else None)
    except NoIndex as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    words_only, typed_postcode = split_postcode(query)
    if typed_postcode and not args.council and not args.postcode:
        # A postcode in the query scopes the search, as on the site.
        args.postcode, query = typed_postcode, words_only or query
    with index:
        area: tuple[str, ...] = ()
        if args.council:
            if args.council not in index.vocabulary.councils:
                print(f"error: no council called {args.council!r} (use its slug, like 'maidstone')", file=sys.stderr)
                return EXIT_USAGE
            area = index.area_for(args.council)
        elif args.postcode:
            try:
                area = postcode_area(root, args.postcode)
            except LocalgovError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_USAGE
            if not area:
                print(f"{args.postcode}: no council found for this postcode; showing pages for every council",
                      file=sys.stderr)
        results = index.search(query, area, limit=args.limit, lang="cy" if getattr(args, "welsh", False) else "en")
        names = {slug: c.name for slug, c in index.vocabulary.councils.items()}
    found = results.total + len(results.council_pages)
    if args.json:
        json.dump({
            "query": query, "read_as": list(results.words), "area": list(results.area), "total": found,
            "corrected": [list(pair) for pair in results.corrected], "unknown": list(results.unknown),
            "suggestions": list(results.suggestions),
            "councils": [{"title": h.council_name, "url": h.url} for h in results.council_pages],
            "results": [{"page": r.page, "title": r.title, "url": r.url, "council": r.council,
                         "council_name": r.council_name, "score": round(r.score, 4),
                         "also": [a.url for a in r.also]} for r in results.results],
        }, out, indent=2)
        out.write("\n")
        return EXIT_OK if found else EXIT_NOTHING
    read_as = " + ".join(results.words) or "(no search words)"
    where = " and ".join(names[slug] for slug in results.area) or "every council (common pages)"
    out.write(f"{found:,} result{'' if found == 1 else 's'} for \"{query}\" (read as: {read_as}), for {where}\n")
    for typed, used in results.corrected:
        out.write(f"     no page has \"{typed}\": searched for \"{used}\" instead\n")
    if results.unknown:
        out.write(f"     no page has {', '.join(repr(w) for w in results.unknown)}, so nothing is a good answer\n")
    if results.suggestions:
        out.write(f"     nearby words: {', '.join(results.suggestions)}\n")
    number = 0
    for hub in results.council_pages:
        number += 1
        out.write(f"{number:>3}. {hub.council_name} (council page)\n     {hub.url}\n")
    for result in results.results:
        number += 1
        council = f" \u2014 {result.council_name}" if result.council else ""
        out.write(f"{number:>3}. {result.title}{council}\n     {result.url}\n")
        for other in result.also:
            out.write(f"     also: {other.url} ({other.council_name})\n")
    return EXIT_OK if found else EXIT_NOTHING
