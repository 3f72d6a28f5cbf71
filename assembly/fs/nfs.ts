// Models: fs/nfs/dir.c — readdirplus priming (nfs_readdir, nfs_prime_dcache), ->lookup
// (nfs_lookup) and the directory operations against the server (fs/server.ts).
//
// Divergence from Linux: one client, NFSv3+ semantics (exclusive create and rename targets are
// not looked up), no attribute or verifier caching (nfs_refresh_inode is an event), each RPC is
// one atomic step and a READDIRPLUS reply lists the whole directory. open(O_CREAT) is
// nfs_atomic_open (NFSv4, the default) or, with fs.atomicOpen false (NFSv3), ->lookup and then
// nfs_create. nfs_atomic_open instantiates in one step (its d_drop + d_splice_alias in
// _nfs4_open_and_get_state has no sleep between them; its switch to a fresh d_alloc_parallel for
// a dentry not in lookup is modelled for opens without O_CREAT in nfs_atomic_open.ts).

import {
  AUX_HIT, AUX_MISS, AUX_NONE, AUX_INSTANTIATED, AUX_NEGATIVE, AUX_POSITIVE, AUX_STALE,
  AUX_CREATED, AUX_ENDED, AUX_LEFT_IN_LOOKUP, OBJ_SERVER, AUX_NEW, MAX_NAMES, FS_SMB,
} from "../abi";
import { lookup_locks, nfs_prepared, silly_name_base, fs_type } from "../sim/config";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, goto_, yield_, ret, ret_yield, ret_value, callp } from "../kernel/task";
import { assert_held, assert_held_exclusive, assert_owns_in_lookup, lock_inode, in_lookup_raw } from "../kernel/lockdep_assert";
import { dw, D_REF } from "../sim/state";
import {
  d_lookup, dget, dput, d_in_lookup, d_unhashed, d_is_negative, d_inode, d_name, d_splice_alias,
  d_owner, __d_add, d_lookup_done, d_invalidate, d_delete, d_move, lookup_begin, lookup_end, dobj,
  d_duplicate, d_alloc, d_instantiate,
} from "../kernel/dcache";
import { EEXIST, ENOENT, ENOTEMPTY, EWOULDBLOCK } from "../kernel/errno";
import { nfs_fhget, i_obj, dir_inode } from "../kernel/inode";
import { srv_lookup, srv_create, srv_remove, srv_rename, srv_children_mask, srv_name, srv_is_dir } from "./server";
import {
  prime_alloc_fn, prime_drops_lock, drop_lock_step, drop_lock_result, DROP_LOCK_UNLOCK, DROP_LOCK_ALLOC, DROP_LOCK_RELOCK, DROP_LOCK_RELOCKED,
} from "./prime";
import { LOOKUP_EXCL, LOOKUP_RENAME_TARGET } from "../kernel/namei";
import {
  FN_NFS_READDIR, FN_NFS_PRIME_DCACHE, FN_NFS_LOOKUP, FN_NFS_MKDIR, FN_NFS_ATOMIC_OPEN,
  FN_NFS_UNLINK, FN_LOCK_LOOKUP, FN_D_ALLOC_PARALLEL, FN_NFS_CREATE, FN_NFS_RMDIR,
} from "../kernel/fns";

@inline function sobj(o: i32): i32 { return (OBJ_SERVER << 24) | o; }
@inline function dir_obj(dir: i32): i32 { return i_obj(dir_inode(dir)); }


/** Attach the inode for `obj` to `d` (nfs_instantiate / nfs_add_or_obtain: d_drop a cached
 *  negative dentry first, then d_splice_alias). */
function nfs_instantiate(t: i32, d: i32, obj: i32): void {
  if (!d_unhashed(d) && d_is_negative(d)) d_invalidate(d);
  nfs_splice(t, nfs_fhget(obj, srv_is_dir(obj), srv_name(obj)), d);
}

