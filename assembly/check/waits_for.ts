// The waits-for graph (kernel-model.md 7.2 L1), derived from the tasks' blocked-on records when no
// task can run. Edges:
//   rwsem queue      a queued task -> the holders and earlier waiters that must go first
//                    (exact form of kernel-model.md 5.2, kernel/rwsem.ts rwsem_waits_for)
//   in-lookup wait   a task in d_wait_lookup(X) -> the lookup-lock holder of X if X is locked,
//                    else X's owner
//   lookup lock      a task waiting for d_lookup_locked(X) -> its holder
//   dying dir        a task in d_alloc_parallel waiting for S_DYING to clear on directory inode I
//                    (NeilBrown's tree) -> the rmdir that set it (rmdir_lock)
// The reported cycle starts at its lowest task id and follows the edges; each entry carries the
// kind of the wait that task is in (the kind of its outgoing edge) and whether that sleep is
// killable (cycle_flags).

import { MAX_TASKS, WAIT_RWSEM_READ, WAIT_RWSEM_WRITE, WAIT_IN_LOOKUP, WAIT_LOOKUP_LOCK, WAIT_DYING_DIR } from "../abi";
import { tw, dw, iw, T_STATE, T_WAIT_KIND, T_WAIT_OBJ, T_WAIT_INTR, T_SIGNAL, TS_BLOCKED, D_OWNER, D_LOCKER, D_FLAGS, DCACHE_LOOKUP_LOCKED, I_DYING } from "../sim/state";
import { n_tasks } from "../sim/config";
import { rwsem_waits_for } from "../kernel/rwsem";

const CYCLE: usize = memory.data(MAX_TASKS * 4 * 2, 16);
const PATH: usize = memory.data(MAX_TASKS * 4, 16);
export let cycle_len: i32 = 0;
/** Per cycle entry i: bit i if that task sleeps TASK_KILLABLE (a SIGKILL wakes it and it leaves
 *  the wait: kernel/signal.ts), bit 16 + i if a fatal signal is already pending on it. */
export let cycle_flags: i32 = 0;

@inline export function cycle_task(i: i32): i32 { return load<i32>(CYCLE + (<usize>i << 3)); }
@inline export function cycle_kind(i: i32): i32 { return load<i32>(CYCLE + (<usize>i << 3) + 4); }

/** Bitmask of the tasks that blocked task `t` waits for. */
export function waits_for(t: i32): i32 {
  if (tw(t, T_STATE) != TS_BLOCKED) return 0;
  const kind = tw(t, T_WAIT_KIND), obj = tw(t, T_WAIT_OBJ);
  if (kind == WAIT_RWSEM_READ || kind == WAIT_RWSEM_WRITE) return rwsem_waits_for(obj, t);
  if (kind == WAIT_IN_LOOKUP) {
    const locked = (dw(obj, D_FLAGS) & DCACHE_LOOKUP_LOCKED) != 0;
    const who = locked ? dw(obj, D_LOCKER) : dw(obj, D_OWNER);
    return who != 0 ? 1 << (who - 1) : 0;
  }
  if (kind == WAIT_LOOKUP_LOCK) {
    const who = dw(obj, D_LOCKER);
    return who != 0 ? 1 << (who - 1) : 0;
  }
  if (kind == WAIT_DYING_DIR) {
    const who = iw(obj, I_DYING);
    return who != 0 ? 1 << (who - 1) : 0;
  }
  return 0;
}

/** Find a cycle: from each task in id order, follow the lowest-numbered edge not yet tried
 *  (depth-first). Returns its length (0: none) and fills the cycle buffer. */
export function find_cycle(): i32 {
  cycle_len = 0;
  cycle_flags = 0;
  for (let start = 0; start < n_tasks; start++) {
    if (search(start, start, 0, 0)) return cycle_len;
  }
  return 0;
}

function search(start: i32, t: i32, depth: i32, visited: i32): bool {
  store<i32>(PATH + (<usize>depth << 2), t);
  const edges = waits_for(t);
  for (let u = start; u < n_tasks; u++) {     // cycles through lower ids were tried from them
    if ((edges & (1 << u)) == 0) continue;
    if (u == start) {
      cycle_len = depth + 1;
      cycle_flags = 0;
      for (let i = 0; i <= depth; i++) {
        const v = load<i32>(PATH + (<usize>i << 2));
        store<i32>(CYCLE + (<usize>i << 3), v);
        store<i32>(CYCLE + (<usize>i << 3) + 4, tw(v, T_WAIT_KIND));
        if (tw(v, T_WAIT_INTR) != 0) cycle_flags |= 1 << i;
        if ((tw(v, T_SIGNAL) & 1) != 0) cycle_flags |= 1 << (16 + i);   // SIGKILL_PENDING
      }
      return true;
    }
    if ((visited & (1 << u)) != 0) continue;
    if (search(start, u, depth + 1, visited | (1 << t))) return true;
  }
  return false;
}
