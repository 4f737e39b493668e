// The Iris panel: the article's example run in the page, its MSE curve and the
// article's log lines ("Iterations: i | Error: e" every 100 iterations).
import * as bp from 'backprop-wasm';
import { drawChart } from './chart.js';
import { byId, fixed, messageOf } from './dom.js';
import { ARTICLE, runArticleIris } from './iris.js';

export function irisPanel(): void {
  const button = byId<HTMLButtonElement>('iris-run');
  const plot = byId('iris-plot') as unknown as SVGSVGElement;
  const log = byId('iris-log');
  button.addEventListener('click', async () => {
    button.disabled = true;
    byId('iris-status').textContent = 'training…';
    try {
      const run = await runArticleIris(bp);
      byId('iris-mse').textContent = fixed(run.finalMse);
      byId('iris-accuracy').textContent = fixed(run.testAccuracy);
      byId('iris-train-accuracy').textContent = fixed(run.trainAccuracy);
      byId('iris-status').textContent = `${ARTICLE.iterations} iterations in ${(run.seconds * 1000).toFixed(0)} ms (${run.backend})`;
      log.textContent = run.mse.map((e, i) => (i % 100 === 0 ? `Iterations: ${i} | Error: ${e}` : '')).filter(Boolean).join('\n');
      const top = Math.max(...run.mse);
      drawChart(plot, {
        width: 520, height: 240,
        x: { label: 'iteration', min: 0, max: ARTICLE.iterations, format: String },
        left: { label: 'MSE', min: 0, max: top > 0 ? top * 1.05 : 1 },
        series: [{ name: 'training MSE (before each update)', key: 'mse', values: run.mse, xs: run.mse.map((_, i) => i), color: '#d62728' }],
      });
    } catch (e) {
      byId('iris-status').textContent = `error: ${messageOf(e)}`;
      console.error(e);
    } finally {
      button.disabled = false;
    }
  });
}
