// The Elman (simple recurrent) network, trained by backpropagation through
// time: "the output of the previous time step is used as input for the
// current time step". h_t = f(x_t·Wxh + h_{t−1}·Whh + bh), ŷ_t = g(h_t·Why + by),
// h_0 = 0; the loss is averaged over every step of every sequence.
//
// Written once against the kernel ABI, like src/network.ts: the time loops
// live in the kernels (assembly/recurrent.ts: elman_forward, elman_backward),
// so a training step is a fixed dozen kernel calls whatever the sequence
// length — gather, forward over time, output layer, loss, output backward,
// BPTT, clip, update. Sequences of equal length are batched together, time-
// major, so every product runs as a GEMM over the whole batch (and the
// input projection and weight gradients as one GEMM over all steps).
import { ALL_BACKENDS, createBackend, preferredBackend, type Backend, type BackendName } from './backends/index.js';
import type { Kernels } from './backends/kernels.js';
import { isObj, modelObject } from './model.js';
import { decodeFloat32, encodeFloat32 } from './base64.js';
import { checkFinite } from './data.js';
import { BackpropError, check } from './errors.js';
import { isMatrix, matrix, type Matrix } from './matrix.js';
import type { EpochLogs, FitOptions, History } from './network.js';
import {
  ACT, ArenaUser, checkEarlyStopping, checkFiniteArray, copyParams, DEFAULT_BATCH, EpochLoop, fitBasics, resetOptimizer,
  resolveTraining, setNamedParams, slotsFor, updateParams, type ResolvedOptimizer,
} from './training.js';
import { elmanLayout, formatRegions, type ElmanCapacity, type ElmanLayout, type ElmanParam } from './recurrent-layout.js';
import { checkKeys, oneOf, type Loss, type OptimizerSpec, type OptimizerType } from './spec.js';

export type RecurrentActivation = 'tanh' | 'sigmoid' | 'relu';
export type RecurrentOutput = 'linear' | 'softmax' | 'sigmoid';

export interface RecurrentSpec {
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
  /** the hidden units' activation (default tanh) */
  activation?: RecurrentActivation;
  /** the output layer's activation (default: softmax for cross-entropy, sigmoid for binary cross-entropy, else linear) */
  output?: RecurrentOutput;
  /** default: cross-entropy for softmax, binary-cross-entropy for sigmoid, mse for linear */
  loss?: Loss;
  optimizer?: OptimizerType | OptimizerSpec;
  learningRate?: number;
  l2?: number;
  seed?: number;
  backend?: BackendName;
  /** truncated BPTT: errors flow back only within windows of this many steps (the hidden state still
   *  carries across windows); default: full BPTT */
  truncate?: number;
  /** scale the gradient down to this global L2 norm when it is larger */
  clipNorm?: number;
}

export interface ResolvedRecurrentSpec {
  inputSize: number; hiddenSize: number; outputSize: number;
  activation: RecurrentActivation; output: RecurrentOutput; loss: Loss;
  optimizer: ResolvedOptimizer; l2: number; seed: number;
  truncate: number | null; clipNorm: number | null;
}

/** The five parameter tensors, row-major: Wxh inputs × hidden, Whh hidden × hidden, bh, Why hidden × outputs, by. */
export interface RecurrentWeights { wxh: Float32Array; whh: Float32Array; bh: Float32Array; why: Float32Array; by: Float32Array }

/** A sequence's targets: a Matrix of steps × outputs, or an Int32Array of one class per step. */
export type SequenceTargets = Matrix | Int32Array;

/** fit's options of a feed-forward network, over sequences: batchSize counts sequences (batches
 *  hold sequences of one length; default 32), validationData is [sequences, targets]. */
export interface RecurrentFitOptions extends Omit<FitOptions, 'validationData'> {
  validationData?: [Matrix[], SequenceTargets[]];
}

export interface RecurrentHistory extends History {
  /** with clipNorm: how many batches of each epoch had their gradient clipped */
  clipped?: number[];
}

const SPEC_KEYS = ['inputSize', 'hiddenSize', 'outputSize', 'activation', 'output', 'loss', 'optimizer', 'learningRate', 'l2', 'seed', 'backend', 'truncate', 'clipNorm'];
const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationData', 'onEpochEnd', 'onBatchEnd', 'signal', 'earlyStopping', 'onNonFinite'];
const ACTIVATIONS: readonly RecurrentActivation[] = ['tanh', 'sigmoid', 'relu'];
const OUTPUTS: readonly RecurrentOutput[] = ['linear', 'softmax', 'sigmoid'];
const LOSSES: readonly Loss[] = ['mse', 'sse', 'cross-entropy', 'binary-cross-entropy'];
const MAX_PARAMS = 1 << 28;
const isPosInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

