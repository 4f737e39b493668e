// Workload 2, Iris-article: the article's example — 4-4-3, sigmoid hidden and
// output, ½·Σ(ŷ−y)² (its update rule), plain SGD lr 0.1, weights and biases
// from U[0,1) (the library's seed 0, as `--preset article`), full-batch steps on
// the 105-row training split (trainTestSplit, testSize 0.3, seed 0, not
// stratified, raw features). Time for 1000 steps per system: our backends,
// TF.js (cpu, wasm) and, when python3 with numpy is present, the article's own
// numpy loop. Every system is first checked over 10 steps against the float64
// reference from the same weights. The timed runs go in rounds, every system
// once a round (the order reversed every other round), so a slow spell of the
// machine falls on all of them: "vs numpy" is the median over rounds of numpy's
// time over the system's in the same round.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadIris, trainTestSplit } from '../../dist/index.js';
import { oneHotF32 } from '../lib/mnist.mjs';
import { initialWeights } from '../lib/ours.mjs';
import { trainReference, maxAbsDiff, flopsPerSample } from '../lib/reference.mjs';
import { createSystem, firstLine, OPTIONAL } from '../lib/systems.mjs';
import { stats } from '../lib/timing.mjs';

const SPEC = { sizes: [4, 4, 3], activations: ['sigmoid', 'sigmoid'], loss: 'sse', optimizer: { type: 'sgd', lr: 0.1 }, batch: 'full' };
const STEPS = 1000, CHECK_STEPS = 10, TOL = 1e-4, WARMUP_MS = 300;
const numpyScript = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'peers', 'article_numpy.py');

export async function run(ctx) {
  const iris = loadIris();
  const split = trainTestSplit(iris.x, iris.y, { testSize: 0.3, seed: 0, stratify: false });
  const ds = { x: split.xTrain.data, y: split.yTrain, rows: split.xTrain.rows };
  ds.t = oneHotF32(ds.y, 3);
  const initial = await initialWeights({ ...SPEC, init: 'uniform', seed: 0 });
  const ref = trainReference({ ...SPEC, batch: ds.rows, x: ds.x, t: ds.t, rows: ds.rows, epochs: CHECK_STEPS, initial }).layers;
  const flopsPerStep = ds.rows * flopsPerSample(SPEC.sizes);
  const out = {
    network: '4-4-3', activations: SPEC.activations, loss: 'sse', optimizer: SPEC.optimizer, rows: ds.rows, steps: STEPS, runs: ctx.runs, flopsPerStep,
    protocol: `verify ${CHECK_STEPS} steps against the float64 reference (max |w − w_ref| ≤ ${TOL}); warm-up fits for ≥ ${ctx.quick ? WARMUP_MS * 0.3 : WARMUP_MS} ms (at least one); then ${ctx.runs} rounds of one untimed and one timed fit per system, each from the initial weights, the order reversed every other round; vs numpy = median over rounds of numpy's time / the system's`,
    results: [],
  };
  ctx.log(`\nIris-article: 4-4-3 sigmoid, sse, SGD lr 0.1, full batch of ${ds.rows} rows; time per ${STEPS} steps`);
  // Each entrant: its result row and `timed()`, one timed fit's seconds per STEPS steps.
  const entrants = [];
  const systems = ['simd', 'relaxed', 'scalar', 'ts', ...(ctx.peersOk ? ['tfjs-wasm', 'tfjs-cpu'] : [])];
  for (const name of systems) {
    // TF.js pays over 1 ms per epoch of model.fit: in --quick it runs 100 steps per timed fit (reported per 1000).
    const steps = ctx.quick && name.startsWith('tfjs') ? 100 : STEPS;
    const row = { system: name, stepsTimed: steps };
    let trainer;
    try {
      trainer = await createSystem(name, { ...SPEC, initial });
    } catch (e) {
      if (OPTIONAL.has(name)) { ctx.log(`  ${name}: skipped (${firstLine(e)})`); continue; }
      out.results.push({ ...row, error: firstLine(e) });
      continue;
    }
    out.results.push(row);
    try {
      row.config = trainer.config;
      await trainer.fitEpochs(ds, CHECK_STEPS);
      const diff = maxAbsDiff(trainer.getWeights(), ref);
      row.verified = { ok: diff <= TOL, maxAbsDiff: diff, tolerance: TOL, steps: CHECK_STEPS };
      if (!row.verified.ok) throw new Error(`verification failed: max |w − w_ref| = ${diff.toExponential(2)} > ${TOL}`);
      const timed = async () => {
        trainer.setWeights(initial);
        const { epochSeconds } = await trainer.fitEpochs(ds, steps);
        return epochSeconds.reduce((a, b) => a + b, 0) * (STEPS / steps);
      };
      // Warm-up by time, not by count: the first fits of a process take 2–3× the settled time
      // while the fit loop's JavaScript and the wasm tier up, and one warm-up fit of a few ms
      // left part of that in the timed runs of whichever system ran first.
      const warmUntil = performance.now() + WARMUP_MS * (ctx.quick ? 0.3 : 1);
      do await timed(); while (performance.now() < warmUntil);
      entrants.push({ row, timed, dispose: () => trainer.dispose(), secs: [] });
    } catch (e) {
      row.error = firstLine(e);
      ctx.log(`  ${name}: FAILED: ${row.error}`);
      trainer.dispose();
    }
  }
  const np = await numpy(ds, initial, ref, ctx);
  out.results.push(np.row);
  if (np.timed) entrants.push({ row: np.row, timed: np.timed, dispose: np.dispose, secs: [] });
  try {
    for (let r = 0; r < ctx.runs; r++)
      for (const e of r % 2 ? [...entrants].reverse() : entrants) {
        if (e.row.error) continue;
        try {
          await e.timed(); // untimed: what ran before (TF.js's big fits, python) left cold caches and garbage
          e.secs.push(await e.timed());
        } catch (err) {
          e.row.error = firstLine(err);
          ctx.log(`  ${e.row.system}: FAILED: ${e.row.error}`);
        }
      }
  } finally {
    for (const e of entrants) e.dispose();
  }
  const npSecs = entrants.find((e) => e.row === np.row && !e.row.error)?.secs;
  for (const { row, secs } of entrants) {
    if (row.error) continue;
    row.msPer1000 = scale(stats(secs), 1000);
    if (npSecs) row.speedupVsNumpy = stats(secs.map((s, r) => npSecs[r] / s)).median;
    row.gflops = (STEPS * flopsPerStep) / (row.msPer1000.median / 1000) / 1e9;
    row.percentOfPeak = ctx.peak ? (100 * row.gflops) / ctx.peak : null;
    const v = row.verified;
    ctx.log(`  ${row.system.padEnd(9)} ${row.msPer1000.median.toFixed(2).padStart(8)} ms (${row.msPer1000.min.toFixed(2)}–${row.msPer1000.max.toFixed(2)})${row.speedupVsNumpy ? `  ${row.speedupVsNumpy.toFixed(1)}× numpy` : ''}  (verify ${v.maxAbsDiff.toExponential(1)})`);
  }
  return out;
}

