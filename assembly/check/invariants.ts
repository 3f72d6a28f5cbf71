// Safety checks of kernel-model.md section 7, each a stable id (abi.ts CHECK_*). The checks that
// belong to one action (S1, S2, S5, S6, S9, S10, S15, and the frame pop's S5/S7/S8/L2) are in
// check/dentry.ts, called where the action happens (kernel/dcache.ts, kernel/task.ts ret); this
// file holds the ones that look across the state:
//   inlookup-shape       S3/S4  an in-lookup dentry is on the in-lookup hash, unhashed, negative and
//                               referenced; nothing is on the in-lookup hash without PAR_LOOKUP
//   lost-wakeup          L2     nobody sleeps on an episode that has ended or whose owner is gone
//   waitqueue-lifetime   S7/S8  (on-stack generation) the frame holding d_wait outlives the episode
//   episode-end          S5     the owner does not return with its episode still open
//   ino-consistency      c8     (procfs, /proc/sys) readdir emitted no fallback d_ino, and a stat
//                               returns the st_ino of every d_ino emitted for that name before it
//   held-at-exit                nothing held when a system call returns (lockdep_sys_exit)
// Each runs only when something it depends on changed in the tick (dirty flags).

import {
  CHECK_LOST_WAKEUP, CHECK_INLOOKUP_SHAPE, CHECK_INO_CONSISTENCY, WAIT_IN_LOOKUP, WAIT_LOOKUP_LOCK, WAIT_DYING_DIR,
  MAX_TASKS, CHECK_WAITQUEUE_LIFETIME,
  CHECK_HELD_AT_EXIT, WAIT_RWSEM_READ, WAIT_RWSEM_WRITE,
} from "../abi";
import { rwsem_head_grantable, rwsem_is_queued } from "../kernel/rwsem";
import {
  dw, dw_raw, gw, sgw, tw, ew, sew, D_FLAGS, D_INODE, D_REF, MAX_EMITS,
  T_EPISODES, G_D_HWM, G_SHAPE_DIRTY, G_WAKE_DIRTY, G_N_EMITS, T_STATE, T_WAIT_KIND, T_WAIT_OBJ,
  TS_BLOCKED, E_DIR, E_NAME, E_INO, DCACHE_ALLOCATED, DCACHE_PAR_LOOKUP, DCACHE_HASHED,
  DCACHE_IN_LOOKUP_HASH, DCACHE_LOOKUP_WAITERS, D_WQ_FRAME, iw_raw, I_FLAGS, S_DYING, D_OWNER, T_SP, F_FN, F_L0,
  frame_addr, fw, current, G_I_HWM, I_USED, RW_WRITER, RW_READERS, D_LOCKER, DCACHE_LOOKUP_LOCKED, sfw, task_changed, F_PC,
} from "../sim/state";
import { FN_D_ALLOC_PARALLEL, FN_D_ALLOC_TRYLOCK, FN_D_ALLOC_LOCKED } from "../kernel/fns";
import { n_tasks, waitqueue, fs_proc_like, check_on } from "../sim/config";
import { fail, model_assert } from "../sim/verdict";
import { fp_on, fp_emits } from "../sim/footprint";

/** S3/S4 over every dentry, after a tick that changed dentry state (G_SHAPE_DIRTY); a clean
 *  tick costs one test, not a call. */
@inline export function check_shapes(): void { if (gw(G_SHAPE_DIRTY) != 0) scan_shapes(); }

function scan_shapes(): void {
  sgw(G_SHAPE_DIRTY, 0);
  for (let d = 1, n = gw(G_D_HWM); d <= n; d++) {
    const f = dw_raw(d, D_FLAGS);
    if ((f & DCACHE_ALLOCATED) == 0) continue;
    const par = (f & DCACHE_PAR_LOOKUP) != 0, chained = (f & DCACHE_IN_LOOKUP_HASH) != 0;
    if (par != chained && !(par && new_private(d))) { fail(CHECK_INLOOKUP_SHAPE, current); return; }
    if (par && ((f & DCACHE_HASHED) != 0 || dw_raw(d, D_INODE) != 0 || dw_raw(d, D_REF) < 1)) {
      fail(CHECK_INLOOKUP_SHAPE, current);
      return;
    }
  }
}

/** S4's one exception: the NEW-PRIVATE dentry (DCACHE_PAR_LOOKUP set at allocation, not yet on
 *  the in-lookup hash; Al Viro e95db51c81f5), allowed only while the d_alloc_parallel call that
 *  allocated it is running: its owner's top frame is that call and holds it as `new` (local 3). */
function new_private(d: i32): bool {
  const t = dw_raw(d, D_OWNER) - 1;
  if (t < 0) return false;
  const sp = tw(t, T_SP);
  if (sp == 0) return false;
  const fr = frame_addr(t, sp - 1);
  const fn = fw(fr, F_FN);
  if (fn != FN_D_ALLOC_PARALLEL && fn != FN_D_ALLOC_TRYLOCK && fn != FN_D_ALLOC_LOCKED) return false;
  return fw(fr, F_L0 + 3) == d;
}

