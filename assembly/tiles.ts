// The register-tiled product behind gemm.ts (and the threaded step, which
// runs it on slices of rows): not part of the exported ABI. Pointers are byte
// offsets, sizes element counts, row-major f32.

// C[m×n] = A·B (+ bias[n]) where A[i,p] is at a + 4·(i·sai + p·sap):
// one loop nest serves X·W (sai = k, sap = 1) and Xᵀ·dZ (sai = 1, sap = m).
// B and C have rows ld floats apart (ld = n, or wider for a block of columns).
// Register tiles of at most 8 f32x4 accumulators (V8 has 15 usable xmm
// registers; more accumulators spill): 2 rows × 16 columns over full strips,
// then the last r = n mod 16 columns as one tile of ⌈r/4⌉ vectors — 2 rows ×
// 12 or 16 for r > 8, 4 rows × 4 or 8 for r ≤ 8 — whose last vector is the
// 4-wide window ending at column n. So n = 10 (the MNIST output layer) is one
// 2×12 tile with 6 independent add chains, not three 2×4 strips of 2 chains
// each that left the CPU waiting on add latency (measured: 2×12 beat 3×12, 4×12
// and 4×8 + 4×4 there; 4 rows beat 2 for r ≤ 8). n < 4 is one vector of which
// only n lanes are loaded and stored. Products with n ≤ 4 and k ≤ 4 (Iris-sized
// layers) skip tiles: B stays in registers, C goes row by row. The scalar build
// runs 1-column strips.
// k is cut into blocks of KC so that the KC×16 strip of B a tile walks stays
// in L1 while every row pair of A passes over it; C carries the partial sums
// from one block to the next, so each element still adds its k terms in order.
// `panel` (KC×16 floats, 0: none) is where a strip of B is packed first (below).
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

export function gemm_strided(a: usize, sai: i32, sap: i32, b: usize, bias: usize, c: usize, m: i32, n: i32, k: i32, ld: i32, panel: usize): void {
  const rowC = <usize>ld << 2, stepA = <usize>sap << 2;
  const rowB = rowC; // B's row stride, until a strip of it is packed (below)
  if (ASC_FEATURE_SIMD && n <= 4 && k >= 1 && k <= 4) {
    if (n == 4) tiny_k(a, sai, stepA, b, rowB, bias, c, rowC, m, k, 4);
    else if (n == 3) tiny_k(a, sai, stepA, b, rowB, bias, c, rowC, m, k, 3);
    else if (n == 2) tiny_k(a, sai, stepA, b, rowB, bias, c, rowC, m, k, 2);
    else tiny_k(a, sai, stepA, b, rowB, bias, c, rowC, m, k, 1);
    return;
  }
  let k0 = 0;
  do {
    const kc = min(KC, k - k0);
    const ak = a + (<usize>(k0 * sap) << 2), bk = b + <usize>k0 * rowB;
    const init = k0 == 0 ? bias : FROM_C;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      // A strip of B whose rows lie a power of two apart (n = 128: 512 bytes) maps its kc
      // rows onto a few L1 sets, which evict each other before the next row pair comes
      // back to them: copied into a contiguous panel first, it stays in L1.
      const packed = panel != 0 && m >= 8 && rowB != 64;
      for (; j + 16 <= n; j += 16) {
        const jb = <usize>j << 2;
        let bj = bk + jb, rb = rowB;
        if (packed) { pack16(bj, rowB, kc, panel); bj = panel; rb = 64; }
        pair(ak, sai, stepA, bj, rb, kc, c + jb, rowC, init ? init + (init == FROM_C ? 0 : jb) : 0, m, 4, 48, 4);
      }
      // The last r = n − j < 16 columns. The window ending at column n overlaps the vector
      // before it (or, for r < 4, columns already done); lanes that redo a column are not
      // stored. Each lane is still one column's own sum in k order: the scalar build's bits.
      if (j < n && n >= 4) {
        const r = n - j, jb = <usize>j << 2;
        const last = <usize>((r - 4) << 2), keep = r - 4 * ((max(r, 4) - 1) >> 2);
        const bj = bk + jb, cj = c + jb, start = init ? init + (init == FROM_C ? 0 : jb) : 0;
        if (r > 12) pair(ak, sai, stepA, bj, rowB, kc, cj, rowC, start, m, 4, last, keep);
        else if (r > 8) pair(ak, sai, stepA, bj, rowB, kc, cj, rowC, start, m, 3, last, keep);
        else if (r > 4) quad(ak, sai, stepA, bj, rowB, kc, cj, rowC, start, m, 2, last, keep, 4);
        else quad(ak, sai, stepA, bj, rowB, kc, cj, rowC, start, m, 1, last, keep, 4);
        j = n;
      } else if (n == 3) { quad(ak, sai, stepA, bk, rowB, kc, c, rowC, init, m, 1, 0, 4, 3); j = n; }
      else if (n == 2) { quad(ak, sai, stepA, bk, rowB, kc, c, rowC, init, m, 1, 0, 4, 2); j = n; }
      else if (n == 1) { quad(ak, sai, stepA, bk, rowB, kc, c, rowC, init, m, 1, 0, 4, 1); j = n; }
    }
    for (; j < n; j++) {
      const jb = <usize>j << 2;
      strip1(ak, sai, stepA, bk + jb, rowB, kc, c + jb, rowC, init ? init + (init == FROM_C ? 0 : jb) : 0, m);
    }
    k0 += KC;
  } while (k0 < k);
}

