/** The fuzzer's only source of choices: xoshiro128** seeded through splitmix64. */


const MASK64 = (1n << 64n) - 1n;

/** splitmix64 (Steele, Lea, Flood 2014): expands one u64 seed into well-mixed words. */
export function splitmix64(state: bigint): { next: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return { next, value: z ^ (z >> 31n) };
}

/** xoshiro128** (Blackman, Vigna 2018) on 32-bit ints: the fuzzer's only source of choices. */
export class Rng {
  private s = new Uint32Array(4);

  constructor(seed: bigint) {
    let st = BigInt.asUintN(64, seed);
    for (let i = 0; i < 4; i += 2) {
      const r = splitmix64(st);
      st = r.next;
      this.s[i] = Number(r.value & 0xffffffffn);
      this.s[i + 1] = Number(r.value >> 32n);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** A uniform u32. */
  u32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, n), n >= 1 (rejection sampling, no modulo bias). */
  below(n: number): number {
    if (n <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % n;
    }
  }

  /** True with probability num/den. */
  chance(num: number, den: number): boolean {
    return this.below(den) < num;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** A u64 seed for a derived stream or a strategy. */
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
