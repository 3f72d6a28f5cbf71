// The fuzzer (host/core/fuzz.ts) and its command (host/node/fuzz.ts): a deterministic PRNG,
// mutants the CLI's validator accepts, --allow respected, the same seed giving the same execs
// and findings, findings that replay, and flag errors in the CLI's style.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { MAX_TASKS, OPS, PLANTS } from "../host/core/abi";
import {
  AXIS_VALUES,
  Fuzzer,
  LIMITS,
  Rng,
  coverageCount,
  splitmix64,
  mutate,
  parseAllow,
  prepareCorpus,
  toRaw,
  type Allow,
  type ExecRecord,
} from "../host/core/fuzz";
import { failureKey, keyOf } from "../host/core/outcome";
import { meets } from "../host/core/matrix";
import { replayScenario } from "../host/core/run";
import { AXES, axisValue, encodeScenario, expectationFor, parseSeedFile, serializeSeedFile, validateSeedObject } from "../host/core/seed";
import { decodeSchedule } from "../host/core/schedule";
import { cmdFuzz, execShare, parseFuzzArgs, readCorpus, streamSeed } from "../host/node/fuzz";
import { module } from "./helpers";

const CORPUS = "fixtures/corpus";
const start = (allow: Allow = {}) => prepareCorpus(readCorpus([CORPUS]), allow);

function fuzzer(seed: bigint, opts: { allow?: Allow; plant?: (typeof PLANTS)[number][] } = {}) {
  return new Fuzzer(module, start(opts.allow), { seed, allow: opts.allow ?? {}, plant: opts.plant ?? [], schedules: 64 });
}

/** What identifies an exec: its input (as the validator reads it) and how it ended. */
function fingerprint(r: ExecRecord): string {
  return JSON.stringify([r.parent, r.mutations, serializeSeedFile(r.input), r.outcome, r.newBits]);
}

