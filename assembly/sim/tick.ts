// The scheduler tick: run one atomic step of the chosen task, then the checks. The runnable set
// is offered to a strategy before every tick (runnable_mask); strategies live in strategy.ts
// (in wasm) or on the host (dfs, replay driven tick by tick).

import {
  VERDICT_RUNNING, VERDICT_OK, VERDICT_TICK_LIMIT, CHECK_DEADLOCK, CHECK_LOST_WAKEUP, OBJ_PATH, OP_STAT, OP_GETDENTS,
  OP_MKDIR, OP_CREATE, OP_UNLINK, OP_RMDIR, OP_KILL, OP_SILLY_UNLINK, OP_SILLY_IPUT, OP_DECODE_FH, OP_OPEN, AUX_NONE, PC_SYSCALL_ENTER, PC_SYSCALL_EXIT,
} from "../abi";
import {
  gw, sgw, tw, stw, fw, G_TICK, G_VERDICT, G_CHECK, G_DONE, G_LAST_TASK, G_PREEMPTIONS, G_RUNNABLE, G_INLOOKUP,
  T_STATE, T_OP, T_SP, T_RET, T_OP_RESULT, TS_RUNNABLE, TS_DONE, F_FN, F_PC, task_changed, set_task_state, frame_addr,
  set_current,
} from "./state";
import { n_tasks, ticks_max, task_n_ops, op_word } from "./config";
import { ev, trace_on } from "./trace";
import { model_assert, fail, end_run } from "./verdict";
import { STEP_NEXT, top, call } from "../kernel/task";
import {
  FN_VFS_STATX, FN_GETDENTS64, FN_DO_MKDIRAT, FN_DO_FILP_OPEN, FN_DO_UNLINKAT, FN_DO_RENAMEAT2,
  FN_LINK_PATH_WALK, FN_LOOKUP_SLOW, FN___LOOKUP_SLOW, FN_LOOKUP_ONE_QSTR_EXCL, FN_LOOKUP_ONE_QSTR,
  FN_D_ALLOC_PARALLEL, FN_D_ALLOC_TRYLOCK, FN_D_ALLOC_LOCKED, FN_LOCK_LOOKUP, FN_ITERATE_DIR,
  FN_NFS_READDIR, FN_NFS_PRIME_DCACHE, FN_NFS_LOOKUP, FN_NFS_MKDIR, FN_NFS_ATOMIC_OPEN, FN_NFS_CREATE,
  FN_NFS_UNLINK, FN_NFS_RENAME, FN_PROC_READDIR, FN_PROC_FILL_CACHE, FN_PROC_LOOKUP,
  FN_DO_RMDIR, FN_VFS_RMDIR, FN_NFS_RMDIR,
  FN_FUSE_READDIR, FN_FUSE_DIRENTPLUS_LINK, FN_FUSE_LOOKUP, FN_CIFS_READDIR, FN_CIFS_PRIME_DCACHE,
  FN_CIFS_LOOKUP, FN_PROC_SYS_READDIR, FN_PROC_SYS_FILL_CACHE, FN_OVL_ITERATE, FN_OVL_LOOKUP, FN_KILL,
  FN_D_ADD_CI, FN_XFS_VN_CI_LOOKUP, FN_NFS_COMPLETE_UNLINK, FN_NFS_CALL_UNLINK, FN_NFS_ASYNC_UNLINK_RELEASE,
  FN_AFS_SILLY_IPUT, FN_EXPORTFS_DECODE_FH, FN_RECONNECT_PATH, FN_DO_FILP_OPEN_RDONLY, FN_NFS_ATOMIC_OPEN_RDONLY,
} from "../kernel/fns";
import { do_filp_open_rdonly } from "../kernel/namei_open";
import { nfs_atomic_open_rdonly } from "../fs/nfs_atomic_open";
import { link_path_walk, lookup_slow, __lookup_slow, lookup_one_qstr_excl, lookup_one_qstr } from "../kernel/namei";
import { dirop, vfs_rmdir } from "../kernel/namei_dirop";
import { vfs_statx } from "../kernel/stat";
import { sys_kill, signal_resume, fatal_signal_pending, do_exit, SIG_WOKEN } from "../kernel/signal";
import { T_SIGNAL } from "./state";
import { d_alloc_parallel, lock_lookup } from "../kernel/dcache";
import { d_alloc_parallel, lock_lookup, d_add_ci } from "../kernel/dcache";
import { xfs_vn_ci_lookup } from "../fs/xfs";
import { nfs_complete_unlink, nfs_call_unlink, nfs_async_unlink_release } from "../fs/nfs_unlink";
import { afs_silly_iput } from "../fs/afs_dir_silly";
import { exportfs_decode_fh, reconnect_path } from "../fs/exportfs";
import { iterate_dir, getdents64 } from "../kernel/readdir";
import { nfs_readdir, nfs_prime_dcache, nfs_lookup, nfs_dirop } from "../fs/nfs";
import { proc_readdir, proc_fill_cache, proc_lookup } from "../fs/procfs";
import { fuse_readdir, fuse_direntplus_link, fuse_lookup } from "../fs/fuse";
import { cifs_readdir, cifs_prime_dcache, cifs_lookup } from "../fs/smb";
import { proc_sys_readdir, proc_sys_fill_cache } from "../fs/proc_sys";
import { ovl_iterate, ovl_lookup } from "../fs/overlayfs";
import { check_shapes, check_lost_wakeups, check_held_at_exit } from "../check/invariants";
import { find_cycle, cycle_kind } from "../check/waits_for";
import { fp_clear, set_fp } from "./footprint";
import { cov, cov_step, COV_INLOOKUP, COV_END, COV_CYCLE } from "./coverage";
import { LEAN } from "./build";

