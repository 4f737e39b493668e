// The demo page (demo/, built into dist/demo/ by `npm run build`) end to end in
// headless Chromium, served by scripts/demo-server.mjs: it loads cleanly and
// cross-origin isolated, the backends switch, MNIST trains past 0.9 in a worker,
// stop stops, a drawn digit is classified, the article's Iris run gives Node's
// bits, and a screenshot lands in test-results/demo.png. The tests share one page
// and run in order (as a user would use it); each checks its own preconditions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import * as lib from '../src/index.js';
import { runArticleIris } from '../demo/iris.js';
import { checkBrowserSetup, launchChromium, root, STEP, timed, watchPage, type Chromium } from './browser/harness.js';
// @ts-expect-error -- plain ESM scripts without type declarations
import { staleDemo } from '../scripts/build-demo.mjs';
// @ts-expect-error -- plain ESM scripts without type declarations
import { startDemoServer } from '../scripts/demo-server.mjs';

const SCREENSHOT = join(root, 'test-results/demo.png');
const TRAIN_MS = 60_000; // simd must pass 0.9 validation accuracy within this

let server: { url: string; close(): Promise<void> } | undefined;
let browser: Chromium | undefined;
let page: Page;
let problems: string[] = [];

// A setup failure (no chromium, no or a stale build, no launch) fails every test with its message; none is skipped.
let setupError: Error | undefined;
const ready = () => { if (setupError) throw setupError; };

beforeAll(async () => {
  try {
    checkBrowserSetup();
    const stale = staleDemo() as string | null;
    if (stale) throw new Error(`the demo build is stale or missing: ${stale}; run npm run build`);
    server = await startDemoServer({ port: 0 });
    browser = await launchChromium();
    page = await timed(browser.context.newPage(), 'new page');
    await page.setViewportSize({ width: 1280, height: 900 });
    page.setDefaultTimeout(STEP);
    // The one warning the page may give (one thread where not cross-origin isolated) cannot
    // happen here, so warnings count as problems too.
    problems = watchPage(page, { warnings: true });
    await page.goto(server!.url, { waitUntil: 'load', timeout: STEP });
  } catch (e) {
    setupError = e as Error;
  }
}, 40_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 15_000);

const text = async (selector: string) => ((await timed(page.textContent(selector), `read ${selector}`)) ?? '').trim();
const number = async (selector: string) => Number((await text(selector)).replace(/,/g, ''));
const waitFor = (what: string, f: () => boolean, ms = STEP) =>
  timed(page.waitForFunction(f, null, { timeout: ms, polling: 50 }), what, ms + 1000);
const waitText = (selector: string, pattern: RegExp, ms = STEP) =>
  timed(page.waitForFunction(([s, p]) => new RegExp(p).test(document.querySelector(s)?.textContent?.trim() ?? ''), [selector, pattern.source] as const,
    { timeout: ms, polling: 50 }), `${selector} matching ${pattern}`, ms + 1000).catch(async (e) => {
    throw new Error(`${(e as Error).message.split('\n')[0]} (it says '${await text(selector)}'; #status says '${await text('#status')}')`);
  });
const runRows = () => page.$$eval('#runs tbody tr', (rows) => rows.map((r) => ({ ...(r as HTMLElement).dataset })));
const status = () => text('#status');

/** A stroke through canvas points (0–280 on both axes), with the real mouse. */
async function stroke(points: [number, number][]): Promise<void> {
  const pad = page.locator('#draw');
  await pad.scrollIntoViewIfNeeded(); // the mouse only reaches what is in the viewport
  const box = (await pad.boundingBox())!;
  const to = ([x, y]: [number, number]) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280] as const;
  await page.mouse.move(...to(points[0]));
  await page.mouse.down();
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    for (let s = 1; s <= 6; s++) await page.mouse.move(...to([a[0] + ((b[0] - a[0]) * s) / 6, a[1] + ((b[1] - a[1]) * s) / 6]));
  }
  await page.mouse.up();
}

