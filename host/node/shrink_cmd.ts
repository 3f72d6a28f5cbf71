/**
 *   vfsim shrink <seed-file> [--out FILE] [--set key=value ...] [--json]
 *   vfsim shrink <counterexample> --drop-thread NAME ... --drop-op NAME:INDEX ... [--out FILE] [--json]
 *
 * Shrinks a counterexample by hand (sweeps and runs shrink their failures themselves): fewest
 * preemptions, then fewest ticks, then fewer threads and ops, while the same verdict (and for a
 * violation the same invariant) still fails. A file without a recorded schedule is first run
 * with its own strategy to find one. Writes the shrunk counterexample (default: beside the input,
 * `<name>.shrunk.json`) and prints the lengths before and after.
 *
 * With --drop-thread / --drop-op it makes only those edits (drop.ts): the threads and ops named
 * go, the recorded schedule is renumbered to match and replayed. If it still fails the same way
 * the result is written as a counterexample (exit 0); if it no longer fits the smaller scenario
 * (exit 6, as replay's "diverged") or ends otherwise (exit 5, "not reproduced"), the smaller
 * scenario is written without a schedule and the message says how to find one.
 *
 * A recorded schedule that gives nothing to shrink exits as `vfsim replay` does for it: diverged
 * (6) if it does not fit or ends before the run does; clean (0), or not reproduced (5) when the
 * file records a failure.
 */

import { writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CHECKS, R, VERDICTS, VERDICT_RUNNING } from "../core/abi";
import { dropFrom, type Drops } from "../core/drop";
import { EXIT } from "../core/exit";
import { meets } from "../core/matrix";
import { runScenario, replayScenario, EXIT_INCONCLUSIVE, ReplayDivergence, type RunReport } from "../core/run";
import { counterexample, coveredText, failureText, plural, sizeText } from "../core/report";
import { encodeScenario, expectationFor, parseSeedFile, serializeSeedFile, SeedError, type SeedFile } from "../core/seed";
import { decodeSchedule, encodeSchedule } from "../core/schedule";
import { NothingToShrink, shrinkReport, type ShrinkSize } from "../core/shrink";
import { Model, ModelTrap } from "../core/wasm";
import { checkOutFile, guarded, parseArgs, readSeedFile, UsageError, type CommandDef, type Flags } from "./flags";
import { loadModule } from "./module";

type Out = (s: string) => void;

export const SHRINK_COMMAND: CommandDef = {
  args: "<seed-file>",
  summary: "Shrink a counterexample (fewest preemptions, ticks, threads, ops) keeping its verdict; a file without a schedule is run first.",
  flags: {
    "--out": { kind: "value", arg: "FILE", help: "where the shrunk counterexample goes (default: <name>.shrunk.json beside the input)" },
    "--set": { kind: "list", arg: "key=value", help: "override a seed-file field first (repeats)" },
    "--json": { kind: "bool", help: "print one JSON object (default: text)" },
    "--drop-thread": { kind: "list", arg: "NAME", help: "by hand: drop this thread and renumber the recorded schedule; no automatic shrinking (repeats)" },
    "--drop-op": { kind: "list", arg: "NAME:INDEX", help: "by hand: drop op INDEX (0-based, as in threads[i].ops[INDEX]) of thread NAME and the schedule's ticks of it (repeats)" },
  },
};