/** Rows [0, kc) of the 16-column strip at b (row stride rowB bytes) into panel, 64 bytes a row. */
function pack16(b: usize, rowB: usize, kc: i32, panel: usize): void {
  for (let p = 0; p < kc; p++) {
    v128.store(panel, v128.load(b)); v128.store(panel, v128.load(b, 16), 16);
    v128.store(panel, v128.load(b, 32), 32); v128.store(panel, v128.load(b, 48), 48);
    b += rowB; panel += 64;
  }
}

/** Room for one packed strip (KC rows × 16 columns), right above the module's static data
 *  (heap_base in index.ts counts it in, so the arena starts above it). For the one-thread
 *  products: every instance of the threads build sees the same one, so the threaded step
 *  gives each thread its own in the arena (src/layout.ts: PANEL_BYTES mirrors the size). */
export const PANEL_BYTES: usize = KC * 64;
export const PANEL: usize = (__heap_base + 63) & ~63;
export const PANEL_END: usize = PANEL + PANEL_BYTES;

// The tiles share one contract: c and b point at the tile's column 0 in row 0
// (row strides rowC and rowB); v vectors (a constant at each call) at byte offsets 0, 16,
// 32, … except the last, at `last` (wrapping below 0 when the window reaches
// back), of which only the last `keep` lanes are stored; init is FROM_C, a bias
// pointer (at the tile's column 0), or 0.

// 2 rows × v = 3 or 4 vectors (12 or 16 columns): row pairs, then a lone last row.
// @ts-ignore: decorator
@inline function pair(a: usize, sai: i32, stepA: usize, b: usize, rowB: usize, kc: i32, c: usize, rowC: usize, init: usize, m: i32, v: i32, last: usize, keep: i32): void {
  const fromC = init == FROM_C, z = f32x4.splat(0);
  const o2 = v == 3 ? last : 32, o3 = last;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const c0 = c + <usize>i * rowC, c1 = c0 + rowC;
    let x0 = z, x1 = z, x2 = z, x3 = z, y0 = z, y1 = z, y2 = z, y3 = z;
    if (init) {
      const s0 = fromC ? c0 : init, s1 = fromC ? c1 : init;
      x0 = v128.load(s0); x1 = v128.load(s0, 16); x2 = v128.load(s0 + o2);
      y0 = v128.load(s1); y1 = v128.load(s1, 16); y2 = v128.load(s1 + o2);
      if (v > 3) { x3 = v128.load(s0 + o3); y3 = v128.load(s1 + o3); }
    }
    let pa0 = a + (<usize>(i * sai) << 2), pa1 = pa0 + (<usize>sai << 2), pb = b;
    for (let p = 0; p < kc; p++) {
      const u = v128.load32_splat(pa0), w = v128.load32_splat(pa1);
      const b0 = v128.load(pb), b1 = v128.load(pb, 16), b2 = v128.load(pb + o2);
      x0 = madd(u, b0, x0); x1 = madd(u, b1, x1); x2 = madd(u, b2, x2);
      y0 = madd(w, b0, y0); y1 = madd(w, b1, y1); y2 = madd(w, b2, y2);
      if (v > 3) { const b3 = v128.load(pb + o3); x3 = madd(u, b3, x3); y3 = madd(w, b3, y3); }
      pa0 += stepA; pa1 += stepA; pb += rowB;
    }
    store_row(c0, v, last, keep, x0, x1, x2, x3);
    store_row(c1, v, last, keep, y0, y1, y2, y3);
  }
  if (i < m) {
    const c0 = c + <usize>i * rowC;
    let x0 = z, x1 = z, x2 = z, x3 = z;
    if (init) {
      const s0 = fromC ? c0 : init;
      x0 = v128.load(s0); x1 = v128.load(s0, 16); x2 = v128.load(s0 + o2);
      if (v > 3) x3 = v128.load(s0 + o3);
    }
    let pa0 = a + (<usize>(i * sai) << 2), pb = b;
    for (let p = 0; p < kc; p++) {
      const u = v128.load32_splat(pa0);
      x0 = madd(u, v128.load(pb), x0); x1 = madd(u, v128.load(pb, 16), x1); x2 = madd(u, v128.load(pb + o2), x2);
      if (v > 3) x3 = madd(u, v128.load(pb + o3), x3);
      pa0 += stepA; pb += rowB;
    }
    store_row(c0, v, last, keep, x0, x1, x2, x3);
  }
}

