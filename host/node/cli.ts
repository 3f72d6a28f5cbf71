/**
 * The vfsim command.
 *
 *   vfsim run <seed-file> [--strategy random|pct|dfs] [--seed N] [--schedules N] [--depth D]
 *             [--preemptions K] [--table-gib N] [--set key=value ...] [--out DIR] [--json] [--lockdep]
 *   vfsim replay <counterexample> [--set key=value ...] [--json] [--lockdep]
 *   vfsim check <seed-file>...
 *   vfsim matrix [dir|file...] [--markdown | --json] [--lockdep]
 *   vfsim matrix --by-fs [--fs TYPE[,TYPE...]] [--json]
 *   (--lockdep adds the lockdep check, which checks "all" does not include)
 *   vfsim sweep <seed-file|dir>... [--strategy random|pct] [--seed N] [--schedules N] ...
 *   vfsim merge <results.jsonl>...      vfsim shrink <seed-file>      vfsim fuzz [...]
 *
 * Exit status: 0 nothing failed, 1 something failed (or a matrix cell disagrees with its seed
 * file), 2 bad input (a flag, a seed file); bad input is reported with the field it is in.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { runScenario, replayScenario, ReplayDivergence, type RunOptions, type Strategy } from "../core/run";
import { encodeScenario, serializeSeedFile, SeedError, type SeedFile } from "../core/scenario";
import { decodeSchedule } from "../core/schedule";
import { reportJson, reportText, variantLine } from "../core/report";
import { matrixJson, matrixMarkdown, matrixText, meets, runCell, type MatrixCell } from "../core/matrix";
import { variantAssignments, expectationFor, withLockdep } from "../core/scenario";
import { ModelTrap } from "../core/wasm";
import { loadLeanModule, loadModule } from "./module";
import { UsageError, intFlag, seedFlag, readSeedFile, seedPaths, parseArgs, type FlagSpec, type Flags } from "./flags";
import { cmdSweep } from "./sweep";
import { cmdMerge } from "./merge";
import { cmdShrink } from "./shrink_cmd";
import { cmdFuzz } from "./fuzz";
import { shrinkReport, type ShrunkFailure } from "../core/shrink";
import type { ExploreProgress } from "../core/explore";
import { byFsJson, byFsMarkdown, runByFs } from "../core/byfs";
import { FS_TYPES, type FsType } from "../core/abi";

export { UsageError };

const USAGE = `usage:
  vfsim run <seed-file> [--strategy random|pct|dfs] [--seed N] [--schedules N] [--depth D]
            [--preemptions K|unbounded] [--table-gib N] [--set key=value ...] [--out DIR] [--json] [--lockdep]
  vfsim replay <counterexample> [--set key=value ...] [--json] [--lockdep]
  vfsim check <seed-file>...
  vfsim matrix [dir|file...] [--markdown | --json] [--lockdep]
  vfsim matrix --by-fs [--fs TYPE[,TYPE...]] [--json]
  vfsim sweep <seed-file|dir>... [--strategy random|pct] [--seed N] [--schedules N] [--depth D]
            [--workers K] [--shard i/n | --shards n] [--set key=value ...] [--out results.jsonl]
            [--resume] [--json]
  vfsim merge <results.jsonl>... [--json]
  vfsim shrink <seed-file> [--out FILE] [--set key=value ...] [--json]
  vfsim fuzz [--corpus DIR ...] [--out DIR] [--time S | --execs N] [--seed N] [--workers K]
            [--schedules N] [--allow axis=v1,v2 ...] [--plant X[,Y]] [--json]`;

const SPECS: Record<string, FlagSpec> = {
  run: { values: ["--strategy", "--seed", "--schedules", "--depth", "--preemptions", "--table-gib", "--out"], lists: ["--set"], bools: ["--json", "--lockdep"] },
  replay: { values: [], lists: ["--set"], bools: ["--json", "--lockdep"] },
  check: { values: [], bools: [] },
  matrix: { values: ["--fs"], bools: ["--markdown", "--json", "--by-fs", "--lockdep"] },
};

/** The flags of one of this file's commands (sweep, merge, shrink and fuzz parse their own). */
export function parseFlags(cmd: string, args: string[]): Flags {
  return parseArgs(cmd, args, SPECS[cmd]);
}

/** --preemptions K: a bound from 0 to 64, or -1 / "unbounded" for the whole state space. */
function preemptionsFlag(f: Flags): number | undefined {
  const v = f.values.get("--preemptions");
  if (v === "unbounded" || v === "-1") return -1;
  return intFlag(f, "--preemptions", 0, 64);
}

type Out = (s: string) => void;

/** --lockdep: the lockdep check on too (it is not part of checks "all"). */
function lockdepFlag(f: Flags, seed: SeedFile): SeedFile { return f.bools.has("--lockdep") ? withLockdep(seed) : seed; }

