/**
 * Command-line helpers of every command. Each command has one table of flags (CommandDef); its
 * `--help` is generated from it. Flags are `--name value` or `--name=value`, booleans take no
 * value, list flags (`--set`) repeat, a value flag given twice is an error. Bad
 * input throws UsageError (exit 2) naming the flag or file first. `guarded` turns the errors
 * every command shares into exit codes, so a command behaves the same called from main() or
 * directly from a test.
 */

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs as nodeParseArgs } from "node:util";
import { parseSeedFile, SeedError, type SeedFile } from "../core/scenario";
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
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as Error).message}`);
  }
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

/** Files as given; a directory stands for its *.json files in name order. */
export function seedPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try { st = statSync(p); } catch { throw new UsageError(`${p}: no such file or directory`); }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (name.endsWith(".json")) out.push(join(p, name));
    } else out.push(p);
  }
  return out;
}
