// Shared by the page tests in Node (web.test.ts) and in Chromium (browser.test.ts): the fixtures,
// the compiled model, and what `vfsim run` finds for a seed file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { replay, runScenario } from "../host/core/run";
import { shrinkReport } from "../host/core/shrink";
import { encodeScenario, parseSeedFile, type SeedFile } from "../host/core/seed";
import { Model } from "../host/core/wasm";
import { replayRun } from "../host/web/session";

export const SCENARIO_A = "a-readdirplus-prime-lookup-mkdir-deadlock.json";

export const fixture = (file: string) => readFileSync(join("fixtures/scenarios", file), "utf8");
export const wasmModule = () => WebAssembly.compile(readFileSync("build/vfsim.wasm"));

/** What `vfsim run` finds for this seed file (strategy and seed from its run section): the
 *  failing schedule's index, and the failure as shrunk (as `vfsim run` and the page shrink it),
 *  with its raw trace. `found`: the schedule as found, before shrinking. */
export async function nodeRun(seed: SeedFile): Promise<{ index: number; schedule: string; words: number[]; found: string }> {
  const module = await wasmModule();
  const r = runScenario(module, seed, encodeScenario(seed), { strategy: seed.run.strategy, seed: seed.run.seed, schedules: seed.run.schedules, depth: seed.run.depth, preemptions: seed.run.preemptions });
  if (!r.choices) throw new Error("expected a failure");
  const shrunk = shrinkReport(module, seed, r);
  const model = new Model(module);
  model.load(shrunk.enc.words);
  return { index: r.schedules - 1, schedule: shrunk.report.schedule!, words: Array.from(replay(model, shrunk.report.choices!).events), found: r.schedule! };
}

/** Scenario (a) with K killing R (a-kill-readdir-d-state), proposed order: the first deadlock
 *  dfs finds within one preemption, replayed for the page as it was found (not shrunk: a shrink
 *  drops K, which is not in the cycle). */
export function killRun(module: WebAssembly.Module) {
  const seed = parseSeedFile(fixture("a-kill-readdir-d-state.json"), ["kernel.order=proposed", "variants={}", "expect=[]"]);
  const r = runScenario(module, seed, encodeScenario(seed), { strategy: "dfs", seed: 1n, schedules: 1_000_000, depth: 3, preemptions: 1 });
  return { ...replayRun(module, seed, r.choices!, { strategy: "dfs", seed: 1n }), choices: r.choices!, seed };
}
