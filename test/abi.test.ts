// The host and the model agree on every number at the door (assembly/abi.ts vs host/core/abi.ts).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as host from "../host/core/abi";

const asm = new Map<string, number>();
for (const m of readFileSync("assembly/abi.ts", "utf8").matchAll(/export const (\w+): i32 = (-?\d+);/g)) asm.set(m[1], Number(m[2]));

function hostValue(name: string): number | undefined {
  const h = host as unknown as Record<string, unknown>;
  if (typeof h[name] === "number") return h[name] as number;
  const tables: [string, Record<string, number>][] = [["H_", host.H as unknown as Record<string, number>], ["R_", host.R], ["EV_", host.EV]];
  for (const [prefix, table] of tables) if (name.startsWith(prefix) && name.slice(prefix.length) in table) return table[name.slice(prefix.length)];
  return undefined;
}

describe("ABI", () => {
  it("assembly/abi.ts defines the constants the host reads", () => {
    expect(asm.size).toBeGreaterThan(60);
  });

  it.each([...asm.keys()].filter((n) => hostValue(n) !== undefined))("%s agrees", (name) => {
    expect(hostValue(name)).toBe(asm.get(name));
  });

  it("enumerations are in the model's order", () => {
    const order = (prefix: string) => [...asm.entries()].filter(([n]) => n.startsWith(prefix)).sort((a, b) => a[1] - b[1]).map(([n]) => n.slice(prefix.length));
    const kebab = (xs: readonly string[]) => xs.map((x) => x.toUpperCase().replace(/-/g, "_"));
    expect(order("CHECK_").filter((n) => n !== "COUNT")).toEqual(kebab(host.CHECKS));
    expect(order("PLANT_")).toEqual(kebab(host.PLANTS));
    expect(order("OP_").filter((n) => n !== "WORDS")).toEqual(kebab(host.OPS));
    expect(order("VERDICT_").filter((n) => n !== "RUNNING")).toEqual(kebab(host.VERDICTS));
    expect(order("FS_").filter((n) => n !== "COUNT")).toEqual(kebab(host.FS_TYPES));
    expect(order("AUX_").length).toBe(host.AUX.length);
    expect(order("WAIT_").length).toBe(host.WAITS.length);
  });
});
