/**
 * The vfsim sandbox page: pick or paste a seed file, change its variant, sweep schedules in Web
 * Workers (or run one), step through a counterexample's trace with the kernel state beside it,
 * and share it as a link or a file that `vfsim replay` accepts.
 *
 * Everything a seed file says is untrusted (it may come from a link): it is size-bounded, validated
 * by the same code as the CLI (host/core/seed/) before anything runs, and every name in it is
 * rendered as text (dom.ts never uses innerHTML).
 */

import { FS_TYPES, ITERATES, ORDERS, PRIMES, RWSEMS, SERIES, WAITQUEUES } from "../core/abi";
import { meets } from "../core/matrix";
import { counterexample, counterexampleName, describeLockdep, lockdepHeading, plural, sizeText, variantLine, type ShrunkSizes } from "../core/report";
import { ReplayDivergence, scheduleBudget, type RunReport } from "../core/run";
import { AXES, axisValue, expectationFor, parseSeedFile, SeedError, serializeSeedFile, type Expectation, type SeedFile } from "../core/seed";
import { decodeSchedule } from "../core/schedule";
import { ModelTrap } from "../core/wasm";
import { renderCycle } from "./cycle";
import { byId, fill, h } from "./dom";
import { SeedEditor } from "./editor";
import { locate, syntaxErrorOffset } from "./jsonpos";
import { decodeLink, encodeLink, LinkError, MAX_SEED_BYTES, utf8Length } from "./link";
import { replayRun, runOneSchedule, shrunkRun, type ShownRun } from "./session";
import { renderState } from "./statepanel";
import { runDfs, Sweep, type SweepProgress, type WorkerLike } from "./sweep";
import { Timeline } from "./timeline";
import type { SandboxCursor } from "./automation";

// ---------------------------------------------------------------------------------------------
// Page state

interface Shown extends ShownRun {
  /** how this schedule was found, for the verdict line */
  origin: string;
}

const page: {
  module?: WebAssembly.Module;
  /** the editor's seed file, when it is valid */
  seed?: SeedFile;
  shown?: Shown;
  tick: number;
  /** the cursor: its tick, the task that ran at it and that task's first step there */
  cursor?: SandboxCursor;
  running?: { stop(): void };
  scenariosLoaded: boolean;
  validatedText: string;
  /** a control holds a value the seed file refuses (its error is shown beside it): nothing runs */
  badControl?: boolean;
} = { tick: 0, scenariosLoaded: false, validatedText: "" };

const DEFAULT_SCENARIO = "a-readdirplus-prime-lookup-mkdir-deadlock.json";
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
/** "1 schedule", "10,000 schedules" */
const count = (n: number, one: string) => `${fmt(n)} ${n === 1 ? one : `${one}s`}`;

const el = {
  status: byId("status"),
  builtin: byId("builtin", HTMLSelectElement),
  about: byId("about"),
  expect: byId("seed-expect"),
  runSweep: byId("run-sweep", HTMLButtonElement),
  stop: byId("stop", HTMLButtonElement),
  stopFirst: byId("stop-first", HTMLInputElement),
  progress: byId("progress"),
  bar: byId("progress-bar", HTMLProgressElement),
  pDone: byId("p-done"),
  pDoneLabel: byId("p-done-label"),
  pRateLabel: byId("p-rate-label"),
  pRate: byId("p-rate"),
  pFailures: byId("p-failures"),
  pWorkers: byId("p-workers"),
  pOutcome: byId("p-outcome"),
  oneIndex: byId("one-index", HTMLInputElement),
  oneIndexError: byId("one-index-error"),
  runOne: byId("run-one", HTMLButtonElement),
  replay: byId("replay", HTMLButtonElement),
  result: byId("result"),
  verdict: byId("verdict"),
  verdictExpect: byId("verdict-expect"),
  tFirst: byId("t-first", HTMLButtonElement),
  tBack: byId("t-back", HTMLButtonElement),
  tTick: byId("t-tick", HTMLInputElement),
  tOf: byId("t-of"),
  tForward: byId("t-forward", HTMLButtonElement),
  tLast: byId("t-last", HTMLButtonElement),
  copyLink: byId("copy-link", HTMLButtonElement),
  download: byId("download", HTMLButtonElement),
  share: byId("share"),
  linkOut: byId("link-out", HTMLInputElement),
  shareNote: byId("share-note"),
  cycle: byId("cycle"),
  timeline: byId("timeline"),
  stateBody: byId("state-body"),
};

