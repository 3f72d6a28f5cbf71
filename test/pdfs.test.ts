// The parallel exhaustive search (host/node/pdfs.ts): one visited table shared by K workers, work
// sharing, and the promise that K changes neither the verdict nor the reported counterexample.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explore, exploreBounded } from "../host/core/explore";
import { encodeScenario, variantAssignments, variantOf, type SeedFile } from "../host/core/seed";
import { replayScenario } from "../host/core/run";
import { Model } from "../host/core/wasm";
import type { VisitedTable } from "../host/core/visited";
import { ParallelExplorer, type ParallelOptions } from "../host/node/pdfs";
import { module, scenarioFiles, seedFile } from "./helpers";

const S2 = "fixtures/scale/nfs-readdirplus-2x2x2.json";
const KS = [1, 2, 3];
const pools = new Map<number, ParallelExplorer>();
beforeAll(() => { for (const k of KS) pools.set(k, ParallelExplorer.open(module, k)); });
afterAll(async () => { for (const p of pools.values()) await p.close(); });

function sequential(words: Int32Array, preemptions: number, opts: { symmetry?: boolean; por?: boolean; hostTableBytes?: number } = {}) {
  const m = new Model(module);
  m.load(words);
  return { r: exploreBounded(m, { preemptions, maxStates: 50_000_000, ...opts }), model: m };
}

function parallel(k: number, words: Int32Array, opts: Partial<ParallelOptions> & { preemptions: number }) {
  return pools.get(k)!.explore(words, { maxStates: 50_000_000, ...opts });
}

/** Every variant of every built-in scenario, with its seed file's preemption bound. */
function builtIn(): { name: string; seed: SeedFile; words: Int32Array }[] {
  const out = [];
  for (const file of scenarioFiles()) {
    const s = seedFile(file);
    for (const va of variantAssignments(s)) {
      const seed = variantOf(s, va);
      out.push({ name: `${file} ${JSON.stringify(va)}`, seed, words: encodeScenario(seed).words });
    }
  }
  return out;
}

describe("the shared visited table", () => {
  it("under contention, each key is new to exactly one worker, and lowered for exactly one", async () => {
    const keys = 200_000;
    for (const k of [2, 3]) {
      const res = await pools.get(k)!.selftest(keys);
      expect(res.length).toBe(k);
      for (const r of res) expect(r.fresh + r.seen).toBe(2 * keys);
      expect(res.reduce((n, r) => n + r.fresh, 0)).toBe(2 * keys);
    }
  });
});

describe("the same verdict and counterexample whatever the number of workers", () => {
  it("every built-in scenario, with its preemption bound, K = 1, 2, 3; failures replay", { timeout: 300_000 }, async () => {
    let failing = 0, clean = 0;
    for (const { name, seed, words } of builtIn()) {
      const { r: one } = sequential(words, seed.run.preemptions);
      for (const k of KS) {
        const p = await parallel(k, words, { preemptions: seed.run.preemptions });
        expect([name, k, p.verdict, p.exhaustive, p.boundsComplete, p.lastBound]).toEqual([name, k, one.verdict, one.exhaustive, one.boundsComplete, one.lastBound]);
        if (one.choices) {
          // the reported counterexample is the one-worker search's; the one met in parallel replays
          expect([name, k, [...p.choices!]]).toEqual([name, k, [...one.choices]]);
          expect(p.rederived?.canonical).toBe(true);
          const enc = encodeScenario(seed);
          expect(replayScenario(module, enc, p.found!.choices, seed.run).verdict).not.toBe("ok");
        }
      }
      if (one.choices) failing++; else clean++;
    }
    expect(failing).toBeGreaterThan(10);
    expect(clean).toBeGreaterThan(5);
  });

  // the fixtures/scale k = 2 shapes: the one-name 2+2+2 in its whole state space, SPIN's H2 within
  // 2 preemptions (their whole spaces take the one-worker search 5-10 s each on an idle core)
  const shapes: [string, string[], number, number][] = [
    [S2, ["kernel.order=current"], -1, 0], [S2, ["kernel.order=proposed"], -1, 1],
    ["fixtures/scale/spin-h2-current.json", [], 2, 0], ["fixtures/scale/spin-h2-proposed.json", [], 2, 1], ["fixtures/scale/spin-h2-noblock.json", [], 2, 0],
  ];
  for (const [file, sets, preemptions, verdict] of shapes) {
    it(`${file} ${sets.join(" ")} (preemptions ${preemptions}), K = 1, 2, 3`, async () => {
      const seed = seedFile(file, sets);
      const words = encodeScenario(seed).words;
      const { r: one } = sequential(words, preemptions);
      expect([one.verdict, one.exhaustive]).toEqual([verdict, verdict === 0]);
      for (const k of KS) {
        const p = await parallel(k, words, { preemptions });
        expect([file, sets, k, p.verdict, p.exhaustive]).toEqual([file, sets, k, one.verdict, one.exhaustive]);
        if (one.choices) {
          expect([...p.choices!]).toEqual([...one.choices]);
          expect(replayScenario(module, encodeScenario(seed), p.found!.choices, seed.run).verdict).toBe("deadlock");
        }
      }
    }, 300_000);
  }
});

