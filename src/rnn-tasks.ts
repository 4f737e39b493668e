// Example tasks for the recurrent networks, and `runRnnTask`, the job behind
// `backprop-wasm train-rnn` (the CLI parses flags, reads the text file, draws
// the progress bar and the plot; everything else happens here):
//   sine       next-value prediction on a composite wave (Elman, MSE)
//   parity     temporal parity: after each bit, the parity of the bits so far (Elman, BCE)
//   text       next-character prediction on a text, then sampling (Elman, softmax)
//   attractor  pattern completion: a corrupted ±1 pattern settles to the stored one
//              (Almeida–Pineda fixed-point network)
// Every generator is seeded (src/random.ts), so a task is the same data on every run.
import type { BackendName } from './backends/index.js';
import { BackpropError, check } from './errors.js';
import type { EpochLogs } from './network.js';
import { createFixedPointNetwork, type FixedPointHistory, type FixedPointNetwork } from './fixedpoint.js';
import { matrix, type Matrix } from './matrix.js';
import { Rng } from './random.js';
import { createRecurrentNetwork, type RecurrentHistory, type RecurrentNetwork } from './recurrent.js';
import { checkKeys, oneOf } from './spec.js';

export type RnnTask = 'sine' | 'parity' | 'text' | 'attractor';
export const RNN_TASKS: readonly RnnTask[] = ['sine', 'parity', 'text', 'attractor'];

/** Sequences and their per-step targets. */
export interface SequenceData { x: Matrix[]; y: (Matrix | Int32Array)[] }

// --- generators ------------------------------------------------------------------

const TAU = 2 * Math.PI;
/** sine: steps a network needs to see before the wave's phase is known (the measure skips them) */
export const SINE_WARMUP = 8;

/** Composite wave 0.6·sin(0.25t + φ1) + 0.4·sin(0.61t + φ2), random phases per sequence:
 *  input the value at t, target the value at t + 1. */
export function sineTask(options: { sequences: number; steps: number; seed: number }): SequenceData {
  const rng = new Rng(options.seed);
  const x: Matrix[] = [], y: Matrix[] = [];
  for (let s = 0; s < options.sequences; s++) {
    const p1 = TAU * rng.float(), p2 = TAU * rng.float();
    const wave = (t: number) => 0.6 * Math.sin(0.25 * t + p1) + 0.4 * Math.sin(0.61 * t + p2);
    x.push(matrix(options.steps, 1, Float32Array.from({ length: options.steps }, (_, t) => wave(t))));
    y.push(matrix(options.steps, 1, Float32Array.from({ length: options.steps }, (_, t) => wave(t + 1))));
  }
  return { x, y };
}

/** Random bits; the target after each bit is the parity (XOR) of all bits so far. */
export function parityTask(options: { sequences: number; steps: number; seed: number }): SequenceData {
  const rng = new Rng(options.seed);
  const x: Matrix[] = [], y: Int32Array[] = [];
  for (let s = 0; s < options.sequences; s++) {
    const bits = Float32Array.from({ length: options.steps }, () => rng.below(2));
    let p = 0;
    x.push(matrix(options.steps, 1, bits));
    y.push(Int32Array.from(bits, (b) => (p ^= b)));
  }
  return { x, y };
}

/** A text's characters (sorted), sequences of `steps` one-hot characters, and the next character of each as the target. */
export function textTask(text: string, options: { steps: number }): SequenceData & { vocabulary: string[] } {
  const chars = Array.from(text);
  check(chars.length >= options.steps + 1, `text: the text has ${chars.length} characters, a sequence needs ${options.steps + 1}`);
  const vocabulary = [...new Set(chars)].sort();
  const index = new Map(vocabulary.map((c, i) => [c, i]));
  const V = vocabulary.length, ids = chars.map((c) => index.get(c)!);
  const x: Matrix[] = [], y: Int32Array[] = [];
  for (let start = 0; start + options.steps < ids.length; start += options.steps) {
    const m = matrix(options.steps, V);
    for (let t = 0; t < options.steps; t++) m.data[t * V + ids[start + t]] = 1;
    x.push(m);
    y.push(Int32Array.from({ length: options.steps }, (_, t) => ids[start + t + 1]));
  }
  return { x, y, vocabulary };
}

