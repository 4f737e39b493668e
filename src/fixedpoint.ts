// Almeida–Pineda recurrent backpropagation: a network of N units with
// arbitrary feedback connections that settles to a fixed point,
//   x = f(x·W + u·U + b)        (W: N×N, from unit i to unit j at W[i, j]),
// trained by "propagating the error through the network iteratively until it
// converges" (Almeida 1987; Pineda 1987). Per batch:
//   1. forward relaxation  x ← x + s·(f(x·W + c) − x) from x = 0, c = u·U + b,
//      until max|f(x·W + c) − x| ≤ tolerance (or maxSteps: not converged);
//   2. the loss E on the output units (units 0 … outputs−1) and e = ∂E/∂x;
//   3. adjoint relaxation  v ← v + s·(e + (f'⊙v)·Wᵀ − v) to its own fixed point,
//      δ = f'(z)⊙v (the error the network settles to);
//   4. ∂E/∂W = xᵀ·δ (ΔW ∝ δ·xᵀ per pattern), ∂E/∂U = uᵀ·δ, ∂E/∂b = Σδ; optimizer update.
// A gradient is only right at a fixed point, so a batch whose forward or
// adjoint relaxation did not converge is not used: its update is skipped,
// counted in the history (nonConverged) and reported as a warning — never
// applied silently. An epoch in which no batch converged cannot change the
// weights any more, so fit stops there (history.stalled) and restores the
// weights from the end of the last epoch in which every batch converged.
// The step s: s = 1 is the plain iteration x ← f(x·W + c); the default s = ½ is
// an Euler step of Pineda's dx/dt = −x + f(x·W + c). Learning readily builds
// strong negative feedback (eigenvalues of the linearized map below −1), where
// the plain iteration oscillates in a 2-cycle but the damped one settles.
import { createBackend, preferredBackend, ALL_BACKENDS, type Backend, type BackendName } from './backends/index.js';
import type { Kernels } from './backends/kernels.js';
import { isObj, modelObject } from './model.js';
import { decodeFloat32, encodeFloat32 } from './base64.js';
import { BackpropError, check } from './errors.js';
import { matrix, type Matrix } from './matrix.js';
import type { EpochLogs, FitOptions, History } from './network.js';
import {
  ACT, ArenaUser, checkInputs, copyParams, DEFAULT_BATCH, EpochLoop, fitBasics, resetOptimizer, resolveTraining,
  setNamedParams, slotsFor, targetMatrix, updateParams, type ResolvedOptimizer,
} from './training.js';
import { fixedPointLayout, formatRegions, type FixedPointCapacity, type FixedPointLayout, type FixedPointParam } from './recurrent-layout.js';
import { checkKeys, oneOf, type OptimizerSpec, type OptimizerType } from './spec.js';

export type FixedPointActivation = 'tanh' | 'sigmoid';
export type FixedPointLoss = 'mse' | 'sse' | 'binary-cross-entropy';

export interface FixedPointSpec {
  /** all units, N; the first `outputs` of them are the output units */
  units: number;
  /** external inputs, each connected to every unit by U (inputs × N) */
  inputs: number;
  outputs: number;
  activation?: FixedPointActivation;
  /** default mse; binary-cross-entropy needs sigmoid units */
  loss?: FixedPointLoss;
  optimizer?: OptimizerType | OptimizerSpec;
  learningRate?: number;
  l2?: number;
  seed?: number;
  backend?: BackendName;
  /** iteration cap of each relaxation (default 200) */
  maxSteps?: number;
  /** convergence: forward max|f(z) − x| ≤ tolerance; adjoint change ≤ tolerance·max|e| (default 1e-5) */
  tolerance?: number;
  /** relaxation step s in (0, 1]: x ← x + s·(f(x·W + c) − x) (default ½; 1 is the plain iteration x ← f(x·W + c)) */
  stepSize?: number;
}

export interface ResolvedFixedPointSpec {
  units: number; inputs: number; outputs: number; activation: FixedPointActivation; loss: FixedPointLoss;
  optimizer: ResolvedOptimizer; l2: number; seed: number; maxSteps: number; tolerance: number; stepSize: number;
}

export interface FixedPointWeights { w: Float32Array; u: Float32Array; b: Float32Array }

