// Measurement for issue 13 (the shrinker's ranking): every failing cell of the built-in scenarios
// (fixtures/scenarios, each variant, the file's own strategy and budget, as `vfsim matrix` runs
// them) and SPIN's k = 3 proposed shape (dfs, bounds 0-2), shrunk as `vfsim run` shrinks a failure
// (schedule, then threads and ops). One JSON line per cell: the failing schedule as the search
// found it and as shrunk (ticks, preemptions, threads, ops), then the totals.
//   npx tsx bench/shrink-rank.ts [SEED.json ...]
import { readFileSync } from "node:fs";
import { runScenario } from "../host/core/run";
import { encodeScenario, parseSeedFile, variantAssignments, variantOf } from "../host/core/seed";
import { shrinkReport } from "../host/core/shrink";
import { loadLeanModule, loadModule } from "../host/node/module";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const files = args.length ? args : [
  ...readdirSync("fixtures/scenarios").filter((f) => f.endsWith(".json")).sort().map((f) => join("fixtures/scenarios", f)),
  "fixtures/scale/spin-h3-proposed.json",
];
const module = await loadModule();
const lean = await loadLeanModule();
console.log("loadavg", readFileSync("/proc/loadavg", "utf8").trim());
const total = { cells: 0, before: { ticks: 0, preemptions: 0 }, after: { ticks: 0, preemptions: 0, threads: 0, ops: 0 } };
for (const file of files) {
  const s = parseSeedFile(readFileSync(file, "utf8"), file.includes("spin-h3") ? ["run.preemptions=2"] : []);
  for (const va of variantAssignments(s)) {
    const v = variantOf(s, va);
    const r = runScenario(module, v, encodeScenario(v), { strategy: v.run.strategy, seed: v.run.seed, schedules: v.run.schedules, depth: v.run.depth, preemptions: v.run.preemptions, lean });
    if (!r.choices) continue;
    const t0 = performance.now();
    const sh = shrinkReport(module, v, r);
    const ms = Math.round(performance.now() - t0);
    total.cells++;
    total.before.ticks += sh.before.ticks;
    total.before.preemptions += sh.before.preemptions;
    for (const k of ["ticks", "preemptions", "threads", "ops"] as const) total.after[k] += sh.after[k];
    console.log(JSON.stringify({ file: s.name, variant: va, verdict: r.invariant ?? r.verdict, found: sh.before, shrunk: sh.after, ms }));
  }
}
console.log(JSON.stringify({ total }));
