// src/rnn-tasks.ts: the task generators, and runRnnTask (the job behind
// `backprop-wasm train-rnn`) meeting each task's stated criterion on the simd
// backend with its defaults — sine next-step MSE, temporal parity, text loss
// below the unigram entropy, pattern completion by a fixed-point network.
import { describe, expect, it } from 'vitest';
import { BackpropError } from '../src/index.js';
import { Rng } from '../src/random.js';
import {
  attractorTask, formatRnnTaskReport, generateText, parityTask, runRnnTask, sineTask, textTask, unigramEntropy, SINE_WARMUP,
  type RnnTaskReport,
} from '../src/rnn-tasks.js';
import type { RecurrentNetwork } from '../src/recurrent.js';

/** A text from a tiny grammar: strongly predictable from context, not from character frequencies. */
function grammarText(length: number, seed: number): string {
  const rng = new Rng(seed);
  const pick = (a: string[]) => a[rng.below(a.length)];
  let text = '';
  while (text.length < length)
    text += `${pick(['the', 'a'])} ${pick(['cat', 'dog', 'bird'])} ${pick(['sees', 'likes', 'chases'])} ${pick(['the', 'a'])} ${pick(['ball', 'tree', 'mouse'])}. `;
  return text;
}

/** The fields `train --json` has, which `train-rnn --json` keeps. */
function expectReportShape(r: RnnTaskReport): void {
  for (const key of ['task', 'backend', 'network', 'trainSequences', 'testSequences', 'epochs', 'history', 'train', 'test', 'solved', 'criterion', 'seconds'])
    expect(r, key).toHaveProperty(key);
  expect(r.history.loss).toHaveLength(r.epochs);
  expect(JSON.parse(JSON.stringify(r)).task).toBe(r.task);
  expect(formatRnnTaskReport(r)).toMatch(/^task: /);
}

