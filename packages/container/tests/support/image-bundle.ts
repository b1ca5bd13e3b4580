import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openclawRuntime } from "@serverless-openclaw/testkit/openclaw";
import { type ManagedProcess, startProcess } from "@serverless-openclaw/testkit/process";

const REPO_ROOT = resolve(import.meta.dirname, "../../../..");
const TARGET = "--outfile=/out/agent-task.mjs";

/**
 * Runs docker/openclaw/Dockerfile's own `RUN npx esbuild …` step here (there is no Docker engine),
 * writing the image's bundle of the task to `outFile` instead.
 */
function buildImageBundle(outFile: string): void {
  const dockerfile = readFileSync(join(REPO_ROOT, "docker/openclaw/Dockerfile"), "utf8");
  const step = dockerfile.match(/^RUN (npx esbuild (?:[^\n]*\\\n)*[^\n]*)/m)?.[1];
  if (!step?.includes(TARGET))
    throw new Error("the Dockerfile's bundle step changed: update image-bundle.ts");
  execFileSync("sh", ["-c", step.replace(TARGET, `--outfile=${outFile}`)], { cwd: REPO_ROOT, stdio: "pipe" });
}

let built: string | undefined;

/**
 * The image's bundle, built once per test process (the first task of a file waits for it) and copied
 * for each task: the sources do not change during a run, and each build is an `npx esbuild` of seconds
 * (12 s at load 11) that blocks this process's event loop, which serves the task's fakes.
 */
function imageBundleCopy(outFile: string): void {
  if (!built) {
    const dir = mkdtempSync(join(tmpdir(), "container-image-bundle-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    buildImageBundle(join(dir, "agent-task.mjs"));
    built = join(dir, "agent-task.mjs");
  }
  copyFileSync(built, outFile);
}

/**
 * Starts the task as the image does: the image's bundle (built to `<workDir>-agent-task.mjs`, which
 * the caller removes) on the pinned Node 24, with OPENCLAW_HOME, WORK_DIR and debug logs set and
 * `env` for the wiring.
 */
export function startImageTask(options: {
  name: string;
  workDir: string;
  env: Record<string, string | undefined>;
}): { proc: ManagedProcess; bundle: string } {
  const bundle = `${options.workDir}-agent-task.mjs`;
  imageBundleCopy(bundle);
  const runtime = openclawRuntime();
  const proc = startProcess({
    name: options.name,
    command: runtime.nodeBin,
    args: [bundle],
    env: {
      PATH: process.env.PATH,
      OPENCLAW_HOME: runtime.dir,
      WORK_DIR: options.workDir,
      LOG_LEVEL: "debug",
      ...options.env,
    },
  });
  return { proc, bundle };
}
