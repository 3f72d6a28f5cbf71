/**
 * One scenario, one strategy -> a RunReport. Random and PCT run inside wasm in batches; dfs is
 * driven from here (explore.ts). A failure is replayed with the trace on, so the report carries
 * the readable trace of exactly the recorded schedule.
 */

import { LOCKDEP_CLASSES, VERDICT_RUNNING, type CheckId, type Verdict } from "./abi";
import { EXIT } from "./exit";
import { readOutcome } from "./outcome";
import { exploreBounded, type BoundedResult, type ExploreProgress, type StoppedBy } from "./explore";
import { wasmStrategy } from "./strategy";
import type { Encoded, SeedFile, StrategyName } from "./seed";
import { encodeSchedule } from "./schedule";
import { decodeTrace, type CycleEdge, type TraceEvent } from "./trace";
import { Model, ModelTrap } from "./wasm";

/** A run's verdict: the model's (abi VERDICTS) or "inconclusive": no failure found, and the space
 *  was not exhausted (a dfs budget ran out, or random / PCT schedules, which never exhaust it). */
export type RunVerdict = Verdict | "inconclusive";

/** Exit status of an inconclusive result (host/core/exit.ts has them all). */
export const EXIT_INCONCLUSIVE = EXIT.inconclusive;

/** The dfs state budget when neither the seed file nor --schedules gives one: no cap short of the
 *  visited table's capacity (the table filling up stops the search, inconclusive). */
export const DFS_NO_STATE_CAP = 1_000_000_000;

/** Random and PCT schedules when neither the seed file nor --schedules gives a number. */
export const RANDOM_SCHEDULES_DEFAULT = 10_000;

/** The budget a run uses: `schedules` as given, or (0, absent) the strategy's default. */
export function scheduleBudget(strategy: StrategyName, schedules: number): number {
  if (schedules > 0) return schedules;
  return strategy === "dfs" ? DFS_NO_STATE_CAP : RANDOM_SCHEDULES_DEFAULT;
}

export interface RunOptions {
  strategy: StrategyName;
  seed: bigint;
  schedules: number;
  /** PCT bug depth d */
  depth: number;
  /** dfs preemption bound; -1: unbounded */
  preemptions: number;
  /** dfs: hash states up to a permutation of identical threads (default on) */
  symmetry?: boolean;
  /** dfs: keep the visited-state table in the host, this many bytes (0: in linear memory) */
  hostTableBytes?: number;
  /** random/pct: run the batches in this module, the lean build (build/vfsim-lean.wasm); a
   *  failure is still replayed, traced and reported by the full `module` */
  lean?: WebAssembly.Module;
  /** stop after this many seconds (dfs between slices, random/PCT between batches); the result
   *  is then inconclusive unless a failure was found. Measured with the host's clock, never the
   *  model's. */
  timeSeconds?: number;
}

export interface RunReport {
  verdict: RunVerdict;
  invariant?: CheckId;
  strategy: StrategyName;
  seed: bigint;
  schedules: number;
  exhaustive: boolean;
  transitions?: number;
  /** dfs: distinct states stored, revisits pruned, deepest schedule, symmetry used */
  states?: number;
  revisits?: number;
  maxDepth?: number;
  symmetry?: boolean;
  /** dfs: the preemption bound searched within; -1: none */
  preemptions?: number;
  /** why a search stopped before covering its space */
  stopped?: string;
  /** what stopped it: the state or schedule budget, the time limit or a full visited table */
  stoppedBy?: StoppedBy | "schedules";
  /** dfs: complete schedules reached (end states; counted once per state, not per schedule) */
  endStates?: number;
  /** dfs with a bound: every bound 0..boundsComplete was covered completely (-1: none) */
  boundsComplete?: number;
  /** dfs with a bound: the bound being searched when the failure was found or the search stopped */
  lastBound?: number;
  /** dfs with --workers: the worker threads that searched (host/node/pdfs.ts) */
  workers?: number;
  parallel?: ParallelFacts;
  /** the report is the replay of one recorded schedule, not a search */
  replayed?: boolean;
  /** for a failure: the recorded schedule, its length, what broke and how it reads */
  choices?: Uint8Array;
  schedule?: string;
  ticks?: number;
  cycle?: CycleEdge[];
  /** lockdep violation: the dependencies of the cycle, the last one the acquisition closing it */
  lockdep?: LockdepEdge[];
  failTask?: string;
  trace?: TraceEvent[];
  traceLost?: number;
}

