// The arena layout: every buffer a network touches, at byte offsets computed
// here and nowhere else. Parameters come first, so growing the batch or data
// capacity (a new layout) never moves a weight. Params, grads and optimizer
// state share one shape table, so an update is one flat loop over each.

import { planBytes } from './plan.js';
import { ctrlBytes } from './threads.js';

export const ARENA_BASE = 65536; // above the WASM module's own memory: its static data and GEMM panel (heap_base, checked at load)
/** One thread's GEMM panel: KC × 16 floats (assembly/tiles.ts; checked at load) */
export const PANEL_BYTES = 16384;
const ALIGN = 16;

export interface Region { name: string; offset: number; bytes: number; shape: number[] }

export interface LayerShape { inputs: number; units: number }

export interface Capacity { batch: number; rows: number }

/** Offsets of one layer's buffers (0 where a buffer does not exist). */
export interface LayerPlan {
  inputs: number; units: number;
  w: number; b: number; gw: number; gb: number;
  z: number; a: number; dz: number; da: number;
}

export interface Layout {
  regions: Region[];
  layers: LayerPlan[];
  rng: number;
  /** the step plan (src/plan.ts): offsets and hyper-parameters for the fused step */
  plan: number;
  /** the threads' control block (src/threads.ts), 0 with one thread */
  ctrl: number;
  /** one GEMM panel per thread (assembly/tiles.ts packs strips of B there), 0 with one thread */
  panels: number;
  threads: number;
  /** the weights block [W1 … WL] and the biases block [b1 … bL], each contiguous (padded to 4 floats per tensor) */
  weights: number; weightCount: number; biases: number; biasCount: number;
  /** params (weights then biases) as one span */
  params: number; paramCount: number;
  grads: number; m: number; v: number; best: number; scratch: number;
  /** the parameters at the start of the current epoch: what a diverged fit restores */
  safe: number;
  xb: number; yb: number;
  x: number; y: number; idx: number;
  capacity: Capacity;
  inputSize: number; outputSize: number;
  end: number;
}

const pad4 = (n: number) => (n + 3) & ~3;

export function computeLayout(shapes: LayerShape[], optimizerSlots: 0 | 1 | 2, capacity: Capacity, threads = 1): Layout {
  const regions: Region[] = [];
  let at = ARENA_BASE;
  const put = (name: string, shape: number[], elemBytes = 4): number => {
    const bytes = shape.reduce((p, s) => p * s, 1) * elemBytes;
    const offset = at;
    regions.push({ name, offset, bytes, shape });
    at = offset + Math.ceil(bytes / ALIGN) * ALIGN;
    return offset;
  };
  const rng = put('rng', [4]);
  const plan = put('plan', [planBytes(shapes.length)], 1);
  const ctrl = threads > 1 ? put('threads', [ctrlBytes(threads)], 1) : 0;
  if (threads > 1) at = (at + 63) & ~63; // a panel row is one cache line
  const panels = threads > 1 ? put('threads.panels', [threads, PANEL_BYTES], 1) : 0;

  // One span of parameters: each tensor padded to 4 floats, so every tensor is
  // 16-byte aligned and the block is a whole number of f32x4 vectors.
  const weightCount = shapes.reduce((s, l) => s + pad4(l.inputs * l.units), 0);
  const biasCount = shapes.reduce((s, l) => s + pad4(l.units), 0);
  const paramCount = weightCount + biasCount;
  const spans: { name: string; offsets: number[] }[] = [];
  const block = (name: string) => {
    const base = at;
    const offsets: number[] = [];
    let o = base;
    shapes.forEach((l, i) => { offsets.push(o); regions.push({ name: `${name}.W${i + 1}`, offset: o, bytes: l.inputs * l.units * 4, shape: [l.inputs, l.units] }); o += pad4(l.inputs * l.units) * 4; });
    shapes.forEach((l, i) => { offsets.push(o); regions.push({ name: `${name}.b${i + 1}`, offset: o, bytes: l.units * 4, shape: [l.units] }); o += pad4(l.units) * 4; });
    at = base + paramCount * 4;
    spans.push({ name, offsets });
    return base;
  };
  const params = block('params');
  const grads = block('grads');
  const m = optimizerSlots >= 1 ? block('opt.m') : 0;
  const v = optimizerSlots >= 2 ? block('opt.v') : 0;
  const best = block('best');
  const safe = block('safe');
  // workspace for gemm_nt's packed Wᵀ: the largest weight matrix behind the first layer
  const scratchCount = Math.max(4, ...shapes.slice(1).map((l) => l.inputs * l.units));
  const scratch = put('scratch', [scratchCount]);

  const inputSize = shapes[0].inputs, outputSize = shapes[shapes.length - 1].units;
  const B = capacity.batch;
  const xb = put('batch.x', [B, inputSize]);
  const yb = put('batch.y', [B, outputSize]);
  const layers: LayerPlan[] = shapes.map((l, i) => {
    const L = shapes.length;
    return {
      inputs: l.inputs, units: l.units,
      w: spans[0].offsets[i], b: spans[0].offsets[L + i],
      gw: spans[1].offsets[i], gb: spans[1].offsets[L + i],
      z: put(`batch.Z${i + 1}`, [B, l.units]),
      a: put(`batch.A${i + 1}`, [B, l.units]),
      dz: put(`batch.dZ${i + 1}`, [B, l.units]),
      da: put(`batch.dA${i + 1}`, [B, l.units]),
    };
  });
  const x = put('data.x', [capacity.rows, inputSize]);
  const y = put('data.y', [capacity.rows, outputSize]);
  const idx = put('data.idx', [capacity.rows]);
  return {
    regions, layers, rng, plan, ctrl, panels, threads,
    weights: params, weightCount, biases: params + weightCount * 4, biasCount,
    params, paramCount, grads, m, v, best, safe, scratch,
    xb, yb, x, y, idx, capacity, inputSize, outputSize, end: at,
  };
}

/** The layout as a table, one region a line: offset, bytes, name, shape. */
export function formatLayout(layout: Layout): string {
  const lines = layout.regions.map((r) =>
    `${String(r.offset).padStart(10)}  ${String(r.bytes).padStart(10)}  ${r.name.padEnd(12)} ${r.shape.join('×')}`);
  return [`${'offset'.padStart(10)}  ${'bytes'.padStart(10)}  name`, ...lines, `${String(layout.end).padStart(10)}  end`].join('\n');
}
