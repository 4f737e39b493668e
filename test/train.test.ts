import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/backends/index.js';
import { BackpropError } from '../src/errors.js';
import { runEvaluate } from '../src/evaluate.js';
import { loadMnist, loadMnistRaw } from '../src/mnist.js';
import { matrix } from '../src/matrix.js';
import { loadNetwork } from '../src/model.js';
import { createNetwork } from '../src/network.js';
import { lineChart, niceTicks } from '../src/plot.js';
import { clock, progressBar, type ProgressUpdate } from '../src/progress.js';
import { pixelScaler, resolveTrainOptions, runBench, runPredict, runTrain, type CliIO } from '../src/train.js';

function capture(): CliIO & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (line: string) => { lines.push(line); } };
}

describe('resolveTrainOptions', () => {
  it('defaults: standardized, stratified, 100 relu units, adam, early stopping within 200 epochs', () => {
    const o = resolveTrainOptions([]);
    expect(o).toMatchObject({
      dataset: 'iris', hidden: [100], activation: 'relu', output: 'softmax', loss: 'cross-entropy', optimizer: 'adam',
      epochs: 200, standardize: true, stratify: true, shuffle: true, testSize: 0.3, seed: 0, backend: 'simd', json: false,
    });
    expect(o.earlyStopping).toEqual({ patience: 10, minDelta: 1e-4, restoreBest: true });
  });

  it('--epochs runs exactly N epochs unless --patience is given', () => {
    expect(resolveTrainOptions(['--epochs', '7'])).toMatchObject({ epochs: 7, earlyStopping: undefined });
    expect(resolveTrainOptions(['--epochs', '7', '--patience', '2']).earlyStopping?.patience).toBe(2);
    expect(resolveTrainOptions(['--patience', '3'])).toMatchObject({ epochs: 200, earlyStopping: { patience: 3 } });
  });

  it('the article preset, and explicit flags over it', () => {
    expect(resolveTrainOptions(['--preset', 'article'])).toMatchObject({
      dataset: 'iris', hidden: [4], activation: 'sigmoid', output: 'sigmoid', loss: 'sse', optimizer: 'sgd', lr: 0.1,
      init: 'uniform', batchSize: 'full', shuffle: false, epochs: 1000, earlyStopping: undefined, standardize: false, stratify: false,
    });
    expect(resolveTrainOptions(['--preset', 'article', '--epochs', '5', '--lr', '0.5', '--hidden', '8'])).toMatchObject({ epochs: 5, lr: 0.5, hidden: [8] });
  });

  it('parses strictly', () => {
    for (const args of [['--epochs', '0'], ['--epochs', 'abc'], ['--epochs', '1.5'], ['--lr', '0.1x'], ['--lr', '0'], ['--batch-size', 'x'],
      ['--test-size', '1.5'], ['--hidden', '4,,2'], ['--activation', 'foo'], ['--loss', 'foo'], ['--optimizer', 'foo'], ['--backend', 'gpu'],
      ['--preset', 'paper'], ['--bogus'], ['--epochs'], ['stray'], ['--target', 'x'], ['--dataset', 'mnist', '--test-size', '0.2'],
      ['--dataset', 'mnist', '--target', 'label'], ['--dataset', 'iris', '--mnist-dir', 'd'], ['--mnist-dir', ''], ['--validation-size', '1.5'],
      ['--validation-size', '-0.1'], ['--report', '']])
      expect(() => resolveTrainOptions(args), args.join(' ')).toThrow(BackpropError);
    expect(resolveTrainOptions(['--batch-size', 'full', '--lr', '1e-3', '--hidden', '16,8'])).toMatchObject({ batchSize: 'full', lr: 0.001, hidden: [16, 8] });
  });
});

