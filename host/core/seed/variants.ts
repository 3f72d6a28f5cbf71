/** Variants and expectations: a seed file under an assignment of variant axes. */

import { CHECKS_ALL } from "../abi";
import { AXES, AXIS_SPECS, axisSpec } from "./axes";
import { oneOf } from "./combinators";
import { SeedError } from "./errors";
import type { Expectation, SeedFile } from "./types";

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
