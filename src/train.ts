// The CLI's jobs (train, predict, bench) as plain async functions, so tests
// run them in-process; src/cli.ts only parses argv and maps errors to exit codes.
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKENDS, type BackendName } from './backends/index.js';
import { fitStandardizer, isDecimal, loadIris, parseCsv, readCsvColumns, standardizer, trainTestSplit, type Dataset, type Standardizer } from './data.js';
import { BackpropError, check } from './errors.js';
import { matrix } from './matrix.js';
import { loadNetwork } from './model.js';
import { createNetwork, type FitOptions, type Network } from './network.js';
import { lineChart } from './plot.js';
import { Rng } from './random.js';
import { ACTIVATIONS, LOSSES, OPTIMIZERS, oneOf, type Activation, type Init, type Loss, type OptimizerType } from './spec.js';

export interface ProgressUpdate {
  /** epochs done, fractional within an epoch */
  value: number;
  total: number;
  epoch: number;
  loss: number;
  samplesPerSecond: number;
  /** seconds since training started */
  elapsed: number;
}

export interface ProgressReporter { update(p: ProgressUpdate): void; stop(): void }

export interface CliIO {
  /** one line of stdout */
  log(line: string): void;
  progress?: ProgressReporter;
}

export interface TrainOptions {
  dataset: string;
  target?: string;
  hidden: number[];
  activation: Activation;
  output: Activation;
  loss: Loss;
  optimizer: OptimizerType;
  lr: number;
  init?: Init;
  l2: number;
  epochs: number;
  earlyStopping?: { patience: number; minDelta: number; restoreBest: boolean };
  batchSize: number | 'full';
  shuffle: boolean;
  testSize: number;
  seed: number;
  backend: BackendName;
  standardize: boolean;
  stratify: boolean;
  preset?: 'article';
  plot?: string;
  save?: string;
  json: boolean;
}

/** What `train --json` prints. */
export interface TrainReport {
  dataset: string;
  backend: BackendName;
  trainSamples: number;
  testSamples: number;
  epochs: number;
  history: { loss: number[]; accuracy?: number[] };
  train: { loss: number; accuracy: number };
  test: { loss: number; accuracy: number };
  seconds: number;
}

// Defaults in the spirit of scikit-learn's MLPClassifier (100 relu units, Adam,
// early stopping on the training loss: 200 epochs, patience 10, tol 1e-4).
// Batch 16, lr 0.01 and an L2 of 0.01 were picked on Iris (seeds 1–60): without
// the L2 a 100-unit layer overfits 105 rows, and some splits drop below 0.93.
export const DEFAULTS = {
  hidden: [100], activation: 'relu' as Activation, optimizer: 'adam' as OptimizerType, lr: 0.01,
  l2: 0.01, batchSize: 16, budget: 200, patience: 10, minDelta: 1e-4, testSize: 0.3, seed: 0,
};

// The article's Iris example, exactly (see DESIGN.md and seed/).
const ARTICLE: Partial<TrainOptions> = {
  dataset: 'iris', hidden: [4], activation: 'sigmoid', output: 'sigmoid', loss: 'sse', optimizer: 'sgd', lr: 0.1,
  init: 'uniform', l2: 0, batchSize: 'full', shuffle: false, epochs: 1000, standardize: false, stratify: false,
};

export const TRAIN_ARGS = {
  dataset: { type: 'string' }, target: { type: 'string' }, hidden: { type: 'string' }, activation: { type: 'string' },
  loss: { type: 'string' }, optimizer: { type: 'string' }, lr: { type: 'string' }, l2: { type: 'string' }, epochs: { type: 'string' },
  patience: { type: 'string' }, 'batch-size': { type: 'string' }, 'test-size': { type: 'string' }, seed: { type: 'string' },
  backend: { type: 'string' }, preset: { type: 'string' }, plot: { type: 'string' }, save: { type: 'string' }, json: { type: 'boolean' },
} as const;

