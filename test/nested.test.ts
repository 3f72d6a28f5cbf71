// Issue 11, nested d_alloc_parallel and silly-unlink owners: d_add_ci (xfs_vn_ci_lookup), the 2026
// drop-lock d_add_ci, NFS/AFS silly-unlink placeholders, nfsd's exportfs_decode_fh. Each verdict
// comes from running the model over the whole state space (dfs, no preemption bound).
import { describe, expect, it } from "vitest";
import { ModelTrap } from "../host/core/wasm";
import { module, seedErrorOf, seedFile, whole } from "./helpers";

const C1 = "fixtures/scenarios/c1-d_add_ci-nested-lookup-deadlock.json";
const C1_WQ = "fixtures/scenarios/c1-d_add_ci-shared-wait-queue.json";
const C9_NFS = "fixtures/scenarios/c9-nfs-silly-unlink-async-owner.json";
const C9_AFS = "fixtures/scenarios/c9-afs-silly-iput-sync-owner.json";
const NFSD_DIR = "fixtures/scenarios/nfsd-reconnect-path-splice-wakes-target.json";
const NFSD_FILE = "fixtures/scenarios/nfsd-decode-fh-lookup-under-exclusive-deadlock.json";
const NFSD_MKDIR = "fixtures/scenarios/nfsd-decode-fh-mkdir-d_drop-window.json";

const run = (path: string, sets: string[] = []) => whole(seedFile(path, sets));


describe("d_add_ci: a ->lookup that calls d_alloc_parallel (c1)", () => {
  it("proposed order, mainline d_add_ci: T1 waits for T2's in-lookup x from inside d_add_ci, holding /d shared", () => {
    const r = run(C1, ["kernel.order=proposed", "fs.ciLookup=d_add_ci"]);
    expect(r.verdict).toBe("deadlock");
    expect(r.cycle?.map((e) => [e.task, e.wait])).toEqual([["T1", "in-lookup wait"], ["T2", "rwsem read"], ["W", "rwsem write"]]);
    const t1 = r.trace!.filter((e) => e.task === 0).map((e) => e.fn);
    expect(t1).toContain("d_add_ci");
    expect(t1.at(-1)).toBe("d_alloc_parallel");   // the nested one
  });

  it("current order, mainline d_add_ci: clean over the whole state space", () => {
    const r = run(C1, ["kernel.order=current", "fs.ciLookup=d_add_ci"]);
    expect(r.verdict).toBe("ok");
    expect(r.exhaustive).toBe(true);
  });

  it("the 2026 drop-lock d_add_ci: clean in the proposed order, but in the current order its retake of /d queues behind W while it owns x", () => {
    const p = run(C1, ["kernel.order=proposed", "fs.ciLookup=drop-lock"]);
    expect(p.verdict).toBe("ok");
    expect(p.exhaustive).toBe(true);
    const c = run(C1, ["kernel.order=current", "fs.ciLookup=drop-lock"]);
    expect(c.verdict).toBe("deadlock");
    expect(c.cycle?.map((e) => [e.task, e.wait])).toEqual([["T1", "rwsem read"], ["W", "rwsem write"], ["T2", "in-lookup wait"]]);
    const last = c.trace!.filter((e) => e.task === 0).at(-1)!;
    expect([last.fn, last.state]).toEqual(["d_add_ci", "inode_lock_shared (retake)"]);
  });

  it("on-stack wait queue: the second wake of the outer dentry's queue walks a returned waiter's entry (kernel-model.md 2.2)", () => {
    for (const order of ["current", "proposed"]) {
      const r = run(C1_WQ, [`kernel.order=${order}`]);
      expect(r.verdict).toBe("violation");
      expect(r.invariant).toBe("waitqueue-lifetime");
      expect(r.failTask).toBe("T1");
      const ends = r.trace!.filter((e) => e.note.includes("ended") || e.note.includes("instantiated")).map((e) => e.fn);
      expect(ends).toEqual(["d_add_ci", "__lookup_slow"]);   // x spliced, then X's d_lookup_done
      expect(run(C1_WQ, [`kernel.order=${order}`, "kernel.waitqueue=var-event"]).verdict).toBe("ok");
    }
  });

  it("seed-file rules name the field", () => {
    expect(seedErrorOf(C1, ["fs.type=procfs"]).path).toBe("fs.ciLookup");
    const e = seedErrorOf(C1, ["kernel.waitqueue=on-stack", "variants={}", "fs.ciLookup=drop-lock"]);
    expect([e.path, e.detail]).toEqual(["fs.ciLookup", 'drop-lock is the 2026 series\' d_add_ci (v3 08/19), which waits with wait_var_event (v3 04/19): expected kernel.waitqueue "var-event", got "on-stack"']);
    expect(seedErrorOf(C1, ['threads[2].ops[0]={"op":"mkdir","path":"/d/X"}']).path).toBe("threads[2].ops[0].path");
    expect(seedErrorOf(C1, ['fs.ciNames={"X":"X"}']).path).toBe('fs.ciNames["X"]');
  });
});

