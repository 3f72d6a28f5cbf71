/**
 * Shareable links: the counterexample seed file (with its recorded schedule) travels in the URL
 * fragment, so it never reaches any server:
 *
 *   #s=<base64url(deflate-raw(UTF-8 seed file text))>
 *
 * What comes out of a link is untrusted: the fragment and the decompressed text are both bounded
 * (decompression stops as soon as the bound is passed, so a small "zip bomb" fragment cannot
 * exhaust memory), the text must be valid UTF-8, and the caller validates it with parseSeedFile
 * before anything runs. Uses only CompressionStream / DecompressionStream, which Chromium and
 * Node 20 both have.
 */

import { MAX_SEED_FILE_BYTES } from "../core/seed";

/** Largest seed file the page accepts, from a link or a paste (UTF-8 bytes): the CLI's limit. */
export const MAX_SEED_BYTES = MAX_SEED_FILE_BYTES;
/** Largest fragment value accepted: incompressible 64 KiB in base64 is about 87.5k characters. */
export const MAX_LINK_CHARS = 96 * 1024;
export const LINK_PARAM = "s";

export class LinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LinkError";
  }
}

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new LinkError("the link is damaged: its data holds characters outside base64url");
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new LinkError("the link is damaged: its data is not valid base64url");
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function streamOf(bytes: Uint8Array<ArrayBuffer>): ReadableStream<BufferSource> {
  return new ReadableStream({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw new LinkError("the link is damaged: its data does not decompress");
    }
    if (chunk.done) break;
    total += chunk.value.length;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new LinkError(`the seed file in the link is larger than ${limit / 1024} KiB; refusing it`);
    }
    parts.push(chunk.value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The fragment (without "#") that carries `seedText`. */
export async function encodeLink(seedText: string): Promise<string> {
  const bytes = new TextEncoder().encode(seedText);
  if (bytes.length > MAX_SEED_BYTES) throw new LinkError(`the seed file is larger than ${MAX_SEED_BYTES / 1024} KiB`);
  const packed = await readAll(streamOf(bytes).pipeThrough(new CompressionStream("deflate-raw")), Infinity);
  return `${LINK_PARAM}=${toBase64Url(packed)}`;
}

/**
 * The seed file text a fragment ("#s=..." or "s=...") carries; undefined when the fragment holds
 * no seed file. Throws LinkError on anything malformed or oversized.
 */
export async function decodeLink(fragment: string): Promise<string | undefined> {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  const data = params.get(LINK_PARAM);
  if (data === null) return undefined;
  if (data.length > MAX_LINK_CHARS) throw new LinkError(`the link's data is longer than ${MAX_LINK_CHARS} characters; refusing it`);
  const packed = fromBase64Url(data);
  const bytes = await readAll(streamOf(packed).pipeThrough(new DecompressionStream("deflate-raw")), MAX_SEED_BYTES);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new LinkError("the link is damaged: the seed file in it is not valid UTF-8");
  }
}
