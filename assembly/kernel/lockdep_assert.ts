// Executable locking contracts: the model's lockdep_assert_held(). Linux pairs each "must be
// called with X held" with an assertion that checks it when the function runs
// (include/linux/lockdep.h lockdep_assert_held*(), include/linux/rwsem.h rwsem_assert_held*());
// here every `Locking:` line of a kernel function has its twin below, called at the function's
// entry (and at its exit where the line says "on exit").
//
// They read the rwsem and dentry tables directly (sim/state.ts, the raw readers: an assertion
// leaves no footprint, so partial-order reduction sees the same dependencies with or without it),
// so they know nothing of the functions that change those tables and every kernel file can import
// them without a cycle. They
// are on in every build, full and lean, like model_assert: a check costs a table read. A broken
// contract is a bug in the model (a call path that forgot a lock would model something that is
// not Linux), never a verdict: the run stops with a trap, reported as a model fault (exit 3),
// whose message names the function, the lock and what the task holds instead, e.g.
//   vfsim: model bug (please report it with the seed file): locking contract of __lookup_slow:
//   task 1 must hold i_rwsem of inode 2 shared (lockdep_assert_held_read), but holds it: not at all
// (the host says "model bug"; the message from here starts at "locking contract")
//
// `where` is the kernel function whose contract is checked: a string constant, or a function id
// (FN_*) where one handler models several functions; an id is turned into its name only on the
// failing path, so a check that holds costs its table reads and nothing else.

import {
  iw_raw, dw_raw, gw, RW_WRITER, RW_READERS, G_I_HWM, D_FLAGS, D_OWNER, D_LOCKER, D_INODE, D_PARENT,
  DCACHE_ALLOCATED, DCACHE_PAR_LOOKUP, DCACHE_LOOKUP_LOCKED,
} from "../sim/state";
import { fn_name } from "./fns";

// Arguments for the assertions, read raw like the assertions themselves (dir_inode(), d_parent()
// and d_in_lookup() would record a footprint).
/** The inode of directory dentry `dir` (whose i_rwsem a contract names). */
@inline export function lock_inode(dir: i32): i32 { return dw_raw(dir, D_INODE); }
/** The inode of dentry `d`'s parent directory. */
@inline export function parent_lock_inode(d: i32): i32 { return dw_raw(dw_raw(d, D_PARENT), D_INODE); }
/** Is `d` in lookup (DCACHE_PAR_LOOKUP)? */
@inline export function in_lookup_raw(d: i32): bool { return (dw_raw(d, D_FLAGS) & DCACHE_PAR_LOOKUP) != 0; }

@inline function holds_shared(t: i32, inode: i32): bool { return (iw_raw(inode, RW_READERS) & (1 << t)) != 0; }
@inline function holds_exclusive(t: i32, inode: i32): bool { return iw_raw(inode, RW_WRITER) == t + 1; }

// What a broken contract was (contract_broken's `kind`).
const HELD_SHARED: i32 = 0, HELD_EXCLUSIVE: i32 = 1, HELD: i32 = 2, NOT_HELD: i32 = 3, NONE_HELD: i32 = 4,
  OWNS_IN_LOOKUP: i32 = 5, HOLDS_LOOKUP_LOCK: i32 = 6;

/** What task `t` holds of inode's i_rwsem, in words, for a message. */
function held_mode(t: i32, inode: i32): string {
  if (holds_exclusive(t, inode)) return "exclusive";
  if (holds_shared(t, inode)) return "shared";
  return "not at all";
}

/** The name of `where`: itself, or the name of a function id. */
function where_name<W>(where: W): string {
  if (isString<W>()) return changetype<string>(where);
  return fn_name(<i32>where);
}

/** Stop the run as a model fault naming the function, the lock and the contract. One function
 *  for every kind, called only on the failing path, so the message building stays out of the
 *  step handlers (binaryen inlines a small function with few callers into each of them). */
