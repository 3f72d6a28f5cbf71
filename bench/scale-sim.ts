// A measured simulation of exhaustive search split across M machines by hash partitioning (docs/scale.md,
// "Across machines"): the real model's state graph, every state assigned to the machine that would
// own it, and counted what the machines would do and send. Nothing here runs on more than one core.
//
// 1. exploreGraph: the whole state space (or its first `maxStates` states) of a scenario, by a
//    depth-first search driven from the host over the model's own exports: restore a snapshot,
//    tick one task, take the canonical state key (state_hash: the key the one-worker search stores),
//    as explore.ts does, but with every state expanded fully and no partial-order reduction (its
//    cycle proviso, "the ample successor is new to the table", needs the whole table; distributed
//    checkers run without it or with a static proviso). The successors of each state are recorded
//    as a graph (state ids, in discovery order), with each new state's saved-snapshot size and a
//    deterministic sample of whole snapshots for measuring compression.
// 2. bfsLevels: the level of every state in a breadth-first search from the initial state, the
//    order a level-synchronous distributed search (Stern and Dill's parallel Murphi; LTSmin's
//    distributed back end) expands them in: round L expands the states of level L.
// 3. partition: for M machines, owner(s) = (high 32 bits of the key) mod M; per level and per
//    machine, the transitions it runs, the successors it must send elsewhere (each distinct one
//    once per round: a sender batches a round's messages per receiver), what it receives, and
//    the new states it must decode (those no transition of its own reached). All counts are
//    functions of the graph alone: the same on every run.
// 4. predict: a time model on top (per-transition CPU and per-message encode/decode CPU measured
//    on this machine, network figures assumed and stated by the caller).
//
// With symmetry reduction on, a state whose twin threads tie in the canonical order is stored
// under more than one key, and which of them a search meets depends on its order (sim/canon.ts),
// so a distributed search would store a few states more or fewer than this one; with symmetry
// off the key is a function of the state and the graph is exactly the one any search explores.

import { deflateRawSync, inflateRawSync } from "node:zlib";
import { VERDICT_RUNNING, MAX_TASKS } from "../host/core/abi";
import type { Model } from "../host/core/wasm";

/** snapshot slots (assembly/sim/snapshot.ts MAX_SNAPSHOTS) / tasks per depth: the deepest DFS. */
const MAX_DEPTH = (1 << 14) / MAX_TASKS;

export interface GraphOptions {
  /** hash states up to a permutation of identical threads (default on, as `vfsim run`) */
  symmetry?: boolean;
  /** stop expanding once this many states are stored (the graph is then partial) */
  maxStates?: number;
  /** keep a copy of every `sampleEvery`-th stored state's block (default 512) */
  sampleEvery?: number;
  /** keep at most this many samples (default 2000) */
  maxSamples?: number;
}

export interface StateGraph {
  /** states stored (the initial state is id 0) */
  states: number;
  /** states whose successors were all computed: `states` when the space was exhausted */
  expanded: number;
  /** transitions run from expanded states (including those that end a run) */
  transitions: number;
  /** transitions that ended a run (ok or not): no successor state to store or send */
  terminal: number;
  /** transitions that ended a run with a failure (deadlock, violation) */
  failing: number;
  /** every state was expanded: the whole space is in the graph */
  complete: boolean;
  /** the longest DFS path (ticks) */
  maxDepth: number;
  /** per state: the key's high and low 32 bits */
  keyHi: Uint32Array;
  keyLo: Uint32Array;
  /** per state: where its successors start in `edges`, how many, and its transitions in all */
  edgeStart: Uint32Array;
  edgeCount: Uint8Array;
  transCount: Uint8Array;
  /** per state: 1 if a transition from it ends in a failure */
  failFrom: Uint8Array;
  /** per state: bytes its snapshot copies (state_save: the live part of the block) */
  saved: Uint16Array;
  edges: Uint32Array;
  /** the whole block (STATE_BYTES) of the initial state, and of a deterministic sample of states */
  initialBlock: Uint8Array;
  samples: Uint8Array[];
  /** CPU seconds of the exploration (this thread) */
  cpuSeconds: number;
}

function grow<T extends Uint32Array | Uint8Array | Uint16Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let n = a.length;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** The state graph of the scenario loaded in `model` (a full build: dfs_start sets up the
 *  canonical state), as described at the top of this file. Deterministic. */
