// Recurrent networks: the Elman network's forward pass over time and its
// backward pass through time (BPTT), and Almeida–Pineda fixed-point
// relaxation, forward and adjoint (error) — each forward beside its backward.
//
// Pointers are byte offsets into the arena (f32 buffers 16-byte aligned),
// sizes are element counts, matrices are row-major f32. Arguments come in the
// order inputs, outputs, workspace, sizes, scalars. Every kernel OVERWRITES its
// outputs (none accumulates) and none allocates: workspace is handed in.
//
// Sequences are time-major: for a batch of B sequences the rows of step t are
// rows t·B … t·B + B − 1, so each step is one contiguous B-row block and all T
// steps together are one (T·B)-row matrix. That is what lets everything that
// does not depend on the previous step — the input projection X·Wxh, the
// weight gradients Xᵀ·dZ and Hᵀ·dZ, the bias gradient — run as one large GEMM
// over all steps; only h_{t−1}·Whh (forward) and dz_{t+1}·Whhᵀ (backward) go
// step by step. The products run on ./gemm's kernels, so the simd and scalar
// builds agree to the bit here as they do there: every element-wise helper
// below does the same f32 operations, in the same order, in both paths.
import { gemm_nn_bias, gemm_tn, transpose, col_sum } from './gemm';
import {
  sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward, relu_forward, relu_backward,
  leaky_relu_forward, leaky_relu_backward, linear_forward, linear_backward,
} from './activations';

// Activation codes, as src/plan.ts's ACT_CODE: 0 sigmoid, 1 tanh, 2 relu, 3 leaky-relu, 4 linear.
function act_forward(code: i32, z: usize, a: usize, n: i32): void {
  switch (code) {
    case 0: sigmoid_forward(z, a, n); break;
    case 1: tanh_forward(z, a, n); break;
    case 2: relu_forward(z, a, n); break;
    case 3: leaky_relu_forward(z, a, n); break;
    default: linear_forward(z, a, n);
  }
}

function act_backward(code: i32, a: usize, da: usize, dz: usize, n: i32): void {
  switch (code) {
    case 0: sigmoid_backward(a, da, dz, n); break;
    case 1: tanh_backward(a, da, dz, n); break;
    case 2: relu_backward(a, da, dz, n); break;
    case 3: leaky_relu_backward(a, da, dz, n); break;
    default: linear_backward(a, da, dz, n);
  }
}

// dst[n] += src[n]
function add_into(src: usize, dst: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

// max |a[i]| over n (NaN propagates: f32.max and f32x4.max both return NaN)
function max_abs(a: usize, n: i32): f32 {
  let m: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let v = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) v = f32x4.max(v, f32x4.abs(v128.load(a + (<usize>i << 2))));
    m = max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  }
  for (; i < n; i++) m = max(m, Mathf.abs(load<f32>(a + (<usize>i << 2))));
  return m;
}

// x[n] += rate·(t − x) (rate = 1: x = t exactly); returns max |t − x| before the step.
function relax_toward(t: usize, x: usize, n: i32, rate: f32): f32 {
  let m: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let vm = f32x4.splat(0);
    const vr = f32x4.splat(rate);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const tv = v128.load(t + o), xv = v128.load(x + o);
      const d = f32x4.sub(tv, xv);
      vm = f32x4.max(vm, f32x4.abs(d));
      v128.store(x + o, rate == 1 ? tv : f32x4.add(xv, f32x4.mul(vr, d)));
    }
    m = max(max(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)), max(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const tv = load<f32>(t + o), xv = load<f32>(x + o);
    const d = tv - xv;
    m = max(m, Mathf.abs(d));
    store<f32>(x + o, rate == 1 ? tv : xv + rate * d);
  }
  return m;
}

// --- batches of sequences ----------------------------------------------------

/** dst[T·B×cols] (time-major) ← rows starts[idx[b]] + t of src[·×cols], for t < T, b < B.
 *  starts: i32 first row of each sequence in src; idx: i32 sequence ids of the batch. */