/** One relaxation's outcome: iterations run and the final residual. */
export interface Relaxation { steps: number; residual: number; converged: boolean }

/** fit's options of a feed-forward network but early stopping, and two of the relaxation's own. */
export interface FixedPointFitOptions extends Omit<FitOptions, 'earlyStopping'> {
  /** a batch whose relaxation did not converge: skip its update and warn (default), or throw */
  onNonConvergence?: 'skip' | 'throw';
  /** where warnings go (default: the network's onWarning, console.warn unless set) */
  onWarning?: (message: string) => void;
}

export interface FixedPointHistory extends History {
  /** per epoch: mean iterations of the forward and of the adjoint relaxation per batch */
  relaxSteps: number[];
  adjointSteps: number[];
  /** per epoch: batches whose relaxation did not converge (their updates were skipped) */
  nonConverged: number[];
  /** every relaxation of the run converged */
  converged: boolean;
  /** the epoch in which no batch converged: fit stopped there and restored the weights from the end of
   *  the last epoch in which every batch converged (restoredEpoch; 0: the weights fit started from) */
  stalled?: { epoch: number; restoredEpoch: number };
  warnings: string[];
}

const SPEC_KEYS = ['units', 'inputs', 'outputs', 'activation', 'loss', 'optimizer', 'learningRate', 'l2', 'seed', 'backend', 'maxSteps', 'tolerance', 'stepSize'];
const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationData', 'onEpochEnd', 'onBatchEnd', 'signal', 'onNonFinite', 'onNonConvergence', 'onWarning'];
const MAX_UNITS = 1 << 13;
const isPosInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

export function resolveFixedPointSpec(spec: FixedPointSpec): ResolvedFixedPointSpec {
  const where = 'createFixedPointNetwork';
  check(spec && typeof spec === 'object', `${where}: expected a spec object`);
  checkKeys(spec, SPEC_KEYS, where);
  for (const key of ['units', 'inputs', 'outputs'] as const)
    check(isPosInt(spec[key]), `${where}: ${key} must be a positive integer, got ${String(spec[key])}`);
  check(spec.units <= MAX_UNITS, `${where}: units must be at most ${MAX_UNITS}, got ${spec.units}`);
  check(spec.inputs <= MAX_UNITS, `${where}: inputs must be at most ${MAX_UNITS}, got ${spec.inputs}`);
  check(spec.outputs <= spec.units, `${where}: outputs (${spec.outputs}) must be at most units (${spec.units}): the output units are units 1…outputs`);
  const activation = spec.activation === undefined ? 'tanh' : oneOf(spec.activation, ['tanh', 'sigmoid'] as const, 'fixed-point activation');
  const loss = spec.loss === undefined ? 'mse' : oneOf(spec.loss, ['mse', 'sse', 'binary-cross-entropy'] as const, 'fixed-point loss');
  if (loss === 'binary-cross-entropy') check(activation === 'sigmoid', `${where}: loss 'binary-cross-entropy' needs activation 'sigmoid' (unit states in (0, 1)), got '${activation}'`);
  const maxSteps = spec.maxSteps ?? 200;
  check(isPosInt(maxSteps), `${where}: maxSteps must be a positive integer, got ${String(maxSteps)}`);
  const tolerance = spec.tolerance ?? 1e-5;
  check(typeof tolerance === 'number' && Number.isFinite(tolerance) && tolerance > 0, `${where}: tolerance must be a positive number, got ${String(tolerance)}`);
  const stepSize = spec.stepSize ?? 0.5;
  check(typeof stepSize === 'number' && stepSize > 0 && stepSize <= 1, `${where}: stepSize must be in (0, 1], got ${String(stepSize)}`);
  if (spec.backend !== undefined) oneOf(spec.backend, ALL_BACKENDS, 'backend');
  return { units: spec.units, inputs: spec.inputs, outputs: spec.outputs, activation, loss, ...resolveTraining(spec), maxSteps, tolerance, stepSize };
}

