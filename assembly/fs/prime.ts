// What the two priming filesystems share: the allocation call chosen by fs.prime, and the
// drop-lock fallback of kernel-model.md 6.5 (2026 procfs: d_alloc_trylock; on -EWOULDBLOCK drop
// the shared directory lock, d_alloc_parallel, retake the lock).

import { PRIME_PARALLEL, PRIME_LOCKED, PRIME_DROP_LOCK } from "../abi";
import { prime } from "../sim/config";
import { FN_D_ALLOC_PARALLEL, FN_D_ALLOC_TRYLOCK, FN_D_ALLOC_LOCKED } from "../kernel/fns";
import { rwsem_writer } from "../kernel/rwsem";
import { inode_lock, inode_lock_shared, inode_unlock, inode_unlock_shared } from "../kernel/inode";
import { L, setL } from "../kernel/task";

/** The d_alloc_* a readdir primer calls first. */
export function prime_alloc_fn(): i32 {
  if (prime == PRIME_PARALLEL) return FN_D_ALLOC_PARALLEL;
  if (prime == PRIME_LOCKED) return FN_D_ALLOC_LOCKED;
  return FN_D_ALLOC_TRYLOCK; // d_alloc_trylock and drop-lock
}

@inline export function prime_drops_lock(): bool { return prime == PRIME_DROP_LOCK; }

/** drop-lock: release the directory lock the primer runs under (shared under ->iterate_shared,
 *  exclusive under wrap_directory_iterator), remembering which in local `slot`. */
export function prime_unlock(t: i32, fr: usize, fn: i32, pc: i32, next: i32, inode: i32, slot: i32): i32 {
  const exclusive = rwsem_writer(inode) == t;
  setL(fr, slot, exclusive ? 1 : 0);
  return exclusive ? inode_unlock(t, fr, fn, pc, next, inode) : inode_unlock_shared(t, fr, fn, pc, next, inode);
}

/** drop-lock: retake the lock in the mode prime_unlock() released. */
export function prime_relock(t: i32, fr: usize, fn: i32, pc: i32, next: i32, inode: i32, slot: i32): i32 {
  return L(fr, slot) != 0 ? inode_lock(t, fr, fn, pc, next, inode) : inode_lock_shared(t, fr, fn, pc, next, inode);
}
