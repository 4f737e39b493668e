// Workload 3, the kernel table: the three GEMMs of backprop — gemm_nn_bias
// (forward X·W + b), gemm_tn (weight gradient Xᵀ·dZ), gemm_nt (input gradient
// dZ·Wᵀ) — at the shapes a training step runs them, on every backend of the
// kernel ABI (src/backends/kernels.ts) and on TF.js's wasm backend (matMul /
// fused.matMul on tensors made once). Each result is checked against a plain
// float64 triple loop first; GFLOP/s = 2·M·N·K / s, median of the runs.
import { loadBackends } from '../lib/backends.mjs';
import { rng } from '../lib/rng.mjs';
import { timeCalls, stats } from '../lib/timing.mjs';
import { peakProbe } from './peak.mjs';
import { firstLine } from '../lib/systems.mjs';

const BASE = 65536; // ARENA_BASE: the arena starts above the module's static data
const align = (n) => Math.ceil(n / 16) * 16;

/** The shapes: a layer inputs→units at a batch gives NN m=batch,n=units,k=inputs; TN m=inputs,n=units,k=batch; NT m=batch,n=inputs,k=units. */
function cases(quick) {
  const layer = (inputs, units, batch) => ({
    group: `layer ${inputs}→${units}, batch ${batch}`,
    nn: [batch, units, inputs], tn: [inputs, units, batch], nt: [batch, inputs, units],
  });
  const square = (n) => ({ group: `square ${n}`, nn: [n, n, n], tn: [n, n, n], nt: [n, n, n] });
  return quick
    ? [layer(784, 128, 64), layer(128, 10, 64), square(128)]
    : [layer(784, 128, 64), layer(784, 128, 128), layer(784, 128, 256), layer(128, 10, 64), layer(128, 10, 128), layer(128, 10, 256), square(256), square(512)];
}

const KERNELS = {
  nn: { name: 'gemm_nn_bias', role: 'forward X·W + b', shapeA: (m, n, k) => [m, k], shapeB: (m, n, k) => [k, n] },
  tn: { name: 'gemm_tn', role: 'weight gradient Xᵀ·dZ', shapeA: (m, n, k) => [k, m], shapeB: (m, n, k) => [k, n] },
  nt: { name: 'gemm_nt', role: 'input gradient dZ·Wᵀ', shapeA: (m, n, k) => [m, k], shapeB: (m, n, k) => [n, k] },
};

/** C and Σ|a·b| per element, in float64, by the definition. */
function reference(kind, a, b, bias, m, n, k) {
  const c = new Float64Array(m * n), mag = new Float64Array(m * n);
  const A = kind === 'tn' ? (i, p) => a[p * m + i] : (i, p) => a[i * k + p];
  const B = kind === 'nt' ? (p, j) => b[j * k + p] : (p, j) => b[p * n + j];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = kind === 'nn' ? bias[j] : 0, t = Math.abs(s);
      for (let p = 0; p < k; p++) { const v = A(i, p) * B(p, j); s += v; t += Math.abs(v); }
      c[i * n + j] = s; mag[i * n + j] = t;
    }
  return { c, mag };
}

/** Largest error relative to Σ|a·b|; ok when every |c − ref| ≤ 1e-5·Σ|a·b| + 1e-6. */
function compare(out, ref) {
  let worst = 0, ok = true;
  for (let i = 0; i < out.length; i++) {
    const e = Math.abs(out[i] - ref.c[i]);
    if (!(e <= 1e-5 * ref.mag[i] + 1e-6)) ok = false;
    worst = Math.max(worst, e / (ref.mag[i] + 1e-30));
  }
  return { ok, maxRelError: worst };
}

