/**
 * The seed-file fuzzer: mutate seed files, run each mutant for a small batch of schedules, keep
 * the mutants that reach kernel behaviour no earlier input reached (the model's coverage
 * bitmap, assembly/sim/coverage.ts), and turn every new kind of failure into a shrunk,
 * replayable counterexample. No node: imports; host/node/fuzz.ts is the command around it.
 *
 * Determinism. Every decision comes from one seeded PRNG (xoshiro128**, seeded through
 * splitmix64 from `--seed`) and from the model, which is deterministic. Nothing reads a clock:
 * the caller decides when to stop, so the same seed, corpus and options give the same inputs,
 * in the same order, and the same findings, exec for exec.
 *
 * One exec: one input, `schedules` schedules run inside wasm (half random, half PCT with the
 * input's run.seed and run.depth), the coverage bitmap read after the batch. With planted bugs
 * (the canary), each exec also runs the same input on the model without them, and a finding is
 * an input on which the two differ (see `Fuzzer` and docs/fuzzing.md).
 *
 * Mutants are valid by construction: a mutant is turned back into raw JSON and read by
 * `validateSeedObject`, the same reader the CLI uses; one it rejects is counted and dropped.
 */

import {
  FS_TYPES,
  ITERATES,
  SERIES,
  OPS,
  ORDERS,
  PRIMES,
  PRIME_OLD_NAMES,
  RWSEMS,
  STRATEGY_PCT,
  STRATEGY_RANDOM,
  VERDICT_RUNNING,
  WAITQUEUES,
  type CheckId,
  type FsType,
  type Prime,
  type OpName,
  type Plant,
  type Verdict,
} from "./abi";
import { searchBounded } from "./bounded";
import { edgesOf, keyOf, readOutcome, sameKey, type Outcome, type SameFailure } from "./outcome";
import { counterexample, shortHash } from "./report";
import { failureReport, type RunReport } from "./run";
import {
  AXES,
  SeedError,
  ancestors,
  childOf,
  components,
  encodeScenario,
  parentOf,
  serializeSeedFile,
  treeKinds,
  validateSeedObject,
  FS_PRIMES,
  FS_LOOKUP_LOCKS,
  variantAssignments,
  variantOf,
  axisValue,
  type Axis,
  type Op,
  type SeedFile,
  type StrategyName,
} from "./seed";
import { encodeSchedule } from "./schedule";
import { NothingToShrink, shrink as shrinkSchedule } from "./shrink";
import { Model, ModelTrap } from "./wasm";

// ---------------------------------------------------------------------------------------------
// PRNG

const MASK64 = (1n << 64n) - 1n;

/** splitmix64 (Steele, Lea, Flood 2014): expands one u64 seed into well-mixed words. */
export function splitmix64(state: bigint): { next: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return { next, value: z ^ (z >> 31n) };
}

/** xoshiro128** (Blackman, Vigna 2018) on 32-bit ints: the fuzzer's only source of choices. */
export class Rng {
  private s = new Uint32Array(4);