/** Run task t's frames until one ends the tick (STEP_YIELD or STEP_BLOCK) or the system call
 *  returns: each pass runs one transition of the top frame. The loop lives here, with the
 *  handlers inlined into the switch, so a local transition (a call, a return) costs a branch and
 *  not a wasm call with every live value spilled. */
function run_frames(t: i32): void {
  let r = STEP_NEXT;
  for (let guard = 0; r == STEP_NEXT; guard++) {
    model_assert(guard < 512, "a step that never ends the tick");
    const sp = tw(t, T_SP);
    if (sp == 0) break;
    const fr = frame_addr(t, sp - 1);
    const fn = fw(fr, F_FN);
    cov_step(fn, fw(fr, F_PC));
    switch (fn) {
      case FN_VFS_STATX: r = vfs_statx(t, fr); break;
      case FN_GETDENTS64: r = getdents64(t, fr); break;
      case FN_DO_MKDIRAT:
      case FN_DO_FILP_OPEN:
      case FN_DO_UNLINKAT:
      case FN_DO_RMDIR:
      case FN_DO_RENAMEAT2: r = dirop(t, fr, fn); break;
      case FN_VFS_RMDIR: r = vfs_rmdir(t, fr); break;
      case FN_LINK_PATH_WALK: r = link_path_walk(t, fr); break;
      case FN_LOOKUP_SLOW: r = lookup_slow(t, fr); break;
      case FN___LOOKUP_SLOW: r = __lookup_slow(t, fr); break;
      case FN_LOOKUP_ONE_QSTR_EXCL: r = lookup_one_qstr_excl(t, fr); break;
      case FN_LOOKUP_ONE_QSTR: r = lookup_one_qstr(t, fr); break;
      case FN_D_ALLOC_PARALLEL:
      case FN_D_ALLOC_TRYLOCK:
      case FN_D_ALLOC_LOCKED: r = d_alloc_parallel(t, fr, fn); break;
      case FN_LOCK_LOOKUP: r = lock_lookup(t, fr); break;
      case FN_ITERATE_DIR: r = iterate_dir(t, fr); break;
      case FN_NFS_READDIR: r = nfs_readdir(t, fr); break;
      case FN_NFS_PRIME_DCACHE: r = nfs_prime_dcache(t, fr); break;
      case FN_NFS_LOOKUP: r = nfs_lookup(t, fr); break;
      case FN_NFS_MKDIR:
      case FN_NFS_ATOMIC_OPEN:
      case FN_NFS_CREATE:
      case FN_NFS_UNLINK:
      case FN_NFS_RMDIR:
      case FN_NFS_RENAME: r = nfs_dirop(t, fr, fn); break;
      case FN_PROC_READDIR: r = proc_readdir(t, fr); break;
      case FN_PROC_FILL_CACHE: r = proc_fill_cache(t, fr); break;
      case FN_PROC_LOOKUP: r = proc_lookup(t, fr); break;
      case FN_FUSE_READDIR: r = fuse_readdir(t, fr); break;
      case FN_FUSE_DIRENTPLUS_LINK: r = fuse_direntplus_link(t, fr); break;
      case FN_FUSE_LOOKUP: r = fuse_lookup(t, fr); break;
      case FN_CIFS_READDIR: r = cifs_readdir(t, fr); break;
      case FN_CIFS_PRIME_DCACHE: r = cifs_prime_dcache(t, fr); break;
      case FN_CIFS_LOOKUP: r = cifs_lookup(t, fr); break;
      case FN_PROC_SYS_READDIR: r = proc_sys_readdir(t, fr); break;
      case FN_PROC_SYS_FILL_CACHE: r = proc_sys_fill_cache(t, fr); break;
      case FN_OVL_ITERATE: r = ovl_iterate(t, fr); break;
      case FN_OVL_LOOKUP: r = ovl_lookup(t, fr); break;
      case FN_KILL: r = sys_kill(t, fr); break;
      case FN_D_ADD_CI: r = d_add_ci(t, fr); break;
      case FN_XFS_VN_CI_LOOKUP: r = xfs_vn_ci_lookup(t, fr); break;
      case FN_NFS_COMPLETE_UNLINK: r = nfs_complete_unlink(t, fr); break;
      case FN_NFS_CALL_UNLINK: r = nfs_call_unlink(t, fr); break;
      case FN_NFS_ASYNC_UNLINK_RELEASE: r = nfs_async_unlink_release(t, fr); break;
      case FN_AFS_SILLY_IPUT: r = afs_silly_iput(t, fr); break;
      case FN_EXPORTFS_DECODE_FH: r = exportfs_decode_fh(t, fr); break;
      case FN_RECONNECT_PATH: r = reconnect_path(t, fr); break;
      case FN_DO_FILP_OPEN_RDONLY: r = do_filp_open_rdonly(t, fr); break;
      case FN_NFS_ATOMIC_OPEN_RDONLY: r = nfs_atomic_open_rdonly(t, fr); break;
      default: model_assert(false, "run_frames: unknown function");
    }
  }
}