/** The entropy (nats per character) of the text's character frequencies: the loss of the best model that ignores context. */
export function unigramEntropy(text: string): number {
  const counts = new Map<string, number>();
  const chars = Array.from(text);
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / chars.length) * Math.log(n / chars.length);
  return h;
}

/** `length` characters sampled from a text model, one step at a time from the carried hidden state,
 *  after priming it with `prime` (default: the first vocabulary character). */
export function generateText(net: RecurrentNetwork, vocabulary: string[], options: { length: number; seed: number; temperature?: number; prime?: string }): string {
  const V = vocabulary.length, rng = new Rng(options.seed), temperature = options.temperature ?? 1;
  check(net.inputSize === V && net.outputSize === V, `generate: the network has ${net.inputSize} inputs and ${net.outputSize} outputs, the vocabulary ${V} characters`);
  const index = new Map(vocabulary.map((c, i) => [c, i]));
  const prime = Array.from(options.prime ?? vocabulary[0]);
  const x = matrix(prime.length, V);
  prime.forEach((c, t) => {
    const i = index.get(c);
    if (i === undefined) throw new BackpropError(`generate: the prime's character ${JSON.stringify(c)} is not in the model's vocabulary`);
    x.data[t * V + i] = 1;
  });
  let { output, state } = net.run(x);
  let probs = output.data.subarray((prime.length - 1) * V);
  let out = '';
  const one = matrix(1, V), weights = new Float64Array(V);
  for (let n = 0; n < options.length; n++) {
    let sum = 0;
    for (let i = 0; i < V; i++) sum += (weights[i] = Math.pow(probs[i], 1 / temperature));
    let r = rng.float() * sum, c = V - 1;
    for (let i = 0; i < V; i++) if ((r -= weights[i]) < 0) { c = i; break; }
    out += vocabulary[c];
    one.data.fill(0);
    one.data[c] = 1;
    ({ output, state } = net.run(one, state));
    probs = output.data;
  }
  return out;
}

/** `patterns` random ±1 patterns of `bits`, at least 2·flips + 1 bits apart (so every corruption has one
 *  nearest pattern), and `samples` copies of them with `flips` bits flipped: input the corrupted pattern,
 *  target the stored one. */
export function attractorTask(options: { patterns: number; bits: number; flips: number; samples: number; seed: number; stored?: Float32Array[] }):
  { x: Matrix; y: Matrix; stored: Float32Array[] } {
  const rng = new Rng(options.seed), P = options.bits;
  const distance = (a: Float32Array, b: Float32Array) => a.reduce((d, v, i) => d + (v !== b[i] ? 1 : 0), 0);
  let stored = options.stored;
  if (!stored) {
    stored = [];
    for (let tries = 0; stored.length < options.patterns; tries++) {
      check(tries < 100000, `attractor: cannot draw ${options.patterns} patterns of ${P} bits that are ${2 * options.flips + 1} bits apart`);
      const p = Float32Array.from({ length: P }, () => (rng.below(2) ? 1 : -1));
      if (stored.every((q) => distance(p, q) > 2 * options.flips)) stored.push(p);
    }
  }
  const x = matrix(options.samples, P), y = matrix(options.samples, P);
  for (let s = 0; s < options.samples; s++) {
    const p = stored![s % stored!.length];
    y.data.set(p, s * P);
    x.data.set(p, s * P);
    const order = rng.shuffle(Array.from({ length: P }, (_, i) => i));
    for (let f = 0; f < options.flips; f++) x.data[s * P + order[f]] *= -1;
  }
  return { x, y, stored: stored! };
}

// --- the job -----------------------------------------------------------------------

