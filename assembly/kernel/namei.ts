// Models: fs/namei.c, its path-walk and lookup half: link_path_walk()/walk_component(),
// lookup_slow()/__lookup_slow(), lookup_one_qstr_excl() (current order) and lookup_one_qstr()
// (proposed order). The system calls built on them live beside it: namei_dirop.ts (fs/namei.c's
// directory-operation half: mkdir, open(O_CREAT), unlink, rmdir and rename within one directory,
// and vfs_rmdir), stat.ts (vfs_statx) and readdir.ts (getdents64).
//
// Lock orders (config.order):
//   current   the parent's i_rwsem is taken before d_alloc_parallel(): shared for lookups, exclusive
//             for mkdir/unlink/rename/O_CREAT (kernel-model.md 3.4). Every in-lookup child of D has
//             an owner that holds D.
//   proposed  "VFS: lift d_alloc_parallel above inode_lock" (52/53, kernel-model.md 6.1):
//             d_alloc_parallel() first; the shared lock only around ->lookup; the exclusive lock
//             after the lookup, re-validated, so a task may hold an in-lookup dentry while it
//             waits for the parent's i_rwsem (shared or exclusive).
// Each function's `Locking:` line is checked when it runs (kernel/lockdep_assert.ts).
//
// Frame locals are documented per function. Dentries returned to a caller carry a reference.
//
// Divergence from Linux: no d_revalidate (NFS dentries are always valid), no permission checks,
// no mounts or symlinks, no LOOKUP_RCU walk (lookup_fast takes references step by step); every
// sleep here is TASK_UNINTERRUPTIBLE, as in Linux (lookup_slow passes TASK_NORMAL, the system calls
// start_dirop; docs/model.md "Killable waits and fatal signals").

import {
  ORDER_PROPOSED, FS_NFS, FS_FUSE, FS_SMB, FS_OVERLAYFS, SERIES_AUG_2025, AUX_HIT, AUX_MISS, AUX_NEGATIVE, AUX_POSITIVE, AUX_RETRY,
  AUX_ENDED, AUX_NONE, AUX_RELEASED, PLANT_NO_LOOKUP_DONE, PLANT_NO_LOOKUP_SLOW_LOCK,
} from "../abi";
import { order, fs_type, path_name, planted, ci_exact, series } from "../sim/config";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, goto_, yield_, callp, ret, ret_yield, ret_value } from "./task";
import {
  d_lookup, dget, dput, d_alloc, d_in_lookup, d_is_negative, d_inode, d_name, d_lookup_done,
  d_episode_to_caller, dobj,
} from "./dcache";
import { EAGAIN, ENOENT, ENOTDIR } from "./errno";
import { inode_lock_shared, inode_unlock_shared, dir_inode, i_is_dir, IS_DEADDIR, iobj } from "./inode";
import { stw, T_RET } from "../sim/state";
import { up_read } from "./rwsem";
import {
  assert_held_shared, assert_held_exclusive, assert_not_held, assert_owns_in_lookup, lock_inode, in_lookup_raw,
} from "./lockdep_assert";
import {
  FN_LINK_PATH_WALK, FN_LOOKUP_SLOW, FN___LOOKUP_SLOW, FN_LOOKUP_ONE_QSTR_EXCL, FN_LOOKUP_ONE_QSTR,
  FN_D_ALLOC_PARALLEL, FN_NFS_LOOKUP, FN_PROC_LOOKUP, FN_FUSE_LOOKUP, FN_CIFS_LOOKUP, FN_OVL_LOOKUP, FN_XFS_VN_CI_LOOKUP,
} from "./fns";

export const ROOT_DENTRY: i32 = 1;

