import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** The budget for JavaScript the browser must download before the first screen can render. */
export const INITIAL_JS_BUDGET_BYTES = 100 * 1024;

export interface BundleSize {
  /** Entry script plus the chunks index.html preloads: what the first paint waits for. */
  initialGzipBytes: number;
  initialFiles: string[];
  /** Every JS file, including chunks loaded later (the chat after sign-in). */
  totalGzipBytes: number;
}

/** Measures gzipped JS of a Vite build in `distDir`. */
export function measureBundle(distDir: string): BundleSize {
  const html = readFileSync(join(distDir, "index.html"), "utf8");
  const initialFiles = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="\/?([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/?([^"]+\.js)"/g),
  ].map((m) => m[1] as string);
  if (initialFiles.length === 0) throw new Error(`no entry script found in ${distDir}/index.html`);
  const gz = (file: string) => gzipSync(readFileSync(join(distDir, file)), { level: 9 }).length;
  const all = readdirSync(join(distDir, "assets"))
    .filter((f) => f.endsWith(".js"))
    .map((f) => `assets/${f}`);
  return {
    initialFiles,
    initialGzipBytes: initialFiles.reduce((sum, f) => sum + gz(f), 0),
    totalGzipBytes: all.reduce((sum, f) => sum + gz(f), 0),
  };
}
