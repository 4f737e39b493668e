// BPTT training throughput (issue 5): an Elman network with 128 hidden tanh
// units, sequences of 32 steps, batches of 32 sequences, 32 inputs and a
// 32-way softmax at every step (cross-entropy, plain SGD) — backprop-wasm's
// simd, scalar and ts backends, and TF.js 4.22's SimpleRNN (returnSequences +
// a time-distributed dense softmax) on its wasm and cpu backends.
// Every system starts from the same weights and is verified first: the loss
// of its first step and its weights after three steps must match the simd
// backend's (1e-4); then it is warmed up and timed (median of the runs).
//   npm run build && node bench/rnn.mjs [--runs N] [--steps N]
// Standalone for now: not yet one of bench/run.mjs's workloads.
import { createRecurrentNetwork, matrix } from '../dist/index.js';
import { tf, useBackend } from './peers/tfjs.mjs';
import * as tfl from '@tensorflow/tfjs-layers';
import { stats, now } from './lib/timing.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : fallback; };
const RUNS = opt('--runs', 5), STEPS = opt('--steps', 20);
const I = 32, H = 128, O = 32, T = 32, B = 32, LR = 0.05;
// 2·T·B·(I·H [X·Wxh] + I·H [Xᵀ·dZ] + 3·H·H [h·Whh, hᵀ·dZ, dZ·Whhᵀ] + 3·H·O [output forward, Hᵀ·dZo, dZo·Whyᵀ])
const FLOP = 2 * T * B * (2 * I * H + 3 * H * H + 3 * H * O);

// one batch: B random sequences, a random class per step
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
const xs = Array.from({ length: B }, () => matrix(T, I, Float32Array.from({ length: T * I }, () => 2 * rand() - 1)));
const ys = Array.from({ length: B }, () => Int32Array.from({ length: T }, () => Math.floor(rand() * O)));
const spec = { inputSize: I, hiddenSize: H, outputSize: O, output: 'softmax', loss: 'cross-entropy', optimizer: 'sgd', learningRate: LR, seed: 1 };
const initial = (await createRecurrentNetwork(spec)).getWeights();

async function ours(backend) {
  const net = await createRecurrentNetwork({ ...spec, backend });
  net.setWeights(initial);
  return {
    system: backend,
    async step(n) { const h = await net.fit(xs, ys, { epochs: n, batchSize: B, shuffle: false }); return h.loss[0]; },
    weights: () => { const w = net.getWeights(); return [w.wxh, w.whh, w.bh, w.why, w.by]; },
  };
}

async function tfjs(backend) {
  await useBackend(backend);
  const model = tfl.sequential();
  // zero initializers: the shared weights are set below (and tfjs-layers' orthogonal initializer fails under Node here)
  model.add(tfl.layers.simpleRNN({ units: H, activation: 'tanh', returnSequences: true, inputShape: [T, I], kernelInitializer: 'zeros', recurrentInitializer: 'zeros' }));
  model.add(tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: O, activation: 'softmax' }) }));
  model.compile({ optimizer: tf.train.sgd(LR), loss: 'categoricalCrossentropy' });
  model.setWeights([
    tf.tensor2d(initial.wxh, [I, H]), tf.tensor2d(initial.whh, [H, H]), tf.tensor1d(initial.bh),
    tf.tensor2d(initial.why, [H, O]), tf.tensor1d(initial.by),
  ]);
  const x = tf.tensor3d(Float32Array.from(xs.flatMap((m) => [...m.data])), [B, T, I]);
  const oneHot = new Float32Array(B * T * O);
  ys.forEach((y, b) => y.forEach((c, t) => { oneHot[(b * T + t) * O + c] = 1; }));
  const y = tf.tensor3d(oneHot, [B, T, O]);
  return {
    system: `tfjs-${backend}`,
    async step(n) { await useBackend(backend); const h = await model.fit(x, y, { batchSize: B, epochs: n, shuffle: false, verbose: 0 }); return h.history.loss[0]; },
    weights: () => model.getWeights().map((t) => t.dataSync().slice()),
  };
}

const systems = [await ours('simd'), await ours('scalar'), await ours('ts'), await tfjs('wasm'), await tfjs('cpu')];
// verify: the first loss and the weights after three steps, against simd
const ref = { loss: await systems[0].step(3), w: systems[0].weights() };
for (const s of systems.slice(1)) {
  const loss = await s.step(3), w = s.weights();
  const err = Math.max(Math.abs(loss - ref.loss), ...w.flatMap((t, i) => Array.from(t, (v, j) => Math.abs(v - ref.w[i][j]) / Math.max(1, Math.abs(ref.w[i][j])))));
  if (!(err <= 1e-4)) throw new Error(`${s.system} disagrees with simd: ${err}`);
  process.stderr.write(`verified ${s.system} (max difference ${err.toExponential(1)})\n`);
}

const rows = [];
for (const s of systems) {
  const steps = s.system === 'ts' || s.system === 'tfjs-cpu' ? Math.max(2, STEPS >> 3) : STEPS;
  await s.step(2); // warm-up
  const secs = [];
  for (let r = 0; r < RUNS; r++) { const t = now(); await s.step(steps); secs.push((now() - t) / 1000 / steps); }
  const st = stats(secs);
  rows.push({ system: s.system, stepsPerSecond: 1 / st.median, gflops: FLOP / st.median / 1e9, min: 1 / st.max, max: 1 / st.min });
  process.stderr.write(`${s.system}: ${(1 / st.median).toFixed(1)} steps/s\n`);
}
console.log(`Elman BPTT: I ${I}, H ${H}, O ${O} (softmax), T ${T}, batch ${B}, SGD; ${(FLOP / 1e6).toFixed(1)} MFLOP per step; median of ${RUNS} runs\n`);
console.log('| system | BPTT steps/s | GFLOP/s | min–max steps/s |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.system} | ${r.stepsPerSecond.toFixed(1)} | ${r.gflops.toFixed(2)} | ${r.min.toFixed(1)}–${r.max.toFixed(1)} |`);
