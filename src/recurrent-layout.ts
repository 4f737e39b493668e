// Arena layouts of the recurrent networks (src/recurrent.ts, src/fixedpoint.ts),
// in the style of src/layout.ts: every buffer at a 16-byte aligned byte offset
// computed here once per capacity. Parameters come first, so a larger
// capacity (a new layout) never moves a weight; params, grads, optimizer state
// and the saved copies share one table, so an update is one flat loop.
import { ARENA_BASE, type Region } from './layout.js';

const ALIGN = 16;
const pad4 = (n: number) => (n + 3) & ~3;

/** Hands out aligned regions from the arena base up, recording each. */
class Regions {
  readonly list: Region[] = [];
  at = ARENA_BASE;
  put(name: string, shape: number[], elemBytes = 4): number {
    const bytes = shape.reduce((p, s) => p * s, 1) * elemBytes;
    const offset = this.at;
    this.list.push({ name, offset, bytes, shape });
    this.at = offset + Math.ceil(bytes / ALIGN) * ALIGN;
    return offset;
  }
  /** One span of tensors (weights first, then biases), each padded to 4 floats. */
  span<K extends string>(name: string, tensors: [K, number[]][]): Record<K, number> & { base: number } {
    const base = this.at;
    const out = { base } as Record<K, number> & { base: number };
    let o = base;
    for (const [key, shape] of tensors) {
      const count = shape.reduce((p, s) => p * s, 1);
      (out as Record<string, number>)[key] = o;
      this.list.push({ name: `${name}.${key}`, offset: o, bytes: count * 4, shape });
      o += pad4(count) * 4;
    }
    this.at = o;
    return out;
  }
}

const spanCount = (tensors: [string, number[]][]) => tensors.reduce((s, [, shape]) => s + pad4(shape.reduce((p, v) => p * v, 1)), 0);

/** What every recurrent layout has: the generator, the optimizer's running powers, and the parameter spans. */
export interface ParamSpans<K extends string> {
  regions: Region[];
  rng: number;
  /** f64[2]: Adam's running β1ᵗ, β2ᵗ (optimizer state lives in the arena) */
  pow: number;
  params: number; paramCount: number; weightCount: number; biasCount: number;
  p: Record<K, number>; g: Record<K, number>;
  grads: number; m: number; v: number; best: number; safe: number;
  end: number;
}

function paramSpans<K extends string>(R: Regions, weights: [K, number[]][], biases: [K, number[]][], slots: 0 | 1 | 2): ParamSpans<K> {
  const rng = R.put('rng', [4]);
  const pow = R.put('opt.pow', [2], 8);
  const all = [...weights, ...biases];
  const weightCount = spanCount(weights), biasCount = spanCount(biases);
  const p = R.span('params', all), g = R.span('grads', all);
  const m = slots >= 1 ? R.span('opt.m', all).base : 0;
  const v = slots >= 2 ? R.span('opt.v', all).base : 0;
  const best = R.span('best', all).base, safe = R.span('safe', all).base;
  return {
    regions: R.list, rng, pow, params: p.base, paramCount: weightCount + biasCount, weightCount, biasCount,
    p, g, grads: g.base, m, v, best, safe, end: 0,
  };
}

// --- Elman -------------------------------------------------------------------

export interface ElmanSizes { inputs: number; hidden: number; outputs: number }
/** Largest batch of sequences (m), largest batch in steps × sequences (m·T), and the data set:
 *  rows (all steps of all sequences), sequences, batches. */
export interface ElmanCapacity { batch: number; stepRows: number; rows: number; sequences: number; batches: number }
export type ElmanParam = 'wxh' | 'whh' | 'why' | 'bh' | 'by';

export interface ElmanLayout extends ParamSpans<ElmanParam> {
  capacity: ElmanCapacity;
  /** workspace: elman_* (B·H + H·H) and gemm_nt's packed Whyᵀ (O·H) */
  work: number;
  /** an initial hidden state for run() [B×H] */
  state: number;
  /** time-major batch buffers, sized by the step-rows R = max m·T (so one long sequence does not cost
   *  B times its length): x, y [R × I|O], h [R + B × H] (h_0 … h_T), dh, dz [R × H], output z, a, dz, da [R × O] */
  xb: number; yb: number; h: number; dh: number; dz: number; zo: number; ao: number; dzo: number; dao: number;
  /** the training set: every sequence's steps one after another, x [rows × I], y [rows × O];
   *  starts (i32): first row of each sequence; order (i32): sequence ids in batch order; batches (i32): batch order */
  x: number; y: number; starts: number; order: number; batches: number;
}

