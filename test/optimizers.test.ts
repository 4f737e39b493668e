// assembly/optimizers.ts: every backend against the TS twin and against the
// update rules written out in f64, over sizes with every tail, several steps.
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/random.js';
import { allBackends, expectClose, get, Placer, put, randomArray, SIZES } from './helpers.js';

describe('optimizer kernels', async () => {
  const backends = await allBackends();
  const lr = 0.05, mu = 0.9, l2 = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;

  const rules = {
    sgd: (w: number[], g: number[]) => w.map((wi, i) => wi - lr * (g[i] + l2 * wi)),
  };

  it('sgd, momentum, nesterov and adam match the written-out rules on every backend (3 steps)', () => {
    const rng = new Rng(2);
    for (const n of SIZES) {
      const w0 = randomArray(rng, n), grads = [randomArray(rng, n), randomArray(rng, n), randomArray(rng, n)];
      // f64 references
      let ws = Array.from(w0);
      for (const g of grads) ws = rules.sgd(ws, Array.from(g));
      const mom = (nesterov: boolean) => {
        const w = Array.from(w0), v = new Array(n).fill(0);
        for (const g of grads) for (let i = 0; i < n; i++) {
          const gi = g[i] + l2 * w[i];
          v[i] = mu * v[i] - lr * gi;
          w[i] += nesterov ? mu * v[i] - lr * gi : v[i];
        }
        return w;
      };
      const adam = () => {
        const w = Array.from(w0), m = new Array(n).fill(0), v = new Array(n).fill(0);
        grads.forEach((g, t) => {
          for (let i = 0; i < n; i++) {
            const gi = g[i] + l2 * w[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            const mh = m[i] / (1 - b1 ** (t + 1)), vh = v[i] / (1 - b2 ** (t + 1));
            w[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
          }
        });
        return w;
      };
      const refs = { sgd: ws, momentum: mom(false), nesterov: mom(true), adam: adam() };
      for (const be of backends) {
        for (const kind of ['sgd', 'momentum', 'nesterov', 'adam'] as const) {
          const P = new Placer();
          const pw = P.take(n), pg = P.take(n), pm = P.take(n), pv = P.take(n);
          put(be, pw, w0); put(be, pm, new Float32Array(n)); put(be, pv, new Float32Array(n));
          let p1 = 1, p2 = 1;
          for (const g of grads) {
            put(be, pg, g);
            if (kind === 'sgd') be.kernels.sgd_update(pw, pg, n, lr, l2);
            else if (kind === 'adam') { p1 *= b1; p2 *= b2; be.kernels.adam_update(pw, pg, pm, pv, n, lr, b1, b2, eps, l2, 1 - p1, 1 - p2); }
            else be.kernels.momentum_update(pw, pg, pm, n, lr, mu, l2, kind === 'nesterov' ? 1 : 0);
          }
          expectClose(get(be, pw, n), refs[kind], 1e-5, `${be.name} ${kind} n=${n}`);
        }
      }
    }
  });

  it('l2 = 0 leaves the plain rule; simd and scalar agree to the bit', () => {
    const rng = new Rng(12);
    const n = 37;
    const w0 = randomArray(rng, n), g = randomArray(rng, n);
    const outs = backends.slice(0, 2).map((be) => {
      const P = new Placer();
      const pw = P.take(n), pg = P.take(n), pm = P.take(n), pv = P.take(n);
      put(be, pw, w0); put(be, pg, g); put(be, pm, new Float32Array(n)); put(be, pv, new Float32Array(n));
      be.kernels.sgd_update(pw, pg, n, 0.1, 0);
      be.kernels.adam_update(pw, pg, pm, pv, n, 0.001, b1, b2, eps, 0, 1 - b1, 1 - b2);
      return get(be, pw, n);
    });
    expect(outs[0]).toEqual(outs[1]);
  });

  it('each update returns how many new weights are NaN or ±Infinity, on every backend, wherever they fall', () => {
    const rng = new Rng(21);
    const update = (be: (typeof backends)[number], kind: string, p: number[], n: number) => {
      const [pw, pg, pm, pv] = p;
      if (kind === 'sgd') return be.kernels.sgd_update(pw, pg, n, lr, l2);
      if (kind === 'adam') return be.kernels.adam_update(pw, pg, pm, pv, n, lr, b1, b2, eps, l2, 1 - b1, 1 - b2);
      return be.kernels.momentum_update(pw, pg, pm, n, lr, mu, l2, kind === 'nesterov' ? 1 : 0);
    };
    for (const n of [1, 3, 4, 5, 8, 13]) {
      const w0 = randomArray(rng, n), g0 = randomArray(rng, n);
      for (const be of backends) {
        for (const kind of ['sgd', 'momentum', 'nesterov', 'adam']) {
          const P = new Placer();
          const p = [P.take(n), P.take(n), P.take(n), P.take(n)];
          const run = (w: Float32Array, g: Float32Array) => {
            put(be, p[0], w); put(be, p[1], g); put(be, p[2], new Float32Array(n)); put(be, p[3], new Float32Array(n));
            return update(be, kind, p, n);
          };
          const what = `${be.name} ${kind} n=${n}`;
          expect(run(w0, g0), what).toBe(0);
          for (let at = 0; at < n; at++) {
            // one bad value at each position, then at two (a vector lane and the scalar tail)
            for (const bad of [NaN, Infinity, -Infinity]) {
              const g = g0.slice(); g[at] = bad;
              expect(run(w0, g), `${what}: gradient ${bad} at ${at}`).toBe(1);
              const w = w0.slice(); w[at] = bad; w[n - 1 - at] = bad;
              expect(run(w, g0), `${what}: weights ${bad} at ${at}, ${n - 1 - at}`).toBe(at === n - 1 - at ? 1 : 2);
            }
          }
          // finite but beyond f32 after the step: counted too
          const g = g0.slice(); g[n - 1] = 3e38;
          const w = w0.slice(); w[n - 1] = -3.3e38;
          expect(run(w, g), `${what}: overflow`).toBe(kind === 'adam' ? 0 : 1);
        }
      }
    }
  });
});
