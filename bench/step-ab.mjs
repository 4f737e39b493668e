// Paired A/B of the training step between builds of this library, for changes
// worth a few percent that whole-fit runs on a noisy host cannot show. Each
// directory is a checkout after `npm run build`; for each it makes the MNIST
// 784-H-10 network on 1 thread and on T, trains one epoch, then calls the
// step itself (train_step / train_step_mt: an internal of the network, which
// a fit calls once a batch) in blocks of 8, every system in turn and the order
// reversed each round, so a slow spell of the host falls on all of them alike.
// Per build: step times (medians), and the T-thread speedup as the median of
// the round-by-round ratios; against the first build: the median of the
// round-by-round ratios of step times (below 1: faster).
//
//   node bench/step-ab.mjs [--batch 128] [--units 128] [--threads 2] [--rounds 200] DIR [DIR…]
import path from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadDigits } from './lib/mnist.mjs';

const usage = 'usage: node bench/step-ab.mjs [--batch N] [--units H[,H…]] [--threads T] [--rounds R] DIR [DIR…]';
function fail(message) {
  console.error(`error: ${message}`);
  process.exit(2);
}

const opts = { batch: 128, units: '128', threads: 2, rounds: 200 };
const dirs = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (!a.startsWith('--')) { dirs.push(a); continue; }
  const key = a.slice(2);
  if (!(key in opts)) fail(`unknown option ${a} (${usage})`);
  const v = argv[++i];
  if (v === undefined) fail(`${a} needs a value`);
  opts[key] = key === 'units' ? v : Number(v);
}
if (!dirs.length) fail(`no build directory given (${usage})`);
for (const k of ['batch', 'threads', 'rounds']) if (!Number.isInteger(opts[k]) || opts[k] < 1) fail(`--${k} must be a positive integer, got ${opts[k]}`);
const units = opts.units.split(',').map(Number);
if (units.some((u) => !Number.isInteger(u) || u < 1)) fail(`--units must be positive integers, got '${opts.units}'`);

const ROWS = 4000, BLOCK = 8, m = opts.batch;
if (m > ROWS) fail(`--batch is at most ${ROWS}`);
const digits = loadDigits({ rows: ROWS });
const med = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
const layers = [...units.map((u) => ({ units: u, activation: 'relu' })), { units: 10, activation: 'softmax' }];

const systems = [];
for (const dir of dirs) {
  const entry = path.resolve(dir, 'dist/index.js');
  if (!existsSync(entry)) fail(`${entry} not found: run npm run build in ${dir}`);
  const { createNetwork, matrix } = await import(pathToFileURL(entry).href);
  for (const threads of [1, opts.threads]) {
    const net = await createNetwork({ inputSize: 784, layers, optimizer: 'sgd', learningRate: 0.01, seed: 1, threads });
    await net.fit(matrix(ROWS, 784, digits.x), digits.y, { epochs: 1, batchSize: m, shuffle: false }); // fills the arena
    const k = net.k, L = net.plan, steps = Math.floor(ROWS / m);
    let j = 0;
    const at = () => L.idx + (j++ % steps) * m * 4;
    const step = threads > 1 ? () => k.train_step_mt(L.plan, L.ctrl, at(), m) : () => k.train_step(L.plan, at(), m);
    systems.push({ dir, threads, net, step, t: [] });
  }
}
for (const s of systems) for (let i = 0; i < 20; i++) s.step();
for (let r = 0; r < opts.rounds; r++) {
  for (const s of r % 2 ? [...systems].reverse() : systems) {
    s.step(); s.step(); // the first steps after another system's: caches and the workers' spin
    const t0 = performance.now();
    for (let b = 2; b < BLOCK; b++) s.step();
    s.t.push((performance.now() - t0) / (BLOCK - 2));
  }
}
for (const s of systems) s.net.dispose();

const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;
const ratio = (a, b) => med(a.t.map((v, i) => v / b.t[i])).toFixed(3);
const T = opts.threads;
console.log(`MNIST 784-${units.join('-')}-10, batch ${m}, ${opts.rounds} rounds of ${BLOCK - 2} timed steps`);
for (let i = 0; i < systems.length; i += 2) {
  const [one, many] = [systems[i], systems[i + 1]];
  const base = i ? ` | vs ${dirs[0]}: 1 thread ${ratio(one, systems[0])}×, ${T} threads ${ratio(many, systems[1])}×` : '';
  console.log(`${one.dir}: 1 thread ${us(med(one.t))}, ${T} threads ${us(med(many.t))} a step; speedup ${ratio(one, many)}× (paired)${base}`);
}
