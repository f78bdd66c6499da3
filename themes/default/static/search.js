// The search page: Pagefind's JS API (the bundle nashra writes under pagefind/), no
// framework and nothing from a CDN. Results show title, date and excerpt, in the page's
// language and direction. `find` and `peel` are exported so tests can run the page's own
// query logic in Node.

/** Arabic diacritics, which Pagefind drops itself; the prefix checks below must too. */
const TASHKEEL = /[\u064B-\u065F\u0670]/g;

/** `word` without the rest of a ل or ك prefix Snowball's stemmer would keep, or null. */
function peelable(word) {
  const rest = word.slice(1);
  return /^[لك]/.test(word) && !/^[ال]/.test(rest) && [...rest].length >= 3 ? rest : null;
}

/**
 * An Arabic word with the prefixes Snowball's Arabic stemmer keeps taken off (و/ف before
 * ال, then ل/ك), ٱ read as ا: the same rules by which nashra indexes each page's words
 * (`peel` in src/search/mod.rs). Null when there is nothing to peel.
 */
export function peel(word) {
  const plain = word.replace(TASHKEEL, "").replaceAll("\u0671", "\u0627");
  let w = plain;
  if (/^[وف]/.test(w)) {
    const rest = w.slice(1);
    if ((rest.startsWith("ال") && [...rest].length >= 4) || (/^[لك]/.test(rest) && peelable(rest))) {
      w = rest;
    }
  }
  w = peelable(w) ?? w;
  return w.length < plain.length || word.includes("\u0671") ? w : null;
}

/**
 * Searches `pagefind` (Pagefind's API, or an instance of it) for `query` as typed and, when
 * peeling changes any word, as peeled too; a page found both ways keeps its better score.
 */
export async function find(pagefind, query, options = {}) {
  const words = query.trim().split(/\s+/);
  const peeled = words.map((w) => peel(w) ?? w).join(" ");
  const queries = peeled === words.join(" ") ? [query] : [query, peeled];
  const found = await Promise.all(queries.map((q) => pagefind.search(q, options)));
  const best = new Map();
  for (const result of found.flatMap((f) => f?.results ?? [])) {
    if (!best.has(result.id) || best.get(result.id).score < result.score) best.set(result.id, result);
  }
  return [...best.values()].sort((a, b) => b.score - a.score);
}

/** Wires the search form on the page: debounced input, results as a list. */
async function ui(form) {
  const input = form.querySelector("input[type=search]");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const text = (key) => form.dataset[key] ?? "";
  const pagefind = await import(form.dataset.pagefind);
  await pagefind.options({ excerptLength: 30 });
  let latest = 0;
  let timer;

  async function run() {
    const query = input.value.trim();
    const ticket = ++latest;
    const url = new URL(location.href);
    query ? url.searchParams.set("q", query) : url.searchParams.delete("q");
    history.replaceState(null, "", url);
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    const results = await find(pagefind, query);
    const shown = await Promise.all(results.slice(0, 20).map((r) => r.data()));
    if (ticket !== latest) return; // a newer query is under way
    status.textContent = results.length
      ? text("found").replace("{n}", results.length.toLocaleString(document.documentElement.lang))
      : text("none");
    list.replaceChildren(...shown.map(item));
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  input.value = new URL(location.href).searchParams.get("q") ?? "";
  if (input.value) run();
}

/** One result: title linking to the article, its date, and the excerpt Pagefind marked up. */
function item(data) {
  const li = document.createElement("li");
  li.className = "search-result";
  const h = document.createElement("h2");
  h.className = "search-result__title";
  const a = document.createElement("a");
  a.href = data.url;
  a.textContent = data.meta.title ?? data.url;
  h.append(a);
  li.append(h);
  if (data.meta.date) {
    const date = document.createElement("p");
    date.className = "search-result__date";
    date.textContent = data.meta.date;
    li.append(date);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "search-result__excerpt";
  // Pagefind escapes the page text and adds only <mark>.
  excerpt.innerHTML = data.excerpt;
  li.append(excerpt);
  return li;
}

const form = typeof document !== "undefined" ? document.querySelector("form[data-search]") : null;
if (form) ui(form);