export function resolveRecurrentSpec(spec: RecurrentSpec): ResolvedRecurrentSpec {
  const where = 'createRecurrentNetwork';
  check(spec && typeof spec === 'object', `${where}: expected a spec object`);
  checkKeys(spec, SPEC_KEYS, where);
  for (const key of ['inputSize', 'hiddenSize', 'outputSize'] as const)
    check(isPosInt(spec[key]), `${where}: ${key} must be a positive integer, got ${String(spec[key])}`);
  const activation = spec.activation === undefined ? 'tanh' : oneOf(spec.activation, ACTIVATIONS, 'recurrent activation');
  let loss = spec.loss === undefined ? undefined : oneOf(spec.loss, LOSSES, 'loss');
  const output: RecurrentOutput = spec.output === undefined
    ? (loss === 'cross-entropy' ? 'softmax' : loss === 'binary-cross-entropy' ? 'sigmoid' : 'linear')
    : oneOf(spec.output, OUTPUTS, 'output activation');
  loss ??= output === 'softmax' ? 'cross-entropy' : output === 'sigmoid' ? 'binary-cross-entropy' : 'mse';
  if (loss === 'cross-entropy') check(output === 'softmax', `${where}: loss 'cross-entropy' needs output 'softmax', got '${output}'`);
  if (loss === 'binary-cross-entropy') check(output !== 'linear', `${where}: loss 'binary-cross-entropy' needs output 'sigmoid' or 'softmax', got 'linear'`);
  if (output === 'softmax') check(spec.outputSize >= 2, `${where}: a softmax output needs outputSize ≥ 2, got ${spec.outputSize}`);
  const truncate = spec.truncate ?? null;
  check(truncate === null || isPosInt(truncate), `${where}: truncate must be a positive integer (steps), got ${String(truncate)}`);
  const clipNorm = spec.clipNorm ?? null;
  check(clipNorm === null || (typeof clipNorm === 'number' && Number.isFinite(clipNorm) && clipNorm > 0), `${where}: clipNorm must be a positive number, got ${String(clipNorm)}`);
  if (spec.backend !== undefined) oneOf(spec.backend, ALL_BACKENDS, 'backend');
  const { inputSize: I, hiddenSize: H, outputSize: O } = spec;
  check(I * H + H * H + H * O + H + O <= MAX_PARAMS, `${where}: ${I * H + H * H + H * O + H + O} parameters is more than this library handles (${MAX_PARAMS})`);
  return { inputSize: I, hiddenSize: H, outputSize: O, activation, output, loss, ...resolveTraining(spec), truncate, clipNorm };
}

/** Sequence ids sorted by length, their length buckets, and the batches cut from each bucket. */
interface BatchPlan { order: Int32Array; buckets: { start: number; count: number }[]; batches: Int32Array /* [pos, m, steps]… */; maxBatch: number; maxStepRows: number }

function batchPlan(lengths: number[], batchSize: number | 'full'): BatchPlan {
  const order = Int32Array.from(lengths.keys()).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const buckets: { start: number; count: number }[] = [];
  for (let i = 0; i < order.length; i++) {
    if (i === 0 || lengths[order[i]] !== lengths[order[i - 1]]) buckets.push({ start: i, count: 0 });
    buckets[buckets.length - 1].count++;
  }
  const triples: number[] = [];
  let maxBatch = 1, maxStepRows = 1;
  for (const b of buckets) {
    const size = batchSize === 'full' ? b.count : batchSize;
    for (let pos = b.start; pos < b.start + b.count; pos += size) {
      const m = Math.min(size, b.start + b.count - pos);
      triples.push(pos, m, lengths[order[pos]]);
      maxBatch = Math.max(maxBatch, m);
      maxStepRows = Math.max(maxStepRows, m * lengths[order[pos]]);
    }
  }
  return { order, buckets, batches: Int32Array.from(triples), maxBatch, maxStepRows };
}

export class RecurrentNetwork extends ArenaUser {
  readonly spec: ResolvedRecurrentSpec;
  /** Stored in the model file beside the weights (e.g. a text model's vocabulary). */
  metadata: Record<string, unknown> = {};
  private L: ElmanLayout;
  private readonly act: number;
  /** whether the last training step clipped its gradient */
  private clippedLast = false;
  /** fit is running: the arena must not be re-laid out */

