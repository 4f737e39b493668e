// The training step on several threads over one shared memory (the `threads`
// build only). Every thread runs step_share with its own tid; each phase splits
// its OUTPUT (rows or columns of a product, columns of a sum, a range of
// parameters), so every element is computed by one thread exactly as the
// one-thread step does: the weights come out the same bits whatever the thread
// count. The loss, a batch-wide reduction, stays on thread 0. Phases meet at
// barriers: three per step for one hidden layer, five when its product goes by
// columns (below).
import { gemm_strided, col_sum_ld, transpose_ld, PANEL_BYTES } from './tiles';
import { gather_rows } from './gather';
import { mse_loss, sse_loss, softmax_cross_entropy, sigmoid_binary_cross_entropy, binary_cross_entropy } from './losses';
import {
  LAYERS, LOSS, INPUT_SIZE, PARAMS, XB, YB, X, Y, SCRATCH, OUTPUT_SIZE, PANELS,
  INPUTS, UNITS, ACT, W, B, GW, GB, Z, A, DZ, DA,
  field, layer, act_forward, act_backward, advance_optimizer, update_range,
} from './plan';

// The control block (i32 fields, byte offsets); src/threads.ts mirrors it.
const JOB = 0, STOP = 4, ARRIVED = 8, GENERATION = 12, THREADS = 16, JOB_IDX = 20, JOB_M = 24, FAILED = 28, CRASH = 32, NEXT = 36, BAD = 40;
// Spins before sleeping: a phase of a training step is microseconds long.
const SPINS = 20000;
// A thread that waits this long at a barrier gives up: a peer died without a word.
const PATIENCE_MS: f64 = 30000;

// The host's clock (performance.now), read only while a wait drags on.
// @ts-ignore: decorator
@external("env", "clock_ms") declare function clock_ms(): f64;

// [start, end) of `total` for thread tid of T, in chunks of `align`.
// @ts-ignore: decorator
@inline function lo(total: i32, tid: i32, T: i32, align: i32): i32 {
  const chunk = ((total + T * align - 1) / (T * align)) * align;
  return min(total, tid * chunk);
}
// @ts-ignore: decorator
@inline function hi(total: i32, tid: i32, T: i32, align: i32): i32 {
  const chunk = ((total + T * align - 1) / (T * align)) * align;
  return min(total, (tid + 1) * chunk);
}

/** All T threads meet here. false: a thread failed (or never came), give up the step. */
function barrier(ctrl: usize, tid: i32): bool {
  const T = atomic.load<i32>(ctrl, THREADS);
  const gen = atomic.load<i32>(ctrl, GENERATION);
  if (atomic.add<i32>(ctrl + ARRIVED, 1) == T - 1) {
    atomic.store<i32>(ctrl, 0, ARRIVED);
    atomic.add<i32>(ctrl + GENERATION, 1);
    atomic.notify(ctrl + GENERATION);
    return true;
  }
  let spins = 0;
  let since: f64 = 0;
  while (atomic.load<i32>(ctrl, GENERATION) == gen) {
    if (atomic.load<i32>(ctrl, FAILED)) return false;
    if (++spins < SPINS) continue;
    // Thread 0 may be a browser's main thread, which must not block: it only ever spins.
    if (tid > 0) memory.atomic.wait32(ctrl + GENERATION, gen, 1000000);
    else if ((spins & 1023) != 0) continue;
    const t = clock_ms();
    if (since == 0) since = t;
    else if (t - since > PATIENCE_MS) { fail(ctrl, tid); return false; }
  }
  return true;
}

function fail(ctrl: usize, tid: i32): void {
  atomic.store<i32>(ctrl, tid + 1, FAILED);
  atomic.notify(ctrl + GENERATION);
  atomic.notify(ctrl + JOB);
}

