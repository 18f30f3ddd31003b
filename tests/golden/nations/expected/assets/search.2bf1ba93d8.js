// Site search in the browser, with Pagefind's JavaScript API (not its prebuilt UI, which sets
// inline styles that the site's Content Security Policy forbids).
//
// A query is read exactly as the server reads it (localgov/synonyms.py): stop words dropped,
// council names picked out, and each thing asked for expanded to the phrases residents use
// for it, from /search/synonyms.json. Pagefind matches every word of a search, so each phrase
// is searched on its own and the scores combined here. Pages are listed once: for a resident
// whose councils are known, as the variant of their council; otherwise as the common page.
//
// The functions above `start` run in Node too (the relevance tests import this file).

const PAGE_SIZE = 10;
const AREA_KEY = "localgov:area";
const DATA_BATCH = 10;
const COMMON = "common";

// The page's words in its language (see localgov.js): a Welsh page carries them as JSON; an English page has none.
const MESSAGES = (() => {
  try {
    return JSON.parse((typeof document !== "undefined" && document.body?.dataset.lgMessages) || "{}");
  } catch {
    return {};
  }
})();
const WELSH = typeof document !== "undefined" && document.documentElement.lang === "cy";
const WELSH_COUNCILS = new Set(Array.isArray(MESSAGES["@councils"]) ? MESSAGES["@councils"] : []);

/** Return a message in the page's language, with its %(name)s parts filled in. */
function t(text, parts = {}) {
  const found = typeof MESSAGES[text] === "string" ? MESSAGES[text] : text;
  return found.replace(/%\((\w+)\)s/g, (whole, name) => (Object.hasOwn(parts, name) ? parts[name] : whole));
}

/** Return a URL of the site in the page's language: a Welsh page leads to the Welsh pages there are. */
function here(href, council = null) {
  if (!WELSH) return href;
  if (council === null ? href === "/" || href.startsWith("/#") || href === "/councils/" : WELSH_COUNCILS.has(council)) {
    return `/cy${href}`;
  }
  return href;
}

// Each page is indexed once, as its common page, and once more for each nation whose councils' pages say
// something else (scope "nation:wales"); a council's own changes are indexed under the council's slug.
const NATION = "nation:";
// Pagefind also counts words that merely start with a search word ("bus" in "business"): weigh
// exact matches more, as Whoosh matches whole words only.
export const RANKING = { termSimilarity: 5 };

// -- reading queries (the same rules as localgov/synonyms.py) ----------------------------------

export function words(text) {
  const lower = String(text).toLowerCase().replace(/['\u2019]s\b/g, "").replace(/['\u2019]/g, "");
  return lower.match(/[a-z0-9]+/g) || [];
}

