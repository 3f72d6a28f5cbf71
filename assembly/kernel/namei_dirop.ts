// Models: fs/namei.c, its directory-operation half: do_mkdirat(), do_unlinkat(), do_rmdir() and
// do_renameat2() within one directory, do_filp_open() with O_CREAT (open_last_lookups /
// lookup_open / atomic_open), in both lock orders (namei.ts's header), and vfs_rmdir(). This is a
// file of its own, not part of namei.ts, only because fs/namei.c is larger than a file of this
// project may be (700 lines); namei.ts has the path walk and the lookups these call.
//
// Divergence from Linux: open(O_CREAT) in the proposed order follows 52/53 (Message-ID
// 20260312214330.3885211-53-neilb@ownmail.net): with ->atomic_open (NFSv4) the in-lookup dentry is
// held across the exclusive lock and d_lookup_done comes after unlocking; without it (procfs,
// NFSv3: fs.atomicOpen false) lookup_open takes the shared lock around ->lookup, ends the episode,
// and takes the exclusive lock only for ->create. 52/53 as posted leaves lookup_open's "no
// ->create: -EACCES" exit with the exclusive lock held (goto out_dput skips inode_unlock); the
// model unlocks there, as the patch evidently intends.

import {
  SERIES_NEILBROWN_083EFDC, WAIT_IN_LOOKUP, WAIT_DYING_DIR, AUX_SLEEP, AUX_HIT, AUX_MISS, AUX_RETRY, AUX_NONE,
} from "../abi";
import { path_len, path_last, atomic_open, series, n_tasks, fs_proc_like } from "../sim/config";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, goto_, yield_, callp, ret, ret_yield, ret_value, block, wake_all } from "./task";
import {
  d_lookup, dget, dput, d_in_lookup, d_unhashed, d_is_negative, d_parent, d_name, d_lookup_done,
  d_delete, d_wait_lookup_prepare, dobj,
} from "./dcache";
import { EACCES, EAGAIN, EEXIST, ENOENT, ENOTDIR, EPERM } from "./errno";
import { inode_lock, inode_lock_shared, inode_unlock, inode_unlock_shared, dir_inode, IS_DEADDIR, i_set_dead, i_set_dying, i_clear_dying, I_MUTEX_NORMAL, I_MUTEX_PARENT } from "./inode";
import { sfw, stw, sgw, dw_raw, gw, F_PC, T_RET, D_FLAGS, D_PARENT, G_D_HWM, G_WAKE_DIRTY, DCACHE_ALLOCATED, DCACHE_IN_LOOKUP_HASH } from "../sim/state";
import { lockdep_wait, in_lookup_class } from "../check/lockdep";
import { fp_on, fp_pkey } from "../sim/footprint";
import { proposed, call_fs_lookup, lookup_shared, d_is_dir, lookup_done_step, LOOKUP_EXCL, LOOKUP_RENAME_TARGET, LOOKUP_CREATE, LOOKUP_OPEN } from "./namei";
import { assert_held_exclusive, assert_holds_no_rwsem, lock_inode } from "./lockdep_assert";
import {
  FN_DO_MKDIRAT, FN_DO_FILP_OPEN, FN_DO_UNLINKAT, FN_DO_RENAMEAT2, FN_DO_RMDIR, FN_VFS_RMDIR, FN_LINK_PATH_WALK,
  FN_LOOKUP_ONE_QSTR_EXCL, FN_LOOKUP_ONE_QSTR, FN_D_ALLOC_PARALLEL, FN_NFS_MKDIR, FN_NFS_ATOMIC_OPEN, FN_NFS_UNLINK,
  FN_NFS_RENAME, FN_NFS_CREATE, FN_NFS_RMDIR,
} from "./fns";

// ---- the directory-modifying system calls -----------------------------------------------------
// Shared shape: walk to the parent; then
//   current:  inode_lock(dir); lookup_one_qstr_excl(); vfs_op(); inode_unlock(dir)
//   proposed: lookup_one_qstr(); inode_lock(dir); re-validate (else unlock, d_lookup_done, dput,
//             retry); vfs_op(); inode_unlock(dir); d_lookup_done()   (__start_dirop/end_dirop)
// Locals: 0 path (rename: from), 1 path2 (rename: to), 2 dir, 3 dentry, 4 rename target,
//         5 result.

