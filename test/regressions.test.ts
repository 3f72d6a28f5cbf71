// fixtures/regressions: shrunk counterexamples (found by `vfsim fuzz`, planted ones by its
// canary). Each replays its recorded schedule and must end with the verdict it records, so a
// fixed bug stays fixed and a model change that alters a verdict shows up here, by file name.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { keyOf } from "../host/core/outcome";
import { meets } from "../host/core/matrix";
import { replayScenario } from "../host/core/run";
import { encodeScenario, expectationFor, parseSeedFile } from "../host/core/seed";
import { decodeSchedule } from "../host/core/schedule";
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
});
