// The day's edition as an e-mail, as a reader's mail client at 600 px shows it:
//
//   node email.mjs <output folder> <base URL> <screenshot folder> <e-mail path>…
//
// opens each built email.html (e.g. `editions/2024-11-20/email.html`) at its absolute URL,
// every request to the base URL answered from the output folder (an e-mail's links and
// images are absolute), in a 600 px wide window; reports its language, the computed
// direction of the page and of its first story's title, which side that title's first
// letter starts from, how far the title's edge is from the layout table's, and whether
// anything is wider than the window; saves a full-page screenshot of each. Prints one JSON
// object.
import { readFile } from "node:fs/promises";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { launch } from "./chromium.mjs";

const [folder, base, shots, ...paths] = process.argv.slice(2);
const WIDTH = 600;

const browser = await launch();
const out = { emails: [] };
try {
  await mkdir(shots, { recursive: true });
  const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 }, deviceScaleFactor: 1 });
  const failed = [];
  await page.route("**/*", async (route) => {
    const url = route.request().url();
    if (!url.startsWith(base)) {
      failed.push(url);
      return route.abort();
    }
    const file = path.join(folder, decodeURIComponent(new URL(url).pathname.slice(new URL(base).pathname.length)));
    try {
      const body = await readFile(file);
      const type = file.endsWith(".html") ? "text/html; charset=utf-8" : undefined;
      return route.fulfill({ body, contentType: type });
    } catch {
      failed.push(url);
      return route.fulfill({ status: 404, body: "" });
    }
  });
  for (const p of paths) {
    await page.goto(base + p, { waitUntil: "load" });
    const seen = await page.evaluate(() => {
      const title = document.querySelector(".title a") ?? document.querySelector("h2");
      const frame = title.closest("table");
      const text = document.createTreeWalker(title, NodeFilter.SHOW_TEXT).nextNode();
      const range = document.createRange();
      range.setStart(text, 0);
      range.setEnd(text, 1);
      const letter = range.getBoundingClientRect();
      const [heading, table] = [title.closest("h2").getBoundingClientRect(), frame.getBoundingClientRect()];
      const near = (a, b) => Math.abs(a - b) < 4;
      return {
        lang: document.documentElement.lang,
        dir: getComputedStyle(document.documentElement).direction,
        titleDir: getComputedStyle(title).direction,
        titleStarts: near(letter.right, heading.right) ? "right" : near(letter.left, heading.left) ? "left" : "neither",
        // The gap between the title's box and the layout table on each side.
        fromRight: Math.round(table.right - heading.right),
        fromLeft: Math.round(heading.left - table.left),
        tableWidth: Math.round(table.width),
        overflows: document.documentElement.scrollWidth > window.innerWidth,
        images: [...document.images].map((i) => ({ src: i.currentSrc, loaded: i.complete && i.naturalWidth > 0 })),
      };
    });
    const shot = path.join(shots, `${p.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    out.emails.push({ path: p, screenshot: shot, ...seen });
  }
  out.failed = failed;
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
