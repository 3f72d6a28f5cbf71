// Models: fs/xfs/xfs_iops.c xfs_vn_ci_lookup() — the ->lookup of a case-insensitive (ASCII CI)
// XFS directory, for a name whose on-disk entry differs in case: xfs_lookup() finds the entry
// and its exact-case name (ci_name), and d_add_ci() gives the dcache the exact-case dentry
// instead of the one ->lookup was handed (kernel-model.md 4.6, (c1)). The 2026 series
// ("[PATCH v3 08/19] VFS/xfs/ntfs: drop parent lock across d_alloc_parallel() in d_add_ci()",
// Message-ID 20260427040517.828226-9-neilb@ownmail.net) passes !!(flags & LOOKUP_SHARED) to
// d_add_ci so that it can drop and retake the parent lock (fs.ciLookup drop-lock).
//
// Source read: xfs_vn_ci_lookup and d_add_ci as quoted in the hunks of that patch and of its
// March 2026 form (08/53, Message-ID 20260312214330.3885211-9-neilb@ownmail.net), and mainline
// d_add_ci in stored fs/dcache.c copies (d_alloc_parallel(dentry->d_parent, name, dentry->d_wait)).
//
// Divergence from Linux: fs.ciLookup is a knob on fs.type nfs: the server's objects stand for the
// on-disk directory (xfs_lookup is one step, a sleep point, with the iget of the inode), the
// names in fs.ciNames are looked up through xfs_vn_ci_lookup and every other name through the
// NFS model's nfs_lookup (an exact match on XFS would d_splice_alias the same way; a miss returns
// NULL without a negative dentry on CI XFS, where NFS caches one). Dentry names compare exactly,
// as XFS's do (Eugen Hristev's d_alloc_parallel_check_existing patch notes that XFS's dcache
// hash and compare are not case-insensitive, which is why the nested d_alloc_parallel creates a
// second dentry instead of finding the outer one). Only __lookup_slow calls it (stat and path
// walks); the validator keeps case-folded names out of the other ops.

import { AUX_POSITIVE, AUX_NEGATIVE, OBJ_SERVER } from "../abi";
import { ev } from "../sim/trace";
import { model_assert } from "../sim/verdict";
import { STEP_NEXT, L, setL, pc_of, call, yield_, ret, ret_yield, ret_value } from "../kernel/task";
import { sfw, F_PC } from "../sim/state";
import { d_name, lookup_begin, lookup_end, dobj } from "../kernel/dcache";
import { nfs_fhget, i_obj, dir_inode } from "../kernel/inode";
import { ci_exact } from "../sim/config";
import { srv_lookup, srv_is_dir } from "./server";
import { FN_XFS_VN_CI_LOOKUP, FN_D_ADD_CI } from "../kernel/fns";
import { assert_held_shared, assert_owns_in_lookup, lock_inode } from "../kernel/lockdep_assert";

// Locals: 0 dir, 1 dentry, 2 flags, 3 inode.
const XL_LOOKUP: i32 = 0, XL_CI: i32 = 1, XL_RET: i32 = 2;

export function xfs_vn_ci_lookup_state(pc: i32): string {
  switch (pc) {
    case XL_LOOKUP: return "xfs_lookup";
    case XL_CI: return "d_add_ci";
    case XL_RET: return "return";
    default: return "";
  }
}

/** Models: xfs_vn_ci_lookup() for a case-insensitive match. Locking: parent i_rwsem held shared
 *  (LOOKUP_SHARED: __lookup_slow); d_add_ci may drop and retake it (fs.ciLookup drop-lock).
 *  Returns NULL (no such entry: no negative dentry), the exact-case dentry (referenced), or
 *  -errno. */
export function xfs_vn_ci_lookup(t: i32, fr: usize): i32 {
  const dir = L(fr, 0), d = L(fr, 1);
  const exact = ci_exact(d_name(d));
  switch (pc_of(fr)) {
    case XL_LOOKUP: {
      model_assert(exact != 0, "xfs_vn_ci_lookup: the name is not case-folded");
      assert_held_shared(t, lock_inode(dir), "xfs_vn_ci_lookup");
      assert_owns_in_lookup(t, d, "xfs_vn_ci_lookup");
      lookup_begin(t, d);
      const o = srv_lookup(i_obj(dir_inode(dir)), exact);
      if (o == 0) {
        lookup_end(d);
        ev(t, FN_XFS_VN_CI_LOOKUP, XL_LOOKUP, dobj(d), d_name(d), 0, AUX_NEGATIVE);
        return ret_yield(t, 0);
      }
      setL(fr, 3, nfs_fhget(o, srv_is_dir(o), exact));   // xfs_iget: the inode ci_name names
      ev(t, FN_XFS_VN_CI_LOOKUP, XL_LOOKUP, (OBJ_SERVER << 24) | o, exact, o, AUX_POSITIVE);
      return yield_(fr, XL_CI);
    }
    case XL_CI:
      sfw(fr, F_PC, XL_RET);
      return call(t, FN_D_ADD_CI, d, L(fr, 3), exact, 0);
    case XL_RET:
      lookup_end(d);
      return ret(t, ret_value(t));
  }
  model_assert(false, "xfs_vn_ci_lookup: bad pc");
  return STEP_NEXT;
}
