/**
 * Running and replaying schedules for the page, without the DOM (so Node tests use it too):
 * a schedule (recorded choices) is replayed with the trace on, then once more tick by tick for
 * the model's runnable set after each tick, and turned into everything the page shows.
 */

import { VERDICT_RUNNING } from "../core/abi";
import { replayChecked, reportFromModel, type RunReport } from "../core/run";
import { encodeScenario, type Encoded, type SeedFile, type StrategyName } from "../core/seed";
import { wasmStrategy } from "../core/strategy";
import { Model } from "../core/wasm";
import type { ShrunkSizes } from "../core/report";
import { shrinkReport, type FoundBy } from "../core/shrink";
import { Reconstruction } from "./state";
import { readState, type ModelState } from "../core/state_view";

export interface ShownRun {
  seed: SeedFile;
  enc: Encoded;
  report: RunReport;
  /** the raw trace: EV_WORDS i32 per event, exactly as the model wrote it */
  words: Int32Array;
  /** masks[k]: runnable_mask() after k ticks */
  masks: Int32Array;
  recon: Reconstruction;
  /** trace event indices of the steps to mark: those that formed a deadlock's cycle, or the
   *  failing task's step at the last tick of a violation */
  forming: Set<number>;
  /** the run is a shrunk failure: the sizes before and after (the counterexample's about) */
  shrunk?: ShrunkSizes;
}

/**
 * Replay `choices` on a fresh instance and describe the run. Throws ReplayDivergence when the
 * schedule does not fit the scenario (as `vfsim replay` reports it), ModelTrap on a model bug.
 */
export function replayRun(module: WebAssembly.Module, seed: SeedFile, choices: Uint8Array, base: { strategy: StrategyName; seed: bigint }): ShownRun {
  const enc = encodeScenario(seed);
  const model = new Model(module);
  model.load(enc.words);
  const { code, events } = replayChecked(model, enc, choices);
  const report = reportFromModel(model, enc, choices, base, events, code);
  const { masks, states } = replaySteps(model, choices);
  const recon = new Reconstruction(events, report.trace ?? [], enc, seed, choices, masks, states);
  const forming = report.cycle ? recon.formingSteps(report.cycle) : new Set<number>();
  if (report.verdict === "violation" && report.failTask !== undefined) {
    const task = enc.threads.indexOf(report.failTask);
    report.trace?.forEach((e, i) => e.tick === choices.length && e.task === task && forming.add(i));
  }
  return { seed, enc, report, words: events, masks, recon, forming };
}

/**
 * A failure found by a sweep or a dfs, shrunk as `vfsim run` shrinks it (fewest preemptions, then
 * ticks, then threads and ops: shrink.ts) and replayed for the page. The run shown is the shrunk
 * one, in the (possibly smaller) shrunk scenario; `how` says how the failure was found (the
 * counterexample's about names it), as in a RunReport.
 */
export function shrunkRun(module: WebAssembly.Module, seed: SeedFile, choices: Uint8Array, how: FoundBy): ShownRun {
  // what shrinkReport needs of the run: its choices and how it was found (the verdict it reports
  // is the replay's)
  const found: RunReport = { ...how, verdict: "deadlock", schedules: how.schedules ?? 1, exhaustive: false, choices };
  const r = shrinkReport(module, seed, found);
  const run = replayRun(module, r.scenario, r.report.choices!, { strategy: how.strategy, seed: how.seed });
  run.report.schedules = found.schedules;
  if (how.preemptions !== undefined) run.report.preemptions = how.preemptions;
  return { ...run, shrunk: { before: r.before, after: r.after } };
}

/** The runnable set and the model's tables before the first tick and after each tick. */
export function replaySteps(model: Model, choices: Uint8Array): { masks: Int32Array; states: ModelState[] } {
  const x = model;
  const masks = new Int32Array(choices.length + 1);
  x.setTrace(0);
  x.begin();
  masks[0] = x.runnableMask();
  const states = [readState(model)];
  for (let i = 0; i < choices.length; i++) {
    const v = x.tick(choices[i]);
    masks[i + 1] = x.runnableMask();
    states.push(readState(model));
    if (v !== VERDICT_RUNNING) break; // the last choice: replayRun checked the schedule fits
  }
  return { masks, states };
}

/**
 * Schedule number `index` of a random or PCT sweep with this seed, alone: the same schedule the
 * sweep (in any number of workers) and `vfsim run` run at that index. Returns its choices and
 * whether it failed.
 */
export function runOneSchedule(module: WebAssembly.Module, seed: SeedFile, strategy: "random" | "pct", runSeed: bigint, index: number, depth: number): { choices: Uint8Array; failed: boolean } {
  const model = new Model(module);
  model.load(encodeScenario(seed).words);
  const { hit } = wasmStrategy(strategy, runSeed, depth).runBatch(model, index, 1);
  return { choices: model.choices(), failed: hit >= 0 };
}

/** The raw trace as little-endian bytes (what the determinism test compares across hosts). */
export function traceBytes(words: Int32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setInt32(i * 4, w, true));
  return out;
}
