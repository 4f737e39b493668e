// The CLI's file handling: reads that fail with one readable line, checks
// that run before training (so a typo does not cost a training run), and
// writes that leave either every output file or none. Node only.
import { mkdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BackpropError, check } from './errors.js';

export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'a parent is not a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    default: return String(err.message).split('\n')[0];
  }
}

export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new BackpropError(`cannot read ${what} '${path}': ${fsReason(e)}`);
  }
}

/** A file's bytes, gunzipped when they are gzip data (whatever the file's name). */
export async function readBytes(path: string, what: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new BackpropError(`cannot read ${what} '${path}': ${fsReason(e)}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new BackpropError(`${path}: not a valid gzip file (${(e as Error).message})`);
    }
  }
  return bytes;
}

/** Fails early, before any training, when an output file cannot be created. */
export async function checkWritable(path: string, flag: string): Promise<void> {
  const dir = dirname(path);
  let ok = false;
  try { ok = (await stat(dir)).isDirectory(); } catch { /* reported below */ }
  check(ok, `cannot write ${flag} file '${path}': directory '${dir}' does not exist`);
  try { check(!(await stat(path)).isDirectory(), `cannot write ${flag} file '${path}': it is a directory`); }
  catch (e) { if (e instanceof BackpropError) throw e; }
}

/** Fails early when an output directory is a file or its parent is missing; the directory itself may be created later. */
export async function checkDirectory(path: string, flag: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st) { check(st.isDirectory(), `cannot write ${flag} '${path}': it is not a directory`); return; }
  const parent = dirname(path);
  const ok = (await stat(parent).catch(() => undefined))?.isDirectory();
  check(ok, `cannot write ${flag} '${path}': directory '${parent}' does not exist`);
}

/** Temp files being written right now: a process that must exit at once removes them (removeTemps). */
const pending = new Set<string>();

/** Synchronously deletes any half-written temp file: for an exit that cannot wait. */
export function removeTemps(): void {
  for (const t of pending) { try { unlinkSync(t); } catch { /* already gone */ } }
  pending.clear();
}

/**
 * Writes every file or none: each goes to a temp file first, and all are
 * renamed only once all are written. `dirs` are created first if missing,
 * and removed again if the writing fails.
 */
export async function writeAll(files: { path: string; data: string }[], dirs: string[] = []): Promise<void> {
  const temps = files.map((f) => `${f.path}.tmp-${process.pid}`);
  for (const t of temps) pending.add(t);
  const created: string[] = [];
  let current = '';
  try {
    for (const d of dirs) {
      current = d;
      const made = await mkdir(d).then(() => true, (e: NodeJS.ErrnoException) => { if (e.code === 'EEXIST') return false; throw e; });
      if (made) created.push(d);
    }
    for (let i = 0; i < files.length; i++) { current = files[i].path; await writeFile(temps[i], files[i].data); }
    for (let i = 0; i < files.length; i++) { current = files[i].path; await rename(temps[i], files[i].path); }
  } catch (e) {
    await Promise.all(temps.map((t) => unlink(t).catch(() => {})));
    for (const d of created.reverse()) await rmdir(d).catch(() => {});
    throw new BackpropError(`cannot write '${current}': ${fsReason(e)}`);
  } finally {
    for (const t of temps) pending.delete(t);
  }
}
