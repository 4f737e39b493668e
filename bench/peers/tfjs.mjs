// TensorFlow.js 4.22 (tfjs-core + tfjs-layers) on its cpu backend (plain JS)
// and its wasm backend (XNNPACK; SIMD module, one thread: threads are switched
// off before the backend starts). The .wasm files are read from
// node_modules/@tensorflow/tfjs-backend-wasm/dist: nothing is downloaded.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths, setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { now } from '../lib/timing.mjs';
import { oneHotF32 } from '../lib/mnist.mjs';

export { tf };
const require = createRequire(import.meta.url);
// Production mode: no debug checks, and no "install tfjs-node" banner on stderr.
tf.enableProdMode();
let wasmReady = false;

/** Switches TF.js to 'cpu' or 'wasm' (SIMD, 1 thread). */
export async function useBackend(name) {
  if (name === 'wasm' && !wasmReady) {
    setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setThreadsCount(1);
    wasmReady = true;
  }
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) throw new Error(`TF.js backend '${name}' did not start`);
}

export function tfjsInfo() {
  return {
    version: tf.version_core,
    wasm: wasmReady ? { simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), multithread: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'), threads: getThreadsCount() } : undefined,
  };
}

const sse = (yTrue, yPred) => tf.tidy(() => tf.mul(0.5, tf.sum(tf.square(tf.sub(yPred, yTrue)))));

/** An MLP trainer on TF.js layers: a sequential model of dense layers, model.fit without shuffling. */
export async function createTfjs(backend, spec) {
  await useBackend(backend);
  const { sizes, activations, loss, optimizer, batch, initial } = spec;
  const model = tfl.sequential();
  activations.forEach((activation, i) =>
    model.add(tfl.layers.dense({ units: sizes[i + 1], activation, inputShape: i === 0 ? [sizes[0]] : undefined })));
  const opt = optimizer.type === 'adam' ? tf.train.adam(optimizer.lr, 0.9, 0.999, 1e-8) : tf.train.sgd(optimizer.lr);
  model.compile({ optimizer: opt, loss: loss === 'cross-entropy' ? 'categoricalCrossentropy' : sse });
  const setWeights = (layers) => {
    const ts = layers.flatMap((l, i) => [tf.tensor2d(Float32Array.from(l.weights), [sizes[i], sizes[i + 1]]), tf.tensor1d(Float32Array.from(l.bias))]);
    model.setWeights(ts);
    ts.forEach((t) => t.dispose());
  };
  setWeights(initial);
  const lossName = loss === 'cross-entropy' ? "'categoricalCrossentropy' (softmax output, clipped log)" : 'a custom ½·Σ(ŷ−y)² loss';
  let tensors = null; // [dataset, x, y]: the data set converted once, outside the timing
  return {
    system: `tfjs-${backend}`,
    config: `TF.js ${tf.version_core} layers, ${backend} backend${backend === 'wasm' ? ' (SIMD, 1 thread)' : ''}: dense layers, ${lossName}, ` +
      `${optimizer.type === 'adam' ? 'tf.train.adam(lr, 0.9, 0.999, 1e-8)' : 'tf.train.sgd(lr)'}; model.fit(x, y, { batchSize: ${batch}, epochs, shuffle: false }) on tensors made once; same initial weights (setWeights)`,
    async fitEpochs(ds, epochs) {
      await useBackend(backend);
      if (!tensors || tensors[0] !== ds) {
        if (tensors) { tensors[1].dispose(); tensors[2].dispose(); }
        tensors = [ds, tf.tensor2d(ds.x, [ds.rows, sizes[0]]), tf.tensor2d(ds.t ?? oneHotF32(ds.y, sizes[sizes.length - 1]), [ds.rows, sizes[sizes.length - 1]])];
      }
      const marks = [now()];
      const h = await model.fit(tensors[1], tensors[2], {
        batchSize: batch === 'full' ? ds.rows : batch, epochs, shuffle: false, verbose: 0,
        callbacks: { onEpochEnd: async () => { marks.push(now()); } },
      });
      return { epochSeconds: marks.slice(1).map((t, i) => (t - marks[i]) / 1000), loss: h.history.loss[h.history.loss.length - 1] };
    },
    getWeights() {
      const w = model.getWeights().map((t) => t.dataSync().slice());
      return activations.map((_, i) => ({ weights: w[2 * i], bias: w[2 * i + 1] }));
    },
    setWeights,
    dispose() {
      if (tensors) { tensors[1].dispose(); tensors[2].dispose(); }
      model.dispose();
      opt.dispose();
    },
  };
}