/** The controls that edit one field of the seed file (data-path), and where their errors go. */
const controls = [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-path]")];

/** Bumped by every load and every edit: a scenario that arrives after a newer load or an edit
 *  (the one fetched at boot, say) must not overwrite what the user did meanwhile. */
let editGeneration = 0;
const editor = new SeedEditor((text) => {
  editGeneration++;
  el.builtin.value = ""; // typed or pasted: the user's own scenario, not the built-in one
  validate(text);
});
const timeline = new Timeline(el.timeline, (tick) => setTick(tick));

function status(text: string, kind: "info" | "error" = "info"): void {
  el.status.textContent = text;
  el.status.classList.toggle("error", kind === "error");
}

// ---------------------------------------------------------------------------------------------
// The seed file: validation, variant and run controls

function controlError(c: Element): HTMLElement {
  return byId(`${c.id}-error`);
}

function validate(text: string): void {
  page.seed = undefined;
  page.badControl = false;
  page.validatedText = text;
  let seed: SeedFile | undefined;
  if (utf8Length(text) > MAX_SEED_BYTES) {
    editor.setError({ message: `seed file: larger than ${MAX_SEED_BYTES / 1024} KiB; the sandbox refuses it` });
  } else if (text.trim() === "") {
    editor.setError({ message: "seed file: empty; pick a built-in scenario or paste a seed file" });
  } else {
    try {
      seed = parseSeedFile(text);
      editor.setError(undefined);
    } catch (e) {
      if (!(e instanceof SeedError)) throw e;
      let span = locate(text, e.path);
      if (!span && e.path === "") {
        const at = syntaxErrorOffset(e.detail, text);
        if (at !== undefined) span = { from: at, to: at + 1, exact: true };
      }
      editor.setError({ message: e.message, from: span?.from, to: span?.to });
    }
  }
  page.seed = seed;
  // a result shown for the seed file before this edit no longer matches what the editor says
  if (!seed) hideResult();
  for (const c of controls) {
    c.disabled = !seed;
    fill(controlError(c));
    c.removeAttribute("aria-invalid");
    if (!seed) continue;
    const v = axisValueOrField(seed, c.dataset.path!);
    if (c instanceof HTMLInputElement && c.type === "checkbox") c.checked = v === true;
    else c.value = String(v);
  }
  fill(el.about, seed?.about ?? "");
  const e = seed && expectationFor(seed);
  fill(el.expect, e ? `Expected for this variant: ${describeExpectation(e)}.` : "");
  updateRunButtons();
}

/** A control's value: a variant axis as the model runs it (fs.atomicOpen's default resolved). */
function axisValueOrField(seed: SeedFile, path: string): unknown {
  if ((AXES as string[]).includes(path)) return axisValue(seed, path);
  const [group, key] = path.split(".");
  return (seed as unknown as Record<string, Record<string, unknown>>)[group][key];
}

function describeExpectation(e: Expectation): string {
  return `${e.verdict}${e.invariant ? ` of ${e.invariant}` : ""}${e.cycle ? ` (cycle ${e.cycle.join(" → ")})` : ""}`;
}

