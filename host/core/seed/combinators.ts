/**
 * The field walker: schema combinators. A schema is a tree of `Spec`s; one tree serves three
 * purposes: reading a raw JSON value into a typed value (with defaults), naming the offending
 * field when that fails, and steering `--set` paths so a typo is caught before anything runs.
 */

import { SeedError } from "./errors";

/** A schema node: reads one raw JSON value found at field path `at`, or throws a SeedError. */
export interface Spec<T> {
  read(raw: unknown, at: string): T;
  /** How a `--set` path goes one level below this node; absent for leaves. */
  below?: Below;
}

export type Below =
  | { kind: "fields"; fields: Record<string, Spec<unknown>> }
  | { kind: "items"; item: Spec<unknown> }
  | { kind: "keys"; value: (key: string) => Spec<unknown>; keys?: readonly string[]; keyNoun: string };

export interface FieldDef<T> {
  spec: Spec<T>;
  required?: boolean;
  fallback?: () => T; // absent and no fallback: the field stays absent
}

export const required = <T>(spec: Spec<T>): FieldDef<T> => ({ spec, required: true });
export const optional = <T>(spec: Spec<T>): FieldDef<T | undefined> => ({ spec });
export const withDefault = <T>(spec: Spec<T>, fallback: () => T): FieldDef<T> => ({ spec, fallback });
/** A nested object whose own fields all have defaults: absent means "all defaults". */
export const allDefaults = <T>(spec: Spec<T>, at: string): FieldDef<T> =>
  withDefault(spec, () => spec.read({}, at));

export const field = (at: string, key: string) => (at === "" ? key : `${at}.${key}`);
export const index = (at: string, i: number) => `${at}[${i}]`;
export const keyed = (at: string, key: string) => `${at}[${JSON.stringify(key)}]`;
export const oneOf = (values: readonly unknown[]) => values.map(String).join(", ");

/** A raw value as it appears in an error message. */
export function shown(v: unknown): string {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object" && v !== null) return "an object";
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function asObject(raw: unknown, at: string): Record<string, unknown> {
  if (!isObject(raw)) throw new SeedError(at, `expected an object, got ${shown(raw)}`);
  return raw;
}

export function struct<T>(fields: { [K in keyof T]-?: FieldDef<T[K]> }): Spec<T> {
  const defs = fields as Record<string, FieldDef<unknown>>;
  const names = Object.keys(defs);
  const specs: Record<string, Spec<unknown>> = {};
  for (const name of names) specs[name] = defs[name].spec;
  return {
    below: { kind: "fields", fields: specs },
    read(raw, at) {
      const obj = asObject(raw, at);
      for (const key of Object.keys(obj)) {
        if (!Object.hasOwn(defs, key)) {
          throw new SeedError(field(at, key), `unknown field; expected one of ${oneOf(names)}`);
        }
      }
      const out: Record<string, unknown> = {};
      for (const name of names) {
        const def = defs[name];
        const value = obj[name];
        if (value !== undefined) out[name] = def.spec.read(value, field(at, name));
        else if (def.required) throw new SeedError(field(at, name), "missing required field");
        else if (def.fallback) out[name] = def.fallback();
      }
      return out as T;
    },
  };
}

interface ListRules<T> {
  min?: number;
  max?: number;
  noun: string; // plural, for "expected 1 to 16 threads"
  unique?: (item: T) => unknown;
}

export function list<T>(item: Spec<T>, rules: ListRules<T>): Spec<T[]> {
  const min = rules.min ?? 0;
  const max = rules.max ?? Infinity;
  return {
    below: { kind: "items", item },
    read(raw, at) {
      if (!Array.isArray(raw)) throw new SeedError(at, `expected a list of ${rules.noun}, got ${shown(raw)}`);
      if (raw.length < min || raw.length > max) {
        const range = max === Infinity ? (min === 1 ? "a non-empty list of" : `at least ${min}`) : `${min} to ${max}`;
        throw new SeedError(at, `expected ${range} ${rules.noun}, got ${raw.length}`);
      }
      const out = raw.map((v, i) => item.read(v, index(at, i)));
      if (rules.unique) requireUnique(out, rules.unique, at);
      return out;
    },
  };
}

function requireUnique<T>(items: T[], key: (item: T) => unknown, at: string): void {
  const seen = new Map<unknown, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) throw new SeedError(index(at, i), `${shown(k)} is listed twice (also ${index(at, first)})`);
    seen.set(k, i);
  });
}

interface DictRules {
  keyNoun: string;
  keys?: readonly string[]; // allowed keys; absent: any key accepted by readKey
  readKey?: (key: string, at: string) => void;
}

/** An object with data keys; the spec of a value may depend on its key. */
export function dict<T>(value: (key: string) => Spec<T>, rules: DictRules): Spec<Record<string, T>> {
  return {
    below: { kind: "keys", value, keys: rules.keys, keyNoun: rules.keyNoun },
    read(raw, at) {
      const obj = asObject(raw, at);
      const out: Record<string, T> = {};
      for (const key of Object.keys(obj)) {
        const where = keyed(at, key);
        if (rules.keys && !rules.keys.includes(key)) {
          throw new SeedError(where, `unknown ${rules.keyNoun}; expected one of ${oneOf(rules.keys)}`);
        }
        rules.readKey?.(key, where);
        out[key] = value(key).read(obj[key], where);
      }
      return out;
    },
  };
}

/** `oldNames`: accepted spellings that read as a current value (fs.prime's d_alloc_noblock). */
export function enumOf<T extends string>(values: readonly T[], noun: string, oldNames: Readonly<Record<string, T>> = {}): Spec<T> {
  return {
    read(raw, at) {
      if (typeof raw === "string" && (values as readonly string[]).includes(raw)) return raw as T;
      if (typeof raw === "string" && Object.hasOwn(oldNames, raw)) return oldNames[raw];
      if (typeof raw === "string") throw new SeedError(at, `unknown ${noun} ${shown(raw)}; expected one of ${oneOf(values)}`);
      throw new SeedError(at, `expected one of ${oneOf(values)}, got ${shown(raw)}`);
    },
  };
}

export const bool: Spec<boolean> = {
  read(raw, at) {
    if (typeof raw === "boolean") return raw;
    throw new SeedError(at, `expected true or false, got ${shown(raw)}`);
  },
};

export function int(min: number, max: number): Spec<number> {
  return {
    read(raw, at) {
      if (typeof raw === "number" && Number.isInteger(raw) && raw >= min && raw <= max) return raw;
      throw new SeedError(at, `expected an integer from ${min} to ${max}, got ${shown(raw)}`);
    },
  };
}

export function text(check?: (s: string, at: string) => void): Spec<string> {
  return {
    read(raw, at) {
      if (typeof raw !== "string") throw new SeedError(at, `expected a string, got ${shown(raw)}`);
      check?.(raw, at);
      return raw;
    },
  };
}
