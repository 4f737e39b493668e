// An independent f64 MLP (forward and loss only) for finite-difference
// gradient checks and the article's algorithm. Written from the formulas,
// sharing no code with src/.
export type Act = 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu' | 'linear' | 'softmax';
export type Layer = { W: Float64Array; b: Float64Array; inputs: number; units: number; act: Act };

export function act(name: Act, z: Float64Array, m: number, n: number): Float64Array {
  const a = new Float64Array(z.length);
  if (name === 'softmax') {
    for (let i = 0; i < m; i++) {
      const row = z.subarray(i * n, (i + 1) * n);
      const mx = Math.max(...row);
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(row[j] - mx);
      for (let j = 0; j < n; j++) a[i * n + j] = Math.exp(row[j] - mx) / s;
    }
    return a;
  }
  for (let i = 0; i < z.length; i++) {
    const v = z[i];
    a[i] = name === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : name === 'tanh' ? Math.tanh(v)
      : name === 'relu' ? Math.max(v, 0) : name === 'leaky-relu' ? (v > 0 ? v : 0.01 * v) : v;
  }
  return a;
}

export function forward(layers: Layer[], x: Float64Array, m: number): { z: Float64Array; a: Float64Array }[] {
  const out: { z: Float64Array; a: Float64Array }[] = [];
  let input = x;
  for (const l of layers) {
    const z = new Float64Array(m * l.units);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < l.units; j++) {
        let s = l.b[j];
        for (let p = 0; p < l.inputs; p++) s += input[i * l.inputs + p] * l.W[p * l.units + j];
        z[i * l.units + j] = s;
      }
    const a = act(l.act, z, m, l.units);
    out.push({ z, a });
    input = a;
  }
  return out;
}

export function loss(name: string, z: Float64Array, a: Float64Array, y: Float64Array, m: number, n: number): number {
  let s = 0;
  if (name === 'mse' || name === 'sse') {
    for (let i = 0; i < a.length; i++) s += (a[i] - y[i]) ** 2;
    return name === 'mse' ? s / (m * n) : s / 2;
  }
  if (name === 'cross-entropy') {
    for (let i = 0; i < a.length; i++) if (y[i]) s -= y[i] * Math.log(a[i]);
    return s / m;
  }
  for (let i = 0; i < a.length; i++) s -= y[i] * Math.log(a[i]) + (1 - y[i]) * Math.log(1 - a[i]);
  return s / (m * n);
}
