// Property-based tests of the kernels (assembly/*.ts and their TS twin, src/backends/ts.ts).
//
// Random shapes (every SIMD tail, GEMM depths across the k-blocking at 256) and
// random values — ordinary, ±0, subnormals, large magnitudes, cancelling mixes —
// kept inside each kernel's domain (no overflow of f32 on the way, valid
// probabilities where a kernel takes probabilities). Two promises:
//
// 1. simd and scalar give the SAME BITS (they add in the same order and share
//    exp/tanh code): every output and every returned loss, bit for bit.
// 2. Both agree with the TS twin within a tolerance DERIVED, per element, from
//    the operations the kernel performs — the standard forward error bounds
//    (Higham, "Accuracy and Stability of Numerical Algorithms", ch. 2–3): with
//    u = 2⁻²⁴ the f32 unit roundoff, each f32 operation contributes at most
//    u·|its result|, plus 2⁻¹⁵⁰ absolute when the result is subnormal (gradual
//    underflow). The twin computes in f64 and rounds once to f32 (≤ u/2 more).
//    The bounds are worst cases, so a correct kernel cannot fail them; a wrong
//    index, a missing term or a wrong constant shows up as errors of order 1.
//    The comment above each property gives its bound.
//
// Seed and run counts: test/fuzz-config.ts (FUZZ_RUNS, FUZZ_SEED).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backends/index.js';
import { Rng } from '../src/random.js';
import { allBackends, get, Placer, put, putI32 } from './helpers.js';
import { checkProperty, timeout } from './fuzz-config.js';

const U = 2 ** -24; // f32 unit roundoff
const TINY = 2 ** -149; // smallest subnormal f32; a subnormal result is off by at most TINY/2
const MIN_NORMAL = 2 ** -126;
const f32 = Math.fround;

// ---------------------------------------------------------------- values

type Profile = 'unit' | 'wide' | 'tiny' | 'special' | 'mixed';
const PROFILES: Profile[] = ['unit', 'wide', 'tiny', 'special', 'mixed'];

/** One f32 value of a profile, |v| ≤ cap: 'unit' U(−1,1); 'wide' ±10^U(−45, log10 cap) (subnormal
 *  to huge); 'tiny' subnormals; 'special' ±0, the smallest and largest subnormals, the smallest
 *  normal, ±1, ±cap…; 'mixed' picks a profile per element, so large and tiny terms meet. */
function value(rng: Rng, profile: Profile, cap: number): number {
  const sign = rng.float() < 0.5 ? -1 : 1;
  switch (profile) {
    case 'unit': return f32(rng.float() * 2 - 1);
    case 'wide': return sign * Math.min(cap, f32(10 ** (-45 + (Math.log10(cap) + 45) * rng.float())));
    case 'tiny': return sign * (1 + rng.below(2 ** 23 - 1)) * TINY;
    case 'special': {
      const s = [0, -0, TINY, -TINY, MIN_NORMAL - TINY, MIN_NORMAL, -MIN_NORMAL, 1, -1, 0.5, 2, -3, 1e-20, f32(cap), -f32(cap)];
      return s[rng.below(s.length)];
    }
    case 'mixed': return value(rng, PROFILES[rng.below(4)], cap);
  }
}
function values(rng: Rng, n: number, profile: Profile, cap: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = value(rng, profile, cap);
  return a;
}
/** Values in [lo, hi] (probabilities, activations): uniform, the ends, and points near them. */
function inRange(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng.below(8);
    a[i] = r === 0 ? lo : r === 1 ? hi : r === 2 ? f32(lo + (hi - lo) * 2 ** -24) : r === 3 ? f32(hi - (hi - lo) * 2 ** -24)
      : r === 4 ? f32(lo + (hi - lo) * rng.float() * 1e-6) : f32(lo + (hi - lo) * rng.float());
  }
  return a;
}

// ---------------------------------------------------------------- running kernels

type Buffers = Record<string, Float32Array | Int32Array>;
interface Run { out: Record<string, Float32Array>; ret: number | void; name: string }

/** Places inputs and NaN-filled outputs (a kernel that leaves one unwritten shows NaN), calls the
 *  kernel, reads back the outputs and the inputs it updates in place (`inPlace`). */
function run(be: Backend, inputs: Buffers, outputs: Record<string, number>, call: (p: Record<string, number>) => number | void, inPlace: string[] = []): Run {
  const P = new Placer();
  const p: Record<string, number> = {};
  for (const [k, v] of Object.entries(inputs)) {
    p[k] = P.take(v.length);
    if (v instanceof Int32Array) putI32(be, p[k], v); else put(be, p[k], v);
  }
  for (const [k, n] of Object.entries(outputs)) {
    p[k] = P.take(n);
    put(be, p[k], new Float32Array(n).fill(NaN));
  }
  const ret = call(p);
  const out: Record<string, Float32Array> = {};
  for (const [k, n] of Object.entries(outputs)) out[k] = get(be, p[k], n);
  for (const k of inPlace) out[k] = get(be, p[k], inputs[k].length);
  return { out, ret, name: be.name };
}

