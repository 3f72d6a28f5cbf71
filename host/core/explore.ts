/**
 * Exhaustive search (the `dfs` strategy): every schedule within a preemption bound (Musuvathi &
 * Qadeer's context bounding; -1 for none), run inside wasm (assembly/sim/explore.ts): depth-first,
 * backtracking by restoring a snapshot of the state block, skipping states seen before through a
 * canonical 64-bit state hash, with symmetry reduction over threads that run identical ops and,
 * without a preemption bound, partial-order reduction (assembly/sim/footprint.ts).
 * The continue-the-last-task branch is tried first, so low-preemption counterexamples come out
 * first. exploreBounded runs iterative context bounding over that (as CHESS does): bound 0, then
 * 1, ... up to the bound asked for, so the first counterexample reported is one with the fewest
 * preemptions, and the result says which bounds were covered completely.
 */

import type { Model } from "./wasm";
import { VERDICT_RUNNING } from "./abi";
import { VisitedTable } from "./visited";

export interface ExploreOptions {
  /** preemption bound; -1: unbounded */
  preemptions: number;
  /** stop after this many distinct states (the space was not exhausted then) */
  maxStates: number;
  /** hash states up to a permutation of threads with identical op lists (default on) */
  symmetry?: boolean;
  /** partial-order reduction (ample sets of one), unbounded search only (default on) */
  por?: boolean;
  /** keep the visited-state table in the host, in a table of this many bytes, instead of in
   *  linear memory (for searches beyond about 250 M states) */
  hostTableBytes?: number;
  /** called between slices of the search (every `slice` transitions) with the counts so far */
  onProgress?: (p: ExploreProgress) => void;
  /** transitions per slice (default 2^20, about a second) */
  slice?: number;
  /** stop (not exhaustive, stoppedBy "time") once performance.now() passes this, checked between
   *  slices */
  deadline?: number;
}

/** What stopped a search before it covered its space. */
export type StoppedBy = "states" | "time" | "table";

export interface ExploreProgress {
  states: number;
  transitions: number;
  revisits: number;
  maxDepth: number;
}

export interface ExploreResult {
  /** verdict code of the failing schedule, or 0 (ok) */
  verdict: number;
  choices?: Uint8Array;
  /** distinct states stored */
  states: number;
  transitions: number;
  /** complete schedules reached (runs that ended) */
  schedules: number;
  /** transitions that reached a state already explored */
  revisits: number;
  exhaustive: boolean;
  maxDepth: number;
  symmetry: boolean;
  /** states where partial-order reduction explored one task instead of all */
  ampleCuts: number;
  /** the search stopped because the visited-state table is full (not exhaustive) */
  tableFull: boolean;
  /** upper bound on the chance that a hash collision pruned a state: n^2 / 2^65 (n^2 / 2^57
   *  with a preemption bound, where a slot keeps 56 bits of the key and the preemption count) */
  collisionBound: number;
  /** set when the search stopped before covering its space (exhaustive false, no failure) */
  stoppedBy?: StoppedBy;
}

export interface BoundedResult extends ExploreResult {
  /** the highest bound b such that every bound 0..b was covered completely; -1: none (with no
   *  preemption bound: the whole space if exhaustive, else -1) */
  boundsComplete: number;
  /** the bound searched last (where the failure was found, or where the search stopped) */
  lastBound: number;
  /** transitions and states summed over all the iterations */
  totalTransitions: number;
  totalStates: number;
}

export function explore(model: Model, opts: ExploreOptions): ExploreResult {
  const x = model;
  if (opts.hostTableBytes) {
    if (model.visited instanceof VisitedTable && model.visited.bytes === opts.hostTableBytes) model.visited.clear();
    else model.visited = new VisitedTable(opts.hostTableBytes);
  }
  x.dfsHostTable(opts.hostTableBytes ? 1 : 0);
  x.dfsStart(opts.preemptions, BigInt(opts.maxStates), opts.symmetry === false ? 0 : 1, opts.por === false ? 0 : 1);
  const sliced = opts.onProgress || opts.deadline !== undefined;
  const slice = BigInt(sliced ? opts.slice ?? 1 << 20 : Number.MAX_SAFE_INTEGER);
  let verdict: number;
  let outOfTime = false;
  while ((verdict = x.dfsRun(slice)) === VERDICT_RUNNING) {
    if (opts.deadline !== undefined && performance.now() >= opts.deadline) { outOfTime = true; verdict = 0; break; }
    opts.onProgress?.({
      states: Number(x.dfsStates()), transitions: Number(x.dfsTransitions()),
      revisits: Number(x.dfsRevisits()), maxDepth: x.dfsMaxDepth(),
    });
  }
  const states = Number(x.dfsStates());
  const n = x.dfsPathLen();
  const result: ExploreResult = {
    verdict,
    states,
    transitions: Number(x.dfsTransitions()),
    schedules: Number(x.dfsSchedules()),
    revisits: Number(x.dfsRevisits()),
    exhaustive: x.dfsExhausted() !== 0,
    maxDepth: x.dfsMaxDepth(),
    symmetry: x.dfsSymmetric() !== 0,
    ampleCuts: Number(x.dfsAmpleCuts()),
    tableFull: x.dfsTableFull() !== 0,
    collisionBound: (states * states) / 2 ** (opts.preemptions < 0 ? 65 : 57),
  };
  if (verdict === 0 && !result.exhaustive) result.stoppedBy = outOfTime ? "time" : result.tableFull ? "table" : "states";
  if (outOfTime) result.exhaustive = false;
  if (verdict !== 0) result.choices = new Uint8Array(x.memory.buffer, x.dfsPathPtr(), n).slice();
  return result;
}

/** Iterative context bounding: with a bound K >= 0, search bound 0, then 1, ... K, each from
 *  scratch (a state's preemption count is part of what the table keeps), stopping at the first
 *  failure, which therefore has the fewest preemptions any counterexample has. `maxStates` caps
 *  the states stored over all the iterations together; `deadline` the time. Without a bound: one
 *  search (explore). */
export function exploreBounded(model: Model, opts: ExploreOptions): BoundedResult {
  if (opts.preemptions < 0) {
    const r = explore(model, opts);
    return { ...r, boundsComplete: -1, lastBound: -1, totalTransitions: r.transitions, totalStates: r.states };
  }
  let totalTransitions = 0, totalStates = 0;
  let r: ExploreResult | undefined;
  for (let b = 0; b <= opts.preemptions; b++) {
    r = explore(model, { ...opts, preemptions: b, maxStates: Math.max(1, opts.maxStates - totalStates) });
    totalTransitions += r.transitions;
    totalStates += r.states;
    if (r.choices || !r.exhaustive) return { ...r, boundsComplete: b - 1, lastBound: b, totalTransitions, totalStates };
  }
  if (!r) throw new Error("exploreBounded: no budget");
  return { ...r, boundsComplete: opts.preemptions, lastBound: opts.preemptions, totalTransitions, totalStates };
}
