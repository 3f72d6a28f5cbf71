/**
 * The vfsim command.
 *
 *   vfsim run <seed-file> [--strategy random|pct|dfs] [--seed N] [--schedules N] [--depth D]
 *             [--preemptions K] [--table-gib N] [--workers K] [--set key=value ...] [--out DIR] [--json] [--lockdep]
 *   vfsim replay <counterexample> [--set key=value ...] [--json] [--lockdep]
 *   vfsim check <seed-file>...
 *   vfsim matrix [dir|file...] [--markdown | --json] [--lockdep]
 *   vfsim matrix --by-fs [--fs TYPE[,TYPE...]] [--json]
 *   (--lockdep adds the lockdep check, which checks "all" does not include)
 *   vfsim sweep <seed-file|dir>... [--strategy random|pct] [--seed N] [--schedules N] ...
 *   vfsim merge <results.jsonl>...      vfsim shrink <seed-file>      vfsim fuzz [...]
 *
 * Exit status: 0 nothing failed and the space was exhausted, 1 something failed (or a matrix cell
 * disagrees with its seed file), 2 bad input (a flag, a seed file; reported with the field it is
 * in), 3 a model trap, 4 inconclusive: no failure found but the space was not exhausted (a dfs
 * budget, --time or a full visited table stopped it; random and PCT runs never exhaust it).
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { EXIT } from "../core/exit";
import { runScenario, replayScenario, ReplayDivergence, EXIT_INCONCLUSIVE, type RunOptions } from "../core/run";
import { encodeScenario, expectationFor, serializeSeedFile, SeedError, variantAssignments, withLockdep, type SeedFile, type StrategyName } from "../core/seed";
import { decodeSchedule } from "../core/schedule";
import { plural, reportJson, reportText, variantLine } from "../core/report";
import { matrixJson, matrixMarkdown, matrixText, meets, runCell, type MatrixCell } from "../core/matrix";
import { ModelTrap } from "../core/wasm";
import { builtFile, loadLeanModule, loadModule, packagePath, packageRoot } from "./module";
import { runParallel } from "./pdfs";
import { checkOutDir, HelpRequested, UsageError, intFlag, workersFlag, WORKERS_MAX, WORKERS_MIN, seedFlag, readSeedFile, seedPaths, parseArgs, type CommandDef, type FlagDef, type Flags } from "./flags";
import { cmdSweep, SWEEP_COMMAND } from "./sweep";
import { cmdMerge, MERGE_COMMAND } from "./merge";
import { cmdShrink, SHRINK_COMMAND } from "./shrink_cmd";
import { cmdFuzz, FUZZ_COMMAND } from "./fuzz";
import { shrinkReport, type ShrunkFailure } from "../core/shrink";
import type { ExploreProgress } from "../core/explore";
import { byFsJson, byFsMarkdown, runByFs } from "../core/byfs";
import { FS_TYPES, type FsType } from "../core/abi";

export { UsageError };

const SET: FlagDef = { kind: "list", arg: "key=value", help: "override a seed-file field, e.g. kernel.order=current (repeats)" };
const JSON_OUT: FlagDef = { kind: "bool", help: "print one JSON object instead of text (default: text)" };

/** Each command's flags, one table each: adding a flag is one entry (the help follows). */
export const COMMANDS: Record<string, CommandDef> = {
  run: {
    args: "<seed-file>",
    summary: "Search a seed file's interleavings; a failure is shrunk and written as a counterexample. Exit 0 ok (the space was exhausted), 1 failed, 4 inconclusive (no failure, space not exhausted).",
    flags: {
      "--strategy": { kind: "value", arg: "random|pct|dfs", help: "how to search (default: the seed file's run.strategy, else dfs)" },
      "--seed": { kind: "value", arg: "N", help: "the random/PCT seed, 0 to 2^64-1 (default: run.seed, else 1)" },
      "--schedules": { kind: "value", arg: "N", help: "random/PCT schedules to run, or the dfs cap on states stored, 1 to 1e9 (default: run.schedules, else 10000 schedules; dfs: no cap short of the visited table)" },
      "--depth": { kind: "value", arg: "D", help: "PCT bug depth, 1 to 16 (default: run.depth, else 3)" },
      "--preemptions": { kind: "value", arg: "K|unbounded", help: "dfs preemption bound, 0 to 64, or unbounded (-1) (default: run.preemptions, else 2)" },
      "--table-gib": { kind: "value", arg: "N", help: "dfs visited-state table on the host, 1 to 1024 GiB (default: the table inside the wasm memory; with --workers, a shared table growing up to 4 GiB)" },
      "--workers": { kind: "value", arg: "K", help: `dfs on K worker threads sharing one visited table, ${WORKERS_MIN} to ${WORKERS_MAX}; the verdict and counterexample are the one-worker search's (default: one search in this thread)` },
      "--time": { kind: "value", arg: "S", help: "stop after S seconds, 1 to 1e7; the result is inconclusive unless a failure was found (default: no limit)" },
      "--set": SET,
      "--out": { kind: "value", arg: "DIR", help: "directory the counterexample is written to (default: failures)" },
      "--json": JSON_OUT,
      "--lockdep": { kind: "bool", help: "add the lockdep check, which checks \"all\" does not include (default: off)" },
    },
  },
  replay: {
    args: "<counterexample>",
    summary: "Replay a counterexample's recorded schedule and say whether its recorded verdict is reproduced.",
    flags: { "--set": SET, "--json": JSON_OUT,
      "--lockdep": { kind: "bool", help: "add the lockdep check, which checks \"all\" does not include (default: off)" },
    },
  },
  check: {
    args: "<seed-file>...",
    summary: "Validate seed files without running them. Exit 0 all valid, 2 any invalid.",
    flags: {},
  },
  matrix: {
    args: "[dir|file...]",
    summary: "Run every variant of each seed file and compare with its expect list (default: the built-in fixtures/scenarios). Exit 1 if a cell disagrees.",
    flags: {
      "--markdown": { kind: "bool", help: "print a Markdown table (default: plain text)" },
      "--json": { kind: "bool", help: "print the cells as JSON (default: plain text)" },
      "--by-fs": { kind: "bool", help: "the per-filesystem table of docs/findings.md, built by running the model (default: off)" },
      "--fs": { kind: "value", arg: "TYPE[,TYPE...]", help: "with --by-fs: only these filesystems (default: all)" },
      "--lockdep": { kind: "bool", help: "add the lockdep check, which checks \"all\" does not include (default: off)" },
    },
    conflicts: [["--markdown", "--json"]],
  },
};