export class FixedPointNetwork extends ArenaUser {
  readonly spec: ResolvedFixedPointSpec;
  metadata: Record<string, unknown> = {};
  /** Where this network's warnings go (non-converged relaxations); fit's onWarning overrides it. */
  onWarning: (message: string) => void = (message) => console.warn(`backprop-wasm: ${message}`);
  /** The forward and adjoint relaxations of the last trainBatch (or fit batch). */
  lastRelaxation: { forward: Relaxation; adjoint: Relaxation } | null = null;
  private L: FixedPointLayout;
  private readonly act: number;
  /** fit is running: the arena must not be re-laid out */

  /** Use createFixedPointNetwork / loadFixedPointNetwork. */
  constructor(spec: ResolvedFixedPointSpec, backend: Backend, layout: FixedPointLayout) {
    super(backend, 'fixed-point network');
    this.spec = spec;
    this.L = layout;
    this.act = ACT[spec.activation];
    new Float64Array(backend.buffer(), layout.pow, 2).fill(1);
  }

  layout(): string { return formatRegions(this.L.regions, this.L.end); }

  // --- the algorithm -------------------------------------------------------------

  private residual(i: 0 | 1): number {
    return new Float64Array(this.be.buffer(), this.L.residual, 2)[i];
  }

  /** Drive c = u·U + b, then the forward relaxation of the m rows in batch.u. */
  private settle(m: number): Relaxation {
    const { k, L, spec: s } = this;
    k.gemm_nn_bias(L.ub, L.p.u, L.p.b, L.c, m, s.units, s.inputs);
    const steps = k.fixed_point_relax(L.c, L.p.w, L.xs, L.residual, L.work, m, s.units, s.maxSteps, s.tolerance, s.stepSize, this.act);
    const residual = this.residual(0);
    return { steps, residual, converged: residual <= s.tolerance };
  }

  /** Loss of the output units against batch.y; leaves e = ∂E/∂x in batch.e. */
  private lossError(m: number): number {
    const { k, L, spec: s } = this;
    k.take_columns(L.xs, L.a, m, s.units, s.outputs);
    const loss = s.loss === 'mse' ? k.mse_loss(L.a, L.yb, L.da, m, s.outputs)
      : s.loss === 'sse' ? k.sse_loss(L.a, L.yb, L.da, m, s.outputs)
      : k.binary_cross_entropy(L.a, L.yb, L.da, m, s.outputs);
    k.put_columns(L.da, L.e, m, s.outputs, s.units);
    return loss;
  }

  /** The adjoint relaxation, then (when both converged) every gradient. */
  private backward(m: number): Relaxation {
    const { k, L, spec: s } = this;
    const steps = k.fixed_point_adjoint(L.xs, L.p.w, L.e, L.delta, L.residual + 8, L.work, m, s.units, s.maxSteps, s.tolerance, s.stepSize, this.act);
    const residual = this.residual(1);
    const converged = residual <= s.tolerance;
    if (converged) {
      k.gemm_tn(L.xs, L.delta, L.g.w, s.units, s.units, m);
      k.gemm_tn(L.ub, L.delta, L.g.u, s.inputs, s.units, m);
      k.col_sum(L.delta, L.g.b, m, s.units);
    }
    return { steps, residual, converged };
  }

  /** One step on the batch buffers. The update is applied only when both relaxations converged. */
  private trainStep(m: number): number {
    const forward = this.settle(m);
    const loss = this.lossError(m);
    const adjoint = forward.converged ? this.backward(m) : { steps: 0, residual: NaN, converged: false };
    this.lastRelaxation = { forward, adjoint };
    if (!adjoint.converged) return loss;
    return updateParams(this.k, this.be, this.L, this.spec.optimizer, this.spec.l2) ? NaN : loss;
  }

  // --- arena and data ----------------------------------------------------------


  private reserve(batch: number, rows: number): void {
    const cap = this.L.capacity;
    if (batch <= cap.batch && rows <= cap.rows) return;
    const next: FixedPointCapacity = { batch: Math.max(batch, cap.batch), rows: Math.max(rows, cap.rows) };
    this.L = this.grownTo(fixedPointLayout({ units: this.spec.units, inputs: this.spec.inputs, outputs: this.spec.outputs }, slotsFor(this.spec.optimizer), next));
  }


  private inputsOf(x: unknown, what: string): Matrix {
    return checkInputs(x as Matrix, this.spec.inputs, what);
  }

