/**
 * Rules across fields, checked after the schema walk (`checkSeed`): unique thread names, cached
 * paths vs the tree, expectations vs threads and checks, the recorded schedule vs the thread
 * count, what a series revision and a filesystem allow, model capacities.
 */

import { CHECKS_ALL, MAX_CI_NAMES, MAX_PATH_LEN, PRIMES, type CheckId, type FsType, type Prime } from "../abi";
import { decodeSchedule } from "../schedule";
import { field, index, keyed, oneOf, shown } from "./combinators";
import { encodeScenario } from "./encode";
import { SeedError } from "./errors";
import { ancestors, components, treeKinds } from "./paths";
import type { SeedFile } from "./types";
import { variantAssignments, variantOf } from "./variants";

function checkTreeDepth(tree: Record<string, string[]>): void {
  for (const [dir, names] of Object.entries(tree)) {
    if (components(dir).length < MAX_PATH_LEN || names.length === 0) continue;
    throw new SeedError(index(keyed("tree", dir), 0), `path has ${MAX_PATH_LEN + 1} components; at most ${MAX_PATH_LEN}`);
  }
}

/** A cached dentry's ancestors are cached too, so they must be directories that exist. */
function checkCached(s: SeedFile, kinds: Map<string, "dir" | "file">): void {
  s.cached.forEach((path, i) => {
    for (const a of ancestors(path)) {
      const kind = kinds.get(a);
      if (kind === "dir") continue;
      const why = kind === "file" ? "a regular file" : "does not exist (a negative dentry has no children)";
      throw new SeedError(index("cached", i), `${shown(path)} lies under ${shown(a)}, which ${kind === "file" ? "is " : ""}${why}`);
    }
  });
}

function checkThreadNames(s: SeedFile): void {
  const first = new Map<string, number>();
  s.threads.forEach((t, i) => {
    const j = first.get(t.name);
    if (j !== undefined) throw new SeedError(field(index("threads", i), "name"), `duplicate thread name ${shown(t.name)} (also threads[${j}])`);
    first.set(t.name, i);
  });
}

/** A kill op names another thread of the file. A thread may not kill itself: kill(getpid(),
 *  SIGKILL) ends the caller at the return of kill(2), which a shorter op list says already. */
function checkKillTargets(s: SeedFile): void {
  const names = s.threads.map((t) => t.name);
  s.threads.forEach((t, i) =>
    t.ops.forEach((op, j) => {
      if (op.op !== "kill") return;
      const at = field(index(field(index("threads", i), "ops"), j), "task");
      const k = names.indexOf(op.task!);
      if (k < 0) throw new SeedError(at, `no thread named ${shown(op.task!)}; threads are ${oneOf(names)}`);
      if (k === i) throw new SeedError(at, `a thread cannot kill itself (${shown(op.task!)}); name another thread`);
    }),
  );
}

/** `listed`: the file wrote `expect` as a list (else as one object, named plain "expect"). */
function checkExpectations(s: SeedFile, listed: boolean): void {
  const names = new Set(s.threads.map((t) => t.name));
  s.expect.forEach((e, i) => {
    const at = listed ? index("expect", i) : "expect";
    if (e.invariant !== undefined) {
      if (e.verdict !== "violation") throw new SeedError(field(at, "invariant"), `only allowed with verdict "violation", not ${shown(e.verdict)}`);
      const enabled: readonly CheckId[] = s.checks === "all" ? CHECKS_ALL : s.checks;
      if (!enabled.includes(e.invariant)) {
        throw new SeedError(field(at, "invariant"), `${shown(e.invariant)} is not among the enabled checks (${s.checks === "all" ? `"all" is ${oneOf(CHECKS_ALL)}; list "lockdep" to enable it` : oneOf(s.checks)})`);
      }
    }
    if (e.cycle !== undefined) {
      if (e.verdict !== "deadlock") throw new SeedError(field(at, "cycle"), `only allowed with verdict "deadlock", not ${shown(e.verdict)}`);
      e.cycle.forEach((n, j) => {
        if (!names.has(n)) throw new SeedError(index(field(at, "cycle"), j), `no thread named ${shown(n)}; threads are ${oneOf([...names])}`);
      });
    }
  });
}

/** What a revision of the series does not have (docs/seed-files.md, kernel.series). `at` prefixes
 *  the message when the file is a variant. */
