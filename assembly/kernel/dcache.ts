// Models: fs/dcache.c — dentries, the main hash, the in-lookup hash and the in-lookup protocol:
// d_alloc_parallel(), d_alloc_trylock() (d_alloc_noblock() before May 2026), d_alloc_locked() + lock_lookup() (patch 11/11),
// d_wait_lookup(), d_lookup_done(), __d_add(), d_splice_alias(), d_move(), dput(), d_invalidate(),
// d_obtain_alias() (for nfsd's file handles) and d_add_ci() (a ->lookup's nested d_alloc_parallel).
//
// Locking (Linux): d_lock protects a dentry's flags, name, parent, refcount, hashed-ness and
// d_inode; in-lookup bucket bit locks nest inside d_lock; parent d_lock before child d_lock.
// In the model each function below that touches shared state is one atomic step, which is what
// those locks buy (kernel-model.md 2.5): search-or-insert (steps 2-6 of 2.1) is one step, ending
// an episode is one step, d_wait_lookup is a predicate wait "until not in-lookup".
//
// Divergence from Linux:
// - No RCU, d_seq or rename_lock: search-or-insert is atomic, so their retries never happen. The
//   planted bug no-dir-seq-recheck splits it in two to show what the i_dir_seq re-check prevents.
// - The NEW-PRIVATE dentry of 2.1 step 1 is not allocated up front: the dentry is allocated at the
//   moment it is inserted, except under kernel.series neilbrown-083efdc, whose __d_alloc_parallel
//   allocates `new` first with DCACHE_PAR_LOOKUP set (DAP_NEW; Al Viro's e95db51c81f5). No
//   modelled path waits on it: the tree's rmdir_lock skips children that are not on the
//   in-lookup hash, and its shrink_dcache_tree (shrink_dcache_parent, d_invalidate; not
//   modelled) waits only for dentries already being killed (docs/model.md, NEW-PRIVATE).
// - A dentry's key is (parent, name id); names compare exactly (no ->d_compare).
// - d_splice_alias() __d_move()s a disconnected IS_ROOT directory alias (nfsd, d_obtain_alias) into
//   place. A connected directory alias (__d_unalias, -ELOOP/-ESTALE) is not modelled: the run
//   stops as a model fault there. One arises only after a d_drop window let a second dentry of the
//   name be made (the proposed order's NFS nfs_add_or_obtain), past S2, which __d_move checks.
// - Killing a dentry frees its slot at once (no LRU, no RCU delay); a hashed dentry is kept.

import {
  WAIT_IN_LOOKUP, WAIT_LOOKUP_LOCK, WAIT_DYING_DIR, OBJ_DENTRY, SERIES_NEILBROWN_083EFDC, SERIES_AUG_2025,
  WQ_VAR_EVENT, PLANT_NO_WAKE, PLANT_NO_DIR_SEQ_RECHECK, PLANT_LOCK_LOOKUP_NOWAIT, AUX_HIT,
  AUX_IN_LOOKUP, AUX_NEW, AUX_SLEEP, AUX_RETRY, AUX_LOCKED, AUX_MISS, AUX_NONE, LOCKDEP_IN_LOOKUP,
  LOCKDEP_LOOKUP_LOCK, AUX_INSTANTIATED, WQ_ON_STACK, PLANT_D_MOVE_WAKES_ALIAS, CI_DROP_LOCK,
} from "../abi";
import { EAGAIN, ENOENT, EWOULDBLOCK } from "./errno";
import {
  dw, sdw, dw_raw, sdw_raw, fp_dentry, gw, sgw, tw, stw, T_EPISODES, D_FLAGS, D_PARENT, D_NAME, D_INODE, D_REF, D_OWNER, D_LOCKER, D_WQ_FRAME,
  D_WAITERS, D_LOOKUPS, D_WORDS, MAX_DENTRIES, G_D_HWM, G_INLOOKUP, G_SHAPE_DIRTY, G_WAKE_DIRTY, T_SP,
  DCACHE_ALLOCATED, DCACHE_PAR_LOOKUP, DCACHE_HASHED, DCACHE_IN_LOOKUP_HASH, DCACHE_LOOKUP_LOCKED,
  DCACHE_LOOKUP_WAITERS, DCACHE_DISCONNECTED,
} from "../sim/state";
import { n_tasks, waitqueue, planted, series, ci_lookup } from "../sim/config";
import { IS_DEADDIR, IS_DYING, dir_inode, i_is_dir, inode_lock_shared, inode_unlock_shared } from "./inode";
import { fp_on, fp_key, fp_ref } from "../sim/footprint";
import { model_assert } from "../sim/verdict";
import {
  check_unique_hashed, check_inlookup_unique, check_episode_ender, check_final_dput, check_add_once, check_duplicate,
  check_single_lookup, wq_woken_again, wq_entries_left, L_WQ_LEFT,
} from "../check/dentry";
import { ev } from "../sim/trace";
import { STEP_NEXT, L, setL, pc_of, goto_, yield_, ret, ret_yield, ret_value, block, wake_all, call } from "./task";
import { FN_D_ALLOC_TRYLOCK, FN_D_ALLOC_LOCKED, FN_LOCK_LOOKUP, FN_D_ALLOC_PARALLEL, FN_D_ADD_CI } from "./fns";
import { sfw, F_PC, F_L0, frame_addr } from "../sim/state";
import { lockdep_acquire, lockdep_wait, lockdep_end_episode, in_lookup_class } from "../check/lockdep";
import { assert_held, assert_held_exclusive, assert_held_shared, assert_not_held, assert_owns_in_lookup, parent_lock_inode, lock_inode } from "./lockdep_assert";

