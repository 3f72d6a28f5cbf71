// Models: fs/namei.c do_filp_open() -> path_openat() -> open_last_lookups() -> lookup_open() for an
// open WITHOUT O_CREAT (O_RDONLY), on a filesystem with ->atomic_open (NFSv4: nfs_atomic_open) or
// without (->lookup, NFSv3). Current order: lookup_fast first; on a miss the parent's i_rwsem
// shared (open_last_lookups), then lookup_open: d_lookup, else d_alloc_parallel; a cached positive
// dentry is opened by f_op->open (no ->atomic_open); an in-lookup or cached negative dentry goes to
// ->atomic_open; d_lookup_done; unlock. Proposed order (52/53, Message-ID
// 20260312214330.3885211-53-neilb@ownmail.net): the lookup first, then the shared lock around
// ->atomic_open, d_lookup_done after unlocking.
//
// Divergence from Linux: no d_revalidate (a cached dentry is valid: a negative one reaches
// ->atomic_open only when another task cached it between lookup_fast and lookup_open's d_lookup,
// one of the ways it does in Linux); with fs.nfsPrepared (the 2026 NFS preparation: "[PATCH v3
// 13/19] nfs: remove d_drop()/d_alloc_parallel() from nfs_atomic_open()", whose
// nfs4_lookup_revalidate says 0 for the open case) lookup_open's d_revalidate invalidates the
// cached negative dentry and d_alloc_parallels a fresh one instead; the opened file is not kept (no
// struct file); only fs.type nfs (the validator refuses the op elsewhere).

import { AUX_HIT, AUX_MISS, AUX_NEGATIVE, AUX_STALE, AUX_ENDED, AUX_NONE, ORDER_PROPOSED } from "../abi";
import { order, path_len, path_last, atomic_open, nfs_prepared } from "../sim/config";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, goto_, yield_, callp, ret, ret_yield, ret_value } from "./task";
import { d_lookup, dget, dput, d_in_lookup, d_is_negative, d_name, d_lookup_done, d_invalidate, dobj } from "./dcache";
import { ENOENT, ENOTDIR } from "./errno";
import { inode_lock_shared, inode_unlock_shared, dir_inode } from "./inode";
import { assert_holds_no_rwsem } from "./lockdep_assert";
import { d_is_dir } from "./namei";
import { FN_LINK_PATH_WALK, FN_D_ALLOC_PARALLEL, FN_NFS_LOOKUP, FN_DO_FILP_OPEN_RDONLY, FN_NFS_ATOMIC_OPEN_RDONLY } from "./fns";

// Locals: 0 path, 1 unused, 2 parent, 3 dentry, 4 result, 5 the dentry lookup_open made or found.
const OR_WALK: i32 = 0, OR_FAST: i32 = 1, OR_LOCK: i32 = 2, OR_LOOKUP: i32 = 3, OR_GOT: i32 = 4,
  OR_P_LOCK: i32 = 5, OR_ATOMIC: i32 = 6, OR_ATOMIC_DONE: i32 = 7, OR_DONE: i32 = 8, OR_UNLOCK: i32 = 9,
  OR_P_DONE: i32 = 10, OR_PUT: i32 = 11;

export function do_filp_open_rdonly_state(pc: i32): string {
  switch (pc) {
    case OR_WALK: return "path_openat: link_path_walk";
    case OR_FAST: return "open_last_lookups: lookup_fast";
    case OR_LOCK: return "open_last_lookups: inode_lock_shared";
    case OR_LOOKUP: return "lookup_open: d_lookup";
    case OR_GOT: return "lookup_open: d_in_lookup";
    case OR_P_LOCK: return "atomic_open: inode_lock_shared";
    case OR_ATOMIC: return "->atomic_open / ->lookup";
    case OR_ATOMIC_DONE: return "->atomic_open returned";
    case OR_DONE: return "lookup_open: d_lookup_done";
    case OR_UNLOCK: return "inode_unlock_shared";
    case OR_P_DONE: return "d_lookup_done (after unlock)";
    case OR_PUT: return "dput";
    default: return "";
  }
}

@inline function proposed(): bool { return order == ORDER_PROPOSED; }
@inline function opened(d: i32): i32 { return d_is_negative(d) ? ENOENT : 0; }

/** Models: do_filp_open() -> path_openat() without O_CREAT (see the file comment). Locking: a system call: no
 *  i_rwsem on entry or exit; the parent's shared around lookup_open (current order) or around
 *  ->atomic_open (proposed). Returns 0 (opened) or -errno. */
