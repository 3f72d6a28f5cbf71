/**
 * Seed files: the schema, validation with path-precise errors, `--set` overrides, variants and
 * expectations, stable serialization, and encoding to the scenario words of abi.ts.
 *
 * The schema is a tree of `Spec`s (the field walker below). One tree serves three purposes:
 * reading a raw JSON value into a typed `SeedFile` (with defaults), naming the offending field
 * when that fails, and steering `--set` paths so a typo is caught before anything runs.
 *
 * Rules that tie fields together (unique thread names, cached paths vs the tree, expectations vs
 * threads and checks, the recorded schedule vs the thread count, model capacities) are checked
 * after the walk, in `checkSeed`.
 *
 * Reference for users: docs/seed-files.md. Keep the two in step.
 */

import {
  ABI_VERSION,
  CHECKS,
  CHECKS_ALL,
  FS_TYPES,
  H,
  ITERATES,
  HEADER_WORDS,
  MAX_NAMES,
  MAX_OPS,
  MAX_PATHS,
  MAX_PATH_LEN,
  MAX_TASKS,
  MAX_TREE,
  OPS,
  OP_WORDS,
  ORDERS,
  PLANTS,
  PRIMES,
  PRIME_OLD_NAMES,
  RWSEMS,
  SCENARIO_WORDS,
  SERIES,
  VERDICTS,
  WAITQUEUES,
  type CheckId,
  type FsType,
  type Iterate,
  type OpName,
  type Order,
  type Plant,
  type Prime,
  type RwsemPolicy,
  type Series,
  type Verdict,
  type WaitQueue,
} from "./abi";
import { decodeSchedule } from "./schedule";

// ---------------------------------------------------------------------------------------------
// Types

export interface Op {
  op: OpName;
  path?: string; // every op but rename
  from?: string; // rename only
  to?: string; // rename only
}

export interface Thread {
  name: string;
  ops: Op[];
}

export interface Expectation {
  when?: Record<string, string | boolean>;
  verdict: Verdict | "inconclusive";
  invariant?: CheckId;
  cycle?: string[];
}

export interface RunOptions {
  strategy: "random" | "pct" | "dfs";
  seed: bigint;
  schedules: number;
  depth: number;
  preemptions: number;
  ticks: number;
}

export interface SeedFile {
  vfsim: 1;
  name: string;
  about: string;
  kernel: { order: Order; rwsem: RwsemPolicy; waitqueue: WaitQueue; series: Series };
  fs: { type: FsType; prime: Prime; lookupLocks: boolean; iterate: Iterate; atomicOpen?: boolean; nfsPrepared: boolean; needReval: boolean };
  tree: Record<string, string[]>;
  cached: string[];
  threads: Thread[];
  checks: "all" | CheckId[];
  plant: Plant[];
  variants: Record<string, (string | boolean)[]>;
  expect: Expectation[];
  run: RunOptions;
  schedule?: string;
}

export const STRATEGIES = ["random", "pct", "dfs"] as const;

/** Bad input. `path` names the field in JS-ish syntax (`threads[1].ops[0].op`), "" for the file. */
export class SeedError extends Error {
  constructor(
    public path: string,
    public detail: string,
  ) {
    super(`${path === "" ? "seed file" : path}: ${detail}`);
    this.name = "SeedError";
  }
}

// ---------------------------------------------------------------------------------------------
// The field walker

/** A schema node: reads one raw JSON value found at field path `at`, or throws a SeedError. */
interface Spec<T> {
  read(raw: unknown, at: string): T;
  /** How a `--set` path goes one level below this node; absent for leaves. */
  below?: Below;
}

type Below =
  | { kind: "fields"; fields: Record<string, Spec<unknown>> }
  | { kind: "items"; item: Spec<unknown> }
  | { kind: "keys"; value: (key: string) => Spec<unknown>; keys?: readonly string[]; keyNoun: string };

interface FieldDef<T> {
  spec: Spec<T>;
  required?: boolean;
  fallback?: () => T; // absent and no fallback: the field stays absent
}

const required = <T>(spec: Spec<T>): FieldDef<T> => ({ spec, required: true });
const optional = <T>(spec: Spec<T>): FieldDef<T | undefined> => ({ spec });
const withDefault = <T>(spec: Spec<T>, fallback: () => T): FieldDef<T> => ({ spec, fallback });
/** A nested object whose own fields all have defaults: absent means "all defaults". */
const allDefaults = <T>(spec: Spec<T>, at: string): FieldDef<T> =>
  withDefault(spec, () => spec.read({}, at));

const field = (at: string, key: string) => (at === "" ? key : `${at}.${key}`);
const index = (at: string, i: number) => `${at}[${i}]`;
const keyed = (at: string, key: string) => `${at}[${JSON.stringify(key)}]`;
const oneOf = (values: readonly unknown[]) => values.map(String).join(", ");

/** A raw value as it appears in an error message. */
function shown(v: unknown): string {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object" && v !== null) return "an object";
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function asObject(raw: unknown, at: string): Record<string, unknown> {
  if (!isObject(raw)) throw new SeedError(at, `expected an object, got ${shown(raw)}`);
  return raw;
}

function struct<T>(fields: { [K in keyof T]-?: FieldDef<T[K]> }): Spec<T> {
  const defs = fields as Record<string, FieldDef<unknown>>;
  const names = Object.keys(defs);
  const specs: Record<string, Spec<unknown>> = {};
  for (const name of names) specs[name] = defs[name].spec;
  return {
    below: { kind: "fields", fields: specs },
    read(raw, at) {
      const obj = asObject(raw, at);
      for (const key of Object.keys(obj)) {
        if (!Object.hasOwn(defs, key)) {
          throw new SeedError(field(at, key), `unknown field; expected one of ${oneOf(names)}`);
        }
      }
      const out: Record<string, unknown> = {};
      for (const name of names) {
        const def = defs[name];
        const value = obj[name];
        if (value !== undefined) out[name] = def.spec.read(value, field(at, name));
        else if (def.required) throw new SeedError(field(at, name), "missing required field");
        else if (def.fallback) out[name] = def.fallback();
      }
      return out as T;
    },
  };
}

interface ListRules<T> {
  min?: number;
  max?: number;
  noun: string; // plural, for "expected 1 to 16 threads"
  unique?: (item: T) => unknown;
}

function list<T>(item: Spec<T>, rules: ListRules<T>): Spec<T[]> {
  const min = rules.min ?? 0;
  const max = rules.max ?? Infinity;
  return {
    below: { kind: "items", item },
    read(raw, at) {
      if (!Array.isArray(raw)) throw new SeedError(at, `expected a list of ${rules.noun}, got ${shown(raw)}`);
      if (raw.length < min || raw.length > max) {
        const range = max === Infinity ? (min === 1 ? "a non-empty list of" : `at least ${min}`) : `${min} to ${max}`;
        throw new SeedError(at, `expected ${range} ${rules.noun}, got ${raw.length}`);
      }
      const out = raw.map((v, i) => item.read(v, index(at, i)));
      if (rules.unique) requireUnique(out, rules.unique, at);
      return out;
    },
  };
}

function requireUnique<T>(items: T[], key: (item: T) => unknown, at: string): void {
  const seen = new Map<unknown, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) throw new SeedError(index(at, i), `${shown(k)} is listed twice (also ${index(at, first)})`);
    seen.set(k, i);
  });
}

