// The kernel ABI: every backend (simd, scalar, ts) implements exactly these
// functions over one arena. Offsets are BYTE offsets into the arena (16-byte
// aligned for f32 buffers), sizes are ELEMENT counts; arguments come in the
// order inputs, then outputs, then sizes, then scalars. Matrices are
// row-major f32. Every kernel OVERWRITES its outputs (none accumulates) and
// none allocates. Index lists are i32. Element-wise, softmax and loss kernels
// may run in place; a GEMM's output must not overlap its inputs. The fused
// losses take a = f(z) as computed by the forward pass.

export interface Kernels {
  // --- gemm.ts -------------------------------------------------------------
  /** C[m×n] = A[m×k]·B[k×n] + bias[n] (bias broadcast over rows). Forward X·W + b. */
  gemm_nn_bias(a: number, b: number, bias: number, c: number, m: number, n: number, k: number): void;
  /** C[m×n] = A[k×m]ᵀ·B[k×n]. Weight gradient Xᵀ·dZ. */
  gemm_tn(a: number, b: number, c: number, m: number, n: number, k: number): void;
  /** C[m×n] = A[m×k]·B[n×k]ᵀ. Input gradient dZ·Wᵀ. `scratch` (k×n floats, 0 = none)
   *  is workspace the kernel may overwrite (the SIMD build packs Bᵀ there). */
  gemm_nt(a: number, b: number, c: number, m: number, n: number, k: number, scratch: number): void;
  /** C[n×m] = A[m×n]ᵀ */
  transpose(a: number, c: number, m: number, n: number): void;
  /** c[n] = Σ_rows A[m×n]. Bias gradient. */
  col_sum(a: number, c: number, m: number, n: number): void;

  // --- activations.ts: forward a = f(z); backward dz = f'(z)·da, from a ---
  sigmoid_forward(z: number, a: number, n: number): void;
  sigmoid_backward(a: number, da: number, dz: number, n: number): void;
  tanh_forward(z: number, a: number, n: number): void;
  tanh_backward(a: number, da: number, dz: number, n: number): void;
  relu_forward(z: number, a: number, n: number): void;
  relu_backward(a: number, da: number, dz: number, n: number): void;
  /** slope 0.01 for z < 0 */
  leaky_relu_forward(z: number, a: number, n: number): void;
  leaky_relu_backward(a: number, da: number, dz: number, n: number): void;
  linear_forward(z: number, a: number, n: number): void;
  linear_backward(a: number, da: number, dz: number, n: number): void;
  /** row-wise softmax of Z[m×n] (max-subtracted) */
  softmax_forward(z: number, a: number, m: number, n: number): void;
  /** dz = a ⊙ (da − Σ_j da_j·a_j), row-wise */
  softmax_backward(a: number, da: number, dz: number, m: number, n: number): void;

  // --- losses.ts: return the loss of a batch, write its gradient ----------
  /** mean over m·n of (a−y)²; da = 2(a−y)/(m·n) */
  mse_loss(a: number, y: number, da: number, m: number, n: number): number;
  /** ½·Σ (a−y)²; da = a−y (the article's rule: no 1/m) */
  sse_loss(a: number, y: number, da: number, m: number, n: number): number;
  /** softmax output fused with cross-entropy: loss = mean over rows of
   *  Σ_j y_j·(logsumexp(z) − z_j) (from the logits z, stable); dz = (a−y)/m */
  softmax_cross_entropy(z: number, a: number, y: number, dz: number, m: number, n: number): number;
  /** sigmoid output fused with binary cross-entropy, mean over m·n:
   *  max(z,0) − z·y + log(1+exp(−|z|)); dz = (a−y)/(m·n) */
  sigmoid_binary_cross_entropy(z: number, a: number, y: number, dz: number, m: number, n: number): number;
  /** binary cross-entropy of probabilities a (clamped to [1e-7, 1−1e-7]), mean over m·n;
   *  da = (a−y)/(a·(1−a))/(m·n) with the clamped a */
  binary_cross_entropy(a: number, y: number, da: number, m: number, n: number): number;
  /** rows where argmax(a) == argmax(y) (first max wins); for n == 1: (a ≥ 0.5) == (y ≥ 0.5) */
  count_correct(a: number, y: number, m: number, n: number): number;

  // --- optimizers.ts: in place over n parameters; l2 adds l2·w to g; each returns
  // how many of the new w are NaN or ±Infinity (the step's divergence check) ---
  /** w −= lr·(g + l2·w) */
  sgd_update(w: number, g: number, n: number, lr: number, l2: number): number;
  /** classical: v = μv − lr·g'; w += v. Nesterov (Keras): v = μv − lr·g'; w += μv − lr·g' */
  momentum_update(w: number, g: number, v: number, n: number, lr: number, mu: number, l2: number, nesterov: number): number;
  /** PyTorch Adam: m = β1m + (1−β1)g'; v = β2v + (1−β2)g'²;
   *  w −= (lr/bc1)·m / (sqrt(v)/sqrt(bc2) + eps), with bc1 = 1−β1^t, bc2 = 1−β2^t given */
  adam_update(w: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number, l2: number, bc1: number, bc2: number): number;