/** A control changed: set its field the way `--set path=value` does, and rewrite the editor. */
function applyControl(c: HTMLInputElement | HTMLSelectElement): void {
  const path = c.dataset.path!;
  const value = c instanceof HTMLInputElement && c.type === "checkbox" ? String(c.checked) : c.value.trim();
  const err = controlError(c);
  if (!page.seed) return;
  try {
    const next = parseSeedFile(editor.text, [`${path}=${value}`]);
    editGeneration++;
    editor.text = serializeSeedFile(next);
    validate(editor.text);
    c.removeAttribute("aria-invalid");
  } catch (e) {
    if (!(e instanceof SeedError)) throw e;
    fill(err, e.message);
    c.setAttribute("aria-invalid", "true");
    // the seed file did not take the value: nothing may run with the old one, and the old
    // result is not the result of what the controls now say
    page.badControl = true;
    hideResult();
    updateRunButtons();
  }
}

function updateRunButtons(): void {
  const ready = !!page.module && !!page.seed && !page.badControl && !page.running;
  el.runSweep.disabled = !ready;
  el.runOne.disabled = !ready;
  el.replay.disabled = !ready || !page.seed?.schedule;
  el.stop.disabled = !page.running;
}

function fillSelect(id: string, values: readonly string[]): void {
  fill(byId(id, HTMLSelectElement), ...values.map((v) => h("option", { value: v }, v)));
}

// ---------------------------------------------------------------------------------------------
// Built-in scenarios

interface IndexEntry {
  file: string;
  name: string;
}

async function loadScenarioList(): Promise<void> {
  let entries: IndexEntry[] = [];
  try {
    const res = await fetch("scenarios/index.json");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const raw: unknown = await res.json();
    if (Array.isArray(raw)) {
      entries = raw.filter(
        (x): x is IndexEntry => typeof x === "object" && x !== null && typeof x.file === "string" && /^[A-Za-z0-9._-]+\.json$/.test(x.file) && typeof x.name === "string",
      );
    }
  } catch (e) {
    status(`The built-in scenario list (scenarios/index.json) could not be loaded (${(e as Error).message}); paste a seed file instead.`, "error");
  }
  fill(el.builtin, h("option", { value: "" }, "— your own (pasted, edited or from a link) —"), ...entries.map((x) => h("option", { value: x.file }, x.name)));
  el.builtin.disabled = entries.length === 0;
  page.scenariosLoaded = true;
}

async function loadScenario(file: string): Promise<void> {
  const mine = ++editGeneration;
  const res = await fetch(`scenarios/${encodeURIComponent(file)}`);
  if (!res.ok) {
    status(`Could not load scenarios/${file}: HTTP ${res.status}`, "error");
    return;
  }
  const text = await res.text();
  if (mine !== editGeneration) return;   // a newer load or an edit came first
  el.builtin.value = file;
  editor.text = text;
  validate(text);
}

// ---------------------------------------------------------------------------------------------
// Running

function setRunning(r: { stop(): void } | undefined): void {
  page.running = r;
  updateRunButtons();
}

/** What the progress counts: schedules (random, PCT) or states (dfs). */
function progressUnit(unit: "schedules" | "states"): void {
  el.pDoneLabel.textContent = unit;
  el.pRateLabel.textContent = `${unit}/s`;
}

function showProgress(p: SweepProgress): void {
  progressUnit("schedules");
  el.bar.max = p.total;
  el.bar.value = p.done;
  el.bar.textContent = `${Math.floor((100 * p.done) / p.total)}%`;
  el.pDone.textContent = `${fmt(p.done)} / ${fmt(p.total)}`;
  // a rate over the first fraction of a second mostly measures starting the workers
  el.pRate.textContent = p.elapsedMs > 500 && p.done >= 1000 ? fmt(p.rate) : "–";
  el.pFailures.textContent = fmt(p.failures);
  el.pWorkers.textContent = String(p.workers);
}

/** dfs counts states stored; its budget is a cap on them (none by default), not a total to
 *  reach, so the bar shows no fraction. */
function showDfsProgress(states: number | undefined, elapsedMs: number, failures: number): void {
  progressUnit("states");
  el.bar.removeAttribute("value");
  el.bar.textContent = "searching";
  el.pDone.textContent = states === undefined ? "searching…" : fmt(states);
  el.pRate.textContent = states !== undefined && elapsedMs > 500 ? fmt((states * 1000) / elapsedMs) : "–";
  el.pFailures.textContent = fmt(failures);
  el.pWorkers.textContent = "1";
}

