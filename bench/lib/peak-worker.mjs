// One worker of the two-thread ceilings (bench/workloads/peak.mjs), over its own
// memory: either build/peak.wasm's register-only kernel, checked bit for bit, or
// (workerData.gemm) the library's simd build running one GEMM shape, checked
// exactly. Then on each request it waits for the shared start signal and times
// its own calls. Both workers spin on one Int32Array word until the main thread
// flips it, so their timed loops start together (within a cache-line transfer)
// and overlap.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';

const flags = new Int32Array(workerData.ctl); // [start generation, ready count]
const { ok, call } = workerData.gemm ? await gemm(workerData.gemm) : await peak(workerData);
parentPort.postMessage({ ready: true, ok });

parentPort.on('message', ({ gen, iters, reps }) => {
  Atomics.add(flags, 1, 1);
  Atomics.notify(flags, 1);
  while (Atomics.load(flags, 0) !== gen); // spin: a sleeping thread would start late
  const t = performance.now();
  for (let i = 0; i < reps; i++) call(iters);
  parentPort.postMessage({ seconds: (performance.now() - t) / 1000 });
});

async function peak({ wasm, kernel, operands, expected, offset }) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { instance } = await WebAssembly.instantiate(readFileSync(wasm), { env: { memory } });
  const fn = instance.exports[kernel];
  const f32 = new Float32Array(memory.buffer, offset, 64);
  f32.fill(0); f32.set(operands);
  fn(offset, expected.steps);
  const ok = expected.values.every((v, i) => f32[16 + i] === v);
  f32.fill(0); f32.set(operands);
  return { ok, call: (iters) => fn(offset, iters) };
}

/** C[m×n] = A[m×k]·B[k×n] by gemm_nn_bias, `iters` times a call. A and B hold multiples of
 *  1/16 below 1 in magnitude, so every sum is exact in f32 and C is checked against JS exactly. */
async function gemm({ wasm, m, n, k }) {
  const bytes = 4 * (m * k + k * n + m * n) + (1 << 20);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  const { instance } = await WebAssembly.instantiate(readFileSync(wasm), { env: { memory } });
  const { gemm_nn_bias, heap_base } = instance.exports;
  const A = (heap_base() + 63) & ~63, B = A + 4 * m * k, C = B + 4 * k * n;
  const a = new Float32Array(memory.buffer, A, m * k), b = new Float32Array(memory.buffer, B, k * n);
  a.forEach((_, i) => { a[i] = ((i * 7) % 31 - 15) / 16; });
  b.forEach((_, i) => { b[i] = ((i * 11) % 29 - 14) / 16; });
  gemm_nn_bias(A, B, 0, C, m, n, k);
  const c = new Float32Array(memory.buffer, C, m * n);
  let ok = true;
  for (let i = 0; i < m && ok; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      if (c[i * n + j] !== s) { ok = false; break; }
    }
  return { ok, call: (iters) => { for (let i = 0; i < iters; i++) gemm_nn_bias(A, B, 0, C, m, n, k); } };
}
