// The step plan: a small table in the arena that tells the fused kernel
// (assembly/step.ts: train_step) every offset, size and hyper-parameter of a
// network, so that a whole training step is one call into WASM. Written here
// whenever the layout changes; assembly/step.ts reads the same byte offsets.
// Adam's running β1ᵗ and β2ᵗ live here too: optimizer state belongs to the arena.
import type { Layout } from './layout.js';
import type { Activation, ResolvedSpec } from './spec.js';

export const PLAN = {
  layers: 0, loss: 4, optimizer: 8, inputSize: 12,
  lr: 16, mu: 24, beta1: 32, beta2: 40, eps: 48, l2: 56, beta1Pow: 64, beta2Pow: 72,
  params: 80, grads: 84, m: 88, v: 92, weightCount: 96, biasCount: 100,
  xb: 104, yb: 108, x: 112, y: 116, scratch: 120, outputSize: 124, paramCount: 128, panels: 132,
  header: 136,
  // per layer, from header + 48·i
  layer: { inputs: 0, units: 4, act: 8, w: 12, b: 16, gw: 20, gb: 24, z: 28, a: 32, dz: 36, da: 40, bytes: 48 },
} as const;

export const planBytes = (layers: number) => PLAN.header + PLAN.layer.bytes * layers;

export const ACT_CODE: Record<Activation, number> = { sigmoid: 0, tanh: 1, relu: 2, 'leaky-relu': 3, linear: 4, softmax: 5 };
export const LOSS_CODE = { mse: 0, sse: 1, softmaxCrossEntropy: 2, sigmoidBinaryCrossEntropy: 3, binaryCrossEntropy: 4 } as const;
export const OPT_CODE = { sgd: 0, momentum: 1, nesterov: 2, adam: 3 } as const;

export function lossCode(spec: ResolvedSpec): number {
  const out = spec.layers[spec.layers.length - 1].activation;
  switch (spec.loss) {
    case 'mse': return LOSS_CODE.mse;
    case 'sse': return LOSS_CODE.sse;
    case 'cross-entropy': return LOSS_CODE.softmaxCrossEntropy;
    case 'binary-cross-entropy': return out === 'sigmoid' ? LOSS_CODE.sigmoidBinaryCrossEntropy : LOSS_CODE.binaryCrossEntropy;
  }
}

export function optimizerCode(spec: ResolvedSpec): number {
  const o = spec.optimizer;
  return o.type === 'adam' ? OPT_CODE.adam : o.type === 'sgd' ? OPT_CODE.sgd : o.nesterov ? OPT_CODE.nesterov : OPT_CODE.momentum;
}

/** Writes the plan for `layout`; keeps the optimizer's running state when `fresh` is false. */
export function writePlan(buffer: ArrayBuffer, layout: Layout, spec: ResolvedSpec, fresh: boolean): void {
  const v = new DataView(buffer, layout.plan, planBytes(layout.layers.length));
  const i32 = (at: number, x: number) => v.setInt32(at, x, true);
  const f64 = (at: number, x: number) => v.setFloat64(at, x, true);
  const o = spec.optimizer;
  i32(PLAN.layers, layout.layers.length);
  i32(PLAN.loss, lossCode(spec));
  i32(PLAN.optimizer, optimizerCode(spec));
  i32(PLAN.inputSize, layout.inputSize);
  f64(PLAN.lr, o.learningRate); f64(PLAN.mu, o.momentum); f64(PLAN.beta1, o.beta1); f64(PLAN.beta2, o.beta2);
  f64(PLAN.eps, o.epsilon); f64(PLAN.l2, spec.l2);
  if (fresh) { f64(PLAN.beta1Pow, 1); f64(PLAN.beta2Pow, 1); }
  i32(PLAN.params, layout.params); i32(PLAN.grads, layout.grads); i32(PLAN.m, layout.m); i32(PLAN.v, layout.v);
  i32(PLAN.weightCount, layout.weightCount); i32(PLAN.biasCount, layout.biasCount);
  i32(PLAN.xb, layout.xb); i32(PLAN.yb, layout.yb); i32(PLAN.x, layout.x); i32(PLAN.y, layout.y);
  i32(PLAN.scratch, layout.scratch); i32(PLAN.outputSize, layout.outputSize); i32(PLAN.paramCount, layout.paramCount); i32(PLAN.panels, layout.panels);
  layout.layers.forEach((l, i) => {
    const at = PLAN.header + PLAN.layer.bytes * i, L = PLAN.layer;
    i32(at + L.inputs, l.inputs); i32(at + L.units, l.units); i32(at + L.act, ACT_CODE[spec.layers[i].activation]);
    i32(at + L.w, l.w); i32(at + L.b, l.b); i32(at + L.gw, l.gw); i32(at + L.gb, l.gb);
    i32(at + L.z, l.z); i32(at + L.a, l.a); i32(at + L.dz, l.dz); i32(at + L.da, l.da);
  });
}
