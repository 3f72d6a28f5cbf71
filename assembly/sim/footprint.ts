// Footprints for partial-order reduction in the exhaustive search (sim/explore.ts).
//
// A step's footprint is the set of semantic objects it read and the set it wrote; a task's future
// is the same pair for anything its remaining ops may do, computed from the scenario alone
// (conservative). If a step of task t writes nothing the others may read or write, and reads
// nothing they may write, it is independent of every step the others can still take, so exploring t alone from that state (an ample set of one) is
// enough (persistent sets: Godefroid 1996; Peled's ample sets with the cycle proviso, applied
// conservatively in explore.ts).
//
// Objects are named by names, not handles, so futures can be computed from paths:
//   KEY(p, n)   the dcache entry (parent directory name p, name n): its hashing, in-lookup state,
//               inode, owner, lock, waiters (all of a dentry's fields but its refcount)
//   PKEY(p)     "some key under p": added with every KEY(p, _); readdir's future holds it
//   REF(p, n)   a dentry's refcount: increments and decrements commute, so they are recorded as
//               writes that no other refcount change conflicts with; only readers of the count
//               (d_delete, in unlink and rename) hold it in their future
// A key that is cached and positive at the start and that no op creates, removes or renames
// (a stable key, e.g. the directory every thread walks through) is only ever read: lookup_fast
// hits it; the threads' futures read it and do not write it.
//   RWSEM(p)    directory p's i_rwsem          SRV(p)  the server directory p
//   NEXT_INO    get_next_ino()                 EMITS   procfs readdir emissions
// Names alias (two directories called "d"): more conflicts, never fewer. Dentry and inode slot
// allocation is not an object: slot ids only name things, and states that differ by a renaming
// of slots behave alike, so the search keeps one of them.
// The set is a 512-bit Bloom filter: a false conflict costs reduction, never soundness.

import { LEAN } from "./build";
import { MAX_TASKS, MAX_OPS, OP_STAT, OP_GETDENTS, OP_RENAME, OP_RMDIR, OP_DECODE_FH } from "../abi";
import { n_tasks, task_n_ops, op_word, path_len, path_name, n_cached, cached_path, n_tree, tree_path, fs_proc_like, ci_exact } from "./config";

let fp_flag: bool = false;
/** Is this step's footprint being recorded? Never in the lean build. */
@inline export function fp_on(): bool { return !LEAN && fp_flag; }
export function set_fp(on: bool): void { fp_flag = on; }

const WORDS: i32 = 8;   // 8 x 64 bits
export const FP_R: usize = memory.data(WORDS * 8, 16);   // the step's reads
export const FP_W: usize = memory.data(WORDS * 8, 16);   // the step's writes
// futures: per task and op, [reads | writes, writes]
const FUT_SET: i32 = 2 * WORDS * 8;
const FUT: usize = memory.data(MAX_TASKS * (MAX_OPS + 1) * FUT_SET, 16);

const K_KEY: u32 = 1, K_PKEY: u32 = 2, K_REF: u32 = 3, K_RWSEM: u32 = 4, K_SRV: u32 = 5, K_NEXT_INO: u32 = 6, K_EMITS: u32 = 7;

@inline function bit_of(kind: u32, a: i32, b: i32): i32 {
  let x = (<u64>kind << 48) ^ (<u64><u32>a << 24) ^ <u64><u32>b;
  x = (x ^ (x >> 31)) * 0x9E3779B97F4A7C15;
  x ^= x >> 29;
  return <i32>(x >> 55);   // 0..511
}
@inline function set_bit(base: usize, bit: i32): void {
  const p = base + (<usize>(bit >> 6) << 3);
  store<u64>(p, load<u64>(p) | (<u64>1 << <u64>(bit & 63)));
}

export function fp_clear(): void { memory.fill(FP_R, 0, WORDS * 8); memory.fill(FP_W, 0, WORDS * 8); }

@inline function fp_set(write: bool): usize { return write ? FP_W : FP_R; }
@inline export function fp_key(p: i32, n: i32, write: bool): void {
  set_bit(fp_set(write), bit_of(K_KEY, p, n));
  set_bit(fp_set(write), bit_of(K_PKEY, p, 0));
}
/** "Some key under p" alone: rmdir_lock's scan of p's in-lookup children. */
@inline export function fp_pkey(p: i32, write: bool): void { set_bit(fp_set(write), bit_of(K_PKEY, p, 0)); }
@inline export function fp_ref(p: i32, n: i32): void { set_bit(FP_W, bit_of(K_REF, p, n)); }
@inline export function fp_rwsem(p: i32, write: bool): void { set_bit(fp_set(write), bit_of(K_RWSEM, p, 0)); }
@inline export function fp_srv(p: i32, write: bool): void { set_bit(fp_set(write), bit_of(K_SRV, p, 0)); }
@inline export function fp_next_ino(): void { set_bit(FP_W, bit_of(K_NEXT_INO, 0, 0)); }
@inline export function fp_emits(write: bool): void { set_bit(fp_set(write), bit_of(K_EMITS, 0, 0)); }

@inline function fut_any(t: i32, k: i32): usize { return FUT + <usize>(((t * (MAX_OPS + 1)) + k) * FUT_SET); }
@inline function fut_w(t: i32, k: i32): usize { return fut_any(t, k) + <usize>(WORDS * 8); }

// building a future: reads go to the any-set, writes to both
let cur_t: i32 = 0, cur_k: i32 = 0;
function rd(kind: u32, a: i32, b: i32): void { set_bit(fut_any(cur_t, cur_k), bit_of(kind, a, b)); }
function wr(kind: u32, a: i32, b: i32): void { rd(kind, a, b); set_bit(fut_w(cur_t, cur_k), bit_of(kind, a, b)); }

