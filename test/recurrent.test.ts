// Elman networks and BPTT: assembly/recurrent.ts's kernels on every backend
// against an independent f64 network and finite differences, simd against
// scalar to the bit, then src/recurrent.ts end to end — gradients (full and
// truncated BPTT) against finite differences, agreement between backends,
// determinism, clipping, flat memory, model files and bad input.
import { describe, expect, it } from 'vitest';
import { createRecurrentNetwork, loadRecurrentNetwork, matrix, BackpropError, type Matrix, type RecurrentSpec, type RecurrentNetwork } from '../src/index.js';
import { Rng } from '../src/random.js';
import { ALL, allBackends, expectClose, get, Placer, put, putI32, randomArray } from './helpers.js';
import { elmanLoss, elmanRun, numericGradient, type ElmanRef, type RAct } from './rnn-reference.js';

const ACT_CODE = { sigmoid: 0, tanh: 1, relu: 2 } as const;

function refOf(w: { wxh: Float32Array; whh: Float32Array; bh: Float32Array; why: Float32Array; by: Float32Array }, I: number, H: number, O: number, act: RAct, out: ElmanRef['out']): ElmanRef {
  return { I, H, O, act, out, wxh: Float64Array.from(w.wxh), whh: Float64Array.from(w.whh), bh: Float64Array.from(w.bh), why: Float64Array.from(w.why), by: Float64Array.from(w.by) };
}

/** Time-major [T·B × cols] from B sequences of T × cols. */
function timeMajor(seqs: Float32Array[], T: number, cols: number): Float32Array {
  const B = seqs.length, out = new Float32Array(T * B * cols);
  seqs.forEach((s, b) => { for (let t = 0; t < T; t++) out.set(s.subarray(t * cols, (t + 1) * cols), (t * B + b) * cols); });
  return out;
}