export function gather_steps(src: usize, starts: usize, idx: usize, dst: usize, count: i32, steps: i32, cols: i32): void {
  const row = <usize>cols << 2;
  for (let b = 0; b < count; b++) {
    const first = <usize>load<i32>(starts + (<usize>load<i32>(idx + (<usize>b << 2)) << 2));
    for (let t = 0; t < steps; t++) memory.copy(dst + <usize>(t * count + b) * row, src + (first + <usize>t) * row, row);
  }
}

// --- Elman network: forward over time, backward through time -----------------

/** z_t = x_t·Wxh + bh + h_{t−1}·Whh, h_t = f(z_t), for t = 1…T.
 *  x[T·B×I], h0[B×H] (0: zeros), wxh[I×H], whh[H×H], bh[H] → h[(T+1)·B×H] (block 0 = h0); work[B×H] */
export function elman_forward(x: usize, h0: usize, wxh: usize, whh: usize, bh: usize, h: usize, work: usize,
  steps: i32, batch: i32, inputs: i32, hidden: i32, act: i32): void {
  const n = batch * hidden, block = <usize>n << 2;
  if (h0) memory.copy(h, h0, block); else memory.fill(h, 0, block);
  if (steps <= 0) return;
  // every step's input projection at once: h_t ← x_t·Wxh + bh (one (T·B)-row GEMM)
  gemm_nn_bias(x, wxh, bh, h + block, steps * batch, hidden, inputs);
  for (let t = 1; t <= steps; t++) {
    const prev = h + <usize>(t - 1) * block, cur = prev + block;
    if (t > 1 || h0) {
      gemm_nn_bias(prev, whh, 0, work, batch, hidden, hidden); // h_{t−1}·Whh
      add_into(work, cur, n);
    }
    act_forward(act, cur, cur, n);
  }
}

/** BPTT: dh̃_t = dh_t + dz_{t+1}·Whhᵀ, dz_t = f'(h_t)⊙dh̃_t for t = T…1, then
 *  gWxh = Xᵀ·dZ, gWhh = H_{0…T−1}ᵀ·dZ, gbh = Σ dZ (each one GEMM over all T·B rows).
 *  Truncation k > 0 cuts the recurrence at window edges: dz_{t+1} reaches step t only
 *  when t mod k ≠ 0, so each error flows back to the first step of its k-step window.
 *  x[T·B×I], h[(T+1)·B×H] (elman_forward's), dh[T·B×H] = ∂L/∂h_t from the outputs, whh[H×H]
 *  → gwxh[I×H], gwhh[H×H], gbh[H], dz[T·B×H]; work[B·H + H·H] */
export function elman_backward(x: usize, h: usize, dh: usize, whh: usize, gwxh: usize, gwhh: usize, gbh: usize, dz: usize,
  work: usize, steps: i32, batch: i32, inputs: i32, hidden: i32, truncate: i32, act: i32): void {
  const n = batch * hidden, block = <usize>n << 2;
  const carry = work, whhT = work + block;
  transpose(whh, whhT, hidden, hidden); // once, so each step's dz·Whhᵀ runs on the tiled NN path
  for (let t = steps; t >= 1; t--) {
    const at = <usize>(t - 1) * block;
    if (t < steps && (truncate <= 0 || t % truncate != 0)) {
      gemm_nn_bias(dz + at + block, whhT, 0, carry, batch, hidden, hidden); // dz_{t+1}·Whhᵀ
      add_into(dh + at, carry, n);
    } else {
      memory.copy(carry, dh + at, block);
    }
    act_backward(act, h + at + block, carry, dz + at, n);
  }
  const rows = steps * batch;
  gemm_tn(x, dz, gwxh, inputs, hidden, rows);
  gemm_tn(h, dz, gwhh, hidden, hidden, rows); // h's first T blocks are h_0 … h_{T−1}
  col_sum(dz, gbh, rows, hidden);
}

/** g[n] ← g·(maxNorm/‖g‖) when ‖g‖ > maxNorm; returns ‖g‖₂ before clipping
 *  (squares summed in f64, in order, so every build gives the same bits). */
