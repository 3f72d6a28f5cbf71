/**
 * Shrinking a failing schedule: the smallest counterexample we can find that still fails the
 * same way. What "the same way" means is the caller's (`ShrinkOptions.key`: two failures are the
 * same when their keys are equal); by default the same verdict and, for a violation, the same
 * invariant (a deadlock may end up with a different cycle). Two phases, repeated until neither
 * makes progress:
 *
 *   1. the schedule, scenario fixed: fewest preemptions first (moving whole runs of one task
 *      next to another run of the same task), then fewest ticks (delta debugging over the choice
 *      list). A candidate is kept only if it ranks better: fewer preemptions, or as many and
 *      fewer ticks (CHESS's order: a schedule with fewer preemptions is easier to read, and the
 *      first one iterative context bounding finds already has the fewest, so shrinking never
 *      adds one). Candidates are replayed in wasm; one whose choice names a task that cannot
 *      run, or that ends before the run does, is invalid. A run that ends early is cut to its
 *      length.
 *   2. the scenario: drop a whole thread, else a single op, else a cached path, else a tree
 *      entry (with the cached paths under it), when some schedule of the smaller scenario still
 *      fails the same way and ranks no worse than the current one, and the caller's `admit`
 *      (if any) takes the smaller scenario. That schedule is the old one (without the dropped
 *      thread's ticks) if that still fails, else (not for a cached path or a tree entry: one the
 *      old schedule needs stays) the first match of a small search (depth-first within 0, then
 *      1, then 2 preemptions, so the fewest preemptions first; then random schedules), then
 *      phase 1.
 *
 * Everything is deterministic and bounded by counts (replays, schedules, ticks), never by time:
 * the same input gives the same result on any machine, in any worker, in any order. Each
 * minimisation and each search gets its own fixed budget, so the outcome of one step never
 * depends on how much an earlier step used.
 */

import { VERDICT_RUNNING, type CheckId, type Verdict } from "./abi";
import { searchBounded } from "./bounded";
import { readOutcome, verdictKey, type Outcome } from "./outcome";
import { replayScenario, type RunReport } from "./run";
import { counterexample, counterexampleName, plural, type ShrinkSize } from "./report";
import { childOf, encodeScenario, parseSeedFile, serializeSeedFile, SeedError, type Encoded, type SeedFile } from "./seed";
import { encodeSchedule } from "./schedule";
import { wasmStrategy } from "./strategy";
import { Model, ModelTrap } from "./wasm";

/** What must stay the same: the verdict code, and the check id when it is a violation. */
export interface FailureKind {
  verdict: Verdict;
  invariant?: CheckId;
}

export type { ShrinkSize } from "./report";

export interface ShrinkOptions {
  /** replays allowed to each schedule minimisation (phase 1) */
  replays: number;
  /** random schedules tried by each search for a failing schedule of a smaller scenario, if the
   *  bounded depth-first search finds none */
  searchSchedules: number;
  /** ticks the bounded depth-first search (tried first) may run (0: none) */
  searchTicks: number;
  /** run phase 2 (drop threads and ops) */
  scenario: boolean;
  /** two failures are the same when their keys are equal (outcome.ts verdictKey, keyOf) */
  key: (o: Outcome) => string;
  /** phase 2 takes a smaller scenario only if this holds for it too (checked after it is known
   *  to fail the same way; the fuzzer's canary: the model without the plant does not show it) */
  admit?: (s: SeedFile) => boolean;
}

export const SHRINK_DEFAULTS: ShrinkOptions = { replays: 20_000, searchSchedules: 1_000, searchTicks: 50_000, scenario: true, key: verdictKey };

export interface ShrinkResult {
  /** the (possibly smaller) scenario with `schedule` set to the shrunk schedule */
  seed: SeedFile;
  choices: Uint8Array;
  kind: FailureKind;
  before: ShrinkSize;
  after: ShrinkSize;
}

/** The schedule given to shrink does not fail (or does not fit the scenario): nothing to shrink. */
export class NothingToShrink extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "NothingToShrink";
  }
}

export function shrink(module: WebAssembly.Module, seed: SeedFile, choices: Uint8Array, options: Partial<ShrinkOptions> = {}): ShrinkResult {
  try {
    return shrinkWith(module, seed, choices, { ...SHRINK_DEFAULTS, ...options });
  } catch (e) {
    // a trap leaves an instance mid-step: the next shrink starts on fresh ones
    if (e instanceof ModelTrap) instances.delete(module);
    throw e;
  }
}

