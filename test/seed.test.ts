import { describe, it, expect } from "vitest";
import { CHECKS, CHECKS_ALL, H, HEADER_WORDS, MAX_NAMES, MAX_PATHS, MAX_TASKS, MAX_TREE, OPS, PLANTS } from "../host/core/abi";
import {
  SeedError,
  applySets,
  encodeScenario,
  expectationFor,
  parseSeedFile,
  serializeSeedFile,
  validateSeedObject,
  variantAssignments,
  variantOf,
  type SeedFile,
} from "../host/core/seed";
import { decodeSchedule, encodeSchedule } from "../host/core/schedule";

/** The example from docs/seed-files.md (kernel-model.md scenario (a)). */
const EXAMPLE = {
  vfsim: 1,
  name: "readdirplus-lookup-mkdir",
  about: "free text",
  kernel: { order: "proposed", rwsem: "linux", waitqueue: "on-stack" },
  fs: { type: "nfs", prime: "d_alloc_parallel", lookupLocks: false, iterate: "shared", nfsPrepared: false },
  tree: { "/d": ["x"] },
  cached: ["/d"],
  threads: [
    { name: "R", ops: [{ op: "getdents", path: "/d" }] },
    { name: "L", ops: [{ op: "stat", path: "/d/x" }] },
    { name: "W", ops: [{ op: "mkdir", path: "/d/y" }] },
  ],
  checks: "all",
  expect: { verdict: "deadlock" },
  run: { strategy: "dfs", preemptions: 3 },
};

const MINIMAL = { vfsim: 1, threads: [{ name: "T", ops: [{ op: "stat", path: "/a" }] }] };

/** A deep copy of `base` changed by `edit`, as JSON text. */
function edited(base: object, edit: (raw: any) => void = () => {}): string {
  const raw = structuredClone(base);
  edit(raw);
  return JSON.stringify(raw);
}

/** The SeedError that parsing throws; fails the test if it does not throw one. */
function seedError(text: string, sets: string[] = []): SeedError {
  try {
    parseSeedFile(text, sets);
  } catch (e) {
    if (e instanceof SeedError) return e;
    throw e;
  }
  throw new Error("expected a SeedError, but the seed file was accepted");
}

function errorOf(base: object, edit: (raw: any) => void): SeedError {
  return seedError(edited(base, edit));
}

describe("parseSeedFile: defaults", () => {
  it("fills every default for a minimal file", () => {
    const s = parseSeedFile(JSON.stringify(MINIMAL));
    expect(s).toStrictEqual({
      vfsim: 1,
      name: "unnamed",
      about: "",
      kernel: { order: "current", rwsem: "linux", waitqueue: "on-stack", series: "aug-2025" },
      fs: { type: "nfs", prime: "d_alloc_parallel", lookupLocks: false, iterate: "shared", nfsPrepared: false, needReval: false, ciLookup: "off", ciNames: {} },
      tree: {},
      cached: [],
      threads: [{ name: "T", ops: [{ op: "stat", path: "/a" }] }],
      checks: "all",
      plant: [],
      variants: {},
      expect: [],
      run: { strategy: "dfs", seed: 1n, schedules: 0, depth: 3, preemptions: 2, ticks: 2000 },
    });
  });

  it("fills defaults inside partly given objects and keeps given values", () => {
    const s = parseSeedFile(JSON.stringify(EXAMPLE));
    expect(s.run).toStrictEqual({ strategy: "dfs", seed: 1n, schedules: 0, depth: 3, preemptions: 3, ticks: 2000 });
    expect(s.kernel.order).toBe("proposed");
    expect(s.expect).toStrictEqual([{ verdict: "deadlock" }]);
    expect(s.schedule).toBeUndefined();
    expect("schedule" in s).toBe(false);
  });

  it("reads seeds as bigint from numbers and decimal strings", () => {
    const big = parseSeedFile(edited(MINIMAL, (r) => (r.run = { seed: "18446744073709551615" })));
    expect(big.run.seed).toBe(18446744073709551615n);
    const small = parseSeedFile(edited(MINIMAL, (r) => (r.run = { seed: 42 })));
    expect(small.run.seed).toBe(42n);
  });

  it("accepts a valid recorded schedule in either form", () => {
    const s = parseSeedFile(edited(EXAMPLE, (r) => (r.schedule = "v1:0*3,1,2")));
    expect(s.schedule).toBe("v1:0*3,1,2");
    expect(parseSeedFile(edited(EXAMPLE, (r) => (r.schedule = "v1:0012"))).schedule).toBe("v1:0012");
  });
});

