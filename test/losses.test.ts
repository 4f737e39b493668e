// assembly/losses.ts: value and gradient on every backend against the TS
// twin, and each gradient against central differences of its own value.
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/random.js';
import { allBackends, expectClose, get, Placer, put, randomArray } from './helpers.js';
import type { Backend } from '../src/backends/index.js';

type Case = { name: string; run: (be: Backend, p: Record<string, number>, m: number, n: number) => number; fused: 'softmax' | 'sigmoid' | null };
const CASES: Case[] = [
  { name: 'mse_loss', fused: null, run: (be, p, m, n) => be.kernels.mse_loss(p.a, p.y, p.g, m, n) },
  { name: 'sse_loss', fused: null, run: (be, p, m, n) => be.kernels.sse_loss(p.a, p.y, p.g, m, n) },
  { name: 'binary_cross_entropy', fused: null, run: (be, p, m, n) => be.kernels.binary_cross_entropy(p.a, p.y, p.g, m, n) },
  { name: 'softmax_cross_entropy', fused: 'softmax', run: (be, p, m, n) => be.kernels.softmax_cross_entropy(p.z, p.a, p.y, p.g, m, n) },
  { name: 'sigmoid_binary_cross_entropy', fused: 'sigmoid', run: (be, p, m, n) => be.kernels.sigmoid_binary_cross_entropy(p.z, p.a, p.y, p.g, m, n) },
];

function targets(rng: Rng, m: number, n: number, fused: Case['fused']): Float32Array {
  const y = new Float32Array(m * n);
  if (fused === 'softmax') for (let i = 0; i < m; i++) y[i * n + rng.below(n)] = 1;
  else for (let i = 0; i < y.length; i++) y[i] = rng.float() < 0.5 ? 0 : 1;
  return y;
}

