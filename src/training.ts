// What the drivers (src/network.ts, src/recurrent.ts, src/fixedpoint.ts)
// share: the optimizer update over the flat parameter span, divergence
// recovery, the optimizer part of a spec, and input checks. Written against
// the kernel ABI.
import type { Backend, BackendName } from './backends/index.js';
import type { Kernels } from './backends/kernels.js';
import { allFinite, checkFinite } from './data.js';
import { BackpropError, check } from './errors.js';
import { isMatrix, matrix, type Matrix } from './matrix.js';
import type { EpochLogs, History } from './network.js';
import type { ParamSpans } from './recurrent-layout.js';
import { resolveSpec, type NetworkSpec, type ResolvedSpec } from './spec.js';

export type ResolvedOptimizer = ResolvedSpec['optimizer'];

/** The optimizer, learning rate, l2 and seed of a spec, checked by the feed-forward spec's rules. */
export function resolveTraining(spec: Pick<NetworkSpec, 'optimizer' | 'learningRate' | 'l2' | 'seed'>): { optimizer: ResolvedOptimizer; l2: number; seed: number } {
  const r = resolveSpec({ inputSize: 1, layers: [{ units: 1, activation: 'linear' }], loss: 'mse', optimizer: spec.optimizer, learningRate: spec.learningRate, l2: spec.l2, seed: spec.seed });
  return { optimizer: r.optimizer, l2: r.l2, seed: r.seed };
}

export const slotsFor = (o: ResolvedOptimizer): 0 | 1 | 2 => (o.type === 'adam' ? 2 : o.type === 'sgd' ? 0 : 1);

/** Where a driver keeps its parameters and optimizer state in the arena. */
export type OptimizerSpans = Pick<ParamSpans<string>, 'pow' | 'params' | 'paramCount' | 'weightCount' | 'biasCount' | 'grads' | 'm' | 'v'>;

/** One optimizer update of every weight (with l2) and bias (without), from the gradients in the arena.
 *  Returns how many parameters came out NaN or ±Infinity. */
export function updateParams(k: Kernels, be: Backend, L: OptimizerSpans, o: ResolvedOptimizer, l2: number): number {
  const spans: [number, number, number][] = [[0, L.weightCount, l2], [L.weightCount * 4, L.biasCount, 0]];
  if (o.type === 'adam') {
    // β1ᵗ and β2ᵗ as running products in the arena (no host pow: the same bits everywhere)
    const pow = new Float64Array(be.buffer(), L.pow, 2);
    const p1 = (pow[0] *= o.beta1), p2 = (pow[1] *= o.beta2);
    return spans.reduce((bad, [off, n, reg]) =>
      bad + k.adam_update(L.params + off, L.grads + off, L.m + off, L.v + off, n, o.learningRate, o.beta1, o.beta2, o.epsilon, reg, 1 - p1, 1 - p2), 0);
  }
  if (o.type === 'sgd') return spans.reduce((bad, [off, n, reg]) => bad + k.sgd_update(L.params + off, L.grads + off, n, o.learningRate, reg), 0);
  return spans.reduce((bad, [off, n, reg]) =>
    bad + k.momentum_update(L.params + off, L.grads + off, L.m + off, n, o.learningRate, o.momentum, reg, o.nesterov ? 1 : 0), 0);
}

/** Fresh optimizer state: Adam's powers at 1, moments at 0. */
export function resetOptimizer(be: Backend, L: OptimizerSpans): void {
  const bytes = new Uint8Array(be.buffer());
  if (L.m) bytes.fill(0, L.m, L.m + L.paramCount * 4);
  if (L.v) bytes.fill(0, L.v, L.v + L.paramCount * 4);
  new Float64Array(be.buffer(), L.pow, 2).fill(1);
}

export function copyParams(be: Backend, L: Pick<ParamSpans<string>, 'paramCount'>, from: number, to: number): void {
  new Uint8Array(be.buffer()).copyWithin(to, from, from + L.paramCount * 4);
}

export function checkFiniteArray(a: Float32Array, what: string): void {
  if (allFinite(a)) return;
  for (let i = 0; i < a.length; i++)
    if (!Number.isFinite(a[i])) throw new BackpropError(`${what}: value ${i + 1} is ${a[i]}`);
}

