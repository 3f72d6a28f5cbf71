/**
 * The kernel state as the model holds it (assembly/index.ts state_view()), decoded: tasks with
 * their frame stacks, what they wait on and their pending signals, every allocated dentry, every inode's i_rwsem. Read
 * after any tick; used by the page's state panel. Task ids are 0-based; "none" is -1.
 */

import { WAITS } from "./abi";
import type { Model } from "./wasm";

export interface TaskState {
  state: "runnable" | "blocked" | "done";
  wait?: { kind: (typeof WAITS)[number]; object: number };
  op: number;
  /** outermost first: function and state names */
  frames: { fn: string; state: string }[];
  /** signals pending (the model sends only SIGKILL: the `kill` op); a task asleep
   *  uninterruptibly keeps it pending, and it ends the task at its system call's return */
  pending: "SIGKILL"[];
}

export interface DentryState {
  id: number;
  parent: number;
  name: number;
  inode: number;
  ref: number;
  hashed: boolean;
  inLookup: boolean;
  owner: number;
  lockHolder: number;
  /** tasks enqueued on the on-stack wait queue (generation 1) */
  queued: number[];
}

export interface RwsemState {
  inode: number;
  name: number;
  writer: number;
  readers: number[];
  queue: { task: number; mode: "read" | "write" }[];
}

export interface ModelState {
  tasks: TaskState[];
  dentries: DentryState[];
  rwsems: RwsemState[];
}

const TASK_STATES = ["runnable", "blocked", "done"] as const;
// assembly/sim/state.ts DCACHE_* bits
const ALLOCATED = 1, PAR_LOOKUP = 2, HASHED = 4, LOOKUP_LOCKED = 16;
// assembly/kernel/signal.ts T_SIGNAL bits
const SIGKILL_PENDING = 1;

const bits = (mask: number) => [...Array(32).keys()].filter((t) => (mask >>> t) & 1);

export function readState(model: Model): ModelState {
  const x = model;
  const n = x.stateView();
  const v = new Int32Array(x.memory.buffer, x.viewPtr(), n);
  const names = model.names();
  let w = 0;
  const next = () => v[w++];
  const nTasks = next(), dHwm = next(), iHwm = next();
  const tasks: TaskState[] = [];
  for (let t = 0; t < nTasks; t++) {
    const state = TASK_STATES[next()], kind = next(), object = next(), op = next(), sp = next();
    const frames = [];
    for (let k = 0; k < sp; k++) {
      const fn = next(), pc = next();
      frames.push({ fn: names.fn[fn], state: names.state[fn]?.[pc] ?? `pc${pc}` });
    }
    tasks.push({ state, op, frames, pending: [], ...(state === "blocked" ? { wait: { kind: WAITS[kind], object } } : {}) });
  }
  const dentries: DentryState[] = [];
  for (let d = 1; d <= dHwm; d++) {
    const flags = next(), parent = next(), name = next(), inode = next(), ref = next(), owner = next(), locker = next(), queued = next();
    if (!(flags & ALLOCATED)) continue;
    dentries.push({
      id: d, parent, name, inode, ref, hashed: (flags & HASHED) !== 0, inLookup: (flags & PAR_LOOKUP) !== 0,
      owner: owner - 1, lockHolder: (flags & LOOKUP_LOCKED) !== 0 ? locker - 1 : -1, queued: bits(queued),
    });
  }
  const rwsems: RwsemState[] = [];
  for (let i = 1; i <= iHwm; i++) {
    const used = next(), _ino = next(), isDir = next(), name = next(), writer = next(), readers = next(), q = next();
    const queue = [];
    for (let k = 0; k < q; k++) { const e = next(); queue.push({ task: e & 0xff, mode: (e >> 8) === 2 ? "write" as const : "read" as const }); }
    if (used && isDir) rwsems.push({ inode: i, name, writer: writer - 1, readers: bits(readers), queue });
  }
  for (const t of tasks) if (next() & SIGKILL_PENDING) t.pending.push("SIGKILL");
  return { tasks, dentries, rwsems };
}
