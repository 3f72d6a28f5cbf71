// Sweeps: results independent of worker count, shard split and completion order; streamed JSONL
// that resumes without redoing or losing work; shrunk counterexamples that replay; worker deaths
// and model traps reported with their schedule while the sweep goes on; merge of shards.
// The pool runs dist/worker.mjs (built by `npm run build`, the pretest step).
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawn } from "node:child_process";
import { basename, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../host/core/exit";
import { replayScenario, runScenario } from "../host/core/run";
import { encodeScenario, parseSeedFile, variantOf } from "../host/core/seed";
import { CHECKS, VERDICTS } from "../host/core/abi";
import { readOutcome } from "../host/core/outcome";
import { decodeSchedule, encodeSchedule } from "../host/core/schedule";
import { wasmStrategy } from "../host/core/strategy";
import { Model } from "../host/core/wasm";
import { cmdMerge } from "../host/node/merge";
import { summaryJson } from "../host/node/results";
import { cmdSweep, shardOf, sweep, sweepOptions, type SweepOptions } from "../host/node/sweep";
import { A, lean, module, seedFile } from "./helpers";

const C7 = "fixtures/scenarios/c7-no-dir-seq-recheck-two-owners.json";
const CHUNK = 4096; // smaller than the default, so small sweeps have several chunks
const SCHEDULES = 2 * CHUNK + 808; // three chunks per target, the last one short
const tmp = mkdtempSync(join(tmpdir(), "vfsim-sweep-"));
let dirs = 0;

function options(over: Partial<SweepOptions> = {}): SweepOptions {
  return { files: [A, C7], sets: [], strategy: "random", schedules: SCHEDULES, chunk: CHUNK, workers: 2, shard: { index: 0, count: 1 }, resume: false, json: true, ...over };
}

/** A fresh results file in its own directory. */
function outFile(): string {
  return join(tmp, `run${dirs++}`, "results.jsonl");
}

/** The summary without timing, counterexample paths reduced to their names. */
function results(json: Record<string, unknown>): unknown {
  const { seconds, schedulesPerSecond, ...rest } = json;
  return JSON.parse(JSON.stringify(rest), (k, v) => (k === "file" && typeof v === "string" ? basename(v) : v));
}

const lines = (file: string) => readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));

