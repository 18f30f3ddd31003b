"""Benchmark localgov on a national site: every council, 120 service pages, about 40,000 variants.

    python bench/national.py            (or: make bench)

Generates a deterministic site in a temporary folder (bench/sitegen.py), then times, each in
its own process, with the peak memory of that process and its children (the sum of their
proportional set sizes, sampled every 50 ms):

- compiling every UK postcode (the built-in ONSPD) for the site's councils;
- a clean build, a rebuild with nothing changed, and a rebuild after editing one common page,
  one council override and one template (search indexes left out: `--no-search`);
- the search indexing step (Pagefind and Whoosh) on its own;
- the live preview: from saving each of the three files to the changed page being served;
- `localgov build` after editing one page with the search indexes included, the number of files in
  Pagefind's bundle, and a first search in Chromium (bench/weight.py);

and, for comparison, in the same run:

- a naive Python pipeline (bench/naive.py: one Markdown conversion and one Jinja render per page);
- Hugo (Debian's `hugo`, if installed) on the same pages as a flat Markdown tree;
- merely writing files of the same number and sizes as the clean build's.

It ends with each figure of the national-scale targets beside its target. Nothing is installed;
Hugo is skipped with a message when it is not on the PATH.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sitegen import Generated, generate, variants_expected  # noqa: E402

TODAY = "2026-11-24"
PYTHON = sys.executable


# -- measuring -------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stream:
                stat = stream.read()
        except OSError:
            continue
        parent = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as stream:
            for line in stream:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/status", "rb") as stream:
            for line in stream:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sampler:
    """Sample the memory of a process and all its descendants until stopped; keep the peak."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            tree = _children()
            pids, pending = [], [self.pid]
            while pending:
                pid = pending.pop()
                pids.append(pid)
                pending.extend(tree.get(pid, []))
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in pids))
            self._stop.wait(self.interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


@dataclass
class Run:
    """One timed command."""

    seconds: float
    peak_mb: float
    out: str
    err: str
    code: int
    cpu: float = 0.0  # user + system seconds of the command and its children


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    cpu = cpu_of_children()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "LOCALGOV_TODAY": TODAY, **(env or {})})
    sampler = Sampler(process.pid)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    return Run(seconds, sampler.stop(), out, err, process.returncode, cpu_of_children() - cpu)


@dataclass
class Row:
    """One line of the results table."""

    name: str
    pages: int | None
    seconds: float
    peak_mb: float | None = None
    note: str = ""
    cpu: float | None = None

    @property
    def rate(self) -> float | None:
        return self.pages / self.seconds if self.pages and self.seconds else None


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        rate = f"{row.rate:,.0f}/s" if row.rate else ""
        memory = f"{row.peak_mb:,.0f} MB" if row.peak_mb is not None else ""
        pages = f"{row.pages:,}" if row.pages is not None else ""
        cpu = f"{row.cpu:.1f}s" if row.cpu is not None else ""
        print(f"  {row.name:<46} {pages:>7} {row.seconds:>8.2f}s {cpu:>8} {rate:>9} {memory:>9}  {row.note}",
              flush=True)
        return row


# -- the steps -------------------------------------------------------------------------------


BUILT = re.compile(r"Built ([\d,]+) pages \(([\d,]+) files\).* ([\d,]+) rendered, ([\d,]+) files written, "
                   r"([\d,]+) removed")


def localgov(site: Path, *args: str) -> list[str]:
    return [PYTHON, "-m", "localgov", "--root", str(site), *args]


def build(site: Path, *args: str) -> tuple[Run, tuple[int, int, int, int, int]]:
    run = measure(localgov(site, "-v", "build", *args))
    if run.code != 0:
        sys.exit(f"the benchmark site did not build (exit {run.code}):\n{run.err[-3000:]}")
    match = BUILT.search(run.out)
    assert match, run.out
    numbers = tuple(int(g.replace(",", "")) for g in match.groups())
    return run, numbers  # type: ignore[return-value]


def timings(run: Run) -> dict[str, float]:
    found: dict[str, float] = {}
    for name, seconds in re.findall(r"([\w:.]+) ([\d.]+)s", run.out.split("\n")[-2] if run.out else ""):
        found[name] = float(seconds)
    return found


