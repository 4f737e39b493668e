// The plain-TypeScript backend: the kernel ABI of kernels.ts over an
// ArrayBuffer arena. It is the speed baseline the WASM backends are measured
// against and the reference their kernels are tested against, so it stays
// straightforward: scalar loops over typed-array views, f64 intermediates
// (JS numbers), f32 stores. Offsets are byte offsets; `off >> 2` indexes a view.

import type { Kernels } from './kernels.js';
import { rngSeed, rngFloat24, rngBelow, rngGaussPair, type RngState } from '../random.js';
import * as recurrent from './ts-recurrent.js';

// Arena sizes round up to WebAssembly pages, so a layout sized for one backend
// fits the others byte for byte.
const PAGE = 65536;

function roundToPage(byteLength: number): number {
  return Math.max(PAGE, Math.ceil(byteLength / PAGE) * PAGE);
}

export class TsKernels implements Kernels {
  f32!: Float32Array;
  i32!: Int32Array;
  u32!: Uint32Array;
  private buf!: ArrayBuffer;
  // f64 accumulators for one output row (GEMM, col_sum): rounding to f32 once
  // per output element, not once per term. Grows only when n grows, so a
  // training loop of fixed shapes never allocates.
  private acc = new Float64Array(64);
  private readonly pair: [number, number] = [0, 0];

  constructor(byteLength: number) {
    this.setBuffer(new ArrayBuffer(roundToPage(byteLength)));
  }

  get buffer(): ArrayBuffer {
    return this.buf;
  }

  /** Grows the arena to at least `byteLength` bytes, keeping its contents. */
  ensure(byteLength: number): void {
    if (byteLength <= this.buf.byteLength) return;
    const next = new ArrayBuffer(roundToPage(byteLength));
    new Uint8Array(next).set(new Uint8Array(this.buf));
    this.setBuffer(next);
  }

  private setBuffer(buf: ArrayBuffer): void {
    this.buf = buf;
    this.f32 = new Float32Array(buf);
    this.i32 = new Int32Array(buf);
    this.u32 = new Uint32Array(buf);
  }

  private accumulator(n: number): Float64Array {
    if (this.acc.length < n) this.acc = new Float64Array(Math.max(n, this.acc.length * 2));
    return this.acc;
  }

  private rngState(state: number): RngState {
    const s = state >> 2;
    return this.u32.subarray(s, s + 4);
  }

  // --- gemm ----------------------------------------------------------------

