/**
 * The host's bounded search: every schedule of the loaded scenario within a preemption bound
 * (context bounding), depth-first, continuing the last task first, backtracking by restoring
 * snapshots, with no state hashing (it needs no search tables, so it runs on any instance). The
 * fuzzer uses it to collect the outcomes reachable within the bound, the shrinker to find one
 * schedule that fails the same way. The exhaustive search with state caching, symmetry and
 * partial-order reduction is explore.ts's, in wasm; this one stays small and exact.
 *
 * Iterative (an explicit stack, one frame per tick), bounded by counts (schedules, ticks), never
 * by time. A search deeper than the model's snapshot slots stops and says so: that is the host's
 * limit, not a model fault.
 */

import { VERDICT_RUNNING } from "./abi";
import type { Model } from "./wasm";

export interface BoundedOptions {
  /** threads in the scenario */
  tasks: number;
  /** context switches away from a task that could still run */
  preemptions: number;
  /** stop once this many schedules have ended (default: no cap) */
  maxSchedules?: number;
  /** stop before the tick that would exceed this many (default: no cap) */
  maxTicks?: number;
  /** a schedule ended in a failure (`code`: its verdict code; the model holds its result and
   *  `choices()` returns its schedule); return true to stop the search */
  onFailure(code: number, choices: () => Uint8Array): boolean;
}

export interface BoundedResult {
  /** schedules that ended */
  schedules: number;
  ticks: number;
  /** every schedule within the bound ended (nothing stopped the search) */
  exhaustive: boolean;
  /** the host's limit that cut the search, if one did */
  limit?: string;
}

interface Frame {
  options: number[];
  next: number;
  last: number;
  used: number;
  lastCanRun: boolean;
}

/** The tasks to try at this point: the last one first if it can run, then (if it cannot, or a
 *  preemption is left) the others in index order. */
function frame(model: Model, tasks: number, preemptions: number, last: number, used: number): Frame {
  const mask = model.runnableMask();
  const lastCanRun = last >= 0 && (mask & (1 << last)) !== 0;
  const options: number[] = lastCanRun ? [last] : [];
  if (!lastCanRun || used < preemptions) {
    for (let t = 0; t < tasks; t++) if ((mask & (1 << t)) !== 0 && t !== last) options.push(t);
  }
  return { options, next: 0, last, used, lastCanRun };
}

/** Runs the bounded search from the scenario's initial state (`begin`). */
export function searchBounded(model: Model, opts: BoundedOptions): BoundedResult {
  const x = model;
  const maxSchedules = opts.maxSchedules ?? Infinity;
  const maxTicks = opts.maxTicks ?? Infinity;
  const path: number[] = [];
  const stack: Frame[] = [];
  let schedules = 0;
  let ticks = 0;
  let stopped = false;
  let limit: string | undefined;

  /** Pushes the frame for depth `stack.length`, saving a snapshot if it will backtrack. */
  const push = (f: Frame): boolean => {
    if (f.options.length > 1 && x.snapshotSave(stack.length) !== 0) {
      limit = `the search is deeper than the model's snapshot slots (${stack.length} ticks)`;
      return false;
    }
    stack.push(f);
    return true;
  };

  x.begin();
  if (maxTicks <= 0 || !push(frame(model, opts.tasks, opts.preemptions, -1, 0))) stopped = true;
  while (!stopped && stack.length > 0) {
    const depth = stack.length - 1;
    const f = stack[depth];
    if (f.next >= f.options.length) {
      stack.pop();
      continue;
    }
    if (ticks >= maxTicks) { stopped = true; break; }
    if (f.next > 0) x.snapshotLoad(depth);
    const t = f.options[f.next++];
    path[depth] = t;
    ticks++;
    const v = x.tickUnrecorded(t);
    if (v === VERDICT_RUNNING) {
      const used = f.used + (f.lastCanRun && t !== f.last ? 1 : 0);
      if (!push(frame(model, opts.tasks, opts.preemptions, t, used))) stopped = true;
      continue;
    }
    schedules++;
    if (v !== 0 && opts.onFailure(v, () => Uint8Array.from(path.slice(0, depth + 1)))) stopped = true;
    if (schedules >= maxSchedules) stopped = true;
  }
  return { schedules, ticks, exhaustive: !stopped, ...(limit ? { limit } : {}) };
}
