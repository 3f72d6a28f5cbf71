/** The starting corpus and the input form the fuzzer works on: plain seed files, normalised to
 *  `--allow`, as raw JSON for the validator. */

import { AXES, FS_PRIMES, FS_LOOKUP_LOCKS, SEED_FORMAT_VERSION, variantAssignments, variantOf, axisValue, type Axis, type SeedFile } from "../seed";
import { NFS_ONLY_OPS, type Allow } from "./options";

export interface CorpusFile {
  file: string;
  seed: SeedFile;
}

/** The input form the fuzzer works on: no plant (added per run), no expectations, no variants
 *  (expanded), no recorded schedule; axes outside `allow` moved to their first allowed value. */
export function normalize(s: SeedFile, allow: Allow): SeedFile {
  const c = structuredClone(s);
  c.plant = [];
  c.variants = {};
  c.expect = [];
  delete c.schedule;
  c.run = { ...c.run, strategy: "random" };
  for (const axis of AXES) {
    const allowed = allow[axis];
    if (!allowed) continue;
    const [group, key] = axis.split(".") as ["kernel" | "fs", string];
    const obj = c[group] as unknown as Record<string, string | boolean>;
    if (!allowed.includes(axisValue(c, axis))) obj[key] = allowed[0];
  }
  fitFs(c);
  fitSeries(c);
  return c;
}

/** What a series allows (host/core/seed/rules.ts checkSeries): after aug-2025 no on-stack wait
 *  queue, no d_alloc_locked and no lookup locks; aug-2025 has no prepared NFS. */
export function seriesFits(s: SeedFile, a: Axis, v: string | boolean): boolean {
  const aug = s.kernel.series === "aug-2025";
  if (a === "kernel.waitqueue") return aug || v !== "on-stack";
  if (a === "fs.prime") return aug || v !== "d_alloc_locked";
  if (a === "fs.lookupLocks") return aug || v === false;
  if (a === "fs.nfsPrepared") return !aug || v === false;
  return true;
}

/** Fit a mutant to its series (a new series, or a corpus file normalized to one). */
export function fitSeries(s: SeedFile): void {
  if (s.kernel.series === "aug-2025") { s.fs.nfsPrepared = false; return; }
  if (s.kernel.waitqueue === "on-stack") s.kernel.waitqueue = "var-event";
  if (s.fs.prime === "d_alloc_locked") s.fs.prime = "d_alloc_parallel";
  s.fs.lookupLocks = false;
}

/** procfs has no ->atomic_open and no NFS preparation: drop them when the type is not nfs. */
export function fitFs(s: SeedFile): void {
  if (s.fs.type === "nfs") {
    // drop-lock is the 2026 series' d_add_ci, which waits with wait_var_event
    if (s.fs.ciLookup === "drop-lock" && s.kernel.waitqueue === "on-stack") s.fs.ciLookup = "d_add_ci";
    return;
  }
  if (s.fs.atomicOpen === true) delete s.fs.atomicOpen;
  s.fs.nfsPrepared = false;
  // the case-insensitive ->lookup and the nfs-only ops (silly-unlink, silly-iput, decode-fh, open)
  s.fs.ciLookup = "off";
  for (const t of s.threads) t.ops = t.ops.map((o) => (NFS_ONLY_OPS.includes(o.op) ? { op: "stat", path: o.path } : o));
}

/** Every variant of every corpus file, normalized, duplicates dropped, in file order. */
export function prepareCorpus(files: CorpusFile[], allow: Allow): { name: string; seed: SeedFile }[] {
  const out: { name: string; seed: SeedFile }[] = [];
  const seen = new Set<string>();
  for (const { file, seed } of files) {
    for (const v of variantAssignments(seed)) {
      const n = normalize(variantOf(seed, v), allow);
      // --allow can ask for a priming call (or lookup locks) this file's filesystem has not got.
      if (!FS_PRIMES[n.fs.type].includes(n.fs.prime) || (n.fs.lookupLocks && !FS_LOOKUP_LOCKS.includes(n.fs.type)) || (n.fs.needReval && n.fs.type !== "smb")) continue;
      const text = canonical(n);
      if (seen.has(text)) continue;
      seen.add(text);
      const tag = Object.values(v).map(String).join(",");
      out.push({ name: tag ? `${file} (${tag})` : file, seed: n });
    }
  }
  return out;
}

/** `run` as a seed file writes it: schedules 0 (the strategy's default) is left out, as
 *  serializeSeedFile does, since the reader takes only an explicit budget of 1 or more. */
function rawRun(run: SeedFile["run"]): Record<string, unknown> {
  const { schedules, ...rest } = run;
  return { ...rest, seed: run.seed.toString(), ...(schedules ? { schedules } : {}) };
}


/** The raw JSON object of a seed file, as validateSeedObject reads it. */
export function toRaw(s: SeedFile): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    vfsim: SEED_FORMAT_VERSION,
    name: s.name,
    about: s.about,
    kernel: { ...s.kernel },
    fs: { ...s.fs },
    tree: structuredClone(s.tree),
    cached: [...s.cached],
    threads: s.threads.map((t) => ({ name: t.name, ops: t.ops.map((o) => ({ ...o })) })),
    checks: s.checks === "all" ? "all" : [...s.checks],
    plant: [...s.plant],
    variants: {},
    expect: [],
    run: rawRun(s.run),
  };
  if (s.schedule !== undefined) raw.schedule = s.schedule;
  return raw;
}

/** Identity of an input for deduplication (name and about excluded). */
export function canonical(s: SeedFile): string {
  return JSON.stringify({ ...toRaw(s), name: "", about: "" });
}
