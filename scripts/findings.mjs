// Regenerates the table in docs/findings.md from `vfsim matrix --by-fs` (the lines after the
// "Latest run" paragraph), so the file never holds a hand-written cell. `npm run findings`.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const path = "docs/findings.md";
const text = readFileSync(path, "utf8");
const at = text.indexOf("\n| filesystem |");
if (at < 0) throw new Error(`${path}: no "| filesystem |" table to replace`);
const table = execFileSync(process.execPath, ["bin/vfsim.mjs", "matrix", "--by-fs"], { encoding: "utf8" });
writeFileSync(path, text.slice(0, at + 1) + table);
console.log(`${path}: table regenerated (${table.trim().split("\n").length - 2} rows)`);
