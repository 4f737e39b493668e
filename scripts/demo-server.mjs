// A tiny static server for the demo page (dist/demo/, built by `npm run build`).
// Every response is cross-origin isolated (COOP same-origin + COEP require-corp)
// so that the page has SharedArrayBuffer, which multi-threaded training needs.
//   node scripts/demo-server.mjs          (PORT=8080 by default)
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const DEMO_ROOT = fileURLToPath(new URL('../dist/demo/', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.idx': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  // same-origin resources pass COEP anyway; this also keeps other sites from embedding ours
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** The file under `root` that a request path names, or a status code when there is none to serve. */
async function locate(root, pathname) {
  let path;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return 400; // a malformed %-escape
  }
  // Checked after decoding, so %2e%2e and %2f are caught too; backslashes and NULs are never part of a file name here.
  if (path.includes('\0') || path.includes('\\') || path.split('/').includes('..')) return 403;
  let file = resolve(root, '.' + path);
  if (file !== root && !file.startsWith(root + sep)) return 403;
  try {
    let s = await stat(file);
    if (s.isDirectory()) {
      file = join(file, 'index.html');
      s = await stat(file);
    }
    return s.isFile() ? { file, size: s.size } : 404;
  } catch {
    return 404;
  }
}

/** Serves `root` (default dist/demo/); resolves when listening. Port 0 picks a free port. */
export async function startDemoServer({ port = 8080, host = '127.0.0.1', root = DEMO_ROOT } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const fail = (status) => res.writeHead(status, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end(`${status}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return fail(405);
    }
    // The raw URL, not new URL(): the WHATWG parser would resolve /a/../b before we could refuse it.
    const raw = (req.url ?? '/').split(/[?#]/)[0];
    if (!raw.startsWith('/')) return fail(400);
    const found = await locate(base, raw);
    if (typeof found === 'number') return fail(found);
    res.writeHead(200, {
      ...HEADERS,
      'content-type': TYPES[extname(found.file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': found.size,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(found.file).on('error', () => res.destroy()).pipe(res);
  });
  await new Promise((ok, ko) => {
    server.once('error', ko);
    server.listen(port, host, () => { server.off('error', ko); ok(); });
  });
  const { port: actual } = server.address();
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${actual}/`,
    close: () => new Promise((ok) => {
      server.close(() => ok());
      server.closeAllConnections(); // keep-alive sockets would hold close() open
    }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: PORT must be a port number, got '${process.env.PORT}'`);
    process.exit(2);
  }
  try {
    await stat(join(DEMO_ROOT, 'index.html'));
  } catch {
    console.error(`error: ${DEMO_ROOT} has no index.html: run npm run build first`);
    process.exit(2);
  }
  const { url } = await startDemoServer({ port, host: process.env.HOST ?? '127.0.0.1' }).catch((e) => {
    console.error(`error: cannot listen on port ${port}: ${e.message}`);
    process.exit(2);
  });
  console.log(`backprop-wasm demo: ${url}`);
}
