// Where the compiled kernels come from: build/backprop.<variant>.wasm beside
// src/ and dist/ (both one level below the package root).
export async function wasmBytes(variant: 'simd' | 'scalar' | 'relaxed' | 'threads'): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL(`../build/backprop.${variant}.wasm`, import.meta.url);
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
  }
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}