describe('recurrent kernels', async () => {
  const backends = await allBackends(1 << 22);
  // (T, B, I, H): T = 1, B = 1, H mod 4 ∈ {0, 1, 2, 3}, and one larger case
  const SHAPES: [number, number, number, number][] = [[1, 1, 1, 1], [3, 2, 3, 5], [5, 3, 2, 4], [4, 1, 3, 7], [2, 5, 4, 6], [6, 2, 1, 3]];
  const VARIANTS: [number, boolean][] = [[0, false], [2, true], [3, false]]; // (truncate, initial state)

  it('gather_steps writes batches time-major from sequence starts', () => {
    const src = Float32Array.from({ length: 20 * 3 }, (_, i) => i);
    for (const be of backends) {
      const P = new Placer();
      const ps = P.take(src.length), pst = P.take(4), pid = P.take(3), pd = P.take(4 * 3 * 3 + 4);
      put(be, ps, src); putI32(be, pst, [0, 5, 9, 14]); putI32(be, pid, [2, 0, 3]);
      put(be, pd, new Float32Array(4 * 3 * 3 + 4).fill(NaN));
      be.kernels.gather_steps(ps, pst, pid, pd, 3, 4, 3);
      const d = get(be, pd, 4 * 3 * 3 + 4);
      for (let t = 0; t < 4; t++) [9, 0, 14].forEach((first, b) => {
        for (let j = 0; j < 3; j++) expect(d[(t * 3 + b) * 3 + j], `${be.name} t${t} b${b}`).toBe(src[(first + t) * 3 + j]);
      });
      expect(d.subarray(36).every(Number.isNaN), `${be.name} wrote past dst`).toBe(true);
    }
  });

  for (const act of ['tanh', 'sigmoid', 'relu'] as const) {
    it(`elman_forward and elman_backward (${act}): f64 reference and finite differences, every backend, simd = scalar to the bit`, () => {
      const rng = new Rng(ACT_CODE[act] + 1);
      for (const [T, B, I, H] of SHAPES) for (const [truncate, withH0] of VARIANTS) {
        const xsq = Array.from({ length: B }, () => randomArray(rng, T * I));
        const wxh = randomArray(rng, I * H, -0.8, 0.8), whh = randomArray(rng, H * H, -0.6, 0.6), bh = randomArray(rng, H, -0.3, 0.3);
        const h0 = withH0 ? randomArray(rng, B * H, -0.5, 0.5) : null;
        const dh = randomArray(rng, T * B * H);
        // reference: h_t from an f64 loop; gradients of Σ_t ⟨dh_t, h_t⟩ by central differences, with
        // the recurrence cut (stop-gradient) where truncation cuts it
        const ref: ElmanRef = { I, H, O: 1, act, out: 'linear', wxh: Float64Array.from(wxh), whh: Float64Array.from(whh), bh: Float64Array.from(bh), why: new Float64Array(H), by: new Float64Array(1) };
        const runH = (frozen?: Float64Array[][]) => {
          // h0 enters as the state before step 1: prepend it by running from it
          return xsq.map((x, b) => {
            const h: Float64Array[] = [h0 ? Float64Array.from(h0.subarray(b * H, (b + 1) * H)) : new Float64Array(H)];
            for (let t = 1; t <= T; t++) {
              const prev = frozen && truncate > 0 && (t - 1) % truncate === 0 && t > 1 ? frozen[b][t - 1] : h[t - 1];
              const ht = new Float64Array(H);
              for (let j = 0; j < H; j++) {
                let z = ref.bh[j];
                for (let p = 0; p < I; p++) z += x[(t - 1) * I + p] * ref.wxh[p * H + j];
                for (let q = 0; q < H; q++) z += prev[q] * ref.whh[q * H + j];
                ht[j] = act === 'tanh' ? Math.tanh(z) : act === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : Math.max(z, 0);
              }
              h.push(ht);
            }
            return h;
          });
        };
        const hRef = runH();
        const functional = () => {
          const h = runH(hRef);
          let s = 0;
          for (let t = 1; t <= T; t++) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) s += dh[((t - 1) * B + b) * H + j] * h[b][t][j];
          return s;
        };
        const gref = [ref.wxh, ref.whh, ref.bh].map((p) => numericGradient(p, functional));
        const outs: Float32Array[][] = [];
        for (const be of backends) {
          const P = new Placer();
          const px = P.take(T * B * I), ph0 = P.take(B * H), pwxh = P.take(I * H), pwhh = P.take(H * H), pbh = P.take(H);
          const ph = P.take((T + 1) * B * H), pdh = P.take(T * B * H), pdz = P.take(T * B * H);
          const pg = [P.take(I * H), P.take(H * H), P.take(H)], pw = P.take(B * H + H * H);
          put(be, px, timeMajor(xsq, T, I)); put(be, pwxh, wxh); put(be, pwhh, whh); put(be, pbh, bh); put(be, pdh, dh);
          if (h0) put(be, ph0, h0);
          for (const g of pg) put(be, g, new Float32Array(H * H).fill(NaN).subarray(0, g === pg[0] ? I * H : g === pg[1] ? H * H : H));
          be.kernels.elman_forward(px, h0 ? ph0 : 0, pwxh, pwhh, pbh, ph, pw, T, B, I, H, ACT_CODE[act]);
          be.kernels.elman_backward(px, ph, pdh, pwhh, pg[0], pg[1], pg[2], pdz, pw, T, B, I, H, truncate, ACT_CODE[act]);
          const h = get(be, ph, (T + 1) * B * H);
          const what = `${be.name} ${act} T${T} B${B} I${I} H${H} k${truncate} h0 ${withH0}`;
          const hWant = new Float64Array((T + 1) * B * H);
          for (let t = 0; t <= T; t++) for (let b = 0; b < B; b++) hWant.set(hRef[b][t], (t * B + b) * H);
          expectClose(h, hWant, 1e-5, `${what} h`);
          const grads = pg.map((g, i) => get(be, g, [I * H, H * H, H][i]));
          grads.forEach((g, i) => expectClose(g, gref[i], 2e-4 * Math.max(1, ...gref[i].map(Math.abs)), `${what} ${['gWxh', 'gWhh', 'gbh'][i]}`));
          outs.push([h, ...grads, get(be, pdz, T * B * H)]);
        }
        outs[1].forEach((a, i) => expect(a, `simd = scalar, output ${i}`).toEqual(outs[0][i]));
      }
    });
  }

  it('a large case (T 9, B 7, I 13, H 33: every SIMD tail) matches the TS twin; simd = scalar to the bit', () => {
    const rng = new Rng(99);
    const [T, B, I, H] = [9, 7, 13, 33];
    const x = randomArray(rng, T * B * I), h0 = randomArray(rng, B * H, -0.5, 0.5), dh = randomArray(rng, T * B * H);
    const wxh = randomArray(rng, I * H, -0.3, 0.3), whh = randomArray(rng, H * H, -0.3, 0.3), bh = randomArray(rng, H, -0.3, 0.3);
    const outs = backends.map((be) => {
      const P = new Placer();
      const px = P.take(x.length), ph0 = P.take(h0.length), pwxh = P.take(I * H), pwhh = P.take(H * H), pbh = P.take(H);
      const ph = P.take((T + 1) * B * H), pdh = P.take(dh.length), pdz = P.take(dh.length), pg = [P.take(I * H), P.take(H * H), P.take(H)], pw = P.take(B * H + H * H);
      put(be, px, x); put(be, ph0, h0); put(be, pwxh, wxh); put(be, pwhh, whh); put(be, pbh, bh); put(be, pdh, dh);
      be.kernels.elman_forward(px, ph0, pwxh, pwhh, pbh, ph, pw, T, B, I, H, 1);
      be.kernels.elman_backward(px, ph, pdh, pwhh, pg[0], pg[1], pg[2], pdz, pw, T, B, I, H, 4, 1);
      return [get(be, ph, (T + 1) * B * H), get(be, pdz, dh.length), get(be, pg[0], I * H), get(be, pg[1], H * H), get(be, pg[2], H)];
    });
    outs[1].forEach((a, i) => expect(a, `simd = scalar, output ${i}`).toEqual(outs[0][i]));
    outs[2].forEach((a, i) => expectClose(outs[0][i], a, 2e-5 * Math.max(1, ...a.map(Math.abs)), `simd vs ts, output ${i}`));
  });

  it('clip_by_global_norm returns the norm and scales only above the limit', () => {
    const rng = new Rng(4);
    for (const n of [1, 3, 4, 5, 17, 100]) {
      const g = randomArray(rng, n);
      const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
      const outs: Float32Array[] = [];
      for (const be of backends) for (const limit of [norm * 2, norm / 3]) {
        const P = new Placer(), pg = P.take(n);
        put(be, pg, g);
        expect(be.kernels.clip_by_global_norm(pg, n, limit)).toBeCloseTo(norm, 12);
        const out = get(be, pg, n);
        if (limit > norm) expect(out).toEqual(g);
        else {
          expectClose(out, Array.from(g, (v) => v * (limit / norm)), 1e-6, `${be.name} n${n}`);
          expect(Math.sqrt(out.reduce((s, v) => s + v * v, 0))).toBeCloseTo(limit, 5);
        }
        outs.push(out);
      }
      expect(outs[2]).toEqual(outs[0]);
      expect(outs[3]).toEqual(outs[1]);
    }
  });
});