  private targetsOf(y: unknown, rows: number, what: string): Matrix {
    return targetMatrix(y, rows, this.spec.outputs, what, this.spec.activation === 'tanh' ? -1 : 0); // one-hot in the units' range
  }

  /** Relaxes x in chunks of the batch capacity; `visit` sees each chunk after its forward relaxation. */
  private forEachChunk(x: Matrix, y: Matrix | null, visit: (start: number, m: number, r: Relaxation) => void): void {
    const B = this.L.capacity.batch, n = this.spec.inputs, o = this.spec.outputs;
    for (let start = 0; start < x.rows; start += B) {
      const m = Math.min(B, x.rows - start);
      this.f32(this.L.ub, m * n).set(x.data.subarray(start * n, (start + m) * n));
      if (y) this.f32(this.L.yb, m * o).set(y.data.subarray(start * o, (start + m) * o));
      visit(start, m, this.settle(m));
    }
  }

  private describe(r: Relaxation, which: string): string {
    return `${which} residual ${r.residual.toPrecision(3)} > tolerance ${this.spec.tolerance} after ${r.steps} step${r.steps === 1 ? '' : 's'}`;
  }

  // --- public API ----------------------------------------------------------------

  /** x: rows × inputs; y: rows × outputs targets, or class labels (one-hot in the units' range: ±1 for tanh). */
  async fit(x: Matrix, y: Int32Array | Matrix, options: FixedPointFitOptions = {}): Promise<FixedPointHistory> {
    this.notTraining();
    check(options && typeof options === 'object', 'fit: options must be an object');
    checkKeys(options, FIT_KEYS, 'fit');
    this.inputsOf(x, 'fit');
    const t = this.targetsOf(y, x.rows, 'fit');
    const { epochs, batchSize: bs, shuffle, onNonFinite } = fitBasics(options);
    const onNonConvergence = options.onNonConvergence ?? 'skip';
    check(onNonConvergence === 'skip' || onNonConvergence === 'throw', `fit: onNonConvergence must be 'skip' or 'throw', got ${String(onNonConvergence)}`);
    check(options.onWarning === undefined || typeof options.onWarning === 'function', 'fit: onWarning must be a function');
    const warn = options.onWarning ?? this.onWarning;
    let val: [Matrix, Int32Array | Matrix] | undefined;
    if (options.validationData !== undefined) {
      const v = options.validationData;
      check(Array.isArray(v) && v.length === 2, 'fit: validationData must be [x, y]');
      this.targetsOf(v[1], this.inputsOf(v[0], 'fit: validationData').rows, 'fit: validationData');
      val = v;
    }
    const classify = y instanceof Int32Array;
    const rows = x.rows, batch = bs === 'full' ? rows : Math.min(bs, rows);

    this.reserve(batch, rows);
    const L = this.L, s = this.spec;
    copyParams(this.be, L, L.params, L.best); // the weights at the end of the last epoch in which every batch converged
    this.f32(L.u, rows * s.inputs).set(x.data);
    this.f32(L.y, rows * s.outputs).set(t.data);
    const idx = new Int32Array(this.be.buffer(), L.idx, rows);
    for (let i = 0; i < rows; i++) idx[i] = i;

    return this.running(() => this.trainEpochs(rows, batch, epochs, shuffle, classify, onNonFinite, onNonConvergence, warn, val, options));
  }

