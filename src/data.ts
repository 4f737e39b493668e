import { BackpropError, check } from './errors.js';
import { isMatrix, matrix, takeRows, type Matrix } from './matrix.js';
import { Rng } from './random.js';
import { irisTable, IRIS_CLASS_NAMES, IRIS_FEATURE_NAMES } from './iris.js';

export interface Dataset { x: Matrix; y: Int32Array; featureNames: string[]; classNames: string[] }

/** The 150-row Iris table (scikit-learn's load_iris()), a fresh copy each call. */
export function loadIris(): Dataset {
  const t = irisTable();
  return {
    x: matrix(t.y.length, IRIS_FEATURE_NAMES.length, t.x.slice()),
    y: t.y.slice(),
    featureNames: [...IRIS_FEATURE_NAMES],
    classNames: [...IRIS_CLASS_NAMES],
  };
}

// ---------------------------------------------------------------- CSV

export interface ParseCsvOptions {
  /** Column name (needs a header) or 0-based index; negative counts from the end (-1 = last). */
  target: string | number;
  /** Whether the first non-blank line names the columns (default true). */
  header?: boolean;
  /** Name used in error locations (default 'csv'). */
  file?: string;
}

// A plain decimal literal. Number() alone would also take '', ' ', '0x1f', '1_0'…
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
export const isDecimal = (s: string): boolean => NUMBER.test(s);

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** The value of s[from, to) if it is a plain decimal such as "-12.5" with at
 *  most 15 digits, else NaN. Most cells are like that, and reading them in
 *  place skips a string, a regex and Number() per cell (twice as fast on an
 *  MNIST-sized file). m and 10^d are exact, so m / 10^d is one correctly
 *  rounded division: the same double Number() gives. */
function quickNumber(s: string, from: number, to: number): number {
  if (from >= to) return NaN;
  let i = from, neg = false;
  const c0 = s.charCodeAt(i);
  if (c0 === 45 || c0 === 43) { neg = c0 === 45; i++; }
  let m = 0, digits = 0, point = -1;
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) { m = m * 10 + (c - 48); digits++; }
    else if (c === 46 && point < 0) point = digits;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const v = point < 0 ? m : m / POW10[digits - point];
  return neg ? -v : v;
}

/** One record, reused from row to row: field j is text[start[j], end[j]),
 *  or quoted[j] (its unescaped value) when it was quoted; it begins on line
 *  lines[j]. Fields stay ranges so that numbers can be read in place. */
class CsvRecord {
  line = 1;
  count = 0;
  quotedAny = false;
  readonly start: number[] = [];
  readonly end: number[] = [];
  readonly lines: number[] = [];
  readonly quoted: (string | undefined)[] = [];
  constructor(readonly text: string) {}
  field(j: number): string { return this.quoted[j] ?? this.text.slice(this.start[j], this.end[j]); }
}

/** Calls `onRecord` for each non-blank record of RFC-4180-style CSV. Linear in
 *  the input (every loop advances), so no input can make it hang. */