  /** Use createRecurrentNetwork / loadRecurrentNetwork. */
  constructor(spec: ResolvedRecurrentSpec, backend: Backend, layout: ElmanLayout) {
    super(backend, 'recurrent network');
    this.spec = spec;
    this.L = layout;
    this.act = ACT[spec.activation];
    new Float64Array(backend.buffer(), layout.pow, 2).fill(1);
  }

  get inputSize(): number { return this.spec.inputSize; }
  get hiddenSize(): number { return this.spec.hiddenSize; }
  get outputSize(): number { return this.spec.outputSize; }
  /** The arena layout as a table (offsets, sizes, shapes). */
  layout(): string { return formatRegions(this.L.regions, this.L.end); }

  // --- the algorithm -------------------------------------------------------------

  /** Forward over T steps of a batch of m sequences in batch.x (time-major), from h0 (0: zeros):
   *  every hidden state, then the output layer over all T·m rows at once. */
  private forward(m: number, T: number, h0: number): void {
    const { k, L } = this, { inputSize: I, hiddenSize: H, outputSize: O } = this.spec, rows = m * T;
    k.elman_forward(L.xb, h0, L.p.wxh, L.p.whh, L.p.bh, L.h, L.work, T, m, I, H, this.act);
    k.gemm_nn_bias(L.h + m * H * 4, L.p.why, L.p.by, L.zo, rows, O, H);
    switch (this.spec.output) {
      case 'linear': k.linear_forward(L.zo, L.ao, rows * O); break;
      case 'sigmoid': k.sigmoid_forward(L.zo, L.ao, rows * O); break;
      case 'softmax': k.softmax_forward(L.zo, L.ao, rows, O);
    }
  }

  /** The loss of the forward pass against batch.y (mean over steps and sequences; 'sse' sums); leaves ∂L/∂z of the outputs. */
  private lossDelta(rows: number): number {
    const { k, L } = this, O = this.spec.outputSize, out = this.spec.output;
    switch (this.spec.loss) {
      case 'cross-entropy': return k.softmax_cross_entropy(L.zo, L.ao, L.yb, L.dzo, rows, O);
      case 'binary-cross-entropy':
        if (out === 'sigmoid') return k.sigmoid_binary_cross_entropy(L.zo, L.ao, L.yb, L.dzo, rows, O);
        break; // with softmax outputs: the unfused form below
    }
    const loss = this.spec.loss === 'mse' ? k.mse_loss(L.ao, L.yb, L.dao, rows, O)
      : this.spec.loss === 'sse' ? k.sse_loss(L.ao, L.yb, L.dao, rows, O)
      : k.binary_cross_entropy(L.ao, L.yb, L.dao, rows, O);
    if (out === 'linear') k.linear_backward(L.ao, L.dao, L.dzo, rows * O);
    else if (out === 'sigmoid') k.sigmoid_backward(L.ao, L.dao, L.dzo, rows * O);
    else k.softmax_backward(L.ao, L.dao, L.dzo, rows, O);
    return loss;
  }

  /** Output layer backward over all steps at once, then BPTT: every gradient. */
  private backward(m: number, T: number): void {
    const { k, L } = this, { inputSize: I, hiddenSize: H, outputSize: O } = this.spec, rows = m * T;
    const hs = L.h + m * H * 4; // h_1 … h_T
    k.gemm_tn(hs, L.dzo, L.g.why, H, O, rows);
    k.col_sum(L.dzo, L.g.by, rows, O);
    k.gemm_nt(L.dzo, L.p.why, L.dh, rows, H, O, L.work);
    k.elman_backward(L.xb, L.h, L.dh, L.p.whh, L.g.wxh, L.g.whh, L.g.bh, L.dz, L.work, T, m, I, H, this.spec.truncate ?? 0, this.act);
  }

  /** One training step on the batch buffers: forward, loss, BPTT, clip, update.
   *  Returns the loss before the update (NaN when a parameter became non-finite); clippedLast says whether it clipped. */
  private trainStep(m: number, T: number): number {
    const { k, L } = this;
    this.forward(m, T, 0);
    const loss = this.lossDelta(m * T);
    this.backward(m, T);
    this.clippedLast = this.spec.clipNorm !== null && k.clip_by_global_norm(L.grads, L.paramCount, this.spec.clipNorm) > this.spec.clipNorm;
    return updateParams(k, this.be, L, this.spec.optimizer, this.spec.l2) ? NaN : loss;
  }