export interface RnnTaskOptions {
  task: RnnTask;
  /** the text for --task text (the CLI reads the file) and its name for the report */
  text?: string;
  source?: string;
  hidden?: number;
  epochs?: number;
  learningRate?: number;
  batchSize?: number;
  seed?: number;
  backend?: BackendName;
  /** sequence length (sine, parity, text) */
  steps?: number;
  truncate?: number;
  clipNorm?: number;
  /** text: characters to sample after training */
  generate?: number;
  temperature?: number;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  onBatchEnd?: (batch: number, batches: number, epoch: number) => void;
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
}

/** What `train-rnn --json` prints: like `train`'s report, with the task's own measure. */
export interface RnnTaskReport {
  task: RnnTask;
  backend: BackendName;
  network: string;
  trainSequences: number;
  testSequences: number;
  epochs: number;
  history: RecurrentHistory | FixedPointHistory;
  train: Record<string, number>;
  test: Record<string, number>;
  /** the task's verdict, measured on the test set (see `criterion`) */
  solved: boolean;
  criterion: string;
  seconds: number;
  source?: string;
  vocabulary?: string[];
  sample?: string;
}

const OPTION_KEYS = ['task', 'text', 'source', 'hidden', 'epochs', 'learningRate', 'batchSize', 'seed', 'backend', 'steps', 'truncate', 'clipNorm', 'generate', 'temperature', 'onEpochEnd', 'onBatchEnd', 'signal', 'onWarning'];

/** Defaults per task: enough to meet its criterion in a few seconds on the simd backend. */
const DEFAULTS: Record<RnnTask, { hidden: number; epochs: number; learningRate: number; batchSize: number; steps: number; clipNorm?: number }> = {
  sine: { hidden: 16, epochs: 300, learningRate: 0.01, batchSize: 16, steps: 32 },
  parity: { hidden: 16, epochs: 60, learningRate: 0.01, batchSize: 16, steps: 16 },
  text: { hidden: 64, epochs: 30, learningRate: 0.005, batchSize: 32, steps: 32, clipNorm: 5 },
  attractor: { hidden: 16, epochs: 60, learningRate: 0.01, batchSize: 16, steps: 0 },
};

