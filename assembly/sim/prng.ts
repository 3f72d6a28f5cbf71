// Seeded PRNG for the in-wasm strategies: SplitMix64 to derive per-schedule seeds, xoshiro128**
// for the choices. No unseeded randomness and no clock anywhere in the model.

let s0: u32 = 1, s1: u32 = 2, s2: u32 = 3, s3: u32 = 4;

export function splitmix64(x: u64): u64 {
  let z = x + 0x9E3779B97F4A7C15;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

/** Seed for schedule `index` of a batch started from `seed`: depends on nothing else, so a
 *  schedule's choices are the same whatever worker, shard or batch runs it. */
export function schedule_seed(seed: u64, index: u64): u64 {
  return splitmix64(seed ^ splitmix64(index + 0x5EED));
}

export function prng_seed(seed: u64): void {
  const a = splitmix64(seed), b = splitmix64(a);
  s0 = <u32>a; s1 = <u32>(a >> 32); s2 = <u32>b; s3 = <u32>(b >> 32);
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
}

export function prng_next(): u32 {
  let a = s0, b = s1, c = s2, d = s3;   // the state in locals: one load and one store each
  const result = rotl<u32>(b * 5, 7) * 9;
  const t = b << 9;
  c ^= a; d ^= b; b ^= c; a ^= d;
  c ^= t; d = rotl<u32>(d, 11);
  s0 = a; s1 = b; s2 = c; s3 = d;
  return result;
}

/** Uniform in [0, n), n >= 1 (Lemire's multiply-shift; the bias is below 2^-24 for n <= 256). */
export function prng_below(n: u32): u32 {
  return <u32>((<u64>prng_next() * <u64>n) >> 32);
}