/** The batch size of a fit that names none, and the batch capacity a new network reserves. */
export const DEFAULT_BATCH = 32;

export interface FitBasics { epochs: number; batchSize: number | 'full'; shuffle: boolean; onNonFinite: 'throw' | 'stop' }

/** The options every driver's fit takes, checked, with their defaults. */
export function fitBasics(o: { epochs?: number; batchSize?: number | 'full'; shuffle?: boolean; onNonFinite?: 'throw' | 'stop' }): FitBasics {
  const epochs = o.epochs ?? 1;
  check(Number.isInteger(epochs) && epochs >= 1, `fit: epochs must be a positive integer, got ${String(epochs)}`);
  const batchSize = o.batchSize ?? DEFAULT_BATCH;
  check(batchSize === 'full' || (Number.isInteger(batchSize) && batchSize >= 1), `fit: batchSize must be a positive integer or 'full', got ${String(batchSize)}`);
  const shuffle = o.shuffle ?? true;
  check(typeof shuffle === 'boolean', 'fit: shuffle must be true or false');
  const onNonFinite = o.onNonFinite ?? 'throw';
  check(onNonFinite === 'throw' || onNonFinite === 'stop', `fit: onNonFinite must be 'throw' or 'stop', got ${String(onNonFinite)}`);
  return { epochs, batchSize, shuffle, onNonFinite };
}

/** Checks named tensors against [name, length, shape text] and copies each to its arena offset. */
export function setNamedParams<K extends string>(be: Backend, w: Record<K, Float32Array>, shapes: [K, number, string][], offsets: Record<K, number>): void {
  check(w && typeof w === 'object', `setWeights: expected { ${shapes.map(([key]) => key).join(', ')} }`);
  for (const [key, n, shape] of shapes) {
    check(w[key] instanceof Float32Array, `setWeights: ${key} must be a Float32Array`);
    check(w[key].length === n, `setWeights: ${key} has ${w[key].length} values, expected ${shape} = ${n}`);
    checkFiniteArray(w[key], `setWeights: ${key}`);
  }
  for (const [key, n] of shapes) new Float32Array(be.buffer(), offsets[key], n).set(w[key]);
}

/** x checked as a fit's or predict's input: a Matrix of `inputs` columns, at least one row, finite. */
export function checkInputs(x: Matrix, inputs: number, what: string): Matrix {
  check(isMatrix(x), `${what}: x must be a Matrix { rows, cols, data: Float32Array }`);
  check(x.cols === inputs, `${what}: x has ${x.cols} columns, the network has ${inputs} inputs`);
  check(x.rows >= 1, `${what}: x has no rows`);
  checkFinite(x, `${what}: x`);
  return x;
}

/** Targets as an f32 matrix of `n` columns: a Matrix as given (checked), or class labels one-hot
 *  (for n = 1: the label itself), with `lo` where a label is not (the output units' low end). */
export function targetMatrix(y: unknown, rows: number, n: number, what: string, lo = 0): Matrix {
  if (isMatrix(y)) {
    check(y.rows === rows, `${what}: y has ${y.rows} rows, x has ${rows}`);
    check(y.cols === n, `${what}: y has ${y.cols} columns, the network has ${n} outputs`);
    checkFinite(y, `${what}: y`);
    return y;
  }
  check(y instanceof Int32Array, `${what}: y must be an Int32Array of class indices or a Matrix of targets`);
  check(y.length === rows, `${what}: y has ${y.length} labels, x has ${rows} rows`);
  const t = matrix(rows, n), classes = n === 1 ? 2 : n;
  for (let i = 0; i < rows; i++) {
    const c = y[i];
    if (!(c >= 0 && c < classes)) throw new BackpropError(`${what}: label ${c} at row ${i + 1} is out of range for ${n} output unit${n === 1 ? '' : 's'} (expected 0…${classes - 1})`);
    if (n === 1) t.data[i] = c === 1 ? 1 : lo;
    else for (let j = 0; j < n; j++) t.data[i * n + j] = j === c ? 1 : lo;
  }
  return t;
}

