/** From a failing exec to a finding: deduplicated by key, shrunk, in differential (canary) mode
 *  confirmed by exhaustive search of the other model, and recorded as a counterexample. */

import { type CheckId, type Verdict } from "../abi";
import { edgesOf, keyOf, sameKey, type SameFailure } from "../outcome";
import { counterexample, plural, shortHash } from "../report";
import { failureReport, type RunReport } from "../run";
import { SeedError, childOf, encodeScenario, serializeSeedFile, validateSeedObject, type SeedFile } from "../seed";
import { encodeSchedule } from "../schedule";
import { NothingToShrink, shrink as shrinkSchedule } from "../shrink";
import { ModelTrap } from "../wasm";
import { LIMITS, DFS_MAX_SCHEDULES, MAX_UNCONFIRMED, REPRODUCE_SCHEDULES, type FuzzOptions, type FuzzStats } from "./options";
import { Runner, type FuzzOutcome } from "./runner";
import { canonical, toRaw } from "./corpus";

function opCount(s: SeedFile): number {
  return s.threads.reduce((n, t) => n + t.ops.length, 0);
}

/** Smaller candidates of `s`, biggest cuts first: a thread, an op, a tree entry, a cached path. */
function* smaller(s: SeedFile): Generator<SeedFile> {
  for (let i = s.threads.length - 1; i >= 0 && s.threads.length > 1; i--) {
    const c = structuredClone(s);
    c.threads.splice(i, 1);
    yield c;
  }
  for (let i = 0; i < s.threads.length; i++) {
    for (let j = s.threads[i].ops.length - 1; j >= 0 && s.threads[i].ops.length > 1; j--) {
      const c = structuredClone(s);
      c.threads[i].ops.splice(j, 1);
      yield c;
    }
  }
  for (let i = s.cached.length - 1; i >= 0; i--) {
    const q = s.cached[i];
    const c = structuredClone(s);
    c.cached = c.cached.filter((x) => x !== q && !x.startsWith(q + "/"));
    yield c;
  }
  for (const dir of Object.keys(s.tree).sort()) {
    for (let i = s.tree[dir].length - 1; i >= 0; i--) {
      const c = structuredClone(s);
      const q = childOf(dir, c.tree[dir][i]);
      c.tree[dir].splice(i, 1);
      c.cached = c.cached.filter((x) => x !== q && !x.startsWith(q + "/"));
      yield c;
    }
  }
}

/** Candidate checks per shrink (each one runs REPRODUCE_SCHEDULES schedules at most). */
const SHRINK_MAX_CANDIDATES = 400;


export type FindingKind = "failure" | "introduced" | "masked";

export interface Finding {
  /** what deduplication compares: kind, verdict, check and cycle shape */
  key: string;
  kind: FindingKind;
  verdict: Verdict | "model-trap";
  invariant?: CheckId;
  edges?: string[];
  /** exec (1-based) whose input first showed it */
  exec: number;
  /** the counterexample seed file (serialized) and its suggested file name */
  text: string;
  fileName: string;
  /** the counterexample (undefined for a model trap) */
  report?: RunReport;
  /** threads and ops before and after shrinking */
  shrunk: { threads: [number, number]; ops: [number, number] };
  /** the model trap's message */
  trap?: string;
}

/** The failure pipeline of one fuzzer: which keys it has, how often a candidate went
 *  unconfirmed, the findings so far. Shares the fuzzer's runner (one model instance), options
 *  and stats. */
export class Findings {
  readonly list: Finding[] = [];
  private keys = new Set<string>();
  private attempts = new Map<string, number>();

  constructor(private readonly module: WebAssembly.Module, private readonly runner: Runner, readonly opts: FuzzOptions, private readonly stats: FuzzStats) {}

  private words(s: SeedFile, planted: boolean): Int32Array {
    return encodeScenario(planted ? { ...s, plant: this.opts.plant } : s).words;
  }