const SYS_START: i32 = 0, OP_WALK: i32 = 1, OP_C_LOCK: i32 = 2, OP_C_LOOKUP: i32 = 3, OP_C_GOT: i32 = 4,
  OP_C_GOT2: i32 = 5, OP_VFS_DONE: i32 = 6, OP_C_UNLOCK: i32 = 7, OP_DPUT: i32 = 8,
  OP_P_LOOKUP: i32 = 10, OP_P_GOT: i32 = 11, OP_P_GOT2: i32 = 12, OP_P_LOCK: i32 = 13,
  OP_P_CHECK: i32 = 14, OP_P_UNLOCK: i32 = 15, OP_P_DONE: i32 = 16, OP_P_DONE2: i32 = 17,
  OP_P_RETRY_UNLOCK: i32 = 18, OP_P_RETRY: i32 = 19, OP_OPPORTUNISTIC: i32 = 20,
  // open(O_CREAT) without ->atomic_open (lookup_open: ->lookup, d_lookup_done, then ->create)
  OP_C_LOOKED: i32 = 21, OP_C_CREATE: i32 = 22, OP_P_LO_LOCK: i32 = 23, OP_P_LO_CALL: i32 = 24,
  OP_P_LO_UNLOCK: i32 = 25, OP_P_LO_DONE: i32 = 26, OP_P_LO_AFTER: i32 = 27;

export function dirop_state(pc: i32): string {
  switch (pc) {
    case SYS_START: return "filename_parentat";
    case OP_WALK: return "path walked";
    case OP_C_LOCK: return "inode_lock";
    case OP_C_LOOKUP: return "lookup";
    case OP_C_GOT: return "lookup done";
    case OP_C_GOT2: return "lookup target done";
    case OP_VFS_DONE: return "vfs op done";
    case OP_C_UNLOCK: return "inode_unlock";
    case OP_DPUT: return "dput";
    case OP_P_LOOKUP: return "lookup_one_qstr";
    case OP_P_GOT: return "lookup done";
    case OP_P_GOT2: return "lookup target done";
    case OP_P_LOCK: return "inode_lock";
    case OP_P_CHECK: return "re-validate";
    case OP_P_UNLOCK: return "inode_unlock";
    case OP_P_DONE: return "d_lookup_done";
    case OP_P_DONE2: return "d_lookup_done (source)";
    case OP_P_RETRY_UNLOCK: return "inode_unlock (stale, retry)";
    case OP_P_RETRY: return "d_lookup_done, dput (retry)";
    case OP_OPPORTUNISTIC: return "lookup_fast (opportunistic O_CREAT)";
    case OP_C_LOOKED: return "d_lookup_done (lookup_open)";
    case OP_C_CREATE: return "->create";
    case OP_P_LO_LOCK: return "inode_lock_shared (lookup_open)";
    case OP_P_LO_CALL: return "->lookup (lookup_open)";
    case OP_P_LO_UNLOCK: return "inode_unlock_shared (lookup_open)";
    case OP_P_LO_DONE: return "d_lookup_done (lookup_open)";
    case OP_P_LO_AFTER: return "lookup_open: negative, so ->create";
    default: return "";
  }
}

// Divergence from Linux: FUSE, SMB and overlayfs directory operations are the NFS model's (the
// request to the server, then d_instantiate / d_delete / d_move; docs/model.md "Filesystems").
/** The filesystem operation an op ends in, called with the parent held exclusive; 0 when the
 *  filesystem has none (procfs, /proc/sys: no ->mkdir, ->unlink or ->rename: -EPERM).
 *  open(O_CREAT) comes here only with ->atomic_open; without it see call_create. */
function vfs_op_fn(fn: i32): i32 {
  if (fs_proc_like()) return 0;
  if (fn == FN_DO_MKDIRAT) return FN_NFS_MKDIR;
  if (fn == FN_DO_FILP_OPEN) return FN_NFS_ATOMIC_OPEN;
  if (fn == FN_DO_UNLINKAT) return FN_NFS_UNLINK;
  if (fn == FN_DO_RMDIR) return FN_VFS_RMDIR;
  return FN_NFS_RENAME;
}

/** vfs_mkdir / vfs_unlink / vfs_rename / ->atomic_open: call the filesystem, or fail with
 *  -EPERM when it has no such operation. The call returns to OP_VFS_DONE. */
