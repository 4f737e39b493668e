// Model files: `JSON.stringify(net.toJSON())`. Everything read back is
// checked before anything is allocated, so a corrupt or hostile file gives one
// BackpropError line, never a crash or a giant allocation.
import type { BackendName } from './backends/index.js';
import { decodeFloat32, encodeFloat32 } from './base64.js';
import { BackpropError, check } from './errors.js';
import { createNetwork, type ModelMetadata, type Network } from './network.js';
import type { NetworkSpec } from './spec.js';

export const MODEL_FORMAT = 'backprop-wasm';
export const MODEL_VERSION = 1;
/** Refuse models with more parameters than this (1 GiB of f32) before allocating. */
const MAX_PARAMS = 1 << 28;

export interface ModelJSON {
  format: typeof MODEL_FORMAT;
  version: number;
  inputSize: number;
  layers: { units: number; activation: string }[];
  loss: string;
  optimizer: Record<string, unknown>;
  init: string | null;
  l2: number;
  seed: number;
  weights: { weights: string; bias: string }[];
  featureNames?: string[];
  classNames?: string[];
  standardizer?: { mean: number[]; std: number[] };
  [extra: string]: unknown;
}

export function modelToJSON(net: Network): ModelJSON {
  const s = net.spec;
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    inputSize: s.inputSize,
    layers: s.layers.map((l) => ({ ...l })),
    loss: s.loss,
    optimizer: { ...s.optimizer },
    init: s.init,
    l2: s.l2,
    seed: s.seed,
    weights: net.getWeights().map((w) => ({ weights: encodeFloat32(w.weights), bias: encodeFloat32(w.bias) })),
    ...structuredClone(net.metadata),
  };
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A model file's object, from its JSON text or the object itself, checked for the format and the
 *  version; every loader (feed-forward, recurrent, fixed-point) then checks its kind and fields. */
export function modelObject(json: string | object): Record<string, unknown> {
  let m: unknown = json;
  if (typeof json === 'string') {
    try { m = JSON.parse(json); } catch (e) { throw new BackpropError(`model: not valid JSON (${(e as Error).message})`); }
  }
  check(isObj(m), 'model: expected a JSON object');
  check(m.format === MODEL_FORMAT, `model: not a backprop-wasm model (format is ${JSON.stringify(m.format) ?? 'missing'})`);
  check(m.version === MODEL_VERSION, `model: unsupported version ${JSON.stringify(m.version)} (this library reads version ${MODEL_VERSION})`);
  return m;
}

export async function loadNetwork(json: string | object, options: { backend?: BackendName } = {}): Promise<Network> {
  const m = modelObject(json);
  check(m.kind === undefined, m.kind === 'elman' ? 'model: this is a recurrent (Elman) model: load it with loadRecurrentNetwork'
    : m.kind === 'fixed-point' ? 'model: this is a fixed-point network: load it with loadFixedPointNetwork'
    : `model: unknown kind ${JSON.stringify(m.kind)} (a feed-forward model has none)`);
  check(Number.isInteger(m.inputSize) && (m.inputSize as number) >= 1, 'model: inputSize must be a positive integer');
  check(Array.isArray(m.layers) && m.layers.length >= 1, 'model: layers must be a non-empty array');
  const layers = m.layers as unknown[];
  let inputs = m.inputSize as number, params = 0;
  check(typeof m.loss === 'string', 'model: loss must be a string');
  layers.forEach((l, i) => {
    check(isObj(l) && Number.isInteger(l.units) && (l.units as number) >= 1, `model: layer ${i + 1} needs a positive integer units`);
    // no defaults here: a missing activation would load as a different network
    check(typeof l.activation === 'string', `model: layer ${i + 1} needs an activation`);
    params += inputs * (l.units as number) + (l.units as number);
    inputs = l.units as number;
  });
  check(params <= MAX_PARAMS, `model: ${params} parameters is more than this library loads (${MAX_PARAMS})`);
  check(Array.isArray(m.weights) && m.weights.length === layers.length, `model: weights must hold ${layers.length} layers`);
  check(isObj(m.optimizer), 'model: optimizer must be an object');
  const spec: NetworkSpec = {
    inputSize: m.inputSize as number,
    layers: layers.map((l) => ({ units: (l as { units: number }).units, activation: (l as { activation: never }).activation })),
    loss: m.loss as never,
    optimizer: m.optimizer as never,
    init: (m.init ?? undefined) as never,
    l2: m.l2 as never,
    seed: m.seed as never,
    backend: options.backend,
  };
  // decode every tensor before creating the network: a bad one fails fast
  inputs = spec.inputSize;
  const weights = (m.weights as unknown[]).map((w, i) => {
    check(isObj(w), `model: weights of layer ${i + 1} must be { weights, bias }`);
    const units = spec.layers[i].units;
    const out = {
      weights: decodeFloat32(w.weights, inputs * units, `model: layer ${i + 1} weights`),
      bias: decodeFloat32(w.bias, units, `model: layer ${i + 1} bias`),
    };
    inputs = units;
    return out;
  });
  const metadata = readMetadata(m, spec.inputSize, spec.layers[spec.layers.length - 1].units);
  const net = await createNetwork(spec);
  net.setWeights(weights);
  net.metadata = metadata;
  return net;
}

function readMetadata(m: Record<string, unknown>, inputs: number, outputs: number): ModelMetadata {
  const md: ModelMetadata = {};
  const strings = (v: unknown, n: number | null, what: string): string[] => {
    check(Array.isArray(v) && v.every((s) => typeof s === 'string') && (n === null || v.length === n),
      `model: ${what} must be ${n === null ? 'an array' : n} of strings`);
    return v as string[];
  };
  if (m.featureNames !== undefined) md.featureNames = strings(m.featureNames, inputs, 'featureNames');
  if (m.classNames !== undefined) md.classNames = strings(m.classNames, null, 'classNames');
  if (md.classNames) check(md.classNames.length === (outputs === 1 ? 2 : outputs), `model: classNames has ${md.classNames.length} names for ${outputs} outputs`);
  if (m.standardizer !== undefined) {
    const s = m.standardizer;
    const nums = (v: unknown) => Array.isArray(v) && v.length === inputs && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    check(isObj(s) && nums(s.mean) && nums(s.std), `model: standardizer must be { mean, std } with ${inputs} finite numbers each`);
    md.standardizer = { mean: s.mean as number[], std: s.std as number[] };
  }
  // Extra keys (notes a caller stored) ride along as plain JSON: own properties only,
  // never __proto__, and not nested deeper than a sane document.
  for (const key of Object.keys(m)) {
    if (KNOWN.has(key)) continue;
    check(key !== '__proto__' && depth(m[key]) <= 32, `model: unsupported key ${JSON.stringify(key)}`);
    Object.defineProperty(md, key, { value: m[key], enumerable: true, writable: true, configurable: true });
  }
  return md;
}

/** Nesting depth of a JSON value, without recursion (a hostile file can nest deeper than the stack). */
function depth(v: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (d > max) max = d;
    if (d > 32) return d;
    if (x && typeof x === 'object') for (const c of Object.values(x)) stack.push([c, d + 1]);
  }
  return max;
}

const KNOWN = new Set(['format', 'version', 'kind', 'inputSize', 'layers', 'loss', 'optimizer', 'init', 'l2', 'seed', 'weights', 'featureNames', 'classNames', 'standardizer']);