/** `vfsim --help`. */
function usage(): string {
  const all: [string, CommandDef][] = [...Object.entries(COMMANDS), ["sweep", SWEEP_COMMAND], ["merge", MERGE_COMMAND], ["shrink", SHRINK_COMMAND], ["fuzz", FUZZ_COMMAND]];
  const w = Math.max(...all.map(([c, d]) => `${c} ${d.args}`.length));
  return [
    "usage: vfsim <command> [args] [flags]",
    "",
    "commands:",
    ...all.map(([c, d]) => `  ${`${c} ${d.args}`.padEnd(w)}  ${d.summary}`),
    "",
    "vfsim <command> --help lists a command's flags and their defaults; vfsim --version prints the version.",
    "Exit status: 0 nothing failed, 1 something failed, 2 bad input (a flag, a path, a seed file), 3 a model bug.",
  ].join("\n");
}

/** The package's version (package.json beside dist/ or host/). */
export function version(): string {
  return (JSON.parse(readFileSync(builtFile("package.json"), "utf8")) as { version: string }).version;
}

/** The flags of one of this file's commands (sweep, merge, shrink and fuzz parse their own). */
export function parseFlags(cmd: string, args: string[]): Flags {
  return parseArgs(cmd, args, COMMANDS[cmd]);
}

/** --preemptions K: a bound from 0 to 64, or -1 / "unbounded" for the whole state space. */
function preemptionsFlag(f: Flags): number | undefined {
  const v = f.values.get("--preemptions");
  if (v === "unbounded" || v === "-1") return -1;
  if (v !== undefined && (!/^\d+$/.test(v) || Number(v) > 64)) throw new UsageError(`--preemptions: expected an integer from 0 to 64, or unbounded (or -1) for the whole state space, got ${JSON.stringify(v)}`);
  return intFlag(f, "--preemptions", 0, 64);
}

type Out = (s: string) => void;

/** --lockdep: the lockdep check on too (it is not part of checks "all"). */
function lockdepFlag(f: Flags, seed: SeedFile): SeedFile { return f.bools.has("--lockdep") ? withLockdep(seed) : seed; }

