/** Seed-file errors: bad input, named by the path of the offending field. */

/** Bad input. `path` names the field in JS-ish syntax (`threads[1].ops[0].op`), "" for the file. */
export class SeedError extends Error {
  constructor(
    public path: string,
    public detail: string,
  ) {
    super(`${path === "" ? "seed file" : path}: ${detail}`);
    this.name = "SeedError";
  }
}
