// The list of built-in scenarios for the sandbox page: dist/web/scenarios/index.json, one entry per
// fixtures/scenarios/*.json, sorted by file name: { file, name, about }. The page fetches it; no
// server logic is needed, so the static copy in dist/web/ works on any static host.
//
//   import { writeScenarioIndex } from "./web-index.mjs"; writeScenarioIndex();   (scripts/build.mjs)
//   node scripts/web-index.mjs                                                     (by hand)

import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export function writeScenarioIndex(srcDir = "fixtures/scenarios", outFile = "dist/web/scenarios/index.json") {
  const entries = readdirSync(srcDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const raw = JSON.parse(readFileSync(join(srcDir, file), "utf8"));
      return { file, name: typeof raw.name === "string" ? raw.name : file.replace(/\.json$/, ""), about: typeof raw.about === "string" ? raw.about : "" };
    });
  mkdirSync(join(outFile, ".."), { recursive: true });
  writeFileSync(outFile, JSON.stringify(entries, null, 1) + "\n");
  return entries;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entries = writeScenarioIndex();
  console.log(`dist/web/scenarios/index.json: ${entries.length} scenarios`);
}