export async function run(ctx) {
  const { createBackend, relaxedSimdSupported } = await loadBackends();
  const backends = ['simd', 'relaxed', 'scalar', 'ts'].filter((b) => b !== 'relaxed' || (relaxedSimdSupported?.() ?? false));
  const peers = ctx.peersOk ? ['tfjs-wasm'] : [];
  const r = rng(7);
  const warmed = new Set(); // the first shape on each system warms up longer (V8 tiers a hot wasm function up in the background)
  const probe = await peakProbe();
  const table = { protocol: 'verify against a float64 triple loop (|c − ref| ≤ 1e-5·Σ|a·b| + 1e-6), then time: median of runs of ≥ ' + (ctx.quick ? 10 : 50) + ' ms', rows: [] };
  ctx.log('\nKernel table (GFLOP/s)');
  for (const cs of cases(ctx.quick)) {
    for (const [kind, kd] of Object.entries(KERNELS)) {
      const [m, n, k] = cs[kind];
      const [ar, ac] = kd.shapeA(m, n, k), [br, bc] = kd.shapeB(m, n, k);
      const a = r.uniform(ar * ac), b = r.uniform(br * bc), bias = r.uniform(n);
      const ref = reference(kind, a, b, bias, m, n, k);
      const flops = 2 * m * n * k;
      const row = { group: cs.group, kernel: kd.name, role: kd.role, m, n, k, flops, results: [] };
      for (const name of [...backends, ...peers]) {
        const res = { system: name };
        try {
          const { call, read, dispose } = name === 'tfjs-wasm'
            ? await tfjsCall(kind, a, b, bias, [ar, ac], [br, bc])
            : await abiCall(createBackend, name, kind, kd.name, a, b, bias, m, n, k);
          try {
            call();
            res.verified = compare(read(), ref);
            if (!res.verified.ok) throw new Error(`verification failed: max relative error ${res.verified.maxRelError.toExponential(2)}`);
            const secs = timeCalls(call, { runs: ctx.runs, minMs: ctx.quick ? 10 : 50, warmupMs: (warmed.has(name) ? 1 : 4) * (ctx.quick ? 10 : 60) });
            warmed.add(name);
            const g = (s) => flops / s / 1e9;
            res.gflops = { median: g(secs.median), min: g(secs.max), max: g(secs.min), runs: secs.runs.map(g) };
            res.percentOfPeak = ctx.peak ? (100 * res.gflops.median) / ctx.peak : null;
            if (name === 'simd') {
              // and against the peak measured right beside it, run by run (the machine's speed drifts)
              const pct = [];
              for (let i = 0; i < ctx.runs; i++) {
                const s = timeCalls(call, { runs: 1, minMs: ctx.quick ? 10 : 50, warmupMs: 1 }).median;
                pct.push((100 * g(s)) / probe());
              }
              res.percentOfPeakSameRound = stats(pct);
            }
          } finally { dispose(); }
        } catch (e) {
          res.error = firstLine(e);
        }
        row.results.push(res);
      }
      table.rows.push(row);
      ctx.log(`  ${cs.group.padEnd(26)} ${kd.name.padEnd(13)} ${`${m}×${n}×${k}`.padEnd(12)} ` +
        row.results.map((x) => `${x.system} ${x.gflops ? x.gflops.median.toFixed(1) : 'FAIL'}`).join('  '));
    }
  }
  return table;
}

/** One backend's kernel on A, B, bias placed in its arena at fixed offsets; returns call(), read() and dispose(). */
async function abiCall(createBackend, name, kind, fn, a, b, bias, m, n, k) {
  const offA = BASE, offB = offA + align(a.length * 4), offBias = offB + align(b.length * 4);
  const offC = offBias + align(bias.length * 4), offS = offC + align(m * n * 4), end = offS + align(k * n * 4);
  const be = await createBackend(name, end);
  const f32 = (off, len) => new Float32Array(be.buffer(), off, len);
  f32(offA, a.length).set(a); f32(offB, b.length).set(b); f32(offBias, bias.length).set(bias);
  const K = be.kernels, kern = K[fn].bind(K);
  const call = kind === 'nn' ? () => kern(offA, offB, offBias, offC, m, n, k)
    : kind === 'tn' ? () => kern(offA, offB, offC, m, n, k)
      : () => kern(offA, offB, offC, m, n, k, offS); // gemm_nt's scratch (k×n floats) for a packed Bᵀ
  return { call, read: () => f32(offC, m * n).slice(), dispose() {} };
}

/** TF.js wasm: matMul with the transposition flags (fused.matMul with the bias for NN), on tensors made once. */
async function tfjsCall(kind, a, b, bias, shapeA, shapeB) {
  const { tf, useBackend } = await import('../peers/tfjs.mjs');
  await useBackend('wasm');
  const A = tf.tensor2d(a, shapeA), B = tf.tensor2d(b, shapeB), Bias = tf.tensor1d(bias);
  const op = kind === 'nn' ? () => tf.fused.matMul({ a: A, b: B, bias: Bias })
    : kind === 'tn' ? () => tf.matMul(A, B, true, false) : () => tf.matMul(A, B, false, true);
  return {
    call: () => op().dispose(),
    read() { const c = op(); const d = c.dataSync().slice(); c.dispose(); return d; },
    dispose() { A.dispose(); B.dispose(); Bias.dispose(); },
  };
}
