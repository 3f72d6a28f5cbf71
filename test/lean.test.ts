// The lean build (build/vfsim-lean.wasm, assembly/sim/build.ts) runs the random and PCT batches
// of sweeps, `vfsim run` and the matrix without the footprint, coverage and trace hooks. It must
// take exactly the steps the full build takes: these tests run both on every built-in scenario
// and compare schedule by schedule.
import { describe, expect, it } from "vitest";
import { STRATEGY_PCT, STRATEGY_RANDOM } from "../host/core/abi";
import { runScenario } from "../host/core/run";
import { encodeScenario, variantAssignments, variantOf } from "../host/core/seed";
import { estimateSteps } from "../host/core/strategy";
import { Model } from "../host/core/wasm";
import { A, lean, module, scenarioFiles, seedFile } from "./helpers";

interface Outcome { index: number; verdict: number; ticks: number; choices: string }

/** Schedules 0..n-1 of one strategy, going on past failures: every failing schedule with its
 *  verdict, ticks and choices, and the total ticks of the whole run. */
function sweepOutcomes(m: Model, strategy: number, seed: bigint, n: number, depth: number, k: number): { failures: Outcome[]; ticks: bigint } {
  const failures: Outcome[] = [];
  const t0 = m.ticksTotal();
  for (let i = 0; i < n; ) {
    const hit = m.runBatch(strategy, seed, i, n - i, depth, k);
    if (hit < 0) break;
    failures.push({ index: i + hit, verdict: m.verdict(), ticks: m.tickCount(), choices: Buffer.from(m.choices()).toString("hex") });
    i += hit + 1;
  }
  return { failures, ticks: m.ticksTotal() - t0 };
}

describe("the lean build takes the same steps as the full build", () => {
  const verdicts = new Set<number>();
  for (const file of scenarioFiles()) {
    const s = seedFile(file);
    it(`${s.name}: every variant, 1500 random and 1500 PCT schedules, failure by failure`, () => {
      for (const va of variantAssignments(s)) {
        const words = encodeScenario(variantOf(s, va)).words;
        const full = new Model(module), thin = new Model(lean);
        full.load(words);
        thin.load(words);
        const k = estimateSteps(full, 7n);
        expect(estimateSteps(thin, 7n)).toBe(k);
        for (const [strategy, depth] of [[STRATEGY_RANDOM, 0], [STRATEGY_PCT, 3]]) {
          const a = sweepOutcomes(full, strategy, 11n, 1500, depth, k);
          const b = sweepOutcomes(thin, strategy, 11n, 1500, depth, k);
          expect(b, `${JSON.stringify(va)} strategy ${strategy}`).toEqual(a);
          expect(b.ticks).toBeGreaterThan(0n);
          for (const f of a.failures) verdicts.add(f.verdict);
        }
      }
    });
  }
  it("compared failing schedules, of more than one kind (not a vacuous comparison)", () => {
    expect(verdicts.size).toBeGreaterThanOrEqual(2);
  });
});

describe("the lean build is for batches only", () => {
  it("says which build it is", () => {
    expect(new Model(lean).leanBuild()).toBe(1);
    expect(new Model(module).leanBuild()).toBe(0);
  });

  it("refuses the trace, dfs and coverage, naming the build that has them", () => {
    const m = new Model(lean);
    m.load(encodeScenario(seedFile(A)).words);
    expect(() => m.setTrace(1)).toThrow(/lean build has no trace: replay in build\/vfsim\.wasm/);
    expect(() => m.dfsStart(-1, 1000n, 1, 1)).toThrow(/lean build records no footprints: run dfs in build\/vfsim\.wasm/);
    expect(() => m.coverage()).toThrow(/lean build records no coverage/);
    m.setTrace(0); // switching it off is harmless
    // ... and a batch still runs, with the full build's outcome: the index of the first of the 100
    // schedules that deadlocks (scenario (a) in its file's proposed order fails within a few)
    const full = new Model(module);
    full.load(encodeScenario(seedFile(A)).words);
    expect(m.runBatch(STRATEGY_RANDOM, 1n, 0, 100, 0, 0)).toBe(full.runBatch(STRATEGY_RANDOM, 1n, 0, 100, 0, 0));
    expect(m.runBatch(STRATEGY_RANDOM, 1n, 0, 100, 0, 0)).toBeGreaterThanOrEqual(0);
  });

  it("a failure found by a lean batch is reported, traced, by the full model: the same report as without it", () => {
    const s = seedFile(A, ["kernel.order=proposed"]);
    const enc = encodeScenario(s);
    const opts = { strategy: "random" as const, seed: 3n, schedules: 20000, depth: 3, preemptions: 2 };
    const plain = runScenario(module, s, enc, opts);
    const viaLean = runScenario(module, s, enc, { ...opts, lean });
    expect(plain.verdict).toBe("deadlock");
    expect(viaLean.trace!.length).toBeGreaterThan(0);
    expect(viaLean).toEqual(plain);
  });

  it("a scenario with no failure samples the same number of schedules, and stays inconclusive", () => {
    const s = seedFile(A, ["kernel.order=current"]);
    const enc = encodeScenario(s);
    const opts = { strategy: "pct" as const, seed: 5n, schedules: 3000, depth: 3, preemptions: 2 };
    const viaLean = runScenario(module, s, enc, { ...opts, lean });
    expect(viaLean).toEqual(runScenario(module, s, enc, opts));
    expect(viaLean.verdict).toBe("inconclusive");
    expect(viaLean.exhaustive).toBe(false);
    expect(viaLean.schedules).toBe(3000);
  });
});
