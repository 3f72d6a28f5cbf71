// Measurement for issue 12 item 2 (docs/model.md "The canonical state"): states stored by dfs
// (symmetry and partial-order reduction on, no preemption bound) with each normalisation of the
// state hash switched on in turn (assembly/sim/explore.ts canon_mode, measurement only).
//   npx tsx bench/canon-measure.ts SEED.json [MODE ...]     (modes are canon_mode bit sums)
import { readFileSync } from "node:fs";
import { explore } from "../host/core/explore";
import { encodeScenario, parseSeedFile, variantAssignments, variantOf } from "../host/core/seed";
import { Model } from "../host/core/wasm";
import { loadModule } from "../host/node/module";

const [file, ...modeArgs] = process.argv.slice(2);
const modes = modeArgs.length ? modeArgs.map(Number) : [0, 1, 2, 4, 8, 16, 32, 64, 127, -1];   // -1: the default (what vfsim run uses)
const module = await loadModule();
const s = parseSeedFile(readFileSync(file, "utf8"), []);
console.log("loadavg", readFileSync("/proc/loadavg", "utf8").trim());
for (const va of variantAssignments(s)) {
  const words = encodeScenario(variantOf(s, va)).words;
  for (const mode of modes) {
    const m = new Model(module);
    m.load(words);
    m.dfsCanonMode(mode);
    const t0 = performance.now(), c0 = process.cpuUsage();
    const r = explore(m, { preemptions: -1, maxStates: 200_000_000, symmetry: true, por: true });
    const dt = (performance.now() - t0) / 1000, cpu = process.cpuUsage(c0).user / 1e6;   // CPU time: the machine is shared
    console.log(JSON.stringify({ file: s.name, variant: va, mode, verdict: r.verdict, exhaustive: r.exhaustive, states: r.states, transitions: r.transitions, fallbacks: Number(m.dfsCanonFallbacks()), seconds: +dt.toFixed(2), cpuSeconds: +cpu.toFixed(2), usPerTransitionCpu: +(1e6 * cpu / r.transitions).toFixed(3) }));
    m.dfsCanonMode(-1);
  }
}
