// src/network.ts: the driver end to end on every backend — gradients against
// finite differences of an independent f64 network, the article's update
// rule, determinism, agreement between backends, learning, fit options, and
// flat memory.
import { describe, expect, it } from 'vitest';
import { createNetwork, loadIris, loadNetwork, matrix, BackpropError, type Matrix, type NetworkSpec, type Network } from '../src/index.js';
import { trainTestSplit, fitStandardizer, oneHot } from '../src/data.js';
import { Rng } from '../src/random.js';
import { ALL } from './helpers.js';
import { forward, loss as refLoss, type Act, type Layer } from './reference.js';

function toRef(net: Network): Layer[] {
  return net.getWeights().map((w, i) => ({
    W: Float64Array.from(w.weights), b: Float64Array.from(w.bias),
    inputs: i === 0 ? net.spec.inputSize : net.spec.layers[i - 1].units,
    units: net.spec.layers[i].units, act: net.spec.layers[i].activation as Act,
  }));
}

function refLossOf(layers: Layer[], lossName: string, x: Matrix, y: Float64Array): number {
  const outs = forward(layers, Float64Array.from(x.data), x.rows);
  const last = outs[outs.length - 1];
  return refLoss(lossName, last.z, last.a, y, x.rows, layers[layers.length - 1].units);
}

function randomMatrix(rng: Rng, rows: number, cols: number): Matrix {
  return matrix(rows, cols, Float32Array.from({ length: rows * cols }, () => 2 * rng.float() - 1));
}

const COMBOS: { hidden: string; out: string; loss: string }[] = [];
for (const hidden of ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax'])
  for (const [loss, out] of [['mse', 'tanh'], ['sse', 'sigmoid'], ['cross-entropy', 'softmax'], ['binary-cross-entropy', 'sigmoid']])
    COMBOS.push({ hidden, out, loss });
for (const out of ['linear', 'relu', 'leaky-relu', 'softmax']) COMBOS.push({ hidden: 'tanh', out, loss: 'mse' });
COMBOS.push({ hidden: 'relu', out: 'softmax', loss: 'binary-cross-entropy' });

describe('gradients: finite differences of an f64 network, 2 hidden layers, every activation × loss', () => {
  for (const backend of ALL) {
    it(`${backend}: ${COMBOS.length} combinations`, async () => {
      for (const c of COMBOS) {
        const rng = new Rng(COMBOS.indexOf(c) + 1);
        const m = 6, sizes = [3, 5, 4, 3];
        const x = randomMatrix(rng, m, sizes[0]);
        const yv = new Float64Array(m * 3);
        if (c.loss === 'cross-entropy' || c.out === 'softmax') for (let i = 0; i < m; i++) yv[i * 3 + rng.below(3)] = 1;
        else if (c.loss === 'binary-cross-entropy') for (let i = 0; i < yv.length; i++) yv[i] = rng.below(2);
        else for (let i = 0; i < yv.length; i++) yv[i] = c.out === 'tanh' || c.out === 'linear' || c.out === 'leaky-relu' ? 2 * rng.float() - 1 : rng.float();
        const y = matrix(m, 3, Float32Array.from(yv));
        const spec = {
          inputSize: 3, layers: [{ units: 5, activation: c.hidden }, { units: 4, activation: c.hidden }, { units: 3, activation: c.out }],
          loss: c.loss, optimizer: { type: 'sgd', learningRate: 1 }, init: 'xavier', seed: 3, backend,
        } as NetworkSpec;
        const net = await createNetwork(spec);
        const ref = toRef(net);
        const before = net.getWeights();
        net.trainBatch(x, y); // SGD with lr 1: w_after = w_before − g
        const after = net.getWeights();
        const h = 1e-6;
        ref.forEach((layer, li) => {
          for (const [key, name] of [['W', 'weights'], ['b', 'bias']] as const) {
            const params = layer[key];
            const got = before[li][name].map((w, i) => w - after[li][name][i]);
            const num = params.map((_, i) => {
              const keep = params[i];
              params[i] = keep + h; const lp = refLossOf(ref, c.loss, x, yv);
              params[i] = keep - h; const lm = refLossOf(ref, c.loss, x, yv);
              params[i] = keep;
              return (lp - lm) / (2 * h);
            });
            // f32 forward/backward (relative error ~1e-6) plus the rounding of w − g (~6e-8·|w|)
            const scale = Math.max(...num.map(Math.abs));
            num.forEach((g, i) => {
              if (!(Math.abs(got[i] - g) <= 2e-4 * scale + 2e-6))
                expect.fail(`${backend} ${c.hidden}/${c.out}/${c.loss}: layer ${li + 1} ${name}[${i}] = ${got[i]}, finite differences ${g}`);
            });
          }
        });
        net.dispose();
      }
    });
  }
});

/** The article's loop, in f64, exactly as written (one-hot targets). */
function articleSteps(W1: Float64Array, b1: Float64Array, W2: Float64Array, b2: Float64Array, x: Float64Array, y: Float64Array, n: number, steps: number) {
  const layers: Layer[] = [{ W: W1, b: b1, inputs: 4, units: 4, act: 'sigmoid' }, { W: W2, b: b2, inputs: 4, units: 3, act: 'sigmoid' }];
  const mses: number[] = [];
  for (let it = 0; it < steps; it++) {
    const [{ a: a1 }, { a: yp }] = forward(layers, x, n);
    let mse = 0;
    for (let i = 0; i < yp.length; i++) mse += (y[i] - yp[i]) ** 2;
    mses.push(mse / yp.length);
    const dOut = yp.map((v, i) => (v - y[i]) * v * (1 - v));
    const dHid = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) for (let p = 0; p < 4; p++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += dOut[i * 3 + j] * W2[p * 3 + j];
      const a = a1[i * 4 + p];
      dHid[i * 4 + p] = s * a * (1 - a);
    }
    const upd = (W: Float64Array, b: Float64Array, inp: Float64Array, d: Float64Array, ins: number, units: number) => {
      for (let p = 0; p < ins; p++) for (let j = 0; j < units; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += inp[i * ins + p] * d[i * units + j];
        W[p * units + j] -= 0.1 * s;
      }
      for (let j = 0; j < units; j++) { let s = 0; for (let i = 0; i < n; i++) s += d[i * units + j]; b[j] -= 0.1 * s; }
    };
    upd(W2, b2, a1, dOut, 4, 3);
    upd(W1, b1, x, dHid, 4, 4);
  }
  return mses;
}

