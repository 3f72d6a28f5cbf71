// The vfsim command: exit codes, errors that name the field, counterexample files that replay.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { COMMANDS, main } from "../host/node/cli";
import { SWEEP_COMMAND } from "../host/node/sweep";
import { MERGE_COMMAND } from "../host/node/merge";
import { SHRINK_COMMAND } from "../host/node/shrink_cmd";
import { FUZZ_COMMAND } from "../host/node/fuzz";
import { A } from "./helpers";

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
    expect(r.out).toMatch(/R waits for L \(in-lookup wait\)\n\s+L waits for W \(rwsem read\)\n\s+W waits for R \(rwsem write\)/);
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