export const PREDICT_ARGS = { model: { type: 'string' }, input: { type: 'string' }, json: { type: 'boolean' } } as const;

export type RawArgs = Record<string, string | boolean | number | undefined>;

/** parseArgs, with its errors turned into one-line BackpropErrors. */
export function parseCommandArgs(argv: string[], options: typeof TRAIN_ARGS | typeof PREDICT_ARGS, command: string): RawArgs {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as RawArgs;
  } catch (e) {
    const err = e as Error & { code?: string };
    const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
    const name = quoted.replace(/ <value>$/, '');
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': throw new BackpropError(`unknown option '${name}' for '${command}' (see backprop-wasm --help)`);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        if (options[name.replace(/^--/, '') as keyof typeof options]?.type === 'boolean')
          throw new BackpropError(`option ${name} takes no value`);
        throw new BackpropError(`option ${name} needs a value`);
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': throw new BackpropError(`unexpected argument '${quoted}' for '${command}' (options start with --)`);
      default: throw new BackpropError(err.message.split('\n')[0]);
    }
  }
}

const INT = /^\+?\d+$/;

function str(v: string | boolean | number | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  check(typeof v !== 'boolean', `option --${flag} needs a value`);
  return String(v).trim();
}

function int(v: RawArgs[string], flag: string, min: number, max = 1e9): number | undefined {
  const s = str(v, flag);
  if (s === undefined) return undefined;
  const n = Number(s);
  const want = max > 1e9 ? `an integer in [${min}, ${max}]` : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
  check(INT.test(s) && n >= min && n <= max, `--${flag} must be ${want}, got '${s}'`);
  return n;
}

function num(v: RawArgs[string], flag: string, ok: (n: number) => boolean, want: string): number | undefined {
  const s = str(v, flag);
  if (s === undefined) return undefined;
  const n = Number(s);
  check(isDecimal(s) && Number.isFinite(n) && ok(n), `--${flag} must be ${want}, got '${s}'`);
  return n;
}

