// The vfsim command: exit codes, errors that name the field, counterexample files that replay.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { COMMANDS, main } from "../host/node/cli";
import { SWEEP_COMMAND } from "../host/node/sweep";
import { MERGE_COMMAND } from "../host/node/merge";
import { SHRINK_COMMAND } from "../host/node/shrink_cmd";
import { FUZZ_COMMAND } from "../host/node/fuzz";
import { runScenario } from "../host/core/run";
import { encodeScenario, parseSeedFile, serializeSeedFile } from "../host/core/seed";
import { A, module } from "./helpers";

/** The built command, as a user runs it: exit status, stdout, stderr. */
function bin(...argv: string[]) {
  return binIn(process.cwd(), ...argv);
}
/** The same from another working directory. */
function binIn(cwd: string, ...argv: string[]) {
  const r = spawnSync(process.execPath, [resolve("bin/vfsim.mjs"), ...argv], { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function vfsim(...argv: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await main(argv, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const tmp = mkdtempSync(join(tmpdir(), "vfsim-cli-"));
function file(name: string, content: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}
const good = JSON.parse(readFileSync(A, "utf8"));

describe("bad input: a clear error naming the field, exit 2", () => {
  const cases: [string, unknown, string][] = [
    ["unknown op", { ...good, threads: [good.threads[0], { name: "L", ops: [{ op: "mkdri", path: "/d/x" }] }] },
      'threads[1].ops[0].op: unknown op "mkdri"; expected one of stat, getdents, mkdir, create, unlink, rename, rmdir'],
    ["not JSON", "{ vfsim: 1", "not valid JSON"],
    ["wrong version", { ...good, vfsim: 2 }, "vfsim:"],
    ["unknown field", { ...good, kernel: { ...good.kernel, ordr: "current" } }, "kernel.ordr: unknown field"],
    ["bad enum", { ...good, kernel: { ...good.kernel, rwsem: "fair" } }, "kernel.rwsem:"],
    ["bad schedule", { ...good, schedule: "v1:01x" }, "schedule:"],
  ];
  for (const [what, content, message] of cases) {
    it(`${what}: run, replay and check all refuse it`, async () => {
      const p = file(`${what.replace(/ /g, "-")}.json`, content);
      for (const cmd of ["run", "check"]) {
        const r = await vfsim(cmd, p);
        expect(r.code).toBe(2);
        expect(r.out + r.err).toContain(message);
        expect(r.out + r.err).toContain(p);
      }
    });
  }

  it("bad flags and commands", async () => {
    expect(await vfsim("run", A, "--strategy", "bfs")).toMatchObject({ code: 2, err: expect.stringContaining("--strategy: expected one of random, pct, dfs") });
    expect(await vfsim("run", A, "--seed", "-1")).toMatchObject({ code: 2, err: expect.stringContaining("--seed: expected a non-negative integer") });
    expect(await vfsim("run", A, "--frobnicate")).toMatchObject({ code: 2, err: expect.stringContaining("--frobnicate: unknown flag") });
    expect(await vfsim("run", A, "--set", "kernel.order=sideways")).toMatchObject({ code: 2, err: expect.stringContaining("kernel.order") });
    expect(await vfsim("run", join(tmp, "missing.json"))).toMatchObject({ code: 2, err: expect.stringContaining("cannot read") });
    expect(await vfsim("frob")).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "frob"') });
    expect((await vfsim("replay", A)).code).toBe(2); // no recorded schedule
  });

  it("check reports every file and keeps going past a bad one", async () => {
    const bad = file("bad-for-check.json", { ...good, vfsim: 3 });
    const r = await vfsim("check", A, bad);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`ok      ${A}`);
    expect(r.out).toContain(`invalid ${bad}`);
  });
});

describe("run and replay", () => {
  it("a clean run exits 0", async () => {
    const r = await vfsim("run", A, "--set", "kernel.order=current", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ verdict: "ok", exhaustive: true });
  });

  it("a deadlock exits 1 with a counterexample that replays byte for byte", async () => {
    const out = join(tmp, "failures");
    const r = await vfsim("run", A, "--set", "kernel.order=proposed", "--out", out);
    expect(r.code).toBe(1);
    expect(r.out).toContain("verdict: deadlock");
    expect(r.out).toMatch(/R waits for L \(in-lookup wait\) \[uninterruptible: D state[^\n]*\n\s+L waits for W \(rwsem read\) \[uninterruptible[^\n]*\n\s+W waits for R \(rwsem write\) \[uninterruptible[^\n]*\n\s+no task in the cycle can be killed: D state/);
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    const cx = join(out, files[0]);
    expect(r.out).toContain(`replay:         vfsim replay ${cx}`);
    const again = await vfsim("replay", cx);
    expect(again.code).toBe(1);
    const trace = (s: string) => s.slice(s.indexOf(" tick "), s.indexOf("waits-for cycle:"));
    expect(trace(again.out)).toBe(trace(r.out));
    expect(trace(r.out).length).toBeGreaterThan(200);
  });

  it("--json carries verdict, cycle, ticks, trace and file", async () => {
    const out = join(tmp, "failures-json");
    const r = await vfsim("run", A, "--set", "kernel.order=proposed", "--strategy", "random", "--seed", "5", "--out", out, "--json");
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ verdict: "deadlock", cycle: ["R", "L", "W"], exhaustive: false });
    expect(j.ticks).toBeGreaterThan(5);
    expect(j.trace.length).toBeGreaterThan(5);
    expect(readFileSync(j.file, "utf8")).toContain(j.schedule);
  });

  it("replay reports a schedule that no longer fits the model as a divergence", async () => {
    const p = file("diverged.json", { ...good, schedule: "v1:2222222222" });
    const r = await vfsim("replay", p);
    expect(r.code).toBe(6);
    expect(r.out).toContain("diverged");
  });

  it("matrix: every built-in cell agrees with its seed file", async () => {
    const r = await vfsim("matrix", "--json");
    expect(r.code).toBe(0);
    const cells = JSON.parse(r.out);
    expect(cells.length).toBeGreaterThan(40);
    expect(cells.every((c: { matches: boolean }) => c.matches)).toBe(true);
  });
});

describe("the built vfsim: --help, --version, flags", () => {
  const all = { ...COMMANDS, sweep: SWEEP_COMMAND, merge: MERGE_COMMAND, shrink: SHRINK_COMMAND, fuzz: FUZZ_COMMAND };

  it("every subcommand answers --help and -h with its usage and one line per flag, exit 0", () => {
    for (const [cmd, def] of Object.entries(all)) {
      for (const h of ["--help", "-h"]) {
        const r = bin(cmd, h);
        expect(r.code, `${cmd} ${h}`).toBe(0);
        expect(r.err).toBe("");
        expect(r.out.startsWith(`usage: vfsim ${cmd}`)).toBe(true);
        for (const [name, d] of Object.entries(def.flags)) {
          const line = r.out.split("\n").find((l) => l.trimStart().startsWith(name + " ") && l.includes(d.help));
          expect(line, `${cmd} --help: ${name}`).toBeDefined();
        }
        expect(r.out).toContain("-h, --help");
      }
    }
    // help wins over other errors on the line, and `vfsim help CMD` is `vfsim CMD --help`
    expect(bin("run", "--frob", "--help")).toMatchObject({ code: 0, out: expect.stringContaining("usage: vfsim run <seed-file>") });
    expect(bin("help", "check")).toMatchObject({ code: 0, out: expect.stringContaining("usage: vfsim check <seed-file>...") });
  });

  it("vfsim --help / -h lists every command; vfsim --version prints the package version; no command is exit 2", () => {
    for (const h of ["--help", "-h", "help"]) {
      const r = bin(h);
      expect(r.code).toBe(0);
      for (const cmd of Object.keys(all)) expect(r.out).toContain(`\n  ${cmd} `);
    }
    const version = JSON.parse(readFileSync("package.json", "utf8")).version;
    expect(bin("--version")).toEqual({ code: 0, out: `vfsim ${version}\n`, err: "" });
    const none = bin();
    expect(none.code).toBe(2);
    expect(none.err).toContain("usage: vfsim <command>");
  });

  it("a repeated single-valued flag and conflicting flags are errors, exit 2, before any work", () => {
    expect(bin("run", A, "--strategy", "random", "--strategy", "pct")).toMatchObject({ code: 2, out: "", err: 'vfsim: --strategy: given more than once ("random", then "pct"); give it once\n' });
    expect(bin("matrix", "--markdown", "--json")).toMatchObject({ code: 2, out: "", err: "vfsim: --markdown, --json: not both; give one\n" });
    expect(bin("sweep", A, "--shard", "0/2", "--shards", "2")).toMatchObject({ code: 2, err: "vfsim: --shard, --shards: not both; give one\n" });
    expect(bin("check", A, "--json")).toMatchObject({ code: 2, err: expect.stringContaining("--json: unknown flag for vfsim check; expected one of (none)") });
    // repeatable flags still repeat
    expect(bin("run", A, "--set", "kernel.order=current", "--set", "run.preemptions=0", "--json").code).toBe(0);
  });

  it("one --workers range for every command", () => {
    for (const cmd of [["sweep", A], ["fuzz"]]) {
      expect(bin(...cmd, "--workers", "65")).toMatchObject({ code: 2, err: 'vfsim: --workers: expected an integer from 1 to 64, got "65"\n' });
    }
  });

  it("--preemptions -1 is still a value, not a flag", () => {
    expect(bin("run", A, "--set", "kernel.order=current", "--preemptions", "-1", "--json").code).toBe(0);
  });
});

describe("the built vfsim: output paths are checked before any work", () => {
  const aFile = file("plain-file.txt", "x");
  const cases: [string[], string][] = [
    [["run", A, "--set", "kernel.order=proposed", "--out", `${aFile}/sub`], `--out ${aFile}/sub: ${aFile} is not a directory`],
    [["run", A, "--set", "kernel.order=proposed", "--out", "/proc/version"], "--out /proc/version: /proc/version is not a directory"],
    [["run", A, "--set", "kernel.order=proposed", "--out", "/proc/nonexist/dir"], "--out /proc/nonexist/dir: cannot create directory /proc/nonexist: "],
    [["sweep", A, "--schedules", "100", "--out", "/proc/version/r.jsonl"], "--out /proc/version/r.jsonl: /proc/version is not a directory"],
    [["sweep", A, "--schedules", "100", "--out", "/proc/version", "--resume"], "--out /proc/version: is on procfs, which holds no output files"],
    [["shrink", A, "--set", "kernel.order=proposed", "--out", "/proc/x.json"], "--out /proc/x.json: /proc is on procfs, which holds no output files"],
    [["shrink", A, "--set", "kernel.order=proposed", "--out", tmp], `--out ${tmp}: is a directory; expected a file`],
    [["fuzz", "--execs", "1", "--out", "/proc/nonexist/d"], "--out /proc/nonexist/d: cannot create directory /proc/nonexist: "],
    [["fuzz", "--execs", "1", "--out", `${aFile}/d`], `--out ${aFile}/d: ${aFile} is not a directory`],
  ];
  for (const [argv, message] of cases) {
    it(`${argv[0]} ${argv.slice(-2).join(" ")}: one line naming the flag, exit 2, nothing run`, () => {
      // (a message ending in ": " continues with the errno text, which depends on the user)
      const r = bin(...argv);
      expect(r).toMatchObject({ code: 2, out: "" });
      expect(r.err.split("\n")).toHaveLength(2); // one line and its newline
      if (message.endsWith(": ")) expect(r.err.startsWith(`vfsim: ${message}`)).toBe(true);
      else expect(r.err).toBe(`vfsim: ${message}\n`);
    });
  }

  it("a directory that does not exist yet is fine, and the check leaves nothing behind", () => {
    const dir = join(tmp, "new", "deeper");
    expect(bin("run", A, "--set", "kernel.order=current", "--out", dir, "--json").code).toBe(0);
    expect(readdirSync(tmp)).not.toContain("new");
    expect(readdirSync(tmp).filter((n) => n.startsWith(".vfsim-probe"))).toEqual([]);
  });
});

describe("the built vfsim: replay tells its outcomes apart", () => {
  // a counterexample of scenario (a) under the proposed order, written by the built `vfsim run`
  const dir = join(tmp, "replay-cx");
  const run = bin("run", A, "--set", "kernel.order=proposed", "--out", dir, "--json");
  const cx: string = JSON.parse(run.out).file;
  const cxSeed = () => JSON.parse(readFileSync(cx, "utf8"));

  it("reproduced: exit 1, a 'reproduced' line; JSON says so", () => {
    expect(run.code).toBe(1);
    const r = bin("replay", cx);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\nreproduced: the recorded deadlock \(cycle [RLW] -> [RLW] -> [RLW]\) \(exit 1\)\n$/);
    const j = JSON.parse(bin("replay", cx, "--json").out);
    expect(j).toMatchObject({ outcome: "reproduced", reproduced: true, verdict: "deadlock", recorded: { verdict: "deadlock" } });
  });

  it("the recorded verdict not reproduced: exit 5, says what was recorded and what the replay gave", () => {
    const s = cxSeed();
    s.expect = [{ verdict: "violation", invariant: "unique-hashed" }];
    const p = file("cx-other-verdict.json", s);
    const r = bin("replay", p);
    expect(r.code).toBe(5);
    expect(r.out).toMatch(/\nnot reproduced: the recorded verdict was violation \S+; the replay gave deadlock \(cycle .*\) \(exit 5\)\n$/);
    expect(JSON.parse(bin("replay", p, "--json").out)).toMatchObject({ outcome: "not-reproduced", reproduced: false, differs: "verdict", verdict: "deadlock" });
  });

  it("the verdict matches but the cycle differs: exit 5, a message that says exactly that", () => {
    const s = cxSeed();
    s.expect = [{ verdict: "deadlock", cycle: ["W", "R"] }];
    const p = file("cx-other-cycle.json", s);
    const r = bin("replay", p);
    expect(r.code).toBe(5);
    expect(r.out).toMatch(/\nnot reproduced: the verdict deadlock matches the recorded one, but the waits-for cycle differs: recorded W -> R, replayed [RLW] -> [RLW] -> [RLW] \(exit 5\)\n$/);
    expect(JSON.parse(bin("replay", p, "--json").out)).toMatchObject({ outcome: "not-reproduced", differs: "cycle", recorded: { verdict: "deadlock", cycle: ["W", "R"] } });
  });

  it("the schedule diverged: exit 6, and JSON under --json", () => {
    const r = bin("replay", cx, "--json", "--set", "schedule=v1:00");
    expect(r.code).toBe(6);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ file: cx, outcome: "diverged", reproduced: false, recorded: { verdict: "deadlock" } });
    expect(j.message.length).toBeGreaterThan(5);
    const t = bin("replay", cx, "--set", "schedule=v1:00");
    expect(t.code).toBe(6);
    expect(t.out).toContain("not reproduced: the schedule does not fit this model (exit 6)");
  });

  it("a clean replay: exit 0, outcome clean", async () => {
    const s = cxSeed();
    s.kernel.order = "current";
    s.expect = [{ verdict: "ok" }];
    const p = file("cx-clean.json", s);
    // the serial schedule (each thread to its end in turn), found tick by tick in-process
    let sched = "";
    for (const t of ["0", "1", "2"]) {
      for (;;) {
        const r = await vfsim("replay", p, "--json", "--set", `schedule=v1:${sched}${t}`);
        const j = JSON.parse(r.out);
        if (j.outcome === "diverged" && /cannot run/.test(j.message)) break;
        sched += t;
        if (j.outcome !== "diverged") break;
      }
    }
    const r = bin("replay", p, "--json", "--set", `schedule=v1:${sched}`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ outcome: "clean", reproduced: false, verdict: "ok" });
    // one choice more than the run takes: a divergence, not a silent clean
    const long = bin("replay", p, "--json", "--set", `schedule=v1:${sched}0`);
    expect(long.code).toBe(6);
    expect(JSON.parse(long.out)).toMatchObject({ outcome: "diverged", message: expect.stringContaining("the run ended (ok) before its last; the schedule is longer than the run") });
  });
});

