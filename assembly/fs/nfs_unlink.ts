// Models: fs/nfs/unlink.c — the end of an NFS silly-rename: nfs_complete_unlink() (run by the
// final dput of a silly-renamed file, through nfs_dentry_iput) -> nfs_call_unlink(), which makes
// an in-lookup placeholder for the silly name with d_alloc_parallel() WITHOUT the directory's
// i_rwsem (it holds only NFS_I(dir)->rmdir_sem for read), and starts the UNLINK RPC
// asynchronously (nfs_do_call_unlink); the RPC's rpc_release, nfs_async_unlink_release(), run by
// rpciod, ends the episode (d_lookup_done) and drops the placeholder. The wait queue is in the
// heap (nfs_unlinkdata->wq), so the episode outlives nfs_call_unlink's frame legitimately
// (kernel-model.md 1.5, (c9), S13's allow-list). Source read: fs/nfs/unlink.c (a stored
// brauner/linux tree: nfs_call_unlink, nfs_do_call_unlink, nfs_async_unlink_release,
// nfs_complete_unlink, nfs_sillyrename).
//
// A seed thread's op "silly-unlink" of /d/x stands for that final dput of the silly-renamed /d/x
// and then for rpciod: the RPC and the release are steps of the same task after nfs_call_unlink
// returns. They never wait for an i_rwsem (or anything else), so a task that waits for the
// placeholder always sees it end.
//
// Divergence from Linux: the release runs in the task that created the placeholder (rpciod in
// Linux), so ops after "silly-unlink" in the same thread wait for the RPC, and the owner-only
// check sees the creator end the episode (in Linux another thread does: S15's documented
// exception); rmdir_sem (nfs_rmdir waits for in-flight silly unlinks) is not modelled; the
// silly-rename itself (nfs_sillyrename: lookup_one_len of the .nfsXXXX name under the parent
// lock, then an async RENAME) is not modelled: the op starts from a file already renamed to the
// op's name; the "raced with lookup" branch (a hashed alias: the silly-rename data is moved to
// it) only drops the alias.

import { AUX_NONE, AUX_CREATED, AUX_ENDED, OBJ_SERVER } from "../abi";
import { path_len, path_last } from "../sim/config";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, call, goto_, yield_, ret, ret_yield, ret_value } from "../kernel/task";
import { sfw, sdw, F_PC, D_WQ_FRAME } from "../sim/state";
import { dput, d_in_lookup, d_name, d_lookup_done, dobj } from "../kernel/dcache";
import { i_obj, dir_inode } from "../kernel/inode";
import { srv_lookup, srv_remove } from "./server";
import { assert_holds_no_rwsem } from "../kernel/lockdep_assert";
import { FN_LINK_PATH_WALK, FN_NFS_CALL_UNLINK, FN_NFS_ASYNC_UNLINK_RELEASE, FN_NFS_COMPLETE_UNLINK, FN_D_ALLOC_PARALLEL } from "../kernel/fns";

@inline function callp(t: i32, fr: usize, next: i32, fn: i32, a0: i32 = 0, a1: i32 = 0): i32 {
  sfw(fr, F_PC, next);
  return call(t, fn, a0, a1);
}

// ---- nfs_complete_unlink (the op's frame) ------------------------------------------------------
// Locals: 0 path, 1 unused, 2 parent dentry, 3 placeholder handed to the RPC (0: none).
const NCU_WALK: i32 = 0, NCU_CALL: i32 = 1, NCU_ASYNC: i32 = 2, NCU_DONE: i32 = 3;

export function nfs_complete_unlink_state(pc: i32): string {
  switch (pc) {
    case NCU_WALK: return "dentry_iput (parent)";
    case NCU_CALL: return "nfs_call_unlink";
    case NCU_ASYNC: return "rpciod: the UNLINK RPC";
    case NCU_DONE: return "done";
    default: return "";
  }
}

/** Models: nfs_complete_unlink() from the final dput of the silly-renamed dentry, then (as
 *  rpciod) the async RPC's completion. Locking: none held; never waits for an i_rwsem. */