/** The SMB client's mkdir, which the NFS model's directory operations stand for (docs/model.md,
 *  smb): the inode from the reply or a QUERY_INFO (cifs_iget), then d_instantiate, no d_drop. */
@inline function smb_mkdir(fn: i32): bool { return fn == FN_NFS_MKDIR && fs_type == FS_SMB; }

/** d_splice_alias() where the caller goes on with `d`: returns the alias it was given (nfsd's
 *  disconnected directory alias, now in d's place) or 0, with the alias's reference dropped.
 *  Divergence from Linux: the callers (nfs_add_or_obtain's callers, nfs_prime_dcache) switch to the
 *  alias and dput the original dentry, then the alias when done; the model drops the alias's
 *  reference here and the original's when its caller does. The same references are held when
 *  the operation ends; in between the alias holds one fewer (only d_delete reads the count). */
export function nfs_splice(t: i32, inode: i32, d: i32): i32 {
  const alias = d_splice_alias(t, inode, d);
  if (alias != 0) dput(t, alias);
  return alias;
}

// ---- nfs_readdir ------------------------------------------------------------------------------
// Locals: 0 dir, 1 listing (object mask), 2 next object id.
const NR_RPC: i32 = 0, NR_NEXT: i32 = 1;

export function nfs_readdir_state(pc: i32): string {
  return pc == NR_RPC ? "READDIRPLUS" : pc == NR_NEXT ? "nfs_readdir_entry" : "";
}

/** Models: nfs_readdir() with READDIRPLUS: list the server directory, prime every entry.
 *  Locking: directory i_rwsem held (shared by iterate_dir; exclusive under wrap_directory_iterator, fs.iterate = wrapped). */
export function nfs_readdir(t: i32, fr: usize): i32 {
  const dir = L(fr, 0);
  if (pc_of(fr) == NR_RPC) {
    assert_held(t, lock_inode(dir), "nfs_readdir");
    const mask = srv_children_mask(dir_obj(dir));
    setL(fr, 1, <i32>mask);
    setL(fr, 2, 1);
    ev(t, FN_NFS_READDIR, NR_RPC, 0, 0, popcnt<i32>(<i32>mask), AUX_NONE);
    return yield_(fr, NR_NEXT);
  }
  const next = L(fr, 2);
  const rest = next < 32 ? <u32>L(fr, 1) & (<u32>0xFFFFFFFF << <u32>next) : 0;   // entries not yet primed
  if (rest == 0) return ret(t, 0);
  const o = <i32>ctz(rest);
  setL(fr, 2, o + 1);
  return callp(t, fr, NR_NEXT, FN_NFS_PRIME_DCACHE, dir, o);
}

// ---- nfs_prime_dcache -------------------------------------------------------------------------
// Locals: 0 dir, 1 server object (fileid), 2 name, 3 dentry, 4 inode, 5 drop-lock result,
// 6 drop-lock: the lock was held exclusive.
const NP_LOOKUP: i32 = 0, NP_ALLOC: i32 = 1, NP_GOT: i32 = 2, NP_EXISTING: i32 = 3, NP_FHGET: i32 = 4,
  NP_SPLICE: i32 = 5, NP_DONE: i32 = 6, NP_DPUT: i32 = 7, NP_DROP: i32 = DROP_LOCK_UNLOCK, NP_DROP_ALLOC: i32 = DROP_LOCK_ALLOC,
  NP_RELOCK: i32 = DROP_LOCK_RELOCK, NP_RELOCKED: i32 = DROP_LOCK_RELOCKED;

