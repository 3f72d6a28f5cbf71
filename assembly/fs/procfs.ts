// Models: fs/proc/base.c — proc_pid_readdir()/proc_fill_cache() and the ->lookup of a proc
// directory (proc_pid_lookup / proc_lookup_de). procfs must instantiate in readdir: a proc inode
// number exists only once the inode is built (get_next_ino), so d_ino == st_ino needs the same
// dentry that stat() will find (kernel-model.md 4.2, c8).
//
// Divergence from Linux: the entries of a proc directory are fixed for a run (no task exits),
// instantiate is proc_pid_make_inode() + d_splice_alias() for every entry, and the fallback
// emission of an entry that could not be primed uses ino 1 / DT_UNKNOWN.

import { AUX_HIT, AUX_MISS, AUX_NONE, AUX_INSTANTIATED, AUX_POSITIVE, AUX_NEGATIVE, AUX_ENDED, AUX_STOPPED, OBJ_SERVER } from "../abi";
import { lookup_locks } from "../sim/config";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, goto_, yield_, ret, ret_yield, ret_value, callp } from "../kernel/task";
import { assert_held, lock_inode } from "../kernel/lockdep_assert";
import {
  d_lookup, dget, dput, d_in_lookup, d_is_negative, d_inode, d_name, d_splice_alias, d_lookup_done,
  d_owner, lookup_begin, lookup_end, dobj,
} from "../kernel/dcache";
import { ENOENT, EWOULDBLOCK } from "../kernel/errno";
import { proc_make_inode, i_obj, i_ino, dir_inode } from "../kernel/inode";
import { srv_lookup, srv_children_mask, srv_name, srv_is_dir } from "./server";
import {
  prime_alloc_fn, prime_drops_lock, drop_lock_step, drop_lock_result, DROP_LOCK_UNLOCK, DROP_LOCK_ALLOC, DROP_LOCK_RELOCK, DROP_LOCK_RELOCKED,
} from "./prime";
import { ino_check_emit } from "../check/invariants";
import {
  FN_PROC_FILL_CACHE, FN_PROC_SYS_FILL_CACHE, FN_PROC_LOOKUP, FN_LOCK_LOOKUP, FN_D_ALLOC_PARALLEL,
} from "../kernel/fns";

/** fill_cache()'s return when proc_sys_fill_cache() returned false. */
export const FILL_STOP: i32 = 1;

/** The d_ino proc_fill_cache emits when it could not prime the entry. */
export const FALLBACK_INO: i32 = 1;

@inline function sobj(o: i32): i32 { return (OBJ_SERVER << 24) | o; }


// ---- proc_readdir -----------------------------------------------------------------------------
// Locals: 0 dir, 1 listing (object mask), 2 next object id.
export function proc_readdir_state(pc: i32): string { return pc == 0 ? "proc_pid_readdir" : pc == 1 ? "next entry" : ""; }

/** Models: proc_pid_readdir() / proc_readdir_de(): every entry through proc_fill_cache().
 *  Locking: directory i_rwsem held (shared by iterate_dir; exclusive under wrap_directory_iterator, fs.iterate = wrapped). */
export function proc_readdir(t: i32, fr: usize): i32 {
  const dir = L(fr, 0);
  if (pc_of(fr) == 0) {
    assert_held(t, lock_inode(dir), "proc_readdir");
    setL(fr, 1, <i32>srv_children_mask(i_obj(dir_inode(dir))));
    setL(fr, 2, 1);
    return goto_(fr, 1);
  }
  const mask = <u32>L(fr, 1);
  let o = L(fr, 2);
  while (o < 32 && (mask & ((<u32>1) << o)) == 0) o++;
  if (o >= 32) return ret(t, 0);
  setL(fr, 2, o + 1);
  return callp(t, fr, 1, FN_PROC_FILL_CACHE, dir, o);
}