describe("the article's example", () => {
  const iris = loadIris();
  const split = trainTestSplit(iris.x, iris.y, { testSize: 0.3, seed: 0 });
  const xTrain = split.xTrain, yTrain = split.yTrain as Int32Array;
  const article: NetworkSpec = {
    inputSize: 4, layers: [{ units: 4, activation: 'sigmoid' }, { units: 3, activation: 'sigmoid' }],
    loss: 'sse', optimizer: 'sgd', learningRate: 0.1, init: 'uniform', seed: 0,
  };

  for (const backend of ALL) {
    it(`${backend}: each update equals the article's update (f64) up to float32 rounding`, async () => {
      const net = await createNetwork({ ...article, backend });
      const w = net.getWeights();
      for (const t of w) { expect(Math.min(...t.weights, ...t.bias)).toBeGreaterThanOrEqual(0); expect(Math.max(...t.weights, ...t.bias)).toBeLessThan(1); }
      const n = xTrain.rows;
      const y = Float64Array.from(oneHot(yTrain, 3).data);
      const [W1, b1, W2, b2] = [w[0].weights, w[0].bias, w[1].weights, w[1].bias].map((a) => Float64Array.from(a));
      // Step by step from the network's own weights: a whole trajectory drifts (chaotic), each step must not.
      for (let step = 0; step < 20; step++) {
        const cur = net.getWeights();
        [W1, b1, W2, b2].forEach((a, i) => a.set([cur[0].weights, cur[0].bias, cur[1].weights, cur[1].bias][i]));
        const [mse] = articleSteps(W1, b1, W2, b2, Float64Array.from(xTrain.data), y, n, 1);
        const sse = net.trainBatch(xTrain, yTrain);
        expect(Math.abs((2 * sse) / (n * 3) - mse)).toBeLessThan(1e-6 * mse);
        const next = net.getWeights();
        const ours = [next[0].weights, next[0].bias, next[1].weights, next[1].bias];
        [W1, b1, W2, b2].forEach((ref, i) => {
          ref.forEach((v, j) => expect(Math.abs(ours[i][j] - v), `step ${step} tensor ${i}[${j}]`).toBeLessThan(2e-5 * Math.max(1, Math.abs(v))));
        });
      }
    });
  }

  it('from fixed weights set with setWeights, the first MSE values match the article computed by hand in f64', async () => {
    const fixed = (n: number, salt: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7 + salt) % 10) / 10);
    const w = [{ weights: fixed(16, 1), bias: fixed(4, 2) }, { weights: fixed(12, 3), bias: fixed(3, 4) }];
    const y = Float64Array.from(oneHot(yTrain, 3).data);
    const ref = articleSteps(...([w[0].weights, w[0].bias, w[1].weights, w[1].bias].map((a) => Float64Array.from(a)) as [Float64Array, Float64Array, Float64Array, Float64Array]),
      Float64Array.from(xTrain.data), y, xTrain.rows, 5);
    for (const backend of ALL) {
      const net = await createNetwork({ ...article, backend });
      net.setWeights(w);
      const h = await net.fit(xTrain, yTrain, { epochs: 5, batchSize: 'full', shuffle: false });
      const mse = h.loss.map((sse) => (2 * sse) / (xTrain.rows * 3));
      mse.forEach((e, i) => expect(Math.abs(e - ref[i]), `${backend} iteration ${i}: ${e} vs ${ref[i]}`).toBeLessThan(1e-5 * ref[i]));
    }
  });

  it('fit on the full batch without shuffling reports the same losses as trainBatch steps', async () => {
    const a = await createNetwork(article), b = await createNetwork(article);
    const h = await a.fit(xTrain, yTrain, { epochs: 5, batchSize: 'full', shuffle: false });
    const steps = Array.from({ length: 5 }, () => b.trainBatch(xTrain, yTrain));
    expect(h.loss).toEqual(steps);
    expect(a.getWeights()).toEqual(b.getWeights());
  });
});

