// The filesystems of issue 11 (fuse, smb, proc-sys, overlayfs): the priming calls each accepts,
// what the model does in each (run with fixed seeds, whole state spaces), and the --by-fs table.
import { describe, expect, it } from "vitest";
import { main } from "../host/node/cli";
import { byFsMarkdown, cellText, runByFs } from "../host/core/byfs";
import { CHECKS, SERIES, FS_TYPES } from "../host/core/abi";
import { FS_PRIMES, parseSeedFile } from "../host/core/seed";
import { type RunReport } from "../host/core/run";
import { module, seedErrorOf, seedFile, sequential, whole } from "./helpers";

const FUSE_A = "fixtures/scenarios/a-fuse-prime-lookup-mkdir-deadlock.json";
const SYS_A = "fixtures/scenarios/a-proc-sys-fill-cache-lookup-writer.json";
const OVL_C2 = "fixtures/scenarios/c2-overlayfs-iterate-lookup-one-deadlock.json";

async function vfsim(...argv: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await main(argv, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join("\n"), err: err.join("\n") };
}



describe("priming calls per filesystem", () => {
  it("every filesystem accepts d_alloc_parallel and d_alloc_trylock; only procfs, nfs and /proc/sys the others", () => {
    for (const t of FS_TYPES) expect(FS_PRIMES[t]).toEqual(expect.arrayContaining(["d_alloc_parallel", "d_alloc_trylock"]));
    for (const t of ["fuse", "smb", "overlayfs"] as const) expect(FS_PRIMES[t]).not.toContain("drop-lock");
  });

  it("a priming call the filesystem has not got is refused, naming the field (as written and in a variant)", () => {
    const e = seedErrorOf(FUSE_A, ["fs.prime=drop-lock", "variants[\"fs.prime\"]=null"]);
    expect(e.message).toBe('fs.prime: fs.type "fuse" (fs.type) cannot use the priming call "drop-lock"; expected one of d_alloc_parallel, d_alloc_trylock');
    const v = seedErrorOf(OVL_C2, ['variants["fs.prime"]=["d_alloc_parallel","d_alloc_locked"]']);
    expect(v.message).toContain('variants["fs.prime"][1]: fs.type "overlayfs"');
    const r = seedErrorOf(FUSE_A, ["fs.needReval=true"]);
    expect(r.message).toContain('fs.needReval: fs.type "fuse" (fs.type): CIFS_FATTR_NEED_REVAL is an SMB client flag');
    const l = seedErrorOf(FUSE_A, ["fs.type=smb", "fs.lookupLocks=true"]);
    expect(l.message).toContain("fs.lookupLocks: fs.type \"smb\" (fs.type): its ->lookup has no lock_lookup");
  });

  it("the CLI refuses it with exit 2", async () => {
    const r = await vfsim("run", FUSE_A, "--set", "fs.prime=d_alloc_locked", "--set", 'variants["fs.prime"]=null');
    expect(r.code).toBe(2);
    expect(r.err).toContain("fs.prime: fs.type \"fuse\"");
    expect((await vfsim("matrix", "--by-fs", "--fs", "ext4")).code).toBe(2);
    expect((await vfsim("matrix", "--fs", "fuse")).code).toBe(2);
  });
});

