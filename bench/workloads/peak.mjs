// Workload 4, the machine's WASM SIMD peak: bench/peak.ts (independent f32x4
// multiply + add chains, 8 and 12 of them, no memory traffic in the loop),
// compiled to build/peak.wasm. Each kernel is checked bit for bit against
// float32 arithmetic done in JS, then timed; the peak is the better median.
// Then the ceilings for threads: the better kernel on one worker_thread alone and
// on two at once (a shared start signal, each timing its own calls), in
// alternating rounds, so the two figures see the same machine; and the same for
// a kernel that touches memory: the MNIST layer's X·W at half a batch of 128
// (gemm_nn_bias, 64×128×784, the library's simd build), each worker on its own
// memory with no barrier — what two cores give the big product when nothing is
// shared, the yardstick for the threaded training step.
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { existsSync, readFileSync, statSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeCalls, stats } from '../lib/timing.mjs';

const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const root = path.dirname(benchDir);
const source = path.join(benchDir, 'peak.ts');
export const PEAK_WASM = path.join(root, 'build', 'peak.wasm');
const SIMD_WASM = path.join(root, 'build', 'backprop.simd.wasm');
const GEMM = { m: 64, n: 128, k: 784 };
const P = 64;              // byte offset of the operands in the module's memory
const f = Math.fround;

/** Compiles bench/peak.ts when build/peak.wasm is missing or older (from bench/, so the library's asconfig.json is not picked up). */
export function buildPeak(log) {
  if (existsSync(PEAK_WASM) && statSync(PEAK_WASM).mtimeMs >= statSync(source).mtimeMs) return;
  mkdirSync(path.dirname(PEAK_WASM), { recursive: true });
  log?.('compiling bench/peak.ts → build/peak.wasm');
  execFileSync('npx', ['asc', 'peak.ts', '--enable', 'simd', '-O3', '--runtime', 'stub', '--importMemory', '-o', path.relative(benchDir, PEAK_WASM)],
    { cwd: benchDir, stdio: ['ignore', 'ignore', 'inherit'] });
}

// m, c and the start value s per lane; chain i starts at s + i·c. m < 1, so every
// chain settles near c/(1 − m): no overflow, no subnormals, whatever the count.
const OPERANDS = [0.5, 0.75, 0.25, 0.5, 1, 0.5, 2, 1.5, 0.125, -1, 3, 0.25];
const KERNELS = [['peak_chain8', 8], ['peak_chain12', 12]];

/** The chains' values after n steps, in float32, computed by JS. */
function expected(chains, n) {
  const out = [];
  for (let i = 0; i < chains; i++)
    for (let l = 0; l < 4; l++) {
      const m = OPERANDS[l], c = OPERANDS[4 + l];
      let a = OPERANDS[8 + l];
      for (let k = 0; k < i; k++) a = f(a + c);
      for (let s = 0; s < n; s++) a = f(f(a * m) + c);
      out.push(a);
    }
  return out;
}

export async function run(ctx) {
  buildPeak(ctx.log);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { instance } = await WebAssembly.instantiate(readFileSync(PEAK_WASM), { env: { memory } });
  const f32 = new Float32Array(memory.buffer, P, 64);
  const out = { kernel: 'bench/peak.ts: independent f32x4 chains acc = acc·m + c (one mul + one add per step), operands in registers, no memory traffic in the loop', variants: [] };
  ctx.log('\nWASM SIMD peak (bench/peak.ts)');
  for (const [name, chains] of KERNELS) {
    const fn = instance.exports[name];
    const n = 1000;
    f32.fill(0); f32.set(OPERANDS);
    fn(P, n);
    const ok = expected(chains, n).every((v, i) => f32[16 + i] === v);
    const iters = ctx.quick ? 2_000_000 : 8_000_000;
    const secs = timeCalls(() => fn(P, iters), { runs: ctx.runs, minMs: ctx.quick ? 20 : 60, warmupMs: ctx.quick ? 30 : 150 });
    const flops = iters * chains * 8;
    const g = (s) => flops / s / 1e9;
    const gflops = { median: g(secs.median), min: g(secs.max), max: g(secs.min), runs: secs.runs.map(g) };
    out.variants.push({ name, accumulators: chains, flopsPerStep: chains * 8, verified: { ok, steps: n, against: 'float32 arithmetic in JS (Math.fround), bit for bit' }, gflops });
    ctx.log(`  ${name.padEnd(12)} ${gflops.median.toFixed(1).padStart(5)} GFLOP/s (${gflops.min.toFixed(1)}–${gflops.max.toFixed(1)})  ${chains} accumulators${ok ? '' : '  VERIFY FAILED'}`);
  }
  const ok = out.variants.filter((v) => v.verified.ok);
  const best = ok.reduce((a, b) => (b.gflops.median > a.gflops.median ? b : a), ok[0]);
  out.best = best?.name ?? null;
  out.gflops = best?.gflops ?? null;
  if (best) {
    const chains = best.accumulators, steps = 1000;
    const perStep = best.gflops.median > 0 ? (chains * 8) / (best.gflops.median * 1e9) : 1e-8;
    out.threads = await ceiling(ctx, {
      kernel: best.name, flopsPerIter: chains * 8, secondsPerIter: perStep,
      workerData: { wasm: PEAK_WASM, kernel: best.name, operands: OPERANDS, expected: { steps, values: expected(chains, steps) }, offset: P },
      against: 'float32 arithmetic in JS (Math.fround), bit for bit, in each worker',
    });
    const { m, n, k } = GEMM, flops = 2 * m * n * k;
    out.gemmThreads = await ceiling(ctx, {
      kernel: `gemm_nn_bias ${m}×${n}×${k}`, flopsPerIter: flops, secondsPerIter: flops / (0.8 * (best.gflops.median || 10) * 1e9),
      workerData: { gemm: { wasm: SIMD_WASM, ...GEMM } },
      against: 'exact sums in JS (the operands make every f32 sum exact), every element, in each worker',
    });
  }
  return out;
}

