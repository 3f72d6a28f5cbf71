// Models: kernel/signal.c — kill(2) with SIGKILL (kill_pid_info -> send_signal -> complete_signal
// -> signal_wake_up), fatal_signal_pending() / signal_pending_state() (include/linux/sched/
// signal.h), and the end of a killed task (get_signal -> do_exit on the way back to user space).
//
// What a fatal signal does in the model (docs/model.md "Killable waits and fatal signals"):
//   - it sets SIGKILL pending on the target (T_SIGNAL & SIGKILL_PENDING);
//   - a target asleep TASK_KILLABLE (T_WAIT_INTR != 0) is made runnable (signal_wake_up ->
//     wake_up_state(TASK_WAKEKILL)) but stays on the queue it slept on; when it next runs,
//     signal_resume() takes the wait's out_nolock exit (rwsem_del_wake_waiter) and resumes at the
//     site's -EINTR continuation, unless a releaser granted it the lock meanwhile: then it goes on
//     holding it (the slowpath sees waiter.task NULL before it tests the signal);
//   - a target asleep TASK_UNINTERRUPTIBLE stays asleep (D state); like a running target it
//     notices the signal only at its next killable sleep (fatal_signal_pending, tested where the
//     kernel tests it: the killable lock helpers) or when its system call returns;
//   - a system call that returns with SIGKILL pending ends the task: it runs no more ops (a
//     killed process makes no more system calls). A target between two system calls (its next op
//     not yet entered: one frame, at pc 0) ends at once.
// Locking: sending is one atomic step (the target's siglock and pi_lock).
//
// Divergence from Linux: only SIGKILL (no handlers, no other signals, no TASK_INTERRUPTIBLE sleeps
// on the modelled paths); NFS, FUSE and SMB RPCs are single atomic steps, so a pending signal
// does not abort one (Linux: rpc_wait_bit_killable, the FUSE request wait, are killable);
// exit_files/exit_mm and the rest of do_exit are not modelled (a killed task holds nothing at
// the return of its system call: the check held-at-exit).

import { OBJ_TASK, OBJ_INODE, AUX_KILLED, AUX_INTERRUPTED, WAIT_NONE, WAIT_RWSEM_READ, WAIT_RWSEM_WRITE } from "../abi";
import {
  tw, stw, gw, sgw, fw, sfw, T_SIGNAL, T_WAIT_INTR, T_WAIT_KIND, T_WAIT_OBJ, T_STATE, T_SP, T_RET, F_FN, F_PC,
  TS_BLOCKED, TS_RUNNABLE, TS_DONE, G_DONE, set_task_state, task_changed, iw_raw, I_NAME,
} from "../sim/state";
import { EINTR } from "./errno";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { cov, COV_WAKE } from "../sim/coverage";
import { L, top, ret_yield } from "./task";
import { rwsem_del_wake_waiter } from "./rwsem";
import { FN_KILL, FN_SIGNAL_WAKE_UP, FN_DO_EXIT } from "./fns";
import { assert_holds_no_rwsem } from "./lockdep_assert";

/** T_SIGNAL bits. */
export const SIGKILL_PENDING: i32 = 1;   // sigismember(&pending, SIGKILL)
export const SIG_WOKEN: i32 = 2;        // woken from a killable sleep by it, not yet run since

/** Models: fatal_signal_pending(). */
@inline export function fatal_signal_pending(t: i32): bool { return (tw(t, T_SIGNAL) & SIGKILL_PENDING) != 0; }

/** Is task t asleep TASK_KILLABLE (a fatal signal would wake it)? */
@inline export function sleeps_killable(t: i32): bool { return tw(t, T_STATE) == TS_BLOCKED && tw(t, T_WAIT_INTR) != 0; }

/** Models: kill(2) of another process with SIGKILL, the whole system call in one step. Local 0:
 *  the target task. Returns 0 (a target that has already exited is a zombie: still 0).
 *  Locking: none held; one atomic step. */
export function sys_kill(t: i32, fr: usize): i32 {
  assert_holds_no_rwsem(t, "sys_kill");
  const target = L(fr, 0);
  send_sigkill(t, target);
  ev(t, FN_KILL, 0, (OBJ_TASK << 24) | target, 0, 0, AUX_KILLED);
  return ret_yield(t, 0);
}

/** Models: send_signal(SIGKILL) -> complete_signal -> signal_wake_up(t, fatal). */
function send_sigkill(killer: i32, t: i32): void {
  if (tw(t, T_STATE) == TS_DONE) return;
  task_changed(t);
  stw(t, T_SIGNAL, tw(t, T_SIGNAL) | SIGKILL_PENDING);
  if (sleeps_killable(t)) {
    // wake_up_state(TASK_WAKEKILL): runnable, still queued; signal_resume() does the rest
    stw(t, T_SIGNAL, tw(t, T_SIGNAL) | SIG_WOKEN);
    set_task_state(t, TS_RUNNABLE);
    cov(COV_WAKE + tw(t, T_WAIT_KIND));
    ev(t, FN_SIGNAL_WAKE_UP, 0, (OBJ_TASK << 24) | killer, 0, 0, AUX_KILLED);
    return;
  }
  // between two system calls (in user space): it dies there and enters no more
  if (tw(t, T_STATE) == TS_RUNNABLE && tw(t, T_SP) == 1 && fw(top(t), F_PC) == 0) do_exit(t);
}

/** The first run of a task a fatal signal woke from a killable sleep: the rwsem slowpath's wait
 *  loop. Still queued: the out_nolock exit (rwsem_del_wake_waiter), resume at the site's -EINTR
 *  pc; returns true (that was this tick's one action). Granted meanwhile: go on holding the lock;
 *  returns false (the frames run as usual). */
export function signal_resume(t: i32): bool {
  stw(t, T_SIGNAL, tw(t, T_SIGNAL) & ~SIG_WOKEN);
  const kind = tw(t, T_WAIT_KIND), obj = tw(t, T_WAIT_OBJ), intr = tw(t, T_WAIT_INTR);
  if (kind == WAIT_NONE) return false;
  model_assert(kind == WAIT_RWSEM_READ || kind == WAIT_RWSEM_WRITE, "signal_resume: a killable wait that is not an rwsem");
  model_assert(intr > 0, "signal_resume: no -EINTR continuation");
  rwsem_del_wake_waiter(t, obj);
  stw(t, T_WAIT_KIND, WAIT_NONE);
  stw(t, T_WAIT_OBJ, 0);
  stw(t, T_WAIT_INTR, 0);
  const fr = top(t);
  sfw(fr, F_PC, intr - 1);
  ev(t, fw(fr, F_FN), intr - 1, (OBJ_INODE << 24) | obj, iw_raw(obj, I_NAME), EINTR, AUX_INTERRUPTED);
  return true;
}

/** Models: do_exit() of a task SIGKILL ended (at the return of its system call, or before it
 *  entered the next one): it runs no more ops. */
export function do_exit(t: i32): void {
  stw(t, T_SP, 0);
  stw(t, T_RET, 0);
  set_task_state(t, TS_DONE);
  sgw(G_DONE, gw(G_DONE) + 1);
  ev(t, FN_DO_EXIT, 0, 0, 0, 0, AUX_KILLED);
}
