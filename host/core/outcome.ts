/**
 * The outcome of one run, read from the model's result buffer in one place: what ended it (the
 * verdict), which check broke, the waits-for cycle, lockdep's chain, and the key that says two
 * failures are the same. Every caller that reads a result (runs, replays, the sweep worker, the
 * fuzzer, the shrinker) goes through `readOutcome`; none indexes the result buffer itself.
 *
 * A verdict code the host does not know is a model fault (ModelTrap), never a verdict: the two
 * sides disagree about the ABI, and no run result can be trusted.
 */

import { CHECKS, R, VERDICTS, VERDICT_RUNNING, WAITS, type CheckId, type Verdict } from "./abi";
import { ModelTrap, type Model } from "./wasm";

/** One edge of a deadlock's waits-for cycle: task index, and what it waits on (abi WAITS). */
export interface OutcomeEdge {
  task: number;
  wait: string;
  /** the task sleeps TASK_KILLABLE (a SIGKILL ends the wait) */
  killable: boolean;
  /** SIGKILL is pending on the task */
  signalPending: boolean;
}

/** One dependency of a lockdep violation's chain, as the model records it (indices, not names). */
export interface OutcomeLockdepEdge {
  held: number;
  acquired: number;
  task: number;
  tick: number;
  fn: number;
  heldFn: number;
  read: boolean;
  wait: boolean;
  /** check_deadlock's "possible recursive locking": a one-entry chain (abi.ts R_LOCKDEP flag 4) */
  recursive: boolean;
}

export interface Outcome {
  verdict: Verdict;
  /** violation: the check that broke */
  invariant?: CheckId;
  /** ticks run */
  ticks: number;
  /** the task that broke an invariant or closed a cycle; -1: none */
  failTask: number;
  /** deadlock: the waits-for cycle */
  cycle?: OutcomeEdge[];
  /** lockdep violation: the dependencies of the cycle */
  lockdep?: OutcomeLockdepEdge[];
}

/** The verdict of a finished run's code. RUNNING is not a verdict: the caller decides what a run
 *  that has not finished means (a replay that ended early, a host budget). An unknown code is a
 *  model fault. */
export function verdictOf(code: number): Verdict {
  const v = VERDICTS[code];
  if (code === VERDICT_RUNNING || v === undefined) {
    throw new ModelTrap(`the model returned verdict code ${code}, which is not a verdict of a finished run (host/core/abi.ts VERDICTS: ${VERDICTS.map((x, i) => `${i} ${x}`).join(", ")})`);
  }
  return v;
}

/** The outcome of the run the model just finished, whose verdict code is `code` (the value the
 *  call that ended it returned, or `model.verdict()`). */
export function readOutcome(model: Model, code: number): Outcome {
  const verdict = verdictOf(code);
  const res = model.result();
  const o: Outcome = { verdict, ticks: res[R.TICKS], failTask: res[R.FAIL_TASK] };
  if (verdict === "violation") {
    const check = CHECKS[res[R.CHECK]];
    if (check === undefined) throw new ModelTrap(`the model reported a violation of check ${res[R.CHECK]}, which the host does not know (host/core/abi.ts CHECKS)`);
    o.invariant = check;
  }
  if (verdict === "deadlock") {
    const cycle: OutcomeEdge[] = [];
    const flags = res[R.CYCLE_FLAGS];   // bit i: killable sleep; bit 16 + i: SIGKILL pending
    for (let i = 0; i < res[R.CYCLE_LEN]; i++) {
      cycle.push({ task: res[R.CYCLE + 2 * i], wait: WAITS[res[R.CYCLE + 2 * i + 1]], killable: (flags & (1 << i)) !== 0, signalPending: (flags & (1 << (16 + i))) !== 0 });
    }
    o.cycle = cycle;
  }
  if (o.invariant === "lockdep") {
    const chain: OutcomeLockdepEdge[] = [];
    for (let i = 0; i < res[R.LOCKDEP_LEN]; i++) {
      const w = (k: number) => res[R.LOCKDEP + R.LOCKDEP_EDGE_WORDS * i + k];
      chain.push({ held: w(0), acquired: w(1), task: w(2), tick: w(3), fn: w(4), heldFn: w(5), read: (w(6) & 1) !== 0, wait: (w(6) & 2) !== 0, recursive: (w(6) & 4) !== 0 });
    }
    o.lockdep = chain;
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Which failures are the same

/** What a failure is, for deciding whether two are the same: verdict, check, and for a deadlock
 *  the kinds of its cycle's edges, sorted (a multiset). */
export interface FailureShape {
  verdict: Verdict | "model-trap" | "inconclusive";
  invariant?: string;
  edges?: string[];
}

/** The sorted edge kinds of a deadlock's cycle (the cycle's shape, whoever is in it). */
export function edgesOf(cycle: readonly { wait: string }[] | undefined): string[] | undefined {
  return cycle?.map((e) => e.wait).sort();
}

/** The shape of an outcome or of a report (anything with a verdict, a check and a cycle). */
export function shapeOf(o: { verdict: FailureShape["verdict"]; invariant?: string; cycle?: readonly { wait: string }[] }): FailureShape {
  return { verdict: o.verdict, ...(o.invariant !== undefined ? { invariant: o.invariant } : {}), ...(o.cycle ? { edges: edgesOf(o.cycle) } : {}) };
}

/** The deduplication key: verdict, check, and for a deadlock the multiset of edge kinds. */
export function failureKey(o: FailureShape): string {
  if (o.verdict === "violation") return `violation ${o.invariant}`;
  if (o.verdict === "deadlock") return `deadlock [${(o.edges ?? []).join(", ")}]`;
  return o.verdict;
}

/** The key of an outcome or a report. */
export function keyOf(o: { verdict: FailureShape["verdict"]; invariant?: string; cycle?: readonly { wait: string }[] }): string {
  return failureKey(shapeOf(o));
}

/** The key of what `vfsim shrink` keeps: the verdict and, for a violation, the check (a
 *  deadlock may change its cycle). */
export function verdictKey(o: { verdict: FailureShape["verdict"]; invariant?: string }): string {
  return o.verdict === "violation" ? `violation ${o.invariant}` : o.verdict;
}

/** "The same failure", as a predicate over outcomes. */
export type SameFailure = (o: Outcome) => boolean;

/** Outcomes whose key (keyOf: verdict, check and the cycle's edge kinds) is `key`. */
export function sameKey(key: string): SameFailure {
  return (o) => keyOf(o) === key;
}
