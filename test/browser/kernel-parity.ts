// The kernels' parity run, the same code in Node and in Chromium (bundled for
// the page by test/browser-kernels.test.ts): every kernel family of the ABI on
// seeded inputs, over shapes with tails, on simd, scalar and ts. It returns each
// output's bytes (hex) per backend, so the test can hold simd = scalar bit for
// bit, both engines to the same bits, and ts within a tolerance.
import { BACKENDS, createBackend, type Backend } from '../../src/backends/index.js';
import type { Kernels } from '../../src/backends/kernels.js';
import { ARENA_BASE } from '../../src/layout.js';
import { Rng } from '../../src/random.js';

/** backend → case → the bytes (hex) and values of its inputs and outputs after the call */
export type ParityRun = Record<string, Record<string, { hex: string; values: number[] }>>;

interface Case {
  name: string;
  /** inputs: arrays written to the arena in order; the kernel gets their offsets */
  inputs: (rng: Rng) => (Float32Array | Int32Array)[];
  /** output lengths (floats), placed after the inputs */
  outputs: number[];
  /** workspace the kernel may use as it likes (floats, after the outputs; not compared) */
  scratch?: number;
  /** the call, with input offsets then output offsets; a returned number is an output too */
  call: (k: Kernels, at: number[]) => number | void;
}

const rand = (rng: Rng, n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.float());
const onehot = (rng: Rng, m: number, n: number) => {
  const y = new Float32Array(m * n);
  for (let i = 0; i < m; i++) y[i * n + Math.floor(rng.float() * n)] = 1;
  return y;
};

function cases(): Case[] {
  const out: Case[] = [];
  for (const [m, n, k] of [[1, 1, 1], [3, 17, 9], [5, 33, 7], [2, 10, 128], [7, 6, 65], [18, 40, 300]]) {
    out.push(
      { name: `gemm_nn_bias ${m}×${n}×${k}`, inputs: (r) => [rand(r, m * k), rand(r, k * n), rand(r, n)], outputs: [m * n], call: (K, [a, b, bias, c]) => K.gemm_nn_bias(a, b, bias, c, m, n, k) },
      { name: `gemm_tn ${m}×${n}×${k}`, inputs: (r) => [rand(r, k * m), rand(r, k * n)], outputs: [m * n], call: (K, [a, b, c]) => K.gemm_tn(a, b, c, m, n, k) },
      { name: `gemm_nt ${m}×${n}×${k}`, inputs: (r) => [rand(r, m * k), rand(r, n * k)], outputs: [m * n], scratch: n * k, call: (K, [a, b, c, s]) => K.gemm_nt(a, b, c, m, n, k, s) },
    );
  }
  const n = 37;
  for (const f of ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'] as const) {
    out.push(
      { name: `${f}_forward`, inputs: (r) => [rand(r, n, -6, 6)], outputs: [n], call: (K, [z, a]) => K[`${f}_forward`](z, a, n) },
      { name: `${f}_backward`, inputs: (r) => [rand(r, n, 0, 1), rand(r, n)], outputs: [n], call: (K, [a, da, dz]) => K[`${f}_backward`](a, da, dz, n) },
    );
  }
  const [m, c] = [5, 10];
  out.push(
    { name: 'softmax_forward', inputs: (r) => [rand(r, m * c, -8, 8)], outputs: [m * c], call: (K, [z, a]) => K.softmax_forward(z, a, m, c) },
    { name: 'softmax_backward', inputs: (r) => [rand(r, m * c, 0, 1), rand(r, m * c)], outputs: [m * c], call: (K, [a, da, dz]) => K.softmax_backward(a, da, dz, m, c) },
    { name: 'mse_loss', inputs: (r) => [rand(r, m * c, 0, 1), rand(r, m * c, 0, 1)], outputs: [m * c], call: (K, [a, y, da]) => K.mse_loss(a, y, da, m, c) },
    { name: 'sse_loss', inputs: (r) => [rand(r, m * c, 0, 1), rand(r, m * c, 0, 1)], outputs: [m * c], call: (K, [a, y, da]) => K.sse_loss(a, y, da, m, c) },
    { name: 'binary_cross_entropy', inputs: (r) => [rand(r, m * c, 0, 1), onehot(r, m, c)], outputs: [m * c], call: (K, [a, y, da]) => K.binary_cross_entropy(a, y, da, m, c) },
    { name: 'softmax_cross_entropy', inputs: (r) => [rand(r, m * c, -4, 4), onehot(r, m, c)], outputs: [m * c, m * c],
      call: (K, [z, y, a, dz]) => K.softmax_cross_entropy(z, a, y, dz, m, c) },
    { name: 'sigmoid_binary_cross_entropy', inputs: (r) => [rand(r, m * c, -4, 4), onehot(r, m, c)], outputs: [m * c, m * c],
      call: (K, [z, y, a, dz]) => { K.sigmoid_forward(z, a, m * c); return K.sigmoid_binary_cross_entropy(z, a, y, dz, m, c); } },
    { name: 'sgd_update', inputs: (r) => [rand(r, n), rand(r, n)], outputs: [], call: (K, [w, g]) => K.sgd_update(w, g, n, 0.1, 0.01) },
    { name: 'momentum_update nesterov', inputs: (r) => [rand(r, n), rand(r, n), rand(r, n)], outputs: [], call: (K, [w, g, v]) => K.momentum_update(w, g, v, n, 0.1, 0.9, 0.01, 1) },
    { name: 'adam_update', inputs: (r) => [rand(r, n), rand(r, n), rand(r, n), rand(r, n, 0, 1)], outputs: [],
      call: (K, [w, g, mm, v]) => K.adam_update(w, g, mm, v, n, 0.001, 0.9, 0.999, 1e-8, 0.01, 1 - 0.9 ** 3, 1 - 0.999 ** 3) },
    { name: 'rng_uniform, rng_normal, rng_shuffle', inputs: () => [new Float32Array(4), Int32Array.from({ length: n }, (_, i) => i)], outputs: [n, n],
      call: (K, [state, idx, u, g]) => { K.rng_seed(state, 42); K.rng_uniform(state, u, n, -1, 1); K.rng_normal(state, g, n, 1); K.rng_shuffle(state, idx, n); } },
  );
  return out;
}

