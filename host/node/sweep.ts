/**
 *   vfsim sweep <seed-file|dir>... [--strategy random|pct] [--seed N] [--schedules N] [--depth D]
 *               [--workers K] [--shard i/n | --shards n] [--set key=value ...]
 *               [--out results.jsonl] [--resume] [--json]
 *
 * Many random or PCT schedules of many scenarios on every core. The unit of work is a target:
 * one seed file under one of its variants (variantAssignments). Each target runs schedules
 * 0 .. N-1, and schedule i gets the seed the model derives from (run seed, i), so it is the very
 * schedule `vfsim run --strategy <s> --seed <seed>` runs as its i-th. Targets are numbered in
 * order (files as given, a directory's files by name, variants in their seed-file order); each
 * target's schedule indices are cut into chunks (results.ts CHUNK), numbered round-robin over
 * the targets (results.ts chunkRange); shard i of n takes the chunks c with c % n == i. Results
 * therefore do not depend on the number of workers, the shard split or the order in which
 * chunks complete.
 *
 * Per chunk, every failing schedule is counted by kind (verdict, and invariant for a violation)
 * and the choices of the first of each kind are kept; once the chunks are done, the first of each
 * kind of each target is shrunk, once, and written as a counterexample into failures/ beside the
 * results file. The JSONL results stream as chunks complete; `--resume` keeps every completed
 * chunk and runs the rest. Details of the format: results.ts and docs/scale.md.
 */

import { createHash } from "node:crypto";
import { EXIT } from "../core/exit";
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative } from "node:path";
import { expectationFor, serializeSeedFile, variantAssignments, variantOf } from "../core/seed";
import { counterexampleName, plural } from "../core/report";
import { decodeSchedule } from "../core/schedule";
import { shrink, shrunkCounterexample, type ShrinkOptions } from "../core/shrink";
import { UsageError, enumFlag, guarded, intFlag, parseArgs, readSeedFile, seedFlag, seedPaths, workersFlag, checkOutFile, WORKERS_MAX, WORKERS_MIN, type CommandDef } from "./flags";
import { loadLeanModule, loadModule } from "./module";
import { runPool, type Faults, type Piece, type PieceResult, type WorkerTarget } from "./pool";
import {
  CHUNK, chunkRange, exitCode, readResults, relocated, relocatedShrunk, ResultsError, shrunkKey, shardChunks, summarize, summaryJson, summaryText,
  type ChunkLine, type ChunkRecord, type CrashLine, type FailureLine, type HeaderLine, type Line, type ShrunkLine, type Summary, type TargetInfo, type Timing, type TimingLine, type TrapLine,
} from "./results";

type Out = (s: string) => void;

export interface SweepOptions {
  files: string[];
  sets: string[];
  strategy: "random" | "pct";
  /** the run seed of every target; absent: each seed file's run.seed */
  seed?: bigint;
  /** schedules per target */
  schedules: number;
  /** PCT depth; absent: each seed file's run.depth */
  depth?: number;
  workers: number;
  shard: { index: number; count: number };
  out?: string;
  resume: boolean;
  json: boolean;
  /** schedules per chunk (default CHUNK; part of the sweep's identity) */
  chunk?: number;
  /** test hooks */
  faults?: Faults;
  shrink?: Partial<ShrinkOptions>;
  /** progress bar sink (a terminal); absent: no bar */
  bar?: (line: string) => void;
}

export const SCHEDULES_DEFAULT = 100_000;
/** Worker deaths tolerated in one chunk before the rest of it is given up. */
const DEATHS_MAX = 3;
/** Seconds between progress lines in the results file. */
const PROGRESS_SECONDS = 5;

// ---------------------------------------------------------------------------------------------
// The command line