describe("the built vfsim: defaults that do not depend on the current directory", () => {
  const elsewhere = mkdtempSync(join(tmpdir(), "vfsim-elsewhere-"));

  it("matrix outside the repository runs the package's built-in scenarios, named as inside it", () => {
    const r = binIn(elsewhere, "matrix", "--json");
    expect(r.code).toBe(0);
    const cells = JSON.parse(r.out) as { file: string; matches: boolean }[];
    const inside = readdirSync("fixtures/scenarios").filter((n) => n.endsWith(".json"));
    expect(new Set(cells.map((c) => c.file))).toEqual(new Set(inside.map((n) => `fixtures/scenarios/${n}`)));
    expect(cells.every((c) => c.matches)).toBe(true);
  });

  it("fuzz outside the repository starts from the package's corpus", () => {
    const r = binIn(elsewhere, "fuzz", "--execs", "3", "--out", join(elsewhere, "f"));
    expect([1, 4]).toContain(r.code); // a failure, or none: inconclusive (a fuzzer never exits 0)
    const n = readdirSync("fixtures/corpus").filter((x) => x.endsWith(".json")).length;
    expect(r.out).toContain(` corpus inputs from ${n} files`);
  });

  it("sweep (and matrix) of a directory with no seed files is an error, exit 2", () => {
    const empty = mkdtempSync(join(tmpdir(), "vfsim-empty-"));
    expect(bin("sweep", empty, "--schedules", "10")).toEqual({ code: 2, out: "", err: `vfsim: ${empty}: no seed files (*.json) in this directory\n` });
    expect(bin("matrix", empty)).toMatchObject({ code: 2, err: `vfsim: ${empty}: no seed files (*.json) in this directory\n` });
  });

  it("the matrix's last column has a header, in text and Markdown", () => {
    const text = bin("matrix", A);
    expect(text.out.split("\n")[0].trimEnd().endsWith("expected  agrees")).toBe(true);
    const md = bin("matrix", A, "--markdown").out.split("\n");
    expect(md[0].endsWith("| expected | agrees |")).toBe(true);
    expect(md[0].split("|").length).toBe(md[2].split("|").length);
  });
});