export async function cmdShrink(args: string[], out: Out, err: Out): Promise<number> {
  return guarded(err, async () => {
    const f = parseArgs("shrink", args, SHRINK_COMMAND);
    if (f.positional.length !== 1) throw new UsageError("vfsim shrink: expected exactly one seed file");
    const file = f.positional[0];
    const path = f.values.get("--out") ?? join(dirname(file), `${basename(file, ".json")}.shrunk.json`);
    checkOutFile("--out", path);
    const seed = readSeedFile(file, f.lists.get("--set") ?? []);
    const drops = dropsFlags(f, seed, file);
    const module = await loadModule();
    const json = f.bools.has("--json");
    if (seed.schedule) {
      const none = recordedDoesNotFail(module, seed);
      if (none) {
        if (json) out(JSON.stringify({ file, outcome: none.outcome, message: none.message }));
        else out(`vfsim shrink ${file}: nothing to shrink; ${none.message} (exit ${none.exit})`);
        return none.exit;
      }
    }
    if (drops) return dropByHand(module, file, seed, drops, path, json, out);
    const found = failingRun(module, seed);
    if (!found.choices) {
      // name what was searched: dfs counts states, random and PCT schedules
      const what = found.strategy === "dfs"
        ? `dfs ${found.exhaustive ? "exhausted its space" : `stopped because ${found.stopped}`} (${coveredText(found)}) without a failure`
        : `${found.strategy} found no failure in ${plural(found.schedules, "schedule")} (not exhaustive)`;
      out(`vfsim shrink ${file}: nothing to shrink; ${what}`);
      return found.verdict === "ok" ? 0 : EXIT_INCONCLUSIVE;
    }
    let shrunk;
    try {
      shrunk = shrinkReport(module, seed, found);
    } catch (e) {
      // recordedDoesNotFail and runScenario found a failure: a schedule that then does not fail
      // is the tool's bug, not bad input
      if (e instanceof NothingToShrink) throw new ModelTrap(`the failing schedule to shrink did not fail again: ${e.message}`);
      throw e;
    }
    writeFileSync(path, serializeSeedFile(shrunk.counterexample));
    const r = shrunk.report;
    if (f.bools.has("--json")) {
      out(JSON.stringify({ verdict: r.verdict, ...(r.invariant ? { invariant: r.invariant } : {}), before: shrunk.before, after: shrunk.after, schedule: r.schedule, file: path }));
    } else {
      out(`vfsim shrink ${file}: ${r.invariant ? `violation of ${r.invariant}` : r.verdict}`);
      out(`  before: ${sizeText(shrunk.before)}`);
      out(`  after:  ${sizeText(shrunk.after)}`);
      out(`shrunk counterexample: ${path}`);
      out(`replay:                vfsim replay ${path}`);
    }
    return 0;
  });
}

/** What `vfsim replay` would say of a recorded schedule that gives nothing to shrink, with its
 *  exit status (README, "Exit statuses"): it does not fit the scenario, or runs out with the run
 *  still going (diverged, 6); it runs clean (0, or 5 when the file records a failure it no longer
 *  reproduces). Undefined when the schedule fails. A schedule longer than its failing run is
 *  shrunk, not refused: the failure happened, and the shrink drops the unused tail. */
function recordedDoesNotFail(module: WebAssembly.Module, seed: SeedFile): { outcome: "diverged" | "clean" | "not-reproduced"; exit: number; message: string } | undefined {
  const enc = encodeScenario(seed);
  let report: RunReport;
  try {
    report = replayScenario(module, enc, decodeSchedule(seed.schedule!, enc.threads.length), seed.run);
  } catch (e) {
    if (!(e instanceof ReplayDivergence)) throw e;
    return { outcome: "diverged", exit: EXIT.diverged, message: e.message };
  }
  if (report.verdict !== "ok") return undefined;
  const expected = expectationFor(seed);
  if (expected && !meets(report, expected)) {
    return { outcome: "not-reproduced", exit: EXIT.notReproduced, message: `the recorded schedule runs clean, not to the recorded ${expected.verdict}${expected.invariant ? " " + expected.invariant : ""}` };
  }
  return { outcome: "clean", exit: EXIT.ok, message: "the recorded schedule runs clean" };
}

/** The recorded schedule as a failing run, or the first failure of the file's own strategy. */
function failingRun(module: WebAssembly.Module, seed: SeedFile): RunReport {
  const enc = encodeScenario(seed);
  const how = { strategy: seed.run.strategy, seed: seed.run.seed };
  if (seed.schedule) {
    return { ...how, verdict: "ok", schedules: 1, exhaustive: false, replayed: true, choices: decodeSchedule(seed.schedule, enc.threads.length) };
  }
  return runScenario(module, seed, enc, { ...seed.run });
}