// --- the network ------------------------------------------------------------------

function randomSeqs(rng: Rng, count: number, T: number, I: number): Matrix[] {
  return Array.from({ length: count }, () => matrix(T, I, randomArray(rng, T * I)));
}

function targetsFor(rng: Rng, count: number, T: number, O: number, loss: string): { m: Matrix[]; f: Float64Array[] } {
  const m = Array.from({ length: count }, () => {
    const d = new Float32Array(T * O);
    for (let t = 0; t < T; t++) {
      if (loss === 'cross-entropy') d[t * O + rng.below(O)] = 1;
      else for (let k = 0; k < O; k++) d[t * O + k] = loss === 'mse' ? 2 * rng.float() - 1 : rng.below(2);
    }
    return matrix(T, O, d);
  });
  return { m, f: m.map((t) => Float64Array.from(t.data)) };
}

const COMBOS: { act: RAct; out: 'linear' | 'softmax' | 'sigmoid'; loss: 'mse' | 'cross-entropy' | 'binary-cross-entropy' }[] = [
  { act: 'tanh', out: 'linear', loss: 'mse' },
  { act: 'sigmoid', out: 'softmax', loss: 'cross-entropy' },
  { act: 'relu', out: 'sigmoid', loss: 'binary-cross-entropy' },
  { act: 'tanh', out: 'sigmoid', loss: 'mse' },
];

