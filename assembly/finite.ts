// Divergence checks: the driver asks after each epoch whether any parameter
// has become NaN or ±Infinity. Pointers are byte offsets, n an element count.

/** Number of non-finite values in a[n]. */
export function count_nonfinite(a: usize, n: i32): i32 {
  let bad = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // x − x is 0 for finite x and NaN otherwise; NaN ≠ NaN flags the lane (−1 per flagged lane)
    let acc = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(a + (<usize>i << 2));
      const d = f32x4.sub(v, v);
      acc = i32x4.add(acc, f32x4.ne(d, d));
    }
    bad = -(i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3));
  }
  for (; i < n; i++) {
    const v = load<f32>(a + (<usize>i << 2));
    if (!isFinite(v)) bad++;
  }
  return bad;
}
