// `npm run bench:scale`: the measured simulation of one exhaustive search split across M machines
// by hash partitioning (bench/scale-sim.ts; docs/scale.md, "Across machines"). For each shape:
// the real model's state graph (the whole space, or its first --states states, said so), then
// for M = 1, 2, 4, 8, 16, 64 what each machine would own, run and send, counted exactly, and a
// predicted time under stated network assumptions from CPU costs measured here.
//
//   node bench/scale.mjs [--states N] [--only NAME] [--no-write]
//
// Counts are the same on every run; the CPU costs (per transition, per message) are measured
// on this machine, as CPU seconds (a shared machine inflates them less than wall time), with
// /proc/loadavg before and after. The tables go to stdout and into docs/scale.md between the
// bench:scale markers.

import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { register } from "tsx/esm/api";

register();
const sim = await import("./scale-sim.ts");
const { parseSeedFile, encodeScenario } = await import("../host/core/seed/index.ts");
const { Model } = await import("../host/core/wasm.ts");
const { explore } = await import("../host/core/explore.ts");
const { loadModule } = await import("../host/node/module.ts");
const { loadavg, log, writeBlock } = await import("./lib.mjs");

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const BUDGET = Number(flag("--states") ?? 2_000_000);
if (!Number.isInteger(BUDGET) || BUDGET < 1) { log("--states: expected a positive integer"); process.exit(2); }
const only = flag("--only");
const write = !args.includes("--no-write");

const SHAPES = [
  ["nfs-readdirplus-2x2x2", "the one-name 2+2+2, current order"],
  ["spin-h2-current", "SPIN's k = 2 shape, current order"],
  ["spin-h2-proposed", "SPIN's k = 2 shape, proposed order (deadlocks)"],
  ["spin-h2-noblock", "SPIN's k = 2 shape, non-blocking primers"],
  ["spin-h3-current", "SPIN's k = 3 shape, current order"],
  ["nfs-readdirplus-3x3x3", "the one-name 3+3+3, current order"],
].filter(([n]) => !only || n === only);
if (!SHAPES.length) { log(`--only: expected one of the shapes bench/scale.mjs lists, not ${only}`); process.exit(2); }
const MACHINES = [1, 2, 4, 8, 16, 64];
/** The network assumed (not measured: this is one machine). */
const NET = { roundLatency: 100e-6, bandwidth: 10e9 / 8, header: 8 };
/** transitions the engine's per-transition CPU cost is measured over */
const ENGINE_STATES = 1_000_000;
/** the what-if column: xor-rle at this CPU cost each way (an assumption, labelled so) */
const ASSUMED_CODEC = 1e-6;

const module = await loadModule();
const f1 = (x) => x.toFixed(1), f2 = (x) => x.toFixed(2), f3 = (x) => x.toFixed(3);
const n0 = (x) => Math.round(x).toLocaleString("en-US");
const us = (s) => (s * 1e6).toFixed(2);
const startedAt = new Date().toISOString().slice(0, 16).replace("T", " ");
const loadBefore = loadavg();