// ->lookup intent flags (include/linux/namei.h)
export const LOOKUP_EXCL: i32 = 1;
export const LOOKUP_RENAME_TARGET: i32 = 2;
export const LOOKUP_CREATE: i32 = 4;
export const LOOKUP_OPEN: i32 = 8;
/** "Parent lock is held shared" (neilbrown/linux @ 436d76831ed3 include/linux/namei.h, BIT(20)):
 *  lookup_slow()/lookup_slow_killable() pass it to __lookup_slow() and so to ->lookup, which may
 *  then drop and retake the parent's lock in the same mode ("[PATCH v3 08/19] VFS/xfs/ntfs: drop
 *  parent lock across d_alloc_parallel() in d_add_ci()", Message-ID
 *  20260427040517.828226-9-neilb@ownmail.net: inode_unlock_shared/inode_lock_shared with it,
 *  inode_unlock/inode_lock_nested(I_MUTEX_PARENT) without). Absent when ->lookup runs under the
 *  exclusive lock (lookup_one_qstr_excl, lookup_open with O_CREAT, ovl_cache_update's lookup_one
 *  under WRAP_DIR_ITER). The model also passes it where 52/53 calls ->lookup under the shared
 *  lock (lookup_one_qstr, lookup_open without ->atomic_open): by the flag's definition; those
 *  call sites were not read with the flag. Only kernel.series after aug-2025 have it. */
export const LOOKUP_SHARED: i32 = 16;

/** LOOKUP_SHARED for a ->lookup call made with the parent held shared, if the series has it. */
@inline export function lookup_shared(): i32 { return series == SERIES_AUG_2025 ? 0 : LOOKUP_SHARED; }

/** Call the fs ->lookup of `dir` for `d` with `flags` as the call site passes them; the call
 *  returns to `next`. Locking: every modelled ->lookup call is made under the parent's i_rwsem;
 *  this checks the contract LOOKUP_SHARED states: with it, t holds the parent shared; without it
 *  (under a series that has the flag), exclusive. `fn` overrides the filesystem's ->lookup
 *  (xfs_vn_ci_lookup for a case-folded name). */
export function call_fs_lookup(t: i32, fr: usize, next: i32, dir: i32, d: i32, flags: i32, fn: i32 = 0): i32 {
  if ((flags & LOOKUP_SHARED) != 0) assert_held_shared(t, lock_inode(dir), "->lookup (LOOKUP_SHARED)");
  else if (series != SERIES_AUG_2025) assert_held_exclusive(t, lock_inode(dir), "->lookup (no LOOKUP_SHARED)");
  return callp(t, fr, next, fn != 0 ? fn : fs_lookup_fn(), dir, d, flags);
}

@inline export function proposed(): bool { return order == ORDER_PROPOSED; }
/** The filesystem's ->lookup (procfs and /proc/sys: proc_lookup, which stands for proc_sys_lookup too). */
export function fs_lookup_fn(): i32 {
  switch (fs_type) {
    case FS_NFS: return FN_NFS_LOOKUP;
    case FS_FUSE: return FN_FUSE_LOOKUP;
    case FS_SMB: return FN_CIFS_LOOKUP;
    case FS_OVERLAYFS: return FN_OVL_LOOKUP;
    default: return FN_PROC_LOOKUP;
  }
}
@inline export function d_is_dir(d: i32): bool { return d_inode(d) != 0 && i_is_dir(d_inode(d)); }

/** d_lookup_done() as a step of `fn`: an atomic action if the dentry is still in lookup, a local
 *  no-op otherwise (not-in-lookup is permanent, so the merge hides no interleaving). */
export function lookup_done_step(t: i32, fr: usize, fn: i32, next: i32, d: i32): i32 {
  if (d == 0 || !d_in_lookup(d)) return goto_(fr, next);
  d_lookup_done(t, d);
  ev(t, fn, pc_of(fr), dobj(d), d_name(d), 0, AUX_ENDED);
  return yield_(fr, next);
}

// ---- link_path_walk -----------------------------------------------------------------------------
// Locals: 0 path, 1 components to walk, 2 index, 3 current dentry (referenced).
const LPW_START: i32 = 0, LPW_FAST: i32 = 1, LPW_SLOW: i32 = 2, LPW_GOT: i32 = 3;

export function link_path_walk_state(pc: i32): string {
  switch (pc) {
    case LPW_START: return "path_init";
    case LPW_FAST: return "lookup_fast";
    case LPW_SLOW: return "lookup_slow";
    case LPW_GOT: return "step_into";
    default: return "";
  }
}