describe('resolveTrainOptions for mnist', () => {
  it('defaults: 784-128-10, adam lr 0.003, batch 64, 12 epochs, raw [0,1] pixels, a tenth held out', () => {
    const o = resolveTrainOptions(['--dataset', 'mnist']);
    expect(o).toMatchObject({
      dataset: 'mnist', hidden: [128], activation: 'relu', output: 'softmax', loss: 'cross-entropy', optimizer: 'adam', lr: 0.003, l2: 1e-4,
      batchSize: 64, epochs: 12, earlyStopping: undefined, standardize: false, validationSize: 0.1, seed: 0, backend: 'simd',
    });
    expect(o.mnistDir).toBeUndefined();
  });
  it('--patience stops early on validation loss within 30 epochs; flags override the defaults', () => {
    expect(resolveTrainOptions(['--dataset', 'mnist', '--patience', '2'])).toMatchObject({ epochs: 30, earlyStopping: { patience: 2, restoreBest: true } });
    expect(resolveTrainOptions(['--dataset', 'mnist', '--epochs', '3', '--hidden', '64,32', '--lr', '0.01', '--batch-size', '32', '--validation-size', '0']))
      .toMatchObject({ epochs: 3, earlyStopping: undefined, hidden: [64, 32], lr: 0.01, batchSize: 32, validationSize: 0 });
  });
  it('--mnist-dir implies --dataset mnist; iris keeps its defaults', () => {
    expect(resolveTrainOptions(['--mnist-dir', '/data/mnist'])).toMatchObject({ dataset: 'mnist', mnistDir: '/data/mnist' });
    expect(resolveTrainOptions(['--dataset', 'iris'])).toMatchObject({ hidden: [100], lr: 0.01, validationSize: 0, standardize: true });
  });
});

describe('runTrain', () => {
  it('train --dataset iris reaches test accuracy ≥ 0.93 for every seed 1–10', async () => {
    const accuracies: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const r = await runTrain(resolveTrainOptions(['--dataset', 'iris', '--seed', String(seed)]), capture());
      accuracies.push(r.test.accuracy);
    }
    expect(Math.min(...accuracies), accuracies.join(' ')).toBeGreaterThanOrEqual(0.93);
  });

  it('reports one history value per epoch run, and the final model’s metrics', async () => {
    const io = capture();
    const r = await runTrain(resolveTrainOptions(['--seed', '3', '--json']), io);
    expect(io.lines).toHaveLength(1);
    expect(JSON.parse(io.lines[0])).toEqual(JSON.parse(JSON.stringify(r)));
    expect(r.history.loss).toHaveLength(r.epochs);
    expect(r.history.accuracy).toHaveLength(r.epochs);
    expect(r.trainSamples + r.testSamples).toBe(150);
    expect(r.testSamples).toBe(45);
    // Early stopping restores the best epoch: the final training loss is (near) the best epoch's.
    expect(r.epochs).toBeLessThan(200);
  });

  it('--epochs N runs exactly N epochs', async () => {
    const r = await runTrain(resolveTrainOptions(['--epochs', '3']), capture());
    expect(r.epochs).toBe(3);
  });

  it('the article preset prints its ten lines, then a summary', async () => {
    const io = capture();
    const r = await runTrain(resolveTrainOptions(['--preset', 'article']), io);
    const its = io.lines.filter((l) => l.startsWith('Iterations:'));
    expect(its.map((l) => Number(/^Iterations: (\d+) \| Error: /.exec(l)![1]))).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(r.epochs).toBe(1000);
    expect(io.lines.some((l) => /test: .*accuracy/.test(l))).toBe(true);
  });

  it('trains on a CSV and predicts from the saved model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpw-train-'));
    const rows = ['x,y,kind'];
    for (let i = 0; i < 60; i++) rows.push(`${(i % 3) * 2 + (i % 7) * 0.05},${(i % 5) * 0.1},${['b', 'a', 'c'][i % 3]}`);
    writeFileSync(join(dir, 'd.csv'), rows.join('\n') + '\n');
    const model = join(dir, 'm.json');
    const r = await runTrain(resolveTrainOptions({ dataset: join(dir, 'd.csv'), save: model, epochs: '60' }), capture());
    expect(r.test.accuracy).toBe(1);
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    expect(saved.classNames).toEqual(['a', 'b', 'c']);
    expect(saved.featureNames).toEqual(['x', 'y']);
    expect(saved.standardizer.mean).toHaveLength(2);
    const out = await runPredict({ model, input: join(dir, 'd.csv') }, capture());
    expect(out.predictions.slice(0, 3)).toEqual(['b', 'a', 'c']);
    expect(out.probabilities[0]).toHaveLength(3);
  });
});

