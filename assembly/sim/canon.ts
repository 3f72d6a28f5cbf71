// The canonical state hash of the exhaustive search (sim/explore.ts): a 64-bit hash of the state
// block, taken so that states the search need not tell apart hash alike.
//
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

import {
  MAX_TASKS, OP_WORDS, CHECK_LOCKDEP, WAIT_IN_LOOKUP, WAIT_LOOKUP_LOCK, FS_NFS, SERIES_NEILBROWN_083EFDC,
  CHECK_UNIQUE_HASHED, CHECK_INLOOKUP_UNIQUE,
} from "../abi";
import {
  STATE, gw, tw, dw_raw, iw_raw, ow_raw, ew, frame_addr, G_NEXT_INO, G_N_EMITS, G_D_HWM, G_I_HWM, G_O_HWM,
  OFF_SIG, tasks_changed, no_tasks_changed, T_STATE, T_WAIT_KIND, T_WAIT_OBJ, T_SIGNAL, T_WAIT_INTR, T_OP, T_SP, T_RET, F_WORDS,
  D_FLAGS, D_PARENT, D_NAME, D_INODE, D_REF, D_OWNER, D_LOCKER, D_WQ_FRAME, D_WAITERS, D_LOOKUPS, I_USED,
  I_INO, I_OBJ, I_IS_DIR, RW_WRITER, RW_READERS, RW_QLEN, RW_Q, O_EXISTS, O_PARENT, O_NAME, O_IS_DIR,
  E_DIR, E_NAME, E_INO, FRAME_LOCALS, I_FLAGS, I_DYING, MAX_DENTRIES, MAX_INODES, all_tasks_changed,
  LD_MAX_CLASSES, D_CANON, I_CANON, T_CREF_D, T_CREF_I, T_CFLAGS, sdw_raw, stw, task_addr, inode_addr,
} from "./state";
import { n_tasks, task_n_ops, op_word, check_on, fs_type, series, kill_targets } from "./config";
import {
  FN_VFS_STATX, FN_GETDENTS64, FN_DO_MKDIRAT, FN_DO_FILP_OPEN, FN_DO_UNLINKAT, FN_DO_RENAMEAT2,
  FN_DO_RMDIR, FN_LINK_PATH_WALK, FN_LOOKUP_SLOW, FN___LOOKUP_SLOW, FN_LOOKUP_ONE_QSTR_EXCL,
  FN_LOOKUP_ONE_QSTR, FN_D_ALLOC_PARALLEL, FN_D_ALLOC_TRYLOCK, FN_D_ALLOC_LOCKED, FN_LOCK_LOOKUP,
  FN_ITERATE_DIR, FN_NFS_READDIR, FN_NFS_PRIME_DCACHE, FN_NFS_LOOKUP, FN_NFS_MKDIR, FN_NFS_ATOMIC_OPEN,
  FN_NFS_UNLINK, FN_NFS_RENAME, FN_NFS_CREATE, FN_NFS_RMDIR, FN_VFS_RMDIR, FN_KILL,
} from "../kernel/fns";
import { ld_has_edge, ld_held_count, ld_held_key } from "../check/lockdep";

// ---- hashing ------------------------------------------------------------------------------------
export const M1: u64 = 0x9E3779B97F4A7C15;
const M2: u64 = 0xC2B2AE3D27D4EB4F;
let h: u64 = 0;
@inline function mix(w: i32): void { h = rotl<u64>((h ^ <u64><u32>w) * M1, 31); }
@inline function mix64(w: u64): void { h = rotl<u64>((h ^ w) * M1, 31); }
@inline function pack(a: i32, b: i32): u64 { return (<u64><u32>a << 32) | <u64><u32>b; }
export function finish(x: u64): u64 { x ^= x >> 33; x *= M2; x ^= x >> 29; return x; }

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
    // a task a kill op names is not interchangeable with its twins: the killer names it by id
    for (let u = 0; u < t && c == t && (kill_targets & (1 << t)) == 0; u++) {
      if ((kill_targets & (1 << u)) != 0) continue;
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
  for (let r = m; r != 0; r &= r - 1) out |= 1 << rank(ctz<i32>(r));
  return out;
}