// Chunks of a phase go to whichever thread asks first, from one ticket counter
// per step (NEXT): a thread slowed down — by another process on its core, say —
// takes fewer chunks instead of holding up the barrier (fixed halves made the step
// ~10% slower at batch 128 on the shared 2-core machine this was measured on: the
// half of whichever thread shared its core finished late). Which thread computes
// an element does not change how it is computed, so the bits stay the same.
// Chunks shrink as the phase runs out (each a 1/(2T) share of what is left, at
// least ROWS_LEAST or DW_LEAST), so a phase ends on small ones: big chunks keep
// the tiles busy, small ones even out the finish. A thread that draws a ticket
// past the end of a phase keeps it as its first chunk of the next (phases come in
// the same order on every thread), so the counter needs no reset mid-step.
// The two globals are per instance, and each thread has its own instance.
const ROWS_LEAST = 2;  // batch rows: the GEMM tile's height
const DW_LEAST = 4;    // rows of a dW (a layer's inputs)
const COLS_LEAST = 16; // columns of the first layer's Z: the GEMM tile's width
let ticket: i32 = -1;
let base: i32 = 0;

/** Index of chunk c's first element in a phase of `total` (the chunk sequence is fixed by total, T and least). */
function chunk_start(c: i32, total: i32, T: i32, least: i32): i32 {
  let s = 0;
  for (let k = 0; k < c && s < total; k++) s += chunk_size(s, total, T, least);
  return min(s, total);
}
// @ts-ignore: decorator
@inline function chunk_size(s: i32, total: i32, T: i32, least: i32): i32 {
  const share = (total - s + 2 * T - 1) / (2 * T);
  return max(least, ((share + least - 1) / least) * least);
}
function chunk_count(total: i32, T: i32, least: i32): i32 {
  let n = 0;
  for (let s = 0; s < total; n++) s += chunk_size(s, total, T, least);
  return n;
}

/** The next chunk of the current phase of `chunks` chunks, or -1 when none is left. */
function claim(ctrl: usize, chunks: i32): i32 {
  if (ticket < 0) ticket = atomic.add<i32>(ctrl + NEXT, 1);
  const c = ticket - base;
  if (c >= chunks) return -1;
  ticket = -1;
  return c;
}

/** Thread tid's share of one training step on rows idx[0..m) (idx = 0: batch buffers already filled).
 *  Thread 0 returns the loss, or NaN when a weight became non-finite or a thread failed (FAILED says which). */
