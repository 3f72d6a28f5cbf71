// lockdep as the kernel would run it (assembly/check/lockdep.ts): the dependency graph over lock
// classes accumulates across the tasks of a run and reports a cycle in a schedule that need not
// deadlock; a trylock adds no dependency; "all" does not include it; the deadlock report says what
// lockdep sees of each wait.
import { describe, expect, it } from "vitest";
import { explore } from "../host/core/explore";
import { reportJson, reportText } from "../host/core/report";
import { runScenario, type RunOptions } from "../host/core/run";
import { encodeScenario, parseSeedFile, SeedError, variantOf, withLockdep, type SeedFile } from "../host/core/seed";
import { Model } from "../host/core/wasm";
import { main } from "../host/node/cli";
import { A, module, seedFile } from "./helpers";
import { readFileSync } from "node:fs";

const LD = "fixtures/scenarios/lockdep-prime-lookup-inverts-classes.json";
const dfs0: RunOptions = { strategy: "dfs", seed: 1n, schedules: 1_000_000, depth: 3, preemptions: 0 };
const dfs1: RunOptions = { ...dfs0, preemptions: 1 };

function run(s: SeedFile, opts: RunOptions = dfs0) {
  return runScenario(module, s, encodeScenario(s), opts);
}
function variant(order: string, prime: string, s = seedFile(LD)): SeedFile {
  return variantOf(s, { "kernel.order": order, "fs.prime": prime });
}