async function cmdRun(args: string[], out: Out): Promise<number> {
  const f = parseFlags("run", args);
  if (f.positional.length !== 1) throw new UsageError("vfsim run: expected exactly one seed file");
  const file = f.positional[0];
  checkOutDir("--out", f.values.get("--out") ?? "failures");
  const seed = lockdepFlag(f, readSeedFile(file, (f.lists.get("--set") ?? [])));
  const strategy = (f.values.get("--strategy") ?? seed.run.strategy) as StrategyName;
  if (!["random", "pct", "dfs"].includes(strategy)) throw new UsageError(`--strategy: expected one of random, pct, dfs, got ${JSON.stringify(strategy)}`);
  const opts: RunOptions = {
    strategy,
    seed: seedFlag(f) ?? seed.run.seed,
    schedules: intFlag(f, "--schedules", 1, 1e9) ?? seed.run.schedules,
    depth: intFlag(f, "--depth", 1, 16) ?? seed.run.depth,
    preemptions: preemptionsFlag(f) ?? seed.run.preemptions,
    hostTableBytes: (intFlag(f, "--table-gib", 1, 1024) ?? 0) * 2 ** 30,
    timeSeconds: intFlag(f, "--time", 1, 1e7),
  };
  const workers = workersFlag(f);
  if (workers !== undefined && strategy !== "dfs") throw new UsageError(`--workers: only with --strategy dfs (random and PCT runs are one instance; \`vfsim sweep --workers K\` spreads schedules over threads), got --strategy ${strategy}`);
  const run = { ...seed, run: { ...seed.run, ...opts } };
  const enc = encodeScenario(run);
  const module = await loadModule();
  if (strategy !== "dfs") opts.lean = await loadLeanModule();
  const started = performance.now();
  const progress = !f.bools.has("--json") && process.stderr.isTTY
    ? (p: ExploreProgress) => {
        const s = (performance.now() - started) / 1000;
        process.stderr.write(`\r  dfs: ${p.states} states, ${p.transitions} transitions${p.maxDepth ? `, depth ${p.maxDepth}` : ""}, ${Math.round(p.states / s)} states/s, ${s.toFixed(0)} s  `);
      }
    : undefined;
  let report = workers === undefined ? runScenario(module, run, enc, opts, progress) : await runParallel(module, enc, opts, workers, progress);
  if (progress && strategy === "dfs") process.stderr.write("\r\x1b[K");
  let path: string | undefined;
  let shrunk: ShrunkFailure | undefined;
  if (report.verdict !== "ok" && report.verdict !== "inconclusive") {
    // every failure is shrunk before it is written: fewest preemptions, ticks, threads, ops
    shrunk = shrinkReport(module, run, report);
    report = shrunk.report;
    const dir = f.values.get("--out") ?? "failures";
    mkdirSync(dir, { recursive: true });
    path = join(dir, shrunk.name);
    writeFileSync(path, serializeSeedFile(shrunk.counterexample));
  }
  if (f.bools.has("--json")) out(JSON.stringify({ ...reportJson(report, path), ...(shrunk ? { shrunk: { before: shrunk.before, after: shrunk.after } } : {}) }));
  else {
    out(`vfsim run ${file}: ${run.name}`);
    out(`  ${variantLine(run)}`);
    if (shrunk) out(`  shrunk from ${plural(shrunk.before.ticks, "tick")} and ${plural(shrunk.before.preemptions, "preemption")} (${plural(shrunk.before.threads, "thread")}, ${plural(shrunk.before.ops, "op")}) to ${shrunk.after.ticks} and ${shrunk.after.preemptions} (${plural(shrunk.after.threads, "thread")}, ${plural(shrunk.after.ops, "op")})`);
    out(reportText(report, shrunk?.enc ?? enc, path));
  }
  return report.verdict === "ok" ? 0 : report.verdict === "inconclusive" ? EXIT_INCONCLUSIVE : 1;
}

/** replay's exit statuses (README): besides 2 bad input and 3 model bug. */
export const REPLAY_EXIT = { clean: EXIT.ok, reproduced: EXIT.failure, notReproduced: EXIT.notReproduced, diverged: EXIT.diverged } as const;

