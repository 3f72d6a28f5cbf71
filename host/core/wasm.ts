/**
 * Loading the kernel model: compile the module once, instantiate it many times. A `Model` is one
 * instance with typed access to its exports and its buffers. Views on linear memory are made
 * fresh after every call (memory may grow), never cached.
 */

import { RESULT_WORDS, EV_WORDS, TALLY_WORDS } from "./abi";
import type { VisitedSet } from "./visited";

export interface ModelExports {
  memory: WebAssembly.Memory;
  lean_build(): number;
  scenario_ptr(): number;
  load_scenario(): number;
  begin(): void;
  runnable_mask(): number;
  tick(t: number): number;
  tick_unrecorded(t: number): number;
  tick_count(): number;
  preemptions(): number;
  verdict(): number;
  run_batch(strategy: number, seed: bigint, first: number, count: number, depth: number, k: number): number;
  run_batch_tally(strategy: number, seed: bigint, first: number, count: number, depth: number, k: number): number;
  tally_ptr(): number;
  ticks_total(): bigint;
  run_replay(n: number): number;
  choices_ptr(): number;
  choices_len(): number;
  set_trace(on: number): void;
  trace_ptr(): number;
  trace_len(): number;
  trace_lost(): number;
  result_ptr(): number;
  state_bytes(): number;
  snapshot_save(slot: number): number;
  snapshot_load(slot: number): void;
  state_ptr(): number;
  state_saved_bytes(): number;
  dfs_start(bound: number, maxStates: bigint, symmetry: number, por: number): void;
  dfs_run(budget: bigint): number;
  dfs_host_table(on: number): void;
  dfs_donate(): number;
  dfs_share_ptr(): number;
  dfs_share_frame(k: number): number;
  dfs_start_at(bound: number, maxStates: bigint, symmetry: number, por: number, last: number, used: number, opts: number): void;
  dfs_table_selftest(n: number, bounded: number): number;
  dfs_ample_cuts(): bigint;
  dfs_path_ptr(): number;
  dfs_path_len(): number;
  dfs_states(): bigint;
  dfs_transitions(): bigint;
  dfs_schedules(): bigint;
  dfs_revisits(): bigint;
  dfs_exhausted(): number;
  dfs_max_depth(): number;
  dfs_symmetric(): number;
  /** measurement only (bench/canon-measure.ts): force a state-hash variant, -1 the default */
  dfs_canon_mode(mode: number): void;
  dfs_canon_fallbacks(): bigint;
  /** tests only: check the incremental canonical hash against a full one at every state */
  dfs_canon_verify(on: number): void;
  dfs_table_full(): number;
  state_hash(): bigint;
  state_view(): number;
  view_ptr(): number;
  coverage_ptr(): number;
  coverage_bytes(): number;
  coverage_reset(): void;
  lockdep_edge(a: number, b: number): number;
  fn_count(): number;
  fn_name(fn: number): number;
  state_name(fn: number, pc: number): number;
}

/** One kind of failure of a tallied batch (Model.runBatchTally). */
export interface TallyEntry {
  /** verdict code (host/core/abi.ts VERDICTS) */
  code: number;
  /** a violation's check id (CHECKS); -1 for any other verdict */
  check: number;
  count: number;
  /** the schedule index of the first */
  first: number;
}

/** The model itself broke (an assertion in assembly/ or a wasm trap): a vfsim bug, not a kernel
 *  finding. Carries the message; the caller adds the schedule that caused it. */
export class ModelTrap extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelTrap";
  }
}

/** Read an AssemblyScript string (UTF-16LE, byte length stored just before the data). */
export function readString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return "";
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  const units = new Uint16Array(memory.buffer, ptr, bytes >>> 1);
  let s = "";
  for (let i = 0; i < units.length; i += 4096) s += String.fromCharCode(...units.subarray(i, i + 4096));
  return s;
}

