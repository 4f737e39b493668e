// The machine's WebAssembly SIMD peak for f32 multiply + add: independent
// f32x4 accumulators, each updated acc = acc·m + c per step, operands loaded
// from memory once before the loop (so no compiler can fold them), no memory
// traffic inside it. Compiled by bench/workloads/peak.mjs (not part of the
// library), from bench/ so that the library's asconfig.json is not picked up:
//   npx asc peak.ts --enable simd -O3 --runtime stub --importMemory -o ../build/peak.wasm
//
// Why every multiply takes the accumulator: the textbook form `acc += x·y`
// with x, y fixed is cut by V8 — TurboFan unrolls the small loop ×2 and
// computes each loop-invariant product once per trip (checked with
// --print-wasm-code on Node 20: 8 vmulps for 16 vaddps), so it reports ~4/3
// (or, unrolled by hand ×4, ~1.6×) of the multiplies it really runs. A
// multiply of the accumulator cannot be shared or hoisted, and distinct
// starting values keep two chains from being merged. The cost is latency: one
// step of a chain waits for the previous mul + add, so 8 chains (the brief's
// 8 accumulators; what a 2×16 GEMM tile holds) do not fill the FP ports;
// 12 chains (14 live vectors with m and c: still no spills) come closer.
//
// One step of N chains is N f32x4.mul + N f32x4.add = 8·N FLOPs. Pointers are
// byte offsets into the imported memory: m at p, c at p + 16, the starting
// value s at p + 32 (chain i starts at s + i·c); the accumulators are stored
// from p + 64 on, for checking. iters must be even (the loop is unrolled ×2).

@inline function chain(acc: v128, m: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(acc, m), c);
}

export function peak_chain8(p: usize, iters: i32): void {
  const m = v128.load(p), c = v128.load(p, 16);
  let a0 = v128.load(p, 32), a1 = f32x4.add(a0, c), a2 = f32x4.add(a1, c), a3 = f32x4.add(a2, c);
  let a4 = f32x4.add(a3, c), a5 = f32x4.add(a4, c), a6 = f32x4.add(a5, c), a7 = f32x4.add(a6, c);
  for (let i = 0; i < iters; i += 2) {
    a0 = chain(a0, m, c); a1 = chain(a1, m, c); a2 = chain(a2, m, c); a3 = chain(a3, m, c);
    a4 = chain(a4, m, c); a5 = chain(a5, m, c); a6 = chain(a6, m, c); a7 = chain(a7, m, c);
    a0 = chain(a0, m, c); a1 = chain(a1, m, c); a2 = chain(a2, m, c); a3 = chain(a3, m, c);
    a4 = chain(a4, m, c); a5 = chain(a5, m, c); a6 = chain(a6, m, c); a7 = chain(a7, m, c);
  }
  v128.store(p, a0, 64); v128.store(p, a1, 80); v128.store(p, a2, 96); v128.store(p, a3, 112);
  v128.store(p, a4, 128); v128.store(p, a5, 144); v128.store(p, a6, 160); v128.store(p, a7, 176);
}

export function peak_chain12(p: usize, iters: i32): void {
  const m = v128.load(p), c = v128.load(p, 16);
  let a0 = v128.load(p, 32), a1 = f32x4.add(a0, c), a2 = f32x4.add(a1, c), a3 = f32x4.add(a2, c);
  let a4 = f32x4.add(a3, c), a5 = f32x4.add(a4, c), a6 = f32x4.add(a5, c), a7 = f32x4.add(a6, c);
  let a8 = f32x4.add(a7, c), a9 = f32x4.add(a8, c), a10 = f32x4.add(a9, c), a11 = f32x4.add(a10, c);
  for (let i = 0; i < iters; i += 2) {
    a0 = chain(a0, m, c); a1 = chain(a1, m, c); a2 = chain(a2, m, c); a3 = chain(a3, m, c);
    a4 = chain(a4, m, c); a5 = chain(a5, m, c); a6 = chain(a6, m, c); a7 = chain(a7, m, c);
    a8 = chain(a8, m, c); a9 = chain(a9, m, c); a10 = chain(a10, m, c); a11 = chain(a11, m, c);
    a0 = chain(a0, m, c); a1 = chain(a1, m, c); a2 = chain(a2, m, c); a3 = chain(a3, m, c);
    a4 = chain(a4, m, c); a5 = chain(a5, m, c); a6 = chain(a6, m, c); a7 = chain(a7, m, c);
    a8 = chain(a8, m, c); a9 = chain(a9, m, c); a10 = chain(a10, m, c); a11 = chain(a11, m, c);
  }
  v128.store(p, a0, 64); v128.store(p, a1, 80); v128.store(p, a2, 96); v128.store(p, a3, 112);
  v128.store(p, a4, 128); v128.store(p, a5, 144); v128.store(p, a6, 160); v128.store(p, a7, 176);
  v128.store(p, a8, 192); v128.store(p, a9, 208); v128.store(p, a10, 224); v128.store(p, a11, 240);
}
