// backprop-wasm's command line: argv → a job in src/train.ts. Bad input or
// usage ends with one `error: …` line on stderr and exit code 2; anything else
// unexpected is an internal error (exit 1). Never a stack trace.
import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import { BackpropError } from './errors.js';
import {
  resolvePredictOptions, resolveTrainOptions, runBench, runPredict, runTrain, type CliIO, type ProgressReporter,
} from './train.js';

declare const __VERSION__: string | undefined;

const USAGE = `backprop-wasm: neural networks trained by backpropagation in SIMD WebAssembly

usage:
  backprop-wasm train [--dataset iris|mnist|FILE.csv] [--target COL]
        [--hidden 16,8] [--activation A] [--loss L] [--optimizer O] [--lr X]
        [--l2 X] [--epochs N] [--patience P] [--batch-size N|full] [--test-size F]
        [--seed N] [--backend simd|scalar|ts] [--preset article]
        [--plot FILE.svg] [--save FILE.json] [--json]
  backprop-wasm predict --model FILE.json --input FILE.csv [--json]
  backprop-wasm bench
  backprop-wasm --help | --version

train (defaults, like scikit-learn's MLPClassifier):
  --dataset      iris (default), or a CSV file with a header; target = last column
  --target       the CSV's target column, by name or 0-based index
  --hidden       hidden layer sizes (default 100)
  --activation   hidden activation: sigmoid tanh relu leaky-relu linear (default relu)
  --loss         cross-entropy (default) mse sse binary-cross-entropy
  --optimizer    adam (default) sgd momentum nesterov
  --lr           learning rate (default 0.01 for adam, 0.1 otherwise)
  --l2           L2 penalty on the weights (default 0.01; 0 turns it off)
  --epochs       run exactly N epochs (default: up to 200, early stopping)
  --patience     early stopping on the training loss after P epochs without gain
  --batch-size   rows per step, or full (default 16)
  --test-size    test fraction (default 0.3, stratified split)
  --seed         seed for the split, the weights and the shuffle (default 0)
  --backend      simd (default), scalar or ts
  --preset       article: the article's Iris example exactly (4-4-3 sigmoid,
                 SSE, SGD lr 0.1, 1000 full-batch iterations, raw features)
  --plot         write the loss curve as SVG
  --save         write the trained model (JSON) for predict
  --json         print one JSON object with the results

predict: one prediction per input row; the model's feature columns are taken
  by name (other columns are ignored); --json prints predictions and probabilities.
`;

async function version(): Promise<string> {
  if (typeof __VERSION__ === 'string') return __VERSION__;
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

// cli-progress is CommonJS that requires Node built-ins, which an ESM bundle
// cannot; loading it at run time (and only for a TTY) keeps it out of the bundle.
const loadCliProgress = (): typeof CliProgress => createRequire(import.meta.url)('cli-progress') as typeof CliProgress;

/** A progress bar on stderr that appears only once training has run for a second. */
function progressBar(): ProgressReporter {
  let bar: CliProgress.SingleBar | undefined;
  return {
    update(p) {
      const payload = {
        epoch: `${p.epoch}/${p.total}`,
        loss: Number.isFinite(p.loss) ? p.loss.toPrecision(4) : '…',
        speed: Math.round(p.samplesPerSecond).toLocaleString('en-US'),
      };
      if (bar) { bar.update(p.value, payload); return; }
      if (p.elapsed < 1) return;
      const cliProgress = loadCliProgress();
      bar = new cliProgress.SingleBar({
        stream: process.stderr, hideCursor: false, clearOnComplete: true, etaBuffer: 50,
        format: 'epoch {epoch} |{bar}| loss {loss} | {speed} samples/s | ETA {eta_formatted}',
      }, cliProgress.Presets.shades_classic);
      bar.start(p.total, p.value, payload);
    },
    stop() { bar?.stop(); bar = undefined; },
  };
}

const FS_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EROFS', 'EMFILE', 'ENAMETOOLONG', 'EBUSY', 'EXDEV']);

export async function main(argv: string[]): Promise<number> {
  const io: CliIO = { log: (line) => process.stdout.write(line + '\n') };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        throw new BackpropError('missing command (expected train, predict, bench or --help)');
      case '--help': case '-h': case 'help':
        io.log(USAGE.trimEnd());
        return 0;
      case '--version': case '-v': case 'version':
        io.log(await version());
        return 0;
      case 'train': {
        if (rest.includes('--help')) { io.log(USAGE.trimEnd()); return 0; }
        const opts = resolveTrainOptions(rest);
        if (process.stderr.isTTY && !opts.json) io.progress = progressBar();
        await runTrain(opts, io);
        return 0;
      }
      case 'predict':
        if (rest.includes('--help')) { io.log(USAGE.trimEnd()); return 0; }
        await runPredict(resolvePredictOptions(rest), io);
        return 0;
      case 'bench':
        if (rest.length) throw new BackpropError(`bench takes no options, got '${rest[0]}'`);
        await runBench(io);
        return 0;
      default:
        throw new BackpropError(`unknown command '${command}' (expected train, predict, bench or --help)`);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const oneLine = (s: string) => String(s).replace(/\s*\n\s*/g, ' ');
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

process.on('uncaughtException', (e) => {
  process.stderr.write(`error: internal error: ${String(e?.message ?? e).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
// A closed stdout (e.g. `| head`) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); });
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
