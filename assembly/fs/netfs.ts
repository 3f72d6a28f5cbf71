// Models: the readdirplus priming shape that FUSE (fs/fuse/readdir.c fuse_readdir_uncached ->
// parse_dirplusfile -> fuse_direntplus_link) and the SMB client (fs/smb/client/readdir.c
// cifs_readdir -> cifs_filldir -> cifs_prime_dcache) share, and their ->lookup (fuse_lookup,
// cifs_lookup): a request to the daemon or server, then the reply instantiated. fuse.ts and smb.ts
// call these with their own function ids, so traces name the filesystem's function.
//
// Divergence from Linux: one request lists the whole directory (FUSE: one READDIRPLUS page; SMB:
// one FIND_FIRST reply); the entry's attributes are the server object, whose id stands for both
// the FUSE nodeid+generation and the SMB uniqueid (ids are never reused, so "same nodeid, new
// generation" cannot happen and a stale dentry is always one for another object); FUSE's
// fuse_lock_inode() mutex (held around the request only when the connection has no
// parallel_dirops, released before any dcache work) and the SMB cached-directory lease are not
// modelled. SMB's CIFS_FATTR_NEED_REVAL ("do not create a dentry": cifsacl / modefromsid mounts,
// reparse points, unix-emulated system files) is fs.needReval, one value for every entry.

import { AUX_HIT, AUX_MISS, AUX_NONE, AUX_INSTANTIATED, AUX_NEGATIVE, AUX_POSITIVE, AUX_STALE, AUX_ENDED, OBJ_SERVER } from "../abi";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, goto_, yield_, ret, ret_yield, ret_value, callp } from "../kernel/task";
import { assert_held, lock_inode } from "../kernel/lockdep_assert";
import {
  d_lookup, dget, dput, d_in_lookup, d_is_negative, d_inode, d_name, d_splice_alias, __d_add,
  d_lookup_done, d_invalidate, lookup_begin, lookup_end, dobj,
} from "../kernel/dcache";
import { EWOULDBLOCK } from "../kernel/errno";
import { nfs_fhget, i_obj, dir_inode } from "../kernel/inode";
import { srv_lookup, srv_children_mask, srv_name, srv_is_dir } from "./server";
import { prime_alloc_fn } from "./prime";
import { need_reval } from "../sim/config";
import { FN_CIFS_PRIME_DCACHE } from "../kernel/fns";

@inline function sobj(o: i32): i32 { return (OBJ_SERVER << 24) | o; }


// ---- readdir ----------------------------------------------------------------------------------
// Locals: 0 dir, 1 listing (object mask), 2 next object id.
export const NR_REQUEST: i32 = 0, NR_NEXT: i32 = 1;

/** Models: fuse_readdir_uncached() (FUSE_READDIRPLUS) / cifs_readdir() (FIND_FIRST): the request,
 *  whose reply lists the directory, then `prime_fn` for every entry in turn.
 *  Locking: directory i_rwsem held (shared by iterate_dir; exclusive under wrap_directory_iterator, fs.iterate = wrapped). */
export function net_readdir(t: i32, fr: usize, fn: i32, prime_fn: i32): i32 {
  const dir = L(fr, 0);
  if (pc_of(fr) == NR_REQUEST) {
    assert_held(t, lock_inode(dir), fn);
    const mask = srv_children_mask(i_obj(dir_inode(dir)));
    setL(fr, 1, <i32>mask);
    setL(fr, 2, 1);
    ev(t, fn, NR_REQUEST, 0, 0, popcnt<i32>(<i32>mask), AUX_NONE);
    return yield_(fr, NR_NEXT);
  }
  const next = L(fr, 2);
  const rest = next < 32 ? <u32>L(fr, 1) & (<u32>0xFFFFFFFF << <u32>next) : 0;
  if (rest == 0) return ret(t, 0);
  const o = <i32>ctz(rest);
  setL(fr, 2, o + 1);
  return callp(t, fr, NR_NEXT, prime_fn, dir, o);
}

// ---- the primer -------------------------------------------------------------------------------
// Locals: 0 dir, 1 server object (nodeid / uniqueid), 2 name, 3 dentry, 4 inode.
export const NP_LOOKUP: i32 = 0, NP_ALLOC: i32 = 1, NP_GOT: i32 = 2, NP_EXISTING: i32 = 3, NP_IGET: i32 = 4,
  NP_SPLICE: i32 = 5, NP_DONE: i32 = 6, NP_DPUT: i32 = 7;

/** Models fuse_direntplus_link() and cifs_prime_dcache() (the two share every step the model
 *  has; `fn` names which). A dcache hit or an existing dentry returned by d_alloc_parallel is
 *  kept when it is positive and for the same object (FUSE: nodeid and generation, then
 *  fuse_change_attributes; SMB: uniqueid, then cifs_fattr_to_inode); otherwise, negative or for
 *  another object, it is d_invalidate'd and the primer retries from d_alloc_parallel. A new
 *  in-lookup dentry gets the inode (fuse_iget / cifs_iget), d_splice_alias, d_lookup_done.
 *  -EWOULDBLOCK from d_alloc_trylock skips the entry (FUSE: return 0, "harmless"; SMB: the
 *  IS_ERR return). Locking: directory i_rwsem held on entry and exit, as the readdir holds it;
 *  the on-stack wait queue of the current kernels lives in this frame. */
