// The trace: one event per atomic action (and per call into a named kernel function), written
// into a buffer in linear memory that the host reads after a run. Off for sweeps; a failing
// schedule is replayed with the trace on.

import { EV_WORDS, EV_TICK, EV_TASK, EV_FN, EV_PC, EV_OBJ, EV_NAME, EV_RESULT, EV_AUX } from "../abi";
import { gw, G_TICK } from "./state";
import { LEAN } from "./build";

// Allocated on the first set_trace(true): instances that only sweep never pay for it.
export const MAX_EVENTS: i32 = 1 << 16;
export let TRACE: usize = 0;

export let trace_on: bool = false;
export let trace_len: i32 = 0;
export let trace_lost: i32 = 0;

export function set_trace(on: bool): void {
  if (on && TRACE == 0) TRACE = heap.alloc(<usize>(MAX_EVENTS * EV_WORDS * 4));
  trace_on = on; trace_len = 0; trace_lost = 0;
}
export function trace_clear(): void { trace_len = 0; trace_lost = 0; }

/** Record one event. `obj` is kind << 24 | id (abi.ts OBJ_*). */
@inline export function ev(task: i32, fn: i32, pc: i32, obj: i32, name: i32, result: i32, aux: i32 = 0): void {
  if (!LEAN && trace_on) record(task, fn, pc, obj, name, result, aux);
}

function record(task: i32, fn: i32, pc: i32, obj: i32, name: i32, result: i32, aux: i32): void {
  if (trace_len >= MAX_EVENTS) { trace_lost++; return; }
  const p = TRACE + (<usize>(trace_len * EV_WORDS) << 2);
  store<i32>(p + (<usize>EV_TICK << 2), gw(G_TICK));
  store<i32>(p + (<usize>EV_TASK << 2), task);
  store<i32>(p + (<usize>EV_FN << 2), fn);
  store<i32>(p + (<usize>EV_PC << 2), pc);
  store<i32>(p + (<usize>EV_OBJ << 2), obj);
  store<i32>(p + (<usize>EV_NAME << 2), name);
  store<i32>(p + (<usize>EV_RESULT << 2), result);
  store<i32>(p + (<usize>EV_AUX << 2), aux);
  trace_len++;
}
