// Models: kernel/locking/rwsem.c, the directory inode's i_rwsem, at the level of
// kernel-model.md 5.2: who holds it, who is queued, and who is granted on release.
//
// Locking: the whole operation is one atomic step (the kernel's wait_lock); a waiter is granted
// the lock by the releaser (direct hand-off), so a woken waiter already holds it.
//
// Policies (config.rwsem_policy):
//   linux        a new reader queues when anyone is queued (the v5.11+ anti-starvation rule, with
//                no free-lock-with-waiters window at step boundaries); when the head waiter is a
//                reader, every queued reader is granted at once (phase-fair, v5.3+; the 256 cap
//                never binds at MAX_TASKS), writers keep their places; a head writer is granted
//                when the lock is free.
//   fifo         strict arrival order: a head reader is granted with the readers right behind it,
//                up to the first queued writer (the pre-v5.3 wake).
//   reader-pref  readers enter whenever no writer holds the lock; a release grants every queued
//                reader before any writer.
// downgrade_write follows rwsem_mark_wake(RWSEM_WAKE_READ_OWNED): queued readers join the
// downgraded holder only when a reader heads the queue (linux, fifo); reader-pref grants them all.
// Killable waits (down_read_killable, the only killable rwsem wait on the modelled paths:
// iterate_dir): a queued task woken by a fatal signal leaves the queue itself, as the out_nolock
// exit of rwsem_down_read_slowpath does, through rwsem_del_wake_waiter (kernel/locking/rwsem.c):
// list_del; if the queue is now empty the waiter flags clear (nothing to model: the queue is the
// record); if it was the first waiter and others remain, rwsem_mark_wake(RWSEM_WAKE_ANY). If a
// releaser granted it the lock before it ran, it keeps the lock (the slowpath sees waiter.task
// NULL and breaks out: the signal is noticed later).
// Divergence from Linux: no optimistic spinning, reader stealing or HANDOFF (kernel-model.md 5.2
// argues stable deadlocks are preserved both ways); the 256-reader cap and timing are not
// modelled. A killable down_read that finds a fatal signal already pending and the lock not free
// fails at once: Linux queues, sees the signal in the wait loop and takes the out_nolock exit, two
// steps under wait_lock that the model merges (between them the waiter could only be passed over:
// a reader queues only behind a writer, so nothing is granted in that window).

import { RWSEM_LINUX, RWSEM_FIFO, RWSEM_READER_PREF, PLANT_READER_BARGING, LOCKDEP_I_RWSEM } from "../abi";
import { iw, iw_raw, siw, RW_WRITER, RW_READERS, RW_QLEN, RW_Q, RWSEM_QUEUE_MAX } from "../sim/state";
import { rwsem_policy, planted } from "../sim/config";
import { wake } from "./task";
import { model_assert } from "../sim/verdict";
import { cov, COV_QUEUE } from "../sim/coverage";
import { lockdep_acquire, lockdep_release, lockdep_downgrade, i_rwsem_class } from "../check/lockdep";
import { assert_held_exclusive } from "./lockdep_assert";
import { sgw, G_WAKE_DIRTY } from "../sim/state";

const MODE_READ: i32 = 1;
const MODE_WRITE: i32 = 2;

@inline function q_task(i: i32, k: i32): i32 { return iw(i, RW_Q + k) & 0xff; }
@inline function q_mode(i: i32, k: i32): i32 { return iw(i, RW_Q + k) >> 8; }

function enqueue(inode: i32, t: i32, mode: i32): void {
  const n = iw(inode, RW_QLEN);
  model_assert(n < RWSEM_QUEUE_MAX, "rwsem queue overflow");
  siw(inode, RW_Q + n, t | (mode << 8));
  siw(inode, RW_QLEN, n + 1);
  cov(COV_QUEUE + rwsem_policy * 16 + min(n + 1, 15));
}

function dequeue_at(inode: i32, k: i32): void {
  const n = iw(inode, RW_QLEN);
  for (let j = k; j < n - 1; j++) siw(inode, RW_Q + j, iw(inode, RW_Q + j + 1));
  siw(inode, RW_QLEN, n - 1);
}

@inline export function rwsem_writer(inode: i32): i32 { return iw(inode, RW_WRITER) - 1; }
@inline export function rwsem_readers(inode: i32): i32 { return iw(inode, RW_READERS); }
@inline export function rwsem_qlen(inode: i32): i32 { return iw(inode, RW_QLEN); }
@inline export function rwsem_q_task(inode: i32, k: i32): i32 { return q_task(inode, k); }
@inline export function rwsem_q_is_writer(inode: i32, k: i32): bool { return q_mode(inode, k) == MODE_WRITE; }
@inline export function rwsem_is_locked(inode: i32): bool { return iw(inode, RW_WRITER) != 0 || iw(inode, RW_READERS) != 0; }

/** Models: down_read() / down_read_nested(subclass). Returns true if granted now; false: queued,
 *  the caller blocks on (WAIT_RWSEM_READ, inode) and holds the lock when woken. `subclass`
 *  matters only to lockdep (include/linux/fs.h I_MUTEX_*). */