/** What only a parallel search reports (host/node/pdfs.ts). */
export interface ParallelFacts {
  /** distinct states in the shared table at the end of the last bound searched */
  distinctStates: number;
  /** subtrees one worker gave another */
  donations: number;
  /** the failure as the parallel search met it; the reported one is the one-worker search's */
  found?: { verdict: number; ticks: number; schedule: string };
  /** the one-worker search of the failing bound that re-derived the reported counterexample;
   *  canonical false: it stopped first (time), and `found` is the one reported */
  rederived?: { states: number; transitions: number; seconds: number; canonical: boolean };
}

/** One dependency of lockdep's graph: `task` took `acquired` while holding `held`. */
export interface LockdepEdge {
  held: string;
  acquired: string;
  read: boolean;
  /** an annotated wait (acquired and released at once), not a held acquisition */
  wait: boolean;
  /** lockdep's "possible recursive locking": `acquired` is `held`, already held by `task` (the
   *  chain has this one entry) */
  recursive: boolean;
  task: string;
  tick: number;
  /** kernel function that took `acquired`, and the one that had taken `held` */
  fn: string;
  heldFn: string;
}

/** Schedules per call into wasm: long enough to amortise the call, short enough to leave the
 *  baseline tier (V8 has no on-stack replacement for wasm). */
const BATCH = 4096;

export class ReplayDivergence extends Error {
  constructor(public at: number, detail: string) {
    super(detail);
    this.name = "ReplayDivergence";
  }
}

/** Run a scenario with one strategy. `onProgress` is called between slices of an exhaustive
 *  search (about once a second). */
export function runScenario(module: WebAssembly.Module, seed: SeedFile, enc: Encoded, opts: RunOptions, onProgress?: (p: ExploreProgress) => void): RunReport {
  const model = new Model(module);
  model.load(enc.words);
  const base = { strategy: opts.strategy, seed: opts.seed };
  opts = { ...opts, schedules: scheduleBudget(opts.strategy, opts.schedules) };

  const deadline = opts.timeSeconds !== undefined ? performance.now() + opts.timeSeconds * 1000 : undefined;
  if (opts.strategy === "dfs") {
    const r = exploreBounded(model, { preemptions: opts.preemptions, maxStates: opts.schedules, symmetry: opts.symmetry, hostTableBytes: opts.hostTableBytes, onProgress, deadline });
    return dfsReport(model, enc, r, opts);
  }

  const strategy = wasmStrategy(opts.strategy, opts.seed, opts.depth);
  const batches = opts.lean ? new Model(opts.lean) : model;
  if (batches !== model) batches.load(enc.words);
  let done = 0;
  let outOfTime = false;
  while (done < opts.schedules) {
    if (deadline !== undefined && performance.now() >= deadline) { outOfTime = true; break; }
    const count = Math.min(BATCH, opts.schedules - done);
    const { hit } = strategy.runBatch(batches, done, count);
    if (hit >= 0) {
      const rep = failureReport(model, enc, batches.choices(), base);
      return { ...rep, schedules: done + hit + 1, exhaustive: false };
    }
    done += count;
  }
  // random and PCT schedules never exhaust a space: no failure is inconclusive, never "ok"
  return {
    ...base, verdict: "inconclusive", schedules: done, exhaustive: false,
    stoppedBy: outOfTime ? "time" : "schedules",
    stopped: outOfTime ? `the time limit (${opts.timeSeconds} s) ran out` : `the schedule budget (${opts.schedules} schedules) ran out`,
  };
}

/** The report of an exhaustive search (one worker, or host/node/pdfs.ts); a failure is replayed
 *  on `model` (a fresh instance of the full build, loaded with `enc`). */
