// The TS backend's kernels against small independent references: naive f64
// loops on plain arrays, formulas written out, and finite differences for every
// derivative. Odd sizes exercise the tails a vectorized twin has to handle.

import { beforeEach, describe, expect, it } from 'vitest';
import { TsKernels } from '../src/backends/ts.js';
import { rngFloat24, rngGaussPair, rngSeed, Rng } from '../src/random.js';

const SIZES = [1, 2, 3, 5, 7, 17];
const GUARD = 4; // f32 sentinels on each side of an output
const SENTINEL = 7777.25;

const k = new TsKernels(1 << 20);

// --- arena helpers ----------------------------------------------------------

let top = 0;
beforeEach(() => { top = 64; });

/** A fresh 16-byte-aligned buffer of `n` f32 with GUARD sentinels on each side. */
function alloc(n: number): number {
  const off = top + GUARD * 4;
  top = off + Math.ceil((n + GUARD) / 4) * 16;
  if (top > k.buffer.byteLength) throw new Error('test arena too small');
  new Float32Array(k.buffer, off - GUARD * 4, GUARD).fill(SENTINEL);
  new Float32Array(k.buffer, off + n * 4, GUARD).fill(SENTINEL);
  return off;
}

function put(off: number, data: ArrayLike<number>): number {
  new Float32Array(k.buffer, off, data.length).set(data);
  return off;
}

function get(off: number, n: number): number[] {
  return Array.from(new Float32Array(k.buffer, off, n));
}

function putI32(off: number, data: ArrayLike<number>): number {
  new Int32Array(k.buffer, off, data.length).set(data);
  return off;
}

function getI32(off: number, n: number): number[] {
  return Array.from(new Int32Array(k.buffer, off, n));
}

/** A buffer holding `data`. */
function buf(data: ArrayLike<number>): number {
  return put(alloc(data.length), data);
}

/** An output buffer of `n` f32, pre-filled with NaN so any accumulation shows. */
function out(n: number): number {
  return put(alloc(n), new Array(n).fill(NaN));
}

function expectGuards(off: number, n: number): void {
  expect(get(off - GUARD * 4, GUARD)).toEqual(new Array(GUARD).fill(SENTINEL));
  expect(get(off + n * 4, GUARD)).toEqual(new Array(GUARD).fill(SENTINEL));
}

// A tiny LCG, independent of the library's generator, giving f32-exact values.
let seed = 12345;
function rand(n: number, lo = -1, hi = 1): number[] {
  const r: number[] = [];
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    r.push(Math.fround(lo + ((hi - lo) * (seed >>> 8)) / 16777216));
  }
  return r;
}

