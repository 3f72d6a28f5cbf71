/**
 * vfsim fuzz: the seed-file fuzzer's command (the engine is host/core/fuzz.ts).
 *
 *   vfsim fuzz [--corpus DIR ...] [--out DIR] [--time S | --execs N] [--seed N] [--workers K]
 *              [--schedules N] [--allow axis=v1,v2 ...] [--plant X[,Y]] [--json]
 *
 * Reads every *.json under each corpus directory (sorted by name), fuzzes until the budget is
 * spent, and writes each new kind of failure to the output directory as a shrunk counterexample
 * that `vfsim replay` reruns. Exit status: 0 no failure, 1 failures found, 2 bad input, 3 the
 * model trapped while a counterexample was being recorded.
 *
 * The clock only decides when a `--time` run stops and when a status line is printed, never
 * what is run: an `--execs` run is reproducible exec for exec, a `--time` run is the same
 * sequence cut at a length that depends on the machine.
 *
 * `--workers K` (K > 1) runs K independent streams, one per worker thread (fuzz_worker.ts,
 * bundled to dist/fuzz-worker.mjs): stream i is a Fuzzer seeded with `streamSeed(seed, i)`, on
 * the same starting corpus, with its share of `--execs` (or all of `--time`). Streams share no
 * corpus. The main thread merges: execs and invalid mutants add up, coverage is the union of the
 * streams' bitmaps, and a failure key found by several streams is kept from the lowest stream
 * index (then the lowest exec), so the files written do not depend on which stream finishes
 * first. `--workers 1` is the single in-process stream, unchanged.
 */

import { plural } from "../core/report";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { PLANTS, type Plant } from "../core/abi";
import { Fuzzer, coverageCount, parseAllow, prepareCorpus, splitmix64, type Allow, type CorpusFile, type Finding, type FuzzOptions, type FuzzStats } from "../core/fuzz";
import { parseSeedFile, SeedError, type SeedFile } from "../core/seed";
import { ModelTrap } from "../core/wasm";
import { EXIT } from "../core/exit";
import { UsageError, checkOutDir, intFlag, parseArgs, seedFlag, workersFlag, WORKERS_MAX, WORKERS_MIN, type CommandDef } from "./flags";
import { builtFile, loadModule, packagePath } from "./module";

type Out = (s: string) => void;

/** Defaults: the standard corpus, a minute, seed 1, 64 schedules per exec, one stream. */
export const FUZZ_DEFAULTS = { corpus: "fixtures/corpus", out: "failures", seconds: 60, seed: 1n, schedules: 64, workers: 1 };

export interface FuzzArgs {
  corpus: string[];
  out: string;
  /** exactly one of the two budgets */
  seconds?: number;
  execs?: number;
  seed: bigint;
  /** independent streams, one worker thread each when more than 1 */
  workers: number;
  schedules: number;
  allow: Allow;
  plant: Plant[];
  json: boolean;
}

/** The plant that is no canary: a broken locking contract traps (a model fault), it fails no check. */
const NOT_A_CANARY: Plant = "no-lookup-slow-lock";
/** The plants `--plant` takes: each makes the model fail (or stop failing) a check somewhere. */
const FUZZ_PLANTS = PLANTS.filter((p) => p !== NOT_A_CANARY);

export const FUZZ_COMMAND: CommandDef = {
  args: "",
  summary: "Coverage-guided fuzzing of seed files (mutated ops, threads, kernel axes); failures are shrunk into --out. Exit 1 if it found one.",
  flags: {
    "--out": { kind: "value", arg: "DIR", help: `directory for the counterexamples found (default: ${FUZZ_DEFAULTS.out})` },
    "--time": { kind: "value", arg: "S", help: `stop after S seconds, 1 to 1e6 (default: ${FUZZ_DEFAULTS.seconds} unless --execs)` },
    "--execs": { kind: "value", arg: "N", help: "stop after N execs, 1 to 1e9; reproducible exec for exec (default: --time)" },
    "--seed": { kind: "value", arg: "N", help: `the fuzzer's seed, 0 to 2^64-1 (default: ${FUZZ_DEFAULTS.seed})` },
    "--workers": { kind: "value", arg: "K", help: `independent streams, one worker thread each, ${WORKERS_MIN} to ${WORKERS_MAX} (default: ${FUZZ_DEFAULTS.workers})` },
    "--schedules": { kind: "value", arg: "N", help: `schedules per exec, 2 to 100000 (default: ${FUZZ_DEFAULTS.schedules})` },
    "--corpus": { kind: "list", arg: "DIR", help: `starting seed files, a directory or file (repeats; default: the package's ${FUZZ_DEFAULTS.corpus})` },
    "--allow": { kind: "list", arg: "axis=v1,v2", help: "values a kernel axis may be mutated to (repeats; default: every value)" },
    "--plant": { kind: "list", arg: "X[,Y]", help: `plant a known bug (canary): ${FUZZ_PLANTS.join(", ")} (default: none)` },
    "--json": { kind: "bool", help: "print JSON lines instead of text (default: text)" },
  },
  conflicts: [["--time", "--execs"]],
};

