// What the drivers (src/network.ts, src/recurrent.ts, src/fixedpoint.ts)
// share: the optimizer update over the flat parameter span, divergence
// recovery, the optimizer part of a spec, and input checks. Written against
// the kernel ABI.
import type { Backend } from './backends/index.js';
import type { Kernels } from './backends/kernels.js';
import { BackpropError, check } from './errors.js';
import type { Matrix } from './matrix.js';
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

/** One optimizer update of every weight (with l2) and bias (without), from the gradients in the arena. */
export function updateParams(k: Kernels, be: Backend, L: OptimizerSpans, o: ResolvedOptimizer, l2: number): void {
  const spans: [number, number, number][] = [[0, L.weightCount, l2], [L.weightCount * 4, L.biasCount, 0]];
  if (o.type === 'adam') {
    // β1ᵗ and β2ᵗ as running products in the arena (no host pow: the same bits everywhere)
    const pow = new Float64Array(be.buffer(), L.pow, 2);
    const p1 = (pow[0] *= o.beta1), p2 = (pow[1] *= o.beta2);
    for (const [off, n, reg] of spans)
      k.adam_update(L.params + off, L.grads + off, L.m + off, L.v + off, n, o.learningRate, o.beta1, o.beta2, o.epsilon, reg, 1 - p1, 1 - p2);
  } else if (o.type === 'sgd') {
    for (const [off, n, reg] of spans) k.sgd_update(L.params + off, L.grads + off, n, o.learningRate, reg);
  } else {
    for (const [off, n, reg] of spans)
      k.momentum_update(L.params + off, L.grads + off, L.m + off, n, o.learningRate, o.momentum, reg, o.nesterov ? 1 : 0);
  }
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
  for (let i = 0; i < a.length; i++)
    if (!Number.isFinite(a[i])) throw new BackpropError(`${what}: value ${i + 1} is ${a[i]}`);
}

/** Every value finite, or an error naming the row ("step" for sequences) and column, 1-based. */
export function checkFiniteMatrix(x: Matrix, what: string, row = 'row'): void {
  const d = x.data;
  for (let i = 0; i < d.length; i++)
    if (!Number.isFinite(d[i])) throw new BackpropError(`${what}: ${row} ${Math.floor(i / x.cols) + 1}, column ${(i % x.cols) + 1} is ${d[i]}`);
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

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Activation codes of the kernels (src/plan.ts's ACT_CODE). */
export const ACT = { sigmoid: 0, tanh: 1, relu: 2, 'leaky-relu': 3, linear: 4 } as const;
