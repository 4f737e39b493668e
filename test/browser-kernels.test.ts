// The kernels' parity in headless Chromium, with the same assertions as in Node:
// test/browser/kernel-parity.ts (every kernel family over shapes with tails) is
// bundled for the page with the wasm inlined as in the browser bundle, run there
// and here. simd and scalar agree bit for bit with each other and across the two
// engines; ts agrees within a tolerance (it computes in f64 with the host's exp).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { checkBrowserSetup, launchChromium, root, STEP, timed, watchPage, type Chromium } from './browser/harness.js';
import { kernelParity, type ParityRun } from './browser/kernel-parity.js';
// @ts-expect-error: a build script, plain JavaScript
import { inlineWasm } from '../scripts/build-browser.mjs';

const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>kernel parity</title>
<script type="module">import { kernelParity } from './parity.js'; window.kernelParity = kernelParity; window.bpReady = true;</script>`;

let server: Server;
let base: string;
let browser: Chromium | undefined;
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    checkBrowserSetup();
    const built = await esbuild.build({
      entryPoints: [join(root, 'test/browser/kernel-parity.ts')], bundle: true, format: 'esm', target: 'es2022',
      platform: 'browser', external: ['node:*'], write: false, logLevel: 'warning', plugins: [inlineWasm],
    });
    const parity = built.outputFiles[0].text;
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      else if (path === '/parity.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(parity);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await launchChromium();
  } catch (e) { setupError = e as Error; }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}, 15_000);

describe('kernel parity in headless Chromium', () => {
  it('every kernel: simd = scalar to the bit, the same bits as in Node; ts within 1e-5', async () => {
    if (setupError) throw setupError;
    const page = await timed(browser!.context.newPage(), 'new page');
    const problems = watchPage(page);
    await page.goto(base + '/', { waitUntil: 'load', timeout: STEP });
    await page.waitForFunction(() => (window as unknown as { bpReady?: boolean }).bpReady === true, null, { timeout: STEP });
    const chromium = await timed(page.evaluate(() => (window as unknown as { kernelParity(): Promise<ParityRun> }).kernelParity()), 'kernel parity', 30_000);
    const node = await kernelParity();
    const names = Object.keys(node.simd);
    expect(names.length).toBeGreaterThan(30);
    expect(Object.keys(chromium.simd)).toEqual(names);
    for (const name of names) {
      expect(node.simd[name].hex, `Node: simd = scalar, ${name}`).toBe(node.scalar[name].hex);
      expect(chromium.simd[name].hex, `Chromium: simd = scalar, ${name}`).toBe(chromium.scalar[name].hex);
      expect(chromium.simd[name].hex, `Chromium = Node, ${name}`).toBe(node.simd[name].hex);
      for (const run of [node, chromium]) {
        const ts = run.ts[name].values, ref = run.scalar[name].values;
        expect(ts).toHaveLength(ref.length);
        const worst = Math.max(0, ...ts.map((v, i) => Math.abs(v - ref[i]) / Math.max(1, Math.abs(ref[i]))));
        expect(worst, `ts against scalar, ${name}`).toBeLessThanOrEqual(1e-5);
      }
    }
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