export function parseFuzzArgs(args: string[]): FuzzArgs {
  const f = parseArgs("fuzz", args, FUZZ_COMMAND);
  if (f.positional.length) throw new UsageError(`vfsim fuzz: unexpected argument ${JSON.stringify(f.positional[0])}; corpus directories are given with --corpus`);
  const { values, lists } = f;
  const json = f.bools.has("--json");
  const int = (name: string, min: number, max: number): number | undefined => intFlag(f, name, min, max);

  const seconds = int("--time", 1, 1_000_000);
  const execs = int("--execs", 1, 1_000_000_000);
  const workers = workersFlag(f);
  const seed = seedFlag(f);

  let allow: Allow = {};
  for (const spec of lists.get("--allow") ?? []) {
    try {
      allow = parseAllow(spec, allow);
    } catch (e) {
      if (e instanceof SeedError) throw new UsageError(`--allow ${spec}: ${e.detail}`);
      throw e;
    }
  }
  const plant: Plant[] = [];
  for (const spec of lists.get("--plant") ?? []) {
    for (const p of spec.split(",")) {
      if (p === NOT_A_CANARY) {
        throw new UsageError(`--plant ${p}: not a canary the fuzzer can use: it plants a forgotten lock, which __lookup_slow's locking contract stops as a model fault (exit 3) wherever lookup_slow runs in the current order (no check fails: there is no finding to make); see it with vfsim run --set 'plant=["${p}"]' (docs/model.md "Locking contracts"); the fuzzer's plants are ${FUZZ_PLANTS.join(", ")}`);
      }
      if (!(FUZZ_PLANTS as readonly string[]).includes(p)) throw new UsageError(`--plant: unknown plant ${JSON.stringify(p)}; expected one of ${FUZZ_PLANTS.join(", ")}`);
      if (!plant.includes(p as Plant)) plant.push(p as Plant);
    }
  }

  return {
    corpus: lists.get("--corpus") ?? [packagePath(FUZZ_DEFAULTS.corpus)],
    out: values.get("--out") ?? FUZZ_DEFAULTS.out,
    ...(execs !== undefined ? { execs } : { seconds: seconds ?? FUZZ_DEFAULTS.seconds }),
    seed: seed ?? FUZZ_DEFAULTS.seed,
    workers: workers ?? FUZZ_DEFAULTS.workers,
    schedules: int("--schedules", 2, 100_000) ?? FUZZ_DEFAULTS.schedules,
    allow,
    plant,
    json,
  };
}

/** Every *.json in each directory (or the file itself), sorted by name, parsed and validated. */
export function readCorpus(paths: string[]): CorpusFile[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`--corpus: ${p}: no such file or directory`);
    }
    if (st.isDirectory()) for (const name of readdirSync(p).sort()) { if (name.endsWith(".json")) files.push(join(p, name)); }
    else files.push(p);
  }
  if (files.length === 0) throw new UsageError(`--corpus: no seed files (*.json) in ${paths.join(", ")}`);
  return files.map((file) => {
    try {
      return { file, seed: parseSeedFile(readFileSync(file, "utf8")) };
    } catch (e) {
      if (e instanceof SeedError) throw new UsageError(`${file}: ${e.message}`);
      throw e;
    }
  });
}

export interface FuzzSummary {
  execs: number;
  seconds: number;
  corpus: number;
  coverage: number;
  invalid: number;
  failures: { verdict: string; invariant?: string; file: string; key: string; exec: number; kind?: string }[];
}

/** Runs the fuzzer with parsed arguments. `now` is the clock in milliseconds (tests pass their
 *  own); it never influences what runs. */