// The first v − 1 vectors of a tile row whole (v ≥ 2), the last at `last`, its last `keep` lanes.
// @ts-ignore: decorator
@inline function store_row(p: usize, v: i32, last: usize, keep: i32, x0: v128, x1: v128, x2: v128, x3: v128): void {
  v128.store(p, x0);
  if (v > 2) v128.store(p, x1, 16);
  if (v > 3) v128.store(p, x2, 32);
  store_last(p + last, v == 2 ? x1 : v == 3 ? x2 : x3, keep);
}

// 4 rows × v = 1 or 2 vectors (4 or 8 columns): rows in fours, then up to 3 lone rows.
// With lanes < 4 (n < 4, v = 1, last = 0) the one vector holds columns 0…lanes−1:
// loaded without reading past the row, the other lanes 0 and never stored.
// @ts-ignore: decorator
@inline function quad(a: usize, sai: i32, stepA: usize, b: usize, rowB: usize, kc: i32, c: usize, rowC: usize, init: usize, m: i32, v: i32, last: usize, keep: i32, lanes: i32): void {
  const fromC = init == FROM_C, z = f32x4.splat(0);
  const o0 = v == 1 ? last : 0, o1 = last, sa = <usize>sai << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = c + <usize>i * rowC, c1 = c0 + rowC, c2 = c1 + rowC, c3 = c2 + rowC;
    let x0 = z, x1 = z, y0 = z, y1 = z, w0 = z, w1 = z, e0 = z, e1 = z;
    if (init) {
      const s0 = fromC ? c0 : init, s1 = fromC ? c1 : init, s2 = fromC ? c2 : init, s3 = fromC ? c3 : init;
      x0 = load_lanes(s0 + o0, lanes); y0 = load_lanes(s1 + o0, lanes); w0 = load_lanes(s2 + o0, lanes); e0 = load_lanes(s3 + o0, lanes);
      if (v > 1) { x1 = v128.load(s0 + o1); y1 = v128.load(s1 + o1); w1 = v128.load(s2 + o1); e1 = v128.load(s3 + o1); }
    }
    let pa0 = a + (<usize>(i * sai) << 2), pa1 = pa0 + sa, pa2 = pa1 + sa, pa3 = pa2 + sa, pb = b;
    for (let p = 0; p < kc; p++) {
      const u = v128.load32_splat(pa0), t = v128.load32_splat(pa1), q = v128.load32_splat(pa2), r = v128.load32_splat(pa3);
      const b0 = load_lanes(pb + o0, lanes);
      x0 = madd(u, b0, x0); y0 = madd(t, b0, y0); w0 = madd(q, b0, w0); e0 = madd(r, b0, e0);
      if (v > 1) { const b1 = v128.load(pb + o1); x1 = madd(u, b1, x1); y1 = madd(t, b1, y1); w1 = madd(q, b1, w1); e1 = madd(r, b1, e1); }
      pa0 += stepA; pa1 += stepA; pa2 += stepA; pa3 += stepA; pb += rowB;
    }
    if (v > 1) { v128.store(c0, x0); v128.store(c1, y0); v128.store(c2, w0); v128.store(c3, e0); }
    store_lanes(c0 + last, v > 1 ? x1 : x0, keep, lanes); store_lanes(c1 + last, v > 1 ? y1 : y0, keep, lanes);
    store_lanes(c2 + last, v > 1 ? w1 : w0, keep, lanes); store_lanes(c3 + last, v > 1 ? e1 : e0, keep, lanes);
  }
  for (; i < m; i++) {
    const c0 = c + <usize>i * rowC;
    let x0 = z, x1 = z;
    if (init) {
      const s0 = fromC ? c0 : init;
      x0 = load_lanes(s0 + o0, lanes);
      if (v > 1) x1 = v128.load(s0 + o1);
    }
    let pa0 = a + (<usize>(i * sai) << 2), pb = b;
    for (let p = 0; p < kc; p++) {
      const u = v128.load32_splat(pa0);
      x0 = madd(u, load_lanes(pb + o0, lanes), x0);
      if (v > 1) x1 = madd(u, v128.load(pb + o1), x1);
      pa0 += stepA; pb += rowB;
    }
    if (v > 1) v128.store(c0, x0);
    store_lanes(c0 + last, v > 1 ? x1 : x0, keep, lanes);
  }
}

