/**
 * The visited-state table of a parallel exhaustive search (host/node/pdfs.ts): one table in
 * shared memory that every worker thread inserts into, lock-free, as in LTSmin (Laarman, van de
 * Pol and Weber, "Boosting multi-core reachability performance with shared hash tables", FMCAD
 * 2010): open addressing with linear probing, find-or-put by compare-and-swap, no locks, no
 * deletion, so a slot once claimed holds its key for good.
 *
 * A slot is nine bytes, as in the single-threaded host table (visited.ts): the state's 64-bit key
 * as two 32-bit words, and a byte for the least number of preemptions the state was reached
 * with. The high word is the claim: an inserter claims an empty slot by compare-and-swap of the
 * high word from 0, then stores the preemption byte, then publishes the low word. A reader that
 * finds a matching high word and a low word still 0 waits for the publication (the claimer is
 * between two stores). So neither word of a stored key may be 0: a 0 word is stored as 1, which
 * merges keys differing only there (a collision chance of about 2^-32 per pair sharing the other
 * word, far below the 2^-64 of the whole key; the reported bound n^2 / 2^65 keeps its form). The
 * preemption byte only ever decreases, by compare-and-swap: exactly one inserter learns that a
 * key is new, or that it came with fewer preemptions than any before it.
 *
 * The table does not resize itself while workers insert: pdfs.ts stops every worker at a slice
 * boundary and has them rehash into a table twice the size (rehashRange). How full it is comes
 * from each worker's own count of the keys it added (`added`), summed by the coordinator.
 */

/** The buffers of a table: what is posted to worker threads (SharedArrayBuffers are shared, not
 *  copied). */
export interface SharedTableBuffers {
  keys: SharedArrayBuffer;   // Int32Array: lo, hi per slot
  used: SharedArrayBuffer;   // Uint8Array: least preemptions per slot
}

/** Bytes a table of `slots` slots takes. */
export function sharedTableBytes(slots: number): number {
  return slots * 9;
}

/** The largest power-of-two slot count whose table fits in `bytes` (at least 1024). */
export function slotsFor(bytes: number): number {
  let slots = 1024;
  while (sharedTableBytes(slots * 2) <= bytes) slots *= 2;
  return slots;
}

export function allocSharedTable(slots: number): SharedTableBuffers {
  if (slots < 1024 || (slots & (slots - 1)) !== 0) throw new Error(`shared visited table: ${slots} slots is not a power of two of at least 1024`);
  // SharedArrayBuffers start zeroed (every slot empty); the operating system maps the pages
  // lazily, so a large table costs memory only where keys land.
  return { keys: new SharedArrayBuffer(slots * 8), used: new SharedArrayBuffer(slots) };
}

export class SharedVisitedTable {
  readonly slots: number;
  readonly buffers: SharedTableBuffers;
  private readonly keys: Int32Array;
  private readonly used: Uint8Array;
  private readonly mask: number;
  /** keys this thread added to the table (not counting fewer-preemption updates) */
  added = 0;

  constructor(buffers: SharedTableBuffers) {
    this.buffers = buffers;
    this.keys = new Int32Array(buffers.keys);
    this.used = new Uint8Array(buffers.used);
    this.slots = this.used.length;
    this.mask = this.slots - 1;
  }

  /** Find-or-put. 1 if the key is new (or comes with fewer preemptions than stored), 0 if seen,
   *  -1 if the table is full (every slot probed). `lo` and `hi` are the key's halves as unsigned
   *  or signed 32-bit numbers; `used` 0 to 255. */
  insert(lo: number, hi: number, used: number): number {
    lo |= 0; hi |= 0;
    if (lo === 0) lo = 1;
    if (hi === 0) hi = 1;
    const keys = this.keys, mask = this.mask;
    let i = (Math.imul(hi ^ (lo >>> 7), 0x9e3779b1) >>> 0) & mask;
    for (let probes = 0; probes <= mask; probes++) {
      const k = 2 * i + 1;
      let h = Atomics.load(keys, k);
      if (h === 0) {
        h = Atomics.compareExchange(keys, k, 0, hi);
        if (h === 0) {
          Atomics.store(this.used, i, used);
          Atomics.store(keys, k - 1, lo);   // publish
          this.added++;
          return 1;
        }
      }
      if (h === hi) {
        let l = Atomics.load(keys, k - 1);
        while (l === 0) l = Atomics.load(keys, k - 1);   // claimed, not yet published
        if (l === lo) return this.lower(i, used);
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** The key in slot i came again with `used` preemptions: 1 if that is fewer than stored. */
  private lower(i: number, used: number): number {
    for (;;) {
      const cur = Atomics.load(this.used, i);
      if (cur <= used) return 0;
      if (Atomics.compareExchange(this.used, i, cur, used) === cur) return 1;
    }
  }

  /** Insert every key of `from`'s slots first..end-1 into this table (a resize; no thread may
   *  insert into `from` meanwhile). Returns the number of keys moved. */
  rehashRange(from: SharedVisitedTable, first: number, end: number): number {
    const keys = from.keys, used = from.used;
    let moved = 0;
    for (let i = first; i < end; i++) {
      const hi = keys[2 * i + 1];
      if (hi === 0) continue;
      if (this.insert(keys[2 * i], hi, used[i]) < 0) throw new Error("shared visited table: rehash into a full table");
      moved++;
    }
    this.added -= moved;   // moved keys were counted when first added
    return moved;
  }
}
