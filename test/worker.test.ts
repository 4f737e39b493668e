// trainInWorker (src/worker.ts) in Node's worker_threads: the same bits as a fit in
// this thread, streamed progress, abort, errors, and crashes that reject and leave
// nothing running. The worker imports the library from its own file, so these
// tests use the built dist/index.js (a worker cannot import the TypeScript source).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type * as Lib from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const lib = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof Lib;
const { trainInWorker, createNetwork, loadIris, BackpropError, matrix } = lib;
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).href;

const iris = loadIris();
const SPEC: Lib.NetworkSpec = {
  inputSize: 4, layers: [{ units: 8, activation: 'relu' }, { units: 3, activation: 'softmax' }],
  loss: 'cross-entropy', optimizer: 'adam', learningRate: 0.01, seed: 3,
};
const bytes = (w: Lib.LayerWeights[]) => w.map((l) => [Buffer.from(l.weights.buffer).toString('hex'), Buffer.from(l.bias.buffer).toString('hex')]);

describe('trainInWorker', () => {
  it('ends with the same weights and history as a fit in this thread, on every backend', async () => {
    for (const backend of ['simd', 'scalar', 'ts'] as const) {
      const spec = { ...SPEC, backend };
      const { network, history } = await trainInWorker(spec, iris.x, iris.y, { epochs: 20, batchSize: 16 });
      const here = await createNetwork(spec);
      const h = await here.fit(iris.x, iris.y, { epochs: 20, batchSize: 16 });
      expect(network.backend).toBe(backend);
      expect(bytes(network.getWeights()), backend).toEqual(bytes(here.getWeights()));
      expect(history.loss).toEqual(h.loss);
      expect(history.accuracy).toEqual(h.accuracy);
      expect(history.loss.at(-1)).toBeLessThan(history.loss[0]);
      network.dispose();
      here.dispose();
    }
  }, 30_000);

  it('trains on several threads inside the worker, with the bits of one thread', async () => {
    const { network } = await trainInWorker({ ...SPEC, threads: 2 }, iris.x, iris.y, { epochs: 10, batchSize: 32 });
    const here = await createNetwork(SPEC);
    await here.fit(iris.x, iris.y, { epochs: 10, batchSize: 32 });
    expect(bytes(network.getWeights())).toEqual(bytes(here.getWeights()));
    network.dispose();
    here.dispose();
  }, 30_000);

  it('streams every epoch, the last batch of each epoch, and the weights after each epoch', async () => {
    const epochs: [number, Lib.EpochLogs][] = [];
    const lastBatches: number[] = [];
    const weights: Lib.LayerWeights[][] = [];
    const { network, history } = await trainInWorker(SPEC, iris.x, iris.y, {
      epochs: 6, batchSize: 10, validationData: [iris.x, iris.y],
      onEpochEnd: (e, logs) => epochs.push([e, logs]),
      onBatchEnd: (b, n, e) => { expect(n).toBe(15); if (b === n - 1) lastBatches.push(e); },
      onWeights: (e, w) => { expect(e).toBe(weights.length + 1); weights.push(w); },
    });
    expect(epochs.map(([e]) => e)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(epochs.map(([, l]) => l.loss)).toEqual(history.loss);
    expect(epochs.map(([, l]) => l.valAccuracy)).toEqual(history.valAccuracy);
    expect(lastBatches).toEqual([1, 2, 3, 4, 5, 6]);
    expect(weights).toHaveLength(6);
    expect(bytes(weights[5])).toEqual(bytes(network.getWeights()));
    expect(bytes(weights[0])).not.toEqual(bytes(weights[5]));
    network.dispose();
  }, 30_000);

  it('leaves this thread free while it trains', async () => {
    const x = matrix(4000, 64, Float32Array.from({ length: 4000 * 64 }, (_, i) => Math.sin(i)));
    const y = Int32Array.from({ length: 4000 }, (_, i) => i % 10);
    let worst = 0, last = performance.now(), ticks = 0;
    const timer = setInterval(() => { const t = performance.now(); worst = Math.max(worst, t - last); last = t; ticks++; }, 5);
    const t0 = performance.now();
    const { network } = await trainInWorker({ inputSize: 64, layers: [{ units: 256, activation: 'relu' }, { units: 10, activation: 'softmax' }], backend: 'ts' }, x, y, { epochs: 2 });
    clearInterval(timer);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThan(300); // long enough that blocking would show
    expect(ticks).toBeGreaterThan(took / 5 / 4);
    expect(worst).toBeLessThan(200);
    network.dispose();
  }, 60_000);

  it('aborts: resolves with the network trained so far and history.aborted', async () => {
    const ac = new AbortController();
    const { network, history } = await trainInWorker(SPEC, iris.x, iris.y, {
      epochs: 1_000_000, signal: ac.signal, onEpochEnd: (e) => { if (e === 50) ac.abort(); },
    });
    expect(history.aborted).toBe(true);
    expect(history.loss.length).toBeGreaterThanOrEqual(50);
    expect(history.loss.length).toBeLessThan(1_000_000);
    expect(network.predictClasses(iris.x)).toHaveLength(150);
    network.dispose();

    const already = new AbortController();
    already.abort();
    const r = await trainInWorker(SPEC, iris.x, iris.y, { epochs: 100, signal: already.signal });
    expect(r.history.aborted).toBe(true);
    expect(r.history.loss).toHaveLength(1);
    r.network.dispose();
  }, 30_000);

  it('continues from a Network or a saved model, leaving the original untouched', async () => {
    const net = await createNetwork({ ...SPEC, backend: 'scalar' });
    await net.fit(iris.x, iris.y, { epochs: 5 });
    const before = bytes(net.getWeights());
    const fromNet = await trainInWorker(net, iris.x, iris.y, { epochs: 3 });
    const fromJson = await trainInWorker(net.toJSON(), iris.x, iris.y, { epochs: 3 });
    expect(bytes(net.getWeights())).toEqual(before);
    expect(fromNet.network.backend).toBe('scalar');
    expect(bytes(fromNet.network.getWeights())).not.toEqual(before);
    // the same starting weights and seed, so the same result either way
    const reloaded = await lib.loadNetwork(net.toJSON(), { backend: 'scalar' });
    await reloaded.fit(iris.x, iris.y, { epochs: 3 });
    expect(bytes(fromNet.network.getWeights())).toEqual(bytes(reloaded.getWeights()));
    expect(bytes(fromJson.network.getWeights())).toEqual(bytes(reloaded.getWeights()));
    for (const n of [net, fromNet.network, fromJson.network, reloaded]) n.dispose();
  }, 30_000);

  it('rejects bad input with the BackpropError a fit in this thread gives', async () => {
    const net = await createNetwork({ ...SPEC, inputSize: 5 });
    const here = await net.fit(iris.x, iris.y).then(() => '', (e: Error) => e.message);
    expect(here).toMatch(/x has 4 columns, the network has 5 inputs/);
    await expect(trainInWorker({ ...SPEC, inputSize: 5 }, iris.x, iris.y)).rejects.toThrow(here);
    await expect(trainInWorker({ ...SPEC, inputSize: 5 }, iris.x, iris.y)).rejects.toBeInstanceOf(BackpropError);
    await expect(trainInWorker(SPEC, iris.x, iris.y, { epochs: 0 })).rejects.toThrow('fit: epochs must be a positive integer, got 0');
    await expect(trainInWorker({ ...SPEC, layers: [] }, iris.x, iris.y)).rejects.toThrow(BackpropError);
    await expect(trainInWorker(SPEC, iris.x, iris.y, { epoch: 3 } as never)).rejects.toThrow(/unknown option 'epoch'/);
    await expect(trainInWorker(SPEC, iris.x, iris.y, { onEpochEnd: 3 } as never)).rejects.toThrow('trainInWorker: onEpochEnd must be a function');
    await expect(trainInWorker(SPEC, { ...iris.x, note: () => 1 } as never, iris.y)).rejects.toThrow(/cannot send the data to the worker/);
    net.dispose();
  }, 30_000);

  it('a callback that throws rejects with its error and ends the worker', async () => {
    await expect(trainInWorker(SPEC, iris.x, iris.y, { epochs: 1000, onEpochEnd: () => { throw new Error('callback broke'); } }))
      .rejects.toThrow('callback broke');
  }, 30_000);

  it('a worker that crashes or exits rejects with its error, and leaves no process behind', async () => {
    const opts = { epochs: 1_000_000, batchSize: 4 };
    await expect(trainInWorker(SPEC, iris.x, iris.y, { ...opts, moduleUrl: fixture('crash-worker.mjs') }))
      .rejects.toThrow('the training worker failed: fixture: the worker crashed mid-training');
    await expect(trainInWorker(SPEC, iris.x, iris.y, { ...opts, moduleUrl: fixture('exit-worker.mjs') }))
      .rejects.toThrow('the training worker failed: it exited with code 3 before training finished');
    await expect(trainInWorker(SPEC, iris.x, iris.y, { ...opts, moduleUrl: fixture('no-such-file.mjs') }))
      .rejects.toThrow(/the training worker failed: .*no-such-file\.mjs/);
    // in a process of its own: the rejection arrives and the process then exits by itself
    const script = `
      import { trainInWorker, loadIris } from './dist/index.js';
      const iris = loadIris();
      await trainInWorker(${JSON.stringify(SPEC)}, iris.x, iris.y, { epochs: 1e6, moduleUrl: ${JSON.stringify(fixture('crash-worker.mjs'))} })
        .catch((e) => console.log(e.name + ': ' + e.message));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    expect(out.trim()).toBe('BackpropError: the training worker failed: fixture: the worker crashed mid-training');
  }, 60_000);
});
