// Exhaustive search inside wasm: depth-first over the runnable choices, backtracking by restoring
// a snapshot of the state block, skipping states already seen.
//
// - State caching: a canonical 64-bit hash of the state (canonical_hash) goes into a table in
//   linear memory (hash compaction: a state is identified by its hash; two different states
//   colliding would prune a subtree, probability about n^2 / 2^65 for n stored states, n^2 / 2^57
//   with a preemption bound, reported by the host).
// - Symmetry reduction: threads with identical op lists are interchangeable. The hash is taken
//   with those tasks sorted by the hash of their own records and every task id in the state
//   (rwsem holders and queues, dentry owners, lock holders, waiters) mapped through that order,
//   so states that differ only by a permutation of such threads are seen once. Ties keep the id
//   order: a state is then stored under more than one key, which loses reduction, not soundness.
// - The canonical state (issue 12; docs/model.md "The canonical state" has the measurement): with
//   symmetry reduction on, and where slots_sound() holds, dentry and inode slots are renamed
//   before hashing: inodes by the server object they stand for, dentries breadth first from the
//   root (children of one parent by name, then slot), and every reference renamed alike:
//   D_PARENT, D_INODE, E_DIR, T_WAIT_OBJ (by wait kind), T_RET inside a call, and the frame
//   locals that hold slots (local_types, per audited function). Sound because the model uses a
//   slot only as a name: d_alloc takes the lowest free slot, a hash probe finds at most one
//   dentry per key while checks S1 and S2 are on, nfs_fhget finds the one inode of a fileid. A
//   state with a live frame of an unaudited function, or a slot reference to a freed slot, is
//   hashed with identity maps (sound, no saving). Server objects keep their ids (readdir lists
//   them in id order). Of the other sources measured (inode numbers, emission order, D_REF,
//   D_LOOKUPS, exact ties) none saved a state on the shapes measured, and the first four are read
//   by steps or checks; they stay in the hash. canon_mode can force one variant (measurement).
//   Divergence from Linux: none (a property of the search).
// - Preemption bound: with bound >= 0, a step that switches away from a task that could go on
//   costs one preemption; a state is revisited only when reached with fewer preemptions used
//   (the table stores the least count seen). With bound < 0 the search is unbounded and the
//   last-run task is not part of the state.

import { MAX_TASKS, VERDICT_RUNNING, VERDICT_OK, OP_WORDS, CHECK_LOCKDEP } from "../abi";
import {
  STATE, STATE_BYTES, gw, tw, dw_raw, iw_raw, ow_raw, ew, frame_addr, G_NEXT_INO, G_N_EMITS, G_D_HWM, G_I_HWM, G_O_HWM,
  state_save, state_restore, OFF_SIG, tasks_changed, no_tasks_changed, T_STATE, TS_DONE, T_WAIT_KIND,
  T_WAIT_OBJ, T_OP, T_SP, T_RET, F_WORDS, D_FLAGS, D_PARENT, D_NAME, D_INODE, D_REF, D_OWNER,
  D_LOCKER, D_WQ_FRAME, D_WAITERS, D_LOOKUPS, I_USED, I_INO, I_OBJ, I_IS_DIR, RW_WRITER,
  RW_READERS, RW_QLEN, RW_Q, O_EXISTS, O_PARENT, O_NAME, O_IS_DIR, E_DIR, E_NAME, E_INO,
} from "./state";
import { n_tasks, task_n_ops, op_word, check_on, fs_type, series } from "./config";
import { WAIT_IN_LOOKUP, WAIT_LOOKUP_LOCK, FS_NFS, SERIES_NEILBROWN_083EFDC, CHECK_UNIQUE_HASHED, CHECK_INLOOKUP_UNIQUE } from "../abi";
import { FRAME_LOCALS, I_FLAGS, I_DYING, MAX_DENTRIES, MAX_INODES, all_tasks_changed } from "./state";
import {
  FN_VFS_STATX, FN_GETDENTS64, FN_DO_MKDIRAT, FN_DO_FILP_OPEN, FN_DO_UNLINKAT, FN_DO_RENAMEAT2, FN_DO_RMDIR,
  FN_LINK_PATH_WALK, FN_LOOKUP_SLOW, FN___LOOKUP_SLOW, FN_LOOKUP_ONE_QSTR_EXCL, FN_LOOKUP_ONE_QSTR,
  FN_D_ALLOC_PARALLEL, FN_D_ALLOC_TRYLOCK, FN_D_ALLOC_LOCKED, FN_LOCK_LOOKUP, FN_ITERATE_DIR, FN_NFS_READDIR,
  FN_NFS_PRIME_DCACHE, FN_NFS_LOOKUP, FN_NFS_MKDIR, FN_NFS_ATOMIC_OPEN, FN_NFS_UNLINK, FN_NFS_RENAME,
  FN_NFS_CREATE, FN_NFS_RMDIR, FN_VFS_RMDIR,
} from "../kernel/fns";
import { ld_has_edge, ld_held_count, ld_held_key } from "../check/lockdep";
import { LD_MAX_CLASSES } from "./state";
import { tick, runnable_mask, set_por_tracking } from "./tick";
import { compute_futures, conflicts_with } from "./footprint";
import { begin_schedule } from "./strategy";

// ---- hashing ------------------------------------------------------------------------------------
const M1: u64 = 0x9E3779B97F4A7C15;
const M2: u64 = 0xC2B2AE3D27D4EB4F;
let h: u64 = 0;
@inline function mix(w: i32): void { h = rotl<u64>((h ^ <u64><u32>w) * M1, 31); }
@inline function mix64(w: u64): void { h = rotl<u64>((h ^ w) * M1, 31); }
@inline function pack(a: i32, b: i32): u64 { return (<u64><u32>a << 32) | <u64><u32>b; }
function finish(x: u64): u64 { x ^= x >> 33; x *= M2; x ^= x >> 29; return x; }

