/**
 * The one interface every schedule source shares, and wrappers that add metrics and determinism
 * checks around a strategy without changing it (Shuttle's design: the scheduler knows nothing of
 * the runtime; features are layers).
 *
 * A strategy runs numbered schedules on a loaded model. Schedule i depends only on the
 * strategy's own parameters (seed, depth) and on i: never on which batch, worker or shard runs
 * it, nor on what ran before on the same model. That is what lets a sweep cut the index space
 * anywhere and still get the same results. Every schedule's choices are recorded in the model's
 * choices buffer, so the failing one can be read back (`model.choices()`) and replayed.
 *
 * Random and PCT run inside wasm, a whole batch per call (no boundary crossing per tick); a host
 * strategy is a `Chooser` driven tick by tick through `hostStrategy`.
 */

import { STRATEGY_PCT, STRATEGY_RANDOM, VERDICT_RUNNING } from "./abi";
import { encodeSchedule } from "./schedule";
import type { Model, TallyEntry } from "./wasm";

export interface BatchResult {
  /** batch offset of the first schedule that did not end ok (its choices are in the model's
   *  choices buffer), or -1 when all `count` ended ok */
  hit: number;
  /** ticks run by the schedules of this batch up to and including the hit */
  ticks: number;
}

export interface Strategy {
  readonly name: string;
  /** Run schedules first .. first+count-1 from the model's initial state, stopping at the first
   *  that does not end ok. */
  runBatch(model: Model, first: number, count: number): BatchResult;
  /** Run all of schedules first .. first+count-1 and tally the failures by kind in wasm (the
   *  in-wasm strategies; a sweep's worker uses it when present): the same schedules as runBatch,
   *  one return to the host per batch. The first of a kind is rerun with runBatch(model, i, 1)
   *  for its choices. */
  tallyBatch?(model: Model, first: number, count: number): TallyResult;
}

export interface TallyResult {
  kinds: TallyEntry[];
  /** ticks run by every schedule of the batch */
  ticks: number;
}

// ---------------------------------------------------------------------------------------------
// In-wasm strategies

/** Random schedules PCT's k is estimated from, and how their seed is derived from PCT's. */
const ESTIMATE_RUNS = 16;
const ESTIMATE_MIX = 0x9e3779b97f4a7c15n;

/** The random seed whose schedules 0..15 estimate PCT's k for PCT seed `seed` (and the PCT seed
 *  whose k random seed `seed`'s schedules estimate: the map is its own inverse). */
export function estimateSeed(seed: bigint): bigint {
  return seed ^ ESTIMATE_MIX;
}

/** The longest of random schedules 0, 1, ... of one seed on one loaded scenario, as far as they
 *  have run in index order. Whoever runs them fills it in: estimateSteps, or a random strategy
 *  whose batches start at index 0 (the fuzzer's random half, whose first 16 schedules are then
 *  the estimate's schedules of its PCT half: the estimate costs no extra schedule). Schedule i
 *  depends only on the scenario, the seed and i, so it does not matter who ran it. */
interface Longest {
  next: number;
  k: number;
}

const longest = new WeakMap<Model, { loads: number; bySeed: Map<bigint, Longest> }>();

function longestOf(model: Model, randomSeed: bigint): Longest {
  let m = longest.get(model);
  if (!m || m.loads !== model.loads) longest.set(model, (m = { loads: model.loads, bySeed: new Map() }));
  let l = m.bySeed.get(randomSeed);
  if (!l) m.bySeed.set(randomSeed, (l = { next: 0, k: 1 }));
  return l;
}

/** Runs random schedules first..first+count-1 of `seed`, recording the estimate's lengths while
 *  they continue its index order (one schedule per call while they do, a batch after). */
function runRandom(model: Model, seed: bigint, first: number, count: number): number {
  const l = longestOf(model, seed);
  let i = 0;
  for (; i < count && l.next === first + i && l.next < ESTIMATE_RUNS; i++) {
    const hit = model.runBatch(STRATEGY_RANDOM, seed, first + i, 1, 0, 0);
    l.k = Math.max(l.k, model.tickCount());
    l.next++;
    if (hit === 0) return i;
  }
  if (i === count) return -1;
  const hit = model.runBatch(STRATEGY_RANDOM, seed, first + i, count - i, 0, 0);
  return hit < 0 ? -1 : i + hit;
}

/** PCT's k: the longest of random schedules 0..15 of `estimateSeed(seed)` on the loaded scenario
 *  (the one estimate in the project: `vfsim run`, sweeps, the page and the fuzzer all use it). A
 *  property of the scenario and the seed, run once per loaded scenario and seed. */
export function estimateSteps(model: Model, seed: bigint): number {
  const r = estimateSeed(seed);
  const l = longestOf(model, r);
  // a failing schedule stops a batch; the estimate goes on past it
  while (l.next < ESTIMATE_RUNS) runRandom(model, r, l.next, ESTIMATE_RUNS - l.next);
  return l.k;
}

export type WasmStrategyName = "random" | "pct";

/** `random`: a uniform choice among the runnable tasks at every tick. `pct`: Burckhardt et al.'s
 *  probabilistic concurrency testing with bug depth `depth` (assembly/sim/strategy.ts) and k from
 *  estimateSteps. Each schedule seeds its own PRNG from (seed, index). */
