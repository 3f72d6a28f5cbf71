/** Running one input: a batch of schedules, a replay, the outcomes within a preemption bound,
 *  and the coverage bitmap they leave. */

import { VERDICT_RUNNING } from "../abi";
import { searchBounded } from "../bounded";
import { keyOf, readOutcome, type Outcome, type SameFailure } from "../outcome";
import { type StrategyName } from "../seed";
import { estimateSeed, wasmStrategy, type Strategy } from "../strategy";
import { Model } from "../wasm";

/** An outcome with the schedule that led to it and the strategy that ran it. */
export interface FuzzOutcome extends Outcome {
  choices?: Uint8Array;
  strategy?: StrategyName;
}

// ---------------------------------------------------------------------------------------------
// Running inputs

/** Coverage bits set in `a` and not in `b`. */
export function newBits(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += popcount8(a[i] & ~b[i]);
  return n;
}

function popcount8(x: number): number {
  x = x - ((x >> 1) & 0x55);
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (x + (x >> 4)) & 0x0f;
}

export function coverageCount(bits: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) n += popcount8(bits[i]);
  return n;
}

/** One model instance, reloaded per input; rebuilt after a trap (a trap leaves it mid-step). */
export class Runner {
  private model: Model;

  constructor(private module: WebAssembly.Module) {
    this.model = new Model(module);
  }

  get current(): Model {
    return this.model;
  }

  load(words: Int32Array): Model {
    this.model.load(words);
    return this.model;
  }

  reset(): void {
    this.model = new Model(this.module);
  }

  /**
   * Runs up to `schedules` schedules of the loaded input through the strategy interface
   * (strategy.ts): the first half random with `seed`, the rest PCT with bug depth `depth` and
   * seed `estimateSeed(seed)`, whose k (estimateSteps) is the longest of the random half's first
   * 16 schedules, so the estimate runs nothing extra once the half has 16. Each half is the
   * strategy's schedules 0, 1, ...: what `vfsim run` with that strategy and seed runs first.
   * Stops at the first failure whose key `accept` accepts (default: any failure) and returns
   * it; undefined if none.
   */
  batch(seed: bigint, depth: number, schedules: number, accept?: SameFailure): FuzzOutcome | undefined {
    const half = Math.max(1, schedules >> 1);
    const rest = schedules - half;
    const random = this.scan(wasmStrategy("random", seed), half, accept);
    if (random) return { ...random, strategy: "random" };
    if (rest <= 0) return undefined;
    const pct = this.scan(wasmStrategy("pct", estimateSeed(seed), depth), rest, accept);
    return pct ? { ...pct, strategy: "pct" } : undefined;
  }

  private scan(strategy: Strategy, count: number, accept?: SameFailure): FuzzOutcome | undefined {
    for (let done = 0; done < count; ) {
      const { hit } = strategy.runBatch(this.model, done, count - done);
      if (hit < 0) return undefined;
      const o = readOutcome(this.model, this.model.verdict());
      if (!accept || accept(o)) return { ...o, choices: this.model.choices() };
      done += hit + 1;
    }
    return undefined;
  }

  /** Replays `choices` on the loaded input: the outcome, or undefined if the schedule does not
   *  fit (a choice names a task that cannot run) or ends before the run does. */
  replay(choices: Uint8Array): FuzzOutcome | undefined {
    this.model.setChoices(choices);
    const code = this.model.runReplay(choices.length);
    if (code < -1 || code === VERDICT_RUNNING) return undefined;
    const o = readOutcome(this.model, code);
    return o.verdict === "ok" ? undefined : { ...o, choices };
  }

  /**
   * Every outcome reachable within `preemptions` preemptions (bounded.ts, going on past
   * failures and collecting one schedule per key). Stops early at `stopAt`, or after
   * `maxSchedules` schedules (then not exhaustive).
   */
  outcomes(nTasks: number, preemptions: number, maxSchedules: number, stopAt?: string): { found: Map<string, FuzzOutcome>; schedules: number; exhaustive: boolean; limit?: string } {
    const found = new Map<string, FuzzOutcome>();
    const r = searchBounded(this.model, {
      tasks: nTasks, preemptions, maxSchedules,
      onFailure: (code, choices) => {
        const o = readOutcome(this.model, code);
        const key = keyOf(o);
        if (!found.has(key)) found.set(key, { ...o, choices: choices(), strategy: "dfs" });
        return key === stopAt;
      },
    });
    return { found, schedules: r.schedules, exhaustive: r.exhaustive, ...(r.limit ? { limit: r.limit } : {}) };
  }
}
