// `backprop-wasm train-rnn`: argv → RnnTaskOptions, then the job around
// runRnnTask (src/rnn-tasks.ts): reads the text file, draws the progress bar,
// prints the report, writes --plot and --save atomically. src/cli.ts only
// dispatches here and maps errors to exit codes.
import { BACKENDS, type BackendName } from './backends/index.js';
import { isDecimal } from './data.js';
import { check } from './errors.js';
import { checkWritable, readText, writeAll } from './files.js';
import type { FixedPointHistory } from './fixedpoint.js';
import { lineChart } from './plot.js';
import { formatRnnTaskReport, RNN_TASKS, runRnnTask, type RnnTask, type RnnTaskOptions, type RnnTaskReport } from './rnn-tasks.js';
import { oneOf } from './spec.js';
import { parseCommandArgs, str, type CliIO, type RawArgs } from './train.js';

export const TRAIN_RNN_ARGS = {
  task: { type: 'string' }, text: { type: 'string' }, hidden: { type: 'string' }, epochs: { type: 'string' }, lr: { type: 'string' },
  'batch-size': { type: 'string' }, steps: { type: 'string' }, truncate: { type: 'string' }, 'clip-norm': { type: 'string' },
  seed: { type: 'string' }, backend: { type: 'string' }, generate: { type: 'string' }, temperature: { type: 'string' },
  plot: { type: 'string' }, save: { type: 'string' }, json: { type: 'boolean' },
} as const;

export interface TrainRnnOptions {
  task: RnnTask;
  /** --task text: the file to read */
  textFile?: string;
  hidden?: number;
  epochs?: number;
  lr?: number;
  batchSize?: number;
  steps?: number;
  truncate?: number;
  clipNorm?: number;
  seed?: number;
  backend?: BackendName;
  generate?: number;
  temperature?: number;
  plot?: string;
  save?: string;
  json: boolean;
}

// Only what the progress bar needs to know before training starts (its epoch
// count and samples per batch): the task defaults of src/rnn-tasks.ts.
// The report (epochs, history) always comes from runRnnTask itself.
const BAR_DEFAULTS: Record<RnnTask, { epochs: number; batchSize: number }> = {
  sine: { epochs: 300, batchSize: 16 }, parity: { epochs: 60, batchSize: 16 },
  text: { epochs: 30, batchSize: 32 }, attractor: { epochs: 60, batchSize: 16 },
};

const INT = /^\+?\d+$/;

function int(v: RawArgs[string], flag: string, min: number, max = 1e9): number | undefined {
  const s = str(v, flag);
  if (s === undefined) return undefined;
  const n = Number(s);
  const want = max !== 1e9 ? `an integer in [${min}, ${max}]` : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
  check(INT.test(s) && n >= min && n <= max, `--${flag} must be ${want}, got '${s}'`);
  return n;
}

function positive(v: RawArgs[string], flag: string): number | undefined {
  const s = str(v, flag);
  if (s === undefined) return undefined;
  const n = Number(s);
  check(isDecimal(s) && Number.isFinite(n) && n > 0, `--${flag} must be a positive number, got '${s}'`);
  return n;
}

/** argv → options; every bad flag is one BackpropError, before any file is read or any training runs. */
export function resolveTrainRnnOptions(argv: string[]): TrainRnnOptions {
  const a = parseCommandArgs(argv, TRAIN_RNN_ARGS, 'train-rnn');
  const taskArg = str(a.task, 'task');
  check(taskArg !== undefined && taskArg !== '', `train-rnn needs --task ${RNN_TASKS.join('|')}`);
  const task = oneOf(taskArg, RNN_TASKS, 'task');
  const textFile = str(a.text, 'text');
  if (task === 'text') check(textFile !== undefined && textFile !== '', 'train-rnn --task text needs --text FILE');
  else check(textFile === undefined, `--text applies to --task text only, not ${task}`);
  const only = (flags: string[], ok: boolean, which: string) => {
    for (const f of flags) check(a[f] === undefined || ok, `--${f} applies to ${which} only, not --task ${task}`);
  };
  only(['generate', 'temperature'], task === 'text', '--task text');
  only(['steps', 'truncate', 'clip-norm'], task !== 'attractor', 'the sequence tasks (sine, parity, text)');

  const backendArg = str(a.backend, 'backend');
  const plot = str(a.plot, 'plot'), save = str(a.save, 'save');
  check(plot !== '' && save !== '', '--plot and --save need a file name');
  check(a.json === undefined || typeof a.json === 'boolean', '--json takes no value');
  const opts: TrainRnnOptions = {
    task, textFile,
    hidden: int(a.hidden, 'hidden', 1, 1e5),
    epochs: int(a.epochs, 'epochs', 1),
    lr: positive(a.lr, 'lr'),
    batchSize: int(a['batch-size'], 'batch-size', 1),
    steps: int(a.steps, 'steps', 1, 1e6),
    truncate: int(a.truncate, 'truncate', 1),
    clipNorm: positive(a['clip-norm'], 'clip-norm'),
    seed: int(a.seed, 'seed', 0, 0xffffffff),
    backend: backendArg === undefined ? undefined : oneOf(backendArg, BACKENDS, 'backend'),
    generate: int(a.generate, 'generate', 0, 1e6),
    temperature: positive(a.temperature, 'temperature'),
    plot, save, json: a.json === true,
  };
  for (const k of Object.keys(opts) as (keyof TrainRnnOptions)[]) if (opts[k] === undefined) delete opts[k];
  return opts;
}

