// Models: fs/readdir.c iterate_dir(): the directory's i_rwsem held SHARED around
// ->iterate_shared, which for NFS and procfs primes the dcache entry by entry. With
// fs.iterate = wrapped, the filesystem only has ->iterate and is called through
// wrap_directory_iterator(): the shared lock is dropped, the lock is taken EXCLUSIVE (not
// atomically: others can get in between, kernel-model.md c3), the directory is iterated, and the
// lock is downgraded back to shared before iterate_dir releases it. overlayfs does this, and its
// lookups under the exclusive lock are kernel-model.md c2 (fs.type = overlayfs always takes this path;
// fs.iterate = wrapped puts another filesystem's primer behind it: no Linux filesystem does that
// today, it is the abstract c2 shape).
// Divergence from Linux: no file position, no IS_DEADDIR (directories are never removed).

import { FS_NFS, FS_FUSE, FS_SMB, FS_PROC_SYS, FS_OVERLAYFS, AUX_RELEASED } from "../abi";
import { fs_type, iterate_wrapped as wrapped_knob } from "../sim/config";
import { STEP_NEXT, L, setL, pc_of, call, ret_yield, ret_value, yield_ } from "./task";
import { inode_lock_shared, inode_lock, inode_unlock_shared, dir_inode } from "./inode";
import { up_read, downgrade_write } from "./rwsem";
import { ev } from "../sim/trace";
import { iobj, i_name } from "./inode";
import { sfw, F_PC } from "../sim/state";
import { model_assert } from "../sim/verdict";
import {
  FN_ITERATE_DIR, FN_NFS_READDIR, FN_PROC_READDIR, FN_FUSE_READDIR, FN_CIFS_READDIR, FN_PROC_SYS_READDIR, FN_OVL_ITERATE,
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
  ID_WRAP_UNLOCK: i32 = 3, ID_WRAP_LOCK: i32 = 4, ID_WRAP_DOWNGRADE: i32 = 5;

export function iterate_dir_state(pc: i32): string {
  switch (pc) {
    case ID_LOCK: return "down_read_killable";
    case ID_ITERATE: return "->iterate_shared";
    case ID_UNLOCK: return "up_read";
    case ID_WRAP_UNLOCK: return "wrap_directory_iterator: up_read";
    case ID_WRAP_LOCK: return "wrap_directory_iterator: down_write";
    case ID_WRAP_DOWNGRADE: return "wrap_directory_iterator: downgrade_write";
    default: return "";
  }
}

/** Models: iterate_dir() (and wrap_directory_iterator()). Local 0: the directory dentry.
 *  Locking: takes and releases the directory's i_rwsem; shared around ->iterate_shared,
 *  exclusive around a wrapped ->iterate (a drop-lock primer releases and retakes it inside). */
export function iterate_dir(t: i32, fr: usize): i32 {
  const dir = L(fr, 0);
  const inode = dir_inode(dir);
  switch (pc_of(fr)) {
    case ID_LOCK:
      return inode_lock_shared(t, fr, FN_ITERATE_DIR, ID_LOCK, iterate_wrapped() ? ID_WRAP_UNLOCK : ID_ITERATE, inode);
    case ID_WRAP_UNLOCK:
      return inode_unlock_shared(t, fr, FN_ITERATE_DIR, ID_WRAP_UNLOCK, ID_WRAP_LOCK, inode);
    case ID_WRAP_LOCK:
      return inode_lock(t, fr, FN_ITERATE_DIR, ID_WRAP_LOCK, ID_ITERATE, inode);
    case ID_ITERATE:
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