export function nfs_complete_unlink(t: i32, fr: usize): i32 {
  const path = L(fr, 0);
  switch (pc_of(fr)) {
    case NCU_WALK:
      // the silly-renamed dentry's parent: reached by a walk in the model (it is pinned in Linux)
      return callp(t, fr, NCU_CALL, FN_LINK_PATH_WALK, path, path_len(path) - 1);
    case NCU_CALL: {
      const r = ret_value(t);
      if (r < 0) return ret(t, r);
      setL(fr, 2, r);
      return callp(t, fr, NCU_ASYNC, FN_NFS_CALL_UNLINK, r, path_last(path));
    }
    case NCU_ASYNC: {
      const alias = ret_value(t);
      if (alias <= 0) return goto_(fr, NCU_DONE);
      return callp(t, fr, NCU_DONE, FN_NFS_ASYNC_UNLINK_RELEASE, L(fr, 2), alias);
    }
    case NCU_DONE:
      dput(t, L(fr, 2));
      ev(t, FN_NFS_COMPLETE_UNLINK, NCU_DONE, 0, path_last(path), 0, AUX_NONE);
      return ret_yield(t, 0);
  }
  model_assert(false, "nfs_complete_unlink: bad pc");
  return STEP_NEXT;
}

// ---- nfs_call_unlink ------------------------------------------------------------------------------
// Locals: 0 dir, 1 name.
const NCL_ALLOC: i32 = 0, NCL_GOT: i32 = 1;

export function nfs_call_unlink_state(pc: i32): string {
  switch (pc) {
    case NCL_ALLOC: return "d_alloc_parallel (no i_rwsem)";
    case NCL_GOT: return "d_in_lookup";
    default: return "";
  }
}

/** Models: nfs_call_unlink(). Locking: no i_rwsem (rmdir_sem for read, not modelled); sleeps
 *  only in d_alloc_parallel. Returns the in-lookup placeholder it owns, handed to the async RPC
 *  (nfs_do_call_unlink), or 0. */
export function nfs_call_unlink(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), name = L(fr, 1);
  switch (pc_of(fr)) {
    case NCL_ALLOC:
      assert_holds_no_rwsem(t, "nfs_call_unlink");
      return callp(t, fr, NCL_GOT, FN_D_ALLOC_PARALLEL, dir, name);
    case NCL_GOT: {
      const alias = ret_value(t);
      if (alias < 0) return ret(t, 0);
      if (!d_in_lookup(alias)) {
        // "Hey, we raced with lookup...": the sillyrename data moves to the alias; drop it
        dput(t, alias);
        ev(t, FN_NFS_CALL_UNLINK, NCL_GOT, dobj(alias), name, 0, AUX_NONE);
        return ret_yield(t, 0);
      }
      // the queue is data->wq (heap): the episode is not tied to this frame
      sdw(alias, D_WQ_FRAME, 0);
      return ret(t, alias);
    }
  }
  model_assert(false, "nfs_call_unlink: bad pc");
  return STEP_NEXT;
}

// ---- nfs_async_unlink_release -----------------------------------------------------------------------
// Locals: 0 dir, 1 placeholder.
const NAR_RPC: i32 = 0, NAR_RELEASE: i32 = 1;

export function nfs_async_unlink_release_state(pc: i32): string {
  switch (pc) {
    case NAR_RPC: return "UNLINK (async RPC)";
    case NAR_RELEASE: return "d_lookup_done, dput";
    default: return "";
  }
}

/** Models: the async UNLINK RPC (nfs_async_unlink_done) and its rpc_release,
 *  nfs_async_unlink_release(): up_read_non_owner(rmdir_sem), d_lookup_done, dput. Run by rpciod
 *  in Linux. Locking: none; never sleeps on a lock. */
export function nfs_async_unlink_release(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), d = L(fr, 1);
  switch (pc_of(fr)) {
    case NAR_RPC: {
      assert_holds_no_rwsem(t, "nfs_async_unlink_release");
      const o = srv_lookup(i_obj(dir_inode(dir)), d_name(d));
      if (o != 0) srv_remove(o);
      ev(t, FN_NFS_ASYNC_UNLINK_RELEASE, NAR_RPC, o != 0 ? (OBJ_SERVER << 24) | o : 0, d_name(d), 0, AUX_CREATED);
      return yield_(fr, NAR_RELEASE);
    }
    case NAR_RELEASE:
      d_lookup_done(t, d);
      dput(t, d);
      ev(t, FN_NFS_ASYNC_UNLINK_RELEASE, NAR_RELEASE, dobj(d), d_name(d), 0, AUX_ENDED);
      return ret_yield(t, 0);
  }
  model_assert(false, "nfs_async_unlink_release: bad pc");
  return STEP_NEXT;
}
