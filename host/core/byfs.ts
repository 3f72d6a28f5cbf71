/**
 * `vfsim matrix --by-fs`: the per-filesystem table a reviewer pastes into the thread. For every
 * modelled filesystem (FS_TYPES), every priming call it can use (FS_PRIMES), both lock orders,
 * and every value of the `kernel.series` axis when the model has one, it runs two fixed shapes
 * through the whole state space (dfs, no preemption bound) and reports what came back:
 *
 *   (a)   R lists D, L stats D/x, W unlinks D/w        kernel-model.md 8(a)
 *   (a')  R lists D (y exists, not cached), W mkdirs D/y  kernel-model.md 8(a')
 *
 * (a)'s writer unlinks an existing name rather than mkdir a new one so that it reaches the
 * exclusive lock on every filesystem: procfs and /proc/sys fail a mkdir of a missing name with
 * -ENOENT at the lookup, which in the proposed order comes before any lock (their unlink fails
 * with -EPERM only once the directory is held exclusive).
 *
 * with every check but owner-only (and lockdep); then (a) again with Al Viro's owner-only
 * invariant added, and, when the model has a "lockdep" check, with lockdep added. Nothing in the
 * table is written by hand: each cell is the verdict string the run returned.
 */

import { CHECKS, FS_TYPES, SERIES, type CheckId, type FsType, type Prime } from "./abi";
import { runScenario, type RunReport } from "./run";
import { encodeScenario, FS_PRIMES, SEED_FORMAT_VERSION, validateSeedObject, type SeedFile } from "./seed";

/** The priming call each filesystem's readdir makes in Linux today, and the one the 2026 series
 *  gives it (docs/model.md "Filesystems" has the sources). */
export const CALL_TODAY: Record<FsType, Prime> = {
  procfs: "d_alloc_parallel", nfs: "d_alloc_parallel", fuse: "d_alloc_parallel", smb: "d_alloc_parallel",
  "proc-sys": "d_alloc_parallel", overlayfs: "d_alloc_parallel",
};
export const CALL_SERIES: Record<FsType, Prime> = {
  procfs: "drop-lock", nfs: "d_alloc_trylock", fuse: "d_alloc_trylock", smb: "d_alloc_trylock",
  "proc-sys": "drop-lock", overlayfs: "d_alloc_trylock",
};

/** The directory the shapes run in, per filesystem. */
const DIR: Record<FsType, string> = { procfs: "/proc", nfs: "/d", fuse: "/d", smb: "/d", "proc-sys": "/proc/sys", overlayfs: "/d" };

/** The dfs budget of every cell: distinct states stored. */
export const BY_FS_MAX_STATES = 10_000_000;

const hasCheck = (c: string) => (CHECKS as readonly string[]).includes(c);
/** A revision of the series has d_alloc_locked (and lock_lookup) only in the Aug 2025 posting
 *  (seed/rules.ts checkSeries): later revisions get no d_alloc_locked rows. */
const seriesHas = (series: string, prime: Prime) => series === "aug-2025" || prime !== "d_alloc_locked";

function cached(dir: string): string[] {
  const parts = dir.split("/").filter(Boolean);
  return parts.map((_, i) => "/" + parts.slice(0, i + 1).join("/"));
}

function shape(kind: "a" | "a'", fs: FsType, prime: Prime, order: string, series: string | undefined, checks: string[]): SeedFile {
  const d = DIR[fs];
  const raw: Record<string, unknown> = {
    vfsim: SEED_FORMAT_VERSION,
    name: `by-fs-${kind === "a" ? "a" : "a-prime"}-${fs}`,
    kernel: { order, ...(series !== undefined ? { series } : {}) },
    fs: { type: fs, prime, lookupLocks: prime === "d_alloc_locked" },
    tree: { [d]: kind === "a" ? ["x", "w"] : ["y"] },
    cached: cached(d),
    threads: kind === "a"
      ? [
        { name: "R", ops: [{ op: "getdents", path: d }] },
        { name: "L", ops: [{ op: "stat", path: `${d}/x` }] },
        { name: "W", ops: [{ op: "unlink", path: `${d}/w` }] },
      ]
      : [
        { name: "R", ops: [{ op: "getdents", path: d }] },
        { name: "W", ops: [{ op: "mkdir", path: `${d}/y` }] },
      ],
    checks,
    run: { strategy: "dfs", preemptions: -1, schedules: BY_FS_MAX_STATES },
  };
  return validateSeedObject(raw);
}

function run(module: WebAssembly.Module, s: SeedFile): RunReport {
  return runScenario(module, s, encodeScenario(s), {
    strategy: "dfs", seed: s.run.seed, schedules: s.run.schedules, depth: s.run.depth, preemptions: s.run.preemptions,
  });
}