  // --- arena and data ----------------------------------------------------------


  /** Grow the batch and data capacity to at least `need`; parameters never move. */
  private reserve(need: Partial<ElmanCapacity>): void {
    const cap = this.L.capacity;
    const next = { ...cap };
    for (const key of Object.keys(need) as (keyof ElmanCapacity)[]) next[key] = Math.max(cap[key], need[key]!);
    if ((Object.keys(next) as (keyof ElmanCapacity)[]).every((key) => next[key] === cap[key])) return;
    this.L = this.grownTo(elmanLayout({ inputs: this.inputSize, hidden: this.hiddenSize, outputs: this.outputSize }, slotsFor(this.spec.optimizer), next));
  }


  private sequencesOf(seqs: unknown, what: string): Matrix[] {
    const I = this.inputSize;
    check(Array.isArray(seqs) && seqs.length > 0, `${what}: sequences must be a non-empty array of matrices (steps × ${I})`);
    seqs.forEach((s, i) => {
      check(isMatrix(s), `${what}: sequence ${i + 1} must be a Matrix { rows, cols, data: Float32Array } (steps × ${I})`);
      check(s.rows >= 1, `${what}: sequence ${i + 1} is empty (0 steps)`);
      check(s.cols === I, `${what}: sequence ${i + 1} has ${s.cols} columns, the network has ${I} inputs`);
      checkFinite(s, `${what}: sequence ${i + 1}`, 'step');
    });
    return seqs as Matrix[];
  }

  /** Each sequence's targets as steps × outputs f32 (classes one-hot; one output unit: the class itself). */
  private targetsOf(ys: unknown, seqs: Matrix[], what: string): { y: Float32Array[]; classify: boolean } {
    const O = this.outputSize;
    check(Array.isArray(ys), `${what}: targets must be an array: a Matrix (steps × ${O}) or an Int32Array (a class per step) for each sequence`);
    check(ys.length === seqs.length, `${what}: ${ys.length} targets for ${seqs.length} sequences`);
    const classify = ys[0] instanceof Int32Array;
    const classes = O === 1 ? 2 : O;
    const y = ys.map((t, i) => {
      const T = seqs[i].rows;
      if (classify) {
        check(t instanceof Int32Array, `${what}: targets ${i + 1} must be an Int32Array like targets 1 (classes and matrices cannot be mixed)`);
        check(t.length === T, `${what}: targets ${i + 1} has ${t.length} steps, sequence ${i + 1} has ${T}`);
        const out = new Float32Array(T * O);
        for (let s = 0; s < T; s++) {
          const c = t[s];
          if (!(c >= 0 && c < classes)) throw new BackpropError(`${what}: label ${c} at sequence ${i + 1}, step ${s + 1} is out of range for ${O} output unit${O === 1 ? '' : 's'} (expected 0…${classes - 1})`);
          if (O === 1) out[s] = c; else out[s * O + c] = 1;
        }
        return out;
      }
      check(isMatrix(t), `${what}: targets ${i + 1} must be a Matrix (steps × ${O}) or an Int32Array of classes`);
      check(t.rows === T, `${what}: targets ${i + 1} has ${t.rows} steps, sequence ${i + 1} has ${T}`);
      check(t.cols === O, `${what}: targets ${i + 1} has ${t.cols} columns, the network has ${O} outputs`);
      checkFinite(t, `${what}: targets ${i + 1}`, 'step');
      return t.data;
    });
    return { y, classify };
  }

  /** Writes steps t0 … t0 + T − 1 of sequences ids[0..m) time-major into the batch buffers. */
  private loadBatch(seqs: Matrix[], ys: Float32Array[] | null, ids: number[], T: number, t0 = 0): void {
    const I = this.inputSize, O = this.outputSize, m = ids.length;
    const xb = this.f32(this.L.xb, T * m * I), yb = ys ? this.f32(this.L.yb, T * m * O) : null;
    ids.forEach((id, b) => {
      for (let t = 0; t < T; t++) {
        const s = t0 + t;
        xb.set(seqs[id].data.subarray(s * I, (s + 1) * I), (t * m + b) * I);
        if (yb) yb.set(ys![id].subarray(s * O, (s + 1) * O), (t * m + b) * O);
      }
    });
  }

