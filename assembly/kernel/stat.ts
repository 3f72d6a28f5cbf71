// Models: fs/stat.c vfs_statx(): the stat() system call on a path, which reports st_ino (the
// inode-number check of c8 compares it with what readdir emitted).
// Locking: none of its own; the walk's lookups take the parents' i_rwsem (namei.ts).

import { AUX_POSITIVE } from "../abi";
import { path_len } from "../sim/config";
import { ev } from "../sim/trace";
import { callp, ret, ret_yield, ret_value, L, pc_of } from "./task";
import { dput, d_inode, d_parent, d_name, dobj } from "./dcache";
import { i_ino } from "./inode";
import { ino_check_stat } from "../check/invariants";
import { assert_holds_no_rwsem } from "./lockdep_assert";
import { FN_VFS_STATX, FN_LINK_PATH_WALK } from "./fns";

// Locals: 0 path.
const SYS_START: i32 = 0;
const ST_GOT: i32 = 1;

export function vfs_statx_state(pc: i32): string {
  switch (pc) {
    case SYS_START: return "filename_lookup";
    case ST_GOT: return "generic_fillattr, dput";
    default: return "";
  }
}

/** Models: vfs_statx(): walk the whole path and report st_ino. Returns st_ino or -errno.
 *  Locking: a system call: no i_rwsem held on entry. */
export function vfs_statx(t: i32, fr: usize): i32 {
  const path = L(fr, 0);
  if (pc_of(fr) == SYS_START) {
    assert_holds_no_rwsem(t, "vfs_statx");
    return callp(t, fr, ST_GOT, FN_LINK_PATH_WALK, path, path_len(path));
  }
  const r = ret_value(t);
  if (r < 0) return ret(t, r);
  const ino = i_ino(d_inode(r));
  ino_check_stat(t, d_parent(r), d_name(r), ino);
  dput(t, r);
  ev(t, FN_VFS_STATX, ST_GOT, dobj(r), d_name(r), ino, AUX_POSITIVE);
  return ret_yield(t, ino);
}