// symmetry classes: class_of[t] = the lowest task id with the same op list
const CLASS_OF: usize = memory.data(MAX_TASKS * 4, 16);
const PERM: usize = memory.data(MAX_TASKS * 4, 16);      // canonical position -> task
const RANK: usize = memory.data(MAX_TASKS * 4, 16);      // task -> canonical position
const MEMBERS: usize = memory.data(MAX_TASKS * 4, 16);   // the classes of two or more, ids ascending
const GROUPS: usize = memory.data(MAX_TASKS * 8, 16);    // per such class: (start in MEMBERS, size)
const SORTED: usize = memory.data(MAX_TASKS * 4, 16);
let n_members: i32 = 0, n_groups: i32 = 0;
const SIG: usize = STATE + (<usize>OFF_SIG << 2);   // cached in the state block, restored with it
export let symmetric: bool = false;

@inline function class_of(t: i32): i32 { return load<i32>(CLASS_OF + (<usize>t << 2)); }
@inline function rank(t: i32): i32 { return load<i32>(RANK + (<usize>t << 2)); }
@inline function perm(i: i32): i32 { return load<i32>(PERM + (<usize>i << 2)); }
@inline function sig(t: i32): u64 { return load<u64>(SIG + (<usize>t << 3)); }

/** Find the classes of interchangeable threads (identical op lists); the classes of two or more
 *  are listed in MEMBERS for canonical_order. */
export function symmetry_classes(): i32 {
  let classes = 0;
  for (let t = 0; t < n_tasks; t++) {
    let c = t;
    for (let u = 0; u < t && c == t; u++) {
      if (class_of(u) != u || task_n_ops(u) != task_n_ops(t)) continue;
      let same = true;
      for (let k = 0; k < task_n_ops(t) && same; k++) for (let w = 0; w < OP_WORDS; w++) if (op_word(u, k, w) != op_word(t, k, w)) same = false;
      if (same) c = u;
    }
    store<i32>(CLASS_OF + (<usize>t << 2), c);
    if (c == t) classes++;
  }
  n_members = 0; n_groups = 0;
  for (let c = 0; c < n_tasks; c++) {
    if (class_of(c) != c) continue;
    const start = n_members;
    for (let t = c; t < n_tasks; t++) if (class_of(t) == c) store<i32>(MEMBERS + (<usize>(n_members++) << 2), t);
    if (n_members - start < 2) { n_members = start; continue; }
    store<i32>(GROUPS + (<usize>n_groups << 3), start);
    store<i32>(GROUPS + (<usize>n_groups << 3) + 4, n_members - start);
    n_groups++;
  }
  return classes;
}

@inline function map_task(t1: i32): i32 { return t1 == 0 ? 0 : rank(t1 - 1) + 1; }   // t + 1 encoding
function map_mask(m: i32): i32 {
  if (m == 0) return 0;
  let out = 0;
  for (let t = 0; t < n_tasks; t++) if ((m & (1 << t)) != 0) out |= 1 << rank(t);
  return out;
}

/** Hash of a task's own record: its state, what it waits on, and its live frames. */
function task_signature(t: i32): u64 {
  h = 0x1234;
  mix(tw(t, T_STATE)); mix(tw(t, T_WAIT_KIND)); mix(tw(t, T_WAIT_OBJ)); mix(tw(t, T_OP)); mix(tw(t, T_RET));
  const sp = tw(t, T_SP);
  mix(sp);
  const base = frame_addr(t, 0), bytes = <usize>(sp * F_WORDS) << 2;   // F_WORDS is even
  for (let p: usize = 0; p < bytes; p += 8) mix64(load<u64>(base + p));
  return finish(h);
}

/** Order within a symmetry class: by signature, equal signatures by task id. */
@inline function before(a: i32, b: i32): bool { return sig(a) < sig(b) || (sig(a) == sig(b) && a < b); }

/** Compute the canonical order of the tasks: the positions of each symmetry class (its members'
 *  ids, ascending) are filled with its members sorted by signature. */
function canonical_order(): void {
  for (let t = 0; t < n_tasks; t++) {
    store<i32>(PERM + (<usize>t << 2), t);
    if ((tasks_changed & (1 << t)) != 0) store<u64>(SIG + (<usize>t << 3), task_signature(t));
  }
  no_tasks_changed();
  order_classes();
}

/** Fill the positions of each symmetry class (its members' ids, ascending) with its members
 *  sorted by signature (SIG must be current), then RANK from PERM. */
function order_classes(): void {
  if (symmetric) {
    for (let g = 0; g < n_groups; g++) {
      const start = load<i32>(GROUPS + (<usize>g << 3)), size = load<i32>(GROUPS + (<usize>g << 3) + 4);
      const m = MEMBERS + (<usize>start << 2);
      for (let i = 0; i < size; i++) {   // insertion sort: classes are small
        const x = load<i32>(m + (<usize>i << 2));
        let j = i;
        while (j > 0 && before(x, load<i32>(SORTED + (<usize>(j - 1) << 2)))) {
          store<i32>(SORTED + (<usize>j << 2), load<i32>(SORTED + (<usize>(j - 1) << 2)));
          j--;
        }
        store<i32>(SORTED + (<usize>j << 2), x);
      }
      for (let i = 0; i < size; i++) store<i32>(PERM + (<usize>load<i32>(m + (<usize>i << 2)) << 2), load<i32>(SORTED + (<usize>i << 2)));
    }
  }
  for (let i = 0; i < n_tasks; i++) store<i32>(RANK + (<usize>perm(i) << 2), i);
}

/** The canonical hash of the current state (see the file comment). Reads the tables raw: it
 *  runs between ticks, when no footprint is recorded. */
