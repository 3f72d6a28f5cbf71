/**
 * vfsim fuzz: the seed-file fuzzer's command (the engine is host/core/fuzz.ts).
 *
 *   vfsim fuzz [--corpus DIR ...] [--out DIR] [--time S | --execs N] [--seed N] [--workers 1]
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
 */

import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PLANTS, type Plant } from "../core/abi";
import { Fuzzer, parseAllow, prepareCorpus, type Allow, type CorpusFile, type Finding } from "../core/fuzz";
import { parseSeedFile, SeedError } from "../core/scenario";
import { ModelTrap } from "../core/wasm";
import { UsageError } from "./flags";
import { loadModule } from "./module";

type Out = (s: string) => void;

export const FUZZ_USAGE = `usage:
  vfsim fuzz [--corpus DIR ...] [--out DIR] [--time S | --execs N] [--seed N] [--workers 1]
             [--schedules N] [--allow axis=v1,v2 ...] [--plant X[,Y]] [--json]`;

const VALUE_FLAGS = ["--out", "--time", "--execs", "--seed", "--workers", "--schedules"];
const LIST_FLAGS = ["--corpus", "--allow", "--plant"];
const BOOL_FLAGS = ["--json"];

/** Defaults: the standard corpus, a minute, seed 1, 64 schedules per exec. */
export const FUZZ_DEFAULTS = { corpus: "fixtures/corpus", out: "failures", seconds: 60, seed: 1n, schedules: 64 };

export interface FuzzArgs {
  corpus: string[];
  out: string;
  /** exactly one of the two budgets */
  seconds?: number;
  execs?: number;
  seed: bigint;
  schedules: number;
  allow: Allow;
  plant: Plant[];
  json: boolean;
}

export function parseFuzzArgs(args: string[]): FuzzArgs {
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  let json = false;
  const known = [...VALUE_FLAGS, ...LIST_FLAGS, ...BOOL_FLAGS];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) throw new UsageError(`vfsim fuzz: unexpected argument ${JSON.stringify(a)}; corpus directories are given with --corpus`);
    const eq = a.indexOf("=");
    const [name, inline] = eq >= 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    if (!known.includes(name)) throw new UsageError(`${name}: unknown flag for vfsim fuzz; expected one of ${known.join(", ")}`);
    if (BOOL_FLAGS.includes(name)) {
      if (inline !== undefined) throw new UsageError(`${name}: takes no value`);
      json = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`${name}: expected a value`);
    if (LIST_FLAGS.includes(name)) lists.set(name, [...(lists.get(name) ?? []), value]);
    else values.set(name, value);
  }
  const int = (name: string, min: number, max: number): number | undefined => {
    const v = values.get(name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return Number(v);
  };

  const seconds = int("--time", 1, 1_000_000);
  const execs = int("--execs", 1, 1_000_000_000);
  if (seconds !== undefined && execs !== undefined) throw new UsageError("--time, --execs: give one budget, not both");
  const workers = int("--workers", 1, 1024);
  if (workers !== undefined && workers !== 1) {
    throw new UsageError(`--workers: only 1 is supported for now (the fuzzer runs in-process, one deterministic stream), got ${JSON.stringify(values.get("--workers"))}`);
  }
  const seedText = values.get("--seed");
  if (seedText !== undefined && (!/^\d+$/.test(seedText) || BigInt(seedText) >= 1n << 64n)) {
    throw new UsageError(`--seed: expected a non-negative integer below 2^64, got ${JSON.stringify(seedText)}`);
  }

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
      if (!(PLANTS as readonly string[]).includes(p)) throw new UsageError(`--plant: unknown plant ${JSON.stringify(p)}; expected one of ${PLANTS.join(", ")}`);
      if (!plant.includes(p as Plant)) plant.push(p as Plant);
    }
  }

  return {
    corpus: lists.get("--corpus") ?? [FUZZ_DEFAULTS.corpus],
    out: values.get("--out") ?? FUZZ_DEFAULTS.out,
    ...(execs !== undefined ? { execs } : { seconds: seconds ?? FUZZ_DEFAULTS.seconds }),
    seed: seedText !== undefined ? BigInt(seedText) : FUZZ_DEFAULTS.seed,
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
    out(`vfsim fuzz: ${start.length} corpus inputs from ${files.length} files, seed ${a.seed}, ${a.execs !== undefined ? `${a.execs} execs` : `${a.seconds} s`}, ${a.schedules} schedules per exec${what}`);
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

/** The command. Flag and seed-file errors are reported as in cli.ts (exit 2). */
export async function cmdFuzz(args: string[], out: Out, err: Out): Promise<number> {
  try {
    const a = parseFuzzArgs(args);
    const summary = await fuzz(a, out, err);
    if (a.json) {
      out(JSON.stringify({ ...summary, seconds: Number(summary.seconds.toFixed(3)) }));
    } else {
      out(`${summary.execs} execs in ${summary.seconds.toFixed(1)} s (${Math.round(summary.execs / Math.max(summary.seconds, 1e-3))}/s), corpus ${summary.corpus}, coverage ${summary.coverage} bits, ${summary.failures.length} unique failures${summary.failures.length ? ` in ${a.out}` : ""}`);
    }
    return summary.failures.length ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof SeedError) {
      err(`vfsim: ${e.message}`);
      return 2;
    }
    if (e instanceof ModelTrap) {
      err(`vfsim: model bug (please report it with the seed file): ${e.message}`);
      return 3;
    }
    throw e;
  }
}
