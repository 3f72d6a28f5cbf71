/**
 * Shrinking by hand (`vfsim shrink --drop-thread NAME --drop-op NAME:INDEX`): a counterexample
 * without some of its threads or ops, with its recorded schedule renumbered to match, so a reader
 * who sees that a thread or an op plays no part can remove it without editing JSON and schedule
 * digits. The schedule is projected, not searched for: the dropped thread's choices, and the
 * choices a thread spent on a dropped op, are removed, and later threads' numbers close the gap.
 * Whether the projection still fails the same way is for the caller to replay and say (shrink.ts
 * searches when it does not; a hand edit only reports it).
 */

import { encodeScenario, type SeedFile } from "./seed";
import { VERDICT_RUNNING } from "./abi";
import { readState } from "./state_view";
import { Model } from "./wasm";

/** What to drop: whole threads by name, and single ops by thread name and index (0-based, as in
 *  `threads[i].ops[j]`; indices refer to the file as given, so several ops of one thread can go). */
export interface Drops {
  threads: string[];
  ops: { thread: string; index: number }[];
}

export interface Dropped {
  /** the scenario without the dropped threads and ops (not yet validated) */
  seed: SeedFile;
  /** the projected schedule, in the smaller scenario's thread numbers */
  choices: Uint8Array;
  /** choices removed: of dropped threads, and of dropped ops */
  removed: number;
}

/** Which op each choice of `choices` runs: the op index of the chosen task before its tick (a
 *  tick runs within one op; the op index advances when the system call returns). Throws if the
 *  schedule does not fit the scenario. */
export function opOfEachChoice(module: WebAssembly.Module, seed: SeedFile, choices: Uint8Array): number[] {
  const model = new Model(module);
  model.load(encodeScenario(seed).words);
  const x = model;
  x.begin();
  const ops: number[] = [];
  for (let i = 0; i < choices.length; i++) {
    const t = choices[i];
    if (t >= seed.threads.length || (x.runnableMask() & (1 << t)) === 0) throw new Error(`schedule[${i}]: task ${t} cannot run at tick ${i + 1}`);
    ops.push(readState(model).tasks[t].op);
    if (x.tick(t) !== VERDICT_RUNNING) break;
  }
  return ops;
}

/** The scenario and schedule without `drops`. The names in `drops` must exist (the command checks
 *  them and says which exist). */
export function dropFrom(module: WebAssembly.Module, seed: SeedFile, choices: Uint8Array, drops: Drops): Dropped {
  const goneThread = seed.threads.map((t) => drops.threads.includes(t.name));
  const goneOp = (t: number, j: number) => drops.ops.some((d) => d.thread === seed.threads[t].name && d.index === j);
  const ops = opOfEachChoice(module, seed, choices);
  const renumber: number[] = [];
  let n = 0;
  for (let t = 0; t < seed.threads.length; t++) renumber.push(goneThread[t] ? -1 : n++);
  const kept: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    const t = choices[i];
    if (!goneThread[t] && !goneOp(t, ops[i])) kept.push(renumber[t]);
  }
  const smaller = structuredClone(seed);
  smaller.threads = seed.threads
    .map((th, t) => ({ ...th, ops: th.ops.filter((_, j) => !goneOp(t, j)) }))
    .filter((_, t) => !goneThread[t]);
  return { seed: smaller, choices: Uint8Array.from(kept), removed: choices.length - kept.length };
}
