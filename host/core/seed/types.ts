/** The seed file as read: every field typed, defaults filled (docs/seed-files.md). */

import type { CheckId, CiLookup, FsType, Iterate, OpName, Order, Plant, Prime, RwsemPolicy, Series, Verdict, WaitQueue } from "../abi";

export interface Op {
  op: OpName;
  path?: string; // every op but rename
  from?: string; // rename only
  to?: string; // rename only
  task?: string; // kill only: the name of the thread it sends SIGKILL to
}

export interface Thread {
  name: string;
  ops: Op[];
}

export interface Expectation {
  when?: Record<string, string | boolean>;
  verdict: Verdict | "inconclusive";
  invariant?: CheckId;
  cycle?: string[];
}

export const STRATEGIES = ["random", "pct", "dfs"] as const;
/** A schedule source by name: the seed file's `run.strategy`, `--strategy`. */
export type StrategyName = (typeof STRATEGIES)[number];

/** The seed file's `run` field: how the file asks to be run (flags override it). */
export interface SeedRun {
  strategy: StrategyName;
  seed: bigint;
  schedules: number;
  depth: number;
  preemptions: number;
  ticks: number;
}

/** The seed-file format's version, the `vfsim` field (docs/seed-files.md); independent of the
 *  model's ABI_VERSION. */
export const SEED_FORMAT_VERSION = 1;

export interface SeedFile {
  vfsim: typeof SEED_FORMAT_VERSION;
  name: string;
  /** a counterexample: the name of the seed file it was found in (report.ts counterexample) */
  from?: string;
  about: string;
  kernel: { order: Order; rwsem: RwsemPolicy; waitqueue: WaitQueue; series: Series };
  fs: { type: FsType; prime: Prime; lookupLocks: boolean; iterate: Iterate; atomicOpen?: boolean; nfsPrepared: boolean; needReval: boolean; ciLookup: CiLookup; ciNames: Record<string, string> };
  tree: Record<string, string[]>;
  cached: string[];
  threads: Thread[];
  checks: "all" | CheckId[];
  plant: Plant[];
  variants: Record<string, (string | boolean)[]>;
  expect: Expectation[];
  run: SeedRun;
  schedule?: string;
}
