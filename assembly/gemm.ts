// Matrix products for the forward and backward pass. Pointers are byte
// offsets into the arena, sizes are element counts, matrices are row-major
// f32. Every kernel overwrites its output. The SIMD and scalar paths of
// gemm_nn_bias, gemm_tn and col_sum add in the same order (sequentially over
// k, no FMA), so they agree to the bit; gemm_nt's SIMD path sums four lanes
// of partial dot products and agrees within rounding.

// C[m×n] = A·B (+ bias[n]) where A[i,p] is at a + 4·(i·sai + p·sap):
// one loop nest serves X·W (sai = k, sap = 1) and Xᵀ·dZ (sai = 1, sap = m).
// Register tile: 2 rows × 16 columns, 8 f32x4 accumulators (V8 has 15 usable
// xmm registers; more accumulators spill), then 4-column and 1-column tails.
function gemm_strided(a: usize, sai: i32, sap: i32, b: usize, bias: usize, c: usize, m: i32, n: i32, k: i32): void {
  const rowB = <usize>n << 2;
  const stepA = <usize>sap << 2;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = a + (<usize>(i * sai) << 2);
    const a1 = a + (<usize>((i + 1) * sai) << 2);
    const c0 = c + (<usize>(i * n) << 2);
    const c1 = c0 + rowB;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 16 <= n; j += 16) {
        const jb = <usize>j << 2;
        let x0 = f32x4.splat(0), x1 = x0, x2 = x0, x3 = x0;
        if (bias) {
          x0 = v128.load(bias + jb); x1 = v128.load(bias + jb, 16);
          x2 = v128.load(bias + jb, 32); x3 = v128.load(bias + jb, 48);
        }
        let y0 = x0, y1 = x1, y2 = x2, y3 = x3;
        let pa0 = a0, pa1 = a1, pb = b + jb;
        for (let p = 0; p < k; p++) {
          const s0 = v128.load32_splat(pa0), s1 = v128.load32_splat(pa1);
          const b0 = v128.load(pb), b1 = v128.load(pb, 16), b2 = v128.load(pb, 32), b3 = v128.load(pb, 48);
          x0 = f32x4.add(x0, f32x4.mul(s0, b0)); x1 = f32x4.add(x1, f32x4.mul(s0, b1));
          x2 = f32x4.add(x2, f32x4.mul(s0, b2)); x3 = f32x4.add(x3, f32x4.mul(s0, b3));
          y0 = f32x4.add(y0, f32x4.mul(s1, b0)); y1 = f32x4.add(y1, f32x4.mul(s1, b1));
          y2 = f32x4.add(y2, f32x4.mul(s1, b2)); y3 = f32x4.add(y3, f32x4.mul(s1, b3));
          pa0 += stepA; pa1 += stepA; pb += rowB;
        }
        v128.store(c0 + jb, x0); v128.store(c0 + jb, x1, 16); v128.store(c0 + jb, x2, 32); v128.store(c0 + jb, x3, 48);
        v128.store(c1 + jb, y0); v128.store(c1 + jb, y1, 16); v128.store(c1 + jb, y2, 32); v128.store(c1 + jb, y3, 48);
      }
      for (; j + 4 <= n; j += 4) {
        const jb = <usize>j << 2;
        let x0 = bias ? v128.load(bias + jb) : f32x4.splat(0);
        let y0 = x0;
        let pa0 = a0, pa1 = a1, pb = b + jb;
        for (let p = 0; p < k; p++) {
          const b0 = v128.load(pb);
          x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(pa0), b0));
          y0 = f32x4.add(y0, f32x4.mul(v128.load32_splat(pa1), b0));
          pa0 += stepA; pa1 += stepA; pb += rowB;
        }
        v128.store(c0 + jb, x0); v128.store(c1 + jb, y0);
      }
    }
    for (; j < n; j++) {
      const jb = <usize>j << 2;
      let x: f32 = bias ? load<f32>(bias + jb) : 0, y = x;
      let pa0 = a0, pa1 = a1, pb = b + jb;
      for (let p = 0; p < k; p++) {
        const bv = load<f32>(pb);
        x += load<f32>(pa0) * bv; y += load<f32>(pa1) * bv;
        pa0 += stepA; pa1 += stepA; pb += rowB;
      }
      store<f32>(c0 + jb, x); store<f32>(c1 + jb, y);
    }
  }
  if (i < m) {
    // last odd row
    const a0 = a + (<usize>(i * sai) << 2);
    const c0 = c + (<usize>(i * n) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 16 <= n; j += 16) {
        const jb = <usize>j << 2;
        let x0 = f32x4.splat(0), x1 = x0, x2 = x0, x3 = x0;
        if (bias) {
          x0 = v128.load(bias + jb); x1 = v128.load(bias + jb, 16);
          x2 = v128.load(bias + jb, 32); x3 = v128.load(bias + jb, 48);
        }
        let pa0 = a0, pb = b + jb;
        for (let p = 0; p < k; p++) {
          const s0 = v128.load32_splat(pa0);
          x0 = f32x4.add(x0, f32x4.mul(s0, v128.load(pb))); x1 = f32x4.add(x1, f32x4.mul(s0, v128.load(pb, 16)));
          x2 = f32x4.add(x2, f32x4.mul(s0, v128.load(pb, 32))); x3 = f32x4.add(x3, f32x4.mul(s0, v128.load(pb, 48)));
          pa0 += stepA; pb += rowB;
        }
        v128.store(c0 + jb, x0); v128.store(c0 + jb, x1, 16); v128.store(c0 + jb, x2, 32); v128.store(c0 + jb, x3, 48);
      }
      for (; j + 4 <= n; j += 4) {
        const jb = <usize>j << 2;
        let x0 = bias ? v128.load(bias + jb) : f32x4.splat(0);
        let pa0 = a0, pb = b + jb;
        for (let p = 0; p < k; p++) {
          x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(pa0), v128.load(pb)));
          pa0 += stepA; pb += rowB;
        }
        v128.store(c0 + jb, x0);
      }
    }
    for (; j < n; j++) {
      const jb = <usize>j << 2;
      let x: f32 = bias ? load<f32>(bias + jb) : 0;
      let pa0 = a0, pb = b + jb;
      for (let p = 0; p < k; p++) {
        x += load<f32>(pa0) * load<f32>(pb);
        pa0 += stepA; pb += rowB;
      }
      store<f32>(c0 + jb, x);
    }
  }
}

