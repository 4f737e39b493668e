// Workload 6 (issue 7), threads: MLP-MNIST 784-128-10 (relu, softmax +
// cross-entropy, SGD lr 0.05) on the simd backend with its step on 1 thread and
// on 2 (createNetwork's threads), over the batch size 8…512: samples/s of each
// and the speedup, to show where a second thread stops paying. Each system is
// checked against the float64 reference on the first batches (and the 2-thread
// weights against the 1-thread ones, bit for bit: the threaded step splits
// outputs, never sums), then timed in alternating runs — 1 thread, 2 threads,
// 2 threads, 1 thread, … — so a burst of load elsewhere on the machine hits
// both, not just one. Each run is one fit of 1 + e epochs, the first (fit's
// set-up: the data copied into the arena) dropped.
import { head, oneHotF32 } from '../lib/mnist.mjs';
import { trainReference, maxAbsDiff, flopsPerSample } from '../lib/reference.mjs';
import { initialWeights } from '../lib/ours.mjs';
import { createSystem, firstLine } from '../lib/systems.mjs';
import { stats, mapStats, now } from '../lib/timing.mjs';

const NET = { sizes: [784, 128, 10], activations: ['relu', 'softmax'], loss: 'cross-entropy', optimizer: { type: 'sgd', lr: 0.05 } };
export const THREADS = [1, 2];
export const SYSTEMS = THREADS.map((t) => (t === 1 ? 'simd' : `simd-${t}threads`));
/** A speedup below this is a thread that does not pay for itself. */
export const PAYS = 1.1;
const TOL = 1e-6;
/** The batch the threads issue names: its speedup is the headline, so it gets HEADLINE_RUNS× the runs. */
const HEADLINE_BATCH = 128;
const HEADLINE_RUNS = 3;

export async function run(ctx) {
  const full = !ctx.quick;
  const batches = full ? [8, 16, 32, 64, 128, 256, 512] : [16, 128];
  const runSeconds = full ? 0.3 : 0.03; // timed work per run per system, at the 1-thread rate
  const initial = await initialWeights({ ...NET, seed: 1 });
  const fps = flopsPerSample(NET.sizes);
  const out = {
    network: '784-128-10, relu, softmax + cross-entropy, SGD lr 0.05', flopsPerSample: fps, threads: THREADS, systems: SYSTEMS, pays: PAYS,
    protocol: `per batch size: verify ${full ? 2 : 1} batch(es) against the float64 reference (max |w − w_ref| ≤ ${TOL}) and the ${THREADS.slice(1).join(', ')}-thread weights ` +
      `against the 1-thread ones (bit for bit); one warm-up fit each; then ${ctx.runs} runs per system (${ctx.runs * HEADLINE_RUNS} at batch ${HEADLINE_BATCH}), alternating, each a fit of 1 + e epochs (~${runSeconds} s of timed work), the first epoch dropped; median of the runs`,
    points: [],
  };
  ctx.log(`\nThreads: ${out.network}, ${SYSTEMS.join(' vs ')}, batch ${batches.join(', ')}`);
  for (const batch of batches) out.points.push(await point(ctx, batch, initial, fps, runSeconds, full ? 2 : 1));
  const ok = out.points.filter((p) => p.speedup != null);
  out.stopsPaying = ok.filter((p) => p.speedup < PAYS).map((p) => p.batch);
  // the smallest batch from which every larger one pays (null: not even the largest)
  let from = null;
  for (let i = ok.length - 1; i >= 0 && ok[i].speedup >= PAYS; i--) from = ok[i].batch;
  out.paysFrom = from;
  ctx.log(`  threads pay (speedup ≥ ${PAYS}) from batch ${from ?? '— (none)'}${out.stopsPaying.length ? `; below ${PAYS}× at batch ${out.stopsPaying.join(', ')}` : ''}`);
  return out;
}

