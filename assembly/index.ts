// The kernel ABI (src/backends/kernels.ts describes every export). This file
// only re-exports; each family lives in its own file.
export * from './gemm';
export * from './activations';
export * from './losses';
export * from './optimizers';
export * from './gather';
export * from './random';
import { PANEL_END, PANEL_BYTES } from './tiles';

/** First byte after the module's own memory (its static data and the GEMM panel): the arena starts above it. */
export function heap_base(): usize {
  return PANEL_END;
}

/** Bytes of one GEMM panel (src/layout.ts's PANEL_BYTES must agree: checked at load). */
export function panel_bytes(): usize {
  return PANEL_BYTES;
}
export * from './step';
export * from './finite';
export * from './recurrent';