export function checkEarlyStopping(es: unknown): void {
  if (es === undefined) return;
  const e = es as { patience: number; minDelta?: number; restoreBest?: boolean };
  check(e && typeof e === 'object', 'fit: earlyStopping must be { patience, minDelta?, restoreBest? }');
  for (const key of Object.keys(e))
    if (!['patience', 'minDelta', 'restoreBest'].includes(key)) throw new BackpropError(`fit: earlyStopping: unknown option '${key}' (expected one of patience, minDelta, restoreBest)`);
  check(Number.isInteger(e.patience) && e.patience >= 0, `fit: earlyStopping.patience must be a non-negative integer, got ${String(e.patience)}`);
  check(e.minDelta === undefined || (Number.isFinite(e.minDelta) && e.minDelta >= 0), 'fit: earlyStopping.minDelta must be a non-negative number');
}

export const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** One turn of the event loop, without the 4 ms that browsers add to nested timeouts:
 *  setImmediate in Node, a MessageChannel message in browsers and workers. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const c = new MessageChannel();
      c.port1.onmessage = () => { c.port1.close(); resolve(); };
      c.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Activation codes of the kernels (src/plan.ts's ACT_CODE). */
export const ACT = { sigmoid: 0, tanh: 1, relu: 2, 'leaky-relu': 3, linear: 4 } as const;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';

/** How often a fit lets timers, signals and the UI run: not on every short epoch. */
const YIELD_MS = 30;
/** due() reads the clock at least this often (ms) once calls come faster than this. */
const CLOCK_MS = 1;

export interface EpochLoopOptions {
  classify: boolean;
  /** the validation loss (and accuracy) after an epoch, when there is validation data */
  validate?: () => { loss: number; accuracy?: number };
  earlyStopping?: { patience: number; minDelta?: number; restoreBest?: boolean };
  signal?: AbortSignal;
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** throws when the network was disposed meanwhile (by a callback, or while the fit yielded) */
  alive(): void;
  /** copy the current parameters aside as the best so far / put the best back */
  keepBest(): void;
  restoreBest(): void;
}

/** The bookkeeping around a fit's epochs, the same for every driver: the history,
 *  validation, the awaited onEpochEnd, the abort signal, early stopping on the
 *  validation loss (or the training loss) with the best weights restored, and
 *  yielding to the event loop. The driver runs the batches in between. */
export class EpochLoop<H extends History> {
  private readonly t0 = now();
  private lastYield = this.t0;
  /** due()'s calls since it last read the clock, how many it lets pass, and when it read it */
  private calls = 0;
  private every = 1;
  private lastClock = this.t0;
  private best = Infinity;
  private bestEpoch = 0;
  private wait = 0;

  constructor(private readonly o: EpochLoopOptions, readonly history: H) {
    if (o.classify) history.accuracy = [];
    if (o.validate) history.valLoss = [];
  }

  /** Records an epoch's training loss (and accuracy); false when the fit must stop (aborted, early-stopped).
   *  A promise only when there is something to wait for (an onEpochEnd that returns one, or a yield
   *  that is due): a short epoch (Iris: a few µs) should not pay a promise and microtask turns. */
  end(epoch: number, loss: number, accuracy?: number): boolean | Promise<boolean> {
    const { o, history } = this;
    const logs: EpochLogs = { epoch, loss };
    history.loss.push(loss);
    if (o.classify) history.accuracy!.push(logs.accuracy = accuracy!);
    if (o.validate) {
      const r = o.validate();
      history.valLoss!.push(logs.valLoss = r.loss);
      if (r.accuracy !== undefined) (history.valAccuracy ??= []).push(logs.valAccuracy = r.accuracy);
    }
    const done: unknown = o.onEpochEnd?.(epoch, logs);
    if (isThenable(done)) return Promise.resolve(done).then(() => this.verdict(epoch, logs));
    return this.verdict(epoch, logs);
  }

  /** Lets timers, messages, signals and the UI run; the network may be gone after. */
  async pause(): Promise<void> {
    await yieldToEventLoop();
    this.lastYield = now();
    this.o.alive();
  }

  /** After an epoch's callback: stop on an abort or early stopping, else go on (yielding first when due). */
  private verdict(epoch: number, logs: EpochLogs): boolean | Promise<boolean> {
    const { o, history } = this;
    o.alive();
    if (o.signal?.aborted) { history.aborted = true; return false; }
    const es = o.earlyStopping;
    if (es) {
      const monitored = o.validate ? logs.valLoss! : logs.loss;
      if (monitored < this.best - (es.minDelta ?? 0)) {
        this.best = monitored; this.bestEpoch = epoch; this.wait = 0;
        if (es.restoreBest ?? true) o.keepBest();
      } else if (++this.wait > es.patience) {
        history.stoppedEarly = true;
        return false;
      }
    }
    if (this.due()) return this.pause().then(() => true);
    return true;
  }

  /** Whether it is time to let timers, messages, signals and the UI run (every YIELD_MS):
   *  checked between epochs, and between the batches of a long epoch, so an abort is seen within one. */
  due(): boolean {
    // The clock costs about 70 ns in Node, a tenth of a short epoch's JavaScript (Iris): it is
    // read on every `every`-th call, `every` set from the last calls' pace to about CLOCK_MS.
    if (++this.calls < this.every) return false;
    const t = now(), pace = (t - this.lastClock) / this.calls;
    this.every = Math.max(1, Math.min(1024, Math.floor(CLOCK_MS / Math.max(pace, 1e-6))));
    this.calls = 0;
    this.lastClock = t;
    return t - this.lastYield > YIELD_MS;
  }


  /** The history of a fit that diverged at (epoch, batch) and stops there. */
  diverged(epoch: number, batch: number): H {
    this.history.diverged = { epoch, batch };
    return this.finish();
  }

  /** The history, with early stopping's verdict; the best weights put back when they are not the last. */
  finish(): H {
    const { o, history } = this;
    const es = o.earlyStopping;
    if (es && !history.diverged) {
      history.bestEpoch = this.bestEpoch;
      history.stoppedEarly ??= false;
      if ((es.restoreBest ?? true) && this.bestEpoch > 0 && this.bestEpoch !== history.loss.length) o.restoreBest();
    }
    history.seconds = (now() - this.t0) / 1000;
    return history;
  }
}

/** What every network is: the owner of one arena on one backend. Views of the
 *  arena are made when used (the buffer changes when the arena grows). */
export abstract class ArenaUser {
  protected be: Backend;
  protected k: Kernels;
  private disposed = false;
  /** A fit runs (it yields between batches): another fit would overwrite its data, a larger arena would move it. */
  private fitRunning = false;

  constructor(backend: Backend, private readonly kind: string) {
    this.be = backend;
    this.k = backend.kernels;
  }

  get backend(): BackendName { return this.be.name; }
  /** Bytes of arena memory in use. */
  get arenaBytes(): number { return this.be.buffer().byteLength; }

  protected f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.be.buffer(), offset, length);
  }

  protected alive(): void {
    if (this.disposed) throw new BackpropError(`this ${this.kind} was disposed`);
  }

  /** Throws `message` while a fit runs. */
  protected idle(message: string): void {
    check(!this.fitRunning, message);
  }

  /** Refuses a second fit on this network while one runs. Call first thing in fit. */
  protected notTraining(): void {
    this.alive();
    this.idle(`fit: this ${this.kind} is already training (a fit is running); await it, or abort it, first`);
  }

  /** Runs a fit's epochs, marked as running. */
  protected async running<T>(epochs: () => Promise<T>): Promise<T> {
    this.fitRunning = true;
    try {
      return await epochs();
    } finally {
      this.fitRunning = false;
    }
  }

  /** The arena grown to hold `layout` (a larger capacity's), refused during a fit (it would move the training data). */
  protected grownTo<T extends { end: number }>(layout: T): T {
    this.idle('this call needs a larger arena than the running fit reserved (it would move the training data); make it after fit');
    check(layout.end <= 2 ** 32, `the ${this.kind} needs ${layout.end} bytes of arena, more than WebAssembly's 4 GiB`);
    this.be.ensure(layout.end);
    return layout;
  }

  /** Drops the arena; the network cannot be used afterwards. */
  dispose(): void {
    this.disposed = true;
    this.be = undefined as unknown as Backend;
    this.k = undefined as unknown as Kernels;
  }
}
