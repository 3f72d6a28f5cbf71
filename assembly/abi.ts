// The numbers the host and the model agree on. host/core/abi.ts holds the same values and
// test/abi.test.ts checks that the two files agree.

export const ABI_VERSION: i32 = 1;

export const HEADER_WORDS: i32 = 32;
export const H_VERSION: i32 = 0;
export const H_ORDER: i32 = 1;
export const H_RWSEM: i32 = 2;
export const H_WAITQUEUE: i32 = 3;
export const H_FS: i32 = 4;
export const H_PRIME: i32 = 5;
export const H_LOOKUP_LOCKS: i32 = 6;
export const H_CHECKS: i32 = 7;
export const H_PLANT: i32 = 8;
export const H_TICKS_MAX: i32 = 9;
export const H_N_NAMES: i32 = 10;
export const H_N_PATHS: i32 = 11;
export const H_N_TREE: i32 = 12;
export const H_N_CACHED: i32 = 13;
export const H_N_TASKS: i32 = 14;
export const H_ITERATE: i32 = 15;
// fs.atomicOpen: 0 the filesystem's default (nfs: NFSv4, with ->atomic_open; procfs: none),
// 1 with ->atomic_open, 2 without (NFSv3: ->lookup then ->create)
export const H_ATOMIC_OPEN: i32 = 16;
// fs.nfsPrepared: 0 as today, 1 the September 2026 per-filesystem preparation (no d_drop
// part-way through an operation)
export const H_NFS_PREPARED: i32 = 17;
export const H_SERIES: i32 = 19;     // kernel.series (0: aug-2025, the default)
export const H_NEED_REVAL: i32 = 22;   // fs.needReval (SMB): 0 = false, the default
// fs.ciLookup (nfs only): 0 off, 1 d_add_ci as mainline (nested d_alloc_parallel under the
// caller's lock), 2 the 2026 series' d_add_ci that drops the parent lock across it (v3 08/19)
export const H_CI_LOOKUP: i32 = 26;
// fs.ciNames: up to two (asked, exact) name-id pairs, 6 bits each: pair k in bits 12k..12k+11,
// asked in the high 6 bits of the pair; 0 = none
export const H_CI_NAMES: i32 = 27;

export const OP_WORDS: i32 = 4;

export const MAX_TASKS: i32 = 16;
export const MAX_OPS: i32 = 16;
export const MAX_NAMES: i32 = 64;
export const MAX_PATHS: i32 = 64;
export const MAX_PATH_LEN: i32 = 8;
export const MAX_TREE: i32 = 24;
export const SCENARIO_WORDS: i32 = 4096;

// kernel.order
export const ORDER_CURRENT: i32 = 0;
export const ORDER_PROPOSED: i32 = 1;
// kernel.rwsem
export const RWSEM_LINUX: i32 = 0;
export const RWSEM_FIFO: i32 = 1;
export const RWSEM_READER_PREF: i32 = 2;
// kernel.waitqueue
export const WQ_ON_STACK: i32 = 0;
export const WQ_VAR_EVENT: i32 = 1;
// kernel.series
export const SERIES_AUG_2025: i32 = 0;
export const SERIES_VFS_7_4: i32 = 1;
export const SERIES_NEILBROWN_083EFDC: i32 = 2;
// fs.type
export const FS_PROCFS: i32 = 0;
export const FS_NFS: i32 = 1;
export const FS_FUSE: i32 = 2;
export const FS_SMB: i32 = 3;
export const FS_PROC_SYS: i32 = 4;
export const FS_OVERLAYFS: i32 = 5;
export const FS_COUNT: i32 = 6;
// fs.prime
export const PRIME_PARALLEL: i32 = 0;
export const PRIME_TRYLOCK: i32 = 1;       // d_alloc_trylock (its old name: d_alloc_noblock)
/** Old name of PRIME_TRYLOCK, kept so code written before the rename builds; drop when unused. */
export const PRIME_NOBLOCK: i32 = PRIME_TRYLOCK;
export const PRIME_LOCKED: i32 = 2;
export const PRIME_DROP_LOCK: i32 = 3;
// fs.iterate
export const ITERATE_SHARED: i32 = 0;
export const ITERATE_WRAPPED: i32 = 1;
// ops
export const OP_STAT: i32 = 0;
export const OP_GETDENTS: i32 = 1;
export const OP_MKDIR: i32 = 2;
export const OP_CREATE: i32 = 3;
export const OP_UNLINK: i32 = 4;
export const OP_RENAME: i32 = 5;
export const OP_RMDIR: i32 = 6;
export const OP_KILL: i32 = 7;        // kill(2) SIGKILL: op word 1 is the target task (kernel/signal.ts)
// kernel-internal events a seed thread stands for (not system calls): fs/nfs/unlink.c
// nfs_complete_unlink (the final dput of a silly-renamed NFS file), fs/afs/dir_silly.c
// afs_silly_iput, and nfsd's exportfs_decode_fh -> reconnect_path (fs/exportfs/expfs.c)
export const OP_SILLY_UNLINK: i32 = 8;
export const OP_SILLY_IPUT: i32 = 9;
export const OP_DECODE_FH: i32 = 10;
export const OP_OPEN: i32 = 11;   // open without O_CREAT (O_RDONLY)
export const N_OPS: i32 = 12;   // op codes 0 .. N_OPS - 1
// fs.ciLookup
export const CI_OFF: i32 = 0;
export const CI_D_ADD_CI: i32 = 1;
export const CI_DROP_LOCK: i32 = 2;
// fs.ciNames: (asked, exact) name pairs packed 12 bits each into H_CI_NAMES
export const MAX_CI_NAMES: i32 = 2;