@inline export function dobj(d: i32): i32 { return (OBJ_DENTRY << 24) | d; }
@inline function has(d: i32, flag: i32): bool { return (dw(d, D_FLAGS) & flag) != 0; }
@inline function set_flag(d: i32, flag: i32): void { sdw(d, D_FLAGS, dw(d, D_FLAGS) | flag); }
@inline function clear_flag(d: i32, flag: i32): void { sdw(d, D_FLAGS, dw(d, D_FLAGS) & ~flag); }

@inline export function d_in_lookup(d: i32): bool { return has(d, DCACHE_PAR_LOOKUP); }
@inline export function d_unhashed(d: i32): bool { return !has(d, DCACHE_HASHED); }
@inline export function d_is_negative(d: i32): bool { return dw(d, D_INODE) == 0; }
@inline export function d_inode(d: i32): i32 { return dw(d, D_INODE); }
@inline export function d_name(d: i32): i32 { return dw(d, D_NAME); }
@inline export function d_parent(d: i32): i32 { return dw(d, D_PARENT); }
@inline export function d_alive(d: i32): bool { return has(d, DCACHE_ALLOCATED); }
@inline export function d_owner(d: i32): i32 { return dw(d, D_OWNER) - 1; }
@inline export function d_locker(d: i32): i32 { return dw(d, D_LOCKER) - 1; }

/** Models: __d_alloc() + d_set_d_op/parent linkage: a new unhashed negative dentry, refcount 1,
 *  holding a reference on its parent. Lowest free slot, so ids are deterministic. */
export function d_alloc(parent: i32, name: i32): i32 {
  let d = 1;
  while (d <= MAX_DENTRIES && (dw_raw(d, D_FLAGS) & DCACHE_ALLOCATED) != 0) d++;   // slot ids only name
  model_assert(d <= MAX_DENTRIES, "dentry table full");
  if (d > gw(G_D_HWM)) sgw(G_D_HWM, d);
  for (let f = 0; f < D_WORDS; f++) sdw_raw(d, f, 0);
  sdw_raw(d, D_FLAGS, DCACHE_ALLOCATED);
  sdw_raw(d, D_PARENT, parent);
  sdw_raw(d, D_NAME, name);
  sdw_raw(d, D_REF, 1);
  if (fp_on()) fp_dentry(d, true);
  if (parent != 0) dget(parent);
  return d;
}

/** Models: dget(). Reference counting commutes: the footprint is REF, not the dentry's key. */
export function dget(d: i32): void {
  if (fp_on()) fp_refcount(d, true);
  sdw_raw(d, D_REF, dw_raw(d, D_REF) + 1);
}

/** Footprint of a refcount change: REF(key) while the dentry stays referenced; the dentry's key
 *  when its fate (kept or killed) depends on its hashed state. */
function fp_refcount(d: i32, stays: bool): void {
  const parent = dw_raw(d, D_PARENT);
  const p = parent == 0 ? -1 : dw_raw(parent, D_NAME);
  if (stays) fp_ref(p, dw_raw(d, D_NAME)); else fp_key(p, dw_raw(d, D_NAME), true);
}

/** Models: dput(). An unhashed dentry is killed at its last reference and drops its parent. A
 *  final dput of a dentry still on the in-lookup hash is S6 (episode-end): it is left dangling on
 *  the chain, as in Linux, and never freed. */
export function dput(t: i32, d: i32): void {
  while (d != 0) {
    const ref = dw_raw(d, D_REF) - 1;
    model_assert(ref >= 0, "dput of a dentry with no references");
    if (fp_on()) fp_refcount(d, ref > 0);
    sdw_raw(d, D_REF, ref);
    if (ref > 0 || has(d, DCACHE_HASHED)) return;
    sgw(G_SHAPE_DIRTY, 1);
    if (check_final_dput(t, has(d, DCACHE_IN_LOOKUP_HASH))) return;   // S6
    const parent = dw(d, D_PARENT);
    sdw(d, D_FLAGS, 0);
    d = parent == d ? 0 : parent;   // an IS_ROOT dentry is its own parent
  }
}

/** Models: d_lookup() on the main hash: the hashed dentry for (parent, name), or 0. */
export function d_lookup(parent: i32, name: i32): i32 {
  if (fp_on()) fp_key_of(parent, name);
  for (let d = 1, n = gw(G_D_HWM); d <= n; d++) {
    if (dw_raw(d, D_NAME) != name || dw_raw(d, D_PARENT) != parent) continue;
    if ((dw_raw(d, D_FLAGS) & (DCACHE_ALLOCATED | DCACHE_HASHED)) == (DCACHE_ALLOCATED | DCACHE_HASHED)) return d;
  }
  return 0;
}

/** Footprint of a hash probe for (parent dentry, name). */
function fp_key_of(parent: i32, name: i32): void { fp_key(parent == 0 ? -1 : dw_raw(parent, D_NAME), name, false); }

/** The in-lookup hash chain scan (d_alloc_parallel step 6): the in-lookup dentry for the key. */
export function in_lookup_find(parent: i32, name: i32): i32 {
  if (fp_on()) fp_key_of(parent, name);
  if (gw(G_INLOOKUP) == 0) return 0;
  for (let d = 1, n = gw(G_D_HWM); d <= n; d++) {
    if (dw_raw(d, D_NAME) != name || dw_raw(d, D_PARENT) != parent) continue;
    if ((dw_raw(d, D_FLAGS) & DCACHE_IN_LOOKUP_HASH) != 0) return d;
  }
  return 0;
}

