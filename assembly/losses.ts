// Losses: each returns the loss of a batch (f64, accumulated in f64) and
// overwrites the gradient with respect to the network's output (a) — or, for
// the fused forms, with respect to the last layer's pre-activation (z).
// A[m×n] outputs, Y[m×n] targets, row-major f32, pointers are byte offsets.

const EPS: f32 = 1e-7;

/** mean over m·n of (a − y)²;  da = 2(a − y)/(m·n) */
export function mse_loss(a: usize, y: usize, da: usize, m: i32, n: i32): f64 {
  const count = m * n;
  return squared_error(a, y, da, count, <f32>(2.0 / <f64>count)) / <f64>count;
}

/** ½·Σ (a − y)²;  da = a − y (the article's rule: no 1/m) */
export function sse_loss(a: usize, y: usize, da: usize, m: i32, n: i32): f64 {
  return 0.5 * squared_error(a, y, da, m * n, 1);
}

/** Σ (a − y)² over count values, in f64; da = (a − y)·scale. Four running sums, value i in
 *  sum i mod 4 (the lanes of two f64x2), added as (s0 + s2) + (s1 + s3) at the end: one sum
 *  was a chain of dependent f64 adds, 4 cycles each (Iris: 315 values, 0.35 µs). */
function squared_error(a: usize, y: usize, da: usize, count: i32, scale: f32): f64 {
  let i = 0;
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    const sc = f32x4.splat(scale);
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const d = f32x4.sub(v128.load(a + o), v128.load(y + o));
      const dl = f64x2.promote_low_f32x4(d), dh = f64x2.promote_low_f32x4(v128.shuffle<f32>(d, d, 2, 3, 2, 3));
      lo = f64x2.add(lo, f64x2.mul(dl, dl));
      hi = f64x2.add(hi, f64x2.mul(dh, dh));
      v128.store(da + o, f32x4.mul(d, sc));
    }
    s0 = f64x2.extract_lane(lo, 0); s1 = f64x2.extract_lane(lo, 1);
    s2 = f64x2.extract_lane(hi, 0); s3 = f64x2.extract_lane(hi, 1);
  } else {
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const d0 = load<f32>(a + o) - load<f32>(y + o), d1 = load<f32>(a + o, 4) - load<f32>(y + o, 4);
      const d2 = load<f32>(a + o, 8) - load<f32>(y + o, 8), d3 = load<f32>(a + o, 12) - load<f32>(y + o, 12);
      s0 += <f64>d0 * <f64>d0; s1 += <f64>d1 * <f64>d1; s2 += <f64>d2 * <f64>d2; s3 += <f64>d3 * <f64>d3;
      store<f32>(da + o, d0 * scale); store<f32>(da + o, d1 * scale, 4); store<f32>(da + o, d2 * scale, 8); store<f32>(da + o, d3 * scale, 12);
    }
  }
  for (let j = 0; i < count; i++, j++) { // the last count mod 4 values, into s0, s1, s2
    const o = <usize>i << 2;
    const d = load<f32>(a + o) - load<f32>(y + o);
    const q = <f64>d * <f64>d;
    if (j == 0) s0 += q; else if (j == 1) s1 += q; else s2 += q;
    store<f32>(da + o, d * scale);
  }
  return (s0 + s2) + (s1 + s3);
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
      hits += i32((load<f32>(a + o) >= 0.5) == (load<f32>(y + o) >= 0.5));
    }
    return hits;
  }
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // four rows at once, one per lane, with masks instead of branches: a branch on which
    // column wins mispredicts on most rows (Iris: 0.6 µs a batch of 105)
    const stride = <usize>n << 2;
    let same = i32x4.splat(0); // −(hits) per lane
    if (n <= 4) {
      // rows of at most 4: one load a row, transposed by shuffles (a lane load costs a load and a
      // shuffle, 4n of them per four rows); the last row's load reaches 4 − n floats past it,
      // so the loop stops while that is still inside the matrix
      for (; (i + 3) * n + 4 <= m * n; i += 4) {
        const r = <usize>(i * n) << 2;
        same = i32x4.add(same, i32x4.eq(argmax4_short(a + r, stride, n), argmax4_short(y + r, stride, n)));
      }
    } else {
      for (; i + 4 <= m; i += 4) {
        const r = <usize>(i * n) << 2;
        same = i32x4.add(same, i32x4.eq(argmax4(a + r, stride, n), argmax4(y + r, stride, n)));
      }
    }
    hits = -(i32x4.extract_lane(same, 0) + i32x4.extract_lane(same, 1) + i32x4.extract_lane(same, 2) + i32x4.extract_lane(same, 3));
  }
  for (; i < m; i++) {
    const r = <usize>(i * n) << 2;
    hits += i32(argmax(a + r, n) == argmax(y + r, n));
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

/** argmax of the four rows at p, p + stride, … (lane = row), first max wins as in argmax */
// @ts-ignore: decorator
@inline function argmax4(p: usize, stride: usize, n: i32): v128 {
  let bv = column4(p, stride), best = i32x4.splat(0), jv = best;
  const one = i32x4.splat(1);
  for (let j = 1; j < n; j++) {
    const v = column4(p + (<usize>j << 2), stride);
    jv = i32x4.add(jv, one);
    // pmax is `v > bv ? v : bv` (NaN and −0 included) in one instruction, and j is larger than
    // every index so far, so max(best, gt & j) is `gt ? j : best`: two bitselects were six
    best = i32x4.max_s(best, v128.and(f32x4.gt(v, bv), jv));
    bv = f32x4.pmax(bv, v);
  }
  return best;
}

/** argmax4 for rows of n = 2…4 columns, each row loaded whole (4 floats) */
// @ts-ignore: decorator
@inline function argmax4_short(p: usize, stride: usize, n: i32): v128 {
  const r0 = v128.load(p), r1 = v128.load(p + stride), r2 = v128.load(p + stride * 2), r3 = v128.load(p + stride * 3);
  const lo01 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), lo23 = i32x4.shuffle(r2, r3, 0, 4, 1, 5); // columns 0, 1
  let bv = i32x4.shuffle(lo01, lo23, 0, 1, 4, 5), v = i32x4.shuffle(lo01, lo23, 2, 3, 6, 7);
  let best = v128.and(f32x4.gt(v, bv), i32x4.splat(1));
  bv = f32x4.pmax(bv, v);
  if (n > 2) {
    const hi01 = i32x4.shuffle(r0, r1, 2, 6, 3, 7), hi23 = i32x4.shuffle(r2, r3, 2, 6, 3, 7); // columns 2, 3
    v = i32x4.shuffle(hi01, hi23, 0, 1, 4, 5);
    best = i32x4.max_s(best, v128.and(f32x4.gt(v, bv), i32x4.splat(2)));
    if (n > 3) {
      bv = f32x4.pmax(bv, v);
      v = i32x4.shuffle(hi01, hi23, 2, 3, 6, 7);
      best = i32x4.max_s(best, v128.and(f32x4.gt(v, bv), i32x4.splat(3)));
    }
  }
  return best;
}

// @ts-ignore: decorator
@inline function column4(p: usize, stride: usize): v128 {
  let v = v128.load32_zero(p);
  v = v128.load32_lane(p + stride, v, 1);
  v = v128.load32_lane(p + stride * 2, v, 2);
  return v128.load32_lane(p + stride * 3, v, 3);
}