def compile_postcodes(site: Path) -> Run:
    snippet = (
        "import sys; from pathlib import Path\n"
        "from localgov.build import load_site\nfrom localgov.errors import Problems\n"
        "from localgov.index.shards import postcode_source, site_postcodes\n"
        "root = Path(sys.argv[1]); site = load_site(root, Problems(), keep_going=True)\n"
        "lookup = site_postcodes(site, postcode_source(site.config, Problems()))\n"
        "print(len(lookup), 'postcodes')\n"
    )
    # With a user cache of its own: the compiled data a previous run kept for the same councils would
    # make this a copy, not a compile.
    with tempfile.TemporaryDirectory(prefix="localgov-bench-cache-") as cache:
        return measure([PYTHON, "-c", snippet, str(site)], env={"XDG_CACHE_HOME": cache})


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def edits(made: Generated) -> list[tuple[str, Path, str]]:
    """Return (what, file, text to append) for the three one-file edits, each with a marker it shows."""
    found = [("common page", made.edit_page, "\nBenchmark edit {n} of the common page.\n")]
    if made.edit_override is not None:
        found.append(("council override", made.edit_override, "\nBenchmark edit {n} of the override.\n"))
    found.append(("template (every service page)", made.edit_template,
                  '\n<p class="govuk-body-s">Benchmark edit {n} of the template.</p>\n'))
    return found


def page_for(out: Path, made: Generated, what: str, path: Path) -> str:
    """Return the URL of a page that shows an edit of `path`."""
    if "override" in what:
        council, topic, name = path.relative_to(made.root / "councils").parts
        return f"/{name[:-3]}/{council}/"
    slug = made.edit_page.stem
    council = sorted(p.name for p in (out / slug).iterdir() if p.is_dir())[0]
    return f"/{slug}/{council}/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def live_preview(made: Generated, out: Path, results: Results) -> dict[str, Row]:
    """Time from saving a file to the changed page being served by `localgov serve`; return the rows by edit."""
    rows: dict[str, Row] = {}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen(localgov(made.root, "serve", "--port", str(port), "--no-search"), stdout=log,
                              stderr=subprocess.STDOUT, env={**os.environ, "LOCALGOV_TODAY": TODAY})
    try:
        deadline = time.monotonic() + 600
        while "</html>" not in fetch(base + "/") and time.monotonic() < deadline:
            time.sleep(0.2)
        for number, (what, path, text) in enumerate(edits(made), start=10):
            marker = text.format(n=number).strip()
            marker = re.sub(r"<[^>]+>", "", marker)
            url = base + page_for(out, made, what, path)
            fetch(url)  # the page is open in the browser when its file is saved
            time.sleep(1)
            started = time.perf_counter()
            append(path, text.format(n=number))
            while marker not in fetch(url):
                if time.perf_counter() - started > 600:
                    log.seek(0)
                    sys.exit(f"the live preview never showed the edit of {path}:\n{log.read()[-3000:]}")
                time.sleep(0.02)
            rows[what] = results.add(Row(f"live preview: save {what} -> page served", None,
                                         time.perf_counter() - started))
            # Each save is timed on its own: wait for the rebuild it started to finish before the next.
            while _rebuilds(log) < number - 9 and time.perf_counter() - started < 600:
                time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    return rows


def _rebuilds(log: IO[str]) -> int:
    """Return how many rebuilds the preview's log reports after its first build."""
    log.flush()
    log.seek(0)
    return max(0, log.read().count("Built ") - 1)


