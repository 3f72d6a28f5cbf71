#!/usr/bin/env node
// `npm run bench:spin`: vfsim's exhaustive search against SPIN on SPIN's own shape, side by side
// in one run (also the last part of `npm run bench`, when spin is installed).
//
// The shape Hk (the reference README, /work/shared/reference/README.md): one directory /d
// holding k names x1..xk; k readdirplus primers of /d, k stats of the distinct names x1..xk, k
// mkdirs of the distinct new names y1..yk; a FIFO i_rwsem. Three orders: current (the reference's
// "old"), proposed ("new") and noblock (proposed, primers skip an in-lookup name). SPIN runs the
// project's Promela model of it, bench/spin/vfsim.pml; vfsim runs the seed files
// fixtures/scale/spin-h<k>-<order>.json of the same shape (bench/spin/shape.mjs).
//
//   node --expose-gc bench/spin/run.mjs [--no-write]
//     For each shape, one after the other (never in parallel: the machine is shared):
//       - SPIN: `spin <flags> -a` of the model, pan built with gcc -O2 -DSAFETY -DMEMLIM
//         (partial-order reduction on, pan's default), run as `pan -m100000 -w<W>` (W as the
//         reference's spin-run.sh chooses it), stopping at the first error as vfsim does;
//       - vfsim: dfs, one worker, with the seed file's own run settings (no preemption bound), on
//         a fresh instance of the full build, through the host API `npm run bench` uses
//         (bench/lib.mjs); for the proposed order also with preemption bounds 0-2 in turn (ICB),
//         as `vfsim run --preemptions 2` searches.
//     Each run has a time limit; a run cut off by it, by pan's memory or depth limit or by
//     vfsim's visited table is reported as not exhaustive, with the states it had stored. "ok"
//     only ever means the search completed without an error. Prints the side-by-side table with
//     the ratios vfsim / SPIN and /proc/loadavg before and after, and writes it into
//     docs/performance.md between the bench:spin markers.
//
//   node bench/spin/run.mjs --agree [--no-por] [--no-write]
//     The check that the project's model has the reference's state space: both models, pan built
//     with -DNOREDUCE (partial-order reduction off) and run with -c0 (on past errors, counting
//     every deadlock state), must store the same number of states, take the same number of
//     transitions, reach the same number of deadlock states and give the same verdict; the
//     reference's counts must also equal its README's exact ones (h1explore) where they are
//     known. With POR on both are run too and shown (not part of the check; --no-por: not run,
//     half the time). Exit 0 when every shape asked for was searched to the end by both and
//     agrees, 1 otherwise. Writes the table between the bench:spin-agree markers.
//
// Environment:
//   VFSIM_SPIN_SHAPES=H2,H3,H4   which k to run (--agree: H1,H2,H3)
//   VFSIM_SPIN_ORDERS=current,proposed,noblock   which orders (a subset does not rewrite the doc)
//   VFSIM_SPIN_LIMIT=120         seconds per run, k <= 3 (--agree: 900)
//   VFSIM_SPIN_H4_LIMIT=60       seconds per run, k = 4 (no tool finishes H4 here)
//   VFSIM_SPIN_MEMLIM=4000       MB, compiled into pan as -DMEMLIM (--agree: 8000)
//   VFSIM_SPIN_MODEL=vfsim       the model SPIN runs: vfsim (bench/spin/vfsim.pml) or reference
//   VFSIM_SPIN_REFERENCE=/work/shared/reference/vfs.pml   where the reference model is

import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { EXACT_NOPOR, MODELS, ORDERS, hashW, seedFileOf } from "./shape.mjs";