export function canonical_hash(last: i32): u64 {
  if (canon_mode != 0) return canonical_hash_measured(last);
  canonical_order();
  h = 0xcbf29ce484222325;
  mix64(pack(gw(G_NEXT_INO), gw(G_N_EMITS)));
  for (let i = 0; i < n_tasks; i++) mix64(sig(perm(i)));
  for (let d = 1, n = gw(G_D_HWM); d <= n; d++) {
    const f = dw_raw(d, D_FLAGS);
    if (f == 0) continue;
    mix64(pack(d, f)); mix64(pack(dw_raw(d, D_PARENT), dw_raw(d, D_NAME))); mix64(pack(dw_raw(d, D_INODE), dw_raw(d, D_REF)));
    const wq = dw_raw(d, D_WQ_FRAME);
    const holders = map_task(dw_raw(d, D_OWNER)) | (map_task(dw_raw(d, D_LOCKER)) << 8);   // ids + 1 < 256
    mix64(pack(holders, wq == 0 ? 0 : (map_task(wq >> 8) << 8) | (wq & 0xff)));
    mix64(pack(map_mask(dw_raw(d, D_WAITERS)), dw_raw(d, D_LOOKUPS)));
  }
  for (let i = 1, n = gw(G_I_HWM); i <= n; i++) {
    if (iw_raw(i, I_USED) == 0) continue;
    mix64(pack(i, iw_raw(i, I_INO))); mix64(pack(iw_raw(i, I_OBJ), iw_raw(i, I_IS_DIR)));
    const q = iw_raw(i, RW_QLEN);
    mix64(pack(map_task(iw_raw(i, RW_WRITER)) | (q << 8), map_mask(iw_raw(i, RW_READERS))));
    for (let k = 0; k < q; k++) { const e = iw_raw(i, RW_Q + k); mix((e & ~0xff) | rank(e & 0xff)); }
  }
  for (let o = 1, n = gw(G_O_HWM); o <= n; o++) {
    const exists = ow_raw(o, O_EXISTS), parent = ow_raw(o, O_PARENT);
    if (parent == 0 && exists == 0) continue;
    mix64(pack(o, exists)); mix64(pack(parent, ow_raw(o, O_NAME))); mix(ow_raw(o, O_IS_DIR));
  }
  const n = gw(G_N_EMITS);
  for (let e = 0; e < n; e++) { mix64(pack(ew(e, E_DIR), ew(e, E_NAME))); mix(ew(e, E_INO)); }
  if (check_on(CHECK_LOCKDEP)) hash_lockdep();
  if (last >= 0) mix(1000 + rank(last));
  return finish(h);
}

// ---- the canonical state, and its measurement (issue 12) ----------------------------------------
// canon_mode 0 is the plain hash above (slot numbers as they are). dfs_start picks CM_SLOTS |
// CM_FLAGS where slots_sound() holds (NFS without lockdep: the shipped canonical state) and 0
// elsewhere. The other bits switch one normalisation each on, only through set_canon_mode, to
// count how many stored states each source costs; docs/model.md "The canonical state" has the
// numbers. No command forces a mode.
export const CM_NO_INO: i32 = 1;       // G_NEXT_INO, I_INO, E_INO left out
export const CM_EMIT_SET: i32 = 2;     // emissions hashed as a multiset, not in order
export const CM_NO_LOOKUPS: i32 = 4;   // D_LOOKUPS left out
export const CM_NO_REF: i32 = 8;       // D_REF left out
export const CM_SLOTS: i32 = 16;       // dentry and inode slots renamed by identity (frames typed)
export const CM_TIES: i32 = 32;        // symmetry ties: the least hash over the tied orders
export const CM_FLAGS: i32 = 64;       // also hash I_FLAGS / I_DYING (the shipped hash omits them)
export let canon_mode: i32 = 0;
let canon_forced: i32 = -1;   // measurement: a fixed mode for the next searches; -1 the default
export function set_canon_mode(m: i32): void { canon_forced = m; }

/** Is renaming dentry and inode slots sound for this scenario? Only where every slot-order
 *  dependence of the model is known to be harmless: NFS (the audited frames, local_types), the
 *  uniqueness checks S1 and S2 on (so a hash probe finds at most one dentry, whatever the slot
 *  order), not kernel.series neilbrown-083efdc (rmdir_lock's scan takes the first in-lookup
 *  child in slot order), not lockdep (its held stacks name slots). */
function slots_sound(): bool {
  return fs_type == FS_NFS && series != SERIES_NEILBROWN_083EFDC && !check_on(CHECK_LOCKDEP) &&
    check_on(CHECK_UNIQUE_HASHED) && check_on(CHECK_INLOOKUP_UNIQUE);
}
export let canon_fallbacks: i64 = 0;   // states hashed with identity slot maps (an unaudited frame)

const DMAP: usize = memory.data((MAX_DENTRIES + 2) * 4, 16);    // dentry slot -> canonical id (1-based), 0 none
const IMAP: usize = memory.data((MAX_INODES + 2) * 4, 16);
const DLIST: usize = memory.data((MAX_DENTRIES + 2) * 4, 16);   // canonical order -> dentry slot (n_dl of them)
const ILIST: usize = memory.data((MAX_INODES + 2) * 4, 16);
let n_dl: i32 = 0, n_il: i32 = 0;
@inline function dmap(d: i32): i32 { return d <= 0 ? d : load<i32>(DMAP + (<usize>d << 2)); }
@inline function imap(i: i32): i32 { return i <= 0 ? i : load<i32>(IMAP + (<usize>i << 2)); }
const FREE_REF: i32 = 0x7fff;

