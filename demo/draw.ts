// The drawing pad (white strokes on black, mouse, pen and touch through pointer
// events) and the conversion of a drawing to an MNIST-style 28×28 digit.

export const SIDE = 28;
/** MNIST fits each digit's bounding box into 20×20 and centres its mass in 28×28. */
const BOX = 20;
const INK = 0.1;

/**
 * A drawing (row-major intensities in [0, 1]) → 28×28 pixels in [0, 1] the way the
 * MNIST digits were made: the bounding box scaled (aspect kept, area-averaged) to fit
 * 20×20, then placed so its centre of mass is the image's centre. null when blank.
 */
export function toMnist(gray: ArrayLike<number>, width: number, height: number): Float32Array | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] > INK) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1, h = y1 - y0 + 1, scale = BOX / Math.max(w, h);
  const tw = Math.max(1, Math.round(w * scale)), th = Math.max(1, Math.round(h * scale));
  // Each source pixel lands in one target pixel; the target is the mean of what landed
  // there (an area average, since the scale only shrinks).
  const sum = new Float64Array(tw * th), n = new Float64Array(tw * th);
  for (let y = y0; y <= y1; y++) {
    const ty = Math.min(th - 1, Math.floor((y - y0) * scale));
    for (let x = x0; x <= x1; x++) {
      const t = ty * tw + Math.min(tw - 1, Math.floor((x - x0) * scale));
      sum[t] += gray[y * width + x];
      n[t]++;
    }
  }
  let mass = 0, mx = 0, my = 0;
  const small = new Float64Array(tw * th);
  for (let ty = 0; ty < th; ty++) {
    for (let tx = 0; tx < tw; tx++) {
      const i = ty * tw + tx, v = n[i] ? Math.min(1, Math.max(0, sum[i] / n[i])) : 0;
      small[i] = v;
      mass += v;
      mx += (tx + 0.5) * v;
      my += (ty + 0.5) * v;
    }
  }
  if (mass === 0) return null;
  const ox = Math.round(SIDE / 2 - mx / mass), oy = Math.round(SIDE / 2 - my / mass);
  const out = new Float32Array(SIDE * SIDE);
  for (let ty = 0; ty < th; ty++) {
    const y = ty + oy;
    if (y < 0 || y >= SIDE) continue;
    for (let tx = 0; tx < tw; tx++) {
      const x = tx + ox;
      if (x >= 0 && x < SIDE) out[y * SIDE + x] = small[ty * tw + tx];
    }
  }
  return out;
}

export interface DrawPad {
  clear(): void;
  /** the drawing as an MNIST digit (784 values), or null when nothing is drawn */
  digit(): Float32Array | null;
}

/** Makes `canvas` a drawing pad; `onStroke` runs when a stroke ends. */
export function drawPad(canvas: HTMLCanvasElement, onStroke: () => void): DrawPad {
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  // A stroke about as thick, relative to the digit, as MNIST's pen.
  ctx.lineWidth = canvas.width / 14;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.strokeStyle = '#fff';
  ctx.fillStyle = '#fff';

  let drawing: number | null = null;
  let last: [number, number] = [0, 0];
  // Canvas pixels, whatever size CSS gives the element.
  const at = (e: PointerEvent): [number, number] => {
    const box = canvas.getBoundingClientRect();
    return [((e.clientX - box.left) * canvas.width) / box.width, ((e.clientY - box.top) * canvas.height) / box.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    if (drawing !== null || e.button !== 0) return;
    drawing = e.pointerId;
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
    ctx.beginPath();
    ctx.arc(last[0], last[1], ctx.lineWidth / 2, 0, 2 * Math.PI); // a tap leaves a dot
    ctx.fill();
    e.preventDefault();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (e.pointerId !== drawing) return;
    // Coalesced events keep fast strokes smooth where the browser batches moves.
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const p of events.length ? events : [e]) {
      const next = at(p);
      ctx.beginPath();
      ctx.moveTo(last[0], last[1]);
      ctx.lineTo(next[0], next[1]);
      ctx.stroke();
      last = next;
    }
  });
  const end = (e: PointerEvent) => {
    if (e.pointerId !== drawing) return;
    drawing = null;
    onStroke();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  return {
    clear() {
      ctx.save();
      clear();
      ctx.restore();
    },
    digit() {
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const gray = new Float32Array(canvas.width * canvas.height);
      for (let i = 0; i < gray.length; i++) gray[i] = data[i * 4] / 255;
      return toMnist(gray, canvas.width, canvas.height);
    },
  };
}

/** Paints 28×28 values in [0, 1] onto a 28×28 canvas (white on black, as the network sees them). */
export function paintDigit(canvas: HTMLCanvasElement, pixels: Float32Array | null): void {
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = Math.round((pixels?.[i] ?? 0) * 255);
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
}