/** Models: link_path_walk() + walk_component(): returns the dentry of the first `upto`
 *  components of the path (referenced), or -ENOENT/-ENOTDIR. Locking: no i_rwsem held on entry
 *  (lookup_slow takes the parent's itself). Its only callers are the system calls' first steps,
 *  which assert that in the same step (assert_holds_no_rwsem scans the inode table: once per
 *  op, not twice). */
export function link_path_walk(t: i32, fr: usize): i32 {
  const path = L(fr, 0), upto = L(fr, 1);
  switch (pc_of(fr)) {
    case LPW_START:
      dget(ROOT_DENTRY);
      setL(fr, 3, ROOT_DENTRY);
      return goto_(fr, LPW_FAST);
    case LPW_FAST: {
      const i = L(fr, 2), cur = L(fr, 3);
      if (i == upto) return ret(t, cur);
      if (!d_is_dir(cur)) { dput(t, cur); return ret(t, ENOTDIR); }
      const name = path_name(path, i);
      const d = d_lookup(cur, name);
      if (d == 0) {
        ev(t, FN_LINK_PATH_WALK, LPW_FAST, 0, name, 0, AUX_MISS);
        return yield_(fr, LPW_SLOW);
      }
      if (d_is_negative(d)) {
        dput(t, cur);
        ev(t, FN_LINK_PATH_WALK, LPW_FAST, dobj(d), name, ENOENT, AUX_NEGATIVE);
        return ret_yield(t, ENOENT);
      }
      dget(d);
      dput(t, cur);
      setL(fr, 3, d);
      setL(fr, 2, i + 1);
      ev(t, FN_LINK_PATH_WALK, LPW_FAST, dobj(d), name, d, AUX_HIT);
      return yield_(fr, LPW_FAST);
    }
    case LPW_SLOW:
      return callp(t, fr, LPW_GOT, FN_LOOKUP_SLOW, L(fr, 3), path_name(path, L(fr, 2)), 0);
    case LPW_GOT: {
      const r = ret_value(t), cur = L(fr, 3);
      if (r < 0) { dput(t, cur); ev(t, FN_LINK_PATH_WALK, LPW_GOT, 0, 0, r, AUX_NONE); return ret_yield(t, r); }
      dput(t, cur);
      if (d_is_negative(r)) {
        dput(t, r);
        ev(t, FN_LINK_PATH_WALK, LPW_GOT, dobj(r), d_name(r), ENOENT, AUX_NEGATIVE);
        return ret_yield(t, ENOENT);
      }
      setL(fr, 3, r);
      setL(fr, 2, L(fr, 2) + 1);
      ev(t, FN_LINK_PATH_WALK, LPW_GOT, dobj(r), d_name(r), r, AUX_POSITIVE);
      return yield_(fr, LPW_FAST);
    }
  }
  model_assert(false, "link_path_walk: bad pc");
  return STEP_NEXT;
}

// ---- lookup_slow ------------------------------------------------------------------------------
// Locals: 0 dir dentry, 1 name, 2 flags.
const LS_LOCK: i32 = 0, LS_CALL: i32 = 1, LS_UNLOCK: i32 = 2;

export function lookup_slow_state(pc: i32): string {
  switch (pc) {
    case LS_LOCK: return "inode_lock_shared";
    case LS_CALL: return "__lookup_slow";
    case LS_UNLOCK: return "inode_unlock_shared";
    default: return "";
  }
}

/** Models: lookup_slow(). Current order: the shared lock around __lookup_slow(); proposed order:
 *  __lookup_slow() takes it itself, around ->lookup only.
 *  Locking: the parent's i_rwsem not held on entry (either order: lookup_slow, or __lookup_slow
 *  in the proposed order, takes it). */