export function net_prime_dcache(t: i32, fr: usize, fn: i32): i32 {
  const dir = L(fr, 0), obj = L(fr, 1), d = L(fr, 3);
  const name = srv_name(obj);
  switch (pc_of(fr)) {
    case NP_LOOKUP: {
      assert_held(t, lock_inode(dir), fn);
      setL(fr, 2, name);
      const hit = d_lookup(dir, name);
      if (hit != 0) {
        dget(hit);
        setL(fr, 3, hit);
        ev(t, fn, NP_LOOKUP, dobj(hit), name, hit, AUX_HIT);
        return yield_(fr, NP_EXISTING);
      }
      ev(t, fn, NP_LOOKUP, sobj(obj), name, 0, AUX_MISS);
      return yield_(fr, NP_ALLOC);
    }
    case NP_ALLOC:
      if (fn == FN_CIFS_PRIME_DCACHE && need_reval) {
        // CIFS_FATTR_NEED_REVAL: "don't create a new dentry for it" (the retry after a stale one too)
        ev(t, fn, NP_ALLOC, sobj(obj), name, 0, AUX_NONE);
        assert_held(t, lock_inode(dir), fn);
        return ret(t, 0);
      }
      return callp(t, fr, NP_GOT, prime_alloc_fn(), dir, name);
    case NP_GOT: {
      const r = ret_value(t);
      if (r == EWOULDBLOCK) {
        ev(t, fn, NP_GOT, 0, name, r, AUX_NONE); // the lookup in progress will instantiate it
        assert_held(t, lock_inode(dir), fn);
        return ret(t, 0);
      }
      if (r < 0) { assert_held(t, lock_inode(dir), fn); return ret(t, 0); }
      setL(fr, 3, r);
      return goto_(fr, d_in_lookup(r) ? NP_IGET : NP_EXISTING);
    }
    case NP_EXISTING: {
      if (!d_is_negative(d) && i_obj(d_inode(d)) == obj) {
        dput(t, d);
        ev(t, fn, NP_EXISTING, dobj(d), name, 0, AUX_HIT);   // attributes refreshed in place
        assert_held(t, lock_inode(dir), fn);
        return ret_yield(t, 0);
      }
      d_invalidate(d);
      dput(t, d);
      setL(fr, 3, 0);
      ev(t, fn, NP_EXISTING, dobj(d), name, 0, AUX_STALE);
      return yield_(fr, NP_ALLOC);
    }
    case NP_IGET: {
      lookup_begin(t, d);
      const inode = nfs_fhget(obj, srv_is_dir(obj), name);   // fuse_iget / cifs_iget: one inode per object
      setL(fr, 4, inode);
      ev(t, fn, NP_IGET, dobj(d), name, inode, AUX_NONE);
      return yield_(fr, NP_SPLICE);
    }
    case NP_SPLICE:
      d_splice_alias(t, L(fr, 4), d);
      lookup_end(d);
      ev(t, fn, NP_SPLICE, dobj(d), name, 0, AUX_INSTANTIATED);
      return yield_(fr, NP_DONE);
    case NP_DONE:
      if (!d_in_lookup(d)) return goto_(fr, NP_DPUT);
      d_lookup_done(t, d);
      ev(t, fn, NP_DONE, dobj(d), name, 0, AUX_ENDED);
      return yield_(fr, NP_DPUT);
    case NP_DPUT:
      dput(t, d);
      ev(t, fn, NP_DPUT, dobj(d), name, 0, AUX_NONE);
      assert_held(t, lock_inode(dir), fn);
      return ret_yield(t, 0);
  }
  model_assert(false, "net_prime_dcache: bad pc");
  return STEP_NEXT;
}

// ---- ->lookup -----------------------------------------------------------------------------------
// Locals: 0 dir, 1 dentry, 2 flags, 3 server object.
export const NL_REQUEST: i32 = 0, NL_REPLY: i32 = 1;

/** Models fuse_lookup() / cifs_lookup() as ->lookup: the request (FUSE_LOOKUP to the daemon;
 *  SMB query-info) is one step, its reply instantiating the dentry another, so a readdir of the
 *  same name can run in between. Neither returns early for an exclusive create or a rename
 *  target (unlike nfs_lookup): a name that does not exist becomes a hashed negative dentry
 *  (d_splice_alias(NULL)). Locking: parent i_rwsem held (shared, or exclusive in the current
 *  order's lookup_one_qstr_excl). Returns 0. */
export function net_lookup(t: i32, fr: usize, fn: i32): i32 {
  const dir = L(fr, 0), d = L(fr, 1);
  switch (pc_of(fr)) {
    case NL_REQUEST: {
      assert_held(t, lock_inode(dir), fn);
      lookup_begin(t, d);
      const o = srv_lookup(i_obj(dir_inode(dir)), d_name(d));
      setL(fr, 3, o);
      ev(t, fn, NL_REQUEST, o != 0 ? sobj(o) : 0, d_name(d), o, o != 0 ? AUX_POSITIVE : AUX_NEGATIVE);
      return yield_(fr, NL_REPLY);
    }
    case NL_REPLY: {
      const o = L(fr, 3);
      if (o != 0) d_splice_alias(t, nfs_fhget(o, srv_is_dir(o), d_name(d)), d);
      else __d_add(t, d, 0);
      lookup_end(d);
      ev(t, fn, NL_REPLY, dobj(d), d_name(d), 0, AUX_INSTANTIATED);
      return ret_yield(t, 0);
    }
  }
  model_assert(false, "net_lookup: bad pc");
  return STEP_NEXT;
}