function readCsv(text: string, file: string, onRecord: (r: CsvRecord) => void): void {
  const n = text.length;
  const rec = new CsvRecord(text);
  let i = 0, line = 1;

  // Line breaks are LF, CRLF or a lone CR; this counts those in text[from, to).
  const countBreaks = (from: number, to: number): number => {
    let k = 0;
    for (let p = from; p < to; p++) {
      const c = text.charCodeAt(p);
      if (c === 10 || (c === 13 && text.charCodeAt(p + 1) !== 10)) k++;
    }
    return k;
  };
  const isBlank = (c: number): boolean => c === 32 || c === 9;

  while (i < n) {
    rec.line = line;
    rec.count = 0;
    rec.quotedAny = false;
    for (;;) {
      const j = rec.count++;
      rec.lines[j] = line;
      let p = i;
      while (p < n && isBlank(text.charCodeAt(p))) p++;
      if (p < n && text.charCodeAt(p) === 34) {
        // Quoted field: runs to the next lone quote; "" is an escaped quote.
        const start = p + 1;
        let k = start;
        for (;;) {
          const q = text.indexOf('"', k);
          if (q < 0) throw new BackpropError(`${file}:${line}:${j + 1}: unterminated quoted field`);
          if (text.charCodeAt(q + 1) === 34) { k = q + 2; continue; }
          k = q;
          break;
        }
        rec.quotedAny = true;
        rec.quoted[j] = text.slice(start, k).replace(/""/g, '"');
        rec.start[j] = rec.end[j] = start;
        line += countBreaks(start, k);
        i = k + 1;
        while (i < n && isBlank(text.charCodeAt(i))) i++;
        const c = text.charCodeAt(i);
        if (i < n && c !== 44 && c !== 10 && c !== 13)
          throw new BackpropError(`${file}:${line}:${j + 1}: unexpected text after closing quote`);
      } else {
        let k = i;
        for (; k < n; k++) {
          const c = text.charCodeAt(k);
          if (c === 44 || c === 10 || c === 13) break;
        }
        rec.quoted[j] = undefined;
        rec.start[j] = i;
        rec.end[j] = k;
        i = k;
      }
      if (i < n && text.charCodeAt(i) === 44) { i++; continue; }
      if (i < n) { // a line break ends the record
        i += text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
        line++;
      }
      break;
    }
    const blank = !rec.quotedAny && rec.count === 1 && rec.field(0).trim() === '';
    if (!blank) onRecord(rec);
  }
}

/** Field j as an f32 value, or a non-finite value when it is not a plain finite decimal. */
function cellNumber(rec: CsvRecord, j: number): number {
  let v = rec.quoted[j] === undefined ? quickNumber(rec.text, rec.start[j], rec.end[j]) : NaN;
  if (v !== v) { const s = rec.field(j).trim(); v = NUMBER.test(s) ? Number(s) : NaN; }
  return Math.fround(v);
}

// Kept out of the per-cell loop, which runs millions of times on big files.
function badNumber(rec: CsvRecord, j: number, file: string, column: string): never {
  const s = rec.field(j).trim();
  const at = `${file}:${rec.lines[j]}:${j + 1}`;
  const col = `column '${column}'`;
  if (s === '') throw new BackpropError(`${at}: empty value in ${col}`);
  if (/^[+-]?(nan|inf|infinity)$/i.test(s)) throw new BackpropError(`${at}: value ${show(s)} in ${col} is not a finite number`);
  if (NUMBER.test(s)) throw new BackpropError(`${at}: value ${show(s)} in ${col} is too large for float32`);
  throw new BackpropError(`${at}: non-numeric value ${show(s)} in ${col}`);
}

/** The named columns of a CSV with a header, as a Matrix in the order asked
 *  (what a saved model needs to predict); other columns are not read.
 *  `columns` null takes every column in file order. */
export function readCsvColumns(text: string, columns: string[] | null, file = 'csv'): Matrix {
  check(typeof text === 'string', 'readCsvColumns: text must be a string');
  let header: string[] | null = null, picks: number[] = [], rows = 0;
  const values: number[] = [];
  readCsv(text, file, (rec) => {
    if (!header) {
      header = Array.from({ length: rec.count }, (_, j) => rec.field(j).trim());
      const index = new Map<string, number>();
      header.forEach((name, j) => {
        const prev = index.get(name);
        if (prev !== undefined) throw new BackpropError(`${file}:${rec.lines[j]}:${j + 1}: duplicate column name '${name}' (also column ${prev + 1})`);
        index.set(name, j);
      });
      picks = (columns ?? header).map((name) => {
        const j = index.get(name);
        if (j === undefined) throw new BackpropError(`${file}:${rec.line}: missing column '${name}'`);
        return j;
      });
      return;
    }
    if (rec.count !== header.length)
      throw new BackpropError(`${file}:${rec.line}: row has ${rec.count} fields, header has ${header.length}`);
    for (const j of picks) {
      const v = cellNumber(rec, j);
      if (!Number.isFinite(v)) badNumber(rec, j, file, header[j]);
      values.push(v);
    }
    rows++;
  });
  if (!header) throw new BackpropError(`${file}:1: empty input`);
  if (rows === 0) throw new BackpropError(`${file}: no data rows after the header`);
  return matrix(rows, picks.length, values);
}