function step_share(plan: usize, ctrl: usize, tid: i32, idx: usize, m: i32): f64 {
  const T = atomic.load<i32>(ctrl, THREADS);
  const layers = load<i32>(plan, LAYERS);
  const inSize = load<i32>(plan, INPUT_SIZE), outSize = load<i32>(plan, OUTPUT_SIZE);
  const scratch = field(plan, SCRATCH);
  // This thread's GEMM panel (tiles.ts: a strip of B 512 bytes a row falls on a few L1 sets).
  // Without, the MNIST layer's dW took ~560 µs a step per thread against ~480–510.
  const panel = field(plan, PANELS) + <usize>tid * PANEL_BYTES;
  ticket = -1; base = 0;
  const top = layer(plan, layers - 1);
  // Forward: chunks of batch rows. A row's whole forward pass needs only that row, so
  // no barrier between layers; but a wide first layer's product goes first, by blocks
  // of its columns over all rows, for two barriers more (the batch gathered; the product
  // done). Two threads, MNIST 784-128-10: the step took 0.96–0.98× the time of row
  // chunks at batch 128 (five runs), 0.91–0.96× at batch 8; with 160 units 0.95×, 96
  // units 0.98×, but 64 units (four blocks) 1.06×: hence at least three blocks a
  // thread. Row chunks still run its activation.
  const rowChunks = chunk_count(m, T, ROWS_LEAST);
  const first = layer(plan, 0), cols = load<i32>(first, UNITS);
  const byCols = cols >= 3 * T * COLS_LEAST;
  if (byCols) {
    if (idx) {
      for (let c = claim(ctrl, rowChunks); c >= 0; c = claim(ctrl, rowChunks)) {
        const r0 = chunk_start(c, m, T, ROWS_LEAST);
        gather(plan, idx, r0, chunk_start(c + 1, m, T, ROWS_LEAST) - r0, inSize, outSize);
      }
      base += rowChunks;
      if (!barrier(ctrl, tid)) return NaN;
    }
    const colChunks = chunk_count(cols, T, COLS_LEAST);
    for (let c = claim(ctrl, colChunks); c >= 0; c = claim(ctrl, colChunks)) {
      const c0 = chunk_start(c, cols, T, COLS_LEAST), at = <usize>c0 << 2;
      gemm_strided(field(plan, XB), inSize, 1, field(first, W) + at, field(first, B) + at, field(first, Z) + at, m, chunk_start(c + 1, cols, T, COLS_LEAST) - c0, inSize, cols, panel);
    }
    base += colChunks;
    if (!barrier(ctrl, tid)) return NaN;
  }
  for (let c = claim(ctrl, rowChunks); c >= 0; c = claim(ctrl, rowChunks)) {
    const r0 = chunk_start(c, m, T, ROWS_LEAST), rows = chunk_start(c + 1, m, T, ROWS_LEAST) - r0;
    if (idx && !byCols) gather(plan, idx, r0, rows, inSize, outSize);
    let input = field(plan, XB);
    for (let i = 0; i < layers; i++) {
      const l = layer(plan, i);
      const ins = load<i32>(l, INPUTS), units = load<i32>(l, UNITS);
      const zr = field(l, Z) + (<usize>(r0 * units) << 2), ar = field(l, A) + (<usize>(r0 * units) << 2);
      if (i > 0 || !byCols) gemm_strided(input + (<usize>(r0 * ins) << 2), ins, 1, field(l, W), field(l, B), zr, rows, units, ins, units, panel);
      act_forward(load<i32>(l, ACT), zr, ar, rows, units);
      input = field(l, A);
    }
    loss_rows(plan, top, m, r0, rows);
  }
  base += rowChunks;
  // The last layer's Wᵀ, for its dZ·Wᵀ: W holds still until the backward updates it,
  // so packing it here, behind the barrier that comes anyway, spares the backward one.
  if (layers > 1) {
    const ins = load<i32>(top, INPUTS);
    pack_wt(top, scratch, lo(ins, tid, T, 1), hi(ins, tid, T, 1));
  }
  if (tid == 0) advance_optimizer(plan); // before any update, which the next barrier orders after it
  if (!barrier(ctrl, tid)) return NaN;
  // The loss reduces over the whole batch: one thread, in the one-thread order, while
  // the others start on the backward (its gradient is made: loss_rows).
  const loss = tid == 0 ? loss_value(plan, top, m) : 0;
  // Backward, last layer first: dW by rows (the layer's inputs), db by columns,
  // then dA of the layer below by batch rows through the packed Wᵀ. Whoever makes
  // a slice of dW or db updates those parameters at once: the slice is complete,
  // nothing reads them again in this step (the forward is over, Wᵀ is packed first),
  // and the update is element-wise — so no barrier waits for every gradient, and the
  // gradients are still in that core's cache. A tensor's last slice runs on over its
  // padding, so every element of the flat span has one owner.
  let bad = 0; // parameters the updates left NaN or ±Infinity
  for (let i = layers - 1; i >= 0; i--) {
    const l = layer(plan, i);
    const ins = load<i32>(l, INPUTS), units = load<i32>(l, UNITS), dz = field(l, DZ);
    const p = i > 0 ? layer(plan, i - 1) : 0;
    const below = p ? field(p, A) : field(plan, XB);
    const repack = p != 0 && i < layers - 1;
    const insChunks = chunk_count(ins, T, DW_LEAST);
    for (let c = claim(ctrl, insChunks); c >= 0; c = claim(ctrl, insChunks)) {
      const i0 = chunk_start(c, ins, T, DW_LEAST), i1 = chunk_start(c + 1, ins, T, DW_LEAST);
      gemm_strided(below + (<usize>i0 << 2), 1, ins, dz, 0, field(l, GW) + (<usize>(i0 * units) << 2), i1 - i0, units, m, units, panel);
      if (repack) pack_wt(l, scratch, i0, i1);
      const w = <i32>((field(l, W) - field(plan, PARAMS)) >> 2);
      bad += update_range(plan, w + i0 * units, i1 == ins ? w + ((ins * units + 3) & ~3) : w + i1 * units);
    }
    base += insChunks;
    const c0 = lo(units, tid, T, 4), c1 = hi(units, tid, T, 4);
    if (c1 > c0) {
      col_sum_ld(dz + (<usize>c0 << 2), field(l, GB) + (<usize>c0 << 2), m, c1 - c0, units);
      const b = <i32>((field(l, B) - field(plan, PARAMS)) >> 2);
      bad += update_range(plan, b + c0, c1 == units ? b + ((units + 3) & ~3) : b + c1);
    }
    if (!p) break;
    if (repack && !barrier(ctrl, tid)) return NaN; // Wᵀ packed
    for (let c = claim(ctrl, rowChunks); c >= 0; c = claim(ctrl, rowChunks)) {
      const r0 = chunk_start(c, m, T, ROWS_LEAST), rows = chunk_start(c + 1, m, T, ROWS_LEAST) - r0;
      const ins4 = <usize>(r0 * ins) << 2;
      const dar = field(p, DA) + ins4;
      gemm_strided(dz + (<usize>(r0 * units) << 2), units, 1, scratch, 0, dar, rows, ins, units, ins, panel);
      act_backward(load<i32>(p, ACT), field(p, A) + ins4, dar, field(p, DZ) + ins4, rows, ins);
    }
    base += rowChunks;
    if (!barrier(ctrl, tid)) return NaN; // dZ of the layer below complete; scratch free again
  }
  store<i32>(ctrl + BAD + (<usize>tid << 2), bad);
  if (!barrier(ctrl, tid)) return NaN; // every update done: the next step may read W
  if (tid > 0) return 0;
  for (let t = 1; t < T; t++) bad += load<i32>(ctrl + BAD + (<usize>t << 2));
  return bad ? NaN : loss;
}