export function wasmStrategy(name: WasmStrategyName, seed: bigint, depth = 3): Strategy {
  return {
    name,
    runBatch(model, first, count) {
      const k = name === "pct" ? estimateSteps(model, seed) : 0;
      const before = model.ticksTotal();
      const hit = name === "pct" ? model.runBatch(STRATEGY_PCT, seed, first, count, depth, k) : runRandom(model, seed, first, count);
      return { hit, ticks: Number(model.ticksTotal() - before) };
    },
    tallyBatch(model, first, count) {
      const k = name === "pct" ? estimateSteps(model, seed) : 0;
      const before = model.ticksTotal();
      const kinds = model.runBatchTally(name === "pct" ? STRATEGY_PCT : STRATEGY_RANDOM, seed, first, count, depth, k);
      return { kinds, ticks: Number(model.ticksTotal() - before) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Host strategies

/** A scheduler driven from the host, one tick at a time. */
export interface Chooser {
  /** Start schedule `index`. */
  begin(index: number): void;
  /** The task to run at `tick` (0-based): one whose bit is set in `runnable`. */
  next(runnable: number, tick: number): number;
}

/** Runs a chooser through the model's recorded tick, so its choices land in the choices buffer
 *  like those of an in-wasm strategy. A chooser that names a task that cannot run is a bug in
 *  the chooser: it throws. */
export function hostStrategy(name: string, chooser: Chooser): Strategy {
  return {
    name,
    runBatch(model, first, count) {
      const x = model;
      let ticks = 0;
      for (let i = 0; i < count; i++) {
        x.begin();
        chooser.begin(first + i);
        let v = VERDICT_RUNNING;
        for (let tick = 0; v === VERDICT_RUNNING; tick++) {
          const mask = x.runnableMask();
          const t = chooser.next(mask, tick);
          if (!(t >= 0 && t < 32 && (mask & (1 << t)) !== 0)) {
            throw new Error(`${name}: chose task ${t} at tick ${tick}, but the runnable set is ${mask.toString(2)}`);
          }
          v = x.tick(t);
        }
        ticks += x.tickCount();
        if (v !== 0) return { hit: i, ticks };
      }
      return { hit: -1, ticks };
    },
  };
}

/** Follows one recorded schedule, whatever the index. */
export function replayChooser(choices: ArrayLike<number>): Chooser {
  return {
    begin() {},
    next(runnable, tick) {
      if (tick >= choices.length) throw new Error(`the recorded schedule ends after ${choices.length} ticks but the run has not finished`);
      return choices[tick];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Wrappers

export interface Metrics {
  batches: number;
  schedules: number;
  failures: number;
  ticks: number;
}

export function newMetrics(): Metrics {
  return { batches: 0, schedules: 0, failures: 0, ticks: 0 };
}

/** Counts what `inner` runs into `m`; changes nothing else. */
export function withMetrics(inner: Strategy, m: Metrics): Strategy {
  return {
    name: inner.name,
    runBatch(model, first, count) {
      const r = inner.runBatch(model, first, count);
      m.batches++;
      m.schedules += r.hit < 0 ? count : r.hit + 1;
      m.failures += r.hit < 0 ? 0 : 1;
      m.ticks += r.ticks;
      return r;
    },
  };
}

/** The same schedule index gave two different runs: the strategy or the model depends on
 *  something besides its seed (a tool bug, never a kernel finding). */
export class NondeterminismError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "NondeterminismError";
  }
}

/** Checks failing schedules by running each again alone and replaying its recorded choices:
 *  both must give the same choices and verdict, or it throws NondeterminismError. Checks the
 *  first `all` failures it sees, then one in `every` (a scenario where nearly every schedule
 *  fails would otherwise pay three runs for one). Schedules that pass cost nothing. The choices
 *  buffer is left as `inner` left it. */
export function checkingDeterminism(inner: Strategy, all = 16, every = 256): Strategy {
  let failures = 0;
  return {
    name: inner.name,
    // a tally's failures are checked by whoever reruns the first of each kind through runBatch
    ...(inner.tallyBatch ? { tallyBatch: inner.tallyBatch.bind(inner) } : {}),
    runBatch(model, first, count) {
      const r = inner.runBatch(model, first, count);
      if (r.hit < 0) return r;
      failures++;
      if (failures > all && failures % every !== 0) return r;
      const index = first + r.hit;
      const choices = model.choices();
      const verdict = model.verdict();
      const again = inner.runBatch(model, index, 1);
      const second = model.choices();
      if (again.hit !== 0 || !sameBytes(second, choices) || model.verdict() !== verdict) {
        throw new NondeterminismError(`${inner.name} schedule ${index}: a second run gave ${encodeSchedule(second)} (verdict ${model.verdict()}), the first ${encodeSchedule(choices)} (verdict ${verdict})`);
      }
      const replayed = model.runReplay(choices.length);
      if (replayed !== verdict) {
        throw new NondeterminismError(`${inner.name} schedule ${index}: replaying its recorded choices gave verdict ${replayed}, the run ${verdict}`);
      }
      return r;
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
