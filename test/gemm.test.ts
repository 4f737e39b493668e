// assembly/gemm.ts on every backend against the TS twin (and a plain f64
// triple loop), over tiles and tails: m odd and even, m = 1, k mod 4 ∈ {0,1,2,3},
// every k ≤ 4 with n ≤ 4 (B held in registers), every n mod 16 (the SIMD tail
// tile is ⌈r/4⌉ vectors whose last one is a window ending at column n, so each
// r = 1…15 is its own case), k past one k block, large.
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/random.js';
import { allBackends, expectClose, get, Placer, put, randomArray } from './helpers.js';

const SHAPES: [number, number, number][] = [];
const NS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 26, 33];
for (const m of [1, 2, 3, 5]) for (const n of NS) for (const k of [1, 2, 3, 4, 7, 9]) SHAPES.push([m, n, k]);
// k > 256 (the k block): later blocks start from C, the tail windows included
SHAPES.push([64, 128, 784], [37, 10, 128], [128, 19, 65], [5, 10, 300], [3, 19, 513], [4, 30, 260]);

function naive(A: Float32Array, B: Float32Array, m: number, n: number, k: number, ai: (i: number, p: number) => number, bi: (p: number, j: number) => number, bias?: Float32Array): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) s += A[ai(i, p)] * B[bi(p, j)];
      C[i * n + j] = s;
    }
  return C;
}