export function clip_by_global_norm(g: usize, n: i32, maxNorm: f64): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(g + (<usize>i << 2));
    s += v * v;
  }
  const norm = Math.sqrt(s);
  if (norm > maxNorm) {
    const scale = <f32>(maxNorm / norm);
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      const vs = f32x4.splat(scale);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(g + o, f32x4.mul(v128.load(g + o), vs));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(g + o, load<f32>(g + o) * scale);
    }
  }
  return norm;
}

// --- Almeida–Pineda: relaxation to a fixed point, and the adjoint relaxation --

/** Forward relaxation from X = 0: X ← X + rate·(f(X·W + C) − X) until
 *  max|f(X·W + C) − X| ≤ tol or maxSteps iterations; returns the iterations run.
 *  c[B×N] (the input drive u·U + b), w[N×N] → x[B×N], residual[1 f64] (the last max|f(z) − x|); work[B×N] */
export function fixed_point_relax(c: usize, w: usize, x: usize, residual: usize, work: usize,
  batch: i32, units: i32, maxSteps: i32, tol: f64, rate: f64, act: i32): i32 {
  const n = batch * units;
  memory.fill(x, 0, <usize>n << 2);
  let r: f32 = <f32>Infinity;
  let k = 0;
  while (k < maxSteps) {
    gemm_nn_bias(x, w, 0, work, batch, units, units); // X·W
    add_into(c, work, n);
    act_forward(act, work, work, n);
    r = relax_toward(work, x, n, <f32>rate);
    k++;
    if (<f64>r <= tol || r != r) break; // converged, or NaN (reported, never converged)
  }
  store<f64>(residual, <f64>r);
  return k;
}

/** Adjoint relaxation at a fixed point x: V ← V + rate·(E + (f'(x)⊙V)·Wᵀ − V) from V = E,
 *  until the change is ≤ tol·max|E| or maxSteps; then δ = f'(x)⊙V, so that
 *  ∂E/∂W = Xᵀ·δ and ∂E/∂C = δ. Returns the iterations run.
 *  x[B×N] (fixed point), w[N×N], e[B×N] = ∂E/∂x → delta[B×N], residual[1 f64]
 *  (the last change ÷ max|E|, 0 when E = 0); work[2·B×N + N×N] */
export function fixed_point_adjoint(x: usize, w: usize, e: usize, delta: usize, residual: usize, work: usize,
  batch: i32, units: i32, maxSteps: i32, tol: f64, rate: f64, act: i32): i32 {
  const n = batch * units, block = <usize>n << 2;
  const v = work, t = work + block, wT = t + block;
  transpose(w, wT, units, units);
  memory.copy(v, e, block);
  const emax = <f64>max_abs(e, n);
  let r: f64 = emax == 0 ? 0 : Infinity; // E = 0: V = 0 is the answer; NaN in E: reported as NaN
  let k = 0;
  while (r > tol && k < maxSteps) {
    act_backward(act, x, v, delta, n); // δ = f'(x)⊙V
    gemm_nn_bias(delta, wT, 0, t, batch, units, units); // δ·Wᵀ
    add_into(e, t, n);
    r = <f64>relax_toward(t, v, n, <f32>rate) / emax;
    k++;
  }
  act_backward(act, x, v, delta, n);
  store<f64>(residual, r);
  return k;
}

/** dst[rows×n] = the first n columns of src[rows×cols]. */
export function take_columns(src: usize, dst: usize, rows: i32, cols: i32, n: i32): void {
  const from = <usize>cols << 2, to = <usize>n << 2;
  for (let i = 0; i < rows; i++) memory.copy(dst + <usize>i * to, src + <usize>i * from, to);
}

/** dst[rows×cols] = [src[rows×n] | 0]: src in the first n columns, zeros in the rest. */
export function put_columns(src: usize, dst: usize, rows: i32, n: i32, cols: i32): void {
  const from = <usize>n << 2, to = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const d = dst + <usize>i * to;
    memory.copy(d, src + <usize>i * from, from);
    memory.fill(d + from, 0, to - from);
  }
}
