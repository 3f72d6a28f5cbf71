// The outcome layer (host/core/outcome.ts) and the host's bounded search (host/core/bounded.ts):
// one reading of the result buffer, one key for "the same failure", a search that says when the
// host, not the model, ran out of room.
import { describe, expect, it } from "vitest";
import { R, RESULT_WORDS, VERDICTS, VERDICT_RUNNING } from "../host/core/abi";
import { searchBounded } from "../host/core/bounded";
import { failureKey, keyOf, readOutcome, verdictKey, verdictOf } from "../host/core/outcome";
import { encodeScenario, variantOf } from "../host/core/seed";
import { wasmStrategy } from "../host/core/strategy";
import { Model, ModelTrap } from "../host/core/wasm";
import { A, module, seedFile } from "./helpers";

const PROPOSED = variantOf(seedFile(A), { "kernel.order": "proposed", "fs.prime": "d_alloc_parallel", "kernel.rwsem": "linux" });

/** A stand-in for a model whose result buffer holds `words`. */
function withResult(words: Record<number, number>): Model {
  const res = new Int32Array(RESULT_WORDS);
  for (const [i, w] of Object.entries(words)) res[Number(i)] = w;
  return { result: () => res.slice() } as unknown as Model;
}

describe("outcomes", () => {
  it("an unknown verdict code is a model fault, never a verdict", () => {
    expect(() => verdictOf(VERDICTS.length)).toThrow(ModelTrap);
    expect(() => verdictOf(VERDICTS.length)).toThrow(/verdict code 4, which is not a verdict/);
    expect(() => verdictOf(VERDICT_RUNNING)).toThrow(ModelTrap);
    expect(() => readOutcome(withResult({ [R.VERDICT]: 9 }), 9)).toThrow(ModelTrap);
    expect(verdictOf(VERDICTS.indexOf("tick-limit"))).toBe("tick-limit");
  });

  it("a violation of a check the host does not know is a model fault", () => {
    const code = VERDICTS.indexOf("violation");
    expect(() => readOutcome(withResult({ [R.VERDICT]: code, [R.CHECK]: 40 }), code)).toThrow(/check 40, which the host does not know/);
  });

  it("reads a deadlock's cycle and keys it by the multiset of its edge kinds", () => {
    const m = new Model(module);
    m.load(encodeScenario(PROPOSED).words);
    const { hit } = wasmStrategy("random", 1n).runBatch(m, 0, 10_000);
    expect(hit).toBeGreaterThanOrEqual(0);
    const o = readOutcome(m, m.verdict());
    expect(o.verdict).toBe("deadlock");
    expect(o.cycle!.length).toBeGreaterThan(1);
    expect(o.ticks).toBe(m.tickCount());
    expect(keyOf(o)).toBe(failureKey({ verdict: "deadlock", edges: o.cycle!.map((e) => e.wait).sort() }));
    expect(verdictKey(o)).toBe("deadlock");
  });

  it("keys: verdict, check, and the multiset of a cycle's edge kinds", () => {
    expect(failureKey({ verdict: "violation", invariant: "lost-wakeup" })).toBe("violation lost-wakeup");
    expect(failureKey({ verdict: "deadlock", edges: ["in-lookup wait", "rwsem write"] })).toBe("deadlock [in-lookup wait, rwsem write]");
    expect(keyOf({ verdict: "deadlock", cycle: [{ wait: "rwsem write" }, { wait: "in-lookup wait" }] })).toBe("deadlock [in-lookup wait, rwsem write]");
    expect(verdictKey({ verdict: "violation", invariant: "owner-only" })).toBe("violation owner-only");
  });
});

describe("the bounded search", () => {
  it("within 0 preemptions runs one schedule per order of thread starts; more preemptions, more schedules", () => {
    const m = new Model(module);
    m.load(encodeScenario(PROPOSED).words);
    const none = searchBounded(m, { tasks: 3, preemptions: 0, onFailure: () => false });
    expect(none.exhaustive).toBe(true);
    expect(none.schedules).toBeGreaterThan(1);
    const two = searchBounded(m, { tasks: 3, preemptions: 2, onFailure: () => false });
    expect(two.exhaustive).toBe(true);
    expect(two.schedules).toBeGreaterThan(none.schedules);
    const capped = searchBounded(m, { tasks: 3, preemptions: 2, maxSchedules: 5, onFailure: () => false });
    expect(capped).toMatchObject({ schedules: 5, exhaustive: false });
    const ticks = searchBounded(m, { tasks: 3, preemptions: 2, maxTicks: 40, onFailure: () => false });
    expect(ticks).toMatchObject({ ticks: 40, exhaustive: false });
  });

  it("stops at the first failure the caller accepts, with its schedule", () => {
    const m = new Model(module);
    m.load(encodeScenario(PROPOSED).words);
    let found: Uint8Array | undefined;
    const r = searchBounded(m, { tasks: 3, preemptions: 1, onFailure: (code, choices) => { found = choices(); return readOutcome(m, code).verdict === "deadlock"; } });
    expect(r.exhaustive).toBe(false);
    expect(found).toBeDefined();
    m.setChoices(found!);
    expect(VERDICTS[m.runReplay(found!.length)]).toBe("deadlock");
  });

  it("a search deeper than the snapshot slots is the host's limit, not a model trap", () => {
    let depth = 0;
    const fake = {
      begin() { depth = 0; },
      runnableMask: () => 0b11,
      snapshotSave: (slot: number) => (slot >= 3 ? -1 : 0),
      snapshotLoad() {},
      tickUnrecorded: () => (++depth, VERDICT_RUNNING),
    } as unknown as Model;
    const r = searchBounded(fake, { tasks: 2, preemptions: 2, onFailure: () => false });
    expect(r.exhaustive).toBe(false);
    expect(r.limit).toMatch(/deeper than the model's snapshot slots \(3 ticks\)/);
  });
});
