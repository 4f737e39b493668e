// Memory: the arena is sized once and stays flat over any number of epochs; networks that
// are created and disposed do not accumulate; networks training at the same time in one
// process do not disturb each other.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/backends/index.js';
import { createNetwork, fitStandardizer, loadIris, trainTestSplit, type FitOptions, type NetworkSpec } from '../src/index.js';

const iris = loadIris();
const x = fitStandardizer(iris.x).transform(iris.x);
const split = trainTestSplit(x, iris.y, { testSize: 0.3, seed: 2, stratify: true });
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('the arena stays flat while training', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: 1,000 full-batch epochs leave the arena size and layout as they were after the first`, async () => {
      const net = await createNetwork({
        inputSize: 4, layers: [{ units: 8, activation: 'tanh' }, { units: 3, activation: 'softmax' }],
        optimizer: 'adam', learningRate: 0.01, seed: 1, backend,
      });
      let bytes = 0, layout = '';
      const changed: string[] = [];
      const onEpochEnd: FitOptions['onEpochEnd'] = (epoch) => {
        if (epoch === 1 && !layout) { bytes = net.arenaBytes; layout = net.layout(); return; }
        if (net.arenaBytes !== bytes) changed.push(`epoch ${epoch}: ${net.arenaBytes} bytes, was ${bytes}`);
        else if (net.layout() !== layout) changed.push(`epoch ${epoch}: the layout changed`);
      };
      const h = await net.fit(split.xTrain, split.yTrain, { epochs: 1000, batchSize: 'full', validationData: [split.xTest, split.yTest], onEpochEnd });
      expect(h.loss).toHaveLength(1000);
      expect(layout).toMatch(/params\.W1/);
      expect(changed).toEqual([]);
      // continuing, evaluating and predicting on more rows than a batch holds: still the same arena
      await net.fit(split.xTrain, split.yTrain, { epochs: 50, batchSize: 'full', onEpochEnd });
      const many = { rows: x.rows * 7, cols: 4, data: new Float32Array(x.rows * 7 * 4).map((_, i) => x.data[i % x.data.length]) };
      net.predict(many);
      net.evaluate(many, Int32Array.from({ length: many.rows }, (_, i) => iris.y[i % iris.y.length]));
      net.activations(many);
      expect(changed).toEqual([]);
      expect([net.arenaBytes, net.layout()]).toEqual([bytes, layout]);
      net.dispose();
    }, 30_000);
  }

  it('simd: mini-batches with shuffling, 1,000 epochs: the same', async () => {
    const net = await createNetwork({ inputSize: 4, layers: [{ units: 6 }, { units: 3, activation: 'softmax' }], optimizer: 'momentum', seed: 4 });
    const sizes = new Set<string>();
    await net.fit(split.xTrain, split.yTrain, { epochs: 1000, batchSize: 16, onEpochEnd: () => { sizes.add(`${net.arenaBytes}\n${net.layout()}`); } });
    expect(sizes.size).toBe(1);
    net.dispose();
  }, 30_000);
});

describe('creating and disposing networks', () => {
  // Measured on the 2-core dev machine (Node 20.20, simd): after 300 warm-up cycles and a full
  // GC, 10,000 createNetwork → dispose cycles take 3.5–6 s and leave RSS +17 to +20 MB, JS heap
  // ±0.2 MB; RSS then plateaus (+21 MB after 40,000 cycles: allocator and JIT warm-up, not a
  // leak). Each network holds a WebAssembly instance and a memory of ≥ 64 KiB, so leaking one
  // network per cycle would add ≥ 640 MB; 64 MB of RSS (sampled every 500 cycles and after a
  // final GC) and 8 MB of heap are generous to that noise and still fail any per-network leak.
  it('10,000 createNetwork → dispose cycles keep RSS bounded (child process, --expose-gc, dist/index.js)', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(dist), `${dist} is missing: run npm run build (npm test builds first)`).toBe(true);
    const script = `
      const { createNetwork } = await import(${JSON.stringify(pathToFileURL(dist).href)});
      const spec = { inputSize: 4, layers: [{ units: 16 }, { units: 3, activation: 'softmax' }], seed: 1 };
      const settle = async () => { for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); } };
      for (let i = 0; i < 300; i++) (await createNetwork(spec)).dispose();
      await settle();
      const before = process.memoryUsage();
      let peak = before.rss;
      const t0 = performance.now();
      for (let i = 0; i < 10000; i++) {
        const net = await createNetwork(spec);
        net.dispose();
        if (i % 500 === 499) peak = Math.max(peak, process.memoryUsage().rss);
      }
      const seconds = (performance.now() - t0) / 1000;
      await settle();
      const after = process.memoryUsage();
      console.log(JSON.stringify({ rssBefore: before.rss, rssAfter: after.rss, rssPeak: peak, heapBefore: before.heapUsed, heapAfter: after.heapUsed, seconds }));
    `;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    const MB = 1 << 20;
    const rss = `RSS ${(r.rssBefore / MB).toFixed(1)} MB → ${(r.rssAfter / MB).toFixed(1)} MB (peak ${(r.rssPeak / MB).toFixed(1)} MB) over ${r.seconds.toFixed(1)} s`;
    expect((r.rssAfter - r.rssBefore) / MB, rss).toBeLessThan(64);
    expect((r.rssPeak - r.rssBefore) / MB, rss).toBeLessThan(64);
    expect((r.heapAfter - r.heapBefore) / MB, 'JS heap growth (MB)').toBeLessThan(8);
  }, 150_000);
});

describe('networks training at the same time', () => {
  // Each fit awaits a macrotask at every epoch end, so two fits started together run
  // interleaved, epoch by epoch; the test checks that they did.
  const yielding = (tag: string, log: string[]): FitOptions['onEpochEnd'] => async (epoch) => {
    log.push(`${tag}${epoch}`);
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const specA: NetworkSpec = { inputSize: 4, layers: [{ units: 10, activation: 'relu' }, { units: 3, activation: 'softmax' }], optimizer: 'adam', learningRate: 0.01, seed: 5 };
  const specB: NetworkSpec = { inputSize: 4, layers: [{ units: 7, activation: 'tanh' }, { units: 5, activation: 'sigmoid' }, { units: 3, activation: 'softmax' }],
    optimizer: 'nesterov', learningRate: 0.05, l2: 0.001, seed: 9 };
  const fitOptions: FitOptions = { epochs: 60, batchSize: 8, validationData: [split.xTest, split.yTest], earlyStopping: { patience: 100 } };

  async function train(spec: NetworkSpec, tag: string, log: string[]) {
    const net = await createNetwork(spec);
    const h = await net.fit(split.xTrain, split.yTrain, { ...fitOptions, onEpochEnd: yielding(tag, log) });
    const out = { history: { ...h, seconds: 0 }, weights: net.getWeights().map((l) => [bits(l.weights), bits(l.bias)]), predictions: bits(net.predict(split.xTest).data) };
    net.dispose();
    return out;
  }

  const pairs: [string, NetworkSpec, NetworkSpec][] = [
    ['the same spec and seed, simd', specA, specA],
    ['different networks, simd', specA, specB],
    ['different networks, scalar and ts', { ...specA, backend: 'scalar' }, { ...specB, backend: 'ts' }],
    ['different networks, simd and scalar, same seed', { ...specB, backend: 'simd' }, { ...specB, backend: 'scalar', seed: 5 }],
  ];
  for (const [name, a, b] of pairs) {
    it(`${name}: each gives, bit for bit, what it gives alone`, async () => {
      const aloneA = await train(a, 'A', []);
      const aloneB = await train(b, 'B', []);
      const log: string[] = [];
      const [togetherA, togetherB] = await Promise.all([train(a, 'A', log), train(b, 'B', log)]);
      // they really ran interleaved: B's first epoch ended before A's last, and A's first before B's last
      expect(log.indexOf('B1')).toBeLessThan(log.indexOf(`A${fitOptions.epochs}`));
      expect(log.indexOf('A1')).toBeLessThan(log.indexOf(`B${fitOptions.epochs}`));
      expect(togetherA).toEqual(aloneA);
      expect(togetherB).toEqual(aloneB);
      if (a === b) expect(togetherA).toEqual(togetherB);
    }, 30_000);
  }
});
