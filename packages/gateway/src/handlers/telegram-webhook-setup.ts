import { SECRET_NAMES } from "@serverless-openclaw/shared";
import * as z from "zod";
import { deleteTelegramWebhook, ensureTelegramWebhook } from "../channels/telegram-webhook-registration";
import type { Logger } from "../deps";
import { errorSummary, GatewayError } from "../errors";
import type { SecretStore, SettingsStore } from "../ports";

/** What CloudFormation's custom-resource Provider framework hands the onEvent function. */
const SetupEventSchema = z.object({
  RequestType: z.enum(["Create", "Update", "Delete"]),
  PhysicalResourceId: z.string().optional(),
  ResourceProperties: z.object({ WebhookUrl: z.url().startsWith("https://") }),
});

export interface TelegramWebhookSetupDeps {
  secrets: SecretStore;
  /** Where the bot's getMe answer is cached for the webhook Lambda's cold starts. */
  settings?: SettingsStore;
  logger: Logger;
  /** Telegram's API root (tests point it at a fake Bot API). */
  apiRoot?: string;
  /** The SSM prefix, to name the parameter in messages. */
  secretPrefix: string;
}

export interface SetupResult {
  PhysicalResourceId: string;
  Data: { Status: string };
}

const PHYSICAL_ID = "telegram-webhook";

/**
 * The deploy-time custom resource that points the bot at this deployment's webhook. It never fails the
 * deploy over Telegram: a missing token or a refusal from Telegram is reported in `Status` (a stack
 * output) with the command that fixes it, since rolling back a whole stack for a bot is worse. On
 * delete it removes the webhook, so the bot does not point at an API that no longer exists.
 */
export function createTelegramWebhookSetupHandler(deps: TelegramWebhookSetupDeps) {
  const parameter = `${deps.secretPrefix.replace(/\/$/, "")}/${SECRET_NAMES.telegramBotToken}`;
  const apiRoot = deps.apiRoot ? { apiRoot: deps.apiRoot } : {};
  return async (raw: unknown): Promise<SetupResult> => {
    const event = SetupEventSchema.parse(raw);
    const url = event.ResourceProperties.WebhookUrl;
    if (event.RequestType === "Delete") {
      const token = await deps.secrets.get(SECRET_NAMES.telegramBotToken).catch(() => undefined);
      if (token) {
        await deleteTelegramWebhook({ token, ...apiRoot }).catch((error: unknown) =>
          deps.logger.warn("could not remove the Telegram webhook", errorSummary(error)),
        );
      }
      return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID, Data: { Status: "removed" } };
    }
    let status: string;
    try {
      const { bot } = await ensureTelegramWebhook({
        secrets: deps.secrets,
        url,
        ...(deps.settings ? { settings: deps.settings } : {}),
        ...apiRoot,
      });
      status = `registered for @${bot.username}`;
      deps.logger.info("Telegram webhook registered", { bot: bot.username });
    } catch (error) {
      const fix = `then run: npx tsx scripts/telegram-set-webhook.ts --url ${url}`;
      status =
        error instanceof GatewayError && error.code === "TELEGRAM_NOT_CONFIGURED"
          ? `not registered: no bot token in SSM ${parameter}; store it (SecureString), ${fix}`
          : `not registered: Telegram refused (${telegramReason(error)}); check the bot token in ${parameter}, ${fix}`;
      deps.logger.warn("Telegram webhook not registered", { status });
    }
    return { PhysicalResourceId: PHYSICAL_ID, Data: { Status: status } };
  };
}

/** Telegram's own description ("Unauthorized", "Not Found"), never anything that could hold the token. */
function telegramReason(error: unknown): string {
  const description = (error as { description?: unknown })?.description;
  if (typeof description === "string") return description.slice(0, 200);
  return error instanceof Error ? error.name : "unknown error";
}
