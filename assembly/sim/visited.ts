// The visited-state table of the exhaustive search (sim/explore.ts), in linear memory, or in the
// host (the vfsim.visited_insert import) when the host keeps it (--table-gib).

import { M1, finish } from "./canon";

// ---- the visited table ------------------------------------------------------------------------
// Hash compaction in 8-byte slots: a slot holds the state's 64-bit key, 0 meaning empty. With a
// preemption bound the key's low byte is replaced by the least number of preemptions the state was
// reached with (bounds are at most 64), so states are told apart by 56 bits there.
//
// Extendible hashing (Fagin, Nievergelt, Pippenger and Strong, 1979): a directory indexed by the
// key's top `gdepth` bits points to segments of 2^SEG_BITS slots, each a linear-probing table
// indexed by key bits 8 and up. A segment that passes MAX_LOAD splits in two by the next top bit
// of its keys, so the table grows one segment at a time: no rehash of the whole table and no
// segment ever discarded, which matters because the stub runtime cannot free. Segments are kept
// from one search to the next and cleared when reused. Past the memory limit a segment fills up to
// HARD_LOAD, then the search stops, not exhausted, with table_full set.
const SEG_BITS: i32 = 14;
const SEG_SLOTS: i32 = 1 << SEG_BITS;
const SEG_MASK: u64 = <u64>(SEG_SLOTS - 1);
const SEG_HEADER: usize = 16;                        // i32 count, i32 local depth
const SEG_BYTES: usize = SEG_HEADER + (<usize>SEG_SLOTS << 3);
const MAX_LOAD: i32 = SEG_SLOTS * 4 / 5;
const HARD_LOAD: i32 = SEG_SLOTS * 15 / 16;
const MAX_GDEPTH: i32 = 20;
const MAX_SEGS: i32 = 1 << 15;                       // 4 GiB of segments: more than wasm32 holds
// Linear memory ends at 4 GiB; the stub runtime computes the end of memory in 32 bits, so it must
// never reach the 65536th page. Segments stop 64 MiB short of that, leaving room for snapshots.
const MEMORY_LIMIT: u64 = (<u64>65535 << 16) - (<u64>64 << 20);

let dir: usize = 0;            // 2^gdepth segment pointers
let dir_cap: i32 = 0;
let gdepth: i32 = 0;
let segs: usize = 0;           // every segment allocated so far, reused by later searches
let segs_alloc: i32 = 0;
let segs_used: i32 = 0;
let scratch: usize = 0;        // one segment's slots, for splitting
let bounded: bool = false;
export let table_full: bool = false;

@inline function seg_count(g: usize): i32 { return load<i32>(g); }
@inline function seg_depth(g: usize): i32 { return load<i32>(g + 4); }
@inline function slot_at(g: usize, i: u64): usize { return g + SEG_HEADER + (<usize>i << 3); }
@inline function dir_at(i: u64): usize { return dir + (<usize>i << 2); }
@inline function dir_index(key: u64): u64 { return gdepth == 0 ? 0 : key >> <u64>(64 - gdepth); }

/** The end of the heap: where the next allocation would start. */
function heap_top(): u64 {
  const p = heap.alloc(0);
  heap.free(p);   // the last block: the stub runtime takes it back
  return <u64>p;
}

/** A cleared segment of the given local depth, or 0 past the memory limit. */
function new_segment(depth: i32): usize {
  let g: usize;
  if (segs_used < segs_alloc) {
    g = load<usize>(segs + (<usize>segs_used << 2));
  } else {
    if (segs_alloc >= MAX_SEGS || heap_top() + <u64>SEG_BYTES > MEMORY_LIMIT) return 0;
    g = heap.alloc(SEG_BYTES);
    store<usize>(segs + (<usize>segs_alloc << 2), g);
    segs_alloc++;
  }
  segs_used++;
  memory.fill(g, 0, SEG_BYTES);
  store<i32>(g + 4, depth);
  return g;
}

/** Start a search with an empty table; `with_bound`: keys carry the preemptions used (see above). */
export function table_begin(with_bound: bool): void {
  bounded = with_bound;
  table_full = false;
  if (host_table) return;   // the host clears its table
  if (segs == 0) {
    // The stub runtime grows memory by doubling it; from a power of two that would land exactly on
    // 65536 pages (see MEMORY_LIMIT). One page more keeps an odd factor in every later size.
    if (popcnt(memory.size()) == 1) memory.grow(1);
    segs = heap.alloc(<usize>MAX_SEGS << 2);
    scratch = heap.alloc(<usize>SEG_SLOTS << 3);
  }
  segs_used = 0;
  gdepth = 0;
  if (dir_cap == 0) { dir = heap.alloc(4); dir_cap = 1; }
  store<usize>(dir, new_segment(0));
}

