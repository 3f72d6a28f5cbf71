/** The sandbox page's read-only view for automation (the browser tests): what is shown, as data,
 *  on `window.vfsimSandbox` (main.ts fills it in; docs/browser.md). Types only. */

import type { ShrunkSizes } from "../core/report";

/** Where the trace cursor is: the tick (0: before the first), the task that ran at that tick and
 *  its first traced step, as the state panel's heading says them. */
export interface SandboxCursor {
  tick: number;
  task?: string;
  step?: string;
}

export interface SandboxView {
  origin: string;
  verdict: string;
  cycle?: string[];
  ticks: number;
  /** the cursor tick (the same as cursor.tick) */
  tick: number;
  cursor: SandboxCursor;
  /** a shrunk failure: its sizes before and after (ticks, preemptions, threads, ops) */
  shrunk?: ShrunkSizes;
  schedule: string;
  /** the counterexample seed file, as Download saves it */
  seedFile: string;
  /** the raw trace words, exactly as the model wrote them */
  traceWords: number[];
}

declare global {
  interface Window {
    vfsimSandbox: {
      ready(): boolean;
      busy(): boolean;
      /** the editor text last validated, and whether it was valid */
      validated(): { text: string; valid: boolean };
      shown(): SandboxView | null;
    };
  }
}
