// assembly/random.ts against its bit-for-bit twin src/random.ts, on every backend.
import { describe, expect, it } from 'vitest';
import { lnUnit, Rng, rngFloat24, rngGaussPair } from '../src/random.js';
import { allBackends, get, Placer, putI32 } from './helpers.js';

describe('random kernels', async () => {
  const backends = await allBackends();

  it('rng_uniform, rng_normal and rng_shuffle give the same bits on every backend and in src/random.ts', () => {
    for (const seed of [0, 1, 42, 0xffffffff]) {
      const r = new Rng(seed);
      const uni = Array.from({ length: 37 }, () => Math.fround(-0.5 + 1.5 * rngFloat24(r.state)));
      const pair: [number, number] = [0, 0];
      const nor: number[] = [];
      while (nor.length < 37) { rngGaussPair(r.state, pair); nor.push(Math.fround(0.3 * pair[0]), Math.fround(0.3 * pair[1])); }
      nor.length = 37;
      const perm = r.shuffle(Array.from({ length: 50 }, (_, i) => i));
      // the stream continues after an odd-length normal draw: the dropped value is not reused
      const after = r.next();
      for (const be of backends) {
        const P = new Placer();
        const st = P.take(4), pu = P.take(37), pn = P.take(37), pi = P.take(50);
        be.kernels.rng_seed(st, seed);
        be.kernels.rng_uniform(st, pu, 37, -0.5, 1);
        be.kernels.rng_normal(st, pn, 37, 0.3);
        putI32(be, pi, Array.from({ length: 50 }, (_, i) => i));
        be.kernels.rng_shuffle(st, pi, 50);
        expect(Array.from(get(be, pu, 37)), `${be.name} uniform seed ${seed}`).toEqual(uni);
        expect(Array.from(get(be, pn, 37)), `${be.name} normal seed ${seed}`).toEqual(nor);
        expect(Array.from(new Int32Array(be.buffer(), pi, 50)), `${be.name} shuffle seed ${seed}`).toEqual(perm);
        const state = new Uint32Array(be.buffer(), st, 4).slice();
        const twin = new Rng(0); twin.state.set(state);
        expect(twin.next(), `${be.name} state after`).toBe(after);
      }
    }
  });

  it('normal samples have mean 0 and std 1; uniform stays in [0, 1)', () => {
    const be = backends[0];
    const P = new Placer();
    const st = P.take(4), n = 20000, pn = P.take(n);
    be.kernels.rng_seed(st, 5);
    be.kernels.rng_normal(st, pn, n, 1);
    const x = get(be, pn, n);
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    be.kernels.rng_uniform(st, pn, n, 0, 1);
    const u = get(be, pn, n);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
  });

  it('lnUnit matches Math.log to 1e-15 relative on (0, 1)', () => {
    for (const x of [1e-300, 1e-10, 0.001, 0.3, 0.5, 0.70710678, 0.9, 0.999999]) {
      expect(Math.abs(lnUnit(x) - Math.log(x))).toBeLessThan(1e-15 * Math.abs(Math.log(x)) + 1e-300);
    }
  });
});
