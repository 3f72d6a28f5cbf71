// Shared by the benchmarks (scripts/bench.mjs, bench/spin/run.mjs): the load average, number
// formatting, one timed dfs on a fresh model instance, and writing a result block into
// docs/performance.md between its markers. Needs tsx registered (the host is TypeScript).

import { existsSync, readFileSync, writeFileSync } from "node:fs";

const { Model } = await import("../host/core/wasm.ts");
const { explore, exploreBounded } = await import("../host/core/explore.ts");

export const loadavg = () => readFileSync("/proc/loadavg", "utf8").trim().split(/\s+/).slice(0, 3).join(" ");
export const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : x.toFixed(0));
export const log = (s) => process.stderr.write(s + "\n");

const CUT = Symbol("time limit");

/** One dfs on a fresh instance of `module` (an instance's first dfs pays for its tables).
 *  `limitSeconds`: stop the search once it has run this long (checked between slices of 2^20
 *  transitions, about half a second); the result then has `cutOff: true`, the counts reached,
 *  verdict 0 and `exhaustive: false`. `bounded`: iterative context bounding (exploreBounded:
 *  bound 0, 1, ... `preemptions`), as `vfsim run` does with a preemption bound. */
export function timedExplore(module, words, preemptions, maxStates, limitSeconds = Infinity, bounded = false) {
  const m = new Model(module);
  m.load(words);
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;
  let last = { states: 0, transitions: 0, revisits: 0, maxDepth: 0 };
  const onProgress = Number.isFinite(limitSeconds)
    ? (p) => { last = p; if (elapsed() >= limitSeconds) throw CUT; }
    : undefined;
  try {
    const r = (bounded ? exploreBounded : explore)(m, { preemptions, maxStates, onProgress });
    return { ...r, cutOff: false, seconds: elapsed() };
  } catch (e) {
    if (e !== CUT) throw e;
    return { verdict: 0, ...last, exhaustive: false, tableFull: false, cutOff: true, seconds: elapsed() };
  }
}

/** Replace what is between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in `doc` by `text`. */
export function writeBlock(doc, name, text) {
  const BEGIN = `<!-- ${name}:begin -->`, END = `<!-- ${name}:end -->`;
  const old = existsSync(doc) ? readFileSync(doc, "utf8") : `# Performance\n\n${BEGIN}\n${END}\n`;
  const i = old.indexOf(BEGIN), j = old.indexOf(END);
  if (i < 0 || j < i) throw new Error(`${doc}: missing ${BEGIN} ... ${END}`);
  writeFileSync(doc, `${old.slice(0, i + BEGIN.length)}\n${text}\n${old.slice(j)}`);
  log(`wrote ${doc}`);
}
