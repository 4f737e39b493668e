// The network driver: the article's algorithm — forward, loss, backward,
// update — written once against the kernel ABI, so the simd, scalar and ts
// backends differ only in their kernels. All state lives in the arena at
// offsets from src/layout.ts; a training step passes numbers, not arrays.
import { createBackend, preferredBackend, type Backend, type BackendName } from './backends/index.js';
import type { Kernels } from './backends/kernels.js';
import { BackpropError, check } from './errors.js';
import { computeLayout, formatLayout, type Capacity, type LayerPlan, type Layout } from './layout.js';
import { matrix, type Matrix } from './matrix.js';
import { modelToJSON, type ModelJSON } from './model.js';
import { PLAN, writePlan } from './plan.js';
import {
  ArenaUser, checkEarlyStopping, checkFiniteArray, checkInputs, copyParams, DEFAULT_BATCH, EpochLoop, fitBasics, resetOptimizer, slotsFor, targetMatrix, updateParams,
  type OptimizerSpans,
} from './training.js';
import { availableThreads, CTRL, MAX_THREADS, startPool, type ThreadPool } from './threads.js';
import { layerInit, resolveSpec, checkKeys, type Activation, type NetworkSpec, type ResolvedSpec } from './spec.js';

export interface EpochLogs { epoch: number; loss: number; accuracy?: number; valLoss?: number; valAccuracy?: number }

export interface FitOptions {
  epochs?: number;
  batchSize?: number | 'full';
  shuffle?: boolean;
  validationData?: [Matrix, Int32Array | Matrix];
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  /** called after every batch with (batch index in epoch, batches per epoch); keep it cheap */
  onBatchEnd?: (batch: number, batches: number, epoch: number) => void;
  signal?: AbortSignal;
  earlyStopping?: { patience: number; minDelta?: number; restoreBest?: boolean };
  /** when a loss or a weight becomes NaN/±Infinity: reject with a BackpropError (default), or
   *  resolve with `history.diverged`; either way the weights of the epoch's start are restored */
  onNonFinite?: 'throw' | 'stop';
}

export interface History {
  loss: number[];
  accuracy?: number[];
  valLoss?: number[];
  valAccuracy?: number[];
  seconds: number;
  aborted?: boolean;
  /** with early stopping: the epoch (1-based) whose weights were kept, and whether training stopped before `epochs` */
  bestEpoch?: number;
  stoppedEarly?: boolean;
  /** where training diverged (1-based epoch and batch), with onNonFinite: 'stop' */
  diverged?: { epoch: number; batch: number };
}

export interface LayerWeights { weights: Float32Array; bias: Float32Array }

