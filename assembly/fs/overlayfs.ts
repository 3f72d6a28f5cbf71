// Models: fs/overlayfs — readdir of a merged directory (ovl_iterate, declared through
// WRAP_DIR_ITER, so iterate_dir calls it with the directory's i_rwsem held EXCLUSIVE, readdir.ts)
// and the lookup ovl_cache_update() makes of every entry to compute its d_ino (and to see
// xwhiteouts): lookup_one() on the overlay directory itself, i.e. lookup_dcache() and, on a miss,
// __lookup_slow() under the caller's lock: d_alloc_parallel() (which waits for an in-lookup entry
// of another task while the directory is held exclusive: kernel-model.md c2), ->lookup =
// ovl_lookup() (the upper and lower layer lookups) and d_lookup_done(). Also ovl_lookup() as
// the ->lookup of stat and the directory operations. A directory that is not merged is read by
// ovl_iterate_real, which reaches the same ovl_cache_update lookups (ovl_dir_read_impure) under
// the same exclusive lock: these steps stand for both.
//
// fs.prime selects the call ovl_cache_update makes:
//   d_alloc_parallel  today's lookup_one() -> __lookup_slow() (fs/overlayfs/readdir.c, 6.x)
//   d_alloc_trylock   the 2026 series, "[PATCH v3 09/19] ovl: stop using lookup_one() in
//                     iterate_shared() handling" (Message-ID 20260427040517.828226-10-neilb@ownmail.net):
//                     d_alloc_trylock; on -EWOULDBLOCK, d_alloc_name() a private unhashed
//                     dentry and ovl_lookup() into it (10/19's d_alloc_trylock_return then also
//                     marks the in-lookup dentry OVL_E_RACED_READDIR; no locking effect)
//
// Divergence from Linux: every entry is looked up (Linux only when d_ino needs recalculating:
// same-dev/xino layers, impure or merged directories, or a possible xwhiteout); the layers are
// not modelled as directories of their own: ovl_dir_read_merged's iterate_dir of each real
// directory and ovl_lookup_layers' lookups in the upper and lower directories are single steps
// reading the modelled directory's entries (no task ever holds a real directory's lock, so those
// locks can never close a cycle in the modelled scenarios: nothing else takes them); no
// whiteouts, opaque directories or copy-up; the readdir cache (ovl_dir_cache) is rebuilt by
// every getdents; the directory operations (ovl_mkdir, ovl_create, ovl_unlink, ovl_rename) are
// the NFS model's server operations (nfs.ts nfs_dirop), so traces name them nfs_mkdir etc.

import { AUX_HIT, AUX_MISS, AUX_NONE, AUX_INSTANTIATED, AUX_POSITIVE, AUX_NEGATIVE, AUX_ENDED, AUX_PRIVATE, OBJ_SERVER } from "../abi";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, goto_, yield_, ret, ret_yield, ret_value, callp } from "../kernel/task";
import { assert_held, assert_held_exclusive, lock_inode } from "../kernel/lockdep_assert";
import {
  d_lookup, dput, d_in_lookup, d_name, d_splice_alias, __d_add, d_lookup_done, lookup_begin,
  lookup_end, dobj,
} from "../kernel/dcache";
import { EWOULDBLOCK } from "../kernel/errno";
import { nfs_fhget, i_obj, dir_inode } from "../kernel/inode";
import { srv_lookup, srv_children_mask, srv_name, srv_is_dir } from "./server";
import { prime_alloc_fn } from "./prime";
import { FN_OVL_ITERATE, FN_OVL_LOOKUP } from "../kernel/fns";

@inline function sobj(o: i32): i32 { return (OBJ_SERVER << 24) | o; }


// ---- ovl_iterate --------------------------------------------------------------------------------
// Locals: 0 dir, 1 listing (object mask), 2 next object id, 3 name, 4 dentry.
const OI_READ: i32 = 0, OI_NEXT: i32 = 1, OI_ALLOC: i32 = 2, OI_GOT: i32 = 3, OI_LOOKUP: i32 = 4,
  OI_DONE: i32 = 5, OI_DPUT: i32 = 6, OI_PRIVATE: i32 = 7;

export function ovl_iterate_state(pc: i32): string {
  switch (pc) {
    case OI_READ: return "ovl_dir_read_merged";
    case OI_NEXT: return "ovl_cache_update: lookup_dcache";
    case OI_ALLOC: return "ovl_cache_update: d_alloc_parallel";
    case OI_GOT: return "d_in_lookup";
    case OI_LOOKUP: return "__lookup_slow: ->lookup";
    case OI_DONE: return "d_lookup_done";
    case OI_DPUT: return "dput";
    case OI_PRIVATE: return "d_alloc_name + ovl_lookup (private dentry)";
    default: return "";
  }
}

/** Models: ovl_iterate() of a merged directory: ovl_dir_read_merged() (one step), then
 *  ovl_cache_update() of each entry. Locking: directory i_rwsem held EXCLUSIVE on entry and exit
 *  (WRAP_DIR_ITER); the lookups run under it. The on-stack wait queue of __lookup_slow lives in
 *  this frame. */