async function cmdRun(args: string[], out: Out): Promise<number> {
  const f = parseFlags("run", args);
  if (f.positional.length !== 1) throw new UsageError("vfsim run: expected exactly one seed file");
  const file = f.positional[0];
  const seed = lockdepFlag(f, readSeedFile(file, (f.lists.get("--set") ?? [])));
  const strategy = (f.values.get("--strategy") ?? seed.run.strategy) as Strategy;
  if (!["random", "pct", "dfs"].includes(strategy)) throw new UsageError(`--strategy: expected one of random, pct, dfs, got ${JSON.stringify(strategy)}`);
  const opts: RunOptions = {
    strategy,
    seed: seedFlag(f) ?? seed.run.seed,
    schedules: intFlag(f, "--schedules", 1, 1e9) ?? seed.run.schedules,
    depth: intFlag(f, "--depth", 1, 16) ?? seed.run.depth,
    preemptions: preemptionsFlag(f) ?? seed.run.preemptions,
    hostTableBytes: (intFlag(f, "--table-gib", 1, 1024) ?? 0) * 2 ** 30,
  };
  const run = { ...seed, run: { ...seed.run, ...opts } };
  const enc = encodeScenario(run);
  const module = await loadModule();
  if (strategy !== "dfs") opts.lean = await loadLeanModule();
  const started = performance.now();
  const progress = !f.bools.has("--json") && process.stderr.isTTY
    ? (p: ExploreProgress) => {
        const s = (performance.now() - started) / 1000;
        process.stderr.write(`\r  dfs: ${p.states} states, ${p.transitions} transitions, depth ${p.maxDepth}, ${Math.round(p.states / s)} states/s, ${s.toFixed(0)} s  `);
      }
    : undefined;
  let report = runScenario(module, run, enc, opts, progress);
  if (progress && strategy === "dfs") process.stderr.write("\r\x1b[K");
  let path: string | undefined;
  let shrunk: ShrunkFailure | undefined;
  if (report.verdict !== "ok") {
    // every failure is shrunk before it is written: fewest ticks, preemptions, threads, ops
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
    if (shrunk) out(`  shrunk from ${shrunk.before.ticks} ticks and ${shrunk.before.preemptions} preemptions (${shrunk.before.threads} threads, ${shrunk.before.ops} ops) to ${shrunk.after.ticks} and ${shrunk.after.preemptions} (${shrunk.after.threads} threads, ${shrunk.after.ops} ops)`);
    out(reportText(report, shrunk?.enc ?? enc, path));
  }
  return report.verdict === "ok" ? 0 : 1;
}

async function cmdReplay(args: string[], out: Out): Promise<number> {
  const f = parseFlags("replay", args);
  if (f.positional.length !== 1) throw new UsageError("vfsim replay: expected exactly one counterexample file");
  const file = f.positional[0];
  const seed = lockdepFlag(f, readSeedFile(file, (f.lists.get("--set") ?? [])));
  if (!seed.schedule) throw new UsageError(`${file}: schedule: missing; a counterexample records the schedule to replay`);
  const enc = encodeScenario(seed);
  const choices = decodeSchedule(seed.schedule, enc.threads.length);
  const module = await loadModule();
  let report;
  try {
    report = replayScenario(module, enc, choices, seed.run.seed);
  } catch (e) {
    if (e instanceof ReplayDivergence) {
      out(`vfsim replay ${file}: the recorded schedule diverged from the model: ${e.message}`);
      return 1;
    }
    throw e;
  }
  report.strategy = seed.run.strategy;
  report.schedules = 1;
  const expected = expectationFor(seed);
  const matches = meets(report, expected);
  if (f.bools.has("--json")) out(JSON.stringify({ ...reportJson(report), file, reproduced: matches }));
  else {
    out(`vfsim replay ${file}: ${seed.name}`);
    out(`  ${variantLine(seed)}`);
    out(reportText(report, enc));
    if (expected && !matches) out(`\nthe recorded verdict was ${expected.verdict}${expected.invariant ? " " + expected.invariant : ""}: the model no longer reproduces it`);
  }
  if (expected && !matches) return 1;
  return report.verdict === "ok" ? 0 : 1;
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
  const files = seedPaths(f.positional.length ? f.positional : ["fixtures/scenarios"]);
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
    for (const v of variantAssignments(seed)) cells.push(runCell(module, relative(".", file), seed, v, true, lean));
  }
  if (f.bools.has("--json")) out(JSON.stringify(matrixJson(cells), null, 1));
  else if (f.bools.has("--markdown")) out(matrixMarkdown(cells));
  else out(matrixText(cells));
  const mismatches = cells.filter((c) => !c.matches).length;
  if (!f.bools.has("--json")) out(`\n${cells.length} cells, ${mismatches} disagree with their seed files`);
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
      case "help":
      case "--help":
        out(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(cmd)}; expected one of run, replay, check, matrix, sweep, merge, shrink, fuzz`);
    }
  } catch (e) {
    if (e instanceof UsageError) { err(`vfsim: ${e.message}`); return 2; }
    if (e instanceof SeedError) { err(`vfsim: ${e.message}`); return 2; }
    if (e instanceof ModelTrap) { err(`vfsim: model bug (please report it with the seed file): ${e.message}`); return 3; }
    throw e;
  }
}