interface Classified { prediction: string; probabilities: { digit: number; p: number }[]; hidden: number[] }
const classified = async (): Promise<Classified> => ({
  prediction: await text('#prediction'),
  probabilities: await page.$$eval('#probabilities [data-digit]', (bars) => bars.map((b) => ({ digit: Number((b as HTMLElement).dataset.digit), p: Number((b as HTMLElement).dataset.p) }))),
  hidden: await page.$$eval('#hidden [data-a]', (cells) => cells.map((c) => Number((c as HTMLElement).dataset.a))),
});

/** A drawn digit is classified: a digit, the most probable one, ten probabilities summing to 1, 128 relu activations. */
function expectClassified(c: Classified): void {
  expect(c.prediction).toMatch(/^[0-9]$/);
  expect(c.probabilities.map((b) => b.digit)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const sum = c.probabilities.reduce((s, b) => s + b.p, 0);
  expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-4);
  const top = c.probabilities.reduce((a, b) => (b.p > a.p ? b : a));
  expect(String(top.digit)).toBe(c.prediction);
  expect(c.hidden).toHaveLength(128);
  expect(c.hidden.every((a) => Number.isFinite(a) && a >= 0)).toBe(true);
  expect(c.hidden.some((a) => a > 0)).toBe(true);
}

const ONE: [number, number][] = [[140, 40], [140, 240]];
const SEVEN: [number, number][] = [[70, 50], [210, 50], [150, 150], [110, 240]];

describe('demo server', () => {
  /** The raw request path goes out as written (fetch would resolve the dots first). */
  const get = (path: string) => new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    ready();
    const url = new URL(server!.url);
    request({ host: url.hostname, port: url.port, path }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, headers: res.headers });
    }).on('error', reject).end();
  });

  it('serves dist/demo with the isolation headers and content types, 404s, and refuses traversal', async () => {
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8', 'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store',
    });
    expect((await get('/lib/browser/backprop-wasm.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const idx = await get('/build/mnist-digits-labels.idx');
    expect([idx.status, idx.headers['content-type'], idx.headers['cross-origin-embedder-policy']]).toEqual([200, 'application/octet-stream', 'require-corp']);
    const missing = await get('/nothing-here.js');
    expect([missing.status, missing.headers['cross-origin-opener-policy']]).toEqual([404, 'same-origin']);
    for (const path of ['/../package.json', '/lib/../../package.json', '/%2e%2e/package.json', '/lib/%2E%2E%2F%2e%2e%2Fpackage.json', '/..%5c..%5cpackage.json', '/%ZZ'])
      expect([path, (await get(path)).status]).toSatisfy(([, s]: [string, number]) => s === 400 || s === 403);
  });
});

