/**
 * The browser sandbox (GitHub issue 4), in real headless Chromium (Debian's package, driven by
 * playwright-core) against the static copy in dist/web/ served by scripts/serve-web.mjs. Its
 * DOM-free parts run in Node: web.test.ts.
 *
 * Needs `npm run build` first (pretest does it). The Chromium is $VFSIM_CHROMIUM, else a system
 * one (/usr/bin/chromium), else the one npm installs (@sparticuz/chromium): test/chromium.ts. A
 * browser that fails to launch FAILS these tests, it does not skip them.
 * Artifacts (screenshot, downloaded counterexample) go to test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startServer, type StaticServer } from "../scripts/serve-web.mjs";
import { replay } from "../host/core/run";
import { counterexample } from "../host/core/report";
import { encodeScenario, parseSeedFile, serializeSeedFile } from "../host/core/seed";
import { decodeSchedule } from "../host/core/schedule";
import { Model } from "../host/core/wasm";
import { decodeLink, encodeLink } from "../host/web/link";
import { replayRun, runOneSchedule, traceBytes } from "../host/web/session";
import { chooseChromium, findChromium } from "./chromium";
import { fixture, killRun, nodeRun, SCENARIO_A, wasmModule } from "./web_helpers";

const ARTIFACTS = "test-artifacts";
const LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// ---------------------------------------------------------------------------------------------
// Chromium

async function launch(): Promise<{ ctx: BrowserContext; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "vfsim-chromium-"));
  const { path } = await findChromium();
  const ctx = await chromium.launchPersistentContext(dir, { executablePath: path, headless: true, args: LAUNCH_ARGS, viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
  return { ctx, dir };
}

async function openPage(ctx: BrowserContext, url: string): Promise<Page> {
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(url);
  await page.waitForFunction(() => window.vfsimSandbox?.ready(), null, { timeout: 30_000 });
  return page;
}

const pageErrors = (page: Page) => (page as Page & { errors: string[] }).errors;

/** Put a seed file into the editor as a paste would, and wait until it validates. */
async function paste(page: Page, text: string): Promise<void> {
  await page.fill("#seed-text", text);
  await page.waitForFunction((t) => window.vfsimSandbox.validated().text === t, text, { timeout: 60_000 });
  expect((await page.evaluate(() => window.vfsimSandbox.validated())).valid).toBe(true);
}

async function sweepUntilShown(page: Page): Promise<NonNullable<ReturnType<Window["vfsimSandbox"]["shown"]>>> {
  await page.click("#run-sweep");
  await page.waitForFunction(() => !window.vfsimSandbox.busy() && window.vfsimSandbox.shown() !== null, null, { timeout: 60_000 });
  return (await page.evaluate(() => window.vfsimSandbox.shown()))!;
}

