/**
 * Exhaustive search (the `dfs` strategy): every schedule within a preemption bound (Musuvathi &
 * Qadeer's context bounding; -1 for none), run inside wasm (assembly/sim/explore.ts): depth-first,
 * backtracking by restoring a snapshot of the state block, skipping states seen before through a
 * canonical 64-bit state hash, with symmetry reduction over threads that run identical ops and,
 * without a preemption bound, partial-order reduction (assembly/sim/footprint.ts).
 * The continue-the-last-task branch is tried first, so low-preemption counterexamples come out
 * first.
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
}

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
}

export function explore(model: Model, opts: ExploreOptions): ExploreResult {
  const x = model.x;
  if (opts.hostTableBytes) {
    if (model.visited?.bytes === opts.hostTableBytes) model.visited.clear();
    else model.visited = new VisitedTable(opts.hostTableBytes);
  }
  x.dfs_host_table(opts.hostTableBytes ? 1 : 0);
  x.dfs_start(opts.preemptions, BigInt(opts.maxStates), opts.symmetry === false ? 0 : 1, opts.por === false ? 0 : 1);
  const slice = BigInt(opts.onProgress ? opts.slice ?? 1 << 20 : Number.MAX_SAFE_INTEGER);
  let verdict: number;
  while ((verdict = x.dfs_run(slice)) === VERDICT_RUNNING) {
    opts.onProgress?.({
      states: Number(x.dfs_states()), transitions: Number(x.dfs_transitions()),
      revisits: Number(x.dfs_revisits()), maxDepth: x.dfs_max_depth(),
    });
  }
  const states = Number(x.dfs_states());
  const n = x.dfs_path_len();
  const result: ExploreResult = {
    verdict,
    states,
    transitions: Number(x.dfs_transitions()),
    schedules: Number(x.dfs_schedules()),
    revisits: Number(x.dfs_revisits()),
    exhaustive: x.dfs_exhausted() !== 0,
    maxDepth: x.dfs_max_depth(),
    symmetry: x.dfs_symmetric() !== 0,
    ampleCuts: Number(x.dfs_ample_cuts()),
    tableFull: x.dfs_table_full() !== 0,
    collisionBound: (states * states) / 2 ** (opts.preemptions < 0 ? 65 : 57),
  };
  if (verdict !== 0) result.choices = new Uint8Array(x.memory.buffer, x.dfs_path_ptr(), n).slice();
  return result;
}