export function exploreGraph(model: Model, opts: GraphOptions = {}): StateGraph {
  const maxStates = opts.maxStates ?? Number.MAX_SAFE_INTEGER;
  const sampleEvery = opts.sampleEvery ?? 512, maxSamples = opts.maxSamples ?? 2000;
  const c0 = process.cpuUsage();
  // dfs_start: the canonical-state set-up (canon_begin) and the initial state; the search itself
  // is driven from here, so its one-state budget is never used.
  model.dfsStart(-1, 1n, opts.symmetry === false ? 0 : 1, 0);
  const blockBytes = model.stateBytes(), statePtr = model.statePtr();
  const block = () => new Uint8Array(model.memory.buffer, statePtr, blockBytes).slice();

  let cap = 1 << 16;
  let keyHi = new Uint32Array(cap), keyLo = new Uint32Array(cap), edgeStart = new Uint32Array(cap);
  let edgeCount = new Uint8Array(cap), transCount = new Uint8Array(cap), failFrom = new Uint8Array(cap);
  let saved = new Uint16Array(cap);
  let edges = new Uint32Array(1 << 18), nEdges = 0;
  // key -> id + 1, open addressing on the low word (keys are already well mixed)
  let tMask = (1 << 17) - 1;
  let tHi = new Uint32Array(tMask + 1), tLo = new Uint32Array(tMask + 1), tId = new Int32Array(tMask + 1);
  let states = 0, fresh = false;
  const samples: Uint8Array[] = [];

  const rehash = () => {
    const oHi = tHi, oLo = tLo, oId = tId;
    tMask = tMask * 2 + 1;
    tHi = new Uint32Array(tMask + 1); tLo = new Uint32Array(tMask + 1); tId = new Int32Array(tMask + 1);
    for (let i = 0; i < oId.length; i++) {
      if (oId[i] === 0) continue;
      let j = oLo[i] & tMask;
      while (tId[j] !== 0) j = (j + 1) & tMask;
      tHi[j] = oHi[i]; tLo[j] = oLo[i]; tId[j] = oId[i];
    }
  };
  const put = (hi: number, lo: number): number => {
    let j = lo & tMask;
    for (;;) {
      const id = tId[j];
      if (id === 0) break;
      if (tLo[j] === lo && tHi[j] === hi) { fresh = false; return id - 1; }
      j = (j + 1) & tMask;
    }
    const id = states++;
    tHi[j] = hi; tLo[j] = lo; tId[j] = id + 1;
    if (states * 2 > tMask) rehash();
    if (states > cap) {
      cap *= 2;
      keyHi = grow(keyHi, cap); keyLo = grow(keyLo, cap); edgeStart = grow(edgeStart, cap);
      edgeCount = grow(edgeCount, cap); transCount = grow(transCount, cap); failFrom = grow(failFrom, cap); saved = grow(saved, cap);
    }
    keyHi[id] = hi; keyLo[id] = lo;
    saved[id] = model.stateSavedBytes();
    if (id % sampleEvery === 0 && samples.length < maxSamples) samples.push(block());
    fresh = true;
    return id;
  };
  const keyOf = (): [number, number] => {
    const k = model.stateHash();
    return [Number((k >> 32n) & 0xffffffffn), Number(k & 0xffffffffn)];
  };

  // Depth d's children wait in snapshot slots d * MAX_TASKS + t (t: the task that stepped to it).
  const pend = new Int32Array(MAX_DEPTH + 1);
  const childId = new Uint32Array((MAX_DEPTH + 1) * MAX_TASKS);
  const initialBlock = block();
  put(...keyOf());
  model.snapshotSave(0);
  childId[0] = 0; pend[0] = 1;
  let transitions = 0, terminal = 0, failing = 0, expanded = 0, unexpanded = 0, maxDepth = 0;
  let d = 0;
  while (d >= 0) {
    if (pend[d] === 0) { d--; continue; }
    const t0 = 31 - Math.clz32(pend[d] & -pend[d]);
    pend[d] &= ~(1 << t0);
    const slot = d * MAX_TASKS + t0, id = childId[slot];
    model.snapshotLoad(slot);
    const mask = model.runnableMask();
    edgeStart[id] = nEdges;
    let live = true, tc = 0, ec = 0;
    for (let t = 0; t < MAX_TASKS; t++) {
      if ((mask & (1 << t)) === 0) continue;
      if (!live) model.snapshotLoad(slot);
      live = false;
      const v = model.tickUnrecorded(t);
      tc++;
      if (v !== VERDICT_RUNNING) {
        terminal++;
        if (v !== 0) { failing++; failFrom[id] = 1; }
        continue;
      }
      const before = states;
      const n = put(...keyOf());
      if (nEdges >= edges.length) edges = grow(edges, nEdges + 1);
      edges[nEdges++] = n;
      ec++;
      if (!fresh) continue;
      if (before >= maxStates) { unexpanded++; continue; }
      if (d + 1 >= MAX_DEPTH) throw new Error(`scale-sim: a path deeper than ${MAX_DEPTH} ticks (the snapshot slots run out)`);
      model.snapshotSave((d + 1) * MAX_TASKS + t);
      childId[(d + 1) * MAX_TASKS + t] = n;
      pend[d + 1] |= 1 << t;
    }
    transitions += tc;
    transCount[id] = tc; edgeCount[id] = ec;
    expanded++;
    if (pend[d + 1] !== 0) { d++; if (d > maxDepth) maxDepth = d; }
  }
  const c = process.cpuUsage(c0);
  return {
    states, expanded, transitions, terminal, failing, complete: unexpanded === 0, maxDepth,
    keyHi: keyHi.subarray(0, states), keyLo: keyLo.subarray(0, states), edgeStart: edgeStart.subarray(0, states),
    edgeCount: edgeCount.subarray(0, states), transCount: transCount.subarray(0, states), failFrom: failFrom.subarray(0, states),
    saved: saved.subarray(0, states), edges: edges.subarray(0, nEdges), initialBlock, samples,
    cpuSeconds: (c.user + c.system) / 1e6,
  };
}

