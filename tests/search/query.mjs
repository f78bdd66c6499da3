// Runs queries against a built site's Pagefind bundle, with Pagefind's own search script and
// WASM, as a browser would: the bundle is served on loopback by this script, so it loads its
// files with `fetch` as it does on a web server.
//
//   node query.mjs <output folder> [bundle folder] < queries.json
//
// The scripts come from the output folder (its pagefind/pagefind.js and the theme's
// search.js); the index they search from the bundle folder, <output folder>/pagefind unless
// another is given (such as one the Pagefind CLI wrote over the same pages).
//
// queries.json: [{"lang": "ar", "query": "مالي", "raw": false, "all": false}, …]. A query goes
// through the search page's own script (search.js, which peels Arabic prefixes the stemmer
// keeps), or with "raw" straight to Pagefind's `search`. Prints, in the same order, one
// {"urls": […], "titles": […], "excerpts": […], "contents": […], "bytes": n} per query: the
// first ten results, or with "all" every one; a content is the page's indexed text, which its
// excerpt is cut from; `bytes` is what the query downloaded from the server (entry, meta,
// WASM, index chunks and fragments; the first query of a language includes the loading).
// Plain Node, no packages.

import path from "node:path";
import { pathToFileURL } from "node:url";
import { serve } from "../browser/serve.mjs";

const root = path.resolve(process.argv[2] ?? "public");
const server = await serve(process.argv[3] ?? path.join(root, "pagefind"));
const basePath = `${server.origin}/`;

let input = "";
for await (const chunk of process.stdin) input += chunk;
const queries = JSON.parse(input);

// Pagefind's WASM glue is a module-level singleton, and a browser page loads one language:
// each language gets its own copy of the module (a distinct URL), reading the language from
// `<html lang>` as on the page.
const instances = new Map();
async function instance(lang) {
  if (!instances.has(lang)) {
    const url = pathToFileURL(path.join(root, "pagefind", "pagefind.js")).href;
    const html = { getAttribute: () => lang };
    globalThis.document = { currentScript: null, querySelector: (s) => (s === "html" ? html : null) };
    const pagefind = await import(`${url}?lang=${lang}`);
    const search = pagefind.createInstance({ basePath, baseUrl: "/" });
    await search.init();
    instances.set(lang, search);
  }
  return instances.get(lang);
}

const { find } = await import(pathToFileURL(path.join(root, "search.js")).href);
const out = [];
for (const { lang, query, raw = false, all = false } of queries) {
  const before = server.served();
  const pagefind = await instance(lang);
  const found = raw ? ((await pagefind.search(query))?.results ?? []) : await find(pagefind, query);
  const data = await Promise.all((all ? found : found.slice(0, 10)).map((r) => r.data()));
  out.push({
    urls: data.map((d) => d.url),
    titles: data.map((d) => d.meta.title),
    excerpts: data.map((d) => d.excerpt),
    contents: data.map((d) => d.content),
    bytes: server.served() - before,
  });
}
await server.close();
process.stdout.write(JSON.stringify(out));