describe('demo page in headless Chromium', () => {
  it('loads with no console errors or warnings, cross-origin isolated, and classifies a drawing before any training', async () => {
    ready();
    await waitText('#status', /^ready$/);
    await waitFor('the page wired up', () => document.body.dataset.ready === 'true');
    expect(await timed(page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer]), 'isolation')).toEqual([true, 'function']);
    expect(await text('#env')).toMatch(/SIMD: yes.*threads: available/);
    expect(await page.isVisible('#threads')).toBe(true);
    expect(await text('#epoch')).toBe('0');
    await stroke(ONE);
    await waitText('#prediction', /^[0-9]$/);
    expectClassified(await classified());
    await page.click('#clear');
    await waitText('#prediction', /^–$/);
    expect(problems).toEqual([]);
  }, 30_000);

  it('switches backends: scalar, then ts, each named in the status and the runs table, with a samples/s figure', async () => {
    ready();
    for (const backend of ['scalar', 'ts']) {
      const before = (await runRows()).length;
      await page.selectOption('#backend', backend);
      expect(await page.isDisabled('#threads')).toBe(true); // threads are simd's
      await page.click('#start');
      await waitText('#status', new RegExp(`^training \\(${backend}\\)`));
      await waitFor(`a samples/s figure on ${backend}`, () => Number(document.getElementById('samples-per-second')!.textContent!.replace(/,/g, '')) > 0);
      await page.click('#stop');
      await waitText('#status', /^stopped$/);
      const rows = await runRows();
      expect(rows).toHaveLength(before + 1);
      expect(rows.at(-1)).toMatchObject({ backend, outcome: 'stopped', threads: '1' });
      expect(Number(rows.at(-1)!.samplesPerSecond)).toBeGreaterThan(0);
      expect(await page.isEnabled('#start')).toBe(true);
    }
    expect(problems).toEqual([]);
  }, 30_000);

  it('passes the #threads choice: simd on 2 threads trains an epoch (the page is cross-origin isolated)', async () => {
    ready();
    const before = (await runRows()).length;
    await page.selectOption('#backend', 'simd');
    await page.selectOption('#threads', '2');
    await page.fill('#epochs', '1');
    await page.click('#start');
    await waitText('#status', /^training \(simd, 2 threads\)/);
    await waitText('#status', /^done$/, 30_000);
    const rows = await runRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ backend: 'simd', threads: '2', outcome: 'done' });
    expect(Number(rows.at(-1)!.accuracy)).toBeGreaterThan(0.9);
    expect(problems).toEqual([]);
  }, 40_000);

  it(`trains on simd in a worker past 0.9 validation accuracy within ${TRAIN_MS / 1000} s, the page responsive`, async () => {
    ready();
    await page.selectOption('#backend', 'simd');
    await page.selectOption('#threads', '1');
    await page.fill('#epochs', '50'); // longer than the test: the next one stops it
    await page.click('#start');
    await waitText('#status', /^training \(simd\)/);
    const t0 = Date.now();
    await waitFor('validation accuracy over 0.9', () => Number(document.getElementById('accuracy')!.textContent) > 0.9, TRAIN_MS);
    const seconds = (Date.now() - t0) / 1000;
    expect(await number('#accuracy')).toBeGreaterThan(0.9);
    expect(await number('#epoch')).toBeGreaterThanOrEqual(1);
    expect(await number('#samples-per-second')).toBeGreaterThan(0);
    // The chart has a point per finished epoch; the main thread answers while the worker trains.
    expect(await page.locator('#chart path.series.val-accuracy').count()).toBe(1);
    expect(await timed(page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(1)))), 'a frame while training', 2000)).toBe(1);
    expect(seconds).toBeLessThan(TRAIN_MS / 1000);
  }, TRAIN_MS + 15_000);

  it('stops: the status says stopped, the epoch stands still, and the run is in the table', async () => {
    ready();
    if (!(await status()).startsWith('training')) {
      // run on its own: start a long simd run and let one epoch pass
      await page.fill('#epochs', '50');
      await page.click('#start');
      await waitFor('one epoch', () => Number(document.getElementById('epoch')!.textContent) >= 1, 30_000);
    }
    // a few epochs for the chart in the screenshot to show a curve
    await waitFor('three epochs', () => Number(document.getElementById('epoch')!.textContent) >= 3, 30_000);
    const before = (await runRows()).length;
    await page.click('#stop');
    await waitText('#status', /^stopped$/);
    const epoch = await number('#epoch');
    expect(epoch).toBeLessThan(50);
    await page.waitForTimeout(1000);
    expect(await number('#epoch')).toBe(epoch);
    expect(await status()).toBe('stopped');
    const rows = await runRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ backend: 'simd', outcome: 'stopped' });
    expect(Number(rows.at(-1)!.accuracy)).toBeGreaterThan(0.9);
    expect(await page.isEnabled('#start')).toBe(true);
    expect(problems).toEqual([]);
  }, 45_000);

  it('classifies a drawn 1 and 7 with the trained network: prediction, probabilities summing to 1, hidden activations', async () => {
    ready();
    expect(Number((await runRows()).at(-1)?.accuracy)).toBeGreaterThan(0.9); // trained by now
    const seen: string[] = [];
    for (const digit of [ONE, SEVEN]) {
      await page.click('#clear');
      await waitText('#prediction', /^–$/);
      await stroke(digit);
      await waitText('#prediction', /^[0-9]$/);
      const c = await classified();
      expectClassified(c);
      seen.push(c.prediction);
    }
    // The downsampling makes MNIST-like digits: the trained network reads them right.
    expect(seen).toEqual(['1', '7']);
    expect(problems).toEqual([]);
  }, 30_000);

  it("runs the article's Iris example: Node's bits, a falling MSE and its plot", async () => {
    ready();
    await page.click('#iris-run');
    await waitText('#iris-mse', /^[0-9.]+$/);
    const node = await runArticleIris(lib, 'simd');
    expect(node.mse).toHaveLength(1000);
    // Same seed, same wasm: the page's log lines are Node's, digit for digit.
    const log = (await text('#iris-log')).split('\n');
    expect(log).toEqual(node.mse.flatMap((e, i) => (i % 100 === 0 ? [`Iterations: ${i} | Error: ${e}`] : [])));
    const first = Number(log[0].split('Error: ')[1]);
    expect(await number('#iris-mse')).toBeLessThan(first);
    expect(await text('#iris-mse')).toBe(node.finalMse.toFixed(4));
    expect(await text('#iris-accuracy')).toBe(node.testAccuracy.toFixed(4));
    const paths = await page.$$eval('#iris-plot path', (ps) => ps.map((p) => p.getAttribute('d') ?? ''));
    expect(paths).toHaveLength(1);
    expect(paths[0].match(/[ML]/g)).toHaveLength(1000);
    expect(problems).toEqual([]);
  }, 30_000);

  it('saves a screenshot of the whole page after training and drawing (test-results/demo.png)', async () => {
    ready();
    await page.click('#clear');
    await stroke(SEVEN);
    await waitText('#prediction', /^[0-9]$/);
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await timed(page.screenshot({ path: SCREENSHOT, fullPage: true }), 'screenshot');
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
    expect(problems).toEqual([]);
  }, 20_000);

  it('falls back where SIMD and cross-origin isolation are missing: scalar by default, no threads control, and it trains', async () => {
    ready();
    const bare = await timed(browser!.context.newPage(), 'new page');
    try {
      bare.setDefaultTimeout(STEP);
      const complaints = watchPage(bare, { warnings: true });
      await bare.addInitScript(() => { WebAssembly.validate = () => false; });
      // the same files without COOP/COEP: the page is then not cross-origin isolated
      await bare.route('**/*', async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers() };
        delete headers['cross-origin-opener-policy'];
        delete headers['cross-origin-embedder-policy'];
        await route.fulfill({ response, headers });
      });
      await bare.goto(server!.url, { waitUntil: 'load', timeout: STEP });
      await timed(bare.waitForFunction(() => document.getElementById('status')!.textContent === 'ready', null, { timeout: STEP }), 'ready without isolation');
      expect(await timed(bare.evaluate(() => crossOriginIsolated), 'isolation')).toBe(false);
      expect(await bare.textContent('#env')).toMatch(/SIMD: no.*threads: not available/);
      expect(await bare.isVisible('#threads')).toBe(false);
      expect(await bare.inputValue('#backend')).toBe('scalar');
      expect(await bare.isDisabled('#backend option[value="simd"]')).toBe(true);
      await bare.click('#start');
      await timed(bare.waitForFunction(() => /^training \(scalar\)/.test(document.getElementById('status')!.textContent!), null, { timeout: STEP }), 'training on scalar');
      await timed(bare.waitForFunction(() => Number(document.getElementById('samples-per-second')!.textContent!.replace(/,/g, '')) > 0, null, { timeout: STEP }), 'samples/s');
      await bare.click('#stop');
      await timed(bare.waitForFunction(() => document.getElementById('status')!.textContent === 'stopped', null, { timeout: STEP }), 'stopped');
      expect(await bare.$$eval('#runs tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.backend))).toEqual(['scalar']);
      expect(complaints).toEqual([]);
    } finally {
      await bare.close().catch(() => {});
    }
  }, 30_000);
});