describe('gemm kernels', async () => {
  const backends = await allBackends(1 << 23);
  const variants = [
    { name: 'gemm_nn_bias', a: (m: number, k: number) => m * k, b: (k: number, n: number) => k * n,
      ai: (m: number, k: number) => (i: number, p: number) => i * k + p, bi: (n: number) => (p: number, j: number) => p * n + j },
    { name: 'gemm_tn', a: (m: number, k: number) => m * k, b: (k: number, n: number) => k * n,
      ai: (m: number) => (i: number, p: number) => p * m + i, bi: (n: number) => (p: number, j: number) => p * n + j },
    { name: 'gemm_nt', a: (m: number, k: number) => m * k, b: (k: number, n: number) => k * n,
      ai: (m: number, k: number) => (i: number, p: number) => i * k + p, bi: (n: number, k: number) => (p: number, j: number) => j * k + p },
  ] as const;

  for (const v of variants) {
    it(`${v.name}: every backend matches a plain f64 loop and the others, output overwritten`, () => {
      const rng = new Rng(7);
      for (const [m, n, k] of SHAPES) {
        const A = randomArray(rng, v.a(m, k)), B = randomArray(rng, v.b(k, n)), bias = randomArray(rng, n);
        const withBias = v.name === 'gemm_nn_bias';
        const ref = naive(A, B, m, n, k, v.ai(m, k), v.bi(n, k), withBias ? bias : undefined);
        for (const be of backends) {
          const P = new Placer();
          const pa = P.take(A.length), pb = P.take(B.length), pbias = P.take(n), pc = P.take(m * n + 4);
          put(be, pa, A); put(be, pb, B); put(be, pbias, bias);
          put(be, pc, new Float32Array(m * n + 4).fill(NaN)); // garbage: kernels overwrite, never accumulate
          const scratch = P.take(n * k);
          if (withBias) be.kernels.gemm_nn_bias(pa, pb, pbias, pc, m, n, k);
          else if (v.name === 'gemm_tn') be.kernels.gemm_tn(pa, pb, pc, m, n, k);
          else be.kernels.gemm_nt(pa, pb, pc, m, n, k, scratch);
          const C = get(be, pc, m * n + 4);
          // f32 accumulation over k terms of size ≤ 1: error grows like k·ε
          expectClose(C.subarray(0, m * n), ref, 2e-6 * Math.sqrt(k) + 1e-6, `${be.name} ${v.name} ${m}×${n}×${k}`);
          expect(Array.from(C.subarray(m * n)).every(Number.isNaN), `${be.name} wrote past C`).toBe(true);
        }
      }
    });
  }

  it('gemm_nn_bias with bias = 0 (none) is a plain product', () => {
    const rng = new Rng(3);
    const m = 3, n = 9, k = 5;
    const A = randomArray(rng, m * k), B = randomArray(rng, k * n);
    const ref = naive(A, B, m, n, k, (i, p) => i * k + p, (p, j) => p * n + j);
    for (const be of backends) {
      const P = new Placer();
      const pa = P.take(A.length), pb = P.take(B.length), pc = P.take(m * n);
      put(be, pa, A); put(be, pb, B);
      be.kernels.gemm_nn_bias(pa, pb, 0, pc, m, n, k);
      expectClose(get(be, pc, m * n), ref, 1e-6, be.name);
    }
  });

  it('gemm_nt: with or without workspace, the same bits', () => {
    const rng = new Rng(13);
    for (const [m, n, k] of SHAPES) {
      const A = randomArray(rng, m * k), B = randomArray(rng, n * k);
      for (const be of backends) {
        const P = new Placer();
        const pa = P.take(A.length), pb = P.take(B.length), pc = P.take(m * n), pd = P.take(m * n), ps = P.take(n * k);
        put(be, pa, A); put(be, pb, B);
        be.kernels.gemm_nt(pa, pb, pc, m, n, k, ps);
        be.kernels.gemm_nt(pa, pb, pd, m, n, k, 0);
        expect(get(be, pc, m * n), `${be.name} ${m}×${n}×${k}`).toEqual(get(be, pd, m * n));
      }
    }
  });

  it('transpose: every backend, in 4×4 blocks and their row and column tails', () => {
    for (const be of backends) for (const [m, n] of [[1, 1], [3, 5], [16, 7], [4, 4], [5, 9], [8, 12], [13, 6], [17, 19]]) { // 4×4 blocks and every tail
      const P = new Placer();
      const A = Float32Array.from({ length: m * n }, (_, i) => i);
      const pa = P.take(m * n), pc = P.take(m * n);
      put(be, pa, A);
      be.kernels.transpose(pa, pc, m, n);
      const C = get(be, pc, m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(C[j * m + i]).toBe(A[i * n + j]);
    }
  });

  it('simd and scalar agree to the bit for NN, TN and NT (same summation order)', () => {
    const rng = new Rng(11);
    const [simd, scalar] = backends;
    for (const [m, n, k] of SHAPES) {
      const A = randomArray(rng, m * k), B = randomArray(rng, k * n), bias = randomArray(rng, n);
      const outs = [simd, scalar].map((be) => {
        const P = new Placer();
        const pa = P.take(A.length), pb = P.take(B.length), pbias = P.take(n), pc = P.take(m * n), pd = P.take(m * n), pe = P.take(m * n), ps = P.take(n * k);
        put(be, pa, A); put(be, pb, B); put(be, pbias, bias);
        be.kernels.gemm_nn_bias(pa, pb, pbias, pc, m, n, k);
        be.kernels.gemm_tn(pa, pb, pd, m, n, k);
        be.kernels.gemm_nt(pa, pb, pe, m, n, k, ps); // B read as n×k: same element count as k×n
        return [...get(be, pc, m * n), ...get(be, pd, m * n), ...get(be, pe, m * n)];
      });
      expect(outs[0]).toEqual(outs[1]);
    }
  });

  it('col_sum sums the rows of every column', () => {
    const rng = new Rng(5);
    for (const m of [1, 2, 7, 64]) for (const n of [1, 2, 3, 4, 5, 8, 13, 16, 19, 35]) {
      const A = randomArray(rng, m * n);
      const ref = new Float64Array(n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) ref[j] += A[i * n + j];
      for (const be of backends) {
        const P = new Placer();
        const pa = P.take(A.length), pc = P.take(n);
        put(be, pa, A); put(be, pc, new Float32Array(n).fill(NaN));
        be.kernels.col_sum(pa, pc, m, n);
        expectClose(get(be, pc, n), ref, 1e-6 * Math.sqrt(m), `${be.name} col_sum ${m}×${n}`);
      }
    }
  });

  it('col_sum: simd and scalar agree to the bit (rows added in order), every n mod 16', () => {
    const rng = new Rng(17);
    const [simd, scalar] = backends;
    for (const m of [1, 3, 64]) for (const n of NS) {
      const A = randomArray(rng, m * n);
      const [a, b] = [simd, scalar].map((be) => {
        const P = new Placer();
        const pa = P.take(A.length), pc = P.take(n + 4);
        put(be, pa, A); put(be, pc, new Float32Array(n + 4).fill(NaN));
        be.kernels.col_sum(pa, pc, m, n);
        return get(be, pc, n + 4);
      });
      expect(a, `col_sum ${m}×${n}`).toEqual(b);
      expect(Array.from(a.subarray(n)).every(Number.isNaN), `simd col_sum ${m}×${n} wrote past c`).toBe(true);
    }
  });
});
