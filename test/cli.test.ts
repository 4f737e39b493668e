// The CLI as users (and outside tests) run it: `node dist/cli.js …` (npm test builds first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadIris, oneHot, trainTestSplit } from '../src/data.js';
import { createNetwork } from '../src/network.js';
import { runPredict } from '../src/train.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2, and stderr is exactly one line `error: …` with no stack trace. */
function expectUsageError(r: ReturnType<typeof run>, pattern?: RegExp | string) {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  if (pattern) expect(lines[0]).toMatch(pattern);
}

let dir: string;
const rng = (() => { let s = 12345; return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32); })();

beforeAll(() => {
  expect(existsSync(cli), 'dist/cli.js: run npm run build').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'bpw-cli-'));
  // Three separable blobs with named classes; the target is not the last column.
  const centers: Record<string, [number, number, number]> = { zebra: [0, 0, 5], ant: [4, 4, 0], moose: [0, 5, 2] };
  const lines = ['height,species,weight,age'];
  for (let i = 0; i < 90; i++) {
    const name = Object.keys(centers)[i % 3], c = centers[name];
    lines.push([c[0] + rng() - 0.5, name, c[1] + rng() - 0.5, c[2] + rng() - 0.5].map((v) => (typeof v === 'number' ? v.toFixed(3) : v)).join(','));
  }
  writeFileSync(join(dir, 'animals.csv'), lines.join('\n') + '\n');
});

