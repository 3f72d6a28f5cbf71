// PCT's guarantee (Burckhardt et al., ASPLOS 2010): for a bug of depth d, one run finds it with
// probability at least 1/(n * k^(d-1)), n threads, k steps. Measured here, over a fixed set of
// seeds (so the test is deterministic), on a depth-2 bug of our own.
import { describe, expect, it } from "vitest";
import { CHECKS, R } from "../host/core/abi";
import { estimateSteps } from "../host/core/strategy";
import { encodeScenario, validateSeedObject } from "../host/core/seed";
import { newMetrics, wasmStrategy, withMetrics, type WasmStrategyName } from "../host/core/strategy";
import { Model } from "../host/core/wasm";
import { module } from "./helpers";

/**
 * The planted split of d_alloc_parallel's search and insert (no i_dir_seq re-check): A and B
 * both look x up, and both become in-lookup owners of it exactly when A's search comes before
 * B's insert AND B's search before A's insert, two ordering constraints: depth 2. Each thread
 * looks up other names before or after, so the race is a small window in a longer run.
 */
const SPLIT_INSERT = validateSeedObject({
  vfsim: 1,
  name: "pct-depth-2-split-insert",
  kernel: { order: "current" },
  fs: { type: "nfs" },
  tree: { "/d": ["a", "b", "c", "e", "x"] },
  cached: ["/d"],
  threads: [
    { name: "A", ops: [{ op: "stat", path: "/d/a" }, { op: "stat", path: "/d/b" }, { op: "stat", path: "/d/x" }] },
    { name: "B", ops: [{ op: "stat", path: "/d/c" }, { op: "stat", path: "/d/x" }, { op: "stat", path: "/d/e" }] },
  ],
  plant: ["no-dir-seq-recheck"],
  checks: ["inlookup-unique", "deadlock"],
});

const SEEDS = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n];
const PER_SEED = 1000;

interface Measured {
  rate: number;
  /** PCT's k: the strategy's own estimate, or the longest run seen if longer */
  k: number;
}

function measure(name: WasmStrategyName, depth: number): Measured {
  const model = new Model(module);
  model.load(encodeScenario(SPLIT_INSERT).words);
  const m = newMetrics();
  let k = 0;
  for (const seed of SEEDS) {
    k = Math.max(k, estimateSteps(model, seed));
    const s = withMetrics(wasmStrategy(name, seed, depth), m);
    for (let i = 0; i < PER_SEED; i++) {
      const { hit } = s.runBatch(model, i, 1);
      k = Math.max(k, model.tickCount());
      if (hit === 0) expect(CHECKS[model.result()[R.CHECK]]).toBe("inlookup-unique");
    }
  }
  expect(m.schedules).toBe(SEEDS.length * PER_SEED);
  return { rate: m.failures / m.schedules, k };
}

describe("PCT finds a depth-2 bug at least as often as its bound says", () => {
  const n = SPLIT_INSERT.threads.length;

  it("the bug is not depth 1: PCT with d = 1 (no priority change) never hits it", () => {
    expect(measure("pct", 1).rate).toBe(0);
  });

  it("PCT with d = 2: hit rate >= 1/(n * k)", () => {
    const { rate, k } = measure("pct", 2);
    const bound = 1 / (n * k);
    expect(k).toBeGreaterThan(40); // a long run, so the bound is not trivially met
    expect(rate).toBeGreaterThanOrEqual(bound);
  });

  it("random finds it too", () => {
    expect(measure("random", 0).rate).toBeGreaterThan(0);
  });

  it("schedule i is the same whatever ran before it on the instance", () => {
    const a = new Model(module), b = new Model(module);
    a.load(encodeScenario(SPLIT_INSERT).words);
    b.load(encodeScenario(SPLIT_INSERT).words);
    const pct = wasmStrategy("pct", 5n, 2);
    pct.runBatch(a, 17, 1);
    for (let i = 0; i <= 17; i++) pct.runBatch(b, i, 1);
    expect(Array.from(a.choices())).toEqual(Array.from(b.choices()));
  });
});
