import { closeSync, readFileSync } from "node:fs";
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
    /** AWS: the agent's IAM-authorized HTTP API (store RPC, pushes to the user's tabs, blob URLs). */
    AGENT_API_URL: z.url({ protocol: /^https?$/ }).optional(),
    LOCAL_STORE_URL: z.string().optional(),
    LOCAL_STORE_TOKEN: z.string().optional(),
    OPENCLAW_HOME: z.string().optional(),
    /** Where OpenClaw's compile cache lives (the image warms one at build time). */
    OPENCLAW_COMPILE_CACHE: z.string().optional(),
    /**
     * "embedded" (default): OpenClaw's embedded agent without its gateway, the gateway anyway when the
     * browser is on or the agent's internals are not found; "gateway": always the gateway (openclaw-host.ts).
     */
    OPENCLAW_MODE: z.enum(["gateway", "embedded"]).optional(),
    /**
     * "per-turn" (default): a checkpoint after every turn, a reply final once saved. "stop-only": saved
     * at a clean stop only (a crash loses the turns since the start); for measuring what checkpoints cost.
     */
    STATE_CHECKPOINTS: z.enum(["per-turn", "stop-only"]).optional(),
    WORK_DIR: z.string().optional(),
    /** Run OpenClaw as this uid:gid (the image sets 1000:1000, `node`; the task itself runs as root). */
    OPENCLAW_UID: z.coerce.number().int().min(0).optional(),
    OPENCLAW_GID: z.coerce.number().int().min(0).optional(),
    AWS_REGION: z.string().optional(),
    INACTIVITY_MS: ms,
    /** Deploy context `inactivityMinutes`: the timeout when the user never chose one. */
    DEFAULT_INACTIVITY_MINUTES: z.coerce.number().int().min(1).max(240).optional(),
    SHUTDOWN_GRACE_MS: ms,
    TURN_TIMEOUT_MS: ms,
    HEARTBEAT_INTERVAL_MS: ms,
    /** How long OpenClaw may take to answer /readyz (default 180 s; tests on a loaded machine raise it). */
    OPENCLAW_READY_TIMEOUT_MS: ms,
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).optional(),
    /** The browser image's Chromium (chromium.ts; docs/browser.md). */
    CHROMIUM_PATH: z.string().optional(),
    CHROMIUM_NO_SANDBOX: z.string().optional(),
    BROWSER_ALLOWED_HOSTS: z.string().optional(),
    /** Tests only: a fake Discord API on loopback for the interaction webhooks the task calls directly. */
    DISCORD_API_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** Local mode only (envFallback): keys that may stand in for Settings (llm-choice.ts ENV_KEY_OF). */
    ANTHROPIC_API_KEY: z.string().optional(),
    OPENAI_API_KEY: z.string().optional(),
    DEEPSEEK_API_KEY: z.string().optional(),
    // What OpenClaw inherits from the task (OPENCLAW_PASS_ENV); nothing else of this environment reaches it.
    PATH: z.string().optional(),
    LANG: z.string().optional(),
    LC_ALL: z.string().optional(),
    TZ: z.string().optional(),
    HTTP_PROXY: z.string().optional(),
    HTTPS_PROXY: z.string().optional(),
    NO_PROXY: z.string().optional(),
  })
  .refine((e) => (e.LOCAL_STORE_URL ? e.LOCAL_STORE_TOKEN : true), {
    message: "LOCAL_STORE_TOKEN is required with LOCAL_STORE_URL",
    path: ["LOCAL_STORE_TOKEN"],
  })
  .refine((e) => e.LOCAL_STORE_URL || e.AGENT_API_URL, {
    message: "set LOCAL_STORE_URL (local mode) or AGENT_API_URL (AWS)",
    path: ["AGENT_API_URL"],
  });
export type TaskEnv = z.infer<typeof TaskEnvSchema>;

/** The variables OpenClaw inherits from the task's environment (its search path, locale, clock, proxies). */
export const OPENCLAW_PASS_ENV = [
  "PATH",
  "LANG",
  "LC_ALL",
  "TZ",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
] as const;

export function openClawPassEnv(env: TaskEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of OPENCLAW_PASS_ENV) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Local mode's stand-ins for a key in Settings; a deployment gets none (it uses Settings alone). */
export function envApiKeys(env: TaskEnv): Record<string, string | undefined> {
  if (!env.LOCAL_STORE_URL) return {};
  const { ANTHROPIC_API_KEY, OPENAI_API_KEY, DEEPSEEK_API_KEY } = env;
  return { ANTHROPIC_API_KEY, OPENAI_API_KEY, DEEPSEEK_API_KEY };
}

/** The variables that may arrive on the secrets pipe instead of the environment. */
const PIPED = z.strictObject({
  AGENT_SECRET: z.string().optional(),
  LOCAL_STORE_TOKEN: z.string().optional(),
});

/**
 * The environment with the secrets read from the pipe named by AGENT_SECRETS_FD (local mode's runner
 * sends them there, as JSON, so they never appear in /proc/<pid>/environ, which every process of
 * the same OS user, an agent's shell included, can read). The pipe is read once and closed.
 */
export function withPipedSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const fd = env.AGENT_SECRETS_FD;
  if (fd === undefined) return env;
  if (!/^\d+$/.test(fd))
    throw new AgentTaskError("BAD_ENVIRONMENT", "Bad task environment: AGENT_SECRETS_FD");
  let piped: z.infer<typeof PIPED>;
  try {
    const raw = readFileSync(Number(fd), "utf8");
    closeSync(Number(fd));
    piped = PIPED.parse(JSON.parse(raw));
  } catch (err) {
    throw new AgentTaskError(
      "BAD_ENVIRONMENT",
      `Bad task environment: could not read the secrets from fd ${fd} (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const { AGENT_SECRETS_FD: _, ...rest } = env;
  return { ...rest, ...piped };
}

export function parseTaskEnv(env: NodeJS.ProcessEnv): TaskEnv {
  const parsed = TaskEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new AgentTaskError("BAD_ENVIRONMENT", `Bad task environment: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function workDirOf(env: TaskEnv): string {
  return env.WORK_DIR ?? join(tmpdir(), `openclaw-task-${env.USER_ID}`);
}