/** Command-line values (argv, or parseArgs-style values) → complete options: defaults, then the preset, then explicit flags. */
export function resolveTrainOptions(args: string[] | RawArgs): TrainOptions {
  const a = Array.isArray(args) ? parseCommandArgs(args, TRAIN_ARGS, 'train') : args;
  for (const key of Object.keys(a))
    check(key in TRAIN_ARGS, `unknown option '--${key}' for 'train' (see backprop-wasm --help)`);

  const presetName = str(a.preset, 'preset');
  if (presetName !== undefined) oneOf(presetName, ['article'] as const, 'preset');
  const preset = presetName === 'article' ? ARTICLE : {};

  const dataset = str(a.dataset, 'dataset') ?? preset.dataset ?? 'iris';
  check(dataset !== '', '--dataset must be iris, mnist or a CSV file');
  if (dataset === 'mnist') throw new BackpropError('--dataset mnist is not available yet (it comes with the MNIST issue)');
  const target = str(a.target, 'target');
  check(target === undefined || dataset !== 'iris', '--target applies to CSV datasets only (iris has its own target)');

  const hiddenArg = str(a.hidden, 'hidden');
  let hidden = preset.hidden ?? DEFAULTS.hidden;
  if (hiddenArg !== undefined) {
    const parts = hiddenArg === '' ? [] : hiddenArg.split(',').map((p) => p.trim());
    check(parts.every((p) => INT.test(p) && Number(p) >= 1 && Number(p) <= 1e6),
      `--hidden must be layer sizes separated by commas, like 16,8, got '${hiddenArg}'`);
    hidden = parts.map(Number);
  }
  const activationArg = str(a.activation, 'activation');
  const activation = activationArg === undefined ? preset.activation ?? DEFAULTS.activation : oneOf(activationArg, ACTIVATIONS, 'activation');
  check(activation !== 'softmax', '--activation softmax is for output layers; pick a hidden activation (sigmoid, tanh, relu, leaky-relu, linear)');
  const lossArg = str(a.loss, 'loss');
  const loss: Loss = lossArg === undefined ? preset.loss ?? 'cross-entropy' : oneOf(lossArg, LOSSES, 'loss');
  // Softmax pairs with cross-entropy; the article's sigmoid outputs stay unless that pairing is asked for.
  const output: Activation = loss === 'cross-entropy' ? 'softmax' : preset.output ?? 'softmax';
  const optArg = str(a.optimizer, 'optimizer');
  const optimizer = optArg === undefined ? preset.optimizer ?? DEFAULTS.optimizer : oneOf(optArg, OPTIMIZERS, 'optimizer');
  const lr = num(a.lr, 'lr', (n) => n > 0, 'a positive number') ??
    preset.lr ?? (optimizer === 'adam' ? DEFAULTS.lr : 0.1);
  const l2 = num(a.l2, 'l2', (n) => n >= 0, 'a non-negative number') ?? preset.l2 ?? DEFAULTS.l2;

  const epochsArg = int(a.epochs, 'epochs', 1);
  const patience = int(a.patience, 'patience', 0);
  const epochs = epochsArg ?? preset.epochs ?? DEFAULTS.budget;
  // An explicit (or preset) epoch count is run in full unless a patience asks for early stopping.
  const early = patience !== undefined || (epochsArg === undefined && preset.epochs === undefined);
  const earlyStopping = early ? { patience: patience ?? DEFAULTS.patience, minDelta: DEFAULTS.minDelta, restoreBest: true } : undefined;

  const bsArg = str(a['batch-size'], 'batch-size');
  let batchSize = preset.batchSize ?? DEFAULTS.batchSize;
  if (bsArg !== undefined) batchSize = bsArg === 'full' ? 'full' : int(bsArg, 'batch-size', 1)!;
  const testSize = num(a['test-size'], 'test-size', (n) => (n > 0 && n < 1) || (Number.isInteger(n) && n >= 1),
    'a fraction in (0, 1) or a row count') ?? DEFAULTS.testSize;
  const seed = int(a.seed, 'seed', 0, 0xffffffff) ?? DEFAULTS.seed;
  const backendArg = str(a.backend, 'backend');
  const backend = backendArg === undefined ? 'simd' : oneOf(backendArg, BACKENDS, 'backend');
  const plot = str(a.plot, 'plot'), save = str(a.save, 'save');
  check(plot !== '' && save !== '', '--plot and --save need a file name');
  check(a.json === undefined || typeof a.json === 'boolean', '--json takes no value');

  return {
    dataset, target, hidden, activation, output, loss, optimizer, lr, init: preset.init, l2, epochs, earlyStopping, batchSize,
    shuffle: preset.shuffle ?? true, testSize, seed, backend, standardize: preset.standardize ?? true,
    stratify: preset.stratify ?? true, preset: presetName as 'article' | undefined, plot, save, json: a.json === true,
  };
}

function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a parent is not a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    default: return String(err.message).split('\n')[0];
  }
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new BackpropError(`cannot read ${what} '${path}': ${fsReason(e)}`);
  }
}

/** Fails early, before any training, when an output file cannot be created. */
async function checkWritable(path: string, flag: string): Promise<void> {
  const dir = dirname(path);
  let ok = false;
  try { ok = (await stat(dir)).isDirectory(); } catch { /* reported below */ }
  check(ok, `cannot write ${flag} file '${path}': directory '${dir}' does not exist`);
  try { check(!(await stat(path)).isDirectory(), `cannot write ${flag} file '${path}': it is a directory`); }
  catch (e) { if (e instanceof BackpropError) throw e; }
}

