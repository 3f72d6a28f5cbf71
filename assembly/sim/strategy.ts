// Strategies that run inside wasm, a whole batch of schedules per call: random and PCT choose
// from the runnable set through the seeded PRNG; replay follows recorded choices. Every tick's
// choice is recorded, so any schedule replays. Host strategies (dfs) drive tick() directly.
//
// PCT (Burckhardt et al., ASPLOS 2010): n tasks get distinct random priorities d..d+n-1; d-1
// change points are drawn uniformly in [1, k]; at the i-th change point the task about to run
// drops to priority i-1 (below every initial priority); the highest-priority runnable task runs.

import { MAX_TASKS, VERDICT_RUNNING, VERDICT_OK, VERDICT_VIOLATION, STRATEGY_RANDOM, STRATEGY_PCT, TALLY_MAX, TALLY_WORDS } from "../abi";
import { reset_state, gw, G_TICK, G_CHECK } from "./state";
import { n_tasks } from "./config";
import { prng_seed, prng_below, schedule_seed } from "./prng";
import { tick, runnable_mask } from "./tick";
import { trace_clear } from "./trace";

// One byte per tick, sized by the scenario's tick budget (alloc_choices, at load time).
export let MAX_CHOICES: i32 = 0;
export let CHOICES: usize = 0;
export let choices_len: i32 = 0;

export function alloc_choices(ticks: i32): void {
  if (ticks + 1 <= MAX_CHOICES) return;
  MAX_CHOICES = ticks + 1;
  CHOICES = heap.alloc(<usize>MAX_CHOICES);
}

const PRIO: usize = memory.data(MAX_TASKS * 4, 16);
const CHANGE: usize = memory.data(64 * 4, 16);
let change_count: i32 = 0;

@inline function prio(t: i32): i32 { return load<i32>(PRIO + (<usize>t << 2)); }
@inline function set_prio(t: i32, p: i32): void { store<i32>(PRIO + (<usize>t << 2), p); }

/** Start a schedule from the initial state. */
export function begin_schedule(): void {
  reset_state();
  choices_len = 0;
  trace_clear();
}

/** Run one tick of task t and record the choice. */
@inline export function step_recorded(t: i32): i32 {
  store<u8>(CHOICES + <usize>choices_len, <u8>t);
  if (choices_len < MAX_CHOICES - 1) choices_len++;
  return tick(t);
}

/** The k-th runnable task (k uniform below their number). */
function pick_random(mask: i32): i32 {
  let k = <i32>prng_below(<u32>popcnt<i32>(mask));
  if (mask == 0) return -1;
  for (; k > 0; k--) mask &= mask - 1;   // drop the k lowest
  return ctz<i32>(mask);
}

function pct_setup(depth: i32, k: i32): void {
  // random permutation of priorities depth .. depth + n - 1 (Fisher-Yates)
  for (let t = 0; t < n_tasks; t++) set_prio(t, depth + t);
  for (let i = n_tasks - 1; i > 0; i--) {
    const j = <i32>prng_below(<u32>(i + 1));
    const a = prio(i); set_prio(i, prio(j)); set_prio(j, a);
  }
  change_count = min(depth - 1, 64);
  for (let i = 0; i < change_count; i++) store<i32>(CHANGE + (<usize>i << 2), 1 + <i32>prng_below(<u32>max(k, 1)));
}

function pick_pct(mask: i32): i32 {
  let best = -1;
  for (let t = 0; t < n_tasks; t++) if ((mask & (1 << t)) != 0 && (best < 0 || prio(t) > prio(best))) best = t;
  const step = gw(G_TICK) + 1;
  for (let i = 0; i < change_count; i++) {
    if (load<i32>(CHANGE + (<usize>i << 2)) == step) {
      set_prio(best, i);                        // change point i: demote the task about to run
      best = -1;
      for (let t = 0; t < n_tasks; t++) if ((mask & (1 << t)) != 0 && (best < 0 || prio(t) > prio(best))) best = t;
    }
  }
  return best;
}

export let ticks_total: i64 = 0;