export interface Levels {
  /** per state: its BFS level (the length of its shortest path from the initial state) */
  level: Int32Array;
  /** state ids in BFS order; level L is order[levelStart[L] .. levelStart[L + 1]) */
  order: Uint32Array;
  levelStart: number[];
  /** the first level holding a state with a failing transition (a BFS reports its failure in
   *  that round: the counterexample is one of the shortest), or -1 */
  firstFailLevel: number;
}

export function bfsLevels(g: StateGraph): Levels {
  const level = new Int32Array(g.states).fill(-1);
  const order = new Uint32Array(g.states);
  const levelStart = [0];
  let head = 0, tail = 0, firstFailLevel = -1;
  level[0] = 0; order[tail++] = 0;
  while (head < tail) {
    const end = tail;
    for (; head < end; head++) {
      const s = order[head];
      if (firstFailLevel < 0 && g.failFrom[s]) firstFailLevel = level[s];
      for (let e = g.edgeStart[s], stop = e + g.edgeCount[s]; e < stop; e++) {
        const n = g.edges[e];
        if (level[n] >= 0) continue;
        level[n] = level[s] + 1;
        order[tail++] = n;
      }
    }
    levelStart.push(end);
  }
  if (tail !== g.states) throw new Error(`scale-sim: ${g.states - tail} states not reachable from the initial state`);
  return { level, order, levelStart, firstFailLevel };
}

/** Does the graph have a cycle (a path from a state back to itself)? Kahn's algorithm. Without
 *  one, partial-order reduction's cycle proviso holds trivially (no reduced cycle can exist), so
 *  a distributed search could keep the reduction without asking the owner whether a successor is
 *  new. Only meaningful for a complete graph. */
export function hasCycle(g: StateGraph): boolean {
  const indeg = new Uint32Array(g.states);
  for (let e = 0; e < g.edges.length; e++) indeg[g.edges[e]]++;
  const queue = new Uint32Array(g.states);
  let head = 0, tail = 0;
  for (let s = 0; s < g.states; s++) if (indeg[s] === 0) queue[tail++] = s;
  while (head < tail) {
    const s = queue[head++];
    for (let e = g.edgeStart[s], stop = e + g.edgeCount[s]; e < stop; e++) if (--indeg[g.edges[e]] === 0) queue[tail++] = g.edges[e];
  }
  return tail < g.states;
}

