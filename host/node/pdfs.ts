/**
 * Parallel exhaustive search: `vfsim run --strategy dfs --workers K`. K worker threads
 * (pdfs_worker.ts) each run the model's own depth-first search on their own instance, over one
 * visited-state table shared by all of them (host/core/shared_visited.ts: lock-free find-or-put,
 * as in LTSmin), and share work: a worker out of work gets a subtree from a busy one (the choices
 * left at the giver's shallowest depth, with that state's snapshot and the choices leading to it).
 * This file is the coordinator: it hands out subtrees, detects the end (every worker idle), grows
 * the table, and stops the search at a failure, the time limit, a full table or the state budget.
 *
 * What it promises (docs/scale.md, "Every core"):
 * - The verdict is the one-worker search's: "ok" only when every worker is idle and nothing was
 *   stopped, i.e. the whole space (within the bound) was searched by all workers together.
 * - The reported counterexample does not depend on K or on timing: once the parallel search
 *   finds that the space (or bound b, with a preemption bound) holds a failure, the one-worker
 *   search (host/core/explore.ts) is run again on that space alone, and its first failure is the
 *   one reported: the very counterexample `vfsim run` without --workers reports. The failure the
 *   parallel search met is kept as `found` (a replayable schedule too).
 * - Partial-order reduction stays on, and sound: a state is reduced only when its ample successor
 *   was new to the shared table, which one worker alone learns (docs/scale.md has the argument).
 *   Which successor is new depends on timing, so with it on the state counts vary with K and from
 *   run to run; without it they equal the one-worker search's (up to hash compaction) wherever
 *   the reduction does not depend on order.
 */

import { Worker } from "node:worker_threads";
import { explore as exploreOne, type BoundedResult, type ExploreProgress, type StoppedBy } from "../core/explore";
import { ModelTrap, Model } from "../core/wasm";
import { dfsReport, scheduleBudget, type RunOptions, type RunReport } from "../core/run";
import type { Encoded } from "../core/seed";
import { encodeSchedule } from "../core/schedule";
import { allocSharedTable, slotsFor, type SharedTableBuffers } from "../core/shared_visited";
import { builtFile } from "./module";
import {
  BIG_WORDS, C_ADDED, C_GROW, C_HUNGRY, C_STATES, C_STOP, C_TRANSITIONS, CONTROL_BYTES, GROW_LOAD, INT_WORDS,
  STOP_FAILURE, STOP_STATES, STOP_TABLE, STOP_TIME,
  type FromPdfsWorker, type PdfsWorkerData, type SearchConfig, type ToPdfsWorker, type WorkItem, type WorkerStats,
} from "./pdfs_protocol";

export interface ParallelOptions {
  /** preemption bound; -1: unbounded (iterative context bounding 0..bound otherwise) */
  preemptions: number;
  /** stop after this many states stored, over all workers and bounds */
  maxStates: number;
  symmetry?: boolean;
  por?: boolean;
  /** the largest the shared table may grow to, in bytes (default 4 GiB: about 240 M states) */
  tableBytes?: number;
  /** stop (not exhaustive, stoppedBy "time") once performance.now() passes this */
  deadline?: number;
  onProgress?: (p: ExploreProgress) => void;
  /** transitions per call into wasm between looks at the control block (default 4096) */
  slice?: number;
  /** the table's first size in slots, a power of two (default 2^20; tests start small to grow it) */
  initialSlots?: number;
}

export interface ParallelResult extends BoundedResult {
  workers: number;
  /** distinct states in the shared table at the end of the last bound searched */
  distinct: number;
  /** subtrees given from one worker to another, over all bounds */
  donations: number;
  /** times the shared table doubled, over all bounds */
  resizes: number;
  /** each worker's counts in the last bound searched */
  perWorker: WorkerStats[];
  /** the failure as the parallel search met it (the reported one is re-derived: `rederived`) */
  found?: { verdict: number; choices: Uint8Array };
  /** the one-worker search of the failing bound that found the reported counterexample; not
   *  canonical if it stopped (time, table) before finding one, and `found` is reported instead */
  rederived?: { states: number; transitions: number; seconds: number; canonical: boolean };
}

