// All mutable model state lives in one block of static linear memory, as tables of fixed-size
// records of i32 words. Reset is a copy of the initial block, a snapshot is a copy of the block,
// and the exhaustive search's canonical state hash (sim/explore.ts) is a hash over its tables.
// Handles are 1-based table indices with
// 0 meaning none; task ids are 0-based (task t is stored as t + 1 where a field can be empty).

import { MAX_TASKS } from "../abi";
import { fp_on, fp_key, fp_rwsem, fp_srv } from "./footprint";

export const MAX_FRAMES: i32 = 8;      // the deepest path (stat -> ... -> lock_lookup) needs 6
export const FRAME_LOCALS: i32 = 8;
export const MAX_DENTRIES: i32 = 64;
export const MAX_INODES: i32 = 32;
export const MAX_OBJECTS: i32 = 31;   // readdir snapshots are u32 masks over object ids
export const MAX_EMITS: i32 = 32;
export const RWSEM_QUEUE_MAX: i32 = MAX_TASKS;

// ---- globals ----------------------------------------------------------------------------------
export const G_TICK: i32 = 0;
export const G_VERDICT: i32 = 1;
export const G_CHECK: i32 = 2;
export const G_FAIL_TASK: i32 = 3;
export const G_NEXT_INO: i32 = 4;       // get_next_ino() for procfs inodes
export const G_INLOOKUP: i32 = 5;       // dentries currently on the in-lookup hash
export const G_SHAPE_DIRTY: i32 = 6;    // a dentry changed state this tick: re-run the shape checks
export const G_WAKE_DIRTY: i32 = 7;     // an episode ended this tick: re-run the lost-wakeup check
export const G_DONE: i32 = 8;           // tasks finished
export const G_N_EMITS: i32 = 9;
export const G_LAST_TASK: i32 = 10;     // task that ran the previous tick, -1 at start
export const G_PREEMPTIONS: i32 = 11;
export const G_D_HWM: i32 = 12;         // highest dentry slot ever used on this path (slots above are zero)
export const G_I_HWM: i32 = 13;         // same for inodes
export const G_RUNNABLE: i32 = 14;      // bitmask of the runnable tasks (set_task_state keeps it)
export const G_O_HWM: i32 = 15;         // highest server object slot ever used (slots above are zero)
export const G_TASKS_CHANGED: i32 = 16; // tasks_changed when the block was saved (state_save), so a restore brings it back
export const G_WORDS: i32 = 17;

// ---- tasks ------------------------------------------------------------------------------------
export const TS_RUNNABLE: i32 = 0;
export const TS_BLOCKED: i32 = 1;
export const TS_DONE: i32 = 2;

export const T_STATE: i32 = 0;
export const T_WAIT_KIND: i32 = 1;
export const T_WAIT_OBJ: i32 = 2;
export const T_OP: i32 = 3;        // index of the op being run (== n_ops when done)
export const T_SP: i32 = 4;        // number of frames on the stack
export const T_RET: i32 = 5;       // return register: dentry id > 0, 0 (NULL), or -errno
export const T_OP_RESULT: i32 = 6;
export const T_EPISODES: i32 = 7;  // in-lookup dentries this task owns (their wait queues are in its
                                   // frames); derived from the dentries, not part of its signature
export const T_SIGNAL: i32 = 8;    // kernel/signal.ts: SIGKILL pending, woken from a killable sleep
export const T_WAIT_INTR: i32 = 9; // 0: the sleep is TASK_UNINTERRUPTIBLE; pc + 1: TASK_KILLABLE,
                                   // resumed at pc with -EINTR when a fatal signal ends it
// The canonical hash's cache of this task's record (sim/canon.ts canonical_hash_renamed): derived
// from the record, never hashed, restored with it. Valid only while the task is not in tasks_changed.
export const T_CREF_D: i32 = 10;   // two words: the dentry slots the record names (bit d - 1)
export const T_CREF_I: i32 = 12;   // the inode slots it names (bit i - 1)
export const T_CFLAGS: i32 = 13;   // canon.ts CF_*
export const T_HEADER: i32 = 14;
export const F_FN: i32 = 0;
export const F_PC: i32 = 1;
export const F_L0: i32 = 2;
export const F_WORDS: i32 = 2 + FRAME_LOCALS;
export const T_WORDS: i32 = T_HEADER + MAX_FRAMES * F_WORDS;