/**
 * A short peak measurement to take between other runs (MLP-MNIST's rounds, the kernel table's runs):
 * returns a function giving the better kernel's GFLOP/s now, median of 3 runs of ~30 ms.
 * The machine's speed here moves by 20–40% within minutes, so a figure over the peak is
 * best taken against a peak measured next to it.
 */
export async function peakProbe() {
  buildPeak();
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { instance } = await WebAssembly.instantiate(readFileSync(PEAK_WASM), { env: { memory } });
  new Float32Array(memory.buffer, P, 64).set(OPERANDS);
  const iters = 1_000_000;
  return () => Math.max(...KERNELS.map(([name, chains]) => {
    const secs = timeCalls(() => instance.exports[name](P, iters), { runs: 3, minMs: 30, warmupMs: 10 });
    return (iters * chains * 8) / secs.median / 1e9;
  }));
}

/** twoWorkers with a failure as { error } (logged), not thrown. */
async function ceiling(ctx, spec) {
  try {
    return await twoWorkers(ctx, spec);
  } catch (e) {
    const error = String(e?.message ?? e).split('\n')[0];
    ctx.log(`  ${spec.kernel} on 2 workers: FAILED: ${error}`);
    return { error };
  }
}

/**
 * A kernel on one worker alone and on two workers at once; each worker runs
 * `spec.workerData` (bench/lib/peak-worker.mjs) over its own memory. Each round:
 * the workers taking part say ready, the main thread (asleep in Atomics.wait, so
 * it takes no core) flips the start word, each worker times its own call of
 * `iters` iterations. Two-worker GFLOP/s = both workers' FLOPs over the slower
 * one's time (so a worker that ran partly alone does not inflate it). Rounds
 * alternate which comes first.
 */
async function twoWorkers(ctx, spec) {
  const callSeconds = ctx.quick ? 0.05 : 0.2;
  const iters = Math.max(2, 2 * Math.round(callSeconds / spec.secondsPerIter / 2));
  const ctl = new SharedArrayBuffer(8);
  const flags = new Int32Array(ctl); // [start generation, ready count]
  const workerData = { ...spec.workerData, ctl };
  const workers = [0, 1].map(() => new Worker(new URL('../lib/peak-worker.mjs', import.meta.url), { workerData }));
  const reply = (w) => new Promise((resolve, reject) => {
    const ok = (m) => { w.off('error', bad); resolve(m); };
    const bad = (e) => { w.off('message', ok); reject(e); };
    w.once('message', ok); w.once('error', bad);
  });
  try {
    const ready = await Promise.all(workers.map(reply));
    const ok = ready.every((r) => r.ok);
    let gen = 0;
    const round = async (count) => {
      gen++;
      Atomics.store(flags, 1, 0);
      const done = workers.slice(0, count).map(reply);
      for (const w of workers.slice(0, count)) w.postMessage({ gen, iters, reps: 1 });
      for (let seen; (seen = Atomics.load(flags, 1)) < count;) Atomics.wait(flags, 1, seen, 5);
      Atomics.store(flags, 0, gen);
      return (await Promise.all(done)).map((r) => r.seconds);
    };
    const flops = iters * spec.flopsPerIter;
    await round(1); await round(2); // warm-up: both workers' code optimized
    const single = [], pair = [], each = [[], []];
    for (let r = 0; r < ctx.runs; r++) {
      for (const count of r % 2 ? [2, 1] : [1, 2]) {
        const secs = await round(count);
        if (count === 1) single.push(flops / secs[0] / 1e9);
        else {
          pair.push((2 * flops) / Math.max(...secs) / 1e9);
          secs.forEach((s, i) => each[i].push(flops / s / 1e9));
        }
      }
    }
    const out = {
      kernel: spec.kernel, workers: 2, itersPerCall: iters, flopsPerCall: flops,
      protocol: `${ctx.runs} rounds of one call (${iters} iterations) on 1 worker alone and on 2 workers at once (shared start signal), alternating; 2-worker GFLOP/s = 2 calls' FLOPs / the slower call`,
      verified: { ok, against: spec.against },
      single: stats(single), aggregate: stats(pair), perWorker: each.map(stats),
    };
    out.ratio = out.aggregate.median / out.single.median;
    ctx.log(`  ${spec.kernel} on 1 worker ${out.single.median.toFixed(1)} GFLOP/s, on 2 workers at once ${out.aggregate.median.toFixed(1)}` +
      ` (${out.aggregate.min.toFixed(1)}–${out.aggregate.max.toFixed(1)}): ${out.ratio.toFixed(2)}×${ok ? '' : '  VERIFY FAILED'}`);
    return out;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
