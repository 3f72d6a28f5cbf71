// rmdir (do_rmdir -> vfs_rmdir -> nfs_rmdir): the victim's i_rwsem, S_DEAD and IS_DEADDIR.
import { describe, expect, it } from "vitest";
import { runCell } from "../host/core/matrix";
import { type SeedFile } from "../host/core/seed";
import { module, seedFile, sequential } from "./helpers";

const V = "fixtures/scenarios/rmdir-lookup-in-victim.json";

describe("rmdir", () => {
  for (const order of ["current", "proposed"]) {
    it(`${order} order: rmdir first removes the directory, marks it dead; the stat inside it then gets -ENOENT`, () => {
      const r = sequential(seedFile(V, [`kernel.order=${order}`]), 0);
      expect(r.verdict).toBe("ok");
      const rm = r.trace!.filter((e) => e.task === 0).map((e) => `${e.fn}: ${e.state}`);
      const at = (x: string) => rm.indexOf(x);
      // victim locked, ->rmdir (the RPC), S_DEAD + unlock, dput + d_delete, in that order
      const steps = ["vfs_rmdir: dget, inode_lock(victim)", "nfs_rmdir: RPC", "vfs_rmdir: S_DEAD, inode_unlock(victim)", "vfs_rmdir: dput, d_delete"].map(at);
      expect(steps.every((i) => i >= 0), rm.join("\n")).toBe(true);
      expect([...steps].sort((a, b) => a - b)).toEqual(steps);
      const last = r.trace!.filter((e) => e.task === 0).at(-1)!;
      expect(last.text).toContain("rmdir returns 0");
      // the walk finds s negative (d_delete) and stops there
      const stat = r.trace!.filter((e) => e.task === 1).at(-1)!;
      expect(stat.text).toContain("-ENOENT");
    });
  }

  it("proposed order: a stat that already owns an in-lookup child of s when rmdir runs gets -ENOENT from IS_DEADDIR, without ->lookup", () => {
    const s = seedFile(V, ["kernel.order=proposed"]);
    let seen = 0;
    for (let k = 1; k <= 12; k++) {
      const r = sequential(s, 0, 1, k);
      expect(r.verdict).toBe("ok");
      const before = r.trace!.findIndex((e) => e.task === 0);
      const l = r.trace!.filter((e) => e.task === 1);
      // L's last step before rmdir's first: it inserted x and owns it, not yet holding s
      const owned = before > 0 && r.trace![before - 1].fn === "d_alloc_parallel" && r.trace![before - 1].note === "new, owner";
      if (!owned) continue;
      seen++;
      expect(l.some((e) => e.fn === "nfs_lookup")).toBe(false);
      expect(l.at(-1)!.text).toContain("-ENOENT");
    }
    expect(seen, "some prefix of the stat owns the in-lookup x before rmdir runs").toBeGreaterThan(0);
  });

  it("stat first, then rmdir: both succeed in order (the stat's negative x is no child on the server)", () => {
    const r = sequential(seedFile(V), 1);
    expect(r.verdict).toBe("ok");
    expect(r.trace!.filter((e) => e.task === 0).at(-1)!.text).toContain("rmdir returns 0");
  });

  it("a non-empty directory: the server refuses with -ENOTEMPTY and S_DEAD is not set", () => {
    const s = seedFile(V, ['tree["/d/s"]=["x"]']);
    const r = sequential(s, 0);
    expect(r.verdict).toBe("ok");
    expect(r.trace!.filter((e) => e.task === 0).at(-1)!.text).toContain("-ENOTEMPTY");
    expect(r.trace!.filter((e) => e.task === 1).at(-1)!.text).not.toContain("-ENOENT");
  });

  it("procfs has no ->rmdir: -EPERM, the victim is never locked", () => {
    const s = seedFile(V, ["fs.type=procfs", 'tree={"/proc/1234":[]}', 'cached=["/proc","/proc/1234"]',
      'threads=[{"name":"R","ops":[{"op":"rmdir","path":"/proc/1234"}]}]', "variants={}"]);
    const r = sequential(s, 0);
    expect(r.trace!.some((e) => e.fn === "vfs_rmdir")).toBe(false);
    expect(r.trace!.at(-1)!.text).toContain("-EPERM");
  });

  it("rmdir of a regular file: -ENOTDIR", () => {
    const s = seedFile(V, ['tree={"/d":["f"]}', 'cached=["/d","/d/f"]', 'threads=[{"name":"R","ops":[{"op":"rmdir","path":"/d/f"}]}]', "variants={}"]);
    expect(sequential(s, 0).trace!.at(-1)!.text).toContain("-ENOTDIR");
  });

  const D = "fixtures/scenarios/rmdir-dying-lookup.json";

  /** Schedules "R for k ticks, then L to its end, then R": how many make L wait on the dying
   *  directory and finish; deadlocks are counted apart. */
  function dyingWaits(order: string): { waits: number; deadlocks: number } {
    const s = seedFile(D, [`kernel.order=${order}`]);
    let waits = 0, deadlocks = 0;
    for (let k = 1; k <= 14; k++) {
      const r = sequential(s, 1, 0, k);
      if (r.verdict === "deadlock") {
        // L saw S_DYING holding s shared (lookup_slow); rmdir_lock relocking s waits for it
        expect(r.cycle).toEqual([{ task: "R", wait: "rwsem write", killable: false, signalPending: false }, { task: "L", wait: "dying dir", killable: false, signalPending: false }]);
        deadlocks++;
        continue;
      }
      expect(r.verdict).toBe("ok");
      const l = r.trace!.filter((e) => e.task === 1);
      if (!l.some((e) => e.fn === "wake_up" && e.state === "woken: directory no longer dying")) continue;
      waits++;
      // it slept in d_alloc_parallel, was woken by rmdir_unlock, retried and found the parent dead
      expect(l.some((e) => e.fn === "d_alloc_parallel" && e.note === "sleeps")).toBe(true);
      expect(l.some((e) => e.fn === "nfs_lookup")).toBe(false);
      expect(l.at(-1)!.text).toContain("-ENOENT");
      expect(r.trace!.some((e) => e.task === 0 && e.state === "rmdir_lock: S_DYING")).toBe(true);
    }
    return { waits, deadlocks };
  }

  it("S_DYING (neilbrown-083efdc), proposed order: a lookup that reaches the dying directory waits for the rmdir, then gets -ENOENT from S_DEAD", () => {
    const { waits, deadlocks } = dyingWaits("proposed");
    expect(waits, "some schedule has the lookup wait on the dying directory").toBeGreaterThan(0);
    expect(deadlocks).toBe(0);
  });

  it("S_DYING, current order: rmdir_lock unlocks the victim for its scan, the lookup takes it shared, sees S_DYING in d_alloc_parallel and waits holding it: deadlock when rmdir_lock relocks", () => {
    expect(dyingWaits("current").deadlocks).toBeGreaterThan(0);
    const cell = runCell(module, D, seedFile(D), { "kernel.order": "current", "kernel.series": "neilbrown-083efdc" });
    expect(cell.report.verdict).toBe("deadlock");
    expect(cell.report.cycle).toEqual([{ task: "R", wait: "rwsem write", killable: false, signalPending: false }, { task: "L", wait: "dying dir", killable: false, signalPending: false }]);
  });

  it("S_DYING, proposed order: clean over the whole state space (rmdir_lock waits for in-lookup children without the victim's lock)", () => {
    const cell = runCell(module, D, seedFile(D), { "kernel.order": "proposed", "kernel.series": "neilbrown-083efdc" });
    expect([cell.report.verdict, cell.report.exhaustive]).toEqual(["ok", true]);
  });

  it("without S_DYING (vfs-7.4) the same race is clean in both orders", () => {
    for (const order of ["current", "proposed"]) {
      const cell = runCell(module, D, seedFile(D), { "kernel.order": order, "kernel.series": "vfs-7.4" });
      expect([cell.report.verdict, cell.report.exhaustive]).toEqual(["ok", true]);
    }
  });

  it("rmdir_lock's scan waits for an in-lookup child on the in-lookup hash, and skips a NEW-PRIVATE one (PAR_LOOKUP, on no hash)", () => {
    const s = seedFile(D, ["kernel.order=proposed"]);
    let waited = 0, skipped = 0;
    for (let k = 1; k <= 12; k++) {
      const r = sequential(s, 0, 1, k);
      expect(r.verdict).toBe("ok");
      const tr = r.trace!;
      const scanWait = tr.findIndex((e) => e.task === 0 && e.state === "rmdir_lock: d_wait_lookup(in-lookup child, 1)");
      if (scanWait >= 0) { waited++; continue; }
      // L stopped right after allocating its NEW-PRIVATE x: R's scan ran past it to the relock
      const newAt = tr.findIndex((e) => e.task === 1 && e.state.startsWith("__d_alloc: new"));
      const relock = tr.findIndex((e) => e.task === 0 && e.state === "rmdir_lock: inode_lock_nested(victim)");
      const inserted = tr.findIndex((e) => e.task === 1 && e.fn === "d_alloc_parallel" && e.note === "new, owner");
      if (newAt >= 0 && newAt < relock && (inserted < 0 || inserted > relock)) skipped++;
    }
    expect(waited, "some schedule has rmdir_lock wait for L's in-lookup x").toBeGreaterThan(0);
    expect(skipped, "some schedule has rmdir_lock scan past L's NEW-PRIVATE x").toBeGreaterThan(0);
  });
});