describe('loss kernels', async () => {
  const backends = await allBackends();

  for (const c of CASES) {
    it(`${c.name}: value and gradient agree on every backend`, () => {
      const rng = new Rng(31);
      for (const [m, n] of [[1, 1], [1, 3], [2, 5], [7, 4], [64, 10]]) {
        if (c.fused === 'softmax' && n < 2) continue;
        const z = randomArray(rng, m * n, -4, 4), y = targets(rng, m, n, c.fused);
        const outs = backends.map((be) => {
          const P = new Placer();
          const p = { z: P.take(m * n), a: P.take(m * n), y: P.take(m * n), g: P.take(m * n) };
          put(be, p.z, z); put(be, p.y, y); put(be, p.g, new Float32Array(m * n).fill(NaN));
          if (c.fused === 'softmax') be.kernels.softmax_forward(p.z, p.a, m, n); else be.kernels.sigmoid_forward(p.z, p.a, m * n);
          const loss = c.run(be, p, m, n);
          return { loss, g: get(be, p.g, m * n), be: be.name };
        });
        for (const o of outs) {
          expect(Number.isFinite(o.loss)).toBe(true);
          expect(Math.abs(o.loss - outs[2].loss), `${o.be} ${c.name} loss`).toBeLessThan(1e-5 * Math.max(1, Math.abs(outs[2].loss)));
          expectClose(o.g, outs[2].g, 1e-5, `${o.be} ${c.name} gradient ${m}×${n}`);
        }
      }
    });

    it(`${c.name}: gradient = central differences of the value`, () => {
      const rng = new Rng(8);
      const m = 3, n = 4, h = 1e-3;
      for (const be of backends) {
        const P = new Placer();
        const p = { z: P.take(m * n), a: P.take(m * n), y: P.take(m * n), g: P.take(m * n) };
        // for the plain losses perturb a (in (0,1) for BCE); for the fused ones perturb z
        const x = c.fused ? randomArray(rng, m * n, -2, 2) : randomArray(rng, m * n, 0.1, 0.9);
        const y = targets(rng, m, n, c.fused);
        put(be, p.y, y);
        const value = (v: Float32Array) => {
          if (c.fused) {
            put(be, p.z, v);
            if (c.fused === 'softmax') be.kernels.softmax_forward(p.z, p.a, m, n); else be.kernels.sigmoid_forward(p.z, p.a, m * n);
          } else put(be, p.a, v);
          return c.run(be, p, m, n);
        };
        value(x);
        const g = get(be, p.g, m * n);
        for (let i = 0; i < m * n; i++) {
          const xp = x.slice(), xm = x.slice();
          xp[i] += h; xm[i] -= h;
          const num = (value(xp) - value(xm)) / (xp[i] - xm[i]);
          expect(Math.abs(g[i] - num), `${be.name} ${c.name} d/dx[${i}]`).toBeLessThan(2e-3 * Math.max(1, Math.abs(num)) + 1e-4);
        }
      }
    });
  }

  it('softmax_cross_entropy is finite for saturated logits', () => {
    for (const be of backends) {
      const P = new Placer();
      const p = { z: P.take(3), a: P.take(3), y: P.take(3), g: P.take(3) };
      put(be, p.z, [-100, 100, 0]); put(be, p.y, [1, 0, 0]);
      be.kernels.softmax_forward(p.z, p.a, 1, 3);
      const loss = be.kernels.softmax_cross_entropy(p.z, p.a, p.y, p.g, 1, 3);
      expect(loss).toBeCloseTo(200, 3);
    }
  });

  it('mse_loss and sse_loss: simd = scalar to the bit (value and gradient) at every length mod 4', () => {
    const rng = new Rng(12);
    const [simd, scalar] = backends;
    for (const count of [1, 2, 3, 4, 5, 6, 7, 8, 13, 315, 640]) {
      const a = randomArray(rng, count, -3, 3), y = randomArray(rng, count, -3, 3);
      for (const name of ['mse_loss', 'sse_loss'] as const) {
        const outs = [simd, scalar].map((be) => {
          const P = new Placer();
          const pa = P.take(count), py = P.take(count), pg = P.take(count);
          put(be, pa, a); put(be, py, y);
          const loss = be.kernels[name](pa, py, pg, count, 1);
          return { loss, g: Array.from(get(be, pg, count)) };
        });
        expect(outs[0].loss, `${name} ${count}`).toBe(outs[1].loss);
        expect(outs[0].g, `${name} ${count}`).toEqual(outs[1].g);
        let ref = 0;
        for (let i = 0; i < count; i++) ref += (Math.fround(a[i] - y[i])) ** 2;
        expect(Math.abs(outs[0].loss - (name === 'sse_loss' ? ref / 2 : ref / count))).toBeLessThan(1e-12 * Math.max(1, ref));
      }
    }
  });

  it('count_correct: equals a plain argmax count on rows with ties, every m mod 4 and n', () => {
    const rng = new Rng(5);
    const argmax = (v: Float32Array, o: number, n: number) => { let b = 0; for (let j = 1; j < n; j++) if (v[o + j] > v[o + b]) b = j; return b; };
    for (const n of [2, 3, 4, 5, 10]) for (const m of [1, 2, 3, 4, 5, 7, 8, 105]) {
      // values from a few levels, so rows often tie (the first max must win)
      const a = Float32Array.from({ length: m * n }, () => rng.below(4) / 4);
      const y = Float32Array.from({ length: m * n }, () => rng.below(3) / 2);
      let want = 0;
      for (let i = 0; i < m; i++) if (argmax(a, i * n, n) === argmax(y, i * n, n)) want++;
      for (const be of backends) {
        const P = new Placer();
        const pa = P.take(m * n), py = P.take(m * n);
        put(be, pa, a); put(be, py, y);
        expect(be.kernels.count_correct(pa, py, m, n), `${be.name} ${m}×${n}`).toBe(want);
      }
    }
  });

  it('count_correct: argmax rows (first max wins) and the n = 1 threshold', () => {
    for (const be of backends) {
      const P = new Placer();
      const pa = P.take(9), py = P.take(9);
      put(be, pa, [0.1, 0.7, 0.2, 0.5, 0.5, 0, 0.3, 0.3, 0.4]);
      put(be, py, [0, 1, 0, 0, 1, 0, 0, 0, 1]);
      expect(be.kernels.count_correct(pa, py, 3, 3), be.name).toBe(2);
      put(be, pa, [0.2, 0.5, 0.9, 0.49]);
      put(be, py, [0, 1, 0, 1]);
      expect(be.kernels.count_correct(pa, py, 4, 1), be.name).toBe(2);
    }
  });
});
