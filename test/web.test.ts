/**
 * The browser sandbox's DOM-free parts, in Node: the static server (scripts/serve-web.mjs), links,
 * the editor's field locator, the sweep's lowest-index rule and the state reconstruction. The page
 * itself, in headless Chromium: browser.test.ts.
 *
 * Needs `npm run build` first (pretest does it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { startServer, type StaticServer } from "../scripts/serve-web.mjs";
import { encodeScenario, parseSeedFile, serializeSeedFile } from "../host/core/seed";
import { Model } from "../host/core/wasm";
import { locate } from "../host/web/jsonpos";
import { decodeLink, encodeLink, LinkError, MAX_LINK_CHARS } from "../host/web/link";
import type { FromWorker, ToWorker } from "../host/web/protocol";
import { replayRun, runOneSchedule } from "../host/web/session";
import { Sweep, type WorkerLike } from "../host/web/sweep";
import { Sweeper } from "../host/web/sweeper";
import { fixture, killRun, nodeRun, SCENARIO_A, wasmModule } from "./web_helpers";

// ---------------------------------------------------------------------------------------------
// Node: the static server

function rawGet(port: number, path: string, method = "GET"): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("scripts/serve-web.mjs", () => {
  let server: StaticServer;
  beforeAll(async () => {
    server = await startServer({ root: "dist/web", port: 0 });
  });
  afterAll(() => server?.close());

  it("listens on 127.0.0.1 and serves the page with the right MIME types", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const cases: [string, string][] = [
      ["/", "text/html"],
      ["/index.html", "text/html"],
      ["/main.js", "text/javascript"],
      ["/worker.js", "text/javascript"],
      ["/style.css", "text/css"],
      ["/vfsim.wasm", "application/wasm"],
      ["/scenarios/index.json", "application/json"],
    ];
    for (const [path, type] of cases) {
      const r = await rawGet(server.port, path);
      expect(r.status, path).toBe(200);
      expect(r.type, path).toContain(type);
    }
  });

  it("never serves a file outside its root", async () => {
    const attempts = [
      "/../package.json",
      "/..%2fpackage.json",
      "/%2e%2e/package.json",
      "/%2e%2e%2fpackage.json",
      "/scenarios/../../package.json",
      "/scenarios/%2e%2e/%2e%2e/package.json",
      "/scenarios/..%5c..%5cpackage.json",
      "//etc/passwd",
      "/%00",
      "/index.html%00.js",
      "/%zz",
      "/no-such-file",
    ];
    for (const path of attempts) {
      const r = await rawGet(server.port, path);
      expect(r.status, path).toBe(404);
      expect(r.body, path).not.toContain('"name": "vfsim"');
    }
    expect((await rawGet(server.port, "/", "POST")).status).toBe(405);
    expect((await rawGet(server.port, "/", "HEAD")).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Node: links, the editor's field locator, the sweep, the state reconstruction

describe("links", () => {
  it("round-trips a seed file through #s=", async () => {
    const text = fixture(SCENARIO_A);
    const frag = await encodeLink(text);
    expect(frag).toMatch(/^s=[A-Za-z0-9_-]+$/);
    expect(await decodeLink(`#${frag}`)).toBe(text);
    expect(await decodeLink("#t=3")).toBeUndefined();
  });

  it("refuses damaged, oversized and decompression-bomb links", async () => {
    await expect(decodeLink("#s=!!!")).rejects.toThrow(LinkError);
    await expect(decodeLink("#s=AAAA")).rejects.toThrow(LinkError);
    await expect(decodeLink(`#s=${"A".repeat(MAX_LINK_CHARS + 1)}`)).rejects.toThrow(/longer than/);
    // 1 MiB of spaces deflates to about 1 KiB: decompression must stop at 64 KiB
    const packed = new Uint8Array(await new Response(new Blob([" ".repeat(1 << 20)]).stream().pipeThrough(new CompressionStream("deflate-raw"))).arrayBuffer());
    const bomb = Buffer.from(packed).toString("base64url");
    expect(bomb.length).toBeLessThan(4096);
    await expect(decodeLink(`#s=${bomb}`)).rejects.toThrow(/larger than 64 KiB/);
  });
});

describe("editor field locator", () => {
  it("finds the span of a SeedError path in the JSON text", () => {
    const text = '{\n  "vfsim": 1,\n  "tree": { "/d": ["x", "y"] },\n  "threads": [{ "name": "T", "ops": [{ "op": "stta", "path": "/a" }] }]\n}';
    const at = (p: string) => {
      const s = locate(text, p)!;
      return text.slice(s.from, s.to);
    };
    expect(at("threads[0].ops[0].op")).toBe('"op": "stta"');
    expect(at('tree["/d"][1]')).toBe('"y"');
    expect(locate(text, "threads[0].ops[0].from")?.exact).toBe(false); // missing: its parent object
    expect(locate(text, "kernel")?.exact).toBe(false);
  });
});

/** A Web Worker stand-in running the real worker code (sweeper.ts), answering after random delays. */
class FakeWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  private dead = false;
  private sweeper = new Sweeper((m) => this.later(() => this.onmessage?.({ data: m } as MessageEvent<FromWorker>)));
  constructor(private rnd: () => number) {}
  private later(f: () => void): void {
    setTimeout(() => !this.dead && f(), Math.floor(this.rnd() * 4));
  }
  postMessage(m: ToWorker): void {
    this.later(() => this.sweeper.handle(m));
  }
  terminate(): void {
    this.dead = true;
  }
}

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("sweep over workers", () => {
  it("reports the lowest failing schedule whatever the number of workers and the timing", async () => {
    const module = await wasmModule();
    const seed = parseSeedFile(fixture(SCENARIO_A), ["run.strategy=pct", "run.seed=7", "run.schedules=400"]);
    const expected = await nodeRun(seed);
    expect(expected.index).toBeGreaterThan(4); // several chunks come before it
    const seedText = serializeSeedFile(seed);
    for (const workers of [1, 2, 3, 5]) {
      for (const timing of [1, 2]) {
        const rnd = lcg(workers * 10 + timing);
        const o = await new Sweep({ module, seedText, strategy: "pct", seed: 7n, depth: seed.run.depth, schedules: 400, countAll: false, workers, makeWorker: () => new FakeWorker(rnd), firstChunk: 1, maxChunk: 3 }).run();
        expect(o.status, `${workers} workers`).toBe("failed");
        expect(o.failure?.index, `${workers} workers`).toBe(expected.index);
        expect(o.lowestConfirmed).toBe(true);
      }
    }
  });

  it("counts every failing schedule when asked, and agrees with running them in order", async () => {
    const module = await wasmModule();
    const seed = parseSeedFile(fixture(SCENARIO_A), ["run.strategy=random", "run.seed=3", "run.schedules=300"]);
    const model = new Model(module);
    model.load(encodeScenario(seed).words);
    let failures = 0, lowest = -1;
    for (let i = 0; i < 300; i++) {
      if (model.runBatch(0, 3n, i, 1, 3, 0) >= 0) {
        failures++;
        if (lowest < 0) lowest = i;
      }
    }
    const o = await new Sweep({ module, seedText: serializeSeedFile(seed), strategy: "random", seed: 3n, depth: 3, schedules: 300, countAll: true, workers: 3, makeWorker: () => new FakeWorker(lcg(9)), firstChunk: 7, maxChunk: 40 }).run();
    expect(o.done).toBe(300);
    expect(o.failures).toBe(failures);
    expect(o.failure?.index).toBe(lowest);
  });
});

