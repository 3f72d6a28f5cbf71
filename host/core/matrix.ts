/**
 * The matrix: every scenario under every variant its seed file lists, each run with the file's
 * own strategy and budget, compared with the verdict the file expects for that variant.
 */

import { runScenario, type RunReport } from "./run";
import type { CycleEdge } from "./trace";
import { shrinkReport } from "./shrink";
import { encodeScenario, expectationFor, variantAssignments, variantOf, type Expectation, type SeedFile } from "./seed";

export interface MatrixCell {
  scenario: string;
  file: string;
  variant: Record<string, string | boolean>;
  report: RunReport;
  expected?: Expectation;
  /** false when the file states an expectation and the run disagrees */
  matches: boolean;
}

export function sameCycle(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  const start = b.indexOf(a[0]);
  return start >= 0 && a.every((t, i) => b[(start + i) % b.length] === t);
}

export function meets(r: RunReport, e: Expectation | undefined): boolean {
  if (!e) return true;
  if (r.verdict !== e.verdict) return false;
  if (e.invariant && r.invariant !== e.invariant) return false;
  if (e.cycle && !sameCycle(e.cycle, r.cycle?.map((c) => c.task) ?? [])) return false;
  return true;
}

/** One cell. With `shortest`, a failure's schedule is shrunk (fewest preemptions, then ticks;
 *  the scenario itself is kept), so the cell reports the shrunk counterexample's length. `lean`:
 *  the lean build, for random and PCT batches (RunOptions.lean). */
export function runCell(module: WebAssembly.Module, file: string, s: SeedFile, variant: Record<string, string | boolean>, shortest = false, lean?: WebAssembly.Module): MatrixCell {
  const v = variantOf(s, variant);
  let report = runScenario(module, v, encodeScenario(v), {
    strategy: v.run.strategy, seed: v.run.seed, schedules: v.run.schedules, depth: v.run.depth, preemptions: v.run.preemptions, lean,
  });
  if (shortest && report.choices) report = shrinkReport(module, v, report, { scenario: false }).report;
  const expected = expectationFor(v);
  return { scenario: s.name, file, variant, report, expected, matches: meets(report, expected) };
}

export function runMatrix(module: WebAssembly.Module, files: { file: string; seed: SeedFile }[], shortest = false, lean?: WebAssembly.Module): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const { file, seed } of files) {
    for (const variant of variantAssignments(seed)) cells.push(runCell(module, file, seed, variant, shortest, lean));
  }
  return cells;
}

function variantText(v: Record<string, string | boolean>): string {
  const parts = Object.entries(v).map(([k, x]) => `${k.split(".")[1]}=${x}`);
  return parts.length ? parts.join(" ") : "(as written)";
}

function outcome(r: RunReport): string {
  return r.invariant ? `${r.verdict} ${r.invariant}` : r.verdict;
}

function expectedText(e: Expectation | undefined): string {
  if (!e) return "";
  return e.invariant ? `${e.verdict} ${e.invariant}` : e.verdict;
}

const HEAD = ["scenario", "variant", "verdict", "cycle", "SIGKILL", "explored", "exhaustive", "ticks", "expected", "agrees"];
// "SIGKILL": for a deadlock, "D state" when every wait in the cycle is uninterruptible, else the
// tasks whose killable wait a SIGKILL ends; "ticks": the length of the (shortest) counterexample;
// "agrees": ok, or MISMATCH with "expected"

function killText(cycle: CycleEdge[] | undefined): string {
  if (!cycle || cycle.length === 0) return "";
  const k = cycle.filter((c) => c.killable).map((c) => c.task);
  return k.length === 0 ? "D state" : `breaks: ${k.join(",")}`;
}

function rows(cells: MatrixCell[]): string[][] {
  return cells.map((c) => [
    c.scenario,
    variantText(c.variant),
    outcome(c.report),
    c.report.cycle ? c.report.cycle.map((e) => e.task).join("->") : "",
    killText(c.report.cycle),
    c.report.states !== undefined ? `${c.report.states} ${c.report.states === 1 ? "state" : "states"}` : `${c.report.schedules} ${c.report.schedules === 1 ? "schedule" : "schedules"}`,
    c.report.exhaustive ? "yes" : "no",
    c.report.ticks !== undefined ? String(c.report.ticks) : "",
    expectedText(c.expected),
    c.expected ? (c.matches ? "ok" : "MISMATCH") : "",
  ]);
}

export function matrixText(cells: MatrixCell[]): string {
  const all = [HEAD, ...rows(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((x, i) => x.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

export function matrixMarkdown(cells: MatrixCell[]): string {
  const esc = (x: string) => x.replace(/\|/g, "\\|");
  const lines = [`| ${HEAD.join(" | ")} |`, `|${HEAD.map(() => "---").join("|")}|`];
  for (const r of rows(cells)) lines.push(`| ${r.map(esc).join(" | ")} |`);
  return lines.join("\n");
}

export function matrixJson(cells: MatrixCell[]): unknown[] {
  return cells.map((c) => ({
    scenario: c.scenario,
    file: c.file,
    variant: c.variant,
    verdict: c.report.verdict,
    invariant: c.report.invariant,
    cycle: c.report.cycle?.map((e) => e.task),
    killable: c.report.cycle?.map((e) => e.killable),
    schedules: c.report.schedules,
    states: c.report.states,
    exhaustive: c.report.exhaustive,
    ticks: c.report.ticks,
    expected: c.expected ? { verdict: c.expected.verdict, invariant: c.expected.invariant, cycle: c.expected.cycle } : undefined,
    matches: c.matches,
  }));
}
