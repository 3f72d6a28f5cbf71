// What the two priming filesystems share: the allocation call chosen by fs.prime, and the
// drop-lock fallback of kernel-model.md 6.5 (2026 procfs: d_alloc_trylock; on -EWOULDBLOCK drop
// the shared directory lock, d_alloc_parallel, retake the lock), whose steps nfs_prime_dcache and
// proc_fill_cache / proc_sys_fill_cache take through drop_lock_step().

import { PRIME_PARALLEL, PRIME_LOCKED, PRIME_DROP_LOCK } from "../abi";
import { prime } from "../sim/config";
import { FN_D_ALLOC_PARALLEL, FN_D_ALLOC_TRYLOCK, FN_D_ALLOC_LOCKED } from "../kernel/fns";
import { rwsem_writer } from "../kernel/rwsem";
import { inode_lock, inode_lock_shared, inode_unlock, inode_unlock_shared, dir_inode } from "../kernel/inode";
import { L, setL, callp, ret_value } from "../kernel/task";
import { model_assert } from "../sim/verdict";

/** The d_alloc_* a readdir primer calls first. */
export function prime_alloc_fn(): i32 {
  if (prime == PRIME_PARALLEL) return FN_D_ALLOC_PARALLEL;
  if (prime == PRIME_LOCKED) return FN_D_ALLOC_LOCKED;
  return FN_D_ALLOC_TRYLOCK; // d_alloc_trylock and drop-lock
}

@inline export function prime_drops_lock(): bool { return prime == PRIME_DROP_LOCK; }

/** drop-lock: release the directory lock the primer runs under (shared under ->iterate_shared,
 *  exclusive under wrap_directory_iterator), remembering which in local `slot`. */
function prime_unlock(t: i32, fr: usize, fn: i32, pc: i32, next: i32, inode: i32, slot: i32): i32 {
  const exclusive = rwsem_writer(inode) == t;
  setL(fr, slot, exclusive ? 1 : 0);
  return exclusive ? inode_unlock(t, fr, fn, pc, next, inode) : inode_unlock_shared(t, fr, fn, pc, next, inode);
}

/** drop-lock: retake the lock in the mode prime_unlock() released. */
function prime_relock(t: i32, fr: usize, fn: i32, pc: i32, next: i32, inode: i32, slot: i32): i32 {
  return L(fr, slot) != 0 ? inode_lock(t, fr, fn, pc, next, inode) : inode_lock_shared(t, fr, fn, pc, next, inode);
}

// ---- the drop-lock steps ----------------------------------------------------------------------
// A primer that uses them numbers its steps so that these four are its own (its state names name
// them) and keeps its frame locals so: 0 the directory, 2 the name, 5 the d_alloc_parallel result,
// 6 whether the lock was held exclusive.
export const DROP_LOCK_UNLOCK: i32 = 8, DROP_LOCK_ALLOC: i32 = 9, DROP_LOCK_RELOCK: i32 = 10, DROP_LOCK_RELOCKED: i32 = 11;
const L_NAME: i32 = 2, L_RESULT: i32 = 5, L_EXCLUSIVE: i32 = 6;

/** The result d_alloc_parallel gave the drop-lock steps, for the primer at DROP_LOCK_RELOCKED. */
@inline export function drop_lock_result(fr: usize): i32 { return L(fr, L_RESULT); }

/** drop-lock, at DROP_LOCK_UNLOCK: release the directory lock; at DROP_LOCK_ALLOC: d_alloc_parallel
 *  unlocked; at DROP_LOCK_RELOCK: retake the lock in the mode it was held, then go on at
 *  DROP_LOCK_RELOCKED, where the primer takes drop_lock_result() as its allocation's result. */
export function drop_lock_step(t: i32, fr: usize, fn: i32, pc: i32): i32 {
  const dir = L(fr, 0);
  if (pc == DROP_LOCK_UNLOCK) return prime_unlock(t, fr, fn, DROP_LOCK_UNLOCK, DROP_LOCK_ALLOC, dir_inode(dir), L_EXCLUSIVE);
  if (pc == DROP_LOCK_ALLOC) return callp(t, fr, DROP_LOCK_RELOCK, FN_D_ALLOC_PARALLEL, dir, L(fr, L_NAME));
  model_assert(pc == DROP_LOCK_RELOCK, "drop_lock_step: bad pc");
  setL(fr, L_RESULT, ret_value(t));
  return prime_relock(t, fr, fn, DROP_LOCK_RELOCK, DROP_LOCK_RELOCKED, dir_inode(dir), L_EXCLUSIVE);
}
