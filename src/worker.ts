// Training off the calling thread: trainInWorker runs Network.fit in a Web Worker
// (browsers) or a worker_threads Worker (Node) through one code path. The worker
// imports this same library from its own URL and answers one 'fit' message; the
// caller gets the epochs, throttled batch progress and weights as they happen,
// and a Network of its own, with the trained weights, at the end.
import type { BackendName } from './backends/index.js';
import { BackpropError, check } from './errors.js';
import { isNode } from './host.js';
import type { Matrix } from './matrix.js';
import { loadNetwork, type ModelJSON } from './model.js';
import { createNetwork, Network, type EpochLogs, type FitOptions, type History, type LayerWeights } from './network.js';
import type { NetworkSpec } from './spec.js';
import { now } from './training.js';

export interface WorkerFitOptions extends Omit<FitOptions, 'onEpochEnd' | 'onBatchEnd'> {
  /** after every epoch, as the worker sends it (not awaited: the worker does not wait for it) */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void;
  /** batch progress, at most about 20 times a second, and always the last batch of each epoch */
  onBatchEnd?: (batch: number, batches: number, epoch: number) => void;
  /** after every epoch: a copy of the weights (for example to run predictions while training goes on) */
  onWeights?: (epoch: number, weights: LayerWeights[]) => void;
  /** the URL of this library's ESM entry that the worker imports; default: the one this code
   *  was loaded from. Set it when a bundler has moved the library away from its own file. */
  moduleUrl?: string | URL;
}

export interface WorkerResult {
  /** a network in the calling thread with the trained weights, on the backend the worker used */
  network: Network;
  history: History;
}

/** Milliseconds between two batch-progress messages. */
const BATCH_MS = 50;

type FitMessage = {
  type: 'fit';
  model: NetworkSpec | ModelJSON;
  backend?: BackendName;
  x: Matrix;
  y: Int32Array | Matrix;
  options: Omit<FitOptions, 'signal' | 'onEpochEnd' | 'onBatchEnd'>;
  want: { epochs: boolean; batches: boolean; weights: boolean };
  aborted: boolean;
};
type ToWorker = FitMessage | { type: 'abort' };
type FromWorker =
  | { type: 'epoch'; epoch: number; logs: EpochLogs }
  | { type: 'batch'; batch: number; batches: number; epoch: number }
  | { type: 'weights'; epoch: number; weights: LayerWeights[] }
  | { type: 'done'; model: ModelJSON; backend: BackendName; history: History }
  | { type: 'error'; message: string };

const WORKER_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationData', 'earlyStopping', 'onNonFinite', 'signal', 'onEpochEnd', 'onBatchEnd', 'onWeights', 'moduleUrl'];

/** Both kinds of worker, seen the same way. */
interface Channel {
  post(m: ToWorker): void;
  /** calls back once with the first failure: an uncaught error in the worker, or its end before it answered */
  listen(onMessage: (m: FromWorker) => void, onFailure: (message: string) => void): void;
  close(): void;
}

/**
 * Trains in a worker: `model` is a spec (the worker creates the network exactly as
 * createNetwork would, so the weights are the ones a fit in this thread would give,
 * bit for bit on simd and scalar), a Network or a saved model (the worker starts from
 * its weights, with fresh optimizer state). Resolves with a network of this thread.
 * Aborting `signal` resolves with the network trained so far and `history.aborted`.
 */
export async function trainInWorker(model: NetworkSpec | Network | ModelJSON, x: Matrix, y: Int32Array | Matrix, options: WorkerFitOptions = {}): Promise<WorkerResult> {
  check(options !== null && typeof options === 'object', 'trainInWorker: options must be an object');
  for (const key of Object.keys(options))
    check(WORKER_KEYS.includes(key), `trainInWorker: unknown option '${key}' (expected one of ${WORKER_KEYS.join(', ')})`);
  for (const key of ['onEpochEnd', 'onBatchEnd', 'onWeights'] as const)
    check(options[key] === undefined || typeof options[key] === 'function', `trainInWorker: ${key} must be a function`);
  check(model !== null && typeof model === 'object', 'trainInWorker: model must be a network spec, a Network or a saved model');
  const { signal, onEpochEnd, onBatchEnd, onWeights, moduleUrl, ...fit } = options;
  check(signal === undefined || (typeof signal === 'object' && typeof signal.addEventListener === 'function'), 'trainInWorker: signal must be an AbortSignal');
  const message: FitMessage = {
    type: 'fit',
    model: model instanceof Network ? model.toJSON() : model,
    backend: model instanceof Network ? model.backend : undefined,
    x, y, options: fit,
    want: { epochs: !!onEpochEnd, batches: !!onBatchEnd, weights: !!onWeights },
    aborted: !!signal?.aborted,
  };
  const url = String(moduleUrl ?? import.meta.url);
  const channel = isNode() ? await nodeWorker(url) : browserWorker(url);

  return new Promise<WorkerResult>((resolve, reject) => {
    let settled = false;
    const onAbort = () => { if (!settled) channel.post({ type: 'abort' }); };
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      channel.close();
      f();
    };
    // A callback that throws must not leave the worker running: it rejects like fit would.
    const call = (f: () => void) => { try { f(); } catch (e) { settle(() => reject(e)); } };
    channel.listen((m) => {
      if (settled) return;
      switch (m.type) {
        case 'epoch': call(() => onEpochEnd?.(m.epoch, m.logs)); break;
        case 'batch': call(() => onBatchEnd?.(m.batch, m.batches, m.epoch)); break;
        case 'weights': call(() => onWeights?.(m.epoch, m.weights)); break;
        case 'error': settle(() => reject(new BackpropError(m.message))); break;
        case 'done':
          settled = true; // no more messages matter; the network is loaded before resolving
          signal?.removeEventListener('abort', onAbort);
          channel.close();
          loadNetwork(m.model, { backend: m.backend }).then((network) => resolve({ network, history: m.history }), reject);
          break;
      }
    }, (failure) => settle(() => reject(new BackpropError(`the training worker failed: ${failure}`))));
    signal?.addEventListener('abort', onAbort);
    try {
      channel.post(message);
    } catch (e) {
      // what structured cloning refuses (a function in the data, a detached buffer) is bad input
      settle(() => reject(new BackpropError(`trainInWorker: cannot send the data to the worker: ${(e as Error).message}`)));
    }
  });
}

