// A small SVG chart for the cost-growth sweep: a grid of panels, each with a
// log₂ x axis (batch size, width: powers of two) and a log₁₀ y axis, one
// polyline with point markers per system, and an optional dashed reference line.
const COLORS = { simd: '#1f77b4', relaxed: '#17becf', scalar: '#9467bd', ts: '#d62728', 'tfjs-wasm': '#ff7f0e', 'tfjs-cpu': '#8c564b', 'brain.js': '#2ca02c' };
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const r1 = (v) => Math.round(v * 10) / 10;

function decadeTicks(lo, hi) {
  const t = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) t.push(10 ** e);
  return t;
}
const fmtNum = (v) => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : String(v));

/** panels: [{ title, xLabel, yLabel, series: [{ name, points: [[x, y]] }], refLine?: { y, label } }] */
export function panelChart({ title, subtitle, panels, cols = 2, panelWidth = 440, panelHeight = 300 }) {
  const rows = Math.ceil(panels.length / cols);
  const legendH = 28, top = subtitle ? 58 : 40;
  const W = cols * panelWidth, H = top + legendH + rows * panelHeight;
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16">${esc(title)}</text>`];
  if (subtitle) out.push(`<text x="${W / 2}" y="44" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`);
  names.forEach((n, i) => {
    const x = 20 + i * 130, y = top + 12;
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${COLORS[n] ?? '#333'}" stroke-width="2.5"/>`,
      `<text x="${x + 28}" y="${y + 4}">${esc(n)}</text>`);
  });
  panels.forEach((p, idx) => {
    const ox = (idx % cols) * panelWidth, oy = top + legendH + Math.floor(idx / cols) * panelHeight;
    const m = { l: 58, r: 16, t: 24, b: 40 }, pw = panelWidth - m.l - m.r, ph = panelHeight - m.t - m.b;
    const pts = p.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
    const ys = pts.map((q) => q[1]).concat(p.refLine ? [p.refLine.y] : []);
    const xs = pts.map((q) => q[0]);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
    y0 = 10 ** Math.floor(Math.log10(y0)); y1 = 10 ** Math.ceil(Math.log10(y1));
    const sx = (x) => ox + m.l + (x1 === x0 ? pw / 2 : ((Math.log2(x) - Math.log2(x0)) / (Math.log2(x1) - Math.log2(x0))) * pw);
    const sy = (y) => oy + m.t + ph - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * ph;
    out.push(`<text x="${ox + m.l + pw / 2}" y="${oy + 14}" text-anchor="middle" font-size="13">${esc(p.title)}</text>`);
    for (const t of decadeTicks(y0, y1)) {
      if (t < y0 || t > y1) continue;
      out.push(`<line x1="${ox + m.l}" y1="${r1(sy(t))}" x2="${ox + m.l + pw}" y2="${r1(sy(t))}" stroke="#e6e6e6"/>`,
        `<text x="${ox + m.l - 6}" y="${r1(sy(t)) + 4}" text-anchor="end">${fmtNum(t)}</text>`);
    }
    for (let x = x0; x <= x1; x *= 2) {
      out.push(`<line x1="${r1(sx(x))}" y1="${oy + m.t}" x2="${r1(sx(x))}" y2="${oy + m.t + ph}" stroke="#f0f0f0"/>`,
        `<text x="${r1(sx(x))}" y="${oy + m.t + ph + 14}" text-anchor="middle">${x}</text>`);
    }
    out.push(`<rect x="${ox + m.l}" y="${oy + m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
      `<text x="${ox + m.l + pw / 2}" y="${oy + panelHeight - 8}" text-anchor="middle">${esc(p.xLabel)}</text>`,
      `<text transform="translate(${ox + 14} ${oy + m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
    if (p.refLine) {
      const y = r1(sy(p.refLine.y));
      out.push(`<line x1="${ox + m.l}" y1="${y}" x2="${ox + m.l + pw}" y2="${y}" stroke="#555" stroke-dasharray="5 4"/>`,
        `<text x="${ox + m.l + 4}" y="${y - 4}" fill="#555">${esc(p.refLine.label)}</text>`);
    }
    for (const s of p.series) {
      const q = s.points.filter(([x, y]) => x > 0 && y > 0);
      if (!q.length) continue;
      const color = COLORS[s.name] ?? '#333';
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${q.map(([x, y]) => `${r1(sx(x))},${r1(sy(y))}`).join(' ')}"/>`);
      for (const [x, y] of q) out.push(`<circle cx="${r1(sx(x))}" cy="${r1(sy(y))}" r="2.5" fill="${color}"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
