/** Serialisation: stable, pretty JSON for counterexamples and the page. */

import { isObject } from "./combinators";
import type { Expectation, Op, SeedFile } from "./types";

const LINE_WIDTH = 100;

/** Stable, pretty JSON: fixed field order, short objects and lists kept on one line. */
export function serializeSeedFile(s: SeedFile): string {
  const seed = s.run.seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s.run.seed) : s.run.seed.toString();
  const out: Record<string, unknown> = {
    vfsim: s.vfsim,
    name: s.name,
    ...(s.from !== undefined ? { from: s.from } : {}),
    about: s.about,
    kernel: { order: s.kernel.order, rwsem: s.kernel.rwsem, waitqueue: s.kernel.waitqueue, ...(s.kernel.series !== "aug-2025" ? { series: s.kernel.series } : {}) },
    fs: {
      type: s.fs.type, prime: s.fs.prime, lookupLocks: s.fs.lookupLocks,
      ...(s.fs.iterate !== "shared" ? { iterate: s.fs.iterate } : {}), ...(s.fs.needReval ? { needReval: true } : {}),
      ...(s.fs.atomicOpen !== undefined ? { atomicOpen: s.fs.atomicOpen } : {}), ...(s.fs.nfsPrepared ? { nfsPrepared: true } : {}),
      ...(s.fs.ciLookup !== "off" ? { ciLookup: s.fs.ciLookup } : {}), ...(Object.keys(s.fs.ciNames).length ? { ciNames: s.fs.ciNames } : {}),
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
  if (op.op === "kill") return { op: op.op, task: op.task };
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
