// assembly/step.ts: the fused one-call step against the unfused path (the
// same kernels called one by one from src/network.ts), and simd against
// scalar, over every loss and optimizer, on shuffled and unshuffled batches.
import { describe, expect, it } from 'vitest';
import { createNetwork, loadIris, fitStandardizer, type NetworkSpec } from '../src/index.js';
import { setFusedStep } from '../src/network.js';

const iris = loadIris();
const x = fitStandardizer(iris.x).transform(iris.x), y = iris.y;

const SPECS: NetworkSpec[] = [
  { inputSize: 4, layers: [{ units: 9, activation: 'relu' }, { units: 5, activation: 'tanh' }, { units: 3, activation: 'softmax' }], optimizer: 'adam', learningRate: 0.01, l2: 0.001 },
  { inputSize: 4, layers: [{ units: 4, activation: 'sigmoid' }, { units: 3, activation: 'sigmoid' }], loss: 'sse', optimizer: 'sgd', learningRate: 0.1, init: 'uniform' },
  { inputSize: 4, layers: [{ units: 17, activation: 'leaky-relu' }, { units: 3, activation: 'linear' }], loss: 'mse', optimizer: 'momentum', learningRate: 0.01 },
  { inputSize: 4, layers: [{ units: 6, activation: 'softmax' }, { units: 3, activation: 'sigmoid' }], loss: 'binary-cross-entropy', optimizer: { type: 'momentum', nesterov: true, learningRate: 0.05 } },
  { inputSize: 4, layers: [{ units: 6, activation: 'tanh' }, { units: 3, activation: 'softmax' }], loss: 'binary-cross-entropy', optimizer: 'adam' },
];

describe('fused step', () => {
  for (const [i, spec] of SPECS.entries()) {
    it(`spec ${i + 1} (${spec.loss ?? 'default loss'}, ${JSON.stringify(spec.optimizer)}): fused = unfused, bit for bit, and simd = scalar`, async () => {
      const runs: { loss: number[]; weights: unknown }[] = [];
      for (const backend of ['simd', 'scalar'] as const) {
        for (const fused of [true, false]) {
          const net = await createNetwork({ ...spec, seed: 3, backend });
          setFusedStep(net, fused);
          const h = await net.fit(x, y, { epochs: 4, batchSize: 13 });
          // unshuffled: every batch is a block of consecutive rows (the fused step copies it whole)
          const h2 = await net.fit(x, y, { epochs: 2, batchSize: 13, shuffle: false });
          net.trainBatch(x, y);
          runs.push({ loss: [...h.loss, ...h2.loss], weights: net.getWeights() });
        }
      }
      for (const r of runs.slice(1)) {
        expect(r.loss).toEqual(runs[0].loss);
        expect(r.weights).toEqual(runs[0].weights);
      }
    });
  }

  it('the ts backend (unfused by nature) ends within 1e-5 of the fused step', async () => {
    const spec = SPECS[0];
    const [a, b] = await Promise.all([createNetwork({ ...spec, backend: 'simd' }), createNetwork({ ...spec, backend: 'ts' })]);
    await a.fit(x, y, { epochs: 2, batchSize: 30 });
    await b.fit(x, y, { epochs: 2, batchSize: 30 });
    const wa = a.getWeights(), wb = b.getWeights();
    wa.forEach((l, i) => l.weights.forEach((v, j) => expect(Math.abs(v - wb[i].weights[j])).toBeLessThan(1e-5)));
  });
});
