// Coverage of kernel behaviour, for the fuzzer: a bitmap in linear memory that runs OR into and
// the host reads (and clears) between runs. Bits:
//   [0, COV_STEPS) (function, program counter) pairs executed: fn * 64 + pc, one row of 64 bits per
//                  function id (FN_COUNT of them, at most COV_MAX_FNS; pcs above 63 share bit 63's row)
//   COV_BLOCK + k  a task blocked on wait kind k        COV_WAKE + k  a task woken from kind k
//   COV_INLOOKUP + n   n dentries in lookup at once (n capped at 7)
//   COV_QUEUE + policy * 16 + n   an rwsem queue reached length n under a policy
//   COV_END + verdict * 16 + check   how a run ended
//   COV_CYCLE + a * 8 + b   a waits-for cycle with an edge of kind a followed by one of kind b

import { LEAN } from "./build";
import { FN_COUNT } from "../kernel/fns";
import { CHECK_COUNT } from "../abi";

// Every function id has its own row of (fn, pc) bits. Until December 2026 the rows stopped at
// 2048 bits (32 functions) while ids reached 58, so the rows of functions 32 and up overlapped the
// block/wake/queue/end/cycle bits below, and an id of 64 or more would have written past the map.
export const COV_MAX_FNS: i32 = 128;
export const COV_STEPS: i32 = COV_MAX_FNS * 64;
export const COV_BLOCK: i32 = COV_STEPS;
export const COV_WAKE: i32 = COV_STEPS + 8;
export const COV_INLOOKUP: i32 = COV_STEPS + 16;
export const COV_QUEUE: i32 = COV_STEPS + 32;
export const COV_END: i32 = COV_STEPS + 96;
export const COV_CYCLE: i32 = COV_STEPS + 192;
export const COV_BITS: i32 = COV_STEPS + 256;
// A function id past the map would be a build error here, not a silent overlap at run time.
if (FN_COUNT > COV_MAX_FNS) ERROR("coverage: more function ids than rows (raise COV_MAX_FNS)");
if (CHECK_COUNT > 16) ERROR("coverage: COV_END keeps 16 check ids per verdict");

export const COVERAGE: usize = memory.data(COV_BITS >> 3, 16);

@inline export function cov(bit: i32): void {
  if (LEAN) return;
  const p = COVERAGE + <usize>(bit >> 3);
  store<u8>(p, load<u8>(p) | <u8>(<u32>1 << <u32>(bit & 7)));
}

/** cov((fn << 6) | (pc & 63)), with the byte and bit taken apart directly. */
@inline export function cov_step(fn: i32, pc: i32): void {
  if (LEAN) return;
  const p = COVERAGE + (<usize>fn << 3) + <usize>((pc & 63) >> 3);
  store<u8>(p, load<u8>(p) | <u8>(<u32>1 << <u32>(pc & 7)));
}

export function coverage_clear(): void { memory.fill(COVERAGE, 0, <usize>(COV_BITS >> 3)); }
