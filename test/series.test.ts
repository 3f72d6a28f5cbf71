// The 2026 dcache the series brings (issue 10 section 2): d_splice_alias() on a hashed dentry
// (02/53), d_duplicate() (06/53) for NFS silly-rename, and LOOKUP_SHARED (v3 08/19).
import { describe, expect, it } from "vitest";
import { replayScenario } from "../host/core/run";
import { runCell } from "../host/core/matrix";
import { encodeScenario, variantOf, type SeedFile } from "../host/core/seed";
import { Model } from "../host/core/wasm";
import { module, seedFile, sequential } from "./helpers";

describe("d_splice_alias on a hashed dentry (02/53)", () => {
  const M = "fixtures/scenarios/nfs-mkdir-d_drop-window-inlookup-twin.json";

  it("the prepared NFS mkdir hands the hashed negative dentry its stat cached to d_splice_alias, which instantiates it in place", () => {
    const s = variantOf(seedFile(M), { "kernel.order": "proposed", "fs.nfsPrepared": true });
    const r = sequential(s, 0);
    expect(r.verdict).toBe("ok");
    const a = r.trace!.filter((e) => e.task === 0);
    // A's stat cached y negative (d_add(dentry, NULL) hashes it) ...
    const cached = a.find((e) => e.fn === "nfs_lookup" && e.state === "d_splice_alias" && e.note === "negative")!;
    expect(cached).toBeDefined();
    // ... and its mkdir never drops it: the splice is on that same dentry
    expect(a.some((e) => e.state === "nfs_add_or_obtain: d_drop")).toBe(false);
    const splice = a.find((e) => e.fn === "nfs_mkdir" && e.state === "d_splice_alias")!;
    expect(splice.object).toBe(cached.object);
  });

  it("without the preparation the same mkdir d_drops first (today's nfs_add_or_obtain)", () => {
    const s = variantOf(seedFile(M), { "kernel.order": "proposed", "fs.nfsPrepared": false });
    const r = sequential(s, 0);
    expect(r.verdict).toBe("ok");
    expect(r.trace!.some((e) => e.task === 0 && e.state === "nfs_add_or_obtain: d_drop")).toBe(true);
  });
});

describe("d_duplicate for NFS silly-rename (06/53, v3 19/19)", () => {
  const D = "fixtures/scenarios/nfs-rename-silly-d_duplicate.json";

  /** A renames /d/a over /d/b while S holds b (stat), so nfs_rename silly-renames b; C stats b
   *  once b has moved away: run S 2 ticks (it holds b), A until its silly d_move, then C. */
  function race(prepared: boolean) {
    const s = variantOf(seedFile(D), { "kernel.order": "proposed", "fs.nfsPrepared": prepared });
    const m = new Model(module);
    const enc = encodeScenario(s);
    m.load(enc.words);
    m.x.begin();
    const choices: number[] = [];
    const plan = [1, 1, 0, 0, 0, 0, 0, 0, 0];   // S: walk d, hit b; A: walk, a, b, lock, copy, silly RPC, silly d_move
    let v = -1;
    for (const t of plan) { choices.push(t); v = m.x.tick(t); expect(v).toBe(-1); }
    while (v === -1) {
      const mask = m.x.runnable_mask();
      const t = mask & 4 ? 2 : 31 - Math.clz32(mask & -mask);   // C first whenever it can run
      choices.push(t);
      v = m.x.tick(t);
    }
    return replayScenario(module, enc, Uint8Array.from(choices), s.run);
  }

  it("prepared: the copy is an in-lookup twin of the in-use b; a lockless lookup of b after the silly-rename waits on it and then finds the renamed file", () => {
    const r = race(true);
    expect(r.verdict).toBe("ok");
    const a = r.trace!.filter((e) => e.task === 0);
    const copy = a.find((e) => e.state.startsWith("target in use"))!;
    expect(copy.note).toBe("new, owner");   // d_duplicate: in lookup, owned by A
    expect(a.some((e) => e.state === "nfs_sillyrename: d_move(target, silly dentry)" && e.text.includes(".nfs-silly"))).toBe(true);
    const c = r.trace!.filter((e) => e.task === 2);
    const wait = c.find((e) => e.fn === "d_alloc_parallel" && e.note === "in lookup")!;
    expect(wait.object).toBe(copy.object);   // C found A's duplicate, not a name of its own
    expect(c.some((e) => e.fn === "d_alloc_parallel" && e.note === "new, owner")).toBe(false);
    expect(c.at(-1)!.text).toMatch(/stat returns \d+/);
  });

  it("today (d_alloc): the same schedule gives the lookup an in-lookup b of its own, and the rename's d_move hashes b beside it (inlookup-unique, S2 at __d_move)", () => {
    const r = race(false);
    expect([r.verdict, r.invariant]).toEqual(["violation", "inlookup-unique"]);
    expect(r.trace!.at(-1)!.task).toBe(0);   // found at A's d_move(old, copy), not later at C's splice
    expect(r.trace!.some((e) => e.task === 2 && e.fn === "d_alloc_parallel" && e.note === "new, owner")).toBe(true);
  });

  it("the whole state space: clean when prepared, in both orders; the current order is clean either way", () => {
    for (const [order, prepared, verdict] of [["proposed", true, "ok"], ["current", true, "ok"], ["current", false, "ok"], ["proposed", false, "violation"]] as const) {
      const cell = runCell(module, D, seedFile(D), { "kernel.order": order, "fs.nfsPrepared": prepared });
      expect([order, prepared, cell.report.verdict]).toEqual([order, prepared, verdict]);
      if (verdict === "ok") expect(cell.report.exhaustive).toBe(true);
    }
  });
});

describe("LOOKUP_SHARED (v3 08/19)", () => {
  it("->lookup is told the parent is held shared exactly when it is: the contract holds on every path, both orders, every series", () => {
    // lookup_slow/__lookup_slow (stat), lookup_one_qstr_excl and lookup_one_qstr (unlink, mkdir),
    // lookup_open without ->atomic_open (NFSv3 open(O_CREAT)): a broken contract traps (exit 3)
    const base = seedFile("fixtures/scenarios/nfs3-create-d_drop-window-inlookup-twin.json");
    for (const series of ["vfs-7.4", "neilbrown-083efdc"]) {
      for (const order of ["current", "proposed"]) {
        const s = variantOf({ ...base, threads: [...base.threads, { name: "U", ops: [{ op: "unlink", path: "/d/y" }, { op: "mkdir", path: "/d/z" }] }] }, { "kernel.order": order, "kernel.series": series, "fs.nfsPrepared": true });
        const cell = runCell(module, "inline", s, {});
        expect([series, order, cell.report.exhaustive]).toEqual([series, order, true]);
      }
    }
  });
});
