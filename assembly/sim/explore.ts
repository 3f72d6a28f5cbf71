// Exhaustive search inside wasm: depth-first over the runnable choices, backtracking by restoring
// a snapshot of the state block, skipping states already seen.
//
// - State caching: a canonical 64-bit hash of the state (canonical_hash) goes into an
//   open-addressing table in linear memory (hash compaction: a state is identified by its hash;
//   two different states colliding in 64 bits would prune a subtree, probability about
//   n^2 / 2^65 for n stored states, reported by the host).
// - Symmetry reduction: threads with identical op lists are interchangeable. The hash is taken
//   with those tasks sorted by the hash of their own records and every task id in the state
//   (rwsem holders and queues, dentry owners, lock holders, waiters) mapped through that order,
//   so states that differ only by a permutation of such threads are seen once. Ties keep the id
//   order: a state is then stored under more than one key, which loses reduction, not soundness.
// - Preemption bound: with bound >= 0, a step that switches away from a task that could go on
//   costs one preemption; a state is revisited only when reached with fewer preemptions used
//   (the table stores the least count seen). With bound < 0 the search is unbounded and the
//   last-run task is not part of the state.

import { MAX_TASKS, VERDICT_RUNNING, VERDICT_OK } from "../abi";
import {
  STATE, STATE_BYTES, gw, tw, dw, iw, ow, ew, frame_addr, G_NEXT_INO, G_N_EMITS, G_D_HWM, G_I_HWM,
  state_save, state_restore, OFF_SIG, tasks_changed, no_tasks_changed, T_STATE, T_WAIT_KIND,
  T_WAIT_OBJ, T_OP, T_SP, T_RET, F_WORDS, D_FLAGS, D_PARENT, D_NAME, D_INODE, D_REF, D_OWNER,
  D_LOCKER, D_WQ_FRAME, D_WAITERS, D_LOOKUPS, I_USED, I_INO, I_OBJ, I_IS_DIR, RW_WRITER,
  RW_READERS, RW_QLEN, RW_Q, O_EXISTS, O_PARENT, O_NAME, O_IS_DIR, E_DIR, E_NAME, E_INO,
  MAX_OBJECTS,
} from "./state";
import { n_tasks, task_n_ops, op_word } from "./config";
import { OP_WORDS } from "../abi";
import { tick, runnable_mask, set_por_tracking } from "./tick";
import { compute_futures, conflicts_with } from "./footprint";
import { TS_DONE } from "./state";
import { begin_schedule } from "./strategy";

// ---- hashing ------------------------------------------------------------------------------------
const M1: u64 = 0x9E3779B97F4A7C15;
const M2: u64 = 0xC2B2AE3D27D4EB4F;
let h: u64 = 0;
@inline function mix(w: i32): void { h = rotl<u64>((h ^ <u64><u32>w) * M1, 31); }
@inline function mix64(w: u64): void { h = rotl<u64>((h ^ w) * M1, 31); }
function finish(x: u64): u64 { x ^= x >> 33; x *= M2; x ^= x >> 29; return x; }

// symmetry classes: class_of[t] = the lowest task id with the same op list
const CLASS_OF: usize = memory.data(MAX_TASKS * 4, 16);
const PERM: usize = memory.data(MAX_TASKS * 4, 16);      // canonical position -> task
const RANK: usize = memory.data(MAX_TASKS * 4, 16);      // task -> canonical position
const SIG: usize = STATE + (<usize>OFF_SIG << 2);   // cached in the state block, restored with it
export let symmetric: bool = false;

@inline function class_of(t: i32): i32 { return load<i32>(CLASS_OF + (<usize>t << 2)); }
@inline function rank(t: i32): i32 { return load<i32>(RANK + (<usize>t << 2)); }
@inline function perm(i: i32): i32 { return load<i32>(PERM + (<usize>i << 2)); }
@inline function sig(t: i32): u64 { return load<u64>(SIG + (<usize>t << 3)); }

/** Find the classes of interchangeable threads (identical op lists). */
export function symmetry_classes(): i32 {
  let classes = 0;
  for (let t = 0; t < n_tasks; t++) {
    let c = t;
    for (let u = 0; u < t && c == t; u++) {
      if (class_of(u) != u || task_n_ops(u) != task_n_ops(t)) continue;
      let same = true;
      for (let k = 0; k < task_n_ops(t) && same; k++) for (let w = 0; w < OP_WORDS; w++) if (op_word(u, k, w) != op_word(t, k, w)) same = false;
      if (same) c = u;
    }
    store<i32>(CLASS_OF + (<usize>t << 2), c);
    if (c == t) classes++;
  }
  return classes;
}

