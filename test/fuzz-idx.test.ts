// Property-based tests of the IDX reader (src/mnist.ts: readIdx), against a
// reference written from the format's definition: a big-endian magic number
// 0x000008NN (unsigned bytes, NN ≥ 1 dimensions), NN big-endian u32
// dimensions, then exactly their product in bytes. Valid IDX buffers are
// damaged (header bytes, dimension counts, the type and dimension bytes,
// truncation, extra bytes, a gzip signature) and read from any byte offset of
// a larger buffer; the reader returns exactly the reference's shape and a view
// of exactly its data bytes, or a one-line BackpropError naming the file —
// quickly, whatever sizes the header claims. Seed and run counts: test/fuzz-config.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackpropError } from '../src/errors.js';
import { readIdx } from '../src/mnist.js';
import { checkProperty, timed, timeout } from './fuzz-config.js';

const FILE = 'digits.idx';

/** The reference reading: the shape and where the data starts, or null when the bytes are not a valid IDX file of unsigned bytes. */
function reference(b: Uint8Array): { shape: number[]; start: number } | null {
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0 || b[2] !== 0x08 || b[3] === 0) return null;
  const ndim = b[3], start = 4 + 4 * ndim;
  if (b.length < start) return null;
  const shape: number[] = [];
  let size = 1n;
  for (let i = 0; i < ndim; i++) {
    const o = 4 + 4 * i;
    const d = ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
    shape.push(d);
    size *= BigInt(d);
  }
  return BigInt(b.length - start) === size ? { shape, start } : null;
}

/** A valid IDX file: 1–4 dimensions of 0–7, random data. */
const validIdx = fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 4 }).chain((dims) =>
  fc.uint8Array({ minLength: dims.reduce((a, b) => a * b, 1), maxLength: dims.reduce((a, b) => a * b, 1) }).map((data) => {
    const b = new Uint8Array(4 + 4 * dims.length + data.length);
    const v = new DataView(b.buffer);
    v.setUint32(0, 0x00000800 + dims.length);
    dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
    b.set(data, 4 + 4 * dims.length);
    return b;
  }));

