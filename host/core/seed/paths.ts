/** Paths and names: the syntax of a seed file's paths, and the tree they form. */

import { MAX_PATH_LEN } from "../abi";
import { SeedError } from "./errors";
import { list, shown, text } from "./combinators";

const NAME_MAX_BYTES = 255; // Linux NAME_MAX
export const THREAD_NAME_MAX = 32;
export const SEED_NAME_MAX = 128;
const utf8 = new TextEncoder();

/** "/" -> [], "/d/x" -> ["d", "x"]. The path must already be valid. */
export function components(path: string): string[] {
  return path === "/" ? [] : path.slice(1).split("/");
}

/** The parent directory of a valid path other than "/". */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut === 0 ? "/" : path.slice(0, cut);
}

export function childOf(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

/** Proper ancestors of a valid path, root excluded, outermost first: "/a/b/c" -> ["/a", "/a/b"]. */
export function ancestors(path: string): string[] {
  const parts = components(path);
  return parts.slice(0, -1).map((_, i) => "/" + parts.slice(0, i + 1).join("/"));
}

/** Parents before children; siblings by name (UTF-16 code units, locale-free). */
export function comparePaths(a: string, b: string): number {
  const pa = components(a);
  const pb = components(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

export function checkName(name: string, at: string): void {
  if (name === "") throw new SeedError(at, "expected a name, got an empty string");
  if (name === "." || name === "..") throw new SeedError(at, `${shown(name)} is not allowed as a name`);
  if (name.includes("/")) throw new SeedError(at, `expected a single name without "/", got ${shown(name)}`);
  if (name.includes("\0")) throw new SeedError(at, "a name must not contain a NUL character");
  if (utf8.encode(name).length > NAME_MAX_BYTES) {
    throw new SeedError(at, `a name is at most ${NAME_MAX_BYTES} bytes; got ${shown(name)}`);
  }
}

export function checkPath(path: string, at: string): void {
  if (!path.startsWith("/")) throw new SeedError(at, `expected an absolute path (starting with "/"), got ${shown(path)}`);
  if (path === "/") return;
  if (path.endsWith("/")) throw new SeedError(at, `path must not end with "/"; got ${shown(path)}`);
  const parts = path.slice(1).split("/");
  if (parts.includes("")) throw new SeedError(at, `path must not contain "//"; got ${shown(path)}`);
  if (parts.includes(".") || parts.includes("..")) {
    throw new SeedError(at, `path must not contain "." or ".." components; got ${shown(path)}`);
  }
  if (parts.length > MAX_PATH_LEN) {
    throw new SeedError(at, `path has ${parts.length} components; at most ${MAX_PATH_LEN}`);
  }
  for (const part of parts) checkName(part, at);
}

function hasControl(s: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(s);
}

export function label(max: number, what: string) {
  return (s: string, at: string) => {
    if (s === "") throw new SeedError(at, `expected a non-empty ${what}`);
    if ([...s].length > max) throw new SeedError(at, `${what} is at most ${max} characters; got ${shown(s)}`);
    if (hasControl(s)) throw new SeedError(at, `${what} must not contain control characters`);
  };
}

export const pathSpec = text(checkPath);
export const childNames = list(text(checkName), { noun: "names", unique: (n) => n });

/** Kind of every path that exists at the start, root included. */
export function treeKinds(tree: Record<string, string[]>): Map<string, "dir" | "file"> {
  const kinds = new Map<string, "dir" | "file">([["/", "dir"]]);
  for (const dir of Object.keys(tree)) {
    for (const p of [...ancestors(dir), dir]) kinds.set(p, "dir");
  }
  for (const [dir, names] of Object.entries(tree)) {
    for (const name of names) {
      const p = childOf(dir, name);
      if (!kinds.has(p)) kinds.set(p, "file");
    }
  }
  return kinds;
}