/** L2: a sleeper on an in-lookup wait or lookup lock whose dentry is no longer in lookup was
 *  not woken. Run after a tick that ended an episode, and when no task is runnable. */
@inline export function check_lost_wakeups(force: bool): void { if (force || gw(G_WAKE_DIRTY) != 0) scan_sleepers(); }

function scan_sleepers(): void {
  sgw(G_WAKE_DIRTY, 0);
  for (let t = 0; t < n_tasks && t < MAX_TASKS; t++) {
    if (tw(t, T_STATE) != TS_BLOCKED) continue;
    const kind = tw(t, T_WAIT_KIND);
    // a dying-directory sleeper whose directory is no longer dying was never woken
    if (kind == WAIT_DYING_DIR && (iw_raw(tw(t, T_WAIT_OBJ), I_FLAGS) & S_DYING) == 0) { fail(CHECK_LOST_WAKEUP, t); return; }
    // an rwsem sleeper behind a head that could take the lock: a release or an out_nolock exit
    // (rwsem_del_wake_waiter) forgot its rwsem_mark_wake
    if ((kind == WAIT_RWSEM_READ || kind == WAIT_RWSEM_WRITE) && rwsem_head_grantable(tw(t, T_WAIT_OBJ))) { fail(CHECK_LOST_WAKEUP, t); return; }
    if (kind != WAIT_IN_LOOKUP && kind != WAIT_LOOKUP_LOCK) continue;
    if ((dw_raw(tw(t, T_WAIT_OBJ), D_FLAGS) & DCACHE_PAR_LOOKUP) == 0) { fail(CHECK_LOST_WAKEUP, t); return; }
  }
}

// ---- ino-consistency (procfs) -----------------------------------------------------------------

/** readdir emitted d_ino for (dir, name): record it for the stats that follow; emitting the
 *  fallback ino fails at once (it never matches a real st_ino). Nothing is compared with the
 *  dcache here: an emitted d_ino is checked only against a later stat of the same name
 *  (ino_check_stat), so one emitted after the last stat of its name is never compared. */
export function ino_check_emit(t: i32, dir: i32, name: i32, ino: i32, fallback_ino: i32): void {
  if (!fs_proc_like()) return;
  if (fp_on()) fp_emits(true);
  const n = gw(G_N_EMITS);
  // A dropped emission would let a later stat go unchecked: outgrowing the table is a model limit,
  // reported as such (as every other table does), never a silent "ok".
  model_assert(n < MAX_EMITS, "emission table full (MAX_EMITS readdir entries per run): ino-consistency cannot record this d_ino");
  sew(n, E_DIR, dir); sew(n, E_NAME, name); sew(n, E_INO, ino);
  sgw(G_N_EMITS, n + 1);
  if (ino == fallback_ino) fail(CHECK_INO_CONSISTENCY, t);
}

/** stat returned st_ino for (dir, name): it must equal every d_ino readdir emitted for it. */
export function ino_check_stat(t: i32, dir: i32, name: i32, ino: i32): void {
  if (!fs_proc_like()) return;
  if (fp_on()) fp_emits(false);
  const n = gw(G_N_EMITS);
  for (let e = 0; e < n; e++) {
    if (ew(e, E_DIR) == dir && ew(e, E_NAME) == name && ew(e, E_INO) != ino) { fail(CHECK_INO_CONSISTENCY, t); return; }
  }
}


// ---- held-at-exit ------------------------------------------------------------------------------

/** A system call of task t returned (its last frame popped): it holds no i_rwsem, is queued on
 *  none, owns no in-lookup dentry and holds no lookup lock. Linux's lockdep_sys_exit() reports
 *  "lock held when returning to user space"; for a task SIGKILL ended this is "a killed task
 *  leaves nothing behind". */
export function check_held_at_exit(t: i32): void {
  if (!check_on(CHECK_HELD_AT_EXIT)) return;
  if (tw(t, T_EPISODES) != 0) { fail(CHECK_HELD_AT_EXIT, t); return; }
  for (let i = 1, n = gw(G_I_HWM); i <= n; i++) {
    if (iw_raw(i, I_USED) == 0) continue;
    if (iw_raw(i, RW_WRITER) == t + 1 || (iw_raw(i, RW_READERS) & (1 << t)) != 0 || rwsem_is_queued(i, t)) { fail(CHECK_HELD_AT_EXIT, t); return; }
  }
  for (let d = 1, n = gw(G_D_HWM); d <= n; d++) {
    const f = dw_raw(d, D_FLAGS);
    if ((f & DCACHE_ALLOCATED) != 0 && (f & DCACHE_LOOKUP_LOCKED) != 0 && dw_raw(d, D_LOCKER) == t + 1) { fail(CHECK_HELD_AT_EXIT, t); return; }
  }
}
