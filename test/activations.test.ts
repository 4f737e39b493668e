// assembly/activations.ts: simd and scalar against the TS twin, forward and
// backward, over sizes with every tail; backward also against finite
// differences of the forward (in f64 on the twin's outputs).
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/random.js';
import { allBackends, expectClose, get, Placer, put, randomArray, SIZES } from './helpers.js';

const ELEMENTWISE = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'] as const;

describe('activation kernels', async () => {
  const backends = await allBackends();
  const ts = backends[2];

  for (const name of ELEMENTWISE) {
    it(`${name}: forward and backward agree on every backend`, () => {
      const rng = new Rng(21);
      for (const n of SIZES) {
        const z = randomArray(rng, n, -6, 6), da = randomArray(rng, n);
        z[0] = 0; // the kink of relu/leaky-relu
        const outs = backends.map((be) => {
          const P = new Placer();
          const pz = P.take(n), pa = P.take(n), pda = P.take(n), pdz = P.take(n);
          put(be, pz, z); put(be, pda, da);
          put(be, pa, new Float32Array(n).fill(NaN)); put(be, pdz, new Float32Array(n).fill(NaN));
          (be.kernels as any)[`${name}_forward`](pz, pa, n);
          (be.kernels as any)[`${name}_backward`](pa, pda, pdz, n);
          return { a: get(be, pa, n), dz: get(be, pdz, n), be: be.name };
        });
        for (const o of outs.slice(0, 2)) {
          expectClose(o.a, outs[2].a, 1e-6, `${o.be} ${name}_forward n=${n}`);
          expectClose(o.dz, outs[2].dz, 1e-6, `${o.be} ${name}_backward n=${n}`);
        }
      }
    });
  }

  it('backward = finite differences of forward (away from kinks)', () => {
    const rng = new Rng(4);
    const n = 9, h = 1e-2;
    for (const name of ELEMENTWISE) {
      const z = randomArray(rng, n, -3, 3).map((v) => (Math.abs(v) < 0.1 ? v + 0.5 : v));
      const da = randomArray(rng, n);
      const P = new Placer();
      const pz = P.take(n), pa = P.take(n), pda = P.take(n), pdz = P.take(n);
      const f = (zz: Float32Array) => { put(ts, pz, zz); (ts.kernels as any)[`${name}_forward`](pz, pa, n); return get(ts, pa, n); };
      const a = f(z);
      put(ts, pda, da);
      (ts.kernels as any)[`${name}_backward`](pa, pda, pdz, n);
      const dz = get(ts, pdz, n);
      for (let i = 0; i < n; i++) {
        const zp = z.slice(), zm = z.slice();
        zp[i] += h; zm[i] -= h;
        const num = ((f(zp)[i] - f(zm)[i]) / (zp[i] - zm[i])) * da[i];
        expect(Math.abs(dz[i] - num), `${name} at ${z[i]}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(num)));
      }
      expect(a.length).toBe(n);
    }
  });

  it('softmax forward and backward agree on every backend; rows sum to 1', () => {
    const rng = new Rng(9);
    for (const m of [1, 2, 5]) for (const n of [2, 3, 4, 5, 10, 17]) {
      const z = randomArray(rng, m * n, -20, 20), da = randomArray(rng, m * n);
      const outs = backends.map((be) => {
        const P = new Placer();
        const pz = P.take(m * n), pa = P.take(m * n), pda = P.take(m * n), pdz = P.take(m * n);
        put(be, pz, z); put(be, pda, da);
        be.kernels.softmax_forward(pz, pa, m, n);
        be.kernels.softmax_backward(pa, pda, pdz, m, n);
        return { a: get(be, pa, m * n), dz: get(be, pdz, m * n), be: be.name };
      });
      for (const o of outs) {
        for (let i = 0; i < m; i++) {
          const s = o.a.subarray(i * n, (i + 1) * n).reduce((p, v) => p + v, 0);
          expect(Math.abs(s - 1)).toBeLessThan(1e-5);
        }
        expectClose(o.a, outs[2].a, 1e-6, `${o.be} softmax_forward ${m}×${n}`);
        expectClose(o.dz, outs[2].dz, 1e-6, `${o.be} softmax_backward ${m}×${n}`);
      }
    }
  });

  it('softmax is stable for huge logits', () => {
    for (const be of backends) {
      const P = new Placer();
      const pz = P.take(3), pa = P.take(3);
      put(be, pz, [1000, 1000, -1000]);
      be.kernels.softmax_forward(pz, pa, 1, 3);
      expectClose(get(be, pa, 3), [0.5, 0.5, 0], 1e-7, be.name);
    }
  });

  it('sigmoid and tanh saturate without NaN', () => {
    for (const be of backends) {
      const P = new Placer();
      const pz = P.take(4), pa = P.take(4);
      put(be, pz, [-200, 200, -1e30, 1e30]);
      be.kernels.sigmoid_forward(pz, pa, 4);
      expectClose(get(be, pa, 4), [0, 1, 0, 1], 0, `${be.name} sigmoid`);
      be.kernels.tanh_forward(pz, pa, 4);
      expectClose(get(be, pa, 4), [-1, 1, -1, 1], 0, `${be.name} tanh`);
    }
  });

  it('assembly/math.ts: exp and tanh within 2 ulp of the f64 functions; simd = scalar to the bit, specials included', () => {
    const rng = new Rng(77);
    const n = 4099;
    const z = randomArray(rng, n, -95, 95);
    z.set([0, -0, 1e-8, -1e-8, 0.625, -0.625, 88.3, 88.4, -87.3, -87.4, 200, -200, NaN, Infinity, -Infinity, 1e-40]);
    const [simd, scalar] = backends;
    for (const name of ['sigmoid', 'tanh'] as const) {
      const outs = [simd, scalar].map((be) => {
        const P = new Placer();
        const pz = P.take(n), pa = P.take(n);
        put(be, pz, z);
        be.kernels[`${name}_forward`](pz, pa, n);
        return get(be, pa, n);
      });
      expect(Array.from(outs[0]).map(String)).toEqual(Array.from(outs[1]).map(String));
      for (let i = 0; i < n; i++) {
        const v = z[i];
        if (Number.isNaN(v)) { expect(outs[0][i]).toBeNaN(); continue; }
        const ref = name === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : Math.tanh(v);
        // 2 ulp of f32 relative, or absolute near the subnormal range of sigmoid's tail
        expect(Math.abs(outs[0][i] - ref), `${name}(${v})`).toBeLessThanOrEqual(2.4e-7 * Math.abs(ref) + 1e-38);
      }
    }
    const m = 7, k = 13, zs = randomArray(rng, m * k, -30, 30);
    const soft = [simd, scalar].map((be) => {
      const P = new Placer();
      const pz = P.take(m * k), pa = P.take(m * k);
      put(be, pz, zs);
      be.kernels.softmax_forward(pz, pa, m, k);
      return Array.from(get(be, pa, m * k));
    });
    expect(soft[0]).toEqual(soft[1]);
  });
});