  private async trainEpochs(rows: number, batch: number, epochs: number, shuffle: boolean, classify: boolean,
    onNonFinite: 'throw' | 'stop', onNonConvergence: 'skip' | 'throw', warn: (message: string) => void,
    val: [Matrix, Int32Array | Matrix] | undefined, options: FixedPointFitOptions): Promise<FixedPointHistory> {
    const L = this.L, k = this.k, s = this.spec, batches = Math.ceil(rows / batch);
    const idx = new Int32Array(this.be.buffer(), L.idx, rows);
    let goodEpoch = 0;
    // 'best' holds the end of the last epoch in which every batch converged (what a stalled fit restores)
    const loop = new EpochLoop<FixedPointHistory>({
      classify, signal: options.signal, onEpochEnd: options.onEpochEnd,
      validate: val ? () => this.evaluate(val[0], val[1]) : undefined,
      alive: () => this.alive(),
      keepBest: () => {}, restoreBest: () => {},
    }, { loss: [], seconds: 0, relaxSteps: [], adjointSteps: [], nonConverged: [], converged: true, warnings: [] });
    const history = loop.history;
    const sum = s.loss === 'sse';
    for (let epoch = 1; epoch <= epochs; epoch++) {
      if (shuffle) { for (let i = 0; i < rows; i++) idx[i] = i; k.rng_shuffle(L.rng, L.idx, rows); }
      copyParams(this.be, L, L.params, L.safe);
      let total = 0, correct = 0, seen = 0, fSteps = 0, aSteps = 0, failed = 0, worst: string | null = null;
      for (let b = 0; b < batches; b++) {
        const start = b * batch, m = Math.min(batch, rows - start);
        k.gather_rows(L.u, L.idx + start * 4, L.ub, m, s.inputs);
        k.gather_rows(L.y, L.idx + start * 4, L.yb, m, s.outputs);
        const loss = this.trainStep(m);
        const { forward, adjoint } = this.lastRelaxation!;
        if (!Number.isFinite(loss)) {
          copyParams(this.be, L, L.safe, L.params);
          resetOptimizer(this.be, L);
          if (onNonFinite === 'stop') return loop.diverged(epoch, b + 1);
          throw new BackpropError(`training diverged at epoch ${epoch}, batch ${b + 1}: the loss or a weight became NaN or infinite (the weights from the start of epoch ${epoch} are restored); try a lower learning rate than ${s.optimizer.learningRate}`);
        }
        fSteps += forward.steps; aSteps += adjoint.steps;
        if (!adjoint.converged) {
          failed++;
          worst ??= forward.converged ? this.describe(adjoint, 'adjoint') : this.describe(forward, 'forward');
          if (onNonConvergence === 'throw')
            throw new BackpropError(`fixed-point relaxation did not converge at epoch ${epoch}, batch ${b + 1} (${worst}); raise maxSteps, lower stepSize or the learning rate`);
        }
        total += sum ? loss : loss * m;
        if (classify) correct += k.count_correct(L.a, L.yb, m, s.outputs);
        seen += m;
        options.onBatchEnd?.(b, batches, epoch);
        if (options.signal?.aborted) break;
      }
      const done = Math.ceil(seen / batch);
      history.relaxSteps.push(fSteps / done);
      history.adjointSteps.push(aSteps / done);
      history.nonConverged.push(failed);
      if (failed) {
        history.converged = false;
        const message = `fixed-point relaxation did not converge in epoch ${epoch} for ${failed} of ${done} batches (first: ${worst}); their updates were skipped — raise maxSteps, lower stepSize or the learning rate`;
        history.warnings.push(message);
        warn(message);
      } else {
        copyParams(this.be, L, L.params, L.best);
        goodEpoch = epoch;
      }
      if (failed === done) {
        // no update was possible, and none will be from these weights: stop, with weights that settle
        copyParams(this.be, L, L.best, L.params);
        resetOptimizer(this.be, L);
        history.stalled = { epoch, restoredEpoch: goodEpoch };
        const message = `training stopped at epoch ${epoch}: no batch converged, so no update was possible; the weights ${goodEpoch ? `from the end of epoch ${goodEpoch}, the last epoch in which every batch converged,` : 'fit started from'} are restored`;
        history.warnings.push(message);
        warn(message);
      }
      if (!(await loop.end(epoch, sum ? total : total / seen, correct / seen)) || history.stalled) break;
    }
    return loop.finish();
  }

  /** One training step on exactly this batch; returns the loss before the step. The step is skipped (and
   *  `lastRelaxation` says why, and a warning goes to onWarning) when a relaxation did not converge. */
  trainBatch(x: Matrix, y: Int32Array | Matrix): number {
    this.alive();
    this.inputsOf(x, 'trainBatch');
    const t = this.targetsOf(y, x.rows, 'trainBatch');
    this.reserve(x.rows, 0);
    this.f32(this.L.ub, x.data.length).set(x.data);
    this.f32(this.L.yb, t.data.length).set(t.data);
    const loss = this.trainStep(x.rows);
    const { forward, adjoint } = this.lastRelaxation!;
    if (!adjoint.converged)
      this.onWarning(`trainBatch: fixed-point relaxation did not converge (${forward.converged ? this.describe(adjoint, 'adjoint') : this.describe(forward, 'forward')}); the update was skipped`);
    return loss;
  }

