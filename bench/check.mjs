// `--check`: what makes a results object acceptable — every workload ran, every
// system that started was verified and timed with finite figures. Systems that
// could not run here (relaxed SIMD missing, no numpy) are skipped, not failed.
const finiteStats = (s) => s && ['median', 'min', 'max'].every((k) => Number.isFinite(s[k]) && s[k] > 0);

export function problems(res) {
  const out = [];
  const ran = new Set(res.workloads ?? ['peak', 'mlp', 'threads', 'iris', 'kernels', 'growth']);
  const row = (where, r, metric) => {
    if (r.skipped) return;
    if (r.error) { out.push(`${where} ${r.system}: ${r.error}`); return; }
    if (!r.verified?.ok) out.push(`${where} ${r.system}: not verified`);
    if (!finiteStats(r[metric])) out.push(`${where} ${r.system}: no finite ${metric}`);
  };
  if (ran.has('peak') && !res.peak?.gflops) out.push(`peak: ${res.peak?.error ?? 'no verified figure'}`);
  for (const v of res.peak?.variants ?? []) if (!v.verified.ok) out.push(`peak ${v.name}: verification failed`);
  if (res.peak?.gflops) {
    for (const [what, t] of [['peak', res.peak.threads], ['gemm', res.peak.gemmThreads]]) {
      if (!t || t.error) { out.push(`${what} on 2 workers: ${t?.error ?? 'missing'}`); continue; }
      if (!t.verified?.ok) out.push(`${what} on 2 workers: verification failed`);
      if (!finiteStats(t.single) || !finiteStats(t.aggregate) || !Number.isFinite(t.ratio)) out.push(`${what} on 2 workers: no finite figures`);
    }
  }
  if (ran.has('mlp') && !res.mlp?.length) out.push('mlp: missing');
  for (const w of res.mlp ?? []) {
    if (w.error) { out.push(`${w.id}: ${w.error}`); continue; }
    for (const r of w.results) row(w.id, r, 'samplesPerSecond');
    if (!w.results.some((r) => r.system === 'simd' && r.samplesPerSecond)) out.push(`${w.id}: no simd figure`);
  }
  if (ran.has('threads') && (!res.threads?.points?.length || res.threads.error)) out.push(`threads: ${res.threads?.error ?? 'missing'}`);
  for (const p of res.threads?.points ?? []) {
    for (const r of p.results) row(`threads batch ${p.batch}`, r, 'samplesPerSecond');
    if (!Number.isFinite(p.speedup)) out.push(`threads batch ${p.batch}: no speedup`);
  }
  if (ran.has('iris') && (!res.iris || res.iris.error)) out.push(`iris: ${res.iris?.error ?? 'missing'}`);
  for (const r of res.iris?.results ?? []) row('iris', r, 'msPer1000');
  if (ran.has('kernels') && !res.kernels?.rows?.length) out.push(`kernels: ${res.kernels?.error ?? 'missing'}`);
  for (const k of res.kernels?.rows ?? []) for (const r of k.results) row(`kernel ${k.kernel} ${k.m}×${k.n}×${k.k}`, r, 'gflops');
  if (ran.has('growth') && (!res.costGrowth || res.costGrowth.error)) out.push(`cost growth: ${res.costGrowth?.error ?? 'missing'}`);
  if (res.peersError) out.push(`peers (TF.js, brain.js) did not load: ${res.peersError}`);
  for (const sweep of [res.costGrowth?.batchSweep, res.costGrowth?.widthSweep].filter(Boolean))
    for (const p of sweep.points) row(`cost growth H ${p.width} batch ${p.batch}`, p, 'samplesPerSecond');
  return out;
}
