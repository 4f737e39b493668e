// Workload 5 (issue part 4), cost growth: the MLP 784-H-10 (relu, softmax +
// cross-entropy, SGD lr 0.05) swept over the batch size (H = 128) and over the
// hidden width H (batch 64), on simd, ts and TF.js wasm: samples/s and real
// GFLOP/s per point, so a user sees where each system wins. Each point is
// checked on one batch against the float64 reference, then timed like the
// MLP-MNIST workload (one fit of 1 + runs epochs, the first dropped), with an
// epoch of as many rows as take about `epochSeconds` (at least one batch),
// sized by a warm calibration epoch.
import { head, oneHotF32 } from '../lib/mnist.mjs';
import { trainReference, maxAbsDiff, flopsPerSample } from '../lib/reference.mjs';
import { initialWeights } from '../lib/ours.mjs';
import { createSystem, firstLine } from '../lib/systems.mjs';
import { stats, mapStats, now } from '../lib/timing.mjs';

export const SYSTEMS = ['simd', 'ts', 'tfjs-wasm'];
const pow2 = (from, to) => { const v = []; for (let x = from; x <= to; x *= 2) v.push(x); return v; };

export async function run(ctx) {
  const full = !ctx.quick;
  const batches = full ? pow2(1, 512) : [1, 32];
  const widths = full ? pow2(16, 1024) : [16, 256];
  const epochSeconds = full ? 0.25 : 0.03;
  const systems = SYSTEMS.filter((s) => ctx.peersOk || !s.startsWith('tfjs'));
  const out = {
    network: '784-H-10, relu, softmax + cross-entropy, SGD lr 0.05',
    protocol: `per point: verify one batch against the float64 reference (max |w − w_ref| ≤ 1e-6), then fit 1 + ${ctx.runs} epochs of ~${epochSeconds} s each (≥ 1 batch), drop the first, median of the rest`,
    systems, batchSweep: { width: 128, values: batches, points: [] }, widthSweep: { batch: 64, values: widths, points: [] },
  };
  ctx.log(`\nCost growth: batch sweep (H = 128) and width sweep (batch 64) on ${systems.join(', ')}`);
  for (const batch of batches) out.batchSweep.points.push(...await point(ctx, systems, 128, batch, epochSeconds));
  for (const width of widths) out.widthSweep.points.push(...await point(ctx, systems, width, 64, epochSeconds));
  return out;
}

async function point(ctx, systems, width, batch, epochSeconds) {
  const sizes = [784, width, 10], activations = ['relu', 'softmax'];
  const fps = flopsPerSample(sizes);
  const initial = await initialWeights({ sizes, activations, loss: 'cross-entropy', seed: 1 });
  const spec = { sizes, activations, loss: 'cross-entropy', optimizer: { type: 'sgd', lr: 0.05 }, batch, initial };
  const check = head(ctx.digits, batch);
  const ref = trainReference({ ...spec, x: check.x, t: oneHotF32(check.y), rows: check.rows }).layers;
  const points = [];
  const line = [];
  for (const system of systems) {
    const p = { system, width, batch, flopsPerSample: fps };
    let trainer;
    try {
      trainer = await createSystem(system, spec);
      await trainer.fitEpochs(check, 1);
      const diff = maxAbsDiff(trainer.getWeights(), ref);
      p.verified = { ok: diff <= 1e-6, maxAbsDiff: diff, tolerance: 1e-6, rows: batch };
      if (!p.verified.ok) throw new Error(`verification failed: max |w − w_ref| = ${diff.toExponential(2)}`);
      // Calibrate (and warm up): one epoch of 256 rows (128 in --quick; or one batch, if larger), then size the timed
      // epochs to ~epochSeconds, in whole batches, within the data set.
      const cap = ctx.digits.rows - (ctx.digits.rows % batch);
      const calibRows = ctx.quick ? 128 : 256;
      const calib = head(ctx.digits, Math.min(cap, Math.max(batch, calibRows - (calibRows % batch))));
      const t0 = now();
      await trainer.fitEpochs(calib, 1);
      const perRow = Math.max((now() - t0) / 1000 / calib.rows, 1e-7);
      const rows = Math.min(cap, Math.max(batch, Math.round(epochSeconds / perRow / batch) * batch));
      const ds = head(ctx.digits, rows);
      trainer.setWeights(initial);
      const r = await trainer.fitEpochs(ds, 1 + ctx.runs);
      const secs = stats(r.epochSeconds.slice(1));
      p.rows = rows;
      p.samplesPerSecond = mapStats(secs, (s) => rows / s);
      p.gflops = mapStats(secs, (s) => (rows * fps) / s / 1e9);
      p.percentOfPeak = ctx.peak ? (100 * p.gflops.median) / ctx.peak : null;
      line.push(`${system} ${Math.round(p.samplesPerSecond.median).toLocaleString('en-US')}/s ${p.gflops.median.toFixed(1)} GF`);
    } catch (e) {
      p.error = firstLine(e);
      line.push(`${system} FAIL`);
    } finally {
      trainer?.dispose();
    }
    points.push(p);
  }
  ctx.log(`  H ${String(width).padStart(4)}  batch ${String(batch).padStart(3)}:  ${line.join('  ')}`);
  return points;
}
