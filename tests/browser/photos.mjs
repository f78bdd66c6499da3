// How a reader's browser meets a page's photos: node photos.mjs FOLDER PATH WIDTH SELECTOR
// serves FOLDER as a static host would (text gzipped), opens PATH in a WIDTH px wide window
// (one device pixel per CSS pixel) and prints JSON: { current: the file the SELECTOR <img>
// chose (currentSrc), transferred: bytes over the wire for the page and everything it loaded
// (resource timing), resources: [{ url, bytes }] }.
import { launch } from './chromium.mjs';
import { serve } from './serve.mjs';

const [folder, pagePath, width, selector] = process.argv.slice(2);
const server = await serve(folder, { gzip: true });
const browser = await launch();
try {
  const page = await browser.newPage({
    viewport: { width: Number(width), height: 844 },
    deviceScaleFactor: 1,
  });
  await page.goto(server.origin + pagePath, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  const found = await page.evaluate((selector) => {
    const img = document.querySelector(selector);
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance
      .getEntriesByType('resource')
      .map((r) => ({ url: r.name, bytes: r.transferSize }));
    return {
      current: img ? img.currentSrc : null,
      html: nav.transferSize,
      resources,
    };
  }, selector);
  found.transferred = found.html + found.resources.reduce((sum, r) => sum + r.bytes, 0);
  console.log(JSON.stringify(found));
} finally {
  await browser.close();
  await server.close();
}