  constructor(seed: bigint) {
    let st = BigInt.asUintN(64, seed);
    for (let i = 0; i < 4; i += 2) {
      const r = splitmix64(st);
      st = r.next;
      this.s[i] = Number(r.value & 0xffffffffn);
      this.s[i + 1] = Number(r.value >> 32n);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** A uniform u32. */
  u32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, n), n >= 1 (rejection sampling, no modulo bias). */
  below(n: number): number {
    if (n <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % n;
    }
  }

  /** True with probability num/den. */
  chance(num: number, den: number): boolean {
    return this.below(den) < num;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** A u64 seed for a derived stream or a strategy. */
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Options

/** Per variant axis, the values the fuzzer may use (`--allow kernel.order=proposed`). */
export type Allow = Partial<Record<Axis, (string | boolean)[]>>;

export const AXIS_VALUES: Record<Axis, readonly (string | boolean)[]> = {
  "kernel.order": ORDERS,
  "kernel.rwsem": RWSEMS,
  "kernel.waitqueue": WAITQUEUES,
  "fs.type": FS_TYPES,
  "fs.prime": PRIMES,
  "fs.lookupLocks": [false, true],
  "fs.iterate": ITERATES,
  "fs.atomicOpen": [false, true],
  "fs.nfsPrepared": [false, true],
  // Not varied: vfs-7.4 differs from aug-2025 only in its wait queue (varied above) and in what it
  // rejects, so a series mutation would find nothing new and mostly make invalid mutants.
  "kernel.series": SERIES.slice(0, 1),
  "fs.needReval": [false, true],
};

/** Axes that only nfs may set true (the seed-file reader rejects them on procfs). */
const NFS_ONLY: readonly Axis[] = ["fs.atomicOpen", "fs.nfsPrepared"];

/** Reads `axis=v1,v2` into `allow` (merging with earlier values for the same axis). Throws
 *  SeedError with the axis as the path. */
export function parseAllow(spec: string, allow: Allow = {}): Allow {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new SeedError("", `expected axis=value[,value...], e.g. kernel.order=proposed; got ${JSON.stringify(spec)}`);
  const axis = spec.slice(0, eq);
  if (!(AXES as string[]).includes(axis)) throw new SeedError("", `unknown variant axis ${JSON.stringify(axis)}; expected one of ${AXES.join(", ")}`);
  const legal = AXIS_VALUES[axis as Axis];
  const values: (string | boolean)[] = [];
  for (const text of spec.slice(eq + 1).split(",")) {
    const name = axis === "fs.prime" && Object.hasOwn(PRIME_OLD_NAMES, text) ? PRIME_OLD_NAMES[text] : text;   // d_alloc_noblock
    const v = legal.find((x) => String(x) === name);
    if (v === undefined) throw new SeedError(axis, `unknown value ${JSON.stringify(text)}; expected one of ${legal.map(String).join(", ")}`);
    if (!values.includes(v)) values.push(v);
  }
  const merged = [...(allow[axis as Axis] ?? [])];
  for (const v of values) if (!merged.includes(v)) merged.push(v);
  // Keep the axis's own order, so `a,b` and `b,a` fuzz the same way.
  return { ...allow, [axis]: legal.filter((x) => merged.includes(x)) };
}

export interface FuzzOptions {
  seed: bigint;
  allow: Allow;
  /** planted bugs added to every input; non-empty turns on the differential (canary) mode */
  plant: Plant[];
  /** schedules per exec (half random, half PCT) */
  schedules: number;
}

/** Caps the mutators keep to (the model allows more; small inputs keep schedules short and the
 *  state space searchable). A corpus file may exceed them; mutants never grow past them. */
export const LIMITS = { threads: 5, ops: 4, treeEntries: 10, depth: 4, checkPreemptions: 3 } as const;

/** Schedules a candidate gets to show a failure again while shrinking (half random, half PCT). */
const REPRODUCE_SCHEDULES = 1024;
/** Exhaustive checks (differential confirmation, schedule minimisation) stop after this many. */
const DFS_MAX_SCHEDULES = 200_000;
/** Differential mode: give up on a (direction, key) after this many unconfirmed candidates. */
const MAX_UNCONFIRMED = 8;

// ---------------------------------------------------------------------------------------------
// Outcomes

/** An outcome with the schedule that led to it and the strategy that ran it. */
export interface FuzzOutcome extends Outcome {
  choices?: Uint8Array;
  strategy?: StrategyName;
}

// ---------------------------------------------------------------------------------------------
// Running inputs

/** Coverage bits set in `a` and not in `b`. */
function newBits(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += popcount8(a[i] & ~b[i]);
  return n;
}

function popcount8(x: number): number {
  x = x - ((x >> 1) & 0x55);
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (x + (x >> 4)) & 0x0f;
}

export function coverageCount(bits: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) n += popcount8(bits[i]);
  return n;
}

/** One model instance, reloaded per input; rebuilt after a trap (a trap leaves it mid-step). */
class Runner {
  private model: Model;

  constructor(private module: WebAssembly.Module) {
    this.model = new Model(module);
  }

  get current(): Model {
    return this.model;
  }

  load(words: Int32Array): Model {
    this.model.load(words);
    return this.model;
  }

  reset(): void {
    this.model = new Model(this.module);
  }

  /**
   * Runs up to `schedules` schedules of the loaded input: the first half random, the rest PCT
   * with bug depth `depth` and k from the random half's mean length. Stops at the first failure
   * whose key `accept` accepts (default: any failure) and returns it; undefined if none.
   */
  batch(seed: bigint, depth: number, schedules: number, accept?: SameFailure): FuzzOutcome | undefined {
    const x = this.model.x;
    const half = Math.max(1, schedules >> 1);
    const rest = schedules - half;
    const t0 = x.ticks_total();
    const random = this.scan(STRATEGY_RANDOM, seed, 0, half, 0, 0, accept);
    if (random) return { ...random, strategy: "random" };
    if (rest <= 0) return undefined;
    const mean = Number(x.ticks_total() - t0) / half;
    const k = Math.max(1, Math.ceil(mean * 1.5));
    const pct = this.scan(STRATEGY_PCT, seed, half, rest, depth, k, accept);
    return pct ? { ...pct, strategy: "pct" } : undefined;
  }

  private scan(strategy: number, seed: bigint, first: number, count: number, depth: number, k: number, accept?: SameFailure): FuzzOutcome | undefined {
    const x = this.model.x;
    let done = 0;
    while (done < count) {
      const hit = x.run_batch(strategy, seed, first + done, count - done, depth, k);
      if (hit < 0) return undefined;
      const o = readOutcome(this.model, this.model.x.verdict());
      if (!accept || accept(o)) return { ...o, choices: this.model.choices() };
      done += hit + 1;
    }
    return undefined;
  }

  /** Replays `choices` on the loaded input: the outcome, or undefined if the schedule does not
   *  fit (a choice names a task that cannot run) or ends before the run does. */
  replay(choices: Uint8Array): FuzzOutcome | undefined {
    this.model.setChoices(choices);
    const code = this.model.x.run_replay(choices.length);
    if (code < -1 || code === VERDICT_RUNNING) return undefined;
    const o = readOutcome(this.model, code);
    return o.verdict === "ok" ? undefined : { ...o, choices };
  }

  /**
   * Every outcome reachable within `preemptions` preemptions (bounded.ts, going on past
   * failures and collecting one schedule per key). Stops early at `stopAt`, or after
   * `maxSchedules` schedules (then not exhaustive).
   */
  outcomes(nTasks: number, preemptions: number, maxSchedules: number, stopAt?: string): { found: Map<string, FuzzOutcome>; schedules: number; exhaustive: boolean; limit?: string } {
    const found = new Map<string, FuzzOutcome>();
    const r = searchBounded(this.model, {
      tasks: nTasks, preemptions, maxSchedules,
      onFailure: (code, choices) => {
        const o = readOutcome(this.model, code);
        const key = keyOf(o);
        if (!found.has(key)) found.set(key, { ...o, choices: choices(), strategy: "dfs" });
        return key === stopAt;
      },
    });
    return { found, schedules: r.schedules, exhaustive: r.exhaustive, ...(r.limit ? { limit: r.limit } : {}) };
  }
}

// ---------------------------------------------------------------------------------------------
// Corpus preparation

export interface CorpusFile {
  file: string;
  seed: SeedFile;
}

/** The input form the fuzzer works on: no plant (added per run), no expectations, no variants
 *  (expanded), no recorded schedule; axes outside `allow` moved to their first allowed value. */
export function normalize(s: SeedFile, allow: Allow): SeedFile {
  const c = structuredClone(s);
  c.plant = [];
  c.variants = {};
  c.expect = [];
  delete c.schedule;
  c.run = { ...c.run, strategy: "random" };
  for (const axis of AXES) {
    const allowed = allow[axis];
    if (!allowed) continue;
    const [group, key] = axis.split(".") as ["kernel" | "fs", string];
    const obj = c[group] as unknown as Record<string, string | boolean>;
    if (!allowed.includes(axisValue(c, axis))) obj[key] = allowed[0];
  }
  fitFs(c);
  return c;
}

/** procfs has no ->atomic_open and no NFS preparation: drop them when the type is not nfs. */
function fitFs(s: SeedFile): void {
  if (s.fs.type === "nfs") return;
  if (s.fs.atomicOpen === true) delete s.fs.atomicOpen;
  s.fs.nfsPrepared = false;
}

/** Every variant of every corpus file, normalized, duplicates dropped, in file order. */
export function prepareCorpus(files: CorpusFile[], allow: Allow): { name: string; seed: SeedFile }[] {
  const out: { name: string; seed: SeedFile }[] = [];
  const seen = new Set<string>();
  for (const { file, seed } of files) {
    for (const v of variantAssignments(seed)) {
      const n = normalize(variantOf(seed, v), allow);
      // --allow can ask for a priming call (or lookup locks) this file's filesystem has not got.
      if (!FS_PRIMES[n.fs.type].includes(n.fs.prime) || (n.fs.lookupLocks && !FS_LOOKUP_LOCKS.includes(n.fs.type)) || (n.fs.needReval && n.fs.type !== "smb")) continue;
      const text = canonical(n);
      if (seen.has(text)) continue;
      seen.add(text);
      const tag = Object.values(v).map(String).join(",");
      out.push({ name: tag ? `${file} (${tag})` : file, seed: n });
    }
  }
  return out;
}

/** `run` as a seed file writes it: schedules 0 (the strategy's default) is left out, as
 *  serializeSeedFile does, since the reader takes only an explicit budget of 1 or more. */
function rawRun(run: SeedFile["run"]): Record<string, unknown> {
  const { schedules, ...rest } = run;
  return { ...rest, seed: run.seed.toString(), ...(schedules ? { schedules } : {}) };
}

/** Invalid mutants in a row after which step() gives up (a mutator or toRaw is broken). */
const MAX_REJECTED_IN_A_ROW = 10_000;

/** The raw JSON object of a seed file, as validateSeedObject reads it. */
export function toRaw(s: SeedFile): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    vfsim: 1,
    name: s.name,
    about: s.about,
    kernel: { ...s.kernel },
    fs: { ...s.fs },
    tree: structuredClone(s.tree),
    cached: [...s.cached],
    threads: s.threads.map((t) => ({ name: t.name, ops: t.ops.map((o) => ({ ...o })) })),
    checks: s.checks === "all" ? "all" : [...s.checks],
    plant: [...s.plant],
    variants: {},
    expect: [],
    run: rawRun(s.run),
  };
  if (s.schedule !== undefined) raw.schedule = s.schedule;
  return raw;
}