const shapes = [], parts = [], preds = [];
for (const [name, about] of SHAPES) {
  const s = parseSeedFile(readFileSync(`fixtures/scale/${name}.json`, "utf8"), []);
  const words = encodeScenario(s).words;
  const before = loadavg();
  log(`${name}: exploring (budget ${n0(BUDGET)} states) ...`);
  const m = new Model(module);
  m.load(words);
  const g = sim.exploreGraph(m, { maxStates: BUDGET });
  const lv = sim.bfsLevels(g);
  // the engine (explore.ts, in wasm) on the same space without partial-order reduction: the cost
  // a machine would pay per transition
  const e = new Model(module);
  e.load(words);
  const c0 = process.cpuUsage();
  const r = explore(e, { preemptions: -1, maxStates: Math.min(g.states, ENGINE_STATES), symmetry: true, por: false });
  const ce = process.cpuUsage(c0);
  const perTransition = (ce.user + ce.system) / 1e6 / r.transitions;
  const enc = sim.measureEncodings(g);
  let savedSum = 0;
  for (const x of g.saved) savedSum += x;
  let pathSum = 0;
  for (let i = 0; i < g.states; i++) pathSum += lv.level[i];
  let widest = 0;
  for (let L = 0; L + 1 < lv.levelStart.length; L++) widest = Math.max(widest, lv.levelStart[L + 1] - lv.levelStart[L]);
  const cycle = g.complete ? (sim.hasCycle(g) ? "yes" : "no") : "n/a";
  const row = {
    cycle, name, about, g, lv, perTransition, enc, savedMean: savedSum / g.states, pathMean: pathSum / g.states, widest,
    engineStates: r.states, before, after: loadavg(),
  };
  shapes.push(row);
  for (const M of MACHINES) {
    const p = sim.partition(g, lv, M);
    parts.push({ name, M, p, imbalance: sim.roundImbalance(p), g });
    for (const en of sim.ENCODINGS) preds.push({ name, M, en, ...sim.predict(p, en, perTransition, enc, NET) });
    // what if xor-rle cost what a restore does (assumed, not measured: a wasm encoder over the saved part)
    const fast = { ...enc, "xor-rle": { ...enc["xor-rle"], encodeSeconds: ASSUMED_CODEC, decodeSeconds: ASSUMED_CODEC } };
    preds.push({ name, M, en: "xor-rle-assumed", ...sim.predict(p, "xor-rle", perTransition, fast, NET) });
  }
  log(`${name}: ${n0(g.states)} states, ${n0(g.transitions)} transitions, ${lv.levelStart.length - 1} levels, ${f1(g.cpuSeconds)} cpu s`);
}
const loadAfter = loadavg();