describe("parseSeedFile: errors name the field", () => {
  const cases: [string, (raw: any) => void, string][] = [
    ["missing vfsim", (r) => delete r.vfsim, "vfsim: missing required field"],
    ["wrong version", (r) => (r.vfsim = 2), "vfsim: unsupported version 2; this vfsim reads version 1"],
    ["version as a string", (r) => (r.vfsim = "1"), 'vfsim: expected 1, got "1"'],
    ["unknown top-level field", (r) => (r.thread = []), "thread: unknown field; expected one of vfsim, name, from, about, kernel, fs, tree, cached, threads, checks, plant, variants, expect, run, schedule"],
    ["unknown nested field", (r) => (r.kernel = { ordr: "current" }), "kernel.ordr: unknown field; expected one of order, rwsem, waitqueue, series"],
    ["unknown op", (r) => (r.threads[1].ops[0].op = "mkdri"), 'threads[1].ops[0].op: unknown op "mkdri"; expected one of stat, getdents, mkdir, create, unlink, rename, rmdir, kill, silly-unlink, silly-iput, decode-fh, open'],
    ["bad enum", (r) => (r.kernel.rwsem = "mutex"), 'kernel.rwsem: unknown rwsem policy "mutex"; expected one of linux, fifo, reader-pref'],
    ["enum of the wrong type", (r) => (r.fs.type = 3), "fs.type: expected one of procfs, nfs, fuse, smb, proc-sys, overlayfs, got 3"],
    ["bad bool", (r) => (r.fs.lookupLocks = "yes"), 'fs.lookupLocks: expected true or false, got "yes"'],
    ["bad atomicOpen", (r) => (r.fs.atomicOpen = "v4"), 'fs.atomicOpen: expected true or false, got "v4"'],
    ["atomicOpen on procfs", (r) => ((r.fs.type = "procfs"), (r.fs.atomicOpen = true)), 'fs.atomicOpen: only nfs (NFSv4) has ->atomic_open; fs.type "procfs" takes false or no value'],
    ["nfsPrepared on procfs", (r) => ((r.fs.type = "procfs"), (r.fs.nfsPrepared = true), (r.kernel = { ...r.kernel, series: "vfs-7.4", waitqueue: "var-event" })), 'fs.nfsPrepared: only for fs.type "nfs"; got fs.type "procfs"'],
    ["nfsPrepared on the Aug 2025 dcache", (r) => (r.fs.nfsPrepared = true), 'fs.nfsPrepared: the prepared NFS calls d_splice_alias() on a hashed dentry and d_duplicate(), which kernel.series "aug-2025" lacks; expected kernel.series "vfs-7.4" or "neilbrown-083efdc" with it, or fs.nfsPrepared false'],
    ["an nfsPrepared variant on the Aug 2025 dcache", (r) => (r.variants = { "fs.nfsPrepared": [false, true] }), 'variants: the variant fs.nfsPrepared=true: fs.nfsPrepared: the prepared NFS calls d_splice_alias() on a hashed dentry and d_duplicate(), which kernel.series "aug-2025" lacks; expected kernel.series "vfs-7.4" or "neilbrown-083efdc" with it, or fs.nfsPrepared false'],
    ["bad nfsPrepared", (r) => (r.fs.nfsPrepared = 1), "fs.nfsPrepared: expected true or false, got 1"],
    ["integer out of range", (r) => (r.run.depth = 17), "run.depth: expected an integer from 1 to 16, got 17"],
    ["negative seed", (r) => (r.run.seed = -1), "run.seed: expected a non-negative integer below 2^64 (a JSON number up to 2^53 - 1, or a decimal string), got -1"],
    ["seed of 2^64", (r) => (r.run.seed = "18446744073709551616"), 'run.seed: expected a non-negative integer below 2^64 (a JSON number up to 2^53 - 1, or a decimal string), got "18446744073709551616"'],
    ["seed too large for a JSON number", (r) => (r.run.seed = 2 ** 60), 'run.seed: 1152921504606847000 is too large to be exact as a JSON number (above 2^53 - 1); write the seed as a decimal string, "1152921504606847000"'],
    ["missing threads", (r) => delete r.threads, "threads: missing required field"],
    ["path with a trailing slash", (r) => (r.threads[0].ops[0].path = "/d/"), 'threads[0].ops[0].path: path must not end with "/"; got "/d/"'],
    ["path with //", (r) => (r.threads[1].ops[0].path = "/d//x"), 'threads[1].ops[0].path: path must not contain "//"; got "/d//x"'],
    ["path with ..", (r) => (r.threads[1].ops[0].path = "/d/../x"), 'threads[1].ops[0].path: path must not contain "." or ".." components; got "/d/../x"'],
    ["relative path", (r) => (r.cached = ["d"]), 'cached[0]: expected an absolute path (starting with "/"), got "d"'],
    ["too deep a path", (r) => (r.threads[1].ops[0].path = "/a/b/c/d/e/f/g/h/i"), "threads[1].ops[0].path: path has 9 components; at most 8"],
    ["mkdir of the root", (r) => (r.threads[2].ops[0].path = "/"), 'threads[2].ops[0].path: mkdir needs a path below "/", got "/"'],
    ["missing op field", (r) => delete r.threads[1].ops[0].path, "threads[1].ops[0].path: missing required field for stat"],
    ["extra op field", (r) => (r.threads[1].ops[0].to = "/d/z"), "threads[1].ops[0].to: stat takes no to; expected one of op, path"],
    ["duplicate thread names", (r) => (r.threads[2].name = "R"), 'threads[2].name: duplicate thread name "R" (also threads[0])'],
    ["empty thread name", (r) => (r.threads[0].name = ""), "threads[0].name: expected a non-empty thread name"],
    ["control character in a thread name", (r) => (r.threads[0].name = "a\tb"), "threads[0].name: thread name must not contain control characters"],
    ["no ops", (r) => (r.threads[0].ops = []), "threads[0].ops: expected 1 to 16 ops, got 0"],
    ["tree child with a slash", (r) => (r.tree = { "/d": ["x/y"] }), 'tree["/d"][0]: expected a single name without "/", got "x/y"'],
    ["duplicate tree child", (r) => (r.tree = { "/d": ["x", "x"] }), 'tree["/d"][1]: "x" is listed twice (also tree["/d"][0])'],
    ["non-normalized tree key", (r) => (r.tree = { "/d/": ["x"] }), 'tree["/d/"]: path must not end with "/"; got "/d/"'],
    ["cached below a file", (r) => (r.cached = ["/d/x/y"]), 'cached[0]: "/d/x/y" lies under "/d/x", which is a regular file'],
    ["cached below a missing dir", (r) => (r.cached = ["/e/y"]), 'cached[0]: "/e/y" lies under "/e", which does not exist (a negative dentry has no children)'],
    ["unknown check", (r) => (r.checks = ["deadlock", "dedlock"]), `checks[1]: unknown check "dedlock"; expected one of ${CHECKS.join(", ")}`],
    ["checks neither all nor a list", (r) => (r.checks = "none"), `checks: expected "all" or a list of checks (${CHECKS.join(", ")}), got "none"`],
    ["unknown plant", (r) => (r.plant = ["no-wakes"]), `plant[0]: unknown plant "no-wakes"; expected one of ${PLANTS.join(", ")}`],
    ["unknown variant key", (r) => (r.variants = { "kernel.ordr": ["current"] }), 'variants["kernel.ordr"]: unknown variant axis; expected one of kernel.order, kernel.rwsem, kernel.waitqueue, fs.type, fs.prime, fs.lookupLocks, fs.iterate, fs.atomicOpen, fs.nfsPrepared, kernel.series, fs.needReval, fs.ciLookup'],
    ["bad variant value", (r) => (r.variants = { "fs.lookupLocks": [true, "no"] }), 'variants["fs.lookupLocks"][1]: expected true or false, got "no"'],
    ["empty variant axis", (r) => (r.variants = { "fs.type": [] }), 'variants["fs.type"]: expected a non-empty list of values, got 0'],
    ["bad when value", (r) => (r.expect = [{ when: { "kernel.order": "new" }, verdict: "ok" }]), 'expect[0].when["kernel.order"]: unknown order "new"; expected one of current, proposed'],
    ["bad verdict", (r) => (r.expect = { verdict: "hang" }), 'expect.verdict: unknown verdict "hang"; expected one of ok, deadlock, violation, tick-limit, inconclusive'],
    ["invariant without violation", (r) => (r.expect = { verdict: "deadlock", invariant: "lost-wakeup" }), 'expect.invariant: only allowed with verdict "violation", not "deadlock"'],
    ["invariant not enabled", (r) => ((r.checks = ["deadlock"]), (r.expect = [{ verdict: "violation", invariant: "lost-wakeup" }])), 'expect[0].invariant: "lost-wakeup" is not among the enabled checks (deadlock)'],
    ["cycle with an unknown thread", (r) => (r.expect = { verdict: "deadlock", cycle: ["R", "Q"] }), 'expect.cycle[1]: no thread named "Q"; threads are R, L, W'],
    ["bad schedule prefix", (r) => (r.schedule = "v2:012"), 'schedule: expected a schedule starting with "v1:", got "v2:012"'],
    ["bad schedule char", (r) => (r.schedule = "v1:01x2"), 'schedule: bad character "x" at offset 5; expected a lowercase hex digit (0-9, a-f)'],
    ["schedule thread out of range", (r) => (r.schedule = "v1:0123"), "schedule: thread 3 at offset 6 does not exist; the scenario has 3 threads (0-2)"],
  ];
  for (const [what, edit, message] of cases) {
    it(what, () => expect(errorOf(EXAMPLE, edit).message).toBe(message));
  }

  it("rejects bad JSON as a whole-file error", () => {
    const e = seedError("{ vfsim: 1 }");
    expect(e.path).toBe("");
    expect(e.message).toMatch(/^seed file: not valid JSON at line 1, column \d+ \(position \d+\): /);
  });

  it("rejects a file that is not an object", () => {
    expect(seedError("[1]").message).toBe("seed file: expected a JSON object, got a list");
  });

  it("reports the path separately from the detail", () => {
    const e = errorOf(EXAMPLE, (r) => (r.threads[1].ops[0].op = "mkdri"));
    expect(e).toBeInstanceOf(Error);
    expect(e.path).toBe("threads[1].ops[0].op");
    expect(e.detail).toBe('unknown op "mkdri"; expected one of stat, getdents, mkdir, create, unlink, rename, rmdir, kill, silly-unlink, silly-iput, decode-fh, open');
  });

  it("rejects a rename across directories and onto itself", () => {
    const across = errorOf(EXAMPLE, (r) => r.threads[0].ops.push({ op: "rename", from: "/d/x", to: "/e/y" }));
    expect(across.message).toBe('threads[0].ops[1].to: rename must stay in one directory ("/d"); got "/e/y"');
    const same = errorOf(EXAMPLE, (r) => (r.threads[0].ops[0] = { op: "rename", from: "/d/x", to: "/d/x" }));
    expect(same.message).toBe('threads[0].ops[0].to: rename needs two different paths; got "/d/x" twice');
    const path = errorOf(EXAMPLE, (r) => (r.threads[0].ops[0] = { op: "rename", path: "/d/x", to: "/d/y" }));
    expect(path.message).toBe("threads[0].ops[0].path: rename takes no path; expected one of op, from, to");
  });

  it("rejects too many threads", () => {
    const e = errorOf(MINIMAL, (r) => {
      r.threads = Array.from({ length: MAX_TASKS + 1 }, (_, i) => ({ name: `T${i}`, ops: [{ op: "stat", path: "/" }] }));
    });
    expect(e.message).toBe(`threads: expected 1 to ${MAX_TASKS} threads, got ${MAX_TASKS + 1}`);
  });

  it("accepts stat and getdents of the root", () => {
    const s = parseSeedFile(edited(MINIMAL, (r) => r.threads[0].ops.push({ op: "getdents", path: "/" }, { op: "stat", path: "/" })));
    expect(s.threads[0].ops).toHaveLength(3);
  });
});

