// Models: fs/afs/dir_silly.c afs_silly_iput() — AFS removes a silly-renamed file when its inode
// is put: under dvnode->rmdir_lock (read) and WITHOUT the directory's i_rwsem it makes an
// in-lookup placeholder for the name with d_alloc_parallel() (its wait queue on this frame's
// stack, generation 1), runs the silly unlink synchronously (afs_do_silly_unlink), drops
// rmdir_lock, and ends the episode itself (d_lookup_done, dput) (kernel-model.md 1.5 [corrected],
// (c9)). Source read: afs_silly_iput in stored fs/afs/dir_silly.c copies and in the hunks of
// NeilBrown's global wait-queue patch (its DECLARE_WAIT_QUEUE_HEAD_ONSTACK removed).
//
// A seed thread's op "silly-iput" of /d/x stands for the final iput of the silly-renamed /d/x.
// The AFS filesystem is not modelled otherwise: the directory is the NFS model's server directory
// (fs.type nfs), the unlink is one server step.
//
// Divergence from Linux: dvnode->rmdir_lock (afs_rmdir waits for it) is not modelled; the
// "raced with lookup" branch only drops the alias (the silly-rename flag moves to it in Linux);
// the silly-rename that made the name (afs_sillyrename) is not modelled.

import { AUX_NONE, AUX_CREATED, AUX_ENDED, OBJ_SERVER } from "../abi";
import { path_len, path_last } from "../sim/config";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, call, goto_, yield_, ret, ret_yield, ret_value } from "../kernel/task";
import { sfw, F_PC } from "../sim/state";
import { dput, d_in_lookup, d_name, d_lookup_done, dobj } from "../kernel/dcache";
import { i_obj, dir_inode } from "../kernel/inode";
import { srv_lookup, srv_remove } from "./server";
import { assert_holds_no_rwsem } from "../kernel/lockdep_assert";
import { FN_LINK_PATH_WALK, FN_AFS_SILLY_IPUT, FN_D_ALLOC_PARALLEL } from "../kernel/fns";

// Locals: 0 path, 1 unused, 2 parent dentry, 3 placeholder.
const ASI_WALK: i32 = 0, ASI_ALLOC: i32 = 1, ASI_GOT: i32 = 2, ASI_UNLINK: i32 = 3, ASI_DONE: i32 = 4, ASI_RET: i32 = 5;

export function afs_silly_iput_state(pc: i32): string {
  switch (pc) {
    case ASI_WALK: return "d_inode(dentry->d_parent)";
    case ASI_ALLOC: return "d_alloc_parallel (no i_rwsem)";
    case ASI_GOT: return "d_in_lookup";
    case ASI_UNLINK: return "afs_do_silly_unlink";
    case ASI_DONE: return "d_lookup_done, dput";
    case ASI_RET: return "dput parent";
    default: return "";
  }
}

/** Models: afs_silly_iput(). Locking: no i_rwsem (rmdir_lock for read, not modelled); sleeps only
 *  in d_alloc_parallel; the episode ends in this frame, which holds its wait queue. */
export function afs_silly_iput(t: i32, fr: usize): i32 {
  const path = L(fr, 0), dir = L(fr, 2), d = L(fr, 3);
  const name = path_last(path);
  switch (pc_of(fr)) {
    case ASI_WALK:
      sfw(fr, F_PC, ASI_ALLOC);
      return call(t, FN_LINK_PATH_WALK, path, path_len(path) - 1);
    case ASI_ALLOC: {
      const r = ret_value(t);
      if (r < 0) return ret(t, r);
      setL(fr, 2, r);
      assert_holds_no_rwsem(t, "afs_silly_iput");
      sfw(fr, F_PC, ASI_GOT);
      return call(t, FN_D_ALLOC_PARALLEL, r, name);
    }
    case ASI_GOT: {
      const alias = ret_value(t);
      if (alias < 0) return goto_(fr, ASI_RET);
      if (!d_in_lookup(alias)) {   // "We raced with lookup..."
        dput(t, alias);
        ev(t, FN_AFS_SILLY_IPUT, ASI_GOT, dobj(alias), name, 0, AUX_NONE);
        return yield_(fr, ASI_RET);
      }
      setL(fr, 3, alias);
      return goto_(fr, ASI_UNLINK);
    }
    case ASI_UNLINK: {
      const o = srv_lookup(i_obj(dir_inode(dir)), name);
      if (o != 0) srv_remove(o);
      ev(t, FN_AFS_SILLY_IPUT, ASI_UNLINK, o != 0 ? (OBJ_SERVER << 24) | o : 0, name, 0, AUX_CREATED);
      return yield_(fr, ASI_DONE);
    }
    case ASI_DONE:
      d_lookup_done(t, d);
      dput(t, d);
      setL(fr, 3, 0);
      ev(t, FN_AFS_SILLY_IPUT, ASI_DONE, dobj(d), name, 0, AUX_ENDED);
      return yield_(fr, ASI_RET);
    case ASI_RET:
      dput(t, dir);
      ev(t, FN_AFS_SILLY_IPUT, ASI_RET, 0, name, 0, AUX_NONE);
      return ret_yield(t, 0);
  }
  model_assert(false, "afs_silly_iput: bad pc");
  return STEP_NEXT;
}
