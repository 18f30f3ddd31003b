// Progressive enhancement only: every page works without this file.
import { ErrorSummary, NotificationBanner, initAll } from "/assets/govuk-frontend.min.1012678a64.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// -----------------------------------------------------------------------------------------------
// The postcode journey
//
// A form with data-module="lg-postcode" (templates/partials/postcode_form.html) takes a postcode.
// We tidy and check it the way localgov.postcodes.normalise does, fetch the one static shard for
// its outcode (/postcodes/ME15.json) and the list of areas (/postcodes/areas.json), remember the
// area for the search page, and go to the council's page: on a service page the variant of the
// council that provides it, anywhere else the area's hub. Every other outcome gets a message
// beside the form that points to the A to Z of councils, which is also where the form goes
// without this script. Shard format: postcodes/README.md.
// -----------------------------------------------------------------------------------------------

/** Where the area is remembered, as {"lower": slug, "county": slug or null, "postcode": "ME15 6JQ"}. */
export const AREA_KEY = "localgov:area";

const SHARDS = "/postcodes/";

// The page's words in its language: a Welsh page carries them as JSON in its body's data-lg-messages attribute
// (English message -> Welsh, and under "@councils" the councils that have Welsh pages), from the catalogue in
// localgov/i18n.py. An English page has none.
const MESSAGES = readJson(document.body?.dataset.lgMessages);
const WELSH = document.documentElement.lang === "cy";
const WELSH_COUNCILS = new Set(Array.isArray(MESSAGES["@councils"]) ? MESSAGES["@councils"] : []);

/**
 * Return a message in the page's language, with its %(name)s parts filled in.
 * @param {string} text - the English message
 * @param {Record<string, string>} [parts]
 */
export function t(text, parts = {}) {
  const found = typeof MESSAGES[text] === "string" ? MESSAGES[text] : text;
  return found.replace(/%\((\w+)\)s/g, (whole, name) => (Object.hasOwn(parts, name) ? parts[name] : whole));
}

/** Return a page's URL in the language of this page: a Welsh page leads to Welsh pages where a council has them. */
function inLanguage(href, council) {
  return WELSH && WELSH_COUNCILS.has(council) ? `/cy${href}` : href;
}

const A_TO_Z = WELSH ? "/cy/councils/" : "/councils/";
const ERRORS = { empty: t("Enter a postcode"), invalid: t("Enter a real postcode") };
const ERROR_TITLE_PREFIX = `${t("Error")}: `;
/** Places with postcodes but no UK council (the ONS pseudo codes L99999999 and M99999999). */
const NO_COUNCIL_PLACES = { JE: "Jersey", GY: t("Guernsey"), IM: t("the Isle of Man") }; // Jersey is Jersey in Welsh

// What Python's str.split() treats as whitespace, and the dashes localgov.postcodes drops.
const SPACES = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g;
const DASHES = /[-\u2010-\u2014]/g;
// Outward code then inward code, exactly as in localgov/postcodes.py.
const POSTCODE = /^[A-PR-UWYZ](?:[0-9][0-9A-Z]?|[A-HK-Y][0-9][0-9A-Z]?)[0-9][ABD-HJLNP-UW-Z]{2}$/;

/**
 * Return `text` as a postcode in capitals with one space ("ME15 6JQ"), or null if it is not one.
 * @param {string} text - what the resident typed: "me156jq", " ME15  6JQ "
 * @returns {string | null}
 */
export function normalisePostcode(text) {
  const compact = String(text).replace(SPACES, "").replace(DASHES, "");
  if (!/^[\x00-\x7f]{5,7}$/.test(compact)) return null;
  const upper = compact.toUpperCase();
  if (!POSTCODE.test(upper) && upper !== "GIR0AA") return null;
  return `${upper.slice(0, -3)} ${upper.slice(-3)}`;
}

/**
 * Fetch JSON from this site: null when the file does not exist; throws on any other failure.
 * @param {string} url
 */
async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** @type {Promise<Array<[string, string | null] | null>> | null} */
let areaList = null;

