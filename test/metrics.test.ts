import { describe, it, expect } from 'vitest';
import { accuracy, classificationReport, confusionMatrix, meanSquaredError, precisionRecallF1 } from '../src/metrics.js';
import { BackpropError } from '../src/errors.js';
import { errorOf } from './helpers.js';
import { fromRows, matrix } from '../src/matrix.js';


// A small 3-class case worked by hand:
//   true: 0 0 0 1 1 1 2 2
//   pred: 0 1 0 1 1 2 2 0
const yTrue = [0, 0, 0, 1, 1, 1, 2, 2];
const yPred = Int32Array.from([0, 1, 0, 1, 1, 2, 2, 0]);

describe('accuracy', () => {
  it('is the fraction of matches', () => {
    expect(accuracy(yTrue, yPred)).toBe(5 / 8);
    expect(accuracy([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(accuracy(Int32Array.from([0]), [1])).toBe(0);
  });

  it('rejects unequal lengths and empty input', () => {
    expect(errorOf(() => accuracy([1, 2], [1]))).toBe('accuracy: yTrue has 2 labels but yPred has 1');
    expect(errorOf(() => accuracy([], []))).toBe('accuracy: no labels');
  });
});

describe('confusionMatrix', () => {
  it('counts true i predicted j at [i][j]', () => {
    expect(confusionMatrix(yTrue, yPred, 3)).toEqual([
      [2, 1, 0],
      [0, 2, 1],
      [1, 0, 1],
    ]);
    // Not symmetric: a single 0→2 error lands in row 0, column 2.
    expect(confusionMatrix([0], [2], 3)).toEqual([[0, 0, 1], [0, 0, 0], [0, 0, 0]]);
    expect(confusionMatrix([], [], 2)).toEqual([[0, 0], [0, 0]]);
  });

  it('rejects labels outside [0, k)', () => {
    expect(errorOf(() => confusionMatrix([0, 3], [0, 1], 3))).toBe('confusionMatrix: yTrue[1] is 3, expected an integer in [0, 3)');
    expect(errorOf(() => confusionMatrix([0, 1], [-1, 1], 3))).toBe('confusionMatrix: yPred[0] is -1, expected an integer in [0, 3)');
    expect(errorOf(() => confusionMatrix([0.5], [0], 3))).toMatch(/yTrue\[0\] is 0.5/);
    expect(errorOf(() => confusionMatrix([0], [0, 1], 3))).toMatch(/yTrue has 1 labels but yPred has 2/);
    expect(errorOf(() => confusionMatrix([0], [0], 0))).toMatch(/k must be an integer ≥ 1/);
  });
});

describe('precisionRecallF1', () => {
  it('matches the hand-worked values', () => {
    const r = precisionRecallF1(yTrue, yPred, 3);
    // Column sums (predicted) 3, 3, 2; row sums (actual) 3, 3, 2; diagonal 2, 2, 1.
    expect(r.support).toEqual([3, 3, 2]);
    expect(r.precision).toEqual([2 / 3, 2 / 3, 1 / 2]);
    expect(r.recall).toEqual([2 / 3, 2 / 3, 1 / 2]);
    expect(r.f1).toEqual([2 / 3, 2 / 3, 1 / 2]);
  });

  it('differs between precision and recall when errors are one-sided', () => {
    // Class 1 is over-predicted: precision 1/3, recall 1; class 0 recall 1/3, precision 1.
    const r = precisionRecallF1([0, 0, 0, 1], [0, 1, 1, 1], 2);
    expect(r.precision).toEqual([1, 1 / 3]);
    expect(r.recall).toEqual([1 / 3, 1]);
    expect(r.f1[0]).toBeCloseTo(0.5, 12);
    expect(r.f1[1]).toBeCloseTo(0.5, 12);
    expect(r.support).toEqual([3, 1]);
  });

  it('gives 0 where a ratio is undefined (zero_division=0)', () => {
    // Class 2 never occurs nor is predicted; class 1 is never predicted.
    const r = precisionRecallF1([0, 1], [0, 0], 3);
    expect(r.precision).toEqual([0.5, 0, 0]);
    expect(r.recall).toEqual([1, 0, 0]);
    expect(r.f1[0]).toBeCloseTo(2 / 3, 12);
    expect(r.f1.slice(1)).toEqual([0, 0]);
    expect(r.support).toEqual([1, 1, 0]);
  });
});

describe('classificationReport', () => {
  it('gathers the per-class scores with scikit-learn’s macro and weighted averages', () => {
    // Class 1 is over-predicted: precision 1/3, recall 1; class 0 recall 1/3, precision 1 (as above).
    const r = classificationReport([0, 0, 0, 1], [0, 1, 1, 1], 2, ['cat', 'dog']);
    expect(r.classes.map((c) => [c.name, c.precision, c.recall, c.support])).toEqual([['cat', 1, 1 / 3, 3], ['dog', 1 / 3, 1, 1]]);
    expect(r.accuracy).toBe(0.5);
    expect(r.samples).toBe(4);
    expect(r.confusionMatrix).toEqual([[1, 2], [0, 1]]);
    expect(r.macroAvg.precision).toBeCloseTo((1 + 1 / 3) / 2, 12);
    expect(r.macroAvg.recall).toBeCloseTo((1 / 3 + 1) / 2, 12);
    expect(r.weightedAvg.precision).toBeCloseTo((3 * 1 + 1 * (1 / 3)) / 4, 12);
    expect(r.weightedAvg.recall).toBeCloseTo((3 * (1 / 3) + 1 * 1) / 4, 12);
    expect(r.weightedAvg.f1).toBeCloseTo(0.5, 12);
  });

  it('names classes by index without names, and checks the names', () => {
    expect(classificationReport(yTrue, yPred, 3).classes.map((c) => c.name)).toEqual(['0', '1', '2']);
    expect(errorOf(() => classificationReport(yTrue, yPred, 3, ['a', 'b']))).toBe('classificationReport: classNames must hold 3 names');
  });
});

describe('meanSquaredError', () => {
  it('is the mean over all entries', () => {
    const t = fromRows([[1, 0], [0, 1]]);
    const o = fromRows([[0.5, 0.5], [0, 0]]);
    expect(meanSquaredError(t, o)).toBe((0.25 + 0.25 + 0 + 1) / 4);
    expect(meanSquaredError(t, t)).toBe(0);
  });

  it('accumulates in f64', () => {
    // 2^24 + 1 squared errors of 1 would stall at 2^24 in an f32 sum.
    const n = (1 << 24) + 1;
    expect(meanSquaredError(matrix(n, 1), matrix(n, 1, new Float32Array(n).fill(1)))).toBe(1);
    const small = matrix(1, 3, [1e-3, 2e-3, 3e-3]);
    const d = [1e-3, 2e-3, 3e-3].map((v) => Math.fround(v));
    expect(meanSquaredError(small, matrix(1, 3))).toBe((d[0] ** 2 + d[1] ** 2 + d[2] ** 2) / 3);
  });

  it('requires equal shapes', () => {
    expect(errorOf(() => meanSquaredError(matrix(2, 3), matrix(3, 2)))).toBe('meanSquaredError: target is 2×3 but output is 3×2');
    expect(errorOf(() => meanSquaredError(matrix(0, 3), matrix(0, 3)))).toMatch(/empty/);
  });
});