/** "within 2 preemptions", "over the whole state space" */
function dfsSpace(preemptions: number): string {
  return preemptions < 0 ? "over the whole state space" : `within ${plural(preemptions, "preemption")}`;
}

function makeWorker(): WorkerLike {
  return new Worker("worker.js", { type: "module", name: "vfsim sweep" });
}

function describeError(e: unknown): string {
  if (e instanceof ModelTrap) return `model bug (please report it with the seed file): ${e.message}`;
  if (e instanceof ReplayDivergence) return `the recorded schedule does not fit this scenario: ${e.message}`;
  if (e instanceof SeedError) return e.message;
  return (e as Error).message ?? String(e);
}

async function runSweep(): Promise<void> {
  const module = page.module, seed = page.seed;
  if (!module || !seed) return;
  const seedText = serializeSeedFile(seed);
  const { strategy } = seed.run;
  const schedules = scheduleBudget(strategy, seed.run.schedules);
  hideResult();
  el.progress.hidden = false;
  const base = { strategy, seed: seed.run.seed };

  if (strategy === "dfs") {
    const { preemptions } = seed.run;
    fill(el.pOutcome, `Running dfs ${dfsSpace(preemptions)}${seed.run.schedules ? `, storing at most ${fmt(schedules)} states` : ""}…`);
    const run = runDfs({ module, seedText, schedules, preemptions, makeWorker });
    setRunning({ stop: run.stop });
    showDfsProgress(undefined, 0, 0);
    try {
      const o = await run.outcome;
      showDfsProgress(o.states, o.elapsedMs, o.choices ? 1 : 0);
      if (o.status === "stopped") fill(el.pOutcome, "Stopped.");
      else if (!o.choices) fill(el.pOutcome, o.text ?? `verdict: ${o.status}`);
      else {
        fill(el.pOutcome, `Failure found by dfs ${dfsSpace(preemptions)} (${o.covered}).`);
        show(shrunkRun(module, seed, o.choices, { ...base, preemptions }), `dfs ${dfsSpace(preemptions)}`);
      }
    } catch (e) {
      fill(el.pOutcome, describeError(e));
      status(describeError(e), "error");
    } finally {
      setRunning(undefined);
    }
    return;
  }

  fill(el.pOutcome, `Running ${strategy}, ${count(schedules, "schedule")}, seed ${seed.run.seed}…`);
  let latest: SweepProgress | undefined;
  const sweep = new Sweep({
    module,
    seedText,
    strategy,
    seed: seed.run.seed,
    depth: seed.run.depth,
    schedules,
    countAll: !el.stopFirst.checked,
    workers: navigator.hardwareConcurrency || 2,
    makeWorker,
    onProgress: (p) => (latest = p),
  });
  setRunning(sweep);
  const ticker = window.setInterval(() => latest && showProgress(latest), 150);
  showProgress(sweep.progress());
  try {
    const o = await sweep.run();
    showProgress(o);
    const secs = (o.elapsedMs / 1000).toFixed(1);
    if (o.failure) {
      const doubt = o.lowestConfirmed ? "" : " Stopped before every lower-numbered schedule ran, so a lower one may exist.";
      fill(el.pOutcome, `Failing schedule #${o.failure.index} (the lowest-numbered found) after ${count(o.done, "schedule")} in ${secs} s.${doubt}`);
      show(shrunkRun(module, seed, o.failure.choices, { ...base, schedules: o.failure.index + 1 }), `schedule #${o.failure.index} of a ${strategy} sweep, seed ${seed.run.seed}`);
    } else if (o.status === "stopped") {
      fill(el.pOutcome, `Stopped after ${count(o.done, "schedule")} in ${secs} s; no failure found.`);
    } else {
      fill(el.pOutcome, `Inconclusive: no failure in ${count(o.done, "sampled schedule")} (${strategy}, seed ${seed.run.seed}) in ${secs} s. A sweep samples schedules and proves nothing clean; dfs exhausts a bounded space.`);
    }
  } catch (e) {
    fill(el.pOutcome, describeError(e));
    status(describeError(e), "error");
  } finally {
    clearInterval(ticker);
    setRunning(undefined);
  }
}

