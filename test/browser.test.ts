// The browser bundle (dist/browser/backprop-wasm.js, built by `npm run build`) in
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): it
// loads without errors, every backend trains, simd and scalar end bit-identical
// to Node, and a page without WebAssembly SIMD falls back to scalar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import * as lib from '../src/index.js';
import { BUNDLE, checkBrowserSetup, launchChromium, root, STEP, timed, watchPage, type Chromium } from './browser/harness.js';
import { floats, trainIris, type IrisRun } from './browser/train-iris.mjs';

const FILES: Record<string, [string, string]> = {
  '/': [join(root, 'test/browser/index.html'), 'text/html'],
  '/train-iris.mjs': [join(root, 'test/browser/train-iris.mjs'), 'text/javascript'],
  '/backprop-wasm.js': [BUNDLE, 'text/javascript'],
};

let server: Server;
let base: string;
let browser: Chromium | undefined;

interface Loaded { page: Page; errors: string[] }

/** A fresh page on the test page; `noSimd` makes WebAssembly.validate say no before anything loads. */
async function open(noSimd = false): Promise<Loaded> {
  ready();
  const page = await timed(browser!.context.newPage(), 'new page');
  page.setDefaultTimeout(STEP);
  const errors = watchPage(page);
  if (noSimd) await page.addInitScript(() => { WebAssembly.validate = () => false; });
  await page.goto(base + '/', { waitUntil: 'load', timeout: STEP });
  await page.waitForFunction(() => (window as unknown as { bpReady?: boolean }).bpReady === true, null, { timeout: STEP });
  return { page, errors };
}

const inPage = (page: Page, backend?: string): Promise<IrisRun> =>
  timed(page.evaluate((b) => (window as unknown as { trainIris(b?: string): Promise<IrisRun> }).trainIris(b), backend),
    `training on ${backend ?? 'the default backend'} in Chromium`);

// A setup failure (no chromium, no bundle, no launch) fails every test with its message, none is skipped.
let setupError: Error | undefined;
const ready = () => { if (setupError) throw setupError; };

beforeAll(async () => {
  try { await setup(); } catch (e) { setupError = e as Error; }
}, 30_000);

async function setup(): Promise<void> {
  checkBrowserSetup();
  server = createServer((req, res) => {
    const file = FILES[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(readFileSync(file[0]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchChromium();
}

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}, 15_000);

describe('browser bundle in headless Chromium', () => {
  it('loads with no console errors and no page errors', async () => {
    const { page, errors } = await open();
    expect(await timed(page.textContent('#status'), 'read status')).toBe('ready');
    expect(await timed(page.evaluate(() => (window as unknown as { bp: typeof lib }).bp.simdSupported()), 'simdSupported')).toBe(true);
    expect(errors).toEqual([]);
    await timed(page.close(), 'close page');
  }, 30_000);

  it('trains the same seeded Iris network as Node: simd and scalar bit-identical, ts within 1e-5', async () => {
    const { page, errors } = await open();
    for (const backend of ['simd', 'scalar', 'ts'] as const) {
      const browser = await inPage(page, backend);
      const node = await trainIris(lib, backend);
      expect(browser.backend).toBe(backend);
      expect(browser.reloadedSame).toBe(true);
      expect(node.reloadedSame).toBe(true);
      expect(browser.loss).toHaveLength(5);
      expect(browser.loss[4]).toBeLessThan(browser.loss[0]);
      expect(browser.accuracy).toBeGreaterThan(0.7);
      expect(browser.layers).toHaveLength(2);
      if (backend === 'ts') {
        browser.layers.forEach((l, i) => {
          for (const key of ['weights', 'bias'] as const) {
            const a = floats(l[key]), b = floats(node.layers[i][key]);
            expect(a).toHaveLength(b.length);
            a.forEach((v, j) => expect(Math.abs(v - b[j]), `ts ${key} ${i}[${j}]`).toBeLessThanOrEqual(1e-5));
          }
        });
      } else {
        expect(browser.layers, `${backend}: weight bytes`).toEqual(node.layers);
        expect(browser.predictHex, `${backend}: prediction bytes`).toBe(node.predictHex);
        expect(browser.loss, `${backend}: losses`).toEqual(node.loss);
      }
    }
    expect(errors).toEqual([]);
    await timed(page.close(), 'close page');
  }, 30_000);

  it('falls back to scalar where WebAssembly SIMD is missing, and still trains', async () => {
    const { page, errors } = await open(true);
    expect(await timed(page.evaluate(() => (window as unknown as { bp: typeof lib }).bp.simdSupported()), 'simdSupported')).toBe(false);
    const run = await inPage(page); // no backend: the default
    expect(run.backend).toBe('scalar');
    expect(run.loss[4]).toBeLessThan(run.loss[0]);
    expect(run.layers).toEqual((await trainIris(lib, 'scalar')).layers);
    expect(errors).toEqual([]);
    await timed(page.close(), 'close page');
  }, 30_000);
});