// ---- dentries ---------------------------------------------------------------------------------
export const DCACHE_ALLOCATED: i32 = 1 << 0;
export const DCACHE_PAR_LOOKUP: i32 = 1 << 1;   // in-lookup
export const DCACHE_HASHED: i32 = 1 << 2;       // on the main hash (dentry_hashtable)
export const DCACHE_IN_LOOKUP_HASH: i32 = 1 << 3;
export const DCACHE_LOOKUP_LOCKED: i32 = 1 << 4; // d_lookup_locked (patch 11/11)
export const DCACHE_LOOKUP_WAITERS: i32 = 1 << 5; // 2026 wait_var_event generation
export const DCACHE_DISCONNECTED: i32 = 1 << 6;   // an IS_ROOT alias from d_obtain_alias (nfsd file handles)

export const D_FLAGS: i32 = 0;
export const D_PARENT: i32 = 1;
export const D_NAME: i32 = 2;
export const D_INODE: i32 = 3;
export const D_REF: i32 = 4;
export const D_OWNER: i32 = 5;     // task + 1 of the d_alloc_parallel caller that inserted it
export const D_LOCKER: i32 = 6;    // task + 1 holding d_lookup_locked
export const D_WQ_FRAME: i32 = 7;  // (task + 1) << 8 | depth of the frame whose stack holds d_wait
export const D_WAITERS: i32 = 8;   // tasks enqueued on d_wait (bitmask)
export const D_LOOKUPS: i32 = 9;   // ->lookup or readdir instantiate in flight on this dentry
export const D_CANON: i32 = 10;   // the canonical id this slot had at the last canonical hash (sim/canon.ts); never hashed
export const D_WORDS: i32 = 11;

// ---- inodes (with the directory's i_rwsem) ----------------------------------------------------
export const I_USED: i32 = 0;
export const I_INO: i32 = 1;
export const I_OBJ: i32 = 2;       // server object (NFS fileid) it caches
export const I_IS_DIR: i32 = 3;
export const I_NAME: i32 = 4;      // name of the dentry it was first attached to, for traces
export const RW_WRITER: i32 = 5;   // task + 1
export const RW_READERS: i32 = 6;  // bitmask of reader tasks
export const RW_QLEN: i32 = 7;
export const RW_Q: i32 = 8;        // queue entries: task | mode << 8 (mode 1 read, 2 write)
export const I_FLAGS: i32 = RW_Q + RWSEM_QUEUE_MAX;   // i_flags: S_DEAD, S_DYING
export const I_DYING: i32 = I_FLAGS + 1;   // task + 1 that set S_DYING (rmdir_lock), for waits-for
export const I_CANON: i32 = I_DYING + 1;   // as D_CANON
export const I_WORDS: i32 = I_CANON + 1;
/** i_flags bits (include/linux/fs.h) */
export const S_DEAD: i32 = 1 << 4;
export const S_DYING: i32 = 1 << 18;

// ---- server objects (what exists in the filesystem, cached or not) ----------------------------
export const O_EXISTS: i32 = 0;
export const O_PARENT: i32 = 1;
export const O_NAME: i32 = 2;
export const O_IS_DIR: i32 = 3;
export const O_WORDS: i32 = 4;

// ---- readdir emissions (procfs d_ino, for ino-consistency) -----------------------------------
export const E_DIR: i32 = 0;       // parent dentry
export const E_NAME: i32 = 1;
export const E_INO: i32 = 2;
export const E_WORDS: i32 = 3;

