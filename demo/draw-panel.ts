// The draw panel: a network in the page's thread, kept in step with the training
// (setWeights after every epoch), classifies the drawn digit after each stroke and
// shows its probabilities and the hidden layer's activations.
import type { LayerWeights, Network } from 'backprop-wasm';
import { matrix } from 'backprop-wasm';
import { byId, el } from './dom.js';
import { drawPad, paintDigit, type DrawPad } from './draw.js';

export class DrawPanel {
  private pad: DrawPad;
  private bars: HTMLElement[] = [];
  private cells: HTMLElement[] = [];
  private preview = byId<HTMLCanvasElement>('digit-preview');

  constructor(private net: Network) {
    this.pad = drawPad(byId<HTMLCanvasElement>('draw'), () => this.classify());
    byId('clear').addEventListener('click', () => {
      this.pad.clear();
      this.classify();
    });
    const probs = byId('probabilities');
    for (let d = 0; d < 10; d++) {
      const bar = el('div', { class: 'prob', 'data-digit': String(d), 'data-p': '0' });
      bar.append(el('div', { class: 'track' }), el('span', { class: 'digit' }, String(d)), el('span', { class: 'pct' }, ''));
      bar.firstElementChild!.append(el('div', { class: 'fill' }));
      probs.append(bar);
      this.bars.push(bar);
    }
    const hidden = byId('hidden');
    const units = net.getWeights()[0].bias.length;
    for (let u = 0; u < units; u++) {
      const cell = el('div', { class: 'cell', 'data-unit': String(u), 'data-a': '0' });
      hidden.append(cell);
      this.cells.push(cell);
    }
    this.classify();
  }

  /** New weights from the training: the drawing is classified again with them. */
  setWeights(weights: LayerWeights[]): void {
    this.net.setWeights(weights);
    this.classify();
  }

  classify(): void {
    const digit = this.pad.digit();
    paintDigit(this.preview, digit);
    const prediction = byId('prediction');
    if (!digit) {
      prediction.textContent = '–';
      this.bars.forEach((b) => this.showBar(b, 0, false));
      this.cells.forEach((c) => this.showCell(c, 0, 1));
      return;
    }
    const x = matrix(1, digit.length, digit);
    const [hidden, out] = this.net.activations(x);
    const p = out.data;
    let best = 0;
    for (let d = 1; d < p.length; d++) if (p[d] > p[best]) best = d;
    prediction.textContent = String(best);
    this.bars.forEach((b, d) => this.showBar(b, p[d], d === best));
    // relu activations: scaled by the largest, so the pattern shows whatever its size
    let max = 0;
    for (const a of hidden.data) max = Math.max(max, a);
    this.cells.forEach((c, u) => this.showCell(c, hidden.data[u], max));
  }

  private showBar(bar: HTMLElement, p: number, top: boolean): void {
    bar.dataset.p = String(p);
    bar.classList.toggle('top', top);
    (bar.querySelector('.fill') as HTMLElement).style.height = `${(p * 100).toFixed(1)}%`;
    bar.querySelector('.pct')!.textContent = p >= 0.005 ? `${Math.round(p * 100)}%` : '';
  }

  private showCell(cell: HTMLElement, a: number, max: number): void {
    cell.dataset.a = String(a);
    const t = max > 0 ? Math.max(0, a) / max : 0;
    cell.style.backgroundColor = `rgba(255, 170, 40, ${t.toFixed(3)})`;
    cell.title = `hidden unit ${cell.dataset.unit}: ${a.toFixed(3)}`;
  }
}
