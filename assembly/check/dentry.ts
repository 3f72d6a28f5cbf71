// The dentry checks that belong to one action (kernel-model.md section 7), each a named function
// called in one line where the action happens in kernel/dcache.ts; invariants.ts has the checks
// that look across the state after a tick.
//   unique-hashed          S1   hashing a dentry leaves one hashed dentry per (parent, name)
//   inlookup-unique        S2   at most one in-lookup dentry per (parent, name), and none beside a
//                               hashed one but d_duplicate's copy of it (check_duplicate)
//   episode-end            S5   an episode is ended by its owner or the lookup-lock holder;
//                          S6   no final dput of a dentry still on the in-lookup hash
//   single-lookup          S9   one ->lookup or readdir instantiate in flight per (parent, name)
//   single-instantiation   S10  a dentry is instantiated once: __d_add / d_splice_alias of a
//                               positive dentry (or, before 02/53, of a hashed one) is the BUG_ON
//                               Linux has there
//   owner-only             S15  only the owner ends an in-lookup episode (Al Viro)
//   on a frame pop         S5/S7/S8/L2: an episode whose wait queue lives in the popped frame
//                               has ended (waitqueue-lifetime, lost-wakeup, episode-end)
// The facts a check needs from the dcache's hashes (d_lookup, in_lookup_find) are computed at the
// action by those functions, which record the step's footprint; what reads here are the
// footprint-recording accessors where the action read the same field before (so partial-order
// reduction sees what it saw), raw ones for the scans that were raw.

import {
  CHECK_UNIQUE_HASHED, CHECK_INLOOKUP_UNIQUE, CHECK_EPISODE_END, CHECK_SINGLE_INSTANTIATION, CHECK_OWNER_ONLY,
  CHECK_SINGLE_LOOKUP, CHECK_WAITQUEUE_LIFETIME, CHECK_LOST_WAKEUP, WQ_ON_STACK, WAIT_IN_LOOKUP,
} from "../abi";
import {
  dw, dw_raw, gw, tw, D_FLAGS, D_INODE, D_PARENT, D_NAME, D_LOOKUPS, D_WAITERS, D_WQ_FRAME, G_D_HWM, T_STATE,
  T_WAIT_KIND, T_WAIT_OBJ, T_EPISODES, TS_BLOCKED, DCACHE_ALLOCATED, DCACHE_PAR_LOOKUP, DCACHE_HASHED,
  DCACHE_LOOKUP_WAITERS, T_SP, F_FN, F_L0, F_PC, frame_addr, fw, sfw, task_changed,
} from "../sim/state";
import { FN_D_ALLOC_PARALLEL, FN_D_ALLOC_TRYLOCK, FN_D_ALLOC_LOCKED } from "../kernel/fns";
import { n_tasks, waitqueue } from "../sim/config";
import { fail } from "../sim/verdict";

/** S1: `twin` is the hashed dentry d_lookup() finds for the key a dentry is about to be hashed
 *  under (__d_add, d_move), 0 for none; another one there breaks unique-hashed. */
@inline export function check_unique_hashed(t: i32, twin: i32): void {
  if (twin != 0) fail(CHECK_UNIQUE_HASHED, t);
}

/** S2: a dentry is about to go on the in-lookup hash (d_alloc_parallel's insert), or be hashed
 *  (__d_add), while `twin` (in_lookup_find, or d_lookup for an insert) says the key already has
 *  an in-lookup dentry, or a hashed one. */
@inline export function check_inlookup_unique(t: i32, twin: bool): void {
  if (twin) fail(CHECK_INLOOKUP_UNIQUE, t);
}

/** S5 and S15 when task `t` ends an in-lookup episode whose owner is `owner` and whose lookup-lock
 *  holder is `locker` (-1: none): anyone but the owner breaks owner-only (S15); anyone but the
 *  owner or the lock holder also breaks episode-end (S5). */
@inline export function check_episode_ender(t: i32, owner: i32, locker: i32): void {
  if (t != owner) {
    if (t != locker) fail(CHECK_EPISODE_END, t);   // S5: ended by neither owner nor lock holder
    fail(CHECK_OWNER_ONLY, t);                      // S15: Al Viro's invariant
  }
}