export function lookup_slow(t: i32, fr: usize): i32 {
  const dir = L(fr, 0);
  switch (pc_of(fr)) {
    case LS_LOCK:
      assert_not_held(t, lock_inode(dir), "lookup_slow");
      // Planted bug (lock contracts): the current order forgets inode_lock_shared, so
      // __lookup_slow's entry assertion stops the run as a model fault.
      if (proposed() || planted(PLANT_NO_LOOKUP_SLOW_LOCK)) return goto_(fr, LS_CALL);
      return inode_lock_shared(t, fr, FN_LOOKUP_SLOW, LS_LOCK, LS_CALL, dir_inode(dir));
    case LS_CALL:
      return callp(t, fr, LS_UNLOCK, FN___LOOKUP_SLOW, dir, L(fr, 1), L(fr, 2) | lookup_shared());
    case LS_UNLOCK: {
      const r = ret_value(t);
      if (proposed()) return ret(t, r);
      up_read(t, dir_inode(dir));
      ev(t, FN_LOOKUP_SLOW, LS_UNLOCK, iobj(dir_inode(dir)), d_name(dir), 0, AUX_RELEASED);
      return ret_yield(t, r);
    }
  }
  model_assert(false, "lookup_slow: bad pc");
  return STEP_NEXT;
}

// ---- __lookup_slow ----------------------------------------------------------------------------
// Locals: 0 dir, 1 name, 2 flags, 3 dentry, 4 ->lookup result.
// The on-stack wait queue of generation 1 lives in this frame.
const __LS_AGAIN: i32 = 0, __LS_GOT: i32 = 1, __LS_LOCK: i32 = 2, __LS_LOOKUP: i32 = 3,
  __LS_LOOKED: i32 = 4, __LS_DONE: i32 = 5, __LS_RETURN: i32 = 6, __LS_RETRY: i32 = 7;

export function __lookup_slow_state(pc: i32): string {
  switch (pc) {
    case __LS_AGAIN: return "d_alloc_parallel";
    case __LS_GOT: return "d_in_lookup";
    case __LS_LOCK: return "inode_lock_shared";
    case __LS_LOOKUP: return "->lookup";
    case __LS_LOOKED: return "inode_unlock_shared";
    case __LS_DONE: return "d_lookup_done";
    case __LS_RETURN: return "dput";
    case __LS_RETRY: return "d_lookup_done, dput, again (-EAGAIN)";
    default: return "";
  }
}

/** __lookup_slow's contract, checked on entry (and every retry) and on exit. */
@inline function __lookup_slow_locking(t: i32, dir: i32): void {
  if (proposed()) assert_not_held(t, lock_inode(dir), "__lookup_slow");
  else assert_held_shared(t, lock_inode(dir), "__lookup_slow");
}

/** Models: __lookup_slow(). Locking: current order: parent shared on entry and exit; proposed:
 *  not held on entry and exit, shared only around ->lookup. */
