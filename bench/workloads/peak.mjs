// Workload 4, the machine's WASM SIMD peak: bench/peak.ts (independent f32x4
// multiply + add chains, 8 and 12 of them, no memory traffic in the loop),
// compiled to build/peak.wasm. Each kernel is checked bit for bit against
// float32 arithmetic done in JS, then timed; the peak is the better median.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeCalls } from '../lib/timing.mjs';

const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const root = path.dirname(benchDir);
const source = path.join(benchDir, 'peak.ts');
export const PEAK_WASM = path.join(root, 'build', 'peak.wasm');
const P = 64;              // byte offset of the operands in the module's memory
const f = Math.fround;

/** Compiles bench/peak.ts when build/peak.wasm is missing or older (from bench/, so the library's asconfig.json is not picked up). */
export function buildPeak(log) {
  if (existsSync(PEAK_WASM) && statSync(PEAK_WASM).mtimeMs >= statSync(source).mtimeMs) return;
  mkdirSync(path.dirname(PEAK_WASM), { recursive: true });
  log?.('compiling bench/peak.ts → build/peak.wasm');
  execFileSync('npx', ['asc', 'peak.ts', '--enable', 'simd', '-O3', '--runtime', 'stub', '--importMemory', '-o', path.relative(benchDir, PEAK_WASM)],
    { cwd: benchDir, stdio: ['ignore', 'ignore', 'inherit'] });
}

// m, c and the start value s per lane; chain i starts at s + i·c. m < 1, so every
// chain settles near c/(1 − m): no overflow, no subnormals, whatever the count.
const OPERANDS = [0.5, 0.75, 0.25, 0.5, 1, 0.5, 2, 1.5, 0.125, -1, 3, 0.25];
const KERNELS = [['peak_chain8', 8], ['peak_chain12', 12]];

/** The chains' values after n steps, in float32, computed by JS. */
function expected(chains, n) {
  const out = [];
  for (let i = 0; i < chains; i++)
    for (let l = 0; l < 4; l++) {
      const m = OPERANDS[l], c = OPERANDS[4 + l];
      let a = OPERANDS[8 + l];
      for (let k = 0; k < i; k++) a = f(a + c);
      for (let s = 0; s < n; s++) a = f(f(a * m) + c);
      out.push(a);
    }
  return out;
}

export async function run(ctx) {
  buildPeak(ctx.log);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { instance } = await WebAssembly.instantiate(readFileSync(PEAK_WASM), { env: { memory } });
  const f32 = new Float32Array(memory.buffer, P, 64);
  const out = { kernel: 'bench/peak.ts: independent f32x4 chains acc = acc·m + c (one mul + one add per step), operands in registers, no memory traffic in the loop', variants: [] };
  ctx.log('\nWASM SIMD peak (bench/peak.ts)');
  for (const [name, chains] of KERNELS) {
    const fn = instance.exports[name];
    const n = 1000;
    f32.fill(0); f32.set(OPERANDS);
    fn(P, n);
    const ok = expected(chains, n).every((v, i) => f32[16 + i] === v);
    const iters = ctx.quick ? 2_000_000 : 8_000_000;
    const secs = timeCalls(() => fn(P, iters), { runs: ctx.runs, minMs: ctx.quick ? 20 : 60, warmupMs: ctx.quick ? 30 : 150 });
    const flops = iters * chains * 8;
    const g = (s) => flops / s / 1e9;
    const gflops = { median: g(secs.median), min: g(secs.max), max: g(secs.min), runs: secs.runs.map(g) };
    out.variants.push({ name, accumulators: chains, flopsPerStep: chains * 8, verified: { ok, steps: n, against: 'float32 arithmetic in JS (Math.fround), bit for bit' }, gflops });
    ctx.log(`  ${name.padEnd(12)} ${gflops.median.toFixed(1).padStart(5)} GFLOP/s (${gflops.min.toFixed(1)}–${gflops.max.toFixed(1)})  ${chains} accumulators${ok ? '' : '  VERIFY FAILED'}`);
  }
  const ok = out.variants.filter((v) => v.verified.ok);
  const best = ok.reduce((a, b) => (b.gflops.median > a.gflops.median ? b : a), ok[0]);
  out.best = best?.name ?? null;
  out.gflops = best?.gflops ?? null;
  return out;
}
