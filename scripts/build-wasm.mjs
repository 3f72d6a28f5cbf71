#!/usr/bin/env node
// Build the model: `npm run build:wasm`. Two builds of assembly/index.ts (asconfig.json targets):
//
//   release  build/vfsim.wasm       the full model: every strategy, traces, dfs footprints, coverage
//   lean     build/vfsim-lean.wasm  the same steps without those hooks (assembly/sim/build.ts), for
//                                   the random and PCT batches of sweeps, `vfsim run` and the matrix
//
// asc compiles each target unoptimized; binaryen (the one asc itself uses) then optimizes it at
// -O3 with one inlining limit raised: a function with a single caller is inlined whatever its
// size (asc caps it at 200). The step handlers each have one caller, the step loop
// (sim/tick.ts run_frames), so they end up in one function, and a local transition (a call, a
// return between model frames) no longer crosses a wasm call, where V8 spills every live value.
// Measured on scenario (a): 13-15% fewer ns per tick in the lean build, about 5% in the full
// one (docs/performance.md). Function names are kept, so traps and profiles name model functions.
//
//   node scripts/build-wasm.mjs [target ...]     (default: release lean)

import asc from "assemblyscript/asc";
import binaryen from "binaryen";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const config = JSON.parse(readFileSync("asconfig.json", "utf8"));
const targets = process.argv.slice(2).length ? process.argv.slice(2) : ["release", "lean"];

// asc's default features; binaryen must not use others
const FEATURES = binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.NontrappingFPToInt |
  binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt;

async function build(target) {
  const t = config.targets[target];
  if (!t) throw new Error(`asconfig.json has no target ${JSON.stringify(target)}`);
  let binary;
  const { error, stderr } = await asc.main(
    [...config.entries, "--target", target, "--optimizeLevel", "0", "--shrinkLevel", "0", "--debug", "--outFile", "out.wasm"],
    { writeFile(name, contents) { if (name.endsWith("out.wasm")) binary = contents; } },
  );
  if (error) throw new Error(`asc --target ${target}: ${error.message}\n${stderr.toString()}`);
  const module = binaryen.readBinary(binary);
  module.setFeatures(FEATURES);
  binaryen.setOptimizeLevel(t.optimizeLevel ?? 3);
  binaryen.setShrinkLevel(t.shrinkLevel ?? 0);
  binaryen.setDebugInfo(true);
  binaryen.setAlwaysInlineMaxSize(12);
  binaryen.setFlexibleInlineMaxSize(70);
  binaryen.setOneCallerInlineMaxSize(1 << 30);
  binaryen.setAllowInliningFunctionsWithLoops(true);
  module.optimize();
  module.optimize();   // a second round folds what the first one's inlining exposed
  if (!module.validate()) throw new Error(`${target}: binaryen produced an invalid module`);
  mkdirSync(dirname(t.outFile), { recursive: true });
  writeFileSync(t.outFile, module.emitBinary());
  if (t.textFile) writeFileSync(t.textFile, module.emitText());
  module.dispose();
}

for (const target of targets) await build(target);
