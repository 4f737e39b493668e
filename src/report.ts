// The pictures `train --report DIR` writes: loss and accuracy curves, the
// confusion matrix, per-class scores, the first layer's weights as images and
// every layer's activations for a few test samples, tied together by an
// index.html that needs no network. Pure functions from a trained network
// and its test set to file contents, so a web page can draw the same.
import { classificationReport, type ClassificationReport } from './metrics.js';
import { matrix, type Matrix } from './matrix.js';
import type { History, Network } from './network.js';
import { color, colorBar, escapeXml, formatCoordinate as fmt, lineChart, normalizer, pixelImageUrl, svgImage, type ColorScale } from './plot.js';

export interface ReportInput {
  /** e.g. 'mnist' */
  dataset: string;
  net: Network;
  history: History;
  /** the test set, as the network sees it (scaled) */
  xTest: Matrix;
  yTest: Int32Array;
  classNames: string[];
  /** height × width of an input when inputs are images (MNIST: 28×28); otherwise inputs are drawn as one row */
  imageShape?: [number, number];
  /** names of the inputs, shown on hover where inputs are drawn one by one (not for images) */
  featureNames?: string[];
  /** label/value pairs for the summary table of index.html */
  summary: [string, string][];
  /** at most this many test samples in the activations picture (default 12) */
  examples?: number;
}

export interface ReportFile { name: string; data: string }

const FONT = 'font-family="sans-serif" font-size="12"';
const svgOpen = (w: number, h: number) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(w)}" height="${fmt(h)}" viewBox="0 0 ${fmt(w)} ${fmt(h)}" ${FONT}>\n<rect width="${fmt(w)}" height="${fmt(h)}" fill="white"/>`;
const text = (x: number, y: number, s: string, attrs = '') => `<text x="${fmt(x)}" y="${fmt(y)}"${attrs ? ' ' + attrs : ''}>${escapeXml(s)}</text>`;
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
/** About the width of a character at font-size 12, for laying out labels. */
const CHAR_W = 7;
const f3 = (v: number) => v.toFixed(3);

/** Every file of the report, index.html last. */
export function buildReport(input: ReportInput): ReportFile[] {
  const { net, xTest, yTest, classNames } = input;
  const predicted = net.predictClasses(xTest);
  const scores = classificationReport(yTest, predicted, classNames.length, classNames);
  const files: ReportFile[] = [];
  files.push({ name: 'loss.svg', data: curves(input.history, 'loss', `Loss per epoch (${net.spec.loss})`, 'Loss') });
  if (input.history.accuracy) files.push({ name: 'accuracy.svg', data: curves(input.history, 'accuracy', 'Accuracy per epoch', 'Accuracy') });
  files.push({ name: 'confusion.svg', data: confusionChart(scores.confusionMatrix, classNames, `Confusion matrix: ${scores.samples} test samples`) });
  files.push({ name: 'classes.svg', data: classTable(scores, 'Per-class precision, recall and F1 (test set)') });
  files.push({ name: 'weights.svg', data: weightTiles(net, input.imageShape, input.featureNames) });
  const chosen = chooseExamples(yTest, predicted, classNames.length, input.examples ?? 12);
  files.push({ name: 'activations.svg', data: activationChart(net, xTest, yTest, chosen, classNames, input.imageShape, input.featureNames) });
  files.push({ name: 'index.html', data: indexHtml(input, scores, files.map((f) => f.name)) });
  return files;
}

// ---------------------------------------------------------------- curves

/** Train vs validation, one point per epoch. The training value is the mean over the epoch's batches, as the weights moved. */
function curves(h: History, what: 'loss' | 'accuracy', title: string, yLabel: string): string {
  const train = what === 'loss' ? h.loss : h.accuracy!;
  const val = what === 'loss' ? h.valLoss : h.valAccuracy;
  const epochs = (v: number[]) => v.map((_, i) => i + 1);
  const series = [{ name: 'train', values: train, x: epochs(train) }];
  if (val?.length) series.push({ name: 'validation', values: val, x: epochs(val) });
  return lineChart({ title, xLabel: 'Epoch', yLabel, series });
}