describe('train --dataset mnist', () => {
  it('reaches test accuracy ≥ 0.95 with the defaults, printing one line per epoch', async () => {
    const io = capture();
    const t0 = performance.now();
    const r = await runTrain(resolveTrainOptions(['--dataset', 'mnist']), io);
    const seconds = (performance.now() - t0) / 1000;
    expect(r.test.accuracy, JSON.stringify(r.test)).toBeGreaterThanOrEqual(0.95);
    expect(seconds).toBeLessThan(60);
    expect(r).toMatchObject({ dataset: 'mnist', trainSamples: 7200, testSamples: 2000, epochs: 12 });
    expect(r.history.valLoss).toHaveLength(12);
    expect(r.history.valAccuracy).toHaveLength(12);
    const epochLines = io.lines.filter((l) => l.startsWith('epoch '));
    expect(epochLines).toHaveLength(12);
    epochLines.forEach((l, i) => {
      const m = /^epoch (\d+)\/12: train loss (\S+), accuracy (\S+) \| validation loss (\S+), accuracy (\S+) \| \d+\.\d\d s$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(Number(m![1])).toBe(i + 1);
      expect(Number(m![2])).toBeCloseTo(r.history.loss[i], 4);
      expect(Number(m![4])).toBeCloseTo(r.history.valLoss![i], 4);
      expect(Number(m![5])).toBeCloseTo(r.history.valAccuracy![i], 4);
    });
    expect(io.lines).toContain('dataset: mnist (bundled digits; 7200 train, 800 validation, 2000 test; 784 features, 10 classes, pixels scaled to [0,1])');
    expect(io.lines.some((l) => /^validation: loss \S+, accuracy \S+$/.test(l))).toBe(true);
  }, 60_000);

  it('reports progress per epoch (samples/s, loss, elapsed, ETA), clearing the bar before each epoch line', async () => {
    const events: (ProgressUpdate | string)[] = [];
    const io: CliIO = {
      log: (line) => events.push(line),
      progress: { update: (p) => events.push({ ...p }), stop: () => events.push('stop') },
    };
    await runTrain(resolveTrainOptions(['--dataset', 'mnist', '--epochs', '2', '--json']), { ...io, log: () => {} });
    const updates = events.filter((e): e is ProgressUpdate => typeof e === 'object');
    expect(new Set(updates.map((u) => u.epoch))).toEqual(new Set([1, 2]));
    for (const u of updates) {
      expect(u).toMatchObject({ epochs: 2, total: 7200 });
      expect(u.done).toBeGreaterThan(0);
      expect(u.done).toBeLessThanOrEqual(u.total);
      expect(u.samplesPerSecond).toBeGreaterThan(0);
      expect(u.eta).toBeGreaterThanOrEqual(0);
      expect(u.elapsed).toBeGreaterThan(0);
    }
    // Every epoch ends with a full bar; the second shows the first epoch's loss.
    for (const epoch of [1, 2]) expect(updates.filter((u) => u.epoch === epoch).at(-1)).toMatchObject({ done: 7200, eta: 0 });
    expect(updates.find((u) => u.epoch === 2)!.loss).toBeGreaterThan(0);

    events.length = 0;
    await runTrain(resolveTrainOptions(['--dataset', 'mnist', '--epochs', '2']), io);
    const lines = events.map((e, i) => [e, i] as const).filter(([e]) => typeof e === 'string' && e.startsWith('epoch '));
    expect(lines).toHaveLength(2);
    for (const [, i] of lines) expect(events[i - 1]).toBe('stop');
  }, 60_000);

  it('save → load → predict gives the trained network’s outputs, bit for bit, on every backend', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpw-mnist-model-'));
    const [m, raw] = await Promise.all([loadMnist(), loadMnistRaw()]);
    // Trained on a few rows (one epoch of ts is slow); scored on the whole test split.
    const xTrain = matrix(800, 784, m.xTrain.data.subarray(0, 800 * 784)), yTrain = m.yTrain.subarray(0, 800);
    // The test digits as MNIST ships them: a gzipped IDX file of bytes.
    const header = new DataView(new ArrayBuffer(16));
    [0x803, raw.xTest.rows, 28, 28].forEach((v, i) => header.setUint32(4 * i, v));
    const images = join(dir, 't10k-images-idx3-ubyte.gz');
    writeFileSync(images, gzipSync(Buffer.concat([new Uint8Array(header.buffer), Uint8Array.from(raw.xTest.data)])));
    for (const backend of BACKENDS) {
      const net = await createNetwork({ inputSize: 784, layers: [{ units: 32 }, { units: 10, activation: 'softmax' }], optimizer: 'adam', learningRate: 0.003, seed: 3, backend });
      await net.fit(xTrain, yTrain, { epochs: 1, batchSize: 64 });
      net.metadata = { featureNames: m.featureNames, classNames: m.classNames, standardizer: pixelScaler(784).toJSON() };
      const p = net.predict(m.xTest), e = net.evaluate(m.xTest, m.yTest);
      const model = join(dir, `${backend}.json`);
      writeFileSync(model, JSON.stringify(net.toJSON()));
      net.dispose();

      const loaded = await loadNetwork(readFileSync(model, 'utf8'), { backend });
      expect(loaded.backend).toBe(backend);
      expect(loaded.predict(m.xTest).data, backend).toEqual(p.data);
      loaded.dispose();
      // The CLI's path: raw bytes from an IDX file, through the model's stored scaling.
      const out = await runPredict({ model, input: images, backend }, capture());
      expect(out.probabilities.flat(), backend).toEqual(Array.from(p.data));
      const ev = await runEvaluate({ model, dataset: 'mnist', backend }, capture());
      expect([ev.samples, ev.accuracy], backend).toEqual([2000, e.accuracy]);
      // The same per-row losses; only the f64 sum over chunks of rows may round differently (chunks follow the arena's batch size).
      expect(ev.loss, backend).toBeCloseTo(e.loss, 12);
    }
  }, 60_000);
});

