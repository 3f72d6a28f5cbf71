// The ABI of the vfsim kernel model: exports only. Every function takes and returns numbers;
// bulk data moves through buffers in linear memory whose addresses are exported here:
//   scenario_ptr()   the scenario words the host writes before load_scenario()
//   choices_ptr()    one byte per tick: the task that ran (written by runs, read by replay)
//   trace_ptr()      trace events, EV_WORDS i32 each (abi.ts)
//   result_ptr()     the outcome of the last run, RESULT_WORDS i32 (abi.ts R_*)
// Layouts and codes: assembly/abi.ts, mirrored by host/core/abi.ts.

import {
  STATE_BYTES, gw, G_TICK, G_VERDICT, G_PREEMPTIONS, STATE, state_saved_bytes as saved_bytes,
} from "./sim/state";
import { ld_has_edge } from "./check/lockdep";
import { SCENARIO, decode_scenario, ticks_max } from "./sim/config";
import { init_state } from "./sim/init";
import { runnable_mask as mask, tick as do_tick } from "./sim/tick";
import { CHOICES, alloc_choices, choices_len as n_choices, begin_schedule, step_recorded, run_batch as batch, run_replay as replay, ticks_total as total, run_batch_tally as batch_tally, TALLY } from "./sim/strategy";
import { TRACE, trace_len as n_events, trace_lost as lost, set_trace as trace_switch } from "./sim/trace";
import { fill_result, set_last_schedules } from "./sim/result";
import { snapshot_save as save, snapshot_load as load_snapshot } from "./sim/snapshot";
import { VIEW, fill_view } from "./sim/view";
import { fn_name as fname, FN_COUNT } from "./kernel/fns";
import { state_name as sname } from "./kernel/names";
import { COVERAGE, COV_BITS, coverage_clear } from "./sim/coverage";
import { LEAN } from "./sim/build";
import {
  dfs_start as explore_start, dfs_run as explore_run, PATH as DFS_PATH, path_len as dfs_len, states as dfs_nstates, transitions as dfs_ntrans,
  schedules as dfs_nsched, revisits as dfs_nrevisits, exhausted as dfs_done, max_depth as dfs_depth, ample_cuts as dfs_cuts,
  dfs_donate as explore_donate, dfs_start_at as explore_start_at, share_ptr, share_last, share_used, share_opts,
} from "./sim/explore";
import { symmetric as dfs_sym, canonical_hash, set_canon_mode, canon_fallbacks, set_canon_verify } from "./sim/canon";
import { table_selftest, use_host_table, table_full as dfs_full } from "./sim/visited";

/** 1 in the lean build (assembly/sim/build.ts): random and PCT batches only. */
export function lean_build(): bool { return LEAN; }
export function scenario_ptr(): usize { return SCENARIO; }

/** Decode the scenario words and build the initial state. 0, or -(index + 1) of a bad word. */
export function load_scenario(): i32 {
  const r = decode_scenario();
  if (r != 0) return r;
  alloc_choices(ticks_max);
  init_state();
  return 0;
}

/** Reset to the initial state (a memory copy) and clear the choices and trace. */
export function begin(): void { begin_schedule(); }
export function runnable_mask(): i32 { return mask(); }
/** One recorded scheduler tick of task t; returns the verdict so far (-1 running). */
export function tick(t: i32): i32 { return step_recorded(t); }
/** One unrecorded tick (exhaustive search records choices on the host). */
export function tick_unrecorded(t: i32): i32 { return do_tick(t); }
export function tick_count(): i32 { return gw(G_TICK); }
export function preemptions(): i32 { return gw(G_PREEMPTIONS); }
export function verdict(): i32 { return gw(G_VERDICT); }

/** Run up to `count` schedules (random: strategy 0, pct: 1) numbered from `first`; returns the
 *  batch offset of the first that did not end OK, or -1. */
export function run_batch(strategy: i32, seed: u64, first: i32, count: i32, depth: i32, k: i32): i32 {
  const r = batch(strategy, seed, first, count, depth, k);
  set_last_schedules(r < 0 ? count : r + 1);
  return r;
}
export function ticks_total(): i64 { return total; }

/** Replay the first n choices in the choices buffer (see sim/strategy.ts run_replay). */
export function run_replay(n: i32): i32 { set_last_schedules(1); return replay(n); }

export function choices_ptr(): usize { return CHOICES; }
export function choices_len(): i32 { return n_choices; }

export function set_trace(on: bool): void {
  if (LEAN && on) abort("the lean build has no trace: replay in build/vfsim.wasm");
  trace_switch(on);
}
export function trace_ptr(): usize { return TRACE; }
export function trace_len(): i32 { return n_events; }
export function trace_lost(): i32 { return lost; }

/** Fill the result buffer from the current state and return its address (sim/result.ts). */
export function result_ptr(): usize { return fill_result(); }

// ---- snapshots (exhaustive search backtracks by restoring one: sim/snapshot.ts) ----------------
export function state_bytes(): i32 { return STATE_BYTES; }
/** Save the state in slot `slot` (allocated on first use). 0, or -1 if out of slots. */
export function snapshot_save(slot: i32): i32 { return save(slot); }
export function snapshot_load(slot: i32): void { load_snapshot(slot); }
/** Measurement only (bench/scale-sim.ts: a state sent between machines): the state block's
 *  address, and the bytes of it a snapshot copies (sim/state.ts state_save). */