// ---------------------------------------------------------------------------------------------
// By hand: --drop-thread, --drop-op

/** The --drop-thread / --drop-op flags, checked against the file's threads; undefined if none. */
function dropsFlags(f: Flags, seed: SeedFile, file: string): Drops | undefined {
  const threadFlags = f.lists.get("--drop-thread") ?? [], opFlags = f.lists.get("--drop-op") ?? [];
  if (threadFlags.length === 0 && opFlags.length === 0) return undefined;
  const names = seed.threads.map((t) => t.name);
  const known = `its threads are ${names.join(", ")}`;
  const drops: Drops = { threads: [], ops: [] };
  for (const name of threadFlags) {
    if (!names.includes(name)) throw new UsageError(`--drop-thread: no thread named ${JSON.stringify(name)} in ${file}; ${known}`);
    if (!drops.threads.includes(name)) drops.threads.push(name);
  }
  if (drops.threads.length === names.length) throw new UsageError(`--drop-thread: that drops every thread of ${file}; a scenario needs at least one`);
  for (const v of opFlags) {
    const colon = v.lastIndexOf(":");
    const name = v.slice(0, colon), index = v.slice(colon + 1);
    if (colon < 0 || !/^\d+$/.test(index)) throw new UsageError(`--drop-op: expected NAME:INDEX (a thread name and a 0-based op index, e.g. L:0), got ${JSON.stringify(v)}`);
    const t = names.indexOf(name);
    if (t < 0) throw new UsageError(`--drop-op: no thread named ${JSON.stringify(name)} in ${file}; ${known}`);
    if (drops.threads.includes(name)) throw new UsageError(`--drop-op ${v}: thread ${name} is dropped whole by --drop-thread`);
    const n = seed.threads[t].ops.length;
    if (Number(index) >= n) throw new UsageError(`--drop-op ${v}: thread ${name} has ${plural(n, "op")} (index 0${n > 1 ? `-${n - 1}` : ""})`);
    if (!drops.ops.some((d) => d.thread === name && d.index === Number(index))) drops.ops.push({ thread: name, index: Number(index) });
  }
  for (let t = 0; t < names.length; t++) {
    if (!drops.threads.includes(names[t]) && drops.ops.filter((d) => d.thread === names[t]).length === seed.threads[t].ops.length) {
      throw new UsageError(`--drop-op: that drops every op of thread ${names[t]}; drop the thread with --drop-thread ${names[t]}`);
    }
  }
  if (!seed.schedule) throw new UsageError(`${file}: schedule: missing; --drop-thread and --drop-op renumber a recorded schedule (run \`vfsim shrink ${file}\` first to find and record one)`);
  return drops;
}

/** "thread S, op L:1" */
function dropsText(d: Drops): string {
  return [...d.threads.map((t) => `thread ${t}`), ...d.ops.map((o) => `op ${o.thread}:${o.index}`)].join(", ");
}

/** Replays `choices` without the trace: the model's code, and the schedule's size. */
function replaySize(module: WebAssembly.Module, seed: SeedFile, choices: Uint8Array): { code: number; ticks: number; preemptions: number; kind: string } {
  const m = new Model(module);
  m.load(encodeScenario(seed).words);
  m.setChoices(choices);
  const code = m.runReplay(choices.length);
  const kind = code >= 0 && code !== VERDICT_RUNNING ? (VERDICTS[code] === "violation" ? `violation ${CHECKS[m.result()[R.CHECK]]}` : VERDICTS[code]) : "";
  return { code, ticks: m.tickCount(), preemptions: m.preemptions(), kind };
}

const opCount = (s: SeedFile) => s.threads.reduce((n, t) => n + t.ops.length, 0);