describe("the built vfsim: the reader, stricter", () => {
  const text = readFileSync(A, "utf8");
  const check = (name: string, content: string | Buffer) => {
    const p = join(tmp, name);
    writeFileSync(p, content);
    return { p, r: bin("check", p) };
  };
  const invalid = (r: { code: number | null; out: string }, p: string, message: string) => {
    expect(r.code).toBe(2);
    expect(r.out).toBe(`invalid ${p}: ${message}\n`);
  };

  it("a key given twice in one object is an error naming the field and where", () => {
    const { p, r } = check("dup.json", text.replace(/"kernel": \{/, '"kernel": { "order": "current",'));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(new RegExp(`^invalid ${p}: kernel\\.order: given twice in one object \\(again at line \\d+, column \\d+\\); give each field once\\n$`));
  });

  it("a JSON syntax error is reported by line and column", () => {
    const { p, r } = check("syntax.json", '{\n  "vfsim": 1,\n  "name" "x"\n}\n');
    invalid(r, p, "seed file: not valid JSON at line 3, column 10 (position 25): Unexpected string");
  });

  it("invalid UTF-8 is named as such, with its byte and line", () => {
    const { p, r } = check("utf8.json", Buffer.concat([Buffer.from('{\n  "vfsim": 1,\n  "name": "'), Buffer.from([0xff]), Buffer.from('"\n}\n')]));
    invalid(r, p, "not valid UTF-8: byte 27 (line 3, column 12) is 0xff");
  });

  it("one size limit for the CLI and the page (64 KiB)", async () => {
    const { MAX_SEED_BYTES } = await import("../host/web/link");
    expect(MAX_SEED_BYTES).toBe(64 * 1024);
    const s = JSON.parse(text);
    s.about = "x".repeat(MAX_SEED_BYTES);
    const body = JSON.stringify(s);
    const { p, r } = check("big.json", body);
    invalid(r, p, `seed file: the seed file is ${Buffer.byteLength(body)} bytes; at most 65536 (64 KiB)`);
  });

  it("a run.seed too large for a JSON number is quoted as typed", () => {
    const s = JSON.parse(text);
    s.run.seed = 1;
    const { p, r } = check("bigseed.json", JSON.stringify(s).replace('"seed":1', '"seed":18446744073709551615'));
    invalid(r, p, 'run.seed: 18446744073709551615 is too large to be exact as a JSON number (above 2^53 - 1); write the seed as a decimal string, "18446744073709551615"');
  });

  it("a directory is not a seed file; --preemptions names unbounded; --shards 0 is a range error", () => {
    expect(bin("run", tmp)).toEqual({ code: 2, out: "", err: `vfsim: ${tmp}: is a directory; expected a file\n` });
    expect(bin("run", A, "--preemptions", "inf")).toMatchObject({ code: 2, err: 'vfsim: --preemptions: expected an integer from 0 to 64, or unbounded (or -1) for the whole state space, got "inf"\n' });
    expect(bin("sweep", A, "--shards", "0")).toMatchObject({ code: 2, err: 'vfsim: --shards: expected an integer from 1 to 1000000, got "0"\n' });
  });

  it("replay: a schedule longer than the run is a divergence, exit 6", () => {
    const dir = join(tmp, "long-cx");
    const cx = JSON.parse(bin("run", A, "--set", "kernel.order=proposed", "--out", dir, "--json").out).file as string;
    const sched = JSON.parse(readFileSync(cx, "utf8")).schedule as string;
    const r = bin("replay", cx, "--json", "--set", `schedule=${sched}000`);
    expect(r.code).toBe(6);
    expect(JSON.parse(r.out)).toMatchObject({ outcome: "diverged", message: expect.stringContaining(`has ${sched.length - 3 + 3} choices but the run ended (deadlock) after ${sched.length - 3} ticks`) });
  });
});

describe("the built vfsim: counterexamples have their own name and about; shrinking by hand", () => {
  // scenario (a) with a bystander thread S and ops that play no part, and its first random failure
  // recorded unshrunk (what a hand-shrinker starts from)
  const a = JSON.parse(readFileSync(A, "utf8"));
  a.name = "bloated-a";
  a.variants = {};
  a.expect = [];
  a.kernel.order = "proposed";
  a.tree = { "/d": ["x"], "/e": ["f"] };
  a.threads.splice(1, 0, { name: "S", ops: [{ op: "stat", path: "/e/f" }, { op: "getdents", path: "/e" }] });
  a.threads[0].ops.push({ op: "stat", path: "/e/f" });
  a.threads[3].ops.unshift({ op: "stat", path: "/e" });
  a.run = { strategy: "random", seed: 3 };
  const bloatedSeed = parseSeedFile(JSON.stringify(a));
  const found = runScenario(module, bloatedSeed, encodeScenario(bloatedSeed), { strategy: "random", seed: 3n, schedules: 0, depth: 3, preemptions: 2 });
  const bloated = file("bloated-cx.json", serializeSeedFile({ ...bloatedSeed, schedule: found.schedule }));
  const dir = join(tmp, "handshrink");
  const out = (name: string) => join(dir, name);
  mkdirSync(dir, { recursive: true });

  it("vfsim run: name <from>.<verdict>, from, and an about saying what failed, where, found how, shrunk from what", () => {
    const r = bin("run", A, "--set", "kernel.order=proposed", "--out", join(dir, "run"), "--json");
    expect(r.code).toBe(1);
    const cx = JSON.parse(readFileSync(JSON.parse(r.out).file, "utf8"));
    expect(cx.name).toBe("a-readdirplus-prime-lookup-mkdir-deadlock.deadlock");
    expect(cx.from).toBe("a-readdirplus-prime-lookup-mkdir-deadlock");
    expect(cx.about).toMatch(/^Counterexample from a-readdirplus-prime-lookup-mkdir-deadlock: deadlock, waits-for cycle R -> L -> W \(R in-lookup wait, L rwsem read, W rwsem write\), in the variant order=proposed rwsem=linux .*\. Found by dfs within 3 preemptions; shrunk from \d+ ticks?, \d+ preemptions?, 3 threads, 3 ops to 15 ticks, 1 preemption, 3 threads, 3 ops\./);
    expect(cx.about).not.toContain("kernel-model.md"); // the original's claim is not repeated
    expect(basename(JSON.parse(r.out).file)).toMatch(/^a-readdirplus-prime-lookup-mkdir-deadlock\.deadlock\.[0-9a-f]{8}\.json$/);
    // it replays; shrinking it again keeps its from
    const cxFile = JSON.parse(r.out).file;
    expect(bin("replay", cxFile).code).toBe(1);
    expect(bin("shrink", cxFile, "--out", out("again.json")).code).toBe(0);
    const again = JSON.parse(readFileSync(out("again.json"), "utf8"));
    expect(again).toMatchObject({ name: "a-readdirplus-prime-lookup-mkdir-deadlock.deadlock", from: "a-readdirplus-prime-lookup-mkdir-deadlock" });
    expect(again.about).toContain("Found by replaying a recorded schedule");
    // `from` is a checked field: a name's rules
    const bad = file("bad-from.json", { ...cx, from: "" });
    const checked = bin("check", bad);
    expect(checked.code).toBe(2);
    expect(checked.out + checked.err).toContain("from: expected a non-empty from");
  });

  it("--drop-thread and --drop-op: the recorded schedule renumbered; it still fails, exit 0, and replays", () => {
    expect(found.verdict).toBe("deadlock");
    const r = bin("shrink", bloated, "--drop-thread", "S", "--drop-op", "W:0", "--out", out("dropped.json"));
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^vfsim shrink \S+: dropped thread S, op W:0 \(\d+ of \d+ choices in the schedule\)\n  before: \d+ ticks, \d+ preemptions, 4 threads, 7 ops\n  after:  \d+ ticks?, \d+ preemptions?, 3 threads, 4 ops\n  still fails: deadlock, waits-for cycle R -> L -> W/);
    expect(r.out).toContain(`replay:                vfsim replay ${out("dropped.json")}`);
    const d = JSON.parse(readFileSync(out("dropped.json"), "utf8"));
    expect(d.threads.map((t: { name: string }) => t.name)).toEqual(["R", "L", "W"]);
    expect(d.threads[2].ops).toEqual([{ op: "mkdir", path: "/d/y" }]);
    expect(d.from).toBe("bloated-a");
    expect(d.about).toContain("shrunk by hand (vfsim shrink, dropped thread S, op W:0) from");
    // the schedule names threads 0-2 only, and the recorded deadlock replays
    expect(d.schedule).toMatch(/^v1:[012]+$/);
    expect(bin("replay", out("dropped.json"))).toMatchObject({ code: 1, out: expect.stringContaining("reproduced: the recorded deadlock") });
    // --json
    const j = bin("shrink", bloated, "--drop-op", "W:0", "--drop-thread", "S", "--out", out("dropped2.json"), "--json");
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out)).toMatchObject({ outcome: "reproduced", dropped: { threads: ["S"], ops: [{ thread: "W", index: 0 }] }, verdict: "deadlock", before: { threads: 4, ops: 7 }, after: { threads: 3, ops: 4 }, file: out("dropped2.json") });
  });

  it("a drop that breaks the schedule: exit 6 (or 5), says so and what to do, and writes the smaller scenario without a schedule", () => {
    const r = bin("shrink", bloated, "--drop-thread", "W", "--out", out("broken.json"));
    expect(r.code).toBe(6);
    expect(r.out).toContain("the renumbered schedule runs out after");
    expect(r.out).toContain("the recorded deadlock did not happen by then");
    expect(r.out).toContain(`to find a failing schedule of it:            vfsim shrink ${out("broken.json")}`);
    const b = JSON.parse(readFileSync(out("broken.json"), "utf8"));
    expect(b.schedule).toBeUndefined();
    expect(b.threads.map((t: { name: string }) => t.name)).toEqual(["R", "S", "L"]);
    expect(JSON.parse(bin("shrink", bloated, "--drop-thread", "W", "--out", out("broken2.json"), "--json").out)).toMatchObject({ outcome: "diverged", next: `vfsim shrink ${out("broken2.json")}` });
    // the advice works: shrink searches the smaller scenario (here R, S, L never fail: dfs proves it)
    const next = bin("shrink", out("broken.json"), "--set", "run.strategy=dfs", "--out", out("broken-next.json"));
    expect(next.code).toBe(0);
    expect(next.out).toContain("nothing to shrink; dfs exhausted its space");
    // a violation whose other owner is dropped: the schedule ends clean, exit 5
    const c7 = bin("run", "fixtures/scenarios/c7-no-dir-seq-recheck-two-owners.json", "--set", "kernel.order=current", "--out", join(dir, "c7"), "--json");
    const c7file = JSON.parse(c7.out).file;
    const owner = JSON.parse(readFileSync(c7file, "utf8")).threads[0].name;
    const five = bin("shrink", c7file, "--drop-thread", owner, "--out", out("c7-dropped.json"));
    expect(five.code).toBe(5);
    expect(five.out).toMatch(/the renumbered schedule runs to ok \(\d+ ticks\), not violation inlookup-unique as recorded/);
  });

  it("bad drops are errors on stderr, exit 2, before anything is written", () => {
    const cases: [string[], string][] = [
      [["--drop-thread", "X"], '--drop-thread: no thread named "X" in'],
      [["--drop-op", "W:5"], "--drop-op W:5: thread W has 2 ops (index 0-1)"],
      [["--drop-op", "W"], '--drop-op: expected NAME:INDEX (a thread name and a 0-based op index, e.g. L:0), got "W"'],
      [["--drop-op", "S:0", "--drop-op", "S:1"], "--drop-op: that drops every op of thread S; drop the thread with --drop-thread S"],
      [["--drop-thread", "R", "--drop-thread", "S", "--drop-thread", "L", "--drop-thread", "W"], "--drop-thread: that drops every thread of"],
      [["--drop-thread", "S", "--drop-op", "S:0"], "--drop-op S:0: thread S is dropped whole by --drop-thread"],
    ];
    for (const [flags, message] of cases) {
      const r = bin("shrink", bloated, ...flags, "--out", out("never.json"));
      expect(r.code, flags.join(" ")).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toContain(message);
    }
    const unrecorded = file("unrecorded-drop.json", { ...a, schedule: undefined });
    expect(bin("shrink", unrecorded, "--drop-thread", "S", "--out", out("never.json"))).toMatchObject({ code: 2, err: expect.stringContaining("schedule: missing; --drop-thread and --drop-op renumber a recorded schedule") });
    expect(readdirSync(dir)).not.toContain("never.json");
  });
});

