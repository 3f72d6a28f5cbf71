// Types for bench/spin/shape.mjs (imported by test/spin-model.test.ts).
export interface ShapeOrder {
  /** vfsim's name: current, proposed, noblock */
  order: "current" | "proposed" | "noblock";
  /** the reference README's name: old, new, noblock */
  ref: "old" | "new" | "noblock";
  /** the seed files' kernel.order and fs.prime */
  kernelOrder: "current" | "proposed";
  prime: "d_alloc_parallel" | "d_alloc_trylock";
  /** the verdict every model of the shape gives */
  verdict: "ok" | "deadlock";
}
export declare const ORDERS: ShapeOrder[];
export interface PromelaModel {
  name: string;
  file: string;
  flags: Record<ShapeOrder["order"], string[]>;
}
export declare const MODELS: { vfsim: PromelaModel; reference: PromelaModel };
export declare const EXACT_NOPOR: Record<string, [number, number]>;
export declare function hashW(k: number): number;
export declare function seedFileOf(k: number, order: string): string;