/** Insert a new in-lookup dentry owned by `t`; its wait queue lives in the caller's frame.
 *  `d`: the caller's NEW-PRIVATE dentry (kernel.series neilbrown-083efdc), or 0 to allocate. */
function d_insert_in_lookup(t: i32, parent: i32, name: i32, d: i32 = 0): i32 {
  check_inlookup_unique(t, in_lookup_find(parent, name) != 0 || d_lookup(parent, name) != 0);   // S2
  if (d == 0) d = d_alloc(parent, name);
  set_flag(d, DCACHE_PAR_LOOKUP | DCACHE_IN_LOOKUP_HASH);
  sdw(d, D_OWNER, t + 1);
  // the d_alloc_parallel frame is on top; the wait queue belongs to its caller (on-stack gen.)
  sdw(d, D_WQ_FRAME, ((t + 1) << 8) | (tw(t, T_SP) - 2));
  stw(t, T_EPISODES, tw(t, T_EPISODES) + 1);
  sgw(G_INLOOKUP, gw(G_INLOOKUP) + 1);
  sgw(G_SHAPE_DIRTY, 1);
  return d;
}

/** Models: d_duplicate() ("[PATCH 06/53] VFS: add d_duplicate()", Message-ID
 *  20260312214330.3885211-7-neilb@ownmail.net; neilbrown/linux @ 083efdc62e0e fs/dcache.c): a new
 *  in-lookup dentry with the name of the positive hashed `dentry`, put on the in-lookup hash
 *  without a search ("Because the original dentry exists, no other thread will try to create an
 *  in-lookup dentry"), its lookup_map taken with lock_map_acquire_try. The caller moves the
 *  original away (silly-rename, whiteout) and ends the new one's episode with d_lookup_done();
 *  meanwhile a d_alloc_parallel() that finds the name unhashed waits on the duplicate.
 *  The one documented exception to S2 (inlookup-unique), and only it: the new dentry may be in
 *  lookup while `dentry` is hashed under the same name, provided `dentry` is the one hashed
 *  dentry of the name and no other dentry of the name is in lookup; anything else is S2.
 *  Locking: parent i_rwsem held exclusive. Returns the new dentry (referenced, owned by t). */
export function d_duplicate(t: i32, dentry: i32): i32 {
  assert_held_exclusive(t, parent_lock_inode(dentry), "d_duplicate");
  const parent = dw(dentry, D_PARENT), name = dw(dentry, D_NAME);
  check_duplicate(t, dentry, d_lookup(parent, name), in_lookup_find(parent, name)); // S2's exception
  const d = d_alloc(parent, name);
  set_flag(d, DCACHE_PAR_LOOKUP | DCACHE_IN_LOOKUP_HASH);
  sdw(d, D_OWNER, t + 1);
  sdw(d, D_WQ_FRAME, ((t + 1) << 8) | (tw(t, T_SP) - 1));   // the caller's frame ends the episode
  stw(t, T_EPISODES, tw(t, T_EPISODES) + 1);
  sgw(G_INLOOKUP, gw(G_INLOOKUP) + 1);
  sgw(G_SHAPE_DIRTY, 1);
  lockdep_acquire(t, LOCKDEP_IN_LOOKUP, d, false, true);   // lock_map_acquire_try
  return d;
}

/** A function returns a dentry still in lookup to its caller on purpose (lookup_one_qstr for
 *  NFS exclusive create or rename target, patch 10/11): the episode now belongs to the caller's
 *  frame, which must end it. Divergence from Linux: with the on-stack wait queue the queue would
 *  still be in the returning frame; the series that returns in-lookup dentries waits through the
 *  global table / wait_var_event instead, so the model moves the queue with the episode. */
export function d_episode_to_caller(t: i32, d: i32): void {
  if (d_in_lookup(d) && dw(d, D_OWNER) == t + 1) {
    sdw(d, D_WQ_FRAME, ((t + 1) << 8) | (tw(t, T_SP) - 2));
    // a fresh queue in Linux (the returning frame's): no entries left by an earlier episode
    sfw(frame_addr(t, tw(t, T_SP) - 2), F_L0 + L_WQ_LEFT, 0);
  }
}

/** Models: __d_lookup_unhash() + the wake in __d_lookup_unhash_wake() / end_dir_add(): the end of
 *  an in-lookup episode. Caller: the owner (d_lookup_done, __d_add, d_move) or, under
 *  d_alloc_locked rules, the lookup-lock holder. Wakes d_wait_lookup and lock_lookup sleepers. */
export function __d_lookup_unhash(t: i32, d: i32, wake: bool = true): void {
  model_assert(d_in_lookup(d), "__d_lookup_unhash of a dentry not in lookup");
  const owner = dw(d, D_OWNER) - 1;
  const locker = has(d, DCACHE_LOOKUP_LOCKED) ? dw(d, D_LOCKER) - 1 : -1;
  check_episode_ender(t, owner, locker);   // S5, S15
  lockdep_end_episode(owner, locker, d);
  clear_flag(d, DCACHE_PAR_LOOKUP | DCACHE_IN_LOOKUP_HASH | DCACHE_LOOKUP_LOCKED);
  stw(owner, T_EPISODES, tw(owner, T_EPISODES) - 1);
  sgw(G_INLOOKUP, gw(G_INLOOKUP) - 1);
  sgw(G_SHAPE_DIRTY, 1);
  sgw(G_WAKE_DIRTY, 1);
  const had_waiters = has(d, DCACHE_LOOKUP_WAITERS) || dw(d, D_WAITERS) != 0;
  clear_flag(d, DCACHE_LOOKUP_WAITERS);
  const entries = dw(d, D_WAITERS);
  sdw(d, D_WAITERS, 0);
  // var-event generation: wake_up_var only if a waiter set DCACHE_LOOKUP_WAITERS; on-stack
  // generation: wake_up_all on the owner's queue. Either way every d_wait_lookup sleeper.
  if (!wake || planted(PLANT_NO_WAKE)) return;
  if (waitqueue == WQ_ON_STACK) {
    // the walk of the queue: S8 (a wait entry left by a waiter that has returned), then the
    // entries this wake leaves behind (6.17 d_wait_lookup never removes its entry)
    wq_woken_again(t, d, DAP_RECHECK);
    wq_entries_left(d, entries);
  }
  if (had_waiters || waitqueue != WQ_VAR_EVENT) wake_all(WAIT_IN_LOOKUP, d, n_tasks);
  wake_all(WAIT_LOOKUP_LOCK, d, n_tasks);   // wake_up_var_locked on d_lookup_locked
}

