// Shared test helpers: the compiled model and seed files from disk.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { encodeScenario, parseSeedFile, SeedError, type SeedFile } from "../host/core/seed";
import { replayScenario, runScenario, type RunReport } from "../host/core/run";
import { Model } from "../host/core/wasm";
import { loadLeanModule, loadModule } from "../host/node/module";

export const module = await loadModule();
/** The lean build (assembly/sim/build.ts) that sweeps run their batches in. */
export const lean = await loadLeanModule();

export function seedFile(path: string, sets: string[] = []): SeedFile {
  return parseSeedFile(readFileSync(path, "utf8"), sets);
}

export function scenarioFiles(dir = "fixtures/scenarios"): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => join(dir, f));
}

export const A = "fixtures/scenarios/a-readdirplus-prime-lookup-mkdir-deadlock.json";

/** The whole state space of `s` by dfs (no preemption bound). */
export function whole(s: SeedFile): RunReport {
  return runScenario(module, s, encodeScenario(s), { strategy: "dfs", seed: 1n, schedules: 10_000_000, depth: 3, preemptions: -1 });
}

/** The SeedError reading `path` with `sets` gives; fails the test if the file is accepted. */
export function seedErrorOf(path: string, sets: string[]): SeedError {
  try {
    seedFile(path, sets);
  } catch (e) {
    if (e instanceof SeedError) return e;
    throw e;
  }
  throw new Error("accepted");
}

/** Run task `lead` for `k` ticks (or until it blocks or ends), then `first` to its end, then the
 *  others (lowest runnable id first), and replay the schedule traced. */
export function sequential(s: SeedFile, first: number, lead = -1, k = 0): RunReport {
  const m = new Model(module);
  const enc = encodeScenario(s);
  m.load(enc.words);
  m.begin();
  const choices: number[] = [];
  for (let v = -1; v === -1; ) {
    const mask = m.runnableMask();
    const want = choices.length < k && lead >= 0 ? lead : first;
    const t = mask & (1 << want) ? want : 31 - Math.clz32(mask & -mask);
    choices.push(t);
    v = m.tick(t);
  }
  return replayScenario(module, enc, Uint8Array.from(choices), s.run);
}
