// Losses: each returns the loss of a batch (f64, accumulated in f64) and
// overwrites the gradient with respect to the network's output (a) — or, for
// the fused forms, with respect to the last layer's pre-activation (z).
// A[m×n] outputs, Y[m×n] targets, row-major f32, pointers are byte offsets.

const EPS: f32 = 1e-7;

/** mean over m·n of (a − y)²;  da = 2(a − y)/(m·n) */
export function mse_loss(a: usize, y: usize, da: usize, m: i32, n: i32): f64 {
  const count = m * n;
  const scale = <f32>(2.0 / <f64>count);
  let s: f64 = 0;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(a + o) - load<f32>(y + o);
    s += <f64>d * <f64>d;
    store<f32>(da + o, d * scale);
  }
  return s / <f64>count;
}

/** ½·Σ (a − y)²;  da = a − y (the article's rule: no 1/m) */
export function sse_loss(a: usize, y: usize, da: usize, m: i32, n: i32): f64 {
  const count = m * n;
  let s: f64 = 0;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(a + o) - load<f32>(y + o);
    s += <f64>d * <f64>d;
    store<f32>(da + o, d);
  }
  return 0.5 * s;
}

/** softmax + cross-entropy: mean over rows of Σ_j y_j·(logsumexp(z) − z_j),
 *  from the logits for stability;  dz = (a − y)/m */
export function softmax_cross_entropy(z: usize, a: usize, y: usize, dz: usize, m: i32, n: i32): f64 {
  const scale = <f32>(1.0 / <f64>m);
  let s: f64 = 0;
  for (let i = 0; i < m; i++) {
    const r = <usize>(i * n) << 2;
    let mx = -Infinity as f32;
    for (let j = 0; j < n; j++) mx = max(mx, load<f32>(z + r + (<usize>j << 2)));
    let se: f64 = 0;
    for (let j = 0; j < n; j++) se += <f64>Mathf.exp(load<f32>(z + r + (<usize>j << 2)) - mx);
    const lse = <f64>mx + Math.log(se);
    for (let j = 0; j < n; j++) {
      const o = r + (<usize>j << 2);
      const t = load<f32>(y + o);
      if (t != 0) s += <f64>t * (lse - <f64>load<f32>(z + o));
      store<f32>(dz + o, (load<f32>(a + o) - t) * scale);
    }
  }
  return s / <f64>m;
}

/** sigmoid + binary cross-entropy, mean over m·n:
 *  max(z, 0) − z·y + log(1 + exp(−|z|));  dz = (a − y)/(m·n) */
export function sigmoid_binary_cross_entropy(z: usize, a: usize, y: usize, dz: usize, m: i32, n: i32): f64 {
  const count = m * n;
  const scale = <f32>(1.0 / <f64>count);
  let s: f64 = 0;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const zv = <f64>load<f32>(z + o), t = load<f32>(y + o);
    s += max(zv, 0) - zv * <f64>t + Math.log1p(Math.exp(-Math.abs(zv)));
    store<f32>(dz + o, (load<f32>(a + o) - t) * scale);
  }
  return s / <f64>count;
}

/** binary cross-entropy of probabilities (a clamped to [1e-7, 1 − 1e-7]), mean over m·n;
 *  da = (a − y)/(a(1 − a))/(m·n) with the clamped a */
export function binary_cross_entropy(a: usize, y: usize, da: usize, m: i32, n: i32): f64 {
  const count = m * n;
  const scale = <f32>(1.0 / <f64>count);
  let s: f64 = 0;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const p = min(max(load<f32>(a + o), EPS), <f32>1 - EPS), t = load<f32>(y + o);
    s -= <f64>t * Math.log(<f64>p) + (1 - <f64>t) * Math.log(1 - <f64>p);
    store<f32>(da + o, (p - t) / (p * (<f32>1 - p)) * scale);
  }
  return s / <f64>count;
}

/** Rows of A[m×n] whose argmax (first max wins) equals Y's; for n = 1, (a ≥ ½) == (y ≥ ½). */
export function count_correct(a: usize, y: usize, m: i32, n: i32): i32 {
  let hits = 0;
  if (n == 1) {
    for (let i = 0; i < m; i++) {
      const o = <usize>i << 2;
      if ((load<f32>(a + o) >= 0.5) == (load<f32>(y + o) >= 0.5)) hits++;
    }
    return hits;
  }
  for (let i = 0; i < m; i++) {
    const r = <usize>(i * n) << 2;
    if (argmax(a + r, n) == argmax(y + r, n)) hits++;
  }
  return hits;
}

function argmax(p: usize, n: i32): i32 {
  let best = 0;
  let bv = load<f32>(p);
  for (let j = 1; j < n; j++) {
    const v = load<f32>(p + (<usize>j << 2));
    if (v > bv) { bv = v; best = j; }
  }
  return best;
}
