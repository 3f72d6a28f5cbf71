// Snapshots: the exhaustive search on the host (host/core/explore.ts, the fuzzer) backtracks by
// restoring one. Each slot is a STATE_BYTES buffer on the heap, allocated on first use.

import { STATE_BYTES, state_save, state_restore } from "./state";

const MAX_SNAPSHOTS: i32 = 1 << 14;
const SNAPSHOTS: usize = memory.data(MAX_SNAPSHOTS * sizeof<usize>(), 16);

/** Save the state in slot `slot`. 0, or -1 if out of slots. */
export function snapshot_save(slot: i32): i32 {
  if (<u32>slot >= <u32>MAX_SNAPSHOTS) return -1;
  const at = SNAPSHOTS + (<usize>slot) * sizeof<usize>();
  let p = load<usize>(at);
  if (p == 0) { p = heap.alloc(<usize>STATE_BYTES); store<usize>(at, p); }
  state_save(p);
  return 0;
}

/** Restore the state saved in slot `slot`. */
export function snapshot_load(slot: i32): void {
  const p = load<usize>(SNAPSHOTS + (<usize>slot) * sizeof<usize>());
  if (p == 0) abort("vfsim: snapshot_load of an empty slot");
  state_restore(p);
}