// ---------------------------------------------------------------- confusion matrix

/**
 * k×k cells, one per count: rows are true classes, columns predictions.
 * Correct predictions are blue by their share of the true class; errors red,
 * scaled to the largest error share, so that the few confusions stand out.
 */
export function confusionChart(cm: number[][], classNames: string[], title: string): string {
  const k = cm.length;
  // Class names set the margins; long ones widen the cells, up to a point, then the column labels slant.
  const nameW = Math.max(...classNames.map((n) => n.length)) * CHAR_W;
  const base = Math.max(18, Math.min(44, Math.floor(440 / k))), wide = Math.min(90, Math.ceil(nameW + 8));
  const cell = wide > base && k * wide <= 600 ? wide : base;
  const slant = nameW + 8 > cell;
  const left = 40 + nameW, top = slant ? 60 + nameW * 0.7 : 72, gridW = cell * k;
  const width = Math.max(left + gridW + 90, left + 370), height = top + gridW + 76;
  const rowTotals = cm.map((r) => r.reduce((a, b) => a + b, 0));
  const share = (i: number, j: number) => (rowTotals[i] ? cm[i][j] / rowTotals[i] : 0);
  let maxError = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) maxError = Math.max(maxError, share(i, j));
  const size = Math.max(9, Math.min(16, Math.round(cell * 0.3)));
  const out = [svgOpen(width, height), text(width / 2, 24, title, 'text-anchor="middle" font-size="16"')];
  out.push(text(left + gridW / 2, slant ? 44 : 46, 'predicted', 'text-anchor="middle" font-weight="bold"'));
  out.push(`<text transform="translate(18 ${fmt(top + gridW / 2)}) rotate(-90)" text-anchor="middle" font-weight="bold">true</text>`);
  for (let j = 0; j < k; j++) {
    const x = left + j * cell + cell / 2;
    out.push(slant ? `<text transform="translate(${fmt(x)} ${fmt(top - 8)}) rotate(-45)">${escapeXml(classNames[j])}</text>`
      : text(x, top - 8, classNames[j], 'text-anchor="middle"'));
  }
  out.push(text(left + gridW + 8, top - 8, 'samples'));
  for (let i = 0; i < k; i++) {
    const y = top + i * cell;
    out.push(text(left - 8, y + cell / 2, classNames[i], 'text-anchor="end" dominant-baseline="middle"'));
    out.push(text(left + gridW + 8, y + cell / 2, String(rowTotals[i]), 'dominant-baseline="middle"'));
    for (let j = 0; j < k; j++) {
      const x = left + j * cell, n = cm[i][j], s = share(i, j);
      const t = i === j ? s : maxError > 0 ? s / maxError : 0;
      const fill = n === 0 ? '#ffffff' : color(i === j ? 'sequential' : 'diverging', i === j ? t : 0.5 + t / 2);
      const ink = n === 0 ? '#bbbbbb' : t > 0.6 ? '#ffffff' : '#222222';
      out.push(`<g class="cell" data-true="${i}" data-predicted="${j}" data-count="${n}">` +
        `<title>${escapeXml(`true ${classNames[i]}, predicted ${classNames[j]}: ${n} (${pct(s)} of the ${classNames[i]}s)`)}</title>` +
        `<rect x="${fmt(x)}" y="${fmt(y)}" width="${cell}" height="${cell}" fill="${fill}" stroke="#dddddd"/>` +
        `<text class="count" x="${fmt(x + cell / 2)}" y="${fmt(y + cell / 2)}" text-anchor="middle" dominant-baseline="central" font-size="${size}" fill="${ink}">${n}</text></g>`);
    }
  }
  out.push(`<rect x="${left}" y="${top}" width="${gridW}" height="${gridW}" fill="none" stroke="#333333"/>`);
  const legendY = top + gridW + 34;
  out.push(text(left, legendY - 6, 'correct: share of the true class', 'font-size="11"'));
  out.push(colorBar(left, legendY, 150, 10, 'sequential', '0%', '100%', 'cm-correct'));
  out.push(text(left + 190, legendY - 6, 'errors: share of the true class', 'font-size="11"'));
  out.push(`<defs><linearGradient id="cm-error">${[0, 0.5, 1].map((o) => `<stop offset="${o}" stop-color="${color('diverging', 0.5 + o / 2)}"/>`).join('')}</linearGradient></defs>`);
  out.push(`<rect x="${left + 190}" y="${legendY}" width="150" height="10" fill="url(#cm-error)" stroke="#999"/>`);
  out.push(text(left + 190, legendY + 23, '0%', 'font-size="11"'));
  out.push(text(left + 340, legendY + 23, pct(maxError), 'font-size="11" text-anchor="end"'));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- per-class scores

