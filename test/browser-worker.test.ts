// trainInWorker and multi-threaded training in headless Chromium: Web Workers
// through the same code path as Node's worker_threads, the pool's threads over a
// shared memory where the page is cross-origin isolated (COOP/COEP headers), one
// thread and a warning where it is not, a crashing worker that rejects, and the
// library loaded by URL (dist/index.js fetching build/*.wasm) instead of inlined.
// Every run ends with the bits of the same run in Node on one thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type * as Lib from '../src/index.js';
import { BUNDLE, checkBrowserSetup, launchChromium, root, STEP, timed, watchPage, type Chromium } from './browser/harness.js';
import { trainSeeded, type SeededRun } from './browser/train-worker.mjs';

const lib = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof Lib;

const page = (entry: string) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>worker test</title>
<script type="module">
  import * as bp from '${entry}';
  import { trainSeeded } from './train-worker.mjs';
  window.bp = bp;
  window.trainSeeded = (o) => trainSeeded(bp, o);
  window.bpReady = true;
</script>`;
// A worker entry for moduleUrl that crashes once training has started.
const CRASH = `import { serveTrainingWorker as serve } from './backprop-wasm.js';
export function serveTrainingWorker() { serve(); setTimeout(() => { throw new Error('fixture: the worker crashed mid-training'); }, 20); }`;
const JS = 'text/javascript';
const ROUTES: Record<string, [string | (() => Buffer), string]> = {
  '/': [page('./backprop-wasm.js'), 'text/html'],
  '/by-url': [page('./dist/index.js'), 'text/html'],
  '/backprop-wasm.js': [() => readFileSync(BUNDLE), JS],
  '/train-worker.mjs': [() => readFileSync(join(root, 'test/browser/train-worker.mjs')), JS],
  '/crash-worker.js': [CRASH, JS],
  '/dist/index.js': [() => readFileSync(join(root, 'dist/index.js')), JS],
  ...Object.fromEntries(['simd', 'scalar', 'threads'].map((v) => [`/build/backprop.${v}.wasm`, [() => readFileSync(join(root, `build/backprop.${v}.wasm`)), 'application/wasm']])),
};

let server: Server;
let isolated: string, plain: string;
let browser: Chromium | undefined;
let setupError: Error | undefined;
const ready = () => { if (setupError) throw setupError; };

beforeAll(async () => {
  try {
    checkBrowserSetup();
    // One server, two kinds of page: /iso/… is cross-origin isolated (COOP/COEP), /plain/… is not; pages use relative URLs.
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const iso = url.pathname.startsWith('/iso/');
      const route = ROUTES[url.pathname.replace(/^\/(iso|plain)(?=\/)/, '')];
      if (!route) { res.writeHead(404).end(); return; }
      const headers: Record<string, string> = { 'content-type': route[1], 'cache-control': 'no-store' };
      if (iso) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      res.writeHead(200, headers).end(typeof route[0] === 'string' ? route[0] : route[0]());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    isolated = `${base}/iso`;
    plain = `${base}/plain`;
    browser = await launchChromium();
  } catch (e) { setupError = e as Error; }
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}, 15_000);

async function open(base: string, path = '/'): Promise<{ page: Page; problems: string[] }> {
  ready();
  const page = await timed(browser!.context.newPage(), 'new page');
  page.setDefaultTimeout(STEP);
  const problems = watchPage(page, { warnings: true });
  await page.goto(base + path, { waitUntil: 'load', timeout: STEP });
  await page.waitForFunction(() => (window as unknown as { bpReady?: boolean }).bpReady === true, null, { timeout: STEP });
  return { page, problems };
}

const run = (page: Page, o: Parameters<typeof trainSeeded>[1]): Promise<SeededRun> =>
  timed(page.evaluate((opts) => (window as unknown as { trainSeeded(o: unknown): Promise<SeededRun> }).trainSeeded(opts), o), `trainSeeded ${JSON.stringify(o)}`, 20_000);

describe('trainInWorker and threads in headless Chromium', () => {
  it('trainInWorker in a Web Worker: the bits of a one-thread fit in Node, epochs streamed', async () => {
    const { page, problems } = await open(plain);
    for (const backend of ['simd', 'scalar'] as const) {
      const node = await trainSeeded(lib, { backend });
      const worker = await run(page, { where: 'worker', backend });
      expect(worker.backend).toBe(backend);
      expect(worker.streamed).toBe(8);
      expect(worker.layers, backend).toEqual(node.layers);
      expect(worker.loss).toEqual(node.loss);
    }
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('cross-origin isolated: 2 threads on the page and inside a worker, the bits of one thread', async () => {
    const { page, problems } = await open(isolated);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const node = await trainSeeded(lib);
    const here = await run(page, { threads: 2 });
    expect(here.threads).toBe(2);
    expect(here.layers).toEqual(node.layers);
    expect(here.loss).toEqual(node.loss);
    const inWorker = await run(page, { where: 'worker', threads: 2 });
    expect(inWorker.layers).toEqual(node.layers);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('not isolated: threads fall back to one, with one warning, and the same bits', async () => {
    const { page, problems } = await open(plain);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    const here = await run(page, { threads: 2 });
    expect(here.threads).toBe(1);
    expect(here.layers).toEqual((await trainSeeded(lib)).layers);
    expect(problems).toEqual(['console warning: backprop-wasm: shared memory is not available here (a page must be cross-origin isolated): training on one thread']);
    await page.close();
  }, 60_000);

  it('a worker that crashes rejects with its message; an abort resolves with history.aborted', async () => {
    const { page } = await open(isolated);
    const out = await timed(page.evaluate(async () => {
      const bp = (window as unknown as { bp: typeof Lib }).bp;
      const iris = bp.loadIris();
      const spec = { inputSize: 4, layers: [{ units: 8 }, { units: 3, activation: 'softmax' as const }] };
      const crashed = await bp.trainInWorker(spec, iris.x, iris.y, { epochs: 1e6, moduleUrl: new URL('/iso/crash-worker.js', location.href) })
        .then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`);
      const ac = new AbortController();
      const r = await bp.trainInWorker(spec, iris.x, iris.y, { epochs: 1e6, signal: ac.signal, onEpochEnd: (e) => { if (e === 20) ac.abort(); } });
      return { crashed, aborted: r.history.aborted, epochs: r.history.loss.length, predicted: r.network.predictClasses(iris.x).length };
    }), 'crash and abort', 20_000);
    expect(out.crashed).toMatch(/^BackpropError: the training worker failed: .*fixture: the worker crashed mid-training/);
    expect(out.aborted).toBe(true);
    expect(out.epochs).toBeGreaterThanOrEqual(20);
    expect(out.epochs).toBeLessThan(1e6);
    expect(out.predicted).toBe(150);
    await page.close();
  }, 60_000);

  it('the library by URL (dist/index.js fetching build/*.wasm) trains to the same bits as the inlined bundle', async () => {
    const { page, problems } = await open(plain, '/by-url');
    const node = await trainSeeded(lib);
    const byUrl = await run(page, {});
    expect(byUrl.layers).toEqual(node.layers);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
