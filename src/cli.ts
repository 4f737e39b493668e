// backprop-wasm's command line: argv → a job in src/train.ts. Bad input or
// usage ends with one `error: …` line on stderr and exit code 2; anything else
// unexpected is an internal error (exit 1). Never a stack trace.
import { BackpropError } from './errors.js';
import { resolveEvaluateOptions, runEvaluate } from './evaluate.js';
import { progressBar } from './progress.js';
import { Interrupted, resolvePredictOptions, resolveTrainOptions, runBench, runPredict, runTrain, type CliIO } from './train.js';
import { removeTemps } from './files.js';
import { resolveTrainRnnOptions, runTrainRnn } from './train-rnn.js';

declare const __VERSION__: string | undefined;

const USAGE = `backprop-wasm: neural networks trained by backpropagation in SIMD WebAssembly

usage:
  backprop-wasm train [--dataset iris|mnist|FILE.csv] [--mnist-dir DIR] [--target COL]
        [--hidden 16,8] [--activation A] [--loss L] [--optimizer O] [--lr X]
        [--l2 X] [--epochs N] [--patience P] [--batch-size N|full] [--test-size F]
        [--validation-size F] [--seed N] [--backend simd|scalar|ts] [--preset article]
        [--plot FILE.svg] [--report DIR] [--save FILE.json] [--json]
  backprop-wasm predict --model FILE.json --input FILE.csv|FILE.idx [--backend B] [--json]
  backprop-wasm evaluate --model FILE.json --dataset iris|mnist|FILE.csv
        [--mnist-dir DIR] [--target COL] [--backend B] [--json]
  backprop-wasm train-rnn --task sine|parity|text|attractor [--text FILE] [--hidden N]
        [--epochs N] [--lr X] [--batch-size N] [--steps N] [--truncate N]
        [--clip-norm X] [--seed N] [--backend simd|scalar|ts] [--generate N]
        [--temperature X] [--plot FILE.svg] [--save FILE.json] [--json]
  backprop-wasm bench
  backprop-wasm --help | --version

train (defaults, like scikit-learn's MLPClassifier; mnist's below):
  --dataset      iris (default), mnist, or a CSV file with a header; target = last column
  --mnist-dir    read the full MNIST set (60,000 + 10,000) from its four IDX files
                 (plain or .gz) in DIR, instead of the 10,000 bundled digits
  --target       the CSV's target column, by name or 0-based index
  --hidden       hidden layer sizes (default 100)
  --activation   hidden activation: sigmoid tanh relu leaky-relu linear (default relu)
  --loss         cross-entropy (default) mse sse binary-cross-entropy
  --optimizer    adam (default) sgd momentum nesterov
  --lr           learning rate (default 0.01 for adam, 0.1 otherwise)
  --l2           L2 penalty on the weights (default 0.01; 0 turns it off)
  --epochs       run exactly N epochs (default: up to 200, early stopping)
  --patience     stop after P epochs without gain in the validation loss (the
                 training loss when nothing is held out), keeping the best
  --batch-size   rows per step, or full (default 16)
  --test-size    test fraction (default 0.3, stratified split)
  --validation-size  part of the training split held out to validate each
                 epoch and for early stopping (default 0: none; mnist 0.1)
  --seed         seed for the split, the weights and the shuffle (default 0)
  --backend      simd (default), scalar or ts
  --preset       article: the article's Iris example exactly (4-4-3 sigmoid,
                 SSE, SGD lr 0.1, 1000 full-batch iterations, raw features)
  --plot         write the loss curve as SVG
  --report       write pictures to DIR (created if missing): loss and accuracy
                 curves, confusion matrix, per-class scores, first-layer
                 weights, activations; open DIR/index.html
  --save         write the trained model (JSON) for predict and evaluate
  --json         print one JSON object with the results

train --dataset mnist: 784-128-10 (relu, softmax), adam lr 0.003, l2 0.0001,
  batch 64, 12 epochs; pixels scaled to [0,1]; the bundled 8,000/2,000 split
  (or the IDX files' 60,000/10,000), a tenth of the training split held out
  for validation. One line per epoch; --patience P stops early on validation loss.

predict: one prediction per input row; the model's feature columns are taken
  by name (other columns are ignored); --json prints predictions and probabilities.
  An IDX image file (plain or .gz) gives one row per image, pixels 0-255.

evaluate: accuracy, loss, confusion matrix and per-class precision, recall and
  F1 of a saved model, on mnist's test split or on every row of iris or a CSV.

train-rnn: a recurrent network on an example task, then its test measure:
  sine       next value of a composite wave (Elman network, BPTT)
  parity     running parity of a bit sequence (Elman network, BPTT)
  text       next character of --text FILE; --generate N samples N characters
             after training (--temperature X, default 1)
  attractor  completion of corrupted ±1 patterns (Almeida–Pineda fixed-point network)
  Each task has its own defaults (hidden size, epochs, lr, batch size, steps);
  --steps is the sequence length, --truncate N limits BPTT to N steps,
  --clip-norm X clips the gradient's global norm. --save writes the model
  (loadRecurrentNetwork / loadFixedPointNetwork read it back).
`;