/** Models: the enqueue half of d_wait_lookup() for a caller outside d_alloc_parallel
 *  (rmdir_lock waiting for an in-lookup child): mark the dentry as having waiters. */
export function d_wait_lookup_prepare(t: i32, m: i32): void {
  if (waitqueue == WQ_VAR_EVENT) set_flag(m, DCACHE_LOOKUP_WAITERS);
  else sdw(m, D_WAITERS, dw(m, D_WAITERS) | (1 << t));
}

/** Models: d_lookup_done(): end the episode if still in lookup; idempotent. */
export function d_lookup_done(t: i32, d: i32): bool {
  if (!d_in_lookup(d)) return false;
  __d_lookup_unhash(t, d);
  return true;
}

/** Models: __d_add(): end the episode if in lookup (start_dir_add/end_dir_add), attach the inode
 *  (0: a negative dentry) and insert into the main hash unless it is hashed already. A hashed
 *  dentry is accepted from "[PATCH 02/53] VFS: enhance d_splice_alias() to handle in-lookup
 *  dentries" (Message-ID 20260312214330.3885211-3-neilb@ownmail.net) on, which drops
 *  d_splice_alias's BUG_ON(!d_unhashed(dentry)) and rehashes only an unhashed dentry: every
 *  kernel.series but aug-2025 (neilbrown/linux @ 083efdc62e0e documents the dentry as "negative
 *  and may be in-lookup or unhashed or hashed"). Before it a hashed dentry is S10. */
export function __d_add(t: i32, d: i32, inode: i32): void {
  if (!check_add_once(t, d, series != SERIES_AUG_2025)) return;                // S10 (hashed: 02/53)
  if (d_in_lookup(d)) __d_lookup_unhash(t, d);
  const h = d_lookup(dw(d, D_PARENT), dw(d, D_NAME));
  check_unique_hashed(t, h == d ? 0 : h);                                          // S1 (d itself may be hashed)
  check_inlookup_unique(t, in_lookup_find(dw(d, D_PARENT), dw(d, D_NAME)) != 0);  // S2
  sdw(d, D_INODE, inode);
  set_flag(d, DCACHE_HASHED);
  sgw(G_SHAPE_DIRTY, 1);
}

/** Models: d_instantiate(): attach `inode` to the negative dentry `d` as it is, hashed or not, in
 *  lookup or not (S10 if it is positive already: d_instantiate's BUG_ON). No alias search. */
export function d_instantiate(t: i32, d: i32, inode: i32): void {
  if (!check_add_once(t, d, true)) return;   // S10
  sdw(d, D_INODE, inode);
  sgw(G_SHAPE_DIRTY, 1);
}

/** Models: d_splice_alias() (d_splice_alias_ops without ops): a directory inode with a
 *  disconnected IS_ROOT alias (d_obtain_alias, nfsd file handles) has that alias __d_move()d into
 *  the dentry's place, which ends the dentry's episode, and returned; otherwise __d_add(), which
 *  takes a hashed negative dentry in place from 02/53 on and is S10 before it (kernel.series
 *  aug-2025: the BUG_ON). Returns 0 (use the dentry passed in) or the alias (referenced).
 *  Divergence from Linux: a connected directory alias (__d_unalias, -ELOOP, -ESTALE; fs/dcache.c
 *  d_splice_alias_ops) is not modelled: finding one stops the run as a model fault rather than
 *  hash a second dentry of the inode. The model has one client and renames within a directory, so
 *  one exists only when a d_drop window let a second dentry of the name in, and its hashing there
 *  already broke S2 (__d_move, __d_add). */
export function d_splice_alias(t: i32, inode: i32, d: i32): i32 {
  const alias = __d_find_any_alias(inode, d);
  if (alias != 0) {
    model_assert(is_root(alias), "d_splice_alias: the directory inode has a connected alias; __d_unalias is not modelled");
    if (d_unhashed(d)) {
      dget(alias);
      __d_move(t, alias, d);   // __d_move(new, dentry, false) under rename_lock: the alias takes d's parent and name
      return alias;
    }
  }
  __d_add(t, d, inode);
  return 0;
}

/** Models: __d_find_any_alias() as d_splice_alias() uses it, for a directory inode only: a dentry
 *  of `inode` other than `d`, or 0. An IS_ROOT one (DCACHE_DISCONNECTED, d_obtain_alias) is read
 *  into the footprint; a connected one has d's name under its parent (one client, renames within
 *  a directory), a key the splice writes anyway. DCACHE_DISCONNECTED stays set on an alias moved
 *  into place until reconnect_path clears it, so IS_ROOT, not the flag, tells them apart. */
