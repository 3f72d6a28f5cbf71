/**
 * A random or PCT sweep over Web Workers, with a result that does not depend on the number of
 * workers or on timing: the failure reported is the one with the LOWEST schedule index, exactly
 * what `vfsim run` (one process, schedules in order) reports for the same seed file and seed.
 *
 * Chunks of schedule indices are handed out in increasing order, small at first (the first
 * failure shows up fast, progress is live) and growing (fewer messages once it runs). When a
 * chunk reports a failure at index i, no chunk starting above i is handed out, and the sweep
 * ends once every chunk that started below i has come back: only those could hold a lower one.
 */

import type { FromWorker, SweepStrategy, ToWorker } from "./protocol";

/** What the sweep needs of a worker: a Web Worker, or a stand-in in tests. */
export interface WorkerLike {
  postMessage(message: ToWorker, transfer?: Transferable[]): void;
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
  terminate(): void;
}

export interface SweepOptions {
  module: WebAssembly.Module;
  /** a validated seed file */
  seedText: string;
  strategy: SweepStrategy;
  seed: bigint;
  depth: number;
  schedules: number;
  /** go on after the first failure, counting every failing schedule */
  countAll: boolean;
  workers: number;
  makeWorker: () => WorkerLike;
  onProgress?: (p: SweepProgress) => void;
  /** first and largest chunk sizes (tests make them small) */
  firstChunk?: number;
  maxChunk?: number;
}

export interface SweepProgress {
  done: number;
  total: number;
  failures: number;
  elapsedMs: number;
  /** schedules per second so far */
  rate: number;
  workers: number;
  lowest?: number;
}

export interface SweepOutcome extends SweepProgress {
  /** sampled schedules never exhaust a space: with no failure a sweep is inconclusive, never ok */
  status: "failed" | "inconclusive" | "stopped";
  /** the failing schedule with the lowest index found */
  failure?: { index: number; choices: Uint8Array };
  /** stopped by the user: no schedule below failure.index is left unrun (always true otherwise) */
  lowestConfirmed: boolean;
}

interface Chunk {
  first: number;
  count: number;
}

export class Sweep {
  private workers: WorkerLike[] = [];
  private inflight = new Map<WorkerLike, Chunk>();
  private next = 0;
  private size: number;
  private done = 0;
  private failures = 0;
  private best?: { index: number; choices: Uint8Array };
  private start = 0;
  private settled = false;
  private resolve!: (o: SweepOutcome) => void;
  private reject!: (e: Error) => void;
  /** indices below this have all run (chunks come back out of order) */
  private contiguous = 0;
  private returned: Chunk[] = [];

  constructor(private o: SweepOptions) {
    this.size = o.firstChunk ?? 64;
  }

