// One worker of the two-thread peak (bench/workloads/peak.mjs): instantiates
// build/peak.wasm over its own memory, checks the kernel bit for bit, then on
// each request waits for the shared start signal and times its own calls. Both
// workers spin on one Int32Array word until the main thread flips it, so their
// timed loops start together (within a cache-line transfer) and overlap.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';

const { wasm, kernel, operands, expected, offset, ctl } = workerData;
const flags = new Int32Array(ctl); // [start generation, ready count]
const memory = new WebAssembly.Memory({ initial: 1 });
const { instance } = await WebAssembly.instantiate(readFileSync(wasm), { env: { memory } });
const fn = instance.exports[kernel];
const f32 = new Float32Array(memory.buffer, offset, 64);
f32.fill(0); f32.set(operands);
fn(offset, expected.steps);
const ok = expected.values.every((v, i) => f32[16 + i] === v);
f32.fill(0); f32.set(operands);
parentPort.postMessage({ ready: true, ok });

parentPort.on('message', ({ gen, iters, reps }) => {
  Atomics.add(flags, 1, 1);
  Atomics.notify(flags, 1);
  while (Atomics.load(flags, 0) !== gen); // spin: a sleeping thread would start late
  const t = performance.now();
  for (let i = 0; i < reps; i++) fn(offset, iters);
  parentPort.postMessage({ seconds: (performance.now() - t) / 1000 });
});