export function ovl_iterate(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), name = L(fr, 3), d = L(fr, 4);
  switch (pc_of(fr)) {
    case OI_READ: {
      assert_held_exclusive(t, lock_inode(dir), "ovl_iterate");
      const mask = srv_children_mask(i_obj(dir_inode(dir)));
      setL(fr, 1, <i32>mask);
      setL(fr, 2, 1);
      ev(t, FN_OVL_ITERATE, OI_READ, 0, 0, popcnt<i32>(<i32>mask), AUX_NONE);
      return yield_(fr, OI_NEXT);
    }
    case OI_NEXT: {
      const next = L(fr, 2);
      const rest = next < 32 ? <u32>L(fr, 1) & (<u32>0xFFFFFFFF << <u32>next) : 0;
      if (rest == 0) { assert_held_exclusive(t, lock_inode(dir), "ovl_iterate"); return ret(t, 0); }
      const o = <i32>ctz(rest);
      setL(fr, 2, o + 1);
      const n = srv_name(o);
      setL(fr, 3, n);
      setL(fr, 4, 0);
      const hit = d_lookup(dir, n);
      if (hit != 0) {   // lookup_dcache: the cached dentry gives the inode (taken and dropped at once)
        ev(t, FN_OVL_ITERATE, OI_NEXT, dobj(hit), n, hit, AUX_HIT);
        return yield_(fr, OI_NEXT);
      }
      ev(t, FN_OVL_ITERATE, OI_NEXT, sobj(o), n, 0, AUX_MISS);
      return yield_(fr, OI_ALLOC);
    }
    case OI_ALLOC:
      return callp(t, fr, OI_GOT, prime_alloc_fn(), dir, name);
    case OI_GOT: {
      const r = ret_value(t);
      if (r == EWOULDBLOCK) return goto_(fr, OI_PRIVATE);
      if (r < 0) return goto_(fr, OI_NEXT);           // error: a stale entry
      setL(fr, 4, r);
      return goto_(fr, d_in_lookup(r) ? OI_LOOKUP : OI_DPUT);
    }
    case OI_LOOKUP:
      return callp(t, fr, OI_DONE, FN_OVL_LOOKUP, dir, d, 0);
    case OI_DONE:
      if (!d_in_lookup(d)) return goto_(fr, OI_DPUT);
      d_lookup_done(t, d);
      ev(t, FN_OVL_ITERATE, OI_DONE, dobj(d), name, 0, AUX_ENDED);
      return yield_(fr, OI_DPUT);
    case OI_DPUT:
      dput(t, d);
      setL(fr, 4, 0);
      ev(t, FN_OVL_ITERATE, OI_DPUT, dobj(d), name, 0, AUX_NONE);
      return yield_(fr, OI_NEXT);
    case OI_PRIVATE: {
      // The private dentry is never hashed nor in lookup: only the layers are read.
      const o = srv_lookup(i_obj(dir_inode(dir)), name);
      ev(t, FN_OVL_ITERATE, OI_PRIVATE, o != 0 ? sobj(o) : 0, name, o, AUX_PRIVATE);
      return yield_(fr, OI_NEXT);
    }
  }
  model_assert(false, "ovl_iterate: bad pc");
  return STEP_NEXT;
}

// ---- ovl_lookup ---------------------------------------------------------------------------------
// Locals: 0 dir, 1 dentry, 2 flags, 3 object found in a layer.
const OL_LAYERS: i32 = 0, OL_SPLICE: i32 = 1;

export function ovl_lookup_state(pc: i32): string {
  return pc == OL_LAYERS ? "ovl_lookup_layers: upper, then lower" : pc == OL_SPLICE ? "ovl_get_inode, d_splice_alias" : "";
}

/** Models: ovl_lookup() (->lookup): the upper and lower layer lookups (one step), then
 *  ovl_get_inode() and d_splice_alias() (NULL when no layer has the name: a hashed negative
 *  dentry). Locking: overlay parent i_rwsem held (shared from __lookup_slow, exclusive from
 *  ovl_iterate and the current order's lookup_one_qstr_excl); the real directories' locks are
 *  taken and released inside the layer step (not modelled). Returns 0. */
export function ovl_lookup(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), d = L(fr, 1);
  switch (pc_of(fr)) {
    case OL_LAYERS: {
      assert_held(t, lock_inode(dir), "ovl_lookup");
      lookup_begin(t, d);
      const o = srv_lookup(i_obj(dir_inode(dir)), d_name(d));
      setL(fr, 3, o);
      ev(t, FN_OVL_LOOKUP, OL_LAYERS, o != 0 ? sobj(o) : 0, d_name(d), o, o != 0 ? AUX_POSITIVE : AUX_NEGATIVE);
      return yield_(fr, OL_SPLICE);
    }
    case OL_SPLICE: {
      const o = L(fr, 3);
      if (o != 0) d_splice_alias(t, nfs_fhget(o, srv_is_dir(o), d_name(d)), d);   // one overlay inode per real inode
      else __d_add(t, d, 0);
      lookup_end(d);
      ev(t, FN_OVL_LOOKUP, OL_SPLICE, dobj(d), d_name(d), 0, AUX_INSTANTIATED);
      return ret_yield(t, 0);
    }
  }
  model_assert(false, "ovl_lookup: bad pc");
  return STEP_NEXT;
}