describe('BPTT gradients against finite differences of an f64 Elman network', () => {
  for (const backend of ALL) {
    it(`${backend}: full and truncated BPTT, every activation and output`, async () => {
      for (const [ci, c] of COMBOS.entries()) for (const truncate of [undefined, 1, 3]) {
        const rng = new Rng(10 + ci);
        const I = 3, H = 5, O = 3, T = 7, B = 2;
        const net = await createRecurrentNetwork({ inputSize: I, hiddenSize: H, outputSize: O, activation: c.act, output: c.out, loss: c.loss, truncate, seed: ci + 1, backend });
        const xs = randomSeqs(rng, B, T, I), y = targetsFor(rng, B, T, O, c.loss);
        const got = net.gradients(xs, y.m);
        const ref = refOf(net.getWeights(), I, H, O, c.act, c.out);
        const xf = xs.map((s) => Float64Array.from(s.data));
        const cut = (t: number) => truncate !== undefined && t % truncate === 0;
        const frozen = truncate === undefined ? undefined : elmanRun(ref, xf, T).map((r) => r.h);
        const loss = () => elmanLoss(ref, xf, y.f, T, c.loss, frozen, cut);
        expect(Math.abs(got.loss - loss())).toBeLessThan(1e-5 * Math.max(1, loss()));
        for (const key of ['wxh', 'whh', 'bh', 'why', 'by'] as const) {
          const num = numericGradient(ref[key], loss);
          const scale = Math.max(...num.map(Math.abs));
          num.forEach((g, i) => {
            if (!(Math.abs(got[key][i] - g) <= 2e-4 * scale + 2e-6))
              expect.fail(`${backend} ${c.act}/${c.out}/${c.loss} truncate ${truncate}: ${key}[${i}] = ${got[key][i]}, finite differences ${g}`);
          });
        }
        net.dispose();
      }
    });
  }

  it('truncation changes the gradient, and truncate ≥ T is full BPTT to the bit', async () => {
    const rng = new Rng(3);
    const xs = randomSeqs(rng, 3, 6, 2), y = targetsFor(rng, 3, 6, 2, 'mse').m;
    const spec: RecurrentSpec = { inputSize: 2, hiddenSize: 4, outputSize: 2, seed: 2 };
    const full = (await createRecurrentNetwork(spec)).gradients(xs, y);
    const long = (await createRecurrentNetwork({ ...spec, truncate: 6 })).gradients(xs, y);
    const short = (await createRecurrentNetwork({ ...spec, truncate: 2 })).gradients(xs, y);
    expect(long).toEqual(full);
    expect(short.whh).not.toEqual(full.whh);
    expect(short.why).toEqual(full.why); // the output layer's gradient does not go through time
  });
});

