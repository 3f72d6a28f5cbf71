// Shrinking: fewest preemptions, then ticks, then threads and ops, the same failure kept;
// deterministic; bad input rejected; the `vfsim shrink` command.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VERDICTS, VERDICT_RUNNING } from "../host/core/abi";
import { replayScenario, runScenario } from "../host/core/run";
import { encodeScenario, parseSeedFile, serializeSeedFile, validateSeedObject, variantOf, type SeedFile } from "../host/core/seed";
import { decodeSchedule, encodeSchedule } from "../host/core/schedule";
import { NothingToShrink, shrink, shrinkReport } from "../host/core/shrink";
import { wasmStrategy } from "../host/core/strategy";
import { Model } from "../host/core/wasm";
import { main } from "../host/node/cli";
import { cmdShrink } from "../host/node/shrink_cmd";
import { A, module, seedFile } from "./helpers";

const PROPOSED = { "kernel.order": "proposed", "fs.prime": "d_alloc_parallel", "kernel.rwsem": "linux" };

/** Scenario (a) with a bystander thread and extra ops that have nothing to do with the cycle. */
function bloated(): SeedFile {
  const a = JSON.parse(readFileSync(A, "utf8"));
  a.name = "bloated-a";
  a.variants = {};
  a.expect = [];
  a.tree = { "/d": ["x"], "/e": ["f"] };
  a.threads.splice(1, 0, { name: "S", ops: [{ op: "stat", path: "/e/f" }, { op: "getdents", path: "/e" }] });
  a.threads[0].ops.push({ op: "stat", path: "/e/f" });
  a.threads[3].ops.unshift({ op: "stat", path: "/e" });
  return validateSeedObject(a);
}

/** The first `n` failing schedules of random seed `seed`. */
function failures(s: SeedFile, n: number, seed = 3n): Uint8Array[] {
  const m = new Model(module);
  m.load(encodeScenario(s).words);
  const random = wasmStrategy("random", seed);
  const out: Uint8Array[] = [];
  for (let i = 0; out.length < n; ) {
    const { hit } = random.runBatch(m, i, 100_000);
    if (hit < 0) break;
    out.push(m.choices());
    i += hit + 1;
  }
  return out;
}

const kindOf = (s: SeedFile, choices: Uint8Array) => {
  const r = replayScenario(module, encodeScenario(s), choices, s.run);
  return { verdict: r.verdict, invariant: r.invariant };
};