const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** simd and scalar: the same bits in every output and the same returned value. */
function expectSameBits(simd: Run, scalar: Run, what: string): void {
  for (const k of Object.keys(simd.out)) {
    const a = bitsOf(simd.out[k]), b = bitsOf(scalar.out[k]);
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) expect.fail(`${what}: ${k}[${i}] simd ${simd.out[k][i]} ≠ scalar ${scalar.out[k][i]} (bits ${a[i].toString(16)} vs ${b[i].toString(16)})`);
    }
  }
  if (typeof simd.ret === 'number' && !Object.is(simd.ret, scalar.ret)) expect.fail(`${what}: returns simd ${simd.ret} ≠ scalar ${scalar.ret as number}`);
}

/** |x − ref| ≤ tol[i] for every element (NaN fails). */
function expectWithin(x: Float32Array, ref: Float32Array, tol: ArrayLike<number>, what: string): void {
  expect(x.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(x[i] - ref[i]);
    if (!(err <= tol[i])) expect.fail(`${what}[${i}]: ${x[i]} vs twin ${ref[i]}: error ${err} > bound ${tol[i]}`);
  }
}
function expectNumberWithin(x: number, ref: number, tol: number, what: string): void {
  if (!(Math.abs(x - ref) <= tol)) expect.fail(`${what}: ${x} vs twin ${ref}: error ${Math.abs(x - ref)} > bound ${tol}`);
}

/** Runs on simd, scalar and ts; checks simd = scalar bit for bit; returns the three runs. */
function onAll(backends: Backend[], inputs: Buffers, outputs: Record<string, number>, call: (k: Backend['kernels'], p: Record<string, number>) => number | void, what: string, inPlace: string[] = []): [Run, Run, Run] {
  const [simd, scalar, ts] = backends.map((be) => run(be, inputs, outputs, (p) => call(be.kernels, p), inPlace));
  expectSameBits(simd, scalar, what);
  return [simd, scalar, ts];
}

const profileArb = fc.constantFrom(...PROFILES);
const seedArb = fc.integer({ min: 0, max: 0xffffffff });

