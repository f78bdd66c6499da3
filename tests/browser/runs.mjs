// Where each character of some strings lands on screen, in a page's main text:
// node runs.mjs URL WIDTH ISOLATION STRING… prints JSON
// { scrolls, found: [{ text, at: [[[left, right, top] of each character] of each occurrence]] }.
// ISOLATION "off" first replaces every <bdi> with its content: the plain Unicode bidi
// algorithm, as a page without isolation shows the same text. `scrolls` is whether the page
// is wider than the viewport.
import { launch } from './chromium.mjs';

const [url, width, isolation, ...strings] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 900 } });
  await page.goto(url);
  await page.evaluate(() => document.fonts.ready);
  const found = await page.evaluate(([strings, off]) => {
    if (off) {
      for (const bdi of [...document.querySelectorAll('bdi')]) bdi.replaceWith(...bdi.childNodes);
    }
    // The main text as one string, with each character's node and offset.
    const main = document.querySelector('main') ?? document.body;
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    const chars = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.data.length; i++) chars.push([n, i]);
    }
    const text = chars.map(([n, i]) => n.data[i]).join('');
    const box = (k) => {
      const range = document.createRange();
      range.setStart(chars[k][0], chars[k][1]);
      range.setEnd(chars[k][0], chars[k][1] + 1);
      // The first box: a character that ends a line has a second, empty one on the next.
      const r = range.getClientRects()[0] ?? range.getBoundingClientRect();
      return [r.left, r.right, r.top];
    };
    const scrolls = document.documentElement.scrollWidth > document.documentElement.clientWidth;
    return {
      scrolls,
      found: strings.map((s) => {
        const at = [];
        for (let i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) {
          at.push([...s].map((_, k) => box(i + k)));
        }
        return { text: s, at };
      }),
    };
  }, [strings, isolation === 'off']);
  console.log(JSON.stringify(found));
} finally {
  await browser.close();
}
