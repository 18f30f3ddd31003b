// Run queries against a built site's real Pagefind index in Node, through the site's own search.js.
//
//   node tests/pagefind_runner.mjs BUILD_DIR < requests.json
//
// requests.json: {"queries": [{"query": "bin day", "area": ["maidstone", "kent"], "limit": 10}],
//                 "parse": ["some query"], "fresh": false}
// Prints JSON: {"queries": [{query, total, area, typed, results: [{page, url, council}], fetched}],
//               "parse": [{segments, councils}], "loaded": [[path, bytes]]}.
// Pagefind fetches its files with `fetch`; here they are read from BUILD_DIR, and each read is
// recorded, so the benchmark can count what a browser would download.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const site = process.argv[2];
const loaded = [];

globalThis.fetch = async (input) => {
  const text = String(input);
  const path = text.startsWith("/") ? join(site, text.split("?")[0]) : fileURLToPath(new URL(text));
  try {
    const body = await readFile(path);
    loaded.push([path.slice(site.length), body.length]);
    return new Response(body, { status: 200 });
  } catch (error) {
    return new Response("not found", { status: 404 });
  }
};

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf-8") || "{}");
}

const request = await readStdin();
const searchPage = await readFile(join(site, "search", "index.html"), "utf-8");
const scriptPath = searchPage.match(/<script type="module" src="(\/assets\/search\.[^"]+\.js)"/)[1];
const searchJs = await import(pathToFileURL(join(site, scriptPath)).href);
const pagefindPath = join(site, "pagefind", "pagefind.js");
const pagefind = await import(pathToFileURL(pagefindPath).href);
await pagefind.options({ baseUrl: "/", ranking: searchJs.RANKING || {} });
const vocabulary = new searchJs.Vocabulary(JSON.parse(await readFile(join(site, "search", "synonyms.json"), "utf-8")));
let siteWords = null;
try {
  const data = JSON.parse(await readFile(join(site, "search", "words.json"), "utf-8"));
  siteWords = new searchJs.SiteWords(data, vocabulary.knownWords(), vocabulary.stopWords);
} catch {
  // A site built before the list of words existed: queries are searched as typed.
}

const output = { queries: [], parse: [], loaded };
for (const text of request.parse || []) output.parse.push(vocabulary.parse(text));
output.read = (request.read || []).map((text) => (siteWords ? siteWords.read(text) : null));
for (const item of request.queries || []) {
  const before = loaded.length;
  const outcome = await searchJs.search(pagefind, vocabulary, item.query, {
    area: item.area || [], limit: item.limit || 10, siteWords });
  output.queries.push({
    query: item.query,
    total: outcome.total,
    area: outcome.area,
    typed: outcome.typed,
    councilPages: outcome.councilPages.map((hub) => hub.url),
    corrected: outcome.corrected, searched: outcome.searched, unknown: outcome.unknown,
    suggestions: outcome.suggestions, rest: outcome.rest,
    results: outcome.results.map((r) => ({ page: r.page, url: r.url, council: r.council, title: r.title, also: r.also.map((a) => a.url) })),
    fetched: loaded.slice(before),
  });
}
process.stdout.write(JSON.stringify(output));