function checkSeries(s: SeedFile, where = ""): void {
  const name = shown(s.kernel.series);
  const fail = (path: string, detail: string) => {
    throw where === "" ? new SeedError(path, detail) : new SeedError("variants", `${where}: ${path}: ${detail}`);
  };
  if (s.kernel.series === "aug-2025") {
    // The prepared NFS is written against the 2026 dcache: d_splice_alias() on a hashed dentry
    // (02/53) and d_duplicate() (06/53), neither of which the August 2025 posting has.
    if (s.fs.nfsPrepared) {
      fail("fs.nfsPrepared", `the prepared NFS calls d_splice_alias() on a hashed dentry and d_duplicate(), which kernel.series "aug-2025" lacks; expected kernel.series "vfs-7.4" or "neilbrown-083efdc" with it, or fs.nfsPrepared false`);
    }
    return;
  }
  if (s.kernel.waitqueue === "on-stack") {
    fail("kernel.waitqueue", `kernel.series ${name} waits in d_alloc_parallel with wait_var_event (no on-stack queue); expected "var-event", got "on-stack"`);
  }
  if (s.fs.prime === "d_alloc_locked") {
    fail("fs.prime", `kernel.series ${name} has no d_alloc_locked (dropped after the Aug 2025 posting); expected one of ${oneOf(PRIMES.filter((p) => p !== "d_alloc_locked"))}, got "d_alloc_locked"`);
  }
  if (s.fs.lookupLocks) {
    fail("fs.lookupLocks", `kernel.series ${name} has no lock_lookup (it went with d_alloc_locked); expected false, got true`);
  }
}