describe("--set", () => {
  const text = JSON.stringify(EXAMPLE);

  it("overrides nested fields, array indices in both spellings, and parses JSON values", () => {
    const s = parseSeedFile(text, [
      "kernel.order=current",
      "fs.lookupLocks=true",
      "threads[0].ops[0].path=/d/z",
      "threads.1.ops.0.path=/d/w",
      "run.depth=5",
      'checks=["deadlock","lost-wakeup"]',
    ]);
    expect(s.kernel.order).toBe("current");
    expect(s.fs.lookupLocks).toBe(true);
    expect(s.threads[0].ops[0]).toStrictEqual({ op: "getdents", path: "/d/z" });
    expect(s.threads[1].ops[0]).toStrictEqual({ op: "stat", path: "/d/w" });
    expect(s.run.depth).toBe(5);
    expect(s.checks).toStrictEqual(["deadlock", "lost-wakeup"]);
  });

  it("creates missing objects, appends at the end of a list, and sets keyed fields", () => {
    const s = parseSeedFile(JSON.stringify(MINIMAL), [
      "kernel.rwsem=fifo",
      "threads[1].name=U",
      'threads[1].ops=[{"op":"mkdir","path":"/b"}]',
      'variants.kernel.order=["current","proposed"]',
      'tree["/d"]=["x","y"]',
      'expect[0]={"verdict":"ok"}',
      "expect[0].when.fs.type=procfs",
    ]);
    expect(s.kernel).toStrictEqual({ order: "current", rwsem: "fifo", waitqueue: "on-stack", series: "aug-2025" });
    expect(s.threads.map((t) => t.name)).toStrictEqual(["T", "U"]);
    expect(s.variants).toStrictEqual({ "kernel.order": ["current", "proposed"] });
    expect(s.tree).toStrictEqual({ "/d": ["x", "y"] });
    expect(s.expect).toStrictEqual([{ when: { "fs.type": "procfs" }, verdict: "ok" }]);
  });

  it("indexes into a single expect object as a list, keeps big seeds exact, removes with null", () => {
    const s = parseSeedFile(edited(EXAMPLE, (r) => (r.schedule = "v1:012")), [
      "expect[0].verdict=ok",
      "run.seed=18446744073709551615",
      "schedule=null",
    ]);
    expect(s.expect).toStrictEqual([{ verdict: "ok" }]);
    expect(s.run.seed).toBe(18446744073709551615n);
    expect(s.schedule).toBeUndefined();
  });

  it("stores a dict key named __proto__ as data, where validation rejects it", () => {
    expect(seedError(text, ['tree.__proto__=["x"]']).message).toBe('tree["__proto__"]: expected an absolute path (starting with "/"), got "__proto__"');
  });

  it("does not change its input", () => {
    const raw = structuredClone(EXAMPLE);
    applySets(raw, ["kernel.order=current"]);
    expect(raw).toStrictEqual(EXAMPLE);
  });

  const bad: [string, string][] = [
    ["kernel.order", "--set kernel.order: expected key=value, e.g. kernel.order=proposed or threads[0].ops[0].path=/d/z"],
    ["=x", "--set =x: expected key=value, e.g. kernel.order=proposed or threads[0].ops[0].path=/d/z"],
    ["kernel.ordr=current", '--set kernel.ordr=current: unknown field "ordr" in kernel; expected one of order, rwsem, waitqueue, series'],
    ["colour=red", '--set colour=red: unknown field "colour"; expected one of vfsim, name, from, about, kernel, fs, tree, cached, threads, checks, plant, variants, expect, run, schedule'],
    ["threads[0].ops[0].pth=/x", '--set threads[0].ops[0].pth=/x: unknown field "pth" in threads[0].ops[0]; expected one of op, path, from, to, task'],
    ["threads.name=x", "--set threads.name=x: expected a list index after threads, e.g. threads[0]"],
    ["run.seed.low=1", "--set run.seed.low=1: run.seed has no fields below it"],
    ['variants.kernel.ordr=["current"]', '--set variants.kernel.ordr=["current"]: unknown variant axis "kernel.ordr" in variants; expected one of kernel.order, kernel.rwsem, kernel.waitqueue, fs.type, fs.prime, fs.lookupLocks, fs.iterate, fs.atomicOpen, fs.nfsPrepared, kernel.series, fs.needReval, fs.ciLookup'],
    ["threads[7].name=x", "--set threads[7].name=x: index 7 is past the end of threads (3 entries)"],
    ["checks[0]=deadlock", "--set checks[0]=deadlock: checks is not a list in the seed file; set the whole field instead"],
  ];
  for (const [set, message] of bad) {
    it(`rejects ${set}`, () => {
      const e = seedError(text, [set]);
      expect(e.message).toBe(message);
      expect(e.path).toBe(`--set ${set}`);
    });
  }

  it("leaves a single expect object alone when no set touches it", () => {
    const e = seedError(edited(EXAMPLE, (r) => (r.expect = { verdict: "hang" })), ["kernel.order=current"]);
    expect(e.path).toBe("expect.verdict");
  });

  it("validates the value it sets like any other", () => {
    expect(seedError(text, ["fs.lookupLocks=yes"]).message).toBe('fs.lookupLocks: expected true or false, got "yes"');
  });
});

