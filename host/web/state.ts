/**
 * The kernel state at a tick. The caller replays the schedule tick by tick and reads the model's
 * own tables after each tick (host/core/state_view.ts): the tasks (status, frame stack, what
 * they wait on, pending signals), every allocated dentry and every i_rwsem come from the model exactly. The trace
 * supplies which step established each relation (for highlighting) and the system call text:
 * this replays the trace events up to the tick and keeps what they say:
 *
 *   i_rwsem      "granted" / "queued" / "released" steps and the "granted i_rwsem" wake-ups
 *                (a releaser hands the lock to its waiters; the wake-up names the new holder)
 *   dentries     "new, owner" starts an in-lookup episode, "ended episode" / "instantiated" /
 *                a negative d_add end it, "locked" takes the lookup lock, "sleeps" queues a
 *                waiter, "woken from ..." dequeues it, "hit" / "positive" / "negative" say it is
 *                hashed
 *   tasks        the system call from its enter/return events, and the step that made each
 *                task wait
 *
 * The model's state then replaces every relation and the stacks, keeping the trace's step index
 * where the two agree. The exact waits-for cycle of a deadlock comes from the model too.
 */

import { EV, EV_WORDS, OBJ_DENTRY, OBJ_INODE, PC_SYSCALL_ENTER, PC_SYSCALL_EXIT, WAITS } from "../core/abi";
import { nameText, type Encoded, type SeedFile } from "../core/seed";
import type { CycleEdge, TraceEvent } from "../core/trace";
import type { ModelState } from "../core/state_view";

export type WaitKind = "rwsem read" | "rwsem write" | "in-lookup wait" | "lookup lock" | "dying dir";

/** A relation (holder, owner, waiter) and the trace event that established it. */
export interface Since {
  task: number;
  event: number;
}

export interface RwsemView {
  inode: number;
  label: string;
  writer?: Since;
  readers: Since[];
  queue: (Since & { mode: "read" | "write" })[];
}

export interface DentryView {
  id: number;
  label: string;
  /** on the main hash; undefined: no step said */
  hashed?: boolean;
  positive?: boolean;
  inLookup: boolean;
  owner?: Since;
  /** tasks in d_wait_lookup on it */
  waiters: Since[];
  lockHolder?: Since;
  lockWaiters: Since[];
}

export interface TaskView {
  index: number;
  name: string;
  /** from the model (its runnable set after the tick) */
  status: "runnable" | "blocked" | "done";
  /** this task ran the step of this tick */
  ran: boolean;
  /** the system call in progress, as the trace writes it: getdents("/d") */
  syscall?: string;
  opsDone: number;
  nOps: number;
  /** outermost first */
  stack: Frame[];
  waitsOn?: { kind: WaitKind; label: string; key: string; event: number };
  lastReturn?: string;
  /** signals pending, from the model (the `kill` op sends SIGKILL) */
  pending: string[];
}

export interface KernelView {
  tick: number;
  tasks: TaskView[];
  rwsems: RwsemView[];
  dentries: DentryView[];
}

/** A frame of a task's stack, as the model holds it. */
export interface Frame {
  fn: string;
}

interface TaskAcc {
  syscall?: string;
  opsDone: number;
  waitsOn?: TaskView["waitsOn"];
  lastReturn?: string;
}

const without = (list: Since[], task: number) => list.filter((s) => s.task !== task);

export class Reconstruction {
  /** the last tick of the run */
  readonly lastTick: number;

  constructor(
    private words: Int32Array,
    private events: TraceEvent[],
    private enc: Encoded,
    private seed: SeedFile,
    private choices: Uint8Array,
    /** masks[k]: the model's runnable_mask() after k ticks (masks[0]: before the first) */
    private masks: Int32Array,
    /** states[k]: the model's tables after k ticks */
    private states: ModelState[],
  ) {
    this.lastTick = choices.length;
  }

