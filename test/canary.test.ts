// The canary: checking the checker. Each planted bug (assembly/, seed-file knob `plant`) must be
// found by the fuzzer, started from the standard corpus with a fixed seed and a bounded budget,
// as a difference from the model without the plant that exhaustive search confirms. The numbers
// of execs are in docs/fuzzing.md; the budgets here leave room above them (seed 1 and the
// slowest of seeds 1-20: reader-barging 244 and 1154, lock-lookup-nowait 1478 and 3464).
import { describe, expect, it } from "vitest";
import type { Plant } from "../host/core/abi";
import { Fuzzer, prepareCorpus, type Finding } from "../host/core/fuzz";
import { keyOf } from "../host/core/outcome";
import { meets } from "../host/core/matrix";
import { ReplayDivergence, replayScenario } from "../host/core/run";
import { encodeScenario, expectationFor, parseSeedFile, type SeedFile } from "../host/core/seed";
import { decodeSchedule } from "../host/core/schedule";
import { readCorpus } from "../host/node/fuzz";
import { module } from "./helpers";

/** plant -> the finding it must produce (kind and dedup key), the budget, and why. */
const CANARIES: [Plant, string, number, string][] = [
  ["no-lookup-done", "introduced violation episode-end", 200,
    "__lookup_slow's error path forgets d_lookup_done: a failed procfs lookup returns with its dentry still in lookup"],
  ["no-wake", "introduced violation lost-wakeup", 200,
    "__d_lookup_unhash forgets the wake: a d_wait_lookup sleeper stays asleep after the episode ends"],
  ["reader-barging", "masked deadlock [in-lookup wait, rwsem read, rwsem write]", 2000,
    "no check fires: a reader that passes a queued writer breaks the writer fairness scenario (a) needs, so the planted model cannot deadlock where the real one does"],
  ["no-dir-seq-recheck", "introduced violation inlookup-unique", 200,
    "search and insert split without the i_dir_seq re-check: two lookups of one name both insert (kernel-model.md c7)"],
  ["lock-lookup-nowait", "introduced violation single-lookup", 4000,
    "lock_lookup does not wait for d_alloc_locked's holder: two ->lookup calls on one in-lookup dentry"],
];

const start = prepareCorpus(readCorpus(["fixtures/corpus"]), {});

function replay(seed: SeedFile) {
  const enc = encodeScenario(seed);
  return replayScenario(module, enc, decodeSchedule(seed.schedule!, enc.threads.length), seed.run);
}

describe.each(CANARIES)("plant %s", (plant, key, budget, why) => {
  it(`is found as "${key}" within ${budget} execs (seed 1): ${why}`, () => {
    const fuzzer = new Fuzzer(module, start, { seed: 1n, allow: {}, plant: [plant], schedules: 64 });
    let found: Finding | undefined;
    while (!found && fuzzer.stats.execs < budget) {
      const f = fuzzer.step().finding;
      if (f?.key === key) found = f;
    }
    expect(found, `not found in ${budget} execs; findings: ${fuzzer.findings.map((f) => f.key).join("; ") || "none"}`).toBeDefined();

    // The counterexample replays on the model it was found on ...
    const seed = parseSeedFile(found!.text);
    const masked = found!.kind === "masked";
    expect(seed.plant).toEqual(masked ? [] : [plant]);
    const report = replay(seed);
    expect(meets(report, expectationFor(seed))).toBe(true);
    expect(`${found!.kind} ${keyOf(report)}`).toBe(key);
    // ... and the recorded schedule does not show the same failure on the other one.
    const other = { ...seed, plant: masked ? [plant] : [] };
    let otherKey = "diverged";
    try {
      otherKey = keyOf(replay(other));
    } catch (e) {
      if (!(e instanceof ReplayDivergence)) throw e;
    }
    expect(otherKey).not.toBe(keyOf(report));
    expect(seed.about).toMatch(/never fails this way: exhaustive search of its \d+ schedules with at most 3 preemptions/);
  });
});