function call_vfs_op(t: i32, fr: usize, fn: i32, dir: i32, d: i32, target: i32): i32 {
  const op = vfs_op_fn(fn);
  if (op == 0) {
    sfw(fr, F_PC, OP_VFS_DONE);
    stw(t, T_RET, EPERM);
    return STEP_NEXT;
  }
  return callp(t, fr, OP_VFS_DONE, op, dir, d, target, fn);
}

/** Models: lookup_open()'s ->create step on a negative dentry that is no longer in lookup: NFSv3
 *  has nfs_create (FUSE, SMB and overlayfs reuse it: see vfs_op_fn); procfs and /proc/sys have
 *  no ->create, so the open fails with -EACCES. Locking: parent held
 *  exclusive. The call returns to OP_VFS_DONE. */
function call_create(t: i32, fr: usize, dir: i32, d: i32): i32 {
  assert_held_exclusive(t, lock_inode(dir), "lookup_open");
  if (fs_proc_like()) {
    sfw(fr, F_PC, OP_VFS_DONE);
    stw(t, T_RET, EACCES);
    return STEP_NEXT;
  }
  return callp(t, fr, OP_VFS_DONE, FN_NFS_CREATE, dir, d, 0, FN_DO_FILP_OPEN);
}

/** open(O_CREAT) without ->atomic_open: lookup_open() calls ->lookup on an in-lookup dentry. */
@inline function lookup_then_create(is_create: bool, d: i32): bool { return is_create && !atomic_open && d_in_lookup(d); }

/** ->lookup intent for the (first) name of an op. */
function op_lookup_flags(fn: i32): i32 {
  if (fn == FN_DO_MKDIRAT) return LOOKUP_CREATE | LOOKUP_EXCL;
  if (fn == FN_DO_FILP_OPEN) return LOOKUP_CREATE | LOOKUP_OPEN;
  return 0;
}

/** Is the looked-up dentry what the op needs (before the vfs op)? Returns 0 or -errno. */
function op_precheck(fn: i32, dir: i32, d: i32): i32 {
  // open(O_CREAT): both exist and not-exist are fine here; lookup_open's IS_DEADDIR is checked
  // before its lookup (current order) or before ->create (52/53)
  if (fn == FN_DO_FILP_OPEN) return 0;
  // may_create: -EEXIST; may_delete: the victim's checks. Then, in Linux's order, -ENOENT in a
  // directory rmdir has marked S_DEAD (read only when the victim checks pass).
  const victim = fn == FN_DO_MKDIRAT ? (d_is_negative(d) ? 0 : EEXIST)
    : fn == FN_DO_RMDIR ? (d_is_negative(d) ? ENOENT : d_is_dir(d) ? 0 : ENOTDIR)
    : d_is_negative(d) ? ENOENT : 0;   // unlink, rename's source
  if (victim != 0) return victim;
  return IS_DEADDIR(dir_inode(dir)) ? ENOENT : 0;
}

/** __start_dirop re-validation under the exclusive lock: still in lookup, or hashed with the
 *  same parent (renames: both dentries). */
function still_valid(dir: i32, d: i32): bool {
  return d_in_lookup(d) || (!d_unhashed(d) && d_parent(d) == dir);
}

/** The lockdep subclass of an op's exclusive parent lock: inode_lock_nested(dir, I_MUTEX_PARENT)
 *  for mkdir, unlink, rmdir (filename_create, do_unlinkat, do_rmdir; start_dirop in the 2026
 *  trees) and rename (lock_rename with one parent); open(O_CREAT) takes plain inode_lock()
 *  (open_last_lookups, lookup_open, atomic_open): I_MUTEX_NORMAL. */
@inline function parent_subclass(fn: i32): i32 { return fn == FN_DO_FILP_OPEN ? I_MUTEX_NORMAL : I_MUTEX_PARENT; }

/** Models: do_mkdirat(), do_unlinkat(), do_rmdir(), do_renameat2() (one directory) and
 *  do_filp_open() with O_CREAT (open_last_lookups/lookup_open/atomic_open), in the configured
 *  lock order. Locking: a system call: no i_rwsem held on entry; the parent's i_rwsem exclusive
 *  around the vfs op (I_MUTEX_PARENT, or I_MUTEX_NORMAL for open); do_rmdir's vfs_rmdir takes
 *  the victim's i_rwsem exclusive inside it (inode_lock: I_MUTEX_NORMAL). */