export function dfsReport(model: Model, enc: Encoded, r: BoundedResult, opts: RunOptions): RunReport {
  const base = { strategy: opts.strategy, seed: opts.seed };
  const stats = {
    schedules: r.schedules, endStates: r.schedules, transitions: r.transitions, states: r.states, revisits: r.revisits, maxDepth: r.maxDepth, symmetry: r.symmetry,
    preemptions: opts.preemptions,
    ...(opts.preemptions >= 0 ? { boundsComplete: r.boundsComplete, lastBound: r.lastBound } : {}),
  };
  if (!r.choices) {
    if (r.exhaustive) return { ...base, verdict: "ok", exhaustive: true, ...stats };
    const stopped = r.stoppedBy === "table" ? `the visited-state table is full (${r.states} states)`
      : r.stoppedBy === "time" ? `the time limit (${opts.timeSeconds} s) ran out`
      : `the state budget (${opts.schedules} states) ran out`;
    return { ...base, verdict: "inconclusive", exhaustive: false, ...stats, stopped, stoppedBy: r.stoppedBy };
  }
  return { ...failureReport(model, enc, r.choices, base), exhaustive: false, ...stats };
}

/** Replay `choices` with the trace on and describe the outcome. */
export function replay(model: Model, choices: Uint8Array): { code: number; events: Int32Array } {
  model.setChoices(choices);
  model.setTrace(1);
  try {
    const code = model.runReplay(choices.length);
    return { code, events: model.events() };
  } finally {
    model.setTrace(0);
  }
}

export function failureReport(model: Model, enc: Encoded, choices: Uint8Array, base: { strategy: StrategyName; seed: bigint }): RunReport {
  const { code, events } = replay(model, choices);
  if (code < -1) throw new ModelTrap(`replay of a schedule the model just ran diverged at tick ${-code - 1}`);
  if (code === VERDICT_RUNNING) throw new ModelTrap(`replay of a schedule the model just ran had not finished after its ${choices.length} ticks`);
  return reportFromModel(model, enc, choices, base, events, code);
}

/** The report of the run the model just finished (`code`: its verdict code), names resolved. */
export function reportFromModel(model: Model, enc: Encoded, choices: Uint8Array, base: { strategy: StrategyName; seed: bigint }, events: Int32Array, code: number): RunReport {
  const o = readOutcome(model, code);
  const report: RunReport = {
    ...base,
    verdict: o.verdict,
    schedules: 1,
    exhaustive: false,
    choices,
    schedule: encodeSchedule(choices),
    ticks: o.ticks,
    trace: decodeTrace(events, model.names(), enc),
    traceLost: model.traceLost(),
  };
  if (o.invariant) report.invariant = o.invariant;
  if (o.lockdep) {
    const fns = model.names().fn;
    report.lockdep = o.lockdep.map((e) => ({ held: LOCKDEP_CLASSES[e.held], acquired: LOCKDEP_CLASSES[e.acquired], task: enc.threads[e.task], tick: e.tick, fn: fns[e.fn] ?? "?", heldFn: fns[e.heldFn] ?? "?", read: e.read, wait: e.wait, recursive: e.recursive }));
  }
  if (o.failTask >= 0) report.failTask = enc.threads[o.failTask];
  if (o.cycle) report.cycle = o.cycle.map((e) => ({ task: enc.threads[e.task], wait: e.wait, killable: e.killable, signalPending: e.signalPending }));
  return report;
}

/** Re-run a recorded schedule (a counterexample) and report it, trace included. `run`: how the
 *  schedule was found, as its seed file's `run` says (the report names that strategy and seed;
 *  a replay itself searches nothing). */
export function replayScenario(module: WebAssembly.Module, enc: Encoded, choices: Uint8Array, run: { strategy: StrategyName; seed: bigint }): RunReport {
  const model = new Model(module);
  model.load(enc.words);
  const { code, events } = replayChecked(model, enc, choices);
  return reportFromModel(model, enc, choices, { strategy: run.strategy, seed: run.seed }, events, code);
}

/** replay(), with a schedule that no longer fits the model reported as a ReplayDivergence. */
export function replayChecked(model: Model, enc: Encoded, choices: Uint8Array): { code: number; events: Int32Array } {
  const { code, events } = replay(model, choices);
  if (code < -1) {
    const at = -code - 2;
    throw new ReplayDivergence(at, `schedule[${at}]: task ${choices[at]} (${enc.threads[choices[at]] ?? "?"}) cannot run at tick ${at + 1} in this model; the recorded schedule no longer fits`);
  }
  if (code === VERDICT_RUNNING) {
    throw new ReplayDivergence(choices.length, `the recorded schedule ends after ${choices.length} ${choices.length === 1 ? "tick" : "ticks"} but the run has not finished`);
  }
  return { code, events };
}