def write_only(files: list[tuple[str, int]], target: Path) -> Row:
    """Time writing files of the same paths and sizes as the clean build's, already made in memory."""
    largest = max(size for _, size in files)
    block = (b"<p>" + b"x" * 96 + b"</p>\n") * (largest // 104 + 1)
    started = time.perf_counter()
    for rel, size in files:
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(block[:size])
    return Row("write the same files (no rendering)", len(files), time.perf_counter() - started,
               note="one process, files of the clean build's sizes")


def hugo_site(made: Generated, out: Path, folder: Path) -> int:
    """Write the service pages as a flat Markdown tree (council data filled in) with an equivalent layout."""
    from localgov.build import load_site
    from localgov.errors import Problems
    from localgov.load.frontmatter import read_document
    from localgov.sandbox import CouncilView, GenericCouncilView, content_environment

    site = load_site(made.root, Problems(), keep_going=True)
    assert site is not None
    env = content_environment()
    count = 0
    for page in site.content.pages.values():
        body = read_document((made.root / page.source).read_text(encoding="utf-8")).body
        template = env.from_string(body.replace("{#", "{{ '{#' }}"))
        for council_slug in (None, *site.resolution.councils_for(page.slug)):
            council = site.councils[council_slug] if council_slug else None
            text = template.render(council=CouncilView(council, page.slug) if council else GenericCouncilView())
            name = council_slug or "common"
            url = f"/{page.slug}/{council_slug}/" if council_slug else f"/{page.slug}/"
            title = f"{page.title}: {council.name}" if council else page.title
            target = folder / "content" / page.slug / f"{name}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f'---\ntitle: "{title}"\nurl: "{url}"\n---\n{text}', encoding="utf-8")
            count += 1
    # The layout: a page of the clean build with its text swapped for Hugo's.
    sample = next(p for p in sorted(out.glob("*/*/index.html")) if not p.parts[-3].startswith(("councils", "status")))
    html = sample.read_text(encoding="utf-8").replace("{{", '{{"{{"}}')
    start = html.index('<div class="lg-body">') + len('<div class="lg-body">')
    end = html.index("</div>", start)
    layout = html[:start] + "{{ .Content }}" + html[end:]
    layout = re.sub(r"<title>.*?</title>", "<title>{{ .Title }}</title>", layout, count=1, flags=re.S)
    (folder / "layouts" / "_default").mkdir(parents=True)
    (folder / "layouts" / "_default" / "single.html").write_text(layout, encoding="utf-8")
    (folder / "hugo.toml").write_text(
        'baseURL = "https://localgov.example/"\n'
        'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404", "home", "section"]\n'
        "[markup.goldmark.renderer]\n  unsafe = true\n"
        "[markup.goldmark.parser.attribute]\n  title = true\n", encoding="utf-8")
    return count


# -- the run ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="generate the site in this folder and keep it")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive pipeline (the slowest step)")
    parser.add_argument("--no-hugo", action="store_true", help="skip Hugo")
    parser.add_argument("--no-preview", action="store_true", help="skip the live preview timings")
    parser.add_argument("--no-browser", action="store_true", help="skip the first search in Chromium")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="localgov-bench-") as temporary:
        work = Path(temporary)
        site_root = args.keep.resolve() if args.keep else work / "site"
        if site_root.exists():
            shutil.rmtree(site_root)
        made = generate(site_root)
        councils = len(list((site_root / "councils").glob("*/council.yaml")))
        print(f"National benchmark site in {site_root}: {councils} councils, {len(made.pages)} service pages "
              f"({variants_expected(made.pages)}), overrides for {len(made.override_councils)} councils, "
              f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}", flush=True)
        results = Results()
        print(f"\n  {'step':<46} {'pages':>7} {'time':>9} {'cpu':>8} {'pages/s':>9} {'peak mem':>9}")

        run = compile_postcodes(site_root)
        if run.code != 0:
            sys.exit(f"postcode compile failed:\n{run.err[-3000:]}")
        results.add(Row("postcode compile (every UK postcode)", None, run.seconds, run.peak_mb, run.out.strip(),
                        run.cpu))

        out = site_root / "build"
        run, (pages, files, rendered, written, removed) = build(site_root, "--no-search")
        clean = results.add(Row("clean build", pages, run.seconds, run.peak_mb, f"{files:,} files", run.cpu))
        built_files = [(p.relative_to(out).as_posix(), p.stat().st_size) for p in out.rglob("*") if p.is_file()]
        run, numbers = build(site_root, "--no-search")
        no_change = results.add(Row("rebuild, nothing changed", pages, run.seconds, run.peak_mb,
                                    f"{numbers[2]:,} rendered, {numbers[3]:,} written", run.cpu))
        edit_rows: dict[str, Row] = {}
        for what, path, text in edits(made):
            append(path, text.format(n=1))
            run, numbers = build(site_root, "--no-search")
            edit_rows[what] = results.add(Row(f"rebuild after editing one {what}", pages, run.seconds, run.peak_mb,
                                              f"{numbers[2]:,} rendered, {numbers[3]:,} written", run.cpu))
        run, numbers = build(site_root)
        steps = timings(run)
        search_seconds = sum(v for k, v in steps.items() if k.startswith("finalise:"))
        search_row = results.add(Row("search indexing (Pagefind + Whoosh)", pages, search_seconds or run.seconds,
                                     run.peak_mb, f"the whole build step took {run.seconds:.1f}s", run.cpu))
        append(made.edit_page, "\nBenchmark edit 2 of the common page.\n")
        run, numbers = build(site_root)
        search_edit = results.add(Row("localgov build after editing one page, search included", pages, run.seconds,
                                      run.peak_mb, f"{numbers[2]:,} rendered, {numbers[3]:,} written", run.cpu))
        bundle_files = sum(1 for p in (out / "pagefind").rglob("*") if p.is_file())
        bundle_mb = sum(p.stat().st_size for p in (out / "pagefind").rglob("*") if p.is_file()) / 1e6
        print(f"  Pagefind bundle: {bundle_files:,} files, {bundle_mb:.1f} MB")
        first_search = None
        if not args.no_browser:
            from bench.weight import CHROMIUM, first_search_in_browser

            if Path(CHROMIUM).is_file():
                first_search = first_search_in_browser(out, "bin day", made.override_councils[0])
                print(f"  first search in Chromium ('bin day', {made.override_councils[0]}): "
                      f"{first_search.search_total / 1024:.0f} KB gzipped in {len(first_search.search)} files")

        preview_rows: dict[str, Row] = {}
        if not args.no_preview:
            preview_rows = live_preview(made, out, results)

        print("\n  baselines")
        writing = results.add(write_only(built_files, work / "write-only"))
        naive_row = hugo_row = None
        if not args.no_naive:
            run = measure([PYTHON, str(ROOT / "bench" / "naive.py"), str(site_root), str(work / "naive")])
            if run.code != 0:
                sys.exit(f"the naive pipeline failed:\n{run.err[-3000:]}")
            count = int(re.search(r"naive: (\d+) pages", run.out).group(1))  # type: ignore[union-attr]
            naive_row = results.add(Row("naive Python pipeline (bench/naive.py)", count, run.seconds, run.peak_mb,
                                        "service pages only", run.cpu))
        hugo = shutil.which("hugo")
        if args.no_hugo:
            pass
        elif hugo is None:
            print("  Hugo: skipped (no 'hugo' on the PATH; on Debian: apt-get install hugo)")
        else:
            folder = work / "hugo"
            count = hugo_site(made, out, folder)
            version = subprocess.run([hugo, "version"], capture_output=True, text=True, check=False).stdout.split()[1]
            run = measure([hugo, "--source", str(folder), "--destination", str(work / "hugo-out"), "--quiet"])
            if run.code != 0:
                print(f"  Hugo failed (exit {run.code}): {run.err[-2000:]}")
            else:
                hugo_row = results.add(Row(f"Hugo {version}", count, run.seconds, run.peak_mb,
                                           "the service pages as flat Markdown", run.cpu))

        print("\n  against the targets (ratios of pages per second, so different page counts compare fairly)")
        builds = [r for r in results.rows if r.name.startswith(("clean", "rebuild", "localgov build"))]
        peak = max(r.peak_mb or 0 for r in builds)
        table: list[tuple[str, str, str, bool | None]] = []
        if hugo_row is not None and hugo_row.rate and clean.rate:
            ratio = clean.rate / hugo_row.rate
            table.append(("clean build vs Hugo, pages per second", f"{ratio:.1f}x", ">= 3x", ratio >= 3))
        table.append(("peak memory of a build, with its workers", f"{peak:,.0f} MB", "< 1,024 MB", peak < 1024))
        ratio = clean.seconds / writing.seconds
        table.append(("clean build vs writing the same files", f"{ratio:.1f}x the time", "<= 2x", ratio <= 2))
        if naive_row is not None and naive_row.rate and clean.rate:
            ratio = clean.rate / naive_row.rate
            table.append(("clean build vs naive pipeline", f"{ratio:.1f}x faster", "(no target)", None))
        table.append(("rebuild with nothing changed", f"{no_change.seconds:.2f}s", "(no target)", None))
        for what, row in edit_rows.items():
            table.append((f"rebuild after editing one {what}, no search", f"{row.seconds:.2f}s", "(no target)", None))
        for what, row in preview_rows.items():
            limit = 5.0 if "template" in what else 0.5
            table.append((f"live preview: save {what} -> served", f"{row.seconds:.2f}s", f"< {limit:g}s",
                          row.seconds < limit))
        table.append(("build after editing one page, search included", f"{search_edit.seconds:.1f}s", "< 3s",
                      search_edit.seconds < 3))
        search_mb = search_row.peak_mb or 0
        table.append(("search indexing step", f"{search_row.seconds:.1f}s", "< 15s", search_row.seconds < 15))
        table.append(("peak memory of the build that indexes search", f"{search_mb:,.0f} MB", "< 1,024 MB",
                      search_mb < 1024))
        table.append(("Pagefind bundle", f"{bundle_files:,} files", "< 5,000 files", bundle_files < 5000))
        if first_search is not None:
            size = first_search.search_total / 1024
            table.append(("first search download, one council's scope", f"{size:.0f} KB gzipped", "< 150 KB",
                          size < 150))
        for name, now, target, met in table:
            verdict = "" if met is None else ("met" if met else "NOT MET")
            print(f"  {name:<52} {now:>18}   target {target:<14} {verdict}")
        print(f"\nTotal benchmark time {time.perf_counter() - started:.0f}s; load average now "
              f"{os.getloadavg()[0]:.1f} (other work on the machine slows every step)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
