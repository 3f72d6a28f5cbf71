#!/usr/bin/env node
// `npm run bench:spin`: vfsim's exhaustive search against SPIN on SPIN's own shape, side by side
// in one run.
//
// The shape (the reference model, /work/shared/reference/vfs.pml and its README): one directory
// /d holding k names x1..xk; k readdirplus primers of /d, k stats of the distinct names x1..xk, k
// mkdirs of the distinct new names y1..yk; a FIFO i_rwsem. Three orders: current (SPIN's "old"),
// proposed ("new") and noblock (proposed, primers skip an in-lookup name). vfsim runs the seed
// files fixtures/scale/spin-h<k>-<order>.json of the same shape.
//
// For each shape, one after the other (never in parallel: the machine is shared):
//   - SPIN: `spin <flags> -a vfs.pml`, pan built with gcc -O2 -DSAFETY -DMEMLIM (the reference's
//     flags), once with partial-order reduction (the default) and once without (-DNOREDUCE), run
//     as `pan -m100000 -w<W>` (W as in the reference's spin-run.sh), stopping at the first error
//     as vfsim does;
//   - vfsim: dfs with the seed file's own run settings (no preemption bound), on a fresh instance
//     of the full build, through the same host API as `npm run bench` (bench/lib.mjs).
// Each run has a time limit; a run cut off by it, by pan's memory limit, by pan's depth limit or
// by vfsim's visited table is reported as not exhaustive, with the states it had stored. "ok"
// only ever means the search completed without an error.
//
// Environment:
//   VFSIM_SPIN_SHAPES=H2,H3,H4   which k to run
//   VFSIM_SPIN_ORDERS=current,proposed,noblock   which orders (a subset does not rewrite the doc)
//   VFSIM_SPIN_LIMIT=120         seconds per run, k <= 3
//   VFSIM_SPIN_H4_LIMIT=60       seconds per run, k = 4 (no tool finishes H4 here)
//   VFSIM_SPIN_MEMLIM=4000       MB, compiled into pan as -DMEMLIM
//   VFSIM_SPIN_MODEL=/work/shared/reference/vfs.pml
//
//   node --expose-gc bench/spin/run.mjs [--no-write]
// Writes the table into docs/performance.md between the bench:spin markers, and to stdout.

import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { register } from "tsx/esm/api";

register();
const { loadModule } = await import("../../host/node/module.ts");
const { parseSeedFile, encodeScenario } = await import("../../host/core/seed/index.ts");
const { VERDICTS } = await import("../../host/core/abi.ts");
const { scheduleBudget } = await import("../../host/core/run.ts");
const { loadavg, fmt, log, timedExplore, writeBlock } = await import("../lib.mjs");

const write = !process.argv.includes("--no-write");
const SHAPES = (process.env.VFSIM_SPIN_SHAPES ?? "H2,H3,H4").split(",").map((s) => Number(s.trim().replace(/^H/i, "")));
const LIMIT = Number(process.env.VFSIM_SPIN_LIMIT ?? 120);
const H4_LIMIT = Number(process.env.VFSIM_SPIN_H4_LIMIT ?? 60);
const MEMLIM = Number(process.env.VFSIM_SPIN_MEMLIM ?? 4000);
const MODEL = process.env.VFSIM_SPIN_MODEL ?? "/work/shared/reference/vfs.pml";
for (const [name, v] of [["VFSIM_SPIN_LIMIT", LIMIT], ["VFSIM_SPIN_H4_LIMIT", H4_LIMIT], ["VFSIM_SPIN_MEMLIM", MEMLIM]]) {
  if (!(v > 0)) { console.error(`${name}: expected a positive number, got ${JSON.stringify(process.env[name])}`); process.exit(2); }
}
for (const k of SHAPES) {
  if (![2, 3, 4].includes(k)) { console.error(`VFSIM_SPIN_SHAPES: expected H2, H3 or H4, got ${JSON.stringify(process.env.VFSIM_SPIN_SHAPES)}`); process.exit(2); }
}
if (!existsSync(MODEL)) { console.error(`VFSIM_SPIN_MODEL: ${MODEL} not found (the reference Promela model)`); process.exit(2); }
let spinVersion;
try {
  spinVersion = execFileSync("spin", ["-V"], { encoding: "utf8" }).trim();
} catch {
  console.error("spin not found: install it (Debian: apt-get install spin)");
  process.exit(2);
}