/** One round (BFS level) on one machine. */
export interface RoundLoad {
  /** states expanded and transitions run */
  states: number;
  transitions: number;
  /** successors sent to other machines: every cross transition, and each distinct successor once */
  crossTransitions: number;
  sent: number;
  /** distinct successors received from other machines */
  received: number;
  /** saved-snapshot bytes of what it sends and receives (`sent`, `received`) */
  sentSaved: number;
  receivedSaved: number;
  /** new states of the next level it owns that no transition of its own reached: it must
   *  rebuild each from a message once */
  decodes: number;
  /** saved-snapshot bytes of those, and of the ones it supplies when owners ask for a state
   *  (key-first: each decoded state is asked of one of the machines that sent its key) */
  decodedSaved: number;
  suppliedSaved: number;
}

export interface Partition {
  machines: number;
  /** states owned by each machine */
  owned: number[];
  transitions: number;
  /** transitions whose successor is owned by another machine (each is a message unless batched) */
  crossTransitions: number;
  /** messages after each sender sends each distinct successor once per round */
  sent: number;
  decodes: number;
  /** rounds of a level-synchronous search: BFS levels holding a state to expand */
  rounds: number;
  /** per round, per machine */
  perRound: RoundLoad[][];
}

export const owner = (hi: number, machines: number) => hi % machines;

export function partition(g: StateGraph, lv: Levels, machines: number): Partition {
  const M = machines;
  const owned = new Array<number>(M).fill(0);
  for (let s = 0; s < g.states; s++) owned[owner(g.keyHi[s], M)]++;
  // stamp[n] = round * M + sender + 1 once `sender` has put n in its batch this round;
  // reached[n] = 1 once a transition of n's owner reached it
  const stamp = new Int32Array(g.states);
  const reached = new Uint8Array(g.states);
  // from[n]: the machine an owner asks for n's state (key-first): of the machines that sent n's
  // key this round, the one whose (n, machine) hash is least, so requests spread evenly (a state
  // of the next level is reached only from this round's level: what is set this round is read)
  const from = new Uint8Array(g.states), fromScore = new Uint32Array(g.states);
  const perRound: RoundLoad[][] = [];
  let crossTransitions = 0, sent = 0, decodes = 0, transitions = 0;
  // a round's states grouped by owner (in BFS order within each), so each sender's batch is
  // built in one stretch and `stamp` dedups it
  const byOwner = new Uint32Array(g.states);
  const start = new Int32Array(M + 1);
  for (let L = 0; L + 1 < lv.levelStart.length; L++) {
    const r: RoundLoad[] = Array.from({ length: M }, () => ({ states: 0, transitions: 0, crossTransitions: 0, sent: 0, received: 0, sentSaved: 0, receivedSaved: 0, decodes: 0, decodedSaved: 0, suppliedSaved: 0 }));
    const a = lv.levelStart[L], b = lv.levelStart[L + 1];
    start.fill(0);
    for (let i = a; i < b; i++) start[owner(g.keyHi[lv.order[i]], M) + 1]++;
    for (let m = 0; m < M; m++) start[m + 1] += start[m];
    for (let i = a; i < b; i++) byOwner[start[owner(g.keyHi[lv.order[i]], M)]++] = lv.order[i];
    for (let i = 0; i < b - a; i++) {
      const s = byOwner[i], m = owner(g.keyHi[s], M);
      const x = r[m];
      x.states++;
      x.transitions += g.transCount[s];
      for (let e = g.edgeStart[s], stop = e + g.edgeCount[s]; e < stop; e++) {
        const n = g.edges[e], o = owner(g.keyHi[n], M);
        if (o === m) { reached[n] = 1; continue; }
        x.crossTransitions++;
        const st = L * M + m + 1;
        if (stamp[n] === st) continue;
        const score = Math.imul(n ^ Math.imul(m + 1, 0x9e3779b9), 0x85ebca6b) >>> 0;
        if (stamp[n] <= L * M || score < fromScore[n]) { from[n] = m; fromScore[n] = score; }
        stamp[n] = st;
        x.sent++; x.sentSaved += g.saved[n];
        r[o].received++; r[o].receivedSaved += g.saved[n];
      }
    }
    if (L + 2 < lv.levelStart.length) {
      for (let i = lv.levelStart[L + 1]; i < lv.levelStart[L + 2]; i++) {
        const n = lv.order[i];
        if (reached[n]) continue;
        const x = r[owner(g.keyHi[n], M)];
        x.decodes++; x.decodedSaved += g.saved[n];
        r[from[n]].suppliedSaved += g.saved[n];
      }
    }
    for (const x of r) { transitions += x.transitions; crossTransitions += x.crossTransitions; sent += x.sent; decodes += x.decodes; }
    perRound.push(r);
  }
  return { machines, owned, transitions, crossTransitions, sent, decodes, rounds: perRound.length, perRound };
}