/** Identity of an input for deduplication (name and about excluded). */
function canonical(s: SeedFile): string {
  return JSON.stringify({ ...toRaw(s), name: "", about: "" });
}

// ---------------------------------------------------------------------------------------------
// Mutation

/** Names the fuzzer may invent, besides those already in the input: short ones that read well
 *  in a trace, and pid-like ones for procfs. */
const FRESH_NAMES = ["x", "y", "z", "a", "b", "sub", "1", "7", "999", "1234"];
const THREAD_NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");

interface Pools {
  names: string[];
  dirs: string[];
  paths: string[];
}

function opPaths(op: Op): string[] {
  return op.op === "rename" ? [op.from!, op.to!] : [op.path!];
}

function pools(s: SeedFile): Pools {
  const kinds = treeKinds(s.tree);
  const names = new Set<string>(FRESH_NAMES);
  const dirs = new Set<string>();
  const paths = new Set<string>();
  for (const [p, kind] of kinds) {
    if (kind === "dir") dirs.add(p);
    if (p !== "/") paths.add(p);
  }
  for (const p of [...s.cached, ...s.threads.flatMap((t) => t.ops.flatMap(opPaths))]) {
    paths.add(p);
    if (p !== "/") dirs.add(parentOf(p));
  }
  for (const p of paths) for (const c of components(p)) names.add(c);
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { names: [...names].sort(byText), dirs: [...dirs].sort(byText), paths: [...paths].sort(byText) };
}

