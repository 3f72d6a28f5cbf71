/**
 * Sweep results: the JSONL lines a sweep streams, reading them back (for --resume and merge),
 * and the summary, which depends only on the completed chunks, never on worker count, shard
 * split, completion order or time.
 *
 * A results file is a sequence of sessions. Each session starts with a `sweep` header line (the
 * plan: strategy, schedules, targets; a resumed sweep appends a new header). After it, for every
 * completed chunk, one append holds that chunk's `failure`, `trap` and `crash` lines followed by
 * its `chunk` line; a chunk without its `chunk` line is not done (an interrupted append). A
 * chunk's `failure` lines hold the first failing schedule of each kind in it, as found. Once the
 * chunks are done, the first failure of each kind of each target is shrunk, once, and a `shrunk`
 * line names its counterexample (a resumed sweep shrinks what an interrupted one did not). The
 * `progress` and `end` lines carry timing and are ignored by the summary.
 */

import { plural } from "../core/report";
import { join } from "node:path";
import { EXIT } from "../core/exit";
import { sameCycle } from "../core/matrix";
import type { ShrinkSize } from "../core/shrink";

/** Schedule indices per chunk: the unit of work, sharding, resume and reporting (the first
 *  failure of each kind in a chunk is recorded, as found). About 60 ms of work on one core. */
export const CHUNK = 16384;

export interface TargetInfo {
  file: string;
  scenario: string;
  /** the variant assignment of the seed file (variantAssignments), {} when it has none */
  variant: Record<string, string | boolean>;
  /** run seed, decimal */
  seed: string;
  depth: number;
  /** hash of the serialized variant seed file: a changed file is a different sweep */
  hash: string;
  /** chunks of this target; every target has the same number */
  chunks: number;
  /** what the seed file expects of this variant (its `expect`), when it says */
  expect?: { verdict: string; invariant?: string; cycle?: string[] };
}

export interface HeaderLine {
  type: "sweep";
  vfsim: 1;
  /** hash of everything that decides results (not the shard): resume and merge compare it */
  key: string;
  strategy: "random" | "pct";
  schedules: number;
  chunk: number;
  shard: { index: number; count: number };
  targets: TargetInfo[];
}

/** What is known of one failing schedule: how it failed and its size before and after shrinking. */
export interface FailureFacts {
  schedule: number;
  verdict: string;
  invariant?: string;
  cycle?: string[];
  before: ShrinkSize;
  after?: ShrinkSize;
}

export interface FailureLine extends FailureFacts {
  type: "failure";
  chunk: number;
  target: number;
  /** the shrunk counterexample, relative to the results file's directory */
  file?: string;
  /** the schedule as found, when shrinking failed */
  choices?: string;
  shrinkError?: string;
}

/** The shrunk counterexample of the first failure of a kind of a target (its failure line has
 *  the same target and schedule). */
export interface ShrunkLine {
  type: "shrunk";
  target: number;
  schedule: number;
  verdict: string;
  invariant?: string;
  cycle?: string[];
  after?: ShrinkSize;
  /** the counterexample, relative to the results file's directory */
  file?: string;
  shrinkError?: string;
}

export interface TrapLine {
  type: "trap";
  chunk: number;
  target: number;
  schedule: number;
  message: string;
  /** the choices up to the trap */
  choices: string;
}

export interface CrashLine {
  type: "crash";
  chunk: number;
  target: number;
  /** the schedule a worker died on, -1 when unknown */
  schedule: number;
  /** schedules of the chunk left unrun after giving up on it */
  skipped: number;
  message: string;
}

export interface KindTally {
  verdict: string;
  invariant?: string;
  count: number;
  first: number;
}

export interface ChunkLine {
  type: "chunk";
  id: number;
  target: number;
  from: number;
  count: number;
  /** schedules run (count minus any skipped after worker deaths) */
  schedules: number;
  ticks: number;
  kinds: KindTally[];
}