describe("which Chromium the browser tests use", () => {
  const none = () => false;
  it("VFSIM_CHROMIUM first, even when a system Chromium exists", () => {
    expect(chooseChromium({ VFSIM_CHROMIUM: "/opt/c/chrome" }, () => true)).toEqual({ source: "VFSIM_CHROMIUM", path: "/opt/c/chrome" });
  });
  it("a VFSIM_CHROMIUM that does not exist is an error, not a fallback", () => {
    expect(() => chooseChromium({ VFSIM_CHROMIUM: "/nope/chrome" }, (p) => p === "/usr/bin/chromium")).toThrow(/VFSIM_CHROMIUM=\/nope\/chrome: no such file/);
  });
  it("then Debian's /usr/bin/chromium, then /usr/bin/chromium-browser", () => {
    expect(chooseChromium({}, () => true)).toEqual({ source: "system", path: "/usr/bin/chromium" });
    expect(chooseChromium({ VFSIM_CHROMIUM: "" }, (p) => p === "/usr/bin/chromium-browser")).toEqual({ source: "system", path: "/usr/bin/chromium-browser" });
  });
  it("else the Chromium npm installs (@sparticuz/chromium), and playwright-core launches it with our flags", async () => {
    expect(chooseChromium({}, none)).toEqual({ source: "@sparticuz/chromium" });
    const { default: packaged } = await import("@sparticuz/chromium");
    const dir = mkdtempSync(join(tmpdir(), "vfsim-chromium-"));
    const ctx = await chromium.launchPersistentContext(dir, { executablePath: await packaged.executablePath(), headless: true, args: LAUNCH_ARGS });
    try {
      const page = await ctx.newPage();
      const sum = await page.evaluate(async () => {
        // The smallest module that adds two i32s: what the page needs is WebAssembly in a headless tab.
        const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11]);
        const { instance } = await WebAssembly.instantiate(bytes);
        return (instance.exports.add as (a: number, b: number) => number)(40, 2);
      });
      expect(sum).toBe(42);
    } finally {
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the sandbox page in headless Chromium", () => {
  let server: StaticServer;
  let browser: { ctx: BrowserContext; dir: string };

  beforeAll(async () => {
    for (const f of ["dist/web/index.html", "dist/web/main.js", "dist/web/worker.js", "dist/web/vfsim.wasm"]) {
      if (!existsSync(f)) throw new Error(`${f} missing: run \`npm run build\` first`);
    }
    if (!existsSync("dist/web/scenarios/index.json")) {
      throw new Error("dist/web/scenarios/index.json missing: scripts/build.mjs must call writeScenarioIndex() from scripts/web-index.mjs");
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ root: "dist/web", port: 0 });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.ctx.close();
    if (browser) rmSync(browser.dir, { recursive: true, force: true });
    await server?.close();
  });

  it("finds scenario (a)'s deadlock under the proposed order, draws the cycle, steps, and shares it as a link", async () => {
    const page = await openPage(browser.ctx, server.url);
    await page.selectOption("#builtin", SCENARIO_A);
    await page.waitForFunction(() => (document.getElementById("seed-text") as HTMLTextAreaElement).value.includes("a-readdirplus-prime-lookup-mkdir-deadlock"));
    // the variant controls rewrite the seed file
    await page.selectOption("#v-order", "current");
    expect(await page.inputValue("#seed-text")).toContain('"order": "current"');
    expect(await page.textContent("#seed-expect")).toContain("ok");
    await page.selectOption("#v-order", "proposed");
    expect(await page.inputValue("#seed-text")).toContain('"order": "proposed"');
    // fs.atomicOpen shows the filesystem's default (nfs: NFSv4) and writes an explicit value
    expect(await page.isChecked("#v-atomicOpen")).toBe(true);
    await page.uncheck("#v-atomicOpen");
    expect(await page.inputValue("#seed-text")).toContain('"atomicOpen": false');
    await page.check("#v-atomicOpen");
    expect(await page.inputValue("#seed-text")).toContain('"atomicOpen": true');
    await page.selectOption("#r-strategy", "random");

    const shown = await sweepUntilShown(page);
    expect(shown.verdict).toBe("deadlock");
    expect(shown.cycle).toEqual(["R", "L", "W"]);
    expect(shown.tick).toBe(shown.ticks); // positioned at the failing tick
    expect(await page.textContent("#p-outcome")).toMatch(/Failing schedule #\d+/);

    // the cycle getdents -> stat -> mkdir, each edge labelled with its kind
    const nodes = await page.$$eval("#cycle .cycle-node", (gs) => gs.map((g) => g.textContent ?? ""));
    expect(nodes).toHaveLength(3);
    expect(nodes[0]).toMatch(/^R.*getdents\("\/d"\)/);
    expect(nodes[1]).toMatch(/^L.*stat\("\/d\/x"\)/);
    expect(nodes[2]).toMatch(/^W.*mkdir\("\/d\/y"\)/);
    expect(await page.$$eval("#cycle .cycle-edge", (gs) => gs.map((g) => g.getAttribute("data-kind")))).toEqual(["in-lookup wait", "rwsem read", "rwsem write"]);
    expect(await page.textContent("#cycle .cycle-list")).toContain("R (getdents(\"/d\")) waits for L (stat(\"/d/x\")): in-lookup wait");
    expect(await page.locator(".step.forming").count()).toBeGreaterThanOrEqual(4);

    // the lanes: one per task, every tick a row
    expect(await page.$$eval(".lanes thead .lane-name", (ths) => ths.map((t) => t.textContent))).toEqual(["R", "L", "W"]);
    expect(await page.locator(".lanes tbody tr").count()).toBe(shown.ticks + 1);
    expect(await page.getAttribute(".lanes tr.current", "data-tick")).toBe(String(shown.ticks));
    // at the failing tick: R holds i_rwsem(d) shared, W and L queue behind it
    const state = await page.textContent("#state");
    expect(state).toContain("From the model's own tables after this tick");
    expect(state).toContain("i_rwsem(d)R readW writeL read");

    // step back, forward, jump
    await page.click("#t-back");
    expect(await page.inputValue("#t-tick")).toBe(String(shown.ticks - 1));
    expect(await page.textContent("#state .at")).toContain(`After tick ${shown.ticks - 1} of ${shown.ticks}`);
    await page.click("#t-forward");
    expect(await page.inputValue("#t-tick")).toBe(String(shown.ticks));
    await page.fill("#t-tick", "3");
    await page.press("#t-tick", "Enter");
    expect(await page.getAttribute(".lanes tr.current", "data-tick")).toBe("3");
    expect(await page.locator(".lanes tr.future").count()).toBe(shown.ticks - 3);
    await page.click("#t-first");
    expect(await page.textContent("#state .at")).toBe("Before the first tick.");
    await page.focus("#timeline");
    await page.keyboard.press("ArrowRight");
    expect(await page.inputValue("#t-tick")).toBe("1");
    await page.keyboard.press("End");
    expect(await page.inputValue("#t-tick")).toBe(String(shown.ticks));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, "browser-deadlock.png"), fullPage: true });

    // copy the link; it carries the counterexample
    await browser.ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url.replace(/\/$/, "") });
    await page.click("#copy-link");
    await page.waitForFunction(() => (document.getElementById("link-out") as HTMLInputElement).value.includes("#s="));
    const link = await page.inputValue("#link-out");
    expect(link.startsWith(`${server.url}#s=`)).toBe(true);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    const carried = await decodeLink(new URL(link).hash);
    expect(carried).toBe(shown.seedFile);
    expect(parseSeedFile(carried!).schedule).toBe(shown.schedule);

    // a fresh browser (another profile: as good as another machine) opens the same trace at the failing tick
    const other = await launch();
    try {
      const fresh = await openPage(other.ctx, link);
      await fresh.waitForFunction(() => window.vfsimSandbox.shown() !== null);
      const again = (await fresh.evaluate(() => window.vfsimSandbox.shown()))!;
      expect(again.traceWords).toEqual(shown.traceWords);
      expect(again.schedule).toBe(shown.schedule);
      expect(again.tick).toBe(shown.ticks);
      expect(await fresh.$$eval("#cycle .cycle-node", (gs) => gs.map((g) => g.getAttribute("data-task")))).toEqual(["R", "L", "W"]);
      expect(await fresh.getAttribute(".lanes tr.current", "data-tick")).toBe(String(shown.ticks));
      expect(pageErrors(fresh)).toEqual([]);
    } finally {
      await other.ctx.close();
      rmSync(other.dir, { recursive: true, force: true });
    }
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("downloads a counterexample that `vfsim replay` accepts", async () => {
    const page = await openPage(browser.ctx, server.url);
    await paste(page, serializeSeedFile(parseSeedFile(fixture(SCENARIO_A), ["run.strategy=pct", "run.seed=5"])));
    const shown = await sweepUntilShown(page);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    expect(download.suggestedFilename()).toMatch(/^a-readdirplus-prime-lookup-mkdir-deadlock\.deadlock\.[0-9a-f]{8}\.json$/);
    const file = join(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(file);
    expect(readFileSync(file, "utf8")).toBe(shown.seedFile);
    const out = await promisify(execFile)(process.execPath, ["bin/vfsim.mjs", "replay", file, "--json"]).catch((e) => e as { stdout: string; code: number });
    const json = JSON.parse(out.stdout);
    expect(json.verdict).toBe("deadlock");
    expect(json.reproduced).toBe(true);
    expect(json.schedule).toBe(shown.schedule);
    await page.close();
  });

  it("determinism: the same seed file and seed give the same trace bytes in Chromium and in Node", async () => {
    const page = await openPage(browser.ctx, server.url);
    const cases: { file: string; sets: string[] }[] = [
      { file: SCENARIO_A, sets: ["run.strategy=random", "run.seed=12345"] },
      { file: SCENARIO_A, sets: ["run.strategy=pct", "run.seed=7"] },
      { file: "c8-procfs-readdir-lookup-writer.json", sets: ["run.strategy=pct", "run.seed=7"] },
      { file: "b-procfs-d_alloc_locked-needs-lock_lookup.json", sets: ["run.strategy=random", "run.seed=99"] },
    ];
    for (const c of cases) {
      const seed = parseSeedFile(fixture(c.file), c.sets);
      const expected = await nodeRun(seed);
      await paste(page, serializeSeedFile(seed));
      const shown = await sweepUntilShown(page);
      const what = `${c.file} ${c.sets.join(" ")}`;
      expect(shown.origin, what).toContain(`schedule #${expected.index} `);
      expect(shown.schedule, what).toBe(expected.schedule);
      expect(Buffer.from(traceBytes(Int32Array.from(shown.traceWords))).equals(Buffer.from(traceBytes(Int32Array.from(expected.words)))), what).toBe(true);
    }

    // one schedule by number, whatever its verdict
    const seed = parseSeedFile(fixture("failed-lookup-waiters-retry.json"), ["run.strategy=random", "run.seed=42"]);
    await paste(page, serializeSeedFile(seed));
    await page.fill("#one-index", "17");
    await page.click("#run-one");
    await page.waitForFunction(() => window.vfsimSandbox.shown()?.origin.includes("#17"));
    const one = (await page.evaluate(() => window.vfsimSandbox.shown()))!;
    const module = await wasmModule();
    const { choices } = runOneSchedule(module, seed, "random", 42n, 17, seed.run.depth);
    const model = new Model(module);
    const enc = encodeScenario(seed);
    model.load(enc.words);
    expect(one.verdict).toBe("ok");
    expect(one.traceWords).toEqual(Array.from(replay(model, choices).events));
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("treats a seed file from a link as untrusted: validated first, bounded, names rendered as text", async () => {
    // an invalid seed file: the error is shown at the offending field and nothing runs
    const bad = JSON.parse(fixture(SCENARIO_A));
    bad.threads[1].ops[0].op = "stta";
    let page = await openPage(browser.ctx, `${server.url}#${await encodeLink(JSON.stringify(bad, null, 2))}`);
    await page.waitForFunction(() => document.getElementById("seed-error")!.textContent !== "");
    expect(await page.textContent("#seed-error")).toContain('threads[1].ops[0].op: unknown op "stta"');
    expect(await page.textContent(".editor .backdrop mark")).toBe('"op": "stta"');
    expect(await page.textContent(".editor .notes")).toContain("unknown op");
    expect(await page.evaluate(() => window.vfsimSandbox.shown())).toBeNull();
    expect(await page.isHidden("#result")).toBe(true);
    expect(await page.isDisabled("#run-sweep")).toBe(true);
    await page.close();

    // oversized: refused before parsing
    const packed = new Uint8Array(await new Response(new Blob([" ".repeat(1 << 20)]).stream().pipeThrough(new CompressionStream("deflate-raw"))).arrayBuffer());
    page = await openPage(browser.ctx, `${server.url}#s=${Buffer.from(packed).toString("base64url")}`);
    await page.waitForFunction(() => document.getElementById("status")!.classList.contains("error"));
    expect(await page.textContent("#status")).toContain("larger than 64 KiB");
    await page.close();

    // markup in names stays text
    const evil = "<img src=x onerror=pwned=1>";
    const seed = parseSeedFile(
      JSON.stringify({
        vfsim: 1,
        name: "<b>bold</b>",
        tree: { "/d": [evil] },
        cached: ["/d"],
        threads: [
          { name: evil, ops: [{ op: "stat", path: `/d/${evil}` }] },
          { name: "<script>window.pwned=2</script>".slice(0, 32), ops: [{ op: "getdents", path: "/d" }] },
        ],
        run: { strategy: "random", seed: 1 },
      }),
    );
    const module = await wasmModule();
    const { choices } = runOneSchedule(module, seed, "random", 1n, 0, 3);
    const ce = counterexample(seed, replayRun(module, seed, choices, { strategy: "random", seed: 1n }).report);
    page = await openPage(browser.ctx, `${server.url}#${await encodeLink(serializeSeedFile(ce))}`);
    await page.waitForFunction(() => window.vfsimSandbox.shown() !== null);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator("img, script:not([src]), b").count()).toBe(0);
    expect(await page.textContent(".lanes thead")).toContain(evil);
    expect(await page.textContent("#timeline")).toContain(`stat("/d/${evil}")`);
    expect(decodeSchedule(ce.schedule!, 2)).toEqual(choices);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("the state panel shows a pending SIGKILL under the task's status", async () => {
    const run = killRun(await wasmModule());
    const ce = counterexample(run.seed, run.report);
    const page = await openPage(browser.ctx, `${server.url}#${await encodeLink(serializeSeedFile(ce))}`);
    await page.waitForFunction(() => window.vfsimSandbox.shown() !== null);
    const rows = await page.$$eval("#state .kv tbody tr", (trs) => trs.map((tr) => [tr.querySelector("th")?.textContent ?? "", tr.querySelector(".pending")?.textContent ?? ""]));
    expect(rows.filter(([, p]) => p)).toEqual([["R", "pending: SIGKILL"]]);
    expect(rows.map(([t]) => t)).toEqual(expect.arrayContaining(["R", "L", "W", "K"]));
    await page.click("#t-first");
    expect(await page.locator("#state .pending").count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("shrinks a failure before showing, sharing or downloading it, as `vfsim run` does: the same counterexample file", async () => {
    const page = await openPage(browser.ctx, server.url);
    const seed = parseSeedFile(fixture(SCENARIO_A), ["kernel.order=proposed", "run.strategy=random", "run.seed=1"]);
    const text = serializeSeedFile(seed);
    await paste(page, text);
    const shown = await sweepUntilShown(page);
    // found with many preemptions, shown with the one `vfsim shrink` leaves
    const expected = await nodeRun(seed);
    expect(shown.schedule).toBe(expected.schedule);
    expect(shown.schedule).not.toBe(expected.found);
    expect(shown.shrunk?.before.preemptions).toBeGreaterThan(1);
    expect(shown.shrunk?.after).toEqual({ ticks: 15, preemptions: 1, threads: 3, ops: 3 });
    expect(await page.textContent("#verdict")).toContain("shrunk from");
    // byte for byte what the CLI writes for the same seed file
    const file = join(ARTIFACTS, "page-vs-cli.json");
    const dir = mkdtempSync(join(tmpdir(), "vfsim-page-cli-"));
    writeFileSync(file, text);
    const out = await promisify(execFile)(process.execPath, ["bin/vfsim.mjs", "run", file, "--out", dir, "--json"]).catch((e) => e as { stdout: string });
    const cli = readFileSync(JSON.parse(out.stdout).file, "utf8");
    expect(shown.seedFile).toBe(cli);
    const cx = parseSeedFile(shown.seedFile);
    expect(cx.name).toBe("a-readdirplus-prime-lookup-mkdir-deadlock.deadlock");
    expect(cx.from).toBe("a-readdirplus-prime-lookup-mkdir-deadlock");
    expect(cx.about).toContain(`Found by random schedule #${expected.index}, seed 1; shrunk from`);
    rmSync(dir, { recursive: true, force: true });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("says what dfs counted: states and end states, not schedules; no state cap shown as a total", async () => {
    const page = await openPage(browser.ctx, server.url);
    await paste(page, serializeSeedFile(parseSeedFile(fixture(SCENARIO_A), ["kernel.order=proposed", "run.strategy=dfs", "run.preemptions=1"])));
    const shown = await sweepUntilShown(page);
    expect(shown.verdict).toBe("deadlock");
    expect(await page.textContent("#p-done-label")).toBe("states");
    expect(await page.textContent("#p-rate-label")).toBe("states/s");
    expect(await page.getAttribute("#progress-bar", "value")).toBeNull(); // no fraction of a cap
    const outcome = (await page.textContent("#p-outcome"))!;
    expect(outcome).toMatch(/^Failure found by dfs within 1 preemption \(\d+ states, \d+ transitions, \d+ end states?; bound 0 covered completely, bound 1 searched until the failure\)\.$/);
    expect(outcome).not.toContain("schedules");
    expect(await page.textContent("#p-done")).not.toContain("/");
    expect(shown.origin).toBe("dfs within 1 preemption");
    // a clean dfs says what it exhausted
    await page.selectOption("#v-order", "current");
    await page.click("#run-sweep");
    await page.waitForFunction(() => !window.vfsimSandbox.busy() && document.getElementById("p-outcome")!.textContent!.startsWith("verdict"));
    expect(await page.textContent("#p-outcome")).toMatch(/^verdict: ok \(dfs, every schedule within 1 preemption exhausted: \d+ states, \d+ transitions, \d+ end states/);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("the controls: a pasted file is the user's own, Schedules 0 disables Run, an invalid edit clears the old result", async () => {
    const page = await openPage(browser.ctx, server.url);
    await page.waitForFunction(() => (document.getElementById("builtin") as HTMLSelectElement).value !== "");
    await paste(page, serializeSeedFile(parseSeedFile(fixture(SCENARIO_A), ["kernel.order=proposed", "run.strategy=pct", "run.seed=5"])));
    expect(await page.inputValue("#builtin")).toBe("");
    expect(await page.$eval("#builtin", (s) => (s as HTMLSelectElement).selectedOptions[0].textContent)).toContain("your own");
    await sweepUntilShown(page);
    expect(await page.isVisible("#result")).toBe(true);
    // Schedules 0: refused beside the field, Run disabled, the old result gone
    await page.fill("#r-schedules", "0");
    await page.press("#r-schedules", "Enter");
    await page.dispatchEvent("#r-schedules", "change");
    expect(await page.textContent("#r-schedules-error")).toContain("run.schedules");
    expect(await page.isDisabled("#run-sweep")).toBe(true);
    expect(await page.isDisabled("#run-one")).toBe(true);
    expect(await page.isHidden("#result")).toBe(true);
    expect(await page.evaluate(() => window.vfsimSandbox.shown())).toBeNull();
    await page.fill("#r-schedules", "500");
    await page.dispatchEvent("#r-schedules", "change");
    expect(await page.textContent("#r-schedules-error")).toBe("");
    expect(await page.isDisabled("#run-sweep")).toBe(false);
    // an invalid edit of the text clears the result shown for the old text
    await sweepUntilShown(page);
    expect(await page.isVisible("#result")).toBe(true);
    await page.fill("#seed-text", '{ "vfsim": 1, "threads": [] ');
    await page.waitForFunction(() => !window.vfsimSandbox.validated().valid);
    expect(await page.isHidden("#result")).toBe(true);
    expect(await page.evaluate(() => window.vfsimSandbox.shown())).toBeNull();
    expect(await page.isDisabled("#run-sweep")).toBe(true);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("long names: the cycle drawing holds its labels and titles, the edge list and the tables fit; shown().cursor", async () => {
    const page = await openPage(browser.ctx, server.url);
    const a = JSON.parse(fixture(SCENARIO_A));
    const dir = "/directory_with_a_rather_long_name";
    const name = (c: string) => `${c}_${"WideMMMWWWlongthreadname".repeat(2)}`.slice(0, 32);
    Object.assign(a, {
      name: "long-names", variants: {}, expect: [], kernel: { ...a.kernel, order: "proposed" },
      tree: { [dir]: ["a_file_name_that_is_rather_long_indeed_and_longer"] }, cached: [dir],
      threads: [
        { name: name("R"), ops: [{ op: "getdents", path: dir }] },
        { name: name("L"), ops: [{ op: "stat", path: `${dir}/a_file_name_that_is_rather_long_indeed_and_longer` }] },
        { name: name("W"), ops: [{ op: "mkdir", path: `${dir}/another_new_directory_with_a_long_name` }] },
      ],
      run: { strategy: "random", seed: 1 },
    });
    await paste(page, JSON.stringify(a, null, 2));
    const shown = await sweepUntilShown(page);
    expect(shown.verdict).toBe("deadlock");
    // every text of a node inside its box; every edge label inside the drawing
    const geometry = await page.evaluate(() => {
      const svg = document.querySelector<SVGSVGElement>("#cycle svg")!;
      const vb = svg.viewBox.baseVal;
      const nodes = [...svg.querySelectorAll<SVGGElement>(".cycle-node")].map((g) => {
        const rect = g.querySelector("rect")!.getBBox();
        return [...g.querySelectorAll<SVGTextElement>("text")].map((t) => {
          const b = t.getBBox();
          return { text: t.textContent, inside: b.x >= rect.x && b.x + b.width <= rect.x + rect.width && b.y >= rect.y && b.y + b.height <= rect.y + rect.height };
        });
      });
      const labels = [...svg.querySelectorAll<SVGTextElement>(".edge-label")].map((t) => {
        const b = t.getBBox();
        return { text: t.textContent, inside: b.x >= vb.x && b.x + b.width <= vb.x + vb.width && b.y >= vb.y && b.y + b.height <= vb.y + vb.height };
      });
      return { nodes, labels };
    });
    for (const node of geometry.nodes) for (const t of node) expect(t.inside, t.text!).toBe(true);
    expect(geometry.nodes.flat().some((t) => t.text!.endsWith("…"))).toBe(true); // cut to fit, in full in the title and the list
    expect(geometry.labels).toHaveLength(3);
    for (const l of geometry.labels) expect(l.inside, l.text!).toBe(true);
    expect(await page.textContent(".cycle-list")).toContain(`${name("R")} (getdents("${dir}")) waits for ${name("L")}`);
    // in a narrow window the numbered edge list wraps inside the panel, and the drawing shrinks to it
    await page.setViewportSize({ width: 600, height: 1000 });
    const fits = await page.evaluate(() => {
      const panel = document.getElementById("cycle")!.getBoundingClientRect();
      const list = document.querySelector(".cycle-list")!;
      return {
        items: [...list.querySelectorAll("li")].map((li) => li.getBoundingClientRect().right <= panel.right + 0.5),
        list: list.scrollWidth <= list.clientWidth,
        svg: document.querySelector("#cycle svg")!.getBoundingClientRect().right <= panel.right + 0.5,
      };
    });
    expect(fits).toEqual({ items: [true, true, true], list: true, svg: true });
    await page.setViewportSize({ width: 1440, height: 1000 });
    // the state tables: no header word broken across lines ("hashe d")
    const broken = await page.evaluate(() => {
      const out: string[] = [];
      for (const th of document.querySelectorAll<HTMLElement>("#state .kv thead th")) {
        const node = th.firstChild!;
        const text = node.textContent!;
        let at = 0;
        for (const word of text.split(" ")) {
          const r = document.createRange();
          r.setStart(node, at);
          r.setEnd(node, at + word.length);
          if (word && new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size > 1) out.push(word);
          at += word.length + 1;
        }
      }
      return out;
    });
    expect(broken).toEqual([]);
    // shown().cursor: the tick, who ran at it and its step, as the state panel says
    expect(shown.cursor).toMatchObject({ tick: shown.ticks });
    await page.click("#t-back");
    const cur = (await page.evaluate(() => window.vfsimSandbox.shown()))!.cursor;
    expect(cur.tick).toBe(shown.ticks - 1);
    expect(a.threads.map((t: { name: string }) => t.name)).toContain(cur.task);
    expect(await page.textContent("#state .at")).toContain(`${cur.task} ran: ${cur.step}`);
    await page.click("#t-first");
    expect((await page.evaluate(() => window.vfsimSandbox.shown()))!.cursor).toEqual({ tick: 0 });
    await page.screenshot({ path: join(ARTIFACTS, "browser-long-names.png"), fullPage: true });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("the sticky lane header never covers the cursor row when a long trace scrolls to it", async () => {
    const page = await openPage(browser.ctx, server.url);
    await paste(page, serializeSeedFile(parseSeedFile(readFileSync("fixtures/scale/nfs-readdirplus-3x3x3.json", "utf8"), ["run.strategy=random", "run.seed=1", "variants=null", "expect=null"])));
    await page.fill("#one-index", "0");
    await page.click("#run-one");
    await page.waitForFunction(() => window.vfsimSandbox.shown() !== null);
    expect(await page.$eval("#timeline", (t) => t.scrollHeight > 3 * t.clientHeight)).toBe(true);
    const rowTopMinusHeader = async () => page.evaluate(() => {
      const head = document.querySelector(".lanes thead th.lane-head")!.getBoundingClientRect();
      const row = document.querySelector(".lanes tr.current")!.getBoundingClientRect();
      return row.top - head.bottom;
    });
    for (const tick of ["3", "10", "0"]) {
      await page.$eval("#timeline", (t) => (t.scrollTop = t.scrollHeight));
      await page.fill("#t-tick", tick);
      await page.press("#t-tick", "Enter");
      expect(await page.getAttribute(".lanes tr.current", "data-tick")).toBe(tick);
      expect(await rowTopMinusHeader(), `tick ${tick}`).toBeGreaterThanOrEqual(-1);
    }
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it("procfs steps name proc entries, not a server", async () => {
    const page = await openPage(browser.ctx, server.url);
    await paste(page, serializeSeedFile(parseSeedFile(fixture("c8-procfs-readdir-lookup-writer.json"), ["fs.prime=d_alloc_trylock", "run.strategy=pct", "run.seed=7"])));
    await sweepUntilShown(page);
    const trace = (await page.textContent("#timeline"))!;
    expect(trace).toContain("proc entry");
    expect(trace).not.toContain("server");
    await page.close();
  });
});
