// Tiny, dependency-free SVG drawing: a line chart for loss curves, colour
// scales and pixel images for heat maps, digits and weights. Small enough to
// ship in the browser bundle.
import { encodeBytes } from './base64.js';
import { encodePng } from './png.js';

export interface Series { name: string; values: number[]; x?: number[] }

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  logY?: boolean;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const MAX_POINTS = 2000;

export function escapeXml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters even when escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

/** ~`count` round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) { const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1; lo -= d; hi += d; }
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  // k·step, rounded, so ticks read 0.3 and not 0.30000000000000004
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return ticks;
}

function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(1).replace('e+', 'e');
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

function formatLog(v: number): string {
  return v >= 1e6 || v < 1e-4 ? v.toExponential(1).replace('e+', 'e') : String(Number(v.toPrecision(3)));
}

/** Every `stride`-th point plus the last, so a long series keeps its shape in ≤ MAX_POINTS points. */
function downsample(xs: number[], ys: number[]): [number[], number[]] {
  const n = xs.length;
  if (n <= MAX_POINTS) return [xs, ys];
  const stride = Math.ceil(n / (MAX_POINTS - 1));
  const ox: number[] = [], oy: number[] = [];
  for (let i = 0; i < n; i += stride) { ox.push(xs[i]); oy.push(ys[i]); }
  if ((n - 1) % stride !== 0) { ox.push(xs[n - 1]); oy.push(ys[n - 1]); }
  return [ox, oy];
}

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 720, height = opts.height ?? 440;
  const logY = opts.logY ?? false;
  const legend = opts.series.length > 1;
  const m = { left: 70, right: legend ? 170 : 24, top: 44, bottom: 56 };
  const pw = Math.max(10, width - m.left - m.right), ph = Math.max(10, height - m.top - m.bottom);

  // Finite points only; under logY the y values are log10 of the positive ones.
  const pts = opts.series.map((s) => {
    const xs: number[] = [], ys: number[] = [];
    s.values.forEach((v, i) => {
      const x = s.x ? s.x[i] : i;
      const y = logY ? (v > 0 ? Math.log10(v) : NaN) : v;
      if (Number.isFinite(x) && Number.isFinite(y)) { xs.push(x); ys.push(y); }
    });
    return downsample(xs, ys);
  });
  const all = (k: 0 | 1) => pts.flatMap((p) => p[k]);
  const range = (vs: number[]): [number, number] =>
    vs.length ? [vs.reduce((a, b) => Math.min(a, b)), vs.reduce((a, b) => Math.max(a, b))] : [0, 1];
  let [x0, x1] = range(all(0)), [y0, y1] = range(all(1));

  const xt = niceTicks(x0, x1);
  const yt = logY ? logTicks(y0, y1) : niceTicks(y0, y1);
  x0 = Math.min(x0, xt[0]); x1 = Math.max(x1, xt[xt.length - 1]);
  y0 = Math.min(y0, yt[0]); y1 = Math.max(y1, yt[yt.length - 1]);
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const xStep = xt.length > 1 ? xt[1] - xt[0] : 1, yStep = yt.length > 1 ? yt[1] - yt[0] : 1;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${fmt(m.left + pw / 2)}" y="26" text-anchor="middle" font-size="16">${escapeXml(opts.title)}</text>`);
  for (const t of xt) {
    const x = fmt(sx(t));
    out.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + ph}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${x}" y="${m.top + ph + 18}" text-anchor="middle">${escapeXml(formatTick(t, xStep))}</text>`);
  }
  for (const t of yt) {
    const y = fmt(sy(t));
    const label = logY ? formatLog(10 ** t) : formatTick(t, yStep);
    out.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${m.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(label)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${fmt(m.left + pw / 2)}" y="${height - 14}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${fmt(m.top + ph / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}${logY ? ' (log scale)' : ''}</text>`);
  pts.forEach(([xs, ys], i) => {
    if (!xs.length) return;
    const points = xs.map((x, j) => `${fmt(sx(x))},${fmt(sy(ys[j]))}`).join(' ');
    out.push(`<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${points}"/>`);
    // A few points (say, one per epoch) are easier to read with a dot on each.
    if (xs.length <= 40) out.push(xs.map((x, j) => `<circle cx="${fmt(sx(x))}" cy="${fmt(sy(ys[j]))}" r="2.5" fill="${COLORS[i % COLORS.length]}"/>`).join(''));
  });
  if (legend) {
    opts.series.forEach((s, i) => {
      const y = m.top + 10 + i * 20, x = m.left + pw + 16;
      out.push(`<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>`);
      out.push(`<text x="${x + 30}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
    });
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Ticks in log10 space: whole decades when the data spans some, else nice linear ticks of the exponent. */
function logTicks(lo: number, hi: number): number[] {
  const decades: number[] = [];
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) decades.push(k);
  if (decades.length >= 3) {
    const every = Math.ceil(decades.length / 6);
    return decades.filter((_, i) => i % every === 0);
  }
  return niceTicks(lo, hi);
}

// ---------------------------------------------------------------- colours and pixel images

export type ColorScale = 'gray' | 'sequential' | 'diverging';

const lerp = (a: number, b: number, t: number) => Math.round(a + (b - a) * t);
const hex2 = (v: number) => v.toString(16).padStart(2, '0');
const clamp01 = (t: number) => (t > 1 ? 1 : t < 0 || !(t === t) ? 0 : t);

/** Colour stops, [t, r, g, b]; the diverging map is ColorBrewer's RdBu (blue −, white 0, red +), the sequential one its Blues. */
const STOPS: Record<ColorScale, number[][]> = {
  gray: [[0, 255, 255, 255], [1, 0, 0, 0]], // ink on paper: 0 is white, 1 black
  sequential: [[0, 247, 251, 255], [0.25, 198, 219, 239], [0.5, 107, 174, 214], [0.75, 33, 113, 181], [1, 8, 48, 107]],
  diverging: [[0, 33, 102, 172], [0.25, 103, 169, 207], [0.5, 247, 247, 247], [0.75, 239, 138, 98], [1, 178, 24, 43]],
};

/** The colour of t ∈ [0, 1] on a scale (for 'diverging', 0.5 is zero). */
export function colorRgb(scale: ColorScale, t: number): [number, number, number] {
  const stops = STOPS[scale];
  t = clamp01(t);
  let i = 1;
  while (i < stops.length - 1 && t > stops[i][0]) i++;
  const [t0, r0, g0, b0] = stops[i - 1], [t1, r1, g1, b1] = stops[i];
  const u = (t - t0) / (t1 - t0);
  return [lerp(r0, r1, u), lerp(g0, g1, u), lerp(b0, b1, u)];
}

export function color(scale: ColorScale, t: number): string {
  return '#' + colorRgb(scale, t).map(hex2).join('');
}

/** Maps a value to [0, 1] on a scale: [lo, hi] linearly, or for 'diverging' ±max(|lo|, |hi|) around zero. */
export function normalizer(scale: ColorScale, lo: number, hi: number): (v: number) => number {
  if (scale === 'diverging') {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return (v) => clamp01(0.5 + v / (2 * m));
  }
  const span = hi - lo || 1;
  return (v) => clamp01((v - lo) / span);
}

const palettes = new Map<ColorScale, Uint8Array>();
function palette(scale: ColorScale): Uint8Array {
  let p = palettes.get(scale);
  if (!p) {
    p = new Uint8Array(768);
    for (let i = 0; i < 256; i++) p.set(colorRgb(scale, i / 255), 3 * i);
    palettes.set(scale, p);
  }
  return p;
}

/** A width×height image of `values` (row-major) as a PNG data: URL, each value coloured by `norm`. */
export function pixelImageUrl(values: ArrayLike<number>, width: number, height: number, scale: ColorScale, norm: (v: number) => number): string {
  const idx = new Uint8Array(width * height);
  for (let i = 0; i < idx.length; i++) idx[i] = Math.round(norm(values[i]) * 255);
  return 'data:image/png;base64,' + encodeBytes(encodePng(width, height, idx, palette(scale)));
}

/** An <image> that shows its pixels as crisp squares when scaled up. */
export function svgImage(attrs: string, x: number, y: number, w: number, h: number, href: string): string {
  return `<image ${attrs} x="${fmt(x)}" y="${fmt(y)}" width="${fmt(w)}" height="${fmt(h)}" preserveAspectRatio="none" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="${href}"/>`;
}

/** A horizontal colour bar with its end labels, for a legend. */
export function colorBar(x: number, y: number, w: number, h: number, scale: ColorScale, lo: string, hi: string, id: string): string {
  const stops = Array.from({ length: 11 }, (_, i) => `<stop offset="${i / 10}" stop-color="${color(scale, i / 10)}"/>`).join('');
  return [
    `<defs><linearGradient id="${id}">${stops}</linearGradient></defs>`,
    `<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(w)}" height="${fmt(h)}" fill="url(#${id})" stroke="#999"/>`,
    `<text x="${fmt(x)}" y="${fmt(y + h + 13)}" font-size="11">${escapeXml(lo)}</text>`,
    `<text x="${fmt(x + w)}" y="${fmt(y + h + 13)}" font-size="11" text-anchor="end">${escapeXml(hi)}</text>`,
  ].join('\n');
}

export { fmt as formatCoordinate };