/** A path for an op: often one another thread already uses (the collisions that make races),
 *  else an existing entry, else a name (known or fresh) in a known directory. */
function randomPath(rng: Rng, s: SeedFile, p: Pools, opts: { dir?: boolean } = {}): string {
  const others = s.threads.flatMap((t) => t.ops.flatMap(opPaths));
  const roll = rng.below(10);
  let path: string;
  if (opts.dir && roll < 6) path = rng.pick(p.dirs);
  else if (roll < 4 && others.length) path = rng.pick(others);
  else if (roll < 7 && p.paths.length) path = rng.pick(p.paths);
  else path = childOf(rng.pick(p.dirs), rng.pick(p.names));
  if (components(path).length > LIMITS.depth) path = childOf(rng.pick(p.dirs.filter((d) => components(d).length < LIMITS.depth)), rng.pick(p.names));
  return path;
}

function randomOp(rng: Rng, s: SeedFile, p: Pools, kind: OpName = rng.pick(OPS)): Op {
  if (kind === "rename") {
    let from = randomPath(rng, s, p);
    if (from === "/") from = childOf(rng.pick(p.dirs), rng.pick(p.names));
    let to = childOf(parentOf(from), rng.pick(p.names));
    if (to === from) to = childOf(parentOf(from), rng.pick(p.names.filter((n) => childOf(parentOf(from), n) !== from)));
    return { op: "rename", from, to };
  }
  let path = randomPath(rng, s, p, { dir: kind === "getdents" });
  if (path === "/" && kind !== "stat" && kind !== "getdents") path = childOf("/", rng.pick(p.names));
  return { op: kind, path };
}

/** The same op with its path(s) moved: a rename keeps both ends in one directory. */
function repath(rng: Rng, s: SeedFile, p: Pools, op: Op): Op {
  if (op.op !== "rename") return randomOp(rng, s, p, op.op);
  if (rng.chance(1, 2)) {
    const to = childOf(parentOf(op.from!), rng.pick(p.names));
    return to === op.from ? op : { ...op, to };
  }
  return randomOp(rng, s, p, "rename");
}

function unusedThreadName(s: SeedFile, rng: Rng): string {
  const used = new Set(s.threads.map((t) => t.name));
  const free = THREAD_NAMES.filter((n) => !used.has(n));
  return free.length ? rng.pick(free) : `T${s.threads.length}`;
}

function treeEntries(s: SeedFile): number {
  return [...treeKinds(s.tree).keys()].length - 1;
}

type Mutator = (s: SeedFile, rng: Rng, ctx: MutationContext) => string | undefined;

