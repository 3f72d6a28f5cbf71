// The canonical scenarios of kernel-model.md section 8, run on the model. Exhaustive (dfs within
// the file's preemption bound) where a verdict is "ok": the whole bounded space is shown clean.
import { describe, expect, it } from "vitest";
import { runCell, runMatrix } from "../host/core/matrix";
import { runScenario, replayScenario, ReplayDivergence, type RunOptions } from "../host/core/run";
import { encodeScenario, parseSeedFile, variantAssignments, type SeedFile } from "../host/core/seed";
import { readState } from "../host/core/state_view";
import { VERDICTS, VERDICT_RUNNING } from "../host/core/abi";
import { A, module, scenarioFiles, seedFile, sequential } from "./helpers";
import { Model } from "../host/core/wasm";

function run(s: SeedFile, over: Partial<RunOptions> = {}) {
  return runScenario(module, s, encodeScenario(s), {
    strategy: s.run.strategy, seed: s.run.seed, schedules: s.run.schedules, depth: s.run.depth, preemptions: s.run.preemptions, ...over,
  });
}

describe("every built-in scenario meets the verdict its seed file expects, under every variant", () => {
  for (const file of scenarioFiles()) {
    const s = seedFile(file);
    for (const v of variantAssignments(s)) {
      it(`${s.name} ${JSON.stringify(v)}`, () => {
        const cell = runCell(module, file, s, v);
        expect(cell.expected, "each cell states its expected verdict").toBeDefined();
        expect({ verdict: cell.report.verdict, invariant: cell.report.invariant, cycle: cell.report.cycle?.map((e) => e.task) })
          .toMatchObject({ verdict: cell.expected!.verdict, ...(cell.expected!.invariant ? { invariant: cell.expected!.invariant } : {}) });
        expect(cell.matches).toBe(true);
        if (cell.report.verdict === "ok") expect(cell.report.exhaustive, "ok means the whole bounded space").toBe(true);
      });
    }
  }
});

describe("(a) readdirplus priming + stat + mkdir", () => {
  it("current order: no deadlock anywhere in the whole state space (no preemption bound)", () => {
    const r = run(seedFile(A, ["kernel.order=current"]), { preemptions: -1 });
    expect(r.verdict).toBe("ok");
    expect(r.exhaustive).toBe(true);
    expect(r.states).toBeGreaterThan(500);
    // every interleaving within 4 preemptions is covered too (a bounded search stores more
    // states: the same state reached with fewer preemptions is explored again)
    const bounded = run(seedFile(A, ["kernel.order=current"]), { preemptions: 4 });
    expect([bounded.verdict, bounded.exhaustive]).toEqual(["ok", true]);
  });

  it("proposed + d_alloc_parallel + linux rwsem: getdents -> stat (in-lookup wait) -> mkdir (rwsem queue) -> getdents", () => {
    const r = run(seedFile(A, ["kernel.order=proposed"]));
    expect(r.verdict).toBe("deadlock");
    expect(r.cycle).toEqual([
      { task: "R", wait: "in-lookup wait", killable: false, signalPending: false },
      { task: "L", wait: "rwsem read", killable: false, signalPending: false },
      { task: "W", wait: "rwsem write", killable: false, signalPending: false },
    ]);
    // the steps that formed it, in the trace
    const text = r.trace!.map((e) => `${e.task} ${e.text}`);
    expect(text.some((l) => l.startsWith("1 d_alloc_parallel: search-or-insert \"x\"") && l.endsWith("[new, owner]"))).toBe(true);
    expect(text.some((l) => l.startsWith("0 d_alloc_parallel: d_wait_lookup \"x\"") && l.endsWith("[sleeps]"))).toBe(true);
    expect(text.some((l) => l.startsWith("2 do_mkdirat: inode_lock i_rwsem(d)") && l.endsWith("[queued]"))).toBe(true);
    expect(text.some((l) => l.startsWith("1 __lookup_slow: inode_lock_shared i_rwsem(d)") && l.endsWith("[queued]"))).toBe(true);
  });

  it("proposed + d_alloc_trylock: no deadlock in the bounded space", () => {
    const r = run(seedFile(A, ["kernel.order=proposed", "fs.prime=d_alloc_trylock"]), { preemptions: 4 });
    expect([r.verdict, r.exhaustive]).toEqual(["ok", true]);
  });

  it("proposed + reader-pref rwsem: the queued writer no longer blocks the reader", () => {
    const r = run(seedFile(A, ["kernel.order=proposed", "kernel.rwsem=reader-pref"]), { preemptions: 4 });
    expect([r.verdict, r.exhaustive]).toEqual(["ok", true]);
  });

  it("random and PCT strategies find the deadlock too", () => {
    for (const strategy of ["random", "pct"] as const) {
      const r = run(seedFile(A, ["kernel.order=proposed"]), { strategy, schedules: 10_000, seed: 42n });
      expect(r.verdict).toBe("deadlock");
      expect(r.cycle!.map((e) => e.task)).toEqual(["R", "L", "W"]);
    }
  });
});

