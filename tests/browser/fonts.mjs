// The fonts the browser draws some elements' text with, as the system resolved them:
// node fonts.mjs URL SELECTOR… prints JSON, one entry per selector:
// { selector, fonts: [family names, most glyphs first] } (the first element it matches).
import { launch } from './chromium.mjs';

const [url, ...selectors] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  await page.evaluate(() => document.fonts.ready);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const found = [];
  for (const selector of selectors) {
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    let fonts = [];
    if (nodeId) {
      const platform = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      fonts = platform.fonts
        .sort((a, b) => b.glyphCount - a.glyphCount)
        .map((f) => f.familyName);
    }
    found.push({ selector, fonts });
  }
  console.log(JSON.stringify(found));
} finally {
  await browser.close();
}
