// Models: kernel/locking/lockdep.c as the kernel would run it on these paths (validate_chain:
// check_deadlock, check_prevs_add, check_noncircular; lock_release, lock_downgrade), over the lock
// classes of this model, with the rules of Documentation/locking/lockdep-design.rst:
//   - each task has a stack of held locks (lock_acquire pushes, lock_release removes);
//   - a class is a (key, subclass) pair: inode_lock_nested(inode, I_MUTEX_PARENT) is a class of
//     its own beside inode_lock()'s I_MUTEX_NORMAL, as d_wait_lookup(dentry, 1) is beside
//     subclass 0 (look_up_lock_class takes lock->key->subkeys + subclass);
//   - check_deadlock ("possible recursive locking detected"): acquiring a class the task already
//     holds is reported, whatever the held lock's instance, unless both are reads and the new one
//     is a recursive read (read == 2: none here) or a nest_lock says otherwise (none here); a
//     trylock is not checked (validate_chain skips check_deadlock for it), but a held trylock is
//     a `prev` like any other;
//   - acquiring class B while holding A adds the dependency A -> B; like check_prevs_add, the
//     held stack is walked from the top and the walk stops after the first held lock that was not
//     a trylock (older held locks reach B through it);
//   - a trylock adds no dependency to itself, but is pushed as held (later acquisitions depend on
//     it);
//   - rwsem down_read is a non-recursive read (rwsem_acquire_read, read == 1): in the strong-path
//     rule of the read-lock section it is "N", so with no recursive readers here every cycle in
//     the class graph is a deadlock lockdep reports;
//   - the graph accumulates across all tasks of the run: a violation is reported when an
//     acquisition would close a cycle, whether or not this schedule deadlocks.
// Classes (abi.ts LOCKDEP_*; include/linux/fs.h enum inode_i_mutex_lock_class for i_rwsem):
//   i_rwsem          every directory inode's i_rwsem, subclass I_MUTEX_NORMAL (inode_lock,
//                    inode_lock_shared; one key per filesystem type, one fs per run)
//   i_rwsem/PARENT   subclass I_MUTEX_PARENT: the parent of a create, remove or rename
//                    (filename_create, do_unlinkat, do_rmdir, lock_rename; start_dirop in the
//                    2026 trees)
//   in-lookup        DCACHE_PAR_LOOKUP, subclass 0, as NeilBrown's tree annotates it
//                    (neilbrown/linux @ 083efdc62e0e fs/dcache.c): one static key for every
//                    dentry (__d_alloc: lockdep_init_map(&dentry->lookup_map, "DCACHE_PAR_LOOKUP"));
//                    the insertion that makes a dentry in-lookup is lock_map_acquire_try (a
//                    trylock: __d_alloc_parallel, d_duplicate); __d_lookup_unhash releases it;
//                    d_wait_lookup(dentry, subclass) is lock_acquire_exclusive + lock_map_release
//   in-lookup/1      d_wait_lookup(child, 1) of rmdir_lock (the tree's fs/namei.c)
//   lookup lock      d_lookup_locked of d_alloc_locked / lock_lookup (patch 11/11)
//
// Locking: called from the atomic steps of kernel/rwsem.ts and kernel/dcache.ts; touches only the
// lockdep words of the state block, and only when the lockdep check is on.
//
// Divergence from Linux:
// - Only the subclasses the modelled paths take exist (I_MUTEX_NORMAL, I_MUTEX_PARENT;
//   d_wait_lookup subclasses 0 and 1). The August 2025 posting (kernel.series aug-2025) had no
//   lockdep annotation of DCACHE_PAR_LOOKUP; the check uses the tree's under every series (what
//   lockdep would say with the annotation), see docs/model.md "lockdep".
// - No irq-state (hardirq/softirq safe/unsafe) checks, no chain cache, no lock_pin/nest_lock.
// - An acquisition that queues is validated when it is attempted (as lock_acquire is, before
//   the lock is contended); lock_lookup and d_alloc_locked validate when they go to sleep and push
//   the lock when they get it.

import {
  CHECK_LOCKDEP, LOCKDEP_I_RWSEM, LOCKDEP_I_RWSEM_PARENT, LOCKDEP_IN_LOOKUP, LOCKDEP_IN_LOOKUP_1, LOCKDEP_LOOKUP_LOCK,
  MAX_TASKS, VERDICT_RUNNING,
} from "../abi";
import {
  ldw, sldw, gw, tw, fw, frame_addr, G_TICK, G_VERDICT, T_SP, F_FN, LD_EDGES, LD_HELD, LD_HELD_WORDS, LD_HELD_MAX,
  LD_MAX_CLASSES, LDE_TICK, LDE_TASK, LDE_FN, LDE_HELD_FN, LDE_HOW, LDE_WORDS,
} from "../sim/state";
import { check_on } from "../sim/config";
import { fail, model_assert } from "../sim/verdict";

// how an edge's acquisition was made (R_LOCKDEP flags word)
const HOW_READ: i32 = 1;
const HOW_WAIT: i32 = 2;   // an annotated wait: acquired and released at once
const HOW_RECURSIVE: i32 = 4;   // check_deadlock: the class was already held (a one-entry chain)

