// The kernel ABI (src/backends/kernels.ts describes every export). This file
// only re-exports; each family lives in its own file.
export * from './gemm';
export * from './activations';
export * from './losses';
export * from './optimizers';
export * from './gather';
export * from './random';

/** First byte after the module's own static data: the arena starts above it. */
export function heap_base(): usize {
  return __heap_base;
}
export * from './step';
export * from './finite';
export * from './recurrent';
