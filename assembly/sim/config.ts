// The scenario: read-only for the whole run. load_scenario() decodes the bytes the host wrote at
// scenario_ptr() (layout: host/core/abi.ts) into the variant switches below and index tables.

import {
  SCENARIO_WORDS, HEADER_WORDS, OP_WORDS, MAX_TASKS, MAX_PATHS, MAX_OPS, MAX_PATH_LEN, MAX_NAMES,
  MAX_TREE, ABI_VERSION, FS_COUNT, FS_PROCFS, FS_PROC_SYS, FS_FUSE, FS_SMB, FS_OVERLAYFS,
  PRIME_LOCKED, PRIME_DROP_LOCK,
  H_VERSION, H_ORDER, H_RWSEM, H_WAITQUEUE, H_FS, H_PRIME, H_LOOKUP_LOCKS, H_CHECKS, H_PLANT,
  H_TICKS_MAX, H_N_NAMES, H_N_PATHS, H_N_TREE, H_N_CACHED, H_N_TASKS, H_ITERATE, H_SERIES,
  H_ATOMIC_OPEN, H_NFS_PREPARED, H_NEED_REVAL, FS_NFS, OP_KILL, H_CI_LOOKUP, H_CI_NAMES, MAX_CI_NAMES, CI_DROP_LOCK, N_OPS, OP_DECODE_FH,
} from "../abi";

export const SCENARIO: usize = memory.data(SCENARIO_WORDS << 2, 16);
const PATH_OFF: usize = memory.data(MAX_PATHS << 2, 16);   // path id -> word offset of its record
const TASK_OFF: usize = memory.data(MAX_TASKS << 2, 16);   // task -> word offset of its first op

export let order: i32 = 0;
export let rwsem_policy: i32 = 0;
export let waitqueue: i32 = 0;
export let fs_type: i32 = 0;
export let prime: i32 = 0;
export let lookup_locks: bool = false;
export let iterate_wrapped: bool = false;
/** The filesystem has ->atomic_open (fs.atomicOpen; default: nfs, meaning NFSv4). */
export let atomic_open: bool = false;
/** fs.nfsPrepared: NFS after the September 2026 preparation (no d_drop mid-operation). */
export let nfs_prepared: bool = false;
/** kernel.series (SERIES_*). The host enforces what each revision lacks (no d_alloc_locked, no
 *  lookup locks, no on-stack wait queue after aug-2025); the model branches on it only for
 *  S_DYING (neilbrown-083efdc: rmdir_lock and the dying-directory wait in d_alloc_parallel). */
export let series: i32 = 0;
/** fs.needReval: SMB readdir attributes say CIFS_FATTR_NEED_REVAL (cifs_prime_dcache creates no dentry). */
export let need_reval: bool = false;
/** Some thread runs the kill op (a fatal signal to another task: kernel/signal.ts). */
export let has_kill: bool = false;
/** Bitmask of the tasks some kill op names. */
export let kill_targets: i32 = 0;
/** fs.ciLookup (CI_*): ->lookup of a name in fs.ciNames is xfs_vn_ci_lookup's case-insensitive
 *  match, which calls d_add_ci (nfs only: the server's objects are the on-disk directory). */
export let ci_lookup: i32 = 0;
/** Some thread decodes file handles (op decode-fh): disconnected aliases can exist, so
 *  d_splice_alias looks for one. */
export let decodes_fh: bool = false;
/** fs.ciNames: up to MAX_CI_NAMES (asked, exact) name pairs (H_CI_NAMES). */
export let ci_names: i32 = 0;
/** The exact-case name fs.ciNames gives for `name`, or 0 if `name` is not case-folded. */
export function ci_exact(name: i32): i32 {
  if (ci_lookup == 0) return 0;
  for (let k = 0; k < MAX_CI_NAMES; k++) {
    const pair = (ci_names >> (12 * k)) & 0xfff;
    if (pair != 0 && (pair >> 6) == name) return pair & 63;
  }
  return 0;
}
export let checks_mask: i32 = 0;
export let plant_mask: i32 = 0;
export let ticks_max: i32 = 0;
export let n_names: i32 = 0;
export let n_paths: i32 = 0;
export let n_tree: i32 = 0;
export let n_cached: i32 = 0;
export let n_tasks: i32 = 0;
export let tree_off: i32 = 0;
export let cached_off: i32 = 0;

