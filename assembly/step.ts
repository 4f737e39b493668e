// The fused training step: gather → forward → loss → backward → update in one
// call, driven by the plan table that src/plan.ts writes into the arena (the
// byte offsets below mirror its PLAN). It calls the same kernels, in the same
// order, as the TypeScript driver's unfused path (src/network.ts), so the two
// give the same bits; only the per-call overhead between kernels is gone.
import { gemm_nn_bias, gemm_tn, gemm_nt, col_sum } from './gemm';
import { mse_loss, sse_loss, softmax_cross_entropy, sigmoid_binary_cross_entropy, binary_cross_entropy } from './losses';
import { gather_rows } from './gather';
import {
  LAYERS, LOSS, OPTIMIZER, INPUT_SIZE, LR, MU, BETA1, BETA2, EPS, L2, BETA1_POW, BETA2_POW, PARAMS, GRADS, M, V,
  WEIGHT_COUNT, BIAS_COUNT, XB, YB, X, Y, SCRATCH, OUTPUT_SIZE, PARAM_COUNT, INPUTS, UNITS, ACT, W, B, GW, GB, Z, A, DZ, DA,
  field, layer, act_forward, act_backward, advance_optimizer, update_range,
} from './plan';

/** Forward pass over the first m rows of the batch buffer: every layer's Z and A. */
export function forward_pass(plan: usize, m: i32): void {
  const layers = load<i32>(plan, LAYERS);
  let input = field(plan, XB);
  for (let i = 0; i < layers; i++) {
    const l = layer(plan, i);
    const units = load<i32>(l, UNITS);
    gemm_nn_bias(input, field(l, W), field(l, B), field(l, Z), m, units, load<i32>(l, INPUTS));
    act_forward(load<i32>(l, ACT), field(l, Z), field(l, A), m, units);
    input = field(l, A);
  }
}

/** The loss of the batch against the targets in the batch buffer; leaves dZ of the last layer. */
export function loss_delta(plan: usize, m: i32): f64 {
  const l = layer(plan, load<i32>(plan, LAYERS) - 1);
  const n = load<i32>(l, UNITS), y = field(plan, YB);
  const z = field(l, Z), a = field(l, A), dz = field(l, DZ), da = field(l, DA);
  let loss: f64;
  switch (load<i32>(plan, LOSS)) {
    case 2: return softmax_cross_entropy(z, a, y, dz, m, n);
    case 3: return sigmoid_binary_cross_entropy(z, a, y, dz, m, n);
    case 0: loss = mse_loss(a, y, da, m, n); break;
    case 1: loss = sse_loss(a, y, da, m, n); break;
    default: loss = binary_cross_entropy(a, y, da, m, n);
  }
  act_backward(load<i32>(l, ACT), a, da, dz, m, n);
  return loss;
}

/** Backward pass from dZ of the last layer: every weight and bias gradient. */
export function backward_pass(plan: usize, m: i32): void {
  const scratch = field(plan, SCRATCH);
  for (let i = load<i32>(plan, LAYERS) - 1; i >= 0; i--) {
    const l = layer(plan, i);
    const inputs = load<i32>(l, INPUTS), units = load<i32>(l, UNITS), dz = field(l, DZ);
    const p = i > 0 ? layer(plan, i - 1) : 0;
    gemm_tn(p ? field(p, A) : field(plan, XB), dz, field(l, GW), inputs, units, m);
    col_sum(dz, field(l, GB), m, units);
    if (p) {
      gemm_nt(dz, field(l, W), field(p, DA), m, inputs, units, scratch);
      act_backward(load<i32>(p, ACT), field(p, A), field(p, DA), field(p, DZ), m, inputs);
    }
  }
}

/** One optimizer update of every weight (with L2) and bias (without). Returns how many parameters came out NaN or ±Infinity. */
export function update_params(plan: usize): i32 {
  advance_optimizer(plan);
  return update_range(plan, 0, load<i32>(plan, PARAM_COUNT));
}

/** One training step on rows idx[0..m) of the data set (idx = 0: the batch buffers are already filled).
 *  Returns the loss before the update, or NaN when the update left a parameter non-finite. */
export function train_step(plan: usize, idx: usize, m: i32): f64 {
  if (idx) {
    const inSize = load<i32>(plan, INPUT_SIZE), outSize = load<i32>(plan, OUTPUT_SIZE);
    const first = consecutive(idx, m);
    if (first >= 0) {
      // An unshuffled fit's batch is one block of the data set: one copy each, not one per
      // row (Iris: 210 memory.copy calls of 12–16 bytes took 1.6 µs, 28% of the step).
      memory.copy(field(plan, XB), field(plan, X) + (<usize>(first * inSize) << 2), <usize>(m * inSize) << 2);
      memory.copy(field(plan, YB), field(plan, Y) + (<usize>(first * outSize) << 2), <usize>(m * outSize) << 2);
    } else {
      gather_rows(field(plan, X), idx, field(plan, XB), m, inSize);
      gather_rows(field(plan, Y), idx, field(plan, YB), m, outSize);
    }
  }
  forward_pass(plan, m);
  const loss = loss_delta(plan, m);
  backward_pass(plan, m);
  return update_params(plan) ? NaN : loss;
}

/** idx[0] when idx[0..m) counts up by one from it (rows idx[0]…idx[0]+m−1 in order), else −1. */
function consecutive(idx: usize, m: i32): i32 {
  const first = load<i32>(idx);
  for (let i = 1; i < m; i++) if (load<i32>(idx + (<usize>i << 2)) != first + i) return -1;
  return first;
}
