/**
 * A worker of the parallel exhaustive search (bundled to dist/pdfs-worker.mjs; started by
 * pdfs.ts). It runs the model's own depth-first search (assembly/sim/explore.ts) on its own
 * instance, with the visited-state table shared by all workers (host/core/shared_visited.ts),
 * in slices of `config.slice` transitions. Between slices it reads the control block
 * (pdfs_protocol.ts): stop, pause for a resize of the table, or give a subtree to an idle worker
 * (the choices left at its shallowest depth, with that state's snapshot and the choices leading
 * to it, so a failure found in it is still a schedule from the initial state). It adds its
 * counts to the shared counters between slices, so the coordinator can show progress and stop
 * the search at a state budget.
 */

import { parentPort, workerData } from "node:worker_threads";
import { VERDICT_RUNNING } from "../core/abi";
import { SharedVisitedTable, type SharedTableBuffers } from "../core/shared_visited";
import { Model } from "../core/wasm";
import {
  BIG_WORDS, C_ADDED, C_GROW, C_HUNGRY, C_STATES, C_STOP, C_TRANSITIONS, FULL_LOAD, GROW_LOAD, INT_WORDS,
  STOP_FAILURE, STOP_STATES, STOP_TABLE,
  type FromPdfsWorker, type PdfsWorkerData, type SearchConfig, type ToPdfsWorker, type WorkItem, type WorkerStats,
} from "./pdfs_protocol";

const { module, control } = workerData as PdfsWorkerData;
const flags = new Int32Array(control, 0, INT_WORDS);
const counters = new BigInt64Array(control, INT_WORDS * 4, BIG_WORDS);
const HUGE = 1n << 62n;   // the model's own state cap: the budget is kept here, over all workers

let model: Model | undefined;
let config: SearchConfig;
let table: SharedVisitedTable;
/** the choices from the initial state to depth 0 of the subtree being searched */
let prefix: Uint8Array = new Uint8Array(0);
/** counts of the subtrees finished in this search; the live one's are in the model */
let done: WorkerStats = zero(false);
let live = false;
/** what has been added to the shared counters so far */
let flushedStates = 0, flushedTransitions = 0;

function zero(symmetry: boolean): WorkerStats {
  return { states: 0, transitions: 0, schedules: 0, revisits: 0, ampleCuts: 0, maxDepth: 0, items: 0, donations: 0, symmetry, canonFallbacks: 0 };
}

function post(m: FromPdfsWorker, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(m, transfer);
}

/** This search's counts: the finished subtrees plus the live one. */
function stats(): WorkerStats {
  const s = { ...done };
  if (live && model) {
    const x = model.x;
    s.states += Number(x.dfs_states());
    s.transitions += Number(x.dfs_transitions());
    s.schedules += Number(x.dfs_schedules());
    s.revisits += Number(x.dfs_revisits());
    s.ampleCuts += Number(x.dfs_ample_cuts());
    s.maxDepth = Math.max(s.maxDepth, prefix.length + x.dfs_max_depth());
    s.canonFallbacks += Number(x.dfs_canon_fallbacks());
  }
  return s;
}

/** The live subtree is over (searched, failed or abandoned): fold its counts into `done`. */
function endItem(): void {
  if (!live) return;
  done = stats();
  live = false;
}

/** Add this worker's counts to the shared counters; ask for a bigger table, or stop the search at
 *  the state budget or a full table. */
function flush(): void {
  const s = stats();
  if (s.states !== flushedStates) Atomics.add(counters, C_STATES, BigInt(s.states - flushedStates));
  if (s.transitions !== flushedTransitions) Atomics.add(counters, C_TRANSITIONS, BigInt(s.transitions - flushedTransitions));
  flushedStates = s.states;
  flushedTransitions = s.transitions;
  if (table.added !== 0) {
    Atomics.add(counters, C_ADDED, BigInt(table.added));
    table.added = 0;
  }
  const keys = Number(Atomics.load(counters, C_ADDED));
  if (table.slots < config.maxSlots) {
    if (keys > table.slots * GROW_LOAD) Atomics.compareExchange(flags, C_GROW, 0, 1);
  } else if (keys >= table.slots * FULL_LOAD) Atomics.compareExchange(flags, C_STOP, 0, STOP_TABLE);
  if (Number(Atomics.load(counters, C_STATES)) >= config.maxStates) Atomics.compareExchange(flags, C_STOP, 0, STOP_STATES);
}

