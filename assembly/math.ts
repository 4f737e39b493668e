// exp and tanh for the activations, written once as a scalar function and
// once over f32x4 with the same operations in the same order, so the simd and
// scalar builds give the same bits — and, being compiled into the module, the
// same bits on every engine. Cephes-style: e^x = 2^n · e^r with |r| ≤ ½·ln 2
// and a degree-6 polynomial for e^r; about 1 ulp of error.

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_HI: f32 = 88.3762626647949; // above: +Infinity (e^x overflows f32)
const EXP_LO: f32 = -87.3365447504019; // below: 0 (e^x is subnormal or 0)
const P0: f32 = 1.9875691500e-4, P1: f32 = 1.3981999507e-3, P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2, P4: f32 = 1.6666665459e-1, P5: f32 = 5.0000001201e-1;

/** e^x */
export function expf(x: f32): f32 {
  if (x > EXP_HI) return Infinity;
  if (x < EXP_LO) return 0;
  const n = Mathf.floor(x * LOG2E + 0.5);
  const r = x - n * LN2_HI - n * LN2_LO;
  const p = ((((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5) * (r * r) + r) + <f32>1;
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

/** e^x over four lanes, the same operations as expf. The clamp uses pmin/pmax
 *  (one instruction each; NaN still propagates) and 2^n is built by the
 *  magic-number trick (n is an integer in [−126, 128]): both give exactly the
 *  scalar path's n, so the lanes match expf to the bit. */
// @ts-ignore: decorator
@inline export function expf4(x: v128): v128 {
  const c = f32x4.pmax(f32x4.pmin(x, f32x4.splat(EXP_HI)), f32x4.splat(EXP_LO));
  const n = f32x4.floor(f32x4.add(f32x4.mul(c, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  const r = f32x4.sub(f32x4.sub(c, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(P0), r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  // n + 1.5·2^23 holds n in its low mantissa bits: (bits − bits(1.5·2^23) + 127) << 23 is 2^n
  const shifted = i32x4.sub(f32x4.add(n, f32x4.splat(MAGIC)), i32x4.splat(MAGIC_BITS));
  const scale = i32x4.shl(i32x4.add(shifted, i32x4.splat(127)), 23);
  const e = f32x4.mul(p, scale);
  // the clamps stand in for the scalar early returns: above → +Infinity, below → 0
  const big = f32x4.gt(x, f32x4.splat(EXP_HI)), small = f32x4.lt(x, f32x4.splat(EXP_LO));
  return v128.andnot(v128.bitselect(f32x4.splat(Infinity), e, big), small);
}

const MAGIC: f32 = 12582912.0; // 1.5·2^23
const MAGIC_BITS: i32 = 0x4b400000;

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

// four vectors at once, stored at out: each constant is materialized once per 16 lanes
// @ts-ignore: decorator
@inline export function expf4x4(x0: v128, x1: v128, x2: v128, x3: v128, out: usize): void {
  const hi = f32x4.splat(EXP_HI), lo = f32x4.splat(EXP_LO), l2e = f32x4.splat(LOG2E), half = f32x4.splat(0.5);
  const c0 = f32x4.pmax(f32x4.pmin(x0, hi), lo), c1 = f32x4.pmax(f32x4.pmin(x1, hi), lo), c2 = f32x4.pmax(f32x4.pmin(x2, hi), lo), c3 = f32x4.pmax(f32x4.pmin(x3, hi), lo);
  const n0 = f32x4.floor(f32x4.add(f32x4.mul(c0, l2e), half)), n1 = f32x4.floor(f32x4.add(f32x4.mul(c1, l2e), half));
  const n2 = f32x4.floor(f32x4.add(f32x4.mul(c2, l2e), half)), n3 = f32x4.floor(f32x4.add(f32x4.mul(c3, l2e), half));
  const lh = f32x4.splat(LN2_HI), ll = f32x4.splat(LN2_LO);
  const r0 = f32x4.sub(f32x4.sub(c0, f32x4.mul(n0, lh)), f32x4.mul(n0, ll)), r1 = f32x4.sub(f32x4.sub(c1, f32x4.mul(n1, lh)), f32x4.mul(n1, ll));
  const r2 = f32x4.sub(f32x4.sub(c2, f32x4.mul(n2, lh)), f32x4.mul(n2, ll)), r3 = f32x4.sub(f32x4.sub(c3, f32x4.mul(n3, lh)), f32x4.mul(n3, ll));
  const p0c = f32x4.splat(P0), p1c = f32x4.splat(P1);
  let p0 = f32x4.add(f32x4.mul(p0c, r0), p1c), p1 = f32x4.add(f32x4.mul(p0c, r1), p1c), p2 = f32x4.add(f32x4.mul(p0c, r2), p1c), p3 = f32x4.add(f32x4.mul(p0c, r3), p1c);
  let k = f32x4.splat(P2);
  p0 = f32x4.add(f32x4.mul(p0, r0), k); p1 = f32x4.add(f32x4.mul(p1, r1), k); p2 = f32x4.add(f32x4.mul(p2, r2), k); p3 = f32x4.add(f32x4.mul(p3, r3), k);
  k = f32x4.splat(P3);
  p0 = f32x4.add(f32x4.mul(p0, r0), k); p1 = f32x4.add(f32x4.mul(p1, r1), k); p2 = f32x4.add(f32x4.mul(p2, r2), k); p3 = f32x4.add(f32x4.mul(p3, r3), k);
  k = f32x4.splat(P4);
  p0 = f32x4.add(f32x4.mul(p0, r0), k); p1 = f32x4.add(f32x4.mul(p1, r1), k); p2 = f32x4.add(f32x4.mul(p2, r2), k); p3 = f32x4.add(f32x4.mul(p3, r3), k);
  k = f32x4.splat(P5);
  p0 = f32x4.add(f32x4.mul(p0, r0), k); p1 = f32x4.add(f32x4.mul(p1, r1), k); p2 = f32x4.add(f32x4.mul(p2, r2), k); p3 = f32x4.add(f32x4.mul(p3, r3), k);
  const one = f32x4.splat(1);
  p0 = f32x4.add(f32x4.add(f32x4.mul(p0, f32x4.mul(r0, r0)), r0), one); p1 = f32x4.add(f32x4.add(f32x4.mul(p1, f32x4.mul(r1, r1)), r1), one);
  p2 = f32x4.add(f32x4.add(f32x4.mul(p2, f32x4.mul(r2, r2)), r2), one); p3 = f32x4.add(f32x4.add(f32x4.mul(p3, f32x4.mul(r3, r3)), r3), one);
  const mg = f32x4.splat(MAGIC), mb = i32x4.splat(MAGIC_BITS), b127 = i32x4.splat(127);
  const e0 = f32x4.mul(p0, i32x4.shl(i32x4.add(i32x4.sub(f32x4.add(n0, mg), mb), b127), 23));
  const e1 = f32x4.mul(p1, i32x4.shl(i32x4.add(i32x4.sub(f32x4.add(n1, mg), mb), b127), 23));
  const e2 = f32x4.mul(p2, i32x4.shl(i32x4.add(i32x4.sub(f32x4.add(n2, mg), mb), b127), 23));
  const e3 = f32x4.mul(p3, i32x4.shl(i32x4.add(i32x4.sub(f32x4.add(n3, mg), mb), b127), 23));
  const inf = f32x4.splat(Infinity);
  v128.store(out, v128.andnot(v128.bitselect(inf, e0, f32x4.gt(x0, hi)), f32x4.lt(x0, lo)));
  v128.store(out, v128.andnot(v128.bitselect(inf, e1, f32x4.gt(x1, hi)), f32x4.lt(x1, lo)), 16);
  v128.store(out, v128.andnot(v128.bitselect(inf, e2, f32x4.gt(x2, hi)), f32x4.lt(x2, lo)), 32);
  v128.store(out, v128.andnot(v128.bitselect(inf, e3, f32x4.gt(x3, hi)), f32x4.lt(x3, lo)), 48);
}
