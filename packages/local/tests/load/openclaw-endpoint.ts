import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Harness } from "./harness";

const ConfigSchema = z.object({ gateway: z.object({ auth: z.object({ token: z.string() }) }) });

/**
 * The OpenClaw a user's running agent task started: its token from the config the task wrote into its
 * work dir, its port from the process's command line (`gateway run --port N`). The benches call it
 * directly for the "OpenClaw alone" side of a comparison: same process, same fake LLM, same run.
 */
export function agentOpenClaw(h: Harness, userId: string): { baseUrl: string; token: string } {
  const configPath = join(h.dataDir, "agents", userId, "work", "openclaw.json");
  const { token } = ConfigSchema.parse(JSON.parse(readFileSync(configPath, "utf8"))).gateway.auth;
  for (const pid of h.stack.runner.spawnedProcesses().keys()) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // gone
    }
    const at = args.indexOf("--port");
    if (!args.includes("gateway") || at < 0) continue;
    let env = "";
    try {
      env = readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue;
    }
    if (!env.split("\0").includes(`OPENCLAW_CONFIG_PATH=${configPath}`)) continue;
    return { baseUrl: `http://127.0.0.1:${args[at + 1]}`, token };
  }
  throw new Error(`no running OpenClaw found for user ${userId}`);
}