async function version(): Promise<string> {
  if (typeof __VERSION__ === 'string') return __VERSION__;
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const FS_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EROFS', 'EMFILE', 'ENAMETOOLONG', 'EBUSY', 'EXDEV']);

export async function main(argv: string[]): Promise<number> {
  const io: CliIO = { log: (line) => process.stdout.write(line + '\n') };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        throw new BackpropError('missing command (expected train, train-rnn, predict, evaluate, bench or --help)');
      case '--help': case '-h': case 'help':
        io.log(USAGE.trimEnd());
        return 0;
      case '--version': case '-v': case 'version':
        io.log(await version());
        return 0;
      case 'train': {
        if (rest.includes('--help')) { io.log(USAGE.trimEnd()); return 0; }
        const opts = resolveTrainOptions(rest);
        if (process.stderr.isTTY && !opts.json) io.progress = progressBar(process.stderr);
        io.signal = interruptSignal();
        await runTrain(opts, io);
        return 0;
      }
      case 'train-rnn': {
        if (rest.includes('--help')) { io.log(USAGE.trimEnd()); return 0; }
        const opts = resolveTrainRnnOptions(rest);
        if (process.stderr.isTTY && !opts.json) io.progress = progressBar(process.stderr);
        await runTrainRnn(opts, io, (message) => process.stderr.write(`warning: ${message.replace(/\s*\n\s*/g, ' ')}\n`));
        return 0;
      }
      case 'predict':
        if (rest.includes('--help')) { io.log(USAGE.trimEnd()); return 0; }
        await runPredict(resolvePredictOptions(rest), io);
        return 0;
      case 'evaluate':
        if (rest.includes('--help')) { io.log(USAGE.trimEnd()); return 0; }
        await runEvaluate(resolveEvaluateOptions(rest), io);
        return 0;
      case 'bench':
        if (rest.length) throw new BackpropError(`bench takes no options, got '${rest[0]}'`);
        await runBench(io);
        return 0;
      default:
        throw new BackpropError(`unknown command '${command}' (expected train, train-rnn, predict, evaluate, bench or --help)`);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const oneLine = (s: string) => String(s).replace(/\s*\n\s*/g, ' ');
    if (e instanceof Interrupted) { process.stderr.write(`${oneLine(err.message)}\n`); return 130; }
    if (e instanceof BackpropError) process.stderr.write(`error: ${oneLine(err.message)}\n`);
    else if (err && typeof err.code === 'string' && (FS_CODES.has(err.code) || err.code.startsWith('ERR_PARSE_ARGS')))
      process.stderr.write(`error: ${oneLine(err.message)}\n`);
    else {
      process.stderr.write(`error: internal error: ${oneLine(err?.message ?? String(e))}\n`);
      return 1;
    }
    return 2;
  }
}

/** SIGINT/SIGTERM: the first asks training to stop after the current batch (and save what it
 *  has); a second exits at once, removing any half-written temp file, touching nothing else. */
function interruptSignal(): AbortSignal {
  const ctrl = new AbortController();
  const onSignal = () => {
    if (ctrl.signal.aborted) { removeTemps(); process.exit(130); }
    ctrl.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ctrl.signal;
}

process.on('uncaughtException', (e) => {
  process.stderr.write(`error: internal error: ${String(e?.message ?? e).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
// A closed stdout (e.g. `| head`) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); });
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
