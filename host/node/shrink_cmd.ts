/**
 *   vfsim shrink <seed-file> [--out FILE] [--set key=value ...] [--json]
 *
 * Shrinks a counterexample by hand (sweeps and runs shrink their failures themselves): fewest
 * preemptions, then fewest ticks, then fewer threads and ops, while the same verdict (and for a
 * violation the same invariant) still fails. A file without a recorded schedule is first run
 * with its own strategy to find one. Writes the shrunk counterexample (default: beside the input,
 * `<name>.shrunk.json`) and prints the lengths before and after.
 */

import { writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { runScenario, EXIT_INCONCLUSIVE, type RunReport } from "../core/run";
import { coveredText, plural } from "../core/report";
import { encodeScenario, serializeSeedFile, type SeedFile } from "../core/seed";
import { decodeSchedule } from "../core/schedule";
import { NothingToShrink, shrinkReport, type ShrinkSize } from "../core/shrink";
import { UsageError } from "./flags";
import { checkOutFile, guarded, parseArgs, readSeedFile, type CommandDef } from "./flags";
import { loadModule } from "./module";

type Out = (s: string) => void;

export const SHRINK_COMMAND: CommandDef = {
  args: "<seed-file>",
  summary: "Shrink a counterexample (fewest preemptions, ticks, threads, ops) keeping its verdict; a file without a schedule is run first.",
  flags: {
    "--out": { kind: "value", arg: "FILE", help: "where the shrunk counterexample goes (default: <name>.shrunk.json beside the input)" },
    "--set": { kind: "list", arg: "key=value", help: "override a seed-file field first (repeats)" },
    "--json": { kind: "bool", help: "print one JSON object (default: text)" },
  },
};

export async function cmdShrink(args: string[], out: Out, err: Out): Promise<number> {
  return guarded(err, async () => {
    const f = parseArgs("shrink", args, SHRINK_COMMAND);
    if (f.positional.length !== 1) throw new UsageError("vfsim shrink: expected exactly one seed file");
    const file = f.positional[0];
    const path = f.values.get("--out") ?? join(dirname(file), `${basename(file, ".json")}.shrunk.json`);
    checkOutFile("--out", path);
    const seed = readSeedFile(file, f.lists.get("--set") ?? []);
    const module = await loadModule();
    const found = failingRun(module, seed);
    if (!found.choices) {
      // name what was searched: dfs counts states, random and PCT schedules
      const what = found.strategy === "dfs"
        ? `dfs ${found.exhaustive ? "exhausted its space" : `stopped because ${found.stopped}`} (${coveredText(found)}) without a failure`
        : `${found.strategy} found no failure in ${plural(found.schedules, "schedule")} (not exhaustive)`;
      out(`vfsim shrink ${file}: nothing to shrink; ${what}`);
      return found.verdict === "ok" ? 0 : EXIT_INCONCLUSIVE;
    }
    let shrunk;
    try {
      shrunk = shrinkReport(module, seed, found);
    } catch (e) {
      if (!(e instanceof NothingToShrink)) throw e;
      out(`vfsim shrink ${file}: ${e.message}`);
      return 1;
    }
    writeFileSync(path, serializeSeedFile(shrunk.counterexample));
    const r = shrunk.report;
    if (f.bools.has("--json")) {
      out(JSON.stringify({ verdict: r.verdict, ...(r.invariant ? { invariant: r.invariant } : {}), before: shrunk.before, after: shrunk.after, schedule: r.schedule, file: path }));
    } else {
      out(`vfsim shrink ${file}: ${r.invariant ? `violation of ${r.invariant}` : r.verdict}`);
      out(`  before: ${sizeText(shrunk.before)}`);
      out(`  after:  ${sizeText(shrunk.after)}`);
      out(`shrunk counterexample: ${path}`);
      out(`replay:                vfsim replay ${path}`);
    }
    return 0;
  });
}

function sizeText(s: ShrinkSize): string {
  return `${plural(s.ticks, "tick")}, ${plural(s.preemptions, "preemption")}, ${plural(s.threads, "thread")}, ${plural(s.ops, "op")}`;
}

/** The recorded schedule as a failing run, or the first failure of the file's own strategy. */
function failingRun(module: WebAssembly.Module, seed: SeedFile): RunReport {
  const enc = encodeScenario(seed);
  const how = { strategy: seed.run.strategy, seed: seed.run.seed };
  if (seed.schedule) {
    return { ...how, verdict: "ok", schedules: 1, exhaustive: false, choices: decodeSchedule(seed.schedule, enc.threads.length) };
  }
  return runScenario(module, seed, enc, { ...seed.run });
}
