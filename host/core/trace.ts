/**
 * Trace events -> something a kernel developer reads beside the source: one lane per task on a
 * shared tick axis, each step named by the kernel function and the state inside it.
 */

import { AUX, EV, EV_WORDS, OBJ_DENTRY, OBJ_INODE, OBJ_PATH, OBJ_SERVER, OBJ_TASK, OPS, PC_SYSCALL_ENTER, PC_SYSCALL_EXIT, WAITS } from "./abi";
import type { Names } from "./wasm";
import { nameText, type Encoded } from "./seed";
import type { FsType } from "./abi";

export interface TraceEvent {
  tick: number;
  task: number;
  fn: string;
  state: string;
  /** what the step touched, rendered: "x"#5, i_rwsem(d), "/d/x" */
  object: string;
  result: number;
  note: string;
  /** one line of text for this event, without the lane indentation */
  text: string;
}

const ERRNO: Record<number, string> = {
  [-1]: "EPERM", [-2]: "ENOENT", [-11]: "EWOULDBLOCK", [-13]: "EACCES", [-17]: "EEXIST", [-20]: "ENOTDIR", [-39]: "ENOTEMPTY", [-116]: "ESTALE",
  [-4]: "EINTR", [-1011]: "EAGAIN",
};

export function errnoName(v: number): string {
  return ERRNO[v] ? `-${ERRNO[v]}` : String(v);
}

const SYSCALL: Record<string, string> = {
  vfs_statx: "stat", getdents64: "getdents", do_mkdirat: "mkdir", do_filp_open: "open(O_CREAT)",
  do_unlinkat: "unlink", do_renameat2: "rename", do_rmdir: "rmdir", kill: "kill", path_openat: "open",
};

/** What the trace calls a filesystem's own objects (OBJ_SERVER: the entry a `->lookup`, a readdir
 *  or a primer reads from behind the dcache): the NFS or SMB server's, the FUSE daemon's, a procfs
 *  proc entry, a /proc/sys ctl_table entry, an overlayfs layer's entry. */
export const BACKING: Record<FsType, string> = { nfs: "server", smb: "server", fuse: "daemon", procfs: "proc entry", "proc-sys": "ctl_table", overlayfs: "layer" };

function objectText(obj: number, name: number, enc: Encoded, threads: string[]): string {
  const kind = obj >>> 24, id = obj & 0xffffff;
  const n = name ? JSON.stringify(nameText(enc, name) ?? `?${name}`) : "";
  switch (kind) {
    case OBJ_DENTRY: return `${n || '"/"'}#${id}`;
    case OBJ_INODE: return `i_rwsem(${name ? nameText(enc, name) : "/"})`;
    case OBJ_PATH: return JSON.stringify(enc.paths[id] ?? `?${id}`);
    case OBJ_TASK: return threads[id] ?? `task ${id}`;
    case OBJ_SERVER: return `${BACKING[enc.fsType] ?? "server"} ${n}`;
    default: return n;
  }
}

export function decodeTrace(words: Int32Array, names: Names, enc: Encoded): TraceEvent[] {
  const out: TraceEvent[] = [];
  const threads = enc.threads;
  for (let i = 0; i + EV_WORDS <= words.length; i += EV_WORDS) {
    const tick = words[i + EV.TICK], task = words[i + EV.TASK], fnId = words[i + EV.FN], pc = words[i + EV.PC];
    const obj = words[i + EV.OBJ], name = words[i + EV.NAME], result = words[i + EV.RESULT], aux = words[i + EV.AUX];
    const fn = names.fn[fnId] ?? `fn${fnId}`;
    const state = names.state[fnId]?.[pc] || `pc${pc}`;
    const object = objectText(obj, name, enc, threads);
    let text: string;
    let note = AUX[aux] ?? "";
    if (fn === "wake_up") {
      note = "";
      text = `<- ${state} by ${object}`;
    } else if (pc === PC_SYSCALL_ENTER && fn === "kill") {
      text = `kill(${threads[obj & 0xffffff] ?? "?"}, SIGKILL)`;
    } else if (fn === "signal_wake_up" || fn === "do_exit") {
      text = fn === "do_exit" ? `do_exit: ${state} [SIGKILL]` : `<- ${state}: SIGKILL from ${object}`;
    } else if (pc === PC_SYSCALL_ENTER) {
      const second = result ? `, ${JSON.stringify(enc.paths[result])}` : "";
      text = `${SYSCALL[fn] ?? fn}(${object}${second})`;
    } else if (pc === PC_SYSCALL_EXIT) {
      text = `${SYSCALL[fn] ?? fn} returns ${result < 0 ? errnoName(result) : result}`;
    } else {
      text = `${fn}: ${state}`;
      if (object) text += ` ${object}`;
      if (result !== 0) text += ` = ${result < 0 ? errnoName(result) : result}`;
      if (note) text += ` [${note}]`;
    }
    out.push({ tick, task, fn, state, object, result, note, text });
  }
  return out;
}

/** Human form: a header naming each lane, then one event per line, indented into its lane. */
export function renderTrace(events: TraceEvent[], enc: Encoded, laneWidth = 34): string {
  const threads = enc.threads;
  const lines: string[] = [];
  const head = threads.map((t) => t.padEnd(laneWidth)).join("").trimEnd();
  lines.push(`${"tick".padStart(5)}  ${head}`);
  let lastTick = -1;
  for (const e of events) {
    const tickCol = e.tick === lastTick ? "" : String(e.tick);
    lastTick = e.tick;
    lines.push(`${tickCol.padStart(5)}  ${" ".repeat(e.task * laneWidth)}${e.text}`);
  }
  return lines.join("\n");
}

export interface CycleEdge {
  task: string;
  wait: string;
  /** the task sleeps TASK_KILLABLE: a SIGKILL ends this wait (-EINTR) and breaks the cycle here */
  killable: boolean;
  /** a SIGKILL is already pending on the task (it sleeps on regardless: the wait is not killable) */
  signalPending: boolean;
}

/** How a sleep in a waits-for cycle answers SIGKILL. */
export function killableText(c: CycleEdge): string {
  const how = c.killable ? "killable: SIGKILL ends this wait" : "uninterruptible: D state, SIGKILL does not wake it";
  return c.signalPending ? `${how}; SIGKILL pending` : how;
}

/** Whether a SIGKILL can break the cycle, said plainly. */
export function killableSummary(cycle: CycleEdge[]): string {
  const k = cycle.filter((c) => c.killable).map((c) => c.task);
  if (k.length === 0) return "no task in the cycle can be killed: D state (every wait in it is TASK_UNINTERRUPTIBLE; the machine hangs)";
  return `a SIGKILL to ${k.join(" or ")} breaks the cycle (${k.length === 1 ? "its wait is" : "their waits are"} TASK_KILLABLE)`;
}

export function describeCycle(cycle: CycleEdge[]): string {
  if (cycle.length === 0) return "";
  const parts = cycle.map((c, i) => {
    const next = cycle[(i + 1) % cycle.length].task;
    return `  ${c.task} waits for ${next} (${c.wait}) [${killableText(c)}]`;
  });
  parts.push(`  ${killableSummary(cycle)}`);
  return parts.join("\n");
}

export { WAITS, OPS };