/** The priming calls a filesystem's readdir could use (host/core/seed/rules.ts FS_PRIMES says the
 *  same, with the reasons; docs/model.md "Filesystems"). */
export function fs_accepts_prime(fs: i32, p: i32): bool {
  if (fs == FS_FUSE || fs == FS_SMB || fs == FS_OVERLAYFS) return p != PRIME_LOCKED && p != PRIME_DROP_LOCK;
  return true;
}

/** procfs and /proc/sys: inodes numbered by get_next_ino() when built, no directory operations. */
@inline export function fs_proc_like(): bool { return fs_type == FS_PROCFS || fs_type == FS_PROC_SYS; }

@inline export function sc(i: i32): i32 { return load<i32>(SCENARIO + (<usize>i << 2)); }
@inline export function check_on(id: i32): bool { return (checks_mask & (1 << id)) != 0; }
@inline export function planted(id: i32): bool { return (plant_mask & (1 << id)) != 0; }

@inline export function path_len(p: i32): i32 { return sc(load<i32>(PATH_OFF + (<usize>p << 2))); }
@inline export function path_name(p: i32, i: i32): i32 { return sc(load<i32>(PATH_OFF + (<usize>p << 2)) + 1 + i); }
/** Last component of a path (the name an op creates, removes or renames). */
@inline export function path_last(p: i32): i32 { return path_name(p, path_len(p) - 1); }

@inline export function task_n_ops(t: i32): i32 { return sc(load<i32>(TASK_OFF + (<usize>t << 2))); }
@inline export function op_word(t: i32, op: i32, w: i32): i32 {
  return sc(load<i32>(TASK_OFF + (<usize>t << 2)) + 1 + op * OP_WORDS + w);
}

/** Decode the header and index the variable parts. Returns 0, or -(word index + 1) of the first
 *  word that is out of range (the host validates first; this guards the model's tables). */
