/**
 * A pool of worker_threads running sweep pieces: the mechanism, no policy. The compiled
 * WebAssembly.Module is posted once to each worker (structured clone shares the compiled code);
 * each worker then instantiates the model once per scenario variant and runs many pieces.
 *
 * Pieces go to whichever worker is idle, so completion order is arbitrary; callers must make
 * results depend on the piece only (sweep.ts orders everything by schedule index).
 *
 * Every worker writes the schedule index it is on into a shared Int32Array slot before each call
 * into wasm. When a worker dies (an exit, an uncaught error, the process running out of memory),
 * the pool reads its slot, asks `died` what to run instead, starts a fresh worker in its place
 * and goes on.
 *
 * Worker threads cannot load .ts (tsx does not reach into them): the worker is the bundle
 * dist/worker.mjs that `npm run build` makes from host/node/worker.ts.
 */

import { Worker } from "node:worker_threads";
import type { SeedFile } from "../core/seed";
import { builtFile } from "./module";
import type { FailureFacts } from "./results";

/** Schedules `from` .. `from+count-1` of one target, part (or all) of chunk `chunk`. */
export interface Piece {
  chunk: number;
  target: number;
  from: number;
  count: number;
  /** one schedule per call into wasm, so a worker's slot names the exact schedule it died on */
  careful: boolean;
}

export interface WorkerTarget {
  /** the seed file with its variant applied */
  seed: SeedFile;
  runSeed: bigint;
  depth: number;
}

/** Test hooks: make schedule `schedule` of target `target` kill its worker or trap the model. */
export interface Faults {
  exitAt?: { target: number; schedule: number };
  trapAt?: { target: number; schedule: number };
}

export interface WorkerInit {
  /** the full model (the batches' model when there is no lean build) */
  module: WebAssembly.Module;
  /** the lean build (build/vfsim-lean.wasm) that runs the batches; the full model when absent */
  lean?: WebAssembly.Module;
  strategy: "random" | "pct";
  targets: WorkerTarget[];
  faults?: Faults;
}

/** A failure as a worker reports it: the first of its kind in the piece, as found (the choices
 *  of the failing schedule, encodeSchedule); sweep.ts shrinks the first of each kind of a target. */
export interface FoundFailure extends FailureFacts {
  choices: string;
}

export interface PieceResult {
  ticks: number;
  kinds: { verdict: string; invariant?: string; count: number; first: number }[];
  found: FoundFailure[];
  traps: { schedule: number; message: string; choices: string }[];
}

export interface PoolHandlers {
  done(piece: Piece, result: PieceResult): void;
  /** The worker running `piece` died at schedule `at` (exact when the piece is careful, else the
   *  first schedule of the call it was in). Returns the pieces to run instead. */
  died(piece: Piece, at: number, message: string): Piece[];
}

export type ToWorker = { type: "piece"; piece: Piece };
export type FromWorker = { type: "result"; piece: Piece; result: PieceResult };

export interface WorkerData {
  init: WorkerInit;
  slot: number;
  progress: SharedArrayBuffer;
}

/** dist/worker.mjs, found from the bundled CLI or from the sources. */
export function workerPath(): string {
  return builtFile("dist/worker.mjs");
}

/** Deaths of idle workers (not running a piece) tolerated before the pool gives up: a worker
 *  that cannot even start would otherwise be restarted forever. */
const IDLE_DEATHS_MAX = 8;

interface Slot {
  worker: Worker;
  piece?: Piece;
  dead: boolean;
}

/** Runs `pieces` (and whatever `died` adds) on `size` workers; resolves when all are done. */
export function runPool(init: WorkerInit, size: number, pieces: Piece[], handlers: PoolHandlers, file = workerPath()): Promise<void> {
  const queue = [...pieces];
  const progress = new Int32Array(new SharedArrayBuffer(4 * size));
  const slots: Slot[] = [];
  let idleDeaths = 0;
  let finished = false;

  return new Promise<void>((resolvePool, rejectPool) => {
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      for (const s of slots) void s.worker.terminate();
      if (error) rejectPool(error);
      else resolvePool();
    };
    const guard = (fn: () => void) => {
      try { fn(); } catch (e) { finish(e as Error); }
    };

    const pump = () => {
      for (let i = 0; i < slots.length && !finished; i++) {
        const s = slots[i];
        if (s.dead || s.piece) continue;
        const piece = queue.shift();
        if (!piece) break;
        s.piece = piece;
        Atomics.store(progress, i, piece.from);
        s.worker.postMessage({ type: "piece", piece } satisfies ToWorker);
      }
      if (queue.length === 0 && slots.every((s) => !s.piece)) finish();
    };

    const onDeath = (s: Slot, i: number, message: string) => guard(() => {
      if (s.dead || finished) return;
      s.dead = true;
      const piece = s.piece;
      s.piece = undefined;
      if (piece) queue.unshift(...handlers.died(piece, Atomics.load(progress, i), message));
      else if (++idleDeaths > IDLE_DEATHS_MAX) throw new Error(`sweep workers keep dying before they run anything: ${message}`);
      spawn(i);
      pump();
    });

    const spawn = (i: number) => {
      const data: WorkerData = { init, slot: i, progress: progress.buffer as SharedArrayBuffer };
      const worker = new Worker(file, { workerData: data });
      const s: Slot = { worker, dead: false };
      slots[i] = s;
      worker.on("message", (m: FromWorker) => guard(() => {
        const piece = s.piece!;
        s.piece = undefined;
        handlers.done(piece, m.result);
        pump();
      }));
      worker.on("error", (e) => onDeath(s, i, e.message));
      worker.on("exit", (code) => onDeath(s, i, `the worker exited with code ${code}`));
    };

    for (let i = 0; i < size; i++) spawn(i);
    pump();
  });
}
