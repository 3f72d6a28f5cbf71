/** From a failing exec to a finding: deduplicated by key, shrunk, in differential (canary) mode
 *  confirmed by exhaustive search of the other model, and recorded as a counterexample. */

import { type CheckId, type Verdict } from "../abi";
import { edgesOf, keyOf, sameKey, type SameFailure } from "../outcome";
import { counterexample, plural, shortHash } from "../report";
import { failureReport, type RunReport } from "../run";
import { encodeScenario, serializeSeedFile, type SeedFile } from "../seed";
import { encodeSchedule } from "../schedule";
import { shrink as shrinkFailure } from "../shrink";
import { ModelTrap } from "../wasm";
import { LIMITS, DFS_MAX_SCHEDULES, MAX_UNCONFIRMED, REPRODUCE_SCHEDULES, type FuzzOptions, type FuzzStats } from "./options";
import { Runner, type FuzzOutcome } from "./runner";
import { canonical } from "./corpus";

function opCount(s: SeedFile): number {
  return s.threads.reduce((n, t) => n + t.ops.length, 0);
}

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

  /** `s` as run on the planted model (with --plant) or the reference model (without). */
  private planted(s: SeedFile, planted: boolean): SeedFile {
    return { ...s, plant: planted ? this.opts.plant : [] };
  }

  private words(s: SeedFile, planted: boolean): Int32Array {
    return encodeScenario(this.planted(s, planted)).words;
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
    // Differential mode: what the other model must not show: the same failure (introduced), any
    // failure (masked).
    const other = kind === "failure" ? undefined : { planted: !planted, fails: kind === "masked" ? () => true : same };
    if (other) {
      // Cheap test first: the other model shows it too within REPRODUCE_SCHEDULES schedules of
      // this input.
      this.stats.candidates++;
      if (this.reproduce(input, other.planted, other.fails)) return undefined;
    }
    let shrunk = this.shrink(input, o, planted, other);
    if (!shrunk) return undefined; // only if the model trapped while shrinking
    let confirmation = "";
    if (other) {
      let c = this.confirm(shrunk.input, other.planted, failKey, kind === "masked");
      if (!c && canonical(shrunk.input) !== canonical(input)) {
        // the smaller input differs on the input's seeds but not exhaustively: the input may
        c = this.confirm(input, other.planted, failKey, kind === "masked");
        if (c) shrunk = this.shrink(input, o, planted, undefined, false);
        if (!shrunk) return undefined;
      }
      if (!c) {
        this.stats.unconfirmed++;
        this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
        return undefined;
      }
      confirmation = c;
    }
    this.keys.add(key);
    const finding = this.record(exec, input, shrunk.input, kind, key, shrunk.outcome, planted, confirmation);
    this.list.push(finding);
    this.stats.findings = this.list.length;
    return finding;
  }

  /**
   * host/core/shrink.ts (`vfsim shrink`) with the fuzzer's key (keyOf: the cycle's shape kept
   * too): the schedule (fewest preemptions, then fewest ticks), then threads, ops, cached paths
   * and tree entries (with `scenario`). In differential mode a smaller input is taken only if
   * the other model does not show it on the input's own seeds either (the exhaustive check
   * comes after). Returns the smaller input (no schedule) and the outcome of its shrunk
   * schedule; undefined if the model trapped.
   */
  private shrink(input: SeedFile, o: FuzzOutcome, planted: boolean, other?: { planted: boolean; fails: SameFailure }, scenario = true): { input: SeedFile; outcome: FuzzOutcome } | undefined {
    try {
      const r = shrinkFailure(this.module, this.planted(input, planted), o.choices!, {
        key: keyOf, scenario,
        ...(other ? { admit: (c: SeedFile) => !this.reproduce(c, other.planted, other.fails) } : {}),
      });
      const s: SeedFile = { ...r.seed, plant: [] };
      delete s.schedule;
      this.runner.load(this.words(s, planted));
      const again = this.runner.replay(r.choices);
      // shrink.ts judged it with keyOf: anything else is a tool bug
      if (!again || keyOf(again) !== keyOf(o)) throw new Error(`fuzz: the shrunk schedule replays as ${again ? keyOf(again) : "not failing"}, not ${keyOf(o)}`);
      return { input: s, outcome: { ...again, strategy: "dfs" } };
    } catch (e) {
      if (!(e instanceof ModelTrap)) throw e;
      this.runner.reset();
      return undefined;
    }
  }

  /** Some schedule among REPRODUCE_SCHEDULES of `s`'s own seeds (on the planted model or not)
   *  fails with a key `same` accepts. */
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

  private record(exec: number, original: SeedFile, s: SeedFile, kind: FindingKind, key: string, o: FuzzOutcome, planted: boolean, confirmation: string): Finding {
    const run: SeedFile = planted ? { ...s, plant: this.opts.plant } : { ...s, plant: [] };
    const enc = encodeScenario(run);
    const model = this.runner.load(enc.words);
    const report = failureReport(model, enc, o.choices!, { strategy: "dfs", seed: s.run.seed });
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
    // `vfsim run` of the file searches every schedule with as many preemptions as the recorded
    // (shrunk) one.
    const preemptions = Math.max(LIMITS.checkPreemptions, model.preemptions());
    run.run = { ...run.run, strategy: "dfs", preemptions, schedules: DFS_MAX_SCHEDULES };
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
