// Serves a built site from a folder on loopback, as a static host would: a folder's URL gives
// its index.html, files go out with their content type (module scripts and WASM need theirs),
// and nothing outside the folder can be reached.
import http from "node:http";
import { gzipSync } from "node:zlib";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".xml": "application/xml",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".txt": "text/plain; charset=utf-8",
};

// Text types a static host compresses (with `gzip`, as GitHub Pages or Netlify do).
const TEXT = new Set([".html", ".css", ".js", ".mjs", ".json", ".xml", ".svg", ".txt"]);

// Starts the server; returns { origin, served: () => bytes sent so far, close }. With
// `{ gzip: true }` text goes out gzipped to a client that accepts it.
export async function serve(folder, { gzip = false } = {}) {
  const root = path.resolve(folder);
  let served = 0;
  const server = http.createServer(async (req, res) => {
    let file = path.join(root, decodeURIComponent(new URL(req.url, "http://localhost").pathname));
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
      let body = await readFile(file);
      const type = TYPES[path.extname(file)] ?? "application/octet-stream";
      const headers = { "content-type": type };
      if (gzip && TEXT.has(path.extname(file)) && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
        body = gzipSync(body);
        headers["content-encoding"] = "gzip";
      }
      served += body.length;
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404, { "content-type": TYPES[".html"] }).end("not found");
    }
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    served: () => served,
    close: () => new Promise((done) => server.close(done)),
  };
}
