/** `--set key=value`: overrides applied to a raw seed object, steered by the schema. */

import { field, index, isObject, keyed, oneOf, shown, type Below, type Spec } from "./combinators";
import { SeedError } from "./errors";
import { fileSpec } from "./schema";

type Segment = string | number;

/**
 * Applies `--set` overrides to a raw (unvalidated) seed object and returns a new object; the
 * input is not changed. A set is `dotted.path=value`: fields by name, list items by `[i]` or
 * `.i`, keys of `tree`, `variants` and `when` either quoted (`tree["/d"]`) or as the rest of
 * the path (`variants.kernel.order`). The value is JSON if it parses (integers beyond 2^53 stay
 * strings, so seeds keep every digit), else plain text; `null` removes the field.
 */
export function applySets(raw: unknown, sets: string[]): unknown {
  if (sets.length === 0) return raw;
  if (!isObject(raw)) throw new SeedError("", `expected a JSON object, got ${shown(raw)}`);
  const root = structuredClone(raw);
  // `expect` may be one object; a set that indexes into it sees it as a one-entry list.
  if (isObject(root.expect) && sets.some((set) => /^expect[.[]/.test(set))) root.expect = [root.expect];
  for (const set of sets) applySet(root, set);
  return root;
}

function applySet(root: Record<string, unknown>, set: string): void {
  const at = `--set ${set}`;
  const eq = set.indexOf("=");
  if (eq <= 0) throw new SeedError(at, "expected key=value, e.g. kernel.order=proposed or threads[0].ops[0].path=/d/z");
  const segments = parseSetPath(set.slice(0, eq), at);
  store(root, segments, parseSetValue(set.slice(eq + 1)), at);
}

function parseSetValue(text: string): unknown {
  if (/^-?[0-9]+$/.test(text) && !Number.isSafeInteger(Number(text))) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Splits a --set path into segments, checking each against the schema. */
function parseSetPath(path: string, at: string): Segment[] {
  const segments: Segment[] = [];
  let spec: Spec<unknown> = fileSpec;
  let pos = 0;
  let where = "";
  while (pos < path.length || segments.length === 0) {
    const below = spec.below;
    if (!below) throw new SeedError(at, `${where} has no fields below it`);
    if (segments.length > 0) {
      // Between segments: "." or the "[" of an index or quoted key.
      if (path[pos] === ".") pos++;
      else if (path[pos] !== "[") throw new SeedError(at, `expected "." or "[" after ${where}`);
    }
    const step = stepOnce(path, pos, below, where, at);
    segments.push(step.segment);
    spec = step.spec;
    pos = step.next;
    where = step.where;
  }
  return segments;
}

interface StepResult {
  segment: Segment;
  spec: Spec<unknown>;
  next: number;
  where: string;
}

function stepOnce(path: string, pos: number, below: Below, where: string, at: string): StepResult {
  if (below.kind === "items") {
    const m = /^\[([0-9]+)\]|^([0-9]+)/.exec(path.slice(pos));
    if (!m) throw new SeedError(at, `expected a list index after ${where}, e.g. ${where}[0]`);
    const i = Number(m[1] ?? m[2]);
    return { segment: i, spec: below.item, next: pos + m[0].length, where: index(where, i) };
  }
  if (below.kind === "keys") {
    const { key, next } = readKey(path, pos, where, at);
    if (below.keys && !below.keys.includes(key)) {
      throw new SeedError(at, `unknown ${below.keyNoun} ${shown(key)} in ${where}; expected one of ${oneOf(below.keys)}`);
    }
    return { segment: key, spec: below.value(key), next, where: keyed(where, key) };
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path.slice(pos));
  const name = m ? m[0] : "";
  const names = Object.keys(below.fields);
  if (!Object.hasOwn(below.fields, name)) {
    const what = name === "" ? "a field name" : `unknown field ${shown(name)}`;
    throw new SeedError(at, `${what}${where === "" ? "" : ` in ${where}`}; expected one of ${oneOf(names)}`);
  }
  return { segment: name, spec: below.fields[name], next: pos + name.length, where: field(where, name) };
}

/** A dict key: `["quoted"]`, or the rest of the path (keys may hold "." and "/"). */
function readKey(path: string, pos: number, where: string, at: string): { key: string; next: number } {
  if (path.startsWith('["', pos)) {
    const end = path.indexOf('"]', pos + 2);
    if (end < 0) throw new SeedError(at, `unterminated ["..."] after ${where}`);
    return { key: path.slice(pos + 2, end), next: end + 2 };
  }
  if (pos >= path.length) throw new SeedError(at, `expected a key after ${where}`);
  return { key: path.slice(pos), next: path.length };
}

/** Sets an own property, even one named "__proto__" (a dict key), and returns the value. */
function put(obj: Record<string, unknown>, key: string, value: unknown): unknown {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

function store(root: Record<string, unknown>, segments: Segment[], value: unknown, at: string): void {
  let node: unknown = root;
  let where = "";
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const last = i === segments.length - 1;
    const child = typeof seg === "number" ? index(where, seg) : field(where, seg);
    if (typeof seg === "number") {
      if (!Array.isArray(node)) throw new SeedError(at, `${where} is not a list in the seed file; set the whole field instead`);
      if (seg > node.length) throw new SeedError(at, `index ${seg} is past the end of ${where} (${node.length} entries)`);
      if (last) node[seg] = value;
      else node = node[seg] ??= typeof segments[i + 1] === "number" ? [] : {};
    } else {
      if (!isObject(node)) throw new SeedError(at, `${where} is not an object in the seed file; set the whole field instead`);
      if (last && value === null) delete node[seg];
      else if (last) put(node, seg, value);
      else node = node[seg] ?? put(node, seg, typeof segments[i + 1] === "number" ? [] : {});
    }
    where = child;
  }
}