// ---- proc_fill_cache --------------------------------------------------------------------------
// Locals: 0 dir, 1 entry object, 2 name, 3 dentry, 4 inode, 5 drop-lock result, 6 drop-lock:
// the lock was held exclusive.
const PF_LOOKUP: i32 = 0, PF_ALLOC: i32 = 1, PF_GOT: i32 = 2, PF_MAKE_INODE: i32 = 3, PF_SPLICE: i32 = 4,
  PF_DONE: i32 = 5, PF_EMIT: i32 = 6, PF_FALLBACK: i32 = 7, PF_DROP: i32 = DROP_LOCK_UNLOCK, PF_DROP_ALLOC: i32 = DROP_LOCK_ALLOC,
  PF_RELOCK: i32 = DROP_LOCK_RELOCK, PF_RELOCKED: i32 = DROP_LOCK_RELOCKED;

export function proc_fill_cache_state(pc: i32): string {
  switch (pc) {
    case PF_LOOKUP: return "try_lookup_noperm";
    case PF_ALLOC: return "d_alloc";
    case PF_GOT: return "d_in_lookup";
    case PF_MAKE_INODE: return "instantiate: proc_pid_make_inode";
    case PF_SPLICE: return "instantiate: d_splice_alias";
    case PF_DONE: return "d_lookup_done";
    case PF_EMIT: return "dir_emit";
    case PF_FALLBACK: return "dir_emit (fallback ino)";
    case PF_DROP: return "inode_unlock (drop-lock)";
    case PF_DROP_ALLOC: return "d_alloc_parallel (unlocked)";
    case PF_RELOCK: return "inode_lock (retake)";
    case PF_RELOCKED: return "d_in_lookup";
    default: return "";
  }
}

/** Models: proc_fill_cache(). Locking: directory i_rwsem held on entry and exit, as the readdir
 *  holds it (drop-lock releases it around d_alloc_parallel). The on-stack wait queue lives in
 *  this frame. */
export function proc_fill_cache(t: i32, fr: usize): i32 { return fill_cache(t, fr, FN_PROC_FILL_CACHE); }

/** proc_fill_cache() and proc_sys_fill_cache() (proc_sys.ts): the same steps; `fn` names which,
 *  and decides what a failed allocation does (proc_sys_fill_cache returns false: the readdir
 *  stops there; proc_fill_cache emits the fallback ino). */
export function fill_cache(t: i32, fr: usize, fn: i32): i32 {
  const dir = L(fr, 0), obj = L(fr, 1), d = L(fr, 3);
  const name = srv_name(obj);
  switch (pc_of(fr)) {
    case PF_LOOKUP: {
      assert_held(t, lock_inode(dir), fn);
      setL(fr, 2, name);
      const hit = d_lookup(dir, name);
      if (hit != 0) {
        dget(hit);
        setL(fr, 3, hit);
        ev(t, fn, PF_LOOKUP, dobj(hit), name, hit, AUX_HIT);
        return yield_(fr, PF_EMIT);
      }
      ev(t, fn, PF_LOOKUP, sobj(obj), name, 0, AUX_MISS);
      return yield_(fr, PF_ALLOC);
    }
    case PF_ALLOC:
      return callp(t, fr, PF_GOT, prime_alloc_fn(), dir, name);
    case PF_GOT:
      return fill_got(t, fr, fn, ret_value(t));
    case PF_MAKE_INODE: {
      lookup_begin(t, d);
      const inode = proc_make_inode(obj, srv_is_dir(obj), name);
      setL(fr, 4, inode);
      ev(t, fn, PF_MAKE_INODE, dobj(d), name, i_ino(inode), AUX_NONE);
      return yield_(fr, PF_SPLICE);
    }
    case PF_SPLICE:
      d_splice_alias(t, L(fr, 4), d);
      lookup_end(d);
      ev(t, fn, PF_SPLICE, dobj(d), name, 0, AUX_INSTANTIATED);
      return yield_(fr, PF_DONE);
    case PF_DONE:
      if (!d_in_lookup(d)) return goto_(fr, PF_EMIT);
      d_lookup_done(t, d);
      ev(t, fn, PF_DONE, dobj(d), name, 0, AUX_ENDED);
      return yield_(fr, PF_EMIT);
    case PF_EMIT: {
      const ino = d_is_negative(d) ? FALLBACK_INO : i_ino(d_inode(d));
      dput(t, d);
      ino_check_emit(t, dir, name, ino, FALLBACK_INO);
      ev(t, fn, PF_EMIT, dobj(d), name, ino, AUX_NONE);
      assert_held(t, lock_inode(dir), fn);
      return ret_yield(t, 0);
    }
    case PF_FALLBACK:
      ino_check_emit(t, dir, name, FALLBACK_INO, FALLBACK_INO);
      ev(t, fn, PF_FALLBACK, sobj(obj), name, FALLBACK_INO, AUX_NONE);
      assert_held(t, lock_inode(dir), fn);
      return ret_yield(t, 0);
    case PF_DROP:
    case PF_DROP_ALLOC:
    case PF_RELOCK:
      return drop_lock_step(t, fr, fn, pc_of(fr));
    case PF_RELOCKED:
      return fill_got(t, fr, fn, drop_lock_result(fr));
  }
  model_assert(false, "proc_fill_cache: bad pc");
  return STEP_NEXT;
}

