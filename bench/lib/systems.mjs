// Every system an MLP workload can train, by name: our three backends (plus
// `relaxed` when the library has it), TF.js on two backends, brain.js. Each
// factory returns a trainer { system, config, fitEpochs, getWeights, setWeights, dispose }.
import { createOurs } from './ours.mjs';

/** An error's first line, for tables and logs. */
export const firstLine = (e) => String(e?.message ?? e).split('\n')[0];

export const OURS = ['simd', 'relaxed', 'scalar', 'ts'];
/** Systems that may be missing (skipped, not failed, when they cannot start). */
export const OPTIONAL = new Set(['relaxed']);

export async function createSystem(name, spec) {
  if (OURS.includes(name)) return createOurs(name, spec);
  // the simd backend with its step on n threads (createNetwork's threads: n): simd-2threads, simd-3threads, …
  const threads = /^simd-(\d+)threads$/.exec(name);
  if (threads) return createOurs('simd', spec, Number(threads[1]));
  if (name === 'tfjs-cpu' || name === 'tfjs-wasm') return (await import('../peers/tfjs.mjs')).createTfjs(name.slice(5), spec);
  if (name === 'brain.js') return (await import('../peers/brain.mjs')).createBrain(spec);
  throw new Error(`unknown system '${name}'`);
}

/** The training rule a system really runs for a workload spec (what its reference is). */
export function effectiveSpec(name, spec) {
  if (name !== 'brain.js') return spec;
  return { ...spec, activations: spec.activations.map(() => 'sigmoid'), loss: 'sse', batch: 1 };
}