export function elmanLayout(s: ElmanSizes, slots: 0 | 1 | 2, cap: ElmanCapacity): ElmanLayout {
  const R = new Regions();
  const { inputs: I, hidden: H, outputs: O } = s;
  const base = paramSpans<ElmanParam>(R,
    [['wxh', [I, H]], ['whh', [H, H]], ['why', [H, O]]],
    [['bh', [H]], ['by', [O]]], slots);
  const B = cap.batch, TB = cap.stepRows;
  const work = R.put('work', [B * H + H * Math.max(H, O)]);
  const state = R.put('state', [B, H]);
  const xb = R.put('batch.x', [TB, I]), yb = R.put('batch.y', [TB, O]);
  const h = R.put('batch.h', [TB + B, H]), dh = R.put('batch.dh', [TB, H]), dz = R.put('batch.dz', [TB, H]);
  const zo = R.put('batch.zo', [TB, O]), ao = R.put('batch.ao', [TB, O]), dzo = R.put('batch.dzo', [TB, O]), dao = R.put('batch.dao', [TB, O]);
  const x = R.put('data.x', [cap.rows, I]), y = R.put('data.y', [cap.rows, O]);
  const starts = R.put('data.starts', [cap.sequences]), order = R.put('data.order', [cap.sequences]);
  const batches = R.put('data.batches', [cap.batches]);
  return { ...base, capacity: cap, work, state, xb, yb, h, dh, dz, zo, ao, dzo, dao, x, y, starts, order, batches, end: R.at };
}

// --- Almeida–Pineda ------------------------------------------------------------

export interface FixedPointSizes { units: number; inputs: number; outputs: number }
export interface FixedPointCapacity { batch: number; rows: number }
export type FixedPointParam = 'w' | 'u' | 'b';

export interface FixedPointLayout extends ParamSpans<FixedPointParam> {
  capacity: FixedPointCapacity;
  /** f64[2]: the last forward and adjoint residuals */
  residual: number;
  /** workspace of the relaxations: 2·B·N + N·N */
  work: number;
  /** batch buffers: inputs u [B×inputs], targets y [B×outputs], drive c = u·U + b [B×N], states x [B×N],
   *  outputs a, da [B×outputs], error e [B×N], δ [B×N] */
  ub: number; yb: number; c: number; xs: number; a: number; da: number; e: number; delta: number;
  /** the training set: u [rows × inputs], y [rows × outputs], idx (i32) [rows] */
  u: number; y: number; idx: number;
}

export function fixedPointLayout(s: FixedPointSizes, slots: 0 | 1 | 2, cap: FixedPointCapacity): FixedPointLayout {
  const R = new Regions();
  const { units: N, inputs, outputs } = s;
  const base = paramSpans<FixedPointParam>(R, [['w', [N, N]], ['u', [inputs, N]]], [['b', [N]]], slots);
  const B = cap.batch;
  const residual = R.put('residual', [2], 8);
  const work = R.put('work', [2 * B * N + N * N]);
  const ub = R.put('batch.u', [B, inputs]), yb = R.put('batch.y', [B, outputs]);
  const c = R.put('batch.c', [B, N]), xs = R.put('batch.x', [B, N]);
  const a = R.put('batch.a', [B, outputs]), da = R.put('batch.da', [B, outputs]);
  const e = R.put('batch.e', [B, N]), delta = R.put('batch.delta', [B, N]);
  const u = R.put('data.u', [cap.rows, inputs]), y = R.put('data.y', [cap.rows, outputs]), idx = R.put('data.idx', [cap.rows]);
  return { ...base, capacity: cap, residual, work, ub, yb, c, xs, a, da, e, delta, u, y, idx, end: R.at };
}

/** A layout as a table, one region a line: offset, bytes, name, shape (as src/layout.ts's formatLayout). */
export function formatRegions(regions: Region[], end: number): string {
  const lines = regions.map((r) =>
    `${String(r.offset).padStart(10)}  ${String(r.bytes).padStart(10)}  ${r.name.padEnd(12)} ${r.shape.join('×')}`);
  return [`${'offset'.padStart(10)}  ${'bytes'.padStart(10)}  name`, ...lines, `${String(end).padStart(10)}  end`].join('\n');
}
