// assembly/finite.ts on every backend, and the divergence handling built on it.
import { describe, expect, it } from 'vitest';
import { BackpropError, createNetwork, fitStandardizer, loadIris, type NetworkSpec } from '../src/index.js';
import { ALL, allBackends, Placer, put } from './helpers.js';

describe('count_nonfinite', async () => {
  const backends = await allBackends();
  it('counts NaN and ±Infinity, every tail, every backend', () => {
    for (const be of backends) for (const n of [0, 1, 3, 4, 5, 8, 13]) {
      const a = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? [NaN, Infinity, -Infinity][(i / 3) % 3] : i - 5));
      const want = a.filter((v) => !Number.isFinite(v)).length;
      const P = new Placer();
      const pa = P.take(n + 4);
      put(be, pa, [...a, NaN, NaN, NaN, NaN]); // past the end: must not be counted
      expect(be.kernels.count_nonfinite(pa, n), `${be.name} n=${n}`).toBe(want);
    }
  });
});

describe('divergence', () => {
  const iris = loadIris();
  const x = fitStandardizer(iris.x).transform(iris.x);
  const spec: NetworkSpec = { inputSize: 4, layers: [{ units: 8 }, { units: 3, activation: 'linear' }], loss: 'mse', optimizer: 'sgd', learningRate: 1e6, seed: 1 };
  for (const backend of ALL) {
    it(`${backend}: lr = 1e6 stops at the diverging batch, restores the epoch's weights and names epoch and batch`, async () => {
      const net = await createNetwork({ ...spec, backend });
      const start = net.getWeights();
      const err = await net.fit(x, iris.y, { epochs: 5, batchSize: 10 }).then(() => null, (e) => e);
      expect(err).toBeInstanceOf(BackpropError);
      expect(err.message).toMatch(/^training diverged at epoch 1, batch \d+: .*try a lower learning rate than 1000000$/);
      expect(net.getWeights()).toEqual(start);

      const again = await createNetwork({ ...spec, backend });
      const h = await again.fit(x, iris.y, { epochs: 5, batchSize: 10, onNonFinite: 'stop' });
      expect(h.diverged).toEqual({ epoch: 1, batch: Number(/batch (\d+)/.exec(err.message)![1]) });
      expect(h.loss).toEqual([]);
      expect(again.getWeights().every((l) => [...l.weights, ...l.bias].every(Number.isFinite))).toBe(true);
      expect(Number.isFinite(again.evaluate(x, iris.y).loss)).toBe(true);
    });
  }
});