/** The lock a class belongs to, whatever its subclass (what a release or downgrade matches). */
function lock_kind(cls: i32): i32 {
  if (cls == LOCKDEP_I_RWSEM_PARENT) return LOCKDEP_I_RWSEM;
  if (cls == LOCKDEP_IN_LOOKUP_1) return LOCKDEP_IN_LOOKUP;
  return cls;
}
/** The i_rwsem class of an inode_lock*_nested() subclass (0: I_MUTEX_NORMAL, 1: I_MUTEX_PARENT). */
export function i_rwsem_class(subclass: i32): i32 { return subclass == 0 ? LOCKDEP_I_RWSEM : LOCKDEP_I_RWSEM_PARENT; }
/** The in-lookup class of d_wait_lookup()'s subclass argument (0 or 1). */
export function in_lookup_class(subclass: i32): i32 { return subclass == 0 ? LOCKDEP_IN_LOOKUP : LOCKDEP_IN_LOOKUP_1; }

// held entry: class | flags << 4 | instance << 8 | fn << 20
const H_READ: i32 = 1;
const H_TRY: i32 = 2;
@inline function h_class(e: i32): i32 { return e & 0xf; }
@inline function h_flags(e: i32): i32 { return (e >> 4) & 0xf; }
@inline function h_inst(e: i32): i32 { return (e >> 8) & 0xfff; }
@inline function h_fn(e: i32): i32 { return e >>> 20; }

@inline function held_at(t: i32): i32 { return LD_HELD + t * LD_HELD_WORDS; }
@inline function edge_at(a: i32, b: i32): i32 { return LD_EDGES + (a * LD_MAX_CLASSES + b) * LDE_WORDS; }
@inline export function ld_has_edge(a: i32, b: i32): bool { return ldw(edge_at(a, b) + LDE_TICK) != 0; }
@inline export function ld_held_count(t: i32): i32 { return ldw(held_at(t)); }
/** Held entry k of task t without its function (what the state hash needs). */
@inline export function ld_held_key(t: i32, k: i32): i32 { return ldw(held_at(t) + 1 + k) & 0xfffff; }

/** The kernel function running in task t (its top frame). */
function cur_fn(t: i32): i32 { const sp = tw(t, T_SP); return sp > 0 ? fw(frame_addr(t, sp - 1), F_FN) : 0; }

// ---- the chain of a violation (not state: filled when the check fails, read by result_ptr) ----
export const CHAIN_WORDS: i32 = 7;   // held, acquired, task, tick, fn, held fn, how (abi.ts R_LOCKDEP)
const CHAIN: usize = memory.data(LD_MAX_CLASSES * 8 * 4 * 2, 16);
export let chain_len: i32 = 0;
@inline export function chain_word(i: i32, k: i32): i32 { return load<i32>(CHAIN + (<usize>(i * CHAIN_WORDS + k) << 2)); }
@inline function set_chain(i: i32, k: i32, v: i32): void { store<i32>(CHAIN + (<usize>(i * CHAIN_WORDS + k) << 2), v); }

function chain_edge(i: i32, a: i32, b: i32, task: i32, tick: i32, fn: i32, held_fn: i32, how: i32): void {
  set_chain(i, 0, a); set_chain(i, 1, b); set_chain(i, 2, task); set_chain(i, 3, tick);
  set_chain(i, 4, fn); set_chain(i, 5, held_fn); set_chain(i, 6, how);
}

const PATH: usize = memory.data(LD_MAX_CLASSES * 4 * 2, 16);
let path_n: i32 = 0;

/** Depth-first search for a path from class `from` to class `to` in the graph (check_noncircular
 *  searches breadth-first; either finds a cycle if there is one). Fills PATH with the classes. */
function find_path(from: i32, to: i32, visited: i32, depth: i32): bool {
  store<i32>(PATH + (<usize>depth << 2), from);
  if (from == to) { path_n = depth + 1; return true; }
  for (let c = 0; c < LD_MAX_CLASSES; c++) {
    if ((visited & (1 << c)) != 0 || !ld_has_edge(from, c)) continue;
    if (find_path(c, to, visited | (1 << from), depth + 1)) return true;
  }
  return false;
}

/** Add held -> cls, or report the cycle it closes. Returns false if the check failed. */
function add_dependency(t: i32, held: i32, cls: i32, fn: i32, how: i32): bool {
  const a = h_class(held);
  if (ld_has_edge(a, cls)) return true;
  const tick = gw(G_TICK);
  if (find_path(cls, a, 0, 0)) {
    if (gw(G_VERDICT) != VERDICT_RUNNING) return false;   // the run already failed: keep its report
    chain_len = 0;
    for (let i = 0; i + 1 < path_n; i++) {
      const x = load<i32>(PATH + (<usize>i << 2)), y = load<i32>(PATH + (<usize>(i + 1) << 2));
      const e = edge_at(x, y);
      chain_edge(chain_len++, x, y, ldw(e + LDE_TASK), ldw(e + LDE_TICK) - 1, ldw(e + LDE_FN), ldw(e + LDE_HELD_FN), ldw(e + LDE_HOW));
    }
    chain_edge(chain_len++, a, cls, t, tick, fn, h_fn(held), how);
    fail(CHECK_LOCKDEP, t);
    return false;
  }
  const e = edge_at(a, cls);
  sldw(e + LDE_TICK, tick + 1); sldw(e + LDE_TASK, t); sldw(e + LDE_FN, fn);
  sldw(e + LDE_HELD_FN, h_fn(held)); sldw(e + LDE_HOW, how);
  return true;
}

