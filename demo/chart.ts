// Line charts as SVG markup: the live loss/accuracy chart of the MNIST panel and
// the Iris MSE curve. Axes, ticks and grid are <line>/<text>; each series is one
// <path class="series …">, so a chart with one series holds exactly one path.

export interface Series {
  name: string;
  /** y values; x is xs[i] when given, else i + 1 (epochs count from 1) */
  values: number[];
  xs?: number[];
  color: string;
  axis?: 'left' | 'right';
  /** class added to the path, for styling and tests */
  key: string;
  dots?: boolean;
}

export interface Axis { label: string; min: number; max: number; format?: (v: number) => string }

export interface ChartOptions {
  width: number;
  height: number;
  x: Axis;
  left: Axis;
  right?: Axis;
  series: Series[];
  /** a shaded band [from, to] on the x axis: the epoch in progress */
  band?: [number, number];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const r = (v: number) => (Math.round(v * 10) / 10).toString();

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw)), norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const short = (v: number) => (Math.abs(v) >= 1000 ? `${v / 1000}k` : String(Number(v.toPrecision(6))));

export function chartSvg(o: ChartOptions): string {
  const m = { top: 26, right: o.right ? 52 : 16, bottom: 38, left: 56 };
  const w = o.width - m.left - m.right, h = o.height - m.top - m.bottom;
  const span = (a: Axis) => (a.max > a.min ? a.max - a.min : 1);
  const sx = (v: number) => m.left + ((v - o.x.min) / span(o.x)) * w;
  const sy = (a: Axis, v: number) => m.top + h - ((Math.min(Math.max(v, a.min), a.max) - a.min) / span(a)) * h;
  const parts: string[] = [];
  if (o.band) {
    const [a, b] = o.band.map((v) => sx(Math.min(Math.max(v, o.x.min), o.x.max)));
    parts.push(`<rect class="progress" x="${r(a)}" y="${m.top}" width="${r(Math.max(0, b - a))}" height="${h}"/>`);
  }
  const fmt = (a: Axis, v: number) => (a.format ?? short)(v);
  for (const t of ticks(o.left.min, o.left.max)) {
    const y = r(sy(o.left, t));
    parts.push(`<line class="grid" x1="${m.left}" x2="${m.left + w}" y1="${y}" y2="${y}"/>`,
      `<text class="tick" x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(fmt(o.left, t))}</text>`);
  }
  if (o.right) {
    for (const t of ticks(o.right.min, o.right.max, 4)) {
      parts.push(`<text class="tick" x="${m.left + w + 6}" y="${r(sy(o.right, t))}" dominant-baseline="middle">${esc(fmt(o.right, t))}</text>`);
    }
  }
  const xt = ticks(o.x.min, o.x.max, 6).filter((t) => o.x.max - o.x.min > 12 || Number.isInteger(t));
  for (const t of xt) {
    parts.push(`<text class="tick" x="${r(sx(t))}" y="${m.top + h + 16}" text-anchor="middle">${esc(fmt(o.x, t))}</text>`);
  }
  parts.push(
    `<line class="axis" x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}"/>`,
    `<line class="axis" x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + h}"/>`,
    `<text class="label" x="${m.left + w / 2}" y="${o.height - 4}" text-anchor="middle">${esc(o.x.label)}</text>`,
    `<text class="label" transform="translate(12 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">${esc(o.left.label)}</text>`,
  );
  if (o.right) {
    parts.push(`<line class="axis" x1="${m.left + w}" x2="${m.left + w}" y1="${m.top}" y2="${m.top + h}"/>`,
      `<text class="label" transform="translate(${o.width - 8} ${m.top + h / 2}) rotate(90)" text-anchor="middle">${esc(o.right.label)}</text>`);
  }
  let lx = m.left;
  for (const s of o.series) {
    const axis = s.axis === 'right' && o.right ? o.right : o.left;
    const pts = s.values.map((v, i) => [sx(s.xs ? s.xs[i] : i + 1), sy(axis, v)] as const).filter(([, y]) => Number.isFinite(y));
    if (pts.length) {
      const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${r(x)} ${r(y)}`).join('');
      parts.push(`<path class="series ${s.key}" d="${d}" stroke="${s.color}" fill="none"/>`);
      if (s.dots) for (const [x, y] of pts) parts.push(`<circle cx="${r(x)}" cy="${r(y)}" r="2.5" fill="${s.color}"/>`);
    }
    // the legend across the top
    parts.push(`<rect x="${lx}" y="8" width="12" height="3" fill="${s.color}"/>`,
      `<text class="legend" x="${lx + 16}" y="13">${esc(s.name)}</text>`);
    lx += 22 + s.name.length * 6.5;
  }
  return parts.join('');
}

export function drawChart(svg: SVGSVGElement, o: ChartOptions): void {
  svg.setAttribute('viewBox', `0 0 ${o.width} ${o.height}`);
  svg.innerHTML = chartSvg(o);
}