export function nfs_prime_dcache_state(pc: i32): string {
  switch (pc) {
    case NP_LOOKUP: return "d_lookup";
    case NP_ALLOC: return "d_alloc";
    case NP_GOT: return "d_in_lookup";
    case NP_EXISTING: return "nfs_same_file";
    case NP_FHGET: return "nfs_fhget";
    case NP_SPLICE: return "d_splice_alias";
    case NP_DONE: return "d_lookup_done";
    case NP_DPUT: return "dput";
    case NP_DROP: return "inode_unlock (drop-lock)";
    case NP_DROP_ALLOC: return "d_alloc_parallel (unlocked)";
    case NP_RELOCK: return "inode_lock (retake)";
    case NP_RELOCKED: return "d_in_lookup";
    default: return "";
  }
}

/** Models: nfs_prime_dcache(). Locking: directory i_rwsem held on entry and exit, as
 *  nfs_readdir holds it (drop-lock releases it around d_alloc_parallel). The on-stack wait
 *  queue lives in this frame. */
export function nfs_prime_dcache(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), obj = L(fr, 1), d = L(fr, 3);
  const name = srv_name(obj);
  switch (pc_of(fr)) {
    case NP_LOOKUP: {
      assert_held(t, lock_inode(dir), "nfs_prime_dcache");
      setL(fr, 2, name);
      const hit = d_lookup(dir, name);
      if (hit != 0) {
        dget(hit);
        setL(fr, 3, hit);
        ev(t, FN_NFS_PRIME_DCACHE, NP_LOOKUP, dobj(hit), name, hit, AUX_HIT);
        return yield_(fr, NP_EXISTING);
      }
      ev(t, FN_NFS_PRIME_DCACHE, NP_LOOKUP, sobj(obj), name, 0, AUX_MISS);
      return yield_(fr, NP_ALLOC);
    }
    case NP_ALLOC:
      return callp(t, fr, NP_GOT, prime_alloc_fn(), dir, name);
    case NP_GOT:
      return prime_got(t, fr, ret_value(t));
    case NP_EXISTING: {
      if (!d_is_negative(d) && i_obj(d_inode(d)) == obj) {
        dput(t, d);
        ev(t, FN_NFS_PRIME_DCACHE, NP_EXISTING, dobj(d), name, 0, AUX_HIT); // nfs_refresh_inode
        assert_held(t, lock_inode(dir), "nfs_prime_dcache");
        return ret_yield(t, 0);
      }
      d_invalidate(d);
      dput(t, d);
      setL(fr, 3, 0);
      ev(t, FN_NFS_PRIME_DCACHE, NP_EXISTING, dobj(d), name, 0, AUX_STALE);
      return yield_(fr, NP_ALLOC);
    }
    case NP_FHGET: {
      lookup_begin(t, d);
      const inode = nfs_fhget(obj, srv_is_dir(obj), name);
      setL(fr, 4, inode);
      ev(t, FN_NFS_PRIME_DCACHE, NP_FHGET, dobj(d), name, inode, AUX_NONE);
      return yield_(fr, NP_SPLICE);
    }
    case NP_SPLICE: {
      const alias = nfs_splice(t, L(fr, 4), d);
      lookup_end(d);
      ev(t, FN_NFS_PRIME_DCACHE, NP_SPLICE, dobj(d), name, alias, AUX_INSTANTIATED);
      return yield_(fr, NP_DONE);
    }
    case NP_DONE:
      if (!d_in_lookup(d)) return goto_(fr, NP_DPUT);
      d_lookup_done(t, d);
      ev(t, FN_NFS_PRIME_DCACHE, NP_DONE, dobj(d), name, 0, AUX_ENDED);
      return yield_(fr, NP_DPUT);
    case NP_DPUT:
      dput(t, d);
      ev(t, FN_NFS_PRIME_DCACHE, NP_DPUT, dobj(d), name, 0, AUX_NONE);
      assert_held(t, lock_inode(dir), "nfs_prime_dcache");
      return ret_yield(t, 0);
    case NP_DROP:
    case NP_DROP_ALLOC:
    case NP_RELOCK:
      return drop_lock_step(t, fr, FN_NFS_PRIME_DCACHE, pc_of(fr));
    case NP_RELOCKED:
      return prime_got(t, fr, drop_lock_result(fr));
  }
  model_assert(false, "nfs_prime_dcache: bad pc");
  return STEP_NEXT;
}

