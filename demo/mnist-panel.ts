// The MNIST panel: trains a 784-128-10 network on the bundled digits in a worker
// (trainInWorker), with live figures, a loss/accuracy chart, start/stop, a backend
// switch and a table of finished runs to compare the backends' speed.
import { loadMnist, simdSupported, trainInWorker, type BackendName, type MnistDataset, type NetworkSpec } from 'backprop-wasm';
import { drawChart } from './chart.js';
import { byId, count, el, fixed, messageOf } from './dom.js';
import type { DrawPanel } from './draw-panel.js';

/** Adam at lr 0.003 with a light L2 (the CLI's MNIST defaults): over 0.92 test accuracy after one epoch. */
export const MNIST_SPEC: NetworkSpec = {
  inputSize: 784,
  layers: [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }],
  loss: 'cross-entropy', optimizer: { type: 'adam', learningRate: 0.003 }, l2: 1e-4, seed: 1,
};
const BATCH = 64;

type Threads = number | 'auto';

interface Run {
  backend: BackendName;
  threads: Threads;
  epochs: number;
  controller: AbortController;
  loss: number[];
  valLoss: number[];
  valAccuracy: number[];
  /** where training is: epochs done plus the fraction of the current one */
  progress: number;
  /** the first batch report (time, samples): the rate is measured from there, past the worker's start-up */
  first?: { t: number; samples: number };
  samplesPerSecond?: number;
  /** finished or stopped: the chart then spans the epochs run, not the epochs asked for */
  ended?: boolean;
}