/** S6: the final dput() of an unhashed dentry: true (and episode-end broken) if it is still on
 *  the in-lookup hash; dput then leaves it dangling on the chain, as Linux would. */
@inline export function check_final_dput(t: i32, on_in_lookup_hash: bool): bool {
  if (on_in_lookup_hash) fail(CHECK_EPISODE_END, t);
  return on_in_lookup_hash;
}

/** S10 for __d_add() / d_splice_alias(): `d` must be negative, and unhashed unless `hashed_ok`
 *  ("[PATCH 02/53] VFS: enhance d_splice_alias() to handle in-lookup dentries" drops the
 *  BUG_ON(!d_unhashed(dentry)): every kernel.series but aug-2025). False (and
 *  single-instantiation broken) otherwise: the caller then leaves the dentry as it is. */
export function check_add_once(t: i32, d: i32, hashed_ok: bool): bool {
  if (((dw(d, D_FLAGS) & DCACHE_HASHED) == 0 || hashed_ok) && dw(d, D_INODE) == 0) return true;
  fail(CHECK_SINGLE_INSTANTIATION, t);
  return false;
}

/** S2's one exception, d_duplicate() (06/53): a new in-lookup dentry beside the hashed positive
 *  `dentry` it copies, and nothing more: `dentry` must be hashed and positive, the one hashed
 *  dentry of its key (`hashed`, what d_lookup found), with no dentry of the key in lookup
 *  (`in_lookup`, what in_lookup_find found); anything else breaks inlookup-unique. */
export function check_duplicate(t: i32, dentry: i32, hashed: i32, in_lookup: i32): void {
  if ((dw(dentry, D_FLAGS) & DCACHE_HASHED) == 0 || dw(dentry, D_INODE) == 0 || hashed != dentry || in_lookup != 0) fail(CHECK_INLOOKUP_UNIQUE, t);
}

/** S9: a ->lookup or readdir instantiate has just started on `d` (its D_LOOKUPS counted): the
 *  instantiates in flight over every dentry with d's key must be one. The scan is raw: the
 *  caller's write of D_LOOKUPS recorded d's key. */
export function check_single_lookup(t: i32, d: i32): void {
  let in_flight = 0;
  const parent = dw_raw(d, D_PARENT), name = dw_raw(d, D_NAME);
  for (let e = 1, n = gw(G_D_HWM); e <= n; e++) {
    if ((dw_raw(e, D_FLAGS) & DCACHE_ALLOCATED) != 0 && dw_raw(e, D_PARENT) == parent && dw_raw(e, D_NAME) == name) in_flight += dw_raw(e, D_LOOKUPS);
  }
  if (in_flight > 1) fail(CHECK_SINGLE_LOOKUP, t);
}

// ---- a frame pop (kernel/task.ts ret) -----------------------------------------------------------

/** Is some task asleep on (kind, obj)? */
function has_sleeper(kind: i32, obj: i32): bool {
  for (let t = 0; t < n_tasks; t++) {
    if (tw(t, T_STATE) == TS_BLOCKED && tw(t, T_WAIT_KIND) == kind && tw(t, T_WAIT_OBJ) == obj) return true;
  }
  return false;
}

/** A frame of task `t` at `depth` is being popped: an episode whose wait queue lives there
 *  must already have ended. With sleepers enqueued on the on-stack queue that is a use after
 *  free of the queue (S8); with sleepers otherwise a wakeup that can never come (L2); with none
 *  an episode its owner abandoned (S5). */
export function on_frame_pop(t: i32, depth: i32): void {
  if (tw(t, T_EPISODES) == 0) return;   // an episode's wait queue is in its owner's frames
  const frame_key = ((t + 1) << 8) | depth;
  for (let d = episode_in_frame(0, frame_key); d != 0; d = episode_in_frame(d, frame_key)) {
    if (waitqueue == WQ_ON_STACK && dw(d, D_WAITERS) != 0) fail(CHECK_WAITQUEUE_LIFETIME, t);
    else if (has_sleeper(WAIT_IN_LOOKUP, d) || (dw(d, D_FLAGS) & DCACHE_LOOKUP_WAITERS) != 0) fail(CHECK_LOST_WAKEUP, t);
    else fail(CHECK_EPISODE_END, t);
  }
}

