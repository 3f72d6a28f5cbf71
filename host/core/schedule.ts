/**
 * The recorded schedule string: which thread ran at each tick, compact and pasteable.
 *
 *   plain  "v1:0120"          one lowercase hex digit per tick: the index of the thread that ran
 *   RLE    "v1:0*5,1*3,2"     comma-separated tokens "d" (one tick) or "d*N" (N ticks, N >= 1)
 *
 * A body holding "," or "*" is read as RLE, anything else as plain; both forms decode the same.
 * `encodeSchedule` writes plain below RLE_FROM ticks and RLE from there on.
 */

import { SeedError } from "./seed/errors";

export const SCHEDULE_PREFIX = "v1:";
/** A thread index must fit one hex digit. */
export const SCHEDULE_MAX_THREADS = 16;
/** Bound on decoded length (the largest run.ticks), so "0*999999999999" cannot exhaust memory. */
export const SCHEDULE_MAX_CHOICES = 1_000_000;
const RLE_FROM = 64;

/** Thread indices, one per tick, to the schedule string. Throws RangeError on an index > 15. */
export function encodeSchedule(choices: ArrayLike<number>): string {
  const digits = Array.from(choices, (c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= SCHEDULE_MAX_THREADS) {
      throw new RangeError(`schedule choice ${i} is ${c}; expected a thread index from 0 to ${SCHEDULE_MAX_THREADS - 1}`);
    }
    return c.toString(16);
  });
  return SCHEDULE_PREFIX + (digits.length < RLE_FROM ? digits.join("") : runLength(digits));
}

function runLength(digits: string[]): string {
  const tokens: string[] = [];
  for (let i = 0; i < digits.length; ) {
    let j = i + 1;
    while (j < digits.length && digits[j] === digits[i]) j++;
    tokens.push(j - i === 1 ? digits[i] : `${digits[i]}*${j - i}`);
    i = j;
  }
  return tokens.join(",");
}

/**
 * The schedule string to thread indices. Errors name `path` and give the 0-based offset of the
 * bad character in the whole string (the "v1:" prefix counts).
 */
export function decodeSchedule(text: string, nThreads: number, path = "schedule"): Uint8Array {
  if (typeof text !== "string" || !text.startsWith(SCHEDULE_PREFIX)) {
    throw new SeedError(path, `expected a schedule starting with "${SCHEDULE_PREFIX}", got ${JSON.stringify(text)}`);
  }
  const reader = new Reader(text, path, nThreads);
  const body = text.slice(SCHEDULE_PREFIX.length);
  return body.includes(",") || body.includes("*") ? reader.rle() : reader.plain();
}

/** A cursor over the schedule text; every error it raises carries the offset. */
class Reader {
  private pos = SCHEDULE_PREFIX.length;
  private out: number[] = [];

  constructor(
    private text: string,
    private path: string,
    private nThreads: number,
  ) {}

  plain(): Uint8Array {
    while (this.pos < this.text.length) this.emit(this.thread(), 1);
    return Uint8Array.from(this.out);
  }

  rle(): Uint8Array {
    for (;;) {
      const thread = this.thread();
      this.emit(thread, this.peek() === "*" ? this.count() : 1);
      if (this.pos === this.text.length) return Uint8Array.from(this.out);
      if (this.peek() !== ",") this.fail('"," or "*"');
      this.pos++;
    }
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private thread(): number {
    const c = this.peek();
    if (c === undefined || !/^[0-9a-f]$/.test(c)) this.fail("a lowercase hex digit (0-9, a-f)");
    const thread = parseInt(c, 16);
    if (thread >= this.nThreads) {
      const last = (this.nThreads - 1).toString(16);
      throw new SeedError(this.path, `thread ${c} at offset ${this.pos} does not exist; the scenario has ${this.nThreads === 1 ? "1 thread (0)" : `${this.nThreads} threads (0-${last})`}`);
    }
    this.pos++;
    return thread;
  }

  /** "*N" with N a decimal count >= 1. */
  private count(): number {
    this.pos++;
    const digits = /^[0-9]+/.exec(this.text.slice(this.pos))?.[0] ?? "";
    if (digits === "" || Number(digits) === 0) this.fail('a repeat count of at least 1 after "*"');
    this.pos += digits.length;
    if (digits.length > 7) this.tooLong();
    return Number(digits);
  }

  private emit(thread: number, n: number): void {
    if (this.out.length + n > SCHEDULE_MAX_CHOICES) this.tooLong();
    for (let i = 0; i < n; i++) this.out.push(thread);
  }

  /** The character at the cursor is not what the grammar allows. */
  private fail(expected: string): never {
    const c = this.peek();
    const found = c === undefined ? `unexpected end at offset ${this.pos}` : `bad character ${JSON.stringify(c)} at offset ${this.pos}`;
    throw new SeedError(this.path, `${found}; expected ${expected}`);
  }

  private tooLong(): never {
    throw new SeedError(this.path, `longer than ${SCHEDULE_MAX_CHOICES} choices (at offset ${this.pos})`);
  }
}