export function dirop(t: i32, fr: usize, fn: i32): i32 {
  const path = L(fr, 0), dir = L(fr, 2), d = L(fr, 3), target = L(fr, 4);
  const is_rename = fn == FN_DO_RENAMEAT2;
  const is_create = fn == FN_DO_FILP_OPEN;
  const name = path_last(path);
  switch (pc_of(fr)) {
    case SYS_START:
      assert_holds_no_rwsem(t, fn);
      return callp(t, fr, OP_WALK, FN_LINK_PATH_WALK, path, path_len(path) - 1);
    case OP_WALK: {
      const r = ret_value(t);
      if (r < 0) return ret(t, r);
      setL(fr, 2, r);
      if (!d_is_dir(r)) { setL(fr, 5, ENOTDIR); return goto_(fr, OP_DPUT); }
      if (is_create) return goto_(fr, OP_OPPORTUNISTIC);
      return goto_(fr, proposed() ? OP_P_LOOKUP : OP_C_LOCK);
    }
    case OP_OPPORTUNISTIC: {
      // open(O_CREAT) of an existing, cached file takes no directory lock (v6.12+).
      const hit = d_lookup(dir, name);
      if (hit != 0 && !d_is_negative(hit)) {
        ev(t, fn, OP_OPPORTUNISTIC, dobj(hit), name, 0, AUX_HIT);
        setL(fr, 5, 0);
        return yield_(fr, OP_DPUT);
      }
      ev(t, fn, OP_OPPORTUNISTIC, 0, name, 0, AUX_MISS);
      return yield_(fr, proposed() ? OP_P_LOOKUP : OP_C_LOCK);
    }

    // -- current order --
    case OP_C_LOCK:
      return inode_lock(t, fr, fn, OP_C_LOCK, OP_C_LOOKUP, dir_inode(dir), parent_subclass(fn));
    case OP_C_LOOKUP:
      // lookup_open(): -ENOENT in a dead directory, before any lookup.
      if (is_create && IS_DEADDIR(dir_inode(dir))) { setL(fr, 5, ENOENT); return goto_(fr, OP_C_UNLOCK); }
      // lookup_open() uses d_alloc_parallel() even under the exclusive lock.
      if (is_create) return callp(t, fr, OP_C_GOT, FN_D_ALLOC_PARALLEL, dir, name);
      return callp(t, fr, OP_C_GOT, FN_LOOKUP_ONE_QSTR_EXCL, dir, name, op_lookup_flags(fn));
    case OP_C_GOT: {
      const r = ret_value(t);
      if (r < 0) { setL(fr, 5, r); return goto_(fr, OP_C_UNLOCK); }
      setL(fr, 3, r);
      const bad = op_precheck(fn, dir, r);
      if (bad != 0) { setL(fr, 5, bad); return goto_(fr, OP_C_UNLOCK); }
      if (is_rename) return callp(t, fr, OP_C_GOT2, FN_LOOKUP_ONE_QSTR_EXCL, dir, path_last(L(fr, 1)), LOOKUP_RENAME_TARGET);
      if (is_create && !d_in_lookup(r) && !d_is_negative(r)) { setL(fr, 5, 0); return goto_(fr, OP_C_UNLOCK); }
      // lookup_open without ->atomic_open: ->lookup, d_lookup_done, then ->create if negative
      if (lookup_then_create(is_create, r)) return call_fs_lookup(t, fr, OP_C_LOOKED, dir, r, LOOKUP_CREATE | LOOKUP_OPEN);
      if (is_create && !atomic_open) { setL(fr, 5, 0); return goto_(fr, OP_C_CREATE); }
      return call_vfs_op(t, fr, fn, dir, r, 0);
    }
    case OP_C_LOOKED:
      setL(fr, 5, ret_value(t));
      return lookup_done_step(t, fr, fn, OP_C_CREATE, d);
    case OP_C_CREATE: {
      // Still under the exclusive lock (current order): an error or a positive dentry ends here.
      if (L(fr, 5) < 0 || !d_is_negative(d)) { if (L(fr, 5) >= 0) setL(fr, 5, 0); return goto_(fr, OP_C_UNLOCK); }
      return call_create(t, fr, dir, d);
    }
    case OP_C_GOT2: {
      const r = ret_value(t);
      if (r < 0) { setL(fr, 5, r); return goto_(fr, OP_C_UNLOCK); }
      setL(fr, 4, r);
      return call_vfs_op(t, fr, fn, dir, d, r);
    }
    case OP_VFS_DONE:
      setL(fr, 5, ret_value(t));
      if (proposed()) return goto_(fr, OP_P_UNLOCK);
      // lookup_open ends the episode before the unlock (no-op after ->atomic_open)
      return lookup_done_step(t, fr, fn, OP_C_UNLOCK, d);
    case OP_C_UNLOCK:
      return inode_unlock(t, fr, fn, OP_C_UNLOCK, OP_DPUT, dir_inode(dir));
    case OP_DPUT: {
      if (target != 0) dput(t, target);
      if (d != 0) dput(t, d);
      dput(t, dir);
      ev(t, fn, OP_DPUT, 0, name, L(fr, 5), AUX_NONE);
      return ret_yield(t, L(fr, 5));
    }

    // -- proposed order: look up first, then the exclusive lock --
    case OP_P_LOOKUP:
      if (is_create) return callp(t, fr, OP_P_GOT, FN_D_ALLOC_PARALLEL, dir, name);
      return callp(t, fr, OP_P_GOT, FN_LOOKUP_ONE_QSTR, dir, name, op_lookup_flags(fn));
    case OP_P_GOT: {
      const r = ret_value(t);
      if (r < 0) { setL(fr, 5, r); return goto_(fr, OP_DPUT); }
      setL(fr, 3, r);
      const bad = op_precheck(fn, dir, r);
      if (bad != 0) { setL(fr, 5, bad); return goto_(fr, OP_P_DONE); }
      if (is_create && !d_in_lookup(r) && !d_is_negative(r)) { setL(fr, 5, 0); return goto_(fr, OP_DPUT); }
      if (is_rename) return callp(t, fr, OP_P_GOT2, FN_LOOKUP_ONE_QSTR, dir, path_last(L(fr, 1)), LOOKUP_RENAME_TARGET);
      // 52/53 lookup_open without ->atomic_open: shared lock around ->lookup only
      if (lookup_then_create(is_create, r)) return goto_(fr, OP_P_LO_LOCK);
      return goto_(fr, OP_P_LOCK);
    }
    case OP_P_LO_LOCK:
      return inode_lock_shared(t, fr, fn, OP_P_LO_LOCK, OP_P_LO_CALL, dir_inode(dir));
    case OP_P_LO_CALL:
      return call_fs_lookup(t, fr, OP_P_LO_UNLOCK, dir, d, LOOKUP_CREATE | LOOKUP_OPEN | lookup_shared());
    case OP_P_LO_UNLOCK:
      setL(fr, 5, ret_value(t));
      return inode_unlock_shared(t, fr, fn, OP_P_LO_UNLOCK, OP_P_LO_DONE, dir_inode(dir));
    case OP_P_LO_DONE:
      // d_lookup_done after inode_unlock_shared, before the exclusive lock is asked for
      return lookup_done_step(t, fr, fn, OP_P_LO_AFTER, d);
    case OP_P_LO_AFTER: {
      const r = L(fr, 5);
      if (r == EAGAIN) {   // lock_lookup: the holder failed; look up afresh
        dput(t, d);
        setL(fr, 3, 0);
        ev(t, fn, OP_P_LO_AFTER, dobj(d), name, EAGAIN, AUX_RETRY);
        return yield_(fr, OP_P_LOOKUP);
      }
      if (r < 0) return goto_(fr, OP_DPUT);
      setL(fr, 5, 0);
      if (!d_is_negative(d)) return goto_(fr, OP_DPUT);
      return goto_(fr, OP_P_LOCK);   // negative: the exclusive lock for ->create
    }
    case OP_P_GOT2: {
      const r = ret_value(t);
      if (r < 0) { setL(fr, 5, r); return goto_(fr, OP_P_DONE); }
      setL(fr, 4, r);
      return goto_(fr, OP_P_LOCK);
    }
    case OP_P_LOCK:
      // May wait for the exclusive lock while owning an in-lookup dentry (scenario a').
      return inode_lock(t, fr, fn, OP_P_LOCK, OP_P_CHECK, dir_inode(dir), parent_subclass(fn));
    case OP_P_CHECK: {
      if (is_create && !atomic_open) {
        // 52/53 lookup_open: under the exclusive lock, create only if still negative and the
        // directory not dead (-ENOENT); no re-check of hashing or parent. The episode has
        // ended (d_lookup_done before the lock), so leaving here drops no in-lookup dentry.
        if (!d_is_negative(d)) { setL(fr, 5, 0); return goto_(fr, OP_P_UNLOCK); }
        if (IS_DEADDIR(dir_inode(dir))) { setL(fr, 5, ENOENT); return goto_(fr, OP_P_UNLOCK); }
        return call_create(t, fr, dir, d);
      }
      const ok = still_valid(dir, d) && (target == 0 || still_valid(dir, target));
      if (!ok) {
        ev(t, fn, OP_P_CHECK, dobj(d), name, 0, AUX_RETRY);
        return goto_(fr, OP_P_RETRY_UNLOCK);
      }
      // c6: another task may have instantiated our dentry meanwhile: re-check before the op.
      const bad = op_precheck(fn, dir, d);
      if (bad != 0) { setL(fr, 5, bad); return goto_(fr, OP_P_UNLOCK); }
      if (is_create && !d_is_negative(d)) { setL(fr, 5, 0); return goto_(fr, OP_P_UNLOCK); }
      return call_vfs_op(t, fr, fn, dir, d, target);
    }
    case OP_P_UNLOCK:
      return inode_unlock(t, fr, fn, OP_P_UNLOCK, OP_P_DONE, dir_inode(dir));
    case OP_P_DONE:
      return lookup_done_step(t, fr, fn, OP_P_DONE2, target != 0 ? target : d);
    case OP_P_DONE2:
      return lookup_done_step(t, fr, fn, OP_DPUT, target != 0 ? d : 0);
    case OP_P_RETRY_UNLOCK:
      return inode_unlock(t, fr, fn, OP_P_RETRY_UNLOCK, OP_P_RETRY, dir_inode(dir));
    case OP_P_RETRY: {
      if (target != 0) { d_lookup_done(t, target); dput(t, target); }
      d_lookup_done(t, d);
      dput(t, d);
      setL(fr, 3, 0);
      setL(fr, 4, 0);
      ev(t, fn, OP_P_RETRY, dobj(d), name, 0, AUX_RETRY);
      return yield_(fr, OP_P_LOOKUP);
    }
  }
  model_assert(false, "dirop: bad pc");
  return STEP_NEXT;
}


