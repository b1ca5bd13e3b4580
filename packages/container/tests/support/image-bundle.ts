import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const REPO_ROOT = resolve(import.meta.dirname, "../../../..");
const TARGET = "--outfile=/out/agent-task.mjs";

/**
 * Runs docker/openclaw/Dockerfile's own `RUN npx esbuild …` step here (there is no Docker engine),
 * writing the image's bundle of the task to `outFile` instead. The image runs that one file with
 * Node 24; so should a test (testkit's openclawRuntime().nodeBin, OPENCLAW_HOME = its dir).
 */
export function buildImageBundle(outFile: string): void {
  const dockerfile = readFileSync(join(REPO_ROOT, "docker/openclaw/Dockerfile"), "utf8");
  const step = dockerfile.match(/^RUN (npx esbuild (?:[^\n]*\\\n)*[^\n]*)/m)?.[1];
  if (!step?.includes(TARGET))
    throw new Error("the Dockerfile's bundle step changed: update image-bundle.ts");
  execFileSync("sh", ["-c", step.replace(TARGET, `--outfile=${outFile}`)], { cwd: REPO_ROOT, stdio: "pipe" });
}
