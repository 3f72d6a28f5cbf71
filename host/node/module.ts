/** Find and compile build/vfsim.wasm (from the bundle in dist/, or from the sources in host/). */

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileModel } from "../core/wasm";

export function wasmPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const p = join(dir, "build", "vfsim.wasm");
    if (existsSync(p)) return p;
    dir = resolve(dir, "..");
  }
  throw new Error("build/vfsim.wasm not found: run `npm run build` first");
}

let cached: Promise<WebAssembly.Module> | undefined;
export function loadModule(): Promise<WebAssembly.Module> {
  cached ??= compileModel(readFileSync(wasmPath()));
  return cached;
}
