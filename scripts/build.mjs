// npm run build: the AssemblyScript core twice (simd, scalar), then the
// library and CLI bundles with esbuild, then the .d.ts types with tsc.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { buildMnistAsset } from './build-mnist.mjs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
for (const target of ['simd', 'scalar', 'relaxed']) run('npx', ['asc', '--config', 'asconfig.json', '--target', target]);
// the threads build has its own entry (the atomics of ./parallel need the threads feature)
run('npx', ['asc', 'assembly/threads.ts', '--config', 'asconfig.json', '--target', 'threads']);
// The bundled MNIST digits: converted once, kept while build/ has them.
buildMnistAsset();

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
await esbuild.build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', platform: 'neutral', external: ['node:*'] });
await esbuild.build({
  ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
});
run('npx', ['tsc', '-p', 'tsconfig.build.json']);
// The browser ESM bundle, wasm inlined (scripts/build-browser.mjs).
const { buildBrowser } = await import('./build-browser.mjs');
await buildBrowser();
await (await import('./build-demo.mjs')).buildDemo(); // the demo page, dist/demo/ (after the browser bundle it copies)