function contract_broken(kind: i32, where: string, t: i32, obj: i32): void {
  const task = "task " + t.toString();
  const rw = "i_rwsem of inode " + obj.toString();
  let what = "";
  if (kind == HELD_SHARED) what = task + " must hold " + rw + " shared (lockdep_assert_held_read), but holds it: " + held_mode(t, obj);
  else if (kind == HELD_EXCLUSIVE) what = task + " must hold " + rw + " exclusive (lockdep_assert_held_write), but holds it: " + held_mode(t, obj);
  else if (kind == HELD) what = task + " must hold " + rw + " shared or exclusive (lockdep_assert_held), but holds it: " + held_mode(t, obj);
  else if (kind == NOT_HELD) what = task + " must not hold " + rw + " (lockdep_assert_not_held), but holds it: " + held_mode(t, obj);
  else if (kind == NONE_HELD) what = task + " must hold no i_rwsem, but holds " + rw + " " + held_mode(t, obj);
  else if (kind == OWNS_IN_LOOKUP) {
    what = task + " must own the in-lookup dentry " + obj.toString() + ", but it is " +
      ((dw_raw(obj, D_FLAGS) & DCACHE_PAR_LOOKUP) == 0 ? "not in lookup" : "owned by task " + (dw_raw(obj, D_OWNER) - 1).toString());
  } else {
    what = task + " must hold the lookup lock of dentry " + obj.toString() + ", but " +
      ((dw_raw(obj, D_FLAGS) & DCACHE_LOOKUP_LOCKED) == 0 ? "it is not locked" : "task " + (dw_raw(obj, D_LOCKER) - 1).toString() + " holds it");
  }
  abort("locking contract of " + where + ": " + what);
}

/** Models: lockdep_assert_held_read(&inode->i_rwsem): `t` holds the directory's i_rwsem shared. */
@inline export function assert_held_shared<W>(t: i32, inode: i32, where: W): void {
  if (!holds_shared(t, inode)) contract_broken(HELD_SHARED, where_name<W>(where), t, inode);
}

/** Models: lockdep_assert_held_write(&inode->i_rwsem) / rwsem_assert_held_write(): `t` holds the
 *  directory's i_rwsem exclusive. */
@inline export function assert_held_exclusive<W>(t: i32, inode: i32, where: W): void {
  if (!holds_exclusive(t, inode)) contract_broken(HELD_EXCLUSIVE, where_name<W>(where), t, inode);
}

/** Models: lockdep_assert_held(&inode->i_rwsem) / rwsem_assert_held(): `t` holds the directory's
 *  i_rwsem, shared or exclusive. */
@inline export function assert_held<W>(t: i32, inode: i32, where: W): void {
  if (!holds_shared(t, inode) && !holds_exclusive(t, inode)) contract_broken(HELD, where_name<W>(where), t, inode);
}

/** Models: lockdep_assert_not_held(&inode->i_rwsem): `t` does not hold the directory's i_rwsem
 *  (it is about to take it, or the contract says the caller dropped it). */
@inline export function assert_not_held<W>(t: i32, inode: i32, where: W): void {
  if (holds_shared(t, inode) || holds_exclusive(t, inode)) contract_broken(NOT_HELD, where_name<W>(where), t, inode);
}

/** `t` holds no i_rwsem at all (a system call's entry: lockdep's held-locks list has no i_rwsem;
 *  Linux has no one-line assertion for this). Scans the inode table up to its high-water mark. */
export function assert_holds_no_rwsem<W>(t: i32, where: W): void {
  for (let i = 1, n = gw(G_I_HWM); i <= n; i++) {
    // a slot not in use holds no lock: its words are zero (new_inode zeroes a slot it takes)
    if (holds_shared(t, i) || holds_exclusive(t, i)) contract_broken(NONE_HELD, where_name<W>(where), t, i);
  }
}

/** `t` owns dentry `d`'s in-lookup episode: d is in lookup (DCACHE_PAR_LOOKUP) and `t` is the
 *  task whose d_alloc_parallel() inserted it (Al Viro's "only the owner touches an in-lookup
 *  dentry"; Linux has no assertion for it). */
@inline export function assert_owns_in_lookup<W>(t: i32, d: i32, where: W): void {
  if ((dw_raw(d, D_FLAGS) & (DCACHE_ALLOCATED | DCACHE_PAR_LOOKUP)) != (DCACHE_ALLOCATED | DCACHE_PAR_LOOKUP) || dw_raw(d, D_OWNER) != t + 1) {
    contract_broken(OWNS_IN_LOOKUP, where_name<W>(where), t, d);
  }
}

/** `t` holds dentry `d`'s lookup lock (d_alloc_locked / lock_lookup, patch 11/11). */
@inline export function assert_holds_lookup_lock<W>(t: i32, d: i32, where: W): void {
  if ((dw_raw(d, D_FLAGS) & DCACHE_LOOKUP_LOCKED) == 0 || dw_raw(d, D_LOCKER) != t + 1) contract_broken(HOLDS_LOOKUP_LOCK, where_name<W>(where), t, d);
}