  /** A failure of `input` (on the planted model if `planted`): if its key is new, shrink it,
   *  confirm it (differential mode), and record it. */
  failure(exec: number, input: SeedFile, kind: FindingKind, o: FuzzOutcome, planted: boolean): Finding | undefined {
    const failKey = keyOf(o);
    const key = kind === "failure" ? failKey : `${kind} ${failKey}`;
    if (this.keys.has(key) || (this.attempts.get(key) ?? 0) >= MAX_UNCONFIRMED) {
      this.stats.duplicates++;
      return undefined;
    }
    const same = sameKey(failKey);
    const other = kind === "failure" ? undefined : !planted;
    if (other !== undefined) {
      // Cheap test first: the other model shows it too (introduced), or the planted model fails
      // at all (masked), within REPRODUCE_SCHEDULES schedules of this input.
      this.stats.candidates++;
      if (this.reproduce(input, other, kind === "masked" ? () => true : same)) return undefined;
    }
    let chosen: SeedFile | undefined;
    let choices: FuzzOutcome | undefined;
    let confirmation = "";
    if (other === undefined) {
      const shared = this.sharedShrink(input, o, failKey);
      if (shared) ({ input: chosen, outcome: choices } = shared);
    }
    if (!chosen) {
      // What the other model must not show: the same failure (introduced), any failure (masked).
      const otherFails = kind === "masked" ? () => true : same;
      const shrunk = this.shrink(input, planted, same, other === undefined ? undefined : { planted: other, fails: otherFails });
      chosen = shrunk;
      if (other !== undefined) {
        let c = this.confirm(shrunk, other, failKey, kind === "masked");
        if (!c && canonical(shrunk) !== canonical(input)) {
          c = this.confirm(input, other, failKey, kind === "masked");
          if (c) chosen = input;
        }
        if (!c) {
          this.stats.unconfirmed++;
          this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
          return undefined;
        }
        confirmation = c;
      }
      choices = this.bestSchedule(chosen, planted, failKey, chosen === input ? o : undefined);
    }
    if (!choices) return undefined; // only if the model trapped while re-running it
    this.keys.add(key);
    const finding = this.record(exec, input, chosen, kind, key, choices, planted, confirmation);
    this.list.push(finding);
    this.stats.findings = this.list.length;
    return finding;
  }

  /** host/core/shrink.ts (`vfsim shrink`): the schedule first (fewest preemptions, then fewest
   *  ticks), then threads and ops. It keeps the verdict and the check, not the cycle, so
   *  its result is used only when it still has the same key; otherwise (or if it fails) the
   *  fuzzer's own key-preserving shrink below is used. */
  private sharedShrink(input: SeedFile, o: FuzzOutcome, failKey: string): { input: SeedFile; outcome: FuzzOutcome } | undefined {
    let r;
    try {
      r = shrinkSchedule(this.module, input, o.choices!);
    } catch (e) {
      if (!(e instanceof ModelTrap || e instanceof NothingToShrink)) throw e;
      return undefined;
    }
    const s: SeedFile = { ...r.seed };
    delete s.schedule;
    try {
      this.runner.load(this.words(s, false));
      const again = this.runner.replay(r.choices);
      if (!again || keyOf(again) !== failKey) return undefined;
      return { input: s, outcome: { ...again, strategy: "dfs" } };
    } catch (e) {
      if (!(e instanceof ModelTrap)) throw e;
      this.runner.reset();
      return undefined;
    }
  }

