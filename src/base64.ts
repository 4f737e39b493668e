// Float32 arrays as base64 of their little-endian bytes: compact in JSON,
// exact, and the same in Node and browsers (no Buffer, no btoa).
import { BackpropError } from './errors.js';

const ABC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INV = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) INV[ABC.charCodeAt(i)] = i;
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function toBytes(a: Float32Array): Uint8Array {
  const bytes = new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  if (!littleEndian) for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return bytes;
}

export function encodeFloat32(a: Float32Array): string {
  return encodeBytes(toBytes(a));
}

/** Standard base64 (with padding) of any bytes: also what data: URLs hold. */
export function encodeBytes(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += ABC[n >> 18] + ABC[(n >> 12) & 63] + (i + 1 < b.length ? ABC[(n >> 6) & 63] : '=') + (i + 2 < b.length ? ABC[n & 63] : '=');
  }
  return s;
}

/** Decodes base64 into exactly `count` floats, or throws a BackpropError naming `what`. */
export function decodeFloat32(s: unknown, count: number, what: string): Float32Array {
  if (typeof s !== 'string') throw new BackpropError(`${what}: expected a base64 string`);
  const body = s.replace(/=+$/, '');
  const bytes = Math.floor((body.length * 6) / 8);
  if (s.length % 4 !== 0 || body.length > s.length || s.length - body.length > 2 || bytes !== count * 4)
    throw new BackpropError(`${what}: expected ${count} float32 values (${Math.ceil((count * 4) / 3) * 4} base64 characters), got ${s.length} characters`);
  const out = new Uint8Array(count * 4);
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? INV[c] : -1;
    if (v < 0) throw new BackpropError(`${what}: invalid base64 character at position ${i + 1}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 255; }
  }
  if (!littleEndian) for (let i = 0; i < out.length; i += 4) out.subarray(i, i + 4).reverse();
  return new Float32Array(out.buffer);
}