describe("variants and expectations", () => {
  const s = parseSeedFile(
    edited(EXAMPLE, (r) => {
      r.variants = { "kernel.order": ["current", "proposed"], "fs.prime": ["d_alloc_parallel", "d_alloc_trylock"] };
      r.expect = [
        { when: { "kernel.order": "current" }, verdict: "ok" },
        { when: { "fs.prime": "d_alloc_trylock" }, verdict: "ok" },
        { verdict: "deadlock", cycle: ["R", "L", "W"] },
      ];
    }),
  );

  it("variantOf sets the axes on a copy", () => {
    const v = variantOf(s, { "kernel.order": "current", "fs.lookupLocks": true });
    expect(v.kernel.order).toBe("current");
    expect(v.fs.lookupLocks).toBe(true);
    expect(s.kernel.order).toBe("proposed");
    expect(s.fs.lookupLocks).toBe(false);
  });

  it("variantOf rejects unknown axes and illegal values", () => {
    expect(() => variantOf(s, { "kernel.colour": "red" })).toThrow(SeedError);
    expect(() => variantOf(s, { "kernel.order": "new" })).toThrow('kernel.order: unknown order "new"');
  });

  it("expectationFor picks the first entry whose when matches", () => {
    expect(expectationFor(s)).toStrictEqual({ verdict: "deadlock", cycle: ["R", "L", "W"] });
    expect(expectationFor(variantOf(s, { "kernel.order": "current" }))?.when).toStrictEqual({ "kernel.order": "current" });
    expect(expectationFor(variantOf(s, { "fs.prime": "d_alloc_trylock" }))?.when).toStrictEqual({ "fs.prime": "d_alloc_trylock" });
    expect(expectationFor(parseSeedFile(JSON.stringify(MINIMAL)))).toBeUndefined();
  });

  it("variantAssignments enumerates the matrix, first axis slowest", () => {
    expect(variantAssignments(s)).toStrictEqual([
      { "kernel.order": "current", "fs.prime": "d_alloc_parallel" },
      { "kernel.order": "current", "fs.prime": "d_alloc_trylock" },
      { "kernel.order": "proposed", "fs.prime": "d_alloc_parallel" },
      { "kernel.order": "proposed", "fs.prime": "d_alloc_trylock" },
    ]);
    expect(variantAssignments(parseSeedFile(JSON.stringify(MINIMAL)))).toStrictEqual([{}]);
  });
});