/** Hash of a task's own record: its state, what it waits on, and its live frames. */
function task_signature(t: i32): u64 {
  h = 0x1234;
  mix(tw(t, T_STATE)); mix(tw(t, T_WAIT_KIND)); mix(tw(t, T_WAIT_OBJ)); mix(tw(t, T_OP)); mix(tw(t, T_RET));
  mix(tw(t, T_SIGNAL)); mix(tw(t, T_WAIT_INTR));
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
  if (canon_mode == CM_SHIPPED) return canon_verify ? canonical_hash_verified(last) : canonical_hash_renamed(last);
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
const CM_SHIPPED: i32 = CM_SLOTS | CM_FLAGS;   // the canonical state dfs uses where slots_sound()
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
    case FN_NFS_MKDIR: case FN_NFS_ATOMIC_OPEN: case FN_NFS_UNLINK: case FN_NFS_CREATE: case FN_NFS_RMDIR:
      return D | (D << 2) | (D << 4) | (I << 10);                     // nfs dirops: 0, 1, 2, 5 inode
    case FN_NFS_RENAME: return D | (D << 2) | (D << 4) | (D << 10);   // 0, 1, 2, 5 the copy of a silly-renamed target (6: a name)
    case FN_VFS_RMDIR: return D | (D << 2);                           // 0 dir, 1 victim
    case FN_KILL: return 0;                                           // 0 target task
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
  mix(tw(t, T_SIGNAL)); mix(tw(t, T_WAIT_INTR));   // pc + 1 of the -EINTR continuation: plain
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

/** Start a search's hashing: symmetry reduction when asked for and some threads are alike; the
 *  canonical state (slots renamed) with it where slots_sound() holds, unless canon_mode is forced
 *  (measurement). */
export function canon_begin(use_symmetry: bool): void {
  symmetric = use_symmetry && symmetry_classes() < n_tasks;
  canon_mode = canon_forced >= 0 ? canon_forced : use_symmetry && slots_sound() ? CM_SHIPPED : 0;
  canon_fallbacks = 0;
}

// ---- the canonical state, incrementally (what dfs runs) -----------------------------------------
// canonical_hash_renamed computes exactly canonical_hash_measured's hash for CM_SHIPPED, without
// recomputing what did not change since the last hash on the path to this state (the state block
// carries the caches, so a restored snapshot brings its own):
// - per task (T_CREF_D, T_CREF_I, T_CFLAGS): the dentry and inode slots its record names and
//   whether it has a frame of an unaudited function, recomputed only for tasks in tasks_changed
//   (the task that ran and those it woke or signalled); whether the state can be renamed
//   (slots_ok) is then a few mask tests;
// - per slot (D_CANON, I_CANON): the canonical id it had at the last hash; a task's signature is
//   recomputed only when the task changed, when the renaming was switched on or off, or when a
//   slot it names got another canonical id.
// canon_verify (tests only) recomputes everything the old way beside it and traps on a difference.
const CF_VALID: i32 = 1;       // T_CREF_* and OFF_SIG are this task's
const CF_RENAMED: i32 = 2;     // its signature was taken with the slots renamed (slots_ok)
const CF_UNAUDITED: i32 = 4;   // a frame of a function local_types does not know, or a slot out of range
let canon_verify: bool = false;
export function set_canon_verify(on: bool): void { canon_verify = on; }
let dmap_hi: i32 = MAX_DENTRIES, imap_hi: i32 = MAX_INODES;   // DMAP/IMAP entries above these are FREE_REF

let cref_d: u64 = 0, cref_i: u32 = 0, cref_bad: bool = false;
@inline function ref_d(v: i32): void { if (v > 0) { if (v <= 64) cref_d |= <u64>1 << <u64>(v - 1); else cref_bad = true; } }
@inline function ref_i(v: i32): void { if (v > 0) { if (v <= 32) cref_i |= <u32>1 << <u32>(v - 1); else cref_bad = true; } }

/** The slots task t's record names, as refs_live and slot_maps read them: T_WAIT_OBJ by wait
 *  kind, T_RET inside a call, the typed frame locals; CF_UNAUDITED for an unaudited frame. */
function task_refs(t: i32): void {
  cref_d = 0; cref_i = 0; cref_bad = false;
  const sp = tw(t, T_SP), kind = tw(t, T_WAIT_KIND), obj = tw(t, T_WAIT_OBJ);
  if (kind == WAIT_IN_LOOKUP || kind == WAIT_LOOKUP_LOCK) ref_d(obj);
  else if (kind != 0) ref_i(obj);
  if (sp > 0) ref_d(tw(t, T_RET));
  for (let k = 0; k < sp; k++) {
    const fr = frame_addr(t, k), ty = local_types(load<i32>(fr));
    if (ty < 0) { cref_bad = true; continue; }
    for (let l = 0; l < FRAME_LOCALS; l++) {
      const k2 = (ty >> (2 * l)) & 3;
      if (k2 == 1) ref_d(load<i32>(fr + (<usize>(2 + l) << 2)));
      else if (k2 == 2) ref_i(load<i32>(fr + (<usize>(2 + l) << 2)));
    }
  }
  store<u64>((task_addr(t) + (<usize>T_CREF_D << 2)), cref_d);
  stw(t, T_CREF_I, <i32>cref_i);
  stw(t, T_CFLAGS, cref_bad ? CF_UNAUDITED : 0);   // CF_VALID clear: the signature is stale
}

/** The canonical maps of slot_maps with slots_ok true, by sorting instead of selection: inodes by
 *  (server object, slot); dentries breadth first from the roots (parent 0, in slot order), the
 *  children of one parent by (name, slot), then any not reached, in slot order. */
function renamed_maps(nd: i32, ni: i32): void {
  // inodes: insertion sort of the live slots by (I_OBJ, slot)
  let c = 0;
  for (let i = 1; i <= ni; i++) {
    if (iw_raw(i, I_USED) == 0) continue;
    const o = iw_raw(i, I_OBJ);
    let j = c;
    while (j > 0 && iw_raw(load<i32>(ILIST + (<usize>(j - 1) << 2)), I_OBJ) > o) {
      store<i32>(ILIST + (<usize>j << 2), load<i32>(ILIST + (<usize>(j - 1) << 2)));
      j--;
    }
    store<i32>(ILIST + (<usize>j << 2), i);
    c++;
  }
  for (let k = 0; k < c; k++) store<i32>(IMAP + (<usize>load<i32>(ILIST + (<usize>k << 2)) << 2), k + 1);
  n_il = c;
  // dentries: the non-roots sorted by (parent slot, name, slot) into KIDS, then breadth first
  let n = 0, nk = 0;
  for (let d = 1; d <= nd; d++) {
    if (dw_raw(d, D_FLAGS) == 0) continue;
    const p = dw_raw(d, D_PARENT);
    if (p == 0) { store<i32>(DLIST + (<usize>n << 2), d); store<i32>(DMAP + (<usize>d << 2), ++n); continue; }
    const nm = dw_raw(d, D_NAME);
    let j = nk;
    while (j > 0) {
      const e = load<i32>(KIDS + (<usize>(j - 1) << 2)), pe = dw_raw(e, D_PARENT);
      if (pe < p || (pe == p && dw_raw(e, D_NAME) <= nm)) break;   // equal keys: slots ascend
      store<i32>(KIDS + (<usize>j << 2), e);
      j--;
    }
    store<i32>(KIDS + (<usize>j << 2), d);
    nk++;
  }
  for (let q = 0; q < n && nk > 0; q++) {
    const x = load<i32>(DLIST + (<usize>q << 2));
    // KIDS is sorted by parent: find x's run by binary search
    let lo = 0, hi = nk;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (dw_raw(load<i32>(KIDS + (<usize>mid << 2)), D_PARENT) < x) lo = mid + 1; else hi = mid; }
    for (let k = lo; k < nk; k++) {
      const d = load<i32>(KIDS + (<usize>k << 2));
      if (dw_raw(d, D_PARENT) != x) break;
      store<i32>(DLIST + (<usize>n << 2), d); store<i32>(DMAP + (<usize>d << 2), ++n);
    }
  }
  for (let d = 1; d <= nd; d++) if (dw_raw(d, D_FLAGS) != 0 && load<i32>(DMAP + (<usize>d << 2)) == FREE_REF) { store<i32>(DLIST + (<usize>n << 2), d); store<i32>(DMAP + (<usize>d << 2), ++n); }
  n_dl = n;
}
const KIDS: usize = memory.data((MAX_DENTRIES + 2) * 4, 16);