describe("(a') the writer holds its in-lookup target while waiting for the exclusive lock", () => {
  for (const f of ["a-prime-excl-create-in-lookup-deadlock", "a-prime-rename-target-in-lookup-deadlock", "a-prime-atomic-open-creat-in-lookup-deadlock"]) {
    it(`${f}: a two-task cycle under proposed + d_alloc_parallel, even with a reader-preferring rwsem`, () => {
      for (const rwsem of ["linux", "reader-pref"]) {
        const r = run(seedFile(`fixtures/scenarios/${f}.json`, ["kernel.order=proposed", `kernel.rwsem=${rwsem}`]));
        expect(r.verdict).toBe("deadlock");
        expect(r.cycle).toEqual([{ task: "R", wait: "in-lookup wait", killable: false, signalPending: false }, { task: "W", wait: "rwsem write", killable: false, signalPending: false }]);
      }
    });
  }
});

describe("(b) procfs d_alloc_locked", () => {
  const B = "fixtures/scenarios/b-procfs-d_alloc_locked-needs-lock_lookup.json";
  it("without lock_lookup in ->lookup: two lookups in flight, and a second instantiation", () => {
    const r = run(seedFile(B, ["fs.lookupLocks=false"]));
    expect(r.verdict).toBe("violation");
    expect(["single-lookup", "single-instantiation"]).toContain(r.invariant);
    const only = run(seedFile(B, ["fs.lookupLocks=false", 'checks=["single-instantiation"]', "expect=[]"]));
    expect([only.verdict, only.invariant]).toEqual(["violation", "single-instantiation"]);
  });
  it("with lock_lookup: neither, in the whole bounded space; owner-only reported when enabled", () => {
    const r = run(seedFile(B, ["fs.lookupLocks=true"]));
    expect([r.verdict, r.exhaustive]).toEqual(["ok", true]);
    const withOwnerOnly = run(seedFile(B, ["fs.lookupLocks=true", "checks=all"]));
    expect([withOwnerOnly.verdict, withOwnerOnly.invariant, withOwnerOnly.failTask]).toEqual(["violation", "owner-only", "R"]);
  });
});

