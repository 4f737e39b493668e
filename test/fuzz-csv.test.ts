// Property-based tests of the CSV readers (src/data.ts: parseCsv, readCsvColumns).
//
// Whatever the text, a reader returns a well-formed Dataset / Matrix or throws
// a BackpropError whose one-line message starts FILE[:LINE[:COLUMN]] with a
// line that exists in the text; it never throws anything else and never takes
// long (each call is timed against a budget far above linear cost). Generated
// valid CSVs must parse to exactly the table they were rendered from, and a
// single planted defect must be reported at exactly its line and column.
// Seed and run counts: test/fuzz-config.ts (FUZZ_RUNS, FUZZ_SEED).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsvColumns, type Dataset } from '../src/data.js';
import { BackpropError } from '../src/errors.js';
import type { Matrix } from '../src/matrix.js';
import { anyUtf16, bits, checkProperty, timed, timeout } from './fuzz-config.js';

const FILE = 'in.csv';
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const LOCATION = /^in\.csv(?::(\d+)(?::(\d+))?)?: \S/;

/** Lines of the text as the reader counts them: LF, CRLF and a lone CR each end one. */
function lineCount(text: string): number {
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/** The time a call may take: ~1000× what a linear pass over the text costs here, so only a hang
 *  or super-linear blow-up can exceed it (inputs of this file are at most a few kB). */
const budgetMs = (text: string) => 250 + text.length * 0.01;

/** Checks a thrown value: a BackpropError, one line, located in this file at a line the text has. */
function expectLocatedError(error: unknown, text: string): { line?: number; col?: number; message: string } {
  if (!(error instanceof BackpropError)) {
    throw new Error(`expected a BackpropError, got ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
  }
  const message = error.message;
  expect(message, 'a one-line message').not.toMatch(/[\r\n]/);
  const m = LOCATION.exec(message);
  expect(m, `location in: ${message}`).not.toBeNull();
  const line = m![1] === undefined ? undefined : Number(m![1]);
  const col = m![2] === undefined ? undefined : Number(m![2]);
  if (line !== undefined) {
    expect(line, message).toBeGreaterThanOrEqual(1);
    expect(line, message).toBeLessThanOrEqual(lineCount(text));
  }
  if (col !== undefined) expect(col, message).toBeGreaterThanOrEqual(1);
  return { line, col, message };
}

/** A Dataset as documented: shapes agree, features finite, labels index sorted distinct class names. */
function expectWellFormedDataset(d: Dataset): void {
  const { x, y, featureNames, classNames } = d;
  expect(x.rows).toBeGreaterThanOrEqual(1);
  expect(x.cols).toBeGreaterThanOrEqual(1);
  expect(x.data).toBeInstanceOf(Float32Array);
  expect(x.data.length).toBe(x.rows * x.cols);
  expect(x.data.every(Number.isFinite)).toBe(true);
  expect(featureNames).toHaveLength(x.cols);
  expect(featureNames.every((s) => typeof s === 'string')).toBe(true);
  expect(y).toBeInstanceOf(Int32Array);
  expect(y.length).toBe(x.rows);
  expect(new Set(classNames).size).toBe(classNames.length);
  const used = new Set<number>();
  for (const c of y) {
    expect(c >= 0 && c < classNames.length).toBe(true);
    used.add(c);
  }
  expect(used.size).toBe(classNames.length); // every class name comes from some row
  // numeric class names (every label a finite decimal) sort by value, others by string
  const numeric = classNames.every((s) => DECIMAL.test(s) && Number.isFinite(Number(s)));
  const sorted = numeric
    ? [...classNames].sort((a, b) => Number(a) - Number(b))
    : [...classNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  expect(classNames).toEqual(sorted);
}

function expectWellFormedMatrix(x: Matrix): void {
  expect(x.rows).toBeGreaterThanOrEqual(1);
  expect(x.data.length).toBe(x.rows * x.cols);
  expect(x.data.every(Number.isFinite)).toBe(true);
}

/** Runs one reader on arbitrary text: its result is well-formed or its error is located; fast either way. */
function checkAnyOutcome<T>(text: string, read: () => T, wellFormed: (v: T) => void): void {
  const r = timed(read);
  expect(r.ms, `${r.ms.toFixed(1)} ms for ${text.length} characters`).toBeLessThan(budgetMs(text));
  if (r.error !== undefined) expectLocatedError(r.error, text);
  else wellFormed(r.value as T);
}

// ---------------------------------------------------------------- arbitrary text

// Characters and tokens that matter to a CSV reader, so that random text is often nearly CSV.
const CSV_UNITS = [',', ',', ',', '"', '"', '\n', '\n', '\r', '\r\n', ' ', '\t', '0', '1', '2', '9', '.', '-', '+', 'e', 'E',
  'a', 'b', 'x', '""', '1.5', '-0', '1e39', '1e-50', 'NaN', 'inf', '-Infinity', '0x1f', '1_0', '١', '\u00a0', '\ufeff', '\u2028', '\0'];
const csvish = fc.string({ unit: fc.constantFrom(...CSV_UNITS), maxLength: 300 });
/** Any UTF-16 code units, lone surrogates included. */
const anyText = anyUtf16(300);
/** Arbitrary bytes as a file reader would see them: decoded as UTF-8 (with replacement) or Latin-1. */
const byteText = fc.tuple(fc.uint8Array({ maxLength: 400 }), fc.boolean())
  .map(([b, utf8]) => (utf8 ? new TextDecoder().decode(b) : String.fromCharCode(...b)));
const targetOption = fc.oneof(
  fc.integer({ min: -5, max: 6 }),
  fc.constantFrom('a', 'b', 'x', 'label', '0', '1', '-1', ' 2 ', '', '99999999999999999999', '1.5', 'x1'),
);
const csvOptions = fc.record({ target: targetOption, header: fc.boolean() });
const columnsOption = fc.oneof(fc.constant(null), fc.array(fc.constantFrom('a', 'b', 'x', '0', '1', '', ' a', 'p', 'q', 'r'), { maxLength: 4 }));

/** "Structured but broken": rows of tokens, mostly numbers, some junk, now and then a row of
 *  another length, any line breaks, a header (now and then with a repeated name), options that
 *  usually fit: often a valid CSV, often one with a single defect. */
const TOKENS = ['0', '1', '-2.5', '3e2', '.5', ' 7 ', '"8"', '1e-50', 'a', 'b', '', '"x,y"', '"q""uote"', 'NaN', '1e39', '"', ' '];
const NUMBERS = ['0', '1', '-2.5', '3e2', '.5', '4', '-0', '"9"'];
const gridish: fc.Arbitrary<[string, { target: string | number; header: boolean }]> = fc.integer({ min: 2, max: 4 }).chain((cols) => fc.record({
  rows: fc.array(fc.oneof(
    { weight: 8, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...NUMBERS) }, { weight: 1, arbitrary: fc.constantFrom(...TOKENS) }), { minLength: cols, maxLength: cols }) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 5 }) },
  ), { minLength: 1, maxLength: 6 }),
  eols: fc.array(fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\n \n'), { minLength: 7, maxLength: 7 }),
  header: fc.constantFrom(null, ['p', 'q', 'r', 's'], ['p', 'q', 'p', 'q'], [' p', '"q"', 'r ', 's']),
  target: fc.constantFrom(0, 1, -1, 'q', '0', '-1'),
})).map(({ rows, eols, header, target }) => {
  const lines = header ? [header.slice(0, rows[0].length), ...rows] : rows;
  return [lines.map((r, i) => r.join(',') + eols[i % eols.length]).join(''), { target, header: header !== null }];
});
const arbitraryInput = fc.oneof(fc.tuple(fc.oneof(csvish, anyText, byteText), csvOptions), gridish);
const arbitraryText = fc.oneof(csvish, anyText, byteText, gridish.map(([text]) => text));

describe('CSV readers on arbitrary text', () => {
  it('parseCsv: a well-formed Dataset or a located BackpropError, quickly', async () => {
    await checkProperty(
      fc.property(arbitraryInput, ([text, opts]) => {
        checkAnyOutcome(text, () => parseCsv(text, { ...opts, file: FILE }), expectWellFormedDataset);
      }),
      2000,
    );
  }, timeout(60_000));

  it('readCsvColumns: a well-formed Matrix or a located BackpropError, quickly', async () => {
    await checkProperty(
      fc.property(arbitraryText, columnsOption, (text, columns) => {
        checkAnyOutcome(text, () => readCsvColumns(text, columns, FILE), (x) => {
          expectWellFormedMatrix(x);
          if (columns) expect(x.cols).toBe(columns.length);
        });
      }),
      2000,
    );
  }, timeout(60_000));
});

// ---------------------------------------------------------------- generated tables

/** Header names: short, distinct after trimming, sometimes needing quotes (comma, quote). */
const headerName = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'X', '1', '_', ' ', ',', '"', 'é'), minLength: 1, maxLength: 5 })
  .map((s) => s.trim()).filter((s) => s.length > 0);

/** A plain decimal as people write it, e.g. "-012.50", "3.", ".5", "1e-3", with up to 20 digits. */
const decimalText = fc.tuple(
  fc.constantFrom('', '', '-', '+'),
  fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), maxLength: 12 }),
  fc.option(fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), maxLength: 10 }), { nil: undefined }),
  fc.option(fc.integer({ min: -40, max: 38 }), { nil: undefined }),
).map(([sign, int, frac, exp]) => {
  let body = int + (frac === undefined ? '' : '.' + frac);
  if (!/\d/.test(body)) body = '0' + body;
  return sign + body + (exp === undefined ? '' : `e${exp}`);
}).filter((s) => Number.isFinite(Math.fround(Number(s))));

/** Any f32 value as JavaScript prints it (shortest round-trip form, exponents included). */
const f32Text = fc.float({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? '-0' : String(v)));

const cellText = fc.oneof(decimalText, f32Text);
const stringLabel = fc.constantFrom('cat', 'dog', 'Iris-setosa', 'b a', 'B', 'z,z', 'say "hi"', 'é', '10x');
const numericLabel = fc.constantFrom('0', '1', '2', '10', '-1', '1.0', '2.50', '+3', '1e1');

interface Table {
  header: boolean;
  names: string[]; // one per column, the target's included
  t: number; // target column
  cells: string[][]; // rows × columns, the target column holds labels
  eol: string;
  trailingEol: boolean;
  blankBefore: boolean[]; // a blank line before record i (header included)
  quote: boolean[][]; // quote field (i, j), header row first when there is one
  pad: boolean[][]; // surround field (i, j) with spaces and tabs
}

/** A random valid table; `header` fixes whether it has a header row. */
const tableArb = (header?: boolean): fc.Arbitrary<Table> => fc.record({
  header: header === undefined ? fc.boolean() : fc.constant(header),
  features: fc.integer({ min: 1, max: 5 }),
  rows: fc.integer({ min: 1, max: 8 }),
  numericLabels: fc.boolean(),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  trailingEol: fc.boolean(),
}).chain((s) => {
  const cols = s.features + 1;
  const records = s.rows + (s.header ? 1 : 0);
  const flags = () => fc.array(fc.array(fc.boolean(), { minLength: cols, maxLength: cols }), { minLength: records, maxLength: records });
  return fc.record({
    header: fc.constant(s.header),
    names: fc.uniqueArray(headerName, { minLength: cols, maxLength: cols }),
    t: fc.integer({ min: 0, max: cols - 1 }),
    features: fc.array(fc.array(cellText, { minLength: s.features, maxLength: s.features }), { minLength: s.rows, maxLength: s.rows }),
    labels: fc.array(s.numericLabels ? numericLabel : stringLabel, { minLength: s.rows, maxLength: s.rows }),
    eol: fc.constant(s.eol),
    trailingEol: fc.constant(s.trailingEol),
    blankBefore: fc.array(fc.boolean(), { minLength: records, maxLength: records }),
    quote: flags(),
    pad: flags(),
  }).map((r) => ({
    header: r.header, names: r.names, t: r.t, eol: r.eol, trailingEol: r.trailingEol,
    blankBefore: r.blankBefore, quote: r.quote, pad: r.pad,
    cells: r.features.map((f, i) => [...f.slice(0, r.t), r.labels[i], ...f.slice(r.t)]),
  }));
});
const table = tableArb();

function field(s: string, quoted: boolean, padded: boolean): string {
  const needsQuotes = /[",\r\n]/.test(s) || s !== s.trim();
  const body = quoted || needsQuotes ? `"${s.replace(/"/g, '""')}"` : s;
  return padded ? ` \t${body} ` : body;
}

/** The CSV text of a table, and the 1-based line each record starts on (header first). */
function render(tb: Table): { text: string; lines: number[] } {
  const records = tb.header ? [tb.names, ...tb.cells] : tb.cells;
  const out: string[] = [];
  const lines: number[] = [];
  let line = 1;
  records.forEach((rec, i) => {
    if (tb.blankBefore[i]) { out.push(tb.eol); line++; }
    lines.push(line);
    out.push(rec.map((s, j) => field(s, tb.quote[i][j], tb.pad[i][j])).join(','));
    if (i < records.length - 1 || tb.trailingEol) out.push(tb.eol);
    line++;
  });
  return { text: out.join(''), lines };
}

/** What parseCsv must return for a valid table, computed from the documentation, independently. */
function expected(tb: Table): Dataset {
  const rows = tb.cells.length, nf = tb.names.length - 1;
  const x = new Float32Array(rows * nf);
  tb.cells.forEach((r, i) => r.filter((_, j) => j !== tb.t).forEach((s, j) => { x[i * nf + j] = Math.fround(Number(s)); }));
  const labels = tb.cells.map((r) => r[tb.t].trim());
  const numeric = labels.every((s) => DECIMAL.test(s) && Number.isFinite(Number(s)));
  const keys = numeric ? labels.map((s) => String(Number(s))) : labels;
  const classNames = [...new Set(keys)].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    x: { rows, cols: nf, data: x },
    y: Int32Array.from(keys, (k) => classNames.indexOf(k)),
    featureNames: tb.header ? tb.names.filter((_, j) => j !== tb.t) : Array.from({ length: nf }, (_, j) => `x${j + 1}`),
    classNames,
  };
}

