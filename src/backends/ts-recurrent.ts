// The plain-TypeScript twin of assembly/recurrent.ts: the Elman forward over
// time and BPTT, gradient clipping, and the Almeida–Pineda relaxations, as
// functions over a TsKernels arena (src/backends/ts.ts delegates to them).
// Written from the formulas, not from the WASM code: each output element is a
// sum in f64 (JS numbers) rounded to f32 once, activations use the host's Math.
// Offsets are byte offsets (`off >> 2` indexes the f32 view), sizes element counts.
import type { TsKernels } from './ts.js';

// The residual slots are f64: one view per arena buffer, so the training loop creates none.
let f64View: Float64Array | null = null;
function storeF64(k: TsKernels, at: number, v: number): void {
  if (!f64View || f64View.buffer !== k.buffer) f64View = new Float64Array(k.buffer);
  f64View[at >> 3] = v;
}

/** f(z) for the activation codes of src/plan.ts (0 sigmoid, 1 tanh, 2 relu, 3 leaky-relu, 4 linear). */
function activate(code: number, z: number): number {
  switch (code) {
    case 0: return 1 / (1 + Math.exp(-z));
    case 1: return Math.tanh(z);
    case 2: return z > 0 ? z : 0;
    case 3: return z > 0 ? z : 0.01 * z;
    default: return z;
  }
}

/** f'(z) from a = f(z). */
function slope(code: number, a: number): number {
  switch (code) {
    case 0: return a * (1 - a);
    case 1: return 1 - a * a;
    case 2: return a > 0 ? 1 : 0;
    case 3: return a > 0 ? 1 : 0.01;
    default: return 1;
  }
}

/** dst[T·B×cols] ← rows starts[idx[b]] + t of src */
export function gather_steps(k: TsKernels, src: number, starts: number, idx: number, dst: number, count: number, steps: number, cols: number): void {
  const f = k.f32, ix = k.i32;
  for (let b = 0; b < count; b++) {
    const first = ix[(starts >> 2) + ix[(idx >> 2) + b]];
    for (let t = 0; t < steps; t++) {
      const s = (src >> 2) + (first + t) * cols;
      f.copyWithin((dst >> 2) + (t * count + b) * cols, s, s + cols);
    }
  }
}

/** h_t = f(bh + x_t·Wxh + h_{t−1}·Whh); h[(T+1)·B×H] with block 0 = h0 (0: zeros) */
export function elman_forward(k: TsKernels, x: number, h0: number, wxh: number, whh: number, bh: number, h: number, _work: number,
  steps: number, batch: number, inputs: number, hidden: number, act: number): void {
  const f = k.f32, X = x >> 2, WX = wxh >> 2, WH = whh >> 2, BH = bh >> 2, Hs = h >> 2, n = batch * hidden;
  if (h0) f.copyWithin(Hs, h0 >> 2, (h0 >> 2) + n); else f.fill(0, Hs, Hs + n);
  for (let t = 1; t <= steps; t++) {
    const prev = Hs + (t - 1) * n, cur = prev + n, xt = X + (t - 1) * batch * inputs;
    for (let b = 0; b < batch; b++) {
      const xr = xt + b * inputs, hr = prev + b * hidden;
      for (let j = 0; j < hidden; j++) {
        let z = f[BH + j];
        for (let p = 0; p < inputs; p++) z += f[xr + p] * f[WX + p * hidden + j];
        for (let q = 0; q < hidden; q++) z += f[hr + q] * f[WH + q * hidden + j];
        f[cur + b * hidden + j] = activate(act, z);
      }
    }
  }
}

/** BPTT with optional truncation; see Kernels.elman_backward. */
export function elman_backward(k: TsKernels, x: number, h: number, dh: number, whh: number, gwxh: number, gwhh: number, gbh: number, dz: number,
  _work: number, steps: number, batch: number, inputs: number, hidden: number, truncate: number, act: number): void {
  const f = k.f32, n = batch * hidden, WH = whh >> 2, DZ = dz >> 2, DH = dh >> 2, Hs = h >> 2;
  for (let t = steps; t >= 1; t--) {
    const flows = t < steps && (truncate <= 0 || t % truncate !== 0);
    const at = (t - 1) * n;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < hidden; j++) {
        let g = f[DH + at + b * hidden + j];
        if (flows) {
          const next = DZ + at + n + b * hidden; // dz_{t+1}, row b
          for (let q = 0; q < hidden; q++) g += f[next + q] * f[WH + j * hidden + q];
        }
        f[DZ + at + b * hidden + j] = slope(act, f[Hs + at + n + b * hidden + j]) * g;
      }
    }
  }
  const rows = steps * batch;
  // gWxh[p, j] = Σ_r x[r, p]·dz[r, j];  gWhh[q, j] = Σ_r h_prev[r, q]·dz[r, j];  gbh[j] = Σ_r dz[r, j]
  const outer = (A: number, cols: number, G: number) => {
    for (let p = 0; p < cols; p++)
      for (let j = 0; j < hidden; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += f[A + r * cols + p] * f[DZ + r * hidden + j];
        f[G + p * hidden + j] = s;
      }
  };
  outer(x >> 2, inputs, gwxh >> 2);
  outer(Hs, hidden, gwhh >> 2);
  for (let j = 0; j < hidden; j++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += f[DZ + r * hidden + j];
    f[(gbh >> 2) + j] = s;
  }
}

