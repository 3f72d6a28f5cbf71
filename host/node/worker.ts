/**
 * A sweep worker (bundled to dist/worker.mjs; started by pool.ts). It receives the compiled
 * module and the targets once, then runs pieces: schedules from..from+count-1 of one target with
 * the in-wasm strategy, which tallies every failing schedule by kind (verdict, and the check of a
 * violation) in wasm and returns once per piece (Strategy.tallyBatch); the first failure of each
 * kind is then run again alone for its choices (schedule i depends only on the seed and i), and
 * must fail the same way. It shrinks nothing: a failing schedule costs its run and a tally, and
 * sweep.ts shrinks one failure per kind per target, the first, once the sweep is done. A piece's
 * result depends on the piece alone.
 *
 * A model trap (an assertion in assembly/ or a wasm RuntimeError) is a vfsim bug, reported with
 * its schedule: the rest of the piece goes on, one schedule per call, on a fresh instance.
 */

import { parentPort, workerData } from "node:worker_threads";
import { CHECKS } from "../core/abi";
import { readOutcome, verdictOf } from "../core/outcome";
import { encodeScenario } from "../core/seed";
import { encodeSchedule } from "../core/schedule";
import { checkingDeterminism, NondeterminismError, wasmStrategy, type Strategy } from "../core/strategy";
import { Model, ModelTrap } from "../core/wasm";
import type { Faults, FoundFailure, FromWorker, Piece, PieceResult, ToWorker, WorkerData } from "./pool";

const { init, slot, progress: progressBuffer } = workerData as WorkerData;
const progress = new Int32Array(progressBuffer);

/** Say which schedule this worker is on, so the pool can name it if the worker dies. */
function at(schedule: number): void {
  Atomics.store(progress, slot, schedule);
}

// ---------------------------------------------------------------------------------------------
// Models and strategies, per target

/** Loaded instances by target; the oldest is dropped past MODELS_MAX (a sweep moves through
 *  targets in chunk order, so few are live at once). */
const models = new Map<number, Model>();
const MODELS_MAX = 8;

function modelFor(target: number): Model {
  let m = models.get(target);
  if (!m) {
    m = new Model(init.lean ?? init.module);   // the lean build runs the batches
    m.load(encodeScenario(init.targets[target].seed).words);
    if (models.size >= MODELS_MAX) models.delete(models.keys().next().value!);
    models.set(target, m);
  }
  return m;
}

function strategyFor(target: number): Strategy {
  const t = init.targets[target];
  return faulty(checkingDeterminism(wasmStrategy(init.strategy, t.runSeed, t.depth)), target, init.faults);
}

/** Test hook (Faults in pool.ts): a batch that reaches the chosen schedule kills the worker or
 *  raises a model trap there. Wraps the strategy; without faults it is the strategy itself. */
function faulty(inner: Strategy, target: number, faults: Faults | undefined): Strategy {
  const exitAt = faults?.exitAt?.target === target ? faults.exitAt.schedule : -1;
  const trapAt = faults?.trapAt?.target === target ? faults.trapAt.schedule : -1;
  if (exitAt < 0 && trapAt < 0) return inner;
  const acts = [[exitAt, () => process.exit(70)], [trapAt, () => { throw new ModelTrap("planted trap (test fault)"); }]] as const;
  return {
    name: inner.name,
    runBatch(model, first, count) {
      for (const [index, act] of acts) {
        if (index < first || index >= first + count) continue;
        if (index > first) {
          const r = inner.runBatch(model, first, index - first);
          if (r.hit >= 0) return r;
        }
        at(index);
        act();
      }
      return inner.runBatch(model, first, count);
    },
    ...(inner.tallyBatch ? {
      tallyBatch(model, first, count) {
        // the schedules before the fault run (their tally is lost with the batch, as a real
        // trap's would be), then the fault
        for (const [index, act] of acts) {
          if (index < first || index >= first + count) continue;
          if (index > first) inner.tallyBatch!(model, first, index - first);
          at(index);
          act();
        }
        return inner.tallyBatch!(model, first, count);
      },
    } : {}),
  };
}

function isTrap(e: unknown): e is Error {
  return e instanceof ModelTrap || e instanceof WebAssembly.RuntimeError;
}

// ---------------------------------------------------------------------------------------------
// A piece

interface Kind {
  verdict: string;
  invariant?: string;
  count: number;
  first: number;
  choices: Uint8Array;
}

function kindOf(model: Model): { verdict: string; invariant?: string } {
  const o = readOutcome(model, model.verdict());
  return o.invariant ? { verdict: o.verdict, invariant: o.invariant } : { verdict: o.verdict };
}

