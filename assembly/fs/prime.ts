// What the two priming filesystems share: the allocation call chosen by fs.prime, and the
// drop-lock fallback of kernel-model.md 6.5 (2026 procfs: d_alloc_noblock; on -EWOULDBLOCK drop
// the shared directory lock, d_alloc_parallel, retake the lock).

import { PRIME_PARALLEL, PRIME_NOBLOCK, PRIME_LOCKED, PRIME_DROP_LOCK } from "../abi";
import { prime } from "../sim/config";
import { FN_D_ALLOC_PARALLEL, FN_D_ALLOC_NOBLOCK, FN_D_ALLOC_LOCKED } from "../kernel/fns";

/** The d_alloc_* a readdir primer calls first. */
export function prime_alloc_fn(): i32 {
  if (prime == PRIME_PARALLEL) return FN_D_ALLOC_PARALLEL;
  if (prime == PRIME_LOCKED) return FN_D_ALLOC_LOCKED;
  return FN_D_ALLOC_NOBLOCK; // d_alloc_noblock and drop-lock
}

@inline export function prime_drops_lock(): bool { return prime == PRIME_DROP_LOCK; }
export { PRIME_NOBLOCK };