function __d_find_any_alias(inode: i32, d: i32): i32 {
  if (inode == 0 || !i_is_dir(inode)) return 0;
  for (let e = 1, n = gw(G_D_HWM); e <= n; e++) {
    if (e == d || (dw_raw(e, D_FLAGS) & DCACHE_ALLOCATED) == 0 || dw_raw(e, D_INODE) != inode) continue;
    if (fp_on() && dw_raw(e, D_PARENT) == e) fp_dentry(e, true);
    return e;
  }
  return 0;
}

/** Models: d_obtain_alias() for a directory inode with no alias: d_alloc_anon() +
 *  __d_instantiate_anon(): an IS_ROOT (its own parent), unhashed, DCACHE_DISCONNECTED dentry,
 *  referenced. */
export function d_obtain_alias(inode: i32, name: i32): i32 {
  const d = d_alloc(0, name);
  sdw(d, D_PARENT, d);
  sdw(d, D_INODE, inode);
  set_flag(d, DCACHE_DISCONNECTED);
  sgw(G_SHAPE_DIRTY, 1);
  return d;
}
@inline export function d_disconnected(d: i32): bool { return has(d, DCACHE_DISCONNECTED); }
@inline export function is_root(d: i32): bool { return dw(d, D_PARENT) == d; }
/** Models: clear_disconnected() for a dentry whose parent is connected. */
export function clear_disconnected(d: i32): void { clear_flag(d, DCACHE_DISCONNECTED); sgw(G_SHAPE_DIRTY, 1); }

/** Models: d_invalidate() / __d_drop(): unhash, so the next lookup allocates afresh. */
export function d_invalidate(d: i32): void {
  clear_flag(d, DCACHE_HASHED);
  sgw(G_SHAPE_DIRTY, 1);
}

/** Models: d_delete(): the last user turns the dentry negative in place; otherwise unhash it. */
export function d_delete(d: i32): void {
  if (dw(d, D_REF) == 1) sdw(d, D_INODE, 0);
  else clear_flag(d, DCACHE_HASHED);
  sgw(G_SHAPE_DIRTY, 1);
}

/** Models: d_move() / __d_move() within one directory: `d` takes `target`'s name; target is
 *  unhashed; an in-lookup target's episode ends here (start_dir_add ... end_dir_add wakes).
 *  Locking: the directory's i_rwsem held exclusive (__d_move: the caller holds the i_rwsem of
 *  the source and target directories exclusively; rename_lock is not modelled). */
export function d_move(t: i32, d: i32, target: i32): void {
  assert_held_exclusive(t, parent_lock_inode(d), "d_move");
  __d_move(t, d, target);
}

/** Models: __d_move(): `d` takes `target`'s parent and name, target is unhashed, an in-lookup
 *  target's episode ends (start_dir_add ... end_dir_add wakes). Locking: d_move's callers hold
 *  the directory exclusive; d_splice_alias of a disconnected alias holds only rename_lock (not
 *  modelled). */
function __d_move(t: i32, d: i32, target: i32): void {
  // Planted bug d-move-wakes-alias: the end of the target's episode wakes `d` (on whose d_flags
  // nobody waits) instead of the target's waiters.
  if (d_in_lookup(target)) __d_lookup_unhash(t, target, !planted(PLANT_D_MOVE_WAKES_ALIAS));
  clear_flag(target, DCACHE_HASHED);
  clear_flag(d, DCACHE_HASHED);
  const parent = dw(target, D_PARENT), old = dw(d, D_PARENT);
  if (parent != old) {   // only a disconnected IS_ROOT alias (d_splice_alias) changes parent here
    dget(parent);
    sdw(d, D_PARENT, parent);
    if (old != d) dput(t, old);
  }
  sdw(d, D_NAME, dw(target, D_NAME));
  check_unique_hashed(t, d_lookup(dw(d, D_PARENT), dw(d, D_NAME)));   // S1
  check_inlookup_unique(t, in_lookup_find(dw(d, D_PARENT), dw(d, D_NAME)) != 0);   // S2 (target's episode ended above)
  set_flag(d, DCACHE_HASHED);
  sgw(G_SHAPE_DIRTY, 1);
}

/** S9 bookkeeping, not a kernel function: a ->lookup or readdir instantiate starts (checking that
 *  no other is in flight for the same (parent, name)) or ends on `d`. */
export function lookup_begin(t: i32, d: i32): void {
  sdw(d, D_LOOKUPS, dw(d, D_LOOKUPS) + 1);     // records d's key: the check's scan is over that key
  check_single_lookup(t, d);                   // S9
}
export function lookup_end(d: i32): void { sdw(d, D_LOOKUPS, dw(d, D_LOOKUPS) - 1); }

// ---- d_alloc_parallel / d_alloc_trylock / d_alloc_locked --------------------------------------
// Frame locals: 0 parent, 1 name, 2 the match being waited for.
// Returns (T_RET): an existing hashed dentry, a new in-lookup dentry owned by the caller,
// -EWOULDBLOCK (trylock), or for d_alloc_locked an in-lookup dentry whose lookup lock the caller
// now holds. A reference is held on any dentry returned.

export const DAP_SEARCH: i32 = 0;
export const DAP_WAIT: i32 = 1;
export const DAP_RECHECK: i32 = 2;
export const DAP_LOCKED_WAIT: i32 = 3;
export const DAP_INSERT: i32 = 4;
export const DAP_NEW: i32 = 5;

export function d_alloc_parallel_state(pc: i32): string {
  switch (pc) {
    case DAP_SEARCH: return "search-or-insert";
    case DAP_WAIT: return "d_wait_lookup";
    case DAP_RECHECK: return "re-check after wait";
    case DAP_LOCKED_WAIT: return "wait for d_lookup_locked";
    case DAP_INSERT: return "insert (no i_dir_seq re-check)";
    case DAP_NEW: return "__d_alloc: new, DCACHE_PAR_LOOKUP (NEW-PRIVATE)";
    default: return "";
  }
}