  /** Drops threads, ops, cached paths and tree entries while the input still fails with the
   *  same key (some schedule among REPRODUCE_SCHEDULES, the input's own seeds). Greedy, first
   *  improvement, bounded by SHRINK_MAX_CANDIDATES. Used in differential mode (shrink.ts knows
   *  one model, not a difference between two) and when shrink.ts changes the key. */
  private shrink(input: SeedFile, planted: boolean, same: SameFailure, other?: { planted: boolean; fails: SameFailure }): SeedFile {
    let best = input;
    let budget = SHRINK_MAX_CANDIDATES;
    for (let progress = true; progress && budget > 0; ) {
      progress = false;
      for (const c of smaller(best)) {
        if (--budget < 0) break;
        let valid: SeedFile;
        try {
          valid = validateSeedObject(toRaw(c));
        } catch (e) {
          if (e instanceof SeedError) continue;
          throw e;
        }
        // Differential mode: the other model must not show it on the same seeds either, so the
        // cut keeps what makes the two differ (the exhaustive check comes after).
        if (this.reproduce(valid, planted, same) && (other === undefined || !this.reproduce(valid, other.planted, other.fails))) {
          best = valid;
          progress = true;
          break;
        }
      }
    }
    return best;
  }

  private reproduce(s: SeedFile, planted: boolean, same: SameFailure): FuzzOutcome | undefined {
    try {
      this.runner.load(this.words(s, planted));
      const o = this.runner.batch(s.run.seed, s.run.depth, REPRODUCE_SCHEDULES, same);
      this.stats.shrinkSchedules += REPRODUCE_SCHEDULES;
      return o;
    } catch (e) {
      if (!(e instanceof ModelTrap)) throw e;
      this.runner.reset();
      return undefined;
    }
  }

  /** Exhaustive within the bound on the other model: no schedule fails with `failKey` (with
   *  `clean`: no schedule fails at all). Returns a sentence for the counterexample's `about`,
   *  or undefined when not confirmed. */
  private confirm(s: SeedFile, planted: boolean, failKey: string, clean: boolean): string | undefined {
    try {
      this.runner.load(this.words(s, planted));
      const r = this.runner.outcomes(s.threads.length, LIMITS.checkPreemptions, DFS_MAX_SCHEDULES);
      this.stats.shrinkSchedules += r.schedules;
      if (!r.exhaustive || r.found.has(failKey) || (clean && r.found.size > 0)) return undefined;
      const other = planted ? `with plant ${this.opts.plant.join(", ")}` : "without the plant";
      const seen = r.found.size ? `; the failures it does reach: ${[...r.found.keys()].join("; ")}` : ": every one ends ok";
      return `The model ${other} never fails this way: exhaustive search of its ${plural(r.schedules, "schedule")} with at most ${plural(LIMITS.checkPreemptions, "preemption")}${seen}.`;
    } catch (e) {
      if (!(e instanceof ModelTrap)) throw e;
      this.runner.reset();
      return undefined;
    }
  }

  /** The schedule to record: the fewest-preemption one depth-first search meets within the
   *  bound, else one from the input's own random/PCT seeds. */
  private bestSchedule(s: SeedFile, planted: boolean, failKey: string, known?: FuzzOutcome): FuzzOutcome | undefined {
    try {
      this.runner.load(this.words(s, planted));
      for (let p = 0; p <= LIMITS.checkPreemptions; p++) {
        const r = this.runner.outcomes(s.threads.length, p, DFS_MAX_SCHEDULES / 4, failKey);
        this.stats.shrinkSchedules += r.schedules;
        const o = r.found.get(failKey);
        if (o) return o;
        if (r.limit) break; // the host's search could not go deeper: a wider bound cannot either
      }
    } catch (e) {
      if (!(e instanceof ModelTrap)) throw e;
      this.runner.reset();
    }
    return known ?? this.reproduce(s, planted, sameKey(failKey));
  }