function shrinkWith(module: WebAssembly.Module, seed: SeedFile, choices: Uint8Array, opts: ShrinkOptions): ShrinkResult {
  const start = plain(seed);
  const judge = new Judge(module, encodeScenario(start), opts.key);
  const kind = judge.adopt(choices);
  const before = size(start, judge.first);
  let cur = minimise(judge, { choices: choices.slice(0, judge.first.ticks), score: judge.first }, opts.replays);
  let scenario = start;
  if (opts.scenario) ({ seed: scenario, best: cur } = shrinkScenario(module, start, judge.want!, cur, opts));
  return {
    seed: { ...scenario, schedule: encodeSchedule(cur.choices) },
    choices: cur.choices,
    kind,
    before,
    after: size(scenario, cur.score),
  };
}

/** How the failure given to shrink was found, for the counterexample's `about`: the run's
 *  strategy and seed, and its schedule count (random, PCT: the failing schedule's index + 1) or
 *  preemption bound (dfs), or that it was a recorded schedule. */
export type FoundBy = Pick<RunReport, "strategy" | "seed"> & Partial<Pick<RunReport, "schedules" | "preemptions" | "replayed">>;

/** The counterexample seed file of a shrink result: its verdict, trace-checked by a replay. */
export function shrunkCounterexample(module: WebAssembly.Module, r: ShrinkResult, how: FoundBy): { seed: SeedFile; report: RunReport } {
  const report = replayScenario(module, encodeScenario(r.seed), r.choices, how);
  report.strategy = how.strategy;
  const found: RunReport = { ...report, schedules: how.schedules ?? 1, preemptions: how.preemptions, replayed: how.replayed };
  return { seed: counterexample(r.seed, found, { before: r.before, after: r.after }), report };
}

export interface ShrunkFailure {
  /** the smaller scenario (no schedule), its words, and the report of the shrunk schedule */
  scenario: SeedFile;
  enc: Encoded;
  report: RunReport;
  /** the counterexample seed file to write, and its file name (report.ts counterexampleName) */
  counterexample: SeedFile;
  name: string;
  before: ShrinkSize;
  after: ShrinkSize;
}

/** Shrinks the failure of a run report (`vfsim run`, a sweep). The report keeps the run's
 *  strategy, seed and schedule count; what it says about the failure (schedule, ticks, cycle,
 *  trace) is the shrunk schedule's. */
export function shrinkReport(module: WebAssembly.Module, seed: SeedFile, r: RunReport, options: Partial<ShrinkOptions> = {}): ShrunkFailure {
  if (!r.choices) throw new NothingToShrink("the run did not fail");
  const res = shrink(module, seed, r.choices, options);
  const { seed: cex, report } = shrunkCounterexample(module, res, r);
  const scenario = { ...res.seed };
  delete scenario.schedule;
  const merged: RunReport = { ...r, ...report, strategy: r.strategy, seed: r.seed, schedules: r.schedules, exhaustive: r.exhaustive };
  if (!report.invariant) delete merged.invariant;
  if (!report.cycle) delete merged.cycle;
  if (!report.failTask) delete merged.failTask;
  return { scenario, enc: encodeScenario(res.seed), report: merged, counterexample: cex, name: counterexampleName(res.seed, report), before: res.before, after: res.after };
}

/** Instances for replays and random search are reused, one per role and module, reloaded for
 *  each scenario (a fresh instance costs about a millisecond). Shrinking never uses two judges,
 *  or two searches, at once. */
const JUDGE = 0, SEARCH = 1;
const instances = new WeakMap<WebAssembly.Module, Model[]>();

function instance(module: WebAssembly.Module, role: number, enc: Encoded): Model {
  let pool = instances.get(module);
  if (!pool) instances.set(module, (pool = []));
  const m = (pool[role] ??= new Model(module));
  m.load(enc.words);
  return m;
}

/** Length of a schedule in ticks, and its preemptions, as the model counts them. */
interface Score {
  ticks: number;
  preemptions: number;
}

interface Candidate {
  choices: Uint8Array;
  score: Score;
}

/** a ranks before b: fewer preemptions, or as many and fewer ticks. */
const better = (a: Score, b: Score) => a.preemptions < b.preemptions || (a.preemptions === b.preemptions && a.ticks < b.ticks);

function size(s: SeedFile, score: Score): ShrinkSize {
  return { ...score, threads: s.threads.length, ops: s.threads.reduce((n, t) => n + t.ops.length, 0) };
}