/** The default largest table: as many states as the model's own table holds in wasm32 memory. */
export const PDFS_TABLE_BYTES_DEFAULT = 4 * 2 ** 30;
/** A new table starts this small (9 MiB) and doubles as it fills. */
const INITIAL_SLOTS = 1 << 20;
const SLICE_DEFAULT = 4096;
const PROGRESS_MS = 1000;

export function pdfsWorkerPath(): string {
  return builtFile("dist/pdfs-worker.mjs");
}

interface BoundResult {
  verdict: number;
  choices?: Uint8Array;
  stop: number;
  exhaustive: boolean;
  stats: WorkerStats[];
  distinct: number;
  slots: number;
  resizes: number;
}

export class ParallelExplorer {
  private readonly flags: Int32Array;
  private readonly counters: BigInt64Array;
  private readonly workers: Worker[] = [];
  private onMessage?: (w: number, m: FromPdfsWorker) => void;
  private onFailure?: (e: Error) => void;
  private sent?: Int32Array;
  private closed = false;

  private constructor(private readonly module: WebAssembly.Module, readonly size: number, file: string) {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    this.flags = new Int32Array(control, 0, INT_WORDS);
    this.counters = new BigInt64Array(control, INT_WORDS * 4, BIG_WORDS);
    for (let i = 0; i < size; i++) {
      const data: PdfsWorkerData = { module, index: i, control };
      const w = new Worker(file, { workerData: data });
      w.on("message", (m: FromPdfsWorker) => {
        if (m.type === "error") this.fail(/RuntimeError|ModelTrap|vfsim:/.test(m.message) ? new ModelTrap(`worker ${i}: ${m.message}`) : new Error(`dfs worker ${i}: ${m.message}`));
        else this.onMessage?.(i, m);
      });
      w.on("error", (e) => this.fail(new Error(`dfs worker ${i}: ${e.message}`)));
      w.on("exit", (code) => { if (!this.closed) this.fail(new Error(`dfs worker ${i} exited with code ${code}`)); });
      this.workers.push(w);
    }
  }