export const SWEEP_COMMAND: CommandDef = {
  args: "<seed-file|dir>...",
  summary: "Many random/PCT schedules of many seed files on every core, sharded, resumable, JSONL results. Exit 1 if anything failed.",
  flags: {
    "--strategy": { kind: "value", arg: "random|pct", help: "how to pick schedules (default: random)" },
    "--seed": { kind: "value", arg: "N", help: "run seed, 0 to 2^64-1 (default: each seed file's run.seed)" },
    "--schedules": { kind: "value", arg: "N", help: `schedules per target, 1 to 1e9 (default: ${SCHEDULES_DEFAULT})` },
    "--depth": { kind: "value", arg: "D", help: "PCT bug depth, 1 to 16 (default: each seed file's run.depth)" },
    "--workers": { kind: "value", arg: "K", help: `worker threads, ${WORKERS_MIN} to ${WORKERS_MAX} (default: the available cores, at most ${WORKERS_MAX})` },
    "--shard": { kind: "value", arg: "i/n", help: "run shard i of n (default: from JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID, else the whole sweep)" },
    "--shards": { kind: "value", arg: "n", help: "number of shards when the index comes from the batch engine's environment" },
    "--set": { kind: "list", arg: "key=value", help: "override a seed-file field in every file (repeats)" },
    "--out": { kind: "value", arg: "FILE", help: "the JSONL results file; counterexamples go to failures/ beside it (default: none, counterexamples to failures/)" },
    "--resume": { kind: "bool", help: "keep the completed chunks of --out and run the rest (default: off)" },
    "--json": { kind: "bool", help: "print the summary as one JSON object (default: text)" },
  },
  conflicts: [["--shard", "--shards"]],
};

export async function cmdSweep(args: string[], out: Out, err: Out): Promise<number> {
  return guarded(err, async () => {
    const opts = sweepOptions(args, process.env);
    if (!opts.json && process.stderr.isTTY) opts.bar = (line) => process.stderr.write(line);
    const interrupted = () => {
      // every completed chunk is already in the results file (one append each); say how to go on
      const again = ["vfsim", "sweep", ...args, ...(args.includes("--resume") ? [] : ["--resume"])].join(" ");
      process.stderr.write(opts.out
        ? `\nvfsim sweep: interrupted; the chunks done so far are saved in ${opts.out}. Continue with:\n  ${again}\n`
        : "\nvfsim sweep: interrupted; nothing was saved (no --out). Run with --out FILE to make a sweep resumable.\n");
      process.exit(EXIT.interrupted);
    };
    process.once("SIGINT", interrupted);
    process.once("SIGTERM", interrupted);
    const r = await sweep(opts, err).finally(() => {
      process.off("SIGINT", interrupted);
      process.off("SIGTERM", interrupted);
    });
    out(opts.json ? JSON.stringify(summaryJson(r.summary, r.timing)) : r.text);
    return r.code;
  });
}

export function sweepOptions(args: string[], env: Record<string, string | undefined>): SweepOptions {
  const f = parseArgs("sweep", args, SWEEP_COMMAND);
  if (f.positional.length === 0) throw new UsageError("vfsim sweep: expected at least one seed file or directory");
  const out = f.values.get("--out");
  const resume = f.bools.has("--resume");
  if (resume && !out) throw new UsageError("--resume: needs --out, the results file to continue");
  if (out !== undefined) checkOutFile("--out", out);
  return {
    files: seedPaths(f.positional),
    sets: f.lists.get("--set") ?? [],
    strategy: enumFlag(f, "--strategy", ["random", "pct"] as const) ?? "random",
    seed: seedFlag(f),
    schedules: intFlag(f, "--schedules", 1, 1_000_000_000) ?? SCHEDULES_DEFAULT,
    depth: intFlag(f, "--depth", 1, 16),
    workers: workersFlag(f) ?? Math.min(availableParallelism(), WORKERS_MAX),
    shard: shardOf(f.values.get("--shard"), f.values.get("--shards"), env),
    out,
    resume,
    json: f.bools.has("--json"),
  };
}

/** `--shard i/n`; else the index of a batch engine (Kubernetes Indexed Job, Slurm array) with
 *  the count from `--shards n` or Slurm; else the whole sweep. */
