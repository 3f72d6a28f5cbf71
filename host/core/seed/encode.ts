/** Encoding to scenario words for the model's `load_scenario` (layout: top of abi.ts). */

import { ABI_VERSION, CHECKS, CI_LOOKUPS, CHECKS_ALL, FS_TYPES, type FsType, H, HEADER_WORDS, ITERATES, MAX_NAMES, MAX_PATHS, MAX_TREE, OPS, OP_WORDS, ORDERS, PLANTS, PRIMES, RWSEMS, SCENARIO_WORDS, SERIES, WAITQUEUES } from "../abi";
import { field, index, keyed, shown } from "./combinators";
import { SeedError } from "./errors";
import { ancestors, childOf, comparePaths, components, parentOf, treeKinds } from "./paths";
import type { Op, SeedFile } from "./types";

export interface Encoded {
  words: Int32Array;
  names: string[]; // names[id]; names[0] = "" (none)
  paths: string[]; // paths[id]; paths[0] = "/"
  threads: string[]; // thread names by task index
  fsType: FsType; // whose objects the trace's OBJ_SERVER names (trace.ts BACKING)
}

/** Interns names and paths; a path's ancestors always get smaller ids than the path. */
class Interner {
  readonly names: string[] = [""];
  readonly paths: string[] = ["/"];
  readonly records: number[][] = [[0]]; // records[id] = [len, name ids...]
  private nameIds = new Map<string, number>();
  private pathIds = new Map<string, number>([["/", 0]]);

  path(path: string, at: string): number {
    const known = this.pathIds.get(path);
    if (known !== undefined) return known;
    const parent = this.path(parentOf(path), at);
    const name = this.name(components(path).at(-1)!, at);
    if (this.paths.length >= MAX_PATHS) {
      throw new SeedError(at, `too many distinct paths (with their parents); the model holds at most ${MAX_PATHS} (MAX_PATHS)`);
    }
    const id = this.paths.length;
    this.paths.push(path);
    this.pathIds.set(path, id);
    const [len, ...names] = this.records[parent];
    this.records.push([len + 1, ...names, name]);
    return id;
  }

  id(path: string): number {
    return this.pathIds.get(path)!;
  }

  /** The id of a name, interned if new (fs.ciNames). */
  nameId(name: string, at: string): number {
    return this.name(name, at);
  }

  private name(name: string, at: string): number {
    const known = this.nameIds.get(name);
    if (known !== undefined) return known;
    // Ids run 1..MAX_NAMES-1, so a table of MAX_NAMES entries indexed by id holds them all.
    if (this.names.length >= MAX_NAMES) {
      throw new SeedError(at, `too many distinct names; the model holds at most ${MAX_NAMES - 1}`);
    }
    this.names.push(name);
    this.nameIds.set(name, this.names.length - 1);
    return this.names.length - 1;
  }
}

/** Interning order: tree keys sorted, each followed by its children in order; cached; ops. */
function internAll(s: SeedFile): Interner {
  const t = new Interner();
  for (const dir of Object.keys(s.tree).sort(comparePaths)) {
    t.path(dir, keyed("tree", dir));
    s.tree[dir].forEach((name, i) => t.path(childOf(dir, name), index(keyed("tree", dir), i)));
  }
  s.cached.forEach((p, i) => t.path(p, index("cached", i)));
  for (const [asked, exact] of Object.entries(s.fs.ciNames)) {
    t.nameId(asked, keyed("fs.ciNames", asked));
    t.nameId(exact, keyed("fs.ciNames", asked));
  }
  s.threads.forEach((thread, i) =>
    thread.ops.forEach((op, j) => {
      const at = index(field(index("threads", i), "ops"), j);
      for (const key of ["path", "from", "to"] as const) {
        if (op[key] !== undefined) t.path(op[key], field(at, key));
      }
    }),
  );
  return t;
}

function bitmask<T>(all: readonly T[], chosen: readonly T[]): number {
  return chosen.reduce((mask, x) => mask | (1 << all.indexOf(x)), 0);
}

/** Closure of `cached` under "ancestors are cached", root excluded, parents first. */
function cachedClosure(cached: string[]): string[] {
  const all = new Set<string>();
  for (const p of cached) for (const q of [...ancestors(p), p]) if (q !== "/") all.add(q);
  return [...all].sort(comparePaths);
}