/** The exhaustive search asks each tick for its footprint (sim/footprint.ts). */
export let por_tracking: bool = false;
export function set_por_tracking(on: bool): void { por_tracking = on; }

/** The system call frame (its kernel function) for an op code (abi.ts OP_*). */
export function op_fn(code: i32): i32 {
  if (code == OP_STAT) return FN_VFS_STATX;
  if (code == OP_GETDENTS) return FN_GETDENTS64;
  if (code == OP_MKDIR) return FN_DO_MKDIRAT;
  if (code == OP_CREATE) return FN_DO_FILP_OPEN;
  if (code == OP_UNLINK) return FN_DO_UNLINKAT;
  if (code == OP_RMDIR) return FN_DO_RMDIR;
  if (code == OP_KILL) return FN_KILL;
  if (code == OP_SILLY_UNLINK) return FN_NFS_COMPLETE_UNLINK;
  if (code == OP_SILLY_IPUT) return FN_AFS_SILLY_IPUT;
  if (code == OP_DECODE_FH) return FN_EXPORTFS_DECODE_FH;
  if (code == OP_OPEN) return FN_DO_FILP_OPEN_RDONLY;
  return FN_DO_RENAMEAT2;
}

/** Push the frame of the task's next op, or mark the task done. */
export function start_next_op(t: i32): void {
  const k = tw(t, T_OP);
  if (k >= task_n_ops(t)) {
    set_task_state(t, TS_DONE);
    sgw(G_DONE, gw(G_DONE) + 1);
    return;
  }
  const fn = op_fn(op_word(t, k, 0));
  call(t, fn, op_word(t, k, 1), op_word(t, k, 2));
}

@inline export function runnable(t: i32): bool { return tw(t, T_STATE) == TS_RUNNABLE; }