describe("(c2, c3) readdir through wrap_directory_iterator", () => {
  const C2 = "fixtures/scenarios/c2-wrapped-iterate-primes-under-exclusive.json";
  it("primes under the exclusive lock: a two-task cycle in the proposed order, no writer needed", () => {
    const r = run(seedFile(C2));
    expect(r.verdict).toBe("deadlock");
    expect(r.cycle).toEqual([{ task: "R", wait: "in-lookup wait", killable: false, signalPending: false }, { task: "L", wait: "rwsem read", killable: false, signalPending: false }]);
    expect(r.trace!.some((e) => e.task === 0 && e.state === "wrap_directory_iterator: down_write" && e.note === "granted")).toBe(true);
  });
  it("drops, retakes exclusive and downgrades in the current order; every schedule clean", () => {
    const s = seedFile(C2, ["kernel.order=current"]);
    const r = run(s);
    expect([r.verdict, r.exhaustive]).toEqual(["ok", true]);
    // R alone first (always the lowest runnable task): the whole wrapped iteration, traced
    const replayed = sequential(s, 0);
    expect(replayed.verdict).toBe("ok");
    const rSteps = replayed.trace!.filter((e) => e.task === 0).map((e) => e.state);
    const order = ["down_read_killable", "wrap_directory_iterator: up_read", "wrap_directory_iterator: down_write",
      "READDIRPLUS", "wrap_directory_iterator: downgrade_write", "up_read"].map((st) => rSteps.indexOf(st));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe("(c8) procfs priming that cannot wait", () => {
  const C8 = "fixtures/scenarios/c8-procfs-trylock-skip-breaks-ino.json";
  it("d_alloc_trylock skipping an entry breaks d_ino == st_ino", () => {
    const r = run(seedFile(C8, ["fs.prime=d_alloc_trylock"]));
    expect([r.verdict, r.invariant]).toEqual(["violation", "ino-consistency"]);
    expect(r.trace!.some((e) => e.fn === "proc_fill_cache" && e.state === "dir_emit (fallback ino)")).toBe(true);
    // the trace speaks the current name, also for a file written with the old one
    expect(r.trace!.some((e) => e.fn === "d_alloc_trylock")).toBe(true);
    const byOldName = run(seedFile(C8, ["fs.prime=d_alloc_noblock"]));
    expect(byOldName.trace!.map((e) => e.fn)).toEqual(r.trace!.map((e) => e.fn));
    expect(r.trace!.some((e) => e.fn === "d_alloc_noblock")).toBe(false);
  });
  it("drop-lock keeps it, in the whole bounded space", () => {
    const r = run(seedFile(C8, ["fs.prime=drop-lock"]));
    expect([r.verdict, r.exhaustive]).toEqual(["ok", true]);
  });
});

describe("(c4) a planted missing d_lookup_done", () => {
  const C4 = "fixtures/scenarios/c4-lookup-error-forgets-d_lookup_done.json";
  it("is caught as episode-end, and as a lost wakeup or a dead on-stack queue once a waiter sleeps", () => {
    expect(run(seedFile(C4)).invariant).toBe("episode-end"); // the first schedule: the owner alone
    // Over 300 single random schedules (fixed seeds), the ones where B sleeps in d_wait_lookup
    // before A returns show what the missing wake does in each wait-queue generation.
    const seen = (waitqueue: string) => {
      const s = seedFile(C4, [`kernel.waitqueue=${waitqueue}`]);
      const found = new Set<string>();
      for (let seed = 0n; seed < 300n; seed++) found.add(run(s, { strategy: "random", seed, schedules: 1 }).invariant ?? "ok");
      return found;
    };
    expect([...seen("on-stack")].sort()).toEqual(["episode-end", "waitqueue-lifetime"]);
    expect([...seen("var-event")].sort()).toEqual(["episode-end", "lost-wakeup"]);
  });
  it("without the plant the same scenario is clean", () => {
    const r = run(seedFile(C4, ["plant=[]"]));
    expect([r.verdict, r.exhaustive]).toEqual(["ok", true]);
  });
});

describe("determinism and replay", () => {
  const s = seedFile(A, ["kernel.order=proposed"]);
  it("the same seed gives the same schedule and trace bytes, run after run", () => {
    const a = run(s, { strategy: "random", seed: 7n, schedules: 1000 });
    const b = run(s, { strategy: "random", seed: 7n, schedules: 1000 });
    expect(a.verdict).toBe("deadlock");
    expect(b.schedules).toBe(a.schedules);
    expect(b.schedule).toBe(a.schedule);
    expect(JSON.stringify(b.trace)).toBe(JSON.stringify(a.trace));
  });
  it("a different seed explores differently", () => {
    const a = run(s, { strategy: "random", seed: 7n, schedules: 1000 });
    const c = run(s, { strategy: "random", seed: 8n, schedules: 1000 });
    expect(c.schedule === a.schedule && c.schedules === a.schedules).toBe(false);
  });
  it("a counterexample replays to the same verdict, cycle and trace", () => {
    const found = run(s, { strategy: "pct", seed: 3n, schedules: 1000 });
    const again = replayScenario(module, encodeScenario(s), found.choices!, s.run);
    expect(again.verdict).toBe(found.verdict);
    expect(again.cycle).toEqual(found.cycle);
    expect(JSON.stringify(again.trace)).toBe(JSON.stringify(found.trace));
  });
  it("a schedule that no longer fits the model is a divergence, not silently ignored", () => {
    const found = run(s);
    const bad = Uint8Array.from(found.choices!);
    bad[0] = 5; // there is no task 5
    expect(() => replayScenario(module, encodeScenario(s), bad, s.run)).toThrow(ReplayDivergence);
    const short = found.choices!.slice(0, 3);
    expect(() => replayScenario(module, encodeScenario(s), short, s.run)).toThrow(/ends after 3 ticks/);
  });
  it("the matrix over all built-in scenarios is the same twice", () => {
    const files = scenarioFiles().map((file) => ({ file, seed: seedFile(file) }));
    const once = runMatrix(module, files).map((c) => [c.report.verdict, c.report.schedules, c.report.schedule]);
    const twice = runMatrix(module, files).map((c) => [c.report.verdict, c.report.schedules, c.report.schedule]);
    expect(twice).toEqual(once);
  });
});

describe("downgrade_write with a writer at the head of the queue", () => {
  // kernel/locking/rwsem.c: downgrade_write -> rwsem_downgrade_wake -> rwsem_mark_wake with
  // RWSEM_WAKE_READ_OWNED wakes no one when the first waiter is a writer.
  const text = JSON.stringify({
    vfsim: 1,
    name: "downgrade-writer-then-reader",
    kernel: { order: "current" },
    fs: { type: "nfs", prime: "d_alloc_parallel", iterate: "wrapped" },
    tree: { "/d": ["x", "y"] },
    cached: ["/d", "/d/x"],
    threads: [
      { name: "R", ops: [{ op: "getdents", path: "/d" }] },
      { name: "W", ops: [{ op: "unlink", path: "/d/x" }] },
      { name: "Q", ops: [{ op: "stat", path: "/d/y" }] },
    ],
  });
  const R = 0, W = 1, Q = 2;

  function drive(rwsem: string) {
    const s = parseSeedFile(text, [`kernel.rwsem=${rwsem}`]);
    const m = new Model(module);
    m.load(encodeScenario(s).words);
    m.begin();
    const dir = () => readState(m).rwsems.find((r) => r.writer === R || r.readers.includes(R) || r.queue.length > 0)!;
    const until = (t: number, done: () => boolean) => {
      for (let i = 0; i < 200 && !done(); i++) {
        expect((m.runnableMask() >>> t) & 1).toBe(1);
        expect(m.tick(t)).toBe(VERDICT_RUNNING);
      }
      expect(done()).toBe(true);
    };
    until(R, () => readState(m).rwsems.some((r) => r.writer === R));             // wrap_directory_iterator: down_write
    until(W, () => readState(m).tasks[W].state === "blocked");                    // do_unlinkat: inode_lock, queued
    until(Q, () => readState(m).tasks[Q].state === "blocked");                    // lookup_slow: inode_lock_shared, queued
    expect(dir().queue).toEqual([{ task: W, mode: "write" }, { task: Q, mode: "read" }]);
    until(R, () => dir().writer === -1);                                           // downgrade_write
    const after = dir();
    expect(after.readers).toContain(R);
    let verdict = VERDICT_RUNNING;
    for (let i = 0; i < 2000 && verdict === VERDICT_RUNNING; i++) {
      const mask = m.runnableMask();
      verdict = m.tick(31 - Math.clz32(mask & -mask));
    }
    return { after, verdict };
  }

  it("linux and fifo: the reader behind the writer stays queued; the run completes", () => {
    for (const rwsem of ["linux", "fifo"]) {
      const { after, verdict } = drive(rwsem);
      expect([rwsem, after.readers, after.queue]).toEqual([rwsem, [R], [{ task: W, mode: "write" }, { task: Q, mode: "read" }]]);
      expect(VERDICTS[verdict]).toBe("ok");
    }
  });

  it("reader-pref: the queued reader joins the downgraded holder; the writer waits", () => {
    const { after } = drive("reader-pref");
    expect([...after.readers].sort()).toEqual([R, Q]);
    expect(after.queue).toEqual([{ task: W, mode: "write" }]);
  });
});

describe("open(O_CREAT) without ->atomic_open (52/53 lookup_open)", () => {
  const F = "fixtures/scenarios/a-prime-atomic-open-creat-in-lookup-deadlock.json";
  // W alone, so the trace is W's: replay the schedule of lowest-runnable-first
  function traceOf(sets: string[]) {
    const s = seedFile(F, [...sets, 'threads=[{"name":"W","ops":[{"op":"create","path":"/d/z"}]}]', "expect=[]", "variants={}"]);
    const enc = encodeScenario(s);
    const m = new Model(module);
    m.load(enc.words);
    m.begin();
    const choices: number[] = [];
    for (let v = VERDICT_RUNNING; v === VERDICT_RUNNING; ) {
      choices.push(0);
      v = m.tick(0);
    }
    const r = replayScenario(module, enc, Uint8Array.from(choices), s.run);
    expect(r.verdict).toBe("ok");
    return r.trace!.map((e) => `${e.fn}: ${e.state}`);
  }
  const before = (steps: string[], a: string, b: string) => {
    const i = steps.findIndex((x) => x.endsWith(a)), j = steps.findIndex((x) => x.endsWith(b));
    expect([a, i >= 0, j >= 0], steps.join("\n")).toEqual([a, true, true]);
    return i < j;
  };

  it("NFSv3, proposed order: ->lookup under the shared lock, d_lookup_done, then the exclusive lock for nfs_create", () => {
    const steps = traceOf(["kernel.order=proposed", "fs.atomicOpen=false"]);
    expect(before(steps, "inode_lock_shared (lookup_open)", "nfs_lookup: LOOKUP")).toBe(true);
    // nfs_lookup's d_add(dentry, NULL) of the missing name ends the episode (d_lookup_done after
    // the unlock is then a no-op, merged into the next step): nothing is in lookup at inode_lock
    expect(before(steps, "nfs_lookup: d_splice_alias", "inode_unlock_shared (lookup_open)")).toBe(true);
    expect(before(steps, "inode_unlock_shared (lookup_open)", "do_filp_open: inode_lock")).toBe(true);
    expect(before(steps, "do_filp_open: inode_lock", "nfs_create: RPC")).toBe(true);
    expect(before(steps, "nfs_create: d_splice_alias", "do_filp_open: inode_unlock")).toBe(true);
    expect(steps.some((x) => x.startsWith("nfs_atomic_open"))).toBe(false);
  });

  it("procfs, proposed order: a failed ->lookup ends the episode with d_lookup_done after the shared unlock; no exclusive lock", () => {
    const steps = traceOf(["kernel.order=proposed", "fs.type=procfs", "fs.prime=d_alloc_parallel"]);
    expect(before(steps, "inode_unlock_shared (lookup_open)", "d_lookup_done (lookup_open)")).toBe(true);
    expect(steps.some((x) => x === "do_filp_open: inode_lock")).toBe(false);
  });

  it("NFSv4 (the nfs default), proposed order: the in-lookup dentry is held across the exclusive lock into nfs_atomic_open", () => {
    const steps = traceOf(["kernel.order=proposed"]);
    expect(before(steps, "do_filp_open: inode_lock", "nfs_atomic_open: RPC")).toBe(true);
    expect(steps.some((x) => x.includes("lookup_open"))).toBe(false);
  });
});

describe("a run that outgrows a model table stops as a model limit, never as ok", () => {
  it("the emission table: three procfs readdirs of 12 names (36 d_ino records) trap, naming the table", () => {
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const s = parseSeedFile(JSON.stringify({
      vfsim: 1,
      name: "emission-table-overflow",
      kernel: { order: "current" },
      fs: { type: "procfs", prime: "d_alloc_parallel" },
      tree: { "/d": names },
      cached: ["/d"],
      threads: ["A", "B", "C"].map((name) => ({ name, ops: [{ op: "getdents", path: "/d" }] })),
      checks: ["ino-consistency"],
      run: { strategy: "random", schedules: 1 },
    }));
    expect(() => run(s)).toThrow(/emission table full/);
  });
});
