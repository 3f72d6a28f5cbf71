/** Mutation: 1 to 4 stacked edits of a corpus entry, each picked by weight, then the CLI's
 *  validator. */

import { OPS, type FsType, type Prime, type OpName } from "../abi";
import { AXES, SeedError, ancestors, childOf, components, parentOf, treeKinds, validateSeedObject, FS_PRIMES, FS_LOOKUP_LOCKS, axisValue, type Axis, type Op, type SeedFile } from "../seed";
import { Rng } from "./rng";
import { AXIS_VALUES, LIMITS, NFS_ONLY, NFS_ONLY_OPS, type Allow } from "./options";
import { fitFs, fitSeries, seriesFits, toRaw } from "./corpus";

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
  return op.op === "rename" ? [op.from!, op.to!] : op.op === "kill" ? [] : [op.path!];
}

/** A kill op's target: another thread of `s` (not `self`), or undefined if there is none. */
function killTarget(rng: Rng, s: SeedFile, self?: string): string | undefined {
  const others = s.threads.map((t) => t.name).filter((n) => n !== self);
  return others.length ? rng.pick(others) : undefined;
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

/** The ops a mutant of `s` may get. */
const opsFor = (s: SeedFile): readonly OpName[] => (s.fs.type === "nfs" ? OPS : OPS.filter((o) => !NFS_ONLY_OPS.includes(o)));

/** A random op of `kind` for thread `self` (a kill names another thread; with none to name, a stat). */
function randomOp(rng: Rng, s: SeedFile, p: Pools, kind: OpName = rng.pick(opsFor(s)), self?: string): Op {
  if (kind === "kill") {
    const task = killTarget(rng, s, self);
    if (task !== undefined) return { op: "kill", task };
    kind = "stat";
  }
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
function repath(rng: Rng, s: SeedFile, p: Pools, op: Op, self?: string): Op {
  if (op.op !== "rename") return randomOp(rng, s, p, op.op, self);
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

export interface MutationContext {
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
    const what = (op: Op) => (op.op === "kill" ? `kill ${op.task}` : opPaths(op).join(" -> "));
    const before = what(t.ops[i]);
    t.ops[i] = repath(rng, s, pools(s), t.ops[i], t.name);
    return `${t.name}.ops[${i}] ${before} => ${what(t.ops[i])}`;
  }],
  [10, "op-kind", (s, rng) => {
    const t = rng.pick(s.threads);
    const i = rng.below(t.ops.length);
    const old = t.ops[i];
    const kind = rng.pick(opsFor(s).filter((k) => k !== old.op));
    const p = pools(s);
    if (kind === "rename" || old.op === "rename" || kind === "kill" || old.op === "kill") t.ops[i] = randomOp(rng, s, p, kind, t.name);
    else t.ops[i] = { op: kind, path: old.path === "/" && kind !== "stat" && kind !== "getdents" ? childOf("/", rng.pick(p.names)) : old.path };
    return `${t.name}.ops[${i}] ${old.op} => ${kind}`;
  }],
  [10, "add-op", (s, rng) => {
    const t = rng.pick(s.threads);
    if (t.ops.length >= LIMITS.ops) return undefined;
    const i = rng.below(t.ops.length + 1);
    t.ops.splice(i, 0, randomOp(rng, s, pools(s), undefined, t.name));
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
    if (from.ops.some((o) => o.op === "kill" && o.task === to.name)) return undefined;   // it would kill itself
    const [op] = from.ops.splice(rng.below(from.ops.length), 1);
    to.ops.splice(rng.below(to.ops.length + 1), 0, op);
    return `move ${op.op} ${from.name} -> ${to.name}`;
  }],
  [8, "add-thread", (s, rng) => {
    if (s.threads.length >= LIMITS.threads) return undefined;
    const name = unusedThreadName(s, rng);
    // Half the time a copy of a thread: same names, so the two race on every dentry.
    const ops = rng.chance(1, 2) ? structuredClone(rng.pick(s.threads).ops) : [randomOp(rng, s, pools(s), undefined, name)];
    s.threads.splice(rng.below(s.threads.length + 1), 0, { name, ops });
    return `+thread ${name} (${ops.map((o) => o.op).join(",")})`;
  }],
  [6, "drop-thread", (s, rng) => {
    if (s.threads.length < 2) return undefined;
    const k = rng.below(s.threads.length);
    // a thread another one kills stays (dropping it would leave a kill with no target)
    if (s.threads.some((x) => x.ops.some((o) => o.op === "kill" && o.task === s.threads[k].name))) return undefined;
    const [t] = s.threads.splice(k, 1);
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
        : a === "fs.ciLookup" ? v === "off" || (type === "nfs" && (v !== "drop-lock" || s.kernel.waitqueue === "var-event"))
        : NFS_ONLY.includes(a) ? v === false || type === "nfs" : true;
    const values = allowed(axis).filter((v) => v !== axisValue(s, axis) && (axis === "fs.type" || fits(s.fs.type, axis, v)) && seriesFits(s, axis, v));
    if (!values.length) return undefined;
    if (axis === "kernel.series") {
      // A new series takes what it allows (fitSeries), if --allow allows that too.
      const trial = structuredClone(s);
      trial.kernel.series = rng.pick(values) as SeedFile["kernel"]["series"];
      fitSeries(trial);
      if (!(["kernel.waitqueue", "fs.prime", "fs.lookupLocks", "fs.nfsPrepared"] as const).every((a) => allowed(a).includes(axisValue(trial, a)))) return undefined;
      s.kernel = trial.kernel;
      s.fs = trial.fs;
      return `${axis}=${s.kernel.series}`;
    }
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
  [4, "kill", (s, rng) => {
    // a thread (often a new one, as kill(2) from another process) sends SIGKILL to another
    const target = rng.pick(s.threads).name;
    if (rng.chance(1, 2) && s.threads.length < LIMITS.threads) {
      const name = unusedThreadName(s, rng);
      s.threads.splice(rng.below(s.threads.length + 1), 0, { name, ops: [{ op: "kill", task: target }] });
      return `+thread ${name} (kill ${target})`;
    }
    const killers = s.threads.filter((x) => x.name !== target && x.ops.length < LIMITS.ops);
    if (!killers.length) return undefined;
    const t = rng.pick(killers);
    const i = rng.below(t.ops.length + 1);
    t.ops.splice(i, 0, { op: "kill", task: target });
    return `${t.name} +op kill ${target} at ${i}`;
  }],
  [3, "ci-name", (s, rng) => {
    // fs.ciNames: a case-folded spelling of an existing file, stat'ed by a thread (xfs_vn_ci_lookup
    // -> d_add_ci: a nested d_alloc_parallel of the exact-case name)
    if (s.fs.type !== "nfs") return undefined;
    const kinds = treeKinds(s.tree);
    const files = [...kinds].filter(([q, k]) => k === "file" && q !== "/").map(([q]) => q);
    if (!files.length) return undefined;
    const exact = rng.pick(files);
    const name = components(exact).at(-1)!;
    const asked = name.toUpperCase() !== name ? name.toUpperCase() : `${name}_CI`;
    if (kinds.has(childOf(parentOf(exact), asked))) return undefined;
    s.fs.ciNames = { [asked]: name };
    if (s.fs.ciLookup === "off") s.fs.ciLookup = s.kernel.waitqueue === "var-event" && rng.chance(1, 2) ? "drop-lock" : "d_add_ci";
    const t = rng.pick(s.threads);
    if (t.ops.length >= LIMITS.ops) return undefined;
    t.ops.push({ op: "stat", path: childOf(parentOf(exact), asked) });
    return `fs.ciNames ${asked}=${name}, ${t.name} +stat ${childOf(parentOf(exact), asked)}`;
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
    // the donor's kill targets are the donor's threads: aim them at this file's
    for (const o of t.ops) if (o.op === "kill") o.task = killTarget(rng, s, t.name) ?? s.threads[0].name;
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

/** Keeps a mutant inside the rules of the nested-lookup knobs and ops (seed/rules.ts checkNested):
 *  ops moved onto another filesystem, a case-folded name that an op other than stat now names, a
 *  reconnected directory a directory operation now names, drop-lock beside an on-stack queue. */
function fitNested(s: SeedFile): void {
  fitFs(s);
  for (const t of s.threads) {
    for (const o of t.ops) {
      if (o.op === "stat") continue;
      for (const p of [o.path, o.from, o.to]) {
        if (p === undefined) continue;
        for (const c of components(p)) if (Object.hasOwn(s.fs.ciNames, c)) delete s.fs.ciNames[c];
      }
    }
  }
  const kinds = treeKinds(s.tree);
  const named = new Set(s.threads.flatMap((t) => t.ops.filter((o) => o.op !== "stat" && o.op !== "getdents" && o.op !== "decode-fh").flatMap(opPaths)));
  for (const t of s.threads) t.ops = t.ops.map((o) => (o.op === "decode-fh" && kinds.get(o.path!) === "dir" && named.has(o.path!) ? { op: "stat", path: o.path } : o));
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
  fitNested(s);
  try {
    return { input: validateSeedObject(toRaw(s)), log };
  } catch (e) {
    if (e instanceof SeedError) return { log, error: e };
    throw e;
  }
}