export interface TimingLine {
  type: "progress" | "end";
  schedules: number;
  failures: number;
  seconds: number;
  schedulesPerSecond: number;
}

export type Line = HeaderLine | FailureLine | ShrunkLine | TrapLine | CrashLine | ChunkLine | TimingLine;

/** Key of a shrunk line: target and schedule. */
export const shrunkKey = (x: { target: number; schedule: number }) => `${x.target}/${x.schedule}`;

export interface ChunkRecord {
  chunk: ChunkLine;
  failures: FailureLine[];
  traps: TrapLine[];
  crashes: CrashLine[];
}

export interface ResultsFile {
  header: HeaderLine;
  /** the latest record of every completed chunk */
  records: Map<number, ChunkRecord>;
  /** shrunk counterexamples by shrunkKey */
  shrunk: Map<string, ShrunkLine>;
  /** seconds of each session (its last timing line) */
  sessionSeconds: number[];
  /** byte length of the complete lines; more bytes means an interrupted last append */
  validBytes: number;
  /** bytes after the last complete line (an interrupted write), 0 when none */
  cutOff: number;
}

export class ResultsError extends Error {}

/** Parses a results file. A last line without its newline is an interrupted write and is left
 *  out (validBytes says where it starts); any other bad line is an error. */
export function readResults(text: string, name: string): ResultsFile {
  const end = text.lastIndexOf("\n") + 1;
  const lines = text.slice(0, end).split("\n").slice(0, -1);
  let header: HeaderLine | undefined;
  const records = new Map<number, ChunkRecord>();
  const shrunk = new Map<string, ShrunkLine>();
  const sessionSeconds: number[] = [];
  let pending: ChunkRecord = { chunk: undefined!, failures: [], traps: [], crashes: [] };
  lines.forEach((text, i) => {
    let line: Line;
    try {
      line = JSON.parse(text);
    } catch {
      throw new ResultsError(`${name}:${i + 1}: not a JSON line`);
    }
    if (i === 0 && line.type !== "sweep") throw new ResultsError(`${name}:1: not a vfsim sweep results file (the first line is not a sweep header)`);
    switch (line.type) {
      case "sweep":
        if (header && line.key !== header.key) throw new ResultsError(`${name}:${i + 1}: a session of a different sweep (key ${line.key}, first ${header.key})`);
        header ??= line;
        sessionSeconds.push(0);
        pending = { chunk: undefined!, failures: [], traps: [], crashes: [] };
        break;
      case "failure": pending.failures.push(line); break;
      case "shrunk": shrunk.set(shrunkKey(line), line); break;
      case "trap": pending.traps.push(line); break;
      case "crash": pending.crashes.push(line); break;
      case "chunk":
        records.set(line.id, { ...pending, chunk: line });
        pending = { chunk: undefined!, failures: [], traps: [], crashes: [] };
        break;
      case "progress":
      case "end":
        sessionSeconds[sessionSeconds.length - 1] = line.seconds;
        break;
      default:
        throw new ResultsError(`${name}:${i + 1}: unknown line type ${JSON.stringify((line as { type: unknown }).type)}`);
    }
  });
  if (!header) throw new ResultsError(`${name}: empty results file`);
  return { header, records, shrunk, sessionSeconds, validBytes: Buffer.byteLength(text.slice(0, end)), cutOff: Buffer.byteLength(text.slice(end)) };
}

/** Records whose counterexample paths (relative to their results file) are made relative to the
 *  working directory, for printing: `dir` is the results file's directory. */
export function relocated(records: Map<number, ChunkRecord>, dir: string): Map<number, ChunkRecord> {
  const out = new Map<number, ChunkRecord>();
  for (const [id, r] of records) out.set(id, { ...r, failures: r.failures.map((f) => (f.file ? { ...f, file: join(dir, f.file) } : f)) });
  return out;
}