async function point(ctx, batch, initial, fps, runSeconds, checkBatches) {
  const spec = { ...NET, batch, initial };
  const check = head(ctx.digits, checkBatches * batch);
  const ref = trainReference({ ...spec, x: check.x, t: oneHotF32(check.y), rows: check.rows }).layers;
  const p = { batch, results: [] };
  const trainers = [];
  try {
    for (const [i, system] of SYSTEMS.entries()) {
      const row = { system, threads: THREADS[i] };
      p.results.push(row);
      let trainer;
      try {
        trainer = await createSystem(system, spec);
        row.config = trainer.config.replace(/batchSize: \d+/, 'batchSize: each of the sweep');
        await trainer.fitEpochs(check, 1);
        const w = trainer.getWeights();
        const diff = maxAbsDiff(w, ref);
        row.verified = { ok: diff <= TOL, maxAbsDiff: diff, tolerance: TOL, rows: check.rows, against: 'float64 reference, same rule' };
        if (i > 0 && trainers[0]) {
          row.verified.sameBitsAsOneThread = sameBits(w, trainers[0].weights);
          row.verified.ok &&= row.verified.sameBitsAsOneThread;
        }
        if (!row.verified.ok) throw new Error(`verification failed: max |w − w_ref| = ${diff.toExponential(2)}${row.verified.sameBitsAsOneThread === false ? ', weights differ from 1 thread' : ''}`);
        trainers.push({ row, trainer, weights: w, secs: [] });
      } catch (e) {
        row.error = firstLine(e);
        trainer?.dispose();
      }
    }
    if (trainers.length === SYSTEMS.length) {
      // Size the epoch (whole batches, within the data set) and the epochs per run from a warm 1-thread epoch.
      const cap = ctx.digits.rows - (ctx.digits.rows % batch);
      const calib = head(ctx.digits, Math.min(cap, Math.max(batch, 512 - (512 % batch))));
      const t0 = now();
      await trainers[0].trainer.fitEpochs(calib, 1);
      const perRow = Math.max((now() - t0) / 1000 / calib.rows, 1e-7);
      const rows = Math.min(cap, Math.max(batch, Math.round(Math.min(runSeconds, 0.25) / perRow / batch) * batch));
      const epochs = Math.max(1, Math.min(8, Math.round(runSeconds / (rows * perRow))));
      const ds = head(ctx.digits, rows);
      Object.assign(p, { rows, epochsPerRun: epochs });
      for (const t of trainers) { t.trainer.setWeights(initial); await t.trainer.fitEpochs(ds, 1); } // warm-up
      for (let r = 0, runs = ctx.runs * (batch === HEADLINE_BATCH ? HEADLINE_RUNS : 1); r < runs; r++) {
        for (const t of r % 2 ? [...trainers].reverse() : trainers) {
          const e = (await t.trainer.fitEpochs(ds, 1 + epochs)).epochSeconds.slice(1);
          t.secs.push(e.reduce((a, b) => a + b, 0) / e.length);
        }
      }
      for (const { row, secs } of trainers) {
        row.epochSeconds = stats(secs);
        row.samplesPerSecond = mapStats(row.epochSeconds, (s) => rows / s);
        row.gflops = mapStats(row.epochSeconds, (s) => (rows * fps) / s / 1e9);
        row.percentOfPeak = ctx.peak ? (100 * row.gflops.median) / ctx.peak : null;
      }
      const [one, two] = trainers;
      p.speedup = two.row.samplesPerSecond.median / one.row.samplesPerSecond.median;
      p.pairedSpeedup = stats(one.secs.map((s, r) => s / two.secs[r])); // run r of each: a noisy stretch hits both
    }
  } finally {
    for (const t of trainers) t.trainer.dispose();
  }
  const fmt = (r) => (r.samplesPerSecond ? `${r.system} ${Math.round(r.samplesPerSecond.median).toLocaleString('en-US')}/s` : `${r.system} FAIL${r.error ? ` (${r.error})` : ''}`);
  ctx.log(`  batch ${String(batch).padStart(3)}: ${p.results.map(fmt).join('  ')}${p.speedup ? `  ${p.speedup.toFixed(2)}× (paired ${p.pairedSpeedup.median.toFixed(2)}×)` : ''}`);
  return p;
}

/** Every weight and bias of two layer lists the same float32 (the same bits, NaN aside). */
function sameBits(a, b) {
  return a.every((l, i) => ['weights', 'bias'].every((k) => l[k].length === b[i][k].length && l[k].every((v, j) => Object.is(v, b[i][k][j]))));
}