/** Every variant of `s` must be a seed file the series allows (checked before anything runs). */
function checkVariantSeries(s: SeedFile): void {
  if (s.variants["kernel.series"] === undefined && s.kernel.series === "aug-2025" && s.variants["fs.nfsPrepared"] === undefined) return;
  for (const a of variantAssignments(s)) {
    if (Object.keys(a).length === 0) continue;
    checkSeries(variantOf(s, a), `the variant ${Object.entries(a).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  }
}

/**
 * The priming calls each filesystem's readdir could use (assembly/sim/config.ts
 * fs_accepts_prime says the same; docs/model.md "Filesystems" gives the sources). FUSE, the SMB
 * client and overlayfs were never given d_alloc_locked (Aug 2025 series: d_alloc_noblock, now d_alloc_trylock, for
 * FUSE and SMB; overlayfs: d_alloc_noblock in 2026) nor the procfs drop-lock fallback, and their
 * ->lookup never calls lock_lookup.
 */
export const FS_PRIMES: Record<FsType, readonly Prime[]> = {
  procfs: PRIMES,
  nfs: PRIMES,
  fuse: ["d_alloc_parallel", "d_alloc_trylock"],
  smb: ["d_alloc_parallel", "d_alloc_trylock"],
  "proc-sys": PRIMES,
  overlayfs: ["d_alloc_parallel", "d_alloc_trylock"],
};
/** Filesystems whose ->lookup can be told to call lock_lookup (fs.lookupLocks). */
export const FS_LOOKUP_LOCKS: readonly FsType[] = ["procfs", "nfs", "proc-sys"];

/** fs.prime, fs.lookupLocks and fs.needReval must be ones fs.type can use, as written and in every variant. */
function checkFsChoices(s: SeedFile): void {
  const axes = s.variants;
  const types = (axes["fs.type"] as FsType[] | undefined) ?? [s.fs.type];
  const primes = (axes["fs.prime"] as Prime[] | undefined) ?? [s.fs.prime];
  const locks = (axes["fs.lookupLocks"] as boolean[] | undefined) ?? [s.fs.lookupLocks];
  const reval = (axes["fs.needReval"] as boolean[] | undefined) ?? [s.fs.needReval];
  types.forEach((type, ti) => {
    const typeAt = axes["fs.type"] ? index(keyed("variants", "fs.type"), ti) : "fs.type";
    primes.forEach((prime, pi) => {
      if (FS_PRIMES[type].includes(prime)) return;
      const at = axes["fs.prime"] ? index(keyed("variants", "fs.prime"), pi) : "fs.prime";
      throw new SeedError(at, `fs.type ${shown(type)} (${typeAt}) cannot use the priming call ${shown(prime)}; expected one of ${oneOf(FS_PRIMES[type])}`);
    });
    locks.forEach((on, li) => {
      if (!on || FS_LOOKUP_LOCKS.includes(type)) return;
      const at = axes["fs.lookupLocks"] ? index(keyed("variants", "fs.lookupLocks"), li) : "fs.lookupLocks";
      throw new SeedError(at, `fs.type ${shown(type)} (${typeAt}): its ->lookup has no lock_lookup; expected false (lookup locks exist for ${oneOf(FS_LOOKUP_LOCKS)})`);
    });
    reval.forEach((on, ri) => {
      if (!on || type === "smb") return;
      const at = axes["fs.needReval"] ? index(keyed("variants", "fs.needReval"), ri) : "fs.needReval";
      throw new SeedError(at, `fs.type ${shown(type)} (${typeAt}): CIFS_FATTR_NEED_REVAL is an SMB client flag; expected false (true only with fs.type "smb")`);
    });
  });
}

/** The nested-lookup and silly-unlink knobs and ops (docs/seed-files.md): fs.ciLookup and the
 *  ops silly-unlink, silly-iput, decode-fh and open run on fs.type nfs (its server directory stands for
 *  the XFS, NFS or AFS directory); drop-lock is the 2026 series, which has no on-stack queue;
 *  case-folded names (fs.ciNames) reach only __lookup_slow (stat); a directory an nfsd thread
 *  reconnects (decode-fh) is not itself the target of a directory operation. `where` prefixes the
 *  message when the file is a variant. */
function checkNested(s: SeedFile, where = ""): void {
  const fail = (path: string, detail: string) => {
    throw where === "" ? new SeedError(path, detail) : new SeedError("variants", `${where}: ${path}: ${detail}`);
  };
  const ci = Object.entries(s.fs.ciNames);
  if (s.fs.ciLookup !== "off" && s.fs.type !== "nfs") {
    fail("fs.ciLookup", `the case-insensitive ->lookup is modelled on fs.type "nfs" (its server directory stands for the XFS one); got fs.type ${shown(s.fs.type)}`);
  }
  if (s.fs.ciLookup === "drop-lock" && s.kernel.waitqueue === "on-stack") {
    fail("fs.ciLookup", `drop-lock is the 2026 series' d_add_ci (v3 08/19), which waits with wait_var_event (v3 04/19): expected kernel.waitqueue "var-event", got "on-stack"`);
  }
  if (ci.length > MAX_CI_NAMES) fail("fs.ciNames", `at most ${MAX_CI_NAMES} case-folded names; got ${ci.length}`);
  for (const [asked, exact] of ci) {
    if (asked === exact) fail(keyed("fs.ciNames", asked), `a case-folded name maps to a different exact-case name; got ${shown(exact)} for itself`);
    if (Object.hasOwn(s.fs.ciNames, exact)) fail(keyed("fs.ciNames", asked), `the exact-case name ${shown(exact)} is itself case-folded`);
  }
  const folded = new Set(ci.map(([asked]) => asked));
  const reconnected = new Set<string>();
  const kinds = treeKinds(s.tree);
  s.threads.forEach((thread, i) => thread.ops.forEach((op, j) => {
    const at = index(field(index("threads", i), "ops"), j);
    if ((op.op === "silly-unlink" || op.op === "silly-iput" || op.op === "decode-fh" || op.op === "open") && s.fs.type !== "nfs") {
      fail(field(at, "op"), `${op.op} is modelled on fs.type "nfs" (its server directory stands for the NFS, AFS or exported directory; open: NFS's ->atomic_open or ->lookup); got fs.type ${shown(s.fs.type)}`);
    }
    if (op.op === "decode-fh" && kinds.get(op.path!) === "dir") reconnected.add(op.path!);
    if (op.op === "stat") return;
    for (const key of ["path", "from", "to"] as const) {
      const p = op[key];
      if (p === undefined) continue;
      const hit = components(p).find((c) => folded.has(c));
      if (hit !== undefined) fail(field(at, key), `the case-folded name ${shown(hit)} (fs.ciNames) may appear only in stat paths: the model routes only __lookup_slow to the case-insensitive ->lookup`);
    }
  }));
  s.threads.forEach((thread, i) => thread.ops.forEach((op, j) => {
    if (op.op === "stat" || op.op === "getdents" || op.op === "decode-fh") return;
    const at = index(field(index("threads", i), "ops"), j);
    for (const key of ["path", "from", "to"] as const) {
      if (op[key] !== undefined && reconnected.has(op[key]!)) {
        fail(field(at, key), `${shown(op[key])} is a directory an nfsd thread reconnects (decode-fh); only stat, getdents and decode-fh may name it (a directory operation's lookup of it would meet the disconnected alias, not modelled there)`);
      }
    }
  }));
}

/** checkNested for the file and every variant of it. */
function checkVariantNested(s: SeedFile): void {
  checkNested(s);
  for (const a of variantAssignments(s)) {
    if (Object.keys(a).length === 0) continue;
    checkNested(variantOf(s, a), `the variant ${Object.entries(a).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  }
}

export function checkSeed(s: SeedFile, raw: Record<string, unknown>): void {
  checkSeries(s);
  checkVariantNested(s);
  checkVariantSeries(s);
  checkTreeDepth(s.tree);
  checkFsChoices(s);
  checkCached(s, treeKinds(s.tree));
  checkThreadNames(s);
  checkKillTargets(s);
  checkExpectations(s, Array.isArray(raw.expect));
  if (s.schedule !== undefined) decodeSchedule(s.schedule, s.threads.length, "schedule");
  encodeScenario(s); // capacity errors now, before anything runs
}
