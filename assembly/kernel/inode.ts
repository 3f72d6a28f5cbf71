// Models: fs/inode.c (the inode cache, get_next_ino) and the inode_lock*() wrappers of
// include/linux/fs.h around the directory's i_rwsem.

import { OBJ_INODE, WAIT_RWSEM_READ, WAIT_RWSEM_WRITE, AUX_GRANTED, AUX_QUEUED, AUX_RELEASED, AUX_INTERRUPTED } from "../abi";
import {
  iw, siw, gw, sgw, dw, inode_addr, I_USED, I_INO, I_OBJ, I_IS_DIR, I_NAME, I_WORDS, I_FLAGS, I_DYING, S_DEAD, S_DYING,
  MAX_INODES, G_NEXT_INO, G_I_HWM, D_INODE,
} from "../sim/state";
import { model_assert } from "../sim/verdict";
import { fp_on, fp_next_ino } from "../sim/footprint";
import { ev } from "../sim/trace";
import { down_read, down_write, up_read, up_write, down_read_killable, RWSEM_GRANTED, RWSEM_INTR } from "./rwsem";
import { block, block_killable, yield_ } from "./task";
import { fatal_signal_pending } from "./signal";
import { EINTR } from "./errno";

/** NFS inode numbers are the server's fileids: FILEID_BASE + server object id. */
export const FILEID_BASE: i32 = 1000;

@inline export function iobj(inode: i32): i32 { return (OBJ_INODE << 24) | inode; }
@inline export function i_ino(inode: i32): i32 { return iw(inode, I_INO); }
@inline export function i_obj(inode: i32): i32 { return iw(inode, I_OBJ); }
@inline export function i_is_dir(inode: i32): bool { return iw(inode, I_IS_DIR) != 0; }
@inline export function i_name(inode: i32): i32 { return iw(inode, I_NAME); }
/** Models: IS_DEADDIR() (include/linux/fs.h): S_DEAD in i_flags. The footprint is the
 *  directory's RWSEM object (i_flags sits with i_rwsem in the model's inode record): every op
 *  that looks a name up in the directory, or removes it, has that object in its future. */
@inline export function IS_DEADDIR(inode: i32): bool { return (iw(inode, I_FLAGS) & S_DEAD) != 0; }
/** vfs_rmdir(): `dentry->d_inode->i_flags |= S_DEAD` (victim i_rwsem held exclusive). */
@inline export function i_set_dead(inode: i32): void { siw(inode, I_FLAGS, iw(inode, I_FLAGS) | S_DEAD); }
/** S_DYING (NeilBrown's tree): set by rmdir_lock() with the victim's i_rwsem held exclusive,
 *  cleared by rmdir_unlock(); `t` is remembered for the waits-for graph. */
@inline export function IS_DYING(inode: i32): bool { return (iw(inode, I_FLAGS) & S_DYING) != 0; }
@inline export function i_set_dying(t: i32, inode: i32): void { siw(inode, I_FLAGS, iw(inode, I_FLAGS) | S_DYING); siw(inode, I_DYING, t + 1); }
@inline export function i_clear_dying(inode: i32): void { siw(inode, I_FLAGS, iw(inode, I_FLAGS) & ~S_DYING); siw(inode, I_DYING, 0); }
/** i_rwsem nesting subclasses for lockdep (include/linux/fs.h enum inode_i_mutex_lock_class:
 *  0 the object of the current VFS operation, 1 parent, 2 child/target, 3 xattr, 4 second
 *  non-directory, 5 second parent). The modelled paths take only these two. */
export const I_MUTEX_NORMAL: i32 = 0;
export const I_MUTEX_PARENT: i32 = 1;
/** The inode of a directory dentry (whose i_rwsem the namei paths take). */
@inline export function dir_inode(dentry: i32): i32 { return dw(dentry, D_INODE); }

/** Models: new_inode(): a fresh in-core inode for server object `obj`. */
export function new_inode(obj: i32, is_dir: bool, ino: i32, name: i32): i32 {
  let i = 1;
  while (i <= MAX_INODES && iw(i, I_USED) != 0) i++;
  model_assert(i <= MAX_INODES, "inode table full");
  if (i > gw(G_I_HWM)) sgw(G_I_HWM, i);
  // A new inode is reachable by no one until it is attached to a dentry (whose key the footprint
  // records), so zeroing its slot, i_rwsem included, conflicts with nothing.
  memory.fill(inode_addr(i), 0, <usize>I_WORDS << 2);
  siw(i, I_USED, 1);
  siw(i, I_INO, ino);
  siw(i, I_OBJ, obj);
  siw(i, I_IS_DIR, is_dir ? 1 : 0);
  siw(i, I_NAME, name);
  return i;
}

