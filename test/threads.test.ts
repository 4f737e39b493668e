// assembly/parallel.ts and src/threads.ts: a step on several threads over one
// shared memory gives the same bits as on one; workers end with dispose; a
// crashed worker rejects fit with its error and leaves the network usable.
// The small specs run each phase as one chunk; the wide ones split phases into
// many chunks that the threads claim as they go (so which thread computes what
// varies from step to step and run to run), through every path of the step:
// Wᵀ packed early (last layer) or between barriers (the layers below), one layer,
// the first layer's product by column blocks (wide enough for the thread count:
// 100 units for 2 threads, not 3) or by rows, and every loss.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BackpropError, createNetwork, matrix, type NetworkSpec } from '../src/index.js';
import { Rng } from '../src/random.js';

const rng = new Rng(5);
const rows = 300, inputs = 37;
const x = matrix(rows, inputs, Float32Array.from({ length: rows * inputs }, () => rng.float()));
const y = Int32Array.from({ length: rows }, () => rng.below(10));
const SPECS: NetworkSpec[] = [
  { inputSize: inputs, layers: [{ units: 45, activation: 'relu' }, { units: 10, activation: 'softmax' }], optimizer: 'adam', learningRate: 0.01, l2: 1e-4 },
  { inputSize: inputs, layers: [{ units: 19, activation: 'tanh' }, { units: 6, activation: 'sigmoid' }, { units: 10, activation: 'linear' }], loss: 'mse', optimizer: 'nesterov', learningRate: 0.01 },
];

