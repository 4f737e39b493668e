// xoshiro128** seeded by splitmix32, and the samplers built on it. The WASM
// core (assembly/random.ts) implements the same functions; both must give the
// same bits for the same seed (test/random.test.ts), so every operation here
// is an integer op or a single correctly rounded f64 op, in the same order.

/** Four u32 words of state (any array-like of numbers: a Uint32Array view of the arena, or a plain one). */
export type RngState = Uint32Array;

export function rngSeed(state: RngState, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    state[i] = (z ^ (z >>> 16)) >>> 0;
  }
}

export function rngNext(s: RngState): number {
  const s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = (s1 << 9) >>> 0;
  let n2 = (s2 ^ s0) >>> 0;
  let n3 = (s3 ^ s1) >>> 0;
  const n1 = (s1 ^ n2) >>> 0;
  const n0 = (s0 ^ n3) >>> 0;
  n2 = (n2 ^ t) >>> 0;
  n3 = rotl(n3, 11);
  s[0] = n0; s[1] = n1; s[2] = n2; s[3] = n3;
  return r;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Uniform in [0,1) with 24 random bits: exactly representable in f32. */
export function rngFloat24(s: RngState): number {
  return (rngNext(s) >>> 8) * 5.9604644775390625e-8; // 2^-24
}

/** Uniform in [0,1) with 53 random bits. */
export function rngFloat53(s: RngState): number {
  const a = rngNext(s) >>> 5, b = rngNext(s) >>> 6;
  return (a * 67108864 + b) * 1.1102230246251565e-16; // 2^-53
}

/** Unbiased integer in [0, bound), bound ≥ 1, by rejection (Lemire-free, plain modulo). */
export function rngBelow(s: RngState, bound: number): number {
  const threshold = (0x100000000 - bound) % bound;
  for (;;) {
    const r = rngNext(s);
    if (r >= threshold) return r % bound;
  }
}

/** ln(x) for 0 < x < 1, from basic f64 ops only, so that every engine and the
 *  WASM core agree to the bit (host Math.log is not specified to the ulp). */
export function lnUnit(x: number): number {
  let k = 0;
  while (x < 0.7071067811865476) { x *= 2; k++; }
  const t = (x - 1) / (x + 1), t2 = t * t;
  let p = 1 / 21;
  for (let j = 19; j >= 1; j -= 2) p = p * t2 + 1 / j;
  return 2 * t * p - k * 0.6931471805599453;
}

/** One pair of independent N(0,1) samples (Marsaglia's polar method). */
export function rngGaussPair(s: RngState, out: [number, number]): void {
  let u = 0, v = 0, q = 0;
  do {
    u = 2 * rngFloat53(s) - 1;
    v = 2 * rngFloat53(s) - 1;
    q = u * u + v * v;
  } while (q >= 1 || q === 0);
  const f = Math.sqrt((-2 * lnUnit(q)) / q);
  out[0] = u * f;
  out[1] = v * f;
}

/** A small self-contained generator for TS-side uses (splits, fuzzing): same stream as the kernels'. */
export class Rng {
  readonly state = new Uint32Array(4);
  constructor(seed: number) { rngSeed(this.state, seed); }
  next(): number { return rngNext(this.state); }
  float(): number { return rngFloat24(this.state); }
  below(bound: number): number { return rngBelow(this.state, bound); }
  /** Fisher–Yates in place, the same order as the rng_shuffle kernel. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = rngBelow(this.state, i + 1);
      const t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a;
  }
}
