import { BackpropError, check } from './errors.js';

/** A row-major f32 matrix. */
export type Matrix = { rows: number; cols: number; data: Float32Array };

export function matrix(rows: number, cols: number, data?: Float32Array | ArrayLike<number>): Matrix {
  check(Number.isInteger(rows) && rows >= 0 && Number.isInteger(cols) && cols >= 0,
    `matrix: rows and cols must be non-negative integers, got ${rows}×${cols}`);
  if (data === undefined) return { rows, cols, data: new Float32Array(rows * cols) };
  check(data.length === rows * cols, `matrix: data has ${data.length} values, a ${rows}×${cols} matrix needs ${rows * cols}`);
  return { rows, cols, data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

export function fromRows(rows: number[][]): Matrix {
  check(Array.isArray(rows), 'fromRows: expected an array of rows');
  const cols = rows.length ? rows[0].length : 0;
  const m = matrix(rows.length, cols);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== cols)
      throw new BackpropError(`fromRows: row ${i + 1} has ${Array.isArray(r) ? r.length : 'no'} values, row 1 has ${cols}`);
    for (let j = 0; j < cols; j++) m.data[i * cols + j] = r[j];
  });
  return m;
}

/** Rows `idx` of `x`, as a new matrix. */
export function takeRows(x: Matrix, idx: ArrayLike<number>): Matrix {
  const out = matrix(idx.length, x.cols);
  for (let i = 0; i < idx.length; i++)
    out.data.set(x.data.subarray(idx[i] * x.cols, (idx[i] + 1) * x.cols), i * x.cols);
  return out;
}

export function isMatrix(x: unknown): x is Matrix {
  const m = x as Matrix;
  return !!m && typeof m === 'object' && m.data instanceof Float32Array &&
    Number.isInteger(m.rows) && Number.isInteger(m.cols) && m.data.length === m.rows * m.cols;
}