/** The scenario words for `load_scenario`, following the layout at the top of abi.ts. */
export function encodeScenario(s: SeedFile): Encoded {
  const t = internAll(s);
  const kinds = treeKinds(s.tree);
  const tree = [...kinds.keys()].filter((p) => p !== "/").sort(comparePaths);
  if (tree.length > MAX_TREE) {
    throw new SeedError("tree", `the tree has ${tree.length} entries (counting implied parent directories); the model holds at most ${MAX_TREE} (MAX_TREE)`);
  }
  const cached = cachedClosure(s.cached);
  const threadNames = s.threads.map((x) => x.name);
  s.threads.forEach((thread, i) =>
    thread.ops.forEach((op, j) => {
      if (op.op === "kill" && (threadNames.indexOf(op.task!) < 0 || threadNames.indexOf(op.task!) === i)) {
        throw new SeedError(field(index(field(index("threads", i), "ops"), j), "task"), `expected the name of another thread, got ${shown(op.task)}`);
      }
    }),
  );

  const header = new Array<number>(HEADER_WORDS).fill(0);
  header[H.VERSION] = ABI_VERSION;
  header[H.ORDER] = ORDERS.indexOf(s.kernel.order);
  header[H.RWSEM] = RWSEMS.indexOf(s.kernel.rwsem);
  header[H.WAITQUEUE] = WAITQUEUES.indexOf(s.kernel.waitqueue);
  header[H.FS] = FS_TYPES.indexOf(s.fs.type);
  header[H.PRIME] = PRIMES.indexOf(s.fs.prime);
  header[H.LOOKUP_LOCKS] = s.fs.lookupLocks ? 1 : 0;
  header[H.ITERATE] = ITERATES.indexOf(s.fs.iterate);
  if (s.fs.atomicOpen === true && s.fs.type !== "nfs") {
    throw new SeedError("fs.atomicOpen", `only nfs (NFSv4) has ->atomic_open; fs.type ${shown(s.fs.type)} takes false or no value`);
  }
  if (s.fs.nfsPrepared && s.fs.type !== "nfs") {
    throw new SeedError("fs.nfsPrepared", `only for fs.type "nfs"; got fs.type ${shown(s.fs.type)}`);
  }
  header[H.ATOMIC_OPEN] = s.fs.atomicOpen === undefined ? 0 : s.fs.atomicOpen ? 1 : 2;
  header[H.NFS_PREPARED] = s.fs.nfsPrepared ? 1 : 0;
  header[H.SERIES] = SERIES.indexOf(s.kernel.series);
  header[H.NEED_REVAL] = s.fs.needReval ? 1 : 0;
  header[H.CI_LOOKUP] = CI_LOOKUPS.indexOf(s.fs.ciLookup);
  header[H.CI_NAMES] = Object.entries(s.fs.ciNames).reduce(
    (w, [asked, exact], k) => w | (((t.nameId(asked, "fs.ciNames") << 6) | t.nameId(exact, "fs.ciNames")) << (12 * k)), 0);
  header[H.CHECKS] = bitmask(CHECKS, s.checks === "all" ? CHECKS_ALL : s.checks);
  header[H.PLANT] = bitmask(PLANTS, s.plant);
  header[H.TICKS_MAX] = s.run.ticks;
  header[H.N_NAMES] = t.names.length - 1;
  header[H.N_PATHS] = t.paths.length;
  header[H.N_TREE] = tree.length;
  header[H.N_CACHED] = cached.length;
  header[H.N_TASKS] = s.threads.length;

  const words = [
    ...header,
    ...t.records.flat(),
    ...tree.flatMap((p) => [t.id(p), kinds.get(p) === "dir" ? 1 : 0]),
    ...cached.map((p) => t.id(p)),
    ...s.threads.flatMap((thread) => [thread.ops.length, ...thread.ops.flatMap((op) => opWords(op, t, s.threads.map((x) => x.name)))]),
  ];
  if (words.length > SCENARIO_WORDS) {
    throw new SeedError("threads", `the scenario needs ${words.length} words; the model holds at most ${SCENARIO_WORDS} (SCENARIO_WORDS)`);
  }
  // nfs_rename over a file in use silly-renames it (assembly/fs/nfs.ts): the model names it with
  // the id after the scenario's names (config.ts silly_name), which must exist.
  const renames = s.threads.some((th) => th.ops.some((op) => op.op === "rename"));
  if (s.fs.type === "nfs" && renames && t.names.length >= MAX_NAMES) {
    throw new SeedError("threads", `too many distinct names for an NFS rename; the model holds at most ${MAX_NAMES - 2} (one id is kept for the silly-rename name)`);
  }
  return { words: Int32Array.from(words), names: t.names, paths: t.paths, threads: s.threads.map((x) => x.name), fsType: s.fs.type };
}

/** How traces show the name nfs_sillyrename gives a file renamed away while in use (Linux:
 *  ".nfs" + fileid + counter); its id is the one after the scenario's names. */
export const SILLY_NAME = ".nfs-silly";

/** The text of name id `id` of an encoded scenario (silly-rename names included: the ids past
 *  the scenario's names, ".nfs-silly", ".nfs-silly1", ...). */
export function nameText(enc: { names: string[] }, id: number): string | undefined {
  if (id < enc.names.length) return enc.names[id];
  const k = id - enc.names.length;
  return id < MAX_NAMES ? SILLY_NAME + (k === 0 ? "" : String(k)) : undefined;
}

/** [code, path, path2, flags]: rename is from -> path, to -> path2; flags are unused (0). */
function opWords(op: Op, t: Interner, threads: string[]): number[] {
  // kill: [code, target task index, 0, 0]
  const words = op.op === "kill"
    ? [OPS.indexOf(op.op), threads.indexOf(op.task!), 0, 0]
    : [OPS.indexOf(op.op), t.id(op.path ?? op.from!), op.to === undefined ? 0 : t.id(op.to), 0];
  if (words.length !== OP_WORDS) throw new Error(`seed/encode.ts writes 4 words per op, abi.ts says ${OP_WORDS}`);
  return words;
}
