/**
 * The seed-file fuzzer: mutate seed files, run each mutant for a small batch of schedules, keep
 * the mutants that reach kernel behaviour no earlier input reached (the model's coverage
 * bitmap, assembly/sim/coverage.ts), and turn every new kind of failure into a shrunk,
 * replayable counterexample. No node: imports; host/node/fuzz.ts is the command around it.
 *
 * Determinism. Every decision comes from one seeded PRNG (xoshiro128**, seeded through
 * splitmix64 from `--seed`) and from the model, which is deterministic. Nothing reads a clock:
 * the caller decides when to stop, so the same seed, corpus and options give the same inputs,
 * in the same order, and the same findings, exec for exec.
 *
 * One exec: one input, `schedules` schedules run inside wasm through the strategy interface
 * (half random with the input's run.seed, half PCT with run.depth and k from strategy.ts's one
 * estimate; runner.ts), the coverage bitmap read after the batch. With planted bugs
 * (the canary), each exec also runs the same input on the model without them, and a finding is
 * an input on which the two differ (see `Fuzzer` and docs/fuzzing.md).
 *
 * Mutants are valid by construction: a mutant is turned back into raw JSON and read by
 * `validateSeedObject`, the same reader the CLI uses; one it rejects is counted and dropped.
 */

import { keyOf } from "../outcome";
import { SeedError, encodeScenario, type SeedFile } from "../seed";
import { ModelTrap } from "../wasm";
import { Rng } from "./rng";
import { type FuzzOptions, type FuzzStats } from "./options";
import { Runner, coverageCount, newBits, type FuzzOutcome } from "./runner";
import { mutate, type MutationContext } from "./mutators";
import { Findings, type Finding } from "./findings";

/** Invalid mutants in a row after which step() gives up (a mutator or toRaw is broken). */
const MAX_REJECTED_IN_A_ROW = 10_000;

export interface CorpusEntry {
  id: number;
  name: string;
  input: SeedFile;
  /** coverage bits this entry was first to reach */
  newBits: number;
  /** exec that added it (0: the starting corpus) */
  exec: number;
}

export interface ExecRecord {
  exec: number;
  /** corpus entry mutated (-1: a starting-corpus run) */
  parent: number;
  mutations: string[];
  input: SeedFile;
  /** the outcome that stopped the batch, as a key ("ok" when every schedule passed) */
  outcome: string;
  /** differential mode: the model without the plant */
  reference?: string;
  newBits: number;
  finding?: Finding;
}

/**
 * Without planted bugs: an exec fails when any schedule of its batch does not end ok; the first
 * failure per key is shrunk and reported.
 *
 * With planted bugs (the canary): each exec runs the input twice, with and without the plants,
 * on the same schedule seeds. Where the two batches stop on different keys, the failing side is
 * shrunk and then confirmed by exhaustive search within LIMITS.checkPreemptions preemptions:
 * "introduced" if the planted model fails with key K and the reference model reaches no K in
 * any bounded schedule, "masked" if the reference fails with K and the planted model cannot.
 * Failures both models share are real findings of the model, not of the plant, and are not
 * reported in this mode.
 */
export class Fuzzer {
  readonly corpus: CorpusEntry[] = [];
  readonly findings: Finding[];
  readonly stats: FuzzStats = { execs: 0, invalid: 0, corpus: 0, coverage: 0, findings: 0, duplicates: 0, candidates: 0, unconfirmed: 0, shrinkSchedules: 0 };
  readonly coverage: Uint8Array;
  private rng: Rng;
  private runner: Runner;
  private pending: { name: string; seed: SeedFile }[];
  private finder: Findings;
  private readonly differential: boolean;

  constructor(module: WebAssembly.Module, start: { name: string; seed: SeedFile }[], readonly opts: FuzzOptions) {
    if (start.length === 0) throw new SeedError("", "the corpus is empty; the fuzzer needs at least one seed file");
    this.rng = new Rng(opts.seed);
    this.runner = new Runner(module);
    this.coverage = new Uint8Array(this.runner.current.coverageBytes());
    this.pending = [...start];
    this.differential = opts.plant.length > 0;
    this.finder = new Findings(module, this.runner, opts, this.stats);
    this.findings = this.finder.list;
  }

