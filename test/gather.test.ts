// assembly/gather.ts: rows by index, repeated and out of order, every backend.
import { describe, expect, it } from 'vitest';
import { allBackends, get, Placer, put, putI32 } from './helpers.js';

describe('gather_rows', async () => {
  const backends = await allBackends();
  it('copies rows by index on every backend', () => {
    const cols = 5, rows = 6;
    const src = Float32Array.from({ length: rows * cols }, (_, i) => i);
    const idx = [5, 0, 3, 3, 1];
    for (const be of backends) {
      const P = new Placer();
      const ps = P.take(src.length), pi = P.take(idx.length), pd = P.take(idx.length * cols + 1);
      put(be, ps, src); putI32(be, pi, idx); put(be, pd, new Float32Array(idx.length * cols + 1).fill(-1));
      be.kernels.gather_rows(ps, pi, pd, idx.length, cols);
      const out = get(be, pd, idx.length * cols + 1);
      const want = idx.flatMap((r) => Array.from(src.subarray(r * cols, (r + 1) * cols)));
      expect(Array.from(out.subarray(0, want.length)), be.name).toEqual(want);
      expect(out[want.length], `${be.name} wrote past the batch`).toBe(-1);
    }
  });
});
