// `backprop-wasm evaluate`: a saved model scored on a dataset — accuracy,
// loss, the confusion matrix and per-class precision, recall and F1.
import type { Dataset } from './data.js';
import { check } from './errors.js';
import { matrix, type Matrix } from './matrix.js';
import { classificationReport, type ClassificationReport } from './metrics.js';
import { loadMnistRaw } from './mnist.js';
import type { Network } from './network.js';
import type { BackendName } from './backends/index.js';
import { backendOption, loadTable, modelInputs, parseCommandArgs, readModel, str, type CliIO } from './train.js';

export const EVALUATE_ARGS = {
  model: { type: 'string' }, dataset: { type: 'string' }, target: { type: 'string' }, 'mnist-dir': { type: 'string' }, backend: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export interface EvaluateOptions { model: string; dataset: string; target?: string; mnistDir?: string; backend?: BackendName; json?: boolean }

/** What `evaluate --json` prints. */
export interface EvaluateResult extends Omit<ClassificationReport, 'samples'> {
  dataset: string;
  /** which rows were scored: 'test split' (mnist) or 'all rows' */
  rows: string;
  samples: number;
  loss: number;
}

export function resolveEvaluateOptions(argv: string[]): EvaluateOptions {
  const a = parseCommandArgs(argv, EVALUATE_ARGS, 'evaluate');
  const model = str(a.model, 'model'), mnistDir = str(a['mnist-dir'], 'mnist-dir');
  const dataset = str(a.dataset, 'dataset') ?? (mnistDir !== undefined ? 'mnist' : undefined);
  check(model, 'evaluate needs --model FILE.json');
  check(dataset, 'evaluate needs --dataset iris|mnist|FILE.csv');
  check(mnistDir === undefined || dataset === 'mnist', `--mnist-dir applies to --dataset mnist only, not '${dataset}'`);
  check(mnistDir !== '', '--mnist-dir needs a directory');
  const target = str(a.target, 'target');
  check(target === undefined || (dataset !== 'iris' && dataset !== 'mnist'), `--target applies to CSV datasets only (${dataset} has its own target)`);
  const backend = backendOption(a.backend);
  return { model, dataset, ...(target !== undefined ? { target } : {}), ...(mnistDir !== undefined ? { mnistDir } : {}), ...(backend ? { backend } : {}), json: a.json === true };
}

/** The rows to score, raw: MNIST's test split, or every row of iris or a CSV file. */
async function evaluationData(opts: EvaluateOptions): Promise<{ ds: Dataset; rows: string }> {
  if (opts.dataset === 'mnist') {
    const m = await loadMnistRaw({ dir: opts.mnistDir });
    return { ds: { x: m.xTest, y: m.yTest, featureNames: m.featureNames, classNames: m.classNames }, rows: 'test split' };
  }
  return { ds: await loadTable(opts.dataset, opts.target, false), rows: 'all rows' };
}

/** The dataset's columns in the model's order (by name when both have names), and its labels as the model's class indices. */
function align(net: Network, ds: Dataset, file: string): { x: Matrix; y: Int32Array; classNames: string[] } {
  const md = net.metadata;
  let x = ds.x;
  if (md.featureNames) {
    const at = new Map(ds.featureNames.map((n, j) => [n, j]));
    const cols = md.featureNames.map((name) => {
      const j = at.get(name);
      check(j !== undefined, `${file}: missing column '${name}', a feature of the model`);
      return j;
    });
    if (cols.some((j, i) => j !== i) || cols.length !== ds.x.cols) {
      x = matrix(ds.x.rows, cols.length);
      for (let i = 0; i < x.rows; i++) for (let c = 0; c < cols.length; c++) x.data[i * cols.length + c] = ds.x.data[i * ds.x.cols + cols[c]];
    }
  } else {
    check(ds.x.cols === net.inputSize, `${file}: ${ds.x.cols} feature columns, the model takes ${net.inputSize} inputs`);
  }
  const k = net.outputSize === 1 ? 2 : net.outputSize;
  const classNames = md.classNames ?? Array.from({ length: k }, (_, c) => String(c));
  // Labels go by name, so a file that lacks some classes (or lists them in another order) still lines up.
  const index = ds.classNames.map((name) => classNames.indexOf(name));
  const y = new Int32Array(ds.y.length);
  for (let i = 0; i < y.length; i++) {
    const c = index[ds.y[i]];
    check(c >= 0, `${file}: data row ${i + 1} has class '${ds.classNames[ds.y[i]]}', which the model does not know (its classes are ${preview(classNames)})`);
    y[i] = c;
  }
  return { x, y, classNames };
}

const preview = (names: string[]) => (names.length > 6 ? `${names.slice(0, 5).join(', ')}, … ${names.length} in all` : names.join(', '));

export async function runEvaluate(opts: EvaluateOptions, io: CliIO): Promise<EvaluateResult> {
  const net = await readModel(opts.model, opts.backend);
  try {
    const { ds, rows } = await evaluationData(opts);
    const { x, y, classNames } = align(net, ds, opts.dataset);
    const inputs = modelInputs(net, x);
    const { loss } = net.evaluate(inputs, y);
    const r = classificationReport(y, net.predictClasses(inputs), classNames.length, classNames);
    const result: EvaluateResult = {
      dataset: opts.dataset, rows, samples: r.samples, loss, accuracy: r.accuracy,
      confusionMatrix: r.confusionMatrix, classes: r.classes, macroAvg: r.macroAvg, weightedAvg: r.weightedAvg,
    };
    if (opts.json) io.log(JSON.stringify(result));
    else for (const line of formatEvaluation(result, net, opts.model)) io.log(line);
    return result;
  } finally {
    net.dispose();
  }
}

export function formatEvaluation(r: EvaluateResult, net: Network, model: string): string[] {
  const layers = net.spec.layers;
  const arch = [net.inputSize, ...layers.map((l) => l.units)].join('-');
  const lines = [
    `model: ${model} (${arch}, ${layers.map((l) => l.activation).join('/')})`,
    `dataset: ${r.dataset} (${r.rows}: ${r.samples} samples)`,
    `accuracy: ${r.accuracy.toFixed(4)}`,
    `loss: ${r.loss.toFixed(4)} (${net.spec.loss})`,
    '',
    'confusion matrix (row: true class, column: predicted class):',
  ];
  const names = r.classes.map((c) => c.name);
  const w = Math.max(...names.map((n) => n.length), ...r.confusionMatrix.flat().map((v) => String(v).length)) + 2;
  const nameW = Math.max(...names.map((n) => n.length), 4);
  lines.push(' '.repeat(nameW) + names.map((n) => n.padStart(w)).join(''));
  r.confusionMatrix.forEach((row, i) => lines.push(names[i].padStart(nameW) + row.map((v) => String(v).padStart(w)).join('')));
  lines.push('');
  // scikit-learn's classification_report layout.
  const labelW = Math.max(nameW, 'weighted avg'.length);
  const f = (v: number) => v.toFixed(4).padStart(10);
  lines.push(' '.repeat(labelW) + ['precision', 'recall', 'f1-score', 'support'].map((h) => h.padStart(10)).join(''));
  for (const c of r.classes) lines.push(c.name.padStart(labelW) + f(c.precision) + f(c.recall) + f(c.f1) + String(c.support).padStart(10));
  lines.push('');
  lines.push('accuracy'.padStart(labelW) + ' '.repeat(20) + f(r.accuracy) + String(r.samples).padStart(10));
  lines.push('macro avg'.padStart(labelW) + f(r.macroAvg.precision) + f(r.macroAvg.recall) + f(r.macroAvg.f1) + String(r.samples).padStart(10));
  lines.push('weighted avg'.padStart(labelW) + f(r.weightedAvg.precision) + f(r.weightedAvg.recall) + f(r.weightedAvg.f1) + String(r.samples).padStart(10));
  return lines;
}