export function shardOf(flag: string | undefined, shards: string | undefined, env: Record<string, string | undefined>): { index: number; count: number } {
  if (flag !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flag);
    if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2]) || Number(m[2]) > 1_000_000) {
      throw new UsageError(`--shard: expected i/n with 0 <= i < n <= 1000000, got ${JSON.stringify(flag)}`);
    }
    if (shards !== undefined) throw new UsageError("--shards: not with --shard i/n, which already gives the count");
    return { index: Number(m[1]), count: Number(m[2]) };
  }
  if (shards !== undefined && (!/^\d+$/.test(shards) || Number(shards) < 1 || Number(shards) > 1_000_000)) {
    throw new UsageError(`--shards: expected an integer from 1 to 1000000, got ${JSON.stringify(shards)}`);
  }
  const count = shards ?? env.SLURM_ARRAY_TASK_COUNT;
  const source = env.JOB_COMPLETION_INDEX !== undefined ? "JOB_COMPLETION_INDEX" : env.SLURM_ARRAY_TASK_ID !== undefined ? "SLURM_ARRAY_TASK_ID" : undefined;
  if (source === undefined) {
    if (shards !== undefined) throw new UsageError("--shards: the shard index comes from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, and neither is set; use --shard i/n");
    return { index: 0, count: 1 };
  }
  const raw = env[source]!;
  const index = Number(raw) - (source === "SLURM_ARRAY_TASK_ID" ? Number(env.SLURM_ARRAY_TASK_MIN ?? 0) : 0);
  if (count === undefined) throw new UsageError(`--shards: ${source} is set (${raw}) but the number of shards is not; pass --shards n`);
  if (!/^\d+$/.test(count) || Number(count) < 1) throw new UsageError(`--shards: expected an integer from 1 to 1000000, got ${JSON.stringify(count)}`);
  if (!/^\d+$/.test(raw) || !(index >= 0 && index < Number(count))) throw new UsageError(`${source}: expected a shard index from 0 to ${Number(count) - 1}, got ${JSON.stringify(raw)}`);
  return { index, count: Number(count) };
}

// ---------------------------------------------------------------------------------------------
// The plan: targets, chunks, the header

interface Plan {
  header: HeaderLine;
  targets: WorkerTarget[];
  /** chunk ids of this shard */
  chunks: number[];
}

function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export function planSweep(o: SweepOptions): Plan {
  const targets: WorkerTarget[] = [];
  const infos: TargetInfo[] = [];
  const chunk = o.chunk ?? CHUNK;
  const perTarget = Math.ceil(o.schedules / chunk);
  for (const file of o.files) {
    const seed = readSeedFile(file, o.sets);
    for (const variant of variantAssignments(seed)) {
      const v = variantOf(seed, variant);
      const runSeed = o.seed ?? v.run.seed;
      const depth = o.depth ?? v.run.depth;
      targets.push({ seed: v, runSeed, depth });
      infos.push({
        file: relative(".", file), scenario: v.name, variant, seed: runSeed.toString(), depth,
        hash: sha(serializeSeedFile(v)), chunks: perTarget,
      });
      const e = expectationFor(v);
      if (e) infos[infos.length - 1].expect = { verdict: e.verdict, ...(e.invariant ? { invariant: e.invariant } : {}), ...(e.cycle ? { cycle: e.cycle } : {}) };
    }
  }
  const key = sha(JSON.stringify({ strategy: o.strategy, schedules: o.schedules, chunk, targets: infos.map(({ file, scenario, ...rest }) => rest) }));
  const header: HeaderLine = { type: "sweep", vfsim: 1, key, strategy: o.strategy, schedules: o.schedules, chunk, shard: o.shard, targets: infos };
  return { header, targets, chunks: shardChunks(header, o.shard.index, o.shard.count) };
}

// ---------------------------------------------------------------------------------------------
// The results file

class Results {
  readonly records = new Map<number, ChunkRecord>();
  readonly shrunk = new Map<string, ShrunkLine>();
  /** where counterexample files go, and the directory failure lines are relative to */
  readonly base: string;
  readonly failures: string;

