/**
 * Messages between the page and its sweep workers (worker.ts). Each worker is given the compiled
 * WebAssembly.Module once (structured clone shares the compiled code) and the validated seed file
 * text, then runs chunks of schedules by index. Schedule i always runs from the seed derived from
 * (seed, i) inside the model, so what a chunk finds does not depend on which worker ran it.
 */

export type SweepStrategy = "random" | "pct";

/** page -> worker */
export type ToWorker =
  | { type: "init"; module: WebAssembly.Module; seedText: string; strategy: SweepStrategy; seed: bigint; depth: number; countAll: boolean }
  | { type: "chunk"; first: number; count: number }
  | { type: "dfs"; module: WebAssembly.Module; seedText: string; schedules: number; preemptions: number };

/** worker -> page */
export type FromWorker =
  | { type: "ready" }
  | {
      type: "chunk-done";
      first: number;
      count: number;
      /** schedules run: count, or up to and including the failure when stopping at the first */
      ran: number;
      failures: number;
      /** the lowest failing schedule of the chunk */
      fail?: { index: number; choices: Uint8Array };
    }
  | {
      /** schedules: end states reached; states: distinct states stored; covered: what the search
       *  covered, as `vfsim run` words it (states, transitions, end states, bounds done) */
      type: "dfs-done"; schedules: number; states: number; covered: string; exhaustive: boolean; transitions: number; choices?: Uint8Array;
      /** with no failure: "ok" (the space was exhausted) or "inconclusive", and the report's text
       *  saying what was covered and how to go further */
      verdict: "ok" | "inconclusive" | "failed"; text?: string;
    }
  | { type: "error"; message: string; first?: number; count?: number };