/** Take one work request, if any, and give away a subtree for it. */
function donate(): void {
  let h = Atomics.load(flags, C_HUNGRY);
  while (h > 0) {
    const prev = Atomics.compareExchange(flags, C_HUNGRY, h, h - 1);
    if (prev === h) break;
    h = prev;
  }
  if (h <= 0) return;
  const x = model!.x;
  const d = x.dfs_donate();
  if (d < 0) {
    Atomics.add(flags, C_HUNGRY, 1);   // nothing worth giving: leave the request to another worker
    return;
  }
  const at = x.dfs_share_ptr();
  const snapshot = new Uint8Array(x.memory.buffer, at, x.state_bytes()).slice();
  const here = new Uint8Array(prefix.length + d);
  here.set(prefix);
  here.set(new Uint8Array(x.memory.buffer, x.dfs_path_ptr(), d), prefix.length);
  const item: WorkItem = { snapshot, prefix: here, last: x.dfs_share_frame(0), used: x.dfs_share_frame(1), options: x.dfs_share_frame(2) };
  done.donations++;
  post({ type: "work", item }, [snapshot.buffer as ArrayBuffer, here.buffer as ArrayBuffer]);
}

/** Search the live subtree until it is done, the search stops, or the table must grow. */
function run(): void {
  const x = model!.x;
  const slice = BigInt(config.slice);
  for (;;) {
    flush();
    if (Atomics.load(flags, C_STOP) !== 0) break;
    if (Atomics.load(flags, C_GROW) !== 0) {
      post({ type: "paused" });
      return;
    }
    if (Atomics.load(flags, C_HUNGRY) > 0) donate();
    const v = x.dfs_run(slice);
    if (v === VERDICT_RUNNING) continue;
    if (v !== 0) {
      const n = x.dfs_path_len();
      const choices = new Uint8Array(prefix.length + n);
      choices.set(prefix);
      choices.set(new Uint8Array(x.memory.buffer, x.dfs_path_ptr(), n), prefix.length);
      Atomics.compareExchange(flags, C_STOP, 0, STOP_FAILURE);
      post({ type: "failure", verdict: v, choices });
    } else if (x.dfs_exhausted() === 0 && x.dfs_table_full() !== 0) {
      Atomics.compareExchange(flags, C_STOP, 0, STOP_TABLE);
    }
    break;
  }
  endItem();
  flush();
  post({ type: "idle", stats: done });
}

/** Switch to a (resized) table; keys added to the old one and not yet counted stay counted. */
function setTable(buffers: SharedTableBuffers, fresh = false): void {
  const added = fresh ? 0 : table.added;
  table = new SharedVisitedTable(buffers);
  table.added = added;
  model!.visited = table;
}

function onMessage(m: ToPdfsWorker): void {
  switch (m.type) {
    case "search": {
      if (m.words || !model) {
        model = new Model(module);
        model.load(m.words!);
        model.x.dfs_host_table(1);
      }
      config = m.config;
      setTable(m.table, true);
      live = false;
      flushedStates = 0; flushedTransitions = 0;
      prefix = new Uint8Array(0);
      const x = model.x;
      if (m.root) {
        x.dfs_start(config.bound, HUGE, config.symmetry ? 1 : 0, config.por ? 1 : 0);
        done = zero(x.dfs_symmetric() !== 0);
        done.items = 1;
        live = true;
        run();
      } else {
        done = zero(false);
      }
      return;
    }
    case "work": {
      const x = model!.x;
      const it = m.item;
      const at = x.dfs_share_ptr();   // may grow memory (first use): take the buffer after it
      new Uint8Array(x.memory.buffer, at, it.snapshot.length).set(it.snapshot);
      prefix = it.prefix;
      x.dfs_start_at(config.bound, HUGE, config.symmetry ? 1 : 0, config.por ? 1 : 0, it.last, it.used, it.options);
      done.symmetry = x.dfs_symmetric() !== 0;
      done.items++;
      live = true;
      run();
      return;
    }
    case "table":
      setTable(m.table);
      return;
    case "resume":
      setTable(m.table);
      run();
      return;
    case "rehash": {
      const from = new SharedVisitedTable(m.from), to = new SharedVisitedTable(m.to);
      to.rehashRange(from, m.first, m.end);
      post({ type: "rehashed" });
      return;
    }
    case "selftest": {
      // every worker inserts the same keys at once: each key must be new to exactly one of them,
      // then lowered (fewer preemptions) for exactly one
      const t = new SharedVisitedTable(m.table);
      let fresh = 0, seen = 0;
      for (const used of [5, 2]) {
        for (let i = 0; i < m.keys; i++) {
          const lo = Math.imul(i + m.seed, 0x9e3779b1);   // distinct for distinct i
          const hi = Math.imul(i ^ 0x5bd1e995, 0x85ebca6b) + i;
          const r = t.insert(lo, hi, used);
          if (r === 1) fresh++; else if (r === 0) seen++; else throw new Error("selftest: the table is full");
        }
      }
      post({ type: "selftest", fresh, seen });
      return;
    }
  }
}

parentPort!.on("message", (m: ToPdfsWorker) => {
  try {
    onMessage(m);
  } catch (e) {
    post({ type: "error", message: (e as Error).stack ?? String(e) });
  }
});