/** Models: fs/dcache.c d_alloc_parallel() (and the _trylock/_locked modes of the shared helper
 *  of patch 11/11). Locking: may be called with or without the parent's i_rwsem (so there is
 *  nothing to assert); sleeps only in d_wait_lookup (DAP_WAIT) or, for d_alloc_locked, on the
 *  lookup lock (DAP_LOCKED_WAIT). */
export function d_alloc_parallel(t: i32, fr: usize, fn: i32): i32 {
  const parent = L(fr, 0), name = L(fr, 1);
  const tree = series == SERIES_NEILBROWN_083EFDC;
  switch (pc_of(fr)) {
    case DAP_NEW: {
      // NeilBrown's tree (and Al Viro's e95db51c81f5): `new` is allocated first, with
      // DCACHE_PAR_LOOKUP already set, on the parent's children but on no hash (NEW-PRIVATE):
      // tree walkers of the parent see it (rmdir_lock's scan does); it is reused across retries.
      const nd = d_alloc(parent, name);
      set_flag(nd, DCACHE_PAR_LOOKUP);
      sdw(nd, D_OWNER, t + 1);
      setL(fr, 3, nd);
      sgw(G_SHAPE_DIRTY, 1);
      ev(t, fn, DAP_NEW, dobj(nd), name, nd, AUX_NONE);
      return yield_(fr, DAP_SEARCH);
    }
    case DAP_SEARCH: {
      if (tree && L(fr, 3) == 0) return goto_(fr, DAP_NEW);
      // NeilBrown's tree: a dead parent gets no new child (-ENOENT), checked on every retry
      if (tree && IS_DEADDIR(d_inode(parent))) {
        drop_new(t, fr);
        ev(t, fn, DAP_SEARCH, 0, name, ENOENT, AUX_MISS);
        return ret_yield(t, ENOENT);
      }
      const hit = d_lookup(parent, name);
      if (hit != 0) {
        drop_new(t, fr);
        dget(hit);
        ev(t, fn, DAP_SEARCH, dobj(hit), name, hit, AUX_HIT);
        return ret_yield(t, hit);
      }
      const m = in_lookup_find(parent, name);
      if (m != 0) {
        dget(m);
        setL(fr, 2, m);
        if (fn == FN_D_ALLOC_TRYLOCK) {          // still in lookup under its d_lock: give up
          drop_new(t, fr);
          dput(t, m);
          ev(t, fn, DAP_SEARCH, dobj(m), name, EWOULDBLOCK, AUX_IN_LOOKUP);
          return ret_yield(t, EWOULDBLOCK);
        }
        ev(t, fn, DAP_SEARCH, dobj(m), name, m, AUX_IN_LOOKUP);
        return yield_(fr, fn == FN_D_ALLOC_LOCKED ? DAP_LOCKED_WAIT : DAP_WAIT);
      }
      if (planted(PLANT_NO_DIR_SEQ_RECHECK)) {
        ev(t, fn, DAP_SEARCH, 0, name, 0, AUX_MISS);
        return yield_(fr, DAP_INSERT);
      }
      // NeilBrown's tree: inserted into a dying (or dead) parent, the new dentry is taken off the
      // in-lookup hash again (its waiters woken) and the caller waits for S_DYING to clear, then
      // retries. Divergence from Linux: search-or-insert is one step, so the model checks before
      // inserting and never publishes `new`; a waiter that found it in Linux would be woken and
      // retry, which ends where this does.
      if (tree && IS_DYING(d_inode(parent))) {
        ev(t, fn, DAP_SEARCH, 0, name, 0, AUX_SLEEP);
        return block(t, fr, DAP_SEARCH, WAIT_DYING_DIR, d_inode(parent));
      }
      return insert_new(t, fn, parent, name, DAP_SEARCH, L(fr, 3));
    }
    case DAP_INSERT:
      return insert_new(t, fn, parent, name, DAP_INSERT);
    case DAP_WAIT: {
      // Models: d_wait_lookup(); called and returns with d_lock held in Linux. Sleeps
      // TASK_UNINTERRUPTIBLE (on-stack queue) / wait_var_event_spinlock (var-event): a SIGKILL
      // does not wake it.
      const m = L(fr, 2);
      if (d_in_lookup(m)) {
        lockdep_wait(t, in_lookup_class(0));   // the tree's d_wait_lookup(dentry, 0): acquire + release
        if (waitqueue == WQ_VAR_EVENT) set_flag(m, DCACHE_LOOKUP_WAITERS);
        else sdw(m, D_WAITERS, dw(m, D_WAITERS) | (1 << t));
        ev(t, fn, DAP_WAIT, dobj(m), name, 0, AUX_SLEEP);
        return block(t, fr, DAP_RECHECK, WAIT_IN_LOOKUP, m);
      }
      return goto_(fr, DAP_RECHECK);
    }
    case DAP_RECHECK: {
      const m = L(fr, 2);
      if (!d_unhashed(m) && dw(m, D_PARENT) == parent && dw(m, D_NAME) == name) {
        drop_new(t, fr);
        ev(t, fn, DAP_RECHECK, dobj(m), name, m, AUX_HIT);
        return ret_yield(t, m);
      }
      dput(t, m);                                // failed lookup or moved: retry from the top
      ev(t, fn, DAP_RECHECK, dobj(m), name, 0, AUX_RETRY);
      return yield_(fr, DAP_SEARCH);
    }
    case DAP_LOCKED_WAIT: {
      // d_alloc_locked: wait until "not in-lookup or not locked"; then lock it if still in lookup.
      const m = L(fr, 2);
      if (d_in_lookup(m)) {
        if (has(m, DCACHE_LOOKUP_LOCKED)) {
          lockdep_wait(t, LOCKDEP_LOOKUP_LOCK);
          ev(t, fn, DAP_LOCKED_WAIT, dobj(m), name, 0, AUX_SLEEP);
          return block(t, fr, DAP_LOCKED_WAIT, WAIT_LOOKUP_LOCK, m);
        }
        set_flag(m, DCACHE_LOOKUP_LOCKED);
        sdw(m, D_LOCKER, t + 1);
        lockdep_acquire(t, LOCKDEP_LOOKUP_LOCK, m, false, false);
        ev(t, fn, DAP_LOCKED_WAIT, dobj(m), name, m, AUX_LOCKED);
        return ret_yield(t, m);
      }
      if (d_unhashed(m)) {
        dput(t, m);
        ev(t, fn, DAP_LOCKED_WAIT, dobj(m), name, 0, AUX_RETRY);
        return yield_(fr, DAP_SEARCH);
      }
      ev(t, fn, DAP_LOCKED_WAIT, dobj(m), name, m, AUX_HIT);
      return ret_yield(t, m);
    }
  }
  model_assert(false, "d_alloc_parallel: bad pc");
  return STEP_NEXT;
}

