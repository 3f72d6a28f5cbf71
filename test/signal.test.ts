// SIGKILL and killable sleeps (assembly/kernel/signal.ts): the kill op, the rwsem out_nolock exit,
// the exit of a killed task, the killable flag of a waits-for cycle, and the op's validation.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { replayScenario, runScenario, type RunOptions } from "../host/core/run";
import { encodeScenario, parseSeedFile, type SeedFile } from "../host/core/seed";
import { VERDICT_RUNNING } from "../host/core/abi";
import { Model } from "../host/core/wasm";
import { A, module, seedFile } from "./helpers";

const Q = "fixtures/scenarios/kill-getdents-queued-rwsem.json";
const KILL_L = "fixtures/scenarios/a-kill-stat-d-state.json";

function run(s: SeedFile, over: Partial<RunOptions> = {}) {
  return runScenario(module, s, encodeScenario(s), {
    strategy: s.run.strategy, seed: s.run.seed, schedules: s.run.schedules, depth: s.run.depth, preemptions: s.run.preemptions, ...over,
  });
}

/** Drive one schedule: `script` lists tasks to run in order, each taken when runnable (a task
 *  that cannot run is skipped); after it, the lowest runnable task runs. Returns the replayed
 *  report (trace on). */
function drive(s: SeedFile, script: number[]) {
  const enc = encodeScenario(s);
  const m = new Model(module);
  m.load(enc.words);
  m.begin();
  const choices: number[] = [];
  let i = 0;
  for (let v = VERDICT_RUNNING; v === VERDICT_RUNNING; ) {
    const mask = m.runnableMask();
    while (i < script.length && (mask & (1 << script[i])) === 0) i++;
    const t = i < script.length ? script[i++] : 31 - Math.clz32(mask & -mask);
    choices.push(t);
    v = m.tick(t);
  }
  return replayScenario(module, enc, Uint8Array.from(choices), s.run);
}

const lines = (r: ReturnType<typeof drive>, task: number) => r.trace!.filter((e) => e.task === task).map((e) => e.text);

describe("kill op: a readdir asleep in down_read_killable", () => {
  // threads: W 0 (mkdir /d/y), G 1 (getdents /d, then stat /d/x), H 2 (getdents /d), K 3 (kill G)
  const s = seedFile(Q, ["kernel.order=current", 'threads=[{"name":"W","ops":[{"op":"mkdir","path":"/d/y"}]},{"name":"G","ops":[{"op":"getdents","path":"/d"},{"op":"stat","path":"/d/x"}]},{"name":"K","ops":[{"op":"kill","task":"G"}]}]']);

  it("leaves the queue with -EINTR (out_nolock), getdents fails, and G makes no more system calls", () => {
    // W: walk, inode_lock (held); G: walk, down_read_killable (queued); K: kill; then G, then W
    const r = drive(s, [0, 0, 1, 1, 1, 2, 1]);
    expect(r.verdict).toBe("ok");
    const g = lines(r, 1);
    expect(g).toContain("iterate_dir: down_read_killable i_rwsem(d) [queued]");
    expect(g).toContain("<- woken from a killable sleep: SIGKILL from K");
    expect(g.some((l) => l.startsWith("iterate_dir: down_read_killable: -EINTR i_rwsem(d) = -EINTR [interrupted: -EINTR]"))).toBe(true);
    expect(g).toContain("getdents returns -EINTR");
    expect(g.some((l) => l.startsWith("do_exit"))).toBe(true);
    expect(g.some((l) => l.startsWith("stat("))).toBe(false);   // the second op never runs
    expect(g.some((l) => l.startsWith("nfs_readdir"))).toBe(false);
  });

  it("keeps the lock if the release granted it before G ran: the readdir completes, then G exits", () => {
    // W runs to the end (its unlock grants G, already woken by the kill), then G
    const r = drive(s, [0, 0, 1, 1, 1, 2, 0, 0, 0, 0, 0, 0, 1]);
    expect(r.verdict).toBe("ok");
    const g = lines(r, 1);
    expect(g).toContain("<- woken from a killable sleep: SIGKILL from K");
    expect(g.some((l) => l.includes("[interrupted"))).toBe(false);
    expect(g.some((l) => l.startsWith("nfs_readdir: READDIRPLUS"))).toBe(true);
    expect(g.some((l) => l.startsWith("getdents returns") && !l.includes("EINTR"))).toBe(true);
    expect(g.some((l) => l.startsWith("do_exit"))).toBe(true);
    expect(g.some((l) => l.startsWith("stat("))).toBe(false);
  });

  it("a task killed before it enters a system call never enters it", () => {
    const r = drive(s, [2]);
    expect(r.verdict).toBe("ok");
    const g = lines(r, 1);
    expect(g).toEqual(["do_exit: killed: no more system calls [SIGKILL]"]);
  });

  it("with a fatal signal already pending, down_read_killable on a held lock fails at once", () => {
    // G walks (lookup_fast), K kills it while it runs, W takes /d, G's down_read_killable: -EINTR
    const r = drive(s, [1, 2, 0, 0, 1]);
    expect(r.verdict).toBe("ok");
    const g = lines(r, 1);
    expect(g).toContain("iterate_dir: down_read_killable i_rwsem(d) = -EINTR [interrupted: -EINTR]");
    expect(g.some((l) => l.includes("[queued]"))).toBe(false);
  });

  it("the fixture holds over the whole state space in every variant (the kill at every point)", () => {
    for (const order of ["current", "proposed"]) {
      for (const rwsem of ["linux", "fifo", "reader-pref"]) {
        const r = run(seedFile(Q, [`kernel.order=${order}`, `kernel.rwsem=${rwsem}`]));
        expect([order, rwsem, r.verdict, r.exhaustive]).toEqual([order, rwsem, "ok", true]);
      }
    }
  });
});