export function down_read(t: i32, inode: i32, subclass: i32 = 0): bool {
  lockdep_acquire(t, i_rwsem_class(subclass), inode, true, false);   // rwsem_acquire_read, before contending
  // (read_grantable: the planted bug reader-barging lets a new reader pass a queued writer)
  if (read_grantable(inode)) {
    siw(inode, RW_READERS, iw(inode, RW_READERS) | (1 << t));
    return true;
  }
  enqueue(inode, t, MODE_READ);
  return false;
}

/** Models: down_read_killable() (__down_read_common with TASK_KILLABLE). Returns RWSEM_GRANTED,
 *  RWSEM_QUEUED (the caller sleeps killably on (WAIT_RWSEM_READ, inode)), or RWSEM_INTR when
 *  `fatal` (fatal_signal_pending) and the lock would have to be waited for: -EINTR, nothing held,
 *  lockdep's acquisition undone as rwsem_release does on that path. */
export function down_read_killable(t: i32, inode: i32, fatal: bool): i32 {
  lockdep_acquire(t, LOCKDEP_I_RWSEM, inode, true, false);
  if (read_grantable(inode)) {
    siw(inode, RW_READERS, iw(inode, RW_READERS) | (1 << t));
    return RWSEM_GRANTED;
  }
  if (fatal) {
    lockdep_release(t, LOCKDEP_I_RWSEM, inode);
    return RWSEM_INTR;
  }
  enqueue(inode, t, MODE_READ);
  return RWSEM_QUEUED;
}
export const RWSEM_GRANTED: i32 = 0;
export const RWSEM_QUEUED: i32 = 1;
export const RWSEM_INTR: i32 = 2;

/** Would down_read grant the lock now (per policy)? */
function read_grantable(inode: i32): bool {
  const free_of_writer = iw(inode, RW_WRITER) == 0;
  if (rwsem_policy == RWSEM_READER_PREF) return free_of_writer;
  if (planted(PLANT_READER_BARGING) && rwsem_policy == RWSEM_LINUX) return free_of_writer;
  return free_of_writer && iw(inode, RW_QLEN) == 0;
}

/** Is task t queued on the rwsem? (For the checks: records no footprint.) */
export function rwsem_is_queued(inode: i32, t: i32): bool {
  for (let k = 0, n = iw_raw(inode, RW_QLEN); k < n; k++) if ((iw_raw(inode, RW_Q + k) & 0xff) == t) return true;
  return false;
}

/** Models: the out_nolock exit of rwsem_down_read_slowpath / rwsem_down_write_slowpath:
 *  rwsem_del_wake_waiter(). The killed waiter t leaves the queue; if it was the first waiter and
 *  the queue is not empty, rwsem_mark_wake(RWSEM_WAKE_ANY) (rwsem_grant: a head reader joins a
 *  lock no writer holds, a head writer takes a free lock); otherwise nobody is woken. lockdep's
 *  acquisition is undone (rwsem_release). Locking: one atomic step (wait_lock). */
export function rwsem_del_wake_waiter(t: i32, inode: i32): void {
  const n = iw(inode, RW_QLEN);
  let k = 0;
  while (k < n && q_task(inode, k) != t) k++;
  model_assert(k < n, "rwsem_del_wake_waiter: the task is not queued");
  dequeue_at(inode, k);
  lockdep_release(t, LOCKDEP_I_RWSEM, inode);
  sgw(G_WAKE_DIRTY, 1);   // the lost-wakeup check looks at the new head
  if (k == 0 && n > 1) rwsem_grant(inode);
}

/** Lost-wakeup predicate: the head waiter could take the lock now, yet sleeps (every release and
 *  every out_nolock exit grants or wakes it in Linux). */
export function rwsem_head_grantable(inode: i32): bool {
  if (iw(inode, RW_QLEN) == 0 || iw(inode, RW_WRITER) != 0) return false;
  return q_mode(inode, 0) == MODE_READ || iw(inode, RW_READERS) == 0;
}

/** Models: down_write(). Same contract as down_read(), waiting on (WAIT_RWSEM_WRITE, inode). */
export function down_write(t: i32, inode: i32, subclass: i32 = 0): bool {
  lockdep_acquire(t, i_rwsem_class(subclass), inode, false, false);  // rwsem_acquire, before contending
  if (iw(inode, RW_WRITER) == 0 && iw(inode, RW_READERS) == 0 && iw(inode, RW_QLEN) == 0) {
    siw(inode, RW_WRITER, t + 1);
    return true;
  }
  enqueue(inode, t, MODE_WRITE);
  return false;
}

/** Models: up_read(). */
export function up_read(t: i32, inode: i32): void {
  model_assert((iw(inode, RW_READERS) & (1 << t)) != 0, "up_read by a task that does not hold it");
  siw(inode, RW_READERS, iw(inode, RW_READERS) & ~(1 << t));
  lockdep_release(t, LOCKDEP_I_RWSEM, inode);
  rwsem_grant(inode);
}

