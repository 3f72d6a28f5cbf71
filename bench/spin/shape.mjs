// SPIN's shape Hk as bench/spin/run.mjs builds it: the two Promela models of it (the project's
// own, bench/spin/vfsim.pml, and the reference it must agree with, /work/shared/reference/vfs.pml)
// with the cpp flags of each order, and the seed files of the same shape that vfsim runs
// (fixtures/scale/spin-h<k>-<order>.json). No side effects: test/spin-model.test.ts reads it
// without spin installed.

/** The orders: vfsim's name, the reference's name (its README's Hk-old/new/noblock), what the
 *  seed files set, and the verdict every model of the shape gives. */
export const ORDERS = [
  { order: "current", ref: "old", kernelOrder: "current", prime: "d_alloc_parallel", verdict: "ok" },
  { order: "proposed", ref: "new", kernelOrder: "proposed", prime: "d_alloc_parallel", verdict: "deadlock" },
  { order: "noblock", ref: "noblock", kernelOrder: "proposed", prime: "d_alloc_trylock", verdict: "ok" },
];

/** The Promela models and their cpp flags per order (K=k is added for every build). */
export const MODELS = {
  vfsim: {
    name: "vfsim.pml",
    file: "bench/spin/vfsim.pml",
    flags: { current: [], proposed: ["-DORDER_PROPOSED"], noblock: ["-DORDER_PROPOSED", "-DPRIME_TRYLOCK"] },
  },
  reference: {
    name: "reference vfs.pml",
    file: "/work/shared/reference/vfs.pml",
    flags: { current: [], proposed: ["-DORDER_NEW"], noblock: ["-DORDER_NEW", "-DRD_NOBLOCK"] },
  },
};

/** The reference README's exact state and transition counts with partial-order reduction off
 *  (h1explore's BFS of the same transition relation; pan -DNOREDUCE -c0 reproduces them), by
 *  shape. H4 is not known: no search of it finishes here. */
export const EXACT_NOPOR = {
  "H1-old": [138, 250], "H1-new": [125, 229], "H1-noblock": [134, 250],
  "H2-old": [48189, 148139], "H2-new": [30477, 93957], "H2-noblock": [42631, 134765],
  "H3-old": [44367441, 171461037], "H3-new": [16024751, 61022714], "H3-noblock": [33538080, 134599457],
};

/** pan's -w (log2 of the hash table's slots), as the reference's spin-run.sh chooses it. */
export const hashW = (k) => (k <= 2 ? 20 : k === 3 ? 26 : 28);

/** The seed file of shape Hk in `order`. */
export const seedFileOf = (k, order) => `fixtures/scale/spin-h${k}-${order}.json`;