describe("shrink", () => {
  it("drops the bystander thread and ops, down to scenario (a)'s 15-tick, 1-preemption cycle", () => {
    const s = bloated();
    const [found] = failures(s, 1);
    const r = shrink(module, s, found);
    expect(r.kind).toEqual({ verdict: "deadlock" });
    expect(r.before).toMatchObject({ threads: 4, ops: 7 });
    expect(r.before.ticks).toBe(found.length);
    expect(r.after).toEqual({ ticks: 15, preemptions: 1, threads: 3, ops: 3 });
    expect(r.seed.threads.map((t) => t.name)).toEqual(["R", "L", "W"]);
    const replayed = replayScenario(module, encodeScenario(r.seed), decodeSchedule(r.seed.schedule!, 3), r.seed.run);
    expect(replayed.verdict).toBe("deadlock");
    expect(replayed.cycle?.map((e) => e.task)).toEqual(["R", "L", "W"]);
  });

  it("drops the cached paths and tree entries the failing schedule does not need", () => {
    const s = bloated();
    s.cached = ["/e/f"];
    const [found] = failures(s, 1);
    const r = shrink(module, s, found);
    // the bystander's tree and cached dentry go with it; /d/x stays only if the deadlock needs it
    expect(r.seed.cached).toEqual([]);
    expect(r.seed.tree["/e"] ?? []).toEqual([]);
    expect(r.after).toMatchObject({ preemptions: 1, threads: 3 });
    const replayed = replayScenario(module, encodeScenario(r.seed), decodeSchedule(r.seed.schedule!, 3), r.seed.run);
    expect(replayed.verdict).toBe("deadlock");
  });

  it("admit: a smaller scenario is taken only if the caller's predicate holds for it too", () => {
    const s = bloated();
    const [found] = failures(s, 1);
    const seen: number[] = [];
    // the fuzzer's canary passes "the other model does not show it"; here: keep the bystander S
    const r = shrink(module, s, found, { admit: (c) => (seen.push(c.threads.length), c.threads.some((t) => t.name === "S")) });
    expect(seen.length).toBeGreaterThan(0);
    expect(r.seed.threads.map((t) => t.name)).toContain("S");
    expect(r.after.threads).toBe(4);
    expect(r.after.ops).toBeLessThan(r.before.ops);
    const none = shrink(module, s, found, { admit: () => false });
    expect(none.after).toMatchObject({ threads: 4, ops: 7 });
    expect(none.after.ticks).toBeLessThanOrEqual(none.before.ticks);
    expect(kindOf(none.seed, none.choices)).toEqual({ verdict: "deadlock", invariant: undefined });
  });

  it("is deterministic: the same input gives the same shrunk file", () => {
    const s = bloated();
    const [found] = failures(s, 1);
    const a = serializeSeedFile(shrink(module, s, found).seed);
    const b = serializeSeedFile(shrink(module, s, found).seed);
    expect(a).toBe(b);
  });

  it("never ranks a schedule worse (preemptions first, then ticks), and keeps the verdict and the violated invariant", () => {
    const cases: [string, Record<string, string | boolean>][] = [
      [A, PROPOSED],
      ["fixtures/scenarios/b-procfs-d_alloc_locked-needs-lock_lookup.json", { "kernel.order": "proposed", "fs.lookupLocks": false }],
      ["fixtures/scenarios/c7-no-dir-seq-recheck-two-owners.json", { "kernel.order": "current" }],
      ["fixtures/scenarios/c8-procfs-readdir-lookup-writer.json", { "kernel.order": "current", "fs.prime": "d_alloc_trylock" }],
    ];
    for (const [file, variant] of cases) {
      const s = variantOf(seedFile(file), variant);
      for (const found of failures(s, 4)) {
        const r = shrink(module, s, found);
        const ticks = r.after.ticks, pre = r.after.preemptions;
        expect(pre < r.before.preemptions || (pre === r.before.preemptions && ticks <= r.before.ticks)).toBe(true);
        expect(r.choices.length).toBe(ticks);
        expect(kindOf(r.seed, r.choices)).toEqual(kindOf(s, found));
      }
    }
  });

  it("ranks preemptions before ticks (CHESS): never more preemptions than the schedule iterative context bounding found", () => {
    // ranked by ticks first, these shrank to more preemptions than the search found: spin-h3-proposed
    // 41 ticks, 1 preemption -> 15 ticks, 2 preemptions; c7 15/1 -> 10/2 (bench/shrink-rank.ts)
    const cases: [string, string[], number][] = [
      ["fixtures/scale/spin-h3-proposed.json", ["run.preemptions=2"], 1],
      ["fixtures/scenarios/c7-no-dir-seq-recheck-two-owners.json", ["kernel.order=current"], 1],
      ["fixtures/scenarios/lockdep-prime-lookup-inverts-classes.json", ["kernel.order=proposed"], 1],   // a primer that waits: one preemption
    ];
    for (const [file, sets, preemptions] of cases) {
      const s = seedFile(file, sets);
      const found = runScenario(module, s, encodeScenario(s), { strategy: "dfs", seed: 1n, schedules: 0, depth: 3, preemptions: s.run.preemptions });
      expect(found.choices, file).toBeDefined();
      const r = shrinkReport(module, s, found);
      expect(r.before.preemptions, file).toBe(preemptions);
      expect(r.after.preemptions, file).toBe(preemptions);
      expect(r.after.threads, file).toBeLessThanOrEqual(r.before.threads);
      expect(r.report.verdict, file).toBe(found.verdict);
    }
  });

  it("refuses a schedule that passes, one that does not fit, and one that stops early", () => {
    const s = variantOf(seedFile(A), { "kernel.order": "current" });
    const m = new Model(module);
    m.load(encodeScenario(s).words);
    expect(wasmStrategy("random", 1n).runBatch(m, 0, 1).hit).toBe(-1);
    const passing = m.choices();
    expect(() => shrink(module, s, passing)).toThrow(NothingToShrink);
    expect(() => shrink(module, s, passing.subarray(0, 3))).toThrow(/has not finished/);
    // R alone finishes its getdents long before 40 ticks: a later choice of R cannot run
    expect(() => shrink(module, s, new Uint8Array(40))).toThrow(/does not fit/);
  });

  it("shrinkReport keeps the run's strategy, seed and schedule count, and describes the shrunk schedule", () => {
    const s = bloated();
    const [found] = failures(s, 1);
    const r = shrinkReport(module, s, { strategy: "random", seed: 3n, verdict: "deadlock", schedules: 7, exhaustive: false, choices: found });
    expect(r.report).toMatchObject({ strategy: "random", seed: 3n, schedules: 7, verdict: "deadlock", ticks: 15, schedule: encodeSchedule(r.report.choices!) });
    expect(r.enc.threads).toEqual(["R", "L", "W"]);
    expect(r.counterexample.expect).toEqual([{ verdict: "deadlock", cycle: ["R", "L", "W"] }]);
    expect(r.counterexample.schedule).toBe(r.report.schedule);
  });
});

