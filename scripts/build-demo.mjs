// The demo page (demo/ → dist/demo/): esbuild bundles demo/main.ts into demo.js,
// the library's browser bundle is copied to lib/browser/ and the MNIST digits to
// build/. The demo does not bundle the library: it imports ./lib/browser/backprop-wasm.js
// at run time, the same file that trainInWorker's worker imports (by the bundle's own
// import.meta.url), and loadMnist() finds ../../build/*.idx from there as in the package.
// Needs dist/browser/ (scripts/build-browser.mjs) and build/*.idx (scripts/build-mnist.mjs).
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { BROWSER_BUNDLE } from './build-browser.mjs';

// Paths are relative to the package root, wherever this runs from.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => join(ROOT, path);
export const DEMO_OUT = 'dist/demo';
const LIBRARY = 'backprop-wasm';
const ASSETS = ['build/mnist-digits-images.idx', 'build/mnist-digits-labels.idx'];
const LIB_COPY = 'lib/browser/backprop-wasm.js';
const INFO = `${DEMO_OUT}/build-info.json`;

/** The files the built demo is made from. */
function demoInputs() {
  const sources = readdirSync(at('demo')).filter((f) => /\.(ts|html|css)$/.test(f)).sort().map((f) => `demo/${f}`);
  return [...sources, BROWSER_BUNDLE, ...ASSETS];
}

const sha256 = (path) => createHash('sha256').update(readFileSync(at(path))).digest('hex');

/** Why dist/demo/ does not match its sources (missing, or built from other files), or null when it does. */
export function staleDemo() {
  if (!existsSync(at(INFO))) return `${DEMO_OUT}/ is missing or incomplete (no build-info.json)`;
  const built = JSON.parse(readFileSync(at(INFO), 'utf8')).inputs ?? {};
  const now = demoInputs();
  for (const f of now) {
    if (!existsSync(at(f))) return `${f} is missing`;
    if (built[f] !== sha256(f)) return `${DEMO_OUT}/ was built from ${f in built ? 'another version of' : 'files without'} ${f}`;
  }
  const gone = Object.keys(built).filter((f) => !now.includes(f));
  if (gone.length) return `${DEMO_OUT}/ was built with ${gone.join(', ')}, which no longer exist${gone.length === 1 ? 's' : ''}`;
  const copies = [[BROWSER_BUNDLE, `${DEMO_OUT}/${LIB_COPY}`], ...ASSETS.map((f) => [f, `${DEMO_OUT}/${f}`])];
  for (const [from, to] of copies)
    if (!existsSync(at(to)) || sha256(to) !== sha256(from)) return `${to} is not a copy of ${from}`;
  for (const f of ['index.html', 'style.css'])
    if (!existsSync(at(`${DEMO_OUT}/${f}`)) || sha256(`${DEMO_OUT}/${f}`) !== sha256(`demo/${f}`)) return `${DEMO_OUT}/${f} is not a copy of demo/${f}`;
  if (!existsSync(at(`${DEMO_OUT}/demo.js`))) return `${DEMO_OUT}/demo.js is missing`;
  return null;
}

// `import … from 'backprop-wasm'` in demo/ (typed by the package's own types) becomes
// an import of the copied bundle, left for the browser to load.
const libraryAtRunTime = {
  name: 'library-at-run-time',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${LIBRARY}$`) }, () => ({ path: `./${LIB_COPY}`, external: true }));
  },
};

export async function buildDemo() {
  for (const f of [BROWSER_BUNDLE, ...ASSETS])
    if (!existsSync(at(f))) throw new Error(`build-demo: ${f} is missing (npm run build makes it)`);
  const out = at(DEMO_OUT);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'lib/browser'), { recursive: true });
  mkdirSync(join(out, 'build'), { recursive: true });
  // The hashes are taken before bundling, so an edit made meanwhile shows as stale.
  const inputs = Object.fromEntries(demoInputs().map((f) => [f, sha256(f)]));
  await esbuild.build({
    absWorkingDir: ROOT, entryPoints: ['demo/main.ts'], outfile: join(DEMO_OUT, 'demo.js'), bundle: true, format: 'esm', target: 'es2022',
    platform: 'browser', sourcemap: true, minify: true, logLevel: 'warning', plugins: [libraryAtRunTime],
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(at(`demo/${f}`), join(out, f));
  copyFileSync(at(BROWSER_BUNDLE), join(out, LIB_COPY));
  if (existsSync(at(`${BROWSER_BUNDLE}.map`))) copyFileSync(at(`${BROWSER_BUNDLE}.map`), join(out, `${LIB_COPY}.map`));
  for (const f of ASSETS) copyFileSync(at(f), join(out, f));
  writeFileSync(at(INFO), JSON.stringify({ generatedBy: 'scripts/build-demo.mjs', inputs }, null, 2) + '\n');
  console.log(`${DEMO_OUT}/: the demo page (npm run demo serves it)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildDemo();
