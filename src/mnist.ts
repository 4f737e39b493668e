// MNIST digits: the IDX file format, the full set from a directory of IDX
// files, and the 10,000 digits bundled in build/ (see scripts/build-mnist.mjs).
// Node modules are imported on demand, so this file also loads in a browser,
// where the bundled digits are fetched like the wasm is.
import type { Dataset, Split } from './data.js';
import { trainTestSplit } from './data.js';
import { BackpropError, check } from './errors.js';
import { matrix } from './matrix.js';
import { assetUrl } from './wasm-bytes.js';

// ---------------------------------------------------------------- IDX

export interface IdxArray {
  /** dimensions, outermost first: [count] for labels, [count, rows, cols] for images */
  shape: number[];
  /** the values in row-major order (a view of the input, not a copy) */
  data: Uint8Array;
}

/** The magic numbers of the two MNIST file kinds: unsigned bytes (0x08), 1 or 3 dimensions. */
export const IDX_LABELS = 0x00000801;
export const IDX_IMAGES = 0x00000803;

const IDX_TYPES: Record<number, string> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };
const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');
const count = (n: number) => n.toLocaleString('en-US');

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * Parses an uncompressed IDX file of unsigned bytes (the format of the MNIST
 * files): a big-endian magic number 0x000008NN (N = the number of
 * dimensions), N big-endian u32 dimensions, then exactly their product in
 * bytes. Anything else — another magic number or data type, a short header,
 * too few or too many bytes — is a BackpropError naming `file`.
 */
