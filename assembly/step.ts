// The fused training step: gather → forward → loss → backward → update in one
// call, driven by the plan table that src/plan.ts writes into the arena (the
// byte offsets below mirror its PLAN). It calls the same kernels, in the same
// order, as the TypeScript driver's unfused path (src/network.ts), so the two
// give the same bits; only the per-call overhead between kernels is gone.
import { gemm_nn_bias, gemm_tn, gemm_nt, col_sum } from './gemm';
import {
  sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward, relu_forward, relu_backward,
  leaky_relu_forward, leaky_relu_backward, linear_forward, linear_backward, softmax_forward, softmax_backward,
} from './activations';
import { mse_loss, sse_loss, softmax_cross_entropy, sigmoid_binary_cross_entropy, binary_cross_entropy } from './losses';
import { sgd_update, momentum_update, adam_update } from './optimizers';
import { gather_rows } from './gather';
import { count_nonfinite } from './finite';

// plan header (bytes)
const LAYERS = 0, LOSS = 4, OPTIMIZER = 8, INPUT_SIZE = 12;
const LR = 16, MU = 24, BETA1 = 32, BETA2 = 40, EPS = 48, L2 = 56, BETA1_POW = 64, BETA2_POW = 72;
const PARAMS = 80, GRADS = 84, M = 88, V = 92, WEIGHT_COUNT = 96, BIAS_COUNT = 100;
const XB = 104, YB = 108, X = 112, Y = 116, SCRATCH = 120, OUTPUT_SIZE = 124, PARAM_COUNT = 128, HEADER = 136;
// per layer
const INPUTS = 0, UNITS = 4, ACT = 8, W = 12, B = 16, GW = 20, GB = 24, Z = 28, A = 32, DZ = 36, DA = 40, LAYER = 48;

// @ts-ignore: decorator
@inline function field(p: usize, at: usize): usize { return <usize>load<i32>(p + at); }
// @ts-ignore: decorator
@inline function layer(plan: usize, i: i32): usize { return plan + HEADER + <usize>(i * LAYER); }

function act_forward(code: i32, z: usize, a: usize, m: i32, n: i32): void {
  switch (code) {
    case 0: sigmoid_forward(z, a, m * n); break;
    case 1: tanh_forward(z, a, m * n); break;
    case 2: relu_forward(z, a, m * n); break;
    case 3: leaky_relu_forward(z, a, m * n); break;
    case 4: linear_forward(z, a, m * n); break;
    default: softmax_forward(z, a, m, n);
  }
}

function act_backward(code: i32, a: usize, da: usize, dz: usize, m: i32, n: i32): void {
  switch (code) {
    case 0: sigmoid_backward(a, da, dz, m * n); break;
    case 1: tanh_backward(a, da, dz, m * n); break;
    case 2: relu_backward(a, da, dz, m * n); break;
    case 3: leaky_relu_backward(a, da, dz, m * n); break;
    case 4: linear_backward(a, da, dz, m * n); break;
    default: softmax_backward(a, da, dz, m, n);
  }
}

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

/** One optimizer update of every weight (with L2) and bias (without). */
export function update_params(plan: usize): void {
  const lr = load<f64>(plan, LR), l2 = load<f64>(plan, L2);
  const w = field(plan, PARAMS), g = field(plan, GRADS), s1 = field(plan, M), s2 = field(plan, V);
  const nw = load<i32>(plan, WEIGHT_COUNT), nb = load<i32>(plan, BIAS_COUNT);
  const bo = <usize>nw << 2;
  switch (load<i32>(plan, OPTIMIZER)) {
    case 0:
      sgd_update(w, g, nw, lr, l2);
      sgd_update(w + bo, g + bo, nb, lr, 0);
      break;
    case 1: case 2: {
      const mu = load<f64>(plan, MU), nesterov = load<i32>(plan, OPTIMIZER) == 2 ? 1 : 0;
      momentum_update(w, g, s1, nw, lr, mu, l2, nesterov);
      momentum_update(w + bo, g + bo, s1 + bo, nb, lr, mu, 0, nesterov);
      break;
    }
    default: {
      const b1 = load<f64>(plan, BETA1), b2 = load<f64>(plan, BETA2), eps = load<f64>(plan, EPS);
      const p1 = load<f64>(plan, BETA1_POW) * b1, p2 = load<f64>(plan, BETA2_POW) * b2;
      store<f64>(plan, p1, BETA1_POW);
      store<f64>(plan, p2, BETA2_POW);
      adam_update(w, g, s1, s2, nw, lr, b1, b2, eps, l2, 1 - p1, 1 - p2);
      adam_update(w + bo, g + bo, s1 + bo, s2 + bo, nb, lr, b1, b2, eps, 0, 1 - p1, 1 - p2);
    }
  }
}

/** One training step on rows idx[0..m) of the data set (idx = 0: the batch buffers are already filled).
 *  Returns the loss before the update, or NaN when the update left a parameter non-finite. */
export function train_step(plan: usize, idx: usize, m: i32): f64 {
  if (idx) {
    gather_rows(field(plan, X), idx, field(plan, XB), m, load<i32>(plan, INPUT_SIZE));
    gather_rows(field(plan, Y), idx, field(plan, YB), m, load<i32>(plan, OUTPUT_SIZE));
  }
  forward_pass(plan, m);
  const loss = loss_delta(plan, m);
  backward_pass(plan, m);
  update_params(plan);
  return count_nonfinite(field(plan, PARAMS), load<i32>(plan, PARAM_COUNT)) ? NaN : loss;
}