type Damage =
  | { kind: 'byte'; at: number; value: number; header: boolean }
  | { kind: 'dimension'; which: number; value: number }
  | { kind: 'type'; value: number }
  | { kind: 'ndim'; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'gzip' };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), header: fc.boolean() }),
  fc.record({ kind: fc.constant('dimension' as const), which: fc.nat(),
    value: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom(0xffffffff, 0x80000000, 0x7fffffff, 65536, 2 ** 24 + 1), fc.integer({ min: 0, max: 0xffffffff })) }),
  fc.record({ kind: fc.constant('type' as const), value: fc.oneof(fc.constantFrom(0x09, 0x0b, 0x0c, 0x0d, 0x0e), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('ndim' as const), value: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
  fc.record({ kind: fc.constant('gzip' as const) }),
);

function apply(b: Uint8Array, d: Damage): Uint8Array {
  const out = b.slice();
  switch (d.kind) {
    case 'byte': {
      if (out.length === 0) return out;
      const span = d.header ? Math.min(out.length, 4 + 4 * 4) : out.length;
      out[d.at % span] = d.value;
      return out;
    }
    case 'dimension': {
      const ndim = out.length >= 4 ? out[3] : 0;
      const o = 4 + 4 * (d.which % Math.max(1, ndim));
      if (o + 4 <= out.length) new DataView(out.buffer).setUint32(o, d.value >>> 0);
      return out;
    }
    case 'type': if (out.length > 2) out[2] = d.value; return out;
    case 'ndim': if (out.length > 3) out[3] = d.value; return out;
    case 'truncate': return out.slice(0, d.at % (out.length + 1));
    case 'append': { const r = new Uint8Array(out.length + d.bytes.length); r.set(out); r.set(d.bytes, out.length); return r; }
    case 'gzip': if (out.length >= 2) { out[0] = 0x1f; out[1] = 0x8b; } return out;
  }
}

/** The bytes as readIdx may receive them: a Uint8Array at some offset of a larger buffer, or a whole ArrayBuffer. */
const placement = fc.record({ asArrayBuffer: fc.boolean(), before: fc.integer({ min: 0, max: 9 }), after: fc.integer({ min: 0, max: 9 }) });
function place(b: Uint8Array, p: { asArrayBuffer: boolean; before: number; after: number }): { input: Uint8Array | ArrayBuffer; offset: number } {
  if (p.asArrayBuffer) return { input: b.slice().buffer, offset: 0 };
  const big = new Uint8Array(p.before + b.length + p.after).fill(0xee);
  big.set(b, p.before);
  return { input: big.subarray(p.before, p.before + b.length), offset: p.before };
}

function check(b: Uint8Array, p: { asArrayBuffer: boolean; before: number; after: number }): void {
  const want = reference(b);
  const { input, offset } = place(b, p);
  const r = timed(() => readIdx(input, { file: FILE }));
  expect(r.ms, `${r.ms.toFixed(1)} ms`).toBeLessThan(250); // microseconds in fact; a GC pause or a busy machine is not a hang
  if (want === null) {
    if (!(r.error instanceof BackpropError)) {
      throw new Error(`expected a BackpropError for [${Array.from(b.subarray(0, 40))}${b.length > 40 ? ', …' : ''}] (${b.length} bytes), got ${r.error === undefined ? `a result of shape ${JSON.stringify(r.value!.shape)}` : String(r.error)}`);
    }
    expect(r.error.message.startsWith(`${FILE}: `), r.error.message).toBe(true);
    expect(r.error.message).not.toMatch(/[\r\n]/);
    return;
  }
  if (r.error !== undefined) throw new Error(`a valid IDX file of shape ${JSON.stringify(want.shape)} was refused: ${String(r.error)}`);
  const { shape, data } = r.value!;
  expect(shape).toEqual(want.shape);
  expect(Array.from(data)).toEqual(Array.from(b.subarray(want.start)));
  // a view of the input, not a copy
  const buffer = input instanceof ArrayBuffer ? input : input.buffer;
  expect(data.buffer).toBe(buffer);
  expect(data.byteOffset).toBe(offset + want.start);
}

describe('readIdx', () => {
  it('valid files read back exactly, from any offset of a larger buffer', async () => {
    await checkProperty(fc.property(validIdx, placement, (b, p) => {
      expect(reference(b)).not.toBeNull();
      check(b, p);
    }), 500);
  }, timeout(60_000));

  it('damaged files (1–3 changes): a BackpropError naming the file, or exactly what the bytes say', async () => {
    let valid = 0, total = 0; // runs whose damaged bytes are still a valid file
    await checkProperty(fc.property(validIdx, fc.array(damage, { minLength: 1, maxLength: 3 }), placement, (b, damages, p) => {
      const d = damages.reduce(apply, b);
      check(d, p);
      total++; if (reference(d)) valid++;
    }), 2500);
    // not vacuous: some damage leaves a valid file (data bytes, consistent sizes), most does not
    if (total >= 1000) {
      expect(valid).toBeGreaterThan(0);
      expect(valid).toBeLessThan(total / 2);
    }
  }, timeout(60_000));

  it('arbitrary bytes, and headers that claim huge sizes: refused quickly (or read, if by chance valid)', async () => {
    const hugeHeader = fc.array(fc.oneof(fc.constantFrom(0xffffffff, 0x80000000, 2 ** 24, 60000), fc.integer({ min: 0, max: 0xffffffff })), { minLength: 1, maxLength: 8 })
      .chain((dims) => fc.uint8Array({ maxLength: 64 }).map((tail) => {
        const b = new Uint8Array(4 + 4 * dims.length + tail.length);
        const v = new DataView(b.buffer);
        v.setUint32(0, 0x00000800 + dims.length);
        dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
        b.set(tail, 4 + 4 * dims.length);
        return b;
      }));
    await checkProperty(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), hugeHeader), placement, (b, p) => check(b, p)), 1000);
  }, timeout(60_000));
});
