/** What a fuzz run may do: the axes and values it may mutate to, its caps and budgets. */

import { CI_LOOKUPS, FS_TYPES, ITERATES, SERIES, ORDERS, PRIMES, PRIME_OLD_NAMES, RWSEMS, WAITQUEUES, type OpName, type Plant } from "../abi";
import { AXES, SeedError, type Axis } from "../seed";

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
  // Varied since vfs-7.4 differs from aug-2025 in the model (d_splice_alias on hashed dentries,
  // LOOKUP_SHARED, the prepared NFS's d_duplicate) and neilbrown-083efdc adds S_DYING; a mutant is
  // fitted to what its series allows (corpus.ts fitSeries).
  "kernel.series": SERIES,
  "fs.needReval": [false, true],
  "fs.ciLookup": CI_LOOKUPS,
};

/** Axes that only nfs may set true (the seed-file reader rejects them on procfs). */
export const NFS_ONLY: readonly Axis[] = ["fs.atomicOpen", "fs.nfsPrepared"];
/** Ops modelled on fs.type nfs only (its server directory stands for the NFS, AFS or exported one;
 *  open: NFS's ->atomic_open). */
export const NFS_ONLY_OPS: readonly OpName[] = ["silly-unlink", "silly-iput", "decode-fh", "open"];

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

/** Differential mode: schedules (half random, half PCT, the input's own seeds) the other model
 *  gets to show a candidate's failure, before shrinking and for each smaller input. */
export const REPRODUCE_SCHEDULES = 1024;
/** Exhaustive checks (differential confirmation, schedule minimisation) stop after this many. */
export const DFS_MAX_SCHEDULES = 200_000;
/** Differential mode: give up on a (direction, key) after this many unconfirmed candidates. */
export const MAX_UNCONFIRMED = 8;

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
  /** schedules the fuzzer runs itself while shrinking and confirming (differential checks,
   *  exhaustive confirmation; shrink.ts's replays and searches are not counted) */
  shrinkSchedules: number;
}
