/**
 * The seed-file fuzzer (docs/fuzzing.md), one room per part:
 *
 *   rng.ts        the PRNG every choice comes from
 *   options.ts    --allow, caps, budgets, the stats a run keeps
 *   runner.ts     running one input: batches, replays, bounded outcomes, coverage
 *   corpus.ts     the starting corpus and the plain input form
 *   mutators.ts   mutation
 *   findings.ts   failure -> shrunk, (canary) confirmed, recorded finding
 *   fuzzer.ts     the corpus and coverage loop (Fuzzer)
 *
 * No node: imports; host/node/fuzz.ts is the command around it.
 */

export { Rng, splitmix64 } from "./rng";
export { AXIS_VALUES, LIMITS, parseAllow, type Allow, type FuzzOptions, type FuzzStats } from "./options";
export { coverageCount, type FuzzOutcome } from "./runner";
export { normalize, prepareCorpus, toRaw, type CorpusFile } from "./corpus";
export { mutate } from "./mutators";
export { type Finding, type FindingKind } from "./findings";
export { Fuzzer, type CorpusEntry, type ExecRecord } from "./fuzzer";