const wide = 300;
const xw = matrix(rows, wide, Float32Array.from({ length: rows * wide }, () => rng.float()));
const WIDE: NetworkSpec[] = [
  { inputSize: wide, layers: [{ units: 200, activation: 'relu' }, { units: 64, activation: 'tanh' }, { units: 10, activation: 'softmax' }], optimizer: 'sgd', learningRate: 0.05 },
  { inputSize: wide, layers: [{ units: 160, activation: 'leaky-relu' }, { units: 10, activation: 'linear' }], loss: 'mse', optimizer: 'adam', learningRate: 0.01, l2: 1e-4 },
  { inputSize: wide, layers: [{ units: 10, activation: 'softmax' }], optimizer: 'momentum', learningRate: 0.05 },
  // every other loss: its gradient is made by the forward's row chunks, its value by one thread
  { inputSize: wide, layers: [{ units: 100, activation: 'sigmoid' }, { units: 10, activation: 'sigmoid' }], loss: 'sse', optimizer: 'sgd', learningRate: 0.01 },
  { inputSize: wide, layers: [{ units: 40, activation: 'tanh' }, { units: 10, activation: 'sigmoid' }], loss: 'binary-cross-entropy', optimizer: 'adam', learningRate: 0.01 },
  { inputSize: wide, layers: [{ units: 150, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'binary-cross-entropy', optimizer: 'sgd', learningRate: 0.05 },
];

describe('threads', () => {
  for (const [i, spec] of WIDE.entries()) {
    it(`wide spec ${i + 1}: phases in many chunks; 1, 2 and 3 threads give the same losses and weights, bit for bit`, async () => {
      const runs = [];
      for (const threads of [1, 2, 3, 2]) {
        const net = await createNetwork({ ...spec, seed: 3, threads });
        const h = await net.fit(xw, y, { epochs: 2, batchSize: 96 }); // batches of 96, 96, 96 and 12 rows
        const loss = net.trainBatch(matrix(3, wide, xw.data.subarray(0, 3 * wide)), y.subarray(0, 3));
        runs.push({ loss: [...h.loss, loss], weights: net.getWeights() });
        net.dispose();
      }
      for (const r of runs.slice(1)) {
        expect(r.loss).toEqual(runs[0].loss);
        expect(r.weights).toEqual(runs[0].weights);
      }
    });
  }

  it("binary cross-entropy on saturated softmax outputs: the clamped gradient, bit for bit on 1, 2 and 3 threads", async () => {
    const spec: NetworkSpec = { inputSize: wide, layers: [{ units: 100, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'binary-cross-entropy', optimizer: 'sgd', learningRate: 1e-4 };
    const runs = [];
    for (const threads of [1, 2, 3]) {
      const net = await createNetwork({ ...spec, seed: 3, threads });
      net.setWeights(net.getWeights().map((l) => ({ weights: l.weights.map((v) => v * 8), bias: l.bias })));
      if (threads === 1) expect(Math.min(...net.predict(xw).data)).toBeLessThan(1e-7); // below the clamp
      const h = await net.fit(xw, y, { epochs: 1, batchSize: 96 });
      runs.push({ loss: h.loss, weights: net.getWeights() });
      net.dispose();
    }
    expect(runs[0].loss.every(Number.isFinite)).toBe(true);
    for (const r of runs.slice(1)) {
      expect(r.loss).toEqual(runs[0].loss);
      expect(r.weights).toEqual(runs[0].weights);
    }
  });

  for (const [i, spec] of SPECS.entries()) {
    it(`spec ${i + 1}: 1, 2 and 3 threads give the same losses and weights, bit for bit, run after run`, async () => {
      const runs = [];
      for (const threads of [1, 2, 3, 2]) {
        const net = await createNetwork({ ...spec, seed: 7, threads });
        expect(net.threads).toBe(threads);
        const h = await net.fit(x, y, { epochs: 2, batchSize: 50 });
        net.trainBatch(matrix(3, inputs, x.data.subarray(0, 3 * inputs)), y.subarray(0, 3)); // fewer rows than threads' chunks
        runs.push({ loss: h.loss, weights: net.getWeights() });
        net.dispose();
      }
      for (const r of runs.slice(1)) {
        expect(r.loss).toEqual(runs[0].loss);
        expect(r.weights).toEqual(runs[0].weights);
      }
    });
  }

  it('a crashed worker rejects fit with its error; the network goes on on one thread', async () => {
    const net = await createNetwork({ ...SPECS[0], seed: 1, threads: 2 });
    await net.fit(x, y, { epochs: 1, batchSize: 100 });
    net.crashThreadForTest(1);
    const err = await net.fit(x, y, { epochs: 1, batchSize: 100 }).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^training thread 1 failed: .*unreachable/);
    expect(net.threads).toBe(1);
    const h = await net.fit(x, y, { epochs: 1, batchSize: 100 });
    expect(h.loss.every(Number.isFinite)).toBe(true);
    net.dispose();
  });

  it('bad thread counts and backends are refused', async () => {
    for (const [threads, re] of [[0, /threads must be an integer in 1…64/], [2.5, /threads must be/], ['many', /threads must be/]] as const) {
      await expect(createNetwork({ ...SPECS[0], threads: threads as never })).rejects.toThrow(re);
    }
    await expect(createNetwork({ ...SPECS[0], threads: 2, backend: 'ts' })).rejects.toThrow(BackpropError);
    await expect(createNetwork({ ...SPECS[0], threads: 2, backend: 'scalar' })).rejects.toThrow(/threads need the simd backend/);
    const auto = await createNetwork({ ...SPECS[0], threads: 'auto' });
    expect(auto.threads).toBeGreaterThanOrEqual(1);
    auto.dispose();
  });

  it('dispose ends the workers, and a process that forgets it still exits (dist build, child process)', () => {
    for (const dispose of [true, false]) {
      const script = `
        import { createNetwork, matrix } from './dist/index.js';
        const net = await createNetwork({ inputSize: 3, layers: [{ units: 4 }, { units: 2, activation: 'softmax' }], threads: 2 });
        await net.fit(matrix(8, 3), new Int32Array(8), { epochs: 2, batchSize: 4 });
        ${dispose ? 'net.dispose();' : ''}
        console.log('done', net.threads ?? 0);`;
      const t0 = Date.now();
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
      expect(out.trim()).toMatch(/^done/);
      expect(Date.now() - t0).toBeLessThan(20000);
    }
  });
});