/** g scaled to norm maxNorm when its norm is larger; returns the norm before */
export function clip_by_global_norm(k: TsKernels, g: number, n: number, maxNorm: number): number {
  const f = k.f32, G = g >> 2;
  let s = 0;
  for (let i = 0; i < n; i++) s += f[G + i] * f[G + i];
  const norm = Math.sqrt(s);
  if (norm > maxNorm) {
    const scale = maxNorm / norm;
    for (let i = 0; i < n; i++) f[G + i] *= scale;
  }
  return norm;
}

/** One damped step x ← x + rate·(t − x) over n values; returns max |t − x| before it (NaN if any is NaN). */
function relax(f: Float32Array, T: number, X: number, n: number, rate: number): number {
  let r = 0;
  for (let i = 0; i < n; i++) {
    const d = f[T + i] - f[X + i];
    const ad = Math.abs(d);
    if (!(ad <= r)) r = Number.isNaN(ad) ? NaN : Math.max(r, ad);
    f[X + i] = rate === 1 ? f[T + i] : f[X + i] + rate * d;
  }
  return r;
}

/** Forward relaxation to a fixed point x = f(x·W + c); see Kernels.fixed_point_relax. */
export function fixed_point_relax(k: TsKernels, c: number, w: number, x: number, residual: number, work: number,
  batch: number, units: number, maxSteps: number, tol: number, rate: number, act: number): number {
  const f = k.f32, C = c >> 2, W = w >> 2, X = x >> 2, T = work >> 2, n = batch * units;
  f.fill(0, X, X + n);
  let r = Infinity, steps = 0;
  while (steps < maxSteps) {
    for (let b = 0; b < batch; b++)
      for (let j = 0; j < units; j++) {
        let z = f[C + b * units + j];
        for (let i = 0; i < units; i++) z += f[X + b * units + i] * f[W + i * units + j];
        f[T + b * units + j] = activate(act, z);
      }
    r = relax(f, T, X, n, rate);
    steps++;
    if (r <= tol || Number.isNaN(r)) break;
  }
  storeF64(k, residual, r);
  return steps;
}

/** Adjoint relaxation v = e + (f'(x)⊙v)·Wᵀ, δ = f'(x)⊙v; see Kernels.fixed_point_adjoint. */
export function fixed_point_adjoint(k: TsKernels, x: number, w: number, e: number, delta: number, residual: number, work: number,
  batch: number, units: number, maxSteps: number, tol: number, rate: number, act: number): number {
  const f = k.f32, X = x >> 2, W = w >> 2, E = e >> 2, D = delta >> 2, n = batch * units;
  const V = work >> 2, T = V + n;
  f.copyWithin(V, E, E + n);
  let emax = 0;
  for (let i = 0; i < n; i++) emax = Math.max(emax, Math.abs(f[E + i]));
  const slopes = () => { for (let i = 0; i < n; i++) f[D + i] = slope(act, f[X + i]) * f[V + i]; };
  let r = emax === 0 ? 0 : Infinity, steps = 0;
  while (r > tol && steps < maxSteps) {
    slopes();
    for (let b = 0; b < batch; b++)
      for (let i = 0; i < units; i++) {
        let s = f[E + b * units + i];
        for (let j = 0; j < units; j++) s += f[D + b * units + j] * f[W + i * units + j];
        f[T + b * units + i] = s;
      }
    r = relax(f, T, V, n, rate) / emax;
    steps++;
  }
  slopes();
  storeF64(k, residual, r);
  return steps;
}

/** dst[rows×n] = the first n columns of src[rows×cols] */
export function take_columns(k: TsKernels, src: number, dst: number, rows: number, cols: number, n: number): void {
  for (let i = 0; i < rows; i++) k.f32.copyWithin((dst >> 2) + i * n, (src >> 2) + i * cols, (src >> 2) + i * cols + n);
}

/** dst[rows×cols] = [src[rows×n] | 0] */
export function put_columns(k: TsKernels, src: number, dst: number, rows: number, n: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const d = (dst >> 2) + i * cols;
    k.f32.copyWithin(d, (src >> 2) + i * n, (src >> 2) + i * n + n);
    k.f32.fill(0, d + n, d + cols);
  }
}