export function decode_scenario(): i32 {
  if (sc(H_VERSION) != ABI_VERSION) return -(H_VERSION + 1);
  order = sc(H_ORDER); rwsem_policy = sc(H_RWSEM); waitqueue = sc(H_WAITQUEUE);
  fs_type = sc(H_FS); prime = sc(H_PRIME); lookup_locks = sc(H_LOOKUP_LOCKS) != 0;
  iterate_wrapped = sc(H_ITERATE) == 1;
  if (<u32>sc(H_ITERATE) > 1) return -(H_ITERATE + 1);
  if (<u32>sc(H_ATOMIC_OPEN) > 2) return -(H_ATOMIC_OPEN + 1);
  if (<u32>sc(H_NFS_PREPARED) > 1) return -(H_NFS_PREPARED + 1);
  atomic_open = sc(H_ATOMIC_OPEN) == 0 ? sc(H_FS) == FS_NFS : sc(H_ATOMIC_OPEN) == 1;
  nfs_prepared = sc(H_NFS_PREPARED) == 1;
  series = sc(H_SERIES);
  if (<u32>series > 2) return -(H_SERIES + 1);
  need_reval = sc(H_NEED_REVAL) == 1;
  if (<u32>sc(H_NEED_REVAL) > 1 || (need_reval && sc(H_FS) != FS_SMB)) return -(H_NEED_REVAL + 1);
  ci_lookup = sc(H_CI_LOOKUP); ci_names = sc(H_CI_NAMES);
  if (<u32>ci_lookup > 2 || (ci_lookup != 0 && sc(H_FS) != FS_NFS)) return -(H_CI_LOOKUP + 1);
  if (ci_lookup == CI_DROP_LOCK && sc(H_WAITQUEUE) != 1) return -(H_CI_LOOKUP + 1);   // v3 has no d_wait
  if (<u32>ci_names >= (1 << 24)) return -(H_CI_NAMES + 1);
  checks_mask = sc(H_CHECKS); plant_mask = sc(H_PLANT); ticks_max = sc(H_TICKS_MAX);
  n_names = sc(H_N_NAMES); n_paths = sc(H_N_PATHS); n_tree = sc(H_N_TREE);
  n_cached = sc(H_N_CACHED); n_tasks = sc(H_N_TASKS);
  if (<u32>order > 1) return -(H_ORDER + 1);
  if (<u32>rwsem_policy > 2) return -(H_RWSEM + 1);
  if (<u32>waitqueue > 1) return -(H_WAITQUEUE + 1);
  if (<u32>fs_type >= <u32>FS_COUNT) return -(H_FS + 1);
  if (<u32>prime > 3) return -(H_PRIME + 1);
  if (!fs_accepts_prime(fs_type, prime)) return -(H_PRIME + 1);
  if (lookup_locks && (fs_type == FS_FUSE || fs_type == FS_SMB || fs_type == FS_OVERLAYFS)) return -(H_LOOKUP_LOCKS + 1);
  if (ticks_max < 1) return -(H_TICKS_MAX + 1);
  if (<u32>n_names >= <u32>MAX_NAMES) return -(H_N_NAMES + 1);
  if (n_paths < 1 || n_paths > MAX_PATHS) return -(H_N_PATHS + 1);
  if (<u32>n_tree > <u32>MAX_TREE) return -(H_N_TREE + 1);
  if (<u32>n_cached > <u32>MAX_PATHS) return -(H_N_CACHED + 1);
  if (n_tasks < 1 || n_tasks > MAX_TASKS) return -(H_N_TASKS + 1);
  has_kill = false; kill_targets = 0;
  decodes_fh = false;
  let w = HEADER_WORDS;
  for (let p = 0; p < n_paths; p++) {
    if (w >= SCENARIO_WORDS - MAX_PATH_LEN) return -(w + 1);
    store<i32>(PATH_OFF + (<usize>p << 2), w);
    const len = sc(w);
    if (<u32>len > <u32>MAX_PATH_LEN) return -(w + 1);
    for (let i = 0; i < len; i++) if (sc(w + 1 + i) < 1 || sc(w + 1 + i) > n_names) return -(w + 2 + i);
    w += 1 + len;
  }
  tree_off = w;
  for (let i = 0; i < n_tree; i++) {
    const p = sc(w + 2 * i);
    if (p < 1 || p >= n_paths) return -(w + 2 * i + 1);
  }
  w += 2 * n_tree;
  cached_off = w;
  for (let i = 0; i < n_cached; i++) if (sc(w + i) < 1 || sc(w + i) >= n_paths) return -(w + i + 1);
  w += n_cached;
  for (let t = 0; t < n_tasks; t++) {
    if (w >= SCENARIO_WORDS) return -(w + 1);
    store<i32>(TASK_OFF + (<usize>t << 2), w);
    const n = sc(w);
    if (n < 1 || n > MAX_OPS) return -(w + 1);
    for (let k = 0; k < n; k++) {
      const base = w + 1 + k * OP_WORDS;
      if (<u32>sc(base) >= <u32>N_OPS) return -(base + 1);
      if (sc(base) == OP_KILL) {
        // op word 1: the target task, another thread of this scenario; word 2 unused
        if (sc(base + 1) < 0 || sc(base + 1) >= n_tasks || sc(base + 1) == t) return -(base + 2);
        if (sc(base + 2) != 0) return -(base + 3);
        has_kill = true;
        kill_targets |= 1 << sc(base + 1);
        continue;
      }
      if (sc(base) == OP_DECODE_FH) decodes_fh = true;
      if (sc(base + 1) < 0 || sc(base + 1) >= n_paths) return -(base + 2);
      if (sc(base + 2) < 0 || sc(base + 2) >= n_paths) return -(base + 3);
    }
    w += 1 + n * OP_WORDS;
    if (w > SCENARIO_WORDS) return -(w + 1);
  }
  return 0;
}

/** The first name id nfs_sillyrename may use (".nfs" + fileid + counter in Linux): the ids past
 *  the scenario's names (the host keeps at least one free and names them in traces). */
@inline export function silly_name_base(): i32 { return n_names + 1; }

@inline export function tree_path(i: i32): i32 { return sc(tree_off + 2 * i); }
@inline export function tree_is_dir(i: i32): bool { return sc(tree_off + 2 * i + 1) != 0; }
@inline export function cached_path(i: i32): i32 { return sc(cached_off + i); }
