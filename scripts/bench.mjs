#!/usr/bin/env node
// The benchmark: `npm run bench` (which builds first: the sweep pool needs dist/worker.mjs).
//
//   1. random sweeps of every built-in scenario with 1 worker and with one per core: schedules/s,
//      ticks/s and the scaling ratio; then all scenarios in one sweep, the headline ratio
//   2. scenario (a) against bench/c/scenario_a.c, a hand-written C port (gcc -O2) that makes the
//      same choices for the same seed: the C program, the bare wasm engine (run_batch in a loop,
//      no sweep machinery) in the lean build that sweeps use and in the full build, and a
//      one-worker sweep (with shrinking), same schedules
//   3. dfs: distinct states per second on one core, per built-in scenario
//   4. memory per model instance
//   5. dfs on 1 and 2 worker threads sharing one visited table (bench/pdfs.mjs), against the
//      one-worker search: the 3+3+3 shape searched to the end, SPIN's k = 3 shape over a window
//   6. SPIN beside vfsim on SPIN's shape (bench/spin/run.mjs, what `npm run bench:spin` runs:
//      the project's Promela model bench/spin/vfsim.pml under pan with POR and -DSAFETY, vfsim's
//      dfs on fixtures/scale/spin-h<k>-<order>.json, the ratios), when `spin` is on PATH; when
//      it is not, the run says that this part was skipped and how to install spin
//
// The results and /proc/loadavg (before and after) go into docs/performance.md between the
// bench markers, and to stdout. Speed is measured here, never asserted in tests. The machine may
// be shared: each number is the best of a few interleaved rounds (interference only ever slows
// a run down), and sweeps also report CPU time, so the cost of parallelism can be read apart
// from the load.
//
//   node scripts/bench.mjs [--quick] [--no-write] [--only pdfs|spin]

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { register } from "tsx/esm/api";

register();
const { sweep } = await import("../host/node/sweep.ts");
const { loadModule, loadLeanModule } = await import("../host/node/module.ts");
const { parseSeedFile, encodeScenario, variantOf, variantAssignments } = await import("../host/core/seed/index.ts");
const { Model } = await import("../host/core/wasm.ts");
const { loadavg, fmt, log, timedExplore: exploreOn, writeBlock } = await import("../bench/lib.mjs");

const quick = process.argv.includes("--quick");
const write = !process.argv.includes("--no-write");
const ROUNDS = quick ? 1 : 3;
const PER_TARGET = quick ? 8192 : 32768;     // schedules per (file, variant), per-scenario sweeps
const ALL_PER_TARGET = quick ? 16384 : 65536; // the all-scenarios sweep
const C_SCHEDULES = quick ? 200_000 : 1_000_000;
const CORES = availableParallelism();
const A = "fixtures/scenarios/a-readdirplus-prime-lookup-mkdir-deadlock.json";
const tmp = mkdtempSync(join(tmpdir(), "vfsim-bench-"));
const module = await loadModule();
const lean = await loadLeanModule();

let runs = 0;

/** One sweep; returns schedules/s and ticks/s over its wall time, and the CPU seconds of the
 *  whole process (the main thread and every worker thread). */
async function timedSweep(files, workers, schedules, sets = []) {
  const cpu0 = process.cpuUsage();
  const r = await sweep({
    files, sets, strategy: "random", schedules, workers, shard: { index: 0, count: 1 },
    resume: false, json: true, out: join(tmp, `s${runs++}`, "results.jsonl"),
  });
  const cpu = process.cpuUsage(cpu0);
  const s = r.timing.seconds;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { schedules: r.summary.schedules, ticks: r.summary.ticks, failures: r.summary.failures, seconds: s, sps: r.summary.schedules / s, tps: r.summary.ticks / s, cpuSeconds, perCpu: r.summary.schedules / cpuSeconds };
}

/** The best of ROUNDS interleaved rounds of each measurement in `fns`. */
async function rounds(fns) {
  const out = fns.map(() => []);
  for (let i = 0; i < ROUNDS; i++) for (let j = 0; j < fns.length; j++) out[j].push(await fns[j]());
  return out.map((xs) => xs.reduce((a, b) => (b.sps > a.sps ? b : a)));
}

// ---------------------------------------------------------------------------------------------
// 1. sweeps per scenario, 1 worker and all cores