// ---- lockdep (check/lockdep.ts; all zero unless the lockdep check is on) --------------------
// The dependency graph: per (held class, acquired class) the first acquisition that added it;
// per task the held-lock stack. In the block, so snapshots, restores and resets carry it.
export const LD_MAX_CLASSES: i32 = 5;   // abi.ts LOCKDEP_CLASSES; explore.ts packs the edge set in 32 bits (at most 5)
export const LD_HELD_MAX: i32 = 6;
export const LDE_TICK: i32 = 0;    // tick + 1 of the acquisition that added the edge; 0: no edge
export const LDE_TASK: i32 = 1;
export const LDE_FN: i32 = 2;      // kernel function that acquired the new lock
export const LDE_HELD_FN: i32 = 3; // kernel function that had acquired the held one
export const LDE_HOW: i32 = 4;     // 1: taken for read, 2: an annotated wait (check/lockdep.ts)
export const LDE_WORDS: i32 = 5;
export const LD_EDGES: i32 = 0;
export const LD_HELD: i32 = LD_EDGES + LD_MAX_CLASSES * LD_MAX_CLASSES * LDE_WORDS;
export const LD_HELD_WORDS: i32 = 1 + LD_HELD_MAX;   // count, then entries (check/lockdep.ts)
export const LD_WORDS: i32 = LD_HELD + MAX_TASKS * LD_HELD_WORDS;

// ---- the block --------------------------------------------------------------------------------
export const OFF_G: i32 = 0;
export const OFF_D: i32 = OFF_G + G_WORDS;
export const OFF_I: i32 = OFF_D + (MAX_DENTRIES + 1) * D_WORDS;
export const OFF_O: i32 = OFF_I + (MAX_INODES + 1) * I_WORDS;
export const OFF_E: i32 = OFF_O + (MAX_OBJECTS + 1) * O_WORDS;
export const OFF_LD: i32 = OFF_E + MAX_EMITS * E_WORDS;
export const OFF_SIG: i32 = OFF_LD + LD_WORDS;  // per task: the hash of its record (explore.ts)
export const OFF_T: i32 = OFF_SIG + MAX_TASKS * 2;          // tasks last: see live_bytes
export const STATE_WORDS: i32 = OFF_T + MAX_TASKS * T_WORDS;
export const STATE_BYTES: i32 = STATE_WORDS << 2;

export const STATE: usize = memory.data(STATE_BYTES, 16);
export const INITIAL: usize = memory.data(STATE_BYTES, 16);

@inline export function gw(i: i32): i32 { return load<i32>(STATE + (<usize>(OFF_G + i) << 2)); }
@inline export function sgw(i: i32, v: i32): void { store<i32>(STATE + (<usize>(OFF_G + i) << 2), v); }

@inline export function task_addr(t: i32): usize { return STATE + (<usize>(OFF_T + t * T_WORDS) << 2); }
@inline export function tw(t: i32, f: i32): i32 { return load<i32>(task_addr(t) + (<usize>f << 2)); }
@inline export function stw(t: i32, f: i32, v: i32): void { store<i32>(task_addr(t) + (<usize>f << 2), v); }

/** Set task t's T_STATE, keeping the runnable mask (G_RUNNABLE) in step. */
@inline export function set_task_state(t: i32, s: i32): void {
  stw(t, T_STATE, s);
  const m = gw(G_RUNNABLE);
  sgw(G_RUNNABLE, s == TS_RUNNABLE ? m | (1 << t) : m & ~(1 << t));
}

@inline export function frame_addr(t: i32, depth: i32): usize {
  return task_addr(t) + (<usize>(T_HEADER + depth * F_WORDS) << 2);
}
@inline export function fw(fr: usize, f: i32): i32 { return load<i32>(fr + (<usize>f << 2)); }
@inline export function sfw(fr: usize, f: i32, v: i32): void { store<i32>(fr + (<usize>f << 2), v); }

// Dentry, inode and server-object fields. The plain accessors also record the step's footprint
// (sim/footprint.ts) while the exhaustive search asks for it; the *_raw ones do not, for scans
// that record what they look for themselves, for refcounts, and for the checks.
@inline export function dw_raw(d: i32, f: i32): i32 { return load<i32>(STATE + (<usize>(OFF_D + d * D_WORDS + f) << 2)); }
@inline export function sdw_raw(d: i32, f: i32, v: i32): void { store<i32>(STATE + (<usize>(OFF_D + d * D_WORDS + f) << 2), v); }
@inline export function dw(d: i32, f: i32): i32 { if (fp_on()) fp_dentry(d, false); return dw_raw(d, f); }
@inline export function sdw(d: i32, f: i32, v: i32): void { if (fp_on()) fp_dentry(d, true); sdw_raw(d, f, v); }
/** Record a read or write of KEY(parent name, name) of dentry d. */
export function fp_dentry(d: i32, write: bool): void {
  const parent = dw_raw(d, D_PARENT);
  fp_key(parent == 0 ? -1 : dw_raw(parent, D_NAME), dw_raw(d, D_NAME), write);
}

