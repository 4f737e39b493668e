// Workload 1, MLP-MNIST: one epoch over the bench's MNIST digits (a seeded,
// stratified sample from the `mnist` package), every system from the same
// initial weights (the library's seeded he init) and the same batch order
// (rows in the sample's seeded order, no shuffling). Each system is first
// checked against the float64 reference on the first few batches, then timed:
// one fit call of 1 + runs epochs, the first epoch (set-up, JIT) dropped, each
// later epoch one run (its wall time, from the epoch-end callbacks).
import { head, oneHotF32 } from '../lib/mnist.mjs';
import { trainReference, maxAbsDiff, flopsPerSample } from '../lib/reference.mjs';
import { initialWeights } from '../lib/ours.mjs';
import { createSystem, effectiveSpec, firstLine, OPTIONAL } from '../lib/systems.mjs';
import { stats, mapStats } from '../lib/timing.mjs';

const MLP = { sizes: [784, 128, 10], activations: ['relu', 'softmax'], loss: 'cross-entropy' };
const DEEP = { sizes: [784, 256, 128, 10], activations: ['relu', 'relu', 'softmax'], loss: 'cross-entropy' };

export const WORKLOADS = [
  { id: 'mlp-b64', title: 'MLP-MNIST 784-128-10, SGD lr 0.05, batch 64', ...MLP, optimizer: { type: 'sgd', lr: 0.05 }, batch: 64,
    systems: ['simd', 'relaxed', 'scalar', 'ts', 'tfjs-wasm', 'tfjs-cpu', 'brain.js'] },
  { id: 'mlp-b128', title: 'MLP-MNIST 784-128-10, SGD lr 0.05, batch 128', ...MLP, optimizer: { type: 'sgd', lr: 0.05 }, batch: 128,
    systems: ['simd', 'simd-2threads', 'relaxed', 'scalar', 'ts', 'tfjs-wasm', 'tfjs-cpu'] },
  { id: 'deep-adam-b64', title: 'Deeper MLP-MNIST 784-256-128-10, Adam lr 0.001, batch 64', ...DEEP, optimizer: { type: 'adam', lr: 0.001 }, batch: 64,
    systems: ['simd', 'relaxed', 'scalar', 'ts', 'tfjs-wasm'] },
];

/** Weight tolerance against the float64 reference after the check batches (float32 rounding, Adam's sign-like steps). */
const tolerance = (spec) => (spec.optimizer.type === 'adam' ? 2e-5 : 1e-6);

export async function run(ctx) {
  const out = [];
  for (const w of WORKLOADS) out.push(await runOne(w, ctx));
  return out;
}

async function runOne(w, ctx) {
  const { digits, runs, peak } = ctx;
  const ds = ctx.quick ? head(digits, 2 * w.batch) : digits; // --quick: two batches per epoch
  const fps = flopsPerSample(w.sizes);
  const initial = await initialWeights({ sizes: w.sizes, activations: w.activations, loss: w.loss, seed: 1 });
  const spec = { ...w, initial };
  const checkRows = Math.min(ds.rows, (ctx.quick ? 1 : 4) * w.batch);
  const check = head(ds, checkRows);
  const refs = new Map();
  const result = {
    id: w.id, title: w.title, network: w.sizes.join('-'), activations: w.activations, loss: w.loss, optimizer: w.optimizer,
    batch: w.batch, rows: ds.rows, runs, flopsPerSample: fps,
    protocol: `verify on the first ${checkRows} rows against the float64 reference; then fit 1 + ${runs} epochs of ${ds.rows} rows, drop the first, median of the rest`,
    results: [],
  };
  ctx.log(`\n${w.title} — ${ds.rows} digits, ${runs} timed epochs`);
  for (const name of w.systems) {
    const eff = effectiveSpec(name, spec);
    const key = `${eff.activations}|${eff.loss}|${eff.batch}`;
    if (!refs.has(key)) {
      refs.set(key, trainReference({ ...eff, x: check.x, t: oneHotF32(check.y, w.sizes[w.sizes.length - 1]), rows: check.rows }).layers);
    }
    const row = { system: name };
    const started = performance.now();
    let trainer;
    try {
      trainer = await createSystem(name, eff);
    } catch (e) {
      if (OPTIONAL.has(name)) { ctx.log(`  ${name}: skipped (${firstLine(e)})`); continue; }
      result.results.push({ ...row, error: firstLine(e) });
      ctx.log(`  ${name}: FAILED to start: ${firstLine(e)}`);
      continue;
    }
    try {
      row.config = trainer.config;
      // 1. verify
      await trainer.fitEpochs(check, 1);
      const diff = maxAbsDiff(trainer.getWeights(), refs.get(key));
      const tol = tolerance(eff);
      row.verified = { ok: diff <= tol, maxAbsDiff: diff, tolerance: tol, rows: checkRows, against: eff === spec ? 'float64 reference, same rule' : 'float64 reference of brain.js\'s rule (sigmoid, ½·Σ, per sample)' };
      if (!row.verified.ok) throw new Error(`verification failed: max |w − w_ref| = ${diff.toExponential(2)} > ${tol}`);
      // 2. warm up (epoch 1) and time (epochs 2…)
      trainer.setWeights(initial);
      const r = await trainer.fitEpochs(ds, 1 + runs);
      const secs = stats(r.epochSeconds.slice(1));
      row.epochSeconds = secs;
      row.samplesPerSecond = mapStats(secs, (s) => ds.rows / s);
      row.gflops = mapStats(secs, (s) => (ds.rows * fps) / s / 1e9);
      row.percentOfPeak = peak ? (100 * row.gflops.median) / peak : null;
      row.lastEpochLoss = r.loss;
      row.lossMeasure = eff === spec ? w.loss : 'mean squared error over the outputs (brain.js\'s own)';
      ctx.log(`  ${name.padEnd(9)} ${fmtInt(row.samplesPerSecond.median).padStart(9)} samples/s  ${row.gflops.median.toFixed(2).padStart(6)} GFLOP/s` +
        `  (verify ${diff.toExponential(1)})`);
    } catch (e) {
      row.error = firstLine(e);
      ctx.log(`  ${name}: FAILED: ${row.error}`);
    } finally {
      trainer.dispose();
    }
    row.wallSeconds = (performance.now() - started) / 1000; // set-up, check and timing together
    result.results.push(row);
  }
  const base = result.results.find((r) => r.system === 'ts' && r.samplesPerSecond);
  for (const r of result.results) if (r.samplesPerSecond && base) r.vsTs = r.samplesPerSecond.median / base.samplesPerSecond.median;
  return result;
}

const fmtInt = (v) => Math.round(v).toLocaleString('en-US');
