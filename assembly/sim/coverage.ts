// Coverage of kernel behaviour, for the fuzzer: a bitmap in linear memory that runs OR into and
// the host reads (and clears) between runs. Bits:
//   [0, 2048)      (function, program counter) pairs executed: fn * 64 + pc
//   COV_BLOCK + k  a task blocked on wait kind k        COV_WAKE + k  a task woken from kind k
//   COV_INLOOKUP + n   n dentries in lookup at once (n capped at 7)
//   COV_QUEUE + policy * 16 + n   an rwsem queue reached length n under a policy
//   COV_END + verdict * 16 + check   how a run ended
//   COV_CYCLE + a * 8 + b   a waits-for cycle with an edge of kind a followed by one of kind b

import { LEAN } from "./build";

export const COV_BITS: i32 = 4096;
export const COV_BLOCK: i32 = 2048;
export const COV_WAKE: i32 = 2056;
export const COV_INLOOKUP: i32 = 2064;
export const COV_QUEUE: i32 = 2080;
export const COV_END: i32 = 2144;
export const COV_CYCLE: i32 = 2240;

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
