/**
 * Seed files: the schema, validation with path-precise errors, `--set` overrides, variants and
 * expectations, stable serialization, and encoding to the scenario words of abi.ts.
 *
 * The schema is a tree of `Spec`s (combinators.ts, the field walker; schema.ts, the seed file).
 * One tree serves three purposes: reading a raw JSON value into a typed `SeedFile` (with
 * defaults), naming the offending field when that fails, and steering `--set` paths (set.ts) so
 * a typo is caught before anything runs.
 *
 * Rules that tie fields together (unique thread names, cached paths vs the tree, expectations vs
 * threads and checks, the recorded schedule vs the thread count, model capacities) are checked
 * after the walk, in rules.ts `checkSeed`.
 *
 *   errors.ts       SeedError
 *   types.ts        SeedFile and its parts
 *   combinators.ts  the field walker: struct, list, dict, enumOf, int, text, ...
 *   paths.ts        path and name syntax, the tree's kinds
 *   axes.ts         the variant axes
 *   schema.ts       the seed file's schema, field by field
 *   rules.ts        rules across fields (checkSeed); which primes each filesystem can use
 *   read.ts         entry points: text or JSON value -> SeedFile
 *   set.ts          --set overrides
 *   variants.ts     variants and expectations
 *   serialize.ts    stable, pretty JSON
 *   encode.ts       the scenario words for the model
 *
 * Reference for users: docs/seed-files.md. Keep the two in step.
 */

export { SeedError } from "./errors";
export { SEED_FORMAT_VERSION, STRATEGIES, type Expectation, type Op, type SeedFile, type SeedRun, type StrategyName, type Thread } from "./types";
export { ancestors, childOf, comparePaths, components, parentOf, treeKinds } from "./paths";
export { AXES, type Axis } from "./axes";
export { EXPECTED_VERDICTS, seriesWaitqueue } from "./schema";
export { FS_LOOKUP_LOCKS, FS_PRIMES } from "./rules";
export { MAX_SEED_FILE_BYTES, parseSeedFile, readSeedJson, validateSeedObject } from "./read";
export { applySets } from "./set";
export { atomicOpenOf, axisValue, expectationFor, variantAssignments, variantOf, withLockdep } from "./variants";
export { serializeSeedFile } from "./serialize";
export { encodeScenario, nameText, SILLY_NAME, type Encoded } from "./encode";