/** A cell: the verdict string as returned, the cycle of a deadlock, and what limits it. */
export function cellText(r: RunReport, column?: CheckId | "lockdep"): string {
  let t = r.invariant ? `${r.verdict} ${r.invariant}` : r.verdict;
  if (r.cycle?.length) t += ` ${r.cycle.map((e) => e.task).join("→")}`;
  if (r.verdict === "inconclusive") t += ` (not exhaustive${r.stopped ? `: ${r.stopped}` : ""})`;
  // an "ok" that did not exhaust its space cannot come out of runScenario; never print one as ok
  if (r.verdict === "ok" && !r.exhaustive) t += " (not exhaustive: budget spent)";
  if (column && r.verdict !== "ok" && r.verdict !== "inconclusive" && r.invariant !== column) t += ` (stopped first; ${column} undecided)`;
  return t;
}

export interface ByFsRow {
  fs: FsType;
  prime: Prime;
  order: string;
  series?: string;
  a: RunReport;
  aPrime: RunReport;
  ownerOnly: RunReport;
  lockdep?: RunReport;
}

export interface ByFsOptions {
  /** only these filesystems (default: all) */
  fs?: FsType[];
  /** only these series revisions (default: all of SERIES) */
  series?: (typeof SERIES)[number][];
  onRow?: (row: ByFsRow) => void;
}

export function runByFs(module: WebAssembly.Module, opts: ByFsOptions = {}): ByFsRow[] {
  const base = CHECKS.filter((c) => c !== "owner-only" && c !== ("lockdep" as string));
  const rows: ByFsRow[] = [];
  for (const fs of opts.fs ?? FS_TYPES) {
    for (const prime of FS_PRIMES[fs]) {
      for (const order of ["current", "proposed"]) {
        for (const series of opts.series ?? SERIES) {
          if (!seriesHas(series, prime)) continue;
          const row: ByFsRow = {
            fs, prime, order, ...(series !== undefined ? { series } : {}),
            a: run(module, shape("a", fs, prime, order, series, base)),
            aPrime: run(module, shape("a'", fs, prime, order, series, base)),
            ownerOnly: run(module, shape("a", fs, prime, order, series, [...base, "owner-only"])),
            ...(hasCheck("lockdep") ? { lockdep: run(module, shape("a", fs, prime, order, series, [...base, "lockdep"])) } : {}),
          };
          rows.push(row);
          opts.onRow?.(row);
        }
      }
    }
  }
  return rows;
}

function statesOf(rows: RunReport[]): string {
  return String(rows.reduce((n, r) => n + (r.states ?? 0), 0));
}

export function byFsMarkdown(rows: ByFsRow[]): string {
  const series = rows.some((r) => r.series !== undefined);
  const lockdep = rows.some((r) => r.lockdep);
  const head = ["filesystem", "priming call", "Linux", "order", ...(series ? ["series"] : []), "(a) readdir + lookup + unlink", "(a') readdir + exclusive create", "owner-only on (a)", ...(lockdep ? ["lockdep on (a)"] : []), "states"];
  const esc = (x: string) => x.replace(/\|/g, "\\|");
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const r of rows) {
    const calls = [CALL_TODAY[r.fs] === r.prime ? "today" : "", CALL_SERIES[r.fs] === r.prime ? "2026 series" : ""].filter(Boolean).join(", ");
    const cells = [
      r.fs, r.prime, calls, r.order, ...(series ? [r.series ?? ""] : []),
      cellText(r.a), cellText(r.aPrime), cellText(r.ownerOnly, "owner-only"), ...(lockdep ? [r.lockdep ? cellText(r.lockdep, "lockdep") : ""] : []),
      statesOf([r.a, r.aPrime, r.ownerOnly, ...(r.lockdep ? [r.lockdep] : [])]),
    ];
    lines.push(`| ${cells.map(esc).join(" | ")} |`);
  }
  return lines.join("\n");
}

export function byFsJson(rows: ByFsRow[]): unknown[] {
  const cell = (r: RunReport) => ({ verdict: r.verdict, invariant: r.invariant, cycle: r.cycle?.map((e) => e.task), exhaustive: r.exhaustive, states: r.states, ...(r.stopped ? { stopped: r.stopped } : {}) });
  return rows.map((r) => ({
    fs: r.fs, prime: r.prime, order: r.order, ...(r.series !== undefined ? { series: r.series } : {}),
    today: CALL_TODAY[r.fs] === r.prime, series2026: CALL_SERIES[r.fs] === r.prime,
    a: cell(r.a), aPrime: cell(r.aPrime), ownerOnly: cell(r.ownerOnly), ...(r.lockdep ? { lockdep: cell(r.lockdep) } : {}),
  }));
}