/** A table of precision, recall, F1 and support, each score with a bar behind it. */
export function classTable(r: ClassificationReport, title: string): string {
  // Right edges of the columns; each score has a 0–1 bar ending at its column's edge.
  const rowH = 22, top = 58, right = [0, 220, 320, 420, 490], barW = 84;
  const width = 510, height = top + rowH * (r.classes.length + 4) + 24;
  const out = [svgOpen(width, height), text(width / 2, 24, title, 'text-anchor="middle" font-size="15"')];
  ['class', 'precision', 'recall', 'F1', 'support'].forEach((h, i) =>
    out.push(text(i ? right[i] - 4 : 16, top, h, `font-weight="bold"${i ? ' text-anchor="end"' : ''}`)));
  out.push(`<line x1="12" y1="${top + 7}" x2="${width - 12}" y2="${top + 7}" stroke="#333333"/>`);
  const line = (y: number, label: string, v: (number | undefined)[], support: number, cls: string) => {
    const parts = [`<g class="${cls}">`, text(16, y, label)];
    v.forEach((value, i) => {
      if (value === undefined) return;
      const x = right[i + 1] - barW;
      parts.push(`<rect x="${x}" y="${fmt(y - 14)}" width="${fmt(barW * value)}" height="18" fill="${color('sequential', 0.1 + 0.2 * value)}"/>`);
      parts.push(text(right[i + 1] - 4, y, f3(value), 'text-anchor="end"'));
    });
    parts.push(text(right[4] - 4, y, String(support), 'text-anchor="end"'), '</g>');
    out.push(parts.join(''));
  };
  r.classes.forEach((c, i) => line(top + rowH * (i + 1), c.name, [c.precision, c.recall, c.f1], c.support, 'class-row'));
  const y0 = top + rowH * (r.classes.length + 1);
  out.push(`<line x1="12" y1="${y0 - 14}" x2="${width - 12}" y2="${y0 - 14}" stroke="#999999"/>`);
  line(y0 + 6, 'accuracy', [undefined, undefined, r.accuracy], r.samples, 'summary-row');
  line(y0 + 6 + rowH, 'macro avg', [r.macroAvg.precision, r.macroAvg.recall, r.macroAvg.f1], r.samples, 'summary-row');
  line(y0 + 6 + 2 * rowH, 'weighted avg', [r.weightedAvg.precision, r.weightedAvg.recall, r.weightedAvg.f1], r.samples, 'summary-row');
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- first-layer weights

const isImage = (inputs: number, imageShape?: [number, number]): imageShape is [number, number] =>
  !!imageShape && imageShape[0] * imageShape[1] === inputs;

/**
 * Values as coloured squares, `cols` to a row, each with its value on hover:
 * crisp in every renderer (scaled-up PNGs are smoothed by some), for inputs
 * that are not images and are few.
 */
function valueCells(values: ArrayLike<number>, x: number, y: number, cols: number, cw: number, ch: number,
  scale: ColorScale, norm: (v: number) => number, names?: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out.push(`<rect x="${fmt(x + (i % cols) * cw)}" y="${fmt(y + Math.floor(i / cols) * ch)}" width="${fmt(cw)}" height="${fmt(ch)}" fill="${color(scale, norm(v))}">` +
      `<title>${escapeXml(`${names?.[i] ?? `input ${i + 1}`}: ${v.toPrecision(3)}`)}</title></rect>`);
  }
  return out.join('');
}

/** The shape an input is drawn in: the image shape, or one row of features. */
const inputShape = (inputs: number, imageShape?: [number, number]): [number, number] =>
  imageShape && imageShape[0] * imageShape[1] === inputs ? imageShape : [1, inputs];