interface MutationContext {
  allow: Allow;
  /** another corpus input, for splicing */
  donor: () => SeedFile;
}

/** Each mutator edits `s` in place and returns what it did (for the exec log), or undefined
 *  when it does not apply to this input. Weights are relative frequencies. */
const MUTATORS: [number, string, Mutator][] = [
  [20, "path", (s, rng) => {
    const t = rng.pick(s.threads);
    const i = rng.below(t.ops.length);
    const before = opPaths(t.ops[i]).join(" -> ");
    t.ops[i] = repath(rng, s, pools(s), t.ops[i]);
    return `${t.name}.ops[${i}] ${before} => ${opPaths(t.ops[i]).join(" -> ")}`;
  }],
  [10, "op-kind", (s, rng) => {
    const t = rng.pick(s.threads);
    const i = rng.below(t.ops.length);
    const old = t.ops[i];
    const kind = rng.pick(OPS.filter((k) => k !== old.op));
    const p = pools(s);
    if (kind === "rename" || old.op === "rename") t.ops[i] = randomOp(rng, s, p, kind);
    else t.ops[i] = { op: kind, path: old.path === "/" && kind !== "stat" && kind !== "getdents" ? childOf("/", rng.pick(p.names)) : old.path };
    return `${t.name}.ops[${i}] ${old.op} => ${kind}`;
  }],
  [10, "add-op", (s, rng) => {
    const t = rng.pick(s.threads);
    if (t.ops.length >= LIMITS.ops) return undefined;
    const i = rng.below(t.ops.length + 1);
    t.ops.splice(i, 0, randomOp(rng, s, pools(s)));
    return `${t.name} +op ${t.ops[i].op} at ${i}`;
  }],
  [8, "drop-op", (s, rng) => {
    const t = rng.pick(s.threads);
    if (t.ops.length < 2) return undefined;
    const i = rng.below(t.ops.length);
    t.ops.splice(i, 1);
    return `${t.name} -op ${i}`;
  }],
  [6, "swap-ops", (s, rng) => {
    const t = rng.pick(s.threads);
    if (t.ops.length < 2) return undefined;
    const i = rng.below(t.ops.length - 1);
    [t.ops[i], t.ops[i + 1]] = [t.ops[i + 1], t.ops[i]];
    return `${t.name} swap ops ${i},${i + 1}`;
  }],
  [4, "move-op", (s, rng) => {
    if (s.threads.length < 2) return undefined;
    const a = rng.below(s.threads.length);
    const b = (a + 1 + rng.below(s.threads.length - 1)) % s.threads.length;
    const from = s.threads[a], to = s.threads[b];
    if (from.ops.length < 2 || to.ops.length >= LIMITS.ops) return undefined;
    const [op] = from.ops.splice(rng.below(from.ops.length), 1);
    to.ops.splice(rng.below(to.ops.length + 1), 0, op);
    return `move ${op.op} ${from.name} -> ${to.name}`;
  }],
  [8, "add-thread", (s, rng) => {
    if (s.threads.length >= LIMITS.threads) return undefined;
    const name = unusedThreadName(s, rng);
    // Half the time a copy of a thread: same names, so the two race on every dentry.
    const ops = rng.chance(1, 2) ? structuredClone(rng.pick(s.threads).ops) : [randomOp(rng, s, pools(s))];
    s.threads.splice(rng.below(s.threads.length + 1), 0, { name, ops });
    return `+thread ${name} (${ops.map((o) => o.op).join(",")})`;
  }],
  [6, "drop-thread", (s, rng) => {
    if (s.threads.length < 2) return undefined;
    const [t] = s.threads.splice(rng.below(s.threads.length), 1);
    return `-thread ${t.name}`;
  }],
  [4, "swap-threads", (s, rng) => {
    if (s.threads.length < 2) return undefined;
    const i = rng.below(s.threads.length - 1);
    [s.threads[i], s.threads[i + 1]] = [s.threads[i + 1], s.threads[i]];
    return `swap threads ${i},${i + 1}`;
  }],
  [8, "cached", (s, rng) => {
    const kinds = treeKinds(s.tree);
    // Cachable: any path whose ancestors are existing directories (a missing leaf is a
    // negative dentry).
    const p = pools(s);
    const candidates = p.paths.filter((q) => ancestors(q).every((a) => kinds.get(a) === "dir"));
    if (!candidates.length) return undefined;
    const q = rng.pick(candidates);
    const at = s.cached.indexOf(q);
    if (at >= 0) {
      // Uncache q and everything cached below it (their ancestors must stay cached).
      s.cached = s.cached.filter((c) => c !== q && !c.startsWith(q + "/"));
      return `uncache ${q}`;
    }
    s.cached.push(q);
    return `cache ${q}`;
  }],
  [8, "tree", (s, rng) => {
    const kinds = treeKinds(s.tree);
    const dirs = [...kinds].filter(([, k]) => k === "dir").map(([q]) => q);
    const entries = [...kinds.keys()].filter((q) => q !== "/" && kinds.get(q) === "file");
    if (rng.chance(1, 2) && treeEntries(s) < LIMITS.treeEntries) {
      // A new entry on the server: a known or fresh name in a known directory.
      const dir = rng.pick(dirs.filter((d) => components(d).length < LIMITS.depth));
      const name = rng.pick(pools(s).names);
      if (kinds.has(childOf(dir, name))) return undefined;
      (s.tree[dir] ??= []).push(name);
      return `tree +${childOf(dir, name)}`;
    }
    if (!entries.length) return undefined;
    const q = rng.pick(entries);
    const dir = parentOf(q);
    s.tree[dir] = (s.tree[dir] ?? []).filter((n) => n !== components(q).at(-1));
    s.cached = s.cached.filter((c) => c !== q && !c.startsWith(q + "/"));
    return `tree -${q}`;
  }],
  [10, "variant", (s, rng, ctx) => {
    const axes = AXES.filter((a) => (ctx.allow[a] ?? AXIS_VALUES[a]).length > 1);
    if (!axes.length) return undefined;
    const axis = rng.pick(axes);
    const [group, key] = axis.split(".") as ["kernel" | "fs", string];
    const obj = s[group] as unknown as Record<string, string | boolean>;
    const allowed = (a: Axis) => ctx.allow[a] ?? AXIS_VALUES[a];
    // Only values the filesystem can use (FS_PRIMES, FS_LOOKUP_LOCKS): a priming call it has,
    // lookup locks only where its ->lookup has lock_lookup.
    const fits = (type: FsType, a: Axis, v: string | boolean) =>
      a === "fs.prime" ? FS_PRIMES[type].includes(v as Prime)
        : a === "fs.lookupLocks" ? v === false || FS_LOOKUP_LOCKS.includes(type)
        : a === "fs.needReval" ? v === false || type === "smb"
        : NFS_ONLY.includes(a) ? v === false || type === "nfs" : true;
    const values = allowed(axis).filter((v) => v !== axisValue(s, axis) && (axis === "fs.type" || fits(s.fs.type, axis, v)));
    if (!values.length) return undefined;
    obj[key] = rng.pick(values);
    if (axis !== "fs.type") return `${axis}=${obj[key]}`;
    // A new filesystem keeps the priming call and lookup locks if it can, else takes allowed ones it can use.
    const type = s.fs.type;
    const log = [`${axis}=${type}`];
    for (const a of ["fs.prime", "fs.lookupLocks", "fs.needReval"] as const) {
      const k = a.slice(3);
      const fs = s.fs as unknown as Record<string, string | boolean>;
      if (fits(type, a, fs[k])) continue;
      const ok = allowed(a).filter((v) => fits(type, a, v));
      if (!ok.length) return undefined;
      fs[k] = rng.pick(ok);
      log.push(`${a}=${fs[k]}`);
    }
    fitFs(s);   // leaving nfs: ->atomic_open and the NFS preparation go with it
    return log.join(" ");
  }],
  [8, "strategy", (s, rng) => {
    if (rng.chance(2, 3)) {
      s.run.seed = BigInt(rng.u32());
      return `run.seed=${s.run.seed}`;
    }
    s.run.depth = 1 + rng.below(4);
    return `run.depth=${s.run.depth}`;
  }],
  [5, "splice", (s, rng, ctx) => {
    if (s.threads.length >= LIMITS.threads) return undefined;
    const donor = ctx.donor();
    const t = structuredClone(rng.pick(donor.threads));
    t.ops = t.ops.slice(0, LIMITS.ops);
    t.name = unusedThreadName(s, rng);
    s.threads.splice(rng.below(s.threads.length + 1), 0, t);
    return `splice ${t.name} (${t.ops.map((o) => o.op).join(",")}) from ${donor.name}`;
  }],
];