/** What the CLI stores beside the weights: enough to predict from raw CSV rows. */
export interface ModelMetadata {
  featureNames?: string[];
  classNames?: string[];
  standardizer?: { mean: number[]; std: number[] };
  [key: string]: unknown;
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationData', 'onEpochEnd', 'onBatchEnd', 'signal', 'earlyStopping', 'onNonFinite'];

type Fwd = (z: number, a: number, m: number, n: number) => void;
type Bwd = (a: number, da: number, dz: number, m: number, n: number) => void;

function activationKernels(k: Kernels, act: Activation): [Fwd, Bwd] {
  switch (act) {
    case 'sigmoid': return [(z, a, m, n) => k.sigmoid_forward(z, a, m * n), (a, da, dz, m, n) => k.sigmoid_backward(a, da, dz, m * n)];
    case 'tanh': return [(z, a, m, n) => k.tanh_forward(z, a, m * n), (a, da, dz, m, n) => k.tanh_backward(a, da, dz, m * n)];
    case 'relu': return [(z, a, m, n) => k.relu_forward(z, a, m * n), (a, da, dz, m, n) => k.relu_backward(a, da, dz, m * n)];
    case 'leaky-relu': return [(z, a, m, n) => k.leaky_relu_forward(z, a, m * n), (a, da, dz, m, n) => k.leaky_relu_backward(a, da, dz, m * n)];
    case 'linear': return [(z, a, m, n) => k.linear_forward(z, a, m * n), (a, da, dz, m, n) => k.linear_backward(a, da, dz, m * n)];
    case 'softmax': return [(z, a, m, n) => k.softmax_forward(z, a, m, n), (a, da, dz, m, n) => k.softmax_backward(a, da, dz, m, n)];
  }
}

/** Returns the loss and leaves dZ of the last layer in `last.dz`. */
type LossStep = (last: LayerPlan, yb: number, m: number) => number;

function lossKernel(k: Kernels, spec: ResolvedSpec, bwd: Bwd): LossStep {
  const out = spec.layers[spec.layers.length - 1].activation;
  // Fused forms: the gradient with respect to z is (a − y)·scale, stable and cheap.
  if (spec.loss === 'cross-entropy') return (l, y, m) => k.softmax_cross_entropy(l.z, l.a, y, l.dz, m, l.units);
  if (spec.loss === 'binary-cross-entropy' && out === 'sigmoid')
    return (l, y, m) => k.sigmoid_binary_cross_entropy(l.z, l.a, y, l.dz, m, l.units);
  const name = spec.loss === 'mse' ? 'mse_loss' : spec.loss === 'sse' ? 'sse_loss' : 'binary_cross_entropy';
  return (l, y, m) => {
    const loss = k[name](l.a, y, l.da, m, l.units);
    bwd(l.a, l.da, l.dz, m, l.units);
    return loss;
  };
}

/** 'sse' sums over the batch; every other loss is a mean over it. */
const lossIsSum = (spec: ResolvedSpec) => spec.loss === 'sse';

export class Network extends ArenaUser {
  readonly spec: ResolvedSpec;
  metadata: ModelMetadata = {};
  private plan: Layout;
  private fwd: Fwd[];
  private bwd: Bwd[];
  private lossStep: LossStep;
  /** one call per training step (the WASM backends), or the kernels called one by one from here */
  private fused: boolean;
  /** the other threads of a multi-threaded network (its step runs on all of them) */
  private pool: ThreadPool | null = null;

  /** Use createNetwork / loadNetwork. */
  constructor(spec: ResolvedSpec, backend: Backend, layout: Layout) {
    super(backend, 'network');
    this.spec = spec;
    this.plan = layout;
    const pairs = spec.layers.map((l) => activationKernels(this.k, l.activation));
    this.fwd = pairs.map((p) => p[0]);
    this.bwd = pairs.map((p) => p[1]);
    this.lossStep = lossKernel(this.k, spec, this.bwd[this.bwd.length - 1]);
    this.fused = typeof this.k.train_step === 'function';
    writePlan(backend.buffer(), layout, spec, true);
  }

  /** Threads a training step runs on. */
  get threads(): number { return this.pool?.size ?? 1; }
  get inputSize(): number { return this.spec.inputSize; }
  get outputSize(): number { return this.plan.outputSize; }

  /** The arena layout as a table (offsets, sizes, shapes). */
  layout(): string { return formatLayout(this.plan); }

  // --- the algorithm ---------------------------------------------------------

  /** Forward pass over the first m rows of the batch buffer. */
  private forward(m: number): void {
    let input = this.plan.xb;
    this.plan.layers.forEach((l, i) => {
      this.k.gemm_nn_bias(input, l.w, l.b, l.z, m, l.units, l.inputs);
      this.fwd[i](l.z, l.a, m, l.units);
      input = l.a;
    });
  }

