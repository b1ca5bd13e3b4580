import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The monorepo root: the nearest directory above this file whose package.json declares workspaces. */
export function findRepoRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { workspaces?: unknown }).workspaces) return dir;
      } catch {
        // Not JSON: keep looking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root above ${start}`);
    dir = parent;
  }
}

export interface RepoPaths {
  root: string;
  /** The agent task's entrypoint (TypeScript, run through tsx). */
  containerMain: string;
  /** The built web UI. */
  webDist: string;
  /** The pinned OpenClaw runtime installed by scripts/ensure-openclaw.mjs. */
  openclawHome: string;
  /** Node's compile cache for OpenClaw, kept between runs (boots ~20% faster). */
  openclawCompileCache: string;
}

export function repoPaths(root = findRepoRoot()): RepoPaths {
  return {
    root,
    containerMain: join(root, "packages", "container", "src", "main.ts"),
    webDist: join(root, "packages", "web", "dist"),
    openclawHome: join(root, ".cache", "openclaw-runtime"),
    openclawCompileCache: join(root, ".cache", "openclaw-compile-cache"),
  };
}
