// Bundle the TypeScript entry points with esbuild: the CLI and its workers (sweep, fuzz, parallel dfs) for Node, the
// sandbox page for the browser. The wasm model is built by `npm run build:wasm` (asc).
import { build } from "esbuild";
import { existsSync, mkdirSync, copyFileSync, readdirSync } from "node:fs";
import { writeScenarioIndex } from "./web-index.mjs";

const node = { bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "warning" };
const targets = [
  { entryPoints: ["host/node/cli.ts"], outfile: "dist/cli.mjs", ...node },
  { entryPoints: ["host/node/worker.ts"], outfile: "dist/worker.mjs", ...node },
  { entryPoints: ["host/node/fuzz_worker.ts"], outfile: "dist/fuzz-worker.mjs", ...node },
  { entryPoints: ["host/node/pdfs_worker.ts"], outfile: "dist/pdfs-worker.mjs", ...node },
  { entryPoints: ["host/web/main.ts"], outfile: "dist/web/main.js", bundle: true, platform: "browser", format: "esm", target: "chrome120", logLevel: "warning" },
  { entryPoints: ["host/web/worker.ts"], outfile: "dist/web/worker.js", bundle: true, platform: "browser", format: "esm", target: "chrome120", logLevel: "warning" },
];

for (const t of targets) {
  if (!existsSync(t.entryPoints[0])) continue;
  await build(t);
}

// The static page: its HTML/CSS, the model and the built-in scenarios, all under dist/web/.
if (existsSync("host/web/index.html")) {
  mkdirSync("dist/web/scenarios", { recursive: true });
  for (const f of readdirSync("host/web")) if (/\.(html|css)$/.test(f)) copyFileSync(`host/web/${f}`, `dist/web/${f}`);
  copyFileSync("build/vfsim.wasm", "dist/web/vfsim.wasm");
  for (const f of readdirSync("fixtures/scenarios")) if (f.endsWith(".json")) copyFileSync(`fixtures/scenarios/${f}`, `dist/web/scenarios/${f}`);
  writeScenarioIndex("fixtures/scenarios", "dist/web/scenarios/index.json");
}
