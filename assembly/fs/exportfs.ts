// Models: fs/exportfs/expfs.c exportfs_decode_fh() as nfsd runs it for a file handle, with its two
// lookups (source read: fs/exportfs/expfs.c in a stored brauner/linux tree):
//  - a directory: fh_to_dentry gives d_obtain_alias(inode), a DCACHE_DISCONNECTED IS_ROOT dentry
//    when the inode has no alias; reconnect_path() -> reconnect_one() then looks the name up in
//    the parent with lookup_one_len_unlocked() (lookup_dcache, else lookup_slow: no caller lock),
//    and the filesystem's ->lookup, through d_splice_alias(), __d_move()s the disconnected alias
//    into the place of the in-lookup dentry it was handed, which ends that episode. NeilBrown's
//    deadlock in testing (generic/467, "waiting in d_alloc_parallel() under reconnect_path",
//    Message-ID 177759308866.1474915.9708613530229799376@noble.neil.brown.name) was this path:
//    Al Viro's wait_var_event variant of "VFS: use wait_var_event for waiting in
//    d_alloc_parallel()" woke the alias instead of the in-lookup target in __d_move, so the
//    waiters of the target slept for good (NeilBrown, 1 May 2026, Message-ID
//    177759843868.1474915.6100875324018019224@noble.neil.brown.name: "the wakeup of the wrong
//    dentry in __d_move() is causing the deadlock in nfsd"; Al Viro, 20260501033715.GB3518998@ZenIV:
//    mainline takes d_wait from the target, as it ought to). The plant d-move-wakes-alias puts
//    that bug back.
//  - a non-directory whose dentry is not connected: the parent (target_dir) is reconnected, its
//    name found with get_name(), and the name looked up with lookup_one_len() under
//    inode_lock(target_dir), the parent held EXCLUSIVE: lookup_dcache, else __lookup_slow's
//    d_alloc_parallel, which waits for another task's in-lookup dentry while holding the parent
//    (the shape of (c2)).
//
// A seed thread's op "decode-fh" of /d/x stands for an nfsd thread decoding a file handle of
// /d/x (nfsd_set_fh_dentry -> exportfs_decode_fh with an acceptability test that needs it
// connected).
//
// Divergence from Linux: the file handle's parent is reached by a path walk (it is connected and
// cached in every fixture; Linux gets it from fh_to_parent or ->get_parent); reconnect_one's
// get_parent (under the child directory's i_rwsem exclusive: a LOOKUPP-style fs call that waits
// for no dentry) and get_name (a readdir of the parent under its shared lock, released before the
// lookup; XFS, the exported filesystem of the report, primes nothing) are not modelled; the
// exported filesystem is the NFS model (its ->lookup is nfs_lookup: an NFS re-export); only one
// level of reconnection (the parent is connected). lookup_one_len under the exclusive lock is
// __lookup_slow without locking of its own in both orders, as for overlayfs's lookup_one (how
// 52/53 treats lookup_one callers that hold the lock was not found).

import { AUX_NONE, AUX_HIT, AUX_MISS, AUX_ENDED, AUX_POSITIVE, OBJ_SERVER } from "../abi";
import { path_len, path_last } from "../sim/config";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, call, goto_, yield_, ret, ret_yield, ret_value } from "../kernel/task";
import { sfw, F_PC, gw, dw_raw, G_D_HWM, D_FLAGS, D_INODE, DCACHE_ALLOCATED, DCACHE_HASHED, DCACHE_DISCONNECTED } from "../sim/state";
import {
  d_lookup, dget, dput, d_in_lookup, d_inode, d_name, d_lookup_done, dobj, d_obtain_alias, d_disconnected, is_root,
  clear_disconnected,
} from "../kernel/dcache";
import { nfs_fhget, i_obj, dir_inode, inode_lock, inode_unlock } from "../kernel/inode";
import { srv_lookup, srv_is_dir } from "./server";
import { FN_LINK_PATH_WALK, FN_EXPORTFS_DECODE_FH, FN_RECONNECT_PATH, FN_LOOKUP_SLOW, FN_D_ALLOC_PARALLEL, FN_NFS_LOOKUP } from "../kernel/fns";
import { fp_on } from "../sim/footprint";
import { ESTALE } from "../kernel/errno";
import { assert_holds_no_rwsem, assert_held_exclusive, lock_inode } from "../kernel/lockdep_assert";
import { fp_dentry } from "../sim/state";


@inline function callp(t: i32, fr: usize, next: i32, fn: i32, a0: i32 = 0, a1: i32 = 0, a2: i32 = 0): i32 {
  sfw(fr, F_PC, next);
  return call(t, fn, a0, a1, a2);
}