async function perScenario() {
  const files = readdirSync("fixtures/scenarios").filter((f) => f.endsWith(".json")).sort().map((f) => join("fixtures/scenarios", f));
  const rows = [];
  for (const file of files) {
    log(`sweep ${file}`);
    const [one, all] = await rounds([() => timedSweep([file], 1, PER_TARGET), () => timedSweep([file], CORES, PER_TARGET)]);
    const targets = variantAssignments(parseSeedFile(readFileSync(file, "utf8"))).length;
    rows.push({ file, targets, one, all, ratio: all.sps / one.sps });
  }
  log("sweep of all scenarios");
  const [one, all] = await rounds([() => timedSweep(files, 1, ALL_PER_TARGET), () => timedSweep(files, CORES, ALL_PER_TARGET)]);
  return { rows, total: { one, all, ratio: all.sps / one.sps } };
}

// ---------------------------------------------------------------------------------------------
// 2. scenario (a): C, the bare engine, a one-worker sweep

function buildC() {
  const exe = join(tmp, "scenario_a");
  execFileSync("gcc", ["-O2", "-o", exe, "bench/c/scenario_a.c"]);
  return exe;
}

/** The lean build translated to C by wasm2c and compiled with gcc -O2 (bench/c/model_native.c):
 *  the model's own work per tick, as native code. Needs wasm2c (Debian package wabt); without it
 *  the row says so. */
const WASM_RT = "/usr/share/wabt/wasm2c";
function buildNative() {
  try {
    execFileSync("wasm2c", ["--version"], { stdio: "ignore" });
  } catch {
    return { skipped: "wasm2c is not installed (Debian package wabt)" };
  }
  if (!existsSync(join(WASM_RT, "wasm-rt-impl.c"))) return { skipped: `${WASM_RT}/wasm-rt-impl.c not found` };
  const dir = join(tmp, "native");
  execFileSync("mkdir", ["-p", dir]);
  execFileSync("wasm2c", ["build/vfsim-lean.wasm", "-n", "vfsim", "-o", join(dir, "vfsim.c")]);
  const exe = join(dir, "model_native");
  execFileSync("gcc", ["-O2", "-w", `-I${dir}`, `-I${WASM_RT}`, "-o", exe, "bench/c/model_native.c", join(dir, "vfsim.c"), join(WASM_RT, "wasm-rt-impl.c"), "-lm"]);
  const version = execFileSync("wasm2c", ["--version"], { encoding: "utf8" }).trim();
  return { exe, version };
}

function runNative(native, order) {
  const v = variantOf(parseSeedFile(readFileSync(A, "utf8")), { "kernel.order": order, "fs.prime": "d_alloc_parallel", "kernel.rwsem": "linux" });
  const words = encodeScenario(v).words;
  const file = join(tmp, `words-${order}`);
  writeFileSync(file, Buffer.from(words.buffer, words.byteOffset, words.byteLength));
  const r = JSON.parse(execFileSync(native.exe, [file, "1", String(C_SCHEDULES)], { encoding: "utf8" }));
  return { ...r, sps: r.schedulesPerSecond };
}

function runC(exe, order) {
  const r = JSON.parse(execFileSync(exe, [order, "1", String(C_SCHEDULES)], { encoding: "utf8" }));
  return { ...r, sps: r.schedulesPerSecond };
}

/** run_batch in a loop on one instance of `mod`, restarting after each failing schedule (as a
 *  sweep worker does), with nothing else: the wasm engine alone. */
function runEngine(order, mod) {
  const v = variantOf(parseSeedFile(readFileSync(A, "utf8")), { "kernel.order": order, "fs.prime": "d_alloc_parallel", "kernel.rwsem": "linux" });
  const m = new Model(mod);
  m.load(encodeScenario(v).words);
  // warm up (leave the baseline tier): 20,000 schedules, going on past the failing ones
  for (let i = 0; i < 20_000; ) { const hit = m.runBatch(0, 99n, i, 20_000 - i, 0, 0); i = hit < 0 ? 20_000 : i + hit + 1; }
  const t0 = m.ticksTotal();
  const start = performance.now();
  let deadlocks = 0;
  for (let i = 0; i < C_SCHEDULES; ) {
    const n = Math.min(4096, C_SCHEDULES - i);
    const hit = m.runBatch(0, 1n, i, n, 0, 0);
    if (hit < 0) i += n;
    else { deadlocks++; i += hit + 1; }
  }
  const seconds = (performance.now() - start) / 1000;
  return { schedules: C_SCHEDULES, deadlocks, ticks: Number(m.ticksTotal() - t0), seconds, sps: C_SCHEDULES / seconds };
}