/** Quotes a cell for an error message, cut short so the message stays one readable line. */
function show(s: string): string {
  return JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s);
}

/**
 * Parses CSV text into a Dataset: every column but the target is a numeric
 * feature; the target holds class names or numbers, mapped to indices in
 * sorted order (numeric order if all are numbers, else string order).
 * Names, values and class labels are trimmed. A string target that is not a
 * header name but looks like an integer is taken as an index (so a CLI can
 * pass `--target 0` through). Errors are BackpropErrors located FILE:LINE:COLUMN.
 */
export function parseCsv(text: string, opts: ParseCsvOptions): Dataset {
  check(typeof text === 'string', 'parseCsv: text must be a string');
  check(opts !== null && typeof opts === 'object', 'parseCsv: options { target } are required');
  const file = opts.file === undefined ? 'csv' : String(opts.file);
  const header = opts.header === undefined ? true : opts.header;
  check(typeof header === 'boolean', `parseCsv: header must be a boolean, got ${String(header)}`);
  const target = opts.target;
  check(typeof target === 'string' || (typeof target === 'number' && Number.isInteger(target)),
    `parseCsv: target must be a column name or an integer index, got ${String(target)}`);

  let ncols = -1, nf = 0, firstLine = 1, t = -1; // nf = features per row
  let names: string[] = [];
  let featureNames: string[] = [];
  let x = new Float32Array(1024);
  let rows = 0;
  const labels: string[] = [];

  // Resolves the target column once the column count (and names) are known.
  const setColumns = (rec: CsvRecord): void => {
    ncols = rec.count;
    nf = ncols - 1;
    firstLine = rec.line;
    const where = `${file}:${firstLine}`;
    if (header) {
      const seen = new Map<string, number>();
      for (let j = 0; j < ncols; j++) {
        const name = rec.field(j).trim();
        const prev = seen.get(name);
        if (prev !== undefined)
          throw new BackpropError(`${file}:${rec.lines[j]}:${j + 1}: duplicate column name '${name}' (also column ${prev + 1})`);
        seen.set(name, j);
        names.push(name);
      }
    }
    if (typeof target === 'string') {
      const byName = header ? names.indexOf(target.trim()) : -1;
      if (byName >= 0) t = byName;
      else if (/^\s*-?\d+\s*$/.test(target)) t = resolveIndex(Number(target), where);
      else if (header) throw new BackpropError(`${where}: target column '${target}' is not in the header`);
      else throw new BackpropError(`${file}: target '${target}' is a column name, but the file has no header`);
    } else {
      t = resolveIndex(target, where);
    }
    if (ncols < 2) throw new BackpropError(`${where}: need at least one feature column besides the target`);
    if (!header) for (let j = 1; j < ncols; j++) names.push(`x${j}`);
    featureNames = header ? names.filter((_, j) => j !== t) : names.slice();
  };
  const resolveIndex = (idx: number, where: string): number => {
    const j = idx < 0 ? ncols + idx : idx;
    if (!Number.isSafeInteger(j) || j < 0 || j >= ncols)
      throw new BackpropError(`${where}: target column index ${idx} is out of range (${ncols} columns)`);
    return j;
  };

  const badCell = (rec: CsvRecord, j: number): never => {
    if (j === t) throw new BackpropError(`${file}:${rec.lines[j]}:${j + 1}: empty target value${header ? ` in column '${names[t]}'` : ''}`);
    return badNumber(rec, j, file, featureNames[j < t ? j : j - 1]);
  };

  readCsv(text, file, (rec) => {
    if (ncols < 0) {
      setColumns(rec);
      if (header) return;
    }
    if (rec.count !== ncols)
      throw new BackpropError(`${file}:${rec.line}: row has ${rec.count} fields, ${header ? 'header' : 'first row'} has ${ncols}`);
    if ((rows + 1) * nf > x.length) {
      const bigger = new Float32Array(Math.max(2 * x.length, (rows + 1) * nf));
      bigger.set(x);
      x = bigger;
    }
    let o = rows * nf;
    for (let j = 0; j < ncols; j++) {
      if (j === t) {
        const s = rec.field(j).trim();
        if (s === '') badCell(rec, j);
        labels.push(s);
        continue;
      }
      const v = cellNumber(rec, j);
      if (!Number.isFinite(v)) badCell(rec, j);
      x[o++] = v;
    }
    rows++;
  });

  if (ncols < 0) throw new BackpropError(`${file}:1: empty input`);
  if (rows === 0) throw new BackpropError(`${file}:${firstLine}: no data rows after the header`);

  const { classNames, y } = encodeLabels(labels);
  return { x: matrix(rows, nf, x.slice(0, rows * nf)), y, featureNames, classNames };
}

