/**
 * The door between the host and the wasm kernel model: every constant that both sides must agree
 * on. assembly/abi.ts holds the same numbers; test/abi.test.ts compares every group of the two
 * files by name and value, both ways (a constant on one side only, a value or an order that
 * differs, fails it). A name list here mirrors a group of assembly/abi.ts constants in value
 * order: ORDERS is ORDER_*, PRIMES is PRIME_* (d_alloc_ dropped), AUX_NOTES is AUX_*.
 *
 * Scenario bytes (Int32 words written at `scenario_ptr()`, then `load_scenario(words)`):
 *
 *   header  HEADER_WORDS words, indexed by H.*
 *   paths   n_paths records: [len, name_1 .. name_len]        path 0 is "/" (len 0)
 *   tree    n_tree records:  [path, is_dir]                   parents before children
 *   cached  n_cached words:  path                             ancestors before descendants
 *   tasks   n_tasks records: [n_ops, then n_ops * OP_WORDS]   op = [code, path, path2, flags]
 *
 * Names are interned by the host: name ids start at 1 (0 = none); `names[i]` is the text.
 */

export const ABI_VERSION = 1;

export const HEADER_WORDS = 32;
export enum H {
  VERSION = 0,
  ORDER = 1,
  RWSEM = 2,
  WAITQUEUE = 3,
  FS = 4,
  PRIME = 5,
  LOOKUP_LOCKS = 6,
  CHECKS = 7,
  PLANT = 8,
  TICKS_MAX = 9,
  N_NAMES = 10,
  N_PATHS = 11,
  N_TREE = 12,
  N_CACHED = 13,
  N_TASKS = 14,
  ITERATE = 15,
  /** fs.atomicOpen: 0 the filesystem's default, 1 with ->atomic_open, 2 without */
  ATOMIC_OPEN = 16,
  /** fs.nfsPrepared: 0 false, 1 true */
  NFS_PREPARED = 17,
  SERIES = 19,
  NEED_REVAL = 22,
  /** fs.ciLookup: index in CI_LOOKUPS */
  CI_LOOKUP = 26,
  /** fs.ciNames: up to two (asked, exact) name-id pairs, 12 bits each (asked << 6 | exact) */
  CI_NAMES = 27,
}

export const OP_WORDS = 4;

/** Model capacities: the validator rejects scenarios that exceed them. */
export const MAX_TASKS = 16;
export const MAX_OPS = 16;
export const MAX_NAMES = 64;
export const MAX_PATHS = 64;
export const MAX_PATH_LEN = 8;
export const MAX_TREE = 24;
export const SCENARIO_WORDS = 4096;

export const ORDERS = ["current", "proposed"] as const;
export const RWSEMS = ["linux", "fifo", "reader-pref"] as const;
export const WAITQUEUES = ["on-stack", "var-event"] as const;
/** kernel.series: the revision of NeilBrown's directory-locking series (docs/seed-files.md) */
export const SERIES = ["aug-2025", "vfs-7.4", "neilbrown-083efdc"] as const;
export const FS_TYPES = ["procfs", "nfs", "fuse", "smb", "proc-sys", "overlayfs"] as const;
export const PRIMES = ["d_alloc_parallel", "d_alloc_trylock", "d_alloc_locked", "drop-lock"] as const;
/** fs.prime's old spellings, read as the current name: d_alloc_noblock was renamed
 *  d_alloc_trylock at Al Viro's request (1 May 2026; the September 2026 preparation series uses
 *  the new name). */
export const PRIME_OLD_NAMES: Readonly<Record<string, (typeof PRIMES)[number]>> = { d_alloc_noblock: "d_alloc_trylock" };
/** fs.iterate: ->iterate_shared, or an unconverted ->iterate behind wrap_directory_iterator */
export const ITERATES = ["shared", "wrapped"] as const;
/** "kill": kill(2) SIGKILL of another thread (`task`), assembly/kernel/signal.ts */
export const OPS = ["stat", "getdents", "mkdir", "create", "unlink", "rename", "rmdir", "kill", "silly-unlink", "silly-iput", "decode-fh", "open"] as const;
/** How many op codes there are (assembly/abi.ts N_OPS: the model refuses a code at or above it). */
export const N_OPS = OPS.length;
/** fs.ciLookup: off; d_add_ci as mainline (a nested d_alloc_parallel under the caller's lock);
 *  drop-lock, the 2026 series' d_add_ci ("[PATCH v3 08/19] VFS/xfs/ntfs: drop parent lock across
 *  d_alloc_parallel() in d_add_ci()") */
export const CI_LOOKUPS = ["off", "d_add_ci", "drop-lock"] as const;
/** At most this many fs.ciNames pairs (H.CI_NAMES holds two; assembly/abi.ts MAX_CI_NAMES). */
export const MAX_CI_NAMES = 2;

/** Check ids, in bit order (bit i of H.CHECKS enables CHECKS[i]). */
export const CHECKS = [
  "deadlock",
  "lost-wakeup",
  "unique-hashed",
  "inlookup-unique",
  "inlookup-shape",
  "episode-end",
  "waitqueue-lifetime",
  "single-lookup",
  "single-instantiation",
  "owner-only",
  "ino-consistency",
  "lockdep",              // not part of checks "all": see CHECKS_ALL
  "held-at-exit",         // nothing held when a system call returns (lockdep_sys_exit)
] as const;

/** What checks: "all" enables: every check but lockdep (opt-in: listed, or --lockdep). */
export const CHECKS_ALL: readonly (typeof CHECKS)[number][] = CHECKS.filter((c) => c !== "lockdep");