// Frame local types of the audited functions: 2 bits per local, 0 plain, 1 dentry (> 0), 2 inode.
// -1: not audited (the state is then hashed with identity slot maps).
function local_types(fn: i32): i32 {
  const D = 1, I = 2;
  switch (fn) {
    case FN_VFS_STATX: case FN_GETDENTS64: return D << 2;             // 1 dentry
    case FN_DO_MKDIRAT: case FN_DO_FILP_OPEN: case FN_DO_UNLINKAT: case FN_DO_RENAMEAT2: case FN_DO_RMDIR:
      return (D << 4) | (D << 6) | (D << 8);                          // dirop: 2 dir, 3 dentry, 4 target
    case FN_LINK_PATH_WALK: return D << 6;                            // 3
    case FN_LOOKUP_SLOW: return D;                                    // 0
    case FN___LOOKUP_SLOW: case FN_LOOKUP_ONE_QSTR_EXCL: case FN_LOOKUP_ONE_QSTR: return D | (D << 6);   // 0, 3
    case FN_D_ALLOC_PARALLEL: case FN_D_ALLOC_TRYLOCK: case FN_D_ALLOC_LOCKED: return D | (D << 4) | (D << 6);   // 0, 2, 3
    case FN_LOCK_LOOKUP: case FN_ITERATE_DIR: return D;               // 0
    case FN_NFS_READDIR: return D;                                    // 0 (1, 2: objects)
    case FN_NFS_PRIME_DCACHE: return D | (D << 6) | (I << 8) | (D << 10);   // 0, 3, 4 inode, 5
    case FN_NFS_LOOKUP: return D | (D << 2);                          // 0, 1
    case FN_NFS_MKDIR: case FN_NFS_ATOMIC_OPEN: case FN_NFS_UNLINK: case FN_NFS_RENAME: case FN_NFS_CREATE: case FN_NFS_RMDIR:
      return D | (D << 2) | (D << 4) | (I << 10);                     // nfs dirops
    case FN_VFS_RMDIR: return D | (D << 2);                           // 0 dir, 1 victim
  }
  return -1;
}

let slots_ok: bool = false;

@inline function d_live(v: i32): bool { return v <= 0 || (v <= MAX_DENTRIES && dw_raw(v, D_FLAGS) != 0); }
@inline function i_live(v: i32): bool { return v <= 0 || (v <= MAX_INODES && iw_raw(v, I_USED) != 0); }

/** Does every slot reference of task t (typed frame locals, T_RET inside a call, T_WAIT_OBJ)
 *  name a live dentry or inode? A stale reference to a freed slot would read what is left in
 *  that slot; such a state is hashed with identity maps rather than assume it is never read. */
function refs_live(t: i32): bool {
  const sp = tw(t, T_SP), kind = tw(t, T_WAIT_KIND), obj = tw(t, T_WAIT_OBJ);
  if (kind == WAIT_IN_LOOKUP || kind == WAIT_LOOKUP_LOCK) { if (!d_live(obj)) return false; }
  else if (kind != 0 && !i_live(obj)) return false;
  if (sp > 0 && !d_live(tw(t, T_RET))) return false;
  for (let k = 0; k < sp; k++) {
    const fr = frame_addr(t, k), ty = local_types(load<i32>(fr));
    for (let l = 0; l < FRAME_LOCALS; l++) {
      const v = load<i32>(fr + (<usize>(2 + l) << 2)), k2 = (ty >> (2 * l)) & 3;
      if ((k2 == 1 && !d_live(v)) || (k2 == 2 && !i_live(v))) return false;
    }
  }
  return true;
}
function slot_maps(): bool {
  for (let d = 0; d <= MAX_DENTRIES; d++) store<i32>(DMAP + (<usize>d << 2), FREE_REF);
  for (let i = 0; i <= MAX_INODES; i++) store<i32>(IMAP + (<usize>i << 2), FREE_REF);
  const nd = gw(G_D_HWM), ni = gw(G_I_HWM);
  let ok = (canon_mode & CM_SLOTS) != 0;
  for (let t = 0; t < n_tasks && ok; t++) for (let k = 0, sp = tw(t, T_SP); k < sp; k++) if (local_types(load<i32>(frame_addr(t, k))) < 0) ok = false;
  for (let t = 0; t < n_tasks && ok; t++) ok = refs_live(t);
  if (!ok) {
    if ((canon_mode & CM_SLOTS) != 0) canon_fallbacks++;
    n_dl = 0; n_il = 0;
    for (let d = 1; d <= nd; d++) if (dw_raw(d, D_FLAGS) != 0) { store<i32>(DMAP + (<usize>d << 2), d); store<i32>(DLIST + (<usize>(n_dl++) << 2), d); }
    for (let i = 1; i <= ni; i++) if (iw_raw(i, I_USED) != 0) { store<i32>(IMAP + (<usize>i << 2), i); store<i32>(ILIST + (<usize>(n_il++) << 2), i); }
    return false;
  }
  // inodes: by the server object they stand for, then slot
  let c = 0;
  while (true) {
    let best = -1;
    for (let i = 1; i <= ni; i++) {
      if (iw_raw(i, I_USED) == 0 || load<i32>(IMAP + (<usize>i << 2)) != FREE_REF) continue;
      if (best < 0 || iw_raw(i, I_OBJ) < iw_raw(best, I_OBJ)) best = i;
    }
    if (best < 0) break;
    store<i32>(ILIST + (<usize>c << 2), best);
    store<i32>(IMAP + (<usize>best << 2), ++c);
  }
  // dentries: breadth first from the root; children of one parent by (name, slot)
  let n = 0;
  for (let d = 1; d <= nd; d++) if (dw_raw(d, D_FLAGS) != 0 && dw_raw(d, D_PARENT) == 0) { store<i32>(DLIST + (<usize>n << 2), d); store<i32>(DMAP + (<usize>d << 2), ++n); }
  for (let p = 0; p < n; p++) {
    const x = load<i32>(DLIST + (<usize>p << 2));
    while (true) {
      let best = -1;
      for (let d = 1; d <= nd; d++) {
        if (dw_raw(d, D_FLAGS) == 0 || dw_raw(d, D_PARENT) != x || load<i32>(DMAP + (<usize>d << 2)) != FREE_REF) continue;
        if (best < 0 || dw_raw(d, D_NAME) < dw_raw(best, D_NAME)) best = d;
      }
      if (best < 0) break;
      store<i32>(DLIST + (<usize>n << 2), best);
      store<i32>(DMAP + (<usize>best << 2), ++n);
    }
  }
  for (let d = 1; d <= nd; d++) if (dw_raw(d, D_FLAGS) != 0 && load<i32>(DMAP + (<usize>d << 2)) == FREE_REF) { store<i32>(DLIST + (<usize>n << 2), d); store<i32>(DMAP + (<usize>d << 2), ++n); }
  n_dl = n; n_il = c;
  return true;
}