  // --- gather.ts --------------------------------------------------------------
  /** dst[i, :] = src[idx[i], :] for i < count; rows of `cols` f32 */
  gather_rows(src: number, idx: number, dst: number, count: number, cols: number): void;

  // --- random.ts: xoshiro128** with state of 4 u32 at `state` --------------
  /** state = splitmix32 expansion of the u32 seed */
  rng_seed(state: number, seed: number): void;
  /** out[i] = f32(lo + (hi−lo)·u), u = (next() >>> 8)·2⁻²⁴ in [0,1), all in f64 */
  rng_uniform(state: number, out: number, n: number, lo: number, hi: number): void;
  /** out[i] = f32(std·N(0,1)), Marsaglia polar method, ln computed by the shared series;
   *  one accepted pair fills out[i], out[i+1]; for odd n the last pair's second value is dropped */
  rng_normal(state: number, out: number, n: number, std: number): void;
  /** Fisher–Yates over idx[0..n): for i = n−1 … 1, j = next() mod (i+1) (unbiased, rejection) */
  rng_shuffle(state: number, idx: number, n: number): void;

  // --- finite.ts -------------------------------------------------------------
  /** number of NaN or ±Infinity values in a[n] */
  count_nonfinite(a: number, n: number): number;

  // --- step.ts: the fused step, WASM backends only -------------------------
  /** gather rows idx[0..m) (idx = 0: skip), forward, loss, backward, update, as the
   *  plan at `plan` (src/plan.ts) describes; returns the loss before the update */
  train_step?(plan: number, idx: number, m: number): number;

  // --- parallel.ts: the threads build only -----------------------------------
  /** train_step on every thread of the pool whose control block is at `ctrl` (src/threads.ts);
   *  NaN when a weight went non-finite or a thread failed */
  train_step_mt?(plan: number, ctrl: number, idx: number, m: number): number;

  // --- recurrent.ts: Elman BPTT and Almeida–Pineda (src/backends/ts-recurrent.ts is the TS twin) ---
  // Sequences are time-major: step t of a batch of B is the B-row block t. Activation codes as
  // src/plan.ts's ACT_CODE (0 sigmoid, 1 tanh, 2 relu, 3 leaky-relu, 4 linear).
  /** dst[T·B×cols] (time-major) ← rows starts[idx[b]] + t of src, t < steps, b < count (starts, idx: i32) */
  gather_steps(src: number, starts: number, idx: number, dst: number, count: number, steps: number, cols: number): void;
  /** h_t = f(x_t·Wxh + bh + h_{t−1}·Whh), t = 1…T. x[T·B×I], h0[B×H] (0: zeros), wxh[I×H], whh[H×H], bh[H]
   *  → h[(T+1)·B×H] (block 0 = h0); work[B×H] */
  elman_forward(x: number, h0: number, wxh: number, whh: number, bh: number, h: number, work: number,
    steps: number, batch: number, inputs: number, hidden: number, act: number): void;
  /** BPTT: dz_t = f'(h_t)⊙(dh_t + dz_{t+1}·Whhᵀ), t = T…1 (the carry cut where t mod truncate = 0, truncate > 0);
   *  gwxh = Xᵀ·dZ, gwhh = H_{0…T−1}ᵀ·dZ, gbh = Σ dZ. x, h (elman_forward's), dh[T·B×H] = ∂L/∂h_t, whh
   *  → gwxh, gwhh, gbh, dz[T·B×H]; work[B·H + H·H] */
  elman_backward(x: number, h: number, dh: number, whh: number, gwxh: number, gwhh: number, gbh: number, dz: number,
    work: number, steps: number, batch: number, inputs: number, hidden: number, truncate: number, act: number): void;
  /** g[n] scaled by maxNorm/‖g‖₂ when ‖g‖₂ > maxNorm; returns ‖g‖₂ before (squares summed in f64, in order) */
  clip_by_global_norm(g: number, n: number, maxNorm: number): number;
  /** X ← X + rate·(f(X·W + C) − X) from X = 0 until max|f(X·W + C) − X| ≤ tol or maxSteps; returns the
   *  iterations run. c[B×N], w[N×N] → x[B×N], residual (1 f64: the last max change); work[B×N] */
  fixed_point_relax(c: number, w: number, x: number, residual: number, work: number,
    batch: number, units: number, maxSteps: number, tol: number, rate: number, act: number): number;
  /** V ← V + rate·(E + (f'(x)⊙V)·Wᵀ − V) from V = E until the change ≤ tol·max|E| or maxSteps; δ = f'(x)⊙V.
   *  Returns the iterations run. x[B×N], w[N×N], e[B×N] → delta[B×N], residual (1 f64: last change ÷ max|E|);
   *  work[2·B·N + N·N] */
  fixed_point_adjoint(x: number, w: number, e: number, delta: number, residual: number, work: number,
    batch: number, units: number, maxSteps: number, tol: number, rate: number, act: number): number;
  /** dst[rows×n] = the first n columns of src[rows×cols] */
  take_columns(src: number, dst: number, rows: number, cols: number, n: number): void;
  /** dst[rows×cols] = [src[rows×n] | 0] */
  put_columns(src: number, dst: number, rows: number, n: number, cols: number): void;
}

export type KernelName = keyof Kernels;