/** C[m×n] = A[m×k]·B[k×n] + bias[n]; bias = 0 means none. Forward X·W + b. */
export function gemm_nn_bias(a: usize, b: usize, bias: usize, c: usize, m: i32, n: i32, k: i32): void {
  gemm_strided(a, k, 1, b, bias, c, m, n, k);
}

/** C[m×n] = A[k×m]ᵀ·B[k×n]. Weight gradient Xᵀ·dZ. */
export function gemm_tn(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  gemm_strided(a, 1, m, b, 0, c, m, n, k);
}

/** C[m×n] = A[m×k]·B[n×k]ᵀ. Input gradient dZ·Wᵀ: dot products along k. */
export function gemm_nt(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32): void {
  const rowA = <usize>k << 2;
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * rowA;
    const ci = c + (<usize>(i * n) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      // 1 row of A × 4 rows of B: 4 accumulators of 4-lane partial sums.
      for (; j + 4 <= n; j += 4) {
        const b0 = b + <usize>j * rowA, b1 = b0 + rowA, b2 = b1 + rowA, b3 = b2 + rowA;
        let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
        let p = 0;
        for (; p + 4 <= k; p += 4) {
          const pb = <usize>p << 2;
          const av = v128.load(ai + pb);
          s0 = f32x4.add(s0, f32x4.mul(av, v128.load(b0 + pb)));
          s1 = f32x4.add(s1, f32x4.mul(av, v128.load(b1 + pb)));
          s2 = f32x4.add(s2, f32x4.mul(av, v128.load(b2 + pb)));
          s3 = f32x4.add(s3, f32x4.mul(av, v128.load(b3 + pb)));
        }
        let r0 = hsum(s0), r1 = hsum(s1), r2 = hsum(s2), r3 = hsum(s3);
        for (; p < k; p++) {
          const pb = <usize>p << 2;
          const av = load<f32>(ai + pb);
          r0 += av * load<f32>(b0 + pb); r1 += av * load<f32>(b1 + pb);
          r2 += av * load<f32>(b2 + pb); r3 += av * load<f32>(b3 + pb);
        }
        const cj = ci + (<usize>j << 2);
        store<f32>(cj, r0); store<f32>(cj, r1, 4); store<f32>(cj, r2, 8); store<f32>(cj, r3, 12);
      }
    }
    for (; j < n; j++) {
      const bj = b + <usize>j * rowA;
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += load<f32>(ai + (<usize>p << 2)) * load<f32>(bj + (<usize>p << 2));
      store<f32>(ci + (<usize>j << 2), s);
    }
  }
}

// Lanes added in a fixed order: (0+1)+(2+3).
// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** c[n] = Σ_i A[m×n][i, :]. Bias gradient; rows added in order. */
export function col_sum(a: usize, c: usize, m: i32, n: i32): void {
  const rowA = <usize>n << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 <= n; j += 4) {
      let s = f32x4.splat(0);
      let pa = a + (<usize>j << 2);
      for (let i = 0; i < m; i++) { s = f32x4.add(s, v128.load(pa)); pa += rowA; }
      v128.store(c + (<usize>j << 2), s);
    }
  }
  for (; j < n; j++) {
    let s: f32 = 0;
    let pa = a + (<usize>j << 2);
    for (let i = 0; i < m; i++) { s += load<f32>(pa); pa += rowA; }
    store<f32>(c + (<usize>j << 2), s);
  }
}