// ---- vfs_rmdir ----------------------------------------------------------------------------------
// Locals: 0 dir, 1 victim dentry, 2 unused, 3 caller op, 4 result.
const VR_LOCK: i32 = 0, VR_CALL: i32 = 1, VR_DONE: i32 = 2, VR_PUT: i32 = 3, VR_DYING: i32 = 4, VR_WAIT: i32 = 5,
  VR_DYING_UNLOCK: i32 = 6, VR_RELOCK: i32 = 7;
@inline function tree(): bool { return series == SERIES_NEILBROWN_083EFDC; }

export function vfs_rmdir_state(pc: i32): string {
  switch (pc) {
    case VR_LOCK: return "dget, inode_lock(victim)";
    case VR_CALL: return "->rmdir";
    case VR_DONE: return "S_DEAD, inode_unlock(victim)";
    case VR_PUT: return "dput, d_delete";
    case VR_DYING: return "rmdir_lock: S_DYING";
    case VR_WAIT: return "rmdir_lock: d_wait_lookup(in-lookup child, 1)";
    case VR_DYING_UNLOCK: return "rmdir_lock: inode_unlock(victim)";
    case VR_RELOCK: return "rmdir_lock: inode_lock_nested(victim)";
    default: return "";
  }
}

/** Models: fs/namei.c vfs_rmdir() as mainline has it (may_delete and the missing-->rmdir -EPERM
 *  are done by the caller, dirop): dget; lock the victim directory's i_rwsem exclusive
 *  (inode_lock: I_MUTEX_NORMAL); ->rmdir; on success set S_DEAD; unlock; dput; d_delete. Under
 *  kernel.series neilbrown-083efdc the lock is the tree's rmdir_lock(dentry, I_MUTEX_NORMAL)
 *  (neilbrown/linux @ 083efdc62e0e fs/namei.c): lock the victim, set S_DYING, unlock it; then,
 *  without the victim's lock, wait in d_wait_lookup(child, 1) for each child that is in lookup
 *  and on the in-lookup hash (a NEW-PRIVATE dentry, DCACHE_PAR_LOOKUP but on no hash, is "not
 *  interesting" and skipped), rescanning after each wait; then lock the victim again. The
 *  unlock is rmdir_unlock() (clear S_DYING and wake its waiters, unlock).
 *  Locking: parent i_rwsem held exclusive (I_MUTEX_PARENT) on entry and exit; takes and releases
 *  the victim's; under the tree it sleeps in d_wait_lookup holding the parent only.
 *  Divergence from Linux: shrink_dcache_parent(), dont_mount() and detach_mounts() are not
 *  modelled (no mounts; a victim the server accepted has no children on the server, and the
 *  model's dcache keeps no negative children of it that a later op could reach but through
 *  IS_DEADDIR); rmdir_lock's reference on the child it waits for is not taken (nothing uses the
 *  child after the wake but the rescan). */
