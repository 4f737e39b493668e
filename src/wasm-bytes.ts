// Where the package's binary files come from: build/ beside src/ and dist/ (both
// one level below the package root). The browser bundle, two levels down in
// dist/browser/, gets a generated twin of this module (scripts/build-browser.mjs).

/** A file of the package's build/ directory. */
export const assetUrl = (file: string): URL => new URL(`../build/${file}`, import.meta.url);

/** The compiled kernels: build/backprop.<variant>.wasm. */
export async function wasmBytes(variant: 'simd' | 'scalar' | 'relaxed' | 'threads'): Promise<Uint8Array<ArrayBuffer>> {
  const url = assetUrl(`backprop.${variant}.wasm`);
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
  }
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}
