// The --report pictures: well-formed SVG that holds what it claims — one
// tile per hidden unit showing that unit's weights, one cell per confusion
// count, one row per class, every layer for each chosen sample — and an
// index.html that ties them together without the network.
import { crc32, inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { confusionMatrix, precisionRecallF1 } from '../src/metrics.js';
import { loadMnist, type MnistDataset } from '../src/mnist.js';
import { createNetwork, type History, type Network } from '../src/network.js';
import { color, colorRgb, normalizer } from '../src/plot.js';
import { encodePng } from '../src/png.js';
import { buildReport, chooseExamples, type ReportFile } from '../src/report.js';
import { parseXml, select, textOf, type XmlElement } from './xml.js';

/** The chunks of a PNG, checked: signature, lengths and CRCs. */
function pngChunks(png: Uint8Array): Map<string, Uint8Array> {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks = new Map<string, Uint8Array>();
  for (let o = 8; o < png.length;) {
    const len = view.getUint32(o), type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    expect(view.getUint32(o + 8 + len), `${type} crc`).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
    chunks.set(type, png.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  return chunks;
}

/** Width, height and palette index of every pixel of one of our PNGs. */
function decodePng(png: Uint8Array): { width: number; height: number; indices: Uint8Array; palette: Uint8Array } {
  const c = pngChunks(png);
  const ihdr = new DataView(c.get('IHDR')!.buffer, c.get('IHDR')!.byteOffset);
  const width = ihdr.getUint32(0), height = ihdr.getUint32(4);
  const raw = inflateSync(c.get('IDAT')!);
  expect(raw.length).toBe(height * (width + 1));
  const indices = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width + 1)], 'filter type').toBe(0);
    indices.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { width, height, indices, palette: c.get('PLTE')! };
}

const dataUrlBytes = (href: string) => {
  expect(href).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  return new Uint8Array(Buffer.from(href.slice(href.indexOf(',') + 1), 'base64'));
};

describe('encodePng', () => {
  it('writes a valid palette PNG that inflates back to its pixels', () => {
    const palette = new Uint8Array([0, 0, 0, 255, 255, 255, 255, 0, 0]);
    const indices = Uint8Array.from({ length: 5 * 3 }, (_, i) => i % 3);
    const d = decodePng(encodePng(5, 3, indices, palette));
    expect([d.width, d.height]).toEqual([5, 3]);
    expect(Array.from(d.indices)).toEqual(Array.from(indices));
    expect(Array.from(d.palette)).toEqual(Array.from(palette));
  });
  it('splits big images into several stored blocks', () => {
    const indices = Uint8Array.from({ length: 300 * 300 }, (_, i) => (i * 7) % 256);
    const d = decodePng(encodePng(300, 300, indices, new Uint8Array(768)));
    expect(d.indices).toEqual(indices);
  });
  it('refuses pixel counts that do not fit the size', () => {
    expect(() => encodePng(2, 2, new Uint8Array(3), new Uint8Array(3))).toThrow(RangeError);
  });
});

describe('colour scales', () => {
  it('run white to dark for sequential and gray, blue–white–red around zero for diverging', () => {
    expect(colorRgb('gray', 0)).toEqual([255, 255, 255]);
    expect(colorRgb('gray', 1)).toEqual([0, 0, 0]);
    expect(color('diverging', 0.5)).toBe('#f7f7f7');
    const [r0, , b0] = colorRgb('diverging', 0), [r1, , b1] = colorRgb('diverging', 1);
    expect(b0).toBeGreaterThan(r0);
    expect(r1).toBeGreaterThan(b1);
    const n = normalizer('diverging', -2, 1);
    expect([n(-2), n(0), n(2), n(5)]).toEqual([0, 0.5, 1, 1]);
    expect(normalizer('sequential', 2, 4)(3)).toBe(0.5);
  });
});

