// Executable locking contracts (assembly/kernel/lockdep_assert.ts): a call path that forgets a lock
// stops the run as a model fault (a trap, exit 3) that names the function whose `Locking:` line it
// broke and the lock, in the full build and in the lean one that sweeps run. The call path is the
// planted bug no-lookup-slow-lock: lookup_slow in the current order skips inode_lock_shared, so
// __lookup_slow is entered without the parent's i_rwsem.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../host/core/run";
import { encodeScenario, type StrategyName } from "../host/core/seed";
import { ModelTrap } from "../host/core/wasm";
import { main } from "../host/node/cli";
import { A, lean, module, seedFile } from "./helpers";

const FAULT = /locking contract of __lookup_slow: task \d must hold i_rwsem of inode \d+ shared \(lockdep_assert_held_read\), but holds it: not at all/;

function run(mod: WebAssembly.Module, sets: string[], strategy: StrategyName) {
  const s = seedFile(A, sets);
  return runScenario(mod, s, encodeScenario(s), { strategy, seed: 1n, schedules: strategy === "dfs" ? 0 : 200, depth: 3, preemptions: strategy === "dfs" ? 1 : -1 });
}

describe("a forgotten lock is a model fault", () => {
  const planted = ["kernel.order=current", 'plant=["no-lookup-slow-lock"]'];
  it.each([["full", module, "dfs"], ["full", module, "random"], ["lean", lean, "random"]] as const)("%s build, %s", (_, mod, strategy) => {
    let trap: unknown;
    try { run(mod, planted, strategy); } catch (e) { trap = e; }
    expect(trap).toBeInstanceOf(ModelTrap);
    expect((trap as Error).message).toMatch(FAULT);
  });

  it("the same scenario without the plant runs to its verdict", () => {
    expect(run(module, ["kernel.order=current"], "dfs").verdict).toBe("ok");
  });

  it("the plant bites only where the contract is broken: the proposed order's verdict is unchanged", () => {
    const sets = ["kernel.order=proposed"];
    expect(run(module, [...sets, 'plant=["no-lookup-slow-lock"]'], "dfs").verdict).toBe(run(module, sets, "dfs").verdict);
    expect(run(module, sets, "dfs").verdict).toBe("deadlock");
  });

  it("vfsim fuzz refuses it up front, exit 2, naming the flag: there is no finding to make", async () => {
    const err: string[] = [];
    const code = await main(["fuzz", "--plant", "no-wake,no-lookup-slow-lock", "--execs", "1", "--out", mkdtempSync(join(tmpdir(), "vfsim-plant-"))], () => {}, (s) => err.push(s));
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/^vfsim: --plant no-lookup-slow-lock: not a canary the fuzzer can use: .* model fault \(exit 3\)/);
  });

  it("vfsim run exits 3, names the function and the lock, and says \"model bug\" once", () => {
    const r = spawnSync(process.execPath, [resolve("bin/vfsim.mjs"), "run", A, "--set", "kernel.order=current", "--set", 'plant=["no-lookup-slow-lock"]'], { encoding: "utf8", timeout: 120_000 });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(FAULT);
    expect(r.stderr.match(/model bug/g)).toEqual(["model bug"]); // said once, by the host
  });
});
