// Models: fs/fuse — readdirplus priming (fuse_readdir_uncached -> parse_dirplusfile ->
// fuse_direntplus_link) and ->lookup (fuse_lookup), with the daemon's reply to each request as a
// step of its own, so a lookup and a readdir of the same name interleave as they can in Linux.
// The steps are netfs.ts's, shared with the SMB client.
//
// Divergence from Linux: see netfs.ts (one READDIRPLUS reply lists the directory; nodeid and
// generation are one server object id; fuse_lock_inode() is not modelled). fuse_direntplus_link's
// non-zero return (the caller then sends FUSE_FORGET) and the nlookup count are not modelled; the
// directory operations (fuse_mkdir, fuse_create_open, fuse_unlink, fuse_rename2) are the NFS
// model's server operations (nfs.ts nfs_dirop: the request, then d_instantiate / d_delete /
// d_move), so traces name them nfs_mkdir etc.

import { net_readdir, net_prime_dcache, net_lookup, NR_REQUEST, NR_NEXT, NP_LOOKUP, NP_ALLOC, NP_GOT,
  NP_EXISTING, NP_IGET, NP_SPLICE, NP_DONE, NP_DPUT, NL_REQUEST, NL_REPLY } from "./netfs";
import { FN_FUSE_READDIR, FN_FUSE_DIRENTPLUS_LINK, FN_FUSE_LOOKUP } from "../kernel/fns";

export function fuse_readdir_state(pc: i32): string {
  return pc == NR_REQUEST ? "FUSE_READDIRPLUS: request, daemon replies" : pc == NR_NEXT ? "parse_dirplusfile: next entry" : "";
}

/** Models: fuse_readdir() -> fuse_readdir_uncached() with FUSE_READDIRPLUS. Locking: directory
 *  i_rwsem held shared (iterate_dir). */
export function fuse_readdir(t: i32, fr: usize): i32 { return net_readdir(t, fr, FN_FUSE_READDIR, FN_FUSE_DIRENTPLUS_LINK); }

export function fuse_direntplus_link_state(pc: i32): string {
  switch (pc) {
    case NP_LOOKUP: return "d_lookup";
    case NP_ALLOC: return "d_alloc_parallel";
    case NP_GOT: return "d_in_lookup";
    case NP_EXISTING: return "get_node_id / fuse_stale_inode";
    case NP_IGET: return "fuse_iget";
    case NP_SPLICE: return "d_splice_alias";
    case NP_DONE: return "d_lookup_done";
    case NP_DPUT: return "dput";
    default: return "";
  }
}

/** Models: fuse_direntplus_link(): an existing dentry whose inode has another nodeid, or is
 *  stale, or a negative one: fuse_make_bad, d_invalidate, dput, retry from d_alloc_parallel; a
 *  matching one: attributes updated; a new in-lookup one: fuse_iget, d_splice_alias,
 *  d_lookup_done. Locking: directory held shared on entry and exit. */
export function fuse_direntplus_link(t: i32, fr: usize): i32 { return net_prime_dcache(t, fr, FN_FUSE_DIRENTPLUS_LINK); }

export function fuse_lookup_state(pc: i32): string {
  return pc == NL_REQUEST ? "FUSE_LOOKUP: request, daemon replies" : pc == NL_REPLY ? "reply: d_splice_alias (fuse_iget if found)" : "";
}

/** Models: fuse_lookup() (->lookup): FUSE_LOOKUP, then d_splice_alias of the reply (a NULL
 *  inode for ENOENT or nodeid 0: a hashed negative dentry). Locking: parent i_rwsem held. */
export function fuse_lookup(t: i32, fr: usize): i32 { return net_lookup(t, fr, FN_FUSE_LOOKUP); }