/** The scenario alone: no variants, expectations or recorded schedule (they name threads that
 *  phase 2 may drop; the counterexample writes fresh ones). */
function plain(s: SeedFile): SeedFile {
  const c = structuredClone(s);
  c.variants = {};
  c.expect = [];
  delete c.schedule;
  return c;
}

// ---------------------------------------------------------------------------------------------
// Judging a candidate schedule

/** Replays candidate schedules on one loaded scenario and says whether each fails like the
 *  original. `left` counts the replays still allowed in the current minimisation. Judges share
 *  one instance (`instance`): a new judge makes the previous one unusable. */
class Judge {
  readonly model: Model;
  /** the key of the failure to keep */
  want?: string;
  first!: Score;
  last!: Score;
  left = Infinity;

  constructor(module: WebAssembly.Module, enc: Encoded, readonly key: (o: Outcome) => string) {
    this.model = instance(module, JUDGE, enc);
  }

  /** Take the failure of `choices` as the one to keep. Throws NothingToShrink if it has none. */
  adopt(choices: Uint8Array): FailureKind {
    const v = this.replay(choices);
    if (v < -1) throw new NothingToShrink(`the schedule does not fit the scenario: choice ${-v - 2} names a task that cannot run then`);
    if (v === VERDICT_RUNNING) throw new NothingToShrink(`the schedule ends after ${plural(choices.length, "tick")} but the run has not finished`);
    if (v === 0) throw new NothingToShrink("the schedule does not fail: the run ends ok");
    const o = readOutcome(this.model, v);
    this.want = this.key(o);
    this.first = this.last = this.score();
    return o.invariant ? { verdict: o.verdict, invariant: o.invariant } : { verdict: o.verdict };
  }

  /** Like `fails`, counted against the budget: undefined once it is spent. */
  judge(choices: Uint8Array): Score | undefined {
    if (this.left <= 0) return undefined;
    this.left--;
    return this.fails(choices);
  }

  /** The score of `choices` if it is a complete schedule failing like the original. */
  fails(choices: Uint8Array): Score | undefined {
    const v = this.replay(choices);
    if (v <= 0 || !this.same(v)) return undefined;
    return (this.last = this.score());
  }

  /** The run the model just finished (verdict code `code`) fails like the original. */
  same(code: number): boolean {
    return this.key(readOutcome(this.model, code)) === this.want;
  }

  get spent(): boolean {
    return this.left <= 0;
  }

  private replay(choices: Uint8Array): number {
    this.model.setChoices(choices);
    return this.model.runReplay(choices.length);
  }

  private score(): Score {
    return { ticks: this.model.tickCount(), preemptions: this.model.preemptions() };
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 1: the schedule

/** Fewest preemptions, then fewest ticks, within `replays` replays. */
function minimise(judge: Judge, start: Candidate, replays: number): Candidate {
  judge.left = replays;
  let best = start;
  for (;;) {
    const before = best.score;
    best = fewerTicks(judge, fewerPreemptions(judge, best));
    if (!better(best.score, before) || judge.spent) return best;
  }
}

function accept(judge: Judge, best: Candidate, cand: Uint8Array): Candidate | undefined {
  const s = judge.judge(cand);
  return s && better(s, best.score) ? { choices: cand.slice(0, s.ticks), score: s } : undefined;
}

/** Delta debugging (Zeller's ddmin, complements only: a subset of a schedule almost never
 *  replays): drop chunks of the choice list, halving the chunk size down to single choices. */
function fewerTicks(judge: Judge, start: Candidate): Candidate {
  let best = start;
  let n = 2;
  while (best.choices.length >= 2 && !judge.spent) {
    const c = best.choices;
    const chunk = Math.ceil(c.length / n);
    let found: Candidate | undefined;
    for (let at = 0; at < c.length && !found && !judge.spent; at += chunk) {
      const cand = new Uint8Array(c.length - Math.min(chunk, c.length - at));
      cand.set(c.subarray(0, at));
      cand.set(c.subarray(at + chunk), at);
      found = accept(judge, best, cand);
    }
    if (found) {
      best = found;
      n = Math.max(n - 1, 2);
    } else if (chunk === 1) {
      return best;
    } else {
      n = Math.min(n * 2, c.length);
    }
  }
  return best;
}

/** A maximal run of one task in a schedule. */
interface Run {
  task: number;
  at: number;
  len: number;
}

function runsOf(c: Uint8Array): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < c.length; ) {
    let j = i + 1;
    while (j < c.length && c[j] === c[i]) j++;
    runs.push({ task: c[i], at: i, len: j - i });
    i = j;
  }
  return runs;
}