export function do_filp_open_rdonly(t: i32, fr: usize): i32 {
  const fn = FN_DO_FILP_OPEN_RDONLY;
  const path = L(fr, 0), dir = L(fr, 2), d = L(fr, 3);
  const name = path_last(path);
  switch (pc_of(fr)) {
    case OR_WALK:
      assert_holds_no_rwsem(t, "path_openat");
      return callp(t, fr, OR_FAST, FN_LINK_PATH_WALK, path, path_len(path) - 1);
    case OR_FAST: {
      const r = ret_value(t);
      if (r < 0) return ret(t, r);
      setL(fr, 2, r);
      if (!d_is_dir(r)) { setL(fr, 4, ENOTDIR); return goto_(fr, OR_PUT); }
      const hit = d_lookup(r, name);   // lookup_fast (d_revalidate: valid)
      if (hit != 0) {
        setL(fr, 4, opened(hit));
        ev(t, fn, OR_FAST, dobj(hit), name, opened(hit), d_is_negative(hit) ? AUX_NEGATIVE : AUX_HIT);
        return yield_(fr, OR_PUT);
      }
      ev(t, fn, OR_FAST, 0, name, 0, AUX_MISS);
      return yield_(fr, proposed() ? OR_LOOKUP : OR_LOCK);
    }
    case OR_LOCK:
      return inode_lock_shared(t, fr, fn, OR_LOCK, OR_LOOKUP, dir_inode(dir));
    case OR_LOOKUP: {
      const hit = d_lookup(dir, name);
      if (hit != 0 && !(nfs_prepared && d_is_negative(hit))) {
        dget(hit);
        setL(fr, 3, hit);
        setL(fr, 5, hit);
        ev(t, fn, OR_LOOKUP, dobj(hit), name, hit, AUX_HIT);
        // a cached positive dentry is opened by f_op->open; a negative one goes to ->atomic_open
        if (!d_is_negative(hit)) { setL(fr, 4, 0); return yield_(fr, proposed() ? OR_PUT : OR_UNLOCK); }
        return yield_(fr, proposed() ? OR_P_LOCK : OR_ATOMIC);
      }
      if (hit != 0) {   // fs.nfsPrepared: d_revalidate says 0 for the open: d_invalidate, look up afresh
        d_invalidate(hit);
        ev(t, fn, OR_LOOKUP, dobj(hit), name, 0, AUX_STALE);
        return yield_(fr, OR_LOOKUP);
      }
      return callp(t, fr, OR_GOT, FN_D_ALLOC_PARALLEL, dir, name);
    }
    case OR_GOT: {
      const r = ret_value(t);
      if (r < 0) { setL(fr, 4, r); return goto_(fr, proposed() ? OR_PUT : OR_UNLOCK); }
      if (!d_in_lookup(r) && nfs_prepared && d_is_negative(r)) {
        // fs.nfsPrepared: d_revalidate says 0 for the open of a negative dentry: d_invalidate,
        // dput, look up afresh (lookup_open's loop)
        d_invalidate(r);
        dput(t, r);
        ev(t, fn, OR_GOT, dobj(r), name, 0, AUX_STALE);
        return yield_(fr, OR_LOOKUP);
      }
      setL(fr, 3, r);
      setL(fr, 5, r);
      if (!d_in_lookup(r) && !d_is_negative(r)) { setL(fr, 4, 0); return goto_(fr, proposed() ? OR_PUT : OR_UNLOCK); }
      return goto_(fr, proposed() ? OR_P_LOCK : OR_ATOMIC);
    }
    case OR_P_LOCK:
      return inode_lock_shared(t, fr, fn, OR_P_LOCK, OR_ATOMIC, dir_inode(dir));
    case OR_ATOMIC:
      if (atomic_open) return callp(t, fr, OR_ATOMIC_DONE, FN_NFS_ATOMIC_OPEN_RDONLY, dir, d);
      if (!d_in_lookup(d)) { setL(fr, 4, opened(d)); return goto_(fr, OR_DONE); }
      return callp(t, fr, OR_ATOMIC_DONE, FN_NFS_LOOKUP, dir, d, 0);
    case OR_ATOMIC_DONE: {
      const r = ret_value(t);
      if (r > 0) {   // nfs_atomic_open switched to a dentry of its own (referenced): use it
        dput(t, d);
        setL(fr, 3, r);
        setL(fr, 5, 0);   // lookup_open's own dentry was a cached negative one: nothing to end
        setL(fr, 4, opened(r));
        ev(t, fn, OR_ATOMIC_DONE, dobj(r), name, opened(r), AUX_NONE);
        return yield_(fr, OR_DONE);
      }
      setL(fr, 4, r < 0 ? r : opened(d));
      return goto_(fr, OR_DONE);
    }
    case OR_DONE: {
      // current order: lookup_open's d_lookup_done before the unlock; proposed: after it
      const e = L(fr, 5);
      if (proposed()) return goto_(fr, OR_UNLOCK);
      if (e == 0 || !d_in_lookup(e)) return goto_(fr, OR_UNLOCK);
      d_lookup_done(t, e);
      ev(t, fn, OR_DONE, dobj(e), name, 0, AUX_ENDED);
      return yield_(fr, OR_UNLOCK);
    }
    case OR_UNLOCK:
      return inode_unlock_shared(t, fr, fn, OR_UNLOCK, proposed() ? OR_P_DONE : OR_PUT, dir_inode(dir));
    case OR_P_DONE: {
      const e = L(fr, 5);
      if (e == 0 || !d_in_lookup(e)) return goto_(fr, OR_PUT);
      d_lookup_done(t, e);
      ev(t, fn, OR_P_DONE, dobj(e), name, 0, AUX_ENDED);
      return yield_(fr, OR_PUT);
    }
    case OR_PUT: {
      if (d > 0) dput(t, d);
      dput(t, dir);
      ev(t, fn, OR_PUT, 0, name, L(fr, 4), AUX_NONE);
      return ret_yield(t, L(fr, 4));
    }
  }
  model_assert(false, "do_filp_open (O_RDONLY): bad pc");
  return STEP_NEXT;
}
