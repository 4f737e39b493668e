// The training progress bar on stderr: one bar per epoch, with samples/s,
// loss, elapsed time and the epoch's ETA. Runs too short to need it never
// show one, and it steps aside while per-epoch summary lines are printed.
import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';

export interface ProgressUpdate {
  /** 1-based epoch, and the most that will run */
  epoch: number;
  epochs: number;
  /** samples done in this epoch, of `total` */
  done: number;
  total: number;
  /** the latest finished epoch's mean training loss (NaN during the first) */
  loss: number;
  /** throughput in this epoch so far */
  samplesPerSecond: number;
  /** seconds since training started */
  elapsed: number;
  /** seconds left in this epoch at the current speed */
  eta: number;
}

export interface ProgressReporter {
  update(p: ProgressUpdate): void;
  /** removes the bar (before a line is printed, and at the end) */
  stop(): void;
}

/** m:ss, or h:mm:ss from an hour on. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '…';
  const s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

export function progressPayload(p: ProgressUpdate): Record<string, string> {
  return {
    epoch: `${p.epoch}/${p.epochs}`,
    loss: Number.isFinite(p.loss) ? p.loss.toPrecision(4) : '…',
    speed: Math.round(p.samplesPerSecond).toLocaleString('en-US'),
    // not {eta} nor {duration}: cli-progress fills those itself, from its own estimate
    spent: clock(p.elapsed),
    left: clock(p.eta),
  };
}

export const PROGRESS_FORMAT = 'epoch {epoch} |{bar}| loss {loss} | {speed} samples/s | {spent} elapsed | ETA {left}';
/** Columns the format takes besides the bar, with room for large numbers. */
const TEXT_WIDTH = 72;

// cli-progress is CommonJS that requires Node built-ins, which an ESM bundle
// cannot; loading it at run time (and only when a bar shows) keeps it out of the bundle.
const loadCliProgress = (): typeof CliProgress => createRequire(import.meta.url)('cli-progress') as typeof CliProgress;

/**
 * A bar on `stream` that appears once training has run for a second, and
 * not within half a second of a stop() (so epochs that take less than that
 * print their summary lines undisturbed).
 */
export function progressBar(stream: NodeJS.WritableStream, now: () => number = () => performance.now()): ProgressReporter {
  let bar: CliProgress.SingleBar | undefined;
  let lastStop = -Infinity, total = 0;
  return {
    update(p) {
      const payload = progressPayload(p);
      if (!bar) {
        if (p.elapsed < 1 || now() - lastStop < 500) return;
        const cliProgress = loadCliProgress();
        // The bar gives way to the numbers on narrow terminals (cli-progress cuts lines at the terminal's width).
        const columns = (stream as { columns?: number }).columns || 80;
        const barsize = Math.max(10, Math.min(40, columns - TEXT_WIDTH));
        bar = new cliProgress.SingleBar({ stream, hideCursor: false, clearOnComplete: true, format: PROGRESS_FORMAT, barsize }, cliProgress.Presets.shades_classic);
        bar.start(p.total, p.done, payload);
        total = p.total;
        return;
      }
      if (p.total !== total) { bar.setTotal(p.total); total = p.total; }
      bar.update(p.done, payload);
    },
    stop() {
      if (bar) { bar.stop(); bar = undefined; }
      lastStop = now();
    },
  };
}
