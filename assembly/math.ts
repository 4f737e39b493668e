// exp and tanh for the activations, written once as a scalar function and
// once over f32x4 with the same operations in the same order, so the simd and
// scalar builds give the same bits — and, being compiled into the module, the
// same bits on every engine. Cephes-style: e^x = 2^n · e^r with |r| ≤ ½·ln 2,
// and e^r ≈ 1 + r + r²·P(r) with P of degree 4: a minimax fit (relative error
// 3e-9 on that range) one degree below cephes's, two operations fewer a vector,
// the same error after f32 rounding (at most 0.98 ulp over [−87, 88], mean 0.27).

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
// x is clamped to [EXP_LO, EXP_HI] instead of tested: from 88.38 up n rounds to 128, whose
// 2^n bits are +Infinity (as cephes's bound; e^x overflows f32 at 88.72); at the bottom n is
// −127, whose 2^n bits are +0 (e^x < 8.6e-39 there). No masks, no branches: 18 operations a vector.
const EXP_HI: f32 = 89;
const EXP_LO: f32 = -88;
const P0: f32 = 1.3814527774e-3, P1: f32 = 8.3687445149e-3, P2: f32 = 4.1668392718e-2;
const P3: f32 = 1.6666521132e-1, P4: f32 = 4.9999994040e-1;
// x·log2e + 1.5·2^23 rounds x·log2e to the nearest integer n and holds it in the low mantissa
// bits: subtracting the constant gives n as a float, subtracting its bits and adding 127 gives
// the exponent field of 2^n. NaN stays NaN (the clamps pass it through, p is NaN).
const MAGIC: f32 = 12582912.0;
const EXP_BIAS: i32 = 127 - 0x4b400000;

/** e^x */
export function expf(x: f32): f32 {
  let c = select<f32>(EXP_HI, x, EXP_HI < x); // pmin and pmax, as the f32x4 path (NaN passes)
  c = select<f32>(EXP_LO, c, EXP_LO > c);
  const k = c * LOG2E + MAGIC;
  const n = k - MAGIC;
  const r = c - n * LN2_HI - n * LN2_LO;
  const p = (((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * (r * r) + r) + <f32>1;
  return p * reinterpret<f32>((reinterpret<i32>(k) + EXP_BIAS) << 23);
}

// expf4's constants, each in four lanes, in the module's data: V8 materialises a v128.const
// with three instructions at every use inside a loop, and loads one of these with one.
const EXPC = memory.data<f32>([
  EXP_HI, EXP_HI, EXP_HI, EXP_HI, EXP_LO, EXP_LO, EXP_LO, EXP_LO, LOG2E, LOG2E, LOG2E, LOG2E, MAGIC, MAGIC, MAGIC, MAGIC,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO, P0, P0, P0, P0, P1, P1, P1, P1,
  P2, P2, P2, P2, P3, P3, P3, P3, P4, P4, P4, P4, 1, 1, 1, 1,
], 16);
const EXPC_BIAS = memory.data<i32>([EXP_BIAS, EXP_BIAS, EXP_BIAS, EXP_BIAS], 16);

/** e^x over four lanes, the same operations as expf. */
// @ts-ignore: decorator
@inline export function expf4(x: v128): v128 {
  const c = f32x4.pmax(f32x4.pmin(x, v128.load(EXPC)), v128.load(EXPC, 16));
  const magic = v128.load(EXPC, 48);
  const k = f32x4.add(f32x4.mul(c, v128.load(EXPC, 32)), magic);
  const n = f32x4.sub(k, magic);
  const r = f32x4.sub(f32x4.sub(c, f32x4.mul(n, v128.load(EXPC, 64))), f32x4.mul(n, v128.load(EXPC, 80)));
  let p = f32x4.add(f32x4.mul(v128.load(EXPC, 96), r), v128.load(EXPC, 112));
  p = f32x4.add(f32x4.mul(p, r), v128.load(EXPC, 128));
  p = f32x4.add(f32x4.mul(p, r), v128.load(EXPC, 144));
  p = f32x4.add(f32x4.mul(p, r), v128.load(EXPC, 160));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), v128.load(EXPC, 176));
  return f32x4.mul(p, i32x4.shl(i32x4.add(k, v128.load(EXPC_BIAS)), 23));
}

/** expf4 on four vectors side by side, stored at out[0..16): one vector's operations form a
 *  chain of about 20, too long for the out-of-order window to overlap iterations on its own. */