describe("lockdep", () => {
  it("sequential schedules are clean: inserting an in-lookup dentry is a trylock (the tree's lock_map_acquire_try), and nobody waits", () => {
    for (const [order, prime] of [["current", "d_alloc_parallel"], ["proposed", "d_alloc_parallel"], ["proposed", "d_alloc_trylock"]]) {
      const r = run(variant(order, prime));
      expect([order, prime, r.verdict, r.exhaustive]).toEqual([order, prime, "ok", true]);
    }
  });

  it("proposed order + d_alloc_parallel, one preemption: the primer waits on L's in-lookup x, closing i_rwsem <-> in-lookup across two tasks", () => {
    const r = run(variant("proposed", "d_alloc_parallel"), dfs1);
    expect([r.verdict, r.invariant]).toEqual(["violation", "lockdep"]);
    const chain = r.lockdep!;
    expect(chain.map((e) => `${e.held}->${e.acquired}`).sort()).toEqual(["i_rwsem->in-lookup", "in-lookup->i_rwsem"]);
    // edges accumulate across all tasks: each dependency was added by a different task
    expect(new Set(chain.map((e) => e.task))).toEqual(new Set(["R", "L"]));
    const byL = chain.find((e) => e.task === "L")!;
    expect([byL.held, byL.acquired, byL.read, byL.heldFn]).toEqual(["in-lookup", "i_rwsem", true, "d_alloc_parallel"]);
    const byR = chain.find((e) => e.task === "R")!;
    expect([byR.held, byR.heldFn, byR.wait, byR.fn]).toEqual(["i_rwsem", "iterate_dir", true, "d_alloc_parallel"]);
    expect(chain.some((e) => e.recursive)).toBe(false);
    for (const e of chain) expect(e.tick).toBeGreaterThan(0);
    expect(chain[chain.length - 1].tick).toBe(r.ticks);   // the last acquisition closed it, at the failing tick
    const text = reportText(r, encodeScenario(variant("proposed", "d_alloc_parallel")));
    expect(text).toContain("closes the cycle:");
    expect(text).toContain("this schedule need not deadlock");
    expect((reportJson(r).lockdep as unknown[]).length).toBe(chain.length);
  });

  it("the same schedule does not deadlock: without lockdep it runs to the end", () => {
    const s = variant("proposed", "d_alloc_parallel");
    const r = run(s, dfs1);
    const plain = { ...s, checks: "all" as const };
    // the failing schedule, then whichever task can run (lowest id first), to the end
    const m = new Model(module);
    m.load(encodeScenario(plain).words);
    m.begin();
    let v = -1;
    for (const c of r.choices!.slice(0, r.ticks)) v = m.tick(c);
    expect(v).toBe(-1);   // the checks of "all" found nothing on the way
    while (v === -1) v = m.tick(31 - Math.clz32(m.runnableMask() & -m.runnableMask()));
    expect(v).toBe(0);    // ok: everybody finished
    // and over every schedule of one preemption the checks of "all" find nothing
    const all = run(plain, dfs1);
    expect([all.verdict, all.exhaustive]).toEqual(["ok", true]);
  });

  it("the current order, and d_alloc_trylock's trylock insertion, add no inverting dependency", () => {
    for (const [order, prime] of [["current", "d_alloc_parallel"], ["current", "d_alloc_trylock"], ["proposed", "d_alloc_trylock"]]) {
      const r = run(variant(order, prime), dfs1);
      expect([order, prime, r.verdict, r.exhaustive]).toEqual([order, prime, "ok", true]);
    }
  });

  it("a trylock adds no dependency: d_alloc_trylock is clean in the whole state space, d_alloc_parallel is not", () => {
    const unbounded = { ...dfs0, preemptions: -1 };
    const noblock = run(variant("proposed", "d_alloc_trylock"), unbounded);
    expect([noblock.verdict, noblock.exhaustive]).toEqual(["ok", true]);
    const parallel = run(variant("proposed", "d_alloc_parallel"), unbounded);
    expect([parallel.verdict, parallel.invariant]).toEqual(["violation", "lockdep"]);
  });

  it("a single task never closes a cycle by itself here: L alone, or R alone, is clean", () => {
    const s = variant("proposed", "d_alloc_parallel");
    for (const keep of ["R", "L"]) {
      const one = { ...s, threads: s.threads.filter((t) => t.name === keep), expect: [] };
      const r = run(one, { ...dfs0, preemptions: -1 });
      expect([keep, r.verdict, r.exhaustive]).toEqual([keep, "ok", true]);
    }
  });

  it('"all" keeps its eleven checks; lockdep must be listed, or added by withLockdep / --lockdep', () => {
    const s = variant("proposed", "d_alloc_parallel", seedFile(A));
    const off = run(s, dfs1);
    expect(off.invariant).not.toBe("lockdep");
    const on = run(withLockdep(s), dfs1);
    expect([on.verdict, on.invariant]).toEqual(["violation", "lockdep"]);
    const raw = JSON.parse(readFileSync(LD, "utf8"));
    expect(() => parseSeedFile(JSON.stringify({ ...raw, checks: "all" }))).toThrow(SeedError);
    expect(() => parseSeedFile(JSON.stringify({ ...raw, checks: "all" }))).toThrow(/expect\[2\]\.invariant/);
  });

  it("--lockdep on vfsim run reports the violation; replay and matrix take it too", async () => {
    const out: string[] = [];
    const code = await main(["run", A, "--set", "kernel.order=proposed", "--lockdep", "--preemptions", "1", "--json", "--out", "/tmp/vfsim-lockdep-test"], (x) => out.push(x), () => {});
    expect(code).toBe(1);
    const j = JSON.parse(out[0]);
    expect([j.verdict, j.invariant]).toEqual(["violation", "lockdep"]);
    expect(j.lockdep.length).toBeGreaterThanOrEqual(2);
    // the counterexample lists lockdep among its checks and replays to the same violation
    const again: string[] = [];
    expect(await main(["replay", j.file, "--json"], (x) => again.push(x), () => {})).toBe(1);
    const k = JSON.parse(again[0]);
    expect([k.verdict, k.invariant, k.reproduced]).toEqual(["violation", "lockdep", true]);
    // matrix --lockdep: the deadlock fixture's proposed cells now stop at the lockdep violation
    const cells: string[] = [];
    expect(await main(["matrix", A, "--lockdep", "--json"], (x) => cells.push(x), () => {})).toBe(1);
    expect(cells.join("\n")).toContain("lockdep");
  });

  it("a deadlock report says which lock class lockdep sees each wait under", () => {
    const r = run(variant("proposed", "d_alloc_parallel", seedFile(A)), { ...dfs0, preemptions: 3 });
    expect(r.verdict).toBe("deadlock");
    const j = reportJson(r);
    expect(j.lockdepClasses).toEqual((j.edges as string[]).map((w) => (w.startsWith("rwsem") ? "i_rwsem" : w === "in-lookup wait" ? "in-lookup" : "lookup lock")));
    expect(reportText(r, encodeScenario(seedFile(A)))).toContain("what lockdep sees of each wait:");
  });

  it("dfs with lockdep: symmetry and state caching never change the verdict (POR is off)", () => {
    const s = seedFile("fixtures/scale/nfs-readdirplus-2x2x2.json");
    for (const order of ["current", "proposed"]) {
      const words = encodeScenario(withLockdep(variantOf(s, { "kernel.order": order }))).words;
      const [sym, plain] = [true, false].map((on) => {
        const m = new Model(module);
        m.load(words);
        return explore(m, { preemptions: 1, maxStates: 5_000_000, symmetry: on, por: on });
      });
      expect([order, sym.verdict, sym.exhaustive]).toEqual([order, plain.verdict, plain.exhaustive]);
    }
  });

  it("i_rwsem subclasses: rmdir nests the victim (I_MUTEX_NORMAL) inside the parent (I_MUTEX_PARENT), a dependency between two classes, not recursive locking", () => {
    const V = "fixtures/scenarios/rmdir-lookup-in-victim.json";
    for (const series of ["vfs-7.4", "neilbrown-083efdc"]) {
      const s = withLockdep(variantOf(seedFile(V), { "kernel.order": "proposed", "kernel.series": series }));
      const m = new Model(module);
      m.load(encodeScenario(s).words);
      m.x.begin();
      let v = -1;
      while (v === -1) v = m.x.tick(31 - Math.clz32(m.x.runnable_mask() & -m.x.runnable_mask()));   // R first, to its end, then L
      expect([series, v]).toEqual([series, 0]);
      const PARENT = 3, NORMAL = 0;
      expect(m.x.lockdep_edge(PARENT, NORMAL)).toBe(1);   // do_rmdir's parent -> vfs_rmdir's victim
      expect(m.x.lockdep_edge(NORMAL, NORMAL)).toBe(0);
      expect(m.x.lockdep_edge(NORMAL, PARENT)).toBe(0);
      // and over the whole state space lockdep finds nothing (both orders)
      const all = run(s, { ...dfs0, preemptions: -1 });
      expect([series, all.verdict, all.exhaustive]).toEqual([series, "ok", true]);
    }
  });

  it("rmdir_lock's d_wait_lookup(child, 1) is its own class: the parent held (I_MUTEX_PARENT) -> in-lookup/1", () => {
    const D = "fixtures/scenarios/rmdir-dying-lookup.json";
    const s = withLockdep(variantOf(seedFile(D), { "kernel.order": "proposed", "kernel.series": "neilbrown-083efdc" }));
    const m = new Model(module);
    m.load(encodeScenario(s).words);
    m.x.begin();
    // L for 5 ticks (walk d, s, miss x, NEW-PRIVATE x, insert x: it owns the in-lookup x), then R (its scan sleeps on x), then the rest
    let v = -1, ticks = 0;
    const pick = (want: number) => { const mask = m.x.runnable_mask(); return mask & (1 << want) ? want : 31 - Math.clz32(mask & -mask); };
    while (v === -1) { v = m.x.tick(pick(ticks < 5 ? 1 : 0)); ticks++; }
    expect(v).toBe(0);
    const PARENT = 3, IN_LOOKUP_0 = 1, IN_LOOKUP_1 = 4, NORMAL = 0;
    expect(m.x.lockdep_edge(PARENT, IN_LOOKUP_1)).toBe(1);
    expect(m.x.lockdep_edge(PARENT, IN_LOOKUP_0)).toBe(0);
    expect(m.x.lockdep_edge(IN_LOOKUP_0, NORMAL)).toBe(1);   // L: in-lookup x held (a trylock) -> s shared
  });
  it("d_add_ci (lockdep-d_add_ci-nested-in-lookup-wait): recursive locking where T1 waits on an in-lookup dentry owning its own; the 2026 d_add_ci in the current order: the class cycle", () => {
    const F = "fixtures/scenarios/lockdep-d_add_ci-nested-in-lookup-wait.json";
    const kinds: string[] = [];
    for (const order of ["current", "proposed"]) {
      for (const ci of ["d_add_ci", "drop-lock"]) {
        const s = variantOf(seedFile(F), { "kernel.order": order, "fs.ciLookup": ci });
        const r = run(s, dfs1);
        expect([order, ci, r.verdict, r.invariant]).toEqual([order, ci, "violation", "lockdep"]);
        const chain = r.lockdep!;
        const text = reportText(r, encodeScenario(s));
        const recursive = chain.some((e) => e.recursive);
        if (recursive) {
          // check_deadlock: one entry, the class already held by the same task, in the nested d_alloc_parallel
          expect(chain.map((e) => [e.held, e.acquired, e.task, e.wait, e.fn, e.heldFn])).toEqual([["in-lookup", "in-lookup", "T1", true, "d_alloc_parallel", "d_alloc_parallel"]]);
          expect(text).toContain("lockdep: possible recursive locking detected");
        } else {
          // two tasks, two classes: T1 retakes the parent owning X, T2 waits for x holding the parent
          expect(chain.map((e) => `${e.task}: ${e.held}->${e.acquired}`).sort()).toEqual(["T1: in-lookup->i_rwsem", "T2: i_rwsem->in-lookup"]);
          expect(text).toContain("lockdep: circular dependency between lock classes");
        }
        kinds.push(`${order} ${ci}: ${recursive ? "recursive" : "circular"}`);
      }
    }
    expect(kinds).toEqual(["current d_add_ci: recursive", "current drop-lock: circular", "proposed d_add_ci: recursive", "proposed drop-lock: recursive"]);
  });
});