describe('generators', () => {
  it('sine: the target is the next value of the input; seeded', () => {
    const d = sineTask({ sequences: 3, steps: 10, seed: 1 });
    expect(d.x).toHaveLength(3);
    for (let s = 0; s < 3; s++) {
      const x = d.x[s].data, y = (d.y[s] as { data: Float32Array }).data;
      for (let t = 0; t < 9; t++) expect(y[t]).toBe(x[t + 1]);
      expect(Math.max(...x.map(Math.abs))).toBeLessThanOrEqual(1);
    }
    expect(sineTask({ sequences: 3, steps: 10, seed: 1 })).toEqual(d);
    expect(sineTask({ sequences: 3, steps: 10, seed: 2 }).x[0].data).not.toEqual(d.x[0].data);
  });

  it('parity: the target after each bit is the XOR of the bits so far', () => {
    const d = parityTask({ sequences: 20, steps: 12, seed: 4 });
    d.x.forEach((x, s) => {
      let p = 0;
      x.data.forEach((b, t) => { p ^= b; expect((d.y[s] as Int32Array)[t]).toBe(p); });
    });
  });

  it('text: sorted vocabulary, one-hot steps, the next character as target; unigram entropy', () => {
    const d = textTask('abcabd', { steps: 2 });
    expect(d.vocabulary).toEqual(['a', 'b', 'c', 'd']);
    expect(d.x).toHaveLength(2);
    expect(Array.from(d.x[0].data)).toEqual([1, 0, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(d.y[0] as Int32Array)).toEqual([1, 2]);
    expect(Array.from(d.y[1] as Int32Array)).toEqual([0, 1]); // x = 'ca', y = 'ab'; 'd' is never a whole window's target
    expect(unigramEntropy('aabb')).toBeCloseTo(Math.LN2, 12);
    expect(unigramEntropy('aaaa')).toBe(0);
  });

  it('attractor: stored patterns ≥ 2·flips + 1 bits apart, each sample exactly `flips` bits off', () => {
    const d = attractorTask({ patterns: 8, bits: 16, flips: 2, samples: 40, seed: 3 });
    for (let i = 0; i < 8; i++) for (let j = 0; j < i; j++)
      expect(d.stored[i].reduce((n, v, k) => n + (v !== d.stored[j][k] ? 1 : 0), 0)).toBeGreaterThanOrEqual(5);
    for (let s = 0; s < 40; s++) {
      let off = 0;
      for (let k = 0; k < 16; k++) if (d.x.data[s * 16 + k] !== d.y.data[s * 16 + k]) off++;
      expect(off).toBe(2);
    }
  });
});

describe('runRnnTask: each task meets its criterion (simd, defaults)', () => {
  it(`sine: next-step test MSE after ${SINE_WARMUP} steps of warm-up below 0.001`, async () => {
    const { report } = await runRnnTask({ task: 'sine', seed: 1 });
    expectReportShape(report);
    expect(report.test.mseAfterWarmup).toBeLessThan(1e-3);
    expect(report.solved).toBe(true);
    expect(report.history.valLoss).toHaveLength(report.epochs);
  });

  it('parity: the parity of 16 bits right for ≥ 95% of test sequences (chance 50%)', async () => {
    const { report } = await runRnnTask({ task: 'parity', seed: 1 });
    expectReportShape(report);
    expect(report.test.lastStepAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(report.solved).toBe(true);
  });

  it('text: test loss far below the unigram entropy; sampling uses the vocabulary and is seeded', async () => {
    const text = grammarText(6000, 3);
    const { report, network } = await runRnnTask({ task: 'text', text, source: 'grammar.txt', hidden: 32, epochs: 20, generate: 60 });
    expectReportShape(report);
    expect(report.test.loss).toBeLessThan(0.5 * report.test.unigramEntropy);
    expect(report.solved).toBe(true);
    expect(report.sample).toHaveLength(60);
    expect([...report.sample!].every((c) => report.vocabulary!.includes(c))).toBe(true);
    const net = network as RecurrentNetwork;
    expect(net.metadata.vocabulary).toEqual(report.vocabulary);
    const again = generateText(net, report.vocabulary!, { length: 60, seed: 1, prime: text[0] }); // runRnnTask primes with the text's first character
    expect(again).toBe(report.sample);
    expect(generateText(net, report.vocabulary!, { length: 60, seed: 1, prime: 'the ', temperature: 0.2 })).toMatch(/(the|a) (cat|dog|bird) /);
  });

  it('attractor: a fixed-point network completes ≥ 90% of corrupted patterns, every relaxation of the test set converged', async () => {
    const warnings: string[] = [];
    const { report } = await runRnnTask({ task: 'attractor', seed: 1, onWarning: (m) => warnings.push(m) });
    expectReportShape(report);
    expect(report.test.completed).toBeGreaterThanOrEqual(0.9);
    expect(report.test.converged).toBe(1);
    expect(report.solved).toBe(true);
    const h = report.history as { nonConverged: number[]; warnings: string[] };
    expect(h.warnings).toEqual(warnings); // whatever did not converge in training was reported
    expect(formatRnnTaskReport(report)).toMatch(/relaxation: /);
  });
});

describe('bad options give one-line BackpropErrors', () => {
  const cases: [string, Parameters<typeof runRnnTask>[0], RegExp][] = [
    ['unknown task', { task: 'music' as never }, /unknown task 'music' \(expected sine, parity, text, attractor\)/],
    ['text without a text', { task: 'text' }, /--task text needs a text file/],
    ['text for sine', { task: 'sine', text: 'abc' }, /a text is only for --task text, not sine/],
    ['short text', { task: 'text', text: 'abcab', steps: 8 }, /the text has 5 characters, a sequence needs 9/],
    ['bad hidden', { task: 'sine', hidden: 0 }, /train-rnn: hidden must be a positive integer, got 0/],
    ['bad lr', { task: 'sine', learningRate: -1 }, /learning rate must be a positive number/],
    ['unknown option', { task: 'sine', layers: 2 } as never, /train-rnn: unknown option 'layers'/],
  ];
  for (const [name, options, re] of cases) {
    it(name, async () => {
      const err = await runRnnTask(options).then(() => null, (e) => e);
      expect(err).toBeInstanceOf(BackpropError);
      expect(err.message).toMatch(re);
      expect(err.message).not.toContain('\n');
    });
  }
});