async function merge(...argv: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await cmdMerge(argv, (x) => out.push(x), (x) => err.push(x));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

// One reference sweep, reused below.
const refOut = outFile();
const ref = await sweep(options({ out: refOut }));
const refJson = summaryJson(ref.summary, ref.timing);

describe("sweep results do not depend on how the work is split", () => {
  it("covers every variant of every file, and finds the deadlock and the violation", () => {
    expect(ref.summary.targets).toHaveLength(12 + 2);
    expect(ref.summary.schedules).toBe(14 * SCHEDULES);
    expect(ref.summary.missing).toEqual([]);
    const failing = ref.summary.targets.filter((t) => t.failing > 0).map((t) => [t.variant, t.kinds.map((k) => k.invariant ?? k.verdict)]);
    expect(failing).toEqual([
      [{ "kernel.order": "proposed", "fs.prime": "d_alloc_parallel", "kernel.rwsem": "linux" }, ["deadlock"]],
      [{ "kernel.order": "proposed", "fs.prime": "d_alloc_parallel", "kernel.rwsem": "fifo" }, ["deadlock"]],
      [{ "kernel.order": "current" }, ["inlookup-unique"]],
      [{ "kernel.order": "proposed" }, ["inlookup-unique"]],
    ]);
    expect(ref.code).toBe(1);
  });

  it("1 worker gives the same results as 2", async () => {
    const one = await sweep(options({ workers: 1, out: outFile() }));
    expect(results(summaryJson(one.summary, one.timing))).toEqual(results(refJson));
  });

  it("two shards, merged, give the same results as one machine", async () => {
    const a = outFile(), b = outFile();
    const s0 = await sweep(options({ out: a, shard: { index: 0, count: 2 } }));
    const s1 = await sweep(options({ out: b, shard: { index: 1, count: 2 }, workers: 1 }));
    expect(s0.summary.schedules + s1.summary.schedules).toBe(ref.summary.schedules);
    const m = await merge(b, a, "--json");
    expect(m.code).toBe(1);
    expect(results(JSON.parse(m.out))).toEqual(results(refJson));
  });

  it("schedule i of a sweep is schedule i of `vfsim run` with the same strategy and seed", () => {
    const t = ref.summary.targets.find((x) => x.failing > 0)!;
    const v = variantOf(seedFile(A), t.variant);
    const r = runScenario(module, v, encodeScenario(v), { strategy: "random", seed: 1n, schedules: SCHEDULES, depth: 3, preemptions: 2 });
    expect(r.schedules - 1).toBe(t.kinds[0].first);
  });
});

describe("failures", () => {
  it("are listed by schedule index: one per kind per target, its first failing schedule", () => {
    const found = ref.summary.found;
    const order = found.map((f) => [f.target, f.schedule]);
    expect(order).toEqual([...order].sort((x, y) => x[0] - y[0] || x[1] - y[1]));
    const perKind = new Set(found.map((f) => `${f.target}/${f.verdict}/${f.invariant}`));
    expect(perKind.size).toBe(found.length);
    expect(found.length).toBe(4); // 4 failing targets, one kind each (over 3 chunks each)
    for (const f of found) {
      const kind = ref.summary.targets[f.target].kinds.find((k) => k.verdict === f.verdict && k.invariant === f.invariant)!;
      expect(f.schedule).toBe(kind.first);
      expect(f.chunk).toBe(f.target); // the first chunk of the target: ids are round-robin over targets
    }
    // every chunk still records its own first failure of each kind, as found, for resume and merge
    const written = lines(refOut);
    expect(written.filter((l) => l.type === "failure")).toHaveLength(4 * 3);
    expect(written.filter((l) => l.type === "failure").every((l) => typeof l.choices === "string" && l.file === undefined)).toBe(true);
    expect(written.filter((l) => l.type === "shrunk").map((l) => [l.target, l.schedule])).toEqual(order);
  });

  it("are shrunk counterexamples in failures/ beside the results, and replay to their verdict", () => {
    for (const f of ref.summary.found) {
      expect(f.file!.startsWith(join(tmp, "run0", "failures") + "/")).toBe(true);
      const path = f.file!;
      const s = parseSeedFile(readFileSync(path, "utf8"));
      const r = replayScenario(module, encodeScenario(s), decodeSchedule(s.schedule!, s.threads.length), s.run);
      expect([r.verdict, r.invariant]).toEqual([f.verdict, f.invariant]);
      expect(s.expect[0]).toMatchObject({ verdict: f.verdict });
      expect(f.after!.ticks).toBeLessThanOrEqual(f.before.ticks);
      expect(r.ticks).toBe(f.after!.ticks);
    }
  });
});

describe("the results file", () => {
  it("starts with the plan, and every chunk's details come just before its chunk line", () => {
    const all = lines(refOut);
    expect(all[0]).toMatchObject({ type: "sweep", strategy: "random", schedules: SCHEDULES, chunk: CHUNK });
    expect(all.filter((l) => l.type === "chunk")).toHaveLength(14 * 3);
    for (let i = 0; i < all.length; i++) {
      if (all[i].type !== "failure") continue;
      const next = all.slice(i).find((l) => l.type === "chunk");
      expect(next.id).toBe(all[i].chunk);
    }
    expect(all.at(-1)).toMatchObject({ type: "end", schedules: 14 * SCHEDULES });
  });

  it("--resume after an interruption keeps every completed chunk and redoes none", async () => {
    const out = outFile();
    await sweep(options({ out, files: [A] }));
    const full = readFileSync(out, "utf8").split("\n");
    // interrupted in the middle of the line after the 10th chunk line
    const tenth = full.map((l, i) => [l, i] as const).filter(([l]) => l.includes('"type":"chunk"'))[9][1];
    writeFileSync(out, full.slice(0, tenth + 1).join("\n") + "\n" + full[tenth + 1].slice(0, 25));
    const before = full.slice(0, tenth + 1).map((l) => JSON.parse(l)).filter((l) => l.type === "chunk").map((l) => l.id);
    const resumed = await sweep(options({ out, files: [A], resume: true }));
    const chunks = lines(out).filter((l) => l.type === "chunk").map((l) => l.id);
    expect(chunks.slice(0, 10)).toEqual(before);
    expect(new Set(chunks).size).toBe(chunks.length); // nothing done twice
    expect(chunks).toHaveLength(12 * 3);
    expect(lines(out).filter((l) => l.type === "sweep")).toHaveLength(2); // two sessions
    const whole = await sweep(options({ files: [A], out: outFile() }));
    expect(results(summaryJson(resumed.summary, resumed.timing))).toEqual(results(summaryJson(whole.summary, whole.timing)));
  });

  it("refuses to overwrite a results file, or to resume another sweep's", async () => {
    const r = await runCli(A, "--schedules", "100", "--out", refOut);
    expect(r).toMatchObject({ code: 2, err: expect.stringContaining("exists; pass --resume") });
    const other = await runCli(A, "--schedules", "100", "--out", refOut, "--resume");
    expect(other).toMatchObject({ code: 2, err: expect.stringContaining("holds a different sweep") });
  });
});

describe("faults", () => {
  it("a worker that dies is reported with its schedule; the sweep goes on", async () => {
    const r = await sweep(options({ out: outFile(), faults: { exitAt: { target: 0, schedule: 5000 } } }), () => {});
    expect(r.summary.crashes).toEqual([expect.objectContaining({ target: 0, schedule: 5000, chunk: 14 })]); // chunk 1 of target 0 of 14
    expect(r.summary.schedules).toBe(ref.summary.schedules - 1);
    expect(results({ found: r.summary.found })).toEqual(results({ found: ref.summary.found }));
    expect(results({ t: r.summary.targets.slice(1) })).toEqual(results({ t: ref.summary.targets.slice(1) }));
    expect(r.code).toBe(3);
    expect(r.text).toContain("worker died: a-readdirplus-prime-lookup-mkdir-deadlock order=current prime=d_alloc_parallel rwsem=linux schedule 5000");
  });

  it("a model trap is reported with its schedule and choices; the sweep goes on", async () => {
    const r = await sweep(options({ out: outFile(), faults: { trapAt: { target: 1, schedule: 4100 } } }));
    expect(r.summary.traps).toEqual([expect.objectContaining({ target: 1, schedule: 4100, message: "planted trap (test fault)" })]);
    expect(r.summary.schedules).toBe(ref.summary.schedules);
    expect(results({ found: r.summary.found })).toEqual(results({ found: ref.summary.found }));
    expect(r.code).toBe(3);
  });
});

describe("failures tallied in wasm (issue 12: one return to the host per batch)", () => {
  // random schedules of this file end in a deadlock, a violation of owner-only, or clean
  const WW = "fixtures/regressions/deadlock-lookuplock-write-write.7958aa85.json";
  const N = 3000;
  /** Every failure of schedules 0..n-1, found one at a time as before: kind -> count and first. */
  function oneByOne(mod: WebAssembly.Module, name: "random" | "pct", n: number) {
    const m = new Model(mod);
    m.load(encodeScenario(seedFile(WW)).words);
    const st = wasmStrategy(name, 7n, 3);
    const kinds = new Map<string, { count: number; first: number }>();
    let ticks = 0;
    for (let i = 0; i < n; ) {
      const r = st.runBatch(m, i, n - i);
      ticks += r.ticks;
      if (r.hit < 0) break;
      const o = readOutcome(m, m.verdict());
      const key = `${o.verdict}/${o.invariant ?? ""}`;
      const k = kinds.get(key);
      if (k) k.count++;
      else kinds.set(key, { count: 1, first: i + r.hit });
      i += r.hit + 1;
    }
    return { kinds: Object.fromEntries(kinds), ticks };
  }

  it.each([["lean", "random"], ["lean", "pct"], ["full", "random"], ["full", "pct"]] as const)("%s build, %s: the same counts and first schedules as one failure at a time, however the batches are cut", (build, name) => {
    const mod = build === "lean" ? lean : module;
    const want = oneByOne(mod, name, N);
    expect(Object.keys(want.kinds)).toEqual(expect.arrayContaining(["deadlock/", "violation/owner-only"]));
    const failing = Object.values(want.kinds).reduce((n, k) => n + k.count, 0);
    expect(failing).toBeGreaterThan(0);
    expect(failing).toBeLessThan(N);
    for (const cuts of [[N], [700, N - 700], [1, 999, 1, N - 1001]]) {
      const m = new Model(mod);
      m.load(encodeScenario(seedFile(WW)).words);
      const st = wasmStrategy(name, 7n, 3);
      const got = new Map<string, { count: number; first: number }>();
      let ticks = 0, from = 0;
      for (const count of cuts) {
        const r = st.tallyBatch!(m, from, count);
        ticks += r.ticks;
        for (const e of r.kinds) {
          const key = `${VERDICTS[e.code]}/${e.check >= 0 ? CHECKS[e.check] : ""}`;
          const k = got.get(key);
          if (k) k.count += e.count;
          else got.set(key, { count: e.count, first: e.first });
        }
        from += count;
      }
      expect([cuts, Object.fromEntries(got), ticks]).toEqual([cuts, want.kinds, want.ticks]);
    }
  });

  it("a sweep reports them as before, with 1 worker or 3: counts, first schedules and their choices", async () => {
    const base = { files: [WW], schedules: N, chunk: 1024, seed: 7n, shrink: { scenario: false } };
    const oneOut = outFile();
    const one = await sweep(options({ ...base, workers: 1, out: oneOut }));
    const three = await sweep(options({ ...base, workers: 3, out: outFile() }));
    expect(results(summaryJson(three.summary, three.timing))).toEqual(results(summaryJson(one.summary, one.timing)));
    const want = oneByOne(lean, "random", N);
    const t = one.summary.targets[0];
    expect(Object.fromEntries(t.kinds.map((k) => [`${k.verdict}/${k.invariant ?? ""}`, { count: k.count, first: k.first }]))).toEqual(want.kinds);
    expect(one.summary.ticks).toBe(want.ticks);
    // the first of each kind, as a chunk recorded it, is that schedule's choices run alone
    const m = new Model(lean);
    m.load(encodeScenario(seedFile(WW)).words);
    for (const f of lines(oneOut).filter((l) => l.type === "failure")) {
      expect(wasmStrategy("random", 7n, 3).runBatch(m, f.schedule, 1).hit).toBe(0);
      expect(f.choices).toBe(encodeSchedule(m.choices()));
    }
  });
});

describe("the command line", () => {
  it("--json prints schedules, seconds, schedulesPerSecond and failures", async () => {
    const out = outFile();
    const r = await runCli(C7, "--schedules", "500", "--json", "--workers", "1", "--out", out);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ schedules: 1000, failures: expect.any(Number) });
    expect(json.failures).toBeGreaterThan(0);
    expect(json.seconds).toBeGreaterThan(0);
    expect(json.schedulesPerSecond).toBeGreaterThan(0);
    expect(json.found[0].file).toBe(join(out, "..", "failures", basename(json.found[0].file)));
    expect(existsSync(json.found[0].file)).toBe(true);
    expect(readFileSync(out, "utf8")).toContain(`"file":"failures/${basename(json.found[0].file)}"`);
    expect(r.code).toBe(1);
  });

  it("bad flags: exit 2, the flag named", async () => {
    expect(await runCli(A, "--workers", "x")).toMatchObject({ code: 2, err: 'vfsim: --workers: expected an integer from 1 to 64, got "x"' });
    expect(await runCli(A, "--strategy", "dfs")).toMatchObject({ code: 2, err: expect.stringContaining("--strategy: expected one of random, pct") });
    expect(await runCli(A, "--shard", "2/2")).toMatchObject({ code: 2, err: expect.stringContaining("--shard: expected i/n") });
    expect(await runCli(A, "--resume")).toMatchObject({ code: 2, err: expect.stringContaining("--resume: needs --out") });
    expect(await runCli()).toMatchObject({ code: 2, err: expect.stringContaining("at least one seed file") });
    expect(await runCli(join(tmp, "nope.json"))).toMatchObject({ code: 2, err: expect.stringContaining("no such file") });
  });

  it("the shard comes from --shard, or from a Kubernetes or Slurm array index", () => {
    expect(shardOf("3/8", undefined, {})).toEqual({ index: 3, count: 8 });
    expect(shardOf(undefined, undefined, {})).toEqual({ index: 0, count: 1 });
    expect(shardOf(undefined, "4", { JOB_COMPLETION_INDEX: "2" })).toEqual({ index: 2, count: 4 });
    expect(shardOf(undefined, undefined, { SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "8" })).toEqual({ index: 4, count: 8 });
    expect(() => shardOf(undefined, undefined, { JOB_COMPLETION_INDEX: "2" })).toThrow(/pass --shards n/);
    expect(() => shardOf(undefined, "4", { JOB_COMPLETION_INDEX: "4" })).toThrow(/from 0 to 3/);
    expect(sweepOptions([A, "--shards", "2"], { JOB_COMPLETION_INDEX: "1" }).shard).toEqual({ index: 1, count: 2 });
  });
});

