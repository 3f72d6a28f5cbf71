/**
 * Command-line helpers of every command. Each command has one table of flags (CommandDef); its
 * `--help` is generated from it. Flags are `--name value` or `--name=value`, booleans take no
 * value, list flags (`--set`) repeat, a value flag given twice is an error. Bad
 * input throws UsageError (exit 2) naming the flag or file first. `guarded` turns the errors
 * every command shares into exit codes, so a command behaves the same called from main() or
 * directly from a test.
 */

import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, statSync, statfsSync, unlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs as nodeParseArgs } from "node:util";
import { parseSeedFile, SeedError, type SeedFile } from "../core/seed";
import { ModelTrap } from "../core/wasm";

/** Bad command-line input (a flag, a file, a seed file): exit 2. */
export class UsageError extends Error {}

/** Asked for a command's help (`--help`, `-h`): main() prints `text` on stdout, exit 0. */
export class HelpRequested extends Error {
  constructor(readonly text: string) { super("help"); }
}

/** One flag: a value (given at most once), a list (repeats, collected in order) or a boolean. */
export interface FlagDef {
  kind: "value" | "list" | "bool";
  /** the value's shape in the help, e.g. "N", "random|pct|dfs" */
  arg?: string;
  /** what it does and its default, one line */
  help: string;
}

/** A command's flags: one table, so adding a flag is one entry. The help is generated from it. */
export interface CommandDef {
  /** what follows `vfsim <cmd>` in the usage line, e.g. "<seed-file>" */
  args: string;
  /** one line: what the command does */
  summary: string;
  flags: Record<string, FlagDef>;
  /** pairs that may not be given together */
  conflicts?: [string, string][];
}

export interface Flags {
  positional: string[];
  values: Map<string, string>;
  lists: Map<string, string[]>;
  bools: Set<string>;
}

/** The one --workers range of every command (sweep, fuzz). */
export const WORKERS_MIN = 1;
export const WORKERS_MAX = 64;

/** `vfsim <cmd> --help`: the usage line, the summary, one line per flag. */
export function helpText(cmd: string, def: CommandDef): string {
  const rows: [string, string][] = Object.entries(def.flags).map(([name, d]) => [
    d.kind === "bool" ? name : `${name} ${d.arg ?? "VALUE"}${d.kind === "list" ? " ..." : ""}`,
    d.help,
  ]);
  rows.push(["-h, --help", "print this help and exit"]);
  const w = Math.max(...rows.map(([l]) => l.length));
  const lines = [`usage: vfsim ${cmd}${def.args ? " " + def.args : ""} [flags]`, "", def.summary, "", "flags:"];
  for (const [l, h] of rows) lines.push(`  ${l.padEnd(w)}  ${h}`);
  if (def.conflicts?.length) lines.push("", `not together: ${def.conflicts.map(([a, b]) => `${a} and ${b}`).join("; ")}`);
  return lines.join("\n");
}

/**
 * Parses `args` against a command's table with node:util parseArgs (for the tokens: `--name value`,
 * `--name=value`, `--`), then checks them: an unknown flag, a missing value, a value flag given
 * twice, a value to a boolean, a conflicting pair: UsageError (exit 2). `--help` / `-h` anywhere
 * throws HelpRequested.
 */
export function parseArgs(cmd: string, args: string[], def: CommandDef): Flags {
  const options: Record<string, { type: "string" | "boolean"; multiple: true; short?: string }> = {};
  for (const [name, d] of Object.entries(def.flags)) options[name.slice(2)] = { type: d.kind === "bool" ? "boolean" : "string", multiple: true };
  options.help = { type: "boolean", multiple: true, short: "h" };
  // strict: false so that our own messages name the flag, and `--preemptions -1` is a value
  const { tokens } = nodeParseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const f: Flags = { positional: [], values: new Map(), lists: new Map(), bools: new Set() };
  const known = Object.keys(def.flags);
  if (tokens.some((t) => t.kind === "option" && t.name === "help")) throw new HelpRequested(helpText(cmd, def));
  for (const t of tokens) {
    if (t.kind === "positional") { f.positional.push(t.value); continue; }
    if (t.kind !== "option") continue;
    const name = t.rawName.startsWith("--") ? t.rawName : `-${t.name}`;
    const d = def.flags[name];
    if (!d || !t.rawName.startsWith("--")) throw new UsageError(`${t.rawName}: unknown flag for vfsim ${cmd}; expected one of ${known.join(", ") || "(none)"} (vfsim ${cmd} --help lists them)`);
    if (d.kind === "bool") {
      if (t.inlineValue) throw new UsageError(`${name}: takes no value`);
      f.bools.add(name);
      continue;
    }
    if (t.value === undefined) throw new UsageError(`${name}: expected a value`);
    if (d.kind === "list") f.lists.set(name, [...(f.lists.get(name) ?? []), t.value]);
    else {
      if (f.values.has(name)) throw new UsageError(`${name}: given more than once (${JSON.stringify(f.values.get(name))}, then ${JSON.stringify(t.value)}); give it once`);
      f.values.set(name, t.value);
    }
  }
  for (const [a, b] of def.conflicts ?? []) {
    const has = (n: string) => f.values.has(n) || f.bools.has(n) || f.lists.has(n);
    if (has(a) && has(b)) throw new UsageError(`${a}, ${b}: not both; give one`);
  }
  return f;
}

export function workersFlag(f: Flags): number | undefined {
  return intFlag(f, "--workers", WORKERS_MIN, WORKERS_MAX);
}