describe('training', () => {
  const rng = new Rng(21);
  // variable lengths: 5 sequences of 6 steps, 4 of 9, 3 of 4
  const lengths = [6, 9, 4, 6, 9, 6, 4, 9, 6, 4, 6, 9];
  const xs = lengths.map((T) => matrix(T, 2, randomArray(rng, T * 2)));
  const ys = xs.map((x) => { const y = matrix(x.rows, 1); for (let t = 0; t < x.rows; t++) y.data[t] = 0.5 * x.data[t * 2] - (t ? 0.4 * x.data[(t - 1) * 2 + 1] : 0); return y; });
  const spec: RecurrentSpec = { inputSize: 2, hiddenSize: 6, outputSize: 1, optimizer: 'momentum', learningRate: 0.05, seed: 5, clipNorm: 5 };

  it('the three backends end within 1e-4 of each other after 50 steps; simd = scalar to the bit', async () => {
    const weights: number[][] = [];
    for (const backend of ALL) {
      const net = await createRecurrentNetwork({ ...spec, backend });
      const h = await net.fit(xs, ys, { epochs: 10, batchSize: 2 }); // 5 batches (lengths grouped) × 10 epochs
      expect(h.loss[9]).toBeLessThan(h.loss[0]);
      const w = net.getWeights();
      weights.push([...w.wxh, ...w.whh, ...w.bh, ...w.why, ...w.by]);
    }
    expect(weights[1]).toEqual(weights[0]);
    for (const other of weights.slice(1))
      other.forEach((v, i) => expect(Math.abs(v - weights[0][i]), `parameter ${i}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(weights[0][i]))));
  });

  it('same seed → the same bits (simd), a different seed → different weights; every backend starts alike', async () => {
    const runs: unknown[] = [];
    for (let r = 0; r < 2; r++) {
      const net = await createRecurrentNetwork({ ...spec, optimizer: 'adam', learningRate: 0.01 });
      const h = await net.fit(xs, ys, { epochs: 3, batchSize: 3 });
      runs.push([h.loss, net.getWeights()]);
    }
    expect(runs[1]).toEqual(runs[0]);
    const starts = await Promise.all(ALL.map(async (backend) => (await createRecurrentNetwork({ ...spec, backend })).getWeights()));
    expect(starts[1]).toEqual(starts[0]);
    expect(starts[2]).toEqual(starts[0]);
    expect((await createRecurrentNetwork({ ...spec, seed: 6 })).getWeights().whh).not.toEqual(starts[0].whh);
  });

  it('batches hold one length: a fit with a negligible step reports the mean loss over every step', async () => {
    const net = await createRecurrentNetwork({ ...spec, optimizer: 'sgd', learningRate: 1e-30, clipNorm: undefined });
    const before = net.evaluate(xs, ys).loss;
    const h = await net.fit(xs, ys, { epochs: 1, batchSize: 4, shuffle: false });
    expect(Math.abs(h.loss[0] - before)).toBeLessThan(1e-6 * before);
    // and the mean over steps, not over sequences: the f64 network agrees
    const ref = refOf(net.getWeights(), 2, 6, 1, 'tanh', 'linear');
    let s = 0, steps = 0;
    xs.forEach((x, i) => { s += elmanLoss(ref, [Float64Array.from(x.data)], [Float64Array.from(ys[i].data)], x.rows, 'mse') * x.rows; steps += x.rows; });
    expect(Math.abs(before - s / steps)).toBeLessThan(1e-5 * before);
  });

  it('clipNorm: with SGD at lr 1 the step is the gradient scaled to the limit; history counts clipped batches', async () => {
    const seqs = xs.filter((x) => x.rows === 6), t = ys.filter((y) => y.rows === 6);
    const net = await createRecurrentNetwork({ ...spec, optimizer: 'sgd', learningRate: 1, clipNorm: 0.01 });
    const g = net.gradients(seqs, t);
    expect(g.norm).toBeGreaterThan(0.01);
    const before = net.getWeights();
    net.trainBatch(seqs, t);
    const after = net.getWeights();
    for (const key of ['wxh', 'whh', 'bh', 'why', 'by'] as const)
      before[key].forEach((w, i) => expect(Math.abs(w - after[key][i] - g[key][i] * (0.01 / g.norm))).toBeLessThan(1e-7));
    const h = await net.fit(xs, ys, { epochs: 2, batchSize: 4 });
    expect(h.clipped).toHaveLength(2);
    expect(h.clipped![0]).toBeGreaterThan(0);
  });

  it('one fit at a time: a second fit while one runs is refused', async () => {
    const net = await createRecurrentNetwork(spec);
    const first = net.fit(xs, ys, { epochs: 2, batchSize: 4 });
    await expect(net.fit(xs, ys, { epochs: 1 })).rejects.toThrow('fit: this recurrent network is already training (a fit is running); await it, or abort it, first');
    expect((await first).loss).toHaveLength(2);
  });

  it('memory and layout are flat over epochs: the arena is sized before fit', async () => {
    const net = await createRecurrentNetwork(spec);
    await net.fit(xs, ys, { epochs: 1, batchSize: 4 });
    const bytes = net.arenaBytes, layout = net.layout();
    await net.fit(xs, ys, { epochs: 200, batchSize: 4 });
    expect(net.arenaBytes).toBe(bytes);
    expect(net.layout()).toBe(layout);
    expect(layout).toMatch(/params\.whh\s+6×6/);
  });

  it('inference never grows the arena: a long sequence runs in time windows that carry the state', async () => {
    const net = await createRecurrentNetwork({ inputSize: 2, hiddenSize: 8, outputSize: 1, seed: 1 });
    const before = net.arenaBytes, layout = net.layout();
    const long = matrix(5000, 2, randomArray(new Rng(2), 10000));
    const p = net.predict(long), r = net.run(long);
    expect(net.arenaBytes).toBe(before);
    expect(net.layout()).toBe(layout);
    expect(r.output.data).toEqual(p.data);
    // the same bits as one window over the whole sequence (gradients() grows the arena, weights untouched)
    net.gradients([long], [matrix(5000, 1)]);
    expect(net.arenaBytes).toBeGreaterThan(before);
    expect(net.predict(long).data).toEqual(p.data);
    expect(net.run(long).state).toEqual(r.state);
    const ref = elmanRun(refOf(net.getWeights(), 2, 8, 1, 'tanh', 'linear'), [Float64Array.from(long.data)], 5000)[0];
    expectClose(p.data, ref.y.map((o) => o[0]), 1e-4, 'f64'); // f32 rounding through 5000 steps of a near-unit-gain recurrence
  });

  it('a call that would grow the arena while fit runs is refused (it would move the training data)', async () => {
    const net = await createRecurrentNetwork(spec);
    const big = Array.from({ length: 40 }, () => xs[0]), bigY = Array.from({ length: 40 }, () => ys[0]);
    const err = await net.fit(xs, ys, { epochs: 2, batchSize: 4, onEpochEnd: () => { net.predict(xs); net.trainBatch(big, bigY); } }).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(BackpropError);
    expect(err.message).toBe('this call needs a larger arena than the running fit reserved (it would move the training data); make it after fit');
    expect(() => net.trainBatch(big, bigY)).not.toThrow(); // after fit it may grow
  });

  it('calling fit again continues exactly (weights, optimizer state, shuffle stream)', async () => {
    const a = await createRecurrentNetwork({ ...spec, optimizer: 'adam', learningRate: 0.01 }), b = await createRecurrentNetwork({ ...spec, optimizer: 'adam', learningRate: 0.01 });
    const ha = await a.fit(xs, ys, { epochs: 4, batchSize: 3 });
    const h1 = await b.fit(xs, ys, { epochs: 2, batchSize: 3 });
    const h2 = await b.fit(xs, ys, { epochs: 2, batchSize: 3 });
    expect([...h1.loss, ...h2.loss]).toEqual(ha.loss);
    expect(b.getWeights()).toEqual(a.getWeights());
  });

  it('learns a delayed-sum sequence task (loss falls tenfold)', async () => {
    const net = await createRecurrentNetwork({ ...spec, optimizer: 'adam', learningRate: 0.02 });
    const h = await net.fit(xs, ys, { epochs: 150, batchSize: 4 });
    expect(h.loss[149]).toBeLessThan(h.loss[0] / 10);
  });

  it('run() carries the state: two halves equal the whole; predict matches the f64 network', async () => {
    const net = await createRecurrentNetwork({ inputSize: 2, hiddenSize: 5, outputSize: 3, output: 'softmax', seed: 8 });
    const x = xs[1]; // 9 steps
    const whole = net.predict(x);
    const first = net.run(matrix(4, 2, x.data.subarray(0, 8)));
    const second = net.run(matrix(5, 2, x.data.subarray(8)), first.state);
    expectClose([...first.output.data, ...second.output.data], whole.data, 1e-6, 'halves');
    const ref = elmanRun(refOf(net.getWeights(), 2, 5, 3, 'tanh', 'softmax'), [Float64Array.from(x.data)], 9)[0];
    expectClose(whole.data, ref.y.flatMap((r) => [...r]), 1e-5, 'f64');
    const many = net.predict(xs);
    expect(many).toHaveLength(xs.length);
    expect(many[1].data).toEqual(whole.data);
  });

  it('class targets per step: accuracy in the history; toJSON → load gives identical predictions on every backend', async () => {
    const cls = xs.map((x) => Int32Array.from({ length: x.rows }, (_, t) => (x.data[t * 2] > 0 ? 1 : 0)));
    const net = await createRecurrentNetwork({ inputSize: 2, hiddenSize: 4, outputSize: 2, loss: 'cross-entropy', optimizer: 'adam', learningRate: 0.05, seed: 1 });
    const h = await net.fit(xs, cls, { epochs: 30, batchSize: 4, validationData: [xs, cls] });
    expect(h.accuracy![29]).toBeGreaterThan(0.9);
    expect(h.valAccuracy![29]).toBeCloseTo(net.evaluate(xs, cls).accuracy!, 10);
    net.metadata = { vocabulary: ['a', 'b'] };
    const text = JSON.stringify(net.toJSON());
    expect(JSON.parse(text)).toMatchObject({ format: 'backprop-wasm', version: 1, kind: 'elman', hiddenSize: 4 });
    for (const backend of ALL) {
      const back = await loadRecurrentNetwork(text, { backend });
      expect(back.getWeights()).toEqual(net.getWeights());
      expect(back.metadata.vocabulary).toEqual(['a', 'b']);
      const p = back.predict(xs[0]).data, q = net.predict(xs[0]).data;
      p.forEach((v, i) => expect(Math.abs(v - q[i])).toBeLessThan(1e-6));
    }
  });
});

describe('bad input gives one-line BackpropErrors', () => {
  const spec: RecurrentSpec = { inputSize: 2, hiddenSize: 3, outputSize: 1 };
  const seq = matrix(3, 2, [0, 1, 1, 0, 1, 1]), tgt = matrix(3, 1, [0, 1, 0]);
  const net = (s: Partial<RecurrentSpec> = {}) => createRecurrentNetwork({ ...spec, ...s });
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['hiddenSize 0', () => net({ hiddenSize: 0 }), /createRecurrentNetwork: hiddenSize must be a positive integer, got 0/],
    ['unknown activation', () => net({ activation: 'gelu' as never }), /unknown recurrent activation 'gelu'/],
    ['unknown output', () => net({ output: 'relu' as never }), /unknown output activation 'relu'/],
    ['cross-entropy without softmax', () => net({ loss: 'cross-entropy', output: 'linear' }), /loss 'cross-entropy' needs output 'softmax'/],
    ['softmax of one', () => net({ output: 'softmax' }), /softmax output needs outputSize ≥ 2/],
    ['bad truncate', () => net({ truncate: 0 }), /truncate must be a positive integer/],
    ['bad clipNorm', () => net({ clipNorm: -1 }), /clipNorm must be a positive number/],
    ['unknown option', () => net({ dropout: 0.1 } as never), /unknown option 'dropout'/],
    ['bad learning rate', () => net({ learningRate: -1 }), /learningRate must be a positive number/],
    ['no sequences', async () => (await net()).fit([], []), /fit: sequences must be a non-empty array/],
    ['empty sequence', async () => (await net()).fit([seq, matrix(0, 2)], [tgt, matrix(0, 1)]), /fit: sequence 2 is empty \(0 steps\)/],
    ['wrong width', async () => (await net()).fit([seq, matrix(3, 3)], [tgt, tgt]), /fit: sequence 2 has 3 columns, the network has 2 inputs/],
    ['T mismatch', async () => (await net()).fit([seq, seq], [tgt, matrix(4, 1)]), /fit: targets 2 has 4 steps, sequence 2 has 3/],
    ['class T mismatch', async () => (await net()).fit([seq], [new Int32Array(2)]), /fit: targets 1 has 2 steps, sequence 1 has 3/],
    ['target width', async () => (await net()).fit([seq], [matrix(3, 2)]), /fit: targets 1 has 2 columns, the network has 1 outputs/],
    ['count mismatch', async () => (await net()).fit([seq, seq], [tgt]), /fit: 1 targets for 2 sequences/],
    ['mixed targets', async () => (await net()).fit([seq, seq], [new Int32Array(3), tgt]), /targets 2 must be an Int32Array like targets 1/],
    ['label out of range', async () => (await net()).fit([seq], [Int32Array.from([0, 2, 1])]), /label 2 at sequence 1, step 2 is out of range/],
    ['NaN step', async () => (await net()).fit([matrix(2, 2, [0, 1, NaN, 0])], [matrix(2, 1)]), /fit: sequence 1: step 2, column 1 is NaN/],
    ['not a matrix', async () => (await net()).predict([[1, 2]] as never), /predict: sequence 1 must be a Matrix/],
    ['unequal batch', async () => (await net()).trainBatch([seq, matrix(2, 2)], [tgt, matrix(2, 1)]), /trainBatch: the sequences of one batch must have equal lengths \(sequence 2 has 2 steps, sequence 1 has 3\)/],
    ['bad state', async () => (await net()).run(seq, new Float32Array(2)), /run: state must be a Float32Array of 3 values/],
    ['unknown fit option', async () => (await net()).fit([seq], [tgt], { epoch: 2 } as never), /fit: unknown option 'epoch'/],
    ['disposed', async () => { const n = await net(); n.dispose(); return n.predict(seq); }, /disposed/],
    ['feed-forward model', () => loadRecurrentNetwork({ format: 'backprop-wasm', version: 1, layers: [] }), /not a recurrent \(Elman\) model/],
    ['short weights', async () => { const j = (await net()).toJSON(); j.weights.whh = j.weights.whh.slice(0, 8); return loadRecurrentNetwork(j); }, /weights\.whh: expected 9 float32 values/],
  ];
  for (const [name, run, re] of cases) {
    it(name, async () => {
      const err = await run().then(() => null, (e) => e);
      expect(err).toBeInstanceOf(BackpropError);
      expect(err.message).toMatch(re);
      expect(err.message).not.toContain('\n');
    });
  }

  it('divergence stops at the batch, restores the epoch\'s weights and names epoch and batch', async () => {
    const n: RecurrentNetwork = await createRecurrentNetwork({ ...spec, activation: 'relu', optimizer: 'sgd', learningRate: 1e8 });
    const start = n.getWeights();
    const big = Array.from({ length: 4 }, () => matrix(3, 2, [5, 5, 5, 5, 5, 5]));
    const err = await n.fit(big, big.map(() => matrix(3, 1, [100, -100, 100])), { epochs: 3, batchSize: 1 }).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(BackpropError);
    expect(err.message).toMatch(/^training diverged at epoch 1, batch \d+: .*try a lower learning rate than 100000000 or clipNorm$/);
    expect(n.getWeights()).toEqual(start);
  });
});
