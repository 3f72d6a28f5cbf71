/**
 * Command-line helpers of the sweep, merge and shrink commands, in the style of cli.ts. Flags are
 * `--name value` or `--name=value`, booleans take no value, list flags (`--set`) repeat. Bad
 * input throws UsageError (exit 2) naming the flag or file first. `guarded` turns the errors
 * every command shares into exit codes, so a command behaves the same called from main() or
 * directly from a test.
 */

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseSeedFile, SeedError, type SeedFile } from "../core/scenario";
import { ModelTrap } from "../core/wasm";

/** Bad command-line input (a flag, a file, a seed file): exit 2. */
export class UsageError extends Error {}

export interface FlagSpec {
  values: string[];
  bools: string[];
  /** value flags that may repeat (collected in order) */
  lists?: string[];
}

export interface Flags {
  positional: string[];
  values: Map<string, string>;
  lists: Map<string, string[]>;
  bools: Set<string>;
}

export function parseArgs(cmd: string, args: string[], spec: FlagSpec): Flags {
  const f: Flags = { positional: [], values: new Map(), lists: new Map(), bools: new Set() };
  const lists = spec.lists ?? [];
  const known = [...spec.values, ...lists, ...spec.bools];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) { f.positional.push(a); continue; }
    const eq = a.indexOf("=");
    const [name, inline] = eq >= 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    if (!known.includes(name)) throw new UsageError(`${name}: unknown flag for vfsim ${cmd}; expected one of ${known.join(", ") || "(none)"}`);
    if (spec.bools.includes(name)) {
      if (inline !== undefined) throw new UsageError(`${name}: takes no value`);
      f.bools.add(name);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`${name}: expected a value`);
    if (lists.includes(name)) f.lists.set(name, [...(f.lists.get(name) ?? []), value]);
    else f.values.set(name, value);
  }
  return f;
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