  /** The forward pass over every sequence, grouped by length, in chunks and time windows that fit the batch
   *  buffers as they are (inference never grows the arena): the hidden state carries from one window to
   *  the next. `visit` sees each window of w steps from step t0. `state`: the initial state of a single sequence. */
  private forEachWindow(seqs: Matrix[], ys: Float32Array[] | null, visit: (ids: number[], t0: number, w: number) => void, state?: Float32Array): void {
    const groups = new Map<number, number[]>();
    seqs.forEach((s, i) => { const g = groups.get(s.rows); if (g) g.push(i); else groups.set(s.rows, [i]); });
    const { L } = this, H = this.hiddenSize, cap = L.capacity;
    for (const [T, ids] of groups) {
      const m = Math.max(1, Math.min(cap.batch, Math.floor(cap.stepRows / T))); // sequences per chunk
      const W = Math.min(T, Math.floor(cap.stepRows / m)); // steps per window
      for (let start = 0; start < ids.length; start += m) {
        const chunk = ids.slice(start, start + m), n = chunk.length;
        if (state) this.f32(L.state, H).set(state);
        for (let t0 = 0; t0 < T; t0 += W) {
          const w = Math.min(W, T - t0);
          this.loadBatch(seqs, ys, chunk, w, t0);
          this.forward(n, w, t0 > 0 || state ? L.state : 0);
          if (t0 + w < T) new Uint8Array(this.be.buffer()).copyWithin(L.state, L.h + w * n * H * 4, L.h + (w + 1) * n * H * 4);
          visit(chunk, t0, w);
        }
      }
    }
  }

  private equalLengths(seqs: Matrix[], what: string): number {
    const T = seqs[0].rows;
    seqs.forEach((s, i) => check(s.rows === T, `${what}: the sequences of one batch must have equal lengths (sequence ${i + 1} has ${s.rows} steps, sequence 1 has ${T})`));
    return T;
  }

  // --- public API ----------------------------------------------------------------

  async fit(sequences: Matrix[], targets: SequenceTargets[], options: RecurrentFitOptions = {}): Promise<RecurrentHistory> {
    this.notTraining();
    check(options && typeof options === 'object', 'fit: options must be an object');
    checkKeys(options, FIT_KEYS, 'fit');
    const seqs = this.sequencesOf(sequences, 'fit');
    const { y: ys, classify } = this.targetsOf(targets, seqs, 'fit');
    const { epochs, batchSize: bs, shuffle, onNonFinite } = fitBasics(options);
    const es = options.earlyStopping;
    checkEarlyStopping(es);
    let val: [Matrix[], SequenceTargets[]] | undefined;
    if (options.validationData !== undefined) {
      const v = options.validationData;
      check(Array.isArray(v) && v.length === 2, 'fit: validationData must be [sequences, targets]');
      this.targetsOf(v[1], this.sequencesOf(v[0], 'fit: validationData'), 'fit: validationData');
      val = v;
    }

    // Size the arena once; from here on training allocates nothing in it (validation runs in windows that fit).
    const lengths = seqs.map((s) => s.rows);
    const plan = batchPlan(lengths, bs);
    const rows = lengths.reduce((a, b) => a + b, 0), nb = plan.batches.length / 3;
    this.reserve({ batch: plan.maxBatch, stepRows: plan.maxStepRows, rows, sequences: seqs.length, batches: nb });
    const L = this.L, I = this.inputSize, O = this.outputSize;
    const starts = new Int32Array(this.be.buffer(), L.starts, seqs.length);
    let row = 0;
    seqs.forEach((s, i) => {
      starts[i] = row;
      this.f32(L.x + row * I * 4, s.rows * I).set(s.data);
      this.f32(L.y + row * O * 4, s.rows * O).set(ys[i]);
      row += s.rows;
    });
    new Int32Array(this.be.buffer(), L.order, seqs.length).set(plan.order);
    const batchOrder = new Int32Array(this.be.buffer(), L.batches, nb);
    for (let i = 0; i < nb; i++) batchOrder[i] = i;

    return this.running(() => this.trainEpochs(seqs, plan, classify, epochs, shuffle, onNonFinite, val, options));
  }