export function wordKey(word) {
  if (word.length > 4 && word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (word.length > 3 && word.endsWith("s") && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

function phraseKey(text) {
  return words(text).map(wordKey).join(" ");
}

export function combine(scores, power) {
  // A page must match every thing asked for (as in localgov/search/synonyms.py).
  const matched = scores.filter((s) => s > 0).length;
  if (!matched || matched < scores.length) return 0;
  const total = scores.reduce((sum, s) => sum + s, 0);
  return total * (matched / scores.length) ** power;
}

export class Vocabulary {
  constructor(data) {
    this.stopWords = new Set(data.stopWords || []);
    this.synonymWeight = data.synonymWeight ?? 0.8;
    this.coveragePower = data.coveragePower ?? 2;
    this.maxPhrase = data.maxPhrase ?? 6;
    this.groups = data.groups || [];
    this.councils = data.councils || {};
    this.names = new Map(Object.entries(data.names || {}));
    this.phrases = new Map();
    this.groups.forEach((group, number) => {
      for (const phrase of group) {
        const key = phraseKey(phrase);
        const length = key ? key.split(" ").length : 0;
        if (!length || length > this.maxPhrase) continue;
        const found = this.phrases.get(key) || [];
        if (!found.includes(number)) found.push(number);
        this.phrases.set(key, found);
      }
    });
  }

  searchText(phrase) {
    return words(phrase).filter((w) => !this.stopWords.has(w)).join(" ");
  }

  longest(keys, start, table) {
    for (let length = Math.min(this.maxPhrase, keys.length - start); length > 0; length--) {
      const found = table.get(keys.slice(start, start + length).join(" "));
      if (found !== undefined) return [length, found];
    }
    return [0, undefined];
  }

  parse(query) {
    const typed = words(query);
    const keys = typed.map(wordKey);
    const councils = [];
    const rest = [];
    for (let i = 0; i < typed.length;) {
      const [length, slug] = this.longest(keys, i, this.names);
      if (slug !== undefined) {
        if (!councils.includes(slug)) councils.push(slug);
        i += length;
      } else {
        rest.push(i);
        i += 1;
      }
    }
    const kept = rest.map((i) => typed[i]);
    const keptKeys = rest.map((i) => keys[i]);
    const segments = [];
    const seen = new Set();
    for (let i = 0; i < kept.length;) {
      const [length, groups] = this.longest(keptKeys, i, this.phrases);
      let segment;
      if (groups !== undefined) {
        segment = this.segment(kept.slice(i, i + length).join(" "), groups);
        i += length;
      } else {
        const word = kept[i];
        i += 1;
        if (this.stopWords.has(word)) continue;
        segment = { typed: word, alternatives: [{ text: word, weight: 1 }] };
      }
      const signature = JSON.stringify(segment);
      if (segment.alternatives.length && !seen.has(signature)) {
        seen.add(signature);
        segments.push(segment);
      }
    }
    return { segments, councils };
  }

  segment(phrase, groupNumbers) {
    const alternatives = new Map();
    const own = this.searchText(phrase);
    if (own) alternatives.set(own, 1);
    for (const number of groupNumbers) {
      for (const member of this.groups[number]) {
        const text = this.searchText(member);
        if (text && !alternatives.has(text)) alternatives.set(text, this.synonymWeight);
      }
    }
    return { typed: phrase, alternatives: [...alternatives].map(([text, weight]) => ({ text, weight })) };
  }

  areaOf(slugs) {
    const area = [];
    for (const slug of slugs) {
      const council = this.councils[slug];
      if (!council) continue;
      if (!area.includes(slug)) area.push(slug);
      if (council.parent && !area.includes(council.parent)) area.push(council.parent);
    }
    return area;
  }

  councilName(slug) {
    return this.councils[slug] ? this.councils[slug].name : "";
  }

  scopes(area) {
    // The search scopes for an area: common pages, each nation's text of a page, the area's own pages.
    const nations = area.map((slug) => this.councils[slug] && this.councils[slug].nation)
      .filter((nation) => nation).map((nation) => NATION + nation);
    return [...new Set([COMMON, ...nations, ...area])];
  }

  lacking(area) {
    const council = area.length ? this.councils[area[0]] : null;
    return new Set((council && council.lacks) || []);
  }

  knownWords() {
    const found = new Set();
    for (const group of this.groups) for (const phrase of group) for (const w of words(phrase)) found.add(w);
    for (const key of this.names.keys()) for (const w of key.split(" ")) found.add(w);
    for (const [slug, c] of Object.entries(this.councils)) {
      for (const w of words(`${c.name} ${c.short || ""} ${slug}`)) found.add(w);
    }
    return found;
  }
}

// -- the site's own words (the same rules as localgov/search/spelling.py) ------------------------

const MIN_CORRECTED = 4;
const TWO_EDITS_FROM = 9;
const SUGGESTION_EDITS = 2;
const SUGGESTIONS = 3;
const SUFFIXES = ["ing", "ed", "er", "es"];
const DIGIT = /[0-9]/;

export function stemKey(word) {
  const key = wordKey(word);
  for (const suffix of SUFFIXES) {
    if (key.endsWith(suffix) && key.length - suffix.length >= 4) return key.slice(0, -suffix.length);
  }
  return key;
}

export function distance(a, b, limit) {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous2 = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i, ...new Array(b.length).fill(0)];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        current[j] = Math.min(current[j], previous2[j - 2] + 1);
      }
    }
    if (Math.min(...current) > limit) return limit + 1;
    previous2 = previous;
    previous = current;
  }
  return previous[b.length] <= limit ? previous[b.length] : limit + 1;
}

export class SiteWords {
  constructor(data, extra = [], stopWords = new Set()) {
    this.counts = new Map(Object.entries((data && data.words) || {}));
    for (const word of extra) if (!this.counts.has(word)) this.counts.set(word, 0);
    this.stems = new Map();
    for (const [word, count] of this.counts) this.stems.set(stemKey(word), (this.stems.get(stemKey(word)) || 0) + count);
    this.stopWords = stopWords;
    this.optional = new Set((data && data.optional) || []);
  }