/** Put a key into a segment known to have room for it. */
function seg_put(g: usize, key: u64): void {
  let i = (key >> 8) & SEG_MASK;
  while (load<u64>(slot_at(g, i)) != 0) i = (i + 1) & SEG_MASK;
  store<u64>(slot_at(g, i), key);
  store<i32>(g, seg_count(g) + 1);
}

/** Split the segment that `key` maps to; false if the directory or memory cannot grow. */
function split(key: u64): bool {
  const g = load<usize>(dir_at(dir_index(key)));
  const depth = seg_depth(g);
  if (depth == gdepth) {
    if (gdepth >= MAX_GDEPTH) return false;
    const n = <i32>1 << gdepth;
    if (dir_cap < n * 2) {   // the old directory is left behind (at most as large as the new one)
      const d = heap.alloc(<usize>n << 3);
      memory.copy(d, dir, <usize>n << 2);
      dir = d; dir_cap = n * 2;
    }
    for (let i = n * 2 - 1; i >= 0; i--) store<usize>(dir + (<usize>i << 2), load<usize>(dir + (<usize>(i >> 1) << 2)));
    gdepth++;
  }
  const h = new_segment(depth + 1);
  if (h == 0) return false;
  store<i32>(g + 4, depth + 1);
  // the directory entries of g: 2^(gdepth - depth) of them from the key's depth-bit prefix; the
  // upper half (next bit set) go to h
  const span = <u64>1 << <u64>(gdepth - depth);
  const first = dir_index(key) & ~(span - 1);
  for (let i = first + (span >> 1); i < first + span; i++) store<usize>(dir_at(i), h);
  const bytes = <usize>SEG_SLOTS << 3;
  memory.copy(scratch, g + SEG_HEADER, bytes);
  memory.fill(g + SEG_HEADER, 0, bytes);
  store<i32>(g, 0);
  const bit = <u64>(63 - depth);
  for (let p: usize = 0; p < bytes; p += 8) {
    const k = load<u64>(scratch + p);
    if (k != 0) seg_put(((k >> bit) & 1) != 0 ? h : g, k);
  }
  return true;
}

// A visited table kept by the host (host/core/visited.ts), for searches that outgrow linear
// memory: the key in two halves and the preemptions used; 1 if the state is new (or reached with
// fewer preemptions), 0 if seen, -1 if the host's table is full.
@external("vfsim", "visited_insert") declare function host_visited_insert(lo: u32, hi: u32, used: i32): i32;
let host_table: bool = false;
export function use_host_table(on: bool): void { host_table = on; }

/** Insert a state's key with its preemption count; true if the state is new (or reached with
 *  fewer preemptions than before), false if it can be skipped. */
export function table_visit(hash: u64, used: i32): bool {
  if (host_table) {
    const r = host_visited_insert(<u32>hash, <u32>(hash >> 32), used);
    if (r < 0) table_full = true;
    return r > 0;
  }
  const cmp: u64 = bounded ? ~<u64>0xff : ~<u64>0;
  let key = bounded ? (hash & cmp) | <u64>used : hash;
  if ((key & cmp) == 0) key |= 0x100;   // 0 is an empty slot
  while (true) {
    const g = load<usize>(dir_at(dir_index(key)));
    let i = (key >> 8) & SEG_MASK;
    while (true) {
      const p = slot_at(g, i);
      const s = load<u64>(p);
      if (s == 0) break;
      if ((s & cmp) == (key & cmp)) {
        if (!bounded || <i32>(s & 0xff) <= used) return false;
        store<u64>(p, key);
        return true;
      }
      i = (i + 1) & SEG_MASK;
    }
    if (seg_count(g) < MAX_LOAD) { seg_put(g, key); return true; }
    if (split(key)) continue;   // try again in whichever half the key went to
    if (seg_count(g) < HARD_LOAD) { seg_put(g, key); return true; }
    table_full = true;
    return false;
  }
}

/** A check of the table itself (test/explore.test.ts): insert n distinct keys, then each again;
 *  with a bound, each again with fewer preemptions. Returns the number of wrong answers. */
export function table_selftest(n: i32, with_bound: bool): i32 {
  table_begin(with_bound);
  let wrong = 0;
  const passes = with_bound ? 3 : 2;
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < n; i++) {
      const key = finish(<u64>(i + 1) * M1);
      const fresh = table_visit(key, pass == 2 ? 2 : 3);
      if (fresh != (pass != 1)) wrong++;
    }
  }
  return wrong + (table_full ? 1 : 0);
}