export function readIdx(buffer: Uint8Array | ArrayBuffer, options: { file?: string } = {}): IdxArray {
  const file = options.file ?? 'idx';
  check(buffer instanceof Uint8Array || buffer instanceof ArrayBuffer, 'readIdx: buffer must be a Uint8Array or an ArrayBuffer');
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (isGzip(bytes)) throw new BackpropError(`${file}: the file is gzip-compressed; gunzip it first (loadMnist and the CLI read .gz files themselves)`);
  check(bytes.length >= 4, `${file}: truncated: ${bytes.length} bytes, an IDX file starts with a 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = bytes[2], ndim = bytes[3];
  check(bytes[0] === 0 && bytes[1] === 0 && IDX_TYPES[type] !== undefined,
    `${file}: not an IDX file (magic number ${hex(magic)}, expected 0x000008NN with NN the number of dimensions)`);
  check(type === 0x08, `${file}: IDX data type ${IDX_TYPES[type]} (magic number ${hex(magic)}) is not supported; MNIST files hold unsigned bytes (0x08)`);
  check(ndim >= 1, `${file}: magic number ${hex(magic)} declares no dimensions`);
  const headerBytes = 4 + 4 * ndim;
  check(bytes.length >= headerBytes, `${file}: truncated: the header of a ${ndim}-dimensional IDX file needs ${headerBytes} bytes, the file has ${bytes.length}`);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i));
  const size = shape.reduce((a, b) => a * b, 1);
  const have = bytes.length - headerBytes;
  const dims = shape.join('×');
  check(Number.isSafeInteger(size), `${file}: dimensions ${dims} declare more data than any file can hold`);
  check(have >= size, `${file}: truncated: ${dims} needs ${count(size)} bytes of data after the header, the file has ${count(have)}`);
  check(have === size, `${file}: ${count(have - size)} unexpected bytes after the ${dims} data (the file should be ${count(headerBytes + size)} bytes, it is ${count(bytes.length)})`);
  return { shape, data: bytes.subarray(headerBytes) };
}

/** Reads an IDX file, plain or gzip-compressed (recognised by its content, whatever its name). Node only. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BackpropError(`cannot read '${path}': ${code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
  if (isGzip(bytes)) {
    const { gunzipSync } = await import('node:zlib');
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new BackpropError(`${path}: not a valid gzip file (${(e as Error).message})`);
    }
  }
  return readIdx(bytes, { file: path });
}

/** Checks an IDX array is what an MNIST file of that kind holds. */
function expectKind(a: IdxArray, kind: 'images' | 'labels', file: string): void {
  if (kind === 'labels')
    check(a.shape.length === 1, `${file}: expected a label file (magic number ${hex(IDX_LABELS)}, one dimension), found ${a.shape.length} dimensions (${a.shape.join('×')})`);
  else
    check(a.shape.length === 3, `${file}: expected an image file (magic number ${hex(IDX_IMAGES)}, three dimensions), found ${a.shape.length} (${a.shape.join('×')})`);
}

// ---------------------------------------------------------------- MNIST

export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const MNIST_SIDE = 28;

/** The bundled split: 2,000 of the 10,000 digits for testing, stratified by digit, fixed by this seed. */
export const BUNDLED_SPLIT = { testSize: 2000, seed: 0, stratify: true } as const;

export interface MnistOptions {
  /** a directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
   *  and t10k-labels-idx1-ubyte (each may end in .gz, and `-idx` may be `.idx`); default: the bundled digits */
  dir?: string;
  /** keep at most this many rows of each split (the first ones) */
  limit?: number;
}

/** The digits with their split: x, y hold every row, training rows first; xTrain… are views of them. */
export interface MnistDataset extends Dataset, Split<Int32Array> {
  /** rows [0, trainSize) are the training split, the rest the test split */
  trainSize: number;
  /** image height and width (28×28) */
  imageShape: [number, number];
  /** where the digits came from: 'bundled' or the directory */
  source: string;
}

/** The raw bytes: images (rows·h·w) and labels, training rows first. */
export interface MnistBytes { images: Uint8Array; labels: Uint8Array; trainSize: number; imageShape: [number, number]; source: string }

/**
 * MNIST digits with pixels scaled to [0, 1] (byte / 255). Without `dir`,
 * the 10,000 digits bundled with the package, split 8,000 / 2,000 by
 * `BUNDLED_SPLIT`; with `dir`, the standard 60,000 / 10,000 set from its IDX files.
 */
export async function loadMnist(options: MnistOptions = {}): Promise<MnistDataset> {
  return mnistDataset(await loadMnistBytes(options), (b) => b / 255);
}

/** The same digits with pixels as bytes 0–255 (what IDX and CSV files hold), as numbers. */
export async function loadMnistRaw(options: MnistOptions = {}): Promise<MnistDataset> {
  return mnistDataset(await loadMnistBytes(options), (b) => b);
}

function mnistDataset(m: MnistBytes, pixel: (b: number) => number): MnistDataset {
  const n = m.labels.length, cols = m.imageShape[0] * m.imageShape[1];
  const data = new Float32Array(n * cols);
  // 256 possible values: a table keeps the division out of a loop over millions of pixels.
  const table = new Float32Array(256).map((_, b) => pixel(b));
  for (let i = 0; i < data.length; i++) data[i] = table[m.images[i]];
  const y = Int32Array.from(m.labels);
  const t = m.trainSize;
  return {
    x: matrix(n, cols, data), y,
    featureNames: Array.from({ length: cols }, (_, i) => `pixel${i}`),
    classNames: [...MNIST_CLASS_NAMES],
    xTrain: matrix(t, cols, data.subarray(0, t * cols)), yTrain: y.subarray(0, t),
    xTest: matrix(n - t, cols, data.subarray(t * cols)), yTest: y.subarray(t),
    trainSize: t, imageShape: m.imageShape, source: m.source,
  };
}

export async function loadMnistBytes(options: MnistOptions = {}): Promise<MnistBytes> {
  check(options !== null && typeof options === 'object', 'loadMnist: options must be an object');
  const { dir, limit } = options;
  check(dir === undefined || (typeof dir === 'string' && dir !== ''), 'loadMnist: dir must be a directory name');
  check(limit === undefined || (Number.isInteger(limit) && limit >= 1), `loadMnist: limit must be a positive integer, got ${String(limit)}`);
  const [train, test] = dir === undefined ? await bundled() : await fromDirectory(dir);
  const cap = (s: Part) => (limit === undefined || s.labels.length <= limit ? s : {
    images: s.images.subarray(0, limit * s.pixels), labels: s.labels.subarray(0, limit), pixels: s.pixels,
  });
  const a = cap(train), b = cap(test);
  const images = new Uint8Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  const labels = new Uint8Array(a.labels.length + b.labels.length);
  labels.set(a.labels);
  labels.set(b.labels, a.labels.length);
  return { images, labels, trainSize: a.labels.length, imageShape: train.shape, source: dir ?? 'bundled' };
}

interface Part { images: Uint8Array; labels: Uint8Array; pixels: number; shape?: [number, number] }

/** Checks one split's images and labels agree, and that every label is a digit. */
function part(images: IdxArray, labels: IdxArray, imageFile: string, labelFile: string): Part & { shape: [number, number] } {
  expectKind(images, 'images', imageFile);
  expectKind(labels, 'labels', labelFile);
  const [n, h, w] = images.shape;
  check(h >= 1 && w >= 1, `${imageFile}: images of ${h}×${w} pixels`);
  check(n === labels.shape[0], `${imageFile} holds ${count(n)} images but ${labelFile} holds ${count(labels.shape[0])} labels`);
  check(n >= 1, `${imageFile}: no images`);
  const bad = labels.data.findIndex((v) => v > 9);
  check(bad < 0, () => `${labelFile}: label ${bad + 1} is ${labels.data[bad]}, not a digit 0–9`);
  return { images: images.data, labels: labels.data, pixels: h * w, shape: [h, w] };
}

const IDX_NAMES = {
  trainImages: 'train-images-idx3-ubyte', trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte', testLabels: 't10k-labels-idx1-ubyte',
};

async function fromDirectory(dir: string): Promise<[Part & { shape: [number, number] }, Part]> {
  let fs: typeof import('node:fs/promises'), path: typeof import('node:path');
  try {
    [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  } catch {
    throw new BackpropError('loadMnist: reading a directory needs Node (in a browser, use the bundled digits)');
  }
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BackpropError(`cannot read MNIST directory '${dir}': ${code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (e as Error).message}`);
  }
  // The files go by their official names, or with '.' for the last '-' (as some mirrors have them), gzipped or not.
  const find = (name: string): string => {
    const dotted = name.replace(/-(idx\d-ubyte)$/, '.$1');
    const found = [name, `${name}.gz`, dotted, `${dotted}.gz`].find((c) => entries.includes(c));
    check(found, `MNIST directory '${dir}' has no ${name} (nor ${name}.gz)`);
    return path.join(dir, found);
  };
  const files = {
    trainImages: find(IDX_NAMES.trainImages), trainLabels: find(IDX_NAMES.trainLabels),
    testImages: find(IDX_NAMES.testImages), testLabels: find(IDX_NAMES.testLabels),
  };
  const [ti, tl, si, sl] = await Promise.all([files.trainImages, files.trainLabels, files.testImages, files.testLabels].map(readIdxFile));
  const train = part(ti, tl, files.trainImages, files.trainLabels);
  const test = part(si, sl, files.testImages, files.testLabels);
  check(test.shape[0] === train.shape[0] && test.shape[1] === train.shape[1],
    `${files.testImages}: images are ${test.shape.join('×')}, the training images ${train.shape.join('×')}`);
  return [train, test];
}

const ASSET = { images: 'build/mnist-digits-images.idx', labels: 'build/mnist-digits-labels.idx' };

/** A file of the package's build/ directory, like the wasm (in a page: fetched from beside the bundle). */
async function assetBytes(file: string): Promise<Uint8Array> {
  const url = assetUrl(file.slice('build/'.length));
  const missing = `the bundled MNIST digits are missing (${file}); run npm run build`;
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    try {
      return await readFile(url);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new BackpropError(missing);
      throw e;
    }
  }
  const res = await fetch(url);
  check(res.ok, `${missing} (fetching ${url.href}: HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}

let bundledCache: Promise<[Part & { shape: [number, number] }, Part]> | undefined;

/** The bundled digits, split by BUNDLED_SPLIT. Read once per process: every caller gets the same bytes (which it only reads). */
function bundled(): Promise<[Part & { shape: [number, number] }, Part]> {
  bundledCache ??= (async () => {
    const [imageBytes, labelBytes] = await Promise.all([assetBytes(ASSET.images), assetBytes(ASSET.labels)]);
    const all = part(readIdx(imageBytes, { file: ASSET.images }), readIdx(labelBytes, { file: ASSET.labels }),
      ASSET.images, ASSET.labels);
    const n = all.labels.length;
    // Split row numbers (exact in f32 below 2^24) with the library's own stratified split.
    const rows = matrix(n, 1, Float32Array.from({ length: n }, (_, i) => i));
    const s = trainTestSplit(rows, Int32Array.from(all.labels), BUNDLED_SPLIT);
    const take = (idx: Float32Array): Part => {
      const images = new Uint8Array(idx.length * all.pixels), labels = new Uint8Array(idx.length);
      idx.forEach((r, i) => {
        images.set(all.images.subarray(r * all.pixels, (r + 1) * all.pixels), i * all.pixels);
        labels[i] = all.labels[r];
      });
      return { images, labels, pixels: all.pixels };
    };
    return [{ ...take(s.xTrain.data), shape: all.shape }, take(s.xTest.data)];
  })();
  bundledCache.catch(() => { bundledCache = undefined; });
  return bundledCache;
}
