// Lane helpers that kernels of several families share; not part of the exported ABI.

/** −1 in each lane of v that is NaN or ±Infinity, else 0 (x − x is 0 for finite x, NaN otherwise). */
// @ts-ignore: decorator
@inline export function nonfinite_lanes(v: v128): v128 {
  const d = f32x4.sub(v, v);
  return f32x4.ne(d, d);
}

/** Minus the sum of acc's four i32 lanes: how many lanes nonfinite_lanes flagged into it. */
// @ts-ignore: decorator
@inline export function flagged(acc: v128): i32 {
  return -(i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3));
}