describe("vfsim shrink", () => {
  const tmp = mkdtempSync(join(tmpdir(), "vfsim-shrink-"));
  async function vfsim(...argv: string[]) {
    const out: string[] = [], err: string[] = [];
    const code = await cmdShrink(argv, (x) => out.push(x), (x) => err.push(x));
    return { code, out: out.join("\n"), err: err.join("\n") };
  }

  it("writes the shrunk file and prints the lengths before and after", async () => {
    const s = bloated();
    s.schedule = encodeSchedule(failures(s, 1)[0]);
    const file = join(tmp, "bloated.json");
    writeFileSync(file, serializeSeedFile(s));
    const r = await vfsim(file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/before: \d+ ticks, \d+ preemptions, 4 threads, 7 ops/);
    expect(r.out).toContain("after:  15 ticks, 1 preemption, 3 threads, 3 ops");
    const shrunk = parseSeedFile(readFileSync(join(tmp, "bloated.shrunk.json"), "utf8"));
    expect(shrunk.threads).toHaveLength(3);
    expect(shrunk.schedule).toBeDefined();
  });

  it("without a recorded schedule, runs the file's strategy first; --json", async () => {
    const s = bloated();
    s.run = { ...s.run, strategy: "random", seed: 3n };
    const file = join(tmp, "unrecorded.json");
    writeFileSync(file, serializeSeedFile(s));
    const r = await vfsim(file, "--json", "--out", join(tmp, "out.json"));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ verdict: "deadlock", after: { ticks: 15, threads: 3 }, file: join(tmp, "out.json") });
  });

  it("bad input: exit 2 naming the flag or field", async () => {
    expect(await vfsim()).toMatchObject({ code: 2, err: expect.stringContaining("expected exactly one seed file") });
    expect(await vfsim(A, "--frob")).toMatchObject({ code: 2, err: expect.stringContaining("--frob: unknown flag for vfsim shrink") });
    expect(await vfsim(A, "--set", "kernel.order=sideways")).toMatchObject({ code: 2, err: expect.stringContaining("kernel.order") });
  });

  // a recorded schedule with nothing to shrink exits as `vfsim replay` does for it
  const replayExit = (file: string) => main(["replay", file], () => {}, () => {});
  const unrecorded = { ...JSON.parse(readFileSync(A, "utf8")), kernel: { order: "current" }, variants: {}, expect: [] };
  /** The schedule that runs the lowest runnable thread first, to the end: clean in the current order. */
  function serial(): string {
    const m = new Model(module);
    m.load(encodeScenario(validateSeedObject(unrecorded)).words);
    m.begin();
    const choices: number[] = [];
    for (let v = VERDICT_RUNNING; v === VERDICT_RUNNING; ) {
      const mask = m.runnableMask();
      choices.push(31 - Math.clz32(mask & -mask));
      v = m.tick(choices[choices.length - 1]);
      if (v !== VERDICT_RUNNING) expect(VERDICTS[v]).toBe("ok");
    }
    return encodeSchedule(Uint8Array.from(choices));
  }

  it("a schedule that ends before the run does: diverged, exit 6, as replay", async () => {
    const file = join(tmp, "short.json");
    writeFileSync(file, JSON.stringify({ ...unrecorded, schedule: "v1:" + "0".repeat(4) }));
    const r = await vfsim(file);
    expect(r).toMatchObject({ code: 6, out: expect.stringContaining("ends after 4 ticks but the run has not finished") });
    expect(await vfsim(file, "--drop-thread", "L")).toMatchObject({ code: 6, out: expect.stringContaining("has not finished") });
    expect(JSON.parse((await vfsim(file, "--json")).out)).toMatchObject({ outcome: "diverged" });
    const replay = await replayExit(file);
    expect(replay).toBe(6);
  });

  it("a schedule that runs clean: exit 0, or 5 when the file records a failure", async () => {
    const file = join(tmp, "clean.json");
    writeFileSync(file, JSON.stringify({ ...unrecorded, schedule: serial() }));
    expect(await vfsim(file)).toMatchObject({ code: 0, out: expect.stringContaining("nothing to shrink; the recorded schedule runs clean") });
    expect(await replayExit(file)).toBe(0);
    const recorded = join(tmp, "clean-recorded.json");
    writeFileSync(recorded, JSON.stringify({ ...unrecorded, schedule: serial(), expect: [{ verdict: "deadlock" }] }));
    expect(await vfsim(recorded)).toMatchObject({ code: 5, out: expect.stringContaining("runs clean, not to the recorded deadlock") });
    expect(await vfsim(recorded, "--drop-thread", "L")).toMatchObject({ code: 5 });
    expect(await replayExit(recorded)).toBe(5);
  });
});
