// The parallel exhaustive search against the one-worker search, measured in one run (part of
// `npm run bench`, scripts/bench.mjs; alone: `node scripts/bench.mjs --only pdfs`).
//
// Three configurations, one after the other (never at the same time), on each shape:
//   one: the one-worker search as `vfsim run` runs it (explore.ts, the table in wasm memory)
//   1w:  the parallel search with 1 worker (host/node/pdfs.ts: the shared table, work sharing off)
//   2w:  the parallel search with 2 workers
// Shapes: the one-name 3+3+3 (fixtures/scale/nfs-readdirplus-3x3x3.json, current order), searched
// to the end; SPIN's k = 3 shape (fixtures/scale/spin-h3-current.json), which no configuration
// finishes here, measured as states stored per second over a fixed window. Wall seconds and the
// CPU seconds of the whole process (every thread), and /proc/loadavg before and after each run:
// the machine may be shared, and the CPU figure shows what parallelism itself costs.

import { readFileSync } from "node:fs";

const { parseSeedFile, encodeScenario, variantOf } = await import("../host/core/seed/index.ts");
const { exploreParallel } = await import("../host/node/pdfs.ts");
const { loadavg, fmt, log, timedExplore } = await import("./lib.mjs");

function cpuSeconds(c0) {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

async function once(module, words, config, limitSeconds) {
  const before = loadavg();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let r;
  if (config === "one") {
    r = timedExplore(module, words, -1, 1e12, limitSeconds);
  } else {
    const workers = config === "1w" ? 1 : 2;
    const deadline = Number.isFinite(limitSeconds) ? performance.now() + limitSeconds * 1000 : undefined;
    r = await exploreParallel(module, words, workers, { preemptions: -1, maxStates: 1e12, deadline });
    r.cutOff = r.stoppedBy === "time";
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(c0);
  return {
    config, verdict: r.verdict, exhaustive: r.exhaustive, cutOff: !!r.cutOff, states: r.states, distinct: r.distinct ?? r.states,
    transitions: r.transitions, seconds, cpu, donations: r.donations ?? 0, resizes: r.resizes ?? 0, before, after: loadavg(),
  };
}

/** Seconds a configuration may run on each shape: the 3+3+3 takes about 40 s on an idle core,
 *  SPIN's k = 3 shape far longer (VFSIM_PDFS_LIMIT overrides both, e.g. to measure the 3+3+3 to
 *  its end on a loaded machine). */
const LIMIT = Number(process.env.VFSIM_PDFS_LIMIT ?? 0) || undefined;
const LIMIT_3X3X3 = LIMIT ?? 150;

/** Run each configuration on each shape, in turn. */
export async function benchPdfs(module, { quick = false } = {}) {
  const shapes = [
    { name: "nfs-readdirplus-3x3x3, current", file: "fixtures/scale/nfs-readdirplus-3x3x3.json", variant: { "kernel.order": "current" }, limit: LIMIT_3X3X3 },
    { name: "spin-h3-current (SPIN's k = 3 shape)", file: "fixtures/scale/spin-h3-current.json", variant: {}, limit: LIMIT ?? (quick ? 15 : 60) },
  ];
  if (quick) shapes[0] = { name: "nfs-readdirplus-2x2x2, current", file: "fixtures/scale/nfs-readdirplus-2x2x2.json", variant: { "kernel.order": "current" }, limit: Infinity };
  const rows = [];
  for (const s of shapes) {
    const words = encodeScenario(variantOf(parseSeedFile(readFileSync(s.file, "utf8")), s.variant)).words;
    const runs = [];
    for (const config of ["one", "1w", "2w"]) {
      log(`pdfs ${s.name} ${config}`);
      runs.push(await once(module, words, config, s.limit));
    }
    rows.push({ shape: s, runs });
  }
  return { rows, cores: (await import("node:os")).availableParallelism() };
}

export function pdfsReport(m) {
  const L = [];
  L.push(`Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${m.cores} cores, Node ${process.versions.node}; one run of each configuration, one after the other. "one": the one-worker search (\`vfsim run\`); "1w", "2w": \`vfsim run --workers 1\` and \`--workers 2\` (host/node/pdfs.ts). "states": stored (with partial-order reduction on, the parallel search stores a few more: which successor is new depends on timing); "cpu s": CPU seconds of the whole process, every thread. A shape no configuration finishes is compared by states stored per second over the same window.`);
  L.push("");
  L.push("| shape | config | verdict | exhaustive | states | transitions | seconds | cpu s | states/s | states per cpu-s | donations | table doublings | loadavg before | loadavg after |");
  L.push("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
  for (const row of m.rows) {
    for (const r of row.runs) {
      const verdict = r.verdict === 0 ? (r.exhaustive ? "ok" : "inconclusive") : "failure";
      const ex = r.exhaustive ? "yes" : r.cutOff ? `no (cut off at ${row.shape.limit} s)` : "no";
      L.push(`| ${row.shape.name} | ${r.config} | ${verdict} | ${ex} | ${r.states} | ${r.transitions} | ${r.seconds.toFixed(1)} | ${r.cpu.toFixed(1)} | ${fmt(r.states / r.seconds)} | ${fmt(r.states / r.cpu)} | ${r.donations} | ${r.resizes} | ${r.before} | ${r.after} |`);
    }
  }
  L.push("");
  L.push("Speed-ups (above 1: faster). Two configurations that both searched a shape to the end are compared by their times (wall, or CPU seconds of the whole search); otherwise by states stored per second (wall, or per CPU second).");
  L.push("");
  L.push("| shape | 2 workers / 1 worker (wall) | 2 workers / one-worker search (wall) | 1 worker / one-worker search (wall) | 2 workers / 1 worker (CPU) |");
  L.push("|---|---:|---:|---:|---:|");
  for (const row of m.rows) {
    const [one, w1, w2] = row.runs;
    // both finished: the ratio of their times; otherwise (one or both cut off) the ratio of states
    // stored per second (a finished run's average rate; its last states come slower, so this
    // understates the finished side). Mixing the two rules printed 0.00x once (2w finished, 1w not).
    const speedup = (a, b, t) => (a.exhaustive && b.exhaustive ? b[t] / a[t] : (a.states / a[t]) / (b.states / b[t]));
    L.push(`| ${row.shape.name} | ${speedup(w2, w1, "seconds").toFixed(2)}x | ${speedup(w2, one, "seconds").toFixed(2)}x | ${speedup(w1, one, "seconds").toFixed(2)}x | ${speedup(w2, w1, "cpu").toFixed(2)} |`);
  }
  return L.join("\n");
}
