// Shared test helpers: one arena per backend, buffers placed at 16-byte
// aligned offsets, and comparisons with a stated tolerance.
import { expect } from 'vitest';
import { BACKENDS, createBackend, type Backend } from '../src/backends/index.js';
import { ARENA_BASE } from '../src/layout.js';
import { Rng } from '../src/random.js';
import { BackpropError } from '../src/errors.js';

export const ALL = BACKENDS;

export async function allBackends(bytes = 1 << 22): Promise<Backend[]> {
  return Promise.all(BACKENDS.map((b) => createBackend(b, bytes)));
}

/** Hands out aligned offsets in an arena, from the arena base up. */
export class Placer {
  private at = ARENA_BASE;
  take(count: number): number {
    const off = this.at;
    this.at += Math.ceil((count * 4) / 16) * 16 + 16;
    return off;
  }
}

export function put(be: Backend, off: number, data: ArrayLike<number>): void {
  new Float32Array(be.buffer(), off, data.length).set(data);
}
export function putI32(be: Backend, off: number, data: ArrayLike<number>): void {
  new Int32Array(be.buffer(), off, data.length).set(data);
}
export function get(be: Backend, off: number, n: number): Float32Array {
  return new Float32Array(be.buffer(), off, n).slice();
}

export function randomArray(rng: Rng, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.float();
  return a;
}

/** |x − ref| ≤ tol·max(1, |ref|) element-wise, reporting the first failure. */
export function expectClose(actual: ArrayLike<number>, ref: ArrayLike<number>, tol: number, what = ''): void {
  expect(actual.length, `${what} length`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(actual[i] - ref[i]);
    if (!(err <= tol * Math.max(1, Math.abs(ref[i])))) {
      expect.fail(`${what}[${i}]: ${actual[i]} vs reference ${ref[i]} (error ${err}, tolerance ${tol})`);
    }
  }
}

/** Sizes with n mod 4 ∈ {0,1,2,3}, n < 4, and a large case. */
export const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 13, 16, 17, 31, 33, 100];

/** The BackpropError message that `fn` throws (fails if it throws anything else or nothing). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BackpropError);
    return (e as Error).message;
  }
  throw new Error('expected a BackpropError, nothing was thrown');
}