/** d_find_any_alias: a hashed or disconnected dentry of `inode` (referenced), or 0. */
function find_alias(inode: i32): i32 {
  for (let e = 1, n = gw(G_D_HWM); e <= n; e++) {
    const f = dw_raw(e, D_FLAGS);
    if ((f & DCACHE_ALLOCATED) == 0 || dw_raw(e, D_INODE) != inode) continue;
    if ((f & (DCACHE_HASHED | DCACHE_DISCONNECTED)) == 0) continue;
    if (fp_on()) fp_dentry(e, false);
    dget(e);
    return e;
  }
  return 0;
}

// ---- exportfs_decode_fh (the op's frame) ----------------------------------------------------------
// Locals: 0 path, 1 unused, 2 parent (target_dir), 3 result dentry, 4 result code, 5 nresult,
// 6 inode.
const DF_WALK: i32 = 0, DF_FH: i32 = 1, DF_RECONNECT: i32 = 2, DF_RC_DONE: i32 = 3, DF_NLOCK: i32 = 4,
  DF_NLOOKUP: i32 = 5, DF_NGOT: i32 = 6, DF_NLOOKED: i32 = 7, DF_NUNLOCK: i32 = 8, DF_NCHECK: i32 = 9, DF_PUT: i32 = 10;

export function exportfs_decode_fh_state(pc: i32): string {
  switch (pc) {
    case DF_WALK: return "fh_to_parent (path walk)";
    case DF_FH: return "fh_to_dentry: d_obtain_alias";
    case DF_RECONNECT: return "reconnect_path";
    case DF_RC_DONE: return "acceptable";
    case DF_NLOCK: return "inode_lock(target_dir)";
    case DF_NLOOKUP: return "lookup_one_len: lookup_dcache";
    case DF_NGOT: return "lookup_one_len: d_in_lookup";
    case DF_NLOOKED: return "lookup_one_len: d_lookup_done";
    case DF_NUNLOCK: return "inode_unlock(target_dir)";
    case DF_NCHECK: return "nresult->d_inode == result->d_inode";
    case DF_PUT: return "dput";
    default: return "";
  }
}

/** Models: exportfs_decode_fh() (see the file comment). Locking: none on entry and exit; the
 *  non-directory path holds target_dir's i_rwsem exclusive around lookup_one_len, and may wait
 *  in d_alloc_parallel while holding it. Returns 0 or -ESTALE. */
export function exportfs_decode_fh(t: i32, fr: usize): i32 {
  const path = L(fr, 0), dir = L(fr, 2), name = path_last(path);
  switch (pc_of(fr)) {
    case DF_WALK:
      assert_holds_no_rwsem(t, "exportfs_decode_fh");
      return callp(t, fr, DF_FH, FN_LINK_PATH_WALK, path, path_len(path) - 1);
    case DF_FH: {
      const r = ret_value(t);
      if (r < 0) return ret(t, r);
      setL(fr, 2, r);
      const o = srv_lookup(i_obj(dir_inode(r)), name);
      if (o == 0) {
        setL(fr, 4, ESTALE);
        ev(t, FN_EXPORTFS_DECODE_FH, DF_FH, 0, name, ESTALE, AUX_MISS);
        return yield_(fr, DF_PUT);
      }
      const inode = nfs_fhget(o, srv_is_dir(o), name);
      setL(fr, 6, inode);
      const alias = find_alias(inode);
      if (alias != 0 && !d_disconnected(alias)) {   // connected already: acceptable
        setL(fr, 3, alias);
        ev(t, FN_EXPORTFS_DECODE_FH, DF_FH, dobj(alias), name, alias, AUX_HIT);
        return yield_(fr, DF_PUT);
      }
      if (srv_is_dir(o)) {
        const d = alias != 0 ? alias : d_obtain_alias(inode, name);
        setL(fr, 3, d);
        ev(t, FN_EXPORTFS_DECODE_FH, DF_FH, dobj(d), name, d, AUX_POSITIVE);
        return yield_(fr, DF_RECONNECT);
      }
      if (alias != 0) dput(t, alias);
      ev(t, FN_EXPORTFS_DECODE_FH, DF_FH, (OBJ_SERVER << 24) | o, name, 0, AUX_MISS);
      return yield_(fr, DF_NLOCK);   // target_dir is connected; exportfs_get_name: not modelled
    }
    case DF_RECONNECT:
      return callp(t, fr, DF_RC_DONE, FN_RECONNECT_PATH, L(fr, 3), dir, name);
    case DF_RC_DONE:
      setL(fr, 4, ret_value(t));
      return goto_(fr, DF_PUT);
    case DF_NLOCK:
      return inode_lock(t, fr, FN_EXPORTFS_DECODE_FH, DF_NLOCK, DF_NLOOKUP, dir_inode(dir));
    case DF_NLOOKUP: {
      assert_held_exclusive(t, lock_inode(dir), "lookup_one_len");
      const hit = d_lookup(dir, name);
      if (hit != 0) {
        dget(hit);
        setL(fr, 5, hit);
        ev(t, FN_EXPORTFS_DECODE_FH, DF_NLOOKUP, dobj(hit), name, hit, AUX_HIT);
        return yield_(fr, DF_NUNLOCK);
      }
      return callp(t, fr, DF_NGOT, FN_D_ALLOC_PARALLEL, dir, name);
    }
    case DF_NGOT: {
      const r = ret_value(t);
      if (r < 0) { setL(fr, 4, r); return goto_(fr, DF_NUNLOCK); }
      setL(fr, 5, r);
      if (!d_in_lookup(r)) return goto_(fr, DF_NUNLOCK);
      return callp(t, fr, DF_NLOOKED, FN_NFS_LOOKUP, dir, r, 0);
    }
    case DF_NLOOKED: {
      const r = ret_value(t), n = L(fr, 5);
      model_assert(r <= 0, "exportfs_decode_fh: ->lookup of a non-directory returned an alias");
      if (r < 0) setL(fr, 4, r);
      if (!d_in_lookup(n)) return goto_(fr, DF_NUNLOCK);
      d_lookup_done(t, n);
      ev(t, FN_EXPORTFS_DECODE_FH, DF_NLOOKED, dobj(n), name, 0, AUX_ENDED);
      return yield_(fr, DF_NUNLOCK);
    }
    case DF_NUNLOCK:
      return inode_unlock(t, fr, FN_EXPORTFS_DECODE_FH, DF_NUNLOCK, DF_NCHECK, dir_inode(dir));
    case DF_NCHECK: {
      const n = L(fr, 5);
      if (L(fr, 4) == 0 && (n <= 0 || d_inode(n) != L(fr, 6))) setL(fr, 4, ESTALE);
      return goto_(fr, DF_PUT);
    }
    case DF_PUT: {
      assert_holds_no_rwsem(t, "exportfs_decode_fh");
      if (L(fr, 5) > 0) dput(t, L(fr, 5));
      if (L(fr, 3) > 0) dput(t, L(fr, 3));
      dput(t, dir);
      ev(t, FN_EXPORTFS_DECODE_FH, DF_PUT, 0, name, L(fr, 4), AUX_NONE);
      return ret_yield(t, L(fr, 4));
    }
  }
  model_assert(false, "exportfs_decode_fh: bad pc");
  return STEP_NEXT;
}

