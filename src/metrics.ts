import { BackpropError, check } from './errors.js';
import { isMatrix, type Matrix } from './matrix.js';

function checkPair(fn: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
  check(yTrue != null && typeof yTrue.length === 'number' && yPred != null && typeof yPred.length === 'number',
    `${fn}: yTrue and yPred must be arrays of labels`);
  check(yTrue.length === yPred.length, `${fn}: yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
}

/** Fraction of positions where the labels agree. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair('accuracy', yTrue, yPred);
  check(yTrue.length > 0, 'accuracy: no labels');
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/** k×k counts: `[i][j]` = samples of true class i predicted as class j. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  checkPair('confusionMatrix', yTrue, yPred);
  check(Number.isInteger(k) && k >= 1, `confusionMatrix: k must be an integer ≥ 1, got ${k}`);
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const label = (which: string, v: number, i: number): number => {
    if (!Number.isInteger(v) || v < 0 || v >= k)
      throw new BackpropError(`confusionMatrix: ${which}[${i}] is ${String(v)}, expected an integer in [0, ${k})`);
    return v;
  };
  for (let i = 0; i < yTrue.length; i++) cm[label('yTrue', yTrue[i], i)][label('yPred', yPred[i], i)]++;
  return cm;
}

/** Per-class precision, recall, F1 and support; 0 where a ratio is 0/0 (scikit-learn's zero_division=0). */
export function precisionRecallF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number):
  { precision: number[]; recall: number[]; f1: number[]; support: number[] } {
  const cm = confusionMatrix(yTrue, yPred, k);
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  const precision: number[] = [], recall: number[] = [], f1: number[] = [], support: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = cm[c][c];
    let actual = 0, predicted = 0;
    for (let j = 0; j < k; j++) { actual += cm[c][j]; predicted += cm[j][c]; }
    precision.push(ratio(tp, predicted));
    recall.push(ratio(tp, actual));
    // 2·tp / (2·tp + fp + fn): the harmonic mean of P and R, without their rounding.
    f1.push(ratio(2 * tp, actual + predicted));
    support.push(actual);
  }
  return { precision, recall, f1, support };
}

export interface ClassScores { name: string; precision: number; recall: number; f1: number; support: number }

export interface ClassificationReport {
  /** one entry per class, in class order */
  classes: ClassScores[];
  accuracy: number;
  /** unweighted mean over classes, and the mean weighted by support (scikit-learn's two averages) */
  macroAvg: { precision: number; recall: number; f1: number };
  weightedAvg: { precision: number; recall: number; f1: number };
  /** `[true][predicted]` counts */
  confusionMatrix: number[][];
  samples: number;
}

/** Everything scikit-learn's classification_report shows, plus the confusion matrix, from precisionRecallF1. */
export function classificationReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number, classNames?: string[]): ClassificationReport {
  check(classNames === undefined || (Array.isArray(classNames) && classNames.length === k),
    `classificationReport: classNames must hold ${k} names`);
  const { precision, recall, f1, support } = precisionRecallF1(yTrue, yPred, k);
  const n = yTrue.length;
  const avg = (v: number[], w?: number[]) => {
    let s = 0;
    for (let c = 0; c < k; c++) s += w ? v[c] * w[c] : v[c];
    return w ? (n === 0 ? 0 : s / n) : s / k;
  };
  const mean = (w?: number[]) => ({ precision: avg(precision, w), recall: avg(recall, w), f1: avg(f1, w) });
  return {
    classes: precision.map((_, c) => ({ name: classNames?.[c] ?? String(c), precision: precision[c], recall: recall[c], f1: f1[c], support: support[c] })),
    accuracy: accuracy(yTrue, yPred),
    macroAvg: mean(),
    weightedAvg: mean(support),
    confusionMatrix: confusionMatrix(yTrue, yPred, k),
    samples: n,
  };
}

/** Mean of (target − output)² over all entries, accumulated in f64. */
export function meanSquaredError(target: Matrix, output: Matrix): number {
  check(isMatrix(target) && isMatrix(output), 'meanSquaredError: target and output must be Matrices');
  check(target.rows === output.rows && target.cols === output.cols,
    `meanSquaredError: target is ${target.rows}×${target.cols} but output is ${output.rows}×${output.cols}`);
  const n = target.data.length;
  check(n > 0, 'meanSquaredError: empty matrices');
  let sum = 0;
  for (let i = 0; i < n; i++) { const d = target.data[i] - output.data[i]; sum += d * d; }
  return sum / n;
}