  private async trainEpochs(seqs: Matrix[], plan: BatchPlan, classify: boolean, epochs: number, shuffle: boolean,
    onNonFinite: 'throw' | 'stop', val: [Matrix[], SequenceTargets[]] | undefined, options: RecurrentFitOptions): Promise<RecurrentHistory> {
    const L = this.L, k = this.k, I = this.inputSize, O = this.outputSize, nb = plan.batches.length / 3;
    const es = options.earlyStopping;
    const order = new Int32Array(this.be.buffer(), L.order, seqs.length);
    const batchOrder = new Int32Array(this.be.buffer(), L.batches, nb);
    const sum = this.spec.loss === 'sse';
    const loop = new EpochLoop<RecurrentHistory>({
      classify, earlyStopping: es, signal: options.signal, onEpochEnd: options.onEpochEnd,
      validate: val ? () => this.evaluate(val[0], val[1]) : undefined,
      alive: () => this.alive(),
      keepBest: () => copyParams(this.be, L, L.params, L.best), restoreBest: () => copyParams(this.be, L, L.best, L.params),
    }, { loss: [], seconds: 0, ...(this.spec.clipNorm !== null ? { clipped: [] } : {}) });
    const history = loop.history;

    for (let epoch = 1; epoch <= epochs; epoch++) {
      // Each epoch's order is drawn from the arena's generator: sequences shuffled within each
      // length, then the batches shuffled, so a second fit continues the same stream of orders.
      if (shuffle) {
        order.set(plan.order);
        for (const b of plan.buckets) if (b.count > 1) k.rng_shuffle(L.rng, L.order + b.start * 4, b.count);
        for (let i = 0; i < nb; i++) batchOrder[i] = i;
        k.rng_shuffle(L.rng, L.batches, nb);
      }
      copyParams(this.be, L, L.params, L.safe);
      let total = 0, correct = 0, seen = 0, clipped = 0;
      for (let b = 0; b < nb; b++) {
        const id = batchOrder[b] * 3, pos = plan.batches[id], m = plan.batches[id + 1], T = plan.batches[id + 2];
        k.gather_steps(L.x, L.starts, L.order + pos * 4, L.xb, m, T, I);
        k.gather_steps(L.y, L.starts, L.order + pos * 4, L.yb, m, T, O);
        const loss = this.trainStep(m, T);
        if (!Number.isFinite(loss)) {
          this.recover();
          if (onNonFinite === 'stop') return loop.diverged(epoch, b + 1);
          throw new BackpropError(`training diverged at epoch ${epoch}, batch ${b + 1}: the loss or a weight became NaN or infinite (the weights from the start of epoch ${epoch} are restored); try a lower learning rate than ${this.spec.optimizer.learningRate}${this.spec.clipNorm === null ? ' or clipNorm' : ''}`);
        }
        total += sum ? loss : loss * m * T;
        if (classify) correct += k.count_correct(L.ao, L.yb, m * T, O);
        if (this.clippedLast) clipped++;
        seen += m * T;
        options.onBatchEnd?.(b, nb, epoch);
        if (options.signal?.aborted) break;
      }
      history.clipped?.push(clipped);
      if (!(await loop.end(epoch, sum ? total : total / seen, correct / seen))) break;
    }
    return loop.finish();
  }

  /** After a non-finite step: the epoch's starting weights back, the optimizer's state reset (it holds NaN too). */
  private recover(): void {
    copyParams(this.be, this.L, this.L.safe, this.L.params);
    resetOptimizer(this.be, this.L);
  }

  /** One training step on exactly these sequences (equal lengths); returns the loss before the step. */
  trainBatch(sequences: Matrix[], targets: SequenceTargets[]): number {
    this.alive();
    const seqs = this.sequencesOf(sequences, 'trainBatch');
    const { y } = this.targetsOf(targets, seqs, 'trainBatch');
    const T = this.equalLengths(seqs, 'trainBatch');
    this.reserve({ batch: seqs.length, stepRows: seqs.length * T });
    this.loadBatch(seqs, y, seqs.map((_, i) => i), T);
    return this.trainStep(seqs.length, T);
  }

  /** The gradient of the loss over these sequences (equal lengths) by BPTT (truncated as the spec says),
   *  before clipping, without changing any weight; with the loss and the gradient's global norm. */
  gradients(sequences: Matrix[], targets: SequenceTargets[]): RecurrentWeights & { loss: number; norm: number } {
    this.alive();
    const seqs = this.sequencesOf(sequences, 'gradients');
    const { y } = this.targetsOf(targets, seqs, 'gradients');
    const T = this.equalLengths(seqs, 'gradients'), m = seqs.length;
    this.reserve({ batch: m, stepRows: m * T });
    this.loadBatch(seqs, y, seqs.map((_, i) => i), T);
    this.forward(m, T, 0);
    const loss = this.lossDelta(m * T);
    this.backward(m, T);
    const g = this.tensors(this.L.g);
    let s = 0;
    for (const t of Object.values(g)) for (const v of t) s += v * v;
    return { ...g, loss, norm: Math.sqrt(s) };
  }

