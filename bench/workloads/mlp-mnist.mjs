// Workload 1, MLP-MNIST: one epoch over the bench's MNIST digits (a seeded,
// stratified sample from the `mnist` package), every system from the same
// initial weights (the library's seeded he init) and the same batch order
// (rows in the sample's seeded order, no shuffling). Each system is first
// checked against the float64 reference on the first few batches, then timed.
// The fast systems (ROUNDS) and the peak kernel run in rounds, each once a round,
// the order reversed every other round: a run is one fit call of 2 epochs, the
// first (set-up, JIT) dropped. Their "% of peak" and "vs tfjs-wasm" are also taken
// round by round (the median of same-round ratios), because this machine's speed
// moves by 20–40% within minutes: a full run once timed simd at half its usual
// speed while relaxed, timed a minute later, ran at its usual. The slow systems
// run one fit call of 1 + runs epochs, the first dropped.
import { head, oneHotF32 } from '../lib/mnist.mjs';
import { trainReference, maxAbsDiff, flopsPerSample } from '../lib/reference.mjs';
import { initialWeights } from '../lib/ours.mjs';
import { createSystem, effectiveSpec, firstLine, OPTIONAL } from '../lib/systems.mjs';
import { stats, mapStats } from '../lib/timing.mjs';
import { peakProbe } from './peak.mjs';

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

/** Systems timed in rounds with the peak kernel (fast enough that a round stays short). */
const ROUNDS = new Set(['simd', 'simd-2threads', 'relaxed', 'tfjs-wasm']);

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
    protocol: `verify on the first ${checkRows} rows against the float64 reference; then ${[...ROUNDS].join(', ')} and the peak kernel in ${runs} rounds ` +
      `(each once a round, order reversed every other round; a run is a fit of 2 epochs of ${ds.rows} rows, the first dropped); ` +
      `the others one fit of 1 + ${runs} epochs, the first dropped; medians (same-round ratios for % of peak and vs tfjs-wasm)`,
    results: [],
  };
  const rounds = []; // [row, trainer] of the systems timed in rounds
  ctx.log(`\n${w.title} — ${ds.rows} digits, ${runs} timed epochs`);
  for (const name of w.systems) {
    const eff = effectiveSpec(name, spec);
    const key = `${eff.activations}|${eff.loss}|${eff.batch}`;
    if (!refs.has(key)) {
      refs.set(key, trainReference({ ...eff, x: check.x, t: oneHotF32(check.y, w.sizes[w.sizes.length - 1]), rows: check.rows }).layers);
    }
    const row = { system: name };
    const started = performance.now();
    let trainer, kept = false;
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
      row.lossMeasure = eff === spec ? w.loss : 'mean squared error over the outputs (brain.js\'s own)';
      trainer.setWeights(initial);
      if (ROUNDS.has(name)) {
        await trainer.fitEpochs(ds, 1); // warm-up
        rounds.push([row, trainer]); // timed below, disposed there
        kept = true;
      } else {
        // 2. warm up (epoch 1) and time (epochs 2…)
        const r = await trainer.fitEpochs(ds, 1 + runs);
        timed(row, r.epochSeconds.slice(1), r.loss, diff);
      }
    } catch (e) {
      row.error = firstLine(e);
      ctx.log(`  ${name}: FAILED: ${row.error}`);
    } finally {
      if (!kept) trainer.dispose();
    }
    row.wallSeconds = (performance.now() - started) / 1000; // set-up, check and timing together (the rounds add theirs)
    result.results.push(row);
  }
  function timed(row, seconds, loss, diff) {
    const secs = stats(seconds);
    row.epochSeconds = secs;
    row.samplesPerSecond = mapStats(secs, (s) => ds.rows / s);
    row.gflops = mapStats(secs, (s) => (ds.rows * fps) / s / 1e9);
    row.percentOfPeak = peak ? (100 * row.gflops.median) / peak : null;
    row.lastEpochLoss = loss;
    ctx.log(`  ${row.system.padEnd(9)} ${fmtInt(row.samplesPerSecond.median).padStart(9)} samples/s  ${row.gflops.median.toFixed(2).padStart(6)} GFLOP/s` +
      `  (verify ${diff.toExponential(1)})`);
  }
  if (rounds.length) await timeInRounds(rounds);
  async function timeInRounds(entries) {
    const probe = await peakProbe();
    const seconds = entries.map(() => []), peaks = [], losses = [];
    const order = [...entries.keys(), -1]; // -1: the peak kernel
    for (let r = 0; r < runs; r++) {
      for (const i of r % 2 ? [...order].reverse() : order) {
        if (i < 0) { peaks.push(probe()); continue; }
        const [row, trainer] = entries[i];
        if (row.error) continue;
        const started = performance.now();
        try {
          const e = await trainer.fitEpochs(ds, 2);
          seconds[i].push(e.epochSeconds[1]);
          losses[i] = e.loss;
        } catch (err) {
          row.error = firstLine(err);
          ctx.log(`  ${row.system}: FAILED: ${row.error}`);
        }
        row.wallSeconds += (performance.now() - started) / 1000;
      }
    }
    const tf = entries.findIndex(([row]) => row.system === 'tfjs-wasm');
    entries.forEach(([row, trainer], i) => {
      trainer.dispose();
      if (row.error) return;
      timed(row, seconds[i], losses[i], row.verified.maxAbsDiff);
      row.roundPeak = stats(peaks);
      row.percentOfPeakSameRound = stats(seconds[i].map((s, r) => (100 * ds.rows * fps) / s / 1e9 / peaks[r]));
      if (tf >= 0 && tf !== i && !entries[tf][0].error) row.vsTfjsWasmSameRound = stats(seconds[i].map((s, r) => seconds[tf][r] / s));
    });
  }
  const base = result.results.find((r) => r.system === 'ts' && r.samplesPerSecond);
  const tf = result.results.find((r) => r.system === 'tfjs-wasm' && r.samplesPerSecond);
  for (const r of result.results) if (r.samplesPerSecond && tf && r !== tf) r.vsTfjsWasm = r.samplesPerSecond.median / tf.samplesPerSecond.median;
  for (const r of result.results) if (r.samplesPerSecond && base) r.vsTs = r.samplesPerSecond.median / base.samplesPerSecond.median;
  return result;
}

const fmtInt = (v) => Math.round(v).toLocaleString('en-US');