describe("fs.prime: d_alloc_noblock is d_alloc_trylock's old name", () => {
  const old = (edit: (raw: any) => void, sets: string[] = []) => parseSeedFile(edited(EXAMPLE, edit), sets);

  it("the field, --set, variants and when read the old spelling as the new name", () => {
    expect(old((r) => (r.fs.prime = "d_alloc_noblock")).fs.prime).toBe("d_alloc_trylock");
    expect(old(() => {}, ["fs.prime=d_alloc_noblock"]).fs.prime).toBe("d_alloc_trylock");
    const s = old((r) => {
      r.variants = { "fs.prime": ["d_alloc_parallel", "d_alloc_noblock"] };
      r.expect = [{ when: { "fs.prime": "d_alloc_noblock" }, verdict: "ok" }, { verdict: "deadlock" }];
    });
    expect(s.variants).toStrictEqual({ "fs.prime": ["d_alloc_parallel", "d_alloc_trylock"] });
    expect(expectationFor(variantOf(s, { "fs.prime": "d_alloc_trylock" }))?.verdict).toBe("ok");
    expect(expectationFor(variantOf(s, { "fs.prime": "d_alloc_noblock" }))?.verdict).toBe("ok");
    expect(expectationFor(variantOf(s, { "fs.prime": "d_alloc_parallel" }))?.verdict).toBe("deadlock");
    expect(serializeSeedFile(s)).not.toContain("noblock");
  });

  it("both spellings in one variants list are one value listed twice", () => {
    expect(() => old((r) => (r.variants = { "fs.prime": ["d_alloc_noblock", "d_alloc_trylock"] }))).toThrow('variants["fs.prime"][1]');
  });

  it("an unknown spelling lists the current names", () => {
    expect(errorOf(EXAMPLE, (r) => (r.fs.prime = "d_alloc_nonblock")).message).toBe(
      'fs.prime: unknown prime "d_alloc_nonblock"; expected one of d_alloc_parallel, d_alloc_trylock, d_alloc_locked, drop-lock',
    );
  });
});