// @ts-ignore: decorator
@inline export function expf4x4(x0: v128, x1: v128, x2: v128, x3: v128, out: usize): void {
  let k = v128.load(EXPC), l = v128.load(EXPC, 16);
  const c0 = f32x4.pmax(f32x4.pmin(x0, k), l), c1 = f32x4.pmax(f32x4.pmin(x1, k), l);
  const c2 = f32x4.pmax(f32x4.pmin(x2, k), l), c3 = f32x4.pmax(f32x4.pmin(x3, k), l);
  k = v128.load(EXPC, 32); l = v128.load(EXPC, 48);
  const k0 = f32x4.add(f32x4.mul(c0, k), l), k1 = f32x4.add(f32x4.mul(c1, k), l);
  const k2 = f32x4.add(f32x4.mul(c2, k), l), k3 = f32x4.add(f32x4.mul(c3, k), l);
  const n0 = f32x4.sub(k0, l), n1 = f32x4.sub(k1, l), n2 = f32x4.sub(k2, l), n3 = f32x4.sub(k3, l);
  k = v128.load(EXPC, 64); l = v128.load(EXPC, 80);
  const r0 = f32x4.sub(f32x4.sub(c0, f32x4.mul(n0, k)), f32x4.mul(n0, l)), r1 = f32x4.sub(f32x4.sub(c1, f32x4.mul(n1, k)), f32x4.mul(n1, l));
  const r2 = f32x4.sub(f32x4.sub(c2, f32x4.mul(n2, k)), f32x4.mul(n2, l)), r3 = f32x4.sub(f32x4.sub(c3, f32x4.mul(n3, k)), f32x4.mul(n3, l));
  k = v128.load(EXPC, 96); l = v128.load(EXPC, 112);
  let p0 = f32x4.add(f32x4.mul(k, r0), l), p1 = f32x4.add(f32x4.mul(k, r1), l), p2 = f32x4.add(f32x4.mul(k, r2), l), p3 = f32x4.add(f32x4.mul(k, r3), l);
  for (let off = 128; off <= 160; off += 16) { // P2…P4, unrolled by the optimizer
    k = v128.load(EXPC + off);
    p0 = f32x4.add(f32x4.mul(p0, r0), k); p1 = f32x4.add(f32x4.mul(p1, r1), k); p2 = f32x4.add(f32x4.mul(p2, r2), k); p3 = f32x4.add(f32x4.mul(p3, r3), k);
  }
  k = v128.load(EXPC, 176);
  p0 = f32x4.add(f32x4.add(f32x4.mul(p0, f32x4.mul(r0, r0)), r0), k); p1 = f32x4.add(f32x4.add(f32x4.mul(p1, f32x4.mul(r1, r1)), r1), k);
  p2 = f32x4.add(f32x4.add(f32x4.mul(p2, f32x4.mul(r2, r2)), r2), k); p3 = f32x4.add(f32x4.add(f32x4.mul(p3, f32x4.mul(r3, r3)), r3), k);
  l = v128.load(EXPC_BIAS);
  v128.store(out, f32x4.mul(p0, i32x4.shl(i32x4.add(k0, l), 23)));
  v128.store(out, f32x4.mul(p1, i32x4.shl(i32x4.add(k1, l), 23)), 16);
  v128.store(out, f32x4.mul(p2, i32x4.shl(i32x4.add(k2, l), 23)), 32);
  v128.store(out, f32x4.mul(p3, i32x4.shl(i32x4.add(k3, l), 23)), 48);
}

const T0: f32 = -5.70498872745e-3, T1: f32 = 2.06390887954e-2, T2: f32 = -5.37397155531e-2;
const T3: f32 = 1.33314422036e-1, T4: f32 = -3.33332819422e-1;
const TANH_SMALL: f32 = 0.625;

/** tanh x: an odd polynomial near 0 (no cancellation), 1 − 2/(e^{2|x|} + 1) elsewhere */
export function tanhf(x: f32): f32 {
  const ax = Mathf.abs(x);
  if (ax < TANH_SMALL) {
    const z = x * x;
    return ((((T0 * z + T1) * z + T2) * z + T3) * z + T4) * z * x + x;
  }
  const t = <f32>1 - <f32>2 / (expf(ax + ax) + <f32>1);
  return copysign<f32>(t, x);
}

/** tanh over four lanes, the same operations as tanhf */
// @ts-ignore: decorator
@inline export function tanhf4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(f32x4.splat(T0), z), f32x4.splat(T1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T3));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T4));
  const near = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const one = f32x4.splat(1);
  const t = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(expf4(f32x4.add(ax, ax)), one)));
  const far = v128.or(t, v128.and(x, i32x4.splat(0x80000000))); // copysign: t ≥ 0
  return v128.bitselect(near, far, f32x4.lt(ax, f32x4.splat(TANH_SMALL)));
}