/** `c` with run `from` cut out and put back before index `to` of the original list. */
function moved(c: Uint8Array, from: Run, to: number): Uint8Array {
  const parts = to <= from.at
    ? [c.subarray(0, to), c.subarray(from.at, from.at + from.len), c.subarray(to, from.at), c.subarray(from.at + from.len)]
    : [c.subarray(0, from.at), c.subarray(from.at + from.len, to), c.subarray(from.at, from.at + from.len), c.subarray(to)];
  const out = new Uint8Array(c.length);
  let n = 0;
  for (const p of parts) { out.set(p, n); n += p.length; }
  return out;
}

/** Schedules with one context switch fewer, if they still fail: a run moved next to the
 *  previous run of the same task (either way), or two neighbouring runs swapped. */
function* rearrangements(c: Uint8Array): Generator<Uint8Array> {
  const runs = runsOf(c);
  for (let b = 1; b < runs.length; b++) {
    const r = runs[b];
    let prev = b - 2;
    while (prev >= 0 && runs[prev].task !== r.task) prev--;
    if (prev >= 0) {
      const p = runs[prev];
      yield moved(c, r, p.at + p.len); // r right after p
      yield moved(c, p, r.at); // p right before r
    }
    yield moved(c, r, runs[b - 1].at); // r before its left neighbour
  }
}

