/**
 * Exhaustive search within a preemption bound (Musuvathi & Qadeer's context bounding): every
 * schedule in which at most K ticks switch away from a task that could have gone on. Depth-first;
 * backtracking restores a snapshot of the model's state instead of replaying from the start.
 * The first failing schedule met is returned; the continue-the-last-task branch is tried first,
 * so short, low-preemption counterexamples come out first.
 */

import { VERDICT_RUNNING } from "./abi";
import type { Model } from "./wasm";

export interface ExploreOptions {
  preemptions: number;
  /** stop after this many complete schedules (the space was not exhausted then) */
  maxSchedules: number;
}

export interface ExploreResult {
  /** verdict code of the failing schedule, or 0 (ok) */
  verdict: number;
  choices?: number[];
  schedules: number;
  transitions: number;
  exhaustive: boolean;
}

export function explore(model: Model, nTasks: number, opts: ExploreOptions): ExploreResult {
  const x = model.x;
  const path: number[] = [];
  let schedules = 0, transitions = 0, failed = 0, stopped = false;
  let failing: number[] | undefined;

  const visit = (depth: number, last: number, used: number): void => {
    const mask = x.runnable_mask();
    const lastCanRun = last >= 0 && (mask & (1 << last)) !== 0;
    const options: number[] = [];
    if (lastCanRun) options.push(last);
    if (!lastCanRun || used < opts.preemptions) {
      for (let t = 0; t < nTasks; t++) if ((mask & (1 << t)) !== 0 && t !== last) options.push(t);
    }
    if (options.length > 1 && x.snapshot_save(depth) !== 0) throw new Error("exploration deeper than the snapshot stack");
    for (let i = 0; i < options.length && !stopped; i++) {
      const t = options[i];
      if (i > 0) x.snapshot_load(depth);
      path[depth] = t;
      const v = x.tick_unrecorded(t);
      transitions++;
      if (v !== VERDICT_RUNNING) {
        schedules++;
        if (v !== 0) { failed = v; failing = path.slice(0, depth + 1); stopped = true; return; }
        if (schedules >= opts.maxSchedules) { stopped = true; return; }
        continue;
      }
      visit(depth + 1, t, used + (lastCanRun && t !== last ? 1 : 0));
    }
  };

  x.begin();
  visit(0, -1, 0);
  return { verdict: failed, choices: failing, schedules, transitions, exhaustive: !stopped };
}