export async function fuzz(a: FuzzArgs, out: Out, err: Out, now: () => number = () => performance.now()): Promise<FuzzSummary> {
  const files = readCorpus(a.corpus);
  const start = prepareCorpus(files, a.allow);
  if (start.length === 0) throw new UsageError("--corpus: no input left after --allow");
  if (a.workers > 1) return fuzzStreams(a, files.length, start, out, err, now);
  const module = await loadModule();
  const fuzzer = new Fuzzer(module, start, { seed: a.seed, allow: a.allow, plant: a.plant, schedules: a.schedules });
  const t0 = now();
  const elapsed = () => (now() - t0) / 1000;
  const failures: FuzzSummary["failures"] = [];
  let nextStatus = 1;

  const status = () => {
    const s = fuzzer.stats;
    const secs = elapsed();
    err(`[${secs.toFixed(0)}s] execs ${s.execs} (${Math.round(s.execs / Math.max(secs, 1e-3))}/s)  corpus ${s.corpus}  coverage ${s.coverage} bits  failures ${s.findings}  invalid mutants ${s.invalid}`);
  };
  const save = (f: Finding) => {
    mkdirSync(a.out, { recursive: true });
    const file = join(a.out, f.fileName);
    writeFileSync(file, f.text);
    failures.push({ verdict: f.verdict, ...(f.invariant ? { invariant: f.invariant } : {}), file, key: f.key, exec: f.exec, ...(f.kind !== "failure" ? { kind: f.kind } : {}) });
    if (!a.json) {
      out(`failure ${f.key} at exec ${f.exec} (threads ${f.shrunk.threads[0]} -> ${f.shrunk.threads[1]}, ops ${f.shrunk.ops[0]} -> ${f.shrunk.ops[1]})`);
      out(`  replay: vfsim replay ${file}`);
    }
  };

  if (!a.json) {
    const what = a.plant.length ? `, canary: plant ${a.plant.join(", ")} (differential against the model without it)` : "";
    out(`vfsim fuzz: ${plural(start.length, "corpus input")} from ${plural(files.length, "file")}, seed ${a.seed}, ${a.execs !== undefined ? plural(a.execs, "exec") : `${a.seconds} s`}, ${a.schedules} schedules per exec${what}`);
  }
  for (;;) {
    if (a.execs !== undefined ? fuzzer.stats.execs >= a.execs : elapsed() >= a.seconds!) break;
    const rec = fuzzer.step();
    if (rec.finding) save(rec.finding);
    if (!a.json && elapsed() >= nextStatus) {
      status();
      nextStatus = Math.floor(elapsed()) + 1;
    }
  }
  const seconds = elapsed();
  if (!a.json) status();
  return { execs: fuzzer.stats.execs, seconds, corpus: fuzzer.stats.corpus, coverage: fuzzer.stats.coverage, invalid: fuzzer.stats.invalid, failures };
}

// ---------------------------------------------------------------------------------------------
// --workers K: K independent streams in worker threads

/**
 * The seed of stream `i`: stream 0 keeps `seed` itself (so stream 0 of any run is the
 * `--workers 1` stream), stream i >= 1 takes the i-th output of splitmix64 started from `seed`,
 * that is splitmix64's finalizer applied to (seed + i * 0x9e3779b97f4a7c15) mod 2^64. A
 * finding of stream i says `--seed <streamSeed(seed, i)>` in its `about`, and
 * `vfsim fuzz --workers 1 --seed <that> --execs <its exec>` (same corpus and flags) finds it again.
 */
export function streamSeed(seed: bigint, i: number): bigint {
  let state = BigInt.asUintN(64, seed);
  let value = state;
  for (let k = 0; k < i; k++) ({ next: state, value } = splitmix64(state));
  return value;
}

/** Stream i's share of an `--execs` budget of n over k streams: floor(n/k), plus one for the
 *  first n mod k streams. The shares add up to n; a stream whose share is 0 is not started. */
export function execShare(n: number, k: number, i: number): number {
  return Math.floor(n / k) + (i < n % k ? 1 : 0);
}

/** What a fuzz worker (fuzz_worker.ts) is given as its workerData. */
export interface FuzzWorkerData {
  module: WebAssembly.Module;
  start: { name: string; seed: SeedFile }[];
  /** the stream's options: its own seed, the run's allow, plant and schedules */
  opts: FuzzOptions;
  /** the stream's budget: its share of --execs, or --time */
  execs?: number;
  seconds?: number;
  /** how often it reports its stats (milliseconds of its own clock) */
  progressMs: number;
}

