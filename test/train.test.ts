import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackpropError } from '../src/errors.js';
import { lineChart, niceTicks } from '../src/plot.js';
import { resolveTrainOptions, runBench, runPredict, runTrain, type CliIO } from '../src/train.js';

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
      ['--preset', 'paper'], ['--bogus'], ['--epochs'], ['stray'], ['--dataset', 'mnist'], ['--target', 'x']])
      expect(() => resolveTrainOptions(args), args.join(' ')).toThrow(BackpropError);
    expect(resolveTrainOptions(['--batch-size', 'full', '--lr', '1e-3', '--hidden', '16,8'])).toMatchObject({ batchSize: 'full', lr: 0.001, hidden: [16, 8] });
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
