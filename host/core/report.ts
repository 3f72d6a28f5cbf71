/**
 * What a run leaves behind: the counterexample seed file (the scenario plus its recorded
 * schedule and the verdict it must replay to), the JSON object of `vfsim run --json`, and the
 * human summary.
 */

import type { LockdepEdge, RunReport } from "./run";
import { WAIT_LOCK_CLASS } from "./abi";
import { atomicOpenOf, serializeSeedFile, type Encoded, type SeedFile } from "./seed";
import { describeCycle, killableSummary, renderTrace, type CycleEdge } from "./trace";

/** The size of a failing run: its schedule, and its scenario (what shrink.ts makes smaller). */
export interface ShrinkSize {
  ticks: number;
  preemptions: number;
  threads: number;
  ops: number;
}

/** What the shrinker did to a failure, for a counterexample's `about`. */
export interface ShrunkSizes {
  before: ShrinkSize;
  after: ShrinkSize;
  /** how, when not by the shrinker itself, e.g. "by hand (...)" */
  by?: string;
}

/**
 * The scenario as run, with the failing schedule recorded and the verdict it reproduces, under a
 * name and an `about` of its own: what failed, in which variant, how it was found and what it was
 * shrunk from (the original's claim is not repeated: it need not hold of the counterexample).
 * `from` keeps the original seed file's name (the first one's, when a counterexample is shrunk or
 * run again). The replay of a counterexample's own recorded schedule gives the file back as it was.
 */
export function counterexample(s: SeedFile, r: RunReport, shrunk?: ShrunkSizes): SeedFile {
  const c = structuredClone(s);
  c.variants = {};
  c.expect = [{ verdict: r.verdict, ...(r.invariant ? { invariant: r.invariant } : {}), ...(r.cycle ? { cycle: r.cycle.map((e) => e.task) } : {}) }];
  c.schedule = r.schedule;
  if (r.replayed && s.from !== undefined && !shrunk) return c;
  const from = s.from ?? s.name;
  c.from = from;
  c.name = counterexampleLabel(from, r);
  c.about = counterexampleAbout(c, r, shrunk);
  return c;
}

/** The failure in a word: the violated check, or the verdict. */
function failureWord(r: RunReport): string {
  return r.invariant ?? r.verdict;
}

/** A counterexample's `name`: `<from>.<check or verdict>`, within the 128 characters of a name. */
function counterexampleLabel(from: string, r: RunReport): string {
  const what = `.${failureWord(r)}`;
  return `${[...from].slice(0, 128 - what.length).join("")}${what}`;
}

/** What failed, in words: the verdict, the check and the task, the waits-for cycle. */
export function failureText(r: RunReport): string {
  if (r.invariant) return `violation of ${r.invariant}${r.failTask ? ` by ${r.failTask}` : ""}`;
  if (r.cycle?.length) return `${r.verdict}, waits-for cycle ${r.cycle.map((e) => e.task).join(" -> ")} (${r.cycle.map((e) => `${e.task} ${e.wait}`).join(", ")})`;
  return r.verdict;
}

/** How the failing schedule was found, from the run's report. */
function foundText(r: RunReport): string {
  if (r.replayed) return "replaying a recorded schedule";
  if (r.strategy === "dfs") return r.preemptions === undefined ? "dfs" : r.preemptions < 0 ? "dfs over the whole state space" : `dfs within ${plural(r.preemptions, "preemption")}`;
  return `${r.strategy} schedule #${r.schedules - 1}, seed ${r.seed}`;
}

export function sizeText(s: ShrinkSize): string {
  return `${plural(s.ticks, "tick")}, ${plural(s.preemptions, "preemption")}, ${plural(s.threads, "thread")}, ${plural(s.ops, "op")}`;
}