/** check_deadlock(): a non-trylock acquisition of a class the task already holds is "possible
 *  recursive locking" (no recursive reads or nest_lock here). Returns false if the check failed. */
function check_recursion(t: i32, cls: i32, fn: i32, how: i32): bool {
  const base = held_at(t), n = ldw(base);
  for (let k = 0; k < n; k++) {
    const e = ldw(base + 1 + k);
    if (h_class(e) != cls) continue;
    if (gw(G_VERDICT) != VERDICT_RUNNING) return false;
    chain_len = 0;
    chain_edge(chain_len++, cls, cls, t, gw(G_TICK), fn, h_fn(e), how | HOW_RECURSIVE);
    fail(CHECK_LOCKDEP, t);
    return false;
  }
  return true;
}

/** The checks of acquiring `cls` now (validate_chain): check_deadlock, then check_prevs_add's
 *  dependencies from the top held lock down to and including the first one that was not a
 *  trylock. */
function validate(t: i32, cls: i32, fn: i32, how: i32): void {
  if (!check_recursion(t, cls, fn, how)) return;
  const base = held_at(t), n = ldw(base);
  for (let k = n - 1; k >= 0; k--) {
    const e = ldw(base + 1 + k);
    if (!add_dependency(t, e, cls, fn, how)) return;
    if ((h_flags(e) & H_TRY) == 0) return;
  }
}

/** Models: lock_acquire(): task t takes lock `inst` of class `cls` (read: a shared acquisition;
 *  trylock: adds no dependency). */
export function lockdep_acquire(t: i32, cls: i32, inst: i32, read: bool, trylock: bool): void {
  if (!check_on(CHECK_LOCKDEP)) return;
  const fn = cur_fn(t);
  if (!trylock) validate(t, cls, fn, read ? HOW_READ : 0);
  const base = held_at(t), n = ldw(base);
  model_assert(n < LD_HELD_MAX && t < MAX_TASKS, "lockdep: held-lock stack overflow");
  sldw(base + 1 + n, cls | ((read ? H_READ : 0) | (trylock ? H_TRY : 0)) << 4 | (inst & 0xfff) << 8 | fn << 20);
  sldw(base, n + 1);
}

/** Models: a lockdep-annotated wait (d_wait_lookup's lock_acquire_exclusive + lock_map_release,
 *  as a completion or flush_work waits): the checks of acquiring `cls` (recursion included),
 *  nothing held afterwards. */
export function lockdep_wait(t: i32, cls: i32): void {
  if (!check_on(CHECK_LOCKDEP)) return;
  validate(t, cls, cur_fn(t), HOW_WAIT);
}

/** Models: lock_release(): task t (-1: none) drops lock `inst` of class `cls` (of any subclass:
 *  the held entry says which). A release of a lock t does not hold is ignored (only planted bugs
 *  do that; lockdep would warn). */
export function lockdep_release(t: i32, cls: i32, inst: i32): void {
  if (!check_on(CHECK_LOCKDEP) || t < 0) return;
  const base = held_at(t), n = ldw(base);
  for (let k = n - 1; k >= 0; k--) {
    const e = ldw(base + 1 + k);
    if (lock_kind(h_class(e)) != lock_kind(cls) || h_inst(e) != (inst & 0xfff)) continue;
    for (let j = k; j < n - 1; j++) sldw(base + 1 + j, ldw(base + 2 + j));
    sldw(base + n, 0);
    sldw(base, n - 1);
    return;
  }
}

/** Models: lock_downgrade(): the held write lock becomes a read lock; no new dependency. */
export function lockdep_downgrade(t: i32, cls: i32, inst: i32): void {
  if (!check_on(CHECK_LOCKDEP)) return;
  const base = held_at(t), n = ldw(base);
  for (let k = n - 1; k >= 0; k--) {
    const e = ldw(base + 1 + k);
    if (lock_kind(h_class(e)) == lock_kind(cls) && h_inst(e) == (inst & 0xfff)) { sldw(base + 1 + k, e | (H_READ << 4)); return; }
  }
}

/** The end of an in-lookup episode of dentry d (__d_lookup_unhash): its owner releases the
 *  in-lookup class, the lookup-lock holder (-1: none) the lookup lock. */
export function lockdep_end_episode(owner: i32, locker: i32, d: i32): void {
  lockdep_release(locker, LOCKDEP_LOOKUP_LOCK, d);
  lockdep_release(owner, LOCKDEP_IN_LOOKUP, d);
}