/** Return the list of areas (id -> [lower council, county or null]), fetched once per page. */
function areas() {
  if (!areaList) {
    areaList = getJson(`${SHARDS}areas.json`).then((data) => {
      if (!data || !Array.isArray(data.areas)) throw new Error("areas.json has no list of areas");
      return data.areas;
    });
    areaList.catch(() => { areaList = null; }); // try again on the next search
  }
  return areaList;
}

/**
 * @typedef {{ lower: string, county: string | null }} Area
 * @typedef {{ status: "found" | "terminated" | "no-council" | "unknown", postcode: string, area?: Area }} Found
 */

/**
 * Find the area of a normalised postcode from its outcode's shard.
 * @param {string} postcode - "ME15 6JQ"
 * @returns {Promise<Found>} rejects when the shard or the areas cannot be fetched
 */
export async function findArea(postcode) {
  const [outward, inward] = postcode.split(" ");
  const pendingAreas = areas();
  pendingAreas.catch(() => {}); // not needed for an unknown postcode; handled when awaited below
  const shard = await getJson(`${SHARDS}${outward}.json`);
  const id = shard && shard.p && Object.hasOwn(shard.p, inward) ? shard.p[inward] : undefined;
  if (typeof id !== "number") return { status: "unknown", postcode };
  if (id === 0) return { status: "no-council", postcode };
  const entry = (await pendingAreas)[id];
  if (!Array.isArray(entry)) throw new Error(`areas.json has no area ${id}`);
  const area = { lower: entry[0], county: entry[1] || null };
  const terminated = Array.isArray(shard.t) && shard.t.includes(inward);
  return { status: terminated ? "terminated" : "found", postcode, area };
}

/**
 * Return where a form leads for an area: the service page of the council that provides it there
 * (null when none does), or the area hub when the form is not on a service page.
 * @param {HTMLFormElement} form - with data-page, data-provider and data-exceptions on service pages
 * @param {Area} area
 * @returns {string | null}
 */
export function destination(form, area) {
  const page = form.dataset.page;
  if (!page) return inLanguage(`/councils/${area.lower}/`, area.lower);
  // The tier rule, then the areas where a different council (or none, "") provides the page.
  let council = form.dataset.provider === "upper" ? area.county || area.lower : area.lower;
  const exceptions = readJson(form.dataset.exceptions);
  if (Object.hasOwn(exceptions, area.lower)) council = exceptions[area.lower];
  return council ? inLanguage(`/${page}/${council}/`, council) : null;
}

/** Parse a data attribute holding a JSON object; {} when it is missing or broken. */
function readJson(text) {
  try {
    const value = JSON.parse(text || "{}");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

/** Remember the resident's area for other pages (the search page filters by it). */
function remember(postcode, area) {
  try {
    localStorage.setItem(AREA_KEY, JSON.stringify({ lower: area.lower, county: area.county, postcode }));
  } catch {
    // Storage can be switched off; the journey works without it.
  }
}

// --- the form ------------------------------------------------------------------------------------

/** Forms with a search under way, so a second press of the button does not start another. */
const busy = new WeakSet();

/** @param {HTMLFormElement} form */
function enhance(form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy.has(form)) return;
    busy.add(form);
    form.setAttribute("aria-busy", "true");
    submit(form).finally(() => {
      busy.delete(form);
      form.removeAttribute("aria-busy");
    });
  });
}

/**
 * Check the postcode, find its area and go there, or say why not.
 * @param {HTMLFormElement} form
 */
async function submit(form) {
  const input = /** @type {HTMLInputElement} */ (form.querySelector('input[name="postcode"]'));
  clearError(form, input);
  clearMessage(form);
  if (input.value.replace(SPACES, "") === "") return showError(input, ERRORS.empty);
  const postcode = normalisePostcode(input.value);
  if (!postcode) return showError(input, ERRORS.invalid);
  input.value = postcode;

  let found;
  try {
    found = await findArea(postcode);
  } catch {
    return showMessage(form, messages.failed());
  }
  if (found.status === "unknown") return showMessage(form, messages.unknown(postcode));
  if (found.status === "no-council") return showMessage(form, messages.noCouncil(postcode));
  const href = destination(form, found.area);
  if (found.status === "terminated") return showMessage(form, messages.terminated(postcode, href, found.area));
  remember(postcode, found.area);
  if (!href) return showMessage(form, messages.notProvided(form, found.area));
  window.location.assign(href);
}