// iterate_dir, wrap_directory_iterator, may_create and may_delete on a directory rmdir has marked
// S_DEAD: -ENOENT without calling into the filesystem (fs/readdir.c iterate_dir; fs/namei.c
// may_create, may_delete). Before December 2026 the model iterated and created in a dead
// directory: only IS_DEADDIR in lookup_one_qstr_excl and __lookup_slow was modelled.
describe("a directory rmdir has removed", () => {
  const dead = (op: "getdents" | "mkdir", order: string, iterate = "shared"): SeedFile => {
    const s = seedFile(V, [`kernel.order=${order}`, `fs.iterate=${iterate}`]);
    const path = op === "getdents" ? "/d/s" : "/d/s/x";
    return { ...s, variants: {}, expect: [], threads: [s.threads[0], { name: "G", ops: [{ op, path }] }] };
  };
  const rpc = { getdents: "nfs_readdir", mkdir: "nfs_mkdir" } as const;
  for (const [op, order, iterate] of [["getdents", "current", "shared"], ["getdents", "proposed", "shared"], ["getdents", "current", "wrapped"], ["mkdir", "current", "shared"], ["mkdir", "proposed", "shared"]] as const) {
    it(`${op} (${order} order, ${iterate}) that walked to it before rmdir ran gets -ENOENT and no ${rpc[op]}`, () => {
      let seen = 0;
      for (let k = 1; k <= 12; k++) {
        // G runs k steps, then rmdir to its end, then G
        const r = sequential(dead(op, order, iterate), 0, 1, k);
        expect(r.verdict).toBe("ok");
        const rm = r.trace!.findIndex((e) => e.task === 0);
        const g = r.trace!.filter((e) => e.task === 1);
        const gBefore = r.trace!.slice(0, rm).filter((e) => e.task === 1);
        // G found s before the rmdir and had not yet locked it
        if (!gBefore.some((e) => e.fn === "link_path_walk" && e.note === "hit" && /"s"/.test(e.text))) continue;
        if (gBefore.some((e) => /i_rwsem\(s\)|inode_lock/.test(e.text) && e.task === 1 && e.fn !== "link_path_walk")) continue;
        if (!r.trace!.filter((e) => e.task === 0).at(-1)!.text.includes("rmdir returns 0")) continue;
        seen++;
        expect(g.some((e) => e.fn === rpc[op]), g.map((e) => e.text).join("\n")).toBe(false);
        expect(g.at(-1)!.text, g.map((e) => e.text).join("\n")).toContain("-ENOENT");
      }
      expect(seen).toBeGreaterThan(0);
    });
  }
});
