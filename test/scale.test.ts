// The simulation of one exhaustive search split across machines by hash (bench/scale-sim.ts,
// `npm run bench:scale`, docs/scale.md "Across machines"): its state graph is the one the
// one-worker search explores, its counts are the same on every run, and the partition adds up.
// Speed is measured by the bench, never asserted here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { explore } from "../host/core/explore";
import { encodeScenario, parseSeedFile, type SeedFile } from "../host/core/seed";
import { Model } from "../host/core/wasm";
import { module } from "./helpers";
import {
  bfsLevels, ENCODINGS, exploreGraph, hasCycle, measureEncodings, owner, partition, predict, roundImbalance, type StateGraph,
} from "../bench/scale-sim";

/** SPIN's shape at k = 1 (/d holding x1; a primer, two stats of x1, a mkdir of y1): 4 threads,
 *  two of them identical, a few thousand states. */
function k1(order: "current" | "proposed"): SeedFile {
  const o = JSON.parse(readFileSync(`fixtures/scale/spin-h2-${order}.json`, "utf8"));
  o.tree = { "/d": ["x1"] };
  o.threads = [
    { name: "R1", ops: [{ op: "getdents", path: "/d" }] },
    { name: "L1", ops: [{ op: "stat", path: "/d/x1" }] },
    { name: "L2", ops: [{ op: "stat", path: "/d/x1" }] },
    { name: "W1", ops: [{ op: "mkdir", path: "/d/y1" }] },
  ];
  return parseSeedFile(JSON.stringify(o), []);
}

function graphOf(s: SeedFile, symmetry = true, maxStates?: number): StateGraph {
  const m = new Model(module);
  m.load(encodeScenario(s).words);
  return exploreGraph(m, { symmetry, maxStates, sampleEvery: 64 });
}

function oneWorker(s: SeedFile, symmetry: boolean) {
  const m = new Model(module);
  m.load(encodeScenario(s).words);
  return explore(m, { preemptions: -1, maxStates: 1e9, symmetry, por: false });
}