describe("the built vfsim: trace words", () => {
  it("what a filesystem reads from behind the dcache is named after it: a proc entry on procfs, the server on NFS", () => {
    const procfs = bin("run", "fixtures/scenarios/c8-procfs-readdir-lookup-writer.json", "--set", "fs.prime=d_alloc_trylock", "--strategy", "pct", "--seed", "7", "--out", join(tmp, "words"));
    expect(procfs.code).toBe(1);
    expect(procfs.out).toMatch(/proc_fill_cache: \S+ proc entry "1"/);
    expect(procfs.out).not.toContain("server");
    const nfs = bin("run", A, "--set", "kernel.order=proposed", "--out", join(tmp, "words"));
    expect(nfs.out).toContain('nfs_prime_dcache: d_lookup server "x" [miss]');
  });
});

describe("the built vfsim: counts in the singular", () => {
  it("1 target, 1 schedule, 1 cell, 1 thread: never \"1 targets\"", () => {
    const one = file("one-thread.json", { vfsim: 1, name: "one", tree: { "/d": ["x"] }, threads: [{ name: "T", ops: [{ op: "stat", path: "/d/x" }] }], run: { strategy: "random", seed: 1, schedules: 1 } });
    const sweep = bin("sweep", one, "--schedules", "1", "--workers", "1");
    expect(sweep.out).toContain("vfsim sweep: random, 1 target x 1 schedule, shard 0/1");
    expect(sweep.out).toMatch(/\n1 schedule \(\d+ ticks\), 0 failing, 0 model traps, 0 worker deaths;/);
    expect(sweep.out).toContain("inconclusive: no failure in 1 sampled schedule;");
    const run = bin("run", one);
    expect(run.out).toContain("no failure in 1 schedule (random, not exhaustive)");
    const matrix = bin("matrix", one);
    expect(matrix.out).toContain("\n1 cell, 0 disagree with their seed files");
    const bad = bin("replay", one, "--set", "schedule=v1:01");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("the scenario has 1 thread (0)");
  });
});