interface DictRules {
  keyNoun: string;
  keys?: readonly string[]; // allowed keys; absent: any key accepted by readKey
  readKey?: (key: string, at: string) => void;
}

/** An object with data keys; the spec of a value may depend on its key. */
function dict<T>(value: (key: string) => Spec<T>, rules: DictRules): Spec<Record<string, T>> {
  return {
    below: { kind: "keys", value, keys: rules.keys, keyNoun: rules.keyNoun },
    read(raw, at) {
      const obj = asObject(raw, at);
      const out: Record<string, T> = {};
      for (const key of Object.keys(obj)) {
        const where = keyed(at, key);
        if (rules.keys && !rules.keys.includes(key)) {
          throw new SeedError(where, `unknown ${rules.keyNoun}; expected one of ${oneOf(rules.keys)}`);
        }
        rules.readKey?.(key, where);
        out[key] = value(key).read(obj[key], where);
      }
      return out;
    },
  };
}

/** `oldNames`: accepted spellings that read as a current value (fs.prime's d_alloc_noblock). */
function enumOf<T extends string>(values: readonly T[], noun: string, oldNames: Readonly<Record<string, T>> = {}): Spec<T> {
  return {
    read(raw, at) {
      if (typeof raw === "string" && (values as readonly string[]).includes(raw)) return raw as T;
      if (typeof raw === "string" && Object.hasOwn(oldNames, raw)) return oldNames[raw];
      if (typeof raw === "string") throw new SeedError(at, `unknown ${noun} ${shown(raw)}; expected one of ${oneOf(values)}`);
      throw new SeedError(at, `expected one of ${oneOf(values)}, got ${shown(raw)}`);
    },
  };
}

const bool: Spec<boolean> = {
  read(raw, at) {
    if (typeof raw === "boolean") return raw;
    throw new SeedError(at, `expected true or false, got ${shown(raw)}`);
  },
};

function int(min: number, max: number): Spec<number> {
  return {
    read(raw, at) {
      if (typeof raw === "number" && Number.isInteger(raw) && raw >= min && raw <= max) return raw;
      throw new SeedError(at, `expected an integer from ${min} to ${max}, got ${shown(raw)}`);
    },
  };
}

