// Honest budgets: "ok" only when the stated space was exhausted; a search a budget stopped is
// inconclusive, says what it covered and how to go further, in text, JSON, the matrix and the
// exit status. Iterative context bounding: the first counterexample has the fewest preemptions.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { explore, exploreBounded } from "../host/core/explore";
import { EXIT } from "../host/core/exit";
import { meets } from "../host/core/matrix";
import { reportJson, reportText } from "../host/core/report";
import { runScenario, scheduleBudget, DFS_NO_STATE_CAP, RANDOM_SCHEDULES_DEFAULT, type RunOptions } from "../host/core/run";
import { encodeScenario, parseSeedFile } from "../host/core/seed";
import { Model } from "../host/core/wasm";
import { A, module, seedFile } from "./helpers";

const S2 = "fixtures/scale/nfs-readdirplus-2x2x2.json";

function run(file: string, sets: string[], opts: Partial<RunOptions>) {
  const s = seedFile(file, sets);
  const enc = encodeScenario(s);
  const r = runScenario(module, s, enc, { strategy: "dfs", seed: 1n, schedules: 0, depth: 3, preemptions: -1, ...opts });
  return { r, text: reportText(r, enc), json: reportJson(r) };
}

function cli(args: string[]): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync("node", ["bin/vfsim.mjs", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) };
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return { code: x.status, out: x.stdout + x.stderr };
  }
}