  known(word) {
    return this.stopWords.has(word) || this.counts.has(word) || this.stems.has(stemKey(word));
  }

  respelt(word) {
    // A word no page has can look like a form of one ("swiming" is "swim" + "ing"): when a site word one
    // edit away is used by more pages than every form of that stem together, it is the word meant.
    if (this.stopWords.has(word) || this.counts.has(word) || word.length < MIN_CORRECTED || DIGIT.test(word)) {
      return null;
    }
    const near = this.near(word, 1, false);
    return near.length && this.counts.get(near[0]) > (this.stems.get(stemKey(word)) || 0) ? near[0] : null;
  }

  near(word, limit, sameStart) {
    const found = [];
    for (const [candidate, count] of this.counts) {
      if (candidate.length < MIN_CORRECTED || (sameStart && candidate[0] !== word[0]) || DIGIT.test(candidate)) continue;
      const edits = distance(word, candidate, limit);
      if (edits <= limit) found.push([edits, -count, candidate]);
    }
    found.sort((x, y) => x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0));
    return found.map((f) => f[2]);
  }

  correction(word) {
    if (word.length < MIN_CORRECTED || DIGIT.test(word)) return null;
    const limit = word.length >= TWO_EDITS_FROM ? 2 : 1;
    return this.near(word, limit, limit > 1)[0] || null;
  }

  suggestions(word) {
    if (word.length < MIN_CORRECTED || DIGIT.test(word)) return [];
    return this.near(word, SUGGESTION_EDITS, false).slice(0, SUGGESTIONS);
  }

  read(query) {
    const out = [];
    const corrected = [];
    const unknown = [];
    const suggestions = [];
    for (const word of words(query)) {
      const respelt = this.respelt(word);
      if (respelt !== null) {
        corrected.push([word, respelt]);
        out.push(respelt);
        continue;
      }
      if (this.known(word)) {
        out.push(word);
        continue;
      }
      const fixed = this.correction(word);
      if (fixed !== null) {
        corrected.push([word, fixed]);
        out.push(fixed);
      } else if (DIGIT.test(word) || this.optional.has(word)) {
        continue;
      } else {
        if (!unknown.includes(word)) unknown.push(word);
        out.push(word);
        for (const s of this.suggestions(word)) if (!suggestions.includes(s)) suggestions.push(s);
      }
    }
    return { text: out.join(" "), corrected, unknown, suggestions };
  }
}

// A full postcode anywhere in a query, as localgov/search/synonyms.py finds it.
const POSTCODE_IN_TEXT = /(?<![a-z0-9])([a-z]{1,2}[0-9][a-z0-9]?) ?([0-9][a-z]{2})(?![a-z0-9])/i;

export function splitPostcode(query) {
  const match = POSTCODE_IN_TEXT.exec(query);
  if (!match) return [query, null];
  const rest = `${query.slice(0, match.index)} ${query.slice(match.index + match[0].length)}`.trim();
  return [rest.split(/\s+/).filter(Boolean).join(" "), `${match[1]} ${match[2]}`.toUpperCase()];
}

// -- searching with Pagefind -------------------------------------------------------------------

function pageOfUrl(url) {
  return String(url).replace(/^[a-z]+:\/\/[^/]+/, "").split("/").filter(Boolean)[0] || "";
}

async function variantsFor(area, load) {
  // Which pages each of the resident's councils has a variant of: one small file per council,
  // written by the build, so a result links to the resident's own council's page.
  const found = new Map();
  await Promise.all(area.map(async (council) => {
    try {
      const data = await load(`/search/councils/${council}.json`);
      found.set(council, new Set(data.pages || []));
    } catch (error) {
      found.set(council, new Set());
    }
  }));
  return found;
}

async function loadJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

