/** Variant axes: the fields a matrix may vary and an expectation may condition on. */

import { CI_LOOKUPS, FS_TYPES, ITERATES, ORDERS, PRIMES, PRIME_OLD_NAMES, RWSEMS, SERIES, WAITQUEUES } from "../abi";
import { bool, enumOf, list, type Spec } from "./combinators";

export const AXIS_SPECS = {
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
  "fs.ciLookup": enumOf(CI_LOOKUPS, "ciLookup"),
} satisfies Record<string, Spec<string | boolean>>;

export type Axis = keyof typeof AXIS_SPECS;
export const AXES = Object.keys(AXIS_SPECS) as Axis[];

/** The spec of one axis; the caller has checked `axis` against AXES. */
export function axisSpec(axis: string): Spec<string | boolean> {
  return (AXIS_SPECS as Record<string, Spec<string | boolean>>)[axis];
}

export const axisValues = (axis: string) => list(axisSpec(axis), { min: 1, noun: "values", unique: (v) => v });