export function mnistPanel(draw: DrawPanel): void {
  const backendSelect = byId<HTMLSelectElement>('backend');
  const threadsSelect = byId<HTMLSelectElement>('threads');
  const epochsInput = byId<HTMLInputElement>('epochs');
  const start = byId<HTMLButtonElement>('start');
  const stop = byId<HTMLButtonElement>('stop');
  const status = byId('status');
  const chart = byId('chart') as unknown as SVGSVGElement;
  const runs = byId('runs').querySelector('tbody')!;

  const simd = simdSupported();
  if (!simd) {
    const option = backendSelect.querySelector<HTMLOptionElement>('option[value="simd"]')!;
    option.disabled = true;
    option.textContent = 'simd (not supported here)';
  }
  backendSelect.value = simd ? 'simd' : 'scalar';
  // Threads share one memory (SharedArrayBuffer): only a cross-origin isolated page has it.
  byId('threads-field').hidden = !crossOriginIsolated;
  // Threads are a simd-only feature of the library.
  const syncThreads = () => { threadsSelect.disabled = backendSelect.value !== 'simd'; };
  backendSelect.addEventListener('change', syncThreads);
  syncThreads();

  let data: MnistDataset | undefined;
  /** the run in progress; `shown` is the one on the chart, which stays after it ends */
  let current: Run | undefined;
  let shown: Run | undefined;
  let frame = 0;

  const render = () => {
    frame = 0;
    if (!shown) return;
    const r = shown;
    const losses = [...r.loss, ...r.valLoss].filter(Number.isFinite);
    const lowest = Math.min(0.9, ...r.valAccuracy.filter(Number.isFinite));
    drawChart(chart, {
      width: 560, height: 260,
      x: { label: 'epoch', min: 0, max: r.ended ? Math.max(1, r.loss.length) : Math.max(r.epochs, Math.ceil(r.progress)) },
      left: { label: 'loss', min: 0, max: losses.length ? Math.max(...losses) * 1.1 : 1 },
      right: { label: 'validation accuracy', min: Math.floor(lowest * 10) / 10, max: 1 },
      band: [r.loss.length, r.progress],
      series: [
        { name: 'training loss', key: 'loss', values: r.loss, color: '#1f77b4', dots: true },
        { name: 'validation loss', key: 'val-loss', values: r.valLoss, color: '#ff7f0e', dots: true },
        { name: 'validation accuracy', key: 'val-accuracy', values: r.valAccuracy, color: '#2ca02c', axis: 'right', dots: true },
      ],
    });
  };
  // Batch reports come up to 20 times a second: one redraw per frame at most.
  const scheduleRender = () => { if (!frame) frame = requestAnimationFrame(render); };

  const setRunning = (running: boolean) => {
    start.disabled = running || !data;
    stop.disabled = !running;
    backendSelect.disabled = running;
    threadsSelect.disabled = running || backendSelect.value !== 'simd';
    epochsInput.disabled = running;
  };

  const addRow = (r: Run, outcome: 'done' | 'stopped') => {
    const accuracy = r.valAccuracy.at(-1);
    const row = el('tr', {
      'data-backend': r.backend, 'data-threads': String(r.threads), 'data-outcome': outcome,
      'data-samples-per-second': String(r.samplesPerSecond ?? 0), 'data-accuracy': String(accuracy ?? ''),
    });
    const epochs = outcome === 'done' ? String(r.loss.length) : r.progress.toFixed(2);
    for (const text of [String(runs.rows.length + 1), r.backend, String(r.threads), epochs,
      r.samplesPerSecond === undefined ? '–' : count(r.samplesPerSecond), fixed(accuracy), outcome])
      row.append(el('td', {}, text));
    runs.append(row);
  };

  const train = async () => {
    if (!data || current) return;
    const backend = backendSelect.value as BackendName;
    const threads: Threads = backend === 'simd' && crossOriginIsolated
      ? (threadsSelect.value === 'auto' ? 'auto' : Number(threadsSelect.value)) : 1;
    const epochs = Math.max(1, Math.min(1000, Math.round(Number(epochsInput.value) || 1)));
    epochsInput.value = String(epochs);
    const r: Run = { backend, threads, epochs, controller: new AbortController(), loss: [], valLoss: [], valAccuracy: [], progress: 0 };
    current = shown = r;
    setRunning(true);
    status.textContent = `training (${backend}${threads === 1 ? '' : `, ${threads} threads`})…`;
    for (const id of ['loss', 'accuracy', 'samples-per-second']) byId(id).textContent = '–';
    byId('epoch').textContent = '0';
    byId('epochs-total').textContent = String(epochs);
    render();
    const rows = data.xTrain.rows;
    try {
      const { network, history } = await trainInWorker({ ...MNIST_SPEC, backend, threads }, data.xTrain, data.yTrain, {
        epochs, batchSize: BATCH, validationData: [data.xTest, data.yTest], signal: r.controller.signal,
        onBatchEnd: (batch, batches, epoch) => {
          const samples = (epoch - 1) * rows + Math.min(rows, (batch + 1) * BATCH), t = performance.now();
          if (!r.first) r.first = { t, samples };
          else if (t > r.first.t) {
            r.samplesPerSecond = ((samples - r.first.samples) * 1000) / (t - r.first.t);
            byId('samples-per-second').textContent = count(r.samplesPerSecond);
          }
          r.progress = epoch - 1 + (batch + 1) / batches;
          scheduleRender();
        },
        onEpochEnd: (epoch, logs) => {
          r.loss.push(logs.loss);
          r.valLoss.push(logs.valLoss ?? NaN);
          r.valAccuracy.push(logs.valAccuracy ?? NaN);
          // a stopped run reports its last, partial epoch as an epoch: the batch progress is the truer figure
          if (!r.controller.signal.aborted) r.progress = epoch;
          byId('epoch').textContent = String(epoch);
          byId('loss').textContent = fixed(logs.loss);
          byId('accuracy').textContent = fixed(logs.valAccuracy);
          scheduleRender();
        },
        onWeights: (_, weights) => draw.setWeights(weights),
      });
      try {
        draw.setWeights(network.getWeights());
      } finally {
        network.dispose();
      }
      const outcome = history.aborted ? 'stopped' : 'done';
      status.textContent = outcome;
      addRow(r, outcome);
    } catch (e) {
      status.textContent = `error (${backend}${threads === 1 ? '' : `, ${threads} threads`}): ${messageOf(e)}`;
      console.error(e);
    } finally {
      current = undefined;
      r.ended = true;
      setRunning(false);
      render();
    }
  };

  start.addEventListener('click', () => void train());
  stop.addEventListener('click', () => {
    if (!current) return;
    current.controller.abort();
    stop.disabled = true;
    status.textContent = 'stopping…';
  });

  setRunning(false);
  status.textContent = 'loading digits…';
  loadMnist().then((m) => {
    data = m;
    byId('data-info').textContent = `${count(m.xTrain.rows)} training and ${count(m.xTest.rows)} test digits (the test digits validate each epoch)`;
    status.textContent = 'ready';
    setRunning(false);
  }, (e) => {
    status.textContent = `error: ${messageOf(e)}`;
    console.error(e);
  });
}