  /** ∂E/∂W, ∂E/∂U, ∂E/∂b of this batch by the Almeida–Pineda adjoint, without changing any weight.
   *  Throws when a relaxation does not converge: away from a fixed point the result would be wrong. */
  gradients(x: Matrix, y: Int32Array | Matrix): FixedPointWeights & { loss: number; forward: Relaxation; adjoint: Relaxation } {
    this.alive();
    this.inputsOf(x, 'gradients');
    const t = this.targetsOf(y, x.rows, 'gradients');
    this.reserve(x.rows, 0);
    this.f32(this.L.ub, x.data.length).set(x.data);
    this.f32(this.L.yb, t.data.length).set(t.data);
    const forward = this.settle(x.rows);
    check(forward.converged, () => `gradients: the forward relaxation did not converge (${this.describe(forward, 'forward')}); there is no fixed point to differentiate`);
    const loss = this.lossError(x.rows);
    const adjoint = this.backward(x.rows);
    check(adjoint.converged, () => `gradients: the adjoint relaxation did not converge (${this.describe(adjoint, 'adjoint')})`);
    return { ...this.tensors(this.L.g), loss, forward, adjoint };
  }

  /** The settled state of every row: all units, the output units, and whether every chunk converged. */
  relax(x: Matrix): { output: Matrix; states: Matrix; steps: number; residual: number; converged: boolean } {
    this.alive();
    this.inputsOf(x, 'relax');
    const N = this.spec.units, o = this.spec.outputs;
    const states = matrix(x.rows, N), output = matrix(x.rows, o);
    let steps = 0, residual = 0;
    this.forEachChunk(x, null, (start, m, r) => {
      states.data.set(this.f32(this.L.xs, m * N), start * N);
      for (let i = 0; i < m; i++) output.data.set(states.data.subarray((start + i) * N, (start + i) * N + o), (start + i) * o);
      steps = Math.max(steps, r.steps);
      residual = Number.isNaN(r.residual) || Number.isNaN(residual) ? NaN : Math.max(residual, r.residual);
    });
    return { output, states, steps, residual, converged: residual <= this.spec.tolerance };
  }

  /** The output units at the fixed point (warns when a relaxation did not converge). */
  predict(x: Matrix): Matrix {
    const r = this.relax(x);
    if (!r.converged) this.onWarning(`predict: fixed-point relaxation did not converge (${this.describe(r, 'forward')}); the outputs are the last iterate`);
    return r.output;
  }

  evaluate(x: Matrix, y: Int32Array | Matrix): { loss: number; accuracy?: number; converged: boolean } {
    this.alive();
    this.inputsOf(x, 'evaluate');
    const t = this.targetsOf(y, x.rows, 'evaluate');
    let total = 0, correct = 0, converged = true;
    const sum = this.spec.loss === 'sse';
    this.forEachChunk(x, t, (_start, m, r) => {
      const loss = this.lossError(m);
      total += sum ? loss : loss * m;
      correct += this.k.count_correct(this.L.a, this.L.yb, m, this.spec.outputs);
      converged &&= r.converged;
    });
    const loss = sum ? total : total / x.rows;
    return y instanceof Int32Array ? { loss, accuracy: correct / x.rows, converged } : { loss, converged };
  }

  private tensors(at: Record<FixedPointParam, number>): FixedPointWeights {
    const { units: N, inputs } = this.spec;
    return { w: this.f32(at.w, N * N).slice(), u: this.f32(at.u, inputs * N).slice(), b: this.f32(at.b, N).slice() };
  }

  /** w: N×N (w[i·N + j] connects unit i to unit j), u: inputs × N, b: N. */
  getWeights(): FixedPointWeights {
    this.alive();
    return this.tensors(this.L.p);
  }