describe('determinism and agreement', () => {
  const iris = loadIris();
  const st = fitStandardizer(iris.x);
  const x = st.transform(iris.x), y = iris.y;
  const spec: NetworkSpec = { inputSize: 4, layers: [{ units: 10, activation: 'tanh' }, { units: 3, activation: 'softmax' }], optimizer: 'sgd', learningRate: 0.05, seed: 9 };

  it('same seed → identical weights after training, twice in a row, on every backend', async () => {
    for (const backend of ALL) {
      const runs = [];
      for (let r = 0; r < 2; r++) {
        const net = await createNetwork({ ...spec, backend, optimizer: 'adam', learningRate: 0.01 });
        await net.fit(x, y, { epochs: 5, batchSize: 16 });
        runs.push(net.getWeights());
      }
      expect(runs[0]).toEqual(runs[1]);
    }
  });

  it('a different seed gives different weights; every backend starts from the same ones', async () => {
    const w = await Promise.all(ALL.map(async (backend) => (await createNetwork({ ...spec, backend, init: 'he' })).getWeights()));
    expect(w[0]).toEqual(w[1]);
    expect(w[0]).toEqual(w[2]);
    const other = (await createNetwork({ ...spec, seed: 10 })).getWeights();
    expect(other[0].weights).not.toEqual(w[0][0].weights);
  });

  it('the three backends end within 1e-4 of each other after 100 steps on Iris', async () => {
    const weights: number[][] = [];
    for (const backend of ALL) {
      const net = await createNetwork({ ...spec, backend });
      const h = await net.fit(x, y, { epochs: 10, batchSize: 15 }); // 10 batches × 10 epochs
      expect(h.loss[9]).toBeLessThan(h.loss[0]);
      weights.push(net.getWeights().flatMap((l) => [...l.weights, ...l.bias]));
    }
    for (const other of weights.slice(1))
      other.forEach((v, i) => expect(Math.abs(v - weights[0][i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(weights[0][i]))));
  });
});

describe('learning', () => {
  it('learns XOR on every backend', async () => {
    const x = matrix(4, 2, [0, 0, 0, 1, 1, 0, 1, 1]);
    const y = new Int32Array([0, 1, 1, 0]);
    for (const backend of ALL) {
      const net = await createNetwork({ inputSize: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', optimizer: 'adam', learningRate: 0.05, seed: 1, backend });
      const h = await net.fit(x, y, { epochs: 500, batchSize: 'full' });
      expect(Array.from(net.predictClasses(x)), backend).toEqual([0, 1, 1, 0]);
      expect(h.accuracy![h.accuracy!.length - 1]).toBe(1);
      expect(h.loss[499]).toBeLessThan(0.1);
    }
  });

  it('momentum, nesterov, l2 and every init train Iris to ≥ 0.9 training accuracy', async () => {
    const iris = loadIris();
    const x = fitStandardizer(iris.x).transform(iris.x);
    for (const [optimizer, init] of [['momentum', 'xavier'], ['nesterov', 'he'], ['sgd', 'uniform'], ['adam', 'he']] as const) {
      const net = await createNetwork({ inputSize: 4, layers: [{ units: 8, activation: 'relu' }, { units: 3 }], loss: 'cross-entropy', optimizer, learningRate: optimizer === 'adam' ? 0.01 : 0.05, init, l2: 1e-4, seed: 2 });
      await net.fit(x, iris.y, { epochs: 60, batchSize: 16 });
      expect(net.evaluate(x, iris.y).accuracy, `${optimizer}/${init}`).toBeGreaterThanOrEqual(0.9);
    }
  });
});

describe('fit options', () => {
  const iris = loadIris();
  const x = fitStandardizer(iris.x).transform(iris.x), y = iris.y;
  const spec: NetworkSpec = { inputSize: 4, layers: [{ units: 8 }, { units: 3, activation: 'softmax' }], optimizer: 'adam', learningRate: 0.01, seed: 4 };

  it('a fit lets timers run: short epochs (the clock read every few hundred) and long ones (many batches)', async () => {
    const iris = loadIris(), rng = new Rng(3);
    const wide = matrix(512, 784, Float32Array.from({ length: 512 * 784 }, () => rng.float()));
    const cases = [
      { x: matrix(150, 4, iris.x.data), y: iris.y, hidden: 4, opts: { epochs: 40000, batchSize: 'full' } }, // ~20 µs epochs
      { x: wide, y: Int32Array.from({ length: 512 }, (_, i) => i % 3), hidden: 256, opts: { epochs: 8, batchSize: 1 } }, // ~30 ms epochs
    ] as const;
    for (const { x, y, hidden, opts } of cases) {
      const net = await createNetwork({ inputSize: x.cols, layers: [{ units: hidden, activation: 'sigmoid' }, { units: 3, activation: 'softmax' }], seed: 1 });
      let last = performance.now(), worst = 0, ticks = 0;
      const timer = setInterval(() => { const t = performance.now(); worst = Math.max(worst, t - last); last = t; ticks++; }, 5);
      const t0 = performance.now();
      try {
        await net.fit(x, y, { ...opts, shuffle: false });
      } finally {
        clearInterval(timer);
      }
      const took = performance.now() - t0;
      expect(took, 'the fit should take long enough to need yields').toBeGreaterThan(150);
      expect(ticks).toBeGreaterThan(2);
      expect(worst, `largest gap between timer ticks during a ${took.toFixed(0)} ms fit`).toBeLessThan(120);
      net.dispose();
    }
  });

  it('calling fit again continues exactly (weights, optimizer state and shuffle stream kept)', async () => {
    const a = await createNetwork(spec), b = await createNetwork(spec);
    const ha = await a.fit(x, y, { epochs: 6, batchSize: 20 });
    const h1 = await b.fit(x, y, { epochs: 3, batchSize: 20 });
    const h2 = await b.fit(x, y, { epochs: 3, batchSize: 20 });
    expect([...h1.loss, ...h2.loss]).toEqual(ha.loss);
    expect(b.getWeights()).toEqual(a.getWeights());
  });

  it('validation data, history fields and awaited onEpochEnd', async () => {
    const s = trainTestSplit(x, y, { testSize: 0.3, seed: 1, stratify: true });
    const net = await createNetwork(spec);
    const seen: number[] = [];
    const h = await net.fit(s.xTrain, s.yTrain as Int32Array, {
      epochs: 4, validationData: [s.xTest, s.yTest as Int32Array],
      onEpochEnd: async (epoch, logs) => { await new Promise((r) => setTimeout(r, 1)); seen.push(epoch); expect(logs.valLoss).toBeTypeOf('number'); },
    });
    expect(seen).toEqual([1, 2, 3, 4]);
    for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy'] as const) expect(h[k]).toHaveLength(4);
    expect(h.valLoss![3]).toBeCloseTo(net.evaluate(s.xTest, s.yTest as Int32Array).loss, 10);
    expect(h.seconds).toBeGreaterThan(0);
  });

  it('early stopping stops on a plateau and restores the best weights', async () => {
    const s = trainTestSplit(x, y, { testSize: 0.3, seed: 1, stratify: true });
    const net = await createNetwork({ ...spec, learningRate: 0.2 });
    let bestWeights: string | null = null, best = Infinity;
    const h = await net.fit(s.xTrain, s.yTrain as Int32Array, {
      epochs: 500, validationData: [s.xTest, s.yTest as Int32Array], earlyStopping: { patience: 5 },
      onEpochEnd: (_, logs) => { if (logs.valLoss! < best) { best = logs.valLoss!; bestWeights = JSON.stringify(net.toJSON().weights); } },
    });
    expect(h.stoppedEarly).toBe(true);
    expect(h.loss.length).toBeLessThan(500);
    expect(h.bestEpoch).toBe(h.valLoss!.indexOf(Math.min(...h.valLoss!)) + 1);
    expect(JSON.stringify(net.toJSON().weights)).toBe(bestWeights);
    expect(net.evaluate(s.xTest, s.yTest as Int32Array).loss).toBeCloseTo(best, 10);
  });

  it('an aborted signal stops after the current batch with history.aborted', async () => {
    const net = await createNetwork(spec);
    const ctrl = new AbortController();
    const h = await net.fit(x, y, { epochs: 1000, batchSize: 10, onBatchEnd: (b, _n, epoch) => { if (epoch === 2 && b === 3) ctrl.abort(); }, signal: ctrl.signal });
    expect(h.aborted).toBe(true);
    expect(h.loss).toHaveLength(2);
  });

  it('a signal aborted by a timer stops a long fit', async () => {
    const net = await createNetwork(spec);
    const h = await net.fit(x, y, { epochs: 1_000_000, batchSize: 150, signal: AbortSignal.timeout(150) });
    expect(h.aborted).toBe(true);
    expect(h.loss.length).toBeLessThan(1_000_000);
  });

  it('one fit at a time: a second fit while one runs is refused, and the first ends as if alone', async () => {
    const solo = await createNetwork(spec);
    const hs = await solo.fit(x, y, { epochs: 1000, batchSize: 10 });
    const net = await createNetwork(spec);
    let during = '';
    const first = net.fit(x, y, { epochs: 1000, batchSize: 10, onEpochEnd: (e) => { if (e === 500) net.fit(x, y).catch((err: Error) => { during = err.message; }); } });
    await expect(net.fit(x, y, { epochs: 1 })).rejects.toThrow('fit: this network is already training (a fit is running); await it, or abort it, first');
    const h = await first;
    expect(during).toMatch(/already training/); // refused from inside it, too
    expect(h.loss).toEqual(hs.loss);
    expect(net.getWeights()).toEqual(solo.getWeights());
    expect((await net.fit(x, y, { epochs: 1 })).loss).toHaveLength(1); // and free again after
  });

  it('during a fit, a call that would grow the arena is refused; disposing stops the fit with an error', async () => {
    const net = await createNetwork(spec);
    let refused = '';
    await net.fit(x, y, {
      epochs: 2, batchSize: 10,
      onEpochEnd: () => { try { net.trainBatch(x, y); } catch (e) { refused = (e as Error).message; } },
    });
    expect(refused).toBe('this call needs a larger arena than the running fit reserved (it would move the training data); make it after fit');
    expect(net.trainBatch(x, y)).toBeGreaterThan(0); // after the fit it grows
    const gone = await createNetwork(spec);
    await expect(gone.fit(x, y, { epochs: 100, onEpochEnd: (e) => { if (e === 3) gone.dispose(); } })).rejects.toThrow(new BackpropError('this network was disposed'));
    const gone2 = await createNetwork(spec);
    setTimeout(() => gone2.dispose(), 5);
    await expect(gone2.fit(x, y, { epochs: 1_000_000, batchSize: 150 })).rejects.toThrow('this network was disposed');
  });

  it('memory and layout are flat over epochs: the arena is sized before fit', async () => {
    const net = await createNetwork(spec);
    await net.fit(x, y, { epochs: 1, batchSize: 32 });
    const bytes = net.arenaBytes, layout = net.layout();
    await net.fit(x, y, { epochs: 300, batchSize: 32 });
    expect(net.arenaBytes).toBe(bytes);
    expect(net.layout()).toBe(layout);
    expect(layout).toMatch(/params\.W1\s+4×8/);
  });
});

describe('prediction, weights and model files', () => {
  const iris = loadIris();
  const x = fitStandardizer(iris.x).transform(iris.x);

  it('predict = last of activations; predictClasses = argmax; chunks larger than the batch', async () => {
    const net = await createNetwork({ inputSize: 4, layers: [{ units: 6, activation: 'tanh' }, { units: 5, activation: 'relu' }, { units: 3, activation: 'softmax' }], seed: 1 });
    const acts = net.activations(x);
    expect(acts.map((a) => [a.rows, a.cols])).toEqual([[150, 6], [150, 5], [150, 3]]);
    const p = net.predict(x);
    expect(p.data).toEqual(acts[2].data);
    const ref = forward(toRef(net), Float64Array.from(x.data), 150);
    acts.forEach((a, i) => a.data.forEach((v, j) => expect(Math.abs(v - ref[i].a[j])).toBeLessThan(1e-5)));
    const cls = net.predictClasses(x);
    for (let i = 0; i < 150; i++) { const row = Array.from(p.data.subarray(i * 3, i * 3 + 3)); expect(cls[i]).toBe(row.indexOf(Math.max(...row))); }
  });

  it('toJSON → loadNetwork gives identical predictions on every backend', async () => {
    for (const backend of ALL) {
      const net = await createNetwork({ inputSize: 4, layers: [{ units: 7 }, { units: 3, activation: 'softmax' }], seed: 5, backend });
      await net.fit(x, iris.y, { epochs: 3 });
      net.metadata = { classNames: iris.classNames, featureNames: iris.featureNames };
      const text = JSON.stringify(net.toJSON());
      const json = JSON.parse(text);
      expect(json.format).toBe('backprop-wasm');
      expect(json.version).toBe(1);
      expect(typeof json.weights[0].weights).toBe('string');
      for (const target of ALL) {
        const back = await loadNetwork(text, { backend: target });
        expect(back.backend).toBe(target);
        if (target === backend) expect(back.predict(x).data).toEqual(net.predict(x).data);
        else Array.from(back.predict(x).data).forEach((v, i) => expect(Math.abs(v - net.predict(x).data[i])).toBeLessThan(1e-5));
        expect(back.metadata.classNames).toEqual(iris.classNames);
        expect(back.getWeights()).toEqual(net.getWeights());
      }
    }
  });

  it('setWeights round-trips and rejects wrong shapes and non-finite values', async () => {
    const net = await createNetwork({ inputSize: 4, layers: [{ units: 2 }, { units: 3, activation: 'softmax' }] });
    const w = net.getWeights();
    w[0].weights.fill(0.25);
    net.setWeights(w);
    expect(net.getWeights()[0].weights.every((v) => v === 0.25)).toBe(true);
    expect(() => net.setWeights([w[0]])).toThrow(/expected 2 layers/);
    expect(() => net.setWeights([{ weights: new Float32Array(3), bias: w[0].bias }, w[1]])).toThrow(/layer 1 weights have 3 values, expected 4×2/);
    const bad = net.getWeights(); bad[1].bias[2] = NaN;
    expect(() => net.setWeights(bad)).toThrow(/layer 2 bias: value 3 is NaN/);
  });
});

describe('bad input gives one-line BackpropErrors', () => {
  const x = matrix(3, 2, [0, 1, 1, 0, 1, 1]);
  const y = new Int32Array([0, 1, 1]);
  const spec: NetworkSpec = { inputSize: 2, layers: [{ units: 3 }, { units: 2, activation: 'softmax' }] };
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['unknown activation', () => createNetwork({ inputSize: 2, layers: [{ units: 3, activation: 'swish' as never }] }), /unknown activation in layer 1 'swish'/],
    ['unknown loss', () => createNetwork({ ...spec, loss: 'hinge' as never }), /unknown loss 'hinge'/],
    ['unknown optimizer', () => createNetwork({ ...spec, optimizer: 'rmsprop' as never }), /unknown optimizer 'rmsprop'/],
    ['unknown option', () => createNetwork({ ...spec, dropout: 0.5 } as never), /unknown option 'dropout'/],
    ['unknown backend', () => createNetwork({ ...spec, backend: 'gpu' as never }), /unknown backend 'gpu'/],
    ['bad units', () => createNetwork({ inputSize: 2, layers: [{ units: 0 }] }), /units must be a positive integer/],
    ['cross-entropy without softmax', () => createNetwork({ inputSize: 2, layers: [{ units: 2, activation: 'sigmoid' }], loss: 'cross-entropy' }), /needs a softmax output/],
    ['NaN feature', async () => (await createNetwork(spec)).fit(matrix(2, 2, [0, NaN, 1, 1]), new Int32Array([0, 1])), /fit: x: row 1, column 2 is NaN/],
    ['Infinity feature', async () => (await createNetwork(spec)).predict(matrix(1, 2, [Infinity, 0])), /predict: x: row 1, column 1 is Infinity/],
    ['label out of range', async () => (await createNetwork(spec)).fit(x, new Int32Array([0, 2, 1])), /label 2 at row 2 is out of range/],
    ['x/y rows mismatch', async () => (await createNetwork(spec)).fit(x, new Int32Array([0, 1])), /y has 2 labels, x has 3 rows/],
    ['x columns mismatch', async () => (await createNetwork(spec)).fit(matrix(1, 3), new Int32Array([0])), /x has 3 columns, the network has 2 inputs/],
    ['y columns mismatch', async () => (await createNetwork(spec)).fit(x, matrix(3, 3)), /y has 3 columns, the network has 2 outputs/],
    ['epochs 0', async () => (await createNetwork(spec)).fit(x, y, { epochs: 0 }), /epochs must be a positive integer, got 0/],
    ['epochs -1', async () => (await createNetwork(spec)).fit(x, y, { epochs: -1 }), /epochs must be a positive integer/],
    ['bad batch size', async () => (await createNetwork(spec)).fit(x, y, { batchSize: 0 }), /batchSize must be a positive integer or 'full'/],
    ['unknown fit option', async () => (await createNetwork(spec)).fit(x, y, { epoch: 3 } as never), /fit: unknown option 'epoch'/],
    ['disposed', async () => { const n = await createNetwork(spec); n.dispose(); return n.predict(x); }, /disposed/],
    ['model not JSON', () => loadNetwork('{"format": "backprop-wasm", '), /model: not valid JSON/],
    ['model wrong format', () => loadNetwork({ format: 'keras' }), /not a backprop-wasm model/],
    ['model wrong version', () => loadNetwork({ format: 'backprop-wasm', version: 99 }), /unsupported version 99/],
    ['a network larger than 4 GiB', () => createNetwork({ inputSize: 70000, layers: [{ units: 20000 }, { units: 2 }] }), /needs \d+ bytes of arena, more than WebAssembly's 4 GiB/],
    ['model absurd size', () => loadNetwork({ format: 'backprop-wasm', version: 1, inputSize: 1e6, layers: [{ units: 1e6, activation: 'relu' }], loss: 'mse', weights: [{}], optimizer: {} }), /parameters is more than/],
    ['model layer without activation', () => loadNetwork({ format: 'backprop-wasm', version: 1, inputSize: 2, layers: [{ units: 2 }], loss: 'mse', weights: [{}], optimizer: {} }), /layer 1 needs an activation/],
  ];
  for (const [name, run, re] of cases) {
    it(name, async () => {
      const err = await run().then(() => null, (e) => e);
      expect(err).toBeInstanceOf(BackpropError);
      expect(err.message).toMatch(re);
      expect(err.message).not.toContain('\n');
    });
  }

  it('model with a wrong weight length or bad base64', async () => {
    const net = await createNetwork(spec);
    const json = net.toJSON();
    const short = structuredClone(json); short.weights[0].weights = short.weights[0].weights.slice(0, 8);
    await expect(loadNetwork(short)).rejects.toThrow(/layer 1 weights: expected 6 float32 values/);
    const bad = structuredClone(json); bad.weights[1].bias = '!!!!!!!!!!!!';
    await expect(loadNetwork(bad)).rejects.toThrow(BackpropError);
  });
});
