// Types for scripts/serve-web.mjs (imported by test/browser.test.ts).
export declare const MIME: Record<string, string>;
export declare function resolveRequestPath(root: string, urlPath: string): Promise<{ file: string; size: number } | undefined>;
export interface StaticServer {
  /** "http://127.0.0.1:PORT/" */
  url: string;
  port: number;
  close(): Promise<void>;
}
export declare function startServer(options?: { root?: string; port?: number; host?: string; log?: (line: string) => void }): Promise<StaticServer>;