  /** K workers, each with the model compiled once (`module`, the full build: dfs needs its
   *  footprints). */
  static open(module: WebAssembly.Module, workers: number, file = pdfsWorkerPath()): ParallelExplorer {
    return new ParallelExplorer(module, workers, file);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** One search (or selftest) at a time: a second one while one runs would take its messages. */
  private busy = false;
  private claim(): void {
    if (this.busy) throw new Error("ParallelExplorer: a search is already running on these workers");
    this.busy = true;
  }

  private fail(e: Error): void {
    const f = this.onFailure;
    this.onMessage = undefined;
    this.onFailure = undefined;
    f?.(e);
  }

  private send(w: number, m: ToPdfsWorker, transfer: ArrayBuffer[] = []): void {
    this.workers[w].postMessage(m, transfer);
  }

  /** Every worker inserts the same `keys` keys into one table at once, twice (the second time
   *  with fewer preemptions): a test of the table under real contention (test/pdfs.test.ts). */
  selftest(keys: number): Promise<{ fresh: number; seen: number }[]> {
    this.claim();
    const table = allocSharedTable(slotsFor(keys * 2 * 9));
    return new Promise((resolve, reject) => {
      const out: { fresh: number; seen: number }[] = [];
      this.onFailure = (e) => { this.busy = false; reject(e); };
      this.onMessage = (_w, m) => {
        if (m.type !== "selftest") return;
        out.push({ fresh: m.fresh, seen: m.seen });
        if (out.length < this.size) return;
        this.onMessage = undefined;
        this.onFailure = undefined;
        this.busy = false;
        resolve(out);
      };
      for (let i = 0; i < this.size; i++) this.send(i, { type: "selftest", table, keys, seed: 7 });
    });
  }

  /** Search the scenario `words` (encodeScenario), bounds 0..preemptions in turn (or the whole
   *  space), then re-derive a failure's counterexample with the one-worker search. */
  async explore(words: Int32Array, opts: ParallelOptions): Promise<ParallelResult> {
    this.claim();
    try {
      return await this.exploreBounds(words, opts);
    } finally {
      this.busy = false;
    }
  }

  private async exploreBounds(words: Int32Array, opts: ParallelOptions): Promise<ParallelResult> {
    const maxSlots = slotsFor(opts.tableBytes ?? PDFS_TABLE_BYTES_DEFAULT);
    const bounds = opts.preemptions < 0 ? [-1] : Array.from({ length: opts.preemptions + 1 }, (_, b) => b);
    let totalStates = 0, totalTransitions = 0, donations = 0, resizes = 0;
    // Workers see the table's load only between slices: a table that may still grow must have
    // room for K slices of new keys past its grow load (GROW_LOAD of it).
    const slice = opts.slice ?? SLICE_DEFAULT;
    let slots = Math.min(Math.max(opts.initialSlots ?? INITIAL_SLOTS, 1024), maxSlots);
    while (slots < maxSlots && slots * (1 - GROW_LOAD) < 2 * this.size * slice) slots *= 2;
    let last: BoundResult | undefined;
    let lastBound = -1;
    for (const b of bounds) {
      lastBound = b;
      const budget = Math.max(1, opts.maxStates - totalStates);
      last = await this.searchBound(words, b, opts, budget, slots, maxSlots);
      slots = Math.min(maxSlots, Math.max(slots, last.slots));
      const sum = sumStats(last.stats);
      totalStates += sum.states;
      totalTransitions += sum.transitions;
      donations += sum.donations;
      resizes += last.resizes;
      if (last.choices || !last.exhaustive) break;
    }
    const r = last!;
    const sum = sumStats(r.stats);
    const stoppedBy: StoppedBy | undefined = r.choices || r.exhaustive ? undefined
      : r.stop === STOP_TIME ? "time" : r.stop === STOP_TABLE ? "table" : "states";
    const complete = r.choices || !r.exhaustive ? lastBound - 1 : lastBound;
    const result: ParallelResult = {
      verdict: r.verdict,
      states: sum.states,
      transitions: sum.transitions,
      schedules: sum.schedules,
      revisits: sum.revisits,
      exhaustive: r.exhaustive,
      maxDepth: sum.maxDepth,
      symmetry: sum.symmetry,
      ampleCuts: sum.ampleCuts,
      tableFull: stoppedBy === "table",
      collisionBound: (r.distinct * r.distinct) / 2 ** 65,
      ...(stoppedBy ? { stoppedBy } : {}),
      boundsComplete: opts.preemptions < 0 ? -1 : complete,
      lastBound: opts.preemptions < 0 ? -1 : lastBound,
      totalStates,
      totalTransitions,
      workers: this.size,
      distinct: r.distinct,
      donations,
      resizes,
      perWorker: r.stats,
    };
    if (r.choices) {
      result.found = { verdict: r.verdict, choices: r.choices };
      Object.assign(result, this.rederive(words, lastBound, opts, result.found));
    }
    return result;
  }

  /** The counterexample the one-worker search reports for bound `bound` (the bound the parallel
   *  search found a failure in; the bounds below it are clean): the same search, on one instance
   *  in this thread, with its own table. */
  private rederive(words: Int32Array, bound: number, opts: ParallelOptions, found: { verdict: number; choices: Uint8Array }): Pick<ParallelResult, "verdict" | "choices" | "rederived"> {
    const model = new Model(this.module);
    model.load(words);
    const t0 = performance.now();
    const r = exploreOne(model, { preemptions: bound, maxStates: Number.MAX_SAFE_INTEGER, symmetry: opts.symmetry, por: opts.por, deadline: opts.deadline });
    const rederived = { states: r.states, transitions: r.transitions, seconds: (performance.now() - t0) / 1000, canonical: r.choices !== undefined };
    if (!r.choices) return { verdict: found.verdict, choices: found.choices, rederived };
    return { verdict: r.verdict, choices: r.choices, rederived };
  }

  /** One search (one preemption bound, or the whole space) on all workers. */
  private searchBound(words: Int32Array, bound: number, opts: ParallelOptions, maxStates: number, slots: number, maxSlots: number): Promise<BoundResult> {
    const K = this.size;
    const config: SearchConfig = {
      bound, symmetry: opts.symmetry !== false, por: opts.por !== false, slice: opts.slice ?? SLICE_DEFAULT, maxStates, maxSlots,
    };
    this.flags.fill(0);
    this.counters.fill(0n);
    let table = allocSharedTable(slots);
    const stats: WorkerStats[] = [];
    const idle = new Set<number>();
    const paused = new Set<number>();
    const queue: WorkItem[] = [];
    let failure: { verdict: number; choices: Uint8Array } | undefined;
    let growing = false;
    let rehashing = 0, resizes = 0;
    let ended = false;
    let next: SharedTableBuffers | undefined;

    return new Promise<BoundResult>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const end = (e?: Error) => {
        ended = true;
        for (const t of timers) clearTimeout(t);
        this.onMessage = undefined;
        this.onFailure = undefined;
        if (e) { reject(e); return; }
        const stop = Atomics.load(this.flags, C_STOP);
        resolve({
          verdict: failure?.verdict ?? 0,
          choices: failure?.choices,
          stop,
          exhaustive: stop === 0,
          stats,
          distinct: Number(Atomics.load(this.counters, C_ADDED)),
          slots: table.used.byteLength,
          resizes,
        });
      };
      const stopWith = (reason: number) => { Atomics.compareExchange(this.flags, C_STOP, 0, reason); };
      const stopped = () => Atomics.load(this.flags, C_STOP) !== 0;

      const give = (w: number, item: WorkItem) => {
        idle.delete(w);
        this.send(w, { type: "work", item }, [item.snapshot.buffer as ArrayBuffer, item.prefix.buffer as ArrayBuffer]);
      };

      /** Every worker is paused or idle and the table asked to grow: double it, each worker
       *  moving a K-th of the keys; then let the paused ones go on. */
      const maybeGrow = () => {
        if (ended || growing || Atomics.load(this.flags, C_GROW) === 0 || paused.size + idle.size < K) return;
        growing = true;
        if (stopped()) { finishGrow(); return; }
        const old = table.used.byteLength;
        next = allocSharedTable(Math.min(old * 2, maxSlots));
        rehashing = K;
        resizes++;
        for (let w = 0; w < K; w++) {
          const first = Math.floor((old * w) / K), endAt = Math.floor((old * (w + 1)) / K);
          this.send(w, { type: "rehash", from: table, to: next, first, end: endAt });
        }
      };
      const finishGrow = () => {
        if (next) table = next;
        next = undefined;
        Atomics.store(this.flags, C_GROW, 0);
        growing = false;
        for (let w = 0; w < K; w++) this.send(w, paused.has(w) ? { type: "resume", table } : { type: "table", table });
        paused.clear();
      };

      const checkEnd = () => {
        if (idle.size === K && !growing) end();
      };

      this.onFailure = (e) => end(e);
      this.onMessage = (w, m) => {
        switch (m.type) {
          case "work":
            if (stopped()) return;                          // the search is over: drop it
            {
              const taker = idle.values().next();
              if (taker.done) queue.push(m.item);
              else give(taker.value, m.item);
            }
            return;
          case "idle":
            stats[w] = m.stats;
            if (!stopped() && queue.length) { give(w, queue.shift()!); return; }
            idle.add(w);
            if (!stopped()) Atomics.add(this.flags, C_HUNGRY, 1);
            checkEnd();
            maybeGrow();
            return;
          case "failure":
            failure ??= { verdict: m.verdict, choices: m.choices };
            return;
          case "paused":
            paused.add(w);
            maybeGrow();
            return;
          case "rehashed":
            if (--rehashing === 0) finishGrow();
            return;
        }
      };

      if (opts.deadline !== undefined) {
        timers.push(setTimeout(() => stopWith(STOP_TIME), Math.max(0, opts.deadline - performance.now())));
      }
      if (opts.onProgress) {
        const tick = () => {
          opts.onProgress!({
            states: Number(Atomics.load(this.counters, C_STATES)),
            transitions: Number(Atomics.load(this.counters, C_TRANSITIONS)),
            revisits: 0,
            maxDepth: 0,
          });
          timers.push(setTimeout(tick, PROGRESS_MS));
        };
        timers.push(setTimeout(tick, PROGRESS_MS));
      }

      const send = this.sent === words ? undefined : words;
      this.sent = words;
      for (let w = 0; w < K; w++) {
        stats[w] = { states: 0, transitions: 0, schedules: 0, revisits: 0, ampleCuts: 0, maxDepth: 0, items: 0, donations: 0, symmetry: false, canonFallbacks: 0 };
        this.send(w, { type: "search", ...(send ? { words: send } : {}), config, table, root: w === 0 });
        if (w > 0) idle.add(w);
      }
      Atomics.store(this.flags, C_HUNGRY, K - 1);
    });
  }
}