/** `spin -V`, or undefined when spin is not on PATH. */
export function spinVersion() {
  try {
    return execFileSync("spin", ["-V"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}
export const INSTALL_SPIN = "`apt-get install -y spin` on Debian or Ubuntu (SPIN 6.5; gcc builds pan)";

/** The run's settings from the environment; a bad value is an error naming the variable. */
export function spinOptions(env, { agree = false } = {}) {
  const bad = (name, what) => { throw new Error(`${name}: expected ${what}, got ${JSON.stringify(env[name])}`); };
  const defaults = agree ? [1, 2, 3] : [2, 3, 4];
  const shapes = (env.VFSIM_SPIN_SHAPES ?? defaults.map((k) => `H${k}`).join(",")).split(",").map((s) => Number(s.trim().replace(/^H/i, "")));
  const allowed = agree ? [1, 2, 3, 4] : [2, 3, 4];   // vfsim's seed files of the shape start at k = 2
  for (const k of shapes) if (!allowed.includes(k)) bad("VFSIM_SPIN_SHAPES", `a list of ${allowed.map((x) => `H${x}`).join(", ")}`);
  const orders = (env.VFSIM_SPIN_ORDERS ?? "current,proposed,noblock").split(",").map((s) => s.trim());
  for (const x of orders) if (!ORDERS.some((o) => o.order === x)) bad("VFSIM_SPIN_ORDERS", "a list of current, proposed, noblock");
  const num = (name, dflt) => {
    const v = Number(env[name] ?? dflt);
    if (!(v > 0)) bad(name, "a positive number");
    return v;
  };
  const model = env.VFSIM_SPIN_MODEL ?? "vfsim";
  if (!(model in MODELS)) bad("VFSIM_SPIN_MODEL", "vfsim or reference");
  const reference = env.VFSIM_SPIN_REFERENCE ?? MODELS.reference.file;
  const files = { vfsim: MODELS.vfsim.file, reference };
  for (const m of agree ? ["vfsim", "reference"] : [model]) {
    if (!existsSync(files[m])) throw new Error(`${m === "reference" ? "VFSIM_SPIN_REFERENCE" : "VFSIM_SPIN_MODEL"}: ${files[m]} not found (the ${MODELS[m].name} Promela model)`);
  }
  return {
    shapes, orders: ORDERS.filter((o) => orders.includes(o.order)),
    partial: orders.length < ORDERS.length || !defaults.every((k) => shapes.includes(k)),
    limit: num("VFSIM_SPIN_LIMIT", agree ? 900 : 120),
    h4Limit: num("VFSIM_SPIN_H4_LIMIT", agree ? 900 : 60),
    memlim: num("VFSIM_SPIN_MEMLIM", agree ? 8000 : 4000),
    model, files,
  };
}

const sha = (file) => createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 12);
const gccVersion = () => execFileSync("gcc", ["--version"], { encoding: "utf8" }).split("\n")[0];
/** The commit of vfsim measured (the last one that changed the model or the host: a bench-only
 *  commit on top, or a rebase of one, does not change what was measured), and whether the tree
 *  differed from it. */
function commitMeasured() {
  try {
    const head = execFileSync("git", ["log", "-1", "--format=%h", "--", "assembly", "host"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "assembly", "host", "bench", "fixtures"], { encoding: "utf8" }).trim() !== "";
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return "unknown commit";
  }
}

// ---------------------------------------------------------------------------------------------
// SPIN

let tmp;
/** spin -a of `model` for shape Hk in order `o`, and pan built from it; returns the directory. */
function buildPan(opts, model, k, o, nopor) {
  tmp ??= mkdtempSync(join(tmpdir(), "vfsim-spin-"));
  const dir = join(tmp, `H${k}-${o.ref}-${model}-${nopor ? "nopor" : "por"}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(opts.files[model], join(dir, "model.pml"));
  execFileSync("spin", [`-DK=${k}`, ...MODELS[model].flags[o.order], "-a", "model.pml"], { cwd: dir, stdio: "ignore" });
  execFileSync("gcc", ["-O2", "-w", "-DSAFETY", ...(nopor ? ["-DNOREDUCE"] : []), `-DMEMLIM=${opts.memlim}`, "-o", "pan", "pan.c"], { cwd: dir, stdio: "ignore" });
  return dir;
}

/** One pan run, stopped with SIGINT at the time limit (pan then prints what it had). `all`: -c0,
 *  go on past errors (counting the deadlock states) instead of stopping at the first. */
function runPan(dir, k, limit, memlim, all) {
  const start = performance.now();
  const cmd = ["timeout", "-s", "INT", String(limit), "./pan", "-m100000", `-w${hashW(k)}`, ...(all ? ["-c0"] : [])];
  // GNU time, when installed, for pan's CPU seconds (the machine may be shared)
  const timed = existsSync(TIME) ? [TIME, "-f", "%U %S", "-o", "cpu.txt", ...cmd] : cmd;
  const p = spawnSync(timed[0], timed.slice(1), { cwd: dir, encoding: "utf8", maxBuffer: 1 << 26 });
  const seconds = (performance.now() - start) / 1000;
  const cpuLine = timed !== cmd && existsSync(join(dir, "cpu.txt")) ? readFileSync(join(dir, "cpu.txt"), "utf8").trim().split("\n").pop() : "";
  const cpuSeconds = /^[\d.]+ [\d.]+$/.test(cpuLine) ? cpuLine.split(" ").reduce((a, b) => a + Number(b), 0) : NaN;
  const out = (p.stdout ?? "") + (p.stderr ?? "");
  const raw = (re) => out.match(re)?.[1];
  const errors = Number(raw(/errors: (\d+)/) ?? NaN);
  const statesRaw = raw(/^\s*(\S+) states, stored/m), transitionsRaw = raw(/^\s*(\S+) transitions \(= stored\+matched\)/m);
  const timedOut = p.status === 124 || /Interrupted/.test(out);   // GNU time exits with pan's status
  const memory = /MEMLIM|out of memory/.test(out);
  const depth = /max search depth too small/.test(out);
  const deadlock = /^pan:\d+: invalid end state/m.test(out) || (all && errors > 0);
  const por = /\+ Partial Order Reduction/.test(out);
  let search;
  if (timedOut) search = `cut off at ${limit} s, not exhaustive`;
  else if (memory) search = `stopped at the memory limit (${memlim} MB), not exhaustive`;
  else if (depth) search = "depth limit reached, not exhaustive";
  else if (Number.isNaN(errors)) search = `pan gave no statistics (exit ${p.status}), not exhaustive`;
  else if (errors > 0 && !all) search = "stopped at the first error";
  else search = "exhaustive";
  const exhaustive = search === "exhaustive";
  const verdict = deadlock ? "deadlock" : exhaustive ? "ok" : "inconclusive";
  return {
    tool: `SPIN, POR ${por ? "on" : "off"}`, verdict, search, exhaustive, firstError: search === "stopped at the first error",
    errors, statesRaw, transitionsRaw, states: Number(statesRaw ?? NaN), transitions: Number(transitionsRaw ?? NaN),
    approx: /e\+/.test(`${statesRaw}${transitionsRaw}`), seconds, cpuSeconds,
  };
}

// ---------------------------------------------------------------------------------------------
// vfsim

const ICB_BOUND = 2;
const TIME = "/usr/bin/time";

async function runVfsim(module, k, o, limit, bound) {
  const { parseSeedFile, encodeScenario } = await import("../../host/core/seed/index.ts");
  const { VERDICTS } = await import("../../host/core/abi.ts");
  const { scheduleBudget } = await import("../../host/core/run.ts");
  const { timedExplore } = await import("../lib.mjs");
  const file = seedFileOf(k, o.order);
  const s = parseSeedFile(readFileSync(file, "utf8"));
  if (s.threads.length !== 3 * k || s.kernel.rwsem !== "fifo") throw new Error(`${file}: not SPIN's H${k} shape`);
  const preemptions = bound ?? s.run.preemptions;
  const cpu0 = process.cpuUsage();
  const r = timedExplore(module, encodeScenario(s).words, preemptions, scheduleBudget("dfs", s.run.schedules), limit, bound !== undefined);
  const cpu = process.cpuUsage(cpu0);
  globalThis.gc?.();
  let search;
  if (r.verdict !== 0) search = "stopped at the first error";
  else if (r.cutOff) search = `cut off at ${limit} s, not exhaustive`;
  else if (r.tableFull) search = "visited table full, not exhaustive";
  else if (!r.exhaustive) search = "state cap reached, not exhaustive";
  else search = bound !== undefined ? `bounds 0-${bound} exhausted` : "exhaustive";
  const verdict = r.verdict !== 0 ? VERDICTS[r.verdict] : search === "exhaustive" ? "ok" : "inconclusive";
  return {
    tool: bound !== undefined ? `vfsim dfs, bounds 0-${bound} (ICB)` : "vfsim dfs", file, verdict, search,
    exhaustive: search === "exhaustive", firstError: r.verdict !== 0, states: r.totalStates ?? r.states,
    transitions: r.totalTransitions ?? r.transitions, seconds: r.seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

// ---------------------------------------------------------------------------------------------
// Side by side

/** What every run records first: spin's version (or an error saying how to install it), the
 *  load average and the start time. */
async function begin() {
  const { loadavg } = await import("../lib.mjs");
  const version = spinVersion();
  if (!version) throw new Error(`spin not found; install it: ${INSTALL_SPIN}`);
  return { loadavg, version, loadBefore: loadavg(), started: new Date() };
}

/** The shapes of a run, k by order, with each one's time limit and name (H<k>-<order>). */
function* shapesOf(opts) {
  for (const k of opts.shapes) {
    for (const o of opts.orders) yield { k, o, limit: k === 4 ? opts.h4Limit : opts.limit, shape: `H${k}-${o.ref}` };
  }
}

/** Runs the comparison; `module` is the full build (host/node/module.ts loadModule). */
export async function benchSpin(module, opts, log = (s) => process.stderr.write(s + "\n")) {
  const { loadavg, version, loadBefore, started } = await begin();
  const rows = [];
  for (const { k, o, limit, shape } of shapesOf(opts)) {
    log(`${shape}: SPIN (${MODELS[opts.model].name}), POR on`);
    const spin = runPan(buildPan(opts, opts.model, k, o, false), k, limit, opts.memlim, false);
    log(`${shape}: vfsim, ${seedFileOf(k, o.order)}`);
    const vf = await runVfsim(module, k, o, limit);
    let icb;
    if (o.verdict === "deadlock") {
      log(`${shape}: vfsim, preemption bounds 0-${ICB_BOUND}`);
      icb = await runVfsim(module, k, o, limit, ICB_BOUND);
    }
    rows.push({ k, o, shape, spin, vf, icb, loadavg: loadavg() });
  }
  return {
    rows, loadBefore, loadAfter: loadavg(), started, version, opts, gcc: gccVersion(), commit: commitMeasured(),
    modelFile: opts.files[opts.model], modelSha: sha(opts.files[opts.model]),
  };
}

const num = (x, approx) => (Number.isNaN(x) ? "?" : `${approx ? "≈" : ""}${x.toLocaleString("en-US")}`);
const done = (r) => r.exhaustive || r.firstError;
/** vfsim / SPIN of `key`. Where both searches did the same thing (both exhaustive, or both
 *  stopped at their first error): the ratio. Where only SPIN finished: a lower bound (vfsim had
 *  that much when it was stopped); only vfsim: an upper bound. Otherwise "–". */
function ratio(vf, spin, key) {
  if (!(spin[key] > 0) || Number.isNaN(vf[key])) return "–";   // unmeasured, or below GNU time's 0.01 s
  const r = (vf[key] / spin[key]).toFixed(2);
  if (vf.exhaustive && spin.exhaustive) return r;
  if (vf.firstError && spin.firstError) return r;
  if (done(spin) && !done(vf)) return `≥ ${r}`;
  if (done(vf) && !done(spin)) return `≤ ${r}`;
  return "–";
}

export function spinReport(m) {
  const { opts } = m;
  const L = [];
  L.push(`Measured ${m.started.toISOString().slice(0, 16).replace("T", " ")} UTC, vfsim at commit ${m.commit} (the last change to assembly/ and host/), on ${cpus()[0]?.model ?? "unknown CPU"} (${availableParallelism()} cores, shared), Node ${process.versions.node}, ${m.version}, ${m.gcc}.`);
  L.push(`/proc/loadavg before: \`${m.loadBefore}\`, after: \`${m.loadAfter}\`. One run at a time (SPIN, then vfsim), each with a limit of ${opts.limit} s (${opts.h4Limit} s at k = 4). SPIN: ${m.modelFile} (sha256 ${m.modelSha}), pan built with -O2 -DSAFETY -DMEMLIM=${opts.memlim} (partial-order reduction on), run with -m100000 -w20 (k ≤ 2), -w26 (k = 3), -w28 (k = 4), stopping at the first error. vfsim: fixtures/scale/spin-h<k>-<order>.json, dfs on one worker with no preemption bound (state caching, symmetry and partial-order reduction, checks "all"), stopping at the first error; for the proposed order also with preemption bounds 0, 1, 2 in turn (ICB, what \`vfsim run --preemptions ${ICB_BOUND}\` does).`);
  L.push("");
  L.push("\"states\": distinct states stored. \"s\": wall seconds of the search (pan's process; vfsim's dfs on a fresh instance); \"CPU s\": the CPU seconds it got (user + system: pan's from GNU time, vfsim's from the process), which is the fairer figure on a shared machine. ≈: pan printed the count in %g form (8 significant digits). Ratios are vfsim / SPIN: where both searches did the same thing (both exhaustive, or both stopped at their first error), the ratio; ≥: only SPIN finished, so vfsim would need at least that much (its figure when it was stopped); –: neither finished, or they disagree.");
  L.push("");
  L.push("| shape | SPIN: verdict | search | states | s | CPU s | vfsim: verdict | search | states | s | CPU s | states vfsim / SPIN | CPU time vfsim / SPIN | wall time vfsim / SPIN | loadavg after |");
  L.push("|---|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---|");
  const cpu = (x) => (Number.isNaN(x.cpuSeconds) ? "?" : x.cpuSeconds.toFixed(2));
  for (const r of m.rows) {
    const s = r.spin;
    for (const v of [r.vf, ...(r.icb ? [r.icb] : [])]) {
      const name = v === r.icb ? `${r.shape}, vfsim bounds 0-${ICB_BOUND}` : r.shape;
      L.push(`| ${name} | ${s.verdict} | ${s.search} | ${num(s.states, s.approx)} | ${s.seconds.toFixed(2)} | ${cpu(s)} | ${v.verdict} | ${v.search} | ${num(v.states)} | ${v.seconds.toFixed(2)} | ${cpu(v)} | ${ratio(v, s, "states")} | ${ratio(v, s, "cpuSeconds")} | ${ratio(v, s, "seconds")} | ${v === r.vf ? r.loadavg : ""} |`);
    }
  }
  const disagree = m.rows.filter((r) => [r.spin, r.vf, r.icb].filter((x) => x && x.verdict !== "inconclusive").some((x) => x.verdict !== r.o.verdict));
  L.push("");
  L.push(disagree.length
    ? `**Verdicts differ** from the shape's (${disagree.map((r) => r.shape).join(", ")}).`
    : "Every verdict given is the shape's (current ok, proposed deadlock, noblock ok); an inconclusive row gave none.");
  return L.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Agreement of the two models, POR off

/** Does pan's printed count equal `x`? Above 1e8 or so pan prints %g with 8 significant digits. */
const sameAsPrinted = (raw, x) => raw !== undefined && Number(raw) === (/e\+/.test(raw) ? Number(x.toPrecision(8)) : x);

export async function agreeSpin(opts, log = (s) => process.stderr.write(s + "\n")) {
  const { loadavg, version, loadBefore, started } = await begin();
  const rows = [];
  for (const { k, o, limit, shape } of shapesOf(opts)) {
    const runs = {};
    for (const model of ["reference", "vfsim"]) {
      for (const nopor of opts.por === false ? [true] : [true, false]) {
        log(`${shape}: ${MODELS[model].name}, POR ${nopor ? "off" : "on"}, -c0`);
        runs[`${model}-${nopor ? "nopor" : "por"}`] = runPan(buildPan(opts, model, k, o, nopor), k, limit, opts.memlim, true);
      }
    }
    const a = runs["reference-nopor"], b = runs["vfsim-nopor"];
    const exact = EXACT_NOPOR[shape];
    const complete = a.exhaustive && b.exhaustive;
    const equal = complete && a.statesRaw === b.statesRaw && a.transitionsRaw === b.transitionsRaw && a.errors === b.errors && a.verdict === b.verdict
      && (!exact || (sameAsPrinted(a.statesRaw, exact[0]) && sameAsPrinted(a.transitionsRaw, exact[1])));
    rows.push({ k, o, shape, runs, exact, complete, equal });
  }
  return {
    rows, ok: rows.every((r) => r.equal), loadBefore, loadAfter: loadavg(), started, version, opts, gcc: gccVersion(),
    sha: { vfsim: sha(opts.files.vfsim), reference: sha(opts.files.reference) },
  };
}

export function agreeReport(m) {
  const L = [];
  L.push(`Checked ${m.started.toISOString().slice(0, 16).replace("T", " ")} UTC with ${m.version}, ${m.gcc} (\`node bench/spin/run.mjs --agree${m.opts.por === false ? " --no-por" : ""}\`): bench/spin/vfsim.pml (sha256 ${m.sha.vfsim}) against ${m.opts.files.reference} (sha256 ${m.sha.reference}), pan built with -O2 -DSAFETY -DMEMLIM=${m.opts.memlim}, run with -m100000 -w20/-w26/-w28 -c0 (on past errors, every deadlock state counted). /proc/loadavg before: \`${m.loadBefore}\`, after: \`${m.loadAfter}\`.`);
  L.push("");
  L.push("| shape | verdict, reference / vfsim.pml | states, POR off: reference | vfsim.pml | exact (h1explore) | transitions, POR off: reference | vfsim.pml | deadlock states: reference | vfsim.pml | states, POR on: reference | vfsim.pml | agree |");
  L.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  const n = (x) => (x === undefined ? "?" : `${/e\+/.test(x) ? "≈" : ""}${Number(x).toLocaleString("en-US")}`);
  for (const r of m.rows) {
    const a = r.runs["reference-nopor"], b = r.runs["vfsim-nopor"], ap = r.runs["reference-por"], bp = r.runs["vfsim-por"];
    const cut = [a, b].filter((x) => !x.exhaustive).map((x) => x.search);
    const agree = r.equal ? "**yes**" : r.complete ? "**NO**" : `not compared (${cut[0]})`;
    const porCell = (x) => (!x ? "not run" : x.exhaustive ? n(x.statesRaw) : `${n(x.statesRaw)} (${x.search})`);
    L.push(`| ${r.shape} | ${a.verdict} / ${b.verdict} | ${n(a.statesRaw)} | ${n(b.statesRaw)} | ${r.exact ? n(r.exact[0]) : "–"} | ${n(a.transitionsRaw)} | ${n(b.transitionsRaw)} | ${n(a.errors)} | ${n(b.errors)} | ${porCell(ap)} | ${porCell(bp)} | ${agree} |`);
  }
  L.push("");
  L.push(m.ok
    ? "Every shape checked agrees: equal states, transitions, deadlock states and verdicts with POR off, and the reference's counts equal its README's exact ones (≈: pan printed the count in %g form, 8 significant digits, which is compared with the exact count rounded so)."
    : "**Not every shape checked agrees** (see the last column).");
  return L.join("\n");
}

// ---------------------------------------------------------------------------------------------
// The command

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const { register } = await import("tsx/esm/api");
  register();
  const agree = process.argv.includes("--agree");
  const write = !process.argv.includes("--no-write");
  for (const a of process.argv.slice(2)) {
    if (!["--agree", "--no-por", "--no-write"].includes(a)) { console.error(`bench/spin/run.mjs: unknown argument ${a} (expected --agree [--no-por], --no-write)`); process.exit(2); }
  }
  if (process.argv.includes("--no-por") && !agree) { console.error("bench/spin/run.mjs: --no-por goes with --agree"); process.exit(2); }
  let opts;
  try {
    opts = spinOptions(process.env, { agree });
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  if (!spinVersion()) { console.error(`spin not found; install it: ${INSTALL_SPIN}`); process.exit(2); }
  const { writeBlock, log } = await import("../lib.mjs");
  if (agree) {
    const m = await agreeSpin({ ...opts, por: !process.argv.includes("--no-por") });
    const text = agreeReport(m);
    console.log(text);
    if (write && !opts.partial) writeBlock("docs/performance.md", "bench:spin-agree", text);
    else if (write) log("a subset of the shapes or orders: docs/performance.md left as it is");
    process.exit(m.ok ? 0 : 1);
  }
  const { loadModule } = await import("../../host/node/module.ts");
  const text = spinReport(await benchSpin(await loadModule(), opts));
  console.log(text);
  if (write && !opts.partial && opts.model === "vfsim") writeBlock("docs/performance.md", "bench:spin", text);
  else if (write) log("a subset of the shapes or orders, or another model: docs/performance.md left as it is");
}
