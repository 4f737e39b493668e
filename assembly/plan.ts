// Reading the step plan that src/plan.ts writes into the arena (the byte
// offsets mirror its PLAN), and dispatching activations and optimizers by
// code. Shared by the fused step (./step) and the threaded one (./parallel);
// not exported.
import {
  sigmoid_forward, sigmoid_backward, tanh_forward, tanh_backward, relu_forward, relu_backward,
  leaky_relu_forward, leaky_relu_backward, linear_forward, linear_backward, softmax_forward, softmax_backward,
} from './activations';
import { sgd_update, momentum_update, adam_update } from './optimizers';

// plan header (bytes)
export const LAYERS = 0, LOSS = 4, OPTIMIZER = 8, INPUT_SIZE = 12;
export const LR = 16, MU = 24, BETA1 = 32, BETA2 = 40, EPS = 48, L2 = 56, BETA1_POW = 64, BETA2_POW = 72;
export const PARAMS = 80, GRADS = 84, M = 88, V = 92, WEIGHT_COUNT = 96, BIAS_COUNT = 100;
export const XB = 104, YB = 108, X = 112, Y = 116, SCRATCH = 120, OUTPUT_SIZE = 124, PARAM_COUNT = 128, PANELS = 132, HEADER = 136;
// per layer
export const INPUTS = 0, UNITS = 4, ACT = 8, W = 12, B = 16, GW = 20, GB = 24, Z = 28, A = 32, DZ = 36, DA = 40, LAYER = 48;

// @ts-ignore: decorator
@inline export function field(p: usize, at: usize): usize { return <usize>load<i32>(p + at); }
// @ts-ignore: decorator
@inline export function layer(plan: usize, i: i32): usize { return plan + HEADER + <usize>(i * LAYER); }

export function act_forward(code: i32, z: usize, a: usize, m: i32, n: i32): void {
  switch (code) {
    case 0: sigmoid_forward(z, a, m * n); break;
    case 1: tanh_forward(z, a, m * n); break;
    case 2: relu_forward(z, a, m * n); break;
    case 3: leaky_relu_forward(z, a, m * n); break;
    case 4: linear_forward(z, a, m * n); break;
    default: softmax_forward(z, a, m, n);
  }
}

export function act_backward(code: i32, a: usize, da: usize, dz: usize, m: i32, n: i32): void {
  switch (code) {
    case 0: sigmoid_backward(a, da, dz, m * n); break;
    case 1: tanh_backward(a, da, dz, m * n); break;
    case 2: relu_backward(a, da, dz, m * n); break;
    case 3: leaky_relu_backward(a, da, dz, m * n); break;
    case 4: linear_backward(a, da, dz, m * n); break;
    default: softmax_backward(a, da, dz, m, n);
  }
}


/** Adam's running β1ᵗ and β2ᵗ, one step on: once per step, before the update that reads them. */
export function advance_optimizer(plan: usize): void {
  if (load<i32>(plan, OPTIMIZER) != 3) return;
  store<f64>(plan, load<f64>(plan, BETA1_POW) * load<f64>(plan, BETA1), BETA1_POW);
  store<f64>(plan, load<f64>(plan, BETA2_POW) * load<f64>(plan, BETA2), BETA2_POW);
}

/** The optimizer update of parameters [from, to) of the flat span: weights
 *  (the first WEIGHT_COUNT) take L2, biases do not. Element-wise, so any split
 *  of the span gives the same bits. Returns how many came out NaN or ±Infinity. */
export function update_range(plan: usize, from: i32, to: i32): i32 {
  const nw = load<i32>(plan, WEIGHT_COUNT);
  const l2 = load<f64>(plan, L2);
  let bad = 0;
  if (from < nw) bad += update_span(plan, from, min(to, nw), l2);
  if (to > nw) bad += update_span(plan, max(from, nw), to, 0);
  return bad;
}

function update_span(plan: usize, from: i32, to: i32, l2: f64): i32 {
  const n = to - from;
  if (n <= 0) return 0;
  const o = <usize>from << 2;
  const w = field(plan, PARAMS) + o, g = field(plan, GRADS) + o, s1 = field(plan, M) + o, s2 = field(plan, V) + o;
  const lr = load<f64>(plan, LR);
  switch (load<i32>(plan, OPTIMIZER)) {
    case 0: return sgd_update(w, g, n, lr, l2);
    case 1: return momentum_update(w, g, s1, n, lr, load<f64>(plan, MU), l2, 0);
    case 2: return momentum_update(w, g, s1, n, lr, load<f64>(plan, MU), l2, 1);
    default:
      return adam_update(w, g, s1, s2, n, lr, load<f64>(plan, BETA1), load<f64>(plan, BETA2), load<f64>(plan, EPS), l2,
        1 - load<f64>(plan, BETA1_POW), 1 - load<f64>(plan, BETA2_POW));
  }
}