function prime_got(t: i32, fr: usize, r: i32): i32 {
  if (r == EWOULDBLOCK) {
    if (prime_drops_lock()) return goto_(fr, NP_DROP);
    ev(t, FN_NFS_PRIME_DCACHE, NP_GOT, 0, L(fr, 2), r, AUX_NONE); // someone else's lookup will do
    assert_held(t, lock_inode(L(fr, 0)), "nfs_prime_dcache");
    return ret(t, 0);
  }
  if (r < 0) { assert_held(t, lock_inode(L(fr, 0)), "nfs_prime_dcache"); return ret(t, 0); }
  setL(fr, 3, r);
  return goto_(fr, d_in_lookup(r) ? NP_FHGET : NP_EXISTING);
}

// ---- nfs_lookup -------------------------------------------------------------------------------
// Locals: 0 dir, 1 dentry, 2 flags, 3 server object.
const NL_LOCK_LOOKUP: i32 = 0, NL_LOCKED: i32 = 1, NL_RPC: i32 = 2, NL_INSTANTIATE: i32 = 3;

export function nfs_lookup_state(pc: i32): string {
  switch (pc) {
    case NL_LOCK_LOOKUP: return "lock_lookup";
    case NL_LOCKED: return "lock_lookup done";
    case NL_RPC: return "LOOKUP";
    case NL_INSTANTIATE: return "d_splice_alias";
    default: return "";
  }
}

/** Models: nfs_lookup() (->lookup). Locking: parent i_rwsem held (shared, or exclusive in the
 *  current order's lookup_one_qstr_excl). Returns 0 (use the dentry) or -errno. For exclusive
 *  create and rename targets it returns NULL without instantiating, leaving the dentry in lookup
 *  (kernel-model.md (a')). */
export function nfs_lookup(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), d = L(fr, 1), flags = L(fr, 2);
  switch (pc_of(fr)) {
    case NL_LOCK_LOOKUP:
      assert_held(t, lock_inode(dir), "nfs_lookup");
      if (lookup_locks && d_owner(d) >= 0) return callp(t, fr, NL_LOCKED, FN_LOCK_LOOKUP, d); // not a plain d_alloc
      return goto_(fr, NL_RPC);
    case NL_LOCKED: {
      const r = ret_value(t);
      if (r != d) return ret(t, r);     // NULL: instantiated by the lock holder; -EAGAIN: retry
      return goto_(fr, NL_RPC);
    }
    case NL_RPC: {
      if ((flags & (LOOKUP_EXCL | LOOKUP_RENAME_TARGET)) != 0) {
        ev(t, FN_NFS_LOOKUP, NL_RPC, dobj(d), d_name(d), 0, AUX_LEFT_IN_LOOKUP);
        return ret(t, 0);
      }
      lookup_begin(t, d);
      const o = srv_lookup(dir_obj(dir), d_name(d));
      setL(fr, 3, o);
      ev(t, FN_NFS_LOOKUP, NL_RPC, o != 0 ? sobj(o) : 0, d_name(d), o, o != 0 ? AUX_POSITIVE : AUX_NEGATIVE);
      return yield_(fr, NL_INSTANTIATE);
    }
    case NL_INSTANTIATE: {
      const o = L(fr, 3);
      let alias = 0;   // a disconnected directory alias (nfsd) moved into d's place, returned
      if (o != 0) alias = d_splice_alias(t, nfs_fhget(o, srv_is_dir(o), d_name(d)), d);
      else __d_add(t, d, 0);            // d_add(dentry, NULL): NFS caches the negative entry
      lookup_end(d);
      ev(t, FN_NFS_LOOKUP, NL_INSTANTIATE, dobj(d), d_name(d), alias, o != 0 ? AUX_INSTANTIATED : AUX_NEGATIVE);
      return ret_yield(t, alias);
    }
  }
  model_assert(false, "nfs_lookup: bad pc");
  return STEP_NEXT;
}

