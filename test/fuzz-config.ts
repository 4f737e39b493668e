// Shared settings of the property-based tests (test/fuzz-*.test.ts).
//
// CI runs every property with a fixed seed and a run count sized so that all
// fuzz files together take about 20 s on a 2-core machine. Locally:
//
//   FUZZ_RUNS=20000 npx vitest run test/fuzz-csv.test.ts    # that many runs per property
//   FUZZ_SEED=123 npx vitest run test/fuzz-*.test.ts         # another seed (default fixed)
//
// A failure prints the seed it ran with and the shrunk counterexample;
// FUZZ_SEED=<that seed> makes it the first seed tried, which replays the failure.
import fc from 'fast-check';

const envInt = (name: string): number | undefined => {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${v}'`);
  return n;
};

export const FUZZ_SEED = envInt('FUZZ_SEED') ?? 20261128;
export const FUZZ_RUNS = envInt('FUZZ_RUNS');

const CHUNK = 500;

/**
 * Runs a property `ciRuns` times (FUZZ_RUNS times when set) from the fixed seed, in chunks of
 * 500 runs with seeds FUZZ_SEED, FUZZ_SEED + 1, …, yielding to the event loop between chunks so
 * that a long local run of a synchronous property does not starve vitest's worker (its RPC
 * times out otherwise). A failure names the chunk's seed and fc's replay path.
 */
export async function checkProperty<Ts>(property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, ciRuns: number): Promise<void> {
  const total = FUZZ_RUNS ?? ciRuns;
  for (let done = 0, chunk = 0; done < total; done += CHUNK, chunk++) {
    await fc.assert(property as fc.IAsyncProperty<Ts>, { seed: FUZZ_SEED + chunk, numRuns: Math.min(CHUNK, total - done) });
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Vitest timeout for a property test: generous in CI, unlimited in practice for long local runs. */
export function timeout(ciMs: number): number {
  return FUZZ_RUNS === undefined ? ciMs : 2 ** 31 - 1;
}

/** Wall time of one call, in milliseconds, with its result or the error it threw. */
export function timed<T>(fn: () => T): { ms: number; value?: T; error?: unknown } {
  const t0 = performance.now();
  try {
    const value = fn();
    return { ms: performance.now() - t0, value };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

export async function timedAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - t0, value };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

/** Bit patterns of f32 values, for bit-for-bit comparisons (NaN payloads and −0 included). */
export const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Strings of arbitrary UTF-16 code units: lone surrogates, pairs, controls, anything. (fc's own
 *  `unit: 'binary'` does the same but costs 1.5 s to build on first use.) */
export const anyUtf16 = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength });
