// Exhaustive search inside wasm: depth-first over the runnable choices, backtracking by restoring
// a snapshot of the state block, skipping states already seen.
//
// - State caching: a canonical 64-bit hash of the state (canonical_hash in sim/canon.ts, which
//   also does the symmetry reduction and the canonical state) goes into a table in linear memory
//   (sim/visited.ts; hash compaction: a state is identified by its hash; two different states
//   colliding would prune a subtree, probability about n^2 / 2^65 for n stored states, n^2 / 2^57
//   with a preemption bound, reported by the host).
// - Partial-order reduction: an ample set of one where the step commutes with everything the
//   other tasks can still do (sim/footprint.ts).
// - Preemption bound: with bound >= 0, a step that switches away from a task that could go on
//   costs one preemption; a state is revisited only when reached with fewer preemptions used
//   (the table stores the least count seen). With bound < 0 the search is unbounded and the
//   last-run task is not part of the state.

import { VERDICT_RUNNING, VERDICT_OK, CHECK_LOCKDEP } from "../abi";
import { STATE_BYTES, tw, state_save, state_restore, T_STATE, TS_DONE, T_OP } from "./state";
import { n_tasks, check_on, has_kill } from "./config";
import { tick, runnable_mask, set_por_tracking } from "./tick";
import { compute_futures, conflicts_with, por_supported } from "./footprint";
import { begin_schedule } from "./strategy";
import { canonical_hash, canon_begin } from "./canon";
import { table_begin, table_visit, table_full } from "./visited";

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

/** States where partial-order reduction explored one task instead of all. */
export let ample_cuts: i64 = 0;

/** Is the step just taken by t independent of everything the other tasks can still do? */
function independent_of_others(t: i32): bool {
  for (let u = 0; u < n_tasks; u++) {
    if (u == t || tw(u, T_STATE) == TS_DONE) continue;
    if (conflicts_with(u, tw(u, T_OP))) return false;
  }
  return true;
}

// The search in progress (dfs_start, then dfs_run in slices).
let cur_depth: i32 = -1;
let cur_bound: i32 = -1;
let cur_max_states: i64 = 0;
let cur_por: bool = false;

/** Start a search from the initial state. */
export function dfs_start(bound: i32, max_states: i64, use_symmetry: bool, use_por: bool): void {
  search_setup(bound, max_states, use_symmetry, use_por);
  begin_schedule();
  table_visit(canonical_hash(-1), 0);
  states = 1;
  cur_depth = 0;
  state_save(snapshot_at(0));
  store<i32>(fr(0, 0), options(-1, 0, bound));
  store<i32>(fr(0, 1), -1);
  store<i32>(fr(0, 2), 0);
  store<i32>(fr(0, 3), 1);   // the live state is this depth's snapshot
}

function search_setup(bound: i32, max_states: i64, use_symmetry: bool, use_por: bool): void {
  canon_begin(use_symmetry);
  // Partial-order reduction only without a preemption bound (the two do not compose).
  // Off with the lockdep check: its graph is shared by every acquisition (no footprint records it).
  // Off with a kill op: a kill acts on its target's task record, which no footprint records.
  cur_por = use_por && bound < 0 && !check_on(CHECK_LOCKDEP) && !has_kill && por_supported();
  if (cur_por) compute_futures();
  cur_bound = bound;
  cur_max_states = max_states;
  ample_cuts = 0;
  table_begin(bound >= 0);
  states = 0; transitions = 0; schedules = 0; revisits = 0; exhausted = false; max_depth = 0; path_len = 0;
}

// ---- work sharing (the parallel search, host/node/pdfs.ts) --------------------------------------
// A worker out of work takes a subtree from a busy one. The busy one gives away the choices left
// at its shallowest depth that has any (the largest subtrees: stack splitting), that depth's
// snapshot (share_ptr()) and its frame; the choices leading to it are PATH[0..depth). The taker
// searches them from its own depth 0 (dfs_start_at); the state there is already in the shared
// table. Partial-order reduction stays sound: giver and taker each apply the one rule (drop the
// choices left when a step to a new state is independent of all other tasks) to the choices they
// hold, and exploring more choices than an ample set needs is always sound. Why the proviso
// "the ample successor is new" holds across workers: docs/scale.md.
let share: usize = 0;   // allocated on first use: a search that shares nothing keeps its layout
export function share_ptr(): usize { if (share == 0) share = heap.alloc(<usize>STATE_BYTES); return share; }
export let share_last: i32 = -1, share_used: i32 = 0, share_opts: i32 = 0;