@inline function map_task(t1: i32): i32 { return t1 == 0 ? 0 : rank(t1 - 1) + 1; }   // t + 1 encoding
function map_mask(m: i32): i32 {
  let out = 0;
  for (let t = 0; t < n_tasks; t++) if ((m & (1 << t)) != 0) out |= 1 << rank(t);
  return out;
}

/** Hash of a task's own record: its state, what it waits on, and its live frames. */
function task_signature(t: i32): u64 {
  h = 0x1234;
  mix(tw(t, T_STATE)); mix(tw(t, T_WAIT_KIND)); mix(tw(t, T_WAIT_OBJ)); mix(tw(t, T_OP)); mix(tw(t, T_RET));
  const sp = tw(t, T_SP);
  mix(sp);
  const base = frame_addr(t, 0), bytes = <usize>(sp * F_WORDS) << 2;   // F_WORDS is even
  for (let p: usize = 0; p < bytes; p += 8) mix64(load<u64>(base + p));
  return finish(h);
}

/** Order within a symmetry class: by signature, equal signatures by task id. */
@inline function before(a: i32, b: i32): bool { return sig(a) < sig(b) || (sig(a) == sig(b) && a < b); }

/** Compute the canonical order of the tasks: the positions of each symmetry class (its members'
 *  ids, ascending) are filled with its members sorted by signature. */
function canonical_order(): void {
  for (let t = 0; t < n_tasks; t++) {
    store<i32>(PERM + (<usize>t << 2), t);
    if ((tasks_changed & (1 << t)) != 0) store<u64>(SIG + (<usize>t << 3), task_signature(t));
  }
  no_tasks_changed();
  if (symmetric) {
    for (let c = 0; c < n_tasks; c++) {
      if (class_of(c) != c) continue;
      // selection sort over the class's positions, in place in PERM
      for (let i = c; i < n_tasks; i++) {
        if (class_of(i) != c) continue;
        let best = i;
        for (let j = i + 1; j < n_tasks; j++) if (class_of(j) == c && before(perm(j), perm(best))) best = j;
        const a = perm(i);
        store<i32>(PERM + (<usize>i << 2), perm(best));
        store<i32>(PERM + (<usize>best << 2), a);
      }
    }
  }
  for (let i = 0; i < n_tasks; i++) store<i32>(RANK + (<usize>perm(i) << 2), i);
}

/** The canonical hash of the current state (see the file comment). */
export function canonical_hash(last: i32): u64 {
  canonical_order();
  h = 0xcbf29ce484222325;
  mix(gw(G_NEXT_INO)); mix(gw(G_N_EMITS));
  for (let i = 0; i < n_tasks; i++) mix64(sig(perm(i)));
  for (let d = 1, n = gw(G_D_HWM); d <= n; d++) {
    const f = dw(d, D_FLAGS);
    if (f == 0) continue;
    mix(d); mix(f); mix(dw(d, D_PARENT)); mix(dw(d, D_NAME)); mix(dw(d, D_INODE)); mix(dw(d, D_REF));
    mix(map_task(dw(d, D_OWNER))); mix(map_task(dw(d, D_LOCKER)));
    const wq = dw(d, D_WQ_FRAME);
    mix(wq == 0 ? 0 : (map_task(wq >> 8) << 8) | (wq & 0xff));
    mix(map_mask(dw(d, D_WAITERS))); mix(dw(d, D_LOOKUPS));
  }
  for (let i = 1, n = gw(G_I_HWM); i <= n; i++) {
    if (iw(i, I_USED) == 0) continue;
    mix(i); mix(iw(i, I_INO)); mix(iw(i, I_OBJ)); mix(iw(i, I_IS_DIR));
    mix(map_task(iw(i, RW_WRITER))); mix(map_mask(iw(i, RW_READERS)));
    const q = iw(i, RW_QLEN);
    mix(q);
    for (let k = 0; k < q; k++) { const e = iw(i, RW_Q + k); mix((e & ~0xff) | rank(e & 0xff)); }
  }
  for (let o = 1; o <= MAX_OBJECTS; o++) {
    if (ow(o, O_PARENT) == 0 && ow(o, O_EXISTS) == 0) continue;
    mix(o); mix(ow(o, O_EXISTS)); mix(ow(o, O_PARENT)); mix(ow(o, O_NAME)); mix(ow(o, O_IS_DIR));
  }
  const n = gw(G_N_EMITS);
  for (let e = 0; e < n; e++) { mix(ew(e, E_DIR)); mix(ew(e, E_NAME)); mix(ew(e, E_INO)); }
  if (last >= 0) mix(1000 + rank(last));
  return finish(h);
}

