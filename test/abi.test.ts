// The host and the model agree on every number at the door (assembly/abi.ts vs host/core/abi.ts),
// group by group, by name and value, both ways: every constant of assembly/abi.ts is compared
// with its host twin or listed below as one the host does not read, and every export of the host
// file is compared or listed as host-only. Swapping two members of a group on either side,
// changing a value, or adding a constant to one side only fails a test here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as host from "../host/core/abi";

/** assembly/abi.ts: `export const NAME: i32 = <number or another constant>;` */
const asm = new Map<string, number>();
for (const m of readFileSync("assembly/abi.ts", "utf8").matchAll(/export const (\w+): i32 = ([^;]+);/g)) {
  const expr = m[2].trim();
  const value = /^-?\d+$/.test(expr) ? Number(expr) : asm.get(expr);
  if (value === undefined) throw new Error(`assembly/abi.ts ${m[1]} = ${expr}: not a number or an earlier constant`);
  asm.set(m[1], value);
}
/** Aliases (`PRIME_NOBLOCK = PRIME_TRYLOCK`): another name for a member, not a member. */
const ALIASES = new Set([...readFileSync("assembly/abi.ts", "utf8").matchAll(/export const (\w+): i32 = ([A-Z_][A-Z0-9_]*);/g)].map((m) => m[1]));

const upper = (s: string) => s.toUpperCase().replace(/[-. ]/g, "_");

/** Host name lists that mirror a group of assembly constants, member i having value i. `asmName`
 *  turns a host name into the constant's name after the prefix. `count`: the group's
 *  `<prefix>COUNT`-style constant, if it has one; `besides`: constants with the prefix that are
 *  no member (compared as scalars). */
const GROUPS: { prefix: string; list: string; names: readonly string[]; asmName?: (n: string) => string; count?: string; besides?: string[] }[] = [
  { prefix: "ORDER_", list: "ORDERS", names: host.ORDERS },
  { prefix: "RWSEM_", list: "RWSEMS", names: host.RWSEMS },
  { prefix: "WQ_", list: "WAITQUEUES", names: host.WAITQUEUES },
  { prefix: "SERIES_", list: "SERIES", names: host.SERIES },
  { prefix: "FS_", list: "FS_TYPES", names: host.FS_TYPES, count: "FS_COUNT" },
  { prefix: "PRIME_", list: "PRIMES", names: host.PRIMES, asmName: (n) => upper(n.replace(/^d_alloc_/, "")) },
  { prefix: "ITERATE_", list: "ITERATES", names: host.ITERATES },
  { prefix: "OP_", list: "OPS", names: host.OPS, besides: ["OP_WORDS"] },
  { prefix: "CHECK_", list: "CHECKS", names: host.CHECKS, count: "CHECK_COUNT" },
  { prefix: "PLANT_", list: "PLANTS", names: host.PLANTS },
  { prefix: "VERDICT_", list: "VERDICTS", names: host.VERDICTS, besides: ["VERDICT_RUNNING"] },
  { prefix: "LOCKDEP_", list: "LOCKDEP_CLASSES", names: host.LOCKDEP_CLASSES, count: "LOCKDEP_CLASSES",
    asmName: (n) => upper(n.replace("/I_MUTEX_PARENT", "_PARENT").replace("/", "_")) },
  { prefix: "CI_", list: "CI_LOOKUPS", names: host.CI_LOOKUPS },
  { prefix: "WAIT_", list: "WAITS", names: host.WAITS, asmName: (n) => (n === "in-lookup wait" ? "IN_LOOKUP" : upper(n)) },
  { prefix: "AUX_", list: "AUX_NOTES", names: Object.keys(host.AUX_NOTES), asmName: (n) => n },
  { prefix: "STRATEGY_", list: "(the wasm strategies)", names: ["random", "pct", "replay"] },
  { prefix: "OBJ_", list: "(object kinds)", names: ["none", "dentry", "inode", "task", "path", "server"] },
];