/** Distinct labels, sorted (numerically if every label is a number), and each row's index among them. */
function encodeLabels(labels: string[]): { classNames: string[]; y: Int32Array } {
  const numeric = labels.every((s) => NUMBER.test(s) && Number.isFinite(Number(s)));
  // Numeric labels are keyed by value, so '1' and '1.0' are one class, named '1'.
  const keys = numeric ? labels.map((s) => String(Number(s))) : labels;
  const distinct = [...new Set(keys)];
  if (numeric) distinct.sort((a, b) => Number(a) - Number(b));
  else distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(distinct.map((c, i) => [c, i]));
  const y = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) y[i] = index.get(keys[i])!;
  return { classNames: distinct, y };
}

// ---------------------------------------------------------------- split

export interface SplitOptions {
  /** Fraction in (0,1) (nTest = ceil(testSize·n), as scikit-learn) or an integer count ≥ 1. Default 0.25. */
  testSize?: number;
  seed?: number;
  stratify?: boolean;
  shuffle?: boolean;
}

export interface Split<Y> { xTrain: Matrix; xTest: Matrix; yTrain: Y; yTest: Y }

/**
 * Splits rows into train and test sets. The exact procedure (part of the
 * reproducibility promise, so do not change it lightly), with rng = new Rng(seed):
 *
 * - shuffle (default): p = rng.shuffle([0, 1, …, n−1]); test = p[0, nTest),
 *   train = p[nTest, n), in that order.
 * - shuffle: false: train = rows [0, nTrain), test = the last nTest rows.
 * - stratify: p = rng.shuffle([0, …, n−1]) as above. Class c (labels in
 *   ascending order) with n_c rows gets floor(nTest·n_c/n) test rows, and the
 *   leftover test rows go one each to the classes with the largest remainder
 *   (nTest·n_c mod n), ties to the smaller label. Walking p, each class's first
 *   t_c rows go to test, the rest to train (lists built class by class), then
 *   rng.shuffle(test) and rng.shuffle(train), in that order, mix the classes.
 */
