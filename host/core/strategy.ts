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
import type { Model } from "./wasm";

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
}

// ---------------------------------------------------------------------------------------------
// In-wasm strategies

/** PCT's k: the longest of a few random schedules of this scenario (a fixed, derived seed). */
export function estimateSteps(model: Model, seed: bigint): number {
  let k = 1;
  for (let i = 0; i < 16; i++) {
    model.runBatch(STRATEGY_RANDOM, seed ^ 0x9e3779b97f4a7c15n, i, 1, 0, 0);
    k = Math.max(k, model.tickCount());
  }
  return k;
}


export type WasmStrategyName = "random" | "pct";

/** PCT's k is a property of the scenario and the seed (estimateSteps above); computed once per
 *  loaded scenario and seed, on first use (the fuzzer reloads one instance with many inputs). */
const pctSteps = new WeakMap<Model, { loads: number; seed: bigint; k: number }>();

/** `random`: a uniform choice among the runnable tasks at every tick. `pct`: Burckhardt et al.'s
 *  probabilistic concurrency testing with bug depth `depth` (assembly/sim/strategy.ts). Each
 *  schedule seeds its own PRNG from (seed, index). */
export function wasmStrategy(name: WasmStrategyName, seed: bigint, depth = 3): Strategy {
  const code = name === "pct" ? STRATEGY_PCT : STRATEGY_RANDOM;
  const stepsOf = (model: Model): number => {
    if (name !== "pct") return 0;
    const known = pctSteps.get(model);
    if (known && known.loads === model.loads && known.seed === seed) return known.k;
    const k = estimateSteps(model, seed);
    pctSteps.set(model, { loads: model.loads, seed, k });
    return k;
  };
  return {
    name,
    runBatch(model, first, count) {
      const k = stepsOf(model);
      const before = model.ticksTotal();
      const hit = model.runBatch(code, seed, first, count, depth, k);
      return { hit, ticks: Number(model.ticksTotal() - before) };
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