function fewerPreemptions(judge: Judge, start: Candidate): Candidate {
  let best = start;
  for (let progress = true; progress && !judge.spent; ) {
    progress = false;
    for (const cand of rearrangements(best.choices)) {
      const found = accept(judge, best, cand);
      if (found) { best = found; progress = true; break; }
      if (judge.spent) break;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Phase 2: the scenario

interface Smaller {
  seed: SeedFile;
  /** the old schedule carried onto the smaller scenario, tried before a search (a dropped
   *  thread's ticks left out; a cut of the starting state keeps it whole); none for a dropped op */
  carry?: (choices: Uint8Array) => Uint8Array;
  /** a cut of the starting state (a cached path, a tree entry) is tried with the carried schedule
   *  alone: an entry the failing schedule needs stays. (A search per entry as well doubled the
   *  shrinking time of the built-in failures, bench/shrink-rank.ts, for 10 ticks in 721.) */
  carryOnly?: boolean;
}

/** Smaller scenarios: without one thread (last first), then without one op of a thread that has
 *  more than one (last first), then without one cached path (last first), then without one tree
 *  entry (directories in name order, entries last first); a cut path takes the cached paths
 *  under it along. */
function* smallerScenarios(s: SeedFile): Generator<Smaller> {
  if (s.threads.length > 1) {
    for (let t = s.threads.length - 1; t >= 0; t--) {
      // a thread another one kills stays while its killer does (drop the killer first)
      if (s.threads.some((x) => x.ops.some((o) => o.op === "kill" && o.task === s.threads[t].name))) continue;
      const c = structuredClone(s);
      c.threads.splice(t, 1);
      yield { seed: c, carry: (old) => Uint8Array.from(Array.from(old).filter((x) => x !== t).map((x) => (x > t ? x - 1 : x))) };
    }
  }
  for (let t = s.threads.length - 1; t >= 0; t--) {
    for (let j = s.threads[t].ops.length - 1; j >= 0 && s.threads[t].ops.length > 1; j--) {
      const c = structuredClone(s);
      c.threads[t].ops.splice(j, 1);
      yield { seed: c };
    }
  }
  const same = (old: Uint8Array) => old;
  const uncache = (c: SeedFile, q: string) => { c.cached = c.cached.filter((x) => x !== q && !x.startsWith(q + "/")); };
  for (let i = s.cached.length - 1; i >= 0; i--) {
    const c = structuredClone(s);
    uncache(c, s.cached[i]);
    yield { seed: c, carry: same, carryOnly: true };
  }
  for (const dir of Object.keys(s.tree).sort()) {
    for (let i = s.tree[dir].length - 1; i >= 0; i--) {
      const c = structuredClone(s);
      c.tree[dir].splice(i, 1);
      uncache(c, childOf(dir, s.tree[dir][i]));
      yield { seed: c, carry: same, carryOnly: true };
    }
  }
}

function shrinkScenario(module: WebAssembly.Module, start: SeedFile, want: string, first: Candidate, opts: ShrinkOptions): { seed: SeedFile; best: Candidate } {
  let seed = start;
  let best = first;
  for (let progress = true; progress; ) {
    progress = false;
    for (const cand of smallerScenarios(seed)) {
      const found = reproduce(module, cand, want, best, opts);
      if (found && !better(best.score, found.score) && (!opts.admit || opts.admit(cand.seed))) {
        seed = cand.seed;
        best = found;
        progress = true;
        break;
      }
    }
  }
  return { seed, best };
}

/** A minimised schedule of the smaller scenario that fails with key `want`, or undefined. */
function reproduce(module: WebAssembly.Module, cand: Smaller, want: string, old: Candidate, opts: ShrinkOptions): Candidate | undefined {
  const enc = encodable(cand.seed);
  if (!enc) return undefined;
  const judge = new Judge(module, enc, opts.key);
  judge.want = want;
  let choices: Uint8Array | undefined;
  if (cand.carry) {
    const carried = cand.carry(old.choices);
    if (judge.fails(carried)) choices = carried;
    else if (cand.carryOnly) return undefined;
  }
  choices ??= search(module, judge, enc, opts);
  if (!choices) return undefined;
  const score = judge.fails(choices)!;
  return minimise(judge, { choices: choices.slice(0, score.ticks), score }, opts.replays);
}

/** The smaller scenario's words, or undefined when it is no longer a valid seed file (a cached
 *  path or a rename that needed the dropped op, say). */
function encodable(s: SeedFile): Encoded | undefined {
  try {
    return encodeScenario(parseSeedFile(serializeSeedFile(s)));
  } catch (e) {
    if (e instanceof SeedError) return undefined;
    throw e;
  }
}

/** Searches depend only on the scenario and the kind, so their outcomes are remembered (a pure
 *  cache: it changes speed, never a result). A sweep shrinks many failures of one scenario. */
const searches = new WeakMap<WebAssembly.Module, Map<string, Uint8Array | null>>();
const SEARCHES_MAX = 512;

function search(module: WebAssembly.Module, judge: Judge, enc: Encoded, opts: ShrinkOptions): Uint8Array | undefined {
  let cache = searches.get(module);
  if (!cache) searches.set(module, (cache = new Map()));
  // Equal keys from the default and the fuzzer's key function name the same failures.
  const key = `${judge.want} ${opts.searchTicks} ${opts.searchSchedules} ${enc.words.join(",")}`;
  if (!cache.has(key)) {
    if (cache.size >= SEARCHES_MAX) cache.clear();
    cache.set(key, searchSmall(module, judge, enc, opts.searchTicks) ?? searchRandom(module, judge, enc, opts.searchSchedules) ?? null);
  }
  return cache.get(key) ?? undefined;
}

/** Random schedules 0 .. budget-1 of a fixed seed: the first failure of the right kind. */
function searchRandom(module: WebAssembly.Module, judge: Judge, enc: Encoded, budget: number): Uint8Array | undefined {
  const model = instance(module, SEARCH, enc);
  const random = wasmStrategy("random", 0x5eedn);
  for (let i = 0; i < budget; ) {
    const { hit } = random.runBatch(model, i, budget - i);
    if (hit < 0) return undefined;
    const choices = model.choices();
    if (judge.fails(choices)) return choices;
    i += hit + 1;
  }
  return undefined;
}

const PREEMPTIONS = 2;

/**
 * The bounded search (bounded.ts) within 0, then 1, ... PREEMPTIONS preemptions (iterative
 * context bounding): the first complete schedule that fails like the original (failures of other
 * kinds are passed over), so one with the fewest preemptions the budget reaches. At most `budget`
 * ticks over all bounds.
 */
function searchSmall(module: WebAssembly.Module, judge: Judge, enc: Encoded, budget: number): Uint8Array | undefined {
  const model = instance(module, SEARCH, enc);
  let found: Uint8Array | undefined;
  let left = budget;
  for (let bound = 0; bound <= PREEMPTIONS && !found && left > 0; bound++) {
    const r = searchBounded(model, {
      tasks: enc.threads.length, preemptions: bound, maxTicks: left,
      onFailure: (code, choices) => {
        if (judge.key(readOutcome(model, code)) !== judge.want) return false;
        found = choices();
        return true;
      },
    });
    left -= r.ticks;
    if (r.limit) break; // deeper than the snapshot slots: a wider bound goes no further
  }
  return found && judge.fails(found) ? found : undefined;
}