export function vfs_rmdir(t: i32, fr: usize): i32 {
  const d = L(fr, 1);
  const victim = dir_inode(d);
  switch (pc_of(fr)) {
    case VR_LOCK:
      assert_held_exclusive(t, lock_inode(L(fr, 0)), "vfs_rmdir");
      dget(d);
      return inode_lock(t, fr, FN_VFS_RMDIR, VR_LOCK, tree() ? VR_DYING : VR_CALL, victim, I_MUTEX_NORMAL);
    case VR_DYING:
      // rmdir_lock(): with the victim locked, mark it dying (smp_store_mb); a d_alloc_parallel
      // in it now waits (WAIT_DYING_DIR) instead of adding in-lookup children
      i_set_dying(t, victim);
      ev(t, FN_VFS_RMDIR, VR_DYING, dobj(d), d_name(d), 0, AUX_NONE);
      return yield_(fr, VR_DYING_UNLOCK);
    case VR_DYING_UNLOCK:
      // ... and unlock it for the scan
      return inode_unlock(t, fr, FN_VFS_RMDIR, VR_DYING_UNLOCK, VR_WAIT, victim);
    case VR_WAIT: {
      // ... wait in d_wait_lookup(child, 1) for an in-lookup child on the in-lookup hash, one at
      // a time, rescanning after each
      if (fp_on()) fp_pkey(d_name(d), false);
      let c = 0;
      for (let e = 1, n = gw(G_D_HWM); e <= n && c == 0; e++) {
        const f = dw_raw(e, D_FLAGS);
        if ((f & DCACHE_ALLOCATED) != 0 && (f & DCACHE_IN_LOOKUP_HASH) != 0 && dw_raw(e, D_PARENT) == d) c = e;
      }
      if (c == 0) return goto_(fr, VR_RELOCK);
      lockdep_wait(t, in_lookup_class(1));
      d_wait_lookup_prepare(t, c);
      ev(t, FN_VFS_RMDIR, VR_WAIT, dobj(c), d_name(c), 0, AUX_SLEEP);
      return block(t, fr, VR_WAIT, WAIT_IN_LOOKUP, c);
    }
    case VR_RELOCK:
      return inode_lock(t, fr, FN_VFS_RMDIR, VR_RELOCK, VR_CALL, victim, I_MUTEX_NORMAL);
    case VR_CALL:
      return callp(t, fr, VR_DONE, FN_NFS_RMDIR, L(fr, 0), d, 0, FN_DO_RMDIR);
    case VR_DONE: {
      const r = ret_value(t);
      setL(fr, 4, r);
      if (r == 0) i_set_dead(victim);
      if (tree()) {
        // rmdir_unlock(): clear S_DYING and wake the d_alloc_parallel callers waiting on it
        i_clear_dying(victim);
        sgw(G_WAKE_DIRTY, 1);
        wake_all(WAIT_DYING_DIR, victim, n_tasks);
      }
      return inode_unlock(t, fr, FN_VFS_RMDIR, VR_DONE, VR_PUT, victim);
    }
    case VR_PUT: {
      const r = L(fr, 4);
      assert_held_exclusive(t, lock_inode(L(fr, 0)), "vfs_rmdir");
      dput(t, d);
      if (r == 0) d_delete(d);
      ev(t, FN_VFS_RMDIR, VR_PUT, dobj(d), d_name(d), r, AUX_NONE);
      return ret_yield(t, r);
    }
  }
  model_assert(false, "vfs_rmdir: bad pc");
  return STEP_NEXT;
}
