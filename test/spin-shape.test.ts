// The seed files of SPIN's shape (fixtures/scale/spin-h<k>-<order>.json, the shape of the
// reference Promela model that `npm run bench:spin` runs beside them): they have that shape, and
// at k = 2 the ones that run in seconds give the reference model's verdicts (deadlock in the
// proposed order, ok in the current order, the whole state space searched).
import { describe, expect, it } from "vitest";
import { explore } from "../host/core/explore";
import { runCell } from "../host/core/matrix";
import { encodeScenario } from "../host/core/seed";
import { VERDICTS } from "../host/core/abi";
import { Model } from "../host/core/wasm";
import { module, seedFile } from "./helpers";

const file = (k: number, order: string) => `fixtures/scale/spin-h${k}-${order}.json`;
const ORDERS = { current: ["current", "d_alloc_parallel", "ok"], proposed: ["proposed", "d_alloc_parallel", "deadlock"], noblock: ["proposed", "d_alloc_trylock", "ok"] } as const;

describe("seed files of SPIN's shape", () => {
  it("k primers of one directory holding x1..xk, k stats of x1..xk, k mkdirs of y1..yk, a FIFO rwsem; the reference model's verdict expected", () => {
    for (const k of [2, 3, 4]) {
      for (const [name, [order, prime, verdict]] of Object.entries(ORDERS)) {
        const s = seedFile(file(k, name));
        const xs = Array.from({ length: k }, (_, i) => `x${i + 1}`);
        expect(s.tree).toEqual({ "/d": xs });
        expect(s.cached).toEqual(["/d"]);
        expect(s.threads.map((t) => t.ops)).toEqual([
          ...xs.map(() => [{ op: "getdents", path: "/d" }]),
          ...xs.map((x) => [{ op: "stat", path: `/d/${x}` }]),
          ...xs.map((_, i) => [{ op: "mkdir", path: `/d/y${i + 1}` }]),
        ]);
        expect([s.kernel.order, s.kernel.rwsem, s.fs.type, s.fs.prime]).toEqual([order, "fifo", "nfs", prime]);
        expect([s.run.strategy, s.run.preemptions]).toEqual(["dfs", -1]);
        expect(s.expect.map((e) => e.verdict)).toEqual([verdict]);
      }
    }
  });

  it("H2, proposed order: the deadlock the reference model finds, R -> L -> W", () => {
    const s = seedFile(file(2, "proposed"));
    const cell = runCell(module, file(2, "proposed"), s, {});
    expect(cell.report.verdict).toBe("deadlock");
    expect(cell.matches).toBe(true);
    const kinds = new Set(cell.report.cycle!.map((e) => e.task[0]));
    expect(kinds).toEqual(new Set(["R", "L", "W"]));
  });

  it("H2, current order: ok over the whole state space", () => {
    const s = seedFile(file(2, "current"));
    const cell = runCell(module, file(2, "current"), s, {});
    expect([cell.report.verdict, cell.report.exhaustive, cell.matches]).toEqual(["ok", true, true]);
  });

  it("H2, proposed order: the deadlock with and without symmetry and partial-order reduction", () => {
    const words = encodeScenario(seedFile(file(2, "proposed"))).words;
    for (const symmetry of [true, false]) {
      for (const por of [true, false]) {
        const m = new Model(module);
        m.load(words);
        const r = explore(m, { preemptions: -1, maxStates: 50_000_000, symmetry, por });
        expect(VERDICTS[r.verdict], `symmetry ${symmetry}, por ${por}`).toBe("deadlock");
      }
    }
  });
});
