import { randomBytes } from "node:crypto";
import { SECRET_NAMES } from "@serverless-openclaw/shared";
import { Api } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { GatewayError } from "../errors";
import type { SecretStore, SettingsStore } from "../ports";
import { writeBotInfo } from "./telegram-bot-info";

/** Telegram allows 1–256 characters of A-Z, a-z, 0-9, _ and - in a webhook secret token. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

export interface RegisterWebhookInput {
  token: string;
  /** The public HTTPS URL of `POST /telegram/webhook`. */
  url: string;
  secretToken: string;
  apiRoot?: string;
  /** Drop updates that queued up while no webhook was set. */
  dropPendingUpdates?: boolean;
}

/**
 * Points the bot at our webhook: setWebhook with the secret token Telegram echoes in
 * `X-Telegram-Bot-Api-Secret-Token`, and only the updates we handle. Returns the bot's getMe
 * answer (to cache for cold starts). Used by scripts/telegram-set-webhook.ts and the deploy-time
 * custom resource.
 */
export async function registerTelegramWebhook(input: RegisterWebhookInput): Promise<UserFromGetMe> {
  if (!SECRET_PATTERN.test(input.secretToken)) {
    throw new Error("the webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -");
  }
  if (!input.url.startsWith("https://")) {
    throw new Error(`Telegram only calls HTTPS webhooks; got ${input.url}`);
  }
  const api = new Api(input.token, input.apiRoot ? { apiRoot: input.apiRoot } : undefined);
  const me = await api.getMe();
  await api.setWebhook(input.url, {
    secret_token: input.secretToken,
    allowed_updates: ["message"],
    drop_pending_updates: input.dropPendingUpdates ?? false,
  });
  return me;
}

/** Removes the webhook (so long polling works again, e.g. for local mode with the same bot). */
export async function deleteTelegramWebhook(input: { token: string; apiRoot?: string }): Promise<void> {
  const api = new Api(input.token, input.apiRoot ? { apiRoot: input.apiRoot } : undefined);
  await api.deleteWebhook();
}

/**
 * Deploy-time setup from the stored secrets: reads the bot token, creates the webhook secret when
 * there is none yet (random, URL-safe), registers the webhook and caches getMe for cold starts.
 */
export async function ensureTelegramWebhook(input: {
  secrets: SecretStore;
  url: string;
  settings?: SettingsStore;
  apiRoot?: string;
  dropPendingUpdates?: boolean;
}): Promise<{ bot: UserFromGetMe; createdSecret: boolean }> {
  const token = await input.secrets.get(SECRET_NAMES.telegramBotToken);
  if (!token) {
    throw new GatewayError(
      "TELEGRAM_NOT_CONFIGURED",
      `Store the bot token from @BotFather first (secret ${SECRET_NAMES.telegramBotToken}); see docs/telegram.md.`,
      409,
    );
  }
  let secretToken = await input.secrets.get(SECRET_NAMES.telegramWebhookSecret);
  const createdSecret = !secretToken;
  if (!secretToken) {
    secretToken = randomBytes(32).toString("base64url");
    await input.secrets.put(SECRET_NAMES.telegramWebhookSecret, secretToken);
  }
  const bot = await registerTelegramWebhook({
    token,
    url: input.url,
    secretToken,
    ...(input.apiRoot ? { apiRoot: input.apiRoot } : {}),
    ...(input.dropPendingUpdates !== undefined ? { dropPendingUpdates: input.dropPendingUpdates } : {}),
  });
  if (input.settings) await writeBotInfo(input.settings, bot);
  return { bot, createdSecret };
}