export function trainTestSplit<Y extends Int32Array | Matrix>(x: Matrix, y: Y, opts: SplitOptions = {}): Split<Y> {
  check(isMatrix(x), 'trainTestSplit: x must be a Matrix');
  const yIsMatrix = isMatrix(y);
  check(yIsMatrix || y instanceof Int32Array, 'trainTestSplit: y must be an Int32Array of class indices or a Matrix');
  const n = x.rows;
  const ny = yIsMatrix ? (y as Matrix).rows : (y as Int32Array).length;
  check(ny === n, `trainTestSplit: x has ${n} rows but y has ${ny}`);
  const { testSize = 0.25, seed = 0, stratify = false, shuffle = true } = opts;
  check(typeof testSize === 'number' && ((testSize > 0 && testSize < 1) || (Number.isInteger(testSize) && testSize >= 1)),
    `trainTestSplit: testSize must be a fraction in (0,1) or an integer count ≥ 1, got ${testSize}`);
  check(Number.isInteger(seed), `trainTestSplit: seed must be an integer, got ${seed}`);
  const nTest = testSize < 1 ? Math.ceil(testSize * n) : testSize;
  const nTrain = n - nTest;
  check(nTest >= 1 && nTrain >= 1,
    `trainTestSplit: ${n} rows with testSize ${testSize} leaves ${nTrain} for training and ${nTest} for testing; both need at least 1`);

  let train: Int32Array, test: Int32Array;
  if (stratify) {
    check(shuffle, 'trainTestSplit: stratify needs shuffle (shuffle: false cannot keep class proportions)');
    check(!yIsMatrix, 'trainTestSplit: stratify needs y as an Int32Array of class indices');
    [train, test] = stratifiedSplit(y as Int32Array, nTest, new Rng(seed));
  } else if (shuffle) {
    const p = new Rng(seed).shuffle(iota(n));
    test = p.slice(0, nTest);
    train = p.slice(nTest);
  } else {
    train = iota(nTrain);
    test = iota(nTest).map((i) => i + nTrain);
  }

  const pick = (idx: Int32Array): Y => (yIsMatrix ? takeRows(y as Matrix, idx) : gather(y as Int32Array, idx)) as Y;
  return { xTrain: takeRows(x, train), xTest: takeRows(x, test), yTrain: pick(train), yTest: pick(test) };
}

function iota(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function gather(y: Int32Array, idx: Int32Array): Int32Array {
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = y[idx[i]];
  return out;
}

function stratifiedSplit(y: Int32Array, nTest: number, rng: Rng): [Int32Array, Int32Array] {
  const n = y.length;
  const p = rng.shuffle(iota(n));
  // Each class's rows in shuffled order.
  const members = new Map<number, number[]>();
  for (const i of p) {
    const list = members.get(y[i]);
    if (list) list.push(i); else members.set(y[i], [i]);
  }
  const classes = [...members.keys()].sort((a, b) => a - b);

  // Largest-remainder allocation, in integers so that no rounding decides a tie.
  const size = (c: number): number => members.get(c)!.length;
  const quota = new Map<number, number>();
  let given = 0;
  for (const c of classes) {
    const q = Math.floor((nTest * size(c)) / n);
    quota.set(c, q);
    given += q;
  }
  const byRemainder = classes.slice().sort((a, b) => ((nTest * size(b)) % n) - ((nTest * size(a)) % n) || a - b);
  for (let i = 0; given < nTest; i++, given++) quota.set(byRemainder[i], quota.get(byRemainder[i])! + 1);

  const test: number[] = [], train: number[] = [];
  for (const c of classes) {
    const list = members.get(c)!, q = quota.get(c)!;
    for (let k = 0; k < list.length; k++) (k < q ? test : train).push(list[k]);
  }
  const testIdx = rng.shuffle(Int32Array.from(test));
  const trainIdx = rng.shuffle(Int32Array.from(train));
  return [trainIdx, testIdx];
}

// ---------------------------------------------------------------- scaling

export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
  transform(x: Matrix): Matrix;
  toJSON(): { mean: number[]; std: number[] };
}

/** Per-column mean and population std (÷n), in f64; a constant column gets std 0. */
export function fitStandardizer(x: Matrix): Standardizer {
  check(isMatrix(x), 'fitStandardizer: x must be a Matrix');
  check(x.rows >= 1, 'fitStandardizer: x has no rows');
  checkFinite(x, 'fitStandardizer: x');
  const { rows, cols, data } = x;
  const mean = new Float64Array(cols), std = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let sum = 0, min = Infinity, max = -Infinity;
    for (let i = 0; i < rows; i++) {
      const v = data[i * cols + j];
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // Exactly constant: don't let f64 rounding of the mean invent a tiny std.
    if (min === max) { mean[j] = min; std[j] = 0; continue; }
    const m = sum / rows;
    let ss = 0;
    for (let i = 0; i < rows; i++) { const d = data[i * cols + j] - m; ss += d * d; }
    mean[j] = m;
    std[j] = Math.sqrt(ss / rows);
  }
  return standardizer(mean, std);
}