async function versusC() {
  const exe = buildC();
  const native = buildNative();
  const gcc = execFileSync("gcc", ["--version"], { encoding: "utf8" }).split("\n")[0];
  const rows = [];
  for (const order of ["proposed", "current"]) {
    log(`scenario (a) ${order}: C, engine (lean and full builds), sweep`);
    const sets = ["variants={}", `kernel.order=${order}`, "fs.prime=d_alloc_parallel", "kernel.rwsem=linux"];
    const [c, engine, full, swept, nat] = await rounds([
      async () => runC(exe, order),
      async () => runEngine(order, lean),
      async () => runEngine(order, module),
      () => timedSweep([A], 1, C_SCHEDULES, sets),
      async () => (native.exe ? runNative(native, order) : { sps: 0 }),
    ]);
    const runs = [engine, full, ...(native.exe ? [nat] : [])];
    const same = runs.every((r) => r.deadlocks === c.deadlocks && r.ticks === c.ticks);
    rows.push({ order, c, engine, full, swept, native: native.exe ? nat : undefined, same });
  }
  return { gcc, native: native.version ?? native.skipped, nativeSkipped: !native.exe, rows };
}

// ---------------------------------------------------------------------------------------------
// 3. dfs states per second

function dfs() {
  const files = readdirSync("fixtures/scenarios").filter((f) => f.endsWith(".json")).sort().map((f) => join("fixtures/scenarios", f));
  const rows = [];
  for (const file of files) {
    const s = parseSeedFile(readFileSync(file, "utf8"));
    let states = 0, transitions = 0, seconds = 0, setup = 0;
    for (const va of variantAssignments(s)) {
      const v = variantOf(s, va);
      const words = encodeScenario(v).words;
      setup += timedExplore(words, v.run.preemptions, 1).seconds;   // the fixed cost of a first dfs
      const r = timedExplore(words, v.run.preemptions, 5_000_000);
      seconds += r.seconds;
      states += r.states;
      transitions += r.transitions;
    }
    rows.push({ file, states, transitions, seconds, setup, sps: states / seconds, tps: transitions / seconds, net: states / Math.max(seconds - setup, 1e-6) });
  }
  const t = rows.reduce((t, r) => ({ states: t.states + r.states, transitions: t.transitions + r.transitions, seconds: t.seconds + r.seconds, setup: t.setup + r.setup }), { states: 0, transitions: 0, seconds: 0, setup: 0 });
  return { rows, total: { ...t, sps: t.states / t.seconds, tps: t.transitions / t.seconds, net: t.states / Math.max(t.seconds - t.setup, 1e-6) } };
}

/** The scale scenarios: N readdirplus primers + N lookups + N mkdirs, the whole state space
 *  (no preemption bound), current order (a proof) and proposed (finding the deadlock). */
function scale() {
  const sizes = quick ? ["2x2x2"] : ["2x2x2", "3x3x3"];
  const rows = [];
  for (const n of sizes) {
    const s = parseSeedFile(readFileSync(`fixtures/scale/nfs-readdirplus-${n}.json`, "utf8"));
    for (const order of ["current", "proposed"]) {
      log(`dfs scale ${n} ${order}`);
      const r = timedExplore(encodeScenario(variantOf(s, { "kernel.order": order })).words, -1, 200_000_000);
      rows.push({ n, order, verdict: r.verdict === 0 ? "ok" : "deadlock", exhaustive: r.exhaustive, states: r.states, transitions: r.transitions, seconds: r.seconds, collision: r.collisionBound });
    }
  }
  return rows;
}

/** One dfs on a fresh instance (an instance's first dfs pays for its tables). */
const timedExplore = (words, preemptions, maxStates) => exploreOn(module, words, preemptions, maxStates);

// ---------------------------------------------------------------------------------------------
// 4. memory per instance

function memory() {
  const enc = encodeScenario(parseSeedFile(readFileSync(A, "utf8")));
  const N = 1000;
  globalThis.gc?.();
  const before = process.memoryUsage();
  const start = performance.now();
  const models = [];
  for (let i = 0; i < N; i++) {
    const m = new Model(module);
    m.load(enc.words);
    models.push(m);
  }
  const ms = performance.now() - start;
  const after = process.memoryUsage();
  return {
    linear: models[0].memory.buffer.byteLength,
    rss: (after.rss - before.rss) / N,
    external: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / N,
    instantiateMs: ms / N,
  };
}

// ---------------------------------------------------------------------------------------------
// The report

