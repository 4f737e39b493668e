// Small DOM helpers shared by the panels.

/** The element with this id; a missing one is a bug in index.html, so it throws. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`demo: index.html has no #${id}`);
  return e as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export const fixed = (v: number | undefined, digits = 4): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

/** A whole number with thousands separators, fixed to en-US so tests and screenshots read the same everywhere. */
export const count = (v: number): string => Math.round(v).toLocaleString('en-US');

/** The message of anything thrown. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