  setWeights(w: FixedPointWeights): void {
    this.alive();
    const { units: N, inputs } = this.spec;
    const shapes: [FixedPointParam, number, string][] = [['w', N * N, `${N}×${N}`], ['u', inputs * N, `${inputs}×${N}`], ['b', N, `${N}`]];
    setNamedParams(this.be, w, shapes, this.L.p);
  }


  /** Internal: W uniform with variance 0.25/N (spectral radius about ½: the first relaxations contract),
   *  U Glorot uniform, b = 0. */
  initialize(): void {
    const { k, L } = this, { units: N, inputs } = this.spec;
    k.rng_seed(L.rng, this.spec.seed);
    const lw = Math.sqrt(0.75 / N), lu = Math.sqrt(6 / (inputs + N));
    k.rng_uniform(L.rng, L.p.w, N * N, -lw, lw);
    k.rng_uniform(L.rng, L.p.u, inputs * N, -lu, lu);
    this.f32(L.p.b, N).fill(0);
  }

  toJSON(): FixedPointModelJSON {
    this.alive();
    const w = this.getWeights(), s = this.spec;
    return {
      format: 'backprop-wasm', version: 1, kind: 'fixed-point',
      units: s.units, inputs: s.inputs, outputs: s.outputs, activation: s.activation, loss: s.loss,
      optimizer: { ...s.optimizer }, l2: s.l2, seed: s.seed, maxSteps: s.maxSteps, tolerance: s.tolerance, stepSize: s.stepSize,
      weights: { w: encodeFloat32(w.w), u: encodeFloat32(w.u), b: encodeFloat32(w.b) },
      ...structuredClone(this.metadata),
    };
  }
}

export interface FixedPointModelJSON {
  format: 'backprop-wasm'; version: 1; kind: 'fixed-point';
  units: number; inputs: number; outputs: number; activation: string; loss: string;
  optimizer: Record<string, unknown>; l2: number; seed: number; maxSteps: number; tolerance: number; stepSize: number;
  weights: Record<FixedPointParam, string>;
  [extra: string]: unknown;
}

export async function createFixedPointNetwork(spec: FixedPointSpec): Promise<FixedPointNetwork> {
  const resolved = resolveFixedPointSpec(spec);
  const name = preferredBackend(spec.backend);
  const layout = fixedPointLayout({ units: resolved.units, inputs: resolved.inputs, outputs: resolved.outputs }, slotsFor(resolved.optimizer), { batch: DEFAULT_BATCH, rows: 0 });
  const net = new FixedPointNetwork(resolved, await createBackend(name, layout.end), layout);
  net.initialize();
  return net;
}

const KNOWN = new Set(['format', 'version', 'kind', 'units', 'inputs', 'outputs', 'activation', 'loss', 'optimizer', 'l2', 'seed', 'maxSteps', 'tolerance', 'stepSize', 'weights']);

export async function loadFixedPointNetwork(json: string | object, options: { backend?: BackendName } = {}): Promise<FixedPointNetwork> {
  const m = modelObject(json);
  check(m.kind === 'fixed-point', `model: not a fixed-point model (kind is ${JSON.stringify(m.kind) ?? 'missing'})`);
  check(isObj(m.optimizer), 'model: optimizer must be an object');
  const spec = resolveFixedPointSpec({
    units: m.units, inputs: m.inputs, outputs: m.outputs, activation: m.activation, loss: m.loss, optimizer: m.optimizer,
    l2: m.l2, seed: m.seed, maxSteps: m.maxSteps, tolerance: m.tolerance, stepSize: m.stepSize,
  } as unknown as FixedPointSpec);
  check(isObj(m.weights), 'model: weights must be { w, u, b }');
  const N = spec.units;
  const weights: FixedPointWeights = {
    w: decodeFloat32(m.weights.w, N * N, 'model: weights.w'), u: decodeFloat32(m.weights.u, spec.inputs * N, 'model: weights.u'),
    b: decodeFloat32(m.weights.b, N, 'model: weights.b'),
  };
  const net = await createFixedPointNetwork({ ...(spec as unknown as FixedPointSpec), backend: options.backend });
  net.setWeights(weights);
  for (const key of Object.keys(m)) if (!KNOWN.has(key)) net.metadata[key] = m[key];
  return net;
}
