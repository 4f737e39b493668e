// Almeida–Pineda fixed-point networks: the relaxation kernels on every
// backend against f64 fixed points, simd against scalar to the bit, the
// gradient at a converged fixed point against finite differences of an f64
// network, agreement between backends, and non-convergence reported — a flag
// in the history, a warning, the update skipped — never a silent wrong gradient.
import { describe, expect, it } from 'vitest';
import { createFixedPointNetwork, loadFixedPointNetwork, matrix, BackpropError, type FixedPointSpec } from '../src/index.js';
import { Rng } from '../src/random.js';
import { ALL, allBackends, expectClose, get, Placer, put, randomArray } from './helpers.js';
import { fixedPoint, fixedPointLoss, numericGradient, type FixedPointRef } from './rnn-reference.js';

const residualOf = (be: { buffer(): ArrayBuffer }, at: number) => new Float64Array(be.buffer(), at, 1)[0];

describe('fixed-point kernels', async () => {
  const backends = await allBackends(1 << 21);
  const SHAPES: [number, number][] = [[1, 1], [2, 3], [3, 4], [1, 5], [4, 7], [5, 17]]; // (B, N)

  for (const act of ['tanh', 'sigmoid'] as const) for (const rate of [1, 0.6]) {
    it(`fixed_point_relax and fixed_point_adjoint (${act}, step ${rate}): f64 fixed points, simd = scalar to the bit`, () => {
      const rng = new Rng(act === 'tanh' ? 1 : 2);
      const code = act === 'tanh' ? 1 : 0;
      for (const [B, N] of SHAPES) {
        const w = randomArray(rng, N * N, -0.9 / Math.sqrt(N), 0.9 / Math.sqrt(N)), c = randomArray(rng, B * N), e = randomArray(rng, B * N);
        // f64 references: x = f(x·W + c) iterated to 1e-15; v = e + (f'⊙v)·Wᵀ likewise, δ = f'⊙v
        const ref: FixedPointRef = { N, inputs: N, outputs: N, act, w: Float64Array.from(w), u: new Float64Array(N * N), b: new Float64Array(N) };
        for (let i = 0; i < N; i++) ref.u[i * N + i] = 1; // c enters as the input through U = I
        const xr = fixedPoint(ref, Float64Array.from(c), B);
        const d = xr.map((x) => (act === 'tanh' ? 1 - x * x : x * (1 - x)));
        let v = Float64Array.from(e);
        for (let it = 0; it < 10000; it++) {
          const next = new Float64Array(B * N);
          for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) {
            let s = e[b * N + i];
            for (let j = 0; j < N; j++) s += d[b * N + j] * v[b * N + j] * w[i * N + j];
            next[b * N + i] = s;
          }
          const change = Math.max(...next.map((q, i) => Math.abs(q - v[i])));
          v = next;
          if (change < 1e-15) break;
        }
        const deltaRef = v.map((q, i) => d[i] * q);
        const outs: number[][] = [];
        for (const be of backends) {
          const P = new Placer();
          const pc = P.take(B * N), pw = P.take(N * N), px = P.take(B * N), pe = P.take(B * N), pd = P.take(B * N), pr = P.take(4), pwork = P.take(2 * B * N + N * N);
          put(be, pc, c); put(be, pw, w); put(be, pe, e); put(be, px, new Float32Array(B * N).fill(NaN));
          const fs = be.kernels.fixed_point_relax(pc, pw, px, pr, pwork, B, N, 500, 1e-6, rate, code);
          const fr = residualOf(be, pr);
          const what = `${be.name} ${act} step ${rate} B${B} N${N}`;
          expect(fr, `${what} forward residual`).toBeLessThanOrEqual(1e-6);
          expect(fs, what).toBeLessThan(500);
          const x = get(be, px, B * N);
          expectClose(x, xr, 1e-5, `${what} x`);
          const as = be.kernels.fixed_point_adjoint(px, pw, pe, pd, pr + 8, pwork, B, N, 500, 1e-6, rate, code);
          expect(residualOf(be, pr + 8), `${what} adjoint residual`).toBeLessThanOrEqual(1e-6);
          expectClose(get(be, pd, B * N), deltaRef, 2e-5, `${what} δ`);
          outs.push([fs, fr, ...x, as, residualOf(be, pr + 8), ...get(be, pd, B * N)]);
        }
        expect(outs[1], `simd = scalar B${B} N${N}`).toEqual(outs[0]);
      }
    });
  }

  it('non-convergence is reported: an oscillating map runs to the cap with a large residual; NaN stops at once', () => {
    for (const be of backends) {
      const N = 3, B = 2;
      const P = new Placer();
      const pc = P.take(B * N), pw = P.take(N * N), px = P.take(B * N), pr = P.take(4), pwork = P.take(2 * B * N + N * N);
      const w = new Float32Array(N * N);
      for (let i = 0; i < N; i++) w[i * N + i] = -4; // x ← tanh(−4x + c): |slope| > 1 at the fixed point, a 2-cycle
      put(be, pw, w); put(be, pc, [0.1, -0.2, 0.05, 0.3, 0, -0.1]);
      expect(be.kernels.fixed_point_relax(pc, pw, px, pr, pwork, B, N, 50, 1e-5, 1, 1), be.name).toBe(50);
      expect(residualOf(be, pr), be.name).toBeGreaterThan(0.1);
      // the same map converges with a damped step (Euler steps of dx/dt = −x + f)
      expect(be.kernels.fixed_point_relax(pc, pw, px, pr, pwork, B, N, 200, 1e-5, 0.2, 1), be.name).toBeLessThan(200);
      expect(residualOf(be, pr)).toBeLessThanOrEqual(1e-5);
      put(be, pc, [0.1, NaN, 0, 0, 0, 0]);
      expect(be.kernels.fixed_point_relax(pc, pw, px, pr, pwork, B, N, 50, 1e-5, 1, 1), be.name).toBe(1);
      expect(residualOf(be, pr), be.name).toBeNaN();
    }
  });

  it('adjoint with e = 0 is δ = 0 in no steps', () => {
    for (const be of backends) {
      const P = new Placer();
      const px = P.take(6), pw = P.take(9), pe = P.take(6), pd = P.take(6), pr = P.take(4), pwork = P.take(2 * 6 + 9);
      put(be, px, [0.1, 0.2, 0.3, -0.1, 0, 0.5]); put(be, pw, randomArray(new Rng(1), 9)); put(be, pe, new Float32Array(6)); put(be, pd, new Float32Array(6).fill(NaN));
      expect(be.kernels.fixed_point_adjoint(px, pw, pe, pd, pr, pwork, 2, 3, 10, 1e-6, 1, 1)).toBe(0);
      expect(Array.from(get(be, pd, 6))).toEqual([0, 0, 0, 0, 0, 0]);
      expect(residualOf(be, pr)).toBe(0);
    }
  });

  it('take_columns and put_columns', () => {
    const src = Float32Array.from({ length: 3 * 5 }, (_, i) => i + 1);
    for (const be of backends) {
      const P = new Placer();
      const ps = P.take(15), pa = P.take(6), pb = P.take(15);
      put(be, ps, src); put(be, pb, new Float32Array(15).fill(NaN));
      be.kernels.take_columns(ps, pa, 3, 5, 2);
      expect(Array.from(get(be, pa, 6))).toEqual([1, 2, 6, 7, 11, 12]);
      be.kernels.put_columns(pa, pb, 3, 2, 5);
      expect(Array.from(get(be, pb, 15))).toEqual([1, 2, 0, 0, 0, 6, 7, 0, 0, 0, 11, 12, 0, 0, 0]);
    }
  });
});