  /** The state after every step of tick `tick` (0: the initial state). */
  at(tick: number): KernelView {
    const n = this.enc.threads.length;
    const tasks: TaskAcc[] = Array.from({ length: n }, () => ({ opsDone: 0 }));
    const rwsems = new Map<number, RwsemView>();
    const dentries = new Map<number, DentryView>();
    const rwsem = (inode: number, label: string): RwsemView => {
      let r = rwsems.get(inode);
      if (!r) rwsems.set(inode, (r = { inode, label, readers: [], queue: [] }));
      return r;
    };
    const dentry = (id: number, label: string): DentryView => {
      let d = dentries.get(id);
      if (!d) dentries.set(id, (d = { id, label, inLookup: false, waiters: [], lockWaiters: [] }));
      return d;
    };
    const endEpisode = (d: DentryView) => {
      d.inLookup = false;
      d.owner = undefined;
      d.lockHolder = undefined;
    };

    for (let i = 0; i < this.events.length; i++) {
      const e = this.events[i];
      if (e.tick > tick) break;
      const w = i * EV_WORDS;
      const pc = this.words[w + EV.PC];
      const obj = this.words[w + EV.OBJ];
      const kind = obj >>> 24, id = obj & 0xffffff;
      const t = tasks[e.task];
      if (!t) continue;
      const me = { task: e.task, event: i };

      if (e.fn === "wake_up") {
        // pc is the kind of wait the sleeper leaves
        const was = t.waitsOn;
        t.waitsOn = undefined;
        if (!was) continue;
        if (was.kind === "rwsem read" || was.kind === "rwsem write") {
          const r = rwsems.get(Number(was.key));
          if (!r) continue;
          r.queue = r.queue.filter((q) => q.task !== e.task);
          if (WAITS[pc] === "rwsem write") r.writer = me;
          else r.readers.push(me);
        } else {
          const d = dentries.get(Number(was.key));
          if (!d) continue;
          d.waiters = without(d.waiters, e.task);
          d.lockWaiters = without(d.lockWaiters, e.task);
        }
        continue;
      }
      if (pc === PC_SYSCALL_ENTER) {
        t.syscall = e.text;
        continue;
      }
      if (pc === PC_SYSCALL_EXIT) {
        t.lastReturn = e.text;
        t.syscall = undefined;
        t.opsDone++;
        continue;
      }

      if (kind === OBJ_INODE) {
        const r = rwsem(id, e.object);
        if (e.note === "granted") {
          if (/shared|read/.test(e.state)) r.readers.push(me);
          else r.writer = me;
        } else if (e.note === "queued") {
          const mode = /shared|read/.test(e.state) ? "read" : "write";
          r.queue.push({ ...me, mode });
          t.waitsOn = { kind: mode === "read" ? "rwsem read" : "rwsem write", label: e.object, key: String(id), event: i };
        } else if (e.note === "released" || /^(up_read|up_write|inode_unlock)/.test(e.state)) {
          r.readers = without(r.readers, e.task);
          if (r.writer?.task === e.task) r.writer = undefined;
        }
        continue;
      }
      if (kind !== OBJ_DENTRY || id === 0) continue;
      const d = dentry(id, e.object);
      switch (e.note) {
        case "new, owner":
          d.inLookup = true;
          d.hashed = false;
          d.positive = false;
          d.owner = me;
          if (e.fn === "d_alloc_locked") d.lockHolder = me;
          break;
        case "in lookup":
          d.inLookup = true;
          break;
        case "sleeps": {
          const lock = e.fn === "lock_lookup" || e.state.includes("d_lookup_locked");
          if (lock) d.lockWaiters.push(me);
          else d.waiters.push(me);
          t.waitsOn = { kind: lock ? "lookup lock" : "in-lookup wait", label: e.object, key: String(id), event: i };
          break;
        }
        case "locked":
          d.inLookup = true;
          d.lockHolder = me;
          break;
        case "ended episode":
          endEpisode(d);
          break;
        case "instantiated":
          if (e.fn === "nfs_unlink" || e.fn === "proc_unlink") {
            d.positive = undefined; // d_delete: negative in place, or unhashed
            d.hashed = undefined;
          } else if (e.fn !== "nfs_rename") {
            endEpisode(d);
            d.hashed = true;
            d.positive = true;
          }
          break;
        case "negative":
          if (e.state !== "step_into") {
            if (d.inLookup) endEpisode(d);
            d.hashed = true;
          }
          d.positive = false;
          break;
        case "hit":
          d.hashed = true;
          break;
        case "positive":
          d.hashed = true;
          d.positive = true;
          break;
        case "stale: invalidated":
          d.hashed = false;
          break;
      }
    }

    const mask = this.masks[Math.min(tick, this.masks.length - 1)];
    const nOps = (k: number) => this.seed.threads[k]?.ops.length ?? 0;
    const views: TaskView[] = tasks.map((t, k) => {
      const done = t.opsDone >= nOps(k);
      const status: TaskView["status"] = (mask >> k) & 1 ? "runnable" : done ? "done" : "blocked";
      return {
        index: k,
        name: this.enc.threads[k],
        status,
        ran: tick > 0 && this.choices[tick - 1] === k,
        syscall: t.syscall,
        opsDone: t.opsDone,
        nOps: nOps(k),
        stack: [],
        // a woken or granted task no longer waits, whatever the trace said last
        waitsOn: status === "blocked" ? t.waitsOn : undefined,
        lastReturn: t.lastReturn,
        pending: [],
      };
    });
    const byId = <T extends { inode?: number; id?: number }>(m: Map<number, T>) => [...m.entries()].sort((a, b) => a[0] - b[0]).map((x) => x[1]);
    const traced: KernelView = { tick, tasks: views, rwsems: byId(rwsems), dentries: byId(dentries) };
    return this.exact(traced, this.states[Math.min(tick, this.states.length - 1)], tick);
  }