/** The first dentry above slot `after` in lookup whose wait queue lives in frame `key`, or 0. */
function episode_in_frame(after: i32, key: i32): i32 {
  for (let d = after + 1, n = gw(G_D_HWM); d <= n; d++) {
    if ((dw_raw(d, D_FLAGS) & DCACHE_PAR_LOOKUP) != 0 && dw_raw(d, D_WQ_FRAME) == key) return d;
  }
  return 0;
}

// ---- S8, second half: a queue woken again with entries of waiters that have returned ----------
// Generation 1 (6.17 d_wait_lookup) adds a waiter's on-stack entry to the owner's queue and never
// removes it: harmless while the queue is woken once and dies with its frame. d_add_ci publishes
// the exact-case dentry with the outer dentry's queue (kernel-model.md 2.2), so that queue is
// woken twice (see wq_entries_left for what is recorded). The frame holding the queue
// keeps, in local L_WQ_LEFT (unused by every modelled function), the tasks whose entries a wake
// left on it; it dies with the frame (call() clears the locals of a new frame).
export const L_WQ_LEFT: i32 = 7;

/** The frame whose on-stack queue serves dentry d's episode, or 0 (no frame: the heap queue of
 *  nfs_unlinkdata, or a frame already gone). */
function wq_frame(d: i32): usize {
  const key = dw_raw(d, D_WQ_FRAME);
  if (key == 0) return 0;
  const o = (key >> 8) - 1, depth = key & 0xff;
  if (o < 0 || depth >= tw(o, T_SP)) return 0;
  return frame_addr(o, depth);
}

/** A wake of d's queue is about to walk it: an entry left there by an earlier wake whose waiter
 *  has since left d_wait_lookup is a dead stack object (S8). A waiter is still inside
 *  d_wait_lookup for that earlier episode if its top frame is the d_alloc_parallel re-check
 *  (`recheck_pc`: dcache.ts's DAP_RECHECK, passed in so check/ imports nothing of kernel/ but
 *  the function ids) of a dentry on this queue. */
export function wq_woken_again(t: i32, d: i32, recheck_pc: i32): void {
  const fr = wq_frame(d);
  if (fr == 0) return;
  const key = dw_raw(d, D_WQ_FRAME);
  for (let m = fw(fr, F_L0 + L_WQ_LEFT); m != 0; m &= m - 1) {
    const w = ctz<i32>(m);
    const sp = tw(w, T_SP);
    let inside = false;
    if (sp > 0) {
      const top = frame_addr(w, sp - 1), fn = fw(top, F_FN);
      if ((fn == FN_D_ALLOC_PARALLEL || fn == FN_D_ALLOC_TRYLOCK || fn == FN_D_ALLOC_LOCKED) && fw(top, F_PC) == recheck_pc) {
        const m2 = fw(top, F_L0 + 2);
        inside = m2 != 0 && dw_raw(m2, D_WQ_FRAME) == key && (dw_raw(m2, D_FLAGS) & DCACHE_PAR_LOOKUP) == 0;
      }
    }
    if (!inside) { fail(CHECK_WAITQUEUE_LIFETIME, t); return; }
  }
}

/** A wake of d's queue leaves the entries of `waiters` on it. Recorded only while another open
 *  episode shares the queue (d_add_ci: the outer dentry), the one way the queue is woken again:
 *  recording every wake would tell apart states that differ only in entries nothing will walk.
 *  Not covered: a queue reused by a retry in the same frame after its episode ended (the
 *  lock_lookup -EAGAIN retry of patch 11/11, which came with the global wait table of 09/11). */
export function wq_entries_left(d: i32, waiters: i32): void {
  if (waiters == 0) return;
  const fr = wq_frame(d);
  if (fr == 0) return;
  const key = dw_raw(d, D_WQ_FRAME);
  let shared = false;
  for (let e = 1, n = gw(G_D_HWM); e <= n && !shared; e++) {
    shared = e != d && (dw_raw(e, D_FLAGS) & DCACHE_PAR_LOOKUP) != 0 && dw_raw(e, D_WQ_FRAME) == key;
  }
  if (!shared) return;
  task_changed((dw_raw(d, D_WQ_FRAME) >> 8) - 1);
  sfw(fr, F_L0 + L_WQ_LEFT, fw(fr, F_L0 + L_WQ_LEFT) | waiters);
}