function report(m) {
  const L = [];
  L.push(`Measured ${m.date} on ${m.cpu} (${CORES} cores), Node ${process.versions.node}, ${m.c.gcc}.`);
  L.push(`/proc/loadavg before: \`${m.loadBefore}\`, after: \`${m.loadAfter}\`${quick ? " (a --quick run)" : ""}.`);
  L.push("");
  L.push(`### Random sweeps, 1 worker and ${CORES} workers`);
  L.push("");
  L.push(`${PER_TARGET} schedules per variant, best of ${ROUNDS} rounds; wall time of the whole sweep (pool start, shrinking of the first failure of each kind per chunk, results file). "per CPU-s": schedules per CPU-second of the whole process, all threads: equal for 1 and ${CORES} workers means parallelism itself costs nothing, whatever the load.`);
  L.push("");
  L.push(`| scenario | variants | failing | 1 worker: schedules/s | ticks/s | per CPU-s | ${CORES} workers: schedules/s | ticks/s | per CPU-s | ratio |`);
  L.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const row = (name, variants, r) => `| ${name} | ${variants} | ${r.one.failures} | ${fmt(r.one.sps)} | ${fmt(r.one.tps)} | ${fmt(r.one.perCpu)} | ${fmt(r.all.sps)} | ${fmt(r.all.tps)} | ${fmt(r.all.perCpu)} | ${r.ratio.toFixed(2)} |`;
  for (const r of m.sweeps.rows) L.push(row(r.file.split("/").pop().replace(".json", ""), r.targets, r));
  L.push(row(`**all, one sweep** (${ALL_PER_TARGET}/variant)`, "", m.sweeps.total));
  L.push("");
  L.push("### Scenario (a) against a hand-written C port");
  L.push("");
  L.push(`${C_SCHEDULES} random schedules, seed 1, one core, best of ${ROUNDS} rounds. \`bench/c/scenario_a.c\` is a fixed-function C state machine for this one scenario (gcc -O2), not the model; it takes the same steps and the same random choices, so it must report the same deadlocks and ticks as the model ("identical", both builds). "lean engine": \`run_batch\` of build/vfsim-lean.wasm, what sweeps run; "full engine": the same in build/vfsim.wasm, with the footprint, coverage and trace hooks.`);
  L.push("");
  L.push("| order | C: schedules/s | ns/tick | lean engine: schedules/s | ns/tick | full engine: schedules/s | sweep, 1 worker: schedules/s | C / lean | C / full | C / sweep | deadlocks | ticks | identical |");
  L.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  const ns = (r) => (r.seconds * 1e9 / r.ticks).toFixed(1);
  for (const r of m.c.rows) {
    L.push(`| ${r.order} | ${fmt(r.c.sps)} | ${ns(r.c)} | ${fmt(r.engine.sps)} | ${ns(r.engine)} | ${fmt(r.full.sps)} | ${fmt(r.swept.sps)} | ${(r.c.sps / r.engine.sps).toFixed(2)} | ${(r.c.sps / r.full.sps).toFixed(2)} | ${(r.c.sps / r.swept.sps).toFixed(2)} | ${r.c.deadlocks} | ${r.c.ticks} | ${r.same ? "yes" : "**NO**"} |`);
  }
  L.push("");
  if (m.c.nativeSkipped) L.push(`The model's own code as native code (bench/c/model_native.c): not measured, ${m.c.native}.`);
  else {
    L.push(`The model's own code as native code: build/vfsim-lean.wasm translated to C by wasm2c ${m.c.native} and compiled with gcc -O2 (\`bench/c/model_native.c\`), the same loop as the lean engine. It does the model's work per tick, so it separates what the work costs from what WebAssembly costs. wasm2c keeps linear memory behind a pointer the C compiler must reload, so this is an upper bound on the native cost of that work, not a tuned port.`);
    L.push("");
    L.push("| order | model native: schedules/s | ns/tick | hand-written C / model native | model native / lean engine |");
    L.push("|---|---:|---:|---:|---:|");
    for (const r of m.c.rows) L.push(`| ${r.order} | ${fmt(r.native.sps)} | ${ns(r.native)} | ${(r.c.sps / r.native.sps).toFixed(2)} | ${(r.engine.sps / r.native.sps).toFixed(2)} |`);
  }
  L.push("");
  L.push("### dfs, one core");
  L.push("");
  if (m.dfs.error) L.push(`dfs could not run: ${m.dfs.error}`);
  else {
    L.push("Every variant of each scenario, with the seed file's preemption bound, at most 5M states each, each on a fresh instance. \"setup\": the time of a dfs stopped after one state, i.e. the fixed cost of an instance's first dfs; \"net\" leaves it out.");
    L.push("");
    L.push("| scenario | states | transitions | seconds | setup s | states/s | net states/s | transitions/s |");
    L.push("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of m.dfs.rows) L.push(`| ${r.file.split("/").pop().replace(".json", "")} | ${r.states} | ${r.transitions} | ${r.seconds.toFixed(3)} | ${r.setup.toFixed(3)} | ${fmt(r.sps)} | ${fmt(r.net)} | ${fmt(r.tps)} |`);
    const d = m.dfs.total;
    L.push(`| **all** | ${d.states} | ${d.transitions} | ${d.seconds.toFixed(3)} | ${d.setup.toFixed(3)} | **${fmt(d.sps)}** | **${fmt(d.net)}** | ${fmt(d.tps)} |`);
  }
  L.push("");
  L.push("### dfs at scale: one name");
  L.push("");
  L.push("fixtures/scale/nfs-readdirplus-NxNxN.json: N readdirplus primers + N lookups of the one name /d/x + N mkdirs of the one name /d/y in one NFS directory (Linux rwsem), the whole state space (no preemption bound), with state caching, symmetry and partial-order reduction, one core. Every thread of a kind is identical, so symmetry reduction divides far more than on SPIN's shape: this is not the shape of the SPIN comparison (that one is `npm run bench:spin`, below). \"states\": distinct states stored; \"transitions\": states visited, revisits included.");
  L.push("");
  L.push("| scenario | order | verdict | exhaustive | states | transitions | seconds | states/s | transitions/s | collision bound |");
  L.push("|---|---|---|---|---:|---:|---:|---:|---:|---:|");
  for (const r of m.scale) L.push(`| ${r.n} | ${r.order} | ${r.verdict} | ${r.exhaustive ? "yes" : "no"} | ${r.states} | ${r.transitions} | ${r.seconds.toFixed(2)} | ${fmt(r.states / r.seconds)} | ${fmt(r.transitions / r.seconds)} | ${r.collision.toExponential(1)} |`);
  L.push("");
  L.push("### Memory per instance");
  L.push("");
  L.push(`1000 instances of scenario (a) from one compiled module: linear memory ${(m.memory.linear / 1024).toFixed(0)} KiB each; process RSS grew ${(m.memory.rss / 1024).toFixed(0)} KiB per instance; ${m.memory.instantiateMs.toFixed(3)} ms to instantiate and load one.`);
  return L.join("\n");
}

const { benchPdfs, pdfsReport } = await import("../bench/pdfs.mjs");
/** Section 5, in its own block of docs/performance.md. */
async function parallelDfs() {
  const text = pdfsReport(await benchPdfs(module, { quick }));
  console.log(text);
  if (write) writeBlock("docs/performance.md", "bench:pdfs", text);
}
const spinBench = await import("../bench/spin/run.mjs");
let spinOpts;
try {
  spinOpts = spinBench.spinOptions(quick ? { ...process.env, VFSIM_SPIN_SHAPES: "H2" } : process.env);
} catch (e) {
  console.error(e.message);
  process.exit(2);
}
/** Section 6, in the bench:spin block of docs/performance.md; needs spin (skipped without it,
 *  saying so). --quick: k = 2 only, and the block is left as it is. */
async function versusSpin() {
  if (!spinBench.spinVersion()) {
    console.log(`\n### SPIN beside vfsim on SPIN's shape: skipped\n\n\`spin\` is not on PATH, so the SPIN comparison was not run and docs/performance.md's bench:spin table was left as it is. Install it: ${spinBench.INSTALL_SPIN}; then run \`npm run bench\` again, or only this part: \`npm run bench:spin\`.`);
    return;
  }
  const text = spinBench.spinReport(await spinBench.benchSpin(module, spinOpts, log));
  console.log(text);
  if (write && !quick && !spinOpts.partial && spinOpts.model === "vfsim") writeBlock("docs/performance.md", "bench:spin", text);
}
if (process.argv.includes("--only")) {
  const what = process.argv[process.argv.indexOf("--only") + 1];
  if (what === "pdfs") await parallelDfs();
  else if (what === "spin") await versusSpin();
  else throw new Error(`--only: expected pdfs or spin, got ${what}`);
  process.exit(0);
}

const loadBefore = loadavg();
const sweeps = await perScenario();
const c = await versusC();
let dfsResult;
try {
  log("dfs");
  dfsResult = dfs();
} catch (e) {
  dfsResult = { error: e.message };
}
const scaleRows = scale();
const mem = memory();
const results = {
  date: new Date().toISOString().slice(0, 10),
  cpu: cpus()[0]?.model ?? "unknown CPU",
  loadBefore, loadAfter: loadavg(), sweeps, c, dfs: dfsResult, scale: scaleRows, memory: mem,
};
const text = report(results);
console.log(text);
if (write) writeBlock("docs/performance.md", "bench", text);
await parallelDfs();
await versusSpin();