/** Sum over rounds of the busiest machine's transitions, over the sum of the mean machine's:
 *  1.0 when every round is split evenly (what a level-synchronous search loses to imbalance). */
export function roundImbalance(p: Partition): number {
  let max = 0, mean = 0;
  for (const r of p.perRound) {
    let m = 0, sum = 0;
    for (const x of r) { m = Math.max(m, x.transitions); sum += x.transitions; }
    max += m; mean += sum / r.length;
  }
  return mean === 0 ? 1 : max / mean;
}

// ---- messages: what a state costs to send -------------------------------------------------------
// Every machine has the initial state. A state can travel as
// - raw: its saved snapshot (the bytes state_save copies, `saved`), no CPU beyond a copy;
// - xor-rle: its whole block XORed with the initial block, as runs of unchanged 32-bit words and
//   literal words (below; in JS here, a C or wasm version would be faster);
// - deflate: its whole block through zlib's raw deflate, level 1;
// - path: the choices from the initial state (one byte a tick), rebuilt by replaying them.

/** xor-rle: per run one header word (unchanged words << 16 | changed words), then the changed
 *  words XORed with `base`. Returns the words written to `out`. */
export function xorRleEncode(block: Int32Array, base: Int32Array, out: Int32Array): number {
  const n = block.length;
  let o = 0, i = 0;
  while (i < n) {
    let z = i;
    while (z < n && block[z] === base[z] && z - i < 0xffff) z++;
    let l = z;
    while (l < n && block[l] !== base[l] && l - z < 0xffff) l++;
    out[o++] = ((z - i) << 16) | (l - z);
    for (let k = z; k < l; k++) out[o++] = block[k] ^ base[k];
    i = l;
  }
  return o;
}

export function xorRleDecode(src: Int32Array, words: number, base: Int32Array, dst: Int32Array): void {
  let o = 0, i = 0;
  while (o < words) {
    const h = src[o++], z = h >>> 16, l = h & 0xffff;
    for (let k = 0; k < z; k++, i++) dst[i] = base[i];
    for (let k = 0; k < l; k++, i++) dst[i] = src[o++] ^ base[i];
  }
}

export interface EncodingCost {
  /** mean bytes of one state's message body (the 8-byte key comes on top) */
  bytes: number;
  /** CPU seconds to encode one (sender) and decode one (receiver) */
  encodeSeconds: number;
  decodeSeconds: number;
}

export interface Encodings {
  samples: number;
  /** the whole state block (STATE_BYTES) */
  blockBytes: number;
  "xor-rle": EncodingCost;
  deflate: EncodingCost;
}

const cpuOf = (f: () => void, n: number, rounds: number): number => {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6 / n);
  }
  return best;
};

/** Sizes of the sampled states under xor-rle and deflate, and their CPU cost each way (the best
 *  of `rounds`, in CPU seconds, so a shared machine inflates it less), each checked to round-trip. */
export function measureEncodings(g: StateGraph, rounds = 3): Encodings {
  const n = g.samples.length;
  if (n === 0) throw new Error("scale-sim: no samples");
  const base = new Int32Array(g.initialBlock.buffer, g.initialBlock.byteOffset, g.initialBlock.byteLength >> 2);
  const blocks = g.samples.map((b) => new Int32Array(b.buffer, b.byteOffset, b.byteLength >> 2));
  const scratch = new Int32Array(base.length * 2 + 2), back = new Int32Array(base.length);
  const rle = blocks.map((b) => scratch.slice(0, xorRleEncode(b, base, scratch)));
  const packed = g.samples.map((b) => deflateRawSync(b, { level: 1 }));
  blocks.forEach((b, i) => {
    xorRleDecode(rle[i], rle[i].length, base, back);
    if (back.some((w, k) => w !== b[k])) throw new Error("scale-sim: xor-rle round trip differs");
    if (Buffer.compare(inflateRawSync(packed[i]), Buffer.from(g.samples[i].buffer, g.samples[i].byteOffset, g.samples[i].byteLength)) !== 0) {
      throw new Error("scale-sim: deflate round trip differs");
    }
  });
  const reps = 10;
  return {
    samples: n,
    blockBytes: g.initialBlock.byteLength,
    "xor-rle": {
      bytes: rle.reduce((a, r) => a + r.length * 4, 0) / n,
      encodeSeconds: cpuOf(() => { for (let k = 0; k < reps; k++) for (const b of blocks) xorRleEncode(b, base, scratch); }, n * reps, rounds),
      decodeSeconds: cpuOf(() => { for (let k = 0; k < reps; k++) for (const r of rle) xorRleDecode(r, r.length, base, back); }, n * reps, rounds),
    },
    deflate: {
      bytes: packed.reduce((a, p) => a + p.length, 0) / n,
      encodeSeconds: cpuOf(() => { for (const b of g.samples) deflateRawSync(b, { level: 1 }); }, n, rounds),
      decodeSeconds: cpuOf(() => { for (const p of packed) inflateRawSync(p); }, n, rounds),
    },
  };
}