/** Planted bugs (the canary), in bit order of H.PLANT. */
export const PLANTS = [
  "no-lookup-done",       // __lookup_slow forgets d_lookup_done when ->lookup fails (kernel-model.md c4)
  "no-wake",              // __d_lookup_unhash forgets to wake the in-lookup waiters
  "reader-barging",       // linux rwsem: a new reader passes a queued writer
  "no-dir-seq-recheck",   // d_alloc_parallel search and insert split without the i_dir_seq re-check (c7)
  "lock-lookup-nowait",   // lock_lookup returns without waiting for the lookup lock
  "no-lookup-slow-lock",  // lookup_slow forgets the shared lock (current order): __lookup_slow's locking contract stops the run as a model fault (exit 3)
  "d-move-wakes-alias",   // __d_move wakes the alias, not the in-lookup target (the nfsd reconnect_path deadlock, May 2026)
] as const;

export type Order = (typeof ORDERS)[number];
export type RwsemPolicy = (typeof RWSEMS)[number];
export type WaitQueue = (typeof WAITQUEUES)[number];
export type Series = (typeof SERIES)[number];
export type FsType = (typeof FS_TYPES)[number];
export type Prime = (typeof PRIMES)[number];
export type Iterate = (typeof ITERATES)[number];
export type OpName = (typeof OPS)[number];
export type CheckId = (typeof CHECKS)[number];
export type Plant = (typeof PLANTS)[number];
export type CiLookup = (typeof CI_LOOKUPS)[number];

/** Verdict codes in the result buffer. */
export const VERDICTS = ["ok", "deadlock", "violation", "tick-limit"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Result buffer words (at `result_ptr()`). */
export const R = {
  VERDICT: 0, CHECK: 1, TICKS: 2, FAIL_TASK: 3, CYCLE_LEN: 4, CHOICES: 5, SCHEDULES: 6, CYCLE: 8,
  /** per cycle entry i: bit i the task sleeps TASK_KILLABLE, bit 16 + i SIGKILL is pending on it */
  CYCLE_FLAGS: 7,
  /** lockdep violation: chain length, then R_LOCKDEP_EDGE_WORDS words per dependency (abi.ts) */
  LOCKDEP_LEN: 40, LOCKDEP: 41, LOCKDEP_EDGE_WORDS: 7,
} as const;

/** lockdep lock classes, by class id (assembly/check/lockdep.ts; assembly/abi.ts LOCKDEP_*): a
 *  class is a (key, subclass) pair; "i_rwsem" and "in-lookup" are subclass 0. */
export const LOCKDEP_CLASSES = ["i_rwsem", "in-lookup", "lookup lock", "i_rwsem/I_MUTEX_PARENT", "in-lookup/1"] as const;
export const LOCKDEP_I_RWSEM = 0, LOCKDEP_IN_LOOKUP = 1, LOCKDEP_LOOKUP_LOCK = 2;
/** The lock class lockdep sees a wait kind (WAITS) under; a kind missing here has none: lockdep
 *  cannot see that wait. */
export const WAIT_LOCK_CLASS: Record<string, (typeof LOCKDEP_CLASSES)[number]> = {
  "rwsem read": "i_rwsem", "rwsem write": "i_rwsem", "in-lookup wait": "in-lookup", "lookup lock": "lookup lock",
};
export const RESULT_WORDS = 64;
export const VERDICT_RUNNING = -1;

/** What a blocked task waits on: the kind of its waits-for edge. */
export const WAITS = ["none", "rwsem read", "rwsem write", "in-lookup wait", "lookup lock", "dying dir"] as const;
export const WAIT_NONE = 0, WAIT_RWSEM_READ = 1, WAIT_RWSEM_WRITE = 2, WAIT_IN_LOOKUP = 3, WAIT_LOOKUP_LOCK = 4;

/** Trace events: EV_WORDS i32 each (at `trace_ptr()`). */
export const EV_WORDS = 8;
export const EV = { TICK: 0, TASK: 1, FN: 2, PC: 3, OBJ: 4, NAME: 5, RESULT: 6, AUX: 7 } as const;
export const OBJ_NONE = 0, OBJ_DENTRY = 1, OBJ_INODE = 2, OBJ_TASK = 3, OBJ_PATH = 4, OBJ_SERVER = 5;

/** Event notes (EV.AUX) by the model's name (assembly/abi.ts AUX_*), in code order. */
export const AUX_NOTES = {
  NONE: "", GRANTED: "granted", QUEUED: "queued", HIT: "hit", IN_LOOKUP: "in lookup", NEW: "new, owner", SLEEP: "sleeps",
  MISS: "miss", NEGATIVE: "negative", POSITIVE: "positive", RETRY: "retry", LOCKED: "locked", RELEASED: "released",
  INSTANTIATED: "instantiated", ENDED: "ended episode", NOOP: "no-op", CREATED: "done on server", STALE: "stale: invalidated",
  LEFT_IN_LOOKUP: "NULL, left in lookup", STOPPED: "stopped: the rest is not listed", PRIVATE: "private dentry, never hashed",
  INTERRUPTED: "interrupted: -EINTR", KILLED: "SIGKILL",
} as const;
/** Event notes, indexed by code. */
export const AUX: readonly string[] = Object.values(AUX_NOTES);

/** Strategies that run inside wasm (`run_batch`). */
export const STRATEGY_RANDOM = 0, STRATEGY_PCT = 1;

/** Pseudo program counters of system-call entry and return events. */
export const PC_SYSCALL_ENTER = 62, PC_SYSCALL_EXIT = 63;

/** The failure tally of run_batch_tally (assembly/sim/strategy.ts): TALLY_MAX entries of
 *  TALLY_WORDS i32: verdict, check (a violation's; -1 otherwise), count, first schedule index. */
export const TALLY_WORDS = 4, TALLY_MAX = 64;