// ./losses' clamp of probabilities for binary cross-entropy (not exported there: the
// kernel ABI stays as it is); the threads tests hold the two to the same bits.
const BCE_EPS: f32 = 1e-7;

/** Rows [r0, r0 + rows) of the last layer's dZ, as loss_delta (./step) makes them for the
 *  whole batch of m rows. Every loss's gradient is element-wise, scaled by the batch's
 *  1/m or 1/(m·n), so row chunks can make it; the expressions are ./losses' own, so the
 *  bits are the same. Fused losses (softmax and sigmoid cross-entropy) write dZ itself,
 *  the others dA, then the activation's backward. */
function loss_rows(plan: usize, l: usize, m: i32, r0: i32, rows: i32): void {
  const n = load<i32>(l, UNITS), kind = load<i32>(plan, LOSS), o = <usize>(r0 * n) << 2;
  const a = field(l, A) + o, y = field(plan, YB) + o, dz = field(l, DZ) + o;
  const fused = kind == 2 || kind == 3;
  const out = fused ? dz : field(l, DA) + o;
  const scale: f32 = kind == 2 ? <f32>(1.0 / <f64>m) : kind == 1 ? 1 : kind == 0 ? <f32>(2.0 / <f64>(m * n)) : <f32>(1.0 / <f64>(m * n));
  for (let i = 0, count = rows * n; i < count; i++) {
    const p = <usize>i << 2;
    const t = load<f32>(y + p);
    let v = load<f32>(a + p);
    if (kind == 4) {
      v = min(max(v, BCE_EPS), <f32>1 - BCE_EPS);
      store<f32>(out + p, (v - t) / (v * (<f32>1 - v)) * scale);
    } else store<f32>(out + p, (v - t) * scale);
  }
  if (!fused) act_backward(load<i32>(l, ACT), a, out, dz, rows, n);
}