function text(check?: (s: string, at: string) => void): Spec<string> {
  return {
    read(raw, at) {
      if (typeof raw !== "string") throw new SeedError(at, `expected a string, got ${shown(raw)}`);
      check?.(raw, at);
      return raw;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Paths and names

const NAME_MAX_BYTES = 255; // Linux NAME_MAX
const THREAD_NAME_MAX = 32;
const SEED_NAME_MAX = 128;
const utf8 = new TextEncoder();

/** "/" -> [], "/d/x" -> ["d", "x"]. The path must already be valid. */
export function components(path: string): string[] {
  return path === "/" ? [] : path.slice(1).split("/");
}

/** The parent directory of a valid path other than "/". */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut === 0 ? "/" : path.slice(0, cut);
}

export function childOf(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

/** Proper ancestors of a valid path, root excluded, outermost first: "/a/b/c" -> ["/a", "/a/b"]. */
export function ancestors(path: string): string[] {
  const parts = components(path);
  return parts.slice(0, -1).map((_, i) => "/" + parts.slice(0, i + 1).join("/"));
}

/** Parents before children; siblings by name (UTF-16 code units, locale-free). */
export function comparePaths(a: string, b: string): number {
  const pa = components(a);
  const pb = components(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

function checkName(name: string, at: string): void {
  if (name === "") throw new SeedError(at, "expected a name, got an empty string");
  if (name === "." || name === "..") throw new SeedError(at, `${shown(name)} is not allowed as a name`);
  if (name.includes("/")) throw new SeedError(at, `expected a single name without "/", got ${shown(name)}`);
  if (name.includes("\0")) throw new SeedError(at, "a name must not contain a NUL character");
  if (utf8.encode(name).length > NAME_MAX_BYTES) {
    throw new SeedError(at, `a name is at most ${NAME_MAX_BYTES} bytes; got ${shown(name)}`);
  }
}

function checkPath(path: string, at: string): void {
  if (!path.startsWith("/")) throw new SeedError(at, `expected an absolute path (starting with "/"), got ${shown(path)}`);
  if (path === "/") return;
  if (path.endsWith("/")) throw new SeedError(at, `path must not end with "/"; got ${shown(path)}`);
  const parts = path.slice(1).split("/");
  if (parts.includes("")) throw new SeedError(at, `path must not contain "//"; got ${shown(path)}`);
  if (parts.includes(".") || parts.includes("..")) {
    throw new SeedError(at, `path must not contain "." or ".." components; got ${shown(path)}`);
  }
  if (parts.length > MAX_PATH_LEN) {
    throw new SeedError(at, `path has ${parts.length} components; at most ${MAX_PATH_LEN}`);
  }
  for (const part of parts) checkName(part, at);
}

function hasControl(s: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(s);
}

function label(max: number, what: string) {
  return (s: string, at: string) => {
    if (s === "") throw new SeedError(at, `expected a non-empty ${what}`);
    if ([...s].length > max) throw new SeedError(at, `${what} is at most ${max} characters; got ${shown(s)}`);
    if (hasControl(s)) throw new SeedError(at, `${what} must not contain control characters`);
  };
}

const pathSpec = text(checkPath);
const childNames = list(text(checkName), { noun: "names", unique: (n) => n });

// ---------------------------------------------------------------------------------------------
// Variant axes: the fields a matrix may vary and an expectation may condition on

const AXIS_SPECS = {
  "kernel.order": enumOf(ORDERS, "order"),
  "kernel.rwsem": enumOf(RWSEMS, "rwsem policy"),
  "kernel.waitqueue": enumOf(WAITQUEUES, "waitqueue"),
  "fs.type": enumOf(FS_TYPES, "fs type"),
  "fs.prime": enumOf(PRIMES, "prime", PRIME_OLD_NAMES),
  "fs.lookupLocks": bool,
  "fs.iterate": enumOf(ITERATES, "iterate"),
  "fs.atomicOpen": bool,
  "fs.nfsPrepared": bool,
  "kernel.series": enumOf(SERIES, "series"),
  "fs.needReval": bool,
} satisfies Record<string, Spec<string | boolean>>;

export type Axis = keyof typeof AXIS_SPECS;
export const AXES = Object.keys(AXIS_SPECS) as Axis[];

/** The spec of one axis; the caller has checked `axis` against AXES. */
function axisSpec(axis: string): Spec<string | boolean> {
  return (AXIS_SPECS as Record<string, Spec<string | boolean>>)[axis];
}

const axisValues = (axis: string) => list(axisSpec(axis), { min: 1, noun: "values", unique: (v) => v });

// ---------------------------------------------------------------------------------------------
// The schema

const OP_FIELDS = ["op", "path", "from", "to"];

function opFields(op: OpName): string[] {
  return op === "rename" ? ["op", "from", "to"] : ["op", "path"];
}

/** One op: the fields allowed depend on the op, so it is read by hand. */
const opSpec: Spec<Op> = {
  below: { kind: "fields", fields: { op: enumOf(OPS, "op"), path: pathSpec, from: pathSpec, to: pathSpec } },
  read(raw, at) {
    const obj = asObject(raw, at);
    if (obj.op === undefined) throw new SeedError(field(at, "op"), `missing required field; expected one of ${oneOf(OPS)}`);
    const op = enumOf(OPS, "op").read(obj.op, field(at, "op"));
    const allowed = opFields(op);
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        const what = OP_FIELDS.includes(key) ? `${op} takes no ${key}` : "unknown field";
        throw new SeedError(field(at, key), `${what}; expected one of ${oneOf(allowed)}`);
      }
    }
    const get = (key: string) => {
      if (obj[key] === undefined) throw new SeedError(field(at, key), `missing required field for ${op}`);
      return pathSpec.read(obj[key], field(at, key));
    };
    if (op !== "rename") {
      const path = get("path");
      if (path === "/" && op !== "stat" && op !== "getdents") {
        throw new SeedError(field(at, "path"), `${op} needs a path below "/", got "/"`);
      }
      return { op, path };
    }
    const from = get("from");
    const to = get("to");
    if (from === "/") throw new SeedError(field(at, "from"), `rename needs a path below "/", got "/"`);
    if (to === "/") throw new SeedError(field(at, "to"), `rename needs a path below "/", got "/"`);
    if (parentOf(from) !== parentOf(to)) {
      throw new SeedError(field(at, "to"), `rename must stay in one directory (${shown(parentOf(from))}); got ${shown(to)}`);
    }
    if (from === to) throw new SeedError(field(at, "to"), `rename needs two different paths; got ${shown(to)} twice`);
    return { op, from, to };
  },
};

const threadSpec = struct<Thread>({
  name: required(text(label(THREAD_NAME_MAX, "thread name"))),
  ops: required(list(opSpec, { min: 1, max: MAX_OPS, noun: "ops" })),
});

const checksSpec: Spec<"all" | CheckId[]> = {
  below: { kind: "items", item: enumOf(CHECKS, "check") },
  read(raw, at) {
    if (raw === "all") return "all";
    if (Array.isArray(raw)) return list(enumOf(CHECKS, "check"), { noun: "checks", unique: (c) => c }).read(raw, at);
    throw new SeedError(at, `expected "all" or a list of checks (${oneOf(CHECKS)}), got ${shown(raw)}`);
  },
};

/** A run seed: u64, as a JSON number (up to 2^53 - 1) or a decimal string. */
const seedSpec: Spec<bigint> = {
  read(raw, at) {
    if (typeof raw === "number" && Number.isSafeInteger(raw) && raw >= 0) return BigInt(raw);
    if (typeof raw === "string" && /^[0-9]{1,20}$/.test(raw) && BigInt(raw) < 1n << 64n) return BigInt(raw);
    if (typeof raw === "number" && Number.isInteger(raw) && raw > 0) {
      throw new SeedError(at, `${shown(raw)} is too large to be exact as a JSON number; write the seed as a decimal string`);
    }
    throw new SeedError(at, `expected a non-negative integer below 2^64 (a JSON number up to 2^53 - 1, or a decimal string), got ${shown(raw)}`);
  },
};

/** What an `expect` may name: the model's verdicts, or "inconclusive" (the run's budget does not
 *  exhaust the space and no failure is found). */
export const EXPECTED_VERDICTS = [...VERDICTS, "inconclusive"] as const;

const expectationSpec = struct<Expectation>({
  when: optional(dict(axisSpec, { keyNoun: "variant axis", keys: AXES })),
  verdict: required(enumOf(EXPECTED_VERDICTS, "verdict")),
  invariant: optional(enumOf(CHECKS, "check")),
  cycle: optional(list(text(), { min: 1, noun: "thread names", unique: (n) => n })),
});

/** `expect` may be one expectation or a list of them; always read as a list. */
const expectSpec: Spec<Expectation[]> = {
  below: { kind: "items", item: expectationSpec },
  read(raw, at) {
    if (isObject(raw)) return [expectationSpec.read(raw, at)];
    return list(expectationSpec, { noun: "expectations" }).read(raw, at);
  },
};

const versionSpec: Spec<1> = {
  read(raw, at) {
    if (raw === ABI_VERSION) return 1;
    if (typeof raw === "number") throw new SeedError(at, `unsupported version ${raw}; this vfsim reads version 1`);
    throw new SeedError(at, `expected 1, got ${shown(raw)}`);
  },
};

const kernelFields = struct<SeedFile["kernel"]>({
  order: withDefault(enumOf(ORDERS, "order"), () => "current"),
  rwsem: withDefault(enumOf(RWSEMS, "rwsem policy"), () => "linux"),
  waitqueue: withDefault(enumOf(WAITQUEUES, "waitqueue"), () => "on-stack"),
  series: withDefault(enumOf(SERIES, "series"), () => "aug-2025"),
});

/** The wait queue a revision of the series waits on when the file names none: vfs-7.4 has
 *  "VFS: use wait_var_event for waiting in d_alloc_parallel()" (merged for 7.2). */
export function seriesWaitqueue(series: Series): WaitQueue {
  return series === "aug-2025" ? "on-stack" : "var-event";
}

/** kernel: kernel.waitqueue, when absent, is the series' own (seriesWaitqueue). */
const kernelSpec: Spec<SeedFile["kernel"]> = {
  below: kernelFields.below,
  read(raw, at) {
    const k = kernelFields.read(raw, at);
    if (isObject(raw) && raw.waitqueue === undefined) k.waitqueue = seriesWaitqueue(k.series);
    return k;
  },
};

const fsSpec = struct<SeedFile["fs"]>({
  type: withDefault(enumOf(FS_TYPES, "fs type"), () => "nfs"),
  prime: withDefault(enumOf(PRIMES, "prime", PRIME_OLD_NAMES), () => "d_alloc_parallel"),
  lookupLocks: withDefault(bool, () => false),
  iterate: withDefault(enumOf(ITERATES, "iterate"), () => "shared"),
  // absent: the filesystem's own (nfs: NFSv4, true; procfs: false); see atomicOpenOf
  atomicOpen: optional(bool),
  nfsPrepared: withDefault(bool, () => false),
  needReval: withDefault(bool, () => false),
});

const runSpec = struct<RunOptions>({
  strategy: withDefault(enumOf(STRATEGIES, "strategy"), () => "dfs"),
  seed: withDefault(seedSpec, () => 1n),
  // 0 (absent): the strategy's default, resolved by runScenario (run.ts scheduleBudget): 10000
  // schedules for random and PCT, no state cap short of the visited table's capacity for dfs
  schedules: withDefault(int(1, 1_000_000_000), () => 0),
  depth: withDefault(int(1, 16), () => 3),
  preemptions: withDefault(int(-1, 64), () => 2),
  ticks: withDefault(int(1, 1_000_000), () => 2_000),
});

const fileSpec = struct<SeedFile>({
  vfsim: required(versionSpec),
  name: withDefault(text(label(SEED_NAME_MAX, "name")), () => "unnamed"),
  about: withDefault(text(), () => ""),
  kernel: allDefaults(kernelSpec, "kernel"),
  fs: allDefaults(fsSpec, "fs"),
  tree: withDefault(dict(() => childNames, { keyNoun: "directory", readKey: checkPath }), () => ({})),
  cached: withDefault(list(pathSpec, { noun: "paths", unique: (p) => p }), () => []),
  threads: required(list(threadSpec, { min: 1, max: MAX_TASKS, noun: "threads" })),
  checks: withDefault(checksSpec, () => "all"),
  plant: withDefault(list(enumOf(PLANTS, "plant"), { noun: "plants", unique: (p) => p }), () => []),
  variants: withDefault(dict(axisValues, { keyNoun: "variant axis", keys: AXES }), () => ({})),
  expect: withDefault(expectSpec, () => []),
  run: allDefaults(runSpec, "run"),
  schedule: optional(text()),
});

// ---------------------------------------------------------------------------------------------
// Rules across fields

/** Kind of every path that exists at the start, root included. */
export function treeKinds(tree: Record<string, string[]>): Map<string, "dir" | "file"> {
  const kinds = new Map<string, "dir" | "file">([["/", "dir"]]);
  for (const dir of Object.keys(tree)) {
    for (const p of [...ancestors(dir), dir]) kinds.set(p, "dir");
  }
  for (const [dir, names] of Object.entries(tree)) {
    for (const name of names) {
      const p = childOf(dir, name);
      if (!kinds.has(p)) kinds.set(p, "file");
    }
  }
  return kinds;
}

function checkTreeDepth(tree: Record<string, string[]>): void {
  for (const [dir, names] of Object.entries(tree)) {
    if (components(dir).length < MAX_PATH_LEN || names.length === 0) continue;
    throw new SeedError(index(keyed("tree", dir), 0), `path has ${MAX_PATH_LEN + 1} components; at most ${MAX_PATH_LEN}`);
  }
}

/** A cached dentry's ancestors are cached too, so they must be directories that exist. */
function checkCached(s: SeedFile, kinds: Map<string, "dir" | "file">): void {
  s.cached.forEach((path, i) => {
    for (const a of ancestors(path)) {
      const kind = kinds.get(a);
      if (kind === "dir") continue;
      const why = kind === "file" ? "a regular file" : "does not exist (a negative dentry has no children)";
      throw new SeedError(index("cached", i), `${shown(path)} lies under ${shown(a)}, which ${kind === "file" ? "is " : ""}${why}`);
    }
  });
}

function checkThreadNames(s: SeedFile): void {
  const first = new Map<string, number>();
  s.threads.forEach((t, i) => {
    const j = first.get(t.name);
    if (j !== undefined) throw new SeedError(field(index("threads", i), "name"), `duplicate thread name ${shown(t.name)} (also threads[${j}])`);
    first.set(t.name, i);
  });
}

/** `listed`: the file wrote `expect` as a list (else as one object, named plain "expect"). */
function checkExpectations(s: SeedFile, listed: boolean): void {
  const names = new Set(s.threads.map((t) => t.name));
  s.expect.forEach((e, i) => {
    const at = listed ? index("expect", i) : "expect";
    if (e.invariant !== undefined) {
      if (e.verdict !== "violation") throw new SeedError(field(at, "invariant"), `only allowed with verdict "violation", not ${shown(e.verdict)}`);
      const enabled: readonly CheckId[] = s.checks === "all" ? CHECKS_ALL : s.checks;
      if (!enabled.includes(e.invariant)) {
        throw new SeedError(field(at, "invariant"), `${shown(e.invariant)} is not among the enabled checks (${s.checks === "all" ? `"all" is ${oneOf(CHECKS_ALL)}; list "lockdep" to enable it` : oneOf(s.checks)})`);
      }
    }
    if (e.cycle !== undefined) {
      if (e.verdict !== "deadlock") throw new SeedError(field(at, "cycle"), `only allowed with verdict "deadlock", not ${shown(e.verdict)}`);
      e.cycle.forEach((n, j) => {
        if (!names.has(n)) throw new SeedError(index(field(at, "cycle"), j), `no thread named ${shown(n)}; threads are ${oneOf([...names])}`);
      });
    }
  });
}

/** What a revision of the series does not have (docs/seed-files.md, kernel.series). `at` prefixes
 *  the message when the file is a variant. */
function checkSeries(s: SeedFile, where = ""): void {
  if (s.kernel.series === "aug-2025") return;
  const name = shown(s.kernel.series);
  const fail = (path: string, detail: string) => {
    throw where === "" ? new SeedError(path, detail) : new SeedError("variants", `${where}: ${path}: ${detail}`);
  };
  if (s.kernel.waitqueue === "on-stack") {
    fail("kernel.waitqueue", `kernel.series ${name} waits in d_alloc_parallel with wait_var_event (no on-stack queue); expected "var-event", got "on-stack"`);
  }
  if (s.fs.prime === "d_alloc_locked") {
    fail("fs.prime", `kernel.series ${name} has no d_alloc_locked (dropped after the Aug 2025 posting); expected one of ${oneOf(PRIMES.filter((p) => p !== "d_alloc_locked"))}, got "d_alloc_locked"`);
  }
  if (s.fs.lookupLocks) {
    fail("fs.lookupLocks", `kernel.series ${name} has no lock_lookup (it went with d_alloc_locked); expected false, got true`);
  }
}

/** Every variant of `s` must be a seed file the series allows (checked before anything runs). */
function checkVariantSeries(s: SeedFile): void {
  if (s.variants["kernel.series"] === undefined && s.kernel.series === "aug-2025") return;
  for (const a of variantAssignments(s)) {
    if (Object.keys(a).length === 0) continue;
    checkSeries(variantOf(s, a), `the variant ${Object.entries(a).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  }
}

/**
 * The priming calls each filesystem's readdir could use (assembly/sim/config.ts
 * fs_accepts_prime says the same; docs/model.md "Filesystems" gives the sources). FUSE, the SMB
 * client and overlayfs were never given d_alloc_locked (Aug 2025 series: d_alloc_noblock, now d_alloc_trylock, for
 * FUSE and SMB; overlayfs: d_alloc_noblock in 2026) nor the procfs drop-lock fallback, and their
 * ->lookup never calls lock_lookup.
 */
export const FS_PRIMES: Record<FsType, readonly Prime[]> = {
  procfs: PRIMES,
  nfs: PRIMES,
  fuse: ["d_alloc_parallel", "d_alloc_trylock"],
  smb: ["d_alloc_parallel", "d_alloc_trylock"],
  "proc-sys": PRIMES,
  overlayfs: ["d_alloc_parallel", "d_alloc_trylock"],
};
/** Filesystems whose ->lookup can be told to call lock_lookup (fs.lookupLocks). */
export const FS_LOOKUP_LOCKS: readonly FsType[] = ["procfs", "nfs", "proc-sys"];

/** fs.prime, fs.lookupLocks and fs.needReval must be ones fs.type can use, as written and in every variant. */
function checkFsChoices(s: SeedFile): void {
  const axes = s.variants;
  const types = (axes["fs.type"] as FsType[] | undefined) ?? [s.fs.type];
  const primes = (axes["fs.prime"] as Prime[] | undefined) ?? [s.fs.prime];
  const locks = (axes["fs.lookupLocks"] as boolean[] | undefined) ?? [s.fs.lookupLocks];
  const reval = (axes["fs.needReval"] as boolean[] | undefined) ?? [s.fs.needReval];
  types.forEach((type, ti) => {
    const typeAt = axes["fs.type"] ? index(keyed("variants", "fs.type"), ti) : "fs.type";
    primes.forEach((prime, pi) => {
      if (FS_PRIMES[type].includes(prime)) return;
      const at = axes["fs.prime"] ? index(keyed("variants", "fs.prime"), pi) : "fs.prime";
      throw new SeedError(at, `fs.type ${shown(type)} (${typeAt}) cannot use the priming call ${shown(prime)}; expected one of ${oneOf(FS_PRIMES[type])}`);
    });
    locks.forEach((on, li) => {
      if (!on || FS_LOOKUP_LOCKS.includes(type)) return;
      const at = axes["fs.lookupLocks"] ? index(keyed("variants", "fs.lookupLocks"), li) : "fs.lookupLocks";
      throw new SeedError(at, `fs.type ${shown(type)} (${typeAt}): its ->lookup has no lock_lookup; expected false (lookup locks exist for ${oneOf(FS_LOOKUP_LOCKS)})`);
    });
    reval.forEach((on, ri) => {
      if (!on || type === "smb") return;
      const at = axes["fs.needReval"] ? index(keyed("variants", "fs.needReval"), ri) : "fs.needReval";
      throw new SeedError(at, `fs.type ${shown(type)} (${typeAt}): CIFS_FATTR_NEED_REVAL is an SMB client flag; expected false (true only with fs.type "smb")`);
    });
  });
}

function checkSeed(s: SeedFile, raw: Record<string, unknown>): void {
  checkSeries(s);
  checkVariantSeries(s);
  checkTreeDepth(s.tree);
  checkFsChoices(s);
  checkCached(s, treeKinds(s.tree));
  checkThreadNames(s);
  checkExpectations(s, Array.isArray(raw.expect));
  if (s.schedule !== undefined) decodeSchedule(s.schedule, s.threads.length, "schedule");
  encodeScenario(s); // capacity errors now, before anything runs
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Validates a parsed JSON value and fills defaults. Throws SeedError. */
export function validateSeedObject(raw: unknown): SeedFile {
  if (!isObject(raw)) throw new SeedError("", `expected a JSON object, got ${shown(raw)}`);
  const s = fileSpec.read(raw, "");
  checkSeed(s, raw);
  return s;
}

/** The largest seed file, in UTF-8 bytes, for the CLI and the page alike (host/web/link.ts). */
export const MAX_SEED_FILE_BYTES = 64 * 1024;

/** Parses seed-file text, applies `--set key=value` overrides, validates, fills defaults. */
export function parseSeedFile(text: string, sets: string[] = []): SeedFile {
  return validateSeedObject(applySets(readSeedJson(text), sets));
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const nl = before.lastIndexOf("\n");
  return `line ${before.split("\n").length}, column ${offset - nl}`;
}

/**
 * The JSON reader, stricter than JSON.parse: at most MAX_SEED_FILE_BYTES; a syntax error by line
 * and column; a key given twice in one object (JSON.parse keeps the last silently) and an integer
 * too large to be exact as a JSON number (JSON.parse rounds it) are errors naming the field and
 * quoting what was typed.
 */
export function readSeedJson(text: string): unknown {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_SEED_FILE_BYTES) throw new SeedError("", `the seed file is ${bytes} bytes; at most ${MAX_SEED_FILE_BYTES} (${MAX_SEED_FILE_BYTES / 1024} KiB)`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const offset = m ? Number(m[1]) : /end of JSON input/i.test(msg) ? text.length : undefined;
    const what = msg.replace(/\s*in JSON at position \d+.*$/s, "").replace(/\s*\(line \d+ column \d+\)$/, "");
    throw new SeedError("", offset === undefined ? `not valid JSON: ${msg}` : `not valid JSON at ${lineColumn(text, offset)} (position ${offset}): ${what}`);
  }
  new StrictScan(text).value("");
  return raw;
}

/** Walks JSON text already known to parse, for what JSON.parse does not report. */
class StrictScan {
  private pos = 0;
  constructor(private text: string) {}
  private ws(): void {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text[this.pos])) this.pos++;
  }
  private string(): string {
    const start = this.pos++;
    while (this.text[this.pos] !== '"') this.pos += this.text[this.pos] === "\\" ? 2 : 1;
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }
  value(path: string): void {
    this.ws();
    const c = this.text[this.pos];
    if (c === "{") {
      this.pos++;
      this.ws();
      const seen = new Set<string>();
      if (this.text[this.pos] === "}") { this.pos++; return; }
      for (;;) {
        this.ws();
        const at = this.pos;
        const key = this.string();
        const field = path === "" ? key : /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
        if (seen.has(key)) throw new SeedError(field, `given twice in one object (again at ${lineColumn(this.text, at)}); give each field once`);
        seen.add(key);
        this.ws();
        this.pos++; // ':'
        this.value(field);
        this.ws();
        if (this.text[this.pos++] === "}") return;
      }
    } else if (c === "[") {
      this.pos++;
      this.ws();
      if (this.text[this.pos] === "]") { this.pos++; return; }
      for (let i = 0; ; i++) {
        this.value(`${path}[${i}]`);
        this.ws();
        if (this.text[this.pos++] === "]") return;
      }
    } else if (c === '"') {
      this.string();
    } else {
      const start = this.pos;
      while (this.pos < this.text.length && !" \t\n\r,]}".includes(this.text[this.pos])) this.pos++;
      const literal = this.text.slice(start, this.pos);
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        const hint = path === "run.seed" ? `write the seed as a decimal string, "${literal.replace(/^-/, "")}"` : "no field takes a number this large";
        throw new SeedError(path, `${literal} is too large to be exact as a JSON number (above 2^53 - 1); ${hint}`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// --set

type Segment = string | number;

/**
 * Applies `--set` overrides to a raw (unvalidated) seed object and returns a new object; the
 * input is not changed. A set is `dotted.path=value`: fields by name, list items by `[i]` or
 * `.i`, keys of `tree`, `variants` and `when` either quoted (`tree["/d"]`) or as the rest of
 * the path (`variants.kernel.order`). The value is JSON if it parses (integers beyond 2^53 stay
 * strings, so seeds keep every digit), else plain text; `null` removes the field.
 */
export function applySets(raw: unknown, sets: string[]): unknown {
  if (sets.length === 0) return raw;
  if (!isObject(raw)) throw new SeedError("", `expected a JSON object, got ${shown(raw)}`);
  const root = structuredClone(raw);
  // `expect` may be one object; a set that indexes into it sees it as a one-entry list.
  if (isObject(root.expect) && sets.some((set) => /^expect[.[]/.test(set))) root.expect = [root.expect];
  for (const set of sets) applySet(root, set);
  return root;
}

function applySet(root: Record<string, unknown>, set: string): void {
  const at = `--set ${set}`;
  const eq = set.indexOf("=");
  if (eq <= 0) throw new SeedError(at, "expected key=value, e.g. kernel.order=proposed or threads[0].ops[0].path=/d/z");
  const segments = parseSetPath(set.slice(0, eq), at);
  store(root, segments, parseSetValue(set.slice(eq + 1)), at);
}

function parseSetValue(text: string): unknown {
  if (/^-?[0-9]+$/.test(text) && !Number.isSafeInteger(Number(text))) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Splits a --set path into segments, checking each against the schema. */
function parseSetPath(path: string, at: string): Segment[] {
  const segments: Segment[] = [];
  let spec: Spec<unknown> = fileSpec;
  let pos = 0;
  let where = "";
  while (pos < path.length || segments.length === 0) {
    const below = spec.below;
    if (!below) throw new SeedError(at, `${where} has no fields below it`);
    if (segments.length > 0) {
      // Between segments: "." or the "[" of an index or quoted key.
      if (path[pos] === ".") pos++;
      else if (path[pos] !== "[") throw new SeedError(at, `expected "." or "[" after ${where}`);
    }
    const step = stepOnce(path, pos, below, where, at);
    segments.push(step.segment);
    spec = step.spec;
    pos = step.next;
    where = step.where;
  }
  return segments;
}

interface StepResult {
  segment: Segment;
  spec: Spec<unknown>;
  next: number;
  where: string;
}

function stepOnce(path: string, pos: number, below: Below, where: string, at: string): StepResult {
  if (below.kind === "items") {
    const m = /^\[([0-9]+)\]|^([0-9]+)/.exec(path.slice(pos));
    if (!m) throw new SeedError(at, `expected a list index after ${where}, e.g. ${where}[0]`);
    const i = Number(m[1] ?? m[2]);
    return { segment: i, spec: below.item, next: pos + m[0].length, where: index(where, i) };
  }
  if (below.kind === "keys") {
    const { key, next } = readKey(path, pos, where, at);
    if (below.keys && !below.keys.includes(key)) {
      throw new SeedError(at, `unknown ${below.keyNoun} ${shown(key)} in ${where}; expected one of ${oneOf(below.keys)}`);
    }
    return { segment: key, spec: below.value(key), next, where: keyed(where, key) };
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path.slice(pos));
  const name = m ? m[0] : "";
  const names = Object.keys(below.fields);
  if (!Object.hasOwn(below.fields, name)) {
    const what = name === "" ? "a field name" : `unknown field ${shown(name)}`;
    throw new SeedError(at, `${what}${where === "" ? "" : ` in ${where}`}; expected one of ${oneOf(names)}`);
  }
  return { segment: name, spec: below.fields[name], next: pos + name.length, where: field(where, name) };
}

/** A dict key: `["quoted"]`, or the rest of the path (keys may hold "." and "/"). */
function readKey(path: string, pos: number, where: string, at: string): { key: string; next: number } {
  if (path.startsWith('["', pos)) {
    const end = path.indexOf('"]', pos + 2);
    if (end < 0) throw new SeedError(at, `unterminated ["..."] after ${where}`);
    return { key: path.slice(pos + 2, end), next: end + 2 };
  }
  if (pos >= path.length) throw new SeedError(at, `expected a key after ${where}`);
  return { key: path.slice(pos), next: path.length };
}

/** Sets an own property, even one named "__proto__" (a dict key), and returns the value. */
function put(obj: Record<string, unknown>, key: string, value: unknown): unknown {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

function store(root: Record<string, unknown>, segments: Segment[], value: unknown, at: string): void {
  let node: unknown = root;
  let where = "";
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    const child = typeof seg === "number" ? index(where, seg) : field(where, seg);
    if (typeof seg === "number") {
      if (!Array.isArray(node)) throw new SeedError(at, `${where} is not a list in the seed file; set the whole field instead`);
      if (seg > node.length) throw new SeedError(at, `index ${seg} is past the end of ${where} (${node.length} entries)`);
      if (last) node[seg] = value;
      else node = node[seg] ??= typeof segments[i + 1] === "number" ? [] : {};
    } else {
      if (!isObject(node)) throw new SeedError(at, `${where} is not an object in the seed file; set the whole field instead`);
      if (last && value === null) delete node[seg];
      else if (last) put(node, seg, value);
      else node = node[seg] ?? put(node, seg, typeof segments[i + 1] === "number" ? [] : {});
    }
    where = child;
  }
}

// ---------------------------------------------------------------------------------------------
// Variants and expectations

/** fs.atomicOpen as the model runs it: given, or the filesystem's default (nfs means NFSv4). */
export function atomicOpenOf(s: SeedFile): boolean {
  return s.fs.atomicOpen ?? s.fs.type === "nfs";
}

/** The value an axis has in `s` as the model runs it (defaults resolved). */
export function axisValue(s: SeedFile, axis: string): string | boolean {
  return getAxis(s, axis);
}

function getAxis(s: SeedFile, axis: string): string | boolean {
  if (axis === "fs.atomicOpen") return atomicOpenOf(s);
  const [group, key] = axis.split(".");
  return (s as unknown as Record<string, Record<string, string | boolean>>)[group][key];
}

/** A copy of `s` with the given axes (e.g. {"kernel.order": "proposed"}) set. */
export function variantOf(s: SeedFile, assignment: Record<string, string | boolean>): SeedFile {
  const copy = structuredClone(s);
  for (const [axis, value] of Object.entries(assignment)) {
    if (!Object.hasOwn(AXIS_SPECS, axis)) throw new SeedError(axis, `unknown variant axis; expected one of ${oneOf(AXES)}`);
    const [group, key] = axis.split(".");
    (copy as unknown as Record<string, Record<string, unknown>>)[group][key] = axisSpec(axis).read(value, axis);
  }
  // vfs-7.4 has only the var-event wait queue: a variant that moves there takes it, unless the
  // variant names its own (and is then rejected by checkSeries if that is on-stack).
  const series = assignment["kernel.series"];
  if (series !== undefined && series !== "aug-2025" && assignment["kernel.waitqueue"] === undefined) copy.kernel.waitqueue = "var-event";
  return copy;
}

/** Every combination of `s.variants`, first axis slowest; [{}] when there are none. */
export function variantAssignments(s: SeedFile): Record<string, string | boolean>[] {
  let out: Record<string, string | boolean>[] = [{}];
  for (const [axis, values] of Object.entries(s.variants)) {
    out = out.flatMap((a) => values.map((v) => ({ ...a, [axis]: v })));
  }
  return out;
}

/** The seed file with the lockdep check enabled too (`--lockdep`): "all" becomes the list of its
 *  checks plus lockdep. */
export function withLockdep(s: SeedFile): SeedFile {
  const checks = s.checks === "all" ? [...CHECKS_ALL] : [...s.checks];
  if (!checks.includes("lockdep")) checks.push("lockdep");
  return { ...s, checks };
}

/** The first expectation whose `when` matches the file's current values. */
export function expectationFor(s: SeedFile): Expectation | undefined {
  return s.expect.find((e) => Object.entries(e.when ?? {}).every(([axis, v]) => getAxis(s, axis) === v));
}

// ---------------------------------------------------------------------------------------------
// Serialization

const LINE_WIDTH = 100;

/** Stable, pretty JSON: fixed field order, short objects and lists kept on one line. */
export function serializeSeedFile(s: SeedFile): string {
  const seed = s.run.seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s.run.seed) : s.run.seed.toString();
  const out: Record<string, unknown> = {
    vfsim: s.vfsim,
    name: s.name,
    about: s.about,
    kernel: { order: s.kernel.order, rwsem: s.kernel.rwsem, waitqueue: s.kernel.waitqueue, ...(s.kernel.series !== "aug-2025" ? { series: s.kernel.series } : {}) },
    fs: {
      type: s.fs.type, prime: s.fs.prime, lookupLocks: s.fs.lookupLocks,
      ...(s.fs.iterate !== "shared" ? { iterate: s.fs.iterate } : {}), ...(s.fs.needReval ? { needReval: true } : {}),
      ...(s.fs.atomicOpen !== undefined ? { atomicOpen: s.fs.atomicOpen } : {}), ...(s.fs.nfsPrepared ? { nfsPrepared: true } : {}),
    },
    tree: s.tree,
    cached: s.cached,
    threads: s.threads.map((t) => ({ name: t.name, ops: t.ops.map(orderedOp) })),
    checks: s.checks,
    plant: s.plant,
    variants: s.variants,
    expect: s.expect.map(orderedExpectation),
    run: { strategy: s.run.strategy, seed, ...(s.run.schedules ? { schedules: s.run.schedules } : {}), depth: s.run.depth, preemptions: s.run.preemptions, ticks: s.run.ticks },
  };
  if (s.schedule !== undefined) out.schedule = s.schedule;
  return format(out, "", 0) + "\n";
}

function orderedOp(op: Op): Op {
  return op.op === "rename" ? { op: op.op, from: op.from, to: op.to } : { op: op.op, path: op.path };
}

/** Field order when, verdict, invariant, cycle; absent fields stay absent. */
function orderedExpectation(e: Expectation): Expectation {
  return {
    ...(e.when !== undefined && { when: e.when }),
    verdict: e.verdict,
    ...(e.invariant !== undefined && { invariant: e.invariant }),
    ...(e.cycle !== undefined && { cycle: e.cycle }),
  };
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inline).join(", ")}]`;
  if (isObject(v)) {
    const entries = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(v);
}

/** `room`: columns left on the current line; 0 forces a container onto several lines. */
function format(v: unknown, indent: string, room: number): string {
  const flat = inline(v);
  const empty = (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
  if (empty || !(Array.isArray(v) || isObject(v)) || flat.length <= room) return flat;
  const inner = indent + "  ";
  const lines = Array.isArray(v)
    ? v.map((x) => inner + format(x, inner, LINE_WIDTH - inner.length - 1))
    : Object.entries(v).map(([k, x]) => {
        const head = `${inner}${JSON.stringify(k)}: `;
        return head + format(x, inner, LINE_WIDTH - head.length - 1);
      });
  const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${lines.join(",\n")}\n${indent}${close}`;
}

// ---------------------------------------------------------------------------------------------
// Encoding to scenario words (layout: top of abi.ts)

export interface Encoded {
  words: Int32Array;
  names: string[]; // names[id]; names[0] = "" (none)
  paths: string[]; // paths[id]; paths[0] = "/"
  threads: string[]; // thread names by task index
}

/** Interns names and paths; a path's ancestors always get smaller ids than the path. */
class Interner {
  readonly names: string[] = [""];
  readonly paths: string[] = ["/"];
  readonly records: number[][] = [[0]]; // records[id] = [len, name ids...]
  private nameIds = new Map<string, number>();
  private pathIds = new Map<string, number>([["/", 0]]);

  path(path: string, at: string): number {
    const known = this.pathIds.get(path);
    if (known !== undefined) return known;
    const parent = this.path(parentOf(path), at);
    const name = this.name(components(path).at(-1)!, at);
    if (this.paths.length >= MAX_PATHS) {
      throw new SeedError(at, `too many distinct paths (with their parents); the model holds at most ${MAX_PATHS} (MAX_PATHS)`);
    }
    const id = this.paths.length;
    this.paths.push(path);
    this.pathIds.set(path, id);
    const [len, ...names] = this.records[parent];
    this.records.push([len + 1, ...names, name]);
    return id;
  }

  id(path: string): number {
    return this.pathIds.get(path)!;
  }

  private name(name: string, at: string): number {
    const known = this.nameIds.get(name);
    if (known !== undefined) return known;
    // Ids run 1..MAX_NAMES-1, so a table of MAX_NAMES entries indexed by id holds them all.
    if (this.names.length >= MAX_NAMES) {
      throw new SeedError(at, `too many distinct names; the model holds at most ${MAX_NAMES - 1}`);
    }
    this.names.push(name);
    this.nameIds.set(name, this.names.length - 1);
    return this.names.length - 1;
  }
}

/** Interning order: tree keys sorted, each followed by its children in order; cached; ops. */
function internAll(s: SeedFile): Interner {
  const t = new Interner();
  for (const dir of Object.keys(s.tree).sort(comparePaths)) {
    t.path(dir, keyed("tree", dir));
    s.tree[dir].forEach((name, i) => t.path(childOf(dir, name), index(keyed("tree", dir), i)));
  }
  s.cached.forEach((p, i) => t.path(p, index("cached", i)));
  s.threads.forEach((thread, i) =>
    thread.ops.forEach((op, j) => {
      const at = index(field(index("threads", i), "ops"), j);
      for (const key of ["path", "from", "to"] as const) {
        if (op[key] !== undefined) t.path(op[key], field(at, key));
      }
    }),
  );
  return t;
}

function bitmask<T>(all: readonly T[], chosen: readonly T[]): number {
  return chosen.reduce((mask, x) => mask | (1 << all.indexOf(x)), 0);
}

/** Closure of `cached` under "ancestors are cached", root excluded, parents first. */
function cachedClosure(cached: string[]): string[] {
  const all = new Set<string>();
  for (const p of cached) for (const q of [...ancestors(p), p]) if (q !== "/") all.add(q);
  return [...all].sort(comparePaths);
}

/** The scenario words for `load_scenario`, following the layout at the top of abi.ts. */
export function encodeScenario(s: SeedFile): Encoded {
  const t = internAll(s);
  const kinds = treeKinds(s.tree);
  const tree = [...kinds.keys()].filter((p) => p !== "/").sort(comparePaths);
  if (tree.length > MAX_TREE) {
    throw new SeedError("tree", `the tree has ${tree.length} entries (counting implied parent directories); the model holds at most ${MAX_TREE} (MAX_TREE)`);
  }
  const cached = cachedClosure(s.cached);

  const header = new Array<number>(HEADER_WORDS).fill(0);
  header[H.VERSION] = ABI_VERSION;
  header[H.ORDER] = ORDERS.indexOf(s.kernel.order);
  header[H.RWSEM] = RWSEMS.indexOf(s.kernel.rwsem);
  header[H.WAITQUEUE] = WAITQUEUES.indexOf(s.kernel.waitqueue);
  header[H.FS] = FS_TYPES.indexOf(s.fs.type);
  header[H.PRIME] = PRIMES.indexOf(s.fs.prime);
  header[H.LOOKUP_LOCKS] = s.fs.lookupLocks ? 1 : 0;
  header[H.ITERATE] = ITERATES.indexOf(s.fs.iterate);
  if (s.fs.atomicOpen === true && s.fs.type !== "nfs") {
    throw new SeedError("fs.atomicOpen", `only nfs (NFSv4) has ->atomic_open; fs.type ${shown(s.fs.type)} takes false or no value`);
  }
  if (s.fs.nfsPrepared && s.fs.type !== "nfs") {
    throw new SeedError("fs.nfsPrepared", `only for fs.type "nfs"; got fs.type ${shown(s.fs.type)}`);
  }
  header[H.ATOMIC_OPEN] = s.fs.atomicOpen === undefined ? 0 : s.fs.atomicOpen ? 1 : 2;
  header[H.NFS_PREPARED] = s.fs.nfsPrepared ? 1 : 0;
  header[H.SERIES] = SERIES.indexOf(s.kernel.series);
  header[H.NEED_REVAL] = s.fs.needReval ? 1 : 0;
  header[H.CHECKS] = bitmask(CHECKS, s.checks === "all" ? CHECKS_ALL : s.checks);
  header[H.PLANT] = bitmask(PLANTS, s.plant);
  header[H.TICKS_MAX] = s.run.ticks;
  header[H.N_NAMES] = t.names.length - 1;
  header[H.N_PATHS] = t.paths.length;
  header[H.N_TREE] = tree.length;
  header[H.N_CACHED] = cached.length;
  header[H.N_TASKS] = s.threads.length;

  const words = [
    ...header,
    ...t.records.flat(),
    ...tree.flatMap((p) => [t.id(p), kinds.get(p) === "dir" ? 1 : 0]),
    ...cached.map((p) => t.id(p)),
    ...s.threads.flatMap((thread) => [thread.ops.length, ...thread.ops.flatMap((op) => opWords(op, t))]),
  ];
  if (words.length > SCENARIO_WORDS) {
    throw new SeedError("threads", `the scenario needs ${words.length} words; the model holds at most ${SCENARIO_WORDS} (SCENARIO_WORDS)`);
  }
  return { words: Int32Array.from(words), names: t.names, paths: t.paths, threads: s.threads.map((x) => x.name) };
}

/** [code, path, path2, flags]: rename is from -> path, to -> path2; flags are unused (0). */
function opWords(op: Op, t: Interner): number[] {
  const words = [OPS.indexOf(op.op), t.id(op.path ?? op.from!), op.to === undefined ? 0 : t.id(op.to), 0];
  if (words.length !== OP_WORDS) throw new Error(`scenario.ts writes 4 words per op, abi.ts says ${OP_WORDS}`);
  return words;
}
