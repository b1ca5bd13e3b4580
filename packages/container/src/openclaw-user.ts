import { lchown, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { AgentTaskError } from "./errors";

/**
 * The uid and gid OpenClaw runs as when the task runs as root (the image: docs/deployment.md, "Inside the
 * image"). The task keeps its environment (the ECS credentials URI, the agent secret, the store token)
 * and its memory to itself: Linux lets only the same uid (or CAP_SYS_PTRACE, which Fargate does not
 * grant) read /proc/<pid>/environ or /proc/<pid>/mem.
 */
export interface OpenClawUser {
  uid: number;
  gid: number;
}

/** From OPENCLAW_UID / OPENCLAW_GID: both or neither, and only when this process can switch uid. */
export function openClawUserFromEnv(
  uid: number | undefined,
  gid: number | undefined,
  processUid = process.getuid?.(),
): OpenClawUser | undefined {
  if (uid === undefined && gid === undefined) return undefined;
  if (uid === undefined || gid === undefined)
    throw new AgentTaskError(
      "BAD_ENVIRONMENT",
      "Bad task environment: set OPENCLAW_UID and OPENCLAW_GID together",
    );
  if (uid === 0)
    throw new AgentTaskError("BAD_ENVIRONMENT", "Bad task environment: OPENCLAW_UID must not be 0 (root)");
  if (processUid !== 0)
    throw new AgentTaskError(
      "BAD_ENVIRONMENT",
      `Bad task environment: OPENCLAW_UID=${uid} needs the task to run as root to start OpenClaw as that uid (it runs as ${processUid})`,
    );
  return { uid, gid };
}

/**
 * Gives OpenClaw's uid the files it works on (its state, home, tmp, logs, config), which the task wrote
 * as root. lchown, never chown: a symlink inside a restored state dir must not hand OpenClaw the file it
 * points at. Missing paths are skipped.
 */
export async function handOver(paths: string[], user: OpenClawUser): Promise<void> {
  const walk = async (path: string): Promise<void> => {
    const stat = await lstat(path).catch(() => undefined);
    if (!stat) return;
    await lchown(path, user.uid, user.gid);
    if (stat.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
  };
  for (const path of paths) await walk(path);
}

/** Names OpenClaw's environment must never hold: the task's AWS credentials and ECS endpoints. */
export const NEVER_TO_OPENCLAW = /^(AWS_|ECS_)/;