  /** Backward pass: dZ of the last layer is set; fills every gradient. */
  private backward(m: number): void {
    const layers = this.plan.layers;
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i];
      const input = i > 0 ? layers[i - 1].a : this.plan.xb;
      this.k.gemm_tn(input, l.dz, l.gw, l.inputs, l.units, m);
      this.k.col_sum(l.dz, l.gb, m, l.units);
      if (i > 0) {
        const p = layers[i - 1];
        this.k.gemm_nt(l.dz, l.w, p.da, m, p.units, l.units, this.plan.scratch);
        this.bwd[i - 1](p.a, p.da, p.dz, m, p.units);
      }
    }
  }

  /** One optimizer update of every weight (with L2) and bias (without); how many came out non-finite. */
  private update(): number {
    return updateParams(this.k, this.be, this.spans(), this.spec.optimizer, this.spec.l2);
  }

  /** The parameter spans and optimizer state, for the shared update (Adam's β1ᵗ, β2ᵗ live in the plan). */
  private spans(): OptimizerSpans {
    return { ...this.plan, pow: this.plan.plan + PLAN.beta1Pow };
  }

  /** One step on rows idx[0..m) of the data set (idx = 0: on the batch buffers as they are):
   *  forward, loss, backward, update. Returns the loss before the update. */
  private trainStep(idx: number, m: number): number {
    if (this.pool) return this.k.train_step_mt!(this.plan.plan, this.plan.ctrl, idx, m);
    if (this.fused) return this.k.train_step!(this.plan.plan, idx, m);
    if (idx) {
      this.k.gather_rows(this.plan.x, idx, this.plan.xb, m, this.inputSize);
      this.k.gather_rows(this.plan.y, idx, this.plan.yb, m, this.outputSize);
    }
    this.forward(m);
    const loss = this.lossStep(this.plan.layers[this.plan.layers.length - 1], this.plan.yb, m);
    this.backward(m);
    return this.update() ? NaN : loss;
  }

  // --- arena management ------------------------------------------------------


  /** Make room for a batch of `batch` rows and a data set of `rows` rows; params never move. */
  private reserve(batch: number, rows: number): void {
    const cap = this.plan.capacity;
    if (batch <= cap.batch && rows <= cap.rows) return;
    const next: Capacity = { batch: Math.max(batch, cap.batch), rows: Math.max(rows, cap.rows) };
    this.plan = this.grownTo(computeLayout(this.plan.layers, slotsFor(this.spec.optimizer), next, this.plan.threads));
    writePlan(this.be.buffer(), this.plan, this.spec, false);
  }


  /** Targets as an f32 matrix with one column per output unit. */
  private targets(y: Int32Array | Matrix, rows: number, what: string): Matrix {
    return targetMatrix(y, rows, this.outputSize, what);
  }

  private inputs(x: Matrix, what: string): void {
    checkInputs(x, this.inputSize, what);
  }

  /** Runs the forward pass over x in chunks of the batch capacity; `visit` sees each chunk's row range. */
  private forEachChunk(x: Matrix, visit: (start: number, m: number) => void): void {
    const B = this.plan.capacity.batch, n = this.inputSize;
    for (let start = 0; start < x.rows; start += B) {
      const m = Math.min(B, x.rows - start);
      this.f32(this.plan.xb, m * n).set(x.data.subarray(start * n, (start + m) * n));
      this.forward(m);
      visit(start, m);
    }
  }

  // --- public API --------------------------------------------------------------

  async fit(x: Matrix, y: Int32Array | Matrix, options: FitOptions = {}): Promise<History> {
    this.notTraining();
    check(options && typeof options === 'object', 'fit: options must be an object');
    checkKeys(options, FIT_KEYS, 'fit');
    this.inputs(x, 'fit');
    const t = this.targets(y, x.rows, 'fit');
    const { epochs, batchSize: bs, shuffle, onNonFinite } = fitBasics(options);
    const es = options.earlyStopping;
    checkEarlyStopping(es);
    let val: [Matrix, Int32Array | Matrix] | undefined;
    if (options.validationData !== undefined) {
      const v = options.validationData;
      check(Array.isArray(v) && v.length === 2, 'fit: validationData must be [x, y]');
      this.inputs(v[0], 'fit: validationData');
      this.targets(v[1], v[0].rows, 'fit: validationData');
      val = v;
    }
    const classify = y instanceof Int32Array;
    const rows = x.rows;
    const batch = bs === 'full' ? rows : Math.min(bs, rows);

    // Size the arena once; from here on training allocates nothing in it.
    this.reserve(batch, rows);
    const L = this.plan, k = this.k;
    this.f32(L.x, rows * this.inputSize).set(x.data);
    this.f32(L.y, rows * this.outputSize).set(t.data);
    // Each epoch's order is a fresh shuffle of 0…n−1 drawn from the arena's
    // generator, so a second fit continues the same sequence of orders.
    const resetOrder = () => {
      const idx = new Int32Array(this.be.buffer(), L.idx, rows);
      for (let i = 0; i < rows; i++) idx[i] = i;
    };
    resetOrder();

    return this.running(async () => {
      const batches = Math.ceil(rows / batch);
      const bytes = new Uint8Array(this.be.buffer()); // the arena does not grow during a fit
      const sum = lossIsSum(this.spec);
      const out = L.layers[L.layers.length - 1].a, outputs = this.outputSize;
      const loop = new EpochLoop<History>({
        classify, earlyStopping: es, signal: options.signal, onEpochEnd: options.onEpochEnd,
        validate: val ? () => this.evaluate(val[0], val[1]) : undefined,
        alive: () => this.alive(),
        keepBest: () => this.copyParams(L.params, L.best), restoreBest: () => this.copyParams(L.best, L.params),
      }, { loss: [], seconds: 0 });

      for (let epoch = 1; epoch <= epochs; epoch++) {
        if (shuffle) { resetOrder(); k.rng_shuffle(L.rng, L.idx, rows); }
        bytes.copyWithin(L.safe, L.params, L.params + L.paramCount * 4); // the epoch's start, for divergence recovery
        let total = 0, correct = 0, seen = 0;
        for (let b = 0; b < batches; b++) {
          const start = b * batch, m = Math.min(batch, rows - start);
          const loss = this.trainStep(L.idx + start * 4, m);
          if (Number.isNaN(loss) && this.threadFailed()) throw new Error(await this.abandonThreads());
          if (!Number.isFinite(loss)) {
            this.recover();
            if (onNonFinite === 'stop') return loop.diverged(epoch, b + 1);
            throw new BackpropError(`training diverged at epoch ${epoch}, batch ${b + 1}: the loss or a weight became NaN or infinite (the weights from the start of epoch ${epoch} are restored); try a lower learning rate than ${this.spec.optimizer.learningRate}`);
          }
          total += sum ? loss : loss * m;
          if (classify) correct += k.count_correct(out, L.yb, m, outputs);
          seen += m;
          if (options.onBatchEnd) { options.onBatchEnd(b, batches, epoch); this.alive(); }
          if (b + 1 < batches && loop.due()) await loop.pause(); // after the last, loop.end yields when due
          if (options.signal?.aborted) break;
        }
        const go = loop.end(epoch, sum ? total : total / seen, correct / seen);
        if (!(typeof go === 'boolean' ? go : await go)) break;
      }
      return loop.finish();
    });
  }

  private threadFailed(): boolean {
    return !!this.pool && Atomics.load(new Int32Array(this.be.buffer(), this.plan.ctrl + CTRL.failed, 1), 0) !== 0;
  }

  /** After a thread failed: its error, and the pool gone (this network trains on one thread from now on). */
  private async abandonThreads(): Promise<string> {
    const message = await this.pool!.failure();
    this.pool!.dispose();
    this.pool = null;
    return message;
  }

  /** Fault injection for tests: worker `tid` (1…threads−1) traps at the next step. */
  crashThreadForTest(tid: number): void {
    check(this.pool && tid >= 1 && tid < this.pool.size, `crashThreadForTest: no worker thread ${tid}`);
    this.pool.crashAtNextStep(tid);
  }

  /** Internal: start the worker threads of a multi-threaded network. */
  async startThreads(threads: number): Promise<void> {
    const shared = this.be.shared!;
    this.pool = await startPool(shared.module, shared.memory, this.plan.plan, this.plan.ctrl, threads);
  }

  /** After a non-finite step: the epoch's starting weights back, the optimizer's state reset (it holds NaN too). */
  private recover(): void {
    this.copyParams(this.plan.safe, this.plan.params);
    resetOptimizer(this.be, this.spans());
  }

  private copyParams(from: number, to: number): void {
    copyParams(this.be, this.plan, from, to);
  }

  /** One training step on exactly this batch; returns the loss before the step. */
  trainBatch(x: Matrix, y: Int32Array | Matrix): number {
    this.alive();
    this.inputs(x, 'trainBatch');
    const t = this.targets(y, x.rows, 'trainBatch');
    this.reserve(x.rows, 0);
    this.f32(this.plan.xb, x.data.length).set(x.data);
    this.f32(this.plan.yb, t.data.length).set(t.data);
    return this.trainStep(0, x.rows);
  }

  predict(x: Matrix): Matrix {
    this.alive();
    this.inputs(x, 'predict');
    const n = this.outputSize, out = matrix(x.rows, n);
    const last = this.plan.layers[this.plan.layers.length - 1];
    this.forEachChunk(x, (start, m) => out.data.set(this.f32(last.a, m * n), start * n));
    return out;
  }

  predictClasses(x: Matrix): Int32Array {
    const p = this.predict(x), n = p.cols, out = new Int32Array(p.rows);
    for (let i = 0; i < p.rows; i++) {
      if (n === 1) { out[i] = p.data[i] >= 0.5 ? 1 : 0; continue; }
      let best = 0;
      for (let j = 1; j < n; j++) if (p.data[i * n + j] > p.data[i * n + best]) best = j;
      out[i] = best;
    }
    return out;
  }

  evaluate(x: Matrix, y: Int32Array | Matrix): { loss: number; accuracy?: number } {
    this.alive();
    this.inputs(x, 'evaluate');
    const t = this.targets(y, x.rows, 'evaluate');
    const n = this.outputSize, last = this.plan.layers[this.plan.layers.length - 1];
    let total = 0, correct = 0;
    const sum = lossIsSum(this.spec);
    this.forEachChunk(x, (start, m) => {
      this.f32(this.plan.yb, m * n).set(t.data.subarray(start * n, (start + m) * n));
      const loss = this.lossStep(last, this.plan.yb, m);
      total += sum ? loss : loss * m;
      correct += this.k.count_correct(last.a, this.plan.yb, m, n);
    });
    const loss = sum ? total : total / x.rows;
    return y instanceof Int32Array ? { loss, accuracy: correct / x.rows } : { loss };
  }

  /** Each layer's output for every row of x (the last one is predict's). */
  activations(x: Matrix): Matrix[] {
    this.alive();
    this.inputs(x, 'activations');
    const outs = this.plan.layers.map((l) => matrix(x.rows, l.units));
    this.forEachChunk(x, (start, m) => {
      this.plan.layers.forEach((l, i) => outs[i].data.set(this.f32(l.a, m * l.units), start * l.units));
    });
    return outs;
  }

  getWeights(): LayerWeights[] {
    this.alive();
    return this.plan.layers.map((l) => ({
      weights: this.f32(l.w, l.inputs * l.units).slice(),
      bias: this.f32(l.b, l.units).slice(),
    }));
  }

  setWeights(layers: LayerWeights[]): void {
    this.alive();
    const plan = this.plan.layers;
    check(Array.isArray(layers) && layers.length === plan.length, `setWeights: expected ${plan.length} layers, got ${Array.isArray(layers) ? layers.length : 'no array'}`);
    layers.forEach((w, i) => {
      const l = plan[i];
      check(w && w.weights instanceof Float32Array && w.bias instanceof Float32Array, `setWeights: layer ${i + 1} must be { weights: Float32Array, bias: Float32Array }`);
      check(w.weights.length === l.inputs * l.units, `setWeights: layer ${i + 1} weights have ${w.weights.length} values, expected ${l.inputs}×${l.units} = ${l.inputs * l.units}`);
      check(w.bias.length === l.units, `setWeights: layer ${i + 1} bias has ${w.bias.length} values, expected ${l.units}`);
      checkFiniteArray(w.weights, `setWeights: layer ${i + 1} weights`);
      checkFiniteArray(w.bias, `setWeights: layer ${i + 1} bias`);
    });
    layers.forEach((w, i) => {
      this.f32(plan[i].w, w.weights.length).set(w.weights);
      this.f32(plan[i].b, w.bias.length).set(w.bias);
    });
  }

  /** Drops the arena and ends the worker threads; the network cannot be used afterwards. */
  override dispose(): void {
    this.pool?.dispose();
    this.pool = null;
    super.dispose();
  }

  /** Internal: initialise the parameters from the seed. */
  initialize(): void {
    const { k, plan } = this;
    k.rng_seed(plan.rng, this.spec.seed);
    this.spec.layers.forEach((layer, i) => {
      const l = plan.layers[i], n = l.inputs * l.units;
      const init = layerInit(this.spec, layer.activation);
      if (init === 'uniform') {
        k.rng_uniform(plan.rng, l.w, n, 0, 1);
        k.rng_uniform(plan.rng, l.b, l.units, 0, 1);
      } else if (init === 'xavier') {
        const lim = Math.sqrt(6 / (l.inputs + l.units));
        k.rng_uniform(plan.rng, l.w, n, -lim, lim);
      } else {
        k.rng_normal(plan.rng, l.w, n, Math.sqrt(2 / l.inputs));
      }
    });
  }

  /** The model file's content: `JSON.stringify(net.toJSON())` is what `--save` writes. */
  toJSON(): ModelJSON {
    this.alive();
    return modelToJSON(this);
  }
}