async function cmdReplay(args: string[], out: Out): Promise<number> {
  const f = parseFlags("replay", args);
  if (f.positional.length !== 1) throw new UsageError("vfsim replay: expected exactly one counterexample file");
  const file = f.positional[0];
  const json = f.bools.has("--json");
  const seed = lockdepFlag(f, readSeedFile(file, (f.lists.get("--set") ?? [])));
  if (!seed.schedule) throw new UsageError(`${file}: schedule: missing; a counterexample records the schedule to replay`);
  const enc = encodeScenario(seed);
  const choices = decodeSchedule(seed.schedule, enc.threads.length);
  const module = await loadModule();
  const expected = expectationFor(seed);
  const recorded = expected ? { verdict: expected.verdict, ...(expected.invariant ? { invariant: expected.invariant } : {}), ...(expected.cycle ? { cycle: expected.cycle } : {}) } : undefined;
  const what = (e: { verdict: string; invariant?: string; cycle?: string[] }) => `${e.verdict}${e.invariant ? " " + e.invariant : ""}${e.cycle ? ` (cycle ${e.cycle.join(" -> ")})` : ""}`;
  let report;
  try {
    report = replayScenario(module, enc, choices, seed.run);
  } catch (e) {
    if (e instanceof ReplayDivergence) {
      if (json) out(JSON.stringify({ file, outcome: "diverged", reproduced: false, message: e.message, ...(recorded ? { recorded } : {}) }));
      else out(`vfsim replay ${file}: the recorded schedule diverged from the model: ${e.message}\nnot reproduced: the schedule does not fit this model (exit ${REPLAY_EXIT.diverged})`);
      return REPLAY_EXIT.diverged;
    }
    throw e;
  }
  // the run ended before the schedule did: the rest was never used, so it does not fit. A
  // failure knows its ticks; for a clean end, the schedule without its last choice still ends.
  let used = report.verdict !== "ok" ? report.ticks : undefined;
  if (used === undefined && choices.length > 0) {
    try {
      replayScenario(module, enc, choices.subarray(0, choices.length - 1), seed.run);
      used = choices.length - 1; // at most: the last choice was not needed
    } catch (e) {
      if (!(e instanceof ReplayDivergence)) throw e;
    }
  }
  if (used !== undefined && choices.length > used) {
    const message = report.verdict !== "ok"
      ? `the recorded schedule has ${plural(choices.length, "choice")} but the run ended (${report.verdict}) after ${plural(used, "tick")}; the schedule is longer than the run`
      : `the recorded schedule has ${plural(choices.length, "choice")} but the run ended (ok) before its last; the schedule is longer than the run`;
    if (json) out(JSON.stringify({ file, outcome: "diverged", reproduced: false, message, ...(recorded ? { recorded } : {}) }));
    else out(`vfsim replay ${file}: ${message}\nnot reproduced: the schedule does not fit this model (exit ${REPLAY_EXIT.diverged})`);
    return REPLAY_EXIT.diverged;
  }
  report.strategy = seed.run.strategy;
  report.schedules = 1;
  report.replayed = true;
  const matches = meets(report, expected);
  // which part of the recorded outcome differs, when one does
  const got = { verdict: report.verdict, ...(report.invariant ? { invariant: report.invariant } : {}), ...(report.cycle ? { cycle: report.cycle.map((c) => c.task) } : {}) };
  const differs = !expected || matches ? undefined
    : report.verdict !== expected.verdict ? "verdict" : expected.invariant && report.invariant !== expected.invariant ? "invariant" : "cycle";
  const outcome = expected && !matches ? "not-reproduced" : report.verdict === "ok" ? "clean" : expected ? "reproduced" : "failed";
  const code = outcome === "not-reproduced" ? REPLAY_EXIT.notReproduced : outcome === "clean" ? REPLAY_EXIT.clean : REPLAY_EXIT.reproduced;
  if (json) out(JSON.stringify({ ...reportJson(report), file, outcome, reproduced: outcome === "reproduced", ...(recorded ? { recorded } : {}), ...(differs ? { differs } : {}) }));
  else {
    out(`vfsim replay ${file}: ${seed.name}`);
    out(`  ${variantLine(seed)}`);
    out(reportText(report, enc));
    if (outcome === "reproduced") out(`\nreproduced: the recorded ${what(recorded!)} (exit ${code})`);
    else if (differs === "cycle") out(`\nnot reproduced: the verdict ${what({ verdict: got.verdict, invariant: got.invariant })} matches the recorded one, but the waits-for cycle differs: recorded ${expected!.cycle!.join(" -> ")}, replayed ${(got.cycle ?? []).join(" -> ") || "(none)"} (exit ${code})`);
    else if (differs) out(`\nnot reproduced: the recorded verdict was ${what(recorded!)}; the replay gave ${what(got)} (exit ${code})`);
  }
  return code;
}

function cmdCheck(args: string[], out: Out): number {
  const f = parseFlags("check", args);
  if (f.positional.length === 0) throw new UsageError("vfsim check: expected at least one seed file");
  let bad = 0;
  for (const file of f.positional) {
    try {
      readSeedFile(file);
      out(`ok      ${file}`);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      bad++;
      out(`invalid ${e.message}`);
    }
  }
  return bad ? 2 : 0;
}