// --- the network ------------------------------------------------------------------

const toRef = (w: { w: Float32Array; u: Float32Array; b: Float32Array }, N: number, inputs: number, outputs: number, act: 'tanh' | 'sigmoid'): FixedPointRef =>
  ({ N, inputs, outputs, act, w: Float64Array.from(w.w), u: Float64Array.from(w.u), b: Float64Array.from(w.b) });

describe('the Almeida–Pineda gradient at a converged fixed point against finite differences', () => {
  for (const backend of ALL) {
    it(`${backend}: W, U and b, tanh and sigmoid, plain and damped relaxation`, async () => {
      for (const [act, stepSize] of [['tanh', 1], ['sigmoid', 1], ['tanh', 0.5]] as const) {
        const rng = new Rng(stepSize === 1 ? 7 : 8);
        const N = 6, inputs = 3, outputs = 2, rows = 5;
        const net = await createFixedPointNetwork({ units: N, inputs, outputs, activation: act, stepSize, tolerance: 1e-7, maxSteps: 1000, seed: 3, backend });
        // stronger feedback than the default start, still a contraction
        const w0 = net.getWeights();
        net.setWeights({ ...w0, w: w0.w.map((v) => 1.5 * v), b: randomArray(rng, N, -0.5, 0.5) });
        const x = matrix(rows, inputs, randomArray(rng, rows * inputs)), y = matrix(rows, outputs, randomArray(rng, rows * outputs, act === 'tanh' ? -0.8 : 0.1, 0.8));
        const g = net.gradients(x, y);
        expect(g.forward.converged && g.adjoint.converged).toBe(true);
        const ref = toRef(net.getWeights(), N, inputs, outputs, act);
        const loss = () => fixedPointLoss(ref, Float64Array.from(x.data), Float64Array.from(y.data), rows);
        expect(Math.abs(g.loss - loss())).toBeLessThan(1e-5 * Math.max(1, loss()));
        for (const key of ['w', 'u', 'b'] as const) {
          const num = numericGradient(ref[key], loss);
          const scale = Math.max(...num.map(Math.abs));
          num.forEach((want, i) => {
            if (!(Math.abs(g[key][i] - want) <= 1e-3 * scale + 1e-6))
              expect.fail(`${backend} ${act} step ${stepSize}: ${key}[${i}] = ${g[key][i]}, finite differences ${want}`);
          });
        }
        net.dispose();
      }
    });
  }
});