describe("the seed files' expect", () => {
  it("each failure kind says whether its seed file expects it; an unexpected one and a missing one are named", async () => {
    const kinds = ref.summary.targets.flatMap((t) => t.kinds.map((k) => [t.expect?.verdict, k.verdict, k.expected]));
    expect(kinds.length).toBeGreaterThan(0);
    for (const [want, got, expected] of kinds) expect(expected).toBe(want === got);
    expect(ref.text).toContain("deadlock R->L->W");
    expect(ref.text).toMatch(/deadlock R->L->W \(\d+\) expected/);
    expect(ref.text).toContain("against the seed files' expect: 14 of 14 targets consistent with it");
    // the same scenario with its expectations turned around
    const dir = mkdtempSync(join(tmpdir(), "vfsim-expect-"));
    const wrong = JSON.parse(readFileSync(C7, "utf8"));
    wrong.expect = [{ when: { "kernel.order": "current" }, verdict: "ok" }, { when: { "kernel.order": "proposed" }, verdict: "deadlock" }];
    writeFileSync(join(dir, "c7-wrong.json"), JSON.stringify(wrong));
    const r = await sweep(options({ files: [join(dir, "c7-wrong.json")], out: join(dir, "r.jsonl") }));
    expect(r.summary.targets.map((t) => t.kinds.map((k) => k.expected))).toEqual([[false], [false]]);
    expect(r.text).toContain("violation inlookup-unique");
    expect(r.text).toMatch(/violation inlookup-unique \(\d+\) UNEXPECTED \(expects ok\)/);
    expect(r.text).toMatch(/UNEXPECTED \(expects deadlock\)/);
    expect(r.text).toContain("0 of 2 targets consistent with it, 2 with an UNEXPECTED failure");
  });
});

