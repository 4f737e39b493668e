// Timing: every figure is the median of its runs, with min and max beside it.
export const now = () => performance.now();

/** { median, min, max, runs } of an array of numbers (runs kept as measured). */
export function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: values };
}

/** Maps a seconds-stats object through f (a decreasing map such as rate = n / s swaps min and max). */
export function mapStats(st, f) {
  const a = f(st.min), b = f(st.max);
  return { median: f(st.median), min: Math.min(a, b), max: Math.max(a, b), runs: st.runs.map(f) };
}

/**
 * Times `fn` (synchronous): calls it `reps` times per run, with reps chosen so
 * one run lasts at least `minMs`; `warmupMs` of calls first. Returns seconds per call.
 */
export function timeCalls(fn, { runs = 5, minMs = 50, warmupMs = 30 } = {}) {
  let t0 = now(), reps = 0;
  do { fn(); reps++; } while (now() - t0 < warmupMs || reps < 3);
  t0 = now();
  for (let i = 0; i < 3; i++) fn();
  const perCall = (now() - t0) / 3;
  const n = Math.max(1, Math.ceil(minMs / Math.max(perCall, 1e-4)));
  const secs = [];
  for (let r = 0; r < runs; r++) {
    const t = now();
    for (let i = 0; i < n; i++) fn();
    secs.push((now() - t) / 1000 / n);
  }
  return { ...stats(secs), callsPerRun: n };
}

/** The same for an async function (awaited each call). */
export async function timeAsync(fn, { runs = 5, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const secs = [];
  for (let r = 0; r < runs; r++) {
    const t = now();
    await fn();
    secs.push((now() - t) / 1000);
  }
  return stats(secs);
}