export function intFlag(f: Flags, name: string, min: number, max: number): number | undefined {
  const v = f.values.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

export function seedFlag(f: Flags): bigint | undefined {
  const v = f.values.get("--seed");
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || BigInt(v) >= 1n << 64n) throw new UsageError(`--seed: expected a non-negative integer below 2^64, got ${JSON.stringify(v)}`);
  return BigInt(v);
}

export function enumFlag<T extends string>(f: Flags, name: string, values: readonly T[]): T | undefined {
  const v = f.values.get(name);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw new UsageError(`${name}: expected one of ${values.join(", ")}, got ${JSON.stringify(v)}`);
  return v as T;
}

type Out = (s: string) => void;

/** Runs a command body; bad input is exit 2, a broken model exit 3, as in cli.ts main(). */
export async function guarded(err: Out, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError || e instanceof SeedError) { err(`vfsim: ${e.message}`); return 2; }
    if (e instanceof ModelTrap) { err(`vfsim: model bug (please report it with the seed file): ${e.message}`); return 3; }
    throw e;
  }
}

/** A seed file from disk, `--set`s applied; unreadable or invalid is a UsageError naming it. */
/** A file's text; an unreadable file is a UsageError naming it. */
export function readText(file: string): string {
  if (statOrUndefined(file)?.isDirectory()) throw new UsageError(`${file}: is a directory; expected a file`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${reason(e)}`);
  }
  const text = bytes.toString("utf8");
  if (text.includes("\uFFFD")) {
    // the first byte where decoding and re-encoding disagree starts the invalid sequence
    const back = Buffer.from(text, "utf8");
    let i = 0;
    while (i < bytes.length && bytes[i] === back[i]) i++;
    if (i < bytes.length) {
      const before = bytes.subarray(0, i).toString("utf8");
      const line = before.split("\n").length;
      const column = before.length - before.lastIndexOf("\n");
      throw new UsageError(`${file}: not valid UTF-8: byte ${i} (line ${line}, column ${column}) is 0x${bytes[i].toString(16).padStart(2, "0")}`);
    }
  }
  return text;
}

export function readSeedFile(file: string, sets: string[] = []): SeedFile {
  const text = readText(file);
  try {
    return parseSeedFile(text, sets);
  } catch (e) {
    if (e instanceof SeedError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}

/** Files as given; a directory stands for its *.json files in name order (none is an error). */
export function seedPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try { st = statSync(p); } catch { throw new UsageError(`${p}: no such file or directory`); }
    if (st.isDirectory()) {
      const names = readdirSync(p).sort().filter((name) => name.endsWith(".json"));
      if (names.length === 0) throw new UsageError(`${p}: no seed files (*.json) in this directory`);
      for (const name of names) out.push(join(p, name));
    } else out.push(p);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Output paths, checked before any work starts

/** Pseudo filesystems that hold no user files (statfs f_type). */
const PSEUDO_FS = new Map<number, string>([[0x9fa0, "procfs"], [0x62656572, "sysfs"], [0x64626720, "debugfs"], [0x27e0eb, "cgroupfs"], [0x63677270, "cgroup2"]]);

function pseudoFs(path: string): string | undefined {
  try { return PSEUDO_FS.get(Number(statfsSync(path).type)); } catch { return undefined; }
}

const reason = (e: unknown) => ((e as Error).message ?? String(e)).split(",")[0];

function statOrUndefined(path: string) {
  try { return statSync(path); } catch { return undefined; }
}

/** The directory can hold new files: create a probe file in it and remove it. */
function probeDir(flag: string, shown: string, dir: string): void {
  const fs = pseudoFs(dir);
  if (fs) throw new UsageError(`${flag} ${shown}: ${dir} is on ${fs}, which holds no output files`);
  const probe = join(dir, `.vfsim-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, "wx"));
    unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`${flag} ${shown}: cannot write in ${dir}: ${reason(e)}`);
  }
}

/**
 * `flag DIR` names a directory that exists or can be created, and that can hold files. The
 * missing components are created one at a time (never a recursive mkdir, which spins under
 * /proc), probed, and removed again: nothing is left behind. UsageError naming the flag.
 */
export function checkOutDir(flag: string, dir: string, shown = dir): void {
  const abs = resolve(dir);
  const missing: string[] = [];
  let at = abs;
  let st = statOrUndefined(at);
  while (!st) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
    st = statOrUndefined(at);
  }
  if (st && !st.isDirectory()) throw new UsageError(`${flag} ${shown}: ${at} is not a directory`);
  const created: string[] = [];
  try {
    for (const d of missing) {
      try { mkdirSync(d); } catch (e) { throw new UsageError(`${flag} ${shown}: cannot create directory ${d}: ${reason(e)}`); }
      created.push(d);
    }
    probeDir(flag, shown, abs);
  } finally {
    for (const d of created.reverse()) { try { rmdirSync(d); } catch { /* left as it is */ } }
  }
}

/** `flag FILE` names a file that can be written: an existing regular file we may write, or a
 *  new file in a directory checkOutDir accepts. */
export function checkOutFile(flag: string, file: string): void {
  const abs = resolve(file);
  const st = statOrUndefined(abs);
  if (!st) return checkOutDir(flag, dirname(abs), file);
  if (st.isDirectory()) throw new UsageError(`${flag} ${file}: is a directory; expected a file`);
  if (!st.isFile()) throw new UsageError(`${flag} ${file}: not a regular file`);
  const fs = pseudoFs(abs);
  if (fs) throw new UsageError(`${flag} ${file}: is on ${fs}, which holds no output files`);
  try { accessSync(abs, constants.W_OK); } catch (e) { throw new UsageError(`${flag} ${file}: cannot write: ${reason(e)}`); }
}