describe("silly-unlink owners (c9)", () => {
  it("NFS (async) and AFS (sync) placeholders made without /d's lock: clean in both orders and wait-queue generations", () => {
    for (const f of [C9_NFS, C9_AFS]) {
      for (const order of ["current", "proposed"]) {
        for (const wq of ["on-stack", "var-event"]) {
          const r = run(f, [`kernel.order=${order}`, `kernel.waitqueue=${wq}`]);
          expect([f, order, wq, r.verdict, r.exhaustive]).toEqual([f, order, wq, "ok", true]);
        }
      }
    }
  });

  it("the lookup does wait for the placeholder: without the wake it sleeps for good", () => {
    for (const f of [C9_NFS, C9_AFS]) {
      const r = run(f, ['plant=["no-wake"]']);
      expect([r.verdict, r.invariant, r.failTask]).toEqual(["violation", "lost-wakeup", "L"]);
      const fns = r.trace!.filter((e) => e.task === 0).map((e) => e.fn);
      expect(fns).toContain(f === C9_NFS ? "nfs_complete_unlink" : "afs_silly_iput");
    }
  });

  it("silly-unlink, silly-iput and decode-fh are nfs-only ops", () => {
    const e = seedErrorOf(C9_NFS, ["fs.type=procfs", 'tree={"/proc":["x"]}', 'cached=["/proc"]', 'threads[0].ops[0]={"op":"silly-unlink","path":"/proc/x"}', 'threads[1].ops[0]={"op":"stat","path":"/proc/x"}', 'threads[2].ops[0]={"op":"stat","path":"/proc/x"}']);
    expect(e.path).toBe("threads[0].ops[0].op");
  });
});

describe("nfsd exportfs_decode_fh", () => {
  it("reconnect_path: the spliced alias's __d_move wakes the in-lookup target's waiters; planting Al Viro's variant loses the wake-up", () => {
    for (const order of ["current", "proposed"]) {
      expect(run(NFSD_DIR, [`kernel.order=${order}`]).verdict).toBe("ok");
      const r = run(NFSD_DIR, [`kernel.order=${order}`, 'plant=["d-move-wakes-alias"]']);
      expect([r.verdict, r.invariant, r.failTask]).toEqual(["violation", "lost-wakeup", "L"]);
      expect(r.trace!.some((e) => e.fn === "exportfs_decode_fh" && e.state.startsWith("fh_to_dentry"))).toBe(true);
    }
  });

  it("the non-directory path's lookup_one_len under inode_lock(target_dir): proposed deadlock N -> L, current clean", () => {
    const p = run(NFSD_FILE, ["kernel.order=proposed"]);
    expect(p.cycle?.map((e) => [e.task, e.wait])).toEqual([["N", "in-lookup wait"], ["L", "rwsem read"]]);
    const c = run(NFSD_FILE, ["kernel.order=current"]);
    expect([c.verdict, c.exhaustive]).toEqual(["ok", true]);
  });

  it("mkdir's d_drop window (proposed order): the disconnected alias is moved beside reconnect_path's in-lookup y (S2 at __d_move); the current order and the prepared NFS are clean", () => {
    const p = run(NFSD_MKDIR, ["kernel.order=proposed"]);
    expect([p.verdict, p.invariant, p.failTask]).toEqual(["violation", "inlookup-unique", "W"]);
    const w = p.trace!.filter((e) => e.task === 1);
    expect(w.at(-1)!.fn).toBe("nfs_mkdir");
    expect(w.at(-1)!.state).toBe("d_splice_alias");
    expect(p.trace!.some((e) => e.task === 0 && e.fn === "d_alloc_parallel" && e.note === "new, owner")).toBe(true);
    for (const sets of [["kernel.order=current"], ["fs.nfsPrepared=true"]]) {
      const r = run(NFSD_MKDIR, sets);
      expect([sets, r.verdict, r.exhaustive]).toEqual([sets, "ok", true]);
    }
  });

  it("with S2 unchecked the run reaches the connected alias and stops as a model fault naming __d_unalias, never a second hashed dentry", () => {
    let trap: unknown;
    try {
      run(NFSD_MKDIR, ["kernel.order=proposed", 'checks=["deadlock","unique-hashed"]', "expect=[]"]);
    } catch (e) {
      trap = e;
    }
    expect(trap).toBeInstanceOf(ModelTrap);
    expect((trap as Error).message).toMatch(/d_splice_alias: .*connected alias.*__d_unalias is not modelled/);
  });

  it("a directory nfsd reconnects is not the target of a directory operation", () => {
    expect(seedErrorOf(NFSD_DIR, ['threads[1].ops[0]={"op":"rmdir","path":"/d/s"}']).path).toBe("threads[1].ops[0].path");
  });
});

describe("NFSv4 nfs_atomic_open's own d_alloc_parallel (open without O_CREAT)", () => {
  const F = "fixtures/scenarios/nfs-atomic-open-own-d_alloc_parallel-deadlock.json";
  it("proposed order: O waits, inside nfs_atomic_open and holding /d shared, for L's in-lookup x; current order and the prepared NFS are clean", () => {
    const p = run(F, ["kernel.order=proposed", "fs.nfsPrepared=false"]);
    expect(p.cycle?.map((e) => [e.task, e.wait])).toEqual([["O", "in-lookup wait"], ["L", "rwsem read"], ["W", "rwsem write"]]);
    const o = p.trace!.filter((e) => e.task === 0);
    expect(o.some((e) => e.fn === "nfs_atomic_open" && e.state === "d_drop")).toBe(true);
    expect(o.at(-1)!.fn).toBe("d_alloc_parallel");
    for (const sets of [["kernel.order=current", "fs.nfsPrepared=false"], ["kernel.order=current", "fs.nfsPrepared=true"], ["kernel.order=proposed", "fs.nfsPrepared=true"]]) {
      const r = run(F, sets);
      expect([sets, r.verdict, r.exhaustive]).toEqual([sets, "ok", true]);
    }
  });

  it("open is an nfs-only op", () => {
    expect(seedErrorOf(F, ["fs.type=fuse"]).path).toBe("threads[0].ops[0].op");
  });
});