describe('buildReport', () => {
  let m: MnistDataset, net: Network, history: History, files: Map<string, string>, docs: Map<string, XmlElement>;
  const units = 12;

  beforeAll(async () => {
    m = await loadMnist({ limit: 600 });
    net = await createNetwork({ inputSize: 784, layers: [{ units, activation: 'relu' }, { units: 10, activation: 'softmax' }], optimizer: 'adam', learningRate: 0.003, seed: 5 });
    history = await net.fit(m.xTrain, m.yTrain, { epochs: 3, batchSize: 32, validationData: [m.xTest, m.yTest] });
    const report: ReportFile[] = buildReport({
      dataset: 'mnist', net, history, xTest: m.xTest, yTest: m.yTest, classNames: m.classNames, imageShape: m.imageShape,
      summary: [['dataset', 'mnist <bundled> & co']],
    });
    files = new Map(report.map((f) => [f.name, f.data]));
    docs = new Map([...files].filter(([name]) => name.endsWith('.svg')).map(([name, data]) => [name, parseXml(data)]));
  }, 60_000);

  it('writes every picture as well-formed SVG, and index.html last', () => {
    expect([...files.keys()]).toEqual(['loss.svg', 'accuracy.svg', 'confusion.svg', 'classes.svg', 'weights.svg', 'activations.svg', 'index.html']);
    for (const [name, doc] of docs) {
      expect(doc.name, name).toBe('svg');
      expect(doc.attrs.xmlns, name).toBe('http://www.w3.org/2000/svg');
      expect(files.get(name)!, name).not.toMatch(/NaN|Infinity|undefined/);
    }
  });

  it('loss and accuracy: train and validation, one point per epoch', () => {
    for (const name of ['loss.svg', 'accuracy.svg']) {
      const doc = docs.get(name)!;
      const lines = select(doc, 'polyline');
      expect(lines.map((l) => l.attrs.points.split(' ').length), name).toEqual([3, 3]);
      expect(textOf(doc)).toContain('train');
      expect(textOf(doc)).toContain('validation');
    }
  });

  it('confusion: one cell per entry, each with its count', () => {
    const cm = confusionMatrix(m.yTest, net.predictClasses(m.xTest), 10);
    const cells = select(docs.get('confusion.svg')!, 'g', 'cell');
    expect(cells).toHaveLength(100);
    for (const c of cells) {
      const i = Number(c.attrs['data-true']), j = Number(c.attrs['data-predicted']);
      expect(Number(c.attrs['data-count']), `${i},${j}`).toBe(cm[i][j]);
      expect(textOf(select(c, 'text', 'count')[0])).toBe(String(cm[i][j]));
      expect(select(c, 'rect')).toHaveLength(1);
    }
    expect(new Set(cells.map((c) => `${c.attrs['data-true']},${c.attrs['data-predicted']}`)).size).toBe(100);
  });

  it('per-class table: one row per class with its precision, recall, F1 and support', () => {
    const p = precisionRecallF1(m.yTest, net.predictClasses(m.xTest), 10);
    const rows = select(docs.get('classes.svg')!, 'g', 'class-row');
    expect(rows).toHaveLength(10);
    rows.forEach((row, c) => {
      const cells = select(row, 'text').map(textOf);
      expect(cells).toEqual([String(c), p.precision[c].toFixed(3), p.recall[c].toFixed(3), p.f1[c].toFixed(3), String(p.support[c])]);
    });
    expect(select(docs.get('classes.svg')!, 'g', 'summary-row')).toHaveLength(3);
  });

  it('weights: one 28×28 tile per hidden unit, coloured by that unit’s weights', () => {
    const tiles = select(docs.get('weights.svg')!, 'g', 'tile');
    expect(tiles).toHaveLength(units);
    expect(tiles.map((t) => Number(t.attrs['data-unit']))).toEqual([...Array(units).keys()]);
    const { weights } = net.getWeights()[0];
    for (const u of [0, units - 1]) {
      const images = select(tiles[u], 'image');
      expect(images).toHaveLength(1);
      const png = decodePng(dataUrlBytes(images[0].attrs.href));
      expect([png.width, png.height]).toEqual([28, 28]);
      const column = Array.from({ length: 784 }, (_, i) => weights[i * units + u]);
      const max = Math.max(...column.map(Math.abs));
      const norm = normalizer('diverging', -max, max);
      // Every pixel is its weight on the unit's own symmetric scale.
      for (let i = 0; i < 784; i++) expect(png.indices[i], `unit ${u}, pixel ${i}`).toBe(Math.round(norm(column[i]) * 255));
    }
  });

  it('activations: the chosen samples, each with its input, every hidden unit and every output', () => {
    const pred = net.predictClasses(m.xTest);
    const chosen = chooseExamples(m.yTest, pred, 10, 12);
    const examples = select(docs.get('activations.svg')!, 'g', 'example');
    expect(examples.map((e) => Number(e.attrs['data-row']))).toEqual(chosen);
    const acts = net.activations(m.xTest);
    for (const e of examples) {
      const r = Number(e.attrs['data-row']);
      expect(Number(e.attrs['data-true'])).toBe(m.yTest[r]);
      expect(Number(e.attrs['data-predicted'])).toBe(pred[r]);
      const input = decodePng(dataUrlBytes(select(select(e, 'g', 'input')[0], 'image')[0].attrs.href));
      expect([input.width, input.height]).toEqual([28, 28]);
      // Ink on paper: palette index = pixel value × 255 (0 white, 255 black).
      for (let i = 0; i < 784; i += 13) expect(input.indices[i]).toBe(Math.round(m.xTest.data[r * 784 + i] * 255));
      const layers = select(e, 'g', 'layer');
      expect(layers.map((l) => Number(l.attrs['data-units']))).toEqual([units]);
      const cells = select(layers[0], 'rect').filter((c) => c.attrs.fill !== 'none');
      expect(cells).toHaveLength(units);
      cells.forEach((c, u) => expect(textOf(c)).toBe(`unit ${u + 1}: ${acts[0].data[r * units + u].toPrecision(3)}`));
      const bars = select(e, 'rect', 'bar');
      expect(bars).toHaveLength(10);
      bars.forEach((b, j) => expect(textOf(b)).toBe(`${j}: ${acts[1].data[r * 10 + j].toPrecision(3)}`));
    }
  });

  it('chooses the first sample of each class, then the first mistakes', () => {
    const y = Int32Array.from([2, 0, 0, 1, 2, 1, 0]), p = Int32Array.from([2, 1, 0, 1, 2, 2, 0]);
    expect(chooseExamples(y, p, 3, 12)).toEqual([1, 3, 0, 5]);
    expect(chooseExamples(y, p, 3, 2)).toEqual([1, 3]);
  });

  it('index.html shows the summary, the scores and every picture, with no outside resource', () => {
    const html = files.get('index.html')!;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const name of docs.keys()) expect(html).toContain(`<img src="${name}"`);
    expect(html).toContain('<th>dataset</th><td>mnist &lt;bundled&gt; &amp; co</td>');
    expect(html.match(/<tr><td>\d<\/td>/g)).toHaveLength(10);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe('the XML check itself', () => {
  it('refuses what is not well-formed', () => {
    for (const bad of ['<a><b></a></b>', '<a x=1/>', '<a x="1" x="2"/>', '<a>&nbsp;</a>', '<a>1 & 2</a>', '<a x="<"/>', '<a/><b/>', '<a>', 'text<a/>', '<a>\u0001</a>'])
      expect(() => parseXml(bad), bad).toThrow();
    expect(textOf(parseXml('<?xml version="1.0"?><a t="&quot;">x &amp; <b>y</b><!-- c --></a>'))).toBe('x & y');
  });
});
