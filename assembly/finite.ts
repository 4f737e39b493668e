// Divergence checks: the driver asks after each epoch whether any parameter
// has become NaN or ±Infinity. Pointers are byte offsets, n an element count.
import { nonfinite_lanes, flagged } from './vec';

/** Number of non-finite values in a[n]. */
export function count_nonfinite(a: usize, n: i32): i32 {
  let bad = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) acc = i32x4.add(acc, nonfinite_lanes(v128.load(a + (<usize>i << 2))));
    bad = flagged(acc);
  }
  for (; i < n; i++) {
    const v = load<f32>(a + (<usize>i << 2));
    if (!isFinite(v)) bad++;
  }
  return bad;
}
