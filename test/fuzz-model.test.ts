// Property-based tests of model files (src/model.ts: loadNetwork).
//
// Start from valid toJSON() output and damage it — fields removed, values of the
// wrong type, numbers out of range, arrays of the wrong length, huge sizes, bad
// base64, NaN/Infinity weights, unknown keys, edits of the JSON text — then load
// it. The result is a BackpropError, or a network that predicts exactly (bit for
// bit, same backend) what the original does, with metadata that passed the same
// checks as a clean file's. A model that claims absurd sizes is refused quickly
// and before any arena is allocated. Seed and run counts: test/fuzz-config.ts.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFloat32, decodeFloat32 } from '../src/base64.js';
import { BACKENDS, type BackendName } from '../src/backends/index.js';
import { BackpropError } from '../src/errors.js';
import { matrix, type Matrix } from '../src/matrix.js';
import { loadNetwork } from '../src/model.js';
import { createNetwork, type Network } from '../src/network.js';
import type { NetworkSpec } from '../src/spec.js';
import { Rng } from '../src/random.js';
import { anyUtf16, bits, checkProperty, timedAsync, timeout } from './fuzz-config.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

// Non-default activations everywhere: a loader that silently fills in a default
// for a missing activation would build a different network, and the property sees it.
const BASES: { spec: NetworkSpec; metadata: Record<string, unknown> }[] = [
  {
    spec: { inputSize: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 4, activation: 'leaky-relu' }, { units: 2, activation: 'sigmoid' }],
      loss: 'binary-cross-entropy', optimizer: { type: 'momentum', learningRate: 0.05, nesterov: true }, init: 'xavier', l2: 0.001, seed: 7 },
    metadata: { featureNames: ['a', 'b', 'c'], classNames: ['no', 'yes'], standardizer: { mean: [1, -2, 0.5], std: [1, 0.25, 0] } },
  },
  {
    spec: { inputSize: 4, layers: [{ units: 6, activation: 'sigmoid' }, { units: 3, activation: 'softmax' }], loss: 'cross-entropy', optimizer: 'adam', seed: 3 },
    metadata: { classNames: ['setosa', 'versicolor', 'virginica'] },
  },
  {
    spec: { inputSize: 2, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'mse', optimizer: 'sgd', learningRate: 0.1, init: 'uniform', seed: 1 },
    metadata: { classNames: ['0', '1'], note: 'trained from the CLI' },
  },
];

/** A valid model file, inputs to predict on, and the original network's predictions on every backend. */
interface Base { json: Json; x: Matrix; predictions: Map<BackendName, number[]> }

const clone = <T>(v: T): T => structuredClone(v);

/** Every path into a JSON value (the root excluded), depth first. */
function pathsOf(v: Json, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(v)) v.forEach((e, i) => { out.push([...prefix, i], ...pathsOf(e, [...prefix, i])); });
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) out.push([...prefix, k], ...pathsOf(v[k], [...prefix, k]));
  return out;
}
const parentOf = (root: Json, path: Path): Json => path.slice(0, -1).reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], root);
const getAt = (root: Json, path: Path): Json => path.reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], root);
function setAt(root: Json, path: Path, value: Json): void {
  const parent = parentOf(root, path) as Record<string | number, Json>;
  Object.defineProperty(parent, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
}
function removeAt(root: Json, path: Path): void {
  const parent = parentOf(root, path);
  const key = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string, Json>)[key as string];
}
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

// Values a field may be replaced with; non-JSON ones (NaN, ±Infinity, −0) only reach
// loadNetwork when the object is passed as is, not as text.
const ODD_VALUES: unknown[] = [null, true, false, 0, -0, -1, 0.5, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e9, 1e15, 1e308, -1e308,
  NaN, Infinity, -Infinity, '', 'x', '1', 'relu', 'AAAA', [], [1], [null], {}, { units: 1 }, { a: 1 }];
const HUGE = [2 ** 20, 2 ** 24 + 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 40, 2 ** 53 - 1, 1e15, 1e21, 1e308];

