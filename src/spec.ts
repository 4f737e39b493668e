// Network specifications: the user's spec checked and completed with
// defaults, once, before anything is allocated.
import { BackpropError, check } from './errors.js';
import { ALL_BACKENDS, type BackendName } from './backends/index.js';

export type Activation = 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'linear' | 'softmax';
export type Loss = 'mse' | 'sse' | 'cross-entropy' | 'binary-cross-entropy';
export type OptimizerType = 'sgd' | 'momentum' | 'nesterov' | 'adam';
export type Init = 'uniform' | 'xavier' | 'he';

export const ACTIVATIONS: readonly Activation[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax'];
export const LOSSES: readonly Loss[] = ['mse', 'sse', 'cross-entropy', 'binary-cross-entropy'];
export const OPTIMIZERS: readonly OptimizerType[] = ['sgd', 'momentum', 'nesterov', 'adam'];
export const INITS: readonly Init[] = ['uniform', 'xavier', 'he'];

export interface LayerSpec { units: number; activation?: Activation }

export interface OptimizerSpec {
  type: OptimizerType;
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface NetworkSpec {
  inputSize: number;
  layers: LayerSpec[];
  loss?: Loss;
  optimizer?: OptimizerType | OptimizerSpec;
  learningRate?: number;
  init?: Init;
  l2?: number;
  seed?: number;
  backend?: BackendName;
  /** threads a training step runs on: 1 (default), n, or 'auto' (the host's cores); simd backend only */
  threads?: number | 'auto';
}

/** A spec with every default filled in: what toJSON stores. */
export interface ResolvedSpec {
  inputSize: number;
  layers: { units: number; activation: Activation }[];
  loss: Loss;
  optimizer: Required<Omit<OptimizerSpec, 'type'>> & { type: OptimizerType };
  init: Init | null;
  l2: number;
  seed: number;
}

const SPEC_KEYS = ['inputSize', 'layers', 'loss', 'optimizer', 'learningRate', 'init', 'l2', 'seed', 'backend', 'threads'];
const OPT_KEYS = ['type', 'learningRate', 'momentum', 'nesterov', 'beta1', 'beta2', 'epsilon'];

export function checkKeys(obj: object, allowed: string[], where: string): void {
  for (const key of Object.keys(obj))
    if (!allowed.includes(key)) throw new BackpropError(`${where}: unknown option '${key}' (expected one of ${allowed.join(', ')})`);
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value as T)) throw new BackpropError(`unknown ${what} '${String(value)}' (expected ${allowed.join(', ')})`);
  return value as T;
}

const isPosInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
const finiteIn = (v: unknown, lo: number, hi: number, loOpen = false, hiOpen = false) =>
  typeof v === 'number' && Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);

export function resolveSpec(spec: NetworkSpec): ResolvedSpec {
  check(spec && typeof spec === 'object', 'createNetwork: expected a spec object');
  checkKeys(spec, SPEC_KEYS, 'createNetwork');
  check(isPosInt(spec.inputSize), `createNetwork: inputSize must be a positive integer, got ${String(spec.inputSize)}`);
  check(Array.isArray(spec.layers) && spec.layers.length > 0, 'createNetwork: layers must be a non-empty array of { units, activation? }');
  spec.layers.forEach((l, i) => {
    check(l && typeof l === 'object', `createNetwork: layer ${i + 1} must be an object { units, activation? }`);
    checkKeys(l, ['units', 'activation'], `createNetwork: layer ${i + 1}`);
    check(isPosInt(l.units), `createNetwork: layer ${i + 1}: units must be a positive integer, got ${String(l.units)}`);
    if (l.activation !== undefined) oneOf(l.activation, ACTIVATIONS, `activation in layer ${i + 1}`);
  });
  const last = spec.layers[spec.layers.length - 1];
  let loss = spec.loss === undefined ? undefined : oneOf(spec.loss, LOSSES, 'loss');
  // Defaults that pair up: softmax ↔ cross-entropy, sigmoid ↔ binary cross-entropy.
  const outAct: Activation = last.activation ??
    (loss === 'cross-entropy' ? 'softmax' : loss === 'binary-cross-entropy' ? 'sigmoid' : 'linear');
  loss ??= outAct === 'softmax' ? 'cross-entropy' : 'mse';
  if (loss === 'cross-entropy')
    check(outAct === 'softmax', `createNetwork: loss 'cross-entropy' needs a softmax output layer, got '${outAct}' (use 'binary-cross-entropy' for sigmoid outputs)`);
  if (loss === 'binary-cross-entropy')
    check(outAct === 'sigmoid' || outAct === 'softmax', `createNetwork: loss 'binary-cross-entropy' needs a sigmoid or softmax output layer, got '${outAct}'`);
  if (outAct === 'softmax') check(last.units >= 2, 'createNetwork: a softmax output layer needs at least 2 units');
  const layers = spec.layers.map((l, i) => ({
    units: l.units,
    activation: i === spec.layers.length - 1 ? outAct : (l.activation ?? 'relu') as Activation,
  }));

  const o = typeof spec.optimizer === 'object' && spec.optimizer !== null ? spec.optimizer : { type: spec.optimizer ?? 'adam' };
  checkKeys(o, OPT_KEYS, 'optimizer');
  const type = oneOf(o.type, OPTIMIZERS, 'optimizer');
  const lr = o.learningRate ?? spec.learningRate ?? (type === 'adam' ? 0.001 : 0.01);
  check(finiteIn(lr, 0, Infinity, true), `learningRate must be a positive number, got ${String(lr)}`);
  const optimizer = {
    type, learningRate: lr,
    momentum: o.momentum ?? 0.9,
    nesterov: o.nesterov ?? type === 'nesterov',
    beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, epsilon: o.epsilon ?? 1e-8,
  };
  check(finiteIn(optimizer.momentum, 0, 1, false, true), `optimizer: momentum must be in [0, 1), got ${String(optimizer.momentum)}`);
  check(finiteIn(optimizer.beta1, 0, 1, false, true), `optimizer: beta1 must be in [0, 1), got ${String(optimizer.beta1)}`);
  check(finiteIn(optimizer.beta2, 0, 1, false, true), `optimizer: beta2 must be in [0, 1), got ${String(optimizer.beta2)}`);
  check(finiteIn(optimizer.epsilon, 0, Infinity, true), `optimizer: epsilon must be a positive number, got ${String(optimizer.epsilon)}`);
  check(typeof optimizer.nesterov === 'boolean', 'optimizer: nesterov must be true or false');

  const init = spec.init === undefined ? null : oneOf(spec.init, INITS, 'init');
  const l2 = spec.l2 ?? 0;
  check(finiteIn(l2, 0, Infinity), `l2 must be a non-negative number, got ${String(l2)}`);
  const seed = spec.seed ?? 0;
  check(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff, `seed must be an integer in [0, 2^32), got ${String(seed)}`);
  if (spec.backend !== undefined) oneOf(spec.backend, ALL_BACKENDS, 'backend');
  return { inputSize: spec.inputSize, layers, loss, optimizer, init, l2, seed };
}

/** The init a layer gets: the spec's, or he for relu-like layers and xavier otherwise. */
export function layerInit(spec: ResolvedSpec, activation: Activation): Init {
  return spec.init ?? (activation === 'relu' || activation === 'leaky-relu' ? 'he' : 'xavier');
}