describe("vfsim merge", () => {
  it("reports chunks no shard holds", async () => {
    const a = outFile();
    await sweep(options({ out: a, shard: { index: 0, count: 3 }, files: [C7] }));
    const r = await merge(a);
    expect(r.code).toBe(1);
    expect(r.out).toContain("incomplete: 4 chunks missing (1, 2, 4, 5)");
  });

  it("takes a shard whose last line was cut off, says so, and counts that chunk as missing", async () => {
    const a = outFile();
    await sweep(options({ out: a, files: [C7] }));
    const text = readFileSync(a, "utf8");
    const lastChunk = text.lastIndexOf('{"type":"chunk"');
    writeFileSync(a, text.slice(0, lastChunk + 20));
    const r = await merge(a);
    expect(r.err).toMatch(new RegExp(`vfsim merge: ${a}: the last line was cut off \\(an interrupted write, 20 bytes\\); left out, as --resume does`));
    expect(r.out).toContain("incomplete: 1 chunk missing");
  });

  it("refuses results of different sweeps, and flags a chunk that differs between files", async () => {
    const a = outFile();
    await sweep(options({ out: a, files: [C7], schedules: 100 }));
    expect(await merge(a, refOut)).toMatchObject({ code: 2, err: expect.stringContaining("results of a different sweep") });
    const b = join(tmp, "tampered.jsonl");
    copyFileSync(a, b);
    writeFileSync(b, readFileSync(b, "utf8").replace(/"type":"chunk","id":0,(.*?)"count":(\d+),"first"/, (m, mid, n) => `"type":"chunk","id":0,${mid}"count":${Number(n) + 1},"first"`));
    expect(await merge(a, b)).toMatchObject({ code: 3, err: expect.stringContaining("chunk 0 differs") });
  });
});

