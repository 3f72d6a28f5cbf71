// Shared test helpers: the compiled model and seed files from disk.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseSeedFile, type SeedFile } from "../host/core/seed";
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