// ---- the visited table ------------------------------------------------------------------------
// Slots of (u64 hash, i32 least preemptions, i32 epoch). A slot belongs to the current search
// only if its epoch matches, so a new search starts without clearing the table; the table starts
// small and doubles at half load.
let table: usize = 0;
let table_bits: i32 = 0;
let table_used: i64 = 0;
let epoch: i32 = 0;
const SLOT: usize = 16;
const FIRST_BITS: i32 = 12;
// The stub runtime allocates below 1 GiB at once: 2^25 slots (512 MiB) hold 16 M states at half
// load. A search that needs more stops, not exhausted, with table_full set.
const MAX_BITS: i32 = 25;
export let table_full: bool = false;

function table_alloc(bits: i32): void {
  table_bits = bits;
  table = heap.alloc(SLOT << <usize>bits);
  memory.fill(table, 0, SLOT << <usize>bits);
}

function table_begin(): void {
  if (table == 0) table_alloc(FIRST_BITS);
  epoch++;
  table_used = 0;
}

/** Insert hash with its preemption count; true if the state is new (or reached with fewer
 *  preemptions than before), false if it can be skipped. */
function table_visit(key: u64, used: i32): bool {
  if ((table_used + 1) * 2 > (<i64>1 << table_bits)) {
    if (table_bits >= MAX_BITS) { table_full = true; return false; }
    table_grow();
  }
  const mask = (<u64>1 << <u64>table_bits) - 1;
  let i = key & mask;
  while (true) {
    const p = table + <usize>(i * SLOT);
    if (load<i32>(p + 12) != epoch) {
      store<u64>(p, key); store<i32>(p + 8, used); store<i32>(p + 12, epoch);
      table_used++;
      return true;
    }
    if (load<u64>(p) == key) {
      if (load<i32>(p + 8) <= used) return false;
      store<i32>(p + 8, used);
      return true;
    }
    i = (i + 1) & mask;
  }
}

function table_grow(): void {
  const old = table, old_bits = table_bits;
  table_alloc(old_bits + 1);
  const n = <usize>1 << <usize>old_bits;
  const mask = (<u64>1 << <u64>table_bits) - 1;
  for (let j: usize = 0; j < n; j++) {
    const p = old + j * SLOT;
    if (load<i32>(p + 12) != epoch) continue;
    let i = load<u64>(p) & mask;
    while (load<i32>(table + <usize>(i * SLOT) + 12) == epoch) i = (i + 1) & mask;
    memory.copy(table + <usize>(i * SLOT), p, SLOT);
  }
  // Divergence from a real allocator: the stub runtime never frees; the old table is leaked
  // (the total is under twice the final table).
}

// ---- the search -------------------------------------------------------------------------------
const MAX_DEPTH: i32 = 1 << 16;
export const PATH: usize = memory.data(MAX_DEPTH, 16);
let snaps: usize = 0;                 // per-depth snapshot pointers
let snaps_cap: i32 = 0;
const FRAME_WORDS: i32 = 4;            // per depth: options mask, last, used, saved
let frames: usize = 0;

export let path_len: i32 = 0;
export let states: i64 = 0;
export let transitions: i64 = 0;
export let schedules: i64 = 0;
export let revisits: i64 = 0;
export let exhausted: bool = false;
export let max_depth: i32 = 0;

function snapshot_at(depth: i32): usize {
  if (depth >= snaps_cap) {
    const cap = max(64, snaps_cap * 2);
    const p = heap.alloc(<usize>cap * sizeof<usize>());
    memory.fill(p, 0, <usize>cap * sizeof<usize>());
    if (snaps != 0) memory.copy(p, snaps, <usize>snaps_cap * sizeof<usize>());
    const f = heap.alloc(<usize>cap * FRAME_WORDS * 4);
    if (frames != 0) memory.copy(f, frames, <usize>snaps_cap * FRAME_WORDS * 4);
    snaps = p; frames = f; snaps_cap = cap;
  }
  const at = snaps + <usize>depth * sizeof<usize>();
  let s = load<usize>(at);
  if (s == 0) { s = heap.alloc(<usize>STATE_BYTES); store<usize>(at, s); }
  return s;
}