/** For tests and benchmarks: run training steps kernel by kernel from TypeScript instead of one fused call. */
export function setFusedStep(net: Network, fused: boolean): void {
  const n = net as unknown as { fused: boolean; k: Kernels };
  n.fused = fused && typeof n.k.train_step === 'function';
}

export async function createNetwork(spec: NetworkSpec): Promise<Network> {
  const resolved = resolveSpec(spec);
  const name = preferredBackend(spec.backend);
  const threads = await resolveThreads(spec.threads, name);
  const shapes = resolved.layers.map((l, i) => ({ inputs: i === 0 ? resolved.inputSize : resolved.layers[i - 1].units, units: l.units }));
  const layout = computeLayout(shapes, slotsFor(resolved.optimizer), { batch: DEFAULT_BATCH, rows: 0 }, threads);
  check(layout.end <= 2 ** 32, `createNetwork: the network needs ${layout.end} bytes of arena, more than WebAssembly's 4 GiB`);
  const backend = await createBackend(name, layout.end, threads > 1);
  const net = new Network(resolved, backend, layout);
  net.initialize();
  if (threads > 1) await net.startThreads(threads);
  return net;
}

/** 1 unless asked for more; 'auto' = the host's cores. Where shared memory is missing (a page that is not
 *  cross-origin isolated), one thread and a warning. */
async function resolveThreads(threads: NetworkSpec['threads'], backend: BackendName): Promise<number> {
  if (threads === undefined || threads === 1) return 1;
  check(threads === 'auto' || (Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS),
    `createNetwork: threads must be an integer in 1…${MAX_THREADS} or 'auto', got ${String(threads)}`);
  const n = threads === 'auto' ? Math.min(MAX_THREADS, await availableThreads()) : threads;
  if (n === 1) return 1;
  check(backend === 'simd', `createNetwork: threads need the simd backend, not '${backend}'`);
  if (typeof SharedArrayBuffer === 'undefined') {
    console.warn('backprop-wasm: shared memory is not available here (a page must be cross-origin isolated): training on one thread');
    return 1;
  }
  return n;
}
