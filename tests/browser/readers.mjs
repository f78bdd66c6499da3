// The site as readers meet it, in headless Chromium:
//
//   node readers.mjs <output folder> <screenshot folder> <page path>…
//
// serves the built site on loopback and, for each page path (e.g. `/`, `/en/briefings/x/`),
// reports its language and computed direction, whether it overflows a phone's width, and
// axe-core's accessibility violations; then follows the Arabic article's language switcher,
// copies its link with the share block's button, searches "مالي" on the Arabic search page, and saves screenshots of the article pages at
// phone and desktop widths. Prints one JSON object.
import { createRequire } from "node:module";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { launch } from "./chromium.mjs";
import { serve } from "./serve.mjs";

const [folder, shots, ...paths] = process.argv.slice(2);
const axeScript = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

const server = await serve(folder);
const browser = await launch();
const out = { pages: [], switcher: null, rows: null, copy: null, search: null, screenshots: [] };
try {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));

  const open = async (p) => {
    const response = await page.goto(server.origin + p, { waitUntil: "load" });
    await page.evaluate(() => document.fonts.ready);
    return response?.status();
  };

  for (const p of paths) {
    const status = await open(p);
    const seen = await page.evaluate(() => {
      // Which side the main heading's first letter starts from: its edge against the
      // heading's own box (right in right-to-left text, left in left-to-right).
      const h1 = document.querySelector("main h1");
      let side = null;
      if (h1 && h1.firstChild) {
        const text = document.createTreeWalker(h1, NodeFilter.SHOW_TEXT).nextNode();
        const range = document.createRange();
        range.setStart(text, 0);
        range.setEnd(text, 1);
        const [letter, box] = [range.getBoundingClientRect(), h1.getBoundingClientRect()];
        const near = (a, b) => Math.abs(a - b) < 4;
        side = near(letter.right, box.right) ? "right" : near(letter.left, box.left) ? "left" : "neither";
      }
      return {
        lang: document.documentElement.lang,
        dir: getComputedStyle(document.documentElement).direction,
        mainDir: getComputedStyle(document.querySelector("main") ?? document.body).direction,
        notesDir: document.querySelector("#corrections") && getComputedStyle(document.querySelector("#corrections")).direction,
        headingStarts: side,
        title: document.title,
      };
    });
    await page.addScriptTag({ path: axeScript });
    // Every rule axe has (WCAG 2 A and AA, best practices), in the light and the dark scheme.
    const axe = { rules: 0, violations: [] };
    for (const colorScheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme });
      const found = await page.evaluate(async () => {
        const r = await window.axe.run(document);
        return {
          rules: r.passes.length + r.violations.length + r.incomplete.length,
          violations: r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
          })),
        };
      });
      axe.rules = Math.max(axe.rules, found.rules);
      axe.violations.push(...found.violations.map((v) => ({ scheme: colorScheme, ...v })));
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(PHONE);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    await page.setViewportSize(DESKTOP);
    out.pages.push({ path: p, status, ...seen, axe, phoneOverflow: overflow });
  }

  // The Arabic article's switcher leads to its English translation.
  const article = paths.find((p) => p.startsWith("/briefings/") && p.split("/").length > 3);
  if (article) {
    await open(article);
    const link = page.locator('.lang-switcher a[hreflang="en"]');
    await Promise.all([page.waitForNavigation(), link.click()]);
    out.switcher = {
      from: article,
      to: new URL(page.url()).pathname,
      lang: await page.evaluate(() => document.documentElement.lang),
      title: await page.title(),
    };

    for (const [name, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
      for (const [lang, p] of [["ar", article], ["en", out.switcher.to]]) {
        await page.setViewportSize(viewport);
        await open(p);
        await mkdir(shots, { recursive: true });
        const file = path.join(shots, `article-${lang}-${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        out.screenshots.push(file);
      }
    }
    await page.setViewportSize(DESKTOP);
  }

  // The article's copy-link button: shown once share.js runs, and it copies the address.
  if (article) {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
    await open(article);
    // Lists drawn as rows of pills: their first two items side by side, no bullets.
    out.rows = await page.evaluate(() =>
      Object.fromEntries(
        [".tags", ".share__list"].map((css) => {
          const items = [...document.querySelectorAll(`${css} > li`)];
          const [a, b] = items.map((li) => li.getBoundingClientRect());
          const bullets = items.some((li) => getComputedStyle(li).listStyleType !== "none");
          return [css, { items: items.length, row: !!(a && b && Math.abs(a.top - b.top) < 2), bullets }];
        }),
      ),
    );
    const item = page.locator("[data-share-copy]");
    out.copy = { shown: await item.isVisible(), status: null, copied: null };
    out.copy.url = await page.getAttribute('link[rel="canonical"]', "href");
    if (out.copy.shown) {
      await item.locator("button").click();
      await page
        .waitForFunction(() => document.querySelector(".share__status")?.textContent, null, {
          timeout: 5000,
        })
        .catch(() => {});
      out.copy.status = await page.locator(".share__status").textContent();
      out.copy.copied = await page
        .evaluate(() => navigator.clipboard.readText())
        .catch((e) => `not read: ${e.message}`);
    }
  }

  // Search as a reader does: type on the search page, wait for the results.
  if (paths.includes("/search/")) {
    await open("/search/");
    await page.fill("#search-input", "مالي");
    await page
      .waitForFunction(() => document.querySelectorAll("#search-results a").length > 0, null, {
        timeout: 30000,
      })
      .catch(() => {});
    out.search = await page.evaluate(() => ({
      status: document.getElementById("search-status")?.textContent ?? "",
      results: [...document.querySelectorAll("#search-results a")].map((a) => ({
        href: new URL(a.href).pathname,
        text: a.textContent.trim(),
      })),
    }));
  }
  out.scriptErrors = errors;
} finally {
  await browser.close();
  await server.close();
}
console.log(JSON.stringify(out));