@inline function fr(depth: i32, k: i32): usize { return frames + (<usize>(depth * FRAME_WORDS + k) << 2); }

/** The choices at a state: the last task first (no preemption), then the others if the bound
 *  allows; as a bitmask plus the "last first" rule applied when popping. */
function options(last: i32, used: i32, bound: i32): i32 {
  const mask = runnable_mask();
  if (last >= 0 && (mask & (1 << last)) != 0 && bound >= 0 && used >= bound) return 1 << last;
  return mask;
}

/** Run the search from the initial state. Returns the verdict of the first failing schedule met
 *  (its choices in PATH[0..path_len)), or VERDICT_OK when the bounded space is exhausted or the
 *  state budget ran out (exhausted says which). */
export let ample_cuts: i64 = 0;

/** Is the step just taken by t independent of everything the other tasks can still do? */
function independent_of_others(t: i32): bool {
  for (let u = 0; u < n_tasks; u++) {
    if (u == t || tw(u, T_STATE) == TS_DONE) continue;
    if (conflicts_with(u, tw(u, T_OP))) return false;
  }
  return true;
}

export function dfs(bound: i32, max_states: i64, use_symmetry: bool, use_por: bool): i32 {
  symmetric = use_symmetry && symmetry_classes() < n_tasks;
  // Partial-order reduction only without a preemption bound (the two do not compose).
  const por = use_por && bound < 0;
  if (por) compute_futures();
  set_por_tracking(por);
  ample_cuts = 0;
  table_begin();
  table_full = false;
  states = 0; transitions = 0; schedules = 0; revisits = 0; exhausted = false; max_depth = 0; path_len = 0;
  begin_schedule();
  table_visit(canonical_hash(-1), 0);
  states = 1;
  let depth = 0;
  state_save(snapshot_at(0));
  store<i32>(fr(0, 0), options(-1, 0, bound));
  store<i32>(fr(0, 1), -1);
  store<i32>(fr(0, 2), 0);
  store<i32>(fr(0, 3), 1);   // the live state is this depth's snapshot
  while (depth >= 0) {
    const opts = load<i32>(fr(depth, 0));
    if (opts == 0) { depth--; continue; }
    const last = load<i32>(fr(depth, 1)), used = load<i32>(fr(depth, 2));
    const t = (last >= 0 && (opts & (1 << last)) != 0) ? last : ctz<i32>(opts);
    store<i32>(fr(depth, 0), opts & ~(1 << t));
    if (load<i32>(fr(depth, 3)) == 0) state_restore(snapshot_at(depth));
    store<i32>(fr(depth, 3), 0);
    store<u8>(PATH + <usize>depth, <u8>t);
    const mask_before = runnable_mask();
    const u = used + (last >= 0 && t != last && (mask_before & (1 << last)) != 0 ? 1 : 0);
    const v = tick(t);
    transitions++;
    if (v != VERDICT_RUNNING) {
      schedules++;
      if (v != VERDICT_OK) { path_len = depth + 1; set_por_tracking(false); return v; }
      continue;
    }
    // An ample set of one: t's step commutes with all the others can still do, so the other
    // choices here need not be explored. Cycle proviso (conservative): only when the successor
    // is a new state, so no cycle is closed by ample steps alone.
    const ample = por && load<i32>(fr(depth, 0)) != 0 && independent_of_others(t);
    if (!table_visit(canonical_hash(bound >= 0 ? t : -1), bound >= 0 ? u : 0)) {
      if (table_full) { path_len = 0; set_por_tracking(false); return VERDICT_OK; }
      revisits++;
      continue;
    }
    if (ample) { store<i32>(fr(depth, 0), 0); ample_cuts++; }
    states++;
    if (states >= max_states) { path_len = 0; set_por_tracking(false); return VERDICT_OK; }
    depth++;
    if (depth >= MAX_DEPTH - 1) abort("vfsim: exhaustive search deeper than 65535 ticks");
    if (depth > max_depth) max_depth = depth;
    state_save(snapshot_at(depth));
    store<i32>(fr(depth, 0), options(t, u, bound));
    store<i32>(fr(depth, 1), t);
    store<i32>(fr(depth, 2), u);
    store<i32>(fr(depth, 3), 1);
  }
  exhausted = true;
  set_por_tracking(false);
  return VERDICT_OK;
}

