// How a run ends. A broken invariant is a verdict, recorded with the task whose step broke it;
// only a broken model traps.

import { VERDICT_RUNNING, VERDICT_VIOLATION } from "../abi";
import { gw, sgw, G_VERDICT, G_CHECK, G_FAIL_TASK } from "./state";
import { check_on } from "./config";

/** Report a violation of check `id` caused by task `t`, if the scenario enables that check.
 *  The first violation of a run wins; the run stops at the end of the tick. */
export function fail(id: i32, t: i32): void {
  if (!check_on(id) || gw(G_VERDICT) != VERDICT_RUNNING) return;
  sgw(G_VERDICT, VERDICT_VIOLATION);
  sgw(G_CHECK, id);
  sgw(G_FAIL_TASK, t);
}

/** Assert a fact the model itself relies on: a false one is a bug in vfsim, not in the kernel. */
@inline export function model_assert(ok: bool, what: string): void {
  if (!ok) abort("vfsim model bug: " + what);
}
