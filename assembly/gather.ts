// Batch assembly inside the arena: a training step copies nothing across the
// JS/WASM boundary. Pointers are byte offsets, sizes element counts.

/** dst[count×cols] = rows idx[0..count) of src[·×cols]; idx is i32 */
export function gather_rows(src: usize, idx: usize, dst: usize, count: i32, cols: i32): void {
  const row = <usize>cols << 2;
  if (cols <= 16) {
    // narrow rows word by word: a memory.copy call costs ~7 ns, more than copying 64 bytes
    for (let i = 0; i < count; i++) {
      const s = src + <usize>load<i32>(idx + (<usize>i << 2)) * row, d = dst + <usize>i * row;
      for (let o: usize = 0; o < row; o += 4) store<i32>(d + o, load<i32>(s + o));
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const r = <usize>load<i32>(idx + (<usize>i << 2));
    memory.copy(dst + <usize>i * row, src + r * row, row);
  }
}