describe("reductions never change a verdict, in parallel", () => {
  it("every built-in and corpus scenario, whole state space: 2 workers with symmetry and partial-order reduction, 1 without", async () => {
    let cells = 0;
    for (const file of [...scenarioFiles(), ...scenarioFiles("fixtures/corpus")]) {
      const s = seedFile(file);
      for (const va of variantAssignments(s)) {
        const words = encodeScenario(variantOf(s, va)).words;
        const { r: plain } = sequential(words, -1, { symmetry: false, por: false });
        const reduced = await parallel(2, words, { preemptions: -1, maxStates: 5_000_000, symmetry: true, por: true });
        expect([file, va, reduced.verdict, reduced.exhaustive]).toEqual([file, va, plain.verdict, plain.exhaustive]);
        cells++;
      }
    }
    expect(cells).toBeGreaterThan(80);
  });
});

describe("state counts", () => {
  it("without symmetry and partial-order reduction: exactly the one-worker search's, bounded and unbounded, through table resizes", async () => {
    const a = "fixtures/scenarios/a-readdirplus-prime-lookup-mkdir-deadlock.json";
    const cases: [SeedFile, number][] = [
      [seedFile(a, ["kernel.order=current", "fs.prime=d_alloc_parallel"]), -1],
      [seedFile(S2, ["kernel.order=current"]), 1],
    ];
    for (const [seed, preemptions] of cases) {
      const words = encodeScenario(seed).words;
      const { r: one, model } = sequential(words, preemptions, { symmetry: false, por: false, hostTableBytes: 256 << 20 });
      const distinct = (model.visited as VisitedTable).count;
      for (const k of [2, 3]) {
        // a 1024-slot first table (with slices small enough for it): it doubles many times
        const p = await parallel(k, words, { preemptions, symmetry: false, por: false, initialSlots: 1024, slice: 64 });
        expect([p.verdict, p.exhaustive, p.distinct]).toEqual([0, true, distinct]);
        expect(p.resizes).toBeGreaterThanOrEqual(1);
        if (preemptions < 0) expect([p.states, p.transitions]).toEqual([one.states, one.transitions]);
      }
    }
  });
});

describe("a parallel search stops honestly", () => {
  const words = () => encodeScenario(seedFile(S2, ["kernel.order=current"])).words;

  it("a table that cannot grow fills: not exhaustive, stopped by the table", async () => {
    const p = await parallel(2, words(), { preemptions: -1, tableBytes: 1 << 20 });
    expect([p.verdict, p.exhaustive, p.stoppedBy, p.tableFull]).toEqual([0, false, "table", true]);
  });

  it("the state budget and the time limit: not exhaustive, saying which", async () => {
    const budget = await parallel(2, words(), { preemptions: -1, maxStates: 2000 });
    expect([budget.verdict, budget.exhaustive, budget.stoppedBy]).toEqual([0, false, "states"]);
    expect(budget.states).toBeGreaterThanOrEqual(2000);
    const time = await parallel(2, words(), { preemptions: -1, deadline: performance.now() });
    expect([time.verdict, time.exhaustive, time.stoppedBy]).toEqual([0, false, "time"]);
  });

  it("work is shared: the second worker gets subtrees from the first", async () => {
    const p = await parallel(2, words(), { preemptions: -1 });
    expect(p.donations).toBeGreaterThan(0);
    expect(p.perWorker.every((w) => w.states > 0 && w.items > 0)).toBe(true);
  });
});

describe("vfsim run --workers", () => {
  const tmp = mkdtempSync(join(tmpdir(), "vfsim-pdfs-"));
  const bin = (...argv: string[]) => {
    const r = spawnSync(process.execPath, [resolve("bin/vfsim.mjs"), ...argv], { encoding: "utf8", timeout: 120_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("writes the counterexample the one-worker run writes, and it replays", () => {
    const one = bin("run", S2, "--set", "kernel.order=proposed", "--out", join(tmp, "one"));
    const two = bin("run", S2, "--set", "kernel.order=proposed", "--workers", "2", "--out", join(tmp, "two"));
    expect([one.code, two.code]).toEqual([1, 1]);
    expect(two.out).toContain("dfs, 2 workers");
    const [f1] = readdirSync(join(tmp, "one")), [f2] = readdirSync(join(tmp, "two"));
    expect(f2).toBe(f1);
    expect(readFileSync(join(tmp, "two", f2), "utf8")).toBe(readFileSync(join(tmp, "one", f1), "utf8"));
    expect(bin("replay", join(tmp, "two", f2)).code).toBe(1);
  });

  it("ok only when exhausted (exit 0), and --workers only with dfs (exit 2)", () => {
    const ok = bin("run", S2, "--set", "kernel.order=current", "--workers", "2", "--json");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ verdict: "ok", exhaustive: true, workers: 2 });
    const bad = bin("run", S2, "--strategy", "random", "--workers", "2");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--workers");
  });
});
