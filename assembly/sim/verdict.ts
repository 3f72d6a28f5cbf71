// How a run ends. A broken invariant is a verdict, recorded with the task whose step broke it;
// only a broken model traps.

import { VERDICT_RUNNING, VERDICT_VIOLATION, VERDICT_DEADLOCK, CHECK_DEADLOCK } from "../abi";
import { gw, sgw, G_VERDICT, G_CHECK, G_FAIL_TASK } from "./state";
import { check_on } from "./config";

/** Report a failure of check `id` caused by task `t` (-1: no one task, as for a deadlock), if the
 *  scenario enables that check: the verdict is `deadlock` for CHECK_DEADLOCK, a violation of `id`
 *  otherwise. The first failure of a run wins; the run stops at the end of the tick. */
export function fail(id: i32, t: i32): void {
  if (!check_on(id) || gw(G_VERDICT) != VERDICT_RUNNING) return;
  sgw(G_VERDICT, id == CHECK_DEADLOCK ? VERDICT_DEADLOCK : VERDICT_VIOLATION);
  sgw(G_CHECK, id);
  sgw(G_FAIL_TASK, t);
}

/** End the run with a verdict no check decides: ok (every task finished) or tick-limit. */
export function end_run(v: i32): i32 {
  sgw(G_VERDICT, v);
  return v;
}

/** Assert a fact the model itself relies on: a false one is a bug in vfsim, not in the kernel. */
@inline export function model_assert(ok: bool, what: string): void {
  if (!ok) abort(what); // the host reports it as a model bug (ModelTrap)
}