type Mutation =
  | { kind: 'remove'; pick: number }
  | { kind: 'replace'; pick: number; value: number }
  | { kind: 'length'; pick: number; how: 'drop' | 'dup' | 'empty' | 'append' }
  | { kind: 'base64'; pick: number; how: 'badChar' | 'dropChar' | 'addChar' | 'padding' | 'unpad' | 'double' | 'empty' | 'space'; at: number; char: string }
  | { kind: 'nonFinite'; pick: number; at: number; value: number }
  | { kind: 'addKey'; pick: number; key: string; value: number }
  | { kind: 'huge'; pick: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: fc.nat() }),
  fc.record({ kind: fc.constant('length' as const), pick: fc.nat(), how: fc.constantFrom('drop' as const, 'dup' as const, 'empty' as const, 'append' as const) }),
  fc.record({ kind: fc.constant('base64' as const), pick: fc.nat(),
    how: fc.constantFrom('badChar' as const, 'dropChar' as const, 'addChar' as const, 'padding' as const, 'unpad' as const, 'double' as const, 'empty' as const, 'space' as const),
    at: fc.nat(), char: fc.constantFrom('!', '-', '_', '.', '\n', ' ', 'é', '\0', '=', '😀') }),
  fc.record({ kind: fc.constant('nonFinite' as const), pick: fc.nat(), at: fc.nat(), value: fc.constantFrom(NaN, Infinity, -Infinity) }),
  fc.record({ kind: fc.constant('addKey' as const), pick: fc.nat(), value: fc.nat(),
    key: fc.constantFrom('extra', '__proto__', 'constructor', 'toString', 'units', 'activation', 'type', 'weights', 'mean', 'featureNames') }),
  fc.record({ kind: fc.constant('huge' as const), pick: fc.nat(), value: fc.nat() }),
);

/** Applies one mutation in place and says what it did, or returns null when it does not apply
 *  to this (already damaged) model. */
function mutate(root: Json, m: Mutation, edited = new Set<string>()): string | null {
  const r = mutateIn(root, m, edited);
  return r === false ? null : `${m.kind} at ${r.join('.') || '(root)'}`;
}

function mutateIn(root: Json, m: Mutation, edited: Set<string>): Path | false {
  const all = pathsOf(root);
  const choose = (paths: Path[]) => (paths.length ? paths[m.pick % paths.length] : undefined);
  const base64Paths = () => all.filter((p) => p[0] === 'weights' && p.length === 3 && typeof getAt(root, p) === 'string');
  switch (m.kind) {
    case 'remove': {
      const p = choose(all);
      if (!p) return false;
      removeAt(root, p);
      return p;
    }
    case 'replace': {
      const p = choose(all);
      if (!p) return false;
      const before = getAt(root, p);
      // a value of another type, or another number for a number
      const pool = ODD_VALUES.filter((v) => typeOf(v) !== typeOf(before) || (typeof v === 'number' && !Object.is(v, before)));
      setAt(root, p, clone(pool[m.value % pool.length]) as Json);
      return p;
    }
    case 'length': {
      const p = choose([[], ...all].filter((q) => Array.isArray(q.length ? getAt(root, q) : root)));
      if (!p) return false;
      const a = getAt(root, p) as Json[];
      if (m.how === 'drop') a.pop();
      else if (m.how === 'dup') a.push(clone(a[a.length - 1] ?? null));
      else if (m.how === 'empty') a.length = 0;
      else a.push(null);
      return p;
    }
    case 'base64': {
      // one edit per string: a character dropped and another added would make valid, different weights
      const p = choose(base64Paths().filter((q) => !edited.has(q.join('.'))));
      if (!p) return false;
      edited.add(p.join('.'));
      const s = getAt(root, p) as string;
      const i = m.at % (s.length + 1);
      const out = {
        badChar: s.slice(0, i) + m.char + s.slice(i + 1),
        dropChar: s.slice(0, i) + s.slice(i + 1),
        addChar: s.slice(0, i) + 'A' + s.slice(i),
        padding: s + '====',
        unpad: s.replace(/=+$/, ''),
        double: s + s,
        empty: '',
        space: s.slice(0, i) + ' ' + s.slice(i),
      }[m.how];
      if (out === s) return false;
      setAt(root, p, out);
      return p;
    }
    case 'nonFinite': {
      const p = choose(base64Paths());
      if (!p) return false;
      const s = getAt(root, p) as string;
      let values: Float32Array;
      try { values = decodeFloat32(s, (s.replace(/=+$/, '').length * 6) >> 5, 'test'); } catch { return false; }
      if (values.length === 0) return false;
      values[m.at % values.length] = m.value;
      setAt(root, p, encodeFloat32(values));
      return p;
    }
    case 'addKey': {
      const objects = [[], ...all].filter((q) => typeOf(q.length ? getAt(root, q) : root) === 'object');
      const p = choose(objects);
      if (!p) return false;
      const target = (p.length ? getAt(root, p) : root) as Record<string, Json>;
      // never a valid activation: a new valid one would be a different model, not a damaged one
      const pool: Json[] = [null, 1, 'x', [], {}, true, { featureNames: [1, 2] }, { standardizer: { mean: 'x' } }];
      Object.defineProperty(target, m.key, { value: clone(pool[m.value % pool.length]), enumerable: true, writable: true, configurable: true });
      return [...p, m.key];
    }
    case 'huge': {
      const sizes = all.filter((q) => q[q.length - 1] === 'units' || (q.length === 1 && q[0] === 'inputSize'));
      const p = choose(sizes);
      if (!p) return false;
      setAt(root, p, HUGE[m.value % HUGE.length]);
      return p;
    }
  }
}

