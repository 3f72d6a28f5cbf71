// A static file server for the sandbox page (dist/web/), for `npm run web` and the browser tests.
// It serves files and nothing else: GET and HEAD only, no directory listings, no path outside the
// root (every request path is resolved and checked, symlinks included), the right MIME type for
// each file (application/wasm matters: WebAssembly.compileStreaming refuses anything else).
//
//   node scripts/serve-web.mjs [--port N] [--root DIR]     prints the URL, serves until killed

import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
};

/** The same policy as the page's <meta> tag, plus what only a header can say (frame-ancestors). */
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; " +
  "img-src 'self' data: blob:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'";

/**
 * The file under `root` that a request path names, or undefined when it names nothing servable:
 * not a clean absolute path, a "." or ".." segment, a NUL, an encoded slash, or (after symlinks
 * are resolved) anything outside root. A directory means its index.html.
 */
export async function resolveRequestPath(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (!path.startsWith("/") || path.includes("\0") || path.includes("\\")) return undefined;
  if (/%2f/i.test(urlPath)) return undefined;
  const segments = path.split("/").slice(1);
  if (segments.some((s) => s === "." || s === "..")) return undefined;
  const realRoot = await realpath(root);
  let file = resolve(realRoot, ...segments.filter((s) => s !== ""));
  if (file !== realRoot && !file.startsWith(realRoot + sep)) return undefined;
  try {
    file = await realpath(file);
    if (file !== realRoot && !file.startsWith(realRoot + sep)) return undefined;
    let st = await stat(file);
    if (st.isDirectory()) {
      file = await realpath(join(file, "index.html"));
      if (!file.startsWith(realRoot + sep)) return undefined;
      st = await stat(file);
    }
    return st.isFile() ? { file, size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

function send(res, status, text, head = false) {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "X-Content-Type-Options": "nosniff",
  });
  res.end(head ? undefined : text);
}

/**
 * Serve `root` on host:port (port 0: any free port). Resolves once listening, with the URL (always
 * ending in "/") and a close() that also drops open connections.
 */
export async function startServer({ root = "dist/web", port = 0, host = "127.0.0.1", log = () => {} } = {}) {
  const absRoot = resolve(root);
  await stat(join(absRoot, "index.html")).catch(() => {
    throw new Error(`${join(absRoot, "index.html")} not found: run \`npm run build\` first`);
  });
  const server = createServer(async (req, res) => {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      res.setHeader("Allow", "GET, HEAD");
      return send(res, 405, "method not allowed\n", head);
    }
    const urlPath = (req.url ?? "/").split("?")[0].split("#")[0];
    const found = await resolveRequestPath(absRoot, urlPath);
    if (!found) {
      log(`404 ${urlPath}`);
      return send(res, 404, "not found\n", head);
    }
    res.writeHead(200, {
      "Content-Type": MIME[extname(found.file).toLowerCase()] ?? "application/octet-stream",
      "Content-Length": found.size,
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": CSP,
      "Referrer-Policy": "no-referrer",
    });
    if (head) return res.end();
    createReadStream(found.file)
      .on("error", () => res.destroy())
      .pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok(undefined));
  });
  const addr = server.address();
  const url = `http://${host}:${addr.port}/`;
  return {
    url,
    port: addr.port,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok(undefined));
      }),
  };
}

function parseArgs(argv) {
  const out = { port: 0, root: "dist/web" };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].includes("=") ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    if (name === "--port") {
      const v = value();
      if (!/^\d+$/.test(v ?? "") || Number(v) > 65535) throw new Error(`--port: expected 0 to 65535, got ${JSON.stringify(v)}`);
      out.port = Number(v);
    } else if (name === "--root") {
      out.root = value();
      if (!out.root) throw new Error("--root: expected a directory");
    } else {
      throw new Error(`unknown argument ${JSON.stringify(argv[i])}; usage: serve-web.mjs [--port N] [--root DIR]`);
    }
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { port, root } = parseArgs(process.argv.slice(2));
    const { url } = await startServer({ root, port });
    console.log(`vfsim sandbox: ${url}`);
    console.log(`serving ${resolve(root)} on 127.0.0.1 only; Ctrl-C stops`);
  } catch (e) {
    console.error(`serve-web: ${e.message}`);
    process.exitCode = 2;
  }
}
