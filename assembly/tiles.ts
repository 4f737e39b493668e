// The register-tiled product behind gemm.ts (and the threaded step, which
// runs it on slices of rows): not part of the exported ABI. Pointers are byte
// offsets, sizes element counts, row-major f32.

// C[m×n] = A·B (+ bias[n]) where A[i,p] is at a + 4·(i·sai + p·sap):
// one loop nest serves X·W (sai = k, sap = 1) and Xᵀ·dZ (sai = 1, sap = m).
// Register tile: 2 rows × 16 columns, 8 f32x4 accumulators (V8 has 15 usable
// xmm registers; more accumulators spill), then 4-column and 1-column tails.
// k is cut into blocks of KC so that the KC×16 strip of B a tile walks stays
// in L1 while every row pair of A passes over it; C carries the partial sums
// from one block to the next, so each element still adds its k terms in order.
const KC = 256;

// c + a·b. The `relaxed` build fuses it (one rounding, FMA where the CPU has
// it): faster, but its bits depend on the CPU, so it is opt-in and never the default.
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
// Where a tile's accumulators start: C itself (a later k block), else the
// bias row, else zero (pointer 0). Arena pointers are 16-byte aligned, so 1 is free.
const FROM_C: usize = 1;

export function gemm_strided(a: usize, sai: i32, sap: i32, b: usize, bias: usize, c: usize, m: i32, n: i32, k: i32): void {
  const rowB = <usize>n << 2, stepA = <usize>sap << 2;
  let k0 = 0;
  do {
    const kc = min(KC, k - k0);
    const ak = a + (<usize>(k0 * sap) << 2), bk = b + (<usize>(k0 * n) << 2);
    const init = k0 == 0 ? bias : FROM_C;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 16 <= n; j += 16) {
        const jb = <usize>j << 2;
        strip16(ak, sai, stepA, bk + jb, rowB, kc, c + jb, init ? init + (init == FROM_C ? 0 : jb) : 0, m);
      }
      for (; j + 4 <= n; j += 4) {
        const jb = <usize>j << 2;
        strip4(ak, sai, stepA, bk + jb, rowB, kc, c + jb, init ? init + (init == FROM_C ? 0 : jb) : 0, m, 4);
      }
      // The last n − j < 4 columns (the 10-unit output layer's 8, 9): a 4-wide window ending at
      // column n, whose first lanes redo columns already done and are not stored.
      if (j < n && n >= 4) {
        const jb = <usize>(n - 4) << 2, keep = n - j;
        const start = init ? init + (init == FROM_C ? 0 : jb) : 0;
        if (keep == 3) strip4(ak, sai, stepA, bk + jb, rowB, kc, c + jb, start, m, 3);
        else if (keep == 2) strip4(ak, sai, stepA, bk + jb, rowB, kc, c + jb, start, m, 2);
        else strip4(ak, sai, stepA, bk + jb, rowB, kc, c + jb, start, m, 1);
        j = n;
      }
    }
    for (; j < n; j++) {
      const jb = <usize>j << 2;
      strip1(ak, sai, stepA, bk + jb, rowB, kc, c + jb, init ? init + (init == FROM_C ? 0 : jb) : 0, m);
    }
    k0 += KC;
  } while (k0 < k);
}

// One 16-column strip of C for every row: c points at the strip's column 0 in
// row 0 (row stride rowB); init is FROM_C, a bias pointer, or 0.
// @ts-ignore: decorator
@inline function strip16(a: usize, sai: i32, stepA: usize, b: usize, rowB: usize, kc: i32, c: usize, init: usize, m: i32): void {
  const fromC = init == FROM_C;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const c0 = c + <usize>i * rowB, c1 = c0 + rowB;
    const s0 = fromC ? c0 : init, s1 = fromC ? c1 : init;
    let x0 = f32x4.splat(0), x1 = x0, x2 = x0, x3 = x0, y0 = x0, y1 = x0, y2 = x0, y3 = x0;
    if (s0) {
      x0 = v128.load(s0); x1 = v128.load(s0, 16); x2 = v128.load(s0, 32); x3 = v128.load(s0, 48);
      y0 = v128.load(s1); y1 = v128.load(s1, 16); y2 = v128.load(s1, 32); y3 = v128.load(s1, 48);
    }
    let pa0 = a + (<usize>(i * sai) << 2), pa1 = a + (<usize>((i + 1) * sai) << 2), pb = b;
    for (let p = 0; p < kc; p++) {
      const u = v128.load32_splat(pa0), v = v128.load32_splat(pa1);
      const b0 = v128.load(pb), b1 = v128.load(pb, 16), b2 = v128.load(pb, 32), b3 = v128.load(pb, 48);
      x0 = madd(u, b0, x0); x1 = madd(u, b1, x1);
      x2 = madd(u, b2, x2); x3 = madd(u, b3, x3);
      y0 = madd(v, b0, y0); y1 = madd(v, b1, y1);
      y2 = madd(v, b2, y2); y3 = madd(v, b3, y3);
      pa0 += stepA; pa1 += stepA; pb += rowB;
    }
    v128.store(c0, x0); v128.store(c0, x1, 16); v128.store(c0, x2, 32); v128.store(c0, x3, 48);
    v128.store(c1, y0); v128.store(c1, y1, 16); v128.store(c1, y2, 32); v128.store(c1, y3, 48);
  }
  if (i < m) {
    const c0 = c + <usize>i * rowB;
    const s0 = fromC ? c0 : init;
    let x0 = f32x4.splat(0), x1 = x0, x2 = x0, x3 = x0;
    if (s0) { x0 = v128.load(s0); x1 = v128.load(s0, 16); x2 = v128.load(s0, 32); x3 = v128.load(s0, 48); }
    let pa0 = a + (<usize>(i * sai) << 2), pb = b;
    for (let p = 0; p < kc; p++) {
      const u = v128.load32_splat(pa0);
      x0 = madd(u, v128.load(pb), x0); x1 = madd(u, v128.load(pb, 16), x1);
      x2 = madd(u, v128.load(pb, 32), x2); x3 = madd(u, v128.load(pb, 48), x3);
      pa0 += stepA; pb += rowB;
    }
    v128.store(c0, x0); v128.store(c0, x1, 16); v128.store(c0, x2, 32); v128.store(c0, x3, 48);
  }
}