// ---- a time model -------------------------------------------------------------------------------

export interface Network {
  /** seconds per round for the exchange and the barrier that ends it (latency, not bandwidth) */
  roundLatency: number;
  /** bytes per second each machine can send and receive at once (full duplex, full bisection) */
  bandwidth: number;
  /** bytes of header per message (the 64-bit key, so the owner can look it up before decoding) */
  header: number;
}

export type Encoding = "raw" | "xor-rle" | "deflate" | "path" | "key-first";
export const ENCODINGS: Encoding[] = ["raw", "xor-rle", "deflate", "path", "key-first"];

export interface Prediction {
  /** predicted seconds on M machines, and on one (the one-machine search: transitions x cost) */
  seconds: number;
  oneMachine: number;
  speedup: number;
  /** seconds of the prediction that are network (latency + transfer) */
  network: number;
  /** seconds of the prediction that are the busiest machine's message encode/decode CPU */
  messageCpu: number;
  /** bytes sent over the network in all */
  bytes: number;
}

/**
 * Level-synchronous rounds, no overlap of computing and communicating (pessimistic): round L takes
 * the busiest machine's CPU (transitions x `perTransition`, plus encoding what it sends and
 * decoding what it must rebuild), then `roundLatency` plus the busiest machine's bytes in or out
 * over `bandwidth`. raw costs no CPU beyond the copy a restore already is; xor-rle and deflate
 * their measured CPU; path ships L + 1 bytes (the sender knows its state's BFS path) and costs
 * L + 1 ticks of replay at `perTransition` each. key-first sends only keys, and the saved
 * snapshot of a state only when its owner finds it new and has no transition of its own to it
 * (asked of one of the machines that sent the key, spread by hash): one more exchange a round,
 * so twice the latency.
 */
export function predict(p: Partition, enc: Encoding, perTransition: number, costs: Encodings, net: Network): Prediction {
  let seconds = 0, network = 0, messageCpu = 0, bytes = 0;
  p.perRound.forEach((r, L) => {
    let busiest = 0, busiestMsg = 0, io = 0;
    for (const x of r) {
      let msgCpu = 0, out = x.sent * net.header, inn = x.received * net.header;
      if (enc === "raw") { out += x.sentSaved; inn += x.receivedSaved; }
      else if (enc === "key-first") { out += x.suppliedSaved + x.decodes * net.header; inn += x.decodedSaved; }
      else if (enc === "path") {
        out += x.sent * (L + 1); inn += x.received * (L + 1);
        msgCpu = x.decodes * (L + 1) * perTransition;
      } else {
        const c = costs[enc];
        out += x.sent * c.bytes; inn += x.received * c.bytes;
        msgCpu = x.sent * c.encodeSeconds + x.decodes * c.decodeSeconds;
      }
      const cpu = x.transitions * perTransition + msgCpu;
      if (cpu > busiest) { busiest = cpu; busiestMsg = msgCpu; }
      io = Math.max(io, out, inn);
      bytes += out;
    }
    const wire = p.machines > 1 ? net.roundLatency * (enc === "key-first" ? 2 : 1) + io / net.bandwidth : 0;
    seconds += busiest + wire;
    network += wire;
    messageCpu += busiestMsg;
  });
  const oneMachine = p.transitions * perTransition;
  return { seconds, oneMachine, speedup: oneMachine / seconds, network, messageCpu, bytes };
}
