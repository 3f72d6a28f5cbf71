/**
 *   vfsim merge <results.jsonl>... [--json]
 *
 * Combines the results files of the shards of one sweep (or the sessions of one resumed sweep)
 * into the summary one machine would have printed: the summary depends only on the completed
 * chunks, and every file names the same chunks the same way. A chunk present in two files must
 * have the same results in both; if not, the model or the tool is nondeterministic (exit 3).
 * Chunks no file holds are listed as missing (exit 1).
 */

import { plural } from "../core/report";
import { dirname } from "node:path";
import { UsageError, guarded, parseArgs, readText, type CommandDef } from "./flags";
import { exitCode, readResults, relocated, relocatedShrunk, ResultsError, shardChunks, summarize, summaryJson, summaryText, type ChunkRecord, type HeaderLine, type ResultsFile, type ShrunkLine } from "./results";

type Out = (s: string) => void;

export const MERGE_COMMAND: CommandDef = {
  args: "<results.jsonl>...",
  summary: "Combine the results files of a sweep's shards or sessions into one summary. Exit 1 failures or missing chunks, 3 conflicting chunks.",
  flags: { "--json": { kind: "bool", help: "print the summary as one JSON object (default: text)" } },
};

export async function cmdMerge(args: string[], out: Out, err: Out): Promise<number> {
  return guarded(err, async () => {
    const f = parseArgs("merge", args, MERGE_COMMAND);
    if (f.positional.length === 0) throw new UsageError("vfsim merge: expected at least one results file");
    const files = f.positional.map(readFile);
    files.forEach((r, i) => {
      // a shard stopped mid-write (an evicted pod, a killed job) leaves a last line without its
      // newline: left out, as --resume does; the chunk it belonged to counts as not done
      if (r.cutOff) err(`vfsim merge: ${f.positional[i]}: the last line was cut off (an interrupted write, ${r.cutOff} bytes); left out, as --resume does`);
    });
    const merged = mergeResults(files.map((r, i) => ({ name: f.positional[i], results: r })));
    if (merged.conflicts.length) {
      for (const c of merged.conflicts) err(`vfsim merge: ${c}`);
      return 3;
    }
    const timing = { seconds: files.reduce((s, r) => s + r.sessionSeconds.reduce((a, b) => a + b, 0), 0), schedules: merged.summary.schedules };
    if (f.bools.has("--json")) out(JSON.stringify(summaryJson(merged.summary, timing)));
    else {
      const h = merged.header;
      out(`vfsim merge: ${plural(files.length, "file")}, ${h.strategy}, ${plural(h.targets.length, "target")} x ${plural(h.schedules, "schedule")}`);
      out(summaryText(merged.summary, timing));
    }
    return exitCode(merged.summary);
  });
}

function readFile(name: string): ResultsFile {
  const text = readText(name);
  try {
    return readResults(text, name);
  } catch (e) {
    if (e instanceof ResultsError) throw new UsageError(e.message);
    throw e;
  }
}

/** Records of all files; counterexample paths made relative to the working directory. */
export function mergeResults(files: { name: string; results: ResultsFile }[]) {
  const header: HeaderLine = files[0].results.header;
  const records = new Map<number, ChunkRecord>();
  const from = new Map<number, string>();
  const conflicts: string[] = [];
  for (const { name, results } of files) {
    if (results.header.key !== header.key) {
      throw new UsageError(`${name}: results of a different sweep than ${files[0].name} (key ${results.header.key}, not ${header.key}): other files, variants, strategy, seed or schedules`);
    }
    for (const [id, rec] of relocated(results.records, dirname(name))) {
      const known = records.get(id);
      if (!known || (known.crashes.length && !rec.crashes.length)) {
        records.set(id, rec);
        from.set(id, name);
      } else if (!known.crashes.length && !rec.crashes.length && JSON.stringify(known.chunk) !== JSON.stringify(rec.chunk)) {
        conflicts.push(`chunk ${id} differs between ${from.get(id)} and ${name}: ${JSON.stringify(known.chunk.kinds)} vs ${JSON.stringify(rec.chunk.kinds)} (a nondeterministic model or tool: please report it)`);
      }
    }
  }
  // every shard shrank the first failure of each kind it found; the first over all shards is
  // one of those
  const shrunk = new Map<string, ShrunkLine>();
  for (const { name, results } of files) for (const [k, x] of relocatedShrunk(results.shrunk, dirname(name))) if (!shrunk.has(k)) shrunk.set(k, x);
  const summary = summarize(header, records, shardChunks(header, 0, 1), shrunk);
  return { header, summary, conflicts };
}