// One 4-column strip, 2 rows at a time; only its last `keep` columns are stored.
// @ts-ignore: decorator
@inline function strip4(a: usize, sai: i32, stepA: usize, b: usize, rowB: usize, kc: i32, c: usize, init: usize, m: i32, keep: i32): void {
  const fromC = init == FROM_C;
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const c0 = c + <usize>i * rowB, c1 = two ? c0 + rowB : c0;
    const s0 = fromC ? c0 : init, s1 = fromC ? c1 : init;
    let x = s0 ? v128.load(s0) : f32x4.splat(0), y = s1 ? v128.load(s1) : f32x4.splat(0);
    let pa0 = a + (<usize>(i * sai) << 2), pa1 = two ? pa0 + (<usize>sai << 2) : pa0, pb = b;
    for (let p = 0; p < kc; p++) {
      const bv = v128.load(pb);
      x = madd(v128.load32_splat(pa0), bv, x);
      y = madd(v128.load32_splat(pa1), bv, y);
      pa0 += stepA; pa1 += stepA; pb += rowB;
    }
    // an odd last row computes itself twice and stores once
    store_last(c1, y, keep);
    store_last(c0, x, keep);
  }
}

// Stores the last `keep` lanes of v at p (all four: a plain store).
// @ts-ignore: decorator
@inline function store_last(p: usize, v: v128, keep: i32): void {
  if (keep == 4) v128.store(p, v);
  else if (keep == 3) { v128.store32_lane(p, v, 1, 4); v128.store64_lane(p, v, 1, 8); }
  else if (keep == 2) v128.store64_lane(p, v, 1, 8);
  else v128.store32_lane(p, v, 3, 12);
}

// One column, scalar: the tail of every shape, and the whole scalar build.
// @ts-ignore: decorator
@inline function strip1(a: usize, sai: i32, stepA: usize, b: usize, rowB: usize, kc: i32, c: usize, init: usize, m: i32): void {
  const fromC = init == FROM_C;
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const c0 = c + <usize>i * rowB, c1 = two ? c0 + rowB : c0;
    const s0 = fromC ? c0 : init, s1 = fromC ? c1 : init;
    let x: f32 = s0 ? load<f32>(s0) : 0, y: f32 = s1 ? load<f32>(s1) : 0;
    let pa0 = a + (<usize>(i * sai) << 2), pa1 = two ? pa0 + (<usize>sai << 2) : pa0, pb = b;
    for (let p = 0; p < kc; p++) {
      const bv = load<f32>(pb);
      x += load<f32>(pa0) * bv; y += load<f32>(pa1) * bv;
      pa0 += stepA; pa1 += stepA; pb += rowB;
    }
    store<f32>(c1, y);
    store<f32>(c0, x);
  }
}

/** c[n] = Σ_i A[i, :] over m rows of stride lda floats; rows added in order. */
export function col_sum_ld(a: usize, c: usize, m: i32, n: i32, lda: i32): void {
  const rowA = <usize>lda << 2;
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

/** C[j, i] = A[i, j] for A[m×n] (row stride n) into C of row stride ldc floats. */
export function transpose_ld(a: usize, c: usize, m: i32, n: i32, ldc: i32): void {
  const rowC = <usize>ldc << 2;
  for (let i = 0; i < m; i++) {
    const ai = a + (<usize>(i * n) << 2);
    let pc = c + (<usize>i << 2);
    for (let j = 0; j < n; j++) {
      store<f32>(pc, load<f32>(ai + (<usize>j << 2)));
      pc += rowC;
    }
  }
}
