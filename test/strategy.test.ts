// The shared strategy interface: in-wasm and host strategies record the same way; wrappers add
// metrics and determinism checks without changing what runs.
import { describe, expect, it } from "vitest";
import { encodeScenario, variantOf } from "../host/core/seed";
import { checkingDeterminism, estimateSeed, estimateSteps, hostStrategy, newMetrics, NondeterminismError, replayChooser, wasmStrategy, withMetrics, type Strategy } from "../host/core/strategy";
import { Model } from "../host/core/wasm";
import { A, module, seedFile } from "./helpers";

const PROPOSED = variantOf(seedFile(A), { "kernel.order": "proposed", "fs.prime": "d_alloc_parallel", "kernel.rwsem": "linux" });

function model(): Model {
  const m = new Model(module);
  m.load(encodeScenario(PROPOSED).words);
  return m;
}

describe("strategies", () => {
  it("a host strategy replaying a wasm schedule records the same choices and verdict", () => {
    const m = model();
    const random = wasmStrategy("random", 1n);
    const { hit } = random.runBatch(m, 0, 1000);
    expect(hit).toBeGreaterThanOrEqual(0);
    const found = m.choices();
    const verdict = m.verdict();
    const replaying = hostStrategy("replay", replayChooser(found));
    expect(replaying.runBatch(m, 0, 1)).toEqual({ hit: 0, ticks: found.length });
    expect(Array.from(m.choices())).toEqual(Array.from(found));
    expect(m.verdict()).toBe(verdict);
  });

  it("PCT's k is one estimate: the longest of random schedules 0..15 of estimateSeed(seed), free once a random batch ran them", () => {
    const seed = 5n;
    // by hand: each of the 16 schedules alone, on its own instance
    const alone = model();
    let longest = 1;
    for (let i = 0; i < 16; i++) {
      wasmStrategy("random", estimateSeed(seed)).runBatch(alone, i, 1);
      longest = Math.max(longest, alone.tickCount());
    }
    const fresh = model();
    expect(estimateSteps(fresh, seed)).toBe(longest);
    // the fuzzer's batch: random schedules 0.. of estimateSeed(seed) first (past its failures), then PCT
    const shared = model();
    const random = wasmStrategy("random", estimateSeed(seed));
    for (let i = 0; i < 32; ) {
      const { hit } = random.runBatch(shared, i, 32 - i);
      if (hit < 0) break;
      i += hit + 1;
    }
    const before = shared.ticksTotal();
    expect(estimateSteps(shared, seed)).toBe(longest);
    expect(shared.ticksTotal()).toBe(before);   // no schedule run for it
    // a reload is a new scenario: estimated again
    shared.load(encodeScenario(PROPOSED).words);
    expect(estimateSteps(shared, seed)).toBe(longest);
    expect(shared.ticksTotal()).toBeGreaterThan(before);
    expect(estimateSeed(estimateSeed(seed))).toBe(seed);
  });

  it("a host chooser that picks a task that cannot run is reported, not run", () => {
    const always2 = hostStrategy("always-2", { begin() {}, next: () => 2 });
    expect(() => always2.runBatch(model(), 0, 1)).toThrow(/always-2: chose task 2 at tick \d+/);
  });

  it("withMetrics counts schedules, failures and ticks, and changes nothing", () => {
    const a = model(), b = model();
    const m = newMetrics();
    const counted = withMetrics(wasmStrategy("random", 1n), m);
    const plain = wasmStrategy("random", 1n);
    let i = 0, failures = 0, ticks = 0;
    while (i < 500) {
      const r = counted.runBatch(a, i, 500 - i);
      const p = plain.runBatch(b, i, 500 - i);
      expect(r).toEqual(p);
      ticks += r.ticks;
      if (r.hit < 0) break;
      failures++;
      i += r.hit + 1;
    }
    expect(m).toEqual({ batches: failures + 1, schedules: 500, failures, ticks });
  });

  it("checkingDeterminism passes a deterministic strategy through and catches one that is not", () => {
    const a = model(), b = model();
    const checked = checkingDeterminism(wasmStrategy("pct", 3n, 2));
    expect(checked.runBatch(a, 0, 2000)).toEqual(wasmStrategy("pct", 3n, 2).runBatch(b, 0, 2000));
    // a strategy that reads a seed from outside: the second run of a schedule differs
    let calls = 0;
    const flaky: Strategy = { name: "flaky", runBatch: (m, first, count) => wasmStrategy("random", BigInt(calls++)).runBatch(m, first, count) };
    expect(() => checkingDeterminism(flaky).runBatch(model(), 0, 5000)).toThrow(NondeterminismError);
  });
});