/** Rebuilds a Standardizer from its mean and std (e.g. from a model file). */
export function standardizer(mean: ArrayLike<number>, std: ArrayLike<number>): Standardizer {
  check(mean != null && std != null && typeof mean.length === 'number' && typeof std.length === 'number',
    'standardizer: mean and std must be arrays of numbers');
  check(mean.length === std.length, `standardizer: mean has ${mean.length} values but std has ${std.length}`);
  for (let j = 0; j < mean.length; j++) {
    check(typeof mean[j] === 'number' && Number.isFinite(mean[j]), () => `standardizer: mean[${j}] is ${String(mean[j])}, not a finite number`);
    check(typeof std[j] === 'number' && Number.isFinite(std[j]) && std[j] >= 0,
      () => `standardizer: std[${j}] is ${String(std[j])}, not a finite number ≥ 0`);
  }
  // Transform uses the stored f32 values, so a rebuilt standardizer gives the same bits.
  const m = Float32Array.from(mean), s = Float32Array.from(std);
  check(m.every(Number.isFinite) && s.every(Number.isFinite), 'standardizer: mean or std overflows float32');
  const cols = m.length;
  return {
    mean: m,
    std: s,
    transform(x: Matrix): Matrix {
      check(isMatrix(x), 'standardizer.transform: x must be a Matrix');
      check(x.cols === cols, `standardizer.transform: x has ${x.cols} columns, the standardizer was fitted on ${cols}`);
      const out = matrix(x.rows, cols);
      for (let i = 0, o = 0; i < x.rows; i++)
        for (let j = 0; j < cols; j++, o++) out.data[o] = s[j] === 0 ? 0 : (x.data[o] - m[j]) / s[j];
      return out;
    },
    toJSON: () => ({ mean: Array.from(m), std: Array.from(s) }),
  };
}

// ---------------------------------------------------------------- labels

/** Class indices → one row per sample with a 1 in its class's column. */
export function oneHot(y: Int32Array | ArrayLike<number>, numClasses: number): Matrix {
  check(y != null && typeof y.length === 'number', 'oneHot: y must be an array of class indices');
  check(Number.isInteger(numClasses) && numClasses >= 1, `oneHot: numClasses must be an integer ≥ 1, got ${numClasses}`);
  const out = matrix(y.length, numClasses);
  for (let i = 0; i < y.length; i++) {
    const c = y[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClasses)
      throw new BackpropError(`oneHot: label at index ${i} is ${String(c)}, expected an integer in [0, ${numClasses})`);
    out.data[i * numClasses + c] = 1;
  }
  return out;
}

/** Whether every value of a is finite. x·0 is ±0 for a finite x and NaN for ±Infinity or NaN, and
 *  four sums keep the adds from waiting on each other: 2.4× Number.isFinite value by value (fit
 *  checks its whole input, 3.2M values for 4,096 MNIST digits, on every call). */
export function allFinite(a: Float32Array): boolean {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = a.length, whole = n & ~3;
  let i = 0;
  for (; i < whole; i += 4) { s0 += a[i] * 0; s1 += a[i + 1] * 0; s2 += a[i + 2] * 0; s3 += a[i + 3] * 0; }
  for (; i < n; i++) s0 += a[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}

/** Throws naming the first non-finite entry (1-based row — or `row`, such as `step` — and column),
 *  e.g. `x: row 3, column 2 is NaN`. */
export function checkFinite(x: Matrix, what: string, row = 'row'): void {
  if (allFinite(x.data)) return;
  const { data, cols } = x;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]))
      throw new BackpropError(`${what}: ${row} ${Math.floor(i / cols) + 1}, column ${(i % cols) + 1} is ${data[i]}`);
  }
}