function runOne(): void {
  const module = page.module, seed = page.seed;
  if (!module || !seed) return;
  fill(el.oneIndexError);
  el.oneIndex.removeAttribute("aria-invalid");
  const raw = el.oneIndex.value.trim();
  const strategy = seed.run.strategy;
  let problem: string | undefined;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > 2 ** 31 - 2) problem = `expected a schedule number from 0 to ${2 ** 31 - 2}, got ${JSON.stringify(raw)}`;
  else if (strategy === "dfs") problem = "schedules are numbered by random and PCT sweeps; set the strategy to random or PCT";
  if (problem) {
    fill(el.oneIndexError, problem);
    el.oneIndex.setAttribute("aria-invalid", "true");
    return;
  }
  if (strategy === "dfs") return;
  const index = Number(raw);
  try {
    const { choices } = runOneSchedule(module, seed, strategy, seed.run.seed, index, seed.run.depth);
    const shown = replayRun(module, seed, choices, { strategy, seed: seed.run.seed });
    shown.report.schedules = index + 1;
    show(shown, `schedule #${index} of ${strategy}, seed ${seed.run.seed}`);
  } catch (e) {
    status(describeError(e), "error");
  }
}

function replayRecorded(seed = page.seed, fromLink = false): boolean {
  const module = page.module;
  if (!module || !seed?.schedule) return false;
  try {
    const choices = decodeSchedule(seed.schedule, seed.threads.length);
    const run = replayRun(module, seed, choices, { strategy: seed.run.strategy, seed: seed.run.seed });
    run.report.replayed = true; // shared or downloaded, a counterexample comes back as it was
    show(run, fromLink ? "the schedule recorded in the link" : "the recorded schedule", undefined, fromLink);
    return true;
  } catch (e) {
    hideResult();
    status(describeError(e), "error");
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Showing a run

function hideResult(): void {
  page.shown = undefined;
  el.result.hidden = true;
  el.share.hidden = true;
}

function verdictText(r: RunReport): string {
  switch (r.verdict) {
    case "deadlock":
      return "Deadlock";
    case "violation":
      return `Violation of ${r.invariant}${r.failTask ? ` by ${r.failTask}` : ""}`;
    case "tick-limit":
      return "Tick limit reached";
    default:
      return "OK: every task finished";
  }
}

function show(run: ShownRun, origin: string, atTick?: number, fromLink = false): void {
  // the address bar holds a link only while it describes what is shown
  if (!fromLink && location.hash) history.replaceState(null, "", `${location.pathname}${location.search}`);
  const shown: Shown = { ...run, origin };
  page.shown = shown;
  const r = run.report;
  const badge = h("strong", { class: `badge verdict-${r.verdict}` }, verdictText(r));
  const size = run.shrunk ? `shrunk from ${sizeText(run.shrunk.before)} to ${sizeText(run.shrunk.after)}` : count(r.ticks ?? 0, "tick");
  fill(el.verdict, badge, ` — ${origin}; ${size}.`, h("br"), h("code", {}, variantLine(run.seed)));
  const e = expectationFor(run.seed);
  if (e) {
    const ok = meets(r, e);
    fill(el.verdictExpect, h("span", { class: ok ? "ok" : "differs" }, ok ? "As the seed file expects" : "Not what the seed file expects"), ` (${describeExpectation(e)}).`);
  } else fill(el.verdictExpect);

  if (r.verdict === "deadlock" && r.cycle?.length) {
    renderCycle(el.cycle, r.cycle, run.recon.at(run.recon.lastTick));
    el.cycle.hidden = false;
  } else if (r.lockdep?.length) {
    fill(el.cycle, h("p", {}, lockdepHeading(r.lockdep)), h("pre", {}, describeLockdep(r.lockdep)));
    el.cycle.hidden = false;
  } else {
    fill(el.cycle);
    el.cycle.hidden = true;
  }
  timeline.render(run);
  el.tTick.max = String(run.recon.lastTick);
  el.tOf.textContent = `of ${run.recon.lastTick}`;
  el.share.hidden = true;
  el.result.hidden = false;
  setTick(atTick ?? run.recon.lastTick);
  status(`${verdictText(r)}: ${count(r.ticks ?? 0, "tick")}, shown at tick ${page.tick}.`);
}

function setTick(tick: number): void {
  const run = page.shown;
  if (!run) return;
  const last = run.recon.lastTick;
  const t = Math.max(0, Math.min(last, Number.isFinite(tick) ? Math.trunc(tick) : last));
  page.tick = t;
  el.tTick.value = String(t);
  el.tFirst.disabled = el.tBack.disabled = t === 0;
  el.tForward.disabled = el.tLast.disabled = t === last;
  timeline.setTick(t);
  const view = run.recon.at(t);
  let ranText = "";
  page.cursor = { tick: t };
  if (t > 0) {
    const who = run.report.choices?.[t - 1] ?? -1;
    const step = run.report.trace?.find((e) => e.tick === t && e.task === who);
    ranText = `${run.enc.threads[who] ?? "?"} ran${step ? `: ${step.text}` : ""}`;
    page.cursor = { tick: t, task: run.enc.threads[who], ...(step ? { step: step.text } : {}) };
  }
  renderState(el.stateBody, view, last, ranText);
}

// ---------------------------------------------------------------------------------------------
// Sharing

/** The counterexample Download saves and Copy link carries: the shrunk failure under its own name
 *  and about (report.ts counterexample), or a recorded one as it was. */
function counterexampleText(run: Shown): string {
  return serializeSeedFile(counterexample(run.seed, run.report, run.shrunk));
}

async function copyLink(): Promise<void> {
  const run = page.shown;
  if (!run) return;
  try {
    const fragment = await encodeLink(counterexampleText(run));
    const url = `${location.origin}${location.pathname}#${fragment}`;
    history.replaceState(null, "", `#${fragment}`);
    el.linkOut.value = url;
    el.share.hidden = false;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      // no clipboard permission (or not a secure context): the link is in the field below
    }
    el.linkOut.focus();
    el.linkOut.select();
    fill(el.shareNote, copied ? `Copied (${fmt(url.length)} characters). It opens this counterexample at tick ${run.recon.lastTick}.` : "Copy it from the field (the clipboard is not available here).");
  } catch (e) {
    fill(el.shareNote, describeError(e));
    el.share.hidden = false;
  }
}

function download(): void {
  const run = page.shown;
  if (!run) return;
  const blob = new Blob([counterexampleText(run)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const name = counterexampleName(run.seed, run.report);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  status(`Saved ${name}; replay it with: vfsim replay FILE`);
}

/** Open the counterexample in the URL fragment, if there is one. */
async function openFromHash(): Promise<boolean> {
  let text: string | undefined;
  try {
    text = await decodeLink(location.hash);
  } catch (e) {
    if (!(e instanceof LinkError)) throw e;
    status(`This link cannot be opened: ${e.message}`, "error");
    return true;
  }
  if (text === undefined) return false;
  el.builtin.value = "";
  editGeneration++;
  editor.text = text;
  validate(text);
  const seed = page.seed;
  if (!seed) {
    hideResult();
    status("The seed file in this link is not valid; the error is marked in the editor. Nothing was run.", "error");
    return true;
  }
  if (!seed.schedule) {
    hideResult();
    status("The seed file in this link records no schedule; it is in the editor, ready to run.");
    return true;
  }
  if (replayRecorded(seed, true)) status(`Opened the counterexample from the link: ${verdictText(page.shown!.report)}, shown at tick ${page.tick}.`);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Wiring

function wire(): void {
  fillSelect("v-order", ORDERS);
  fillSelect("v-prime", PRIMES);
  fillSelect("v-rwsem", RWSEMS);
  fillSelect("v-waitqueue", WAITQUEUES);
  fillSelect("v-fs", FS_TYPES);
  fillSelect("v-iterate", ITERATES);
  fillSelect("v-series", SERIES);
  for (const c of controls) c.addEventListener("change", () => applyControl(c));
  el.builtin.addEventListener("change", () => {
    if (el.builtin.value) void loadScenario(el.builtin.value);
  });
  el.runSweep.addEventListener("click", () => void runSweep());
  el.stop.addEventListener("click", () => page.running?.stop());
  el.runOne.addEventListener("click", runOne);
  el.replay.addEventListener("click", () => replayRecorded());
  el.tFirst.addEventListener("click", () => setTick(0));
  el.tBack.addEventListener("click", () => setTick(page.tick - 1));
  el.tForward.addEventListener("click", () => setTick(page.tick + 1));
  el.tLast.addEventListener("click", () => setTick(Infinity));
  el.tTick.addEventListener("change", () => setTick(Number(el.tTick.value)));
  el.copyLink.addEventListener("click", () => void copyLink());
  el.download.addEventListener("click", download);
  el.result.addEventListener("keydown", (ev) => {
    const target = ev.target as HTMLElement;
    if (target.closest("input, textarea, select")) return;
    const to = { ArrowLeft: page.tick - 1, ArrowRight: page.tick + 1, Home: 0, End: Infinity }[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    setTick(to);
  });
  window.addEventListener("hashchange", () => void openFromHash());
  editor.textarea.placeholder = '{ "vfsim": 1, "threads": [{ "name": "T", "ops": [{ "op": "stat", "path": "/a" }] }] }';
}

async function compile(): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compileStreaming(fetch("vfsim.wasm"));
  } catch {
    // a static host that does not send application/wasm: compile from the bytes instead
    const res = await fetch("vfsim.wasm");
    if (!res.ok) throw new Error(`vfsim.wasm: HTTP ${res.status}`);
    return WebAssembly.compile(await res.arrayBuffer());
  }
}

async function boot(): Promise<void> {
  wire();
  for (const c of controls) c.disabled = true;
  const [module] = await Promise.all([compile(), loadScenarioList()]);
  page.module = module;
  updateRunButtons();
  const fromLink = await openFromHash();
  if (!fromLink) {
    const options = [...el.builtin.options].map((o) => o.value).filter(Boolean);
    const first = options.includes(DEFAULT_SCENARIO) ? DEFAULT_SCENARIO : options[0];
    if (first) await loadScenario(first);
    if (!el.status.classList.contains("error")) status(`Ready: the model runs here, with ${navigator.hardwareConcurrency || 2} workers for sweeps.`);
  }
}

// ---------------------------------------------------------------------------------------------
// A read-only view for automation (the browser tests): what is shown, as data.

window.vfsimSandbox = {
  ready: () => !!page.module && page.scenariosLoaded,
  busy: () => !!page.running,
  validated: () => ({ text: page.validatedText, valid: !!page.seed }),
  shown: () => {
    const run = page.shown;
    if (!run) return null;
    return {
      origin: run.origin,
      verdict: run.report.verdict,
      cycle: run.report.cycle?.map((c) => c.task),
      ticks: run.report.ticks ?? 0,
      tick: page.tick,
      cursor: page.cursor ?? { tick: page.tick },
      ...(run.shrunk ? { shrunk: run.shrunk } : {}),
      schedule: run.report.schedule ?? "",
      seedFile: counterexampleText(run),
      traceWords: Array.from(run.words),
    };
  },
};

boot().catch((e) => status(`The sandbox failed to start: ${describeError(e)}`, "error"));
