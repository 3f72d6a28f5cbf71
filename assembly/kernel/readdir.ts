// Models: fs/readdir.c iterate_dir(): the directory's i_rwsem held SHARED around
// ->iterate_shared, which for NFS and procfs primes the dcache entry by entry.
// Divergence from Linux: no file position, no IS_DEADDIR (directories are never removed), no
// wrap_directory_iterator upgrade (kernel-model.md c3 is not modelled).

import { FS_NFS, AUX_NONE } from "../abi";
import { fs_type } from "../sim/config";
import { STEP_NEXT, L, pc_of, call, ret_yield, ret_value } from "./task";
import { inode_lock_shared, dir_inode } from "./inode";
import { up_read } from "./rwsem";
import { ev } from "../sim/trace";
import { iobj, i_name } from "./inode";
import { sfw, F_PC } from "../sim/state";
import { model_assert } from "../sim/verdict";
import { FN_ITERATE_DIR, FN_NFS_READDIR, FN_PROC_READDIR } from "./fns";

const ID_LOCK: i32 = 0, ID_ITERATE: i32 = 1, ID_UNLOCK: i32 = 2;

export function iterate_dir_state(pc: i32): string {
  switch (pc) {
    case ID_LOCK: return "down_read_killable";
    case ID_ITERATE: return "->iterate_shared";
    case ID_UNLOCK: return "up_read";
    default: return "";
  }
}

/** Models: iterate_dir(). Local 0: the directory dentry. Locking: takes and releases the
 *  directory's i_rwsem shared (a drop-lock primer releases and retakes it inside). */
export function iterate_dir(t: i32, fr: usize): i32 {
  const dir = L(fr, 0);
  switch (pc_of(fr)) {
    case ID_LOCK:
      return inode_lock_shared(t, fr, FN_ITERATE_DIR, ID_LOCK, ID_ITERATE, dir_inode(dir));
    case ID_ITERATE:
      sfw(fr, F_PC, ID_UNLOCK);
      return call(t, fs_type == FS_NFS ? FN_NFS_READDIR : FN_PROC_READDIR, dir);
    case ID_UNLOCK: {
      const r = ret_value(t);
      const inode = dir_inode(dir);
      up_read(t, inode);
      ev(t, FN_ITERATE_DIR, ID_UNLOCK, iobj(inode), i_name(inode), r, AUX_NONE);
      return ret_yield(t, r);
    }
  }
  model_assert(false, "iterate_dir: bad pc");
  return STEP_NEXT;
}