const hex = (a: ArrayBufferView) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');

/** Runs every case on one backend: the hex of every input and output afterwards (kernels that update in place change inputs). */
function runOn(be: Backend): ParityRun[string] {
  const result: ParityRun[string] = {};
  for (const c of cases()) {
    const rng = new Rng(1234);
    const ins = c.inputs(rng);
    const at: number[] = [];
    let off = ARENA_BASE;
    const place = (floats: number) => { at.push(off); off += Math.ceil((floats * 4) / 16) * 16 + 16; };
    ins.forEach((a) => place(a.length));
    c.outputs.forEach((n) => place(n));
    if (c.scratch) place(c.scratch);
    be.ensure(off);
    const buf = be.buffer();
    ins.forEach((a, i) => (a instanceof Int32Array ? new Int32Array(buf, at[i], a.length) : new Float32Array(buf, at[i], a.length)).set(a));
    c.outputs.forEach((n, i) => new Float32Array(buf, at[ins.length + i], n).fill(0));
    const ret = c.call(be.kernels, at);
    const parts: ArrayLike<number>[] = [
      ...ins.map((a, i) => (a instanceof Int32Array ? new Int32Array(be.buffer(), at[i], a.length) : new Float32Array(be.buffer(), at[i], a.length))),
      ...c.outputs.map((n, i) => new Float32Array(be.buffer(), at[ins.length + i], n)),
    ];
    if (typeof ret === 'number') parts.push(Float64Array.of(ret));
    result[c.name] = { hex: parts.map((p) => hex(p as unknown as ArrayBufferView)).join('|'), values: parts.flatMap((p) => Array.from(p)) };
  }
  return result;
}

export async function kernelParity(): Promise<ParityRun> {
  const out: ParityRun = {};
  for (const name of BACKENDS) out[name] = runOn(await createBackend(name, 1 << 16));
  return out;
}