/** dput(new) of the NEW-PRIVATE dentry: a final dput of it is fine (it is on no hash; Al Viro,
 *  e95db51c81f5). Nobody waits on it (the tree's rmdir_lock skips a child that is not on the
 *  in-lookup hash), so nobody is woken; a sleeper left on it would be reported (lost-wakeup). */
function drop_new(t: i32, fr: usize): void {
  const nd = L(fr, 3);
  if (nd == 0) return;
  setL(fr, 3, 0);
  sgw(G_SHAPE_DIRTY, 1);
  sgw(G_WAKE_DIRTY, 1);
  dput(t, nd);
}

function insert_new(t: i32, fn: i32, parent: i32, name: i32, pc: i32, nd: i32 = 0): i32 {
  const d = d_insert_in_lookup(t, parent, name, nd);
  // neilbrown/linux @ 083efdc62e0e __d_alloc_parallel: lock_map_acquire_try(&new->lookup_map)
  // once `new` is on the in-lookup hash: a trylock for every mode (inserting never waits)
  lockdep_acquire(t, LOCKDEP_IN_LOOKUP, d, false, true);
  if (fn == FN_D_ALLOC_LOCKED) {
    set_flag(d, DCACHE_LOOKUP_LOCKED);
    sdw(d, D_LOCKER, t + 1);
    lockdep_acquire(t, LOCKDEP_LOOKUP_LOCK, d, false, false);
  }
  ev(t, fn, pc, dobj(d), name, d, AUX_NEW);
  return ret_yield(t, d);
}

// ---- lock_lookup ------------------------------------------------------------------------------
export function lock_lookup_state(pc: i32): string { return pc == 0 ? "wait for d_lookup_locked" : ""; }

/** Models: lock_lookup() (patch 11/11), first thing in ->lookup of a filesystem that uses
 *  d_alloc_locked. Local 0: the dentry. Returns the dentry (proceed, lock held), 0 (someone
 *  instantiated it: ->lookup returns NULL) or -EAGAIN (it was not instantiated: start again).
 *  Locking: parent i_rwsem held (shared from __lookup_slow / lookup_one_qstr, exclusive from the
 *  current order's lookup_open); sleeps on the lookup lock, still holding it. */
export function lock_lookup(t: i32, fr: usize): i32 {
  const d = L(fr, 0);
  assert_held(t, parent_lock_inode(d), "lock_lookup");
  if (d_in_lookup(d)) {
    const mine = dw(d, D_LOCKER) == t + 1;
    if (has(d, DCACHE_LOOKUP_LOCKED) && !mine && !planted(PLANT_LOCK_LOOKUP_NOWAIT)) {
      lockdep_wait(t, LOCKDEP_LOOKUP_LOCK);
      ev(t, FN_LOCK_LOOKUP, 0, dobj(d), d_name(d), 0, AUX_SLEEP);
      return block(t, fr, 0, WAIT_LOOKUP_LOCK, d);
    }
    set_flag(d, DCACHE_LOOKUP_LOCKED);
    sdw(d, D_LOCKER, t + 1);
    if (!mine) lockdep_acquire(t, LOCKDEP_LOOKUP_LOCK, d, false, false);
    ev(t, FN_LOCK_LOOKUP, 0, dobj(d), d_name(d), d, AUX_LOCKED);
    return ret_yield(t, d);
  }
  const r = d_unhashed(d) ? EAGAIN : 0;
  ev(t, FN_LOCK_LOOKUP, 0, dobj(d), d_name(d), r, r == 0 ? AUX_HIT : AUX_RETRY);
  return ret_yield(t, r);
}


// ---- d_add_ci ---------------------------------------------------------------------------------
// Frame locals: 0 dentry (the in-lookup dentry ->lookup was handed), 1 inode, 2 the exact-case
// name, 3 found, 4 the parent lock was dropped (1: held shared; the 2026 series' LOOKUP_SHARED).
// Returns (T_RET) the exact-case dentry (referenced) or -errno; ->lookup returns it in place of
// its own dentry.
const DAC_HASH: i32 = 0, DAC_UNLOCK: i32 = 1, DAC_ALLOC: i32 = 2, DAC_GOT: i32 = 3, DAC_RELOCK: i32 = 4,
  DAC_SPLICE: i32 = 5, DAC_RET: i32 = 6;