const scale = (st, k) => ({ median: st.median * k, min: st.min * k, max: st.max * k, runs: st.runs.map((v) => v * k) });

/** The article's numpy loop in a long-lived python3 (bench/peers/article_numpy.py), verified:
 *  { row, timed, dispose } — or { row } saying why it did not run. */
async function numpy(ds, initial, ref, ctx) {
  const row = { system: 'numpy', stepsTimed: STEPS, config: "the article's loop in numpy, float64 (bench/peers/article_numpy.py), one-hot targets, prints captured" };
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    row.skipped = 'python3 with numpy is not available: JS figures only';
    ctx.log(`  numpy: skipped (${row.skipped})`);
    return { row };
  }
  const rows = (a, r, c) => Array.from({ length: r }, (_, i) => Array.from(a.subarray(i * c, (i + 1) * c)));
  const req = {
    x: rows(ds.x, ds.rows, 4), t: rows(ds.t, ds.rows, 3),
    W1: rows(initial[0].weights, 4, 4), b1: Array.from(initial[0].bias), W2: rows(initial[1].weights, 4, 3), b2: Array.from(initial[1].bias),
    verifySteps: CHECK_STEPS, steps: STEPS, warmup: 2,
  };
  const peer = linePeer('python3', [numpyScript]);
  try {
    const o = await peer.ask(JSON.stringify(req));
    row.versions = { numpy: o.numpy, python: o.python };
    const got = [{ weights: o.verify.W1, bias: o.verify.b1 }, { weights: o.verify.W2, bias: o.verify.b2 }];
    const diff = maxAbsDiff(got, ref);
    row.verified = { ok: diff <= 1e-9, maxAbsDiff: diff, tolerance: 1e-9, steps: CHECK_STEPS };
    if (!row.verified.ok) throw new Error(`verification failed: max |w − w_ref| = ${diff.toExponential(2)}`);
  } catch (e) {
    row.error = firstLine(e);
    ctx.log(`  numpy: FAILED: ${row.error}`);
    peer.close();
    return { row };
  }
  return { row, timed: async () => (await peer.ask('run')).seconds, dispose: () => peer.close() };
}

/** A child process spoken to in lines: ask(line) resolves with its next stdout line, parsed as JSON. */
function linePeer(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '', waiting = null, failure = null;
  const lines = createInterface({ input: child.stdout });
  const fail = (err) => {
    failure ??= err;
    if (waiting) { waiting.reject(failure); waiting = null; }
  };
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('error', fail);
  // a Python traceback ends with the line that says what went wrong
  child.on('exit', (code) => fail(new Error(stderr.trim().split('\n').at(-1) || `${cmd} exited with code ${code}`)));
  child.stdin.on('error', () => {}); // a dead peer is reported by 'exit'
  lines.on('line', (line) => {
    const w = waiting;
    waiting = null;
    try { w?.resolve(JSON.parse(line)); } catch (e) { w?.reject(e); }
  });
  return {
    ask(line) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => { waiting = { resolve, reject }; child.stdin.write(line + '\n'); });
    },
    close() { child.stdin.end(); },
  };
}