const TOTAL_WEIGHT = MUTATORS.reduce((n, [w]) => n + w, 0);

function pickMutator(rng: Rng): [string, Mutator] {
  let r = rng.below(TOTAL_WEIGHT);
  for (const [w, name, m] of MUTATORS) {
    if (r < w) return [name, m];
    r -= w;
  }
  throw new Error("unreachable");
}

/** 1 to 4 stacked mutations of `parent`, then the CLI's validator. Returns the mutant and what
 *  was done, or an error when the validator rejects it. */
export function mutate(parent: SeedFile, rng: Rng, ctx: MutationContext): { input?: SeedFile; log: string[]; error?: SeedError } {
  const s = structuredClone(parent);
  const n = 1 + (rng.chance(1, 2) ? 0 : rng.chance(1, 2) ? 1 : rng.chance(1, 2) ? 2 : 3);
  const log: string[] = [];
  for (let tries = 0; log.length < n && tries < 8 * n; tries++) {
    const [, m] = pickMutator(rng);
    const did = m(s, rng, ctx);
    if (did !== undefined) log.push(did);
  }
  if (log.length === 0) {
    // Every pick fell on a mutator that does not apply here; a new strategy seed always does.
    s.run.seed = BigInt(rng.u32());
    log.push(`run.seed=${s.run.seed}`);
  }
  try {
    return { input: validateSeedObject(toRaw(s)), log };
  } catch (e) {
    if (e instanceof SeedError) return { log, error: e };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Shrinking

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

// ---------------------------------------------------------------------------------------------
// The fuzzer

export interface CorpusEntry {
  id: number;
  name: string;
  input: SeedFile;
  /** coverage bits this entry was first to reach */
  newBits: number;
  /** exec that added it (0: the starting corpus) */
  exec: number;
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

export interface ExecRecord {
  exec: number;
  /** corpus entry mutated (-1: a starting-corpus run) */
  parent: number;
  mutations: string[];
  input: SeedFile;
  /** the outcome that stopped the batch, as a key ("ok" when every schedule passed) */
  outcome: string;
  /** differential mode: the model without the plant */
  reference?: string;
  newBits: number;
  finding?: Finding;
}

export interface FuzzStats {
  execs: number;
  /** mutants the validator rejected (not run, not counted as execs) */
  invalid: number;
  corpus: number;
  coverage: number;
  findings: number;
  /** failing execs whose key was already known */
  duplicates: number;
  /** differential mode: execs where the two models stopped on different keys (new keys only) */
  candidates: number;
  /** differential mode: candidates that passed the cheap test but not the exhaustive one */
  unconfirmed: number;
  /** schedules run while shrinking and confirming */
  shrinkSchedules: number;
}

/**
 * Without planted bugs: an exec fails when any schedule of its batch does not end ok; the first
 * failure per key is shrunk and reported.
 *
 * With planted bugs (the canary): each exec runs the input twice, with and without the plants,
 * on the same schedule seeds. Where the two batches stop on different keys, the failing side is
 * shrunk and then confirmed by exhaustive search within LIMITS.checkPreemptions preemptions:
 * "introduced" if the planted model fails with key K and the reference model reaches no K in
 * any bounded schedule, "masked" if the reference fails with K and the planted model cannot.
 * Failures both models share are real findings of the model, not of the plant, and are not
 * reported in this mode.
 */
export class Fuzzer {
  readonly corpus: CorpusEntry[] = [];
  readonly findings: Finding[] = [];
  readonly stats: FuzzStats = { execs: 0, invalid: 0, corpus: 0, coverage: 0, findings: 0, duplicates: 0, candidates: 0, unconfirmed: 0, shrinkSchedules: 0 };
  readonly coverage: Uint8Array;
  private rng: Rng;
  private runner: Runner;
  private pending: { name: string; seed: SeedFile }[];
  private keys = new Set<string>();
  private attempts = new Map<string, number>();
  private readonly differential: boolean;

  constructor(private readonly module: WebAssembly.Module, start: { name: string; seed: SeedFile }[], readonly opts: FuzzOptions) {
    if (start.length === 0) throw new SeedError("", "the corpus is empty; the fuzzer needs at least one seed file");
    this.rng = new Rng(opts.seed);
    this.runner = new Runner(module);
    this.coverage = new Uint8Array(this.runner.current.x.coverage_bytes());
    this.pending = [...start];
    this.differential = opts.plant.length > 0;
  }

  /** One exec: the next starting-corpus input while any is left, then a mutant of a corpus
   *  entry. Invalid mutants are counted and replaced, so every call runs exactly one input. */
  step(): ExecRecord {
    let parent = -1;
    let mutations: string[] = [];
    let input: SeedFile | undefined;
    let name = "";
    const first = this.pending.shift();
    if (first) {
      input = first.seed;
      name = first.name;
    }
    for (let rejected = 0; !input; ) {
      parent = this.rng.below(this.corpus.length);
      const ctx: MutationContext = { allow: this.opts.allow, donor: () => this.corpus[this.rng.below(this.corpus.length)].input };
      const m = mutate(this.corpus[parent].input, this.rng, ctx);
      if (m.error || !m.input) {
        this.stats.invalid++;
        // a fuzzer bug, not bad luck: mutants are mostly valid (stats.invalid is a few percent)
        if (++rejected >= MAX_REJECTED_IN_A_ROW) throw new Error(`fuzz: ${rejected} mutants in a row were invalid seed files; the last: ${m.error?.message}`);
        continue;
      }
      input = m.input;
      mutations = m.log;
    }
    const exec = ++this.stats.execs;
    const rec = this.run(exec, parent, mutations, input);
    if (rec.newBits > 0 || parent < 0) {
      const id = this.corpus.length;
      const entryName = parent < 0 ? name : `exec-${exec}`;
      this.corpus.push({ id, name: entryName, input: { ...input, name: parent < 0 ? input.name : `fuzz-${exec}` }, newBits: rec.newBits, exec: parent < 0 ? 0 : exec });
    }
    this.stats.corpus = this.corpus.length;
    this.stats.coverage = coverageCount(this.coverage);
    return rec;
  }

  private words(s: SeedFile, planted: boolean): Int32Array {
    return encodeScenario(planted ? { ...s, plant: this.opts.plant } : s).words;
  }

  private run(exec: number, parent: number, mutations: string[], input: SeedFile): ExecRecord {
    const rec: ExecRecord = { exec, parent, mutations, input, outcome: "ok", newBits: 0 };
    const x = () => this.runner.current.x;
    const bits = new Uint8Array(this.coverage.length);
    const batch = (planted: boolean): FuzzOutcome | undefined | ModelTrap => {
      try {
        this.runner.load(this.words(input, planted));
        x().coverage_reset();
        const o = this.runner.batch(input.run.seed, input.run.depth, this.opts.schedules);
        const c = this.runner.current.coverage();
        for (let i = 0; i < bits.length; i++) bits[i] |= c[i];
        return o;
      } catch (e) {
        if (!(e instanceof ModelTrap)) throw e;
        const choices = this.runner.current.choices();
        this.runner.reset();
        return Object.assign(e, { choices });
      }
    };
    const main = batch(this.differential);
    const reference = this.differential ? batch(false) : undefined;
    rec.newBits = newBits(bits, this.coverage);
    for (let i = 0; i < bits.length; i++) this.coverage[i] |= bits[i];

    if (main instanceof ModelTrap || reference instanceof ModelTrap) {
      const trap = (main instanceof ModelTrap ? main : reference) as ModelTrap & { choices: Uint8Array };
      rec.outcome = `model-trap`;
      rec.finding = this.trapFinding(exec, input, trap, main instanceof ModelTrap && this.differential);
      return rec;
    }
    rec.outcome = main ? keyOf(main) : "ok";
    if (!this.differential) {
      if (main) rec.finding = this.failure(exec, input, "failure", main, false);
      return rec;
    }
    rec.reference = reference ? keyOf(reference) : "ok";
    if (rec.outcome === rec.reference) return rec;
    // The two models stopped differently on the same seeds: a candidate. Masked means the
    // planted model runs clean where the reference fails, so a planted batch that failed in
    // any way cannot show one.
    if (main) rec.finding = this.failure(exec, input, "introduced", main, true);
    else if (reference) rec.finding = this.failure(exec, input, "masked", reference, false);
    return rec;
  }

  /** A failure of `input` (on the planted model if `planted`): if its key is new, shrink it,
   *  confirm it (differential mode), and record it. */
  private failure(exec: number, input: SeedFile, kind: FindingKind, o: FuzzOutcome, planted: boolean): Finding | undefined {
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
    this.findings.push(finding);
    this.stats.findings = this.findings.length;
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
      return `The model ${other} never fails this way: exhaustive search of its ${r.schedules} schedules with at most ${LIMITS.checkPreemptions} preemptions${seen}.`;
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
      `Shrunk from ${original.threads.length} threads and ${opCount(original)} ops to ${s.threads.length} and ${opCount(s)}.`,
      confirmation,
    ].filter(Boolean).join(" ");
    // `vfsim run` of the file searches every schedule with as many preemptions as the recorded one.
    const preemptions = Math.max(LIMITS.checkPreemptions, model.x.preemptions());
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

  private trapFinding(exec: number, input: SeedFile, trap: ModelTrap & { choices: Uint8Array }, planted: boolean): Finding | undefined {
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
    this.findings.push(finding);
    this.stats.findings = this.findings.length;
    return finding;
  }
}

const EDGE_SLUG: Record<string, string> = { "in-lookup wait": "inlookup", "rwsem read": "read", "rwsem write": "write", "lookup lock": "lookuplock", "dying dir": "dying" };

function slugOf(o: FuzzOutcome): string {
  if (o.verdict === "violation") return o.invariant!;
  if (o.verdict === "deadlock") return ["deadlock", ...(edgesOf(o.cycle) ?? []).map((e) => EDGE_SLUG[e] ?? e.replace(/\W+/g, ""))].join("-");
  return o.verdict;
}