export function d_add_ci_state(pc: i32): string {
  switch (pc) {
    case DAC_HASH: return "d_hash_and_lookup";
    case DAC_UNLOCK: return "inode_unlock_shared (LOOKUP_SHARED)";
    case DAC_ALLOC: return "d_alloc_parallel (exact case)";
    case DAC_GOT: return "d_in_lookup";
    case DAC_RELOCK: return "inode_lock_shared (retake)";
    case DAC_SPLICE: return "d_splice_alias";
    case DAC_RET: return "return found";
    default: return "";
  }
}

/** Models: fs/dcache.c d_add_ci() as called from a case-insensitive ->lookup (xfs_vn_ci_lookup,
 *  ntfs_lookup): the exact-case name's dentry is found in the main hash, or created by a nested
 *  d_alloc_parallel() on the same parent (which waits for another task's in-lookup dentry of
 *  that name), and the inode spliced to it.
 *  fs.ciLookup d_add_ci (mainline): all under the caller's parent lock; with the on-stack wait
 *  queue the new dentry is published with the OUTER dentry's queue (`dentry->d_wait`), so one
 *  queue serves two episodes (kernel-model.md 2.2; S8's second half is checked where the queue is
 *  woken). fs.ciLookup drop-lock ("[PATCH v3 08/19] VFS/xfs/ntfs: drop parent lock across
 *  d_alloc_parallel() in d_add_ci()", Message-ID 20260427040517.828226-9-neilb@ownmail.net, also
 *  08/53 of March 2026): the parent lock is released before d_alloc_parallel and retaken, shared
 *  or exclusive as LOOKUP_SHARED says, before d_splice_alias.
 *  Locking: parent i_rwsem held shared on entry and exit (the model calls it only from
 *  __lookup_slow); drop-lock releases it around the nested d_alloc_parallel.
 *  Divergence from Linux: as posted (08/53 and v3 08/19) the patch returns early, when
 *  d_alloc_parallel fails or returns a dentry that is no longer in lookup (another task finished
 *  the exact-case lookup while this one waited), without retaking the lock, so the caller's
 *  inode_unlock_shared would release a lock it no longer holds; the model retakes it on every
 *  path, as the patch evidently intends. The plain d_alloc() branch (a dentry not in lookup: the
 *  current order's lookup_one_qstr_excl) is not reached: the model routes only __lookup_slow's
 *  lookups to the case-insensitive ->lookup. */
export function d_add_ci(t: i32, fr: usize): i32 {
  const dentry = L(fr, 0), inode = L(fr, 1), name = L(fr, 2), found = L(fr, 3);
  const parent = dw(dentry, D_PARENT);
  switch (pc_of(fr)) {
    case DAC_HASH: {
      assert_held_shared(t, lock_inode(parent), "d_add_ci");
      assert_owns_in_lookup(t, dentry, "d_add_ci");
      const hit = d_lookup(parent, name);
      if (hit != 0) {
        dget(hit);
        ev(t, FN_D_ADD_CI, DAC_HASH, dobj(hit), name, hit, AUX_HIT);
        return ret_yield(t, hit);
      }
      ev(t, FN_D_ADD_CI, DAC_HASH, 0, name, 0, AUX_MISS);
      return yield_(fr, ci_lookup == CI_DROP_LOCK ? DAC_UNLOCK : DAC_ALLOC);
    }
    case DAC_UNLOCK:
      setL(fr, 4, 1);
      return inode_unlock_shared(t, fr, FN_D_ADD_CI, DAC_UNLOCK, DAC_ALLOC, dir_inode(parent));
    case DAC_ALLOC:
      model_assert(d_in_lookup(dentry), "d_add_ci: the plain d_alloc branch is not modelled");
      if (L(fr, 4) != 0) assert_not_held(t, lock_inode(parent), "d_add_ci");   // drop-lock
      sfw(fr, F_PC, DAC_GOT);
      return call(t, FN_D_ALLOC_PARALLEL, parent, name);
    case DAC_GOT: {
      const r = ret_value(t);
      setL(fr, 3, r);
      const ours = r > 0 && d_in_lookup(r);
      // mainline passes dentry->d_wait: on the on-stack generation the exact-case dentry's
      // waiters sleep on the outer dentry's queue, in the frame that holds it
      if (ours && waitqueue == WQ_ON_STACK) sdw(r, D_WQ_FRAME, dw(dentry, D_WQ_FRAME));
      if (L(fr, 4) != 0) return goto_(fr, DAC_RELOCK);
      return goto_(fr, ours ? DAC_SPLICE : DAC_RET);
    }
    case DAC_RELOCK: {
      setL(fr, 4, 0);
      const ours = found > 0 && d_in_lookup(found);
      return inode_lock_shared(t, fr, FN_D_ADD_CI, DAC_RELOCK, ours ? DAC_SPLICE : DAC_RET, dir_inode(parent));
    }
    case DAC_SPLICE: {
      assert_held_shared(t, lock_inode(parent), "d_add_ci");
      const alias = d_splice_alias(t, inode, found);
      model_assert(alias == 0, "d_add_ci: a directory alias for a case-insensitive name is not modelled");
      ev(t, FN_D_ADD_CI, DAC_SPLICE, dobj(found), name, found, AUX_INSTANTIATED);
      return ret_yield(t, found);
    }
    case DAC_RET:
      assert_held_shared(t, lock_inode(parent), "d_add_ci");
      return ret(t, found);
  }
  model_assert(false, "d_add_ci: bad pc");
  return STEP_NEXT;
}