/** Trains the task's network and measures it; returns the report and the trained network (for --save). */
export async function runRnnTask(options: RnnTaskOptions): Promise<{ report: RnnTaskReport; network: RecurrentNetwork | FixedPointNetwork }> {
  check(options && typeof options === 'object', 'train-rnn: expected options');
  checkKeys(options, OPTION_KEYS, 'train-rnn');
  const task = oneOf(options.task, RNN_TASKS, 'task');
  const d = DEFAULTS[task];
  const num = (v: unknown, fallback: number, what: string, int: boolean) => {
    if (v === undefined) return fallback;
    check(typeof v === 'number' && Number.isFinite(v) && v > 0 && (!int || Number.isInteger(v)), `train-rnn: ${what} must be a positive ${int ? 'integer' : 'number'}, got ${String(v)}`);
    return v;
  };
  const hidden = num(options.hidden, d.hidden, 'hidden', true), epochs = num(options.epochs, d.epochs, 'epochs', true);
  const learningRate = num(options.learningRate, d.learningRate, 'learning rate', false), batchSize = num(options.batchSize, d.batchSize, 'batch size', true);
  const steps = num(options.steps, d.steps, 'steps', true), seed = options.seed ?? 1;
  check(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff, `train-rnn: seed must be an integer in [0, 2^32), got ${String(seed)}`);
  const clipNorm = options.clipNorm ?? d.clipNorm;
  const fitOptions = { epochs, batchSize, onEpochEnd: options.onEpochEnd, onBatchEnd: options.onBatchEnd, signal: options.signal };
  const common = { optimizer: 'adam' as const, learningRate, seed, backend: options.backend, truncate: options.truncate, clipNorm };
  if (task !== 'text') check(options.text === undefined, `train-rnn: a text is only for --task text, not ${task}`);

  if (task === 'attractor') {
    const bits = 16, patterns = 8, flips = 2;
    const train = attractorTask({ patterns, bits, flips, samples: 320, seed });
    const test = attractorTask({ patterns, bits, flips, samples: 200, seed: seed + 1, stored: train.stored });
    const net = await createFixedPointNetwork({ units: bits + hidden, inputs: bits, outputs: bits, activation: 'tanh', optimizer: 'adam', learningRate, seed, backend: options.backend });
    if (options.onWarning) net.onWarning = options.onWarning;
    const history = await net.fit(train.x, train.y, { ...fitOptions, onWarning: options.onWarning });
    const completed = (x: Matrix, y: Matrix) => {
      const out = net.relax(x).output;
      let ok = 0;
      for (let s = 0; s < x.rows; s++) {
        let all = true;
        for (let j = 0; j < bits; j++) if (Math.sign(out.data[s * bits + j]) !== y.data[s * bits + j]) { all = false; break; }
        if (all) ok++;
      }
      return ok / x.rows;
    };
    const tr = net.evaluate(train.x, train.y), te = net.evaluate(test.x, test.y);
    const completion = completed(test.x, test.y);
    return {
      network: net,
      report: {
        task, backend: net.backend,
        network: `fixed point: ${bits + hidden} units (${bits} in/out + ${hidden} hidden), tanh, Almeida–Pineda (step ${net.spec.stepSize}), adam lr ${learningRate}`,
        trainSequences: train.x.rows, testSequences: test.x.rows, epochs: history.loss.length, history,
        train: { loss: tr.loss, completed: completed(train.x, train.y) },
        test: { loss: te.loss, completed: completion, converged: te.converged && tr.converged ? 1 : 0 },
        solved: completion >= 0.9 && te.converged,
        criterion: `≥ 90% of corrupted test patterns (${patterns} stored patterns of ${bits} ±1 bits, ≥ ${2 * flips + 1} bits apart, ${flips} bits flipped) complete to every bit`,
        seconds: history.seconds,
      },
    };
  }

  let train: SequenceData, test: SequenceData, vocabulary: string[] | undefined, entropy = 0;
  let spec: { inputSize: number; outputSize: number; output: 'linear' | 'sigmoid' | 'softmax'; loss: 'mse' | 'binary-cross-entropy' | 'cross-entropy' };
  let criterion: string;
  if (task === 'sine') {
    train = sineTask({ sequences: 64, steps, seed });
    test = sineTask({ sequences: 32, steps, seed: seed + 1000 });
    spec = { inputSize: 1, outputSize: 1, output: 'linear', loss: 'mse' };
    criterion = `test MSE of the next value after ${SINE_WARMUP} steps of warm-up < 0.001 (the wave's variance is 0.26; repeating the last value scores 0.04)`;
  } else if (task === 'parity') {
    train = parityTask({ sequences: 256, steps, seed });
    test = parityTask({ sequences: 200, steps, seed: seed + 1000 });
    spec = { inputSize: 1, outputSize: 1, output: 'sigmoid', loss: 'binary-cross-entropy' };
    criterion = `the parity of all ${steps} bits right for ≥ 95% of test sequences (chance: 50%)`;
  } else {
    check(typeof options.text === 'string' && options.text.length > 0, 'train-rnn: --task text needs a text file');
    const all = textTask(options.text, { steps });
    vocabulary = all.vocabulary;
    check(all.x.length >= 2, `train-rnn: the text is too short: ${all.x.length} sequence of ${steps + 1} characters (at least 2 needed)`);
    const cut = Math.max(1, Math.floor(all.x.length * 0.9));
    train = { x: all.x.slice(0, cut), y: all.y.slice(0, cut) };
    test = { x: all.x.slice(cut), y: all.y.slice(cut) };
    entropy = unigramEntropy(options.text);
    const V = vocabulary.length;
    check(V >= 2, 'train-rnn: the text needs at least 2 different characters');
    spec = { inputSize: V, outputSize: V, output: 'softmax', loss: 'cross-entropy' };
    criterion = `test loss (nats per character) below 80% of the text's unigram entropy, ${entropy.toFixed(3)}`;
  }
  const net = await createRecurrentNetwork({ ...spec, hiddenSize: hidden, activation: 'tanh', ...common });
  if (vocabulary) net.metadata = { vocabulary };
  const history = await net.fit(train.x, train.y, { ...fitOptions, validationData: [test.x, test.y] });
  const tr = net.evaluate(train.x, train.y), te = net.evaluate(test.x, test.y);
  const report: RnnTaskReport = {
    task, backend: net.backend,
    network: `elman ${spec.inputSize}-${hidden}-${spec.outputSize} (tanh, ${spec.output}), loss ${spec.loss}, adam lr ${learningRate}, batch ${batchSize}` +
      `${options.truncate ? `, truncate ${options.truncate}` : ''}${clipNorm ? `, clip ${clipNorm}` : ''}`,
    trainSequences: train.x.length, testSequences: test.x.length, epochs: history.loss.length, history,
    train: { ...tr }, test: { ...te }, solved: false, criterion, seconds: history.seconds,
  };
  if (task === 'sine') {
    // the first steps cannot know the phase: the measure is the MSE once the network has seen WARMUP values
    const afterWarmup = (data: SequenceData) => {
      let s = 0, n = 0;
      net.predict(data.x).forEach((o, i) => {
        const y = (data.y[i] as Matrix).data;
        for (let t = SINE_WARMUP; t < o.rows; t++) { s += (o.data[t] - y[t]) ** 2; n++; }
      });
      return s / n;
    };
    report.train.mseAfterWarmup = afterWarmup(train);
    report.test.mseAfterWarmup = afterWarmup(test);
    report.solved = report.test.mseAfterWarmup < 1e-3;
  }
  if (task === 'parity') {
    const last = (data: SequenceData) => {
      const out = net.predict(data.x);
      return out.filter((o, i) => (o.data[o.rows - 1] >= 0.5 ? 1 : 0) === (data.y[i] as Int32Array)[o.rows - 1]).length / out.length;
    };
    report.train.lastStepAccuracy = last(train);
    report.test.lastStepAccuracy = last(test);
    report.solved = report.test.lastStepAccuracy >= 0.95;
  }
  if (task === 'text') {
    report.train.unigramEntropy = report.test.unigramEntropy = entropy;
    report.solved = te.loss < 0.8 * entropy;
    report.source = options.source;
    report.vocabulary = vocabulary;
    const n = options.generate ?? 0;
    check(Number.isInteger(n) && n >= 0, `train-rnn: generate must be a non-negative integer, got ${String(n)}`);
    if (n > 0) report.sample = generateText(net, vocabulary!, { length: n, seed, temperature: options.temperature, prime: options.text!.slice(0, 1) });
  }
  return { report, network: net };
}

/** The report as the lines the CLI prints without --json. */
export function formatRnnTaskReport(r: RnnTaskReport): string {
  const fmt = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`).join(', ');
  const lines = [
    `task: ${r.task}${r.source ? ` (${r.source})` : ''} (${r.trainSequences} train, ${r.testSequences} test)`,
    `network: ${r.network}, backend ${r.backend}`,
    `epochs: ${r.epochs}`,
    `train: ${fmt(r.train)}`,
    `test:  ${fmt(r.test)}`,
    `${r.solved ? 'solved' : 'not solved'}: ${r.criterion}`,
  ];
  const h = r.history as FixedPointHistory;
  if (h.nonConverged) lines.push(`relaxation: ${h.converged ? 'every batch converged' : `${h.nonConverged.reduce((a, b) => a + b, 0)} batches did not converge (updates skipped)`}, mean ${(h.relaxSteps.reduce((a, b) => a + b, 0) / h.relaxSteps.length).toFixed(1)} forward steps`);
  if (r.sample !== undefined) lines.push(`sample: ${JSON.stringify(r.sample)}`);
  lines.push(`time: ${r.seconds.toFixed(2)} s`);
  return lines.join('\n');
}