/** One tile per hidden unit of the first layer: its incoming weights laid out like the input. */
export function weightTiles(net: Network, imageShape?: [number, number], featureNames?: string[]): string {
  const { weights } = net.getWeights()[0];
  const inputs = net.inputSize, units = weights.length / inputs;
  const [h, w] = inputShape(inputs, imageShape);
  // Whole pixels per input, and tiles at least ~40 px across.
  const scale = Math.max(2, Math.ceil(40 / Math.max(w, 1)));
  const tw = w * scale, th = Math.max(h * scale, 8);
  const cols = Math.max(1, Math.min(units, Math.floor(980 / (tw + 6)), Math.ceil(Math.sqrt(units * 2))));
  const rows = Math.ceil(units / cols), gap = 6, left = 16, top = 50;
  const width = Math.max(left * 2 + cols * (tw + gap), 420), height = top + rows * (th + gap) + 50;
  const out = [svgOpen(width, height)];
  out.push(text(width / 2, 22, `First-layer weights: one ${h}×${w} tile per hidden unit (${units})`, 'text-anchor="middle" font-size="15"'));
  out.push(text(width / 2, 40, 'each tile scaled to its own largest |w|: red positive, blue negative, white zero', 'text-anchor="middle" fill="#555555"'));
  const column = new Float32Array(inputs);
  for (let u = 0; u < units; u++) {
    let max = 0;
    for (let i = 0; i < inputs; i++) { column[i] = weights[i * units + u]; max = Math.max(max, Math.abs(column[i])); }
    const x = left + (u % cols) * (tw + gap), y = top + Math.floor(u / cols) * (th + gap);
    const norm = normalizer('diverging', -max, max);
    const body = isImage(inputs, imageShape) ? svgImage('', x, y, tw, th, pixelImageUrl(column, w, h, 'diverging', norm))
      : valueCells(column, x, y, w, tw / w, th / h, 'diverging', norm, featureNames);
    out.push(`<g class="tile" data-unit="${u}"><title>hidden unit ${u + 1}: |w| ≤ ${max.toPrecision(3)}</title>${body}</g>`);
  }
  out.push(colorBar(left, height - 34, 160, 10, 'diverging', '−max', '+max', 'w-scale'));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- activations

/** The first test sample of each class, then the first misclassified ones, up to `max`. */
export function chooseExamples(yTrue: Int32Array, yPred: Int32Array, k: number, max: number): number[] {
  const chosen: number[] = [];
  for (let c = 0; c < k && chosen.length < max; c++) {
    const i = yTrue.indexOf(c);
    if (i >= 0) chosen.push(i);
  }
  const wrongs = Math.min(2, Math.max(0, max - chosen.length));
  for (let i = 0, added = 0; i < yTrue.length && added < wrongs; i++)
    if (yTrue[i] !== yPred[i] && !chosen.includes(i)) { chosen.push(i); added++; }
  return chosen;
}

/** A grid with about twice as many columns as rows, for n units. */
const gridOf = (n: number): [number, number] => {
  const cols = Math.ceil(Math.sqrt(2 * n));
  return [Math.ceil(n / cols), cols];
};

/**
 * One row per chosen sample: the input, each hidden layer as a heat map of
 * its units (one square per unit, same colour scale for every sample), and
 * the output layer as bars.
 */
export function activationChart(net: Network, x: Matrix, y: Int32Array, chosen: number[], classNames: string[], imageShape?: [number, number], featureNames?: string[]): string {
  const n = chosen.length, inputs = x.cols;
  const rowsX = matrix(n, inputs);
  chosen.forEach((r, i) => rowsX.data.set(x.data.subarray(r * inputs, (r + 1) * inputs), i * inputs));
  const acts = net.activations(rowsX);
  const layers = net.spec.layers;
  const hidden = acts.slice(0, -1), output = acts[acts.length - 1];
  const rowH = 84, gap = 34, labelW = 150, top = 84, pad = 30;

  const [ih, iw] = inputShape(inputs, imageShape);
  const inputW = ih === 1 ? Math.min(300, Math.max(84, iw * 12)) : (rowH * iw) / ih;
  const inRange = range(x.data);
  const inScale: ColorScale = imageShape ? 'gray' : inRange[0] < 0 ? 'diverging' : 'sequential';
  const inNorm = normalizer(inScale, inRange[0], inRange[1]);

  const grids = hidden.map((m) => {
    const [gr, gc] = gridOf(m.cols);
    const cell = Math.min(rowH / gr, 14);
    const [lo, hi] = range(m.data);
    const scale: ColorScale = lo < 0 ? 'diverging' : 'sequential';
    return { gr, gc, cell, w: gc * cell, scale, norm: normalizer(scale, Math.min(lo, 0), hi), lo, hi };
  });
  const longest = Math.max(...Array.from({ length: output.cols }, (_, j) => (classNames[j] ?? String(j)).length));
  const k = output.cols, barW = Math.max(8, Math.min(18, 200 / k), Math.min(70, longest * CHAR_W + 4));
  let xCursor = labelW + inputW + pad;
  const gridX = grids.map((g) => { const at = xCursor; xCursor += g.w + pad; return at; });
  const barsX = xCursor, width = Math.max(barsX + k * barW + 24, barsX + 140), height = top + n * (rowH + gap) + 10;

  const out = [svgOpen(width, height)];
  out.push(text(width / 2, 22, `Activations of every layer for ${n} test samples`, 'text-anchor="middle" font-size="15"'));
  out.push(text(labelW, top - 16, 'input', 'font-weight="bold"'));
  grids.forEach((g, i) => out.push(text(gridX[i], top - 16, `hidden ${i + 1}: ${layers[i].units} ${layers[i].activation}`, 'font-weight="bold"')));
  out.push(text(barsX, top - 16, `output: ${layers[layers.length - 1].activation}`, 'font-weight="bold"'));
  out.push(text(width / 2, 40, 'hidden units: darker = larger (one colour scale per layer, shared by all rows)', 'text-anchor="middle" fill="#555555"'));

  chosen.forEach((r, s) => {
    const y0 = top + s * (rowH + gap);
    let best = 0;
    for (let j = 1; j < k; j++) if (output.data[s * k + j] > output.data[s * k + best]) best = j;
    const pred = k === 1 ? (output.data[s] >= 0.5 ? 1 : 0) : best;
    const ok = pred === y[r];
    out.push(`<g class="example" data-row="${r}" data-true="${y[r]}" data-predicted="${pred}">`);
    out.push(text(12, y0 + 24, `test sample ${r + 1}`, 'fill="#555555"'));
    out.push(text(12, y0 + 44, `true ${classNames[y[r]] ?? y[r]}`, 'font-weight="bold"'));
    out.push(text(12, y0 + 64, `predicted ${classNames[pred] ?? pred}`, `fill="${ok ? '#1a7f37' : '#cf222e'}"`));

    const values = rowsX.data.subarray(s * inputs, (s + 1) * inputs);
    const drawn = isImage(inputs, imageShape) ? svgImage('', labelW, y0, inputW, rowH, pixelImageUrl(values, iw, ih, inScale, inNorm))
      : valueCells(values, labelW, y0, iw, inputW / iw, Math.min(rowH / ih, 24), inScale, inNorm, featureNames);
    out.push(`<g class="input">${drawn}</g>`);

    grids.forEach((g, i) => {
      const m = hidden[i], units = m.cols;
      const cells: string[] = [];
      for (let u = 0; u < units; u++) {
        const v = m.data[s * units + u];
        const cx = gridX[i] + (u % g.gc) * g.cell, cy = y0 + Math.floor(u / g.gc) * g.cell;
        cells.push(`<rect x="${fmt(cx)}" y="${fmt(cy)}" width="${fmt(g.cell)}" height="${fmt(g.cell)}" fill="${color(g.scale, g.norm(v))}"><title>unit ${u + 1}: ${v.toPrecision(3)}</title></rect>`);
      }
      out.push(`<g class="layer" data-layer="${i + 1}" data-units="${units}">${cells.join('')}<rect x="${fmt(gridX[i])}" y="${y0}" width="${fmt(g.w)}" height="${fmt(g.gr * g.cell)}" fill="none" stroke="#cccccc"/></g>`);
    });

    const bars: string[] = [];
    const base = y0 + rowH - 14;
    for (let j = 0; j < k; j++) {
      const p = output.data[s * k + j], bh = Math.max(0, Math.min(1, p)) * (rowH - 26);
      const bx = barsX + j * barW;
      const fill = j === pred ? (ok ? '#2da44e' : '#cf222e') : '#8c959f';
      bars.push(`<rect class="bar" x="${fmt(bx + 1)}" y="${fmt(base - bh)}" width="${fmt(barW - 2)}" height="${fmt(bh)}" fill="${fill}"><title>${escapeXml(`${classNames[j] ?? j}: ${p.toPrecision(3)}`)}</title></rect>`);
      bars.push(text(bx + barW / 2, base + 12, classNames[j] ?? String(j), `text-anchor="middle" font-size="10"${j === y[r] ? ' font-weight="bold"' : ''}`));
    }
    bars.push(`<line x1="${barsX}" y1="${base}" x2="${barsX + k * barW}" y2="${base}" stroke="#333333"/>`);
    bars.push(text(barsX + pred * barW + barW / 2, base - Math.max(0, Math.min(1, output.data[s * k + pred])) * (rowH - 26) - 3, output.data[s * k + pred].toFixed(2), 'text-anchor="middle" font-size="10"'));
    out.push(`<g class="output" data-units="${k}">${bars.join('')}</g>`);
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function range(a: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < a.length; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i]; }
  return lo <= hi ? [lo, hi] : [0, 1];
}

// ---------------------------------------------------------------- index.html

const FIGURES: Record<string, string> = {
  'loss.svg': 'Loss per epoch. Training loss is the mean over each epoch’s batches while the weights moved; validation loss is measured after the epoch.',
  'accuracy.svg': 'Accuracy per epoch, on the training batches and on the validation set.',
  'confusion.svg': 'Confusion matrix on the test set: row = true class, column = prediction, with the count in each cell.',
  'classes.svg': 'Precision, recall and F1 per class on the test set.',
  'weights.svg': 'The first layer’s weights: what each hidden unit looks for in the input.',
  'activations.svg': 'What every layer does with a few test samples: the input, each hidden layer’s units, the output probabilities.',
};

function indexHtml(input: ReportInput, r: ClassificationReport, names: string[]): string {
  const esc = escapeXml;
  const summary = input.summary.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n');
  const classRows = r.classes.map((c) =>
    `<tr><td>${esc(c.name)}</td><td>${f3(c.precision)}</td><td>${f3(c.recall)}</td><td>${f3(c.f1)}</td><td>${c.support}</td></tr>`).join('\n');
  const figures = names.filter((n) => n.endsWith('.svg')).map((n) =>
    `<figure><img src="${esc(n)}" alt="${esc(FIGURES[n] ?? n)}"><figcaption>${esc(FIGURES[n] ?? n)}</figcaption></figure>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(`backprop-wasm report: ${input.dataset}`)}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: 0.2em 0.8em; text-align: left; border-bottom: 1px solid #ddd; }
td + td { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 2em 0; }
img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; margin-top: 0.4em; }
</style>
</head>
<body>
<h1>${esc(`backprop-wasm report: ${input.dataset}`)}</h1>
<table>
${summary}
</table>
<h2>Test set, per class</h2>
<table>
<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>
${classRows}
<tr><td>accuracy</td><td></td><td></td><td>${f3(r.accuracy)}</td><td>${r.samples}</td></tr>
<tr><td>macro avg</td><td>${f3(r.macroAvg.precision)}</td><td>${f3(r.macroAvg.recall)}</td><td>${f3(r.macroAvg.f1)}</td><td>${r.samples}</td></tr>
<tr><td>weighted avg</td><td>${f3(r.weightedAvg.precision)}</td><td>${f3(r.weightedAvg.recall)}</td><td>${f3(r.weightedAvg.f1)}</td><td>${r.samples}</td></tr>
</table>
${figures}
</body>
</html>
`;
}