describe("the across-machines simulation", () => {
  const current = k1("current");
  const g = graphOf(current);

  it("explores the graph the one-worker search explores without partial-order reduction", () => {
    // without symmetry a state's key is a function of the state: the same states whatever the order
    const plain = graphOf(current, false), r = oneWorker(current, false);
    expect(r.exhaustive).toBe(true);
    expect([plain.complete, plain.states, plain.transitions]).toEqual([true, r.states, r.transitions]);
    expect(plain.expanded).toBe(plain.states);
    // symmetry reduction stores fewer (twins L1, L2)
    expect(g.complete).toBe(true);
    expect(g.states).toBeLessThan(plain.states);
    expect(g.failing).toBe(0);
    // a snapshot copies part of the block, never more
    const block = g.initialBlock.byteLength;
    expect(g.saved.every((b) => b > 0 && b <= block)).toBe(true);
  });

  it("counts the same on every run", () => {
    const again = graphOf(current);
    for (const k of ["keyHi", "keyLo", "edgeStart", "edgeCount", "transCount", "saved", "edges"] as const) expect(again[k]).toEqual(g[k]);
    const a = partition(g, bfsLevels(g), 8), b = partition(again, bfsLevels(again), 8);
    expect(b).toEqual(a);
  });

  it("levels: every state one transition deeper than some state of the level above, none deeper than a predecessor + 1", () => {
    const lv = bfsLevels(g);
    expect(lv.level[0]).toBe(0);
    const hasParent = new Uint8Array(g.states);
    for (let s = 0; s < g.states; s++) {
      for (let e = g.edgeStart[s]; e < g.edgeStart[s] + g.edgeCount[s]; e++) {
        const n = g.edges[e];
        expect(lv.level[n]).toBeLessThanOrEqual(lv.level[s] + 1);
        if (lv.level[n] === lv.level[s] + 1) hasParent[n] = 1;
      }
    }
    expect(hasParent.subarray(1).every((x) => x === 1)).toBe(true);
    expect(lv.firstFailLevel).toBe(-1);
  });

  it("finds a cycle where there is one", () => {
    expect(hasCycle(g)).toBe(false);
    // the same graph with one edge turned back to the initial state from a state two levels down
    const lv = bfsLevels(g);
    const deep = [...Array(g.states).keys()].find((s) => lv.level[s] === 2 && g.edgeCount[s] > 0)!;
    const edges = g.edges.slice();
    edges[g.edgeStart[deep]] = 0;
    expect(hasCycle({ ...g, edges })).toBe(true);
  });

  it("partitions: owned states add up, messages no more than transitions, one machine sends nothing", () => {
    const lv = bfsLevels(g);
    for (const M of [1, 2, 3, 4, 8, 16, 64]) {
      const p = partition(g, lv, M);
      expect(p.owned.reduce((a, b) => a + b, 0)).toBe(g.states);
      expect(p.transitions).toBe(g.transitions);
      expect(p.sent).toBeLessThanOrEqual(p.crossTransitions);
      expect(p.crossTransitions).toBeLessThanOrEqual(g.transitions - g.terminal);
      expect(p.decodes).toBeLessThan(g.states);
      expect(p.rounds).toBe(lv.levelStart.length - 1);
      let sent = 0, received = 0, states = 0;
      for (const r of p.perRound) {
        expect(r).toHaveLength(M);
        for (const x of r) { sent += x.sent; received += x.received; states += x.states; }
        // key-first: every state an owner asks for is supplied by some machine
        expect(r.reduce((a, x) => a + x.suppliedSaved, 0)).toBe(r.reduce((a, x) => a + x.decodedSaved, 0));
      }
      expect([sent, received, states]).toEqual([p.sent, p.sent, g.states]);
      if (M === 1) {
        expect([p.crossTransitions, p.sent, p.decodes]).toEqual([0, 0, 0]);
        expect(roundImbalance(p)).toBe(1);
      } else {
        expect(p.crossTransitions).toBeGreaterThan(0);
        expect(p.owned.every((n) => n > 0)).toBe(true);
      }
      // each sender sends each successor once a round: the distinct (round, sender, successor)
      const batches = new Set<string>();
      for (let s = 0; s < g.states; s++) {
        for (let e = g.edgeStart[s]; e < g.edgeStart[s] + g.edgeCount[s]; e++) {
          const n = g.edges[e], m = owner(g.keyHi[s], M);
          if (owner(g.keyHi[n], M) !== m) batches.add(`${lv.level[s]} ${m} ${n}`);
        }
      }
      expect(p.sent).toBe(batches.size);
      // a state is owned where its key says, whichever machine reached it
      const counted = new Array<number>(M).fill(0);
      for (let s = 0; s < g.states; s++) counted[owner(g.keyHi[s], M)]++;
      expect(counted).toEqual(p.owned);
    }
  });

  it("the time model: one machine is the one-machine search, and every encoding round-trips", () => {
    const lv = bfsLevels(g);
    const costs = measureEncodings(g, 1);
    expect(costs["xor-rle"].bytes).toBeLessThan(costs.blockBytes);
    expect(costs.deflate.bytes).toBeLessThan(costs.blockBytes);
    const net = { roundLatency: 100e-6, bandwidth: 1.25e9, header: 8 };
    for (const en of ENCODINGS) {
      const one = predict(partition(g, lv, 1), en, 1e-6, costs, net);
      expect(one.seconds).toBeCloseTo(g.transitions * 1e-6, 12);
      expect([one.network, one.messageCpu, one.bytes]).toEqual([0, 0, 0]);
      const eight = predict(partition(g, lv, 8), en, 1e-6, costs, net);
      expect(eight.bytes).toBeGreaterThan(0);
      expect(eight.network).toBeGreaterThanOrEqual(p8rounds(g) * net.roundLatency);
    }
  });

  it("a budget leaves the graph partial; a failing shape reports the level of its first failure", () => {
    const part = graphOf(current, true, 500);
    expect(part.complete).toBe(false);
    expect(part.states).toBeGreaterThanOrEqual(500);
    expect(part.expanded).toBeLessThan(part.states);
    const p = partition(part, bfsLevels(part), 4);
    expect(p.owned.reduce((a, b) => a + b, 0)).toBe(part.states);

    const bad = graphOf(k1("proposed"));
    expect(bad.failing).toBeGreaterThan(0);
    const lv = bfsLevels(bad);
    expect(lv.firstFailLevel).toBeGreaterThan(0);
    const failingLevels = [...Array(bad.states).keys()].filter((s) => bad.failFrom[s]).map((s) => lv.level[s]);
    expect(Math.min(...failingLevels)).toBe(lv.firstFailLevel);
  });
});

function p8rounds(g: StateGraph): number {
  return partition(g, bfsLevels(g), 8).rounds;
}