function fill_got(t: i32, fr: usize, fn: i32, r: i32): i32 {
  if (r == EWOULDBLOCK && prime_drops_lock()) return goto_(fr, PF_DROP);
  if (r < 0 && fn == FN_PROC_SYS_FILL_CACHE) {
    ev(t, fn, PF_GOT, 0, L(fr, 2), r, AUX_STOPPED);   // return false: proc_sys_readdir stops here
    assert_held(t, lock_inode(L(fr, 0)), fn);
    return ret(t, FILL_STOP);
  }
  if (r < 0) return goto_(fr, PF_FALLBACK);
  setL(fr, 3, r);
  return goto_(fr, d_in_lookup(r) ? PF_MAKE_INODE : PF_EMIT);
}

// ---- proc ->lookup ------------------------------------------------------------------------------
// Locals: 0 dir, 1 dentry, 2 flags, 3 entry object.
const PL_LOCK_LOOKUP: i32 = 0, PL_LOCKED: i32 = 1, PL_FIND: i32 = 2, PL_INSTANTIATE: i32 = 3;

export function proc_lookup_state(pc: i32): string {
  switch (pc) {
    case PL_LOCK_LOOKUP: return "lock_lookup";
    case PL_LOCKED: return "lock_lookup done";
    case PL_FIND: return "find entry: proc_pid_make_inode";
    case PL_INSTANTIATE: return "d_splice_alias";
    default: return "";
  }
}

/** Models: proc_pid_lookup()/proc_lookup_de() as ->lookup. Locking: parent i_rwsem held.
 *  Returns 0 (instantiated, or NULL from lock_lookup) or -ENOENT/-EAGAIN; a missing name is
 *  not instantiated, so waiters retry (kernel-model.md 2.4). */
export function proc_lookup(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), d = L(fr, 1);
  switch (pc_of(fr)) {
    case PL_LOCK_LOOKUP:
      assert_held(t, lock_inode(dir), "proc_lookup");
      if (lookup_locks && d_owner(d) >= 0) return callp(t, fr, PL_LOCKED, FN_LOCK_LOOKUP, d); // not a plain d_alloc
      return goto_(fr, PL_FIND);
    case PL_LOCKED: {
      const r = ret_value(t);
      if (r != d) return ret(t, r);
      return goto_(fr, PL_FIND);
    }
    case PL_FIND: {
      const o = srv_lookup(i_obj(dir_inode(dir)), d_name(d));
      if (o == 0) {
        ev(t, FN_PROC_LOOKUP, PL_FIND, dobj(d), d_name(d), ENOENT, AUX_NEGATIVE);
        return ret_yield(t, ENOENT);
      }
      lookup_begin(t, d);
      const inode = proc_make_inode(o, srv_is_dir(o), d_name(d));
      setL(fr, 3, inode);
      ev(t, FN_PROC_LOOKUP, PL_FIND, dobj(d), d_name(d), i_ino(inode), AUX_POSITIVE);
      return yield_(fr, PL_INSTANTIATE);
    }
    case PL_INSTANTIATE:
      d_splice_alias(t, L(fr, 3), d);
      lookup_end(d);
      ev(t, FN_PROC_LOOKUP, PL_INSTANTIATE, dobj(d), d_name(d), 0, AUX_INSTANTIATED);
      return ret_yield(t, 0);
  }
  model_assert(false, "proc_lookup: bad pc");
  return STEP_NEXT;
}