/** Edits of the JSON text that keep no promise of valid JSON: one character deleted, inserted or
 *  everything after it cut off, then whitespace inserted anywhere. (Two arbitrary edits could
 *  delete a base64 character and insert another in the same string: a valid, different model.) */
const textEdit = fc.record({ how: fc.constantFrom('delete', 'insert', 'cut'), at: fc.nat(), char: fc.constantFrom(' ', '1', '0', '-', '"', ',', '}', ']', '[', 'e', 'x', '\n', 'A') });
const whitespaceEdit = fc.record({ how: fc.constant('insert'), at: fc.nat(), char: fc.constantFrom(' ', '\n', '\t', '\r') });
function editText(text: string, e: { how: string; at: number; char: string }): string {
  const i = e.at % (text.length + 1);
  return e.how === 'delete' ? text.slice(0, i) + text.slice(i + 1) : e.how === 'insert' ? text.slice(0, i) + e.char + text.slice(i) : text.slice(0, i);
}

/** What loadNetwork promises about metadata it accepts: the checks a clean file's fields pass. */
function expectCheckedMetadata(net: Network): void {
  const md = net.metadata;
  // a plain (or null-prototype) object: a "__proto__" key in the file must not become its prototype,
  // or featureNames, classNames and standardizer would be inherited from there, unchecked
  expect([Object.prototype, null], 'the prototype of net.metadata').toContain(Object.getPrototypeOf(md));
  if (md.featureNames !== undefined) {
    expect(Array.isArray(md.featureNames) && md.featureNames.length === net.inputSize && md.featureNames.every((s) => typeof s === 'string')).toBe(true);
  }
  if (md.classNames !== undefined) {
    expect(Array.isArray(md.classNames) && md.classNames.every((s) => typeof s === 'string')).toBe(true);
    expect(md.classNames.length).toBe(net.outputSize === 1 ? 2 : net.outputSize);
  }
  if (md.standardizer !== undefined) {
    const { mean, std } = md.standardizer;
    for (const v of [mean, std]) expect(Array.isArray(v) && v.length === net.inputSize && v.every(Number.isFinite)).toBe(true);
  }
}