export function __lookup_slow(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), name = L(fr, 1), d = L(fr, 3);
  switch (pc_of(fr)) {
    case __LS_AGAIN:
      __lookup_slow_locking(t, dir);
      return callp(t, fr, __LS_GOT, FN_D_ALLOC_PARALLEL, dir, name);
    case __LS_GOT: {
      const r = ret_value(t);
      if (r < 0 || !d_in_lookup(r)) { __lookup_slow_locking(t, dir); return ret(t, r); }
      setL(fr, 3, r);
      return goto_(fr, proposed() ? __LS_LOCK : __LS_LOOKUP);
    }
    case __LS_LOCK:
      return inode_lock_shared(t, fr, FN___LOOKUP_SLOW, __LS_LOCK, __LS_LOOKUP, dir_inode(dir));
    case __LS_LOOKUP:
      // 52/53: under the shared lock, a dead directory gets no ->lookup (-ENOENT).
      if (proposed() && IS_DEADDIR(dir_inode(dir))) {
        stw(t, T_RET, ENOENT);
        return goto_(fr, __LS_LOOKED);
      }
      // a case-folded name (fs.ciLookup) goes to xfs_vn_ci_lookup, which may d_add_ci
      return call_fs_lookup(t, fr, __LS_LOOKED, dir, d, L(fr, 2), ci_exact(name) != 0 ? FN_XFS_VN_CI_LOOKUP : 0);
    case __LS_LOOKED:
      setL(fr, 4, ret_value(t));
      if (!proposed()) return goto_(fr, __LS_DONE);
      return inode_unlock_shared(t, fr, FN___LOOKUP_SLOW, __LS_LOOKED, __LS_DONE, dir_inode(dir));
    case __LS_DONE: {
      const r = L(fr, 4);
      if (r == EAGAIN) return goto_(fr, __LS_RETRY);
      // Planted bug (kernel-model.md c4): the error path forgets d_lookup_done().
      if (r < 0 && planted(PLANT_NO_LOOKUP_DONE)) return goto_(fr, __LS_RETURN);
      return lookup_done_step(t, fr, FN___LOOKUP_SLOW, __LS_RETURN, d);
    }
    case __LS_RETURN: {
      const r = L(fr, 4);
      __lookup_slow_locking(t, dir);
      if (r > 0) {   // ->lookup returned another dentry (d_add_ci): use it, drop ours
        dput(t, d);
        ev(t, FN___LOOKUP_SLOW, __LS_RETURN, dobj(r), d_name(r), r, AUX_NONE);
        return ret_yield(t, r);
      }
      if (r >= 0) return ret(t, d);
      dput(t, d);
      ev(t, FN___LOOKUP_SLOW, __LS_RETURN, dobj(d), name, r, AUX_NONE);
      return ret_yield(t, r);
    }
    case __LS_RETRY:
      d_lookup_done(t, d);
      dput(t, d);
      setL(fr, 3, 0);
      ev(t, FN___LOOKUP_SLOW, __LS_RETRY, dobj(d), name, EAGAIN, AUX_RETRY);
      return yield_(fr, __LS_AGAIN);
  }
  model_assert(false, "__lookup_slow: bad pc");
  return STEP_NEXT;
}

// ---- lookup_one_qstr_excl (current order) ------------------------------------------------------
// Locals: 0 dir, 1 name, 2 flags, 3 dentry.
const LQE_LOOKUP: i32 = 0, LQE_LOOKUP_FS: i32 = 1, LQE_GOT: i32 = 2;

export function lookup_one_qstr_excl_state(pc: i32): string {
  switch (pc) {
    case LQE_LOOKUP: return "d_lookup / d_alloc";
    case LQE_LOOKUP_FS: return "->lookup";
    case LQE_GOT: return "dput";
    default: return "";
  }
}

/** Models: lookup_one_qstr_excl() before patch 10/11. Locking: parent held EXCLUSIVE, so no
 *  in-lookup child can exist (current order) and a plain d_alloc() is handed to ->lookup. */
export function lookup_one_qstr_excl(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), name = L(fr, 1);
  switch (pc_of(fr)) {
    case LQE_LOOKUP: {
      assert_held_exclusive(t, lock_inode(dir), "lookup_one_qstr_excl");
      const hit = d_lookup(dir, name);
      if (hit != 0) {
        dget(hit);
        ev(t, FN_LOOKUP_ONE_QSTR_EXCL, LQE_LOOKUP, dobj(hit), name, hit, AUX_HIT);
        return ret_yield(t, hit);
      }
      // Don't create child dentry for a dead directory.
      if (IS_DEADDIR(dir_inode(dir))) {
        ev(t, FN_LOOKUP_ONE_QSTR_EXCL, LQE_LOOKUP, 0, name, ENOENT, AUX_MISS);
        return ret_yield(t, ENOENT);
      }
      const d = d_alloc(dir, name);
      setL(fr, 3, d);
      ev(t, FN_LOOKUP_ONE_QSTR_EXCL, LQE_LOOKUP, dobj(d), name, d, AUX_MISS);
      return yield_(fr, LQE_LOOKUP_FS);
    }
    case LQE_LOOKUP_FS:
      return call_fs_lookup(t, fr, LQE_GOT, dir, L(fr, 3), L(fr, 2));
    case LQE_GOT: {
      const r = ret_value(t), d = L(fr, 3);
      if (r >= 0) return ret(t, d);
      dput(t, d);
      ev(t, FN_LOOKUP_ONE_QSTR_EXCL, LQE_GOT, dobj(d), name, r, AUX_NONE);
      return ret_yield(t, r);
    }
  }
  model_assert(false, "lookup_one_qstr_excl: bad pc");
  return STEP_NEXT;
}