function counterexampleAbout(c: SeedFile, r: RunReport, shrunk?: ShrunkSizes): string {
  const planted = c.plant.length ? `, planted bugs ${c.plant.join(", ")}` : "";
  const how = shrunk ? `shrunk${shrunk.by ? ` ${shrunk.by}` : ""} from ${sizeText(shrunk.before)} to ${sizeText(shrunk.after)}` : `not shrunk (${plural(r.ticks ?? 0, "tick")})`;
  return `Counterexample from ${c.from}: ${failureText(r)}, in the variant ${variantLine(c)}${planted}. Found by ${foundText(r)}; ${how}. \`vfsim replay\` reruns its recorded schedule.`;
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

/** `<from>.<check or verdict>.<hash>.json`. The hash is of the counterexample without its
 *  `about`, so one shrunk failure reached from different schedules is one file. */
export function counterexampleName(s: SeedFile, r: RunReport): string {
  const c = counterexample(s, r);
  const base = (c.from ?? c.name).replace(/[^A-Za-z0-9._-]+/g, "_");
  return `${base}.${failureWord(r)}.${shortHash(serializeSeedFile({ ...c, about: "" }))}.json`;
}

export function variantLine(s: SeedFile): string {
  return `order=${s.kernel.order} rwsem=${s.kernel.rwsem} waitqueue=${s.kernel.waitqueue} fs=${s.fs.type} prime=${s.fs.prime} lookupLocks=${s.fs.lookupLocks}` +
    (s.fs.type === "nfs" ? ` atomicOpen=${atomicOpenOf(s)}${s.fs.nfsPrepared ? " nfsPrepared=true" : ""}` : "") +
    (s.fs.needReval ? " needReval=true" : "") +
    (s.fs.iterate !== "shared" ? ` iterate=${s.fs.iterate}` : "") +
    (s.kernel.series !== "aug-2025" ? ` series=${s.kernel.series}` : "");
}

/** "1 schedule", "2 schedules". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "dfs", or with --workers "dfs, 2 workers". */
function dfsName(r: RunReport): string {
  return r.workers === undefined ? "dfs" : `dfs, ${plural(r.workers, "worker")}`;
}

/** Bounds 0..b as words: "bound 0", "bounds 0-2". */
function boundsText(b: number): string {
  return b === 0 ? "bound 0" : `bounds 0-${b}`;
}

/** How to go on with a search that stopped before covering its space. */
export function furtherText(r: RunReport): string {
  const by = r.stoppedBy;
  if (r.strategy !== "dfs") {
    return by === "time"
      ? "raise --time, or run --strategy dfs to search every schedule"
      : "raise --schedules (run.schedules), or run --strategy dfs to search every schedule";
  }
  if (by === "time") return "raise --time";
  if (by === "table") return "raise --table-gib (a bigger visited table kept by the host), or lower --preemptions";
  return "raise --schedules (run.schedules: the dfs state budget), or leave it out for no cap short of the visited table";
}

/** What a dfs search covered, in words: states, transitions, end states, the bounds done. */
export function coveredText(r: RunReport): string {
  const parts = [plural(r.states ?? 0, "state"), plural(r.transitions ?? 0, "transition"), plural(r.endStates ?? r.schedules, "end state")];
  let bounds = "";
  if (r.preemptions !== undefined && r.preemptions >= 0 && r.boundsComplete !== undefined) {
    bounds = r.boundsComplete >= 0 ? `; ${boundsText(r.boundsComplete)} covered completely` : "; no preemption bound covered completely";
    if (r.lastBound !== undefined && r.lastBound > r.boundsComplete) bounds += `, bound ${r.lastBound} ${r.verdict === "inconclusive" ? "not finished" : "searched until the failure"}`;
  }
  return `${parts.join(", ")}${bounds}`;
}

export function reportJson(r: RunReport, file?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { verdict: r.verdict };
  // dfs counts states and end states; random and PCT count schedules
  if (r.strategy === "dfs" && !r.replayed) out.endStates = r.endStates ?? r.schedules;
  else if (!r.replayed) out.schedules = r.schedules;
  out.exhaustive = r.exhaustive;
  if (r.replayed) out.replayed = true;
  if (r.invariant) out.invariant = r.invariant;
  if (r.transitions !== undefined) out.transitions = r.transitions;
  if (r.states !== undefined) out.states = r.states;
  if (r.preemptions !== undefined) out.preemptions = r.preemptions;
  if (r.boundsComplete !== undefined) out.boundsComplete = r.boundsComplete;
  if (r.lastBound !== undefined) out.lastBound = r.lastBound;
  if (r.stopped) out.stopped = r.stopped;
  if (r.stoppedBy) out.stoppedBy = r.stoppedBy;
  if (r.workers !== undefined) out.workers = r.workers;
  if (r.parallel) out.parallel = r.parallel;
  if (r.verdict === "inconclusive") out.further = furtherText(r);
  if (r.verdict !== "ok" && r.verdict !== "inconclusive") {
    if (r.cycle) out.cycle = r.cycle.map((e) => e.task);
    if (r.cycle) out.edges = r.cycle.map((e) => e.wait);
    if (r.cycle) out.lockdepClasses = r.cycle.map((e) => WAIT_LOCK_CLASS[e.wait] ?? null);
    if (r.cycle) out.killable = r.cycle.map((e) => e.killable);
    if (r.cycle) out.signalPending = r.cycle.map((e) => e.signalPending);
    if (r.cycle) out.killableSummary = killableSummary(r.cycle);
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
  const bounded = r.preemptions !== undefined && r.preemptions >= 0;
  const space = bounded ? `every schedule within ${plural(r.preemptions!, "preemption")}` : "the whole state space";
  let how: string;
  if (r.replayed) how = "replay of the recorded schedule";
  else if (r.strategy === "dfs") how = r.verdict === "ok" ? `${dfsName(r)}, ${space} exhausted: ${coveredText(r)}` : `${dfsName(r)}: ${coveredText(r)}`;
  else how = `${r.strategy}, ${plural(r.schedules, "schedule")}, seed ${r.seed}`;
  if (r.verdict === "ok") {
    lines.push(`verdict: ok (${how})`);
    return lines.join("\n");
  }
  if (r.verdict === "inconclusive") {
    if (r.strategy === "dfs") {
      lines.push(`verdict: inconclusive (${dfsName(r)}, not exhaustive: stopped because ${r.stopped}; no failure found)`);
      lines.push(`  covered: ${coveredText(r)}`);
    } else {
      lines.push(`verdict: inconclusive (no failure in ${plural(r.schedules, "schedule")} (${r.strategy}, not exhaustive), seed ${r.seed}${r.stoppedBy === "time" ? `; stopped because ${r.stopped}` : ""})`);
    }
    lines.push(`  to go further: ${furtherText(r)}`);
    return lines.join("\n");
  }
  const what = r.invariant ? `violation of ${r.invariant}${r.failTask ? ` by ${r.failTask}` : ""}` : r.verdict;
  lines.push(`verdict: ${what} (${how}; failing schedule: ${r.ticks} ticks)`);
  const re = r.parallel?.rederived;
  if (re) {
    lines.push(re.canonical
      ? `  the counterexample is the one the one-worker search reports (re-derived in ${re.seconds.toFixed(2)} s, ${plural(re.states, "state")}; the parallel search met a failure of ${plural(r.parallel!.found!.ticks, "tick")})`
      : `  the counterexample is the one the parallel search met: the one-worker search that re-derives it was stopped first (${plural(re.states, "state")})`);
  }
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
    lines.push(lockdepHeading(r.lockdep));
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

/** What lockdep reported: a circular dependency, or (check_deadlock) recursive locking. */
export function lockdepHeading(chain: LockdepEdge[]): string {
  return chain.some((e) => e.recursive)
    ? "lockdep: possible recursive locking detected (this schedule need not deadlock):"
    : "lockdep: circular dependency between lock classes (this schedule need not deadlock):";
}

/** The dependencies of a lockdep cycle, in order; the last closed it. A recursive-locking report
 *  is one entry: the class taken again while held. */
export function describeLockdep(chain: LockdepEdge[]): string {
  return chain.map((e, i) => {
    if (e.recursive) {
      const verb = e.wait ? "waited on" : "took";
      return `  ${e.task} ${verb} ${e.acquired}${e.read ? " (read)" : ""} in ${e.fn} at tick ${e.tick} while already holding ${e.held} (taken in ${e.heldFn}); no subclass (inode_lock_nested, d_wait_lookup) tells lockdep this nesting is intended`;
    }
    const how = i === chain.length - 1 ? "closes the cycle:" : "existing dependency:";
    const verb = e.wait ? "waited on" : "took";
    return `  ${how} ${e.held} -> ${e.acquired}: ${e.task} ${verb} ${e.acquired}${e.read ? " (read)" : ""} in ${e.fn} at tick ${e.tick}, holding ${e.held} (taken in ${e.heldFn})`;
  }).join("\n");
}
