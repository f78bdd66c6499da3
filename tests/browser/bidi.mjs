// Where each character of some words lands on screen, and where the character after each word
// lands: node bidi.mjs URL WORD… prints JSON, one entry per word:
// { word, lefts: [x of each character], right, next: { char, left, right } | null }.
import { launch } from './chromium.mjs';

const [url, ...words] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  await page.evaluate(() => document.fonts.ready);
  const found = await page.evaluate((words) => {
    // The body's text as one string, with each character's node and offset.
    const body = document.querySelector('.article__body') ?? document.body;
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    const chars = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.data.length; i++) chars.push([n, i]);
    }
    const text = chars.map(([n, i]) => n.data[i]).join('');
    const box = (k) => {
      const range = document.createRange();
      range.setStart(chars[k][0], chars[k][1]);
      range.setEnd(chars[k][0], chars[k][1] + 1);
      return range.getBoundingClientRect();
    };
    return words.map((word) => {
      const at = text.indexOf(word);
      if (at < 0) return { word, lefts: [], right: null, next: null };
      const boxes = [...word].map((_, k) => box(at + k));
      let after = at + word.length;
      while (after < text.length && /\s/.test(text[after])) after++;
      const next = after < text.length
        ? { char: text[after], left: box(after).left, right: box(after).right }
        : null;
      return {
        word,
        lefts: boxes.map((b) => b.left),
        right: Math.max(...boxes.map((b) => b.right)),
        next,
      };
    });
  }, words);
  console.log(JSON.stringify(found));
} finally {
  await browser.close();
}