function canonical_hash_renamed(last: i32): u64 {
  // 1. the per-task caches of the tasks that changed; can the state be renamed?
  const changed = tasks_changed;
  for (let t = 0; t < n_tasks; t++) if ((changed & (1 << t)) != 0) task_refs(t);
  no_tasks_changed();
  const nd = gw(G_D_HWM), ni = gw(G_I_HWM);
  let dlive: u64 = 0, ilive: u32 = 0;
  for (let d = 1; d <= nd; d++) if (dw_raw(d, D_FLAGS) != 0) dlive |= <u64>1 << <u64>(d - 1);
  for (let i = 1; i <= ni; i++) if (iw_raw(i, I_USED) != 0) ilive |= <u32>1 << <u32>(i - 1);
  let ok = true;
  for (let t = 0; t < n_tasks && ok; t++) {
    if ((tw(t, T_CFLAGS) & CF_UNAUDITED) != 0) ok = false;
    else if ((load<u64>((task_addr(t) + (<usize>T_CREF_D << 2))) & ~dlive) != 0 || (<u32>tw(t, T_CREF_I) & ~ilive) != 0) ok = false;
  }
  // 2. the maps (identity where the state cannot be renamed), and which slots changed id
  for (let d = 1; d <= dmap_hi; d++) store<i32>(DMAP + (<usize>d << 2), FREE_REF);
  for (let i = 1; i <= imap_hi; i++) store<i32>(IMAP + (<usize>i << 2), FREE_REF);
  dmap_hi = nd; imap_hi = ni;
  if (ok) renamed_maps(nd, ni);
  else {
    canon_fallbacks++;
    n_dl = 0; n_il = 0;
    for (let d = 1; d <= nd; d++) if (dw_raw(d, D_FLAGS) != 0) { store<i32>(DMAP + (<usize>d << 2), d); store<i32>(DLIST + (<usize>(n_dl++) << 2), d); }
    for (let i = 1; i <= ni; i++) if (iw_raw(i, I_USED) != 0) { store<i32>(IMAP + (<usize>i << 2), i); store<i32>(ILIST + (<usize>(n_il++) << 2), i); }
  }
  slots_ok = ok;
  let moved_d: u64 = 0, moved_i: u32 = 0;
  for (let d = 1; d <= nd; d++) {
    if (dw_raw(d, D_FLAGS) == 0) continue;
    const c = load<i32>(DMAP + (<usize>d << 2));
    if (dw_raw(d, D_CANON) != c) { moved_d |= <u64>1 << <u64>(d - 1); sdw_raw(d, D_CANON, c); }
  }
  for (let i = 1; i <= ni; i++) {
    if (iw_raw(i, I_USED) == 0) continue;
    const c = load<i32>(IMAP + (<usize>i << 2));
    if (iw_raw(i, I_CANON) != c) { moved_i |= <u32>1 << <u32>(i - 1); store<i32>(inode_addr(i) + (<usize>I_CANON << 2), c); }
  }
  // 3. the signatures that are stale, then the order and the hash
  const renamed = ok ? CF_RENAMED : 0;
  for (let t = 0; t < n_tasks; t++) {
    const f = tw(t, T_CFLAGS);
    if ((f & CF_VALID) != 0 && (f & CF_RENAMED) == renamed &&
        (!ok || ((load<u64>((task_addr(t) + (<usize>T_CREF_D << 2))) & moved_d) == 0 && (<u32>tw(t, T_CREF_I) & moved_i) == 0))) continue;
    store<u64>(SIG + (<usize>t << 3), task_signature_m(t));
    stw(t, T_CFLAGS, (f & CF_UNAUDITED) | CF_VALID | renamed);
  }
  for (let t = 0; t < n_tasks; t++) store<i32>(PERM + (<usize>t << 2), t);
  order_classes();
  return hash_body_m(last);
}

/** canonical_hash_renamed, checked against canonical_hash_measured (tests: set_canon_verify). */
function canonical_hash_verified(last: i32): u64 {
  const x = canonical_hash_renamed(last);
  const y = canonical_hash_measured(last);   // recomputes every signature into OFF_SIG
  if (x != y) abort("vfsim: the incremental canonical hash differs from the full one");
  no_tasks_changed();   // the signatures it wrote are the cached ones, if they agree
  return x;
}