@inline export function inode_addr(i: i32): usize { return STATE + (<usize>(OFF_I + i * I_WORDS) << 2); }
@inline export function iw_raw(i: i32, f: i32): i32 { return load<i32>(STATE + (<usize>(OFF_I + i * I_WORDS + f) << 2)); }
@inline export function iw(i: i32, f: i32): i32 { if (fp_on() && f >= RW_WRITER) fp_rwsem(iw_raw(i, I_NAME), false); return iw_raw(i, f); }
@inline export function siw(i: i32, f: i32, v: i32): void {
  if (fp_on() && f >= RW_WRITER) fp_rwsem(iw_raw(i, I_NAME), true);
  store<i32>(STATE + (<usize>(OFF_I + i * I_WORDS + f) << 2), v);
}

@inline export function ow_raw(o: i32, f: i32): i32 { return load<i32>(STATE + (<usize>(OFF_O + o * O_WORDS + f) << 2)); }
@inline export function ow(o: i32, f: i32): i32 { if (fp_on()) fp_srv_of(o, false); return ow_raw(o, f); }
@inline export function sow(o: i32, f: i32, v: i32): void { if (fp_on()) fp_srv_of(o, true); store<i32>(STATE + (<usize>(OFF_O + o * O_WORDS + f) << 2), v); }
/** Record SRV(name of the directory holding server object o); the root directory is named 0. */
export function fp_srv_of(o: i32, write: bool): void {
  const p = ow_raw(o, O_PARENT);
  fp_srv(p == 0 ? -1 : p == 1 ? 0 : ow_raw(p, O_NAME), write);
}

@inline export function ldw(i: i32): i32 { return load<i32>(STATE + (<usize>(OFF_LD + i) << 2)); }
@inline export function sldw(i: i32, v: i32): void { store<i32>(STATE + (<usize>(OFF_LD + i) << 2), v); }

@inline export function ew(e: i32, f: i32): i32 { return load<i32>(STATE + (<usize>(OFF_E + e * E_WORDS + f) << 2)); }
@inline export function sew(e: i32, f: i32, v: i32): void { store<i32>(STATE + (<usize>(OFF_E + e * E_WORDS + f) << 2), v); }

/** Bytes of the block a scenario uses: everything up to its last task (tasks come last, so a
 *  reset or snapshot of a 3-task scenario copies 3 task records, not 16). */
export let live_bytes: i32 = STATE_BYTES;
/** Is lockdep's region in use (the check is on)? Snapshots skip it otherwise: it stays zero. */
export let ld_live: bool = true;
export function set_live_tasks(n: i32, lockdep: bool): void { live_bytes = (OFF_T + n * T_WORDS) << 2; ld_live = lockdep; }

/** The task whose step is running, set by the scheduler tick (sim/tick.ts) before the step: the
 *  waker a wake-up names, the task a check made after the step blames. Not part of the block:
 *  every tick sets it first. */
export let current: i32 = 0;
export function set_current(t: i32): void { current = t; }

/** Tasks whose records changed since their signatures (OFF_SIG) were last computed: the task
 *  that ran and the tasks it woke. Not part of the state; a snapshot keeps it in G_TASKS_CHANGED
 *  (the search saves right after hashing, when it is 0). */
export let tasks_changed: i32 = -1;
@inline export function task_changed(t: i32): void { tasks_changed |= 1 << t; }
export function all_tasks_changed(): void { tasks_changed = -1; }
export function no_tasks_changed(): void { tasks_changed = 0; }

/** Snapshot into `dst` (a STATE_BYTES buffer): the globals, the dentry, inode and server-object
 *  slots up to their high-water marks and the emissions made (the slots above are zero on this
 *  path), lockdep's region when the check is on (it stays zero otherwise), and the rest. */
