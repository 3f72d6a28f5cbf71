/** Entry points: seed-file text or a parsed JSON value to a validated `SeedFile`. */

import { isObject, shown } from "./combinators";
import { SeedError } from "./errors";
import { checkSeed } from "./rules";
import { fileSpec } from "./schema";
import { applySets } from "./set";
import type { SeedFile } from "./types";

/** Validates a parsed JSON value and fills defaults. Throws SeedError. */
export function validateSeedObject(raw: unknown): SeedFile {
  if (!isObject(raw)) throw new SeedError("", `expected a JSON object, got ${shown(raw)}`);
  const s = fileSpec.read(raw, "");
  checkSeed(s, raw);
  return s;
}

/** The largest seed file, in UTF-8 bytes, for the CLI and the page alike (host/web/link.ts). */
export const MAX_SEED_FILE_BYTES = 64 * 1024;

/** Parses seed-file text, applies `--set key=value` overrides, validates, fills defaults. */
export function parseSeedFile(text: string, sets: string[] = []): SeedFile {
  return validateSeedObject(applySets(readSeedJson(text), sets));
}

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const nl = before.lastIndexOf("\n");
  return `line ${before.split("\n").length}, column ${offset - nl}`;
}

/**
 * The JSON reader, stricter than JSON.parse: at most MAX_SEED_FILE_BYTES; a syntax error by line
 * and column; a key given twice in one object (JSON.parse keeps the last silently) and an integer
 * too large to be exact as a JSON number (JSON.parse rounds it) are errors naming the field and
 * quoting what was typed.
 */
export function readSeedJson(text: string): unknown {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_SEED_FILE_BYTES) throw new SeedError("", `the seed file is ${bytes} bytes; at most ${MAX_SEED_FILE_BYTES} (${MAX_SEED_FILE_BYTES / 1024} KiB)`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const offset = m ? Number(m[1]) : /end of JSON input/i.test(msg) ? text.length : undefined;
    const what = msg.replace(/\s*in JSON at position \d+.*$/s, "").replace(/\s*\(line \d+ column \d+\)$/, "");
    throw new SeedError("", offset === undefined ? `not valid JSON: ${msg}` : `not valid JSON at ${lineColumn(text, offset)} (position ${offset}): ${what}`);
  }
  new StrictScan(text).value("");
  return raw;
}

/** Walks JSON text already known to parse, for what JSON.parse does not report. */
class StrictScan {
  private pos = 0;
  constructor(private text: string) {}
  private ws(): void {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text[this.pos])) this.pos++;
  }
  private string(): string {
    const start = this.pos++;
    while (this.text[this.pos] !== '"') this.pos += this.text[this.pos] === "\\" ? 2 : 1;
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }
  value(path: string): void {
    this.ws();
    const c = this.text[this.pos];
    if (c === "{") {
      this.pos++;
      this.ws();
      const seen = new Set<string>();
      if (this.text[this.pos] === "}") { this.pos++; return; }
      for (;;) {
        this.ws();
        const at = this.pos;
        const key = this.string();
        const field = path === "" ? key : /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
        if (seen.has(key)) throw new SeedError(field, `given twice in one object (again at ${lineColumn(this.text, at)}); give each field once`);
        seen.add(key);
        this.ws();
        this.pos++; // ':'
        this.value(field);
        this.ws();
        if (this.text[this.pos++] === "}") return;
      }
    } else if (c === "[") {
      this.pos++;
      this.ws();
      if (this.text[this.pos] === "]") { this.pos++; return; }
      for (let i = 0; ; i++) {
        this.value(`${path}[${i}]`);
        this.ws();
        if (this.text[this.pos++] === "]") return;
      }
    } else if (c === '"') {
      this.string();
    } else {
      const start = this.pos;
      while (this.pos < this.text.length && !" \t\n\r,]}".includes(this.text[this.pos])) this.pos++;
      const literal = this.text.slice(start, this.pos);
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        const hint = path === "run.seed" ? `write the seed as a decimal string, "${literal.replace(/^-/, "")}"` : "no field takes a number this large";
        throw new SeedError(path, `${literal} is too large to be exact as a JSON number (above 2^53 - 1); ${hint}`);
      }
    }
  }
}