  /** The model's own state at `tick`, with the trace's step indices kept where they agree. */
  private exact(traced: KernelView, state: ModelState, tick: number): KernelView {
    // the step that established a relation: the trace's, else the task's last step so far
    const lastStep = (task: number) => {
      let at = -1;
      this.events.forEach((e, i) => { if (e.task === task && e.tick <= tick) at = i; });
      return at;
    };
    const since = (task: number, known?: Since[]) => known?.find((s) => s.task === task) ?? { task, event: lastStep(task) };
    const dname = (id: number) => {
      const d = state.dentries.find((x) => x.id === id);
      return d ? (d.name ? JSON.stringify(nameText(this.enc, d.name)) : '"/"') + `#${id}` : `#${id}`;
    };
    const rname = (inode: number) => {
      const r = state.rwsems.find((x) => x.inode === inode);
      return `i_rwsem(${r && r.name ? nameText(this.enc, r.name) : "/"})`;
    };
    const rwsems: RwsemView[] = state.rwsems.map((r) => {
      const old = traced.rwsems.find((x) => x.inode === r.inode);
      return {
        inode: r.inode,
        label: rname(r.inode),
        writer: r.writer >= 0 ? since(r.writer, old?.writer ? [old.writer] : []) : undefined,
        readers: r.readers.map((t) => since(t, old?.readers)),
        queue: r.queue.map((q) => ({ ...since(q.task, old?.queue), mode: q.mode })),
      };
    }).filter((r) => r.writer || r.readers.length || r.queue.length || traced.rwsems.some((x) => x.inode === r.inode));
    const sleepers = (kind: string, id: number) => state.tasks.flatMap((t, k) => (t.wait?.kind === kind && t.wait.object === id ? [k] : []));
    const dentries: DentryView[] = state.dentries.map((d) => {
      const old = traced.dentries.find((x) => x.id === d.id);
      return {
        id: d.id,
        label: dname(d.id),
        hashed: d.hashed,
        positive: d.inode !== 0,
        inLookup: d.inLookup,
        owner: d.inLookup && d.owner >= 0 ? since(d.owner, old?.owner ? [old.owner] : []) : undefined,
        waiters: sleepers("in-lookup wait", d.id).map((t) => since(t, old?.waiters)),
        lockHolder: d.lockHolder >= 0 ? since(d.lockHolder, old?.lockHolder ? [old.lockHolder] : []) : undefined,
        lockWaiters: sleepers("lookup lock", d.id).map((t) => since(t, old?.lockWaiters)),
      };
    });
    const tasks: TaskView[] = traced.tasks.map((v, k) => {
      const t = state.tasks[k];
      const w = t.wait;
      let waitsOn: TaskView["waitsOn"];
      if (w && w.kind !== "none") {
        const rw = w.kind === "rwsem read" || w.kind === "rwsem write";
        const event = v.waitsOn && v.waitsOn.key === String(w.object) ? v.waitsOn.event : lastStep(k);
        const label = rw ? rname(w.object) : w.kind === "dying dir" ? rname(w.object).replace("i_rwsem", "S_DYING") : dname(w.object);
        waitsOn = { kind: w.kind, label, key: String(w.object), event };
      }
      return {
        ...v,
        status: t.state,
        stack: t.frames.map((f) => ({ fn: f.fn })),
        waitsOn,
        pending: t.state === "done" ? [] : [...t.pending], // an ended task's signals do nothing
      };
    });
    return { tick, tasks, rwsems, dentries };
  }

  /**
   * The steps that formed a waits-for cycle, as trace event indices: each cycle task's step that
   * blocked it, and the step by which the next task came to hold (or queue ahead on) what it
   * waits for.
   */
  formingSteps(cycle: CycleEdge[]): Set<number> {
    const view = this.at(this.lastTick);
    const out = new Set<number>();
    const index = new Map(view.tasks.map((t) => [t.name, t]));
    cycle.forEach((edge, k) => {
      const a = index.get(edge.task);
      const b = index.get(cycle[(k + 1) % cycle.length].task);
      if (!a?.waitsOn || !b) return;
      out.add(a.waitsOn.event);
      const key = Number(a.waitsOn.key);
      const mine = (s?: Since) => (s && s.task === b.index ? s.event : undefined);
      let by: number | undefined;
      if (a.waitsOn.kind === "rwsem read" || a.waitsOn.kind === "rwsem write") {
        const r = view.rwsems.find((x) => x.inode === key);
        by = mine(r?.writer) ?? r?.readers.find((s) => s.task === b.index)?.event ?? r?.queue.find((s) => s.task === b.index)?.event;
      } else {
        const d = view.dentries.find((x) => x.id === key);
        by = a.waitsOn.kind === "lookup lock" ? mine(d?.lockHolder) : mine(d?.lockHolder) ?? mine(d?.owner);
      }
      if (by !== undefined) out.add(by);
    });
    return out;
  }
}