/** The target option: by name (with a header), by index, or by negative index. */
function targetOf(tb: Table, how: number): string | number {
  if (how === 0 && tb.header) return tb.names[tb.t];
  if (how === 1) return tb.t - tb.names.length;
  // a string that looks like an integer is an index unless the header has a column of that name
  if (how === 2 && !(tb.header && tb.names.includes(String(tb.t)))) return String(tb.t);
  return tb.t;
}

function expectSameDataset(d: Dataset, want: Dataset): void {
  expect([d.x.rows, d.x.cols]).toEqual([want.x.rows, want.x.cols]);
  expect(bits(d.x.data)).toEqual(bits(want.x.data)); // bit for bit: −0 stays −0
  expect(Array.from(d.y)).toEqual(Array.from(want.y));
  expect(d.featureNames).toEqual(want.featureNames);
  expect(d.classNames).toEqual(want.classNames);
}

describe('CSV readers on generated tables', () => {
  it('a valid table parses to exactly the values it was written from', async () => {
    await checkProperty(
      fc.property(table, fc.integer({ min: 0, max: 3 }), (tb, how) => {
        const { text } = render(tb);
        const r = timed(() => parseCsv(text, { target: targetOf(tb, how), header: tb.header, file: FILE }));
        if (r.error) throw r.error;
        expect(r.ms).toBeLessThan(budgetMs(text));
        expectSameDataset(r.value!, expected(tb));
      }),
      800,
    );
  }, timeout(60_000));

  // A cell that is not a finite f32 decimal, written where a feature belongs.
  const badCell = fc.constantFrom('', '  ', 'abc', 'NaN', 'nan', 'inf', '-Infinity', '1e39', '-4e38', '0x1f', '1_000', '--1',
    '1e', '.', '+', '١', '1.2.3', '1 2', '\u00a0', 'true', '"');

  it('one bad feature cell is reported at its line and column', async () => {
    await checkProperty(
      fc.property(table, badCell, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 3 }), (tb, bad, ri, ci, how) => {
        const i = ri % tb.cells.length;
        const featureCols = tb.names.map((_, j) => j).filter((j) => j !== tb.t);
        const j = featureCols[ci % featureCols.length];
        tb.cells[i][j] = bad;
        const { text, lines } = render(tb);
        const r = timed(() => parseCsv(text, { target: targetOf(tb, how), header: tb.header, file: FILE }));
        const e = expectLocatedError(r.error, text);
        expect(e.line, e.message).toBe(lines[i + (tb.header ? 1 : 0)]);
        expect(e.col, e.message).toBe(j + 1);
      }),
      800,
    );
  }, timeout(60_000));

  it('an empty target cell is reported at its line and column', async () => {
    await checkProperty(
      fc.property(table, fc.nat(), fc.constantFrom('', ' ', '\t '), (tb, ri, blank) => {
        const i = ri % tb.cells.length;
        tb.cells[i][tb.t] = blank;
        const { text, lines } = render(tb);
        const r = timed(() => parseCsv(text, { target: targetOf(tb, 1), header: tb.header, file: FILE }));
        const e = expectLocatedError(r.error, text);
        expect(e.message).toMatch(/empty target value/);
        expect(e.line, e.message).toBe(lines[i + (tb.header ? 1 : 0)]);
        expect(e.col, e.message).toBe(tb.t + 1);
      }),
      400,
    );
  }, timeout(60_000));

  it('a row with a field too many or too few is reported at its line', async () => {
    await checkProperty(
      fc.property(table, fc.nat(), fc.boolean(), (tb, ri, add) => {
        // not the first record (it sets the column count); dropping needs ≥ 3 fields, else the row could read as blank
        const first = tb.header ? 0 : 1;
        if (tb.cells.length <= first) return;
        const i = first + (ri % (tb.cells.length - first));
        if (!add && tb.names.length < 3) add = true;
        if (add) tb.cells[i].push('1'); else tb.cells[i].splice(tb.cells[i].length - 1, 1);
        for (const q of [tb.quote, tb.pad]) q[i + (tb.header ? 1 : 0)].push(false);
        const { text, lines } = render(tb);
        const r = timed(() => parseCsv(text, { target: targetOf(tb, 3), header: tb.header, file: FILE }));
        const e = expectLocatedError(r.error, text);
        expect(e.message).toMatch(/row has \d+ fields/);
        expect(e.line, e.message).toBe(lines[i + (tb.header ? 1 : 0)]);
      }),
      400,
    );
  }, timeout(60_000));

  it('a duplicated header name is reported at its column', async () => {
    await checkProperty(
      fc.property(tableArb(true), fc.nat(), fc.nat(), (tb, a, b) => {
        const n = tb.names.length;
        const i = a % n, j = b % n;
        if (i === j) return;
        const [first, second] = i < j ? [i, j] : [j, i];
        tb.names[second] = tb.names[first];
        const { text, lines } = render(tb);
        const r = timed(() => parseCsv(text, { target: 0, header: true, file: FILE }));
        const e = expectLocatedError(r.error, text);
        expect(e.message).toMatch(/duplicate column name/);
        expect([e.line, e.col]).toEqual([lines[0], second + 1]);
      }),
      400,
    );
  }, timeout(60_000));

  it('a table cut short or with a stray quote still gives a Dataset or a located error', async () => {
    await checkProperty(
      fc.property(table, fc.nat(), fc.constantFrom('cut', 'quote', 'comma', 'eol'), (tb, at, how) => {
        const { text } = render(tb);
        const p = at % (text.length + 1);
        const broken = how === 'cut' ? text.slice(0, p)
          : text.slice(0, p) + { quote: '"', comma: ',', eol: '\r' }[how] + text.slice(p);
        checkAnyOutcome(broken, () => parseCsv(broken, { target: targetOf(tb, 3), header: tb.header, file: FILE }), expectWellFormedDataset);
        if (tb.header) checkAnyOutcome(broken, () => readCsvColumns(broken, null, FILE), expectWellFormedMatrix);
      }),
      1000,
    );
  }, timeout(60_000));

  it('readCsvColumns reads the columns asked for, in that order; null means every column in file order', async () => {
    await checkProperty(
      fc.property(tableArb(true), fc.array(fc.nat(), { maxLength: 6 }), fc.option(fc.nat(), { nil: undefined }), (tb, pick, dup) => {
        // all numeric: the target column holds a feature value here
        tb.cells.forEach((r, i) => { r[tb.t] = String(i - 2.5); });
        const n = tb.names.length;
        if (dup !== undefined && n >= 2) tb.names[1 + (dup % (n - 1))] = tb.names[0]; // a header name twice
        const { text } = render(tb);
        const grid = (cols: number[]) => Float32Array.from(tb.cells.flatMap((r) => cols.map((j) => Math.fround(Number(r[j])))));

        // null: every column in file order. With a repeated name that is still well defined.
        const all = timed(() => readCsvColumns(text, null, FILE));
        if (all.error) expectLocatedError(all.error, text);
        else {
          expect(all.value!.cols).toBe(n);
          expect(bits(all.value!.data), 'readCsvColumns(text, null) must be the whole table in file order').toEqual(bits(grid(tb.names.map((_, j) => j))));
        }

        // named columns: each name's column; a header that repeats a name may be refused
        const cols = pick.map((p) => p % n);
        const names = cols.map((j) => tb.names[j]);
        const r = timed(() => readCsvColumns(text, names, FILE));
        const ambiguous = names.some((s) => tb.names.indexOf(s) !== tb.names.lastIndexOf(s));
        if (r.error) {
          expectLocatedError(r.error, text);
          expect(new Set(tb.names).size < n || names.length === 0, (r.error as Error).message).toBe(true);
        } else if (!ambiguous) {
          expect(bits(r.value!.data)).toEqual(bits(grid(cols)));
        }
      }),
      600,
    );
  }, timeout(60_000));

  it('decimal cells read as Number() rounded once to f32 (the fast path included)', async () => {
    await checkProperty(
      fc.property(fc.array(decimalText, { minLength: 1, maxLength: 20 }), (cells) => {
        const text = 'v,t\n' + cells.map((s) => `${s},a`).join('\n');
        const d = parseCsv(text, { target: 't', file: FILE });
        expect(bits(d.x.data)).toEqual(bits(Float32Array.from(cells, (s) => Math.fround(Number(s)))));
      }),
      600,
    );
  }, timeout(60_000));
});

