import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeIssues, UserIdSchema } from "@serverless-openclaw/shared";
import * as z from "zod";
import { AgentTaskError } from "./errors";

const ms = z.coerce.number().int().positive().optional();

/** The task's environment (docs/architecture.md, "Environment of the agent task"), parsed once. */
export const TaskEnvSchema = z
  .object({
    USER_ID: UserIdSchema,
    AGENT_SECRET: z.string().min(16, "AGENT_SECRET must be at least 16 characters"),
    AGENT_WS_URL: z.string().regex(/^wss?:\/\//, "AGENT_WS_URL must be a ws:// or wss:// URL"),
    /** Sign the agent $connect with SigV4 (AWS; only for wss://). */
    AGENT_WS_SIGN: z.enum(["0", "1"]).optional(),
    CLIENT_PUSH_ENDPOINT: z.string().optional(),
    LOCAL_STORE_URL: z.string().optional(),
    LOCAL_STORE_TOKEN: z.string().optional(),
    OPENCLAW_HOME: z.string().optional(),
    /** Where OpenClaw's compile cache lives (the image warms one at build time). */
    OPENCLAW_COMPILE_CACHE: z.string().optional(),
    /** "gateway" (default) or "embedded": OpenClaw's embedded agent without its gateway (openclaw-host.ts). */
    OPENCLAW_MODE: z.enum(["gateway", "embedded"]).optional(),
    WORK_DIR: z.string().optional(),
    AWS_REGION: z.string().optional(),
    INACTIVITY_MS: ms,
    /** Deploy context `inactivityMinutes`: the timeout when the user never chose one. */
    DEFAULT_INACTIVITY_MINUTES: z.coerce.number().int().min(1).max(240).optional(),
    SHUTDOWN_GRACE_MS: ms,
    TURN_TIMEOUT_MS: ms,
    HEARTBEAT_INTERVAL_MS: ms,
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).optional(),
  })
  .refine((e) => (e.LOCAL_STORE_URL ? e.LOCAL_STORE_TOKEN : true), {
    message: "LOCAL_STORE_TOKEN is required with LOCAL_STORE_URL",
    path: ["LOCAL_STORE_TOKEN"],
  })
  .refine((e) => e.LOCAL_STORE_URL || e.CLIENT_PUSH_ENDPOINT, {
    message: "set LOCAL_STORE_URL (local mode) or CLIENT_PUSH_ENDPOINT and the table names (AWS)",
    path: ["CLIENT_PUSH_ENDPOINT"],
  });
export type TaskEnv = z.infer<typeof TaskEnvSchema>;

export function parseTaskEnv(env: NodeJS.ProcessEnv): TaskEnv {
  const parsed = TaskEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new AgentTaskError("BAD_ENVIRONMENT", `Bad task environment: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function workDirOf(env: TaskEnv): string {
  return env.WORK_DIR ?? join(tmpdir(), `openclaw-task-${env.USER_ID}`);
}
