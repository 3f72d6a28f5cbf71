/**
 * Where a SeedError's field is in the JSON text: SeedError.path (`threads[1].ops[0].op`,
 * `tree["/d"][0]`, "" for the file) -> a character range, so the editor can mark the offending
 * field. The path syntax is host/core/seed's: `a.b` for fields, `a[i]` for list items and
 * `a["key"]` for keys of dicts; both key forms are recorded for every object member.
 */

export interface Span {
  from: number;
  to: number;
  /** false: the field itself is absent (a missing field); the span is its parent's opening */
  exact: boolean;
}

interface Found {
  from: number; // the key, for an object member; else the value
  to: number;
}

/** A JSON scanner that records the span of every value by path. Input is known to parse. */
class Scanner {
  private pos = 0;
  readonly spans = new Map<string, Found>();

  constructor(private text: string) {}

  private ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    while (this.pos < this.text.length && this.text[this.pos] !== '"') this.pos += this.text[this.pos] === "\\" ? 2 : 1;
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  /** Scan one value; `paths` are its names (an object member has two: `a.k` and `a["k"]`). */
  value(paths: string[], keyFrom?: number): void {
    this.ws();
    const from = this.pos;
    const c = this.text[this.pos];
    if (c === "{") {
      this.pos++;
      this.ws();
      if (this.text[this.pos] === "}") this.pos++;
      else {
        for (;;) {
          this.ws();
          const kFrom = this.pos;
          const key = this.string();
          this.ws();
          this.pos++; // ':'
          const names = paths.flatMap((p) => [p === "" ? key : `${p}.${key}`, `${p}[${JSON.stringify(key)}]`]);
          this.value(names, kFrom);
          this.ws();
          if (this.text[this.pos++] === "}") break;
        }
      }
    } else if (c === "[") {
      this.pos++;
      this.ws();
      if (this.text[this.pos] === "]") this.pos++;
      else {
        for (let i = 0; ; i++) {
          this.value(paths.map((p) => `${p}[${i}]`));
          this.ws();
          if (this.text[this.pos++] === "]") break;
        }
      }
    } else if (c === '"') {
      this.string();
    } else {
      while (this.pos < this.text.length && /[^\s,\]}]/.test(this.text[this.pos])) this.pos++;
    }
    for (const p of paths) this.spans.set(p, { from: keyFrom ?? from, to: this.pos });
  }
}

/** The last segment of a path: `.name`, `[3]` or `["key"]`. */
const LAST = /(\.[^.[\]]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/;

/** The span of `path` in `text`, or of its nearest present ancestor; undefined if not JSON. */
export function locate(text: string, path: string): Span | undefined {
  let spans: Map<string, Found>;
  try {
    JSON.parse(text);
    const sc = new Scanner(text);
    sc.value([""]);
    spans = sc.spans;
  } catch {
    return undefined;
  }
  // `--set` errors name the set, not a field
  let p = path.startsWith("--set ") ? "" : path;
  let exact = true;
  for (;;) {
    const f = spans.get(p);
    if (f) return exact ? { ...f, exact } : { from: f.from, to: Math.min(f.to, f.from + 1), exact };
    if (p === "") return undefined;
    const m = LAST.exec(p);
    p = m ? p.slice(0, m.index) : "";
    exact = false;
  }
}

/** The offset a JSON.parse error message names ("... at position 52 ..."), if any. */
export function syntaxErrorOffset(message: string, text: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  if (m) return Math.min(Number(m[1]), text.length);
  if (/end of JSON input/i.test(message)) return text.length;
  return undefined;
}

/** 1-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
