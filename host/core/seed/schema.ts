/** The schema: the seed file as a tree of `Spec`s (combinators.ts), field by field. */

import { CHECKS, CI_LOOKUPS, FS_TYPES, ITERATES, MAX_OPS, MAX_TASKS, OPS, ORDERS, PLANTS, PRIMES, PRIME_OLD_NAMES, RWSEMS, SERIES, VERDICTS, WAITQUEUES, type CheckId, type OpName, type Series, type WaitQueue } from "../abi";
import { AXES, axisSpec, axisValues } from "./axes";
import { allDefaults, asObject, bool, dict, enumOf, field, int, isObject, list, oneOf, optional, required, shown, struct, text, withDefault, type Spec } from "./combinators";
import { SeedError } from "./errors";
import { checkName, checkPath, childNames, label, parentOf, pathSpec, SEED_NAME_MAX, THREAD_NAME_MAX } from "./paths";
import { SEED_FORMAT_VERSION, STRATEGIES, type Expectation, type Op, type SeedFile, type SeedRun, type Thread } from "./types";

const OP_FIELDS = ["op", "path", "from", "to", "task"];

function opFields(op: OpName): string[] {
  return op === "rename" ? ["op", "from", "to"] : op === "kill" ? ["op", "task"] : ["op", "path"];
}

/** One op: the fields allowed depend on the op, so it is read by hand. */
const opSpec: Spec<Op> = {
  below: { kind: "fields", fields: { op: enumOf(OPS, "op"), path: pathSpec, from: pathSpec, to: pathSpec, task: text(label(THREAD_NAME_MAX, "thread name")) } },
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
    if (op === "kill") {
      // the thread it names is checked against the threads in rules.ts (checkKillTargets)
      if (obj.task === undefined) throw new SeedError(field(at, "task"), "missing required field for kill: the name of the thread to send SIGKILL to");
      return { op, task: text(label(THREAD_NAME_MAX, "thread name")).read(obj.task, field(at, "task")) };
    }
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

/** `vfsim`: the seed-file format's version (SEED_FORMAT_VERSION), not the model's ABI version:
 *  the door between host and model may change without a seed file changing. */
const versionSpec: Spec<typeof SEED_FORMAT_VERSION> = {
  read(raw, at) {
    if (raw === SEED_FORMAT_VERSION) return SEED_FORMAT_VERSION;
    if (typeof raw === "number") throw new SeedError(at, `unsupported version ${raw}; this vfsim reads version ${SEED_FORMAT_VERSION}`);
    throw new SeedError(at, `expected ${SEED_FORMAT_VERSION}, got ${shown(raw)}`);
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
  ciLookup: withDefault(enumOf(CI_LOOKUPS, "ciLookup"), () => "off"),
  // a case-folded name -> the exact-case name its on-disk entry has (xfs_vn_ci_lookup's ci_name)
  ciNames: withDefault(dict(() => text(checkName), { keyNoun: "name", readKey: checkName }), () => ({})),
});

const runSpec = struct<SeedRun>({
  strategy: withDefault(enumOf(STRATEGIES, "strategy"), () => "dfs"),
  seed: withDefault(seedSpec, () => 1n),
  // 0 (absent): the strategy's default, resolved by runScenario (run.ts scheduleBudget): 10000
  // schedules for random and PCT, no state cap short of the visited table's capacity for dfs
  schedules: withDefault(int(1, 1_000_000_000), () => 0),
  depth: withDefault(int(1, 16), () => 3),
  preemptions: withDefault(int(-1, 64), () => 2),
  ticks: withDefault(int(1, 1_000_000), () => 2_000),
});

export const fileSpec = struct<SeedFile>({
  vfsim: required(versionSpec),
  name: withDefault(text(label(SEED_NAME_MAX, "name")), () => "unnamed"),
  from: optional(text(label(SEED_NAME_MAX, "from"))),
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
