// Backends: the same kernel ABI over one arena. `simd` and `scalar` are the
// AssemblyScript core compiled with and without f32x4; `ts` is the plain
// TypeScript twin over an ArrayBuffer.
import { instantiate } from '@assemblyscript/loader';
import { BackpropError } from '../errors.js';
import { isNode } from '../host.js';
import { ARENA_BASE, PANEL_BYTES } from '../layout.js';
import type { Kernels } from './kernels.js';
import { TsKernels } from './ts.js';
import { wasmBytes } from '../wasm-bytes.js';

export type BackendName = 'simd' | 'scalar' | 'ts' | 'relaxed';
/** The backends every engine with WebAssembly runs, bit-reproducible (simd, scalar) or the TS baseline. */
export const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'ts'];
/** Opt-in: `relaxed` fuses multiply-adds (relaxed SIMD) — faster where the engine has it, but
 *  its bits depend on the CPU, so it is never picked unless asked for. */
export const ALL_BACKENDS: readonly BackendName[] = [...BACKENDS, 'relaxed'];

export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  /** The arena's current buffer: derive views from it when used (it changes on growth). */
  buffer(): ArrayBuffer;
  /** Grow the arena to at least `bytes`, keeping its contents. */
  ensure(bytes: number): void;
  /** With threads: the module and the shared memory the workers instantiate over. */
  readonly shared?: { module: WebAssembly.Module; memory: WebAssembly.Memory };
}

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB: the 32-bit WebAssembly limit

const modules = new Map<string, Promise<WebAssembly.Module>>();

/** A minimal module using one SIMD instruction (v128.const; drop): validates only where SIMD works. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 11]);
export const simdSupported = (): boolean => WebAssembly.validate(SIMD_PROBE);
/** The backend asked for (simd by default), with scalar for simd where the engine lacks SIMD. */
export const preferredBackend = (name: BackendName = 'simd'): BackendName => (name === 'simd' && !simdSupported() ? 'scalar' : name);
/** The same probe with f32x4.relaxed_madd of three zero vectors. */
const RELAXED_PROBE = (() => {
  const zero = [253, 12, ...new Array(16).fill(0)];
  const body = [0, ...zero, ...zero, ...zero, 253, 133, 2, 26, 11];
  return new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body]);
})();
export const relaxedSimdSupported = (): boolean => WebAssembly.validate(RELAXED_PROBE);

function compiled(variant: 'simd' | 'scalar' | 'relaxed' | 'threads'): Promise<WebAssembly.Module> {
  let m = modules.get(variant);
  if (!m) {
    m = wasmBytes(variant).then((bytes) => (variant === 'threads' ? compileForThreads(bytes) : WebAssembly.compile(bytes)));
    modules.set(variant, m);
  }
  return m;
}

/** In Node 20 (V8 11.3), with Liftoff (V8's baseline wasm compiler) on, a worker of the
 *  pool now and then stalls at a barrier until the main thread leaves WebAssembly (about
 *  one run in seven here; none in 40 with --no-liftoff; switching it off only for the
 *  compile was not enough: 6 in 30). So a process that asks for threads runs its wasm on
 *  the optimizing compiler alone from then on: slower to compile, as fast to run. */
async function compileForThreads(bytes: Uint8Array<ArrayBuffer>): Promise<WebAssembly.Module> {
  if (isNode()) (await import('node:v8')).setFlagsFromString('--no-liftoff');
  return WebAssembly.compile(bytes);
}

/** A backend over a fresh arena of at least `bytes`; `shared` picks the threads build (simd over a shared memory). */
export async function createBackend(name: BackendName, bytes: number, shared = false): Promise<Backend> {
  if (shared && name !== 'simd') throw new BackpropError(`threads need the simd backend, not '${name}'`);
  if (name === 'ts') {
    const grow = <T>(n: number, f: () => T): T => {
      try { return f(); } catch (e) { throw new BackpropError(`could not allocate an arena of ${n} bytes: ${(e as Error).message}`); }
    };
    const k = grow(bytes, () => new TsKernels(bytes));
    return { name, kernels: k, buffer: () => k.buffer, ensure: (n) => grow(n, () => k.ensure(n)) };
  }
  if (!ALL_BACKENDS.includes(name)) throw new BackpropError(`unknown backend '${name}' (expected simd, scalar, ts or relaxed)`);
  if (name === 'relaxed' && !relaxedSimdSupported())
    throw new BackpropError("backend 'relaxed' needs WebAssembly relaxed SIMD, which this engine lacks (Node 20: run node with --experimental-wasm-relaxed-simd)");
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) throw new BackpropError(`the network needs ${bytes} bytes of arena, more than WebAssembly's 4 GiB`);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared });
  } catch (e) {
    throw new BackpropError(`could not allocate the arena (${bytes} bytes): ${(e as Error).message}`);
  }
  const module = await compiled(shared ? 'threads' : name);
  // clock_ms: the threads build reads the clock while a barrier wait drags on
  const imports = { env: { memory, clock_ms: () => performance.now() } };
  const { instance } = await instantiate(module, imports);
  const kernels = instance.exports as unknown as Kernels & { heap_base(): number; panel_bytes(): number };
  if (kernels.heap_base() > ARENA_BASE) throw new Error(`internal: module data ends at ${kernels.heap_base()}, above the arena base`);
  if (kernels.panel_bytes() !== PANEL_BYTES) throw new Error(`internal: the module's GEMM panel is ${kernels.panel_bytes()} bytes, the layout's ${PANEL_BYTES}`);
  return {
    name, kernels,
    shared: shared ? { module, memory } : undefined,
    buffer: () => memory.buffer as ArrayBuffer,
    ensure(n: number) {
      const need = Math.ceil(n / PAGE) - memory.buffer.byteLength / PAGE;
      if (need <= 0) return;
      if (memory.buffer.byteLength / PAGE + need > MAX_PAGES) throw new BackpropError(`the network needs ${n} bytes of arena, more than WebAssembly's 4 GiB`);
      try {
        memory.grow(need);
      } catch (e) {
        throw new BackpropError(`could not grow the arena to ${n} bytes: ${(e as Error).message}`);
      }
    },
  };
}
