// Models: fs/nfs/dir.c nfs_atomic_open() for an open WITHOUT O_CREAT (NFSv4 ->atomic_open). Handed
// a dentry that is not in lookup (a cached negative one lookup_open found valid), it d_drop()s it
// and calls d_alloc_parallel() itself on the same name, under the parent's shared lock the caller
// holds (open_last_lookups in the current order; atomic_open in 52/53): a second in-lookup episode
// of the name, waited for under the parent lock (kernel-model.md 3.2). A result that is not in
// lookup is returned as is (finish_no_open); an in-lookup one is opened (the OPEN RPC), spliced, and
// its episode ended (the `switched` path). Source read: kernel-model.md 3.2's reading of fs/nfs/dir.c
// and the title and cover-letter line of "[PATCH v3 13/19] nfs: remove d_drop()/d_alloc_parallel()
// from nfs_atomic_open()" (20260427040517.828226-14-neilb@ownmail.net; its hunks were not read),
// which removes the call: fs.nfsPrepared models the NFS after it (no cached negative dentry reaches
// ->atomic_open for an open: lookup_open's d_revalidate invalidates it; namei_open.ts).
//
// Divergence from Linux: the OPEN RPC is one step that also instantiates (d_splice_alias, or
// d_add(dentry, NULL) for ENOENT, which caches the negative dentry); no open state, delegations or
// attribute caching.

import { AUX_INSTANTIATED, AUX_NEGATIVE, AUX_STALE, AUX_ENDED, OBJ_SERVER } from "../abi";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, goto_, yield_, callp, ret, ret_yield, ret_value } from "../kernel/task";
import { d_in_lookup, d_name, __d_add, d_lookup_done, d_invalidate, dobj } from "../kernel/dcache";
import { ENOENT } from "../kernel/errno";
import { nfs_fhget, i_obj, dir_inode } from "../kernel/inode";
import { assert_held_shared, lock_inode } from "../kernel/lockdep_assert";
import { srv_lookup, srv_is_dir } from "./server";
import { nfs_splice } from "./nfs";
import { FN_NFS_ATOMIC_OPEN_RDONLY, FN_D_ALLOC_PARALLEL } from "../kernel/fns";

// Locals: 0 dir, 1 dentry, 2 the dentry of its own d_alloc_parallel (switched), 3 server object.
const NAO_START: i32 = 0, NAO_GOT: i32 = 1, NAO_RPC: i32 = 2, NAO_END: i32 = 3, NAO_ALLOC: i32 = 4;

export function nfs_atomic_open_rdonly_state(pc: i32): string {
  switch (pc) {
    case NAO_START: return "d_drop";
    case NAO_ALLOC: return "d_alloc_parallel";
    case NAO_GOT: return "d_in_lookup";
    case NAO_RPC: return "OPEN";
    case NAO_END: return "d_lookup_done (switched)";
    default: return "";
  }
}

/** Models: nfs_atomic_open() without O_CREAT. Locking: the parent's i_rwsem held shared on entry
 *  and exit. Returns 0 (opened), -ENOENT, or (switched, finish_no_open) the dentry of its own
 *  d_alloc_parallel, referenced, which the caller uses in place of its own. */
export function nfs_atomic_open_rdonly(t: i32, fr: usize): i32 {
  const fn = FN_NFS_ATOMIC_OPEN_RDONLY;
  const dir = L(fr, 0), d = L(fr, 1), own = L(fr, 2);
  switch (pc_of(fr)) {
    case NAO_START:
      assert_held_shared(t, lock_inode(dir), "nfs_atomic_open");
      if (d_in_lookup(d)) return goto_(fr, NAO_RPC);
      // not O_CREAT and handed a dentry not in lookup: d_drop() it, then d_alloc_parallel()
      d_invalidate(d);
      ev(t, fn, NAO_START, dobj(d), d_name(d), 0, AUX_STALE);
      return yield_(fr, NAO_ALLOC);
    case NAO_ALLOC:
      return callp(t, fr, NAO_GOT, FN_D_ALLOC_PARALLEL, dir, d_name(d));
    case NAO_GOT: {
      const r = ret_value(t);
      if (r < 0) return ret(t, r);
      if (!d_in_lookup(r)) return ret(t, r);   // finish_no_open(file, dentry)
      setL(fr, 2, r);
      return goto_(fr, NAO_RPC);
    }
    case NAO_RPC: {
      const target = own != 0 ? own : d;
      const o = srv_lookup(i_obj(dir_inode(dir)), d_name(target));
      setL(fr, 3, o);
      if (o != 0) nfs_splice(t, nfs_fhget(o, srv_is_dir(o), d_name(target)), target);
      else __d_add(t, target, 0);   // ENOENT: d_add(dentry, NULL)
      ev(t, fn, NAO_RPC, o != 0 ? (OBJ_SERVER << 24) | o : dobj(target), d_name(target), o, o != 0 ? AUX_INSTANTIATED : AUX_NEGATIVE);
      return yield_(fr, NAO_END);
    }
    case NAO_END: {
      assert_held_shared(t, lock_inode(dir), "nfs_atomic_open");
      if (own == 0) return ret(t, L(fr, 3) != 0 ? 0 : ENOENT);
      if (!d_in_lookup(own)) return ret(t, own);
      d_lookup_done(t, own);
      ev(t, fn, NAO_END, dobj(own), d_name(own), own, AUX_ENDED);
      return ret_yield(t, own);
    }
  }
  model_assert(false, "nfs_atomic_open (O_RDONLY): bad pc");
  return STEP_NEXT;
}
