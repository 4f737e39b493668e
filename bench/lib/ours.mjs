// backprop-wasm itself, through its public API (dist/index.js, built by
// `npm run build`), as one of the systems an MLP workload trains.
import { createNetwork, matrix } from '../../dist/index.js';
import { now } from './timing.mjs';

const optimizerSpec = (o) => (o.type === 'adam'
  ? { type: 'adam', learningRate: o.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
  : { type: 'sgd', learningRate: o.lr });

/** The library's default network for a spec, on the simd backend: its initial weights are what every system starts from. */
export async function initialWeights({ sizes, activations, loss, init, seed = 1 }) {
  const net = await createNetwork(netSpec({ sizes, activations, loss, optimizer: { type: 'sgd', lr: 0.1 }, init, seed }));
  try { return net.getWeights(); } finally { net.dispose(); }
}

function netSpec({ sizes, activations, loss, optimizer, init, seed = 1, backend = 'simd', threads = 1 }) {
  return {
    inputSize: sizes[0],
    layers: activations.map((activation, i) => ({ units: sizes[i + 1], activation })),
    loss, optimizer: optimizerSpec(optimizer), init, seed, backend, threads,
  };
}

/**
 * A trainer for `backend` ('simd' | 'scalar' | 'ts' | any name createNetwork accepts):
 * fitEpochs runs one fit call of `epochs` epochs, without shuffling (rows train in
 * the order given), and returns each epoch's wall time from the epoch-end callbacks.
 */
export async function createOurs(backend, spec, threads = 1) {
  const net = await createNetwork(netSpec({ ...spec, backend, threads }));
  if (net.backend !== backend) { net.dispose(); throw new Error(`backend '${backend}' fell back to '${net.backend}'`); }
  if (net.threads !== threads) { net.dispose(); throw new Error(`asked for ${threads} threads, got ${net.threads}`); }
  const system = threads > 1 ? `${backend}-${threads}threads` : backend;
  net.setWeights(spec.initial.map((l) => ({ weights: Float32Array.from(l.weights), bias: Float32Array.from(l.bias) })));
  const inputs = spec.sizes[0];
  return {
    system,
    config: `backprop-wasm ${backend} backend${threads > 1 ? ` on ${threads} threads` : ''}: fit(x, y, { epochs, batchSize: ${spec.batch}, shuffle: false }), from the shared initial weights (setWeights)`,
    async fitEpochs(ds, epochs) {
      const x = matrix(ds.rows, inputs, ds.x);
      const marks = [now()];
      const h = await net.fit(x, ds.y, {
        epochs, batchSize: spec.batch === 'full' ? 'full' : spec.batch, shuffle: false,
        onEpochEnd: () => { marks.push(now()); },
      });
      return { epochSeconds: marks.slice(1).map((t, i) => (t - marks[i]) / 1000), loss: h.loss[h.loss.length - 1] };
    },
    getWeights: () => net.getWeights(),
    setWeights: (layers) => net.setWeights(layers.map((l) => ({ weights: Float32Array.from(l.weights), bias: Float32Array.from(l.bias) }))),
    dispose: () => net.dispose(),
  };
}