// ---- lookup_one_qstr (proposed order) ----------------------------------------------------------
// Locals: 0 dir, 1 name, 2 flags, 3 dentry, 4 ->lookup result.
const LQ_ALLOC: i32 = 0, LQ_GOT: i32 = 1, LQ_LOCK: i32 = 2, LQ_LOOKUP: i32 = 3, LQ_UNLOCK: i32 = 4,
  LQ_AFTER: i32 = 5, LQ_ERR: i32 = 6;

export function lookup_one_qstr_state(pc: i32): string {
  switch (pc) {
    case LQ_ALLOC: return "d_alloc_parallel";
    case LQ_GOT: return "d_in_lookup";
    case LQ_LOCK: return "inode_lock_shared";
    case LQ_LOOKUP: return "->lookup";
    case LQ_UNLOCK: return "inode_unlock_shared";
    case LQ_AFTER: return "d_lookup_done (error)";
    case LQ_ERR: return "dput";
    default: return "";
  }
}

/** Models: lookup_one_qstr() of 52/53. Locking: parent unlocked on entry and exit; shared
 *  around ->lookup. May return a dentry still in lookup (NFS with LOOKUP_EXCL or
 *  LOOKUP_RENAME_TARGET), which the caller then owns and must d_lookup_done(). */
export function lookup_one_qstr(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), name = L(fr, 1), d = L(fr, 3);
  switch (pc_of(fr)) {
    case LQ_ALLOC:
      assert_not_held(t, lock_inode(dir), "lookup_one_qstr");
      return callp(t, fr, LQ_GOT, FN_D_ALLOC_PARALLEL, dir, name);
    case LQ_GOT: {
      const r = ret_value(t);
      if (r < 0 || !d_in_lookup(r)) { assert_not_held(t, lock_inode(dir), "lookup_one_qstr"); return ret(t, r); }
      setL(fr, 3, r);
      return goto_(fr, LQ_LOCK);
    }
    case LQ_LOCK:
      return inode_lock_shared(t, fr, FN_LOOKUP_ONE_QSTR, LQ_LOCK, LQ_LOOKUP, dir_inode(dir));
    case LQ_LOOKUP:
      return call_fs_lookup(t, fr, LQ_UNLOCK, dir, d, L(fr, 2) | lookup_shared());
    case LQ_UNLOCK:
      setL(fr, 4, ret_value(t));
      return inode_unlock_shared(t, fr, FN_LOOKUP_ONE_QSTR, LQ_UNLOCK, LQ_AFTER, dir_inode(dir));
    case LQ_AFTER: {
      const r = L(fr, 4);
      if (r == EAGAIN) {
        d_lookup_done(t, d);
        dput(t, d);
        ev(t, FN_LOOKUP_ONE_QSTR, LQ_AFTER, dobj(d), name, EAGAIN, AUX_RETRY);
        return yield_(fr, LQ_ALLOC);
      }
      if (r >= 0) {
        assert_not_held(t, lock_inode(dir), "lookup_one_qstr");
        if (in_lookup_raw(d)) assert_owns_in_lookup(t, d, "lookup_one_qstr");
        d_episode_to_caller(t, d);
        return ret(t, d);
      }
      return lookup_done_step(t, fr, FN_LOOKUP_ONE_QSTR, LQ_ERR, d);
    }
    case LQ_ERR:
      assert_not_held(t, lock_inode(dir), "lookup_one_qstr");
      dput(t, d);
      ev(t, FN_LOOKUP_ONE_QSTR, LQ_ERR, dobj(d), name, L(fr, 4), AUX_NONE);
      return ret_yield(t, L(fr, 4));
  }
  model_assert(false, "lookup_one_qstr: bad pc");
  return STEP_NEXT;
}