/** The batch's loss, by the loss kernel itself (its f64 sum runs over the whole batch in
 *  order). The gradient it writes again goes to the last layer's dA, which nothing reads
 *  any more (fused losses never use it), not to the dZ that other threads are reading. */
function loss_value(plan: usize, l: usize, m: i32): f64 {
  const n = load<i32>(l, UNITS), z = field(l, Z), a = field(l, A), y = field(plan, YB), da = field(l, DA);
  switch (load<i32>(plan, LOSS)) {
    case 0: return mse_loss(a, y, da, m, n);
    case 1: return sse_loss(a, y, da, m, n);
    case 2: return softmax_cross_entropy(z, a, y, da, m, n);
    case 3: return sigmoid_binary_cross_entropy(z, a, y, da, m, n);
    default: return binary_cross_entropy(a, y, da, m, n);
  }
}

/** Rows [r0, r0 + rows) of the batch, from the data set rows that idx lists into the batch buffers. */
function gather(plan: usize, idx: usize, r0: i32, rows: i32, inSize: i32, outSize: i32): void {
  gather_rows(field(plan, X), idx + (<usize>r0 << 2), field(plan, XB) + (<usize>(r0 * inSize) << 2), rows, inSize);
  gather_rows(field(plan, Y), idx + (<usize>r0 << 2), field(plan, YB) + (<usize>(r0 * outSize) << 2), rows, outSize);
}

/** Rows [i0, i1) of layer l's W, transposed into Wᵀ (row stride: the layer's inputs). */
function pack_wt(l: usize, scratch: usize, i0: i32, i1: i32): void {
  const ins = load<i32>(l, INPUTS), units = load<i32>(l, UNITS);
  if (i1 > i0) transpose_ld(field(l, W) + (<usize>(i0 * units) << 2), scratch + (<usize>i0 << 2), i1 - i0, units, ins);
}

/** The caller's side (thread 0): post the job to the workers, run its share, return the loss. */
export function train_step_mt(plan: usize, ctrl: usize, idx: usize, m: i32): f64 {
  atomic.store<i32>(ctrl, 0, NEXT); // every thread of the last step is past its last ticket (its end barrier)
  atomic.store<i32>(ctrl, <i32>idx, JOB_IDX);
  atomic.store<i32>(ctrl, m, JOB_M);
  atomic.add<i32>(ctrl + JOB, 1);
  atomic.notify(ctrl + JOB);
  return step_share(plan, ctrl, 0, idx, m);
}

/** A worker's life: wait for a job, run its share, until STOP. Returns when told to stop. */
export function worker_loop(plan: usize, ctrl: usize, tid: i32): void {
  let seen = 0; // jobs are counted from 0 when the pool starts, so none posted before this call is missed
  for (;;) {
    let spins = 0;
    while (atomic.load<i32>(ctrl, JOB) == seen) {
      if (atomic.load<i32>(ctrl, STOP) || atomic.load<i32>(ctrl, FAILED)) return;
      if (++spins > SPINS) memory.atomic.wait32(ctrl + JOB, seen, 10000000);
    }
    seen++;
    if (atomic.load<i32>(ctrl, STOP)) return;
    if (atomic.load<i32>(ctrl, CRASH) == tid + 1) unreachable(); // fault injection, for the tests
    step_share(plan, ctrl, tid, <usize>atomic.load<i32>(ctrl, JOB_IDX), atomic.load<i32>(ctrl, JOB_M));
  }
}