function expectBackpropError(error: unknown): string {
  if (!(error instanceof BackpropError)) {
    throw new Error(`expected a BackpropError, got ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
  }
  expect(error.message).not.toMatch(/[\r\n]/);
  return error.message;
}

/** Counts WebAssembly memories created while `fn` runs: the arena of every wasm backend is one. */
async function countingMemories<T>(fn: () => Promise<T>): Promise<{ memories: number; result: Awaited<ReturnType<typeof timedAsync<T>>> }> {
  const Original = WebAssembly.Memory;
  let memories = 0;
  const Counting = new Proxy(Original, { construct(target, args) { memories++; return Reflect.construct(target, args); } });
  Object.defineProperty(WebAssembly, 'Memory', { value: Counting, configurable: true, writable: true });
  try {
    const result = await timedAsync(fn);
    return { memories, result };
  } finally {
    Object.defineProperty(WebAssembly, 'Memory', { value: Original, configurable: true, writable: true });
  }
}

describe('model files', () => {
  const bases: Base[] = [];

  beforeAll(async () => {
    const rng = new Rng(99);
    for (const { spec, metadata } of BASES) {
      const net = await createNetwork(spec);
      // a few steps, so that the weights are not just the seeded initial ones
      const n = 12, out = net.outputSize;
      const x = matrix(n, spec.inputSize, Float32Array.from({ length: n * spec.inputSize }, () => rng.float() * 4 - 2));
      const y = Int32Array.from({ length: n }, (_, i) => i % (out === 1 ? 2 : out));
      await net.fit(x, y, { epochs: 3, batchSize: 4 });
      net.metadata = clone(metadata);
      const json = JSON.parse(JSON.stringify(net.toJSON())) as Json;
      const predictions = new Map<BackendName, number[]>();
      for (const backend of BACKENDS) {
        const loaded = await loadNetwork(clone(json) as object, { backend });
        predictions.set(backend, bits(loaded.predict(x).data));
        loaded.dispose();
      }
      net.dispose();
      bases.push({ json, x, predictions });
    }
  });

  /** Loads damaged input: a BackpropError, or a network that predicts exactly what the original does. */
  async function checkLoad(base: Base, input: string | object, backend: BackendName, what = 'the file'): Promise<void> {
    const r = await timedAsync(() => loadNetwork(input, { backend }));
    expect(r.ms, `${r.ms.toFixed(1)} ms`).toBeLessThan(2000);
    if (r.error !== undefined) { expectBackpropError(r.error); return; }
    const net = r.value!;
    try {
      expect(bits(net.predict(base.x).data), `${what} loads, so it must predict what the original did`).toEqual(base.predictions.get(backend));
      expectCheckedMetadata(net);
    } finally {
      net.dispose();
    }
  }

  const backendArb = fc.constantFrom(...BACKENDS);
  const baseArb = fc.nat().map((i) => i % BASES.length);

  it('the undamaged files load and predict exactly as the originals, as text and as objects', async () => {
    for (const base of bases) for (const backend of BACKENDS) {
      await checkLoad(base, JSON.stringify(base.json), backend);
      await checkLoad(base, clone(base.json) as object, backend);
    }
  });

  it('damaged files (1–3 mutations): a BackpropError, or the same predictions', async () => {
    await checkProperty(
      fc.asyncProperty(baseArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), backendArb, fc.boolean(), async (b, mutations, backend, asText) => {
        const base = bases[b];
        const json = clone(base.json);
        const edited = new Set<string>();
        const done = mutations.map((m) => mutate(json, m, edited)).filter((d) => d !== null).join(', ');
        // as text, NaN and ±Infinity become null, as JSON.stringify writes them
        await checkLoad(base, asText ? JSON.stringify(json) : (json as object), backend, `the file with ${done}`);
      }),
      1500,
    );
  }, timeout(60_000));

  it('unknown keys anywhere ("__proto__" included): a BackpropError, or the same predictions and checked metadata', async () => {
    await checkProperty(
      fc.asyncProperty(baseArb, fc.array(mutation.filter((m) => m.kind === 'addKey'), { minLength: 1, maxLength: 3 }), backendArb, fc.boolean(), async (b, mutations, backend, asText) => {
        const base = bases[b];
        const json = clone(base.json);
        const done = mutations.map((m) => mutate(json, m)).filter((d) => d !== null).join(', ');
        await checkLoad(base, asText ? JSON.stringify(json) : (json as object), backend, `the file with ${done}`);
      }),
      300,
    );
  }, timeout(60_000));

  it('edits of the JSON text: a BackpropError, or the same predictions', async () => {
    await checkProperty(
      fc.asyncProperty(baseArb, fc.tuple(textEdit, fc.array(whitespaceEdit, { maxLength: 2 })), backendArb, async (b, [edit, spaces], backend) => {
        const edits = [edit, ...spaces];
        const base = bases[b];
        let text = JSON.stringify(base.json, null, spaces.length === 1 ? 1 : undefined);
        for (const e of edits) text = editText(text, e);
        await checkLoad(base, text, backend, `the text ${JSON.stringify(text)}`);
      }),
      800,
    );
  }, timeout(60_000));

  it('arbitrary JSON values and strings are refused with a BackpropError', async () => {
    await checkProperty(
      fc.asyncProperty(fc.oneof(fc.json({ maxDepth: 3 }), anyUtf16(200), fc.jsonValue({ maxDepth: 3 }).map((v) => ({ format: 'backprop-wasm', version: 1, ...(typeof v === 'object' && v && !Array.isArray(v) ? v : { v }) }))), async (input) => {
        const r = await timedAsync(() => loadNetwork(input as string | object));
        if (r.error === undefined) { r.value!.dispose(); throw new Error(`loaded a model from ${JSON.stringify(input).slice(0, 200)}`); }
        expectBackpropError(r.error);
      }),
      500,
    );
  }, timeout(60_000));

  it('a model claiming absurd sizes is refused at once, before any arena is allocated', async () => {
    await checkProperty(
      fc.asyncProperty(baseArb, fc.array(fc.record({ pick: fc.nat(), value: fc.nat() }), { minLength: 1, maxLength: 3 }), backendArb, fc.boolean(),
        async (b, claims, backend, asText) => {
          const base = bases[b];
          const json = clone(base.json);
          const done = claims.map((c) => mutate(json, { kind: 'huge', ...c })).join(', ');
          const before = process.memoryUsage().arrayBuffers;
          const { memories, result } = await countingMemories(() => loadNetwork(asText ? JSON.stringify(json) : (json as object), { backend }));
          const message = expectBackpropError(result.error);
          expect(message, done).toMatch(/^model: (([\d.e+]+|Infinity) parameters is more than this library loads|layer \d+ (weights|bias): expected \d+ float32 values)/);
          expect(memories, 'WebAssembly memories created').toBe(0);
          expect(process.memoryUsage().arrayBuffers - before, 'array-buffer bytes allocated').toBeLessThan(1 << 20);
          expect(result.ms, `refused in ${result.ms.toFixed(1)} ms`).toBeLessThan(250); // well under 1 ms in fact
        }),
      500,
    );
  }, timeout(60_000));

  it('a loaded model saves and loads again to the same predictions', async () => {
    await checkProperty(
      fc.asyncProperty(baseArb, fc.array(mutation.filter((m) => m.kind === 'addKey' || m.kind === 'remove'), { maxLength: 2 }), backendArb, async (b, mutations, backend) => {
        const base = bases[b];
        const json = clone(base.json);
        const done = mutations.map((m) => mutate(json, m)).filter((d) => d !== null).join(', ');
        const r = await timedAsync(() => loadNetwork(JSON.stringify(json), { backend }));
        if (r.error !== undefined) { expectBackpropError(r.error); return; }
        const saved = JSON.stringify(r.value!.toJSON());
        r.value!.dispose();
        await checkLoad(base, saved, backend, `saved after loading the file with ${done || 'no change'}`);
      }),
      300,
    );
  }, timeout(60_000));
});