// SPIN's names for the orders and the cpp flags of the reference model
const ORDERS = [
  { order: "current", ref: "old", flags: (k) => [`-DK=${k}`] },
  { order: "proposed", ref: "new", flags: (k) => [`-DK=${k}`, "-DORDER_NEW"] },
  { order: "noblock", ref: "noblock", flags: (k) => [`-DK=${k}`, "-DORDER_NEW", "-DRD_NOBLOCK"] },
];
/** pan's -w (log2 hash slots), as the reference's spin-run.sh chooses it */
/** The preemption bound of the ICB row of the deadlocking shapes. */
const ICB_BOUND = 2;
const hashW = (k) => (k <= 2 ? 20 : k === 3 ? 26 : 28);
/** The reference README's POR-off state counts of the exhaustive configs (equal to h1explore's
 *  exact reachable states): an exhaustive POR-off run here must reproduce them. */
const REF_NOPOR = { "H2-old": 48189, "H2-noblock": 42631, "H3-old": 44367441, "H3-noblock": 33538080 };

const tmp = mkdtempSync(join(tmpdir(), "vfsim-spin-"));
const module = await loadModule();

// ---------------------------------------------------------------------------------------------
// SPIN

function buildPan(k, o) {
  const dir = join(tmp, `H${k}-${o.ref}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(MODEL, join(dir, "vfs.pml"));
  execFileSync("spin", [...o.flags(k), "-a", "vfs.pml"], { cwd: dir, stdio: "ignore" });
  for (const [exe, extra] of [["pan_por", []], ["pan_nopor", ["-DNOREDUCE"]]]) {
    execFileSync("gcc", ["-O2", "-DSAFETY", ...extra, `-DMEMLIM=${MEMLIM}`, "-o", exe, "pan.c"], { cwd: dir, stdio: "ignore" });
  }
  return dir;
}

/** One pan run, stopped with SIGINT at the time limit (pan then prints what it had). */
function runPan(dir, exe, k, limit) {
  const start = performance.now();
  const p = spawnSync("timeout", ["-s", "INT", String(limit), `./${exe}`, "-m100000", `-w${hashW(k)}`], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 26 });
  const seconds = (performance.now() - start) / 1000;
  const out = (p.stdout ?? "") + (p.stderr ?? "");
  const num = (re) => { const m = out.match(re); return m ? Number(m[1]) : NaN; };
  const errors = num(/errors: (\d+)/);
  const states = num(/^\s*(\S+) states, stored/m);
  const transitions = num(/^\s*(\S+) transitions \(= stored\+matched\)/m);
  const approx = /^\s*\S*e\+\S* (states, stored|transitions)/m.test(out);
  const timedOut = p.status === 124 || /Interrupted/.test(out);
  const memory = /MEMLIM|out of memory/.test(out);
  const depth = /max search depth too small/.test(out);
  const deadlock = /^pan:\d+: invalid end state/m.test(out);
  const por = /\+ Partial Order Reduction/.test(out);
  let search;
  if (timedOut) search = `cut off at ${limit} s, ${states} states, not exhaustive`;
  else if (memory) search = `stopped at the memory limit (${MEMLIM} MB), ${states} states, not exhaustive`;
  else if (depth) search = `depth limit reached, not exhaustive`;
  else if (errors > 0) search = "stopped at the first error";
  else if (Number.isNaN(errors)) search = `pan gave no statistics (exit ${p.status}), not exhaustive`;
  else search = "exhaustive";
  const verdict = deadlock ? "deadlock" : search === "exhaustive" ? "ok" : "inconclusive";
  return { tool: `SPIN, POR ${por ? "on" : "off"}`, verdict, search, exhaustive: search === "exhaustive", firstError: errors > 0 && !timedOut && !memory && !depth, states, transitions, approx, seconds };
}

// ---------------------------------------------------------------------------------------------
// vfsim

function runVfsim(k, o, limit, bound) {
  const file = `fixtures/scale/spin-h${k}-${o.order}.json`;
  const s = parseSeedFile(readFileSync(file, "utf8"));
  if (s.threads.length !== 3 * k || s.kernel.rwsem !== "fifo") throw new Error(`${file}: not SPIN's H${k} shape`);
  const preemptions = bound ?? s.run.preemptions;
  const r = timedExplore(module, encodeScenario(s).words, preemptions, scheduleBudget("dfs", s.run.schedules), limit, bound !== undefined);
  globalThis.gc?.();
  let search;
  if (r.verdict !== 0) search = "stopped at the first error";
  else if (r.cutOff) search = `cut off at ${limit} s, ${r.states} states, not exhaustive`;
  else if (r.tableFull) search = `visited table full, ${r.states} states, not exhaustive`;
  else if (!r.exhaustive) search = `state cap reached, ${r.states} states, not exhaustive`;
  else search = "exhaustive";
  const verdict = r.verdict !== 0 ? VERDICTS[r.verdict] : search === "exhaustive" ? "ok" : "inconclusive";
  return { tool: bound !== undefined ? `vfsim dfs, bounds 0-${bound} (ICB)` : "vfsim dfs", file, verdict, search, exhaustive: search === "exhaustive", firstError: r.verdict !== 0, states: r.totalStates ?? r.states, transitions: r.totalTransitions ?? r.transitions, approx: false, seconds: r.seconds };
}

// ---------------------------------------------------------------------------------------------

const loadBefore = loadavg();
const started = new Date();
const rows = [];
const ORDER_NAMES = (process.env.VFSIM_SPIN_ORDERS ?? "current,proposed,noblock").split(",").map((s) => s.trim());
for (const x of ORDER_NAMES) if (!ORDERS.some((o) => o.order === x)) { console.error(`VFSIM_SPIN_ORDERS: expected current, proposed or noblock, got ${JSON.stringify(x)}`); process.exit(2); }
const partial = ORDER_NAMES.length < ORDERS.length || SHAPES.length < 3;
for (const k of SHAPES) {
  const limit = k === 4 ? H4_LIMIT : LIMIT;
  for (const o of ORDERS.filter((x) => ORDER_NAMES.includes(x.order))) {
    const shape = `H${k}-${o.ref}`;
    const dir = buildPan(k, o);
    log(`${shape}: SPIN, POR on`);
    const por = runPan(dir, "pan_por", k, limit);
    log(`${shape}: SPIN, POR off`);
    const nopor = runPan(dir, "pan_nopor", k, limit);
    log(`${shape}: vfsim, ${o.order} (fixtures/scale/spin-h${k}-${o.order}.json)`);
    const vf = runVfsim(k, o, limit);
    // the deadlocking order again, as `vfsim run --preemptions 2` searches it: bound 0, 1, 2, so
    // the first error is one of the fewest preemptions (not exhaustive: a bounded space)
    let icb;
    if (o.order === "proposed") {
      log(`${shape}: vfsim, ${o.order}, preemption bounds 0-${ICB_BOUND}`);
      icb = runVfsim(k, o, limit, ICB_BOUND);
    }
    rows.push({ k, o, shape, limit, por, nopor, vf, icb, loadavg: loadavg() });
  }
}
const loadAfter = loadavg();

const n = (x, approx) => (Number.isNaN(x) ? "?" : `${approx ? "≈" : ""}${x.toLocaleString("en-US")}`);
/** A ratio only where both searches did the same thing: both exhaustive, or both stopped at
 *  their first error. */
function ratio(a, b, key) {
  const same = (a.exhaustive && b.exhaustive) || (a.firstError && b.firstError);
  return same ? `${(a[key] / b[key]).toFixed(2)}` : "–";
}

const L = [];
L.push(`Measured ${started.toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpus()[0]?.model ?? "unknown CPU"} (${availableParallelism()} cores, shared), Node ${process.versions.node}, ${spinVersion}, ${execFileSync("gcc", ["--version"], { encoding: "utf8" }).split("\n")[0]}.`);
L.push(`/proc/loadavg before: \`${loadBefore}\`, after: \`${loadAfter}\`. One run at a time (SPIN, then vfsim), each with a limit of ${LIMIT} s (${H4_LIMIT} s at k = 4); pan built with -O2 -DSAFETY -DMEMLIM=${MEMLIM}, run with -m100000 -w20 (k = 2), -w26 (k = 3), -w28 (k = 4). Reference model: ${MODEL} (sha256 ${createHash("sha256").update(readFileSync(MODEL)).digest("hex").slice(0, 12)}).`);
L.push("");
L.push("Shape Hk: one directory holding k names x1..xk; k readdirplus primers of it, k stats of the distinct names x1..xk, k mkdirs of the distinct new names y1..yk; FIFO i_rwsem. old = current order, new = proposed order, noblock = proposed order with primers that skip an in-lookup name (vfsim: `fs.prime` `d_alloc_trylock`). vfsim: fixtures/scale/spin-h<k>-<order>.json, dfs with no preemption bound, state caching, symmetry and partial-order reduction, checks \"all\". Both tools stop at the first error. \"states\": distinct states stored; \"transitions\": stored + revisited. ≈: pan printed the count in %g form (8 significant digits). vfsim takes several steps per operation where the reference model takes one, so its counts are not expected to equal SPIN's.");
L.push("");
L.push("| shape | tool | verdict | search | states stored | transitions | seconds | loadavg after |");
L.push("|---|---|---|---|---:|---:|---:|---|");
for (const r of rows) {
  for (const x of [r.por, r.nopor, r.vf, ...(r.icb ? [r.icb] : [])]) {
    L.push(`| ${r.shape} | ${x.tool} | ${x.verdict} | ${x.search} | ${n(x.states, x.approx)} | ${n(x.transitions, x.approx)} | ${x.seconds.toFixed(2)} | ${x === r.vf ? r.loadavg : ""} |`);
  }
}
L.push("");
L.push("Ratios vfsim / SPIN with POR, only where both searches did the same thing (both exhaustive, or both stopped at the first error); \"–\" otherwise.");
L.push("");
L.push("| shape | states, vfsim / SPIN POR | seconds, vfsim / SPIN POR | states, SPIN POR off / POR on |");
L.push("|---|---:|---:|---:|");
for (const r of rows) {
  L.push(`| ${r.shape} | ${ratio(r.vf, r.por, "states")} | ${ratio(r.vf, r.por, "seconds")} | ${ratio(r.nopor, r.por, "states")} |`);
  if (r.icb) L.push(`| ${r.shape}, vfsim with bounds 0-${ICB_BOUND} | ${ratio(r.icb, r.por, "states")} | ${ratio(r.icb, r.por, "seconds")} | |`);
}
L.push("");
const checks = rows.filter((r) => REF_NOPOR[r.shape] !== undefined && r.nopor.exhaustive);
if (checks.length) {
  L.push(`SPIN with POR off against the reference's exact state counts (h1explore): ${checks.map((r) => `${r.shape} ${r.nopor.states === REF_NOPOR[r.shape] ? "equal" : `**differs** (${r.nopor.states} here, ${REF_NOPOR[r.shape]} there)`}`).join("; ")}.`);
}
const text = L.join("\n");
console.log(text);
if (write && !partial) writeBlock("docs/performance.md", "bench:spin", text);
else if (partial) log("a subset of the shapes or orders: docs/performance.md left as it is");