/** A stream's counters, its coverage bitmap, and how many of its corpus entries are starting
 *  inputs (every stream runs the same starting inputs first). */
export interface StreamProgress {
  stats: FuzzStats;
  coverage: Uint8Array;
  seeded: number;
}

/** A finding as a worker posts it (the Finding without its run report). */
export type StreamFinding = Pick<Finding, "key" | "kind" | "verdict" | "invariant" | "exec" | "text" | "fileName" | "shrunk">;

export type FromFuzzWorker =
  | { type: "progress"; progress: StreamProgress }
  | { type: "finding"; finding: StreamFinding }
  | { type: "done"; progress: StreamProgress }
  /** the model trapped while a counterexample was being recorded (exit status 3) */
  | { type: "trap"; message: string };

/** dist/fuzz-worker.mjs, found from the bundled CLI or from the sources. */
export function fuzzWorkerPath(): string {
  return builtFile("dist/fuzz-worker.mjs");
}

const PROGRESS_MS = 250;

/**
 * K streams, one worker thread each, merged here. Which stream finishes first decides only what
 * is printed when; the files written are, per key, the finding of the lowest stream index (then
 * the lowest exec), whatever the order the findings arrive in. A finding is written as soon as it
 * arrives; one that a lower stream's finding of the same key then replaces is deleted again (if
 * this run created it).
 */
async function fuzzStreams(a: FuzzArgs, fileCount: number, start: { name: string; seed: SeedFile }[], out: Out, err: Out, now: () => number): Promise<FuzzSummary> {
  const module = await loadModule();
  const k = a.workers;
  const streams = Array.from({ length: k }, (_, index) => ({
    index,
    seed: streamSeed(a.seed, index),
    execs: a.execs !== undefined ? execShare(a.execs, k, index) : undefined,
  })).filter((s) => s.execs === undefined || s.execs > 0);
  const file = fuzzWorkerPath();
  const t0 = now();
  const elapsed = () => (now() - t0) / 1000;
  const latest: (StreamProgress | undefined)[] = streams.map(() => undefined);
  const kept = new Map<string, { stream: number; finding: StreamFinding; file: string; created: boolean }>();
  let running = streams.length;

  const totals = () => {
    let execs = 0, invalid = 0, seeded = 0, added = 0;
    let union: Uint8Array | undefined;
    for (const p of latest) {
      if (!p) continue;
      execs += p.stats.execs;
      invalid += p.stats.invalid;
      seeded = Math.max(seeded, p.seeded);
      added += p.stats.corpus - p.seeded;
      if (!union) union = new Uint8Array(p.coverage.length);
      for (let i = 0; i < union.length; i++) union[i] |= p.coverage[i];
    }
    return { execs, invalid, corpus: seeded + added, coverage: union ? coverageCount(union) : 0 };
  };
  const status = () => {
    const t = totals();
    const secs = elapsed();
    err(`[${secs.toFixed(0)}s] execs ${t.execs} (${Math.round(t.execs / Math.max(secs, 1e-3))}/s)  corpus ${t.corpus}  coverage ${t.coverage} bits  failures ${kept.size}  invalid mutants ${t.invalid}  workers ${running}/${streams.length}`);
  };
  const save = (stream: (typeof streams)[number], f: StreamFinding) => {
    const held = kept.get(f.key);
    if (held && (held.stream < stream.index || (held.stream === stream.index && held.finding.exec <= f.exec))) return;
    mkdirSync(a.out, { recursive: true });
    const path = join(a.out, f.fileName);
    const created = !existsSync(path);
    writeFileSync(path, f.text);
    if (held && held.created && held.file !== path) {
      try { unlinkSync(held.file); } catch { /* already gone */ }
    }
    kept.set(f.key, { stream: stream.index, finding: f, file: path, created: created || (held?.created === true && held.file === path) });
    if (!a.json) {
      out(`failure ${f.key} at exec ${f.exec} of stream ${stream.index} (--seed ${stream.seed}) (threads ${f.shrunk.threads[0]} -> ${f.shrunk.threads[1]}, ops ${f.shrunk.ops[0]} -> ${f.shrunk.ops[1]})`);
      out(`  replay: vfsim replay ${path}`);
      if (held) out(`  (replaces ${held.file}, found by stream ${held.stream}: a key's finding is kept from the lowest stream)`);
    }
  };

  if (!a.json) {
    const what = a.plant.length ? `, canary: plant ${a.plant.join(", ")} (differential against the model without it)` : "";
    const shares = [...new Set(streams.map((s) => s.execs))];
    const each = a.execs !== undefined ? `${shares.join(" or ")} execs each` : `${a.seconds} s each`;
    out(`vfsim fuzz: ${plural(start.length, "corpus input")} from ${plural(fileCount, "file")}, seed ${a.seed}, ${a.execs !== undefined ? plural(a.execs, "exec") : `${a.seconds} s`}, ${a.schedules} schedules per exec${what}`);
    out(`  ${streams.length} workers: independent streams seeded from ${a.seed} and their index, ${each}, no shared corpus`);
  }

  await new Promise<void>((resolveAll, rejectAll) => {
    const workers: Worker[] = [];
    let finished = false;
    const timer = a.json ? undefined : setInterval(status, 1000);
    const finish = (e?: Error) => {
      if (finished) return;
      finished = true;
      if (timer) clearInterval(timer);
      for (const w of workers) void w.terminate();
      if (e) rejectAll(e);
      else resolveAll();
    };
    streams.forEach((s, slot) => {
      const data: FuzzWorkerData = {
        module,
        start,
        opts: { seed: s.seed, allow: a.allow, plant: a.plant, schedules: a.schedules },
        ...(s.execs !== undefined ? { execs: s.execs } : { seconds: a.seconds }),
        progressMs: PROGRESS_MS,
      };
      const w = new Worker(file, { workerData: data });
      workers.push(w);
      let done = false;
      w.on("message", (m: FromFuzzWorker) => {
        if (finished) return;
        try {
          if (m.type === "progress") latest[slot] = m.progress;
          else if (m.type === "finding") save(s, m.finding);
          else if (m.type === "trap") finish(new ModelTrap(m.message));
          else if (m.type === "done") {
            latest[slot] = m.progress;
            done = true;
            if (--running === 0) finish();
          }
        } catch (e) {
          finish(e as Error);
        }
      });
      w.on("error", (e) => finish(new Error(`fuzz stream ${s.index}: ${e.message}`)));
      w.on("exit", (code) => { if (!done) finish(new Error(`fuzz stream ${s.index}: the worker exited with code ${code} before finishing`)); });
    });
  });

  const seconds = elapsed();
  if (!a.json) status();
  const t = totals();
  const failures: FuzzSummary["failures"] = [...kept.values()]
    .sort((x, y) => x.stream - y.stream || x.finding.exec - y.finding.exec)
    .map(({ finding: f, file }) => ({ verdict: f.verdict, ...(f.invariant ? { invariant: f.invariant } : {}), file, key: f.key, exec: f.exec, ...(f.kind !== "failure" ? { kind: f.kind } : {}) }));
  return { execs: t.execs, seconds, corpus: t.corpus, coverage: t.coverage, invalid: t.invalid, failures };
}

