// fixtures/regressions: shrunk counterexamples (found by `vfsim fuzz`, planted ones by its
// canary). Each replays its recorded schedule and must end with the verdict it records, so a
// fixed bug stays fixed and a model change that alters a verdict shows up here, by file name.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { searchBounded } from "../host/core/bounded";
import { dropFrom } from "../host/core/drop";
import { keyOf, readOutcome } from "../host/core/outcome";
import { meets } from "../host/core/matrix";
import { replayScenario } from "../host/core/run";
import { encodeScenario, expectationFor, parseSeedFile, serializeSeedFile } from "../host/core/seed";
import { decodeSchedule } from "../host/core/schedule";
import { Model } from "../host/core/wasm";
import { module, scenarioFiles } from "./helpers";

const files = scenarioFiles("fixtures/regressions");

describe("fixtures/regressions", () => {
  it("holds the fuzzer's findings: model failures and one per planted bug", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    const plants = new Set(files.flatMap((f) => parseSeedFile(readFileSync(f, "utf8")).plant));
    expect([...plants].sort()).toEqual(["lock-lookup-nowait", "no-dir-seq-recheck", "no-lookup-done", "no-wake"]);
  });

  it.each(files)("%s replays to its recorded verdict", (file) => {
    const seed = parseSeedFile(readFileSync(file, "utf8"));
    expect(seed.schedule, "a regression records its schedule").toBeDefined();
    expect(seed.expect).toHaveLength(1);
    const expected = expectationFor(seed)!;
    expect(expected.verdict).not.toBe("ok");
    const enc = encodeScenario(seed);
    const report = replayScenario(module, enc, decodeSchedule(seed.schedule!, enc.threads.length), seed.run);
    const got = keyOf(report) + (report.cycle ? ` (${report.cycle.map((e) => e.task).join(" -> ")})` : "");
    expect(meets(report, expected), `replayed to ${got}`).toBe(true);
  });

  // Minimal for what it is about: its key (verdict, check, and a deadlock's edge kinds). A
  // scenario without one of its threads may still fail, another way: without Y (M), the two
  // write-write deadlocks are the two-task ones of deadlock-inlookup-write and
  // deadlock-lookuplock-write, whose cycles have one rwsem edge, not two.
  it.each(files.filter((f) => parseSeedFile(readFileSync(f, "utf8")).threads.length > 1))("%s: without any one thread, no schedule within 3 preemptions fails the same way", (file) => {
    const seed = parseSeedFile(readFileSync(file, "utf8"));
    const enc = encodeScenario(seed);
    const choices = decodeSchedule(seed.schedule!, enc.threads.length);
    const key = keyOf(replayScenario(module, enc, choices, seed.run));
    const others: Record<string, string[]> = {}; // thread dropped -> the keys the rest can reach
    for (const t of seed.threads) {
      const smaller = parseSeedFile(serializeSeedFile({ ...dropFrom(module, seed, choices, { threads: [t.name], ops: [] }).seed, schedule: undefined, expect: [] }));
      const m = new Model(module);
      m.load(encodeScenario(smaller).words);
      const keys = new Set<string>();
      const r = searchBounded(m, { tasks: smaller.threads.length, preemptions: 3, onFailure: (code) => (keys.add(keyOf(readOutcome(m, code))), false) });
      expect(r.exhaustive).toBe(true);
      expect([...keys], `without ${t.name}`).not.toContain(key);
      if (keys.size) others[t.name] = [...keys];
    }
    const twoWriters: Record<string, Record<string, string[]>> = {
      "deadlock-inlookup-write-write.b8e4e66b.json": { Y: ["deadlock [in-lookup wait, rwsem write]"] },
      "deadlock-lookuplock-write-write.7958aa85.json": { M: ["deadlock [lookup lock, rwsem write]", "violation owner-only"] },
    };
    const name = file.split("/").pop()!;
    if (name in twoWriters) expect(others).toEqual(twoWriters[name]);
  });
});
