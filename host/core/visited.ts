/**
 * A visited-state table in the host, for exhaustive searches that outgrow the model's own table
 * (which lives in wasm32 linear memory, 4 GiB at most: about 250 M states). The model calls
 * `vfsim.visited_insert(lo, hi, used)` for every state it reaches (assembly/sim/explore.ts) once
 * `dfs_host_table(1)` is set.
 *
 * Open addressing with linear probing over one power-of-two array of 64-bit keys (as two 32-bit
 * halves, 0 meaning empty) and a byte per slot for the least preemptions a state was reached with.
 * Nine bytes a slot; the table is full at 90% load.
 */

/** What the model's `vfsim.visited_insert` import calls: 1 if the key is new (or comes with fewer
 *  preemptions than stored), 0 if seen, -1 if the table is full. */
export interface VisitedSet {
  insert(lo: number, hi: number, used: number): number;
}

export class VisitedTable implements VisitedSet {
  readonly slots: number;
  private readonly keys: Uint32Array;   // lo, hi per slot
  private readonly used: Uint8Array;
  private readonly mask: number;
  private readonly limit: number;
  count = 0;

  /** A table of at most `bytes` bytes (at least 1024 slots). */
  constructor(readonly bytes: number) {
    let slots = 1024;
    while (slots * 2 * 9 <= bytes) slots *= 2;
    this.slots = slots;
    this.keys = new Uint32Array(slots * 2);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
    this.limit = Math.floor(slots * 0.9);
  }

  clear(): void {
    this.keys.fill(0);
    this.used.fill(0);
    this.count = 0;
  }

  /** 1 if the key is new (or comes with fewer preemptions than stored), 0 if seen, -1 if full. */
  insert(lo: number, hi: number, used: number): number {
    if (lo === 0 && hi === 0) lo = 1;   // 0 is an empty slot
    const keys = this.keys;
    let i = (Math.imul(hi ^ (lo >>> 7), 0x9e3779b1) >>> 0) & this.mask;
    for (;;) {
      const klo = keys[2 * i], khi = keys[2 * i + 1];
      if (klo === 0 && khi === 0) break;
      if (klo === lo && khi === hi) {
        if (this.used[i] <= used) return 0;
        this.used[i] = used;
        return 1;
      }
      i = (i + 1) & this.mask;
    }
    if (this.count >= this.limit) return -1;
    keys[2 * i] = lo;
    keys[2 * i + 1] = hi;
    this.used[i] = used;
    this.count++;
    return 1;
  }
}
