/**
 * Which Chromium the browser tests drive. In order:
 *  1. $VFSIM_CHROMIUM, when set (a missing file there is an error, never a silent fallback);
 *  2. a system Chromium: Debian's /usr/bin/chromium (or /usr/bin/chromium-browser);
 *  3. the headless Chromium that npm installs with the devDependency @sparticuz/chromium
 *     (brotli-compressed inside the package; unpacked once to $TMPDIR/chromium on first use).
 * So `npm ci && npm test` needs no apt-get.
 */

import { existsSync } from "node:fs";

export const SYSTEM_CHROMIUMS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"] as const;

export type ChromiumChoice =
  | { source: "VFSIM_CHROMIUM"; path: string }
  | { source: "system"; path: string }
  | { source: "@sparticuz/chromium" };

/** The lookup order, pure: `env` is the environment, `exists` tells whether a path exists. */
export function chooseChromium(env: Record<string, string | undefined>, exists: (path: string) => boolean): ChromiumChoice {
  const fromEnv = env.VFSIM_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!exists(fromEnv)) throw new Error(`VFSIM_CHROMIUM=${fromEnv}: no such file (unset it to use a system Chromium or the one npm installs)`);
    return { source: "VFSIM_CHROMIUM", path: fromEnv };
  }
  for (const path of SYSTEM_CHROMIUMS) if (exists(path)) return { source: "system", path };
  return { source: "@sparticuz/chromium" };
}

/** The executable to launch, unpacking the npm-installed Chromium when no other is found. */
export async function findChromium(env: Record<string, string | undefined> = process.env): Promise<{ path: string; source: ChromiumChoice["source"] }> {
  const choice = chooseChromium(env, existsSync);
  if (choice.source !== "@sparticuz/chromium") return choice;
  const { default: packaged } = await import("@sparticuz/chromium");
  return { source: choice.source, path: await packaged.executablePath() };
}
