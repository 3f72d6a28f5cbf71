/**
 * What the coordinator of a parallel exhaustive search (pdfs.ts) and its worker threads
 * (pdfs_worker.ts) say to each other, and the control block they share.
 *
 * The control block is one SharedArrayBuffer: flags as Int32 words (read by every worker between
 * slices of its search), counters as BigInt64 words (added to by every worker between slices).
 */

import type { SharedTableBuffers } from "../core/shared_visited";

// Int32 words
export const C_STOP = 0;     // 0 while the search runs, else a STOP_* reason (the first one set wins)
export const C_HUNGRY = 1;   // work requests not yet taken: idle workers waiting for a subtree
export const C_GROW = 2;     // 1: the table passed its load limit; workers pause at their next slice
export const INT_WORDS = 8;
// BigInt64 words, after the Int32 ones
export const C_STATES = 0;       // states stored (new, or reached with fewer preemptions)
export const C_TRANSITIONS = 1;
export const C_ADDED = 2;        // distinct keys in the table
export const BIG_WORDS = 4;
export const CONTROL_BYTES = INT_WORDS * 4 + BIG_WORDS * 8;

export const STOP_FAILURE = 1;
export const STOP_TIME = 2;
export const STOP_TABLE = 3;
export const STOP_STATES = 4;

/** A subtree given away: the state (a snapshot of the model's state block), the choices that
 *  lead to it from the initial state, and the frame to search it with. */
export interface WorkItem {
  snapshot: Uint8Array;
  prefix: Uint8Array;
  last: number;
  used: number;
  options: number;
}

/** Counts of one worker over one search (one preemption bound). */
export interface WorkerStats {
  states: number;
  transitions: number;
  schedules: number;
  revisits: number;
  ampleCuts: number;
  /** deepest schedule, counted from the initial state */
  maxDepth: number;
  /** subtrees this worker searched, and gave away */
  items: number;
  donations: number;
  symmetry: boolean;
  canonFallbacks: number;
}

export interface SearchConfig {
  bound: number;
  symmetry: boolean;
  por: boolean;
  /** transitions per call into wasm between looks at the control block */
  slice: number;
  /** stop once this many states are stored over all workers */
  maxStates: number;
  /** the table grows (doubles) past this many keys while it is below maxSlots; at maxSlots it
   *  is full at fullAt keys */
  maxSlots: number;
}

export interface PdfsWorkerData {
  module: WebAssembly.Module;
  index: number;
  control: SharedArrayBuffer;
}

export type ToPdfsWorker =
  | { type: "search"; words?: Int32Array; config: SearchConfig; table: SharedTableBuffers; root: boolean }
  | { type: "work"; item: WorkItem }
  | { type: "table"; table: SharedTableBuffers }   // a resized table (idle workers)
  | { type: "resume"; table: SharedTableBuffers }  // a resized table (paused workers go on)
  | { type: "rehash"; from: SharedTableBuffers; to: SharedTableBuffers; first: number; end: number }
  | { type: "selftest"; table: SharedTableBuffers; keys: number; seed: number };

export type FromPdfsWorker =
  | { type: "work"; item: WorkItem }
  | { type: "idle"; stats: WorkerStats }
  | { type: "failure"; verdict: number; choices: Uint8Array }
  | { type: "paused" }
  | { type: "rehashed" }
  | { type: "selftest"; fresh: number; seen: number }
  | { type: "error"; message: string };

/** Load above which a table that may still grow is grown, and at which one that may not is full. */
export const GROW_LOAD = 0.5;
export const FULL_LOAD = 0.9;