describe("the model, per filesystem", () => {
  it("fuse: the proposed order with d_alloc_parallel deadlocks R -> L -> W through fuse_direntplus_link and fuse_lookup", () => {
    const r = whole(seedFile(FUSE_A, ["kernel.order=proposed", "fs.prime=d_alloc_parallel"]));
    expect(r.verdict).toBe("deadlock");
    expect(r.cycle?.map((e) => e.task)).toEqual(["R", "L", "W"]);
    const fns = new Set(r.trace!.map((e) => e.fn));
    expect(fns).toContain("fuse_readdir");
    expect(fns).toContain("fuse_direntplus_link");
    expect(fns).toContain("fuse_lookup");
  });

  it("mkdir's d_drop window (proposed order): NFS's nfs_add_or_obtain and FUSE's create_new_entry have it; SMB's cifs_mkdir d_instantiates in place and is clean", () => {
    const twin = "fixtures/scenarios/nfs-mkdir-d_drop-window-inlookup-twin.json";
    for (const type of ["nfs", "fuse"]) {
      const r = whole(seedFile(twin, [`fs.type=${type}`, "kernel.order=proposed", "expect=[]"]));
      expect([type, r.verdict, r.invariant]).toEqual([type, "violation", "inlookup-unique"]);
    }
    const smb = whole(seedFile(twin, ["fs.type=smb", "kernel.order=proposed", "expect=[]"]));
    expect([smb.verdict, smb.exhaustive]).toEqual(["ok", true]);
    const mkdir = sequential(seedFile(twin, ["fs.type=smb", "kernel.order=proposed", "expect=[]"]), 0);
    const states = mkdir.trace!.filter((e) => e.fn === "nfs_mkdir").map((e) => e.state);
    expect(states).toContain("cifs_mkdir_qinfo: d_instantiate");
    expect(states).not.toContain("nfs_add_or_obtain: d_drop");
  });

  it("smb: the exclusive-create shape (a') is clean, unlike NFS (cifs_lookup completes the lookup)", () => {
    const a1 = whole(seedFile("fixtures/scenarios/a-prime-excl-create-smb-no-deadlock.json", ["kernel.order=proposed"]));
    expect(a1).toMatchObject({ verdict: "ok", exhaustive: true });
    const nfs = whole(seedFile("fixtures/scenarios/a-prime-excl-create-smb-no-deadlock.json", ["kernel.order=proposed", "fs.type=nfs"]));
    expect(nfs.verdict).toBe("deadlock");
  });

  it("smb: with CIFS_FATTR_NEED_REVAL (fs.needReval) cifs_prime_dcache creates no dentry, so (a) is clean in the proposed order", () => {
    const s = "fixtures/scenarios/a-smb-prime-lookup-mkdir-deadlock.json";
    expect(whole(seedFile(s, ["kernel.order=proposed", "fs.prime=d_alloc_parallel", "fs.needReval=true"]))).toMatchObject({ verdict: "ok", exhaustive: true });
    expect(whole(seedFile(s, ["kernel.order=proposed", "fs.prime=d_alloc_parallel", "fs.needReval=false"])).verdict).toBe("deadlock");
  });

  it("overlayfs: ovl_iterate holds the directory exclusive (wrap_directory_iterator) whatever fs.iterate says", () => {
    for (const it of ["shared", "wrapped"]) {
      const r = whole(seedFile(OVL_C2, ["kernel.order=proposed", "fs.prime=d_alloc_parallel", `fs.iterate=${it}`]));
      expect(r.verdict).toBe("deadlock");
      expect(r.cycle?.map((e) => e.task)).toEqual(["R", "L"]);
      expect(r.cycle?.map((e) => e.wait)).toEqual([expect.stringContaining("in-lookup"), expect.stringContaining("rwsem read")]);
      expect(r.trace!.some((e) => e.fn === "iterate_dir" && /down_write/.test(e.state))).toBe(true);
      expect(r.trace!.some((e) => e.fn === "ovl_iterate")).toBe(true);
    }
  });

  it("proc-sys: d_alloc_trylock never emits a wrong d_ino (proc_sys_fill_cache stops instead); d_alloc_parallel deadlocks", () => {
    expect(whole(seedFile(SYS_A, ["kernel.order=proposed", "fs.prime=d_alloc_trylock"]))).toMatchObject({ verdict: "ok", exhaustive: true });
    expect(whole(seedFile(SYS_A, ["kernel.order=proposed", "fs.prime=d_alloc_parallel"])).verdict).toBe("deadlock");
    // procfs, with its fallback d_ino, is not clean under the same call
    const proc = whole(seedFile(SYS_A, ["kernel.order=proposed", "fs.prime=d_alloc_trylock", "fs.type=procfs"]));
    expect(proc).toMatchObject({ verdict: "violation", invariant: "ino-consistency" });
  });
});