describe("serializeSeedFile", () => {
  const full: SeedFile = parseSeedFile(
    edited(EXAMPLE, (r) => {
      r.tree = { "/d": ["x", "sub"], "/d/sub": [], "/": ["etc"] };
      r.threads[2].ops.push({ op: "rename", from: "/d/x", to: "/d/z" }, { op: "unlink", path: "/d/sub" });
      r.checks = ["deadlock", "single-lookup"];
      r.plant = ["no-wake"];
      r.variants = { "fs.lookupLocks": [false, true] };
      r.expect = [{ when: { "fs.lookupLocks": true }, verdict: "violation", invariant: "single-lookup" }, { verdict: "deadlock" }];
      r.run = { strategy: "pct", seed: "18446744073709551615", schedules: 5, depth: 4, preemptions: 0, ticks: 100 };
      r.schedule = "v1:012";
    }),
  );

  it("round-trips", () => {
    expect(parseSeedFile(serializeSeedFile(full))).toStrictEqual(full);
    const small = parseSeedFile(JSON.stringify(MINIMAL));
    expect(parseSeedFile(serializeSeedFile(small))).toStrictEqual(small);
  });

  it("writes fields in schema order, seeds as numbers when exact, and omits an absent schedule", () => {
    const text = serializeSeedFile(parseSeedFile(JSON.stringify(EXAMPLE), ["run.seed=7"]));
    expect(Object.keys(JSON.parse(text))).toStrictEqual([
      "vfsim", "name", "about", "kernel", "fs", "tree", "cached", "threads", "checks", "plant", "variants", "expect", "run",
    ]);
    expect(JSON.parse(text).run.seed).toBe(7);
    expect(text).toContain('\n  "kernel": { "order": "proposed", "rwsem": "linux", "waitqueue": "on-stack" },\n');
    expect(text.endsWith("}\n")).toBe(true);
    expect(JSON.parse(serializeSeedFile(full)).run.seed).toBe("18446744073709551615");
    expect(Object.keys(JSON.parse(serializeSeedFile(full))).at(-1)).toBe("schedule");
  });

  it("is stable", () => {
    expect(serializeSeedFile(parseSeedFile(serializeSeedFile(full)))).toBe(serializeSeedFile(full));
  });
});

