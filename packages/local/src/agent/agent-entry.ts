import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LocalLogger } from "../support/local-logger";
import type { RepoPaths } from "../support/repo-paths";

export interface AgentCommand {
  file: string;
  args: string[];
}

/**
 * How to run the agent task. The container entrypoint is bundled with esbuild (our TypeScript only;
 * npm packages stay external and resolve from the repo's node_modules), as the image does for AWS:
 * a bundle starts in well under a second, where transpiling it with tsx on each wake costs seconds.
 * If bundling fails, tsx runs the sources directly.
 */
export async function agentCommand(paths: RepoPaths, logger: LocalLogger): Promise<AgentCommand> {
  const outDir = join(paths.root, ".cache", "local-agent");
  try {
    const esbuild = await import("esbuild");
    await mkdir(outDir, { recursive: true });
    const result = await esbuild.build({
      entryPoints: [paths.containerMain],
      outfile: join(outDir, "agent-task.mjs"),
      write: false,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: "inline",
      logLevel: "silent",
      plugins: [
        {
          name: "external-npm-packages",
          setup(build) {
            // Bare imports are npm packages, except our own workspaces, which export TypeScript sources.
            build.onResolve({ filter: /^[^./]/ }, (args) =>
              args.path.startsWith("@serverless-openclaw/") ? undefined : { path: args.path, external: true },
            );
          },
        },
      ],
    });
    const code = result.outputFiles[0]?.contents;
    if (!code) throw new Error("esbuild produced no output");
    // Named by content and renamed into place: several stacks (parallel tests) may build at once, and
    // an agent must never start from a half-written file.
    const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
    const outfile = join(outDir, `agent-task-${hash}.mjs`);
    if (!existsSync(outfile)) {
      const temp = `${outfile}.${process.pid}.tmp`;
      await writeFile(temp, code);
      await rename(temp, outfile);
    }
    return { file: process.execPath, args: ["--enable-source-maps", outfile] };
  } catch (err) {
    logger.warn(
      `Could not bundle the agent task (${err instanceof Error ? err.message : String(err)}); running it with tsx.`,
    );
    return { file: process.execPath, args: ["--import", "tsx", paths.containerMain] };
  }
}