/** The command. Flag and seed-file errors are reported as in cli.ts (exit 2). */
export async function cmdFuzz(args: string[], out: Out, err: Out): Promise<number> {
  try {
    const a = parseFuzzArgs(args);
    checkOutDir("--out", a.out);
    const summary = await fuzz(a, out, err);
    if (a.json) {
      out(JSON.stringify({ ...summary, verdict: summary.failures.length ? "failure" : "inconclusive", seconds: Number(summary.seconds.toFixed(3)) }));
    } else {
      out(`${plural(summary.execs, "exec")} in ${summary.seconds.toFixed(1)} s (${Math.round(summary.execs / Math.max(summary.seconds, 1e-3))}/s), corpus ${summary.corpus}, coverage ${summary.coverage} bits, ${plural(summary.failures.length, "unique failure")}${summary.failures.length ? ` in ${a.out}` : ""}`);
    }
    if (summary.failures.length) return EXIT.failure;
    // a fuzzer samples inputs and schedules: finding nothing proves nothing clean
    if (!a.json) out(`inconclusive: no failure in ${plural(summary.execs, "exec")}; fuzzing samples and never exhausts a space (exit ${EXIT.inconclusive})`);
    return EXIT.inconclusive;
  } catch (e) {
    if (e instanceof UsageError || e instanceof SeedError) {
      err(`vfsim: ${e.message}`);
      return EXIT.badInput;
    }
    if (e instanceof ModelTrap) {
      err(`vfsim: model bug (please report it with the seed file): ${e.message}`);
      return EXIT.modelBug;
    }
    throw e;
  }
}