async function runCli(...argv: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await cmdSweep(argv, (x) => out.push(x), (x) => err.push(x));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("an interrupted sweep", () => {
  it("Ctrl-C: exit 130, says how to resume, and the resumed sweep finishes with what was saved", async () => {
    const out = outFile();
    const argv = [resolve("bin/vfsim.mjs"), "sweep", A, "--schedules", "100000", "--workers", "1", "--out", out];
    const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    // wait for the first completed chunk in the results file, then interrupt
    while (!(existsSync(out) && readFileSync(out, "utf8").includes('"type":"chunk"'))) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(EXIT.interrupted);
    expect(stderr).toContain(`vfsim sweep: interrupted; the chunks done so far are saved in ${out}. Continue with:`);
    expect(stderr).toContain(`vfsim sweep ${A} --schedules 100000 --workers 1 --out ${out} --resume`);
    const saved = lines(out).filter((l) => l.type === "chunk").length;
    expect(saved).toBeGreaterThan(0);
    const again = await sweep({ ...options({ files: [A], schedules: 100_000, chunk: undefined, workers: 1, out, resume: true }) });
    expect(again.summary.missing).toEqual([]);
    expect(again.summary.schedules).toBe(12 * 100_000); // scenario (a) has twelve variants
    expect(saved).toBeLessThan(12 * 7); // it was cut off: 12 targets x 7 chunks in all
  }, 120_000);
});
