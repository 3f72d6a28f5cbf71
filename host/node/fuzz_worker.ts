/**
 * One stream of `vfsim fuzz --workers K` (bundled to dist/fuzz-worker.mjs; started by fuzz.ts).
 * It runs a Fuzzer with the stream's own seed on the starting corpus it is given, exactly as the
 * single in-process stream does, until its budget is spent: its share of `--execs`, or `--time`
 * seconds of its own clock. The clock decides only when it stops and when it reports.
 *
 * It posts each finding as it is made, its stats and coverage bitmap every `progressMs`, and a
 * final `done`. A model trap while a counterexample is recorded is posted as `trap` (exit 3).
 */

import { parentPort, workerData } from "node:worker_threads";
import { Fuzzer, type Finding } from "../core/fuzz";
import { ModelTrap } from "../core/wasm";
import type { FromFuzzWorker, FuzzWorkerData, StreamFinding, StreamProgress } from "./fuzz";

const data = workerData as FuzzWorkerData;
const port = parentPort!;
const post = (m: FromFuzzWorker) => port.postMessage(m);

function progress(fuzzer: Fuzzer): StreamProgress {
  let seeded = 0;
  for (const e of fuzzer.corpus) if (e.exec === 0) seeded++;
  return { stats: { ...fuzzer.stats }, coverage: fuzzer.coverage.slice(), seeded };
}

function finding(f: Finding): StreamFinding {
  return {
    key: f.key,
    kind: f.kind,
    verdict: f.verdict,
    ...(f.invariant ? { invariant: f.invariant } : {}),
    exec: f.exec,
    text: f.text,
    fileName: f.fileName,
    shrunk: f.shrunk,
  };
}

function run(): void {
  const fuzzer = new Fuzzer(data.module, data.start, data.opts);
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  let nextProgress = data.progressMs;
  for (;;) {
    if (data.execs !== undefined ? fuzzer.stats.execs >= data.execs : elapsed() >= data.seconds!) break;
    const rec = fuzzer.step();
    if (rec.finding) {
      post({ type: "finding", finding: finding(rec.finding) });
      post({ type: "progress", progress: progress(fuzzer) });
    }
    const ms = performance.now() - t0;
    if (ms >= nextProgress) {
      post({ type: "progress", progress: progress(fuzzer) });
      nextProgress = ms + data.progressMs;
    }
  }
  post({ type: "done", progress: progress(fuzzer) });
}

try {
  run();
} catch (e) {
  if (!(e instanceof ModelTrap)) throw e;
  post({ type: "trap", message: e.message });
}