// ---- nfs_mkdir / nfs_create / nfs_atomic_open (O_CREAT) / nfs_unlink / nfs_rmdir / nfs_rename --
// Locals: 0 dir, 1 dentry, 2 rename target, 3 caller op, 4 server object, 5 inode (mkdir, create).
// Locking: parent i_rwsem held exclusive. Step 0 is the RPC, step 1 updates the dcache; mkdir and
// create go on through nfs_instantiate -> nfs_add_or_obtain in steps 2-4.
const ND_RPC: i32 = 0, ND_DCACHE: i32 = 1, ND_DROP: i32 = 2, ND_FHGET: i32 = 3, ND_SPLICE: i32 = 4,
  // nfs_rename over a target in use: d_duplicate (or d_alloc), nfs_sillyrename, the RENAME, d_move
  ND_SILLY_DUP: i32 = 5, ND_SILLY_RPC: i32 = 6, ND_SILLY_MOVE: i32 = 7, ND_SILLY_RENAME: i32 = 8, ND_SILLY_DONE: i32 = 9,
  // SMB mkdir (cifs_mkdir -> cifs_posix_mkdir / cifs_mkdir_qinfo): cifs_iget, then d_instantiate
  // of the dentry as it is; d_drop only on the error path (fs/smb/client/inode.c)
  ND_INSTANTIATE: i32 = 10;

export function nfs_dirop_state(pc: i32): string {
  switch (pc) {
    case ND_RPC: return "RPC";
    case ND_DCACHE: return "d_instantiate / d_delete / d_move (rmdir: none)";
    case ND_DROP: return "nfs_add_or_obtain: d_drop";
    case ND_FHGET: return "nfs_fhget";
    case ND_SPLICE: return "d_splice_alias";
    case ND_SILLY_DUP: return "target in use: copy its name (d_duplicate / d_alloc)";
    case ND_SILLY_RPC: return "nfs_sillyrename: RENAME to the silly name";
    case ND_SILLY_MOVE: return "nfs_sillyrename: d_move(target, silly dentry)";
    case ND_SILLY_RENAME: return "RENAME onto the freed name";
    case ND_SILLY_DONE: return "d_move(old, new), d_lookup_done, dput";
    case ND_INSTANTIATE: return "cifs_mkdir_qinfo: d_instantiate";
    default: return "";
  }
}

/** Models: nfs_mkdir(), nfs_create() (NFSv3 ->create), nfs_atomic_open() (O_CREAT: open or
 *  create), nfs_unlink(), nfs_rmdir() (victim i_rwsem also held, by vfs_rmdir) and nfs_rename()
 *  within one directory: the RPC to the server, then on the client d_instantiate (atomic_open:
 *  d_splice_alias in one step, which ends an in-lookup episode; mkdir and create:
 *  nfs_add_or_obtain's d_drop, nfs_fhget and d_splice_alias as three steps), d_delete or d_move
 *  (rmdir: nothing; vfs_rmdir does the dcache work).
 *  Locking: parent i_rwsem held exclusive (nfs_rmdir: the victim's too); the caller owns the
 *  dentry if it is in lookup (else holds it referenced), and the rename target likewise. */