/** The runnable tasks as a bitmask (kept in the state block by set_task_state). */
@inline export function runnable_mask(): i32 { return gw(G_RUNNABLE); }

/** One scheduler tick for task t (which must be runnable). Returns the verdict so far:
 *  VERDICT_RUNNING, or how the run ended. */
export function tick(t: i32): i32 {
  model_assert(gw(G_VERDICT) == VERDICT_RUNNING, "tick after the run ended");
  model_assert(t >= 0 && t < n_tasks && runnable(t), "tick of a task that cannot run");
  const last = gw(G_LAST_TASK);
  if (last >= 0 && last != t && runnable(last)) sgw(G_PREEMPTIONS, gw(G_PREEMPTIONS) + 1);
  sgw(G_LAST_TASK, t);
  sgw(G_TICK, gw(G_TICK) + 1);
  task_changed(t);
  set_current(t);

  model_assert(tw(t, T_SP) > 0, "runnable task with no frame");
  if (!LEAN && trace_on && tw(t, T_SP) == 1 && fw(top(t), F_PC) == 0) {   // the arguments cost a few loads
    const k = tw(t, T_OP);
    ev(t, fw(top(t), F_FN), PC_SYSCALL_ENTER, (OBJ_PATH << 24) | op_word(t, k, 1), 0, op_word(t, k, 2), AUX_NONE);
  }
  if (!LEAN && por_tracking) { fp_clear(); set_fp(true); }
  // a task a fatal signal woke from a killable sleep first runs the wait's signal exit
  if ((tw(t, T_SIGNAL) & SIG_WOKEN) == 0 || !signal_resume(t)) run_frames(t);
  if (tw(t, T_SP) == 0 && tw(t, T_STATE) == TS_RUNNABLE) {
    // the system call returned: record it, go on to the next op (a killed task exits instead)
    const k = tw(t, T_OP);
    stw(t, T_OP_RESULT, tw(t, T_RET));
    ev(t, op_fn(op_word(t, k, 0)), PC_SYSCALL_EXIT, (OBJ_PATH << 24) | op_word(t, k, 1), 0, tw(t, T_RET), AUX_NONE);
    check_held_at_exit(t);
    stw(t, T_OP, k + 1);
    if (fatal_signal_pending(t)) do_exit(t);
    else start_next_op(t);
  }
  if (!LEAN && por_tracking) set_fp(false);   // the recording switched on above
  return after_tick();
}

/** The checks after a step, in order: the step's own violations, shapes, lost wakeups, then
 *  termination (all done, nobody runnable, tick budget). */
function after_tick(): i32 {
  cov(COV_INLOOKUP + min(gw(G_INLOOKUP), 7));
  const v = end_of_tick();
  if (v != VERDICT_RUNNING) cov(COV_END + v * 16 + (gw(G_CHECK) & 15));
  return v;
}

function end_of_tick(): i32 {
  if (gw(G_VERDICT) == VERDICT_RUNNING) check_shapes();
  if (gw(G_VERDICT) == VERDICT_RUNNING) check_lost_wakeups(false);
  if (gw(G_VERDICT) != VERDICT_RUNNING) return gw(G_VERDICT);
  if (gw(G_DONE) == n_tasks) return end_run(VERDICT_OK);
  if (runnable_mask() == 0) {
    check_lost_wakeups(true);
    if (gw(G_VERDICT) != VERDICT_RUNNING) return gw(G_VERDICT);
    const n = find_cycle();
    for (let i = 0; i < n; i++) cov(COV_CYCLE + cycle_kind(i) * 8 + cycle_kind((i + 1) % n));
    // no cycle: blocked for good on something no one will release (an owner that is gone)
    if (n == 0) fail(CHECK_LOST_WAKEUP, -1);
    fail(CHECK_DEADLOCK, -1);   // the first failure wins: a no-op after a lost wakeup
    if (gw(G_VERDICT) != VERDICT_RUNNING) return gw(G_VERDICT);
    // the checks are disabled: the run is stuck, report it as out of ticks
    return end_run(VERDICT_TICK_LIMIT);
  }
  if (gw(G_TICK) >= ticks_max) return end_run(VERDICT_TICK_LIMIT);
  return VERDICT_RUNNING;
}

