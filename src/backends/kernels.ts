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

  // --- optimizers.ts: in place over n parameters; l2 adds l2·w to g -------
  /** w −= lr·(g + l2·w) */
  sgd_update(w: number, g: number, n: number, lr: number, l2: number): void;
  /** classical: v = μv − lr·g'; w += v. Nesterov (Keras): v = μv − lr·g'; w += μv − lr·g' */
  momentum_update(w: number, g: number, v: number, n: number, lr: number, mu: number, l2: number, nesterov: number): void;
  /** PyTorch Adam: m = β1m + (1−β1)g'; v = β2v + (1−β2)g'²;
   *  w −= (lr/bc1)·m / (sqrt(v)/sqrt(bc2) + eps), with bc1 = 1−β1^t, bc2 = 1−β2^t given */
  adam_update(w: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number, l2: number, bc1: number, bc2: number): void;

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
}

export type KernelName = keyof Kernels;
