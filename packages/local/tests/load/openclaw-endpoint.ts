import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Harness } from "./harness";

/**
 * The gateway token in the agent's OpenClaw config: a literal, or (what the task writes, so the file
 * is the same on every boot) an env SecretRef naming the variable OpenClaw reads it from.
 */
const ConfigSchema = z.object({
  gateway: z.object({
    auth: z.object({
      token: z.union([z.string(), z.object({ source: z.literal("env"), id: z.string() })]),
    }),
  }),
});

/**
 * The OpenClaw a user's running agent task started: its token from the config the task wrote into its
 * work dir (resolved from the process's environment when it is a SecretRef), its port from the
 * process's command line (`gateway run --port N`). The benches call it directly for the "OpenClaw
 * alone" side of a comparison: same process, same fake LLM, same run.
 */
export function agentOpenClaw(h: Harness, userId: string): { baseUrl: string; token: string } {
  const configPath = join(h.dataDir, "agents", userId, "work", "openclaw.json");
  const { token } = ConfigSchema.parse(JSON.parse(readFileSync(configPath, "utf8"))).gateway.auth;
  for (const pid of h.stack.runner.spawnedProcesses().keys()) {
    let args: string[];
    let env: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    } catch {
      continue; // gone
    }
    const at = args.indexOf("--port");
    if (!args.includes("gateway") || at < 0) continue;
    if (!env.includes(`OPENCLAW_CONFIG_PATH=${configPath}`)) continue;
    const value =
      typeof token === "string"
        ? token
        : env.find((e) => e.startsWith(`${token.id}=`))?.slice(token.id.length + 1);
    if (!value)
      throw new Error(`OpenClaw (pid ${pid}) has no ${typeof token === "string" ? "token" : token.id} set`);
    return { baseUrl: `http://127.0.0.1:${args[at + 1]}`, token: value };
  }
  throw new Error(`no running OpenClaw found for user ${userId}`);
}
