// The project's Promela model of SPIN's shape (bench/spin/vfsim.pml, which `npm run bench:spin`
// runs under SPIN) and the seed files vfsim runs beside it (fixtures/scale/spin-h<k>-<order>.json)
// describe the same shape, with the flags bench/spin/shape.mjs builds each order with, and the
// model names its steps after functions vfsim models. Reads files only, so it needs no spin; that
// the model's state space is the reference model's is `node bench/spin/run.mjs --agree` (spin).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODELS, ORDERS, seedFileOf } from "../bench/spin/shape.mjs";
import { seedFile } from "./helpers";

const pml = readFileSync(MODELS.vfsim.file, "utf8");
/** The op of a seed file's thread, and the task of the model that does it. */
const TASK_OF_OP: Record<string, string> = { getdents: "getdents64", stat: "vfs_statx", mkdir: "do_mkdirat" };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("bench/spin/vfsim.pml", () => {
  it("has the seed files' tasks in their order, and the flags of each order are the seed files' settings", () => {
    const tasks = [...pml.matchAll(/^active \[(\w+)\] proctype (\w+)\(\)/gm)].map((m) => [m[1], m[2]]);
    expect(tasks).toEqual([["K", "getdents64"], ["K", "vfs_statx"], ["K", "do_mkdirat"]]);
    expect(pml).toMatch(/^#define NAME \(_pid - K\)/m);   // vfs_statx number j (0-based) looks up x_{j+1}
    for (const o of ORDERS) {
      const flags = MODELS.vfsim.flags[o.order];
      expect(flags.includes("-DORDER_PROPOSED"), o.order).toBe(o.kernelOrder === "proposed");
      expect(flags.includes("-DPRIME_TRYLOCK"), o.order).toBe(o.prime === "d_alloc_trylock");
      for (const f of flags) expect(pml, f).toMatch(new RegExp(`^#ifn?def ${f.slice(2)}$`, "m"));
      for (const k of [2, 3, 4]) {
        const s = seedFile(seedFileOf(k, o.order));
        const xs = Array.from({ length: k }, (_, i) => `x${i + 1}`);
        expect(s.tree).toEqual({ "/d": xs });
        expect(s.threads.map((t) => TASK_OF_OP[t.ops[0].op])).toEqual(tasks.flatMap(([, name]) => Array(k).fill(name)));
        expect(s.threads.filter((t) => t.ops[0].op === "stat").map((t) => t.ops[0].path)).toEqual(xs.map((x) => `/d/${x}`));
        expect([s.kernel.order, s.fs.prime, s.kernel.rwsem, s.expect.map((e) => e.verdict)]).toEqual([o.kernelOrder, o.prime, "fifo", [o.verdict]]);
      }
    }
  });

  it("names every task, inline and step after a function vfsim models", () => {
    const known = new Set<string>();
    for (const f of sources("assembly")) {
      const t = readFileSync(f, "utf8");
      for (const m of t.matchAll(/function (\w+)\(/g)) known.add(m[1]);
      for (const m of t.matchAll(/return "([\w>-]+)/g)) known.add(m[1]);   // fns.ts and the step names
      for (const line of t.split("\n")) {
        if (line.includes("Models:")) for (const m of line.matchAll(/\b[a-z_][a-z0-9]*_[a-z0-9_]+\b/g)) known.add(m[0]);
      }
    }
    const names = [
      ...[...pml.matchAll(/^active \[\w+\] proctype (\w+)\(\)/gm)].map((m) => m[1]),
      ...[...pml.matchAll(/^inline (\w+)\(/gm)].map((m) => m[1]),
      ...[...pml.matchAll(/^(\w+):$/gm)].map((m) => m[1]).filter((n) => !n.startsWith("end_")),
    ];
    expect(names.length).toBeGreaterThan(15);
    expect(names.filter((n) => !known.has(n))).toEqual([]);
  });
});