function sumStats(all: WorkerStats[]): WorkerStats {
  const s: WorkerStats = { states: 0, transitions: 0, schedules: 0, revisits: 0, ampleCuts: 0, maxDepth: 0, items: 0, donations: 0, symmetry: false, canonFallbacks: 0 };
  for (const x of all) {
    s.states += x.states; s.transitions += x.transitions; s.schedules += x.schedules; s.revisits += x.revisits;
    s.ampleCuts += x.ampleCuts; s.items += x.items; s.donations += x.donations; s.canonFallbacks += x.canonFallbacks;
    s.maxDepth = Math.max(s.maxDepth, x.maxDepth);
    s.symmetry ||= x.symmetry;
  }
  return s;
}

/** One parallel search on a pool opened for it. */
export async function exploreParallel(module: WebAssembly.Module, words: Int32Array, workers: number, opts: ParallelOptions): Promise<ParallelResult> {
  const px = ParallelExplorer.open(module, workers);
  try {
    return await px.explore(words, opts);
  } finally {
    await px.close();
  }
}

/** `vfsim run --strategy dfs --workers K`: the parallel search, reported as runScenario reports
 *  the one-worker search, plus what only a parallel search has (RunReport.parallel). */
export async function runParallel(module: WebAssembly.Module, enc: Encoded, opts: RunOptions, workers: number, onProgress?: (p: ExploreProgress) => void): Promise<RunReport> {
  const o = { ...opts, schedules: scheduleBudget("dfs", opts.schedules) };
  const deadline = o.timeSeconds !== undefined ? performance.now() + o.timeSeconds * 1000 : undefined;
  const r = await exploreParallel(module, enc.words, workers, {
    preemptions: o.preemptions, maxStates: o.schedules, symmetry: o.symmetry, deadline, onProgress,
    ...(o.hostTableBytes ? { tableBytes: o.hostTableBytes } : {}),
  });
  const model = new Model(module);
  model.load(enc.words);
  const report = dfsReport(model, enc, r, o);
  report.workers = workers;
  report.parallel = {
    distinctStates: r.distinct,
    donations: r.donations,
    ...(r.found ? { found: { verdict: r.found.verdict, ticks: r.found.choices.length, schedule: encodeSchedule(r.found.choices) } } : {}),
    ...(r.rederived ? { rederived: r.rederived } : {}),
  };
  return report;
}