  private record(exec: number, original: SeedFile, s: SeedFile, kind: FindingKind, key: string, o: FuzzOutcome, planted: boolean, confirmation: string): Finding {
    const run: SeedFile = planted ? { ...s, plant: this.opts.plant } : { ...s, plant: [] };
    const enc = encodeScenario(run);
    const model = this.runner.load(enc.words);
    const report = failureReport(model, enc, o.choices!, { strategy: o.strategy ?? "random", seed: s.run.seed });
    if (keyOf(report) !== keyOf(o)) {
      throw new ModelTrap(`replay of a schedule the fuzzer just ran ended ${keyOf(report)}, not ${keyOf(o)}`);
    }
    const slug = slugOf(o);
    run.name = `fuzz-${kind === "failure" ? "" : `${this.opts.plant.join("+")}-${kind}-`}${slug}`;
    const what = kind === "failure" ? keyOf(o) : `${keyOf(o)} (${kind} by plant ${this.opts.plant.join(", ")})`;
    run.about = [
      `Found by vfsim fuzz --seed ${this.opts.seed}${this.opts.plant.length ? ` --plant ${this.opts.plant.join(",")}` : ""} at exec ${exec}: ${what}.`,
      `Shrunk from ${plural(original.threads.length, "thread")} and ${plural(opCount(original), "op")} to ${s.threads.length} and ${opCount(s)}.`,
      confirmation,
    ].filter(Boolean).join(" ");
    // `vfsim run` of the file searches every schedule with as many preemptions as the recorded one.
    const preemptions = Math.max(LIMITS.checkPreemptions, model.preemptions());
    if (o.strategy === "dfs") run.run = { ...run.run, strategy: "dfs", preemptions, schedules: DFS_MAX_SCHEDULES };
    else run.run = { ...run.run, strategy: o.strategy ?? "random", schedules: REPRODUCE_SCHEDULES };
    // the fuzzer names and describes its findings itself; `from` is the corpus input's name
    const cx = { ...counterexample(run, report), name: run.name, about: run.about, from: original.from ?? original.name };
    const text = serializeSeedFile(cx);
    const prefix = kind === "failure" ? "" : `${this.opts.plant.join("+")}.${kind}.`;
    return {
      key,
      kind,
      verdict: o.verdict,
      ...(o.invariant ? { invariant: o.invariant } : {}),
      ...(o.cycle ? { edges: edgesOf(o.cycle) } : {}),
      exec,
      text,
      fileName: `${prefix}${slug}.${shortHash(text)}.json`,
      report,
      shrunk: { threads: [original.threads.length, s.threads.length], ops: [opCount(original), opCount(s)] },
    };
  }

  trapFinding(exec: number, input: SeedFile, trap: ModelTrap & { choices: Uint8Array }, planted: boolean): Finding | undefined {
    const key = `model-trap ${trap.message}`;
    if (this.keys.has(key)) {
      this.stats.duplicates++;
      return undefined;
    }
    this.keys.add(key);
    const s: SeedFile = { ...structuredClone(input), plant: planted ? this.opts.plant : [] };
    s.name = "fuzz-model-trap";
    s.about = `Found by vfsim fuzz --seed ${this.opts.seed} at exec ${exec}: the model trapped (a vfsim bug, not a kernel finding): ${trap.message}. The schedule leads up to the trap.`;
    s.schedule = encodeSchedule(trap.choices);
    const text = serializeSeedFile(s);
    const finding: Finding = {
      key, kind: "failure", verdict: "model-trap", exec, text, trap: trap.message,
      fileName: `model-trap.${shortHash(text)}.json`,
      shrunk: { threads: [input.threads.length, input.threads.length], ops: [opCount(input), opCount(input)] },
    };
    this.list.push(finding);
    this.stats.findings = this.list.length;
    return finding;
  }
}

const EDGE_SLUG: Record<string, string> = { "in-lookup wait": "inlookup", "rwsem read": "read", "rwsem write": "write", "lookup lock": "lookuplock", "dying dir": "dying" };

function slugOf(o: FuzzOutcome): string {
  if (o.verdict === "violation") return o.invariant!;
  if (o.verdict === "deadlock") return ["deadlock", ...(edgesOf(o.cycle) ?? []).map((e) => EDGE_SLUG[e] ?? e.replace(/\W+/g, ""))].join("-");
  return o.verdict;
}
