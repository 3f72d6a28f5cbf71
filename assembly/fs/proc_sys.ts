// Models: fs/proc/proc_sysctl.c — /proc/sys readdir (proc_sys_readdir -> scan ->
// proc_sys_fill_cache) and its ->lookup (proc_sys_lookup, modelled by procfs.ts proc_lookup:
// both build the inode with new_inode() + get_next_ino() and d_splice_alias it).
//
// Inode numbering: proc_sys_make_inode() sets i_ino = get_next_ino(), like proc_pid_make_inode(),
// so an inode number exists only once the inode is built and a second inode for the same sysctl
// entry gets another number. proc_sys_fill_cache emits d_inode(child)->i_ino as d_ino, so d_ino
// matches st_ino only if readdir and stat use the same dentry: the ino-consistency check applies
// as for procfs (kernel-model.md 4.2, c8).
//
// Unlike proc_fill_cache there is no fallback emission: when d_alloc_parallel (or d_alloc_trylock)
// fails, proc_sys_fill_cache returns false and scan() stops the readdir there (getdents returns
// what it has; the next getdents call resumes at that entry). The 2026 procfs patch (NeilBrown,
// "procfs: drop parent lock for d_alloc_parallel() in iterate_shared()", quoted in Message-ID
// 177737546960.1474915.10696166841821338403@noble.neil.brown.name) gives proc_sys_fill_cache the
// same d_alloc_trylock + drop-lock fallback as proc_fill_cache: fs.prime = drop-lock.
//
// Divergence from Linux: the sysctl table is fixed for a run (no unregistering, so no -ENOENT
// from proc_sys_make_inode and no d_revalidate failure); no "." / ".." (dir_emit_dots), no
// symlink entries (proc_sys_link_fill_cache), no ctx->pos; the steps of proc_sys_fill_cache are
// procfs.ts fill_cache's, including its d_lookup step (the 2026 patch folds that lookup into
// d_alloc_trylock; the model keeps it for every fs.prime, as for procfs).

import { ret, ret_value, L, setL, pc_of, goto_, call } from "../kernel/task";
import { assert_held, lock_inode } from "../kernel/lockdep_assert";
import { sfw, F_PC } from "../sim/state";
import { srv_children_mask } from "./server";
import { i_obj, dir_inode } from "../kernel/inode";
import { fill_cache, FILL_STOP, proc_fill_cache_state } from "./procfs";
import { FN_PROC_SYS_FILL_CACHE } from "../kernel/fns";

// ---- proc_sys_readdir ---------------------------------------------------------------------------
// Locals: 0 dir, 1 listing (object mask), 2 next object id.
export function proc_sys_readdir_state(pc: i32): string { return pc == 0 ? "first_entry" : pc == 1 ? "scan: next_entry" : ""; }

/** Models: proc_sys_readdir(): every entry of the ctl_dir through proc_sys_fill_cache(), until
 *  one returns false. Locking: directory i_rwsem held (shared by iterate_dir; exclusive under wrap_directory_iterator, fs.iterate = wrapped). */
export function proc_sys_readdir(t: i32, fr: usize): i32 {
  const dir = L(fr, 0);
  if (pc_of(fr) == 0) {
    assert_held(t, lock_inode(dir), "proc_sys_readdir");
    setL(fr, 1, <i32>srv_children_mask(i_obj(dir_inode(dir))));
    setL(fr, 2, 1);
    return goto_(fr, 1);
  }
  if (L(fr, 2) > 1 && ret_value(t) == FILL_STOP) return ret(t, 0);
  const mask = <u32>L(fr, 1);
  let o = L(fr, 2);
  while (o < 32 && (mask & ((<u32>1) << o)) == 0) o++;
  if (o >= 32) return ret(t, 0);
  setL(fr, 2, o + 1);
  sfw(fr, F_PC, 1);
  return call(t, FN_PROC_SYS_FILL_CACHE, dir, o);
}

// ---- proc_sys_fill_cache ------------------------------------------------------------------------
export function proc_sys_fill_cache_state(pc: i32): string {
  const s = proc_fill_cache_state(pc);
  if (s == "try_lookup_noperm") return "d_lookup";
  if (s == "instantiate: proc_pid_make_inode") return "proc_sys_make_inode";
  if (s == "instantiate: d_splice_alias") return "d_splice_alias_ops";
  if (s == "dir_emit (fallback ino)") return "";
  return s;
}

/** Models: proc_sys_fill_cache(). Locking: directory i_rwsem held on entry and exit, as the
 *  readdir holds it (drop-lock releases it around d_alloc_parallel); checked in fill_cache. The
 *  on-stack wait queue lives in this frame. */
export function proc_sys_fill_cache(t: i32, fr: usize): i32 { return fill_cache(t, fr, FN_PROC_SYS_FILL_CACHE); }