/** `vfsim matrix --by-fs`: every filesystem x priming call x lock order (x series) through the
 *  (a) and (a') shapes, owner-only and lockdep, as one Markdown table (host/core/byfs.ts). */
async function cmdMatrixByFs(f: Flags, out: Out): Promise<number> {
  if (f.positional.length) throw new UsageError(`vfsim matrix --by-fs: takes no seed files (the shapes are built in); got ${JSON.stringify(f.positional[0])}`);
  if (f.bools.has("--markdown")) throw new UsageError("vfsim matrix --by-fs: --markdown is its only text form; drop --markdown (or use --json)");
  let only: FsType[] | undefined;
  const fsFlag = f.values.get("--fs");
  if (fsFlag !== undefined) {
    only = [];
    for (const t of fsFlag.split(",")) {
      if (!(FS_TYPES as readonly string[]).includes(t)) throw new UsageError(`--fs: unknown filesystem ${JSON.stringify(t)}; expected one of ${FS_TYPES.join(", ")}`);
      only.push(t as FsType);
    }
  }
  const module = await loadModule();
  const rows = runByFs(module, { fs: only });
  out(f.bools.has("--json") ? JSON.stringify(byFsJson(rows), null, 1) : byFsMarkdown(rows));
  return 0;
}

async function cmdMatrix(args: string[], out: Out, err: Out): Promise<number> {
  const f = parseFlags("matrix", args);
  if (f.bools.has("--by-fs")) return cmdMatrixByFs(f, out);
  if (f.values.has("--fs")) throw new UsageError("--fs: only with --by-fs");
  // the built-in scenarios come from the package, shown relative to it, from any directory
  const builtin = f.positional.length === 0;
  const files = seedPaths(builtin ? [packagePath("fixtures/scenarios")] : f.positional);
  const shown = (file: string) => relative(builtin ? packageRoot() : ".", file);
  const module = await loadModule();
  const lean = await loadLeanModule();
  const cells: MatrixCell[] = [];
  let badInput = 0;
  for (const file of files) {
    let seed: SeedFile;
    try { seed = lockdepFlag(f, readSeedFile(file)); } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      err(`vfsim matrix: skipped ${e.message}`);
      badInput++;
      continue;
    }
    for (const v of variantAssignments(seed)) cells.push(runCell(module, shown(file), seed, v, true, lean));
  }
  if (f.bools.has("--json")) out(JSON.stringify(matrixJson(cells), null, 1));
  else if (f.bools.has("--markdown")) out(matrixMarkdown(cells));
  else out(matrixText(cells));
  const mismatches = cells.filter((c) => !c.matches).length;
  const inconclusive = cells.filter((c) => c.report.verdict === "inconclusive").length;
  if (!f.bools.has("--json")) out(`\n${plural(cells.length, "cell")}, ${mismatches} ${mismatches === 1 ? "disagrees with its seed file" : "disagree with their seed files"}${inconclusive ? `, ${inconclusive} inconclusive (the budget did not exhaust the space)` : ""}`);
  if (badInput) return 2;
  return mismatches ? 1 : 0;
}

export async function main(argv: string[], out: Out = (s) => console.log(s), err: Out = (s) => console.error(s)): Promise<number> {
  const [cmd, ...args] = argv;
  try {
    switch (cmd) {
      case "run": return await cmdRun(args, out);
      case "replay": return await cmdReplay(args, out);
      case "check": return cmdCheck(args, out);
      case "matrix": return await cmdMatrix(args, out, err);
      case "sweep": return await cmdSweep(args, out, err);
      case "merge": return await cmdMerge(args, out, err);
      case "shrink": return await cmdShrink(args, out, err);
      case "fuzz": return await cmdFuzz(args, out, err);
      case undefined:
        err(usage());
        return 2;
      case "help":
        if (args[0] !== undefined) return await main([args[0], "--help"], out, err);
        out(usage());
        return 0;
      case "--help":
      case "-h":
        out(usage());
        return 0;
      case "--version":
      case "-V":
        out(`vfsim ${version()}`);
        return 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(cmd)}; expected one of run, replay, check, matrix, sweep, merge, shrink, fuzz (vfsim --help)`);
    }
  } catch (e) {
    if (e instanceof HelpRequested) { out(e.text); return 0; }
    if (e instanceof UsageError) { err(`vfsim: ${e.message}`); return 2; }
    if (e instanceof SeedError) { err(`vfsim: ${e.message}`); return 2; }
    if (e instanceof ModelTrap) { err(`vfsim: model bug (please report it with the seed file): ${e.message}`); return 3; }
    throw e;
  }
}