  /** The outputs (steps × outputs) of one sequence, or of each of several. */
  predict(sequence: Matrix): Matrix;
  predict(sequences: Matrix[]): Matrix[];
  predict(input: Matrix | Matrix[]): Matrix | Matrix[] {
    this.alive();
    const one = !Array.isArray(input);
    const seqs = this.sequencesOf(one ? [input] : input, 'predict');
    const O = this.outputSize;
    const outs = seqs.map((s) => matrix(s.rows, O));
    this.forEachWindow(seqs, null, (ids, t0, w) => this.collect(outs, ids, t0, w));
    return one ? outs[0] : outs;
  }

  /** Copies the outputs of a window of w steps from step t0 (time-major) into each sequence's matrix. */
  private collect(outs: Matrix[], ids: number[], t0: number, w: number): void {
    const O = this.outputSize, m = ids.length, ao = this.f32(this.L.ao, w * m * O);
    ids.forEach((id, b) => { for (let t = 0; t < w; t++) outs[id].data.set(ao.subarray((t * m + b) * O, (t * m + b + 1) * O), (t0 + t) * O); });
  }

  /** One sequence from a given hidden state (default zeros): its outputs and the hidden state after its
   *  last step — feed that back in to continue the sequence (e.g. to generate text one step at a time). */
  run(sequence: Matrix, state?: Float32Array): { output: Matrix; state: Float32Array } {
    this.alive();
    const [seq] = this.sequencesOf([sequence], 'run');
    const H = this.hiddenSize, T = seq.rows;
    if (state !== undefined) {
      check(state instanceof Float32Array && state.length === H, `run: state must be a Float32Array of ${H} values (the hidden size)`);
      checkFiniteArray(state, 'run: state');
    }
    const output = matrix(T, this.outputSize);
    let last = 0;
    this.forEachWindow([seq], null, (ids, t0, w) => { this.collect([output], ids, t0, w); last = w; }, state);
    return { output, state: this.f32(this.L.h + last * H * 4, H).slice() };
  }

  /** Loss (mean over every step of every sequence; 'sse' sums) and, for class targets, per-step accuracy. */
  evaluate(sequences: Matrix[], targets: SequenceTargets[]): { loss: number; accuracy?: number } {
    this.alive();
    const seqs = this.sequencesOf(sequences, 'evaluate');
    const { y, classify } = this.targetsOf(targets, seqs, 'evaluate');
    let total = 0, correct = 0, steps = 0;
    const sum = this.spec.loss === 'sse';
    this.forEachWindow(seqs, y, (ids, _t0, w) => {
      const rows = ids.length * w;
      const loss = this.lossDelta(rows);
      total += sum ? loss : loss * rows;
      correct += this.k.count_correct(this.L.ao, this.L.yb, rows, this.outputSize);
      steps += rows;
    });
    const loss = sum ? total : total / steps;
    return classify ? { loss, accuracy: correct / steps } : { loss };
  }

  private tensors(at: Record<ElmanParam, number>): RecurrentWeights {
    const { inputSize: I, hiddenSize: H, outputSize: O } = this.spec;
    return {
      wxh: this.f32(at.wxh, I * H).slice(), whh: this.f32(at.whh, H * H).slice(), bh: this.f32(at.bh, H).slice(),
      why: this.f32(at.why, H * O).slice(), by: this.f32(at.by, O).slice(),
    };
  }

  getWeights(): RecurrentWeights {
    this.alive();
    return this.tensors(this.L.p);
  }

  setWeights(w: RecurrentWeights): void {
    this.alive();
    const { inputSize: I, hiddenSize: H, outputSize: O } = this.spec;
    const shapes: [ElmanParam, number, string][] = [['wxh', I * H, `${I}×${H}`], ['whh', H * H, `${H}×${H}`], ['bh', H, `${H}`], ['why', H * O, `${H}×${O}`], ['by', O, `${O}`]];
    setNamedParams(this.be, w, shapes, this.L.p);
  }


  /** Internal: initialise the parameters from the seed (Glorot uniform weights, zero biases). */
  initialize(): void {
    const { k, L } = this, { inputSize: I, hiddenSize: H, outputSize: O } = this.spec;
    k.rng_seed(L.rng, this.spec.seed);
    const glorot = (at: number, fanIn: number, fanOut: number) => {
      const lim = Math.sqrt(6 / (fanIn + fanOut));
      k.rng_uniform(L.rng, at, fanIn * fanOut, -lim, lim);
    };
    glorot(L.p.wxh, I, H);
    glorot(L.p.whh, H, H); // variance 1/H: spectral radius near 1
    glorot(L.p.why, H, O);
    this.f32(L.p.bh, H).fill(0);
    this.f32(L.p.by, O).fill(0);
  }