describe('progressBar', () => {
  const tty = () => Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
  const update = (over: Partial<ProgressUpdate>): ProgressUpdate => ({
    epoch: 2, epochs: 12, done: 3200, total: 7200, loss: 0.1234, samplesPerSecond: 51234, elapsed: 2.2, eta: 5.2, ...over,
  });
  const read = (s: PassThrough) => { const c = s.read(); return c ? String(c) : ''; };

  it('shows samples/s, loss, elapsed and the epoch’s ETA, once training has run a second', () => {
    let t = 0;
    const stream = tty(), bar = progressBar(stream, () => t);
    bar.update(update({ elapsed: 0.5 }));
    expect(read(stream)).toBe('');
    t = 2000;
    bar.update(update({}));
    const out = read(stream);
    expect(out).toContain('epoch 2/12 |');
    expect(out).toContain('loss 0.1234 | 51,234 samples/s | 0:02 elapsed | ETA 0:05');
    bar.stop();
  });

  it('stays away for half a second after stop(), so short epochs print their lines undisturbed', () => {
    let t = 5000;
    const stream = tty(), bar = progressBar(stream, () => t);
    bar.stop();
    read(stream);
    t += 300;
    bar.update(update({ elapsed: 5.3 }));
    expect(read(stream)).toBe('');
    t += 300;
    bar.update(update({ elapsed: 5.6 }));
    expect(read(stream)).toContain('ETA');
    bar.stop();
  });

  it('clock', () => {
    expect([clock(0), clock(5.4), clock(65), clock(3725), clock(NaN), clock(Infinity)]).toEqual(['0:00', '0:05', '1:05', '1:02:05', '…', '…']);
  });
});

describe('lineChart', () => {
  it('is a standalone SVG with escaped text, a legend for several series and no non-finite points', () => {
    const svg = lineChart({
      title: 'Loss <&> "x"', xLabel: 'Epoch', yLabel: 'Loss',
      series: [{ name: 'train', values: [3, 2, NaN, 1, Infinity] }, { name: 'val & test', values: [3.5, 2.5, 2] }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Loss &lt;&amp;&gt; &quot;x&quot;');
    expect(svg).toContain('val &amp; test');
    expect(svg).not.toMatch(/NaN|Infinity/);
    const polylines = [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1].split(' ').length);
    expect(polylines).toEqual([3, 3]);
  });
  it('downsamples long series to at most 2000 points and supports logY', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => 1 / (i + 1));
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', values }], logY: true });
    const n = /points="([^"]*)"/.exec(svg)![1].split(' ').length;
    expect(n).toBeLessThanOrEqual(2000);
    expect(n).toBeGreaterThan(1000);
    expect(svg).not.toContain('<text x="' + 'NaN');
  });
  it('nice ticks', () => {
    expect(niceTicks(0, 1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(0.12, 0.58)).toEqual([0.2, 0.3, 0.4, 0.5]);
    expect(niceTicks(5, 5).length).toBeGreaterThan(1);
  });
});

describe('runBench', () => {
  it('measures every backend', async () => {
    const io = capture();
    const results = await runBench(io, { minSeconds: 0.01, rows: 128 });
    expect(results.map((r) => r.backend)).toEqual(['simd', 'scalar', 'ts']);
    for (const r of results) {
      expect(r.samplesPerSecond).toBeGreaterThan(0);
      expect(r.gflops).toBeCloseTo((r.samplesPerSecond * (2 * (784 * 128 + 128 * 10) * 3 - 2 * 784 * 128)) / 1e9, 6);
    }
    expect(io.lines.at(-1)).toMatch(/^simd\/ts: [\d.]+×$/);
  });
});