const now = () => performance.now();

/** Trains the task, prints the report (or one JSON object), writes --plot and --save (all or none). */
export async function runTrainRnn(opts: TrainRnnOptions, io: CliIO, warn: (message: string) => void = () => {}): Promise<RnnTaskReport> {
  if (opts.save) await checkWritable(opts.save, '--save');
  if (opts.plot) await checkWritable(opts.plot, '--plot');
  let text: string | undefined;
  if (opts.task === 'text') {
    text = await readText(opts.textFile!, 'text');
    check(text.length > 0, `${opts.textFile}: the text file is empty`);
  }
  const d = BAR_DEFAULTS[opts.task];
  const epochs = opts.epochs ?? d.epochs, batchSize = opts.batchSize ?? d.batchSize;
  const t0 = now();
  let lastLoss = NaN, lastUpdate = 0, epochStart = t0;
  const task: RnnTaskOptions = {
    task: opts.task, text, source: opts.textFile, hidden: opts.hidden, epochs: opts.epochs, learningRate: opts.lr, batchSize: opts.batchSize,
    seed: opts.seed, backend: opts.backend, steps: opts.steps, truncate: opts.truncate, clipNorm: opts.clipNorm,
    generate: opts.generate, temperature: opts.temperature,
    onEpochEnd: (_epoch, logs) => { lastLoss = logs.loss; epochStart = now(); },
    onWarning: (message) => { io.progress?.stop(); warn(message); },
  };
  for (const k of Object.keys(task) as (keyof RnnTaskOptions)[]) if (task[k] === undefined) delete task[k];
  if (io.progress) {
    const progress = io.progress;
    task.onBatchEnd = (b, batches, epoch) => {
      const t = now();
      if (t - lastUpdate < 100 && b + 1 < batches) return;
      lastUpdate = t;
      // the bar counts batches; samples/s is sequences per second (the last batch of an epoch may be smaller)
      const inEpoch = Math.max((t - epochStart) / 1000, 1e-9), perSecond = (b + 1) / inEpoch;
      progress.update({
        epoch, epochs, done: b + 1, total: batches, loss: lastLoss, samplesPerSecond: perSecond * batchSize,
        elapsed: (t - t0) / 1000, eta: (batches - b - 1) / perSecond,
      });
    };
  }
  let result: Awaited<ReturnType<typeof runRnnTask>>;
  try {
    result = await runRnnTask(task);
  } finally {
    io.progress?.stop();
  }
  const { report, network } = result;
  try {
    const files: { path: string; data: string }[] = [];
    if (opts.plot) files.push({ path: opts.plot, data: lossPlot(report, network.spec.loss) });
    if (opts.save) files.push({ path: opts.save, data: JSON.stringify(network.toJSON()) });
    await writeAll(files);
  } finally {
    network.dispose();
  }
  if (opts.json) io.log(JSON.stringify(report));
  else for (const line of formatRnnTaskReport(report).split('\n')) io.log(line);
  return report;
}

/** The loss curve: training loss per epoch, and the held-out loss when the task has one. */
function lossPlot(r: RnnTaskReport, loss: string): string {
  const h = r.history as FixedPointHistory;
  const x = h.loss.map((_, i) => i + 1);
  const series = [{ name: 'train', values: h.loss, x }];
  if (h.valLoss) series.push({ name: 'test', values: h.valLoss, x });
  const all = [...h.loss, ...(h.valLoss ?? [])];
  return lineChart({
    title: `Training loss over epochs (train-rnn --task ${r.task})`, xLabel: 'Epoch', yLabel: `Loss (${loss})`,
    series, logY: all.length > 0 && all.every((v) => v > 0 && Number.isFinite(v)),
  });
}