export async function search(pagefind, vocabulary, query, options = {}) {
  const offset = options.offset || 0;
  const limit = options.limit || PAGE_SIZE;
  const reading = options.siteWords ? options.siteWords.read(query) : null;
  const searched = reading ? reading.text : query;
  const parsed = vocabulary.parse(searched);
  const named = parsed.councils;
  let area = named.length ? vocabulary.areaOf(named) : options.area || [];
  area = area.filter((slug, i) => slug in vocabulary.councils && area.indexOf(slug) === i);
  const outcome = {
    query, total: 0, results: [], area, named, councilPages: [], offset,
    typed: parsed.segments.map((s) => s.typed),
    corrected: reading ? reading.corrected : [], searched, unknown: reading ? reading.unknown : [],
    suggestions: reading ? reading.suggestions : [], rest: "",
  };
  if (parsed.segments.length && outcome.unknown.length) {
    // A word no page has: no page is a good answer, whatever the other words match.
    const rest = searched.split(" ").filter((w) => !outcome.unknown.includes(w)).join(" ");
    outcome.rest = vocabulary.parse(rest).segments.length ? rest : "";
    return outcome;
  }
  if (!parsed.segments.length) {
    // Only council names (or a postcode): the answer is those councils' own pages.
    outcome.councilPages = (named.length ? named : area.slice(0, 1)).map((slug) => ({
      url: here(`/councils/${slug}/`, slug), council: slug, councilName: vocabulary.councilName(slug),
    }));
    return outcome;
  }

  const filters = area.length ? { council: { any: vocabulary.scopes(area) } } : { council: COMMON };
  const jobs = [];
  parsed.segments.forEach((segment, number) => {
    for (const alternative of segment.alternatives) jobs.push({ number, alternative });
  });
  const load = options.loadJson || loadJson;
  const variantsPromise = area.length ? variantsFor(area, load) : Promise.resolve(new Map());
  const responses = await Promise.all(jobs.map((job) => pagefind.search(job.alternative.text, { filters })));
  // Pagefind also matches words that start with what was typed ("pass" finds "passport"). A quoted
  // word matches only itself (and its forms): a page must have every word of an alternative so.
  const exactWords = [...new Set(jobs.flatMap((job) => job.alternative.text.split(" ")))];
  const exactResponses = await Promise.all(exactWords.map((w) => pagefind.search(`"${w}"`, { filters })));
  const exact = new Map(exactWords.map((w, i) => [w, new Set(
    exactResponses[i] ? exactResponses[i].results.map((r) => r.id) : [])]));
  const docs = new Map();
  responses.forEach((response, i) => {
    if (!response) return;
    const { number, alternative } = jobs[i];
    const needed = alternative.text.split(" ").map((w) => exact.get(w));
    for (const result of response.results) {
      if (!needed.every((ids) => ids.has(result.id))) continue;
      let doc = docs.get(result.id);
      if (!doc) {
        doc = { result, scores: new Array(parsed.segments.length).fill(0) };
        docs.set(result.id, doc);
      }
      doc.scores[number] = Math.max(doc.scores[number], result.score * alternative.weight);
    }
  });
  // Every page has one common page, so the common pages found count the distinct pages found.
  // With an area the same searches run again on the common pages only: the index is loaded by now.
  const common = new Set();
  const commonResponses = area.length
    ? await Promise.all(jobs.map((job) => pagefind.search(job.alternative.text, { filters: { council: COMMON } })))
    : responses;
  for (const response of commonResponses) {
    for (const result of (response ? response.results : [])) {
      const doc = docs.get(result.id);
      if (doc && combine(doc.scores, vocabulary.coveragePower) > 0) common.add(result.id);
    }
  }
  const lacking = vocabulary.lacking(area);
  const ranked = [...docs.values()]
    .map((doc) => ({ ...doc, score: combine(doc.scores, vocabulary.coveragePower) }))
    .filter((doc) => doc.score > 0)
    .sort((a, b) => b.score - a.score || (a.result.id < b.result.id ? -1 : 1));

  // Walk down the documents, loading each one's data, until enough distinct pages are found.
  const wanted = offset + limit;
  const best = new Map();
  for (let i = 0; i < ranked.length && best.size < wanted; i += DATA_BATCH) {
    const batch = ranked.slice(i, i + DATA_BATCH);
    const data = await Promise.all(batch.map((doc) => doc.result.data()));
    batch.forEach((doc, k) => {
      const page = (data[k].meta && data[k].meta.page) || pageOfUrl(data[k].url);
      if (lacking.has(page)) return;
      if (!best.has(page) && best.size < wanted) best.set(page, { data: data[k], score: doc.score });
    });
  }
  const variants = await variantsPromise;
  outcome.total = Math.max(common.size, best.size);
  outcome.results = [...best].slice(offset).map(([page, { data, score }]) => {
    const meta = data.meta || {};
    const links = area
      .filter((council) => variants.get(council) && variants.get(council).has(page))
      .map((council) => ({ url: here(`/${page}/${council}/`, council), council, councilName: vocabulary.councilName(council) }));
    const base = { page, title: meta.title || page, summary: meta.summary || "", score, provider: meta.provider || "" };
    if (links.length) {
      return { ...base, url: links[0].url, council: links[0].council, councilName: links[0].councilName, also: links.slice(1) };
    }
    const scope = ((data.filters && data.filters.council) || [COMMON])[0];
    if (scope.startsWith(NATION)) {
      // One nation's text of a page none of the area's councils has a page of: show the common page.
      return { ...base, url: `/${page}/`, council: null, councilName: "", also: [] };
    }
    const council = scope !== COMMON ? scope : null;
    return {
      ...base, url: data.url, council,
      councilName: council ? meta.council || vocabulary.councilName(council) : "", also: [],
    };
  });
  return outcome;
}