  constructor(private file: string | undefined) {
    this.base = file ? dirname(file) : ".";
    this.failures = join(this.base, "failures");
  }

  /** Start the file, or continue it (--resume): keep its completed chunks, drop an interrupted
   *  last write, refuse a file of a different sweep. */
  open(header: HeaderLine, resume: boolean): void {
    if (!this.file) return;
    if (existsSync(this.file) && !resume) throw new UsageError(`--out: ${this.file} exists; pass --resume to continue that sweep, or remove it`);
    if (existsSync(this.file)) {
      const old = this.read(this.file);
      if (old.header.key !== header.key) throw new UsageError(`--resume: ${this.file} holds a different sweep (key ${old.header.key}; this one is ${header.key}): other files, variants, strategy, seed or schedules`);
      if (old.header.shard.index !== header.shard.index || old.header.shard.count !== header.shard.count) {
        throw new UsageError(`--resume: ${this.file} holds shard ${old.header.shard.index}/${old.header.shard.count}, not ${header.shard.index}/${header.shard.count}`);
      }
      // a chunk whose worker died is run again: deaths may not repeat
      for (const [id, r] of old.records) if (r.crashes.length === 0) this.records.set(id, r);
      for (const [k, x] of old.shrunk) this.shrunk.set(k, x);
    } else {
      mkdirSync(this.base, { recursive: true });
      writeFileSync(this.file, "");
    }
    this.append([header]);
  }

  private read(file: string) {
    const text = readFileSync(file, "utf8");
    try {
      const r = readResults(text, file);
      if (r.validBytes < Buffer.byteLength(text)) truncateSync(file, r.validBytes);
      return r;
    } catch (e) {
      if (e instanceof ResultsError) throw new UsageError(`--resume: ${e.message}`);
      throw e;
    }
  }

  /** One write per chunk: its detail lines, then the chunk line that marks it done. */
  append(lines: Line[]): void {
    if (this.file) appendFileSync(this.file, lines.map((l) => JSON.stringify(l) + "\n").join(""));
  }