/** Models: up_write(). */
export function up_write(t: i32, inode: i32): void {
  model_assert(iw(inode, RW_WRITER) == t + 1, "up_write by a task that does not hold it");
  siw(inode, RW_WRITER, 0);
  lockdep_release(t, LOCKDEP_I_RWSEM, inode);
  rwsem_grant(inode);
}

/** Models: downgrade_write() -> rwsem_downgrade_wake() -> rwsem_mark_wake(RWSEM_WAKE_READ_OWNED)
 *  (kernel/locking/rwsem.c): the writer becomes a reader; queued readers join it only if a
 *  reader is at the head of the queue. With a writer at the head rwsem_mark_wake wakes no one
 *  (it wakes a head writer only for RWSEM_WAKE_ANY, and a read-owned lock cannot take it), so the
 *  readers behind that writer stay queued.
 *  Per policy: linux: head reader: every queued reader (phase-fair, as rwsem_grant); head
 *  writer: nobody. fifo: the run of readers at the head, none if a writer is first (the same
 *  arrival-order rule as a release). reader-pref: every queued reader (readers enter whenever no
 *  writer holds the lock; a queued writer does not hold it).
 *  Locking: the caller holds the lock for write; one atomic step (wait_lock). */
export function downgrade_write(t: i32, inode: i32): void {
  assert_held_exclusive(t, inode, "downgrade_write");
  siw(inode, RW_WRITER, 0);
  siw(inode, RW_READERS, iw(inode, RW_READERS) | (1 << t));
  lockdep_downgrade(t, LOCKDEP_I_RWSEM, inode);
  if (iw(inode, RW_QLEN) == 0) return;
  if (rwsem_policy == RWSEM_READER_PREF) grant_readers(inode, false);
  else if (q_mode(inode, 0) == MODE_READ) grant_readers(inode, rwsem_policy == RWSEM_FIFO);
}

function grant_reader_at(inode: i32, k: i32): void {
  const t = q_task(inode, k);
  siw(inode, RW_READERS, iw(inode, RW_READERS) | (1 << t));
  dequeue_at(inode, k);
  wake(t);
}

/** Grant queued readers: all of them (skipping writers), or only the run at the head. */
function grant_readers(inode: i32, head_run_only: bool): void {
  let k = 0;
  while (k < iw(inode, RW_QLEN)) {
    if (q_mode(inode, k) == MODE_READ) { grant_reader_at(inode, k); continue; }
    if (head_run_only) return;
    k++;
  }
}

/** Models: rwsem_wake() / rwsem_mark_wake() after a release, per policy. */
export function rwsem_grant(inode: i32): void {
  if (iw(inode, RW_QLEN) == 0 || iw(inode, RW_WRITER) != 0) return;
  if (rwsem_policy == RWSEM_READER_PREF) grant_readers(inode, false);
  else if (q_mode(inode, 0) == MODE_READ) grant_readers(inode, rwsem_policy == RWSEM_FIFO);
  if (iw(inode, RW_QLEN) == 0 || iw(inode, RW_READERS) != 0) return;
  if (q_mode(inode, 0) == MODE_WRITE) {
    const t = q_task(inode, 0);
    siw(inode, RW_WRITER, t + 1);
    dequeue_at(inode, 0);
    wake(t);
  }
}

// Exact waits-for edges of a queued task (kernel-model.md 5.2), as a bitmask of tasks it waits
// for: holders that block it, and the queued tasks that will be served before it.
export function rwsem_waits_for(inode: i32, t: i32): i32 {
  const n = iw(inode, RW_QLEN);
  let k = 0;
  while (k < n && q_task(inode, k) != t) k++;
  if (k == n) return 0;
  let mask = 0;
  const writer = iw(inode, RW_WRITER);
  if (writer != 0) mask |= 1 << (writer - 1);
  if (q_mode(inode, k) == MODE_READ) {
    if (rwsem_policy == RWSEM_READER_PREF) return mask;
    if (rwsem_policy == RWSEM_LINUX) {
      // granted with the first queued reader: waits for the writers queued before that one
      for (let j = 0; j < n && q_mode(inode, j) == MODE_WRITE; j++) mask |= 1 << q_task(inode, j);
    } else {
      for (let j = 0; j < k; j++) if (q_mode(inode, j) == MODE_WRITE) mask |= 1 << q_task(inode, j);
    }
    return mask;
  }
  mask |= iw(inode, RW_READERS);
  let reader_ahead = false;
  for (let j = 0; j < k; j++) {
    mask |= 1 << q_task(inode, j);
    if (q_mode(inode, j) == MODE_READ) reader_ahead = true;
  }
  // the readers queued behind it are served first: always under reader-pref; under linux when a
  // reader ahead of it is granted, which takes every queued reader along (phase-fair)
  if (rwsem_policy == RWSEM_READER_PREF || (reader_ahead && rwsem_policy == RWSEM_LINUX)) {
    for (let j = k + 1; j < n; j++) if (q_mode(inode, j) == MODE_READ) mask |= 1 << q_task(inode, j);
  }
  return mask;
}