describe("the kernel state panel", () => {
  it("shows scenario (a)'s deadlock: the holders, queue, in-lookup owner and stacks", async () => {
    const module = await wasmModule();
    const seed = parseSeedFile(fixture(SCENARIO_A), ["kernel.order=proposed"]);
    const { choices } = runOneSchedule(module, seed, "random", 1n, 2, 3); // what `vfsim run --strategy random --seed 1` finds
    const run = replayRun(module, seed, choices, { strategy: "random", seed: 1n });
    expect(run.report.verdict).toBe("deadlock");
    expect(run.report.cycle?.map((c) => c.task)).toEqual(["R", "L", "W"]);
    const v = run.recon.at(run.recon.lastTick);
    const [R, L, W] = v.tasks;
    expect(v.tasks.map((t) => t.status)).toEqual(["blocked", "blocked", "blocked"]);
    expect(R.waitsOn?.kind).toBe("in-lookup wait");
    expect(L.waitsOn?.kind).toBe("rwsem read");
    expect(W.waitsOn?.kind).toBe("rwsem write");
    const rw = v.rwsems.find((r) => r.label === "i_rwsem(d)")!;
    expect(rw.readers.map((s) => s.task)).toEqual([0]);
    expect(rw.queue.map((q) => [q.task, q.mode])).toEqual([[2, "write"], [1, "read"]]);
    const x = v.dentries.find((d) => d.label.startsWith('"x"'))!;
    expect(x.inLookup).toBe(true);
    expect(x.owner?.task).toBe(1);
    expect(x.waiters.map((s) => s.task)).toEqual([0]);
    expect(R.stack.map((f) => f.fn)).toEqual(["getdents64", "iterate_dir", "nfs_readdir", "nfs_prime_dcache", "d_alloc_parallel"]);
    expect(L.stack.map((f) => f.fn)).toEqual(["vfs_statx", "link_path_walk", "lookup_slow", "__lookup_slow"]);
    // the steps that formed the cycle: each block, and each hold it waits behind
    const formed = [...run.forming].map((i) => run.report.trace![i].text);
    expect(formed).toEqual(expect.arrayContaining([expect.stringContaining("d_wait_lookup"), expect.stringContaining("[new, owner]"), expect.stringContaining("inode_lock i_rwsem(d) [queued]")]));
    // before the first tick nothing is held
    expect(run.recon.at(0).rwsems).toEqual([]);
  });

  it("shows the SIGKILL a kill op left pending: on R from K's tick on, kept while R sleeps in D state", async () => {
    const run = killRun(await wasmModule());
    expect(run.report.verdict).toBe("deadlock");
    expect(run.report.cycle?.map((c) => c.task)).toEqual(["R", "L", "W"]);
    const K = run.enc.threads.indexOf("K");
    const killed = run.recon.lastTick - [...run.choices].reverse().indexOf(K); // K's one tick (1-based)
    const pending = (tick: number) => run.recon.at(tick).tasks.map((t) => `${t.name}:${t.pending.join(",")}`);
    expect(pending(killed - 1)).toEqual(["R:", "L:", "W:", "K:"]);
    expect(pending(killed)).toEqual(["R:SIGKILL", "L:", "W:", "K:"]);
    const last = run.recon.at(run.recon.lastTick);
    expect(last.tasks.map((t) => `${t.name}:${t.status}:${t.pending.join(",")}`)).toEqual(["R:blocked:SIGKILL", "L:blocked:", "W:blocked:", "K:done:"]);
    expect(last.tasks[0].waitsOn?.kind).toBe("in-lookup wait"); // uninterruptible: the signal does not wake it
  });
});