/** Writes every file or none: each goes to a temp file first, and all are renamed only once all are written. */
async function writeAll(files: { path: string; data: string }[]): Promise<void> {
  const temps = files.map((f) => `${f.path}.tmp-${process.pid}`);
  try {
    for (let i = 0; i < files.length; i++) await writeFile(temps[i], files[i].data);
    for (let i = 0; i < files.length; i++) await rename(temps[i], files[i].path);
  } catch (e) {
    await Promise.all(temps.map((t) => unlink(t).catch(() => {})));
    const i = files.findIndex((_, k) => String((e as Error).message).includes(temps[k]));
    throw new BackpropError(`cannot write '${files[Math.max(0, i)].path}': ${fsReason(e)}`);
  }
}

async function loadDataset(opts: TrainOptions): Promise<Dataset> {
  if (opts.dataset === 'iris') return loadIris();
  const text = await readText(opts.dataset, 'dataset');
  const ds = parseCsv(text, { target: opts.target ?? -1, file: opts.dataset });
  check(ds.classNames.length >= 2, `${opts.dataset}: the target column has only one class ('${ds.classNames[0]}'); nothing to learn`);
  return ds;
}

const now = () => performance.now();

export async function runTrain(opts: TrainOptions, io: CliIO): Promise<TrainReport> {
  if (opts.save) await checkWritable(opts.save, '--save');
  if (opts.plot) await checkWritable(opts.plot, '--plot');
  const ds = await loadDataset(opts);
  const split = trainTestSplit(ds.x, ds.y, { testSize: opts.testSize, seed: opts.seed, stratify: opts.stratify });
  let std: Standardizer | undefined;
  let { xTrain, xTest } = split;
  if (opts.standardize) {
    std = fitStandardizer(xTrain);
    xTrain = std.transform(xTrain);
    xTest = std.transform(xTest);
  }
  const classes = ds.classNames.length;
  const net = await createNetwork({
    inputSize: ds.x.cols,
    layers: [...opts.hidden.map((units) => ({ units, activation: opts.activation })), { units: classes, activation: opts.output }],
    loss: opts.loss, optimizer: { type: opts.optimizer, learningRate: opts.lr }, init: opts.init, l2: opts.l2, seed: opts.seed, backend: opts.backend,
  });
  try {
    const rows = xTrain.rows, outputs = classes;
    // The article's "Error": the MSE of iteration i's forward pass, from the sse it reports.
    // ('sse' sums ½·(ŷ−y)² over the epoch's rows; 'mse' already is the mean.)
    const mseOf = opts.loss === 'sse' ? (loss: number) => (2 * loss) / (rows * outputs)
      : opts.loss === 'mse' ? (loss: number) => loss : undefined;
    const article = opts.preset === 'article';
    const batch = opts.batchSize === 'full' ? rows : Math.min(opts.batchSize, rows);
    const t0 = now();
    let lastLoss = NaN, lastUpdate = 0;
    const fitOptions: FitOptions = {
      epochs: opts.epochs, batchSize: opts.batchSize, shuffle: opts.shuffle, earlyStopping: opts.earlyStopping,
      onEpochEnd: (epoch, logs) => {
        lastLoss = logs.loss;
        const i = epoch - 1;
        if (article && !opts.json && i % 100 === 0) io.log(`Iterations: ${i} | Error: ${mseOf ? mseOf(logs.loss) : logs.loss}`);
      },
    };
    if (io.progress) {
      const progress = io.progress;
      fitOptions.onBatchEnd = (b, batches, epoch) => {
        const t = now();
        if (t - lastUpdate < 100) return;
        lastUpdate = t;
        const elapsed = (t - t0) / 1000;
        const seen = (epoch - 1) * rows + Math.min(rows, (b + 1) * batch);
        progress.update({
          value: epoch - 1 + (b + 1) / batches, total: opts.epochs, epoch, loss: lastLoss,
          samplesPerSecond: seen / Math.max(elapsed, 1e-9), elapsed,
        });
      };
    }
    let history;
    try {
      history = await net.fit(xTrain, split.yTrain, fitOptions);
    } finally {
      io.progress?.stop();
    }
    const tr = net.evaluate(xTrain, split.yTrain), te = net.evaluate(xTest, split.yTest);
    const report: TrainReport = {
      dataset: opts.dataset, backend: net.backend, trainSamples: rows, testSamples: xTest.rows, epochs: history.loss.length,
      history: { loss: history.loss, ...(history.accuracy ? { accuracy: history.accuracy } : {}) },
      train: { loss: tr.loss, accuracy: tr.accuracy! }, test: { loss: te.loss, accuracy: te.accuracy! },
      seconds: history.seconds,
    };

    const files: { path: string; data: string }[] = [];
    if (opts.plot) files.push({ path: opts.plot, data: plotFor(opts, history.loss, article ? mseOf : undefined) });
    if (opts.save) {
      net.metadata = { featureNames: ds.featureNames, classNames: ds.classNames, ...(std ? { standardizer: std.toJSON() } : {}) };
      files.push({ path: opts.save, data: JSON.stringify(net.toJSON()) });
    }
    await writeAll(files);

    if (opts.json) io.log(JSON.stringify(report));
    else for (const line of summary(opts, report, ds, history)) io.log(line);
    return report;
  } finally {
    net.dispose();
  }
}