  /** C[m×n] = A[m×k]·B[k×n] + bias[n] */
  gemm_nn_bias(a: number, b: number, bias: number, c: number, m: number, n: number, k: number): void {
    const f = this.f32, acc = this.accumulator(n);
    const A = a >> 2, B = b >> 2, BI = bias >> 2, C = c >> 2;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) acc[j] = f[BI + j];
      const ai = A + i * k;
      for (let p = 0; p < k; p++) {
        const aip = f[ai + p], bp = B + p * n;
        for (let j = 0; j < n; j++) acc[j] += aip * f[bp + j];
      }
      const ci = C + i * n;
      for (let j = 0; j < n; j++) f[ci + j] = acc[j];
    }
  }

  /** C[m×n] = A[k×m]ᵀ·B[k×n] */
  gemm_tn(a: number, b: number, c: number, m: number, n: number, k: number): void {
    const f = this.f32, acc = this.accumulator(n);
    const A = a >> 2, B = b >> 2, C = c >> 2;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) acc[j] = 0;
      for (let p = 0; p < k; p++) {
        const api = f[A + p * m + i], bp = B + p * n;
        for (let j = 0; j < n; j++) acc[j] += api * f[bp + j];
      }
      const ci = C + i * n;
      for (let j = 0; j < n; j++) f[ci + j] = acc[j];
    }
  }

  /** C[m×n] = A[m×k]·B[n×k]ᵀ (dot products: no workspace needed) */
  gemm_nt(a: number, b: number, c: number, m: number, n: number, k: number, _scratch = 0): void {
    const f = this.f32;
    const A = a >> 2, B = b >> 2, C = c >> 2;
    for (let i = 0; i < m; i++) {
      const ai = A + i * k, ci = C + i * n;
      for (let j = 0; j < n; j++) {
        const bj = B + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += f[ai + p] * f[bj + p];
        f[ci + j] = s;
      }
    }
  }

  /** C[n×m] = A[m×n]ᵀ */
  transpose(a: number, c: number, m: number, n: number): void {
    const f = this.f32, A = a >> 2, C = c >> 2;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) f[C + j * m + i] = f[A + i * n + j];
  }

  /** c[n] = Σ_rows A[m×n] */
  col_sum(a: number, c: number, m: number, n: number): void {
    const f = this.f32, acc = this.accumulator(n);
    const A = a >> 2, C = c >> 2;
    for (let j = 0; j < n; j++) acc[j] = 0;
    for (let i = 0; i < m; i++) {
      const ai = A + i * n;
      for (let j = 0; j < n; j++) acc[j] += f[ai + j];
    }
    for (let j = 0; j < n; j++) f[C + j] = acc[j];
  }

  // --- activations ---------------------------------------------------------

  /** a[n] = 1/(1+e^−z) */
  sigmoid_forward(z: number, a: number, n: number): void {
    const f = this.f32, Z = z >> 2, A = a >> 2;
    for (let i = 0; i < n; i++) f[A + i] = 1 / (1 + Math.exp(-f[Z + i]));
  }

  /** dz[n] = a(1−a)·da */
  sigmoid_backward(a: number, da: number, dz: number, n: number): void {
    const f = this.f32, A = a >> 2, DA = da >> 2, DZ = dz >> 2;
    for (let i = 0; i < n; i++) {
      const ai = f[A + i];
      f[DZ + i] = ai * (1 - ai) * f[DA + i];
    }
  }

  /** a[n] = tanh z */
  tanh_forward(z: number, a: number, n: number): void {
    const f = this.f32, Z = z >> 2, A = a >> 2;
    for (let i = 0; i < n; i++) f[A + i] = Math.tanh(f[Z + i]);
  }

  /** dz[n] = (1−a²)·da */
  tanh_backward(a: number, da: number, dz: number, n: number): void {
    const f = this.f32, A = a >> 2, DA = da >> 2, DZ = dz >> 2;
    for (let i = 0; i < n; i++) {
      const ai = f[A + i];
      f[DZ + i] = (1 - ai * ai) * f[DA + i];
    }
  }

  /** a[n] = max(z, 0) */
  relu_forward(z: number, a: number, n: number): void {
    const f = this.f32, Z = z >> 2, A = a >> 2;
    for (let i = 0; i < n; i++) {
      const zi = f[Z + i];
      f[A + i] = zi > 0 ? zi : 0;
    }
  }

  /** dz[n] = (a > 0)·da */
  relu_backward(a: number, da: number, dz: number, n: number): void {
    const f = this.f32, A = a >> 2, DA = da >> 2, DZ = dz >> 2;
    for (let i = 0; i < n; i++) f[DZ + i] = f[A + i] > 0 ? f[DA + i] : 0;
  }

  /** a[n] = z > 0 ? z : 0.01z */
  leaky_relu_forward(z: number, a: number, n: number): void {
    const f = this.f32, Z = z >> 2, A = a >> 2;
    for (let i = 0; i < n; i++) {
      const zi = f[Z + i];
      f[A + i] = zi > 0 ? zi : 0.01 * zi;
    }
  }

  /** dz[n] = (a > 0 ? 1 : 0.01)·da */
  leaky_relu_backward(a: number, da: number, dz: number, n: number): void {
    const f = this.f32, A = a >> 2, DA = da >> 2, DZ = dz >> 2;
    for (let i = 0; i < n; i++) {
      const d = f[DA + i];
      f[DZ + i] = f[A + i] > 0 ? d : 0.01 * d;
    }
  }

  /** a[n] = z */
  linear_forward(z: number, a: number, n: number): void {
    if (z !== a) this.f32.copyWithin(a >> 2, z >> 2, (z >> 2) + n);
  }

  /** dz[n] = da */
  linear_backward(_a: number, da: number, dz: number, n: number): void {
    if (da !== dz) this.f32.copyWithin(dz >> 2, da >> 2, (da >> 2) + n);
  }

  /** A[m×n] = row-wise softmax of Z[m×n] */
  softmax_forward(z: number, a: number, m: number, n: number): void {
    const f = this.f32, e = this.accumulator(n);
    for (let i = 0; i < m; i++) {
      const Z = (z >> 2) + i * n, A = (a >> 2) + i * n;
      let max = -Infinity;
      for (let j = 0; j < n; j++) if (f[Z + j] > max) max = f[Z + j];
      // Exponentials kept in f64 until the final store: one rounding per output,
      // so each row sums to 1 as closely as f32 allows.
      let sum = 0;
      for (let j = 0; j < n; j++) sum += (e[j] = Math.exp(f[Z + j] - max));
      const inv = 1 / sum;
      for (let j = 0; j < n; j++) f[A + j] = e[j] * inv;
    }
  }

  /** dZ[m×n] = A ⊙ (dA − rowsum(dA ⊙ A)) */
  softmax_backward(a: number, da: number, dz: number, m: number, n: number): void {
    const f = this.f32;
    for (let i = 0; i < m; i++) {
      const A = (a >> 2) + i * n, DA = (da >> 2) + i * n, DZ = (dz >> 2) + i * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += f[DA + j] * f[A + j];
      for (let j = 0; j < n; j++) f[DZ + j] = f[A + j] * (f[DA + j] - dot);
    }
  }

  // --- losses --------------------------------------------------------------

  /** A, Y, dA [m×n]: mean squared error */
  mse_loss(a: number, y: number, da: number, m: number, n: number): number {
    const f = this.f32, A = a >> 2, Y = y >> 2, DA = da >> 2, len = m * n;
    const scale = 2 / len;
    let loss = 0;
    for (let i = 0; i < len; i++) {
      const d = f[A + i] - f[Y + i];
      loss += d * d;
      f[DA + i] = scale * d;
    }
    return loss / len;
  }

  /** A, Y, dA [m×n]: half the summed squared error */
  sse_loss(a: number, y: number, da: number, m: number, n: number): number {
    const f = this.f32, A = a >> 2, Y = y >> 2, DA = da >> 2, len = m * n;
    let loss = 0;
    for (let i = 0; i < len; i++) {
      const d = f[A + i] - f[Y + i];
      loss += d * d;
      f[DA + i] = d;
    }
    return 0.5 * loss;
  }

  /** Z, A = softmax(Z), Y, dZ [m×n]: cross-entropy from the logits */
  softmax_cross_entropy(z: number, a: number, y: number, dz: number, m: number, n: number): number {
    const f = this.f32, scale = 1 / m;
    let loss = 0;
    for (let i = 0; i < m; i++) {
      const r = i * n, Z = (z >> 2) + r, A = (a >> 2) + r, Y = (y >> 2) + r, DZ = (dz >> 2) + r;
      let max = -Infinity;
      for (let j = 0; j < n; j++) if (f[Z + j] > max) max = f[Z + j];
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(f[Z + j] - max);
      const lse = max + Math.log(sum);
      for (let j = 0; j < n; j++) {
        const yj = f[Y + j];
        loss += yj * (lse - f[Z + j]);
        f[DZ + j] = (f[A + j] - yj) * scale;
      }
    }
    return loss / m;
  }

  /** Z, A = sigmoid(Z), Y, dZ [m×n]: binary cross-entropy from the logits */
  sigmoid_binary_cross_entropy(z: number, a: number, y: number, dz: number, m: number, n: number): number {
    const f = this.f32, Z = z >> 2, A = a >> 2, Y = y >> 2, DZ = dz >> 2, len = m * n;
    const scale = 1 / len;
    let loss = 0;
    for (let i = 0; i < len; i++) {
      const zi = f[Z + i], yi = f[Y + i];
      loss += (zi > 0 ? zi : 0) - zi * yi + Math.log1p(Math.exp(-Math.abs(zi)));
      f[DZ + i] = (f[A + i] - yi) * scale;
    }
    return loss * scale;
  }

  /** A, Y, dA [m×n]: binary cross-entropy of probabilities */
  binary_cross_entropy(a: number, y: number, da: number, m: number, n: number): number {
    const f = this.f32, A = a >> 2, Y = y >> 2, DA = da >> 2, len = m * n;
    // the f32 clamp bounds of the wasm kernel (1e-7 and 1 − 1e-7 rounded to f32), not their f64 values
    const lo = Math.fround(1e-7), hi = Math.fround(1 - lo), scale = 1 / len;
    let loss = 0;
    for (let i = 0; i < len; i++) {
      let ai = f[A + i];
      ai = ai < lo ? lo : ai > hi ? hi : ai;
      const yi = f[Y + i];
      loss -= yi * Math.log(ai) + (1 - yi) * Math.log(1 - ai);
      f[DA + i] = ((ai - yi) / (ai * (1 - ai))) * scale;
    }
    return loss * scale;
  }

  /** A, Y [m×n] → number of rows classified right */
  count_correct(a: number, y: number, m: number, n: number): number {
    const f = this.f32, A = a >> 2, Y = y >> 2;
    let correct = 0;
    if (n === 1) {
      for (let i = 0; i < m; i++) if ((f[A + i] >= 0.5) === (f[Y + i] >= 0.5)) correct++;
      return correct;
    }
    for (let i = 0; i < m; i++) {
      const r = i * n;
      let ba = 0, by = 0;
      for (let j = 1; j < n; j++) {
        if (f[A + r + j] > f[A + r + ba]) ba = j;
        if (f[Y + r + j] > f[Y + r + by]) by = j;
      }
      if (ba === by) correct++;
    }
    return correct;
  }

  // --- optimizers ----------------------------------------------------------

  /** w, g [n] */
  sgd_update(w: number, g: number, n: number, lr: number, l2: number): number {
    const f = this.f32, W = w >> 2, G = g >> 2;
    for (let i = 0; i < n; i++) {
      const wi = f[W + i];
      f[W + i] = wi - lr * (f[G + i] + l2 * wi);
    }
    return this.count_nonfinite(w, n);
  }

  /** w, g, v [n] */
  momentum_update(w: number, g: number, v: number, n: number, lr: number, mu: number, l2: number, nesterov: number): number {
    const f = this.f32, W = w >> 2, G = g >> 2, V = v >> 2;
    for (let i = 0; i < n; i++) {
      const wi = f[W + i];
      const gi = f[G + i] + l2 * wi;
      const vi = mu * f[V + i] - lr * gi;
      f[V + i] = vi;
      f[W + i] = nesterov !== 0 ? wi + mu * vi - lr * gi : wi + vi;
    }
    return this.count_nonfinite(w, n);
  }

  /** w, g, m, v [n] */
  adam_update(w: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number, l2: number, bc1: number, bc2: number): number {
    const f = this.f32, W = w >> 2, G = g >> 2, M = m >> 2, V = v >> 2;
    // PyTorch's grouping: step lr/bc1, denominator sqrt(v)/sqrt(bc2) + eps.
    const step = lr / bc1, sqrtBc2 = Math.sqrt(bc2), c1 = 1 - beta1, c2 = 1 - beta2;
    for (let i = 0; i < n; i++) {
      const wi = f[W + i];
      const gi = f[G + i] + l2 * wi;
      const mi = beta1 * f[M + i] + c1 * gi;
      const vi = beta2 * f[V + i] + c2 * gi * gi;
      f[M + i] = mi;
      f[V + i] = vi;
      f[W + i] = wi - (step * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
    }
    return this.count_nonfinite(w, n);
  }

  // --- data ----------------------------------------------------------------

  /** dst[count×cols] = rows idx[count] of src[·×cols] */
  gather_rows(src: number, idx: number, dst: number, count: number, cols: number): void {
    const f = this.f32, ix = this.i32, S = src >> 2, I = idx >> 2, D = dst >> 2;
    for (let i = 0; i < count; i++) {
      const s = S + ix[I + i] * cols;
      f.copyWithin(D + i * cols, s, s + cols);
    }
  }

  // --- finite ----------------------------------------------------------------

  /** a[n] → count of NaN and ±Infinity */
  count_nonfinite(a: number, n: number): number {
    const f = this.f32, A = a >> 2;
    let bad = 0;
    for (let i = 0; i < n; i++) if (!Number.isFinite(f[A + i])) bad++;
    return bad;
  }

  // --- random --------------------------------------------------------------

  /** state[4 u32] ← seed */
  rng_seed(state: number, seed: number): void {
    rngSeed(this.rngState(state), seed);
  }

  /** out[n] ~ U[lo, hi) */
  rng_uniform(state: number, out: number, n: number, lo: number, hi: number): void {
    const f = this.f32, s = this.rngState(state), O = out >> 2, width = hi - lo;
    for (let i = 0; i < n; i++) f[O + i] = lo + width * rngFloat24(s);
  }

  /** out[n] ~ N(0, std²) */
  rng_normal(state: number, out: number, n: number, std: number): void {
    const f = this.f32, s = this.rngState(state), O = out >> 2, pair = this.pair;
    for (let i = 0; i < n; i += 2) {
      rngGaussPair(s, pair);
      f[O + i] = std * pair[0];
      if (i + 1 < n) f[O + i + 1] = std * pair[1];
    }
  }

  /** idx[n] (i32) shuffled in place */
  rng_shuffle(state: number, idx: number, n: number): void {
    const ix = this.i32, s = this.rngState(state), I = idx >> 2;
    for (let i = n - 1; i > 0; i--) {
      const j = rngBelow(s, i + 1);
      const t = ix[I + i];
      ix[I + i] = ix[I + j];
      ix[I + j] = t;
    }
  }

  // --- recurrent: the twin of assembly/recurrent.ts lives in ./ts-recurrent.ts --

  gather_steps(...a: Tail<typeof recurrent.gather_steps>): void { recurrent.gather_steps(this, ...a); }
  elman_forward(...a: Tail<typeof recurrent.elman_forward>): void { recurrent.elman_forward(this, ...a); }
  elman_backward(...a: Tail<typeof recurrent.elman_backward>): void { recurrent.elman_backward(this, ...a); }
  clip_by_global_norm(...a: Tail<typeof recurrent.clip_by_global_norm>): number { return recurrent.clip_by_global_norm(this, ...a); }
  fixed_point_relax(...a: Tail<typeof recurrent.fixed_point_relax>): number { return recurrent.fixed_point_relax(this, ...a); }
  fixed_point_adjoint(...a: Tail<typeof recurrent.fixed_point_adjoint>): number { return recurrent.fixed_point_adjoint(this, ...a); }
  take_columns(...a: Tail<typeof recurrent.take_columns>): void { recurrent.take_columns(this, ...a); }
  put_columns(...a: Tail<typeof recurrent.put_columns>): void { recurrent.put_columns(this, ...a); }
}

/** A function's parameters after the first (the TsKernels instance). */
type Tail<F> = F extends (k: never, ...rest: infer R) => unknown ? R : never;