function task_signature_m(t: i32): u64 {
  h = 0x1234;
  const kind = tw(t, T_WAIT_KIND), obj = tw(t, T_WAIT_OBJ);
  const is_d = kind == WAIT_IN_LOOKUP || kind == WAIT_LOOKUP_LOCK;
  mix(tw(t, T_STATE)); mix(kind); mix(slots_ok ? (is_d ? dmap(obj) : kind != 0 ? imap(obj) : obj) : obj); mix(tw(t, T_OP));
  const sp = tw(t, T_SP);
  const r = tw(t, T_RET);
  mix(slots_ok && sp > 0 ? dmap(r) : r);
  mix(sp);
  for (let k = 0; k < sp; k++) {
    const fr = frame_addr(t, k);
    const fn = load<i32>(fr);
    mix(fn); mix(load<i32>(fr + 4));
    const ty = slots_ok ? local_types(fn) : 0;
    for (let l = 0; l < FRAME_LOCALS; l++) {
      const v = load<i32>(fr + (<usize>(2 + l) << 2));
      const k2 = (ty >> (2 * l)) & 3;
      mix(k2 == 1 ? dmap(v) : k2 == 2 ? imap(v) : v);
    }
  }
  return finish(h);
}

function canonical_order_m(): void {
  for (let t = 0; t < n_tasks; t++) { store<i32>(PERM + (<usize>t << 2), t); store<u64>(SIG + (<usize>t << 3), task_signature_m(t)); }
  all_tasks_changed();   // the shipped cache is not kept in step here
  order_classes();
}

function hash_body_m(last: i32): u64 {
  h = 0xcbf29ce484222325;
  const no_ino = (canon_mode & CM_NO_INO) != 0;
  mix64(pack(no_ino ? 0 : gw(G_NEXT_INO), gw(G_N_EMITS)));
  for (let i = 0; i < n_tasks; i++) mix64(sig(perm(i)));
  // dentries in canonical order (identity maps: slot order)
  for (let k = 0; k < n_dl; k++) {
    const d = load<i32>(DLIST + (<usize>k << 2)), c = dmap(d);
    const f = dw_raw(d, D_FLAGS);
    mix64(pack(c, f)); mix64(pack(dmap(dw_raw(d, D_PARENT)), dw_raw(d, D_NAME)));
    mix64(pack(imap(dw_raw(d, D_INODE)), (canon_mode & CM_NO_REF) != 0 ? 0 : dw_raw(d, D_REF)));
    const wq = dw_raw(d, D_WQ_FRAME);
    const holders = map_task(dw_raw(d, D_OWNER)) | (map_task(dw_raw(d, D_LOCKER)) << 8);
    mix64(pack(holders, wq == 0 ? 0 : (map_task(wq >> 8) << 8) | (wq & 0xff)));
    mix64(pack(map_mask(dw_raw(d, D_WAITERS)), (canon_mode & CM_NO_LOOKUPS) != 0 ? 0 : dw_raw(d, D_LOOKUPS)));
  }
  for (let k = 0; k < n_il; k++) {
    const i = load<i32>(ILIST + (<usize>k << 2)), c = imap(i);
    mix64(pack(c, no_ino ? 0 : iw_raw(i, I_INO))); mix64(pack(iw_raw(i, I_OBJ), iw_raw(i, I_IS_DIR)));
    const q = iw_raw(i, RW_QLEN);
    mix64(pack(map_task(iw_raw(i, RW_WRITER)) | (q << 8), map_mask(iw_raw(i, RW_READERS))));
    for (let k = 0; k < q; k++) { const e = iw_raw(i, RW_Q + k); mix((e & ~0xff) | rank(e & 0xff)); }
    if ((canon_mode & CM_FLAGS) != 0) mix64(pack(iw_raw(i, I_FLAGS), map_task(iw_raw(i, I_DYING))));
  }
  for (let o = 1, n = gw(G_O_HWM); o <= n; o++) {
    const exists = ow_raw(o, O_EXISTS), parent = ow_raw(o, O_PARENT);
    if (parent == 0 && exists == 0) continue;
    mix64(pack(o, exists)); mix64(pack(parent, ow_raw(o, O_NAME))); mix(ow_raw(o, O_IS_DIR));
  }
  const n = gw(G_N_EMITS);
  if ((canon_mode & CM_EMIT_SET) != 0) {
    let acc: u64 = 0;
    const save = h;
    for (let e = 0; e < n; e++) { h = 77; mix64(pack(dmap(ew(e, E_DIR)), ew(e, E_NAME))); mix(no_ino ? 0 : ew(e, E_INO)); acc += finish(h); }
    h = save; mix64(acc);
  } else {
    for (let e = 0; e < n; e++) { mix64(pack(dmap(ew(e, E_DIR)), ew(e, E_NAME))); mix(no_ino ? 0 : ew(e, E_INO)); }
  }
  if (check_on(CHECK_LOCKDEP)) hash_lockdep();
  if (last >= 0) mix(1000 + rank(last));
  return finish(h);
}