/** Run schedule `index` from the initial state to its end, from its own derived seed; returns
 *  its verdict (its choices are in the choices buffer). `ticks_total` accumulates. */
@inline function run_schedule(strategy: i32, seed: u64, index: i32, depth: i32, k: i32): i32 {
  begin_schedule();
  prng_seed(schedule_seed(seed, <u64>index));
  if (strategy == STRATEGY_PCT) pct_setup(depth, k);
  let v = VERDICT_RUNNING;
  while (v == VERDICT_RUNNING) {
    const mask = runnable_mask();
    const t = strategy == STRATEGY_RANDOM ? pick_random(mask) : pick_pct(mask);
    v = step_recorded(t);
  }
  ticks_total += gw(G_TICK);
  return v;
}

/** Run `count` schedules, numbered first .. first+count-1, each from its own derived seed.
 *  Stops at the first schedule that does not end OK and returns its offset in the batch (its
 *  choices stay in the choices buffer); returns -1 if all were OK. */
export function run_batch(strategy: i32, seed: u64, first: i32, count: i32, depth: i32, k: i32): i32 {
  for (let i = 0; i < count; i++) {
    if (run_schedule(strategy, seed, first + i, depth, k) != VERDICT_OK) return i;
  }
  return -1;
}

// The failure tally of run_batch_tally: one entry per kind of failure, TALLY_WORDS i32 each
// (abi.ts): the verdict, the check (a violation's; -1 for any other verdict), how many
// schedules of the batch failed so, and the index of the first. Kinds in order of first sight.
// There are at most 2 + CHECK_COUNT kinds (deadlock, tick-limit, a violation of each check).
export const TALLY: usize = memory.data(TALLY_MAX * TALLY_WORDS * 4, 16);
export let tally_len: i32 = 0;

@inline function tally_word(e: i32, w: i32): usize { return TALLY + ((<usize>(e * TALLY_WORDS + w)) << 2); }

function tally_add(v: i32, check: i32, index: i32): void {
  for (let e = 0; e < tally_len; e++) {
    if (load<i32>(tally_word(e, 0)) == v && load<i32>(tally_word(e, 1)) == check) {
      store<i32>(tally_word(e, 2), load<i32>(tally_word(e, 2)) + 1);
      return;
    }
  }
  if (tally_len == TALLY_MAX) abort("run_batch_tally: more kinds of failure than the tally holds");
  store<i32>(tally_word(tally_len, 0), v);
  store<i32>(tally_word(tally_len, 1), check);
  store<i32>(tally_word(tally_len, 2), 1);
  store<i32>(tally_word(tally_len, 3), index);
  tally_len++;
}

/** Run all `count` schedules, numbered first .. first+count-1 (the same schedules as run_batch),
 *  tallying each failure by kind into TALLY, so that a batch with failures returns once, at its
 *  end (issue 12: a failing sweep paid a return to the host per failure). Returns the number of
 *  kinds. The choices buffer holds the last schedule's: the host reruns the first of each kind
 *  alone (schedule i depends only on the seed and i) to read its choices. */
export function run_batch_tally(strategy: i32, seed: u64, first: i32, count: i32, depth: i32, k: i32): i32 {
  tally_len = 0;
  for (let i = 0; i < count; i++) {
    const v = run_schedule(strategy, seed, first + i, depth, k);
    if (v != VERDICT_OK) tally_add(v, v == VERDICT_VIOLATION ? gw(G_CHECK) : -1, first + i);
  }
  return tally_len;
}

/** Replay the first n recorded choices. Returns the verdict, or -(i + 2) when choice i names a
 *  task that cannot run (the schedule no longer fits the model), or -1 (VERDICT_RUNNING) when
 *  the choices ran out before the run ended. */
export function run_replay(n: i32): i32 {
  begin_schedule();
  let v = VERDICT_RUNNING;
  for (let i = 0; i < n && v == VERDICT_RUNNING; i++) {
    const t = <i32>load<u8>(CHOICES + <usize>i);
    if (t >= n_tasks || (runnable_mask() & (1 << t)) == 0) return -(i + 2);
    v = step_recorded(t);
  }
  return v;
}