describe("vfsim matrix --by-fs", () => {
  it("one row per filesystem x priming call x order, each cell a verdict the model returned", () => {
    const all = runByFs(module, { fs: ["fuse"] });
    expect(all.map((r) => `${r.prime} ${r.order} ${r.series}`)).toEqual(
      ["d_alloc_parallel", "d_alloc_trylock"].flatMap((p) => ["current", "proposed"].flatMap((o) => SERIES.map((s) => `${p} ${o} ${s}`))));
    const rows = runByFs(module, { fs: ["fuse", "overlayfs"], series: ["aug-2025"] });
    expect(rows.map((r) => `${r.fs} ${r.prime} ${r.order}`)).toEqual([
      "fuse d_alloc_parallel current", "fuse d_alloc_parallel proposed", "fuse d_alloc_trylock current", "fuse d_alloc_trylock proposed",
      "overlayfs d_alloc_parallel current", "overlayfs d_alloc_parallel proposed", "overlayfs d_alloc_trylock current", "overlayfs d_alloc_trylock proposed",
    ]);
    const fuseProposed = rows[1];
    expect(cellText(fuseProposed.a)).toBe("deadlock R→L→W");
    expect(cellText(fuseProposed.aPrime)).toBe("ok");
    expect(cellText(rows[5].aPrime)).toBe("deadlock R→W");
    for (const r of rows) for (const c of [r.a, r.aPrime, r.ownerOnly]) if (c.verdict === "ok") expect(c.exhaustive).toBe(true);
    const md = byFsMarkdown(rows).split("\n");
    expect(md).toHaveLength(2 + rows.length);
    expect(md[0].includes("lockdep")).toBe((CHECKS as readonly string[]).includes("lockdep"));
  });

  it("cells never call a search that did not finish ok, nor a check it did not decide", () => {
    const okPartial = { verdict: "ok", exhaustive: false } as RunReport;
    expect(cellText(okPartial)).toBe("ok (not exhaustive: budget spent)");
    const dead = { verdict: "deadlock", exhaustive: false, cycle: [{ task: "R" }, { task: "L" }] } as unknown as RunReport;
    expect(cellText(dead, "owner-only")).toBe("deadlock R→L (stopped first; owner-only undecided)");
    const other = { verdict: "inconclusive", exhaustive: false } as unknown as RunReport;
    expect(cellText(other)).toBe("inconclusive (not exhaustive)");
    const stopped = { verdict: "inconclusive", exhaustive: false, stopped: "the state budget (10 states) ran out" } as unknown as RunReport;
    expect(cellText(stopped)).toBe("inconclusive (not exhaustive: the state budget (10 states) ran out)");
  });

  it("d_alloc_locked breaks owner-only on every filesystem that has it", () => {
    for (const r of runByFs(module, { fs: ["proc-sys"] }).filter((x) => x.prime === "d_alloc_locked")) {
      expect(r.ownerOnly).toMatchObject({ verdict: "violation", invariant: "owner-only" });
    }
  });
});

// parseSeedFile is the reader the page and the CLI share: new fs types round-trip through it.
it("every new fs type is a seed-file value", () => {
  for (const t of ["fuse", "smb", "proc-sys", "overlayfs"]) {
    const raw = JSON.stringify({ vfsim: 1, fs: { type: t }, tree: { "/d": ["x"] }, cached: ["/d"], threads: [{ name: "R", ops: [{ op: "getdents", path: "/d" }] }] });
    expect(parseSeedFile(raw).fs.type).toBe(t);
  }
});

it("docs/findings.md holds the table vfsim matrix --by-fs makes now (npm run findings regenerates it)", async () => {
  const { readFileSync } = await import("node:fs");
  const text = readFileSync("docs/findings.md", "utf8");
  const r = await vfsim("matrix", "--by-fs");
  expect(r.code).toBe(0);
  expect(text.slice(text.indexOf("\n| filesystem |") + 1).trimEnd()).toBe(r.out.trimEnd());
});