describe("a SIGKILL does not break scenario (a): every wait in R -> L -> W is uninterruptible", () => {
  it("L killed after it sleeps: the cycle stands, the report shows the signal pending and D state", () => {
    // (a)'s deadlocking schedule for R, L, W, then K: the kill finds L asleep TASK_UNINTERRUPTIBLE
    const found = run(seedFile(A, ["kernel.order=proposed"]));
    expect(found.verdict).toBe("deadlock");
    const s = seedFile(KILL_L, ["kernel.order=proposed"]);
    const r = drive(s, [...found.choices!].concat([3]));
    expect(r.verdict).toBe("deadlock");
    expect(r.cycle).toEqual([
      { task: "R", wait: "in-lookup wait", killable: false, signalPending: false },
      { task: "L", wait: "rwsem read", killable: false, signalPending: true },
      { task: "W", wait: "rwsem write", killable: false, signalPending: false },
    ]);
    expect(lines(r, 3)).toContain("kill(L, SIGKILL)");
  });

  it("each fixture expects (a)'s verdicts in every variant", () => {
    for (const f of [KILL_L, "fixtures/scenarios/a-kill-readdir-d-state.json"]) {
      const s = seedFile(f);
      expect(s.expect.map((e) => [e.when, e.verdict])).toEqual(seedFile(A).expect.map((e) => [e.when, e.verdict]));
    }
  });
});

describe("the kill op's validation", () => {
  const raw = JSON.parse(readFileSync(KILL_L, "utf8"));
  const bad = (task: unknown) => {
    const x = JSON.parse(JSON.stringify(raw));
    x.threads[3].ops[0].task = task;
    return () => parseSeedFile(JSON.stringify(x));
  };
  it("names the field of an unknown thread", () => {
    expect(bad("Z")).toThrow(/threads\[3\]\.ops\[0\]\.task: no thread named "Z"/);
  });
  it("refuses a thread that kills itself", () => {
    expect(bad("K")).toThrow(/threads\[3\]\.ops\[0\]\.task: a thread cannot kill itself/);
  });
  it("refuses a path on a kill and a task on a stat", () => {
    const x = JSON.parse(JSON.stringify(raw));
    x.threads[3].ops[0].path = "/d";
    expect(() => parseSeedFile(JSON.stringify(x))).toThrow(/threads\[3\]\.ops\[0\]\.path: kill takes no path/);
    const y = JSON.parse(JSON.stringify(raw));
    y.threads[1].ops[0].task = "R";
    expect(() => parseSeedFile(JSON.stringify(y))).toThrow(/threads\[1\]\.ops\[0\]\.task: stat takes no task/);
  });
});