// -- the search page ---------------------------------------------------------------------------

const PROVIDER_TEXT = {
  lower: t("Provided by your district, borough, city or unitary council"),
  upper: t("Provided by your county or unitary council"),
  all: t("Provided by your county and district councils, or your unitary council"),
};
const ARROWS = {
  prev: "m6.5938-0.0078125-6.7266 6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293-1.414-1.414z",
  next: "m8.107-0.0078125-1.4136 1.414 4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246-6.7266z",
};

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function link(href, text, attributes = {}) {
  return element("a", { class: "govuk-link", href, ...attributes }, text);
}

function storedArea() {
  for (const name of ["sessionStorage", "localStorage"]) {
    try {
      const raw = window[name].getItem(AREA_KEY);
      if (!raw) continue;
      const area = JSON.parse(raw);
      const slugs = [area && area.lower, area && area.county].filter((s) => typeof s === "string" && s);
      if (slugs.length) return slugs;
    } catch (error) {
      // Storage may be switched off, or hold something else: search without an area.
    }
  }
  return [];
}

function searchUrl(params, changes) {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) next.delete(key);
    else next.set(key, String(value));
  }
  return `/search/?${next}`;
}

function arrow(direction) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [name, value] of Object.entries({
    class: `govuk-pagination__icon govuk-pagination__icon--${direction}`, xmlns: ns, height: "13", width: "15",
    "aria-hidden": "true", focusable: "false", viewBox: "0 0 15 13",
  })) svg.setAttribute(name, value);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ARROWS[direction]);
  svg.append(path);
  return svg;
}

function pagination(params, current, pages) {
  if (pages < 2) return null;
  const nav = element("nav", { class: "govuk-pagination", "aria-label": t("Search results pages") });
  const title = (text) => element("span", { class: "govuk-pagination__link-title" }, text,
    element("span", { class: "govuk-visually-hidden" }, ` ${t("page")}`));
  if (current > 1) {
    const a = element("a", { class: "govuk-link govuk-pagination__link", href: searchUrl(params, { page: current - 1 }), rel: "prev" },
      arrow("prev"), title(t("Previous")));
    nav.append(element("div", { class: "govuk-pagination__prev" }, a));
  }
  const list = element("ul", { class: "govuk-pagination__list" });
  let last = 0;
  for (let number = 1; number <= pages; number++) {
    if (number !== 1 && number !== pages && Math.abs(number - current) > 1) continue;
    if (number - last > 1) list.append(element("li", { class: "govuk-pagination__item govuk-pagination__item--ellipsis" }, "\u22ef"));
    const here = number === current;
    list.append(element("li", { class: `govuk-pagination__item${here ? " govuk-pagination__item--current" : ""}` },
      element("a", {
        class: "govuk-link govuk-pagination__link", href: searchUrl(params, { page: number }),
        "aria-label": t("Page %(number)s", { number: String(number) }), "aria-current": here ? "page" : null,
      }, String(number))));
    last = number;
  }
  nav.append(list);
  if (current < pages) {
    const a = element("a", { class: "govuk-link govuk-pagination__link", href: searchUrl(params, { page: current + 1 }), rel: "next" },
      title(t("Next")), arrow("next"));
    nav.append(element("div", { class: "govuk-pagination__next" }, a));
  }
  return nav;
}