function dropByHand(module: WebAssembly.Module, file: string, seed: SeedFile, drops: Drops, path: string, json: boolean, out: (s: string) => void): number {
  const choices = decodeSchedule(seed.schedule!, seed.threads.length);
  const orig = replaySize(module, seed, choices); // fails: recordedDoesNotFail said so
  if (orig.code <= 0 || orig.code === VERDICT_RUNNING) throw new ModelTrap(`the recorded schedule failed on one replay and not on the next (code ${orig.code})`);
  const before: ShrinkSize = { ticks: orig.ticks, preemptions: orig.preemptions, threads: seed.threads.length, ops: opCount(seed) };
  const d = dropFrom(module, seed, choices, drops);
  const smaller: SeedFile = { ...d.seed, variants: {}, expect: [], from: seed.from ?? seed.name, schedule: encodeSchedule(d.choices) };
  try {
    parseSeedFile(serializeSeedFile(smaller));
  } catch (e) {
    if (e instanceof SeedError) throw new UsageError(`${file} without ${dropsText(drops)} is not a valid seed file: ${e.message}`);
    throw e;
  }
  const head = `vfsim shrink ${file}: dropped ${dropsText(drops)} (${d.removed} of ${plural(choices.length, "choice")} in the schedule)`;
  const got = replaySize(module, smaller, d.choices);
  let outcome: "reproduced" | "not-reproduced" | "diverged" = "reproduced";
  let message = "";
  if (got.code < -1) {
    const at = -got.code - 2;
    outcome = "diverged";
    message = `the renumbered schedule does not fit the smaller scenario: schedule[${at}] names ${smaller.threads[d.choices[at]]?.name ?? "?"}, which cannot run at tick ${at + 1}`;
  } else if (got.code === VERDICT_RUNNING) {
    outcome = "diverged";
    message = `the renumbered schedule runs out after ${plural(d.choices.length, "tick")} with the smaller scenario's run still going: the recorded ${orig.kind} did not happen by then`;
  } else if (got.kind !== orig.kind) {
    outcome = "not-reproduced";
    message = `the renumbered schedule runs to ${got.kind} (${plural(got.ticks, "tick")}), not ${orig.kind} as recorded`;
  }
  if (outcome !== "reproduced") {
    const edited: SeedFile = { ...smaller, name: seed.name };
    delete edited.schedule;
    edited.about = `${seed.name} without ${dropsText(drops)} (vfsim shrink --drop-thread/--drop-op). ${message[0].toUpperCase()}${message.slice(1)}, so no schedule is recorded: \`vfsim shrink\` of this file searches it for a failing schedule.`;
    writeFileSync(path, serializeSeedFile(edited));
    const todo = `vfsim shrink ${path}   (searches the smaller scenario for a failing schedule, then shrinks it; or vfsim run ${path})`;
    if (json) out(JSON.stringify({ outcome, dropped: drops, removedChoices: d.removed, before, message, file: path, next: `vfsim shrink ${path}` }));
    else {
      out(head);
      out(`  ${message}`);
      out(`wrote the smaller scenario without a schedule: ${path}`);
      out(`to find a failing schedule of it:            ${todo}`);
    }
    return outcome === "diverged" ? EXIT.diverged : EXIT.notReproduced;
  }
  const cut = d.choices.slice(0, got.ticks);
  const report: RunReport = { ...replayScenario(module, encodeScenario(smaller), cut, seed.run), strategy: seed.run.strategy, replayed: true };
  const after: ShrinkSize = { ticks: got.ticks, preemptions: got.preemptions, threads: smaller.threads.length, ops: opCount(smaller) };
  const cex = counterexample(smaller, report, { before, after, by: `by hand (vfsim shrink, dropped ${dropsText(drops)})` });
  writeFileSync(path, serializeSeedFile(cex));
  if (json) {
    out(JSON.stringify({ outcome, dropped: drops, removedChoices: d.removed, verdict: report.verdict, ...(report.invariant ? { invariant: report.invariant } : {}), ...(report.cycle ? { cycle: report.cycle.map((e) => e.task) } : {}), before, after, schedule: report.schedule, file: path }));
  } else {
    out(head);
    out(`  before: ${sizeText(before)}`);
    out(`  after:  ${sizeText(after)}`);
    out(`  still fails: ${failureText(report)}`);
    out(`shrunk counterexample: ${path}`);
    out(`replay:                vfsim replay ${path}`);
  }
  return 0;
}
