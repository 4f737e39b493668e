// Worker threads over one shared WebAssembly.Memory: each worker instantiates
// the `threads` build on the network's memory and sits in worker_loop
// (assembly/parallel.ts), woken by Atomics when the caller posts a step. No
// message passing per step; messages only start workers and report failures.
import { BackpropError } from './errors.js';
import { isNode } from './host.js';

/** The control block's fields (byte offsets), as assembly/parallel.ts reads them. */
export const CTRL = { job: 0, stop: 4, arrived: 8, generation: 12, threads: 16, jobIdx: 20, jobM: 24, failed: 28, crash: 32, next: 36, bad: 40 } as const;
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

// A pool worker's whole program: instantiate the module over the shared memory, say
// ready, and sit in worker_loop until told to stop. The same text runs in a Web Worker
// and in a worker_threads Worker (as CommonJS or as a module: it inherits
// --input-type, so no static import); only the way it gets its start message differs.
const RUN = `
function run(d, post) {
  const flag = () => {
    const a = new Int32Array(d.memory.buffer);
    Atomics.store(a, (d.ctrl + ${CTRL.failed}) >> 2, d.tid + 1);
    Atomics.notify(a, (d.ctrl + ${CTRL.generation}) >> 2);
    Atomics.notify(a, (d.ctrl + ${CTRL.job}) >> 2);
  };
  const message = (e) => String((e && e.message) || e);
  WebAssembly.instantiate(d.module, { env: { memory: d.memory, clock_ms: () => performance.now() } }).then(({ exports }) => {
    post({ ready: true });
    try { exports.worker_loop(d.plan, d.ctrl, d.tid); }
    catch (e) { flag(); post({ error: message(e) }); }
  }, (e) => post({ error: message(e) }));
}
`;
const NODE_SOURCE = `${RUN}
import('node:worker_threads').then(({ parentPort }) => parentPort.once('message', (d) => run(d, (m) => parentPort.postMessage(m))));`;
const WEB_SOURCE = `${RUN}
self.onmessage = (e) => run(e.data, (m) => self.postMessage(m));`;

interface Start { module: WebAssembly.Module; memory: WebAssembly.Memory; plan: number; ctrl: number; tid: number }
type Reply = { ready?: boolean; error?: string };

/** One pool worker, Node's or the browser's, seen the same way. */
interface PoolWorker {
  /** every reply, and (as { error }) an uncaught error or a failure to load */
  listen(f: (m: Reply) => void): void;
  /** an idle pool must not keep a Node process alive */
  unref(): void;
  terminate(): void;
}

let webSource: string | undefined;

async function spawner(): Promise<(start: Start) => PoolWorker> {
  if (isNode()) {
    const { Worker } = await import('node:worker_threads');
    return (start) => {
      const w = new Worker(NODE_SOURCE, { eval: true });
      w.postMessage(start);
      return {
        listen(f) { w.on('message', f); w.on('error', (e) => f({ error: e.message })); },
        unref: () => w.unref(),
        terminate: () => void w.terminate(),
      };
    };
  }
  webSource ??= URL.createObjectURL(new Blob([WEB_SOURCE], { type: 'text/javascript' }));
  const url = webSource;
  return (start) => {
    const w = new Worker(url);
    w.postMessage(start);
    const listeners: ((m: Reply) => void)[] = [];
    w.onmessage = (e: MessageEvent<Reply>) => listeners.forEach((f) => f(e.data));
    w.onerror = (e: ErrorEvent) => { e.preventDefault(); listeners.forEach((f) => f({ error: e.message || 'the worker could not start' })); };
    return { listen: (f) => { listeners.push(f); }, unref() {}, terminate: () => w.terminate() };
  };
}

// Pools not yet disposed. A worker inside worker_loop is not stopped by Node's exit
// (the process would hang); when the event loop runs dry, the pools are told to stop.
const live = new Set<ThreadPool>();
let hooked = false;

/** Resolves when every worker is in its loop. */
export async function startPool(module: WebAssembly.Module, memory: WebAssembly.Memory, plan: number, ctrl: number, threads: number): Promise<ThreadPool> {
  const spawn = await spawner();
  const view = () => new Int32Array(memory.buffer, ctrl, ctrlBytes(threads) >> 2);
  view().fill(0);
  Atomics.store(view(), CTRL.threads >> 2, threads);
  const errors = new Map<number, string>();
  const started: Promise<void>[] = [];
  const workers = Array.from({ length: threads - 1 }, (_, i) => {
    const tid = i + 1;
    const w = spawn({ module, memory, plan, ctrl, tid });
    let ready = false;
    started.push(new Promise<void>((resolve, reject) => w.listen((m) => {
      if (m.ready) { ready = true; resolve(); }
      else if (m.error !== undefined) {
        if (!ready) reject(new BackpropError(`training thread ${tid} could not start: ${m.error}`));
        errors.set(tid, m.error);
        Atomics.store(view(), CTRL.failed >> 2, tid + 1);
      }
    })));
    return w;
  });
  await Promise.all(started).catch((e) => { workers.forEach((w) => w.terminate()); throw e; });

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
