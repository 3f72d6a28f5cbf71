// Build flavours. The full module (build/vfsim.wasm) has everything; the lean module
// (build/vfsim-lean.wasm, `asc --use VFSIM_LEAN=1`) drops what random and PCT sweeps never use:
// footprint recording (dfs), coverage (the fuzzer) and the trace (replays). Both take the same
// steps, so a schedule gives the same verdict and ticks in either; the host replays a lean
// sweep's failures in the full module.

// @ts-ignore: a compile-time constant, defined only by the lean build
export const LEAN: bool = isDefined(VFSIM_LEAN);
