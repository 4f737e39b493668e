// The opt-in `relaxed` backend (FMA through relaxed SIMD): refused with a clear
// error where the engine lacks it, and close to simd where it has it (Node 20
// needs a flag, so that half runs in a child process).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BackpropError, createNetwork } from '../src/index.js';
import { relaxedSimdSupported } from '../src/backends/index.js';

const spec = { inputSize: 4, layers: [{ units: 8 }, { units: 3, activation: 'softmax' as const }], seed: 1 };

describe('relaxed backend', () => {
  it('is refused with a one-line error where relaxed SIMD is missing, and works where it is there', async () => {
    const made = await createNetwork({ ...spec, backend: 'relaxed' }).then((n) => n, (e) => e);
    if (relaxedSimdSupported()) expect(made.backend).toBe('relaxed');
    else {
      expect(made).toBeInstanceOf(BackpropError);
      expect(made.message).toMatch(/needs WebAssembly relaxed SIMD/);
    }
  });

  it('with relaxed SIMD enabled, trains to within 1e-4 of simd (dist build, child process)', () => {
    const script = `
      import { createNetwork, loadIris, fitStandardizer } from './dist/index.js';
      const iris = loadIris(); const x = fitStandardizer(iris.x).transform(iris.x);
      const out = {};
      for (const backend of ['simd', 'relaxed']) {
        const net = await createNetwork({ ...${JSON.stringify(spec)}, backend, optimizer: 'sgd', learningRate: 0.05 });
        await net.fit(x, iris.y, { epochs: 3, batchSize: 16 });
        out[backend] = net.getWeights().flatMap((l) => [...l.weights, ...l.bias]);
      }
      console.log(JSON.stringify(out));`;
    const res = JSON.parse(execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', script], { encoding: 'utf8' }));
    expect(res.relaxed).toHaveLength(res.simd.length);
    res.relaxed.forEach((v: number, i: number) => expect(Math.abs(v - res.simd[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(res.simd[i]))));
  });
});
