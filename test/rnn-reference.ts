// Independent f64 references for the recurrent networks (forward and loss
// only), written from the formulas and sharing no code with src/: an Elman
// network with optional stop-gradient states (what truncated BPTT
// differentiates), and an Almeida–Pineda network relaxed to 1e-14. Gradients
// come from central differences of these.

export type RAct = 'tanh' | 'sigmoid' | 'relu';

export const f = (act: RAct | 'linear', z: number): number =>
  act === 'tanh' ? Math.tanh(z) : act === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : act === 'relu' ? Math.max(z, 0) : z;

export interface ElmanRef {
  I: number; H: number; O: number;
  wxh: Float64Array; whh: Float64Array; bh: Float64Array; why: Float64Array; by: Float64Array;
  act: RAct; out: 'linear' | 'sigmoid' | 'softmax';
}

/** Hidden states h[s][t] (t = 0 … T, h[s][0] = 0) and outputs y[s][t−1] for each sequence s (rows T × I).
 *  With `frozen`, the state that step t + 1 reads is frozen[s][t] wherever cut(t) holds. */
export function elmanRun(n: ElmanRef, xs: Float64Array[], T: number, frozen?: Float64Array[][], cut?: (t: number) => boolean) {
  return xs.map((x, s) => {
    const h: Float64Array[] = [new Float64Array(n.H)];
    const y: Float64Array[] = [];
    for (let t = 1; t <= T; t++) {
      const prev = frozen && cut!(t - 1) && t > 1 ? frozen[s][t - 1] : h[t - 1];
      const ht = new Float64Array(n.H);
      for (let j = 0; j < n.H; j++) {
        let z = n.bh[j];
        for (let p = 0; p < n.I; p++) z += x[(t - 1) * n.I + p] * n.wxh[p * n.H + j];
        for (let q = 0; q < n.H; q++) z += prev[q] * n.whh[q * n.H + j];
        ht[j] = f(n.act, z);
      }
      h.push(ht);
      const o = new Float64Array(n.O);
      for (let k = 0; k < n.O; k++) {
        let z = n.by[k];
        for (let j = 0; j < n.H; j++) z += ht[j] * n.why[j * n.O + k];
        o[k] = z;
      }
      if (n.out === 'softmax') {
        const mx = Math.max(...o);
        let sum = 0;
        for (let k = 0; k < n.O; k++) sum += (o[k] = Math.exp(o[k] - mx));
        for (let k = 0; k < n.O; k++) o[k] /= sum;
      } else if (n.out === 'sigmoid') for (let k = 0; k < n.O; k++) o[k] = 1 / (1 + Math.exp(-o[k]));
      y.push(o);
    }
    return { h, y };
  });
}

/** Loss over every step of every sequence: mse mean over steps·outputs, cross-entropy mean over steps,
 *  binary cross-entropy mean over steps·outputs. */
export function elmanLoss(n: ElmanRef, xs: Float64Array[], ys: Float64Array[], T: number, loss: string, frozen?: Float64Array[][], cut?: (t: number) => boolean): number {
  const runs = elmanRun(n, xs, T, frozen, cut);
  let s = 0;
  runs.forEach((r, si) => r.y.forEach((o, t) => {
    for (let k = 0; k < n.O; k++) {
      const target = ys[si][t * n.O + k];
      if (loss === 'mse') s += (o[k] - target) ** 2;
      else if (loss === 'cross-entropy') { if (target) s -= target * Math.log(o[k]); }
      else s -= target * Math.log(o[k]) + (1 - target) * Math.log(1 - o[k]);
    }
  }));
  const steps = xs.length * T;
  return loss === 'cross-entropy' ? s / steps : s / (steps * n.O);
}

/** Central differences of `loss` with respect to every entry of `params` (restored afterwards). */
export function numericGradient(params: Float64Array, loss: () => number, h = 1e-6): Float64Array {
  return params.map((_, i) => {
    const keep = params[i];
    params[i] = keep + h; const lp = loss();
    params[i] = keep - h; const lm = loss();
    params[i] = keep;
    return (lp - lm) / (2 * h);
  });
}

export interface FixedPointRef { N: number; inputs: number; outputs: number; w: Float64Array; u: Float64Array; b: Float64Array; act: 'tanh' | 'sigmoid' }

/** The fixed point x = f(x·W + u·U + b) of each row of `u`, by plain iteration to 1e-14 (throws if it does not settle). */
export function fixedPoint(n: FixedPointRef, u: Float64Array, rows: number): Float64Array {
  const x = new Float64Array(rows * n.N);
  for (let r = 0; r < rows; r++) {
    const c = new Float64Array(n.N);
    for (let j = 0; j < n.N; j++) {
      let s = n.b[j];
      for (let p = 0; p < n.inputs; p++) s += u[r * n.inputs + p] * n.u[p * n.N + j];
      c[j] = s;
    }
    let xr = new Float64Array(n.N), next = new Float64Array(n.N), change = Infinity, it = 0;
    while (change > 1e-14) {
      if (++it > 100000) throw new Error('reference relaxation did not converge');
      change = 0;
      for (let j = 0; j < n.N; j++) {
        let z = c[j];
        for (let i = 0; i < n.N; i++) z += xr[i] * n.w[i * n.N + j];
        next[j] = f(n.act, z);
        change = Math.max(change, Math.abs(next[j] - xr[j]));
      }
      [xr, next] = [next, xr];
    }
    x.set(xr, r * n.N);
  }
  return x;
}

/** mse (mean over rows·outputs) of the output units (units 0 … outputs−1) at the fixed point. */
export function fixedPointLoss(n: FixedPointRef, u: Float64Array, y: Float64Array, rows: number): number {
  const x = fixedPoint(n, u, rows);
  let s = 0;
  for (let r = 0; r < rows; r++) for (let k = 0; k < n.outputs; k++) s += (x[r * n.N + k] - y[r * n.outputs + k]) ** 2;
  return s / (rows * n.outputs);
}
