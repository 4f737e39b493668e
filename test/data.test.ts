import { describe, it, expect } from 'vitest';
import {
  allFinite,
  readCsvColumns,
  loadIris, parseCsv, trainTestSplit, fitStandardizer, standardizer, oneHot, checkFinite,
} from '../src/data.js';
import { BackpropError } from '../src/errors.js';
import { errorOf } from './helpers.js';
import { fromRows, matrix, type Matrix } from '../src/matrix.js';
import { Rng } from '../src/random.js';


const colSums = (x: Matrix): number[] => {
  const s = new Array(x.cols).fill(0);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) s[j] += Math.round(x.data[i * x.cols + j] * 10);
  return s.map((v) => v / 10);
};
const rowsOf = (x: Matrix): number[][] =>
  Array.from({ length: x.rows }, (_, i) => Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols)));

describe('loadIris', () => {
  it('is scikit-learn\'s table: 150×4, 50 per class in order, known column sums', () => {
    const d = loadIris();
    expect(d.x.rows).toBe(150);
    expect(d.x.cols).toBe(4);
    expect(d.featureNames).toEqual(['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
    expect(d.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(d.y)).toEqual([...Array(50).fill(0), ...Array(50).fill(1), ...Array(50).fill(2)]);
    expect(colSums(d.x)).toEqual([876.5, 458.6, 563.7, 179.9]);
  });

  it('has sklearn\'s corrected rows 35 and 38 and exact f32 values', () => {
    const r = rowsOf(loadIris().x);
    expect(r[0]).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    expect(r[34]).toEqual([4.9, 3.1, 1.5, 0.2].map(Math.fround)); // UCI has petal width 0.1
    expect(r[37]).toEqual([4.9, 3.6, 1.4, 0.1].map(Math.fround)); // UCI has 3.1, 1.5
    expect(r[149]).toEqual([5.9, 3.0, 5.1, 1.8].map(Math.fround));
  });

  it('returns a fresh copy each call', () => {
    const a = loadIris();
    a.x.data[0] = 99; a.y[0] = 2; a.featureNames[0] = 'changed'; a.classNames.pop();
    const b = loadIris();
    expect(b.x.data[0]).toBe(Math.fround(5.1));
    expect(b.y[0]).toBe(0);
    expect(b.featureNames[0]).toBe('sepal length (cm)');
    expect(b.classNames).toHaveLength(3);
  });
});

describe('parseCsv', () => {
  it('parses a header, class names sorted, target last by default index', () => {
    const d = parseCsv('a,b,label\n1,2,dog\n3,4,cat\n5,6,dog\n', { target: -1 });
    expect(d.featureNames).toEqual(['a', 'b']);
    expect(d.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(d.y)).toEqual([1, 0, 1]);
    expect(rowsOf(d.x)).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  it('selects the target by name, index and negative index', () => {
    const text = 'a,t,b\n1,x,2\n3,y,4\n';
    for (const target of ['t', 1, -2] as const) {
      const d = parseCsv(text, { target });
      expect(d.featureNames).toEqual(['a', 'b']);
      expect(rowsOf(d.x)).toEqual([[1, 2], [3, 4]]);
      expect(d.classNames).toEqual(['x', 'y']);
    }
    expect(parseCsv('a,t,b\n1,2,3\n', { target: 0 }).featureNames).toEqual(['t', 'b']);
    expect(errorOf(() => parseCsv(text, { target: 0 }))).toBe('csv:2:2: non-numeric value "x" in column \'t\'');
  });

  it('takes an integer-looking string as an index when it is not a column name', () => {
    expect(parseCsv('a,b\n1,2\n', { target: '0' }).featureNames).toEqual(['b']);
    expect(parseCsv('1,0\n5,6\n', { target: '1' }).featureNames).toEqual(['0']); // a name wins
  });

  it('handles quoted fields with commas, "" escapes and line breaks', () => {
    const text = '"x, first","say ""hi""",name\n1,2,"a, b"\n3,4,"multi\nline"\n5,6,"a, b"\n';
    const d = parseCsv(text, { target: 'name' });
    expect(d.featureNames).toEqual(['x, first', 'say "hi"']);
    expect(d.classNames).toEqual(['a, b', 'multi\nline']);
    expect(Array.from(d.y)).toEqual([0, 1, 0]);
    expect(rowsOf(d.x)).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  it('accepts CRLF, no trailing newline, blank lines and spaces around numbers', () => {
    const d = parseCsv('a,b,c\r\n\r\n 1 , 2.5 ,p\r\n\r\n-3,+4e1,q', { target: 'c' });
    expect(rowsOf(d.x)).toEqual([[1, 2.5], [-3, 40]]);
    expect(d.classNames).toEqual(['p', 'q']);
  });

  it('ignores a byte-order mark', () => {
    expect(parseCsv('\uFEFFa,b\n1,2\n', { target: 'b' }).featureNames).toEqual(['a']);
    expect(Array.from(parseCsv('\uFEFF1,2\n', { target: 1, header: false }).x.data)).toEqual([1]);
  });

  it('names columns x1, x2, … without a header', () => {
    const d = parseCsv('1,2,0\n3,4,1\n5,6,1\n', { target: -1, header: false });
    expect(d.featureNames).toEqual(['x1', 'x2']);
    expect(d.x.rows).toBe(3);
    expect(Array.from(d.y)).toEqual([0, 1, 1]);
    const first = parseCsv('7,1,2\n8,3,4\n', { target: 0, header: false });
    expect(first.featureNames).toEqual(['x1', 'x2']);
    expect(first.classNames).toEqual(['7', '8']);
  });

  it('sorts numeric classes numerically and merges equal numbers', () => {
    const d = parseCsv('f,t\n1,10\n2,9\n3,-1\n4,9.0\n5,2\n', { target: 't' });
    expect(d.classNames).toEqual(['-1', '2', '9', '10']);
    expect(Array.from(d.y)).toEqual([3, 2, 0, 2, 1]);
    // Mixed names and numbers sort as strings.
    expect(parseCsv('f,t\n1,10\n2,9\n3,b\n', { target: 't' }).classNames).toEqual(['10', '9', 'b']);
  });

  it('reads every number exactly as Math.fround(Number(s))', () => {
    const rng = new Rng(11);
    const cells = ['0.1', '-0', '+3', '5.', '.5', '007', '123456789012345', '1234567890123456',
      '0.30000000000000004', '1e3', '-2.5E-3', ' 2 ', '3.4028235e38', '1e-46', '16777217', '0.000001'];
    for (let i = 0; i < 300; i++) {
      const digits = String(rng.next()) + String(rng.next());
      const cut = rng.below(digits.length + 1);
      cells.push((rng.below(2) ? '-' : '') + digits.slice(0, rng.below(18) + 1).slice(0, cut) + '.' + digits.slice(cut, cut + rng.below(10)));
    }
    const usable = cells.filter((c) => /\d/.test(c));
    const d = parseCsv(usable.map((c) => `${c},a`).join('\n'), { target: -1, header: false });
    usable.forEach((c, i) => expect(Object.is(d.x.data[i], Math.fround(Number(c))), c).toBe(true));
    expect(Object.is(d.x.data[1], -0)).toBe(true);
  });

  it('reads an Iris-shaped file back exactly', () => {
    const iris = loadIris();
    const lines = ['sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),species'];
    for (let i = 0; i < 150; i++)
      lines.push([...rowsOf(iris.x)[i].map((v) => v.toPrecision(2)), iris.classNames[iris.y[i]]].join(','));
    const d = parseCsv(lines.join('\n'), { target: 'species' });
    expect(d.x.data).toEqual(iris.x.data);
    expect(d.y).toEqual(iris.y);
    expect(d.classNames).toEqual(iris.classNames);
    expect(d.featureNames).toEqual(iris.featureNames);
  });

  describe('errors', () => {
    const head = 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),species\n';
    const row = '5.1,3.5,1.4,0.2,setosa\n';
    const file = 'iris.csv';

    it('empty input', () => {
      expect(errorOf(() => parseCsv('', { target: -1, file }))).toBe('iris.csv:1: empty input');
      expect(errorOf(() => parseCsv('\n  \r\n\n', { target: -1, file }))).toBe('iris.csv:1: empty input');
    });

    it('ragged rows', () => {
      const text = head + row + row + '\n1,2,3\n';
      expect(errorOf(() => parseCsv(text, { target: -1, file }))).toBe('iris.csv:5: row has 3 fields, header has 5');
      expect(errorOf(() => parseCsv('1,2\n1,2,3\n', { target: -1, header: false })))
        .toBe('csv:2: row has 3 fields, first row has 2');
    });

    it('non-numeric, NaN, Infinity and out-of-f32 feature values', () => {
      const bad = (v: string) => head + row.repeat(5) + `5.1,3.5,${v},0.2,setosa\n`;
      expect(errorOf(() => parseCsv(bad('abc'), { target: -1, file })))
        .toBe('iris.csv:7:3: non-numeric value "abc" in column \'petal length (cm)\'');
      expect(errorOf(() => parseCsv(bad('NaN'), { target: -1, file })))
        .toBe('iris.csv:7:3: value "NaN" in column \'petal length (cm)\' is not a finite number');
      expect(errorOf(() => parseCsv(bad('-Infinity'), { target: -1, file })))
        .toBe('iris.csv:7:3: value "-Infinity" in column \'petal length (cm)\' is not a finite number');
      expect(errorOf(() => parseCsv(bad('1e39'), { target: -1, file })))
        .toBe('iris.csv:7:3: value "1e39" in column \'petal length (cm)\' is too large for float32');
      expect(errorOf(() => parseCsv(bad('0x10'), { target: -1, file }))).toMatch(/^iris\.csv:7:3: non-numeric value "0x10"/);
      expect(errorOf(() => parseCsv(bad(''), { target: -1, file })))
        .toBe('iris.csv:7:3: empty value in column \'petal length (cm)\'');
    });

    it('counts lines inside quoted fields', () => {
      expect(errorOf(() => parseCsv('"a\nb",c\n\n1,x\nz,y\n', { target: 'c' })))
        .toBe('csv:5:1: non-numeric value "z" in column \'a\nb\''.replace('\n', ' '));
    });

    it('missing target column', () => {
      expect(errorOf(() => parseCsv(head + row, { target: 'class', file })))
        .toBe('iris.csv:1: target column \'class\' is not in the header');
      expect(errorOf(() => parseCsv(head + row, { target: 5, file })))
        .toBe('iris.csv:1: target column index 5 is out of range (5 columns)');
      expect(errorOf(() => parseCsv(head + row, { target: -6, file })))
        .toBe('iris.csv:1: target column index -6 is out of range (5 columns)');
      expect(errorOf(() => parseCsv('1,2\n', { target: 'species', header: false, file })))
        .toBe('iris.csv: target \'species\' is a column name, but the file has no header');
      expect(errorOf(() => parseCsv(head + row, { target: 1.5, file }))).toMatch(/target must be/);
    });

    it('unterminated quote and text after a closing quote', () => {
      expect(errorOf(() => parseCsv('a,b\n1,"oops\n2,3\n', { target: -1, file })))
        .toBe('iris.csv:2:2: unterminated quoted field');
      expect(errorOf(() => parseCsv('a,b\n1,"x"y\n', { target: -1, file })))
        .toBe('iris.csv:2:2: unexpected text after closing quote');
    });

    it('empty target values', () => {
      expect(errorOf(() => parseCsv(head + row + '5.1,3.5,1.4,0.2,\n', { target: 'species', file })))
        .toBe('iris.csv:3:5: empty target value in column \'species\'');
      expect(errorOf(() => parseCsv('1, \n', { target: 1, header: false, file })))
        .toBe('iris.csv:1:2: empty target value');
    });

    it('no data rows', () => {
      expect(errorOf(() => parseCsv(head, { target: -1, file }))).toBe('iris.csv:1: no data rows after the header');
      expect(errorOf(() => parseCsv('\n' + head + '\n\n', { target: -1, file })))
        .toBe('iris.csv:2: no data rows after the header');
    });

    it('duplicate header names', () => {
      expect(errorOf(() => parseCsv('a,b,a,c\n1,2,3,4\n', { target: -1, file })))
        .toBe('iris.csv:1:3: duplicate column name \'a\' (also column 1)');
    });

    it('no feature column', () => {
      expect(errorOf(() => parseCsv('t\nx\n', { target: 0, file })))
        .toBe('iris.csv:1: need at least one feature column besides the target');
    });

    it('throws only BackpropError, and returns, on random inputs', () => {
      const rng = new Rng(1);
      const alphabet = ['a', '1', '2', '.', '-', 'e', ',', ',', '"', '\n', '\r', ' ', 'N', '\r\n'];
      for (let n = 0; n < 3000; n++) {
        let s = '';
        const len = rng.below(40);
        for (let i = 0; i < len; i++) s += alphabet[rng.below(alphabet.length)];
        for (const opts of [{ target: -1 }, { target: 0, header: false }, { target: 'a' }]) {
          try {
            const d = parseCsv(s, opts);
            expect(d.x.rows).toBe(d.y.length);
            expect(d.x.rows).toBeGreaterThan(0);
          } catch (e) {
            if (!(e instanceof BackpropError)) throw new Error(`${JSON.stringify(s)}: ${String(e)}`);
            expect(e.message).not.toMatch(/\n/);
          }
        }
      }
    });
  });
});

describe('trainTestSplit', () => {
  const n = 20;
  const x = matrix(n, 2, Array.from({ length: 2 * n }, (_, i) => Math.floor(i / 2))); // row i = [i, i]
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  const ids = (m: Matrix) => rowsOf(m).map((r) => r[0]);

  it('sizes: ceil(testSize·n) for fractions, integer counts as is', () => {
    expect(trainTestSplit(x, y).xTest.rows).toBe(5);
    expect(trainTestSplit(x, y, { testSize: 0.31 }).xTest.rows).toBe(7); // ceil(6.2), not round
    expect(trainTestSplit(x, y, { testSize: 3 }).xTest.rows).toBe(3);
    const s = trainTestSplit(x, y, { testSize: 0.3 });
    expect([s.xTrain.rows, s.xTest.rows, s.yTrain.length, s.yTest.length]).toEqual([14, 6, 14, 6]);
  });

  it('train and test are disjoint, cover all rows and keep x and y paired', () => {
    const s = trainTestSplit(x, y, { testSize: 0.3, seed: 5 });
    const all = [...ids(s.xTrain), ...ids(s.xTest)];
    expect(new Set(all).size).toBe(n);
    expect(all.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    ids(s.xTrain).forEach((id, i) => expect(s.yTrain[i]).toBe(id % 3));
    ids(s.xTest).forEach((id, i) => expect(s.yTest[i]).toBe(id % 3));
  });

  it('follows the documented procedure: test = first nTest of rng.shuffle(0..n-1)', () => {
    const p = new Rng(7).shuffle(Array.from({ length: n }, (_, i) => i));
    const s = trainTestSplit(x, y, { testSize: 4, seed: 7 });
    expect(ids(s.xTest)).toEqual(p.slice(0, 4));
    expect(ids(s.xTrain)).toEqual(p.slice(4));
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = trainTestSplit(x, y, { seed: 3 }), b = trainTestSplit(x, y, { seed: 3 });
    expect(ids(a.xTest)).toEqual(ids(b.xTest));
    expect(ids(a.xTrain)).toEqual(ids(b.xTrain));
    const c = trainTestSplit(x, y, { seed: 4 });
    expect(ids(c.xTest)).not.toEqual(ids(a.xTest));
    expect(ids(trainTestSplit(x, y).xTest)).toEqual(ids(trainTestSplit(x, y, { seed: 0 }).xTest));
  });

  it('shuffle: false takes the last nTest rows as test', () => {
    const s = trainTestSplit(x, y, { testSize: 5, shuffle: false });
    expect(ids(s.xTrain)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(ids(s.xTest)).toEqual([15, 16, 17, 18, 19]);
  });

  it('splits a Matrix y into matrices', () => {
    const ym = oneHot(y, 3);
    const s = trainTestSplit(x, ym, { seed: 2 });
    expect(s.yTrain.rows).toBe(15);
    expect(s.yTest.cols).toBe(3);
    ids(s.xTest).forEach((id, i) => expect(Array.from(s.yTest.data.subarray(3 * i, 3 * i + 3))).toEqual(
      [0, 1, 2].map((c) => (c === id % 3 ? 1 : 0))));
  });

  it('stratifies Iris: testSize 0.3 → 15 per class, classes mixed', () => {
    const iris = loadIris();
    const s = trainTestSplit(iris.x, iris.y, { testSize: 0.3, stratify: true, seed: 42 });
    const count = (yy: Int32Array) => [0, 1, 2].map((c) => yy.filter((v) => v === c).length);
    expect(count(s.yTest)).toEqual([15, 15, 15]);
    expect(count(s.yTrain)).toEqual([35, 35, 35]);
    expect(Array.from(s.yTest)).not.toEqual([...Array(15).fill(0), ...Array(15).fill(1), ...Array(15).fill(2)]);
    const t = trainTestSplit(iris.x, iris.y, { testSize: 0.3, stratify: true, seed: 42 });
    expect(t.xTest.data).toEqual(s.xTest.data);
    expect(trainTestSplit(iris.x, iris.y, { testSize: 0.3, stratify: true, seed: 43 }).xTest.data).not.toEqual(s.xTest.data);
  });

  it('stratified counts follow largest remainders and sum to nTest', () => {
    // Classes of 10, 6, 4 rows; nTest = 9 → exact shares 4.5, 2.7, 1.8 → floors 4, 2, 1 and the
    // two left over to the largest remainders (0.8, 0.7): 4, 3, 2 (rounding would give 5, 3, 2).
    const yy = Int32Array.from([...Array(10).fill(0), ...Array(6).fill(1), ...Array(4).fill(2)]);
    const s = trainTestSplit(x, yy, { testSize: 9, stratify: true, seed: 9 });
    expect([0, 1, 2].map((c) => s.yTest.filter((v) => v === c).length)).toEqual([4, 3, 2]);
    // Equal remainders go to the smaller label: 150 Iris rows, 10 test → 4, 3, 3.
    const iris = loadIris();
    const t = trainTestSplit(iris.x, iris.y, { testSize: 10, stratify: true });
    expect([0, 1, 2].map((c) => t.yTest.filter((v) => v === c).length)).toEqual([4, 3, 3]);
    const all = [...ids(s.xTrain), ...ids(s.xTest)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
    ids(s.xTest).forEach((id, i) => expect(s.yTest[i]).toBe(yy[id]));
  });

  it('stratified: follows the documented procedure', () => {
    const iris = loadIris();
    const rng = new Rng(42);
    const p = rng.shuffle(Array.from({ length: 150 }, (_, i) => i));
    const test: number[] = [], train: number[] = [];
    for (const c of [0, 1, 2]) {
      const inClass = p.filter((i) => iris.y[i] === c);
      test.push(...inClass.slice(0, 15));
      train.push(...inClass.slice(15));
    }
    rng.shuffle(test);
    rng.shuffle(train);
    const s = trainTestSplit(iris.x, iris.y, { testSize: 0.3, stratify: true, seed: 42 });
    const want = (idx: number[]) => idx.flatMap((i) => Array.from(iris.x.data.subarray(4 * i, 4 * i + 4)));
    expect(Array.from(s.xTest.data)).toEqual(want(test));
    expect(Array.from(s.xTrain.data)).toEqual(want(train));
    expect(Array.from(s.yTest)).toEqual(test.map((i) => iris.y[i]));
  });

  it('stratifies many small classes quickly', () => {
    const m = 50000;
    const s = trainTestSplit(matrix(m, 1), Int32Array.from({ length: m }, (_, i) => i >> 1), { stratify: true });
    expect(s.xTest.rows).toBe(12500);
    expect(s.yTest.length + s.yTrain.length).toBe(m);
  });

  it('rejects bad options', () => {
    expect(errorOf(() => trainTestSplit(x, y.subarray(1)))).toMatch(/x has 20 rows but y has 19/);
    expect(errorOf(() => trainTestSplit(x, y, { testSize: 20 }))).toMatch(/leaves 0 for training/);
    expect(errorOf(() => trainTestSplit(x, y, { testSize: 0 }))).toMatch(/testSize must be/);
    expect(errorOf(() => trainTestSplit(x, y, { testSize: 1.5 }))).toMatch(/testSize must be/);
    expect(errorOf(() => trainTestSplit(matrix(1, 1), new Int32Array(1)))).toMatch(/both need at least 1/);
    expect(errorOf(() => trainTestSplit(x, y, { stratify: true, shuffle: false }))).toMatch(/stratify needs shuffle/);
    expect(errorOf(() => trainTestSplit(x, oneHot(y, 3), { stratify: true }))).toMatch(/Int32Array/);
    expect(errorOf(() => trainTestSplit(x, [0, 1] as unknown as Int32Array))).toMatch(/y must be/);
  });
});

describe('standardizer', () => {
  it('uses the mean and population std, constant columns map to 0', () => {
    const x = fromRows([[1, 5, 2], [2, 5, 4], [3, 5, 9]]);
    const s = fitStandardizer(x);
    expect(Array.from(s.mean)).toEqual([2, 5, 5].map(Math.fround));
    expect(s.std[0]).toBeCloseTo(Math.sqrt(2 / 3), 6); // population, not sample (which would be 1)
    expect(s.std[1]).toBe(0);
    expect(s.std[2]).toBeCloseTo(Math.sqrt(26 / 3), 5);
    const t = s.transform(x);
    expect(rowsOf(t).map((r) => r[1])).toEqual([0, 0, 0]);
    expect(t.data[0]).toBeCloseTo(-Math.sqrt(3 / 2), 5);
    // Standardized columns have mean 0 and population std 1.
    const c = rowsOf(t).map((r) => r[2]);
    expect(c.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    expect(c.reduce((a, b) => a + b * b, 0) / 3).toBeCloseTo(1, 5);
  });

  it('treats a constant non-representable column as constant', () => {
    const s = fitStandardizer(matrix(7, 1, Array(7).fill(0.1)));
    expect(s.std[0]).toBe(0);
    expect(s.transform(matrix(1, 1, [0.1])).data[0]).toBe(0);
  });

  it('round-trips through toJSON and rebuilds bit-exactly', () => {
    const iris = loadIris();
    const s = fitStandardizer(iris.x);
    const json = JSON.parse(JSON.stringify(s));
    expect(json.mean).toHaveLength(4);
    expect(json.mean[0]).toBeCloseTo(5.8433, 4);
    expect(json.std[0]).toBeCloseTo(0.8253, 4); // sklearn StandardScaler scale_
    const r = standardizer(json.mean, json.std);
    expect(r.transform(iris.x).data).toEqual(s.transform(iris.x).data);
  });

  it('validates', () => {
    const s = fitStandardizer(fromRows([[1, 2], [3, 4]]));
    expect(errorOf(() => s.transform(fromRows([[1, 2, 3]])))).toMatch(/x has 3 columns, the standardizer was fitted on 2/);
    expect(errorOf(() => standardizer([1, 2], [1]))).toMatch(/mean has 2 values but std has 1/);
    expect(errorOf(() => standardizer([NaN], [1]))).toMatch(/mean\[0\] is NaN/);
    expect(errorOf(() => standardizer([0], [-1]))).toMatch(/std\[0\] is -1/);
    expect(errorOf(() => fitStandardizer(matrix(0, 3)))).toMatch(/no rows/);
    expect(errorOf(() => fitStandardizer(fromRows([[1, 2], [3, NaN]])))).toBe('fitStandardizer: x: row 2, column 2 is NaN');
  });
});

describe('oneHot', () => {
  it('encodes class indices', () => {
    const m = oneHot(Int32Array.from([2, 0, 1]), 3);
    expect([m.rows, m.cols]).toEqual([3, 3]);
    expect(Array.from(m.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(Array.from(oneHot([1, 1], 2).data)).toEqual([0, 1, 0, 1]);
  });

  it('names the index and value of a bad label', () => {
    expect(errorOf(() => oneHot([0, 1, 3], 3))).toBe('oneHot: label at index 2 is 3, expected an integer in [0, 3)');
    expect(errorOf(() => oneHot([0, -1], 3))).toBe('oneHot: label at index 1 is -1, expected an integer in [0, 3)');
    expect(errorOf(() => oneHot([0.5], 3))).toBe('oneHot: label at index 0 is 0.5, expected an integer in [0, 3)');
    expect(errorOf(() => oneHot([0], 0))).toMatch(/numClasses must be an integer ≥ 1/);
  });
});

describe('checkFinite', () => {
  it('passes finite data and names the first bad entry 1-based', () => {
    expect(() => checkFinite(fromRows([[1, 2], [3, 4]]), 'x')).not.toThrow();
    expect(errorOf(() => checkFinite(fromRows([[1, 2], [3, 4], [5, NaN]]), 'x'))).toBe('x: row 3, column 2 is NaN');
    expect(errorOf(() => checkFinite(fromRows([[1, -Infinity]]), 'input'))).toBe('input: row 1, column 2 is -Infinity');
  });

  it('allFinite: every extreme finite value passes, any NaN or ±Infinity at any place fails', () => {
    const finite = [0, -0, 1.4e-45, -1.4e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38, 1, -7.5];
    expect(allFinite(Float32Array.from(finite))).toBe(true);
    expect(allFinite(new Float32Array(0))).toBe(true);
    for (let n = 1; n <= 9; n++)
      for (let at = 0; at < n; at++)
        for (const bad of [NaN, Infinity, -Infinity]) {
          const a = Float32Array.from({ length: n }, (_, i) => finite[i % finite.length]);
          a[at] = bad;
          expect(allFinite(a), `${bad} at ${at} of ${n}`).toBe(false);
          const cols = 3, x = matrix(Math.ceil(n / cols), cols, Float32Array.from({ length: Math.ceil(n / cols) * cols }, (_, i) => (i < n ? a[i] : 0)));
          expect(errorOf(() => checkFinite(x, 'x', 'step'))).toBe(`x: step ${Math.floor(at / cols) + 1}, column ${(at % cols) + 1} is ${bad}`);
        }
  });
});

describe('readCsvColumns', () => {
  it('takes the named columns in the order asked, ignores the rest, reads quoted fields', () => {
    const x = readCsvColumns('a,"b,c",label\n"1","2",x\r\n\n3,4,"y\nz"\n', ['b,c', 'a'], 'f.csv');
    expect([x.rows, x.cols]).toEqual([2, 2]);
    expect(Array.from(x.data)).toEqual([2, 1, 4, 3]);
    expect(readCsvColumns('p,q\n1,2\n', null).cols).toBe(2);
  });
  it('locates its errors', () => {
    expect(() => readCsvColumns('a,b\n1,2\n3\n', ['a'], 'f.csv')).toThrow('f.csv:3: row has 1 fields, header has 2');
    expect(() => readCsvColumns('', ['a'], 'f.csv')).toThrow('f.csv:1: empty input');
    expect(() => readCsvColumns('a,b\n', ['a'], 'f.csv')).toThrow('f.csv: no data rows');
    expect(() => readCsvColumns('a,b\n1,"2\n', ['a'], 'f.csv')).toThrow('f.csv:2:2: unterminated');
    expect(() => readCsvColumns('a,b\n1,2\n', ['c'], 'f.csv')).toThrow("f.csv:1: missing column 'c'");
    expect(() => readCsvColumns('a,b\n1,2\nx,3\n', ['b', 'a'], 'f.csv')).toThrow("f.csv:3:1: non-numeric value \"x\" in column 'a'");
  });
});