describe("honest budgets", () => {
  it("defaults: dfs has no state cap short of the visited table; random and PCT run 10,000 schedules", () => {
    expect(scheduleBudget("dfs", 0)).toBe(DFS_NO_STATE_CAP);
    expect(scheduleBudget("random", 0)).toBe(RANDOM_SCHEDULES_DEFAULT);
    expect(scheduleBudget("pct", 0)).toBe(10_000);
    expect(scheduleBudget("dfs", 500)).toBe(500);
    expect(parseSeedFile(JSON.stringify({ vfsim: 1, name: "x", tree: { "/d": [] }, threads: [{ name: "T", ops: [{ op: "stat", path: "/d/a" }] }] })).run.schedules).toBe(0);
  });

  it("a dfs stopped by its state budget is inconclusive: what stopped it, what it covered, how to go further", () => {
    const { r, text, json } = run(S2, ["kernel.order=current"], { schedules: 1000 });
    expect([r.verdict, r.exhaustive, r.stoppedBy, r.states]).toEqual(["inconclusive", false, "states", 1000]);
    expect(text).toMatch(/^verdict: inconclusive \(dfs, not exhaustive: stopped because the state budget \(1000 states\) ran out; no failure found\)\n {2}covered: 1000 states, /);
    expect(text).toContain("to go further: raise --schedules");
    expect(json).toMatchObject({ verdict: "inconclusive", exhaustive: false, stoppedBy: "states", states: 1000, further: expect.stringContaining("--schedules") });
  });

  it("the same space with no cap is exhausted: ok, and says so", () => {
    const { r, text } = run(S2, ["kernel.order=current"], {});
    expect([r.verdict, r.exhaustive]).toEqual(["ok", true]);
    expect(text).toMatch(/^verdict: ok \(dfs, the whole state space exhausted: [\d,]+ states, /);
  });

  it("random and PCT schedules never exhaust a space: no failure is inconclusive, never ok", () => {
    for (const strategy of ["random", "pct"] as const) {
      const { r, text, json } = run(S2, ["kernel.order=current"], { strategy, schedules: 200 });
      expect([r.verdict, r.exhaustive, r.schedules, r.stoppedBy]).toEqual(["inconclusive", false, 200, "schedules"]);
      expect(text).toContain(`verdict: inconclusive (no failure in 200 schedules (${strategy}, not exhaustive)`);
      expect(json).toMatchObject({ verdict: "inconclusive", schedules: 200 });
    }
  });

  it("--time: a search the clock stops is inconclusive, stopped by time", () => {
    const { r, text } = run("fixtures/scale/nfs-readdirplus-3x3x3.json", ["kernel.order=current"], { timeSeconds: 0 });
    expect([r.verdict, r.exhaustive, r.stoppedBy]).toEqual(["inconclusive", false, "time"]);
    expect(text).toContain("the time limit (0 s) ran out");
    expect(text).toContain("to go further: raise --time");
  });

  it("the matrix never counts an inconclusive cell as agreeing with an expected ok", () => {
    const { r } = run(S2, ["kernel.order=current"], { schedules: 1000 });
    expect(meets(r, { verdict: "ok" })).toBe(false);
    expect(meets(r, { verdict: "inconclusive" })).toBe(true);
  });

  it("exit statuses: 0 exhausted, 4 inconclusive (dfs budget, random), 1 a failure", () => {
    expect(cli(["run", S2, "--set", "kernel.order=current", "--preemptions", "1", "--out", "/tmp/vfsim-budget-test"]).code).toBe(EXIT.ok);
    const budget = cli(["run", S2, "--set", "kernel.order=current", "--preemptions", "unbounded", "--schedules", "500"]);
    expect(budget.code).toBe(EXIT.inconclusive);
    expect(budget.out).toContain("verdict: inconclusive");
    const random = cli(["run", S2, "--set", "kernel.order=current", "--strategy", "random", "--schedules", "100", "--json"]);
    expect(random.code).toBe(EXIT.inconclusive);
    expect(JSON.parse(random.out)).toMatchObject({ verdict: "inconclusive", schedules: 100, further: expect.any(String) });
    expect(cli(["run", A, "--set", "kernel.order=proposed", "--out", "/tmp/vfsim-budget-test"]).code).toBe(EXIT.failure);
  });
});

describe("iterative context bounding", () => {
  function model(file: string, sets: string[]): Model {
    const m = new Model(module);
    m.load(encodeScenario(seedFile(file, sets)).words);
    return m;
  }

  it("a clean space: every bound 0..K covered completely", () => {
    const r = exploreBounded(model(S2, ["kernel.order=current"]), { preemptions: 2, maxStates: 10_000_000 });
    expect([r.verdict, r.exhaustive, r.boundsComplete, r.lastBound]).toEqual([0, true, 2, 2]);
    expect(r.totalStates).toBeGreaterThan(r.states);
  });

  it("the first counterexample has the fewest preemptions: the bound below it is clean and exhausted", () => {
    for (const sets of [["kernel.order=proposed"], ["kernel.order=proposed", "kernel.rwsem=fifo"]]) {
      const r = exploreBounded(model(A, sets), { preemptions: 3, maxStates: 10_000_000 });
      expect(r.verdict).not.toBe(0);
      expect(r.boundsComplete).toBe(r.lastBound - 1);
      if (r.lastBound > 0) {
        const below = explore(model(A, sets), { preemptions: r.lastBound - 1, maxStates: 10_000_000 });
        expect([below.verdict, below.exhaustive]).toEqual([0, true]);
      }
      const at = explore(model(A, sets), { preemptions: r.lastBound, maxStates: 10_000_000 });
      expect(at.verdict).toBe(r.verdict);
    }
  });

  it("the report says which bounds were covered completely", () => {
    const { text, json } = run(S2, ["kernel.order=current"], { preemptions: 2, schedules: 0 });
    expect(text).toMatch(/bounds 0-2 covered completely/);
    expect(json).toMatchObject({ verdict: "ok", boundsComplete: 2, lastBound: 2 });
    const stopped = run(S2, ["kernel.order=current"], { preemptions: 2, schedules: 2000 });
    expect(stopped.r.verdict).toBe("inconclusive");
    expect(stopped.json).toMatchObject({ stoppedBy: "states" });
    expect(stopped.r.boundsComplete).toBeLessThan(2);
  });
});
