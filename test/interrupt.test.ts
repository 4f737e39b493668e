// Interrupted runs lose nothing (issue 8): SIGINT/SIGTERM stop after the
// current batch, write the model atomically with a note, exit 130; a second
// signal exits at once without touching the file; --checkpoint-every writes
// as it goes. Real child processes on the built CLI (npm test builds first).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNetwork } from '../src/index.js';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

/** Starts a long MNIST run; resolves once it has printed `epochs` epoch lines. */
function longRun(args: string[], epochs = 1) {
  const child = spawn(process.execPath, [CLI, 'train', '--dataset', 'mnist', '--epochs', '500', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => { if ((out.match(/^epoch \d+/gm) ?? []).length >= epochs) resolve(); });
    child.once('exit', () => reject(new Error(`exited early: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, started, exited, out: () => out, err: () => err };
}

describe('interrupted training', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: stops after the current batch, saves the model with a note, exits 130`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bpw-int-'));
      const model = join(dir, 'm.json');
      const run = longRun(['--save', model]);
      await run.started;
      run.child.kill(signal);
      expect(await run.exited).toBe(130);
      const lines = run.err().trim().split('\n').filter((l) => l.startsWith('error:') || l.includes('interrupted'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`interrupted during epoch (\\d+) of 500; the model so far is saved in ${model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      const json = JSON.parse(readFileSync(model, 'utf8'));
      expect(json.interrupted.epoch).toBeGreaterThanOrEqual(1);
      expect(json.interrupted.note).toMatch(/interrupted during epoch/);
      const net = await loadNetwork(json);
      expect(net.inputSize).toBe(784);
      expect(readdirSync(dir)).toEqual(['m.json']); // no temp file left behind
    }, 60000);
  }

  it('a second signal exits at once and leaves an existing model file untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpw-int-'));
    const model = join(dir, 'm.json');
    writeFileSync(model, 'the old model');
    const run = longRun(['--save', model]);
    await run.started;
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(readdirSync(dir)).toEqual(['m.json']);
    const content = readFileSync(model, 'utf8');
    // Either the second signal came first (old file), or the save had finished: never half a file.
    expect(content === 'the old model' || JSON.parse(content).interrupted !== undefined).toBe(true);
  }, 60000);

  it('--checkpoint-every N writes the model every N epochs while training goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpw-int-'));
    const model = join(dir, 'm.json');
    const run = longRun(['--save', model, '--checkpoint-every', '1'], 2);
    await run.started;
    expect(existsSync(model)).toBe(true);
    const json = JSON.parse(readFileSync(model, 'utf8'));
    expect(json.checkpoint.epoch).toBeGreaterThanOrEqual(1);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
  }, 60000);
});