/** Host tables of word offsets: `H.ORDER` is `H_ORDER`, and so on. */
const TABLES: [string, Record<string, number>][] = [
  ["H_", Object.fromEntries(Object.entries(host.H).filter(([, v]) => typeof v === "number")) as Record<string, number>],
  ["R_", host.R],
  ["EV_", host.EV],
];

/** Constants of assembly/abi.ts that are no member of a group above and that the host does not
 *  read, and why (none today). */
const MODEL_ONLY: Record<string, string> = {};

/** Host exports with no assembly twin, and why. */
const HOST_ONLY: Record<string, string> = {
  PRIME_OLD_NAMES: "old spellings the seed-file reader accepts; the model never sees them",
  CHECKS_ALL: "what checks: \"all\" means, a seed-file rule (derived from CHECKS)",
  WAIT_LOCK_CLASS: "the lock class lockdep reports a wait under, for the report text",
  AUX: "AUX_NOTES's values, by code",
};

/** The members of an assembly group in value order (its COUNT, aliases and `besides` excluded). */
function members(g: (typeof GROUPS)[number]): [string, number][] {
  return [...asm.entries()].filter(([n]) => n.startsWith(g.prefix) && n !== g.count && !ALIASES.has(n) && !g.besides?.includes(n)).sort((a, b) => a[1] - b[1]);
}

function hostScalar(name: string): number | undefined {
  const v = (host as unknown as Record<string, unknown>)[name];
  return typeof v === "number" ? v : undefined;
}

describe("ABI", () => {
  it("assembly/abi.ts defines the constants the host reads", () => {
    expect(asm.size).toBeGreaterThan(100);
  });

  it.each(GROUPS.map((g) => [g.prefix, g] as const))("group %s*: the host's names in the model's value order, values 0..n-1", (_, g) => {
    const m = members(g);
    const name = g.asmName ?? upper;
    expect(g.names.map((n) => g.prefix + name(n)), `host ${g.list} against assembly/abi.ts ${g.prefix}*`).toEqual(m.map(([n]) => n));
    expect(m.map(([, v]) => v)).toEqual(m.map((_, i) => i));
    if (g.count) expect(asm.get(g.count), g.count).toBe(g.names.length);
  });

  it.each(TABLES.map(([p, t]) => [p, t] as const))("table %s*: every offset on both sides, the same values", (prefix, table) => {
    const hostSide = Object.fromEntries(Object.entries(table).map(([k, v]) => [prefix + k, v]));
    const asmSide = Object.fromEntries([...asm.entries()].filter(([n]) => n.startsWith(prefix) && hostScalar(n) === undefined));
    expect(hostSide).toEqual(asmSide);
  });

  it("every host scalar has its twin in assembly/abi.ts with the same value", () => {
    const scalars = Object.entries(host).filter(([, v]) => typeof v === "number") as [string, number][];
    expect(scalars.length).toBeGreaterThan(20);
    for (const [name, v] of scalars) expect(asm.get(name), `assembly/abi.ts ${name}`).toBe(v);
  });

  it("every constant of assembly/abi.ts is compared (or listed as one the host does not read)", () => {
    const compared = new Set<string>();
    for (const g of GROUPS) {
      for (const [n] of members(g)) compared.add(n);
      if (g.count) compared.add(g.count);
    }
    for (const [prefix, table] of TABLES) for (const k of Object.keys(table)) compared.add(prefix + k);
    for (const n of asm.keys()) if (hostScalar(n) !== undefined) compared.add(n);
    const missing = [...asm.keys()].filter((n) => !compared.has(n) && !ALIASES.has(n) && !(n in MODEL_ONLY));
    expect(missing, "constants of assembly/abi.ts no test compares").toEqual([]);
  });

  it("every export of host/core/abi.ts is compared (or listed as host-only)", () => {
    const lists = new Set(GROUPS.map((g) => g.list));
    const tables = new Set(["H", "R", "EV"]);
    const unchecked = Object.entries(host).filter(([name, v]) => typeof v !== "number" && !lists.has(name) && !tables.has(name) && !(name in HOST_ONLY)).map(([n]) => n);
    expect(unchecked, "host/core/abi.ts exports no test compares").toEqual([]);
  });
});

