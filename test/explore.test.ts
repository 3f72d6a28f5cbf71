// Exhaustive search: state caching and symmetry reduction prune, never change a verdict.
import { describe, expect, it } from "vitest";
import { explore } from "../host/core/explore";
import { encodeScenario, variantAssignments, variantOf } from "../host/core/scenario";
import { Model } from "../host/core/wasm";
import { module, scenarioFiles, seedFile } from "./helpers";

function search(file: string, sets: string[], preemptions: number, symmetry: boolean) {
  const m = new Model(module);
  m.load(encodeScenario(seedFile(file, sets)).words);
  return explore(m, { preemptions, maxStates: 50_000_000, symmetry });
}

const S2 = "fixtures/scale/nfs-readdirplus-2x2x2.json";

describe("exhaustive search", () => {
  it("2+2+2 readdirplus/lookup/mkdir, current order: clean in the whole state space, with or without symmetry", () => {
    const sym = search(S2, ["kernel.order=current"], -1, true);
    const plain = search(S2, ["kernel.order=current"], -1, false);
    expect([sym.verdict, sym.exhaustive, sym.symmetry]).toEqual([0, true, true]);
    expect([plain.verdict, plain.exhaustive, plain.symmetry]).toEqual([0, true, false]);
    // identical threads come in three pairs: at most 2*2*2 = 8x fewer states, and at least 4x here
    expect(sym.states * 8).toBeGreaterThanOrEqual(plain.states);
    expect(sym.states * 4).toBeLessThan(plain.states);
    expect(sym.collisionBound).toBeLessThan(1e-6);
  });

  it("2+2+2, proposed order: the deadlock is found with and without symmetry", () => {
    for (const symmetry of [true, false]) {
      const r = search(S2, ["kernel.order=proposed"], -1, symmetry);
      expect(r.verdict).toBe(1);
      expect(r.choices!.length).toBeGreaterThan(10);
    }
  });

  it("a budget that runs out is reported as not exhaustive", () => {
    const m = new Model(module);
    m.load(encodeScenario(seedFile(S2, ["kernel.order=current"])).words);
    const r = explore(m, { preemptions: -1, maxStates: 1000, symmetry: true });
    expect([r.verdict, r.exhaustive, r.states]).toEqual([0, false, 1000]);
  });

  it("a search run in slices (with progress reports) gives exactly the result of one call", () => {
    for (const order of ["current", "proposed"]) {
      const words = encodeScenario(seedFile(S2, [`kernel.order=${order}`])).words;
      const whole = new Model(module);
      whole.load(words);
      const one = explore(whole, { preemptions: -1, maxStates: 50_000_000 });
      const sliced = new Model(module);
      sliced.load(words);
      const seen: number[] = [];
      const many = explore(sliced, { preemptions: -1, maxStates: 50_000_000, slice: 997, onProgress: (p) => seen.push(p.transitions) });
      expect(many).toEqual(one);
      // one report per full slice, counts growing by exactly a slice each time
      expect(seen.length).toBe(Math.floor((one.transitions - 1) / 997));
      expect(seen.every((t, i) => t === 997 * (i + 1))).toBe(true);
    }
  });

  it("the visited-state table keeps every key through a million inserts (segment splits, directory doublings)", () => {
    const m = new Model(module);
    m.load(encodeScenario(seedFile(S2, ["kernel.order=current"])).words);
    // unbounded: new, then seen; bounded: new, seen with as many preemptions, new with fewer
    expect(m.x.dfs_table_selftest(1 << 20, 0)).toBe(0);
    expect(m.x.dfs_table_selftest(1 << 20, 1)).toBe(0);
    // a search after that starts from a clear table, and a second one agrees with the first
    const first = explore(m, { preemptions: -1, maxStates: 50_000_000 });
    const second = explore(m, { preemptions: -1, maxStates: 50_000_000 });
    expect([first.verdict, first.exhaustive]).toEqual([0, true]);
    expect(second).toEqual(first);
    const b1 = explore(m, { preemptions: 2, maxStates: 50_000_000 });
    expect(explore(m, { preemptions: 2, maxStates: 50_000_000 })).toEqual(b1);
  });
});

describe("the visited-state table kept in the host (--table-gib)", () => {
  const words = () => encodeScenario(seedFile(S2, ["kernel.order=current"])).words;

  it("gives exactly the search the table in linear memory gives, bounded and unbounded", () => {
    for (const preemptions of [-1, 2]) {
      const inWasm = new Model(module);
      inWasm.load(words());
      const inHost = new Model(module);
      inHost.load(words());
      const a = explore(inWasm, { preemptions, maxStates: 50_000_000 });
      const b = explore(inHost, { preemptions, maxStates: 50_000_000, hostTableBytes: 64 << 20 });
      expect(b).toEqual(a);
      // distinct states; with a bound, a state reached again with fewer preemptions counts again
      if (preemptions < 0) expect(inHost.visited!.count).toBe(a.states);
      else expect(inHost.visited!.count).toBeLessThan(a.states);
    }
  });

  it("keeps every key, and a search that outgrows it stops, not exhaustive, saying the table is full", () => {
    const m = new Model(module);
    m.load(words());
    explore(m, { preemptions: -1, maxStates: 1, hostTableBytes: 64 << 20 });   // sets the host table up
    m.visited!.clear();
    expect(m.x.dfs_table_selftest(1 << 20, 1)).toBe(0);
    const small = explore(m, { preemptions: -1, maxStates: 50_000_000, hostTableBytes: 1 << 20 });
    expect([small.verdict, small.exhaustive, small.tableFull]).toEqual([0, false, true]);
    expect(small.states).toBe(m.visited!.count);
    expect(small.states).toBe(Math.floor(m.visited!.slots * 0.9));
  });
});

describe("reductions never change a verdict", () => {
  it("every built-in and corpus scenario, whole state space, with and without symmetry and partial-order reduction", () => {
    let cells = 0;
    for (const file of [...scenarioFiles(), ...scenarioFiles("fixtures/corpus")]) {
      const s = seedFile(file);
      for (const va of variantAssignments(s)) {
        const words = encodeScenario(variantOf(s, va)).words;
        const [reduced, plain] = [true, false].map((on) => {
          const m = new Model(module);
          m.load(words);
          return explore(m, { preemptions: -1, maxStates: 5_000_000, symmetry: on, por: on });
        });
        expect([file, va, reduced.verdict, reduced.exhaustive]).toEqual([file, va, plain.verdict, plain.exhaustive]);
        if (plain.exhaustive) expect(reduced.states).toBeLessThanOrEqual(plain.states);
        cells++;
      }
    }
    expect(cells).toBeGreaterThan(80);
  });
});
