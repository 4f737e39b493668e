// Matrix products for the forward and backward pass. Pointers are byte
// offsets into the arena, sizes are element counts, matrices are row-major
// f32. Every kernel overwrites its output. SIMD and scalar paths add each
// element's terms in the same order (sequentially over k, no FMA), so the
// simd and scalar builds agree to the bit. The tiles live in ./tiles.
import { gemm_strided, col_sum_ld, transpose_ld, PANEL } from './tiles';

/** C[m×n] = A[m×k]·B[k×n] + bias[n]; bias = 0 means none. Forward X·W + b. */
export function gemm_nn_bias(a: usize, b: usize, bias: usize, c: usize, m: i32, n: i32, k: i32): void {
  gemm_strided(a, k, 1, b, bias, c, m, n, k, n, PANEL);
}

/** C[m×n] = A[k×m]ᵀ·B[k×n]. Weight gradient Xᵀ·dZ. */
export function gemm_tn(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  gemm_strided(a, 1, m, b, 0, c, m, n, k, n, PANEL);
}

/** C[m×n] = A[m×k]·B[n×k]ᵀ. Input gradient dZ·Wᵀ. With SIMD and a
 *  workspace (scratch: k×n floats, 0 = none) B is transposed into it once and
 *  the product runs on the register-tiled path; otherwise dot products. Both
 *  add the k terms of each element in order, so the two agree to the bit. */
export function gemm_nt(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, scratch: usize): void {
  if (ASC_FEATURE_SIMD && scratch) {
    transpose(b, scratch, n, k);
    gemm_strided(a, k, 1, scratch, 0, c, m, n, k, n, PANEL);
    return;
  }
  const rowA = <usize>k << 2;
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * rowA;
    const ci = c + (<usize>(i * n) << 2);
    for (let j = 0; j < n; j++) {
      const bj = b + <usize>j * rowA;
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += load<f32>(ai + (<usize>p << 2)) * load<f32>(bj + (<usize>p << 2));
      store<f32>(ci + (<usize>j << 2), s);
    }
  }
}

/** C[n×m] = A[m×n]ᵀ */
export function transpose(a: usize, c: usize, m: i32, n: i32): void {
  transpose_ld(a, c, m, n, m);
}

/** c[n] = Σ_i A[m×n][i, :]. Bias gradient; rows added in order. */
export function col_sum(a: usize, c: usize, m: i32, n: i32): void {
  col_sum_ld(a, c, m, n, n);
}