// Check ids: bit i of H_CHECKS enables check i.
export const CHECK_DEADLOCK: i32 = 0;
export const CHECK_LOST_WAKEUP: i32 = 1;
export const CHECK_UNIQUE_HASHED: i32 = 2;
export const CHECK_INLOOKUP_UNIQUE: i32 = 3;
export const CHECK_INLOOKUP_SHAPE: i32 = 4;
export const CHECK_EPISODE_END: i32 = 5;
export const CHECK_WAITQUEUE_LIFETIME: i32 = 6;
export const CHECK_SINGLE_LOOKUP: i32 = 7;
export const CHECK_SINGLE_INSTANTIATION: i32 = 8;
export const CHECK_OWNER_ONLY: i32 = 9;
export const CHECK_INO_CONSISTENCY: i32 = 10;
export const CHECK_LOCKDEP: i32 = 11;   // not part of checks "all" (host/core/abi.ts CHECKS_ALL)
export const CHECK_HELD_AT_EXIT: i32 = 12;   // lockdep_sys_exit: nothing held across a system call's return
export const CHECK_COUNT: i32 = 13;

// Planted bugs: bit i of H_PLANT.
export const PLANT_NO_LOOKUP_DONE: i32 = 0;
export const PLANT_NO_WAKE: i32 = 1;
export const PLANT_READER_BARGING: i32 = 2;
export const PLANT_NO_DIR_SEQ_RECHECK: i32 = 3;
export const PLANT_LOCK_LOOKUP_NOWAIT: i32 = 4;
export const PLANT_NO_LOOKUP_SLOW_LOCK: i32 = 5;   // a forgotten lock: a locking-contract fault, not a verdict
// __d_move with an in-lookup target wakes the alias moved into its place instead of the target
// (Al Viro's wait_var_event variant of v3 04/19 as posted, 29 Apr 2026; NeilBrown found it as the
// nfsd reconnect_path deadlock, Message-ID 177759843868.1474915.6100875324018019224@noble.neil.brown.name)
export const PLANT_D_MOVE_WAKES_ALIAS: i32 = 6;

// Verdicts
export const VERDICT_RUNNING: i32 = -1;
export const VERDICT_OK: i32 = 0;
export const VERDICT_DEADLOCK: i32 = 1;
export const VERDICT_VIOLATION: i32 = 2;
export const VERDICT_TICK_LIMIT: i32 = 3;

// Result buffer (i32 words at result_ptr()).
export const R_VERDICT: i32 = 0;
export const R_CHECK: i32 = 1;      // check id of a violation, or -1
export const R_TICKS: i32 = 2;
export const R_FAIL_TASK: i32 = 3;  // task whose step broke the invariant, or -1
export const R_CYCLE_LEN: i32 = 4;
export const R_CYCLE: i32 = 8;      // R_CYCLE + 2*i: task, edge kind (the wait that task is in)
export const R_CHOICES: i32 = 5;    // recorded choices in the choices buffer
export const R_SCHEDULES: i32 = 6;  // schedules run by the last batch call
// per cycle entry i: bit i set if that task sleeps TASK_KILLABLE (a SIGKILL wakes it), bit 16 + i
// if a fatal signal is pending on it (kernel/signal.ts)
export const R_CYCLE_FLAGS: i32 = 7;
// lockdep violation (CHECK_LOCKDEP): the chain of dependencies that closed the cycle, in order;
// R_LOCKDEP + R_LOCKDEP_EDGE_WORDS*i + k: k = 0 the held class, 1 the acquired class, 2 task,
// 3 tick, 4 kernel function (FN_*) that acquired, 5 function that acquired the held lock,
// 6 flags (1: the acquisition was a read, 2: an annotated wait: acquire and release at once,
// 4: lockdep's "possible recursive locking": a one-entry chain, the class was already held). The
// last entry is the acquisition that closed it.
export const R_LOCKDEP_LEN: i32 = 40;
export const R_LOCKDEP: i32 = 41;
export const R_LOCKDEP_EDGE_WORDS: i32 = 7;
export const RESULT_WORDS: i32 = 64;