// --- errors: the GOV.UK error summary and error message, as govukErrorSummary and govukInput draw them

/**
 * Show `message` in an error summary at the top of the page and beside the field.
 * @param {HTMLInputElement} input
 * @param {string} message
 */
function showError(input, message) {
  const group = input.closest(".govuk-form-group");
  group.classList.add("govuk-form-group--error");
  const error = make("p", { id: `${input.id}-error`, class: "govuk-error-message" },
    make("span", { class: "govuk-visually-hidden" }, `${t("Error")}:`), ` ${message}`);
  input.before(error);
  input.classList.add("govuk-input--error");
  setDescribedBy(input, [...describedBy(input), error.id]);

  const summary = make("div", { class: "govuk-error-summary", "data-module": "govuk-error-summary" },
    make("div", { role: "alert" },
      make("h2", { class: "govuk-error-summary__title" }, t("There is a problem")),
      make("div", { class: "govuk-error-summary__body" },
        make("ul", { class: "govuk-list govuk-error-summary__list" },
          make("li", {}, make("a", { href: `#${input.id}` }, message))))));
  summaryPlace().prepend(summary);
  if (!document.title.startsWith(ERROR_TITLE_PREFIX)) document.title = ERROR_TITLE_PREFIX + document.title;
  new ErrorSummary(summary); // moves focus to the summary, and its link to the field
}

/** Return where an error summary goes: the top of <main>, inside its first column when it starts with one. */
function summaryPlace() {
  const main = document.querySelector("main") || document.body;
  const column = main.querySelector(":scope > .govuk-grid-row:first-child > [class*='govuk-grid-column']:first-child");
  return column || main;
}

/** @param {HTMLFormElement} form @param {HTMLInputElement} input */
function clearError(form, input) {
  const error = document.getElementById(`${input.id}-error`);
  if (!error) return;
  error.remove();
  input.classList.remove("govuk-input--error");
  setDescribedBy(input, describedBy(input).filter((id) => id !== error.id));
  input.closest(".govuk-form-group").classList.remove("govuk-form-group--error");
  document.querySelectorAll(".govuk-error-summary").forEach((summary) => {
    if (summary.querySelector(`a[href="#${input.id}"]`)) summary.remove();
  });
  if (document.title.startsWith(ERROR_TITLE_PREFIX)) document.title = document.title.slice(ERROR_TITLE_PREFIX.length);
}

