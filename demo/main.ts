// The demo page's entry: says what this browser offers, then wires the panels.
// The library is not bundled here: `backprop-wasm` is ./lib/browser/backprop-wasm.js at run
// time (scripts/build-demo.mjs), the same file trainInWorker's worker loads.
import { createNetwork, simdSupported } from 'backprop-wasm';
import { byId, messageOf } from './dom.js';
import { DrawPanel } from './draw-panel.js';
import { irisPanel } from './iris-panel.js';
import { MNIST_SPEC, mnistPanel } from './mnist-panel.js';

function describeEnvironment(): void {
  const simd = simdSupported();
  const cores = navigator.hardwareConcurrency || 1;
  byId('env').textContent = [
    `WebAssembly SIMD: ${simd ? 'yes' : 'no'} (default backend: ${simd ? 'simd' : 'scalar'})`,
    crossOriginIsolated
      ? `threads: available (cross-origin isolated; ${cores} logical core${cores === 1 ? '' : 's'})`
      : 'threads: not available (the page is not cross-origin isolated: one thread per network)',
  ].join(' · ');
  document.body.dataset.simd = String(simd);
}

async function main(): Promise<void> {
  describeEnvironment();
  irisPanel();
  // The draw panel's network lives in this thread from the start (untrained until
  // the first epoch's weights arrive), so drawing works before any training.
  const net = await createNetwork({ ...MNIST_SPEC, ...(simdSupported() ? {} : { backend: 'scalar' as const }) });
  mnistPanel(new DrawPanel(net));
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  byId('status').textContent = `error: ${messageOf(e)}`;
  console.error(e);
});