  /** Writes the counterexample and returns its path relative to the results file. The name
   *  hashes the content, so an existing file is the same one; shards that share the directory
   *  may race to write it, hence the rename into place. */
  counterexample(name: string, text: string): string {
    const path = join(this.failures, name);
    if (!existsSync(path)) {
      mkdirSync(this.failures, { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    }
    return relative(this.base, path);
  }
}

/** The first failure of a kind of a target, shrunk into a counterexample in the results' failures/
 *  directory. If shrinking breaks, the failure is still reported, with the schedule as found. */
function shrinkExample(module: WebAssembly.Module, t: WorkerTarget, f: FailureLine, o: SweepOptions, results: Results): ShrunkLine {
  const base: ShrunkLine = { type: "shrunk", target: f.target, schedule: f.schedule, verdict: f.verdict, ...(f.invariant ? { invariant: f.invariant } : {}) };
  try {
    const r = shrink(module, t.seed, decodeSchedule(f.choices!, t.seed.threads.length), o.shrink ?? {});
    const { seed, report } = shrunkCounterexample(module, r, { strategy: o.strategy, seed: t.runSeed, schedules: f.schedule + 1 });
    const file = results.counterexample(counterexampleName(r.seed, report), serializeSeedFile(seed));
    return { ...base, ...(report.cycle ? { cycle: report.cycle.map((e) => e.task) } : {}), after: r.after, file };
  } catch (e) {
    return { ...base, shrinkError: (e as Error).message };
  }
}

// ---------------------------------------------------------------------------------------------
// Chunks in flight: pieces back into chunks

/** A chunk being run, maybe as several pieces after worker deaths. */
class ChunkRun {
  pending = 1;
  deaths = 0;
  parts: PieceResult[] = [];
  crashes: CrashLine[] = [];
  skipped = 0;

  constructor(readonly id: number, readonly target: number, readonly from: number, readonly count: number) {}

  /** What to run after a worker died on `piece` at schedule `at`. First the piece again, one
   *  schedule per call, so the next death names its schedule; then around that schedule. */
  died(piece: Piece, at: number, message: string): Piece[] {
    this.deaths++;
    const end = piece.from + piece.count;
    if (this.deaths > DEATHS_MAX) {
      this.crash(-1, piece.count, `${message}; gave up on schedules ${piece.from}..${end - 1} after ${DEATHS_MAX} deaths in this chunk`);
      return [];
    }
    if (!piece.careful) return [{ ...piece, careful: true }];
    const pieces: Piece[] = [];
    if (at > piece.from) pieces.push({ ...piece, count: at - piece.from, careful: false });
    if (at + 1 < end) pieces.push({ ...piece, from: at + 1, count: end - at - 1, careful: true });
    this.crash(at, 1, message);
    this.pending += pieces.length;
    return pieces;
  }

  private crash(schedule: number, skipped: number, message: string): void {
    this.crashes.push({ type: "crash", chunk: this.id, target: this.target, schedule, skipped, message });
    this.skipped += skipped;
    this.pending--;
  }

  /** The chunk's lines once every piece is in: kinds merged, the first failure of each kind. */
  lines(): { chunk: ChunkLine; details: Line[] } {
    const kinds = new Map<string, ChunkLine["kinds"][number]>();
    const first = new Map<string, FailureLine>();
    const details: Line[] = [];
    let ticks = 0;
    for (const p of this.parts) {
      ticks += p.ticks;
      for (const k of p.kinds) {
        const key = `${k.verdict}/${k.invariant ?? ""}`;
        const known = kinds.get(key);
        if (!known) kinds.set(key, { ...k });
        else { known.count += k.count; known.first = Math.min(known.first, k.first); }
      }
      for (const f of p.found) {
        const key = `${f.verdict}/${f.invariant ?? ""}`;
        const line: FailureLine = { type: "failure", chunk: this.id, target: this.target, ...f };
        if (!first.has(key) || first.get(key)!.schedule > f.schedule) first.set(key, line);
      }
      for (const t of p.traps) details.push({ type: "trap", chunk: this.id, target: this.target, ...t });
    }
    details.push(...[...first.values()].sort((a, b) => a.schedule - b.schedule), ...this.crashes);
    const chunk: ChunkLine = {
      type: "chunk", id: this.id, target: this.target, from: this.from, count: this.count,
      schedules: this.count - this.skipped, ticks, kinds: [...kinds.values()].sort((a, b) => a.first - b.first),
    };
    return { chunk, details };
  }
}

// ---------------------------------------------------------------------------------------------
// The sweep

export interface SweepResult {
  summary: Summary;
  timing: Timing;
  text: string;
  code: number;
}

export async function sweep(o: SweepOptions, err: Out = () => {}): Promise<SweepResult> {
  const plan = planSweep(o);
  const results = new Results(o.out);
  results.open(plan.header, o.resume);
  const todo = plan.chunks.filter((id) => !results.records.has(id));
  const module = await loadModule();
  const lean = await loadLeanModule();
  const clock = new Clock(o, plan, results);
  const runs = new Map<number, ChunkRun>();
  const pieces: Piece[] = todo.map((id) => {
    const { target, from, count } = chunkRange(plan.header, id);
    runs.set(id, new ChunkRun(id, target, from, count));
    return { chunk: id, target, from, count, careful: false };
  });

  const finish = (run: ChunkRun) => {
    const { chunk, details } = run.lines();
    results.append([...details, chunk]);
    results.records.set(run.id, {
      chunk,
      failures: details.filter((d): d is FailureLine => d.type === "failure"),
      traps: details.filter((d): d is TrapLine => d.type === "trap"),
      crashes: details.filter((d): d is CrashLine => d.type === "crash"),
    });
    runs.delete(run.id);
    clock.chunkDone(chunk);
  };

  if (pieces.length) {
    await runPool(
      { module, lean, strategy: o.strategy, targets: plan.targets, faults: o.faults },
      Math.max(1, Math.min(o.workers, pieces.length)),
      pieces,
      {
        done(piece, result) {
          const run = runs.get(piece.chunk)!;
          run.parts.push(result);
          clock.schedules(piece.count);
          if (--run.pending === 0) finish(run);
        },
        died(piece, at, message) {
          const run = runs.get(piece.chunk)!;
          err(`vfsim sweep: a worker died on ${plan.header.targets[piece.target].scenario} schedule ${at}: ${message}`);
          const again = run.died(piece, at, message);
          if (run.pending === 0) finish(run);
          return again;
        },
      },
    );
  }
  // One counterexample per kind per target: the first failing schedule of it, shrunk here once
  // (workers only record choices), so a sweep where most schedules fail shrinks no more than one
  // where few do. What a resumed sweep already shrank is kept.
  for (const f of summarize(plan.header, results.records, plan.chunks, results.shrunk).found) {
    if (results.shrunk.has(shrunkKey(f))) continue;
    const line = shrinkExample(module, plan.targets[f.target], f, o, results);
    results.append([line]);
    results.shrunk.set(shrunkKey(line), line);
  }
  const timing = clock.end();
  const summary = summarize(plan.header, relocated(results.records, results.base), plan.chunks, relocatedShrunk(results.shrunk, results.base));
  const text = `vfsim sweep: ${o.strategy}, ${plural(plan.header.targets.length, "target")} x ${plural(o.schedules, "schedule")}, shard ${o.shard.index}/${o.shard.count}\n`
    + summaryText(summary, timing);
  return { summary, timing, text, code: exitCode(summary) };
}

// ---------------------------------------------------------------------------------------------
// Progress: the bar on a terminal, periodic totals in the results file. Time appears only here.

class Clock {
  private start = performance.now();
  private lastLine = this.start;
  private lastBar = 0;
  private run = 0;
  private total: number;
  private doneBefore: number;
  private failures = 0;

  constructor(private o: SweepOptions, plan: Plan, private results: Results) {
    this.total = plan.chunks.reduce((n, id) => n + chunkRange(plan.header, id).count, 0);
    this.doneBefore = 0;
    for (const id of plan.chunks) {
      const r = results.records.get(id);
      if (!r) continue;
      this.doneBefore += r.chunk.count;
      this.failures += r.chunk.kinds.reduce((n, k) => n + k.count, 0);
    }
  }

  schedules(n: number): void {
    this.run += n;
    this.bar(false);
  }

  chunkDone(c: ChunkLine): void {
    this.failures += c.kinds.reduce((n, k) => n + k.count, 0);
    const now = performance.now();
    if (now - this.lastLine >= PROGRESS_SECONDS * 1000) {
      this.lastLine = now;
      this.results.append([this.timing("progress")]);
    }
  }

  end(): Timing {
    this.bar(true);
    const line = this.timing("end");
    this.results.append([line]);
    return { seconds: line.seconds, schedules: this.run };
  }

  private timing(type: "progress" | "end"): TimingLine {
    const seconds = (performance.now() - this.start) / 1000;
    return { type, schedules: this.doneBefore + this.run, failures: this.failures, seconds: Number(seconds.toFixed(3)), schedulesPerSecond: seconds > 0 ? Math.round(this.run / seconds) : 0 };
  }

  private bar(last: boolean): void {
    if (!this.o.bar) return;
    const now = performance.now();
    if (!last && now - this.lastBar < 100) return;
    this.lastBar = now;
    if (last) { this.o.bar("\r\x1b[2K"); return; }
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? this.run / seconds : 0;
    const done = this.doneBefore + this.run;
    const frac = this.total ? done / this.total : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const left = rate > 0 ? (this.total - done) / rate : 0;
    this.o.bar(`\r\x1b[2K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${this.total} schedules  ${Math.round(rate)}/s  ${this.failures} failing  ${duration(left)} left`);
  }
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m` : `${m}:${String(Math.round(s % 60)).padStart(2, "0")}`;
}