function canonical_hash_measured(last: i32): u64 {
  slots_ok = slot_maps();
  canonical_order_m();
  let best = hash_body_m(last);
  if ((canon_mode & CM_TIES) != 0 && symmetric) {
    // every order of each run of tied signatures inside a class: swap adjacent tied pairs
    for (let g = 0; g < n_groups; g++) {
      const start = load<i32>(GROUPS + (<usize>g << 3)), size = load<i32>(GROUPS + (<usize>g << 3) + 4);
      const m = MEMBERS + (<usize>start << 2);
      for (let i = 0; i + 1 < size; i++) {
        const pa = load<i32>(m + (<usize>i << 2)), pb = load<i32>(m + (<usize>(i + 1) << 2));
        const a = perm(pa), b = perm(pb);
        if (sig(a) != sig(b)) continue;
        store<i32>(PERM + (<usize>pa << 2), b); store<i32>(PERM + (<usize>pb << 2), a);
        store<i32>(RANK + (<usize>a << 2), pb); store<i32>(RANK + (<usize>b << 2), pa);
        const x = hash_body_m(last);
        if (x < best) best = x;
        else { store<i32>(PERM + (<usize>pa << 2), a); store<i32>(PERM + (<usize>pb << 2), b); store<i32>(RANK + (<usize>a << 2), pa); store<i32>(RANK + (<usize>b << 2), pb); }
      }
    }
  }
  return best;
}

/** lockdep's state (check/lockdep.ts): the dependency set, and each task's held stack in the
 *  canonical task order. Who added an edge and when is history for the report, not state. */
function hash_lockdep(): void {
  let edges = 0;
  for (let a = 0; a < LD_MAX_CLASSES; a++) for (let b = 0; b < LD_MAX_CLASSES; b++) if (ld_has_edge(a, b)) edges |= 1 << (a * LD_MAX_CLASSES + b);
  mix(edges);
  for (let i = 0; i < n_tasks; i++) {
    const t = perm(i), n = ld_held_count(t);
    mix(n);
    for (let k = 0; k < n; k++) mix(ld_held_key(t, k));
  }
}

// ---- the visited table ------------------------------------------------------------------------
// Hash compaction in 8-byte slots: a slot holds the state's 64-bit key, 0 meaning empty. With a
// preemption bound the key's low byte is replaced by the least number of preemptions the state was
// reached with (bounds are at most 64), so states are told apart by 56 bits there.
//
// Extendible hashing (Fagin, Nievergelt, Pippenger and Strong, 1979): a directory indexed by the
// key's top `gdepth` bits points to segments of 2^SEG_BITS slots, each a linear-probing table
// indexed by key bits 8 and up. A segment that passes MAX_LOAD splits in two by the next top bit
// of its keys, so the table grows one segment at a time: no rehash of the whole table and no
// segment ever discarded, which matters because the stub runtime cannot free. Segments are kept
// from one search to the next and cleared when reused. Past the memory limit a segment fills up to
// HARD_LOAD, then the search stops, not exhausted, with table_full set.
const SEG_BITS: i32 = 14;
const SEG_SLOTS: i32 = 1 << SEG_BITS;
const SEG_MASK: u64 = <u64>(SEG_SLOTS - 1);
const SEG_HEADER: usize = 16;                        // i32 count, i32 local depth
const SEG_BYTES: usize = SEG_HEADER + (<usize>SEG_SLOTS << 3);
const MAX_LOAD: i32 = SEG_SLOTS * 4 / 5;
const HARD_LOAD: i32 = SEG_SLOTS * 15 / 16;
const MAX_GDEPTH: i32 = 20;
const MAX_SEGS: i32 = 1 << 15;                       // 4 GiB of segments: more than wasm32 holds
// Linear memory ends at 4 GiB; the stub runtime computes the end of memory in 32 bits, so it must
// never reach the 65536th page. Segments stop 64 MiB short of that, leaving room for snapshots.
const MEMORY_LIMIT: u64 = (<u64>65535 << 16) - (<u64>64 << 20);

let dir: usize = 0;            // 2^gdepth segment pointers
let dir_cap: i32 = 0;
let gdepth: i32 = 0;
let segs: usize = 0;           // every segment allocated so far, reused by later searches
let segs_alloc: i32 = 0;
let segs_used: i32 = 0;
let scratch: usize = 0;        // one segment's slots, for splitting
let bounded: bool = false;
export let table_full: bool = false;

@inline function seg_count(g: usize): i32 { return load<i32>(g); }
@inline function seg_depth(g: usize): i32 { return load<i32>(g + 4); }
@inline function slot_at(g: usize, i: u64): usize { return g + SEG_HEADER + (<usize>i << 3); }
@inline function dir_at(i: u64): usize { return dir + (<usize>i << 2); }
@inline function dir_index(key: u64): u64 { return gdepth == 0 ? 0 : key >> <u64>(64 - gdepth); }

/** The end of the heap: where the next allocation would start. */
function heap_top(): u64 {
  const p = heap.alloc(0);
  heap.free(p);   // the last block: the stub runtime takes it back
  return <u64>p;
}

/** A cleared segment of the given local depth, or 0 past the memory limit. */
function new_segment(depth: i32): usize {
  let g: usize;
  if (segs_used < segs_alloc) {
    g = load<usize>(segs + (<usize>segs_used << 2));
  } else {
    if (segs_alloc >= MAX_SEGS || heap_top() + <u64>SEG_BYTES > MEMORY_LIMIT) return 0;
    g = heap.alloc(SEG_BYTES);
    store<usize>(segs + (<usize>segs_alloc << 2), g);
    segs_alloc++;
  }
  segs_used++;
  memory.fill(g, 0, SEG_BYTES);
  store<i32>(g + 4, depth);
  return g;
}

function table_begin(): void {
  if (host_table) return;   // the host clears its table
  if (segs == 0) {
    // The stub runtime grows memory by doubling it; from a power of two that would land exactly on
    // 65536 pages (see MEMORY_LIMIT). One page more keeps an odd factor in every later size.
    if (popcnt(memory.size()) == 1) memory.grow(1);
    segs = heap.alloc(<usize>MAX_SEGS << 2);
    scratch = heap.alloc(<usize>SEG_SLOTS << 3);
  }
  segs_used = 0;
  gdepth = 0;
  if (dir_cap == 0) { dir = heap.alloc(4); dir_cap = 1; }
  store<usize>(dir, new_segment(0));
}