// k ≤ 4 and n = lanes ≤ 4 (the layers of Iris-sized networks): all of B in k registers, one
// row of C at a time, k unrolled (k and lanes are constants at each call). On 105×4×4 this is
// 1.8× the 4-row tile, whose setup cost more than its 4 steps (and 1.2× a loop testing k per row).
// @ts-ignore: decorator
@inline function tiny_k(a: usize, sai: i32, stepA: usize, b: usize, rowB: usize, bias: usize, c: usize, rowC: usize, m: i32, k: i32, lanes: i32): void {
  if (k == 4) tiny(a, sai, stepA, b, rowB, bias, c, rowC, m, 4, lanes);
  else if (k == 3) tiny(a, sai, stepA, b, rowB, bias, c, rowC, m, 3, lanes);
  else if (k == 2) tiny(a, sai, stepA, b, rowB, bias, c, rowC, m, 2, lanes);
  else tiny(a, sai, stepA, b, rowB, bias, c, rowC, m, 1, lanes);
}
// @ts-ignore: decorator
@inline function tiny(a: usize, sai: i32, stepA: usize, b: usize, rowB: usize, bias: usize, c: usize, rowC: usize, m: i32, k: i32, lanes: i32): void {
  const z = f32x4.splat(0);
  const b0 = load_lanes(b, lanes), b1 = k > 1 ? load_lanes(b + rowB, lanes) : z;
  const b2 = k > 2 ? load_lanes(b + 2 * rowB, lanes) : z, b3 = k > 3 ? load_lanes(b + 3 * rowB, lanes) : z;
  const start = bias ? load_lanes(bias, lanes) : z, rowA = <usize>sai << 2;
  let pa = a, pc = c;
  for (let i = 0; i < m; i++) {
    let x = madd(v128.load32_splat(pa), b0, start);
    if (k > 1) x = madd(v128.load32_splat(pa + stepA), b1, x);
    if (k > 2) x = madd(v128.load32_splat(pa + 2 * stepA), b2, x);
    if (k > 3) x = madd(v128.load32_splat(pa + 3 * stepA), b3, x);
    store_lanes(pc, x, 4, lanes);
    pa += rowA; pc += rowC;
  }
}

// The first `lanes` floats at p in the low lanes, the rest 0 (4: a plain load).
// @ts-ignore: decorator
@inline function load_lanes(p: usize, lanes: i32): v128 {
  if (lanes == 4) return v128.load(p);
  if (lanes == 3) return v128.load32_lane(p, v128.load64_zero(p), 2, 8);
  if (lanes == 2) return v128.load64_zero(p);
  return v128.load32_zero(p);
}

// The last `keep` lanes of v at p when all 4 are loaded, else its first `lanes` lanes.
// @ts-ignore: decorator
@inline function store_lanes(p: usize, v: v128, keep: i32, lanes: i32): void {
  if (lanes == 4) store_last(p, v, keep);
  else if (lanes == 3) { v128.store64_lane(p, v, 0); v128.store32_lane(p, v, 2, 8); }
  else if (lanes == 2) v128.store64_lane(p, v, 0);
  else v128.store32_lane(p, v, 0);
}

// Stores the last `keep` lanes of v at p (all four: a plain store).
// @ts-ignore: decorator
@inline function store_last(p: usize, v: v128, keep: i32): void {
  if (keep == 4) v128.store(p, v);
  else if (keep == 3) { v128.store32_lane(p, v, 1, 4); v128.store64_lane(p, v, 1, 8); }
  else if (keep == 2) v128.store64_lane(p, v, 1, 8);
  else v128.store32_lane(p, v, 3, 12);
}