function describedBy(input) {
  return (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
}

function setDescribedBy(input, ids) {
  if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
  else input.removeAttribute("aria-describedby");
}

// --- messages: a GOV.UK notification banner after the form ------------------------------------

const AZ_LINK = { href: A_TO_Z, text: t("A to Z of councils") };

/** What to say for each outcome that does not lead straight to a page: a heading and paragraphs. */
const messages = {
  unknown: (postcode) => ({
    heading: t("We could not find %(postcode)s", { postcode }),
    paragraphs: [[`${t("Check the postcode and try again, or find your council in the")} `, AZ_LINK, "."]],
  }),
  terminated: (postcode, href, area) => ({
    heading: t("%(postcode)s is no longer in use", { postcode }),
    paragraphs: [
      [t("Check the postcode on a recent letter or bill and try again.")],
      [`${t("You can also go to the")} `, {
        href: href || inLanguage(`/councils/${area.lower}/`, area.lower), text: t("page for the area it used to be in"),
      }, ` ${t("or find your council in the")} `, AZ_LINK, "."],
    ],
  }),
  noCouncil: (postcode) => {
    const place = NO_COUNCIL_PLACES[postcode.slice(0, 2)];
    if (!place) {
      return {
        heading: t("%(postcode)s is not in any council's area", { postcode }),
        paragraphs: [[`${t("The postcode directory does not link this postcode to a council. Find your council in the")} `,
          AZ_LINK, "."]],
      };
    }
    return {
      heading: t("%(postcode)s is in %(place)s", { postcode, place }),
      paragraphs: [
        [t("%(place)s is not part of the UK and has no UK council, so this site has no pages for it.",
          { place: `${place[0].toUpperCase()}${place.slice(1)}` })],
        [`${t("If your address is in England, Scotland, Wales or Northern Ireland, check the postcode or find your council in the")} `,
          AZ_LINK, "."],
      ],
    };
  },
  notProvided: (form, area) => {
    const nation = readJson(form.dataset.elsewhere)[area.lower];
    const bodies = readJson(form.dataset.bodies)[area.lower];
    const named = (Array.isArray(bodies) ? bodies : [])
      .map((slug) => document.getElementById(`provider-${slug}`))
      .filter(Boolean);
    const insets = [nation ? document.getElementById(`elsewhere-${nation}`) : null, ...named].filter(Boolean);
    const names = named.map((inset) => inset.dataset.name);
    return {
      heading: names.length
        ? t(names.length > 1 ? "%(names)s provide this service in your area" : "%(names)s provides this service in your area",
          { names: names.join(` ${t("and")} `) })
        : t("Councils in your area do not provide this service"),
      body: insets.flatMap((inset) => [...inset.childNodes].map((node) => node.cloneNode(true))),
      paragraphs: [[`${t("Find out")} `, {
        href: inLanguage(`/councils/${area.lower}/`, area.lower), text: t("what your councils do"),
      }, "."]],
    };
  },
  failed: () => ({
    heading: t("Sorry, we could not look up your postcode"),
    paragraphs: [[`${t("Check your internet connection and try again, or find your council in the")} `, AZ_LINK, "."]],
  }),
};

/** Return the message shown after a form, if any. */
function messageOf(form) {
  const next = form.nextElementSibling;
  return next && next.classList.contains("lg-postcode-message") ? next : null;
}

function clearMessage(form) {
  const message = messageOf(form);
  if (message) message.remove();
}

/**
 * Show a message after the form and move focus to it.
 * @param {HTMLFormElement} form
 * @param {{heading: string, body?: Node[], paragraphs: Array<Array<string | {href: string, text: string}>>}} message
 */
function showMessage(form, { heading, body = [], paragraphs }) {
  const titleId = `${form.querySelector("input").id}-message-title`;
  const content = make("div", { class: "govuk-notification-banner__content" },
    make("p", { class: "govuk-notification-banner__heading" }, heading), ...body);
  for (const parts of paragraphs) {
    content.append(make("p", { class: "govuk-body" }, ...parts.map((part) => (typeof part === "string"
      ? part : make("a", { class: "govuk-notification-banner__link", href: part.href }, part.text)))));
  }
  const banner = make("div", {
    class: "govuk-notification-banner lg-postcode-message", role: "alert",
    "aria-labelledby": titleId, "data-module": "govuk-notification-banner",
  },
  make("div", { class: "govuk-notification-banner__header" },
    make("h2", { class: "govuk-notification-banner__title", id: titleId }, t("Important"))),
  content);
  form.after(banner);
  new NotificationBanner(banner); // role="alert": moves focus to the banner
}

/**
 * Make an element with attributes and children (strings become text, never HTML).
 * @param {string} tag
 * @param {Record<string, string>} attributes
 * @param {...(Node | string)} children
 */
function make(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

document.querySelectorAll('form[data-module="lg-postcode"]').forEach(enhance);

// -----------------------------------------------------------------------------------------------
// The cookies page: a button that clears what the site keeps in the browser (AREA_KEY).
// -----------------------------------------------------------------------------------------------

for (const block of document.querySelectorAll('[data-module="lg-forget"]')) {
  const button = block.querySelector("button");
  const state = block.querySelector("#forget-state");
  const done = block.querySelector("#forget-done");
  const remembered = () => {
    try {
      return localStorage.getItem(AREA_KEY) !== null || sessionStorage.getItem(AREA_KEY) !== null;
    } catch {
      return false;
    }
  };
  if (state) {
    state.textContent = remembered()
      ? "This site remembers a postcode in this browser."
      : "This site remembers nothing in this browser.";
  }
  button?.addEventListener("click", (event) => {
    event.preventDefault();
    try {
      localStorage.removeItem(AREA_KEY);
      sessionStorage.removeItem(AREA_KEY);
    } catch {
      // Storage switched off: there is nothing kept to clear.
    }
    if (state) state.textContent = "This site remembers nothing in this browser.";
    if (done) done.textContent = "Cleared. This site no longer remembers your postcode.";
  });
}