  run(): Promise<SweepOutcome> {
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.start = performance.now();
      const n = Math.max(1, Math.min(this.o.workers, 64));
      for (let i = 0; i < n; i++) {
        const w = this.o.makeWorker();
        this.workers.push(w);
        w.onmessage = (ev) => this.onMessage(w, ev.data);
        w.onerror = (ev) => this.fail(new Error(`a sweep worker failed to start: ${ev.message || "unknown error"}`));
        w.postMessage({
          type: "init",
          module: this.o.module,
          seedText: this.o.seedText,
          strategy: this.o.strategy,
          seed: this.o.seed,
          depth: this.o.depth,
          countAll: this.o.countAll,
        });
      }
    });
  }

  /** Stop now; the outcome says whether the failure found (if any) is known to be the lowest. */
  stop(): void {
    if (this.settled) return;
    this.finish("stopped");
  }

  progress(): SweepProgress {
    const elapsedMs = performance.now() - this.start;
    return {
      done: this.done,
      total: this.o.schedules,
      failures: this.failures,
      elapsedMs,
      rate: elapsedMs > 0 ? (this.done * 1000) / elapsedMs : 0,
      workers: this.workers.length,
      lowest: this.best?.index,
    };
  }

  private onMessage(w: WorkerLike, m: FromWorker): void {
    if (this.settled) return;
    if (m.type === "ready") return this.assign(w);
    if (m.type === "error") {
      const where = m.first !== undefined ? ` (in schedules ${m.first}..${m.first + (m.count ?? 1) - 1})` : "";
      return this.fail(new Error(`the model failed${where}: ${m.message}`));
    }
    if (m.type !== "chunk-done") return;
    this.inflight.delete(w);
    this.done += m.ran;
    this.failures += m.failures;
    this.noteReturned({ first: m.first, count: m.count });
    if (m.fail && (!this.best || m.fail.index < this.best.index)) this.best = m.fail;
    this.o.onProgress?.(this.progress());
    if (!this.finishedYet()) this.assign(w);
  }

  private noteReturned(c: Chunk): void {
    this.returned.push(c);
    this.returned.sort((a, b) => a.first - b.first);
    while (this.returned.length && this.returned[0].first === this.contiguous) {
      this.contiguous += this.returned.shift()!.count;
    }
  }

  private stopsAt(): number {
    return !this.o.countAll && this.best ? this.best.index : this.o.schedules;
  }

  private assign(w: WorkerLike): void {
    if (this.settled || this.next >= this.stopsAt()) {
      this.finishedYet();
      return;
    }
    const chunk = { first: this.next, count: Math.min(this.size, this.o.schedules - this.next) };
    this.next += chunk.count;
    this.size = Math.min(this.size * 2, this.o.maxChunk ?? 8192);
    this.inflight.set(w, chunk);
    w.postMessage({ type: "chunk", ...chunk });
  }

  /** Settle if nothing left could change the outcome. */
  private finishedYet(): boolean {
    if (this.settled) return true;
    const limit = this.stopsAt();
    const pending = [...this.inflight.values()].some((c) => c.first < limit);
    if (pending || this.next < limit) return false;
    this.finish(this.best ? "failed" : "inconclusive");
    return true;
  }

  private finish(status: SweepOutcome["status"]): void {
    this.settled = true;
    for (const w of this.workers) w.terminate();
    const p = this.progress();
    this.resolve({
      ...p,
      status,
      failure: this.best,
      lowestConfirmed: this.best ? this.contiguous >= this.best.index : true,
    });
  }

  private fail(e: Error): void {
    if (this.settled) return;
    this.settled = true;
    for (const w of this.workers) w.terminate();
    this.reject(e);
  }
}

export interface DfsOutcome {
  /** ok: the bounded space was exhausted; inconclusive: the budget ran out first */
  status: "failed" | "ok" | "inconclusive" | "stopped";
  /** with no failure: the verdict line, what was covered and how to go further */
  text?: string;
  /** end states reached, and distinct states stored (0 when stopped) */
  schedules: number;
  states: number;
  /** what the search covered, in words (report.ts coveredText) */
  covered?: string;
  exhaustive: boolean;
  elapsedMs: number;
  choices?: Uint8Array;
}

/** Exhaustive search (bounded preemptions) in one worker; stop() terminates it. */
export function runDfs(o: { module: WebAssembly.Module; seedText: string; schedules: number; preemptions: number; makeWorker: () => WorkerLike }): {
  outcome: Promise<DfsOutcome>;
  stop: () => void;
} {
  const w = o.makeWorker();
  const start = performance.now();
  let settle!: (x: DfsOutcome) => void;
  let settled = false;
  const outcome = new Promise<DfsOutcome>((resolve, reject) => {
    settle = (x) => {
      if (settled) return;
      settled = true;
      w.terminate();
      resolve(x);
    };
    w.onmessage = (ev) => {
      const m = ev.data;
      if (m.type === "dfs-done") {
        settle({ status: m.verdict, schedules: m.schedules, states: m.states, covered: m.covered, exhaustive: m.exhaustive, elapsedMs: performance.now() - start, choices: m.choices, text: m.text });
      } else if (m.type === "error" && !settled) {
        settled = true;
        w.terminate();
        reject(new Error(`the model failed: ${m.message}`));
      }
    };
    w.onerror = (ev) => {
      if (settled) return;
      settled = true;
      w.terminate();
      reject(new Error(`the dfs worker failed to start: ${ev.message || "unknown error"}`));
    };
  });
  w.postMessage({ type: "dfs", module: o.module, seedText: o.seedText, schedules: o.schedules, preemptions: o.preemptions });
  return { outcome, stop: () => settle({ status: "stopped", schedules: 0, states: 0, exhaustive: false, elapsedMs: performance.now() - start }) };
}