// One column, scalar: the whole scalar build.
// @ts-ignore: decorator
@inline function strip1(a: usize, sai: i32, stepA: usize, b: usize, rowB: usize, kc: i32, c: usize, rowC: usize, init: usize, m: i32): void {
  const fromC = init == FROM_C;
  for (let i = 0; i < m; i += 2) {
    const two = i + 1 < m;
    const c0 = c + <usize>i * rowC, c1 = two ? c0 + rowC : c0;
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

/** c[n] = Σ_i A[i, :] over m rows of stride lda floats; rows added in order. Each column is
 *  one chain of m dependent adds, so 4 vectors (16 columns) run side by side; the last n mod 4
 *  columns are the window ending at column n (n ≥ 4) or the first n lanes of one vector (n < 4). */
export function col_sum_ld(a: usize, c: usize, m: i32, n: i32, lda: i32): void {
  const rowA = <usize>lda << 2;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f32x4.splat(0);
    for (; j + 16 <= n; j += 16) {
      let s0 = z, s1 = z, s2 = z, s3 = z;
      let pa = a + (<usize>j << 2);
      for (let i = 0; i < m; i++) {
        s0 = f32x4.add(s0, v128.load(pa)); s1 = f32x4.add(s1, v128.load(pa, 16));
        s2 = f32x4.add(s2, v128.load(pa, 32)); s3 = f32x4.add(s3, v128.load(pa, 48));
        pa += rowA;
      }
      const pc = c + (<usize>j << 2);
      v128.store(pc, s0); v128.store(pc, s1, 16); v128.store(pc, s2, 32); v128.store(pc, s3, 48);
    }
    for (; j + 4 <= n; j += 4) v128.store(c + (<usize>j << 2), col_sum4(a + (<usize>j << 2), rowA, m, 4));
    if (j < n) {
      if (n >= 4) store_last(c + (<usize>(n - 4) << 2), col_sum4(a + (<usize>(n - 4) << 2), rowA, m, 4), n - j);
      else if (n == 3) store_lanes(c, col_sum4(a, rowA, m, 3), 4, 3);
      else if (n == 2) store_lanes(c, col_sum4(a, rowA, m, 2), 4, 2);
      else store_lanes(c, col_sum4(a, rowA, m, 1), 4, 1);
      j = n;
    }
  }
  for (; j < n; j++) {
    let s: f32 = 0;
    let pa = a + (<usize>j << 2);
    for (let i = 0; i < m; i++) { s += load<f32>(pa); pa += rowA; }
    store<f32>(c + (<usize>j << 2), s);
  }
}

// The sums over m rows of the `lanes` (1…4) columns at a.
// @ts-ignore: decorator
@inline function col_sum4(a: usize, rowA: usize, m: i32, lanes: i32): v128 {
  let s = f32x4.splat(0);
  for (let i = 0; i < m; i++) { s = f32x4.add(s, load_lanes(a, lanes)); a += rowA; }
  return s;
}

/** C[j, i] = A[i, j] for A[m×n] (row stride n) into C of row stride ldc floats. In 4×4 blocks
 *  with SIMD: one element at a time, every store of a row of A went to another cache line of C
 *  (square 256: a tenth of the NT product's time). Only moves values: the same bits either way. */
export function transpose_ld(a: usize, c: usize, m: i32, n: i32, ldc: i32): void {
  const rowA = <usize>n << 2, rowC = <usize>ldc << 2;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= m; i += 4) {
      const ai = a + <usize>i * rowA, ci = c + (<usize>i << 2);
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const p = ai + (<usize>j << 2), q = ci + <usize>j * rowC;
        const r0 = v128.load(p), r1 = v128.load(p + rowA), r2 = v128.load(p + 2 * rowA), r3 = v128.load(p + 3 * rowA);
        const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5); // a00 a10 a01 a11 | a20 a30 a21 a31
        const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
        v128.store(q, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(q + rowC, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        v128.store(q + 2 * rowC, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        v128.store(q + 3 * rowC, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      }
      for (; j < n; j++) { // the last n mod 4 columns: rows of 4 of C
        const p = ai + (<usize>j << 2), q = ci + <usize>j * rowC;
        store<f32>(q, load<f32>(p)); store<f32>(q, load<f32>(p + rowA), 4);
        store<f32>(q, load<f32>(p + 2 * rowA), 8); store<f32>(q, load<f32>(p + 3 * rowA), 12);
      }
    }
  }
  for (; i < m; i++) {
    const ai = a + <usize>i * rowA;
    let pc = c + (<usize>i << 2);
    for (let j = 0; j < n; j++) {
      store<f32>(pc, load<f32>(ai + (<usize>j << 2)));
      pc += rowC;
    }
  }
}