function plotFor(opts: TrainOptions, loss: number[], mse?: (l: number) => number): string {
  if (mse)
    return lineChart({ title: 'Mean Squared Error over Iterations', xLabel: 'Iterations', yLabel: 'MSE', series: [{ name: 'MSE', values: loss.map(mse) }] });
  return lineChart({
    title: `Training loss over epochs (${opts.dataset})`, xLabel: 'Epoch', yLabel: `Loss (${opts.loss})`,
    series: [{ name: 'loss', values: loss, x: loss.map((_, i) => i + 1) }], logY: loss.every((v) => v > 0),
  });
}

function summary(opts: TrainOptions, r: TrainReport, ds: Dataset, h: { bestEpoch?: number; stoppedEarly?: boolean }): string[] {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));
  const arch = [ds.x.cols, ...opts.hidden, ds.classNames.length].join('-');
  const acts = [...opts.hidden.map(() => opts.activation), opts.output].join(', ');
  const stop = h.stoppedEarly ? `, stopped early; kept epoch ${h.bestEpoch}` : opts.earlyStopping ? `, best epoch ${h.bestEpoch}` : '';
  return [
    `dataset: ${r.dataset} (${r.trainSamples} train, ${r.testSamples} test; ${ds.x.cols} features, ${ds.classNames.length} classes${opts.standardize ? ', standardized' : ''})`,
    `network: ${arch} (${acts}), loss ${opts.loss}, ${opts.optimizer} lr ${opts.lr}${opts.l2 ? `, l2 ${opts.l2}` : ''}, batch ${opts.batchSize}, backend ${r.backend}`,
    `epochs: ${r.epochs}${stop}`,
    `train: loss ${f(r.train.loss)}, accuracy ${f(r.train.accuracy)}`,
    `test:  loss ${f(r.test.loss)}, accuracy ${f(r.test.accuracy)}`,
    `time: ${r.seconds.toFixed(2)} s`,
  ];
}

// ---------------------------------------------------------------- predict

export interface PredictOptions { model: string; input: string; json?: boolean }

export function resolvePredictOptions(argv: string[]): PredictOptions {
  const a = parseCommandArgs(argv, PREDICT_ARGS, 'predict');
  const model = str(a.model, 'model'), input = str(a.input, 'input');
  check(model, 'predict needs --model FILE.json');
  check(input, 'predict needs --input FILE.csv');
  return { model, input, json: a.json === true };
}