/** Models: fs/nfs/inode.c nfs_fhget(): the one in-core inode for a fileid (iget5_locked). */
export function nfs_fhget(obj: i32, is_dir: bool, name: i32): i32 {
  for (let i = 1, n = gw(G_I_HWM); i <= n; i++) if (iw(i, I_USED) != 0 && iw(i, I_OBJ) == obj) return i;
  return new_inode(obj, is_dir, FILEID_BASE + obj, name);
}

/** Models: fs/proc/base.c proc_pid_make_inode(): a new inode every time, numbered by
 *  get_next_ino(): proc inode numbers exist only once instantiated (kernel-model.md 4.2). */
export function proc_make_inode(obj: i32, is_dir: bool, name: i32): i32 {
  if (fp_on()) fp_next_ino();
  const ino = gw(G_NEXT_INO);
  sgw(G_NEXT_INO, ino + 1);
  return new_inode(obj, is_dir, ino, name);
}

// ---- inode_lock*() as atomic steps: take or release, trace, end the tick -----------------------

/** Models: inode_lock_shared(). Yields at `next`, granted or (blocked) queued.
 *  Sleeps: TASK_UNINTERRUPTIBLE (down_read). */
export function inode_lock_shared(t: i32, fr: usize, fn: i32, pc: i32, next: i32, inode: i32, subclass: i32 = I_MUTEX_NORMAL): i32 {
  if (down_read(t, inode, subclass)) {
    ev(t, fn, pc, iobj(inode), i_name(inode), 0, AUX_GRANTED);
    return yield_(fr, next);
  }
  ev(t, fn, pc, iobj(inode), i_name(inode), 0, AUX_QUEUED);
  return block(t, fr, next, WAIT_RWSEM_READ, inode);
}

/** Models: down_read_killable(&inode->i_rwsem) (inode_lock_shared_killable()). Yields at `next`
 *  granted, or queued asleep in TASK_KILLABLE (woken by the grant: resumes at `next` holding it;
 *  woken by a fatal signal first: kernel/signal.ts takes it off the queue and resumes at `intr`).
 *  With a fatal signal already pending and the lock not free: -EINTR at once, yield at `intr`. */
export function inode_lock_shared_killable(t: i32, fr: usize, fn: i32, pc: i32, next: i32, intr: i32, inode: i32): i32 {
  const r = down_read_killable(t, inode, fatal_signal_pending(t));
  if (r == RWSEM_GRANTED) {
    ev(t, fn, pc, iobj(inode), i_name(inode), 0, AUX_GRANTED);
    return yield_(fr, next);
  }
  if (r == RWSEM_INTR) {
    ev(t, fn, pc, iobj(inode), i_name(inode), EINTR, AUX_INTERRUPTED);
    return yield_(fr, intr);
  }
  ev(t, fn, pc, iobj(inode), i_name(inode), 0, AUX_QUEUED);
  return block_killable(t, fr, next, WAIT_RWSEM_READ, inode, intr);
}

/** Models: inode_lock() (I_MUTEX_NORMAL) / inode_lock_nested(inode, subclass). Sleeps:
 *  TASK_UNINTERRUPTIBLE. */
export function inode_lock(t: i32, fr: usize, fn: i32, pc: i32, next: i32, inode: i32, subclass: i32 = I_MUTEX_NORMAL): i32 {
  if (down_write(t, inode, subclass)) {
    ev(t, fn, pc, iobj(inode), i_name(inode), 0, AUX_GRANTED);
    return yield_(fr, next);
  }
  ev(t, fn, pc, iobj(inode), i_name(inode), 0, AUX_QUEUED);
  return block(t, fr, next, WAIT_RWSEM_WRITE, inode);
}

/** Models: inode_unlock_shared(). */
export function inode_unlock_shared(t: i32, fr: usize, fn: i32, pc: i32, next: i32, inode: i32): i32 {
  up_read(t, inode);
  ev(t, fn, pc, iobj(inode), i_name(inode), 0, AUX_RELEASED);
  return yield_(fr, next);
}

/** Models: inode_unlock(). */
export function inode_unlock(t: i32, fr: usize, fn: i32, pc: i32, next: i32, inode: i32): i32 {
  up_write(t, inode);
  ev(t, fn, pc, iobj(inode), i_name(inode), 0, AUX_RELEASED);
  return yield_(fr, next);
}