export function compileModel(bytes: BufferSource): Promise<WebAssembly.Module> {
  return WebAssembly.compile(bytes);
}

/** Function and state names of the model, for the trace renderer. */
export interface Names {
  fn: string[];
  state: string[][]; // state[fn][pc]
}

export class Model {
  /** the raw exports: for this file, and for tests and measurements that probe the model */
  readonly x: ModelExports;
  private names_?: Names;
  /** the visited-state table of an exhaustive search kept in the host (host/core/explore.ts), or
   *  the table shared by the workers of a parallel one (host/core/shared_visited.ts) */
  visited?: VisitedSet;
  /** scenarios loaded so far: what is cached about the loaded scenario is valid for one load */
  loads = 0;

  constructor(module: WebAssembly.Module) {
    let memory: WebAssembly.Memory | undefined;
    const imports = {
      env: {
        abort(msg: number, file: number, line: number, col: number) {
          const text = memory ? readString(memory, msg) : "abort";
          const where = memory && file ? ` (${readString(memory, file)}:${line}:${col})` : "";
          throw new ModelTrap(text + where);
        },
      },
      vfsim: {
        visited_insert: (lo: number, hi: number, used: number): number => {
          if (!this.visited) throw new ModelTrap("dfs: the host table is in use but none is set");
          return this.visited.insert(lo >>> 0, hi >>> 0, used);
        },
      },
    };
    const instance = new WebAssembly.Instance(module, imports);
    this.x = instance.exports as unknown as ModelExports;
    memory = this.x.memory;
  }

  /** Write scenario words and build the initial state. Throws on a word the model rejects. */
  load(words: Int32Array): void {
    new Int32Array(this.x.memory.buffer, this.x.scenario_ptr(), words.length).set(words);
    this.loads++;
    const r = this.x.load_scenario();
    if (r !== 0) throw new ModelTrap(`the model rejected scenario word ${-r - 1}`);
  }

  result(): Int32Array {
    const p = this.x.result_ptr();
    return new Int32Array(this.x.memory.buffer, p, RESULT_WORDS).slice();
  }