/** Give away work between slices: returns the depth given from (its snapshot at share_ptr(),
 *  its frame in share_*), or -1 if there is nothing worth giving (the last choice left, at the top). */
export function dfs_donate(): i32 {
  for (let d = 0; d <= cur_depth; d++) {
    const opts = load<i32>(fr(d, 0));
    if (opts == 0) continue;
    let give = opts;
    if (d == cur_depth) {   // keep the choice popped next (the last task first), give the rest
      if (popcnt<i32>(opts) < 2) return -1;
      const last = load<i32>(fr(d, 1));
      give = opts & ~((last >= 0 && (opts & (1 << last)) != 0) ? 1 << last : opts & -opts);
    }
    store<i32>(fr(d, 0), opts & ~give);
    memory.copy(share_ptr(), snapshot_at(d), <usize>STATE_BYTES);
    share_last = load<i32>(fr(d, 1)); share_used = load<i32>(fr(d, 2)); share_opts = give;
    return d;
  }
  return -1;
}

/** Start a search of the choices `opts` at the state at share_ptr(), reached by a step of `last`
 *  with `used` preemptions (dfs_donate's share_*). Counts start from 0: that state is not counted. */
export function dfs_start_at(bound: i32, max_states: i64, use_symmetry: bool, use_por: bool, last: i32, used: i32, opts: i32): void {
  search_setup(bound, max_states, use_symmetry, use_por);
  begin_schedule();
  state_restore(share_ptr());
  cur_depth = 0;
  state_save(snapshot_at(0));
  store<i32>(fr(0, 0), opts);
  store<i32>(fr(0, 1), last);
  store<i32>(fr(0, 2), used);
  store<i32>(fr(0, 3), 1);
}

/** Go on with the search for at most `budget` more transitions. Returns VERDICT_RUNNING if the
 *  budget ran out first; otherwise the verdict of the first failing schedule met (its choices in
 *  PATH[0..path_len)), or VERDICT_OK when the space is exhausted (exhausted set) or the state
 *  budget or the table ran out (exhausted clear). The model must not be used in between. */
export function dfs_run(budget: i64): i32 {
  if (cur_depth < 0) return VERDICT_OK;
  set_por_tracking(cur_por);
  const v = search(transitions + budget);
  set_por_tracking(false);
  if (v != VERDICT_RUNNING) cur_depth = -1;
  return v;
}

function search(stop: i64): i32 {
  const bound = cur_bound, por = cur_por;
  let depth = cur_depth;
  while (depth >= 0) {
    if (transitions >= stop) { cur_depth = depth; return VERDICT_RUNNING; }
    const opts = load<i32>(fr(depth, 0));
    if (opts == 0) { depth--; continue; }
    const last = load<i32>(fr(depth, 1)), used = load<i32>(fr(depth, 2));
    const t = (last >= 0 && (opts & (1 << last)) != 0) ? last : ctz<i32>(opts);
    store<i32>(fr(depth, 0), opts & ~(1 << t));
    if (load<i32>(fr(depth, 3)) == 0) state_restore(snapshot_at(depth));
    store<i32>(fr(depth, 3), 0);
    store<u8>(PATH + <usize>depth, <u8>t);
    // switching away from a task that could go on costs a preemption (counted only with a bound)
    const u = bound >= 0 && last >= 0 && t != last && (runnable_mask() & (1 << last)) != 0 ? used + 1 : used;
    const v = tick(t);
    transitions++;
    if (v != VERDICT_RUNNING) {
      schedules++;
      if (v != VERDICT_OK) { path_len = depth + 1; return v; }
      continue;
    }
    // An ample set of one: t's step commutes with all the others can still do, so the other
    // choices here need not be explored. Cycle proviso (conservative): only when the successor
    // is a new state, so no cycle is closed by ample steps alone.
    if (!table_visit(canonical_hash(bound >= 0 ? t : -1), bound >= 0 ? u : 0)) {
      if (table_full) { path_len = 0; return VERDICT_OK; }
      revisits++;
      continue;
    }
    if (por && load<i32>(fr(depth, 0)) != 0 && independent_of_others(t)) { store<i32>(fr(depth, 0), 0); ample_cuts++; }
    states++;
    if (states >= cur_max_states) { path_len = 0; return VERDICT_OK; }
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
  return VERDICT_OK;
}