async function nodeWorker(url: string): Promise<Channel> {
  const { Worker } = await import('node:worker_threads');
  // evaluated as CommonJS or as a module (a worker inherits --input-type): dynamic import only
  const w = new Worker(`import(${JSON.stringify(url)}).then((m) => m.serveTrainingWorker())`, { eval: true });
  return {
    post: (m) => w.postMessage(m),
    listen(onMessage, onFailure) {
      w.on('message', onMessage);
      w.on('error', (e) => onFailure(String((e as Error)?.message ?? e)));
      w.on('messageerror', (e) => onFailure(`a message could not be read: ${e.message}`));
      w.on('exit', (code) => onFailure(`it exited with code ${code} before training finished`));
    },
    close: () => void w.terminate(),
  };
}

function browserWorker(url: string): Channel {
  check(typeof Worker === 'function', 'trainInWorker: this engine has no Worker');
  const source = URL.createObjectURL(new Blob([`import { serveTrainingWorker } from ${JSON.stringify(url)};\nserveTrainingWorker();\n`], { type: 'text/javascript' }));
  const w = new Worker(source, { type: 'module' });
  return {
    post: (m) => w.postMessage(m),
    listen(onMessage, onFailure) {
      w.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
      w.onerror = (e: ErrorEvent) => { e.preventDefault(); onFailure(e.message || `it could not load ${url}`); };
      w.onmessageerror = () => onFailure('a message could not be read');
    },
    close() { w.terminate(); URL.revokeObjectURL(source); },
  };
}

/** Internal: the worker's side. The worker source that trainInWorker starts calls it. */
export async function serveTrainingWorker(): Promise<void> {
  let post: (m: FromWorker, transfer?: Transferable[]) => void;
  let onMessage: (f: (m: ToWorker) => void) => void;
  if (isNode()) {
    const { parentPort } = await import('node:worker_threads');
    check(parentPort, 'serveTrainingWorker: not in a worker');
    post = (m, transfer) => parentPort.postMessage(m, transfer as never);
    onMessage = (f) => parentPort.on('message', f);
  } else {
    const scope = globalThis as unknown as { postMessage(m: unknown, t?: Transferable[]): void; onmessage: ((e: MessageEvent) => void) | null };
    post = (m, transfer) => scope.postMessage(m, transfer ?? []);
    onMessage = (f) => { scope.onmessage = (e) => f(e.data as ToWorker); };
  }
  const abort = new AbortController();
  onMessage((m) => {
    if (m.type === 'abort') abort.abort();
    else void train(m, abort, post).catch((e) => post({ type: 'error', message: (e as Error)?.message ?? String(e) }));
  });
}

async function train(m: FitMessage, abort: AbortController, post: (m: FromWorker, transfer?: Transferable[]) => void): Promise<void> {
  if (m.aborted) abort.abort();
  const net = 'format' in m.model ? await loadNetwork(m.model, { backend: m.backend }) : await createNetwork(m.model);
  try {
    let last = -Infinity;
    const history = await net.fit(m.x, m.y, {
      ...m.options,
      signal: abort.signal,
      onEpochEnd: (epoch, logs) => {
        if (m.want.epochs) post({ type: 'epoch', epoch, logs });
        if (m.want.weights) {
          const weights = net.getWeights();
          post({ type: 'weights', epoch, weights }, weights.flatMap((w) => [w.weights.buffer, w.bias.buffer]));
        }
      },
      onBatchEnd: m.want.batches ? (batch, batches, epoch) => {
        const t = now();
        if (t - last < BATCH_MS && batch !== batches - 1) return;
        last = t;
        post({ type: 'batch', batch, batches, epoch });
      } : undefined,
    });
    post({ type: 'done', model: net.toJSON(), backend: net.backend, history });
  } finally {
    net.dispose();
  }
}
