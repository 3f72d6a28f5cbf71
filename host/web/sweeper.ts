/**
 * The sweep worker's work, without the worker: instantiate the model from the posted Module, load
 * the seed file, run chunks of schedules by index through the strategy interface (strategy.ts:
 * each schedule's seed derives from (seed, index), so a chunk's result does not depend on which
 * worker ran it), or run a DFS. worker.ts wires it to a Web Worker; tests drive it directly.
 */

import { runScenario } from "../core/run";
import { coveredText, reportText } from "../core/report";
import { encodeScenario, parseSeedFile } from "../core/seed";
import { wasmStrategy, type Strategy } from "../core/strategy";
import { Model } from "../core/wasm";
import type { FromWorker, ToWorker } from "./protocol";

export type Post = (m: FromWorker, transfer?: Transferable[]) => void;

interface Loaded {
  model: Model;
  strategy: Strategy;
  countAll: boolean;
}

export class Sweeper {
  private s?: Loaded;

  constructor(private post: Post) {}

  handle(m: ToWorker): void {
    try {
      if (m.type === "init") this.init(m);
      else if (m.type === "chunk") this.chunk(m.first, m.count);
      else if (m.type === "dfs") this.dfs(m);
    } catch (e) {
      const where = m.type === "chunk" ? { first: m.first, count: m.count } : {};
      this.post({ type: "error", message: (e as Error).message, ...where });
    }
  }

  private init(m: Extract<ToWorker, { type: "init" }>): void {
    const model = new Model(m.module);
    model.load(encodeScenario(parseSeedFile(m.seedText)).words);
    // the strategy `vfsim run` and `vfsim sweep` use: PCT's k estimated from the seed alone
    this.s = { model, strategy: wasmStrategy(m.strategy, m.seed, m.depth), countAll: m.countAll };
    this.post({ type: "ready" });
  }

  /** Schedules first .. first+count-1; stops at the first failure unless counting them all. */
  private chunk(first: number, count: number): void {
    const s = this.s;
    if (!s) throw new Error("chunk before init");
    let failures = 0;
    let fail: { index: number; choices: Uint8Array } | undefined;
    if (s.countAll && s.strategy.tallyBatch) {
      // every failure counted in wasm, one return per chunk; the first rerun alone for its choices
      const { kinds } = s.strategy.tallyBatch(s.model, first, count);
      for (const k of kinds) failures += k.count;
      if (kinds.length) {
        const index = Math.min(...kinds.map((k) => k.first));
        if (s.strategy.runBatch(s.model, index, 1).hit !== 0) throw new Error(`schedule ${index} failed in the tallied chunk but not alone`);
        fail = { index, choices: s.model.choices() };
      }
      this.post({ type: "chunk-done", first, count, ran: count, failures, fail }, fail ? [fail.choices.buffer] : []);
      return;
    }
    let pos = first;
    const end = first + count;
    while (pos < end) {
      const { hit } = s.strategy.runBatch(s.model, pos, end - pos);
      if (hit < 0) break;
      failures++;
      fail ??= { index: pos + hit, choices: s.model.choices() };
      pos += hit + 1;
      if (!s.countAll) break;
    }
    const ran = fail && !s.countAll ? pos - first : count;
    this.post({ type: "chunk-done", first, count, ran, failures, fail }, fail ? [fail.choices.buffer] : []);
  }

  private dfs(m: Extract<ToWorker, { type: "dfs" }>): void {
    const seed = parseSeedFile(m.seedText);
    const enc = encodeScenario(seed);
    const r = runScenario(m.module, seed, enc, { strategy: "dfs", seed: seed.run.seed, schedules: m.schedules, depth: seed.run.depth, preemptions: m.preemptions });
    const verdict = r.choices ? "failed" : r.verdict === "ok" ? "ok" : "inconclusive";
    this.post({ type: "dfs-done", schedules: r.schedules, states: r.states ?? 0, covered: coveredText(r), exhaustive: r.exhaustive, transitions: r.transitions ?? 0, choices: r.choices, verdict, text: r.choices ? undefined : reportText(r, enc) });
  }
}