/** Shrunk lines with their counterexample paths made relative to the working directory. */
export function relocatedShrunk(shrunk: Map<string, ShrunkLine>, dir: string): Map<string, ShrunkLine> {
  const out = new Map<string, ShrunkLine>();
  for (const [k, x] of shrunk) out.set(k, x.file ? { ...x, file: join(dir, x.file) } : x);
  return out;
}

/** Chunk `id` of a sweep of T targets is chunk floor(id / T) of target id % T: round-robin over
 *  the targets, so any residue class mod n (a shard) gets a similar mix of targets, and of full
 *  and short last chunks. */
export function chunkRange(h: HeaderLine, id: number): { target: number; from: number; count: number } {
  const target = id % h.targets.length;
  const from = Math.floor(id / h.targets.length) * h.chunk;
  return { target, from, count: Math.min(h.chunk, h.schedules - from) };
}

/** Chunk ids of shard `index` of `count`: a shard takes chunk c when c % count == index. */
export function shardChunks(header: HeaderLine, index: number, count: number): number[] {
  const ids: number[] = [];
  const total = header.targets.reduce((n, t) => n + t.chunks, 0);
  for (let c = index; c < total; c += count) ids.push(c);
  return ids;
}

// ---------------------------------------------------------------------------------------------
// The summary

export interface KindSummary extends KindTally {
  /** the failure line of the first failing schedule of this kind, when it was reported */
  example?: FailureLine;
  /** the target's seed file expects this failure (verdict, invariant, and the cycle when both
   *  name one); undefined when the seed file expects nothing of the variant */
  expected?: boolean;
}

export interface TargetSummary {
  file: string;
  scenario: string;
  variant: Record<string, string | boolean>;
  seed: string;
  schedules: number;
  failing: number;
  kinds: KindSummary[];
  expect?: TargetInfo["expect"];
}

export interface Summary {
  strategy: string;
  schedules: number;
  ticks: number;
  failures: number;
  traps: TrapLine[];
  crashes: CrashLine[];
  targets: TargetSummary[];
  /** the first failure of each kind of each target, with its shrunk counterexample when there is
   *  one, by target then schedule */
  found: FailureLine[];
  /** chunks expected but not in the results */
  missing: number[];
}

const kindKey = (k: { verdict: string; invariant?: string }) => `${k.verdict}/${k.invariant ?? ""}`;
const bySchedule = <T extends { target: number; schedule: number }>(a: T, b: T) => a.target - b.target || a.schedule - b.schedule;

/** The summary of the records among `expected` chunk ids; `shrunk` adds the counterexamples. */
export function summarize(header: HeaderLine, records: Map<number, ChunkRecord>, expected: number[], shrunk: Map<string, ShrunkLine> = new Map()): Summary {
  const targets: TargetSummary[] = header.targets.map((t) => ({ file: t.file, scenario: t.scenario, variant: t.variant, seed: t.seed, schedules: 0, failing: 0, kinds: [], ...(t.expect ? { expect: t.expect } : {}) }));
  const s: Summary = { strategy: header.strategy, schedules: 0, ticks: 0, failures: 0, traps: [], crashes: [], targets, found: [], missing: [] };
  const kinds = targets.map(() => new Map<string, KindSummary>());
  for (const id of expected) {
    const r = records.get(id);
    if (!r) { s.missing.push(id); continue; }
    const t = targets[r.chunk.target];
    t.schedules += r.chunk.schedules;
    s.ticks += r.chunk.ticks;
    for (const k of r.chunk.kinds) {
      t.failing += k.count;
      const known = kinds[r.chunk.target].get(kindKey(k));
      if (!known) kinds[r.chunk.target].set(kindKey(k), { ...k });
      else { known.count += k.count; known.first = Math.min(known.first, k.first); }
    }
    s.found.push(...r.failures);
    s.traps.push(...r.traps);
    s.crashes.push(...r.crashes);
  }
  s.traps.sort(bySchedule);
  s.crashes.sort((a, b) => a.chunk - b.chunk || a.schedule - b.schedule);
  const examples: FailureLine[] = [];
  for (const f of s.found) {
    const k = kinds[f.target].get(kindKey(f));
    if (!k || k.first !== f.schedule) continue;
    const x = shrunk.get(shrunkKey(f));
    const { choices, ...facts } = f;
    k.example = x
      ? { ...facts, ...(x.cycle ? { cycle: x.cycle } : {}), ...(x.after ? { after: x.after } : {}), ...(x.file ? { file: x.file } : { choices, shrinkError: x.shrinkError }) }
      : f;
    examples.push(k.example);
  }
  s.found = examples.sort(bySchedule);
  targets.forEach((t, i) => {
    t.kinds = [...kinds[i].values()].sort((a, b) => a.first - b.first);
    if (t.expect) for (const k of t.kinds) k.expected = expects(t.expect, k);
    s.schedules += t.schedules;
    s.failures += t.failing;
  });
  return s;
}