async function command(...args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await cmdFuzz(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("Rng", () => {
  it("is xoshiro128** seeded by splitmix64: the same words on every machine", () => {
    const a = new Rng(1n), b = new Rng(1n);
    const words = Array.from({ length: 6 }, () => a.u32());
    expect(Array.from({ length: 6 }, () => b.u32())).toEqual(words);
    // Pinned: a change here changes every fuzzing run and every number in docs/fuzzing.md.
    expect(words).toEqual(PINNED_WORDS);
    expect(new Rng(2n).u32()).not.toBe(words[0]);
  });

  it("matches the reference vectors of splitmix64 and xoshiro128**", () => {
    let st = 1234567n;
    const mixed: bigint[] = [];
    for (let i = 0; i < 2; i++) ({ next: st, value: mixed[i] } = splitmix64(st));
    expect(mixed).toEqual([6457827717110365317n, 3203168211198807973n]);
    const r = new Rng(0n);
    (r as unknown as { s: Uint32Array }).s = Uint32Array.from([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => r.u32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it("below(n) stays in range and covers it", () => {
    const r = new Rng(7n);
    const seen = new Array(7).fill(0);
    for (let i = 0; i < 7000; i++) seen[r.below(7)]++;
    for (const n of seen) expect(n).toBeGreaterThan(800);
    expect(r.below(1)).toBe(0);
  });
});

const PINNED_WORDS = [1695105466, 1423115009, 634581793, 1068227753, 716759206, 4186505319];

describe("the starting corpus", () => {
  const files = readCorpus([CORPUS]);

  it("covers every op, both filesystems and every value of every variant axis", () => {
    const ops = new Set(files.flatMap((f) => f.seed.threads.flatMap((t) => t.ops.map((o) => o.op))));
    expect([...ops].sort()).toEqual([...OPS].sort());
    for (const axis of AXES) {
      const values = new Set(files.map((f) => axisValue(f.seed, axis)));
      expect([...values].map(String).sort(), axis).toEqual(AXIS_VALUES[axis].map(String).sort());
    }
  });

  it("every file runs clean (a failing input belongs in fixtures/regressions, not here)", () => {
    const f = fuzzer(1n);
    for (let i = 0; i < files.length; i++) expect(f.step().outcome).toBe("ok");
  });
});

describe("parseAllow", () => {
  it("reads axis=v1,v2, merges repeats and keeps the axis's own order", () => {
    let a = parseAllow("kernel.rwsem=reader-pref,linux");
    a = parseAllow("kernel.rwsem=fifo", a);
    a = parseAllow("fs.lookupLocks=true", a);
    expect(a).toEqual({ "kernel.rwsem": ["linux", "fifo", "reader-pref"], "fs.lookupLocks": [true] });
  });

  it("reads fs.prime's old name d_alloc_noblock as d_alloc_trylock", () => {
    expect(parseAllow("fs.prime=d_alloc_noblock,d_alloc_parallel")).toEqual({ "fs.prime": ["d_alloc_parallel", "d_alloc_trylock"] });
  });

  it("names the axis or value it does not know", () => {
    expect(() => parseAllow("kernel.ordr=current")).toThrow('unknown variant axis "kernel.ordr"');
    expect(() => parseAllow("kernel.order=propsed")).toThrow('kernel.order: unknown value "propsed"; expected one of current, proposed');
    expect(() => parseAllow("kernel.order")).toThrow("expected axis=value");
  });
});

describe("mutate", () => {
  const inputs = start().map((e) => e.seed);

  it("every mutant is a seed file the CLI's validator reads back unchanged, within the fuzzer's caps", () => {
    const rng = new Rng(3n);
    let invalid = 0;
    for (let i = 0; i < 3000; i++) {
      const parent = inputs[i % inputs.length];
      const m = mutate(parent, rng, { allow: {}, donor: () => inputs[rng.below(inputs.length)] });
      if (!m.input) { invalid++; continue; }
      expect(m.log.length).toBeGreaterThan(0);
      const again = validateSeedObject(JSON.parse(JSON.stringify(toRaw(m.input))));
      expect(serializeSeedFile(again)).toBe(serializeSeedFile(m.input));
      expect(() => encodeScenario(m.input!)).not.toThrow();
      expect(m.input.threads.length).toBeLessThanOrEqual(Math.max(LIMITS.threads, parent.threads.length));
      expect(m.input.threads.length).toBeLessThanOrEqual(MAX_TASKS);
      for (const t of m.input.threads) expect(t.ops.length).toBeLessThanOrEqual(LIMITS.ops);
    }
    expect(invalid).toBeLessThan(30);
  });

  it("changes threads, ops, paths, cached dentries, the tree, variants and strategy seeds", () => {
    const rng = new Rng(5n);
    const kinds = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const m = mutate(inputs[i % inputs.length], rng, { allow: {}, donor: () => inputs[0] });
      for (const line of m.log) kinds.add(line.split(/[ =]/)[0].replace(/^[A-Z]\.ops\[\d+\]$/, "op").replace(/^[A-Z]$/, "thread-op"));
    }
    for (const k of ["+thread", "-thread", "swap", "move", "cache", "uncache", "tree", "run.seed", "run.depth", "splice", "kernel.order", "fs.prime", "op", "thread-op"]) {
      expect([...kinds], k).toContain(k);
    }
  });

  it("keeps variants inside --allow", () => {
    const allow = parseAllow("kernel.order=proposed", parseAllow("fs.prime=d_alloc_parallel,d_alloc_trylock"));
    const allowed = start(allow).map((e) => e.seed);
    for (const s of allowed) expect(s.kernel.order).toBe("proposed");
    const rng = new Rng(9n);
    const primes = new Set<string>();
    for (let i = 0; i < 1500; i++) {
      const m = mutate(allowed[i % allowed.length], rng, { allow, donor: () => allowed[0] });
      if (!m.input) continue;
      expect(m.input.kernel.order).toBe("proposed");
      expect(["d_alloc_parallel", "d_alloc_trylock"]).toContain(m.input.fs.prime);
      primes.add(m.input.fs.prime);
    }
    expect(primes.size).toBe(2);
  });
});

describe("Fuzzer", () => {
  it("the same seed and corpus give the same execs and the same findings; another seed does not", () => {
    const a = fuzzer(11n), b = fuzzer(11n), c = fuzzer(12n);
    const ra: string[] = [], rb: string[] = [], rc: string[] = [];
    for (let i = 0; i < 600; i++) {
      ra.push(fingerprint(a.step()));
      rb.push(fingerprint(b.step()));
      rc.push(fingerprint(c.step()));
    }
    expect(rb).toEqual(ra);
    expect(rc).not.toEqual(ra);
    expect(a.findings.length).toBeGreaterThan(0);
    expect(b.findings.map((f) => f.text)).toEqual(a.findings.map((f) => f.text));
    expect(b.stats).toEqual(a.stats);
  });

  it("grows the corpus with inputs that reach new coverage, and counts the bits it holds", () => {
    const f = fuzzer(1n);
    const startSize = start().length;
    for (let i = 0; i < 400; i++) f.step();
    expect(f.stats.execs).toBe(400);
    expect(f.corpus.length).toBeGreaterThan(startSize);
    expect(f.corpus.slice(startSize).every((e) => e.newBits > 0 && e.exec > startSize)).toBe(true);
    expect(f.stats.coverage).toBe(coverageCount(f.coverage));
    expect(f.stats.coverage).toBeGreaterThan(100);
  });

  it("finds the model's known failures, once per key, shrunk, as counterexamples that replay", () => {
    // seed 1: since the fuzzer's batches run through strategy.ts (PCT's k from estimateSteps) and
    // shrink through shrink.ts (December 2026), seeds 1-8 all meet both keys within 1500 execs;
    // seed 1 at exec 244 (the deadlock) and 500 (single-lookup), the latest of the eight seed 2's
    // single-lookup at 1459 (docs/fuzzing.md, the same Fuzzer stream `vfsim fuzz --seed N` runs)
    const f = fuzzer(1n);
    for (let i = 0; i < 1500; i++) f.step();
    const keys = f.findings.map((x) => x.key);
    expect(new Set(keys).size).toBe(keys.length);
    // kernel-model.md 8(a) and 8(b): the proposed order's deadlock, d_alloc_locked without lock_lookup.
    expect(keys).toContain("deadlock [in-lookup wait, rwsem read, rwsem write]");
    expect(keys).toContain("violation single-lookup");
    for (const finding of f.findings) {
      const seed = parseSeedFile(finding.text);
      expect(seed.schedule).toBeDefined();
      expect(seed.plant).toEqual([]);
      expect(finding.shrunk.threads[1]).toBeLessThanOrEqual(finding.shrunk.threads[0]);
      const enc = encodeScenario(seed);
      const report = replayScenario(module, enc, decodeSchedule(seed.schedule!, enc.threads.length), seed.run);
      expect(meets(report, expectationFor(seed))).toBe(true);
      expect(keyOf(report)).toBe(finding.key);
    }
  });

  it("dedup keys: verdict, check, and the multiset of a cycle's edge kinds", () => {
    expect(failureKey({ verdict: "violation", invariant: "lost-wakeup" })).toBe("violation lost-wakeup");
    expect(failureKey({ verdict: "deadlock", edges: ["in-lookup wait", "rwsem write"] })).toBe("deadlock [in-lookup wait, rwsem write]");
    expect(failureKey({ verdict: "tick-limit" })).toBe("tick-limit");
  });

  it("--allow: every exec stays inside the allowed variants", () => {
    const allow = parseAllow("kernel.order=proposed", parseAllow("fs.type=nfs"));
    const f = fuzzer(4n, { allow });
    for (let i = 0; i < 300; i++) {
      const r = f.step();
      expect(r.input.kernel.order).toBe("proposed");
      expect(r.input.fs.type).toBe("nfs");
    }
  });
});

describe("vfsim fuzz", () => {
  it("flag errors name the flag, exit 2", async () => {
    const cases: [string[], string][] = [
      [["--execs", "x"], '--execs: expected an integer from 1 to 1000000000, got "x"'],
      [["--time", "0"], '--time: expected an integer from 1 to 1000000, got "0"'],
      [["--execs", "5", "--time", "5"], "--time, --execs: not both; give one"],
      [["--seed", "-1"], '--seed: expected a non-negative integer below 2^64, got "-1"'],
      [["--workers", "0"], '--workers: expected an integer from 1 to 64, got "0"'],
      [["--workers", "two"], '--workers: expected an integer from 1 to 64, got "two"'],
      [["--allow", "kernel.order=sideways"], '--allow kernel.order=sideways: unknown value "sideways"; expected one of current, proposed'],
      [["--plant", "no-wakes"], '--plant: unknown plant "no-wakes"; expected one of no-lookup-done, no-wake, reader-barging, no-dir-seq-recheck, lock-lookup-nowait, d-move-wakes-alias'],
      [["--speed", "9"], "--speed: unknown flag for vfsim fuzz; expected one of --out, --time, --execs, --seed, --workers, --schedules, --corpus, --allow, --plant, --json (vfsim fuzz --help lists them)"],
      [["--seed", "1", "--seed", "2"], '--seed: given more than once ("1", then "2"); give it once'],
      [["--json=1"], "--json: takes no value"],
      [["corpus"], 'vfsim fuzz: unexpected argument "corpus"; corpus directories are given with --corpus'],
      [["--corpus", "no/such/dir", "--execs", "1"], "--corpus: no/such/dir: no such file or directory"],
    ];
    for (const [args, message] of cases) {
      const r = await command(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toBe(`vfsim: ${message}`);
    }
  });

  it("defaults: the standard corpus, failures/, seed 1, a minute", () => {
    expect(parseFuzzArgs([])).toMatchObject({ corpus: [resolve("fixtures/corpus")], out: "failures", seconds: 60, seed: 1n, schedules: 64, plant: [], json: false });
    expect(parseFuzzArgs(["--execs", "10", "--workers", "1", "--plant", "no-wake,reader-barging"])).toMatchObject({ execs: 10, workers: 1, plant: ["no-wake", "reader-barging"] });
    expect(parseFuzzArgs([]).workers).toBe(1);
    expect(parseFuzzArgs(["--workers", "4"]).workers).toBe(4);
  });

  it("--json: one object with execs, seconds, corpus, coverage and failures that replay", async () => {
    const out = mkdtempSync(join(tmpdir(), "vfsim-fuzz-"));
    const r = await command("--execs", "500", "--seed", "1", "--out", out, "--json");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.execs).toBe(500);
    expect(j.verdict).toBe("failure");
    expect(typeof j.seconds).toBe("number");
    expect(j.corpus).toBeGreaterThan(11);
    expect(j.coverage).toBeGreaterThan(100);
    expect(j.failures.length).toBeGreaterThan(0);
    for (const f of j.failures) {
      expect(existsSync(f.file)).toBe(true);
      const seed = parseSeedFile(readFileSync(f.file, "utf8"));
      expect(seed.expect[0].verdict).toBe(f.verdict);
      if (f.verdict === "violation") expect(seed.expect[0].invariant).toBe(f.invariant);
    }
    // Same seed, same budget: the same findings, byte for byte.
    const out2 = mkdtempSync(join(tmpdir(), "vfsim-fuzz-"));
    const again = JSON.parse((await command("--execs", "500", "--seed", "1", "--out", out2, "--json")).out);
    expect(again.failures.map((f: { file: string }) => readFileSync(f.file, "utf8"))).toEqual(j.failures.map((f: { file: string }) => readFileSync(f.file, "utf8")));
  });

  it("text mode prints each failure with its replay command and a summary", async () => {
    const out = mkdtempSync(join(tmpdir(), "vfsim-fuzz-"));
    const r = await command("--execs", "40", "--seed", "1", "--out", out, "--allow", "fs.type=procfs");
    const files = readdirSync("fixtures/corpus").filter((f) => f.endsWith(".json")).length;
    expect(r.out).toMatch(new RegExp(`^vfsim fuzz: \\d+ corpus inputs from ${files} files, seed 1, 40 execs`));
    expect(r.out).toMatch(/40 execs in [\d.]+ s \(\d+\/s\), corpus \d+, coverage \d+ bits, \d+ unique failures?/);
    expect(r.err).toMatch(/execs 40 \(\d+\/s\) {2}corpus \d+ {2}coverage \d+ bits {2}failures \d+/);
    if (r.code === 1) expect(r.out).toContain(`replay: vfsim replay ${out}/`);
    else expect([r.code, r.out.includes("inconclusive: no failure in 40 execs")]).toEqual([4, true]);
  });

  it("finding nothing is inconclusive, exit 4: a fuzzer samples and never exhausts a space", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vfsim-fuzz-clean-"));
    const clean = parseSeedFile(readFileSync("fixtures/scenarios/a-readdirplus-prime-lookup-mkdir-deadlock.json", "utf8"));
    writeFileSync(join(dir, "a-current.json"), serializeSeedFile({ ...clean, variants: {}, expect: [], kernel: { ...clean.kernel, order: "current" } }));
    const out = mkdtempSync(join(tmpdir(), "vfsim-fuzz-"));
    const text = await command("--corpus", dir, "--execs", "1", "--seed", "1", "--out", out);
    expect(text.code).toBe(4);
    expect(text.out).toContain("inconclusive: no failure in 1 exec");
    const json = await command("--corpus", dir, "--execs", "1", "--seed", "1", "--out", out, "--json");
    expect(json.code).toBe(4);
    expect(JSON.parse(json.out)).toMatchObject({ verdict: "inconclusive", execs: 1, failures: [] });
  });

  it("--workers K: stream seeds and --execs shares", () => {
    // Stream 0 is the --workers 1 stream; stream i >= 1 is the i-th output of splitmix64 from --seed.
    expect(streamSeed(5n, 0)).toBe(5n);
    expect(streamSeed(5n, 1)).toBe(splitmix64(5n).value);
    expect(streamSeed(5n, 2)).toBe(splitmix64(splitmix64(5n).next).value);
    expect(new Set(Array.from({ length: 64 }, (_, i) => streamSeed(1n, i))).size).toBe(64);
    for (const [n, k] of [[600, 2], [10, 3], [2, 5], [1_000_000_000, 7]]) {
      const shares = Array.from({ length: k }, (_, i) => execShare(n, k, i));
      expect(shares.reduce((x, y) => x + y, 0)).toBe(n);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });

  it("--workers 2 (the built CLI): the same findings twice, each replaying; stream 0 is the --workers 1 stream", async () => {
    // --seed 5: a seed whose two streams both keep findings of their own in 300 execs each with
    // this corpus (measured December 2026 on seeds 1-8 once the fuzzer's batches ran through
    // strategy.ts: keys stream 1 keeps, not found by stream 0 first: seed 5 3, seeds 3 and 8 2,
    // seeds 1 and 6 1, seeds 2, 4 and 7 none; stream 0 of seed 5 keeps 2).
    const run = async () => {
      const out = mkdtempSync(join(tmpdir(), "vfsim-fuzz-workers-"));
      const r = await promisify(execFile)(process.execPath, ["bin/vfsim.mjs", "fuzz", "--workers", "2", "--execs", "600", "--seed", "5", "--out", out, "--json"])
        .catch((e) => e as { stdout: string; code: number });
      expect((r as { code?: number }).code).toBe(1);
      return { out, j: JSON.parse(r.stdout) as { execs: number; corpus: number; coverage: number; failures: { file: string; key: string; verdict: string; exec: number }[] } };
    };
    const a = await run(), b = await run();
    expect(a.j.execs).toBe(600);
    expect(a.j.corpus).toBeGreaterThan(11);
    expect(a.j.coverage).toBeGreaterThan(100);
    const texts = (r: typeof a) => Object.fromEntries(r.j.failures.map((f) => [f.key, [basename(f.file), readFileSync(f.file, "utf8")]]));
    expect(texts(b)).toEqual(texts(a));
    expect(b.j.failures.map((f) => [f.key, f.exec])).toEqual(a.j.failures.map((f) => [f.key, f.exec]));
    // One file per key, nothing else left in --out (a replaced finding's file is removed).
    expect(readdirSync(a.out).sort()).toEqual(a.j.failures.map((f) => basename(f.file)).sort());
    expect(new Set(a.j.failures.map((f) => f.key)).size).toBe(a.j.failures.length);

    const seeds = [streamSeed(5n, 0), streamSeed(5n, 1)];
    const byStream: string[][] = [[], []];
    for (const f of a.j.failures) {
      const seed = parseSeedFile(readFileSync(f.file, "utf8"));
      const enc = encodeScenario(seed);
      const report = replayScenario(module, enc, decodeSchedule(seed.schedule!, enc.threads.length), seed.run);
      expect(meets(report, expectationFor(seed)), f.file).toBe(true);
      expect(keyOf(report)).toBe(f.key);
      expect(seed.expect[0].verdict).toBe(f.verdict);
      const stream = seeds.findIndex((s) => seed.about.startsWith(`Found by vfsim fuzz --seed ${s} at exec ${f.exec}:`));
      expect(stream, seed.about).toBeGreaterThanOrEqual(0);
      byStream[stream].push(readFileSync(f.file, "utf8"));
    }
    expect(byStream[1].length).toBeGreaterThan(0);
    const replayed = await promisify(execFile)(process.execPath, ["bin/vfsim.mjs", "replay", a.j.failures[0].file, "--json"]).catch((e) => e as { stdout: string });
    expect(JSON.parse(replayed.stdout)).toMatchObject({ verdict: a.j.failures[0].verdict, reproduced: true });
    // Stream 0 with its 300 execs is `--workers 1 --seed 5 --execs 300`: the keys it keeps are found
    // there too, byte for byte.
    const single = mkdtempSync(join(tmpdir(), "vfsim-fuzz-"));
    const one = JSON.parse((await command("--execs", "300", "--seed", "5", "--out", single, "--json")).out) as { failures: { file: string }[] };
    const singleTexts = one.failures.map((f) => readFileSync(f.file, "utf8"));
    expect(byStream[0].length).toBeGreaterThan(0);
    for (const t of byStream[0]) expect(singleTexts).toContain(t);
  });
});