describe('training', () => {
  const rng = new Rng(5);
  const x = matrix(40, 3, randomArray(rng, 120));
  const y = matrix(40, 2, Float32Array.from({ length: 80 }, (_, i) => 0.6 * Math.tanh(x.data[(i >> 1) * 3] * (i & 1 ? 1 : -2) + x.data[(i >> 1) * 3 + 2])));
  const spec: FixedPointSpec = { units: 7, inputs: 3, outputs: 2, optimizer: 'momentum', learningRate: 0.02, seed: 2 };

  it('the three backends end within 1e-4 of each other after 50 steps; simd = scalar to the bit', async () => {
    const weights: number[][] = [];
    for (const backend of ALL) {
      const net = await createFixedPointNetwork({ ...spec, backend });
      const h = await net.fit(x, y, { epochs: 10, batchSize: 8 }); // 5 batches × 10 epochs
      expect(h.converged).toBe(true);
      expect(h.loss[9]).toBeLessThan(h.loss[0]);
      const w = net.getWeights();
      weights.push([...w.w, ...w.u, ...w.b]);
    }
    expect(weights[1]).toEqual(weights[0]);
    weights[2].forEach((v, i) => expect(Math.abs(v - weights[0][i]), `parameter ${i}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(weights[0][i]))));
  });

  it('one fit at a time: a second fit while one runs is refused', async () => {
    const net = await createFixedPointNetwork(spec);
    const first = net.fit(x, y, { epochs: 2, batchSize: 8 });
    await expect(net.fit(x, y, { epochs: 1 })).rejects.toThrow('fit: this fixed-point network is already training (a fit is running); await it, or abort it, first');
    expect((await first).loss).toHaveLength(2);
  });

  it('same seed → the same bits; history reports relaxation steps; memory flat over epochs', async () => {
    const runs: unknown[] = [];
    for (let r = 0; r < 2; r++) {
      const net = await createFixedPointNetwork({ ...spec, optimizer: 'adam', learningRate: 0.01 });
      const h = await net.fit(x, y, { epochs: 3, batchSize: 10 });
      expect(h.relaxSteps).toHaveLength(3);
      expect(h.relaxSteps[0]).toBeGreaterThan(1);
      expect(h.nonConverged).toEqual([0, 0, 0]);
      runs.push([h.loss, net.getWeights()]);
    }
    expect(runs[1]).toEqual(runs[0]);
    const net = await createFixedPointNetwork(spec);
    await net.fit(x, y, { epochs: 1, batchSize: 8 });
    const bytes = net.arenaBytes, layout = net.layout();
    await net.fit(x, y, { epochs: 100, batchSize: 8 });
    expect(net.arenaBytes).toBe(bytes);
    expect(net.layout()).toBe(layout);
    expect(layout).toMatch(/params\.w\s+7×7/);
  });

  it('a call that would grow the arena while fit runs is refused', async () => {
    const net = await createFixedPointNetwork(spec);
    const big = matrix(100, 3, randomArray(new Rng(1), 300)), bigY = matrix(100, 2);
    const err = await net.fit(x, y, { epochs: 2, batchSize: 8, onEpochEnd: () => { net.predict(big); net.trainBatch(big, bigY); } }).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(BackpropError);
    expect(err.message).toMatch(/larger arena than the running fit reserved/);
  });

  it('learns a small mapping (loss falls tenfold) and round-trips through toJSON on every backend', async () => {
    const net = await createFixedPointNetwork({ ...spec, optimizer: 'adam', learningRate: 0.02 });
    const h = await net.fit(x, y, { epochs: 150, batchSize: 8, onWarning: (m) => expect.fail(m) });
    expect(h.converged).toBe(true);
    expect(h.loss[149]).toBeLessThan(h.loss[0] / 100);
    net.metadata = { task: 'test' };
    const text = JSON.stringify(net.toJSON());
    expect(JSON.parse(text)).toMatchObject({ format: 'backprop-wasm', version: 1, kind: 'fixed-point', units: 7 });
    for (const backend of ALL) {
      const back = await loadFixedPointNetwork(text, { backend });
      expect(back.getWeights()).toEqual(net.getWeights());
      expect(back.metadata.task).toBe('test');
      const p = back.predict(x).data, q = net.predict(x).data;
      p.forEach((v, i) => expect(Math.abs(v - q[i])).toBeLessThan(1e-5));
    }
  });
});

describe('non-convergence is reported, never a silent wrong gradient', () => {
  const x = matrix(6, 2, [0.1, 0.2, -0.3, 0.1, 0.5, -0.5, 0.2, 0.2, -0.1, 0.4, 0.3, -0.2]);
  const y = matrix(6, 1, [0.5, -0.5, 0.2, 0.1, -0.3, 0.4]);
  /** A network whose units inhibit themselves strongly: the plain iteration oscillates (a 2-cycle). */
  async function oscillating(extra: Partial<FixedPointSpec> = {}) {
    const net = await createFixedPointNetwork({ units: 3, inputs: 2, outputs: 1, optimizer: 'sgd', learningRate: 0.1, maxSteps: 60, stepSize: 1, seed: 1, ...extra });
    const w = new Float32Array(9);
    for (let i = 0; i < 3; i++) w[i * 3 + i] = -4;
    net.setWeights({ ...net.getWeights(), w });
    return net;
  }

  it('fit: batches that do not converge are flagged, warned about and skipped; the others train', async () => {
    const net = await oscillating();
    // strong drive saturates the units (slope near 0: the iteration contracts); weak drive oscillates
    net.setWeights({ ...net.getWeights(), u: Float32Array.from([10, 10, 10, 0, 0, 0]), b: new Float32Array(3) });
    const xs = matrix(6, 2, [0.8, 0, 0.9, 0, 0.7, 0, 0.01, 0, -0.02, 0, 0.03, 0]);
    const before = net.getWeights(), warnings: string[] = [];
    const h = await net.fit(xs, y, { epochs: 1, batchSize: 3, shuffle: false, onWarning: (m) => warnings.push(m) });
    expect(h.converged).toBe(false);
    expect(h.nonConverged).toEqual([1]);
    expect(h.stalled).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(h.warnings).toEqual(warnings);
    expect(warnings[0]).toMatch(/^fixed-point relaxation did not converge in epoch 1 for 1 of 2 batches \(first: forward residual [\d.e-]+ > tolerance 0\.00001 after 60 steps\); their updates were skipped/);
    expect(net.getWeights().u).not.toEqual(before.u); // the converged batch's update
  });

  it('fit: an epoch in which no batch converges stops training and restores weights that settle', async () => {
    const net = await oscillating();
    const before = net.getWeights(), warnings: string[] = [];
    const h = await net.fit(x, y, { epochs: 5, batchSize: 3, onWarning: (m) => warnings.push(m) });
    expect(h.nonConverged).toEqual([2]);
    expect(h.stalled).toEqual({ epoch: 1, restoredEpoch: 0 });
    expect(h.loss).toHaveLength(1);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toBe('training stopped at epoch 1: no batch converged, so no update was possible; the weights fit started from are restored');
    expect(net.getWeights()).toEqual(before);
  });

  it("fit with onNonConvergence: 'throw', gradients(), trainBatch and predict say so too", async () => {
    const net = await oscillating();
    const err = await net.fit(x, y, { onNonConvergence: 'throw', onWarning: () => {} }).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(BackpropError);
    expect(err.message).toMatch(/^fixed-point relaxation did not converge at epoch 1, batch 1 \(forward residual .* after 60 steps\); raise maxSteps, lower stepSize or the learning rate$/);
    expect(() => net.gradients(x, y)).toThrow(/gradients: the forward relaxation did not converge \(forward residual .* after 60 steps\); there is no fixed point to differentiate/);
    const warnings: string[] = [];
    net.onWarning = (m) => warnings.push(m);
    const before = net.getWeights();
    net.trainBatch(x, y);
    expect(net.lastRelaxation!.forward.converged).toBe(false);
    expect(net.getWeights()).toEqual(before);
    net.predict(x);
    expect(warnings.map((w) => w.split(':')[0])).toEqual(['trainBatch', 'predict']);
    expect(net.relax(x).converged).toBe(false);
    expect(net.evaluate(x, y).converged).toBe(false);
  });

  it('the same weights settle with a damped relaxation step, and then train', async () => {
    const net = await oscillating({ stepSize: 0.2, maxSteps: 300 });
    const h = await net.fit(x, y, { epochs: 2, batchSize: 3, onWarning: () => expect.fail('no warning expected') });
    expect(h.converged).toBe(true);
    expect(net.getWeights().w[0]).not.toBe(-4);
  });
});

describe('bad input gives one-line BackpropErrors', () => {
  const spec: FixedPointSpec = { units: 4, inputs: 2, outputs: 1 };
  const x = matrix(2, 2, [0, 1, 1, 0]), y = matrix(2, 1, [0, 1]);
  const net = (s: Partial<FixedPointSpec> = {}) => createFixedPointNetwork({ ...spec, ...s });
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['outputs > units', () => net({ outputs: 5 }), /createFixedPointNetwork: outputs \(5\) must be at most units \(4\)/],
    ['units 0', () => net({ units: 0 }), /createFixedPointNetwork: units must be a positive integer, got 0/],
    ['relu', () => net({ activation: 'relu' as never }), /unknown fixed-point activation 'relu'/],
    ['bce with tanh', () => net({ loss: 'binary-cross-entropy' }), /needs activation 'sigmoid'/],
    ['stepSize 0', () => net({ stepSize: 0 }), /stepSize must be in \(0, 1\], got 0/],
    ['stepSize 2', () => net({ stepSize: 2 }), /stepSize must be in \(0, 1\], got 2/],
    ['tolerance', () => net({ tolerance: -1 }), /tolerance must be a positive number/],
    ['maxSteps', () => net({ maxSteps: 1.5 }), /maxSteps must be a positive integer/],
    ['unknown option', () => net({ dt: 1 } as never), /unknown option 'dt'/],
    ['x width', async () => (await net()).fit(matrix(2, 3), y), /fit: x has 3 columns, the network has 2 inputs/],
    ['no rows', async () => (await net()).predict(matrix(0, 2)), /predict|relax: x has no rows/],
    ['y rows', async () => (await net()).fit(x, matrix(3, 1)), /fit: y has 3 rows, x has 2/],
    ['NaN input', async () => (await net()).fit(matrix(2, 2, [0, NaN, 1, 1]), y), /fit: x: row 1, column 2 is NaN/],
    ['bad onNonConvergence', async () => (await net()).fit(x, y, { onNonConvergence: 'ignore' as never }), /onNonConvergence must be 'skip' or 'throw'/],
    ['setWeights shape', async () => (await net()).setWeights({ w: new Float32Array(3), u: new Float32Array(8), b: new Float32Array(4) }), /setWeights: w has 3 values, expected 4×4 = 16/],
    ['disposed', async () => { const n = await net(); n.dispose(); return n.predict(x); }, /disposed/],
    ['wrong model kind', () => loadFixedPointNetwork({ format: 'backprop-wasm', version: 1, kind: 'elman' }), /not a fixed-point model \(kind is "elman"\)/],
  ];
  for (const [name, run, re] of cases) {
    it(name, async () => {
      const err = await run().then(() => null, (e) => e);
      expect(err).toBeInstanceOf(BackpropError);
      expect(err.message).toMatch(re);
      expect(err.message).not.toContain('\n');
    });
  }
});