  /** One exec: the next starting-corpus input while any is left, then a mutant of a corpus
   *  entry. Invalid mutants are counted and replaced, so every call runs exactly one input. */
  step(): ExecRecord {
    let parent = -1;
    let mutations: string[] = [];
    let input: SeedFile | undefined;
    let name = "";
    const first = this.pending.shift();
    if (first) {
      input = first.seed;
      name = first.name;
    }
    for (let rejected = 0; !input; ) {
      parent = this.rng.below(this.corpus.length);
      const ctx: MutationContext = { allow: this.opts.allow, donor: () => this.corpus[this.rng.below(this.corpus.length)].input };
      const m = mutate(this.corpus[parent].input, this.rng, ctx);
      if (m.error || !m.input) {
        this.stats.invalid++;
        // a fuzzer bug, not bad luck: mutants are mostly valid (stats.invalid is a few percent)
        if (++rejected >= MAX_REJECTED_IN_A_ROW) throw new Error(`fuzz: ${rejected} mutants in a row were invalid seed files; the last: ${m.error?.message}`);
        continue;
      }
      input = m.input;
      mutations = m.log;
    }
    const exec = ++this.stats.execs;
    const rec = this.run(exec, parent, mutations, input);
    if (rec.newBits > 0 || parent < 0) {
      const id = this.corpus.length;
      const entryName = parent < 0 ? name : `exec-${exec}`;
      this.corpus.push({ id, name: entryName, input: { ...input, name: parent < 0 ? input.name : `fuzz-${exec}` }, newBits: rec.newBits, exec: parent < 0 ? 0 : exec });
    }
    this.stats.corpus = this.corpus.length;
    this.stats.coverage = coverageCount(this.coverage);
    return rec;
  }

  private words(s: SeedFile, planted: boolean): Int32Array {
    return encodeScenario(planted ? { ...s, plant: this.opts.plant } : s).words;
  }

  private run(exec: number, parent: number, mutations: string[], input: SeedFile): ExecRecord {
    const rec: ExecRecord = { exec, parent, mutations, input, outcome: "ok", newBits: 0 };
    const x = () => this.runner.current;
    const bits = new Uint8Array(this.coverage.length);
    const batch = (planted: boolean): FuzzOutcome | undefined | ModelTrap => {
      try {
        this.runner.load(this.words(input, planted));
        x().coverageReset();
        const o = this.runner.batch(input.run.seed, input.run.depth, this.opts.schedules);
        const c = this.runner.current.coverage();
        for (let i = 0; i < bits.length; i++) bits[i] |= c[i];
        return o;
      } catch (e) {
        if (!(e instanceof ModelTrap)) throw e;
        const choices = this.runner.current.choices();
        this.runner.reset();
        return Object.assign(e, { choices });
      }
    };
    const main = batch(this.differential);
    const reference = this.differential ? batch(false) : undefined;
    rec.newBits = newBits(bits, this.coverage);
    for (let i = 0; i < bits.length; i++) this.coverage[i] |= bits[i];

    if (main instanceof ModelTrap || reference instanceof ModelTrap) {
      const trap = (main instanceof ModelTrap ? main : reference) as ModelTrap & { choices: Uint8Array };
      rec.outcome = `model-trap`;
      rec.finding = this.finder.trapFinding(exec, input, trap, main instanceof ModelTrap && this.differential);
      return rec;
    }
    rec.outcome = main ? keyOf(main) : "ok";
    if (!this.differential) {
      if (main) rec.finding = this.finder.failure(exec, input, "failure", main, false);
      return rec;
    }
    rec.reference = reference ? keyOf(reference) : "ok";
    if (rec.outcome === rec.reference) return rec;
    // The two models stopped differently on the same seeds: a candidate. Masked means the
    // planted model runs clean where the reference fails, so a planted batch that failed in
    // any way cannot show one.
    if (main) rec.finding = this.finder.failure(exec, input, "introduced", main, true);
    else if (reference) rec.finding = this.finder.failure(exec, input, "masked", reference, false);
    return rec;
  }
}
