/** Find built files (the model, the worker bundles) and compile the model, whether this code runs
 *  from the bundle in dist/ or from the sources in host/. */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileModel } from "../core/wasm";

/** `rel` (e.g. "dist/worker.mjs") below this file's directory or one of its parents. */
export function builtFile(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const p = join(dir, rel);
    if (existsSync(p)) return p;
    dir = resolve(dir, "..");
  }
  throw new Error(`${rel} not found: run \`npm run build\` first`);
}

/** The package's root directory (the one holding its package.json), wherever the current
 *  directory is: built-in fixtures are found from here, not from the working directory. */
export function packageRoot(): string {
  return dirname(builtFile("package.json"));
}

/** `rel` (e.g. "fixtures/scenarios") inside the package. */
export function packagePath(rel: string): string {
  return join(packageRoot(), rel);
}

export function wasmPath(): string {
  return builtFile("build/vfsim.wasm");
}

let cached: Promise<WebAssembly.Module> | undefined;
/** The full model: every strategy, traces, footprints for dfs, coverage for the fuzzer. */
export function loadModule(): Promise<WebAssembly.Module> {
  cached ??= compileModel(readFileSync(wasmPath()));
  return cached;
}

let cachedLean: Promise<WebAssembly.Module> | undefined;
/** The lean build of the same model (assembly/sim/build.ts): the same steps without the
 *  footprint, coverage and trace hooks, for random and PCT batches. Failures it finds are
 *  replayed in the full model. */
export function loadLeanModule(): Promise<WebAssembly.Module> {
  cachedLean ??= compileModel(readFileSync(builtFile("build/vfsim-lean.wasm")));
  return cachedLean;
}
