// What the browser suites share: Debian's headless Chromium driven by playwright-core
// (never a downloaded browser), a timeout for every browser operation, a record of
// everything a page complains about, and the check that the browser bundle is current.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const BUNDLE = join(root, 'dist/browser/backprop-wasm.js');
/** every browser operation */
export const STEP = 10_000;

/** A promise that rejects after `ms` (page.evaluate has no timeout of its own). */
export function timed<T>(p: Promise<T>, what: string, ms = STEP): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]);
}

/** Throws, saying what to do, when Chromium or the browser bundle is missing, or the bundle is stale. */
export function checkBrowserSetup(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it)`);
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build`);
  const bundle = readFileSync(BUNDLE, 'utf8');
  for (const v of ['simd', 'scalar'])
    if (!bundle.includes(readFileSync(join(root, `build/backprop.${v}.wasm`)).toString('base64')))
      throw new Error(`${BUNDLE} does not hold the current build/backprop.${v}.wasm (stale bundle): run npm run build`);
}

export interface Chromium { context: BrowserContext; close(): Promise<void> }

/** Headless Chromium with a throw-away profile. */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'backprop-wasm-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, timeout: 15_000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    return {
      context,
      async close() {
        await context.close().catch(() => {});
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}

/** Collects the page's console errors (and warnings, when asked), uncaught errors and failed requests. */
export function watchPage(page: Page, { warnings = false } = {}): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || (warnings && m.type() === 'warning')) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  return problems;
}