export function state_save(dst: usize): void {
  sgw(G_TASKS_CHANGED, tasks_changed);
  const d_end = <usize>(OFF_D + (gw(G_D_HWM) + 1) * D_WORDS) << 2;
  memory.copy(dst, STATE, d_end);
  const i_start = <usize>OFF_I << 2, i_end = <usize>(OFF_I + (gw(G_I_HWM) + 1) * I_WORDS) << 2;
  memory.copy(dst + i_start, STATE + i_start, i_end - i_start);
  const o_start = <usize>OFF_O << 2, o_end = <usize>(OFF_O + (gw(G_O_HWM) + 1) * O_WORDS) << 2;
  memory.copy(dst + o_start, STATE + o_start, o_end - o_start);
  const e_start = <usize>OFF_E << 2;
  memory.copy(dst + e_start, STATE + e_start, <usize>(gw(G_N_EMITS) * E_WORDS) << 2);
  const rest = ld_live ? <usize>OFF_LD << 2 : <usize>OFF_SIG << 2;
  memory.copy(dst + rest, STATE + rest, <usize>live_bytes - rest);
}

/** The bytes state_save copies for the current state (measurement only: bench/scale-sim.ts, a
 *  state sent between machines). Keep in step with state_save. */
export function state_saved_bytes(): i32 {
  const rest = ld_live ? OFF_LD : OFF_SIG;
  return (OFF_D + (gw(G_D_HWM) + 1) * D_WORDS + (gw(G_I_HWM) + 1) * I_WORDS + (gw(G_O_HWM) + 1) * O_WORDS + gw(G_N_EMITS) * E_WORDS - rest) * 4 + live_bytes;
}

/** Restore a snapshot taken by state_save: copy what it saved and zero the slots the current
 *  state used above the snapshot's high-water marks. */
export function state_restore(src: usize): void {
  const cur_d = gw(G_D_HWM), cur_i = gw(G_I_HWM), cur_o = gw(G_O_HWM), cur_e = gw(G_N_EMITS);
  const snap_d = load<i32>(src + (<usize>(OFF_G + G_D_HWM) << 2)), snap_i = load<i32>(src + (<usize>(OFF_G + G_I_HWM) << 2));
  const snap_o = load<i32>(src + (<usize>(OFF_G + G_O_HWM) << 2)), snap_e = load<i32>(src + (<usize>(OFF_G + G_N_EMITS) << 2));
  const d_end = <usize>(OFF_D + (snap_d + 1) * D_WORDS) << 2;
  memory.copy(STATE, src, d_end);
  if (cur_d > snap_d) memory.fill(STATE + d_end, 0, <usize>((cur_d - snap_d) * D_WORDS) << 2);
  const i_start = <usize>OFF_I << 2, i_end = <usize>(OFF_I + (snap_i + 1) * I_WORDS) << 2;
  memory.copy(STATE + i_start, src + i_start, i_end - i_start);
  if (cur_i > snap_i) memory.fill(STATE + i_end, 0, <usize>((cur_i - snap_i) * I_WORDS) << 2);
  const o_start = <usize>OFF_O << 2, o_end = <usize>(OFF_O + (snap_o + 1) * O_WORDS) << 2;
  memory.copy(STATE + o_start, src + o_start, o_end - o_start);
  if (cur_o > snap_o) memory.fill(STATE + o_end, 0, <usize>((cur_o - snap_o) * O_WORDS) << 2);
  const e_start = <usize>OFF_E << 2, e_end = e_start + (<usize>(snap_e * E_WORDS) << 2);
  memory.copy(STATE + e_start, src + e_start, e_end - e_start);
  if (cur_e > snap_e) memory.fill(STATE + e_end, 0, <usize>((cur_e - snap_e) * E_WORDS) << 2);
  const rest = ld_live ? <usize>OFF_LD << 2 : <usize>OFF_SIG << 2;
  memory.copy(STATE + rest, src + rest, <usize>live_bytes - rest);
  tasks_changed = gw(G_TASKS_CHANGED);
}

/** Save the current block as the state every schedule starts from. */
export function save_initial(): void { memory.copy(INITIAL, STATE, <usize>live_bytes); }
/** Start a new schedule: one copy, no per-table work. */
export function reset_state(): void { state_restore(INITIAL); tasks_changed = -1; }
