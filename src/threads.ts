// Worker threads over one shared WebAssembly.Memory: each worker instantiates
// the `threads` build on the network's memory and sits in worker_loop
// (assembly/parallel.ts), woken by Atomics when the caller posts a step. No
// message passing per step; messages only start workers and report failures.
import { BackpropError } from './errors.js';

/** The control block's fields (byte offsets), as assembly/parallel.ts reads them. */
export const CTRL = { job: 0, stop: 4, arrived: 8, generation: 12, threads: 16, jobIdx: 20, jobM: 24, failed: 28, crash: 32, bad: 40 } as const;
export const ctrlBytes = (threads: number) => CTRL.bad + 4 * threads;
export const MAX_THREADS = 64;

export interface ThreadPool {
  readonly size: number;
  /** The failed thread's error, once the step has reported a failure (waits briefly for its message). */
  failure(): Promise<string>;
  /** Fault injection for tests: thread `tid` traps at its next job. */
  crashAtNextStep(tid: number): void;
  dispose(): void;
}

// Evaluated inside a worker_threads Worker, as CommonJS or as a module (a
// worker inherits --input-type), so it only uses dynamic import.
const WORKER_SOURCE = `
import('node:worker_threads').then(({ parentPort, workerData: d }) => {
  const flag = () => {
    const a = new Int32Array(d.memory.buffer);
    Atomics.store(a, (d.ctrl + ${CTRL.failed}) >> 2, d.tid + 1);
    Atomics.notify(a, (d.ctrl + ${CTRL.generation}) >> 2);
    Atomics.notify(a, (d.ctrl + ${CTRL.job}) >> 2);
  };
  WebAssembly.instantiate(d.module, { env: { memory: d.memory, clock_ms: () => performance.now() } }).then(({ exports }) => {
    parentPort.postMessage({ ready: true });
    try { exports.worker_loop(d.plan, d.ctrl, d.tid); }
    catch (e) { flag(); parentPort.postMessage({ error: String((e && e.message) || e) }); }
  }, (e) => parentPort.postMessage({ error: String((e && e.message) || e) }));
});
`;

// Pools not yet disposed. A worker inside worker_loop is not stopped by Node's exit
// (the process would hang); when the event loop runs dry, the pools are told to stop.
const live = new Set<ThreadPool>();
let hooked = false;

/** Resolves when every worker is in its loop. */
export async function startPool(module: WebAssembly.Module, memory: WebAssembly.Memory, plan: number, ctrl: number, threads: number): Promise<ThreadPool> {
  const { Worker } = await import('node:worker_threads');
  const view = () => new Int32Array(memory.buffer, ctrl, ctrlBytes(threads) >> 2);
  view().fill(0);
  Atomics.store(view(), CTRL.threads >> 2, threads);
  const errors = new Map<number, string>();
  const workers = Array.from({ length: threads - 1 }, (_, i) => {
    const tid = i + 1;
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, plan, ctrl, tid } });
    w.on('message', (m: { error?: string }) => { if (m.error) errors.set(tid, m.error); });
    w.on('error', (e) => { errors.set(tid, e.message); Atomics.store(view(), CTRL.failed >> 2, tid + 1); });
    return w;
  });
  const fail = (e: unknown) => { workers.forEach((w) => w.terminate()); throw e; };
  await Promise.all(workers.map((w, i) => new Promise<void>((resolve, reject) => {
    const onMessage = (m: { ready?: boolean; error?: string }) => {
      if (m.ready) { w.off('message', onMessage); resolve(); }
      else if (m.error) reject(new BackpropError(`training thread ${i + 1} could not start: ${m.error}`));
    };
    w.on('message', onMessage);
    w.once('error', reject);
  }))).catch(fail);

  for (const w of workers) w.unref(); // after the listeners, which ref it: an idle pool never keeps the process alive
  if (!hooked && typeof process !== 'undefined' && typeof process.once === 'function') {
    hooked = true;
    process.once('beforeExit', () => { for (const p of [...live]) p.dispose(); });
  }
  const pool: ThreadPool = {
    size: threads,
    async failure() {
      const tid = Atomics.load(view(), CTRL.failed >> 2) - 1;
      for (let i = 0; i < 50 && !errors.has(tid); i++) await new Promise((r) => setTimeout(r, 10));
      return `training thread ${tid} failed: ${errors.get(tid) ?? 'it stopped responding'}`;
    },
    crashAtNextStep(tid: number) { Atomics.store(view(), CTRL.crash >> 2, tid + 1); },
    dispose() {
      live.delete(pool);
      const v = view();
      Atomics.store(v, CTRL.stop >> 2, 1);
      Atomics.notify(v, CTRL.job >> 2);
      for (const w of workers) void w.terminate();
    },
  };
  live.add(pool);
  return pool;
}

/** What 'auto' means here: the cores the host offers. */
export async function availableThreads(): Promise<number> {
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) return navigator.hardwareConcurrency;
  const os = await import('node:os');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}
