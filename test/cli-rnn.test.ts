// `backprop-wasm train-rnn …` as users run it: `node dist/cli.js` (npm test builds first).
// Small epoch counts keep every run well under a second; learning itself is tested in rnn-tasks.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFixedPointNetwork, loadRecurrentNetwork, matrix } from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');
let dir: string;

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'train-rnn', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2, and stderr is exactly one line `error: …` with no stack trace. */
function expectUsageError(r: ReturnType<typeof run>, pattern?: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  if (pattern) expect(lines[0]).toMatch(pattern);
  expect(r.stdout).toBe('');
}

beforeAll(() => {
  expect(existsSync(cli), 'dist/cli.js: run npm run build').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'bpw-cli-rnn-'));
  writeFileSync(join(dir, 'text.txt'), 'the cat sat on the mat. the dog sat on the log. '.repeat(20));
});

describe('train-rnn', () => {
  it('sine: prints the report; --json prints one object with the report fields', () => {
    const r = run('--task', 'sine', '--epochs', '3');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^task: sine \(64 train, 32 test\)$/m);
    expect(r.stdout).toMatch(/^epochs: 3$/m);
    expect(r.stdout).toMatch(/^test: .*mseAfterWarmup/m);
    expect(r.stdout).toMatch(/^(solved|not solved): /m);

    const j = run('--task', 'sine', '--epochs', '3', '--hidden', '8', '--steps', '16', '--json');
    expect(j.code, j.stderr).toBe(0);
    expect(j.stdout.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(j.stdout);
    for (const key of ['task', 'backend', 'network', 'trainSequences', 'testSequences', 'epochs', 'history', 'train', 'test', 'solved', 'criterion', 'seconds'])
      expect(report, key).toHaveProperty(key);
    expect(report.task).toBe('sine');
    expect(report.epochs).toBe(3);
    expect(report.history.loss).toHaveLength(3);
    expect(report.network).toContain('1-8-1');
    expect(typeof report.test.mseAfterWarmup).toBe('number');
  });

  it('text: trains on the file and prints --generate N sampled characters', () => {
    const r = run('--task', 'text', '--text', 'text.txt', '--epochs', '2', '--hidden', '16', '--steps', '16', '--generate', '30', '--temperature', '0.8');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^task: text \(text\.txt\)/m);
    const sample = /^sample: (.*)$/m.exec(r.stdout);
    expect(sample, r.stdout).not.toBeNull();
    const text = JSON.parse(sample![1]) as string;
    expect(Array.from(text)).toHaveLength(30);
    for (const c of text) expect('the cat sat on the mat. the dog sat on the log. ').toContain(c);

    const j = run('--task', 'text', '--text', 'text.txt', '--epochs', '1', '--hidden', '8', '--steps', '16', '--generate', '10', '--json');
    expect(j.code, j.stderr).toBe(0);
    const report = JSON.parse(j.stdout);
    expect(Array.from(report.sample as string)).toHaveLength(10);
    expect(report.source).toBe('text.txt');
    expect(report.vocabulary).toEqual([...new Set('the cat sat on the mat. the dog sat on the log.')].sort());
  });

  it('parity runs', () => {
    const r = run('--task', 'parity', '--epochs', '2', '--steps', '8', '--truncate', '4', '--clip-norm', '1', '--backend', 'ts');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^network: .*truncate 4, clip 1, backend ts$/m);
    expect(r.stdout).toMatch(/lastStepAccuracy/);
  });

  it('attractor runs, --save writes a model loadFixedPointNetwork loads, --plot an SVG', async () => {
    const r = run('--task', 'attractor', '--epochs', '3', '--save', 'attractor.json', '--plot', 'attractor.svg');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^task: attractor/m);
    expect(r.stdout).toMatch(/^relaxation: /m);
    const net = await loadFixedPointNetwork(readFileSync(join(dir, 'attractor.json'), 'utf8'), { backend: 'ts' });
    try {
      expect(net.spec.units).toBe(32);
      expect(net.relax(matrix(1, 16, new Float32Array(16).fill(1))).output.cols).toBe(16);
    } finally {
      net.dispose();
    }
    const svg = readFileSync(join(dir, 'attractor.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[\s>]/);
    expect(svg).toContain('train-rnn --task attractor');
  });

  it('text and sine --save write models loadRecurrentNetwork loads (with the vocabulary), --plot an SVG', async () => {
    const r = run('--task', 'text', '--text', 'text.txt', '--epochs', '1', '--hidden', '8', '--steps', '16', '--save', 'text.json', '--plot', 'text.svg');
    expect(r.code, r.stderr).toBe(0);
    const net = await loadRecurrentNetwork(readFileSync(join(dir, 'text.json'), 'utf8'));
    try {
      expect(net.spec.hiddenSize).toBe(8);
      expect(net.metadata.vocabulary).toEqual([...new Set('the cat sat on the mat. the dog sat on the log.')].sort());
    } finally {
      net.dispose();
    }
    expect(readFileSync(join(dir, 'text.svg'), 'utf8')).toContain('</svg>');

    const s = run('--task', 'sine', '--epochs', '2', '--save', 'sine.json');
    expect(s.code, s.stderr).toBe(0);
    const sine = await loadRecurrentNetwork(readFileSync(join(dir, 'sine.json'), 'utf8'));
    try {
      expect([sine.inputSize, sine.outputSize]).toEqual([1, 1]);
    } finally {
      sine.dispose();
    }
  });

  it('bad input: one error line, exit 2, nothing written', () => {
    expectUsageError(run('--task', 'nope'), /unknown task 'nope'/);
    expectUsageError(run(), /needs --task/);
    expectUsageError(run('--task', 'text'), /--task text needs --text FILE/);
    expectUsageError(run('--task', 'text', '--text', 'missing.txt'), /cannot read text 'missing\.txt': no such file/);
    expectUsageError(run('--task', 'text', '--text', '.'), /cannot read text '\.'/);
    writeFileSync(join(dir, 'short.txt'), 'abc');
    expectUsageError(run('--task', 'text', '--text', 'short.txt'), /short\.txt|text has 3 characters/);
    expectUsageError(run('--task', 'sine', '--epochs', '0'), /--epochs must be a positive integer, got '0'/);
    expectUsageError(run('--task', 'sine', '--epochs', '2.5'), /--epochs/);
    expectUsageError(run('--task', 'sine', '--lr', 'fast'), /--lr must be a positive number/);
    expectUsageError(run('--task', 'sine', '--bogus', '1'), /unknown option '--bogus' for 'train-rnn'/);
    expectUsageError(run('--task', 'sine', 'extra'), /unexpected argument 'extra'/);
    expectUsageError(run('--task', 'sine', '--text', 'text.txt'), /--text applies to --task text only/);
    expectUsageError(run('--task', 'sine', '--generate', '5'), /--generate applies to --task text only/);
    expectUsageError(run('--task', 'attractor', '--truncate', '4'), /--truncate applies to the sequence tasks/);
    expectUsageError(run('--task', 'sine', '--backend', 'gpu'), /backend/);
    expectUsageError(run('--task', 'sine', '--epochs', '1', '--save', 'no/such/dir/m.json'), /cannot write --save file/);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});