/** Is (p, n) targeted by an op that creates, removes or renames a name? */
function targeted(p: i32, n: i32): bool {
  for (let t = 0; t < n_tasks; t++) {
    for (let k = 0; k < task_n_ops(t); k++) {
      const code = op_word(t, k, 0);
      if (code == OP_STAT || code == OP_GETDENTS) continue;
      for (let w = 1; w <= 2; w++) {
        const path = op_word(t, k, w);
        if (w == 2 && code != OP_RENAME) continue;
        const len = path_len(path);
        if (len > 0 && path_name(path, len - 1) == n && (len == 1 ? 0 : path_name(path, len - 2)) == p) return true;
      }
    }
  }
  return false;
}

/** Is the first `len` components of `path` cached, and existing, at the start? */
function cached_positive(path: i32, len: i32): bool {
  for (let i = 0; i < n_cached; i++) {
    const c = cached_path(i);
    if (path_len(c) != len) continue;
    let same = true;
    for (let j = 0; j < len && same; j++) if (path_name(c, j) != path_name(path, j)) same = false;
    if (!same) continue;
    for (let e = 0; e < n_tree; e++) {
      const tp = tree_path(e);
      if (path_len(tp) != len) continue;
      let eq = true;
      for (let j = 0; j < len && eq; j++) if (path_name(tp, j) != path_name(path, j)) eq = false;
      if (eq) return true;
    }
  }
  return false;
}

/** What op k of task t may read and write (into the future being built). */
function op_future(t: i32, k: i32): void {
  const code = op_word(t, k, 0), path = op_word(t, k, 1);
  const len = path_len(path);
  const walked = code == OP_STAT || code == OP_GETDENTS ? len : len - 1;
  for (let i = 0; i < walked; i++) {
    const p = i == 0 ? 0 : path_name(path, i - 1), n = path_name(path, i);
    rd(K_KEY, p, n); rd(K_PKEY, p, 0);
    if (cached_positive(path, i + 1) && !targeted(p, n)) continue;   // stable: lookup_fast hits
    wr(K_KEY, p, n); wr(K_PKEY, p, 0);   // lookup_slow: in-lookup, instantiate
    const ci = ci_exact(n);
    if (ci != 0) wr(K_KEY, p, ci);       // d_add_ci: the exact-case name (fs.ciLookup)
    wr(K_RWSEM, p, 0);                   // its i_rwsem
    rd(K_SRV, p, 0);                     // ->lookup asks the server
  }
  const dir = walked == 0 ? 0 : path_name(path, walked - 1);
  if (code == OP_GETDENTS) {
    wr(K_RWSEM, dir, 0);
    rd(K_SRV, dir, 0);
    wr(K_PKEY, dir, 0);                  // primes every entry of dir
    wr(K_EMITS, 0, 0);
  } else if (code == OP_STAT) {
    rd(K_EMITS, 0, 0);                   // ino-consistency compares with emissions
  } else {
    const n = path_name(path, len - 1);
    wr(K_KEY, dir, n); wr(K_PKEY, dir, 0); rd(K_REF, dir, n);
    wr(K_RWSEM, dir, 0); wr(K_SRV, dir, 0);
    if (code == OP_RENAME) {
      const to = op_word(t, k, 2);
      const m = path_name(to, path_len(to) - 1);
      wr(K_KEY, dir, m); rd(K_REF, dir, m);
    }
    if (code == OP_RMDIR) {
      wr(K_RWSEM, n, 0);                 // vfs_rmdir locks the victim; S_DEAD, S_DYING live beside it
      rd(K_SRV, n, 0);                   // the server checks the victim is empty
      rd(K_PKEY, n, 0);                  // rmdir_lock scans the victim's in-lookup children
    }
  }
  if (fs_proc_like()) wr(K_NEXT_INO, 0, 0);   // proc and /proc/sys inodes are numbered when built
}

/** Can partial-order reduction be used on this scenario? Not with a decode-fh op: its
 *  disconnected IS_ROOT alias is keyed by no (parent, name) another task's future names, though
 *  another task's d_splice_alias may find it. */
export function por_supported(): bool {
  for (let t = 0; t < n_tasks; t++) {
    for (let k = 0, n = task_n_ops(t); k < n; k++) if (op_word(t, k, 0) == OP_DECODE_FH) return false;
  }
  return true;
}

/** Futures of every task from every op on; called once per scenario load. */
export function compute_futures(): void {
  memory.fill(FUT, 0, <usize>(MAX_TASKS * (MAX_OPS + 1) * FUT_SET));
  for (let t = 0; t < n_tasks; t++) {
    for (let k = task_n_ops(t) - 1; k >= 0; k--) {
      memory.copy(fut_any(t, k), fut_any(t, k + 1), FUT_SET);
      cur_t = t; cur_k = k;
      op_future(t, k);
    }
  }
}

/** Does the last step conflict with the future of task u (at its current op k): a write of the
 *  step meets anything u may touch, or a read meets something u may write? */
export function conflicts_with(u: i32, k: i32): bool {
  const any = fut_any(u, k), w = fut_w(u, k);
  for (let i = 0; i < WORDS; i++) {
    const o = <usize>i << 3;
    if ((load<u64>(FP_W + o) & load<u64>(any + o)) != 0) return true;
    if ((load<u64>(FP_R + o) & load<u64>(w + o)) != 0) return true;
  }
  return false;
}

