import { commaList, DISCORD_CHANNEL_ID } from "@serverless-openclaw/shared";
import * as z from "zod";

/**
 * Deploy-time parameters, read from CDK context (`-c key=value` on the command line or `context` in
 * cdk.json). Values from the command line arrive as strings, so booleans and numbers are coerced.
 */
const Bool = z.preprocess(
  (v) => {
    if (typeof v === "boolean") return v;
    if (typeof v === "string") {
      const s = v.trim().toLowerCase();
      if (["true", "on", "yes", "1"].includes(s)) return true;
      if (["false", "off", "no", "0", ""].includes(s)) return false;
    }
    return v;
  },
  z.boolean({ error: "must be on/off (true/false)" }),
);

const Num = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const DeployConfigSchema = z.object({
  /** AWS region to deploy to. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as us-east-1")
    .default("us-east-1"),
  /** Default inactivity timeout of the agent (users can change theirs in Settings). */
  inactivityMinutes: Num(1, 240).int().default(15),
  /** Deploy the Telegram webhook route and Lambda. */
  telegram: Bool.default(false),
  /** The bot's @username (without @), shown in the web UI's pairing instructions. Not a secret. */
  telegramBotUsername: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "must be a Telegram bot username such as my_openclaw_bot")
    .optional(),
  /** Deploy the Discord interactions route and Lambda (docs/discord.md). */
  discord: Bool.default(false),
  /**
   * Discord server channels (IDs, comma-separated) where `/ask` is answered, publicly. DMs with the bot
   * are always answered; without this, only DMs (docs/discord.md).
   */
  discordChannelIds: z
    .preprocess(
      // `-c discordChannelIds=1,2` arrives as a string; cdk.json may hold a list of strings. (Not
      // numbers: IDs are past 2^53 and JSON numbers would round them.)
      (v) =>
        typeof v === "string"
          ? commaList(v)
          : Array.isArray(v)
            ? v.map((id) => (typeof id === "string" ? id.trim() : id))
            : v,
      z
        .array(z.string({ error: "must be a Discord channel ID as a string" }), {
          error: "must be Discord channel IDs, comma-separated",
        })
        .superRefine((ids, ctx) => {
          const bad = ids.filter((id) => !DISCORD_CHANNEL_ID.test(id));
          if (ids.length === 0 || bad.length > 0) {
            const which = bad.length > 0 ? ` (not: ${bad.join(", ")})` : "";
            ctx.addIssue({ code: "custom", message: `must be Discord channel IDs, comma-separated${which}` });
          }
        }),
    )
    .optional(),
  /** Deploy the Slack events/commands routes and Lambda (docs/slack.md). */
  slack: Bool.default(false),
  /** Let anyone with the URL create an account (off: only an admin creates users). */
  selfSignUp: Bool.default(false),
  /** Monthly AWS Budgets alert threshold in USD (0 = no budget). Also passed to the gateway as the cap. */
  budgetMonthlyUsd: Num(0, 100_000).default(10),
  /** Optional e-mail address for the budget alerts. */
  budgetEmail: z.email("must be an e-mail address").optional(),
  /** Optional e-mail address subscribed to the CloudWatch alarm topic (confirm the mail AWS sends). */
  alarmEmail: z.email("must be an e-mail address").optional(),
  /**
   * The CloudWatch dashboard. An account's first 3 dashboards are free, each further one $3/month:
   * turn it off when the account already has three (docs/monitoring.md).
   */
  dashboard: Bool.default(true),
  /**
   * Reserve (and so cap) the Lambda concurrency of the functions anyone on the internet can reach
   * without a credential (the browser socket's $connect, the webhooks, the management API's 404
   * route), so a flood's Lambda bill has a ceiling (docs/cost.md, "A flood"). Lambda keeps 100 of an
   * account's concurrency unreserved: a new account whose quota is still 10 cannot reserve any, and
   * needs this off (or a quota increase).
   */
  reservedConcurrency: Bool.default(true),
  /** Keep tables, the data bucket and the user pool when the stacks are deleted. */
  retainData: Bool.default(true),
  /** Build the image with headless Chromium and give the task more CPU and memory. */
  browser: Bool.default(false),
  /**
   * How the agent task runs OpenClaw: "embedded" (default), OpenClaw's embedded agent without its
   * gateway, about twice as fast to the first token from Idle (docs/performance.md, "Cold path"), or
   * "gateway". With `browser` on, or when an OpenClaw upgrade moved the embedded agent's internals, the
   * task uses the gateway anyway.
   */
  openClawMode: z.enum(["gateway", "embedded"], { error: "must be gateway or embedded" }).default("embedded"),
  /** Retention of every log group, in days (must be a CloudWatch retention value). */
  logRetentionDays: Num(1, 3653).int().default(14),
  /** SSM parameter path under which secrets live (SecureString parameters created by hand). */
  secretPrefix: z
    .string()
    .regex(/^(\/[A-Za-z0-9_.-]+)+$/, "must be a path such as /serverless-openclaw")
    .default("/serverless-openclaw"),
});
export type DeployConfig = z.infer<typeof DeployConfigSchema>;

/** Context keys that would put a secret into the CloudFormation template. Refused with a pointer to SSM. */
const SECRET_KEYS = [
  "telegramBotToken",
  "telegramToken",
  "llmApiKey",
  "apiKey",
  "webhookSecret",
  "discordBotToken",
  "slackBotToken",
  "slackSigningSecret",
];

export class ConfigError extends Error {
  readonly code = "CDK_CONFIG_INVALID";
}

/** Reads the config from a context lookup (`node.tryGetContext`). Unknown keys are ignored. */
export function readDeployConfig(get: (key: string) => unknown): DeployConfig {
  for (const key of SECRET_KEYS) {
    if (get(key) !== undefined) {
      throw new ConfigError(
        `Context "${key}" would write a secret into the CloudFormation template. Store secrets in SSM ` +
          "instead, e.g. `aws ssm put-parameter --type SecureString --name /serverless-openclaw/telegram/bot-token " +
          "--value …` (see docs/deployment.md).",
      );
    }
  }
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(DeployConfigSchema.shape)) {
    const value = get(key);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = DeployConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `-c ${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid deploy parameters: ${issues}`);
  }
  return parsed.data;
}
