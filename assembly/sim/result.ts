// The result buffer the host reads after a run (abi.ts R_*): the verdict, the failing check and
// task, the counts, the waits-for cycle of a deadlock and lockdep's chain of a lockdep report.

import {
  R_VERDICT, R_CHECK, R_TICKS, R_FAIL_TASK, R_CYCLE_LEN, R_CYCLE, R_CYCLE_FLAGS, R_CHOICES, R_SCHEDULES, RESULT_WORDS, R_LOCKDEP_LEN,
  R_LOCKDEP, R_LOCKDEP_EDGE_WORDS, VERDICT_DEADLOCK, VERDICT_VIOLATION, CHECK_LOCKDEP,
} from "../abi";
import { gw, G_VERDICT, G_CHECK, G_TICK, G_FAIL_TASK } from "./state";
import { choices_len } from "./strategy";
import { find_cycle, cycle_task, cycle_kind, cycle_flags } from "../check/waits_for";
import { chain_len, chain_word, CHAIN_WORDS } from "../check/lockdep";

const RESULT: usize = memory.data(RESULT_WORDS * 4, 16);

/** Schedules run by the last batch (or 1 for a replay), for R_SCHEDULES. */
let last_schedules: i32 = 0;
export function set_last_schedules(n: i32): void { last_schedules = n; }

@inline function put(k: i32, v: i32): void { store<i32>(RESULT + (<usize>k << 2), v); }

/** Fill the result buffer from the current state and return its address. */
export function fill_result(): usize {
  const v = gw(G_VERDICT);
  put(R_VERDICT, v);
  put(R_CHECK, gw(G_CHECK));
  put(R_TICKS, gw(G_TICK));
  put(R_FAIL_TASK, gw(G_FAIL_TASK));
  put(R_CHOICES, choices_len);
  put(R_SCHEDULES, last_schedules);
  const n = v == VERDICT_DEADLOCK ? find_cycle() : 0;
  put(R_CYCLE_LEN, n);
  put(R_CYCLE_FLAGS, n > 0 ? cycle_flags : 0);
  for (let i = 0; i < n; i++) {
    put(R_CYCLE + 2 * i, cycle_task(i));
    put(R_CYCLE + 2 * i + 1, cycle_kind(i));
  }
  const m = v == VERDICT_VIOLATION && gw(G_CHECK) == CHECK_LOCKDEP ? chain_len : 0;
  put(R_LOCKDEP_LEN, m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < R_LOCKDEP_EDGE_WORDS && k < CHAIN_WORDS; k++) put(R_LOCKDEP + R_LOCKDEP_EDGE_WORDS * i + k, chain_word(i, k));
  }
  return RESULT;
}
