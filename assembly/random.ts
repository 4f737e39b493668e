// xoshiro128** seeded by splitmix32, and the samplers built on it. The state
// is 4 u32 words at byte offset `state` in the arena, so a generator lives
// with the network. src/random.ts is the bit-for-bit TypeScript twin: only
// integer ops and single correctly rounded f64 ops, in the same order.

/** state = four splitmix32 outputs from the u32 seed */
export function rng_seed(state: usize, seed: u32): void {
  let s = seed;
  for (let i = 0; i < 4; i++) {
    s += 0x9e3779b9;
    let z = s;
    z = (z ^ (z >>> 16)) * 0x85ebca6b;
    z = (z ^ (z >>> 13)) * 0xc2b2ae35;
    store<u32>(state + (<usize>i << 2), z ^ (z >>> 16));
  }
}

// @ts-ignore: decorator
@inline function next(state: usize): u32 {
  const s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  const r = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  let n2 = s2 ^ s0;
  let n3 = s3 ^ s1;
  const n1 = s1 ^ n2;
  const n0 = s0 ^ n3;
  n2 ^= t;
  n3 = rotl<u32>(n3, 11);
  store<u32>(state, n0); store<u32>(state, n1, 4); store<u32>(state, n2, 8); store<u32>(state, n3, 12);
  return r;
}

// 53 random bits in [0, 1)
// @ts-ignore: decorator
@inline function float53(state: usize): f64 {
  const a = next(state) >>> 5, b = next(state) >>> 6;
  return (<f64>a * 67108864.0 + <f64>b) * 1.1102230246251565e-16;
}

// ln(x) for 0 < x < 1 from basic ops only (see src/random.ts: lnUnit).
function ln_unit(x: f64): f64 {
  let k = 0;
  while (x < 0.7071067811865476) { x *= 2; k++; }
  const t = (x - 1) / (x + 1), t2 = t * t;
  let p: f64 = 1.0 / 21.0;
  for (let j = 19; j >= 1; j -= 2) p = p * t2 + 1.0 / <f64>j;
  return 2 * t * p - <f64>k * 0.6931471805599453;
}

/** out[n] = f32(lo + (hi − lo)·u), u = 24 random bits in [0, 1) */
export function rng_uniform(state: usize, out: usize, n: i32, lo: f64, hi: f64): void {
  for (let i = 0; i < n; i++) {
    const u = <f64>(next(state) >>> 8) * 5.9604644775390625e-8;
    store<f32>(out + (<usize>i << 2), <f32>(lo + (hi - lo) * u));
  }
}

/** out[n] = f32(std·N(0,1)) by Marsaglia's polar method, two values per accepted pair */
export function rng_normal(state: usize, out: usize, n: i32, std: f64): void {
  for (let i = 0; i < n; i += 2) {
    let u: f64 = 0, v: f64 = 0, q: f64 = 0;
    do {
      u = 2 * float53(state) - 1;
      v = 2 * float53(state) - 1;
      q = u * u + v * v;
    } while (q >= 1 || q == 0);
    const f = Math.sqrt((-2 * ln_unit(q)) / q);
    store<f32>(out + (<usize>i << 2), <f32>(std * (u * f)));
    if (i + 1 < n) store<f32>(out + (<usize>(i + 1) << 2), <f32>(std * (v * f)));
  }
}

/** Fisher–Yates over the i32 list idx[n]: for i = n−1 … 1, j uniform in [0, i] (rejection, unbiased) */
export function rng_shuffle(state: usize, idx: usize, n: i32): void {
  for (let i = n - 1; i > 0; i--) {
    const bound = <u32>(i + 1);
    const threshold: u32 = (<u32>0 - bound) % bound;
    let r = next(state);
    while (r < threshold) r = next(state);
    const j = r % bound;
    const pi = idx + (<usize>i << 2), pj = idx + (<usize>j << 2);
    const t = load<i32>(pi);
    store<i32>(pi, load<i32>(pj));
    store<i32>(pj, t);
  }
}