// lockdep lock classes (assembly/check/lockdep.ts)
export const LOCKDEP_I_RWSEM: i32 = 0;
export const LOCKDEP_IN_LOOKUP: i32 = 1;
export const LOCKDEP_LOOKUP_LOCK: i32 = 2;
// lockdep keys a class by (key, subclass): every subclass is a class of its own. Ids 0 and 1 are
// subclass 0 (I_MUTEX_NORMAL for i_rwsem); these are the other subclasses the modelled paths use.
export const LOCKDEP_I_RWSEM_PARENT: i32 = 3;   // i_rwsem, inode_lock_nested(I_MUTEX_PARENT)
export const LOCKDEP_IN_LOOKUP_1: i32 = 4;      // DCACHE_PAR_LOOKUP, d_wait_lookup(dentry, 1) (rmdir_lock)
export const LOCKDEP_CLASSES: i32 = 5;

// Wait kinds (blocked-on records and waits-for edge kinds).
export const WAIT_NONE: i32 = 0;
export const WAIT_RWSEM_READ: i32 = 1;
export const WAIT_RWSEM_WRITE: i32 = 2;
export const WAIT_IN_LOOKUP: i32 = 3;
export const WAIT_LOOKUP_LOCK: i32 = 4;
export const WAIT_DYING_DIR: i32 = 5;   // d_alloc_parallel: wait_var_event(&dir->i_flags, !S_DYING)

// Trace event layout (i32 words at trace_ptr()).
export const EV_WORDS: i32 = 8;
export const EV_TICK: i32 = 0;
export const EV_TASK: i32 = 1;
export const EV_FN: i32 = 2;
export const EV_PC: i32 = 3;
export const EV_OBJ: i32 = 4;    // kind << 24 | id
export const EV_NAME: i32 = 5;   // name id of the object, 0 if none
export const EV_RESULT: i32 = 6;
export const EV_AUX: i32 = 7;
/** EV_PC of a system call frame's entry and return events (pseudo program counters above any
 *  step handler's). */
export const PC_SYSCALL_ENTER: i32 = 62;
export const PC_SYSCALL_EXIT: i32 = 63;

export const OBJ_NONE: i32 = 0;
export const OBJ_DENTRY: i32 = 1;
export const OBJ_INODE: i32 = 2;
export const OBJ_TASK: i32 = 3;
export const OBJ_PATH: i32 = 4;
export const OBJ_SERVER: i32 = 5;

// Strategies run inside wasm.
export const STRATEGY_RANDOM: i32 = 0;
export const STRATEGY_PCT: i32 = 1;
export const STRATEGY_REPLAY: i32 = 2;

// Event notes (EV_AUX): what happened, for the trace renderer.
export const AUX_NONE: i32 = 0;
export const AUX_GRANTED: i32 = 1;
export const AUX_QUEUED: i32 = 2;
export const AUX_HIT: i32 = 3;          // found a hashed dentry
export const AUX_IN_LOOKUP: i32 = 4;    // found an in-lookup dentry of another task
export const AUX_NEW: i32 = 5;          // inserted a new in-lookup dentry: the caller owns it
export const AUX_SLEEP: i32 = 6;        // blocked
export const AUX_MISS: i32 = 7;
export const AUX_NEGATIVE: i32 = 8;
export const AUX_POSITIVE: i32 = 9;
export const AUX_RETRY: i32 = 10;
export const AUX_LOCKED: i32 = 11;      // took the lookup lock
export const AUX_RELEASED: i32 = 12;
export const AUX_INSTANTIATED: i32 = 13;
export const AUX_ENDED: i32 = 14;       // ended an in-lookup episode
export const AUX_NOOP: i32 = 15;
export const AUX_CREATED: i32 = 16;     // server-side object created/removed/renamed
export const AUX_STALE: i32 = 17;       // existing dentry is for another file: invalidated
export const AUX_LEFT_IN_LOOKUP: i32 = 18; // ->lookup returned NULL without instantiating
export const AUX_STOPPED: i32 = 19;     // readdir stopped early: the rest of the directory is not listed
export const AUX_PRIVATE: i32 = 20;     // looked up into a private unhashed dentry (d_alloc_name), never hashed
export const AUX_INTERRUPTED: i32 = 21; // a killable sleep ended by a fatal signal: -EINTR
export const AUX_KILLED: i32 = 22;      // a fatal signal was sent to / woke / ended this task

// The failure tally of run_batch_tally (sim/strategy.ts): TALLY_MAX entries of TALLY_WORDS i32
// (verdict, check or -1, count, first schedule index).
export const TALLY_WORDS: i32 = 4;
export const TALLY_MAX: i32 = 64;