describe('kernels on random shapes and values', async () => {
  const backends = await allBackends(1 << 22);
  expect(backends.map((b) => b.name)).toEqual(['simd', 'scalar', 'ts']);

  // ---------------------------------------------------------------- GEMM
  // c = bias + Σ_p a_p·b_p over k terms. The WASM kernels round each product and each
  // partial sum to f32 (k products, k additions): |error| ≤ γ_{k+1}·M with M = |bias| + Σ|a_p·b_p|
  // (γ_j = j·u/(1 − j·u), Higham §3.1), plus 2⁻¹⁵⁰ per subnormal product. The twin's f64 products
  // are exact (24 + 24 bits), its f64 sum adds ≤ k·2⁻⁵³·M, its rounding to f32 ≤ u·M + 2⁻¹⁵⁰.
  // Bound: (k + 3)·u·M + k·2⁻⁵²·M + (k + 1)·2⁻¹⁴⁹. Values ≤ 1e15, so no product or sum overflows.
  const gemmShape = fc.record({
    m: fc.integer({ min: 1, max: 20 }),
    n: fc.integer({ min: 1, max: 37 }),
    k: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 1, arbitrary: fc.integer({ min: 250, max: 300 }) }),
    seed: seedArb, profile: profileArb, biasProfile: profileArb,
  });

  for (const kernel of ['gemm_nn_bias', 'gemm_tn', 'gemm_nt'] as const) {
    it(`${kernel}: simd = scalar bit for bit; both within the summation bound of the twin`, async () => {
      await checkProperty(fc.property(gemmShape, ({ m, n, k, seed, profile, biasProfile }) => {
        const rng = new Rng(seed);
        const A = values(rng, m * k, profile, 1e15), B = values(rng, k * n, profile, 1e15);
        const bias = kernel === 'gemm_nn_bias' ? values(rng, n, biasProfile, 1e30) : new Float32Array(n);
        // element accessors: A is m×k (nn, nt) or k×m (tn); B is k×n (nn, tn) or n×k (nt)
        const a = (i: number, p: number) => (kernel === 'gemm_tn' ? A[p * m + i] : A[i * k + p]);
        const b = (p: number, j: number) => (kernel === 'gemm_nt' ? B[j * k + p] : B[p * n + j]);
        const what = `${kernel} ${m}×${n}×${k} (${profile}, seed ${seed})`;
        const outs = { c: m * n, c0: m * n };
        const [simd, scalar, ts] = onAll(backends, { A, B, bias, scratch: new Float32Array(n * k) }, outs, (K, p) => {
          if (kernel === 'gemm_nn_bias') { K.gemm_nn_bias(p.A, p.B, p.bias, p.c, m, n, k); K.gemm_nn_bias(p.A, p.B, 0, p.c0, m, n, k); }
          else if (kernel === 'gemm_tn') { K.gemm_tn(p.A, p.B, p.c, m, n, k); K.gemm_tn(p.A, p.B, p.c0, m, n, k); }
          // the tiled path (with a workspace) and the dot-product path (without)
          else { K.gemm_nt(p.A, p.B, p.c, m, n, k, p.scratch); K.gemm_nt(p.A, p.B, p.c0, m, n, k, 0); }
        }, what);
        const tol = new Float64Array(m * n), tol0 = new Float64Array(m * n);
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let M = 0;
          for (let p = 0; p < k; p++) M += Math.abs(a(i, p) * b(p, j));
          const t = (M0: number) => ((k + 3) * U + k * 2 ** -52) * M0 + (k + 1) * 2 * TINY;
          tol0[i * n + j] = t(M);
          tol[i * n + j] = t(M + Math.abs(bias[j]));
        }
        for (const r of [simd, scalar]) {
          expectWithin(r.out.c, ts.out.c, tol, `${what} ${r.name} c`);
          expectWithin(r.out.c0, ts.out.c0, tol0, `${what} ${r.name} ${kernel === 'gemm_nt' ? 'without workspace' : 'without bias'}`);
        }
        if (kernel === 'gemm_nt') expect(bitsOf(simd.out.c), `${what}: the tiled and dot-product paths`).toEqual(bitsOf(simd.out.c0));
      }), kernel === 'gemm_nt' ? 150 : 200);
    }, timeout(60_000));
  }

  // c_j = Σ_i a_ij: m − 1 f32 additions (exact when the result is subnormal): ≤ γ_m·Σ|a_ij|;
  // the twin's f64 sum and final rounding add ≤ m·2⁻⁵³·Σ|a| + u·Σ|a| + 2⁻¹⁵⁰. Values ≤ 1e30.
  it('col_sum: simd = scalar bit for bit; both within the summation bound of the twin', async () => {
    await checkProperty(fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 37 }), seedArb, profileArb, (m, n, seed, profile) => {
      const rng = new Rng(seed);
      const A = values(rng, m * n, profile, 1e30);
      const what = `col_sum ${m}×${n} (${profile}, seed ${seed})`;
      const [simd, scalar, ts] = onAll(backends, { A }, { c: n }, (K, p) => K.col_sum(p.A, p.c, m, n), what);
      const tol = Float64Array.from({ length: n }, (_, j) => {
        let M = 0;
        for (let i = 0; i < m; i++) M += Math.abs(A[i * n + j]);
        return ((m + 2) * U + m * 2 ** -52) * M + TINY;
      });
      for (const r of [simd, scalar]) expectWithin(r.out.c, ts.out.c, tol, `${what} ${r.name}`);
    }), 500);
  }, timeout(60_000));

  // ---------------------------------------------------------------- activations
  // Forward, from z (|z| ≤ 1e30) to a:
  //   relu, linear: exact (the same value on every backend).
  //   leaky-relu: one f32 product with f32(0.01) (0.01 is off by ≤ u/2): ≤ 2u·|a| + 2⁻¹⁵⁰; bound 3u·|a| + 2⁻¹⁴⁹.
  //   sigmoid: 1/(1 + e^−z): the module's exp (≤ 2u relative: Cephes polynomial, ~1 ulp), one
  //     addition, one division: ≤ 4u·a; bound 8u·a (+ the twin's u/2). The module's exp flushes
  //     results below 2⁻¹²⁶ to 0 and returns +∞ above e^88.376 (f32 max is e^88.72), so an output
  //     below 2⁻¹²⁶ may read 0: + 2⁻¹²⁶ absolute.
  //   tanh: the Cephes tanhf polynomial for |z| < 0.625 (≤ 2 ulp) or 1 − 2/(e^{2|z|} + 1) (the exp's
  //     2u, two roundings, and 1 − q with q ≤ 0.45·t): ≤ 5u·|a|; bound 8u·|a| + 2⁻¹²⁶.
  // Backward, from a (in the activation's range) and da (|da| ≤ 1e30) to dz:
  //   relu, linear: exact.  leaky-relu: as forward.
  //   sigmoid: (da·a)·(1 − a), three roundings: ≤ 3u·|dz| + 2·2⁻¹⁵⁰; bound 5u·|dz| + 2⁻¹⁴⁸.
  //   tanh: da·(1 − a·a): a·a rounds (≤ u·a²), 1 − a² then cancels, so the bound is not relative to
  //     dz but to the terms: ≤ 3.5u·|da|·(a² + |1 − a²|); bound 5u·|da|·(a² + |1 − a²|) + 2⁻¹⁴⁸.
  const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'] as const;
  const range: Record<(typeof ACTIVATIONS)[number], [number, number]> = {
    sigmoid: [0, 1], tanh: [-1, 1], relu: [0, 1e30], leaky_relu: [-1e28, 1e30], linear: [-1e30, 1e30],
  };
  for (const act of ACTIVATIONS) {
    it(`${act}: forward and backward, simd = scalar bit for bit; within the bound of the twin (relu, linear: equal)`, async () => {
      await checkProperty(fc.property(fc.integer({ min: 1, max: 70 }), seedArb, profileArb, fc.boolean(), (n, seed, profile, fromForward) => {
        const rng = new Rng(seed);
        const z = values(rng, n, profile, 1e30), da = values(rng, n, profile, 1e30);
        const what = `${act} n=${n} (${profile}, seed ${seed})`;
        const fwd = onAll(backends, { z }, { a: n }, (K, p) => (K as any)[`${act}_forward`](p.z, p.a, n), `${what} forward`);
        // backward from a valid a: the twin's forward output, or values across the activation's range
        const [lo, hi] = range[act];
        const a = fromForward || act === 'relu' || act === 'linear' ? fwd[2].out.a : inRange(rng, n, lo, hi);
        const bwd = onAll(backends, { a, da }, { dz: n }, (K, p) => (K as any)[`${act}_backward`](p.a, p.da, p.dz, n), `${what} backward`);
        const tf = new Float64Array(n), tb = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const A = fwd[2].out.a[i], D = bwd[2].out.dz[i];
          if (act === 'relu' || act === 'linear') { tf[i] = 0; tb[i] = 0; }
          else if (act === 'leaky_relu') { tf[i] = 3 * U * Math.abs(A) + TINY; tb[i] = 3 * U * Math.abs(D) + TINY; }
          else if (act === 'sigmoid') { tf[i] = 8 * U * Math.abs(A) + MIN_NORMAL; tb[i] = 5 * U * Math.abs(D) + 4 * TINY; }
          else { tf[i] = 8 * U * Math.abs(A) + MIN_NORMAL; tb[i] = 5 * U * Math.abs(da[i]) * (a[i] * a[i] + Math.abs(1 - a[i] * a[i])) + 4 * TINY; }
        }
        for (const r of [fwd[0], fwd[1]]) expectWithin(r.out.a, fwd[2].out.a, tf, `${what} ${r.name} forward`);
        for (const r of [bwd[0], bwd[1]]) expectWithin(r.out.dz, bwd[2].out.dz, tb, `${what} ${r.name} backward`);
      }), 400);
    }, timeout(60_000));
  }

  // Softmax forward, per row: a_j = e^{z_j − max}/S. The WASM kernel rounds z_j − max to f32 (the
  // exponent is then off by ≤ u·|z_j − max|, so e^… by that much relatively), the exp (≤ 2u), the
  // sequential f32 sum S (≤ (n − 1)u·S, and the terms' own errors weigh ≤ n·u/e in S since
  // x·e^−x ≤ 1/e), 1/S and the product: relative ≤ u·(|z_j − max| + 1.4n + 5); bound
  // u·(|z_j − max| + 1.5n + 6)·a_j + 2⁻¹²⁶ (an e^… below 2⁻¹²⁶ may flush to 0, and S ≥ 1).
  // Backward: dz_j = a_j·(da_j − Σ_i da_i·a_i): the f32 dot (≤ γ_n·Σ|da_i·a_i|), one subtraction, one
  // product: bound |a_j|·((n + 1)u·Σ|da_i·a_i| + 3u·(|da_j| + |dot|)) + (n + 2)·2⁻¹⁴⁹.
  it('softmax: forward and backward, simd = scalar bit for bit; within the bound of the twin', async () => {
    await checkProperty(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 37 }), seedArb, profileArb, (m, n, seed, profile) => {
      const rng = new Rng(seed);
      const z = values(rng, m * n, profile, 1e30), da = values(rng, m * n, profile, 1e30);
      const what = `softmax ${m}×${n} (${profile}, seed ${seed})`;
      const fwd = onAll(backends, { z }, { a: m * n }, (K, p) => K.softmax_forward(p.z, p.a, m, n), `${what} forward`);
      const a = fwd[2].out.a;
      const bwd = onAll(backends, { a, da }, { dz: m * n }, (K, p) => K.softmax_backward(p.a, p.da, p.dz, m, n), `${what} backward`);
      const tf = new Float64Array(m * n), tb = new Float64Array(m * n);
      for (let i = 0; i < m; i++) {
        const row = (j: number) => i * n + j;
        let mx = -Infinity, dot = 0, absDot = 0;
        for (let j = 0; j < n; j++) { mx = Math.max(mx, z[row(j)]); dot += da[row(j)] * a[row(j)]; absDot += Math.abs(da[row(j)] * a[row(j)]); }
        for (let j = 0; j < n; j++) {
          tf[row(j)] = U * (Math.abs(z[row(j)] - mx) + 1.5 * n + 6) * a[row(j)] + MIN_NORMAL;
          tb[row(j)] = Math.abs(a[row(j)]) * ((n + 1) * U * absDot + 3 * U * (Math.abs(da[row(j)]) + Math.abs(dot))) + (n + 2) * TINY;
        }
      }
      for (const r of [fwd[0], fwd[1]]) expectWithin(r.out.a, a, tf, `${what} ${r.name} forward`);
      for (const r of [bwd[0], bwd[1]]) expectWithin(r.out.dz, bwd[2].out.dz, tb, `${what} ${r.name} backward`);
    }), 500);
  }, timeout(60_000));

  // ---------------------------------------------------------------- losses
  // Returned losses are f64 on every backend; gradients are f32.
  const lossShape = fc.record({ m: fc.integer({ min: 1, max: 8 }), n: fc.integer({ min: 1, max: 12 }), seed: seedArb, profile: profileArb, hard: fc.boolean() });
  /** Targets: 0/1 (hard) or anywhere in [0, 1] with the ends and near-ends. */
  const targets = (rng: Rng, len: number, hard: boolean) => (hard ? Float32Array.from({ length: len }, () => rng.below(2)) : inRange(rng, len, 0, 1));

  // mse / sse: d = a − y in f32 (≤ u·|d|; exact if subnormal), d² and the sum in f64 (d² exact).
  //   loss: ≤ 2u·Σd² in the WASM kernels and ≤ (count + 2)·2⁻⁵³·Σd² in the twin (whose f64 a − y is
  //   itself rounded when the exponents are far apart); bound (2.1u + (count + 4)·2⁻⁵²)·(the loss).
  //   mse gradient 2d/count: d, f32(2/count) and the product round: bound 4u·|g| + 2⁻¹⁴⁸; sse gradient d:
  //   2u·|g| + 2⁻¹⁴⁹ (the twin's f64 d may round twice). |a|, |y| ≤ 1e30.
  for (const loss of ['mse_loss', 'sse_loss'] as const) {
    it(`${loss}: simd = scalar bit for bit; loss and gradient within the bound of the twin`, async () => {
      await checkProperty(fc.property(lossShape, ({ m, n, seed, profile }) => {
        const rng = new Rng(seed);
        const a = values(rng, m * n, profile, 1e30), y = values(rng, m * n, profile, 1e30);
        const what = `${loss} ${m}×${n} (${profile}, seed ${seed})`;
        const [simd, scalar, ts] = onAll(backends, { a, y }, { g: m * n }, (K, p) => K[loss](p.a, p.y, p.g, m, n), what);
        const count = m * n, twin = ts.ret as number;
        const tl = (2.1 * U + (count + 4) * 2 ** -52) * Math.abs(twin);
        const tg = Float64Array.from(ts.out.g, (g) => (loss === 'mse_loss' ? 4 * U * Math.abs(g) + 4 * TINY : 2 * U * Math.abs(g) + TINY));
        for (const r of [simd, scalar]) {
          expectNumberWithin(r.ret as number, twin, tl, `${what} ${r.name} loss`);
          expectWithin(r.out.g, ts.out.g, tg, `${what} ${r.name} gradient`);
        }
      }), 300);
    }, timeout(60_000));
  }

  // softmax_cross_entropy, from logits z (|z| ≤ 1e30), a = softmax(z), targets y in [0, 1]:
  //   per row, lse = max + log Σ e^{z_j − max}. The WASM kernel rounds z_j − max to f32 and uses
  //   an f32 exp; the terms' errors weigh ≤ u·(n/e + 2) in log Σ (x·e^−x ≤ 1/e); log and the
  //   additions are f64. loss = mean_i Σ_j y_ij·(lse_i − z_ij): bound (1/m)·Σ|y_ij|·(u·(n + 4) +
  //   (m·n + 8)·2⁻⁵³·(|max_i| + |z_ij| + log n + 1)), the last term for the f64 roundings of both.
  //   gradient (a − y)/m: three f32 roundings against one: bound 4u·|g| + 2⁻¹⁴⁸.
  it('softmax_cross_entropy: simd = scalar bit for bit; loss and gradient within the bound of the twin', async () => {
    await checkProperty(fc.property(lossShape, ({ m, n, seed, profile, hard }) => {
      const rng = new Rng(seed);
      const z = values(rng, m * n, profile, 1e30), y = targets(rng, m * n, hard);
      const a = run(backends[2], { z }, { a: m * n }, (p) => backends[2].kernels.softmax_forward(p.z, p.a, m, n)).out.a;
      const what = `softmax_cross_entropy ${m}×${n} (${profile}, seed ${seed})`;
      const [simd, scalar, ts] = onAll(backends, { z, a, y }, { g: m * n }, (K, p) => K.softmax_cross_entropy(p.z, p.a, p.y, p.g, m, n), what);
      let tl = 0;
      for (let i = 0; i < m; i++) {
        let mx = -Infinity;
        for (let j = 0; j < n; j++) mx = Math.max(mx, z[i * n + j]);
        for (let j = 0; j < n; j++) tl += Math.abs(y[i * n + j]) * (U * (n + 4) + (m * n + 8) * 2 ** -53 * (Math.abs(mx) + Math.abs(z[i * n + j]) + Math.log(n) + 1));
      }
      tl /= m;
      const tg = Float64Array.from(ts.out.g, (g) => 4 * U * Math.abs(g) + 4 * TINY);
      for (const r of [simd, scalar]) {
        expectNumberWithin(r.ret as number, ts.ret as number, tl, `${what} ${r.name} loss`);
        expectWithin(r.out.g, ts.out.g, tg, `${what} ${r.name} gradient`);
      }
    }), 300);
  }, timeout(60_000));

  // sigmoid_binary_cross_entropy: every loss term max(z, 0) − z·y + log1p(e^−|z|) is f64 on both
  //   sides (only the libm's exp/log1p may differ by an f64 ulp): bound (1/count)·Σ(count + 8)·2⁻⁵³·
  //   (|z| + |z·y| + 1). Gradient (a − y)/count: 4u·|g| + 2⁻¹⁴⁸.
  it('sigmoid_binary_cross_entropy: simd = scalar bit for bit; loss and gradient within the bound of the twin', async () => {
    await checkProperty(fc.property(lossShape, ({ m, n, seed, profile, hard }) => {
      const rng = new Rng(seed);
      const count = m * n;
      const z = values(rng, count, profile, 1e30), y = targets(rng, count, hard);
      const a = run(backends[2], { z }, { a: count }, (p) => backends[2].kernels.sigmoid_forward(p.z, p.a, count)).out.a;
      const what = `sigmoid_binary_cross_entropy ${m}×${n} (${profile}, seed ${seed})`;
      const [simd, scalar, ts] = onAll(backends, { z, a, y }, { g: count }, (K, p) => K.sigmoid_binary_cross_entropy(p.z, p.a, p.y, p.g, m, n), what);
      let tl = 0;
      for (let i = 0; i < count; i++) tl += (count + 8) * 2 ** -53 * (Math.abs(z[i]) + Math.abs(z[i] * y[i]) + 1);
      tl /= count;
      const tg = Float64Array.from(ts.out.g, (g) => 4 * U * Math.abs(g) + 4 * TINY);
      for (const r of [simd, scalar]) {
        expectNumberWithin(r.ret as number, ts.ret as number, tl, `${what} ${r.name} loss`);
        expectWithin(r.out.g, ts.out.g, tg, `${what} ${r.name} gradient`);
      }
    }), 300);
  }, timeout(60_000));

  // binary_cross_entropy of probabilities a ∈ [0, 1] (the ends and their f32 neighbours included),
  //   clamped to [1e-7, 1 − 1e-7] as the ABI says — in an f32 arena, to the f32 values of those bounds,
  //   the same on every backend: near the clamp the gradient ~1/(1 − p)² is so steep that bounds
  //   differing in the 8th digit give gradients 19% apart. Loss terms −y·log p − (1 − y)·log(1 − p) are
  //   f64 on both sides once p is clamped: bound (1/count)·Σ(count + 8)·2⁻⁵³·(|y·log p| + |(1 − y)·log(1 − p)|).
  //   Gradient (p − y)/(p·(1 − p))/count: six f32 roundings: 7u·|g|, plus an underflowed p − y
  //   magnified by 1/(p(1 − p)): 2⁻¹⁴⁸/(p(1 − p)).
  it('binary_cross_entropy: simd = scalar bit for bit; loss and gradient within the bound of the twin', async () => {
    await checkProperty(fc.property(lossShape, ({ m, n, seed, hard }) => {
      const rng = new Rng(seed);
      const count = m * n;
      const a = inRange(rng, count, 0, 1), y = targets(rng, count, hard);
      const what = `binary_cross_entropy ${m}×${n} (seed ${seed}) a = [${Array.from(a)}] y = [${Array.from(y)}]`;
      const [simd, scalar, ts] = onAll(backends, { a, y }, { g: count }, (K, p) => K.binary_cross_entropy(p.a, p.y, p.g, m, n), what);
      let tl = 0;
      const tg = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const p = Math.min(Math.max(a[i], f32(1e-7)), f32(1 - f32(1e-7)));
        tl += (count + 8) * 2 ** -53 * (Math.abs(y[i] * Math.log(p)) + Math.abs((1 - y[i]) * Math.log(1 - p)));
        tg[i] = 7 * U * Math.abs(ts.out.g[i]) + (2 * 2 * TINY) / (p * (1 - p));
      }
      tl /= count;
      for (const r of [simd, scalar]) {
        expectNumberWithin(r.ret as number, ts.ret as number, tl, `${what} ${r.name} loss`);
        expectWithin(r.out.g, ts.out.g, tg, `${what} ${r.name} gradient`);
      }
    }), 300);
  }, timeout(60_000));

  // count_correct: an integer, the same on every backend (first maximum wins; ties, ±0 and
  // equal rows included, so values come from a small set).
  it('count_correct: the same count on every backend', async () => {
    await checkProperty(fc.property(lossShape, ({ m, n, seed }) => {
      const rng = new Rng(seed);
      const pick = [0, -0, 1, 0.5, -1, TINY, 0.49999997, 0.5000001];
      const a = Float32Array.from({ length: m * n }, () => pick[rng.below(pick.length)]);
      const y = Float32Array.from({ length: m * n }, () => pick[rng.below(pick.length)]);
      const r = backends.map((be) => run(be, { a, y }, {}, (p) => be.kernels.count_correct(p.a, p.y, m, n)).ret);
      expect(r, `count_correct ${m}×${n} seed ${seed}`).toEqual([r[2], r[2], r[2]]);
      // and it is what the ABI says
      let want = 0;
      for (let i = 0; i < m; i++) {
        if (n === 1) { if ((a[i] >= 0.5) === (y[i] >= 0.5)) want++; continue; }
        let ba = 0, by = 0;
        for (let j = 1; j < n; j++) { if (a[i * n + j] > a[i * n + ba]) ba = j; if (y[i * n + j] > y[i * n + by]) by = j; }
        if (ba === by) want++;
      }
      expect(r[2]).toBe(want);
    }), 300);
  }, timeout(60_000));

  // ---------------------------------------------------------------- optimizers
  // The WASM kernels round lr, μ, l2, β1, β2, 1 − β1, 1 − β2, lr/bc1, √bc2 and ε to f32 once (≤ u/2
  // each); the twin uses them in f64 and rounds once at the end (u/2). Counting the roundings on
  // each path (each bound below has ≥ 1u of slack over the count), with L = lr·(|g| + l2·|w|) ≥ |lr·g'|:
  //   sgd: w − lr·(g + l2·w): ≤ 5.5u·(|w| + L); bound 7u·(|w| + L) + 2⁻¹⁴⁷.
  //   momentum: v' = μv − lr·g': ≤ 5.5u·(μ|v| + L); bound 7u·(…) + 2⁻¹⁴⁷. w' = w + v': bound
  //     8u·(|w| + μ|v| + L) + 2⁻¹⁴⁶. Nesterov w' = w + (μv' − lr·g'): ≤ 9u·(…); bound
  //     11u·(|w| + μ(μ|v| + L) + L) + 2⁻¹⁴⁶.
  //   adam, with G = |g| + l2·|w| (≥ |g'|): m' = β1m + (1 − β1)g': ≤ 5u·(…); E_m = 7u·(β1|m| + (1 − β1)G)
  //     + 2⁻¹⁴⁷; v' = β2v + (1 − β2)g'² (g'² is off by ≤ 4u·G² + u·g'²): ≤ 8u·(…); E_v = 9u·(β2v + (1 − β2)G²) + 2⁻¹⁴⁷;
  //     the denominator D = √v'/√bc2 + ε: √ is off by min(E_v/(2√v'), √E_v), and √, ÷ and + round:
  //     E_D = min(E_v/(2√v'), √E_v)/√bc2 + 3u·√(v'/bc2) + 2u·D; the step R = (lr/bc1)·m'/D:
  //     E_R = (lr/bc1)·(E_m/D + |m'|·E_D/(D·(D − E_D))) + 4u·R + 2⁻¹⁴⁸/D (a subnormal (lr/bc1)·m', rounded
  //     absolutely, is then divided by D); w' = w − R: E_R + 2u·(|w| + R) + 2⁻¹⁴⁷.
  // |w|, |g|, |m| ≤ 1e30 (adam: 1e18, so that g'² and the step m'/ε stay finite in f32); v ∈ [0, 1e36].
  // Hyper-parameters are 0 or f32 normals (a μ of 1e-74 would round to 0 in f32: another optimizer).
  const unitInterval = (max: number) => fc.double({ min: 0, max, noNaN: true }).map((x) => (x < 1e-30 ? 0 : x));
  const hyper = fc.record({
    lr: fc.double({ min: -6, max: 0, noNaN: true }).map((e) => 10 ** e),
    l2: fc.oneof(fc.constant(0), fc.double({ min: -6, max: 0, noNaN: true }).map((e) => 10 ** e)),
    mu: fc.oneof(fc.constant(0), fc.constant(0.9), unitInterval(0.99)),
    beta1: fc.oneof(fc.constant(0.9), unitInterval(0.99)),
    beta2: fc.oneof(fc.constant(0.999), fc.double({ min: 0.9, max: 0.9999, noNaN: true })),
    eps: fc.constantFrom(1e-8, 1e-7, 1e-3),
    t: fc.integer({ min: 1, max: 1000 }),
  });
  const optShape = fc.record({ n: fc.integer({ min: 1, max: 70 }), seed: seedArb, profile: profileArb });

  for (const opt of ['sgd', 'momentum', 'nesterov', 'adam'] as const) {
    it(`${opt}_update: simd = scalar bit for bit; within the bound of the twin`, async () => {
      await checkProperty(fc.property(optShape, hyper, ({ n, seed, profile }, h) => {
        const rng = new Rng(seed);
        const cap = opt === 'adam' ? 1e18 : 1e30;
        const w = values(rng, n, profile, cap), g = values(rng, n, profile, cap);
        const m = values(rng, n, profile, cap), v = Float32Array.from(values(rng, n, profile, 1e36), Math.abs);
        const what = `${opt} n=${n} (${profile}, seed ${seed}, ${JSON.stringify(h)})`;
        const bc1 = 1 - h.beta1 ** h.t, bc2 = 1 - h.beta2 ** h.t;
        const [simd, scalar, ts] = onAll(backends, opt === 'adam' ? { w, g, m, v } : opt === 'sgd' ? { w, g } : { w, g, v: m }, {}, (K, p) => {
          if (opt === 'sgd') K.sgd_update(p.w, p.g, n, h.lr, h.l2);
          else if (opt === 'adam') K.adam_update(p.w, p.g, p.m, p.v, n, h.lr, h.beta1, h.beta2, h.eps, h.l2, bc1, bc2);
          else K.momentum_update(p.w, p.g, p.v, n, h.lr, h.mu, h.l2, opt === 'nesterov' ? 1 : 0);
        }, what, opt === 'adam' ? ['w', 'm', 'v'] : opt === 'sgd' ? ['w'] : ['w', 'v']);
        const tw = new Float64Array(n), tm = new Float64Array(n), tv = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const W = Math.abs(w[i]), G = Math.abs(g[i]) + h.l2 * W, L = h.lr * G;
          if (opt === 'sgd') tw[i] = 7 * U * (W + L) + 4 * TINY;
          else if (opt !== 'adam') {
            const V = h.mu * Math.abs(m[i]);
            tv[i] = 7 * U * (V + L) + 4 * TINY;
            tw[i] = opt === 'momentum' ? 8 * U * (W + V + L) + 8 * TINY : 11 * U * (W + h.mu * (V + L) + L) + 8 * TINY;
          } else {
            const mNew = ts.out.m[i], vNew = ts.out.v[i];
            tm[i] = 7 * U * (h.beta1 * Math.abs(m[i]) + (1 - h.beta1) * G) + 4 * TINY;
            tv[i] = 9 * U * (h.beta2 * v[i] + (1 - h.beta2) * G * G) + 4 * TINY;
            const step = h.lr / bc1, D = Math.sqrt(vNew) / Math.sqrt(bc2) + h.eps, R = (step * Math.abs(mNew)) / D;
            const ED = Math.min(tv[i] / (2 * Math.sqrt(vNew)), Math.sqrt(tv[i])) / Math.sqrt(bc2) + 3 * U * Math.sqrt(vNew / bc2) + 2 * U * D;
            const ER = step * (tm[i] / D + (Math.abs(mNew) * ED) / (D * Math.max(D - ED, D / 2))) + 4 * U * R + (2 * TINY) / D;
            tw[i] = ER + 2 * U * (W + R) + 4 * TINY;
          }
        }
        for (const r of [simd, scalar]) {
          expectWithin(r.out.w, ts.out.w, tw, `${what} ${r.name} w`);
          if (opt === 'adam') { expectWithin(r.out.m, ts.out.m, tm, `${what} ${r.name} m`); expectWithin(r.out.v, ts.out.v, tv, `${what} ${r.name} v`); }
          else if (opt !== 'sgd') expectWithin(r.out.v, ts.out.v, tv, `${what} ${r.name} v`);
        }
      }), 400);
    }, timeout(60_000));
  }
});