function resultItem(result) {
  const meta = [];
  if (result.council) {
    meta.push(element("p", { class: "govuk-body-s lg-meta govuk-!-margin-bottom-1 lg-search-result__council" },
      result.councilName));
    for (const other of result.also || []) {
      meta.push(element("p", { class: "govuk-body-s govuk-!-margin-bottom-1" }, `${t("Also from")} `,
        link(other.url, other.councilName)));
    }
  } else if (PROVIDER_TEXT[result.provider]) {
    meta.push(element("p", { class: "govuk-body-s lg-meta govuk-!-margin-bottom-1" }, PROVIDER_TEXT[result.provider],
      ": ", link(`${result.url}#find-your-council`, t("find your council"))));
  }
  return element("li", { class: "lg-search-result govuk-!-margin-bottom-6", "data-page": result.page },
    element("h2", { class: "govuk-heading-s govuk-!-margin-bottom-1" }, link(result.url, result.title)),
    result.summary ? element("p", { class: "govuk-body govuk-!-margin-bottom-1" }, result.summary) : null,
    ...meta);
}

function areaNotice(outcome, params, fromQuery) {
  if (!outcome.area.length) return null;
  const names = outcome.area.map((slug) => outcome.councilNames[slug]).filter(Boolean);
  const text = t("Showing pages for %(names)s.", { names: names.join(` ${t("and")} `) });
  if (fromQuery) return element("p", { class: "govuk-body lg-search-area" }, text);
  return element("p", { class: "govuk-body lg-search-area" }, text, " ",
    link(searchUrl(params, { area: "all", council: null, page: null }), t("Search pages for every council")));
}

function quoted(text) {
  return element("span", { class: "govuk-!-font-weight-bold" }, `\u2018${text}\u2019`);
}

function corrections(outcome, params) {
  if (!outcome.corrected.length) return null;
  return element("p", { class: "govuk-body lg-search-corrected" }, `${t("No pages have")} `,
    ...joinNodes(outcome.corrected.map(([typed]) => quoted(typed))), `. ${t("Showing results for")} `,
    link(searchUrl(params, { q: outcome.searched, page: null }), outcome.searched), ` ${t("instead")}.`);
}

function joinNodes(nodes) {
  return nodes.flatMap((node, i) => (i ? [i === nodes.length - 1 ? ` ${t("or")} ` : ", ", node] : [node]));
}

function nothingFound(outcome, params) {
  const nodes = [];
  if (outcome.unknown.length) {
    nodes.push(element("p", { class: "govuk-body" }, `${t("No pages on this site have")} `,
      ...joinNodes(outcome.unknown.map(quoted)), "."));
  } else {
    nodes.push(element("p", { class: "govuk-body" }, t("There are no matching pages.")));
  }
  const tries = [];
  for (const word of outcome.suggestions) {
    const text = outcome.searched.split(" ").map((w) => (outcome.unknown.includes(w) ? word : w)).join(" ");
    tries.push(link(searchUrl(params, { q: text, page: null }), text));
  }
  if (tries.length) nodes.push(element("p", { class: "govuk-body lg-search-suggestions" }, `${t("Did you mean")} `, ...joinNodes(tries), "?"));
  if (outcome.rest) {
    nodes.push(element("p", { class: "govuk-body" }, `${t("You can")} `,
      link(searchUrl(params, { q: outcome.rest, page: null }), t("search for \u2018%(rest)s\u2019", { rest: outcome.rest })),
      ` ${t("instead")}.`));
  }
  const own = outcome.area.map((slug) => [slug, outcome.councils[slug]]).filter(([, c]) => c && c.website)[0];
  if (own) {
    nodes.push(element("p", { class: "govuk-body lg-search-own-council" }, `${t("%(name)s may have what you are looking for on", { name: own[1].name })} `,
      link(own[1].website, t("its own website")), "."));
  }
  nodes.push(element("p", { class: "govuk-body" }, t("Improve your search results by:")),
    element("ul", { class: "govuk-list govuk-list--bullet" },
      element("li", {}, t("checking your spelling")),
      element("li", {}, t("using fewer or different words")),
      element("li", {}, `${t("browsing")} `, link(here("/#topics"), t("services by topic")), ` ${t("or")} `,
        link(here("/councils/"), t("finding your council")))));
  return nodes;
}

