// Models: fs/readdir.c iterate_dir(): the directory's i_rwsem held SHARED around
// ->iterate_shared, which for NFS and procfs primes the dcache entry by entry. With
// fs.iterate = wrapped, the filesystem only has ->iterate and is called through
// wrap_directory_iterator(): the shared lock is dropped, the lock is taken EXCLUSIVE (not
// atomically: others can get in between, kernel-model.md c3), the directory is iterated, and the
// lock is downgraded back to shared before iterate_dir releases it. overlayfs does this, and its
// lookups under the exclusive lock are kernel-model.md c2 (fs.type = overlayfs always takes this path;
// fs.iterate = wrapped puts another filesystem's primer behind it: no Linux filesystem does that
// today, it is the abstract c2 shape).
// Also getdents64() (fs/readdir.c), the system call that opens the directory and calls
// iterate_dir().
// Sleeps (kernel/signal.ts, docs/model.md "Killable waits and fatal signals"): iterate_dir's
// down_read_killable is TASK_KILLABLE (fs/readdir.c: a fatal signal makes it return -EINTR before
// ->iterate_shared runs); wrap_directory_iterator's inode_lock is a plain down_write,
// TASK_UNINTERRUPTIBLE (fs/readdir.c wrap_directory_iterator: inode_unlock_shared, inode_lock).
// Divergence from Linux: no file position.

import { FS_NFS, FS_FUSE, FS_SMB, FS_PROC_SYS, FS_OVERLAYFS, AUX_RELEASED, AUX_NONE } from "../abi";
import { fs_type, iterate_wrapped as wrapped_knob, path_len } from "../sim/config";
import { STEP_NEXT, L, setL, pc_of, call, callp, goto_, ret, ret_yield, ret_value, yield_ } from "./task";
import { inode_lock_shared_killable, inode_lock, inode_unlock_shared, dir_inode, iobj, i_name, IS_DEADDIR } from "./inode";
import { EINTR, ENOENT, ENOTDIR } from "./errno";
import { up_read, downgrade_write } from "./rwsem";
import { dput, d_name, dobj } from "./dcache";
import { d_is_dir } from "./namei";
import { ev } from "../sim/trace";
import { sfw, stw, F_PC, T_RET } from "../sim/state";
import { model_assert } from "../sim/verdict";
import { assert_not_held, assert_holds_no_rwsem } from "./lockdep_assert";
import {
  FN_ITERATE_DIR, FN_NFS_READDIR, FN_PROC_READDIR, FN_FUSE_READDIR, FN_CIFS_READDIR, FN_PROC_SYS_READDIR, FN_OVL_ITERATE,
  FN_GETDENTS64, FN_LINK_PATH_WALK,
} from "./fns";

/** The directory is read through wrap_directory_iterator: fs.iterate = wrapped (any fs), or
 *  overlayfs, whose ovl_iterate is declared with WRAP_DIR_ITER. */
@inline function iterate_wrapped(): bool { return wrapped_knob || fs_type == FS_OVERLAYFS; }

/** The filesystem's ->iterate_shared (or wrapped ->iterate). */
function fs_readdir_fn(): i32 {
  switch (fs_type) {
    case FS_NFS: return FN_NFS_READDIR;
    case FS_FUSE: return FN_FUSE_READDIR;
    case FS_SMB: return FN_CIFS_READDIR;
    case FS_PROC_SYS: return FN_PROC_SYS_READDIR;
    case FS_OVERLAYFS: return FN_OVL_ITERATE;
    default: return FN_PROC_READDIR;
  }
}

const ID_LOCK: i32 = 0, ID_ITERATE: i32 = 1, ID_UNLOCK: i32 = 2,
  ID_WRAP_UNLOCK: i32 = 3, ID_WRAP_LOCK: i32 = 4, ID_WRAP_DOWNGRADE: i32 = 5, ID_INTR: i32 = 6;

export function iterate_dir_state(pc: i32): string {
  switch (pc) {
    case ID_LOCK: return "down_read_killable";
    case ID_ITERATE: return "->iterate_shared";
    case ID_UNLOCK: return "up_read";
    case ID_WRAP_UNLOCK: return "wrap_directory_iterator: up_read";
    case ID_WRAP_LOCK: return "wrap_directory_iterator: down_write";
    case ID_WRAP_DOWNGRADE: return "wrap_directory_iterator: downgrade_write";
    case ID_INTR: return "down_read_killable: -EINTR";
    default: return "";
  }
}