// ---------------------------------------------------------------- big inputs

describe('CSV readers stay linear on big hostile inputs', () => {
  // Each reader's time on a hostile text is compared with parseCsv's on a plain numeric CSV of
  // the same length, measured just before (so a busy machine slows both): a linear reader
  // stays within a few times that, the budget is 20 times it plus 100 ms. Texts are 0.25–0.4 MB.
  // The wide header has 40,000 columns: looking each column's name up by a scan of the header
  // is ~8·10⁸ string comparisons, some 100 times the plain parse.
  const N = 40_000;
  const wideHeader = Array.from({ length: N }, (_, j) => `c${j}`).join(',');
  const wideRow = Array.from({ length: N }, (_, j) => String(j % 10)).join(',');
  const cases: [string, string][] = [
    ['quotes only', '"'.repeat(250_000)],
    ['escaped quotes, unterminated', '"' + '""'.repeat(125_000)],
    ['carriage returns only', '\r'.repeat(250_000)],
    ['commas only', ','.repeat(250_000)],
    ['blank lines', ' \n'.repeat(125_000)],
    ['one quoted field over many lines', 'a,b\n1,"' + 'x\r\n'.repeat(80_000) + '"\n'],
    ['many short rows', 'a,b\n' + '1,2\n'.repeat(60_000)],
    ['a wide header and one row', `${wideHeader}\n${wideRow}\n`],
  ];
  /** parseCsv's time on a plain CSV of `length` characters (rows "1,2"), the best of two runs. */
  function plainMs(length: number): number {
    const plain = 'a,b\n' + '1,2\n'.repeat(Math.ceil(length / 4));
    return Math.min(...[0, 1].map(() => timed(() => parseCsv(plain, { target: -1 })).ms));
  }
  for (const [name, text] of cases) {
    it(name, () => {
      const names = wideHeader.split(',').reverse();
      const readers: [string, () => unknown][] = [
        ['parseCsv', () => parseCsv(text, { target: -1, file: FILE })],
        ['readCsvColumns(null)', () => readCsvColumns(text, null, FILE)],
        ['readCsvColumns(names)', () => readCsvColumns(text, names, FILE)],
      ];
      const base = plainMs(text.length);
      for (const [what, read] of readers) {
        const r = timed(read);
        if (r.error) expectLocatedError(r.error, text);
        expect(r.ms, `${what}: ${Math.round(r.ms)} ms on ${text.length} characters (a plain CSV as long: ${base.toFixed(1)} ms)`)
          .toBeLessThan(100 + 20 * base);
      }
    }, 60_000);
  }
});
