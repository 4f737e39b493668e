// The reference every system is checked against before it is timed: a plain
// float64 MLP, written from the math (not from src/), one loop per product.
// Layers: weights W[in×out] row-major and bias b[out] (the library's layout).
// Activations relu | sigmoid | softmax (softmax only last, with cross-entropy);
// losses 'cross-entropy' (mean over the batch) and 'sse' (½·Σ, no 1/m: the
// article's rule; with batch 1 it is also brain.js's per-sample rule);
// optimizers sgd (w −= lr·g) and adam (PyTorch form, bias-corrected).

const act = {
  relu: { f: (z) => (z > 0 ? z : 0), df: (a) => (a > 0 ? 1 : 0) },
  sigmoid: { f: (z) => 1 / (1 + Math.exp(-z)), df: (a) => a * (1 - a) },
};

/**
 * Trains a copy of `initial` ([{ weights, bias }] per layer) on the rows of x
 * (Float32Array rows×inputs) and targets t (one-hot rows×outputs), in order,
 * `batch` rows per step, for `epochs` passes. Returns { layers, losses }.
 */
export function trainReference({ sizes, activations, loss, optimizer, batch, x, t, rows, epochs = 1, initial }) {
  const L = sizes.length - 1;
  const W = initial.map((l) => Float64Array.from(l.weights)), B = initial.map((l) => Float64Array.from(l.bias));
  const adam = optimizer.type === 'adam';
  const mW = W.map((w) => new Float64Array(w.length)), vW = W.map((w) => new Float64Array(w.length));
  const mB = B.map((b) => new Float64Array(b.length)), vB = B.map((b) => new Float64Array(b.length));
  const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = optimizer;
  let step = 0;
  const losses = [];
  for (let e = 0; e < epochs; e++) {
    for (let start = 0; start < rows; start += batch) {
      const m = Math.min(batch, rows - start);
      // forward: A[0] = X, A[l+1] = f(A[l]·W[l] + b[l])
      const A = [Float64Array.from(x.subarray(start * sizes[0], (start + m) * sizes[0]))];
      for (let l = 0; l < L; l++) {
        const n = sizes[l + 1], k = sizes[l], a = A[l], z = new Float64Array(m * n);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let s = B[l][j];
            for (let p = 0; p < k; p++) s += a[i * k + p] * W[l][p * n + j];
            z[i * n + j] = s;
          }
        if (activations[l] === 'softmax') {
          for (let i = 0; i < m; i++) {
            let mx = -Infinity, sum = 0;
            for (let j = 0; j < n; j++) mx = Math.max(mx, z[i * n + j]);
            for (let j = 0; j < n; j++) sum += (z[i * n + j] = Math.exp(z[i * n + j] - mx));
            for (let j = 0; j < n; j++) z[i * n + j] /= sum;
          }
        } else for (let i = 0; i < z.length; i++) z[i] = act[activations[l]].f(z[i]);
        A.push(z);
      }
      // loss and dZ of the last layer
      const out = A[L], no = sizes[L], tt = t.subarray(start * no, (start + m) * no);
      let dz = new Float64Array(m * no), lossSum = 0;
      for (let i = 0; i < m * no; i++) {
        if (loss === 'cross-entropy') {
          if (tt[i] > 0) lossSum -= tt[i] * Math.log(out[i]);
          dz[i] = (out[i] - tt[i]) / m;
        } else {
          lossSum += 0.5 * (out[i] - tt[i]) ** 2;
          dz[i] = (out[i] - tt[i]) * act[activations[L - 1]].df(out[i]);
        }
      }
      losses.push(loss === 'cross-entropy' ? lossSum / m : lossSum);
      // backward: gW = A[l]ᵀ·dZ, gb = Σ dZ, dA[l] = dZ·W[l]ᵀ (all from the weights before the update)
      const gW = [], gB = [];
      for (let l = L - 1; l >= 0; l--) {
        const n = sizes[l + 1], k = sizes[l], a = A[l];
        const gw = new Float64Array(k * n), gb = new Float64Array(n);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            const d = dz[i * n + j];
            gb[j] += d;
            for (let p = 0; p < k; p++) gw[p * n + j] += a[i * k + p] * d;
          }
        gW[l] = gw; gB[l] = gb;
        if (l > 0) {
          const prev = new Float64Array(m * k);
          for (let i = 0; i < m; i++)
            for (let p = 0; p < k; p++) {
              let s = 0;
              for (let j = 0; j < n; j++) s += dz[i * n + j] * W[l][p * n + j];
              prev[i * k + p] = s * act[activations[l - 1]].df(a[i * k + p]);
            }
          dz = prev;
        }
      }
      // update
      step++;
      const bc1 = 1 - beta1 ** step, bc2 = 1 - beta2 ** step;
      const upd = (w, g, mm, vv) => {
        for (let i = 0; i < w.length; i++) {
          if (!adam) { w[i] -= lr * g[i]; continue; }
          mm[i] = beta1 * mm[i] + (1 - beta1) * g[i];
          vv[i] = beta2 * vv[i] + (1 - beta2) * g[i] * g[i];
          w[i] -= (lr / bc1) * mm[i] / (Math.sqrt(vv[i]) / Math.sqrt(bc2) + eps);
        }
      };
      for (let l = 0; l < L; l++) { upd(W[l], gW[l], mW[l], vW[l]); upd(B[l], gB[l], mB[l], vB[l]); }
    }
  }
  return { layers: W.map((w, l) => ({ weights: w, bias: B[l] })), losses };
}

/** Largest |a − b| over every weight and bias of two layer lists. */
export function maxAbsDiff(a, b) {
  let d = 0;
  a.forEach((l, i) => {
    for (const key of ['weights', 'bias'])
      for (let j = 0; j < l[key].length; j++) d = Math.max(d, Math.abs(l[key][j] - b[i][key][j]));
  });
  return d;
}

/** FLOPs a training step really runs per sample: 2·in·out for the forward product, the
 *  weight gradient and the input gradient of every layer, minus the first layer's input gradient. */
export function flopsPerSample(sizes) {
  let f = 0;
  for (let l = 0; l + 1 < sizes.length; l++) f += 3 * 2 * sizes[l] * sizes[l + 1];
  return f - 2 * sizes[0] * sizes[1];
}