describe("encodeScenario", () => {
  // Root children "/a" (file) and "/d" (dir, implied by the key "/d/e"); "/d/e" holds "f".
  const s = validateSeedObject({
    vfsim: 1,
    kernel: { order: "proposed", rwsem: "fifo", waitqueue: "var-event" },
    fs: { type: "procfs", prime: "d_alloc_locked", lookupLocks: true },
    tree: { "/d/e": ["f"], "/": ["a"] },
    cached: ["/d/e/f", "/n"],
    threads: [
      { name: "A", ops: [{ op: "stat", path: "/d/e/f" }, { op: "rename", from: "/d/e/f", to: "/d/e/g" }] },
      { name: "B", ops: [{ op: "create", path: "/a" }] },
    ],
    checks: ["deadlock", "single-lookup"],
    plant: ["no-wake", "lock-lookup-nowait"],
    run: { ticks: 500 },
  });
  const e = encodeScenario(s);
  const w = Array.from(e.words);

  it("writes the header", () => {
    expect(w.slice(0, HEADER_WORDS)).toStrictEqual([
      1, // VERSION
      1, // ORDER proposed
      1, // RWSEM fifo
      1, // WAITQUEUE var-event
      0, // FS procfs
      2, // PRIME d_alloc_locked
      1, // LOOKUP_LOCKS
      (1 << CHECKS.indexOf("deadlock")) | (1 << CHECKS.indexOf("single-lookup")),
      (1 << PLANTS.indexOf("no-wake")) | (1 << PLANTS.indexOf("lock-lookup-nowait")),
      500, // TICKS_MAX
      6, // N_NAMES: a d e f n g
      7, // N_PATHS
      4, // N_TREE
      4, // N_CACHED
      2, // N_TASKS
      0, // ITERATE shared
      ...new Array(HEADER_WORDS - 16).fill(0), // words 16.. : fields added later, default 0
    ]);
    expect(w[H.CHECKS]).toBe(0b10000001);
  });

  it("interns names and paths in order, root first, parents before children", () => {
    // Tree keys sorted ("/" then "/d/e" with its ancestor "/d"), their children, cached, ops.
    expect(e.names).toStrictEqual(["", "a", "d", "e", "f", "n", "g"]);
    expect(e.paths).toStrictEqual(["/", "/a", "/d", "/d/e", "/d/e/f", "/n", "/d/e/g"]);
    expect(e.threads).toStrictEqual(["A", "B"]);
    const paths = w.slice(HEADER_WORDS, HEADER_WORDS + 1 + 2 + 2 + 3 + 4 + 2 + 4);
    expect(paths).toStrictEqual([0, 1, 1, 1, 2, 2, 2, 3, 3, 2, 3, 4, 1, 5, 3, 2, 3, 6]);
  });

  it("writes tree records parent-first, then cached ids with ancestors first, then ops", () => {
    let at = HEADER_WORDS + 18;
    const tree = w.slice(at, (at += 2 * 4));
    expect(tree).toStrictEqual([1, 0, 2, 1, 3, 1, 4, 0]); // /a file, /d dir, /d/e dir, /d/e/f file
    const cached = w.slice(at, (at += 4));
    expect(cached).toStrictEqual([2, 3, 4, 5]); // /d, /d/e, /d/e/f, /n (negative)
    const stat = OPS.indexOf("stat");
    const rename = OPS.indexOf("rename");
    const create = OPS.indexOf("create");
    expect(w.slice(at)).toStrictEqual([2, stat, 4, 0, 0, rename, 4, 6, 0, 1, create, 1, 0, 0]);
  });

  it("sets every check bit for checks: all", () => {
    const all = encodeScenario(parseSeedFile(JSON.stringify(MINIMAL)));
    // every check but lockdep (bit 11; held-at-exit, bit 12, came after it)
    expect(all.words[H.CHECKS]).toBe(CHECKS_ALL.reduce((m, c) => m | (1 << CHECKS.indexOf(c)), 0));
    expect(all.words[H.CHECKS] & (1 << CHECKS.indexOf("lockdep"))).toBe(0);
    expect(CHECKS_ALL.length).toBe(CHECKS.length - 1);
    expect(Array.from(all.words.slice(HEADER_WORDS))).toStrictEqual([0, 1, 1, 1, OPS.indexOf("stat"), 1, 0, 0]);
  });

  it("rejects scenarios beyond the model's capacities, naming the field", () => {
    const tooManyTree = errorOf(MINIMAL, (r) => (r.tree = { "/": Array.from({ length: MAX_TREE + 1 }, (_, i) => `f${i}`) }));
    expect(tooManyTree.path).toBe("tree");
    const names = Array.from({ length: MAX_NAMES }, (_, i) => `n${i}`);
    const tooManyNames = errorOf(MINIMAL, (r) => (r.cached = names.map((n) => `/${n}`)));
    expect(tooManyNames.message).toBe(`cached[${MAX_NAMES - 1}]: too many distinct names; the model holds at most ${MAX_NAMES - 1}`);
    // Thread i stats /x{i}/y0 .. /x{i}/y7: each thread adds 9 paths (16 names in all), so root
    // and threads 0-6 fill MAX_PATHS = 64 and /x7 is one too many.
    const tooManyPaths = errorOf(MINIMAL, (r) => {
      r.threads = Array.from({ length: 8 }, (_, i) => ({
        name: `T${i}`,
        ops: Array.from({ length: 8 }, (_, j) => ({ op: "stat", path: `/x${i}/y${j}` })),
      }));
    });
    expect(MAX_PATHS).toBe(1 + 7 * 9);
    expect(tooManyPaths.message).toBe(`threads[7].ops[0].path: too many distinct paths (with their parents); the model holds at most ${MAX_PATHS} (MAX_PATHS)`);
  });
});