  /** The model file's content: `JSON.stringify(net.toJSON())`; loadRecurrentNetwork reads it back. */
  toJSON(): RecurrentModelJSON {
    this.alive();
    const w = this.getWeights(), s = this.spec;
    return {
      format: 'backprop-wasm', version: 1, kind: 'elman',
      inputSize: s.inputSize, hiddenSize: s.hiddenSize, outputSize: s.outputSize,
      activation: s.activation, output: s.output, loss: s.loss, optimizer: { ...s.optimizer }, l2: s.l2, seed: s.seed,
      truncate: s.truncate, clipNorm: s.clipNorm,
      weights: { wxh: encodeFloat32(w.wxh), whh: encodeFloat32(w.whh), bh: encodeFloat32(w.bh), why: encodeFloat32(w.why), by: encodeFloat32(w.by) },
      ...structuredClone(this.metadata),
    };
  }
}

export interface RecurrentModelJSON {
  format: 'backprop-wasm'; version: 1; kind: 'elman';
  inputSize: number; hiddenSize: number; outputSize: number;
  activation: string; output: string; loss: string; optimizer: Record<string, unknown>; l2: number; seed: number;
  truncate: number | null; clipNorm: number | null;
  weights: Record<ElmanParam, string>;
  [extra: string]: unknown;
}

export async function createRecurrentNetwork(spec: RecurrentSpec): Promise<RecurrentNetwork> {
  const resolved = resolveRecurrentSpec(spec);
  const name = preferredBackend(spec.backend);
  const layout = elmanLayout({ inputs: resolved.inputSize, hidden: resolved.hiddenSize, outputs: resolved.outputSize },
    slotsFor(resolved.optimizer), { batch: DEFAULT_BATCH, stepRows: DEFAULT_BATCH, rows: 0, sequences: 0, batches: 0 });
  check(layout.end <= 2 ** 32, `createRecurrentNetwork: the network needs ${layout.end} bytes of arena, more than WebAssembly's 4 GiB`);
  const net = new RecurrentNetwork(resolved, await createBackend(name, layout.end), layout);
  net.initialize();
  return net;
}

const KNOWN = new Set(['format', 'version', 'kind', 'inputSize', 'hiddenSize', 'outputSize', 'activation', 'output', 'loss', 'optimizer', 'l2', 'seed', 'truncate', 'clipNorm', 'weights']);

/** A recurrent network from `toJSON()`'s object or its JSON text; every field is checked before anything is allocated. */
export async function loadRecurrentNetwork(json: string | object, options: { backend?: BackendName } = {}): Promise<RecurrentNetwork> {
  const m = modelObject(json);
  check(m.kind === 'elman', `model: not a recurrent (Elman) model (kind is ${JSON.stringify(m.kind) ?? 'missing'}; feed-forward models load with loadNetwork)`);
  check(isObj(m.optimizer), 'model: optimizer must be an object');
  const spec = resolveRecurrentSpec({
    inputSize: m.inputSize, hiddenSize: m.hiddenSize, outputSize: m.outputSize, activation: m.activation, output: m.output,
    loss: m.loss, optimizer: m.optimizer, l2: m.l2, seed: m.seed, truncate: m.truncate ?? undefined, clipNorm: m.clipNorm ?? undefined,
  } as unknown as RecurrentSpec);
  const { inputSize: I, hiddenSize: H, outputSize: O } = spec;
  check(isObj(m.weights), 'model: weights must be { wxh, whh, bh, why, by }');
  const wj = m.weights;
  const weights: RecurrentWeights = {
    wxh: decodeFloat32(wj.wxh, I * H, 'model: weights.wxh'), whh: decodeFloat32(wj.whh, H * H, 'model: weights.whh'),
    bh: decodeFloat32(wj.bh, H, 'model: weights.bh'), why: decodeFloat32(wj.why, H * O, 'model: weights.why'),
    by: decodeFloat32(wj.by, O, 'model: weights.by'),
  };
  const net = await createRecurrentNetwork({ ...(spec as unknown as RecurrentSpec), truncate: spec.truncate ?? undefined, clipNorm: spec.clipNorm ?? undefined, backend: options.backend });
  net.setWeights(weights);
  for (const key of Object.keys(m)) if (!KNOWN.has(key)) net.metadata[key] = m[key];
  return net;
}