/** Whether a failure kind is the one the seed file expects (the cycle is compared when both the
 *  expectation and the shrunk example name one, as the matrix does). */
function expects(e: NonNullable<TargetInfo["expect"]>, k: KindSummary): boolean {
  if (e.verdict !== k.verdict || (e.invariant !== undefined && e.invariant !== k.invariant)) return false;
  return !e.cycle || !k.example?.cycle || sameCycle(e.cycle, k.example.cycle);
}

export interface Timing {
  seconds: number;
  /** schedules run in that time (a resumed sweep's earlier sessions are not in it) */
  schedules: number;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export function summaryJson(s: Summary, t: Timing): Record<string, unknown> {
  return {
    schedules: s.schedules,
    seconds: round(t.seconds, 3),
    schedulesPerSecond: t.seconds > 0 ? Math.round(t.schedules / t.seconds) : 0,
    failures: s.failures,
    ticks: s.ticks,
    strategy: s.strategy,
    complete: s.missing.length === 0,
    missingChunks: s.missing,
    traps: s.traps,
    crashes: s.crashes,
    targets: s.targets.map((x) => ({ ...x, kinds: x.kinds.map(({ example, ...k }) => ({ ...k, ...(example?.file ? { file: example.file } : {}), ...(example?.cycle ? { cycle: example.cycle } : {}) })) })),
    found: s.found,
  };
}

function variantText(v: Record<string, string | boolean>): string {
  const parts = Object.entries(v).map(([k, x]) => `${k.split(".")[1]}=${x}`);
  return parts.length ? parts.join(" ") : "(as written)";
}

function kindText(k: KindSummary): string {
  const what = k.invariant ? `${k.verdict} ${k.invariant}` : k.verdict;
  const cycle = k.example?.cycle ? ` ${k.example.cycle.join("->")}` : "";
  return `${what}${cycle}`;
}

function shrunkText(f: FailureLine | undefined): string {
  if (!f) return "";
  if (!f.after) return f.shrinkError ? `not shrunk: ${f.shrinkError}` : "not shrunk yet (resume the sweep to shrink it)";
  const before = f.before.preemptions < 0 ? "?" : String(f.before.preemptions);   // -1: not counted by the worker
  return `${f.before.ticks}->${f.after.ticks} ${f.after.ticks === 1 ? "tick" : "ticks"}, ${before}->${f.after.preemptions} ${f.after.preemptions === 1 ? "preemption" : "preemptions"}`;
}

function expectText(e: NonNullable<TargetInfo["expect"]>): string {
  return [e.verdict, e.invariant, e.cycle?.join("->")].filter(Boolean).join(" ");
}

const HEAD = ["scenario", "variant", "schedules", "failing", "first", "kind", "shrunk", "counterexample"];

export function summaryText(s: Summary, t: Timing): string {
  const rows: string[][] = [];
  for (const x of s.targets) {
    const base = [x.scenario, variantText(x.variant), String(x.schedules), String(x.failing)];
    // sampled schedules never exhaust a space: a target with no failure is "no failure", never "ok"
    if (x.kinds.length === 0) rows.push([...base, "", `no failure${x.expect && x.expect.verdict !== "ok" && x.expect.verdict !== "inconclusive" ? ` (EXPECTED ${expectText(x.expect)}: not found)` : ""}`, "", ""]);
    x.kinds.forEach((k, i) => {
      const file = k.example?.file ?? "";
      const verdict = k.expected === undefined ? "" : k.expected ? " expected" : ` UNEXPECTED${x.expect ? ` (expects ${expectText(x.expect)})` : ""}`;
      rows.push([...(i === 0 ? base : ["", "", "", ""]), String(k.first), `${kindText(k)} (${k.count})${verdict}`, shrunkText(k.example), file]);
    });
  }
  const all = [HEAD, ...rows];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const lines = all.map((r) => r.map((x, i) => x.padEnd(widths[i])).join("  ").trimEnd());
  for (const x of s.traps) lines.push(`model trap: ${s.targets[x.target].scenario} ${variantText(s.targets[x.target].variant)} schedule ${x.schedule}: ${x.message} (choices ${x.choices})`);
  for (const x of s.crashes) lines.push(`worker died: ${s.targets[x.target].scenario} ${variantText(s.targets[x.target].variant)} ${x.schedule >= 0 ? `schedule ${x.schedule}` : `chunk ${x.chunk}`}: ${x.message}${x.schedule < 0 ? ` (${plural(x.skipped, "schedule")} not run)` : ""}`);
  const unexpected = s.targets.filter((x) => x.kinds.some((k) => k.expected === false)).length;
  const notFound = s.targets.filter((x) => x.kinds.length === 0 && x.expect && x.expect.verdict !== "ok" && x.expect.verdict !== "inconclusive").length;
  const judged = s.targets.filter((x) => x.expect).length;
  if (judged) lines.push(`against the seed files' expect: ${judged - unexpected - notFound} of ${plural(judged, "target")} consistent with it${unexpected ? `, ${unexpected} with an UNEXPECTED failure` : ""}${notFound ? `, ${notFound} whose expected failure was not found` : ""} (sampled schedules: an expected ok is not proved, a failure not found is not disproved)`);
  if (s.missing.length) lines.push(`incomplete: ${plural(s.missing.length, "chunk")} missing (${s.missing.slice(0, 8).join(", ")}${s.missing.length > 8 ? ", ..." : ""})`);
  const rate = t.seconds > 0 ? Math.round(t.schedules / t.seconds) : 0;
  lines.push("");
  lines.push(`${plural(s.schedules, "schedule")} (${plural(s.ticks, "tick")}), ${s.failures} failing, ${plural(s.traps.length, "model trap")}, ${plural(s.crashes.length, "worker death")}; ${t.seconds.toFixed(1)} s, ${rate} schedules/s`);
  if (exitCode(s) === EXIT.inconclusive) lines.push(`inconclusive: no failure in ${plural(s.schedules, "sampled schedule")}${s.missing.length ? `, ${plural(s.missing.length, "chunk")} missing` : ""}; a sweep samples schedules and proves nothing clean (exit ${EXIT.inconclusive}); \`vfsim run --strategy dfs\` exhausts a bounded space`);
  return lines.join("\n");
}

/** Exit status: 3 a model trap or a worker death, 1 a failure, else 4 (inconclusive): random and
 *  PCT schedules sample a space and never exhaust it, so a sweep with no failure, complete or with
 *  chunks missing, has proved nothing clean. A sweep never exits 0. */
export function exitCode(s: Summary): number {
  if (s.traps.length || s.crashes.length) return EXIT.modelBug;
  return s.failures ? EXIT.failure : EXIT.inconclusive;
}