/** Put a key into a segment known to have room for it. */
function seg_put(g: usize, key: u64): void {
  let i = (key >> 8) & SEG_MASK;
  while (load<u64>(slot_at(g, i)) != 0) i = (i + 1) & SEG_MASK;
  store<u64>(slot_at(g, i), key);
  store<i32>(g, seg_count(g) + 1);
}

/** Split the segment that `key` maps to; false if the directory or memory cannot grow. */
function split(key: u64): bool {
  const g = load<usize>(dir_at(dir_index(key)));
  const depth = seg_depth(g);
  if (depth == gdepth) {
    if (gdepth >= MAX_GDEPTH) return false;
    const n = <i32>1 << gdepth;
    if (dir_cap < n * 2) {   // the old directory is left behind (at most as large as the new one)
      const d = heap.alloc(<usize>n << 3);
      memory.copy(d, dir, <usize>n << 2);
      dir = d; dir_cap = n * 2;
    }
    for (let i = n * 2 - 1; i >= 0; i--) store<usize>(dir + (<usize>i << 2), load<usize>(dir + (<usize>(i >> 1) << 2)));
    gdepth++;
  }
  const h = new_segment(depth + 1);
  if (h == 0) return false;
  store<i32>(g + 4, depth + 1);
  // the directory entries of g: 2^(gdepth - depth) of them from the key's depth-bit prefix; the
  // upper half (next bit set) go to h
  const span = <u64>1 << <u64>(gdepth - depth);
  const first = dir_index(key) & ~(span - 1);
  for (let i = first + (span >> 1); i < first + span; i++) store<usize>(dir_at(i), h);
  const bytes = <usize>SEG_SLOTS << 3;
  memory.copy(scratch, g + SEG_HEADER, bytes);
  memory.fill(g + SEG_HEADER, 0, bytes);
  store<i32>(g, 0);
  const bit = <u64>(63 - depth);
  for (let p: usize = 0; p < bytes; p += 8) {
    const k = load<u64>(scratch + p);
    if (k != 0) seg_put(((k >> bit) & 1) != 0 ? h : g, k);
  }
  return true;
}

// A visited table kept by the host (host/core/visited.ts), for searches that outgrow linear
// memory: the key in two halves and the preemptions used; 1 if the state is new (or reached with
// fewer preemptions), 0 if seen, -1 if the host's table is full.
@external("vfsim", "visited_insert") declare function host_visited_insert(lo: u32, hi: u32, used: i32): i32;
let host_table: bool = false;
export function use_host_table(on: bool): void { host_table = on; }

/** Insert a state's key with its preemption count; true if the state is new (or reached with
 *  fewer preemptions than before), false if it can be skipped. */
function table_visit(hash: u64, used: i32): bool {
  if (host_table) {
    const r = host_visited_insert(<u32>hash, <u32>(hash >> 32), used);
    if (r < 0) table_full = true;
    return r > 0;
  }
  const cmp: u64 = bounded ? ~<u64>0xff : ~<u64>0;
  let key = bounded ? (hash & cmp) | <u64>used : hash;
  if ((key & cmp) == 0) key |= 0x100;   // 0 is an empty slot
  while (true) {
    const g = load<usize>(dir_at(dir_index(key)));
    let i = (key >> 8) & SEG_MASK;
    while (true) {
      const p = slot_at(g, i);
      const s = load<u64>(p);
      if (s == 0) break;
      if ((s & cmp) == (key & cmp)) {
        if (!bounded || <i32>(s & 0xff) <= used) return false;
        store<u64>(p, key);
        return true;
      }
      i = (i + 1) & SEG_MASK;
    }
    if (seg_count(g) < MAX_LOAD) { seg_put(g, key); return true; }
    if (split(key)) continue;   // try again in whichever half the key went to
    if (seg_count(g) < HARD_LOAD) { seg_put(g, key); return true; }
    table_full = true;
    return false;
  }
}

/** A check of the table itself (test/explore.test.ts): insert n distinct keys, then each again;
 *  with a bound, each again with fewer preemptions. Returns the number of wrong answers. */
export function table_selftest(n: i32, with_bound: bool): i32 {
  bounded = with_bound;
  table_begin();
  table_full = false;
  let wrong = 0;
  const passes = with_bound ? 3 : 2;
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < n; i++) {
      const key = finish(<u64>(i + 1) * M1);
      const fresh = table_visit(key, pass == 2 ? 2 : 3);
      if (fresh != (pass != 1)) wrong++;
    }
  }
  return wrong + (table_full ? 1 : 0);
}

// ---- the search -------------------------------------------------------------------------------
const MAX_DEPTH: i32 = 1 << 16;
export const PATH: usize = memory.data(MAX_DEPTH, 16);
let snaps: usize = 0;                 // per-depth snapshot pointers
let snaps_cap: i32 = 0;
const FRAME_WORDS: i32 = 4;            // per depth: options mask, last, used, saved
let frames: usize = 0;

export let path_len: i32 = 0;
export let states: i64 = 0;
export let transitions: i64 = 0;
export let schedules: i64 = 0;
export let revisits: i64 = 0;
export let exhausted: bool = false;
export let max_depth: i32 = 0;

function snapshot_at(depth: i32): usize {
  if (depth >= snaps_cap) {
    const cap = max(64, snaps_cap * 2);
    const p = heap.alloc(<usize>cap * sizeof<usize>());
    memory.fill(p, 0, <usize>cap * sizeof<usize>());
    if (snaps != 0) memory.copy(p, snaps, <usize>snaps_cap * sizeof<usize>());
    const f = heap.alloc(<usize>cap * FRAME_WORDS * 4);
    if (frames != 0) memory.copy(f, frames, <usize>snaps_cap * FRAME_WORDS * 4);
    snaps = p; frames = f; snaps_cap = cap;
  }
  const at = snaps + <usize>depth * sizeof<usize>();
  let s = load<usize>(at);
  if (s == 0) { s = heap.alloc(<usize>STATE_BYTES); store<usize>(at, s); }
  return s;
}

