import { commaList, DISCORD_CHANNEL_ID } from "@serverless-openclaw/shared";
import * as z from "zod";
import { LocalSetupError } from "./errors";

// Local mode's one schema for its environment (as runtime/aws.ts is the Lambdas' and the container's
// env.ts the agent task's): parsed once, in createLocalStack, and only the typed result travels on.

type Raw = Readonly<Record<string, string | undefined>>;

/** An empty variable counts as unset, as a shell's `VAR= npm start` means. */
const unsetIfEmpty = (v: string | undefined) => (v === "" ? undefined : v);
const text = z.string().optional().transform(unsetIfEmpty);
const url = (name: string) =>
  text.pipe(z.url({ protocol: /^https?$/, error: `${name} must be an http:// or https:// URL` }).optional());

export const LocalEnvSchema = z.object({
  /** The first user's login (else a generated one, saved for `--show-login`). */
  LOCAL_USER: text,
  LOCAL_PASSWORD: text,
  /** The first user's LLM when Settings name none (docs/local-mode.md). */
  ANTHROPIC_API_KEY: text,
  OPENAI_API_KEY: text,
  DEEPSEEK_API_KEY: text,
  OPENAI_BASE_URL: url("OPENAI_BASE_URL"),
  LLM_MODEL: text,
  /** Telegram by long polling; the root of a self-hosted (or the tests' fake) Bot API. */
  TELEGRAM_BOT_TOKEN: text,
  TELEGRAM_API_ROOT: url("TELEGRAM_API_ROOT"),
  /** Discord and Slack: each is on when its verification secret is set (docs/discord.md, docs/slack.md). */
  DISCORD_PUBLIC_KEY: text,
  DISCORD_BOT_TOKEN: text,
  DISCORD_APPLICATION_ID: text,
  /** The server channels where /ask is answered (DMs always), comma-separated. */
  DISCORD_CHANNEL_IDS: z
    .string()
    .optional()
    .transform(commaList)
    .superRefine((ids, ctx) => {
      const bad = ids.filter((id) => !DISCORD_CHANNEL_ID.test(id));
      if (bad.length > 0)
        ctx.addIssue({
          code: "custom",
          message: `DISCORD_CHANNEL_IDS must be Discord channel IDs (17–20 digits), comma-separated; not: ${bad.join(", ")}`,
        });
    }),
  DISCORD_API_BASE_URL: url("DISCORD_API_BASE_URL"),
  SLACK_SIGNING_SECRET: text,
  SLACK_BOT_TOKEN: text,
  SLACK_API_BASE_URL: url("SLACK_API_BASE_URL"),
  /**
   * Read by the agents (AGENT_INHERITED_ENV), checked here: a typo would otherwise pass `npm start` and
   * fail every agent start instead.
   */
  OPENCLAW_MODE: text.pipe(
    z.enum(["gateway", "embedded"], { error: "OPENCLAW_MODE must be gateway or embedded" }).optional(),
  ),
});
/** Every field optional, so a caller (or a test) names only what it sets. */
export type LocalEnv = Partial<z.output<typeof LocalEnvSchema>>;

/** Parses local mode's environment; a bad value stops local mode with a message naming it. */
export function readLocalEnv(env: Raw): LocalEnv {
  const parsed = LocalEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  // Each message names its variable; values are never echoed (a URL may carry credentials).
  throw new LocalSetupError(parsed.error.issues.map((issue) => issue.message).join("; "));
}

/**
 * What of the host's environment an agent process inherits (ECS gives a task only what its task
 * definition names; the agent's own variables are set by the runner): the system basics, which
 * Chromium OpenClaw's browser tool uses (docs/browser.md) and OpenClaw's mode (packages/container
 * README). Nothing else: no key, no token of local mode reaches an agent this way.
 */
export const AGENT_INHERITED_ENV = [
  "PATH",
  "LANG",
  "LC_ALL",
  "TZ",
  "NODE_EXTRA_CA_CERTS",
  "SystemRoot",
  "CHROMIUM_PATH",
  "CHROMIUM_NO_SANDBOX",
  "OPENCLAW_MODE",
] as const;

export function agentInheritedEnv(env: Raw): Record<string, string> {
  return Object.fromEntries(
    // An empty variable counts as unset here too (the agent's own schema would refuse `OPENCLAW_MODE=`).
    AGENT_INHERITED_ENV.flatMap((name) => (env[name] ? [[name, env[name]]] : [])),
  );
}

/**
 * What local mode's own settings tell an agent: the Discord API it edits `/ask` replies at (the task
 * calls Discord's interaction webhooks itself, as on AWS), so that one `DISCORD_API_BASE_URL` points
 * the relay, the registration and the agents at the same server. A URL, never a key or a token.
 */
export function agentEnvFromLocalEnv(env: LocalEnv): Record<string, string> {
  return env.DISCORD_API_BASE_URL ? { DISCORD_API_BASE_URL: env.DISCORD_API_BASE_URL } : {};
}
