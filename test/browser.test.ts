// The browser bundle (dist/browser/backprop-wasm.js, built by `npm run build`) in
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): it
// loads without errors, every backend trains, simd and scalar end bit-identical
// to Node, and a page without WebAssembly SIMD falls back to scalar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import * as lib from '../src/index.js';
import { floats, trainIris, type IrisRun } from './browser/train-iris.mjs';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = join(root, 'dist/browser/backprop-wasm.js');
const FILES: Record<string, [string, string]> = {
  '/': [join(root, 'test/browser/index.html'), 'text/html'],
  '/train-iris.mjs': [join(root, 'test/browser/train-iris.mjs'), 'text/javascript'],
  '/backprop-wasm.js': [BUNDLE, 'text/javascript'],
};
const STEP = 10_000; // every browser operation

/** A promise that rejects after `ms` (page.evaluate has no timeout of its own). */
function timed<T>(p: Promise<T>, what: string, ms = STEP): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]);
}

let server: Server;
let base: string;
let context: BrowserContext | undefined;
let profile: string;

interface Loaded { page: Page; errors: string[] }

/** A fresh page on the test page; `noSimd` makes WebAssembly.validate say no before anything loads. */
async function open(noSimd = false): Promise<Loaded> {
  ready();
  const page = await timed(context!.newPage(), 'new page');
  page.setDefaultTimeout(STEP);
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
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
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it)`);
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build`);
  const bundle = readFileSync(BUNDLE, 'utf8');
  for (const v of ['simd', 'scalar'])
    if (!bundle.includes(readFileSync(join(root, `build/backprop.${v}.wasm`)).toString('base64')))
      throw new Error(`${BUNDLE} does not hold the current build/backprop.${v}.wasm (stale bundle): run npm run build`);
  server = createServer((req, res) => {
    const file = FILES[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' }).end(readFileSync(file[0]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  profile = mkdtempSync(join(tmpdir(), 'backprop-wasm-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, timeout: 15_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

afterAll(async () => {
  await context?.close().catch(() => {});
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (profile) rmSync(profile, { recursive: true, force: true });
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
