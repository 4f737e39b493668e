// The training step on several threads over one shared memory (the `threads`
// build only). Every thread runs step_share with its own tid; each phase splits
// its OUTPUT (rows of a product, columns of a sum, a range of parameters), so
// every element is computed by one thread exactly as the one-thread step does:
// the weights come out the same bits whatever the thread count. The loss, a
// batch-wide reduction, stays on thread 0. Phases meet at a barrier.
import { gemm_strided, col_sum_ld, transpose_ld } from './tiles';
import { gather_rows } from './gather';
import { count_nonfinite } from './finite';
import { loss_delta } from './step';
import {
  LAYERS, INPUT_SIZE, PARAMS, XB, YB, X, Y, SCRATCH, OUTPUT_SIZE, PARAM_COUNT,
  INPUTS, UNITS, ACT, W, B, GW, GB, Z, A, DZ, DA,
  field, layer, act_forward, act_backward, advance_optimizer, update_range,
} from './plan';

// The control block (i32 fields, byte offsets); src/threads.ts mirrors it.
const JOB = 0, STOP = 4, ARRIVED = 8, GENERATION = 12, THREADS = 16, JOB_IDX = 20, JOB_M = 24, FAILED = 28, CRASH = 32, BAD = 40;
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

/** Thread tid's share of one training step on rows idx[0..m) (idx = 0: batch buffers already filled).
 *  Thread 0 returns the loss, or NaN when a weight became non-finite or a thread failed (FAILED says which). */
function step_share(plan: usize, ctrl: usize, tid: i32, idx: usize, m: i32): f64 {
  const T = atomic.load<i32>(ctrl, THREADS);
  const layers = load<i32>(plan, LAYERS);
  const inSize = load<i32>(plan, INPUT_SIZE), outSize = load<i32>(plan, OUTPUT_SIZE);
  // Forward: rows of the batch. A row's whole forward pass needs only that row, so no barrier between layers.
  const r0 = lo(m, tid, T, 1), r1 = hi(m, tid, T, 1), rows = r1 - r0;
  if (rows > 0) {
    if (idx) {
      gather_rows(field(plan, X), idx + (<usize>r0 << 2), field(plan, XB) + (<usize>(r0 * inSize) << 2), rows, inSize);
      gather_rows(field(plan, Y), idx + (<usize>r0 << 2), field(plan, YB) + (<usize>(r0 * outSize) << 2), rows, outSize);
    }
    let input = field(plan, XB);
    for (let i = 0; i < layers; i++) {
      const l = layer(plan, i);
      const ins = load<i32>(l, INPUTS), units = load<i32>(l, UNITS);
      const zr = field(l, Z) + (<usize>(r0 * units) << 2), ar = field(l, A) + (<usize>(r0 * units) << 2);
      gemm_strided(input + (<usize>(r0 * ins) << 2), ins, 1, field(l, W), field(l, B), zr, rows, units, ins);
      act_forward(load<i32>(l, ACT), zr, ar, rows, units);
      input = field(l, A);
    }
  }
  if (!barrier(ctrl, tid)) return NaN;
  // The loss reduces over the whole batch: one thread, in the one-thread order.
  let loss: f64 = 0;
  if (tid == 0) {
    loss = loss_delta(plan, m);
    advance_optimizer(plan);
  }
  if (!barrier(ctrl, tid)) return NaN;
  // Backward, last layer first: dW by rows (the layer's inputs), db by columns,
  // then dA of the layer below by batch rows through the packed Wᵀ.
  const scratch = field(plan, SCRATCH);
  for (let i = layers - 1; i >= 0; i--) {
    const l = layer(plan, i);
    const ins = load<i32>(l, INPUTS), units = load<i32>(l, UNITS), dz = field(l, DZ), w = field(l, W);
    const p = i > 0 ? layer(plan, i - 1) : 0;
    const below = p ? field(p, A) : field(plan, XB);
    const i0 = lo(ins, tid, T, 1), i1 = hi(ins, tid, T, 1);
    if (i1 > i0) {
      gemm_strided(below + (<usize>i0 << 2), 1, ins, dz, 0, field(l, GW) + (<usize>(i0 * units) << 2), i1 - i0, units, m);
      if (p) transpose_ld(w + (<usize>(i0 * units) << 2), scratch + (<usize>i0 << 2), i1 - i0, units, ins);
    }
    const c0 = lo(units, tid, T, 4), c1 = hi(units, tid, T, 4);
    if (c1 > c0) col_sum_ld(dz + (<usize>c0 << 2), field(l, GB) + (<usize>c0 << 2), m, c1 - c0, units);
    if (!p) break;
    if (!barrier(ctrl, tid)) return NaN; // Wᵀ packed
    if (rows > 0) {
      const dar = field(p, DA) + (<usize>(r0 * ins) << 2);
      gemm_strided(dz + (<usize>(r0 * units) << 2), units, 1, scratch, 0, dar, rows, ins, units);
      act_backward(load<i32>(p, ACT), field(p, A) + (<usize>(r0 * ins) << 2), dar, field(p, DZ) + (<usize>(r0 * ins) << 2), rows, ins);
    }
    if (!barrier(ctrl, tid)) return NaN; // dZ of the layer below complete; scratch free again
  }
  if (!barrier(ctrl, tid)) return NaN; // every gradient complete
  const n = load<i32>(plan, PARAM_COUNT);
  const p0 = lo(n, tid, T, 4), p1 = hi(n, tid, T, 4);
  update_range(plan, p0, p1);
  store<i32>(ctrl + BAD + (<usize>tid << 2), p1 > p0 ? count_nonfinite(field(plan, PARAMS) + (<usize>p0 << 2), p1 - p0) : 0);
  if (!barrier(ctrl, tid)) return NaN;
  if (tid > 0) return 0;
  let bad = 0;
  for (let t = 0; t < T; t++) bad += load<i32>(ctrl + BAD + (<usize>t << 2));
  return bad ? NaN : loss;
}

/** The caller's side (thread 0): post the job to the workers, run its share, return the loss. */
export function train_step_mt(plan: usize, ctrl: usize, idx: usize, m: i32): f64 {
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