function expectClose(actual: number[], expected: number[], atol: number, rtol = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= atol + rtol * Math.abs(expected[i])))
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]} (error ${err})`);
  }
}

const maxAbs = (x: number[]) => x.reduce((s, v) => Math.max(s, Math.abs(v)), 0);

// --- arena -------------------------------------------------------------------

describe('arena', () => {
  it('ensure grows the buffer, keeps its contents and rebuilds the views', () => {
    const kk = new TsKernels(1000);
    const before = kk.buffer;
    new Float32Array(before, 16, 3).set([1.5, -2, 3]);
    kk.ensure(100); // smaller: no change
    expect(kk.buffer).toBe(before);
    kk.ensure(before.byteLength + 1);
    expect(kk.buffer).not.toBe(before);
    expect(kk.buffer.byteLength).toBeGreaterThan(before.byteLength);
    expect(Array.from(new Float32Array(kk.buffer, 16, 3))).toEqual([1.5, -2, 3]);
    expect(kk.f32.buffer).toBe(kk.buffer);
    expect(kk.i32.buffer).toBe(kk.buffer);
    expect(kk.u32.buffer).toBe(kk.buffer);
    expect(kk.f32.length).toBe(kk.buffer.byteLength / 4);
    // Kernels see the new buffer, including its far end.
    const far = kk.buffer.byteLength - 32;
    new Float32Array(kk.buffer, far, 2).set([0, 2]);
    kk.sigmoid_forward(far, far, 2);
    expect(Array.from(new Float32Array(kk.buffer, far, 2))).toEqual([0.5, Math.fround(1 / (1 + Math.exp(-2)))]);
  });
});

// --- gemm --------------------------------------------------------------------

describe('gemm', () => {
  // Errors are one f32 rounding of an f64 sum: bound them by the sum of |terms|.
  const tol = (terms: number) => 1e-6 * terms + 1e-30;

  it('gemm_nn_bias: C = A·B + bias, output overwritten, tails intact', () => {
    for (const m of SIZES) for (const n of SIZES) for (const kk of SIZES) {
      const A = rand(m * kk), B = rand(kk * n), bias = rand(n);
      const a = buf(A), b = buf(B), bi = buf(bias), c = out(m * n);
      k.gemm_nn_bias(a, b, bi, c, m, n, kk);
      const C = get(c, m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = bias[j], mag = Math.abs(bias[j]);
        for (let p = 0; p < kk; p++) { s += A[i * kk + p] * B[p * n + j]; mag += Math.abs(A[i * kk + p] * B[p * n + j]); }
        expect(Math.abs(C[i * n + j] - s), `${m}×${n}×${kk} [${i},${j}]`).toBeLessThanOrEqual(tol(mag));
      }
      expectGuards(c, m * n);
      expect(get(a, m * kk)).toEqual(A);
    }
  });

  it('gemm_tn: C = Aᵀ·B with A k×m', () => {
    for (const m of SIZES) for (const n of SIZES) for (const kk of SIZES) {
      const A = rand(kk * m), B = rand(kk * n);
      const a = buf(A), b = buf(B), c = out(m * n);
      k.gemm_tn(a, b, c, m, n, kk);
      const C = get(c, m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0, mag = 0;
        for (let p = 0; p < kk; p++) { s += A[p * m + i] * B[p * n + j]; mag += Math.abs(A[p * m + i] * B[p * n + j]); }
        expect(Math.abs(C[i * n + j] - s), `${m}×${n}×${kk} [${i},${j}]`).toBeLessThanOrEqual(tol(mag));
      }
      expectGuards(c, m * n);
    }
  });

  it('gemm_nt: C = A·Bᵀ with B n×k', () => {
    for (const m of SIZES) for (const n of SIZES) for (const kk of SIZES) {
      const A = rand(m * kk), B = rand(n * kk);
      const a = buf(A), b = buf(B), c = out(m * n);
      k.gemm_nt(a, b, c, m, n, kk, 0);
      const C = get(c, m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0, mag = 0;
        for (let p = 0; p < kk; p++) { s += A[i * kk + p] * B[j * kk + p]; mag += Math.abs(A[i * kk + p] * B[j * kk + p]); }
        expect(Math.abs(C[i * n + j] - s), `${m}×${n}×${kk} [${i},${j}]`).toBeLessThanOrEqual(tol(mag));
      }
      expectGuards(c, m * n);
    }
  });

  it('gemm with a zero inner dimension gives bias (nn) or zeros (tn, nt)', () => {
    const bias = rand(3);
    const c1 = out(6), c2 = out(6), c3 = out(6);
    k.gemm_nn_bias(alloc(0), alloc(0), buf(bias), c1, 2, 3, 0);
    k.gemm_tn(alloc(0), alloc(0), c2, 2, 3, 0);
    k.gemm_nt(alloc(0), alloc(0), c3, 2, 3, 0, 0);
    expect(get(c1, 6)).toEqual([...bias, ...bias]);
    expect(get(c2, 6)).toEqual(new Array(6).fill(0));
    expect(get(c3, 6)).toEqual(new Array(6).fill(0));
  });

  it('col_sum: c = Σ_rows A', () => {
    for (const m of SIZES) for (const n of SIZES) {
      const A = rand(m * n);
      const a = buf(A), c = out(n);
      k.col_sum(a, c, m, n);
      const C = get(c, n);
      for (let j = 0; j < n; j++) {
        let s = 0, mag = 0;
        for (let i = 0; i < m; i++) { s += A[i * n + j]; mag += Math.abs(A[i * n + j]); }
        expect(Math.abs(C[j] - s)).toBeLessThanOrEqual(tol(mag));
      }
      expectGuards(c, n);
    }
  });
});

// --- activations ---------------------------------------------------------------

type Elementwise = {
  name: string;
  f: (z: number) => number;
  forward: (z: number, a: number, n: number) => void;
  backward: (a: number, da: number, dz: number, n: number) => void;
};

const ELEMENTWISE: Elementwise[] = [
  { name: 'sigmoid', f: z => 1 / (1 + Math.exp(-z)), forward: k.sigmoid_forward.bind(k), backward: k.sigmoid_backward.bind(k) },
  { name: 'tanh', f: z => Math.tanh(z), forward: k.tanh_forward.bind(k), backward: k.tanh_backward.bind(k) },
  { name: 'relu', f: z => (z > 0 ? z : 0), forward: k.relu_forward.bind(k), backward: k.relu_backward.bind(k) },
  { name: 'leaky-relu', f: z => (z > 0 ? z : 0.01 * z), forward: k.leaky_relu_forward.bind(k), backward: k.leaky_relu_backward.bind(k) },
  { name: 'linear', f: z => z, forward: k.linear_forward.bind(k), backward: k.linear_backward.bind(k) },
];

/** Values in [-4, 4] kept at least 0.1 away from 0, where relu's kink would spoil a finite difference. */
function awayFromZero(n: number): number[] {
  return rand(n, -4, 4).map(z => (Math.abs(z) < 0.1 ? Math.fround(z < 0 ? z - 0.1 : z + 0.1) : z));
}

describe('activations', () => {
  for (const act of ELEMENTWISE) {
    it(`${act.name} forward matches the formula`, () => {
      for (const n of [...SIZES, 64]) {
        const Z = [...rand(n, -6, 6)];
        if (n >= 5) Z.splice(0, 5, 0, -30, 30, -100, 100);
        const z = buf(Z), a = out(n);
        act.forward(z, a, n);
        expectClose(get(a, n), Z.map(act.f), 1e-30, 2 ** -23);
        expectGuards(a, n);
      }
    });

    it(`${act.name} backward matches central differences of the forward`, () => {
      const h = 1e-2;
      for (const n of SIZES) {
        const Z = awayFromZero(n), DA = rand(n, -2, 2);
        const zp = Z.map(v => Math.fround(v + h)), zm = Z.map(v => Math.fround(v - h));
        const a = out(n), ap = out(n), am = out(n), dz = out(n);
        act.forward(buf(Z), a, n);
        act.forward(buf(zp), ap, n);
        act.forward(buf(zm), am, n);
        act.backward(a, buf(DA), dz, n);
        const AP = get(ap, n), AM = get(am, n);
        const fd = Z.map((_, i) => ((AP[i] - AM[i]) / (zp[i] - zm[i])) * DA[i]);
        expectClose(get(dz, n), fd, 2e-4);
        expectGuards(dz, n);
      }
    });
  }

  it('relu and leaky-relu backward decide from a > 0 (z = 0 counts as negative)', () => {
    const Z = [0, -0.5, 0.5, -3], DA = [1, 2, 3, 4];
    const a = out(4), dz = out(4);
    k.relu_forward(buf(Z), a, 4);
    k.relu_backward(a, buf(DA), dz, 4);
    expect(get(dz, 4)).toEqual([0, 0, 3, 0]);
    k.leaky_relu_forward(buf(Z), a, 4);
    expect(get(a, 4)).toEqual([0, -0.005, 0.5, -0.03].map(Math.fround));
    k.leaky_relu_backward(a, buf(DA), dz, 4);
    expect(get(dz, 4)).toEqual([0.01, 0.02, 3, 0.04].map(Math.fround));
  });

  it('elementwise kernels work in place', () => {
    const Z = rand(7, -3, 3);
    const z = buf(Z);
    k.tanh_forward(z, z, 7);
    expectClose(get(z, 7), Z.map(Math.tanh), 1e-7);
    const l = buf(Z);
    k.linear_forward(l, l, 7);
    expect(get(l, 7)).toEqual(Z);
  });

  describe('softmax', () => {
    function softmaxRef(Z: number[], m: number, n: number): number[] {
      const A: number[] = [];
      for (let i = 0; i < m; i++) {
        const row = Z.slice(i * n, (i + 1) * n), max = Math.max(...row);
        const e = row.map(v => Math.exp(v - max)), s = e.reduce((x, y) => x + y, 0);
        A.push(...e.map(v => v / s));
      }
      return A;
    }

    it('forward matches the formula, rows sum to 1, large logits stay finite', () => {
      for (const m of SIZES) for (const n of SIZES) {
        const Z = rand(m * n, -5, 5);
        if (m * n >= 3) Z.splice(0, 3, 1000, -1000, 88.5);
        const a = out(m * n);
        k.softmax_forward(buf(Z), a, m, n);
        const A = get(a, m * n);
        expectClose(A, softmaxRef(Z, m, n), 1e-30, 2 ** -22);
        for (let i = 0; i < m; i++)
          expect(Math.abs(A.slice(i * n, (i + 1) * n).reduce((x, y) => x + y, 0) - 1)).toBeLessThan(1e-6);
        expectGuards(a, m * n);
      }
    });

    it('backward is the vector-Jacobian product (central differences of Σ da·a)', () => {
      const h = 1e-2;
      for (const m of [1, 3, 7]) for (const n of SIZES) {
        const Z = rand(m * n, -3, 3), DA = rand(m * n, -2, 2);
        const a = out(m * n), dz = out(m * n);
        k.softmax_forward(buf(Z), a, m, n);
        k.softmax_backward(a, buf(DA), dz, m, n);
        const fd = new Array(m * n).fill(0);
        const ap = out(m * n), am = out(m * n);
        // Rows are independent, so one column of every row can move at once.
        for (let j = 0; j < n; j++) {
          const zp = Z.slice(), zm = Z.slice();
          for (let i = 0; i < m; i++) {
            zp[i * n + j] = Math.fround(Z[i * n + j] + h);
            zm[i * n + j] = Math.fround(Z[i * n + j] - h);
          }
          k.softmax_forward(buf(zp), ap, m, n);
          k.softmax_forward(buf(zm), am, m, n);
          const AP = get(ap, m * n), AM = get(am, m * n);
          for (let i = 0; i < m; i++) {
            let phi = 0;
            for (let q = 0; q < n; q++) phi += DA[i * n + q] * (AP[i * n + q] - AM[i * n + q]);
            fd[i * n + j] = phi / (zp[i * n + j] - zm[i * n + j]);
          }
        }
        expectClose(get(dz, m * n), fd, 5e-4);
        expectGuards(dz, m * n);
      }
    });

    it('backward matches the formula a ⊙ (da − Σ da·a)', () => {
      const m = 5, n = 7;
      const A = softmaxRef(rand(m * n, -2, 2), m, n).map(Math.fround), DA = rand(m * n);
      const dz = out(m * n);
      k.softmax_backward(buf(A), buf(DA), dz, m, n);
      const ref: number[] = [];
      for (let i = 0; i < m; i++) {
        let dot = 0;
        for (let j = 0; j < n; j++) dot += DA[i * n + j] * A[i * n + j];
        for (let j = 0; j < n; j++) ref.push(A[i * n + j] * (DA[i * n + j] - dot));
      }
      expectClose(get(dz, m * n), ref, 1e-7, 1e-6);
    });
  });
});

// --- losses --------------------------------------------------------------------

/** Central differences of `loss()` with respect to every element of the buffer at `x`. */
function lossGradient(loss: () => number, x: number, len: number, h: number): number[] {
  const X = get(x, len), g: number[] = [];
  for (let i = 0; i < len; i++) {
    const xp = Math.fround(X[i] + h), xm = Math.fround(X[i] - h);
    put(x + 4 * i, [xp]);
    const lp = loss();
    put(x + 4 * i, [xm]);
    const lm = loss();
    put(x + 4 * i, [X[i]]);
    g.push((lp - lm) / (xp - xm));
  }
  return g;
}

function oneHotRows(m: number, n: number): number[] {
  const Y = new Array(m * n).fill(0);
  for (let i = 0; i < m; i++) Y[i * n + ((i * 7 + 3) % n)] = 1;
  return Y;
}

/** Rows of non-negative f32 weights summing to 1 (up to f32 rounding). */
function softRows(m: number, n: number): number[] {
  const R = rand(m * n, 0.05, 1), Y: number[] = [];
  for (let i = 0; i < m; i++) {
    const row = R.slice(i * n, (i + 1) * n), s = row.reduce((x, y) => x + y, 0);
    Y.push(...row.map(v => Math.fround(v / s)));
  }
  return Y;
}

describe('losses', () => {
  const SHAPES: [number, number][] = [[1, 1], [1, 3], [2, 5], [3, 1], [5, 7], [17, 3], [7, 17]];

  it('mse: mean of (a−y)², da = 2(a−y)/(m·n)', () => {
    for (const [m, n] of SHAPES) {
      const A = rand(m * n), Y = rand(m * n), len = m * n;
      const a = buf(A), y = buf(Y), da = out(len);
      const loss = k.mse_loss(a, y, da, m, n);
      let ref = 0;
      for (let i = 0; i < len; i++) ref += (A[i] - Y[i]) ** 2;
      expect(loss).toBeCloseTo(ref / len, 12);
      const G = get(da, len);
      expectClose(G, A.map((v, i) => (2 * (v - Y[i])) / len), 1e-12, 2 ** -23);
      expectGuards(da, len);
      const scratch = out(len);
      expectClose(G, lossGradient(() => k.mse_loss(a, y, scratch, m, n), a, len, 1e-3), 1e-6 * maxAbs(G) + 1e-9);
    }
  });

  it('sse: ½Σ(a−y)², da = a−y', () => {
    for (const [m, n] of SHAPES) {
      const A = rand(m * n), Y = rand(m * n), len = m * n;
      const a = buf(A), y = buf(Y), da = out(len);
      const loss = k.sse_loss(a, y, da, m, n);
      let ref = 0;
      for (let i = 0; i < len; i++) ref += (A[i] - Y[i]) ** 2;
      expect(loss).toBeCloseTo(ref / 2, 12);
      const G = get(da, len);
      expectClose(G, A.map((v, i) => v - Y[i]), 1e-12, 2 ** -23);
      expectGuards(da, len);
      const scratch = out(len);
      expectClose(G, lossGradient(() => k.sse_loss(a, y, scratch, m, n), a, len, 1e-3), 1e-6 * maxAbs(G) + 1e-9);
    }
  });

  it('softmax_cross_entropy: logsumexp loss from z, dz = (softmax(z) − y)/m', () => {
    for (const [m, n] of SHAPES) {
      if (n === 1) continue;
      for (const Y of [oneHotRows(m, n), softRows(m, n)]) {
        const Z = rand(m * n, -4, 4), len = m * n;
        const z = buf(Z), a = out(len), y = buf(Y), dz = out(len);
        k.softmax_forward(z, a, m, n);
        const A = get(a, len);
        const loss = k.softmax_cross_entropy(z, a, y, dz, m, n);
        let ref = 0;
        for (let i = 0; i < m; i++) {
          const row = Z.slice(i * n, (i + 1) * n), max = Math.max(...row);
          const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
          for (let j = 0; j < n; j++) ref += Y[i * n + j] * (lse - Z[i * n + j]);
        }
        expect(loss).toBeCloseTo(ref / m, 10);
        const G = get(dz, len);
        expectClose(G, A.map((v, i) => (v - Y[i]) / m), 1e-12, 2 ** -23);
        expectGuards(dz, len);
        const scratch = out(len);
        // The fd of the loss in z sees the exact softmax; dz uses the f32 a.
        expectClose(G, lossGradient(() => k.softmax_cross_entropy(z, a, y, scratch, m, n), z, len, 1e-3), 2e-6 + 1e-5 * maxAbs(G));
      }
    }
  });

  it('softmax_cross_entropy stays finite for extreme logits', () => {
    const Z = [1000, -1000, 0, -1000, 1000, 0], Y = [0, 1, 0, 0, 1, 0];
    const z = buf(Z), a = out(6), dz = out(6);
    k.softmax_forward(z, a, 2, 3);
    const loss = k.softmax_cross_entropy(z, a, buf(Y), dz, 2, 3);
    expect(loss).toBeCloseTo(1000, 9); // row 0 pays 2000, row 1 pays log(1 + 2e-1000) ≈ 0
    expect(get(dz, 6).every(Number.isFinite)).toBe(true);
  });

  it('sigmoid_binary_cross_entropy: stable from z, dz = (sigmoid(z) − y)/(m·n)', () => {
    for (const [m, n] of SHAPES) {
      const Z = rand(m * n, -5, 5), Y = rand(m * n, 0, 1), len = m * n;
      if (len >= 3) Z.splice(0, 3, 40, -40, 0);
      const z = buf(Z), a = out(len), y = buf(Y), dz = out(len);
      k.sigmoid_forward(z, a, len);
      const A = get(a, len);
      const loss = k.sigmoid_binary_cross_entropy(z, a, y, dz, m, n);
      let ref = 0;
      for (let i = 0; i < len; i++) ref += Math.max(Z[i], 0) - Z[i] * Y[i] + Math.log(1 + Math.exp(-Math.abs(Z[i])));
      expect(loss).toBeCloseTo(ref / len, 10);
      const G = get(dz, len);
      expectClose(G, A.map((v, i) => (v - Y[i]) / len), 1e-12, 2 ** -23);
      expectGuards(dz, len);
      const scratch = out(len);
      expectClose(G, lossGradient(() => k.sigmoid_binary_cross_entropy(z, a, y, scratch, m, n), z, len, 1e-3), 2e-6 + 1e-5 * maxAbs(G));
    }
  });

  it('sigmoid_binary_cross_entropy equals −y·ln a − (1−y)·ln(1−a) where that is computable', () => {
    const Z = [-2, 0.5, 3], Y = [0, 1, 0.25];
    const z = buf(Z), a = out(3), dz = out(3);
    k.sigmoid_forward(z, a, 3);
    const loss = k.sigmoid_binary_cross_entropy(z, a, buf(Y), dz, 1, 3);
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const ref = Z.reduce((acc, v, i) => acc - Y[i] * Math.log(s(v)) - (1 - Y[i]) * Math.log(1 - s(v)), 0) / 3;
    expect(loss).toBeCloseTo(ref, 12);
  });

  it('binary_cross_entropy of probabilities, da = (a−y)/(a(1−a))/(m·n)', () => {
    for (const [m, n] of SHAPES) {
      const A = rand(m * n, 0.05, 0.95), Y = rand(m * n, 0, 1), len = m * n;
      const a = buf(A), y = buf(Y), da = out(len);
      const loss = k.binary_cross_entropy(a, y, da, m, n);
      let ref = 0;
      for (let i = 0; i < len; i++) ref -= Y[i] * Math.log(A[i]) + (1 - Y[i]) * Math.log(1 - A[i]);
      expect(loss).toBeCloseTo(ref / len, 10);
      const G = get(da, len);
      expectClose(G, A.map((v, i) => (v - Y[i]) / (v * (1 - v)) / len), 1e-12, 2 ** -22);
      expectGuards(da, len);
      const scratch = out(len);
      expectClose(G, lossGradient(() => k.binary_cross_entropy(a, y, scratch, m, n), a, len, 1e-4), 1e-4 * maxAbs(G));
    }
  });

  it('binary_cross_entropy clamps a to [1e-7, 1−1e-7], both bounds rounded to f32 as in the wasm kernel', () => {
    const A = [0, 1, 1e-9, 0.5], Y = [1, 0, 0, 1];
    const da = out(4);
    const loss = k.binary_cross_entropy(buf(A), buf(Y), da, 2, 2);
    const lo = Math.fround(1e-7), hi = Math.fround(1 - lo);
    const c = A.map(v => Math.min(hi, Math.max(lo, Math.fround(v))));
    const ref = c.reduce((s, v, i) => s - Y[i] * Math.log(v) - (1 - Y[i]) * Math.log(1 - v), 0) / 4;
    expect(loss).toBeCloseTo(ref, 9);
    expect(Number.isFinite(loss)).toBe(true);
    expectClose(get(da, 4), c.map((v, i) => (v - Y[i]) / (v * (1 - v)) / 4), 1e-30, 2 ** -22);
  });

  it('count_correct: argmax with the first max winning; n = 1 thresholds at 0.5', () => {
    // rows: right; wrong; tie in a (first wins → right); tie in y (first wins → wrong)
    const A = [0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.4, 0.4, 0.2, 0.1, 0.2, 0.7];
    const Y = [0, 1, 0, 0, 0, 1, 1, 0, 0, 0.5, 0, 0.5];
    expect(k.count_correct(buf(A), buf(Y), 4, 3)).toBe(2);
    expect(k.count_correct(buf([0.5, 0.49, 0.9, 0.1, 0.5]), buf([1, 0, 0, 0, 0.5]), 5, 1)).toBe(4);
    expect(k.count_correct(buf([]), buf([]), 0, 3)).toBe(0);
  });
});

// --- optimizers ----------------------------------------------------------------

describe('optimizers', () => {
  const f = Math.fround;

  it('sgd: w −= lr·(g + l2·w)', () => {
    for (const n of SIZES) for (const l2 of [0, 0.01]) {
      const W = rand(n), G = rand(n), lr = 0.1;
      const w = buf(W), g = buf(G);
      k.sgd_update(w, g, n, lr, l2);
      expectClose(get(w, n), W.map((v, i) => v - lr * (G[i] + l2 * v)), 1e-7, 2 ** -23);
      expect(get(g, n)).toEqual(G);
      expectGuards(w, n);
    }
  });

  it('momentum, classical and Nesterov, from a non-zero velocity', () => {
    for (const n of SIZES) for (const l2 of [0, 0.01]) for (const nesterov of [0, 1]) {
      const W = rand(n), G = rand(n), V = rand(n, -0.1, 0.1), lr = 0.05, mu = 0.9;
      const w = buf(W), g = buf(G), v = buf(V);
      k.momentum_update(w, g, v, n, lr, mu, l2, nesterov);
      const gp = W.map((x, i) => G[i] + l2 * x);
      const v1 = V.map((x, i) => mu * x - lr * gp[i]);
      const w1 = W.map((x, i) => (nesterov ? x + mu * v1[i] - lr * gp[i] : x + v1[i]));
      expectClose(get(v, n), v1, 1e-7, 2 ** -23);
      expectClose(get(w, n), w1, 1e-7, 2 ** -23);
      expectGuards(w, n);
      expectGuards(v, n);
    }
  });

  it('momentum treats any non-zero nesterov flag as Nesterov', () => {
    const W = rand(5), G = rand(5);
    const w1 = buf(W), w2 = buf(W), v1 = buf(new Array(5).fill(0)), v2 = buf(new Array(5).fill(0)), g = buf(G);
    k.momentum_update(w1, g, v1, 5, 0.1, 0.9, 0, 1);
    k.momentum_update(w2, g, v2, 5, 0.1, 0.9, 0, 7);
    expect(get(w2, 5)).toEqual(get(w1, 5));
  });

  it('adam over 3 steps with bias corrections, with and without l2', () => {
    for (const n of SIZES) for (const l2 of [0, 0.01]) {
      const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
      let W = rand(n);
      const w = buf(W), m = buf(new Array(n).fill(0)), v = buf(new Array(n).fill(0));
      let M = new Array(n).fill(0), V = new Array(n).fill(0);
      for (let t = 1; t <= 3; t++) {
        const G = rand(n);
        if (t === 1) G[0] = 0; // a zero gradient at a zero state must not move w (0/(0+eps))
        const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
        k.adam_update(w, buf(G), m, v, n, lr, b1, b2, eps, l2, bc1, bc2);
        // The documented form; the state is stored in f32 between steps.
        const gp = W.map((x, i) => G[i] + l2 * x);
        M = M.map((x, i) => f(b1 * x + (1 - b1) * gp[i]));
        V = V.map((x, i) => f(b2 * x + (1 - b2) * gp[i] * gp[i]));
        W = W.map((x, i) => x - (lr * (M[i] / bc1)) / (Math.sqrt(V[i] / bc2) + eps));
        expectClose(get(m, n), M, 1e-9, 1e-6);
        expectClose(get(v, n), V, 1e-12, 1e-6);
        expectClose(get(w, n), W, 1e-7, 1e-6);
        if (t === 1 && l2 === 0) expect(get(w, n)[0]).toBe(f(W[0]));
        W = get(w, n);
        expectGuards(w, n);
      }
    }
  });
});

// --- data ----------------------------------------------------------------------

describe('gather_rows', () => {
  it('copies rows by index, repeats allowed, output overwritten', () => {
    for (const cols of SIZES) {
      const rows = 10, S = rand(rows * cols), IDX = [3, 0, 9, 3, 5, 1, 9];
      const src = buf(S), idx = putI32(alloc(IDX.length), IDX), dst = out(IDX.length * cols);
      k.gather_rows(src, idx, dst, IDX.length, cols);
      expect(get(dst, IDX.length * cols)).toEqual(IDX.flatMap(r => S.slice(r * cols, (r + 1) * cols)));
      expectGuards(dst, IDX.length * cols);
      expect(get(src, rows * cols)).toEqual(S);
    }
  });

  it('count = 0 writes nothing', () => {
    const dst = out(3);
    k.gather_rows(buf(rand(6)), putI32(alloc(1), [0]), dst, 0, 3);
    expect(get(dst, 3).every(Number.isNaN)).toBe(true);
  });
});

// --- random --------------------------------------------------------------------

describe('rng', () => {
  const state = () => alloc(4);
  const u32 = (off: number) => Array.from(new Uint32Array(k.buffer, off, 4));

  it('seeds xoshiro128** by splitmix32, into the arena', () => {
    const s = state();
    k.rng_seed(s, 0);
    const ref = new Uint32Array(4);
    rngSeed(ref, 0);
    expect(u32(s)).toEqual(Array.from(ref));
    expect(u32(s).some(x => x !== 0)).toBe(true);
  });

  it('same seed → same outputs, different seed → different, state advances', () => {
    const s1 = state(), s2 = state(), n = 100;
    const o1 = out(n), o2 = out(n);
    k.rng_seed(s1, 42);
    k.rng_seed(s2, 42);
    k.rng_uniform(s1, o1, n, 0, 1);
    k.rng_uniform(s2, o2, n, 0, 1);
    expect(get(o1, n)).toEqual(get(o2, n));
    const first = get(o1, n), before = u32(s1);
    k.rng_uniform(s1, o1, n, 0, 1);
    expect(get(o1, n)).not.toEqual(first);
    expect(u32(s1)).not.toEqual(before);
    k.rng_seed(s2, 43);
    k.rng_uniform(s2, o2, n, 0, 1);
    expect(get(o2, n)).not.toEqual(first);

    const n1 = out(n), n2 = out(n);
    k.rng_seed(s1, 7);
    k.rng_seed(s2, 7);
    k.rng_normal(s1, n1, n, 1);
    k.rng_normal(s2, n2, n, 1);
    expect(get(n1, n)).toEqual(get(n2, n));
    k.rng_seed(s2, 8);
    k.rng_normal(s2, n2, n, 1);
    expect(get(n2, n)).not.toEqual(get(n1, n));
  });

  it('rng_uniform is f32(lo + (hi−lo)·u) of the shared stream, within [lo, hi]', () => {
    const s = state(), n = 10000, o = out(n);
    k.rng_seed(s, 2024);
    k.rng_uniform(s, o, n, -2, 3);
    const U = get(o, n);
    const ref = new Uint32Array(4);
    rngSeed(ref, 2024);
    expect(U).toEqual(U.map(() => Math.fround(-2 + 5 * rngFloat24(ref))));
    expect(Math.min(...U)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...U)).toBeLessThan(3);
    expect(Math.min(...U)).toBeLessThan(-1.99);
    expect(Math.max(...U)).toBeGreaterThan(2.99);
    expect(Math.abs(U.reduce((a, b) => a + b, 0) / n - 0.5)).toBeLessThan(0.05);
    expectGuards(o, n);

    k.rng_uniform(s, o, n, 0, 1);
    const V = get(o, n);
    expect(V.every(x => x >= 0 && x < 1)).toBe(true);
  });

  it('rng_normal has mean ≈ 0 and std ≈ 1 over 20000 samples, scaled by std', () => {
    const s = state(), n = 20000, o = out(n);
    for (const std of [1, 2.5]) {
      k.rng_seed(s, 99);
      k.rng_normal(s, o, n, std);
      const X = get(o, n);
      const mean = X.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(X.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
      expect(Math.abs(mean)).toBeLessThan(0.03 * std);
      expect(Math.abs(sd / std - 1)).toBeLessThan(0.03);
      expect(X.filter(x => Math.abs(x) > 2 * std).length / n).toBeCloseTo(0.0455, 2);
      expectGuards(o, n);
    }
  });

  it('rng_normal takes pairs from rngGaussPair; an odd n drops the last pair\'s second value', () => {
    const s = state(), o = out(5), o2 = out(2);
    k.rng_seed(s, 5);
    k.rng_normal(s, o, 5, 2);
    k.rng_normal(s, o2, 2, 2);
    const ref = new Uint32Array(4), p: [number, number] = [0, 0], R: number[] = [];
    rngSeed(ref, 5);
    for (let i = 0; i < 4; i++) { rngGaussPair(ref, p); R.push(p[0], p[1]); }
    const r = R.map(x => Math.fround(2 * x));
    expect(get(o, 5)).toEqual(r.slice(0, 5));
    expect(get(o2, 2)).toEqual(r.slice(6, 8));
    expectGuards(o, 5);
  });

  it('rng_shuffle is a permutation, in the order of Rng.shuffle', () => {
    const s = state();
    for (const n of [...SIZES, 1000]) {
      const I = Array.from({ length: n }, (_, i) => i);
      const idx = putI32(alloc(n), I);
      k.rng_seed(s, 31337 + n);
      k.rng_shuffle(s, idx, n);
      const P = getI32(idx, n);
      expect([...P].sort((a, b) => a - b)).toEqual(I);
      expect(P).toEqual(Array.from(new Rng(31337 + n).shuffle(Int32Array.from(I))));
      if (n >= 17) expect(P).not.toEqual(I);
      expectGuards(idx, n);
    }
    const a = putI32(alloc(50), Array.from({ length: 50 }, (_, i) => i));
    const b = putI32(alloc(50), Array.from({ length: 50 }, (_, i) => i));
    k.rng_seed(s, 1); k.rng_shuffle(s, a, 50);
    k.rng_seed(s, 2); k.rng_shuffle(s, b, 50);
    expect(getI32(a, 50)).not.toEqual(getI32(b, 50));
  });

  it('rng_shuffle leaves n = 0 and n = 1 alone', () => {
    const s = state(), idx = putI32(alloc(1), [5]);
    k.rng_seed(s, 3);
    const before = u32(s);
    k.rng_shuffle(s, idx, 0);
    k.rng_shuffle(s, idx, 1);
    expect(getI32(idx, 1)).toEqual([5]);
    expect(u32(s)).toEqual(before);
  });
});
