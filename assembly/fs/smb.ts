// Models: fs/smb/client — readdir priming (cifs_readdir -> cifs_filldir -> cifs_prime_dcache)
// and ->lookup (cifs_lookup). The steps are netfs.ts's, shared with FUSE.
//
// Divergence from Linux: see netfs.ts (one FIND_FIRST reply lists the directory; the uniqueid is
// the server object id; the mountpoint skip and the cached-directory lease are not modelled;
// CIFS_FATTR_NEED_REVAL is fs.needReval, for every entry alike, not per entry). The directory operations
// (cifs_mkdir, cifs_atomic_open/cifs_create, cifs_unlink, cifs_rename2) are the NFS model's
// server operations (nfs.ts nfs_dirop), so traces name them nfs_mkdir etc.

import { net_readdir, net_prime_dcache, net_lookup, NR_REQUEST, NR_NEXT, NP_LOOKUP, NP_ALLOC, NP_GOT,
  NP_EXISTING, NP_IGET, NP_SPLICE, NP_DONE, NP_DPUT, NL_REQUEST, NL_REPLY } from "./netfs";
import { FN_CIFS_READDIR, FN_CIFS_PRIME_DCACHE, FN_CIFS_LOOKUP } from "../kernel/fns";

export function cifs_readdir_state(pc: i32): string {
  return pc == NR_REQUEST ? "FIND_FIRST: request, server replies" : pc == NR_NEXT ? "cifs_filldir: next entry" : "";
}

/** Models: cifs_readdir(). Locking: directory i_rwsem held shared (iterate_dir). */
export function cifs_readdir(t: i32, fr: usize): i32 { return net_readdir(t, fr, FN_CIFS_READDIR, FN_CIFS_PRIME_DCACHE); }

export function cifs_prime_dcache_state(pc: i32): string {
  switch (pc) {
    case NP_LOOKUP: return "try_lookup_noperm";
    case NP_ALLOC: return "CIFS_FATTR_NEED_REVAL? else d_alloc_parallel";
    case NP_GOT: return "d_in_lookup";
    case NP_EXISTING: return "uniqueid check: update in place or d_invalidate";
    case NP_IGET: return "cifs_iget";
    case NP_SPLICE: return "d_splice_alias";
    case NP_DONE: return "d_lookup_done";
    case NP_DPUT: return "dput";
    default: return "";
  }
}

/** Models: cifs_prime_dcache(): an existing positive dentry with the same uniqueid is updated in
 *  place; a negative one or one for another file is d_invalidate'd and the primer retries from
 *  d_alloc_parallel; a new in-lookup one gets cifs_iget, d_splice_alias, d_lookup_done; a
 *  hashed dentry d_alloc_parallel returns after waiting is checked like a cached one.
 *  Locking: directory held shared on entry and exit. */
export function cifs_prime_dcache(t: i32, fr: usize): i32 { return net_prime_dcache(t, fr, FN_CIFS_PRIME_DCACHE); }

export function cifs_lookup_state(pc: i32): string {
  return pc == NL_REQUEST ? "query info: request, server replies" : pc == NL_REPLY ? "reply: d_splice_alias (cifs_iget if found)" : "";
}

/** Models: cifs_lookup() (->lookup): query the server, then d_splice_alias (NULL for -ENOENT:
 *  a hashed negative dentry). Locking: parent i_rwsem held. */
export function cifs_lookup(t: i32, fr: usize): i32 { return net_lookup(t, fr, FN_CIFS_LOOKUP); }