export function nfs_dirop(t: i32, fr: usize, fn: i32): i32 {
  const dir = L(fr, 0), d = L(fr, 1), target = L(fr, 2);
  const dobj_ = dir_obj(dir);
  if (pc_of(fr) == 0) {
    assert_held_exclusive(t, lock_inode(dir), fn);
    if (fn == FN_NFS_RMDIR) assert_held_exclusive(t, lock_inode(d), "nfs_rmdir (the victim)");
    if (in_lookup_raw(d)) assert_owns_in_lookup(t, d, fn);
    if (target != 0 && in_lookup_raw(target)) assert_owns_in_lookup(t, target, fn);
    let o = 0, r = 0;
    if (fn == FN_NFS_MKDIR) {
      if (srv_lookup(dobj_, d_name(d)) != 0) r = EEXIST;
      else o = srv_create(dobj_, d_name(d), true);
    } else if (fn == FN_NFS_ATOMIC_OPEN || fn == FN_NFS_CREATE) {
      o = srv_lookup(dobj_, d_name(d));             // open the existing file, or create it (NFSv3 CREATE UNCHECKED)
      if (o == 0) o = srv_create(dobj_, d_name(d), false);
    } else if (fn == FN_NFS_UNLINK) {
      o = srv_lookup(dobj_, d_name(d));
      if (o == 0) r = ENOENT; else srv_remove(o);
    } else if (fn == FN_NFS_RMDIR) {
      // RMDIR: the server refuses a directory that still has entries (another client's, or ours)
      o = srv_lookup(dobj_, d_name(d));
      if (o == 0) r = ENOENT; else if (srv_children_mask(o) != 0) r = ENOTEMPTY; else srv_remove(o);
    } else {
      if (!d_is_negative(target) && dw(target, D_REF) > 1) return goto_(fr, ND_SILLY_DUP);   // in use: silly-rename it first
      o = srv_rename(dobj_, d_name(d), d_name(target));
      if (o == 0) r = ENOENT;
    }
    setL(fr, 4, o);
    ev(t, fn, 0, o != 0 ? sobj(o) : 0, d_name(d), r, r == 0 ? AUX_CREATED : AUX_NONE);
    if (r != 0) return ret_yield(t, r);
    if (fn == FN_NFS_MKDIR || fn == FN_NFS_CREATE) return yield_(fr, ND_DROP);
    return yield_(fr, ND_DCACHE);
  }
  const o = L(fr, 4);
  switch (pc_of(fr)) {
    case ND_SILLY_DUP: {
      // nfs_rename: the target is in use (d_count > 2 in Linux: the rename's two references and
      // another user's; here another task holds a reference). Copy its name into a new dentry:
      // d_duplicate (an in-lookup twin, "[PATCH v3 19/19] nfs: use d_duplicate()", Message-ID
      // 20260427040517.828226-20-neilb@ownmail.net: the prepared NFS) or d_alloc (today).
      const n = nfs_prepared ? d_duplicate(t, target) : d_alloc(dir, d_name(target));
      setL(fr, 5, n);
      ev(t, fn, ND_SILLY_DUP, dobj(n), d_name(target), n, nfs_prepared ? AUX_NEW : AUX_NONE);
      return yield_(fr, ND_SILLY_RPC);
    }
    case ND_SILLY_RPC: {
      // nfs_sillyrename: the first silly name with nothing under it (Linux: a counter, until a
      // negative lookup), then the server renames the target's file to it (the RENAME RPC; the
      // negative lookup itself is not a step of its own)
      let sn = silly_name_base();
      while (srv_lookup(dobj_, sn) != 0 || d_lookup(dir, sn) != 0) sn++;
      model_assert(sn < MAX_NAMES, "nfs_sillyrename: no name id left for a silly name");
      setL(fr, 6, sn);
      const so = srv_rename(dobj_, d_name(target), sn);
      ev(t, fn, ND_SILLY_RPC, so != 0 ? sobj(so) : 0, d_name(target), so, AUX_CREATED);
      return yield_(fr, ND_SILLY_MOVE);
    }
    case ND_SILLY_MOVE: {
      // ... then d_move(dentry, sdentry): the in-use dentry takes the silly name; from here the
      // name has no hashed dentry until the rename's d_move (only the copy, in lookup if prepared)
      const sn = L(fr, 6);
      const sd = d_alloc(dir, sn);
      d_move(t, target, sd);
      dput(t, sd);
      ev(t, fn, ND_SILLY_MOVE, dobj(target), sn, 0, AUX_NONE);
      return yield_(fr, ND_SILLY_RENAME);
    }
    case ND_SILLY_RENAME: {
      const n = L(fr, 5);
      const ro = srv_rename(dobj_, d_name(d), d_name(n));
      setL(fr, 4, ro);
      ev(t, fn, ND_SILLY_RENAME, ro != 0 ? sobj(ro) : 0, d_name(d), ro != 0 ? 0 : ENOENT, ro != 0 ? AUX_CREATED : AUX_NONE);
      if (ro == 0) return goto_(fr, ND_SILLY_DONE);
      return yield_(fr, ND_SILLY_DONE);
    }
    case ND_SILLY_DONE: {
      // d_move(old_dentry, new_dentry) (ends the copy's episode if it is in lookup), then
      // nfs_rename's exit: d_lookup_done(dentry) (prepared; a no-op after the d_move), dput(dentry)
      const n = L(fr, 5);
      const r = o != 0 ? 0 : ENOENT;
      if (r == 0) d_move(t, d, n);
      d_lookup_done(t, n);
      dput(t, n);
      ev(t, fn, ND_SILLY_DONE, dobj(d), d_name(n), r, AUX_NONE);
      return ret_yield(t, r);
    }
    case ND_DROP:
      // nfs_instantiate -> nfs_add_or_obtain: d_drop() first (fs/nfs/dir.c). The prepared NFS
      // (fs.nfsPrepared; "nfs: don't d_drop() before d_splice_alias()") keeps the dentry hashed.
      // SMB's mkdir does not d_drop (ND_INSTANTIATE).
      if (nfs_prepared || smb_mkdir(fn) || d_unhashed(d) || !d_is_negative(d)) return goto_(fr, ND_FHGET);
      d_invalidate(d);
      ev(t, fn, ND_DROP, dobj(d), d_name(d), 0, AUX_NONE);
      return yield_(fr, ND_FHGET);
    case ND_FHGET: {
      // nfs_fhget (and, without attributes in the reply, a GETATTR): a sleep point, the window
      // in which a lockless d_alloc_parallel (proposed order) sees the name unhashed.
      if (!d_is_negative(d)) return ret(t, 0);
      const inode = nfs_fhget(o, srv_is_dir(o), srv_name(o));
      setL(fr, 5, inode);
      ev(t, fn, ND_FHGET, sobj(o), d_name(d), inode, AUX_NONE);
      return yield_(fr, smb_mkdir(fn) ? ND_INSTANTIATE : ND_SPLICE);
    }
    case ND_INSTANTIATE:
      d_instantiate(t, d, L(fr, 5));
      ev(t, fn, ND_INSTANTIATE, dobj(d), d_name(d), 0, AUX_INSTANTIATED);
      return ret_yield(t, 0);
    case ND_SPLICE: {
      // d_splice_alias; for the prepared NFS the dentry is still hashed (negative), which
      // d_splice_alias takes in place from 02/53 on (the host requires that series for it).
      const alias = nfs_splice(t, L(fr, 5), d);   // nfs_add_or_obtain returns the alias; vfs_mkdir uses it
      ev(t, fn, ND_SPLICE, dobj(d), d_name(d), alias, AUX_INSTANTIATED);
      return ret_yield(t, 0);
    }
  }
  if (fn == FN_NFS_ATOMIC_OPEN) {
    if (d_is_negative(d)) nfs_instantiate(t, d, o);
  } else if (fn == FN_NFS_UNLINK) {
    d_delete(d);
  } else if (fn == FN_NFS_RMDIR) {
    // nfs_rmdir: the dcache work (S_DEAD, d_delete) is vfs_rmdir's; clear_nlink is not modelled
  } else {
    d_move(t, d, target);
  }
  ev(t, fn, 1, dobj(d), d_name(d), 0, AUX_INSTANTIATED);
  return ret_yield(t, 0);
}

