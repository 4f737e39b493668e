// Activations, forward a = f(z) and backward dz = f'(z)·da side by side.
// Pointers are byte offsets, n is the element count (m×n rows for softmax).
// Backward kernels read the forward output a (it carries the sign of z for
// relu and leaky-relu) and overwrite dz. exp and tanh come from ./math
// (compiled into the module, the same bits in the simd and scalar builds and on
// every engine), so results do not depend on the host's Math.
import { expf, expf4, expf4x4, tanhf, tanhf4 } from './math';

const LEAK: f32 = 0.01;

/** a[n] = 1 / (1 + exp(−z)) */
export function sigmoid_forward(z: usize, a: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1), sign = i32x4.splat(0x80000000); // −z by one xor (f32x4.neg is three instructions in V8)
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i << 2;
      expf4x4(v128.xor(v128.load(z + o), sign), v128.xor(v128.load(z + o, 16), sign), v128.xor(v128.load(z + o, 32), sign), v128.xor(v128.load(z + o, 48), sign), a + o);
      v128.store(a + o, f32x4.div(one, f32x4.add(one, v128.load(a + o))));
      v128.store(a + o, f32x4.div(one, f32x4.add(one, v128.load(a + o, 16))), 16);
      v128.store(a + o, f32x4.div(one, f32x4.add(one, v128.load(a + o, 32))), 32);
      v128.store(a + o, f32x4.div(one, f32x4.add(one, v128.load(a + o, 48))), 48);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(a + o, f32x4.div(one, f32x4.add(one, expf4(v128.xor(v128.load(z + o), sign)))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(a + o, <f32>1 / (<f32>1 + expf(-load<f32>(z + o))));
  }
}

/** dz[n] = da·a·(1 − a) */
export function sigmoid_backward(a: usize, da: usize, dz: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const av = v128.load(a + o);
      v128.store(dz + o, f32x4.mul(f32x4.mul(v128.load(da + o), av), f32x4.sub(one, av)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const av = load<f32>(a + o);
    store<f32>(dz + o, load<f32>(da + o) * av * (<f32>1 - av));
  }
}

/** a[n] = tanh(z) */
export function tanh_forward(z: usize, a: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(a + o, tanhf4(v128.load(z + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(a + o, tanhf(load<f32>(z + o)));
  }
}

/** dz[n] = da·(1 − a²) */
export function tanh_backward(a: usize, da: usize, dz: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const av = v128.load(a + o);
      v128.store(dz + o, f32x4.mul(v128.load(da + o), f32x4.sub(one, f32x4.mul(av, av))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const av = load<f32>(a + o);
    store<f32>(dz + o, load<f32>(da + o) * (<f32>1 - av * av));
  }
}

/** a[n] = max(z, 0) */
export function relu_forward(z: usize, a: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const zv = v128.load(z + o);
      v128.store(a + o, v128.and(zv, f32x4.gt(zv, zero))); // NaN and −0 map like the scalar path
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const zv = load<f32>(z + o);
    store<f32>(a + o, zv > 0 ? zv : 0);
  }
}

/** dz[n] = a > 0 ? da : 0 */
export function relu_backward(a: usize, da: usize, dz: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dz + o, v128.and(v128.load(da + o), f32x4.gt(v128.load(a + o), zero)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dz + o, load<f32>(a + o) > 0 ? load<f32>(da + o) : 0);
  }
}

/** a[n] = z > 0 ? z : 0.01·z */
export function leaky_relu_forward(z: usize, a: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0), leak = f32x4.splat(LEAK);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const zv = v128.load(z + o);
      v128.store(a + o, v128.bitselect(zv, f32x4.mul(zv, leak), f32x4.gt(zv, zero)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const zv = load<f32>(z + o);
    store<f32>(a + o, zv > 0 ? zv : zv * LEAK);
  }
}

/** dz[n] = a > 0 ? da : 0.01·da */
export function leaky_relu_backward(a: usize, da: usize, dz: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0), leak = f32x4.splat(LEAK);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const d = v128.load(da + o);
      v128.store(dz + o, v128.bitselect(d, f32x4.mul(d, leak), f32x4.gt(v128.load(a + o), zero)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(da + o);
    store<f32>(dz + o, load<f32>(a + o) > 0 ? d : d * LEAK);
  }
}

/** a[n] = z */
export function linear_forward(z: usize, a: usize, n: i32): void {
  memory.copy(a, z, <usize>n << 2);
}

/** dz[n] = da */
export function linear_backward(a: usize, da: usize, dz: usize, n: i32): void {
  memory.copy(dz, da, <usize>n << 2);
}

/** A[m×n] = row-wise softmax of Z[m×n], the row max subtracted first.
 *  The exponentials run four at a time; the row sum stays sequential. */
export function softmax_forward(z: usize, a: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const zr = z + (<usize>(i * n) << 2), ar = a + (<usize>(i * n) << 2);
    let mx = -Infinity as f32;
    for (let j = 0; j < n; j++) mx = max(mx, load<f32>(zr + (<usize>j << 2)));
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vm = f32x4.splat(mx);
      for (; j + 4 <= n; j += 4) v128.store(ar + (<usize>j << 2), expf4(f32x4.sub(v128.load(zr + (<usize>j << 2)), vm)));
    }
    for (; j < n; j++) store<f32>(ar + (<usize>j << 2), expf(load<f32>(zr + (<usize>j << 2)) - mx));
    let s: f32 = 0;
    for (j = 0; j < n; j++) s += load<f32>(ar + (<usize>j << 2));
    const inv = <f32>1 / s;
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const vi = f32x4.splat(inv);
      for (; j + 4 <= n; j += 4) v128.store(ar + (<usize>j << 2), f32x4.mul(v128.load(ar + (<usize>j << 2)), vi));
    }
    for (; j < n; j++) store<f32>(ar + (<usize>j << 2), load<f32>(ar + (<usize>j << 2)) * inv);
  }
}

/** dZ[m×n] = A ⊙ (dA − Σ_j dA_j·A_j), row-wise (the softmax Jacobian times dA). */
export function softmax_backward(a: usize, da: usize, dz: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const o = <usize>(i * n) << 2;
    let dot: f32 = 0;
    for (let j = 0; j < n; j++) dot += load<f32>(da + o + (<usize>j << 2)) * load<f32>(a + o + (<usize>j << 2));
    for (let j = 0; j < n; j++) {
      const q = o + (<usize>j << 2);
      store<f32>(dz + q, load<f32>(a + q) * (load<f32>(da + q) - dot));
    }
  }
}