const out = [];
out.push(`Measured ${startedAt} UTC on ${cpus()[0]?.model ?? "?"} (${cpus().length} cores, shared), Node ${process.versions.node}; /proc/loadavg before: \`${loadBefore}\`, after: \`${loadAfter}\`. \`npm run bench:scale\` (bench/scale.mjs, bench/scale-sim.ts). A shape marked "first N" was cut at a budget of ${n0(BUDGET)} stored states (\`--states\`): the counts are of the graph of the states it expanded, not of the whole space. Every count is the same on every run; the CPU costs are CPU seconds measured here, under the load shown.`);
out.push("");
out.push("**The state graphs** (no partial-order reduction, symmetry reduction on, no preemption bound). \"levels\": BFS levels, the rounds of a level-synchronous search; \"widest level\": the most states in one level (the frontier every machine together holds at once); \"first failure\": the level of the first state with a failing transition (a BFS round finds the shortest counterexamples first); \"cycle\": whether the graph has one (complete graphs only). \"µs/transition\": CPU per transition of the engine (explore.ts in wasm, without partial-order reduction, over the first " + n0(ENGINE_STATES) + " states) and of this simulator's host-driven search. Message body per state: \"block\" the whole state block (what the work-sharing of `--workers` sends today), \"saved\" what a snapshot copies, \"xor-rle\" the block XORed with the initial state, run-length coded by 32-bit words, \"deflate\" zlib level 1, \"path\" the shortest choice path (one byte a tick); each with its measured CPU to encode / decode (µs, over every 512th stored state, at most 2,000).");
out.push("");
out.push("| shape | states | transitions | per state | levels | widest level | first failure | cycle | longest DFS path | µs/transition engine / sim | block | saved | xor-rle (µs enc/dec) | deflate (µs enc/dec) | path | loadavg before | after |");
out.push("|---|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---|---|---:|---|---|");
for (const x of shapes) {
  const g = x.g, xr = x.enc["xor-rle"], df = x.enc.deflate;
  const states = g.complete ? n0(g.states) : `first ${n0(g.states)} (${n0(g.expanded)} expanded)`;
  out.push(`| ${x.name} | ${states} | ${n0(g.transitions)} | ${f2(g.transitions / g.expanded)} | ${x.lv.levelStart.length - 1} | ${n0(x.widest)} | ${x.lv.firstFailLevel < 0 ? "none" : x.lv.firstFailLevel} | ${x.cycle} | ${g.maxDepth} | ${us(x.perTransition)} / ${us(g.cpuSeconds / g.transitions)} | ${n0(x.enc.blockBytes)} | ${n0(x.savedMean)} | ${n0(xr.bytes)} (${f1(xr.encodeSeconds * 1e6)}/${f1(xr.decodeSeconds * 1e6)}) | ${n0(df.bytes)} (${f1(df.encodeSeconds * 1e6)}/${f1(df.decodeSeconds * 1e6)}) | ${f1(x.pathMean)} | ${x.before} | ${x.after} |`);
}
out.push("");
out.push("**Partitioned by hash** (owner = high 32 bits of the state key mod M). \"owned max/mean\": the most states one machine owns over the mean; \"cross\": transitions whose successor another machine owns, of all transitions; \"sent/state\": messages per stored state once each sender sends a successor once per round; \"decodes/state\": states a machine must rebuild from a message (no transition of its own reached them); \"round imbalance\": the sum over rounds of the busiest machine's transitions over the mean machine's.");
out.push("");
out.push("| shape | M | owned max/mean | cross | sent/state | decodes/state | rounds | round imbalance |");
out.push("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const { name, M, p, imbalance, g } of parts) {
  const owned = Math.max(...p.owned) / (g.states / M);
  out.push(`| ${name} | ${M} | ${f3(owned)} | ${f3(p.crossTransitions / p.transitions)} | ${f2(p.sent / g.states)} | ${f2(p.decodes / g.states)} | ${p.rounds} | ${f3(imbalance)} |`);
}
out.push("");
out.push(`**Predicted speed-up over one machine** (a model, not a measurement): level-synchronous rounds, computing and communicating not overlapped; per round the busiest machine's CPU (transitions x the engine's µs/transition above, plus its message encoding and decoding), then ${NET.roundLatency * 1e6} µs of latency (the exchange and the barrier ending the round) and the busiest machine's bytes in or out at ${NET.bandwidth * 8 / 1e9} Gb/s (full duplex, a non-blocking switch), each message carrying an ${NET.header}-byte key besides its body. One machine: transitions x µs/transition, no messages. Encodings as in the first table; \"key-first\": only the key is sent, and a state's saved snapshot only when its owner finds it new and reached it by no transition of its own (\"decodes\"), asked of one of the machines that sent the key (spread by hash): one more exchange a round, so twice the latency. Each cell: speed-up (share of the predicted time that is network / message CPU).`);
out.push("");
out.push(`The last speed-up column is not measured: it is xor-rle with its encoding and decoding assumed to cost ${ASSUMED_CODEC * 1e6} µs each (about what a restore of the saved bytes costs; a wasm encoder would be needed to measure it).`);
out.push("");
out.push("| shape | M | raw | xor-rle | deflate | path | key-first | xor-rle at an assumed 1 µs | MB sent per machine, raw / key-first |");
out.push("|---|---:|---|---|---|---|---|---|---:|");
for (const [name] of SHAPES) {
  for (const M of MACHINES) {
    if (M === 1) continue;
    const cells = [...sim.ENCODINGS, "xor-rle-assumed"].map((en) => {
      const q = preds.find((x) => x.name === name && x.M === M && x.en === en);
      return `${f2(q.speedup)}x (${(q.network / q.seconds * 100).toFixed(0)}% / ${(q.messageCpu / q.seconds * 100).toFixed(0)}%)`;
    });
    const mb = (en) => f1(preds.find((x) => x.name === name && x.M === M && x.en === en).bytes / M / 1e6);
    out.push(`| ${name} | ${M} | ${cells.join(" | ")} | ${mb("raw")} / ${mb("key-first")} |`);
  }
}
const text = out.join("\n");
console.log(text);
if (write) writeBlock("docs/scale.md", "bench:scale", text);