function runPiece(piece: Piece): PieceResult {
  const strategy = strategyFor(piece.target);
  const kinds = new Map<string, Kind>();
  const traps: PieceResult["traps"] = [];
  const end = piece.from + piece.count;
  let ticks = 0;
  let careful = piece.careful;
  for (let i = piece.from; i < end; ) {
    const model = modelFor(piece.target);
    const count = careful ? 1 : end - i;
    at(i);
    if (!careful && strategy.tallyBatch) {
      try {
        ticks += tallied(kinds, model, strategy, i, count);
        i += count;
      } catch (e) {
        if (!isTrap(e)) throw e;
        models.delete(piece.target);
        careful = true; // run the batch again one by one to find the trap
      }
      continue;
    }
    let r;
    try {
      r = strategy.runBatch(model, i, count);
      if (r.hit >= 0) tally(kinds, model, i + r.hit); // reads the outcome: an unknown verdict is a trap
    } catch (e) {
      if (!isTrap(e)) throw e;
      models.delete(piece.target); // its state is whatever the trap left
      if (!careful) { careful = true; continue; } // run the batch again one by one to find it
      traps.push({ schedule: i, message: e.message, choices: encodeSchedule(model.choices()) });
      i++;
      continue;
    }
    ticks += r.ticks;
    if (r.hit < 0) { i += count; continue; }
    i += r.hit + 1;
  }
  const t = init.targets[piece.target];
  const found = [...kinds.values()].map((k): FoundFailure => ({
    schedule: k.first, verdict: k.verdict, ...(k.invariant ? { invariant: k.invariant } : {}),
    before: { ticks: k.choices.length, preemptions: -1, threads: t.seed.threads.length, ops: t.seed.threads.reduce((n, x) => n + x.ops.length, 0) },
    choices: encodeSchedule(k.choices),
  }));
  return {
    ticks,
    kinds: [...kinds.values()].map(({ verdict, invariant, count, first }) => ({ verdict, invariant, count, first })),
    found,
    traps,
  };
}

/** Schedules i .. i+count-1 through the strategy's tally (Strategy.tallyBatch): each kind's
 *  count added, and the choices of a kind new to the piece read by running its first schedule
 *  again alone, which must fail the same way. Nothing is added unless all of that succeeds (a
 *  trap sends the caller back to one schedule per call). Returns the ticks of the batch. */
function tallied(kinds: Map<string, Kind>, model: Model, strategy: Strategy, i: number, count: number): number {
  const r = strategy.tallyBatch!(model, i, count);
  const add: [string, Kind][] = [];
  for (const e of r.kinds) {
    const k = kindOfCode(model, e.code, e.check);
    const key = `${k.verdict}/${k.invariant ?? ""}`;
    if (kinds.has(key)) { add.push([key, { ...k, count: e.count, first: e.first, choices: new Uint8Array() }]); continue; }
    const again = strategy.runBatch(model, e.first, 1);
    const alone = again.hit === 0 ? kindOf(model) : undefined;
    if (!alone || alone.verdict !== k.verdict || alone.invariant !== k.invariant) {
      throw new NondeterminismError(`${strategy.name} schedule ${e.first}: the tallied batch counted it as ${key}, run alone it ${alone ? `failed with ${alone.verdict}/${alone.invariant ?? ""}` : "ended ok"}`);
    }
    add.push([key, { ...k, count: e.count, first: e.first, choices: model.choices() }]);
  }
  for (const [key, k] of add) {
    const known = kinds.get(key);
    if (known) known.count += k.count;
    else kinds.set(key, k);
  }
  return r.ticks;
}

/** A tally entry's kind, as readOutcome names it: an unknown verdict or check is a model fault. */
function kindOfCode(model: Model, code: number, check: number): { verdict: string; invariant?: string } {
  const verdict = verdictOf(code);
  if (verdict !== "violation") return { verdict };
  const invariant = CHECKS[check];
  if (invariant === undefined) throw new ModelTrap(`the model tallied a violation of check ${check}, which the host does not know (host/core/abi.ts CHECKS)`);
  return { verdict, invariant };
}

function tally(kinds: Map<string, Kind>, model: Model, schedule: number): void {
  const k = kindOf(model);
  const key = `${k.verdict}/${k.invariant ?? ""}`;
  const known = kinds.get(key);
  if (known) known.count++;
  else kinds.set(key, { ...k, count: 1, first: schedule, choices: model.choices() });
}

parentPort!.on("message", (m: ToWorker) => {
  if (m.type !== "piece") return;
  const result = runPiece(m.piece);
  parentPort!.postMessage({ type: "result", piece: m.piece, result } satisfies FromWorker);
});