@inline function fr(depth: i32, k: i32): usize { return frames + (<usize>(depth * FRAME_WORDS + k) << 2); }

/** The choices at a state: the last task first (no preemption), then the others if the bound
 *  allows; as a bitmask plus the "last first" rule applied when popping. */
function options(last: i32, used: i32, bound: i32): i32 {
  const mask = runnable_mask();
  if (last >= 0 && (mask & (1 << last)) != 0 && bound >= 0 && used >= bound) return 1 << last;
  return mask;
}

/** States where partial-order reduction explored one task instead of all. */
export let ample_cuts: i64 = 0;

/** Is the step just taken by t independent of everything the other tasks can still do? */
function independent_of_others(t: i32): bool {
  for (let u = 0; u < n_tasks; u++) {
    if (u == t || tw(u, T_STATE) == TS_DONE) continue;
    if (conflicts_with(u, tw(u, T_OP))) return false;
  }
  return true;
}

// The search in progress (dfs_start, then dfs_run in slices).
let cur_depth: i32 = -1;
let cur_bound: i32 = -1;
let cur_max_states: i64 = 0;
let cur_por: bool = false;

/** Start a search from the initial state. */
export function dfs_start(bound: i32, max_states: i64, use_symmetry: bool, use_por: bool): void {
  symmetric = use_symmetry && symmetry_classes() < n_tasks;
  canon_mode = canon_forced >= 0 ? canon_forced : use_symmetry && slots_sound() ? CM_SLOTS | CM_FLAGS : 0;
  canon_fallbacks = 0;
  // Partial-order reduction only without a preemption bound (the two do not compose).
  // Off with the lockdep check: its graph is shared by every acquisition (no footprint records it).
  cur_por = use_por && bound < 0 && !check_on(CHECK_LOCKDEP);
  if (cur_por) compute_futures();
  cur_bound = bound;
  cur_max_states = max_states;
  ample_cuts = 0;
  bounded = bound >= 0;
  table_begin();
  table_full = false;
  states = 0; transitions = 0; schedules = 0; revisits = 0; exhausted = false; max_depth = 0; path_len = 0;
  begin_schedule();
  table_visit(canonical_hash(-1), 0);
  states = 1;
  cur_depth = 0;
  state_save(snapshot_at(0));
  store<i32>(fr(0, 0), options(-1, 0, bound));
  store<i32>(fr(0, 1), -1);
  store<i32>(fr(0, 2), 0);
  store<i32>(fr(0, 3), 1);   // the live state is this depth's snapshot
}

/** Go on with the search for at most `budget` more transitions. Returns VERDICT_RUNNING if the
 *  budget ran out first; otherwise the verdict of the first failing schedule met (its choices in
 *  PATH[0..path_len)), or VERDICT_OK when the space is exhausted (exhausted set) or the state
 *  budget or the table ran out (exhausted clear). The model must not be used in between. */
export function dfs_run(budget: i64): i32 {
  if (cur_depth < 0) return VERDICT_OK;
  set_por_tracking(cur_por);
  const v = search(transitions + budget);
  set_por_tracking(false);
  if (v != VERDICT_RUNNING) cur_depth = -1;
  return v;
}

function search(stop: i64): i32 {
  const bound = cur_bound, por = cur_por;
  let depth = cur_depth;
  while (depth >= 0) {
    if (transitions >= stop) { cur_depth = depth; return VERDICT_RUNNING; }
    const opts = load<i32>(fr(depth, 0));
    if (opts == 0) { depth--; continue; }
    const last = load<i32>(fr(depth, 1)), used = load<i32>(fr(depth, 2));
    const t = (last >= 0 && (opts & (1 << last)) != 0) ? last : ctz<i32>(opts);
    store<i32>(fr(depth, 0), opts & ~(1 << t));
    if (load<i32>(fr(depth, 3)) == 0) state_restore(snapshot_at(depth));
    store<i32>(fr(depth, 3), 0);
    store<u8>(PATH + <usize>depth, <u8>t);
    // switching away from a task that could go on costs a preemption (counted only with a bound)
    const u = bound >= 0 && last >= 0 && t != last && (runnable_mask() & (1 << last)) != 0 ? used + 1 : used;
    const v = tick(t);
    transitions++;
    if (v != VERDICT_RUNNING) {
      schedules++;
      if (v != VERDICT_OK) { path_len = depth + 1; return v; }
      continue;
    }
    // An ample set of one: t's step commutes with all the others can still do, so the other
    // choices here need not be explored. Cycle proviso (conservative): only when the successor
    // is a new state, so no cycle is closed by ample steps alone.
    if (!table_visit(canonical_hash(bound >= 0 ? t : -1), bound >= 0 ? u : 0)) {
      if (table_full) { path_len = 0; return VERDICT_OK; }
      revisits++;
      continue;
    }
    if (por && load<i32>(fr(depth, 0)) != 0 && independent_of_others(t)) { store<i32>(fr(depth, 0), 0); ample_cuts++; }
    states++;
    if (states >= cur_max_states) { path_len = 0; return VERDICT_OK; }
    depth++;
    if (depth >= MAX_DEPTH - 1) abort("vfsim: exhaustive search deeper than 65535 ticks");
    if (depth > max_depth) max_depth = depth;
    state_save(snapshot_at(depth));
    store<i32>(fr(depth, 0), options(t, u, bound));
    store<i32>(fr(depth, 1), t);
    store<i32>(fr(depth, 2), u);
    store<i32>(fr(depth, 3), 1);
  }
  exhausted = true;
  return VERDICT_OK;
}