function render(container, outcome, params, page, fromQuery) {
  const nodes = [];
  const count = outcome.total + outcome.councilPages.length;
  nodes.push(element("p", { class: "govuk-body lg-search-count", id: "search-count" },
    element("span", { class: "govuk-!-font-weight-bold" }, count.toLocaleString("en-GB")),
    ` ${t(count === 1 ? "result" : "results")}`));
  const notice = areaNotice(outcome, params, fromQuery);
  if (notice) nodes.push(notice);
  const fixed = corrections(outcome, params);
  if (fixed) nodes.push(fixed);
  const list = element("ul", { class: "govuk-list lg-search-results__list", id: "search-list" });
  if (page === 1) {
    for (const hub of outcome.councilPages) {
      list.append(resultItem({
        page: `councils/${hub.council}`, url: hub.url, title: hub.councilName,
        summary: t("Services, contact details and who does what in this council's area."), also: [],
      }));
    }
  }
  for (const result of outcome.results) list.append(resultItem(result));
  if (list.children.length) nodes.push(list);
  if (!count) nodes.push(...nothingFound(outcome, params));
  const nav = pagination(params, page, Math.ceil(outcome.total / PAGE_SIZE));
  if (nav) nodes.push(nav);
  container.replaceChildren(...nodes);
}

function failed(container) {
  container.replaceChildren(element("p", { class: "govuk-body" }, `${t("Search is not working at the moment. You can")} `,
    link(here("/#topics"), t("browse services by topic")), ` ${t("or")} `, link(here("/councils/"), t("find your council")),
    ` ${t("instead")}.`));
}

async function start() {
  const container = document.getElementById("search-results");
  const input = document.getElementById("search-q");
  if (!container || !input) return;
  const params = new URLSearchParams(window.location.search);
  const typed = (params.get("q") || "").trim();
  input.value = typed;
  const [query, postcode] = splitPostcode(typed);
  if (!typed) {
    container.replaceChildren();
    return;
  }
  container.setAttribute("aria-busy", "true");
  container.replaceChildren(element("p", { class: "govuk-body" }, t("Searching\u2026")));
  try {
    const [pagefind, data, wordData] = await Promise.all([
      import("/pagefind/pagefind.js"),
      fetch("/search/synonyms.json").then((response) => response.json()),
      fetch("/search/words.json").then((response) => (response.ok ? response.json() : null)).catch(() => null),
    ]);
    await pagefind.options({ ranking: RANKING });
    const vocabulary = new Vocabulary(data);
    const siteWords = wordData ? new SiteWords(wordData, vocabulary.knownWords(), vocabulary.stopWords) : null;
    const council = params.get("council");
    let area = [];
    let fromPostcode = false;
    if (postcode) {
      // A postcode in the box scopes the search to its councils, as the postcode form does.
      const { normalisePostcode, findArea } = await import("/assets/localgov.bec944c041.js");
      const normal = normalisePostcode(postcode);
      const found = normal ? await findArea(normal).catch(() => null) : null;
      if (found && found.area) {
        area = vocabulary.areaOf([found.area.lower, found.area.county].filter(Boolean));
        fromPostcode = true;
      }
    }
    if (area.length) {
      // the postcode's area
    } else if (council && council in vocabulary.councils) area = vocabulary.areaOf([council]);
    else if (params.get("area") !== "all") area = storedArea();
    const page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
    const outcome = await search(pagefind, vocabulary, query || typed, { area, offset: (page - 1) * PAGE_SIZE, siteWords });
    outcome.councilNames = Object.fromEntries(outcome.area.map((slug) => [slug, vocabulary.councilName(slug)]));
    outcome.councils = Object.fromEntries(outcome.area.map((slug) => [slug, vocabulary.councils[slug]]));
    const titleBase = document.title.split(" \u2013 ").pop();
    document.title = `${t("Search results for \u201c%(typed)s\u201d", { typed })} \u2013 ${titleBase}`;
    render(container, outcome, params, page, outcome.named.length > 0 || fromPostcode);
    container.dataset.engine = "pagefind";
  } catch (error) {
    console.error(error);
    failed(container);
  } finally {
    container.removeAttribute("aria-busy");
  }
}

if (typeof document !== "undefined") start();
