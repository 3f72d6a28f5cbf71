/**
 * What a run leaves behind: the counterexample seed file (the scenario plus its recorded
 * schedule and the verdict it must replay to), the JSON object of `vfsim run --json`, and the
 * human summary.
 */

import type { LockdepEdge, RunReport } from "./run";
import { WAIT_LOCK_CLASS } from "./abi";
import type { CycleEdge } from "./trace";
import { atomicOpenOf, serializeSeedFile, type SeedFile } from "./scenario";
import { describeCycle, renderTrace } from "./trace";
import type { Encoded } from "./scenario";

/** The scenario as run, with the failing schedule recorded and the verdict it reproduces. */
export function counterexample(s: SeedFile, r: RunReport): SeedFile {
  const c = structuredClone(s);
  c.variants = {};
  c.expect = [{ verdict: r.verdict, ...(r.invariant ? { invariant: r.invariant } : {}), ...(r.cycle ? { cycle: r.cycle.map((e) => e.task) } : {}) }];
  c.schedule = r.schedule;
  c.about = s.about ? s.about : `counterexample found by vfsim run (${r.strategy}, seed ${r.seed})`;
  return c;
}

/** FNV-1a over the text: a short, stable name for a counterexample file. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

export function counterexampleName(s: SeedFile, r: RunReport): string {
  const base = (s.name || "scenario").replace(/[^A-Za-z0-9._-]+/g, "_");
  const what = r.invariant ?? r.verdict;
  return `${base}.${what}.${shortHash(serializeSeedFile(counterexample(s, r)))}.json`;
}

export function variantLine(s: SeedFile): string {
  return `order=${s.kernel.order} rwsem=${s.kernel.rwsem} waitqueue=${s.kernel.waitqueue} fs=${s.fs.type} prime=${s.fs.prime} lookupLocks=${s.fs.lookupLocks}` +
    (s.fs.type === "nfs" ? ` atomicOpen=${atomicOpenOf(s)}${s.fs.nfsPrepared ? " nfsPrepared=true" : ""}` : "") +
    (s.fs.needReval ? " needReval=true" : "") +
    (s.kernel.series !== "aug-2025" ? ` series=${s.kernel.series}` : "");
}

export function reportJson(r: RunReport, file?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    verdict: r.verdict,
    schedules: r.schedules,
    exhaustive: r.exhaustive,
  };
  if (r.invariant) out.invariant = r.invariant;
  if (r.transitions !== undefined) out.transitions = r.transitions;
  if (r.states !== undefined) out.states = r.states;
  if (r.preemptions !== undefined) out.preemptions = r.preemptions;
  if (r.stopped) out.stopped = r.stopped;
  if (r.verdict !== "ok") {
    if (r.cycle) out.cycle = r.cycle.map((e) => e.task);
    if (r.cycle) out.edges = r.cycle.map((e) => e.wait);
    if (r.cycle) out.lockdepClasses = r.cycle.map((e) => WAIT_LOCK_CLASS[e.wait] ?? null);
    if (r.lockdep) out.lockdep = r.lockdep;
    if (r.failTask) out.task = r.failTask;
    out.ticks = r.ticks;
    out.schedule = r.schedule;
    out.trace = r.trace?.map((e) => ({ tick: e.tick, task: e.task, fn: e.fn, state: e.state, object: e.object, result: e.result, note: e.note, text: e.text }));
    if (file) out.file = file;
  }
  return out;
}

export function reportText(r: RunReport, enc: Encoded, file?: string): string {
  const lines: string[] = [];
  const states = r.states !== undefined ? `, ${r.states} states` : "";
  const space = r.preemptions !== undefined && r.preemptions < 0 ? "the whole state space" : `the space within ${r.preemptions} preemptions`;
  const how = r.strategy === "dfs" ? `dfs, ${r.schedules} schedules${states}${r.exhaustive ? `, ${space} exhausted` : ""}` : `${r.strategy}, ${r.schedules} schedules, seed ${r.seed}`;
  if (r.verdict === "ok") {
    lines.push(`verdict: ok (${how})${r.stopped ? `; not exhaustive: ${r.stopped}` : ""}`);
    return lines.join("\n");
  }
  const what = r.invariant ? `violation of ${r.invariant}${r.failTask ? ` by ${r.failTask}` : ""}` : r.verdict;
  lines.push(`verdict: ${what} (${how}; failing schedule: ${r.ticks} ticks)`);
  lines.push("");
  if (r.trace) lines.push(renderTrace(r.trace, enc));
  if (r.traceLost) lines.push(`(${r.traceLost} trace events did not fit the buffer)`);
  if (r.cycle && r.cycle.length) {
    lines.push("");
    lines.push("waits-for cycle:");
    lines.push(describeCycle(r.cycle));
    lines.push("");
    lines.push("what lockdep sees of each wait:");
    lines.push(describeLockdepView(r.cycle));
  }
  if (r.lockdep && r.lockdep.length) {
    lines.push("");
    lines.push("lockdep: circular dependency between lock classes (this schedule need not deadlock):");
    lines.push(describeLockdep(r.lockdep));
  }
  if (file) {
    lines.push("");
    lines.push(`counterexample: ${file}`);
    lines.push(`replay:         vfsim replay ${file}`);
  }
  return lines.join("\n");
}

/** Per edge of a waits-for cycle: the lock class lockdep tracks that wait under, or that it has
 *  none (a deadlock through such a wait is invisible to lockdep). */
export function describeLockdepView(cycle: CycleEdge[]): string {
  return cycle.map((c) => {
    const cls = WAIT_LOCK_CLASS[c.wait];
    return cls ? `  ${c.task}: ${c.wait}: lock class ${cls}` : `  ${c.task}: ${c.wait}: no lock class: lockdep cannot see this wait`;
  }).join("\n");
}

/** The dependencies of a lockdep cycle, in order; the last closed it. */
export function describeLockdep(chain: LockdepEdge[]): string {
  return chain.map((e, i) => {
    const how = i === chain.length - 1 ? "closes the cycle:" : "existing dependency:";
    const verb = e.wait ? "waited on" : "took";
    return `  ${how} ${e.held} -> ${e.acquired}: ${e.task} ${verb} ${e.acquired}${e.read ? " (read)" : ""} in ${e.fn} at tick ${e.tick}, holding ${e.held} (taken in ${e.heldFn})`;
  }).join("\n");
}
