// Backends: the same kernel ABI over one arena. `simd` and `scalar` are the
// AssemblyScript core compiled with and without f32x4; `ts` is the plain
// TypeScript twin over an ArrayBuffer.
import { instantiate } from '@assemblyscript/loader';
import { BackpropError } from '../errors.js';
import { ARENA_BASE } from '../layout.js';
import type { Kernels } from './kernels.js';
import { TsKernels } from './ts.js';
import { wasmBytes } from '../wasm-bytes.js';

export type BackendName = 'simd' | 'scalar' | 'ts';
export const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'ts'];

export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  /** The arena's current buffer: derive views from it when used (it changes on growth). */
  buffer(): ArrayBuffer;
  /** Grow the arena to at least `bytes`, keeping its contents. */
  ensure(bytes: number): void;
}

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB: the 32-bit WebAssembly limit

const modules = new Map<string, Promise<WebAssembly.Module>>();

/** A minimal module using one SIMD instruction (v128.const; drop): validates only where SIMD works. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 11]);
export const simdSupported = (): boolean => WebAssembly.validate(SIMD_PROBE);

function compiled(variant: 'simd' | 'scalar'): Promise<WebAssembly.Module> {
  let m = modules.get(variant);
  if (!m) {
    m = wasmBytes(variant).then((bytes) => WebAssembly.compile(bytes));
    modules.set(variant, m);
  }
  return m;
}

export async function createBackend(name: BackendName, bytes: number): Promise<Backend> {
  if (name === 'ts') {
    const k = new TsKernels(bytes);
    return { name, kernels: k, buffer: () => k.buffer, ensure: (n) => k.ensure(n) };
  }
  if (!BACKENDS.includes(name)) throw new BackpropError(`unknown backend '${name}' (expected simd, scalar or ts)`);
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) throw new BackpropError(`the network needs ${bytes} bytes of arena, more than WebAssembly's 4 GiB`);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES });
  const { instance } = await instantiate(await compiled(name), { env: { memory } });
  const kernels = instance.exports as unknown as Kernels & { heap_base(): number };
  if (kernels.heap_base() > ARENA_BASE) throw new Error(`internal: module data ends at ${kernels.heap_base()}, above the arena base`);
  return {
    name, kernels,
    buffer: () => memory.buffer,
    ensure(n: number) {
      const need = Math.ceil(n / PAGE) - memory.buffer.byteLength / PAGE;
      if (need <= 0) return;
      if (memory.buffer.byteLength / PAGE + need > MAX_PAGES) throw new BackpropError(`the network needs ${n} bytes of arena, more than WebAssembly's 4 GiB`);
      memory.grow(need);
    },
  };
}
