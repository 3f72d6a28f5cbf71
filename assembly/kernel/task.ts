// Tasks as resumable state machines. Each kernel path is a handler that runs one transition of
// its frame and says how the tick goes on:
//   STEP_NEXT   a local transition (call, return, branch): the same task continues this tick;
//   STEP_YIELD  the task did its one shared-state action: the tick ends;
//   STEP_BLOCK  the task now waits on an object (recorded in T_WAIT_*): the tick ends.
// A frame is (fn, pc, locals[8]); calls push, returns pop and leave the value in T_RET.
// Blocking is a record, never a loop: whoever changes the object makes the waiter runnable.

import { MAX_TASKS, WAIT_NONE, OBJ_TASK } from "../abi";
import {
  tw, stw, frame_addr, fw, sfw, T_SP, T_RET, T_STATE, T_WAIT_KIND, T_WAIT_OBJ, T_WAIT_INTR, F_FN, F_PC, F_L0,
  MAX_FRAMES, TS_RUNNABLE, TS_BLOCKED, T_EPISODES, task_changed, set_task_state, gw, G_RUNNABLE, current,
} from "../sim/state";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { FN_WAKE } from "./fns";
import { on_frame_pop } from "../check/dentry";
import { cov, COV_BLOCK, COV_WAKE } from "../sim/coverage";

export const STEP_NEXT: i32 = 0;
export const STEP_YIELD: i32 = 1;
export const STEP_BLOCK: i32 = 2;

@inline export function top(t: i32): usize { return frame_addr(t, tw(t, T_SP) - 1); }
@inline export function L(fr: usize, i: i32): i32 { return fw(fr, F_L0 + i); }
@inline export function setL(fr: usize, i: i32, v: i32): void { sfw(fr, F_L0 + i, v); }
@inline export function pc_of(fr: usize): i32 { return fw(fr, F_PC); }

/** Call `fn` with up to four arguments in its locals 0..3; it runs in this same tick. */
@inline export function call(t: i32, fn: i32, a0: i32 = 0, a1: i32 = 0, a2: i32 = 0, a3: i32 = 0): i32 {
  const sp = tw(t, T_SP);
  model_assert(sp < MAX_FRAMES, "frame stack overflow");
  const fr = frame_addr(t, sp);
  sfw(fr, F_FN, fn);
  sfw(fr, F_PC, 0);
  sfw(fr, F_L0 + 0, a0); sfw(fr, F_L0 + 1, a1); sfw(fr, F_L0 + 2, a2); sfw(fr, F_L0 + 3, a3);
  sfw(fr, F_L0 + 4, 0); sfw(fr, F_L0 + 5, 0); sfw(fr, F_L0 + 6, 0); sfw(fr, F_L0 + 7, 0);
  stw(t, T_SP, sp + 1);
  return STEP_NEXT;
}

/** Set the caller's resume point `next`, then call `fn`: the callee runs in this same tick. */
@inline export function callp(t: i32, fr: usize, next: i32, fn: i32, a0: i32 = 0, a1: i32 = 0, a2: i32 = 0, a3: i32 = 0): i32 {
  sfw(fr, F_PC, next);
  return call(t, fn, a0, a1, a2, a3);
}

/** Continue at `pc` within this tick. */
@inline export function goto_(fr: usize, pc: i32): i32 { sfw(fr, F_PC, pc); return STEP_NEXT; }
/** End the tick (after a shared action); resume at `pc`. */
@inline export function yield_(fr: usize, pc: i32): i32 { sfw(fr, F_PC, pc); return STEP_YIELD; }

/** Return `v` to the caller; the caller continues in this tick. */
@inline export function ret(t: i32, v: i32): i32 {
  const sp = tw(t, T_SP);
  model_assert(sp > 0, "return with no frame");
  if (tw(t, T_EPISODES) != 0) on_frame_pop(t, sp - 1);
  stw(t, T_SP, sp - 1);
  stw(t, T_RET, v);
  return STEP_NEXT;
}
/** Return `v` after this tick's shared action: the caller continues next tick. */
@inline export function ret_yield(t: i32, v: i32): i32 { ret(t, v); return STEP_YIELD; }

/** Sleep on (kind, obj) in TASK_UNINTERRUPTIBLE (D state: a fatal signal does not wake it);
 *  resume at `pc` when woken. */
export function block(t: i32, fr: usize, pc: i32, kind: i32, obj: i32): i32 {
  sfw(fr, F_PC, pc);
  set_task_state(t, TS_BLOCKED);
  stw(t, T_WAIT_KIND, kind);
  stw(t, T_WAIT_OBJ, obj);
  stw(t, T_WAIT_INTR, 0);
  cov(COV_BLOCK + kind);
  return STEP_BLOCK;
}

/** Sleep on (kind, obj) in TASK_KILLABLE: as block(), but a fatal signal wakes the sleeper
 *  (kernel/signal.ts), which then leaves the wait and resumes at `intr` with -EINTR unless it was
 *  granted what it waited for first. */
export function block_killable(t: i32, fr: usize, pc: i32, kind: i32, obj: i32, intr: i32): i32 {
  block(t, fr, pc, kind, obj);
  stw(t, T_WAIT_INTR, intr + 1);
  return STEP_BLOCK;
}

/** Make a sleeper runnable (the waker is `current`); traced in the sleeper's lane. */
export function wake(t: i32): void {
  const kind = tw(t, T_WAIT_KIND);
  task_changed(t);
  cov(COV_WAKE + kind);
  set_task_state(t, TS_RUNNABLE);
  stw(t, T_WAIT_KIND, WAIT_NONE);
  stw(t, T_WAIT_OBJ, 0);
  stw(t, T_WAIT_INTR, 0);
  ev(t, FN_WAKE, kind, (OBJ_TASK << 24) | current, 0, 0);
}

/** Wake every task sleeping on (kind, obj). Returns how many were woken. */
export function wake_all(kind: i32, obj: i32, n: i32): i32 {
  let woken = 0;
  // in id order over the tasks that are not runnable (a wake changes only the woken task)
  let m = ~gw(G_RUNNABLE) & ((1 << min(n, MAX_TASKS)) - 1);
  for (; m != 0; m &= m - 1) {
    const t = ctz<i32>(m);
    if (tw(t, T_STATE) == TS_BLOCKED && tw(t, T_WAIT_KIND) == kind && tw(t, T_WAIT_OBJ) == obj) {
      wake(t);
      woken++;
    }
  }
  return woken;
}

@inline export function ret_value(t: i32): i32 { return tw(t, T_RET); }