/** Models: iterate_dir() (and wrap_directory_iterator()). Local 0: the directory dentry.
 *  Locking: the directory's i_rwsem not held on entry; takes and releases it: shared around
 *  ->iterate_shared, exclusive around a wrapped ->iterate (a drop-lock primer releases and
 *  retakes it inside).
 *  Sleeps: down_read_killable (TASK_KILLABLE: -EINTR, nothing held, on a fatal signal);
 *  wrap_directory_iterator's down_write TASK_UNINTERRUPTIBLE. */
export function iterate_dir(t: i32, fr: usize): i32 {
  const dir = L(fr, 0);
  const inode = dir_inode(dir);
  switch (pc_of(fr)) {
    case ID_LOCK:
      assert_not_held(t, inode, "iterate_dir");
      return inode_lock_shared_killable(t, fr, FN_ITERATE_DIR, ID_LOCK, iterate_wrapped() ? ID_WRAP_UNLOCK : ID_ITERATE, ID_INTR, inode);
    case ID_INTR:
      // `res = down_read_killable(...); if (res) goto out;`: nothing held, nothing iterated
      return ret(t, EINTR);
    case ID_WRAP_UNLOCK:
      // iterate_dir: `res = -ENOENT; if (!IS_DEADDIR(inode))` ->iterate_shared (here the wrapper)
      if (IS_DEADDIR(inode)) { setL(fr, 1, ENOENT); return goto_(fr, ID_UNLOCK); }
      return inode_unlock_shared(t, fr, FN_ITERATE_DIR, ID_WRAP_UNLOCK, ID_WRAP_LOCK, inode);
    case ID_WRAP_LOCK:
      return inode_lock(t, fr, FN_ITERATE_DIR, ID_WRAP_LOCK, ID_ITERATE, inode);
    case ID_ITERATE:
      // iterate_dir (shared) and wrap_directory_iterator (after retaking it exclusive) both skip
      // the iterator of a directory rmdir has marked S_DEAD: -ENOENT, lock released as usual.
      if (IS_DEADDIR(inode)) {
        stw(t, T_RET, ENOENT);
        return goto_(fr, iterate_wrapped() ? ID_WRAP_DOWNGRADE : ID_UNLOCK);
      }
      sfw(fr, F_PC, iterate_wrapped() ? ID_WRAP_DOWNGRADE : ID_UNLOCK);
      return call(t, fs_readdir_fn(), dir);
    case ID_WRAP_DOWNGRADE:
      setL(fr, 1, ret_value(t));
      downgrade_write(t, inode);
      ev(t, FN_ITERATE_DIR, ID_WRAP_DOWNGRADE, iobj(inode), i_name(inode), 0, AUX_RELEASED);
      return yield_(fr, ID_UNLOCK);
    case ID_UNLOCK: {
      const r = iterate_wrapped() ? L(fr, 1) : ret_value(t);
      up_read(t, inode);
      ev(t, FN_ITERATE_DIR, ID_UNLOCK, iobj(inode), i_name(inode), r, AUX_RELEASED);
      return ret_yield(t, r);
    }
  }
  model_assert(false, "iterate_dir: bad pc");
  return STEP_NEXT;
}


// ---- getdents64 ---------------------------------------------------------------------------------
// Locals: 0 path, 1 the directory dentry.
const GD_OPEN: i32 = 0, GD_ITERATE: i32 = 1, GD_DONE: i32 = 2;

export function getdents64_state(pc: i32): string {
  switch (pc) {
    case GD_OPEN: return "do_filp_open";
    case GD_ITERATE: return "iterate_dir";
    case GD_DONE: return "fput";
    default: return "";
  }
}

/** Models: getdents64() on a freshly opened directory: open, iterate_dir(), close.
 *  Locking: a system call: no i_rwsem held on entry. */
export function getdents64(t: i32, fr: usize): i32 {
  const path = L(fr, 0);
  switch (pc_of(fr)) {
    case GD_OPEN:
      assert_holds_no_rwsem(t, "getdents64");
      return callp(t, fr, GD_ITERATE, FN_LINK_PATH_WALK, path, path_len(path));
    case GD_ITERATE: {
      const r = ret_value(t);
      if (r < 0) return ret(t, r);
      setL(fr, 1, r);
      if (!d_is_dir(r)) { dput(t, r); return ret_yield(t, ENOTDIR); }
      return callp(t, fr, GD_DONE, FN_ITERATE_DIR, r);
    }
    case GD_DONE: {
      const r = ret_value(t);
      dput(t, L(fr, 1));
      ev(t, FN_GETDENTS64, GD_DONE, dobj(L(fr, 1)), d_name(L(fr, 1)), r, AUX_NONE);
      return ret_yield(t, r);
    }
  }
  model_assert(false, "getdents64: bad pc");
  return STEP_NEXT;
}