// ---- reconnect_path / reconnect_one ---------------------------------------------------------------
// Locals: 0 dentry (disconnected), 1 parent (connected), 2 name, 3 tmp.
const RP_LOOKUP: i32 = 0, RP_GOT: i32 = 1, RP_CHECK: i32 = 2;

export function reconnect_path_state(pc: i32): string {
  switch (pc) {
    case RP_LOOKUP: return "reconnect_one: lookup_one_len_unlocked";
    case RP_GOT: return "reconnect_one: lookup_slow done";
    case RP_CHECK: return "tmp == dentry, clear_disconnected";
    default: return "";
  }
}

/** Models: reconnect_path() of a directory whose parent is connected: one reconnect_one():
 *  lookup_one_len_unlocked() of its name in the parent (lookup_dcache, else lookup_slow, which
 *  takes the parent's lock itself in either order); the ->lookup splices the disconnected alias
 *  into place (d_splice_alias -> __d_move). Then clear_disconnected(). Locking: none held on
 *  entry or exit. Returns 0 or -ESTALE. */
export function reconnect_path(t: i32, fr: usize): i32 {
  const dentry = L(fr, 0), parent = L(fr, 1), name = L(fr, 2);
  switch (pc_of(fr)) {
    case RP_LOOKUP: {
      assert_holds_no_rwsem(t, "reconnect_path");
      if (!d_disconnected(dentry)) return ret(t, 0);
      const hit = d_lookup(parent, name);   // lookup_dcache
      if (hit != 0) {
        dget(hit);
        setL(fr, 3, hit);
        ev(t, FN_RECONNECT_PATH, RP_LOOKUP, dobj(hit), name, hit, AUX_HIT);
        return yield_(fr, RP_CHECK);
      }
      return callp(t, fr, RP_GOT, FN_LOOKUP_SLOW, parent, name, 0);
    }
    case RP_GOT:
      setL(fr, 3, ret_value(t));
      return goto_(fr, RP_CHECK);
    case RP_CHECK: {
      const tmp = L(fr, 3);
      if (tmp < 0) return ret(t, tmp);
      // tmp != dentry: someone connected it meanwhile (a lookup that spliced the alias, or a
      // rename); either way it is connected now unless it is still IS_ROOT
      dput(t, tmp);
      let r = 0;
      if (is_root(dentry)) r = ESTALE;
      else clear_disconnected(dentry);
      ev(t, FN_RECONNECT_PATH, RP_CHECK, dobj(dentry), d_name(dentry), r, AUX_NONE);
      return ret_yield(t, r);
    }
  }
  model_assert(false, "reconnect_path: bad pc");
  return STEP_NEXT;
}
