// The bench's report: markdown tables from a results object (what run.mjs
// writes to bench/results/<date>.json), and the cost-growth chart.
//   node bench/report.mjs bench/results/<date>.json [--chart docs/cost-growth.svg]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { panelChart } from './lib/svg.mjs';

const int = (v) => Math.round(v).toLocaleString('en-US');
const g1 = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const range = (st, f) => `${f(st.median)} (${f(st.min)}–${f(st.max)})`;
const pct = (v) => (v == null ? '—' : v < 1 ? `${v.toFixed(1)}%` : `${v.toFixed(0)}%`);
const times = (v) => (v == null ? '—' : v >= 10 ? `${v.toFixed(0)}×` : v >= 1 ? `${v.toFixed(1)}×` : `${v.toPrecision(2)}×`);
const check = (r) => (r.error ? `**failed**: ${r.error}` : r.skipped ? `skipped: ${r.skipped}` : r.verified?.ok ? `✓ ${r.verified.maxAbsDiff?.toExponential(0) ?? r.verified.maxRelError?.toExponential(0)}` : '—');

export function markdown(res) {
  const L = [];
  const m = res.machine;
  L.push(`## Bench ${res.date} (${res.mode})`, '');
  L.push(`\`${res.command}\` — ${m.cpu}, ${m.cores} cores (one thread used unless said), ${m.memoryGB} GB, Node ${m.node} (V8 ${m.v8}), ${m.platform}; ` +
    `backprop-wasm ${res.versions.backpropWasm} at ${res.versions.commit}; load average ${m.loadavgStart.map((v) => v.toFixed(2)).join(' ')} at the start, ${m.loadavgEnd.map((v) => v.toFixed(2)).join(' ')} at the end${m.nice ? `, run at nice ${m.nice}` : ''}.`, '');
  if (res.peak?.gflops) {
    const v = res.peak.variants.map((x) => `${x.name} ${range(x.gflops, g1)}`).join('; ');
    const when = res.peak.start && res.peak.end
      ? ` Measured at the start (${g1(res.peak.start.gflops.median)}) and at the end (${g1(res.peak.end.gflops?.median ?? NaN)}) of the run; the better is kept.` : '';
    L.push(`**WASM SIMD peak** (bench/peak.ts, one core): **${g1(res.peak.gflops.median)} GFLOP/s** — ${v}.${when} Every "% of peak" below is of ${g1(res.peak.gflops.median)}` +
      ' (mul + add; the relaxed backend\'s fused multiply-add can pass it).', '');
    const t = res.peak.threads;
    if (t?.aggregate) {
      const each = t.perWorker.map((w) => g1(w.median)).join(' + ');
      L.push(`**Ceiling for threads**: ${t.kernel} on one worker thread alone ${range(t.single, g1)} GFLOP/s, on two at once ` +
        `**${g1(t.aggregate.median)} GFLOP/s** (${g1(t.aggregate.min)}–${g1(t.aggregate.max)}; per worker ${each}): **${t.ratio.toFixed(2)}×**, ` +
        `median of ${t.single.runs.length} alternating rounds${res.peak.threadsMeasuredAt ? ` (the ${res.peak.threadsMeasuredAt} of the run's two measurements, the one with the higher aggregate)` : ''}` +
        `${t.verified?.ok ? '' : '; **verification failed**'}. A second process busy on either core pulls this below 2×.`, '');
    } else if (t?.error) L.push(`**Ceiling for threads**: **failed**: ${t.error}`, '');
    const gt = res.peak.gemmThreads;
    if (gt?.aggregate) {
      L.push(`**Ceiling for threads, with memory**: ${gt.kernel} (the MNIST layer's X·W for half a batch of 128; library's simd build, each worker on its own memory, no barrier) ` +
        `on one worker alone ${range(gt.single, g1)} GFLOP/s, on two at once **${g1(gt.aggregate.median)} GFLOP/s** (${g1(gt.aggregate.min)}–${g1(gt.aggregate.max)}): **${gt.ratio.toFixed(2)}×**` +
        `${res.peak.gemmThreadsMeasuredAt ? ` (the ${res.peak.gemmThreadsMeasuredAt} of the run's two measurements)` : ''}${gt.verified?.ok ? '' : '; **verification failed**'}.`, '');
    } else if (gt?.error) L.push(`**Ceiling for threads, with memory**: **failed**: ${gt.error}`, '');
  }
  for (const w of res.mlp ?? []) {
    if (w.error) { L.push(`### ${w.id}: **failed**: ${w.error}`, ''); continue; }
    L.push(`### ${w.title}`, '', `${w.rows.toLocaleString('en-US')} MNIST digits, one epoch per run, median of ${w.runs} runs (min–max); ${int(w.flopsPerSample)} real FLOPs per sample. ` +
      'The systems with a "same round" figure ran in rounds with the peak kernel, each once a round: that column is the median of their round-by-round % of the peak measured in the same round, and their "vs tfjs-wasm" the median of same-round ratios.', '');
    L.push('| system | samples/s | GFLOP/s (real) | % of peak | same round | vs tfjs-wasm | vs ts | check |', '|---|---|---|---|---|---|---|---|');
    for (const r of w.results)
      L.push(r.samplesPerSecond
        ? `| ${r.system} | ${range(r.samplesPerSecond, int)} | ${g1(r.gflops.median)} | ${pct(r.percentOfPeak)} | ${pct(r.percentOfPeakSameRound?.median)} | ${times(r.vsTfjsWasmSameRound?.median ?? r.vsTfjsWasm)} | ${times(r.vsTs)} | ${check(r)} |`
        : `| ${r.system} | — | — | — | — | — | — | ${check(r)} |`);
    L.push('');
  }
  if (res.threads?.points?.length) {
    const w = res.threads;
    const [one, two] = w.systems;
    L.push(`### Threads: MLP-MNIST ${w.network}, ${one} vs ${two} over the batch size`, '',
      `samples/s, median of the runs (min–max), the systems alternating run by run; speedup = ${two} / ${one} (paired: the median of run-by-run ratios). ` +
      `Threads pay (≥ ${w.pays}×) from batch ${w.paysFrom ?? '— (at no batch size here)'}${w.stopsPaying.length ? `; below ${w.pays}× at batch ${w.stopsPaying.join(', ')}` : ''}.` +
      `${res.peak?.threads?.ratio ? ` The machine's ceiling for two threads (above): ${res.peak.threads.ratio.toFixed(2)}× in registers` +
        `${res.peak.gemmThreads?.ratio ? `, ${res.peak.gemmThreads.ratio.toFixed(2)}× for the layer's X·W with nothing shared` : ''}.` : ''}`, '');
    L.push(`| batch | ${one} samples/s | ${two} samples/s | speedup | paired | ${two} GFLOP/s | check |`, '|---|---|---|---|---|---|---|');
    for (const p of w.points) {
      const [a, b] = [one, two].map((s) => p.results.find((r) => r.system === s));
      const sps = (r) => (r?.samplesPerSecond ? range(r.samplesPerSecond, int) : r?.error ? 'fail' : '—');
      const checks = [a, b].filter(Boolean).map((r) => check(r) + (r.verified?.sameBitsAsOneThread ? ' (= 1 thread, bit for bit)' : '')).join(' / ');
      L.push(`| ${p.batch} | ${sps(a)} | ${sps(b)} | ${p.speedup ? `**${p.speedup.toFixed(2)}×**` : '—'} | ${p.pairedSpeedup ? `${p.pairedSpeedup.median.toFixed(2)}×` : '—'} | ${b?.gflops ? g1(b.gflops.median) : '—'} | ${checks} |`);
    }
    L.push('');
  } else if (res.threads?.error) L.push(`### Threads: **failed**: ${res.threads.error}`, '');
  if (res.iris && !res.iris.error) {
    const w = res.iris;
    L.push(`### Iris-article: 4-4-3 sigmoid, ½·Σ(ŷ−y)², SGD lr 0.1, full batch of ${w.rows} rows`, '', `Time for ${w.steps} steps, median of ${w.runs} runs (min–max), taken in rounds of one run per system; vs numpy is the median over rounds of numpy's time over the system's in the same round.`, '');
    L.push('| system | ms per 1000 steps | vs numpy | GFLOP/s (real) | % of peak | check |', '|---|---|---|---|---|---|');
    for (const r of w.results)
      L.push(r.msPer1000
        ? `| ${r.system} | ${range(r.msPer1000, (v) => v.toFixed(2))} | ${times(r.speedupVsNumpy)} | ${r.gflops.toFixed(3)} | ${pct(r.percentOfPeak)} | ${check(r)} |`
        : `| ${r.system} | — | — | — | — | ${check(r)} |`);
    L.push('');
  } else if (res.iris?.error) L.push(`### Iris-article: **failed**: ${res.iris.error}`, '');
  if (res.kernels?.rows?.length) {
    const systems = [...new Set(res.kernels.rows.flatMap((r) => r.results.map((x) => x.system)))];
    L.push('### Kernel table: GFLOP/s (2·M·N·K/s), median of runs', '',
      'simd % of peak: of the run\'s peak (above); same round: the median of run-by-run ratios to the peak kernel timed right after each run.', '');
    L.push(`| layer / shape | kernel | M×N×K | ${systems.join(' | ')} | simd % of peak | same round |`, `|---|---|---|${systems.map(() => '---|').join('')}---|---|`);
    for (const row of res.kernels.rows) {
      const cell = (s) => { const x = row.results.find((y) => y.system === s); return x?.gflops ? g1(x.gflops.median) : x?.error ? 'fail' : '—'; };
      const simd = row.results.find((y) => y.system === 'simd');
      L.push(`| ${row.group} | ${row.kernel} | ${row.m}×${row.n}×${row.k} | ${systems.map(cell).join(' | ')} | ${pct(simd?.percentOfPeak)} | ${pct(simd?.percentOfPeakSameRound?.median)} |`);
    }
    L.push('');
  } else if (res.kernels?.error) L.push(`### Kernel table: **failed**: ${res.kernels.error}`, '');
  if (res.costGrowth && !res.costGrowth.error) {
    const cg = res.costGrowth;
    for (const [sweep, key, label] of [[cg.batchSweep, 'batch', `batch size (H = ${cg.batchSweep.width})`], [cg.widthSweep, 'width', `hidden width H (batch ${cg.widthSweep.batch})`]]) {
      L.push(`### Cost growth over the ${label}: samples/s (GFLOP/s)`, '');
      L.push(`| ${key} | ${cg.systems.join(' | ')} | simd / tfjs-wasm | simd / ts |`, `|---|${cg.systems.map(() => '---|').join('')}---|---|`);
      for (const v of sweep.values) {
        const at = (s) => sweep.points.find((p) => p.system === s && p[key] === v);
        const cell = (s) => { const p = at(s); return p?.samplesPerSecond ? `${int(p.samplesPerSecond.median)} (${g1(p.gflops.median)})` : p?.error ? 'fail' : '—'; };
        const ratio = (a, b) => { const x = at(a), y = at(b); return x?.samplesPerSecond && y?.samplesPerSecond ? times(x.samplesPerSecond.median / y.samplesPerSecond.median) : '—'; };
        L.push(`| ${v} | ${cg.systems.map(cell).join(' | ')} | ${ratio('simd', 'tfjs-wasm')} | ${ratio('simd', 'ts')} |`);
      }
      L.push('');
    }
    if (res.costGrowth.chart) L.push(`Chart: [${res.costGrowth.chart}](${res.costGrowth.chart})`, '');
  } else if (res.costGrowth?.error) L.push(`### Cost growth: **failed**: ${res.costGrowth.error}`, '');
  const configs = new Map();
  for (const w of [...(res.mlp ?? []), ...(res.threads?.points ?? []), res.iris].filter(Boolean)) for (const r of w.results ?? []) if (r.config && !configs.has(r.system)) configs.set(r.system, r.config);
  if (configs.size) {
    L.push('### How each system is configured', '');
    for (const [s, c] of configs) L.push(`- **${s}**: ${c}`);
    L.push('');
  }
  if (res.problems?.length) L.push('### Problems', '', ...res.problems.map((p) => `- ${p}`), '');
  return L.join('\n');
}

/** The cost-growth chart: samples/s and GFLOP/s over the batch size and over the hidden width. */
export function costGrowthChart(res) {
  const cg = res.costGrowth;
  const series = (sweep, key, metric) => cg.systems.map((s) => ({
    name: s, points: sweep.points.filter((p) => p.system === s && p[metric]).map((p) => [p[key], p[metric].median]),
  }));
  const peak = res.peak?.gflops ? { y: res.peak.gflops.median, label: `WASM SIMD peak ${g1(res.peak.gflops.median)} GFLOP/s` } : undefined;
  return panelChart({
    title: `Cost growth: MLP 784-H-10 training, one thread (${res.date}, ${res.machine.cpu})`,
    subtitle: 'relu, softmax + cross-entropy, SGD; log scales; higher is better',
    panels: [
      { title: `samples/s vs batch size (H = ${cg.batchSweep.width})`, xLabel: 'batch size', yLabel: 'samples/s', series: series(cg.batchSweep, 'batch', 'samplesPerSecond') },
      { title: `GFLOP/s vs batch size (H = ${cg.batchSweep.width})`, xLabel: 'batch size', yLabel: 'GFLOP/s (real)', series: series(cg.batchSweep, 'batch', 'gflops'), refLine: peak },
      { title: `samples/s vs hidden width (batch ${cg.widthSweep.batch})`, xLabel: 'hidden width H', yLabel: 'samples/s', series: series(cg.widthSweep, 'width', 'samplesPerSecond') },
      { title: `GFLOP/s vs hidden width (batch ${cg.widthSweep.batch})`, xLabel: 'hidden width H', yLabel: 'GFLOP/s (real)', series: series(cg.widthSweep, 'width', 'gflops'), refLine: peak },
    ],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, flag, chart] = process.argv.slice(2);
  if (!file) { console.error('usage: node bench/report.mjs RESULTS.json [--chart FILE.svg]'); process.exit(2); }
  const res = JSON.parse(readFileSync(file, 'utf8'));
  if (flag === '--chart' && chart) writeFileSync(chart, costGrowthChart(res));
  process.stdout.write(markdown(res) + '\n');
}