  choices(n = this.x.choices_len()): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.x.choices_ptr(), n).slice();
  }

  setChoices(choices: ArrayLike<number>): void {
    new Uint8Array(this.x.memory.buffer, this.x.choices_ptr(), choices.length).set(choices);
  }

  events(): Int32Array {
    const n = this.x.trace_len();
    return new Int32Array(this.x.memory.buffer, this.x.trace_ptr(), n * EV_WORDS).slice();
  }

  /** The coverage bitmap (assembly/sim/coverage.ts): runs OR into it until coverage_reset(). */
  coverage(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.x.coverage_ptr(), this.x.coverage_bytes()).slice();
  }

  names(): Names {
    if (this.names_) return this.names_;
    const fn: string[] = [];
    const state: string[][] = [];
    for (let f = 0; f < this.x.fn_count(); f++) {
      fn.push(readString(this.x.memory, this.x.fn_name(f)));
      const pcs: string[] = [];
      for (let pc = 0; pc < 64; pc++) pcs.push(readString(this.x.memory, this.x.state_name(f, pc)));
      state.push(pcs);
    }
    this.names_ = { fn, state };
    return this.names_;
  }

  // The exports, by their host names (style.md: translate once, at the ABI wrapper). Host code
  // calls these, never `x` directly.

  leanBuild(): number {
    return this.x.lean_build();
  }
  begin(): void {
    this.x.begin();
  }
  runnableMask(): number {
    return this.x.runnable_mask();
  }
  tick(t: number): number {
    return this.x.tick(t);
  }
  tickUnrecorded(t: number): number {
    return this.x.tick_unrecorded(t);
  }
  tickCount(): number {
    return this.x.tick_count();
  }
  preemptions(): number {
    return this.x.preemptions();
  }
  verdict(): number {
    return this.x.verdict();
  }
  runBatch(strategy: number, seed: bigint, first: number, count: number, depth: number, k: number): number {
    return this.x.run_batch(strategy, seed, first, count, depth, k);
  }
  /** run_batch_tally: every schedule of the batch, each failure tallied by kind in wasm; the
   *  kinds, in order of first sight (verdict code, check id or -1, count, first index). */
  runBatchTally(strategy: number, seed: bigint, first: number, count: number, depth: number, k: number): TallyEntry[] {
    const n = this.x.run_batch_tally(strategy, seed, first, count, depth, k);
    const w = new Int32Array(this.x.memory.buffer, this.x.tally_ptr(), n * TALLY_WORDS);
    const out: TallyEntry[] = [];
    for (let e = 0; e < n; e++) out.push({ code: w[e * TALLY_WORDS], check: w[e * TALLY_WORDS + 1], count: w[e * TALLY_WORDS + 2], first: w[e * TALLY_WORDS + 3] });
    return out;
  }
  ticksTotal(): bigint {
    return this.x.ticks_total();
  }
  runReplay(n: number): number {
    return this.x.run_replay(n);
  }
  setTrace(on: number): void {
    this.x.set_trace(on);
  }
  traceLost(): number {
    return this.x.trace_lost();
  }
  snapshotSave(slot: number): number {
    return this.x.snapshot_save(slot);
  }
  snapshotLoad(slot: number): void {
    this.x.snapshot_load(slot);
  }
  /** measurement only (bench/scale-sim.ts): the state block's size and address, and the bytes of
   *  it a snapshot copies */
  stateBytes(): number {
    return this.x.state_bytes();
  }
  statePtr(): number {
    return this.x.state_ptr();
  }
  stateSavedBytes(): number {
    return this.x.state_saved_bytes();
  }
  dfsStart(bound: number, maxStates: bigint, symmetry: number, por: number): void {
    this.x.dfs_start(bound, maxStates, symmetry, por);
  }
  dfsRun(budget: bigint): number {
    return this.x.dfs_run(budget);
  }
  dfsHostTable(on: number): void {
    this.x.dfs_host_table(on);
  }
  dfsTableSelftest(n: number, bounded: number): number {
    return this.x.dfs_table_selftest(n, bounded);
  }
  dfsAmpleCuts(): bigint {
    return this.x.dfs_ample_cuts();
  }
  dfsPathPtr(): number {
    return this.x.dfs_path_ptr();
  }
  dfsPathLen(): number {
    return this.x.dfs_path_len();
  }
  dfsStates(): bigint {
    return this.x.dfs_states();
  }
  dfsTransitions(): bigint {
    return this.x.dfs_transitions();
  }
  dfsSchedules(): bigint {
    return this.x.dfs_schedules();
  }
  dfsRevisits(): bigint {
    return this.x.dfs_revisits();
  }
  dfsExhausted(): number {
    return this.x.dfs_exhausted();
  }
  dfsMaxDepth(): number {
    return this.x.dfs_max_depth();
  }
  dfsSymmetric(): number {
    return this.x.dfs_symmetric();
  }
  dfsCanonMode(mode: number): void {
    this.x.dfs_canon_mode(mode);
  }
  dfsCanonFallbacks(): bigint {
    return this.x.dfs_canon_fallbacks();
  }
  dfsCanonVerify(on: boolean): void {
    this.x.dfs_canon_verify(on ? 1 : 0);
  }
  dfsTableFull(): number {
    return this.x.dfs_table_full();
  }
  stateHash(): bigint {
    return this.x.state_hash();
  }
  stateView(): number {
    return this.x.state_view();
  }
  viewPtr(): number {
    return this.x.view_ptr();
  }
  coverageBytes(): number {
    return this.x.coverage_bytes();
  }
  coverageReset(): void {
    this.x.coverage_reset();
  }

  get memory(): WebAssembly.Memory {
    return this.x.memory;
  }
}