describe("schedule strings", () => {
  it("encodes short runs plainly and long runs as RLE", () => {
    expect(encodeSchedule([0, 1, 2, 10, 15])).toBe("v1:012af");
    expect(encodeSchedule([])).toBe("v1:");
    const long = [...Array(70).fill(0), 1, 2, 2];
    expect(encodeSchedule(long)).toBe("v1:0*70,1,2*2");
    expect(() => encodeSchedule([16])).toThrow(RangeError);
  });

  it("decodes both forms to the same choices", () => {
    expect(Array.from(decodeSchedule("v1:0012", 3))).toStrictEqual([0, 0, 1, 2]);
    expect(Array.from(decodeSchedule("v1:0*2,1,2*1", 3))).toStrictEqual([0, 0, 1, 2]);
    expect(decodeSchedule("v1:", 1)).toHaveLength(0);
    const long = Array.from({ length: 200 }, (_, i) => (i * 7) % 5);
    expect(Array.from(decodeSchedule(encodeSchedule(long), 5))).toStrictEqual(long);
  });

  it("names the path and the offset of what is wrong", () => {
    const err = (text: string, n = 3) => {
      try {
        decodeSchedule(text, n, "x.schedule");
      } catch (e) {
        return (e as SeedError).message;
      }
      return "accepted";
    };
    expect(err("v1:0A")).toBe('x.schedule: bad character "A" at offset 4; expected a lowercase hex digit (0-9, a-f)');
    expect(err("v1:0*,1")).toBe('x.schedule: bad character "," at offset 5; expected a repeat count of at least 1 after "*"');
    expect(err("v1:0*2,")).toBe("x.schedule: unexpected end at offset 7; expected a lowercase hex digit (0-9, a-f)");
    expect(err("v1:0*2x")).toBe('x.schedule: bad character "x" at offset 6; expected "," or "*"');
    expect(err("v1:0,3")).toBe("x.schedule: thread 3 at offset 5 does not exist; the scenario has 3 threads (0-2)");
    expect(err("v1:0*99999999")).toBe("x.schedule: longer than 1000000 choices (at offset 13)");
  });
});

describe("kernel.series", () => {
  const err = (text: string, sets: string[] = []) => {
    try {
      parseSeedFile(text, sets);
    } catch (e) {
      if (e instanceof SeedError) return e.message;
      throw e;
    }
    return "accepted";
  };
  const base = JSON.stringify(MINIMAL);

  it("defaults to aug-2025 with the on-stack queue; vfs-7.4 waits with wait_var_event", () => {
    expect(parseSeedFile(base).kernel).toStrictEqual({ order: "current", rwsem: "linux", waitqueue: "on-stack", series: "aug-2025" });
    const s = parseSeedFile(base, ["kernel.series=vfs-7.4"]);
    expect(s.kernel.waitqueue).toBe("var-event");
    expect(encodeScenario(s).words[H.SERIES]).toBe(1);
    expect(encodeScenario(parseSeedFile(base)).words[H.SERIES]).toBe(0);
    expect(parseSeedFile(serializeSeedFile(s))).toStrictEqual(s);
    expect(serializeSeedFile(parseSeedFile(base))).not.toContain("series");
  });

  it("rejects what vfs-7.4 does not have, naming the field", () => {
    expect(err(base, ["kernel.series=7.4"])).toBe("kernel.series: expected one of aug-2025, vfs-7.4, neilbrown-083efdc, got 7.4");
    expect(err(base, ["kernel.series=vfs-7.4", "kernel.waitqueue=on-stack"])).toBe(
      'kernel.waitqueue: kernel.series "vfs-7.4" waits in d_alloc_parallel with wait_var_event (no on-stack queue); expected "var-event", got "on-stack"',
    );
    expect(err(base, ["kernel.series=vfs-7.4", "fs.prime=d_alloc_locked"])).toBe(
      'fs.prime: kernel.series "vfs-7.4" has no d_alloc_locked (dropped after the Aug 2025 posting); expected one of d_alloc_parallel, d_alloc_trylock, drop-lock, got "d_alloc_locked"',
    );
    expect(err(base, ["kernel.series=vfs-7.4", "fs.lookupLocks=true"])).toBe(
      'fs.lookupLocks: kernel.series "vfs-7.4" has no lock_lookup (it went with d_alloc_locked); expected false, got true',
    );
    expect(err(base, ["kernel.series=aug-2025", "fs.prime=d_alloc_locked", "fs.lookupLocks=true"])).toBe("accepted");
  });

  it("variants: moving to vfs-7.4 takes var-event; a combination the series lacks rejects the file", () => {
    const s = parseSeedFile(base, ['variants.kernel.series=["aug-2025","vfs-7.4"]']);
    expect(variantAssignments(s).map((a) => variantOf(s, a).kernel.waitqueue)).toStrictEqual(["on-stack", "var-event"]);
    expect(err(base, ['variants.kernel.series=["aug-2025","vfs-7.4"]', 'variants.fs.prime=["d_alloc_parallel","d_alloc_locked"]'])).toBe(
      'variants: the variant kernel.series=vfs-7.4 fs.prime=d_alloc_locked: fs.prime: kernel.series "vfs-7.4" has no d_alloc_locked (dropped after the Aug 2025 posting); expected one of d_alloc_parallel, d_alloc_trylock, drop-lock, got "d_alloc_locked"',
    );
    expect(err(base, ['variants.kernel.series=["vfs-7.4"]', 'variants.kernel.waitqueue=["on-stack"]'])).toMatch(/^variants: the variant kernel.series=vfs-7.4 kernel.waitqueue=on-stack: kernel.waitqueue: /);
  });
});