export async function runPredict(opts: PredictOptions, io: CliIO): Promise<{ predictions: (string | number)[]; probabilities: number[][] }> {
  const modelText = await readText(opts.model, 'model');
  let net: Network;
  try {
    net = await loadNetwork(modelText);
  } catch (e) {
    throw new BackpropError(`${opts.model}: ${e instanceof BackpropError ? e.message : `invalid model (${(e as Error).message})`}`);
  }
  try {
    const md = net.metadata;
    const text = await readText(opts.input, 'input');
    // Without stored names, the input's columns are the model's inputs, in order.
    let x = readCsvColumns(text, md.featureNames ?? null, opts.input);
    check(x.cols === net.inputSize,
      `${opts.input}:1: the model names no feature columns, so the input needs exactly ${net.inputSize} columns; it has ${x.cols}`);
    if (md.standardizer) x = standardizer(md.standardizer.mean, md.standardizer.std).transform(x);
    const p = net.predict(x), classes = net.predictClasses(x);
    const predictions = Array.from(classes, (c) => md.classNames?.[c] ?? c);
    const probabilities = Array.from({ length: p.rows }, (_, i) => Array.from(p.data.subarray(i * p.cols, (i + 1) * p.cols)));
    if (opts.json) io.log(JSON.stringify({ predictions, probabilities }));
    else for (const v of predictions) io.log(String(v));
    return { predictions, probabilities };
  } finally {
    net.dispose();
  }
}

// ---------------------------------------------------------------- bench

export interface BenchResult { backend: BackendName; samplesPerSecond: number; gflops: number; seconds: number }

/** Training throughput of a 784-128-10 relu/softmax network, SGD, batch 64, per backend. */
export async function runBench(io: CliIO, opts: { minSeconds?: number; rows?: number } = {}): Promise<BenchResult[]> {
  const minSeconds = opts.minSeconds ?? 1, rows = opts.rows ?? 2048;
  const [inputs, hidden, outputs, batch] = [784, 128, 10, 64];
  // Forward and both backward GEMMs per layer, minus dX of the first layer (nobody needs the input's gradient).
  const flopsPerSample = 2 * (inputs * hidden + hidden * outputs) * 3 - 2 * inputs * hidden;
  const rng = new Rng(42);
  const x = matrix(rows, inputs);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.float();
  const y = new Int32Array(rows).map(() => rng.below(outputs));
  io.log(`bench: ${inputs}-${hidden}-${outputs} relu/softmax, SGD, batch ${batch}, ${rows} random rows; ≥ ${minSeconds} s per backend`);
  const results: BenchResult[] = [];
  for (const backend of BACKENDS) {
    const net = await createNetwork({
      inputSize: inputs, layers: [{ units: hidden, activation: 'relu' }, { units: outputs, activation: 'softmax' }],
      optimizer: 'sgd', learningRate: 0.01, seed: 1, backend,
    });
    try {
      const warmRows = Math.min(rows, 4 * batch);
      const warm = await net.fit(matrix(warmRows, inputs, x.data.subarray(0, warmRows * inputs)), y.subarray(0, warmRows), { epochs: 2, batchSize: batch });
      // Few, long fit calls, so that per-call setup (copying the data in) is noise.
      const perEpoch = (warm.seconds / (2 * warmRows)) * rows;
      let seconds = 0, samples = 0;
      while (seconds < minSeconds) {
        const epochs = Math.max(1, Math.ceil((minSeconds - seconds) / Math.max(perEpoch, 1e-4)));
        seconds += (await net.fit(x, y, { epochs, batchSize: batch })).seconds;
        samples += epochs * rows;
      }
      const samplesPerSecond = samples / seconds;
      const r = { backend: net.backend, samplesPerSecond, gflops: (samplesPerSecond * flopsPerSample) / 1e9, seconds };
      results.push(r);
      io.log(`${r.backend.padEnd(7)} ${Math.round(samplesPerSecond).toLocaleString('en-US').padStart(10)} samples/s  ${r.gflops.toFixed(2).padStart(6)} GFLOP/s`);
    } finally {
      net.dispose();
    }
  }
  const simd = results.find((r) => r.backend === 'simd'), ts = results.find((r) => r.backend === 'ts');
  if (simd && ts) io.log(`simd/ts: ${(simd.samplesPerSecond / ts.samplesPerSecond).toFixed(1)}×`);
  return results;
}