describe('usage', () => {
  it('--help and help print usage on stdout and exit 0', () => {
    for (const arg of ['--help', 'help']) {
      const r = run(arg);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('backprop-wasm train');
      expect(r.stdout).toContain('--preset article');
    }
  });
  it('--version', () => {
    const r = run('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  });
});

describe('train --preset article', () => {
  it('prints the article’s ten lines; the first is the MSE of the initial weights', async () => {
    const r = run('train', '--preset', 'article');
    expect(r.code, r.stderr).toBe(0);
    const its = r.stdout.split('\n').filter((l) => l.startsWith('Iterations'));
    expect(its).toHaveLength(10);
    const parsed = its.map((l) => /^Iterations: (\d+) \| Error: (\S+)$/.exec(l)!);
    expect(parsed.every(Boolean)).toBe(true);
    expect(parsed.map((m) => Number(m[1]))).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    const errors = parsed.map((m) => Number(m[2]));
    for (const e of errors) expect(e).toBeGreaterThan(0);
    expect(errors[9]).toBeLessThan(errors[0]);
    expect(Math.min(...errors.slice(1))).toBeLessThan(errors[0]);
    expect(r.stdout).toMatch(/test: .*accuracy/);

    // Independently: the same seed's initial weights, the same unstratified split, a float64 forward pass.
    const iris = loadIris();
    const { xTrain, yTrain } = trainTestSplit(iris.x, iris.y, { testSize: 0.3, seed: 0 });
    const net = await createNetwork({ inputSize: 4, layers: [{ units: 4, activation: 'sigmoid' }, { units: 3, activation: 'sigmoid' }], init: 'uniform', seed: 0 });
    const [l1, l2] = net.getWeights();
    net.dispose();
    const t = oneHot(yTrain, 3);
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    let sum = 0;
    for (let i = 0; i < xTrain.rows; i++) {
      const h = [0, 1, 2, 3].map((j) => sig(l1.bias[j] + [0, 1, 2, 3].reduce((s, k) => s + xTrain.data[i * 4 + k] * l1.weights[k * 4 + j], 0)));
      for (let j = 0; j < 3; j++) {
        const o = sig(l2.bias[j] + h.reduce((s, hk, k) => s + hk * l2.weights[k * 3 + j], 0));
        sum += (o - t.data[i * 3 + j]) ** 2;
      }
    }
    const mse = sum / (xTrain.rows * 3);
    expect(Math.abs(errors[0] - mse) / mse).toBeLessThan(1e-5);
  });

  it('--plot writes the MSE chart as SVG', () => {
    const svg = join(dir, 'mse.svg');
    const r = run('train', '--preset', 'article', '--plot', svg);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(text).toContain('<polyline');
    expect(text).toContain('Mean Squared Error over Iterations');
    expect(text.trim().endsWith('</svg>')).toBe(true);
  });
});

describe('train --json', () => {
  it('prints exactly one JSON object with every field', () => {
    const r = run('train', '--dataset', 'iris', '--seed', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(Object.keys(out).sort()).toEqual(['backend', 'dataset', 'epochs', 'history', 'seconds', 'test', 'testSamples', 'train', 'trainSamples'].sort());
    expect(out).toMatchObject({ dataset: 'iris', backend: 'simd', trainSamples: 105, testSamples: 45 });
    expect(out.history.loss).toHaveLength(out.epochs);
    expect(out.history.accuracy).toHaveLength(out.epochs);
    for (const split of [out.train, out.test]) {
      expect(typeof split.loss).toBe('number');
      expect(split.accuracy).toBeGreaterThanOrEqual(0);
    }
    expect(out.test.accuracy).toBeGreaterThanOrEqual(0.93);
    expect(out.seconds).toBeGreaterThan(0);
  });

  it('the article preset under --json prints no Iterations lines', () => {
    const r = run('train', '--preset', 'article', '--epochs', '50', '--json', '--backend', 'ts');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.epochs).toBe(50);
    expect(out.backend).toBe('ts');
    expect(out.history.loss).toHaveLength(50);
  });
});

describe('train on CSV, save, predict', () => {
  it('predicts class names, the same as in-process, ignoring extra columns', async () => {
    const model = join(dir, 'animals.json');
    const t = run('train', '--dataset', join(dir, 'animals.csv'), '--target', 'species', '--save', model, '--json');
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout).test.accuracy).toBe(1);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);

    // Columns reordered, the target kept, an extra string column added.
    const rows = readFileSync(join(dir, 'animals.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const input = rows.map((r, i) => [i === 0 ? 'note' : `"row ${i}, ok"`, r[3], r[2], r[1], r[0]].join(',')).join('\n');
    writeFileSync(join(dir, 'input.csv'), input + '\n');
    const p = run('predict', '--model', model, '--input', join(dir, 'input.csv'), '--json');
    expect(p.code, p.stderr).toBe(0);
    const out = JSON.parse(p.stdout);
    expect(out.predictions).toEqual(rows.slice(1).map((r) => r[1]));
    const inProcess = await runPredict({ model, input: join(dir, 'animals.csv') }, { log: () => {} });
    expect(out.predictions).toEqual(inProcess.predictions);
    expect(out.probabilities).toEqual(inProcess.probabilities);
    expect(out.probabilities[0]).toHaveLength(3);

    const human = run('predict', '--model', model, '--input', join(dir, 'input.csv'));
    expect(human.code).toBe(0);
    expect(human.stdout.trim().split('\n')).toEqual(out.predictions);
  });

  it('errors on a missing column, a bad value and a bad model', () => {
    const model = join(dir, 'animals.json');
    if (!existsSync(model)) run('train', '--dataset', join(dir, 'animals.csv'), '--target', 'species', '--save', model);
    writeFileSync(join(dir, 'noweight.csv'), 'height,age\n1,2\n');
    expectUsageError(run('predict', '--model', model, '--input', join(dir, 'noweight.csv')), /noweight\.csv:1: missing column 'weight'/);
    writeFileSync(join(dir, 'badval.csv'), 'height,weight,age\n1,2,3\n1,x,3\n');
    expectUsageError(run('predict', '--model', model, '--input', join(dir, 'badval.csv')), /badval\.csv:3:2: /);
    expectUsageError(run('predict', '--model', join(dir, 'nope.json'), '--input', join(dir, 'badval.csv')), /nope\.json/);
    expectUsageError(run('predict', '--model', model), /--input/);

    const good = readFileSync(model, 'utf8');
    const m = JSON.parse(good);
    const corrupt: Record<string, string> = {
      'truncated.json': good.slice(0, good.length / 2),
      'format.json': JSON.stringify({ ...m, format: 'keras' }),
      'weights.json': JSON.stringify({ ...m, weights: [{ ...m.weights[0], weights: m.weights[1].bias }, m.weights[1]] }),
    };
    for (const [name, text] of Object.entries(corrupt)) {
      writeFileSync(join(dir, name), text);
      expectUsageError(run('predict', '--model', join(dir, name), '--input', join(dir, 'animals.csv')), new RegExp(name.replace('.', '\\.')));
    }
  });
});

describe('train errors', () => {
  it('a diverging run names epoch and batch, suggests a lower learning rate, and saves nothing', () => {
    const model = join(dir, 'diverged.json');
    const r = run('train', '--dataset', 'iris', '--optimizer', 'sgd', '--lr', '1e6', '--epochs', '5', '--save', model);
    expectUsageError(r, /^error: training diverged at epoch \d+, batch \d+: .*try a lower learning rate than 1000000$/);
    expect(existsSync(model)).toBe(false);
  });

  beforeAll(() => {
    writeFileSync(join(dir, 'ragged.csv'), 'a,b,c\n1,2,x\n3,4\n');
    writeFileSync(join(dir, 'nonnum.csv'), 'a,b,c\n1,2,x\n3,oops,y\n');
  });
  const cases: [string, string[], RegExp][] = [
    ['unknown option', ['train', '--frobnicate'], /--frobnicate/],
    ['--epochs 0', ['train', '--epochs', '0'], /--epochs/],
    ['--epochs abc', ['train', '--epochs', 'abc'], /--epochs/],
    ['--lr 0.1x', ['train', '--lr', '0.1x'], /--lr/],
    ['missing value', ['train', '--epochs'], /--epochs/],
    ['unknown command', ['fly'], /fly/],
    ['missing file', ['train', '--dataset', 'missing.csv'], /missing\.csv/],
    ['ragged CSV', ['train', '--dataset', 'ragged.csv'], /ragged\.csv:3/],
    ['non-numeric feature', ['train', '--dataset', 'nonnum.csv'], /nonnum\.csv:3:2/],
    ['unknown target', ['train', '--dataset', 'nonnum.csv', '--target', 'nope'], /nonnum\.csv:1: .*nope/],
    ['unknown activation', ['train', '--activation', 'swish'], /activation 'swish'/],
    ['unknown loss', ['train', '--loss', 'hinge'], /loss 'hinge'/],
    ['unknown optimizer', ['train', '--optimizer', 'lbfgs'], /optimizer 'lbfgs'/],
    ['unknown backend', ['train', '--backend', 'gpu'], /backend 'gpu'/],
    ['mnist with --test-size', ['train', '--dataset', 'mnist', '--test-size', '0.2'], /^error: --test-size does not apply to --dataset mnist/],
    ['missing mnist dir', ['train', '--mnist-dir', 'no-such-dir'], /^error: cannot read MNIST directory 'no-such-dir': no such directory$/],
    ['--mnist-dir with iris', ['train', '--dataset', 'iris', '--mnist-dir', 'x'], /--mnist-dir applies to --dataset mnist only/],
    ['--report into a missing parent', ['train', '--report', 'no/such/dir'], /^error: cannot write --report 'no\/such\/dir': directory 'no\/such' does not exist$/],
  ];
  for (const [name, args, pattern] of cases) it(name, () => expectUsageError(run(...args), pattern));

  it('--save into a missing directory fails and writes nothing', () => {
    const target = join(dir, 'no', 'such', 'm.json');
    expectUsageError(run('train', '--epochs', '2', '--save', target), /m\.json/);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('a failed run leaves an existing model file untouched', () => {
    const model = join(dir, 'keep.json');
    writeFileSync(model, 'ORIGINAL');
    expectUsageError(run('train', '--dataset', 'nonnum.csv', '--save', model));
    expectUsageError(run('train', '--epochs', '2', '--save', model, '--plot', join(dir, 'missing-dir', 'p.svg')));
    expect(readFileSync(model, 'utf8')).toBe('ORIGINAL');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const ok = run('train', '--epochs', '2', '--save', model);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(model, 'utf8')).format).toBe('backprop-wasm');
  });
});

describe('mnist', () => {
  let model: string, trained: { test: { loss: number; accuracy: number } };
  beforeAll(() => {
    model = join(dir, 'digits.json');
    const r = run('train', '--dataset', 'mnist', '--epochs', '2', '--save', model, '--report', join(dir, 'report'), '--json');
    expect(r.code, r.stderr).toBe(0);
    trained = JSON.parse(r.stdout);
  }, 60_000);

  /** The bundled test digits as an IDX file of bytes, plus their labels. */
  async function testDigits(gzip: boolean): Promise<{ file: string; labels: Int32Array }> {
    const { loadMnistRaw } = await import('../src/mnist.js');
    const { gzipSync } = await import('node:zlib');
    const m = await loadMnistRaw();
    const header = Buffer.alloc(16);
    [0x803, m.xTest.rows, 28, 28].forEach((v, i) => header.writeUInt32BE(v, 4 * i));
    const bytes = Buffer.concat([header, Uint8Array.from(m.xTest.data)]);
    const file = join(dir, gzip ? 'test-images.idx.gz' : 'test-images.idx');
    writeFileSync(file, gzip ? gzipSync(bytes) : bytes);
    return { file, labels: m.yTest };
  }

  it('train --json: the held-out validation in history, the model with its pixel scaling, the report', () => {
    const out = trained as unknown as Record<string, any>;
    expect(Object.keys(out).sort()).toEqual(['backend', 'dataset', 'epochs', 'history', 'seconds', 'test', 'testSamples', 'train', 'trainSamples'].sort());
    expect(out).toMatchObject({ dataset: 'mnist', backend: 'simd', trainSamples: 7200, testSamples: 2000, epochs: 2 });
    expect(out.history.valLoss).toHaveLength(2);
    expect(out.history.valAccuracy).toHaveLength(2);
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    expect(saved.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(saved.featureNames).toHaveLength(784);
    expect(new Set(saved.standardizer.mean)).toEqual(new Set([0]));
    expect(new Set(saved.standardizer.std)).toEqual(new Set([255]));
    expect(saved.imageShape).toEqual([28, 28]);
    expect(readdirSync(join(dir, 'report')).sort()).toEqual(
      ['accuracy.svg', 'activations.svg', 'classes.svg', 'confusion.svg', 'index.html', 'loss.svg', 'weights.svg']);
  }, 60_000);

  it('evaluate scores the saved model as train did, and prints the per-class report', () => {
    const r = run('evaluate', '--model', model, '--dataset', 'mnist', '--json');
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e).toMatchObject({ dataset: 'mnist', rows: 'test split', samples: 2000, accuracy: trained.test.accuracy });
    expect(e.loss).toBeCloseTo(trained.test.loss, 12);
    expect(e.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(2000);
    expect(e.classes.map((c: { name: string }) => c.name)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

    const human = run('evaluate', '--model', model, '--dataset', 'mnist');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`accuracy: ${trained.test.accuracy.toFixed(4)}`);
    expect(human.stdout).toMatch(/confusion matrix \(row: true class, column: predicted class\):\n +0 +1 +2 +3 +4 +5 +6 +7 +8 +9\n +0 +\d+/);
    expect(human.stdout).toMatch(/ +precision +recall +f1-score +support\n +0 +0\.\d{4} +0\.\d{4} +0\.\d{4} +\d+\n/);
    expect(human.stdout).toMatch(/\n *weighted avg +0\.\d{4} +0\.\d{4} +0\.\d{4} +2000\n$/);
  }, 60_000);

  it('predict takes IDX images, plain or gzipped, and CSV rows of pixels alike', async () => {
    const plain = await testDigits(false), packed = await testDigits(true);
    const a = run('predict', '--model', model, '--input', plain.file, '--json');
    const b = run('predict', '--model', model, '--input', packed.file, '--json');
    expect(a.code, a.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const { predictions } = JSON.parse(a.stdout) as { predictions: string[] };
    expect(predictions).toHaveLength(2000);
    const hits = predictions.filter((p, i) => p === String(plain.labels[i])).length;
    expect(hits / 2000).toBe(trained.test.accuracy);

    // The first 20 digits as Kaggle-style CSV: a label column, then pixel0…pixel783 as bytes.
    const bytes = readFileSync(plain.file).subarray(16);
    const rows = ['label,' + Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',')];
    for (let r = 0; r < 20; r++) rows.push([plain.labels[r], ...bytes.subarray(r * 784, (r + 1) * 784)].join(','));
    writeFileSync(join(dir, 'digits.csv'), rows.join('\n') + '\n');
    const c = run('predict', '--model', model, '--input', join(dir, 'digits.csv'), '--json');
    expect(c.code, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout).predictions).toEqual(predictions.slice(0, 20));
    expect(JSON.parse(c.stdout).probabilities).toEqual(JSON.parse(a.stdout).probabilities.slice(0, 20));
  }, 60_000);

  it('refuses corrupt or mismatched input with one line naming the file', async () => {
    const { file } = await testDigits(false);
    const good = readFileSync(file);
    const bad: Record<string, Buffer> = {
      'truncated.idx': good.subarray(0, 5000),
      'magic.idx': Buffer.concat([Buffer.from([0, 0, 0x0d, 3]), good.subarray(4)]),
      'labels.idx': Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 1]),
      'small.idx': Buffer.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4]),
      'broken.idx.gz': Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]),
    };
    const expected: Record<string, RegExp> = {
      'truncated.idx': /truncated\.idx: truncated: 2000×28×28 needs 1,568,000 bytes of data after the header, the file has 4,984$/,
      'magic.idx': /magic\.idx: IDX data type float32 .* is not supported/,
      'labels.idx': /labels\.idx: an IDX file of 1 dimension \(2\) holds labels, not images$/,
      'small.idx': /small\.idx: each item is 2×2 = 4 values, the model takes 784 inputs$/,
      'broken.idx.gz': /broken\.idx\.gz: not a valid gzip file/,
    };
    for (const [name, data] of Object.entries(bad)) {
      writeFileSync(join(dir, name), data);
      expectUsageError(run('predict', '--model', model, '--input', join(dir, name)), expected[name]);
    }
    // Models from another version, or with weights of the wrong length, are refused by name.
    const saved = JSON.parse(readFileSync(model, 'utf8'));
    writeFileSync(join(dir, 'v2.json'), JSON.stringify({ ...saved, version: 2 }));
    expectUsageError(run('predict', '--model', join(dir, 'v2.json'), '--input', file), /v2\.json: model: unsupported version 2 \(this library reads version 1\)$/);
    writeFileSync(join(dir, 'short.json'), JSON.stringify({ ...saved, weights: [{ ...saved.weights[0], weights: saved.weights[0].weights.slice(0, 400) }, saved.weights[1]] }));
    expectUsageError(run('evaluate', '--model', join(dir, 'short.json'), '--dataset', 'mnist'), /short\.json: model: layer 1 weights: expected 100352 float32 values/);
    expectUsageError(run('evaluate', '--model', model), /^error: evaluate needs --dataset iris\|mnist\|FILE\.csv$/);
    expectUsageError(run('evaluate', '--model', model, '--dataset', 'iris'), /^error: iris: missing column 'pixel0', a feature of the model$/);
    expectUsageError(run('evaluate', '--model', model, '--dataset', 'mnist', '--backend', 'gpu'), /backend 'gpu'/);
  }, 60_000);

  it('evaluate on a CSV maps columns and classes by name', () => {
    const m = join(dir, 'animals-eval.json');
    const t = run('train', '--dataset', join(dir, 'animals.csv'), '--target', 'species', '--save', m, '--json');
    expect(t.code, t.stderr).toBe(0);
    const e = run('evaluate', '--model', m, '--dataset', join(dir, 'animals.csv'), '--target', 'species', '--json');
    expect(e.code, e.stderr).toBe(0);
    const out = JSON.parse(e.stdout);
    expect(out).toMatchObject({ rows: 'all rows', samples: 90, accuracy: 1 });
    expect(out.classes.map((c: { name: string; support: number }) => [c.name, c.support])).toEqual([['ant', 30], ['moose', 30], ['zebra', 30]]);
    // Without --target the last column is the class, and the real one ('species') is no number.
    expectUsageError(run('evaluate', '--model', m, '--dataset', join(dir, 'animals.csv')), /animals\.csv:2:2: non-numeric value "\w+" in column 'species'$/);
    writeFileSync(join(dir, 'noage.csv'), 'height,species,weight\n0,zebra,0\n');
    expectUsageError(run('evaluate', '--model', m, '--dataset', join(dir, 'noage.csv'), '--target', 'species'), /noage\.csv: missing column 'age', a feature of the model$/);
    writeFileSync(join(dir, 'newclass.csv'), 'height,species,weight,age\n0,zebra,0,5\n4,yak,4,0\n');
    expectUsageError(run('evaluate', '--model', m, '--dataset', join(dir, 'newclass.csv'), '--target', 'species'),
      /newclass\.csv: data row 2 has class 'yak', which the model does not know \(its classes are ant, moose, zebra\)$/);
  }, 60_000);
});