export function state_ptr(): usize { return STATE; }
export function state_saved_bytes(): i32 { return saved_bytes(); }

// ---- exhaustive search (sim/explore.ts) --------------------------------------------------------
/** Start a depth-first search with state caching; bound < 0: no preemption bound. */
export function dfs_start(bound: i32, max_states: i64, symmetry: bool, por: bool): void {
  if (LEAN) abort("the lean build records no footprints: run dfs in build/vfsim.wasm");
  explore_start(bound, max_states, symmetry, por);
}
/** Go on for at most `budget` transitions: VERDICT_RUNNING while unfinished, then the verdict
 *  of the first failing schedule (choices at dfs_path_ptr()) or 0 (ok). */
export function dfs_run(budget: i64): i32 { return explore_run(budget); }
/** Keep the visited-state table in the host (the vfsim.visited_insert import) instead. */
export function dfs_host_table(on: bool): void { use_host_table(on); }
/** Work sharing (host/node/pdfs.ts): give away the choices left at the shallowest depth that
 *  has any; the depth, or -1. The state is at dfs_share_ptr(), its frame in dfs_share_frame(k). */
export function dfs_donate(): i32 { return explore_donate(); }
export function dfs_share_ptr(): usize { return share_ptr(); }
/** k = 0: the task that last ran, 1: preemptions used, 2: the choices given (a task mask) */
export function dfs_share_frame(k: i32): i32 { return k == 0 ? share_last : k == 1 ? share_used : share_opts; }
/** Search the choices `opts` at the state written to dfs_share_ptr(), as dfs_start does from the
 *  initial state. */
export function dfs_start_at(bound: i32, max_states: i64, symmetry: bool, por: bool, last: i32, used: i32, opts: i32): void {
  if (LEAN) abort("the lean build records no footprints: run dfs in build/vfsim.wasm");
  explore_start_at(bound, max_states, symmetry, por, last, used, opts);
}
export function dfs_ample_cuts(): i64 { return dfs_cuts; }
export function dfs_path_ptr(): usize { return DFS_PATH; }
export function dfs_path_len(): i32 { return dfs_len; }
export function dfs_states(): i64 { return dfs_nstates; }
export function dfs_transitions(): i64 { return dfs_ntrans; }
export function dfs_schedules(): i64 { return dfs_nsched; }
export function dfs_revisits(): i64 { return dfs_nrevisits; }
export function dfs_exhausted(): bool { return dfs_done; }
export function dfs_max_depth(): i32 { return dfs_depth; }
export function dfs_symmetric(): bool { return dfs_sym; }
export function dfs_table_full(): bool { return dfs_full; }
/** Check the visited-state table: the number of wrong answers over n keys (sim/explore.ts). */
export function dfs_table_selftest(n: i32, bounded: bool): i32 { return table_selftest(n, bounded); }
export function state_hash(): i64 { return <i64>canonical_hash(-1); }
/** Measurement only (issue 12; docs/model.md "The canonical state"): force a hash variant for the
 *  next searches (-1: the default, which dfs_start picks), and count slot-renaming fallbacks. */
export function dfs_canon_mode(m: i32): void { set_canon_mode(m); }
export function dfs_canon_fallbacks(): i64 { return canon_fallbacks; }
/** Tests only: check the incremental canonical hash against a full recomputation at every state
 *  (a trap on a difference). */
export function dfs_canon_verify(on: bool): void { set_canon_verify(on); }

// ---- the kernel state, for the page's state panel (sim/view.ts; not on any hot path) ------------
/** Write the current state into the view buffer (view_ptr()) and return its length in words. */
export function state_view(): i32 { return fill_view(); }
export function view_ptr(): usize { return VIEW; }

// ---- coverage (the fuzzer's feedback: sim/coverage.ts) -----------------------------------------
export function coverage_ptr(): usize {
  if (LEAN) abort("the lean build records no coverage: fuzz with build/vfsim.wasm");
  return COVERAGE;
}
export function coverage_bytes(): i32 { return COV_BITS >> 3; }
export function coverage_reset(): void { coverage_clear(); }

// ---- names for the trace renderer (read once per module) --------------------------------------
/** lockdep's graph in the current state: is there a dependency from class a to class b
 *  (abi.ts LOCKDEP_*)? Always false while the lockdep check is off. */
export function lockdep_edge(a: i32, b: i32): bool { return ld_has_edge(a, b); }
export function fn_count(): i32 { return FN_COUNT; }
export function fn_name(fn: i32): string { return fname(fn); }
export function state_name(fn: i32, pc: i32): string { return sname(fn, pc); }

// ---- sweeps: a batch that tallies its failures (sim/strategy.ts run_batch_tally) ---------------
/** Run all `count` schedules numbered from `first` (as run_batch) and tally every failure by kind
 *  into tally_ptr() (abi.ts TALLY_*); returns the number of kinds. */
export function run_batch_tally(strategy: i32, seed: u64, first: i32, count: i32, depth: i32, k: i32): i32 {
  const n = batch_tally(strategy, seed, first, count, depth, k);
  set_last_schedules(count);
  return n;
}
export function tally_ptr(): usize { return TALLY; }
